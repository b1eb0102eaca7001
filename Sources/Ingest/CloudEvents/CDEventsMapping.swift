import Foundation
import JSON
import Lifecycle

/// CDEvents v0.4 (`dev.cdevents.<subject>.<predicate>.<version>`) from other tools, onto the
/// catalogue. CDEvents leave out what our commands need in places (a build's commit, a test
/// run's counts); such values are read from `customData` where the emitter can put them, and
/// an event without them is dead-lettered saying which is missing (docs/ingest.md).
enum CDEventsMapping {
    static func map(_ event: CloudEvent, _ context: MappingContext) -> MappingOutcome {
        let parts = event.type.dropFirst(CloudEventsMapping.cdeventsPrefix.count).split(separator: ".")
        guard parts.count >= 2 else { return .deadLetter("unknown type \"\(event.type)\"") }
        let cdevent = CDEvent(event: event, context: context)
        switch "\(parts[0]).\(parts[1])" {
        case "change.merged": return cdevent.changeMerged()
        case "build.started": return cdevent.build(finished: false)
        case "build.finished": return cdevent.build(finished: true)
        case "testsuiterun.finished": return cdevent.testSuiteFinished()
        case "service.deployed", "service.upgraded": return cdevent.serviceDeployed()
        case "service.rolledback": return cdevent.serviceRolledBack()
        case "incident.detected", "incident.reported": return cdevent.incident(resolved: false)
        case "incident.resolved": return cdevent.incident(resolved: true)
        case "ticket.created": return cdevent.ticketCreated()
        case "ticket.updated": return .ignored("ticket.updated carries no change Loopline records; ticket.closed completes the story")
        case "ticket.closed": return cdevent.ticketClosed()
        case "artifact.published": return cdevent.artifactPublished()
        default: return .deadLetter("unknown type \"\(event.type)\": no mapping onto the catalogue")
        }
    }
}

/// One CDEvent's parts, with the readings every mapping shares.
struct CDEvent {
    let event: CloudEvent
    let context: MappingContext

    var subject: JSONValue { event.data["subject"] }
    var content: JSONValue { subject["content"] }
    var custom: JSONValue { event.data["customData"] }
    var time: JSONValue { event.data["context"]["timestamp"].text.map(JSONValue.string) ?? MappingFields.text(event.time) }

    /// The subject's id as a catalogue id: characters outside `[A-Za-z0-9._:-]` become `.`.
    func entityId(_ raw: String?) -> String? {
        guard let raw, !raw.isEmpty else { return nil }
        var id = String(raw.unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "A"..."Z", "a"..."z", "0"..."9", ".", "_", ":", "-": Character(scalar)
            default: "."
            }
        })
        while let first = id.first, !(first.isLetter || first.isNumber) { id.removeFirst() }
        id = String(id.prefix(128))
        return CatalogueNames.isEntityId(id) ? id : nil
    }

    /// The commit: `customData.sha`, else the version of a purl that is a SHA.
    var sha: String? {
        if let sha = custom["sha"].text, CatalogueNames.isSha(sha) { return sha }
        guard let version = Purl.version(content["artifactId"].string), CatalogueNames.isSha(version) else { return nil }
        return version
    }

    /// The service: `customData.service`, a named service subject, the source's settings.
    func target(serviceId: String? = nil) -> Result<SourceSettings.Target, Unmapped> {
        let named = custom["service"].text ?? serviceId.flatMap { $0.split(separator: "/").last.map(String.init) }
        if let named, let service = MappingContext.serviceName(named), context.settings.service == nil {
            return .success(.init(service: service, team: custom["team"].text ?? context.settings.team))
        }
        if let service = context.settings.service { return .success(.init(service: service, team: context.settings.team)) }
        return .failure(Unmapped("the event names no service (customData.service) and the source has no --service"))
    }

    func command(
        _ name: String, _ fields: [String: JSONValue], serviceId: String? = nil, alreadyRecorded: Set<String>
    ) -> MappingOutcome {
        switch target(serviceId: serviceId) {
        case .success(let target):
            return .commands([MappedCommand(
                name, MappingFields.target(target).merging(["occurredAt": time]) { $1 }.merging(fields) { $1 },
                alreadyRecorded: alreadyRecorded)])
        case .failure(let unmapped):
            return .deadLetter(unmapped.reason)
        }
    }

    func missing(_ what: String) -> MappingOutcome { .deadLetter("\(event.type) needs \(what), which this event does not carry") }

    // MARK: - Types

    func changeMerged() -> MappingOutcome {
        guard let sha else { return missing("the merged commit (customData.sha)") }
        let message = custom["message"].text ?? content["description"].text
        return command(
            "integrate-commit",
            [
                "sha": .string(sha), "branch": MappingFields.text(custom["branch"].text), "message": MappingFields.clipped(message),
                "storyIds": MappingFields.list(context.storyIds(in: [subject["id"].string, message], repository: nil)),
                "pullRequest": MappingFields.clipped(subject["id"].text, 200),
            ], alreadyRecorded: ["commit_already_integrated"])
    }

    func build(finished: Bool) -> MappingOutcome {
        guard let buildId = entityId(subject["id"].string) else { return missing("a subject id") }
        guard let sha else { return missing("the built commit (customData.sha or a purl artifactId at a SHA)") }
        guard finished else {
            return command("start-build", ["buildId": .string(buildId), "sha": .string(sha)], alreadyRecorded: ["build_already_started"])
        }
        let outcome = (content["outcome"].string ?? custom["outcome"].string ?? "success").lowercased()
        let failed = ["failure", "failed", "fail", "error"].contains(outcome)
        return command(
            failed ? "fail-build" : "pass-build",
            [
                "buildId": .string(buildId), "sha": .string(sha), "durationSeconds": MappingFields.number(custom["durationSeconds"].double),
                "reason": failed ? MappingFields.clipped(custom["reason"].text ?? outcome) : .null,
            ], alreadyRecorded: ["build_already_finished"])
    }

    func testSuiteFinished() -> MappingOutcome {
        guard let runId = entityId(subject["id"].string) else { return missing("a subject id") }
        guard let sha else { return missing("the tested commit (customData.sha)") }
        let outcome = (content["outcome"].string ?? "pass").lowercased()
        // Without counts, the suite itself is the one test: it passed or it did not.
        let passed = custom["passed"].int ?? (outcome == "pass" ? 1 : 0)
        let failed = custom["failed"].int ?? (outcome == "pass" || outcome == "cancel" ? 0 : 1)
        return command(
            "complete-test-run",
            [
                "runId": .string(runId), "suite": MappingFields.clipped(content["testSuite"]["name"].text ?? content["testSuite"]["id"].text ?? "suite", 200),
                "sha": .string(sha), "passed": .integer(passed), "failed": .integer(failed), "skipped": .integer(custom["skipped"].int ?? 0),
            ], alreadyRecorded: ["test_run_already_completed"])
    }

    func serviceDeployed() -> MappingOutcome {
        guard let deploymentId = entityId(custom["deploymentId"].text ?? event.data["context"]["id"].text ?? event.id) else {
            return missing("an id")
        }
        guard let sha else { return missing("the deployed commit (customData.sha or a purl artifactId at a SHA)") }
        let environment: String
        switch context.environment(content["environment"]["id"].text ?? content["environment"]["name"].text) {
        case .success(let name): environment = name
        case .failure(let unmapped): return .deadLetter(unmapped.reason)
        }
        return command(
            "succeed-deployment",
            ["deploymentId": .string(deploymentId), "environment": .string(environment), "sha": .string(sha)],
            serviceId: subject["id"].string, alreadyRecorded: ["deployment_already_finished"])
    }

    func serviceRolledBack() -> MappingOutcome {
        guard let deploymentId = entityId(custom["deploymentId"].text) else { return missing("the rolled-back deployment (customData.deploymentId)") }
        return command(
            "roll-back-deployment",
            ["deploymentId": .string(deploymentId), "toSha": MappingFields.text(sha), "toVersion": MappingFields.clipped(Purl.version(content["artifactId"].string), 100)],
            serviceId: subject["id"].string, alreadyRecorded: ["deployment_already_rolled_back"])
    }

    func incident(resolved: Bool) -> MappingOutcome {
        guard let incidentId = entityId(subject["id"].string) else { return missing("a subject id") }
        let serviceId = content["service"]["id"].string
        if resolved {
            return command(
                "resolve-incident", ["incidentId": .string(incidentId), "resolution": MappingFields.clipped(content["description"].text)],
                serviceId: serviceId, alreadyRecorded: ["incident_not_open"])
        }
        return command(
            "open-incident",
            [
                "incidentId": .string(incidentId), "title": MappingFields.clipped(content["description"].text ?? "incident \(incidentId)", 500),
                "severity": .integer(custom["severity"].int ?? 2),
            ], serviceId: serviceId, alreadyRecorded: ["incident_exists"])
    }

    func ticketCreated() -> MappingOutcome {
        guard let storyId = entityId(subject["id"].string) else { return missing("a subject id") }
        let priorities = ["critical": 1, "highest": 1, "blocker": 1, "high": 2, "medium": 3, "normal": 3, "low": 4, "lowest": 5]
        return command(
            "create-story",
            [
                "storyId": .string(storyId), "title": MappingFields.clipped(content["summary"].text ?? storyId, 500),
                "priority": MappingFields.integer(content["priority"].string.flatMap { priorities[$0.lowercased()] }),
            ], alreadyRecorded: ["story_exists"])
    }

    func ticketClosed() -> MappingOutcome {
        guard let storyId = entityId(subject["id"].string) else { return missing("a subject id") }
        let resolution = content["resolution"].string?.lowercased() ?? "completed"
        let cancelled = ["cancelled", "canceled", "won't do", "wontfix", "won't fix", "duplicate", "declined"].contains(resolution)
        return command(
            cancelled ? "cancel-story" : "complete-story",
            ["storyId": .string(storyId), "reason": cancelled ? .string("closed as \(resolution)") : .null],
            alreadyRecorded: MappedCommand.storyClosed)
    }

    func artifactPublished() -> MappingOutcome {
        guard let releaseId = entityId(subject["id"].string) else { return missing("a subject id") }
        guard let version = Purl.version(subject["id"].string) ?? custom["version"].text else { return missing("a version (a purl subject id)") }
        return command(
            "publish-release",
            ["releaseId": .string(releaseId), "version": MappingFields.clipped(version, 100), "sha": MappingFields.text(sha)],
            alreadyRecorded: ["release_already_published"])
    }
}

/// Package URLs (`pkg:generic/checkout-api@9fceb02`), as CDEvents name artifacts.
enum Purl {
    static func version(_ purl: String?) -> String? {
        guard let purl, purl.hasPrefix("pkg:"), let at = purl.lastIndex(of: "@") else { return nil }
        let version = purl[purl.index(after: at)...].prefix { $0 != "?" && $0 != "#" }
        return version.isEmpty ? nil : String(version).removingPercentEncoding
    }
}
