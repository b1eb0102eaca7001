import EventStore
import Foundation
import Lifecycle
import Postgres

/// The schemas a replay builds read models in (`<name>_replay`), beside the live ones.
struct ShadowSchemas: Sendable {
    let projections: [any Projection]
    /// The same files the live models are built from, run in the shadow schemas.
    let files: SchemaFiles
    let client: PostgresClient
    /// For each event type, the indices of the projections that read it.
    private let readers: [String: [Int]]

    init(projections: [any Projection], files: SchemaFiles, client: PostgresClient) {
        self.projections = projections
        self.files = files
        self.client = client
        var readers: [String: [Int]] = [:]
        for (index, projection) in projections.enumerated() {
            for type in projection.eventTypes { readers[type, default: []].append(index) }
        }
        self.readers = readers
    }
    /// Statements per pipeline: the whole pipeline is written before results are read.
    static let pipelineLength = 2_000

    static func shadow(of name: String) -> String { name + "_replay" }

    /// Creates each shadow, empty (a leftover of an interrupted replay is dropped first), from
    /// the projection's own tables file: `search_path` puts its unqualified names in the shadow.
    func create() async throws {
        let tables = try projections.map { try files.sql($0.tablesFile) }
        try await client.withConnection { connection in
            for (projection, tables) in zip(projections, tables) {
                let shadow = Self.shadow(of: projection.name)
                let schema = try connection.quoteIdentifier(shadow)
                try connection.withTransaction { connection in
                    _ = try connection.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE")
                    _ = try connection.execute("CREATE SCHEMA \(schema)")
                    _ = try connection.execute("SET LOCAL search_path TO \(schema)")
                    _ = try connection.execute(tables)
                    // Unlogged while built: no WAL per row (a third of a replay's time), and no
                    // query indexes; `complete` makes them logged and adds the indexes, each once.
                    // Still empty, so this rewrite costs nothing; it takes their indexes along.
                    for table in try Self.tables(in: shadow, on: connection) {
                        _ = try connection.execute("ALTER TABLE \(schema).\(try connection.quoteIdentifier(table)) SET UNLOGGED")
                    }
                }
            }
        }
    }

    /// Decodes the events any of the projections reads, each once for all of them, in chunks
    /// side by side (decoding is most of a replay's own work).
    func decode(_ events: [RecordedEvent]) async throws -> [ProjectedEvent] {
        let chunk = Self.decodeChunk
        return try await withThrowingTaskGroup(of: (Int, [ProjectedEvent]).self) { group in
            for start in stride(from: 0, to: events.count, by: chunk) {
                let slice = events[start..<min(start + chunk, events.count)]
                group.addTask { (start, try decode(slice)) }
            }
            var chunks: [(Int, [ProjectedEvent])] = []
            for try await decoded in group { chunks.append(decoded) }
            return chunks.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }

    static let decodeChunk = 1_000

    private func decode(_ events: ArraySlice<RecordedEvent>) throws -> [ProjectedEvent] {
        var decoded: [ProjectedEvent] = []
        decoded.reserveCapacity(events.count)
        for recorded in events where readers[recorded.type] != nil {
            do {
                decoded.append(try ProjectedEvent(recorded))
            } catch {
                throw ProjectionFailure(position: recorded.position, eventId: recorded.eventId, type: recorded.type, message: "\(error)")
            }
        }
        return decoded
    }

    /// A batch's events for each projection (in the order of `projections`): those it reads.
    func batches(_ batch: [ProjectedEvent]) -> [[ProjectedEvent]] {
        // One lookup per event, not one per event and projection.
        var batches = [[ProjectedEvent]](repeating: [], count: projections.count)
        for event in batch {
            for index in readers[event.type] ?? [] { batches[index].append(event) }
        }
        return batches
    }

    /// Writes events into the shadow of `projections[index]`, those up to `limit`. `roomy` are
    /// the tables already given half-full pages; returns them with those this batch updated.
    func write(_ events: [ProjectedEvent], into index: Int, upTo limit: Int64, roomy: Set<String>) async throws -> Set<String> {
        let projection = projections[index]
        var plan = WritePlan(creations: .copy)
        for event in events where event.position <= limit {
            for write in projection.writes(for: event) { plan.add(write) }
        }
        let updated = plan.updatedTables
        try await run(plan.steps(), in: Self.shadow(of: projection.name), makingRoomIn: updated.subtracting(roomy))
        return roomy.union(updated)
    }

    /// Runs a plan against one shadow: its COPYs, then its statements in pipelines of bounded
    /// length, each its own transaction (a failed replay drops the shadows anyway).
    ///
    /// Tables in `makingRoomIn` get half-full pages from now on: an update of a row copied in
    /// later finds room beside it (a HOT update, no new index entry); `complete` packs the pages
    /// again. Only tables that are updated: the others would be written twice as large for nothing.
    private func run(_ steps: [WritePlan.Step], in schema: String, makingRoomIn tables: Set<String>) async throws {
        guard !steps.isEmpty else { return }
        try await client.withConnection { connection in
            for table in tables.sorted() {
                _ = try connection.execute("ALTER TABLE \(try connection.quoteIdentifier(schema)).\(try connection.quoteIdentifier(table)) SET (fillfactor = 50)")
            }
            // Custom plans: a generic plan made while a shadow table was small would go on
            // joining updates to it by a full scan as it grows (the replay outruns autoanalyze).
            // No waiting for the WAL flush of each commit: a crash loses unlogged shadows anyway,
            // and the swap's own commit is durable.
            _ = try connection.query(
                """
                SELECT set_config('search_path', $1, false), set_config('plan_cache_mode', 'force_custom_plan', false),
                       set_config('synchronous_commit', 'off', false)
                """,
                ["\(schema), public"])
            defer { _ = try? connection.execute("RESET search_path; RESET plan_cache_mode; RESET synchronous_commit") }
            var statements: [Statement] = []
            for step in steps {
                switch step {
                case .copy(let sql, let rows):
                    try connection.copyIn(sql) { writer in try rows.withUnsafeBytes { try writer.write($0) } }
                case .statement(let statement):
                    statements.append(statement)
                }
            }
            for start in stride(from: 0, to: statements.count, by: Self.pipelineLength) {
                _ = try connection.pipelinedTransaction(Array(statements[start..<min(start + Self.pipelineLength, statements.count)]))
            }
        }
    }

    /// Makes the shadows what a live model is once their bulk is in: logged (each table written
    /// to the WAL once, its pages packed) and with their query indexes (each built once).
    /// Outside the leases, so live workers go on meanwhile; the projections side by side.
    func complete() async throws {
        let indexes = try projections.map { try $0.indexesFile.map(files.sql) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (projection, indexes) in zip(projections, indexes) {
                group.addTask {
                    let shadow = Self.shadow(of: projection.name)
                    try await client.withConnection { connection in
                        try connection.withTransaction { connection in
                            let schema = try connection.quoteIdentifier(shadow)
                            for table in try Self.tables(in: shadow, on: connection) {
                                let name = "\(schema).\(try connection.quoteIdentifier(table))"
                                _ = try connection.execute("ALTER TABLE \(name) RESET (fillfactor)")
                                _ = try connection.execute("ALTER TABLE \(name) SET LOGGED")
                            }
                            guard let indexes else { return }
                            _ = try connection.execute("SET LOCAL search_path TO \(schema)")
                            _ = try connection.execute(indexes)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// A shadow's tables, in creation order.
    private static func tables(in shadow: String, on connection: Connection) throws -> [String] {
        try connection.query(
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY c.oid
            """, [shadow]
        ).column(0, as: String.self)
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

    /// Swaps the (completed) shadows in, with their checkpoint, in one transaction; only while
    /// `owner` still holds every lease.
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
                try AnalyticsViews.refresh(files, on: connection)
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
