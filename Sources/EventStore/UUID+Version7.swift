public import Foundation

extension UUID {
    /// A new time-ordered UUID (RFC 9562 version 7): 48 bits of Unix milliseconds, then 74
    /// random bits.
    ///
    /// New event ids use it: ids that grow with time land at the right edge of the
    /// `event_id` index instead of at random pages, and making one costs two `getrandom`
    /// calls where Foundation's `UUID()` opens /dev/urandom every time.
    public static func version7(now: Date = Date()) -> UUID {
        var random = SystemRandomNumberGenerator()
        let high = random.next() as UInt64
        let low = random.next() as UInt64
        let milliseconds = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { output in
            for index in 0..<6 { output[index] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * index)) }
            output[6] = 0x70 | UInt8(truncatingIfNeeded: high & 0x0F)  // version 7
            output[7] = UInt8(truncatingIfNeeded: high >> 8)
            output[8] = 0x80 | UInt8(truncatingIfNeeded: (high >> 16) & 0x3F)  // variant 10
            for index in 9..<16 { output[index] = UInt8(truncatingIfNeeded: low >> (8 * (index - 9))) }
        }
        return UUID(uuid: bytes)
    }
}
