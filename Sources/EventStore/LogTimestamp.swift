public import Foundation
import Postgres

/// The text form of the log's times (`recordedAt`): RFC 3339 in UTC with microseconds, the
/// precision PostgreSQL keeps, so a time written out and read back is the same time.
public enum LogTimestamp {
    /// `2026-11-21T23:38:08.123456Z`.
    public static func format(_ date: Date) -> String { PostgresTimestamp.format(date) }

    /// The inverse of `format` (and PostgreSQL's own text form); nil for anything else.
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8(PostgresTimestamp.parse)
    }
}
