import Foundation
import Ingest
import Logging
import Server

/// GitHub `push` webhooks over HTTP, each with 5 commits, signed as GitHub signs them: the
/// ingest route end to end (signature, dedupe claim, mapping, five commands, the answer
/// recorded). wrk cycles through pre-signed deliveries, each unique, so none is a redelivery.
enum IngestBenchmark {
    static let commitsPerPush = 5

    /// wrk with `connections` connections for `seconds`; events/s = pushes/s × 5.
    static func pushes(port: Int, secret: String, connections: Int, seconds: Int, prefix: Int) async throws -> CommandBenchmark.HTTPResult {
        // More than any run can send: wrk wrapping around would replay deliveries (cheaper).
        let count = 40_000
        let requests = NSTemporaryDirectory() + "loopline-pushes-\(UUID().uuidString.prefix(8)).txt"
        try deliveries(count: count, secret: secret, prefix: prefix).write(toFile: requests, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: requests) }
        let script = """
            local lines = {}
            for line in io.lines("\(requests)") do lines[#lines + 1] = line end
            local next_thread = 0
            setup = function(thread) thread:set("id", next_thread); next_thread = next_thread + 1 end
            local index = 0
            request = function()
              index = index + 1
              local line = lines[((index - 1) * 2 + id) % #lines + 1]
              local signature, delivery, body = line:match("^(%S+)\\t(%S+)\\t(.*)$")
              return wrk.format("POST", "/v1/ingest/github/bench", {["Content-Type"] = "application/json",
                ["X-GitHub-Event"] = "push", ["X-GitHub-Delivery"] = delivery, ["X-Hub-Signature-256"] = signature}, body)
            end
            """
        return try await CommandBenchmark.wrk(script: script, port: port, connections: connections, seconds: seconds)
    }

    /// One delivery per line: signature, delivery id, body (one line of JSON).
    static func deliveries(count: Int, secret: String, prefix: Int) -> String {
        var text = ""
        for index in 0..<count {
            let commits = (0..<commitsPerPush).map { commit in
                let sha = String(format: "%08x%08x%08x", prefix, index, commit)
                return #"{"id":"\#(sha)","message":"PROJ-\#(index % 900 + 100): tidy the cart step \#(commit) of the checkout flow","timestamp":"2026-12-01T10:00:00Z","author":{"name":"Ada Lovelace","email":"ada@acme.example","username":"ada"},"distinct":true,"added":[],"removed":[],"modified":["Sources/Checkout/Cart.swift"]}"#
            }
            let body = #"{"ref":"refs/heads/main","before":"0000000000000000000000000000000000000000","after":"\#(String(format: "%08x%08x%08x", prefix, index, commitsPerPush - 1))","created":false,"deleted":false,"forced":false,"repository":{"id":708123456,"name":"checkout-api","full_name":"acme/checkout-api","default_branch":"main","owner":{"login":"acme"}},"pusher":{"name":"ada"},"sender":{"login":"ada"},"commits":[\#(commits.joined(separator: ","))]}"#
            text += "\(GitHubSignature.sign(Data(body.utf8), secret: secret))\tbench-\(prefix)-\(index)\t\(body)\n"
        }
        return text
    }
}
