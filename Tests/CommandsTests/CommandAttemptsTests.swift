@testable import Commands
import Lifecycle
import Testing

@Suite("The handler's retry rule")
struct CommandAttemptsTests {
    static let conflict = DomainError(code: "story_not_found", message: "no story P-1")
    static let badRequest = DomainError(code: "invalid_field", message: "bad", field: "storyId")

    @Test("the first conflict retries at once on a fresh read; later ones pause longer each time")
    func conflicts() {
        var attempts = CommandAttempts(maximum: 4, stream: "story-P-1")
        #expect(!attempts.readsFresh)
        #expect(attempts.conflicted() == .retry(pauseMicroseconds: nil))
        #expect(attempts.readsFresh && attempts.attempt == 2)
        #expect(attempts.conflicted() == .retry(pauseMicroseconds: 100...2000))
        #expect(attempts.conflicted() == .retry(pauseMicroseconds: 100...3000))
        guard case .fail(let error) = attempts.conflicted() else { Issue.record("a fifth attempt"); return }
        #expect(error.status == 409 && error.code == "concurrency_conflict")
        #expect(error.message.contains("story-P-1") && error.message.contains("4 attempts"))
    }

    @Test("a refusal of the state is confirmed once on a fresh read, then returned as 409")
    func stateRefusal() {
        var attempts = CommandAttempts(maximum: 10, stream: "story-P-1")
        #expect(attempts.refused(Self.conflict) == .retry(pauseMicroseconds: nil))
        #expect(attempts.refused(Self.conflict) == .fail(CommandError(status: 409, code: "story_not_found", message: "no story P-1")))
    }

    @Test("a bad request is refused at once, whatever the state, as 422 with its field")
    func requestRefusal() {
        var attempts = CommandAttempts(maximum: 10, stream: "story-P-1")
        #expect(
            attempts.refused(Self.badRequest)
                == .fail(CommandError(status: 422, code: "invalid_field", message: "bad", field: "storyId")))
        #expect(attempts.attempt == 1)
    }

    @Test("with one attempt, a refusal on a guess cannot be confirmed and reports a conflict")
    func singleAttempt() {
        var attempts = CommandAttempts(maximum: 1, stream: "story-P-1")
        guard case .fail(let error) = attempts.refused(Self.conflict) else { Issue.record("retried"); return }
        #expect(error.code == "concurrency_conflict")
    }
}
