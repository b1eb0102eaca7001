public import EventStore
public import Foundation
public import Lifecycle
public import Logging
import Crypto
import Postgres

/// Turns commands into events: decode, load the stream's state, decide, append with the
/// version it decided on, retry a bounded number of times when another writer got there first.
///
/// With an idempotency key, the same key and body answer with the outcome stored the first
/// time, and the events get ids derived from the key, so even a retry after a crash between
/// append and record cannot write twice.
public final class CommandHandler: Sendable {
    /// Attempts before a command that keeps losing the race to other writers gives up.
    public let maximumAttempts: Int
    public let policy: Policy
    private let store: EventStore
    private let idempotency: IdempotencyStore
    private let states = StreamStateCache()
    private let logger: Logger

    public init(store: EventStore, policy: Policy = Policy(), logger: Logger, maximumAttempts: Int = 10) {
        self.store = store
        self.policy = policy
        self.logger = logger
        self.maximumAttempts = maximumAttempts
        self.idempotency = IdempotencyStore(client: store.client)
    }

    /// Handles one command. `caller` identifies the token, for metadata and to scope
    /// idempotency keys: `(id, name)`.
    public func handle(
        name: String, body: Data, idempotencyKey: String?, caller: (id: String, name: String), now: Date = Date()
    ) async throws(CommandError) -> CommandResult {
        let command = try Self.decode(name: name, body: body)
        guard let key = idempotencyKey else {
            return try await execute(command, caller: caller, key: nil, now: now)
        }
        try Self.validate(idempotencyKey: key)
        let requestHash = Data(SHA256.hash(data: Data((name + "\n").utf8) + body))
        let claim: IdempotencyStore.Claim
        do {
            claim = try await idempotency.claim(scope: caller.id, key: key, requestHash: requestHash)
        } catch {
            throw Self.unavailable(error)
        }
        let ids = IdempotentIds(scope: caller.id, key: key, requestHash: requestHash)
        switch claim {
        case .reused:
            throw CommandError(
                status: 409, code: "idempotency_key_reused",
                message: "idempotency key \"\(key)\" was already used for a different request; use a new key for a new command",
                field: "Idempotency-Key")
        case .finished(let status, let response):
            return try Self.replay(status: status, response: response)
        case .unfinished:
            // The first attempt may have appended before it died: its events carry these ids.
            if let earlier = try await recorded(ids, command: command) {
                try await remember(.success(earlier), scope: caller.id, key: key, requestHash: requestHash)
                return earlier
            }
        case .fresh:
            break
        }
        do {
            let result = try await execute(command, caller: caller, key: ids, now: now)
            try await remember(.success(result), scope: caller.id, key: key, requestHash: requestHash)
            return result
        } catch let error where error.status < 500 {
            try await remember(.failure(error), scope: caller.id, key: key, requestHash: requestHash)
            throw error
        }
    }

    // MARK: - Executing

    private func execute(
        _ command: Command, caller: (id: String, name: String), key: IdempotentIds?, now: Date
    ) async throws(CommandError) -> CommandResult {
        let stream: StreamName
        do { stream = try StreamName(command.streamId) } catch {
            throw CommandError(status: 422, code: "invalid_field", message: error.message, field: nil)
        }
        var metadata = #"{"command":\#(JSONText.quoted(command.name)),"token":\#(JSONText.quoted(caller.name))"#
        if let key { metadata += #","idempotencyKey":\#(JSONText.quoted(key.key))"# }
        metadata += "}"
        // The first attempt decides without reading the stream: on its cached state, or as a
        // new stream. An append only lands if the stream really was at that version, so a
        // stale guess costs one conflict and a read, never a wrong event; most commands start
        // or continue a stream this process knows, and skip the read altogether.
        var fresh = false
        for attempt in 1...maximumAttempts {
            let current = fresh ? try await state(of: command.streamId) : states[command.streamId] ?? .init(state: .empty, version: 0)
            let related = try await relatedStates(command.relatedStreamIds)
            let decided: [DomainEvent]
            do {
                decided = try Decider.decide(command, state: current.state, related: related, now: now, policy: policy)
            } catch {
                // A refusal is only as good as the state behind it: confirm it on a fresh read.
                if !fresh && !error.isRequestError {
                    fresh = true
                    continue
                }
                throw CommandError(
                    status: error.isRequestError ? 422 : 409, code: error.code, message: error.message,
                    field: error.field)
            }
            let events = try decided.enumerated().map { index, event throws(CommandError) in
                do {
                    return NewEvent(
                        id: key?.eventId(index) ?? .version7(), type: event.type, schemaVersion: event.schemaVersion,
                        data: try event.encodedData(), metadata: metadata)
                } catch {
                    throw CommandError(status: 500, code: "internal_error", message: "could not encode \(event.type): \(error)")
                }
            }
            do {
                let appended = try await store.append(events, to: stream, expected: .exact(current.version))
                var state = current.state
                for event in decided { state = Decider.evolve(state, event) }
                if !appended.duplicate {
                    states.store(.init(state: state, version: appended.streamVersion), for: command.streamId)
                }
                return Self.result(command: command.name, appended: appended, types: events.map(\.type), replayed: appended.duplicate)
            } catch let error as EventStoreError where error.code == .wrongExpectedVersion {
                states.forget(command.streamId)
                // A short random pause when writers race for one stream, so they stop colliding.
                if fresh { try? await Task.sleep(for: .microseconds(Int.random(in: 100...(1000 * attempt)))) }
                fresh = true
                logger.debug(
                    "command lost a race; deciding again",
                    metadata: ["loopline.stream": "\(command.streamId)", "loopline.attempt": "\(attempt)"])
            } catch {
                throw Self.translate(error)
            }
        }
        throw CommandError(
            status: 409, code: "concurrency_conflict",
            message: "stream \(command.streamId) kept changing during \(maximumAttempts) attempts; retry the command")
    }

    /// The related streams' states, read fresh: the append's version check does not cover them.
    private func relatedStates(_ streams: [String]) async throws(CommandError) -> [String: StreamState] {
        var states: [String: StreamState] = [:]
        for id in streams { states[id] = try await state(of: id).state }
        return states
    }

    /// A stream's state: the cached one, brought up to date with the events appended since.
    private func state(of stream: String) async throws(CommandError) -> StreamStateCache.Entry {
        var entry = states[stream] ?? .init(state: .empty, version: 0)
        let name: StreamName
        do { name = try StreamName(stream) } catch {
            throw CommandError(status: 422, code: "invalid_field", message: error.message)
        }
        while true {
            let events: [RecordedEvent]
            do {
                events = try await store.read(stream: name, afterVersion: entry.version, limit: 1000)
            } catch {
                throw Self.translate(error)
            }
            for recorded in events {
                entry.version = recorded.streamVersion
                do {
                    let event = try DomainEvent.decode(
                        type: recorded.type, schemaVersion: recorded.schemaVersion, data: Data(recorded.data.utf8))
                    entry.state = Decider.evolve(entry.state, event)
                } catch let error as DomainError where error.code == "unknown_event_type" {
                    // Appended outside the catalogue (e.g. `loopline append`): not part of the decision.
                    continue
                } catch {
                    throw CommandError(
                        status: 500, code: "undecodable_event",
                        message: "event \(recorded.eventId.lowercasedString) at \(stream) version \(recorded.streamVersion) cannot be read: \(error)")
                }
            }
            if events.count < 1000 { break }
        }
        states.store(entry, for: stream)
        return entry
    }

    /// The events an earlier attempt with these idempotent ids recorded, if any.
    private func recorded(_ ids: IdempotentIds, command: Command) async throws(CommandError) -> CommandResult? {
        let candidates = (0..<16).map(ids.eventId)
        let found: [RecordedEvent]
        do { found = try await store.events(withIds: candidates) } catch { throw Self.translate(error) }
        // The attempt's events are the ids 0, 1, 2, ... in order.
        let mine = zip(candidates, found).prefix { $0 == $1.eventId }.map(\.1)
        guard !mine.isEmpty else { return nil }
        return CommandResult(
            command: command.name, stream: command.streamId,
            events: mine.map {
                .init(
                    eventId: $0.eventId.lowercasedString, type: $0.type, stream: $0.stream, streamVersion: $0.streamVersion,
                    position: $0.position, recordedAt: $0.recordedAt)
            }, replayed: true)
    }

    private func remember(
        _ outcome: Result<CommandResult, CommandError>, scope: String, key: String, requestHash: Data
    ) async throws(CommandError) {
        let encoder = CommandJSON.encoder
        do {
            switch outcome {
            case .success(let result):
                try await idempotency.record(
                    scope: scope, key: key, requestHash: requestHash, status: 200, response: try encoder.encode(result))
            case .failure(let error):
                try await idempotency.record(
                    scope: scope, key: key, requestHash: requestHash, status: error.status, response: try encoder.encode(error))
            }
        } catch {
            // The command's outcome stands; a retry will find the events by their ids.
            logger.warning("could not record an idempotent outcome", metadata: ["error": "\(error)"])
        }
    }

    // MARK: - Helpers

    static func decode(name: String, body: Data) throws(CommandError) -> Command {
        do {
            return try Command.decode(name: name, json: body)
        } catch {
            let status =
                switch error.code {
                case "unknown_command": 404
                case "invalid_body": 400
                default: 422
                }
            throw CommandError(status: status, code: error.code, message: error.message, field: error.field)
        }
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

    static func result(command: String, appended: AppendResult, types: [String], replayed: Bool) -> CommandResult {
        CommandResult(
            command: command, stream: appended.stream,
            events: zip(appended.events, types).map { event, type in
                .init(
                    eventId: event.eventId.lowercasedString, type: type, stream: appended.stream,
                    streamVersion: event.streamVersion, position: event.position, recordedAt: event.recordedAt)
            }, replayed: replayed)
    }

    static func translate(_ error: any Error) -> CommandError {
        if let error = error as? CommandError { return error }
        if let error = error as? EventStoreError {
            switch error.code {
            case .databaseUnavailable: return unavailable(error)
            case .wrongExpectedVersion:
                return CommandError(status: 409, code: error.code.rawValue, message: error.message, field: error.field)
            case .databaseError: return CommandError(status: 500, code: "internal_error", message: error.message)
            default: return CommandError(status: 422, code: error.code.rawValue, message: error.message, field: error.field)
            }
        }
        if let error = error as? PostgresError, error.isConnectionFailure || error.kind == .acquireTimeout {
            return unavailable(error)
        }
        return CommandError(status: 500, code: "internal_error", message: "\(error)")
    }

    static func unavailable(_ error: any Error) -> CommandError {
        CommandError(status: 503, code: "database_unavailable", message: "the database is unavailable; retry later (\(error))")
    }
}

/// Event ids derived from an idempotency key: the same key and body give the same ids.
struct IdempotentIds: Sendable {
    let scope: String
    let key: String
    let requestHash: Data

    func eventId(_ index: Int) -> UUID {
        var digest = Array(SHA256.hash(data: Data("\(scope)\n\(key)\n\(index)\n".utf8) + requestHash).prefix(16))
        digest[6] = (digest[6] & 0x0F) | 0x80  // version 8: custom
        digest[8] = (digest[8] & 0x3F) | 0x80  // RFC 9562 variant
        return UUID(uuid: (
            digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
            digest[8], digest[9], digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]))
    }
}
