"""Reading fast: the next page is asked for while SQLite reads the current
one; a Scan can run in parallel segments (segments=N, or by table size);
results never change."""

import time

from harness import connect, ddb, eq, raises, traced
from fixtures import tracks_table, track_items
from fakeserver import FakeServer, describe

ITEM = {"uuid": {"S": "u"}, "timestamp": {"S": "t"}, "n": {"N": "5"}}


def page(i, n, more=True):
    out = {"Items": [dict(ITEM, timestamp={"S": "p%d-%03d" % (i, k)}) for k in range(n)]}
    if more:
        out["LastEvaluatedKey"] = {"uuid": {"S": "u"}, "timestamp": {"S": "p%d" % i}}
    return (200, out)


def test_the_next_page_is_asked_for_while_the_current_one_is_read():
    with FakeServer() as fs:
        c = connect()
        fs.script("DescribeTable", describe())
        c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s', segments=1, n N)"
                  % fs.url)
        fs.script("Scan", page(0, 100), page(1, 100), page(2, 10, more=False))
        cur = c.execute("SELECT n FROM t")
        eq(cur.fetchone(), (5,))
        deadline = time.monotonic() + 5
        while fs.ops().count("Scan") < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        eq(fs.ops().count("Scan"), 2, "page 2 asked for while row 1 of page 1 is read")
        eq(len(cur.fetchall()), 209)
        eq(fs.ops().count("Scan"), 3)


def test_no_prefetch_when_sqlite_may_stop_early():
    # DYNAMO_TRACE prints each request as it is started: the shell's trace
    # lists a prefetch even if the fake never saw it arrive
    with FakeServer() as fs:
        fs.script("DescribeTable", describe())
        fs.script("Query", page(0, 10), page(1, 10, more=False))
        rc, out, err, reqs = traced(
            "CREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s', n N);\n"
            "SELECT n FROM t WHERE uuid = 'u' ORDER BY timestamp LIMIT 10;" % fs.url)
        eq((rc, err), (0, ""))
        eq(len(out.split()), 10)
        eq([o for o, r in reqs if o == "Query"], ["Query"],
           "a full first page answers LIMIT 10: no second request")


def test_segments_read_in_parallel_and_give_the_same_rows():
    items = track_items(6, 100)
    name = tracks_table(items=items)
    want = (len(items), round(sum(float(i.get("speed", 0)) for i in items), 6))
    for seg in (1, 3, 16):
        rc, out, err, reqs = traced(
            "CREATE VIRTUAL TABLE t USING dynamo(table=%s, segments=%d);\n"
            "SELECT count(*), round(total(speed), 6) FROM t;" % (name, seg))
        eq((rc, err), (0, ""))
        n, total = out.strip().split("|")
        eq((int(n), float(total)), want, "segments=%d" % seg)
        scans = [r for o, r in reqs if o == "Scan" and "Limit" not in r]
        if seg == 1:
            assert all("Segment" not in r for r in scans), scans
        else:
            eq(sorted(r["Segment"] for r in scans if "ExclusiveStartKey" not in r), list(range(seg)))
            assert all(r["TotalSegments"] == seg for r in scans), scans


def test_segments_are_chosen_by_table_size():
    with FakeServer() as fs:
        c = connect()
        d = describe()
        d[1]["Table"]["TableSizeBytes"] = 2 * 1024 * 1024 + 1
        fs.script("DescribeTable", d)
        c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s', n N)" % fs.url)
        fs.script("Scan", *[page(i, 1, more=False) for i in range(3)])
        eq(len(c.execute("SELECT n FROM t").fetchall()), 3)
        scans = [b for op, h, b in fs.requests if op == "Scan"]
        eq(sorted(s["Segment"] for s in scans), list(range(3)))  # a segment a MB begun
        assert all(s["TotalSegments"] == 3 for s in scans), scans
        eq(fs.ops().count("DescribeTable"), 1, "the size CREATE saw is reused")
        # a table of up to 1 MB is one segment; a large one at most 4
        for size, want in ((1024 * 1024, 1), (200 * 1024 * 1024, 4)):
            d[1]["Table"]["TableSizeBytes"] = size
            fs.script("DescribeTable", d)
            c.execute("CREATE VIRTUAL TABLE t%d USING dynamo(table=Fake, endpoint='%s', n N)"
                      % (want, fs.url))
            fs.script("Scan", *[page(i, 1, more=False) for i in range(want)])
            before = len(fs.requests)
            eq(len(c.execute("SELECT n FROM t%d" % want).fetchall()), want)
            scans = [b for op, h, b in fs.requests[before:] if op == "Scan"]
            eq(len(scans), want)
            if want == 1:
                assert "Segment" not in scans[0], scans
            else:
                eq(sorted(s["Segment"] for s in scans), list(range(want)))
        # a LIMIT or an early stop reads one segment, small pages
        fs.script("Scan", page(0, 3, more=False))
        eq(len(c.execute("SELECT n FROM t LIMIT 3").fetchall()), 3)
        assert "Segment" not in fs.requests[-1][2], fs.requests[-1][2]


def test_segments_option_is_checked():
    c = connect()
    for bad in ("0", "1000001", "x", "-1"):
        raises(lambda: c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=x, segments=%s)" % bad),
               "segments must be")
