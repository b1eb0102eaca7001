"""Readers of the log that must see every position once, in order, across reconnects:
paging `GET /v1/events`, a socket `subscribe`, and a `loopline follow` process."""

import http.client
import json
import socket
import subprocess
import threading
import time


class Follower(threading.Thread):
    def __init__(self, name, stop):
        super().__init__(daemon=True, name=name)
        self.stop, self.positions, self.reconnects = stop, [], 0

    @property
    def last(self):
        return self.positions[-1] if self.positions else 0


class Pager(Follower):
    def __init__(self, fleet, token, stop, rng):
        super().__init__("pager", stop)
        self.fleet, self.token, self.rng = fleet, token, rng

    def run(self):
        connection, server = None, None
        while not self.stop.is_set():
            try:
                if connection is None:
                    server = self.rng.choice(self.fleet)
                    connection = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=2)
                connection.request("GET", f"/v1/events?after={self.last}&limit=500",
                                   headers={"Authorization": "Bearer " + self.token})
                answer = connection.getresponse()
                page = json.loads(answer.read())
                if answer.status != 200:
                    raise OSError(f"status {answer.status}")
                self.positions.extend(event["position"] for event in page["events"])
                if not page["events"]:
                    time.sleep(0.05)
            except (OSError, ValueError, http.client.HTTPException):
                if connection is not None:
                    connection.close()
                connection = None
                self.reconnects += 1
                time.sleep(0.1)


class Subscriber(Follower):
    def __init__(self, fleet, token, stop, rng):
        super().__init__("subscriber", stop)
        self.fleet, self.token, self.rng = fleet, token, rng

    def run(self):
        while not self.stop.is_set():
            server = self.rng.choice(self.fleet)
            try:
                with socket.create_connection(("127.0.0.1", server.socket_port), timeout=2) as sock:
                    reader = sock.makefile("rb")
                    sock.sendall(json.dumps({"op": "auth", "id": 1, "token": self.token}).encode() + b"\n")
                    sock.sendall(json.dumps({"op": "subscribe", "id": "s", "after": self.last}).encode() + b"\n")
                    sock.settimeout(0.5)
                    while not self.stop.is_set():
                        try:
                            line = reader.readline()
                        except socket.timeout:
                            continue  # quiet log; a stopped server shows as a dead connection
                        if not line:
                            raise OSError("closed")
                        message = json.loads(line)
                        if "event" in message:
                            self.positions.append(message["event"]["position"])
                        elif message.get("ok") is False:
                            raise OSError(f"refused: {message}")
            except (OSError, ValueError):
                self.reconnects += 1
                time.sleep(0.1)


class FollowProcess(Follower):
    """`loopline follow` straight on the database: it must survive the database's restarts by
    itself. Restarted (from its last position) only if it exits, which counts as a reconnect."""

    def __init__(self, binary, env, stop, log_path):
        super().__init__("follow", stop)
        self.binary, self.env, self.log_path, self.exits = binary, env, log_path, 0
        self.process = None
        self.exit_reasons = []

    def run(self):
        while not self.stop.is_set():
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen([self.binary, "follow", "--from", str(self.last)], env=self.env,
                                                stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL)
            for line in self.process.stdout:
                self.positions.append(json.loads(line)["position"])
            self.process.wait()
            if not self.stop.is_set():
                self.exits += 1
                self.reconnects += 1
                self.exit_reasons.append(f"exit {self.process.returncode}: {self._last_error()}")
                time.sleep(0.1)

    def _last_error(self):
        with open(self.log_path, errors="replace") as log:
            lines = [line.strip() for line in log if line.strip()]
        return lines[-1][:300] if lines else "(nothing on stderr)"

    def end(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
