import EventStore
import Foundation
import LooplineTestSupport
import Postgres
import Projections
import Testing

/// docs/operations.md's backup: a `pg_dump` restored into a fresh cluster carries the log as it
/// was, and the read models rebuilt from it are the ones that were dumped.
@Suite("Backup and restore")
struct BackupRestoreTests {
    static let digestSQL = """
        SELECT count(*), coalesce(md5(string_agg(
                   concat_ws('|', global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at),
                   E'\\n' ORDER BY global_position)), '')
        FROM events
        """

    @Test("a pg_dump restored into a fresh cluster has the same log, and a replay there rebuilds the same read models")
    func dumpAndRestore() async throws {
        try await TestDatabase.with { db in
            let h = ProjectionHarness(db)
            try await PlanningReadModelTests.history(h)
            try await DORATests.history(h)
            try await h.withWorkers { _ in try await h.caughtUp() }
            let original = try await Self.digest(db.client)
            #expect(original.0 > 20, "a history worth restoring")

            let dump = FileManager.default.temporaryDirectory.appendingPathComponent("loopline-dump-\(UUID().uuidString).pgdump").path
            defer { try? FileManager.default.removeItem(atPath: dump) }
            try await Self.run("pg_dump", ["--format=custom", "--file=\(dump)", "--dbname=\(db.conninfo)"])

            try await PrivateCluster.with { cluster in
                try await Self.run("pg_restore", ["--exit-on-error", "--no-owner", "--dbname=\(cluster.conninfo)", dump])
                let restored = PostgresClient(configuration: .init(conninfo: cluster.conninfo, maxConnections: 4), logger: TestEnvironment.logger())
                let store = EventStore(client: restored, logger: TestEnvironment.logger())
                #expect(try await Self.digest(restored) == original, "every event, byte for byte, at its position")

                // The read models came along, and they are what the restored log rebuilds.
                let report = try await Replay(
                    projections: ReadModels.all, files: TestEnvironment.schemaFiles, store: store, client: restored,
                    logger: TestEnvironment.logger()
                ).run(verify: true) { _ in }
                #expect(report.verified == true, "\(report.differences)")

                // The position sequence came along too: the next append lands after the restored head.
                let head = try await store.headPosition()
                let appended = try await store.append([NewEvent(type: "StoryCreated", data: #"{"storyId": "R-1"}"#)], to: try StreamName("story-R-1"))
                #expect(appended.events[0].position > head)
            }
        }
    }

    static func digest(_ client: PostgresClient) async throws -> (Int64, String) {
        try await client.withConnection { connection in
            let row = try connection.query(digestSQL)[0]
            return (try row.decode(0, as: Int64.self), try row.decode(1, as: String.self))
        }
    }

    /// Runs a PostgreSQL client program from the server's bin folder (the version that made the cluster).
    static func run(_ program: String, _ arguments: [String]) async throws {
        let bin = try await Subprocess.run("/usr/bin/env", ["pg_config", "--bindir"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let outcome = try await Subprocess.run(bin.isEmpty ? program : "\(bin)/\(program)", arguments)
        guard outcome.status == 0 else { throw SubprocessError(message: "\(program) failed (\(outcome.status)): \(outcome.stderr)") }
    }
}
