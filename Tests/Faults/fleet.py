"""The Loopline processes of a run: `loopline serve` instances on loopback and `loopline work`
projection workers, each restartable after a kill, with its output kept in the run's folder."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Process:
    def __init__(self, name, argv, env, log_dir):
        self.name, self.argv, self.env, self.log_dir = name, argv, env, log_dir
        self.popen = None
        self.stopped = False  # SIGSTOPped
        # Every kill, start, stop and continue: a probe of /ready counts only when none fell
        # near it (a server that was just continued is still working off what queued).
        self.changes, self.changed_at = 0, 0.0

    def _changed(self):
        self.changes += 1
        self.changed_at = time.monotonic()

    def steady_since(self, moment, changes, settle=2.0):
        """Whether nothing happened to this process from `settle` seconds before `moment` until now."""
        return self.alive() and not self.stopped and self.changes == changes and self.changed_at < moment - settle

    def start(self):
        self._changed()
        log = open(os.path.join(self.log_dir, f"{self.name}.log"), "ab")
        self.popen = subprocess.Popen(self.argv, env=self.env, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                                      start_new_session=True)
        log.close()

    def alive(self):
        return self.popen is not None and self.popen.poll() is None

    def kill(self):
        if self.alive():
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait()
        self.stopped = False
        self._changed()

    def pause(self):
        self._changed()
        self.stopped = True
        self.popen.send_signal(signal.SIGSTOP)

    def resume(self):
        if self.alive():
            self.popen.send_signal(signal.SIGCONT)
        self.stopped = False
        self._changed()

    def terminate(self):
        if self.stopped:
            self.resume()
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


class Server(Process):
    def __init__(self, index, binary, env, log_dir, key_file):
        self.http_port, self.socket_port = free_port(), free_port()
        super().__init__(f"serve-{index}", [
            binary, "serve", "--http", f"127.0.0.1:{self.http_port}", "--socket", f"127.0.0.1:{self.socket_port}",
            "--secrets-key-file", key_file, "--no-workers", "--max-connections", "8"], env, log_dir)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.http_port}"

    def ready(self, timeout=1.0):
        """/ready's status code, or None when nothing answered."""
        try:
            with urllib.request.urlopen(self.url + "/ready", timeout=timeout) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code
        except (OSError, ValueError):
            return None

    def wait_ready(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ready() == 200:
                return True
            time.sleep(0.1)
        return False


class Worker(Process):
    def __init__(self, index, binary, env, log_dir):
        super().__init__(f"work-{index}", [binary, "work", "--lease-seconds", "3", "--batch-size", "50"], env, log_dir)


def cli(binary, env, *args, input=None, timeout=120):
    """Runs a loopline subcommand to completion: (exit status, stdout, stderr)."""
    result = subprocess.run([binary, *args], env=env, input=input, capture_output=True, text=True, timeout=timeout)
    return result.returncode, result.stdout, result.stderr


def create_token(binary, env, name, scope):
    status, out, err = cli(binary, env, "token", "create", "--name", name, "--scope", scope)
    if status != 0:
        raise RuntimeError(f"token create failed: {err}")
    return json.loads(out)["token"]
