#!/usr/bin/env python3
"""Hostile input at scale (issue 14): generated inputs against one `loopline serve` (HTTP routes,
raw HTTP framing, the JSON socket, webhooks) on a private PostgreSQL. Passes when the server
never crashes, never answers a 5xx other than a documented 503, writes no row for any refused
input, keeps serving while slowloris clients hold connections, and its memory stays flat.

    python3 Tests/Faults/fuzz.py --loopline .build/debug/loopline --inputs 100000 --seed 1"""

import argparse
import hashlib
import hmac
import http.client
import json
import os
import random
import signal
import socket
import sys
import threading
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cluster import Cluster  # noqa: E402
from fleet import Server, cli, create_token  # noqa: E402
from inputs import TEMPLATES, mutate, query, socket_line  # noqa: E402

# Tables a refused input must leave alone. Read models change only through accepted events.
WRITTEN_TABLES = ["events", "command_idempotency", "api_tokens", "ingest_sources", "ingest_deliveries"]


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.tried = Counter()      # interface -> inputs
        self.statuses = Counter()   # (interface, status)
        self.bad = []               # 5xx other than 503, or a broken answer
        self.accepted = set()       # ids of the events accepted commands wrote

    def accept(self, result):
        with self.lock:
            self.accepted.update(event["eventId"] for event in result.get("events", []))

    def record(self, interface, status, detail="", new_input=True):
        """One answer; `new_input` false for a second answer to the same input."""
        with self.lock:
            self.tried[interface] += 1 if new_input else 0
            self.statuses[(interface, status)] += 1
            if isinstance(status, int) and status >= 500 and status != 503 or status == "no-answer":
                self.bad.append(f"{interface}: {status} {detail[:160]}")


def http_worker(port, token, source, secret, rng, count, tally):
    connection = None
    for _ in range(count):
        kind = rng.random()
        headers = {"Authorization": "Bearer " + token}
        if kind < 0.55:
            name = rng.choice(list(TEMPLATES) + ["nope", "create-story/../x", "%00"])
            method, path = "POST", "/v1/commands/" + name
            body = mutate(rng, TEMPLATES.get(name, TEMPLATES["create-story"]))
            headers["Content-Type"] = rng.choice(["application/json"] * 8 + ["text/plain", "application/json; charset=latin1",
                                                                             "application/vnd.x+json", ""])
            if rng.random() < 0.05:
                headers["Idempotency-Key"] = rng.choice(["", " ", "k" * 201, "a b", "\u00e9"]).encode("utf-8").decode("latin-1")
        elif kind < 0.8:
            method, path, body = rng.choice(["GET", "GET", "GET", "HEAD", "DELETE"]), query(rng), None
        else:
            method, body = "POST", mutate(rng, {"action": "opened", "repository": {"full_name": "o/r"}, "ref": "refs/heads/main"})
            path = f"/v1/ingest/{rng.choice(['github', 'gitlab', 'jira', 'nope'])}/{rng.choice([source, 'unknown'])}"
            headers = {"Content-Type": "application/json", "X-GitHub-Event": rng.choice(["push", "ping", "x", ""]),
                       "X-Hub-Signature-256": "sha256=" + (hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()[::-1]
                                                            if rng.random() < 0.5 else "00"),
                       "X-GitHub-Delivery": f"d{rng.getrandbits(32)}"}
        try:
            if connection is None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            payload = answer.read()
            tally.record("http", answer.status, f"{method} {path[:80]} {payload[:120]!r}")
            if 200 <= answer.status < 300 and method == "POST" and path.startswith("/v1/commands/"):
                tally.accept(json.loads(payload))
            if answer.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = None
        except (OSError, http.client.HTTPException) as error:
            # A refused body may end the connection (413 closes it): an answer or a clean close.
            tally.record("http", "closed" if not isinstance(error, TimeoutError) else "no-answer", f"{method} {path[:80]} {error}")
            if connection is not None:
                connection.close()
            connection = None


# Four of its ten body bytes: with the socket half-closed the server must answer or close; left
# open, the server rightly waits for the rest (no answer is then expected, not a fault).
PARTIAL_BODY = b"POST /v1/commands/create-story HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{\"a\""

RAW_REQUESTS = [
    b"GET / HTTP/1.1\r\n\r\n", b"GARBAGE\r\n\r\n", b"GET /v1/events HTTP/9.9\r\nHost: x\r\n\r\n",
    b"POST /v1/commands/create-story HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n{",
    b"POST /v1/commands/create-story HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"POST /v1/commands/create-story HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"POST /v1/commands/create-story HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{}",
    b"GET /v1/events HTTP/1.1\r\nHost: x\r\nX-Big: " + b"h" * 200_000 + b"\r\n\r\n",
    b"GET /" + b"p" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", b"\x00\x01\x02\r\n\r\n", b"GET /health\n\n",
    b"GET /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe\r\n\r\n",
    PARTIAL_BODY,
]


def raw_worker(port, token, rng, count, tally):
    for _ in range(count):
        request = rng.choice(RAW_REQUESTS)
        if rng.random() < 0.3:
            request = request.replace(b"Host: x\r\n", b"Host: x\r\nAuthorization: Bearer " + token.encode() + b"\r\n")
        half_closed = rng.random() < 0.5
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(request)
                if half_closed:
                    sock.shutdown(socket.SHUT_WR)  # the server must still answer or close
                answer = sock.recv(200)
            status = int(answer.split(b" ")[1]) if answer.startswith(b"HTTP/1.1 ") else "closed"
        except socket.timeout:
            waits = request.startswith(PARTIAL_BODY[:40]) and request.endswith(PARTIAL_BODY[-4:]) and not half_closed
            status = "waits-for-body" if waits else "no-answer"
        except (OSError, ValueError, IndexError):
            status = "closed"
        tally.record("raw-http", status, repr(request[:80]))


def socket_worker(port, token, rng, count, tally):
    """After each hostile line, a ping with an id of its own: every reply before the pong
    answers that line (a line may hold a newline and so be two requests, or be blank)."""
    sock, reader, sync = None, None, 0
    for _ in range(count):
        line = b""
        try:
            if sock is None:
                sock = socket.create_connection(("127.0.0.1", port), timeout=10)
                reader = sock.makefile("rb")
                sock.sendall(json.dumps({"op": "auth", "id": "auth", "token": token}).encode() + b"\n")
                if not json.loads(reader.readline()).get("ok"):
                    raise OSError("auth refused")
            line = socket_line(rng, True)
            sync += 1
            sock.sendall(line + b"\n" + json.dumps({"op": "ping", "id": f"sync-{sync}"}).encode() + b"\n")
            codes = []
            while True:
                answer = reader.readline()
                if not answer:
                    raise OSError("closed")
                reply = json.loads(answer)
                if reply.get("id") == f"sync-{sync}":
                    break
                if "event" in reply:
                    continue  # a subscription the line opened
                codes.append("ok" if reply.get("ok") else reply.get("error", {}).get("code", "?"))
                result = reply.get("result")
                if reply.get("ok") and isinstance(result, dict) and "command" in result:
                    tally.accept(result)
            for number, code in enumerate(codes or ["no-reply"]):
                tally.record("socket", 500 if code == "internal_error" else code, repr(line[:80]), new_input=number == 0)
        except socket.timeout:
            tally.record("socket", "no-answer", repr(line[:80]))
            sock.close()
            sock = None
        except (OSError, ValueError) as error:
            tally.record("socket", "closed", f"{error} {line[:80]!r}")
            if sock is not None:
                sock.close()
            sock = None


def slowloris(port, stop, held):
    """Connections that send a request one header byte every half second."""
    sockets = []
    for _ in range(40):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET /v1/events HTTP/1.1\r\nHost: x\r\n")
            sockets.append(sock)
        except OSError:
            break
    held.append(len(sockets))
    while not stop.wait(0.5):
        for sock in list(sockets):
            try:
                sock.sendall(b"X-a: b\r\n")
            except OSError:
                sockets.remove(sock)
    for sock in sockets:
        sock.close()


def counts(cluster, database):
    return {table: int(cluster.psql(database, f"SELECT count(*) FROM {table}")[0][0]) for table in WRITTEN_TABLES}


def event_ids(cluster):
    return {row[0] for row in cluster.psql("postgres", "SELECT event_id FROM events")}


def start_target(binary, cluster):
    """A migrated database, an admin token, a GitHub source and one server with its workers
    (accepted odd data must not stop a projection): (server, token, the source's secret)."""
    env = cluster.environment("postgres")
    status, _, err = cli(binary, env, "migrate")
    if status != 0:
        raise RuntimeError(err)
    token = create_token(binary, env, "fuzz", "admin")
    key_file = os.path.join(cluster.directory, "secrets.key")
    server = Server(0, binary, env, cluster.directory, key_file)
    server.argv.remove("--no-workers")
    server.start()
    if not server.wait_ready():
        raise RuntimeError("the server did not start")
    added = cli(binary, env, "source", "create", "--kind", "github", "--name", "gh", "--service", "web", "--secrets-key-file", key_file)
    if added[0] != 0:
        raise RuntimeError(f"source create failed: {added[2]}")
    return server, token, json.loads(added[1]).get("secret", "")


def drive(server, token, secret, inputs, seed):
    """Sends `inputs` inputs from six threads (HTTP, raw HTTP, socket) while slowloris holds
    connections; samples the server's RSS every second. Returns the tally, the RSS samples,
    the seconds taken, the slowloris connections held and whether /ready answered meanwhile."""
    rng = random.Random(seed)
    tally, stop, held = Tally(), threading.Event(), []
    threads = [threading.Thread(target=http_worker, args=(server.http_port, token, "gh", secret, random.Random(rng.getrandbits(32)),
                                                            int(inputs * 0.55 / 3), tally)) for _ in range(3)]
    threads += [threading.Thread(target=raw_worker, args=(server.http_port, token, random.Random(rng.getrandbits(32)), int(inputs * 0.05), tally))]
    threads += [threading.Thread(target=socket_worker, args=(server.socket_port, token, random.Random(rng.getrandbits(32)),
                                                             int(inputs * 0.40 / 2), tally)) for _ in range(2)]
    loris = threading.Thread(target=slowloris, args=(server.http_port, stop, held))
    loris.start()
    began, memory = time.monotonic(), []
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        time.sleep(1)
        if server.alive():
            memory.append(rss_bytes(server.popen.pid))
        print(f"\r  {sum(tally.tried.values())}/{inputs} inputs, {time.monotonic() - began:.0f} s", end="", flush=True)
    print(flush=True)
    served = server.ready(timeout=2) == 200
    stop.set()
    loris.join()
    return tally, memory, time.monotonic() - began, held[0] if held else 0, served


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loopline", required=True)
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    parser.add_argument("--summary", help="write the figures as JSON to this file")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: the server and the cluster go

    cluster = Cluster(args.root, durable=False)
    server = None
    try:
        cluster.start()
        server, token, secret = start_target(os.path.abspath(args.loopline), cluster)
        before, known = counts(cluster, "postgres"), event_ids(cluster)
        print(f"fuzz: {args.inputs} inputs from seed {args.seed}", flush=True)
        tally, memory, elapsed, loris, served = drive(server, token, secret, args.inputs, args.seed)
        alive = server.alive()
        after, new_events = counts(cluster, "postgres"), event_ids(cluster) - known
        # Rows of the other tables, and events no accepted command named.
        written = sum(after[table] - before[table] for table in WRITTEN_TABLES if table != "events") + len(new_events - tally.accepted)
        warm = memory[len(memory) // 10] if memory else 0
        figures = {
            "seed": args.seed, "inputs": sum(tally.tried.values()), "per_interface": dict(tally.tried),
            "seconds": round(elapsed, 1), "crashes": 0 if alive else 1, "bad_answers": len(tally.bad),
            "rows_written_by_refused_inputs": written, "accepted_events": len(tally.accepted), "events_written": len(new_events),
            "slowloris_connections": loris, "served_during_slowloris": served,
            "rss_mb": {"after_warmup": round(warm / 2 ** 20, 1), "peak": round(max(memory, default=0) / 2 ** 20, 1),
                       "end": round((memory[-1] if memory else 0) / 2 ** 20, 1)},
            "answers": {f"{i}:{s}": n for (i, s), n in sorted(tally.statuses.items(), key=lambda x: -x[1])[:40]},
        }
        print("fuzz figures: " + json.dumps(figures), flush=True)
        for line in tally.bad[:20]:
            print("  bad answer: " + line, flush=True)
        if args.summary:
            with open(args.summary, "w") as out:
                json.dump(figures, out, indent=1)
        grew = figures["rss_mb"]["end"] - figures["rss_mb"]["after_warmup"]
        failed = not alive or tally.bad or written != 0 or not served or grew > 64 or len(new_events) != len(tally.accepted)
        print(f"fuzz: {'FAILED' if failed else 'passed'} (memory {grew:+.1f} MB after warm-up)", flush=True)
        return 1 if failed else 0
    finally:
        if server is not None:
            server.terminate()
        cluster.remove()


if __name__ == "__main__":
    sys.exit(main())
