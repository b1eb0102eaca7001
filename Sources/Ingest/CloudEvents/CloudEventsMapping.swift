import Foundation
import JSON
import Lifecycle

/// CloudEvents: our own catalogue's events (as `loopline export --format cloudevents` writes
/// them: `dev.loopline.*`, or CDEvents carrying our data in `customData` with the `lltype`
/// extension) come back as the very commands that wrote them; other CDEvents v0.4 types map
/// as `CDEventsMapping` says; anything else is dead-lettered as an unknown type.
enum CloudEventsMapping: SourceAdapter {
    static let cdeventsPrefix = "dev.cdevents."
    static let looplinePrefix = "dev.loopline."

    static func authenticate(_ request: IngestRequest, secret: String) throws(IngestError) {
        try SharedSecret.verifyBearer(request.headers, secret: secret)
    }

    static func payload(headers: [String: String], body: Data) throws(IngestError) -> DeliveryPayload {
        let value = try json(body)
        return DeliveryPayload(event: value["type"].string ?? "", body: value, headers: headers)
    }

    static func units(_ request: IngestRequest) throws(IngestError) -> (units: [Result<DeliveryUnit, IngestError>], batch: Bool) {
        try CloudEventsRequest.units(headers: request.headers, value: try json(request.body))
    }

    static func map(_ payload: DeliveryPayload, _ context: MappingContext) -> MappingOutcome {
        let event: CloudEvent
        do { event = try CloudEvent(structured: payload.body) } catch { return .deadLetter(error.message) }
        if let own = LooplineEvents.map(event) { return own }
        if event.type.hasPrefix(cdeventsPrefix) { return CDEventsMapping.map(event, context) }
        return .deadLetter("unknown type \"\(event.type)\": Loopline takes CDEvents (dev.cdevents.*) and its own (dev.loopline.*)")
    }
}

/// The events of our own catalogue, round-tripped: the data is the event's as recorded, so
/// the command is the one that wrote it, field for field (older versions upcast first).
enum LooplineEvents {
    static func map(_ event: CloudEvent) -> MappingOutcome? {
        guard let (type, version) = catalogueType(event) else { return nil }
        guard let command = commandNames[type] else { return .deadLetter("no command writes \(type)") }
        let data = event.attributes["lltype"] != nil && event.type.hasPrefix(CloudEventsMapping.cdeventsPrefix)
            ? event.data["customData"] : event.data
        guard case .object = data else { return .deadLetter("the \(type) event carries no data object") }
        let fields: JSONValue
        do {
            // Through the domain's own decoder: an old schema version comes out as today's.
            let upcast = try DomainEvent.decode(type: type, schemaVersion: version, text: JSONText.write(data)).encodedData()
            fields = try JSONScanner.value(of: Array(upcast.utf8))
        } catch {
            return .deadLetter("the \(type) v\(version) data does not decode: \(error)")
        }
        guard case .object(let members) = fields else { return .deadLetter("the \(type) data is not an object") }
        return .commands([MappedCommand(command, members, alreadyRecorded: alreadyRecorded)])
    }

    /// The Loopline type and schema version an event names: the `lltype` and `llschemaversion`
    /// extensions, or a `dev.loopline.<type>.v<version>` type.
    static func catalogueType(_ event: CloudEvent) -> (String, Int)? {
        if let type = event.extensionText("lltype"), DomainEvent.schemaVersions[type] != nil {
            return (type, event.extensionText("llschemaversion").flatMap { Int($0) } ?? DomainEvent.schemaVersions[type]!)
        }
        guard event.type.hasPrefix(CloudEventsMapping.looplinePrefix) else { return nil }
        let parts = event.type.dropFirst(CloudEventsMapping.looplinePrefix.count).split(separator: ".")
        guard parts.count == 2, parts[1].hasPrefix("v"), let version = Int(parts[1].dropFirst()),
            let type = typesByLowercase[String(parts[0])]
        else { return nil }
        return (type, version)
    }

    static let typesByLowercase = Dictionary(uniqueKeysWithValues: DomainEvent.types.map { ($0.lowercased(), $0) })

    /// Each event type and the command that writes it (docs/events.md, "Events").
    static let commandNames: [String: String] = [
        "StoryCreated": "create-story", "StoryPrioritized": "prioritize-story", "StoryStarted": "start-story",
        "StoryCompleted": "complete-story", "StoryCancelled": "cancel-story", "CommitIntegrated": "integrate-commit",
        "BuildStarted": "start-build", "BuildPassed": "pass-build", "BuildFailed": "fail-build",
        "TestRunCompleted": "complete-test-run", "DeploymentStarted": "start-deployment",
        "DeploymentSucceeded": "succeed-deployment", "DeploymentFailed": "fail-deployment",
        "DeploymentRolledBack": "roll-back-deployment", "ReleasePublished": "publish-release",
        "MetricBreached": "breach-metric", "MetricRecovered": "recover-metric", "IncidentOpened": "open-incident",
        "IncidentResolved": "resolve-incident", "FeedbackReceived": "receive-feedback",
        "ImprovementProposed": "propose-improvement", "ImprovementCompleted": "complete-improvement",
    ]

    /// The refusals that mean the fact is already in the log (an event ingested twice by
    /// different ids, say).
    static let alreadyRecorded: Set<String> = [
        "story_exists", "story_already_started", "story_already_completed", "commit_already_integrated",
        "build_already_started", "build_already_finished", "test_run_already_completed", "deployment_already_started",
        "deployment_already_finished", "deployment_already_rolled_back", "release_already_published",
        "metric_already_breached", "incident_exists", "feedback_already_received", "improvement_already_completed",
    ]
}
