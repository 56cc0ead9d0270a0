"""Memory: the peak RSS growth of a fresh process (bench/run.py
--memory-child, which calls memory_child() here) scanning every item of
the one-page WideSmall table and of the 12-page Wide table, three times,
as one chain of pages (segments=1); and the Wide table again with the
default segments, each of which holds a page of its own. Reported here:
the memory line and its target (flat over pages).
"""

import json
import os
import resource
import subprocess
import sys

from common import HERE, capture_scan, ext_connect, ext_vtab, log, verdict

NAME = "memory"


def memory(b):
    out = {}
    for key, table, segments in (("WideSmall", "WideSmall", "1"), ("Wide", "Wide", "1"),
                                 ("WideDefault", "Wide", "")):
        p = subprocess.run([sys.executable, os.path.join(HERE, "run.py"), "--memory-child",
                            table, "--endpoint", b.url, "--memory-segments", segments],
                           capture_output=True, text=True, env=b.env())
        if p.returncode != 0:
            b.notes.append("memory run on %s failed: %s" % (table, p.stderr.strip()[-400:]))
            return None
        out[key] = json.loads(p.stdout)
        pages = capture_scan(b.url, {"TableName": table})
        out[key]["pages"] = len(pages)
        out[key]["bytes"] = sum(len(x) for x in pages)
    return out


def run(b, db):
    log("memory")
    b.mem = memory(b)


def json_out(b):
    return {"memory": b.mem}


# -- the child ----------------------------------------------------------------------

def proc_status():
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out


def memory_child(table, endpoint, segments=""):
    """In a fresh process: the peak RSS while scanning every item, against
    the RSS just before. The peak (VmHWM) is reset first by writing 5 to
    /proc/self/clear_refs, so the interpreter's own start-up peak does not
    hide the scan's; where that is refused, ru_maxrss before/after.
    segments: the option's value, "" for the default."""
    db = ext_connect()
    ext_vtab(db, "wide", table, endpoint, "uuid TEXT, timestamp TEXT, pad S"
             + (", segments=%s" % segments if segments else ""))
    # One request first: libcurl, OpenSSL and the handle are set up.
    db.execute("SELECT count(*) FROM wide WHERE uuid = 'w000' AND timestamp = '00000000'"
               ).fetchall()
    before = proc_status()["VmRSS"]
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        method = "VmHWM"
    except OSError:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        method = "ru_maxrss"
    peaks = []
    for _ in range(3):   # the same scan again: a leak would show as a rise
        n, total = db.execute("SELECT count(*), sum(length(pad)) FROM wide").fetchone()
        st = proc_status()
        peaks.append(st["VmHWM"] if method == "VmHWM" else
                     resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    print(json.dumps({"rows": n, "pad_bytes": total, "before_kb": before,
                      "peak_kb": peaks[0], "growth_kb": peaks[0] - before,
                      "growth3_kb": peaks[-1] - before,
                      "rss_after_kb": st["VmRSS"], "method": method}))
    return 0


# -- the report -------------------------------------------------------------------

def extras(b):
    mem = b.mem
    if not mem:
        return []
    s, w, d = mem["WideSmall"], mem["Wide"], mem.get("WideDefault")
    return ["**Memory**: peak RSS growth of a fresh process scanning every item "
            "(`SELECT count(*), sum(length(pad))`) as one chain of pages "
            "(segments=1): %d items of ~1 KB in %d "
            "page(s) (%.1f MB of responses): +%.1f MB; %d items in %d pages "
            "(%.1f MB): +%.1f MB, +%.1f MB after scanning it twice more (peak "
            "RSS during the statements minus RSS before them, from %s; RSS "
            "before %.1f MB). With the default segments (one per MB, at most 4, "
            "each holding a page until SQLite reaches it) the %d-page table: "
            "+%.1f MB, +%.1f MB after scanning it twice more."
            % (s["rows"], s["pages"], s["bytes"] / 1e6, s["growth_kb"] / 1024,
               w["rows"], w["pages"], w["bytes"] / 1e6, w["growth_kb"] / 1024,
               w["growth3_kb"] / 1024, w["method"], w["before_kb"] / 1024,
               w["pages"], d["growth_kb"] / 1024 if d else 0,
               d["growth3_kb"] / 1024 if d else 0)]


def targets(b):
    mem = b.mem
    if not mem:
        return []
    gs, gw = mem["WideSmall"]["growth_kb"], mem["Wide"]["growth_kb"]
    g3 = mem["Wide"]["growth3_kb"]
    return ["memory flat over a table of %d pages (%.1f MB), one chain: +%.1f MB (+%.1f MB "
            "after 3 scans) vs +%.1f MB for %d page(s); met when the big table, scanned "
            "once or three times, costs at most twice the small one: %s"
            % (mem["Wide"]["pages"], mem["Wide"]["bytes"] / 1e6, gw / 1024,
               g3 / 1024, gs / 1024, mem["WideSmall"]["pages"],
               verdict(max(gw, g3) <= 2 * gs))]
