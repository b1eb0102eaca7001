import ArgumentParser
import EventStore
import Foundation
import Postgres
import Projections
import ServiceLifecycle
import UnixSignals

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild read models from the log and swap them in, or compare them with --verify.",
        discussion: """
            Builds the chosen read models into shadow schemas from position 0 while the live ones keep \
            serving, then swaps them in atomically with their checkpoint. Interrupting it (SIGINT, \
            SIGTERM) or a failure leaves the live models untouched. --verify rebuilds each model up to \
            its live position and lists every differing row instead of swapping; live models pause \
            while it runs and catch up afterwards. Prints a JSON report; exits 1 on a difference.
            """)

    @OptionGroup var options: GlobalOptions

    @Option(name: .customLong("projection"), help: "A read model to rebuild (repeatable): \(ReadModels.all.map(\.name).joined(separator: ", ")).")
    var names: [String] = []

    @Flag(help: "Rebuild every read model.")
    var all = false

    @Flag(help: "Compare the rebuilt models with the live ones instead of swapping them in.")
    var verify = false

    @Option(help: "Events per batch.")
    var batchSize = EventStore.maximumReadLimit

    func validate() throws {
        guard all != !names.isEmpty else { throw ValidationError("name read models with --projection, or pass --all") }
        let known = Set(ReadModels.all.map(\.name))
        for name in names where !known.contains(name) {
            throw ValidationError("no read model is called \(name); they are \(known.sorted().joined(separator: ", "))")
        }
        guard (100...EventStore.maximumReadLimit).contains(batchSize) else {
            throw ValidationError("--batch-size must be from 100 to \(EventStore.maximumReadLimit)")
        }
    }

    func run() async throws {
        let logger = options.logger()
        let client = options.client(maxConnections: ReadModels.all.count + 2, logger: logger)
        let projections = all ? ReadModels.all : ReadModels.all.filter { names.contains($0.name) }
        try await Output.run {
            let files = try options.schemaFiles()
            try await Migrator(client: client, migrations: files.migrations, logger: logger).requireUpToDate()
            let replay = try Replay(
                projections: projections, files: files, store: EventStore(client: client, logger: logger), client: client,
                batchSize: batchSize, logger: logger)
            let bar = ProgressBar(label: verify ? "verify" : "replay")
            let work = Task {
                try await replay.run(verify: verify) { progress in
                    bar.update(done: progress.position, total: progress.target, elapsed: progress.elapsed)
                }
            }
            // SIGINT/SIGTERM cancel the replay; it cleans up before it returns.
            let signals = Task {
                for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) {
                    work.cancel()
                    break
                }
            }
            defer { signals.cancel() }
            let report: Replay.Report
            do {
                report = try await work.value
            } catch is CancellationError {
                try Output.fail(.init(code: "replay_interrupted", message: "replay interrupted; the live read models are unchanged"), exit: Output.Exit.failure)
            }
            bar.finish(done: report.position, total: report.position, elapsed: .seconds(report.seconds))
            try Output.json(report)
            if report.verified == false {
                throw ExitCode(Output.Exit.failure)
            }
        }
        await client.close()
    }
}
