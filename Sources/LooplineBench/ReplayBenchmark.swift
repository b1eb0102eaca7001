import EventStore
import Foundation
import Logging
import Postgres

/// `loopline replay --all` (the real tool, as a child process, so its peak memory is its own)
/// beside the raw rate PostgreSQL streams the same log out with `COPY (SELECT …) TO STDOUT`.
enum ReplayBenchmark {
    struct Result {
        var events: Int
        var raw: [Double]
        var replay: [Double]
        var peakBytes: [Int]
    }

    static func measure(
        database: BenchmarkDatabase, loopline: String, schemaDir: String, rounds: Int, log: (String) -> Void
    ) async throws -> Result {
        let events = try await database.rows(in: "events")
        var result = Result(events: events, raw: [], replay: [], peakBytes: [])
        for round in 1...rounds {
            for side in round % 2 == 1 ? ["raw", "replay"] : ["replay", "raw"] {
                if side == "raw" {
                    result.raw.append(try await copyRate(database))
                    log("round \(round) raw COPY: \(Int(result.raw.last!)) rows/s")
                } else {
                    let (rate, peak) = try await replay(database, loopline: loopline, schemaDir: schemaDir)
                    result.replay.append(rate)
                    result.peakBytes.append(peak)
                    log("round \(round) replay: \(Int(rate)) events/s, peak RSS \(peak / 1_048_576) MiB")
                }
            }
        }
        return result
    }

    /// Rows per second of `COPY (SELECT <every column> FROM events) TO STDOUT`, read and discarded.
    static func copyRate(_ database: BenchmarkDatabase) async throws -> Double {
        try await database.client.withConnection { connection in
            let start = ContinuousClock.now
            let rows = try connection.copyOut(
                """
                COPY (SELECT global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata,
                             recorded_at FROM events ORDER BY global_position) TO STDOUT
                """) { _ in }
            return Double(rows) / start.duration(to: .now).seconds
        }
    }

    /// Events per second and peak resident bytes of one full replay.
    static func replay(_ database: BenchmarkDatabase, loopline: String, schemaDir: String) async throws -> (Double, Int) {
        let (status, output, peak) = try await ChildProcess.run(
            loopline, ["replay", "--all", "--database-url", "dbname=\(database.name)", "--schema-dir", schemaDir, "--log-level", "error"])
        guard status == 0, let line = output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
            let report = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let rate = report["eventsPerSecond"] as? Double
        else { throw BenchmarkError("loopline replay failed (\(status)): \(output.suffix(500))") }
        return (rate, peak)
    }
}
