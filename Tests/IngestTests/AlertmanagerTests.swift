import Access
import EventStore
import Foundation
import JSON
import LooplineTestSupport
import Server
import Testing

@testable import Ingest

@Suite("Alertmanager: alerts are breaches and recoveries keyed by fingerprint; critical ones incidents")
struct AlertmanagerTests {
    static let context = MappingContext(settings: SourceSettings())

    func map(_ fixture: String, _ context: MappingContext = context) throws -> MappingOutcome {
        AlertmanagerMapping.map(
            DeliveryPayload(event: "", body: try JSONScanner.value(of: Array(Fixture.data("alertmanager/\(fixture).json")))), context)
    }

    @Test("a firing group: one breach per alert, and an incident for the critical one, written by hand")
    func firing() throws {
        guard case .commands(let commands) = try map("firing") else {
            Issue.record("expected commands")
            return
        }
        let common: [String: JSONValue] = ["service": "checkout-api", "team": "payments"]
        #expect(commands == [
            MappedCommand("breach-metric", common.merging([
                "metric": "high_latency.1a30ba71cca2921f", "value": .number(2.7), "threshold": .number(2), "environment": "production",
                "occurredAt": "2026-12-02T14:05:00.123Z",
            ]) { $1 }, alreadyRecorded: ["metric_already_breached"]),
            MappedCommand("open-incident", common.merging([
                "incidentId": "am:1a30ba71cca2921f:20261202140500", "title": "p99 latency above 2 s", "severity": 1,
                "occurredAt": "2026-12-02T14:05:00.123Z",
            ]) { $1 }, alreadyRecorded: ["incident_exists"]),
            MappedCommand("breach-metric", common.merging([
                "metric": "error_rate.bc97ff14869b13e3", "value": .number(0.018), "threshold": .number(0.01), "environment": "production",
                "occurredAt": "2026-12-02T14:07:30Z",
            ]) { $1 }, alreadyRecorded: ["metric_already_breached"]),
        ])
    }

    @Test("a resolved group recovers each metric and resolves the incident; an alert without a service is dead-lettered")
    func resolvedAndUnmapped() throws {
        guard case .commands(let commands) = try map("resolved") else {
            Issue.record("expected commands")
            return
        }
        #expect(commands.map(\.name) == ["recover-metric", "resolve-incident", "recover-metric"])
        #expect(commands[0].fields["value"] == .number(0.8))
        #expect(commands[1].fields["incidentId"] == "am:1a30ba71cca2921f:20261202140500")
        #expect(commands[2].fields["occurredAt"] == "2026-12-02T14:40:00Z")
        #expect(try map("firing-no-service") == .deadLetter(
            "alert #1: no label names its service (tried service, job); add one or set --service"))
        #expect(Alert.metricName("HTTP 5xx Rate!", "AB12") == "http_5xx_rate_.ab12")
    }

    @Test("over HTTP: a group resent three times records each alert once; the resolved group each recovery once")
    func resends() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let secret = try await server.server.ingest.sources.create(name: "prom", kind: .alertmanager, settings: SourceSettings()).secret
                func post(_ fixture: String, bearer: String = secret) async throws -> RawHTTPClient.Response {
                    try await server.http.request(
                        "POST", "/v1/ingest/alertmanager/prom",
                        headers: ["Content-Type": "application/json", "Authorization": "Bearer \(bearer)"],
                        body: try Fixture.data("alertmanager/\(fixture).json"))
                }
                #expect(try await post("firing", bearer: "lls_wrong").status == 401)
                for _ in 0..<3 {
                    let response = try await post("firing")
                    #expect(try response.json()["disposition"] as? String == "recorded", "\(response.text)")
                }
                #expect(try await db.eventCount() == 3, "two breaches and one incident")
                for _ in 0..<2 { _ = try await post("resolved") }
                let types = try await db.store.readAll(after: 0, limit: 100).map(\.type)
                #expect(types.sorted() == ["IncidentOpened", "IncidentResolved", "MetricBreached", "MetricBreached", "MetricRecovered", "MetricRecovered"])
            }
        }
    }
}
