public import EventStore
public import Foundation
import JSON
public import Lifecycle
public import Logging

/// Turns commands into events: decode, load the stream's state, decide, append with the
/// version it decided on, retry a bounded number of times when another writer got there first.
///
/// With an idempotency key, the same key and body answer with the outcome stored the first
/// time, and the events get ids derived from the key, so even a retry after a crash between
/// append and record cannot write twice (see `CommandHandler+Idempotency.swift`).
public final class CommandHandler: Sendable {
    /// Attempts before a command that keeps losing the race to other writers gives up.
    public let maximumAttempts: Int
    public let policy: Policy
    let store: any CommandStore
    private let states = StreamStateCache()
    let logger: Logger

    public init(store: some CommandStore, policy: Policy = Policy(), logger: Logger, maximumAttempts: Int = 10) {
        self.store = store
        self.policy = policy
        self.logger = logger
        self.maximumAttempts = maximumAttempts
    }

    /// Handles one command. `caller` identifies the token, for metadata and to scope
    /// idempotency keys: `(id, name)`; the id is a UUID.
    public func handle(
        name: String, body: Data, idempotencyKey: String?, caller: (id: String, name: String), now: Date = Date()
    ) async throws(CommandError) -> CommandResult {
        let command = try Self.decode(name: name, body: body)
        guard let key = idempotencyKey else {
            return try await execute(command, caller: caller, ids: nil, now: now)
        }
        return try await handle(command, key: key, body: body, caller: caller, now: now)
    }

    /// Handles one command whose event ids derive from `eventIdKey` (and the body), with no
    /// idempotency record: for callers that dedupe by other means (ingest claims each delivery)
    /// and need only that a second run cannot write twice. A second run finds its events by
    /// their ids (the store answers a duplicate append with the original) or is refused as
    /// already done by the decider.
    public func handle(
        name: String, body: Data, eventIdKey: String, caller: (id: String, name: String), now: Date = Date()
    ) async throws(CommandError) -> CommandResult {
        let command = try Self.decode(name: name, body: body)
        let key = IdempotencyKey(scope: caller.id, key: eventIdKey, requestHash: Self.requestHash(command.name, body))
        return try await execute(command, caller: caller, ids: IdempotentIds(key: key), now: now)
    }

    // MARK: - Executing

    func execute(
        _ command: Command, caller: (id: String, name: String), ids: IdempotentIds?, now: Date
    ) async throws(CommandError) -> CommandResult {
        let stream = try Self.streamName(command.streamId)
        let metadata = Self.metadata(command: command.name, token: caller.name, key: ids?.key.key)
        var attempts = CommandAttempts(maximum: maximumAttempts, stream: command.streamId)
        while true {
            // Most commands start or continue a stream this process knows: they skip the read.
            let current =
                attempts.readsFresh ? try await state(of: command.streamId) : states[command.streamId] ?? .init(state: .empty, version: 0)
            let related = try await relatedStates(command.relatedStreamIds)
            let decided: [DomainEvent]
            do {
                decided = try Decider.decide(command, state: current.state, related: related, now: now, policy: policy)
            } catch {
                try await next(attempts.refused(error))
                continue
            }
            let events = try Self.newEvents(decided, ids: ids, metadata: metadata)
            do {
                let appended = try await store.append(events, to: stream, expected: .exact(current.version))
                remember(decided, on: current, appended: appended, stream: command.streamId)
                return Self.result(command: command.name, appended: appended, types: events.map(\.type), replayed: appended.duplicate)
            } catch let error as EventStoreError where error.code == .wrongExpectedVersion {
                states.forget(command.streamId)
                logger.debug(
                    "command lost a race; deciding again",
                    metadata: ["loopline.stream": "\(command.streamId)", "loopline.attempt": "\(attempts.attempt)"])
                try await next(attempts.conflicted())
            } catch {
                throw CommandError(handling: error)
            }
        }
    }

    /// Carries out the retry rule's verdict: pause and return to decide again, or throw.
    private func next(_ next: CommandAttempts.Next) async throws(CommandError) {
        switch next {
        case .fail(let error): throw error
        case .retry(let pause?): try? await Task.sleep(for: .microseconds(Int.random(in: pause)))
        case .retry(nil): return
        }
    }

    /// Caches the stream's state after a landed append (a replayed one tells nothing new).
    private func remember(_ decided: [DomainEvent], on current: StreamStateCache.Entry, appended: AppendResult, stream: String) {
        guard !appended.duplicate else { return }
        let state = decided.reduce(current.state, Decider.evolve)
        states.store(.init(state: state, version: appended.streamVersion), for: stream)
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
        let name = try Self.streamName(stream)
        while true {
            let events: [RecordedEvent]
            do {
                events = try await store.read(stream: name, afterVersion: entry.version, limit: 1000)
            } catch {
                throw CommandError(handling: error)
            }
            for recorded in events { try Self.evolve(&entry, recorded) }
            if events.count < 1000 { break }
        }
        states.store(entry, for: stream)
        return entry
    }

    private static func evolve(_ entry: inout StreamStateCache.Entry, _ recorded: RecordedEvent) throws(CommandError) {
        entry.version = recorded.streamVersion
        do {
            let event = try DomainEvent.decode(
                type: recorded.type, schemaVersion: recorded.schemaVersion, data: Data(recorded.data.utf8))
            entry.state = Decider.evolve(entry.state, event)
        } catch let error as DomainError where error.code == "unknown_event_type" {
            // Appended outside the catalogue (e.g. `loopline append`): not part of the decision.
        } catch {
            throw CommandError(
                status: 500, code: "undecodable_event",
                message: "event \(recorded.eventId.uuidString.lowercased()) at \(recorded.stream) version \(recorded.streamVersion) cannot be read: \(error)")
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

    static func streamName(_ id: String) throws(CommandError) -> StreamName {
        do { return try StreamName(id) } catch {
            throw CommandError(status: 422, code: "invalid_field", message: error.message, field: nil)
        }
    }

    static func metadata(command: String, token: String, key: String?) -> String {
        var metadata = #"{"command":\#(JSONText.quoted(command)),"token":\#(JSONText.quoted(token))"#
        if let key { metadata += #","idempotencyKey":\#(JSONText.quoted(key))"# }
        return metadata + "}"
    }

    static func newEvents(_ decided: [DomainEvent], ids: IdempotentIds?, metadata: String) throws(CommandError) -> [NewEvent] {
        try decided.enumerated().map { index, event throws(CommandError) in
            do {
                return NewEvent.encoded(
                    id: ids?.eventId(index) ?? .version7(), type: event.type, schemaVersion: event.schemaVersion,
                    data: try event.encodedData(), metadata: metadata)
            } catch {
                throw CommandError(status: 500, code: "internal_error", message: "could not encode \(event.type): \(error)")
            }
        }
    }

    static func result(command: String, appended: AppendResult, types: [String], replayed: Bool) -> CommandResult {
        CommandResult(
            command: command, stream: appended.stream,
            events: zip(appended.events, types).map { event, type in
                .init(
                    eventId: event.eventId.uuidString.lowercased(), type: type, stream: appended.stream,
                    streamVersion: event.streamVersion, position: event.position, recordedAt: event.recordedAt)
            }, replayed: replayed)
    }
}
