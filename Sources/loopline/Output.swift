import ArgumentParser
import EventStore
import Exports
import Foundation
import Ingest
import Postgres
import Projections

/// How commands speak: JSON on stdout, errors as JSON on stderr with an exit code.
enum Output {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(PostgresTimestamp.format(date))
        }
        return encoder
    }()

    /// Reads what `encoder` wrote (export manifests).
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            var text = try decoder.singleValueContainer().decode(String.self)
            guard let date = text.withUTF8(PostgresTimestamp.parse) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a timestamp: \(text)"))
            }
            return date
        }
        return decoder
    }()

    /// Writes one line to stdout and flushes, so a pipe sees it at once.
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func json(_ value: some Encodable) throws {
        line(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Exit codes scripts can rely on.
    enum Exit {
        static let failure: Int32 = 1
        static let databaseUnavailable: Int32 = 2
        static let conflict: Int32 = 3
    }

    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var field: String?
            var actualVersion: Int64?
        }
        var error: Detail
    }

    /// Runs a command body, turning known failures into a JSON error on stderr and an exit code.
    static func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as EventStoreError {
            try fail(.init(code: error.code.rawValue, message: error.message, field: error.field, actualVersion: error.actualVersion),
                exit: exitCode(for: error.code))
        } catch let error as ExportError {
            try fail(.init(code: error.code, message: error.message, field: error.field), exit: Exit.failure)
        } catch let error as IngestError {
            try fail(.init(code: error.code.rawValue, message: error.message, field: error.field), exit: Exit.failure)
        } catch let error as AnalyticsError {
            try fail(.init(code: error.code, message: error.message), exit: Exit.failure)
        } catch let error as ReplayRunning {
            try fail(.init(code: "replay_running", message: error.description), exit: Exit.failure)
        } catch let error as ProjectionFailure {
            try fail(.init(code: "projection_failed", message: "\(error)"), exit: Exit.failure)
        } catch let error as PostgresError {
            let unavailable = error.isConnectionFailure || error.kind == .acquireTimeout
            try fail(
                .init(code: unavailable ? "database_unavailable" : "database_error", message: error.description),
                exit: unavailable ? Exit.databaseUnavailable : Exit.failure)
        }
    }

    static func fail(_ detail: ErrorBody.Detail, exit: Int32) throws -> Never {
        let text = (try? encoder.encode(ErrorBody(error: detail))).map { String(decoding: $0, as: UTF8.self) } ?? detail.message
        FileHandle.standardError.write(Data((text + "\n").utf8))
        throw ExitCode(exit)
    }

    private static func exitCode(for code: EventStoreError.Code) -> Int32 {
        switch code {
        case .databaseUnavailable: Exit.databaseUnavailable
        case .wrongExpectedVersion: Exit.conflict
        default: Exit.failure
        }
    }
}
