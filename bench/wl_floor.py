"""The floor for (a)'s client CPU per item: the Scan request the extension
sends for (a) (read from DYNAMO_TRACE), its response pages captured from
the server, and build/cjson_floor timing a bare cJSON parse + walk + delete
of those bytes. For scale, SQLite's own work per row for the same aggregate
over a native in-memory table. wl_reads reports both against (a).
"""

import json
import os
import sqlite3
import struct
import subprocess
import sys
import tempfile

from common import FLOOR_BIN, ROOT, capture_scan, log, median, timed
from wl_reads import SQL

NAME = "floor"


def ext_scan_request(b, db):
    """The Scan request the extension sends for (a), from DYNAMO_TRACE
    (stderr redirected for one untimed run)."""
    fd, path = tempfile.mkstemp(prefix="bench-trace-", dir=b.state)
    saved = os.dup(2)
    os.environ["DYNAMO_TRACE"] = "1"
    try:
        sys.stderr.flush()
        os.dup2(fd, 2)
        db.execute(SQL["a"]).fetchall()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(fd)
        del os.environ["DYNAMO_TRACE"]
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    os.unlink(path)
    for line in lines:
        if line.startswith("dynamo: Scan {"):
            return json.loads(line[len("dynamo: Scan "):])
    b.notes.append("floor: no Scan in DYNAMO_TRACE output; used the documented "
                   "request shape")
    return {"TableName": "Tracks", "ProjectionExpression": "#n0, #n1, #n2",
            "ExpressionAttributeNames": {"#n0": "uuid", "#n1": "timestamp",
                                         "#n2": "speed"}}


def floor(b, db):
    if not os.path.exists(FLOOR_BIN):
        b.notes.append("cJSON floor skipped: %s is not built (make bench builds it)"
                       % os.path.relpath(FLOOR_BIN, ROOT))
        return None
    req = ext_scan_request(b, db)
    pages = capture_scan(b.url, req)
    path = os.path.join(b.state, "scan-pages.bin")
    with open(path, "wb") as f:
        for p in pages:
            f.write(struct.pack("<I", len(p)))
            f.write(p)
    out = subprocess.run([FLOOR_BIN, path, "15"], capture_output=True, text=True)
    if out.returncode != 0:
        b.notes.append("cJSON floor failed: %s" % out.stderr.strip())
        return None
    r = json.loads(out.stdout)
    r["request"] = req
    if r["items"] != b.n_tracks:
        b.checks.append("floor: parsed %d items, expected %d" % (r["items"], b.n_tracks))
    return r


def native_rows(b, reps=15):
    """For scale beside the floor: SQLite's own work per row for (a)'s
    aggregate over the same rows in a native in-memory table (CPU, median of
    reps run back to back after a warm-up)."""
    db = sqlite3.connect(":memory:")
    try:
        db.execute('CREATE TABLE tracks(uuid TEXT, "timestamp" TEXT, speed REAL)')
        db.executemany("INSERT INTO tracks VALUES (?, ?, ?)",
                       [(i["uuid"], i["timestamp"], i["speed"]) for i in b.tracks])
        db.execute(SQL["a"]).fetchall()
        cpu = [timed(lambda: db.execute(SQL["a"]).fetchall())[1] for _ in range(reps)]
    finally:
        db.close()
    return {"reps": reps, "rows": b.n_tracks, "cpu_median_s": median(cpu)}


def run(b, db):
    log("cJSON floor")
    b.floor_result = floor(b, db)
    b.native_result = native_rows(b)


def json_out(b):
    return {"floor": b.floor_result, "native_rows": b.native_result}
