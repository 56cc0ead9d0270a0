"""The transport's limits, set per table: timeouts, attempts, the time a
request may spend retrying, plain HTTP only to loopback unless allowed,
TLS verified against the system store or a named CA bundle."""

import os
import socket
import subprocess
import tempfile
import time

from harness import connect, eq, raises
from fakeserver import FakeServer, describe

ITEM = {"uuid": {"S": "u"}, "timestamp": {"S": "t"}}
DOWN = (500, {"__type": "InternalServerError", "message": "down"})


def open_table(fs, options=""):
    c = connect()
    fs.script("DescribeTable", describe())
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s', n N%s)"
              % (fs.url, options))
    return c


def test_a_server_that_never_answers_times_out():
    with FakeServer() as fs:
        c = open_table(fs, ", request_timeout_ms=300, max_attempts=2")
        fs.script("Scan", (200, {"Items": [ITEM]}, None, 3), (200, {"Items": [ITEM]}, None, 3))
        t0 = time.monotonic()
        e = raises(lambda: c.execute("SELECT * FROM t").fetchall(), "dynamo: Scan on Fake failed: ")
        assert "imeout" in str(e) or "timed out" in str(e), e
        assert "after 2 attempts" in str(e), e
        assert time.monotonic() - t0 < 2.5


def test_max_attempts_option():
    with FakeServer() as fs:
        c = open_table(fs, ", max_attempts=1")
        fs.script("Scan", DOWN, DOWN)
        raises(lambda: c.execute("SELECT * FROM t").fetchall(), "InternalServerError: down")
        eq(fs.ops().count("Scan"), 1)


def test_retrying_stops_after_retry_time():
    with FakeServer() as fs:
        # more attempts than the default 4, so that the time runs out first
        c = open_table(fs, ", retry_time_ms=300, max_attempts=50")
        fs.script("Scan", *[DOWN] * 50)
        e = raises(lambda: c.execute("SELECT * FROM t").fetchall(), "retries stopped after")
        assert fs.ops().count("Scan") < 50, fs.ops().count("Scan")


def test_plain_http_only_to_loopback():
    c = connect()
    for url in ("http://dynamodb.example.com", "http://10.1.2.3:8000", "http://127.evil.com"):
        e = raises(lambda: c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=X, endpoint='%s')" % url),
                   "refusing plain HTTP to %s" % url)
        assert "allow_http=1" in str(e), e
    # allowed: it then fails to connect, which is another error
    e = raises(lambda: c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=X, allow_http=1, "
                                 "endpoint='http://10.255.255.1:9', connect_timeout_ms=100, "
                                 "max_attempts=1)"), "DescribeTable on X failed")
    assert "refusing" not in str(e), e


def test_a_refused_loopback_connection_fails_after_two_attempts_with_a_hint():
    """Nothing listens on the port: a local server that is not running does
    not start within a backoff, so the statement fails after one retry and
    asks whether it is running (the full policy would take 4 attempts and their backoff)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))  # held, never listening: connections are refused
    try:
        port = s.getsockname()[1]
        c = connect()
        for host in ("127.0.0.1", "localhost"):
            e = raises(lambda: c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=Tracks, "
                                         "endpoint='http://%s:%d')" % (host, port)),
                       "dynamo: DescribeTable on Tracks failed: ")
            want = "(http://%s:%d): is the local server running? (after 2 attempts)" % (host, port)
            assert want in str(e), e
        e = raises(lambda: c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=Tracks, "
                                     "endpoint='http://127.0.0.1:%d', max_attempts=1)" % port),
                   "is the local server running?")
        assert "attempts" not in str(e), e
    finally:
        s.close()


def make_cert(d):
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def test_tls_is_verified_and_a_ca_bundle_can_be_named():
    with tempfile.TemporaryDirectory() as d:
        cert, key = make_cert(d)
        with FakeServer(tls=(cert, key)) as fs:
            c = connect()
            e = raises(lambda: c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, "
                                         "endpoint='%s')" % fs.url), "DescribeTable on Fake failed")
            assert "certificate" in str(e).lower(), e
            assert "attempts" not in str(e), "a certificate error is not retried: %s" % e
            fs.script("DescribeTable", describe())
            c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s', ca_bundle='%s', "
                      "n N)" % (fs.url, cert))
            fs.script("Scan", (200, {"Items": [ITEM]}))
            eq(c.execute("SELECT uuid FROM t").fetchall(), [("u",)])
            # AWS_CA_BUNDLE, as the AWS CLI reads it
            os.environ["AWS_CA_BUNDLE"] = cert
            try:
                fs.script("DescribeTable", describe())
                c.execute("CREATE VIRTUAL TABLE t2 USING dynamo(table=Fake, endpoint='%s', n N)"
                          % fs.url)
            finally:
                del os.environ["AWS_CA_BUNDLE"]


def test_transport_options_are_checked():
    c = connect()
    for opt, msg in (("request_timeout_ms=0", "must be a positive integer"),
                     ("max_attempts=101", "max_attempts must be between 1 and 100"),
                     ("allow_http=yes", "allow_http must be 0 or 1"),
                     ("retry_time_ms=-5", "must be a positive integer")):
        raises(lambda: c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=X, %s)" % opt), msg)
