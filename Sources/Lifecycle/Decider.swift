public import Foundation
import JSON

/// Decides what commands produce and folds events into stream state. Pure.
public enum Decider {
    /// The events a command produces against the current state of its stream and of its related streams
    /// (`related[id]` is `.empty`, or absent, for a related stream that does not exist), or a refusal.
    ///
    /// Runs the command's per-field rules again (commands built in Swift skip `Command.decode`), then the
    /// `occurredAt` rule, then the rules that need state. `now` is the server's clock: a command without
    /// `occurredAt` happened `now`, and one more than `policy.maximumClockSkew` after it is refused.
    /// Event times are kept to the millisecond, as the log stores them.
    public static func decide(
        _ command: Command, state: StreamState, related: [String: StreamState], now: Date, policy: Policy
    ) throws(DomainError) -> [DomainEvent] {
        let payload = try command.payload.validated()
        let occurredAt = ISO8601Timestamp.rounded(payload.occurredAt ?? now)
        guard occurredAt <= now.addingTimeInterval(policy.maximumClockSkew) else {
            throw DomainError(
                code: "occurred_in_future",
                message: "occurredAt \(ISO8601Timestamp.format(occurredAt)) is more than "
                    + "\(seconds(policy.maximumClockSkew)) s after the server's clock "
                    + "(\(ISO8601Timestamp.format(now))); check the sender's clock",
                field: "occurredAt")
        }
        return try payload.decide(state, DecisionContext(occurredAt: occurredAt, policy: policy, related: related))
    }

    /// `300` rather than `300.0`, without a locale-dependent formatter.
    private static func seconds(_ interval: TimeInterval) -> String {
        interval == interval.rounded() && abs(interval) < 1e15 ? String(Int(interval)) : String(interval)
    }

    /// Applies one event to a state: never fails, because the log is the truth. An event that finds no
    /// entity of its kind (a stream appended by hand, out of order) starts one from what it carries.
    public static func evolve(_ state: StreamState, _ event: DomainEvent) -> StreamState {
        StreamState(entity: event.payload.evolve(state.entity), version: state.version + 1)
    }
}
