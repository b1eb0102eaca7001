"""The checks of a run's history against the log as PostgreSQL holds it afterwards."""

import bisect
from collections import Counter, defaultdict


class Log:
    def __init__(self, rows):
        # rows: position, event_id, stream, stream_version, idempotency key ('' when none)
        self.events = [(int(p), e, s, int(v), k) for p, e, s, v, k in rows]
        self.positions = [event[0] for event in self.events]
        self.by_id = defaultdict(list)
        for event in self.events:
            self.by_id[event[1]].append(event)

    @staticmethod
    def read(cluster, database):
        return Log(cluster.psql(database, "SELECT global_position, event_id, stream_id, stream_version, "
                                          "coalesce(metadata->>'idempotencyKey', '') FROM events ORDER BY global_position"))


def check(history, log, followers, rounds):
    """Returns {check: [problems]}; every list empty means the run passed."""
    problems = defaultdict(list)
    acked = [op for op in history if op.outcome == "ack"]

    # Lost, moved or duplicated: every acknowledged event once, where it was acknowledged.
    for op in acked:
        for event_id, position, stream, version in op.events:
            found = log.by_id.get(event_id, [])
            if not found:
                problems["lost"].append(f"op {op.id} {op.command}: event {event_id} at {position} is not in the log")
            elif len(found) > 1:
                problems["duplicated"].append(f"event {event_id} is in the log {len(found)} times")
            elif found[0][0] != position or found[0][2] != stream or found[0][3] != version:
                problems["moved"].append(f"op {op.id}: acknowledged {stream}@{version} at {position}, log has {found[0][:4]}")

    # Every event in the log is explained: acknowledged, or written by a request whose outcome is
    # unknown on that stream. A refused request, or one never sent whole, wrote nothing.
    explained = {event[1] for op in acked for event in op.events}
    unknown_per_stream = Counter(op.stream for op in history if op.outcome == "unknown")
    unexplained = Counter(stream for position, _, stream, _, _ in log.events if position not in explained)
    for stream, count in unexplained.items():
        if count > unknown_per_stream[stream]:
            requests = "; ".join(f"op {op.id} {op.interface} {op.command} key={op.key} {op.outcome} {op.code or ''} "
                                 f"attempts={op.attempts}" for op in history if op.stream == stream)
            problems["unexplained"].append(f"{stream}: {count} events no acknowledged request wrote "
                                           f"(requests of unknown outcome on it: {unknown_per_stream[stream]}); requests: {requests}")

    # Idempotency: a key's events are in the log once, whatever the retries.
    keyed_events = Counter(key for *_, key in log.events if key)
    for op in history:
        if op.key and keyed_events[op.key] > 1:
            problems["duplicated"].append(f"key {op.key} ({op.command}) applied {keyed_events[op.key]} times")
        if op.key and op.outcome == "ack" and keyed_events[op.key] != len(op.events):
            problems["duplicated" if keyed_events[op.key] > len(op.events) else "lost"].append(
                f"key {op.key}: acknowledged {len(op.events)} events, the log has {keyed_events[op.key]}")

    # Streams: versions 1, 2, 3… in position order.
    versions = defaultdict(list)
    for position, _, stream, version, _ in log.events:
        versions[stream].append(version)
    for stream, seen in versions.items():
        if seen != list(range(1, len(seen) + 1)):
            problems["reordered"].append(f"{stream}: versions in position order are {seen[:12]}")

    # Real time: a request sent after another was acknowledged lands after it.
    fresh = sorted((op for op in acked if op.events and not op.replayed), key=lambda op: op.done)
    done_times = [op.done for op in fresh]
    highest, running = [], 0
    for op in fresh:
        running = max(running, max(event[1] for event in op.events))
        highest.append(running)
    for op in fresh:
        before = bisect.bisect_left(done_times, op.sent)
        if before and highest[before - 1] >= min(event[1] for event in op.events):
            problems["reordered"].append(f"op {op.id} sent after position {highest[before - 1]} was acknowledged, "
                                         f"landed at {min(event[1] for event in op.events)}")

    # Expected versions: at most one winner per (stream, version).
    for stream, expected, ops in rounds:
        winners = [op for op in ops if op.outcome == "ack"]
        if len(winners) > 1:
            problems["duplicated"].append(f"{stream}: {len(winners)} appends won expected version {expected}")
        for op in winners:
            if op.events[0][3] != expected + 1:
                problems["reordered"].append(f"{stream}: expected {expected}, appended at version {op.events[0][3]}")

    # Followers: the log's positions, each once, in order.
    for follower in followers:
        if follower.positions != log.positions:
            seen = follower.positions
            duplicates = len(seen) - len(set(seen))
            missing = sorted(set(log.positions) - set(seen))
            disordered = sum(1 for a, b in zip(seen, seen[1:]) if b <= a)
            problems["follower"].append(f"{follower.name}: saw {len(seen)} of {len(log.positions)} positions, "
                                        f"{len(missing)} missing (first {missing[:5]}), {duplicates} twice, {disordered} out of order")
    return problems
