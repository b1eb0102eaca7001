import Access
import Commands
import EventStore
import Foundation
import JSON
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// The JSON socket server: TCP and/or a Unix socket, one JSON object per line, one task
/// per connection. A `Service`: on graceful shutdown it stops accepting, lets each
/// connection finish what it has in flight, ends subscriptions, and closes.
final class SocketServer: Service {
    /// The longest request line accepted; longer ones get `line_too_long`.
    static let maximumLineBytes = JSONLimits.maximumDocumentBytes

    private let configuration: ServerConfiguration
    private let handler: CommandHandler
    private let store: EventStore
    private let tokens: TokenStore
    private let metrics: ServerMetrics
    private let logger: Logger
    private let onBound: @Sendable (SocketAddress) async -> Void

    init(
        configuration: ServerConfiguration, handler: CommandHandler, store: EventStore, tokens: TokenStore,
        metrics: ServerMetrics, logger: Logger, onBound: @escaping @Sendable (SocketAddress) async -> Void
    ) {
        self.configuration = configuration
        self.handler = handler
        self.store = store
        self.tokens = tokens
        self.metrics = metrics
        self.logger = logger
        self.onBound = onBound
    }

    func run() async throws {
        var addresses: [SocketAddress] = []
        if let tcp = configuration.socket { addresses.append(try SocketAddress.makeAddressResolvingHost(tcp.host, port: tcp.port)) }
        if let path = configuration.unixSocket { addresses.append(try SocketAddress(unixDomainSocketPath: path)) }
        guard !addresses.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        try await withThrowingDiscardingTaskGroup { group in
            for address in addresses {
                let channel = try await bind(address)
                if let local = channel.channel.localAddress { await onBound(local) }
                logger.info("socket server listening", metadata: ["loopline.socket": "\(channel.channel.localAddress.map { "\($0)" } ?? "?")"])
                group.addTask { try await self.accept(on: channel) }
            }
        }
    }

    private func bind(_ address: SocketAddress) async throws -> NIOAsyncChannel<NIOAsyncChannel<JSONLineFrame, ByteBuffer>, Never> {
        if case .unixDomainSocket = address, let path = configuration.unixSocket {
            // A stale socket file from a crashed run would make bind fail.
            try? BaseSocketCleanup.remove(path)
        }
        return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(to: address) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(JSONLineDecoder(maximumBytes: Self.maximumLineBytes)))
                    return try NIOAsyncChannel<JSONLineFrame, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    private func accept(on server: NIOAsyncChannel<NIOAsyncChannel<JSONLineFrame, ByteBuffer>, Never>) async throws {
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await self.serve(connection) }
                    }
                }
            }
        } onGracefulShutdown: {
            // Stop accepting; the connections see the shutdown themselves and wind down.
            server.channel.close(promise: nil)
        }
    }

    private func serve(_ connection: NIOAsyncChannel<JSONLineFrame, ByteBuffer>) async {
        metrics.socketConnections(+1)
        defer { metrics.socketConnections(-1) }
        do {
            try await connection.executeThenClose { inbound, outbound in
                let session = SocketSession(
                    handler: handler, store: store, tokens: tokens, metrics: metrics, logger: logger, outbound: outbound)
                try await session.run(inbound)
            }
        } catch {
            logger.debug("socket connection ended", metadata: ["loopline.error": "\(error)"])
        }
    }
}

/// Removes a leftover Unix socket file before binding.
enum BaseSocketCleanup {
    static func remove(_ path: String) throws {
        // FileManager does not follow a symlink here, as lstat would not.
        guard (try? FileManager.default.attributesOfItem(atPath: path)[.type]) as? FileAttributeType == .typeSocket else { return }
        unlink(path)
    }
}
