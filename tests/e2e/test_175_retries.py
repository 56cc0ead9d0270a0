"""Retries as the AWS SDKs do them, botocore (with the November 2026
defaults, AWS_NEW_RETRIES_2026=true) as the reference: the error classes of
each mode, the delays (with x-amz-retry-after), the retry quota and the
adaptive rate limiter are compared answer by answer (retry.c through
test_retry --oracle, botocore's own classes through tests/botocore_sdk.py);
the attempts per error class, the quota running out, and the x-amz-crc32
checks are compared through one scripted fake (tests/sdkfake.py) that both
the extension and botocore talk to. Checksums are also checked against the
real local server through a proxy that damages its answers."""

import http.client
import http.server
import json
import os
import subprocess
import threading
import zlib

from harness import connect, eq, note, raises, environ, shell
from fixtures import ROOT, tracks_table
from credfakes import botocore_python
from sdkfake import SdkFake, Answer, error

TESTS = os.path.join(ROOT, "tests")
ORACLE = os.path.join(ROOT, "build", "unit", "test_retry")


def ask(lines, kind="retry"):
    """(ours, botocore's) answers to the same questions."""
    text = "".join(l + "\n" for l in lines)
    ours = subprocess.run([ORACLE, "--oracle"], input=text, capture_output=True, text=True,
                          check=True, timeout=120).stdout.splitlines()
    env = dict(os.environ, AWS_NEW_RETRIES_2026="true")
    theirs = subprocess.run([botocore_python(), os.path.join(TESTS, "botocore_sdk.py"), kind],
                            input=text, capture_output=True, text=True, timeout=300, env=env)
    assert theirs.returncode == 0, theirs.stderr
    return ours, theirs.stdout.splitlines()


def same_numbers(a, b):
    x = [float(v) for v in a.split()]
    y = [float(v) for v in b.split()]
    return len(x) == len(y) and all(abs(p - q) <= 1e-6 * max(1.0, abs(q)) for p, q in zip(x, y))


def compare(questions, numbers=False):
    ours, theirs = ask(questions)
    eq(len(ours), len(questions))
    eq(len(theirs), len(questions))
    bad = [(q, o, t) for q, o, t in zip(questions, ours, theirs)
           if not (same_numbers(o, t) if numbers else o == t)]
    assert not bad, "%d of %d differ from botocore, e.g. %r" % (len(bad), len(questions), bad[:5])
    return len(questions)


MODES = ("legacy", "standard", "adaptive")
CODES = ("ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
         "TransactionInProgressException", "LimitExceededException", "Throttling",
         "TooManyRequestsException", "RequestThrottledException", "ThrottledException",
         "SlowDown", "PriorRequestNotComplete", "RequestTimeout", "RequestTimeoutException",
         "ReplicatedWriteConflictException", "InternalServerError", "ServiceUnavailable",
         "ValidationException", "ConditionalCheckFailedException", "ResourceNotFoundException",
         "ExpiredTokenException", "AccessDeniedException", "-")
STATUSES = (400, 403, 409, 429, 500, 501, 502, 503, 504, 509)


def test_error_classes_match_botocore():
    """Which errors each mode retries, and which count as throttling (the
    longer backoff, the cheaper retry): every code on every status."""
    ops = ("Scan", "PutItem", "BatchWriteItem", "TransactWriteItems")
    qs = ["classify %s %d %s 0 0 %s" % (m, s, c, o)
          for m in MODES for s in STATUSES for c in CODES for o in ops]
    qs += ["classify %s 0 - 1 0 Query" % m for m in MODES]           # a transport error
    qs += ["classify %s %d %s 0 1 GetItem" % (m, s, c) for m in MODES  # a damaged body
           for s in (200, 400, 500) for c in ("-", "ValidationException")]
    note("%d answers, all as botocore's" % compare(qs))


def test_delays_match_botocore():
    """The backoff of each mode and class, attempt by attempt, for the same
    random numbers, with and without x-amz-retry-after (valid, clamped, or
    ignored as botocore ignores it)."""
    headers = ("-", "0", "1", "250", "1500", "60000", "~1500~", "+7", "1_000", "-5", "1.5",
               "abc", "")
    rnds = (0, 1, 12345, 2 ** 31, 3000000000, 2 ** 32 - 1)
    qs = ["delay %s %d %d %d %s" % (m, n, c, r, h or "~")
          for m in MODES for n in range(1, 13) for c in (1, 2) for r in rnds for h in headers]
    note("%d delays, all as botocore's" % compare(qs, numbers=True))


def test_retry_quota_matches_botocore():
    """The quota's capacity after each retry taken and each success, until
    it runs out and after it refills."""
    rnd = __import__("random").Random(24)
    qs = []
    for _ in range(400):
        qs.append(rnd.choice(["quota acquire 1", "quota acquire 2", "quota release 0",
                              "quota release 14", "quota release 5", "quota acquire 1"]))
    note("%d steps, all as botocore's" % compare(qs, numbers=True))


def test_adaptive_rate_limiter_matches_botocore():
    """The adaptive mode's client-side limiter (CUBIC over a token bucket)
    over a timeline of sends, successes and throttling answers."""
    rnd = __import__("random").Random(7)
    qs, t = ["rate init 1000.0"], 1000.0
    for _ in range(600):
        t += rnd.choice((0.001, 0.01, 0.05, 0.2, 0.7))
        kind = rnd.random()
        if kind < 0.45:
            qs.append("rate acquire %.6f" % t)
        elif kind < 0.9:
            qs.append("rate update %.6f 0" % t)
        else:
            qs.append("rate update %.6f 1" % t)
    note("%d steps, all as botocore's" % compare(qs, numbers=True))


# -- through a fake: the extension and botocore against the same answers -----

BOTO = None


def botocore_client(env, scans=1, config=None, table="Fake"):
    """What a botocore client made in exactly env does: each scan's outcome."""
    global BOTO
    if BOTO is None or BOTO.poll() is not None:
        import atexit
        BOTO = subprocess.Popen([botocore_python(), os.path.join(TESTS, "botocore_sdk.py"),
                                 "client"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True, env=dict(os.environ, AWS_NEW_RETRIES_2026="true"))
        atexit.register(BOTO.kill)
    BOTO.stdin.write(json.dumps({"env": env, "scans": scans, "config": config or {},
                                 "table": table}) + "\n")
    BOTO.stdin.flush()
    out = json.loads(BOTO.stdout.readline())
    assert "error" not in out, out
    return out["results"]


def base_env(url, **kw):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="AKIDFAKE", AWS_SECRET_ACCESS_KEY="fake/secret",
               AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1",
               AWS_EC2_METADATA_DISABLED="true",
               AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
               AWS_ENDPOINT_URL_DYNAMODB=url)
    env.update({k: v for k, v in kw.items() if v is not None})
    return env


def ext_scans(fs, env, n=1, options=""):
    """Run n scans through the extension: each one's outcome ("ok", rows)
    or ("error", message)."""
    saved = {k: os.environ.get(k) for k in set(env) | {k for k in os.environ if k.startswith("AWS_")}}
    with environ(**{k: env.get(k) for k in saved}):
        c = connect()
        c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, uuid TEXT%s)" % options)
        out = []
        for _ in range(n):
            try:
                out.append(("ok", c.execute("SELECT uuid FROM t").fetchall()))
            except Exception as e:
                out.append(("error", str(e)))
        c.close()
    return out


def counted(fs, run):
    """The Scan requests each call of run made: run() -> outcomes; the fake's
    count goes up during each."""
    before = fs.count("Scan")
    res = run()
    return res, fs.count("Scan") - before


def side_by_side(answers, env_of, scans=1, options=""):
    """botocore and the extension, each against a fake of its own scripted
    with the same Scan answers, at the same time (the backoffs are long):
    (botocore's outcomes, its requests, the extension's outcomes, its requests)."""
    with SdkFake() as theirs, SdkFake() as ours:
        theirs.script("Scan", *answers)
        ours.script("Scan", *answers)
        got = {}
        t = threading.Thread(target=lambda: got.update(b=botocore_client(env_of(theirs.url),
                                                                           scans=scans)))
        t.start()
        mine = ext_scans(ours, env_of(ours.url), n=scans, options=options)
        t.join()
        return got["b"], theirs.count("Scan"), mine, ours.count("Scan")


ITEM = {"uuid": {"S": "u1"}, "timestamp": {"S": "t1"}}
OK = Answer(200, {"Items": [ITEM], "Count": 1, "ScannedCount": 1})

FAULTS = {  # each repeated until the attempts run out
    "ProvisionedThroughputExceededException":
        Answer(400, error("ProvisionedThroughputExceededException")),
    "ThrottlingException": Answer(400, error("ThrottlingException")),
    "RequestLimitExceeded": Answer(400, error("RequestLimitExceeded")),
    "TransactionInProgressException": Answer(400, error("TransactionInProgressException")),
    "LimitExceededException": Answer(400, error("LimitExceededException")),
    "InternalServerError 500": Answer(500, error("InternalServerError")),
    "503 with no body": Answer(503, b""),
    "429": Answer(429, b"slow down"),
    "ReplicatedWriteConflictException 409": Answer(409, error("ReplicatedWriteConflictException")),
    "ValidationException": Answer(400, error("ValidationException")),
    "a damaged body": Answer(200, {"Items": []}, crc="bad"),
}
# AWS_MAX_ATTEMPTS=2 keeps the backoffs short: legacy waits 50 ms, so every
# class; standard waits up to 1 s after throttling and adaptive's limiter
# then holds the next attempt up to 2 s, so a few (test_error_classes_match_
# botocore compares every class of every mode)
CASES = [("legacy", name, ok_after) for name in FAULTS for ok_after in (1, 2)] + [
    ("standard", name, ok_after)
    for name in ("ProvisionedThroughputExceededException", "RequestLimitExceeded",
                 "InternalServerError 500", "429", "ReplicatedWriteConflictException 409",
                 "ValidationException", "a damaged body")
    for ok_after in (1, 2)] + [
    ("adaptive", "ThrottlingException", 1), ("adaptive", "503 with no body", 2),
    ("adaptive", "a damaged body", 2)]


def test_attempts_per_error_class_match_botocore():
    """For each error class and mode, the extension makes as many attempts
    as botocore against the same answers, and both end the same way: the
    rows of the answer that finally came (the fault once), or an error (the
    fault on both attempts)."""
    rows = 0
    for mode, name, ok_after in CASES:
        def env_of(url):
            return base_env(url, AWS_RETRY_MODE=mode, AWS_MAX_ATTEMPTS="2")
        theirs, nTheirs, ours, nOurs = side_by_side([FAULTS[name]] * ok_after + [OK] * 2, env_of)
        eq(nOurs, nTheirs, "%s, %s, fault %d times: attempts" % (mode, name, ok_after))
        got_rows = ours[0][0] == "ok"
        if name == "a damaged body" and nTheirs == 2 and ok_after == 2 and mode != "legacy":
            # botocore hands the damaged answer over after its last attempt;
            # the extension never does
            assert "ok" in theirs[0] and not got_rows, (theirs, ours)
        else:
            eq(got_rows, "ok" in theirs[0], "%s, %s: outcome %r / %r" % (mode, name, ours, theirs))
        rows += 1
    note("%d cases, attempts and outcomes as botocore's" % rows)


def test_default_attempts_match_botocore():
    """The default attempts of each mode (standard 4 for DynamoDB, legacy
    10), on a fault with a short backoff, and the max_attempts option."""
    down = Answer(500, error("InternalServerError"))
    for mode in ("standard", "adaptive", "legacy"):
        def env_of(url):
            env = base_env(url, AWS_RETRY_MODE=mode)
            if mode == "legacy":  # its 10 attempts wait 25 s: 5 here
                env["AWS_MAX_ATTEMPTS"] = "5"
            return env
        theirs, nTheirs, ours, nOurs = side_by_side([down] * 20, env_of)
        eq(nOurs, nTheirs, mode)
        assert "(after %d attempts)" % nOurs in ours[0][1], ours
    # the option wins over the environment
    with SdkFake() as fs:
        fs.script("Scan", *[down] * 20)
        ours, n = counted(fs, lambda: ext_scans(fs, base_env(fs.url, AWS_MAX_ATTEMPTS="3"),
                                                 options=", max_attempts=2"))
        eq(n, 2)
    # legacy's own 10: the defaults of retry.c and of botocore's
    # configuration for DynamoDB
    ours, theirs = ask(["attempts %s" % m for m in MODES])
    eq(ours, theirs)
    eq(ours, ["10", "4", "4"])


def test_the_retry_quota_runs_out_as_botocores():
    """One client (one table) meets a service that is down: its retries
    stop when its quota is spent, after as many attempts as botocore's over
    the same requests; the last ones are not retried at all."""
    n = 14
    down = Answer(500, error("InternalServerError"))
    theirs, nTheirs, ours, nOurs = side_by_side([down] * 200, lambda url: base_env(url), scans=n)
    eq(nOurs, nTheirs, "attempts over %d failing requests" % n)
    assert all(o[0] == "error" for o in ours) and all("error" in t for t in theirs)
    assert "retry quota is spent" in ours[-1][1], ours[-1]
    assert "(after" not in ours[-1][1], ours[-1]
    note("%d failing requests took %d attempts, as botocore's" % (n, nOurs))


def test_x_amz_retry_after_is_honoured():
    """A throttling answer asking for 60 s: the retry would wait at least
    5 s (the SDKs' clamp), past the 2 s retry_time_ms, so none is made;
    without the header the retries go on."""
    with SdkFake() as fs:
        env = base_env(fs.url)
        slow = Answer(400, error("ThrottlingException"), headers={"x-amz-retry-after": "60000"})
        fs.script("Scan", *[slow] * 5)
        ours, n = counted(fs, lambda: ext_scans(fs, env, options=", retry_time_ms=2000"))
        eq(n, 1)
        assert "retries stopped after" in ours[0][1], ours
        fs.reset()
        quick = Answer(500, error("InternalServerError"), headers={"x-amz-retry-after": "1"})
        fs.script("Scan", quick, quick, OK)
        ours, n = counted(fs, lambda: ext_scans(fs, env, options=", retry_time_ms=2000"))
        eq((ours[0][0], n), ("ok", 3))


def test_a_throttled_statement_says_why():
    with SdkFake() as fs:
        env = base_env(fs.url, AWS_MAX_ATTEMPTS="1")
        reasons = [{"reason": "TableReadProvisionedThroughputExceeded",
                    "resource": "arn:aws:dynamodb:us-east-1:111122223333:table/Fake"}]
        fs.script("Scan", Answer(400, error("ProvisionedThroughputExceededException",
                                            "The level of configured provisioned throughput "
                                            "for the table was exceeded",
                                            ThrottlingReasons=reasons)))
        ours = ext_scans(fs, env)
        eq(ours[0][0], "error")
        assert ("ProvisionedThroughputExceededException: The level of configured provisioned "
                "throughput for the table was exceeded (ThrottlingReasons: "
                "TableReadProvisionedThroughputExceeded "
                "(arn:aws:dynamodb:us-east-1:111122223333:table/Fake))") in ours[0][1], ours
        fs.script("Scan", Answer(400, error("ThrottlingException", "Throughput exceeds the "
                                            "current capacity for one or more global "
                                            "secondary indexes",
                                            throttlingReasons=[{"reason": "IndexReadMaxOnDemandThroughputExceeded"}])))
        ours = ext_scans(fs, env)
        assert "(ThrottlingReasons: IndexReadMaxOnDemandThroughputExceeded)" in ours[0][1], ours


# -- checksums ------------------------------------------------------------------

def test_a_damaged_answer_never_reaches_a_row():
    """x-amz-crc32 that does not match: retried, as botocore does; after the
    last attempt the extension fails where botocore hands the damaged page
    over. A Scan whose second page stays damaged returns the first page's
    rows, then the error: none of the second page's."""
    with SdkFake() as fs:
        env = base_env(fs.url)
        good2 = {"Items": [{"uuid": {"S": "p2"}, "timestamp": {"S": "t"}}], "Count": 1}
        damaged = Answer(200, good2, crc="bad")
        fs.script("Scan", damaged, Answer(200, good2))
        ours, n = counted(fs, lambda: ext_scans(fs, env))
        eq((ours[0], n), (("ok", [("p2",)]), 2))
        page1 = Answer(200, {"Items": [ITEM], "Count": 1, "LastEvaluatedKey": ITEM})
        fs.script("Scan", page1, *[damaged] * 4)
        # the shell prints each row as it comes (Python's cursor reads one
        # row ahead and drops the one before an error)
        rc, out, err = shell("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, uuid TEXT);\n"
                             "SELECT uuid FROM t;", env=env)
        eq(out.split(), ["u1"])
        assert "CRC32Mismatch" in err and "(after 4 attempts)" in err, err
        eq(fs.count("Scan"), 2 + 1 + 4)


class DamagingProxy:
    """Between the extension and the real local server: every answer's body
    has one byte changed, its x-amz-crc32 kept (so it no longer matches), or
    passes untouched when damage is off."""

    def __init__(self, upstream):
        self.upstream = upstream.split("//", 1)[1]
        self.damage = True
        self.seen = 0
        self.with_crc = 0
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                conn = http.client.HTTPConnection(outer.upstream, timeout=30)
                hdrs = {k: v for k, v in self.headers.items()
                        if k.lower() not in ("host", "content-length", "connection")}
                conn.request("POST", "/", body, hdrs)
                r = conn.getresponse()
                data = r.read()
                outer.seen += 1
                crc = r.getheader("x-amz-crc32")
                if crc is not None:
                    outer.with_crc += 1
                    assert int(crc) == zlib.crc32(data) & 0xffffffff
                if outer.damage and data:
                    data = data[:-2] + bytes([data[-2] ^ 0x01]) + data[-1:]
                self.send_response(r.status)
                for k, v in r.getheaders():
                    if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_the_local_servers_answers_are_checked():
    """The real server sends x-amz-crc32 with every answer, so every test
    of the suite goes through the check; a damaged byte is caught."""
    name = tracks_table("crc", items=[{"uuid": "u%d" % i, "timestamp": "t"} for i in range(5)])
    proxy = DamagingProxy(os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
    try:
        proxy.damage = False
        c = connect()
        c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, endpoint='%s')"
                  % (name, proxy.url))
        eq(c.execute("SELECT count(*) FROM t").fetchone()[0], 5)
        assert proxy.with_crc == proxy.seen > 0, (proxy.with_crc, proxy.seen)
        proxy.damage = True
        seen = proxy.seen
        raises(lambda: c.execute("SELECT uuid FROM t").fetchall(), "CRC32Mismatch")
        eq(proxy.seen - seen, 4)
    finally:
        proxy.close()
