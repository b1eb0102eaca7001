import ArgumentParser
import EventStore
import Postgres

struct ReadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Print events as JSON lines: the whole log, one stream, or one category.",
        discussion: """
            --from is exclusive: the position (or, with --stream, the version) you already have; 0 reads \
            from the beginning. Reading the log or a category stops below any event that a still-running \
            append could precede, so nothing printed is ever followed by an earlier position.
            """)

    @OptionGroup var options: GlobalOptions

    @Option(help: "Read this stream, in version order.")
    var stream: String?

    @Option(help: "Read this category (e.g. build), in log order.")
    var category: String?

    @Option(help: "Start after this position (after this version with --stream).")
    var from: Int64 = 0

    @Option(help: "Print at most this many events (default: all).")
    var limit: Int?

    func validate() throws {
        if stream != nil && category != nil { throw ValidationError("use --stream or --category, not both") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if from < 0 { throw ValidationError("--from must be 0 or more") }
    }

    func run() async throws {
        let logger = options.logger()
        let client = options.client(maxConnections: 2, logger: logger)
        try await Output.run {
            let store = EventStore(client: client, logger: logger)
            let streamName = try stream.map { try StreamName($0) }
            var cursor = from
            var remaining = limit ?? Int.max
            while remaining > 0 {
                let page = min(remaining, 1000)
                let events: [RecordedEvent]
                if let streamName {
                    events = try await store.read(stream: streamName, afterVersion: cursor, limit: page)
                } else if let category {
                    events = try await store.read(category: category, after: cursor, limit: page)
                } else {
                    events = try await store.readAll(after: cursor, limit: page)
                }
                for event in events { Output.line(event.jsonLine) }
                guard let last = events.last, events.count == page else { break }
                cursor = streamName == nil ? last.position : last.streamVersion
                remaining -= events.count
            }
        }
        await client.close()
    }
}
