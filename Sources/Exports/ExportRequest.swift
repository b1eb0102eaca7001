public import Foundation
import Projections

/// The formats an export can take.
public enum ExportFormat: String, Sendable, CaseIterable, Codable {
    /// RFC 4180, UTF-8, a header row.
    case csv
    /// One JSON object per line.
    case jsonl
    /// One CloudEvents 1.0 JSON object per line (the log only).
    case cloudevents
}

/// What to export: the log (`events`), a read-model dataset (`planning-stories`, ...) or the
/// DORA table (`dora`), in a format, with filters. `validate` says which filters each takes.
public struct ExportRequest: Sendable {
    public var name: String
    public var format: ExportFormat
    public var filters: ExportFilters

    public init(name: String, format: ExportFormat, filters: ExportFilters = .init()) {
        self.name = name
        self.format = format
        self.filters = filters
    }

    /// Every export's name.
    public static let names = ["events"] + AnalyticsDataset.all.map(\.name) + ["dora"]

    /// What the name refers to.
    enum Target {
        case events
        case dataset(AnalyticsDataset)
        case dora
    }

    /// Checks the request before anything is read; throws `ExportError` (stable codes).
    func target() throws -> Target {
        let target: Target
        switch name {
        case "events": target = .events
        case "dora": target = .dora
        default:
            guard let dataset = AnalyticsDataset.named(name) else {
                throw ExportError(
                    code: "unknown_export", message: "no export is called \(name); there are \(Self.names.joined(separator: ", "))",
                    field: "name")
            }
            target = .dataset(dataset)
        }
        try filters.validate()
        try check(target)
        return target
    }

    private func check(_ target: Target) throws {
        let (isEvents, isDORA, incremental): (Bool, Bool, Bool) = switch target {
        case .events: (true, false, true)
        case .dora: (false, true, false)
        case .dataset(let dataset): (false, false, dataset.hasPosition)
        }
        if format == .cloudevents && !isEvents {
            throw ExportError(code: "invalid_parameter", message: "the cloudevents format is for events only", field: "format")
        }
        if filters.since != nil && !incremental {
            throw unsupported("since", "\(name) has no log positions on its rows: export it whole (its manifest says the position it reflects)")
        }
        if !filters.types.isEmpty && !isEvents { throw unsupported("type", "only the events export filters on event types") }
        if filters.bucket != nil && !isDORA { throw unsupported("bucket", "only the dora export has buckets") }
    }

    private func unsupported(_ field: String, _ message: String) -> ExportError {
        ExportError(code: "unsupported_filter", message: message, field: field)
    }
}

/// The filters of an export; nil or empty: no filter.
public struct ExportFilters: Sendable, Codable, Hashable {
    /// Only what came after this log position: events after it, dataset rows changed after it.
    public var since: Int64?
    /// Event time from (inclusive) and to (exclusive); for events, the time the log recorded them.
    public var from: Date?
    public var to: Date?
    public var service: String?
    public var team: String?
    /// Event types (events only).
    public var types: [String]
    /// day, week or month (dora only; default week).
    public var bucket: String?

    public init(
        since: Int64? = nil, from: Date? = nil, to: Date? = nil, service: String? = nil, team: String? = nil,
        types: [String] = [], bucket: String? = nil
    ) {
        (self.since, self.from, self.to, self.service, self.team, self.types, self.bucket) = (since, from, to, service, team, types, bucket)
    }

    func validate() throws {
        if let since, since < 0 { throw ExportError(code: "invalid_parameter", message: "since must be 0 or more", field: "since") }
        if let from, let to, from >= to { throw ExportError(code: "invalid_parameter", message: "from must be before to", field: "from") }
        for (field, value) in [("service", service), ("team", team)] + types.map({ ("type", $0) }) {
            guard let value else { continue }
            if value.isEmpty { throw ExportError(code: "invalid_parameter", message: "\(field) is empty; leave it out to mean no filter", field: field) }
            if value.contains("\0") { throw ExportError(code: "invalid_parameter", message: "\(field) must not contain a NUL character", field: field) }
        }
        if let bucket, !DORAQuery.Bucket.allCases.map(\.rawValue).contains(bucket) {
            throw ExportError(code: "invalid_parameter", message: "bucket must be day, week or month", field: "bucket")
        }
    }

    /// The same filters, except where to start: what an incremental run must keep.
    var scope: ExportFilters {
        var scope = self
        scope.since = nil
        return scope
    }
}

/// An export that cannot run as asked; `code` is stable (see docs/exports.md).
public struct ExportError: Error, Sendable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var field: String?
    public var description: String { message }
}
