import Commands
import EventStore
import Foundation
import Synchronization

/// An in-memory `CommandStore` with the log's rules (expected versions, idempotent ids, key
/// claims) and knobs for the failures the handler must survive: rival writers, an unreachable
/// database, a crash between append and recording the outcome.
final class FakeCommandStore: CommandStore {
    struct State {
        var streams: [String: [RecordedEvent]] = [:]
        var keys: [String: (hash: Data, status: Int?, response: Data?)] = [:]
        var position: Int64 = 0
        /// Appends a rival writer lands just before each of ours, while this is above 0.
        var rivalAppends = 0
        var appendFailure: EventStoreError?
        var recordFailure: EventStoreError?
        var appendCalls = 0
        var readCalls = 0
    }

    let state = Mutex(State())

    func update<T: Sendable, E: Error>(_ body: (inout State) throws(E) -> T) throws(E) -> T {
        try state.withLock { (state: inout State) throws(E) -> T in try body(&state) }
    }

    var appendCalls: Int { update { $0.appendCalls } }
    var readCalls: Int { update { $0.readCalls } }
    func events(in stream: String) -> [RecordedEvent] { update { $0.streams[stream] ?? [] } }

    func append(_ events: [NewEvent], to stream: StreamName, expected: ExpectedVersion) async throws -> AppendResult {
        try update { state throws(EventStoreError) in
            state.appendCalls += 1
            if let failure = state.appendFailure { throw failure }
            if state.rivalAppends > 0 {
                state.rivalAppends -= 1
                Self.record([NewEvent(type: "RivalNote")], in: stream.rawValue, &state)
            }
            let existing = state.streams[stream.rawValue] ?? []
            let ids = Set(existing.map(\.eventId))
            if events.allSatisfy({ ids.contains($0.id) }) {
                let originals = existing.filter { event in events.contains { $0.id == event.eventId } }
                return AppendResult(stream: stream.rawValue, events: originals.map(Self.appended), duplicate: true)
            }
            guard case .exact(let version) = expected, Int64(existing.count) == version else {
                throw EventStoreError(
                    .wrongExpectedVersion, "stream \(stream) is at \(existing.count)", actualVersion: Int64(existing.count))
            }
            let recorded = Self.record(events, in: stream.rawValue, &state)
            return AppendResult(stream: stream.rawValue, events: recorded.map(Self.appended), duplicate: false)
        }
    }

    func read(stream: StreamName, afterVersion: Int64, limit: Int) async throws -> [RecordedEvent] {
        update { state in
            state.readCalls += 1
            return Array((state.streams[stream.rawValue] ?? []).filter { $0.streamVersion > afterVersion }.prefix(limit))
        }
    }

    func events(withIds ids: [UUID]) async throws -> [RecordedEvent] {
        let wanted = Set(ids)
        return update { state in state.streams.values.joined().filter { wanted.contains($0.eventId) }.sorted { $0.position < $1.position } }
    }

    func claim(_ key: IdempotencyKey, eventIds: [UUID]) async throws(EventStoreError) -> IdempotencyClaim {
        update { state in
            let name = key.scope + "\n" + key.key
            guard let earlier = state.keys[name] else {
                state.keys[name] = (key.requestHash, nil, nil)
                return .fresh
            }
            guard earlier.hash == key.requestHash else { return .reused }
            if let status = earlier.status, let response = earlier.response { return .finished(status: status, response: response) }
            let wanted = Set(eventIds)
            let recorded = state.streams.values.joined().filter { wanted.contains($0.eventId) }.sorted { $0.position < $1.position }
            return .unfinished(recorded: recorded)
        }
    }

    func recordOutcome(_ key: IdempotencyKey, status: Int, response: Data) async throws(EventStoreError) {
        try update { state throws(EventStoreError) in
            if let failure = state.recordFailure { throw failure }
            state.keys[key.scope + "\n" + key.key] = (key.requestHash, status, response)
        }
    }

    @discardableResult
    private static func record(_ events: [NewEvent], in stream: String, _ state: inout State) -> [RecordedEvent] {
        events.map { event in
            state.position += 1
            let recorded = RecordedEvent(
                position: state.position, eventId: event.id, stream: stream,
                streamVersion: Int64(state.streams[stream, default: []].count + 1), type: event.type,
                schemaVersion: event.schemaVersion, data: event.data, metadata: event.metadata, recordedAt: Date())
            state.streams[stream, default: []].append(recorded)
            return recorded
        }
    }

    private static func appended(_ event: RecordedEvent) -> AppendedEvent {
        AppendedEvent(eventId: event.eventId, streamVersion: event.streamVersion, position: event.position, recordedAt: event.recordedAt)
    }
}
