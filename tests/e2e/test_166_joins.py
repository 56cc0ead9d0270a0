"""Plans priced from the table's size (cost.h): a join driven by a few local
rows never Scans a large table, whether or not the local table was
ANALYZEd; a join over many keys of a small table does not pay a round trip
per key (the plan Scans it, or the statement's lookups read it once,
cache.c); counting reads no items (Select=COUNT); EXPLAIN QUERY PLAN says
what a plan expects. Sizes are presented by rewriting DescribeTable in a
proxy (tests/faultproxy.py present_size), so that both servers plan
alike: dynalite reports none, DynamoDB Local the true ones."""

import os
import sqlite3

from harness import connect, eq, note
from fixtures import tracks_table
from faultproxy import FaultProxy

READS = ("GetItem", "BatchGetItem", "Query", "Scan")


def make_items(n_uuid, n_per, pad=150):
    return [{"uuid": "u%03d" % u, "timestamp": "t%04d" % t, "speed": u * 1000 + t,
             "model": "m%d" % (t % 3), "pad": "x" * pad}
            for u in range(n_uuid) for t in range(n_per)]


class Sized:
    """A DynamoDB table behind a proxy that presents it as size_bytes and
    item_count; conn() a connection with it as `o`, and the items in a
    native table `native` with the same columns."""

    def __init__(self, items, size_bytes, item_count):
        self.items = items
        self.name = tracks_table("joins", items=items)
        self.proxy = FaultProxy(os.environ["AWS_ENDPOINT_URL_DYNAMODB"], rate=0).start()
        self.proxy.present_size(self.name, size_bytes, item_count)

    def conn(self, options=""):
        c = connect()
        c.execute("CREATE VIRTUAL TABLE o USING dynamo(table=%s, endpoint='%s', speed INTEGER, "
                  "model TEXT, pad TEXT%s)" % (self.name, self.proxy.url, options))
        c.execute("CREATE TEMP TABLE native(uuid TEXT, timestamp TEXT, speed INTEGER, model TEXT, "
                  "pad TEXT, PRIMARY KEY (uuid, timestamp))")
        c.executemany("INSERT INTO native VALUES (?, ?, ?, ?, ?)",
                      [(i["uuid"], i["timestamp"], i["speed"], i["model"], i["pad"])
                       for i in self.items])
        c.execute("DELETE FROM dynamo_stats")
        return c

    def close(self):
        self.proxy.close()


def reads(c):
    """The read requests sent since the last call, by operation."""
    got = {op: n for op, n in c.execute("SELECT operation, sum(requests) FROM dynamo_stats "
                                        "GROUP BY 1").fetchall() if op in READS}
    c.execute("DELETE FROM dynamo_stats")
    return got


def plan(c, sql, args=()):
    return [r[3] for r in c.execute("EXPLAIN QUERY PLAN " + sql, args).fetchall()]


def same_as_native(c, sql):
    """The query's rows, which must be those of the native copy's."""
    got = sorted(c.execute(sql).fetchall(), key=repr)
    want = sorted(c.execute(sql.replace(" o ", " native o ").replace(" o\n", " native o\n")
                            ).fetchall(), key=repr)
    eq(got, want, sql)
    return got


def local_rows(c, keys, analyze):
    c.execute("DROP TABLE IF EXISTS c")
    c.execute("CREATE TABLE c(id TEXT, ts TEXT, country TEXT)")
    c.executemany("INSERT INTO c VALUES (?, ?, ?)", keys)
    if analyze:
        c.execute("ANALYZE")


JOINS = [
    "SELECT c.id, count(o.timestamp), sum(o.speed) FROM c JOIN o ON o.uuid = c.id GROUP BY c.id",
    "SELECT c.id, sum(o.speed) FROM c JOIN o ON o.uuid = c.id WHERE c.country = 'US' GROUP BY c.id",
    "SELECT c.id, o.speed FROM c JOIN o ON o.uuid = c.id AND o.timestamp = c.ts",
    "SELECT o.uuid, o.speed FROM o JOIN c ON o.uuid = c.id AND o.timestamp = c.ts",
    "SELECT count(*), sum(speed) FROM o WHERE uuid IN (SELECT id FROM c)",
    "SELECT count(*) FROM o WHERE uuid IN (SELECT id FROM c WHERE country = 'US')",
]


def test_a_few_local_rows_never_scan_a_large_table():
    # 60 partitions of 5 items, presented as 50 GB: with or without ANALYZE,
    # with or without a WHERE on the local table, whichever table the query
    # names first, the local rows drive lookups and nothing is Scanned
    t = Sized(make_items(60, 5), 50 << 30, 50000000)
    try:
        c = t.conn()
        keys = [("u%03d" % (i * 7), "t%04d" % (i % 5), "US" if i % 2 else "FR") for i in range(9)]
        keys.append(("nobody", "t0000", "US"))
        for analyze in (False, True):
            local_rows(c, keys, analyze)
            for sql in JOINS:
                p = plan(c, sql)
                assert not any(":Scan" in line for line in p), (analyze, sql, p)
                reads(c)
                same_as_native(c, sql)
                got = reads(c)
                assert "Scan" not in got and sum(got.values()) <= 12, (analyze, sql, got)
        # a size not known yet (0 reported: a new table) is never small
        t.proxy.present_size(t.name, 0, 0)
        c = t.conn()
        local_rows(c, keys, False)
        for sql in JOINS:
            assert not any(":Scan" in line for line in plan(c, sql)), plan(c, sql)
            same_as_native(c, sql)
            assert "Scan" not in reads(c), sql
    finally:
        t.close()


def test_many_keys_of_a_small_table_do_not_pay_a_round_trip_each():
    # 1,200 items, presented as 6,000 of 1.4 MB (two pages)
    t = Sized(make_items(60, 20), 1400000, 6000)
    try:
        c = t.conn()
        many = [("u%03d" % (i % 60), "t%04d" % (i % 20), "US") for i in range(0, 1200, 6)]
        sql = "SELECT c.id, o.speed FROM c JOIN o ON o.uuid = c.id AND o.timestamp = c.ts"
        for analyze in (False, True):  # 200 keys: one Scan, not 200 GetItems
            local_rows(c, many, analyze)
            p = plan(c, sql)
            assert any(":Scan" in line for line in p), p
            reads(c)
            eq(len(same_as_native(c, sql)), 200)
            got = reads(c)
            assert got.get("Scan", 0) <= 3 and "GetItem" not in got, (analyze, got)
        # 10 keys counted by ANALYZE: 10 GetItems (cheaper than the Scan)
        local_rows(c, many[:10], True)
        assert not any(":Scan" in line for line in plan(c, sql)), plan(c, sql)
        same_as_native(c, sql)
        eq(reads(c), {"GetItem": 10})
    finally:
        t.close()


def test_a_statements_lookups_read_a_small_table_once():
    t = Sized(make_items(60, 20), 1400000, 6000)
    try:
        c = t.conn()
        keys = [("u%03d" % (i % 60), "t%04d" % (i % 20), "US") for i in range(0, 1200, 6)]
        keys += [("nobody", "t0000", "US")]
        local_rows(c, keys, False)
        # SQLite puts o inside: a LEFT JOIN, a correlated subquery, an IN
        # list per outer row; each a lookup until they have cost a Scan
        sqls = ["SELECT c.id, c.ts, o.speed FROM c LEFT JOIN o ON o.uuid = c.id AND o.timestamp = c.ts",
                "SELECT c.id, (SELECT speed FROM o WHERE uuid = c.id AND timestamp = c.ts) FROM c",
                "SELECT c.id, (SELECT sum(speed) FROM o WHERE uuid = c.id) FROM c"]
        for sql in sqls:
            p = " ".join(plan(c, sql))
            after = int(p.split("read once after ")[1].split(" ")[0])
            assert 25 <= after <= 45, p
            reads(c)
            eq(len(same_as_native(c, sql)), len(keys))
            got = reads(c)
            lookups = got.get("GetItem", 0) + got.get("Query", 0)
            eq((lookups, got.get("Scan")), (after, 2), sql)  # two segments side by side
        # read_once=0: every lookup goes out
        c2 = t.conn(", read_once=0")
        local_rows(c2, keys, False)
        same_as_native(c2, sqls[0])
        eq(reads(c2), {"GetItem": len(keys)})
        # a table larger than read_once= MB is not copied
        c3 = t.conn(", read_once=1")
        local_rows(c3, keys, False)
        assert "read once" not in " ".join(plan(c3, sqls[0]))
        same_as_native(c3, sqls[0])
        eq(reads(c3), {"GetItem": len(keys)})
        # nor where Scans are refused
        c4 = t.conn(", scan=0")
        local_rows(c4, keys, False)
        same_as_native(c4, sqls[0])
        eq(reads(c4), {"GetItem": len(keys)})
    finally:
        t.close()


def test_the_copy_never_hides_a_write():
    t = Sized(make_items(60, 20), 1400000, 6000)
    try:
        c = t.conn()
        keys = [("u%03d" % (i % 60), "t%04d" % (i % 20), "US") for i in range(0, 1200, 6)]
        keys.append(("late", "t0000", "US"))
        local_rows(c, keys, False)
        sql = "SELECT c.id, o.speed FROM c LEFT JOIN o ON o.uuid = c.id AND o.timestamp = c.ts"
        # an item written while the statement runs, after the copy was read
        cur = c.execute(sql)
        first = cur.fetchmany(100)
        assert reads(c).get("Scan") == 2
        c.execute("INSERT INTO o(uuid, timestamp, speed) VALUES ('late', 't0000', 7)")
        rest = cur.fetchall()
        eq((len(first) + len(rest), rest[-1]), (len(keys), ("late", 7)))
        # writes pending in a transaction (atomic=1 sends them at COMMIT):
        # no copy, which could not show them either way
        c.execute("DELETE FROM o WHERE uuid = 'late'")
        ca = t.conn(", atomic=1")
        local_rows(ca, keys, False)
        ca.execute("BEGIN")
        ca.execute("INSERT INTO o(uuid, timestamp, speed) VALUES ('late', 't0001', 8)")
        reads(ca)
        eq(len(ca.execute(sql).fetchall()), len(keys))
        got = reads(ca)
        assert "Scan" not in got, got
        ca.execute("ROLLBACK")
        # a statement that writes reads no copy: INSERT ... SELECT
        c.execute("CREATE TEMP TABLE copy(id, speed)")
        reads(c)
        c.execute("INSERT INTO copy " + sql)
        eq(reads(c), {"GetItem": len(keys)})
        eq(c.execute("SELECT count(*) FROM copy").fetchone()[0], len(keys))
    finally:
        t.close()


def test_a_copy_larger_than_its_size_said_is_given_up():
    # presented as 100 KB (a stale size), the items hold 2.4 MB: the copy
    # stops at twice read_once=1 (MB), and the lookups go on
    items = make_items(30, 40, pad=2000)
    t = Sized(items, 100000, 1200)
    try:
        c = t.conn(", read_once=1")
        keys = [("u%03d" % (i % 30), "t%04d" % (i % 40), "US") for i in range(0, 1200, 4)]
        local_rows(c, keys, False)
        sql = "SELECT c.id, o.pad FROM c LEFT JOIN o ON o.uuid = c.id AND o.timestamp = c.ts"
        assert "read once" in " ".join(plan(c, sql))
        reads(c)
        eq(len(same_as_native(c, sql)), len(keys))
        got = reads(c)
        assert got.get("Scan", 0) >= 1 and got["GetItem"] == len(keys), got
        note("given up: %s" % got)
    finally:
        t.close()


def test_counting_reads_no_items():
    # 20 partitions of 150 items: Select=COUNT, a few hundred bytes
    items = make_items(40, 150, pad=20)
    t = Sized(items, 300000, len(items))
    try:
        c = t.conn()
        uuids = ["u%03d" % i for i in range(0, 40, 2)]
        marks = ",".join("?" * len(uuids))
        for sql, args in [("SELECT count(*) FROM o WHERE uuid IN (%s)" % marks, uuids),
                          ("SELECT uuid, count(*) FROM o WHERE uuid IN (%s) GROUP BY uuid" % marks,
                           uuids),
                          ("SELECT count(*) FROM o WHERE uuid = ?", uuids[:1]),
                          ("SELECT count(*), uuid FROM o WHERE uuid = ?", uuids[:1]),
                          ("SELECT count(*) FROM o WHERE uuid IN (%s) AND model = 'm1'" % marks,
                           uuids)]:
            p = " ".join(plan(c, sql, args))
            assert " COUNT " in p, p
            c.execute("DELETE FROM dynamo_stats")
            got = c.execute(sql, args).fetchall()
            eq(got, c.execute(sql.replace(" o ", " native "), args).fetchall())
            nbytes = c.execute("SELECT sum(bytes) FROM dynamo_stats").fetchone()[0]
            assert nbytes < 5000, (sql, nbytes)
        # SQLite reads _key to merge an OR's branches: the items after all
        sql = "SELECT count(*) FROM o WHERE uuid = 'u000' OR uuid IN ('u002', 'u004')"
        eq(c.execute(sql).fetchall(), [(450,)])
        # a DELETE reads the keys: the rows go, none is counted instead
        c.execute("DELETE FROM o WHERE uuid IN ('u001', 'u003') AND timestamp < 't0010'")
        eq(c.execute("SELECT count(*) FROM o WHERE uuid IN ('u001', 'u003')").fetchall(), [(280,)])
    finally:
        t.close()


def test_explain_says_what_the_plan_expects():
    t = Sized(make_items(4, 5), 1400000, 6000)
    try:
        c = t.conn()
        c.execute("CREATE TEMP TABLE k(u TEXT, ts TEXT)")

        def expect(sql):
            line = [l for l in plan(c, sql) if "VIRTUAL TABLE" in l][0]
            return line.split(" (expect: ")[1].rsplit(") PROJECT ", 1)[0]
        eq(expect("SELECT count(*) FROM o"),
           "6000 items, 1.3 MB: 3 requests, 1 round trip deep, 171 read units")
        eq(expect("SELECT * FROM o WHERE uuid = 'a'"), "~77 items, 1 request; read once after 28 lookups")
        eq(expect("SELECT * FROM o WHERE uuid = 'a' AND timestamp > 'b'"), "~19 items, 1 request")
        eq(expect("SELECT * FROM o WHERE uuid IN ('a', 'b')"),
           "~77 items a partition, 1 request each, side by side")
        eq(expect("SELECT * FROM o WHERE uuid = 'a' AND timestamp = 'b'"),
           "1 request a key; read once after 40 lookups")
        eq(expect("SELECT * FROM o WHERE _key IN (SELECT dynamo_key('o', u, ts) FROM k)"),
           "100 keys a request, side by side")
        c2 = t.conn(", consistent_read=1, segments=1")
        eq([l for l in plan(c2, "SELECT count(*) FROM o") if "VIRTUAL" in l][0].split("(expect: ")[1],
           "6000 items, 1.3 MB: 2 requests, 2 round trips deep, 342 read units) PROJECT 0")
        t.proxy.present_size(t.name, 0, 0)
        c3 = t.conn()
        assert "(expect: size not known yet)" in plan(c3, "SELECT * FROM o")[0]
    finally:
        t.close()
