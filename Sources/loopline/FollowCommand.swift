import ArgumentParser
import EventStore
import Logging
import Postgres
import ServiceLifecycle
import UnixSignals

struct FollowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "follow",
        abstract: "Print every event after a position as JSON lines, then new ones as they commit, until SIGINT or SIGTERM.",
        discussion: """
            Never skips or reorders an event, however many writers there are and however long one holds \
            its transaction open. Survives database restarts. Exits 0 on SIGINT/SIGTERM.
            """)

    @OptionGroup var options: GlobalOptions

    @Option(help: "Start after this position (0 = from the beginning).")
    var from: Int64 = 0

    @Option(help: "Only this category's events (e.g. deployment).")
    var category: String?

    func validate() throws {
        if from < 0 { throw ValidationError("--from must be 0 or more") }
        if let category, !StreamName.isCategory(Substring(category)) { throw ValidationError("--category \(category) is not a category") }
    }

    func run() async throws {
        let logger = options.logger()
        let client = options.client(maxConnections: 3, logger: logger)
        let store = EventStore(client: client, logger: logger)
        let printer = Printer(store: store, from: from, category: category)
        let group = ServiceGroup(
            configuration: .init(
                services: [client, store, printer], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await Output.run { try await group.run() }
    }

    /// Prints the subscription until graceful shutdown.
    struct Printer: Service {
        let store: EventStore
        let from: Int64
        let category: String?

        func run() async throws {
            let events = store.follow(after: from, options: .init(filter: try EventFilter(category: category)))
            for try await event in events.cancelOnGracefulShutdown() {
                Output.line(event.jsonLine)
            }
        }
    }
}
