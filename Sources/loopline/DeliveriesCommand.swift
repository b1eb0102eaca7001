public import ArgumentParser
import Commands
import EventStore
import Foundation
import Ingest
import Postgres

struct DeliveriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliveries",
        abstract: "Inspect webhook deliveries and retry dead letters (talks to the database directly).",
        subcommands: [List.self, Show.self, Retry.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List deliveries, newest first, as a JSON array.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "Only this source's.") var source: String?
        @Option(help: "Only recorded, ignored or dead-lettered ones.") var disposition: Disposition?
        @Option(help: "At most this many.") var limit = 100

        func run() async throws {
            try await DeliveriesCommand.withPipeline(options, IngestOptions()) { pipeline in
                try Output.json(try await pipeline.deliveries.list(source: source, disposition: disposition, limit: limit))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one delivery: headers (no secrets), body if dead-lettered, answer.")
        @OptionGroup var options: GlobalOptions
        @Argument var id: String

        func run() async throws {
            try await DeliveriesCommand.withPipeline(options, IngestOptions()) { pipeline in
                try Output.json(try await pipeline.deliveries.find(try deliveryId(id)))
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Map dead letters again with their sources' current settings and record what now maps.",
            discussion: "Retrying a delivery that is already recorded answers its stored outcome and writes nothing.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var ingest: IngestOptions
        @Argument var id: String?
        @Flag(help: "Retry every dead letter, oldest first.") var allDead = false

        func validate() throws {
            guard (id != nil) != allDead else { throw ValidationError("give a delivery id or --all-dead") }
        }

        func run() async throws {
            try await DeliveriesCommand.withPipeline(options, ingest) { pipeline in
                let ids = if let id { [try deliveryId(id)] } else { try await pipeline.deliveries.deadLetters() }
                var answers: [IngestAnswer] = []
                for id in ids { answers.append(try await pipeline.retry(id)) }
                try Output.json(answers)
            }
        }
    }

    static func withPipeline(_ options: GlobalOptions, _ ingest: IngestOptions, _ body: (IngestPipeline) async throws -> Void) async throws {
        let logger = options.logger()
        let client = options.client(maxConnections: 2, logger: logger)
        try await Output.run {
            let store = EventStore(client: client, logger: logger)
            try await body(IngestPipeline(
                sources: SourceStore(store: store, keyFile: ingest.keyFile(options.environment)), deliveries: DeliveryStore(store: store),
                handler: CommandHandler(store: store, policy: ingest.policy(options.environment), logger: logger), logger: logger))
        }
        await client.close()
    }
}

extension Disposition: ExpressibleByArgument {}

/// A delivery id argument.
func deliveryId(_ text: String) throws -> UUID {
    guard let id = UUID(uuidString: text) else { throw ValidationError("a delivery id is a UUID, not \"\(text)\"") }
    return id
}
