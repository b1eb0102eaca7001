/// The most elements each list field of a command takes, and the longest element where the
/// elements are free text. A list fans out into read models, value streams and exports (one
/// row per story a commit names), so it is bounded here rather than only by the body's size.
/// docs/events.md's field tables state these numbers; mappings of vendor payloads keep to them.
public enum ListLimits {
    /// Stories one commit links, given and mentioned in its message together.
    public static let storyIds = 100
    /// Deployments one release names.
    public static let deploymentIds = 100
    /// Failing tests one run or build names (it may name fewer than failed).
    public static let failingTests = 1_000
    /// Characters of one failing test's name.
    public static let testNameLength = 1_000
}
