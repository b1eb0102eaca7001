/// An ASCII pattern of the form `^[first][rest]{0,n}$`, checked without regular expressions.
struct TokenPattern: Sendable {
    private let first: Set<UInt8>
    private let rest: Set<UInt8>
    private let lengths: ClosedRange<Int>
    /// The pattern as a regular expression, for messages and docs.
    let expression: String

    private init(first: String, rest: String, lengths: ClosedRange<Int>, expression: String) {
        self.first = Set(first.utf8)
        self.rest = Set(rest.utf8)
        self.lengths = lengths
        self.expression = expression
    }

    func matches(_ text: String) -> Bool {
        let bytes = text.utf8
        guard let head = bytes.first, lengths.contains(bytes.count), first.contains(head) else { return false }
        return bytes.dropFirst().allSatisfy(rest.contains)
    }

    private static let lower = "abcdefghijklmnopqrstuvwxyz"
    private static let upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    private static let digits = "0123456789"

    /// Service and team names: `checkout-api`, `payments`.
    static let name = TokenPattern(
        first: lower + digits, rest: lower + digits + "._-", lengths: 1...63,
        expression: "^[a-z0-9][a-z0-9._-]{0,62}$")
    /// Entity ids: `PROJ-12`, `4711`, `gh:run.42`.
    static let entityId = TokenPattern(
        first: lower + upper + digits, rest: lower + upper + digits + "._:-", lengths: 1...128,
        expression: "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
    /// Metric names: `http.error_rate`.
    static let metric = TokenPattern(
        first: lower, rest: lower + digits + "_.", lengths: 1...63, expression: "^[a-z][a-z0-9_.]{0,62}$")
    /// Feedback sources: `survey`, `app-store`.
    static let source = TokenPattern(
        first: lower, rest: lower + digits + "_-", lengths: 1...63, expression: "^[a-z][a-z0-9_-]{0,62}$")
    /// Commit SHAs, abbreviated or full, either case.
    static let sha = TokenPattern(
        first: digits + "abcdefABCDEF", rest: digits + "abcdefABCDEF", lengths: 7...40,
        expression: "^[0-9a-fA-F]{7,40}$")
}
