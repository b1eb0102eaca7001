import Postgres
import Projections

/// A read model's dataset (`planning-stories`, ..., `value-stream`), streamed by `COPY … TO
/// STDOUT` from one REPEATABLE READ snapshot: the rows and the projections' checkpoints are
/// read at the same moment, so the manifest says exactly which log position the file reflects.
struct DatasetExport: Sendable {
    let request: ExportRequest
    let dataset: AnalyticsDataset

    func run(client: PostgresClient, started: @escaping @Sendable (ExportManifest) -> Void, write: @escaping Exporter.Write) async throws
        -> ExportManifest
    {
        let (request, dataset, sql) = (request, dataset, copySQL)
        return try await client.withConnection { connection in
            try connection.withTransaction { connection in
                _ = try connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                // The first statement takes the snapshot: the checkpoints are those of the rows.
                let positions = try Self.positions(of: dataset.projections, connection)
                try request.filters.apply(on: connection)
                var manifest = ExportManifest(
                    request, after: request.filters.since ?? 0, through: positions.values.min() ?? 0, positions: positions)
                started(manifest)
                manifest.rows = Int(try connection.copyOut(sql, write))
                return manifest
            }
        }
    }

    /// Each read model's checkpoint; throws `read_model_unavailable` when one is not built.
    static func positions(of projections: [String], _ connection: Connection) throws -> [String: Int64] {
        let rows = try connection.query(
            "SELECT name, position FROM projections WHERE name = ANY($1) AND to_regnamespace(name) IS NOT NULL",
            [PostgresTextArray(projections)])
        var positions: [String: Int64] = [:]
        for row in rows.rows { positions[try row.decode(0, as: String.self)] = try row.decode(1, as: Int64.self) }
        if let missing = projections.first(where: { positions[$0] == nil }) {
            throw ExportError(
                code: "read_model_unavailable",
                message: "the \(missing) read model is not built yet: run `loopline serve` or `loopline work` until it has caught up",
                field: "name")
        }
        return positions
    }

    var copySQL: String {
        let conditions = request.filters.conditions(position: "position", time: dataset.timeColumn, service: "service", team: "team")
        // The dataset's view (schema/views/), so the export and the view never disagree.
        let rows = "FROM \(AnalyticsViews.schema).\(dataset.view) d\(conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")) ORDER BY \(dataset.order)"
        switch request.format {
        case .csv:
            return "COPY (SELECT \(dataset.columns.map(Self.csvColumn).joined(separator: ", ")) \(rows)) TO STDOUT WITH (FORMAT csv, HEADER true)"
        case .jsonl, .cloudevents:
            let members = dataset.columns.map { "'\($0.name)', \($0.kind == .time ? ExportSQL.utc($0.name) : $0.name)" }
            return ExportSQL.lines("json_build_object(\(members.joined(separator: ", ")))", rows)
        }
    }

    /// A column as CSV shows it: times in RFC 3339 UTC, lists as JSON arrays.
    static func csvColumn(_ column: AnalyticsDataset.Column) -> String {
        switch column.kind {
        case .time: "\(ExportSQL.utc(column.name)) AS \(column.name)"
        case .list: "to_json(\(column.name))::text AS \(column.name)"
        case .text, .number: column.name
        }
    }
}
