import EventStore
import Foundation
import LooplineTestSupport
import Postgres
import Testing

/// The `loopline` executable, run as a user would run it, against the test cluster.
@Suite("loopline command line")
struct CommandLineTests {
    /// The binary SwiftPM built next to this test bundle.
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("loopline").path

    /// Runs the binary on `db`; logs at `logLevel` (nil: the binary's default, as users get it).
    func loopline(_ db: TestDatabase, _ arguments: [String], stdin: String? = nil, logLevel: String? = "error") async throws
        -> Subprocess.Outcome
    {
        try await Subprocess.run(
            Self.binary, arguments + ["--database-url", db.conninfo, "--schema-dir", TestEnvironment.schemaDirectory.path],
            environment: ["LOOPLINE_LOG_LEVEL": logLevel], stdin: stdin)
    }

    func object(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test("append prints where the event landed; read prints it back as a JSON line")
    func appendAndRead() async throws {
        try await TestDatabase.with { db in
            let appended = try await loopline(db, ["append", "build-4711", "BuildPassed", "--data", #"{"sha": "9fceb02"}"#])
            #expect(appended.status == 0, "\(appended.stderr)")
            let result = try object(appended.stdout)
            #expect(result["stream"] as? String == "build-4711")
            #expect(result["streamVersion"] as? Int == 1)
            #expect(result["position"] as? Int == 1)
            #expect(result["duplicate"] as? Bool == false)
            let eventId = try #require(result["eventId"] as? String)

            let fromStdin = try await loopline(db, ["append", "build-4711", "BuildFailed", "--data", "-", "--expected-version", "1"], stdin: #"{"reason": "tests"}"#)
            #expect(fromStdin.status == 0, "\(fromStdin.stderr)")

            let read = try await loopline(db, ["read", "--from", "0"])
            #expect(read.status == 0)
            #expect(read.lines.count == 2)
            let first = try object(read.lines[0])
            #expect(first["eventId"] as? String == eventId)
            #expect(first["type"] as? String == "BuildPassed")
            #expect((first["data"] as? [String: Any])?["sha"] as? String == "9fceb02")
            for key in ["position", "eventId", "stream", "streamVersion", "type", "data", "metadata", "recordedAt"] {
                #expect(first[key] != nil, "read output has \(key)")
            }
            let stream = try await loopline(db, ["read", "--stream", "build-4711", "--from", "1"])
            #expect(try stream.lines.map { try object($0)["type"] as? String } == ["BuildFailed"])
            let limited = try await loopline(db, ["read", "--category", "build", "--limit", "1"])
            #expect(limited.lines.count == 1)
        }
    }

    @Test("the same --event-id twice records one event and reports the duplicate")
    func idempotentAppend() async throws {
        try await TestDatabase.with { db in
            let id = UUID().uuidString.lowercased()
            let first = try await loopline(db, ["append", "commit-abc", "CommitIntegrated", "--event-id", id])
            let second = try await loopline(db, ["append", "commit-abc", "CommitIntegrated", "--event-id", id])
            #expect(try object(first.stdout)["position"] as? Int == (try object(second.stdout)["position"] as? Int))
            #expect(try object(second.stdout)["duplicate"] as? Bool == true)
            #expect(try await db.eventCount() == 1)
        }
    }

    @Test("refusals go to stderr as JSON with a stable code and exit code, and write nothing")
    func refusals() async throws {
        try await TestDatabase.with { db in
            _ = try await loopline(db, ["append", "story-1", "StoryCreated"])
            let cases: [([String], String, Int32)] = [
                (["append", "story-1", "StoryCreated", "--expected-version", "no-stream"], "wrong_expected_version", 3),
                (["append", "story-1", "StoryCreated", "--data", "{not json"], "invalid_json", 1),
                (["append", "story-1", "Story Created"], "invalid_event_type", 1),
                (["append", "nocategory", "StoryCreated"], "invalid_stream", 1),
                (["append", "story-1", "StoryCreated", "--event-id", "nope"], "invalid_argument", 1),
                (["append", "story-1", "StoryCreated", "--expected-version", "maybe"], "invalid_argument", 1),
            ]
            for (arguments, code, status) in cases {
                let outcome = try await loopline(db, arguments)
                #expect(outcome.status == status, "\(arguments)")
                #expect(outcome.stdout.isEmpty)
                let error = try #require(try object(outcome.stderr)["error"] as? [String: Any])
                #expect(error["code"] as? String == code, "\(arguments)")
            }
            #expect(try await db.eventCount() == 1)
        }
    }

    @Test("a bad conninfo is a clear error and exit code 2, not a crash")
    func badConninfo() async throws {
        let outcome = try await Subprocess.run(
            Self.binary, ["status", "--database-url", "host=/nonexistent/dir port=5999 password=hunter2"],
            environment: ["LOOPLINE_LOG_LEVEL": "error"])
        #expect(outcome.status == 2)
        let error = try #require(try object(outcome.stderr)["error"] as? [String: Any])
        #expect(error["code"] as? String == "database_unavailable")
        #expect((error["message"] as? String)?.contains("could not connect to PostgreSQL (host=/nonexistent/dir port=5999") == true)
        #expect(!outcome.stderr.contains("hunter2"))
        let nonsense = try await Subprocess.run(Self.binary, ["read", "--database-url", "this is = not a conninfo"])
        #expect(nonsense.status == 2)
        #expect(nonsense.stderr.contains("could not connect"))
    }

    @Test("follow prints the log, then new events, and exits 0 on SIGINT and SIGTERM")
    func follow() async throws {
        try await TestDatabase.with { db in
            _ = try await loopline(db, ["append", "deployment-1", "DeploymentStarted"])
            for signal in [SIGINT, SIGTERM] {
                let follower = try Subprocess.start(
                    Self.binary, ["follow", "--from", "0", "--database-url", db.conninfo],
                    environment: ["LOOPLINE_LOG_LEVEL": "error"])
                _ = try await loopline(db, ["append", "deployment-1", "DeploymentSucceeded"])
                let deadline = ContinuousClock.now + .seconds(20)
                let expected = signal == SIGINT ? 2 : 3
                while follower.currentOutput().split(separator: "\n").count < expected, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                follower.signal(signal)
                let outcome = await follower.wait()
                #expect(outcome.status == 0, "exit after signal \(signal): \(outcome.stderr)")
                let positions = try outcome.lines.map { try object($0)["position"] as? Int }
                #expect(positions == Array(1...expected).map { $0 })
            }
        }
    }

    @Test("migrate runs concurrently and repeatedly without harm; status reports the schema and the log")
    func migrateAndStatus() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let runs = try await withThrowingTaskGroup(of: Subprocess.Outcome.self) { group in
                for _ in 0..<3 { group.addTask { try await loopline(db, ["migrate"], logLevel: nil) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(runs.allSatisfy { $0.status == 0 })
            let applied = try runs.flatMap { try object($0.stdout)["applied"] as? [String] ?? [] }
            #expect(applied.sorted() == TestEnvironment.migrations.map(\.fileName))
            let again = try await loopline(db, ["migrate"], logLevel: nil)
            #expect(try object(again.stdout)["applied"] as? [String] == [])
            // Quiet on success: the one line on stdout says it all; the detail is for --verbose.
            #expect(runs.allSatisfy { $0.stderr.isEmpty }, "\(runs.map(\.stderr))")
            #expect(again.stderr.isEmpty)
            #expect(again.stdout.split(separator: "\n").count == 1)

            _ = try await loopline(db, ["append", "story-1", "StoryCreated"])
            let status = try await loopline(db, ["status"])
            #expect(status.status == 0)
            let body = try object(status.stdout)
            let schema = try #require(body["schema"] as? [String: Any])
            #expect(schema["currentVersion"] as? Int == TestEnvironment.migrations.last?.version)
            let log = try #require(body["log"] as? [String: Any])
            #expect(log["headPosition"] as? Int == 1)
            #expect(log["heldBack"] as? Bool == false)
        }
    }

    @Test("migrate --verbose logs each migration as it is applied")
    func migrateVerbose() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let run = try await loopline(db, ["migrate", "--verbose"], logLevel: nil)
            #expect(run.status == 0)
            let lines = run.stderr.split(separator: "\n").filter { $0.contains("applied migration") }
            #expect(lines.count == TestEnvironment.migrations.count)
            #expect(lines.first?.contains(TestEnvironment.migrations[0].fileName) == true)
        }
    }

    @Test("import feedback: a survey CSV through a feedback source, each row once; a bad --map writes nothing")
    func importFeedback() async throws {
        try await TestDatabase.with { db in
            let folder = NSTemporaryDirectory() + "loopline-import-" + UUID().uuidString.prefix(8)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let keys = ["--secrets-key-file", folder + "/secrets.key"]
            let created = try await loopline(db, ["source", "create", "--kind", "feedback", "--name", "nps", "--service", "shop"] + keys)
            #expect(created.status == 0, "\(created.stderr)")
            let file = folder + "/nps.csv"
            try Data("Score,Comment,Submitted\n5,\"Fast, really\",2026-10-06T09:00:00Z\n3,,2026-10-06T10:00:00Z\n9,Typo,2026-10-06T11:00:00Z\n".utf8)
                .write(to: URL(fileURLWithPath: file))
            let arguments = ["import", "feedback", file, "--source", "nps", "--map", "rating=Score,text=Comment", "--map", "occurredAt=Submitted"] + keys
            let first = try object(try await loopline(db, arguments).stdout)
            #expect(first["rows"] as? Int == 3 && first["recorded"] as? Int == 2 && first["deadLettered"] as? Int == 1, "\(first)")
            #expect(((first["deadLetters"] as? [[String: Any]])?.first?["line"] as? Int) == 4)
            let second = try object(try await loopline(db, arguments).stdout)
            #expect(second["recorded"] as? Int == 0 && second["alreadyImported"] as? Int == 2, "\(second)")
            let badMap = try await loopline(db, ["import", "feedback", file, "--source", "nps", "--map", "stars=Score"] + keys)
            #expect(badMap.status == 1 && badMap.stderr.contains("stars is not a feedback field"), "\(badMap.stderr)")
            #expect(try await db.eventCount() == 2)
        }
    }

    @Test("export continues from its manifest, refuses a manifest for other filters, and analytics views lists the views")
    func exportFromTheCommandLine() async throws {
        try await TestDatabase.with { db in
            let folder = NSTemporaryDirectory() + "loopline-export-" + UUID().uuidString.prefix(8)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            func append(_ stream: String) async throws {
                let appended = try await loopline(db, ["append", stream, "Note", "--data", #"{"service": "web", "text": "a, \"b\""}"#])
                #expect(appended.status == 0, "\(appended.stderr)")
            }
            try await append("note-1")
            try await append("note-2")
            let manifest = folder + "/events.manifest.json"
            let first = try await loopline(db, ["export", "events", "--format", "csv", "--service", "web", "--out", folder + "/1.csv", "--manifest", manifest])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(try object(first.stdout)["throughPosition"] as? Int == 2)
            try await append("note-3")
            let second = try await loopline(db, ["export", "events", "--format", "csv", "--service", "web", "--out", folder + "/2.csv", "--manifest", manifest])
            #expect(second.status == 0, "\(second.stderr)")
            let rows = CSVReader.rows(try String(contentsOfFile: folder + "/2.csv", encoding: .utf8))
            #expect(rows.dropFirst().map { $0[0] } == ["3"], "only what came after the first export")
            #expect(rows.last?[6] == #"{"text": "a, \"b\"", "service": "web"}"#)

            let other = try await loopline(db, ["export", "events", "--format", "csv", "--service", "api", "--out", folder + "/3.csv", "--manifest", manifest])
            #expect(other.status == 1)
            #expect(other.stderr.contains("manifest_mismatch"), "\(other.stderr)")
            let unknown = try await loopline(db, ["export", "planning-storys", "--format", "csv"])
            #expect(unknown.status == 1)
            #expect(unknown.stderr.contains("unknown_export"))

            let views = try await loopline(db, ["analytics", "views"])
            #expect(views.status == 0, "\(views.stderr)")
            #expect(views.lines.compactMap { try? object($0)["view"] as? String } == ["analytics.events"], "no read model is built yet: the log's view only")
        }
    }
}
