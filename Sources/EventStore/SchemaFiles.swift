public import Foundation

/// The SQL files of `schema/`: the numbered migrations (applied once, by `Migrator`) and the
/// object files in `tables/`, `indexes/`, `functions/` and `views/` (run whenever the service
/// creates those objects: a read model's rebuild or replay, a refresh of the analytics views).
public struct SchemaFiles: Sendable {
    public var migrations: [Migration]
    /// Each object file's SQL.
    public var objects: [SchemaFile: String]
    /// Where the files came from, for error messages.
    public var origin: String

    public init(migrations: [Migration], objects: [SchemaFile: String], origin: String = "schema") {
        self.migrations = migrations
        self.objects = objects
        self.origin = origin
    }

    /// Loads the migrations and every `<group>/<name>.sql` file of a schema directory. A group's
    /// folder may be missing (it then holds nothing); a file in it not named `name.sql` is refused.
    public static func load(from directory: URL) throws -> SchemaFiles {
        var objects: [SchemaFile: String] = [:]
        for group in SchemaFile.Group.allCases {
            let folder = directory.appendingPathComponent(group.rawValue, isDirectory: true)
            guard FileManager.default.fileExists(atPath: folder.path) else { continue }
            for name in try fileNames(in: folder) {
                let file = try objectFile(group, name)
                objects[file] = try read(folder.appendingPathComponent(name), as: file)
            }
        }
        return SchemaFiles(migrations: try Migration.load(from: directory), objects: objects, origin: directory.path)
    }

    /// The SQL of one object file; a missing file is `schema_mismatch`.
    public func sql(_ file: SchemaFile) throws -> String {
        guard let sql = objects[file] else {
            throw EventStoreError(
                .schemaMismatch, "\(file.path) is missing from the schema directory \(origin): this build needs it (reinstall schema/)")
        }
        return sql
    }

    /// Throws `schema_mismatch` unless every one of `files` is there: what a component needs is
    /// checked when it starts, not when it first rebuilds.
    public func require(_ files: some Sequence<SchemaFile>) throws {
        for file in files { _ = try sql(file) }
    }

    private static func fileNames(in folder: URL) throws -> [String] {
        do {
            // Hidden files (.gitkeep, an editor's) are no schema files.
            return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            throw EventStoreError(.schemaMismatch, "cannot read the schema folder \(folder.path): \(error.localizedDescription)")
        }
    }

    private static func objectFile(_ group: SchemaFile.Group, _ fileName: String) throws -> SchemaFile {
        let stem = fileName.hasSuffix(".sql") ? fileName.dropLast(4) : ""
        guard SchemaFile.isValidName(stem) else {
            throw EventStoreError(
                .schemaMismatch, "schema file \(group.rawValue)/\(fileName) is not named name.sql (lower-case letters, digits, _)")
        }
        return SchemaFile(group, String(stem))
    }

    private static func read(_ url: URL, as file: SchemaFile) throws -> String {
        let sql: String
        do {
            sql = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw EventStoreError(.schemaMismatch, "cannot read schema file \(file.path): \(error.localizedDescription)")
        }
        guard sql.contains(where: { !$0.isWhitespace }) else {
            throw EventStoreError(.schemaMismatch, "schema file \(file.path) is empty")
        }
        return sql
    }
}
