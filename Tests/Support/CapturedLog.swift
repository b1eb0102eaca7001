public import Logging
import Synchronization

/// A logger whose records a test reads back: what an operator would see, in order.
public final class CapturedLog: Sendable {
    public struct Record: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: [String: String]
    }

    private let storage = Mutex<[Record]>([])

    public init() {}

    /// A logger at `level` that records here (and nowhere else).
    public func logger(level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "loopline.test.captured") { _ in Handler(log: self) }
        logger.logLevel = level
        return logger
    }

    public var records: [Record] { storage.withLock { $0 } }

    /// The records with this message, as logged.
    public func records(_ message: String) -> [Record] { records.filter { $0.message == message } }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(
            level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
            function: String, line: UInt
        ) {
            let merged = self.metadata.merging(metadata ?? [:]) { $1 }.mapValues { "\($0)" }
            log.storage.withLock { $0.append(Record(level: level, message: message.description, metadata: merged)) }
        }
    }
}
