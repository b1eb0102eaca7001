import ArgumentParser
import Commands
import EventStore
import Foundation
import Lifecycle
import Logging
import Postgres
import Projections
import Server

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API, the JSON socket server and the projection workers until SIGINT or SIGTERM.")

    @OptionGroup var options: GlobalOptions

    @Option(help: "HTTP bind address HOST:PORT (default: $LOOPLINE_HTTP or 127.0.0.1:8080).")
    var http: String?

    @Option(help: "Socket server TCP address HOST:PORT, or none (default: $LOOPLINE_SOCKET or 127.0.0.1:7411).")
    var socket: String?

    @Option(help: "Also serve the socket protocol on this Unix socket path (default: $LOOPLINE_UNIX_SOCKET).")
    var unixSocket: String?

    @Option(help: "Largest HTTP command body or webhook delivery in bytes.")
    var maxBodyBytes: Int = 1 << 20

    @OptionGroup var ingest: IngestOptions

    @Option(help: "The dashboard's files (default: $LOOPLINE_DASHBOARD_DIR, else beside the binary or in /usr/share/loopline/dashboard).")
    var dashboardDir: String?

    @Option(help: "Most database connections to hold.")
    var maxConnections: Int = 10

    @Option(help: "A streaming replica for the read routes: read models, stream reads, read-model exports (default: $LOOPLINE_READ_DATABASE_URL; none).")
    var readDatabaseURL: String?

    @Option(help: "Seconds a read with minPosition waits for the read side to apply it before answering 503.")
    var readWaitSeconds: Double = 5

    @Flag(inversion: .prefixedNo, help: "Run the projection workers in this process (or run them apart with `loopline work`).")
    var workers = true

    func validate() throws {
        guard (0...300).contains(readWaitSeconds) else { throw ValidationError("--read-wait-seconds must be from 0 to 300") }
    }

    func run() async throws {
        let logger = options.logger()
        let client = options.client(maxConnections: maxConnections, logger: logger)
        let readClient = readReplicaClient(logger: logger)
        try await Output.run {
            let configuration = try serverConfiguration()
            let files = try options.schemaFiles()
            let migrator = Migrator(client: client, migrations: files.migrations, logger: logger)
            try await migrator.requireUpToDate()
            let store = EventStore(client: client, logger: logger)
            let handler = CommandHandler(store: store, policy: ingest.policy(options.environment), logger: logger)
            let server = LooplineServer(
                configuration: configuration, store: store, migrator: migrator, handler: handler,
                workers: workers ? try ProjectionService(files: files, store: store, client: client, logger: logger) : nil,
                readStore: readClient.map { EventStore(client: $0, logger: logger) }, logger: logger)
            logger.info(
                "serving",
                metadata: [
                    "loopline.http": "\(configuration.http)", "loopline.socket": "\(configuration.socket.map { "\($0)" } ?? "off")",
                    "loopline.database": "\(client.configuration.targetDescription)",
                    "loopline.read_database": "\(readClient?.configuration.targetDescription ?? "the primary")",
                ])
            try await server.run()
        }
    }

    /// The replica's pool, as large as the primary's: the read routes hold its connections.
    private func readReplicaClient(logger: Logger) -> PostgresClient? {
        guard let url = readDatabaseURL ?? options.environment["LOOPLINE_READ_DATABASE_URL"], !url.isEmpty else { return nil }
        var configuration = options.clientConfiguration(maxConnections: maxConnections)
        configuration.conninfo = url
        configuration.applicationName += "-reads"
        return PostgresClient(configuration: configuration, logger: logger)
    }

    private func serverConfiguration() throws -> ServerConfiguration {
        let environment = options.environment
        do {
            let httpAddress = try ServerConfiguration.Address(parsing: http ?? environment["LOOPLINE_HTTP"] ?? "127.0.0.1:8080")
            let socketText = socket ?? environment["LOOPLINE_SOCKET"] ?? "127.0.0.1:7411"
            let socketAddress = socketText == "none" ? nil : try ServerConfiguration.Address(parsing: socketText)
            return ServerConfiguration(
                http: httpAddress, socket: socketAddress, unixSocket: unixSocket ?? environment["LOOPLINE_UNIX_SOCKET"],
                maximumBodyBytes: maxBodyBytes, secretsKeyFile: ingest.keyFile(environment),
                dashboardDirectory: dashboardDir ?? environment["LOOPLINE_DASHBOARD_DIR"], readWait: .milliseconds(Int64(readWaitSeconds * 1000)))
        } catch {
            throw EventStoreError(.invalidArgument, "\(error)", field: "http")
        }
    }
}
