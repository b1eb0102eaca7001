public import Foundation

/// Every command; each case wraps a `Codable` struct.
public enum Command: Sendable, Equatable {
    // Planning
    case createStory(CreateStory)
    case prioritizeStory(PrioritizeStory)
    case startStory(StartStory)
    case completeStory(CompleteStory)
    case cancelStory(CancelStory)
    // Integration
    case integrateCommit(IntegrateCommit)
    case startBuild(StartBuild)
    case passBuild(PassBuild)
    case failBuild(FailBuild)
    // Testing
    case completeTestRun(CompleteTestRun)
    // Delivery
    case startDeployment(StartDeployment)
    case succeedDeployment(SucceedDeployment)
    case failDeployment(FailDeployment)
    case rollBackDeployment(RollBackDeployment)
    case publishRelease(PublishRelease)
    // Monitoring
    case breachMetric(BreachMetric)
    case recoverMetric(RecoverMetric)
    case openIncident(OpenIncident)
    case resolveIncident(ResolveIncident)
    // Feedback
    case receiveFeedback(ReceiveFeedback)
    // Improvement
    case proposeImprovement(ProposeImprovement)
    case completeImprovement(CompleteImprovement)

    /// The struct of every case, in catalogue order: the one list to extend with a new command.
    static let payloadTypes: [any CommandPayload.Type] = [
        CreateStory.self, PrioritizeStory.self, StartStory.self, CompleteStory.self, CancelStory.self,
        IntegrateCommit.self, StartBuild.self, PassBuild.self, FailBuild.self,
        CompleteTestRun.self,
        StartDeployment.self, SucceedDeployment.self, FailDeployment.self, RollBackDeployment.self,
        PublishRelease.self,
        BreachMetric.self, RecoverMetric.self, OpenIncident.self, ResolveIncident.self,
        ReceiveFeedback.self,
        ProposeImprovement.self, CompleteImprovement.self,
    ]

    /// Every command name, kebab-case (`create-story`), in catalogue order.
    public static let names: [String] = payloadTypes.map { $0.name }

    private static let payloadTypesByName: [String: any CommandPayload.Type] = Dictionary(
        uniqueKeysWithValues: payloadTypes.map { ($0.name, $0) })

    /// Decodes and validates a command's JSON body.
    ///
    /// An unknown name is `unknown_command`; a body that is not a JSON object is `invalid_body`; a required
    /// field absent or null is `missing_field`; a field of the wrong type or format is `invalid_field`;
    /// the catalogue's own codes (`priority_out_of_range`, …) for its ranges. `field` is the JSON path.
    /// Unknown fields are ignored. Rules that need state, the policy or the clock are `Decider.decide`'s.
    public static func decode(name: String, json: Data) throws(DomainError) -> Command {
        let payloadType = try payloadType(named: name)
        return try decode(payloadType, JSONFields(body: json))
    }

    /// Builds and validates a command from its fields by key, as an ingest mapping does: the same rules,
    /// codes and order as `decode(name:json:)`.
    public static func decode(name: String, fields: CommandFields) throws(DomainError) -> Command {
        try decode(payloadType(named: name), fields)
    }

    private static func payloadType(named name: String) throws(DomainError) -> any CommandPayload.Type {
        guard let payloadType = payloadTypesByName[name] else {
            throw DomainError(
                code: "unknown_command",
                message: "unknown command \"\(name)\"; known commands: \(names.joined(separator: ", "))")
        }
        return payloadType
    }

    private static func decode<Payload: CommandPayload>(_ type: Payload.Type, _ body: JSONFields)
        throws(DomainError) -> Command
    {
        try Payload.spec.decode(body).command
    }

    private static func decode<Payload: CommandPayload>(_ type: Payload.Type, _ fields: CommandFields)
        throws(DomainError) -> Command
    {
        try Payload.spec.decode(fields).command
    }

    /// The wrapped struct.
    var payload: any CommandPayload {
        switch self {
        case .createStory(let command): command
        case .prioritizeStory(let command): command
        case .startStory(let command): command
        case .completeStory(let command): command
        case .cancelStory(let command): command
        case .integrateCommit(let command): command
        case .startBuild(let command): command
        case .passBuild(let command): command
        case .failBuild(let command): command
        case .completeTestRun(let command): command
        case .startDeployment(let command): command
        case .succeedDeployment(let command): command
        case .failDeployment(let command): command
        case .rollBackDeployment(let command): command
        case .publishRelease(let command): command
        case .breachMetric(let command): command
        case .recoverMetric(let command): command
        case .openIncident(let command): command
        case .resolveIncident(let command): command
        case .receiveFeedback(let command): command
        case .proposeImprovement(let command): command
        case .completeImprovement(let command): command
        }
    }

    /// The command's name, e.g. `create-story`.
    public var name: String { Swift.type(of: payload).name }

    /// The stream the command appends to, `category-id`, e.g. `story-PROJ-12`.
    public var streamId: String { payload.streamId }

    /// Other streams whose state `Decider.decide` needs, e.g. `build-4711` for a deployment of build 4711.
    public var relatedStreamIds: [String] { payload.relatedStreamIds }

    public var service: String { payload.service }

    public var team: String? { payload.team }

    /// When it happened by the source's clock; nil means "now", by the server's clock.
    public var occurredAt: Date? { payload.occurredAt }

    /// The command's fields by key, as `decode(name:fields:)` takes them.
    public var fields: CommandFields { payload.fields }
}

/// What every command struct provides to `Command` and `Decider`: its spec (name, streams, fields), the
/// fields every command has, and its decision.
protocol CommandPayload: Codable, Sendable, Equatable {
    static var spec: CommandSpec<Self> { get }
    var service: String { get }
    var team: String? { get }
    var occurredAt: Date? { get }
    /// The events the command produces against its stream's state, or a refusal.
    func decide(_ state: StreamState, _ context: DecisionContext) throws(DomainError) -> [DomainEvent]
}

extension CommandPayload {
    /// The kebab-case name, e.g. `create-story`.
    static var name: String { spec.name }
    var streamId: String { Self.spec.stream(self) }
    var relatedStreamIds: [String] { Self.spec.related(self) }
    /// The command wrapped in its `Command` case.
    var command: Command { Self.spec.wrap(self) }
    var fields: CommandFields { Self.spec.fields(of: self) }

    /// The command after its per-field rules, normalised (SHAs lowercase), or the first rule it breaks.
    func validated() throws(DomainError) -> Self { try Self.spec.validated(self) }
}
