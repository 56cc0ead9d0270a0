"""The rule above all: any SQL over the virtual table returns exactly what
the same SQL returns over a native SQLite table holding the same items. The
native copy is built from the test data itself, not through the extension;
both are queried in one connection and every result compared."""

import decimal

from harness import connect, ddb, eq
from fixtures import tracks_table, track_items


def sql_value(v):
    """A DynamoDB number as the README's type table says SQLite sees it."""
    if isinstance(v, float):
        v = decimal.Decimal(repr(v))
    if isinstance(v, decimal.Decimal):
        if v == v.to_integral_value() and -2 ** 63 <= v < 2 ** 63:
            return int(v)
        if decimal.Decimal(repr(float(v))) == v:
            return float(v)
        return str(v)
    return v


def make_pair(c, items, pk=("uuid", "S"), sk=("timestamp", "S"), name=None):
    """Virtual table t over a DynamoDB table holding items (made here, or
    the table name already holding them), native table n with the same
    declared columns holding the same values."""
    name = name or tracks_table("native", items=items, pk=pk, sk=sk)
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s)" % name)
    cols = c.execute("SELECT name, type FROM pragma_table_info('t')").fetchall()
    c.execute("CREATE TEMP TABLE n(%s)" % ", ".join('"%s" %s' % (n, t if t != "NULL" else '"NULL"')
                                                   for n, t in cols))
    names = [n for n, t in cols]
    c.executemany("INSERT INTO n VALUES (%s)" % ", ".join("?" * len(names)),
                  [[sql_value(it.get(n)) for n in names] for it in items])
    return name


def same(c, sql, ordered=None):
    """Run sql over t and over n; compare (as lists when the query orders
    its rows, else as sorted lists)."""
    native = (sql.replace(" t ", " n ").replace(" t,", " n,")
              .replace("(t ", "(n ").replace(" t.", " n."))
    # a query the replacements missed would compare t with itself
    assert native != sql, "no reference to t replaced in: %s" % sql
    got = c.execute(sql).fetchall()
    want = c.execute(native).fetchall()
    if ordered is None:
        ordered = "ORDER BY" in sql.upper()
    if not ordered:
        key = lambda r: [(x is None, type(x).__name__, x) for x in r]
        got, want = sorted(got, key=key), sorted(want, key=key)
    if got != want:
        diff = [(i, g, w) for i, (g, w) in enumerate(zip(got, want)) if g != w][:3]
        raise AssertionError("%s\n %d rows vs %d native; first differences "
                             "(row, got, native): %r" % (sql, len(got), len(want), diff))
    return got


ITEMS = track_items(4, 30, seed=11)


def test_tracks_queries_match_a_native_table():
    c = connect()
    make_pair(c, ITEMS)
    ts = sorted(i["timestamp"] for i in ITEMS if i["uuid"] == "u01")
    a, b = ts[5], ts[20]
    queries = [
        "SELECT * FROM t ",
        "SELECT * FROM t WHERE uuid = 'u01'",
        "SELECT uuid, timestamp, speed FROM t WHERE uuid = 'u01' ORDER BY timestamp",
        "SELECT uuid, timestamp, speed FROM t WHERE uuid = 'u01' ORDER BY timestamp DESC LIMIT 7",
        "SELECT timestamp FROM t WHERE uuid = 'u01' ORDER BY timestamp DESC LIMIT 5 OFFSET 4",
        "SELECT timestamp FROM t WHERE uuid = 'u01' ORDER BY uuid, timestamp LIMIT 3",
        "SELECT * FROM t WHERE uuid = 'u01' AND timestamp BETWEEN '%s' AND '%s' ORDER BY timestamp DESC LIMIT 10" % (a, b),
        "SELECT timestamp FROM t WHERE uuid = 'u01' AND timestamp > '%s' AND timestamp < '%s'" % (a, b),
        "SELECT timestamp FROM t WHERE uuid = 'u01' AND timestamp >= '%s' AND timestamp < '%s' ORDER BY timestamp" % (a, b),
        "SELECT timestamp FROM t WHERE uuid = 'u01' AND timestamp > '%s' ORDER BY timestamp LIMIT 4" % a,
        "SELECT timestamp FROM t WHERE uuid = 'u01' AND timestamp <= '%s' ORDER BY timestamp DESC" % b,
        "SELECT timestamp FROM t WHERE uuid = 'u01' AND timestamp > '%s' AND timestamp > '%s'" % (a, b),
        "SELECT timestamp FROM t WHERE uuid = 'u01' AND timestamp > '%s' AND timestamp < '%s'" % (b, a),
        "SELECT timestamp FROM t WHERE uuid = 'u01' AND timestamp = '%s'" % a,
        "SELECT uuid, timestamp FROM t WHERE uuid IN ('u00', 'u03', 'zz') ORDER BY uuid, timestamp",
        "SELECT uuid, timestamp FROM t WHERE uuid IN ('u00', 'u03') AND timestamp > '2017-12-20'",
        "SELECT uuid, timestamp FROM t WHERE uuid IN ('u00', 'u03') ORDER BY timestamp DESC LIMIT 6",
        "SELECT timestamp FROM t WHERE uuid = 'u02' AND timestamp LIKE '2017-12-0%'",
        "SELECT timestamp FROM t WHERE uuid = 'u02' AND timestamp LIKE '2017-12-05t%'",
        "SELECT timestamp FROM t WHERE uuid = 'u02' AND timestamp LIKE '%5Z'",
        "SELECT timestamp FROM t WHERE uuid = 'u02' AND timestamp LIKE '2017_12-1%'",
        "SELECT timestamp FROM t WHERE uuid = 'u02' AND timestamp GLOB '2017-12-1*'",
        "SELECT timestamp FROM t WHERE uuid = 'u02' AND timestamp GLOB '2017-12-[12]*'",
        "SELECT timestamp FROM t WHERE uuid = 'u02' AND timestamp GLOB '*t*'",
        "SELECT timestamp FROM t WHERE uuid LIKE 'U0%' AND timestamp LIKE '2017-12-2%'",
        "SELECT count(*) FROM t WHERE uuid = 'U01' COLLATE NOCASE",
        "SELECT count(*) FROM t WHERE uuid = 'u01' AND timestamp > '2017-12-1' COLLATE NOCASE",
        "SELECT count(*) FROM t WHERE uuid = 1",
        "SELECT count(*) FROM t WHERE uuid = x'753031'",
        "SELECT count(*) FROM t WHERE uuid = NULL",
        "SELECT count(*) FROM t WHERE uuid IS NULL",
        "SELECT count(*) FROM t WHERE uuid = 'u01' AND timestamp > 5",
        "SELECT count(*) FROM t WHERE uuid = 'u01' AND timestamp < x'00'",
        "SELECT count(*) FROM t WHERE uuid = 'u01' AND timestamp > x'00'",
        "SELECT count(*) FROM t WHERE uuid = 'u01' AND timestamp > NULL",
        # float sums depend on row order, which SQL leaves open: round them
        "SELECT uuid, count(*), round(avg(speed), 9), min(latitude), max(longitude) FROM t GROUP BY uuid",
        "SELECT model, count(*) FROM t WHERE speed > 10 GROUP BY model ORDER BY 2 DESC, 1",
        "SELECT DISTINCT model FROM t ",
        "SELECT count(*) FROM t WHERE speed IS NULL",
        "SELECT uuid, timestamp FROM t WHERE uuid > 'u01' AND uuid <= 'u03'",
        "SELECT uuid, timestamp FROM t ORDER BY uuid DESC, timestamp DESC LIMIT 12",
        "SELECT uuid, timestamp, latitude FROM t ORDER BY latitude LIMIT 5",
        "SELECT timestamp FROM t WHERE uuid = 'u01' AND timestamp = (SELECT max(timestamp) FROM t WHERE uuid = 'u01')",
        "SELECT a.uuid, a.timestamp, b.timestamp FROM t a JOIN t b ON a.uuid = b.uuid AND a.timestamp = b.timestamp WHERE a.accuracy = 65",
        "SELECT count(*) FROM t WHERE uuid = 'u01' OR uuid = 'u02'",
        # OR branches that SQLite runs as separate Queries and merges by key,
        # overlapping ones included
        "SELECT count(*) FROM t WHERE (uuid = 'u01' AND timestamp > '%s') OR (uuid = 'u02' AND timestamp < '%s')" % (a, b),
        "SELECT uuid, timestamp FROM t WHERE (uuid = 'u01' AND timestamp > '%s') OR (uuid = 'u01' AND timestamp < '%s')" % (a, b),
        "SELECT count(*), count(speed) FROM t WHERE (uuid = 'u03' AND timestamp >= '%s') OR (uuid = 'u03' AND timestamp <= '%s') OR uuid = 'u00'" % (a, b),
        "SELECT count(*) FROM t WHERE (uuid, timestamp) IN (SELECT uuid, max(timestamp) FROM t GROUP BY uuid)",
        "SELECT uuid, timestamp FROM t WHERE uuid = 'u03' AND timestamp IN ('%s', '%s', 'nope')" % (a, b),
        "SELECT typeof(latitude), typeof(accuracy), typeof(model), count(*) FROM t GROUP BY 1, 2, 3",
    ]
    for q in queries:
        same(c, q)


def test_number_sort_keys_match_a_native_table():
    items = [{"id": "p", "n": n} for n in
             (-7, -0.5, 0, 1, 1.5, 2, 5, 5.25, 10, 11, 100, 1e20, 2 ** 53 + 1, -2 ** 62)]
    items += [{"id": "q", "n": n} for n in range(20)]
    c = connect()
    make_pair(c, items, pk=("id", "S"), sk=("n", "N"))
    for q in [
        "SELECT n FROM t WHERE id = 'p' ORDER BY n",
        "SELECT n FROM t WHERE id = 'p' ORDER BY n DESC LIMIT 4",
        "SELECT n FROM t WHERE id = 'p' AND n > 5",
        "SELECT n FROM t WHERE id = 'p' AND n >= 5 AND n <= 11 ORDER BY n DESC",
        "SELECT n FROM t WHERE id = 'p' AND n BETWEEN 1.5 AND 10",
        "SELECT n FROM t WHERE id = 'p' AND n > '5'",
        "SELECT n FROM t WHERE id = 'p' AND n = 5.0",
        "SELECT n FROM t WHERE id = 'p' AND n = '1.5'",
        "SELECT n FROM t WHERE id = 'p' AND n < 'abc'",
        "SELECT n FROM t WHERE id = 'p' AND n > 'abc'",
        "SELECT n FROM t WHERE id = 'p' AND n < 1e300",
        "SELECT n FROM t WHERE id = 'p' AND n > -1e300 AND n < 0",
        "SELECT n FROM t WHERE id = 'p' AND n > 5 AND n < 2",
        # below DynamoDB's smallest magnitude: the key 0 must stay or go rightly
        "SELECT n FROM t WHERE id = 'p' AND n < 1e-200",
        "SELECT n FROM t WHERE id = 'p' AND n >= 1e-200",
        "SELECT n FROM t WHERE id = 'p' AND n > -1e-200",
        "SELECT n FROM t WHERE id = 'p' AND n <= -1e-200",
        "SELECT n FROM t WHERE id = 'p' AND n <= 1e-200 AND n >= -1e-200",
        "SELECT n FROM t WHERE id IN ('p', 'q') AND n BETWEEN 3 AND 6",
        "SELECT id, n FROM t WHERE n = 5",
        "SELECT typeof(n), count(*) FROM t GROUP BY 1",
    ]:
        same(c, q)


def test_binary_sort_keys_match_a_native_table():
    blobs = [b"", b"\x00", b"\x00\x00", b"\x01", b"\x7f", b"\x80", b"\xff", b"\xff\x00", b"ab", b"abc"]
    items = [{"id": "p", "b": x} for x in blobs if x] + [{"id": "q", "b": b"\x05"}]
    c = connect()
    make_pair(c, items, pk=("id", "S"), sk=("b", "B"))
    for q in [
        "SELECT hex(b) FROM t WHERE id = 'p' ORDER BY b",
        "SELECT hex(b) FROM t WHERE id = 'p' ORDER BY b DESC LIMIT 3",
        "SELECT hex(b) FROM t WHERE id = 'p' AND b > x'7f'",
        "SELECT hex(b) FROM t WHERE id = 'p' AND b >= x'00' AND b <= x'01' ORDER BY b",
        "SELECT hex(b) FROM t WHERE id = 'p' AND b = x'ff00'",
        "SELECT hex(b) FROM t WHERE id = 'p' AND b > 'zzz'",
        "SELECT hex(b) FROM t WHERE id = 'p' AND b < 'zzz'",
        "SELECT hex(b) FROM t WHERE id = 'p' AND b = 'ab'",
        "SELECT hex(b) FROM t WHERE id = 'p' AND b > 5",
    ]:
        same(c, q)


def test_declared_types_read_back_as_a_native_column_stores_them():
    """A column declared REAL gives REAL, TEXT gives text, INTEGER and
    NUMERIC give INTEGER where exact: what a native column of the declared
    type holds after storing the same value. Rows come both from DynamoDB
    (numbers written by another client) and through INSERT."""
    decl = ("r REAL, f FLOAT, d DOUBLE PRECISION, i INTEGER, bi BIGINT, n NUMERIC, "
            "dec DECIMAL(10,2), x TEXT, v VARCHAR(10)")
    cols = [c.split()[0] for c in decl.split(", ")]
    numbers = [3, -7, 0, 23.67, 3.5, 47.6349834766135, 2 ** 53, -2 ** 62, 12.0, -0.25]
    items = [dict({"uuid": "ddb", "timestamp": "%02d" % k}, **{c: x for c in cols})
             for k, x in enumerate(numbers)]
    items.append({"uuid": "ddb", "timestamp": "bool", **{c: True for c in cols}})
    name = tracks_table("affinity", items=items)
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, %s)" % (name, decl))
    c.execute("CREATE TEMP TABLE n(uuid TEXT, timestamp TEXT, %s)" % decl)
    for it in items:  # the value SQLite sees, then the native column's affinity
        vals = [sql_value(int(it[k]) if isinstance(it[k], bool) else it[k])
                for k in ["uuid", "timestamp"] + cols]
        c.execute("INSERT INTO n VALUES (%s)" % ", ".join("?" * len(vals)), vals)
    # the same INSERTs into both: numbers, numeric text, text, blobs, NULL
    written = [("3.0", "int3"), ("3", "int"), ("'3'", "numtext"), ("'3.5'", "numtext2"),
               ("1.5", "real"), ("'abc'", "text"), ("x'01'", "blob"), ("NULL", "null"),
               ("-0.0", "negzero"), ("1e15", "big")]
    for value, ts in written:
        for tbl in ("t", "n"):
            c.execute("INSERT INTO %s(uuid, timestamp, %s) VALUES ('sql', '%s', %s)"
                      % (tbl, ", ".join(cols), ts, ", ".join([value] * len(cols))))
    each = ", ".join("%s, typeof(%s), %s / 2, %s || ''" % (k, k, k, k) for k in cols)
    same(c, "SELECT uuid, timestamp, %s FROM t ORDER BY uuid, timestamp" % each)
    same(c, "SELECT r / 2, i / 2, x FROM t WHERE uuid = 'sql' AND timestamp = 'int3'")
    eq(c.execute("SELECT r / 2, typeof(x), x FROM t WHERE uuid = 'sql' AND timestamp = 'int3'")
       .fetchall(), [(1.5, "text", "3.0")])
    same(c, "SELECT count(*) FROM t WHERE r = 3 AND i = 3 AND x = '3'")
    same(c, "SELECT sum(r), sum(i), group_concat(x) FROM (SELECT * FROM t ORDER BY timestamp)")


def test_declared_types_keep_numbers_exact():
    """Where the native column would round, the number stays exact: a REAL
    column gives an integer beyond the double's 53 bits as that INTEGER, a
    TEXT column a number as its exact decimal text (SQLite's text of a REAL
    keeps 15 digits: '-122.142286812823', '1.0e+20')."""
    name = tracks_table("exact", items=[
        {"uuid": "u", "timestamp": "1", "r": 2 ** 53 + 1, "x": decimal.Decimal("-122.14228681282287"),
         "y": decimal.Decimal("12345678901234567890.123"), "z": decimal.Decimal("1E+20")}])
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, r REAL, x TEXT, y REAL, z TEXT)" % name)
    eq(c.execute("SELECT r, typeof(r), x, typeof(x), y, typeof(y), z FROM t").fetchall(),
       [(2 ** 53 + 1, "integer", "-122.14228681282287", "text",
         "12345678901234567890.123", "text", "100000000000000000000")])
    # a string another writer stored stays a string (this extension writes
    # numeric text into a REAL column as a number)
    ddb().put_item(name, {"uuid": {"S": "u"}, "timestamp": {"S": "2"}, "r": {"S": "12"}})
    eq(c.execute("SELECT r, typeof(r) FROM t WHERE timestamp = '2'").fetchall(), [("12", "text")])
