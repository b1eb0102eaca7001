import EventStore
import Exports
import HTTPTypes
import Hummingbird
import Projections

/// `GET /v1/exports/{name}.csv`, `.jsonl` and (events) `.cloudevents.jsonl`: `loopline export`
/// over HTTP, streamed.
struct ExportRoutes: Sendable {
    let exporter: Exporter

    /// File suffixes, longest first.
    static let formats: [(suffix: String, format: ExportFormat, contentType: String)] = [
        (".cloudevents.jsonl", .cloudevents, "application/x-ndjson; charset=utf-8"),
        (".jsonl", .jsonl, "application/x-ndjson; charset=utf-8"),
        (".csv", .csv, "text/csv; charset=utf-8"),
    ]
    static let parameters = ["after", "from", "to", "service", "team", "type", "bucket"]

    func addRoutes(to group: RouterGroup<LooplineRequestContext>) {
        group.get("exports/{file}") { request, context in try await export(request, file: context.parameters.get("file") ?? "") }
    }

    /// Answers once the export knows what it covers: the `Loopline-After-Position` and
    /// `Loopline-Through-Position` headers say which positions the body reflects, so the next
    /// request continues from `Loopline-Through-Position` (`?after=`). The body then streams.
    func export(_ request: Request, file: String) async throws -> Response {
        guard let (suffix, format, contentType) = Self.formats.first(where: { file.hasSuffix($0.suffix) && file.count > $0.suffix.count }) else {
            throw APIError(
                status: .notFound, code: "unknown_export",
                message: "no export is called \(file); ask for NAME.csv or NAME.jsonl, NAME one of \(ExportRequest.names.joined(separator: ", "))",
                field: "file")
        }
        let export = ExportRequest(name: String(file.dropLast(suffix.count)), format: format, filters: try Self.filters(request.uri.queryParameters))
        // The COPY starts once the body is being written, and at most a few chunks wait for
        // a slow client: the server's memory stays flat whatever the size.
        let channel = ChunkChannel(capacity: 4)
        let gate = StartGate()
        let exporter = exporter
        let producer = Task {
            do {
                _ = try await exporter.run(export, started: gate.open, write: channel.send)
                channel.finish(nil)
            } catch {
                if !gate.fail(error) { channel.finish(error) }
            }
        }
        let manifest: ExportManifest
        do { manifest = try await gate.wait() } catch {
            producer.cancel()
            throw error
        }
        return Response(status: .ok, headers: Self.headers(manifest, contentType: contentType), body: ResponseBody { writer in
            do {
                for try await chunk in channel.chunks {
                    try await writer.write(chunk)
                    channel.consumed()
                }
                try await writer.finish(nil)
            } catch {
                channel.cancel()
                producer.cancel()
                throw error
            }
        })
    }

    static func headers(_ manifest: ExportManifest, contentType: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[HTTPField.Name("Loopline-After-Position")!] = String(manifest.afterPosition)
        headers[HTTPField.Name("Loopline-Through-Position")!] = String(manifest.throughPosition)
        if let positions = manifest.positions {
            headers[HTTPField.Name("Loopline-Read-Model-Positions")!] = positions.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                .joined(separator: ",")
        }
        return headers
    }

    /// `?after=&from=&to=&service=&team=&type=A,B&bucket=`; `type` may repeat, the others may not.
    static func filters(_ query: Parameters) throws -> ExportFilters {
        var values: [String: String] = [:]
        for (name, value) in query where name != "type" {
            guard parameters.contains(String(name)) else {
                throw APIError.badRequest("invalid_parameter", "exports take \(parameters.joined(separator: ", ")), not \(name)", field: String(name))
            }
            guard values.updateValue(String(value), forKey: String(name)) == nil else {
                throw APIError.badRequest("invalid_parameter", "\(name) is given more than once", field: String(name))
            }
        }
        let arguments = QueryArguments(values)
        let types = query.getAll("type").flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        _ = try EventFilter(types: types)  // refuses malformed type names
        return ExportFilters(
            since: values["after"] == nil ? nil : try EventRoutes.integer(query, "after", default: 0, minimum: 0),
            from: try arguments.time("from"), to: try arguments.time("to"), service: arguments.text("service"),
            team: arguments.text("team"), types: types, bucket: arguments.text("bucket"))
    }
}
