import EventStore
import Foundation
import LooplineTestSupport
import Postgres
import Synchronization
import Testing

@testable import Exports

@Suite("CloudEvents export")
struct CloudEventsTests {
    typealias Object = [String: Any]

    /// What the log holds for one event, read back independently of the export.
    struct Row: Sendable {
        var position: Int64
        var id: String
        var stream: String
        var streamVersion: Int64
        var type: String
        var schemaVersion: Int
        var dataJSON: String
        var recordedMicroseconds: Int64

        /// The data as the log holds it (an empty dictionary if it were not an object).
        var data: NSDictionary {
            ((try? JSONSerialization.jsonObject(with: Data(dataJSON.utf8))) as? NSDictionary) ?? NSDictionary()
        }
    }

    static let deployment = #"""
        {"buildId": "4711", "deploymentId": "dep-301", "durationSeconds": 42, "environment": "production",
         "occurredAt": "2025-03-01T11:59:00.000Z", "service": "checkout-api", "sha": "9fceb02", "version": "2.4.0"}
        """#

    /// Runs a cloudevents export into memory and parses every line.
    func export(_ db: TestDatabase) async throws -> ([Object], ExportManifest) {
        let buffer = Mutex(Data())
        let manifest = try await Exporter(store: db.store).run(ExportRequest(name: "events", format: .cloudevents)) { bytes in
            buffer.withLock { $0.append(contentsOf: bytes) }
        }
        let text = String(decoding: buffer.withLock { $0 }, as: UTF8.self)
        #expect(text.hasSuffix("\n"), "every line ends with a newline")
        let objects = try text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? Object, "a JSON object: \(line)")
        }
        return (objects, manifest)
    }

    func rows(_ db: TestDatabase) async throws -> [Row] {
        try await db.client.withConnection { connection in
            try connection.query(
                """
                SELECT global_position, event_id::text, stream_id, stream_version, type, schema_version, data::text,
                       (extract(epoch FROM recorded_at) * 1000000)::bigint
                  FROM events ORDER BY global_position
                """
            ).rows.map { row in
                Row(
                    position: try row.decode(0, as: Int64.self), id: try row.decode(1, as: String.self),
                    stream: try row.decode(2, as: String.self), streamVersion: try row.decode(3, as: Int64.self),
                    type: try row.decode(4, as: String.self), schemaVersion: Int(try row.decode(5, as: Int64.self)),
                    dataJSON: try row.decode(6, as: String.self),
                    recordedMicroseconds: try row.decode(7, as: Int64.self))
            }
        }
    }

    static func dictionary(_ json: String) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? NSDictionary)
    }

    /// Microseconds since 1970 of `YYYY-MM-DDTHH:MM:SS.ffffffZ`, the only form `time` may take.
    static func microseconds(_ time: String) -> Int64? {
        guard time.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z/) != nil else { return nil }
        let number = { (from: Int, length: Int) in
            Int(time.dropFirst(from).prefix(length))!
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(
            year: number(0, 4), month: number(5, 2), day: number(8, 2), hour: number(11, 2), minute: number(14, 2),
            second: number(17, 2))
        guard let date = calendar.date(from: components) else { return nil }
        return Int64(date.timeIntervalSince1970) * 1_000_000 + Int64(number(20, 6))
    }

    func append(_ db: TestDatabase, _ stream: String, _ type: String, _ data: String, schemaVersion: Int = 1)
        async throws
    {
        _ = try await db.store.append(
            [NewEvent(type: type, schemaVersion: schemaVersion, data: data)], to: try StreamName(stream))
    }

    /// Checks the attributes every event must have, against the log's row.
    func checkEnvelope(_ event: Object, _ row: Row) {
        #expect(event["specversion"] as? String == "1.0")
        #expect(event["id"] as? String == row.id)
        let source = event["source"] as? String ?? ""
        #expect(source.hasPrefix("/loopline/streams/"))
        #expect(
            source.dropFirst("/loopline/streams/".count).removingPercentEncoding == row.stream,
            "source names the stream")
        #expect(
            source.unicodeScalars.allSatisfy {
                $0.isASCII && $0.value > 0x20 && !"\"<>\\^`{|}#?".unicodeScalars.contains($0)
            },
            "a URI-reference path: \(source)")
        #expect((event["type"] as? String)?.isEmpty == false)
        #expect((event["subject"] as? String)?.isEmpty == false)
        #expect(event["datacontenttype"] as? String == "application/json")
        #expect(event["llposition"] as? String == String(row.position))
        #expect(event["llstream"] as? String == row.stream)
        #expect(event["llstreamversion"] as? String == String(row.streamVersion))
        #expect(event["lltype"] as? String == row.type)
        #expect(event["llschemaversion"] as? Int == row.schemaVersion)
        #expect(event["data"] != nil)
        for name in event.keys {
            #expect(
                name.wholeMatch(of: /[a-z0-9]{1,20}/) != nil, "CloudEvents attribute names are a-z0-9, ≤ 20: \(name)")
        }
    }

    @Test(
        "every line is a CloudEvent: required attributes, id, source, extensions, and time from occurredAt or recordedAt"
    )
    func envelope() async throws {
        try await TestDatabase.with { db in
            try await append(db, "deployment-dep-301", "DeploymentSucceeded", Self.deployment)
            try await append(
                db, "story-PROJ-12", "StoryCreated",
                #"{"storyId": "PROJ-12", "occurredAt": "2025-03-01T13:00:00.25+01:00"}"#)
            try await append(
                db, "story-PROJ-12", "StoryStarted",
                #"{"storyId": "PROJ-12", "occurredAt": "2025-03-01T12:00:00.123456789-0230"}"#)
            try await append(db, "note-1", "Note", #"{"text": "no occurredAt"}"#, schemaVersion: 3)
            try await append(db, "note-a/b%c🚀?d#e", "Note", #"{"occurredAt": "2024-02-29T23:59:59Z"}"#)
            try await append(db, "note-2", "Note", #"{"occurredAt": "2025-03-01t12:00:00z"}"#)
            let (events, manifest) = try await export(db)
            let rows = try await rows(db)
            #expect(events.count == 6)
            #expect(manifest.rows == 6)
            #expect(manifest.format == "cloudevents")
            for (event, row) in zip(events, rows) { checkEnvelope(event, row) }
            let expectedTimes = [
                "2025-03-01T11:59:00.000000Z", "2025-03-01T12:00:00.250000Z", "2025-03-01T14:30:00.123457Z", nil,
                "2024-02-29T23:59:59.000000Z", "2025-03-01T12:00:00.000000Z",
            ]
            for (index, (event, expected)) in zip(events, expectedTimes).enumerated() {
                let time = try #require(event["time"] as? String)
                #expect(Self.microseconds(time) != nil, "RFC 3339, UTC, microseconds: \(time)")
                if let expected {
                    #expect(time == expected, "occurredAt, in UTC")
                } else {
                    #expect(Self.microseconds(time) == rows[index].recordedMicroseconds, "no occurredAt: recordedAt")
                }
            }
            #expect(events[4]["source"] as? String == "/loopline/streams/note-a%2Fb%25c%F0%9F%9A%80%3Fd%23e")
            let keys = events.map { "\($0["source"] ?? "") \($0["id"] ?? "")" }
            #expect(Set(keys).count == keys.count, "source + id is unique")
        }
    }

    @Test("a DeploymentSucceeded is a CDEvents service.deployed with our data as customData")
    func serviceDeployed() async throws {
        try await TestDatabase.with { db in
            try await append(db, "deployment-dep-301", "DeploymentSucceeded", Self.deployment)
            let (events, _) = try await export(db)
            let row = try #require(try await rows(db).first)
            let event = try #require(events.first)
            #expect(event["type"] as? String == "dev.cdevents.service.deployed.0.2.0")
            #expect(event["subject"] as? String == "checkout-api", "CDEvents binding: the subject id")
            let data = try #require(event["data"] as? Object)
            let context = try #require(data["context"] as? Object)
            #expect(context["version"] as? String == "0.4.1")
            #expect(context["id"] as? String == row.id)
            #expect(context["source"] as? String == "/loopline/streams/deployment-dep-301")
            #expect(context["source"] as? String == event["source"] as? String)
            #expect(context["type"] as? String == "dev.cdevents.service.deployed.0.2.0")
            #expect(context["timestamp"] as? String == "2025-03-01T11:59:00.000000Z")
            #expect(context["timestamp"] as? String == event["time"] as? String)
            let subject = try #require(data["subject"] as? Object)
            #expect(subject["id"] as? String == "checkout-api")
            #expect(subject["type"] as? String == "service")
            let content = try #require(subject["content"] as? NSDictionary)
            #expect(
                content
                    == (try Self.dictionary(
                        #"{"environment": {"id": "production"}, "artifactId": "pkg:generic/checkout-api@9fceb02"}"#)))
            #expect((data["customData"] as? NSDictionary) == row.data, "nothing lost")
            #expect(data["customDataContentType"] as? String == "application/json")
            #expect(Set(data.keys) == ["context", "subject", "customData", "customDataContentType"])
        }
    }

    @Test("the other mappings, and events whose data lacks what the CDEvent needs keep their Loopline type")
    func otherMappings() async throws {
        try await TestDatabase.with { db in
            let rolledBack =
                #"{"deploymentId": "dep-1", "environment": "staging", "service": "web", "sha": "abcdef1", "toSha": "1234567"}"#
            try await append(db, "deployment-dep-1", "DeploymentRolledBack", rolledBack)
            try await append(
                db, "deployment-dep-2", "DeploymentRolledBack",
                #"{"deploymentId": "dep-2", "environment": "staging", "service": "web", "sha": "abcdef1"}"#)
            try await append(
                db, "build-4711", "BuildPassed", #"{"buildId": "4711", "sha": "9fceb02", "service": "api"}"#,
                schemaVersion: 2)
            try await append(
                db, "build-4712", "BuildFailed", #"{"buildId": "4712", "sha": "9fceb02", "service": "api"}"#,
                schemaVersion: 2)
            try await append(
                db, "build-4713", "BuildStarted", #"{"buildId": "4713", "sha": "9fceb02", "service": "api"}"#)
            try await append(
                db, "commit-9fceb02", "CommitIntegrated",
                #"{"sha": "9fceb02", "branch": "main", "pullRequest": "482", "storyIds": [], "service": "api"}"#)
            try await append(
                db, "commit-abcdef1", "CommitIntegrated",
                #"{"sha": "abcdef1", "branch": "main", "storyIds": [], "service": "api"}"#)
            try await append(
                db, "deployment-dep-3", "DeploymentSucceeded",
                #"{"environment": "production", "service": "Checkout API", "sha": "9fceb02"}"#)
            try await append(
                db, "deployment-dep-4", "DeploymentSucceeded",
                #"{"environment": "production", "service": "web", "sha": 12345678}"#)
            let (events, _) = try await export(db)
            let rows = try await rows(db)
            #expect(
                events.map { $0["type"] as? String } == [
                    "dev.cdevents.service.rolledback.0.2.0", "dev.loopline.deploymentrolledback.v1",
                    "dev.cdevents.build.finished.0.2.0",
                    "dev.cdevents.build.finished.0.2.0", "dev.cdevents.build.started.0.2.0",
                    "dev.cdevents.change.merged.0.2.0",
                    "dev.loopline.commitintegrated.v1", "dev.loopline.deploymentsucceeded.v1",
                    "dev.loopline.deploymentsucceeded.v1",
                ])
            #expect(
                events.map { $0["subject"] as? String } == [
                    "web", "deployment-dep-2", "4711", "4712", "4713", "482", "commit-abcdef1", "deployment-dep-3",
                    "deployment-dep-4",
                ])
            let rollback = try #require((events[0]["data"] as? Object)?["subject"] as? Object)
            #expect(
                (rollback["content"] as? NSDictionary)
                    == (try Self.dictionary(
                        #"{"environment": {"id": "staging"}, "artifactId": "pkg:generic/web@1234567"}"#)))
            for index in [2, 3, 4, 5] {
                let data = try #require(events[index]["data"] as? Object)
                let subject = try #require(data["subject"] as? Object)
                #expect((subject["content"] as? NSDictionary)?.count == 0, "nothing we could fill truthfully")
                #expect(subject["type"] as? String == (index == 5 ? "change" : "build"))
                #expect((data["customData"] as? NSDictionary) == rows[index].data)
            }
            for index in [1, 6, 7, 8] {
                #expect((events[index]["data"] as? NSDictionary) == rows[index].data, "as recorded")
            }
            for (event, row) in zip(events, rows) { checkEnvelope(event, row) }
        }
    }

    @Test("an unmapped type keeps its data as recorded; quotes, newlines, emoji and nulls survive")
    func unmapped() async throws {
        try await TestDatabase.with { db in
            let tricky = #"""
                {"storyId": "PROJ-1", "title": "she said \"hi\"\nthen left\r\n\ttab 🚀✨", "note": "a, b", "none": null,
                 "sql": "x'); DROP TABLE events; --", "backslash": "C:\\path", "nested": {"list": [1, 2.5, true]}}
                """#
            try await append(db, "story-PROJ-1", "StoryCreated", tricky)
            let (events, _) = try await export(db)
            let row = try #require(try await rows(db).first)
            let event = try #require(events.first)
            checkEnvelope(event, row)
            #expect(event["type"] as? String == "dev.loopline.storycreated.v1")
            #expect(event["subject"] as? String == "story-PROJ-1")
            let data = try #require(event["data"] as? NSDictionary)
            #expect(data == (try Self.dictionary(tricky)))
            #expect(data["title"] as? String == "she said \"hi\"\nthen left\r\n\ttab 🚀✨")
            #expect(data["backslash"] as? String == #"C:\path"#)
            #expect(data["none"] is NSNull)
        }
    }

    @Test("a malformed occurredAt does not break the export: the event's time is recordedAt")
    func malformedOccurredAt() async throws {
        try await TestDatabase.with { db in
            let malformed = [
                #""2025-02-30T11:59:00.000Z""#, #""2025-13-01T00:00:00Z""#, #""2025-03-01T24:00:00Z""#,
                #""2025-03-01T12:00:00""#,
                #""2025-03-01 12:00:00Z""#, #""yesterday""#, #""""#, "12345", "null", "true",
                #"{"at": "2025-03-01T12:00:00Z"}"#,
                #""0000-01-01T00:00:00Z""#, #""9999-12-31T23:00:00-15:00""#, #""2025-03-01T12:00:00+16:00""#,
                #""2025-03-01T12:00:00.123456789012345Z""#, #""2025-03-01T12:00:00Z\n""#,
            ]
            for (index, value) in malformed.enumerated() {
                try await append(db, "note-\(index)", "Note", #"{"occurredAt": \#(value)}"#)
            }
            try await append(
                db, "deployment-bad", "DeploymentSucceeded",
                #"{"environment": "production", "service": "web", "sha": "9fceb02", "occurredAt": "2025-02-29T12:00:00Z"}"#
            )
            let (events, manifest) = try await export(db)
            let rows = try await rows(db)
            #expect(manifest.rows == malformed.count + 1)
            #expect(events.count == malformed.count + 1)
            for (event, row) in zip(events, rows) {
                checkEnvelope(event, row)
                let time = try #require(event["time"] as? String)
                #expect(Self.microseconds(time) == row.recordedMicroseconds, "\(row.data)")
            }
            let cdevent = try #require(events.last?["data"] as? Object)
            #expect((cdevent["context"] as? Object)?["timestamp"] as? String == events.last?["time"] as? String)
        }
    }

    @Test("the mapping table: CDEvents 0.4.1 types, valid attribute names, safely quoted SQL")
    func table() {
        for mapping in CloudEvents.mappings {
            #expect(mapping.cdeventsType.wholeMatch(of: /dev\.cdevents\.[a-z]+\.[a-z]+\.\d+\.\d+\.\d+/) != nil)
        }
        #expect(
            Set(CloudEvents.mappings.map(\.looplineType)).count == CloudEvents.mappings.count, "one mapping per type")
        for name in CloudEvents.Extension.all { #expect(name.wholeMatch(of: /[a-z0-9]{1,20}/) != nil) }
        #expect(CloudEvents.literal("it's") == "'it''s'")
        #expect(CloudEvents.literal(#"%\1"#) == #"E'%\\1'"#)
        #expect(CloudEvents.literal(#"a'\b"#) == #"E'a''\\b'"#)
    }
}
