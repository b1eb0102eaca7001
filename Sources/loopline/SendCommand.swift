import ArgumentParser
import Commands
import Foundation
import JSON
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a command, or a file of commands, to a running Loopline server, e.g. from a CI job.",
        discussion: """
            Example: loopline send pass-build --data '{"buildId": "4711", "sha": "9fceb02", "service": "checkout"}'
            Many:    loopline send --file commands.jsonl   (one {"name", "data", "idempotencyKey"?} per line)

            The server comes from --url or LOOPLINE_URL (default http://127.0.0.1:8080), the token \
            from --token or LOOPLINE_TOKEN. One command prints the server's JSON answer; a file \
            prints one line per command, in order, with its line number, and a summary on stderr. \
            Exits 0 when every command was recorded (or replayed), 3 when the only failures are \
            conflicts (409), 2 when the server is unreachable or unavailable, 1 otherwise.
            """)

    @Argument(help: "The command's name, e.g. pass-build (see docs/events.md); not with --file.")
    var command: String?

    @Option(help: "The command as a JSON object; - reads it from stdin.")
    var data: String = "{}"

    @Option(help: "Makes retries safe: the same key and body are recorded once.")
    var idempotencyKey: String?

    @Option(help: "A JSON Lines file of commands ({\"name\", \"data\", \"idempotencyKey\"?} per line); - reads stdin.")
    var file: String?

    @Option(help: "Commands per request with --file (at most 1000).")
    var batchSize: Int = 500

    @Option(help: "The server (default: $LOOPLINE_URL or http://127.0.0.1:8080).")
    var url: String?

    @Option(help: "The API token (default: $LOOPLINE_TOKEN). Prefer the variable: arguments show in process lists.")
    var token: String?

    func validate() throws {
        switch (command, file) {
        case (nil, nil): throw ValidationError("name a command, or give --file")
        case (_?, _?): throw ValidationError("name a command or give --file, not both")
        case (nil, _?):
            guard data == "{}", idempotencyKey == nil else {
                throw ValidationError("--data and --idempotency-key are for one command; in a file each line carries its own")
            }
        case (_?, nil): break
        }
        guard (1...1000).contains(batchSize) else { throw ValidationError("--batch-size must be from 1 to 1000") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let base = url ?? environment["LOOPLINE_URL"] ?? "http://127.0.0.1:8080"
        guard let secret = token ?? environment["LOOPLINE_TOKEN"], !secret.isEmpty else {
            try Output.fail(.init(code: "unauthenticated", message: "set LOOPLINE_TOKEN (or --token) to an API token with the ingest scope"), exit: Output.Exit.failure)
        }
        guard let commands = URL(string: base.hasSuffix("/") ? String(base.dropLast()) : base)?.appendingPathComponent("v1/commands") else {
            try Output.fail(.init(code: "invalid_argument", message: "--url \(base) is not a URL", field: "url"), exit: Output.Exit.failure)
        }
        let client = Client(base: base, secret: secret)
        if let file {
            try await sendFile(file, to: commands, client: client)
            return
        }
        let body = data == "-" ? FileHandle.standardInput.readDataToEndOfFile() : Data(data.utf8)
        let (status, answer) = try await client.post(
            body, to: commands.appendingPathComponent(command!), headers: idempotencyKey.map { ["Idempotency-Key": $0] } ?? [:])
        let text = String(decoding: answer, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard (200..<300).contains(status) else {
            FileHandle.standardError.write(Data((text + "\n").utf8))
            throw ExitCode(Self.exit(status: status))
        }
        Output.line(text)
    }

    // MARK: - A file of commands

    /// Sends the file's commands in batches, printing each command's outcome in order.
    private func sendFile(_ path: String, to endpoint: URL, client: Client) async throws {
        guard let handle = path == "-" ? FileHandle.standardInput : FileHandle(forReadingAtPath: path) else {
            try Output.fail(.init(code: "file_not_found", message: "cannot read \(path)", field: "file"), exit: Output.Exit.failure)
        }
        var tally = Tally()
        var lines = LineReader(handle)
        var batch = Batch()
        while let (number, line) = lines.next() {
            guard !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) else { continue }
            if let error = Self.check(line) {
                // Sent with the rest it would have the whole batch refused: refused here, alone.
                let detail = #"{"code":\#(JSONText.quoted(error.code)),"message":\#(JSONText.quoted("line \(number): \(error.message)"))}"#
                batch.refuse(number, #"{"ok":false,"status":400,"error":\#(detail)}"#)
                continue
            }
            batch.add(number, line)
            if batch.isFull(size: batchSize) { try await send(&batch, to: endpoint, client: client, tally: &tally) }
        }
        if !batch.entries.isEmpty { try await send(&batch, to: endpoint, client: client, tally: &tally) }
        tally.summarise()
        if let code = tally.exitCode { throw ExitCode(code) }
    }

    /// Sends the batch's commands and prints every entry's outcome, in line order.
    private func send(_ batch: inout Batch, to endpoint: URL, client: Client, tally: inout Tally) async throws {
        var answers: [String] = []
        if batch.commands > 0 {
            let (status, answer) = try await client.post(batch.body + Data("]".utf8), to: endpoint, headers: [:])
            guard status == 200, let elements = Self.results(in: answer), elements.count == batch.commands else {
                // The batch as a whole was refused (or the answer unreadable): stop, saying where.
                FileHandle.standardError.write(answer + Data("\n".utf8))
                tally.summarise(stoppedAt: batch.entries.first?.number)
                throw ExitCode(Self.exit(status: status == 200 ? 500 : status))
            }
            answers = elements
        }
        var next = answers.makeIterator()
        for entry in batch.entries {
            tally.print(line: entry.number, element: entry.refusal ?? next.next()!)
        }
        batch = Batch()
    }

    /// Why a line is not a command as a batch takes it, or nil when it is one.
    private static func check(_ line: [UInt8]) -> CommandError? {
        do throws(CommandError) { _ = try BatchCommand(json: line) } catch { return error }
        return nil
    }

    /// The answer's `results`, each element as the JSON text it was written as.
    private static func results(in answer: Data) -> [String]? {
        let bytes = Array(answer.prefix { $0 != UInt8(ascii: "\n") })
        guard let members = try? JSONScanner.members(ofObject: bytes, passedOn: ["results"]), let raw = members.raw("results"),
            let ranges = try? JSONScanner.elements(ofArray: Array(raw))
        else { return nil }
        let results = Array(raw)
        return ranges.map { String(decoding: results[$0], as: UTF8.self) }
    }

    static func exit(status: Int) -> Int32 {
        switch status {
        case 409: Output.Exit.conflict
        case 0, 503: Output.Exit.databaseUnavailable
        default: Output.Exit.failure
        }
    }
}

extension SendCommand {
    /// The HTTP side: one POST, status and body back; an unreachable server exits 2.
    struct Client {
        var base: String
        var secret: String

        func post(_ body: Data, to url: URL, headers: [String: String]) async throws -> (Int, Data) {
            var request = URLRequest(url: url, timeoutInterval: 60)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.setValue("Bearer \(secret)", forHTTPHeaderField: "Authorization")
            for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
            request.httpBody = body
            do {
                let (received, response) = try await URLSession.shared.data(for: request)
                return ((response as? HTTPURLResponse)?.statusCode ?? 0, received)
            } catch {
                try Output.fail(
                    .init(code: "server_unreachable", message: "could not reach \(base): \(error.localizedDescription)"),
                    exit: Output.Exit.databaseUnavailable)
            }
        }
    }

    /// The lines of one request, at most `size` commands and `maximumBytes` of body, and the
    /// lines between them refused here.
    struct Batch {
        /// Well under the server's batch body limit (8 × 1 MiB by default).
        static let maximumBytes = 4 << 20
        var entries: [(number: Int, refusal: String?)] = []
        var body = Data("[".utf8)
        var commands = 0

        mutating func add(_ number: Int, _ line: [UInt8]) {
            if commands > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: line)
            entries.append((number, nil))
            commands += 1
        }

        mutating func refuse(_ number: Int, _ outcome: String) { entries.append((number, outcome)) }

        func isFull(size: Int) -> Bool { commands >= size || body.count >= Self.maximumBytes }
    }

    /// Outcomes printed and counted; the exit code they add up to.
    struct Tally {
        var recorded = 0
        var replayed = 0
        var failures: [Int: Int] = [:]

        mutating func print(line: Int, element: String) {
            // `{"ok":…` becomes `{"line":N,"ok":…`.
            Output.line(#"{"line":\#(line),"# + element.dropFirst())
            if element.hasPrefix(#"{"ok":true"#) {
                if element.contains(#""replayed":true"#) { replayed += 1 } else { recorded += 1 }
            } else {
                let status = element.firstRange(of: #""status":"#).map { Int(element[$0.upperBound...].prefix(3)) ?? 0 } ?? 0
                failures[status, default: 0] += 1
            }
        }

        func summarise(stoppedAt line: Int? = nil) {
            let failed = failures.values.reduce(0, +)
            var text = "sent: \(recorded) recorded, \(replayed) replayed, \(failed) failed"
            if let line { text += "; stopped at line \(line), which was not recorded" }
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }

        var exitCode: Int32? {
            guard !failures.isEmpty else { return nil }
            if failures.keys.contains(503) { return Output.Exit.databaseUnavailable }
            return Set(failures.keys) == [409] ? Output.Exit.conflict : Output.Exit.failure
        }
    }

    /// A file's lines, read in blocks (imports may be larger than memory wants), numbered from 1.
    struct LineReader {
        let handle: FileHandle
        var buffer: [UInt8] = []
        var start = 0
        var number = 0
        var ended = false

        init(_ handle: FileHandle) { self.handle = handle }

        mutating func next() -> (Int, [UInt8])? {
            while true {
                if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    var line = Array(buffer[start..<newline])
                    start = newline + 1
                    if line.last == UInt8(ascii: "\r") { line.removeLast() }
                    number += 1
                    return (number, line)
                }
                if ended {
                    guard start < buffer.count else { return nil }
                    let line = Array(buffer[start...])
                    start = buffer.count
                    number += 1
                    return (number, line)
                }
                buffer.removeFirst(start)
                start = 0
                let block = handle.readData(ofLength: 1 << 16)
                if block.isEmpty { ended = true } else { buffer.append(contentsOf: block) }
            }
        }
    }
}
