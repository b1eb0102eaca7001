import Access
import Hummingbird
import Logging
import NIOCore

/// The per-request context: Hummingbird's core storage plus the authenticated caller.
struct LooplineRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` once a token checked out.
    var principal: Principal?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }
}
