public import Foundation
import EventStore
import JSON
import Lifecycle
import Logging

/// One command of a batch: what `POST /v1/commands/{name}` takes as the path's name, the body
/// and the `Idempotency-Key` header.
public struct BatchCommand: Sendable {
    public var name: String
    public var body: Data
    public var idempotencyKey: String?

    public init(name: String, body: Data, idempotencyKey: String? = nil) {
        self.name = name
        self.body = body
        self.idempotencyKey = idempotencyKey
    }
}

extension BatchCommand {
    /// The fields of one element, as far as the batch reads them; `data` goes to the handler.
    private struct Element: Decodable {
        var name: String
        var idempotencyKey: String?
    }

    /// Reads one element of a batch: `{"name", "data"?, "idempotencyKey"?}`. An element of
    /// another shape is the client's mistake, refused before anything of its batch runs;
    /// a command that is well-formed but refused gets its own outcome instead.
    public init(json bytes: [UInt8]) throws(CommandError) {
        let members: JSONMembers
        let element: Element
        do {
            members = try JSONScanner.members(ofObject: bytes, passedOn: ["data"])
            element = try JSONObjectDecoder.decode(Element.self, from: members)
        } catch {
            throw CommandError(
                status: 400, code: "invalid_body",
                message: #"each command of a batch is an object with a string "name", an object "data" and an optional "idempotencyKey": \#(error)"#)
        }
        let data = members.raw("data")
        guard data?.first ?? UInt8(ascii: "{") == UInt8(ascii: "{") else {
            throw CommandError(status: 400, code: "invalid_body", message: #""data" must be an object"#, field: "data")
        }
        if let key = element.idempotencyKey { try CommandHandler.validate(idempotencyKey: key) }
        self.init(name: element.name, body: data.map { Data($0) } ?? Data("{}".utf8), idempotencyKey: element.idempotencyKey)
    }
}

extension CommandHandler {
    /// The most commands one batch takes.
    public static let maximumBatchCommands = 1_000
    /// Commands of one batch in flight at once: as many as one append transaction carries.
    static let batchConcurrency = 256

    /// Handles a batch: each command exactly as if it were sent alone, and the outcomes in the
    /// batch's order. Commands on the same stream (or reading one another's streams) run in
    /// batch order; the others run together, so their appends share transactions. Keys are
    /// claimed in one statement and outcomes stored in one, instead of one round trip each.
    /// A batch is not atomic: a refused command does not stop the others.
    public func handle(
        batch: [BatchCommand], caller: (id: String, name: String), now: Date = Date()
    ) async -> [Result<CommandResult, CommandError>] {
        var outcomes = [Result<CommandResult, CommandError>?](repeating: nil, count: batch.count)
        var plans: [Int: Plan] = [:]
        for (index, item) in batch.enumerated() {
            do throws(CommandError) { plans[index] = try plan(item, caller: caller) } catch { outcomes[index] = .failure(error) }
        }
        let fresh: Set<String>
        do throws(CommandError) { fresh = try await claimFresh(plans) } catch {
            return outcomes.map { $0 ?? .failure(error) }
        }
        let holders = Self.claimHolders(plans, fresh: fresh)
        let finished = await run(plans, holders: holders, caller: caller, now: now)
        var claimed: [IdempotentOutcome] = []
        for (index, outcome) in finished {
            outcomes[index] = outcome
            if holders.contains(index), let key = plans[index]?.key, Self.isStored(outcome) {
                let stored = Self.stored(outcome)
                claimed.append(IdempotentOutcome(key: key, status: stored.status, response: stored.response))
            }
        }
        do throws(EventStoreError) { try await store.recordOutcomes(claimed) } catch {
            logger.warning("could not record a batch's idempotent outcomes", metadata: ["loopline.error": "\(error)"])
        }
        return outcomes.map { $0! }
    }

    /// A decoded command of a batch, its key (if any) and the streams it writes and reads.
    struct Plan: Sendable {
        var command: Command
        var body: Data
        var key: IdempotencyKey?
        var streams: [String]
    }

    private func plan(_ item: BatchCommand, caller: (id: String, name: String)) throws(CommandError) -> Plan {
        let command = try Self.decode(name: item.name, body: item.body)
        var streams = [command.streamId]
        for related in command.relatedStreamIds where !streams.contains(related) { streams.append(related) }
        guard let text = item.idempotencyKey else { return Plan(command: command, body: item.body, streams: streams) }
        try Self.validate(idempotencyKey: text)
        let key = IdempotencyKey(scope: caller.id, key: text, requestHash: Self.requestHash(command.name, item.body))
        // A key used twice in one batch: the second waits for the first, like a retry would.
        return Plan(command: command, body: item.body, key: key, streams: streams + ["key:" + text])
    }

    /// Claims the batch's keys (each key's first use) in one statement.
    private func claimFresh(_ plans: [Int: Plan]) async throws(CommandError) -> Set<String> {
        var seen = Set<String>()
        let keys = plans.sorted { $0.key < $1.key }.compactMap { $0.value.key }.filter { seen.insert($0.key).inserted }
        guard !keys.isEmpty else { return [] }
        do { return try await store.claimFresh(keys) } catch { throw CommandError(error) }
    }

    /// The commands that hold a fresh claim: each fresh key's first use. A repeat of the key
    /// takes the one-key path and finds the first one's outcome, as a retry would.
    static func claimHolders(_ plans: [Int: Plan], fresh: Set<String>) -> Set<Int> {
        var claimed = Set<String>()
        return Set(plans.keys.sorted().filter { plans[$0]!.key.map { fresh.contains($0.key) && claimed.insert($0.key).inserted } ?? false })
    }

    /// Runs the plans, stream by stream in batch order, up to `batchConcurrency` at once.
    private func run(
        _ plans: [Int: Plan], holders: Set<Int>, caller: (id: String, name: String), now: Date
    ) async -> [(Int, Result<CommandResult, CommandError>)] {
        let indices = plans.keys.sorted()
        var scheduler = CommandScheduler(keys: indices.map { plans[$0]!.streams })
        var finished: [(Int, Result<CommandResult, CommandError>)] = []
        await withTaskGroup(of: (Int, Result<CommandResult, CommandError>).self) { group in
            var inFlight = 0
            while true {
                while inFlight < Self.batchConcurrency, let slot = scheduler.nextReady() {
                    let index = indices[slot]
                    let plan = plans[index]!
                    let holdsClaim = holders.contains(index)
                    group.addTask { (slot, await self.run(plan, holdsClaim: holdsClaim, caller: caller, now: now)) }
                    inFlight += 1
                }
                guard let (slot, outcome) = await group.next() else { break }
                inFlight -= 1
                scheduler.finished(slot)
                finished.append((indices[slot], outcome))
            }
        }
        return finished
    }

    private func run(
        _ plan: Plan, holdsClaim: Bool, caller: (id: String, name: String), now: Date
    ) async -> Result<CommandResult, CommandError> {
        guard let key = plan.key else {
            do { return .success(try await execute(plan.command, caller: caller, ids: nil, now: now)) } catch { return .failure(error) }
        }
        if holdsClaim { return await executeClaimed(plan.command, caller: caller, ids: IdempotentIds(key: key), now: now) }
        do {
            return .success(try await handle(plan.command, key: key.key, body: plan.body, caller: caller, now: now))
        } catch {
            return .failure(error)
        }
    }

    /// Server errors are not stored: a retry with the key tries again.
    static func isStored(_ outcome: Result<CommandResult, CommandError>) -> Bool {
        if case .failure(let error) = outcome { return error.status < 500 }
        return true
    }
}
