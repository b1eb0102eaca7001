public import Foundation

/// Conversions between `Date` and PostgreSQL's ISO timestamp text, without `DateFormatter`
/// (which is slow and locale-dependent) on the hot read path.
public enum PostgresTimestamp {
    /// Formats a date as ISO 8601 UTC with microseconds: `2026-11-21T23:38:08.123456Z`.
    public static func format(_ date: Date) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(27)
        append(date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `format(date)`'s text to `bytes`, with no temporaries (a replay writes millions).
    public static func append(_ date: Date, to bytes: inout [UInt8]) {
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        var micros = Int64(totalMicros)
        var seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        micros -= seconds * 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        seconds -= days * 86_400
        let (year, month, day) = civil(fromDays: days)
        appendDigits(year, 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(month, 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(day, 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        appendDigits(seconds / 3600, 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(seconds / 60 % 60, 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(seconds % 60, 2, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        appendDigits(micros, 6, to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// Parses `YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM[:SS]]]` (also with `T`), and `infinity`.
    public static func parse(_ text: UnsafeBufferPointer<UInt8>) -> Date? {
        var reader = Reader(text: text)
        if reader.matches("infinity") { return .distantFuture }
        if reader.matches("-infinity") { return .distantPast }
        guard let year = reader.number(digits: 4), reader.skip("-"),
            let month = reader.number(digits: 2), reader.skip("-"),
            let day = reader.number(digits: 2)
        else { return nil }
        var seconds = days(fromCivil: year, month, day) * 86_400
        var micros: Int64 = 0
        if reader.skip(" ") || reader.skip("T") {
            guard let hour = reader.number(digits: 2), reader.skip(":"),
                let minute = reader.number(digits: 2), reader.skip(":"),
                let second = reader.number(digits: 2)
            else { return nil }
            seconds += hour * 3600 + minute * 60 + second
            if reader.skip(".") {
                var scale: Int64 = 100_000
                while let digit = reader.digit() {
                    micros += digit * scale
                    scale /= 10
                }
            }
            if let sign = reader.sign() {
                guard let offsetHours = reader.number(digits: 2) else { return nil }
                var offset = offsetHours * 3600
                if reader.skip(":"), let offsetMinutes = reader.number(digits: 2) { offset += offsetMinutes * 60 }
                if reader.skip(":"), let offsetSeconds = reader.number(digits: 2) { offset += offsetSeconds }
                seconds -= sign * offset
            } else {
                _ = reader.skip("Z")
            }
        }
        guard reader.atEnd else { return nil }
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }

    /// A non-negative value in decimal, zero-padded to `width` digits (more if it needs them).
    private static func appendDigits(_ value: Int64, _ width: Int, to bytes: inout [UInt8]) {
        guard value >= 0 else {
            bytes.append(contentsOf: String(value).utf8)
            return
        }
        var digits = 1, scale: Int64 = 10
        while digits < 19 && value >= scale {
            digits += 1
            scale &*= 10
        }
        for _ in digits..<max(width, digits) { bytes.append(UInt8(ascii: "0")) }
        var divisor: Int64 = 1
        for _ in 1..<digits { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    // Howard Hinnant's civil-from-days and days-from-civil, proleptic Gregorian calendar.
    private static func civil(fromDays z: Int64) -> (Int64, Int64, Int64) {
        let z = z + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private struct Reader {
        let text: UnsafeBufferPointer<UInt8>
        var index = 0

        var atEnd: Bool { index == text.count }

        mutating func matches(_ literal: StaticString) -> Bool {
            guard text.count == literal.utf8CodeUnitCount else { return false }
            for offset in 0..<text.count where text[offset] != literal.utf8Start[offset] { return false }
            index = text.count
            return true
        }

        mutating func skip(_ character: Unicode.Scalar) -> Bool {
            guard index < text.count, text[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        mutating func digit() -> Int64? {
            guard index < text.count else { return nil }
            let digit = text[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            index += 1
            return Int64(digit)
        }

        mutating func number(digits: Int) -> Int64? {
            var value: Int64 = 0
            for _ in 0..<digits {
                guard let digit = digit() else { return nil }
                value = value * 10 + digit
            }
            // Years beyond 9999 print with more digits.
            while digits == 4, let more = digit() { value = value * 10 + more }
            return value
        }

        mutating func sign() -> Int64? {
            if skip("+") { return 1 }
            if skip("-") { return -1 }
            return nil
        }
    }
}
