public import ArgumentParser
import EventStore
import Foundation
import Ingest
import Postgres

struct SourceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "source",
        abstract: "Manage ingest sources: the tools that push webhooks (talks to the database directly).",
        subcommands: [Create.self, List.self, Show.self, Update.self, RotateSecret.self, Delete.self])

    /// The settings flags `create` and `update` share.
    struct SettingsOptions: ParsableArguments {
        @Option(help: "The team of every delivery whose repository has none of its own.")
        var team: String?

        @Option(help: "The service of every delivery whose repository is not in a --map.")
        var service: String?

        @Option(help: "Where the service comes from without a --map: repository (its name, lowercased) or map (only mapped repositories; others are dead-lettered).")
        var serviceFrom: SourceSettings.ServiceFrom?

        @Option(help: "owner/repo=service[:team] (GitLab: group/project; Jira: project key); repeatable. Wins over --service.")
        var map: [String] = []

        @Option(help: "A regular expression whose matches in branches, messages and titles are story ids; repeatable (default: [A-Z][A-Z0-9]+-[0-9]+).")
        var storyPattern: [String] = []

        @Option(help: "Environment names that mean production, comma-separated (default: production,prod).")
        var productionEnvironments: String?

        @Option(help: "The label that makes an issue an incident (default: incident).")
        var incidentLabel: String?

        @Option(help: "Alertmanager: a label that names the alert's service; repeatable, first present wins (default: service, then job).")
        var alertServiceLabel: [String] = []

        @Option(help: "Alertmanager: label=value that makes an alert an incident too; repeatable (default: severity=critical, incident=true).")
        var alertIncidentWhen: [String] = []

        @Option(help: "Jira: an issue type that is an improvement, not a story; repeatable (default: Improvement).")
        var improvementType: [String] = []

        @Option(help: "Jira: a resolution that means a story was dropped, not done; repeatable (default: Won't Do, Won't Fix, Cancelled, Canceled, Declined, Duplicate, Cannot Reproduce, Obsolete).")
        var cancelResolution: [String] = []

        func request(name: String, kind: SourceKind) throws -> SourceRequest {
            var request = SourceRequest(name: name, kind: kind)
            request.team = team
            request.service = service
            request.serviceFrom = serviceFrom
            request.map = try Dictionary(map.map { entry in
                let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else {
                    throw IngestError(.invalidSource, "--map takes owner/repo=service[:team], not \"\(entry)\"", field: "map")
                }
                return (parts[0], parts[1])
            }, uniquingKeysWith: { $1 })
            request.storyPatterns = storyPattern.isEmpty ? nil : storyPattern
            request.productionEnvironments = productionEnvironments.map { $0.split(separator: ",").map(String.init) }
            request.incidentLabel = incidentLabel
            request.alertServiceLabels = alertServiceLabel.isEmpty ? nil : alertServiceLabel
            request.alertIncidentWhen = alertIncidentWhen.isEmpty ? nil : alertIncidentWhen
            request.improvementTypes = improvementType.isEmpty ? nil : improvementType
            request.cancelResolutions = cancelResolution.isEmpty ? nil : cancelResolution
            return request
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a source and print, once, its ingest path and its new secret.")

        @OptionGroup var options: GlobalOptions
        @OptionGroup var ingest: IngestOptions
        @Option(help: "github, gitlab, jira, alertmanager, cloudevents or feedback") var kind: SourceKind
        @Option(help: "The source's name, in its URL: lowercase letters, digits, . _ -.") var name: String
        @OptionGroup var settings: SettingsOptions

        func run() async throws {
            try await SourceCommand.withSources(options, ingest) { sources in
                let request = try settings.request(name: name, kind: kind)
                try Output.json(try await sources.create(name: name, kind: kind, settings: request.settings()))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List sources (never their secrets) as a JSON array.")
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await SourceCommand.withSources(options, IngestOptions()) { sources in try Output.json(try await sources.list()) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one source and its settings.")
        @OptionGroup var options: GlobalOptions
        @Argument var name: String

        func run() async throws {
            try await SourceCommand.withSources(options, IngestOptions()) { sources in try Output.json(try await sources.show(name)) }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a source's settings (add a --map, say); what is not given stays. Retry its dead letters after.")
        @OptionGroup var options: GlobalOptions
        @Argument var name: String
        @OptionGroup var settings: SettingsOptions

        func run() async throws {
            try await SourceCommand.withSources(options, IngestOptions()) { sources in
                let current = try await sources.show(name)
                let request = try settings.request(name: name, kind: current.kind)
                try Output.json(try await sources.update(name, settings: request.settings(over: current.settings)))
            }
        }
    }

    struct RotateSecret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-secret", abstract: "Give a source a new secret, printed once; the old one stops working at once.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var ingest: IngestOptions
        @Argument var name: String

        func run() async throws {
            try await SourceCommand.withSources(options, ingest) { sources in try Output.json(try await sources.rotateSecret(name)) }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a source: its URL stops answering; its deliveries stay on record.")
        @OptionGroup var options: GlobalOptions
        @Argument var name: String

        func run() async throws {
            try await SourceCommand.withSources(options, IngestOptions()) { sources in try Output.json(try await sources.delete(name)) }
        }
    }

    static func withSources(_ options: GlobalOptions, _ ingest: IngestOptions, _ body: (SourceStore) async throws -> Void) async throws {
        let logger = options.logger()
        let client = options.client(maxConnections: 1, logger: logger)
        try await Output.run {
            try await body(SourceStore(store: EventStore(client: client, logger: logger), keyFile: ingest.keyFile(options.environment)))
        }
        await client.close()
    }
}

extension SourceKind: ExpressibleByArgument {}
extension SourceSettings.ServiceFrom: ExpressibleByArgument {}
