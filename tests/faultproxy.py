#!/usr/bin/python3
"""A fault-injecting HTTP proxy between a DynamoDB client (the extension,
tests/ddbclient.py, the AWS CLI) and a local DynamoDB server, for tests of
how the client survives what the real service does now and then: 500s,
throttling, dropped connections, lost responses, partial batch writes.

Standard library only (runs under Debian's /usr/bin/python3, 3.11).
Listens on 127.0.0.1 only.

In a test (in-process):

    from faultproxy import FaultProxy, WRITE_OPS
    with FaultProxy(upstream_url, rate=0.25, seed=7, ops=WRITE_OPS) as p:
        ... point the client at p.url ...
        p.stats["faults"]["drop_after"]   # what was done (see `stats`)
        p.set_rate(0)                     # transparent from now on

As a command (prints its port on stdout, one line, then serves until
SIGTERM/SIGINT/SIGHUP; the final stats go to stderr as one JSON line, and
to --stats-file if given):

    python3 tests/faultproxy.py --upstream http://127.0.0.1:8000 \\
        --rate 0.25 --seed 1 [--kinds 500,throttle=2,...] [--ops writes]

    # from bash:
    coproc FP { exec /usr/bin/python3 tests/faultproxy.py --upstream "$URL" --rate 0.25 --seed 1; }
    read -r port <&"${FP[0]}"; ...; kill "$FP_PID"; wait "$FP_PID"
    # from Python:
    proc = subprocess.Popen([sys.executable, "tests/faultproxy.py", "--upstream",
                             url, "--rate", "0.25", "--seed", "1"],
                            stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline())   # ... proc.terminate(); proc.wait()

Pointing the extension at the proxy: give the proxy's URL as the table's
endpoint (or set AWS_ENDPOINT_URL_DYNAMODB to it for the process):

    CREATE VIRTUAL TABLE t USING dynamo(table=X, endpoint='http://127.0.0.1:PROXYPORT');

Check the final state with a client that goes to the server directly
(tests/ddbclient.py with the upstream URL, or boto3 / the AWS CLI with
--endpoint-url), never through the proxy.

Fault kinds (KINDS)
-------------------
  "500"          HTTP 500, {"__type": "...#InternalServerError"}; the request
                 is not forwarded.
  "throttle"     HTTP 400, __type ...v20120810#ProvisionedThroughputExceeded-
                 Exception or (variant) com.amazon.coral.availability#
                 ThrottlingException, as AWS sends them; not forwarded.
  "drop_before"  the client connection is closed without forwarding and
                 without a byte of answer.
  "drop_after"   the request IS forwarded and applied upstream, the answer
                 is read, then the client connection is closed without
                 sending it: the classic lost response. A retry of a
                 conditional write then meets its own earlier write.
  "unprocessed"  BatchWriteItem only, with 2 to 25 write requests: a random
                 non-empty proper subset is forwarded, the client gets 200
                 with the rest in UnprocessedItems (after whatever the
                 server itself left unprocessed), shaped as DynamoDB does:
                 {"UnprocessedItems": {"T": [{"PutRequest": {"Item": ...}},
                 {"DeleteRequest": {"Key": ...}}]}, ...}. Batches with two
                 requests for the same key (which DynamoDB rejects as a
                 whole) are never split (the kind does not apply to them):
                 the proxy learns each table's key from a DescribeTable it
                 sends upstream itself (cached for its lifetime; no split
                 when that fails, e.g. for a missing table). Other
                 invalid batches (a bad attribute value, a wrong key type)
                 may be split: a held-back invalid request then fails on
                 the client's retry instead of failing the whole batch,
                 so keep 'unprocessed' out of tests of validation errors.
  "slow"         (off by default) wait slow_seconds, then forward and
                 answer normally. If the client hung up meanwhile (timed
                 out) the request is not forwarded at all, so a late write
                 never lands after the client's retry.

Drops come in two variants, chosen at random unless `variants` says:
"close" (FIN: libcurl reports "Empty reply from server", CURLE_GOT_NOTHING)
and "reset" (RST via SO_LINGER 0: "Connection reset by peer",
CURLE_RECV_ERROR). Note that libcurl (checked with 7.88.1) silently
re-sends a request once when a *reused* keep-alive connection dies before
any answer byte, for both variants and for drop_after too: the caller
never hears of it, and the proxy sees (and counts, and caps) a second
request with the same body on a new connection. Only a drop on a fresh
connection reaches the caller as an error; each drop's Event.detail says
which it was.

Choosing faults
---------------
A request is eligible when the proxy is enabled and its operation (from
X-Amz-Target) is in `ops` (None: every operation; "writes": WRITE_OPS).
An eligible request is faulted with probability `rate`; the kind is then
drawn among the enabled kinds that apply to it, with the relative weights
of `kinds` (a list or set: equal weights; a dict: kind -> weight), so
kind k has probability rate * w_k / sum(w) for a BatchWriteItem. The
random stream comes from random.Random(seed): one client sending requests
one at a time sees the same faults on every run. `inject(kind, count)`
forces faults on the next eligible requests regardless of rate.

max_consecutive (default 3) caps how often the same request (operation and
body bytes) is faulted in a row: after that many, it passes, so a client
that retries a bounded number of times always gets through. A pass resets
the count. The cap applies to injected faults too (they wait in the queue).

Signatures
----------
Requests are SigV4-signed over the Host header and the body. The proxy
forwards the client's headers unchanged except Host and Content-Length
(recomputed for the upstream) and hop-by-hop headers, so what reaches the
server no longer matches its signature (the Host always differs; for
"unprocessed" the body too). Neither local server verifies signatures:
checked with DynamoDB Local 2026-05-28 (tests/servers) and dynalite 4.0.0,
both answer normally to a bogus Signature=, a body changed after signing,
a different Host and an X-Amz-Date from the year 2000; both only require
an Authorization header to be present (MissingAuthenticationToken[Exception]
without one). The proxy would therefore not work in front of real AWS,
and must not: an upstream other than 127.0.0.1, localhost or ::1 is
refused.

Control endpoint (for a proxy run as a CLI): GET /__faultproxy/stats gives
the stats as JSON, GET /__faultproxy/events the event log; POST
/__faultproxy/config with a JSON object {"rate": 0.1, "enabled": false,
"kinds": {...}, "ops": [...], "max_consecutive": 3, "reset_stats": true}
changes the settings. DynamoDB requests always go to "/", so they never
collide with it.
"""

import argparse
import collections
import copy
import hashlib
import http.client
import http.server
import json
import random
import select
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse
import uuid
import zlib

KINDS = ("500", "throttle", "drop_before", "drop_after", "unprocessed", "slow")
DEFAULT_KINDS = ("500", "throttle", "drop_before", "drop_after", "unprocessed")
WRITE_OPS = frozenset(("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
                       "TransactWriteItems"))
VARIANTS = {
    "500": ("InternalServerError",),
    "throttle": ("ProvisionedThroughputExceededException", "ThrottlingException"),
    "drop_before": ("close", "reset"),
    "drop_after": ("close", "reset"),
    "unprocessed": ("subset",),
    "slow": ("delay",),
}
ERROR_BODIES = {
    "InternalServerError": (500, {
        "__type": "com.amazonaws.dynamodb.v20120810#InternalServerError",
        "message": "Internal server error"}),
    "ProvisionedThroughputExceededException": (400, {
        "__type": "com.amazonaws.dynamodb.v20120810#"
                  "ProvisionedThroughputExceededException",
        "message": "The level of configured provisioned throughput for the "
                   "table was exceeded. Consider increasing your provisioning "
                   "level with the UpdateTable API."}),
    "ThrottlingException": (400, {
        "__type": "com.amazon.coral.availability#ThrottlingException",
        "message": "Rate of requests exceeds the allowed throughput."}),
}
CONTENT_TYPE = "application/x-amz-json-1.0"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
CONTROL_PREFIX = "/__faultproxy/"
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection",
              "proxy-authenticate", "proxy-authorization", "te", "trailer",
              "trailers", "transfer-encoding", "upgrade", "expect",
              "content-length", "host"}
RESPONSE_SKIP = HOP_BY_HOP | {"date", "server"}

Event = collections.namedtuple("Event", "seq op kind variant detail")
Event.__doc__ = """One request the proxy handled: seq (1, 2, ...), op,
kind (a fault kind, or None when it was forwarded untouched), variant
(e.g. 'ThrottlingException', 'reset'; None for a pass) and detail: for
'unprocessed' the counts (forwarded, held back), or 'upstream answered N'
if the server refused the forwarded part (its answer is passed on); for drops 'fresh connection' or 'reused connection' (the first
request on its connection or not); for a capped pass 'capped'; for 'slow'
'held' once slow_seconds have passed (then it forwards), 'abandoned' if the
client hung up before; 'upstream error: ...' on a 502."""


def _norm_kinds(kinds):
    if kinds is None:
        kinds = DEFAULT_KINDS
    if isinstance(kinds, str):
        kinds = [k for k in kinds.split(",") if k]
    if isinstance(kinds, dict):
        out = {str(k): float(w) for k, w in kinds.items()}
    else:
        out = {str(k): 1.0 for k in kinds}
    for k, w in out.items():
        if k not in KINDS:
            raise ValueError("faultproxy: unknown fault kind %r (one of %s)"
                             % (k, ", ".join(KINDS)))
        if w < 0:
            raise ValueError("faultproxy: negative weight for %r" % k)
    return {k: w for k, w in out.items() if w > 0}


def _norm_ops(ops):
    if ops is None:
        return None
    if isinstance(ops, str):
        if ops in ("writes", "write"):
            return frozenset(WRITE_OPS)
        if ops in ("all", "*", ""):
            return None
        ops = [o for o in ops.split(",") if o]
    return frozenset(ops)


def _norm_variants(variants):
    out = {k: tuple(v) for k, v in VARIANTS.items()}
    for k, v in (variants or {}).items():
        if k not in VARIANTS:
            raise ValueError("faultproxy: unknown fault kind %r" % k)
        v = (v,) if isinstance(v, str) else tuple(v)
        bad = [x for x in v if x not in VARIANTS[k]]
        if bad or not v:
            raise ValueError("faultproxy: variants for %r must be among %s"
                             % (k, ", ".join(VARIANTS[k])))
        out[k] = v
    return out


class _UpstreamError(Exception):
    """Talking to the upstream failed (wraps the original exception)."""


class _Upstream:
    """Keep-alive connections to the upstream server (a small pool)."""

    def __init__(self, url, timeout, on_connect=None):
        self.on_connect = on_connect
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("faultproxy: bad upstream URL %r" % url)
        if parts.hostname not in LOCAL_HOSTS:
            raise ValueError("faultproxy: upstream %r is not a local server "
                             "(%s only)" % (url, ", ".join(LOCAL_HOSTS)))
        self.parts = parts
        self.host = parts.netloc
        self.path = parts.path.rstrip("/")
        self.timeout = timeout
        self._idle = []
        self._lock = threading.Lock()

    def _new(self):
        cls = (http.client.HTTPSConnection if self.parts.scheme == "https"
               else http.client.HTTPConnection)
        return cls(self.parts.hostname, self.parts.port, timeout=self.timeout)

    def request(self, method, path, headers, body):
        """Send one request; return (status, [(name, value)], body bytes).
        A kept-alive connection the server closed meanwhile is replaced
        once, as any HTTP client does."""
        headers = dict(headers)
        headers["Host"] = self.host
        headers["Content-Length"] = str(len(body))
        for attempt in (0, 1):
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            reused = conn is not None
            if conn is None:
                conn = self._new()
                if self.on_connect:
                    self.on_connect()
            try:
                conn.request(method, self.path + path, body=body,
                             headers=headers)
                resp = conn.getresponse()
                data = resp.read()
            except (http.client.RemoteDisconnected, http.client.CannotSendRequest,
                    BrokenPipeError, ConnectionResetError) as e:
                conn.close()
                if reused and attempt == 0:
                    continue
                raise e
            except BaseException:
                conn.close()
                raise
            if resp.will_close:
                conn.close()
            else:
                with self._lock:
                    self._idle.append(conn)
            return resp.status, resp.getheaders(), data
        raise AssertionError("unreachable")

    def close(self):
        with self._lock:
            idle, self._idle = self._idle, []
        for c in idle:
            c.close()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, addr, handler, proxy):
        self.proxy = proxy
        self.reset_sockets = set()
        self.open_sockets = set()
        self.sock_lock = threading.Lock()
        super().__init__(addr, handler)

    def process_request(self, request, client_address):
        with self.sock_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self.sock_lock:
            self.open_sockets.discard(request)
            reset = request in self.reset_sockets
            self.reset_sockets.discard(request)
        if reset:
            # SO_LINGER 0 is set: closing without shutdown() sends RST.
            self.close_request(request)
        else:
            super().shutdown_request(request)

    def handle_error(self, request, client_address):
        # A client that went away mid-answer is not worth a traceback.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, socket.timeout, OSError)):
            return
        super().handle_error(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "faultproxy"
    sys_version = ""
    timeout = 300  # idle keep-alive connections end after this

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.nrequests = 0  # requests on this connection so far
        self.server.proxy._count("connections")

    def log_message(self, fmt, *args):
        if self.server.proxy.verbose:
            sys.stderr.write("faultproxy: %s\n" % (fmt % args))

    # -- reading ---------------------------------------------------------

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    # -- writing ---------------------------------------------------------

    def _answer(self, status, headers, body):
        # One write for the whole answer (and TCP_NODELAY, see setup()): a
        # header write followed by a small body write would wait for the
        # client's delayed ACK (40 ms per request).
        reason = self.responses.get(status, ("",))[0]
        lines = ["%s %d %s" % (self.protocol_version, status, reason)]
        for name, value in headers:
            if name.lower() not in RESPONSE_SKIP:
                lines.append("%s: %s" % (name, value))
        lines.append("Date: %s" % self.date_time_string())
        lines.append("Content-Length: %d" % len(body))
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + (body if self.command != "HEAD" else b""))
        self.wfile.flush()
        if self.server.proxy.verbose:
            self.log_request(status, len(body))

    def _answer_json(self, status, doc):
        body = json.dumps(doc, separators=(",", ":")).encode("utf-8")
        self._answer(status, [
            ("Content-Type", CONTENT_TYPE),
            ("x-amzn-RequestId", uuid.uuid4().hex.upper()),
            ("x-amz-crc32", str(zlib.crc32(body) & 0xffffffff)),
        ], body)

    def _drop(self, style):
        self.close_connection = True
        if style == "reset":
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                with self.server.sock_lock:
                    self.server.reset_sockets.add(self.connection)
            except OSError:
                pass

    def _client_gone(self):
        """Has the client closed its end (EOF or reset pending)?"""
        try:
            r, _, _ = select.select([self.connection], [], [], 0)
            if not r:
                return False
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    # -- dispatch --------------------------------------------------------

    def _forward_headers(self):
        return [(k, v) for k, v in self.headers.items()
                if k.lower() not in HOP_BY_HOP]

    def _upstream(self, body):
        """Forward the request with `body`; (status, headers, data)."""
        proxy = self.server.proxy
        try:
            out = proxy._up.request(self.command, self.path,
                                    self._forward_headers(), body)
        except (OSError, http.client.HTTPException) as e:
            raise _UpstreamError(e) from e
        proxy._record_forward()
        return out

    def _handle(self):
        proxy = self.server.proxy
        body = self._read_body()
        if self.path.startswith(CONTROL_PREFIX):
            return self._control(body)
        target = self.headers.get("X-Amz-Target", "")
        op = target.rsplit(".", 1)[-1] if target else self.command
        self.nrequests += 1
        nwrites = 0
        if op == "BatchWriteItem" and proxy._may_split():
            nwrites = proxy._splittable(body, self._forward_headers())
        kind, variant, seq = proxy._decide(op, body, bool(target), nwrites)
        try:
            if kind is None:
                status, rh, data = self._upstream(body)
                if op == "DescribeTable" and status == 200:
                    doc = proxy._resized(body, data)
                    if doc is not None:
                        return self._answer_json(200, doc)
                return self._answer(status, rh, data)
            if kind in ("500", "throttle"):
                status, doc = ERROR_BODIES[variant]
                return self._answer_json(status, doc)
            if kind in ("drop_before", "drop_after"):
                # libcurl silently re-sends a request whose reused
                # connection died before any answer: say which case it was.
                proxy._set_detail(seq, "fresh connection" if self.nrequests == 1
                                  else "reused connection")
                if kind == "drop_after":
                    self._upstream(body)
                return self._drop(variant)
            if kind == "unprocessed":
                return self._unprocessed(seq, body)
            if kind == "slow":
                deadline = time.monotonic() + proxy.slow_seconds
                while time.monotonic() < deadline:
                    if self._client_gone():
                        proxy._set_detail(seq, "abandoned")
                        self.close_connection = True
                        return None
                    time.sleep(min(0.02, max(0, deadline - time.monotonic())))
                proxy._set_detail(seq, "held")
                return self._answer(*self._upstream(body))
            raise AssertionError(kind)
        except _UpstreamError as wrapped:
            e = wrapped.__cause__
            proxy._record_upstream_error(seq, e)
            self.close_connection = True
            return self._answer(502, [("Content-Type", "text/plain")],
                                ("faultproxy: upstream %s: %s: %s\n"
                                 % (proxy.upstream_url, type(e).__name__, e)
                                 ).encode())

    def _unprocessed(self, seq, body):
        proxy = self.server.proxy
        doc = json.loads(body)
        flat = [(t, r) for t, reqs in doc["RequestItems"].items() for r in reqs]
        keep = proxy._choose_subset(len(flat))
        forwarded, held = {}, {}
        for i, (t, r) in enumerate(flat):
            (forwarded if i in keep else held).setdefault(t, []).append(r)
        sub = dict(doc)
        sub["RequestItems"] = forwarded
        status, rh, data = self._upstream(
            json.dumps(sub, separators=(",", ":")).encode("utf-8"))
        if status != 200:
            proxy._set_detail(seq, "upstream answered %d" % status)
            return self._answer(status, rh, data)
        out = json.loads(data)
        merged = {}
        for t, reqs in (out.get("UnprocessedItems") or {}).items():
            if reqs:
                merged.setdefault(t, []).extend(reqs)
        for t, reqs in held.items():
            merged.setdefault(t, []).extend(reqs)
        out["UnprocessedItems"] = merged
        proxy._set_detail(seq, (len(keep), len(flat) - len(keep)))
        proxy._record_unprocessed(len(flat) - len(keep))
        return self._answer_json(200, out)

    def _control(self, body):
        proxy = self.server.proxy
        what = self.path[len(CONTROL_PREFIX):].split("?", 1)[0]
        if what == "stats":
            return self._answer_json(200, proxy.stats)
        if what == "events":
            return self._answer_json(200, [list(e) for e in proxy.events])
        if what == "config" and self.command == "POST":
            try:
                proxy.configure(**json.loads(body or b"{}"))
            except (TypeError, ValueError) as e:
                return self._answer_json(400, {"error": str(e)})
            return self._answer_json(200, proxy.config())
        if what == "config":
            return self._answer_json(200, proxy.config())
        return self._answer_json(404, {"error": "unknown control %r" % what})

    def handle_one_request(self):
        # BaseHTTPRequestHandler's loop, with our one handler for any method.
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.requestline = self.request_version = self.command = ""
                self.send_error(414)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            self._handle()
            self.wfile.flush()
        except (socket.timeout, TimeoutError):
            self.close_connection = True
        except (ConnectionError, OSError):
            self.close_connection = True


class FaultProxy:
    """A fault-injecting proxy on 127.0.0.1 in front of `upstream_url`.

    FaultProxy(upstream_url, rate=0.25, seed=None, kinds=None, ops=None,
               max_consecutive=3, variants=None, slow_seconds=5.0,
               enabled=True, port=0, upstream_timeout=60.0, verbose=False)

    kinds: list/set of KINDS (equal weights) or dict kind -> weight;
           default DEFAULT_KINDS (all but 'slow').
    ops:   operation names to fault (None: all; 'writes': WRITE_OPS).
    variants: dict kind -> allowed variants (see VARIANTS), e.g.
           {"throttle": ["ThrottlingException"], "drop_after": ["close"]}.

    Use as a context manager (or start()/close()). Attributes and methods:
      url            'http://127.0.0.1:PORT'
      port
      stats          a snapshot (dict, see below)
      events         list of Event(seq, op, kind, variant, detail), kind None
                     for a request forwarded untouched
      faults()       [(op, kind), ...] of the faulted requests, in order
      set_rate(r), set_kinds(k), set_ops(o), enable(), disable(),
      configure(**settings), config(),
      inject(kind, count=1, variant=None, op=None),
      present_size(table, size_bytes, item_count, indexes=None),
      reset_stats()

    stats: {"requests": all DynamoDB requests seen,
            "forwarded": requests that reached the upstream (incl. drop_after,
                         the partial BatchWriteItems and slow ones),
            "passed": requests forwarded untouched (capped ones included),
            "capped": faults suppressed by max_consecutive,
            "faults": {kind: count} for every kind in KINDS,
            "variants": {variant: count},
            "unprocessed_items": write requests held back in total,
            "upstream_errors": failures talking to the upstream (answered 502),
            "connections": client connections accepted,
            "upstream_connections": connections opened to the upstream,
            "ops": {op: {"requests": n, "passed": n, kind: n, ...}}}
    """

    def __init__(self, upstream_url, rate=0.25, seed=None, kinds=None, ops=None,
                 max_consecutive=3, variants=None, slow_seconds=5.0,
                 enabled=True, port=0, upstream_timeout=60.0, verbose=False):
        self.upstream_url = upstream_url
        self._up = _Upstream(upstream_url, upstream_timeout,
                             lambda: self._count("upstream_connections"))
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self.seed = seed
        self.verbose = verbose
        self.slow_seconds = float(slow_seconds)
        self._rate = self._check_rate(rate)
        self._kinds = _norm_kinds(kinds)
        self._ops = _norm_ops(ops)
        self._variants = _norm_variants(variants)
        self._max_consecutive = int(max_consecutive)
        self._enabled = bool(enabled)
        self._injected = collections.deque()
        self._streak = {}
        self._keys = {}  # table -> [key attribute names]
        self._sizes = {}  # table -> (TableSizeBytes, ItemCount, {index: (bytes, items)})
        self._new_stats()
        self._server = _Server(("127.0.0.1", port), _Handler, self)
        self.port = self._server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self._thread = None

    # -- life cycle -------------------------------------------------------

    def start(self):
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever,
                                            args=(0.05,), name="faultproxy",
                                            daemon=True)
            self._thread.start()
        return self

    def close(self):
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        # End kept-alive client connections so their threads finish.
        with self._server.sock_lock:
            socks = list(self._server.open_sockets)
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        self._up.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    # -- settings ---------------------------------------------------------

    @staticmethod
    def _check_rate(rate):
        rate = float(rate)
        if not 0.0 <= rate <= 1.0:
            raise ValueError("faultproxy: rate must be in [0, 1], not %r" % rate)
        return rate

    def set_rate(self, rate):
        rate = self._check_rate(rate)
        with self._lock:
            self._rate = rate

    def set_kinds(self, kinds):
        kinds = _norm_kinds(kinds)
        with self._lock:
            self._kinds = kinds

    def set_ops(self, ops):
        ops = _norm_ops(ops)
        with self._lock:
            self._ops = ops

    def set_variants(self, variants):
        variants = _norm_variants(variants)
        with self._lock:
            self._variants = variants

    def set_max_consecutive(self, n):
        with self._lock:
            self._max_consecutive = int(n)

    def enable(self):
        with self._lock:
            self._enabled = True

    def disable(self):
        """Forward everything untouched (injected faults wait) until
        enable()."""
        with self._lock:
            self._enabled = False

    def configure(self, rate=None, kinds=None, ops=False, variants=None,
                  max_consecutive=None, enabled=None, slow_seconds=None,
                  reset_stats=False):
        """Change several settings at once (ops=None means all operations,
        so 'not given' is ops=False)."""
        if rate is not None:
            self.set_rate(rate)
        if kinds is not None:
            self.set_kinds(kinds)
        if ops is not False:
            self.set_ops(ops)
        if variants is not None:
            self.set_variants(variants)
        if max_consecutive is not None:
            self.set_max_consecutive(max_consecutive)
        if slow_seconds is not None:
            self.slow_seconds = float(slow_seconds)
        if enabled is not None:
            (self.enable if enabled else self.disable)()
        if reset_stats:
            self.reset_stats()

    def config(self):
        with self._lock:
            return {"upstream": self.upstream_url, "rate": self._rate,
                    "seed": self.seed, "kinds": dict(self._kinds),
                    "ops": sorted(self._ops) if self._ops is not None else None,
                    "variants": {k: list(v) for k, v in self._variants.items()},
                    "max_consecutive": self._max_consecutive,
                    "enabled": self._enabled,
                    "slow_seconds": self.slow_seconds}

    def probabilities(self, op="BatchWriteItem"):
        """The probability of each kind for one eligible request of `op`
        (ignoring the cap and injected faults)."""
        with self._lock:
            kinds = self._applicable(op, 25)
            total = sum(kinds.values())
            return {k: (self._rate * w / total if total else 0.0)
                    for k, w in kinds.items()}

    def inject(self, kind, count=1, variant=None, op=None):
        """Fault the next `count` eligible requests (enabled, op in ops, the
        kind applicable to them; of operation `op` only if given) with
        `kind`, whatever the rate and `kinds`; `variant` picks one of
        VARIANTS[kind] (default: random among the allowed ones)."""
        if kind not in KINDS:
            raise ValueError("faultproxy: unknown fault kind %r" % kind)
        if variant is not None and variant not in VARIANTS[kind]:
            raise ValueError("faultproxy: unknown variant %r of %r"
                             % (variant, kind))
        with self._lock:
            for _ in range(count):
                self._injected.append((kind, variant, op))

    # -- results ----------------------------------------------------------

    def _new_stats(self):
        self._stats = {"requests": 0, "forwarded": 0, "passed": 0, "capped": 0,
                       "faults": {k: 0 for k in KINDS}, "variants": {},
                       "unprocessed_items": 0, "upstream_errors": 0,
                       "connections": 0, "upstream_connections": 0, "ops": {}}
        self._events = []

    def present_size(self, table, size_bytes, item_count, indexes=None):
        """DescribeTable answers for `table` report this TableSizeBytes and
        ItemCount (and, for the indexes named in `indexes`, {name: (bytes,
        items)}, their IndexSizeBytes and ItemCount) instead of the
        server's: a large table, or a known size on a server that reports
        none, without the items. None forgets the table."""
        with self._lock:
            if size_bytes is None:
                self._sizes.pop(table, None)
            else:
                self._sizes[table] = (int(size_bytes), int(item_count), dict(indexes or {}))

    def _resized(self, body, data):
        """The DescribeTable answer `data` with the size presented for its
        table, or None when none is."""
        try:
            table = json.loads(body).get("TableName")
            with self._lock:
                size = self._sizes.get(table)
            if size is None:
                return None
            doc = json.loads(data)
        except (ValueError, AttributeError):
            return None
        t = doc.get("Table") or {}
        t["TableSizeBytes"], t["ItemCount"] = size[0], size[1]
        for x in (t.get("GlobalSecondaryIndexes") or []) + (t.get("LocalSecondaryIndexes") or []):
            if x.get("IndexName") in size[2]:
                x["IndexSizeBytes"], x["ItemCount"] = size[2][x["IndexName"]]
        return doc

    def reset_stats(self):
        """Zero the counters and clear the event log (the random stream,
        the cap's memory and injected faults are kept)."""
        with self._lock:
            self._new_stats()

    @property
    def stats(self):
        with self._lock:
            return copy.deepcopy(self._stats)

    @property
    def events(self):
        with self._lock:
            return list(self._events)

    def faults(self):
        return [(e.op, e.kind) for e in self.events if e.kind is not None]

    # -- the decision (one lock, one random stream) ------------------------

    def _applicable(self, op, nwrites, everything=False):
        kinds = {k: 1.0 for k in KINDS} if everything else dict(self._kinds)
        if "unprocessed" in kinds and not (op == "BatchWriteItem"
                                           and 2 <= nwrites <= 25):
            del kinds["unprocessed"]
        return kinds

    @staticmethod
    def _batch_size(body):
        try:
            doc = json.loads(body)
            items = doc["RequestItems"]
            n = 0
            for reqs in items.values():
                for r in reqs:
                    if not (isinstance(r, dict) and len(r) == 1 and
                            ("PutRequest" in r or "DeleteRequest" in r)):
                        return 0
                    n += 1
            return n
        except (ValueError, KeyError, TypeError, AttributeError):
            return 0

    def _may_split(self):
        """Could a BatchWriteItem get the 'unprocessed' fault now?"""
        with self._lock:
            return (self._enabled and
                    (self._ops is None or "BatchWriteItem" in self._ops) and
                    ("unprocessed" in self._kinds and self._rate > 0 or
                     any(k == "unprocessed" for k, _, _ in self._injected)))

    def _splittable(self, body, headers):
        """The number of write requests of a BatchWriteItem body that may be
        split (2 to 25 of them, no two for the same key), else 0."""
        n = self._batch_size(body)
        if not 2 <= n <= 25:
            return 0
        if self._has_duplicate_keys(json.loads(body)["RequestItems"], headers):
            return 0
        return n

    def _decide(self, op, body, dynamo=True, nwrites=0):
        """Choose what to do with one request: (kind or None, variant, seq).
        nwrites: for a BatchWriteItem, its number of write requests if it
        may be split (see _splittable), else 0."""
        digest = hashlib.sha256(op.encode() + b"\0" + body).digest()
        with self._lock:
            st = self._stats
            st["requests"] += 1
            per = st["ops"].setdefault(op, {"requests": 0, "passed": 0})
            per["requests"] += 1
            seq = st["requests"]
            kind = variant = detail = None
            eligible = (self._enabled and dynamo and
                        (self._ops is None or op in self._ops))
            if eligible:
                kinds = self._applicable(op, nwrites)
                # Always one draw per eligible request, so that a setting
                # like the cap does not shift the stream for later requests.
                r = self._rng.random()
                forced = None
                for entry in self._injected:
                    k, v, only = entry
                    if only is not None and only != op:
                        continue
                    if k == "unprocessed" and "unprocessed" not in \
                            self._applicable(op, nwrites, everything=True):
                        continue
                    forced = entry
                    break
                if forced is not None:
                    kind, variant = forced[0], forced[1]
                elif kinds and r < self._rate:
                    kind = self._weighted(kinds)
                if kind is not None:
                    if self._streak.get(digest, 0) >= self._max_consecutive:
                        st["capped"] += 1
                        detail = "capped"
                        kind = variant = None
                    else:
                        if forced is not None:
                            self._injected.remove(forced)
                        if variant is None:
                            variant = self._rng.choice(self._variants[kind])
            if kind is None:
                self._streak.pop(digest, None)
                st["passed"] += 1
                per["passed"] += 1
            else:
                self._streak[digest] = self._streak.get(digest, 0) + 1
                st["faults"][kind] += 1
                per[kind] = per.get(kind, 0) + 1
                st["variants"][variant] = st["variants"].get(variant, 0) + 1
            self._events.append(Event(seq, op, kind, variant, detail))
            return kind, variant, seq

    def _weighted(self, kinds):
        names = [k for k in KINDS if k in kinds]  # fixed order: deterministic
        total = sum(kinds[k] for k in names)
        x = self._rng.random() * total
        for k in names:
            x -= kinds[k]
            if x < 0:
                return k
        return names[-1]

    def _choose_subset(self, n):
        with self._lock:
            k = self._rng.randint(1, n - 1)
            return set(self._rng.sample(range(n), k))

    def _set_detail(self, seq, detail):
        with self._lock:
            for i in range(len(self._events) - 1, -1, -1):
                if self._events[i].seq == seq:
                    self._events[i] = self._events[i]._replace(detail=detail)
                    break

    def _count(self, name, n=1):
        with self._lock:
            self._stats[name] += n

    def _record_forward(self):
        with self._lock:
            self._stats["forwarded"] += 1

    def _record_unprocessed(self, n):
        with self._lock:
            self._stats["unprocessed_items"] += n

    def _record_upstream_error(self, seq, e):
        with self._lock:
            self._stats["upstream_errors"] += 1
        self._set_detail(seq, "upstream error: %s: %s" % (type(e).__name__, e))

    # -- key schemas, for the duplicate check of 'unprocessed' ---------------

    def _key_names(self, table, headers):
        with self._lock:
            if table in self._keys:
                return self._keys[table]
        h = [(k, v) for k, v in headers if k.lower() != "x-amz-target"]
        h.append(("X-Amz-Target", "DynamoDB_20120810.DescribeTable"))
        names = None
        try:
            status, _, data = self._up.request(
                "POST", "/", dict(h),
                json.dumps({"TableName": table}).encode("utf-8"))
            if status == 200:
                names = [k["AttributeName"]
                         for k in json.loads(data)["Table"]["KeySchema"]]
        except (OSError, http.client.HTTPException, ValueError, KeyError):
            names = None
        if names is not None:
            with self._lock:
                self._keys[table] = names
        return names

    def _has_duplicate_keys(self, request_items, headers):
        """True if two write requests of a table address the same key (or
        the key schema is unknown: then the batch is not split). Key schemas
        come from DescribeTable and are cached for the proxy's lifetime."""
        for table, reqs in request_items.items():
            names = self._key_names(table, headers)
            if names is None:
                return True
            seen = set()
            for r in reqs:
                if "PutRequest" in r:
                    src = r["PutRequest"].get("Item", {})
                else:
                    src = r["DeleteRequest"].get("Key", {})
                key = json.dumps([src.get(n) for n in names], sort_keys=True)
                if key in seen:
                    return True
                seen.add(key)
        return False


# -- command line -----------------------------------------------------------

def _parse_kinds(text):
    """'500,throttle' or '500=1,throttle=3'."""
    if not text:
        return None
    if "=" in text:
        out = {}
        for part in text.split(","):
            k, _, w = part.partition("=")
            out[k.strip()] = float(w or 1)
        return out
    return [k.strip() for k in text.split(",") if k.strip()]


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Fault-injecting proxy for a local DynamoDB server; "
                    "prints its port, serves until SIGTERM/SIGINT.")
    ap.add_argument("--upstream", required=True,
                    help="the server, e.g. http://127.0.0.1:8000")
    ap.add_argument("--rate", type=float, default=0.25,
                    help="probability that an eligible request is faulted")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--kinds", default=None,
                    help="comma-separated kinds, optionally kind=weight "
                         "(%s; default all but slow)" % ",".join(KINDS))
    ap.add_argument("--ops", default=None,
                    help="'writes' or comma-separated operations (default all)")
    ap.add_argument("--max-consecutive", type=int, default=3)
    ap.add_argument("--slow-seconds", type=float, default=5.0)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--disabled", action="store_true",
                    help="start transparent (enable via /__faultproxy/config)")
    ap.add_argument("--stats-file", default=None,
                    help="write the final stats here as JSON on exit")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    try:
        proxy = FaultProxy(args.upstream, rate=args.rate, seed=args.seed,
                           kinds=_parse_kinds(args.kinds), ops=args.ops,
                           max_consecutive=args.max_consecutive,
                           slow_seconds=args.slow_seconds,
                           enabled=not args.disabled, port=args.port,
                           verbose=args.verbose)
    except (ValueError, OSError) as e:
        sys.stderr.write("faultproxy: %s\n" % e)
        return 2
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *a: stop.set())
    with proxy:
        sys.stdout.write("%d\n" % proxy.port)
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
        stats = proxy.stats
    text = json.dumps(stats, sort_keys=True)
    if args.stats_file:
        with open(args.stats_file, "w") as f:
            f.write(text + "\n")
    sys.stderr.write("faultproxy: %s\n" % text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
