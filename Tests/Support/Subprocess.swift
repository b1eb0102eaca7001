public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs programs for tests: posix_spawn with default signal handling, output to files, and
/// waitpid on a thread of its own (never on the concurrency pool).
public struct Subprocess: Sendable {
    public let pid: pid_t
    let stdoutPath: String
    let stderrPath: String

    public struct Outcome: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// stdout split into non-empty lines.
        public var lines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    /// Starts `executable` with `arguments`; `environment` entries override the inherited ones
    /// (a nil value removes one).
    public static func start(
        _ executable: String, _ arguments: [String], environment: [String: String?] = [:], stdin: String? = nil
    ) throws -> Subprocess {
        let base = NSTemporaryDirectory() + "loopline-sub-" + UUID().uuidString.prefix(8)
        let (stdoutPath, stderrPath, stdinPath) = (base + ".out", base + ".err", base + ".in")
        FileManager.default.createFile(atPath: stdinPath, contents: Data((stdin ?? "").utf8))
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdinPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Nothing else crosses over. Sockets made without close-on-exec (NIO's, the tests' own)
        // would otherwise live on in the child: a server's "closed" connection would send no
        // FIN until the child exits, and a closed listener would keep accepting.
        closeDescriptors(from: 3, in: &actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw SubprocessError(message: "cannot start \(executable): errno \(result)") }
        try? FileManager.default.removeItem(atPath: stdinPath)  // the child has it open already
        return Subprocess(pid: pid, stdoutPath: stdoutPath, stderrPath: stderrPath)
    }

    /// Runs to completion.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String?] = [:], stdin: String? = nil
    ) async throws -> Outcome {
        try await start(executable, arguments, environment: environment, stdin: stdin).wait()
    }

    public func signal(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the exit and collects the output.
    public func wait() async -> Outcome {
        let pid = pid
        let status: Int32 = await withCheckedContinuation { continuation in
            Thread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                // Exit status, or 128 + signal number when killed by a signal.
                let signalled = status & 0x7f
                continuation.resume(returning: signalled == 0 ? (status >> 8) & 0xff : 128 + signalled)
            }.start()
        }
        defer { for path in [stdoutPath, stderrPath] { try? FileManager.default.removeItem(atPath: path) } }
        return Outcome(status: status, stdout: read(stdoutPath), stderr: read(stderrPath))
    }

    /// What the program has printed so far.
    public func currentOutput() -> String { read(stdoutPath) }

    /// What the program has written to stderr so far.
    public func currentErrors() -> String { read(stderrPath) }

    private func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
}

public struct SubprocessError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
    public init(message: String) { self.message = message }
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
