import EventStore
import Foundation
import Lifecycle
import Postgres

/// The schemas a replay builds read models in (`<name>_replay`), beside the live ones.
struct ShadowSchemas: Sendable {
    let projections: [any Projection]
    let client: PostgresClient
    /// Statements per pipeline: the whole pipeline is written before results are read.
    static let pipelineLength = 2_000

    static func shadow(of name: String) -> String { name + "_replay" }

    /// Creates each shadow, empty (a leftover of an interrupted replay is dropped first).
    func create() async throws {
        try await client.withConnection { connection in
            for projection in projections {
                let schema = try connection.quoteIdentifier(Self.shadow(of: projection.name))
                try connection.withTransaction { connection in
                    _ = try connection.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE")
                    _ = try connection.execute("CREATE SCHEMA \(schema)")
                    _ = try connection.execute("SET LOCAL search_path TO \(schema)")
                    // Unlogged while built: no WAL per row (a third of a replay's time); the swap
                    // makes them logged, writing each table to the WAL once.
                    _ = try connection.execute(projection.tablesSQL.replacingOccurrences(of: "CREATE TABLE", with: "CREATE UNLOGGED TABLE"))
                }
            }
        }
    }

    /// Decodes the events any of the projections reads, each once for all of them.
    func decode(_ events: [RecordedEvent]) throws -> [ProjectedEvent] {
        let wanted = projections.reduce(into: Set<String>()) { $0.formUnion($1.eventTypes) }
        var decoded: [ProjectedEvent] = []
        decoded.reserveCapacity(events.count)
        for recorded in events where wanted.contains(recorded.type) {
            do {
                decoded.append(try ProjectedEvent(recorded))
            } catch {
                throw ProjectionFailure(position: recorded.position, eventId: recorded.eventId, type: recorded.type, message: "\(error)")
            }
        }
        return decoded
    }

    /// Applies decoded events to every shadow, each up to its limit, the projections side by side.
    func apply(_ batch: [ProjectedEvent], limits: [String: Int64]) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for projection in projections {
                let limit = limits[projection.name] ?? 0
                group.addTask {
                    let types = projection.eventTypes
                    var writes: [ProjectionWrite] = []
                    for event in batch where event.position <= limit && types.contains(event.type) {
                        writes += projection.writes(for: event)
                    }
                    try await run(WritePlan.statements(writes), in: Self.shadow(of: projection.name))
                }
            }
            try await group.waitForAll()
        }
    }

    /// Runs statements against one shadow, in pipelines of bounded length, one transaction each.
    private func run(_ statements: [Statement], in schema: String) async throws {
        guard !statements.isEmpty else { return }
        try await client.withConnection { connection in
            _ = try connection.query("SELECT set_config('search_path', $1, false)", ["\(schema), public"])
            defer { _ = try? connection.execute("RESET search_path") }
            for start in stride(from: 0, to: statements.count, by: Self.pipelineLength) {
                _ = try connection.pipelinedTransaction(Array(statements[start..<min(start + Self.pipelineLength, statements.count)]))
            }
        }
    }

    /// Every row that is in a live model and not its shadow, or the other way round.
    func compare() async throws -> [Replay.Difference] {
        try await client.withConnection { connection in
            var differences: [Replay.Difference] = []
            for projection in projections {
                let (live, shadow) = (projection.name, Self.shadow(of: projection.name))
                let tables = try connection.query(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name", [shadow]
                ).column(0, as: String.self)
                let liveTables = Set(try connection.query(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = $1", [live]
                ).column(0, as: String.self))
                for table in tables {
                    guard liveTables.contains(table) else {
                        differences.append(.init(projection: live, table: table, side: "rebuilt_only", rows: -1, examples: ["the live model has no such table"]))
                        continue
                    }
                    let liveName = "\(try connection.quoteIdentifier(live)).\(try connection.quoteIdentifier(table))"
                    let shadowName = "\(try connection.quoteIdentifier(shadow)).\(try connection.quoteIdentifier(table))"
                    for (side, left, right) in [("live_only", liveName, shadowName), ("rebuilt_only", shadowName, liveName)] {
                        let rows = try connection.execute(
                            "SELECT count(*) OVER (), row_to_json(d)::text FROM (SELECT * FROM \(left) EXCEPT ALL SELECT * FROM \(right)) d LIMIT 5"
                        ).rows
                        guard let first = rows.first else { continue }
                        differences.append(.init(
                            projection: live, table: table, side: side, rows: try first.decode(0),
                            examples: try rows.map { try $0.decode(1) }))
                    }
                }
            }
            return differences
        }
    }

    /// Swaps the shadows in, with their checkpoint, in one transaction; only while `owner`
    /// still holds every lease.
    func swap(owner: String, position: Int64, recordedAt: Date?) async throws {
        try await client.withConnection { connection in
            try connection.withTransaction { connection in
                for projection in projections {
                    let held = try connection.query(
                        "SELECT 1 FROM projections WHERE name = $1 AND owner = $2 FOR UPDATE", [projection.name, owner]
                    ).count == 1
                    guard held else { throw ProjectionLeaseLost(name: projection.name) }
                    let live = try connection.quoteIdentifier(projection.name)
                    let shadow = try connection.quoteIdentifier(Self.shadow(of: projection.name))
                    // Referenced tables first (creation order): a logged table may not refer to an unlogged one.
                    let tables = try connection.query(
                        """
                        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY c.oid
                        """, [Self.shadow(of: projection.name)]
                    ).column(0, as: String.self)
                    for table in tables {
                        _ = try connection.execute("ALTER TABLE \(shadow).\(try connection.quoteIdentifier(table)) SET LOGGED")
                    }
                    _ = try connection.execute("DROP SCHEMA IF EXISTS \(live) CASCADE")
                    _ = try connection.execute("ALTER SCHEMA \(shadow) RENAME TO \(live)")
                    _ = try connection.query(
                        """
                        UPDATE projections SET version = $2, position = $3, position_recorded_at = $4, state = 'running',
                               last_error = NULL, owner = NULL, lease_until = NULL, updated_at = now()
                         WHERE name = $1
                        """, [projection.name, projection.version, position, recordedAt])
                }
                // The drops took the analytics views over the old tables with them.
                try AnalyticsViews.refresh(on: connection)
            }
        }
    }

    func drop() async throws {
        try await client.withConnection { connection in
            for projection in projections {
                _ = try connection.execute("DROP SCHEMA IF EXISTS \(try connection.quoteIdentifier(Self.shadow(of: projection.name))) CASCADE")
            }
        }
    }
}
