/// What a token may do.
public enum Scope: String, Sendable, Codable, CaseIterable, Comparable {
    /// Send commands (append events).
    case ingest
    /// Read the log and the read models.
    case read
    /// Everything, including administration.
    case admin

    public static func < (lhs: Scope, rhs: Scope) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Who is calling: the token that authenticated a request.
public struct Principal: Sendable, Hashable {
    public var tokenId: UUIDString
    public var name: String
    public var scopes: Set<Scope>

    public init(tokenId: UUIDString, name: String, scopes: Set<Scope>) {
        self.tokenId = tokenId
        self.name = name
        self.scopes = scopes
    }

    /// True when the token grants `scope`; `admin` grants every scope.
    public func allows(_ scope: Scope) -> Bool {
        scopes.contains(.admin) || scopes.contains(scope)
    }
}

/// A UUID in its canonical lowercase text form.
public typealias UUIDString = String
