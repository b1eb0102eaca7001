public import EventStore
public import Postgres

/// Runs exports: the log, read-model datasets and the DORA table, streamed in constant memory.
public struct Exporter: Sendable {
    let store: EventStore
    /// Where read-model datasets and the DORA table are read: a replica's client, or the
    /// store's. The log itself is always exported from the store's database, whose running
    /// appends bound what is final.
    let readClient: PostgresClient
    var client: PostgresClient { store.client }

    /// `readStore`: a replica's store for the read models (its client only is used).
    public init(store: EventStore, readStore: EventStore? = nil) {
        self.store = store
        self.readClient = (readStore ?? store).client
    }

    /// Receives the export's bytes, chunk by chunk, on a blocking thread.
    public typealias Write = @Sendable (UnsafeRawBufferPointer) throws -> Void

    /// Runs `request`. `started` receives the manifest (with no rows yet) once the export
    /// knows what it covers, before the first byte is written: an HTTP response's headers.
    /// Returns the manifest with the rows written. Throws `ExportError` for a request that
    /// does not fit the export, before reading anything.
    public func run(
        _ request: ExportRequest, started: @escaping @Sendable (ExportManifest) -> Void = { _ in }, write: @escaping Write
    ) async throws -> ExportManifest {
        let target = try request.target()
        return try await EventStoreError.mapping { try await run(target, request, started: started, write: write) }
    }

    private func run(
        _ target: ExportRequest.Target, _ request: ExportRequest, started: @escaping @Sendable (ExportManifest) -> Void,
        write: @escaping Write
    ) async throws -> ExportManifest {
        switch target {
        case .events:
            let since = request.filters.since ?? 0
            var manifest = ExportManifest(request, after: since, through: max(since, try await store.safePosition()))
            started(manifest)
            manifest.rows = Int(try await EventExport(request: request).copy(through: manifest.throughPosition, client: client, write: write))
            return manifest
        case .dataset(let dataset):
            return try await DatasetExport(request: request, dataset: dataset).run(client: readClient, started: started, write: write)
        case .dora:
            return try await DORAExport(request: request).run(client: readClient, started: started, write: write)
        }
    }
}
