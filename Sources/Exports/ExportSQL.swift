/// SQL shared by the COPY-based exports.
enum ExportSQL {
    /// A COPY of one JSON value per row, each line as is: CSV with a quote and a delimiter that
    /// JSON text never holds raw, so nothing is quoted or escaped.
    static func lines(_ json: String, _ rows: String) -> String {
        "COPY (SELECT (\(json))::text \(rows)) TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
    }

    /// A timestamptz as RFC 3339 text in UTC with microseconds (`2026-11-22T04:49:46.074444Z`):
    /// every connection runs in UTC, and to_char is cheaper than going through JSON.
    static func utc(_ column: String) -> String {
        "to_char(\(column), 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    }
}
