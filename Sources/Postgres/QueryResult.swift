internal import CLibPQ

/// The rows of one statement's result. Owns the libpq result and frees it on `deinit`.
///
/// A `PGresult` is read-only once created, and libpq documents that it may be passed
/// freely between threads; hence the unchecked `Sendable`.
public final class QueryResult: @unchecked Sendable {
    private let handle: OpaquePointer

    /// Number of rows returned.
    public let count: Int
    /// Number of columns per row.
    public let columnCount: Int

    init(handle: OpaquePointer) {
        self.handle = handle
        self.count = Int(PQntuples(handle))
        self.columnCount = Int(PQnfields(handle))
    }

    deinit { PQclear(handle) }

    var status: ExecStatusType { PQresultStatus(handle) }

    /// Rows affected, from the command tag (`INSERT 0 5` → 5); 0 when there is none.
    public var affectedRows: Int64 {
        guard let tuples = PQcmdTuples(handle) else { return 0 }
        return Int64(String(cString: tuples)) ?? 0
    }

    /// The index of the column with this name, if any.
    public func columnIndex(_ name: String) -> Int? {
        let index = PQfnumber(handle, name)
        return index < 0 ? nil : Int(index)
    }

    /// The row at `index`.
    public subscript(index: Int) -> Row {
        precondition(index >= 0 && index < count, "row \(index) out of range 0..<\(count)")
        return Row(result: self, index: Int32(index))
    }

    /// All rows in order.
    public var rows: [Row] { (0..<count).map { self[$0] } }

    /// Decodes one column of every row.
    public func column<T: PostgresDecodable>(_ column: Int, as type: T.Type = T.self) throws -> [T] {
        try (0..<count).map { try self[$0].decode(column, as: type) }
    }

    fileprivate func withValue<T>(
        row: Int32, column: Int, _ body: (UnsafeBufferPointer<UInt8>?) throws -> T
    ) throws -> T {
        guard column >= 0 && column < columnCount else {
            throw PostgresError.decoding("column \(column) out of range 0..<\(columnCount)")
        }
        let field = Int32(column)
        if PQgetisnull(handle, row, field) == 1 { return try body(nil) }
        let length = Int(PQgetlength(handle, row, field))
        return try PQgetvalue(handle, row, field).withMemoryRebound(to: UInt8.self, capacity: length) {
            try body(UnsafeBufferPointer(start: $0, count: length))
        }
    }
}

/// One row of a `QueryResult`; decodes columns by index.
public struct Row: Sendable {
    let result: QueryResult
    let index: Int32

    /// Decodes column `column` as `T`; an optional `T` reads SQL NULL as `nil`.
    public func decode<T: PostgresDecodable>(_ column: Int, as type: T.Type = T.self) throws -> T {
        try result.withValue(row: index, column: column) { text in
            guard let text else { return try T.postgresNull() }
            return try T(postgresText: text)
        }
    }

    /// True when column `column` is SQL NULL.
    public func isNull(_ column: Int) throws -> Bool {
        try result.withValue(row: index, column: column) { $0 == nil }
    }

    /// Calls `body` with the raw text bytes of a column (nil for NULL), without copying.
    public func withText<T>(_ column: Int, _ body: (UnsafeBufferPointer<UInt8>?) throws -> T) throws -> T {
        try result.withValue(row: index, column: column, body)
    }
}
