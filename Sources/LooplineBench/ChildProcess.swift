import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion with a clean signal state.
///
/// Foundation's `Process` spawns with the calling thread's signal mask, and the threads of
/// the concurrency pool block SIGALRM, which `pgbench -T` needs to stop: so spawn directly
/// with an empty mask and default dispositions, and wait on a thread of its own.
enum ChildProcess {
    /// The exit status, everything it printed, and its peak resident memory in bytes.
    static func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String, peakBytes: Int) {
        let outputPath = NSTemporaryDirectory() + "loopline-bench-\(UUID().uuidString.prefix(8)).out"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else crosses over: the bench's own sockets (NIO's lack close-on-exec) must not
        // outlive their closing in a child.
        closeDescriptors(from: 3, in: &actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, executable, &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw BenchmarkError("cannot start \(executable): \(String(cString: strerror(spawned)))") }
        let child = pid
        let (status, peakBytes): (Int32, Int) = await withCheckedContinuation { continuation in
            Thread {
                // The peak is the child's own VmHWM, read until it exits: rusage's ru_maxrss would
                // count this (large) process too, whose memory the child shared until its exec.
                var status: Int32 = 0
                var peak = 0
                while true {
                    peak = max(peak, highWaterMark(of: child))
                    let waited = waitpid(child, &status, WNOHANG)
                    if waited == child || (waited < 0 && errno != EINTR) { break }
                    usleep(20_000)
                }
                let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                continuation.resume(returning: (exit, peak))
            }.start()
        }
        return (status, (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "", peakBytes)
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

/// posix_spawn_file_actions_addclosefrom_np (glibc 2.34+), looked up at run time: Swift's Glibc
/// module is built without _GNU_SOURCE, which declares it.
private func closeDescriptors(from lowest: Int32, in actions: inout posix_spawn_file_actions_t) {
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    // Without it, children would hold the parent's sockets again: refuse rather than go on.
    guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else {
        preconditionFailure("posix_spawn_file_actions_addclosefrom_np is missing (glibc 2.34 or later is needed)")
    }
    _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, lowest)
}
