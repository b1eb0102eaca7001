import Postgres

/// Turns a batch's writes into what runs, set-wise where it can:
///
/// 1. each table's creations together (tables in the order they first appear, so a row exists
///    before rows that refer to it): one `INSERT … SELECT … FROM json_populate_recordset`
///    statement, or for a replay's shadows one `COPY … FROM STDIN`;
/// 2. updates in waves: wave *n* holds every row's *n*-th update of the batch, one
///    `UPDATE … FROM json_populate_recordset` per table and kind, so each row sees its updates
///    in log order;
/// 3. the plain statements, in log order.
///
/// One statement per table and kind instead of one per event: a replay spends most of its time
/// in per-statement overhead otherwise. Rows are written as bytes in place: a replay formats
/// millions of values, and a String per value was a good part of its CPU time.
struct WritePlan {
    /// How creations reach their table.
    enum Creations {
        /// A statement: a live batch runs it in one pipelined transaction with its checkpoint.
        case statement
        /// `COPY`: nothing for PostgreSQL to parse but the values (a replay's shadows).
        case copy
    }

    /// One thing to run, in order.
    enum Step {
        case statement(Statement)
        case copy(sql: String, rows: [UInt8])
    }

    private struct Group {
        let table: String
        let columns: [String]
        /// The SET list of an update (empty for creations).
        let set: String
        let key: [String]
        var rows: [UInt8] = []
    }

    /// A row an update touches: its table and key values.
    private struct RowKey: Hashable {
        var table: String
        var key: [UInt8]
    }

    private let creationForm: Creations
    private var creations: [Group] = []
    private var waves: [[Group]] = []
    private var updatesSoFar: [RowKey: Int] = [:]
    private var others: [Statement] = []

    init(creations: Creations) {
        self.creationForm = creations
    }

    /// A live batch's statements, every one of them SQL (to pipeline with the checkpoint).
    static func statements(_ writes: [ProjectionWrite]) -> [Statement] {
        var plan = WritePlan(creations: .statement)
        writes.forEach { plan.add($0) }
        return plan.steps().map { step in
            guard case .statement(let statement) = step else { preconditionFailure("a statement plan has no COPY") }
            return statement
        }
    }

    mutating func add(_ write: ProjectionWrite) {
        switch write {
        case .statement(let statement):
            others.append(statement)
        case .create(let table, let columns, let values):
            let index = creations.firstIndex { $0.table == table && $0.columns == columns } ?? {
                creations.append(Group(table: table, columns: columns, set: "", key: []))
                return creations.count - 1
            }()
            switch creationForm {
            case .statement: RowText.appendJSON(columns, values, to: &creations[index].rows)
            case .copy: RowText.appendCopy(values, to: &creations[index].rows)
            }
        case .update(let table, let key, let set, let columns, let values):
            let row = RowKey(table: table, key: RowText.key(key, columns, values))
            let wave = updatesSoFar[row, default: 0]
            updatesSoFar[row] = wave + 1
            if wave == waves.count { waves.append([]) }
            let index = waves[wave].firstIndex { $0.table == table && $0.set == set && $0.columns == columns } ?? {
                waves[wave].append(Group(table: table, columns: columns, set: set, key: key))
                return waves[wave].count - 1
            }()
            RowText.appendJSON(columns, values, to: &waves[wave][index].rows)
        }
    }

    /// The tables the plan updates (`.update` writes).
    var updatedTables: Set<String> { Set(waves.joined().map(\.table)) }

    func steps() -> [Step] {
        let created = creations.map { group -> Step in
            let list = group.columns.joined(separator: ", ")
            switch creationForm {
            case .statement:
                let sql = "INSERT INTO \(group.table) (\(list)) SELECT \(list) FROM json_populate_recordset(NULL::\(group.table), $1::json)"
                return .statement(Statement(sql, [Self.jsonArray(group.rows)]))
            case .copy:
                return .copy(sql: "COPY \(group.table) (\(list)) FROM STDIN", rows: group.rows)
            }
        }
        let updated = waves.flatMap { wave in
            wave.map { group -> Step in
                let match = group.key.map { "t.\($0) = v.\($0)" }.joined(separator: " AND ")
                let sql = "UPDATE \(group.table) AS t SET \(group.set) FROM json_populate_recordset(NULL::\(group.table), $1::json) AS v WHERE \(match)"
                return .statement(Statement(sql, [Self.jsonArray(group.rows)]))
            }
        }
        return created + updated + others.map { .statement($0) }
    }

    /// Comma-separated objects, as the JSON array a statement takes.
    private static func jsonArray(_ objects: [UInt8]) -> PostgresTextBytes {
        var array: [UInt8] = [UInt8(ascii: "[")]
        array.reserveCapacity(objects.count + 2)
        array += objects
        array.append(UInt8(ascii: "]"))
        return PostgresTextBytes(array)
    }
}
