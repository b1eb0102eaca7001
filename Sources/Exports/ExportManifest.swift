public import Foundation

/// What an export holds, written beside it (and sent as HTTP headers): the next incremental
/// export starts after `throughPosition`.
public struct ExportManifest: Sendable, Codable, Hashable {
    public var export: String
    public var format: String
    /// The log positions it reflects: events in (afterPosition, throughPosition]; for a read
    /// model, its state at throughPosition, rows changed after afterPosition.
    public var afterPosition: Int64
    public var throughPosition: Int64
    /// Read models: each one's checkpoint in the snapshot the export was read at
    /// (`throughPosition` is the lowest of them).
    public var positions: [String: Int64]?
    /// The filters other than where to start; an incremental run must keep them.
    public var filters: ExportFilters?
    public var rows: Int
    public var createdAt: Date

    init(_ request: ExportRequest, after: Int64, through: Int64, positions: [String: Int64]? = nil) {
        export = request.name
        format = request.format.rawValue
        afterPosition = after
        throughPosition = through
        self.positions = positions
        filters = request.filters.scope
        rows = 0
        createdAt = Date()
    }

    /// Where an incremental export after this one starts; throws when `request` is not the
    /// same export with the same filters (the manifest would not describe what it continues).
    public func continuation(for request: ExportRequest) throws -> Int64 {
        guard export == request.name, format == request.format.rawValue, (filters ?? ExportFilters()) == request.filters.scope else {
            throw ExportError(
                code: "manifest_mismatch",
                message: "the manifest is for the \(export) export as \(format) with other filters; use a new manifest for this export",
                field: "manifest")
        }
        return throughPosition
    }
}
