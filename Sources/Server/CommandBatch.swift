import Commands
import Foundation
import HTTPTypes
import JSON
import Logging

/// A batch of commands as clients send it, over HTTP (`POST /v1/commands`) and the socket
/// (`commands`): a JSON array of `{"name", "data", "idempotencyKey"?}`, the socket's `command`
/// fields. The answer lists each command's outcome in the batch's order.
enum CommandBatch {
    /// One element of the array, as far as the batch reads it; `data` goes to the handler.
    private struct Element: Decodable {
        var name: String
        var idempotencyKey: String?
    }

    /// The array's elements: each a command to run, or the error that refuses only that one.
    /// An array that cannot be read at all, is empty or too long refuses the whole batch.
    static func parse(_ bytes: [UInt8]) throws(APIError) -> [Result<BatchCommand, CommandError>] {
        let ranges: [Range<Int>]
        do { ranges = try JSONScanner.elements(ofArray: bytes) } catch {
            throw APIError.badRequest("invalid_body", "a batch is a JSON array of commands: \(error)")
        }
        guard !ranges.isEmpty else { throw APIError.badRequest("invalid_body", "a batch needs at least one command") }
        guard ranges.count <= CommandHandler.maximumBatchCommands else {
            throw APIError.badRequest(
                "batch_too_large", "a batch takes at most \(CommandHandler.maximumBatchCommands) commands, not \(ranges.count)")
        }
        return ranges.map { element(Array(bytes[$0])) }
    }

    private static func element(_ bytes: [UInt8]) -> Result<BatchCommand, CommandError> {
        do {
            let members = try JSONScanner.members(ofObject: bytes, passedOn: ["data"])
            let element = try JSONObjectDecoder.decode(Element.self, from: members)
            let data = members.raw("data").map { Data($0) } ?? Data("{}".utf8)
            return .success(BatchCommand(name: element.name, body: data, idempotencyKey: element.idempotencyKey))
        } catch let error as JSONSyntaxError {
            return .failure(CommandError(status: 400, code: "invalid_json", message: "a batch element is not a JSON object: \(error)"))
        } catch {
            let (code, field) = SocketSession.describe(error)
            let message = #"a batch element needs a string "name", an object "data" and an optional string "idempotencyKey""#
            return .failure(CommandError(status: code == "missing_field" ? 422 : 400, code: code, message: message, field: field))
        }
    }

    /// Runs the readable commands as one batch and merges in the elements refused on reading.
    static func run(
        _ elements: [Result<BatchCommand, CommandError>], handler: CommandHandler, caller: (id: String, name: String),
        metrics: ServerMetrics
    ) async -> [Result<CommandResult, CommandError>] {
        let commands = elements.compactMap { try? $0.get() }
        var handled = await handler.handle(batch: commands, caller: caller).makeIterator()
        return elements.map { element in
            let outcome: Result<CommandResult, CommandError>
            switch element {
            case .success: outcome = handled.next()!
            case .failure(let error): outcome = .failure(error)
            }
            let name = (try? element.get().name) ?? "unknown"
            switch outcome {
            case .success: metrics.commandFinished(name: name, outcome: "ok")
            case .failure(let error): metrics.commandFinished(name: name, outcome: error.code)
            }
            return outcome
        }
    }

    /// `{"results":[{"ok":true,"status":201,"result":{…}} | {"ok":false,"status":409,"error":{…}}, …],
    /// "recorded":N,"replayed":N,"failed":N}`: a server error's cause is logged, not answered.
    static func answer(_ outcomes: [Result<CommandResult, CommandError>], logger: Logger) -> String {
        var recorded = 0
        var replayed = 0
        var failed = 0
        var text = #"{"results":["#
        for (index, outcome) in outcomes.enumerated() {
            if index > 0 { text += "," }
            switch outcome {
            case .success(let result):
                if result.replayed { replayed += 1 } else { recorded += 1 }
                text += #"{"ok":true,"status":\#(result.replayed ? 200 : 201),"result":\#(result.json)}"#
            case .failure(let error):
                failed += 1
                let shown = APIError.from(error, logger: logger)
                text += #"{"ok":false,"status":\#(shown.status.code),"error":\#(shown.detail.json)}"#
            }
        }
        return text + #"],"recorded":\#(recorded),"replayed":\#(replayed),"failed":\#(failed)}"#
    }
}
