import Foundation
import Synchronization

/// The sources' story-id patterns, compiled once each. `NSRegularExpression` rather than Swift's
/// `Regex`: under concurrent deliveries, building Swift regexes at run time crashed the
/// release build in the regex parser (Swift 6.3, Linux), and a compiled `NSRegularExpression`
/// is immutable and safe to share.
enum StoryPatterns {
    /// Compiled patterns by source text; a handful per source, so it stays small.
    private static let compiled = Mutex<[String: Compiled]>([:])

    private struct Compiled: @unchecked Sendable {
        let expression: NSRegularExpression
    }

    static func expression(_ pattern: String) -> NSRegularExpression? {
        if let found = compiled.withLock({ $0[pattern] }) { return found.expression }
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return nil }
        compiled.withLock { $0[pattern] = Compiled(expression: expression) }
        return expression
    }

    /// Every match of `pattern` in `text`, in order.
    static func matches(_ pattern: String, in text: String) -> [String] {
        guard let expression = expression(pattern) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return expression.matches(in: text, range: range).compactMap { Range($0.range, in: text).map { String(text[$0]) } }
    }

    static func isValid(_ pattern: String) -> Bool { expression(pattern) != nil }
}
