"""Secondary indexes chosen by the plan: equality on a global index's
partition key Queries the index when it holds every column read; a local
index serves a condition on its sort key; consistent reads never use a GSI;
indexes= pins or forbids; results are the same as a native table's."""

import decimal

from harness import connect, ddb, defer, eq, server, skip, traced, unique
from fixtures import track_items
from ddbclient import marshal_item
from test_050_native import make_pair, same


def indexed_table(items):
    name = unique("idx")
    ddb().call("CreateTable", {
        "TableName": name, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": t} for a, t in
                                 (("uuid", "S"), ("timestamp", "S"), ("model", "S"),
                                  ("platform", "S"), ("accuracy", "N"))],
        "KeySchema": [{"AttributeName": "uuid", "KeyType": "HASH"},
                      {"AttributeName": "timestamp", "KeyType": "RANGE"}],
        "GlobalSecondaryIndexes": [
            {"IndexName": "byModel", "Projection": {"ProjectionType": "ALL"},
             "KeySchema": [{"AttributeName": "model", "KeyType": "HASH"},
                           {"AttributeName": "timestamp", "KeyType": "RANGE"}]},
            {"IndexName": "byPlatform", "Projection": {"ProjectionType": "KEYS_ONLY"},
             "KeySchema": [{"AttributeName": "platform", "KeyType": "HASH"}]}],
        "LocalSecondaryIndexes": [
            {"IndexName": "byAccuracy",
             "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["model"]},
             "KeySchema": [{"AttributeName": "uuid", "KeyType": "HASH"},
                           {"AttributeName": "accuracy", "KeyType": "RANGE"}]}]})
    defer(ddb().delete_table, name)
    ddb().wait_active(name)
    ddb().batch_put(name, [marshal_item(i) for i in items])
    return name


ITEMS = track_items(3, 30, seed=5)
for n, it in enumerate(ITEMS):
    if n % 7 == 0:
        del it["model"]  # sparse: not in byModel


def reads(sql, name, options=""):
    rc, out, err, reqs = traced("CREATE VIRTUAL TABLE t USING dynamo(table=%s%s);\n%s"
                                % (name, options, sql))
    eq((rc, err), (0, ""))
    sample = [i for i, (o, r) in enumerate(reqs) if o == "Scan" and r.get("Limit") == 1000]
    for i in reversed(sample):
        del reqs[i]
    return out.split("\n")[:-1], [(o, r) for o, r in reqs if o != "DescribeTable"]


def test_equality_on_a_gsi_key_queries_the_index():
    name = indexed_table(ITEMS)
    want = sorted(i["timestamp"] for i in ITEMS if i.get("model") == "Pixel 3")
    out, reqs = reads("SELECT timestamp FROM t WHERE model = 'Pixel 3' ORDER BY timestamp;", name)
    eq(out, want)
    eq([(o, r.get("IndexName")) for o, r in reqs], [("Query", "byModel")])
    out, reqs = reads("SELECT timestamp FROM t WHERE model = 'Pixel 3' AND timestamp > '2017-12-10' "
                      "ORDER BY timestamp DESC LIMIT 3;", name)
    eq(out, [t for t in want if t > "2017-12-10"][::-1][:3])
    q = reqs[0][1]
    eq((q["IndexName"], q["Limit"], q["ScanIndexForward"]), ("byModel", 3, False))
    assert " > " in q["KeyConditionExpression"], q


def test_a_gsi_that_lacks_a_column_is_not_used():
    name = indexed_table(ITEMS)
    out, reqs = reads("SELECT uuid, timestamp FROM t WHERE platform = 'iOS';", name)
    eq(len(out), len([i for i in ITEMS if i["platform"] == "iOS"]))
    eq([(o, r.get("IndexName")) for o, r in reqs], [("Query", "byPlatform")])
    out, reqs = reads("SELECT speed FROM t WHERE platform = 'iOS';", name)  # KEYS_ONLY lacks speed
    eq([o for o, r in reqs], ["Scan"])
    out, reqs = reads("SELECT item FROM t WHERE platform = 'iOS';", name)
    eq([o for o, r in reqs], ["Scan"])


def test_a_local_index_serves_its_sort_key():
    name = indexed_table(ITEMS)
    out, reqs = reads("SELECT timestamp FROM t WHERE uuid = 'u01' AND accuracy >= 10 "
                      "ORDER BY timestamp;", name)
    eq(out, sorted(i["timestamp"] for i in ITEMS if i["uuid"] == "u01" and i["accuracy"] >= 10))
    eq([(o, r.get("IndexName")) for o, r in reqs], [("Query", "byAccuracy")])
    # an attribute byAccuracy does not project (speed) is not in its filter
    # (DynamoDB refuses it there): SQLite checks it; model, projected, is sent
    # (the rows: the next test)
    out, reqs = reads("SELECT timestamp FROM t WHERE uuid = 'u01' AND accuracy >= 10 "
                      "AND speed > 5 AND model <> 'x' ORDER BY timestamp;", name)
    eq([(o, r.get("IndexName")) for o, r in reqs], [("Query", "byAccuracy")])
    names = reqs[0][1]["ExpressionAttributeNames"]
    eq(sorted(names[n] for n in names if n in reqs[0][1].get("FilterExpression", "")), ["model"])
    # the table's own sort key constrained: the table
    out, reqs = reads("SELECT timestamp FROM t WHERE uuid = 'u01' AND timestamp > '2017-12-20' "
                      "AND accuracy >= 10;", name)
    eq([(o, r.get("IndexName")) for o, r in reqs], [("Query", None)])


def test_a_local_index_query_reads_attributes_it_does_not_project():
    if server() == "dynalite":
        skip("dynalite's local indexes return only the attributes they project "
             "(DynamoDB fetches the rest from the table)")
    name = indexed_table(ITEMS)
    out, reqs = reads("SELECT timestamp FROM t WHERE uuid = 'u01' AND accuracy >= 10 "
                      "AND speed > 5 AND model <> 'x' ORDER BY timestamp;", name)
    eq([(o, r.get("IndexName")) for o, r in reqs], [("Query", "byAccuracy")])
    eq(out, sorted(i["timestamp"] for i in ITEMS if i["uuid"] == "u01" and i["accuracy"] >= 10
                   and i.get("speed", 0) > 5 and i.get("model") is not None))


def test_consistent_reads_and_the_indexes_option():
    name = indexed_table(ITEMS)
    out, reqs = reads("SELECT count(*) FROM t WHERE model = 'Pixel 3';", name, ", consistent_read=1")
    eq([o for o, r in reqs], ["Scan"])  # a GSI cannot read consistently
    out, reqs = reads("SELECT count(*) FROM t WHERE uuid = 'u00' AND accuracy = 5;", name,
                      ", consistent_read=1")
    eq([(o, r.get("IndexName"), r.get("ConsistentRead")) for o, r in reqs],
       [("Query", "byAccuracy", True)])  # a local index can
    out, reqs = reads("SELECT count(*) FROM t WHERE model = 'Pixel 3';", name, ", indexes=none")
    eq([o for o, r in reqs], ["Scan"])
    out, reqs = reads("SELECT count(*) FROM t WHERE model = 'Pixel 3';", name, ", indexes='byPlatform'")
    eq([o for o, r in reqs], ["Scan"])
    out, reqs = reads("SELECT count(*) FROM t WHERE model = 'Pixel 3';", name,
                      ", indexes='byPlatform, byModel'")
    eq([(o, r.get("IndexName")) for o, r in reqs], [("Query", "byModel")])


def test_explain_names_the_index():
    name = indexed_table(ITEMS[:3])
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s)" % name)
    plan = c.execute("EXPLAIN QUERY PLAN SELECT uuid FROM t WHERE model = 'x' "
                     "AND timestamp >= 'a'").fetchall()[0][3]
    assert "Query INDEX byModel model=? timestamp>=?" in plan, plan
    eq(sorted(r[0] for r in c.execute("SELECT name FROM t_index")),
       ["byAccuracy", "byModel", "byPlatform"])


def test_index_queries_match_a_native_table():
    c = connect()
    name = indexed_table(ITEMS)
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s)" % name)
    cols = c.execute("SELECT name, type FROM pragma_table_info('t')").fetchall()
    c.execute("CREATE TEMP TABLE n(%s)" % ", ".join('"%s" %s' % (a, b) for a, b in cols))
    from test_050_native import sql_value
    c.executemany("INSERT INTO n VALUES (%s)" % ", ".join("?" * len(cols)),
                  [[sql_value(it.get(a)) for a, b in cols] for it in ITEMS])
    for q in [
        "SELECT * FROM t WHERE model = 'Pixel 3'",
        "SELECT uuid, timestamp FROM t WHERE model = 'iPhone8,4' AND timestamp BETWEEN '2017-12-05' AND '2017-12-20'",
        "SELECT uuid, timestamp FROM t WHERE model = 'iPhone8,4' ORDER BY timestamp DESC LIMIT 4",
        "SELECT uuid, timestamp FROM t WHERE model IN ('Pixel 3', 'SM-G960F')",
        "SELECT count(*) FROM t WHERE model IS NULL",
        "SELECT uuid, timestamp FROM t WHERE platform = 'Android'",
        "SELECT uuid, timestamp, accuracy FROM t WHERE uuid = 'u02' AND accuracy > 5",
        "SELECT uuid, timestamp FROM t WHERE uuid = 'u02' AND accuracy = 65 ORDER BY timestamp",
        "SELECT model, count(*) FROM t WHERE model = 'x' OR model = 'Pixel 3' GROUP BY model",
    ]:
        same(c, q)


def test_counting_an_index_query_reads_no_items():
    # Select=COUNT on the index, also for an IN list of its partition key;
    # the partition key read back is the one asked for
    name = indexed_table(ITEMS)
    out, reqs = reads("SELECT count(*) FROM t WHERE model = 'Pixel 3';\n"
                      "SELECT model, count(*) FROM t WHERE model IN ('Pixel 3', 'SM-G960F', 'x') "
                      "GROUP BY model ORDER BY model;", name)
    models = [i.get("model") for i in ITEMS]
    eq(out, [str(models.count("Pixel 3")),
             "Pixel 3|%d" % models.count("Pixel 3"), "SM-G960F|%d" % models.count("SM-G960F")])
    eq([(o, r.get("IndexName"), r.get("Select")) for o, r in reqs],
       [("Query", "byModel", "COUNT")] * 4)
