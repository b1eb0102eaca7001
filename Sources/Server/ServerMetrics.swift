import EventStore
import Foundation
import Hummingbird
import Prometheus
import Synchronization

/// Prometheus metrics of one server: request counts and latencies per route, command
/// outcomes, and, read at scrape time, the store's appends and the pool's use.
final class ServerMetrics: Sendable {
    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
    ]

    private let registry = PrometheusCollectorRegistry()
    private let store: EventStore
    /// Handles by (method, route, status): the registry's own lookup costs allocations on
    /// every request.
    private let requestMetrics = Mutex<[String: (Prometheus.Counter, DurationHistogram)]>([:])
    /// Counters by (command, outcome), for the same reason.
    private let commandMetrics = Mutex<[String: Prometheus.Counter]>([:])

    init(store: EventStore) {
        self.store = store
    }

    /// A metric's full name, as is (the unit is already its suffix), with its HELP text.
    private static func name(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// The handles of `key`, made once: the registry's own lookup costs allocations on every call.
    private static func cached<Handles>(_ cache: borrowing Mutex<[String: Handles]>, _ key: String, _ make: () -> Handles) -> Handles {
        cache.withLock { cache in
            if let handles = cache[key] { return handles }
            let handles = make()
            cache[key] = handles
            return handles
        }
    }

    func requestFinished(method: String, route: String, status: Int, duration: Duration) {
        let (counter, histogram) = Self.cached(requestMetrics, "\(method) \(route) \(status)") {
            (
                registry.makeCounter(
                    descriptor: Self.name("loopline_http_requests_total", "HTTP requests by method, route and status."),
                    labels: [("method", method), ("route", route), ("status", String(status))]),
                registry.makeDurationHistogram(
                    descriptor: Self.name("loopline_http_request_duration_seconds", "HTTP request latency by route."),
                    labels: [("route", route)], buckets: Self.latencyBuckets)
            )
        }
        counter.increment()
        histogram.recordNanoseconds(duration.nanoseconds)
    }

    /// Handles by (kind, disposition).
    private let deliveryMetrics = Mutex<[String: (Prometheus.Counter, DurationHistogram)]>([:])

    func deliveryFinished(kind: String, disposition: String, duration: Duration) {
        let (counter, histogram) = Self.cached(deliveryMetrics, "\(kind) \(disposition)") {
            (
                registry.makeCounter(
                    descriptor: Self.name("loopline_ingest_deliveries_total", "Webhook deliveries by source kind and disposition."),
                    labels: [("kind", kind), ("disposition", disposition)]),
                registry.makeDurationHistogram(
                    descriptor: Self.name("loopline_ingest_duration_seconds", "Webhook delivery latency by source kind."),
                    labels: [("kind", kind)], buckets: Self.latencyBuckets)
            )
        }
        counter.increment()
        histogram.recordNanoseconds(duration.nanoseconds)
    }

    func commandFinished(name: String, outcome: String) {
        Self.cached(commandMetrics, "\(name) \(outcome)") {
            registry.makeCounter(
                descriptor: Self.name("loopline_commands_total", "Commands handled, by command and outcome."),
                labels: [("command", name), ("outcome", outcome)])
        }.increment()
    }

    func socketConnections(_ delta: Int) {
        registry.makeGauge(descriptor: Self.name("loopline_socket_connections", "Open socket-server connections."))
            .record(Double(socketConnectionCount.add(delta)))
    }

    private let socketConnectionCount = RunningTotal()

    /// The text exposition format.
    func render() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        var text = String(decoding: buffer, as: UTF8.self)
        let appends = store.appendStatistics
        let pool = store.connectionUse
        text += """
            # TYPE loopline_appends_total counter
            loopline_appends_total \(appends.appends)
            # TYPE loopline_append_transactions_total counter
            loopline_append_transactions_total \(appends.transactions)
            # TYPE loopline_append_conflicts_total counter
            loopline_append_conflicts_total \(appends.conflicts)
            # TYPE loopline_db_pool_connections gauge
            loopline_db_pool_connections{state="in_use"} \(pool.inUse)
            loopline_db_pool_connections{state="idle"} \(pool.idle)
            loopline_db_pool_connections{state="max"} \(pool.size)
            # TYPE loopline_db_pool_waiting gauge
            loopline_db_pool_waiting \(pool.waiting)
            # TYPE loopline_db_pool_acquire_timeouts_total counter
            loopline_db_pool_acquire_timeouts_total \(pool.acquireTimeouts)

            """
        return text
    }

    /// A small thread-safe running total.
    final class RunningTotal: Sendable {
        private let value = Mutex<Int>(0)
        func add(_ delta: Int) -> Int { value.withLock { $0 += delta; return $0 } }
    }
}

/// Records every request's route, status and duration.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        metrics.requestFinished(
            method: request.method.rawValue, route: context.endpointPath ?? "unmatched", status: response.status.code,
            duration: started.duration(to: .now))
        return response
    }
}

extension Duration {
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
