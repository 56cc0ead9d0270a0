"""Writes, scenario (e): a bulk INSERT OR REPLACE of 2000 Tracks rows in one
transaction, into a new, empty on-demand table every run (made before and
its items counted after, both untimed). Timed for the extension in process
(BEGIN + executemany() + COMMIT), boto3's batch_writer in process and as
whole processes, the AWS CLI (80 batch-write-item processes) and the
sqlite3 shell. Reported here: the target of (e).
"""

import json
import os

from common import (COLUMNS, SHELL_LOAD, ext_connect, ext_connect_file,
                    ext_stats, ext_stats_reset, ext_vtab, log, run_process, sql_literal,
                    timed, times, verdict)

NAME = "writes"
KEYS = ("e",)

INSERT = ("INSERT OR REPLACE INTO %%s(%s) VALUES (%s)"
          % (", ".join(COLUMNS), ", ".join("?" * len(COLUMNS))))


def scenarios(b):
    """[(key, title, row label)]"""
    a = b.args
    return [("e", "bulk INSERT OR REPLACE, %d rows, one transaction" % a.bulk,
             str(a.bulk))]


def ext_bulk(b, db, endpoint, table):
    """One bulk run into a fresh DynamoDB table `table`."""
    b.create_table(table)
    name = "bulk_" + table.replace("-", "_")
    ext_vtab(db, name, table, endpoint)
    sql = INSERT % name

    def go():
        db.execute("BEGIN")
        db.executemany(sql, b.bulk_rows)
        db.execute("COMMIT")
    ext_stats_reset(db)          # untimed, after CREATE's DescribeTable
    w, c, _ = timed(go)
    st = ext_stats(db)           # untimed
    db.execute("DROP TABLE %s" % name)
    return w, c, st


def boto3_args(b, key):
    if key == "e":
        return "batch_write", {"table": None, "items": b.bulk_ddb}
    raise KeyError(key)


def cli_runs(b, key, endpoint, table=None):
    """80 batch-write-item processes of 25 items into `table`."""
    if key == "e":
        runs = []
        for i in range(0, len(b.bulk_ddb), 25):
            path = os.path.join(b.state, "cli-write-%d.json" % i)
            with open(path, "w") as f:
                json.dump({table: [{"PutRequest": {"Item": it}}
                                   for it in b.bulk_ddb[i:i + 25]]}, f)
            runs.append(b.aws_cli(endpoint, "batch-write-item", "--request-items",
                                  "file://" + path))
        return runs
    return None


def cli_check(b, key, outputs):
    docs = [json.loads(o) if o.strip() else {} for o in outputs]
    if key == "e":
        left = sum(len(v) for d in docs for v in (d.get("UnprocessedItems") or {}).values())
        if left:
            b.notes.append("CLI batch-write-item left %d items unprocessed" % left)
        return None, None
    raise KeyError(key)


def shell_script(b, key, name):
    """The sqlite3 shell's script: BEGIN, one INSERT per row into the
    virtual table `name` (made in the shell's database file before), COMMIT."""
    if key == "e":
        lines = [SHELL_LOAD, "BEGIN;\n"]
        for r in b.bulk_rows:
            lines.append("INSERT OR REPLACE INTO %s(%s) VALUES (%s);\n" % (
                name, ", ".join(COLUMNS), ", ".join(sql_literal(v) for v in r)))
        lines.append("COMMIT;\n")
        return "".join(lines)
    raise KeyError(key)


def count_once(b, key, who, endpoint):
    """The proxy pass (wl_counts): `key` once by `who` through `endpoint`,
    into a fresh table; the CLI's requests are counted, not run again."""
    if who == "cli":   # 2,000 / 25 processes again: counted, not run
        return {"computed": (b.args.bulk + 24) // 25}
    table = "Count-%s" % who
    b.create_table(table)
    out = {}
    if who == "ext":
        db = ext_connect()
        ext_vtab(db, "bulk", table, endpoint)
        db.execute("BEGIN")
        db.executemany(INSERT % "bulk", b.bulk_rows)
        db.execute("COMMIT")
        out["stats"] = ext_stats(db)   # the same requests the proxy saw
        db.close()
    else:
        name = "count-%s" % key
        b.peer.init(name, endpoint)
        scen, args = boto3_args(b, key)
        args["table"] = table
        b.peer.run(name, scen, args)
    if b.count_items(table) != b.args.bulk:
        b.checks.append("e/%s through the proxy: wrong item count" % who)
    b.delete_table(table)
    return out


def run(b, db):
    a = b.args
    key = "e"
    log("scenario e: bulk INSERT of %d rows (fresh tables every run)" % a.bulk)
    seq = iter(range(10**6))
    made = []

    def fresh(who):
        t = "Bulk-%s-%d" % (who, next(seq))
        made.append(t)
        return t

    def verify(who, table):
        n = b.count_items(table)
        if n != a.bulk:
            b.checks.append("e/%s: %s holds %d items, expected %d"
                            % (who, table, n, a.bulk))
    ext_bulk(b, db, b.url, fresh("ext"))        # warm-up
    if b.peer:
        t = fresh("boto3")
        b.create_table(t)
        args = boto3_args(b, "e")[1]
        args["table"] = t
        b.peer.run("direct", "batch_write", args)
    for rep in range(a.reps):
        t = fresh("ext")
        w, c, st = ext_bulk(b, db, b.url, t)
        b.record(key, "ext", w, c)
        b.ext_stats.setdefault(key, []).append(st)
        verify("ext", t)
        if b.peer:
            t = fresh("boto3")
            b.create_table(t)
            args = boto3_args(b, "e")[1]
            args["table"] = t
            out = b.peer.run("direct", "batch_write", args)
            b.record(key, "boto3", out["wall"], out["cpu"])
            verify("boto3", t)
        if b.peer and a.boto3_proc_reps and rep < a.boto3_proc_reps:
            t = fresh("boto3p")
            b.create_table(t)                       # untimed
            out = b.run_boto3_proc("e", t)
            b.check(key, "boto3proc", out["check"], [a.bulk])
            verify("boto3proc", t)                  # untimed
        if b.aws and rep < a.cli_bulk_reps:
            t = fresh("cli")
            b.create_table(t)
            wall = cpu = 0.0
            outs = []
            for argv in cli_runs(b, "e", b.url, t):
                w, c, o = run_process(argv, b.env())
                wall, cpu = wall + w, cpu + c
                outs.append(o)
            cli_check(b, "e", outs)
            b.record(key, "cli", wall, cpu)
            verify("cli", t)
        if b.sqlite3 and rep < a.cli_reps:
            t = fresh("shell")
            b.create_table(t)
            name = "bulk_" + t.replace("-", "_")
            sdb = ext_connect_file(b.shell_db)
            ext_vtab(sdb, name, t, b.url)
            sdb.close()
            w, c, _ = run_process([b.sqlite3, "-bail", "-batch", b.shell_db],
                                  b.env(), input=shell_script(b, "e", name))
            b.record(key, "shell", w, c)
            verify("shell", t)
    for t in made:
        b.delete_table(t)


# -- the report -------------------------------------------------------------------

def targets(b):
    get = b.median_of
    ew, ec = get("e", "ext", "wall"), get("e", "ext", "cpu")
    bw, bc = get("e", "boto3", "wall"), get("e", "boto3", "cpu")
    if not (ew and bw):
        return []
    sw, sc = get("e", "shell", "wall"), get("e", "shell", "cpu")
    pw, pc = get("e", "boto3proc", "wall"), get("e", "boto3proc", "cpu")
    whole = ("; for reference, whole processes (boto3 process / shell): wall %s, "
             "CPU %s" % (times(pw, sw, "%.2fx"), times(pc, sc))) if sc and pc else ""
    return ["(e) %d rows in one transaction, judged in-process (operation only): "
            "no more wall time than batch_writer: %.2fx, %s; >= 5x less client "
            "CPU: %.1fx, %s%s"
            % (b.args.bulk, bw / ew, verdict(bw >= ew), bc / ec,
               verdict(bc / ec >= 5), whole)]
