import Foundation
import JSON
public import Lifecycle

/// What a mapping needs besides the payload: the source's settings and the environments the
/// policy accepts. Resolves services, environments and story ids the same way for every kind.
public struct MappingContext: Sendable {
    public var settings: SourceSettings
    public var environments: Set<String>
    /// The source's name: what scopes ids made from a delivery's key (feedback) to the source.
    public var sourceName: String

    public init(settings: SourceSettings, environments: Set<String> = Policy().environments, sourceName: String = "") {
        self.settings = settings
        self.environments = environments
        self.sourceName = sourceName
    }

    /// The service and team a repository's deliveries are about, or why there is none.
    public func target(repository fullName: String?) -> Result<SourceSettings.Target, Unmapped> {
        if let fullName, let mapped = settings.repositories[fullName.lowercased()] {
            return .success(.init(service: mapped.service, team: mapped.team ?? settings.team))
        }
        if let service = settings.service { return .success(.init(service: service, team: settings.team)) }
        guard settings.serviceFrom == .repository else {
            return .failure(Unmapped("repository \(fullName ?? "(none)") is not mapped to a service; add it with --map \(fullName ?? "owner/repo")=service"))
        }
        guard let fullName, let name = fullName.split(separator: "/").last, let service = Self.serviceName(String(name)) else {
            return .failure(Unmapped("no repository name to take the service from; set --service or --map"))
        }
        return .success(.init(service: service, team: settings.team))
    }

    /// The commands `build` makes for the repository's service, or its dead letter when the
    /// source cannot name one.
    func commands(repository: String?, _ build: (SourceSettings.Target) -> [MappedCommand]) -> MappingOutcome {
        switch target(repository: repository) {
        case .success(let target): return .commands(build(target))
        case .failure(let unmapped): return .deadLetter(unmapped.reason)
        }
    }

    /// A repository name lowercased into the service pattern `^[a-z0-9][a-z0-9._-]{0,62}$`.
    static func serviceName(_ repository: String) -> String? {
        var name = String(repository.lowercased().unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "a"..."z", "0"..."9", ".", "_", "-": Character(scalar)
            default: "-"
            }
        })
        while let first = name.first, !(first.isLetter || first.isNumber) { name.removeFirst() }
        name = String(name.prefix(63))
        return name.isEmpty ? nil : name
    }

    /// The branch a push's `ref` (`refs/heads/main`) names when it is the default branch, or why
    /// the push records nothing: only the default branch's commits are integrated.
    static func pushedBranch(ref: String?, defaultBranch: String) -> Result<String, Unmapped> {
        let ref = ref ?? ""
        guard ref.hasPrefix("refs/heads/") else { return .failure(Unmapped("a push to \(ref.isEmpty ? "no ref" : ref), not to a branch")) }
        let branch = String(ref.dropFirst("refs/heads/".count))
        guard branch == defaultBranch else {
            return .failure(Unmapped("a push to branch \(branch), not to the default branch \(defaultBranch)"))
        }
        return .success(branch)
    }

    /// The catalogue's environment for a tool's name: a production name → `production`, else
    /// the name lowercased if the policy knows it.
    public func environment(_ name: String?) -> Result<String, Unmapped> {
        guard let name, !name.isEmpty else { return .failure(Unmapped("the delivery names no environment")) }
        let lowered = name.lowercased()
        if settings.productionEnvironments.contains(where: { $0.lowercased() == lowered }) { return .success("production") }
        if environments.contains(lowered) { return .success(lowered) }
        return .failure(Unmapped(
            "environment \"\(name)\" is neither a production name (\(settings.productionEnvironments.joined(separator: ", "))) "
                + "nor one of the policy's (\(environments.sorted().joined(separator: ", ")))"))
    }

    /// Story ids in `texts` (branch names, messages, titles), in order of appearance, once each;
    /// the first `ListLimits.storyIds`, as many as a commit links.
    public func storyIds(in texts: [String?], repository: String?) -> [String] {
        var found: [String] = []
        for text in texts.compactMap({ $0 }) {
            for pattern in settings.storyPatterns { found += StoryPatterns.matches(pattern, in: text) }
            if settings.issueReferences, let repository { found += Self.issueReferences(in: text, repository: repository) }
        }
        var seen = Set<String>()
        return Array(found.filter { CatalogueNames.isEntityId($0) && seen.insert($0).inserted }.prefix(ListLimits.storyIds))
    }

    /// `#123` → `owner:repo:123`: GitHub's names hold neither `:` nor `#`, so this cannot clash.
    /// A `#` right after a letter, digit, `&` (an HTML entity) or `/` (a URL's fragment) is not
    /// a reference, nor are digits followed by a letter or digit.
    static func issueReferences(in text: String, repository: String) -> [String] {
        let prefix = repository.replacingOccurrences(of: "/", with: ":")
        let bytes = Array(text.utf8)
        var found: [String] = []
        for index in bytes.indices where bytes[index] == UInt8(ascii: "#") {
            if index > 0, isWordByte(bytes[index - 1]) || bytes[index - 1] == UInt8(ascii: "&") || bytes[index - 1] == UInt8(ascii: "/") {
                continue
            }
            let digits = bytes[(index + 1)...].prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            let end = index + 1 + digits.count
            guard (1...10).contains(digits.count), end == bytes.count || !isWordByte(bytes[end]) else { continue }
            found.append("\(prefix):\(String(decoding: digits, as: UTF8.self))")
        }
        return found
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
    }

    /// The story id of a repository's issue, as `#123` references name it.
    public static func issueStoryId(repository: String, number: Int) -> String {
        "\(repository.replacingOccurrences(of: "/", with: ":")):\(number)"
    }
}

/// Why a delivery could not be mapped as the source is set up.
public struct Unmapped: Error, Sendable, Equatable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}
