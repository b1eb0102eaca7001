import Access
import Commands
import EventStore
import Foundation
import Logging
import Postgres
import Projections
import Seeding
import Spawning
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Scale-out on one PostgreSQL: three `loopline serve` processes beside one on the command
/// path, and the read routes on a streaming replica beside the primary, with the replica's
/// replay lag under the live-lag load.
enum ScaleOutBenchmark {
    struct Result {
        /// Per round: one instance, three instances (rates summed, the worst client's p99).
        var one: [CommandBenchmark.HTTPResult]
        var three: [CommandBenchmark.HTTPResult]
        /// Read-model queries/s per round: the server reading the primary, and the replica.
        var primaryReads: [Double]
        var replicaReads: [Double]
        var readEvents: Int
        var lag: ProjectionLagBenchmark.Result
    }

    /// wrk's connections and threads in total, split evenly across the instances.
    static let connections = 15
    static let threads = 3

    // MARK: Instances

    /// `count` `loopline serve --no-workers` child processes on `database`, driven by one wrk
    /// each (`connections / count` connections apiece) for `seconds`.
    static func instances(
        _ count: Int, database: BenchmarkDatabase, loopline: String, seconds: Int
    ) async throws -> CommandBenchmark.HTTPResult {
        let token = try await TokenStore(client: database.client).create(name: "bench", scopes: [.ingest]).token
        let folder = NSTemporaryDirectory() + "loopline-instances-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var servers: [(pid: pid_t, port: Int)] = []
        defer {
            for server in servers { kill(server.pid, SIGTERM) }
            for server in servers { var status: Int32 = 0; waitpid(server.pid, &status, 0) }
        }
        for index in 0..<count {
            let port = try freePort()
            let pid = try CleanSpawn.start(
                loopline,
                ["serve", "--no-workers", "--http", "127.0.0.1:\(port)", "--socket", "none", "--database-url", "dbname=\(database.name)",
                 "--secrets-key-file", "\(folder)/secrets.key", "--log-level", "warning"],
                files: .init(stdout: "\(folder)/serve-\(index).log"))
            servers.append((pid, port))
        }
        for server in servers { try await waitReady(port: server.port) }
        let results = try await withThrowingTaskGroup(of: CommandBenchmark.HTTPResult.self) { group in
            for (index, server) in servers.enumerated() {
                group.addTask {
                    try await CommandBenchmark.http(
                        port: server.port, token: token, connections: connections / count, seconds: seconds, threads: max(1, threads / count),
                        client: index)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        return CommandBenchmark.HTTPResult(rate: results.map(\.rate).reduce(0, +), latency: .pooled(results.map(\.latency)))
    }

    // MARK: Replica

    /// A streaming replica of the benchmark cluster for the duration of `body` (the Makefile's
    /// `db-standby`: `pg_basebackup -R` on a Unix socket), removed afterwards.
    static func withStandby<T>(_ body: (_ host: String) async throws -> T) async throws -> T {
        let environment = ProcessInfo.processInfo.environment
        guard let primary = environment["PGHOST"], primary.hasPrefix("/") else {
            throw BenchmarkError("the replica benchmark needs the cluster's Unix socket folder in PGHOST (make bench sets it)")
        }
        let folder = "/tmp/loopline-bench-standby-\(UUID().uuidString.prefix(8).lowercased())"
        let port = environment["PGPORT"] ?? "5432"
        let inherited = environment.filter { $0.key != "MAKEFLAGS" && $0.key != "MAKELEVEL" && $0.key != "MFLAGS" }.map { "\($0.key)=\($0.value)" }
        func make(_ target: String, _ extra: [String] = []) async throws {
            let (status, output, _) = try await ChildProcess.run(
                "/usr/bin/make", ["-s", "--no-print-directory", target, "PG_DIR=\(folder)", "PG_SOCKET=\(folder)", "PG_PORT=\(port)"] + extra,
                environment: inherited)
            guard status == 0 else { throw BenchmarkError("make \(target) failed (\(status)): \(output)") }
        }
        try await make("db-standby", ["PRIMARY_SOCKET=\(primary)"])
        let outcome: Swift.Result<T, any Error>
        do { outcome = .success(try await body(folder)) } catch { outcome = .failure(error) }
        try? await make("db-stop")
        try? FileManager.default.removeItem(atPath: folder)
        return try outcome.get()
    }

    /// Read-model queries over HTTP on a seeded, projected history: the server reading the
    /// primary, then one reading the replica, alternating per round; then the replica's replay
    /// lag under commands at `eventsPerSecond`.
    static func replica(
        files: SchemaFiles, loopline: String, events: Int, rounds: Int, seconds: Int, lagSeconds: Int, logger: Logger
    ) async throws -> (primary: [Double], replica: [Double], lag: ProjectionLagBenchmark.Result) {
        try await withStandby { host in
            let database = try await BenchmarkDatabase.create(label: "replica", migrations: files.migrations, maxConnections: 16, logger: logger)
            let replicaConfiguration = PostgresClient.Configuration(
                conninfo: "host=\(host) dbname=\(database.name)", maxConnections: 10, applicationName: "loopline-bench-reads")
            let replicaClient = PostgresClient(configuration: replicaConfiguration, logger: logger)
            let workers = try ProjectionService(files: files, store: database.store, client: database.client, logger: logger)
            let running = Task { try await workers.run() }
            let outcome: Swift.Result<(primary: [Double], replica: [Double], lag: ProjectionLagBenchmark.Result), any Error>
            do {
                let commands = HistoryGenerator(seed: 1, events: events, end: Date()).commands()
                let seeded = await Seeder(store: database.store, logger: logger).run(commands, seed: 1) { _ in }
                guard seeded.refused == 0 else { throw BenchmarkError("seeding refused \(seeded.refused) commands") }
                let head = try await database.store.headPosition()
                try await waitApplied(head, client: database.client)
                try await waitApplied(head, client: replicaClient)
                var primary: [Double] = [], replica: [Double] = []
                for round in 1...rounds {
                    for side in round % 2 == 1 ? ["primary", "replica"] : ["replica", "primary"] {
                        // A server closes its pools when it stops: each gets pools of its own.
                        let serving = database.reconnected(maxConnections: 10, logger: logger)
                        let rate = try await CommandBenchmark.withServer(
                            serving, migrations: files.migrations, logger: logger,
                            readStore: side == "replica" ? EventStore(client: PostgresClient(configuration: replicaConfiguration, logger: logger), logger: logger) : nil,
                            scopes: [.read]
                        ) { port, _, token, _ in try await reads(port: port, token: token, seconds: seconds) }
                        if side == "primary" { primary.append(rate) } else { replica.append(rate) }
                        log("round \(round) read-model queries on the \(side): \(Int(rate)) queries/s")
                    }
                }
                let lag = try await replayLag(database: database, replica: replicaClient, eventsPerSecond: 500, seconds: lagSeconds, logger: logger)
                outcome = .success((primary, replica, lag))
            } catch {
                outcome = .failure(error)
            }
            running.cancel()
            _ = await running.result
            await replicaClient.close()
            await database.drop(logger: logger)
            return try outcome.get()
        }
    }

    /// wrk over four read-model queries a dashboard makes, in turn.
    static func reads(port: Int, token: String, seconds: Int) async throws -> Double {
        let script = """
            local paths = {"/v1/stages/planning/backlog?limit=20", "/v1/stages/delivery/deployment-counts",
                           "/v1/stages/integration/builds?limit=20", "/v1/projections"}
            local counter = 0
            request = function()
              counter = counter + 1
              return wrk.format("GET", paths[(counter % #paths) + 1], {["Authorization"] = "Bearer \(token)"})
            end
            """
        return try await CommandBenchmark.wrk(script: script, port: port, connections: 16, seconds: seconds).rate
    }

    /// Commands at a steady rate on the primary (as the live-lag benchmark sends them); the
    /// lag of an event is from its append's acknowledgement until the replica shows it
    /// (the replica polled every 2 ms for the positions still pending).
    static func replayLag(
        database: BenchmarkDatabase, replica: PostgresClient, eventsPerSecond: Int, seconds: Int, logger: Logger
    ) async throws -> ProjectionLagBenchmark.Result {
        let pending = Pending()
        let lags = Mutex<[Double]>([])
        let done = Atomic(false)
        let polling = Task {
            while !done.load(ordering: .relaxed) || !pending.acknowledged.withLock({ $0.isEmpty }) {
                let waiting = pending.acknowledged.withLock { Array($0.keys) }
                if !waiting.isEmpty {
                    let seen = try await replica.withConnection { connection in
                        try connection.query(
                            "SELECT global_position FROM events WHERE global_position = ANY($1::bigint[])",
                            [PostgresTextArray(waiting.map(String.init))]
                        ).rows.map { try $0.decode(0, as: Int64.self) }
                    }
                    let now = ContinuousClock.now
                    pending.acknowledged.withLock { pending in
                        for position in seen {
                            if let acknowledged = pending.removeValue(forKey: position) {
                                lags.withLock { $0.append(acknowledged.duration(to: now).milliseconds) }
                            }
                        }
                    }
                }
                try await Task.sleep(for: .milliseconds(2))
            }
        }
        let elapsed = try await ProjectionLagBenchmark.sendSteadily(
            CommandHandler(store: database.store, logger: logger), eventsPerSecond: eventsPerSecond, seconds: seconds,
            firstIndex: 10_000_000
        ) { result, acknowledged in
            pending.acknowledged.withLock { pending in for event in result.events { pending[event.position] = acknowledged } }
        }
        done.store(true, ordering: .relaxed)
        try await polling.value
        let sorted = lags.withLock { $0 }.sorted()
        return .init(
            samples: sorted.count, rate: Double(eventsPerSecond * seconds) / elapsed.seconds, p50: nearestRank(sorted, 0.5),
            p99: nearestRank(sorted, 0.99), max: sorted.last ?? 0)
    }

    /// Waits until every read model in `client`'s database has applied `position` (a replica
    /// that has not replayed the tables yet fails the query: not yet).
    static func waitApplied(_ position: Int64, client: PostgresClient) async throws {
        for _ in 0..<6_000 {
            if (try? await ProjectionStatus.allApplied(position, ReadModels.all, client: client)) == true { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchmarkError("the read models did not reach position \(position)")
    }

    // MARK: Helpers

    /// A loopback port nothing listens on now.
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw BenchmarkError("no free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Polls `GET /ready` until it answers 200 (30 s at most).
    static func waitReady(port: Int) async throws {
        for _ in 0..<300 {
            if (try? readyStatus(port: port)) == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchmarkError("the server on port \(port) did not become ready")
    }

    private static func readyStatus(port: Int) throws -> Int? {
        let connection = try PipelinedConnection(port: port)
        return try connection.request("GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    }
}

/// Positions acknowledged and not yet seen on the replica, shared by the commands in flight and
/// the poller.
private final class Pending: Sendable {
    let acknowledged = Mutex<[Int64: ContinuousClock.Instant]>([:])
}
