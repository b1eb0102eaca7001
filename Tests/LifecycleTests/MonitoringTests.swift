import Foundation
import Lifecycle
import Testing

@Suite struct MonitoringTests {
    static let breached = DomainEvent.metricBreached(
        MetricBreached(
            metric: "http.error_rate", value: 0.07, threshold: 0.05, service: "checkout-api", occurredAt: earlier))
    static let recovered = DomainEvent.metricRecovered(
        MetricRecovered(metric: "http.error_rate", value: 0.01, service: "checkout-api", occurredAt: earlier))
    static let opened = DomainEvent.incidentOpened(
        IncidentOpened(
            incidentId: "INC-9", title: "Checkout errors", severity: 2, deploymentId: "dep-301",
            rootCauseSha: "9fceb02",
            service: "checkout-api", occurredAt: earlier))
    static let resolved = DomainEvent.incidentResolved(
        IncidentResolved(incidentId: "INC-9", service: "checkout-api", occurredAt: earlier))

    @Test func breachMetric() throws {
        let command = try decode(
            "breach-metric",
            #"""
            {"service": "checkout-api", "metric": "http.error_rate", "value": 0.07, "threshold": 0.05,
             "environment": "production", "deploymentId": "dep-301", "occurredAt": "2025-03-01T11:59:00Z"}
            """#)
        #expect(command.streamId == "metric-checkout-api:http.error_rate")
        let events = try Decider.decide(command, state: .empty, related: [:], now: now, policy: Policy())
        #expect(
            events == [
                .metricBreached(
                    MetricBreached(
                        metric: "http.error_rate", value: 0.07, threshold: 0.05, environment: "production",
                        deploymentId: "dep-301", service: "checkout-api", occurredAt: earlier))
            ])
    }

    @Test func aRecoveredMetricMayBreachAgain() throws {
        let events = try decide(
            "breach-metric", #"{"service": "checkout-api", "metric": "http.error_rate", "value": 9, "threshold": 5}"#,
            given: [Self.breached, Self.recovered])
        #expect(
            events == [
                .metricBreached(
                    MetricBreached(
                        metric: "http.error_rate", value: 9, threshold: 5, service: "checkout-api", occurredAt: now))
            ])
    }

    @Test func recoverMetric() throws {
        let events = try decide(
            "recover-metric",
            #"{"service": "checkout-api", "metric": "http.error_rate", "value": 0.01, "environment": "production"}"#,
            given: [Self.breached])
        #expect(
            events == [
                .metricRecovered(
                    MetricRecovered(
                        metric: "http.error_rate", value: 0.01, environment: "production", service: "checkout-api",
                        occurredAt: now))
            ])
    }

    @Test func openIncident() throws {
        let command = try decode(
            "open-incident",
            #"""
            {"incidentId": "INC-9", "title": "Checkout errors", "severity": 2, "deploymentId": "dep-301",
             "rootCauseSha": "9FCEB02", "service": "checkout-api", "occurredAt": "2025-03-01T11:59:00Z"}
            """#)
        #expect(command.streamId == "incident-INC-9")
        let events = try Decider.decide(command, state: .empty, related: [:], now: now, policy: Policy())
        #expect(events == [Self.opened])
    }

    @Test func resolveIncidentKeepsTheOpeningsLinks() throws {
        let events = try decide(
            "resolve-incident", #"{"incidentId": "INC-9", "resolution": "rolled back", "service": "checkout-api"}"#,
            given: [Self.opened])
        #expect(
            events == [
                .incidentResolved(
                    IncidentResolved(
                        incidentId: "INC-9", resolution: "rolled back", deploymentId: "dep-301",
                        rootCauseSha: "9fceb02",
                        service: "checkout-api", occurredAt: now))
            ])
    }

    @Test func resolveIncidentMayNameTheRootCause() throws {
        let opened = DomainEvent.incidentOpened(
            IncidentOpened(
                incidentId: "INC-9", title: "Checkout errors", severity: 1, service: "checkout-api", occurredAt: earlier
            ))
        let events = try decide(
            "resolve-incident", #"{"incidentId": "INC-9", "rootCauseSha": "AB12CD3", "service": "checkout-api"}"#,
            given: [opened])
        #expect(
            events == [
                .incidentResolved(
                    IncidentResolved(
                        incidentId: "INC-9", rootCauseSha: "ab12cd3", service: "checkout-api", occurredAt: now))
            ])
    }

    static let breach = #"{"service": "checkout-api", "metric": "http.error_rate", "value": 0.07, "threshold": 0.05}"#
    static let recover = #"{"service": "checkout-api", "metric": "http.error_rate", "value": 0.01}"#
    static let incident =
        #"{"incidentId": "INC-9", "title": "Checkout errors", "severity": 2, "service": "checkout-api"}"#
    static let resolve = #"{"incidentId": "INC-9", "service": "checkout-api"}"#

    static let refusals: [Refusal] = [
        Refusal("metric_already_breached", "breach-metric", breach, given: [breached]),
        Refusal(
            "unknown_environment", field: "environment", "breach-metric",
            #"""
            {"service": "checkout-api", "metric": "http.error_rate", "value": 1, "threshold": 0,
            "environment": "moon"}
            """#
        ),
        Refusal(
            "invalid_field", field: "metric", "breach-metric",
            #"{"service": "checkout-api", "metric": "HTTP errors", "value": 1, "threshold": 0}"#),
        Refusal(
            "invalid_field", field: "value", "breach-metric",
            #"{"service": "checkout-api", "metric": "http.error_rate", "value": "high", "threshold": 0}"#),
        Refusal(
            "missing_field", field: "threshold", "breach-metric",
            #"{"service": "checkout-api", "metric": "http.error_rate", "value": 1}"#),
        Refusal("metric_not_breached", "recover-metric", recover),
        Refusal("metric_not_breached", "recover-metric", recover, given: [breached, recovered]),
        Refusal(
            "unknown_environment", field: "environment", "recover-metric",
            #"{"service": "checkout-api", "metric": "http.error_rate", "value": 0, "environment": "moon"}"#,
            given: [breached]),
        Refusal("incident_exists", "open-incident", incident, given: [opened]),
        Refusal(
            "severity_out_of_range", field: "severity", "open-incident",
            #"{"incidentId": "INC-9", "title": "Checkout errors", "severity": 0, "service": "checkout-api"}"#),
        Refusal(
            "severity_out_of_range", field: "severity", "open-incident",
            #"{"incidentId": "INC-9", "title": "Checkout errors", "severity": 5, "service": "checkout-api"}"#),
        Refusal(
            "invalid_field", field: "title", "open-incident",
            #"{"incidentId": "INC-9", "title": "", "severity": 2, "service": "checkout-api"}"#),
        Refusal(
            "invalid_field", field: "rootCauseSha", "open-incident",
            #"""
            {"incidentId": "INC-9", "title": "t", "severity": 2, "rootCauseSha": "main", "service": "checkout-api"}
            """#),
        Refusal("incident_not_open", "resolve-incident", resolve),
        Refusal("incident_not_open", "resolve-incident", resolve, given: [opened, resolved]),
    ]

    @Test(arguments: refusals) func refuses(_ refusal: Refusal) {
        refusal.check()
    }

    @Test func evolveFoldsAMetricAndAnIncident() {
        #expect(
            fold([Self.breached])
                == StreamState(
                    entity: .metric(MetricState(service: "checkout-api", metric: "http.error_rate", isBreached: true)),
                    version: 1))
        #expect(fold([Self.breached, Self.recovered]).metric?.isBreached == false)
        #expect(
            fold([Self.opened, Self.resolved])
                == StreamState(
                    entity: .incident(IncidentState(incidentId: "INC-9", isOpen: false)), version: 2))
        #expect(
            fold([Self.opened]).incident
                == IncidentState(incidentId: "INC-9", isOpen: true, deploymentId: "dep-301", rootCauseSha: "9fceb02"))
    }
}
