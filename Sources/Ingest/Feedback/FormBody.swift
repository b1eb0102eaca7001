import Foundation

/// `application/x-www-form-urlencoded`, as an HTML form posts it: `name=value&…`, `+` for a
/// space, `%XX` for a byte. A name given twice keeps its first value.
enum FormBody {
    static func fields(_ body: Data) throws(IngestError) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: UInt8(ascii: "&")) where !pair.isEmpty {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = try decode(parts[0])
            let value = parts.count > 1 ? try decode(parts[1]) : ""
            if fields[name] == nil { fields[name] = value }
        }
        return fields
    }

    private static func decode(_ bytes: some Collection<UInt8>) throws(IngestError) -> String {
        var decoded: [UInt8] = []
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                let high = bytes.index(after: index)
                guard high != bytes.endIndex, bytes.index(after: high) != bytes.endIndex,
                    let value = UInt8(String(decoding: [bytes[high], bytes[bytes.index(after: high)]], as: UTF8.self), radix: 16)
                else { throw IngestError(.invalidBody, "the form holds a % that is not followed by two hexadecimal digits") }
                decoded.append(value)
                index = bytes.index(high, offsetBy: 2)
                continue
            }
            decoded.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index = bytes.index(after: index)
        }
        guard let text = String(validating: decoded, as: UTF8.self), !text.contains("\0") else {
            throw IngestError(.invalidBody, "the form holds bytes that are not UTF-8 text")
        }
        return text
    }
}
