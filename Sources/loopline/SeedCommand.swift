import ArgumentParser
import Commands
import EventStore
import Foundation
import JSON
import Lifecycle
import Logging
import Postgres
import Seeding

struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Fill the log with a realistic demo history: weeks of stories, commits, builds, deployments and operations.",
        discussion: """
            Example: loopline seed --events 100000 --seed 1

            The history is deterministic: the same --seed and --events give the same commands, which go \
            through the real command handler, so every event is validated as in production. It ends \
            shortly before now; running it again continues or replays the earlier run (idempotency keys) \
            and writes nothing twice. Progress goes to stderr, the summary as JSON to stdout. Exits 1 if \
            any command was refused.
            """)

    @OptionGroup var options: GlobalOptions

    @Option(help: "How many events to write (each command writes one).")
    var events: Int

    @Option(help: "The seed of the history.")
    var seed: UInt64

    @Option(help: "Commands per batch (each batch's commands on different streams run together).")
    var batchSize: Int = CommandHandler.maximumBatchCommands

    @Option(help: "When the history ends, ISO 8601 (default: now, or the end of an earlier run of this seed).")
    var end: String?

    func validate() throws {
        guard events >= 1 else { throw ValidationError("--events must be 1 or more") }
        guard (1...CommandHandler.maximumBatchCommands).contains(batchSize) else {
            throw ValidationError("--batch-size must be from 1 to \(CommandHandler.maximumBatchCommands)")
        }
        if let end {
            guard let date = ISO8601Timestamp.parse(end) else {
                throw ValidationError("--end \(end) is not an ISO 8601 date-time with a time zone")
            }
            guard date <= Date() else { throw ValidationError("--end must not be in the future") }
        }
    }

    func run() async throws {
        let logger = options.logger()
        // Appends go on the store's own writer connections; the pool serves claims, outcomes,
        // reads of related streams and the store's notifications.
        let client = options.client(maxConnections: 8, logger: logger)
        var refused = false
        try await Output.run {
            try await Migrator(client: client, migrations: try options.migrations(), logger: logger).requireUpToDate()
            let store = EventStore(client: client, logger: logger)
            let seeder = Seeder(store: store, batchSize: batchSize, logger: logger)
            let commands = try await history(seeder: seeder, logger: logger)
            let bar = ProgressBar(label: "seed")
            // The store runs as a service, as in `loopline serve`: appends then share coalesced NOTIFYs.
            let summary = await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                defer { group.cancelAll() }
                return await seeder.run(commands, seed: seed) { progress in
                    // The last one is `finish`'s to draw.
                    guard progress.done < progress.total else { return }
                    bar.update(done: Int64(progress.done), total: Int64(progress.total), elapsed: progress.elapsed)
                }
            }
            bar.finish(done: Int64(summary.commands), total: Int64(summary.commands), elapsed: .seconds(summary.seconds))
            try Output.json(summary)
            refused = summary.refused > 0
        }
        await client.close()
        if refused { throw ExitCode(Output.Exit.failure) }
    }

    /// The commands, ending at --end, else where an earlier run of this seed ended, else now.
    private func history(seeder: Seeder, logger: Logger) async throws -> [GeneratedCommand] {
        if let end, let date = ISO8601Timestamp.parse(end) {
            return HistoryGenerator(seed: seed, events: events, end: date).commands()
        }
        let now = Date()
        let commands = HistoryGenerator(seed: seed, events: events, end: now).commands()
        guard let offset = try await seeder.earlierRunOffset(of: commands, seed: seed), offset != 0 else { return commands }
        // Times are whole seconds, so the earlier run's end is exactly this far away.
        let earlier = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down) + offset)
        logger.info(
            "continuing an earlier run of this seed", metadata: ["loopline.seed.end": "\(ISO8601Timestamp.format(earlier))"])
        return HistoryGenerator(seed: seed, events: events, end: earlier).commands()
    }
}
