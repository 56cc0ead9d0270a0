"""The test infrastructure itself: server, environment, ddbclient, harness,
and a built dynamo.so that loads. These tests fail, never skip, when what
they need is missing."""

import os
import sqlite3

from harness import connect, ddb, defer, eq, raises, server, unique
from ddbclient import DynamoError, marshal_item, unmarshal_item


def test_environment_is_hermetic():
    eq(os.environ.get("AWS_REGION"), "us-east-1")
    endpoint = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB", "")
    assert endpoint.startswith("http://127.0.0.1:"), endpoint
    for name in ("AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
                 "AWS_SESSION_TOKEN"):
        assert name not in os.environ, name
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        assert not os.path.exists(os.environ[name]), name
    assert server() in ("dynamodb-local", "dynalite"), server()


def test_ddbclient_table_roundtrip():
    c = ddb()
    name = unique("infra")
    c.create_table(name, hash=("uuid", "S"), range=("timestamp", "S"))
    defer(c.delete_table, name)
    eq(c.describe_table(name)["TableStatus"], "ACTIVE")
    assert name in c.list_tables()

    c.put_item(name, marshal_item({"uuid": "u1", "timestamp": "2024-01-01",
                                   "n": 42, "f": 1.5, "tags": {"a", "b"}}))
    c.batch_put(name, [marshal_item({"uuid": "u%d" % (i % 7),
                                     "timestamp": "t%03d" % i, "i": i})
                       for i in range(60)])
    eq(c.count(name), 61)

    got = unmarshal_item(c.get_item(name, {"uuid": {"S": "u1"},
                                           "timestamp": {"S": "2024-01-01"}}))
    eq(got, {"uuid": "u1", "timestamp": "2024-01-01", "n": 42,
             "f": __import__("decimal").Decimal("1.5"), "tags": {"a", "b"}})
    eq(c.get_item(name, {"uuid": {"S": "nope"}, "timestamp": {"S": "x"}}),
       None)

    # scan_all must follow LastEvaluatedKey: force pages of 10.
    items = c.scan_all(name, Limit=10)
    eq(len(items), 61)
    eq(sorted(unmarshal_item(i)["timestamp"] for i in items)[:2],
       ["2024-01-01", "t000"])


def test_ddbclient_errors():
    c = ddb()
    name = unique("infra_err")
    c.create_table(name, hash=("uuid", "S"), range=("timestamp", "S"))
    defer(c.delete_table, name)
    # Missing sort key: a ValidationException with a message.
    try:
        c.put_item(name, {"uuid": {"S": "x"}})
    except DynamoError as e:
        eq(e.type, "ValidationException")
        assert e.message, "empty message"
        eq(e.status, 400)
    else:
        raise AssertionError("put_item without the sort key succeeded")
    try:
        c.describe_table(unique("missing"))
    except DynamoError as e:
        eq(e.type, "ResourceNotFoundException")
        assert e.message, "empty message"
    else:
        raise AssertionError("DescribeTable of a missing table succeeded")
    c.delete_table(unique("missing"))  # not-found is ignored


def test_harness_helpers():
    eq(1 + 1, 2)
    try:
        eq(1, 2, "numbers")
    except AssertionError as e:
        assert "numbers" in str(e) and "got:  1" in str(e), str(e)
    else:
        raise AssertionError("eq(1, 2) passed")
    db = sqlite3.connect(":memory:")
    raises(lambda: db.execute("SELECT * FROM no_such_table"), "no such table")
    try:
        raises(lambda: None, "x")
    except AssertionError:
        pass
    else:
        raise AssertionError("raises() accepted a function that did not raise")
    a, b = unique("x"), unique("x")
    assert a != b and a.startswith("x_"), (a, b)


def test_extension_loads():
    so = os.environ.get("DYNAMO_SO", "")
    assert so, "DYNAMO_SO is not set (run the tests with tests/run.sh)"
    assert os.path.exists(so), "DYNAMO_SO=%s does not exist (make dynamo.so)" % so
    conn = connect()
    eq(conn.execute("SELECT 1").fetchone(), (1,))
    conn.close()
