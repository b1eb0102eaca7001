import EventStore
import Postgres

/// Turns a batch's writes into the statements that run, set-wise where it can:
///
/// 1. each table's creations in one `INSERT … SELECT … FROM json_populate_recordset` (tables in
///    the order they first appear, so a row exists before rows that refer to it);
/// 2. updates in waves: wave *n* holds every row's *n*-th update of the batch, one
///    `UPDATE … FROM json_populate_recordset` per table and kind, so each row sees its updates
///    in log order;
/// 3. the plain statements, in log order.
///
/// One statement per table and kind instead of one per event: a replay spends most of its time
/// in per-statement overhead otherwise.
enum WritePlan {
    /// One statement's rows, as the JSON array it takes, written in place: each row an object of
    /// the values' PostgreSQL text forms (each column's input function reads them, as it would
    /// read a parameter).
    struct Group {
        var sql: String
        var json = "["

        mutating func append(_ columns: [String], _ values: [(any PostgresEncodable)?]) {
            json.append(json.utf8.count == 1 ? "{" : ",{")
            for (index, column) in columns.enumerated() {
                if index > 0 { json.append(",") }
                json.append("\"")
                json.append(column)
                json.append("\":")
                if let value = values[index] { JSONText.appendQuoted(value.postgresText, to: &json) } else { json.append("null") }
            }
            json.append("}")
        }
    }

    static func statements(_ writes: [ProjectionWrite]) -> [Statement] {
        var creations: [String: Group] = [:], creationOrder: [String] = []
        var waves: [[String: Group]] = [], waveOrder: [[String]] = []
        var updatesSoFar: [String: Int] = [:]
        var others: [Statement] = []
        for write in writes {
            switch write {
            case .statement(let statement):
                others.append(statement)
            case .create(let table, let columns, let values):
                let list = columns.joined(separator: ", ")
                let sql = "INSERT INTO \(table) (\(list)) SELECT \(list) FROM json_populate_recordset(NULL::\(table), $1::json)"
                if creations[sql] == nil { creationOrder.append(sql) }
                creations[sql, default: Group(sql: sql)].append(columns, values)
            case .update(let table, let key, let set, let columns, let values):
                let match = key.map { "t.\($0) = v.\($0)" }.joined(separator: " AND ")
                let sql = "UPDATE \(table) AS t SET \(set) FROM json_populate_recordset(NULL::\(table), $1::json) AS v WHERE \(match)"
                let keyValues = key.map { column in columns.firstIndex(of: column).flatMap { values[$0]?.postgresText } ?? "" }
                let rowKey = table + "\u{0}" + keyValues.joined(separator: "\u{0}")
                let wave = updatesSoFar[rowKey, default: 0]
                updatesSoFar[rowKey] = wave + 1
                if wave == waves.count {
                    waves.append([:])
                    waveOrder.append([])
                }
                if waves[wave][sql] == nil { waveOrder[wave].append(sql) }
                waves[wave][sql, default: Group(sql: sql)].append(columns, values)
            }
        }
        let grouped = creationOrder.map { creations[$0]! } + waveOrder.indices.flatMap { wave in waveOrder[wave].map { waves[wave][$0]! } }
        return grouped.map { Statement($0.sql, [$0.json + "]"]) } + others
    }
}
