import Commands
import Foundation
import Lifecycle
import Testing

@testable import Seeding

@Suite("Command scheduler")
struct CommandSchedulerTests {
    @Test("a command never starts while an earlier one on its streams is unfinished; all start")
    func keepsStreamOrder() {
        let commands = HistoryGenerator(seed: 3, events: 3_000, end: Date(timeIntervalSince1970: 1_767_225_600)).commands()
        let keys = commands.map(Self.streams)
        var scheduler = CommandScheduler(keys: keys, lookahead: 500)
        var rng = SplitMix64(seed: 99)
        var running: [Int] = []
        var finished = Set<Int>()
        var started: [Int] = []
        // Earlier commands per stream, to check against.
        var earlier: [Int: [Int]] = [:]
        var last: [String: Int] = [:]
        for index in commands.indices {
            earlier[index] = keys[index].compactMap { last[$0] }
            for stream in keys[index] { last[stream] = index }
        }
        while finished.count < commands.count {
            while running.count < 8, let index = scheduler.nextReady() {
                #expect(earlier[index]!.allSatisfy(finished.contains), "#\(index) started too early")
                running.append(index)
                started.append(index)
            }
            // Commands finish in any order.
            let done = running.remove(at: rng.int(0...(running.count - 1)))
            finished.insert(done)
            scheduler.finished(done)
        }
        #expect(started.sorted() == Array(commands.indices))
    }

    /// The streams a generated command writes and reads.
    static func streams(of command: GeneratedCommand) -> [String] {
        let decoded = try! Command.decode(name: command.name, json: command.body)
        return [decoded.streamId] + decoded.relatedStreamIds.filter { $0 != decoded.streamId }
    }
}
