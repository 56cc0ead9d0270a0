"""Every answer exactly SQLite's, where the plan once changed it: a sparse
index must not hide items, a number in a key lookup compares as SQLite
compares it (text read through the nearest double, several decimals equal to
one double), a bound DynamoDB cannot hold is left to SQLite rather than an
error, a TEXT column shows a number's plain decimal, a key declared REAL
reads as REAL. Each answer is checked against a native SQLite table holding
the same values (test_050's helpers) and against the requests sent."""

import decimal

from harness import connect, eq, traced, unique
from fixtures import tracks_table
from test_050_native import make_pair, same
import differential

D = decimal.Decimal


def requests(name, sql, decl=""):
    rc, out, err, reqs = traced("CREATE VIRTUAL TABLE t USING dynamo(table=%s%s);\n%s"
                                % (name, decl, sql))
    eq((rc, err), (0, ""))
    reqs = [(o, r) for o, r in reqs if o != "DescribeTable" and not (o == "Scan" and r.get("Limit") == 1000)]
    return out.split("\n")[:-1], reqs


def test_a_sparse_global_index_never_hides_items():
    """byCat(cat, score) holds only the items that have a score: a query
    that keeps items without one reads the table."""
    items = [{"id": "a", "cat": "x", "score": 5}, {"id": "b", "cat": "x"},
             {"id": "c", "cat": "y", "score": 1}, {"id": "d", "cat": "x", "score": 2}]
    name = unique("sparse")
    shape = ("G", ("id", "S"), None, [("byCat", ("cat", "S"), ("score", "N"), "ALL")], [])
    differential.create_table(name, shape, items)
    out, reqs = requests(name, "SELECT count(*) FROM t WHERE cat = 'x';\n"
                               "SELECT id FROM t WHERE cat = 'x' AND score IS NULL;")
    eq(out, ["3", "b"])
    eq([(o, r.get("IndexName")) for o, r in reqs], [("Scan", None), ("Scan", None)])
    # a condition no item without a score meets: the index holds every row
    out, reqs = requests(name, "SELECT id FROM t WHERE cat = 'x' AND score > 1 ORDER BY score;\n"
                               "SELECT count(*) FROM t WHERE cat = 'x' AND score IS NOT NULL;")
    eq(out, ["d", "a", "2"])
    eq([(o, r.get("IndexName")) for o, r in reqs], [("Query", "byCat"), ("Query", "byCat")])
    c = connect()
    make_pair(c, items, pk=("id", "S"), sk=None, name=name)
    for q in ["SELECT id FROM t WHERE cat = 'x'", "SELECT id FROM t WHERE cat IN ('x', 'y')",
              "SELECT id FROM t WHERE cat = 'x' AND score <> 5", "SELECT id FROM t WHERE cat = 'x' AND score < 9"]:
        same(c, q)


def test_a_text_value_against_an_n_key_is_the_number_sqlite_reads():
    """'0.10000000000000001' is 0.1 for SQLite, '9007199254740993.0' the
    double 9007199254740992: the lookup asks for those keys, whether the
    value comes alone, in an IN list or from a join."""
    items = [{"id": D("0.1")}, {"id": 9007199254740993}, {"id": 9007199254740992}, {"id": 7}]
    c = connect()
    name = make_pair(c, items, pk=("id", "N"), sk=None)
    c.execute("CREATE TEMP TABLE k(v TEXT)")
    c.executemany("INSERT INTO k VALUES (?)", [("0.10000000000000001",), ("9007199254740993.0",),
                                               ("7.0",), (" 7 ",)])
    for q in ["SELECT id FROM t WHERE id = '0.10000000000000001'",
              "SELECT id FROM t WHERE id = '9007199254740993.0'",
              "SELECT id FROM t WHERE id = '9007199254740993'",
              "SELECT id FROM t WHERE id IN ('9007199254740993.0', '0.10000000000000001')",
              "SELECT id FROM t WHERE id IN ('9007199254740993.0', 'x', '7.0')",
              "SELECT k.v, t.id FROM k CROSS JOIN t ON t.id = k.v"]:
        same(c, q)
    eq(c.execute("SELECT id FROM t WHERE id = ?", ("0.10000000000000001",)).fetchall(), [(0.1,)])
    # The key asked for is the double the shell's own SQLite reads the text
    # as (sqlite3AtoF, in long double arithmetic: 9007199254740992 here),
    # not what this machine's strtod would say: where long double is
    # narrower the two may differ, and the lookup must follow SQLite.
    out, reqs = requests(name, "SELECT CAST(CAST('9007199254740993.0' AS REAL) AS INTEGER);\n"
                               "SELECT id FROM t WHERE id = '9007199254740993.0';")
    read_as = out[0]
    assert read_as in ("9007199254740992", "9007199254740994"), read_as
    eq(out[1:], ["9007199254740992"] if read_as == "9007199254740992" else [])
    eq([(o, r["Key"]) for o, r in reqs], [("GetItem", {"id": {"N": read_as}})])


def test_an_n_sort_key_condition_is_the_range_sqlite_compares():
    """Several decimals beyond a double's precision read as one double: an
    equality or a bound on an N sort key is one Query over every key SQLite
    may find equal (or on that side), which SQLite then checks."""
    ks = [D("0.1"), D("0.10000000000000001"), D("0.099999999999999999"), D("0.2"), 5,
          D("5.0000000000000001"), D("4.9999999999999999"), D("12345678901234567890123"),
          D("12345678901234567890124"), 9007199254740993, 9007199254740992]
    items = [{"p": "a", "n": k, "rid": "r%02d" % i} for i, k in enumerate(ks)]
    c = connect()
    name = make_pair(c, items, pk=("p", "S"), sk=("n", "N"))
    for q in ["SELECT rid FROM t WHERE p = 'a' AND n = 0.1",
              "SELECT rid FROM t WHERE p = 'a' AND n = '0.10000000000000001'",
              "SELECT rid FROM t WHERE p = 'a' AND n > 0.1",
              "SELECT rid FROM t WHERE p = 'a' AND n >= 0.1",
              "SELECT rid FROM t WHERE p = 'a' AND n < 5",
              "SELECT rid FROM t WHERE p = 'a' AND n <= 5",
              "SELECT rid FROM t WHERE p = 'a' AND n = 5",
              "SELECT rid FROM t WHERE p = 'a' AND n BETWEEN 0.1 AND 5",
              "SELECT rid FROM t WHERE p = 'a' AND n = 12345678901234567890123",
              "SELECT rid FROM t WHERE p = 'a' AND n = '12345678901234567890124'",
              "SELECT rid FROM t WHERE p = 'a' AND n = 9007199254740992",
              "SELECT rid FROM t WHERE p = 'a' AND n IN (0.1, 5)",
              "SELECT rid FROM t WHERE p IN ('a', 'b') AND n = 0.1"]:
        same(c, q)
    eq(c.execute("SELECT count(*) FROM t WHERE p = 'a' AND n = 0.1").fetchone(), (3,))
    out, reqs = requests(name, "SELECT count(*) FROM t WHERE p = 'a' AND n = 0.1;")
    eq(out, ["3"])
    eq([o for o, r in reqs], ["Query"])
    assert " BETWEEN " in reqs[0][1]["KeyConditionExpression"], reqs
    eq(sorted(v["N"] for k, v in reqs[0][1]["ExpressionAttributeValues"].items() if "N" in v),
       ["0.09999999999999998", "0.10000000000000003"])


def test_a_bound_dynamodb_cannot_hold_is_left_to_sqlite():
    """GLOB 'a\\x7f*' makes SQLite bound the key below 'a\\x80', which is not
    UTF-8; at the top of the code space the bound is past U+10FFFF. Such a
    bound is not sent (the prefix is), never an error."""
    ks = ["a\x7f", "a\x7fb", "a\x7f\x7f", "a\U0010ffff", "a\U0010ffffz", "b", "a", "\U0010ffff"]
    items = [{"p": "x", "s": k, "rid": "r%d" % i} for i, k in enumerate(ks)]
    c = connect()
    name = make_pair(c, items, pk=("p", "S"), sk=("s", "S"))
    c.execute("CREATE TEMP TABLE k(v TEXT)")
    c.execute("INSERT INTO k VALUES (CAST(x'6180' AS TEXT)), ('a')")
    for q in ["SELECT rid FROM t WHERE p = 'x' AND s GLOB 'a\x7f*'",
              "SELECT rid FROM t WHERE p = 'x' AND s GLOB 'a\U0010ffff*'",
              "SELECT rid FROM t WHERE p = 'x' AND s GLOB '\U0010ffff*'",
              "SELECT rid FROM t WHERE p = 'x' AND s < CAST(x'6180' AS TEXT)",
              "SELECT rid FROM t WHERE p = 'x' AND s = CAST(x'6180' AS TEXT)",
              "SELECT k.rowid, t.rid FROM k CROSS JOIN t ON t.p = 'x' AND t.s > k.v"]:
        same(c, q)
    c.execute("PRAGMA case_sensitive_like = 1")
    same(c, "SELECT rid FROM t WHERE p = 'x' AND s LIKE 'a\x7f%'")
    c.execute("PRAGMA case_sensitive_like = 0")
    out, reqs = requests(name, "SELECT count(*) FROM t WHERE p = 'x' AND s GLOB 'a\x7f*';")
    eq(out, ["3"])
    assert "begins_with" in reqs[0][1]["KeyConditionExpression"], reqs


def test_a_text_key_against_a_number_of_no_affinity_is_checked():
    """An untyped column's 5 is no text: SQLite finds no S key equal to it,
    and checks what the lookup of '5' returns."""
    items = [{"p": "5", "s": "a"}, {"p": "x", "s": "5"}, {"p": "x", "s": "b"}]
    c = connect()
    make_pair(c, items, pk=("p", "S"), sk=("s", "S"))
    c.execute("CREATE TEMP TABLE k(u, tx TEXT)")
    c.execute("INSERT INTO k VALUES (5, '5'), ('5', 5)")
    for q in ["SELECT k.rowid, t.s FROM k CROSS JOIN t ON t.p = k.u",
              "SELECT k.rowid, t.s FROM k CROSS JOIN t ON t.p = k.tx",
              "SELECT k.rowid, t.p FROM k CROSS JOIN t ON t.p = 'x' AND t.s = k.u",
              "SELECT k.rowid, t.p FROM k CROSS JOIN t ON t.p = 'x' AND t.s >= k.u",
              "SELECT k.rowid, t.p FROM k CROSS JOIN t ON t.p = 'x' AND t.s < k.u",
              "SELECT s FROM t WHERE p = 'x' AND s > CAST(4 AS INTEGER)"]:
        same(c, q)


def test_a_text_column_shows_the_plain_decimal():
    name = tracks_table("plain", items=[
        {"uuid": "a", "timestamp": "1", "x": D("0.0000000001")},
        {"uuid": "a", "timestamp": "2", "x": D("1.5E-7")},
        {"uuid": "a", "timestamp": "3", "x": D("1E+25")}])
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, x TEXT)" % name)
    eq(c.execute("SELECT x FROM t ORDER BY timestamp").fetchall(),
       [("0.0000000001",), ("0.00000015",), ("10000000000000000000000000",)])
    eq(c.execute("SELECT timestamp FROM t WHERE x = '0.0000000001'").fetchall(), [("1",)])
    eq(c.execute("SELECT timestamp FROM t WHERE x LIKE '0.00000015'").fetchall(), [("2",)])


def test_a_key_declared_real_reads_as_real():
    items = [{"uuid": "a", "r": 3}, {"uuid": "a", "r": D("1.5")}, {"uuid": "a", "r": 2 ** 53 + 1}]
    name = tracks_table("realkey", items=items, sk=("r", "N"))
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, uuid TEXT, r REAL)" % name)
    eq(c.execute("SELECT name, type FROM pragma_table_info('t')").fetchall(),
       [("uuid", "TEXT"), ("r", "REAL")])
    eq(c.execute("SELECT r, typeof(r), r / 2 FROM t ORDER BY r").fetchall(),
       [(1.5, "real", 0.75), (3.0, "real", 1.5), (2 ** 53 + 1, "integer", 2 ** 52)])
    eq(c.execute("SELECT r FROM t WHERE uuid = 'a' AND r = 3").fetchall(), [(3.0,)])


def test_what_readme_documents_and_how_to_write_it_instead():
    """The three exceptions README documents, each with the query it says
    to write instead, which answers as SQLite does."""
    c = connect()
    items = [{"id": D("0.1"), "v": "exact"}, {"id": D("0.10000000000000001"), "v": "text"}]
    name = make_pair(c, items, pk=("id", "N"), sk=None)
    # an N partition key SQLite shows as TEXT: the lookup finds 0.1 alone
    eq(c.execute("SELECT v FROM t WHERE id = 0.1").fetchall(), [("exact",)])
    eq(c.execute("SELECT v FROM n WHERE id = 0.1 ORDER BY v").fetchall(), [("exact",), ("text",)])
    eq(c.execute("SELECT v FROM t WHERE _key = dynamo_key('t', '0.10000000000000001')").fetchall(),
       [("text",)])
    eq(c.execute("SELECT v FROM t WHERE id + 0 = 0.1 ORDER BY v").fetchall(), [("exact",), ("text",)])
    # ORDER BY an N sort key DynamoDB orders: numeric; + 0 has SQLite sort by value
    c2 = connect()
    ks = [D("0.2"), D("0.10000000000000001"), D("0.05")]
    make_pair(c2, [{"p": "a", "n": k} for k in ks], pk=("p", "S"), sk=("n", "N"))
    eq(c2.execute("SELECT quote(n) FROM t WHERE p = 'a' ORDER BY n").fetchall(),
       [("0.05",), ("'0.10000000000000001'",), ("0.2",)])
    eq(c2.execute("SELECT quote(n) FROM t ORDER BY n").fetchall(),
       [("0.05",), ("0.2",), ("'0.10000000000000001'",)])
    for q in ["SELECT quote(n) FROM t WHERE p = 'a' ORDER BY n + 0",
              "SELECT quote(n) FROM t ORDER BY n + 0"]:
        eq(c2.execute(q).fetchall(), [("0.05",), ("'0.10000000000000001'",), ("0.2",)])
    # an S key against a number of NUMERIC affinity: CAST(... AS TEXT) compares as text
    c3 = connect()
    make_pair(c3, [{"uuid": u, "timestamp": "t"} for u in ("30", "030", "x")])
    c3.execute("CREATE TEMP TABLE k(i INTEGER, u)")
    c3.execute("INSERT INTO k VALUES (30, 30)")
    eq(c3.execute("SELECT t.uuid FROM k CROSS JOIN t ON t.uuid = k.i").fetchall(), [("30",)])
    eq(c3.execute("SELECT n.uuid FROM k CROSS JOIN n ON n.uuid = k.i ORDER BY 1").fetchall(),
       [("030",), ("30",)])
    eq(c3.execute("SELECT t.uuid FROM t WHERE uuid IN (SELECT u FROM k)").fetchall(), [("30",)])
    eq(c3.execute("SELECT n.uuid FROM n WHERE uuid IN (SELECT u FROM k)").fetchall(), [])
    for q in ["SELECT k.rowid, t.uuid FROM k CROSS JOIN t ON t.uuid = CAST(k.i AS TEXT)",
              "SELECT t.uuid FROM t WHERE uuid IN (SELECT CAST(u AS TEXT) FROM k)",
              "SELECT k.rowid, t.uuid FROM k CROSS JOIN t ON t.uuid = k.u"]:
        same(c3, q)
