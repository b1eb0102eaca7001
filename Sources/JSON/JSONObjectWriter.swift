/// A JSON object written member by member, in a fixed order.
///
/// Written as text rather than through `JSONSerialization` or `JSONEncoder` so the bytes of a
/// document depend on nothing but the values: key order and number formatting never vary.
public struct JSONObjectWriter: Sendable {
    public private(set) var text = ""

    public init() {}

    public mutating func add(_ key: String, _ value: String?) {
        guard let value else { return }
        member(key, JSONText.quoted(value))
    }

    public mutating func add(_ key: String, int value: Int?) {
        guard let value else { return }
        member(key, String(value))
    }

    /// A decimal number given as an integer count of `1 / scale` (scale 10 → tenths).
    public mutating func add(_ key: String, units value: Int?, scale: Int) {
        guard let value else { return }
        member(key, Self.decimal(value, scale: scale))
    }

    public mutating func add(_ key: String, strings values: [String]?) {
        guard let values else { return }
        member(key, "[" + values.map(JSONText.quoted).joined(separator: ",") + "]")
    }

    /// The object, with these members followed by `extra` (already-written members), if any.
    public func object(appending extra: String? = nil) -> String {
        guard let extra else { return "{" + text + "}" }
        return "{" + text + (text.isEmpty ? "" : ",") + extra + "}"
    }

    private mutating func member(_ key: String, _ json: String) {
        if !text.isEmpty { text += "," }
        text += JSONText.quoted(key) + ":" + json
    }

    public static func decimal(_ value: Int, scale: Int) -> String {
        guard scale > 1 else { return String(value) }
        let whole = value / scale
        var fraction = String(value % scale)
        let width = String(scale - 1).count
        while fraction.count < width { fraction = "0" + fraction }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? String(whole) : "\(whole).\(fraction)"
    }
}
