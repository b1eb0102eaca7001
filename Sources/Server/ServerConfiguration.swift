/// Where and how `loopline serve` listens.
public struct ServerConfiguration: Sendable {
    /// The HTTP API's bind host (default 127.0.0.1: loopback only, until auth exists).
    public var host: String
    /// The HTTP API's port (default 8080; 0 picks a free one).
    public var port: Int

    public init(host: String = "127.0.0.1", port: Int = 8080) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` (also `[::1]:PORT`).
    public init(address: String) throws(ServerConfigurationError) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
            (0...65_535).contains(port)
        else {
            throw ServerConfigurationError(message: "address \"\(address)\" must be HOST:PORT, e.g. 127.0.0.1:8080")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ServerConfigurationError(message: "address \"\(address)\" has no host") }
        self.init(host: host, port: port)
    }
}

public struct ServerConfigurationError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
