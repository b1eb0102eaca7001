/// The limits every JSON document in Loopline is held to, wherever it arrives (an HTTP body, a
/// socket line, event data appended by hand) — defined here once.
///
/// - Nesting: at most `maximumDepth` levels, so no parser recurses deeply on hostile input.
/// - Size: at most `maximumDocumentBytes`; the server refuses larger bodies and lines before
///   reading them, and the event store refuses larger events.
/// - UTF-8: input bytes must be valid UTF-8, and `\u` escapes must not leave a surrogate unpaired.
/// - NUL: PostgreSQL's jsonb cannot hold U+0000, so text bound for the log refuses `\u0000`
///   (`JSONScanner.validateObject`); values parsed for reading keep it, and a reader that passes
///   strings on (the command fields) refuses them by field name.
/// - Numbers: one a 64-bit double cannot hold as itself (`1e400`, or `1e-400`, which would read
///   as 0) is refused, with its path (`JSONSyntaxError.valuePath`): command fields report it as
///   `invalid_field`, and text bound for the log refuses it too, so no reader meets it later.
public enum JSONLimits {
    public static let maximumDepth = 64
    public static let maximumDocumentBytes = 1 << 20
}
