import JSON
import Lifecycle

/// `Release Hook` with action `create` → a release, versioned by its tag, at its commit.
enum GitLabRelease {
    static func map(_ event: GitLabEvent) -> MappingOutcome {
        let action = event.body["action"].string ?? ""
        guard action == "create" else { return .ignored("release \(action.isEmpty ? "(no action)" : action) is not recorded; only created releases are") }
        guard let releaseId = GitLabEvent.id("release", event.body["id"].int) else { return .deadLetter("the release has no id") }
        let sha = event.body["commit"]["id"].string
        return event.commands { target in
            [MappedCommand(
                "publish-release",
                MappingFields.target(target).merging([
                    "releaseId": .string(releaseId),
                    "version": MappingFields.clipped(event.body["tag"].text ?? event.body["name"].text, 100),
                    "sha": MappingFields.text(sha.flatMap { CatalogueNames.isSha($0) ? $0 : nil }),
                    "notes": MappingFields.clipped(event.body["description"].string),
                    "occurredAt": GitLabEvent.time(event.body["released_at"].isNull ? event.body["created_at"] : event.body["released_at"]),
                ]) { $1 },
                alreadyRecorded: ["release_already_published"])]
        }
    }
}
