/// An RFC 4180 reader for tests, so exports are checked by code they do not share.
public enum CSVReader {
    /// The rows of `text`; an empty unquoted field is nil (NULL), a quoted empty one "".
    public static func rows(_ text: String) -> [[String?]] {
        var rows: [[String?]] = [], row: [String?] = [], field = "", quoted = false, wasQuoted = false
        var characters = text.makeIterator()
        var pending: Character? = nil
        func endField() { row.append(field.isEmpty && !wasQuoted ? nil : field); field = ""; wasQuoted = false }
        while let character = pending ?? characters.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    let next = characters.next()
                    if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
                wasQuoted = true
            } else if character == "," {
                endField()
            } else if character == "\n" || character == "\r\n" {
                endField()
                rows.append(row)
                row = []
            } else {
                field.append(character)
            }
        }
        if !field.isEmpty || !row.isEmpty { endField(); rows.append(row) }
        return rows
    }
}
