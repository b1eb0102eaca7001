import Foundation
import LooplineTestSupport
@testable import Projections
import Testing

@Suite("Batch queue between the replay's reader and a writer")
struct BatchQueueTests {
    @Test("batches arrive in order; a finished queue drains, then ends")
    func order() async throws {
        let queue = BatchQueue<Int>(capacity: 3)
        let consumer = Task {
            var seen: [Int] = []
            while let batch = try await queue.next() { seen.append(batch) }
            return seen
        }
        for batch in 1...50 { try await queue.send(batch) }
        queue.finish()
        #expect(try await consumer.value == Array(1...50))
    }

    @Test("the producer waits while the queue is full, and goes on once the consumer takes a batch")
    func backPressure() async throws {
        let queue = BatchQueue<Int>(capacity: 2)
        try await queue.send(1)
        try await queue.send(2)
        let sent = Flag()
        let producer = Task {
            try await queue.send(3)
            sent.set()
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(!sent.isSet, "a third batch waits for room")
        #expect(try await queue.next() == 1)
        try await producer.value
        #expect(sent.isSet)
        #expect(try await queue.nextAll() == [2, 3], "what piled up comes in one go")
    }

    @Test("nextAll frees the room of everything it takes")
    func nextAllWakesTheProducer() async throws {
        let queue = BatchQueue<Int>(capacity: 2)
        try await queue.send(1)
        try await queue.send(2)
        let producer = Task { try await queue.send(3) }
        #expect(try await queue.nextAll() == [1, 2])
        try await producer.value
        queue.finish()
        #expect(try await queue.nextAll() == [3])
        #expect(try await queue.nextAll() == [])
    }

    @Test("a waiting consumer or producer wakes with CancellationError when its task is cancelled")
    func cancellation() async throws {
        let empty = BatchQueue<Int>(capacity: 1)
        let consumer = Task { try await empty.next() }
        try await Task.sleep(for: .milliseconds(50))
        consumer.cancel()
        await #expect(throws: CancellationError.self) { try await consumer.value }

        let full = BatchQueue<Int>(capacity: 1)
        try await full.send(1)
        let producer = Task { try await full.send(2) }
        try await Task.sleep(for: .milliseconds(50))
        producer.cancel()
        await #expect(throws: CancellationError.self) { try await producer.value }
        #expect(try await full.next() == 1, "the batch before the cancelled one is still there")
    }
}
