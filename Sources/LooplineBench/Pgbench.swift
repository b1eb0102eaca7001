import Foundation

/// Raw PostgreSQL inserts with pgbench: the baseline every append figure is compared with.
/// Same table shape, same payload, same number of clients, bind parameters (-M prepared).
struct Pgbench {
    let executable: String

    /// Inserts per transaction: 1, or a 100-row multi-row INSERT.
    func insertRate(database: String, clients: Int, rowsPerTransaction: Int, seconds: Int) async throws -> Double {
        let script = Self.script(rows: rowsPerTransaction)
        let scriptPath = NSTemporaryDirectory() + "loopline-bench-\(rowsPerTransaction).sql"
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: scriptPath) }
        let output = try await run([
            "-n", "-M", "prepared", "-c", String(clients), "-j", String(clients), "-T", String(seconds),
            "-D", "data=\(Payload.data)", "-f", scriptPath, database,
        ])
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
            let tps = Double(line.dropFirst(6).split(separator: " ").first ?? "")
        else {
            throw BenchmarkError("pgbench printed no tps:\n\(output)")
        }
        return tps * Double(rowsPerTransaction)
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
