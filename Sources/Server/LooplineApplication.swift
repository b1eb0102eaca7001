public import Access
import Dashboard
public import Commands
public import EventStore
import Exports
public import Hummingbird
public import Ingest
public import Logging
public import NIOCore
public import Projections

/// Everything `loopline serve` runs: the HTTP API and the JSON socket server over one command
/// handler and one event store, and the services they need, in shutdown order.
public struct LooplineServer: Sendable {
    public let configuration: ServerConfiguration
    public let store: EventStore
    public let handler: CommandHandler
    public let tokens: TokenStore
    /// Webhooks from the tools a team runs, through `handler`.
    public let ingest: IngestPipeline
    /// The projection workers this process runs, if any.
    public let workers: ProjectionService?
    /// A store over a streaming replica for the read routes (see `ReadSide`), if one is
    /// configured; only its client runs.
    public let readStore: EventStore?
    let reads: ReadSide
    let migrator: Migrator
    let metrics: ServerMetrics
    let dashboard: DashboardRoutes
    let logger: Logger

    public init(
        configuration: ServerConfiguration, store: EventStore, migrator: Migrator, handler: CommandHandler,
        workers: ProjectionService? = nil, readStore: EventStore? = nil, logger: Logger
    ) {
        self.configuration = configuration
        self.store = store
        self.readStore = readStore
        self.reads = ReadSide(store: readStore ?? store, primary: store, isReplica: readStore != nil, projections: ReadModels.all, wait: configuration.readWait)
        self.migrator = migrator
        self.handler = handler
        self.workers = workers
        self.tokens = TokenStore(client: store.client)
        self.ingest = IngestPipeline(
            sources: SourceStore(store: store, keyFile: configuration.secretsKeyFile), deliveries: DeliveryStore(store: store),
            handler: handler, logger: logger)
        self.metrics = ServerMetrics(store: store)
        self.logger = logger
        do {
            dashboard = DashboardRoutes(assets: try DashboardAssets.load(from: configuration.dashboardDirectory), missing: "")
        } catch {
            logger.warning("the dashboard is not served", metadata: ["loopline.reason": "\(error)"])
            dashboard = DashboardRoutes(assets: nil, missing: "\(error)")
        }
    }

    /// The application. `onHTTPBound` and `onSocketBound` receive the bound addresses (useful
    /// with port 0).
    public func application(
        onHTTPBound: @escaping @Sendable (any Channel) async -> Void = { _ in },
        onSocketBound: @escaping @Sendable (SocketAddress) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let socketServer = SocketServer(
            configuration: configuration, handler: handler, store: store, tokens: tokens, metrics: metrics, logger: logger,
            onBound: onSocketBound)
        return Application(
            router: router(),
            configuration: .init(
                address: .hostname(configuration.http.host, port: configuration.http.port), serverName: "loopline"),
            // Services stop in reverse order: HTTP server first, then the socket server, the
            // projection workers, the relay, and the database pools last.
            services: [store.client] + (readStore.map { [$0.client] } ?? []) + [store] + (workers.map { [$0] } ?? []) + [socketServer],
            onServerRunning: onHTTPBound,
            logger: logger)
    }

    /// Runs until SIGINT or SIGTERM, then shuts down gracefully: the servers stop accepting,
    /// in-flight requests finish, subscriptions end, the pool closes.
    public func run() async throws {
        try await application().runService()
    }

    func router() -> Router<LooplineRequestContext> {
        let router = Router(context: LooplineRequestContext.self)
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: MethodNotAllowedMiddleware([
            ("", [.get, .head]), ("ui/{file}", [.get, .head]), ("ui/{folder}/{file}", [.get, .head]), ("health", [.get, .head]), ("ready", [.get, .head]), ("metrics", [.get, .head]), ("v1/commands", [.post]), ("v1/commands/{name}", [.post]),
            ("v1/events", [.get, .head]), ("v1/events/stream", [.get]), ("v1/streams/{stream}", [.get, .head]),
            ("v1/stages/{stage}/{query}", [.get, .head]), ("v1/projections", [.get, .head]), ("v1/dora", [.get, .head]),
            ("v1/value-stream/stories/{id}", [.get, .head]), ("v1/exports/{file}", [.get, .head]),
            ("v1/ingest/{kind}/{source}", [.post]), ("v1/sources", [.get, .head, .post]),
            ("v1/sources/{name}", [.get, .head, .patch, .delete]), ("v1/sources/{name}/rotate-secret", [.post]),
            ("v1/deliveries", [.get, .head]), ("v1/deliveries/retry-dead", [.post]), ("v1/deliveries/{id}", [.get, .head]),
            ("v1/deliveries/{id}/retry", [.post]),
        ]))
        HealthController(store: store, migrator: migrator).addRoutes(to: router)
        dashboard.addRoutes(to: router)
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        CommandRoutes(handler: handler, maximumBodyBytes: configuration.maximumBodyBytes, metrics: metrics, logger: logger)
            .addRoutes(to: router.group("v1").add(middleware: AuthMiddleware(tokens: tokens, scope: .ingest)))
        IngestRoutes(pipeline: ingest, tokens: tokens, maximumBodyBytes: configuration.maximumBodyBytes, metrics: metrics)
            .addRoutes(to: router.group("v1"))
        SourceRoutes(pipeline: ingest).addRoutes(to: router.group("v1").add(middleware: AuthMiddleware(tokens: tokens, scope: .admin)))
        let reading = router.group("v1").add(middleware: AuthMiddleware(tokens: tokens, scope: .read))
        EventRoutes(store: store, reads: reads).addRoutes(to: reading)
        EventStreamRoutes(store: store, heartbeat: configuration.streamHeartbeat).addRoutes(to: reading)
        ReadModelRoutes(reads: reads, projections: ReadModels.all).addRoutes(to: reading)
        ExportRoutes(exporter: Exporter(store: store, readStore: readStore)).addRoutes(to: reading)
        return router
    }
}
