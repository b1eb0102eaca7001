public import Foundation

/// Rules that operators may configure.
public struct Policy: Sendable, Equatable {
    /// The environments deployments and metrics may name; anything else is `unknown_environment`.
    public var environments: Set<String>
    /// How far in the future (seconds, by the server's clock) a command's `occurredAt` may be, to allow for
    /// clocks that run ahead; beyond it the command is `occurred_in_future`.
    public var maximumClockSkew: TimeInterval

    public init(
        environments: Set<String> = ["development", "test", "staging", "production"],
        maximumClockSkew: TimeInterval = 300
    ) {
        self.environments = environments
        self.maximumClockSkew = maximumClockSkew
    }
}
