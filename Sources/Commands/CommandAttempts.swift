import Lifecycle

/// The retry rule of `CommandHandler`, as a value: after each attempt's outcome, decide again
/// (and how) or give up. It does no I/O, so every path is tested directly.
///
/// The first attempt decides without reading the stream: on the cached state, or as a new
/// stream. An append only lands if the stream really was at that version, so a stale guess
/// costs one conflict and a read, never a wrong event. A refusal is only as good as the state
/// behind it, so a refusal on a guessed state is confirmed on a fresh read too.
struct CommandAttempts: Sendable, Equatable {
    /// What the handler does next.
    enum Next: Sendable, Equatable {
        /// Decide again on a fresh read of the stream, after a random pause of this many
        /// microseconds (nil: at once).
        case retry(pauseMicroseconds: ClosedRange<Int>?)
        case fail(CommandError)
    }

    let maximum: Int
    let stream: String
    /// The attempt under way, from 1.
    private(set) var attempt = 1
    /// Whether this attempt decides on a fresh read (false: on the cached or empty state).
    private(set) var readsFresh = false

    init(maximum: Int, stream: String) {
        self.maximum = maximum
        self.stream = stream
    }

    /// The decider refused the command.
    mutating func refused(_ error: DomainError) -> Next {
        if !readsFresh && !error.isRequestError { return advance(pause: nil) }
        return .fail(
            CommandError(status: error.isRequestError ? 422 : 409, code: error.code, message: error.message, field: error.field))
    }

    /// Another writer appended to the stream first.
    mutating func conflicted() -> Next {
        // Writers racing for one stream pause a short random while, so they stop colliding;
        // the first conflict is usually a stale cache, not a race, and retries at once.
        advance(pause: readsFresh ? 100...(1000 * attempt) : nil)
    }

    private mutating func advance(pause: ClosedRange<Int>?) -> Next {
        guard attempt < maximum else {
            return .fail(
                CommandError(
                    status: 409, code: "concurrency_conflict",
                    message: "stream \(stream) kept changing during \(maximum) attempts; retry the command"))
        }
        attempt += 1
        readsFresh = true
        return .retry(pauseMicroseconds: pause)
    }
}
