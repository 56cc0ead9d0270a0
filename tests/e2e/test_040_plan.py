"""The plan: which request answers which query (GetItem, Query, Scan), what
goes into it (key conditions, Limit, ScanIndexForward, projection, #n/:v
placeholders), checked on the requests actually sent (DYNAMO_TRACE)."""

import json
import re

from harness import connect, ddb, eq, server, skip, traced
from fixtures import tracks_table, track_items
from ddbclient import marshal_item

ITEMS = track_items(3, 40)


def setup(name, extra=""):
    return "CREATE VIRTUAL TABLE t USING dynamo(table=%s%s);\n" % (name, extra)


def ops(reqs, op=None):
    return [r for o, r in reqs if op is None or o == op]


def reads(reqs):
    """The requests a query sent (CREATE's DescribeTable/Scan sample aside)."""
    return [(o, r) for o, r in reqs if o not in ("DescribeTable",)][1:]


def newest(uuid, n, lo=None, hi=None):
    ts = sorted(i["timestamp"] for i in ITEMS if i["uuid"] == uuid
                and (lo is None or i["timestamp"] >= lo) and (hi is None or i["timestamp"] <= hi))
    return ts[::-1][:n]


def run(name, sql):
    rc, out, err, reqs = traced(setup(name) + sql)
    eq((rc, err), (0, ""))
    # the first Scan is CREATE's sample of items; drop it
    sample = [i for i, (o, r) in enumerate(reqs) if o == "Scan" and r.get("Limit") == 1000]
    if sample:
        del reqs[sample[0]]
    return out.split("\n")[:-1], [(o, r) for o, r in reqs if o != "DescribeTable"]


def test_equality_on_both_keys_is_one_getitem():
    name = tracks_table(items=ITEMS)
    it = ITEMS[7]
    out, reqs = run(name, "SELECT uuid, timestamp, model FROM t WHERE uuid = '%s' AND timestamp = '%s';"
                    % (it["uuid"], it["timestamp"]))
    eq(out, ["%s|%s|%s" % (it["uuid"], it["timestamp"], it["model"])])
    eq([o for o, r in reqs], ["GetItem"])
    req = reqs[0][1]
    eq(req["Key"], {"uuid": {"S": it["uuid"]}, "timestamp": {"S": it["timestamp"]}})
    names = req["ExpressionAttributeNames"]
    eq(sorted(names.values()), ["model", "timestamp", "uuid"])
    for p in req["ProjectionExpression"].split(", "):
        assert p in names, p


def test_newest_ten_is_one_query_with_limit_10_descending():
    name = tracks_table(items=ITEMS)
    out, reqs = run(name, "SELECT timestamp FROM t WHERE uuid = 'u01' ORDER BY timestamp DESC LIMIT 10;")
    eq(out, newest("u01", 10))
    eq([o for o, r in reqs], ["Query"])
    q = reqs[0][1]
    eq((q["Limit"], q["ScanIndexForward"]), (10, False))
    eq(q["KeyConditionExpression"], "#n0 = :v0")
    eq((q["ExpressionAttributeNames"]["#n0"], q["ExpressionAttributeValues"][":v0"]),
       ("uuid", {"S": "u01"}))


def test_range_with_limit_and_offset():
    name = tracks_table(items=ITEMS)
    out, reqs = run(name, "SELECT timestamp FROM t WHERE uuid = 'u02' AND timestamp >= '2017-12-05' "
                    "AND timestamp <= '2017-12-20' ORDER BY timestamp LIMIT 5 OFFSET 3;")
    want = sorted(newest("u02", 999, "2017-12-05", "2017-12-20"))[3:8]
    eq(out, want)
    eq([o for o, r in reqs], ["Query"])
    q = reqs[0][1]
    eq(q["Limit"], 8)
    assert "ScanIndexForward" not in q
    assert q["KeyConditionExpression"] == "#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2", q


def test_between_order_by_desc_limit_reads_little():
    """The issue's report: newest ten in a month. SQLite 3.40 does not pass
    LIMIT to a virtual table next to BETWEEN, so the first page is small."""
    name = tracks_table(items=ITEMS)
    out, reqs = run(name, "SELECT timestamp FROM t WHERE uuid = 'u00' AND timestamp BETWEEN "
                    "'2017-12-01' AND '2017-12-31' ORDER BY timestamp DESC LIMIT 10;")
    eq(out, newest("u00", 10, "2017-12-01", "2017-12-31"))
    eq([o for o, r in reqs], ["Query"])
    q = reqs[0][1]
    assert q["Limit"] <= 25 and q["ScanIndexForward"] is False, q
    assert " BETWEEN " in q["KeyConditionExpression"], q


def test_exclusive_bounds_and_single_bounds():
    name = tracks_table(items=ITEMS)
    lo, hi = sorted(i["timestamp"] for i in ITEMS if i["uuid"] == "u00")[5:7]
    out, reqs = run(name, "SELECT count(*) FROM t WHERE uuid = 'u00' AND timestamp > '%s' AND timestamp < '%s';"
                    "SELECT count(*) FROM t WHERE uuid = 'u00' AND timestamp > '%s';" % (lo, hi, hi))
    n_after = len([i for i in ITEMS if i["uuid"] == "u00" and i["timestamp"] > hi])
    eq(out, ["0", str(n_after)])
    eq([r["KeyConditionExpression"] for o, r in reqs],
       ["#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2", "#n0 = :v0 AND #n1 > :v1"])
    # SQLite reports the key columns as used (they are in the WHERE clause):
    # the projection holds them only
    for o, r in reqs:
        eq(sorted(r["ExpressionAttributeNames"].values()), ["timestamp", "uuid"])


def test_in_list_is_one_query_per_value():
    name = tracks_table(items=ITEMS)
    out, reqs = run(name, "SELECT count(*) FROM t WHERE uuid IN ('u00', 'u02', 'nope');")
    eq(out, [str(len([i for i in ITEMS if i["uuid"] in ("u00", "u02")]))])
    eq(sorted(r["ExpressionAttributeValues"][":v0"]["S"] for o, r in reqs),
       ["nope", "u00", "u02"])
    eq({o for o, r in reqs}, {"Query"})


def test_values_that_make_one_key_are_read_once():
    # 5 and '5' are two values to SQLite and one S key, 1 and 1.0 one N key:
    # each key is read once (a second Query returned its rows twice, and
    # BatchGetItem refuses a key given twice)
    name = tracks_table(items=[{"uuid": "5", "timestamp": ts} for ts in ("a", "b")])
    num = tracks_table(items=[{"id": 1, "timestamp": ts} for ts in ("a", "b")], pk=("id", "N"))
    out, reqs = run(name, "\n".join([
        "CREATE VIRTUAL TABLE n USING dynamo(table=%s, id INTEGER, timestamp TEXT);" % num,
        "CREATE TEMP TABLE k(v); INSERT INTO k VALUES (5), ('5'), (1), (1.0);",
        "SELECT count(*) FROM t WHERE uuid IN (SELECT v FROM k);",
        "SELECT count(*) FROM t WHERE uuid IN (SELECT v FROM k) AND timestamp = 'a';",
        "SELECT count(*) FROM n WHERE id IN (SELECT v FROM k);",
        "SELECT count(*) FROM n WHERE id IN (SELECT v FROM k) AND timestamp = 'b';",
    ]))
    eq(out, ["2", "1", "2", "1"])
    # keys "5" and "1" (S), 5 and 1 (N): two Queries, two keys in one batch
    eq([o for o, r in reqs], ["Query", "Query", "BatchGetItem"] * 2)
    eq([len(r["RequestItems"][tb]["Keys"]) for o, r in reqs if o == "BatchGetItem"
        for tb in r["RequestItems"]], [2, 2])


def test_join_on_the_key_is_one_getitem_per_outer_row():
    # with the local table outside (CROSS JOIN), and the statement's copy of
    # the table off (read_once=0): which plan a join gets, and when its
    # lookups read the table once instead, is test_185_joins.py's
    name = tracks_table(items=ITEMS)
    keys = ITEMS[3:6]
    values = ", ".join("('%s', '%s')" % (i["uuid"], i["timestamp"]) for i in keys)
    rc, out, err, reqs = traced(setup(name, ", read_once=0") +
                                "CREATE TEMP TABLE k(u, ts); INSERT INTO k VALUES %s, ('zz', 'none');"
                                "SELECT t.model FROM k CROSS JOIN t ON t.uuid = k.u AND t.timestamp = k.ts;"
                                % values)
    eq((rc, err), (0, ""))
    out = out.split("\n")[:-1]
    reqs = [(o, r) for o, r in reqs
            if o != "DescribeTable" and not (o == "Scan" and r.get("Limit") == 1000)]
    eq(sorted(out), sorted(i["model"] for i in keys))
    eq([o for o, r in reqs], ["GetItem"] * 4)


def test_like_and_glob_prefixes_are_pushed_only_where_exact():
    items = [{"uuid": "p", "timestamp": ts} for ts in
             ("Abc1", "abc2", "ABD3", "2017-12-01T10", "2017-12-02T11", "2017-12-021", "a_c")]
    name = tracks_table(items=items)
    out, reqs = run(name, "\n".join([
        "SELECT group_concat(timestamp) FROM (SELECT timestamp FROM t WHERE uuid = 'p' AND timestamp LIKE '2017-12-02%' ORDER BY 1);",
        "SELECT group_concat(timestamp) FROM (SELECT timestamp FROM t WHERE uuid = 'p' AND timestamp LIKE 'abc%' ORDER BY 1);",
        "SELECT group_concat(timestamp) FROM (SELECT timestamp FROM t WHERE uuid = 'p' AND timestamp GLOB 'Abc*' ORDER BY 1);",
        "SELECT group_concat(timestamp) FROM (SELECT timestamp FROM t WHERE uuid = 'p' AND timestamp LIKE '2017-12-02t%' ORDER BY 1);",
    ]))
    eq(out, ["2017-12-021,2017-12-02T11", "Abc1,abc2", "Abc1", "2017-12-02T11"])
    conds = [(r["KeyConditionExpression"], r["ExpressionAttributeValues"].get(":v1")) for o, r in reqs]
    eq(conds[:2], [("#n0 = :v0 AND begins_with(#n1, :v1)", {"S": "2017-12-02"}),
                   ("#n0 = :v0", None)])  # LIKE is case-insensitive: no prefix
    # GLOB: SQLite adds timestamp >= 'Abc' AND timestamp < 'Abd' of its own
    assert conds[2] in [("#n0 = :v0 AND begins_with(#n1, :v1)", {"S": "Abc"}),
                        ("#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2", {"S": "Abc"})], conds[2]
    eq(conds[3], ("#n0 = :v0 AND begins_with(#n1, :v1)", {"S": "2017-12-02"}))


def test_a_bound_beside_a_pattern_still_holds():
    # The Query carries one condition on the sort key: begins_with when the
    # pattern has a prefix, so SQLite must check the bound itself (a native
    # table's answer: only the fixes from 2017-12-05 on)
    items = [{"uuid": "p", "timestamp": ts} for ts in
             ("2017-01-01", "2017-12-04", "2017-12-06", "2018-01-01", "2017-12-07")]
    name = tracks_table(items=items)
    out, reqs = run(name, "\n".join([
        "SELECT group_concat(timestamp) FROM (SELECT timestamp FROM t WHERE uuid = 'p' AND timestamp >= '2017-12-05' AND timestamp LIKE '2017%' ORDER BY 1);",
        "SELECT group_concat(timestamp) FROM (SELECT timestamp FROM t WHERE uuid = 'p' AND timestamp < '2017-12-05' AND timestamp GLOB '2017*' ORDER BY 1);",
        "SELECT group_concat(timestamp) FROM (SELECT timestamp FROM t WHERE uuid = 'p' AND timestamp > '2017-12-06' AND timestamp LIKE '201%' ORDER BY 1);",
    ]))
    eq(out, ["2017-12-06,2017-12-07", "2017-01-01,2017-12-04", "2017-12-07,2018-01-01"])
    eq([o for o, r in reqs], ["Query"] * 3)


def test_an_empty_key_value_matches_nothing_and_is_below_every_key():
    # DynamoDB refuses '' as a key value; no key is '', every key is above it
    items = [{"uuid": "p", "timestamp": ts} for ts in ("a", "b")]
    name = tracks_table(items=items)
    out, reqs = run(name, "\n".join([
        "SELECT count(*) FROM t WHERE uuid = '';",
        "SELECT count(*) FROM t WHERE uuid = 'p' AND timestamp = '';",
        "SELECT count(*) FROM t WHERE uuid = 'p' AND timestamp > '';",
        "SELECT count(*) FROM t WHERE uuid = 'p' AND timestamp <= '';",
        "SELECT count(*) FROM t WHERE uuid IN ('', 'p');",
    ]))
    eq(out, ["0", "0", "2", "0", "2"])
    eq([(o, r.get("KeyConditionExpression")) for o, r in reqs],
       [("Query", "#n0 = :v0"), ("Query", "#n0 = :v0")])


def test_full_scan_follows_every_page():
    big = "x" * 900
    items = [{"uuid": "s%04d" % i, "timestamp": "t", "pad": big} for i in range(1500)]
    name = tracks_table(items=items)
    out, reqs = run(name, "SELECT count(*), count(pad), sum(length(pad)) FROM t;")
    eq(out, ["1500|1500|%d" % (1500 * 900)])
    scans = [r for o, r in reqs if o == "Scan"]
    # each segment read side by side follows its own pages (how many
    # segments: the next test)
    first = [r for r in scans if "ExclusiveStartKey" not in r]
    eq(sorted(r.get("Segment", 0) for r in first), list(range(len(first))))
    # one chain (segments=1) follows page after page
    out, reqs = run(name, "DROP TABLE t; CREATE VIRTUAL TABLE t USING dynamo(table=%s, segments=1);"
                          "SELECT count(*), count(pad), sum(length(pad)) FROM t;" % name)
    eq(out, ["1500|1500|%d" % (1500 * 900)])
    scans = [r for o, r in reqs if o == "Scan" and r.get("Limit") != 1000]
    assert len(scans) >= 2, len(scans)
    assert all("ExclusiveStartKey" in r for r in scans[1:]), scans
    # no WHERE at all: SQLite cannot be merging OR branches, so the keys
    # need not be read: pad only
    eq(sorted(scans[0]["ExpressionAttributeNames"].values()), ["pad"])


def test_a_table_of_two_pages_is_scanned_in_two_segments():
    if server() == "dynalite":
        skip("dynalite reports TableSizeBytes 0, which sizes a Scan as one segment")
    items = [{"uuid": "s%04d" % i, "timestamp": "t", "pad": "x" * 900} for i in range(1500)]
    name = tracks_table(items=items)
    out, reqs = run(name, "SELECT count(*), count(pad), sum(length(pad)) FROM t;")
    eq(out, ["1500|1500|%d" % (1500 * 900)])
    first = [r for o, r in reqs if o == "Scan" and "ExclusiveStartKey" not in r]
    # a table of 1.4 MB: two segments side by side
    eq(sorted(r.get("Segment") for r in first), [0, 1])
    eq({r.get("TotalSegments") for r in first}, {2})


def test_count_star_asks_for_counts_only():
    name = tracks_table(items=ITEMS)
    out, reqs = run(name, "SELECT count(*) FROM t;")
    eq(out, [str(len(ITEMS))])
    eq([(o, r.get("Select"), r.get("ProjectionExpression")) for o, r in reqs],
       [("Scan", "COUNT", None)])


def test_writes_read_the_keys_even_without_a_where():
    """DELETE and UPDATE read the _key column of the rows they change, which
    SQLite does not report as used: a keyless plan takes the keys then."""
    name = tracks_table(items=ITEMS[:30])
    out, reqs = run(name, "UPDATE t SET model = 'm';\nSELECT count(*) FROM t WHERE model = 'm';\n"
                    "DELETE FROM t;\nSELECT count(*) FROM t;")
    eq(out, ["30", "0"])
    scans = [r for o, r in reqs if o == "Scan"]
    assert all("Select" not in r for r in scans[:1]), scans
    eq(ddb().count(name), 0)


def test_other_constraints_scan():
    name = tracks_table(items=ITEMS)
    out, reqs = run(name, "SELECT count(*) FROM t WHERE model = 'iPhone8,4';"
                    "SELECT count(*) FROM t WHERE timestamp > '2017-12-15';")
    eq(out, [str(len([i for i in ITEMS if i["model"] == "iPhone8,4"])),
             str(len([i for i in ITEMS if i["timestamp"] > "2017-12-15"]))])
    eq([o for o, r in reqs], ["Scan", "Scan"])


def test_names_and_values_never_appear_in_expressions():
    items = [{"name": "key-one", "size": "s1", "a.b": 1, "#x": 2, ":y": 3, "with space": 4,
              "timestamp": 5, "uuid": 6}]
    name = tracks_table(pk=("name", "S"), sk=("size", "S"), items=items)
    out, reqs = run(name, 'SELECT "a.b", "#x", ":y", "with space", timestamp, uuid FROM t '
                    "WHERE name = 'key-one' ORDER BY size;")
    eq(out, ["1|2|3|4|5|6"])
    q = reqs[0][1]
    for text in (q["KeyConditionExpression"], q["ProjectionExpression"]):
        for word in ("name", "size", "a.b", "with", "timestamp", "uuid", "key-one"):
            assert word not in text, (word, text)
    eq(sorted(q["ExpressionAttributeNames"].values()),
       sorted(["name", "size", "a.b", "#x", ":y", "with space", "timestamp", "uuid"]))
    eq(len(q["ProjectionExpression"].split(", ")), 8)


def test_consistent_read_option():
    name = tracks_table(items=ITEMS[:3])
    rc, out, err, reqs = traced("CREATE VIRTUAL TABLE t USING dynamo(table=%s, consistent_read=1);"
                                "SELECT count(*) FROM t; SELECT count(*) FROM t WHERE uuid='u00';"
                                "SELECT count(*) FROM t WHERE uuid='u00' AND timestamp='x';" % name)
    eq(rc, 0, err)
    eq([(o, r.get("ConsistentRead")) for o, r in reqs if o in ("Scan", "Query", "GetItem")][-3:],
       [("Scan", True), ("Query", True), ("GetItem", True)])


def test_explain_query_plan_says_what_is_sent():
    name = tracks_table(items=ITEMS[:2])
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s)" % name)
    def plan(sql):
        return c.execute("EXPLAIN QUERY PLAN " + sql).fetchall()[0][3].split(":", 1)[1]
    def words(sql):  # the plan without what it expects, which test_185 checks
        p = plan(sql)
        return re.sub(r" \(expect: [^()]*\)( PROJECT [^ ]*)$", r"\1", p)
    eq(words("SELECT * FROM t WHERE uuid = 'a' AND timestamp = 'b'").split(" PROJECT")[0],
       "GetItem uuid=? timestamp=?")
    eq(words("SELECT timestamp FROM t WHERE uuid = 'a' AND timestamp >= 'b' AND timestamp <= 'c' "
             "ORDER BY timestamp DESC LIMIT 10"),
       "Query uuid=? timestamp BETWEEN ? AND ? DESC LIMIT PROJECT 0,1")
    eq(words("SELECT timestamp FROM t WHERE uuid IN (1, 2)"), "Query uuid IN (...) PROJECT 0,1")
    eq(words("SELECT count(*) FROM t"), "Scan COUNT PROJECT 0")
    eq(words("SELECT count(*) FROM t WHERE uuid IN (1, 2)"), "Query uuid IN (...) COUNT PROJECT 0,1")
    # the filter: exactly SQLite's condition (text against an S key), so
    # SQLite does not check it again; the number is checked again
    eq(words("SELECT item FROM t WHERE timestamp = 'x'"), "Scan FILTER timestamp=? PROJECT ALL/1EQ")
    eq(words("SELECT item FROM t WHERE timestamp = 'x' AND speed > 30"),
       "Scan FILTER timestamp=? AND speed>? (SQLite checks: speed>?) PROJECT ALL/1EQ,%dgt"
       % [r[1] for r in c.execute("PRAGMA table_info(t)")].index("speed"))
    c.execute("CREATE VIRTUAL TABLE t0 USING dynamo(table=%s, filter=0)" % name)
    plan = lambda sql: c.execute("EXPLAIN QUERY PLAN " + sql).fetchall()[0][3].split(":", 1)[1]
    eq(words("SELECT item FROM t0 WHERE timestamp = 'x'"), "Scan (SQLite checks: timestamp=?) PROJECT ALL")
