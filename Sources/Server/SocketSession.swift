import Access
import Commands
import EventStore
import Foundation
import HTTPTypes
import JSON
import Logging
import NIOCore
import Projections
import ServiceLifecycle
import Synchronization

/// One socket connection: newline-delimited JSON requests in, replies and events out.
///
/// The first request must be `auth`. Requests may be pipelined: commands and reads run
/// concurrently (at most `maximumInFlight` at a time, after which the connection's reads
/// pause) and their replies, which carry the request's `id`, may come back in any order.
/// Subscriptions stream events until `unsubscribe`, the end of the connection, or shutdown;
/// a client that reads slowly slows its subscriptions down instead of piling events up.
final class SocketSession: Sendable {
    static let maximumInFlight = 64
    static let maximumSubscriptions = 16

    private let handler: CommandHandler
    private let store: EventStore
    private let tokens: TokenStore
    private let metrics: ServerMetrics
    private let logger: Logger
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let limiter = AsyncLimiter(limit: SocketSession.maximumInFlight)
    private let principal = Mutex<Principal?>(nil)
    private let subscriptions = Mutex<[String: Task<Void, Never>]>([:])

    init(
        handler: CommandHandler, store: EventStore, tokens: TokenStore, metrics: ServerMetrics, logger: Logger,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) {
        self.handler = handler
        self.store = store
        self.tokens = tokens
        self.metrics = metrics
        self.logger = logger
        self.outbound = outbound
    }

    /// Serves the connection until it closes or the server shuts down gracefully; in-flight
    /// requests finish, subscriptions end.
    func run(_ inbound: NIOAsyncChannelInboundStream<JSONLineFrame>) async throws {
        defer { subscriptions.withLock { $0.values.forEach { $0.cancel() } } }
        try await withThrowingDiscardingTaskGroup { group in
            for try await frame in inbound.cancelOnGracefulShutdown() {
                guard case .line(let line) = frame else {
                    await reply(id: "null", error: .init(code: "line_too_long", message: "a request line may hold at most \(SocketServer.maximumLineBytes) bytes"))
                    continue
                }
                guard let request = await parse(line) else { continue }
                guard await admit(request) else { return }
                switch request.op {
                case "command", "commands", "read":
                    await limiter.acquire()
                    group.addTask {
                        defer { self.limiter.release() }
                        await self.perform(request)
                    }
                default:
                    await perform(request)
                }
            }
        }
    }

    // MARK: - Requests

    /// A request line, decoded; which fields matter depends on `op`.
    struct Request: Decodable, Sendable {
        var op: String
        var token: String?
        var name: String?
        var idempotencyKey: String?
        var after: Int64?
        var limit: Int?
        var stream: String?
        var category: String?
        var types: [String]?
        /// A read-model query: `stage`, `query` and its `parameters`.
        var stage: String?
        var query: String?
        var parameters: [String: QueryValue]?
        /// The request's id as JSON text, echoed verbatim in replies (null unless a string or number).
        var id = "null"
        /// A command's `data`, as the raw JSON it arrived as.
        var data: Data?
        /// A batch's `commands` array, as the raw JSON it arrived as.
        var commands: Data?
        /// The id of the subscription to end, as JSON text.
        var subscription = "null"

        enum CodingKeys: String, CodingKey {
            case op, token, name, idempotencyKey, after, limit, stream, category, types, stage, query, parameters
        }
    }

    /// Scans a line once: the small members are decoded from what the scan built, `data` goes
    /// to the command handler as the bytes it arrived as, and ids are echoed as they were written.
    private func parse(_ line: ByteBuffer) async -> Request? {
        let members: JSONMembers
        let bytes = Array(line.readableBytesView)
        guard bytes.contains(where: { !Self.isWhitespace($0) }) else {
            await reply(id: "null", error: .init(code: "invalid_json", message: "the line is blank; every request is one JSON object on a line of its own"))
            return nil
        }
        do {
            // `data` goes to the command handler, whose own reading checks it in full.
            members = try JSONScanner.members(ofObject: bytes, passedOn: ["data", "commands"])
        } catch {
            if let path = error.valuePath, !path.isEmpty {
                await reply(id: "null", error: .init(code: "invalid_field", message: "\(path): \(error.reason)", field: path))
            } else {
                await reply(id: "null", error: .init(code: "invalid_json", message: "the request is not a valid JSON object: \(error)"))
            }
            return nil
        }
        let id = Self.idText(members.raw("id"))
        do {
            var request = try JSONObjectDecoder.decode(Request.self, from: members)
            request.id = id
            request.data = members.raw("data").map { Data($0) }
            request.commands = members.raw("commands").map { Data($0) }
            request.subscription = Self.idText(members.raw("subscription"))
            return request
        } catch {
            let (code, field) = Self.describe(error)
            await reply(id: id, error: .init(code: code, message: "the request has a missing or mistyped field", field: field))
            return nil
        }
    }

    /// JSON's whitespace: space, tab, CR, LF.
    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    /// A raw JSON id, if it is a string or a number; otherwise null.
    static func idText(_ raw: ArraySlice<UInt8>?) -> String {
        guard let first = raw?.first, first == UInt8(ascii: "\"") || first == UInt8(ascii: "-")
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
        else { return "null" }
        return String(decoding: raw!, as: UTF8.self)
    }

    /// The code and field path of a decoding error.
    static func describe(_ error: any Error) -> (code: String, field: String?) {
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?:
            return ("missing_field", (context.codingPath + [key]).map(\.stringValue).joined(separator: "."))
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?, .dataCorrupted(let context)?:
            return ("invalid_field", context.codingPath.map(\.stringValue).joined(separator: "."))
        default:
            return ("invalid_json", nil)
        }
    }

    /// Only `auth` before authentication; anything else closes the connection.
    private func admit(_ request: Request) async -> Bool {
        if principal.withLock({ $0 }) != nil || request.op == "auth" { return true }
        await reply(
            id: request.id,
            error: .init(code: "unauthenticated", message: "the first request must be {\"op\":\"auth\",\"token\":\"...\"}"))
        return false
    }

    private func perform(_ request: Request) async {
        do {
            switch request.op {
            case "auth": try await authenticate(request)
            case "ping": await reply(id: request.id, result: #"{"pong":true}"#)
            case "command": try await command(request)
            case "commands": try await commands(request)
            case "read": try await read(request)
            case "subscribe": try subscribe(request)
            case "unsubscribe": await unsubscribe(request)
            case "query": try await query(request)
            case "projections": try await projections(request)
            default:
                throw APIError.badRequest(
                    "unknown_op",
                    "op \"\(request.op)\" is not one of auth, ping, command, commands, read, query, projections, subscribe, unsubscribe",
                    field: "op")
            }
        } catch {
            let failure = APIError.from(error, logger: logger)
            await reply(id: request.id, error: failure.detail)
        }
    }

    private func authenticate(_ request: Request) async throws {
        guard let token = request.token, let verified = try await tokens.verify(token) else {
            throw APIError.unauthenticated
        }
        principal.withLock { $0 = verified }
        let scopes = verified.scopes.sorted().map { JSONText.quoted($0.rawValue) }.joined(separator: ",")
        await reply(id: request.id, result: #"{"name":\#(JSONText.quoted(verified.name)),"scopes":[\#(scopes)]}"#)
    }

    private func authorized(_ scope: Scope) throws -> Principal {
        guard let principal = principal.withLock({ $0 }) else { throw APIError.unauthenticated }
        guard principal.allows(scope) else { throw APIError.forbidden(scope) }
        return principal
    }

    private func command(_ request: Request) async throws {
        let caller = try authorized(.ingest)
        guard let name = request.name else {
            throw APIError(status: .unprocessableContent, code: "missing_field", message: "a command needs a \"name\"", field: "name")
        }
        let data = request.data ?? Data("{}".utf8)
        let result: CommandResult
        do throws(CommandError) {
            result = try await handler.handle(
                name: name, body: data, idempotencyKey: request.idempotencyKey, caller: (caller.tokenId, caller.name))
            metrics.commandFinished(name: name, outcome: "ok")
        } catch {
            metrics.commandFinished(name: name, outcome: error.code)
            throw error
        }
        await reply(id: request.id, result: result.json)
    }

    /// A batch, as `POST /v1/commands`: `commands` is the array.
    private func commands(_ request: Request) async throws {
        let caller = try authorized(.ingest)
        guard let batch = request.commands else {
            throw APIError(status: .unprocessableContent, code: "missing_field", message: "a batch needs a \"commands\" array", field: "commands")
        }
        let commands = try CommandBatch.parse(Array(batch))
        let outcomes = await CommandBatch.run(commands, handler: handler, caller: (caller.tokenId, caller.name), metrics: metrics)
        await reply(id: request.id, result: CommandBatch.answer(outcomes, logger: logger))
    }

    private func read(_ request: Request) async throws {
        _ = try authorized(.read)
        let limit = request.limit ?? 100
        let after = request.after ?? 0
        if let stream = request.stream {
            let events = try await store.read(stream: try StreamName(stream), afterVersion: after, limit: limit)
            await reply(id: request.id, result: Self.page(events, next: events.last?.streamVersion ?? after))
        } else {
            let page = try await store.read(after: after, limit: limit, filter: try filter(request))
            await reply(id: request.id, result: Self.page(page.events, next: page.next))
        }
    }

    /// A read-model query, as `GET /v1/stages/{stage}/{query}`.
    private func query(_ request: Request) async throws {
        _ = try authorized(.read)
        guard let stage = request.stage else { throw APIError.badRequest("missing_field", "query needs a stage", field: "stage") }
        guard let name = request.query else { throw APIError.badRequest("missing_field", "query needs a query name", field: "query") }
        let arguments = QueryArguments((request.parameters ?? [:]).mapValues(\.text))
        let result = try await ReadModelQueries.find(stage: stage, name: name).run(arguments, client: store.client)
        await reply(id: request.id, result: result)
    }

    /// Every projection's status, as `GET /v1/projections`.
    private func projections(_ request: Request) async throws {
        _ = try authorized(.read)
        let statuses = try await ProjectionStatus.all(ReadModels.all, client: store.client)
        let json = String(decoding: try JSONResponse.encoder.encode(ReadModelRoutes.ProjectionList(projections: statuses)), as: UTF8.self)
        await reply(id: request.id, result: json)
    }

    private func subscribe(_ request: Request) throws {
        _ = try authorized(.read)
        let events = store.follow(after: request.after ?? 0, options: .init(filter: try filter(request)))
        let id = request.id
        let started = try subscriptions.withLock { subscriptions in
            guard subscriptions[id] == nil else {
                throw APIError.badRequest("subscription_exists", "a subscription with id \(id) is already running", field: "id")
            }
            guard subscriptions.count < Self.maximumSubscriptions else {
                throw APIError.badRequest(
                    "too_many_subscriptions", "a connection may hold at most \(Self.maximumSubscriptions) subscriptions")
            }
            // The task starts only after the acknowledgement below is written.
            let ready = AsyncLimiter(limit: 0)
            let task = Task {
                await ready.acquire()
                do {
                    for try await event in events { try await self.write(#"{"id":\#(id),"event":\#(event.jsonLine)}"#) }
                } catch {
                    if !Task.isCancelled { self.logger.debug("subscription ended", metadata: ["loopline.error": "\(error)"]) }
                }
            }
            subscriptions[id] = task
            return ready
        }
        Task {
            await reply(id: id, result: #"{"subscribed":true}"#)
            started.release()
        }
    }

    private func unsubscribe(_ request: Request) async {
        let target = request.subscription
        let task = subscriptions.withLock { $0.removeValue(forKey: target) }
        task?.cancel()
        await reply(id: request.id, result: #"{"unsubscribed":\#(task != nil)}"#)
    }

    private func filter(_ request: Request) throws -> EventFilter {
        try EventFilter(category: request.category, types: request.types ?? [])
    }

    // MARK: - Replies

    private func reply(id: String, result: String) async {
        try? await write(#"{"id":\#(id),"ok":true,"result":\#(result)}"#)
    }

    private func reply(id: String, error: APIError.Body.Detail) async {
        try? await write(#"{"id":\#(id),"ok":false,"error":\#(error.json)}"#)
    }

    /// Suspends while the peer is not reading: that is the backpressure.
    private func write(_ line: String) async throws {
        try await outbound.write(ByteBuffer(string: line + "\n"))
    }

    static func page(_ events: [RecordedEvent], next: Int64) -> String {
        #"{"events":[\#(events.map(\.jsonLine).joined(separator: ","))],"next":\#(next)}"#
    }
}

/// A query parameter over the socket: a string, number or boolean, passed on as text.
struct QueryValue: Decodable, Sendable {
    var text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            text = string
        } else if let integer = try? container.decode(Int64.self) {
            text = String(integer)
        } else if let number = try? container.decode(Double.self) {
            text = String(number)
        } else {
            text = String(try container.decode(Bool.self))
        }
    }
}
