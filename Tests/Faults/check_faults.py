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
    or not 200 from a running server when the database had been up for `grace` seconds."""
    ready_while_down, unready_while_up = [], []
    for began, ended, name, steady, status in samples:
        inside = any(down <= began and (restart is None or ended <= restart) for down, restart, _ in outage.intervals)
        near = any(down - 0.5 <= ended and (up is None or began <= up + grace) for down, _, up in outage.intervals)
        if inside and status == 200:
            ready_while_down.append(f"{name} ready at {began:.1f} while the database was down")
        if not near and steady and status != 200 and began > samples[0][0] + grace:
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


def one_run(args, cluster, index, seed):
    rng = random.Random(seed)
    database = f"run{index}_{seed}"
    cluster.create_database(database)
    env = cluster.environment(database)
    run_dir = os.path.join(cluster.directory, database)
    os.makedirs(run_dir, exist_ok=True)
    status, _, err = cli(args.loopline, env, "migrate")
    if status != 0:
        raise RuntimeError(f"migrate failed: {err}")
    token = create_token(args.loopline, env, "checker", "admin")

    servers = [Server(i, args.loopline, env, run_dir, os.path.join(run_dir, "secrets.key")) for i in range(rng.choice([2, 3]))]
    workers = [Worker(i, args.loopline, env, run_dir) for i in range(2)]
    for process in servers + workers:
        process.start()
    if not all(server.wait_ready() for server in servers):
        raise RuntimeError(f"a server did not become ready; logs in {run_dir}")

    history, stop_load, stop_faults, stop_follow, stop_probe = [], threading.Event(), threading.Event(), threading.Event(), threading.Event()
    drain_deadline = [float("inf")]
    generator, generator_lock = Generator(random.Random(rng.getrandbits(32)), index + 1), threading.Lock()
    clients = [Client(i, "http" if i < 4 else "socket", random.Random(rng.getrandbits(32)), generator, generator_lock,
                      servers, token, history, stop_load, drain_deadline) for i in range(6)]
    followers = [Pager(servers, token, stop_follow, random.Random(rng.getrandbits(32))),
                 Subscriber(servers, token, stop_follow, random.Random(rng.getrandbits(32))),
                 FollowProcess(args.loopline, env, stop_follow)]
    outage = Outage()
    faults = Faults(random.Random(rng.getrandbits(32)), cluster, database, servers, workers, token, history, stop_faults, outage)
    contenders = Contenders(args.loopline, env, cluster, database, history, stop_load)
    probe = ReadyProbe(servers, stop_probe)
    reader = Reader(servers, token, stop_load, random.Random(rng.getrandbits(32)))
    for thread in followers + clients + [faults, contenders, probe, reader]:
        thread.start()

    time.sleep(args.seconds)
    stop_faults.set()
    faults.join()
    started_recovery = time.monotonic()
    recovered = all(server.wait_ready(timeout=30) for server in servers)
    recovery_seconds = time.monotonic() - started_recovery
    stop_load.set()
    drain_deadline[0] = time.monotonic() + 20
    for thread in clients + [contenders, reader]:
        thread.join(timeout=60)
    stop_probe.set()
    probe.join()

    log = Log.read(cluster, database)
    head = log.positions[-1] if log.positions else 0
    caught_up = wait_until(lambda: all(f.last >= head for f in followers), 30)
    stop_follow.set()
    followers[2].end()
    for follower in followers:
        follower.join(timeout=10)
    checkpoints_at_head = wait_until(lambda: projections_at(servers[0], token, head)[1], 60, step=0.25)
    verify_status, verify_out, verify_err = cli(args.loopline, env, "replay", "--all", "--verify", timeout=600)

    crashed = [p.name for p in servers + workers if not p.alive()]
    for process in servers + workers:
        process.terminate()

    problems = check(history, log, followers, contenders.rounds)
    if verify_status != 0:
        problems["read_models"].append(f"replay --verify exit {verify_status}: {(verify_out + verify_err)[-600:]}")
    if not checkpoints_at_head:
        problems["read_models"].append(f"checkpoints below head {head}: {projections_at(servers[0], token, head)[0]}")
    if not caught_up:
        problems["follower"].append(f"followers did not reach head {head}: {[(f.name, f.last) for f in followers]}")
    if not recovered:
        problems["recovery"].append("a server was not ready 30 s after the last fault")
    if crashed:
        problems["recovery"].append(f"exited by themselves: {crashed}")
    if followers[2].exits:
        problems["recovery"].append(f"loopline follow exited {followers[2].exits} times (it must ride out restarts)")
    down_lies, up_lies = ready_lies(probe.samples, outage)
    problems["ready"].extend(down_lies + up_lies)
    internal = [error for client in clients for error in client.internal_errors]
    if internal:
        problems["internal_error"].extend(f"{c} on {s}: {code}" for c, s, code in internal[:10])
    if reader.findings:
        problems["read_answers"].extend(reader.findings)
    if faults.errors:
        problems["fault_injection"].extend(faults.errors)

    counts = {outcome: sum(1 for op in history if op.outcome == outcome) for outcome in ("ack", "refused", "unknown")}
    summary = {
        "run": index + 1, "seed": seed, "servers": len(servers), "requests": len(history),
        "acknowledged": counts["ack"], "refused": counts["refused"], "unknown": counts["unknown"],
        "refused_by_code": dict(Counter(op.code for op in history if op.outcome == "refused").most_common(6)),
        "races": len(contenders.rounds),
        "retried": sum(1 for op in history if op.attempts > 1), "events": len(log.positions),
        "faults": {kind: n for kind, n in faults.injected.items() if n},
        "lost": len(problems["lost"]), "duplicated": len(problems["duplicated"]),
        "reordered": len(problems["reordered"]) + len(problems["moved"]), "unexplained": len(problems["unexplained"]),
        "follower_errors": len(problems["follower"]), "read_model_differences": len(problems["read_models"]),
        "ready_lies": len(down_lies) + len(up_lies), "reads": reader.answers, "bad_reads": len(reader.findings), "recovery_s": round(recovery_seconds, 2),
        "reconnects": {f.name: f.reconnects for f in followers},
    }
    failures = {name: found for name, found in problems.items() if found}
    return summary, failures, run_dir


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
