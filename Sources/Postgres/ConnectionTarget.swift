internal import CLibPQ
import Foundation

/// Describes where a conninfo points, for error messages and logs, never with the password.
enum ConnectionTarget {
    static let shownKeywords = ["host", "hostaddr", "port", "dbname", "user"]

    /// `host=/tmp/pg port=5432 dbname=loopline user=app`, filled in from libpq's defaults
    /// and `PG*` variables where the conninfo says nothing.
    static func describe(conninfo: String) -> String {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let parsed = PQconninfoParse(conninfo, &errorMessage) else {
            defer { errorMessage.map { PQfreemem($0) } }
            let reason = errorMessage.map { String(cString: $0) }?.trimmingCharacters(in: .whitespacesAndNewlines)
            return "invalid connection string: \(reason ?? "unparseable")"
        }
        defer { PQconninfoFree(parsed) }
        let given = values(parsed)
        var defaults: [String: String] = [:]
        if let options = PQconndefaults() {
            defaults = values(options)
            PQconninfoFree(options)
        }
        let parts = shownKeywords.compactMap { key -> String? in
            guard let value = given[key] ?? defaults[key], !value.isEmpty else { return nil }
            return "\(key)=\(value)"
        }
        return parts.isEmpty ? "libpq defaults" : parts.joined(separator: " ")
    }

    private static func values(_ options: UnsafeMutablePointer<PQconninfoOption>) -> [String: String] {
        var result: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { result[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        return result
    }
}
