/// A small seeded pseudo-random generator (Steele, Lea and Flood's SplitMix64).
///
/// Hand-rolled, with its own range and probability helpers, because the history must be
/// byte-identical for a seed on every platform and toolchain: the standard library's
/// `random(in:using:)` does not promise how it maps generator output to a range.
struct SplitMix64: Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in the range; the modulo bias is far below anything a demo history shows.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        let width = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(next() % width)
    }

    /// A number of seconds in the range.
    mutating func seconds(_ range: ClosedRange<Int64>) -> Int64 {
        let width = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int64(next() % width)
    }

    /// A uniform number in [0, 1).
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// True with probability `probability`.
    mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    mutating func pick<T>(_ choices: [T]) -> T {
        choices[int(0...(choices.count - 1))]
    }

    /// `count` lowercase hexadecimal digits, e.g. for a commit SHA.
    mutating func hex(_ count: Int) -> String {
        let digits = Array("0123456789abcdef")
        var text = ""
        text.reserveCapacity(count)
        var bits = next()
        for index in 0..<count {
            if index > 0 && index % 16 == 0 { bits = next() }
            text.append(digits[Int(bits & 0xF)])
            bits >>= 4
        }
        return text
    }
}
