internal import CLibPQ
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One libpq connection. Owns the `PGconn` and closes it on `deinit`.
///
/// Every method blocks the calling thread until the server answers, so a `Connection` is
/// only ever used on a thread made for blocking work (see `PostgresClient`), and by one
/// thread at a time; it is deliberately not `Sendable`.
public final class Connection {
    let handle: OpaquePointer
    /// Statement name per SQL text: each statement is parsed and planned once per connection.
    private var preparedStatements: [String: String] = [:]
    private static let preparedStatementLimit = 512

    /// Opens a connection from a conninfo string or `postgresql://` URL; an empty string
    /// means libpq's defaults and the `PG*` environment variables.
    public init(conninfo: String, applicationName: String = "loopline") throws {
        // Earlier keywords lose to later ones, so the caller's conninfo wins over these defaults.
        let keywords = ["connect_timeout", "fallback_application_name", "dbname"]
        let values = ["10", applicationName, conninfo]
        guard let handle = Self.withCStringArray(keywords, { k in
            Self.withCStringArray(values) { v in PQconnectdbParams(k, v, 1) }
        }) else {
            throw PostgresError.connection("could not allocate a libpq connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let reason = Self.trimmed(PQerrorMessage(handle))
            let target = ConnectionTarget.describe(conninfo: conninfo)
            PQfinish(handle)
            throw PostgresError.connection("could not connect to PostgreSQL (\(target)): \(reason)")
        }
        self.handle = handle
        // Notices (e.g. "relation already exists, skipping") would otherwise go to stderr.
        PQsetNoticeReceiver(handle, { _, _ in }, nil)
        // Fixed session settings make the text formats we decode predictable. (If this throws,
        // deinit closes the handle: self is fully initialised here.)
        try execute("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET client_encoding = 'UTF8'; SET extra_float_digits = 3")
    }

    deinit { PQfinish(handle) }

    /// True while the connection is open and usable.
    public var isOK: Bool { PQstatus(handle) == CONNECTION_OK }

    /// True when the session is outside any transaction block.
    public var isIdle: Bool { PQtransactionStatus(handle) == PQTRANS_IDLE }

    /// The server's backend process id for this session.
    public var backendPID: Int32 { PQbackendPID(handle) }

    /// The server version as an integer, e.g. 150018.
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// Runs one statement with parameters; the statement is prepared once per connection.
    @discardableResult
    public func query(_ sql: String, _ parameters: [(any PostgresEncodable)?] = []) throws -> QueryResult {
        let name = try prepare(sql, parameterCount: parameters.count)
        let result = Self.withParameterValues(parameters) { values in
            PQexecPrepared(handle, name, Int32(parameters.count), values, nil, nil, 0)
        }
        do {
            return try check(result)
        } catch let error as PostgresError where error.code == .featureNotSupported && isIdle {
            // "cached plan must not change result type" after a migration altered a table:
            // plan again once, but only outside a transaction (inside, the transaction is lost).
            forgetPreparedStatement(sql)
            return try query(sql, parameters)
        }
    }

    /// Runs SQL with the simple protocol: no parameters, any number of statements
    /// (migrations, `BEGIN`, `SET`). Returns the last statement's result.
    @discardableResult
    public func execute(_ sql: String) throws -> QueryResult {
        try check(PQexec(handle, sql))
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func withTransaction<T>(_ body: (Connection) throws -> T) throws -> T {
        try execute("BEGIN")
        let value: T
        do {
            value = try body(self)
        } catch {
            if isOK { _ = try? execute("ROLLBACK") }
            throw error
        }
        try execute("COMMIT")
        return value
    }

    /// Quotes an identifier (for the few statements, like LISTEN, that take no parameters).
    public func quoteIdentifier(_ identifier: String) throws -> String {
        guard let quoted = PQescapeIdentifier(handle, identifier, identifier.utf8.count) else {
            throw PostgresError.protocolViolation("could not quote identifier: \(Self.trimmed(PQerrorMessage(handle)))")
        }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }

    /// Quotes a string literal (for the few statements, like CREATE ROLE ... PASSWORD, that take
    /// no parameters).
    public func quoteLiteral(_ literal: String) throws -> String {
        guard let quoted = PQescapeLiteral(handle, literal, literal.utf8.count) else {
            throw PostgresError.protocolViolation("could not quote literal: \(Self.trimmed(PQerrorMessage(handle)))")
        }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }

    /// Hashes a role's password on the client, with the server's `password_encryption` (SCRAM
    /// by default), so the password itself never reaches the server or its logs.
    public func encryptPassword(_ password: String, role: String) throws -> String {
        guard let hashed = PQencryptPasswordConn(handle, password, role, nil) else {
            throw PostgresError.protocolViolation("could not hash the password: \(Self.trimmed(PQerrorMessage(handle)))")
        }
        defer { PQfreemem(hashed) }
        return String(cString: hashed)
    }

    /// Asks the server to cancel whatever this connection is running. Safe from any thread.
    public func cancelHandle() -> CancelHandle? {
        PQgetCancel(handle).map(CancelHandle.init)
    }

    // MARK: - Internals shared by the extensions

    func prepare(_ sql: String, parameterCount: Int) throws -> String {
        if let name = preparedStatements[sql] { return name }
        if preparedStatements.count >= Self.preparedStatementLimit {
            // Bounded cache: forget everything rather than grow without limit.
            _ = try? execute("DEALLOCATE ALL")
            preparedStatements.removeAll()
        }
        let name = "loopline_\(preparedStatements.count + 1)_\(UInt32(truncatingIfNeeded: sql.hashValue))"
        try check(PQprepare(handle, name, sql, Int32(parameterCount), nil))
        preparedStatements[sql] = name
        return name
    }

    private func forgetPreparedStatement(_ sql: String) {
        guard let name = preparedStatements.removeValue(forKey: sql) else { return }
        _ = try? execute("DEALLOCATE \(name)")
    }

    /// Turns a libpq result into a `QueryResult`, or the error it carries into a `PostgresError`.
    @discardableResult
    func check(_ result: OpaquePointer?) throws -> QueryResult {
        guard let result else { throw connectionError() }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE,
            PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_PIPELINE_SYNC:
            return QueryResult(handle: result)
        case PGRES_PIPELINE_ABORTED:
            PQclear(result)
            throw PostgresError(kind: .skipped, message: "not run: an earlier statement in the pipeline failed")
        default:
            let error = serverError(result)
            PQclear(result)
            throw error
        }
    }

    func serverError(_ result: OpaquePointer) -> PostgresError {
        func field(_ code: UInt8) -> String? {
            PQresultErrorField(result, Int32(code)).map { String(cString: $0) }
        }
        let code = field(UInt8(ascii: "C")).map(PostgresError.Code.init(rawValue:))
        let message = field(UInt8(ascii: "M")) ?? Self.trimmed(PQresultErrorMessage(result))
        // The server's errors carry a SQLSTATE; libpq's own ("server closed the connection
        // unexpectedly", on a connection whose server crashed while it was idle) do not, and a
        // FATAL one ends the session: both mean this connection is gone, whatever PQstatus
        // says yet (found by make check-faults: a command got 500 after a database crash).
        let severity = field(UInt8(ascii: "V"))
        let gone = PQstatus(handle) == CONNECTION_BAD || code == nil || severity == "FATAL" || severity == "PANIC"
        let kind: PostgresError.Kind = gone ? .connection : .server
        return PostgresError(
            kind: kind, code: code, message: message,
            detail: field(UInt8(ascii: "D")), hint: field(UInt8(ascii: "H")),
            constraint: field(UInt8(ascii: "n")), table: field(UInt8(ascii: "t")), column: field(UInt8(ascii: "c")))
    }

    func connectionError() -> PostgresError {
        let message = Self.trimmed(PQerrorMessage(handle))
        return .connection(message.isEmpty ? "the connection to PostgreSQL was lost" : message)
    }

    /// libpq's message on one line: its hints come after a newline and a tab, which would
    /// split one log record into several.
    static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "" }
        return String(cString: message).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// Passes parameters as NUL-terminated C strings, NULL for `nil`, valid during `body`.
    /// All of them share one buffer: one allocation per statement, not one per parameter.
    static func withParameterValues<R>(
        _ parameters: [(any PostgresEncodable)?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R
    ) -> R {
        var buffer: [UInt8] = [0]  // never empty, so it always has a base address
        var offsets: [Int?] = []
        offsets.reserveCapacity(parameters.count)
        for parameter in parameters {
            guard let parameter else {
                offsets.append(nil)
                continue
            }
            offsets.append(buffer.count)
            parameter.appendPostgresText(to: &buffer)
            buffer.append(0)
        }
        return buffer.withUnsafeBytes { storage in
            let base = storage.baseAddress!.assumingMemoryBound(to: CChar.self)
            let pointers = offsets.map { offset in offset.map { UnsafePointer(base + $0) } }
            return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
        }
    }

    static func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { $0.map { UnsafePointer($0) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

/// Cancels the statement running on a connection, from any thread.
public final class CancelHandle: @unchecked Sendable {
    // PQcancel is documented as thread-safe; the handle is only freed in deinit.
    private let handle: OpaquePointer

    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { PQfreeCancel(handle) }

    /// Sends the cancel request; returns false when it could not be sent.
    @discardableResult
    public func cancel() -> Bool {
        var buffer = [CChar](repeating: 0, count: 256)
        return PQcancel(handle, &buffer, Int32(buffer.count)) == 1
    }
}
