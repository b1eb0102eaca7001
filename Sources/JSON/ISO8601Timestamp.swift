public import Foundation

/// ISO 8601 date-times as commands and events carry them, with millisecond precision.
///
/// Hand-written instead of a Foundation formatter: parsing and printing are exact integer arithmetic,
/// so a date read back from the log is equal to the one that was written (formatters that go through
/// `Double` can print `.122` for a date parsed from `.123`).
public enum ISO8601Timestamp {
    /// Parses `2025-03-01T12:00:00Z`, `2025-03-01T12:00:00.5+02:00` and the like: a date, `T`, a time with
    /// optional fractional seconds (rounded to milliseconds), and `Z` or an offset (`+02:00` or `+0200`).
    public static func parse(_ text: String) -> Date? {
        var scanner = DigitScanner(Array(text.utf8))
        guard let local = scanner.localMilliseconds(), let offset = scanner.offsetSeconds(), scanner.isAtEnd else {
            return nil
        }
        return date(milliseconds: local - Int64(offset) * 1000)
    }

    /// Formats a date as UTC with milliseconds, e.g. `2025-03-01T12:00:00.000Z`.
    public static func format(_ date: Date) -> String {
        let milliseconds = self.milliseconds(date)
        let (days, dayMilliseconds) = floorDivision(milliseconds, 86_400_000)
        let (year, month, day) = civil(fromDays: days)
        let seconds = dayMilliseconds / 1000
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))T\(padded(seconds / 3600, 2)):"
            + "\(padded(seconds / 60 % 60, 2)):\(padded(seconds % 60, 2)).\(padded(dayMilliseconds % 1000, 3))Z"
    }

    /// The date rounded to the nearest millisecond: what survives a trip through the log.
    public static func rounded(_ date: Date) -> Date {
        self.date(milliseconds: milliseconds(date))
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = floorDivision(shiftedYear, 400).quotient
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The inverse of `days(year:month:day:)` (`civil_from_days`).
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = floorDivision(shifted, 146_097).quotient
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = (value % divisor + divisor) % divisor
        return ((value - remainder) / divisor, remainder)
    }

    private static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// Reads the parts of an ISO 8601 date-time from UTF-8 bytes, left to right.
private struct DigitScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { index == bytes.count }

    /// `YYYY-MM-DDTHH:MM:SS[.fff…]` as milliseconds since 1970 in the text's own time zone.
    mutating func localMilliseconds() -> Int64? {
        guard let year = number(4), take("-"), let month = number(2), take("-"), let day = number(2),
            take("T") || take("t"), let hour = number(2), take(":"), let minute = number(2), take(":"),
            let second = number(2), (1...12).contains(month),
            (1...ISO8601Timestamp.daysInMonth(year: year, month: month)).contains(day),
            hour < 24, minute < 60, second < 60, let fraction = fractionMilliseconds()
        else { return nil }
        let days = ISO8601Timestamp.days(year: year, month: month, day: day)
        return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + fraction
    }

    /// `Z`, `±HH:MM` or `±HHMM` as seconds east of UTC.
    mutating func offsetSeconds() -> Int? {
        if take("Z") || take("z") { return 0 }
        let sign: Int
        if take("+") { sign = 1 } else if take("-") { sign = -1 } else { return nil }
        guard let hours = number(2) else { return nil }
        _ = take(":")
        guard let minutes = number(2), hours < 24, minutes < 60 else { return nil }
        return sign * Int(hours * 3600 + minutes * 60)
    }

    /// Optional `.` and 1–9 digits, rounded half up to milliseconds (so 1000 for `.9996`).
    private mutating func fractionMilliseconds() -> Int64? {
        guard take(".") else { return 0 }
        var nanoseconds: Int64 = 0
        var count = 0
        while index < bytes.count, let digit = digit(bytes[index]) {
            guard count < 9 else { return nil }
            nanoseconds = nanoseconds * 10 + digit
            count += 1
            index += 1
        }
        guard count > 0 else { return nil }
        for _ in count..<9 { nanoseconds *= 10 }
        return (nanoseconds + 500_000) / 1_000_000
    }

    private mutating func number(_ width: Int) -> Int64? {
        guard index + width <= bytes.count else { return nil }
        var value: Int64 = 0
        for byte in bytes[index..<index + width] {
            guard let digit = digit(byte) else { return nil }
            value = value * 10 + digit
        }
        index += width
        return value
    }

    private mutating func take(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    private func digit(_ byte: UInt8) -> Int64? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int64(byte - UInt8(ascii: "0")) : nil
    }
}
