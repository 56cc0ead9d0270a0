"""The wide area: the extension and boto3 against the same DynamoDB Local
put DELAY ms away by a delaying proxy (tests/delayproxy.py), as a user's
laptop is from its region: every request, and every new connection, costs
that much more. Same data (Tracks-like, 6,000 items in 60 partitions, 1.4
MB: two Scan pages), same run, ratios boto3 / extension (above 1: the
extension is faster), and the requests each side sent (the extension's
from dynamo_stats, boto3's from its before-send event, bench/wide_boto3.py).

With --before-so PATH (or BENCH_BEFORE_SO), a second build of the extension
(e.g. main's, built in a scratch directory) runs every workload in the same
run, taking turns with this one and boto3: paired before / after figures.

  aggregate   full-table aggregate: a Scan; boto3's scan paginator
  in20        20 partitions by uuid IN (...); boto3: a loop of Queries
  count20     count(*) of those 20 partitions (Select=COUNT: the bytes
              received count); boto3: a loop of Queries with Select=COUNT
  join200     200 full keys from a local table, joined; boto3:
              batch_get_item, 100 keys a call
  keys200     the same 200 keys as _key IN (SELECT dynamo_key(...)): the
              batched lookup; boto3 as above
  join10big   the issue's join: customers (a local table, never ANALYZEd)
              JOIN the same table presented as 50 GB (DescribeTable
              rewritten by tests/faultproxy.py in front of the delay) ON its
              partition key, WHERE country = 'US' (10 rows) GROUP BY name:
              must send no Scan; boto3: a loop of 10 Queries
  write1000   1,000 rows INSERT OR REPLACE in one transaction; boto3's
              batch_writer
  update100   UPDATE of the 100 rows of one partition; boto3: a Query for
              the keys, then update_item for each
Medians of --wide-reps after an untimed warm-up, the clients taking turns.
Targets (issues 16 and 23, at 20 ms): every workload at least 1.0x boto3,
in20 at least 5x, count20 under 5 KB received, join10big no Scan.
"""

import json
import os
import random
import sqlite3
import subprocess
import sys
import time

from common import (COLDEFS, HERE, REGION, SO, load, log, median, track_items)

sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))
from delayproxy import DelayProxy  # noqa: E402
from faultproxy import FaultProxy  # noqa: E402

NAME = "wide"
TABLE, SCRATCH = "WideTracks", "WideScratch"
TARGETS = {"aggregate": 1.0, "in20": 5.0, "join200": 1.0, "keys200": 1.0, "write1000": 1.0,
           "update100": 1.0}
COUNT_BYTES = 5000      # count20: at most this much received
BIG = 50 << 30          # join10big: the size the table is presented as
ORDER = ["aggregate", "in20", "count20", "join200", "keys200", "join10big", "write1000",
         "update100"]


class WidePeer:
    """bench/wide_boto3.py in boto3's Python, one scenario a line."""

    def __init__(self, python, endpoint):
        self.p = subprocess.Popen([python, os.path.join(HERE, "wide_boto3.py"), endpoint, REGION],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        json.loads(self.p.stdout.readline())

    def run(self, scenario, *args):
        self.p.stdin.write(json.dumps({"scenario": scenario, "args": list(args)}) + "\n")
        self.p.stdin.flush()
        return json.loads(self.p.stdout.readline())

    def close(self):
        self.p.stdin.close()
        self.p.wait(30)


def same(ext, peer):
    """The two answers agree: counts exactly, sums to the last digit."""
    if not isinstance(ext, list) or len(ext) != len(peer):
        return False
    for e, p in zip(ext, peer):
        if str(e) != str(p) and abs(float(e) - float(p)) > 1e-9 * max(1.0, abs(float(p))):
            return False
    return True


def connect(so, proxy, big, pairs, uuids10):
    """A connection of its own with the build so: the tables go through the
    proxies (w, s: the delay; b: the size rewrite, then the delay)."""
    x = sqlite3.connect(":memory:", isolation_level=None)
    x.enable_load_extension(True)
    x.load_extension(so)
    x.enable_load_extension(False)
    for name, table, url in (("w", TABLE, proxy.url), ("s", SCRATCH, proxy.url),
                             ("b", TABLE, big.url)):
        x.execute("CREATE VIRTUAL TABLE %s USING dynamo(table=%s, endpoint='%s', region=%s, "
                  "%s)" % (name, table, url, REGION, COLDEFS))
    x.execute("CREATE TEMP TABLE k(uuid TEXT, ts TEXT)")
    x.executemany("INSERT INTO k VALUES (?, ?)", pairs)
    x.execute("CREATE TEMP TABLE customers(id TEXT, name TEXT, country TEXT)")
    x.executemany("INSERT INTO customers VALUES (?, ?, ?)",
                  [(u, "name %d" % i, "US") for i, u in enumerate(uuids10)] +
                  [("x%d" % i, "other %d" % i, "FR") for i in range(10)])
    return x


def workloads(x, in20, rows, upd):
    marks = ",".join("?" * len(in20))

    def write1000():
        x.execute("BEGIN")
        x.executemany("INSERT OR REPLACE INTO s(uuid, timestamp, speed, model) "
                      "VALUES (?, ?, ?, ?)",
                      [(r["uuid"], r["timestamp"], r["speed"], r["model"]) for r in rows])
        x.execute("COMMIT")
        return [len(rows)]

    return {
        "aggregate": lambda: list(x.execute("SELECT count(*), sum(speed) FROM w").fetchone()),
        "in20": lambda: list(x.execute("SELECT count(*), sum(speed) FROM w WHERE uuid IN (%s)"
                                       % marks, in20).fetchone()),
        "count20": lambda: list(x.execute("SELECT count(*) FROM w WHERE uuid IN (%s)" % marks,
                                          in20).fetchone()),
        "join200": lambda: list(x.execute(
            "SELECT count(*), sum(w.speed) FROM k JOIN w ON w.uuid = k.uuid "
            "AND w.timestamp = k.ts").fetchone()),
        "keys200": lambda: list(x.execute(
            "SELECT count(*), sum(speed) FROM w WHERE _key IN "
            "(SELECT dynamo_key('w', uuid, ts) FROM k)").fetchone()),
        "join10big": lambda: list(x.execute(JOIN10BIG).fetchone()),
        "write1000": write1000,
        "update100": lambda: [x.execute("UPDATE w SET speed = speed + 1 WHERE uuid = ?",
                                        (upd,)).rowcount],
    }


def run(b, db):
    a = b.args
    log("wide area: %g ms a request" % a.wide_delay_ms)
    items = track_items(60, 100, seed=7)
    b.create_table(TABLE)
    b.create_table(SCRATCH)
    load(b.url, TABLE, items)
    uuids = sorted({it["uuid"] for it in items})
    rnd = random.Random(3)
    in20 = rnd.sample(uuids, 20)
    uuids10 = rnd.sample(uuids, 10)
    pairs = [(it["uuid"], it["timestamp"]) for it in rnd.sample(items, 200)]
    upd = uuids[0]
    rows = [{"uuid": "w%d" % (i % 10), "timestamp": "%06d" % i, "speed": i % 40,
             "model": "Pixel 3"} for i in range(1000)]
    builds = [("ext", SO)]
    before = a.before_so or os.environ.get("BENCH_BEFORE_SO")
    if before:
        builds.append(("before", before))
    out = {"delay_ms": a.wide_delay_ms, "items": len(items), "rows": {},
           "builds": [n for n, so in builds], "before_so": before}
    with DelayProxy(b.url, a.wide_delay_ms) as proxy, \
            FaultProxy(proxy.url, rate=0) as big:
        big.present_size(TABLE, BIG, 50000000)
        conns = {n: connect(so, proxy, big, pairs, uuids10) for n, so in builds}
        run_of = {n: workloads(x, in20, rows, upd) for n, x in conns.items()}
        peer_args = {
            "aggregate": ("aggregate", TABLE), "in20": ("partitions", TABLE, in20),
            "count20": ("count", TABLE, in20),
            "join200": ("keys", TABLE, pairs), "keys200": ("keys", TABLE, pairs),
            "join10big": ("partitions", TABLE, uuids10),
            "write1000": ("write", SCRATCH, rows), "update100": ("update", TABLE, upd),
        }
        peer = WidePeer(b.boto3_py, proxy.url) if b.boto3_py else None
        try:
            for key in ORDER:
                r = {"boto3": []}
                for n in conns:
                    r[n] = []
                for rep in range(a.wide_reps + 1):   # the first is a warm-up
                    for n, x in conns.items():
                        x.execute("DELETE FROM dynamo_stats")
                        t0 = time.perf_counter()
                        answer = run_of[n][key]()
                        wall = time.perf_counter() - t0
                        # every request counts here, DescribeTable too
                        r[n + "_ops"] = dict(x.execute(
                            "SELECT operation, sum(requests) FROM dynamo_stats GROUP BY 1"
                        ).fetchall())
                        r[n + "_bytes"] = x.execute(
                            "SELECT coalesce(sum(bytes), 0) FROM dynamo_stats "
                            "WHERE operation <> 'DescribeTable'").fetchone()[0]
                        r[n + "_answer"] = answer
                        if rep:
                            r[n].append(wall)
                    if peer:
                        p = peer.run(*peer_args[key])
                        r["boto3_requests"], r["boto3_answer"] = p["requests"], p["result"]
                        if rep:
                            r["boto3"].append(p["wall"])
                for n in conns:
                    if peer and key != "update100" and not same(r[n + "_answer"],
                                                                 r["boto3_answer"]):
                        b.checks.append("wide %s (%s): answers differ: %s, boto3 %s"
                                        % (key, n, r[n + "_answer"], r["boto3_answer"]))
                r["ext_plan"] = [row[3] for row in conns["ext"].execute(
                    "EXPLAIN QUERY PLAN " + PLAN_SQL.get(key, "SELECT 1"),
                    in20 if key in ("in20", "count20") else ()).fetchall()] \
                    if key in PLAN_SQL else []
                out["rows"][key] = r
        finally:
            if peer:
                peer.close()
            for x in conns.values():
                x.close()
        out["proxy"] = proxy.stats()
    b.wide = out


JOIN10BIG = ("SELECT sum(n), sum(s) FROM (SELECT c.name, count(*) AS n, sum(b.speed) AS s "
             "FROM customers c JOIN b ON b.uuid = c.id WHERE c.country = 'US' GROUP BY c.name)")

PLAN_SQL = {
    "join200": "SELECT count(*), sum(w.speed) FROM k JOIN w ON w.uuid = k.uuid "
               "AND w.timestamp = k.ts",
    "join10big": JOIN10BIG,
    "count20": "SELECT count(*) FROM w WHERE uuid IN (%s)" % ",".join("?" * 20),
}


def json_out(b):
    return {"wide": b.wide}


def ratio_of(r, n="ext"):
    return median(r["boto3"]) / median(r[n]) if r["boto3"] and r.get(n) else None


def ops_text(ops):
    return ", ".join("%d %s" % (n, op) for op, n in sorted(ops.items())) or "0"


def kb_text(n):
    return "%.1f KB" % (n / 1024.0)


def extras(b):
    w = b.wide
    if not w:
        return []
    builds = w["builds"]
    lines = ["**Wide area**: %g ms added to every request and every new connection "
             "(tests/delayproxy.py), %d items, medians of %d; ratio = boto3 / extension wall%s." %
             (w["delay_ms"], w["items"], len(w["rows"][ORDER[0]]["ext"]),
              "; before = %s, in the same run" % w["before_so"] if "before" in builds else ""),
             ""]
    head = "| workload |"
    rule = "|---|"
    for n in builds:
        head += " %s | requests | received |" % ("extension" if n == "ext" else n)
        rule += "--:|--|--:|"
    head += " boto3 | requests | boto3 / ext |"
    rule += "--:|--|--:|"
    if "before" in builds:
        head += " boto3 / before | before / ext |"
        rule += "--:|--:|"
    lines += [head, rule]
    for key in ORDER:
        r = w["rows"][key]
        cells = [key]
        for n in builds:
            cells += ["%.3f s" % median(r[n]), ops_text(r[n + "_ops"]), kb_text(r[n + "_bytes"])]
        ratio = ratio_of(r)
        cells += ["%.3f s" % median(r["boto3"]) if r["boto3"] else "-",
                  str(r.get("boto3_requests", "-")), "%.2fx" % ratio if ratio else "-"]
        if "before" in builds:
            rb = ratio_of(r, "before")
            cells += ["%.2fx" % rb if rb else "-",
                      "%.2fx" % (median(r["before"]) / median(r["ext"]))]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for key in ("join200", "join10big", "count20"):
        if w["rows"][key].get("ext_plan"):
            lines.append("- %s plan: %s" % (key, " / ".join(w["rows"][key]["ext_plan"])))
    lines.append("")
    return lines


def targets(b):
    w = b.wide
    if not w or not w["rows"][ORDER[0]]["boto3"]:
        return []
    out = []
    for key in ORDER:
        if key not in TARGETS:
            continue
        ratio = ratio_of(w["rows"][key])
        out.append("wide area %s: at least %.1fx boto3: %.2fx, %s" % (
            key, TARGETS[key], ratio, "met" if ratio >= TARGETS[key] else "**NOT met**"))
    got = w["rows"]["count20"]["ext_bytes"]
    out.append("wide area count20: under %d bytes received: %d, %s" % (
        COUNT_BYTES, got, "met" if got < COUNT_BYTES else "**NOT met**"))
    ops = w["rows"]["join10big"]["ext_ops"]
    out.append("wide area join10big (presented as 50 GB): no Scan: %s, %s" % (
        ops_text({k: v for k, v in ops.items() if k != "DescribeTable"}),
        "met" if "Scan" not in ops else "**NOT met**"))
    return out
