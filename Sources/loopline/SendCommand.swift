import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a command to a running Loopline server, e.g. from a CI job.",
        discussion: """
            Example: loopline send pass-build --data '{"buildId": "4711", "sha": "9fceb02", "service": "checkout"}'

            The server comes from --url or LOOPLINE_URL (default http://127.0.0.1:8080), the token \
            from --token or LOOPLINE_TOKEN. Prints the server's JSON answer; exits 0 when the \
            command was recorded, 3 on a conflict (409), 2 when the server is unreachable or \
            unavailable, 1 otherwise.
            """)

    @Argument(help: "The command's name, e.g. pass-build (see docs/events.md).")
    var command: String

    @Option(help: "The command as a JSON object; - reads it from stdin.")
    var data: String = "{}"

    @Option(help: "Makes retries safe: the same key and body are recorded once.")
    var idempotencyKey: String?

    @Option(help: "The server (default: $LOOPLINE_URL or http://127.0.0.1:8080).")
    var url: String?

    @Option(help: "The API token (default: $LOOPLINE_TOKEN). Prefer the variable: arguments show in process lists.")
    var token: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let base = url ?? environment["LOOPLINE_URL"] ?? "http://127.0.0.1:8080"
        guard let secret = token ?? environment["LOOPLINE_TOKEN"], !secret.isEmpty else {
            try Output.fail(.init(code: "unauthenticated", message: "set LOOPLINE_TOKEN (or --token) to an API token with the ingest scope"), exit: Output.Exit.failure)
        }
        guard let endpoint = URL(string: base.hasSuffix("/") ? String(base.dropLast()) : base)?
            .appendingPathComponent("v1/commands").appendingPathComponent(command)
        else {
            try Output.fail(.init(code: "invalid_argument", message: "--url \(base) is not a URL", field: "url"), exit: Output.Exit.failure)
        }
        var request = URLRequest(url: endpoint, timeoutInterval: 30)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(secret)", forHTTPHeaderField: "Authorization")
        if let idempotencyKey { request.setValue(idempotencyKey, forHTTPHeaderField: "Idempotency-Key") }
        request.httpBody = data == "-" ? FileHandle.standardInput.readDataToEndOfFile() : Data(data.utf8)

        let body: Data
        let status: Int
        do {
            let (received, response) = try await URLSession.shared.data(for: request)
            body = received
            status = (response as? HTTPURLResponse)?.statusCode ?? 0
        } catch {
            try Output.fail(.init(code: "server_unreachable", message: "could not reach \(base): \(error.localizedDescription)"), exit: Output.Exit.databaseUnavailable)
        }
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        switch status {
        case 200..<300:
            Output.line(text)
        default:
            FileHandle.standardError.write(Data((text + "\n").utf8))
            throw ExitCode(status == 409 ? Output.Exit.conflict : status == 503 ? Output.Exit.databaseUnavailable : Output.Exit.failure)
        }
    }
}
