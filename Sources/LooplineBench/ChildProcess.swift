import Foundation
import Glibc
import Spawning
import Synchronization

/// Runs a program to completion (see `CleanSpawn` for why not Foundation's `Process`).
enum ChildProcess {
    /// The exit status, everything it printed, and its peak resident memory in bytes.
    /// `environment`: "KEY=value" entries, nil for this process's own.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String]? = nil
    ) async throws -> (status: Int32, output: String, peakBytes: Int) {
        let outputPath = NSTemporaryDirectory() + "loopline-bench-\(UUID().uuidString.prefix(8)).out"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let child: pid_t
        do {
            child = try CleanSpawn.start(executable, arguments, files: .init(stdout: outputPath), environment: environment)
        } catch {
            throw BenchmarkError("\(error)")
        }
        // The peak is the child's own VmHWM, read until it exits: rusage's ru_maxrss would
        // count this (large) process too, whose memory the child shared until its exec.
        let peak = Mutex(0)
        let status = await CleanSpawn.wait(for: child) {
            let now = highWaterMark(of: child)
            peak.withLock { $0 = max($0, now) }
        }
        return (status, (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "", peak.withLock { $0 })
    }
}

/// A process's peak resident memory so far (VmHWM), in bytes; 0 once it is gone.
func highWaterMark(of pid: pid_t) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
        let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    else { return 0 }
    return kilobytes * 1024
}
