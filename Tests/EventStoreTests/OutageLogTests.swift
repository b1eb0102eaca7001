import EventStore
import Foundation
import Logging
import LooplineTestSupport
import Postgres
import Testing

/// While PostgreSQL is down, every retry fails the same way: the log says so once, then sums it
/// up now and then, and says once when it is over.
@Suite("Logging an outage")
struct OutageLogTests {
    @Test("repeated failures: the first logged, the rest summarised with a count, the recovery once")
    func summaries() async throws {
        let captured = CapturedLog()
        let outage = OutageLog(failure: "could not connect", recovery: "connected again", logger: captured.logger(), interval: .milliseconds(200))
        struct Refused: Error {}
        for _ in 0..<5 { outage.failed(Refused()) }
        #expect(captured.records.count == 1)
        try await Task.sleep(for: .milliseconds(250))
        outage.failed(Refused())
        let warnings = captured.records.filter { $0.level == .warning }
        #expect(warnings.map(\.message) == ["could not connect", "could not connect (still failing)"])
        #expect(warnings.last?.metadata["loopline.failures_since_last_report"] == "5")
        outage.recovered()
        outage.recovered()
        let recoveries = captured.records("connected again")
        #expect(recoveries.count == 1)
        #expect(recoveries.first?.metadata["loopline.failures"] == "6")
        #expect(!outage.isFailing)
        outage.failed(Refused())
        #expect(captured.records("could not connect").count == 2, "a new outage is logged again")
    }

    @Test("appends during a PostgreSQL outage: one warning, not one per append, and one line when it is back")
    func appendsDuringAnOutage() async throws {
        try await PrivateCluster.with { cluster in
            let captured = CapturedLog()
            let client = PostgresClient(configuration: .init(conninfo: cluster.conninfo, maxConnections: 2), logger: captured.logger())
            let store = EventStore(client: client, logger: captured.logger())
            _ = try await Migrator(client: client, migrations: TestEnvironment.migrations, logger: TestEnvironment.logger()).migrate()
            let stream = try StreamName("metric-latency")
            _ = try await store.append([NewEvent(type: "MetricBreached")], to: stream)
            try await cluster.crash()
            var refused = 0
            for _ in 0..<40 {
                do {
                    _ = try await store.append([NewEvent(type: "MetricBreached")], to: stream)
                } catch let error as EventStoreError where error.code == .databaseUnavailable {
                    refused += 1
                }
            }
            #expect(refused == 40)
            try await cluster.recover()
            _ = try await store.append([NewEvent(type: "MetricBreached")], to: stream)
            #expect(captured.records("append writer could not connect").count == 1)
            let back = captured.records("append writer connected again")
            #expect(back.count == 1)
            #expect(Int(back.first?.metadata["loopline.failures"] ?? "") ?? 0 >= 30)
            await client.close()
        }
    }
}
