"""dynamo_tables: the eponymous table listing the tables at an endpoint
(ListTables, then DescribeTable for each), its columns, the hidden
parameter columns region, endpoint and profile, name = ? with one
DescribeTable, errors, and SQLITE_VTAB_DIRECTONLY.

Tables on the shared local server are made with the independent client and
rows are filtered to them; pagination, parameters and errors are played by
tests/fakeserver.py."""

import json
import os
import socket
import tempfile
import time

from harness import environ, connect, ddb, defer, eq, raises, server, shell, skip, traced, unique
from ddbclient import marshal_item
from fakeserver import FakeServer

COLUMNS = ["name", "status", "partition_key", "sort_key", "item_count", "size_bytes",
           "billing_mode", "read_units", "write_units", "global_indexes", "local_indexes",
           "created"]
NOT_FOUND = (400, {"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
                   "message": "Requested resource not found"})


def rows(c, sql, args=()):
    """Rows as dicts of the visible columns (plus any others selected)."""
    cur = c.execute(sql, args)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def new_table(prefix, **kw):
    name = unique(prefix)
    defer(ddb().delete_table, name)
    ddb().create_table(name, **kw)
    return name


# -- what the extension registers ---------------------------------------------

def test_module_is_registered_and_eponymous_only():
    c = connect()
    mods = [r[0] for r in c.execute("SELECT name FROM pragma_module_list")]
    assert "dynamo_tables" in mods, mods
    eq([r[1] for r in c.execute("PRAGMA table_info(dynamo_tables)")], COLUMNS)
    eq([(r[1], r[2], r[6]) for r in c.execute("PRAGMA table_xinfo(dynamo_tables)")][-3:],
       [("region", "TEXT", 1), ("endpoint", "TEXT", 1), ("profile", "TEXT", 1)])
    raises(lambda: c.execute("CREATE VIRTUAL TABLE x USING dynamo_tables"),
           "no such module: dynamo_tables")


# -- against the local server -------------------------------------------------

def test_every_column_of_tables_made_here():
    simple = new_table("tbl_simple", hash=("uuid", "S"), range=("timestamp", "S"))
    ddb().batch_put(simple, [marshal_item({"uuid": "u%d" % i, "timestamp": "t", "n": i})
                             for i in range(3)])
    nosort = new_table("tbl_nosort", hash=("id", "N"))
    indexed = new_table(
        "tbl_indexed", hash=("uuid", "S"), range=("timestamp", "S"),
        AttributeDefinitions=[{"AttributeName": "uuid", "AttributeType": "S"},
                              {"AttributeName": "timestamp", "AttributeType": "S"},
                              {"AttributeName": "model", "AttributeType": "S"},
                              {"AttributeName": "latitude", "AttributeType": "N"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "ByModel",
            "KeySchema": [{"AttributeName": "model", "KeyType": "HASH"},
                          {"AttributeName": "timestamp", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        LocalSecondaryIndexes=[{
            "IndexName": "ByLatitude",
            "KeySchema": [{"AttributeName": "uuid", "KeyType": "HASH"},
                          {"AttributeName": "latitude", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE",
                           "NonKeyAttributes": ["longitude", "model"]}}])
    provisioned = new_table("tbl_prov", hash=("k", "B"), BillingMode="PROVISIONED",
                            ProvisionedThroughput={"ReadCapacityUnits": 5,
                                                   "WriteCapacityUnits": 7})
    mine = {simple, nosort, indexed, provisioned}
    listed = ddb().list_tables()
    now = time.time()

    c = connect()
    got = rows(c, "SELECT *, region, endpoint, profile FROM dynamo_tables")
    # every table, in the order ListTables gives them
    eq([r["name"] for r in got], listed)
    got = {r["name"]: r for r in got if r["name"] in mine}
    eq(sorted(got), sorted(mine))
    for name, r in got.items():
        d = ddb().describe_table(name)
        eq(r["status"], "ACTIVE", name)
        eq(r["item_count"], d["ItemCount"], name)
        eq(r["size_bytes"], d["TableSizeBytes"], name)
        eq(r["created"], d["CreationDateTime"], name)
        assert isinstance(r["created"], float) and abs(r["created"] - now) < 600, r
        eq((r["region"], r["endpoint"], r["profile"]),
           ("us-east-1", os.environ["AWS_ENDPOINT_URL_DYNAMODB"], None), name)

    pick = ["partition_key", "sort_key", "billing_mode", "read_units", "write_units",
            "global_indexes", "local_indexes"]
    eq([got[simple][k] for k in pick],
       ["uuid S", "timestamp S", "PAY_PER_REQUEST", None, None, None, None])
    eq([got[nosort][k] for k in pick],
       ["id N", None, "PAY_PER_REQUEST", None, None, None, None])
    eq([got[provisioned][k] for k in pick],
       ["k B", None, "PROVISIONED", 5, 7, None, None])
    eq([got[indexed][k] for k in pick[:5]],
       ["uuid S", "timestamp S", "PAY_PER_REQUEST", None, None])
    eq(json.loads(got[indexed]["global_indexes"]),
       [{"name": "ByModel", "partition_key": "model S", "sort_key": "timestamp S",
         "projection": "KEYS_ONLY", "status": "ACTIVE"}])
    eq(json.loads(got[indexed]["local_indexes"]),
       [{"name": "ByLatitude", "partition_key": "uuid S", "sort_key": "latitude N",
         "projection": "INCLUDE", "attributes": ["longitude", "model"]}])
    # the JSON functions work on the index columns
    eq(c.execute("SELECT json_extract(local_indexes, '$[0].attributes[1]') FROM dynamo_tables "
                 "WHERE name = ?", (indexed,)).fetchall(), [("model",)])


def test_item_count_and_size_where_the_server_counts_at_once():
    # DynamoDB Local counts items at once; dynalite does not, and DynamoDB
    # itself refreshes ItemCount about every six hours
    if server() != "dynamodb-local":
        skip("%s does not update ItemCount and TableSizeBytes as items arrive" % server())
    simple = new_table("tbl_counted", hash=("uuid", "S"), range=("timestamp", "S"))
    ddb().batch_put(simple, [marshal_item({"uuid": "u%d" % i, "timestamp": "t", "n": i})
                             for i in range(3)])
    got = rows(connect(), "SELECT item_count, size_bytes FROM dynamo_tables WHERE name = ?",
               (simple,))
    eq(len(got), 1)
    eq(got[0]["item_count"], 3)
    assert got[0]["size_bytes"] > 0, got


def test_name_equality_sends_one_describe_table():
    name = new_table("tbl_one", hash=("uuid", "S"))
    missing = unique("tbl_missing")
    rc, out, err, reqs = traced(
        "SELECT name, partition_key FROM dynamo_tables WHERE name = '%s';\n"
        "SELECT count(*) FROM dynamo_tables WHERE name = '%s';\n"
        "SELECT count(*) FROM dynamo_tables WHERE name = 'x';\n"
        "SELECT name FROM dynamo_tables WHERE name IN ('%s', '%s');\n"
        % (name, missing, name, missing))
    eq((rc, err), (0, ""))
    # a missing table (and a name no table can have: no request) is no row
    eq(out.splitlines(), ["%s|uuid S" % name, "0", "0", name])
    eq(reqs[:2], [("DescribeTable", {"TableName": n}) for n in (name, missing)])
    eq(sorted(r[1]["TableName"] for r in reqs[2:]), sorted([name, missing]))
    eq({op for op, body in reqs}, {"DescribeTable"})
    # another collation is not DynamoDB's comparison: the list, then SQLite's
    rc, out, err, reqs = traced("SELECT name FROM dynamo_tables WHERE name = '%s' "
                                "COLLATE NOCASE;\n" % name.upper())
    eq((rc, err, out.strip()), (0, "", name))
    eq(reqs[0][0], "ListTables")
    c = connect()
    plan = c.execute("EXPLAIN QUERY PLAN SELECT * FROM dynamo_tables WHERE name = ?",
                     (name,)).fetchall()
    assert "DescribeTable name=?" in plan[0][-1], plan


def test_directonly_stored_views_cannot_use_it():
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "x.db")
        rc, out, err = shell("CREATE VIEW v AS SELECT name FROM dynamo_tables;\n", db=path)
        eq((rc, err), (0, ""))
        rc, out, err = shell("SELECT * FROM v;\n", db=path)
        assert rc != 0 and 'unsafe use of virtual table "dynamo_tables"' in err, (rc, err)
        # a TEMP view is the user's own
        rc, out, err = shell("CREATE TEMP VIEW t AS SELECT name FROM dynamo_tables;\n"
                             "SELECT count(*) >= 0 FROM t;\n", db=path)
        eq((rc, err, out.strip()), (0, "", "1"))


# -- the parameters and pagination, on a scripted server ----------------------

def describe(name, pk="id", billing="PAY_PER_REQUEST"):
    table = {"TableName": name, "TableStatus": "ACTIVE", "ItemCount": len(name),
             "TableSizeBytes": 10 * len(name), "CreationDateTime": 1700000000.5,
             "KeySchema": [{"AttributeName": pk, "KeyType": "HASH"}],
             "AttributeDefinitions": [{"AttributeName": pk, "AttributeType": "S"}],
             "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}}
    if billing:
        table["BillingModeSummary"] = {"BillingMode": billing}
    return (200, {"Table": table})


class ByTable(list):
    """DescribeTable answers by the TableName asked: the requests of one
    chunk arrive in any order. (FakeServer pops an operation's next answer
    right after recording the request.)"""
    def __init__(self, fs, answers):
        super().__init__([None])
        self.fs, self.answers = fs, answers

    def pop(self, i=-1):
        return self.answers[self.fs.requests[-1][2]["TableName"]]


def scripted(fs, pages, answers):
    fs.script("ListTables", *[(200, p) for p in pages])
    fs._scripts["DescribeTable"] = ByTable(fs, answers)


def credential(headers):
    h = {k.lower(): v for k, v in headers.items()}
    return h["authorization"].split("Credential=")[1].split(",")[0]


def test_pages_and_the_region_and_endpoint_parameters():
    with FakeServer() as fs:
        scripted(fs, [{"TableNames": ["Alpha", "Beta"], "LastEvaluatedTableName": "Beta"},
                      {"TableNames": ["Gamma"]}],
                 {"Alpha": describe("Alpha"), "Beta": describe("Beta", billing=None),
                  "Gamma": describe("Gamma", pk="g")})
        c = connect()
        got = c.execute("SELECT name, partition_key, item_count, size_bytes, billing_mode, "
                        "read_units, created, region, endpoint, profile "
                        "FROM dynamo_tables('eu-west-1', ?)", (fs.url + "/",)).fetchall()
        eq(got, [("Alpha", "id S", 5, 50, "PAY_PER_REQUEST", None, 1700000000.5, "eu-west-1",
                  fs.url, None),
                 ("Beta", "id S", 4, 40, "PROVISIONED", 0, 1700000000.5, "eu-west-1",
                  fs.url, None),
                 ("Gamma", "g S", 5, 50, "PAY_PER_REQUEST", None, 1700000000.5, "eu-west-1",
                  fs.url, None)])
        lists = [b for op, h, b in fs.requests if op == "ListTables"]
        eq(lists, [{"Limit": 100}, {"Limit": 100, "ExclusiveStartTableName": "Beta"}])
        eq(sorted(b["TableName"] for op, h, b in fs.requests if op == "DescribeTable"),
           ["Alpha", "Beta", "Gamma"])
        for op, h, b in fs.requests:
            assert "/eu-west-1/dynamodb/aws4_request" in credential(h), (op, h)


def test_where_form_and_the_profile_parameter():
    with tempfile.TemporaryDirectory() as d, FakeServer() as fs:
        creds = os.path.join(d, "credentials")
        with open(creds, "w") as f:
            f.write("[work]\naws_access_key_id = AKIDWORKPROFILE00000\n"
                    "aws_secret_access_key = work-secret-for-tests\nregion = ap-south-1\n")
        scripted(fs, [{"TableNames": ["One"]}], {"One": describe("One")})
        with environ(AWS_SHARED_CREDENTIALS_FILE=creds):
            c = connect()
            got = c.execute("SELECT name, region, endpoint, profile FROM dynamo_tables "
                            "WHERE region = ? AND endpoint = ? AND profile = ?",
                            ("sa-east-1", fs.url, "work")).fetchall()
        eq(got, [("One", "sa-east-1", fs.url, "work")])
        eq([credential(h).split("/")[0] for op, h, b in fs.requests], ["AKIDWORKPROFILE00000"] * 2)
        assert all("/sa-east-1/" in credential(h) for op, h, b in fs.requests), fs.requests
        # a profile that does not exist is an error, before any request
        n = len(fs.requests)
        with environ(AWS_SHARED_CREDENTIALS_FILE=creds):
            raises(lambda: c.execute("SELECT * FROM dynamo_tables(NULL, ?, 'nosuch')",
                                     (fs.url,)).fetchall(), 'profile "nosuch" not found')
        eq(len(fs.requests), n)


def test_more_tables_than_one_page_or_chunk():
    names = ["T%03d" % i for i in range(205)]
    with FakeServer() as fs:
        scripted(fs, [{"TableNames": names[:100], "LastEvaluatedTableName": names[99]},
                      {"TableNames": [], "LastEvaluatedTableName": names[99]},
                      {"TableNames": names[100:200], "LastEvaluatedTableName": names[199]},
                      {"TableNames": names[200:]}],
                 {n: describe(n) for n in names})
        c = connect()
        eq([r[0] for r in c.execute("SELECT name FROM dynamo_tables(NULL, ?)", (fs.url,))],
           names)
        eq(fs.ops().count("ListTables"), 4)
        eq(fs.ops().count("DescribeTable"), 205)


def test_a_table_deleted_meanwhile_is_no_row():
    with FakeServer() as fs:
        scripted(fs, [{"TableNames": ["Alpha", "Beta", "Gamma"]}],
                 {"Alpha": describe("Alpha"), "Beta": NOT_FOUND, "Gamma": describe("Gamma")})
        c = connect()
        eq(c.execute("SELECT name FROM dynamo_tables(NULL, ?)", (fs.url,)).fetchall(),
           [("Alpha",), ("Gamma",)])


def test_the_parameters_can_come_from_another_table():
    with FakeServer() as fs:
        scripted(fs, [{"TableNames": ["A1x"]}, {"TableNames": ["B2x"]}],
                 {"A1x": describe("A1x"), "B2x": describe("B2x")})
        c = connect()
        # written first, dynamo_tables still runs inner: once per region
        got = c.execute("SELECT t.name, t.region FROM dynamo_tables t "
                        "JOIN json_each('[\"eu-west-1\", \"us-west-2\"]') r "
                        "ON t.region = r.value AND t.endpoint = ? ORDER BY r.key",
                        (fs.url,)).fetchall()
        eq(got, [("A1x", "eu-west-1"), ("B2x", "us-west-2")])
        eq(fs.ops(), ["ListTables", "DescribeTable"] * 2)


# -- errors ---------------------------------------------------------------------

def test_errors_name_the_operation():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    c = connect()
    with environ(AWS_MAX_ATTEMPTS="2"):
        e = raises(lambda: c.execute("SELECT * FROM dynamo_tables(NULL, ?)",
                                     ("http://127.0.0.1:%d" % port,)).fetchall(),
                   "dynamo: ListTables on http://127.0.0.1:%d failed: " % port)
        assert "after 2 attempts" in str(e), e
    with FakeServer() as fs:
        scripted(fs, [{"TableNames": ["Alpha", "Beta"]}],
                 {"Alpha": describe("Alpha"),
                  "Beta": (400, {"__type": "com.amazonaws.dynamodb.v20120810#AccessDeniedException",
                                 "message": "not allowed"})})
        raises(lambda: c.execute("SELECT * FROM dynamo_tables(NULL, ?)", (fs.url,)).fetchall(),
               "dynamo: DescribeTable on Beta failed: AccessDeniedException: not allowed")
        fs.script("ListTables", (200, {"TableNames": "Alpha"}))
        raises(lambda: c.execute("SELECT * FROM dynamo_tables(NULL, ?)", (fs.url,)).fetchall(),
               "dynamo: ListTables on %s: malformed response (TableNames)" % fs.url)
    with environ(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None):
        raises(lambda: connect().execute("SELECT * FROM dynamo_tables").fetchall(),
               "dynamo: no AWS credentials found")
    raises(lambda: c.execute("SELECT * FROM dynamo_tables('not a region')").fetchall(),
           'dynamo: invalid region "not a region"')
