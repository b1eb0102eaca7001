public import EventStore
public import Hummingbird
public import Logging
public import NIOCore

/// Builds the HTTP application: routes over the event store, plus the services it needs
/// (the database client and the store's notification relay) in shutdown order.
///
/// `onServerRunning` receives the bound channel, so a caller that asked for port 0 can
/// learn the real port.
public func buildApplication(
    configuration: ServerConfiguration, store: EventStore, migrator: Migrator, logger: Logger,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = Router()
    HealthController(store: store, migrator: migrator).addRoutes(to: router)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "loopline"),
        // Services stop in reverse order: the server first, then the relay, the client last.
        services: [store.client, store],
        onServerRunning: onServerRunning,
        logger: logger)
}

/// Runs the application until SIGINT or SIGTERM, then shuts down gracefully: the server
/// stops accepting, in-flight requests finish, the relay stops, the pool closes.
public func serve(configuration: ServerConfiguration, store: EventStore, migrator: Migrator, logger: Logger) async throws {
    try await buildApplication(configuration: configuration, store: store, migrator: migrator, logger: logger).runService()
}
