import Foundation
import LooplineTestSupport
import Postgres
import Synchronization
import Testing

/// A large export over HTTP from a real `loopline serve` process, whose memory is measured
/// from outside while a slow client reads it.
@Suite("Export memory")
struct ExportMemoryTests {
    /// The server's resident memory now, in bytes (Linux /proc).
    static func residentBytes(_ pid: pid_t) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return 0 }
        return kilobytes * 1024
    }

    /// 150,000 events of about 1 KB (written in one statement; the log's own rules still apply),
    /// a read token, and a `loopline serve` process on them, for `body` to stream from.
    static func withBulkLog(
        _ db: TestDatabase, _ body: (_ server: Subprocess, _ port: Int, _ token: String) async throws -> Void
    ) async throws {
        try await db.client.withConnection { connection in
            _ = try connection.execute(
                """
                INSERT INTO events (event_id, stream_id, stream_version, type, data)
                SELECT gen_random_uuid(), 'bulk-' || g, 1, 'Bulk', jsonb_build_object('n', g, 'pad', repeat('x', 1000))
                  FROM generate_series(1, 150000) g
                """)
        }
        let cli = CommandLineTests()
        let created = try await cli.loopline(db, ["token", "create", "--name", "bulk", "--scope", "read"])
        let token = try #require(try cli.object(created.stdout)["token"] as? String)
        let server = try Subprocess.start(
            CommandLineTests.binary,
            ["serve", "--no-workers", "--http", "127.0.0.1:0", "--socket", "none", "--max-connections", "4",
             "--database-url", db.conninfo, "--schema-dir", TestEnvironment.schemaDirectory.path],
            environment: ["LOOPLINE_LOG_LEVEL": "info"])
        defer { server.signal(SIGKILL) }
        let port = try await SendCommandTests.listeningPort(of: server)
        try await SendCommandTests.waitForHealth(port: port)
        try await body(server, port, token)
    }

    @Test("streaming a 150 MB export to a slow client keeps the server's memory flat")
    func flatMemory() async throws {
        try await TestDatabase.with { db in try await Self.withBulkLog(db) { server, port, token in
            let http = RawHTTPClient(port: port)
            let auth = ["Authorization": "Bearer \(token)"]

            // A first, small export warms the server up (pools, allocator arenas) before the baseline.
            let warm = try await http.request("GET", "/v1/exports/events.csv?after=149000", headers: auth)
            #expect(warm.status == 200)
            let baseline = Self.residentBytes(server.pid)
            #expect(baseline > 0, "the server's memory can be read")

            let peak = Mutex((bytes: 0, resident: baseline))
            let total = try await http.drain("/v1/exports/events.csv", headers: auth) { count in
                let (before, after) = peak.withLock { state in
                    defer { state.bytes += count }
                    return (state.bytes, state.bytes + count)
                }
                // A slow client: after the first 8 MB it stops reading for two seconds, long
                // enough for a server without back-pressure to buffer the whole export.
                if before < 8 << 20 && after >= 8 << 20 { Thread.sleep(forTimeInterval: 2) }
                if before >> 20 != after >> 20 {
                    let resident = Self.residentBytes(server.pid)
                    peak.withLock { $0.resident = max($0.resident, resident) }
                }
            }
            let grown = peak.withLock { $0.resident } - baseline
            #expect(total > 150_000 * 1_000, "the whole export arrived (\(total) bytes)")
            #expect(grown < 48 << 20, "the server grew by \(grown >> 20) MiB while streaming \(total >> 20) MiB")
        } }
    }
}
