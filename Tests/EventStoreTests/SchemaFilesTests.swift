import EventStore
import Foundation
import LooplineTestSupport
import Testing

@Suite("Schema files")
struct SchemaFilesTests {
    /// A schema directory of its own, removed afterwards.
    func withDirectory(_ files: [String: String], _ body: (URL) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loopline-schema-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        for (path, text) in files {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        try body(directory)
    }

    @Test("schema/ loads: the migrations, and the object files of every group")
    func projectSchema() throws {
        let files = try SchemaFiles.load(from: TestEnvironment.schemaDirectory)
        #expect(files.migrations.map(\.fileName) == (try Migration.load(from: TestEnvironment.schemaDirectory)).map(\.fileName))
        #expect(Set(files.objects.keys.map(\.group)) == Set(SchemaFile.Group.allCases))
        #expect(try files.sql(.tables("planning")).contains("CREATE TABLE stories"))
        #expect(try files.sql(.view("value_stream")).contains("step_hours("))
    }

    @Test("a missing group folder holds nothing; hidden files are skipped; a missing file is schema_mismatch naming it")
    func missingFile() throws {
        try withDirectory(["0001_first.sql": "SELECT 1;", "tables/one.sql": "CREATE TABLE one (id int);", "tables/.gitkeep": ""]) { directory in
            let files = try SchemaFiles.load(from: directory)
            #expect(files.objects.keys.sorted() == [.tables("one")])
            #expect(throws: Never.self) { try files.require([.tables("one")]) }
            do {
                try files.require([.tables("one"), .view("two")])
                Issue.record("a missing file was accepted")
            } catch let error as EventStoreError {
                #expect(error.code == .schemaMismatch && error.message.contains("views/two.sql"), "\(error)")
            }
        }
    }

    @Test("a misnamed or empty object file is refused with schema_mismatch")
    func misnamed() throws {
        for (path, text) in [("tables/Planning.sql", "CREATE TABLE t (id int);"), ("views/v.txt", "x"), ("views/v.sql", " \n")] {
            try withDirectory(["0001_first.sql": "SELECT 1;", path: text]) { directory in
                do {
                    _ = try SchemaFiles.load(from: directory)
                    Issue.record("\(path) was accepted")
                } catch let error as EventStoreError {
                    #expect(error.code == .schemaMismatch && error.message.contains(path), "\(error)")
                }
            }
        }
    }
}
