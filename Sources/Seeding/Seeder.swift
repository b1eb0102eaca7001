public import Commands
public import EventStore
public import Foundation
import JSON
public import Logging
import Lifecycle

/// Runs a generated history through the real command handler, several commands at a time.
///
/// Every command is validated and recorded exactly as one from a client would be. Commands run
/// concurrently, but a command never starts before the commands generated ahead of it on the
/// streams it writes or reads have finished, so each stream sees its commands in order.
/// Each command carries an idempotency key derived from the seed and its index: running the
/// same history again replays the recorded outcomes and writes nothing twice.
public struct Seeder: Sendable {
    /// How far a run has got.
    public struct Progress: Sendable, Hashable {
        /// Commands finished (recorded, replayed or refused).
        public var done: Int
        public var total: Int
        /// Commands (one event each) finished per second, since the run began.
        public var eventsPerSecond: Double
        /// Since the run began.
        public var elapsed: Duration
    }

    /// What a run did.
    public struct Summary: Sendable, Hashable, Codable {
        public var seed: UInt64
        public var commands: Int
        /// Events this run appended.
        public var events: Int
        /// Commands an earlier run had already recorded.
        public var replayed: Int
        /// Commands refused or failed; a correct history has none.
        public var refused: Int
        /// The first few refusals: `#index command: code: message`.
        public var refusals: [String]
        public var seconds: Double
        public var eventsPerSecond: Double
    }

    /// The caller the seeded commands are recorded as; idempotency keys are scoped to it.
    public static let caller = (id: "5eed5eed-0000-4000-8000-000000000001", name: "loopline-seed")
    /// How many refusals a summary quotes.
    static let quotedRefusals = 5
    /// Attempts for a command that meets an unavailable database (idempotency keys make retries safe).
    static let attempts = 5

    public let store: EventStore
    public let handler: CommandHandler
    /// Commands in flight at most.
    public let concurrency: Int
    private let logger: Logger

    /// A seeder over the store; `handler` defaults to a handler with the default policy.
    public init(store: EventStore, handler: CommandHandler? = nil, concurrency: Int = 8, logger: Logger) {
        self.store = store
        self.handler = handler ?? CommandHandler(store: store, logger: logger)
        self.concurrency = max(1, concurrency)
        self.logger = logger
    }

    /// The idempotency key of the command at `index` of a history of `count` commands.
    public static func idempotencyKey(seed: UInt64, count: Int, index: Int) -> String {
        "loopline-seed:\(seed):\(count):\(index)"
    }

    /// Handles the commands, reporting progress after each one, and sums up.
    public func run(
        _ commands: [GeneratedCommand], seed: UInt64, progress: (Progress) -> Void = { _ in }
    ) async -> Summary {
        let started = ContinuousClock.now
        var summary = Summary(
            seed: seed, commands: commands.count, events: 0, replayed: 0, refused: 0, refusals: [], seconds: 0,
            eventsPerSecond: 0)
        var scheduler = StreamScheduler(commands: commands)
        let handler = handler
        let logger = logger
        await withTaskGroup(of: Outcome.self) { group in
            var inFlight = 0
            var done = 0
            while true {
                while inFlight < concurrency, let index = scheduler.nextReady() {
                    let command = commands[index]
                    let key = Self.idempotencyKey(seed: seed, count: commands.count, index: index)
                    group.addTask {
                        Outcome(index: index, result: await Self.handle(command, key: key, with: handler, logger: logger))
                    }
                    inFlight += 1
                }
                guard let outcome = await group.next() else { break }
                inFlight -= 1
                done += 1
                scheduler.finished(outcome.index)
                switch outcome.result {
                case .success(let result) where result.replayed:
                    summary.replayed += 1
                case .success(let result):
                    summary.events += result.events.count
                case .failure(let error):
                    summary.refused += 1
                    if summary.refusals.count < Self.quotedRefusals {
                        summary.refusals.append("#\(outcome.index) \(commands[outcome.index].name): \(error.code): \(error.message)")
                    }
                    logger.debug(
                        "a seeded command was refused",
                        metadata: ["loopline.seed.index": "\(outcome.index)", "loopline.error": "\(error)"])
                }
                let elapsed = started.duration(to: .now)
                progress(
                    Progress(
                        done: done, total: commands.count,
                        eventsPerSecond: elapsed > .zero ? Double(done) / elapsed.seconds : 0, elapsed: elapsed))
            }
        }
        summary.seconds = started.duration(to: .now).seconds
        summary.eventsPerSecond = summary.seconds > 0 ? Double(commands.count) / summary.seconds : 0
        return summary
    }

    /// How much later (seconds) an earlier run of this history happened than `commands` say, when
    /// the log holds one; nil when it holds none.
    ///
    /// A history ends shortly before the moment it is generated, so generating it again later
    /// moves every `occurredAt`: the bodies differ and the idempotency keys would refuse them.
    /// Generating again with the end moved by this offset gives the earlier run's exact bodies.
    public func earlierRunOffset(of commands: [GeneratedCommand], seed: UInt64) async throws -> TimeInterval? {
        guard let first = commands.first, let command = try? Command.decode(name: first.name, json: first.body),
            let planned = Self.occurredAt(in: first.body)
        else { return nil }
        let recorded = try await store.read(stream: try StreamName(command.streamId), afterVersion: 0, limit: 1)
        let key = Self.idempotencyKey(seed: seed, count: commands.count, index: 0)
        guard let event = recorded.first,
            let metadata = try? JSONSerialization.jsonObject(with: Data(event.metadata.utf8)) as? [String: Any],
            metadata["idempotencyKey"] as? String == key,
            let occurred = Self.occurredAt(in: Data(event.data.utf8))
        else { return nil }
        return occurred.timeIntervalSince(planned)
    }

    // MARK: - Handling one command

    struct Outcome: Sendable {
        var index: Int
        var result: Result<CommandResult, CommandError>
    }

    private static func handle(
        _ command: GeneratedCommand, key: String, with handler: CommandHandler, logger: Logger
    ) async -> Result<CommandResult, CommandError> {
        for attempt in 1...attempts {
            do {
                return .success(
                    try await handler.handle(name: command.name, body: command.body, idempotencyKey: key, caller: caller))
            } catch where error.status == 503 && attempt < attempts {
                logger.warning(
                    "database unavailable; retrying a seeded command",
                    metadata: ["loopline.seed.key": "\(key)", "loopline.error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(200 << attempt))
            } catch {
                return .failure(error)
            }
        }
        return .failure(CommandError(status: 503, code: "database_unavailable", message: "gave up after \(attempts) attempts"))
    }

    private static func occurredAt(in json: Data) -> Date? {
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
            let text = object["occurredAt"] as? String
        else { return nil }
        return ISO8601Timestamp.parse(text)
    }
}

/// Which command may start next: commands in order, except that one waits while an earlier
/// command on any of the same streams is running or waiting.
struct StreamScheduler {
    private let commands: [GeneratedCommand]
    /// The next command not yet looked at.
    private var next = 0
    /// Per stream, the commands admitted and not finished, in order; the first may run.
    private var queues: [String: [Int]] = [:]
    private var streams: [Int: [String]] = [:]
    /// Admitted commands first in all their queues, not started yet.
    private var ready: [Int] = []
    /// Admitted commands that wait for an earlier one.
    private var waiting = 0
    /// Looking further ahead than this only grows the queues: the earliest waiting command
    /// holds up the end of the run anyway.
    private static let lookahead = 10_000

    init(commands: [GeneratedCommand]) {
        self.commands = commands
    }

    /// The command to start now, if one may.
    mutating func nextReady() -> Int? {
        if let first = ready.indices.min(by: { ready[$0] < ready[$1] }) {
            return ready.remove(at: first)
        }
        while next < commands.count && waiting < Self.lookahead {
            let index = next
            next += 1
            let keys = Self.streams(of: commands[index], index: index)
            streams[index] = keys
            var blocked = false
            for key in keys {
                if queues[key]?.isEmpty == false { blocked = true }
                queues[key, default: []].append(index)
            }
            if !blocked { return index }
            waiting += 1
        }
        return nil
    }

    /// Records that a started command finished, which may free the next on its streams.
    mutating func finished(_ index: Int) {
        guard let keys = streams.removeValue(forKey: index) else { return }
        for key in keys {
            queues[key]?.removeFirst()
            if queues[key]?.isEmpty == true { queues[key] = nil }
        }
        for key in keys {
            guard let head = queues[key]?.first, !ready.contains(head),
                streams[head]?.allSatisfy({ queues[$0]?.first == head }) == true
            else { continue }
            ready.append(head)
            waiting -= 1
        }
    }

    /// The streams a command writes and reads; a command that cannot be decoded (the handler
    /// will refuse it) gets a stream of its own.
    static func streams(of command: GeneratedCommand, index: Int) -> [String] {
        guard let decoded = try? Command.decode(name: command.name, json: command.body) else { return ["#\(index)"] }
        var keys = [decoded.streamId]
        for related in decoded.relatedStreamIds where !keys.contains(related) { keys.append(related) }
        return keys
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
