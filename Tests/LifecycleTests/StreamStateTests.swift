import Foundation
import Lifecycle
import Testing

@Suite struct StreamStateTests {
    @Test func anEmptyStreamDoesNotExist() {
        #expect(StreamState.empty.exists == false)
        #expect(StreamState.empty.version == 0)
        #expect(StreamState.empty.entity == .empty)
    }

    @Test func everyEventCountsAsAVersion() {
        let state = fold([
            .storyCreated(StoryCreated(storyId: "P-1", title: "t", priority: 4, service: "web", occurredAt: earlier)),
            .storyStarted(StoryStarted(storyId: "P-1", service: "web", occurredAt: earlier)),
            .storyCompleted(StoryCompleted(storyId: "P-1", service: "web", occurredAt: earlier)),
        ])
        #expect(state.exists)
        #expect(
            state
                == StreamState(entity: .story(StoryState(storyId: "P-1", priority: 4, status: .completed)), version: 3))
    }

    /// The log is the truth: a stream written by hand out of order still folds.
    @Test func eventsWithoutTheirFirstEventStillFold() {
        let started = fold([.storyStarted(StoryStarted(storyId: "P-1", service: "web", occurredAt: earlier))])
        #expect(
            started
                == StreamState(entity: .story(StoryState(storyId: "P-1", priority: 3, status: .started)), version: 1))
        let rolledBack = fold([
            .deploymentRolledBack(
                DeploymentRolledBack(
                    deploymentId: "d-1", environment: "staging", sha: "9fceb02", service: "web", occurredAt: earlier))
        ])
        #expect(
            rolledBack.deployment
                == DeploymentState(deploymentId: "d-1", environment: "staging", sha: "9fceb02", status: .rolledBack))
        let resolved = fold([
            .incidentResolved(IncidentResolved(incidentId: "I-1", service: "web", occurredAt: earlier))
        ])
        #expect(resolved.incident == IncidentState(incidentId: "I-1", isOpen: false))
    }

    @Test func policyDefaults() {
        let policy = Policy()
        #expect(policy.environments == ["development", "test", "staging", "production"])
        #expect(policy.maximumClockSkew == 300)
    }

    @Test func errorsDescribeThemselves() {
        #expect(
            DomainError(code: "invalid_field", message: "rating must be an integer", field: "rating").description
                == "invalid_field (rating): rating must be an integer")
        #expect(
            DomainError(code: "story_exists", message: "story P-1 already exists").description
                == "story_exists: story P-1 already exists")
    }

    @Test func requestErrorsAreTheOnesStateCannotChange() {
        #expect(DomainError(code: "rating_out_of_range", message: "m", field: "rating").isRequestError)
        #expect(DomainError(code: "occurred_in_future", message: "m", field: "occurredAt").isRequestError)
        #expect(!DomainError(code: "story_exists", message: "m").isRequestError)
        #expect(!DomainError(code: "build_failed", message: "m", field: "buildId").isRequestError)
    }
}
