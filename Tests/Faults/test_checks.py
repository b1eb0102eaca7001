#!/usr/bin/env python3
"""The checks themselves, on made-up histories: each kind of wrong log must be caught (a checker
that passes everything proves nothing)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from checks import Log, check  # noqa: E402
from followers import Follower  # noqa: E402
from workload import Op  # noqa: E402


def acked(event_id, position, stream, version, sent, done, key=None):
    op = Op("http", "create-story", {"storyId": stream[6:]}, key, stream=stream)
    op.sent = sent
    op.settle("ack", 201, None, {"events": [{"eventId": event_id, "position": position, "stream": stream, "streamVersion": version}]})
    op.done = done
    return op


def follower(positions):
    f = Follower("f", None)
    f.positions = list(positions)
    return f


class ChecksTests(unittest.TestCase):
    def setUp(self):
        self.history = [acked("a", 1, "story-1", 1, 0.0, 1.0, key="k1"), acked("b", 2, "story-2", 1, 2.0, 3.0)]
        self.rows = [("1", "a", "story-1", "1", "k1"), ("2", "b", "story-2", "1", "")]

    def problems(self, rows=None, followers=None, history=None):
        found = check(history or self.history, Log(rows or self.rows), followers or [follower([1, 2])], [])
        return {name for name, items in found.items() if items}

    def test_a_clean_history_passes(self):
        self.assertEqual(self.problems(), set())

    def test_a_lost_event_is_caught(self):
        self.assertIn("lost", self.problems(rows=self.rows[:1], followers=[follower([1])]))

    def test_an_event_at_another_position_is_caught(self):
        self.assertIn("moved", self.problems(rows=[self.rows[0], ("3", "b", "story-2", "1", "")], followers=[follower([1, 3])]))

    def test_a_key_applied_twice_is_caught(self):
        rows = self.rows + [("3", "c", "story-1", "2", "k1")]
        self.assertIn("duplicated", self.problems(rows=rows, followers=[follower([1, 2, 3])]))

    def test_an_event_nobody_wrote_is_caught(self):
        rows = self.rows + [("3", "c", "story-9", "1", "")]
        self.assertIn("unexplained", self.problems(rows=rows, followers=[follower([1, 2, 3])]))

    def test_an_unknown_outcome_may_have_written_once(self):
        unknown = Op("http", "create-story", {"storyId": "9"}, None)
        unknown.settle("unknown", None, "timeout")
        rows = self.rows + [("3", "c", "story-9", "1", "")]
        self.assertEqual(self.problems(rows=rows, followers=[follower([1, 2, 3])], history=self.history + [unknown]), set())

    def test_a_later_request_landing_earlier_is_caught(self):
        history = [acked("a", 2, "story-1", 1, 0.0, 1.0), acked("b", 1, "story-2", 1, 2.0, 3.0)]
        rows = [("1", "b", "story-2", "1", ""), ("2", "a", "story-1", "1", "")]
        self.assertIn("reordered", self.problems(rows=rows, history=history))

    def test_a_stream_version_gap_is_caught(self):
        history = [acked("a", 1, "story-1", 1, 0.0, 1.0), acked("b", 2, "story-1", 3, 2.0, 3.0)]
        rows = [("1", "a", "story-1", "1", ""), ("2", "b", "story-1", "3", "")]
        self.assertIn("reordered", self.problems(rows=rows, history=history))

    def test_followers_that_skip_repeat_or_reorder_are_caught(self):
        for seen in ([1], [1, 2, 2], [2, 1]):
            self.assertIn("follower", self.problems(followers=[follower(seen)]), seen)


if __name__ == "__main__":
    unittest.main(verbosity=0)
