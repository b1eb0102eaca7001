public import Commands
import Crypto
import EventStore
public import Foundation
import JSON
import Lifecycle
public import Logging

/// Authenticate → dedupe the delivery → map it (pure, per kind) → run the commands through the
/// command handler → record and answer. Nothing is dropped silently: every delivery that gets
/// past authentication is recorded, ignored with a reason, or dead-lettered for retry.
public final class IngestPipeline: Sendable {
    /// How long a redelivery waits for a twin that is still processing before it says so.
    static let twinWait: Duration = .seconds(10)

    public let sources: SourceStore
    public let deliveries: DeliveryStore
    private let handler: CommandHandler
    private let logger: Logger

    public init(sources: SourceStore, deliveries: DeliveryStore, handler: CommandHandler, logger: Logger) {
        self.sources = sources
        self.deliveries = deliveries
        self.handler = handler
        self.logger = logger
    }

    /// One webhook request. `headers` have lowercased names. `preauthenticated`: the caller
    /// already checked an API token with the ingest scope (CloudEvents emitters may use one).
    public func ingest(kind: SourceKind, source name: String, _ request: IngestRequest, preauthenticated: Bool = false) async throws -> IngestResult {
        let (source, secret) = try await sources.withSecret(name, kind: kind)
        if !preauthenticated { try kind.adapter.authenticate(request, secret: secret) }
        let headers = request.headers
        let (units, batch) = try kind.adapter.units(request)
        if !batch, case .failure(let error) = units[0] { throw error }
        var answers: [Result<IngestAnswer, IngestError>] = []
        for unit in units {
            switch unit {
            case .success(let unit): answers.append(.success(try await deliver(unit, source: source, headers: headers)))
            case .failure(let error): answers.append(.failure(error))
            }
        }
        return batch ? .batch(answers) : .single(try answers[0].get())
    }

    /// A delivery from a trusted caller (`loopline import feedback`: one CSV row as a JSON
    /// object) under the caller's key: no secret is checked, the rest is as for a webhook.
    public func submit(kind: SourceKind, source name: String, key: String, body: Data) async throws -> IngestAnswer {
        let source = try await sources.show(name)
        guard source.kind == kind else {
            throw IngestError(.sourceNotFound, "source \(name) is a \(source.kind.rawValue) source, not \(kind.rawValue)", field: "source")
        }
        let headers = ["content-type": "application/json"]
        let payload = try kind.storedPayload(headers: headers, body: body, key: key)
        return try await deliver(DeliveryUnit(key: key, payload: payload, body: body), source: source, headers: headers)
    }

    /// One delivery: claimed once, however many requests carry it at the same time.
    private func deliver(_ unit: DeliveryUnit, source: Source, headers: [String: String]) async throws -> IngestAnswer {
        let clock = ContinuousClock()
        let deadline = clock.now + Self.twinWait
        while true {
            switch try await deliveries.claim(
                source: source.id, key: unit.key, event: unit.payload.event, headers: HeaderScrubber.scrubbed(headers))
            {
            case .done(var answer):
                answer.replayed = true
                return answer
            case .fresh(let id):
                return try await process(id, key: unit.key, unit.payload, body: unit.body, source: source)
            case .processing:
                guard clock.now < deadline else {
                    throw IngestError(.deliveryInProgress, "this delivery is still being processed by another request; send it again later")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// Maps a dead letter again with its source's current settings, and records what now maps.
    /// A delivery that is no longer dead-lettered (it was retried already) answers as it is.
    public func retry(_ id: UUID) async throws -> IngestAnswer {
        guard let (record, sourceId) = try await deliveries.claimRetry(id) else {
            let record = try await deliveries.find(id)
            guard var answer = record.answer else { throw IngestError(.deliveryInProgress, "delivery \(record.id) is being processed") }
            answer.replayed = true
            return answer
        }
        do {
            guard let source = try await sources.find(id: sourceId) else {
                throw IngestError(.sourceNotFound, "the source of delivery \(record.id) was deleted", field: "source")
            }
            let body = Data((record.body ?? "").utf8)
            let payload = try source.kind.storedPayload(headers: record.headers, body: body, key: record.deliveryKey)
            return try await process(id, key: record.deliveryKey, payload, body: body, source: source)
        } catch {
            await deliveries.release(id)
            throw error
        }
    }

    // MARK: - Processing

    /// Runs the commands, each to its outcome, in order. Commands of different streams run at
    /// once (a push's commits share one append transaction, one WAL flush); a stream named
    /// twice runs in order. A server failure (5xx) is thrown: the delivery is not finished.
    private func outcomes(
        of commands: [MappedCommand], _ run: @escaping @Sendable (Int, MappedCommand) async -> Result<CommandResult, CommandError>
    ) async throws -> [Result<CommandResult, CommandError>] {
        let streams = commands.map(\.stream)
        var outcomes: [Result<CommandResult, CommandError>] = []
        if streams.contains(nil) || Set(streams).count < commands.count {
            for (index, command) in commands.enumerated() { outcomes.append(await run(index, command)) }
        } else {
            let byIndex = await withTaskGroup(of: (Int, Result<CommandResult, CommandError>).self) { group in
                for (index, command) in commands.enumerated() { group.addTask { (index, await run(index, command)) } }
                var byIndex: [Int: Result<CommandResult, CommandError>] = [:]
                for await (index, outcome) in group { byIndex[index] = outcome }
                return byIndex
            }
            outcomes = commands.indices.compactMap { byIndex[$0] }
        }
        return try Self.serverFailure(in: outcomes)
    }

    private static func serverFailure(in outcomes: [Result<CommandResult, CommandError>]) throws -> [Result<CommandResult, CommandError>] {
        for case .failure(let error) in outcomes where error.status >= 500 { throw error }
        return outcomes
    }

    private func process(_ id: UUID, key: String, _ payload: DeliveryPayload, body: Data, source: Source) async throws -> IngestAnswer {
        let context = MappingContext(settings: source.settings, environments: handler.policy.environments, sourceName: source.name)
        let answer: IngestAnswer
        do {
            switch source.kind.adapter.map(payload, context) {
            case .ignored(let reason):
                answer = IngestAnswer(delivery: id, disposition: .ignored, reason: reason, events: [])
            case .deadLetter(let reason):
                answer = IngestAnswer(delivery: id, disposition: .deadLettered, reason: reason, events: [])
            case .commands(let commands):
                answer = try await run(commands, delivery: id, key: key, source: source)
            }
            try await deliveries.finish(id, answer, body: body)
        } catch {
            await deliveries.abandon(id)
            throw error
        }
        if answer.disposition == .deadLettered {
            logger.warning(
                "dead-lettered a delivery",
                metadata: ["loopline.delivery": "\(id)", "loopline.source": "\(source.name)", "loopline.reason": "\(answer.reason ?? "")"])
        }
        return answer
    }

    /// Runs each command with event ids derived from (source, the tool's delivery id, index):
    /// the delivery claim keeps twins from running at once, and the ids keep a second run (a
    /// claim taken over from a process that died, a retry) from writing twice. A refusal that
    /// means "already in the log" counts as recorded.
    private func run(_ commands: [MappedCommand], delivery: UUID, key: String, source: Source) async throws -> IngestAnswer {
        let caller = (id: source.id.uuidString.lowercased(), name: "source:\(source.name)")
        // The tool's id may hold anything and be long; a digest is short and fixed.
        let prefix = "ingest:" + Hex.string(SHA256.hash(data: Data(key.utf8)).prefix(16))
        let handler = handler
        let outcomes = try await outcomes(of: commands) { index, command in
            do throws(CommandError) {
                return .success(
                    try await handler.handle(name: command.name, body: Data(command.body.utf8), eventIdKey: "\(prefix):\(index)", caller: caller))
            } catch {
                return .failure(error)
            }
        }
        var events: [CommandResult.Event] = []
        var refusals: [String] = []
        for (index, (command, outcome)) in zip(commands, outcomes).enumerated() {
            switch outcome {
            case .success(let result): events += result.events
            case .failure(let error) where command.alreadyRecorded.contains(error.code): continue
            case .failure(let error): refusals.append("\(command.name) #\(index + 1) refused: \(error.code): \(error.message)")
            }
        }
        guard refusals.isEmpty else {
            return IngestAnswer(delivery: delivery, disposition: .deadLettered, reason: refusals.joined(separator: "; "), events: events)
        }
        return IngestAnswer(
            delivery: delivery, disposition: .recorded, reason: events.isEmpty ? "every fact was already recorded" : nil, events: events)
    }
}
