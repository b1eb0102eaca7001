/// A refusal or failure of the event log, with a stable machine-readable code.
public struct EventStoreError: Error, Sendable, CustomStringConvertible {
    /// Stable codes: clients and scripts match on these, so they never change meaning.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The stream is not at the expected version; `actualVersion` says where it is.
        public static let wrongExpectedVersion = Code(rawValue: "wrong_expected_version")
        /// An event id is already recorded, but not as this same append.
        public static let duplicateEventId = Code(rawValue: "duplicate_event_id")
        public static let invalidStream = Code(rawValue: "invalid_stream")
        public static let invalidEventType = Code(rawValue: "invalid_event_type")
        public static let invalidJSON = Code(rawValue: "invalid_json")
        public static let invalidArgument = Code(rawValue: "invalid_argument")
        /// An event's data and metadata exceed `EventStore.maximumEventBytes`.
        public static let eventTooLarge = Code(rawValue: "event_too_large")
        /// The database schema is missing migrations this build needs, or has newer ones; or a
        /// file of `schema/` is missing, misnamed or unreadable.
        public static let schemaMismatch = Code(rawValue: "schema_mismatch")
        /// PostgreSQL could not be reached, or the connection broke.
        public static let databaseUnavailable = Code(rawValue: "database_unavailable")
        /// A table or schema the statement needs does not exist (e.g. a read model not built yet).
        public static let missingRelation = Code(rawValue: "missing_relation")
        /// A row would break a unique constraint; `constraint` names it.
        public static let uniqueViolation = Code(rawValue: "unique_violation")
        /// PostgreSQL refused a statement for a reason not mapped to a code above.
        public static let databaseError = Code(rawValue: "database_error")
    }

    public var code: Code
    public var message: String
    /// The input field at fault, when there is one.
    public var field: String?
    /// For `wrongExpectedVersion`: the stream's version when the append was refused.
    public var actualVersion: Int64?
    /// For `uniqueViolation`: the constraint's name.
    public var constraint: String?

    public init(
        _ code: Code, _ message: String, field: String? = nil, actualVersion: Int64? = nil, constraint: String? = nil
    ) {
        self.code = code
        self.message = message
        self.field = field
        self.actualVersion = actualVersion
        self.constraint = constraint
    }

    public var description: String { "\(code): \(message)" }
}
