import EventStore
import Foundation
import LooplineTestSupport
import Postgres
@testable import Projections
import Seeding
import Testing

/// `schema/` holds every table, index, sequence, view and function the service creates: a
/// database that has been migrated, projected and replayed holds nothing else.
@Suite("The catalogue against schema/")
struct SchemaCatalogueTests {
    /// One relation or function of the catalogue, with what decides whether it may exist
    /// without being named in a file.
    struct Found: CustomStringConvertible {
        var object: SchemaDefinitions.Object
        /// `r`, `i`, `S`, `v`, `m`, ... (`pg_class.relkind`), or `f`/`p` (`pg_proc.prokind`).
        var relkind: String
        /// For an index or sequence: the table it belongs to (the index's table, the column that owns the sequence).
        var table: SchemaDefinitions.Object?
        /// An index that backs a primary key, unique or exclusion constraint.
        var backsConstraint: Bool
        /// A sequence owned by a column (serial or identity).
        var ownedByColumn: Bool
        /// `p` permanent, `u` unlogged.
        var persistence: String
        var description: String { "\(object) (\(relkind))" }
    }

    /// What the files define, each object in the schemas its file is run in: the migrations in
    /// `public` (or where they say), a read model's files in its schema and its replay's shadow,
    /// the analytics files in `analytics`.
    static func definitions(_ files: SchemaFiles = TestEnvironment.schemaFiles) throws -> SchemaDefinitions {
        var definitions = SchemaDefinitions()
        for migration in files.migrations { try definitions.add(migration.sql, in: ["public"]) }
        var unclaimed = Set(files.objects.keys)
        for projection in ReadModels.all {
            for file in projection.schemaFiles {
                try definitions.add(try files.sql(file), in: [projection.name, ShadowSchemas.shadow(of: projection.name)])
                unclaimed.remove(file)
            }
        }
        for file in AnalyticsViews.files {
            try definitions.add(try files.sql(file), in: [AnalyticsViews.schema])
            unclaimed.remove(file)
        }
        #expect(unclaimed.isEmpty, "files no read model and no view refresh runs: \(unclaimed.sorted())")
        #expect(definitions.unnamed.isEmpty, "name every object, so the catalogue can be checked: \(definitions.unnamed)")
        return definitions
    }

    /// The indexes of the read models' `indexes/` files, in their shadows.
    static func queryIndexes() throws -> SchemaDefinitions {
        var definitions = SchemaDefinitions()
        for projection in ReadModels.all {
            guard let file = projection.indexesFile else { continue }
            try definitions.add(try TestEnvironment.schemaFiles.sql(file), in: [ShadowSchemas.shadow(of: projection.name)])
        }
        return definitions
    }

    /// Every relation and function outside PostgreSQL's own schemas. `pg_toast` is one of those:
    /// PostgreSQL gives each table with a long column a toast table and index there.
    static func catalogue(_ db: TestDatabase) async throws -> [Found] {
        try await db.client.withConnection { connection in
            let relations = try connection.query(
                """
                SELECT n.nspname, c.relname, c.relkind::text, c.relpersistence::text, tn.nspname, t.relname,
                       EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid AND k.contype IN ('p', 'u', 'x')),
                       d.refobjid IS NOT NULL
                  FROM pg_class c
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                  LEFT JOIN pg_index x ON x.indexrelid = c.oid
                  LEFT JOIN pg_depend d ON c.relkind = 'S' AND d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                       AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
                  LEFT JOIN pg_class t ON t.oid = coalesce(x.indrelid, d.refobjid)
                  LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
                   AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'
                 ORDER BY 1, 2
                """
            ).rows.map { row in
                let table: SchemaDefinitions.Object? = try row.decode(4, as: String?.self).map {
                    SchemaDefinitions.Object(kind: "relation", schema: $0, name: try row.decode(5, as: String.self))
                }
                return Found(
                    object: .init(kind: "relation", schema: try row.decode(0), name: try row.decode(1)),
                    relkind: try row.decode(2), table: table, backsConstraint: try row.decode(6),
                    ownedByColumn: try row.decode(7), persistence: try row.decode(3))
            }
            let functions = try connection.query(
                """
                SELECT n.nspname, p.proname, p.prokind::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2
                """
            ).rows.map { row in
                Found(
                    object: .init(kind: "function", schema: try row.decode(0), name: try row.decode(1)),
                    relkind: try row.decode(2), table: nil, backsConstraint: false, ownedByColumn: false, persistence: "p")
            }
            return relations + functions
        }
    }

    /// What is in the database and not in `schema/`, beyond the justified allowances:
    /// - `schema_migrations`: `Migrator` creates it before the first migration runs, because it
    ///   records which migrations ran (so it cannot be one itself);
    /// - an index that backs a primary key, unique or exclusion constraint of a defined table:
    ///   PostgreSQL creates and names it with the constraint;
    /// - a sequence owned by a column of a defined table (serial, identity): created with it.
    static func undefined(_ found: [Found], _ definitions: SchemaDefinitions) -> [String] {
        let bookkeeping = SchemaDefinitions.Object(kind: "relation", schema: "public", name: "schema_migrations")
        func defined(_ object: SchemaDefinitions.Object?) -> Bool {
            guard let object else { return false }
            return object == bookkeeping || definitions.contains(object)
        }
        return found.filter { found in
            if defined(found.object) { return false }
            if found.relkind == "i" && found.backsConstraint && defined(found.table) { return false }
            if found.relkind == "S" && found.ownedByColumn && defined(found.table) { return false }
            return true
        }.map(\.description)
    }

    @Test("a migrated, projected and replayed database holds no table, index, sequence, view or function that schema/ does not define")
    func onlyWhatSchemaDefines() async throws {
        let definitions = try Self.definitions()
        try await TestDatabase.with { db in
            let commands = HistoryGenerator(seed: 11, events: 2_000, end: Date()).commands()
            let seeded = await Seeder(store: db.store, logger: TestEnvironment.logger()).run(commands, seed: 11)
            #expect(seeded.refused == 0, "\(seeded.refusals)")
            let h = ProjectionHarness(db)
            try await h.withWorkers { _ in try await h.caughtUp() }
            let live = try await Self.catalogue(db)
            #expect(Self.undefined(live, definitions).isEmpty, "live: \(Self.undefined(live, definitions))")
            #expect(live.contains { $0.object == .init(kind: "relation", schema: "analytics", name: "value_stream") }, "the views are there")

            // A replay held at a hole (an open append) while its shadows are built: they hold the
            // same objects as the live models, unlogged, and no query index yet.
            let (taken, release, building) = (Flag(), Flag(), Flag())
            defer { release.set() }
            let holder = Task {
                try await db.appendHoldingTransaction(stream: "story-held", count: 1, until: release, rollback: true, taken: taken)
            }
            try await taken.wait()
            try await h.send("create-story", #"{"storyId": "HELD-1", "title": "Above the hole", "service": "web"}"#)
            let replay = try Replay(
                projections: ReadModels.all, files: TestEnvironment.schemaFiles, store: db.store, client: db.client, logger: TestEnvironment.logger())
            let running = Task { try await replay.run(verify: false) { _ in building.set() } }
            try await building.wait()
            let whileBuilding = try await Self.catalogue(db)
            #expect(Self.undefined(whileBuilding, definitions).isEmpty, "while building: \(Self.undefined(whileBuilding, definitions))")
            let shadows = whileBuilding.filter { $0.object.schema.hasSuffix("_replay") }
            #expect(Set(shadows.map(\.object.schema)).count == ReadModels.all.count, "a shadow per read model")
            #expect(shadows.allSatisfy { $0.persistence == "u" }, "unlogged while built: \(shadows.filter { $0.persistence != "u" })")
            let queryIndexes = try Self.queryIndexes()
            #expect(!queryIndexes.objects.isEmpty)
            let early = shadows.filter { queryIndexes.contains($0.object) }
            #expect(early.isEmpty, "query indexes wait for the bulk load: \(early)")
            release.set()
            _ = try await holder.value
            #expect(try await running.value.swapped)

            let swapped = try await Self.catalogue(db)
            #expect(Self.undefined(swapped, definitions).isEmpty, "after the swap: \(Self.undefined(swapped, definitions))")
            #expect(!swapped.contains { $0.object.schema.hasSuffix("_replay") }, "no shadow is left")
            #expect(swapped.filter { $0.relkind == "r" || $0.relkind == "i" }.allSatisfy { $0.persistence == "p" }, "logged once swapped in")
            #expect(Set(swapped.map(\.object)) == Set(live.map(\.object)), "the replay rebuilt exactly what the workers built")
        }
    }

    @Test("a table a Swift string creates is found: the check above is not vacuous")
    func strayTableIsFound() async throws {
        let definitions = try Self.definitions()
        try await TestDatabase.with { db in
            try await db.client.withConnection { connection in
                _ = try connection.execute("CREATE SCHEMA planning; CREATE TABLE planning.stray (id int PRIMARY KEY)")
            }
            let undefined = Self.undefined(try await Self.catalogue(db), definitions)
            #expect(undefined == ["relation planning.stray (r)", "relation planning.stray_pkey (i)"])
        }
    }
}
