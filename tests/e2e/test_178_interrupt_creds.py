"""sqlite3_interrupt() (Ctrl-C in the shell, conn.interrupt() in Python)
stops a credential fetch as it stops DynamoDB's own waits: an answer held
by instance metadata, the container endpoint or STS, a credential_process
that does not finish (killed, and waited for), and dynamo_tables' requests.

Each source is held three times: in the first fetch (CREATE), in a refresh
due because the credentials expired (a Scan signs first), and in the renewal
DynamoDB asks for with ExpiredTokenException. Each time the statement ends
with "interrupted" while the fake still holds the answer, and the fake sees
the extension hang up; afterwards the table works, with credentials fetched
again when the old ones had expired, and with the old ones, not fetched
again, when they had not. No test measures time: the fakes hold their
answers until told (or 30 s for credential_process), so a statement that
ends at all was stopped."""

import os
import sys
import time

from harness import Statement, connect, environ, eq, note
from credfakes import FakeContainer, FakeDynamo, FakeImds, FakeSts, Issuer, aws_env, write
from credtest import aws_file, new_home
from sdkfake import Answer, SdkFake

CREATE = "CREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s', uuid TEXT)"
SCAN = "SELECT uuid FROM t"
WRITE_STOPPED = ('dynamo: writing to t interrupted: 0 of 1 writes done, 0 sent but not confirmed '
                 '(they may have been made), 1 not made; not made: {"uuid":{"S":"k1"}}')


def interrupted(c, sql, held):
    """Run sql while held keeps its answers, interrupt it once a fetch is
    held: it ends with "interrupted", and the extension hangs up before the
    answer is released. Returns the error."""
    held.hold()
    st = Statement(c, sql, held)
    assert held.wait_event("held"), "no credential fetch was held: %s" % st.error
    time.sleep(0.2)  # inside the fetch
    t0 = time.monotonic()
    c.interrupt()
    st.wait()
    STOPPED_AFTER.append(time.monotonic() - t0)  # noted, never asserted
    assert st.error and "interrupted" in st.error, st.error
    assert held.wait_event("gone", timeout=10), held.events
    held.release()
    assert held.index_of("gone") < held.index_of("released"), held.events
    assert held.index_of("mark", "statement ended") < held.index_of("released"), held.events
    return st.error


STOPPED_AFTER = []


def wait_until(cond, what, timeout=30):
    deadline = time.time() + timeout
    while not cond():
        assert time.time() < deadline, what
        time.sleep(0.05)


def three_holds(env, held, count, where, set_ttl, expired):
    """The three fetches of a source, each interrupted. held: the source
    (hold(), release(), events); count(): the requests it has had;
    set_ttl(s): the credentials it gives from now on live s seconds;
    expired(key): have those of this access key expired? where: how the
    messages name the source."""
    with FakeDynamo() as ddb, environ(**env):
        c = connect(check_same_thread=False)
        set_ttl(1)
        # 1. the first fetch, in CREATE
        e = interrupted(c, CREATE % ddb.url, held)
        assert e.startswith("dynamo: %s: " % where), e
        n = count()
        c.execute(CREATE % ddb.url)
        assert count() > n, "CREATE did not fetch credentials again"
        # 2. a refresh once they expired, before a write is signed: it was
        # not made, and the error says so
        key = ddb.keys()[-1][0]
        wait_until(lambda: expired(key), "the credentials did not expire")
        e = interrupted(c, "INSERT INTO t(uuid) VALUES ('k1')", held)
        eq(e, WRITE_STOPPED)
        eq([op for op, _, _ in ddb.ops()], ["DescribeTable"])
        set_ttl(3600)
        n = count()
        eq(c.execute(SCAN).fetchall(), [("u1",)])
        assert count() > n, "no credentials fetched after the interrupted refresh"
        # 3. the renewal ExpiredTokenException asks for: interrupted, the
        # credentials held before (not expired) sign the next Scan
        ddb.expire = 1
        before = ddb.keys()[-1]
        eq(interrupted(c, SCAN, held), "interrupted")  # SQLite's word, as for any read
        n = count()
        eq(c.execute(SCAN).fetchall(), [("u1",)])
        eq(count(), n)
        eq(ddb.keys()[-1], before)
        c.close()
    note("stopped %s s after the interrupt" % ", ".join("%.2f" % t for t in STOPPED_AFTER))
    del STOPPED_AFTER[:]


def issued_by(issuer, svc, where, env):
    three_holds(env, svc, lambda: len(svc.requests), where,
                lambda s: setattr(issuer, "ttl", s), issuer.expired)


def test_instance_metadata():
    home = new_home()
    issuer = Issuer(rotate=True)
    with FakeImds(issuer) as imds:
        env = aws_env(home, AWS_EC2_METADATA_DISABLED=None,
                      AWS_EC2_METADATA_SERVICE_ENDPOINT=imds.url + "/",
                      AWS_METADATA_SERVICE_TIMEOUT="300")
        issued_by(issuer, imds, "EC2 instance metadata (%s)" % imds.url, env)


def test_container():
    home = new_home()
    issuer = Issuer(rotate=True)
    with FakeContainer(issuer) as ecs:
        env = aws_env(home, AWS_CONTAINER_CREDENTIALS_FULL_URI=ecs.url + "/creds")
        issued_by(issuer, ecs, "container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI)", env)


def test_assume_role():
    """role_arn with source_profile: the AssumeRole is held."""
    home = new_home()
    issuer = Issuer(rotate=True)
    aws_file(home, "credentials",
             "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base/s3cr3t\n")
    aws_file(home, "config", "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\n"
             "source_profile = base\n")
    conf = os.path.join(home, ".aws", "config")
    with FakeSts(issuer) as sts:
        env = aws_env(home, AWS_PROFILE="dev", AWS_ENDPOINT_URL_STS=sts.url)
        issued_by(issuer, sts, 'profile "dev" (role_arn in %s)' % conf, env)
        eq(set(sts.actions()), {"AssumeRole"})


# credential_process: prints credentials living DIR/ttl seconds, unless
# DIR/hold exists: then it writes its pid to DIR/held and sleeps 30 s.
PROCESS = r"""
import json, os, sys, time
d = sys.argv[1]
with open(os.path.join(d, "runs"), "a") as f:
    f.write("%d\n" % os.getpid())
if os.path.exists(os.path.join(d, "hold")):
    with open(os.path.join(d, "held.tmp"), "w") as f:
        f.write(str(os.getpid()))
    os.rename(os.path.join(d, "held.tmp"), os.path.join(d, "held"))
    time.sleep(30)
    sys.exit(0)
n = sum(1 for _ in open(os.path.join(d, "runs")))
expires = int(time.time() + float(open(os.path.join(d, "ttl")).read())) + 1
key = "AKIDPROC%04d" % n
with open(os.path.join(d, "keys"), "a") as f:
    f.write("%s %d\n" % (key, expires))
print(json.dumps({"Version": 1, "AccessKeyId": key, "SecretAccessKey": "proc/s3cr3t%d" % n,
                  "SessionToken": "proct0k3n%d" % n,
                  "Expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires))}))
"""


class HeldProcess:
    """The credential_process above, as interrupted() sees a fake service:
    "held" once it sleeps, "gone" once it no longer exists (killed and
    waited for: not even a zombie is left in /proc)."""

    def __init__(self, d):
        self.d = d
        self.events = []

    def path(self, name):
        return os.path.join(self.d, name)

    def hold(self):
        self.events = []
        for name in ("held",):
            if os.path.exists(self.path(name)):
                os.unlink(self.path(name))
        write(self.path("hold"), "")

    def release(self):
        os.unlink(self.path("hold"))
        self.events.append(("released", None))

    def mark(self, name):
        self.events.append(("mark", name))

    def pid(self):
        with open(self.path("held")) as f:
            return int(f.read())

    def wait_event(self, kind, timeout=30):
        if kind == "held":
            deadline = time.time() + timeout
            while not os.path.exists(self.path("held")):
                if time.time() > deadline:
                    return False
                time.sleep(0.02)
        elif kind == "gone":  # at once: the statement ended after it
            if os.path.exists("/proc/%d" % self.pid()):
                return False
        self.events.append((kind, None))
        return True

    def index_of(self, kind, what=None):
        for i, (k, w) in enumerate(self.events):
            if k == kind and (what is None or w == what):
                return i
        return None

    def count(self):
        if not os.path.exists(self.path("runs")):
            return 0
        with open(self.path("runs")) as f:
            return sum(1 for _ in f)

    def set_ttl(self, s):
        write(self.path("ttl"), str(s))

    def expired(self, key):
        with open(self.path("keys")) as f:
            expires = dict(line.split() for line in f)
        return int(expires[key]) <= time.time()


def test_credential_process():
    home = new_home()
    proc = HeldProcess(home)
    write(proc.path("helper.py"), PROCESS)
    aws_file(home, "config", "[profile proc]\ncredential_process = %s %s %s\n"
             % (sys.executable, proc.path("helper.py"), home))
    conf = os.path.join(home, ".aws", "config")
    env = aws_env(home, AWS_PROFILE="proc")
    three_holds(env, proc, proc.count, 'profile "proc" (credential_process in %s)' % conf,
                proc.set_ttl, proc.expired)


def test_dynamo_tables():
    """dynamo_tables' ListTables, held: interrupted like a table's request;
    the next query lists the tables."""
    with SdkFake() as fs:
        env = {k: None for k in os.environ if k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID="AKIDFAKE", AWS_SECRET_ACCESS_KEY="fake/secret",
                   AWS_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true",
                   AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
                   AWS_ENDPOINT_URL_DYNAMODB=fs.url)
        with environ(**env):
            c = connect(check_same_thread=False)
            fs.script("ListTables", Answer(200, {"TableNames": ["Fake"]}, hold=True),
                      Answer(200, {"TableNames": ["Fake"]}))
            st = Statement(c, "SELECT name FROM dynamo_tables", fs)
            assert fs.wait_event("held", "ListTables")
            time.sleep(0.2)
            c.interrupt()
            st.wait()
            assert st.error and "interrupted" in st.error, st.error
            eq(st.error, "dynamo: ListTables on %s interrupted (sent, no answer kept)" % fs.url)
            assert fs.wait_event("gone", "ListTables", timeout=10), fs.events
            fs.release()
            assert fs.seq_of("mark", "statement ended") < fs.seq_of("released"), fs.events
            eq(c.execute("SELECT name, status FROM dynamo_tables").fetchall(),
               [("Fake", "ACTIVE")])
            eq(fs.count("ListTables"), 2)
            c.close()
