import Foundation

/// Raw PostgreSQL inserts with pgbench: the baseline every append figure is compared with.
/// Same table shape, same payload, same number of clients, bind parameters (-M prepared).
struct Pgbench {
    let executable: String

    /// Inserts per transaction: 1, or a 100-row multi-row INSERT.
    func insertRate(database: String, clients: Int, rowsPerTransaction: Int, seconds: Int) async throws -> Double {
        try await insert(database: database, clients: clients, rowsPerTransaction: rowsPerTransaction, seconds: seconds).rate
    }

    /// The same, with every transaction's latency (pgbench's per-transaction log, `-l`).
    func insert(
        database: String, clients: Int, rowsPerTransaction: Int, seconds: Int, logLatency: Bool = false
    ) async throws -> (rate: Double, latency: LatencyDistribution?) {
        let script = Self.script(rows: rowsPerTransaction)
        let folder = NSTemporaryDirectory() + "loopline-pgbench-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let scriptPath = folder + "/insert-\(rowsPerTransaction).sql"
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        let logging = logLatency ? ["-l", "--log-prefix", folder + "/log"] : []
        let output = try await run(
            ["-n", "-M", "prepared", "-c", String(clients), "-j", String(clients), "-T", String(seconds)] + logging + [
                "-D", "data=\(Payload.data)", "-f", scriptPath, database,
            ])
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
            let tps = Double(line.dropFirst(6).split(separator: " ").first ?? "")
        else {
            throw BenchmarkError("pgbench printed no tps:\n\(output)")
        }
        return (tps * Double(rowsPerTransaction), logLatency ? try Self.loggedLatency(in: folder) : nil)
    }

    /// The per-transaction logs' third field: the transaction's latency in microseconds.
    private static func loggedLatency(in folder: String) throws -> LatencyDistribution {
        let logs = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("log.") }
        let samples = try logs.flatMap { name in
            try String(contentsOfFile: folder + "/" + name, encoding: .utf8).split(separator: "\n").compactMap { line in
                line.split(separator: " ").dropFirst(2).first.flatMap { Double($0) }.map { $0 / 1000 }
            }
        }
        guard !samples.isEmpty else { throw BenchmarkError("pgbench wrote no per-transaction log in \(folder)") }
        return LatencyDistribution(samples: samples)
    }

    /// One INSERT of `rows` rows, each with the payload as a bind parameter.
    static func script(rows: Int) -> String {
        let values = (0..<rows).map { _ in
            "(gen_random_uuid(), gen_random_uuid()::text, 1, 'BenchEvent', 1, :data::jsonb, '{}')"
        }
        return "INSERT INTO bench_raw (event_id, stream_id, stream_version, type, schema_version, data, metadata) VALUES "
            + values.joined(separator: ", ") + ";\n"
    }

    private func run(_ arguments: [String]) async throws -> String {
        let (status, output, _) = try await ChildProcess.run(executable, arguments)
        guard status == 0 else { throw BenchmarkError("pgbench failed (\(status)):\n\(output)") }
        return output
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
