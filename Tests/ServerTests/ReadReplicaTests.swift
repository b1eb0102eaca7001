import Access
import EventStore
import Foundation
import LooplineTestSupport
import Postgres
import Projections
import Testing

/// The read routes on a real streaming replica (`pg_basebackup -R` of a private cluster, on
/// Unix sockets), with read-your-writes through `minPosition`.
@Suite("Reads from a streaming replica")
struct ReadReplicaTests {
    @Test("read models and stream reads come from the replica; minPosition waits for it, or answers 503 replica_lagging")
    func replica() async throws {
        try await PrivateCluster.with { primary in
            let standby = try await primary.startStandby()
            do {
                try await Self.readFromReplica(primary: primary, standby: standby)
            } catch {
                await standby.stop()
                throw error
            }
            await standby.stop()
        }
    }

    static func readFromReplica(primary: PrivateCluster, standby: PrivateCluster) async throws {
        let logger = TestEnvironment.logger()
        let client = PostgresClient(configuration: .init(conninfo: primary.conninfo, maxConnections: 8), logger: logger)
        let replica = PostgresClient(configuration: .init(conninfo: standby.conninfo, maxConnections: 4), logger: logger)
        _ = try await Migrator(client: client, migrations: TestEnvironment.migrations, logger: logger).migrate()
        let db = TestDatabase(name: "postgres", client: client, store: EventStore(client: client, logger: logger))
        try await TestServer.with(db, workers: true, readClient: replica, readWait: .seconds(4)) { server in
            let ingest = try await server.token([.ingest])
            let auth = ["Authorization": "Bearer \(try await server.token([.read]))"]
            func create(_ id: String) async throws -> Int {
                let created = try await server.http.request(
                    "POST", "/v1/commands/create-story", headers: ["Authorization": "Bearer \(ingest)", "Content-Type": "application/json"],
                    body: Data(#"{"storyId": "\#(id)", "title": "t", "service": "web"}"#.utf8))
                #expect(created.status == 201, "\(created.text)")
                return try #require(((try created.json()["events"] as? [[String: Any]])?.first?["position"]) as? Int)
            }
            func backlog(_ query: String = "", headers: [String: String] = [:]) async throws -> (Int, [String]) {
                let answer = try await server.http.request("GET", "/v1/stages/planning/backlog?service=web\(query)", headers: auth.merging(headers) { $1 })
                let ids = (try? answer.json()["stories"] as? [[String: Any]])?.compactMap { $0["storyId"] as? String } ?? []
                return (answer.status, ids.sorted())
            }

            // The first build of the read models (their tables, replicated) may take a while on a
            // busy machine: wait for it apart from the read-your-writes checks.
            let first = try await create("RR-1")
            try await Self.waitForProjections(replica, at: first)
            #expect(try await backlog("&minPosition=\(first)") == (200, ["RR-1"]))
            let stream = try await server.http.request("GET", "/v1/streams/story-RR-1?minPosition=\(first)", headers: auth)
            #expect(stream.status == 200, "\(stream.text)")

            // With replay paused on the standby, the primary moves on and the replica does not:
            // reads show the replica's state, and a read that needs the new position gets 503.
            try await Self.pauseReplay(replica)
            let second = try await create("RR-2")
            try await Self.waitForProjections(client, at: second)
            #expect(try await backlog() == (200, ["RR-1"]), "the read went to the paused replica, not the primary")
            let lagging = try await server.http.request("GET", "/v1/stages/planning/backlog?minPosition=\(second)", headers: auth)
            #expect(lagging.status == 503)
            #expect(lagging.text.contains(#""code":"replica_lagging""#), "\(lagging.text)")
            let header = try await backlog(headers: ["Loopline-Min-Position": "\(second)"])
            #expect(header.0 == 503, "the header asks the same as the parameter")
            let missing = try await server.http.request("GET", "/v1/streams/story-RR-2?minPosition=\(second)", headers: auth)
            #expect(missing.status == 503)

            // Once replay resumes, the same read waits for the replica and answers with the new story.
            _ = try await replica.withConnection { try $0.execute("SELECT pg_wal_replay_resume()") }
            #expect(try await backlog("&minPosition=\(second)") == (200, ["RR-1", "RR-2"]))
            let third = try await create("RR-3")
            #expect(try await backlog("&minPosition=\(third)") == (200, ["RR-1", "RR-2", "RR-3"]), "read-your-writes right after the command")
            let bad = try await server.http.request("GET", "/v1/dora?minPosition=soon", headers: auth)
            #expect(bad.status == 400 && bad.text.contains(#""field":"minPosition""#))
            // A position past the head was never acknowledged: refused at once, not waited for.
            let future = try await server.http.request("GET", "/v1/projections?minPosition=\(third + 1000)", headers: auth)
            #expect(future.status == 400 && future.text.contains("past the log's head"), "\(future.text)")
            // The log in position order is read on the primary (the gap-free rule needs it).
            let log = try await server.http.request("GET", "/v1/events?after=0", headers: auth)
            #expect((try log.json()["events"] as? [Any])?.count == 3)
        }
    }

    /// Pauses WAL replay on the standby and waits until it has stopped (the request is asynchronous).
    static func pauseReplay(_ replica: PostgresClient) async throws {
        _ = try await replica.withConnection { try $0.execute("SELECT pg_wal_replay_pause()") }
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let state = try await replica.withConnection {
                try $0.query("SELECT pg_get_wal_replay_pause_state()")[0].decode(0, as: String.self)
            }
            if state == "paused" { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TimeoutError(what: "replay to pause")
    }

    /// Waits until every read model in `client`'s database has applied `position` (a replica
    /// that has not replayed the migrations yet fails the probe: not yet).
    static func waitForProjections(_ client: PostgresClient, at position: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if (try? await ProjectionStatus.allApplied(Int64(position), ReadModels.all, client: client)) == true { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TimeoutError(what: "projections at \(position)")
    }
}
