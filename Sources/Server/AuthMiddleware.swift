import Access
import Foundation
import Hummingbird

/// Authenticates `Authorization: Bearer <token>` and checks the route's scope.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = LooplineRequestContext

    let tokens: TokenStore
    let scope: Scope

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIError.unauthenticated
        }
        let presented = String(header.dropFirst("bearer ".count).drop { $0 == " " || $0 == "\t" })
        guard let principal = try await tokens.verify(presented) else { throw APIError.unauthenticated }
        guard principal.allows(scope) else { throw APIError.forbidden(scope) }
        var context = context
        context.principal = principal
        return try await next(request, context)
    }
}
