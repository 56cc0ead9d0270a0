"""create=1: the DynamoDB table made from CREATE VIRTUAL TABLE (key schema
from PRIMARY KEY, types from the declared column types, billing, indexes),
the wait until ACTIVE, the key-schema check against an existing table, the
hint when a table is missing, and DROP TABLE leaving DynamoDB alone.

The CREATING -> ACTIVE wait and a concurrent CreateTable are played by
tests/fakeserver.py: DynamoDB Local answers ACTIVE at once, and dynalite
runs with --createTableMs 0."""

import os
import sqlite3
import tempfile

from harness import environ, connect, ddb, defer, eq, raises, shell, traced, unique
from fixtures import ROOT, SAMPLE_ITEM, tracks_table, track_items
from fakeserver import FakeServer, describe

NOT_FOUND = (400, {"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
                   "message": "Requested resource not found"})
IN_USE = (400, {"__type": "com.amazonaws.dynamodb.v20120810#ResourceInUseException",
                "message": "Table already exists: Fake"})
TRACKS_COLUMNS = ("uuid TEXT, timestamp TEXT, latitude REAL, longitude REAL, model TEXT, "
                  "PRIMARY KEY (uuid, timestamp)")


def new_name(prefix="created"):
    """A table name no table has yet; whatever creates it, it is deleted
    after the test."""
    name = unique(prefix)
    defer(ddb().delete_table, name)
    return name


def key_schema(table):
    types = {d["AttributeName"]: d["AttributeType"] for d in table["AttributeDefinitions"]}
    return [(k["AttributeName"], types[k["AttributeName"]], k["KeyType"])
            for k in table["KeySchema"]]


def ops(requests):
    return [op for op, body in requests]


def sqlite_objects(c):
    return c.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]


# -- against the local server ------------------------------------------------

def test_the_workshop_step_in_sql():
    name = new_name("Tracks")
    rc, out, err, reqs = traced(
        "CREATE VIRTUAL TABLE tracks USING dynamo(table=%s, create=1, %s);\n"
        "INSERT INTO tracks(item) VALUES (readfile('%s'));\n"
        "SELECT uuid, timestamp, latitude, longitude = -122.14228681282287, model, "
        "json_extract(item, '$.speed.N') FROM tracks;\n"
        % (name, TRACKS_COLUMNS, SAMPLE_ITEM))
    eq((rc, err), (0, ""))
    eq(out.strip(), "test-uuid|2017-12-20T16:10:38.997Z|47.6349834766135|1|iPhone8,4|23.67")
    # DescribeTable (not found), CreateTable, DescribeTable until ACTIVE
    eq(ops(reqs)[:3], ["DescribeTable", "CreateTable", "DescribeTable"])
    first_other = next(i for i, op in enumerate(ops(reqs)) if i > 1 and op != "DescribeTable")
    eq(ops(reqs)[first_other:], ["PutItem", "Scan"])
    eq(reqs[1][1], {
        "TableName": name,
        "AttributeDefinitions": [{"AttributeName": "uuid", "AttributeType": "S"},
                                 {"AttributeName": "timestamp", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "uuid", "KeyType": "HASH"},
                      {"AttributeName": "timestamp", "KeyType": "RANGE"}],
        "BillingMode": "PAY_PER_REQUEST"})
    table = ddb().describe_table(name)
    eq(table["TableStatus"], "ACTIVE")
    eq(key_schema(table), [("uuid", "S", "HASH"), ("timestamp", "S", "RANGE")])
    eq(table.get("BillingModeSummary", {}).get("BillingMode"), "PAY_PER_REQUEST")
    eq(ddb().count(name), 1)


def test_the_demo_schema_creates_its_table():
    """make demo needs nothing but SQL: sql/schema.sql creates Tracks (here
    under another name), sql/load.sql fills it."""
    name = new_name("Tracks")
    with open(os.path.join(ROOT, "sql", "schema.sql")) as f:
        schema = f.read()
    with open(os.path.join(ROOT, "sql", "load.sql")) as f:
        load = f.read().replace("'sql/sampleItem.json'", "'%s'" % SAMPLE_ITEM)
    assert "table=Tracks, create=1" in schema and "PRIMARY KEY (uuid, timestamp)" in schema
    rc, out, err = shell(schema.replace("table=Tracks", "table=%s" % name) + load
                         + "\nSELECT count(*) FROM tracks;")
    eq((rc, err, out.strip()), (0, "", "7"))
    eq(key_schema(ddb().describe_table(name)), [("uuid", "S", "HASH"), ("timestamp", "S", "RANGE")])
    eq(ddb().count(name), 7)


def test_key_types_come_from_the_declared_types():
    cases = [("id INTEGER, PRIMARY KEY (id)", [("id", "N", "HASH")]),
             ("k BLOB, n REAL, PRIMARY KEY (k, n)", [("k", "B", "HASH"), ("n", "N", "RANGE")]),
             ("\"my id\" VARCHAR(20), \"at\" N, PRIMARY KEY (\"my id\", AT)",
              [("my id", "S", "HASH"), ("at", "N", "RANGE")]),
             ("p S, s B, primary key(p, s)", [("p", "S", "HASH"), ("s", "B", "RANGE")])]
    for columns, want in cases:
        name = new_name("types")
        c = connect()
        c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, create=1, %s)" % (name, columns))
        eq(key_schema(ddb().describe_table(name)), want, columns)
        c.close()
    # and the table works with them
    c = connect()
    name = new_name("types")
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, create=1, id INTEGER, x TEXT, "
              "PRIMARY KEY (id))" % name)
    c.execute("INSERT INTO t(id, x) VALUES (7, 'seven'), ('8', 'eight')")
    eq(c.execute("SELECT id, x FROM t WHERE id = 8").fetchall(), [(8, "eight")])
    eq(sorted(ddb().scan_all(name), key=lambda i: i["id"]["N"]),
       [{"id": {"N": "7"}, "x": {"S": "seven"}}, {"id": {"N": "8"}, "x": {"S": "eight"}}])


def test_provisioned_capacity_and_indexes():
    name = new_name("indexed")
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, create=1, billing=provisioned, "
              "read_units=3, write_units=4, "
              "global_index=ByModel(model, timestamp), "
              "global_index=ByPlatform(platform) KEYS_ONLY, "
              "local_index=ByLatitude(latitude) INCLUDE (model, speed), "
              "uuid TEXT, timestamp TEXT, latitude REAL, model TEXT, platform TEXT, speed N, "
              "PRIMARY KEY (uuid, timestamp))" % name)
    table = ddb().describe_table(name)
    eq(key_schema(table), [("uuid", "S", "HASH"), ("timestamp", "S", "RANGE")])
    eq(sorted((d["AttributeName"], d["AttributeType"]) for d in table["AttributeDefinitions"]),
       [("latitude", "N"), ("model", "S"), ("platform", "S"), ("timestamp", "S"), ("uuid", "S")])
    tp = table["ProvisionedThroughput"]
    eq((tp["ReadCapacityUnits"], tp["WriteCapacityUnits"]), (3, 4))
    gsis = {g["IndexName"]: g for g in table.get("GlobalSecondaryIndexes", [])}
    eq(sorted(gsis), ["ByModel", "ByPlatform"])
    eq([(k["AttributeName"], k["KeyType"]) for k in gsis["ByModel"]["KeySchema"]],
       [("model", "HASH"), ("timestamp", "RANGE")])
    eq(gsis["ByModel"]["Projection"]["ProjectionType"], "ALL")
    eq(gsis["ByPlatform"]["Projection"], {"ProjectionType": "KEYS_ONLY"})
    gtp = gsis["ByModel"]["ProvisionedThroughput"]
    eq((gtp["ReadCapacityUnits"], gtp["WriteCapacityUnits"]), (3, 4))
    lsis = table.get("LocalSecondaryIndexes", [])
    eq([l["IndexName"] for l in lsis], ["ByLatitude"])
    eq([(k["AttributeName"], k["KeyType"]) for k in lsis[0]["KeySchema"]],
       [("uuid", "HASH"), ("latitude", "RANGE")])
    eq(lsis[0]["Projection"]["ProjectionType"], "INCLUDE")
    eq(sorted(lsis[0]["Projection"]["NonKeyAttributes"]), ["model", "speed"])
    # the index is DynamoDB's: items written through the table show up in it
    c.execute("INSERT INTO t(uuid, timestamp, latitude, model, platform) "
              "VALUES ('u1', 't1', 47.5, 'Pixel 3', 'Android')")
    got = ddb().call("Query", {"TableName": name, "IndexName": "ByModel",
                               "KeyConditionExpression": "model = :m",
                               "ExpressionAttributeValues": {":m": {"S": "Pixel 3"}}})
    eq([i["uuid"] for i in got["Items"]], [{"S": "u1"}])


def test_an_existing_table_with_the_same_keys_is_used_as_it_is():
    name = tracks_table(items=track_items(2, 3))
    before = ddb().describe_table(name)
    rc, out, err, reqs = traced(
        "CREATE VIRTUAL TABLE t USING dynamo(table=%s, create=1, billing=provisioned, "
        "read_units=1, write_units=1, global_index=G(model), %s);\n"
        "SELECT count(*) FROM t;\n" % (name, TRACKS_COLUMNS))
    eq((rc, err, out.strip()), (0, "", "6"))
    eq(ops(reqs), ["DescribeTable", "Scan"])
    after = ddb().describe_table(name)
    # nothing changed: not the billing, not the indexes
    eq(after.get("BillingModeSummary"), before.get("BillingModeSummary"))
    eq(after.get("GlobalSecondaryIndexes"), None)


def test_a_key_schema_mismatch_names_both_schemas():
    name = tracks_table()
    c = connect()
    for args, declared in [
            ("uuid TEXT, ts TEXT, PRIMARY KEY (uuid, ts)", "uuid S HASH, ts S RANGE"),
            ("uuid INTEGER, timestamp TEXT, PRIMARY KEY (uuid, timestamp)",
             "uuid N HASH, timestamp S RANGE"),
            ("uuid TEXT, PRIMARY KEY (uuid)", "uuid S HASH"),
            ("uuid TEXT, timestamp TEXT, PRIMARY KEY (timestamp, uuid)",
             "timestamp S HASH, uuid S RANGE")]:
        for create in ("create=1, ", ""):   # with create=1, and as a check without
            e = raises(lambda: c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, %s%s)"
                                         % (name, create, args)),
                       "dynamo: key schema mismatch on %s: " % name)
            eq(str(e), "dynamo: key schema mismatch on %s: the table has (uuid S HASH, "
                       "timestamp S RANGE), PRIMARY KEY declares (%s)" % (name, declared))
    eq(sqlite_objects(c), 0)
    eq(key_schema(ddb().describe_table(name)), [("uuid", "S", "HASH"), ("timestamp", "S", "RANGE")])
    # PRIMARY KEY without create=1 that agrees: a plain open
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, %s)" % (name, TRACKS_COLUMNS))
    eq(c.execute("SELECT count(*) FROM t").fetchone()[0], 0)


def test_a_missing_table_without_create_is_an_error_that_suggests_it():
    real = tracks_table("Tracks")
    typo = real.replace("Tracks", "Trakcs")
    tables = set(ddb().list_tables())
    c = connect()
    e = raises(lambda: c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, %s)"
                                 % (typo, "uuid TEXT, latitude REAL")),
               "dynamo: DescribeTable on %s failed: ResourceNotFoundException" % typo)
    assert str(e).endswith("(create it with create=1 and PRIMARY KEY (partition_key [, "
                           "sort_key]) naming declared columns with their types)"), e
    e = raises(lambda: c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, %s)"
                                 % (typo, TRACKS_COLUMNS)),
               "dynamo: DescribeTable on %s failed: ResourceNotFoundException" % typo)
    assert str(e).endswith(" (create it with create=1)"), e
    e = raises(lambda: c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s)" % typo),
               "(create it with create=1 and PRIMARY KEY")
    # a typo never creates a table
    eq(set(ddb().list_tables()), tables)
    eq(sqlite_objects(c), 0)


def test_create_options_are_checked_before_any_request():
    name = unique("never")
    for args, message in [
            ("create=1, uuid TEXT", "create=1 needs PRIMARY KEY (partition_key [, sort_key])"),
            ("create=1, PRIMARY KEY (uuid)", "PRIMARY KEY column uuid is not a declared column"),
            ("create=1, uuid BOOL, PRIMARY KEY (uuid)",
             "PRIMARY KEY column uuid is declared BOOL, which cannot be a key"),
            ("create=1, uuid, PRIMARY KEY (uuid)", "PRIMARY KEY column uuid has no type"),
            ("create=yes, uuid TEXT, PRIMARY KEY (uuid)", "create must be 0 or 1, not 'yes'"),
            ("create=1, billing=free, uuid TEXT, PRIMARY KEY (uuid)",
             "billing must be on_demand or provisioned, not 'free'"),
            ("create=1, billing=provisioned, read_units=5, uuid TEXT, PRIMARY KEY (uuid)",
             "billing=provisioned needs read_units=N and write_units=N"),
            ("create=1, read_units=5, write_units=5, uuid TEXT, PRIMARY KEY (uuid)",
             "read_units needs billing=provisioned"),
            ("create=1, billing=provisioned, read_units=0, write_units=1, uuid TEXT, "
             "PRIMARY KEY (uuid)", "read_units must be a positive integer"),
            ("billing=on_demand, uuid TEXT, PRIMARY KEY (uuid)",
             "option 'billing' only applies when create=1 creates the table"),
            ("global_index=G(uuid), uuid TEXT", "option 'global_index' only applies when create=1"),
            ("create=1, global_index=G, uuid TEXT, PRIMARY KEY (uuid)",
             "global_index must look like NAME(partition_key [, sort_key])"),
            ("create=1, local_index=L(x), uuid TEXT, x N, PRIMARY KEY (uuid)",
             "local index L needs a table with a sort key"),
            ("create=1, global_index=G(tags), uuid TEXT, tags SS, PRIMARY KEY (uuid)",
             "global index G column tags is declared SS, which cannot be a key"),
            ("create=1, uuid TEXT, PRIMARY KEY (uuid), PRIMARY KEY (uuid)",
             "PRIMARY KEY given twice")]:
        rc, out, err, reqs = traced("CREATE VIRTUAL TABLE t USING dynamo(table=%s, %s);\n"
                                    % (name, args))
        assert rc != 0 and "dynamo: " + message in err, (args, err)
        eq(reqs, [], args)
    assert name not in ddb().list_tables()


def test_drop_table_leaves_the_dynamodb_table_and_its_items():
    name = new_name("kept")
    c = connect()
    c.execute("CREATE VIRTUAL TABLE tracks USING dynamo(table=%s, create=1, %s)"
              % (name, TRACKS_COLUMNS))
    c.execute("INSERT INTO tracks(uuid, timestamp, model) VALUES ('u1', 't1', 'm'), ('u2', 't2', 'm')")
    c.execute("DROP TABLE tracks")
    eq(sqlite_objects(c), 0)
    eq(ddb().describe_table(name)["TableStatus"], "ACTIVE")
    eq(ddb().count(name), 2)
    # created again over the same table: nothing is created, the items are there
    rc, out, err, reqs = traced("CREATE VIRTUAL TABLE tracks USING dynamo(table=%s, create=1, %s);"
                                "SELECT count(*) FROM tracks;" % (name, TRACKS_COLUMNS))
    eq((rc, err, out.strip()), (0, "", "2"))
    assert "CreateTable" not in ops(reqs), reqs


def test_opening_a_database_never_creates_the_table():
    name = new_name("reopen")
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "r.db")
        c = connect(db)
        c.execute("CREATE VIRTUAL TABLE tracks USING dynamo(table=%s, create=1, %s)"
                  % (name, TRACKS_COLUMNS))
        c.close()
        ddb().delete_table(name)
        # the schema says create=1, but only CREATE VIRTUAL TABLE creates
        rc, out, err, reqs = traced("SELECT count(*) FROM tracks;", db=db)
        assert rc != 0 and "ResourceNotFoundException" in err, err
        # a full Scan first asks the table's size (how many segments): a
        # DescribeTable, never a CreateTable
        eq(ops(reqs), ["DescribeTable", "Scan"])
        assert name not in ddb().list_tables()


def test_two_connections_create_the_same_table():
    name = new_name("twice")
    a, b = connect(), connect()
    sql = "CREATE VIRTUAL TABLE t USING dynamo(table=%s, create=1, %s)" % (name, TRACKS_COLUMNS)
    a.execute(sql)
    b.execute(sql)
    a.execute("INSERT INTO t(uuid, timestamp) VALUES ('u', 't')")
    eq(b.execute("SELECT uuid FROM t").fetchall(), [("u",)])


# -- the fake server: CREATING, a concurrent CreateTable, errors -----------------

def fake_table(status, table="Fake", pk=("uuid", "S"), sk=("timestamp", "S")):
    answer = describe(table, pk, sk)
    answer[1]["Table"]["TableStatus"] = status
    return answer


def create_fake(c, fs, columns=TRACKS_COLUMNS, more=""):
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s', create=1, %s%s)"
              % (fs.url, more, columns))


def test_creating_then_active_is_waited_for():
    with FakeServer() as fs:
        fs.script("DescribeTable", NOT_FOUND, fake_table("CREATING"), fake_table("CREATING"),
                  fake_table("ACTIVE"))
        created = {"TableDescription": fake_table("CREATING")[1]["Table"]}
        fs.script("CreateTable", (200, created))
        c = connect()
        create_fake(c, fs)
        # described after CreateTable, then polled after sleeps of 100 and 200 ms
        eq(fs.ops(), ["DescribeTable", "CreateTable", "DescribeTable", "DescribeTable",
                      "DescribeTable"])
        eq(fs.requests[1][2]["KeySchema"], [{"AttributeName": "uuid", "KeyType": "HASH"},
                                            {"AttributeName": "timestamp", "KeyType": "RANGE"}])
        assert all(b == {"TableName": "Fake"} for op, h, b in fs.requests if op == "DescribeTable")
        fs.script("Scan", (200, {"Items": [{"uuid": {"S": "u"}, "timestamp": {"S": "t"}}]}))
        eq(c.execute("SELECT uuid, timestamp FROM t").fetchall(), [("u", "t")])


def test_a_table_that_never_becomes_active_is_a_clear_error():
    with environ(DYNAMO_CREATE_WAIT_MS="300"), FakeServer() as fs:
        fs.script("DescribeTable", NOT_FOUND, *[fake_table("CREATING")] * 30)
        fs.script("CreateTable", (200, {"TableDescription": fake_table("CREATING")[1]["Table"]}))
        c = connect()
        e = raises(lambda: create_fake(c, fs),
                   "dynamo: waiting for Fake to become ACTIVE: still CREATING after 300 ms")
        assert "run this CREATE VIRTUAL TABLE again once it is ACTIVE" in str(e), e
        # described after CreateTable, polled after sleeps of 100 and 200 ms:
        # then the 300 ms are spent
        eq(fs.ops(), ["DescribeTable", "CreateTable", "DescribeTable", "DescribeTable",
                      "DescribeTable"])
        eq(sqlite_objects(c), 0)


def test_a_concurrent_create_table_is_used_when_its_keys_agree():
    with FakeServer() as fs:
        fs.script("DescribeTable", NOT_FOUND, fake_table("CREATING"), fake_table("ACTIVE"))
        fs.script("CreateTable", IN_USE)
        c = connect()
        create_fake(c, fs)
        eq(fs.ops(), ["DescribeTable", "CreateTable", "DescribeTable", "DescribeTable"])
        eq(c.execute("SELECT name FROM pragma_table_info('t') LIMIT 2").fetchall(),
           [("uuid",), ("timestamp",)])


def test_a_concurrent_create_table_with_other_keys_fails_without_waiting():
    with FakeServer() as fs:
        fs.script("DescribeTable", NOT_FOUND, fake_table("CREATING", sk=("ts", "N")),
                  *[fake_table("CREATING", sk=("ts", "N"))] * 5)
        fs.script("CreateTable", IN_USE)
        c = connect()
        raises(lambda: create_fake(c, fs),
               "dynamo: key schema mismatch on Fake: the table has (uuid S HASH, ts N RANGE), "
               "PRIMARY KEY declares (uuid S HASH, timestamp S RANGE)")
        eq(fs.ops(), ["DescribeTable", "CreateTable", "DescribeTable"])


def test_create_table_errors_are_reported():
    with FakeServer() as fs:
        fs.script("DescribeTable", NOT_FOUND)
        fs.script("CreateTable", (400, {"__type": "com.amazon.coral.validate#ValidationException",
                                        "message": "One or more parameter values were invalid"}))
        c = connect()
        raises(lambda: create_fake(c, fs),
               "dynamo: CreateTable on Fake failed: ValidationException: One or more parameter "
               "values were invalid")
        eq(fs.ops(), ["DescribeTable", "CreateTable"])
        eq(sqlite_objects(c), 0)
        # other DescribeTable errors than ResourceNotFound never lead to CreateTable
        fs.script("DescribeTable", (400, {"__type": "com.amazonaws.dynamodb.v20120810#AccessDeniedException",
                                          "message": "not allowed"}))
        raises(lambda: create_fake(c, fs),
               "dynamo: DescribeTable on Fake failed: AccessDeniedException: not allowed")
        eq(fs.ops()[2:], ["DescribeTable"])
