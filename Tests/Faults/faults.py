"""The seeded fault schedule of a run, and the contenders that append with expected versions."""

import json
import subprocess
import threading
import time

from workload import HTTPChannel, Op, drop_mid_request

KINDS = ["kill_server", "pause_server", "kill_worker", "crash_database", "lock_events", "held_append", "drop_connection"]


class Outage:
    """When the database was down: from the end of the crash to the start of the restart it
    surely was; until the restart has finished (crash recovery) it may still be."""

    def __init__(self):
        self.intervals = []  # [down_at, restart_at, up_at]

    def down(self):
        self.intervals.append([time.monotonic(), None, None])

    def restarting(self):
        if self.intervals and self.intervals[-1][1] is None:
            self.intervals[-1][1] = time.monotonic()

    def up(self):
        if self.intervals and self.intervals[-1][2] is None:
            self.intervals[-1][2] = time.monotonic()


class Faults(threading.Thread):
    def __init__(self, rng, cluster, database, servers, workers, token, history, stop, outage, kinds=KINDS):
        super().__init__(daemon=True, name="faults")
        self.rng, self.cluster, self.database = rng, cluster, database
        self.servers, self.workers, self.token, self.history = servers, workers, token, history
        self.stop, self.outage, self.kinds = stop, outage, kinds
        self.injected = {kind: 0 for kind in kinds}
        self.held = 0
        self.errors = []

    def run(self):
        time.sleep(0.5 + self.rng.random())
        while not self.stop.is_set():
            kind = self.rng.choice(self.kinds)
            try:
                getattr(self, kind)()
                self.injected[kind] += 1
            except Exception as error:  # a fault that could not be injected is reported, not hidden
                self.errors.append(f"{kind}: {error}")
            self.stop.wait(0.2 + self.rng.random() * 0.6)

    def _pause(self, low, high):
        time.sleep(low + self.rng.random() * (high - low))

    def _kill_and_restart(self, process, low, high):
        process.kill()
        self._pause(low, high)
        process.start()

    def kill_server(self):
        self._kill_and_restart(self.rng.choice(self.servers), 0.2, 1.2)

    def pause_server(self):
        server = self.rng.choice(self.servers)
        server.pause()
        self._pause(0.5, 2.5)
        server.resume()

    def kill_worker(self):
        self._kill_and_restart(self.rng.choice(self.workers), 0.1, 1.0)

    def crash_database(self):
        try:
            self.cluster.crash()
            self.outage.down()
            self._pause(0.3, 2.0)
        finally:
            self.outage.restarting()
            self.cluster.start()
            self.outage.up()

    def lock_events(self):
        """A transaction that holds a lock on the events table which blocks every append."""
        seconds = 0.5 + self.rng.random() * 2.0
        self.cluster.psql(self.database, f"BEGIN; LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE; SELECT pg_sleep({seconds:.2f}); COMMIT;")

    def held_append(self):
        """An append that keeps its transaction open with its position taken: followers must
        wait for it and then see it, not skip it. Recorded like any acknowledged request."""
        self.held += 1
        op = Op("sql", "held-append", {}, None, stream=f"probe-held{self.held}")
        op.sent = time.monotonic()
        self.history.append(op)
        seconds = 0.3 + self.rng.random() * 1.5
        try:
            rows = self.cluster.psql(
                self.database,
                "BEGIN;\nINSERT INTO events (event_id, stream_id, stream_version, type, data) "
                f"VALUES (gen_random_uuid(), '{op.stream}', 1, 'ProbeHeld', '{{}}') RETURNING event_id, global_position;\n"
                f"SELECT pg_sleep({seconds:.2f});\nCOMMIT;")
            event_id, position = rows[0][0], int(rows[0][1])
            op.settle("ack", 200, None, {"events": [{"eventId": event_id, "position": position, "stream": op.stream, "streamVersion": 1}]})
        except RuntimeError as error:
            op.settle("unknown", None, str(error)[:80])

    def drop_connection(self):
        """A client that goes away mid-request: half a body (nothing may be written), or a whole
        keyed request whose answer it never reads (then retried with the key, as a client would)."""
        server = self.rng.choice(self.servers)
        partial = self.rng.random() < 0.5
        story = f"drop{self.rng.getrandbits(40):010x}"
        op = Op("drop-partial" if partial else "drop", "create-story", {"storyId": story, "title": "dropped", "service": "web"},
                None if partial else f"drop-{story}")
        op.sent = time.monotonic()
        self.history.append(op)
        drop_mid_request(server.http_port, self.token, op, partial)
        if partial:
            op.settle("refused", None, "dropped")  # the server never had the whole request
            return
        channel = HTTPChannel(server.http_port, self.token, timeout=2)
        deadline = time.monotonic() + 20
        while True:
            op.attempts += 1
            status, outcome, code, result = channel.send(op)
            if outcome != "unknown" or time.monotonic() > deadline:
                op.settle(outcome, status, code, result)
                break
            channel.close()
            channel = HTTPChannel(self.rng.choice(self.servers).http_port, self.token, timeout=2)
            time.sleep(0.2)
        channel.close()


class Contenders(threading.Thread):
    """Rounds of three `loopline append --expected-version V` racing for the same stream
    version: at most one may win each round."""

    def __init__(self, binary, env, cluster, database, history, stop):
        super().__init__(daemon=True, name="contenders")
        self.binary, self.env, self.cluster, self.database = binary, env, cluster, database
        self.history, self.stop = history, stop
        self.rounds = []  # (stream, expected, [ops])

    def run(self):
        round_number = 0
        while not self.stop.wait(0.7):
            round_number += 1
            stream = f"probe-race{round_number % 3}"
            try:
                expected = int(self.cluster.psql(
                    self.database, f"SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = '{stream}'")[0][0])
            except RuntimeError:
                continue  # the database is down: no round
            ops, processes = [], []
            for contender in range(3):
                op = Op("cli", "append", {}, None, stream=stream)
                op.sent = time.monotonic()
                self.history.append(op)
                ops.append(op)
                processes.append(subprocess.Popen(
                    [self.binary, "append", stream, "ProbeRaced", "--data", json.dumps({"round": round_number, "contender": contender}),
                     "--expected-version", "no-stream" if expected == 0 else str(expected)],
                    env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
            for op, process in zip(ops, processes):
                try:
                    out, _ = process.communicate(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    out = ""
                if process.returncode == 0:
                    printed = json.loads(out)
                    op.settle("ack", 0, None, {"events": [{"eventId": printed["eventId"], "position": printed["position"],
                                                           "stream": printed["stream"], "streamVersion": printed["streamVersion"]}]})
                elif process.returncode == 3:
                    op.settle("refused", 3, "wrong_expected_version")
                else:
                    op.settle("unknown", process.returncode, "exit")
            self.rounds.append((stream, expected, ops))
