/// The gap-free reading rule, as a pure state machine: how far the log can be read without
/// ever skipping an event that a still-running transaction may yet commit.
///
/// Positions come from a sequence, so a transaction can take position 100, commit after 101,
/// and a reader that already passed 101 would miss 100 forever. The rule (see
/// docs/architecture.md) rests on one fact: every insert takes its transaction id *before*
/// its positions. So when one statement sees position `top`, the owner of any missing
/// position below `top` had its id before that statement's snapshot was taken, and was
/// either still running then or had finished — in which case the position will never be
/// filled (a rolled-back append). A running owner is listed in the snapshot's in-progress
/// ids, unless its id is at or above the snapshot's `xmax` (ids handed out after the last
/// completed one): those the statement lists separately, from the running backends it reads
/// after its snapshot was taken.
///
/// The horizon therefore advances over contiguous positions at once, and over a hole only
/// once every transaction that was in progress when the hole was seen has finished. No
/// timeouts, no global lock, and no event is delivered out of position order.
public struct LogHorizon: Sendable, Hashable {
    /// What one statement saw: its snapshot and the positions above `from`.
    public struct Observation: Sendable, Hashable {
        /// The safe position the statement read from (exclusive).
        public var from: Int64
        public var snapshot: TransactionSnapshot
        /// The highest position visible above `from` (within the statement's window), if any.
        public var highestVisible: Int64?
        /// The lowest missing position between `from` and `highestVisible`, if any.
        public var firstMissing: Int64?
        /// True when the window was full, so more positions may lie above `highestVisible`.
        public var windowFull: Bool
        /// Transactions running at or above the snapshot's `xmax`, which the snapshot does not
        /// list (read after the snapshot was taken; only needed when there is a hole).
        public var runningAboveXmax: Set<UInt64>

        public init(
            from: Int64, snapshot: TransactionSnapshot, highestVisible: Int64?, firstMissing: Int64?, windowFull: Bool,
            runningAboveXmax: Set<UInt64> = []
        ) {
            self.from = from
            self.snapshot = snapshot
            self.highestVisible = highestVisible
            self.firstMissing = firstMissing
            self.windowFull = windowFull
            self.runningAboveXmax = runningAboveXmax
        }

        /// Every transaction that may own a hole seen by this statement.
        var possibleOwners: Set<UInt64> {
            snapshot.inProgress.union(runningAboveXmax.filter { $0 >= snapshot.xmax })
        }
    }

    /// A hole the horizon is waiting at: everything up to `upTo` is final once the
    /// transactions in `waitingOn` have finished.
    public struct Fence: Sendable, Hashable {
        public var upTo: Int64
        public var waitingOn: Set<UInt64>

        public init(upTo: Int64, waitingOn: Set<UInt64>) {
            self.upTo = upTo
            self.waitingOn = waitingOn
        }
    }

    /// What the caller should do after an observation.
    public enum Next: Sendable, Hashable {
        /// Read again at once: the horizon moved and more may be readable.
        case readAgain
        /// Nothing more is visible; wait for new appends.
        case caughtUp
        /// Held at a hole; check again soon (these transactions must finish first).
        case blocked(Set<UInt64>)
    }

    /// Every position up to here is final: visible, or never to be filled.
    public private(set) var safePosition: Int64
    public private(set) var fence: Fence?
    /// How many times readers had to wait at a hole; a measure of write contention.
    public private(set) var fencesRaised = 0

    public init(safePosition: Int64 = 0) {
        self.safePosition = safePosition
    }

    /// Folds one statement's observation into the horizon.
    public mutating func observe(_ observation: Observation) -> Next {
        let fenceResolved = resolveFence(with: observation.snapshot)
        if fenceResolved || observation.from != safePosition {
            // Positions above the old fence were judged against an older horizon: look again.
            return .readAgain
        }
        guard let top = observation.highestVisible, top > safePosition else {
            return fence.map { .blocked($0.waitingOn) } ?? .caughtUp
        }
        if let hole = observation.firstMissing, hole <= top {
            advance(to: hole - 1)
            let owners = observation.possibleOwners
            if owners.isEmpty {
                // Nobody was running: every hole below `top` is final.
                advance(to: top)
            } else if fence == nil {
                fence = Fence(upTo: top, waitingOn: owners)
                fencesRaised += 1
            }
        } else {
            advance(to: top)
        }
        if let fence { return .blocked(fence.waitingOn) }
        return observation.windowFull ? .readAgain : .caughtUp
    }

    /// Narrows the fence to the transactions still able to fill a hole, e.g. those that
    /// hold a lock on the log table; see `HorizonTracker`.
    public mutating func restrictFence(to candidates: (UInt64) -> Bool) {
        guard var current = fence else { return }
        current.waitingOn = current.waitingOn.filter(candidates)
        fence = current
        if current.waitingOn.isEmpty { release(current) }
    }

    private mutating func resolveFence(with snapshot: TransactionSnapshot) -> Bool {
        guard var current = fence else { return false }
        current.waitingOn = current.waitingOn.filter(snapshot.isRunning)
        fence = current
        guard current.waitingOn.isEmpty else { return false }
        release(current)
        return true
    }

    private mutating func release(_ fence: Fence) {
        self.fence = nil
        advance(to: fence.upTo)
    }

    private mutating func advance(to position: Int64) {
        safePosition = max(safePosition, position)
        if let fence, fence.upTo <= safePosition { self.fence = nil }
    }
}
