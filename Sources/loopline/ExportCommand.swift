public import ArgumentParser
import EventStore
import Exports
import Foundation
import Postgres
import Projections
import Synchronization

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the log, a read model or the DORA table for analytics tools: streamed, consistent, incremental.",
        discussion: """
            NAME is events, dora, or a read model's dataset: \(AnalyticsDataset.all.map(\.name).joined(separator: ", ")).

            Examples:
              loopline export events --format csv --out events.csv --manifest events.manifest.json
              loopline export delivery-deployments --format jsonl --service checkout --from 2026-10-01 --out deployments.jsonl
              loopline export dora --format csv --bucket month --from 2026-01-01 --to 2026-11-01 > dora.csv

            With --manifest, an existing manifest says where the last export ended and only what came \
            after is exported (no gap, no duplicate, while commands keep arriving); the manifest is then \
            rewritten. Without it, a manifest is written beside --out as FILE.manifest.json. \
            See docs/exports.md for every column.
            """)

    @OptionGroup var options: GlobalOptions

    @Argument(help: "What to export: events, dora, or a dataset such as planning-stories.")
    var name: String

    @Option(help: "csv, jsonl, or cloudevents (events only).")
    var format: ExportFormat

    @Option(help: "Only what came after this log position: events after it, read-model rows changed after it (default: where --manifest says the last export ended).")
    var sincePosition: Int64?

    @Option(help: "From this time (ISO 8601, inclusive): event time for read models, recorded time for events.")
    var from: String?

    @Option(help: "Up to this time (ISO 8601, exclusive).")
    var to: String?

    @Option(help: "Only this service.")
    var service: String?

    @Option(help: "Only this team.")
    var team: String?

    @Option(name: .customLong("type"), help: "Only this event type (events only; repeatable).")
    var types: [String] = []

    @Option(help: "day, week or month (dora only; default week).")
    var bucket: String?

    @Option(help: "Write to this file instead of stdout ('-' is stdout).")
    var out: String?

    @Option(help: "The manifest of the previous export to continue from; rewritten after this one.")
    var manifest: String?

    func validate() throws {
        if sincePosition != nil, let manifest, FileManager.default.fileExists(atPath: manifest) {
            throw ValidationError("give --since-position or an existing --manifest, not both")
        }
    }

    func run() async throws {
        let logger = options.logger()
        let client = options.client(maxConnections: 2, logger: logger)
        try await Output.run {
            try await Migrator(client: client, migrations: try options.migrations(), logger: logger).requireUpToDate()
            var request = try self.request()
            if let previous = try previousManifest() { request.filters.since = try previous.continuation(for: request) }
            let destination = try ExportDestination(path: out)
            let progress = destination.path != nil && isatty(STDERR_FILENO) == 1 ? ExportProgress(name: name) : nil
            let write: Exporter.Write = { bytes in
                try destination.write(bytes)
                progress?.row()
            }
            let started: @Sendable (ExportManifest) -> Void = { manifest in progress?.start(manifest) }
            let exporter = Exporter(store: EventStore(client: client, logger: logger))
            let result = try await exporter.run(request, started: started, write: write)
            try destination.close()
            progress?.finish()
            if let manifestPath = manifest ?? destination.path.map({ $0 + ".manifest.json" }) {
                try Output.encoder.encode(result).write(to: URL(fileURLWithPath: manifestPath), options: .atomic)
            }
            if destination.path != nil { try Output.json(result) }
        }
        await client.close()
    }

    func request() throws -> ExportRequest {
        let times = QueryArguments(["from": from, "to": to].compactMapValues { $0 })
        do {
            return ExportRequest(
                name: name, format: format,
                filters: ExportFilters(
                    since: sincePosition, from: try times.time("from"), to: try times.time("to"), service: service, team: team,
                    types: types, bucket: bucket))
        } catch let error as QueryError {
            throw ValidationError("--\(error.field ?? "from"): \(error.message)")
        }
    }

    /// The previous export's manifest, from --manifest when the file exists.
    func previousManifest() throws -> ExportManifest? {
        guard let manifest, FileManager.default.fileExists(atPath: manifest) else { return nil }
        do {
            return try Output.decoder.decode(ExportManifest.self, from: Data(contentsOf: URL(fileURLWithPath: manifest)))
        } catch {
            throw ValidationError("\(manifest) is not an export manifest: \(error)")
        }
    }
}

extension ExportFormat: ExpressibleByArgument {}

/// The progress of an export to a file, on a terminal: rows written, of those expected when
/// that is known (the log's positions; a read model's size is not known ahead).
final class ExportProgress: Sendable {
    private let bar: ProgressBar
    private let state = Mutex<(rows: Int64, total: Int64, started: ContinuousClock.Instant)>((0, 0, .now))

    init(name: String) { bar = ProgressBar(label: "export \(name)", unit: "rows") }

    @Sendable func start(_ manifest: ExportManifest) {
        let total = manifest.export == "events" ? manifest.throughPosition - manifest.afterPosition : 0
        state.withLock { $0 = (0, total, .now) }
    }

    func row() {
        let (rows, total, started) = state.withLock { state in
            state.rows += 1
            return (state.rows, state.total, state.started)
        }
        if rows % 1024 == 0 { bar.update(done: rows, total: total, elapsed: .now - started) }
    }

    func finish() {
        let (rows, _, started) = state.withLock { $0 }
        bar.finish(done: rows, total: 0, elapsed: .now - started)
    }
}
