public import ArgumentParser
import Foundation
import Ingest

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import files from other tools through an ingest source (talks to the database directly).",
        subcommands: [Feedback.self])

    struct Feedback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a survey export (CSV) as feedback, each row once.",
            discussion: """
                Each row is a delivery of the feedback source, as if its survey tool had posted it: \
                recorded, or dead-lettered with the reason (fix the source or the file, then \
                `loopline deliveries retry --all-dead`). Importing the same file again records \
                nothing new. Columns named like a field (rating, text, storyId, releaseId, service, \
                team, source, occurredAt, id) are taken without --map.
                """)
        @OptionGroup var options: GlobalOptions
        @OptionGroup var ingest: IngestOptions
        @Argument(help: "The CSV file, with a header line.") var file: String
        @Option(help: "The feedback source the rows are deliveries of (loopline source create --kind feedback).") var source: String
        @Option(help: "field=Column, comma-separated or repeated, e.g. rating=Score,text=Comment,occurredAt=Submitted.") var map: [String] = []

        func run() async throws {
            try await DeliveriesCommand.withPipeline(options, ingest) { pipeline in
                let rows = try FeedbackCSV(map: map).rows(try Self.read(file))
                let bar = ProgressBar(label: "import", unit: "rows")
                let clock = ContinuousClock()
                let started = clock.now
                var summary = ImportSummary(file: file, rows: rows.count)
                for (done, row) in rows.enumerated() {
                    summary.add(row, try await pipeline.submit(kind: .feedback, source: source, key: row.key, body: row.body))
                    bar.update(done: Int64(done + 1), total: Int64(rows.count), elapsed: clock.now - started)
                }
                if !rows.isEmpty { bar.finish(done: Int64(rows.count), total: Int64(rows.count), elapsed: clock.now - started) }
                try Output.json(summary)
            }
        }

        static func read(_ path: String) throws -> Data {
            do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw ValidationError("cannot read \(path): \(error.localizedDescription)")
            }
        }
    }
}

/// What an import did, row by row counted: new, already there, ignored, dead-lettered.
struct ImportSummary: Encodable {
    struct DeadLetter: Encodable {
        var line: Int
        var delivery: String
        var reason: String?
    }

    var file: String
    var rows: Int
    var recorded = 0
    var alreadyImported = 0
    var ignored = 0
    var deadLettered = 0
    /// The first 100 dead letters; `loopline deliveries list --disposition dead-lettered` has all.
    var deadLetters: [DeadLetter] = []

    init(file: String, rows: Int) {
        self.file = file
        self.rows = rows
    }

    mutating func add(_ row: FeedbackCSV.Row, _ answer: IngestAnswer) {
        switch answer.disposition {
        case .recorded where answer.replayed || answer.events.isEmpty: alreadyImported += 1
        case .recorded: recorded += 1
        case .ignored: ignored += 1
        case .deadLettered:
            deadLettered += 1
            if deadLetters.count < 100 { deadLetters.append(DeadLetter(line: row.line, delivery: answer.delivery, reason: answer.reason)) }
        }
    }
}
