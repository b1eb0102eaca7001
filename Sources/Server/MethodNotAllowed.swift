import HTTPTypes
import Hummingbird

/// Answers 405 with an `Allow` header, instead of 404, when a known path is asked with a
/// method it does not take (any method, `QUERY` and `TRACE` included).
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Path patterns (`{name}` matches one segment) and the methods they take.
    let routes: [(segments: [Substring], allowed: String)]

    init(_ routes: [(path: String, allowed: [HTTPRequest.Method])]) {
        self.routes = routes.map { route in
            (route.path.split(separator: "/"), route.allowed.map(\.rawValue).joined(separator: ", "))
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let path = request.uri.path.split(separator: "/")
            guard let route = routes.first(where: { Self.matches($0.segments, path) }) else { throw error }
            throw APIError(
                status: .methodNotAllowed, code: "method_not_allowed", message: "this resource takes \(route.allowed)",
                headers: [.allow: route.allowed])
        }
    }

    static func matches(_ pattern: [Substring], _ path: [Substring]) -> Bool {
        pattern.count == path.count && zip(pattern, path).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
    }
}
