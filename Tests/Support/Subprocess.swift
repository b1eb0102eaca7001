public import Foundation
import Glibc
import Spawning

/// Runs programs for tests (started by `CleanSpawn`), output to files.
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

        let pid: pid_t
        do {
            pid = try CleanSpawn.start(
                executable, arguments, files: .init(stdin: stdinPath, stdout: stdoutPath, stderr: stderrPath),
                environment: merged.map { "\($0.key)=\($0.value)" })
        } catch {
            throw SubprocessError(message: "\(error)")
        }
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
        let status = await CleanSpawn.wait(for: pid)
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
