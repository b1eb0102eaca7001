import Lifecycle
import Synchronization

/// The last known state and version of recently used streams, so a command reads only the
/// events appended since (streams such as a metric's grow without bound).
///
/// Safe across processes: a cached entry is a state at a version, and the handler reads
/// every event after that version before deciding; a conflict on append drops the entry.
final class StreamStateCache: Sendable {
    struct Entry: Sendable {
        var state: StreamState
        var version: Int64
    }

    private let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    subscript(stream: String) -> Entry? {
        entries.withLock { $0[stream] }
    }

    func store(_ entry: Entry, for stream: String) {
        entries.withLock { entries in
            // Crude but bounded: start over when full (entries are cheap to rebuild).
            if entries.count >= capacity && entries[stream] == nil { entries.removeAll(keepingCapacity: true) }
            if let existing = entries[stream], existing.version > entry.version { return }
            entries[stream] = entry
        }
    }

    func forget(_ stream: String) {
        _ = entries.withLock { $0.removeValue(forKey: stream) }
    }
}
