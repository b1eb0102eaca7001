public import Foundation

/// A PostgreSQL cluster of a test's own, for tests that restart the server and must not
/// disturb the shared test cluster. Started and stopped through the Makefile's db-* targets.
public final class PrivateCluster: Sendable {
    public let directory: String
    public let durability: Durability

    /// How much the cluster does to survive a crash (the Makefile's `PG_DURABLE`).
    public enum Durability: String, Sendable {
        /// `fsync`, `full_page_writes` and `synchronous_commit` on: what users run, and what a
        /// claim that a crash loses nothing must be shown under.
        case users = "on"
        /// All three off: fast, and enough for a restart that is not a crash of the machine.
        case tests = "off"
    }

    /// The conninfo of its `postgres` database.
    public var conninfo: String { "host=\(directory) port=5432 user=postgres dbname=postgres" }

    private init(directory: String, durability: Durability) {
        self.directory = directory
        self.durability = durability
    }

    /// Starts a cluster, runs `body`, and stops and removes the cluster whatever happens.
    public static func with<T: Sendable>(
        durability: Durability = .tests, _ body: (PrivateCluster) async throws -> T
    ) async throws -> T {
        let cluster = try await start(durability: durability)
        let outcome: Result<T, any Error>
        do { outcome = .success(try await body(cluster)) } catch { outcome = .failure(error) }
        await cluster.stop()
        return try outcome.get()
    }

    public static func start(durability: Durability = .tests) async throws -> PrivateCluster {
        let directory = "/tmp/loopline-private-" + UUID().uuidString.prefix(8).lowercased()
        let cluster = PrivateCluster(directory: directory, durability: durability)
        try await cluster.make("db-start", "PG_DURABLE=\(durability.rawValue)")
        return cluster
    }

    /// A streaming replica of this cluster (`pg_basebackup -R`) in a folder of its own; stop it
    /// before this one.
    public func startStandby() async throws -> PrivateCluster {
        let standby = PrivateCluster(directory: "/tmp/loopline-standby-" + UUID().uuidString.prefix(8).lowercased(), durability: durability)
        try await standby.make("db-standby", "PRIMARY_SOCKET=\(directory)", "PG_DURABLE=\(durability.rawValue)")
        return standby
    }

    /// `pg_ctl stop -m immediate`: a crash (every backend killed, no checkpoint); `start` again
    /// recovers from WAL.
    public func crash() async throws { try await make("db-crash") }

    /// Starts it again after `crash` (recovery from WAL).
    public func recover() async throws { try await make("db-start", "PG_DURABLE=\(durability.rawValue)") }

    /// `pg_ctl restart -m fast`: every session is terminated, the server comes back.
    public func restart() async throws { try await make("db-restart") }

    public func stop() async {
        _ = try? await make("db-stop")
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs a Makefile target of this project against this cluster's folder.
    private func make(_ target: String, _ extra: String...) async throws {
        let outcome = try await Subprocess.run(
            "/usr/bin/make",
            ["-s", "--no-print-directory", "-C", TestEnvironment.packageRoot.path, target, "PG_DIR=\(directory)",
             "PG_SOCKET=\(directory)"] + extra,
            environment: ["MAKEFLAGS": nil, "MAKELEVEL": nil])
        guard outcome.status == 0 else {
            throw ClusterError(message: "make \(target) failed (\(outcome.status)): \(outcome.stdout)\(outcome.stderr)")
        }
    }

    public struct ClusterError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
