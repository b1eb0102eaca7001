import Foundation

/// What a command's decision sees besides its own stream: the event time, the policy, related streams.
struct DecisionContext: Sendable {
    /// The command's `occurredAt`, or the server's `now`, to the millisecond.
    var occurredAt: Date
    var policy: Policy
    var related: [String: StreamState]

    /// A related stream's state; `.empty` when it does not exist (or was not loaded).
    func state(of streamId: String) -> StreamState {
        related[streamId] ?? .empty
    }

    /// `unknown_environment` unless the policy lists the environment.
    func checkEnvironment(_ environment: String?) throws(DomainError) {
        guard let environment, !policy.environments.contains(environment) else { return }
        throw DomainError(
            code: "unknown_environment",
            message: "environment \"\(environment)\" is not configured; use one of "
                + policy.environments.sorted().joined(separator: ", "),
            field: "environment")
    }
}
