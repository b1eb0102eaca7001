public import Foundation

/// One numbered SQL file from `schema/`, e.g. `0003_append_events.sql`.
public struct Migration: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var sql: String

    public var fileName: String { "\(String(format: "%04d", version))_\(name).sql" }

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Loads every `NNNN_name.sql` file of a directory, in version order.
    public static func load(from directory: URL) throws -> [Migration] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw EventStoreError(.schemaMismatch, "cannot read the schema directory \(directory.path): \(error.localizedDescription)")
        }
        var migrations: [Migration] = []
        for file in files where file.hasSuffix(".sql") {
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]), version > 0 else {
                throw EventStoreError(.schemaMismatch, "schema file \(file) is not named NNNN_name.sql")
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            migrations.append(Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql))
        }
        migrations.sort { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw EventStoreError(.schemaMismatch, "two schema files share version \(next.version): \(previous.fileName), \(next.fileName)")
        }
        guard !migrations.isEmpty else {
            throw EventStoreError(.schemaMismatch, "no NNNN_name.sql files in the schema directory \(directory.path)")
        }
        return migrations
    }
}
