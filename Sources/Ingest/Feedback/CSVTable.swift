import Foundation

/// RFC 4180 CSV, as spreadsheet and survey tools export it: comma-separated, fields in double
/// quotes may hold commas, line breaks and `""` for a quote; CRLF or LF line ends; a UTF-8
/// byte order mark before the header is dropped.
struct CSVTable {
    var header: [String]
    /// Each record with the line it starts on (1 is the header), blank lines left out.
    var records: [(line: Int, cells: [String])]

    init(_ data: Data) throws(IngestError) {
        var bytes = Array(data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw IngestError(.invalidBody, "the CSV file is not UTF-8 text") }
        var rows = try Self.parse(text)
        guard !rows.isEmpty else { throw IngestError(.invalidBody, "the CSV file is empty; it needs a header line") }
        header = rows.removeFirst().cells.map { $0.trimmingCharacters(in: .whitespaces) }
        records = rows.filter { !($0.cells.count == 1 && $0.cells[0].isEmpty) }
    }

    private static func parse(_ text: String) throws(IngestError) -> [(line: Int, cells: [String])] {
        var rows: [(line: Int, cells: [String])] = []
        var cells: [String] = []
        var cell = ""
        var quoted = false
        var line = 1
        var start = 1
        var characters = text.makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let character = pending { pending = nil; return character }
            return characters.next()
        }
        while let character = next() {
            if quoted {
                switch character {
                case "\"":
                    let after = next()
                    if after == "\"" { cell.append("\"") } else { quoted = false; pending = after }
                default:
                    if character == "\n" || character == "\r\n" { line += 1 }
                    cell.append(character)
                }
                continue
            }
            switch character {
            case "\"" where cell.isEmpty: quoted = true
            case ",":
                cells.append(cell)
                cell = ""
            case "\n", "\r\n", "\r":
                cells.append(cell)
                rows.append((start, cells))
                cells = []
                cell = ""
                line += 1
                start = line
            default: cell.append(character)
            }
        }
        guard !quoted else { throw IngestError(.invalidBody, "the CSV record starting on line \(start) has a quote that is never closed") }
        if !cell.isEmpty || !cells.isEmpty {
            cells.append(cell)
            rows.append((start, cells))
        }
        return rows
    }
}
