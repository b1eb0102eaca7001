import Foundation
import JSON

/// The JSON encoder of event data: sorted keys, dates as ISO 8601 UTC with milliseconds
/// (`JSONObjectDecoder` reads it back).
enum EventJSON {
    /// Shared: `Sendable`, and configured once, before anyone can see it.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601Timestamp.format(date))
        }
        return encoder
    }()
}
