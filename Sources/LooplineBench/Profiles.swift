/// What the profiles taken by hand found: why each figure of the run is what it is. `make bench`
/// does not re-measure these (perf needs root and minutes per figure); each says how it was taken,
/// so it can be taken again after a change that moves the figure.
enum Profiles {
    static let markdown = """

        ## Where the time goes

        Profiles taken by hand on this machine (2 cores, 2026-12-04), release build, a cluster with default
        durability. Not re-measured by `make bench`; each names how it was taken.

        **HTTP latency: the tail was the kernel's scheduler, not Loopline.** Every PostgreSQL backend calls
        `setsid`, so with Linux's autogroup scheduling on (`kernel.sched_autogroup_enabled=1`) each backend is a
        scheduling group of its own, weighted like a whole login session. With `loopline serve`, PostgreSQL and
        wrk saturating both cores, backends waited for a core: `perf sched latency` gave postgres a maximum
        scheduling delay of 230 ms, while a Python probe sleeping 1 ms in a loop never overslept by more than
        4 ms. Standalone `loopline serve --no-workers`, `wrk -t2 -c16` posting `integrate-commit`, 5 runs each at
        about 7,000 commands/s: autogroup on, p99 56–154 ms and p99.9 110–264 ms; autogroup off, p99 4.5–6.4 ms
        and p99.9 20–28 ms, the same throughput. `/metrics` and requests refused at authentication (no database
        in their path) had no tail either way. So `make bench` turns autogroup off while it runs and restores it
        (`BENCH_AUTOGROUP=keep` leaves it); docs/operations.md says what this means for a shared host.

        **HTTP throughput: the server is CPU-bound.** `perf record -a -g` during the same load, autogroup off:
        `loopline serve` used 49 % of the machine (Swift's cooperative threads 36 %, NIO's event loops 12.7 %),
        about 140 µs of CPU per command; PostgreSQL 32 %, wrk the rest. Flat profile of the server: NIO and the
        kernel's TCP 12 %, `CommandHandler.execute` 6.5 % (of which encoding the event through `JSONEncoder`
        3.6 %, decoding the command 3 %, deciding 2 %), the append writer 3.4 %, and retain/release and malloc
        spread through everything. At 0.6× raw the server would have to spend at most about 60 µs per command on
        these two cores shared with PostgreSQL and wrk.

        **One writer: two statements where raw has one.** Per append: one round trip carrying the stream's
        advisory lock and the insert (a CTE that also takes the log position), pipelined in one implicit
        transaction, and at most one `NOTIFY` per 5 ms on another connection; raw pgbench runs one prepared
        `INSERT`. The rest of the gap is the hand-off from the caller's task to the writer thread and back.
        Tried: lone appends without the advisory lock, retrying on the unique violation. Within noise (5 s runs:
        3,101 / 3,137 / 3,366 / 3,365 / 3,040 / 2,971 events/s without, 2,950 / 3,124 / 3,183 with), and a
        lone append racing a locked one can lose twice; not kept.

        **Replay: CPU-bound on both cores.** `loopline replay --all` over the 1,000,000 seeded events: 10.5 s
        wall, 7.4 s user + 0.5 s sys in the replay process, the machine 92 % busy (PostgreSQL the rest).
        `perf record -g` of the replay process: decoding events 39 %, formatting rows and COPY into the shadows
        (`ShadowSchemas.write`) 21 %, reading pages 15 %, folding the rest; PostgreSQL was 57 % of the machine's
        samples. Per projection, each replayed alone (`loopline replay --projection P`, same database, one run):

        | projection | alone (s) | alone (events/s) | its share of `--all` (alone − 3.5 s of reading and decoding) |
        |---|---:|---:|---:|
        | planning | 4.41 | 226,600 | 0.9 s |
        | integration | 5.78 | 173,000 | 2.3 s |
        | testing | 4.66 | 214,700 | 1.2 s |
        | delivery | 6.30 | 158,700 | 2.8 s |
        | monitoring | 4.06 | 246,400 | 0.6 s |
        | feedback | 3.74 | 271,500 | 0.2 s |
        | improvement | 3.82 | 261,900 | 0.3 s |
        | all seven | 11.54 | 86,700 | — |

        Reading and decoding the log once is cheap (feedback alone runs at 0.77× raw COPY); what costs is the
        writing, led by delivery and integration, whose outcome events update rows created earlier in the same
        page. The next lever is the one the issue names: fold each page per projection in memory and write only
        final row states (one COPY row per entity instead of a COPY and then `UPDATE` waves).

        **Seeding.** `loopline seed --events 100000` under `perf record -g`: no hot spot; retain/release and
        malloc lead (6 %, 4 %, 3 %), then string building, hashing and the idempotency outcomes' text arrays. The
        seed process used 0.7 of a core and PostgreSQL the rest; batch size barely matters (250: 5,902, 1,000:
        6,050 events/s), so batches' barriers are not the limit: both sides' CPU per command is.

        """
}
