import Foundation
import Postgres

/// `loopline export events --format csv` (the real command, a child process writing a file)
/// beside the raw rate of `COPY (SELECT …) TO STDOUT WITH CSV` on the same log.
enum ExportBenchmark {
    struct Result {
        var events: Int
        var raw: [Double]
        var ours: [Double]
        var peakBytes: [Int]
    }

    static func measure(
        database: BenchmarkDatabase, loopline: String, schemaDir: String, rounds: Int, log: (String) -> Void
    ) async throws -> Result {
        let events = try await database.rows(in: "events")
        var result = Result(events: events, raw: [], ours: [], peakBytes: [])
        let file = NSTemporaryDirectory() + "loopline-bench-export-\(UUID().uuidString.prefix(8)).csv"
        defer { try? FileManager.default.removeItem(atPath: file) }
        for round in 1...rounds {
            for side in round % 2 == 1 ? ["raw", "export"] : ["export", "raw"] {
                if side == "raw" {
                    result.raw.append(try await rawRate(database))
                    log("round \(round) raw COPY CSV: \(Int(result.raw.last!)) rows/s")
                } else {
                    let start = ContinuousClock.now
                    let (status, output, peak) = try await ChildProcess.run(
                        loopline,
                        ["export", "events", "--format", "csv", "--out", file, "--database-url", "dbname=\(database.name)",
                         "--schema-dir", schemaDir, "--log-level", "error"])
                    guard status == 0 else { throw BenchmarkError("loopline export failed (\(status)): \(output.suffix(500))") }
                    result.ours.append(Double(events) / start.duration(to: .now).seconds)
                    result.peakBytes.append(peak)
                    log("round \(round) export: \(Int(result.ours.last!)) events/s, peak RSS \(peak / 1_048_576) MiB")
                }
            }
        }
        return result
    }

    static func rawRate(_ database: BenchmarkDatabase) async throws -> Double {
        try await database.client.withConnection { connection in
            let start = ContinuousClock.now
            let rows = try connection.copyOut(
                """
                COPY (SELECT global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata,
                             recorded_at FROM events ORDER BY global_position) TO STDOUT WITH (FORMAT csv, HEADER true)
                """) { _ in }
            return Double(rows) / start.duration(to: .now).seconds
        }
    }
}
