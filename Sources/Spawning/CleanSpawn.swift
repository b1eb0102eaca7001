import Foundation
public import Glibc

/// Starts programs from a process that runs Swift concurrency and NIO, the way they expect
/// to start: with an empty signal mask and default dispositions (the pool's threads block
/// signals, SIGALRM among them, which `pgbench -T` needs to stop), and with no descriptor
/// beyond stdin, stdout and stderr. Sockets made without close-on-exec (NIO's, a test's own)
/// would otherwise live on in the child: a connection the parent closed would send no FIN
/// until the child exits, and a closed listener would keep accepting.
public enum CleanSpawn {
    /// Where the child's stdin, stdout and stderr come from and go to; a nil `stderr` shares stdout.
    public struct Files: Sendable {
        public var stdin: String
        public var stdout: String
        public var stderr: String?

        public init(stdin: String = "/dev/null", stdout: String, stderr: String? = nil) {
            (self.stdin, self.stdout, self.stderr) = (stdin, stdout, stderr)
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Spawns `executable` (looked up on PATH when it has no slash) and returns its pid;
    /// `environment` is "KEY=value" entries, nil for this process's own.
    public static func start(_ executable: String, _ arguments: [String], files: Files, environment: [String]? = nil) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, files.stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, files.stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let stderr = files.stderr {
            posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
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
        let envp = environment.map { $0.map { strdup($0) } + [nil] }
        defer { (argv + (envp ?? [])).forEach { free($0) } }
        var pid: pid_t = 0
        let result =
            if var envp { posix_spawnp(&pid, executable, &actions, &attributes, argv, &envp) } else {
                posix_spawnp(&pid, executable, &actions, &attributes, argv, environ)
            }
        guard result == 0 else { throw Failure(description: "cannot start \(executable): \(String(cString: strerror(result)))") }
        return pid
    }

    /// Waits for `pid` on a thread of its own (never on the concurrency pool, which a blocking
    /// waitpid would hold up) and returns its exit status, or 128 + the signal that killed it.
    /// `poll`, when given, runs about every 20 ms until the exit.
    public static func wait(for pid: pid_t, polling poll: (@Sendable () -> Void)? = nil) async -> Int32 {
        await withCheckedContinuation { continuation in
            Thread {
                var status: Int32 = 0
                while true {
                    poll?()
                    let waited = waitpid(pid, &status, poll == nil ? 0 : WNOHANG)
                    if waited == pid || (waited < 0 && errno != EINTR) { break }
                    if waited == 0 { usleep(20_000) }
                }
                let signalled = status & 0x7f
                continuation.resume(returning: signalled == 0 ? (status >> 8) & 0xff : 128 + signalled)
            }.start()
        }
    }
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
