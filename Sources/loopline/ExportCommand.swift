public import ArgumentParser
import EventStore
import Exports
import Foundation
import Postgres
import Synchronization

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export data for analytics tools: the log as CSV or JSON Lines, streamed, consistent, incremental.",
        subcommands: [Events.self])

    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "events",
            abstract: "Export the events after a position up to the log's safe head, as CSV (RFC 4180) or JSON Lines.",
            discussion: """
                Example: loopline export events --format csv --out events.csv --manifest events.manifest.json

                With --manifest, an existing manifest says where the last export ended and only what came \
                after is exported (no gap, no duplicate, while commands keep arriving); the manifest is then \
                rewritten. Without it, a manifest is written beside --out as FILE.manifest.json.
                """)

        @OptionGroup var options: GlobalOptions

        @Option(help: "csv or jsonl.")
        var format: EventExport.Format

        @Option(help: "Export the events after this position (default 0, or where --manifest says the last export ended).")
        var sincePosition: Int64?

        @Option(name: .customLong("type"), help: "Only this event type (repeatable).")
        var types: [String] = []

        @Option(help: "Write to this file instead of stdout ('-' is stdout).")
        var out: String?

        @Option(help: "The manifest of the previous export to continue from; rewritten after this one.")
        var manifest: String?

        func validate() throws {
            if let sincePosition, sincePosition < 0 { throw ValidationError("--since-position must be 0 or more") }
            if sincePosition != nil, let manifest, FileManager.default.fileExists(atPath: manifest) {
                throw ValidationError("give --since-position or an existing --manifest, not both")
            }
        }

        func run() async throws {
            let logger = options.logger()
            let client = options.client(maxConnections: 2, logger: logger)
            try await Output.run {
                try await Migrator(client: client, migrations: try options.migrations(), logger: logger).requireUpToDate()
                let since = try sincePosition ?? previousEnd() ?? 0
                let destination = try Destination(path: out)
                let result = try await EventExport(format: format, since: since, types: types).run(
                    store: EventStore(client: client, logger: logger), client: client, write: destination.write)
                try destination.close()
                let manifestPath = manifest ?? destination.path.map { $0 + ".manifest.json" }
                if let manifestPath {
                    try Output.encoder.encode(result).write(to: URL(fileURLWithPath: manifestPath), options: .atomic)
                }
                if destination.path != nil { try Output.json(result) }
            }
            await client.close()
        }

        /// Where the previous export ended, from --manifest.
        func previousEnd() throws -> Int64? {
            guard let manifest, FileManager.default.fileExists(atPath: manifest) else { return nil }
            guard let object = try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifest))) as? [String: Any],
                let through = object["throughPosition"] as? Int64 ?? (object["throughPosition"] as? Int).map(Int64.init)
            else { throw ValidationError("\(manifest) is not an export manifest (no throughPosition)") }
            return through
        }
    }
}

extension EventExport.Format: ExpressibleByArgument {}

/// stdout, or a file created (or truncated) for the export; rows are gathered into 256 KiB
/// writes (COPY hands them over one at a time).
final class Destination: Sendable {
    let path: String?
    private let handle: FileHandle
    private let buffer = Mutex(Data())

    init(path: String?) throws {
        guard let path, path != "-" else {
            self.path = nil
            handle = FileHandle.standardOutput
            return
        }
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw ValidationError("cannot create \(path)")
        }
        self.path = path
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    @Sendable func write(_ bytes: UnsafeRawBufferPointer) throws {
        let full: Data? = buffer.withLock { buffer in
            buffer.append(contentsOf: bytes)
            guard buffer.count >= 256 * 1024 else { return nil }
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
        if let full { try handle.write(contentsOf: full) }
    }

    func close() throws {
        let rest = buffer.withLock { $0 }
        if !rest.isEmpty { try handle.write(contentsOf: rest) }
        if path != nil { try handle.close() }
    }
}
