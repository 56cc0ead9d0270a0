"""What a report cost (dynamo_stats, from the capacity DynamoDB reports),
rate limits on capacity units, and the full-scan guard."""


from harness import connect, ddb, eq, raises, server
from fixtures import tracks_table, track_items
from fakeserver import FakeServer, describe

ITEMS = track_items(3, 40)


def stats(c):
    return {(r[0], r[1]): r[2:] for r in c.execute(
        "SELECT table_name, operation, requests, retries, items, scanned_items, capacity_units, "
        "bytes, waited_ms FROM dynamo_stats")}


def test_stats_count_requests_items_and_capacity_as_the_server_reports():
    name = tracks_table(items=ITEMS)
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, segments=1)" % name)
    c.execute("DELETE FROM dynamo_stats")
    eq(c.execute("SELECT count(*) FROM dynamo_stats").fetchone()[0], 0)
    n = c.execute("SELECT count(*) FROM t").fetchone()[0]
    eq(n, len(ITEMS))
    s = stats(c)
    requests, retries, items, scanned, capacity, nbytes, waited = s[(name, "Scan")]
    eq((requests, retries, items, scanned), (1, 0, len(ITEMS), len(ITEMS)))
    assert nbytes > 0 and waited == 0, s
    # the same Scan by an independent client, asking what it consumed
    out = ddb().call("Scan", {"TableName": name, "ProjectionExpression": "#u, #t",
                              "ExpressionAttributeNames": {"#u": "uuid", "#t": "timestamp"},
                              "ReturnConsumedCapacity": "TOTAL"})
    eq(capacity, out["ConsumedCapacity"]["CapacityUnits"])
    assert capacity > 0, capacity
    # a Query and a GetItem add their own rows
    c.execute("SELECT * FROM t WHERE uuid = 'u01'").fetchall()
    it = ITEMS[0]
    c.execute("SELECT * FROM t WHERE uuid = ? AND timestamp = ?", (it["uuid"], it["timestamp"])).fetchall()
    s = stats(c)
    eq(s[(name, "Query")][:4], (1, 0, 40, 40))
    eq(s[(name, "GetItem")][:3], (1, 0, 1))
    assert s[(name, "GetItem")][4] > 0, s
    # writes count too
    c.execute("INSERT INTO t(uuid, timestamp) VALUES ('new', 'x')")
    c.execute("INSERT OR REPLACE INTO t(uuid, timestamp) VALUES ('new', 'y'), ('new', 'z')")
    s = stats(c)
    eq(s[(name, "PutItem")][0], 1)
    eq(s[(name, "BatchWriteItem")][0], 1)
    assert s[(name, "PutItem")][4] >= 1 and s[(name, "BatchWriteItem")][4] >= 2, s
    # DELETE resets, per row or all
    c.execute("DELETE FROM dynamo_stats WHERE operation = 'Scan'")
    assert (name, "Scan") not in stats(c) and (name, "Query") in stats(c)
    c.execute("SELECT count(*) FROM t").fetchone()
    eq(stats(c)[(name, "Scan")][0], 1)
    raises(lambda: c.execute("UPDATE dynamo_stats SET requests = 0"), "only DELETE")


def test_retries_are_counted():
    with FakeServer() as fs:
        c = connect()
        fs.script("DescribeTable", describe())
        c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s', n N)" % fs.url)
        fs.script("Scan", (500, {"__type": "InternalServerError", "message": "x"}),
                  (200, {"Items": [], "Count": 0, "ScannedCount": 7,
                         "ConsumedCapacity": {"TableName": "Fake", "CapacityUnits": 1}}))
        c.execute("SELECT * FROM t").fetchall()
        eq(stats(c)[("Fake", "Scan")][:5], (2, 1, 0, 7, 1.0))
        body = [b for op, h, b in fs.requests if op == "Scan"][0]
        eq(body["ReturnConsumedCapacity"], "TOTAL")


def test_max_read_units_holds_requests_back():
    with FakeServer() as fs:
        c = connect()
        fs.script("DescribeTable", describe())
        c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s', n N, segments=1, "
                  "max_read_units=20)" % fs.url)
        item = {"uuid": {"S": "u"}, "timestamp": {"S": "t"}}
        lek = {"uuid": {"S": "u"}, "timestamp": {"S": "t"}}
        pages = [(200, {"Items": [item], "Count": 1, "LastEvaluatedKey": lek,
                        "ConsumedCapacity": {"TableName": "Fake", "CapacityUnits": 10}})] * 5
        pages.append((200, {"Items": [item], "Count": 1,
                            "ConsumedCapacity": {"TableName": "Fake", "CapacityUnits": 10}}))
        fs.script("Scan", *pages)
        eq(len(c.execute("SELECT * FROM t").fetchall()), 6)
        # 60 units at 20 a second, 20 in hand: the sixth page is asked for
        # 1.5 s after the first at the earliest, and the wait is counted
        eq(fs.ops().count("Scan"), 6)
        eq(fs.rate_ceiling_broken("Scan", [10] * 6, 20), None)
        assert stats(c)[("Fake", "Scan")][6] > 0, stats(c)


def test_max_write_units_holds_writes_back():
    with FakeServer() as fs:
        c = connect()
        fs.script("DescribeTable", describe())
        c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s', n N, "
                  "max_write_units=20)" % fs.url)
        fs.script("PutItem", *[(200, {"ConsumedCapacity": {"TableName": "Fake",
                                                           "CapacityUnits": 10}})] * 6)
        for i in range(6):
            c.execute("INSERT INTO t(uuid, timestamp, n) VALUES ('u', ?, ?)", ("t%d" % i, i))
        # each INSERT is a PutItem of 10 units: the sixth goes 1.5 s after
        # the first at the earliest
        eq(fs.ops().count("PutItem"), 6)
        eq(fs.rate_ceiling_broken("PutItem", [10] * 6, 20), None)
        assert stats(c)[("Fake", "PutItem")][6] > 0, stats(c)


def test_scans_can_be_refused_per_table_or_per_connection():
    name = tracks_table(items=ITEMS)
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, scan=0)" % name)
    e = raises(lambda: c.execute("SELECT count(*) FROM t WHERE model = 'Pixel 3'").fetchall(),
               "dynamo: this query would read all of %s with a Scan: "
               "Scan FILTER model=? COUNT (expect: " % name)
    assert "); scans are off (scan=0): give uuid with =" in str(e), e
    assert "dynamo_config('scan', 1)" in str(e), e
    eq(c.execute("SELECT count(*) FROM t WHERE uuid = 'u01'").fetchone()[0], 40)
    # connection-wide
    c.execute("CREATE VIRTUAL TABLE t2 USING dynamo(table=%s)" % name)
    eq(c.execute("SELECT dynamo_config('scan')").fetchone()[0], 1)
    eq(c.execute("SELECT count(*) FROM t2").fetchone()[0], len(ITEMS))
    eq(c.execute("SELECT dynamo_config('scan', 0)").fetchone()[0], 0)
    raises(lambda: c.execute("SELECT count(*) FROM t2").fetchall(),
           "scans are off (dynamo_config('scan', 0))")
    c.execute("CREATE VIRTUAL TABLE t3 USING dynamo(table=%s, scan=1)" % name)
    eq(c.execute("SELECT count(*) FROM t3").fetchone()[0], len(ITEMS))  # the table says yes
    raises(lambda: c.execute("SELECT dynamo_config('scan', 2)"), "scan must be 0 or 1")
    raises(lambda: c.execute("SELECT dynamo_config('colour')"), "unknown setting")


def test_an_attribute_named_like_a_request_member_keeps_the_capacity_counted():
    # Whether a request asks for its consumed capacity is read from the
    # request, not from its printed JSON, which holds the item's attribute
    # names too: an item with an attribute named ReturnConsumedCapacity is
    # still counted (and still held back by max_write_units).
    with FakeServer() as fs:
        c = connect()
        fs.script("DescribeTable", describe())
        c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s', n N)" % fs.url)
        fs.script("PutItem", (200, {"ConsumedCapacity": {"TableName": "Fake", "CapacityUnits": 1}}))
        c.execute("INSERT INTO t(item) VALUES (?)",
                  ('{"uuid":{"S":"u"},"timestamp":{"S":"t"},'
                   '"ReturnConsumedCapacity":{"S":"NONE"}}',))
        body = [b for op, h, b in fs.requests if op == "PutItem"][0]
        eq(body["ReturnConsumedCapacity"], "TOTAL")
        eq(body["Item"]["ReturnConsumedCapacity"], {"S": "NONE"})
        eq(stats(c)[("Fake", "PutItem")][4], 1.0)
