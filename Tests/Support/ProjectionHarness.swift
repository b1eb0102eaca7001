public import Commands
public import EventStore
public import Foundation
import Logging
import Postgres
public import Projections
import ServiceLifecycle

/// Runs commands through the real handler and projection workers against a test database,
/// and waits for the read models to catch up.
public struct ProjectionHarness: Sendable {
    public let db: TestDatabase
    public let handler: CommandHandler
    /// The schema files the workers build from (`schema/`, or more for a test's own projection).
    public let files: SchemaFiles
    public static let caller = (id: "00000000-0000-4000-8000-000000000001", name: "test")
    public static let fast = ProjectionOptions(batchSize: 100, lease: .seconds(2), renewEvery: .milliseconds(300), claimEvery: .milliseconds(100), pollInterval: .milliseconds(200))

    public init(_ db: TestDatabase, files: SchemaFiles = TestEnvironment.schemaFiles) {
        self.db = db
        self.files = files
        self.handler = CommandHandler(store: db.store, logger: TestEnvironment.logger())
    }

    /// Sends a command; a refusal is thrown with what was refused, failing the test.
    @discardableResult
    public func send(_ name: String, _ json: String) async throws -> CommandResult {
        do {
            return try await handler.handle(name: name, body: Data(json.utf8), idempotencyKey: nil, caller: Self.caller)
        } catch {
            throw SubprocessError(message: "\(name) refused: \(error.code): \(error.message)")
        }
    }

    /// Runs `projections` (and the store's notification relay) while `body` runs.
    public func withWorkers<T: Sendable>(
        _ projections: [any Projection] = ReadModels.all, options: ProjectionOptions = Self.fast,
        _ body: (ProjectionService) async throws -> T
    ) async throws -> T {
        let service = try ProjectionService(
            projections: projections, files: files, store: db.store, client: db.client, options: options, logger: TestEnvironment.logger())
        return try await db.withStoreRunning {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await service.run() }
                defer { group.cancelAll() }
                return try await body(service)
            }
        }
    }

    /// Waits until every one of `projections` has applied the whole log at its current
    /// version (at most 30 s).
    public func caughtUp(_ projections: [any Projection] = ReadModels.all) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let statuses = try await ProjectionStatus.all(projections, client: db.client)
            let current = zip(statuses, projections).allSatisfy { status, projection in
                status.state == "running" && status.lagEvents == 0 && status.version == projection.version
            }
            if current { return }
            if let failed = statuses.first(where: { $0.state == "failed" }) {
                throw SubprocessError(message: "projection \(failed.name) failed: \(failed.lastError.map { "\($0)" } ?? "?")")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw SubprocessError(message: "projections did not catch up within 30 s")
    }

    /// Runs a read-model query and parses its JSON answer.
    public func query(_ stage: String, _ name: String, _ arguments: [String: String] = [:]) async throws -> [String: Any] {
        let json = try await ReadModelQueries.find(stage: stage, name: name).run(QueryArguments(arguments), client: db.client)
        guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw SubprocessError(message: "\(stage)/\(name) answered no JSON object: \(json)")
        }
        return object
    }
}
