"""CREATE VIRTUAL TABLE: options, column discovery, declared columns, the
persisted schema, the hidden item column, DROP TABLE."""

import os
import sqlite3
import tempfile

from harness import connect, ddb, eq, raises, shell, traced, unique
from fixtures import tracks_table, track_items


def columns(c, name):
    return [(r[1], r[2], r[6]) for r in c.execute("SELECT * FROM pragma_table_xinfo(?)", (name,))]


def test_missing_table_option():
    c = connect()
    raises(lambda: c.execute("CREATE VIRTUAL TABLE t USING dynamo(region=us-east-1)"),
           "missing option table=NAME")


def test_unknown_and_duplicate_options():
    c = connect()
    raises(lambda: c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=x, colour=red)"),
           "unknown option 'colour'")
    raises(lambda: c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=x, table=y)"),
           "option 'table' given twice")
    raises(lambda: c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=x, consistent_read=yes)"),
           "consistent_read must be 0 or 1")


def test_secret_key_refused_with_reason():
    c = connect()
    for opt in ("aws_secret_access_key", "secret_access_key", "session_token",
                "aws_access_key_id"):
        e = raises(lambda: c.execute(
            "CREATE VIRTUAL TABLE t USING dynamo(table=x, %s='wJalrXUtnFEMI')" % opt),
            "option '%s' refused" % opt)
        assert "plain text in the database schema" in str(e), e
        assert "wJalrXUtnFEMI" not in str(e), e
    eq(c.execute("SELECT count(*) FROM sqlite_master").fetchone()[0], 0)


def test_table_that_does_not_exist():
    c = connect()
    name = unique("nosuch")
    e = raises(lambda: c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s)" % name),
               "dynamo: DescribeTable on %s failed: ResourceNotFoundException" % name)
    eq(c.execute("SELECT count(*) FROM sqlite_master").fetchone()[0], 0)


def test_discovers_keys_first_then_attributes_with_types():
    name = tracks_table(items=[
        {"uuid": "u1", "timestamp": "t1", "latitude": 47.5, "model": "iPhone8,4",
         "tags": {"a", "b"}, "raw": b"\x00\x01", "ok": True, "nothing": None,
         "route": [1, "two"], "meta": {"k": "v"}, "nums": {1, 2}, "bins": {b"x"}},
        {"uuid": "u2", "timestamp": "t2", "latitude": 47, "mixed": "text"},
        {"uuid": "u3", "timestamp": "t3", "mixed": 5},
    ])
    c = connect()
    c.execute("CREATE VIRTUAL TABLE tracks USING dynamo(table=%s)" % name)
    eq(columns(c, "tracks"), [
        ("uuid", "TEXT", 0), ("timestamp", "TEXT", 0),
        ("bins", "BS", 0), ("latitude", "N", 0), ("meta", "M", 0), ("mixed", "", 0),
        ("model", "TEXT", 0), ("nothing", "NULL", 0), ("nums", "NS", 0), ("ok", "BOOL", 0),
        ("raw", "BLOB", 0), ("route", "L", 0), ("tags", "SS", 0),
        ("item", "TEXT", 1), ("_key", "TEXT", 1)])


def test_number_and_binary_keys_get_their_sqlite_types():
    name = tracks_table(pk=("id", "N"), sk=("blob", "B"), items=[{"id": 1, "blob": b"\x01"}])
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s)" % name)
    eq(columns(c, "t")[:2], [("id", "NUMERIC", 0), ("blob", "BLOB", 0)])


def test_schema_is_persisted_and_reopened_without_requests():
    name = tracks_table(items=track_items(1, 3))
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "r.db")
        c = connect(db)
        c.execute("CREATE VIRTUAL TABLE tracks USING dynamo(table=%s)" % name)
        before = columns(c, "tracks")
        c.close()
        # new attributes appear in DynamoDB: the schema must not change
        ddb().put_item(name, {"uuid": {"S": "u9"}, "timestamp": {"S": "x"},
                              "brand_new": {"S": "y"}})
        rc, out, err, reqs = traced("SELECT name FROM pragma_table_info('tracks');", db=db)
        eq((rc, err), (0, ""))
        eq(out.split(), [b[0] for b in before if b[2] == 0])
        eq(reqs, [], "opening the table must not send a request")
        # the shadow table is there, and is read-only under defensive mode
        c = connect(db)
        eq(c.execute("SELECT name, type, key FROM tracks_schema ORDER BY pos LIMIT 2").fetchall(),
           [("uuid", "S", "HASH"), ("timestamp", "S", "RANGE")])


def test_refresh_adds_the_attributes_that_arrived_since():
    """The columns found at CREATE are fixed; dynamo_refresh('t') adds those
    a new sample shows, keeps every existing column as it is, and the table
    has them at once, in this connection and the next."""
    name = tracks_table()
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "r.db")
        c = connect(db)
        c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s)" % name)
        c.execute("CREATE VIRTUAL TABLE d USING dynamo(table=%s, speed REAL, note TEXT)" % name)
        eq([n for n, t, h in columns(c, "t") if not h], ["uuid", "timestamp"])
        ddb().put_item(name, {"uuid": {"S": "u"}, "timestamp": {"S": "1"}, "speed": {"N": "3"},
                              "model": {"S": "m"}, "item": {"S": "reserved"}})
        eq(c.execute("SELECT dynamo_refresh('t')").fetchall(), [(2,)])
        eq(columns(c, "t"), [("uuid", "TEXT", 0), ("timestamp", "TEXT", 0), ("model", "TEXT", 0),
                             ("speed", "N", 0), ("item", "TEXT", 1), ("_key", "TEXT", 1)])
        eq(c.execute("SELECT uuid, model, speed FROM t").fetchall(), [("u", "m", 3)])
        # declared columns keep their type; only what is new is added, after them
        eq(c.execute("SELECT dynamo_refresh('d', 'main')").fetchall(), [(1,)])
        eq([(n, t) for n, t, h in columns(c, "d") if not h],
           [("uuid", "TEXT"), ("timestamp", "TEXT"), ("speed", "REAL"), ("note", "TEXT"),
            ("model", "TEXT")])
        eq(c.execute("SELECT speed / 2, model FROM d").fetchall(), [(1.5, "m")])
        eq(c.execute("SELECT dynamo_refresh('t')").fetchall(), [(0,)])
        c.close()
        # kept in t_schema: the next connection sees them without a request
        # (but the table's size, which the plan prices reads by, asked once)
        rc, out, err, reqs = traced("SELECT model, speed FROM t WHERE uuid = 'u' AND timestamp = '1';"
                                    , db=db)
        eq((rc, err, out), (0, "", "m|3\n"))
        eq([op for op, r in reqs], ["DescribeTable", "GetItem"])
        # and the shell's session goes on with them too
        ddb().put_item(name, {"uuid": {"S": "u"}, "timestamp": {"S": "2"}, "heading": {"N": "90"}})
        rc, out, err = shell("SELECT dynamo_refresh('t');\n"
                             "SELECT heading FROM t WHERE timestamp = '2';", db=db)
        eq((rc, err, out), (0, "", "1\n90\n"))
        # defensive mode keeps SQLite from reading the schema again: said so
        ddb().put_item(name, {"uuid": {"S": "u"}, "timestamp": {"S": "3"}, "late": {"N": "1"}})
        rc, out, err = shell(".dbconfig defensive on\nSELECT dynamo_refresh('t');", db=db)
        assert "the new columns are saved, but SQLite shows them only once the database is " \
               "opened again" in err, err
        rc, out, err = shell("SELECT late FROM t WHERE timestamp = '3';", db=db)
        eq((rc, err, out), (0, "", "1\n"))


def test_refresh_names_what_it_cannot_refresh():
    name = tracks_table()
    c = connect()
    c.execute("CREATE TABLE plain(x)")
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s)" % name)
    c.execute("CREATE VIRTUAL TABLE temp.t USING dynamo(table=%s)" % name)
    raises(lambda: c.execute("SELECT dynamo_refresh('nope')"), "dynamo_refresh: no dynamo table nope")
    raises(lambda: c.execute("SELECT dynamo_refresh('plain')"), "dynamo_refresh: no dynamo table plain")
    raises(lambda: c.execute("SELECT dynamo_refresh('t', 'aux')"), 'unknown database "aux"')
    raises(lambda: c.execute("SELECT dynamo_refresh('t')"),
           "dynamo_refresh: t is in more than one schema: name it, as in dynamo_refresh('t', 'main')")
    raises(lambda: c.execute("SELECT dynamo_refresh(NULL)"), "give the name of a dynamo table")
    eq(c.execute("SELECT dynamo_refresh('t', 'temp')").fetchall(), [(0,)])
    # DynamoDB's error, named, when the sample cannot be read
    ddb().delete_table(name)
    raises(lambda: c.execute("SELECT dynamo_refresh('t', 'main')"),
           "dynamo: Scan on %s failed: ResourceNotFoundException" % name)


def test_declared_columns_keep_types_and_keys_are_added():
    name = tracks_table()
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, latitude REAL, model TEXT, "
              "tags SS, \"odd name.x#1\" N)" % name)
    eq(columns(c, "t"), [("uuid", "TEXT", 0), ("timestamp", "TEXT", 0),
                         ("latitude", "REAL", 0), ("model", "TEXT", 0), ("tags", "SS", 0),
                         ("odd name.x#1", "N", 0), ("item", "TEXT", 1), ("_key", "TEXT", 1)])


def test_declared_key_of_the_wrong_type_is_refused():
    name = tracks_table()
    c = connect()
    raises(lambda: c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, uuid N)" % name),
           "column uuid is declared N, but the table's key attribute uuid is of type S")


def test_hidden_column_names_are_reserved():
    name = tracks_table()
    c = connect()
    for col in ("item", "ITEM", "_key"):
        raises(lambda: c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, %s TEXT)"
                                 % (name, col)), "reserved for a hidden column")


def test_drop_table_keeps_the_dynamodb_table():
    name = tracks_table(items=track_items(1, 2))
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s)" % name)
    c.execute("DROP TABLE t")
    eq(c.execute("SELECT count(*) FROM sqlite_master").fetchone()[0], 0)
    eq(ddb().count(name), 2)


def test_a_stored_view_or_trigger_cannot_use_the_table():
    # a file someone else made may hold views and triggers over a dynamo
    # table: opening it must never send a request on the user's credentials
    name = tracks_table(items=track_items(1, 2))
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "x.db")
        rc, out, err = shell(
            "CREATE VIRTUAL TABLE t USING dynamo(table=%s);\n"
            "CREATE VIEW v AS SELECT count(*) FROM t;\n"
            "CREATE TABLE log(x TEXT);\n"
            "CREATE TRIGGER tr AFTER INSERT ON log BEGIN\n"
            "  INSERT INTO t(uuid, timestamp) VALUES (new.x, 'from a trigger');\n"
            "END;\n" % name, db=path)
        eq((rc, err), (0, ""))
        rc, out, err, reqs = traced("SELECT * FROM v;\n", db=path)
        assert rc != 0 and 'unsafe use of virtual table "t"' in err, (rc, err)
        eq(reqs, [])
        rc, out, err, reqs = traced("INSERT INTO log VALUES ('x');\n", db=path)
        assert rc != 0 and 'unsafe use of virtual table "t"' in err, (rc, err)
        eq(reqs, [])
        eq(ddb().count(name), 2)
        # the user's own statements and TEMP views may use it
        rc, out, err = shell("CREATE TEMP VIEW tv AS SELECT count(*) FROM t;\n"
                             "SELECT * FROM tv;\n", db=path)
        eq((rc, err, out.strip()), (0, "", "2"))


def test_rename_moves_the_schema():
    name = tracks_table(items=track_items(1, 2))
    c = connect()
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s)" % name)
    c.execute("ALTER TABLE t RENAME TO t2")
    eq(c.execute("SELECT count(*) FROM t2").fetchone()[0], 2)
    eq(sorted(r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")),
       ["t2", "t2_index", "t2_schema"])


def test_no_credentials_names_the_places_looked_at():
    name = tracks_table()
    rc, out, err = shell("CREATE VIRTUAL TABLE t USING dynamo(table=%s);" % name,
                         env={"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None})
    assert rc != 0
    assert "no AWS credentials found" in err, err
    assert "AWS_ACCESS_KEY_ID" in err and os.environ["AWS_SHARED_CREDENTIALS_FILE"] in err, err


def test_credentials_region_and_endpoint_from_a_profile():
    name = tracks_table(items=track_items(1, 2))
    with tempfile.TemporaryDirectory() as d:
        creds = os.path.join(d, "credentials")
        conf = os.path.join(d, "config")
        with open(creds, "w") as f:
            f.write("[reports]\naws_access_key_id = AKIDPROFILE\n"
                    "aws_secret_access_key = profilesecret\n")
        with open(conf, "w") as f:
            f.write("[profile reports]\nregion = eu-west-1\nendpoint_url = %s\n"
                    % os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
        env = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None, "AWS_REGION": None,
               "AWS_ENDPOINT_URL_DYNAMODB": None, "AWS_SHARED_CREDENTIALS_FILE": creds,
               "AWS_CONFIG_FILE": conf}
        rc, out, err = shell("CREATE VIRTUAL TABLE t USING dynamo(table=%s, profile=reports);"
                             "SELECT count(*) FROM t;" % name, env=env)
        eq((rc, err, out.strip()), (0, "", "2"))
        # the profile is not in the schema's text, and neither is a secret
        rc, out, err = shell("CREATE VIRTUAL TABLE t USING dynamo(table=%s, profile=reports);"
                             "SELECT sql FROM sqlite_master; SELECT dynamo_debug();" % name,
                             env=env)
        eq(rc, 0, err)
        assert "profilesecret" not in out + err
