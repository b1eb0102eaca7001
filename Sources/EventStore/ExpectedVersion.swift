/// What an append expects of its stream; a mismatch refuses the append.
public enum ExpectedVersion: Sendable, Hashable, CustomStringConvertible {
    /// No expectation: append whatever the stream holds.
    case any
    /// The stream must not exist yet (same as `exact(0)`).
    case noStream
    /// The stream must already hold at least one event.
    case streamExists
    /// The stream's last event must have exactly this version (1 for the first event).
    case exact(Int64)

    /// Parses `any`, `no-stream`, `exists` or a version number.
    public init(parsing text: String) throws(EventStoreError) {
        switch text {
        case "any": self = .any
        case "no-stream", "no_stream": self = .noStream
        case "exists", "stream-exists": self = .streamExists
        default:
            guard let version = Int64(text), version >= 0 else {
                throw EventStoreError(
                    .invalidArgument, "expected version must be any, no-stream, exists or a number ≥ 0, not \"\(text)\"",
                    field: "expectedVersion")
            }
            self = version == 0 ? .noStream : .exact(version)
        }
    }

    /// The encoding `append_events` takes: NULL any, -1 exists, N exact (0 = no stream).
    var databaseValue: Int64? {
        switch self {
        case .any: nil
        case .noStream: 0
        case .streamExists: -1
        case .exact(let version): version
        }
    }

    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "no-stream"
        case .streamExists: "exists"
        case .exact(let version): String(version)
        }
    }
}
