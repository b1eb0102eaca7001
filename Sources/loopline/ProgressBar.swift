import Foundation
import Synchronization

/// Progress of long work on stderr: a bar redrawn in place on a terminal, a plain line every
/// few seconds otherwise (logs, CI), so pipes and files never fill with carriage returns.
final class ProgressBar: Sendable {
    let label: String
    let unit: String
    let isTerminal = isatty(STDERR_FILENO) == 1
    private let lastDrawn = Mutex<ContinuousClock.Instant?>(nil)

    init(label: String, unit: String = "events") {
        self.label = label
        self.unit = unit
    }

    /// Reports `done` of `total` after `elapsed`; draws at most 10 times a second on a terminal,
    /// every 5 seconds otherwise.
    func update(done: Int64, total: Int64, elapsed: Duration) {
        let now = ContinuousClock.now
        let due = lastDrawn.withLock { last in
            if let last, now - last < (isTerminal ? .milliseconds(100) : .seconds(5)) { return false }
            last = now
            return true
        }
        guard due || (total > 0 && done >= total) else { return }
        write(line(done: done, total: total, elapsed: elapsed), final: false)
    }

    /// Ends the bar's line.
    func finish(done: Int64, total: Int64, elapsed: Duration) {
        write(line(done: done, total: total, elapsed: elapsed), final: true)
    }

    func line(done: Int64, total: Int64, elapsed: Duration) -> String {
        let seconds = max(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, 1e-3)
        let rate = Double(done) / seconds
        // An unknown total (0): what is done so far, and how fast.
        guard total > 0 else { return "\(label): \(done) \(unit), \(Int(rate)) \(unit)/s, \(Self.clock(seconds))" }
        let fraction = min(1, Double(done) / Double(total))
        let eta = rate > 0 && done < total ? Double(total - done) / rate : 0
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        return "\(label) [\(bar)] \(Int(fraction * 100))% \(done)/\(total) \(unit), \(Int(rate)) \(unit)/s, ETA \(Self.clock(eta))"
    }

    private func write(_ line: String, final: Bool) {
        let text = isTerminal ? "\r\u{1B}[2K" + line + (final ? "\n" : "") : line + "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600
            ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
            : String(format: "%d:%02d", total / 60, total % 60)
    }
}
