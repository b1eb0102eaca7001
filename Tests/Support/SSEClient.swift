public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A Server-Sent Events client for tests, on a plain socket: it sends a GET with the given
/// headers, undoes chunked transfer encoding, parses SSE messages, and hands each one to a
/// callback on its own thread until the callback says stop (the connection is then dropped, as
/// a client that goes away would) or the time is up. A callback that sleeps is a slow reader.
public struct SSEClient: Sendable {
    public struct Message: Sendable, Equatable {
        public var id: String?
        public var data: String
        /// The comment lines of a message with no data (`: heartbeat`).
        public var comments: [String]
    }

    public struct Outcome: Sendable {
        public var status: Int
        public var headers: [String: String]
        /// The body of a refusal (a non-200 answer).
        public var body: String
    }

    public let host: String
    public let port: Int

    public init(host: String = "127.0.0.1", port: Int) {
        self.host = host
        self.port = port
    }

    public func stream(
        _ path: String, headers: [String: String] = [:], timeout: TimeInterval = 30,
        _ each: @escaping @Sendable (Message) -> Bool
    ) async throws -> Outcome {
        var head = "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nAccept: text/event-stream\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let (host, port, request) = (host, port, Data((head + "\r\n").utf8))
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try Self.run(host: host, port: port, request: request, timeout: timeout, each) })
            }.start()
        }
    }

    private static func run(host: String, port: Int, request: Data, timeout: TimeInterval, _ each: (Message) -> Bool) throws -> Outcome {
        // Reads wake every second, so the deadline is checked while the stream is idle.
        let fd = try RawHTTPClient.connectedSocket(host: host, port: port, receiveTimeout: 1)
        defer { close(fd) }
        _ = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }

        let deadline = Date().addingTimeInterval(timeout)
        var buffer: [UInt8] = []
        var parser = Parser()
        var outcome: Outcome?
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while Date() < deadline {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count == 0 { break }
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK { continue }
                break
            }
            buffer += chunk[0..<count]
            if outcome == nil {
                guard let end = buffer.firstRange(of: Array("\r\n\r\n".utf8)) else { continue }
                outcome = parseHead(Array(buffer[..<end.lowerBound]))
                buffer.removeSubrange(..<end.upperBound)
                parser.chunked = outcome?.headers["transfer-encoding"]?.lowercased() == "chunked"
                parser.keepRaw = outcome?.status != 200
            }
            if outcome?.status != 200 {
                // A refusal: read its body (Content-Length long), then stop.
                _ = parser.feed(&buffer)
                if let length = outcome?.headers["content-length"].flatMap(Int.init), parser.raw.utf8.count >= length { break }
                continue
            }
            for message in parser.feed(&buffer) where !each(message) { return outcome! }
        }
        guard var result = outcome else { throw SubprocessError(message: "no response from \(host):\(port)") }
        if result.status != 200 { result.body = parser.raw }
        return result
    }

    private static func parseHead(_ bytes: [UInt8]) -> Outcome {
        let lines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Outcome(status: status, headers: headers, body: "")
    }

    /// Chunked decoding, then SSE lines into messages.
    struct Parser {
        var chunked = false
        var remainingInChunk = 0
        var text: [UInt8] = []
        /// The body as text, kept only for a refusal.
        var raw = ""
        var keepRaw = false
        var id: String?
        var data: [String] = []
        var comments: [String] = []

        mutating func feed(_ buffer: inout [UInt8]) -> [Message] {
            var body: [UInt8] = []
            if chunked {
                while true {
                    if remainingInChunk > 0 {
                        let take = min(remainingInChunk, buffer.count)
                        body += buffer[..<take]
                        buffer.removeFirst(take)
                        remainingInChunk -= take
                        if remainingInChunk > 0 { break }
                        continue
                    }
                    // A chunk's size line (after the previous chunk's CRLF).
                    while buffer.starts(with: [13, 10]) { buffer.removeFirst(2) }
                    guard let end = buffer.firstRange(of: [13, 10]) else { break }
                    let size = Int(String(decoding: buffer[..<end.lowerBound], as: UTF8.self).split(separator: ";").first ?? "", radix: 16) ?? 0
                    buffer.removeSubrange(..<end.upperBound)
                    if size == 0 { break }
                    remainingInChunk = size
                }
            } else {
                body = buffer
                buffer.removeAll()
            }
            if keepRaw { raw += String(decoding: body, as: UTF8.self) }
            text += body
            var messages: [Message] = []
            while let newline = text.firstIndex(of: 10) {
                let line = String(decoding: text[..<newline], as: UTF8.self)
                text.removeSubrange(...newline)
                if line.isEmpty {
                    if !data.isEmpty || !comments.isEmpty {
                        messages.append(Message(id: id, data: data.joined(separator: "\n"), comments: comments))
                    }
                    data = []
                    comments = []
                } else if line.hasPrefix(":") {
                    comments.append(String(line.dropFirst()).trimmingCharacters(in: .whitespaces))
                } else if line.hasPrefix("id:") {
                    id = String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces)
                } else if line.hasPrefix("data:") {
                    data.append(String(line.dropFirst(5)).trimmingCharacters(in: .whitespaces))
                }
            }
            return messages
        }
    }
}
