import Crypto
import EventStore
import Foundation
import Lifecycle
import Logging

extension CommandHandler {
    /// The most events one command decides; the ids an earlier attempt may have used.
    static let maximumEventsPerCommand = 16

    /// A command with an idempotency key: claim the key; answer a finished one with its stored
    /// outcome, an unfinished one with the events its first attempt appended, else run it.
    func handle(
        _ command: Command, key text: String, body: Data, caller: (id: String, name: String), now: Date
    ) async throws(CommandError) -> CommandResult {
        try Self.validate(idempotencyKey: text)
        let key = IdempotencyKey(scope: caller.id, key: text, requestHash: Self.requestHash(command.name, body))
        let ids = IdempotentIds(key: key)
        let claim: IdempotencyClaim
        do {
            claim = try await store.claim(key, eventIds: (0..<Self.maximumEventsPerCommand).map(ids.eventId))
        } catch {
            throw CommandError(error)
        }
        switch claim {
        case .reused:
            throw CommandError(
                status: 409, code: "idempotency_key_reused",
                message: "idempotency key \"\(text)\" was already used for a different request; use a new key for a new command",
                field: "Idempotency-Key")
        case .finished(let status, let response):
            return try Self.replay(status: status, response: response)
        case .unfinished(let recorded):
            // The first attempt may have appended before it died: its events carry these ids.
            if let earlier = Self.earlierResult(recorded, ids: ids, command: command) {
                await remember(.success(earlier), key: key)
                return earlier
            }
        case .fresh:
            break
        }
        let outcome = await executeClaimed(command, caller: caller, ids: ids, now: now)
        if Self.isStored(outcome) { await remember(outcome, key: key) }
        return try outcome.get()
    }

    /// Runs a command whose key this request holds. A refusal may be a twin attempt's doing:
    /// an attempt with this key whose client gave up on a stalled server may have committed
    /// while this one decided, and its events be why this one is refused; then the command was
    /// recorded, and that is the answer.
    func executeClaimed(
        _ command: Command, caller: (id: String, name: String), ids: IdempotentIds, now: Date
    ) async -> Result<CommandResult, CommandError> {
        do {
            return .success(try await execute(command, caller: caller, ids: ids, now: now))
        } catch where error.status < 500 {
            if let twin = await twinResult(ids: ids, command: command) { return .success(twin) }
            return .failure(error)
        } catch {
            return .failure(error)
        }
    }

    /// What another attempt with the same key appended, if anything (found by the ids the key
    /// derives); nil when the lookup fails too, so the refusal stands.
    private func twinResult(ids: IdempotentIds, command: Command) async -> CommandResult? {
        guard let recorded = try? await store.events(withIds: (0..<Self.maximumEventsPerCommand).map(ids.eventId)) else { return nil }
        return Self.earlierResult(recorded, ids: ids, command: command)
    }

    /// What an earlier attempt appended: the events with the ids 0, 1, 2, … in order.
    static func earlierResult(_ recorded: [RecordedEvent], ids: IdempotentIds, command: Command) -> CommandResult? {
        let byId = Dictionary(recorded.map { ($0.eventId, $0) }, uniquingKeysWith: { first, _ in first })
        let mine = (0..<maximumEventsPerCommand).lazy.map { byId[ids.eventId($0)] }.prefix { $0 != nil }.compactMap { $0 }
        guard !mine.isEmpty else { return nil }
        return CommandResult(
            command: command.name, stream: command.streamId,
            events: mine.map {
                .init(
                    eventId: $0.eventId.uuidString.lowercased(), type: $0.type, stream: $0.stream, streamVersion: $0.streamVersion,
                    position: $0.position, recordedAt: $0.recordedAt)
            }, replayed: true)
    }

    /// Stores the outcome against the key. A failure to store is logged, not thrown: the
    /// command's outcome stands, and a retry finds its events by their ids.
    private func remember(_ outcome: Result<CommandResult, CommandError>, key: IdempotencyKey) async {
        do {
            let stored = Self.stored(outcome)
            try await store.recordOutcome(key, status: stored.status, response: stored.response)
        } catch {
            logger.warning("could not record an idempotent outcome", metadata: ["loopline.error": "\(error)"])
        }
    }

    /// The status and JSON stored for an outcome: 200 and the result, or the refusal.
    static func stored(_ outcome: Result<CommandResult, CommandError>) -> (status: Int, response: Data) {
        switch outcome {
        case .success(let result): (200, Data(result.json.utf8))
        case .failure(let error): (error.status, (try? CommandJSON.encoder.encode(error)) ?? Data("{}".utf8))
        }
    }

    /// What binds a key to its request: the command's name and body.
    static func requestHash(_ name: String, _ body: Data) -> Data {
        Data(SHA256.hash(data: Data((name + "\n").utf8) + body))
    }

    static func validate(idempotencyKey key: String) throws(CommandError) {
        guard (1...200).contains(key.utf8.count), key.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw CommandError(
                status: 400, code: "invalid_idempotency_key",
                message: "an idempotency key needs 1 to 200 printable ASCII characters without spaces", field: "Idempotency-Key")
        }
    }

    static func replay(status: Int, response: Data) throws(CommandError) -> CommandResult {
        let decoder = CommandJSON.decoder
        if status == 200, var result = try? decoder.decode(CommandResult.self, from: response) {
            result.replayed = true
            return result
        }
        if let error = try? decoder.decode(CommandError.self, from: response) { throw error }
        throw CommandError(status: 500, code: "internal_error", message: "a stored idempotent outcome could not be read")
    }
}

/// Event ids derived from an idempotency key: the same key and body give the same ids.
struct IdempotentIds: Sendable {
    let key: IdempotencyKey

    func eventId(_ index: Int) -> UUID {
        var digest = Array(SHA256.hash(data: Data("\(key.scope)\n\(key.key)\n\(index)\n".utf8) + key.requestHash).prefix(16))
        digest[6] = (digest[6] & 0x0F) | 0x80  // version 8: custom
        digest[8] = (digest[8] & 0x3F) | 0x80  // RFC 9562 variant
        return UUID(uuid: (
            digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
            digest[8], digest[9], digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]))
    }
}
