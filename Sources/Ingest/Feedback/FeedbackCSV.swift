import Crypto
public import Foundation
import JSON

/// A survey export as feedback deliveries: each row becomes the answer object
/// `FeedbackMapping` reads, with the columns `--map rating=Score,text=Comment,…` names (a
/// column named like a field is taken as it is). A row's key is its `id` column when mapped
/// (the same key a webhook with that id gets), else a digest of all its cells and how many
/// identical rows came before it: re-importing the file, or a longer export of the same
/// survey, records nothing twice, while two identical answers in one file stay two.
public struct FeedbackCSV: Sendable {
    public struct Row: Sendable {
        /// The line the row starts on, for messages.
        public var line: Int
        public var key: String
        /// The answer as a JSON object.
        public var body: Data
    }

    /// Field → column header.
    public let columns: [String: String]

    /// `rating=Score` entries, comma-separated or given one by one.
    public init(map entries: [String]) throws(IngestError) {
        var columns: [String: String] = [:]
        for entry in entries.flatMap({ $0.split(separator: ",") }) {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[1].isEmpty else {
                throw IngestError(.invalidSource, "--map takes field=Column, not \"\(entry)\"", field: "map")
            }
            guard FeedbackMapping.fields.contains(parts[0]) else {
                throw IngestError(
                    .invalidSource, "\(parts[0]) is not a feedback field; map one of \(FeedbackMapping.fields.joined(separator: ", "))", field: "map")
            }
            columns[parts[0]] = parts[1]
        }
        self.columns = columns
    }

    public func rows(_ data: Data) throws(IngestError) -> [Row] {
        let table = try CSVTable(data)
        var index: [String: Int] = [:]
        for field in FeedbackMapping.fields {
            let column = columns[field] ?? field
            guard let position = table.header.firstIndex(of: column) else {
                if columns[field] != nil {
                    throw IngestError(.invalidBody, "the CSV header has no column \"\(column)\" for \(field); it has \(table.header.joined(separator: ", "))")
                }
                continue
            }
            index[field] = position
        }
        guard index["rating"] != nil else {
            throw IngestError(.invalidBody, "no column holds the rating; name it with --map rating=Column")
        }
        var seen: [String: Int] = [:]
        return table.records.map { record in
            var answer: [String: JSONValue] = [:]
            for (field, position) in index where position < record.cells.count && !record.cells[position].isEmpty {
                answer[field] = .string(record.cells[position])
            }
            let digest = Hex.string(SHA256.hash(data: Data(record.cells.joined(separator: "\u{1F}").utf8)))
            seen[digest, default: 0] += 1
            let key = FeedbackMapping.answerId(.object(answer)).map { "id:\($0)" } ?? "csv:\(digest):\(seen[digest]!)"
            return Row(line: record.line, key: key, body: Data(JSONText.write(.object(answer)).utf8))
        }
    }
}
