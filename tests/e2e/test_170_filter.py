"""Conditions not on a key go as a FilterExpression (filter.h), and never
change an answer. The differential test: a table of deliberately mixed
items (every DynamoDB type in every column: an N column holding S, BOOL,
lists, numbers beyond a double's precision, ...), queried with every
operator against constants of every storage class, as literals (the plan
sees the value and may leave the condition to the filter alone) and as
bound parameters; each answer is compared with the same query over a table
with filter=0 (SQLite decides everything, on the same values) and over a
native SQLite copy. Then the requests themselves: what is sent, what
dynamo_stats counts, LIMIT, IN lists, writes, OR."""

import decimal
import json

from harness import connect, ddb, defer, eq, note, server, traced, unique
from ddbclient import marshal_item

D = decimal.Decimal

# Every DynamoDB type, and the values where SQLite and DynamoDB part ways:
# strings that look like numbers, numbers SQLite reads as TEXT (beyond a
# double's precision) or REAL, DynamoDB's extremes, JSON that begins with
# '[' or '{', empty strings and blobs.
POOL = [
    "Pixel 3", "abc", "", "30", " 30", "30.0", "045", "4.5e1", "-7", "[x", "{y", "!", "zz",
    "\u00e9", "1", "0", "Abc", "2017-12-20T10:00", "x%y", "a_b", "1.0e+20", "12345678901234567890123",
    0, 1, -1, 30, 31, D("29.5"), D("30.000000000000001"), D("12345678901234567890123"),
    D("-12345678901234567890123"), D("0.10000000000000001"), D("0.1"), D("1E+125"), D("-1E-130"),
    D("1E-130"), 9007199254740993, 2 ** 63, -2 ** 63, D("47.6349834766135"), D("1E+20"),
    D("9.9999999999999999999999999999999999999E+125"), D("0.5"), D("-122.14228681282287"),
    b"\x00", b"\x01", b"abc", b"", b"\xff",
    True, False, None,
    {"a", "b"}, {1, D("2.5")}, {b"\x01"}, [1, "two", True, None], ["30"], [], {"k": "v"}, {},
]
MISSING = object()

# column -> declared type: every affinity (NUMERIC via N, BOOL, L, INTEGER;
# TEXT via S and TEXT; none via B and no type at all)
COLUMNS = [("n", "N"), ("s", "S"), ("b", "B"), ("u", ""), ("f", "BOOL"), ("l", "L"),
           ("i", "INTEGER"), ("t", "TEXT")]


def mixed_items():
    out = []
    for k in range(len(POOL) + 8):
        it = {"g": "a" if k % 3 else "b", "id": "i%03d" % k}
        for j, (col, _) in enumerate(COLUMNS):
            v = MISSING if (k + j) % 11 == 0 else POOL[(k * 5 + j * 7) % len(POOL)]
            if v is not MISSING:
                it[col] = v
        out.append(it)
    return out


ITEMS = mixed_items()

# (SQL literal, the same value as a Python parameter)
CONSTANTS = [
    ("30", 30), ("31", 31), ("29.5", 29.5), ("0", 0), ("1", 1), ("-1", -1), ("30.5", 30.5),
    ("0.1", 0.1), ("1e20", 1e20), ("1e300", 1e300), ("-1e300", -1e300), ("1e-200", 1e-200),
    ("9007199254740993", 9007199254740993), ("12345678901234567890123", 1.2345678901234568e22),
    ("'30'", "30"), ("' 30'", " 30"), ("'30.0'", "30.0"), ("'abc'", "abc"), ("'Pixel 3'", "Pixel 3"),
    ("''", ""), ("'!'", "!"), ("'zz'", "zz"), ("'['", "["), ("'{'", "{"),
    ("'[1,\"two\",true,null]'", '[1,"two",true,null]'), ("'12345678901234567890123'", "12345678901234567890123"),
    ("'1'", "1"), ("'0.10000000000000001'", "0.10000000000000001"), ("'\u00e9'", "\u00e9"), ("'-7'", "-7"),
    ("'1.0e+20'", "1.0e+20"), ("x'01'", b"\x01"), ("x'00'", b"\x00"), ("x''", b""), ("x'ff'", b"\xff"),
    ("NULL", None),
]
OPS = ["=", "<>", "<", "<=", ">", ">="]
PATTERNS = [("LIKE", p) for p in ("Pix%", "3%", "%0%", "[%", "%", "a_b", "1%", "-%", "%el%", "30")] + \
           [("GLOB", p) for p in ("Pix*", "3*", "*0*", "*el*", "[[]*", "1*", "*", "{*", "-*", "30")]


def mixed_table():
    name = unique("mixed")
    ddb().create_table(name, hash=("g", "S"), range=("id", "S"))
    defer(ddb().delete_table, name)
    ddb().batch_put(name, [marshal_item(i) for i in ITEMS])
    return name


def setup(c, name):
    cols = ", ".join(("%s %s" % (col, t)).strip() for col, t in COLUMNS)
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, %s)" % (name, cols))
    c.execute("CREATE VIRTUAL TABLE t0 USING dynamo(table=%s, filter=0, %s)" % (name, cols))
    # the native copy: the same declared types, the values t0 reads
    decl = c.execute("SELECT group_concat('\"' || name || '\" ' || "
                     "CASE type WHEN 'NULL' THEN '\"NULL\"' ELSE type END, ', ') "
                     "FROM pragma_table_info('t0')").fetchone()[0]
    c.execute("CREATE TEMP TABLE n(%s)" % decl)
    c.execute("INSERT INTO n SELECT * FROM t0")
    eq(c.execute("SELECT count(*) FROM n").fetchone()[0], len(ITEMS))
    # columns whose values the native copy holds as read (its affinity
    # converts none of them): LIKE and GLOB compare text there too
    faithful = set()
    for col, _ in COLUMNS:
        if c.execute("SELECT count(*) FROM t0 JOIN n USING (g, id) WHERE quote(t0.%s) IS NOT quote(n.%s)"
                     % (col, col)).fetchone()[0] == 0:
            faithful.add(col)
    return faithful


def op_pins(cond):
    """A condition that may pin its column to one value (= a constant, IS NULL)."""
    return cond.startswith("{c} = ") or cond == "{c} IS NULL"


class Differ:
    """Runs a condition over t (literal and parameter), t0 and n."""

    def __init__(self, c, faithful):
        self.c = c
        self.faithful = faithful
        self.queries = self.pushed = self.exact = self.native = self.counted = 0
        self.failures = []

    def rows(self, sql, args=()):
        return self.c.execute(sql, args).fetchall()

    def check(self, col, cond, args=None, where="", native=True):
        """cond: SQL with {c} for the column (literal); args: the same with
        ? placeholders and their values, or None."""
        base = "SELECT * FROM %s WHERE " + where
        want = self.rows((base % "t0") + cond.replace("{c}", col) + " ORDER BY g, id")
        plan = self.rows("EXPLAIN QUERY PLAN " + (base % "t") + cond.replace("{c}", col))[0][3]
        if " FILTER " in plan:
            self.pushed += 1
            if "SQLite checks" not in plan:
                self.exact += 1
        runs = [((base % "t") + cond.replace("{c}", col) + " ORDER BY g, id", ())]
        if args is not None:
            runs.append(((base % "t") + args[0].replace("{c}", col) + " ORDER BY g, id", args[1]))
        for sql, a in runs:
            self.queries += 1
            got = self.rows(sql, a)
            if got != want:
                self.failures.append("%s %r: %d rows, filter=0 %d; only here %r, only there %r" % (
                    sql, a, len(got), len(want), [r[:2] for r in got if r not in want][:4],
                    [r[:2] for r in want if r not in got][:4]))
        if op_pins(cond):
            # count(*) and the column alone: Select=COUNT when the plan
            # finds the column pinned to the constant (xColumn gives it)
            agg = "SELECT count(*), min(quote({c})), max(quote({c})) FROM %s WHERE " + where + cond
            self.queries += 1
            got, want2 = self.rows((agg % "t").replace("{c}", col)), self.rows((agg % "t0").replace("{c}", col))
            if " COUNT " in self.rows("EXPLAIN QUERY PLAN " + (agg % "t").replace("{c}", col))[0][3]:
                self.counted += 1
            if got != want2:
                self.failures.append("%s: %r, filter=0 %r" % ((agg % "t").replace("{c}", col), got, want2))
        if native:
            ids = [r[:2] for r in want]
            nat = self.rows("SELECT g, id FROM n WHERE " + where + cond.replace("{c}", col) + " ORDER BY g, id")
            self.native += 1
            if nat != ids:
                self.failures.append("native %s: %d rows vs %d" % (cond.replace("{c}", col), len(nat), len(ids)))

    def done(self, what):
        note("%s: %d queries (%d compared with the native copy), %d with a FILTER, %d of them exact, "
             "%d counted with Select=COUNT; %d items, %d columns" % (
                 what, self.queries, self.native, self.pushed, self.exact, self.counted, len(ITEMS),
                 len(COLUMNS)))
        if self.failures:
            raise AssertionError("%d answers differ:\n%s" % (len(self.failures),
                                                            "\n".join(self.failures[:20])))


def test_every_operator_type_and_value_matches_sqlite():
    name = mixed_table()
    c = connect()
    faithful = setup(c, name)
    d = Differ(c, faithful)
    for col, _ in COLUMNS:
        for lit, val in CONSTANTS:
            for op in OPS:
                d.check(col, "{c} %s %s" % (op, lit), ("{c} %s ?" % op, (val,)))
        d.check(col, "{c} IS NULL")
        d.check(col, "{c} IS NOT NULL")
        for kind, pat in PATTERNS:
            d.check(col, "{c} %s '%s'" % (kind, pat), ("{c} %s ?" % kind, (pat,)),
                    native=col in faithful)
        d.check(col, "{c} BETWEEN 29.5 AND 31", ("{c} BETWEEN ? AND ?", (29.5, 31)))
        d.check(col, "{c} BETWEEN '30' AND 'abc'", ("{c} BETWEEN ? AND ?", ("30", "abc")))
        d.check(col, "{c} IN (30, 'abc', x'01', NULL, '1', 1e20)",
                ("{c} IN (?, ?, ?, ?, ?, ?)", (30, "abc", b"\x01", None, "1", 1e20)))
        d.check(col, "{c} IN ('Pixel 3', '', ' 30', '[x')")
        # json_each's value column has an affinity of its own (none)
        d.check(col, "{c} IN (SELECT value FROM json_each('[30, \"30\", \"abc\", 1, 0.1]'))",
                native=col in faithful)
        d.check(col, "{c} > 1 AND {c} < 'zz'", ("{c} > ? AND {c} < ?", (1, "zz")))
        # a Query's filter: the partition key in the key condition
        for lit, val in CONSTANTS[::3]:
            d.check(col, "{c} >= %s" % lit, ("{c} >= ?", (val,)), where="g = 'a' AND ")
    d.done("mixed table, on %s" % server())
    assert d.pushed > d.queries // 4, (d.pushed, d.queries)  # the filter is there
    assert d.exact > 50 and d.counted > 20, (d.exact, d.counted)


def test_joins_compare_with_the_affinity_of_both_columns():
    """A column of another table on the right brings its own affinity: a
    TEXT column compared with an INTEGER one compares numbers, with a TEXT
    or BLOB one as they are. The filter keeps what any of them may keep."""
    name = mixed_table()
    c = connect()
    faithful = setup(c, name)
    c.execute("CREATE TEMP TABLE k(vi INTEGER, vt TEXT, vb BLOB, vr REAL)")
    # "1a": text an INTEGER or REAL column keeps as text; SQLite then makes
    # the items' strings that look like numbers numbers, below it
    for v in (30, " 30", "abc", "1", 0.1, "045", b"\x01", 2 ** 62, "-7", "1a"):
        c.execute("INSERT INTO k VALUES (?, ?, ?, ?)", (v, v, v, v))
    d = Differ(c, faithful)
    for col, _ in COLUMNS:
        for kcol in ("vi", "vt", "vb", "vr"):
            for op in ("=", ">=", "<"):
                # k first: the virtual table is read once per row of k, with
                # the value of k's column as the right-hand side
                cond = "t.%s %s k.%s" % (col, op, kcol)
                sql = "SELECT k.rowid, t.g, t.id FROM k CROSS JOIN t WHERE %s ORDER BY 1, 2, 3"
                if any(" FILTER " in r[3] for r in d.rows("EXPLAIN QUERY PLAN " + sql % cond)):
                    d.pushed += 1
                want = d.rows((sql % cond).replace(" t", " t0").replace("t.", "t0."))
                got = d.rows(sql % cond)
                d.queries += 1
                if got != want:
                    d.failures.append("%s: %d rows, filter=0 %d" % (cond, len(got), len(want)))
                if col in faithful:  # the native copy holds the values as read
                    d.native += 1
                    nat = d.rows((sql % cond).replace(" t", " n").replace("t.", "n."))
                    if nat != want:
                        d.failures.append("native %s: %d rows vs %d" % (cond, len(nat), len(want)))
    d.done("joins with INTEGER, TEXT, BLOB and REAL columns")
    eq(d.pushed, d.queries)


# -- the requests -----------------------------------------------------------------

TRACKS = [{"uuid": "u%d" % (k % 4), "timestamp": "2017-12-%02dT%02d" % (1 + k % 28, k % 24),
           "model": ["Pixel 3", "iPhone8,4", "SM-G960F", "iPhone10,6"][k % 4 if k % 5 else 0],
           "speed": D(k % 41), "platform": "Android" if k % 2 else "iOS"} for k in range(240)]


def tracks_pair():
    name = unique("ftracks")
    ddb().create_table(name, hash=("uuid", "S"), range=("timestamp", "S"))
    defer(ddb().delete_table, name)
    items = {(i["uuid"], i["timestamp"]): i for i in TRACKS}  # unique keys
    ddb().batch_put(name, [marshal_item(i) for i in items.values()])
    return name, list(items.values())


def run(name, sql, options=""):
    rc, out, err, reqs = traced("CREATE VIRTUAL TABLE t USING dynamo(table=%s%s);\n%s" % (name, options, sql))
    eq((rc, err), (0, ""))
    sample = [i for i, (o, r) in enumerate(reqs) if o == "Scan" and r.get("Limit") == 1000]
    for i in reversed(sample):
        del reqs[i]
    return out.split("\n")[:-1], [(o, r) for o, r in reqs if o != "DescribeTable"]


def test_a_filtered_scan_sends_the_condition_and_reads_no_keys():
    name, items = tracks_pair()
    sql = "SELECT count(*), sum(speed) FROM t WHERE model = 'Pixel 3' AND speed > 30;"
    out, reqs = run(name, sql)
    match = [i for i in items if i["model"] == "Pixel 3" and i["speed"] > 30]
    eq(out, ["%d|%s" % (len(match), sum(int(i["speed"]) for i in match))])
    eq([o for o, r in reqs], ["Scan"])
    r = reqs[0][1]
    names, values = r["ExpressionAttributeNames"], r["ExpressionAttributeValues"]
    byname = {v: k for k, v in names.items()}
    # names and values through placeholders only
    assert "Pixel" not in r["FilterExpression"] and "speed" not in r["FilterExpression"], r
    assert r["FilterExpression"].startswith("%s = :" % byname["model"]), r
    assert {"S": "Pixel 3"} in values.values() and "Limit" not in r, r
    # the keys are not read: SQLite reads no _key here
    eq(sorted(names[p] for p in r["ProjectionExpression"].split(", ")), ["model", "speed"])
    out0, reqs0 = run(name, sql, ", filter=0")
    eq(out0, out)
    assert "FilterExpression" not in reqs0[0][1]


def test_a_count_of_pinned_columns_is_select_count():
    name, items = tracks_pair()
    out, reqs = run(name, "SELECT count(*) FROM t WHERE model = 'Pixel 3';\n"
                          "SELECT model, count(*) FROM t WHERE model = 'SM-G960F' AND speed IS NULL;\n"
                          "SELECT count(*) FROM t WHERE model = ?;")
    # (the shell binds nothing: ? is NULL, and model = NULL sends nothing)
    eq(out, [str(len([i for i in items if i["model"] == "Pixel 3"])), "|0", "0"])
    eq([(o, r.get("Select"), "FilterExpression" in r, "ProjectionExpression" in r) for o, r in reqs],
       [("Scan", "COUNT", True, False), ("Scan", "COUNT", True, False)])
    # a parameter is not known at plan time: not exact, the items are read
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s)" % name)
    eq(c.execute("SELECT count(*) FROM t WHERE model = ?", ("Pixel 3",)).fetchone()[0],
       len([i for i in items if i["model"] == "Pixel 3"]))
    plan = c.execute("EXPLAIN QUERY PLAN SELECT count(*) FROM t WHERE model = ?", ("x",)).fetchone()[3]
    assert " FILTER model=? " in plan and " COUNT " not in plan, plan


def test_stats_show_items_returned_and_items_scanned():
    name, items = tracks_pair()
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s)" % name)
    c.execute("CREATE VIRTUAL TABLE t0 USING dynamo(table=%s, filter=0)" % name)
    sql = "SELECT count(*) FROM %s WHERE model = 'SM-G960F' AND speed >= 20"
    stats = "SELECT requests, items, scanned_items, bytes FROM dynamo_stats WHERE operation = 'Scan'"
    c.execute("DELETE FROM dynamo_stats")
    n = c.execute(sql % "t").fetchone()[0]
    req, got, scanned, nbytes = c.execute(stats).fetchone()
    eq((got, scanned), (n, len(items)))  # Count and ScannedCount
    c.execute("DELETE FROM dynamo_stats")
    eq(c.execute(sql % "t0").fetchone()[0], n)
    req0, got0, scanned0, nbytes0 = c.execute(stats).fetchone()
    eq((got0, scanned0), (len(items), len(items)))
    assert nbytes * 5 < nbytes0, (nbytes, nbytes0)


def test_a_filtered_query_with_a_limit_reads_on_until_sqlite_has_its_rows():
    """DynamoDB's Limit counts items before the filter: a page may hold none
    of them and still not be the last."""
    name, items = tracks_pair()
    u1 = sorted((i for i in items if i["uuid"] == "u1"), key=lambda i: i["timestamp"])
    early = {i["speed"] for i in u1[:25]}  # the first page (Limit 25)
    speed = next(i["speed"] for i in u1[25:] if i["speed"] not in early)
    want = [i["timestamp"] for i in u1 if i["speed"] == speed][:2]
    out, reqs = run(name, "SELECT timestamp FROM t WHERE uuid = 'u1' AND speed = %s "
                          "ORDER BY timestamp LIMIT 2;" % speed)
    eq(out, want)
    eq({o for o, r in reqs}, {"Query"})
    q = reqs[0][1]
    eq(q["Limit"], 25)
    assert len(reqs) > 1, reqs  # the first page held no match and was not the last
    # the key condition holds the keys; the filter never names them
    names = q["ExpressionAttributeNames"]
    eq([names[k] for k in names if k in q["FilterExpression"]], ["speed"])


def test_an_in_list_is_one_scan_and_null_matches_nothing():
    name, items = tracks_pair()
    out, reqs = run(name, "SELECT count(*) FROM t WHERE model IN ('Pixel 3', 'SM-G960F', 'nope');\n"
                          "SELECT count(*) FROM t WHERE speed > NULL;\n"
                          "SELECT count(*) FROM t WHERE model IN (NULL);\n"
                          "SELECT count(*) FROM t WHERE model IN (SELECT 1 WHERE 0);\n"
                          "SELECT count(*) FROM t WHERE model = 'nope';")
    eq(out, [str(len([i for i in items if i["model"] in ("Pixel 3", "SM-G960F")])), "0", "0", "0", "0"])
    eq([o for o, r in reqs], ["Scan", "Scan"])  # none for the NULLs and the empty list
    assert " IN (" in reqs[0][1]["FilterExpression"], reqs[0]


def test_writes_through_a_filter_read_the_keys():
    name, items = tracks_pair()
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s)" % name)
    c.execute("UPDATE t SET platform = 'fast' WHERE speed >= 39")
    c.execute("DELETE FROM t WHERE model = 'iPhone10,6' AND speed < 10")
    left = [i for i in items if not (i["model"] == "iPhone10,6" and i["speed"] < 10)]
    eq(c.execute("SELECT count(*) FROM t").fetchone()[0], len(left))
    eq(c.execute("SELECT count(*) FROM t WHERE platform = 'fast'").fetchone()[0],
       len([i for i in left if i["speed"] >= 39]))


def test_or_and_explicit_key_reads():
    name, items = tracks_pair()
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s)" % name)
    eq(c.execute("SELECT count(*) FROM t WHERE model = 'Pixel 3' OR speed > 38").fetchone()[0],
       len([i for i in items if i["model"] == "Pixel 3" or i["speed"] > 38]))
    eq(c.execute("SELECT count(*) FROM t WHERE (model = 'Pixel 3' AND speed > 30) OR "
                 "(uuid = 'u1' AND timestamp < '2017-12-05')").fetchone()[0],
       len([i for i in items if (i["model"] == "Pixel 3" and i["speed"] > 30)
            or (i["uuid"] == "u1" and i["timestamp"] < "2017-12-05")]))
    keys = c.execute("SELECT _key FROM t WHERE model = 'Pixel 3'").fetchall()
    eq(sorted(json.loads(k)["timestamp"]["S"] for k, in keys),
       sorted(i["timestamp"] for i in items if i["model"] == "Pixel 3"))
    eq(c.execute("SELECT count(*) FROM (SELECT _key FROM t WHERE speed = 7)").fetchone()[0],
       len([i for i in items if i["speed"] == 7]))
