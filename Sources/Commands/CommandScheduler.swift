/// Which command of an ordered list may start next: commands in order, except that one waits
/// while an earlier command with any of the same keys (the streams it writes and reads) is
/// running or waiting. So each stream sees its commands in list order, and commands on
/// different streams run side by side.
public struct CommandScheduler: Sendable {
    private let keys: [[String]]
    /// The next command not yet looked at.
    private var next = 0
    /// Per key, the commands admitted and not finished, in order; the first may run.
    private var queues: [String: [Int]] = [:]
    private var admitted: [Int: [String]] = [:]
    /// Admitted commands first in all their queues, not started yet.
    private var ready: [Int] = []
    /// Admitted commands that wait for an earlier one.
    private var waiting = 0
    /// Looking further ahead than this only grows the queues: the earliest waiting command
    /// holds up the end of the run anyway.
    private let lookahead: Int

    /// `keys[i]`: the keys of command `i`.
    public init(keys: [[String]], lookahead: Int = 10_000) {
        self.keys = keys
        self.lookahead = lookahead
    }

    /// The command to start now, if one may.
    public mutating func nextReady() -> Int? {
        if let first = ready.indices.min(by: { ready[$0] < ready[$1] }) {
            return ready.remove(at: first)
        }
        while next < keys.count && waiting < lookahead {
            let index = next
            next += 1
            let mine = keys[index]
            admitted[index] = mine
            var blocked = false
            for key in mine {
                if queues[key]?.isEmpty == false { blocked = true }
                queues[key, default: []].append(index)
            }
            if !blocked { return index }
            waiting += 1
        }
        return nil
    }

    /// Records that a started command finished, which may free the next on its keys.
    public mutating func finished(_ index: Int) {
        guard let mine = admitted.removeValue(forKey: index) else { return }
        for key in mine {
            queues[key]?.removeFirst()
            if queues[key]?.isEmpty == true { queues[key] = nil }
        }
        for key in mine {
            guard let head = queues[key]?.first, !ready.contains(head),
                admitted[head]?.allSatisfy({ queues[$0]?.first == head }) == true
            else { continue }
            ready.append(head)
            waiting -= 1
        }
    }
}
