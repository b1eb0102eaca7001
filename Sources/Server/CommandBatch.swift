import Commands
import Foundation
import HTTPTypes
import JSON
import Logging

/// A batch of commands as clients send it, over HTTP (`POST /v1/commands`) and the socket
/// (`commands`): a JSON array of `{"name", "data", "idempotencyKey"?}`, the socket's `command`
/// fields. The answer lists each command's outcome in the batch's order.
enum CommandBatch {
    /// The array's commands. An array that cannot be read, is empty or too long, or has an
    /// element of the wrong shape refuses the whole batch, naming the element.
    static func parse(_ bytes: [UInt8]) throws(APIError) -> [BatchCommand] {
        let ranges: [Range<Int>]
        do { ranges = try JSONScanner.elements(ofArray: bytes) } catch {
            throw APIError.badRequest("invalid_body", "a batch is a JSON array of commands: \(error)")
        }
        guard !ranges.isEmpty else { throw APIError.badRequest("invalid_body", "a batch needs at least one command") }
        guard ranges.count <= CommandHandler.maximumBatchCommands else {
            throw APIError.badRequest(
                "batch_too_large", "a batch takes at most \(CommandHandler.maximumBatchCommands) commands, not \(ranges.count)")
        }
        return try ranges.enumerated().map { index, range throws(APIError) in
            do throws(CommandError) { return try BatchCommand(json: Array(bytes[range])) } catch {
                let field = "[\(index)]" + (error.field.map { "." + $0 } ?? "")
                throw APIError.badRequest(error.code, "command \(index) of the batch: \(error.message)", field: field)
            }
        }
    }

    /// Runs the batch and counts each outcome in the metrics.
    static func run(
        _ commands: [BatchCommand], handler: CommandHandler, caller: (id: String, name: String), metrics: ServerMetrics
    ) async -> [Result<CommandResult, CommandError>] {
        let outcomes = await handler.handle(batch: commands, caller: caller)
        for (command, outcome) in zip(commands, outcomes) {
            switch outcome {
            case .success: metrics.commandFinished(name: command.name, outcome: "ok")
            case .failure(let error): metrics.commandFinished(name: command.name, outcome: error.code)
            }
        }
        return outcomes
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
