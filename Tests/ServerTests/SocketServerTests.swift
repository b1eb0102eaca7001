import Access
import EventStore
import Foundation
import LooplineTestSupport
import Postgres
import Testing

@Suite("JSON socket server")
struct SocketServerTests {
    func connect(_ server: TestServer, scopes: Set<Scope> = [.admin]) async throws -> LineSocket {
        let socket = try LineSocket(port: server.socketPort)
        try socket.send(line: #"{"id": "a", "op": "auth", "token": "\#(try await server.token(scopes))"}"#)
        let reply = try await socket.readObject()
        #expect(reply["ok"] as? Bool == true)
        return socket
    }

    func errorCode(_ reply: [String: Any]) -> String? {
        (reply["error"] as? [String: Any])?["code"] as? String
    }

    @Test("the first request must be auth; anything else is refused and the connection closed")
    func authFirst() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let socket = try LineSocket(port: server.socketPort)
                try socket.send(line: #"{"id": 1, "op": "ping"}"#)
                let reply = try await socket.readObject()
                #expect(reply["id"] as? Int == 1)
                #expect(errorCode(reply) == "unauthenticated")
                #expect(try await socket.readLine() == nil, "the server closed the connection")

                let forged = try LineSocket(port: server.socketPort)
                try forged.send(line: #"{"id": 2, "op": "auth", "token": "llt_forged"}"#)
                #expect(errorCode(try await forged.readObject()) == "unauthenticated")
            }
        }
    }

    @Test("malformed, hostile and oversize lines get error replies and the connection stays usable")
    func malformedLines() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let socket = try await connect(server)
                let hostile: [(Data, String)] = [
                    (Data("{not json\n".utf8), "invalid_json"),
                    // A blank line is answered too: a client waiting for a reply must not hang.
                    (Data("\n".utf8), "invalid_json"),
                    (Data(" \t\r\n".utf8), "invalid_json"),
                    (Data("[1, 2, 3]\n".utf8), "invalid_json"),
                    (Data([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D, 0x0A]), "invalid_json"),
                    (Data((String(repeating: "[", count: 10_000) + "\n").utf8), "invalid_json"),
                    (Data(#"{"id": 3}"#.utf8 + [0x0A]), "missing_field"),
                    (Data(#"{"id": 4, "op": "dance"}"#.utf8 + [0x0A]), "unknown_op"),
                    (Data(#"{"id": 5, "op": "read", "after": "yesterday"}"#.utf8 + [0x0A]), "invalid_field"),
                    (Data(#"{"id": 5, "op": "read", "after": 1e-400}"#.utf8 + [0x0A]), "invalid_field"),
                    (Data(#"{"id": 6, "op": "command"}"#.utf8 + [0x0A]), "missing_field"),
                    (Data(#"{"id": 7, "op": "command", "name": "no-such-command", "data": {}}"#.utf8 + [0x0A]), "unknown_command"),
                    (Data(#"{"id": 8, "op": "command", "name": "create-story", "data": {"storyId": "x'); DROP TABLE events; --", "title": "t", "service": "checkout"}}"#.utf8 + [0x0A]), "invalid_field"),
                    (Data((#"{"id": 9, "op": "ping", "pad": ""# + String(repeating: "x", count: 2 << 20) + "\"}\n").utf8), "line_too_long"),
                ]
                for (line, code) in hostile {
                    try socket.send(line)
                    let reply = try await socket.readObject()
                    #expect(reply["ok"] as? Bool == false)
                    #expect(errorCode(reply) == code, "\(String(decoding: line.prefix(60), as: UTF8.self))")
                }
                try socket.send(line: #"{"id": "still-here", "op": "ping"}"#)
                let pong = try await socket.readObject()
                #expect(pong["id"] as? String == "still-here")
                #expect((pong["result"] as? [String: Any])?["pong"] as? Bool == true)
                #expect(try await db.eventCount() == 0)
            }
        }
    }

    @Test("scopes apply per op")
    func scopes() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let reader = try await connect(server, scopes: [.read])
                try reader.send(line: #"{"id": 1, "op": "command", "name": "create-story", "data": {}}"#)
                #expect(errorCode(try await reader.readObject()) == "forbidden")
                let writer = try await connect(server, scopes: [.ingest])
                try writer.send(line: #"{"id": 1, "op": "read"}"#)
                #expect(errorCode(try await writer.readObject()) == "forbidden")
                try writer.send(line: #"{"id": 2, "op": "subscribe"}"#)
                #expect(errorCode(try await writer.readObject()) == "forbidden")
            }
        }
    }

    @Test("pipelined requests are all answered, each reply carrying its request's id")
    func pipelining() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let socket = try await connect(server)
                var burst = ""
                for index in 0..<50 {
                    burst += #"{"id": \#(index), "op": "command", "name": "create-story", "data": {"storyId": "PIPE-\#(index)", "title": "Story \#(index)", "service": "checkout"}}"# + "\n"
                    burst += #"{"id": "ping-\#(index)", "op": "ping"}"# + "\n"
                }
                try socket.send(Data(burst.utf8))
                var commandIds = Set<Int>()
                var pings = 0
                for _ in 0..<100 {
                    let reply = try await socket.readObject()
                    #expect(reply["ok"] as? Bool == true, "\(reply)")
                    if let id = reply["id"] as? Int { commandIds.insert(id) } else { pings += 1 }
                }
                #expect(commandIds == Set(0..<50))
                #expect(pings == 50)
                #expect(try await db.eventCount() == 50)
            }
        }
    }

    @Test("read answers a page; subscribe streams existing then live events until unsubscribe")
    func readAndSubscribe() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                for index in 1...3 {
                    _ = try await db.store.append([NewEvent(type: "BuildPassed", data: #"{"n": \#(index)}"#)], to: try StreamName("build-\(index)"))
                }
                let socket = try await connect(server)
                try socket.send(line: #"{"id": "r", "op": "read", "after": 1, "limit": 10}"#)
                let page = try #require(try await socket.readObject()["result"] as? [String: Any])
                #expect((page["events"] as? [[String: Any]])?.map { $0["position"] as? Int } == [2, 3])
                #expect(page["next"] as? Int == 3)

                try socket.send(line: #"{"id": "s", "op": "subscribe", "after": 0, "category": "build"}"#)
                #expect((try await socket.readObject()["result"] as? [String: Any])?["subscribed"] as? Bool == true)
                var positions: [Int] = []
                for _ in 0..<3 {
                    let message = try await socket.readObject()
                    #expect(message["id"] as? String == "s")
                    positions.append(((message["event"] as? [String: Any])?["position"] as? Int) ?? -1)
                }
                #expect(positions == [1, 2, 3])
                _ = try await db.store.append([NewEvent(type: "StoryCreated")], to: try StreamName("story-9"))
                _ = try await db.store.append([NewEvent(type: "BuildFailed")], to: try StreamName("build-4"))
                let live = try await socket.readObject()
                #expect((live["event"] as? [String: Any])?["stream"] as? String == "build-4", "the story event is filtered out")

                try socket.send(line: #"{"id": "u", "op": "unsubscribe", "subscription": "s"}"#)
                let unsubscribed = try await socket.readObject()
                #expect((unsubscribed["result"] as? [String: Any])?["unsubscribed"] as? Bool == true)
                _ = try await db.store.append([NewEvent(type: "BuildPassed")], to: try StreamName("build-5"))
                try socket.send(line: #"{"id": "p", "op": "ping"}"#)
                #expect(try await socket.readObject()["id"] as? String == "p", "no event arrives after unsubscribe")
            }
        }
    }
}
