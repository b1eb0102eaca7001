import EventStore
import Foundation
import Hummingbird
import Synchronization

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
        var pool: ConnectionUse
        var error: String?
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
        var database = Database(reachable: false, notificationsConnected: store.isListening, pool: store.connectionUse)
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
///
/// Not a task group: a group waits for every child, and database work blocked in libpq on
/// its thread does not stop when cancelled, so a server that accepts connections but never
/// answers would hold the caller for the whole connect timeout. Here the caller gets its
/// answer on time, and the abandoned work ends (or fails) on its own.
func withTimeout<T: Sendable>(_ duration: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let pending = Mutex<CheckedContinuation<T, any Error>?>(continuation)
        let finish: @Sendable (Result<T, any Error>) -> Void = { result in
            pending.withLock { waiting in defer { waiting = nil }; return waiting }?.resume(with: result)
        }
        let timer = Task {
            guard (try? await Task.sleep(for: duration)) != nil else { return }
            finish(.failure(TimeoutError(duration: duration)))
        }
        Task {
            do { finish(.success(try await body())) } catch { finish(.failure(error)) }
            timer.cancel()
        }
    }
}
