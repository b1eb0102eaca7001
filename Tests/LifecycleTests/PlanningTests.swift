import Foundation
import Lifecycle
import Testing

@Suite struct PlanningTests {
    static let created = DomainEvent.storyCreated(
        StoryCreated(storyId: "PROJ-12", title: "Sign-in with SSO", priority: 2, service: "web", occurredAt: earlier))
    static let started = DomainEvent.storyStarted(StoryStarted(storyId: "PROJ-12", service: "web", occurredAt: earlier))
    static let completed = DomainEvent.storyCompleted(
        StoryCompleted(storyId: "PROJ-12", service: "web", occurredAt: earlier))
    static let cancelled = DomainEvent.storyCancelled(
        StoryCancelled(storyId: "PROJ-12", service: "web", occurredAt: earlier))

    @Test func createStory() throws {
        let events = try decide(
            "create-story",
            #"""
            {"storyId": "PROJ-12", "title": "Sign-in with SSO", "priority": 2, "service": "web", "team": "identity",
             "occurredAt": "2025-03-01T11:59:00Z"}
            """#)
        #expect(
            events == [
                .storyCreated(
                    StoryCreated(
                        storyId: "PROJ-12", title: "Sign-in with SSO", priority: 2, service: "web", team: "identity",
                        occurredAt: earlier))
            ])
    }

    @Test func createStoryDefaultsToPriorityThreeAndNow() throws {
        let events = try decide("create-story", #"{"storyId": "PROJ-12", "title": "SSO", "service": "web"}"#)
        #expect(
            events == [
                .storyCreated(
                    StoryCreated(storyId: "PROJ-12", title: "SSO", priority: 3, service: "web", occurredAt: now))
            ])
    }

    @Test func storyCommandsWriteTheStoryStream() throws {
        let command = try decode("start-story", #"{"storyId": "PROJ-12", "service": "web"}"#)
        #expect(command.name == "start-story")
        #expect(command.streamId == "story-PROJ-12")
        #expect(command.relatedStreamIds == [])
    }

    @Test func prioritizeStory() throws {
        let events = try decide(
            "prioritize-story", #"{"storyId": "PROJ-12", "priority": 1, "service": "web"}"#, given: [Self.created])
        #expect(
            events == [
                .storyPrioritized(StoryPrioritized(storyId: "PROJ-12", priority: 1, service: "web", occurredAt: now))
            ])
    }

    @Test func startStory() throws {
        let events = try decide(
            "start-story", #"{"storyId": "PROJ-12", "service": "web", "team": "identity"}"#, given: [Self.created])
        #expect(
            events == [
                .storyStarted(StoryStarted(storyId: "PROJ-12", service: "web", team: "identity", occurredAt: now))
            ])
    }

    @Test func completeStory() throws {
        let events = try decide(
            "complete-story", #"{"storyId": "PROJ-12", "service": "web"}"#, given: [Self.created, Self.started])
        #expect(events == [.storyCompleted(StoryCompleted(storyId: "PROJ-12", service: "web", occurredAt: now))])
    }

    @Test func completingAStoryThatNeverStartedIsAccepted() throws {
        let events = try decide("complete-story", #"{"storyId": "PROJ-12", "service": "web"}"#, given: [Self.created])
        #expect(events == [.storyCompleted(StoryCompleted(storyId: "PROJ-12", service: "web", occurredAt: now))])
    }

    @Test func cancelStory() throws {
        let events = try decide(
            "cancel-story", #"{"storyId": "PROJ-12", "reason": "duplicate of PROJ-9", "service": "web"}"#,
            given: [Self.created, Self.started])
        #expect(
            events == [
                .storyCancelled(
                    StoryCancelled(storyId: "PROJ-12", reason: "duplicate of PROJ-9", service: "web", occurredAt: now))
            ])
    }

    static let refusals: [Refusal] = [
        Refusal(
            "story_exists", "create-story", #"{"storyId": "PROJ-12", "title": "SSO", "service": "web"}"#,
            given: [created]),
        Refusal(
            "priority_out_of_range", field: "priority", "create-story",
            #"{"storyId": "PROJ-12", "title": "SSO", "priority": 0, "service": "web"}"#),
        Refusal(
            "priority_out_of_range", field: "priority", "create-story",
            #"{"storyId": "PROJ-12", "title": "SSO", "priority": 6, "service": "web"}"#),
        Refusal(
            "invalid_field", field: "title", "create-story", #"{"storyId": "PROJ-12", "title": "", "service": "web"}"#
        ),
        Refusal(
            "invalid_field", field: "title", "create-story",
            #"{"storyId": "PROJ-12", "title": "\#(String(repeating: "x", count: 501))", "service": "web"}"#),
        Refusal(
            "invalid_field", field: "storyId", "create-story",
            #"{"storyId": "PROJ 12", "title": "SSO", "service": "web"}"#),
        Refusal("story_not_found", "prioritize-story", #"{"storyId": "PROJ-12", "priority": 1, "service": "web"}"#),
        Refusal(
            "story_closed", "prioritize-story", #"{"storyId": "PROJ-12", "priority": 1, "service": "web"}"#,
            given: [created, completed]),
        Refusal(
            "story_closed", "prioritize-story", #"{"storyId": "PROJ-12", "priority": 1, "service": "web"}"#,
            given: [created, cancelled]),
        Refusal(
            "priority_out_of_range", field: "priority", "prioritize-story",
            #"{"storyId": "PROJ-12", "priority": 9, "service": "web"}"#, given: [created]),
        Refusal(
            "missing_field", field: "priority", "prioritize-story", #"{"storyId": "PROJ-12", "service": "web"}"#,
            given: [created]),
        Refusal("story_not_found", "start-story", #"{"storyId": "PROJ-12", "service": "web"}"#),
        Refusal(
            "story_closed", "start-story", #"{"storyId": "PROJ-12", "service": "web"}"#, given: [created, completed]),
        Refusal(
            "story_closed", "start-story", #"{"storyId": "PROJ-12", "service": "web"}"#, given: [created, cancelled]),
        Refusal(
            "story_already_started", "start-story", #"{"storyId": "PROJ-12", "service": "web"}"#,
            given: [created, started]),
        Refusal("story_not_found", "complete-story", #"{"storyId": "PROJ-12", "service": "web"}"#),
        Refusal(
            "story_cancelled", "complete-story", #"{"storyId": "PROJ-12", "service": "web"}"#,
            given: [created, cancelled]),
        Refusal(
            "story_already_completed", "complete-story", #"{"storyId": "PROJ-12", "service": "web"}"#,
            given: [created, started, completed]),
        Refusal("story_not_found", "cancel-story", #"{"storyId": "PROJ-12", "service": "web"}"#),
        Refusal(
            "story_already_completed", "cancel-story", #"{"storyId": "PROJ-12", "service": "web"}"#,
            given: [created, completed]),
        Refusal(
            "story_cancelled", "cancel-story", #"{"storyId": "PROJ-12", "service": "web"}"#,
            given: [created, cancelled]),
    ]

    @Test(arguments: refusals) func refuses(_ refusal: Refusal) {
        refusal.check()
    }

    @Test func evolveFoldsAStory() {
        let prioritized = DomainEvent.storyPrioritized(
            StoryPrioritized(storyId: "PROJ-12", priority: 1, service: "web", occurredAt: earlier))
        #expect(
            fold([Self.created]) == StreamState(entity: .story(StoryState(storyId: "PROJ-12", priority: 2)), version: 1)
        )
        #expect(
            fold([Self.created, prioritized, Self.started])
                == StreamState(
                    entity: .story(StoryState(storyId: "PROJ-12", priority: 1, status: .started)), version: 3))
        #expect(fold([Self.created, Self.completed]).story?.status == .completed)
        #expect(fold([Self.created, Self.cancelled]).story?.status == .cancelled)
    }
}
