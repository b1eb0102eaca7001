import EventStore
import Foundation
import Logging
import Postgres

/// Runs one projection: takes its lease, rebuilds its tables when their version changed,
/// catches up in batches and follows the log live, each batch in one transaction with the
/// checkpoint. Loses nothing and applies nothing twice: the checkpoint only moves with the
/// read model, and only while this worker owns the lease.
struct ProjectionWorker: Sendable {
    let projection: any Projection
    let files: SchemaFiles
    let store: EventStore
    let client: PostgresClient
    let owner: String
    let options: ProjectionOptions
    let logger: Logger

    var table: ProjectionTable { ProjectionTable(client: client, files: files) }
    var name: String { projection.name }

    /// Works until the task is cancelled, then hands the lease back.
    func run() async {
        var failures = 0
        let outage = OutageLog(
            failure: "projection interrupted; retrying", recovery: "projection running again", logger: logger)
        let tag: Logger.Metadata = ["loopline.projection": "\(name)"]
        while !Task.isCancelled {
            do {
                if let claim = try await table.claim(name, version: projection.version, owner: owner, lease: options.lease) {
                    failures = 0
                    outage.recovered(metadata: tag)
                    try await own(claim)
                }
            } catch is CancellationError {
                break
            } catch let lost as ProjectionLeaseLost {
                logger.info("projection taken over by another worker", metadata: ["loopline.projection": "\(lost.name)"])
            } catch {
                failures += 1
                outage.failed(error, metadata: tag)
            }
            let backoff = failures == 0 ? options.claimEvery : .milliseconds(min(5000, 100 << min(failures, 6)))
            try? await Task.sleep(for: backoff)
        }
        // An unstructured task: this one is cancelled, the hand-back must still run.
        let (table, name, owner) = (table, name, owner)
        await Task { try? await table.release(name, owner: owner) }.value
    }

    /// Holds the lease and applies events until the lease is lost, the projection fails, or
    /// the task is cancelled.
    private func own(_ claim: ProjectionTable.Claim) async throws {
        guard claim.version <= projection.version else {
            logger.warning(
                "projection tables are newer than this build; leaving them to a newer worker",
                metadata: ["loopline.projection": "\(name)", "loopline.version": "\(claim.version)"])
            try await table.release(name, owner: owner)
            try await Task.sleep(for: options.lease)
            return
        }
        var position = claim.position
        if claim.version < projection.version || !claim.hasSchema {
            logger.info("building projection tables", metadata: ["loopline.projection": "\(name)", "loopline.version": "\(projection.version)"])
            try await table.rebuild(projection, owner: owner)
            position = 0
        }
        logger.info("projection running", metadata: ["loopline.projection": "\(name)", "loopline.position": "\(position)"])
        let start = position
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await keepLease() }
            group.addTask { try await follow(from: start) }
            try await group.next()
            group.cancelAll()
        }
    }

    private func keepLease() async throws {
        while true {
            try await Task.sleep(for: options.renewEvery)
            do {
                guard try await table.renew(name, owner: owner, lease: options.lease) else {
                    throw ProjectionLeaseLost(name: name)
                }
            } catch let error where error.isTransientDatabaseFailure {
                continue  // the writes fail too; the lease outlasts a short outage
            }
        }
    }

    /// Applies the log from `start`, page by page, until cancelled or an event fails.
    private func follow(from start: Int64) async throws {
        var position = start
        let reading = EventSubscription.Options(batchSize: options.batchSize, pollInterval: options.pollInterval)
        while let page = try await store.nextPage(after: position, options: reading) {
            if let failure = try await apply(page, from: position) {
                logger.error("projection stopped at an event it cannot apply",
                    metadata: ["loopline.projection": "\(name)", "loopline.position": "\(failure.position)", "loopline.error": "\(failure.message)"])
                try await table.fail(name, owner: owner, error: failure)
                return
            }
            position = page.next
        }
    }

    /// Applies a page in one transaction. On an event that cannot be decoded or whose
    /// statements the database refuses, applies what comes before it and returns the failure.
    private func apply(_ page: LogPage, from position: Int64) async throws -> ProjectionFailure? {
        var writes: [ProjectionWrite] = []
        for recorded in page.events where projection.eventTypes.contains(recorded.type) {
            guard let event = try? ProjectedEvent(recorded) else { return try await applyOneByOne(page, from: position) }
            writes += projection.writes(for: event)
        }
        let statements = WritePlan.statements(writes)
        do {
            try await commit(statements, from: position, to: page.next, recordedAt: page.events.last?.recordedAt)
            return nil
        } catch let error as PostgresError where error.kind == .server && !error.isConnectionFailure {
            return try await applyOneByOne(page, from: position)
        }
    }

    /// Applies a page one event per transaction, to find the one that cannot be decoded or
    /// that the database refuses; what comes before it is kept.
    private func applyOneByOne(_ page: LogPage, from start: Int64) async throws -> ProjectionFailure? {
        var position = start
        for recorded in page.events where projection.eventTypes.contains(recorded.type) {
            do {
                let event = try ProjectedEvent(recorded)
                try await commit(WritePlan.statements(projection.writes(for: event)), from: position, to: recorded.position, recordedAt: recorded.recordedAt)
                position = recorded.position
            } catch let error as PostgresError where error.kind != .server || error.isConnectionFailure || error.code == .projectionFenced {
                throw error
            } catch {
                return ProjectionFailure(position: recorded.position, eventId: recorded.eventId, type: recorded.type, message: "\(error)")
            }
        }
        try await commit([], from: position, to: page.next, recordedAt: page.events.last?.recordedAt)
        return nil
    }

    /// One transaction: the fenced checkpoint move first, then the read model's statements.
    private func commit(_ statements: [Statement], from: Int64, to: Int64, recordedAt: Date?) async throws {
        guard to > from else { return }
        let advance = ProjectionTable.advance(name, owner: owner, from: from, to: to, recordedAt: recordedAt, lease: options.lease)
        let searchPath = "\(name), public"
        do {
            _ = try await client.withConnection { connection in
                // Session-wide while the statements are prepared (before the pipeline runs),
                // then back to the default for the connection's next user.
                _ = try connection.query("SELECT set_config('search_path', $1, false)", [searchPath])
                defer { _ = try? connection.execute("RESET search_path") }
                return try connection.pipelinedTransaction([advance] + statements)
            }
        } catch let error as PostgresError where error.code == .projectionFenced {
            throw ProjectionLeaseLost(name: name)
        }
    }
}

extension PostgresError.Code {
    /// Raised by `projection_advance` when the writer no longer owns the projection.
    static let projectionFenced = PostgresError.Code(rawValue: "LL001")
}
