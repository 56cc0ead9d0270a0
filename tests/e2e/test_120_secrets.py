"""The secret key and the session token never show: not in the schema, the
database file, error messages, dynamo_debug(), the request trace, or
anything else printed; not even when a server echoes them back."""

import os
import tempfile

from harness import connect, eq, raises, shell
from fixtures import tracks_table
from fakeserver import FakeServer, describe

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
TOKEN = "FwoGZXIvYXdzEBYaDSESSIONTOKENSESSIONTOKEN"


def test_secrets_appear_nowhere():
    name = tracks_table("sec", items=[{"uuid": "u", "timestamp": "t", "n": 1}])
    env = {"AWS_SECRET_ACCESS_KEY": SECRET, "AWS_SESSION_TOKEN": TOKEN, "DYNAMO_TRACE": "1"}
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "s.db")
        script = "\n".join([
            "CREATE VIRTUAL TABLE t USING dynamo(table=%s);" % name,
            "SELECT * FROM t;",
            "SELECT item FROM t WHERE uuid = 'u' AND timestamp = 't';",
            "INSERT INTO t(uuid, timestamp) VALUES ('u', 't');",       # a conflict
            "INSERT INTO t(uuid, timestamp, n) VALUES ('u', 'x', 'NaN');",
            "CREATE VIRTUAL TABLE nope USING dynamo(table=NoSuchTable_%s);" % name,
            "CREATE VIRTUAL TABLE bad USING dynamo(table=x, aws_secret_access_key='%s');" % SECRET[:8],
            "SELECT dynamo_debug();",
            "SELECT sql FROM sqlite_master;",
            "SELECT * FROM t_schema;",
        ])
        rc, out, err = shell(script, db=db, env=env)
        text = out + err
        assert "ConditionalCheckFailedException" in text and "NoSuchTable" in text, text
        assert "dynamo: Scan" in text, "the trace ran"
        for secret in (SECRET, TOKEN):
            assert secret not in text, "printed: %s" % secret
            with open(db, "rb") as f:
                assert secret.encode() not in f.read(), "in the database file"


def test_a_server_echoing_the_token_does_not_leak_it():
    os.environ["AWS_SESSION_TOKEN"] = TOKEN
    os.environ["AWS_SECRET_ACCESS_KEY"], old = SECRET, os.environ["AWS_SECRET_ACCESS_KEY"]
    try:
        with FakeServer() as fs:
            c = connect()
            fs.script("DescribeTable", describe())
            c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s', n N)" % fs.url)
            fs.script("Scan", (400, {"__type": "AccessDeniedException",
                                     "message": "token %s and key %s refused" % (TOKEN, SECRET)}))
            e = raises(lambda: c.execute("SELECT * FROM t").fetchall(), "AccessDeniedException")
            assert TOKEN not in str(e) and SECRET not in str(e), e
            assert "*" * len(TOKEN) in str(e), e
            headers = {k.lower(): v for k, v in fs.requests[-1][1].items()}
            eq(headers["x-amz-security-token"], TOKEN)  # it was sent, and signed
            assert "x-amz-security-token" in headers["authorization"], headers["authorization"]
    finally:
        del os.environ["AWS_SESSION_TOKEN"]
        os.environ["AWS_SECRET_ACCESS_KEY"] = old
