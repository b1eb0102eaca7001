import Access
import Commands
import EventStore
import Foundation
import Logging
import NIOCore
import Postgres
import Server
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Commands end to end: the real server in this process, driven over HTTP by wrk and over
/// the JSON socket by pipelining clients, each command a new commit (a new stream).
enum CommandBenchmark {
    struct HTTPResult {
        var rate: Double
        var latency: LatencyDistribution
        var p50: Double { latency.percentile(50) }
        var p99: Double { latency.percentile(99) }
    }

    /// ~600-byte commands, like the raw rows they are compared with.
    static let message = String(repeating: "m", count: 450)

    /// Runs a server on a fresh database for the duration of `body`, with an ingest token.
    static func withServer<T>(
        _ database: BenchmarkDatabase, migrations: [Migration], logger: Logger,
        _ body: (_ http: Int, _ socket: Int, _ token: String) async throws -> T
    ) async throws -> T {
        try await withServer(database, migrations: migrations, logger: logger) { http, socket, token, _ in try await body(http, socket, token) }
    }

    /// The same, handing `body` the server too (to register ingest sources); `readStore` is a
    /// replica's store for the read routes, `scopes` the token's.
    static func withServer<T>(
        _ database: BenchmarkDatabase, migrations: [Migration], logger: Logger, readStore: EventStore? = nil,
        scopes: Set<Scope> = [.ingest],
        _ body: (_ http: Int, _ socket: Int, _ token: String, _ server: LooplineServer) async throws -> T
    ) async throws -> T {
        let store = database.store
        let migrator = Migrator(client: database.client, migrations: migrations, logger: logger)
        let keys = NSTemporaryDirectory() + "loopline-bench-keys-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: keys) }
        let server = LooplineServer(
            configuration: ServerConfiguration(
                http: .init(host: "127.0.0.1", port: 0), socket: .init(host: "127.0.0.1", port: 0), secretsKeyFile: keys + "/secrets.key"),
            store: store, migrator: migrator, handler: CommandHandler(store: store, logger: logger), readStore: readStore, logger: logger)
        let token = try await server.tokens.create(name: "bench-\(UUID().uuidString.prefix(8))", scopes: scopes).token
        let (ports, continuation) = AsyncStream.makeStream(of: (String, Int).self)
        let app = server.application(
            onHTTPBound: { continuation.yield(("http", $0.localAddress?.port ?? 0)) },
            onSocketBound: { continuation.yield(("socket", $0.port ?? 0)) })
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: [], logger: logger)
        let running = Task { try await group.run() }
        var bound: [String: Int] = [:]
        for await (kind, port) in ports {
            bound[kind] = port
            if bound.count == 2 { break }
        }
        // Stop the way SIGTERM does: cancelling would log the server's shutdown as errors.
        let result: Result<T, any Error>
        do { result = .success(try await body(bound["http"] ?? 0, bound["socket"] ?? 0, token, server)) } catch { result = .failure(error) }
        await group.triggerGracefulShutdown()
        try await running.value
        return try result.get()
    }

    /// wrk with `connections` connections on `threads` threads for `seconds`; `client` makes
    /// the commands of concurrent wrk processes unique too.
    static func http(port: Int, token: String, connections: Int, seconds: Int, threads: Int = 2, client: Int = 0) async throws -> HTTPResult {
        let script = """
            local counter = 0
            local next_thread = \(client * 16)
            setup = function(thread) thread:set("prefix", next_thread); next_thread = next_thread + 1 end
            request = function()
              counter = counter + 1
              local body = string.format('{"sha":"%08x%08x","service":"checkout","message":"\(message)"}', prefix, counter)
              return wrk.format("POST", "/v1/commands/integrate-commit",
                {["Content-Type"] = "application/json", ["Authorization"] = "Bearer \(token)"}, body)
            end
            """
        return try await wrk(script: script, port: port, connections: connections, seconds: seconds, threads: threads)
    }

    /// Commands per request in the batch benchmark, like the raw side's 100-row inserts.
    static let batchSize = 100

    /// wrk posting arrays of `batchSize` commands to `POST /v1/commands`, each a new commit; the
    /// rate is in commands/s. Every command must have been recorded: the log is counted after.
    static func batches(database: BenchmarkDatabase, port: Int, token: String, connections: Int, seconds: Int) async throws -> HTTPResult {
        let script = """
            local counter = 0
            local next_thread = 0
            setup = function(thread) thread:set("prefix", next_thread); next_thread = next_thread + 1 end
            request = function()
              local items = {}
              for i = 1, \(batchSize) do
                counter = counter + 1
                items[i] = string.format('{"name":"integrate-commit","data":{"sha":"b%07x%08x","service":"checkout","message":"\(message)"}}', prefix, counter)
              end
              return wrk.format("POST", "/v1/commands",
                {["Content-Type"] = "application/json", ["Authorization"] = "Bearer \(token)"}, "[" .. table.concat(items, ",") .. "]")
            end
            """
        let result = try await wrk(script: script, port: port, connections: connections, seconds: seconds)
        let recorded = try await database.rows(in: "events")
        guard recorded >= result.latency.count * batchSize else {
            throw BenchmarkError("\(result.latency.count) batches answered but only \(recorded) events recorded: commands failed")
        }
        return HTTPResult(rate: result.rate * Double(batchSize), latency: result.latency)
    }

    /// Runs wrk with a Lua `script` (which must not define `done`); any non-2xx answer fails
    /// the measurement.
    static func wrk(script: String, port: Int, connections: Int, seconds: Int, threads: Int = 2) async throws -> HTTPResult {
        let path = NSTemporaryDirectory() + "loopline-wrk-\(UUID().uuidString.prefix(8)).lua"
        try (script + LatencyDistribution.wrkReporter).write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (status, output, _) = try await ChildProcess.run(
            "wrk", ["-t\(threads)", "-c\(connections)", "-d\(seconds)s", "-s", path, "http://127.0.0.1:\(port)"])
        guard status == 0 else { throw BenchmarkError("wrk failed (\(status)):\n\(output)") }
        if let errors = output.split(separator: "\n").first(where: { $0.contains("Non-2xx") }) {
            throw BenchmarkError("wrk saw failed requests: \(errors)\n\(output)")
        }
        let rate = output.split(separator: "\n").first { $0.hasPrefix("Requests/sec:") }?
            .split(separator: " ", omittingEmptySubsequences: true).last.flatMap { Double($0) }
        guard let rate, let latency = LatencyDistribution(wrkOutput: output) else {
            throw BenchmarkError("cannot read wrk's output:\n\(output)")
        }
        return HTTPResult(rate: rate, latency: latency)
    }

    /// `connections` socket connections, each keeping `window` commands in flight.
    static func socket(port: Int, token: String, connections: Int, window: Int, seconds: Int) async throws -> Double {
        let deadline = ContinuousClock.now + .seconds(seconds)
        let started = ContinuousClock.now
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for connection in 0..<connections {
                group.addTask {
                    try await blocking {
                        try PipelinedConnection(port: port).run(
                            token: token, prefix: connection, window: window, until: deadline)
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        return Double(counts) / started.duration(to: .now).seconds
    }

    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}

/// One socket connection driven by two threads: one writes commands while fewer than
/// `window` await a reply, the other reads the replies.
final class PipelinedConnection: @unchecked Sendable {
    // Touched only by the two threads of `run`, through `inFlight`'s condition.
    private let descriptor: Int32
    private let inFlight = NSCondition()
    private var outstanding = 0
    private var finished = false

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw BenchmarkError("cannot connect to the socket server: errno \(errno)") }
    }

    deinit { close(descriptor) }

    /// Commands acknowledged.
    func run(token: String, prefix: Int, window: Int, until deadline: ContinuousClock.Instant) throws -> Int {
        try send(#"{"id":0,"op":"auth","token":"\#(token)"}"# + "\n")
        var reader = LineReader(descriptor: descriptor)
        guard let auth = reader.next(), auth.contains(#""ok":true"#) else { throw BenchmarkError("socket auth failed") }
        let writer = Thread { [self] in
            var counter = 0
            while ContinuousClock.now < deadline {
                inFlight.lock()
                while outstanding >= window { inFlight.wait() }
                outstanding += 1
                inFlight.unlock()
                counter += 1
                let sha = String(format: "%08x%08x", 0x8000_0000 | prefix, counter)
                try? send(#"{"id":\#(counter),"op":"command","name":"integrate-commit","data":{"sha":"\#(sha)","service":"checkout","message":"\#(CommandBenchmark.message)"}}"# + "\n")
            }
            inFlight.lock()
            finished = true
            inFlight.signal()
            inFlight.unlock()
        }
        writer.start()
        var acknowledged = 0
        while true {
            inFlight.lock()
            let done = finished && outstanding == 0
            inFlight.unlock()
            if done { break }
            guard let line = reader.next() else { break }
            guard line.contains(#""ok":true"#) else { throw BenchmarkError("a command failed: \(line.prefix(300))") }
            acknowledged += 1
            inFlight.lock()
            outstanding -= 1
            inFlight.signal()
            inFlight.unlock()
        }
        return acknowledged
    }

    /// Sends one HTTP/1.1 request and returns the status of its answer (a probe: `/ready`).
    func request(_ text: String) throws -> Int? {
        try send(text)
        var reader = LineReader(descriptor: descriptor)
        guard let statusLine = reader.next(), statusLine.hasPrefix("HTTP/1.1 ") else { return nil }
        return Int(statusLine.split(separator: " ")[1])
    }

    private func send(_ text: String) throws {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw BenchmarkError("socket send failed: errno \(errno)") }
            offset += written
        }
    }

    /// Buffered line reading from a socket.
    struct LineReader {
        let descriptor: Int32
        var buffer: [UInt8] = []
        var start = 0

        mutating func next() -> String? {
            while true {
                if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: buffer[start..<newline], as: UTF8.self)
                    start = newline + 1
                    if start > 65_536 {
                        buffer.removeFirst(start)
                        start = 0
                    }
                    return line
                }
                var chunk = [UInt8](repeating: 0, count: 65_536)
                let count = recv(descriptor, &chunk, chunk.count, 0)
                if count <= 0 { return nil }
                buffer.append(contentsOf: chunk[0..<count])
            }
        }
    }
}
