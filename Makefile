# Loopline — build, run, test.
#
#   make run     build, start a private PostgreSQL under .loopline/ (unless one is configured), migrate, serve
#   make run SEED=20000   the same, with demo history recorded first (deterministic, idempotent)
#   make test    run the whole suite against a throwaway PostgreSQL, removed afterwards
#   make bench   benchmarks against a throwaway PostgreSQL; writes docs/benchmarks.md
#   make openapi-check     the live HTTP API against docs/openapi.yaml (schemathesis)
#   make dashboard-check   the dashboard in headless Chromium (Selenium) on a seeded history
#   make check-faults      randomized runs under crashes and stalls, every outcome checked (RUNS=10 SEED=S)
#   make fuzz              generated hostile input against the HTTP API and the socket (FUZZ_INPUTS=100000)
#
# Works as root and as a normal user: PostgreSQL refuses to run as root, so as root the
# cluster runs as the unprivileged 'postgres' user on a folder it owns.

SHELL       := /bin/bash
PG_BIN      ?= $(or $(shell pg_config --bindir 2>/dev/null),$(lastword $(sort $(wildcard /usr/lib/postgresql/*/bin))))
PG_PORT     ?= 5432
PG_USER     ?= postgres
PG_DURABLE  ?= on
# Connections the cluster accepts; the test suite runs its databases in parallel and needs more.
PG_MAX_CONNECTIONS ?= 300
# Two-phase commit slots: PostgreSQL's default, 0, except for the tests, which prepare some.
PG_MAX_PREPARED ?= 0
IS_ROOT     := $(filter 0,$(shell id -u))
PG_AS       := $(if $(IS_ROOT),runuser -u postgres --,)
SWIFT       ?= swift
CONFIG      ?= debug
BIN_DIR      = $(shell $(SWIFT) build -c $(CONFIG) --show-bin-path)

# The private cluster of `make run`: data under the project, socket in a short /tmp path
# (socket paths are limited to 107 bytes). As root, if 'postgres' cannot reach the project
# folder (e.g. under /root), the data goes to /var/tmp instead.
PROJECT_ID  := $(shell printf '%s' '$(CURDIR)' | cksum | cut -d' ' -f1)
PG_DIR      ?= $(CURDIR)/.loopline/pg
PG_SOCKET   ?= /tmp/loopline-$(PROJECT_ID)

.PHONY: build run serve test bench bench-tools format openapi-check dashboard-check dashboard-bench release-tools db-start db-standby db-stop db-crash db-restart db-status db-clean db-env check-faults fuzz help
.DEFAULT_GOAL := help

help:
	@sed -n 's/^#   //p' $(MAKEFILE_LIST)

build:
	$(SWIFT) build -c $(CONFIG) --product loopline

# ---------------------------------------------------------------------------------------
# make run: a private cluster (unless one is configured), migrate, serve. SEED=N first records
# N events of demo history through the command handler (the same history every time: seed 1).
# ---------------------------------------------------------------------------------------

run: build
	@if [ -z "$$LOOPLINE_DATABASE_URL$$PGHOST$$PGDATABASE" ]; then \
	  dir=$$($(MAKE) --no-print-directory -s db-dir); \
	  $(MAKE) --no-print-directory db-start PG_DIR=$$dir || exit 1; \
	  export PGHOST=$(PG_SOCKET) PGPORT=$(PG_PORT) PGUSER=$(PG_USER) PGDATABASE=postgres; \
	else \
	  echo "using the configured database ($${LOOPLINE_DATABASE_URL:+LOOPLINE_DATABASE_URL}$${PGHOST:+ PGHOST=$$PGHOST})"; \
	fi; \
	"$(BIN_DIR)/loopline" migrate >/dev/null || exit 1; \
	token=$$("$(BIN_DIR)/loopline" token bootstrap | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'); \
	if [ -n "$$token" ]; then \
	  printf '\n  First start: created an admin API token, shown only this once. Keep it safe:\n\n    export LOOPLINE_TOKEN=%s\n\n' "$$token"; \
	  printf '  For a first look with demo data (a few teams and services, weeks of history): make run SEED=20000\n\n'; \
	fi; \
	if [ -n "$(SEED)" ]; then "$(BIN_DIR)/loopline" seed --events $(SEED) --seed 1 >/dev/null || exit 1; fi; \
	exec "$(BIN_DIR)/loopline" serve

# Where the private cluster's data lives (see PG_DIR above).
db-dir:
	@if [ -n "$(IS_ROOT)" ] && ! runuser -u postgres -- test -x '$(CURDIR)' 2>/dev/null; then \
	  echo /var/tmp/loopline-$(PROJECT_ID)/pg; else echo '$(PG_DIR)'; fi

# ---------------------------------------------------------------------------------------
# A PostgreSQL cluster: PG_DIR holds the data, PG_SOCKET the Unix socket (no TCP).
# PG_DURABLE=off trades crash safety for speed (tests only).
# ---------------------------------------------------------------------------------------

db-start:
	@test -x "$(PG_BIN)/initdb" || { echo "PostgreSQL server binaries not found (PG_BIN=$(PG_BIN)); install postgresql" >&2; exit 1; }
	@mkdir -p '$(PG_DIR)' '$(PG_SOCKET)'
	@if [ -n "$(IS_ROOT)" ]; then chown postgres: '$(PG_DIR)' '$(PG_SOCKET)'; fi
	@if [ ! -f '$(PG_DIR)/data/PG_VERSION' ]; then \
	  cd /tmp && $(PG_AS) "$(PG_BIN)/initdb" -D '$(PG_DIR)/data' -U $(PG_USER) -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
	    > '$(PG_DIR)/initdb.log' 2>&1 || { cat '$(PG_DIR)/initdb.log'; exit 1; }; \
	  { echo "listen_addresses = ''"; echo "unix_socket_directories = '$(PG_SOCKET)'"; echo "port = $(PG_PORT)"; \
	    echo "max_connections = $(PG_MAX_CONNECTIONS)"; echo "max_prepared_transactions = $(PG_MAX_PREPARED)"; \
	    echo "log_min_messages = warning"; \
	    if [ "$(PG_DURABLE)" = off ]; then echo "fsync = off"; echo "synchronous_commit = off"; echo "full_page_writes = off"; fi; \
	  } | $(PG_AS) tee -a '$(PG_DIR)/data/postgresql.conf' >/dev/null; \
	fi
	@cd /tmp && { $(PG_AS) "$(PG_BIN)/pg_ctl" -D '$(PG_DIR)/data' status >/dev/null 2>&1 || \
	  $(PG_AS) "$(PG_BIN)/pg_ctl" -D '$(PG_DIR)/data' -l '$(PG_DIR)/server.log' -w -s -t 60 start \
	    -o "-c unix_socket_directories='$(PG_SOCKET)' -c port=$(PG_PORT)" || { tail -20 '$(PG_DIR)/server.log'; exit 1; }; }
	@"$(PG_BIN)/pg_isready" -q -h '$(PG_SOCKET)' -p $(PG_PORT) && \
	  echo "postgres ready: PGHOST=$(PG_SOCKET) PGPORT=$(PG_PORT) PGUSER=$(PG_USER) (data in $(PG_DIR))"

db-stop:
	@if [ -f '$(PG_DIR)/data/postmaster.pid' ]; then cd /tmp && $(PG_AS) "$(PG_BIN)/pg_ctl" -D '$(PG_DIR)/data' -m fast -w -s stop; fi

db-restart:
	@cd /tmp && $(PG_AS) "$(PG_BIN)/pg_ctl" -D '$(PG_DIR)/data' -m fast -w -s -l '$(PG_DIR)/server.log' restart \
	  -o "-c unix_socket_directories='$(PG_SOCKET)' -c port=$(PG_PORT)"

# A streaming replica of the cluster whose socket is in PRIMARY_SOCKET: a base backup with the
# recovery settings written (pg_basebackup -R) into PG_DIR, then started like any cluster.
db-standby:
	@test -n '$(PRIMARY_SOCKET)' || { echo "db-standby needs PRIMARY_SOCKET=<the primary's socket folder>" >&2; exit 1; }
	@mkdir -p '$(PG_DIR)' '$(PG_SOCKET)'
	@if [ -n "$(IS_ROOT)" ]; then chown postgres: '$(PG_DIR)' '$(PG_SOCKET)'; fi
	@if [ ! -f '$(PG_DIR)/data/PG_VERSION' ]; then \
	  cd /tmp && $(PG_AS) "$(PG_BIN)/pg_basebackup" -D '$(PG_DIR)/data' -R -X stream -c fast -h '$(PRIMARY_SOCKET)' \
	    -p $(PG_PORT) -U $(PG_USER) > '$(PG_DIR)/basebackup.log' 2>&1 || { cat '$(PG_DIR)/basebackup.log'; exit 1; }; \
	fi
	@$(MAKE) --no-print-directory db-start PG_DIR='$(PG_DIR)' PG_SOCKET='$(PG_SOCKET)'

# A crash of the database server: every backend killed, no checkpoint; the next db-start recovers from WAL.
db-crash:
	@if [ -f '$(PG_DIR)/data/postmaster.pid' ]; then cd /tmp && $(PG_AS) "$(PG_BIN)/pg_ctl" -D '$(PG_DIR)/data' -m immediate -w -s stop; fi

db-status:
	@cd /tmp && $(PG_AS) "$(PG_BIN)/pg_ctl" -D '$(PG_DIR)/data' status

db-clean: db-stop
	rm -rf '$(PG_DIR)' '$(PG_SOCKET)'

# Prints the variables that point psql and loopline at the private cluster: eval $(make db-env)
db-env:
	@echo "export PGHOST=$(PG_SOCKET) PGPORT=$(PG_PORT) PGUSER=$(PG_USER) PGDATABASE=postgres"

# ---------------------------------------------------------------------------------------
# make test: a throwaway cluster, removed whatever happens.
# ---------------------------------------------------------------------------------------

test:
	@dir=$$(mktemp -d /tmp/loopline-test-XXXXXX); \
	cleanup() { $(MAKE) --no-print-directory -s db-stop PG_DIR=$$dir PG_SOCKET=$$dir; rm -rf "$$dir"; }; \
	trap 'cleanup; exit 130' INT TERM; \
	$(MAKE) --no-print-directory db-start PG_DIR=$$dir PG_SOCKET=$$dir PG_DURABLE=off PG_MAX_CONNECTIONS=1000 PG_MAX_PREPARED=16 || { cleanup; exit 1; }; \
	PGHOST=$$dir PGPORT=$(PG_PORT) PGUSER=$(PG_USER) PGDATABASE=postgres LOOPLINE_DATABASE_URL= \
	  $(SWIFT) test $(SWIFT_TEST_FLAGS); rc=$$?; \
	cleanup; exit $$rc

# ---------------------------------------------------------------------------------------
# make bench: release build, a throwaway cluster with default durability, both sides.
# Every PostgreSQL backend runs in a session of its own, and with the kernel's autogroup
# scheduling (on by default) a session is one scheduling group: backends then wait up to
# 230 ms for a core whenever the load generator and the server saturate the machine (docs/
# benchmarks.md, "Where the HTTP tail came from"). So the benchmark turns autogroup off while
# it runs, as root, and restores it; BENCH_AUTOGROUP=keep leaves it alone.
# ---------------------------------------------------------------------------------------

AUTOGROUP       = /proc/sys/kernel/sched_autogroup_enabled
BENCH_AUTOGROUP ?= off

bench: bench-tools
	$(SWIFT) build -c release --product loopline-bench
	$(SWIFT) build -c release --product loopline
	@dir=$$(mktemp -d /tmp/loopline-bench-XXXXXX); \
	autogroup=$$(cat $(AUTOGROUP) 2>/dev/null); \
	if [ "$(BENCH_AUTOGROUP)" = off ] && [ "$$autogroup" = 1 ]; then \
	  echo 0 > $(AUTOGROUP) 2>/dev/null && echo "kernel autogroup scheduling off for the benchmark (BENCH_AUTOGROUP=keep leaves it)" || \
	  echo "warning: cannot turn kernel autogroup scheduling off (not root?): expect a latency tail" >&2; fi; \
	cleanup() { $(MAKE) --no-print-directory -s db-stop PG_DIR=$$dir PG_SOCKET=$$dir; rm -rf "$$dir"; \
	  [ "$$autogroup" = 1 ] && echo 1 > $(AUTOGROUP) 2>/dev/null; true; }; \
	trap 'cleanup; exit 130' INT TERM; \
	$(MAKE) --no-print-directory db-start PG_DIR=$$dir PG_SOCKET=$$dir PG_DURABLE=$(PG_DURABLE) || { cleanup; exit 1; }; \
	PGHOST=$$dir PGPORT=$(PG_PORT) PGUSER=$(PG_USER) PGDATABASE=postgres LOOPLINE_DATABASE_URL= \
	  "$$($(SWIFT) build -c release --show-bin-path)/loopline-bench" --pgbench "$(PG_BIN)/pgbench" \
	  --loopline "$$($(SWIFT) build -c release --show-bin-path)/loopline" \
	  --schema-dir schema --output docs/benchmarks.md $(BENCH_FLAGS); rc=$$?; \
	cleanup; exit $$rc

# wrk drives the HTTP command benchmark; Debian ships it, so install it when it is missing.
bench-tools:
	@command -v wrk >/dev/null || { command -v apt-get >/dev/null && \
	  $(if $(IS_ROOT),,sudo) apt-get update -qq && $(if $(IS_ROOT),,sudo) apt-get install -y -qq wrk >/dev/null; } || \
	  { echo "make bench needs wrk (apt-get install wrk)" >&2; exit 1; }

format:
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests

# ---------------------------------------------------------------------------------------
# make dashboard-check: the dashboard in headless Chromium (Selenium) against a real server on
# a seeded history (Tests/Browser/dashboard_test.py). DASHBOARD_SCREENSHOTS=docs/dashboard
# refreshes the screenshots docs/dashboard.md shows.
# make dashboard-bench: the overview's time to first render and the SSE delivery latency in the
# browser (Tests/Browser/dashboard_bench.py, release build, 20,000 seeded events), then the
# append-to-follow baseline (loopline-bench --suites latency) in the same run.
# ---------------------------------------------------------------------------------------

DASHBOARD_PORT        ?= 18081
DASHBOARD_SEED        ?= 3000
DASHBOARD_SCREENSHOTS ?= $(shell mktemp -d /tmp/loopline-screens-XXXXXX)
RELEASE_BIN            = $(shell $(SWIFT) build -c release --show-bin-path)

dashboard-check: DASHBOARD_BIN = $(BIN_DIR)
dashboard-check: DASHBOARD_COMMAND = python3 Tests/Browser/dashboard_test.py --url "$$url" --token "$$token" \
  --screenshots "$(DASHBOARD_SCREENSHOTS)"
dashboard-bench: DASHBOARD_BIN = $(RELEASE_BIN)
dashboard-bench: DASHBOARD_SEED = 20000
dashboard-bench: DASHBOARD_COMMAND = python3 Tests/Browser/dashboard_bench.py --url "$$url" --token "$$token" && \
  "$(RELEASE_BIN)/loopline-bench" --pgbench "$(PG_BIN)/pgbench" --loopline "$(RELEASE_BIN)/loopline" --schema-dir schema \
  --suites latency --output "$$dir/latency.md" && grep -i -A6 'follow' "$$dir/latency.md"

dashboard-check: build
dashboard-bench: release-tools

release-tools:
	$(SWIFT) build -c release --product loopline
	$(SWIFT) build -c release --product loopline-bench

dashboard-check dashboard-bench:
	@python3 -c 'import selenium' 2>/dev/null || { echo "selenium not found: pip install selenium" >&2; exit 1; }
	@dir=$$(mktemp -d /tmp/loopline-dashboard-XXXXXX); url=http://127.0.0.1:$(DASHBOARD_PORT); \
	cleanup() { [ -n "$$pid" ] && kill $$pid 2>/dev/null; wait $$pid 2>/dev/null; \
	  $(MAKE) --no-print-directory -s db-stop PG_DIR=$$dir PG_SOCKET=$$dir; rm -rf "$$dir"; }; \
	trap 'cleanup; exit 130' INT TERM; \
	$(MAKE) --no-print-directory db-start PG_DIR=$$dir PG_SOCKET=$$dir PG_DURABLE=off >/dev/null || { cleanup; exit 1; }; \
	export PGHOST=$$dir PGPORT=$(PG_PORT) PGUSER=$(PG_USER) PGDATABASE=postgres LOOPLINE_DATABASE_URL= LOOPLINE_LOG_LEVEL=warning; \
	"$(DASHBOARD_BIN)/loopline" migrate >/dev/null && \
	token=$$("$(DASHBOARD_BIN)/loopline" token create --name dashboard-check --scope admin | sed -n 's/.*"token":"\([^"]*\)".*/\1/p') && \
	"$(DASHBOARD_BIN)/loopline" seed --events $(DASHBOARD_SEED) --seed 1 >/dev/null && \
	{ "$(DASHBOARD_BIN)/loopline" serve --http 127.0.0.1:$(DASHBOARD_PORT) --socket none --secrets-key-file $$dir/secrets.key & pid=$$!; } && \
	for i in $$(seq 1 100); do curl -fsS $$url/ready >/dev/null 2>&1 && break; sleep 0.1; done; \
	$(DASHBOARD_COMMAND); rc=$$?; \
	cleanup; exit $$rc

# ---------------------------------------------------------------------------------------
# make openapi-check: the live server against docs/openapi.yaml, with schemathesis. The SSE
# stream never ends, so it is left out here (Tests/ServerTests/EventStreamTests.swift covers it).
# ---------------------------------------------------------------------------------------

OPENAPI_PORT     ?= 18080
OPENAPI_EXAMPLES ?= 25
SCHEMATHESIS     ?= schemathesis

openapi-check: build
	@command -v $(SCHEMATHESIS) >/dev/null || { echo "schemathesis not found: pip install schemathesis" >&2; exit 1; }
	@dir=$$(mktemp -d /tmp/loopline-openapi-XXXXXX); \
	cleanup() { [ -n "$$pid" ] && kill $$pid 2>/dev/null; wait $$pid 2>/dev/null; \
	  $(MAKE) --no-print-directory -s db-stop PG_DIR=$$dir PG_SOCKET=$$dir; rm -rf "$$dir"; }; \
	trap 'cleanup; exit 130' INT TERM; \
	$(MAKE) --no-print-directory db-start PG_DIR=$$dir PG_SOCKET=$$dir PG_DURABLE=off >/dev/null || { cleanup; exit 1; }; \
	export PGHOST=$$dir PGPORT=$(PG_PORT) PGUSER=$(PG_USER) PGDATABASE=postgres LOOPLINE_DATABASE_URL= LOOPLINE_LOG_LEVEL=warning; \
	"$(BIN_DIR)/loopline" migrate >/dev/null && \
	token=$$("$(BIN_DIR)/loopline" token create --name openapi-check --scope admin | sed -n 's/.*"token":"\([^"]*\)".*/\1/p') && \
	{ "$(BIN_DIR)/loopline" serve --http 127.0.0.1:$(OPENAPI_PORT) --socket none --secrets-key-file $$dir/secrets.key --read-wait-seconds 10 & pid=$$!; } && \
	for i in $$(seq 1 100); do curl -fsS http://127.0.0.1:$(OPENAPI_PORT)/ready >/dev/null 2>&1 && break; sleep 0.1; done; \
	$(SCHEMATHESIS) run docs/openapi.yaml --url http://127.0.0.1:$(OPENAPI_PORT) -H "Authorization: Bearer $$token" \
	  --checks all --exclude-checks positive_data_acceptance,use_after_free,ensure_resource_availability \
	  --max-examples $(OPENAPI_EXAMPLES) --seed 1 --no-shrink --exclude-operation-id streamEvents $(SCHEMATHESIS_FLAGS); rc=$$?; \
	cleanup; exit $$rc

# ---------------------------------------------------------------------------------------
# make check-faults: the history checker (Tests/Faults/check_faults.py). RUNS randomized runs
# (default 10, about 2 minutes) of 2-3 servers and two workers on a private cluster with default
# durability, under a seeded fault schedule; every request's outcome, every follower and every
# read model is checked afterwards. SEED=S repeats a run's workload and schedule (printed per run).
# ---------------------------------------------------------------------------------------

RUNS          ?= 10
SEED          ?=
FAULT_SECONDS ?= 8

check-faults: build
	@python3 Tests/Faults/test_checks.py
	@python3 Tests/Faults/check_faults.py --loopline "$(BIN_DIR)/loopline" --runs $(RUNS) $(if $(SEED),--seed $(SEED)) \
	  --seconds $(FAULT_SECONDS) $(CHECK_FLAGS)

# ---------------------------------------------------------------------------------------
# make fuzz: FUZZ_INPUTS generated hostile inputs (Tests/Faults/fuzz.py) against one server on a
# private cluster: HTTP routes, raw HTTP framing, the JSON socket, webhooks, slowloris clients.
# ---------------------------------------------------------------------------------------

FUZZ_INPUTS ?= 100000

fuzz: build
	@python3 Tests/Faults/fuzz.py --loopline "$(BIN_DIR)/loopline" --inputs $(FUZZ_INPUTS) $(if $(SEED),--seed $(SEED)) $(FUZZ_FLAGS)
