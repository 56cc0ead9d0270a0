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


def test_a_placeholder_secret_does_not_mask_the_extensions_own_words():
    """make server exports the keys `local`: an ordinary word, which the
    extension's own hint holds. Redaction masks secrets, not words (no AWS
    secret key or token is an ordinary word); a real secret a server echoes
    is still masked (above)."""
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    env = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
    rc, out, err = shell("CREATE VIRTUAL TABLE t USING dynamo(table=T, "
                         "endpoint='http://127.0.0.1:%d');" % port, env=env)
    assert "(http://127.0.0.1:%d): is the local server running?" % port in err, err
    assert "*****" not in err, err


# -- every source of credentials (credfakes.py: fakes on 127.0.0.1) --------

def test_no_source_leaks_its_secrets():
    """For each kind of source: what it answered (secret keys, session
    tokens) and what it was configured or asked with (the web identity
    token, the SSO login's tokens and client secret, the container's
    authorization token) never show in messages, the trace, dynamo_debug(),
    the schema or the database file."""
    import hashlib
    import json
    import sys
    import time
    from credfakes import (FakeContainer, FakeDynamo, FakeImds, FakeSso, FakeSts, Issuer,
                           aws_env, iso)
    from credtest import aws_file, new_home

    home = new_home()
    web = os.path.join(home, "web-token")
    with open(web, "w") as f:
        f.write("webidentityt0k3n")
    helper = os.path.join(home, "helper.py")
    with open(helper, "w") as f:
        f.write("import json\nprint(json.dumps({'Version': 1, 'AccessKeyId': 'AKIDPROC', "
                "'SecretAccessKey': 'process/s3cr3t', 'SessionToken': 'processt0k3n'}))\n")
    aws_file(home, "credentials",
             "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base/s3cr3t\n")
    aws_file(home, "config",
             "[profile role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n"
             "[profile web]\nweb_identity_token_file = %s\nrole_arn = arn:aws:iam::1:role/w\n"
             "[profile proc]\ncredential_process = %s %s\n"
             "[profile sso]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n"
             "[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\n"
             "sso_region = us-east-1\n" % (web, sys.executable, helper))
    cache = os.path.join(home, ".aws", "sso", "cache",
                         hashlib.sha1(b"corp").hexdigest() + ".json")
    with open(cache, "w") as f:
        json.dump({"accessToken": "ssologint0k3n", "expiresAt": iso(time.time() + 60),
                   "refreshToken": "ssorefresht0k3n", "clientId": "cid",
                   "clientSecret": "ssoclients3cr3t",
                   "registrationExpiresAt": iso(time.time() + 86400)}, f)
    fixed = ["base/s3cr3t", "webidentityt0k3n", "process/s3cr3t", "processt0k3n",
             "ssologint0k3n", "ssorefresht0k3n", "ssoclients3cr3t", "containert0k3n"]
    issuer = Issuer()
    with FakeSts(issuer) as sts, FakeSso(issuer) as sso, FakeImds(issuer) as imds, \
            FakeContainer(issuer, token="containert0k3n") as ecs, FakeDynamo(issuer) as ddb:
        base = aws_env(home, AWS_ENDPOINT_URL_STS=sts.url, AWS_ENDPOINT_URL_SSO=sso.url,
                       AWS_ENDPOINT_URL_SSO_OIDC=sso.url, DYNAMO_TRACE="1")
        runs = [("role", {}), ("web", {}), ("proc", {}), ("sso", {}),
                (None, {"AWS_CONTAINER_CREDENTIALS_FULL_URI": ecs.url + "/c",
                        "AWS_CONTAINER_AUTHORIZATION_TOKEN": "containert0k3n"}),
                (None, {"AWS_EC2_METADATA_DISABLED": None,
                        "AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.url})]
        for profile, extra in runs:
            opt = ", profile=%s" % profile if profile else ""
            with tempfile.TemporaryDirectory() as d:
                db = os.path.join(d, "s.db")
                script = "\n".join([
                    "CREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s'%s, uuid TEXT);"
                    % (ddb.url, opt),
                    "SELECT * FROM t;",
                    "INSERT INTO t(uuid) VALUES ('x');",      # FakeDynamo: no PutItem
                    "SELECT dynamo_debug();",
                    "SELECT sql FROM sqlite_master;",
                ])
                rc, out, err = shell(script, db=db, env=dict(base, **extra))
                text = out + err
                assert "FakeDynamo: no PutItem" in text, text
                assert "dynamo: credentials from " in err, err  # the trace ran
                assert "Credentials (Fake): " in out, out
                with open(db, "rb") as f:
                    data = f.read()
                for secret in fixed + issuer.secrets():
                    assert secret not in text, "%s printed %s" % (profile or extra, secret)
                    assert secret.encode() not in data, "in the database file"
        eq(sso.refreshes, 1)  # the refresh path ran too


def test_a_server_echoing_temporary_credentials_does_not_leak_them():
    from credfakes import FakeDynamo, FakeSts, Issuer, aws_env
    from credtest import role_home
    from harness import connect, environ

    home = role_home()
    issuer = Issuer()
    with FakeSts(issuer) as sts, FakeDynamo(issuer) as ddb, \
            environ(**aws_env(home, AWS_ENDPOINT_URL_STS=sts.url)):
        c = connect()
        c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s', profile=dev, "
                  "uuid TEXT)" % ddb.url)
        (secret, token, _), = issuer.issued.values()
        ddb.fail((400, {"__type": "AccessDeniedException",
                        "message": "token %s and key %s refused" % (token, secret)}))
        e = raises(lambda: c.execute("SELECT * FROM t").fetchall(), "AccessDeniedException")
        assert token not in str(e) and secret not in str(e), e
        assert "*" * len(token) in str(e), e
        c.close()
