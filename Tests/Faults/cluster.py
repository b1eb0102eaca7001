"""A private PostgreSQL cluster for the fault checker and the fuzzer, started through the
Makefile's db-* targets (so it runs as the 'postgres' user when we are root), and psql over its
Unix socket for the checks' reads."""

import os
import shutil
import subprocess
import tempfile


class Cluster:
    def __init__(self, root, make="make", durable=True, pg_bin=None):
        self.root = root
        self.make = make
        self.durable = durable
        self.directory = tempfile.mkdtemp(prefix="loopline-faults-", dir="/tmp")
        os.chmod(self.directory, 0o755)
        self.pg_bin = pg_bin or subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip() or "/usr/lib/postgresql/15/bin"
        self.up = False

    def _make(self, target, *extra):
        result = subprocess.run(
            [self.make, "-s", "--no-print-directory", "-C", self.root, target,
             f"PG_DIR={self.directory}", f"PG_SOCKET={self.directory}",
             f"PG_DURABLE={'on' if self.durable else 'off'}", *extra],
            capture_output=True, text=True, env={k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL")})
        if result.returncode != 0:
            raise RuntimeError(f"make {target} failed: {result.stdout}{result.stderr}")

    def start(self):
        self._make("db-start")
        self.up = True

    def crash(self):
        """pg_ctl stop -m immediate: every backend is killed, no checkpoint; the next start recovers from WAL."""
        self.up = False
        self._make("db-crash")

    def stop(self):
        self.up = False
        self._make("db-stop")

    def remove(self):
        try:
            self.stop()
        except RuntimeError:
            pass
        shutil.rmtree(self.directory, ignore_errors=True)

    def environment(self, database):
        """What loopline and psql need to reach `database` on this cluster."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG") and k != "LOOPLINE_DATABASE_URL"}
        env.update(PGHOST=self.directory, PGPORT="5432", PGUSER="postgres", PGDATABASE=database,
                   LOOPLINE_LOG_LEVEL="warning")
        return env

    def psql(self, database, sql, *variables):
        """Runs `sql` (a single statement; :'name' placeholders bound from `variables` as
        name=value pairs, which psql quotes) and returns its rows as lists of strings."""
        args = [os.path.join(self.pg_bin, "psql"), "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1"]
        for pair in variables:
            args += ["-v", pair]
        result = subprocess.run(args, input=sql, capture_output=True, text=True, env=self.environment(database))
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr.strip()}")
        return [line.split("\t") for line in result.stdout.splitlines() if line]

    def create_database(self, name):
        self.psql("postgres", f'CREATE DATABASE "{name}"')
