"""The transport's limits, set per table: timeouts, attempts, the time a
request may spend retrying, plain HTTP only to loopback unless allowed,
TLS verified against the system store or a named CA bundle."""

import json
import os
import socket
import subprocess
import tempfile

from harness import connect, eq, raises, shell
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
        held = (200, {"Items": [ITEM]}, None, FakeServer.UNTIL_RELEASED)
        fs.script("Scan", held, held)
        e = raises(lambda: c.execute("SELECT * FROM t").fetchall(), "dynamo: Scan on Fake failed: ")
        assert "imeout" in str(e) or "timed out" in str(e), e
        assert "after 2 attempts" in str(e), e
        # both attempts gave up while the fake still held their answers
        eq((fs.ops().count("Scan"), fs.answered.count("Scan")), (2, 0))
        fs.release()


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


def test_proxies_as_botocore_reads_them():
    """HTTPS_PROXY, HTTP_PROXY and NO_PROXY, lower case first, exactly as
    boto3 reads them (libcurl alone reads no upper-case HTTP_PROXY, and
    reads ALL_PROXY, which botocore does not): a proxy on 127.0.0.1 that
    logs each request's host and answers 502 sees the same from both, and
    nothing leaves the machine."""
    from connectproxy import ConnectProxy
    from credfakes import botocore_python
    from credtest import closed_port
    loop = "http://127.0.0.1:%d" % closed_port()
    aws = "https://dynamodb.eu-west-1.amazonaws.com"
    base = {k: None for k in os.environ if k.lower().endswith("_proxy")}
    base.update(AWS_MAX_ATTEMPTS="1", AWS_REGION="eu-west-1", AWS_DEFAULT_REGION="eu-west-1",
                REQUEST_METHOD=None)
    cases = [  # (environment, endpoint, what the proxy must see)
        ({"HTTPS_PROXY": "P"}, aws, ["dynamodb.eu-west-1.amazonaws.com:443"]),
        ({"https_proxy": "P", "HTTPS_PROXY": "http://127.0.0.1:1"}, aws,
         ["dynamodb.eu-west-1.amazonaws.com:443"]),
        ({"HTTP_PROXY": "P"}, loop, [loop[7:]]),
        ({"http_proxy": "P"}, loop, [loop[7:]]),
        ({"HTTP_PROXY": "P", "NO_PROXY": "127.0.0.1"}, loop, []),
        ({"HTTP_PROXY": "P", "no_proxy": "*"}, loop, []),
        ({"HTTP_PROXY": "P", "REQUEST_METHOD": "GET"}, loop, []),  # a CGI script
        ({"ALL_PROXY": "P"}, loop, []),
        ({"HTTPS_PROXY": "P"}, loop, []),
    ]
    # one boto3 process for every case (importing boto3 is most of the time),
    # a new client in each case's environment
    boto = ("import boto3, json, os, sys\n"
            "for env, endpoint in json.load(sys.stdin):\n"
            "    for k, v in env.items():\n"
            "        os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)\n"
            "    c = boto3.client('dynamodb', endpoint_url=endpoint)\n"
            "    try: c.describe_table(TableName='T')\n"
            "    except Exception as e: pass\n")
    proxies = [(ConnectProxy(), ConnectProxy()) for _ in cases]
    for pair in proxies:
        for p in pair:
            p.__enter__()
    try:
        todo = []
        for (env, endpoint, want), (pe, pb) in zip(cases, proxies):
            full = dict(base, **env)
            todo.append(({k: pb.url if v == "P" else v for k, v in full.items()}, endpoint))
            full = {k: pe.url if v == "P" else v for k, v in full.items()}
            shell("CREATE VIRTUAL TABLE t USING dynamo(table=T, endpoint='%s');" % endpoint,
                  env=full)
        clean = dict(os.environ)
        for k in base:
            clean.pop(k, None)
        subprocess.run([botocore_python(), "-c", boto], input=json.dumps(todo), env=clean,
                       capture_output=True, timeout=120, text=True)
        for (env, endpoint, want), (pe, pb) in zip(cases, proxies):
            eq([sorted(set(pe.targets())), sorted(set(pb.targets()))], [want, want],
               "%s %s (the extension, then boto3)" % (env, endpoint))
    finally:
        for pair in proxies:
            for p in pair:
                p.__exit__(None, None, None)
