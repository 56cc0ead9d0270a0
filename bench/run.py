#!/usr/bin/python3
"""make bench: the extension against boto3 and the AWS CLI, in one run on
this machine, on a DynamoDB Local that this script starts (and always stops).

    /usr/bin/python3 bench/run.py [--reps 9] [--cli-reps 3] [--cli-bulk-reps 1]
                                  [--boto3-proc-reps 3]
                                  [--no-boto3] [--no-cli] [--no-shell]
                                  [--only FAMILY[,FAMILY...]]

Build first (`make bench` does: dynamo.so and build/cjson_floor). Prints
the machine, the versions, one table of medians with ratios, requests,
connections and capacity, the cJSON floor and the memory line; writes the
same as markdown to build/bench.md (raw numbers in build/bench.json).

Ratios are peer / extension: above 1 the extension is faster (wall) or
uses less CPU. Nothing here asserts on time: the targets of the issues are
printed as met / not met and the exit status does not depend on them.

What is timed (see also the header of the printed table):
  extension  in this process (Debian's Python, whose sqlite3 can load
             extensions): time.perf_counter() and time.process_time()
             around the statement only: execute() + fetchall(), or for the
             bulk INSERT BEGIN + executemany() + COMMIT. The virtual tables
             are created before (CREATE VIRTUAL TABLE sends DescribeTable).
  boto3      bench/peer_boto3.py, a long-lived process with boto3's Python:
             the same two clocks around the operation only. Interpreter
             start, `import boto3`, client creation and (thanks to a warm-up
             run) the loading of the service model are excluded. (a) twice:
             with the extension's ProjectionExpression (a) and without one
             (a2, whole items).
  boto3 whole processes
             bench/boto3_oneshot.py, a fresh boto3 process per repetition
             running the same scenario function once (a, a2, b, c, d =
             get_item x200, e): wall around subprocess.run, CPU = getrusage(
             RUSAGE_CHILDREN) deltas, like the CLI; compared with the shell
             in the second table. The 20x CPU and the wall targets of (a)
             are judged there (the issue's definition: user+sys of the
             client process); the in-process ratios are printed next to
             them.
  AWS CLI    whole processes: wall around subprocess.run, CPU = the
             child's user+sys (getrusage(RUSAGE_CHILDREN) deltas),
             interpreter start included: that is what a CLI call costs.
  shell      the sqlite3 shell with the extension, also as whole processes
             (a second table: the like-for-like peer of the CLI).
Each client gets one untimed warm-up run per scenario (the CLI, the shell
and the boto3 processes excepted: one boto3 process is run untimed once at
the start), then the repetitions, interleaved client by client.

The extension's requests and capacity come from its own `dynamo_stats`
(reset before and read after every timed statement, outside the timed
region); the proxy pass counts them too, and a warning is printed when the
two disagree.

The layout: this file parses the arguments, starts the server, makes the
data and the shared connection, runs the families of FAMILIES in order
and prints the report (bench/report.py). bench/common.py holds what they
share (clocks, peers, the extension, dynamo_stats, setup, the state of the
run). One file per family of workloads, bench/wl_*.py:
  wl_reads     (a) to (d2), timed         wl_floor     the cJSON floor of (a)
  wl_writes    (e), timed                 wl_memory    peak RSS over pages
  wl_counts    requests, connections and  wl_parallel  parallel Scan
               capacity via the proxy     wl_filter    (f) bytes with and without
                                                       a FilterExpression
                                          wl_wide      the wide area: a delaying
                                                       proxy, boto3 beside
                                          wl_sync      dynamo_sync: a copy of
                                                       100,000 items kept current
A family is a module with NAME and run(b, db) (b: common.Bench, db: the
shared connection, whose `tracks` table exists); optionally prepare(b, db)
(before any family runs), extras(b) and targets(b) (report lines, in
FAMILIES order), json_out(b) (entries of build/bench.json). A family of
scenarios for the tables also has KEYS, scenarios(b) (its rows),
boto3_args(b, key) (for the boto3 processes) and count_once(b, key, who,
endpoint) (its run through the proxy, for wl_counts), and EXT_OF when a
scenario shows another's extension numbers. Adding a family: a wl_*.py
file and its place in FAMILIES.

--only runs some families: the data is always made, wl_counts counts the
scenarios of the scenario families that run, the tables appear when one
runs, and a line whose numbers were not measured is left out (e.g. --only
reads,floor; --only memory,parallel).
"""

import argparse
import glob
import json
import os
import shutil
import signal
import sys

from common import (BUILD, SO, Bench, Peer, ext_connect, ext_connect_file, ext_vtab,
                    find_aws_cli, find_boto3_python, log, run_process)
import report
import wl_counts
import wl_filter
import wl_floor
import wl_memory
import wl_parallel
import wl_reads
import wl_sync
import wl_wide
import wl_writes

# The families, in the order they run and report.
FAMILIES = [wl_reads, wl_writes, wl_counts, wl_floor, wl_memory, wl_parallel, wl_filter,
            wl_wide, wl_sync]


def run(b):
    a = b.args
    os.makedirs(BUILD, exist_ok=True)
    if not os.path.exists(SO):
        raise SystemExit("bench: %s is missing: run make bench (or make) first" % SO)
    b.boto3_py = None if a.no_boto3 else find_boto3_python()
    if not b.boto3_py and not a.no_boto3:
        b.notes.append("boto3 column skipped: no Python with boto3 found "
                       "(BENCH_BOTO3_PYTHON=/path/to/python3 to point at one)")
    b.aws, b.aws_version = (None, None) if a.no_cli else find_aws_cli()
    if not b.aws and not a.no_cli:
        b.notes.append("AWS CLI column skipped: `aws` is not installed")
    b.sqlite3 = None if a.no_shell else shutil.which("sqlite3")
    if not b.sqlite3 and not a.no_shell:
        b.notes.append("sqlite3 shell column skipped: `sqlite3` is not installed")
    b.load_before = os.getloadavg()
    b.start_server()
    try:
        env = b.env()
        os.environ.clear()
        os.environ.update(env)   # the in-process extension reads it too
        b.make_data()
        if b.boto3_py:
            b.peer = Peer(b.boto3_py, env)
            b.peer.init("direct", b.url)
        db = ext_connect()
        ext_vtab(db, "tracks", "Tracks", b.url)
        for f in b.families:
            if hasattr(f, "prepare"):
                f.prepare(b, db)
        b.debug = db.execute("SELECT dynamo_debug()").fetchone()[0]
        if b.sqlite3:
            b.shell_db = os.path.join(b.state, "shell.db")
            if os.path.exists(b.shell_db):
                os.unlink(b.shell_db)
            sdb = ext_connect_file(b.shell_db)
            ext_vtab(sdb, "tracks", "Tracks", b.url)
            sdb.close()
        if b.aws:
            run_process([b.aws, "--version"], env)   # page cache
        if b.peer and a.boto3_proc_reps:
            # untimed: page cache, bench/__pycache__ for peer_boto3
            run_process(b.boto3_proc_argv("c"), env)
        for f in b.families:
            f.run(b, db)
        db.close()
    finally:
        b.load_after = os.getloadavg()
        if b.peer:
            b.peer.close()
        b.stop_server()
        for f in glob.glob(os.path.join(b.state, "cli-*.json")) + \
                glob.glob(os.path.join(b.state, "boto3-*.json")):
            os.unlink(f)
    text = report.report(b)
    print(text)
    with open(os.path.join(BUILD, "bench.md"), "w") as f:
        f.write(text + "\n")
    out = {"results": b.results, "counts": b.counts,
           "ext_stats": b.ext_stats, "boto3_proc_detail": b.proc_detail,
           "stats_warnings": b.stats_warnings}
    for f in b.families:
        if hasattr(f, "json_out"):
            out.update(f.json_out(b))
    out.update({"machine": report.machine(), "checks": b.checks, "notes": b.notes})
    with open(os.path.join(BUILD, "bench.json"), "w") as f:
        json.dump(out, f, indent=1, default=str)
    log("wrote build/bench.md and build/bench.json")
    return 0


def families(spec):
    """--only: comma-separated family names; they run in FAMILIES order."""
    names = [n.strip() for n in spec.split(",") if n.strip()]
    known = [f.NAME for f in FAMILIES]
    bad = [n for n in names if n not in known]
    if bad or not names:
        raise argparse.ArgumentTypeError("unknown family %r (known: %s)" % (
            ",".join(bad) if bad else spec, ", ".join(known)))
    return [f for f in FAMILIES if f.NAME in names]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reps", type=int, default=9, help="timed runs per scenario (default 9)")
    p.add_argument("--cli-reps", type=int, default=3,
                   help="timed runs of the AWS CLI and the sqlite3 shell (default 3)")
    p.add_argument("--cli-bulk-reps", type=int, default=1,
                   help="timed runs of the CLI's 80 batch-write-item processes (default 1)")
    p.add_argument("--boto3-proc-reps", type=int, default=3,
                   help="timed runs of boto3 as whole processes (bench/boto3_oneshot.py), "
                        "per scenario (default 3)")
    p.add_argument("--uuids", type=int, default=8)
    p.add_argument("--per-uuid", type=int, default=800)
    p.add_argument("--range-rows", type=int, default=500)
    p.add_argument("--lookups", type=int, default=200)
    p.add_argument("--bulk", type=int, default=2000)
    p.add_argument("--wide", type=int, default=12000,
                   help="~1 KB items of the memory table (default 12000)")
    p.add_argument("--wide-delay-ms", type=float, default=20,
                   help="the wide area: ms added to each request (default 20)")
    p.add_argument("--wide-reps", type=int, default=3,
                   help="timed runs of each wide-area workload (default 3)")
    p.add_argument("--sync-items", type=int, default=100000,
                   help="dynamo_sync: items of its table (default 100000)")
    p.add_argument("--sync-reps", type=int, default=3,
                   help="dynamo_sync: timed runs of each workload (default 3)")
    p.add_argument("--before-so", metavar="PATH",
                   help="the wide area: another build of the extension (e.g. main's) run "
                        "beside this one, for paired before / after figures "
                        "(default: $BENCH_BEFORE_SO)")
    p.add_argument("--no-boto3", action="store_true")
    p.add_argument("--no-cli", action="store_true")
    p.add_argument("--no-shell", action="store_true")
    p.add_argument("--only", type=families, default=FAMILIES, metavar="FAMILY[,FAMILY...]",
                   help="run only these families (%s; default all)"
                        % ", ".join(f.NAME for f in FAMILIES))
    p.add_argument("--memory-child", metavar="TABLE", help=argparse.SUPPRESS)
    p.add_argument("--endpoint", help=argparse.SUPPRESS)
    p.add_argument("--memory-segments", default="", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.memory_child:
        return wl_memory.memory_child(args.memory_child, args.endpoint, args.memory_segments)

    def on_signal(signum, frame):
        raise SystemExit(128 + signum)
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    return run(Bench(args, args.only, FAMILIES))


if __name__ == "__main__":
    sys.exit(main())
