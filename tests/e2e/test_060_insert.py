"""INSERT -> PutItem: plain INSERT refuses an existing key, OR REPLACE
overwrites, OR IGNORE keeps; bad input is refused with a clear error and
nothing is written. (UPDATE, DELETE and batching: test_090_writes.py.)"""

import json
import os

from harness import connect, ddb, eq, raises, shell, traced
from fixtures import SAMPLE_ITEM, tracks_table
from ddbclient import unmarshal_item

KEY = {"uuid": {"S": "u1"}, "timestamp": {"S": "2017-12-20T16:10:38.997Z"}}


def table():
    name = tracks_table("ins")
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, latitude N, model TEXT)" % name)
    return name, c


def test_insert_from_the_cli_sample_file_with_readfile():
    name = tracks_table("ins")
    rc, out, err, reqs = traced(
        # the table is empty: nothing to discover, so the columns are declared
        "CREATE VIRTUAL TABLE tracks USING dynamo(table=%s, latitude N, longitude N, model S);\n"
        "INSERT INTO tracks(item) VALUES (readfile('%s'));\n"
        "SELECT uuid, timestamp, latitude, longitude, model FROM tracks;" % (name, SAMPLE_ITEM))
    eq((rc, err), (0, ""))
    eq(out.strip(), "test-uuid|2017-12-20T16:10:38.997Z|47.6349834766135|-122.142286812823|iPhone8,4")
    with open(SAMPLE_ITEM) as f:
        want = json.load(f)
    put = [r for o, r in reqs if o == "PutItem"]
    eq(len(put), 1)
    eq(put[0]["Item"], want, "the item is sent as the file holds it")
    got = ddb().get_item(name, {"uuid": want["uuid"], "timestamp": want["timestamp"]})
    eq(got, want)


def test_insert_columns_is_one_conditional_putitem():
    name = tracks_table("ins")
    rc, out, err, reqs = traced(
        "CREATE VIRTUAL TABLE tracks USING dynamo(table=%s, latitude N, model TEXT);\n"
        "INSERT INTO tracks(uuid, timestamp, latitude, model) "
        "VALUES ('u1', '2017-12-20T16:10:38.997Z', 47.63, 'iPhone8,4');" % name)
    eq((rc, err), (0, ""))
    put = [r for o, r in reqs if o == "PutItem"]
    eq(len(put), 1)
    eq(put[0]["Item"], dict(KEY, latitude={"N": "47.63"}, model={"S": "iPhone8,4"}))
    eq(put[0]["ConditionExpression"], "attribute_not_exists(#pk)")
    eq(put[0]["ExpressionAttributeNames"], {"#pk": "uuid"})
    # a retry that meets the item its own lost attempt wrote can tell
    eq(put[0]["ReturnValuesOnConditionCheckFailure"], "ALL_OLD")


def test_plain_insert_of_an_existing_key_is_a_constraint_error():
    name, c = table()
    c.execute("INSERT INTO t(uuid, timestamp, model) VALUES ('u1', 'x', 'first')")
    e = raises(lambda: c.execute("INSERT INTO t(uuid, timestamp, model) VALUES ('u1', 'x', 'second')"),
               "dynamo: PutItem on %s failed: ConditionalCheckFailedException" % name)
    assert "UNIQUE constraint failed: t.uuid, t.timestamp" in str(e), e
    eq(e.sqlite_errorcode & 0xff, 19)  # SQLITE_CONSTRAINT
    eq(ddb().get_item(name, {"uuid": {"S": "u1"}, "timestamp": {"S": "x"}})["model"], {"S": "first"})


def test_insert_or_replace_overwrites_and_or_ignore_keeps():
    name, c = table()
    c.execute("INSERT INTO t(uuid, timestamp, model, latitude) VALUES ('u1', 'x', 'first', 1)")
    c.execute("INSERT OR IGNORE INTO t(uuid, timestamp, model) VALUES ('u1', 'x', 'ignored')")
    got = ddb().get_item(name, {"uuid": {"S": "u1"}, "timestamp": {"S": "x"}})
    eq((got["model"], got["latitude"]), ({"S": "first"}, {"N": "1"}))
    c.execute("INSERT OR REPLACE INTO t(uuid, timestamp, model) VALUES ('u1', 'x', 'replaced')")
    got = ddb().get_item(name, {"uuid": {"S": "u1"}, "timestamp": {"S": "x"}})
    eq(got, {"uuid": {"S": "u1"}, "timestamp": {"S": "x"}, "model": {"S": "replaced"}})
    c.execute("REPLACE INTO t(uuid, timestamp, model) VALUES ('u1', 'x', 'again')")
    eq(ddb().get_item(name, {"uuid": {"S": "u1"}, "timestamp": {"S": "x"}})["model"], {"S": "again"})


def test_item_and_columns_together_columns_win():
    name, c = table()
    c.execute("INSERT INTO t(item, model) VALUES (?, 'from column')",
              (json.dumps(dict(KEY, model={"S": "from item"}, speed={"N": "5"})),))
    got = ddb().get_item(name, KEY)
    eq((got["model"], got["speed"]), ({"S": "from column"}, {"N": "5"}))


def test_bad_rows_are_refused_and_nothing_is_written():
    name, c = table()
    big = "x" * 410000
    cases = [
        ("INSERT INTO t(timestamp, model) VALUES ('x', 'm')", "missing partition key uuid"),
        ("INSERT INTO t(uuid, model) VALUES ('u', 'm')", "missing sort key timestamp"),
        ("INSERT INTO t(uuid, timestamp) VALUES (x'00', 'x')", "key uuid must be of type S, not B"),
        ("INSERT INTO t(uuid, timestamp) VALUES ('', 'x')", "key uuid cannot be empty"),
        ("INSERT INTO t(uuid, timestamp, latitude) VALUES ('u', 'x', 1e999)", "NaN and Infinity cannot be stored"),
        ("INSERT INTO t(item) VALUES (NULL)", "the item is NULL and no column is given"),
        ("INSERT INTO t(item, model) VALUES (NULL, NULL)", "the item is NULL and no column is given"),
        ("INSERT INTO t(item) VALUES ('{not json')", "item is not valid JSON"),
        ("INSERT INTO t(item) VALUES ('[1]')", "item JSON must be an object"),
        ("INSERT INTO t(item) VALUES ('{\"uuid\":\"x\",\"timestamp\":{\"S\":\"y\"}}')",
         "attribute uuid: expected an object with one type tag"),
        ("INSERT INTO t(item) VALUES ('{\"uuid\":{\"S\":\"u\"},\"timestamp\":{\"S\":\"y\"},\"n\":{\"N\":\"abc\"}}')",
         "attribute n: number \"abc\" is not a number"),
        ("INSERT INTO t(item) VALUES ('{\"uuid\":{\"N\":\"1\"},\"timestamp\":{\"S\":\"y\"}}')",
         "key uuid must be of type S, not N"),
        ("INSERT INTO t(uuid, timestamp, model) VALUES ('u', 'big', '%s')" % big,
         "is 410022 bytes, over DynamoDB's limit of 409600 bytes"),
    ]
    for sql, msg in cases:
        raises(lambda: c.execute(sql), msg)
    eq(ddb().count(name), 0)


def test_insert_select_between_tables():
    src = tracks_table("src", items=[{"uuid": "u%d" % i, "timestamp": "t", "model": "m%d" % i}
                                     for i in range(30)])
    dst = tracks_table("dst")
    c = connect()
    c.execute("CREATE VIRTUAL TABLE s USING dynamo(table=%s)" % src)
    c.execute("CREATE VIRTUAL TABLE d USING dynamo(table=%s, model S)" % dst)
    c.execute("INSERT INTO d SELECT * FROM s WHERE model != 'm3'")
    eq(ddb().count(dst), 29)
    eq(c.execute("SELECT count(*) FROM d WHERE model = 'm3'").fetchone()[0], 0)
    c.execute("INSERT INTO d(item) SELECT item FROM s WHERE model = 'm3'")
    eq(c.execute("SELECT count(*) FROM d").fetchone()[0], 30)


def test_python_and_shell_see_the_same_rows():
    name, c = table()
    c.execute("INSERT INTO t(uuid, timestamp, model, latitude) VALUES ('u1', 'a', 'x', 47.6349834766135)")
    rc, out, err = shell("CREATE VIRTUAL TABLE t USING dynamo(table=%s);\n"
                         ".mode json\nSELECT uuid, timestamp, model, latitude FROM t;" % name)
    eq(rc, 0, err)
    eq(json.loads(out), [{"uuid": "u1", "timestamp": "a", "model": "x", "latitude": 47.6349834766135}])


def test_text_that_is_not_utf8_is_refused_before_sending():
    name, c = table()
    raises(lambda: c.execute("INSERT INTO t(uuid, timestamp, model) VALUES ('u', 'x', "
                             "CAST(x'61ff62' AS TEXT))"), "column model: text that is not valid UTF-8")
    raises(lambda: c.execute("INSERT INTO t(uuid, timestamp) VALUES (CAST(x'c328' AS TEXT), 'x')"),
           "column uuid: text that is not valid UTF-8")
    raises(lambda: c.execute("INSERT INTO t(item) VALUES (CAST(x'7b2275756964223a7b2253223a2261ff227d7d' AS TEXT))"),
           "item JSON is not valid UTF-8")
    # a read is no write: no key is such text, so it equals none (no request)
    eq(c.execute("SELECT * FROM t WHERE uuid = CAST(x'61ff' AS TEXT)").fetchall(), [])
    eq(ddb().count(name), 0)


def test_a_file_readfile_cannot_read_is_named_as_a_null_item():
    """The workshop's INSERT with a path that is not there: readfile() gives
    NULL, and the error says so rather than that a key is missing."""
    name, c = table()
    rc, out, err = shell("CREATE VIRTUAL TABLE t USING dynamo(table=%s);\n"
                         "INSERT INTO t(item) VALUES (readfile('no-such-sampleItem.json'));" % name)
    assert rc != 0, (rc, out, err)
    assert "dynamo: INSERT into t: the item is NULL and no column is given (readfile() gives " \
           "NULL when it cannot read the file)" in err, err
    assert "missing" not in err, err
    eq(ddb().count(name), 0)


def test_an_item_over_400_kb_is_refused_naming_its_key_and_size():
    # DynamoDB counts names and values: uuid 4+1, timestamp 9+4, pad 3+N.
    # 409,600 bytes is the most an item may hold, and DynamoDB takes it.
    name = tracks_table("big")
    fits, over = 409600 - 5 - 13 - 3, 409600 - 5 - 13 - 3 + 1
    rc, out, err, reqs = traced(
        "CREATE VIRTUAL TABLE t USING dynamo(table=%s, pad S);\n"
        "INSERT INTO t VALUES ('u', 'fits', printf('%%.*c', %d, 'x'));\n"
        "SELECT length(pad) FROM t;\n"
        "INSERT INTO t VALUES ('u', 'over', printf('%%.*c', %d, 'x'));\n" % (name, fits, over))
    eq(out.split(), [str(fits)])
    assert ('dynamo: INSERT into t: the item {"uuid":{"S":"u"},"timestamp":{"S":"over"}} is '
            '409601 bytes, over DynamoDB\'s limit of 409600 bytes') in err, err
    # refused before anything is sent: the one PutItem is the item that fits
    eq([r["Item"]["timestamp"]["S"] for o, r in reqs if o == "PutItem"], ["fits"])
    eq(rc != 0, True)


def test_an_item_too_large_does_not_fail_the_others_of_its_batch():
    name = tracks_table("big")
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, pad S)" % name)
    c.execute("BEGIN")
    c.execute("INSERT OR REPLACE INTO t VALUES ('u', 'small 1', 'x')")
    raises(lambda: c.execute("INSERT OR REPLACE INTO t VALUES ('u', 'big', ?)", ("x" * 500000,)),
           'the item {"uuid":{"S":"u"},"timestamp":{"S":"big"}} is 500020 bytes')
    c.execute("INSERT OR REPLACE INTO t VALUES ('u', 'small 2', 'y')")
    c.execute("COMMIT")
    eq(sorted(unmarshal_item(i)["timestamp"] for i in ddb().scan_all(name)), ["small 1", "small 2"])
    # an UPDATE that would make an item too large: only DynamoDB knows the
    # item's size, and the error names the item and the limit
    e = raises(lambda: c.execute("UPDATE t SET pad = ? WHERE uuid = 'u' AND timestamp = 'small 1'",
                                 ("x" * 500000,)), "exceeded the maximum allowed size")
    assert ('(the item {"uuid":{"S":"u"},"timestamp":{"S":"small 1"}}; DynamoDB holds at most '
            '409600 bytes, 400 KB' in str(e)), e
