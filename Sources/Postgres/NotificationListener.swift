public import Logging
public import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Holds one dedicated connection that `LISTEN`s on a set of channels and fans what it
/// receives out to any number of subscribers.
///
/// The connection lives on its own thread, blocked in `poll` on the socket, so waiting for
/// notifications never occupies the Swift concurrency pool or the client's pool. When the
/// connection breaks (a server restart) it reconnects with backoff and tells subscribers
/// with `.connected`: notifications sent in between are lost, so they must look again.
public final class NotificationListener: Sendable {
    /// What subscribers receive.
    public enum Event: Sendable {
        case notification(Notification)
        /// The listener (re)connected; anything may have happened while it was away.
        case connected
    }

    private struct State {
        var subscribers: [UInt64: AsyncStream<Event>.Continuation] = [:]
        var nextSubscriberID: UInt64 = 0
        var started = false
        var stopped = false
        var connected = false
    }

    private let conninfo: String
    private let applicationName: String
    private let channels: [String]
    private let logger: Logger
    private let outage: OutageLog
    private let state = Mutex(State())
    private let wakeRead: Int32
    private let wakeWrite: Int32

    public init(configuration: PostgresClient.Configuration, channels: [String], logger: Logger) {
        self.conninfo = configuration.conninfo
        self.applicationName = configuration.applicationName + "-listener"
        self.channels = channels
        self.logger = logger
        self.outage = OutageLog(
            failure: "notification listener could not connect; retrying", recovery: "notification listener connected again",
            logger: logger)
        var descriptors: [Int32] = [-1, -1]
        precondition(pipe(&descriptors) == 0, "could not create a pipe: errno \(errno)")
        self.wakeRead = descriptors[0]
        self.wakeWrite = descriptors[1]
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// True while the listening connection is open.
    public var isConnected: Bool { state.withLock { $0.connected } }

    /// A stream of events for one subscriber. Slow subscribers keep only the newest events:
    /// a notification is a wake-up call, and one pending is as good as many.
    public func events() -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(64))
        let id: UInt64? = state.withLock { state in
            guard !state.stopped else { return nil }
            state.nextSubscriberID += 1
            state.subscribers[state.nextSubscriberID] = continuation
            return state.nextSubscriberID
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Starts the listening thread (once).
    public func start() {
        let shouldStart = state.withLock { state in
            defer { state.started = true }
            return !state.started && !state.stopped
        }
        guard shouldStart else { return }
        let thread = Thread { [self] in self.listenLoop() }
        thread.name = "loopline-listener"
        thread.start()
    }

    /// Stops the thread and ends every subscriber's stream.
    public func stop() {
        let subscribers = state.withLock { state in
            state.stopped = true
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        subscribers.forEach { $0.finish() }
    }

    private var isStopped: Bool { state.withLock { $0.stopped } }

    private func broadcast(_ event: Event) {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers { subscriber.yield(event) }
    }

    private func setConnected(_ connected: Bool) {
        state.withLock { $0.connected = connected }
    }

    // MARK: - The listening thread

    private func listenLoop() {
        var backoff = 0.1
        while !isStopped {
            guard let connection = connectAndListen() else {
                waitForWake(seconds: backoff)
                backoff = min(backoff * 2, 5)
                continue
            }
            backoff = 0.1
            setConnected(true)
            broadcast(.connected)
            receive(on: connection)
            setConnected(false)
        }
    }

    private func connectAndListen() -> Connection? {
        do {
            let connection = try Connection(conninfo: conninfo, applicationName: applicationName)
            for channel in channels { try connection.listen(channel) }
            logger.debug("listening for notifications", metadata: ["loopline.channels": "\(channels)"])
            outage.recovered()
            return connection
        } catch {
            outage.failed(error)
            return nil
        }
    }

    /// Delivers notifications until the connection breaks or the listener stops.
    private func receive(on connection: Connection) {
        while !isStopped {
            var descriptors = [
                pollfd(fd: connection.socketDescriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            // A quiet minute ends in a ping, so a silently dead peer is noticed.
            let ready = poll(&descriptors, 2, 60_000)
            if ready < 0 && errno == EINTR { continue }
            do {
                if ready == 0 {
                    try connection.execute("SELECT 1")
                }
                for notification in try connection.consumeNotifications() {
                    broadcast(.notification(notification))
                }
            } catch {
                logger.warning("notification listener lost its connection; reconnecting", metadata: ["loopline.error": "\(error)"])
                return
            }
        }
    }

    private func waitForWake(seconds: Double) {
        var descriptor = pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)
        _ = poll(&descriptor, 1, Int32(seconds * 1000))
    }
}

extension NotificationListener: Service {
    /// Listens until graceful shutdown.
    public func run() async throws {
        start()
        try? await gracefulShutdown()
        stop()
    }
}
