public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL cluster of a test's own, for tests that restart the server and must not
/// disturb the shared test cluster. Started and stopped through the Makefile's db-* targets.
public final class PrivateCluster: Sendable {
    public let directory: String

    /// The conninfo of its `postgres` database.
    public var conninfo: String { "host=\(directory) port=5432 user=postgres dbname=postgres" }

    private init(directory: String) { self.directory = directory }

    public static func start() async throws -> PrivateCluster {
        let directory = "/tmp/loopline-private-" + UUID().uuidString.prefix(8).lowercased()
        let cluster = PrivateCluster(directory: directory)
        try await cluster.make("db-start", "PG_DURABLE=off")
        return cluster
    }

    /// `pg_ctl restart -m fast`: every session is terminated, the server comes back.
    public func restart() async throws { try await make("db-restart") }

    public func stop() async {
        _ = try? await make("db-stop")
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs a Makefile target through `/bin/sh` on a thread of its own (it blocks in waitpid).
    private func make(_ target: String, _ extra: String...) async throws {
        let log = "\(directory).make.log"
        let command =
            (["env", "-u", "MAKEFLAGS", "-u", "MAKELEVEL", "make", "-s", "--no-print-directory", "-C",
              TestEnvironment.packageRoot.path, target, "PG_DIR=\(directory)", "PG_SOCKET=\(directory)"] + extra)
            .map { "'\($0)'" }.joined(separator: " ") + " > '\(log)' 2>&1"
        let status: Int32 = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: Self.runShell(command)) }.start()
        }
        defer { try? FileManager.default.removeItem(atPath: log) }
        guard status == 0 else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw ClusterError(message: "make \(target) failed (\(status)): \(text)")
        }
    }

    private static func runShell(_ command: String) -> Int32 {
        var pid: pid_t = 0
        let arguments = ["/bin/sh", "-c", command]
        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        guard posix_spawn(&pid, "/bin/sh", nil, nil, &cArguments, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status >> 8) & 0xff
    }

    public struct ClusterError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
