public import Logging
public import Postgres
public import ServiceLifecycle

/// The event log: append, read, follow, status.
///
/// Run it as a `Service` (after the `PostgresClient`) to wake followers through
/// LISTEN/NOTIFY; without it, followers fall back to polling.
public final class EventStore: Sendable {
    /// The NOTIFY channel every append signals after it commits.
    public static let notificationChannel = "loopline_events"

    public let client: PostgresClient
    let logger: Logger
    let horizon: HorizonTracker
    let wake = LogWake()
    let notifier = AppendNotifier()
    let combiner: AppendCombiner
    private let listener: NotificationListener

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
        self.horizon = HorizonTracker(client: client, logger: logger)
        let writer = AppendWriter(notifier: notifier, wake: wake)
        self.combiner = AppendCombiner(configuration: client.configuration, writers: 2, logger: logger) { batch, connection in
            writer(batch, on: connection)
        }
        self.listener = NotificationListener(
            configuration: client.configuration, channels: [Self.notificationChannel], logger: logger)
    }

    /// Appends and the transactions that carried them, since start.
    public var appendStatistics: AppendStatistics { combiner.statistics }

    /// True while the notification listener is connected (followers wake within
    /// milliseconds); false means they poll.
    public var isListening: Bool { listener.isConnected }
}

/// What the store's writers have done since start.
public struct AppendStatistics: Sendable, Hashable {
    /// Transactions written; `appends / transactions` is how much concurrent appends were combined.
    public var transactions = 0
    /// Appends carried, including refused ones.
    public var appends = 0
    /// Appends refused because the stream was not at the expected version.
    public var conflicts = 0
}

extension EventStore: Service {
    /// Until shutdown: relays notifications of new events to this process's followers, and
    /// sends this process's append notifications to the others (coalesced).
    public func run() async throws {
        let events = listener.events()
        listener.start()
        defer { listener.stop() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [notifier, client, logger] in
                await notifier.run({ try await AppendWriter.notify(client) }, logger: logger)
            }
            for await _ in events.cancelOnGracefulShutdown() {
                // A notification, or a reconnect after which anything may have been missed.
                wake.signal()
            }
            group.cancelAll()
        }
    }
}
