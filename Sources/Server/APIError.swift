import Access
import Commands
import EventStore
import Exports
import Foundation
import Hummingbird
import JSON
import Ingest
import Logging
import NIOCore
import Projections

/// The one error shape of the API: `{"error": {"code", "message", "field"?}}` with a status.
struct APIError: HTTPResponseError, Sendable {
    struct Body: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var field: String?
            var actualVersion: Int64?
        }
        var error: Detail
    }

    var status: HTTPResponse.Status
    var code: String
    var message: String
    var field: String?
    var actualVersion: Int64?
    var headers: HTTPFields = [:]

    var detail: Body.Detail { .init(code: code, message: message, field: field, actualVersion: actualVersion) }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try JSONResponse.make(Body(error: detail), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }

    static func badRequest(_ code: String, _ message: String, field: String? = nil) -> APIError {
        APIError(status: .badRequest, code: code, message: message, field: field)
    }

    static let unauthenticated = APIError(
        status: .unauthorized, code: "unauthenticated",
        message: "send an API token as `Authorization: Bearer <token>` (create one with `loopline token create`)",
        headers: [.wwwAuthenticate: #"Bearer realm="loopline""#])

    static func forbidden(_ scope: Scope) -> APIError {
        APIError(status: .forbidden, code: "forbidden", message: "this token lacks the \(scope.rawValue) scope")
    }

    /// Maps whatever a route threw onto the API's error shape.
    static func from(_ error: any Error, logger: Logger) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as CommandError:
            // A command's internal failure: its cause goes to the log, never into the answer.
            if error.status == 500 {
                logger.error("command failed", metadata: ["loopline.error": "\(error.message)"])
                return .internalError
            }
            return APIError(
                status: HTTPResponse.Status(code: error.status), code: error.code, message: error.message, field: error.field)
        case let error as EventStoreError:
            return from(error, logger: logger)
        case let error as QueryError:
            return APIError(
                status: error.code == "invalid_parameter" ? .badRequest : .notFound, code: error.code, message: error.message,
                field: error.field)
        case let error as ExportError:
            let status: HTTPResponse.Status = switch error.code {
            case "unknown_export": .notFound
            case "read_model_unavailable": .serviceUnavailable
            default: .badRequest
            }
            return APIError(status: status, code: error.code, message: error.message, field: error.field)
        case let error as IngestError:
            if error.code.status >= 500 { logger.error("ingest failed", metadata: ["loopline.error": "\(error.message)"]) }
            return APIError(
                status: HTTPResponse.Status(code: error.code.status), code: error.code.rawValue, message: error.message,
                field: error.field,
                headers: error.code == .unauthenticated ? [.wwwAuthenticate: #"Signature realm="loopline""#] : [:])
        case let error as AccessError:
            return APIError(status: .unprocessableContent, code: error.code, message: error.message, field: error.field)
        case is NIOTooManyBytesError:
            return APIError(status: .contentTooLarge, code: "body_too_large", message: "the request body is larger than the server accepts")
        case let error as HTTPError:
            return from(error)
        default:
            logger.error("request failed", metadata: ["loopline.error": "\(error)"])
            return .internalError
        }
    }

    static let internalError = APIError(status: .internalServerError, code: "internal_error", message: "the server failed; see its logs")

    private static func from(_ error: EventStoreError, logger: Logger) -> APIError {
        switch error.code {
        case .databaseUnavailable:
            return APIError(status: .serviceUnavailable, code: error.code.rawValue, message: error.message)
        case .wrongExpectedVersion:
            return APIError(
                status: .conflict, code: error.code.rawValue, message: error.message, field: error.field,
                actualVersion: error.actualVersion)
        case .missingRelation:
            // A read model no worker has built yet (see GET /v1/projections).
            return APIError(
                status: .serviceUnavailable, code: "read_model_unavailable",
                message: "this read model is not built yet; see GET /v1/projections")
        case .databaseError, .uniqueViolation:
            logger.error("request failed", metadata: ["loopline.error": "\(error)"])
            return .internalError
        default:
            return APIError(status: .badRequest, code: error.code.rawValue, message: error.message, field: error.field)
        }
    }

    private static func from(_ error: HTTPError) -> APIError {
        switch error.status {
        case .notFound: APIError(status: .notFound, code: "not_found", message: "no such resource")
        case .methodNotAllowed: APIError(status: .methodNotAllowed, code: "method_not_allowed", message: "this resource does not take that method")
        case .contentTooLarge: APIError(status: .contentTooLarge, code: "body_too_large", message: "the request body is larger than the server accepts")
        default: APIError(status: error.status, code: "http_\(error.status.code)", message: error.body ?? error.status.reasonPhrase)
        }
    }
}

/// Turns every thrown error into the API's JSON error shape.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try APIError.from(error, logger: context.logger).response(from: request, context: context)
        }
    }
}

extension APIError.Body.Detail {
    /// `{"code","message","field"?,"actualVersion"?}` written by hand, for socket replies and
    /// batch answers, which carry many.
    var json: String {
        var text = #"{"code":\#(JSONText.quoted(code)),"message":\#(JSONText.quoted(message))"#
        if let field { text += #","field":\#(JSONText.quoted(field))"# }
        if let actualVersion { text += #","actualVersion":\#(actualVersion)"# }
        return text + "}"
    }
}
