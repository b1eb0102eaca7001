import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import Projections

/// Where the read routes read: the primary, or a streaming replica when
/// `LOOPLINE_READ_DATABASE_URL` is set; and read-your-writes on request.
///
/// What goes to the replica: the read models (stages, DORA, value stream, projection
/// status), one stream's events and the read-model exports. What stays on the primary: commands
/// and projection workers (they write), and reads of the whole log in position order
/// (`/v1/events`, the live stream, socket `read`/`subscribe`, exports of the log). Those are
/// gap-free only because a reader can see every transaction that holds a position it has not
/// seen; a standby learns of a primary transaction only once it writes WAL, so on a standby a
/// position taken but not yet written could be skipped for good.
struct ReadSide: Sendable {
    /// The replica's store, or the primary's: its client runs the read-model queries; it is
    /// never appended to.
    let store: EventStore
    /// The primary's: what has been acknowledged.
    let primary: EventStore
    let isReplica: Bool
    /// The read models this build serves: each must have applied a `minPosition`.
    let projections: [any Projection]
    /// How long a read with `minPosition` waits before answering 503.
    let wait: Duration

    static let header = HTTPField.Name("Loopline-Min-Position")!
    static let parameter = "minPosition"

    /// `?minPosition=P` or `Loopline-Min-Position: P`, when the request carries one. A
    /// position past the primary's head was never in a command's answer: waiting for it could
    /// only time out, so it is refused at once.
    func minimumPosition(_ request: Request) async throws -> Int64? {
        guard let text = request.uri.queryParameters.get(Self.parameter) ?? request.headers[Self.header] else { return nil }
        guard let position = Int64(text), position >= 0 else {
            throw APIError.badRequest(
                "invalid_parameter", "\(Self.parameter) must be a log position (0 or more), not \"\(text)\"", field: Self.parameter)
        }
        let head = try await primary.headPosition()
        guard position <= head else {
            throw APIError.badRequest(
                "invalid_parameter", "\(Self.parameter) \(position) is past the log's head (\(head)): no command has answered with it",
                field: Self.parameter)
        }
        return position
    }

    /// Returns once every read model on this side has applied `request`'s `minPosition` (a
    /// command's answer carries the positions of its events); 503 after `wait`.
    func awaitReadModels(_ request: Request) async throws {
        guard let position = try await minimumPosition(request), position > 0 else { return }
        try await awaitTrue(code: isReplica ? "replica_lagging" : "read_model_lagging") {
            try await ProjectionStatus.allApplied(position, projections, client: store.client)
        } message: {
            "the read models \(isReplica ? "on the read replica " : "")have not applied position \(position) within \(wait); retry"
        }
    }

    /// Returns once the event at `request`'s `minPosition` is visible on this side (the
    /// primary has every acknowledged event already).
    func awaitEvent(_ request: Request) async throws {
        guard let position = try await minimumPosition(request), position > 0, isReplica else { return }
        try await awaitTrue(code: "replica_lagging") {
            try await store.contains(position: position)
        } message: {
            "the read replica has not replayed position \(position) within \(wait); retry"
        }
    }

    /// Polls `holds` every few milliseconds until it is true or `wait` has passed. A table
    /// that does not exist yet counts as not yet: a new replica may not have replayed the
    /// migrations.
    private func awaitTrue(code: String, _ holds: () async throws -> Bool, message: () -> String) async throws {
        let deadline = ContinuousClock.now + wait
        while true {
            do {
                if try await holds() { return }
            } catch let error as EventStoreError where error.code == .missingRelation {}
            guard ContinuousClock.now < deadline else {
                throw APIError(status: .serviceUnavailable, code: code, message: message(), headers: [.retryAfter: "1"])
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
