import Foundation
import Lifecycle
import Testing

@Suite struct FeedbackTests {
    static let received = DomainEvent.feedbackReceived(
        FeedbackReceived(feedbackId: "fb-77", source: "survey", rating: 2, service: "checkout-api", occurredAt: earlier)
    )

    @Test func receiveFeedback() throws {
        let command = try decode(
            "receive-feedback",
            #"""
            {"feedbackId": "fb-77", "source": "app-store", "rating": 2, "text": "SSO loops back to the login page",
             "storyId": "PROJ-12", "releaseId": "2024.10", "service": "checkout-api", "team": "identity",
             "occurredAt": "2025-03-01T11:59:00Z"}
            """#)
        #expect(command.streamId == "feedback-fb-77")
        let events = try Decider.decide(command, state: .empty, related: [:], now: now, policy: Policy())
        #expect(
            events == [
                .feedbackReceived(
                    FeedbackReceived(
                        feedbackId: "fb-77", source: "app-store", rating: 2, text: "SSO loops back to the login page",
                        storyId: "PROJ-12", releaseId: "2024.10", service: "checkout-api", team: "identity",
                        occurredAt: earlier))
            ])
    }

    /// A feedback body with the given rating (JSON text) and source.
    static func body(rating: String = "4", source: String = "survey") -> String {
        #"{"feedbackId": "fb-77", "source": "\#(source)", "rating": \#(rating), "service": "checkout-api"}"#
    }

    static let refusals: [Refusal] = [
        Refusal("feedback_already_received", "receive-feedback", body(), given: [received]),
        Refusal("rating_out_of_range", field: "rating", "receive-feedback", body(rating: "0")),
        Refusal("rating_out_of_range", field: "rating", "receive-feedback", body(rating: "6")),
        Refusal("invalid_field", field: "rating", "receive-feedback", body(rating: "4.5")),
        Refusal("invalid_field", field: "rating", "receive-feedback", body(rating: #""5""#)),
        Refusal("invalid_field", field: "source", "receive-feedback", body(source: "App Store")),
        Refusal("invalid_field", field: "source", "receive-feedback", body(source: "1-star")),
        Refusal(
            "invalid_field", field: "text", "receive-feedback",
            #"""
            {"feedbackId": "fb-77", "source": "survey", "rating": 4, "text": "\#(String(repeating: "t",
                count: 10_001))", "service": "checkout-api"}
            """#
        ),
        Refusal(
            "invalid_field", field: "storyId", "receive-feedback",
            #"{"feedbackId": "fb-77", "source": "survey", "rating": 4, "storyId": "", "service": "checkout-api"}"#),
    ]

    @Test(arguments: refusals) func refuses(_ refusal: Refusal) {
        refusal.check()
    }

    @Test func evolveFoldsFeedback() {
        #expect(
            fold([Self.received])
                == StreamState(entity: .feedback(FeedbackState(feedbackId: "fb-77", rating: 2)), version: 1))
    }
}
