"""A small DynamoDB client for the tests, independent of the extension.

Standard library only: requests are signed with AWS Signature Version 4
(hashlib/hmac) and sent as JSON 1.0 over HTTP(S), so that tests can make
fixtures and check results without trusting the code under test.

    from ddbclient import Client, DynamoError, marshal_item, unmarshal_item
    c = Client.from_env()
    c.create_table("t", hash=("uuid", "S"), range=("timestamp", "S"))
    c.put_item("t", {"uuid": {"S": "a"}, "timestamp": {"S": "1"}})
    c.scan_all("t")          # -> list of items in DynamoDB JSON

Items and keys are in DynamoDB's wire format ({"name": {"S": "x"}}); use
marshal_item()/unmarshal_item() to convert from/to plain Python values.
"""

import base64
import datetime
import decimal
import hashlib
import hmac
import http.client
import json
import os
import threading
import time
import urllib.parse

TARGET_PREFIX = "DynamoDB_20120810."
CONTENT_TYPE = "application/x-amz-json-1.0"
SERVICE = "dynamodb"

# Errors an SDK would retry; local servers rarely send them, but a test
# fixture should not fail on one.
RETRYABLE = {
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "InternalServerError",
    "InternalFailure",
    "ServiceUnavailable",
}


class DynamoError(Exception):
    """An error answer from DynamoDB: .type (e.g. 'ValidationException',
    without the 'com.amazonaws...#' prefix), .message, .status (HTTP)."""

    def __init__(self, type, message, status=None):
        super().__init__("%s: %s" % (type, message))
        self.type = type
        self.message = message
        self.status = status


def _hmac(key, msg):
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def sigv4_headers(method, url, region, key, secret, body, headers,
                  session_token=None, service=SERVICE, now=None):
    """Return `headers` plus X-Amz-Date, Host and Authorization (SigV4).
    `body` is bytes; `now` (datetime, UTC) is for tests of the signer."""
    parts = urllib.parse.urlsplit(url)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    date = amz_date[:8]
    out = dict(headers)
    out["Host"] = parts.netloc
    out["X-Amz-Date"] = amz_date
    if session_token:
        out["X-Amz-Security-Token"] = session_token
    canon = {}
    for name, value in out.items():
        canon[name.lower()] = " ".join(str(value).strip().split())
    signed = ";".join(sorted(canon))
    canonical_headers = "".join("%s:%s\n" % (k, canon[k]) for k in sorted(canon))
    payload_hash = hashlib.sha256(body).hexdigest()
    canonical_request = "\n".join([
        method,
        urllib.parse.quote(parts.path or "/", safe="/~"),
        "",  # no query string for JSON 1.0 requests
        canonical_headers,
        signed,
        payload_hash,
    ])
    scope = "%s/%s/%s/aws4_request" % (date, region, service)
    string_to_sign = "\n".join([
        "AWS4-HMAC-SHA256",
        amz_date,
        scope,
        hashlib.sha256(canonical_request.encode("utf-8")).hexdigest(),
    ])
    k = _hmac(("AWS4" + secret).encode("utf-8"), date)
    k = _hmac(k, region)
    k = _hmac(k, service)
    k = _hmac(k, "aws4_request")
    signature = hmac.new(k, string_to_sign.encode("utf-8"),
                         hashlib.sha256).hexdigest()
    out["Authorization"] = (
        "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s"
        % (key, scope, signed, signature))
    return out


class Client:
    def __init__(self, endpoint, region="us-east-1", key="test",
                 secret="test", session_token=None, timeout=30.0,
                 resend_on_closed=True):
        """resend_on_closed: when the server closes the connection before
        answering, send the request once more on a new connection (what
        HTTP clients do for a kept-alive connection that went stale). False
        lets the caller see every dropped connection (fault-injection
        tests)."""
        if not endpoint:
            raise ValueError("ddbclient: no endpoint given")
        self.endpoint = endpoint.rstrip("/") + "/"
        self.region = region
        self.key = key
        self.secret = secret
        self.session_token = session_token
        self.timeout = timeout
        self.resend_on_closed = resend_on_closed
        parts = urllib.parse.urlsplit(self.endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("ddbclient: bad endpoint %r" % endpoint)
        self._parts = parts
        self._conn = None
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls, env=None):
        env = os.environ if env is None else env
        endpoint = env.get("AWS_ENDPOINT_URL_DYNAMODB")
        if not endpoint:
            raise RuntimeError("ddbclient: AWS_ENDPOINT_URL_DYNAMODB is not set")
        return cls(endpoint,
                   region=env.get("AWS_REGION") or "us-east-1",
                   key=env.get("AWS_ACCESS_KEY_ID") or "test",
                   secret=env.get("AWS_SECRET_ACCESS_KEY") or "test",
                   session_token=env.get("AWS_SESSION_TOKEN") or None)

    # -- transport ---------------------------------------------------------

    def _connection(self):
        if self._conn is None:
            p = self._parts
            if p.scheme == "https":
                self._conn = http.client.HTTPSConnection(
                    p.hostname, p.port, timeout=self.timeout)
            else:
                self._conn = http.client.HTTPConnection(
                    p.hostname, p.port, timeout=self.timeout)
        return self._conn

    def close(self):
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def raw(self, op, payload):
        """Send one request; return (http_status, raw_body_bytes)."""
        body = json.dumps(payload).encode("utf-8")
        headers = sigv4_headers(
            "POST", self.endpoint, self.region, self.key, self.secret, body,
            {"Content-Type": CONTENT_TYPE, "X-Amz-Target": TARGET_PREFIX + op},
            session_token=self.session_token)
        path = self._parts.path or "/"
        with self._lock:
            # A kept-alive connection may have been closed by the server
            # meanwhile: retry once on a fresh connection in that case.
            for attempt in ((0, 1) if self.resend_on_closed else (1,)):
                conn = self._connection()
                try:
                    conn.request("POST", path, body=body, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                    if resp.getheader("Connection", "").lower() == "close":
                        conn.close()
                        self._conn = None
                    return resp.status, data
                except (http.client.RemoteDisconnected,
                        http.client.CannotSendRequest,
                        BrokenPipeError, ConnectionResetError):
                    conn.close()
                    self._conn = None
                    if attempt:
                        raise
                except Exception:
                    conn.close()
                    self._conn = None
                    raise

    def call(self, op, payload=None, retries=4):
        """Call operation `op` with the JSON `payload`; return the answer as
        a dict, or raise DynamoError."""
        payload = {} if payload is None else payload
        delay = 0.05
        for attempt in range(retries + 1):
            status, data = self.raw(op, payload)
            try:
                doc = json.loads(data.decode("utf-8")) if data.strip() else {}
            except ValueError:
                doc = None
            if 200 <= status < 300 and isinstance(doc, dict):
                return doc
            err = error_from(status, doc, data)
            if err.type in RETRYABLE and attempt < retries:
                time.sleep(delay)
                delay *= 2
                continue
            raise err

    # -- helpers -----------------------------------------------------------

    def create_table(self, name, hash, range=None, wait=True, timeout=30.0,
                     **extra):
        """Create an on-demand table with key hash=(name, 'S'|'N'|'B') and
        optional range=(name, type); wait until it is ACTIVE."""
        attrs = [{"AttributeName": hash[0], "AttributeType": hash[1]}]
        schema = [{"AttributeName": hash[0], "KeyType": "HASH"}]
        if range is not None:
            attrs.append({"AttributeName": range[0], "AttributeType": range[1]})
            schema.append({"AttributeName": range[0], "KeyType": "RANGE"})
        payload = {
            "TableName": name,
            "AttributeDefinitions": attrs,
            "KeySchema": schema,
            "BillingMode": "PAY_PER_REQUEST",
        }
        payload.update(extra)
        out = self.call("CreateTable", payload)
        if wait:
            return self.wait_active(name, timeout)
        return out.get("TableDescription", {})

    def describe_table(self, name):
        return self.call("DescribeTable", {"TableName": name})["Table"]

    def wait_active(self, name, timeout=30.0):
        deadline = time.monotonic() + timeout
        while True:
            table = self.describe_table(name)
            if table.get("TableStatus") == "ACTIVE":
                return table
            if time.monotonic() > deadline:
                raise TimeoutError("table %s not ACTIVE after %ss (status %s)"
                                   % (name, timeout, table.get("TableStatus")))
            time.sleep(0.05)

    def delete_table(self, name, wait=True, timeout=30.0):
        """Delete a table; a missing table is not an error. With wait, return
        once DescribeTable no longer finds it."""
        try:
            self.call("DeleteTable", {"TableName": name})
        except DynamoError as e:
            if e.type != "ResourceNotFoundException":
                raise
            return
        deadline = time.monotonic() + timeout
        while wait:
            try:
                self.describe_table(name)
            except DynamoError as e:
                if e.type == "ResourceNotFoundException":
                    return
                raise
            if time.monotonic() > deadline:
                raise TimeoutError("table %s still there after %ss"
                                   % (name, timeout))
            time.sleep(0.05)

    def list_tables(self):
        names, start = [], None
        while True:
            payload = {"ExclusiveStartTableName": start} if start else {}
            out = self.call("ListTables", payload)
            names.extend(out.get("TableNames", []))
            start = out.get("LastEvaluatedTableName")
            if not start:
                return names

    def put_item(self, table, item, **extra):
        payload = {"TableName": table, "Item": item}
        payload.update(extra)
        return self.call("PutItem", payload)

    def get_item(self, table, key, consistent=True):
        """Return the item (DynamoDB JSON) or None."""
        out = self.call("GetItem", {"TableName": table, "Key": key,
                                    "ConsistentRead": consistent})
        return out.get("Item")

    def delete_item(self, table, key):
        return self.call("DeleteItem", {"TableName": table, "Key": key})

    def scan_all(self, table, **extra):
        """All items of a table (follows LastEvaluatedKey)."""
        items = []
        payload = {"TableName": table, "ConsistentRead": True}
        payload.update(extra)
        while True:
            out = self.call("Scan", payload)
            items.extend(out.get("Items", []))
            last = out.get("LastEvaluatedKey")
            if not last:
                return items
            payload["ExclusiveStartKey"] = last

    def count(self, table):
        n = 0
        payload = {"TableName": table, "Select": "COUNT",
                   "ConsistentRead": True}
        while True:
            out = self.call("Scan", payload)
            n += out.get("Count", 0)
            last = out.get("LastEvaluatedKey")
            if not last:
                return n
            payload["ExclusiveStartKey"] = last

    def batch_put(self, table, items, timeout=60.0):
        """Write items 25 per BatchWriteItem, retrying UnprocessedItems."""
        items = list(items)
        deadline = time.monotonic() + timeout
        for i in range(0, len(items), 25):
            requests = {table: [{"PutRequest": {"Item": it}}
                                for it in items[i:i + 25]]}
            delay = 0.02
            while requests:
                out = self.call("BatchWriteItem", {"RequestItems": requests})
                requests = out.get("UnprocessedItems") or {}
                requests = {k: v for k, v in requests.items() if v}
                if requests:
                    if time.monotonic() > deadline:
                        raise TimeoutError("batch_put: items left unprocessed")
                    time.sleep(delay)
                    delay = min(delay * 2, 1.0)
        return len(items)


def error_from(status, doc, data=b""):
    """Build a DynamoError from an error answer. DynamoDB Local and AWS send
    'message', some servers and paths send 'Message'; __type carries a
    'com.amazonaws.dynamodb.v20120810#' (or 'com.amazon.coral...#') prefix."""
    if isinstance(doc, dict):
        etype = doc.get("__type") or doc.get("code") or "UnknownError"
        etype = etype.rsplit("#", 1)[-1]
        message = doc.get("message")
        if message is None:
            message = doc.get("Message")
        if message is None:
            message = ""
        return DynamoError(etype, message, status)
    text = data.decode("utf-8", "replace").strip()
    return DynamoError("HttpError", "HTTP %s: %s" % (status, text[:500]),
                       status)


# -- plain Python values <-> DynamoDB JSON ---------------------------------

def _num(v):
    if isinstance(v, bool):
        raise TypeError("bool is not a number")
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            raise ValueError("DynamoDB numbers cannot be NaN or infinite")
        return repr(v)
    return str(v)


def marshal(v):
    """A plain Python value as a DynamoDB attribute value. str->S,
    int/float/Decimal->N, bytes->B, bool->BOOL, None->NULL, list/tuple->L,
    dict->M, set of str/numbers/bytes->SS/NS/BS."""
    if v is None:
        return {"NULL": True}
    if isinstance(v, bool):
        return {"BOOL": v}
    if isinstance(v, str):
        return {"S": v}
    if isinstance(v, (int, float, decimal.Decimal)):
        return {"N": _num(v)}
    if isinstance(v, (bytes, bytearray)):
        return {"B": base64.b64encode(bytes(v)).decode("ascii")}
    if isinstance(v, (list, tuple)):
        return {"L": [marshal(x) for x in v]}
    if isinstance(v, dict):
        return {"M": {str(k): marshal(x) for k, x in v.items()}}
    if isinstance(v, (set, frozenset)):
        if not v:
            raise ValueError("DynamoDB sets cannot be empty")
        if all(isinstance(x, str) for x in v):
            return {"SS": sorted(v)}
        if all(isinstance(x, (bytes, bytearray)) for x in v):
            return {"BS": [base64.b64encode(bytes(x)).decode("ascii")
                           for x in sorted(v)]}
        if all(isinstance(x, (int, float, decimal.Decimal))
               and not isinstance(x, bool) for x in v):
            return {"NS": [_num(x) for x in sorted(v)]}
        raise TypeError("mixed set %r" % (v,))
    raise TypeError("cannot marshal %r" % (v,))


def _unnum(s):
    d = decimal.Decimal(s)
    if d == d.to_integral_value() and "e" not in s.lower() and "." not in s:
        return int(s)
    return d


def unmarshal(av):
    """A DynamoDB attribute value as a plain Python value; N becomes int when
    written without '.' or exponent, else decimal.Decimal."""
    (t, v), = av.items()
    if t == "S":
        return v
    if t == "N":
        return _unnum(v)
    if t == "B":
        return base64.b64decode(v)
    if t == "BOOL":
        return bool(v)
    if t == "NULL":
        return None
    if t == "L":
        return [unmarshal(x) for x in v]
    if t == "M":
        return {k: unmarshal(x) for k, x in v.items()}
    if t == "SS":
        return set(v)
    if t == "NS":
        return {_unnum(x) for x in v}
    if t == "BS":
        return {base64.b64decode(x) for x in v}
    raise ValueError("unknown attribute type %r" % t)


def marshal_item(d):
    return {k: marshal(v) for k, v in d.items()}


def unmarshal_item(item):
    return None if item is None else {k: unmarshal(v) for k, v in item.items()}
