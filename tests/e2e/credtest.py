"""What the credential tests (test_17*_credentials*.py) share: a home
directory of their own, the extension run in the sqlite3 shell against a
FakeDynamo that records what each request was signed with, and the check
that it signed with exactly what botocore resolves from the same files and
variables."""

import os
import shutil
import socket
import tempfile

from harness import defer, eq, shell
from credfakes import FakeDynamo, botocore_credentials


def new_home():
    """An empty HOME with a .aws directory, removed after the test."""
    d = tempfile.mkdtemp(prefix="dynamo-creds-")
    defer(shutil.rmtree, d, True)
    os.makedirs(os.path.join(d, ".aws", "sso", "cache"))
    return d


def aws_file(home, name, text):
    with open(os.path.join(home, ".aws", name), "w") as f:
        f.write(text)


def closed_port():
    """A loopback port nothing listens on."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_ext(env, profile=None, sql="SELECT count(*) FROM t;", ddb=None, timeout=120):
    """CREATE a table on a FakeDynamo (ddb, or a new one) in the sqlite3 shell
    with os.environ changed by env, then run sql. (rc, out, err, ops), ops
    being FakeDynamo.ops(): (operation, access key, token) per request."""
    own = ddb is None
    if own:
        ddb = FakeDynamo().__enter__()
    try:
        opt = ", profile='%s'" % profile if profile else ""
        script = "CREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s'%s, uuid TEXT);\n%s\n" % (
            ddb.url, opt, sql)
        rc, out, err = shell(script, env=env, timeout=timeout)
        return rc, out, err, ddb.ops()
    finally:
        if own:
            ddb.__exit__(None, None, None)


def same_as_botocore(env, profile=None, ddb=None):
    """The extension signs every request with exactly the access key and
    token botocore resolves from the same environment. Returns botocore's
    (key, token, method) and the extension's ops."""
    want = botocore_credentials(env, profile)
    assert want is not None, "botocore found no credentials"
    rc, out, err, ops = run_ext(env, profile, ddb=ddb)
    eq(rc, 0, "the extension failed: %s" % err)
    eq(out.strip(), "1")
    eq([op for op, _, _ in ops], ["DescribeTable", "Scan"])
    for op, key, token in ops:
        eq((key, token), tuple(want[:2]), "%s signed with another identity than botocore's %s"
           % (op, want[2]))
    return want, ops


def role_home():
    """A home whose profiles assume roles: dev (source_profile base, static
    keys; external_id, duration_seconds), named (role_session_name), top (a
    role whose source is dev), fromenv (credential_source Environment), web
    (web_identity_token_file HOME/web-token, not written), procbase (its
    source's credential_process fails)."""
    home = new_home()
    aws_file(home, "credentials",
             "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base/s3cr3t\n")
    aws_file(home, "config",
             "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\n"
             "source_profile = base\nexternal_id = ext-42\nduration_seconds = 1800\n"
             "[profile named]\nrole_arn = arn:aws:iam::123456789012:role/dev\n"
             "source_profile = base\nrole_session_name = me-and-my-table\n"
             "[profile top]\nrole_arn = arn:aws:iam::123456789012:role/top\n"
             "source_profile = dev\n"
             "[profile fromenv]\nrole_arn = arn:aws:iam::123456789012:role/env\n"
             "credential_source = Environment\n"
             "[profile web]\nweb_identity_token_file = %s\n"
             "role_arn = arn:aws:iam::123456789012:role/web\n"
             "[profile procbase]\nrole_arn = arn:aws:iam::123456789012:role/p\n"
             "source_profile = broken\n"
             "[profile broken]\ncredential_process = /bin/false\n"
             % os.path.join(home, "web-token"))
    return home
