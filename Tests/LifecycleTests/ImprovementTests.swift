import Foundation
import Lifecycle
import Testing

@Suite struct ImprovementTests {
    static let proposed = DomainEvent.improvementProposed(
        ImprovementProposed(
            improvementId: "imp-5", title: "Alert on SSO redirect loops", feedbackId: "fb-77", incidentId: "INC-9",
            service: "checkout-api", occurredAt: earlier))
    static let completed = DomainEvent.improvementCompleted(
        ImprovementCompleted(improvementId: "imp-5", service: "checkout-api", occurredAt: earlier))

    @Test func proposeImprovement() throws {
        let command = try decode(
            "propose-improvement",
            #"""
            {"improvementId": "imp-5", "title": "Alert on SSO redirect loops", "feedbackId": "fb-77",
             "incidentId": "INC-9", "service": "checkout-api", "occurredAt": "2025-03-01T11:59:00Z"}
            """#)
        #expect(command.streamId == "improvement-imp-5")
        #expect(try Decider.decide(command, state: .empty, related: [:], now: now, policy: Policy()) == [Self.proposed])
    }

    @Test func completeImprovementCarriesTheProposalsLinks() throws {
        let events = try decide(
            "complete-improvement",
            #"{"improvementId": "imp-5", "outcome": "loops paged within a minute", "service": "checkout-api"}"#,
            given: [Self.proposed])
        #expect(
            events == [
                .improvementCompleted(
                    ImprovementCompleted(
                        improvementId: "imp-5", outcome: "loops paged within a minute", feedbackId: "fb-77",
                        incidentId: "INC-9", service: "checkout-api", occurredAt: now))
            ])
    }

    static let propose = #"{"improvementId": "imp-5", "title": "Alert on loops", "service": "checkout-api"}"#
    static let complete = #"{"improvementId": "imp-5", "service": "checkout-api"}"#

    static let refusals: [Refusal] = [
        Refusal("improvement_exists", "propose-improvement", propose, given: [proposed]),
        Refusal(
            "invalid_field", field: "title", "propose-improvement",
            #"{"improvementId": "imp-5", "title": "\#(String(repeating: "t", count: 501))", "service": "checkout-api"}"#
        ),
        Refusal(
            "invalid_field", field: "incidentId", "propose-improvement",
            #"{"improvementId": "imp-5", "title": "t", "incidentId": "INC 9", "service": "checkout-api"}"#),
        Refusal("improvement_not_found", "complete-improvement", complete),
        Refusal("improvement_already_completed", "complete-improvement", complete, given: [proposed, completed]),
    ]

    @Test(arguments: refusals) func refuses(_ refusal: Refusal) {
        refusal.check()
    }

    @Test func evolveFoldsAnImprovement() {
        #expect(
            fold([Self.proposed])
                == StreamState(
                    entity: .improvement(
                        ImprovementState(
                            improvementId: "imp-5", isCompleted: false, feedbackId: "fb-77", incidentId: "INC-9")),
                    version: 1))
        #expect(fold([Self.proposed, Self.completed]).improvement?.isCompleted == true)
    }
}
