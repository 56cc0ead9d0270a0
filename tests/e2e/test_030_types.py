"""Every DynamoDB type to SQLite and back: S, N, B, BOOL, NULL, SS, NS, BS,
L, M; the item column; declared column types; a copy made with the column
list another table reports is item for item identical."""

import base64
import decimal
import json

from harness import connect, ddb, eq, raises, unique
from fixtures import tracks_table
from ddbclient import unmarshal_item
from test_050_native import sql_value

RAW = {  # one item in DynamoDB JSON, numbers as exact strings
    "uuid": {"S": "u1"}, "timestamp": {"S": "2017-12-20T16:10:38.997Z"},
    "s": {"S": "héllo, wörld"},
    "n_int": {"N": "5"}, "n_neg": {"N": "-42"},
    "n_real": {"N": "47.6349834766135"}, "n_real2": {"N": "-122.14228681282287"},
    "n_big": {"N": "12345678901234567890123"}, "n_max": {"N": "9223372036854775807"},
    "n_over": {"N": "9223372036854775808"}, "n_17": {"N": "0.10000000000000001"},
    "n_tiny": {"N": "1E-130"}, "n_huge": {"N": "9.9999999999999999999999999999999999999E+125"},
    "b": {"B": base64.b64encode(b"\x00\x01\xfe\xff").decode()},
    "yes": {"BOOL": True}, "no": {"BOOL": False}, "nul": {"NULL": True},
    "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.5", "12345678901234567890123"]},
    "bs": {"BS": [base64.b64encode(b"\x00").decode()]},
    "l": {"L": [{"N": "1"}, {"S": "two"}, {"BOOL": True}, {"NULL": True},
                {"M": {"k": {"S": "v"}}}, {"B": "AAE="}]},
    "m": {"M": {"k": {"S": "v"}, "n": {"N": "1.50"}, "deep": {"L": [{"N": "3"}]}}},
}


def table_with(raw):
    name = tracks_table("types")
    ddb().put_item(name, raw)
    return name


def row(c, sql, *args):
    return c.execute(sql, args).fetchone()


def test_read_every_type():
    name = table_with(RAW)
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s)" % name)
    def val(col):
        return row(c, 'SELECT typeof("%s"), "%s" FROM t' % (col, col))
    eq(val("s"), ("text", "héllo, wörld"))
    # numbers as README's type table says, through test_050's reading of it
    # (INTEGER when integral in 64 bits, REAL when a double holds it exactly,
    # else TEXT), not as the extension computes them
    sqltype = {int: "integer", float: "real", str: "text"}
    for col in sorted(k for k in RAW if k.startswith("n_")):
        want = sql_value(decimal.Decimal(RAW[col]["N"]))
        eq(val(col), (sqltype[type(want)], want), col)
    # the cases the rule must cover, each once
    eq(sorted({sqltype[type(sql_value(decimal.Decimal(RAW[k]["N"])))] for k in RAW
               if k.startswith("n_")}), ["integer", "real", "text"])
    eq(val("b"), ("blob", b"\x00\x01\xfe\xff"))
    eq(val("yes"), ("integer", 1))
    eq(val("no"), ("integer", 0))
    eq(val("nul"), ("null", None))
    eq(json.loads(val("ss")[1]), ["a", "b"])
    eq(val("ns"), ("text", "[1,2.5,12345678901234567890123]"))
    eq(val("bs"), ("text", '["AA=="]'))
    eq(json.loads(val("l")[1]), [1, "two", True, None, {"k": "v"}, "AAE="])
    eq(json.loads(val("m")[1]), {"k": "v", "n": 1.5, "deep": [3]})


def test_json_functions_work_on_lists_maps_and_sets():
    name = table_with(RAW)
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s)" % name)
    eq(row(c, "SELECT json_extract(m, '$.k'), json_extract(m, '$.deep[0]') FROM t"), ("v", 3))
    eq(row(c, "SELECT group_concat(value, '|') FROM t, json_each(t.ss)"), ("a|b",))
    eq(row(c, "SELECT sum(value) FROM t, json_each(t.l) WHERE type = 'integer'"), (1,))


def test_missing_attribute_is_null():
    name = table_with({"uuid": {"S": "u1"}, "timestamp": {"S": "t"}, "a": {"S": "x"}})
    ddb().put_item(name, {"uuid": {"S": "u2"}, "timestamp": {"S": "t"}})
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s)" % name)
    eq(sorted(c.execute("SELECT uuid, a FROM t").fetchall()), [("u1", "x"), ("u2", None)])


def test_item_column_reads_the_whole_item_losslessly():
    name = table_with(RAW)
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s)" % name)
    item = json.loads(row(c, "SELECT item FROM t")[0])
    eq(unmarshal_item(item), unmarshal_item(ddb().get_item(name, {"uuid": RAW["uuid"],
                                                                  "timestamp": RAW["timestamp"]})))
    eq(set(item), set(RAW))


def test_natural_writes():
    name = tracks_table("w")
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, i, r, tx, bl, nul, big, neg0)" % name)
    c.execute("INSERT INTO t VALUES ('u1', 't1', 5, 47.6349834766135, 'iPhone8,4', x'00ff', NULL, "
              "9223372036854775807, -0.0)")
    got = ddb().get_item(name, {"uuid": {"S": "u1"}, "timestamp": {"S": "t1"}})
    eq(got["i"], {"N": "5"})
    eq(got["r"], {"N": "47.6349834766135"}, "REAL in shortest round-trip form")
    eq(got["tx"], {"S": "iPhone8,4"})
    eq(base64.b64decode(got["bl"]["B"]), b"\x00\xff")
    assert "nul" not in got, got
    eq(got["big"], {"N": "9223372036854775807"})
    eq(decimal.Decimal(got["neg0"]["N"]), 0)


def test_shortest_form_of_reals():
    name = tracks_table("w")
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, r)" % name)
    vals = [0.1, 0.1 + 0.2, -122.14228681282287, 1e21, 1.5e-7, 123456.789, 2.0 ** 60]
    for i, v in enumerate(vals):
        c.execute("INSERT INTO t VALUES ('u', ?, ?)", ("t%d" % i, v))
    for i, v in enumerate(vals):
        got = ddb().get_item(name, {"uuid": {"S": "u"}, "timestamp": {"S": "t%d" % i}})["r"]["N"]
        if v == int(v) and abs(v) < 2 ** 63:  # integral: the exact integer
            eq(decimal.Decimal(got), decimal.Decimal(int(v)))
        else:  # Python's repr is the shortest text that reads back as v
            eq(decimal.Decimal(got), decimal.Decimal(repr(v)), "shortest form of %r" % v)
        eq(row(c, "SELECT r FROM t WHERE uuid = 'u' AND timestamp = ?", "t%d" % i), (v,))


def test_declared_types_decide_how_values_are_written():
    name = tracks_table("decl")
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, n N, t TEXT, s S, b B, flag BOOL, "
              "z NULL, ss SS, ns NS, bs BS, l L, m M, num NUMERIC)" % name)
    c.execute("""INSERT INTO t VALUES ('u1', 't1', '12345678901234567890123.5', 42, 42, 'bytes', 'true',
                 1, '["x","y"]', '[1, 2.50, 12345678901234567890123]', '["AAE="]',
                 '[1, "a", [true, null], {"k": 1.25}]', '{"a": {"b": [1]}}', '7')""")
    got = ddb().get_item(name, {"uuid": {"S": "u1"}, "timestamp": {"S": "t1"}})
    eq(got["n"], {"N": "12345678901234567890123.5"})
    eq(got["t"], {"S": "42"})
    eq(got["s"], {"S": "42"})
    eq(base64.b64decode(got["b"]["B"]), b"bytes")
    eq(got["flag"], {"BOOL": True})
    eq(got["z"], {"NULL": True})
    eq(sorted(got["ss"]["SS"]), ["x", "y"])
    eq(sorted(decimal.Decimal(x) for x in got["ns"]["NS"]),
       [1, decimal.Decimal("2.5"), decimal.Decimal("12345678901234567890123")])
    eq(got["bs"], {"BS": ["AAE="]})
    eq(unmarshal_item({"l": got["l"]})["l"], [1, "a", [True, None], {"k": decimal.Decimal("1.25")}])
    eq(got["m"], {"M": {"a": {"M": {"b": {"L": [{"N": "1"}]}}}}})
    eq(got["num"], {"N": "7"})


def test_write_errors_name_the_column_and_write_nothing():
    name = tracks_table("werr")
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, n N, l L, ss SS, flag BOOL, r)" % name)
    cases = [
        ("n", "'abc'", "column n is declared N: 'abc' is not a number"),
        ("n", "'1234567890123456789012345678901234567890'", "more than 38 significant digits"),
        ("n", "'1e126'", "outside DynamoDB's range"),
        ("l", "'[1,'", "column l is declared L: value is not valid JSON"),
        ("l", "'{}'", "expected a JSON array"),
        ("ss", "'[]'", "a set cannot be empty"),
        ("ss", "'[\"a\",\"a\"]'", "a set cannot hold duplicates"),
        ("ss", "'[1]'", "SS elements must be strings"),
        ("flag", "'maybe'", "expected true, false, 1 or 0"),
        ("r", "1e999", "NaN and Infinity cannot be stored"),
        ("r", "-1e999", "NaN and Infinity cannot be stored"),
        ("r", "1e300", "outside DynamoDB's range"),
    ]
    for col, value, msg in cases:
        raises(lambda: c.execute("INSERT INTO t(uuid, timestamp, %s) VALUES ('u', 'x', %s)"
                                 % (col, value)), msg)
    eq(ddb().count(name), 0)


def test_copy_with_the_reported_column_list_is_identical():
    items = [
        {"uuid": {"S": "u%d" % i}, "timestamp": {"S": "t%d" % i},
         "latitude": {"N": "47.6349834766135"}, "accuracy": {"N": str(i)},
         "exact": {"N": "12345678901234567890123.25"}, "model": {"S": "iPhone8,4"},
         "raw": {"B": "AAE="}, "ok": {"BOOL": i % 2 == 0}, "tags": {"SS": ["a", "b%d" % i]},
         "nums": {"NS": ["1", "2.5"]}, "bins": {"BS": ["AA==", "AQ=="]},
         "route": {"L": [{"N": "1.5"}, {"S": "x"}, {"M": {"k": {"BOOL": False}}}]},
         "meta": {"M": {"a": {"N": "1"}, "b": {"L": []}}}}
        for i in range(5)]
    items[1].pop("model")  # sparse attributes stay sparse
    src = tracks_table("orig")
    for it in items:
        ddb().put_item(src, it)
    dst = tracks_table("copy")
    c = connect()
    c.execute("CREATE VIRTUAL TABLE orig USING dynamo(table=%s)" % src)
    cols = ", ".join('"%s" %s' % (n, t) for n, t in
                     c.execute("SELECT name, type FROM pragma_table_info('orig')"))
    c.execute("CREATE VIRTUAL TABLE cp USING dynamo(table=%s, %s)" % (dst, cols))
    c.execute("INSERT INTO cp SELECT * FROM orig")
    def norm(table):
        return sorted((unmarshal_item(i) for i in ddb().scan_all(table)), key=lambda d: d["uuid"])
    eq(norm(dst), norm(src))


def test_copy_through_the_item_column_is_lossless():
    src = table_with(RAW)
    dst = tracks_table("copy2")
    c = connect()
    c.execute("CREATE VIRTUAL TABLE orig USING dynamo(table=%s)" % src)
    c.execute("CREATE VIRTUAL TABLE cp USING dynamo(table=%s)" % dst)
    c.execute("INSERT INTO cp(item) SELECT item FROM orig")
    eq([unmarshal_item(i) for i in ddb().scan_all(dst)],
       [unmarshal_item(i) for i in ddb().scan_all(src)])
