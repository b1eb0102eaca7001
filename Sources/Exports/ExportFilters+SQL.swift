import Foundation
import Postgres

/// COPY takes no parameters, so an export's bounds and filters travel as transaction-local
/// settings, set with parameters, that the COPY's query reads back. Each is read through a
/// scalar subquery: PostgreSQL evaluates it once per statement, not once per row, and can
/// use it as an index bound.
extension ExportFilters {
    /// Sets the settings in the current transaction; `through` is the last log position
    /// (events only).
    func apply(on connection: Connection, through: Int64 = .max) throws {
        _ = try connection.query(
            """
            SELECT set_config('loopline.export_since', $1, true), set_config('loopline.export_through', $2, true),
                   set_config('loopline.export_types', $3, true),
                   set_config('loopline.export_from', coalesce($4::timestamptz, '-infinity')::text, true),
                   set_config('loopline.export_to', coalesce($5::timestamptz, 'infinity')::text, true),
                   set_config('loopline.export_service', coalesce($6, ''), true), set_config('loopline.export_team', coalesce($7, ''), true)
            """,
            [String(since ?? 0), String(through), PostgresTextArray(types).postgresText, from, to, service, team])
    }

    /// The WHERE conditions of the filters that are set, over the given column expressions.
    func conditions(position: String?, time: String, service serviceColumn: String, team teamColumn: String) -> [String] {
        var conditions: [String] = []
        if let position, since != nil { conditions.append("\(position) > \(Self.setting("since", as: "bigint"))") }
        // The outer cast makes it an array expression: ANY((SELECT ...)) would mean a subquery.
        if !types.isEmpty { conditions.append("type = ANY(\(Self.setting("types", as: "text[]"))::text[])") }
        if from != nil { conditions.append("\(time) >= \(Self.setting("from", as: "timestamptz"))") }
        if to != nil { conditions.append("\(time) < \(Self.setting("to", as: "timestamptz"))") }
        if service != nil { conditions.append("\(serviceColumn) = \(Self.setting("service", as: "text"))") }
        if team != nil { conditions.append("\(teamColumn) = \(Self.setting("team", as: "text"))") }
        return conditions
    }

    static func setting(_ name: String, as type: String) -> String {
        "(SELECT current_setting('loopline.export_\(name)')::\(type))"
    }
}
