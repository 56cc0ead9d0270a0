"""Reads across the wide area: the partitions of an IN list are read side by
side; whole keys held elsewhere are looked up with BatchGetItem through the
_key column and dynamo_key(); several processes share one Scan with
segments=N and segment=K; answers never change."""

import os
import subprocess
import tempfile

from harness import connect, eq, raises, traced, so_path
from fixtures import tracks_table, track_items
from fakeserver import FakeServer, describe

ITEMS = track_items(24, 10)


def test_an_in_list_reads_its_partitions_side_by_side():
    with FakeServer() as fs:
        c = connect()
        fs.script("DescribeTable", describe())
        c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s', n N)" % fs.url)
        # each partition: one item; no answer comes before 20 requests have:
        # a client reading partitions one after another (or 16 at a time)
        # would wait 30 s for its first row, and have sent one (or 16) by then
        answers = [(200, {"Items": [{"uuid": {"S": "u%02d" % i}, "timestamp": {"S": "t"},
                                     "n": {"N": str(i)}}], "Count": 1}) for i in range(20)]
        fs.script("Query", *answers)
        fs.hold("Query", 20)
        keys = ["u%02d" % i for i in range(20)]
        cur = c.execute("SELECT n FROM t WHERE uuid IN (%s)" % ",".join("?" * 20), keys)
        first = cur.fetchone()
        # the partitions are read in one wave (up to 64), not one after another
        eq(fs.ops().count("Query"), 20)
        rest = cur.fetchall()
        eq(sorted([first[0]] + [r[0] for r in rest]), list(range(20)))
        eq(fs.ops().count("Query"), 20)
        sent = sorted(b["ExpressionAttributeValues"][":v0"]["S"] for op, h, b in fs.requests
                      if op == "Query")
        eq(sent, keys)


def test_an_in_list_gives_the_same_rows_as_one_partition_at_a_time():
    name = tracks_table(items=ITEMS)
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s)" % name)
    keys = ["u%02d" % i for i in range(0, 24, 2)] + ["nope"]
    got = sorted(c.execute("SELECT uuid, timestamp, model FROM t WHERE uuid IN (%s)"
                           % ",".join("?" * len(keys)), keys).fetchall())
    want = sorted((i["uuid"], i["timestamp"], i["model"]) for i in ITEMS if i["uuid"] in keys)
    eq(got, want)
    # a LIMIT reads one partition after another (SQLite may stop early)
    eq(len(c.execute("SELECT * FROM t WHERE uuid IN ('u01', 'u03') LIMIT 3").fetchall()), 3)


def test_whole_keys_are_looked_up_with_batchgetitem():
    name = tracks_table(items=ITEMS)
    wanted = ITEMS[::2][:150]
    # read_once=0: 151 keys of a table of 240 items would read it once
    # instead (test_185_joins.py); here, BatchGetItem
    sql = ("CREATE VIRTUAL TABLE t USING dynamo(table=%s, read_once=0);\n"
           "CREATE TEMP TABLE k(u TEXT, ts TEXT);\n" % name)
    sql += "".join("INSERT INTO k VALUES ('%s', '%s');\n" % (i["uuid"], i["timestamp"])
                   for i in wanted)
    sql += "INSERT INTO k VALUES ('nope', 'x');\n"
    sql += ("SELECT count(*), group_concat(model, '') FROM (SELECT model FROM t WHERE _key IN "
            "(SELECT dynamo_key('t', u, ts) FROM k) ORDER BY uuid, timestamp);\n")
    rc, out, err, reqs = traced(sql)
    eq((rc, err), (0, ""))
    srt = sorted(wanted, key=lambda i: (i["uuid"], i["timestamp"]))
    eq(out.strip(), "%d|%s" % (len(wanted), "".join(i["model"] for i in srt)))
    reads = [(o, r) for o, r in reqs if o in ("GetItem", "BatchGetItem", "Query", "Scan")
             and r.get("Limit") != 1000]
    n = len(wanted) + 1  # 'nope' is a key too, of no item
    assert 100 < n <= 200, n
    eq([o for o, r in reads], ["BatchGetItem", "BatchGetItem"])  # two requests
    eq(sorted(len(r["RequestItems"][name]["Keys"]) for o, r in reads), [n - 100, 100])


def test_the_key_lookup_is_what_explain_shows_and_keys_must_be_whole():
    name = tracks_table(items=ITEMS)
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s)" % name)
    it = ITEMS[5]

    def plan(sql, *args):
        return c.execute("EXPLAIN QUERY PLAN " + sql, args).fetchall()[0][3].split(":", 1)[1]
    assert plan("SELECT * FROM t WHERE _key IN (SELECT dynamo_key('t', 'a', 'b'))").startswith(
        "BatchGetItem _key IN (...)"), plan
    assert plan("SELECT * FROM t WHERE _key = ?", "x").startswith("GetItem _key=?")
    key = c.execute("SELECT dynamo_key('t', ?, ?)", (it["uuid"], it["timestamp"])).fetchone()[0]
    eq(key, '{"uuid":{"S":"%s"},"timestamp":{"S":"%s"}}' % (it["uuid"], it["timestamp"]))
    eq(c.execute("SELECT _key FROM t WHERE uuid = ? AND timestamp = ?",
                 (it["uuid"], it["timestamp"])).fetchone()[0], key)
    eq(c.execute("SELECT model FROM t WHERE _key = ?", (key,)).fetchall(), [(it["model"],)])
    # a text that is not the key's own spelling matches no row, as text would
    other = '{"timestamp":{"S":"%s"},"uuid":{"S":"%s"}}' % (it["timestamp"], it["uuid"])
    eq(c.execute("SELECT model FROM t WHERE _key = ?", (other,)).fetchall(), [])
    for bad in ("not json", "[1]", '{"uuid":{"S":"u00"}}', '{"uuid":{"N":"1"},"timestamp":{"S":"x"}}',
                '{"uuid":{"S":"u00"},"timestamp":{"S":"x"},"more":{"S":"y"}}',
                '{"uuid":{"S":""},"timestamp":{"S":"x"}}'):
        eq(c.execute("SELECT * FROM t WHERE _key = ?", (bad,)).fetchall(), [])
        eq(c.execute("SELECT * FROM t WHERE _key IN (?, ?)", (bad, key)).fetchall()[0][0], it["uuid"])
    # dynamo_key: NULL where no key can be that, errors that say what to write
    eq(c.execute("SELECT dynamo_key('t', NULL, 'x')").fetchone()[0], None)
    raises(lambda: c.execute("SELECT dynamo_key('t', 'a')").fetchone(),
           "dynamo_key: t takes its key: dynamo_key('t', uuid, timestamp)")
    raises(lambda: c.execute("SELECT dynamo_key('nosuch', 'a', 'b')").fetchone(),
           "dynamo_key: no dynamo table named nosuch")
    c.execute("CREATE TABLE native(x)")
    raises(lambda: c.execute("SELECT dynamo_key('native', 'a', 'b')").fetchone(),
           "no dynamo table named native")


def test_dynamo_key_converts_as_the_key_columns_do_and_opens_the_table():
    name = tracks_table(items=[{"id": 3, "n": 1}, {"id": 12345678901234567890123, "n": 2}],
                        pk=("id", "N"), sk=None)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "db.sqlite")
        c = connect(path)
        c.execute("CREATE VIRTUAL TABLE n USING dynamo(table=%s)" % name)
        c.close()
        c = connect(path)  # n is not open on this connection until named
        eq(c.execute("SELECT dynamo_key('N', 3)").fetchone()[0], '{"id":{"N":"3"}}')
        c.close()
    c = connect(":memory:")
    c.execute("CREATE VIRTUAL TABLE n USING dynamo(table=%s)" % name)
    # 3.0, '3' and 3 are one key, as the N column's affinity makes them
    eq(c.execute("SELECT dynamo_key('n', 3.0), dynamo_key('n', '3'), dynamo_key('n', 'x')").fetchone(),
       ('{"id":{"N":"3"}}', '{"id":{"N":"3"}}', None))
    got = sorted(r[0] for r in c.execute(
        "SELECT n FROM n WHERE _key IN (SELECT dynamo_key('n', v) FROM (SELECT 3.0 AS v "
        "UNION ALL SELECT '12345678901234567890123' UNION ALL SELECT 4))"))
    eq(got, [1, 2])


def test_a_row_value_in_list_is_a_scan_that_scan_0_refuses():
    # SQLite hands a virtual table no constraint for (a, b) IN (VALUES ...)
    # of several rows: that reads the whole table, which scan=0 refuses; a
    # subquery of a table is one GetItem per row, like the join
    name = tracks_table(items=ITEMS)
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, scan=0)" % name)
    a, b = ITEMS[0], ITEMS[7]
    raises(lambda: c.execute("SELECT * FROM t WHERE (uuid, timestamp) IN (VALUES (?, ?), (?, ?))",
                             (a["uuid"], a["timestamp"], b["uuid"], b["timestamp"])).fetchall(),
           "would read all of %s with a Scan" % name)
    c.execute("CREATE TEMP TABLE k(u, ts)")
    c.executemany("INSERT INTO k VALUES (?, ?)", [(a["uuid"], a["timestamp"]),
                                                  (b["uuid"], b["timestamp"])])
    eq(sorted(c.execute("SELECT model FROM t WHERE (uuid, timestamp) IN (SELECT u, ts FROM k)")),
       sorted([(a["model"],), (b["model"],)]))


def test_processes_share_one_scan_with_segment():
    name = tracks_table(items=ITEMS)
    script = ("import sqlite3, sys\n"
              "c = sqlite3.connect(':memory:')\n"
              "c.enable_load_extension(True)\n"
              "c.load_extension(sys.argv[1])\n"
              "c.execute(\"CREATE VIRTUAL TABLE t USING dynamo(table=%s, segments=%s, segment=%s)\""
              " % (sys.argv[2], sys.argv[3], sys.argv[4]))\n"
              "for r in c.execute('SELECT uuid, timestamp FROM t'):\n"
              "    print(r[0], r[1])\n")
    shares = ["0", "1", "2-3", "4"]
    procs = [subprocess.Popen(["/usr/bin/python3", "-c", script, so_path(), name, "5", k],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for k in shares]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        eq((p.returncode, err), (0, ""))
        outs.append([tuple(line.split(" ", 1)) for line in out.splitlines()])
    union = [k for o in outs for k in o]
    eq(len(union), len(set(union)), "no item read twice")
    eq(sorted(union), sorted((i["uuid"], i["timestamp"]) for i in ITEMS))
    assert sum(1 for o in outs if o) >= 2, [len(o) for o in outs]  # shared, not one reader
    # the requests: segment 2-3 reads two segments of five
    rc, out, err, reqs = traced("CREATE VIRTUAL TABLE t USING dynamo(table=%s, segments=5, "
                                "segment=2-3);\nSELECT count(*) FROM t;" % name)
    eq((rc, err), (0, ""))
    scans = [r for o, r in reqs if o == "Scan" and r.get("Limit") != 1000]
    eq(sorted(r["Segment"] for r in scans if "ExclusiveStartKey" not in r), [2, 3])
    assert all(r["TotalSegments"] == 5 for r in scans), scans
