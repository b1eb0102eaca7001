public import Commands
public import EventStore
public import Foundation
import JSON
public import Logging
import Lifecycle

/// Runs a generated history through the real command handler, a batch at a time.
///
/// Every command is validated and recorded exactly as one from a client would be, through the
/// handler's batches (`CommandHandler.handle(batch:)`): within a batch, each stream sees its
/// commands in order and the others run together. Each command carries an idempotency key
/// derived from the seed and its index: running the same history again replays the recorded
/// outcomes and writes nothing twice.
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
    /// Commands per batch.
    public let batchSize: Int
    private let logger: Logger

    /// A seeder over the store; `handler` defaults to a handler with the default policy.
    public init(
        store: EventStore, handler: CommandHandler? = nil, batchSize: Int = CommandHandler.maximumBatchCommands, logger: Logger
    ) {
        self.store = store
        self.handler = handler ?? CommandHandler(store: store, logger: logger)
        self.batchSize = min(max(1, batchSize), CommandHandler.maximumBatchCommands)
        self.logger = logger
    }

    /// The idempotency key of the command at `index` of a history of `count` commands.
    public static func idempotencyKey(seed: UInt64, count: Int, index: Int) -> String {
        "loopline-seed:\(seed):\(count):\(index)"
    }

    /// Handles the commands, reporting progress after each batch, and sums up.
    public func run(
        _ commands: [GeneratedCommand], seed: UInt64, progress: (Progress) -> Void = { _ in }
    ) async -> Summary {
        let started = ContinuousClock.now
        var summary = Summary(
            seed: seed, commands: commands.count, events: 0, replayed: 0, refused: 0, refusals: [], seconds: 0,
            eventsPerSecond: 0)
        var done = 0
        for chunk in stride(from: 0, to: commands.count, by: batchSize) {
            let indices = Array(chunk..<min(chunk + batchSize, commands.count))
            let outcomes = await handle(indices, of: commands, seed: seed)
            for (index, outcome) in zip(indices, outcomes) {
                switch outcome {
                case .success(let result) where result.replayed:
                    summary.replayed += 1
                case .success(let result):
                    summary.events += result.events.count
                case .failure(let error):
                    summary.refused += 1
                    if summary.refusals.count < Self.quotedRefusals {
                        summary.refusals.append("#\(index) \(commands[index].name): \(error.code): \(error.message)")
                    }
                    logger.debug(
                        "a seeded command was refused", metadata: ["loopline.seed.index": "\(index)", "loopline.error": "\(error)"])
                }
            }
            done += indices.count
            let elapsed = started.duration(to: .now)
            progress(
                Progress(
                    done: done, total: commands.count, eventsPerSecond: elapsed > .zero ? Double(done) / elapsed.seconds : 0,
                    elapsed: elapsed))
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

    // MARK: - Handling a batch

    /// One batch; commands that met an unavailable database are sent again (their keys make
    /// that safe), up to `attempts` times.
    private func handle(
        _ indices: [Int], of commands: [GeneratedCommand], seed: UInt64
    ) async -> [Result<CommandResult, CommandError>] {
        var outcomes = [Result<CommandResult, CommandError>](
            repeating: .failure(CommandError(status: 503, code: "database_unavailable", message: "not sent")), count: indices.count)
        var pending = Array(indices.indices)
        for attempt in 1...Self.attempts {
            let batch = pending.map { slot in
                BatchCommand(
                    name: commands[indices[slot]].name, body: commands[indices[slot]].body,
                    idempotencyKey: Self.idempotencyKey(seed: seed, count: commands.count, index: indices[slot]))
            }
            let answers = await handler.handle(batch: batch, caller: Self.caller)
            for (slot, answer) in zip(pending, answers) { outcomes[slot] = answer }
            pending = zip(pending, answers).filter { if case .failure(let error) = $1 { error.status == 503 } else { false } }.map(\.0)
            guard !pending.isEmpty, attempt < Self.attempts else { break }
            logger.warning(
                "database unavailable; sending seeded commands again", metadata: ["loopline.seed.commands": "\(pending.count)"])
            try? await Task.sleep(for: .milliseconds(200 << attempt))
        }
        if !pending.isEmpty {
            let giveUp = CommandError(status: 503, code: "database_unavailable", message: "gave up after \(Self.attempts) attempts")
            for slot in pending { outcomes[slot] = .failure(giveUp) }
        }
        return outcomes
    }

    private static func occurredAt(in json: Data) -> Date? {
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
            let text = object["occurredAt"] as? String
        else { return nil }
        return ISO8601Timestamp.parse(text)
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
