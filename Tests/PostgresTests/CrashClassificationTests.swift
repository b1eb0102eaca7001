import Foundation
import LooplineTestSupport
import Postgres
import Testing

/// A statement cut off by a crash of the PostgreSQL server must fail as a connection failure,
/// which every caller retries, whatever libpq reports on the way (the server's FATAL goodbye,
/// or its own message without a SQLSTATE). Found by `make check-faults`: a command answered 500
/// `internal_error` when the database crashed under it.
@Suite("Statements cut off by a server crash")
struct CrashClassificationTests {
    @Test("a running query, a pipelined transaction and the next statement on the dead connection are connection failures")
    func crashMidStatement() async throws {
        try await PrivateCluster.with { cluster in
            let conninfo = cluster.conninfo
            let crashed = Flag()
            async let sleeping = Self.failure {
                let connection = try Connection(conninfo: conninfo)
                _ = try connection.query("SELECT pg_sleep(30)")
            }
            async let transaction = Self.failure {
                let connection = try Connection(conninfo: conninfo)
                _ = try connection.pipelinedTransaction([Statement("SELECT pg_sleep(30)"), Statement("SELECT 1")], then: [Statement("SELECT 2")])
            }
            async let afterwards = Self.failure {
                let connection = try Connection(conninfo: conninfo)
                while !crashed.isSet { usleep(10_000) }
                _ = try connection.query("SELECT 1")
            }
            try await Task.sleep(for: .milliseconds(500))
            try await cluster.crash()
            crashed.set()
            for (what, error) in [("query", await sleeping), ("pipelined transaction", await transaction), ("idle connection", await afterwards)] {
                let error = try #require(error, "\(what) did not fail")
                #expect(error.isConnectionFailure, "\(what): \(error.kind) \(error)")
            }
            try await cluster.recover()
        }
    }

    /// Runs blocking libpq work on a thread of its own and returns how it failed.
    static func failure(_ body: @escaping @Sendable () throws -> Void) async -> PostgresError? {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: failureNow(body)) }.start()
        }
    }

    private static func failureNow(_ body: () throws -> Void) -> PostgresError? {
        do {
            try body()
            return nil
        } catch let error as PostgresError {
            return error
        } catch {
            Issue.record("not a PostgresError: \(error)"); return nil
        }
    }
}
