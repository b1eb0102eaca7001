import JSON
import Lifecycle

/// `release` published → a release, versioned by its tag.
enum GitHubRelease {
    static func map(_ event: GitHubEvent) -> MappingOutcome {
        guard event.action == "published" else { return .ignored("release \(event.action) is not recorded; only published releases are") }
        let release = event.body["release"]
        guard let releaseId = GitHubEvent.id("release", release["id"].int) else { return .deadLetter("the release has no id") }
        // target_commitish is a branch name unless the release was made at a commit.
        let commitish = release["target_commitish"].string
        return event.commands { target in
            [MappedCommand(
                "publish-release",
                MappingFields.target(target).merging([
                    "releaseId": .string(releaseId),
                    "version": MappingFields.clipped(release["tag_name"].text ?? release["name"].text, 100),
                    "sha": MappingFields.text(commitish.flatMap { CatalogueNames.isSha($0) ? $0 : nil }),
                    "notes": MappingFields.clipped(release["body"].string),
                    "occurredAt": MappingFields.text(release["published_at"].string),
                ]) { $1 },
                alreadyRecorded: ["release_already_published"])]
        }
    }
}
