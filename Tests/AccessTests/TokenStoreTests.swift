import Access
import Foundation
import LooplineTestSupport
import Postgres
import Testing

@Suite("API tokens")
struct TokenStoreTests {
    @Test("a created token verifies with its scopes; the database keeps only a hash")
    func createAndVerify() async throws {
        try await TestDatabase.with { db in
            let tokens = TokenStore(client: db.client)
            let issued = try await tokens.create(name: "ci-pipeline", scopes: [.ingest])
            #expect(issued.token.hasPrefix("llt_"))
            #expect(issued.token.count > 40)
            let principal = try #require(try await tokens.verify(issued.token))
            #expect(principal.name == "ci-pipeline")
            #expect(principal.scopes == [.ingest])
            #expect(principal.allows(.ingest) && !principal.allows(.read) && !principal.allows(.admin))
            #expect(try await tokens.verify(issued.token + "x") == nil)
            #expect(try await tokens.verify("not-a-token") == nil)
            let stored = try await db.client.withConnection { connection in
                try connection.query("SELECT count(*) FROM api_tokens WHERE position($1 IN row(api_tokens.*)::text) > 0", [issued.token])[0]
                    .decode(0, as: Int.self)
            }
            #expect(stored == 0, "the secret appears nowhere in the table")
        }
    }

    @Test("admin implies every scope")
    func adminScope() async throws {
        try await TestDatabase.with { db in
            let tokens = TokenStore(client: db.client)
            let admin = try #require(try await tokens.verify(try await tokens.create(name: "ops", scopes: [.admin]).token))
            #expect(Scope.allCases.allSatisfy(admin.allows))
        }
    }

    @Test("list never shows secrets; revoke takes effect at once in this process")
    func listAndRevoke() async throws {
        try await TestDatabase.with { db in
            let tokens = TokenStore(client: db.client)
            let reader = try await tokens.create(name: "dashboard", scopes: [.read])
            _ = try await tokens.create(name: "ingest", scopes: [.ingest, .read])
            #expect(try await tokens.verify(reader.token) != nil)
            let listed = try await tokens.list()
            #expect(Set(listed.map(\.name)) == ["dashboard", "ingest"])
            #expect(listed.first { $0.name == "ingest" }?.scopes == [.ingest, .read])
            let revoked = try await tokens.revoke("dashboard")
            #expect(revoked.revokedAt != nil)
            #expect(try await tokens.verify(reader.token) == nil)
            #expect(try await tokens.list().map(\.name) == ["ingest"])
            #expect(try await tokens.list(includeRevoked: true).count == 2)
            let again = await #expect(throws: AccessError.self) { try await tokens.revoke("dashboard") }
            #expect(again?.code == "token_not_found")
            // The name is free again once revoked.
            _ = try await tokens.create(name: "dashboard", scopes: [.read])
        }
    }

    @Test("bad names, no scopes and taken names are refused with codes")
    func refusals() async throws {
        try await TestDatabase.with { db in
            let tokens = TokenStore(client: db.client)
            _ = try await tokens.create(name: "taken", scopes: [.read])
            let cases: [(String, Set<Scope>, String)] = [
                ("", [.read], "invalid_token_name"), (String(repeating: "n", count: 101), [.read], "invalid_token_name"),
                ("two\nlines", [.read], "invalid_token_name"), ("fine", [], "invalid_scope"), ("taken", [.ingest], "token_name_taken"),
            ]
            for (name, scopes, code) in cases {
                let error = await #expect(throws: AccessError.self) { try await tokens.create(name: name, scopes: scopes) }
                #expect(error?.code == code)
            }
        }
    }

    @Test("bootstrap creates one admin token, once, even when racing")
    func bootstrap() async throws {
        try await TestDatabase.with(maxConnections: 6) { db in
            let tokens = TokenStore(client: db.client)
            let issued = try await withThrowingTaskGroup(of: IssuedToken?.self) { group in
                for _ in 0..<5 { group.addTask { try await tokens.bootstrapAdmin() } }
                return try await group.reduce(into: []) { $0.append($1) }.compactMap { $0 }
            }
            #expect(issued.count == 1)
            #expect(issued.first?.scopes == [.admin])
            #expect(try await tokens.bootstrapAdmin() == nil)
            #expect(try await tokens.verify(issued[0].token)?.allows(.admin) == true)
        }
    }
}
