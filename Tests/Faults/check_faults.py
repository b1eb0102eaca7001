#!/usr/bin/env python3
"""The history checker (issue 14): randomized runs of 2-3 `loopline serve` instances and two
projection workers on a private PostgreSQL with default durability (fsync, full_page_writes and
synchronous_commit on), clients over HTTP and the JSON socket, followers, and a seeded schedule
of faults; then every request's outcome is checked against the log, the followers against the
log, and the read models against a clean rebuild (`loopline replay --all --verify`).

    python3 Tests/Faults/check_faults.py --loopline .build/debug/loopline --runs 10 --seed 1

The seed fixes each run's workload choices and fault schedule (printed per run: rerun one with
--seed S --runs 1); threads and processes still interleave as the machine schedules them.
Exit status 0 only when every run passes."""

import argparse
from collections import Counter
import http.client
import json
import os
import random
import shutil
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from checks import Log, check  # noqa: E402
from cluster import Cluster  # noqa: E402
from faults import KINDS, Contenders, Faults, Outage  # noqa: E402
from fleet import Server, Worker, cli, create_token  # noqa: E402
from followers import FollowProcess, Pager, Subscriber  # noqa: E402
from workload import Client, Generator, Reader  # noqa: E402


class ReadyProbe(threading.Thread):
    """Samples every server's /ready, with what the server and the database were doing."""

    def __init__(self, servers, stop):
        super().__init__(daemon=True, name="ready-probe")
        self.servers, self.stop, self.samples = servers, stop, []

    def run(self):
        while not self.stop.wait(0.15):
            for server in self.servers:
                changes, began = server.changes, time.monotonic()
                status = server.ready(timeout=3.0)
                steady = server.steady_since(began, changes)
                self.samples.append((began, time.monotonic(), server.name, steady, status))


def ready_lies(samples, outage, grace=5.0):
    """Samples where /ready said the opposite of the truth: 200 while the database was down,
    or an answer other than 200 from a running server when the database had been up for `grace`
    seconds. No answer at all claims nothing (a server restarted during an outage listens only
    once it has checked the schema): that it comes back is the recovery check's."""
    ready_while_down, unready_while_up = [], []
    for began, ended, name, steady, status in samples:
        inside = any(down <= began and (restart is None or ended <= restart) for down, restart, _ in outage.intervals)
        near = any(down - 0.5 <= ended and (up is None or began <= up + grace) for down, _, up in outage.intervals)
        if inside and status == 200:
            ready_while_down.append(f"{name} ready at {began:.1f} while the database was down")
        if not near and steady and status not in (200, None) and began > samples[0][0] + grace:
            unready_while_up.append(f"{name} answered {status} at {began:.1f} with the database up")
    return ready_while_down, unready_while_up


def projections_at(server, token, head):
    connection = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=3)
    try:
        connection.request("GET", "/v1/projections", headers={"Authorization": "Bearer " + token})
        answer = connection.getresponse()
        body = json.loads(answer.read())
    finally:
        connection.close()
    entries = body["projections"] if isinstance(body, dict) else body
    return {entry["name"]: entry["position"] for entry in entries}, all(entry["position"] >= head for entry in entries)


def wait_until(predicate, timeout, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


class Run:
    """One randomized run: its fleet, load, followers and faults, then the checks."""

    def __init__(self, args, cluster, index, seed):
        self.args, self.cluster, self.index, self.seed = args, cluster, index, seed
        self.rng = random.Random(seed)
        self.database = f"run{index}_{seed}"
        self.env = cluster.environment(self.database)
        self.dir = os.path.join(cluster.directory, self.database)

    def _rng(self):
        return random.Random(self.rng.getrandbits(32))

    def start_fleet(self):
        self.cluster.create_database(self.database)
        os.makedirs(self.dir, exist_ok=True)
        status, _, err = cli(self.args.loopline, self.env, "migrate")
        if status != 0:
            raise RuntimeError(f"migrate failed: {err}")
        self.token = create_token(self.args.loopline, self.env, "checker", "admin")
        key_file = os.path.join(self.dir, "secrets.key")
        self.servers = [Server(i, self.args.loopline, self.env, self.dir, key_file) for i in range(self.rng.choice([2, 3]))]
        self.workers = [Worker(i, self.args.loopline, self.env, self.dir) for i in range(2)]
        for process in self.servers + self.workers:
            process.start()
        if not all(server.wait_ready() for server in self.servers):
            raise RuntimeError(f"a server did not become ready; logs in {self.dir}")

    def start_load(self):
        self.history = []
        self.stop_load, self.stop_faults, self.stop_follow, self.stop_probe = (threading.Event() for _ in range(4))
        self.drain_deadline = [float("inf")]
        generator, lock = Generator(self._rng(), self.index + 1), threading.Lock()
        self.clients = [Client(i, "http" if i < 4 else "socket", self._rng(), generator, lock, self.servers, self.token,
                               self.history, self.stop_load, self.drain_deadline) for i in range(6)]
        self.followers = [Pager(self.servers, self.token, self.stop_follow, self._rng()),
                          Subscriber(self.servers, self.token, self.stop_follow, self._rng()),
                          FollowProcess(self.args.loopline, self.env, self.stop_follow, os.path.join(self.dir, "follow.log"))]
        self.outage = Outage()
        self.faults = Faults(self._rng(), self.cluster, self.database, self.servers, self.workers, self.token, self.history,
                             self.stop_faults, self.outage)
        self.contenders = Contenders(self.args.loopline, self.env, self.cluster, self.database, self.history, self.stop_load)
        self.probe = ReadyProbe(self.servers, self.stop_probe)
        self.reader = Reader(self.servers, self.token, self.stop_load, self._rng())
        for thread in self.followers + self.clients + [self.faults, self.contenders, self.probe, self.reader]:
            thread.start()

    def stop_and_drain(self):
        """Ends the faults, waits for the servers to come back by themselves, lets keyed requests
        of unknown outcome retry for 20 s more, and lets the followers reach the head."""
        self.stop_faults.set()
        self.faults.join()
        began = time.monotonic()
        self.recovered = all(server.wait_ready(timeout=30) for server in self.servers)
        self.recovery_seconds = time.monotonic() - began
        self.stop_load.set()
        self.drain_deadline[0] = time.monotonic() + 20
        for thread in self.clients + [self.contenders, self.reader]:
            thread.join(timeout=60)
        self.stop_probe.set()
        self.probe.join()
        self.log = Log.read(self.cluster, self.database)
        self.head = self.log.positions[-1] if self.log.positions else 0
        self.caught_up = wait_until(lambda: all(f.last >= self.head for f in self.followers), 30)
        self.stop_follow.set()
        self.followers[2].end()
        for follower in self.followers:
            follower.join(timeout=10)

    def check(self):
        """Every check's findings, by name."""
        server, head = self.servers[0], self.head
        at_head = wait_until(lambda: projections_at(server, self.token, head)[1], 60, step=0.25)
        verify_status, verify_out, verify_err = cli(self.args.loopline, self.env, "replay", "--all", "--verify", timeout=600)
        crashed = [p.name for p in self.servers + self.workers if not p.alive()]
        for process in self.servers + self.workers:
            process.terminate()
        problems = check(self.history, self.log, self.followers, self.contenders.rounds)
        if verify_status != 0:
            problems["read_models"].append(f"replay --verify exit {verify_status}: {(verify_out + verify_err)[-600:]}")
        if not at_head:
            problems["read_models"].append(f"checkpoints below head {head}: {projections_at(server, self.token, head)[0]}")
        if not self.caught_up:
            problems["follower"].append(f"followers did not reach head {head}: {[(f.name, f.last) for f in self.followers]}")
        if not self.recovered:
            problems["recovery"].append("a server was not ready 30 s after the last fault")
        if crashed:
            problems["recovery"].append(f"exited by themselves: {crashed}")
        if self.followers[2].exits:
            problems["recovery"].append(f"loopline follow exited {self.followers[2].exits} times (it must ride out restarts): "
                                        + "; ".join(self.followers[2].exit_reasons))
        self.down_lies, self.up_lies = ready_lies(self.probe.samples, self.outage)
        problems["ready"].extend(self.down_lies + self.up_lies)
        internal = [error for client in self.clients for error in client.internal_errors]
        problems["internal_error"].extend(f"{c} on {s}: {code}" for c, s, code in internal[:10])
        problems["read_answers"].extend(self.reader.findings)
        problems["fault_injection"].extend(self.faults.errors)
        return problems

    def summary(self, problems):
        history = self.history
        counts = Counter(op.outcome for op in history)
        return {
            "run": self.index + 1, "seed": self.seed, "servers": len(self.servers), "requests": len(history),
            "acknowledged": counts["ack"], "refused": counts["refused"], "unknown": counts["unknown"],
            "refused_by_code": dict(Counter(op.code for op in history if op.outcome == "refused").most_common(6)),
            "races": len(self.contenders.rounds), "retried": sum(1 for op in history if op.attempts > 1),
            "events": len(self.log.positions), "faults": {kind: n for kind, n in self.faults.injected.items() if n},
            "lost": len(problems["lost"]), "duplicated": len(problems["duplicated"]),
            "reordered": len(problems["reordered"]) + len(problems["moved"]), "unexplained": len(problems["unexplained"]),
            "follower_errors": len(problems["follower"]), "read_model_differences": len(problems["read_models"]),
            "ready_lies": len(self.down_lies) + len(self.up_lies), "reads": self.reader.answers,
            "bad_reads": len(self.reader.findings), "recovery_s": round(self.recovery_seconds, 2),
            "reconnects": {f.name: f.reconnects for f in self.followers},
        }


def one_run(args, cluster, index, seed):
    run = Run(args, cluster, index, seed)
    try:
        run.start_fleet()
        run.start_load()
        time.sleep(args.seconds)
        run.stop_and_drain()
        problems = run.check()
    finally:
        # Interrupted or failed: no server or worker may outlive the run (they have sessions of their own).
        for process in getattr(run, "servers", []) + getattr(run, "workers", []):
            process.terminate()
        if getattr(run, "followers", None):
            run.followers[2].end()
    failures = {name: found for name, found in problems.items() if found}
    return run.summary(problems), failures, run.dir


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loopline", required=True, help="the loopline binary")
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    parser.add_argument("--seconds", type=float, default=8.0, help="how long each run's load and faults last")
    parser.add_argument("--summary", help="append each run's JSON summary to this file")
    parser.add_argument("--keep", action="store_true", help="keep the cluster and the logs of a failed run")
    args = parser.parse_args()
    args.loopline = os.path.abspath(args.loopline)
    # SIGTERM (a CI timeout, kill) unwinds like Ctrl-C, so every run stops its processes and the cluster goes.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    print(f"check-faults: {args.runs} runs from seed {args.seed}, {args.seconds:.0f} s of load and faults each; "
          f"faults: {', '.join(KINDS)}", flush=True)
    cluster = Cluster(args.root, durable=True)
    failed, totals = 0, {}
    # A copy of the binary: a rebuild during a long run must not change it under the runs.
    binary = os.path.join(cluster.directory, "loopline")
    shutil.copy2(args.loopline, binary)
    args.loopline = binary
    try:
        cluster.start()
        for index in range(args.runs):
            seed = args.seed + index
            began = time.monotonic()
            summary, failures, run_dir = one_run(args, cluster, index, seed)
            summary["seconds"] = round(time.monotonic() - began, 1)
            verdict = "ok" if not failures else "FAILED"
            print(f"[{index + 1}/{args.runs}] seed {seed} {verdict}: " + json.dumps(summary), flush=True)
            for name, found in failures.items():
                for line in found[:8]:
                    print(f"    {name}: {line}", flush=True)
            if failures:
                failed += 1
                print(f"    logs: {run_dir} (rerun: --seed {seed} --runs 1)", flush=True)
            for key in ("requests", "acknowledged", "refused", "unknown", "retried", "events", "lost", "duplicated",
                        "reordered", "unexplained", "follower_errors", "read_model_differences", "ready_lies"):
                totals[key] = totals.get(key, 0) + summary[key]
            for kind, n in summary["faults"].items():
                totals["fault " + kind] = totals.get("fault " + kind, 0) + n
            if args.summary:
                with open(args.summary, "a") as out:
                    out.write(json.dumps(summary) + "\n")
    finally:
        if not (failed and args.keep):
            cluster.remove()
    print("check-faults totals: " + json.dumps(totals), flush=True)
    print(f"check-faults: {args.runs - failed} of {args.runs} runs passed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
