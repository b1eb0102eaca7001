public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A newline-delimited client socket for tests of the JSON socket server: raw writes, and
/// line reads with a timeout. Blocking calls run on a thread of their own.
public final class LineSocket: @unchecked Sendable {
    // The descriptor and buffer are only touched by one test task at a time.
    private let descriptor: Int32
    private var buffer = Data()

    public init(port: Int, host: String = "127.0.0.1") throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw SubprocessError(message: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw SubprocessError(message: "connect \(host):\(port): errno \(errno)")
        }
    }

    /// Connects to a Unix domain socket.
    public init(path: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw SubprocessError(message: "socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else {
            close(descriptor)
            throw SubprocessError(message: "socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            bytes.copyBytes(from: path.utf8)
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw SubprocessError(message: "connect \(path): errno \(errno)")
        }
    }

    deinit { close(descriptor) }

    /// Sends bytes exactly as given.
    public func send(_ data: Data) throws {
        try data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                guard written > 0 else { throw SubprocessError(message: "send: errno \(errno)") }
                offset += written
            }
        }
    }

    /// Sends one line (a newline is added).
    public func send(line: String) throws { try send(Data((line + "\n").utf8)) }

    /// The next line, or nil when the peer closed; throws after `timeout` (a hang detector: a
    /// loaded CI machine can take seconds to answer).
    public func readLine(timeout: Duration = .seconds(30)) async throws -> String? {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try self.readLineBlocking(timeout: timeout) }) }.start()
        }
    }

    /// The next line parsed as a JSON object.
    public func readObject(timeout: Duration = .seconds(30)) async throws -> [String: Any] {
        guard let line = try await readLine(timeout: timeout) else { throw SubprocessError(message: "connection closed") }
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw SubprocessError(message: "not a JSON object: \(line)")
        }
        return object
    }

    private func readLineBlocking(timeout: Duration) throws -> String? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<newline]
                buffer = Data(buffer[buffer.index(after: newline)...])
                return String(decoding: line, as: UTF8.self)
            }
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { throw TimeoutError(what: "a line from the socket server") }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)
            guard poll(&poller, 1, max(1, milliseconds)) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = recv(descriptor, &chunk, chunk.count, 0)
            if count <= 0 { return nil }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }
}
