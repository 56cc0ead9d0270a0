"""A GetItem plan over an IN list of keys reads them with BatchGetItem, 100
keys a request, each key once; keys left unprocessed are asked for again
first; the rows are those of one GetItem per key, and a write statement
that reads them (DELETE ... WHERE pk IN) still finds every row."""


from harness import connect, ddb, eq, raises, traced, unprocessed_rounds
from fixtures import tracks_table
from fakeserver import FakeServer
from ddbclient import unmarshal_item
from test_090_writes import fake_table


def fake_key(uuid):
    return {"uuid": {"S": uuid}, "timestamp": {"S": "t"}}


def fake_item(uuid, n):
    return dict(fake_key(uuid), n={"N": str(n)})


def numbered(fmt):
    """Key and item builders for the i-th fake item, its uuid fmt % i."""
    return (lambda i: fake_key(fmt % i)), (lambda i: fake_item(fmt % i, i))


def ops(c):
    return dict(c.execute("SELECT operation, requests FROM dynamo_stats").fetchall())


def users(n=250):
    # read_once=0: a table this small would be read once by a list of more
    # keys than it holds items (test_185_joins.py); here, BatchGetItem
    name = tracks_table("users", items=[{"id": "u%03d" % i, "n": i, "tag": "t%d" % (i % 3)}
                                         for i in range(n)], pk=("id", "S"), sk=None)
    c = connect()
    c.execute("CREATE VIRTUAL TABLE u USING dynamo(table=%s, n N, tag S, read_once=0)" % name)
    c.execute("DELETE FROM dynamo_stats")
    return name, c


def test_an_in_list_is_read_100_keys_a_request():
    name, c = users()
    ids = ["u%03d" % i for i in range(0, 250, 1)] + ["missing-%d" % i for i in range(20)]
    rows = c.execute("SELECT id, n FROM u WHERE id IN (%s) ORDER BY id"
                     % ",".join("?" * len(ids)), ids).fetchall()
    eq(rows, [("u%03d" % i, i) for i in range(250)])
    eq(ops(c), {"BatchGetItem": 3})  # 270 keys
    # the columns a statement reads, and only those, as with GetItem
    c.execute("DELETE FROM dynamo_stats")
    eq(c.execute("SELECT tag, count(*) FROM u WHERE id IN ('u001', 'u002', 'u004', 'x') "
                 "GROUP BY tag ORDER BY tag").fetchall(), [("t1", 2), ("t2", 1)])
    eq(ops(c), {"BatchGetItem": 1})
    # one key: a GetItem, as before
    c.execute("DELETE FROM dynamo_stats")
    eq(c.execute("SELECT n FROM u WHERE id IN ('u007')").fetchall(), [(7,)])
    eq(ops(c), {"GetItem": 1})


def test_the_request_names_each_key_once_with_the_projection():
    name, _ = users(10)
    rc, out, err, reqs = traced(
        "CREATE VIRTUAL TABLE u USING dynamo(table=%s, n N);\n"
        "SELECT id, n FROM u WHERE id IN ('u001', 1, '1', 'u001', 'u002') ORDER BY id;" % name)
    eq((rc, err), (0, ""))
    eq(out.split(), ["u001|1", "u002|2"])
    batch = [r for o, r in reqs if o == "BatchGetItem"]
    eq(len(batch), 1)
    spec = batch[0]["RequestItems"][name]
    keys = [k["id"]["S"] for k in spec["Keys"]]
    eq(sorted(keys), sorted(set(keys)))
    eq(sorted(keys), ["1", "u001", "u002"])
    names = set(spec["ExpressionAttributeNames"].values())
    eq(names, {"id", "n"})
    eq([o for o, r in reqs if o == "GetItem"], [])


def test_a_key_is_asked_for_only_when_sqlite_would_match_it():
    # a binary key: the text 'a1' is not the blob x'6131' in SQLite, so it
    # is not looked up (it would also make BatchGetItem's list hold a key
    # twice, which DynamoDB refuses)
    name = tracks_table("bin", pk=("k", "B"), sk=None)
    ddb().batch_put(name, [{"k": {"B": "YTE="}, "n": {"N": "1"}},
                           {"k": {"B": "YjI="}, "n": {"N": "2"}}])
    rc, out, err, reqs = traced(
        "CREATE VIRTUAL TABLE b USING dynamo(table=%s, n N);\n"
        "SELECT n FROM b WHERE k IN (x'6131', 'a1', x'6232') ORDER BY n;" % name)
    eq((rc, err), (0, ""))
    eq(out.split(), ["1", "2"])
    keys = [k["k"]["B"] for o, r in reqs if o == "BatchGetItem"
            for k in r["RequestItems"][name]["Keys"]]
    eq(sorted(keys), ["YTE=", "YjI="])


def test_a_full_key_in_list_and_a_delete_through_it():
    items = [{"uuid": "u%d" % u, "timestamp": "t%02d" % t, "speed": u * 100 + t}
             for u in range(4) for t in range(30)]
    name = tracks_table("bg", items=items)
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, speed N)" % name)
    uuids = sorted({i["uuid"] for i in items})
    ts = "t07"
    c.execute("DELETE FROM dynamo_stats")
    got = c.execute("SELECT uuid, timestamp, speed FROM t WHERE uuid IN (%s) AND timestamp = ?"
                    % ",".join("?" * len(uuids)), uuids + [ts]).fetchall()
    want = sorted((i["uuid"], i["timestamp"], i["speed"]) for i in items if i["timestamp"] == ts)
    eq(sorted(got), want)
    eq(ops(c), {"BatchGetItem": 1})
    # a DELETE reads the rows' keys through the same plan
    c.execute("DELETE FROM t WHERE uuid IN ('u0', 'u2', 'nobody') AND timestamp = 't03'")
    left = sorted((i["uuid"], i["timestamp"]) for i in map(unmarshal_item, ddb().scan_all(name)))
    eq(left, sorted((i["uuid"], i["timestamp"]) for i in items
                    if not (i["uuid"] in ("u0", "u2") and i["timestamp"] == "t03")))


def test_unprocessed_keys_are_asked_for_again_first():
    key, item = numbered("u%d")

    with FakeServer() as fs:
        c = fake_table(fs)
        fs.script("BatchGetItem",
                  (200, {"Responses": {"Fake": [item(0), item(2)]},
                         "UnprocessedKeys": {"Fake": {"Keys": [key(1), key(3)]}}}),
                  (200, {"Responses": {"Fake": [item(3)]},
                         "UnprocessedKeys": {"Fake": {"Keys": [key(1)]}}}),
                  (200, {"Responses": {"Fake": [item(1)]}, "UnprocessedKeys": {}}))
        rows = c.execute("SELECT uuid, n FROM t WHERE uuid IN ('u0', 'u1', 'u2', 'u3') "
                         "AND timestamp = 't' ORDER BY n").fetchall()
        eq(rows, [("u%d" % i, i) for i in range(4)])
        sent = [b["RequestItems"]["Fake"]["Keys"] for op, h, b in fs.requests
                if op == "BatchGetItem"]
        eq([sorted(k["uuid"]["S"] for k in keys) for keys in sent],
           [["u0", "u1", "u2", "u3"], ["u1", "u3"], ["u1"]])
        # a malformed answer is an error that names the operation
        fs.script("BatchGetItem", (200, {"Responses": {"Fake": {"not": "a list"}}}))
        raises(lambda: c.execute("SELECT n FROM t WHERE uuid IN ('a', 'b') AND timestamp = 't'"
                                 ).fetchall(), "BatchGetItem on Fake: malformed response")


def test_keys_left_unprocessed_for_too_long_are_an_error():
    # when to give up (12 answers in a row, or more backoff than
    # retry_time_ms) is retry.c's, unit-tested; here the loop stops where the
    # message says, one request per round: with retry_time_ms=1 the round
    # after the first backoff of more than 1 ms
    with FakeServer() as fs:
        c = fake_table(fs, ", retry_time_ms=1")
        left = {"Fake": {"Keys": [fake_key("a")]}}
        fs.script("BatchGetItem", *[(200, {"Responses": {"Fake": []}, "UnprocessedKeys": left})
                                    for _ in range(20)])
        e = raises(lambda: c.execute("SELECT n FROM t WHERE uuid IN ('a', 'b') AND timestamp = 't'"
                                     ).fetchall(),
                   "BatchGetItem on Fake: 1 keys still unprocessed after")
        rounds, ms = unprocessed_rounds(e)
        eq(fs.ops().count("BatchGetItem"), rounds)
        assert rounds == 12 or ms > 1, e


def test_a_long_list_is_read_in_requests_of_100_and_misses_nothing():
    # 2000 keys, 250 of them items: 20 requests of 100 keys, all 20 at
    # once, each stream taking the next keys when its answer has come
    name, c = users(250)
    ids = ["u%03d" % i for i in range(250)] + ["none-%04d" % i for i in range(1750)]
    got = c.execute("SELECT id, n FROM u WHERE id IN (%s)" % ",".join("?" * len(ids)),
                    ids).fetchall()
    eq(sorted(got), [("u%03d" % i, i) for i in range(250)])
    eq(ops(c), {"BatchGetItem": 20})


def test_unprocessed_keys_of_one_of_several_requests():
    key, item = numbered("k%03d")

    with FakeServer() as fs:
        c = fake_table(fs)
        # 250 keys: three requests at once; one answer leaves two keys
        fs.script("BatchGetItem",
                  (200, {"Responses": {"Fake": [item(0)]},
                         "UnprocessedKeys": {"Fake": {"Keys": [key(1), key(2)]}}}),
                  (200, {"Responses": {"Fake": [item(100)]}}),
                  (200, {"Responses": {"Fake": [item(200)]}}),
                  (200, {"Responses": {"Fake": [item(1), item(2)]}}))
        rows = c.execute("SELECT uuid FROM t WHERE uuid IN (%s) AND timestamp = 't'"
                         % ",".join("'k%03d'" % i for i in range(250))).fetchall()
        eq(sorted(rows), [("k000",), ("k001",), ("k002",), ("k100",), ("k200",)])
        sent = [b["RequestItems"]["Fake"]["Keys"] for op, h, b in fs.requests
                if op == "BatchGetItem"]
        eq(sorted(len(k) for k in sent), [2, 50, 100, 100])
        eq(sent[-1], [key(1), key(2)])
