"""A copy kept current (dynamo_sync): a Tracks-like table of SYNC_ITEMS
(default 100,000) items, its stream enabled once it is loaded (a stream holds
only what was written since, as on a live table).

  first       the first dynamo_sync (a Scan into an ordinary table, then the
              stream) against a plain CREATE TABLE ... AS SELECT * from the
              virtual table: time and requests (dynamo_stats), a new file
              database each time
  changes     a sync of 1,000 changes (500 puts of new items, 300 updates,
              200 deletes) made just before: time and requests
  report      the README's report, `uuid, count(*), avg(speed), max(speed)
              GROUP BY uuid`, over the copy and over the virtual table, the
              latter with DynamoDB Local 0 and 20 ms away (tests/delayproxy.py)
Medians of --sync-reps (3); each answer compared: the copy's report must be
the virtual table's, the copy must hold as many rows as the table items.
"""

import json
import os
import random
import sqlite3
import sys
import time

import ddbclient
from common import (HERE, REGION, SO, ext_stats, ext_stats_reset, load, log, median, timed,
                    track_items)

sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))
from delayproxy import DelayProxy  # noqa: E402

NAME = "sync"
TABLE = "SyncTracks"
COLS = "uuid TEXT, timestamp TEXT, latitude N, longitude N, accuracy N, heading N, speed N, " \
       "altitude N, model S, platform S, PRIMARY KEY (uuid, timestamp)"
REPORT = "SELECT uuid, count(*), avg(speed), max(speed) FROM %s GROUP BY uuid ORDER BY uuid"


def connect(path, endpoint):
    db = sqlite3.connect(path, isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(SO)
    db.execute("SELECT dynamo_config('trust', 1)")  # the bench's own files
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS tracks USING dynamo(table=%s, "
               "endpoint='%s', region=%s, %s)" % (TABLE, endpoint, REGION, COLS))
    return db


def requests(db):
    st = ext_stats(db)
    return dict(sorted(st["ops"].items())), sum(st["ops"].values())


def fresh(b, name):
    path = os.path.join(b.state, name)
    for suffix in ("", "-journal", "-wal"):
        if os.path.exists(path + suffix):
            os.unlink(path + suffix)
    return path


def changes(client, rnd, items, n_put=500, n_update=300, n_delete=200):
    """1,000 writes: new items, updates of existing ones, deletes."""
    fresh_items = track_items(5, n_put // 5, seed=rnd.randrange(1 << 30))
    for it in fresh_items:
        client.put_item(TABLE, ddbclient.marshal_item(it))
    for it in rnd.sample(items, n_update):
        client.call("UpdateItem", {"TableName": TABLE, "Key": {
            "uuid": {"S": it["uuid"]}, "timestamp": {"S": it["timestamp"]}},
            "UpdateExpression": "SET speed = :s", "ExpressionAttributeValues": {
                ":s": {"N": "%.2f" % rnd.uniform(0, 40)}}})
    for it in rnd.sample(items, n_delete):
        client.delete_item(TABLE, {"uuid": {"S": it["uuid"]}, "timestamp": {"S": it["timestamp"]}})
        items.remove(it)
    return n_put + n_update + n_delete


def run(b, db):
    a = b.args
    reps = a.sync_reps
    n = a.sync_items
    log("sync: loading %d items into %s" % (n, TABLE))
    items = track_items(100, max(1, n // 100), seed=9)
    b.create_table(TABLE)
    t0 = time.monotonic()
    load(b.url, TABLE, items, threads=4)
    client = b.client()
    client.call("UpdateTable", {"TableName": TABLE, "StreamSpecification": {
        "StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}})
    n = b.count_items(TABLE)
    log("sync: %d items in %.1f s; stream enabled" % (n, time.monotonic() - t0))
    out = {"items": n, "first": [], "ctas": [], "changes": [], "report": {}}

    # the first sync, against CREATE TABLE ... AS SELECT
    for i in range(reps):
        for kind in ("ctas", "first"):
            d = connect(fresh(b, "sync-%s.db" % kind), b.url)
            d.execute("SELECT count(*) FROM tracks WHERE uuid = 'none'").fetchall()  # warm
            ext_stats_reset(d)
            if kind == "first":
                w, c, r = timed(lambda: d.execute(
                    "SELECT dynamo_sync('tracks', 'tracks_copy')").fetchone()[0])
                rows = d.execute("SELECT count(*) FROM tracks_copy").fetchone()[0]
                r = json.loads(r)
            else:
                w, c, r = timed(lambda: d.execute(
                    "CREATE TABLE plain AS SELECT * FROM tracks").fetchall())
                rows = d.execute("SELECT count(*) FROM plain").fetchone()[0]
            ops, total = requests(d)
            if rows != n:
                b.checks.append("sync: %s made %d rows of %d items" % (kind, rows, n))
            out[kind].append({"wall": w, "cpu": c, "ops": ops, "requests": total})
            d.close()

    # a sync of 1,000 changes, on the copy the last first sync made
    path = os.path.join(b.state, "sync-first.db")
    d = connect(path, b.url)
    rnd = random.Random(11)
    for i in range(reps):
        k = changes(client, rnd, items)
        ext_stats_reset(d)
        w, c, r = timed(lambda: d.execute(
            "SELECT dynamo_sync('tracks', 'tracks_copy')").fetchone()[0])
        r = json.loads(r)
        ops, total = requests(d)
        out["changes"].append({"wall": w, "cpu": c, "ops": ops, "requests": total,
                               "writes": k, "applied": r["put"] + r["removed"]})
    ext_stats_reset(d)
    w, c, r = timed(lambda: d.execute("SELECT dynamo_sync('tracks', 'tracks_copy')").fetchone()[0])
    out["nothing"] = {"wall": w, "ops": requests(d)[0], "requests": requests(d)[1]}
    rows = d.execute("SELECT count(*) FROM tracks_copy").fetchone()[0]
    if rows != b.count_items(TABLE):
        b.checks.append("sync: the copy holds %d rows, the table %d items"
                        % (rows, b.count_items(TABLE)))

    # the report over the copy and over the virtual table, 0 and 20 ms away
    want = d.execute(REPORT % "tracks_copy").fetchall()
    for where in ("copy", "table 0 ms", "table %g ms" % a.wide_delay_ms):
        walls, answers = [], set()
        proxy = None
        if where.startswith("table") and not where.endswith(" 0 ms"):
            proxy = DelayProxy(b.url, delay_ms=a.wide_delay_ms).__enter__()
            d2 = connect(":memory:", proxy.url)
        elif where.startswith("table"):
            d2 = connect(":memory:", b.url)
        else:
            d2 = d
        src = "tracks_copy" if where == "copy" else "tracks"
        d2.execute(REPORT % src).fetchall()  # warm
        ext_stats_reset(d2)
        for _ in range(reps):
            w, c, rows = timed(lambda: d2.execute(REPORT % src).fetchall())
            walls.append(w)
            answers.add(json.dumps(rows))
        ops, total = requests(d2)
        if answers != {json.dumps(want)}:
            b.checks.append("sync: the report over %s differs from the copy's" % where)
        out["report"][where] = {"wall": walls, "requests": total // reps,
                                "ops": {k: v // reps for k, v in ops.items()}}
        if d2 is not d:
            d2.close()
        if proxy:
            proxy.__exit__(None, None, None)
    d.close()
    client.close()
    b.sync = out


def json_out(b):
    return {"sync": getattr(b, "sync", None)}


def _ms(x):
    return "%.0f ms" % (x * 1e3) if x < 10 else "%.1f s" % x


def _ops(ops):
    return ", ".join("%d %s" % (v, k) for k, v in ops.items())


def extras(b):
    s = getattr(b, "sync", None)
    if not s:
        return []
    first, ctas, ch = s["first"], s["ctas"], s["changes"]
    rep = s["report"]
    w = lambda rs: median([r["wall"] for r in rs])  # noqa: E731
    lines = [
        "**A copy kept current** (`dynamo_sync`, %d Tracks items, medians of %d):" % (
            s["items"], len(first)),
        "",
        "| workload | time | requests |",
        "|---|--:|---|",
        "| first sync (a Scan into a table, then the stream) | %s | %s |" % (
            _ms(w(first)), _ops(first[-1]["ops"])),
        "| `CREATE TABLE plain AS SELECT * FROM tracks` | %s | %s |" % (
            _ms(w(ctas)), _ops(ctas[-1]["ops"])),
        "| a sync of %d changes (%d records applied) | %s | %s |" % (
            ch[-1]["writes"], ch[-1]["applied"], _ms(w(ch)), _ops(ch[-1]["ops"])),
        "| a sync with nothing new | %s | %s |" % (
            _ms(s["nothing"]["wall"]), _ops(s["nothing"]["ops"])),
    ]
    for where, r in rep.items():
        lines.append("| the report over the %s | %s | %s |" % (
            where, _ms(median(r["wall"])), _ops(r.get("ops", {})) or "none"))
    return lines
