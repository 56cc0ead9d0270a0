"""The endpoint a table uses, botocore as the reference: DynamoDB's endpoint
rule set over a matrix of its parameters (endpoint.c through
test_endpoint --oracle, against botocore's EndpointProvider); then the
host the extension would use for a matrix of environment variables and
profile settings (dynamo_debug(TABLE), which sends no request) against the
URL a botocore client in the same environment would send to (its send
stubbed); then the accounts that only fetched credentials name
(credential_process, an assumed role, the container), with the host the
extension then connects to seen by a CONNECT-logging proxy on loopback
(HTTPS_PROXY): nothing goes anywhere but 127.0.0.1. Last, a table named by
its ARN: region, signing and requests."""

import itertools
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading

from harness import connect, defer, eq, environ, note, raises, shell
from fixtures import ROOT
from credfakes import FakeContainer, FakeSts, Issuer, botocore_python
from sdkfake import SdkFake, Answer, describe

TESTS = os.path.join(ROOT, "tests")
ORACLE = os.path.join(ROOT, "build", "unit", "test_endpoint")

REGIONS = ("us-east-1", "eu-west-3", "cn-north-1", "us-gov-west-1", "us-iso-east-1",
           "us-isob-east-1", "eu-isoe-west-1", "us-isof-south-1", "eusc-de-east-1", "local",
           "aws-global", "mars-north-1")
ARNS = ("-", "arn:aws:dynamodb:us-east-1:222233334444:table/T",
        "arn:aws:dynamodb:eu-west-3:222233334444:table/T",
        "arn:aws-cn:dynamodb:cn-north-1:222233334444:table/T",
        "arn:aws:s3:us-east-1:222233334444:bucket", "arn:aws:dynamodb:us-east-1:2222.3333:table/T",
        "Tracks")


def test_rule_set_matches_botocore():
    rows = ["\t".join(r) for r in itertools.product(
        REGIONS, ("0", "1"), ("0", "1"), ("-", "111122223333", "1111.2222"),
        ("-", "preferred", "required", "disabled"), ARNS,
        ("-", "http://127.0.0.1:8000", "https://dynamodb.us-east-1.api.aws"))]
    rows += ["-\t0\t0\t-\tpreferred\t-\t-", "-\t0\t0\t-\tpreferred\t-\thttp://127.0.0.1:8000"]
    text = "".join(r + "\n" for r in rows)
    ours = subprocess.run([ORACLE, "--oracle"], input=text, capture_output=True, text=True,
                          check=True, timeout=120).stdout.splitlines()
    p = subprocess.run([botocore_python(), os.path.join(TESTS, "botocore_sdk.py"), "endpoint"],
                       input=text, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    theirs = p.stdout.splitlines()
    eq((len(ours), len(theirs)), (len(rows), len(rows)))
    bad = [(r, o, t) for r, o, t in zip(rows, ours, theirs) if o != t]
    assert not bad, "%d of %d differ, e.g. %r" % (len(bad), len(rows), bad[:5])
    note("%d parameter sets, %d distinct answers, all as botocore's"
         % (len(rows), len(set(theirs))))


def test_streams_rule_set_matches_botocore():
    """DynamoDB Streams' own rule set (dynamo_sync reads the stream there)."""
    rows = ["\t".join(r) for r in itertools.product(
        REGIONS + ("-",), ("0", "1"), ("0", "1"),
        ("-", "http://127.0.0.1:8000", "https://streams.dynamodb.us-east-1.api.aws"))]
    text = "".join(r + "\n" for r in rows)
    ours = subprocess.run([ORACLE, "--oracle-streams"], input=text, capture_output=True,
                          text=True, check=True, timeout=120).stdout.splitlines()
    p = subprocess.run([botocore_python(), os.path.join(TESTS, "botocore_sdk.py"),
                        "streams-endpoint"], input=text, capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stderr
    theirs = p.stdout.splitlines()
    eq((len(ours), len(theirs)), (len(rows), len(rows)))
    bad = [(r, o, t) for r, o, t in zip(rows, ours, theirs) if o != t]
    assert not bad, "%d of %d differ, e.g. %r" % (len(bad), len(rows), bad[:5])
    note("%d parameter sets, %d distinct answers, all as botocore's"
         % (len(rows), len(set(theirs))))


# -- the configuration, through the extension and a botocore client ---------

ARN = "arn:aws:dynamodb:us-west-2:222233334444:table/Shared"
BOTO = None


def botocore_url(env, table, method="describe_table", service="dynamodb", params=None):
    """The URL a botocore client made in exactly env sends its request to
    (nothing is sent), or "error: ..." as it fails."""
    global BOTO
    if BOTO is None or BOTO.poll() is not None:
        import atexit
        BOTO = subprocess.Popen([botocore_python(), os.path.join(TESTS, "botocore_sdk.py"),
                                 "client"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True)
        atexit.register(BOTO.kill)
    BOTO.stdin.write(json.dumps({"env": env, "method": method, "service": service,
                                 "params": params or {"TableName": table}}) + "\n")
    BOTO.stdin.flush()
    out = json.loads(BOTO.stdout.readline())
    if "error" in out:
        return "error: " + out["error"]
    return out["url"][:-1] if out["url"].endswith("/") else out["url"]  # the request's path


def home_with(config="", credentials=""):
    home = tempfile.mkdtemp(prefix="dynamo-endpoints-")
    defer(shutil.rmtree, home, True)
    os.makedirs(os.path.join(home, ".aws"))
    for name, text in (("config", config), ("credentials", credentials)):
        with open(os.path.join(home, ".aws", name), "w") as f:
            f.write(text)
    return home


def case_env(home, **kw):
    """Every AWS_* variable of this process dropped; the files under home;
    instance metadata off; kw (None: unset)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=home, AWS_CONFIG_FILE=os.path.join(home, ".aws", "config"),
               AWS_SHARED_CREDENTIALS_FILE=os.path.join(home, ".aws", "credentials"),
               AWS_EC2_METADATA_DISABLED="true")
    for k, v in kw.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def exactly(env):
    """harness.shell()'s changes for a process with exactly env."""
    return {k: env.get(k) for k in set(env) | set(os.environ)}


def tables_db():
    """A database with two dynamo tables whose definitions name no endpoint:
    t (table=Fake) and a (the table ARN), created once against a fake."""
    d = tempfile.mkdtemp(prefix="dynamo-endpoints-db-")
    defer(shutil.rmtree, d, True)
    path = os.path.join(d, "t.db")
    with SdkFake() as fs:
        fs.default["DescribeTable"] = Answer(200, describe())
        env = case_env(d, AWS_ACCESS_KEY_ID="AKIDFAKE", AWS_SECRET_ACCESS_KEY="fake/secret",
                       AWS_REGION="us-east-1", AWS_ENDPOINT_URL_DYNAMODB=fs.url)
        rc, out, err = shell("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, uuid TEXT);\n"
                             "CREATE VIRTUAL TABLE a USING dynamo(table='%s', uuid TEXT);" % ARN,
                             db=path, env=exactly(env))
        eq((rc, err), (0, ""))
        eq([b["TableName"] for op, h, b in fs.requests], ["Fake", ARN])
    return path


def ext_url(db, env, table):
    """The Endpoint line of dynamo_debug(table) in exactly env (no request
    is sent: the table connects from its stored definition), or
    "error: ..."."""
    rc, out, err = shell("SELECT dynamo_debug('%s');" % table, db=db, env=exactly(env))
    m = re.search(r"^Endpoint: (\S+)", out, re.M)
    if rc == 0 and m:
        return m.group(1)
    return "error: " + (err.strip() or out.strip())


KEYS = dict(AWS_ACCESS_KEY_ID="AKIDFAKE", AWS_SECRET_ACCESS_KEY="fake/secret")
REGION = dict(AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1")


def region(r):
    return dict(AWS_REGION=r, AWS_DEFAULT_REGION=r)


CASES = [  # (what, env, config file, credentials file, table)
    ("plain", dict(KEYS, **REGION), "", "", "t"),
    ("AWS_ACCOUNT_ID", dict(KEYS, AWS_ACCOUNT_ID="111122223333", **REGION), "", "", "t"),
    ("disabled", dict(KEYS, AWS_ACCOUNT_ID="111122223333", AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
                      **REGION), "", "", "t"),
    ("disabled in the profile", dict(KEYS, AWS_ACCOUNT_ID="111122223333", **REGION),
     "[default]\naccount_id_endpoint_mode = disabled\n", "", "t"),
    ("required, no account", dict(KEYS, AWS_ACCOUNT_ID_ENDPOINT_MODE="required", **REGION),
     "", "", "t"),
    ("REQUIRED, an account", dict(KEYS, AWS_ACCOUNT_ID="111122223333",
                                  AWS_ACCOUNT_ID_ENDPOINT_MODE="REQUIRED", **REGION), "", "", "t"),
    ("a bad mode", dict(KEYS, AWS_ACCOUNT_ID_ENDPOINT_MODE="sometimes", **REGION), "", "", "t"),
    ("the profile's aws_account_id", dict(REGION), "",
     "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n"
     "aws_account_id = 333344445555\n", "t"),
    ("the config file's keys and account", dict(REGION),
     "[profile dev]\naws_access_key_id = AKIDCONF\naws_secret_access_key = s\n"
     "aws_account_id = 444455556666\n", "", "t", ),
    ("an account not a host label", dict(KEYS, AWS_ACCOUNT_ID="1111.2222", **REGION), "", "", "t"),
    ("AWS_USE_FIPS_ENDPOINT", dict(KEYS, AWS_USE_FIPS_ENDPOINT="true", **REGION), "", "", "t"),
    ("use_fips_endpoint", dict(KEYS, **REGION), "[default]\nuse_fips_endpoint = TRUE\n", "", "t"),
    ("AWS_USE_DUALSTACK_ENDPOINT", dict(KEYS, AWS_USE_DUALSTACK_ENDPOINT="true", **REGION),
     "", "", "t"),
    ("dual-stack and an account", dict(KEYS, AWS_USE_DUALSTACK_ENDPOINT="true",
                                       AWS_ACCOUNT_ID="111122223333", **REGION), "", "", "t"),
    ("FIPS and dual-stack", dict(KEYS, AWS_USE_FIPS_ENDPOINT="true",
                                 AWS_USE_DUALSTACK_ENDPOINT="true", **REGION), "", "", "t"),
    ("FIPS and an account", dict(KEYS, AWS_USE_FIPS_ENDPOINT="true",
                                 AWS_ACCOUNT_ID="111122223333", **REGION), "", "", "t"),
    ("FIPS not 'true'", dict(KEYS, AWS_USE_FIPS_ENDPOINT="1", **REGION), "", "", "t"),
    ("China", dict(KEYS, AWS_ACCOUNT_ID="111122223333", **region("cn-north-1")), "", "", "t"),
    ("China dual-stack", dict(KEYS, AWS_USE_DUALSTACK_ENDPOINT="true", **region("cn-north-1")),
     "", "", "t"),
    ("GovCloud FIPS", dict(KEYS, AWS_USE_FIPS_ENDPOINT="true", **region("us-gov-west-1")),
     "", "", "t"),
    ("GovCloud FIPS dual-stack", dict(KEYS, AWS_USE_FIPS_ENDPOINT="true",
                                      AWS_USE_DUALSTACK_ENDPOINT="true",
                                      **region("us-gov-east-1")), "", "", "t"),
    ("ISO-E", dict(KEYS, **region("eu-isoe-west-1")), "", "", "t"),
    ("European Sovereign Cloud", dict(KEYS, AWS_USE_FIPS_ENDPOINT="true",
                                      **region("eusc-de-east-1")), "", "", "t"),
    ("region local", dict(KEYS, **region("local")), "", "", "t"),
    ("a region in the profile", dict(KEYS), "[default]\nregion = eu-west-3\n", "", "t"),
    ("AWS_ENDPOINT_URL wins over FIPS", dict(KEYS, AWS_USE_FIPS_ENDPOINT="true",
                                             AWS_ENDPOINT_URL="http://127.0.0.1:9/", **REGION),
     "", "", "t"),
    ("ignored endpoints", dict(KEYS, AWS_USE_FIPS_ENDPOINT="true",
                               AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:9",
                               AWS_IGNORE_CONFIGURED_ENDPOINT_URLS="true", **REGION), "", "", "t"),
    ("the dual-stack URL configured", dict(KEYS, AWS_ENDPOINT_URL_DYNAMODB=
                                           "https://dynamodb.us-east-1.api.aws", **REGION),
     "", "", "t"),
    ("a services section", dict(KEYS, AWS_USE_DUALSTACK_ENDPOINT="true", **REGION),
     "[default]\nservices = local\n[services local]\ndynamodb =\n  endpoint_url = "
     "http://127.0.0.1:7\n", "", "t"),
    # the table's ARN: its account, in its region
    ("table ARN", dict(KEYS, **region("us-west-2")), "", "", "a"),
    ("table ARN over AWS_ACCOUNT_ID", dict(KEYS, AWS_ACCOUNT_ID="111122223333",
                                           **region("us-west-2")), "", "", "a"),
    ("table ARN, dual-stack", dict(KEYS, AWS_USE_DUALSTACK_ENDPOINT="true",
                                   **region("us-west-2")), "", "", "a"),
    ("table ARN, FIPS", dict(KEYS, AWS_USE_FIPS_ENDPOINT="true", **region("us-west-2")),
     "", "", "a"),
    ("table ARN, disabled", dict(KEYS, AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
                                 **region("us-west-2")), "", "", "a"),
    ("table ARN, required", dict(KEYS, AWS_ACCOUNT_ID_ENDPOINT_MODE="required",
                                 **region("us-west-2")), "", "", "a"),
]


def test_configuration_matrix_matches_botocore():
    """For each environment and profile, the URL dynamo_debug(TABLE) shows
    is the one botocore sends to (or both refuse). The extension takes a
    table ARN's region from the ARN: botocore gets that region set."""
    db = tables_db()
    n, urls, refused = 0, set(), []
    for what, env, config, creds, tbl in CASES:
        home = home_with(config, creds)
        e = case_env(home, **env)
        if "[profile dev]" in config:
            e["AWS_PROFILE"] = "dev"
        ours = ext_url(db, e, tbl)
        theirs = botocore_url(e, ARN if tbl == "a" else "Fake")
        if theirs.startswith("error: ") or ours.startswith("error: "):
            assert theirs.startswith("error: ") and ours.startswith("error: "), (what, ours, theirs)
            m = re.match(r"error: EndpointResolutionError: (.*)", theirs)
            assert not m or m.group(1) in ours, (what, ours, theirs)  # the rule set's words
            refused.append(what)
        else:
            eq(ours, theirs, what)
            urls.add(ours)
        n += 1
    note("%d configurations, each resolved as botocore resolves it: %d URLs, %d refused by both "
         "(%s)" % (n, len(urls), len(refused), "; ".join(refused)))


STREAMS_CASES = [  # (what, env, config file, botocore's URL is ours)
    ("the rule set", dict(KEYS, **region("us-west-2")), "", True),
    ("FIPS", dict(KEYS, AWS_USE_FIPS_ENDPOINT="true", **region("us-west-2")), "", True),
    ("dual-stack", dict(KEYS, AWS_USE_DUALSTACK_ENDPOINT="true", **region("eu-west-3")), "", True),
    ("another partition", dict(KEYS, **region("cn-north-1")), "", True),
    ("AWS_ENDPOINT_URL_DYNAMODB_STREAMS",
     dict(KEYS, AWS_ENDPOINT_URL_DYNAMODB_STREAMS="http://127.0.0.1:9",
          AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:5", **REGION), "", True),
    ("services dynamodb_streams", dict(KEYS, **REGION),
     "[default]\nservices = s\n[services s]\ndynamodb_streams =\n"
     "  endpoint_url = http://127.0.0.1:8\n", True),
    ("AWS_ENDPOINT_URL", dict(KEYS, AWS_ENDPOINT_URL="http://127.0.0.1:7", **REGION), "", True),
    ("the profile's endpoint_url", dict(KEYS, **REGION),
     "[default]\nendpoint_url = http://127.0.0.1:6\n", True),
    ("DynamoDB's AWS endpoint configured",
     dict(KEYS, AWS_ENDPOINT_URL_DYNAMODB="https://dynamodb.us-west-2.amazonaws.com",
          **region("us-west-2")), "", True),
    ("ignored", dict(KEYS, AWS_ENDPOINT_URL_DYNAMODB_STREAMS="http://127.0.0.1:9",
                     AWS_IGNORE_CONFIGURED_ENDPOINT_URLS="true", **REGION), "", True),
    # not botocore's: DynamoDB's own endpoint configured (a local server),
    # none for Streams: the table's, where DynamoDB Local serves Streams
    ("AWS_ENDPOINT_URL_DYNAMODB alone", dict(KEYS, AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:5",
                                             **REGION), "", "http://127.0.0.1:5"),
    ("services dynamodb alone", dict(KEYS, **REGION),
     "[default]\nservices = s\n[services s]\ndynamodb =\n  endpoint_url = http://127.0.0.1:4\n",
     "http://127.0.0.1:4"),
]


def test_streams_endpoint_as_botocore_resolves_it():
    """Where dynamo_sync sends DynamoDB Streams requests (dynamo_debug's
    Streams line) against the URL a botocore dynamodbstreams client would
    use in the same environment, and the one case where it is not
    botocore's: DynamoDB's endpoint configured alone."""
    db = tables_db()
    n = 0
    for what, env, config, same in STREAMS_CASES:
        home = home_with(config)
        e = case_env(home, **env)
        rc, out, err = shell("SELECT dynamo_debug('t');", db=db, env=exactly(e))
        m = re.search(r"^Streams: (\S+) \((.*)\)$", out, re.M)
        assert rc == 0 and m, (what, out, err)
        theirs = botocore_url(e, None, method="describe_stream", service="dynamodbstreams",
                              params={"StreamArn": "arn:aws:dynamodb:us-east-1:1:table/T/stream/x"})
        if same is True:
            eq(m.group(1), theirs, what)
        else:
            eq(m.group(1), same, what)
            assert theirs.startswith("https://streams.dynamodb."), (what, theirs)
            assert m.group(2).endswith(", the table's endpoint"), (what, m.group(2))
        n += 1
    note("%d configurations: %d as botocore, 2 on the table's own endpoint" % (n, n - 2))


def test_debug_says_where_each_setting_came_from():
    db = tables_db()
    home = home_with("[default]\nretry_mode = adaptive\nuse_fips_endpoint = true\n")
    out = shell("SELECT dynamo_debug('t');", db=db, env=exactly(case_env(
        home, AWS_MAX_ATTEMPTS="7", AWS_REGION="us-east-1", **KEYS)))[1]
    assert "Region: us-east-1 (AWS_REGION)" in out, out
    assert ("Endpoint: https://dynamodb-fips.us-east-1.amazonaws.com (default for region "
            "us-east-1, FIPS; FIPS on (use_fips_endpoint), dual-stack off, "
            "account_id_endpoint_mode preferred (default))") in out, out
    assert ("Retries: adaptive mode (retry_mode in %s (profile default)), at most 7 attempts "
            "(AWS_MAX_ATTEMPTS)" % os.path.join(home, ".aws", "config")) in out, out
    assert "Credentials: environment (AWS_ACCESS_KEY_ID) (not fetched yet)" in out, out
    err = shell("SELECT dynamo_debug('nope');", db=db)[2].strip()
    assert err.endswith(": dynamo_debug: no dynamo table nope"), err
    # an account the credentials name, and the table option
    home = home_with()
    out = shell("SELECT dynamo_debug('a');", db=db, env=exactly(case_env(home, **KEYS)))[1]
    assert ("Endpoint: https://222233334444.ddb.us-west-2.amazonaws.com (default for region "
            "us-west-2, account 222233334444 from the table's ARN;") in out, out
    assert "Region: us-west-2 (the table's ARN)" in out, out
    # the retry_mode option, and one that is none
    with SdkFake() as fs, environ(**exactly(case_env(home, AWS_REGION="us-east-1",
                                                     AWS_RETRY_MODE="adaptive", **KEYS))):
        c = connect()
        c.execute("CREATE VIRTUAL TABLE o USING dynamo(table=Fake, endpoint='%s', "
                  "retry_mode=legacy, uuid TEXT)" % fs.url)
        out = c.execute("SELECT dynamo_debug('o')").fetchone()[0]
        assert ("Retries: legacy mode (retry_mode option), at most 10 attempts (the mode's "
                "default), none after 120000 ms\n") in out, out
        raises(lambda: c.execute("CREATE VIRTUAL TABLE p USING dynamo(table=Fake, "
                                 "endpoint='%s', retry_mode=fast)" % fs.url),
               "dynamo: retry_mode must be legacy, standard or adaptive, not 'fast'")


# -- accounts that only fetched credentials name ---------------------------------

class ConnectLog:
    """A proxy on 127.0.0.1 that notes the host of each CONNECT and hangs
    up: what a client behind HTTPS_PROXY would have connected to, with
    nothing sent anywhere."""

    def __init__(self):
        self.hosts = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = "http://127.0.0.1:%d" % self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                line = data.split(b"\r\n", 1)[0].decode("latin-1")
                if line.startswith("CONNECT "):
                    self.hosts.append(line.split()[1])

    def close(self):
        self.sock.close()


def process_script(home):
    """A credential_process that names its account."""
    script = os.path.join(home, "creds.sh")
    with open(script, "w") as f:
        f.write("#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", "
                "\"SecretAccessKey\": \"s\", \"AccountId\": \"777788889999\"}'\n")
    os.chmod(script, 0o755)
    return script


def test_accounts_of_fetched_credentials_match_botocore():
    """credential_process's AccountId, an assumed role's (its
    AssumedRoleUser ARN, from STS), the container's AccountId: once fetched,
    the endpoint is that account's, as botocore's. The extension's request
    goes to a CONNECT-logging proxy (the fetches are plain http to fakes on
    127.0.0.1, which HTTPS_PROXY leaves alone)."""
    db = tables_db()
    home = home_with()
    script = process_script(home)
    with open(os.path.join(home, ".aws", "config"), "w") as f:
        f.write("[profile proc]\ncredential_process = %s\n"
                "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/dev\n"
                "source_profile = base\n"
                "[profile procfallback]\ncredential_process = %s\naws_account_id = 1\n"
                % (script, script))
    with open(os.path.join(home, ".aws", "credentials"), "w") as f:
        f.write("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base/s\n")
    proxy = ConnectLog()
    defer(proxy.close)
    issuer = Issuer()
    with FakeSts(issuer) as sts, FakeContainer(issuer, account_id="555566667777") as ecs:
        cases = [("credential_process", dict(AWS_PROFILE="proc")),
                 ("an assumed role", dict(AWS_PROFILE="role", AWS_ENDPOINT_URL_STS=sts.url)),
                 ("the container", dict(AWS_CONTAINER_CREDENTIALS_FULL_URI=ecs.url + "/creds"))]
        for what, extra in cases:
            env = case_env(home, AWS_MAX_ATTEMPTS="1", HTTPS_PROXY=proxy.url,
                           https_proxy=proxy.url, NO_PROXY="", no_proxy="", **REGION, **extra)
            theirs = botocore_url(env, "Fake")
            assert ".ddb." in theirs, (what, theirs)
            before = len(proxy.hosts)
            rc, out, err = shell("SELECT uuid FROM t;\nSELECT dynamo_debug('t');", db=db,
                                 env=exactly(env))
            assert rc != 0 and "Scan on Fake failed" in err, (what, err)
            # DescribeTable (the table's size, asked once) and Scan
            eq(set(proxy.hosts[before:]), {theirs.split("//", 1)[1] + ":443"}, what)
            assert "Endpoint: %s (" % theirs in out, (what, out)
        note("accounts from fetched credentials: %s" % ", ".join(proxy.hosts))


# -- a table named by its ARN ------------------------------------------------------

def test_a_table_arn_names_its_region_and_is_sent_as_the_table_name():
    with SdkFake() as fs:
        with environ(AWS_REGION="eu-west-1", AWS_ENDPOINT_URL_DYNAMODB=fs.url,
                     AWS_ACCESS_KEY_ID="AKIDFAKE", AWS_SECRET_ACCESS_KEY="fake/secret"):
            c = connect()
            c.execute("CREATE VIRTUAL TABLE a USING dynamo(table='%s', uuid TEXT, n N)" % ARN)
            fs.script("Scan", Answer(200, {"Items": [{"uuid": {"S": "u"}, "timestamp": {"S": "t"}}],
                                           "Count": 1}))
            eq(c.execute("SELECT uuid FROM a").fetchall(), [("u",)])
            fs.script("BatchGetItem", Answer(200, {"Responses": {ARN: [
                {"uuid": {"S": "v"}, "timestamp": {"S": "t"}}]}}))
            eq(c.execute("SELECT uuid FROM a WHERE _key IN (SELECT dynamo_key('a', 'u', 't') "
                         "UNION ALL SELECT dynamo_key('a', 'v', 't'))").fetchall(), [("v",)])
            c.execute("INSERT OR REPLACE INTO a(uuid, timestamp) VALUES ('x', 'y')")
            ops = [(op, b.get("TableName") or list(b.get("RequestItems", {}))) for op, h, b
                   in fs.requests]
            eq(ops, [("DescribeTable", ARN), ("Scan", ARN), ("BatchGetItem", [ARN]),
                     ("BatchWriteItem", [ARN])])
            # signed for the ARN's region, not AWS_REGION's
            for op, h, b in fs.requests:
                assert "/us-west-2/dynamodb/aws4_request" in h["Authorization"], h
            raises(lambda: c.execute("CREATE VIRTUAL TABLE b USING dynamo(table='%s', "
                                     "region='eu-west-1')" % ARN),
                   "dynamo: the region option \"eu-west-1\" is not the region of the table's "
                   "ARN (%s)" % ARN)
            c.execute("CREATE VIRTUAL TABLE b USING dynamo(table='%s', region='us-west-2', "
                      "uuid TEXT)" % ARN)
