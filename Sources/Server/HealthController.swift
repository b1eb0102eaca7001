import EventStore
import Foundation
import Hummingbird
import Postgres

/// `GET /health`: is the service able to do its job, and what does the database look like.
struct HealthController: Sendable {
    /// The longest a health check waits for the database before calling it unavailable.
    static let timeout: Duration = .seconds(2)

    let store: EventStore
    let migrator: Migrator

    struct Health: Encodable, Sendable {
        var status: String
        var database: Database
    }

    struct Database: Encodable, Sendable {
        var reachable: Bool
        var schemaVersion: Int?
        var schemaUpToDate: Bool?
        var headPosition: Int64?
        var notificationsConnected: Bool
        var pool: Pool
        var error: String?
    }

    struct Pool: Encodable, Sendable {
        var size: Int, inUse: Int, idle: Int, waiting: Int, acquireTimeouts: Int
    }

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("health") { _, _ in try await health() }
        router.get("ready") { _, _ in try await ready() }
    }

    /// Ready to serve: the database answers and its schema is up to date.
    func ready() async throws -> Response {
        do {
            let schema = try await withTimeout(Self.timeout) { [migrator] in try await migrator.status() }
            guard schema.isUpToDate else {
                return try JSONResponse.make(["status": "not_ready", "reason": "schema not migrated"], status: .serviceUnavailable)
            }
            return try JSONResponse.make(["status": "ready"])
        } catch {
            return try JSONResponse.make(["status": "not_ready", "reason": "\(error)"], status: .serviceUnavailable)
        }
    }

    func health() async throws -> Response {
        let statistics = store.client.statistics
        var database = Database(
            reachable: false, notificationsConnected: store.isListening,
            pool: Pool(
                size: statistics.size, inUse: statistics.inUse, idle: statistics.idle, waiting: statistics.waiting,
                acquireTimeouts: statistics.acquireTimeouts))
        do {
            let (schema, head) = try await withTimeout(Self.timeout) { [store, migrator] in
                (try await migrator.status(), try await store.headPosition())
            }
            database.reachable = true
            database.schemaVersion = schema.currentVersion
            database.schemaUpToDate = schema.isUpToDate
            database.headPosition = head
        } catch {
            database.error = "\(error)"
        }
        let healthy = database.reachable && database.schemaUpToDate == true
        return try JSONResponse.make(
            Health(status: healthy ? "ok" : "unavailable", database: database),
            status: healthy ? .ok : .serviceUnavailable)
    }
}

struct TimeoutError: Error, CustomStringConvertible {
    var duration: Duration
    var description: String { "no answer within \(duration)" }
}

/// Runs `body`, giving up after `duration`.
func withTimeout<T: Sendable>(_ duration: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: duration)
            throw TimeoutError(duration: duration)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
