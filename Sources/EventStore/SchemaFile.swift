/// One object file of `schema/` beside the numbered migrations, e.g. `tables/planning.sql`.
///
/// Object files hold what the service (re)creates at run time rather than once: a read model's
/// tables and query indexes (created in its schema, or a replay's shadow, through `search_path`),
/// and the `analytics` views and the functions they use. Their SQL uses unqualified names for
/// what it creates, so one file serves every schema it is run in.
public struct SchemaFile: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The folders of `schema/`, grouped as message-db groups its `database/` folder.
    public enum Group: String, Sendable, CaseIterable, Comparable {
        case tables, indexes, functions, views

        public static func < (left: Group, right: Group) -> Bool {
            allCases.firstIndex(of: left)! < allCases.firstIndex(of: right)!
        }
    }

    public var group: Group
    /// The file's name without `.sql`: the read model (`planning`) or the object (`step_hours`).
    public var name: String

    public init(_ group: Group, _ name: String) {
        self.group = group
        self.name = name
    }

    /// The file of a read model's tables.
    public static func tables(_ readModel: String) -> SchemaFile { SchemaFile(.tables, readModel) }
    /// The file of a read model's query indexes.
    public static func indexes(_ readModel: String) -> SchemaFile { SchemaFile(.indexes, readModel) }
    public static func function(_ name: String) -> SchemaFile { SchemaFile(.functions, name) }
    public static func view(_ name: String) -> SchemaFile { SchemaFile(.views, name) }

    /// The path inside `schema/`.
    public var path: String { "\(group.rawValue)/\(name).sql" }
    public var description: String { path }

    public static func < (left: SchemaFile, right: SchemaFile) -> Bool {
        (left.group, left.name) < (right.group, right.name)
    }

    /// Whether `name` may name an object file: lower-case letters, digits and `_`, as the
    /// unquoted SQL names the files hold.
    static func isValidName(_ name: Substring) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }
}
