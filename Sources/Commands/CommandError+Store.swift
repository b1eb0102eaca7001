import EventStore

extension CommandError {
    /// A failure of the log, as a command's outcome: the store has already turned database
    /// errors into codes; this gives each the status a command client should act on.
    init(_ error: EventStoreError) {
        switch error.code {
        case .databaseUnavailable:
            self = .databaseUnavailable(error.message)
        case .wrongExpectedVersion:
            self.init(status: 409, code: error.code.rawValue, message: error.message, field: error.field)
        case .databaseError, .missingRelation, .uniqueViolation:
            self.init(status: 500, code: "internal_error", message: error.message)
        default:
            self.init(status: 422, code: error.code.rawValue, message: error.message, field: error.field)
        }
    }

    /// Any failure while handling a command: ours pass through, the log's are mapped above,
    /// the rest are internal.
    init(handling error: any Error) {
        switch error {
        case let error as CommandError: self = error
        case let error as EventStoreError: self.init(error)
        default: self.init(status: 500, code: "internal_error", message: "\(error)")
        }
    }

    static func databaseUnavailable(_ detail: String) -> CommandError {
        CommandError(status: 503, code: "database_unavailable", message: "the database is unavailable; retry later (\(detail))")
    }
}
