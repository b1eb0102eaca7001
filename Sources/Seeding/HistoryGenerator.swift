public import Foundation
import JSON
import Lifecycle

/// A deterministic, realistic DevOps history: the commands a few teams' trackers, CI, deployers,
/// monitoring and users would have sent over several weeks.
///
/// Pure: the same seed, event count and end give byte-identical commands, on any machine. Every
/// command writes exactly one event, and the commands obey every rule of docs/events.md when
/// handled in order, so a seeded log holds exactly `events` events and nothing is refused.
///
/// Stories arrive one after another and each lives for days (planning, commits, CI builds, test
/// runs, staging and production deployments, sometimes a rollback, an incident, a release,
/// feedback and improvements), so many are in flight at once and the commands of different
/// streams interleave in time. The history is cut after the `events` earliest commands (the work
/// still in progress at the end stays unfinished, as it would be) and shifted so that its last
/// command happened shortly before `end`.
public struct HistoryGenerator: Sendable {
    public let seed: UInt64
    /// How many commands (and so events) to generate.
    public let events: Int
    /// No command happens after this time (it is taken to the whole second).
    public let end: Date

    /// The gap between the last command and `end`: a history that ends "just now".
    static let quietTail: Int64 = 90

    public init(seed: UInt64, events: Int, end: Date) {
        self.seed = seed
        self.events = max(0, events)
        self.end = end
    }

    /// The commands in the order they happened (and must be handled, stream by stream).
    public func commands() -> [GeneratedCommand] {
        guard events > 0 else { return [] }
        var planner = HistoryPlanner(seed: seed, target: events)
        let planned = planner.plan()
        let endSecond = Int64(end.timeIntervalSince1970.rounded(.down))
        let shift = endSecond - Self.quietTail - (planned.last?.time ?? 0)
        return planned.map { item in
            let occurredAt = ISO8601Timestamp.format(Date(timeIntervalSince1970: TimeInterval(item.time + shift)))
            let body = item.members.object(appending: #""occurredAt":"\#(occurredAt)""#)
            return GeneratedCommand(name: item.name, body: Data(body.utf8))
        }
    }
}

/// Plans a history on a relative clock (seconds from the first story) before it is placed in time.
struct HistoryPlanner {
    struct Item {
        var time: Int64
        /// Breaks ties in time: what was planned first happens first, so a stream keeps its order.
        var order: Int
        var name: String
        var members: JSONObjectWriter
    }

    struct Team {
        var name: String
        var key: String
    }

    /// What every command of a story's lifecycle names.
    struct Story {
        var id: String
        var service: String
        var team: String
        var topic: String
    }

    static let minute: Int64 = 60
    static let hour: Int64 = 3600
    static let day: Int64 = 86_400
    /// Roughly how long the generated history spans.
    static let span: Int64 = 28 * day
    /// The average number of commands a story brings (measured), to spread stories over `span`.
    static let commandsPerStory: Int64 = 17

    private var rng: SplitMix64
    private let target: Int
    private var items: [Item] = []
    private let services: [(service: String, team: Team)]
    /// Stretches the delays of a story: the showcase story runs faster, so a small history holds it whole.
    private var pace = 1.0
    private var storyNumbers: [String: Int] = [:]
    private var counters: [String: Int] = [:]
    private var versions: [String: Int] = [:]
    /// What runs in production per service, in planning order: what a rollback goes back to.
    private var inProduction: [String: (sha: String, version: String)] = [:]
    /// The time ranges during which a metric stream (`service:metric`) is in breach: two stories
    /// must not breach one metric at overlapping times, or the second breach would be refused.
    private var breaches: [String: [ClosedRange<Int64>]] = [:]

    init(seed: UInt64, target: Int) {
        rng = SplitMix64(seed: seed)
        self.target = target
        // Three or four teams; with three, the platform team owns the growth team's services.
        let teamCount = rng.int(3...4)
        let teams = [
            Team(name: "payments", key: "PAY"), Team(name: "identity", key: "IDN"),
            Team(name: "platform", key: "PLAT"), Team(name: "growth", key: "GROW"),
        ]
        services = [
            ("checkout-api", teams[0]), ("payment-gateway", teams[0]),
            ("auth-service", teams[1]), ("user-profile", teams[1]),
            ("api-gateway", teams[2]), ("notification-service", teams[2]),
            ("web-frontend", teams[teamCount == 4 ? 3 : 2]), ("search-api", teams[teamCount == 4 ? 3 : 2]),
        ]
    }

    /// The `target` earliest commands, in time order.
    mutating func plan() -> [Item] {
        let meanGap = max(60, Self.span * Self.commandsPerStory / Int64(target))
        var start: Int64 = 0
        var index = 0
        var cutoff: Int64?
        // Stories only add commands at or after their start, so once a story starts after the
        // target-th earliest command so far, no later story can change the cut.
        while true {
            if cutoff == nil, items.count >= target {
                cutoff = items.map(\.time).sorted()[target - 1]
            }
            if let cutoff, start > cutoff { break }
            story(index, startingAt: start)
            index += 1
            start += rng.seconds((meanGap / 3)...(meanGap * 5 / 3))
        }
        items.sort { ($0.time, $0.order) < ($1.time, $1.order) }
        return Array(items.prefix(target))
    }

    // MARK: - A story's lifecycle

    /// One story from backlog to feedback. Story 0 takes every rare branch, story 1 is
    /// cancelled and story 2 brings an incident without a known cause, so even a small history
    /// shows every event type.
    private mutating func story(_ index: Int, startingAt start: Int64) {
        let showcase = index == 0
        pace = showcase ? 0.25 : 1
        let (service, team) = rng.pick(services)
        storyNumbers[team.key, default: 0] += 1
        let topic = rng.pick(Vocabulary.topics)
        let story = Story(id: "\(team.key)-\(storyNumbers[team.key]!)", service: service, team: team.name, topic: topic)
        let title = "\(rng.pick(Vocabulary.storyVerbs)) \(topic)"
        var t = start

        let priority: Int? = rng.chance(0.7) ? rng.int(1...5) : nil
        emit("create-story", at: t, story) {
            $0.add("storyId", story.id)
            $0.add("title", title)
            $0.add("priority", int: priority)
        }
        if showcase || rng.chance(0.3) {
            t += delay(30 * Self.minute...2 * Self.day)
            let priority = rng.int(1...5)
            emit("prioritize-story", at: t, story) {
                $0.add("storyId", story.id)
                $0.add("priority", int: priority)
            }
        }
        if index == 2 || rng.chance(0.02) {
            // Not every incident has a known cause.
            incident(
                story, at: start + delay(Self.hour...6 * Self.day), deploymentId: nil, rootCauseSha: nil, resolution: nil,
                force: false)
        }
        if index == 1 || (index > 2 && rng.chance(0.07)) {
            cancel(story, at: &t)
            return
        }
        t += delay(Self.hour...3 * Self.day)
        emit("start-story", at: t, story) { $0.add("storyId", story.id) }

        var sha = ""
        var build = ""
        let commitCount = rng.int(1...4)
        for number in 0..<commitCount {
            t += delay(20 * Self.minute...Self.day)
            let message = "\(story.id): \(rng.pick(Vocabulary.commitVerbs)) \(topic)"
            sha = commit(story, at: t, message: message)
            (sha, build) = buildUntilGreen(story, sha: sha, at: &t, forceFailure: showcase && number == commitCount - 1)
        }
        testRuns(story, sha: sha, build: build, at: &t, forceFlaky: showcase)

        var deployments: [String] = []
        var version = ""
        for round in 0... {
            version = nextVersion(of: service)
            t += delay(5 * Self.minute...2 * Self.hour)
            let staging = deploy(
                story, to: "staging", sha: sha, build: build, version: version, at: &t, forceFailure: showcase && round == 0)
            t += delay(2 * Self.hour...2 * Self.day)
            let production = deploy(
                story, to: "production", sha: sha, build: build, version: version, at: &t, forceFailure: false)
            deployments = [staging, production]
            let previous = inProduction[service]
            inProduction[service] = (sha, version)

            let rollBack = round == 0 && (showcase || rng.chance(0.05))
            let breachAt = t + delay(2 * Self.minute...30 * Self.minute)
            let rolledBackAt = breachAt + delay(5 * Self.minute...30 * Self.minute)
            let recoveredAt = (rollBack ? rolledBackAt : breachAt) + delay(10 * Self.minute...3 * Self.hour)
            if rollBack || rng.chance(0.08) {
                let blame = rollBack || rng.chance(0.6)
                breachMetric(story, from: breachAt, to: recoveredAt, deploymentId: blame ? production : nil)
            }
            if rollBack {
                let reason = rng.pick(Vocabulary.rollbackReasons)
                emit("roll-back-deployment", at: rolledBackAt, story) {
                    $0.add("deploymentId", production)
                    $0.add("reason", reason)
                    $0.add("toVersion", previous?.version)
                    $0.add("toSha", previous?.sha)
                }
                inProduction[service] = previous
            }
            if (showcase && round == 0) || rng.chance(0.05) {
                let linked = showcase || rng.chance(0.7)
                let blamed = showcase || rng.chance(0.5)
                incident(
                    story, at: t + delay(5 * Self.minute...2 * Self.hour), deploymentId: linked ? production : nil,
                    rootCauseSha: blamed ? sha : nil, resolution: rollBack ? "rolled back \(production)" : nil,
                    force: showcase)
            }
            guard rollBack else { break }
            // The regression gets a fix, and the story ships again.
            t = rolledBackAt + delay(Self.hour...Self.day)
            sha = commit(story, at: t, message: "\(story.id): fix regression in \(version)")
            (sha, build) = buildUntilGreen(story, sha: sha, at: &t, forceFailure: false)
        }

        var release: String?
        if showcase || rng.chance(0.3) {
            let id = "\(service)-\(version)"
            release = id
            t += delay(10 * Self.minute...Self.day)
            emit("publish-release", at: t, story) {
                $0.add("releaseId", id)
                $0.add("version", version)
                $0.add("sha", sha)
                $0.add("deploymentIds", strings: deployments)
                $0.add("notes", "\(story.id): \(topic)")
            }
        }
        t += delay(10 * Self.minute...Self.day)
        emit("complete-story", at: t, story) { $0.add("storyId", story.id) }

        if showcase || rng.chance(0.3) {
            feedback(story, at: t + delay(Self.day...10 * Self.day), release: release, showcase: showcase)
        }
    }

    private mutating func cancel(_ story: Story, at t: inout Int64) {
        if rng.chance(0.5) {
            t += delay(Self.hour...3 * Self.day)
            emit("start-story", at: t, story) { $0.add("storyId", story.id) }
        }
        t += delay(Self.hour...5 * Self.day)
        var reason = rng.chance(0.8) ? rng.pick(Vocabulary.cancelReasons) : nil
        if reason == "duplicate", let other = storyNumbers[String(story.id.prefix { $0 != "-" })], other > 1 {
            reason = "duplicate of \(story.id.prefix { $0 != "-" })-\(rng.int(1...(other - 1)))"
        }
        emit("cancel-story", at: t, story) {
            $0.add("storyId", story.id)
            $0.add("reason", reason)
        }
    }

    // MARK: - Integration and testing

    /// A commit on main that names its story, both in `storyIds` and in the message.
    private mutating func commit(_ story: Story, at time: Int64, message: String) -> String {
        let sha = rng.hex(40)
        let author = rng.pick(Vocabulary.authors)
        let branch: String? = rng.chance(0.5) ? "main" : nil
        let pullRequest: String? = rng.chance(0.7) ? String(next("pr", from: 100)) : nil
        emit("integrate-commit", at: time, story) {
            $0.add("sha", sha)
            $0.add("branch", branch)
            $0.add("message", message)
            $0.add("author", author)
            $0.add("storyIds", strings: [story.id])
            $0.add("pullRequest", pullRequest)
        }
        return sha
    }

    /// Builds the commit; a failed build is followed by a fixing commit and a new build, until one passes.
    private mutating func buildUntilGreen(
        _ story: Story, sha: String, at t: inout Int64, forceFailure: Bool
    ) -> (sha: String, build: String) {
        var sha = sha
        var failures = 0
        while true {
            t += delay(30...180)
            let build = String(next("build", from: 4000))
            let commit = sha
            emit("start-build", at: t, story) {
                $0.add("buildId", build)
                $0.add("sha", commit)
            }
            let tenths = rng.int(600...9000)
            t += Int64(tenths / 10) + 1
            if failures < 2 && ((forceFailure && failures == 0) || rng.chance(0.12)) {
                let reason = rng.pick(Vocabulary.buildFailures)
                emit("fail-build", at: t, story) {
                    $0.add("buildId", build)
                    $0.add("sha", commit)
                    $0.add("reason", reason)
                    $0.add("durationSeconds", units: tenths, scale: 10)
                }
                failures += 1
                t += delay(10 * Self.minute...4 * Self.hour)
                sha = self.commit(story, at: t, message: "\(story.id): fix failing build \(build)")
                continue
            }
            let reported: Int? = rng.chance(0.9) ? tenths : nil
            emit("pass-build", at: t, story) {
                $0.add("buildId", build)
                $0.add("sha", commit)
                $0.add("durationSeconds", units: reported, scale: 10)
            }
            return (sha, build)
        }
    }

    /// One or two suites against the build; a flaky suite fails and then passes on the same commit.
    private mutating func testRuns(_ story: Story, sha: String, build: String, at t: inout Int64, forceFlaky: Bool) {
        let first = rng.int(0...(Vocabulary.suites.count - 1))
        for number in 0..<rng.int(1...2) {
            let suite = Vocabulary.suites[(first + number) % Vocabulary.suites.count]
            if (forceFlaky && number == 0) || rng.chance(0.08) {
                t += delay(3 * Self.minute...20 * Self.minute)
                let failed = rng.int(1...3)
                let offset = rng.int(0...(Vocabulary.testNames.count - 1))
                let failing = (0..<rng.int(1...failed)).map { Vocabulary.testNames[(offset + $0) % Vocabulary.testNames.count] }
                testRun(story, suite: suite, sha: sha, build: build, at: t, failed: failed, failing: failing)
                t += delay(5 * Self.minute...30 * Self.minute)
            } else {
                t += delay(3 * Self.minute...20 * Self.minute)
            }
            testRun(story, suite: suite, sha: sha, build: build, at: t, failed: 0, failing: [])
        }
    }

    private mutating func testRun(
        _ story: Story, suite: String, sha: String, build: String, at time: Int64, failed: Int, failing: [String]
    ) {
        let run = "run-\(next("run", from: 1))"
        let passed = rng.int(40...900)
        let skipped = rng.int(0...12)
        let tenths = rng.int(300...6000)
        emit("complete-test-run", at: time, story) {
            $0.add("runId", run)
            $0.add("suite", suite)
            $0.add("sha", sha)
            $0.add("buildId", build)
            $0.add("passed", int: passed)
            $0.add("failed", int: failed)
            $0.add("skipped", int: skipped)
            $0.add("failingTests", strings: failing.isEmpty ? nil : failing)
            $0.add("durationSeconds", units: tenths, scale: 10)
        }
    }

    // MARK: - Delivery and operations

    /// Deploys until a deployment succeeds (at most one failure); returns the successful one.
    private mutating func deploy(
        _ story: Story, to environment: String, sha: String, build: String, version: String, at t: inout Int64,
        forceFailure: Bool
    ) -> String {
        var failed = false
        while true {
            let deployment = "dep-\(next("deployment", from: 1))"
            emit("start-deployment", at: t, story) {
                $0.add("deploymentId", deployment)
                $0.add("environment", environment)
                $0.add("sha", sha)
                $0.add("buildId", build)
                $0.add("version", version)
            }
            let seconds = rng.int(20...600)
            t += Int64(seconds)
            if !failed && (forceFailure || rng.chance(0.07)) {
                let reason = rng.pick(Vocabulary.deploymentFailures)
                emit("fail-deployment", at: t, story) {
                    $0.add("deploymentId", deployment)
                    $0.add("environment", environment)
                    $0.add("sha", sha)
                    $0.add("reason", reason)
                    $0.add("durationSeconds", int: seconds)
                }
                failed = true
                t += delay(10 * Self.minute...2 * Self.hour)
                continue
            }
            emit("succeed-deployment", at: t, story) {
                $0.add("deploymentId", deployment)
                $0.add("environment", environment)
                $0.add("sha", sha)
                $0.add("durationSeconds", int: seconds)
            }
            return deployment
        }
    }

    /// A production metric out of bounds from `start` to `end`, on the first of the service's
    /// metrics that is not already in breach then (none: no breach).
    private mutating func breachMetric(_ story: Story, from start: Int64, to end: Int64, deploymentId: String?) {
        let first = rng.int(0...(Vocabulary.metrics.count - 1))
        for offset in 0..<Vocabulary.metrics.count {
            let metric = Vocabulary.metrics[(first + offset) % Vocabulary.metrics.count]
            let stream = "\(story.service):\(metric.name)"
            guard !breaches[stream, default: []].contains(where: { $0.overlaps(start...end) }) else { continue }
            breaches[stream, default: []].append(start...end)
            let value = rng.int(metric.breach)
            let recovered = rng.int(metric.normal)
            emit("breach-metric", at: start, story) {
                $0.add("metric", metric.name)
                $0.add("value", units: value, scale: metric.scale)
                $0.add("threshold", units: metric.threshold, scale: metric.scale)
                $0.add("environment", "production")
                $0.add("deploymentId", deploymentId)
            }
            emit("recover-metric", at: end, story) {
                $0.add("metric", metric.name)
                $0.add("value", units: recovered, scale: metric.scale)
                $0.add("environment", "production")
            }
            return
        }
    }

    private mutating func incident(
        _ story: Story, at time: Int64, deploymentId: String?, rootCauseSha: String?, resolution: String?, force: Bool
    ) {
        let incident = "INC-\(next("incident", from: 1))"
        let title = "\(story.service): \(rng.pick(Vocabulary.symptoms))"
        let severity = rng.int(1...4)
        emit("open-incident", at: time, story) {
            $0.add("incidentId", incident)
            $0.add("title", title)
            $0.add("severity", int: severity)
            $0.add("deploymentId", deploymentId)
            $0.add("rootCauseSha", rootCauseSha)
        }
        let resolvedAt = time + delay(30 * Self.minute...12 * Self.hour)
        let resolution = resolution ?? rng.pick(Vocabulary.resolutions)
        emit("resolve-incident", at: resolvedAt, story) {
            $0.add("incidentId", incident)
            $0.add("resolution", resolution)
        }
        if force || rng.chance(0.5) {
            let title = "\(rng.pick(Vocabulary.incidentImprovements)) \(story.service)"
            improvement(
                story, at: resolvedAt + delay(Self.hour...3 * Self.day), title: title, feedbackId: nil,
                incidentId: incident, force: force)
        }
    }

    private mutating func feedback(_ story: Story, at time: Int64, release: String?, showcase: Bool) {
        let feedback = "fb-\(next("feedback", from: 1))"
        let rating = showcase ? 1 : rng.pick([1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5])
        let source = rng.pick(Vocabulary.feedbackSources)
        let text: String? = rng.chance(0.8) ? "\(story.topic): \(rng.pick(Vocabulary.feedbackTexts[rating - 1]))" : nil
        let storyId: String? = showcase || rng.chance(0.8) ? story.id : nil
        let releaseId: String? = showcase || rng.chance(0.7) ? release : nil
        let team: String? = rng.chance(0.5) ? story.team : nil
        emit("receive-feedback", at: time, story, team: team) {
            $0.add("feedbackId", feedback)
            $0.add("source", source)
            $0.add("rating", int: rating)
            $0.add("text", text)
            $0.add("storyId", storyId)
            $0.add("releaseId", releaseId)
        }
        if rating <= 2 && (showcase || rng.chance(0.5)) {
            let title = "\(rng.pick(Vocabulary.feedbackImprovements)) \(story.topic)"
            improvement(
                story, at: time + delay(Self.hour...5 * Self.day), title: title, feedbackId: feedback, incidentId: nil,
                force: showcase)
        }
    }

    private mutating func improvement(
        _ story: Story, at time: Int64, title: String, feedbackId: String?, incidentId: String?, force: Bool
    ) {
        let improvement = "imp-\(next("improvement", from: 1))"
        emit("propose-improvement", at: time, story) {
            $0.add("improvementId", improvement)
            $0.add("title", title)
            $0.add("feedbackId", feedbackId)
            $0.add("incidentId", incidentId)
        }
        guard force || rng.chance(0.7) else { return }
        let outcome: String? = rng.chance(0.8) ? rng.pick(Vocabulary.outcomes) : nil
        emit("complete-improvement", at: time + delay(Self.day...10 * Self.day), story) {
            $0.add("improvementId", improvement)
            $0.add("outcome", outcome)
        }
    }

    // MARK: - Helpers

    private mutating func emit(
        _ name: String, at time: Int64, _ story: Story, team: String?? = .none, _ fill: (inout JSONObjectWriter) -> Void
    ) {
        var members = JSONObjectWriter()
        fill(&members)
        members.add("service", story.service)
        members.add("team", team ?? story.team)
        items.append(Item(time: time, order: items.count, name: name, members: members))
    }

    /// A random delay in the range, at the story's pace; never under a second, so a stream's
    /// commands keep distinct, increasing times.
    private mutating func delay(_ range: ClosedRange<Int64>) -> Int64 {
        let low = max(1, Int64(Double(range.lowerBound) * pace))
        let high = max(low, Int64(Double(range.upperBound) * pace))
        return rng.seconds(low...high)
    }

    private mutating func next(_ counter: String, from first: Int) -> Int {
        let value = counters[counter, default: first]
        counters[counter] = value + 1
        return value
    }

    private mutating func nextVersion(of service: String) -> String {
        let count = versions[service, default: 0] + 1
        versions[service] = count
        return "1.\(count / 10).\(count % 10)"
    }
}
