/// The words a generated history is made of: plausible names, titles and reasons.
///
/// All lowercase where they go into commit messages, so that no word reads as a story key
/// (`ABC-12`) and a commit names exactly the story it was made for.
enum Vocabulary {
    struct Metric {
        var name: String
        /// Values are integers of `1 / scale`: 50 at scale 1000 is 0.05.
        var scale: Int
        var threshold: Int
        var breach: ClosedRange<Int>
        var normal: ClosedRange<Int>
    }

    static let topics = [
        "sso sign-in", "card payments", "refund flow", "password reset", "rate limiting", "search ranking",
        "email digests", "audit log", "retry policy", "session expiry", "invoice export", "push notifications",
        "cache warm-up", "dark mode", "onboarding checklist", "api pagination", "saved carts", "two-factor login",
        "profile avatars", "webhook delivery", "currency conversion", "order history", "autocomplete", "gdpr export",
    ]
    static let storyVerbs = ["Add", "Support", "Improve", "Speed up", "Simplify", "Migrate", "Harden", "Redesign", "Fix"]
    static let commitVerbs = [
        "add", "wire up", "test", "refactor", "handle errors in", "document", "tune", "clean up", "add metrics for",
    ]
    static let authors = [
        "Ada Lovelace", "Grace Hopper", "Alan Turing", "Margaret Hamilton", "Barbara Liskov", "Ken Thompson",
        "Radia Perlman", "Donald Knuth", "Frances Allen", "Edsger Dijkstra", "Katherine Johnson", "Dennis Ritchie",
    ]
    static let cancelReasons = ["duplicate", "no longer needed", "superseded by a new design", "out of scope this quarter"]
    static let buildFailures = [
        "unit tests failed", "compilation error", "lint errors", "dependency resolution failed",
        "integration tests timed out",
    ]
    static let suites = ["unit", "integration", "e2e", "contract", "smoke"]
    static let testNames = [
        "rejects an expired token", "retries on timeout", "renders the empty state", "paginates results",
        "handles concurrent updates", "applies a discount", "sends the confirmation email", "validates input",
    ]
    static let deploymentFailures = [
        "health check timed out", "image pull failed", "migration lock timeout", "readiness probe failed",
    ]
    static let rollbackReasons = [
        "error rate above 5%", "p99 latency doubled", "conversion dropped after the deploy", "memory leak after the deploy",
    ]
    static let metrics = [
        Metric(name: "http.error_rate", scale: 1000, threshold: 50, breach: 60...250, normal: 2...30),
        Metric(name: "latency.p99_ms", scale: 1, threshold: 800, breach: 900...3000, normal: 180...600),
        Metric(name: "cpu.utilization", scale: 100, threshold: 85, breach: 88...99, normal: 30...70),
        Metric(name: "queue.depth", scale: 1, threshold: 1000, breach: 1200...9000, normal: 0...300),
    ]
    static let symptoms = [
        "elevated 5xx errors", "slow responses", "timeouts under load", "failed logins", "missing notifications",
        "degraded availability",
    ]
    static let resolutions = [
        "restarted the pods", "scaled out", "hotfix deployed", "config reverted", "upstream provider recovered",
    ]
    static let feedbackSources = ["survey", "support", "app-store", "nps", "interview"]
    /// By rating, 1 to 5.
    static let feedbackTexts = [
        ["keeps failing for me", "lost my changes", "unusable since the update"],
        ["too slow since the last update", "confusing new layout"],
        ["works, but slow", "okay overall"],
        ["nice improvement", "works well"],
        ["love the new flow", "much faster now", "exactly what we needed"],
    ]
    static let feedbackImprovements = ["Usability review of", "Add monitoring for", "Write a help article on"]
    static let incidentImprovements = [
        "Add a canary stage for", "Alert earlier on errors of", "Load test before releasing", "Automate rollbacks of",
    ]
    static let outcomes = [
        "alert fires within a minute", "canary caught the next regression before production",
        "runbook used in the next on-call", "p99 back under 500 ms", "support tickets halved",
    ]
}
