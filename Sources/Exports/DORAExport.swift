import Foundation
import Postgres
import Projections

/// The DORA table (`loopline export dora`): the report's figures per bucket and scope, computed
/// by the same code as `GET /v1/dora` from facts read at one snapshot. It is small (buckets ×
/// services and teams), so it is written row by row rather than by COPY.
struct DORAExport: Sendable {
    let request: ExportRequest

    func run(client: PostgresClient, started: @escaping @Sendable (ExportManifest) -> Void, write: @escaping Exporter.Write) async throws
        -> ExportManifest
    {
        let (request, query) = (request, try query())
        let (positions, rows) = try await client.withConnection { connection in
            _ = try DatasetExport.positions(of: ReadModels.doraSources, connection)  // refuses models not built yet
            return try DORATable.rows(query, connection: connection)
        }
        var manifest = ExportManifest(request, after: 0, through: positions.values.min() ?? 0, positions: positions)
        started(manifest)
        let lines = [request.format == .csv ? RowWriter.csvHeader(DORATable.columns) : nil].compactMap { $0 }
            + rows.map { request.format == .csv ? RowWriter.csv($0) : RowWriter.json($0, columns: DORATable.columns) }
        for line in lines {
            var line = line
            try line.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
        }
        manifest.rows = rows.count
        return manifest
    }

    /// The report's query from the export's filters (its defaults: the last 30 days, weekly).
    func query() throws -> DORAQuery {
        let filters = request.filters
        let values: [String: String?] = [
            "service": filters.service, "team": filters.team, "bucket": filters.bucket,
            "from": filters.from.map(RowWriter.timestamp), "to": filters.to.map(RowWriter.timestamp),
        ]
        do {
            return try DORAQuery(QueryArguments(values.compactMapValues { $0 }))
        } catch let error as QueryError {
            throw ExportError(code: error.code, message: error.message, field: error.field)
        }
    }
}

/// Rows written from Swift values: CSV per RFC 4180 and JSON Lines, as COPY writes them.
enum RowWriter {
    static func csvHeader(_ columns: [String]) -> String { columns.map(csvField).joined(separator: ",") + "\n" }

    static func csv(_ values: [DORATable.Value]) -> String {
        values.map { value in
            switch value {
            case .text(let text): csvField(text)
            case .number(let number): self.number(number)
            case .time(let time): timestamp(time)
            case .null: ""
            }
        }.joined(separator: ",") + "\n"
    }

    static func json(_ values: [DORATable.Value], columns: [String]) -> String {
        let members = zip(columns, values).map { column, value in
            let json = switch value {
            case .text(let text): jsonString(text)
            case .number(let number): self.number(number)
            case .time(let time): jsonString(timestamp(time))
            case .null: "null"
            }
            return jsonString(column) + ":" + json
        }
        return "{" + members.joined(separator: ",") + "}\n"
    }

    /// Quoted only when it must be: commas, quotes or line breaks; quotes doubled.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Whole numbers without a fraction; others in Swift's shortest exact form.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// ISO 8601 in UTC, with microseconds.
    static func timestamp(_ date: Date) -> String { PostgresTimestamp.format(date) }
}
