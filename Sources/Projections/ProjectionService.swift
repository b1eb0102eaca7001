public import EventStore
import Foundation
public import Logging
public import Postgres
public import ServiceLifecycle

/// The projection workers of one process, as one `Service`: a worker per projection, each
/// owning its projection only while it holds the lease, so any number of processes can run
/// them against one database. On graceful shutdown each finishes its batch and hands its
/// lease back, so another process takes over at once.
public struct ProjectionService: Service {
    let projections: [any Projection]
    let files: SchemaFiles
    let store: EventStore
    let client: PostgresClient
    let options: ProjectionOptions
    let logger: Logger
    /// Names this process in `projections.owner`: host, pid and a random suffix.
    public let owner: String

    /// Throws `schema_mismatch` when a file of `schema/` that the projections or the analytics
    /// views are built from is missing: a broken install fails at start, not at its first rebuild.
    public init(
        projections: [any Projection] = ReadModels.all, files: SchemaFiles, store: EventStore, client: PostgresClient,
        options: ProjectionOptions = .init(), logger: Logger
    ) throws {
        try files.require(projections.flatMap(\.schemaFiles) + AnalyticsViews.files)
        self.projections = projections
        self.files = files
        self.store = store
        self.client = client
        self.options = options
        self.logger = logger
        self.owner = "\(ProcessInfo.processInfo.hostName)/\(getpid())/\(UUID().uuidString.prefix(8).lowercased())"
    }

    public func run() async throws {
        // Views over read models built by an older loopline, or never refreshed since.
        do { try await AnalyticsViews.refresh(files, client: client) } catch {
            logger.warning("analytics views not refreshed", metadata: ["loopline.error": "\(error)"])
        }
        logger.info("projection workers starting", metadata: ["loopline.owner": "\(owner)", "loopline.projections": "\(projections.map(\.name))"])
        // Cancelled on shutdown: a worker finishes the transaction it is in, then stops.
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for projection in projections {
                    let worker = ProjectionWorker(
                        projection: projection, files: files, store: store, client: client, owner: owner, options: options, logger: logger)
                    group.addTask { await worker.run() }
                }
            }
        }
    }
}
