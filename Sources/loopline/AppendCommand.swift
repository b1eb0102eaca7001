import ArgumentParser
import EventStore
import Postgres
import Foundation

struct AppendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append one event to a stream and print where it landed.",
        discussion: """
            Example: loopline append build-4711 BuildPassed --data '{"sha": "9fceb02"}' --expected-version exists

            Appending the same --event-id again prints the original result with "duplicate": true.
            """)

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The stream, category-id (e.g. story-PROJ-12).")
    var stream: String

    @Argument(help: "The event type (e.g. StoryCreated).")
    var type: String

    @Option(help: "The event data, a JSON object; - reads it from stdin.")
    var data: String = "{}"

    @Option(help: "The event metadata, a JSON object.")
    var metadata: String = "{}"

    @Option(help: "any, no-stream, exists, or the stream's current version.")
    var expectedVersion: String = "any"

    @Option(help: "The event id (default: a new UUID). Reusing one makes the append idempotent.")
    var eventId: String?

    @Option(help: "The version of the event type's data schema.")
    var schemaVersion: Int = 1

    struct Printed: Encodable {
        var eventId: String
        var stream: String
        var streamVersion: Int64
        var position: Int64
        var recordedAt: Date
        var duplicate: Bool
    }

    func run() async throws {
        let logger = options.logger()
        let client = options.client(maxConnections: 1, logger: logger)
        try await Output.run {
            let event = try makeEvent()
            let store = EventStore(client: client, logger: logger)
            let result = try await store.append([event], to: try StreamName(stream), expected: try ExpectedVersion(parsing: expectedVersion))
            let appended = result.events[0]
            try Output.json(
                Printed(
                    eventId: appended.eventId.lowercasedString, stream: result.stream,
                    streamVersion: appended.streamVersion, position: appended.position, recordedAt: appended.recordedAt,
                    duplicate: result.duplicate))
        }
        await client.close()
    }

    private func makeEvent() throws -> NewEvent {
        var id = UUID()
        if let eventId {
            guard let parsed = UUID(uuidString: eventId) else {
                throw EventStoreError(.invalidArgument, "--event-id \"\(eventId)\" is not a UUID", field: "eventId")
            }
            id = parsed
        }
        let payload = data == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : data
        return NewEvent(id: id, type: type, schemaVersion: schemaVersion, data: payload, metadata: metadata)
    }
}
