"""Parallel Scan: the Wide table (12 pages) read by the extension with
segments=1, 2, 4 and the default, medians of 5 after an untimed warm-up;
every answer must be the same. Reported here: the Parallel Scan line.
"""

import os

from common import ext_stats, ext_stats_reset, ext_vtab, log, median, timed

NAME = "parallel"


def segments(b, db, reps=5):
    """Parallel Scan: the Wide table (12 pages) read with segments=1, 2, 4 and
    the default; every answer must be the same."""
    out = []
    sql = "SELECT count(*), sum(length(pad)) FROM %s"
    for n in (1, 2, 4, None):
        name = "wide_seg%s" % (n or "default")
        ext_vtab(db, name, "Wide", b.url,
                 "uuid TEXT, timestamp TEXT, pad S"
                 + ("" if n is None else ", segments=%d" % n))
        db.execute(sql % name).fetchall()   # untimed warm-up
        walls, cpus, answers = [], [], set()
        for _ in range(reps):
            ext_stats_reset(db)
            w, c, rows = timed(lambda: db.execute(sql % name).fetchall())
            walls.append(w)
            cpus.append(c)
            answers.add(tuple(rows[0]))
        st = ext_stats(db)
        if len(answers) != 1 or (out and answers != out[0]["answers"]):
            b.checks.append("segments=%s: answers differ: %r" % (n, answers))
        out.append({"segments": n, "wall": walls, "cpu": cpus, "answers": answers,
                    "scans": st["ops"].get("Scan", 0)})
        db.execute("DROP TABLE %s" % name)
    return out


def run(b, db):
    log("parallel scan")
    b.seg = segments(b, db)


def json_out(b):
    return {"segments": [dict(r, answers=sorted(r["answers"])) for r in b.seg or []]}


def extras(b):
    seg = b.seg
    if not seg:
        return []
    base = median(seg[0]["wall"])
    parts = ["%s %.0f ms wall (%.2fx), %.1f ms CPU, %d Scan requests" % (
        "default (one segment per MB of TableSizeBytes)" if r["segments"] is None
        else "segments=%d" % r["segments"],
        median(r["wall"]) * 1e3, base / median(r["wall"]), median(r["cpu"]) * 1e3,
        r["scans"]) for r in seg]
    w = b.mem["Wide"] if b.mem else None
    return ["**Parallel Scan** of the %s table (`count(*), sum(length(pad))`, "
            "medians of %d, speed-up against segments=1 in brackets): %s. "
            "Every run gave the same answer%s. DynamoDB Local shares this "
            "machine's %d CPUs with the client, so the gain here is bounded by "
            "the server's own CPU." % (
                "%d-page Wide" % w["pages"] if w else "Wide", len(seg[0]["wall"]),
                "; ".join(parts),
                "" if not any("segments=" in c for c in b.checks)
                else " (**NOT**: see the checks)", os.cpu_count())]
