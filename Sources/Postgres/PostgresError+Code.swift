extension PostgresError {
    /// A SQLSTATE. Extensible: any five-character code round-trips, and the ones this
    /// project reacts to have names.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
        public let rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }

        /// The first two characters: the class of the condition (`23` integrity, `08` connection, ...).
        public var errorClass: Substring { rawValue.prefix(2) }
        public var description: String { rawValue }

        // Class 08: connection exception.
        public static let connectionException: Code = "08000"
        public static let connectionFailure: Code = "08006"
        public static let sqlClientUnableToEstablishConnection: Code = "08001"
        // Class 0A: feature not supported (also raised for stale cached plans).
        public static let featureNotSupported: Code = "0A000"
        // Class 22: data exception.
        public static let dataException: Code = "22000"
        public static let stringDataRightTruncation: Code = "22001"
        public static let numericValueOutOfRange: Code = "22003"
        public static let invalidDatetimeFormat: Code = "22007"
        public static let invalidParameterValue: Code = "22023"
        public static let invalidTextRepresentation: Code = "22P02"
        public static let untranslatableCharacter: Code = "22P05"
        public static let characterNotInRepertoire: Code = "22021"
        public static let invalidJSONText: Code = "22032"
        // Class 23: integrity constraint violation.
        public static let notNullViolation: Code = "23502"
        public static let foreignKeyViolation: Code = "23503"
        public static let uniqueViolation: Code = "23505"
        public static let checkViolation: Code = "23514"
        // Class 25 / 40: transaction state and rollback.
        public static let inFailedSQLTransaction: Code = "25P02"
        public static let serializationFailure: Code = "40001"
        public static let deadlockDetected: Code = "40P01"
        // Class 25: invalid transaction state.
        public static let readOnlySQLTransaction: Code = "25006"
        // Class 28 / 3D / 3F: authorization and catalog.
        public static let invalidPassword: Code = "28P01"
        public static let invalidAuthorizationSpecification: Code = "28000"
        public static let invalidCatalogName: Code = "3D000"
        public static let invalidSchemaName: Code = "3F000"
        // Class 42: syntax error or access rule violation.
        public static let syntaxError: Code = "42601"
        public static let insufficientPrivilege: Code = "42501"
        public static let undefinedTable: Code = "42P01"
        public static let undefinedFunction: Code = "42883"
        public static let undefinedColumn: Code = "42703"
        public static let duplicateDatabase: Code = "42P04"
        public static let duplicateObject: Code = "42710"
        // Class 55 / 57: object state and operator intervention.
        public static let objectInUse: Code = "55006"
        public static let lockNotAvailable: Code = "55P03"
        public static let queryCanceled: Code = "57014"
        public static let adminShutdown: Code = "57P01"
        public static let crashShutdown: Code = "57P02"
        public static let cannotConnectNow: Code = "57P03"
        // Class P0: PL/pgSQL.
        public static let raiseException: Code = "P0001"
    }
}
