import JSON
import Testing

@Suite("JSON scanner: one reader, its limits")
struct JSONScannerTests {
    static let nested64 = String(repeating: "[", count: 63) + "{}" + String(repeating: "]", count: 63)
    static let nested65 = String(repeating: "[", count: 64) + "{}" + String(repeating: "]", count: 64)

    @Test("valid objects pass the log's check", arguments: [
        "{}", #"{"a": [1, -2.5e3, true, false, null, "x\n\u00e9\ud83d\ude00"], "b": {"c": {}}}"#, " {\"k\":0} ",
        "{\"deep\":" + String(repeating: "[", count: 62) + String(repeating: "]", count: 62) + "}",
    ])
    func validObjects(_ text: String) throws {
        try JSONScanner.validateObject(text)
    }

    @Test("invalid JSON, non-objects and what jsonb cannot hold are refused", arguments: [
        "", "[]", "1", "\"x\"", "{", "{\"a\":}", "{'a':1}", "{\"a\":1,}", "{\"a\":01}", "{\"a\":1} {}",
        "{\"a\":\"\\u0000\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}", "{\"a\":\"tab\there\"}", "{\"a\":tru}",
        "{\"a\":1}, \"type\": \"Evil\"", String(repeating: "{\"a\":", count: 100) + "1" + String(repeating: "}", count: 100),
    ])
    func invalidObjects(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONScanner.validateObject(text) }
    }

    @Test("the depth limit is the same for every reader: 64 levels pass, 65 do not")
    func depthLimit() throws {
        #expect(JSONLimits.maximumDepth == 64)
        _ = try JSONScanner.value(of: Array(Self.nested64.utf8))
        #expect(throws: JSONSyntaxError.self) { try JSONScanner.value(of: Array(Self.nested65.utf8)) }
        let wrapped64 = "{\"a\":" + String(repeating: "[", count: 62) + "{}" + String(repeating: "]", count: 62) + "}"
        try JSONScanner.validateObject(wrapped64)
        _ = try JSONScanner.members(ofObject: Array(wrapped64.utf8))
        let wrapped65 = "{\"a\":" + Self.nested64 + "}"
        #expect(throws: JSONSyntaxError.self) { try JSONScanner.validateObject(wrapped65) }
        #expect(throws: JSONSyntaxError.self) { try JSONScanner.members(ofObject: Array(wrapped65.utf8)) }
    }

    @Test("errors say what and where")
    func errorOffsets() {
        #expect { try JSONScanner.validateObject(#"{"a" 1}"#) } throws: {
            ($0 as? JSONSyntaxError)?.description == "expected ':' at byte 5"
        }
    }

    @Test("values keep \\u0000 for readers that refuse it by field; the log's check refuses it")
    func nulPolicy() throws {
        let text = #"{"a":"x\u0000y"}"#
        #expect(try JSONScanner.value(of: Array(text.utf8)) == .object(["a": .string("x\u{0}y")]))
        #expect(throws: JSONSyntaxError.self) { try JSONScanner.validateObject(text) }
    }

    @Test("invalid UTF-8 in a string is refused when values are built")
    func invalidUTF8() {
        let bytes = Array(#"{"a":""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8)
        #expect(throws: JSONSyntaxError.self) { try JSONScanner.value(of: bytes) }
        #expect(throws: JSONSyntaxError.self) { try JSONScanner.members(ofObject: bytes) }
    }

    @Test("numbers: integral values are integers, others doubles, out of range refused")
    func numbers() throws {
        let value = try JSONScanner.value(of: Array("[3, 3.0, -0, 4.5, 1e2, 9223372036854775807]".utf8))
        #expect(value == .array([.integer(3), .integer(3), .integer(0), .number(4.5), .integer(100), .integer(Int.max)]))
        #expect(throws: JSONSyntaxError.self) { try JSONScanner.value(of: Array("[1e400]".utf8)) }
    }

    @Test("a number that would not come back as itself is refused with its path: overflow, underflow to zero")
    func numbersOutOfRange() throws {
        let cases = [
            (#"{"durationSeconds": 1e-400}"#, "durationSeconds"), (#"{"a": {"b": [0, -2.5e-999]}}"#, "a.b[1]"),
            (#"[{"x": 1e400}]"#, "[0].x"), (#"{"v": -1E+309}"#, "v"),
        ]
        for (text, path) in cases {
            #expect(throws: JSONSyntaxError.self) { try JSONScanner.value(of: Array(text.utf8)) }
            do {
                _ = try JSONScanner.value(of: Array(text.utf8))
            } catch {
                #expect(error.valuePath == path, "\(text)")
            }
        }
        // Zero written any way is zero; the smallest subnormal still holds its value.
        let kept = try JSONScanner.value(of: Array("[0e-400, 0.000e999, -0.0, 5e-324]".utf8))
        #expect(kept == .array([.integer(0), .integer(0), .integer(0), .number(5e-324)]))
        do {
            _ = try JSONScanner.value(of: Array("{\"a\": tru}".utf8))
        } catch {
            #expect(error.valuePath == nil, "a syntax error has no value path")
        }
    }

    @Test("members keep order, the last duplicate wins, and each value's bytes are passed on verbatim")
    func members() throws {
        let text = #"{"id": "r-1", "data": {"b": [1, 2], "a": "\u00e9"}, "op": "x", "op": "command", "caf\u00e9": 1}"#
        let members = try JSONScanner.members(ofObject: Array(text.utf8))
        #expect(members.names == ["id", "data", "op", "op", "café"])
        #expect(members["op"] == .string("command"))
        #expect(members["café"] == .integer(1))
        #expect(members["missing"] == nil)
        #expect(String(decoding: members.raw("data")!, as: UTF8.self) == #"{"b": [1, 2], "a": "\u00e9"}"#)
        let ranges = try JSONScanner.validateObject(text)
        #expect(ranges.keys.sorted() == ["café", "data", "id", "op"])
    }

    @Test("members passed on are checked for syntax, not built, and keep their bytes")
    func passedOn() throws {
        let text = #"{"op": "command", "data": {"b": [1, 2], "s": "x"}}"#
        let members = try JSONScanner.members(ofObject: Array(text.utf8), passedOn: ["data"])
        #expect(members["data"] == .null)
        #expect(members["op"] == "command")
        #expect(String(decoding: members.raw("data")!, as: UTF8.self) == #"{"b": [1, 2], "s": "x"}"#)
        #expect(throws: JSONSyntaxError.self) { try JSONScanner.members(ofObject: Array(#"{"data": {"b": [1,}}"#.utf8), passedOn: ["data"]) }
        let deep = "{\"data\":" + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}"
        #expect(throws: JSONSyntaxError.self) { try JSONScanner.members(ofObject: Array(deep.utf8), passedOn: ["data"]) }
    }

    @Test("decoding from the scanned members gives field paths like JSONDecoder")
    func decoding() throws {
        struct Payload: Decodable, Equatable {
            var name: String
            var tags: [String]
            var limit: Int?
        }
        let decoded = try JSONObjectDecoder.decode(Payload.self, from: Array(#"{"name":"n","tags":["a"]}"#.utf8))
        #expect(decoded == Payload(name: "n", tags: ["a"], limit: nil))
        #expect {
            try JSONObjectDecoder.decode(Payload.self, from: Array(#"{"name":"n","tags":["a", 2]}"#.utf8))
        } throws: { error in
            guard case .typeMismatch(_, let context)? = error as? DecodingError else { return false }
            return context.codingPath.map(\.stringValue) == ["tags", "1"]
        }
    }

    @Test("the writer escapes what JSON and JavaScript need escaped")
    func writer() throws {
        #expect(JSONText.quoted("a\"b\\c\n\u{1}\u{2028}é") == #""a\"b\\c\n\u0001\u2028é""#)
        var object = JSONObjectWriter()
        object.add("name", "x")
        object.add("count", int: 3)
        object.add("ratio", units: 1250, scale: 1000)
        object.add("absent", nil)
        #expect(object.object() == #"{"name":"x","count":3,"ratio":1.25}"#)
        _ = try JSONScanner.validateObject(object.object())
    }
}
