"""Fake credential services on 127.0.0.1 for the credential tests
(tests/e2e/test_170_credentials*.py), and botocore as the reference client.
Standard library only (Debian's /usr/bin/python3).

    issuer = Issuer(ttl=3600)          # deterministic temporary credentials
    with FakeSts(issuer) as sts, FakeDynamo(issuer) as ddb:
        ... AWS_ENDPOINT_URL_STS=sts.url, the table's endpoint ddb.url ...
        ddb.keys()        -> [(access key id, session token), ...] signed with
        sts.requests      -> [Request(method, path, headers, form/json, key)]

Every fake answers on 127.0.0.1 only, on a port of its own, and records what
it was asked. svc.hold() keeps every answer from then on until
svc.release() (or the client hangs up), and svc.events logs, in order,
("held", path), ("gone", path) (the client hung up on a held answer),
("released", None) and the test's own svc.mark(name). Credentials are a function of what was asked (the action, the
role, the external id, the duration, the caller's own access key and token,
the web identity token, the SSO access token...) and of Issuer.generation:
botocore and the extension asking the same thing get the same answer, and
asking with another identity (another source key, say) gets another one. With
Issuer(rotate=True) every issue is new. The issuer remembers when each key
expires, and FakeDynamo answers ExpiredTokenException to a request signed
with an expired one, as DynamoDB does.

    FakeSts        AssumeRole, AssumeRoleWithWebIdentity (query protocol, XML)
    FakeImds       a strict IMDSv2: no token, no answer (401)
    FakeContainer  the ECS/EKS container endpoint (checks Authorization;
                   AccountId in its answer with account_id=)
    FakeSso        the IAM Identity Center portal (GetRoleCredentials) and
                   SSO OIDC (CreateToken, refresh_token grant)
    FakeDynamo     DescribeTable, Scan and Query of an empty-ish table
    MotoServer     moto's own STS (python3 -m moto.server), behind an
    StsProxy       that records what it answered

    botocore_credentials(env, profile=None) -> (access key, token, method)
        what boto3.Session(profile_name=profile).get_credentials() gives in a
        process with exactly env as its environment (pyenv's python3)
    aws_env(home, **vars) -> dict: a hermetic AWS environment (every AWS_*
        variable of this process removed, files under home/.aws, instance
        metadata disabled, region us-east-1), plus vars (None removes one)
"""

import base64
import datetime
import glob
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import threading
import time
import urllib.parse
import uuid


# -- credentials ------------------------------------------------------------

def iso(t):
    """ISO 8601 in whole seconds, as STS, IMDS and containers write it."""
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


class Issuer:
    """Makes temporary credentials and remembers them."""

    def __init__(self, ttl=3600, rotate=False):
        self.ttl = ttl
        self.rotate = rotate
        self.generation = 0
        self.issued = {}         # access key -> (secret, token, expires)
        self._lock = threading.Lock()
        self._count = 0

    def issue(self, *parts, ttl=None):
        with self._lock:
            self._count += 1
            gen = self._count if self.rotate else self.generation
            h = hashlib.sha256(repr((parts, gen)).encode()).digest()
            key = "ASIA" + base64.b32encode(h[:10]).decode()
            secret = base64.b64encode(h[10:30]).decode() + "/s3cr3t+"
            token = "FwoGZXIvYXdz" + base64.b64encode(h * 3).decode() + "t0k3n="
            expires = int(time.time() + (self.ttl if ttl is None else ttl)) + 1
            self.issued[key] = (secret, token, expires)
            return {"AccessKeyId": key, "SecretAccessKey": secret,
                    "SessionToken": token, "Expiration": iso(expires),
                    "expires": expires}

    def count(self):
        return self._count

    def expired(self, key):
        """Has this issued key expired (False for keys not issued here)?"""
        got = self.issued.get(key)
        return got is not None and got[2] <= time.time()

    def secrets(self):
        """Every secret and token issued: none may show anywhere."""
        return [s for sec, tok, _ in self.issued.values() for s in (sec, tok)]


def signer(headers):
    """The access key of an Authorization header, or None."""
    auth = headers.get("Authorization") or ""
    if "Credential=" not in auth:
        return None
    return auth.split("Credential=", 1)[1].split("/", 1)[0]


# -- servers ------------------------------------------------------------------

class Request:
    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.key = signer(headers)
        self.token = headers.get("X-Amz-Security-Token")

    def form(self):
        return dict(urllib.parse.parse_qsl(self.body.decode(), keep_blank_values=True))

    def json(self):
        return json.loads(self.body)

    def query(self):
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))


class Service:
    """An HTTP server on 127.0.0.1:0 whose handle() answers each request
    with (status, body[, content type[, headers]]). failures: answers to
    give instead, one per request, before handle() runs again."""

    content_type = "application/json"

    def __init__(self):
        self.requests = []
        self.failures = []
        self.events = []
        self._holding = False
        self._released = threading.Event()
        self._lock = threading.Condition()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _any(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                # headers: case-insensitive (an http.client.HTTPMessage)
                req = Request(self.command, self.path, self.headers, body)
                with outer._lock:
                    outer.requests.append(req)
                    failure = outer.failures.pop(0) if outer.failures else None
                    held = outer._holding
                if held and not outer._hold(self):
                    return
                answer = failure if failure is not None else outer.handle(req)
                status, payload = answer[0], answer[1]
                ctype = answer[2] if len(answer) > 2 and answer[2] else outer.content_type
                if isinstance(payload, (dict, list)):
                    payload = json.dumps(payload)
                data = payload.encode() if isinstance(payload, str) else payload
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for k, v in (answer[3] if len(answer) > 3 else {}).items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a test of timeouts)

            do_GET = do_PUT = do_POST = _any

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        # a short poll: shutdown() waits for the loop to notice
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,),
                                        daemon=True)

    def handle(self, req):
        raise NotImplementedError

    def _event(self, kind, what):
        with self._lock:
            self.events.append((kind, what))
            self._lock.notify_all()

    def _hold(self, handler):
        """Keep the answer until release(): True, or False when the client
        hung up meanwhile (recorded as "gone")."""
        import select
        self._event("held", handler.path)
        while not self._released.wait(0.02):
            r, _, _ = select.select([handler.connection], [], [], 0)
            if r and not handler.connection.recv(1, 0x2):  # MSG_PEEK: at EOF
                self._event("gone", handler.path)
                handler.close_connection = True
                return False
        return True

    def hold(self):
        with self._lock:
            self._holding = True
            self._released.clear()

    def release(self):
        with self._lock:
            self._holding = False
            self.events.append(("released", None))
            self._released.set()

    def mark(self, name):
        self._event("mark", name)

    def wait_event(self, kind, timeout=30):
        with self._lock:
            return self._lock.wait_for(lambda: any(k == kind for k, _ in self.events), timeout)

    def index_of(self, kind, what=None):
        """Where the first such event is in events, or None."""
        with self._lock:
            for i, (k, w) in enumerate(self.events):
                if k == kind and (what is None or w == what):
                    return i
        return None

    def fail(self, *answers):
        with self._lock:
            self.failures.extend(answers)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._released.set()
        self._httpd.shutdown()
        self._httpd.server_close()


def sts_error(status, code, message):
    return (status, "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
            "<Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>"
            "<RequestId>%s</RequestId></ErrorResponse>" % (code, message, uuid.uuid4()),
            "text/xml")


class FakeSts(Service):
    """AssumeRole (must be signed; the credentials depend on the signer) and
    AssumeRoleWithWebIdentity (unsigned; they depend on the token). An
    expired signing key gets ExpiredToken. RoleSessionName counts only with
    session_names=True (botocore and the extension make up different
    ones)."""

    content_type = "text/xml"

    def __init__(self, issuer, session_names=False):
        super().__init__()
        self.issuer = issuer
        self.session_names = session_names

    def actions(self):
        return [r.form().get("Action") for r in self.requests]

    def handle(self, req):
        f = req.form()
        action = f.get("Action")
        if f.get("Version") != "2011-06-15":
            return sts_error(400, "InvalidAction", "bad Version")
        name = f.get("RoleSessionName") if self.session_names else None
        if not f.get("RoleArn") or not f.get("RoleSessionName"):
            return sts_error(400, "ValidationError", "RoleArn and RoleSessionName are required")
        if action == "AssumeRole":
            if not req.key:
                return sts_error(403, "MissingAuthenticationToken", "not signed")
            if self.issuer.expired(req.key):
                return sts_error(400, "ExpiredToken",
                                 "The security token included in the request is expired")
            c = self.issuer.issue(action, f["RoleArn"], f.get("ExternalId"),
                                  f.get("DurationSeconds"), name, req.key, req.token)
        elif action == "AssumeRoleWithWebIdentity":
            if req.key:
                return sts_error(400, "InvalidAction", "AssumeRoleWithWebIdentity is unsigned")
            c = self.issuer.issue(action, f["RoleArn"], name, f.get("WebIdentityToken"))
        else:
            return sts_error(400, "InvalidAction", "unknown action %s" % action)
        role = f["RoleArn"].rsplit("/", 1)[-1]
        xml = ("<{a}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
               "<{a}Result><AssumedRoleUser><AssumedRoleId>AROAFAKE:{s}</AssumedRoleId>"
               "<Arn>arn:aws:sts::123456789012:assumed-role/{r}/{s}</Arn></AssumedRoleUser>"
               "<Credentials><AccessKeyId>{k}</AccessKeyId>"
               "<SecretAccessKey>{sec}</SecretAccessKey><SessionToken>{tok}</SessionToken>"
               "<Expiration>{exp}</Expiration></Credentials></{a}Result>"
               "<ResponseMetadata><RequestId>{id}</RequestId></ResponseMetadata>"
               "</{a}Response>").format(
            a=action, s=f["RoleSessionName"], r=role, k=c["AccessKeyId"],
            sec=c["SecretAccessKey"], tok=c["SessionToken"], exp=c["Expiration"],
            id=uuid.uuid4())
        return (200, xml)


class StsProxy(Service):
    """Forwards every request to another STS (moto's server) and records
    its answer in req.answer: what that implementation really said."""

    content_type = "text/xml"

    def __init__(self, upstream):
        super().__init__()
        self.upstream = upstream

    def handle(self, req):
        import urllib.request
        headers = {k: v for k, v in req.headers.items()
                   if k.lower() not in ("host", "content-length", "connection")}
        r = urllib.request.Request(self.upstream + req.path, data=req.body, headers=headers,
                                   method=req.method)
        try:
            with urllib.request.urlopen(r, timeout=30) as resp:
                status, body = resp.status, resp.read()
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read()
        req.answer = body.decode()
        return (status, body)

    def credentials(self):
        """(AccessKeyId, SessionToken) of each answer, parsed apart."""
        import re
        return [tuple(re.search("<%s>([^<]*)</%s>" % (k, k), r.answer).group(1)
                      for k in ("AccessKeyId", "SessionToken")) for r in self.requests]


class MotoServer:
    """moto's server (`python3 -m moto.server`, with botocore_python()) on a
    free 127.0.0.1 port: an STS that generates its own credentials."""

    def __enter__(self):
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        self.url = "http://127.0.0.1:%d" % port
        self.proc = subprocess.Popen([botocore_python(), "-m", "moto.server", "-H", "127.0.0.1",
                                      "-p", str(port)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        deadline = time.time() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return self
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    self.__exit__()
                    raise RuntimeError("moto's server did not start: %s"
                                       % self.proc.stderr.read().decode()[-500:])
                time.sleep(0.1)

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def imds_creds_json(c):
    return {"Code": "Success", "LastUpdated": iso(time.time()), "Type": "AWS-HMAC",
            "AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"],
            "Token": c["SessionToken"], "Expiration": c["Expiration"]}


class FakeImds(Service):
    """A strict IMDSv2: PUT /latest/api/token with a TTL header gives a
    token; every GET without a valid token is 401. With v1=True, an IMDSv1:
    PUT is 404 and GETs need no token."""

    content_type = "text/plain"

    def __init__(self, issuer, role="dynamo-test-role"):
        super().__init__()
        self.issuer = issuer
        self.role = role
        self.tokens = set()
        self.v1 = False

    def handle(self, req):
        base = "/latest/meta-data/iam/security-credentials/"
        if self.v1 and req.method == "PUT":
            return (404, "")
        if req.method == "PUT" and req.path == "/latest/api/token":
            if not req.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                return (400, "missing ttl")
            tok = "imdst0k3n-" + uuid.uuid4().hex
            self.tokens.add(tok)
            return (200, tok)
        if req.method != "GET":
            return (405, "")
        if not self.v1 and req.headers.get("X-aws-ec2-metadata-token") not in self.tokens:
            return (401, "")
        if req.path == base:
            return (200, self.role)
        if req.path == base + self.role:
            return (200, json.dumps(imds_creds_json(self.issuer.issue("imds", self.role))))
        return (404, "")


class FakeContainer(Service):
    """The container credentials endpoint: GET any path; when token is set,
    the Authorization header must be it."""

    def __init__(self, issuer, token=None, account_id=None):
        super().__init__()
        self.issuer = issuer
        self.token = token
        self.account_id = account_id  # AccountId in the answer, when set

    def handle(self, req):
        if self.token is not None and req.headers.get("Authorization") != self.token:
            return (401, {"message": "bad authorization"})
        c = self.issuer.issue("container", req.path)
        answer = {"AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"],
                  "Token": c["SessionToken"], "Expiration": c["Expiration"],
                  "RoleArn": "arn:aws:iam::123456789012:role/task"}
        if self.account_id:
            answer["AccountId"] = self.account_id
        return (200, answer)


class FakeSso(Service):
    """GET /federation/credentials (the portal) and POST /token (OIDC)."""

    def __init__(self, issuer, token_ttl=3600):
        super().__init__()
        self.issuer = issuer
        self.token_ttl = token_ttl
        self.valid = None          # access tokens the portal takes (None: any)
        self.refreshes = 0

    def handle(self, req):
        if req.method == "POST" and req.path == "/token":
            body = req.json()
            if body.get("grantType") != "refresh_token" or not body.get("refreshToken"):
                return (400, {"error": "invalid_request"})
            self.refreshes += 1
            new = "ssot0k3n-refreshed-%d" % self.refreshes
            if self.valid is not None:
                self.valid.add(new)
            return (200, {"accessToken": new, "tokenType": "Bearer",
                          "expiresIn": self.token_ttl,
                          "refreshToken": "rt0k3n-%d" % self.refreshes})
        if req.method == "GET" and req.path.startswith("/federation/credentials?"):
            q = req.query()
            tok = req.headers.get("x-amz-sso_bearer_token")
            if not tok or (self.valid is not None and tok not in self.valid):
                return (401, {"message": "Session token not found or invalid"}, None,
                        {"x-amzn-ErrorType": "UnauthorizedException"})
            c = self.issuer.issue("sso", q.get("account_id"), q.get("role_name"), tok)
            return (200, {"roleCredentials": {
                "accessKeyId": c["AccessKeyId"], "secretAccessKey": c["SecretAccessKey"],
                "sessionToken": c["SessionToken"], "expiration": c["expires"] * 1000}})
        return (404, {"message": "no such path"})


def describe(table="Fake"):
    return {"Table": {"TableName": table, "TableStatus": "ACTIVE", "ItemCount": 1,
                      "KeySchema": [{"AttributeName": "uuid", "KeyType": "HASH"}],
                      "AttributeDefinitions": [{"AttributeName": "uuid",
                                                "AttributeType": "S"}]}}


class FakeDynamo(Service):
    """DescribeTable of a table keyed by uuid S, Scan and Query answering one
    item. Records who signed each request (ops()); a request signed with a
    key the issuer says has expired gets ExpiredTokenException, and so do the
    next `expire` requests whatever their key."""

    content_type = "application/x-amz-json-1.0"

    def __init__(self, issuer=None):
        super().__init__()
        self.issuer = issuer
        self.expire = 0

    def ops(self):
        return [(r.headers.get("X-Amz-Target", "").split(".")[-1], r.key, r.token)
                for r in self.requests]

    def keys(self):
        return [(r.key, r.token) for r in self.requests]

    def handle(self, req):
        op = req.headers.get("X-Amz-Target", "").split(".")[-1]
        expired = self.issuer is not None and self.issuer.expired(req.key)
        with self._lock:
            if self.expire > 0:
                self.expire -= 1
                expired = True
        if expired:
            return (400, {"__type": "com.amazon.coral.service#ExpiredTokenException",
                          "message": "The security token included in the request is expired"})
        if op == "DescribeTable":
            return (200, describe(json.loads(req.body).get("TableName", "Fake")))
        if op in ("Scan", "Query"):
            return (200, {"Items": [{"uuid": {"S": "u1"}}], "Count": 1, "ScannedCount": 1})
        return (400, {"__type": "com.amazonaws.dynamodb.v20120810#ValidationException",
                      "message": "FakeDynamo: no %s" % op})


# -- environments and botocore ---------------------------------------------

def aws_env(home, **kw):
    """A hermetic AWS environment as a dict of changes to os.environ (None
    removes): no AWS_* variable of this process, the files under home/.aws,
    instance metadata disabled, region us-east-1; then kw."""
    env = {k: None for k in os.environ if k.startswith("AWS_")}
    env.update(HOME=home,
               AWS_CONFIG_FILE=os.path.join(home, ".aws", "config"),
               AWS_SHARED_CREDENTIALS_FILE=os.path.join(home, ".aws", "credentials"),
               AWS_EC2_METADATA_DISABLED="true",
               AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1")
    env.update(kw)
    return env


def full_env(changes):
    """os.environ with the changes applied."""
    env = dict(os.environ)
    for k, v in changes.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


_PYTHON = None


def botocore_python():
    """A python3 that has botocore and boto3: $DYNAMO_BOTOCORE_PYTHON, else
    python3 on PATH, else pyenv's. Raises if there is none."""
    global _PYTHON
    if _PYTHON:
        return _PYTHON
    cands = [os.environ.get("DYNAMO_BOTOCORE_PYTHON"), shutil.which("python3")]
    cands += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/*/bin/python3")))
    for c in cands:
        if c and subprocess.run([c, "-c", "import boto3, botocore"],
                                capture_output=True).returncode == 0:
            _PYTHON = c
            return c
    raise RuntimeError("no python3 with boto3 and botocore (the reference client): "
                       "pip install boto3, or set DYNAMO_BOTOCORE_PYTHON")


# One botocore process answers every question, each in the environment it
# is given (a new boto3.Session per question, so nothing is cached between
# them): starting python3 and importing boto3 for each would cost most of
# the credential tests' time.
_WORKER = r"""
import json, os, sys
import boto3, botocore.credentials, botocore.tokens
for line in sys.stdin:
    req = json.loads(line)
    os.environ.clear()
    os.environ.update(req["env"])
    # botocore computes the SSO cache directory from HOME once, at import
    d = os.path.expanduser(os.path.join("~", ".aws", "sso", "cache"))
    botocore.credentials.SSOProvider._SSO_TOKEN_CACHE_DIR = d
    botocore.tokens.SSOTokenProvider._SSO_TOKEN_CACHE_DIR = d
    try:
        c = boto3.Session(profile_name=req["profile"] or None).get_credentials()
        f = c.get_frozen_credentials() if c else None
        out = {"ok": None if f is None else [f.access_key, f.token, c.method]}
    except Exception as e:
        out = {"error": "%s: %s" % (type(e).__name__, e)}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
"""
_worker = None
_worker_lock = threading.Lock()


def botocore_credentials(changes, profile=None):
    """(access key, token, method) as botocore resolves them with os.environ
    changed by `changes`, or None; raises with botocore's error when it
    fails."""
    global _worker
    with _worker_lock:
        if _worker is None or _worker.poll() is not None:
            import atexit
            _worker = subprocess.Popen([botocore_python(), "-c", _WORKER],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       text=True, env=full_env(aws_env("/nonexistent")))
            atexit.register(_worker.kill)
        _worker.stdin.write(json.dumps({"env": full_env(changes), "profile": profile}) + "\n")
        _worker.stdin.flush()
        line = _worker.stdout.readline()
    if not line:
        raise RuntimeError("the botocore process died")
    got = json.loads(line)
    if "error" in got:
        raise RuntimeError("botocore failed: %s" % got["error"])
    return tuple(got["ok"]) if got["ok"] else None


def write(path, text, mode=0o600):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
