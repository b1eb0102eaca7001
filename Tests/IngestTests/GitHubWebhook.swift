import Foundation
import LooplineTestSupport
import Server

@testable import Ingest

/// Sends hand-written GitHub payloads to a test server as GitHub would: signed, with its headers.
struct GitHubWebhook {
    let server: TestServer
    let source: String
    let secret: String

    /// Registers a GitHub source on the server.
    static func source(_ server: TestServer, name: String = "acme", settings: SourceSettings = SourceSettings()) async throws -> GitHubWebhook {
        let issued = try await server.server.ingest.sources.create(name: name, kind: .github, settings: settings)
        return GitHubWebhook(server: server, source: name, secret: issued.secret)
    }

    /// POSTs `fixture` as event `event`; `signature` overrides the header (nil: sign correctly).
    func send(
        _ fixture: String, event: String, delivery: String = UUID().uuidString, signature: String?? = .none,
        extraHeaders: [String: String] = [:]
    ) async throws -> RawHTTPClient.Response {
        try await send(body: try Fixture.data("github/\(fixture).json"), event: event, delivery: delivery, signature: signature, extraHeaders: extraHeaders)
    }

    func send(
        body: Data, event: String, delivery: String = UUID().uuidString, signature: String?? = .none, extraHeaders: [String: String] = [:]
    ) async throws -> RawHTTPClient.Response {
        var headers = [
            "Content-Type": "application/json", "X-GitHub-Event": event, "X-GitHub-Delivery": delivery,
            "User-Agent": "GitHub-Hookshot/8f2c1a9", "X-GitHub-Hook-ID": "480112233",
        ]
        switch signature {
        case .none: headers["X-Hub-Signature-256"] = GitHubSignature.sign(body, secret: secret)
        case .some(.some(let value)): headers["X-Hub-Signature-256"] = value
        case .some(.none): break
        }
        headers.merge(extraHeaders) { $1 }
        return try await server.http.request("POST", "/v1/ingest/github/\(source)", headers: headers, body: body)
    }
}
