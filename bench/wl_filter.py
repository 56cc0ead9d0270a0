"""(f) A 5%-selective Scan over Tracks, `model = 'Pixel 3' AND speed > 32` (a
quarter of the devices, a fifth of their speeds), with the conditions sent
as a FilterExpression and with filter=0 (every item crosses the network,
SQLite checks it): bytes received and items returned / scanned from
dynamo_stats, wall and client CPU; the answers must be the same. Reported
here: the Filter line and its target (issue 17: at least 20x fewer bytes).
"""

from common import COLDEFS, ext_stats, ext_stats_reset, ext_vtab, log, median, timed

NAME = "filter"
SQL = "SELECT count(*), round(avg(speed), 6) FROM %s WHERE model = ? AND speed > ?"
ARGS = ("Pixel 3", 32)


def run(b, db, reps=5):
    log("filter")
    want = sum(1 for i in b.tracks if i["model"] == "Pixel 3" and i["speed"] > 32)
    out = {"selectivity": want / b.n_tracks, "sql": SQL % "tracks", "want": want, "reps": reps}
    for key, opt in (("before", ", filter=0"), ("after", "")):
        name = "tracks_filter_" + key
        ext_vtab(db, name, "Tracks", b.url, COLDEFS + opt)
        db.execute(SQL % name, ARGS).fetchall()   # untimed warm-up
        walls, cpus, answers, runs = [], [], set(), []
        for _ in range(reps):
            ext_stats_reset(db)
            w, c, rows = timed(lambda: db.execute(SQL % name, ARGS).fetchall())
            walls.append(w)
            cpus.append(c)
            answers.add(tuple(rows[0]))
            runs.append(ext_stats(db))
        db.execute("DROP TABLE %s" % name)
        out[key] = {"wall": walls, "cpu": cpus, "answers": sorted(answers),
                    "bytes": median([r["bytes"] for r in runs]),
                    "items": median([r["items"] for r in runs]),
                    "scanned": median([r["scanned"] for r in runs]),
                    "requests": median([sum(r["ops"].values()) for r in runs])}
    bf, af = out["before"], out["after"]
    if len(bf["answers"]) != 1 or bf["answers"] != af["answers"] or bf["answers"][0][0] != want:
        b.checks.append("filter: answers differ: before %r, after %r, expected count %d"
                        % (bf["answers"], af["answers"], want))
    b.filt = out


def json_out(b):
    return {"filter": b.filt}


def ratio_bytes(out):
    return out["before"]["bytes"] / out["after"]["bytes"] if out["after"]["bytes"] else 0


def extras(b):
    out = b.filt
    if not out:
        return []
    bf, af = out["before"], out["after"]
    return ["**Filter** (f) `%s` over the %d Tracks items (%.1f%% match), medians of %d: "
            "filter=0 (every item read back, SQLite checks it) %.1f KB received in %d Scan "
            "requests, %d items returned of %d scanned, %.1f ms wall, %.2f ms CPU; with the "
            "FilterExpression %.1f KB, %d items returned of %d scanned (DynamoDB still reads, and "
            "bills, every item), %.1f ms wall, %.2f ms CPU: **%.1fx fewer bytes**, the same "
            "answer %r."
            % (out["sql"], b.n_tracks, 100 * out["selectivity"], out["reps"], bf["bytes"] / 1e3,
               bf["requests"], bf["items"], bf["scanned"], median(bf["wall"]) * 1e3,
               median(bf["cpu"]) * 1e3, af["bytes"] / 1e3, af["items"], af["scanned"],
               median(af["wall"]) * 1e3, median(af["cpu"]) * 1e3, ratio_bytes(out),
               af["answers"][0] if af["answers"] else None), ""]


def targets(b):
    out = b.filt
    if not out:
        return []
    r = ratio_bytes(out)
    return ["(f) a 5%%-selective Scan receives >= 20x fewer bytes with the filter than without "
            "(issue 17): %.1fx, %s; the same answer: %s"
            % (r, "met" if r >= 20 else "**NOT met**",
               "yes" if out["before"]["answers"] == out["after"]["answers"] else "**NO**")]
