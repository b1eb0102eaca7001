import ArgumentParser
import EventStore
import Foundation
import Logging
import Postgres

/// Options every subcommand takes: where the database is, where the schema files are, how
/// much to log.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: "libpq conninfo or postgresql:// URL (default: $LOOPLINE_DATABASE_URL, else the PG* variables).")
    var databaseURL: String?

    @Option(help: "Directory of the SQL files: migrations, tables/, indexes/, functions/, views/ (default: $LOOPLINE_SCHEMA_DIR, else ./schema, else next to the binary).")
    var schemaDir: String?

    @Option(help: "Log level on stderr: trace, debug, info, notice, warning, error, critical (default: $LOOPLINE_LOG_LEVEL or info).")
    var logLevel: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// Logs go to stderr: stdout carries only JSON.
    private static let bootstrapLogging: Void = LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }

    func logger(_ label: String = "loopline") -> Logger {
        Self.bootstrapLogging
        var logger = Logger(label: label)
        let level = logLevel ?? environment["LOOPLINE_LOG_LEVEL"] ?? "info"
        logger.logLevel = Logger.Level(rawValue: level.lowercased()) ?? .info
        return logger
    }

    func clientConfiguration(maxConnections: Int) -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration.fromEnvironment(environment)
        if let databaseURL { configuration.conninfo = databaseURL }
        configuration.maxConnections = maxConnections
        return configuration
    }

    /// A client for a short command; the caller closes it.
    func client(maxConnections: Int = 2, logger: Logger) -> PostgresClient {
        PostgresClient(configuration: clientConfiguration(maxConnections: maxConnections), logger: logger)
    }

    /// The files of the first schema directory that exists: migrations and object files.
    func schemaFiles() throws -> SchemaFiles {
        try SchemaFiles.load(from: try schemaDirectory())
    }

    /// The migrations, from the first schema directory that exists.
    func migrations() throws -> [Migration] {
        try schemaFiles().migrations
    }

    private func schemaDirectory() throws -> URL {
        if let explicit = schemaDir ?? environment["LOOPLINE_SCHEMA_DIR"] {
            return URL(fileURLWithPath: explicit)
        }
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("schema")]
        // From .build/<triple>/<config>/loopline up to the package, and /usr/share for installs.
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent("schema"))
            candidates.append(directory.appendingPathComponent("share/loopline/schema"))
            directory.deleteLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: "/usr/share/loopline/schema"))
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.appendingPathComponent("0001_events.sql").path) })
        else {
            throw EventStoreError(.schemaMismatch, "cannot find the schema directory; pass --schema-dir or set LOOPLINE_SCHEMA_DIR")
        }
        return found
    }
}
