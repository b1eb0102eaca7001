"""The commands a run sends, and the clients that send them over HTTP and the JSON socket,
recording every request with its outcome: acknowledged (with the events' positions), refused
(with the error code; nothing may have been written) or unknown (a timeout, a dropped
connection, a 5xx: it may or may not have been written)."""

import http.client
import itertools
import json
import socket
import threading
import time

SERVICES = ["checkout", "web", "billing"]


def stream_of(command, data):
    if "story" in command:
        return "story-" + str(data.get("storyId"))
    if command == "integrate-commit":
        return "commit-" + str(data.get("sha")).lower()
    if "build" in command:
        return "build-" + str(data.get("buildId"))
    if "deployment" in command:
        return "deployment-" + str(data.get("deploymentId"))
    raise ValueError(command)


class Generator:
    """Commands over small pools of stories, builds and deployments, so that clients contend for
    the same streams (state rules, conflicts, refusals), with a few invalid ones mixed in."""

    def __init__(self, rng, run_tag):
        self.rng = rng
        self.tag = run_tag
        self.counter = itertools.count(1)
        self.drift = {}

    def _window(self, kind, width, speed):
        """An index from a window of `width` ids that moves on by `speed` per call: streams are
        shared by concurrent clients for a while, then new ones come."""
        self.drift[kind] = self.drift.get(kind, 0.0) + speed
        return int(self.drift[kind]) + self.rng.randrange(width)

    def _story(self):
        return f"S{self.tag}-{self._window('story', 8, 0.3)}"

    def _build(self):
        n = self._window("build", 8, 0.35)
        return f"{self.tag}{n}", f"{(self.tag * 100003 + n):07x}"

    def next(self):
        rng, service = self.rng, self.rng.choice(SERVICES)
        roll = rng.random()
        if roll < 0.28:
            name = rng.choice(["create-story", "create-story", "prioritize-story", "start-story", "complete-story", "cancel-story"])
            data = {"storyId": self._story(), "service": service}
            if name == "create-story":
                data["title"] = f"story {next(self.counter)}"
            if name == "prioritize-story":
                data["priority"] = rng.randint(1, 5)
        elif roll < 0.55:
            name = rng.choice(["start-build", "pass-build", "pass-build", "fail-build"])
            build, sha = self._build()
            data = {"buildId": build, "sha": sha, "service": service}
        elif roll < 0.75:
            name = rng.choice(["start-deployment", "succeed-deployment", "succeed-deployment", "fail-deployment"])
            build, sha = self._build()
            data = {"deploymentId": f"D{self.tag}-{self._window('deployment', 6, 0.4)}", "environment": rng.choice(["staging", "production"]),
                    "sha": sha, "buildId": build, "service": service}
        elif roll < 0.95:
            name = "integrate-commit"
            data = {"sha": f"{self.tag:04x}{next(self.counter):08x}", "service": service,
                    "storyIds": [self._story() for _ in range(rng.randrange(3))]}
        else:  # refused by validation: nothing may be written
            name = "create-story"
            data = {"storyId": f"bad{self.tag}-{next(self.counter)}", "service": service,
                    **rng.choice([{}, {"title": "x", "priority": 9}, {"title": 7}])}
        return name, data


class Op:
    """One logical request: its attempts (a keyed request is retried after an unknown outcome)
    and its final outcome."""

    ids = itertools.count(1)

    def __init__(self, interface, command, data, key, stream=None):
        self.id = next(Op.ids)
        self.interface, self.command, self.data, self.key = interface, command, data, key
        self.stream = stream or stream_of(command, data)
        self.sent = None       # the first attempt's start
        self.done = None       # when the final outcome arrived
        self.outcome = None    # "ack", "refused", "unknown"
        self.code = None
        self.status = None
        self.events = []       # acknowledged: (eventId, position, stream, streamVersion)
        self.replayed = False
        self.attempts = 0

    def settle(self, outcome, status=None, code=None, result=None):
        self.outcome, self.status, self.code, self.done = outcome, status, code, time.monotonic()
        if result is not None:
            self.replayed = bool(result.get("replayed"))
            self.events = [(e["eventId"], e["position"], e["stream"], e["streamVersion"]) for e in result.get("events", [])]


def classify(status, body):
    """(outcome, code, result) of an HTTP status and JSON body."""
    try:
        document = json.loads(body) if body else {}
    except ValueError:
        document = {}
    code = (document.get("error") or {}).get("code") if isinstance(document, dict) else None
    if 200 <= status < 300:
        return "ack", None, document
    if 400 <= status < 500:
        return "refused", code, None
    return "unknown", code or str(status), None


class HTTPChannel:
    def __init__(self, port, token, timeout):
        self.port, self.token, self.timeout = port, token, timeout
        self.connection = None

    def send(self, op):
        body = json.dumps(op.data)
        headers = {"Authorization": "Bearer " + self.token, "Content-Type": "application/json"}
        if op.key:
            headers["Idempotency-Key"] = op.key
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            self.connection.request("POST", "/v1/commands/" + op.command, body=body, headers=headers)
            answer = self.connection.getresponse()
            payload = answer.read()
            return (answer.status,) + classify(answer.status, payload)[0:3]
        except (OSError, http.client.HTTPException) as error:
            self.close()
            return None, "unknown", type(error).__name__, None

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class SocketChannel:
    """One request at a time over a line connection (pipelining is tested elsewhere)."""

    def __init__(self, port, token, timeout):
        self.port, self.token, self.timeout = port, token, timeout
        self.sock, self.reader, self.next_id = None, None, itertools.count(1)

    def _connect(self):
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
        self.reader = self.sock.makefile("rb")
        reply = self._call({"op": "auth", "token": self.token})
        if not reply.get("ok"):
            raise OSError(f"auth refused: {reply}")

    def _call(self, request):
        request["id"] = next(self.next_id)
        self.sock.sendall(json.dumps(request).encode() + b"\n")
        while True:
            line = self.reader.readline()
            if not line:
                raise OSError("connection closed")
            reply = json.loads(line)
            if reply.get("id") == request["id"]:
                return reply

    def send(self, op):
        try:
            if self.sock is None:
                self._connect()
            request = {"op": "command", "name": op.command, "data": op.data}
            if op.key:
                request["idempotencyKey"] = op.key
            reply = self._call(request)
        except (OSError, ValueError) as error:
            self.close()
            return None, "unknown", type(error).__name__, None
        if reply.get("ok"):
            return 200, "ack", None, reply["result"]
        code = reply["error"]["code"]
        # The socket has no status line: server-side failures are the 5xx codes of HTTP.
        return None, ("unknown" if code in ("database_unavailable", "internal_error") else "refused"), code, None

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = self.reader = None


def drop_mid_request(port, token, op, partial):
    """Sends a command and closes the connection without reading the answer; with `partial`,
    closes after half the body (the server must write nothing for it)."""
    body = json.dumps(op.data).encode()
    head = (f"POST /v1/commands/{op.command} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            + (f"Idempotency-Key: {op.key}\r\n" if op.key else "") + "\r\n").encode()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(head + (body[: len(body) // 2] if partial else body))
            time.sleep(0.01)
    except OSError:
        pass


class Client(threading.Thread):
    """Sends generated commands to random servers until told to stop. A keyed request whose
    outcome is unknown is retried with the same key (on any server) until it has an outcome
    or the run's drain deadline passes; an unkeyed one stays unknown."""

    def __init__(self, index, interface, rng, generator, generator_lock, fleet, token, history, stop, drain_deadline):
        super().__init__(daemon=True, name=f"client-{index}")
        self.index, self.interface, self.rng = index, interface, rng
        self.generator, self.generator_lock = generator, generator_lock
        self.fleet, self.token, self.history, self.stop = fleet, token, history, stop
        self.drain_deadline = drain_deadline
        self.channels = {}
        self.internal_errors = []

    def channel(self, server):
        if server.name not in self.channels:
            port = server.http_port if self.interface == "http" else server.socket_port
            kind = HTTPChannel if self.interface == "http" else SocketChannel
            self.channels[server.name] = kind(port, self.token, timeout=2.0)
        return self.channels[server.name]

    def run(self):
        while not self.stop.is_set():
            with self.generator_lock:
                command, data = self.generator.next()
            keyed = self.rng.random() < 0.6
            op = Op(self.interface, command, data, f"k{self.index}-{self.rng.getrandbits(48):012x}" if keyed else None)
            self.history.append(op)
            self.perform(op)
            time.sleep(self.rng.random() * 0.02)
        for channel in self.channels.values():
            channel.close()

    def perform(self, op):
        op.sent = time.monotonic()
        while True:
            op.attempts += 1
            server = self.rng.choice(self.fleet)
            status, outcome, code, result = self.channel(server).send(op)
            if outcome == "unknown" and code == "internal_error" or status == 500:
                self.internal_errors.append((op.command, server.name, code))
            if outcome != "unknown" or op.key is None or time.monotonic() > self.drain_deadline[0]:
                op.settle(outcome, status, code, result)
                return
            time.sleep(0.05 + self.rng.random() * 0.2)


class Reader(threading.Thread):
    """Queries the read models on random servers through the faults: any answer but 200 or a
    documented 503 (`database_unavailable`, `read_model_unavailable`) is a finding."""

    PATHS = ["/v1/dora", "/v1/stages/planning/backlog", "/v1/stages/delivery/deployments", "/v1/projections",
             "/v1/stages/integration/builds", "/v1/exports/dora.csv"]

    def __init__(self, fleet, token, stop, rng):
        super().__init__(daemon=True, name="reader")
        self.fleet, self.token, self.stop, self.rng = fleet, token, stop, rng
        self.answers, self.findings = 0, []

    def run(self):
        while not self.stop.wait(0.05):
            server, path = self.rng.choice(self.fleet), self.rng.choice(self.PATHS)
            try:
                connection = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=3)
                connection.request("GET", path, headers={"Authorization": "Bearer " + self.token})
                answer = connection.getresponse()
                body = answer.read()
                connection.close()
            except (OSError, http.client.HTTPException):
                continue  # a stopped or killed server: no answer is not a wrong answer
            self.answers += 1
            code = classify(answer.status, body)[1]
            if answer.status != 200 and not (answer.status == 503 and code in ("database_unavailable", "read_model_unavailable")):
                self.findings.append(f"GET {path} on {server.name}: {answer.status} {body[:160]!r}")
