"""UPDATE -> UpdateItem, DELETE -> DeleteItem, changed keys, the item
column; writes kept until the commit and sent in batches, concurrently;
ROLLBACK, savepoints, reading one's own writes; every failed write
reported."""

import json
import threading
import os
import sqlite3

from harness import connect, ddb, eq, note, raises, server, skip, traced, unprocessed_rounds
from fixtures import tracks_table, track_items
from fakeserver import FakeServer, describe
from ddbclient import marshal_item, unmarshal_item
from faultproxy import FaultProxy


def items_of(name):
    return sorted((unmarshal_item(i) for i in ddb().scan_all(name)),
                  key=lambda d: (d["uuid"], d["timestamp"]))


def get(name, uuid, ts):
    return unmarshal_item(ddb().get_item(name, {"uuid": {"S": uuid}, "timestamp": {"S": ts}}))


def table(items=(), columns="speed N, note S, model S"):
    name = tracks_table("w", items=items)
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, %s)" % (name, columns))
    return name, c


BASE = [{"uuid": "u1", "timestamp": "2017-12-0%d" % d, "speed": 10 + d, "note": "n%d" % d,
         "model": "m", "extra": "kept"} for d in range(1, 5)]


def test_update_sets_and_removes_only_what_changes():
    name = tracks_table("w", items=BASE)
    rc, out, err, reqs = traced(
        "CREATE VIRTUAL TABLE t USING dynamo(table=%s, speed N, note S, model S);\n"
        "UPDATE t SET speed = 0, note = NULL WHERE uuid = 'u1' AND timestamp < '2017-12-03';"
        % name)
    eq((rc, err), (0, ""))
    ups = [r for o, r in reqs if o == "UpdateItem"]
    eq(len(ups), 2)
    for r in ups:
        names = r["ExpressionAttributeNames"]
        eq(r["ConditionExpression"], "attribute_exists(#pk)")
        eq(names["#pk"], "uuid")
        expr = r["UpdateExpression"]
        assert expr.startswith("SET ") and " REMOVE " in expr, expr
        assert "speed" not in expr and "note" not in expr, expr
        eq(sorted(v for k, v in names.items() if k != "#pk"), ["note", "speed"])
    got = items_of(name)
    eq([(i["timestamp"], i.get("speed"), i.get("note"), i["extra"]) for i in got],
       [("2017-12-01", 0, None, "kept"), ("2017-12-02", 0, None, "kept"),
        ("2017-12-03", 13, "n3", "kept"), ("2017-12-04", 14, "n4", "kept")])


def test_update_without_a_change_sends_nothing_and_missing_rows_stay_missing():
    name = tracks_table("w", items=BASE)
    rc, out, err, reqs = traced(
        "CREATE VIRTUAL TABLE t USING dynamo(table=%s, speed N, note S, model S);\n"
        "UPDATE t SET speed = speed WHERE uuid = 'nobody';\n"
        "UPDATE t SET model = model WHERE uuid = 'u1' AND timestamp = '2017-12-01';" % name)
    eq((rc, err), (0, ""))
    upd = [r for o, r in reqs if o == "UpdateItem"]
    eq(len(upd), 1)  # model = model is a change as SQLite sees it; the value is the same
    eq(items_of(name), sorted(BASE, key=lambda d: d["timestamp"]))


def test_update_of_a_key_moves_the_whole_item():
    name, c = table(BASE)
    c.execute("UPDATE t SET timestamp = '2018-01-01' WHERE uuid = 'u1' AND timestamp = '2017-12-01'")
    got = {i["timestamp"]: i for i in items_of(name)}
    assert "2017-12-01" not in got, got
    eq(got["2018-01-01"], dict(BASE[0], timestamp="2018-01-01"))
    c.execute("UPDATE t SET uuid = 'u2', speed = 99 WHERE uuid = 'u1' AND timestamp = '2017-12-02'")
    eq(get(name, "u2", "2017-12-02"), dict(BASE[1], uuid="u2", speed=99))
    eq(ddb().get_item(name, {"uuid": {"S": "u1"}, "timestamp": {"S": "2017-12-02"}}), None)


def test_update_of_a_key_onto_an_existing_one_fails_and_loses_nothing():
    name, c = table(BASE)
    e = raises(lambda: c.execute("UPDATE t SET timestamp = '2017-12-02' WHERE uuid = 'u1' "
                                 "AND timestamp = '2017-12-01'"), "UNIQUE constraint failed")
    eq(e.sqlite_errorcode & 0xff, 19)
    eq(items_of(name), sorted(BASE, key=lambda d: d["timestamp"]))


def test_update_of_the_item_column_replaces_the_item():
    name, c = table(BASE)
    c.execute("UPDATE t SET item = ? WHERE uuid = 'u1' AND timestamp = '2017-12-03'",
              (json.dumps({"uuid": {"S": "u1"}, "timestamp": {"S": "2017-12-03"},
                           "fresh": {"BOOL": True}}),))
    eq(get(name, "u1", "2017-12-03"), {"uuid": "u1", "timestamp": "2017-12-03", "fresh": True})
    # an item without its key keeps the row's key; columns set beside it win
    c.execute("UPDATE t SET item = '{\"a\": {\"N\": \"1\"}}', note = 'x' WHERE uuid = 'u1' "
              "AND timestamp = '2017-12-04'")
    eq(get(name, "u1", "2017-12-04"), {"uuid": "u1", "timestamp": "2017-12-04", "a": 1, "note": "x"})
    raises(lambda: c.execute("UPDATE t SET _key = '{}' WHERE uuid = 'u1'"), "_key cannot be set")


def test_delete_removes_the_rows_it_matches():
    name, c = table(BASE + [{"uuid": "u2", "timestamp": "x"}])
    rc, out, err, reqs = traced(
        "CREATE VIRTUAL TABLE t USING dynamo(table=%s);\n"
        "DELETE FROM t WHERE uuid = 'u1' AND timestamp >= '2017-12-03';" % name)
    eq((rc, err), (0, ""))
    batches = [r for o, r in reqs if o == "BatchWriteItem"]
    eq(len(batches), 1)
    eq(sorted(json.dumps(e["DeleteRequest"]["Key"], sort_keys=True)
              for e in batches[0]["RequestItems"][name]),
       sorted(json.dumps({"uuid": {"S": "u1"}, "timestamp": {"S": ts}}, sort_keys=True)
              for ts in ("2017-12-03", "2017-12-04")))
    eq([i["timestamp"] for i in items_of(name)], ["2017-12-01", "2017-12-02", "x"])
    c.execute("DELETE FROM t")
    eq(ddb().count(name), 0)


def test_bulk_replace_is_batched_25_at_a_time():
    src = tracks_table("src", items=track_items(4, 80))
    dst = tracks_table("dst")
    rc, out, err, reqs = traced(
        "CREATE VIRTUAL TABLE s USING dynamo(table=%s);\n"
        "CREATE VIRTUAL TABLE d USING dynamo(table=%s);\n"
        "INSERT OR REPLACE INTO d(item) SELECT item FROM s;\n"
        "SELECT count(*) FROM d;" % (src, dst))
    eq((rc, err), (0, ""))
    n = len(track_items(4, 80))
    eq(out.strip(), str(n))
    batches = [r for o, r in reqs if o == "BatchWriteItem"]
    eq(len(batches), (n + 24) // 25)
    eq(sum(len(b["RequestItems"][dst]) for b in batches), n)
    eq([o for o, r in reqs if o == "PutItem"], [])
    eq(items_of(dst), items_of(src))


def test_bulk_writes_keep_their_connections():
    # 2000 rows in one transaction: 80 BatchWriteItem in concurrent waves,
    # over at most as many connections as requests go at once (64), each
    # kept alive between waves rather than closed and opened again (which
    # costs a TLS handshake each on AWS)
    name = tracks_table("conns")
    with FaultProxy(os.environ["AWS_ENDPOINT_URL_DYNAMODB"], rate=0) as proxy:
        c = connect()
        c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, endpoint='%s', speed N)"
                  % (name, proxy.url))
        c.execute("BEGIN")
        c.executemany("INSERT OR REPLACE INTO t(uuid, timestamp, speed) VALUES (?, ?, ?)",
                      [("u%d" % (i % 7), "t%05d" % i, i) for i in range(2000)])
        c.execute("COMMIT")
        eq(c.execute("SELECT count(*) FROM t").fetchone()[0], 2000)
        st = proxy.stats
    eq(st["ops"]["BatchWriteItem"]["requests"], 80)
    note("bulk writes: %d requests over %d connections" % (st["requests"], st["connections"]))
    assert st["connections"] <= 64, st["connections"]


def test_plain_inserts_go_concurrently_and_still_refuse_existing_keys():
    name, c = table([{"uuid": "u", "timestamp": "t007", "note": "already there"}])
    rows = [("u", "t%03d" % i) for i in range(40)]
    e = raises(lambda: c.execute("INSERT INTO t(uuid, timestamp) VALUES " +
                                 ", ".join("('%s', '%s')" % r for r in rows)),
               "1 of 40 writes failed, 39 done")
    assert '"timestamp":{"S":"t007"}' in str(e) and "UNIQUE constraint failed" in str(e), e
    eq(ddb().count(name), 40)


def test_a_transaction_sends_nothing_before_commit_and_rollback_sends_nothing():
    name, c = table()
    c.execute("BEGIN")
    for i in range(30):
        c.execute("INSERT INTO t(uuid, timestamp, speed) VALUES ('u', ?, ?)", ("t%02d" % i, i))
    eq(ddb().count(name), 0, "nothing is sent before COMMIT")
    c.execute("COMMIT")
    eq(ddb().count(name), 30)
    c.execute("BEGIN")
    c.execute("INSERT INTO t(uuid, timestamp) VALUES ('u', 'rolled back')")
    c.execute("INSERT OR REPLACE INTO t(uuid, timestamp, speed) VALUES ('u', 't00', 99)")
    c.execute("ROLLBACK")
    eq(ddb().count(name), 30)
    eq(get(name, "u", "t00")["speed"], 0)


def test_writes_sent_before_the_commit_are_not_undone_by_rollback():
    name, c = table()
    # 1,000 pending writes are sent at once, to bound memory: the 1,001st
    # stays pending and is dropped by ROLLBACK
    c.execute("BEGIN")
    c.execute("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 1001) "
              "INSERT OR REPLACE INTO t(uuid, timestamp, speed) "
              "SELECT 'u', printf('t%04d', i), i FROM s")
    c.execute("ROLLBACK")
    eq(ddb().count(name), 1000)
    eq(sorted(i["timestamp"] for i in items_of(name))[-1], "t1000")
    # the table read inside the transaction: the writes before it are sent
    c.execute("BEGIN")
    c.execute("INSERT INTO t(uuid, timestamp) VALUES ('v', 'before the read')")
    eq(c.execute("SELECT count(*) FROM t WHERE uuid = 'v'").fetchone(), (1,))
    c.execute("INSERT INTO t(uuid, timestamp) VALUES ('v', 'after the read')")
    c.execute("ROLLBACK")
    eq([i["timestamp"] for i in items_of(name) if i["uuid"] == "v"], ["before the read"])


def test_a_batch_holds_at_most_15_mib_of_json():
    # 25 items of 170,000 control characters: each 170 KB to DynamoDB, over
    # 1 MB as JSON (\u0001): 25 MB in all, more than BatchWriteItem's 16 MB
    with FakeServer() as fs:
        fs.script("DescribeTable", describe())
        fs.script("BatchWriteItem", *[(200, {"UnprocessedItems": {}})] * 5)
        c = connect()
        c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s', s S)" % fs.url)
        c.execute("BEGIN")
        for i in range(25):
            c.execute("INSERT OR REPLACE INTO t(uuid, timestamp, s) VALUES ('u', ?, ?)",
                      ("t%02d" % i, "\x01" * 170000))
        c.execute("COMMIT")
        sizes = [len(json.dumps(b["RequestItems"]["Fake"], separators=(",", ":")))
                 for op, h, b in fs.requests if op == "BatchWriteItem"]
        eq(sum(len(b["RequestItems"]["Fake"]) for op, h, b in fs.requests
               if op == "BatchWriteItem"), 25)
        assert len(sizes) >= 2 and max(sizes) <= 15 * 1024 * 1024, sizes


def test_a_connection_reads_its_own_writes():
    name, c = table()
    c.execute("BEGIN")
    c.execute("INSERT INTO t(uuid, timestamp, speed) VALUES ('u', 'a', 1)")
    eq(c.execute("SELECT speed FROM t WHERE uuid = 'u'").fetchall(), [(1,)])
    c.execute("UPDATE t SET speed = 2 WHERE uuid = 'u'")
    eq(c.execute("SELECT speed FROM t").fetchall(), [(2,)])
    c.execute("COMMIT")


def test_writes_to_one_item_keep_their_order():
    name, c = table()
    c.execute("BEGIN")
    c.execute("INSERT OR REPLACE INTO t(uuid, timestamp, note) VALUES ('u', 'k', 'first')")
    c.execute("INSERT OR REPLACE INTO t(uuid, timestamp, note) VALUES ('u', 'k', 'second')")
    c.execute("INSERT OR REPLACE INTO t(uuid, timestamp, note) VALUES ('u', 'j', 'other')")
    c.execute("INSERT OR REPLACE INTO t(uuid, timestamp, note) VALUES ('u', 'k', 'third')")
    c.execute("COMMIT")
    eq(get(name, "u", "k")["note"], "third")
    eq(get(name, "u", "j")["note"], "other")
    # a plain INSERT of a key an earlier write of the same transaction made
    c.execute("BEGIN")
    c.execute("INSERT INTO t(uuid, timestamp, note) VALUES ('u', 'n', 'one')")
    c.execute("INSERT INTO t(uuid, timestamp, note) VALUES ('u', 'n', 'two')")
    raises(lambda: c.execute("COMMIT"), "UNIQUE constraint failed")
    eq(get(name, "u", "n")["note"], "one")


def test_savepoints_and_failed_statements_drop_only_their_writes():
    name, c = table()
    c.execute("BEGIN")
    c.execute("INSERT INTO t(uuid, timestamp) VALUES ('u', 'a')")
    c.execute("SAVEPOINT s")
    c.execute("INSERT INTO t(uuid, timestamp) VALUES ('u', 'b')")
    c.execute("ROLLBACK TO s")
    c.execute("RELEASE s")
    raises(lambda: c.execute("INSERT INTO t(uuid, timestamp, speed) VALUES ('u', 'c', 1), "
                             "('u', 'd', 'not a number')"), "is declared N")
    c.execute("INSERT INTO t(uuid, timestamp) VALUES ('u', 'e')")
    c.execute("COMMIT")
    eq([i["timestamp"] for i in items_of(name)], ["a", "e"])


def test_failures_are_reported_with_counts_and_the_rest_is_written():
    name, c = table([{"uuid": "u", "timestamp": "t1"}, {"uuid": "u", "timestamp": "t3"}])
    c.execute("BEGIN")
    for i in range(5):
        c.execute("INSERT INTO t(uuid, timestamp, note) VALUES ('u', ?, 'new')", ("t%d" % i,))
    e = raises(lambda: c.execute("COMMIT"), "dynamo: writing to t: 2 of 5 writes failed, 3 done")
    for ts in ("t1", "t3"):
        assert '"timestamp":{"S":"%s"}' % ts in str(e), e
    eq(e.sqlite_errorcode & 0xff, 19)
    got = {i["timestamp"]: i.get("note") for i in items_of(name)}
    eq(got, {"t0": "new", "t1": None, "t2": "new", "t3": None, "t4": "new"})


# ---- what a real server rarely does (tests/fakeserver.py) -------------------

ITEM = {"uuid": {"S": "u"}, "timestamp": {"S": "t"}, "n": {"N": "5"}}
CCF = "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"


def fake_table(fs, options=""):
    """Table t on the fake server's table Fake (uuid, timestamp), column n N."""
    c = connect()
    fs.script("DescribeTable", describe())
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s', n N%s)"
              % (fs.url, options))
    return c


def test_a_retried_insert_that_meets_its_own_item_succeeds():
    with FakeServer() as fs:
        c = fake_table(fs)
        # the first attempt is applied but its answer lost (500); the retry
        # meets the item: DynamoDB returns it (ALL_OLD), and it is ours
        fs.script("PutItem", (500, {"__type": "InternalServerError", "message": "lost"}),
                  (400, {"__type": CCF, "message": "The conditional request failed", "Item": ITEM}))
        c.execute("INSERT INTO t(uuid, timestamp, n) VALUES ('u', 't', 5)")
        eq(fs.ops().count("PutItem"), 2)
        # a server without ALL_OLD: the item is read to compare
        fs.script("PutItem", (500, {"__type": "InternalServerError", "message": "lost"}),
                  (400, {"__type": CCF, "message": "The conditional request failed"}))
        fs.script("GetItem", (200, {"Item": ITEM}))
        c.execute("INSERT INTO t(uuid, timestamp, n) VALUES ('u', 't', 5)")
        eq(fs.ops()[-1], "GetItem")
        # a different item there: a real conflict
        fs.script("PutItem", (500, {"__type": "InternalServerError", "message": "lost"}),
                  (400, {"__type": CCF, "message": "The conditional request failed",
                         "Item": dict(ITEM, n={"N": "6"})}))
        raises(lambda: c.execute("INSERT INTO t(uuid, timestamp, n) VALUES ('u', 't', 5)"),
               "UNIQUE constraint failed")
        # libcurl may itself resend a request whose kept-alive connection
        # died, so even a first attempt can meet its own item: identical is
        # success (an INSERT of an item exactly as it is stored succeeds)
        fs.script("PutItem", (400, {"__type": CCF, "message": "x", "Item": ITEM}))
        c.execute("INSERT INTO t(uuid, timestamp, n) VALUES ('u', 't', 5)")


def test_unprocessed_items_are_sent_again():
    with FakeServer() as fs:
        c = fake_table(fs)
        rows = [("u", "t%02d" % i) for i in range(20)]
        def put(u, t):
            return {"PutRequest": {"Item": {"uuid": {"S": u}, "timestamp": {"S": t}}}}
        fs.script("BatchWriteItem",
                  (200, {"UnprocessedItems": {"Fake": [put(*rows[3]), put(*rows[7])]}}),
                  (200, {"UnprocessedItems": {"Fake": [put(*rows[3])]}}),
                  (200, {}))
        c.execute("INSERT OR REPLACE INTO t(uuid, timestamp) VALUES " +
                  ", ".join("('%s', '%s')" % r for r in rows))
        sent = [b["RequestItems"]["Fake"] for op, h, b in fs.requests if op == "BatchWriteItem"]
        eq([len(b) for b in sent], [20, 2, 1])
        eq(sent[1:], [[put(*rows[3]), put(*rows[7])], [put(*rows[3])]])


def test_items_left_unprocessed_for_too_long_are_an_error():
    # as for BatchGetItem: the loop stops where the message says, one
    # BatchWriteItem per round, once the backoff is past retry_time_ms
    with FakeServer() as fs:
        c = fake_table(fs, ", retry_time_ms=1")
        left = {"UnprocessedItems": {"Fake": [
            {"PutRequest": {"Item": {"uuid": {"S": "u"}, "timestamp": {"S": "a"}}}}]}}
        fs.script("BatchWriteItem", *[(200, left)] * 20)
        e = raises(lambda: c.execute("INSERT OR REPLACE INTO t(uuid, timestamp) VALUES ('u', 'a'), "
                                     "('u', 'b')"),
                   "BatchWriteItem on Fake: still unprocessed after")
        rounds, ms = unprocessed_rounds(e)
        eq(fs.ops().count("BatchWriteItem"), rounds)
        assert rounds == 12 or ms > 1, e
        assert '1 of 2 writes failed, 1 done; {"uuid":{"S":"u"},"timestamp":{"S":"a"}}' in str(e), e


# ---- atomic=1: one TransactWriteItems per commit ----------------------------

def atomic_table(items=()):
    name = tracks_table("atomic", items=items)
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, atomic=1, note S)" % name)
    return name, c


def test_atomic_commit_on_a_server_without_transactions():
    """dynalite has no TransactWriteItems: the commit fails with the
    server's error and writes nothing."""
    if server() != "dynalite":
        skip("%s has TransactWriteItems: this is the answer of a server "
             "without it (dynalite)" % server())
    name, c = atomic_table()
    c.execute("BEGIN")
    c.execute("INSERT INTO t(uuid, timestamp) VALUES ('u', 'a')")
    raises(lambda: c.execute("COMMIT"),
           "TransactWriteItems on %s failed: UnknownOperationException" % name)
    eq(ddb().count(name), 0)


def test_atomic_commit_is_one_transaction():
    if server() == "dynalite":
        skip("dynalite has no TransactWriteItems")
    name = tracks_table("atomic", items=[{"uuid": "u", "timestamp": "gone"}])
    inserts = "".join("INSERT INTO t(uuid, timestamp, note) VALUES ('u', 't%02d', 'x');\n" % i
                      for i in range(10))
    rc, out, err, reqs = traced(
        "CREATE VIRTUAL TABLE t USING dynamo(table=%s, atomic=1, note S);\n" % name +
        "BEGIN;\n" + inserts + "DELETE FROM t WHERE uuid = 'u' AND timestamp = 'gone';\nCOMMIT;")
    eq((rc, err), (0, ""))
    tw = [r for o, r in reqs if o == "TransactWriteItems"]
    eq(len(tw), 1)
    eq(len(tw[0]["TransactItems"]), 11)
    assert len(tw[0]["ClientRequestToken"]) == 32, tw[0]
    eq([o for o, r in reqs if o in ("PutItem", "BatchWriteItem")], [])
    eq(sorted(i["timestamp"] for i in items_of(name)), ["t%02d" % i for i in range(10)])


def test_atomic_commit_writes_all_or_nothing():
    if server() == "dynalite":
        skip("dynalite has no TransactWriteItems")
    name, c = atomic_table([{"uuid": "u", "timestamp": "b", "note": "there"}])
    c.execute("BEGIN")
    c.execute("INSERT INTO t(uuid, timestamp) VALUES ('u', 'a')")
    c.execute("INSERT INTO t(uuid, timestamp) VALUES ('u', 'b')")
    e = raises(lambda: c.execute("COMMIT"), "dynamo: TransactWriteItems on %s failed: "
               "TransactionCanceledException: " % name)
    # the failed write named by its key, as a constraint error, like a plain INSERT's
    assert str(e).endswith('; nothing was written; {"uuid":{"S":"u"},"timestamp":{"S":"b"}}: an '
                           'item with this key exists: UNIQUE constraint failed: t.uuid, t.timestamp'), e
    assert isinstance(e, sqlite3.IntegrityError), type(e)
    eq([i["timestamp"] for i in items_of(name)], ["b"])
    # an UPDATE whose item went away before the commit: that write is named
    c.execute("BEGIN")
    c.execute("INSERT INTO t(uuid, timestamp) VALUES ('u', 'a')")
    c.execute("UPDATE t SET note = 'changed' WHERE uuid = 'u' AND timestamp = 'b'")
    ddb().call("DeleteItem", {"TableName": name, "Key": {"uuid": {"S": "u"}, "timestamp": {"S": "b"}}})
    e = raises(lambda: c.execute("COMMIT"), "TransactionCanceledException")
    assert str(e).endswith('; nothing was written; {"uuid":{"S":"u"},"timestamp":{"S":"b"}}: the '
                           'item no longer exists (deleted since it was read)'), e
    assert not isinstance(e, sqlite3.IntegrityError), type(e)
    eq(items_of(name), [])
    ddb().put_item(name, {"uuid": {"S": "u"}, "timestamp": {"S": "b"}, "note": {"S": "there"}})
    c.execute("BEGIN")
    for i in range(101):
        c.execute("INSERT INTO t(uuid, timestamp) VALUES ('u', ?)", ("t%03d" % i,))
    raises(lambda: c.execute("COMMIT"), "101 writes, but one TransactWriteItems takes at most 100")
    c.execute("BEGIN")
    c.execute("INSERT OR REPLACE INTO t(uuid, timestamp) VALUES ('u', 'c')")
    c.execute("INSERT OR REPLACE INTO t(uuid, timestamp, note) VALUES ('u', 'c', 'again')")
    raises(lambda: c.execute("COMMIT"), "is written twice")
    eq([i["timestamp"] for i in items_of(name)], ["b"])


def test_an_interrupted_load_says_what_it_had_sent_before():
    # 1,500 plain INSERTs in one statement: the first 1,000 are sent when
    # they are pending (and done), the rest at the end, where the fake holds
    # them until the statement is interrupted
    with FakeServer() as fs:
        c = fake_table(fs)
        fs.script("PutItem", *[(200, {})] * 1000,
                  *[(200, {}, None, FakeServer.UNTIL_RELEASED)] * 500)

        def interrupt_once_held():
            while fs.ops().count("PutItem") <= 1000:
                threading.Event().wait(0.01)
            c.interrupt()
        t = threading.Thread(target=interrupt_once_held)
        t.start()
        e = raises(lambda: c.execute(
            "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 1500) "
            "INSERT INTO t(uuid, timestamp, n) SELECT 'u', printf('t%04d', i), i FROM s"),
            "dynamo: writing to t interrupted: 0 of 500 writes done")
        t.join()
        fs.release()
        assert str(e).endswith("; before these, 1000 writes of this transaction were sent and "
                               "done, which ROLLBACK does not undo"), e
