import EventStore
import Foundation
import LooplineTestSupport
import Postgres
import Testing

@Suite("GET /health on a live server")
struct HealthTests {
    @Test("answers 200 with the database state")
    func healthy() async throws {
        try await TestDatabase.with { db in
            let appended = try await db.store.append([NewEvent(type: "StoryCreated")], to: try StreamName("story-1"))
            try await TestServer.with(db) { server in
                let response = try await server.http.request("GET", "/health")
                #expect(response.status == 200)
                #expect(response.headers["content-type"]?.hasPrefix("application/json") == true)
                let body = try response.json()
                #expect(body["status"] as? String == "ok")
                let database = try #require(body["database"] as? [String: Any])
                #expect(database["reachable"] as? Bool == true)
                #expect(database["schemaVersion"] as? Int == TestEnvironment.migrations.last?.version)
                #expect(database["schemaUpToDate"] as? Bool == true)
                #expect((database["headPosition"] as? NSNumber)?.int64Value == appended.position)
            }
        }
    }

    @Test("answers 503 when the schema is not migrated")
    func unmigrated() async throws {
        try await TestDatabase.with(migrated: false) { db in
            try await TestServer.with(db) { server in
                let response = try await server.http.request("GET", "/health")
                #expect(response.status == 503)
                let body = try response.json()
                #expect(body["status"] as? String == "unavailable")
            }
        }
    }

    @Test("answers 503, quickly, when the database is unreachable")
    func unreachable() async throws {
        try await TestDatabase.with { db in
            let missing = PostgresClient(
                configuration: .init(conninfo: "host=/nonexistent/loopline port=5999 dbname=x", maxConnections: 2),
                logger: TestEnvironment.logger())
            let unreachable = TestDatabase(name: db.name, client: missing, store: EventStore(client: missing, logger: TestEnvironment.logger()))
            try await TestServer.with(unreachable) { server in
                let started = ContinuousClock.now
                let response = try await server.http.request("GET", "/health")
                #expect(response.status == 503)
                let database = try #require(try response.json()["database"] as? [String: Any])
                #expect(database["reachable"] as? Bool == false)
                #expect((database["error"] as? String)?.contains("could not connect") == true)
                // A hang detector, not a speed test: alone this answers in well under a second, but
                // the whole suite runs in parallel on two cores (a hang would be minutes).
                #expect(started.duration(to: .now) < .seconds(30))
            }
        }
    }

    @Test("unknown routes are 404")
    func unknownRoute() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let response = try await server.http.request("GET", "/nope")
                #expect(response.status == 404)
            }
        }
    }
}
