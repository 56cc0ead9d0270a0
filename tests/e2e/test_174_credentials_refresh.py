"""Credentials that expire, in connections that outlive them: an assumed
role whose FakeSts credentials live a few seconds, and a FakeDynamo that
answers ExpiredTokenException to a request signed with expired ones, as
DynamoDB does. Every issue is new (Issuer(rotate=True)), so the keys the
server saw say how often the extension fetched.

The loops stop on events (enough refreshes, a failure), with a deadline
only as a guard; no test asserts how long anything took."""

import json
import os
import subprocess
import sys
import time

from harness import connect, environ, eq, raises, so_path
from credfakes import FakeDynamo, FakeSts, Issuer, aws_env, full_env, sts_error
from credtest import role_home

CREATE = ("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s', profile=dev, "
          "uuid TEXT)")


def scans(ddb):
    return [(key, token) for op, key, token in ddb.ops() if op == "Scan"]


# Runs in a process of its own: with the fake servers in the test's process,
# a thread sharing the connection would hold Python's GIL while it waits for
# SQLite's connection mutex, and the thread inside sqlite3_step(), waiting
# for the fake STS, would wait for ever.
WORKER = r"""
import json, os, sqlite3, sys, threading, time
so, create, stop_file = sys.argv[1:4]
def conn():
    c = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    c.enable_load_extension(True)
    c.load_extension(so)
    c.execute(create)
    return c
shared, own = conn(), conn()
errors = []
def loop(c):
    while not os.path.exists(stop_file) and not errors:
        try:
            assert c.execute("SELECT count(*) FROM t").fetchone() == (1,)
        except Exception as e:
            errors.append(str(e))
        time.sleep(0.03)
threads = [threading.Thread(target=loop, args=(c,)) for c in (shared, shared, own)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({"errors": errors,
                  "debug": shared.execute("SELECT dynamo_debug()").fetchone()[0]}))
"""


def test_long_connections_across_expiries():
    """Statements from three threads (two sharing a connection) over several
    lifetimes of the credentials: none fails, each connection refreshes on
    its own, and only when due (not per request)."""
    home = role_home()
    stop = os.path.join(home, "stop")
    issuer = Issuer(ttl=3, rotate=True)
    with FakeSts(issuer) as sts, FakeDynamo(issuer) as ddb:
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER, so_path(), CREATE % ddb.url, stop],
            env=full_env(aws_env(home, AWS_ENDPOINT_URL_STS=sts.url)),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        # both connections through at least three expiries
        while len(set(scans(ddb))) < 8 and time.time() < deadline and worker.poll() is None:
            time.sleep(0.1)
        open(stop, "w").close()
        out, err = worker.communicate(timeout=120)
    eq(worker.returncode, 0, err)
    got = json.loads(out)
    eq(got["errors"], [])
    used = scans(ddb)
    keys = set(k for k, _ in used)
    assert len(keys) >= 8, (len(keys), len(used))
    assert all(k in issuer.issued for k in keys), "signed with something STS never issued"
    # one AssumeRole per credential used, never one per request
    eq(len(sts.requests), len(keys))
    assert len(used) > 3 * len(keys), (len(used), len(keys))
    # dynamo_debug(): the source, its expiry and how often it was fetched
    debug = got["debug"]
    assert ('Credentials (Fake): profile "dev" (role_arn in %s/.aws/config), expire '
            % home) in debug, debug
    assert "fetched" in debug and "signed by profile \"base\" (aws_access_key_id in " in debug
    for secret in issuer.secrets() + ["base/s3cr3t"]:
        assert secret not in debug


def test_failed_refresh_keeps_credentials_until_it_must_not():
    """A refresh that fails in the advisory window keeps the credentials in
    use; once in the mandatory window, the failure is the statement's error
    (and no request ever goes out with expired credentials)."""
    home = role_home()
    issuer = Issuer(ttl=5, rotate=True)
    with FakeSts(issuer) as sts, FakeDynamo(issuer) as ddb, \
            environ(**aws_env(home, AWS_ENDPOINT_URL_STS=sts.url)):
        c = connect()
        c.execute(CREATE % ddb.url)
        eq(len(sts.requests), 1)
        first = ddb.ops()[0][1:]  # DescribeTable's credentials
        sts.fail(*[sts_error(403, "AccessDenied", "refresh refused")] * 1000)
        kept, error, deadline = 0, None, time.time() + 30
        while error is None and time.time() < deadline:
            refused_before = len(sts.requests) > 1
            try:
                eq(c.execute("SELECT count(*) FROM t").fetchone(), (1,))
                kept += refused_before  # worked although a refresh had failed
            except Exception as e:  # noqa: BLE001
                error = e
            time.sleep(0.02)
        assert kept > 0, "no statement ran in the advisory window"
        assert error is not None, "the mandatory refresh never failed"
        assert ('dynamo: profile "dev" (role_arn in %s/.aws/config): AssumeRole failed: '
                'AccessDenied: refresh refused' % home) in str(error), error
        eq(set(scans(ddb)), {first}, "the first credentials served until then")
        # STS is back: the next statement fetches and works
        del sts.failures[:]
        eq(c.execute("SELECT count(*) FROM t").fetchone(), (1,))
        eq(len(set(scans(ddb))), 2)
        c.close()


def test_expired_token_answer_renews_once():
    home = role_home()
    issuer = Issuer(ttl=3600, rotate=True)
    with FakeSts(issuer) as sts, FakeDynamo(issuer) as ddb, \
            environ(**aws_env(home, AWS_ENDPOINT_URL_STS=sts.url)):
        c = connect()
        c.execute(CREATE % ddb.url)
        eq(c.execute("SELECT count(*) FROM t").fetchone(), (1,))
        eq(len(sts.requests), 1)
        # revoked early: renewed, and the request sent again
        ddb.expire = 1
        eq(c.execute("SELECT count(*) FROM t").fetchone(), (1,))
        eq(len(sts.requests), 2)
        s = scans(ddb)
        eq(len(s), 3)
        eq(s[1], s[0])
        assert s[2] != s[1]
        # still refused after the renewal: an error, after one renewal only
        ddb.expire = 100
        raises(lambda: c.execute("SELECT count(*) FROM t").fetchone(),
               "Scan on Fake failed: ExpiredTokenException: The security token included in "
               "the request is expired")
        eq(len(sts.requests), 3)
        eq(len(scans(ddb)), 5)
        ddb.expire = 0
        eq(c.execute("SELECT count(*) FROM t").fetchone(), (1,))
        eq(len(sts.requests), 3)
        # a renewal that fails says why
        ddb.expire = 1
        sts.fail(sts_error(403, "AccessDenied", "role deleted"))
        raises(lambda: c.execute("SELECT count(*) FROM t").fetchone(),
               "Scan on Fake failed: ExpiredTokenException: profile \"dev\" (role_arn in %s): "
               "AssumeRole failed: AccessDenied: role deleted"
               % os.path.join(home, ".aws", "config"))
        c.close()
