import Foundation

/// An object's members in order, as `JSONScanner.members(ofObject:)` reads them: keys found by
/// comparing bytes, the last of duplicates winning (as in a dictionary).
public struct JSONMembers: Sendable {
    public enum Key: Sendable {
        /// The key's bytes in the document (it had no escapes).
        case raw(Range<Int>)
        case decoded(String)

        func text(in bytes: UnsafeBufferPointer<UInt8>) -> String {
            switch self {
            case .raw(let range): String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            case .decoded(let text): text
            }
        }
    }

    /// The whole document.
    public let bytes: [UInt8]
    private var keys: [Key] = []
    private var values: [JSONValue] = []
    private var ranges: [Range<Int>] = []

    init(bytes: [UInt8]) {
        self.bytes = bytes
        // Events have a dozen members at most: one allocation each instead of one per doubling.
        keys.reserveCapacity(16)
        values.reserveCapacity(16)
        ranges.reserveCapacity(16)
    }

    mutating func append(_ key: Key, _ value: JSONValue, _ range: Range<Int>) {
        keys.append(key)
        values.append(value)
        ranges.append(range)
    }

    /// The value of `key`, or nil when it is absent.
    public subscript(key: String) -> JSONValue? {
        position(of: key).map { values[$0] }
    }

    /// The bytes `key`'s value was written as, to pass it on verbatim.
    public func raw(_ key: String) -> ArraySlice<UInt8>? {
        position(of: key).map { bytes[ranges[$0]] }
    }

    /// Every key, as text.
    public var names: [String] {
        bytes.withUnsafeBufferPointer { all in keys.map { $0.text(in: all) } }
    }

    private func position(of key: String) -> Int? {
        var key = key
        return key.withUTF8 { wanted in
            bytes.withUnsafeBufferPointer { all -> Int? in
                for index in keys.indices.reversed() {
                    switch keys[index] {
                    case .raw(let range):
                        if range.count == wanted.count
                            && (wanted.isEmpty || memcmp(all.baseAddress! + range.lowerBound, wanted.baseAddress!, wanted.count) == 0)
                        {
                            return index
                        }
                    case .decoded(let text):
                        if text.utf8.elementsEqual(wanted) { return index }
                    }
                }
                return nil
            }
        }
    }
}
