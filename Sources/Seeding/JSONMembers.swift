import EventStore

/// The members of a JSON object, written by hand in a fixed order.
///
/// Written as text rather than through `JSONSerialization` or `JSONEncoder` so the bytes of a
/// body depend on nothing but the values: key order and number formatting never vary.
struct JSONMembers: Sendable {
    private(set) var text = ""

    mutating func add(_ key: String, _ value: String?) {
        guard let value else { return }
        member(key, JSONText.quoted(value))
    }

    mutating func add(_ key: String, int value: Int?) {
        guard let value else { return }
        member(key, String(value))
    }

    /// A decimal number given as an integer count of `1 / scale` (scale 10 → tenths).
    mutating func add(_ key: String, units value: Int?, scale: Int) {
        guard let value else { return }
        member(key, Self.decimal(value, scale: scale))
    }

    mutating func add(_ key: String, strings values: [String]?) {
        guard let values else { return }
        member(key, "[" + values.map(JSONText.quoted).joined(separator: ",") + "]")
    }

    /// The object, with these members followed by `extra` (already-written members), if any.
    func object(appending extra: String? = nil) -> String {
        guard let extra else { return "{" + text + "}" }
        return "{" + text + (text.isEmpty ? "" : ",") + extra + "}"
    }

    private mutating func member(_ key: String, _ json: String) {
        if !text.isEmpty { text += "," }
        text += JSONText.quoted(key) + ":" + json
    }

    static func decimal(_ value: Int, scale: Int) -> String {
        guard scale > 1 else { return String(value) }
        let whole = value / scale
        var fraction = String(value % scale)
        let width = String(scale - 1).count
        while fraction.count < width { fraction = "0" + fraction }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? String(whole) : "\(whole).\(fraction)"
    }
}
