/// A PostgreSQL snapshot (`pg_current_snapshot()`): which transactions had finished when a
/// statement started.
public struct TransactionSnapshot: Sendable, Hashable {
    /// Every transaction id below `xmin` had finished.
    public var xmin: UInt64
    /// No transaction id at or above `xmax` had started.
    public var xmax: UInt64
    /// The transactions between the two that were still running.
    public var inProgress: Set<UInt64>

    public init(xmin: UInt64, xmax: UInt64, inProgress: Set<UInt64>) {
        self.xmin = xmin
        self.xmax = xmax
        self.inProgress = inProgress
    }

    /// Parses the text form `xmin:xmax:xip1,xip2,...`.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let xmin = UInt64(parts[0]), let xmax = UInt64(parts[1]) else { return nil }
        var inProgress: Set<UInt64> = []
        for item in parts[2].split(separator: ",") {
            guard let xid = UInt64(item) else { return nil }
            inProgress.insert(xid)
        }
        self.init(xmin: xmin, xmax: xmax, inProgress: inProgress)
    }

    /// True when transaction `xid` had not finished when this snapshot was taken.
    public func isRunning(_ xid: UInt64) -> Bool {
        xid >= xmax || inProgress.contains(xid)
    }
}
