"""Opening someone else's database (ARCHITECTURE.md has the threat model).

Each test crafts a database file as anyone could (plain SQLite, no
extension: a CREATE VIRTUAL TABLE written into sqlite_schema, shadow tables
filled by hand, views and triggers), then opens it as a user whose sqlite3
shell loads the extension, against a logging stand-in server on 127.0.0.1
where the file would send requests. What must hold: no request reaches a
place the user did not configure, every case is a clear error that names
what was refused (and how to trust the file when that is the remedy), and
nothing crashes (the shell's exit status is 1, not a signal; under
make test-asan a sanitizer report fails the test).
"""

import os
import shutil
import sqlite3
import tempfile

from harness import defer, eq, shell
from fakeserver import FakeServer, describe
from fixtures import tracks_table
from connectproxy import ConnectProxy
from credtest import aws_file, closed_port, new_home

ENDPOINT = os.environ["AWS_ENDPOINT_URL_DYNAMODB"]   # the user's own
KEY_ROWS = [(0, "uuid", "S", "HASH"), (1, "timestamp", "S", "RANGE")]
NO_PROXY = {"NO_PROXY": None, "no_proxy": None}


def tmpdir():
    d = tempfile.mkdtemp(prefix="dynamo-hostile-")
    defer(shutil.rmtree, d, True)
    return d


def crafted(args, rows=KEY_ROWS, index_rows=None, extra=(), name="customers"):
    """A database file holding dynamo table NAME with these arguments and
    shadow tables, written without the extension; returns its path."""
    path = os.path.join(tmpdir(), "shared.db")
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE \"%s_schema\"(pos INTEGER PRIMARY KEY, name TEXT NOT NULL, "
              "type TEXT NOT NULL, key TEXT)" % name)
    if rows is not None:
        # no constraint stands in the way of what a crafted file holds
        c.execute("DROP TABLE \"%s_schema\"" % name)
        c.execute("CREATE TABLE \"%s_schema\"(pos, name, type, key)" % name)
        c.executemany("INSERT INTO \"%s_schema\" VALUES (?,?,?,?)" % name, rows)
    else:
        c.execute("DROP TABLE \"%s_schema\"" % name)
    if index_rows is not None:
        c.execute("CREATE TABLE \"%s_index\"(name, global, pk, pk_type, sk, sk_type, "
                  "projection, include)" % name)
        c.executemany("INSERT INTO \"%s_index\" VALUES (?,?,?,?,?,?,?,?)" % name, index_rows)
    c.execute("PRAGMA writable_schema = ON")
    c.execute("INSERT INTO sqlite_schema VALUES ('table', ?, ?, 0, ?)",
              (name, name, "CREATE VIRTUAL TABLE \"%s\" USING dynamo(%s)" % (name, args)))
    c.execute("PRAGMA writable_schema = OFF")
    for sql in extra:
        c.execute(sql)
    c.commit()
    c.close()
    return path


def run(path, sql, env=None):
    """The user opens the file in the sqlite3 shell with the extension."""
    rc, out, err = shell(sql, db=path, env=env)
    assert rc in (0, 1), "the shell died (exit status %d): %s" % (rc, err)
    return rc, out, err


def trust_error(err, path, settings):
    assert "dynamo: main.customers: the database's schema sets %s: settings that decide where " \
           "requests and credentials go, or how much work a statement may do, are honoured only " \
           "from a database you trust. To trust it: export DYNAMO_TRUST=%s (files separated by " \
           "':'), or SELECT dynamo_config('trust', 1) first on this connection." \
           % (settings, path) in err, err


# -- options that decide where requests and credentials go ---------------------

def test_a_stored_endpoint_gets_nothing_until_the_user_trusts_the_file():
    with FakeServer() as fs:
        path = crafted("table=T, endpoint='%s', allow_http=1" % fs.url)
        settings = "endpoint='%s', allow_http=1" % fs.url
        for sql in ("SELECT count(*) FROM customers;",
                    "INSERT INTO customers(uuid, timestamp) VALUES ('u', 't');",
                    "SELECT dynamo_refresh('customers');"):
            rc, out, err = run(path, sql)
            eq(rc, 1)
            trust_error(err, path, settings)
        eq(fs.requests, [])
        # the user's word, and nothing else, opens the way
        for env, first in (({"DYNAMO_TRUST": path}, ""),
                           ({"DYNAMO_TRUST": "/nonexistent:%s" % path}, ""),
                           ({"DYNAMO_TRUST": "*"}, ""),
                           (None, "SELECT dynamo_config('trust', 1);\n")):
            fs.script("DescribeTable", describe("T"))
            fs.script("Scan", (200, {"Count": 3, "ScannedCount": 3}))
            rc, out, err = run(path, first + "SELECT count(*) FROM customers;", env=env)
            eq((rc, out.split()[-1]), (0, "3"), err)
        eq(fs.ops().count("Scan"), 4)
        # SQLite's own PRAGMA trusted_schema = OFF: no file is trusted
        n = len(fs.requests)
        rc, out, err = run(path, "PRAGMA trusted_schema = OFF;\nSELECT count(*) FROM customers;",
                           env={"DYNAMO_TRUST": path})
        assert_schema_off(err, settings)
        rc, out, err = run(path, "PRAGMA trusted_schema = OFF;\nSELECT dynamo_config('trust', 1);"
                                 "\nSELECT count(*) FROM customers;")
        assert_schema_off(err, settings)
        # another file, or its directory, is not this one
        rc, out, err = run(path, "SELECT count(*) FROM customers;",
                           env={"DYNAMO_TRUST": path + "x:" + os.path.dirname(path)})
        trust_error(err, path, settings)
        eq(len(fs.requests), n)


def assert_schema_off(err, settings):
    assert ("the database's schema sets %s: settings that decide where requests and "
            "credentials go, or how much work a statement may do, are honoured only from a "
            "database you trust. PRAGMA trusted_schema is OFF on this connection: none is."
            % settings) in err, err


def test_no_view_or_trigger_can_trust_the_file():
    """dynamo_config('trust', 1) is SQLITE_DIRECTONLY: the file cannot
    call it for the user."""
    with FakeServer() as fs:
        path = crafted("table=T, endpoint='%s'" % fs.url,
                       extra=["CREATE VIEW please AS SELECT dynamo_config('trust', 1)",
                              "CREATE TABLE bait(x)",
                              "CREATE TRIGGER t AFTER INSERT ON bait BEGIN "
                              "SELECT dynamo_config('trust', 1); END"])
        rc, out, err = run(path, "SELECT * FROM please;\nINSERT INTO bait VALUES (1);\n"
                                 "SELECT count(*) FROM customers;")
        eq(err.count("unsafe use of dynamo_config()"), 2, err)
        trust_error(err, path, "endpoint='%s'" % fs.url)
        eq(fs.requests, [])


def test_a_stored_profile_runs_nothing_of_the_users():
    """profile=admin would have run admin's credential_process."""
    home = new_home()
    marker = os.path.join(home, "credential_process-ran")
    aws_file(home, "config", "[profile admin]\ncredential_process = /usr/bin/touch %s\n"
                             "region = us-east-1\n" % marker)
    env = {"HOME": home, "AWS_CONFIG_FILE": os.path.join(home, ".aws", "config"),
           "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, ".aws", "credentials")}
    name = tracks_table("hostile")
    path = crafted("table=%s, profile=admin" % name)
    rc, out, err = run(path, "SELECT count(*) FROM customers;", env=env)
    trust_error(err, path, "profile='admin'")
    assert not os.path.exists(marker)
    # the profile the user's environment names needs no trust: it is theirs
    rc, out, err = run(path, "SELECT count(*) FROM customers;", env=dict(env, AWS_PROFILE="admin"))
    assert os.path.exists(marker), err
    assert "credential_process" in err and "trust" not in err, err


def test_a_stored_ca_bundle_needs_trust_unless_it_is_the_users():
    name = tracks_table("hostile", items=[{"uuid": "u", "timestamp": "t"}])
    path = crafted("table=%s, ca_bundle='/tmp/their-ca.pem'" % name)
    rc, out, err = run(path, "SELECT count(*) FROM customers;")
    trust_error(err, path, "ca_bundle='/tmp/their-ca.pem'")
    rc, out, err = run(path, "SELECT count(*) FROM customers;",
                       env={"AWS_CA_BUNDLE": "/tmp/their-ca.pem"})
    eq((rc, out.strip()), (0, "1"), err)


def test_the_users_own_endpoint_and_awss_need_no_trust():
    name = tracks_table("hostile", items=[{"uuid": "u", "timestamp": "t"}])
    # the endpoint the user's environment gives, spelled another way
    path = crafted("table=%s, endpoint='%s/'" % (name, ENDPOINT.replace("127.0.0.1", "127.1")))
    rc, out, err = run(path, "SELECT count(*) FROM customers;")
    eq((rc, out.strip()), (0, "1"), err)
    # DynamoDB's AWS endpoints: seen through a proxy, nothing leaves
    for url, host in (("https://dynamodb.eu-west-1.amazonaws.com", "dynamodb.eu-west-1.amazonaws.com"),
                      ("https://dynamodb-fips.us-gov-west-1.amazonaws.com",
                       "dynamodb-fips.us-gov-west-1.amazonaws.com"),
                      ("https://111122223333.ddb.us-east-1.amazonaws.com",
                       "111122223333.ddb.us-east-1.amazonaws.com")):
        path = crafted("table=T, endpoint='%s', max_attempts=1" % url)
        with ConnectProxy() as p:
            rc, out, err = run(path, "SELECT count(*) FROM customers;",
                               env={"HTTPS_PROXY": p.url, "https_proxy": None})
            eq(sorted(set(p.targets())), [host + ":443"], err)
        assert "trust" not in err and "CONNECT" in err, err
    # hosts under amazonaws.com that anyone can own are not AWS's DynamoDB
    for url in ("https://abc123.execute-api.us-east-1.amazonaws.com",
                "https://dynamodb.s3.amazonaws.com",
                "https://dynamodb.us-east-1.amazonaws.com.example.com"):
        path = crafted("table=T, endpoint='%s'" % url)
        with ConnectProxy() as p:
            rc, out, err = run(path, "SELECT count(*) FROM customers;",
                               env={"HTTPS_PROXY": p.url, "https_proxy": None})
            eq(p.targets(), [])
        trust_error(err, path, "endpoint='%s'" % url)


def test_a_file_the_user_made_against_their_local_server_reopens():
    """README's flow: a table created against the local server, kept in a
    file, opened again later in a shell pointed at the same server."""
    name = tracks_table("hostile", items=[{"uuid": "u", "timestamp": "t"}])
    path = os.path.join(tmpdir(), "mine.db")
    for options in ("", ", endpoint='%s'" % ENDPOINT):
        rc, out, err = run(path, "DROP TABLE IF EXISTS t; CREATE VIRTUAL TABLE t USING "
                                 "dynamo(table=%s%s);" % (name, options))
        eq(rc, 0, err)
        rc, out, err = run(path, "SELECT count(*) FROM t;")
        eq((rc, out.strip()), (0, "1"), err)
    # created against another endpoint: the same connection keeps using it,
    # also once SQLite connects it again; a later one needs the user's word
    with FakeServer() as fs:
        fs.script("DescribeTable", *[describe("Fake", sk=None)] * 3)
        fs.script("Scan", (200, {"Items": [{"uuid": {"S": "a"}, "n": {"N": "1"}}]}),
                  (200, {"Items": [{"uuid": {"S": "a"}, "n": {"N": "1"}, "m": {"S": "x"}}]}),
                  (200, {"Count": 1, "ScannedCount": 1}),
                  (200, {"Items": [{"uuid": {"S": "a"}, "n": {"N": "1"}}]}))
        # dynamo_refresh adds m: SQLite connects f again, with the arguments typed here
        rc, out, err = run(path, "CREATE VIRTUAL TABLE f USING dynamo(table=Fake, endpoint='%s');"
                                 "\nSELECT dynamo_refresh('f');\nSELECT count(*) FROM f;" % fs.url)
        eq((rc, out.split()), (0, ["1", "1"]), err)
        n = len(fs.requests)
        rc, out, err = run(path, "SELECT count(*) FROM f;")
        assert "dynamo: main.f: the database's schema sets endpoint='%s'" % fs.url in err, err
        eq(len(fs.requests), n)
        rc, out, err = run(path, "SELECT count(*), count(m) FROM f;", env={"DYNAMO_TRUST": path})
        eq((rc, out.strip()), (0, "1|0"), err)


# -- how much work a statement may do ------------------------------------------

def test_cost_bounds_above_the_defaults_need_trust():
    name = tracks_table("hostile", items=[{"uuid": "u%d" % i, "timestamp": "t"} for i in range(3)])
    path = crafted("table=%s, segments=1000000, max_attempts=100, "
                   "request_timeout_ms=1000000000000, connect_timeout_ms=10001, "
                   "retry_time_ms=120001, scan=1" % name)
    rc, out, err = run(path, "SELECT dynamo_config('scan', 0);\nSELECT count(*) FROM customers;")
    trust_error(err, path, "segments=1000000, connect_timeout_ms=10001, "
                           "request_timeout_ms=1000000000000, max_attempts=100, "
                           "retry_time_ms=120001, scan=1")
    # up to the defaults (or less) they need none (4 attempts: standard mode's)
    path = crafted("table=%s, segments=16, max_attempts=4, request_timeout_ms=60000, "
                   "connect_timeout_ms=10000, retry_time_ms=120000, scan=0, allow_http=0, "
                   "consistent_read=1, filter=0, max_read_units=1000, indexes=none" % name)
    rc, out, err = run(path, "SELECT count(*) FROM customers WHERE uuid = 'u1';")
    eq((rc, out.strip()), (0, "1"), err)
    # the user's own AWS_MAX_ATTEMPTS raises the bound
    path = crafted("table=%s, max_attempts=20" % name)
    rc, out, err = run(path, "SELECT count(*) FROM customers;")
    trust_error(err, path, "max_attempts=20")
    rc, out, err = run(path, "SELECT count(*) FROM customers;", env={"AWS_MAX_ATTEMPTS": "20"})
    eq((rc, out.strip()), (0, "3"), err)
    # legacy mode: 10 attempts and no retry quota; the user's own mode is fine
    path = crafted("table=%s, retry_mode=legacy" % name)
    rc, out, err = run(path, "SELECT count(*) FROM customers;")
    trust_error(err, path, "retry_mode='legacy'")
    rc, out, err = run(path, "SELECT count(*) FROM customers;", env={"AWS_RETRY_MODE": "legacy"})
    eq((rc, out.strip()), (0, "3"), err)


def test_a_table_of_another_account_needs_trust():
    # its resource policy could let the user in: the file's owner would
    # serve the rows the user reads and receive the rows the user writes
    path = crafted("table='arn:aws:dynamodb:us-east-1:999988887777:table/Exfil'")
    rc, out, err = run(path, "INSERT INTO customers(uuid, timestamp) VALUES ('secret', 't');")
    trust_error(err, path, "table='arn:aws:dynamodb:us-east-1:999988887777:table/Exfil'")


# -- proxies: the user's environment alone decides -----------------------------

def test_proxies_are_the_environments_whatever_the_file_says():
    """HTTP_PROXY, HTTPS_PROXY and NO_PROXY as botocore reads them (test_110
    compares with boto3); no table option turns them on or off."""
    with FakeServer() as fs:
        path = crafted("table=T, endpoint='%s', max_attempts=1" % fs.url)
        with ConnectProxy() as p:
            rc, out, err = run(path, "SELECT count(*) FROM customers;",
                               env=dict(NO_PROXY, DYNAMO_TRUST=path, HTTP_PROXY=p.url))
            eq(sorted(set(p.targets())), [fs.url[len("http://"):]], err)
        assert "HTTP 502" in err, err
        eq(fs.requests, [])
        # NO_PROXY, the user's too: straight to the server
        fs.script("DescribeTable", describe("T"))
        fs.script("Scan", (200, {"Count": 2, "ScannedCount": 2}))
        with ConnectProxy() as p:
            rc, out, err = run(path, "SELECT count(*) FROM customers;",
                               env=dict(DYNAMO_TRUST=path, HTTP_PROXY=p.url, NO_PROXY="127.0.0.1",
                                        no_proxy=None))
            eq(p.targets(), [])
        eq((rc, out.strip()), (0, "2"), err)
        rc, out, err = run(path, "CREATE VIRTUAL TABLE x USING dynamo(table=T, proxy='');")
        assert "unknown option 'proxy'" in err, err
    # a file's table in a region of AWS's: through the user's HTTPS_PROXY
    path = crafted("table=T, region=eu-west-1, max_attempts=1, connect_timeout_ms=1000")
    with ConnectProxy() as p:
        rc, out, err = run(path, "SELECT count(*) FROM customers;",
                           env={"HTTPS_PROXY": p.url, "https_proxy": None,
                                "AWS_ENDPOINT_URL_DYNAMODB": None})
        eq(sorted(set(p.targets())), ["dynamodb.eu-west-1.amazonaws.com:443"], err)


# -- shadow tables and column types ---------------------------------------------

SIXTY = ", ".join("x%d TEXT" % i for i in range(1, 61))
SHADOW_CASES = [
    # (what, NAME_schema rows, NAME_index rows, in the message)
    ("a type holding columns", KEY_ROWS + [(2, "a", "TEXT, " + SIXTY, None)], None,
     "a type is words of letters, digits and _"),
    ("a type closing the declaration", KEY_ROWS +
     [(2, "a", 'TEXT, "_key" TEXT HIDDEN, PRIMARY KEY("_key")) WITHOUT ROWID --', None)], None,
     "a type is words of letters, digits and _"),
    ("a hidden column", KEY_ROWS + [(2, "a", "TEXT HIDDEN", None)], None,
     "it holds a column constraint or HIDDEN"),
    ("a comment", KEY_ROWS + [(2, "a", "TEXT /*", None)], None, "a type is words"),
    ("a constraint", KEY_ROWS + [(2, "a", "TEXT PRIMARY KEY", None)], None,
     "it holds a column constraint or HIDDEN"),
    ("a type that is a number", KEY_ROWS + [(2, "a", 5, None)], None, "a type that is not text"),
    ("a type that is a blob", KEY_ROWS + [(2, "a", b"TEXT", None)], None,
     "a type that is not text"),
    ("no name", KEY_ROWS + [(2, None, "TEXT", None)], None, "a column without a name"),
    ("an empty name", KEY_ROWS + [(2, "", "TEXT", None)], None, "a column without a name"),
    ("a hidden column's name", KEY_ROWS + [(2, "_key", "TEXT", None)], None,
     "a column named item or _key"),
    ("the item column's name", KEY_ROWS + [(2, "ITEM", "TEXT", None)], None,
     "a column named item or _key"),
    ("a name twice", KEY_ROWS + [(2, "a", "TEXT", None), (3, "A", "N", None)], None,
     "a column name given twice"),
    ("a key that is not HASH or RANGE", [(0, "uuid", "S", "hash")], None,
     "a key that is not HASH or RANGE"),
    ("two partition keys", [(0, "uuid", "S", "HASH"), (1, "v", "S", "HASH")], None,
     "a second partition or sort key"),
    ("a key of another type", [(0, "uuid", "SS", "HASH")], None,
     "a key whose type is not S, N or B"),
    ("no partition key", [(0, "timestamp", "S", "RANGE")], None, "names no partition key"),
    ("no column list", None, None, "the column list of customers is missing"),
    ("too many columns", KEY_ROWS + [(i, "c%d" % i, "N", None) for i in range(2, 3000)], None,
     "more columns than SQLite allows in a table"),
    ("an index of another key type", KEY_ROWS,
     [("byX", 1, "x", "BOOL", None, None, "ALL", None)],
     "a partition key without a name or of a type other than S, N or B"),
    ("an index without a name", KEY_ROWS, [(None, 1, "x", "S", None, None, "ALL", None)],
     "an index without a name"),
    ("an index sort key without a type", KEY_ROWS,
     [("byX", 1, "x", "S", "y", None, "ALL", None)], "a sort key without a name"),
    ("an unknown projection", KEY_ROWS, [("byX", 1, "x", "S", None, None, "SOME", None)],
     "a projection other than ALL, KEYS_ONLY or INCLUDE"),
    ("an INCLUDE list that is not JSON", KEY_ROWS,
     [("byX", 1, "x", "S", None, None, "INCLUDE", "[1, {")], "an INCLUDE list that is not"),
    ("an index name twice", KEY_ROWS, [("byX", 1, "x", "S", None, None, "ALL", None)] * 2,
     "an index name given twice"),
    ("too many indexes", KEY_ROWS,
     [("i%d" % i, 1, "x", "S", None, None, "ALL", None) for i in range(300)],
     "more than 255 indexes"),
]


def test_crafted_shadow_tables_are_clear_errors():
    with FakeServer() as fs:
        for what, rows, index_rows, message in SHADOW_CASES:
            path = crafted("table=T, endpoint='%s'" % fs.url, rows=rows, index_rows=index_rows)
            rc, out, err = run(path, "SELECT x60 FROM customers;\nSELECT * FROM customers;\n"
                                     "INSERT INTO customers(uuid, timestamp) VALUES ('u', 't');\n"
                                     "PRAGMA table_info(customers);",
                               env={"DYNAMO_TRUST": path})
            eq(rc, 1, what)
            assert message in err, (what, err)
            assert err.count(message) >= 3, (what, err)  # every statement
        eq(fs.requests, [])


def test_crafted_types_in_the_users_create_are_refused():
    """The crash reproduced on main: a quoted type declaring 40 columns
    more than the table has, then reading the last one."""
    forty = ", ".join("y%d TEXT" % i for i in range(1, 41))
    rc, out, err = run(":memory:", "CREATE VIRTUAL TABLE t USING dynamo(table=T, pk TEXT, "
                                   "a 'TEXT, %s');\nSELECT y40 FROM t;" % forty)
    eq(rc, 1)
    assert "dynamo: invalid type for column a: 'TEXT, y1 TEXT," in err, err
    assert "no such table: t" in err, err


# -- views and triggers stored in the file -------------------------------------

CALLS = [
    ("dynamo_debug()", "SELECT dynamo_debug()", "unsafe use of dynamo_debug()"),
    ("dynamo_config()", "SELECT dynamo_config('scan')", "unsafe use of dynamo_config()"),
    ("dynamo_config(,)", "SELECT dynamo_config('scan', 1)", "unsafe use of dynamo_config()"),
    ("dynamo_refresh()", "SELECT dynamo_refresh('customers')", "unsafe use of dynamo_refresh()"),
    ("dynamo_refresh(,)", "SELECT dynamo_refresh('customers', 'main')",
     "unsafe use of dynamo_refresh()"),
    ("dynamo_key(,)", "SELECT dynamo_key('customers', 'u')", "unsafe use of dynamo_key()"),
    ("dynamo_key(,,)", "SELECT dynamo_key('customers', 'u', 't')", "unsafe use of dynamo_key()"),
    ("dynamo_stats", "SELECT * FROM dynamo_stats", "unsafe use of virtual table \"dynamo_stats\""),
    ("DELETE dynamo_stats", "DELETE FROM dynamo_stats",
     "unsafe use of virtual table \"dynamo_stats\""),
    ("dynamo_tables", "SELECT * FROM dynamo_tables", "unsafe use of virtual table \"dynamo_tables\""),
    ("the dynamo table", "SELECT * FROM customers", "unsafe use of virtual table \"customers\""),
    ("a write to it", "INSERT INTO customers(uuid, timestamp) VALUES ('u', 't')",
     "unsafe use of virtual table \"customers\""),
]


def test_views_and_triggers_in_the_file_cannot_call_the_extension():
    with FakeServer() as fs:
        extra = ["CREATE TABLE loot(x)"]
        for i, (what, sql, message) in enumerate(CALLS):
            if sql.startswith("SELECT"):
                extra.append("CREATE VIEW v%d AS %s" % (i, sql))
            # a trigger copies what it reads into loot
            body = sql if not sql.startswith("SELECT") else \
                "INSERT INTO loot " + sql.replace("SELECT *", "SELECT count(*)")
            extra.append("CREATE TABLE bait%d(x)" % i)
            extra.append("CREATE TRIGGER t%d AFTER INSERT ON bait%d BEGIN %s; END" % (i, i, body))
        extra.append("CREATE VIEW version AS SELECT dynamo_version()")
        path = crafted("table=T, endpoint='%s'" % fs.url, extra=extra)
        for i, (what, sql, message) in enumerate(CALLS):
            script = "SELECT dynamo_config('trust', 1);\n"  # even then
            if sql.startswith("SELECT"):
                script += "SELECT * FROM v%d;\n" % i
            script += "INSERT INTO bait%d VALUES (1);\nSELECT count(*) FROM loot;\n" % i
            rc, out, err = run(path, script)
            eq(rc, 1, what)
            eq(err.count(message), 2 if sql.startswith("SELECT") else 1, (what, err))
            eq(out.split()[-1], "0", what)  # the trigger copied nothing
        eq(fs.requests, [])
        # dynamo_version() reveals nothing of the user's: innocuous
        rc, out, err = run(path, "SELECT * FROM version;")
        eq((rc, out.count(".")), (0, 2), err)
