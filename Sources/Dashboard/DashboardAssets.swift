public import Foundation

/// The dashboard's static files (HTML, CSS, JavaScript, the vendored chart library), read once
/// from `Assets/` as SwiftPM ships it beside the binary (`loopline_Dashboard.resources`), from
/// an installed copy (`/usr/share/loopline/dashboard`), or from a directory given explicitly.
/// No build step: the files are served as they are in the repository. From an explicit
/// directory they are read on each request, so an edit shows on the next reload.
public struct DashboardAssets: Sendable {
    public struct File: Sendable {
        public var bytes: Data
        public var contentType: String
    }

    /// Path below the assets folder (`index.html`, `app.js`, `vendor/chart.min.js`) → file.
    public let files: [String: File]
    public let origin: String
    /// Read from disk on each request (an explicit directory, for development).
    let live: Bool

    static let types = [
        "html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8",
        "svg": "image/svg+xml", "png": "image/png", "txt": "text/plain; charset=utf-8", "ico": "image/x-icon",
    ]

    /// The assets from `directory`, or from the first of the usual places that holds them.
    public static func load(from directory: String? = nil) throws -> DashboardAssets {
        let candidates = directory.map { [URL(fileURLWithPath: $0)] } ?? defaultCandidates()
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.appendingPathComponent("index.html").path) }) else {
            throw DashboardError(
                "the dashboard's files are not installed (looked in \(candidates.map(\.path).joined(separator: ", "))); pass --dashboard-dir")
        }
        return DashboardAssets(files: try read(found), origin: found.path, live: directory != nil)
    }

    /// The file for a request path below `/ui/`, nil for anything else (no `..`, no hidden files).
    public func file(_ path: String) -> File? {
        guard !path.split(separator: "/").contains(where: { $0.hasPrefix(".") }) else { return nil }
        guard live else { return files[path] }
        let url = URL(fileURLWithPath: origin).appendingPathComponent(path)
        guard let type = Self.types[url.pathExtension.lowercased()], let bytes = try? Data(contentsOf: url) else { return nil }
        return File(bytes: bytes, contentType: type)
    }

    static func defaultCandidates() -> [URL] {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        var candidates = [executable.appendingPathComponent("loopline_Dashboard.resources/Assets")]
        var directory = executable
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent("share/loopline/dashboard"))
            candidates.append(directory.appendingPathComponent("Sources/Dashboard/Assets"))
            directory.deleteLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: "/usr/share/loopline/dashboard"))
        return candidates
    }

    static func read(_ root: URL) throws -> [String: File] {
        var files: [String: File] = [:]
        let rootPath = root.resolvingSymlinksInPath().path
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return files }
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            let path = String(url.resolvingSymlinksInPath().path.dropFirst(rootPath.count + 1))
            guard let type = types[url.pathExtension.lowercased()] else { continue }
            files[path] = File(bytes: try Data(contentsOf: url), contentType: type)
        }
        return files
    }
}

public struct DashboardError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
