import ArgumentParser
import EventStore
import Foundation
import Ingest
import Logging
import Postgres
import Seeding
import Server

/// `make bench`: event store appends and follow latency, each beside raw PostgreSQL measured
/// in the same run on the same cluster, written to docs/benchmarks.md.
@main
struct LooplineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loopline-bench", abstract: "Benchmarks the event store against raw PostgreSQL (run via make bench).")

    @Option(help: "The pgbench executable.") var pgbench = "pgbench"
    @Option(help: "Directory of the schema files (migrations and object files).") var schemaDir = "schema"
    @Option(help: "Where to write the Markdown report.") var output = "docs/benchmarks.md"
    @Option(help: "Seconds per measurement.") var seconds = 8
    @Option(help: "Rounds; each alternates raw and Loopline, the median counts.") var rounds = 5
    @Option(help: "Follow-latency probes.") var latencyEvents = 2_000
    @Option(help: "Only run Loopline appends with this many writers (for profiling); prints the rate.")
    var profileWriters: Int?
    @Option(help: "Events per append when profiling.") var profileBatch = 1
    @Option(help: "Suites to run, comma-separated: appends, latency, commands, ingest, projections (lag and replay), lag, exports (with projections), scaleout (three instances; a streaming replica).")
    var suites = "appends,latency,commands,ingest,projections,exports,scaleout"
    @Option(help: "The loopline executable (the replay runs as a child process).") var loopline = "loopline"
    @Option(help: "Events of seeded history the replay rebuilds from.") var replayEvents = 1_000_000
    @Option(help: "Seconds of steady commands for the projection-lag measurement.") var lagSeconds = 20
    @Option(help: "Events of seeded history the replica's read-model queries run on.") var replicaEvents = 20_000

    struct Scenario {
        var writers: Int
        var eventsPerAppend: Int
        var target: Double?
        var label: String {
            "\(eventsPerAppend == 1 ? "single events" : "\(eventsPerAppend)-event batches"), \(writers) writer\(writers == 1 ? "" : "s")"
        }
    }

    static let scenarios = [
        Scenario(writers: 1, eventsPerAppend: 1, target: 0.8), Scenario(writers: 8, eventsPerAppend: 1, target: 0.7),
        Scenario(writers: 1, eventsPerAppend: 100, target: nil), Scenario(writers: 8, eventsPerAppend: 100, target: 0.6),
    ]

    func run() async throws {
        let started = ContinuousClock.now
        var logger = Logger(label: "loopline-bench")
        logger.logLevel = .warning
        let files = try SchemaFiles.load(from: URL(fileURLWithPath: schemaDir))
        let migrations = files.migrations
        let baseline = Pgbench(executable: pgbench)
        if let profileWriters {
            let database = try await BenchmarkDatabase.create(label: "profile", migrations: migrations, maxConnections: profileWriters, logger: logger)
            let measurement = try await AppendBenchmark.run(
                store: database.store, writers: profileWriters, eventsPerAppend: profileBatch, seconds: seconds)
            log("profile: \(Int(measurement.rate)) events/s, \(measurement.appendsPerTransaction) appends per transaction")
            await database.drop(logger: logger)
            return
        }
        let selected = Set(suites.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        let appends = selected.contains("appends") ? try await appendSuite(migrations, baseline, logger) : []
        let commands = selected.contains("commands") ? try await commandSuite(migrations, baseline, logger) : []
        let ingest = selected.contains("ingest") ? try await ingestSuite(migrations, logger) : nil

        let latencyDatabase = try await BenchmarkDatabase.create(label: "latency", migrations: migrations, maxConnections: 2, logger: logger)
        var latency: LatencyBenchmark.Result?
        if selected.contains("latency") {
            latency = try await LatencyBenchmark.measure(
                database: latencyDatabase, events: latencyEvents, interval: .milliseconds(5), logger: logger)
            log("append-to-follow latency: p50 \(latency!.p50) ms, p99 \(latency!.p99) ms")
        }
        let environment = try await describeEnvironment(latencyDatabase)
        await latencyDatabase.drop(logger: logger)
        let (replay, lag, export, seeding) = selected.contains("projections")
            ? try await projectionSuite(files, logger, exports: selected.contains("exports"))
            : (nil, selected.contains("lag") ? try await lagSuite(files, logger) : nil, nil, nil)

        let scaleOut = selected.contains("scaleout") ? try await scaleOutSuite(files, logger) : nil

        let report = Report(
            results: appends, commands: commands, ingest: ingest, latency: latency, replay: replay, lag: lag, export: export,
            scaleOut: scaleOut, seeding: seeding, runSeconds: started.duration(to: .now).seconds, environment: environment,
            seconds: seconds, rounds: rounds,
            flags: "--suites \(suites) --seconds \(seconds) --rounds \(rounds) --latency-events \(latencyEvents) "
                + "--replay-events \(replayEvents) --lag-seconds \(lagSeconds) --replica-events \(replicaEvents)")
        try report.markdown.write(toFile: output, atomically: true, encoding: .utf8)
        log("wrote \(output)")
        if !report.targetsMet {
            log("some targets were missed; see \(output)")
            throw ExitCode(1)
        }
    }

    /// Replay of a seeded history beside raw COPY, and live projection lag at 500 events/s.
    private func projectionSuite(
        _ files: SchemaFiles, _ logger: Logger, exports: Bool
    ) async throws -> (
        ReplayBenchmark.Result, ProjectionLagBenchmark.Result, ExportBenchmark.Result?, (events: Int, seconds: Double)
    ) {
        let lag = try await lagSuite(files, logger)

        let database = try await BenchmarkDatabase.create(label: "replay", migrations: files.migrations, maxConnections: 10, logger: logger)
        let commands = HistoryGenerator(seed: 1, events: replayEvents, end: Date()).commands()
        let seeded = await Seeder(store: database.store, logger: logger).run(commands, seed: 1) { progress in
            if progress.done % 100_000 == 0 { log("seeded \(progress.done) of \(progress.total) (\(Int(progress.eventsPerSecond)) events/s)") }
        }
        guard seeded.refused == 0 else { throw BenchmarkError("seeding refused \(seeded.refused) commands: \(seeded.refusals)") }
        log("seeded \(seeded.events) events in \(Int(seeded.seconds)) s (\(Int(Double(seeded.events) / seeded.seconds)) events/s)")
        let replay = try await ReplayBenchmark.measure(
            database: database, loopline: loopline, schemaDir: schemaDir, rounds: min(rounds, 3), log: log)
        let export = exports
            ? try await ExportBenchmark.measure(database: database, loopline: loopline, schemaDir: schemaDir, rounds: min(rounds, 3), log: log)
            : nil
        await database.drop(logger: logger)
        return (replay, lag, export, (seeded.events, seeded.seconds))
    }

    /// One `loopline serve` beside three on the same database, alternating per round; then reads
    /// on a streaming replica beside the primary, and the replica's lag.
    private func scaleOutSuite(_ files: SchemaFiles, _ logger: Logger) async throws -> ScaleOutBenchmark.Result {
        var one: [CommandBenchmark.HTTPResult] = [], three: [CommandBenchmark.HTTPResult] = []
        for round in 1...rounds {
            for count in round % 2 == 1 ? [1, 3] : [3, 1] {
                let database = try await BenchmarkDatabase.create(label: "instances", migrations: files.migrations, maxConnections: 2, logger: logger)
                let result = try await ScaleOutBenchmark.instances(count, database: database, loopline: loopline, seconds: seconds)
                await database.drop(logger: logger)
                if count == 1 { one.append(result) } else { three.append(result) }
                log("round \(round) \(count) instance\(count == 1 ? "" : "s"): \(Int(result.rate)) commands/s, p99 \(result.p99) ms")
            }
        }
        let reads = try await ScaleOutBenchmark.replica(
            files: files, loopline: loopline, events: replicaEvents, rounds: min(rounds, 3), seconds: seconds, lagSeconds: lagSeconds,
            logger: logger)
        log("replica lag at \(Int(reads.lag.rate)) events/s: p50 \(reads.lag.p50) ms, p99 \(reads.lag.p99) ms")
        return .init(one: one, three: three, primaryReads: reads.primary, replicaReads: reads.replica, readEvents: replicaEvents, lag: reads.lag)
    }

    /// Live projection lag at 500 events/s offered.
    private func lagSuite(_ files: SchemaFiles, _ logger: Logger) async throws -> ProjectionLagBenchmark.Result {
        let database = try await BenchmarkDatabase.create(label: "lag", migrations: files.migrations, maxConnections: 8, logger: logger)
        let lag = try await ProjectionLagBenchmark.measure(
            database: database, files: files, eventsPerSecond: 500, seconds: lagSeconds, logger: logger)
        await database.drop(logger: logger)
        log("projection lag at \(Int(lag.rate)) events/s: p50 \(lag.p50) ms, p99 \(lag.p99) ms")
        return lag
    }

    /// Appends beside pgbench inserts, per scenario and round.
    private func appendSuite(_ migrations: [Migration], _ baseline: Pgbench, _ logger: Logger) async throws -> [Report.Row] {
        var results: [(Scenario, raw: [Double], ours: [Double], combined: [Double])] = Self.scenarios.map { ($0, [], [], []) }
        for round in 1...rounds {
            for index in results.indices {
                let scenario = results[index].0
                // Alternate who goes first, so drift on a shared machine hits both sides alike.
                for side in round % 2 == 1 ? ["raw", "ours"] : ["ours", "raw"] {
                    let database = try await BenchmarkDatabase.create(
                        label: side, migrations: migrations, maxConnections: scenario.writers, logger: logger)
                    if side == "raw" {
                        let rate = try await baseline.insertRate(
                            database: database.name, clients: scenario.writers, rowsPerTransaction: scenario.eventsPerAppend,
                            seconds: seconds)
                        results[index].raw.append(rate)
                    } else {
                        let measurement = try await AppendBenchmark.run(
                            store: database.store, writers: scenario.writers, eventsPerAppend: scenario.eventsPerAppend,
                            seconds: seconds)
                        results[index].ours.append(measurement.rate)
                        results[index].combined.append(measurement.appendsPerTransaction)
                    }
                    await database.drop(logger: logger)
                    log("round \(round) \(scenario.label) \(side): \(Int(side == "raw" ? results[index].raw.last! : results[index].ours.last!)) events/s")
                }
            }
        }
        return results.map {
            .init(label: $0.0.label, target: $0.0.target, raw: $0.raw, ours: $0.ours, appendsPerTransaction: median($0.combined))
        }
    }

    /// Commands over HTTP (wrk, 16 connections) and over the socket (pipelined), beside
    /// pgbench's one-row insert transactions with 16 clients; batches of 100 commands over HTTP
    /// (8 connections) beside 100-row inserts with 8 clients; per round.
    private func commandSuite(_ migrations: [Migration], _ baseline: Pgbench, _ logger: Logger) async throws -> [Report.CommandRow] {
        var raw: [Double] = [], rawLatency: [LatencyDistribution] = [], http: [CommandBenchmark.HTTPResult] = [], socket: [Double] = []
        var rawBatches: [Double] = [], batches: [CommandBenchmark.HTTPResult] = []
        let sides = ["raw", "http", "socket", "raw100", "batches"]
        for round in 1...rounds {
            for side in round % 2 == 1 ? sides : sides.reversed() {
                let database = try await BenchmarkDatabase.create(label: side, migrations: migrations, maxConnections: 16, logger: logger)
                switch side {
                case "raw":
                    let measured = try await baseline.insert(
                        database: database.name, clients: 16, rowsPerTransaction: 1, seconds: seconds, logLatency: true)
                    raw.append(measured.rate)
                    if let latency = measured.latency { rawLatency.append(latency) }
                    log("round \(round) raw 16 clients: \(Int(measured.rate)) tx/s, p50 / p90 / p99 / p99.9 \(measured.latency?.summary ?? "?") ms")
                case "http":
                    http.append(try await CommandBenchmark.withServer(database, migrations: migrations, logger: logger) { port, _, token in
                        try await CommandBenchmark.http(port: port, token: token, connections: 16, seconds: seconds)
                    })
                    log("round \(round) HTTP: \(Int(http.last!.rate)) commands/s, p50 / p90 / p99 / p99.9 \(http.last!.latency.summary) ms")
                case "socket":
                    socket.append(try await CommandBenchmark.withServer(database, migrations: migrations, logger: logger) { _, port, token in
                        try await CommandBenchmark.socket(port: port, token: token, connections: 4, window: 64, seconds: seconds)
                    })
                    log("round \(round) socket: \(Int(socket.last!)) commands/s")
                case "raw100":
                    rawBatches.append(try await baseline.insertRate(database: database.name, clients: 8, rowsPerTransaction: 100, seconds: seconds))
                    log("round \(round) raw 100-row inserts, 8 clients: \(Int(rawBatches.last!)) rows/s")
                default:
                    batches.append(try await CommandBenchmark.withServer(database, migrations: migrations, logger: logger) { port, _, token in
                        try await CommandBenchmark.batches(database: database, port: port, token: token, connections: 8, seconds: seconds)
                    })
                    log("round \(round) batches: \(Int(batches.last!.rate)) commands/s")
                }
                await database.drop(logger: logger)
            }
        }
        return [
            .init(
                label: "HTTP commands, 16 connections (wrk)", baseline: "1-row INSERTs, 16 clients", target: 0.6, raw: raw,
                ours: http.map(\.rate), latency: http.map(\.latency), rawLatency: rawLatency, p99Target: 10),
            .init(
                label: "socket commands, 4 connections × 64 pipelined", baseline: "1-row INSERTs, 16 clients", target: 0.6, raw: raw,
                ours: socket),
            .init(
                label: "batches of \(CommandBenchmark.batchSize) commands, 8 connections (wrk)", baseline: "100-row INSERTs, 8 clients",
                target: 0.5, raw: rawBatches, ours: batches.map(\.rate), latency: batches.map(\.latency)),
        ]
    }

    /// GitHub push webhooks (5 commits each) beside the plain command endpoint, both over HTTP
    /// with wrk at 16 connections, in events/s, per round.
    private func ingestSuite(_ migrations: [Migration], _ logger: Logger) async throws -> Report.CommandRow {
        var commands: [Double] = [], pushes: [CommandBenchmark.HTTPResult] = []
        for round in 1...rounds {
            for side in round % 2 == 1 ? ["commands", "pushes"] : ["pushes", "commands"] {
                let database = try await BenchmarkDatabase.create(label: side, migrations: migrations, maxConnections: 16, logger: logger)
                if side == "commands" {
                    let result = try await CommandBenchmark.withServer(database, migrations: migrations, logger: logger) { port, _, token in
                        try await CommandBenchmark.http(port: port, token: token, connections: 16, seconds: seconds)
                    }
                    commands.append(result.rate)
                    log("round \(round) command endpoint: \(Int(result.rate)) events/s")
                } else {
                    let result = try await CommandBenchmark.withServer(database, migrations: migrations, logger: logger) { port, _, _, server in
                        let secret = try await server.ingest.sources.create(name: "bench", kind: .github, settings: SourceSettings()).secret
                        return try await IngestBenchmark.pushes(port: port, secret: secret, connections: 16, seconds: seconds, prefix: round)
                    }
                    pushes.append(result)
                    log("round \(round) GitHub pushes: \(Int(result.rate)) deliveries/s, \(Int(result.rate) * IngestBenchmark.commitsPerPush) events/s")
                }
                await database.drop(logger: logger)
            }
        }
        return .init(
            label: "GitHub push webhooks, 5 commits each, 16 connections (wrk)", baseline: "the command endpoint", target: 0.5,
            raw: commands, ours: pushes.map { $0.rate * Double(IngestBenchmark.commitsPerPush) }, latency: pushes.map(\.latency))
    }

    private func describeEnvironment(_ database: BenchmarkDatabase) async throws -> [String] {
        let settings = try await database.client.withConnection { connection in
            try connection.query(
                "SELECT version(), current_setting('fsync'), current_setting('synchronous_commit'), current_setting('shared_buffers')"
            ).rows.map { row in try (0..<4).map { try row.decode($0, as: String.self) } }[0]
        }
        return [
            "date: \(ISO8601DateFormatter().string(from: Date()))",
            "cores: \(ProcessInfo.processInfo.activeProcessorCount), memory: \(ProcessInfo.processInfo.physicalMemory / 1_073_741_824) GiB",
            "server: \(settings[0].split(separator: ",").first ?? "")",
            "durability: fsync=\(settings[1]), synchronous_commit=\(settings[2]) (the same cluster and settings for both sides)",
            "shared_buffers: \(settings[3]); client and server share the machine's cores",
            Self.scheduling,
        ]
    }

    /// With the kernel's autogroup scheduling on, every PostgreSQL backend (a session of its
    /// own) is a scheduling group, starved in bursts while the benchmark saturates the cores.
    private static var scheduling: String {
        let enabled = FileManager.default.contents(atPath: "/proc/sys/kernel/sched_autogroup_enabled").map { $0.first == UInt8(ascii: "1") }
        return enabled == true
            ? "scheduling: kernel autogroup ON (each PostgreSQL backend a scheduling group of its own: expect a latency tail)"
            : "scheduling: kernel autogroup off (make bench turns it off while it runs), every thread scheduled alike"
    }

}

/// Progress on stdout, unbuffered, so `make bench` shows it as it happens.
func log(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
