public import JSON

/// Where and how `loopline serve` listens.
public struct ServerConfiguration: Sendable {
    /// A host and port.
    public struct Address: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// Parses `HOST:PORT` (also `[::1]:PORT`).
        public init(parsing text: String) throws(ServerConfigurationError) {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                (0...65_535).contains(port)
            else {
                throw ServerConfigurationError(message: "address \"\(text)\" must be HOST:PORT, e.g. 127.0.0.1:8080")
            }
            var host = String(text[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { throw ServerConfigurationError(message: "address \"\(text)\" has no host") }
            self.init(host: host, port: port)
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// The HTTP API (default 127.0.0.1:8080: loopback only; port 0 picks a free one).
    public var http: Address
    /// The JSON socket server over TCP (default 127.0.0.1:7411), or none.
    public var socket: Address?
    /// The JSON socket server over a Unix socket at this path, if set.
    public var unixSocket: String?
    /// The largest HTTP command body or webhook delivery accepted (default 1 MiB).
    public var maximumBodyBytes: Int
    /// The key that seals the ingest sources' secrets (see docs/ingest.md).
    public var secretsKeyFile: String
    /// Where the dashboard's files are; nil: beside the binary or installed (`DashboardAssets`).
    public var dashboardDirectory: String?
    /// How long `GET /v1/events/stream` stays silent before a heartbeat comment.
    public var streamHeartbeat: Duration
    /// How long a read with `minPosition` waits for the read side to apply it before 503.
    public var readWait: Duration

    public static let defaultSecretsKeyFile = ".loopline/secrets.key"

    public init(
        http: Address = Address(host: "127.0.0.1", port: 8080), socket: Address? = Address(host: "127.0.0.1", port: 7411),
        unixSocket: String? = nil, maximumBodyBytes: Int = JSONLimits.maximumDocumentBytes,
        secretsKeyFile: String = Self.defaultSecretsKeyFile, dashboardDirectory: String? = nil, streamHeartbeat: Duration = .seconds(15),
        readWait: Duration = .seconds(5)
    ) {
        self.readWait = readWait
        self.streamHeartbeat = streamHeartbeat
        self.dashboardDirectory = dashboardDirectory
        self.http = http
        self.socket = socket
        self.unixSocket = unixSocket
        self.maximumBodyBytes = maximumBodyBytes
        self.secretsKeyFile = secretsKeyFile
    }
}

public struct ServerConfigurationError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
