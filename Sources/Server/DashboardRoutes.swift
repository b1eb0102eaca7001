import Dashboard
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The dashboard: `/` is its page, `/ui/...` its files, all without a token (the page asks
/// for one and sends it as Bearer with each API call; the files hold no data). The
/// Content-Security-Policy allows scripts, styles and connections from this origin only, and
/// no inline script, so an injected string in an event cannot run.
struct DashboardRoutes: Sendable {
    /// Nil when the files are not installed: `/` then says so instead of a blank page.
    let assets: DashboardAssets?
    let missing: String

    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy:
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
        HTTPField.Name("X-Frame-Options")!: "DENY",
    ]

    func addRoutes(to router: Router<LooplineRequestContext>) {
        router.get("/") { _, _ in try page("index.html") }
        router.get("ui/**") { _, context in
            try page(context.parameters.getCatchAll().joined(separator: "/"))
        }
    }

    func page(_ path: String) throws -> Response {
        guard let assets else {
            throw APIError(status: .serviceUnavailable, code: "dashboard_unavailable", message: missing)
        }
        guard let file = assets.file(path) else {
            throw APIError(status: .notFound, code: "not_found", message: "the dashboard has no file \(path)")
        }
        var headers = Self.securityHeaders
        headers[.contentType] = file.contentType
        // Revalidate each load: a new release's files are seen at once.
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }
}
