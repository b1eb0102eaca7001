import Foundation
import JSON

/// Prometheus Alertmanager's webhook (payload version 4): each alert of the group is a metric
/// breach while `firing` and a recovery once `resolved`, keyed by its fingerprint (one metric
/// per alert, `{alertname}.{fingerprint}`), so Alertmanager's resends every `repeat_interval`
/// record nothing new. An alert whose labels match the source's incident rule also opens and
/// resolves an incident, one per firing episode (fingerprint and start).
enum AlertmanagerMapping: SourceAdapter {
    static func authenticate(_ request: IngestRequest, secret: String) throws(IngestError) {
        try SharedSecret.verifyBearer(request.headers, secret: secret)
    }

    /// No delivery id: a resend of the same group is the same bytes, keyed by their digest.
    static func payload(headers: [String: String], body: Data) throws(IngestError) -> DeliveryPayload {
        let value = try json(body)
        return DeliveryPayload(event: value["status"].string ?? "", body: value, headers: headers)
    }

    static func map(_ payload: DeliveryPayload, _ context: MappingContext) -> MappingOutcome {
        let body = payload.body
        guard body["version"].string == "4" else {
            return .deadLetter("Alertmanager payload version \(body["version"].string ?? "(none)") is not 4")
        }
        let alerts = body["alerts"].elements
        guard !alerts.isEmpty else { return .ignored("the notification carries no alerts") }
        var commands: [MappedCommand] = []
        for (index, alert) in alerts.enumerated() {
            switch Alert(alert, context: context).commands() {
            case .success(let mapped): commands += mapped
            case .failure(let unmapped): return .deadLetter("alert #\(index + 1): \(unmapped.reason)")
            }
        }
        return .commands(commands)
    }
}

/// One alert of a notification and what it records.
struct Alert {
    let value: JSONValue
    let context: MappingContext

    init(_ value: JSONValue, context: MappingContext) {
        self.value = value
        self.context = context
    }

    var labels: JSONValue { value["labels"] }
    var annotations: JSONValue { value["annotations"] }

    func commands() -> Result<[MappedCommand], Unmapped> {
        guard let fingerprint = value["fingerprint"].text, fingerprint.allSatisfy({ $0.isLetter || $0.isNumber }) else {
            return .failure(Unmapped("it has no fingerprint"))
        }
        guard let alertname = labels["alertname"].text else { return .failure(Unmapped("it has no alertname label")) }
        guard let service = context.settings.alertServiceLabels.lazy.compactMap({ labels[$0].text }).first
            .flatMap(MappingContext.serviceName) ?? context.settings.service
        else {
            let tried = context.settings.alertServiceLabels.joined(separator: ", ")
            return .failure(Unmapped("no label names its service (tried \(tried)); add one or set --service"))
        }
        let firing = value["status"].string == "firing"
        guard firing || value["status"].string == "resolved" else {
            return .failure(Unmapped("status \(value["status"].string ?? "(none)") is neither firing nor resolved"))
        }
        let common: [String: JSONValue] = ["service": .string(service), "team": MappingFields.text(labels["team"].text ?? context.settings.team)]
        var commands = [metricCommand(Self.metricName(alertname, fingerprint), firing: firing, common)]
        if isIncident { commands.append(incidentCommand(fingerprint, alertname, firing: firing, common)) }
        return .success(commands)
    }

    private func metricCommand(_ metric: String, firing: Bool, _ common: [String: JSONValue]) -> MappedCommand {
        let measured = annotations["value"].string.flatMap(Double.init)
        var fields = common.merging(["metric": .string(metric)]) { $1 }
        if firing {
            fields["value"] = .number(measured ?? 1)
            fields["threshold"] = .number(annotations["threshold"].string.flatMap(Double.init) ?? 0)
            fields["environment"] = environment
            fields["occurredAt"] = value["startsAt"]
            return MappedCommand("breach-metric", fields, alreadyRecorded: ["metric_already_breached"])
        }
        fields["value"] = .number(measured ?? 0)
        fields["environment"] = environment
        fields["occurredAt"] = value["endsAt"]
        return MappedCommand("recover-metric", fields, alreadyRecorded: ["metric_not_breached"])
    }

    private func incidentCommand(_ fingerprint: String, _ alertname: String, firing: Bool, _ common: [String: JSONValue]) -> MappedCommand {
        // One incident per firing episode: a later firing of the same alert starts anew.
        let started = (value["startsAt"].string ?? "").filter { $0.isNumber }.prefix(14)
        let incidentId = JSONValue.string("am:\(fingerprint):\(started)")
        if firing {
            return MappedCommand(
                "open-incident",
                common.merging([
                    "incidentId": incidentId, "title": MappingFields.clipped(annotations["summary"].text ?? alertname, 500),
                    "severity": .integer(Self.severity(labels["severity"].string)), "occurredAt": value["startsAt"],
                ]) { $1 }, alreadyRecorded: ["incident_exists"])
        }
        return MappedCommand(
            "resolve-incident",
            common.merging([
                "incidentId": incidentId, "resolution": MappingFields.clipped(annotations["description"].text), "occurredAt": value["endsAt"],
            ]) { $1 }, alreadyRecorded: ["incident_not_open"])
    }

    /// The source's incident rule: any of its `label=value` pairs holds.
    var isIncident: Bool {
        context.settings.alertIncidentWhen.contains { rule in
            let parts = rule.split(separator: "=", maxSplits: 1).map(String.init)
            return parts.count == 2 && labels[parts[0]].string == parts[1]
        }
    }

    var environment: JSONValue {
        guard let name = labels["environment"].text ?? labels["env"].text, case .success(let resolved) = context.environment(name) else {
            return .null
        }
        return .string(resolved)
    }

    /// `HighLatency` + `1a30ba71cca2921f` → `high_latency.1a30ba71cca2921f`, in the metric pattern.
    static func metricName(_ alertname: String, _ fingerprint: String) -> String {
        var name = ""
        var previous: Character?
        for character in alertname {
            defer { previous = character }
            if character.isUppercase, previous?.isLowercase == true || previous?.isNumber == true { name.append("_") }
            if character.isLetter || character.isNumber {
                name += character.lowercased().filter { $0.isASCII }
            } else if name.last != "_" {
                name.append("_")
            }
        }
        if name.first.map({ !$0.isLetter }) ?? true { name = "alert_" + name }
        return String(name.prefix(45)) + "." + fingerprint.lowercased().prefix(16)
    }

    /// Prometheus' usual severity labels onto the catalogue's 1 (most severe) to 4.
    static func severity(_ label: String?) -> Int {
        switch label?.lowercased() {
        case "critical", "page", "emergency": 1
        case "error", "high", "major": 2
        case "warning", "minor": 3
        case "info", "low": 4
        default: 2
        }
    }
}
