"""A scripted stand-in for DynamoDB on 127.0.0.1, for tests of what a real
server rarely does: empty pages that still carry LastEvaluatedKey,
throttling, 5xx, HTML error pages, bodies that are not JSON.

    with FakeServer() as fs:
        fs.script("Scan", (200, {"Items": [], "LastEvaluatedKey": {...}}),
                          (200, {"Items": [...]}))
        ... endpoint fs.url ...
        fs.requests  -> [(operation, headers, body dict or raw bytes), ...]
        fs.arrived   -> [time.monotonic() when each of them arrived, ...]

Each request takes the next scripted answer for its operation: (status,
body[, content type[, seconds to wait first]]); a body that is a dict is
sent as JSON, bytes as they are. An operation with no answer left gets a
400 ValidationException saying so. FakeServer(tls=(certfile, keyfile))
serves HTTPS instead. fs.hold(op, n) keeps every answer to op until n
requests for it have come (or `timeout` seconds have passed): a client that
sends them one after another waits out the timeout and shows it.
An answer whose wait is FakeServer.UNTIL_RELEASED is kept until
fs.release() (or 30 s); fs.answered lists the operations answered, in
order, so a test can show that the client gave up on an answer the fake
still held, without timing anything.
"""

import http.server
import json
import ssl
import threading
import time


def read_request(handler):
    """(operation, headers, body) of the request a BaseHTTPRequestHandler is
    serving: the body as a dict when it is JSON, else its bytes."""
    raw = handler.rfile.read(int(handler.headers.get("Content-Length", "0")))
    op = handler.headers.get("X-Amz-Target", "").split(".")[-1]
    try:
        body = json.loads(raw)
    except ValueError:
        body = raw
    return op, dict(handler.headers), body


class FakeServer:
    UNTIL_RELEASED = "until released"

    def __init__(self, tls=None):
        self.requests = []
        self.arrived = []  # time.monotonic() of each request's arrival
        self.answered = []
        self._released = threading.Event()
        self._scripts = {}
        self._holds = {}
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                op, headers, body = read_request(self)
                with outer._lock:
                    outer.requests.append((op, headers, body))
                    outer.arrived.append(time.monotonic())
                    outer._arrived.notify_all()
                    hold = outer._holds.get(op)
                    if hold:
                        outer._arrived.wait_for(lambda: outer.ops().count(op) >= hold[0], hold[1])
                    queue = outer._scripts.get(op, [])
                    answer = queue.pop(0) if queue else (
                        400, {"__type": "com.amazonaws.dynamodb.v20120810#ValidationException",
                              "message": "fakeserver: no answer scripted for " + op})
                status, payload = answer[0], answer[1]
                ctype = answer[2] if len(answer) > 2 and answer[2] else "application/x-amz-json-1.0"
                if len(answer) > 3 and answer[3] == FakeServer.UNTIL_RELEASED:
                    outer._released.wait(30)
                elif len(answer) > 3:
                    time.sleep(answer[3])
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                with outer._lock:
                    outer.answered.append(op)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    self.close_connection = True  # the client gave up meanwhile

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 64  # a client with 16 connections at once

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        scheme = "http"
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self._httpd.socket = ctx.wrap_socket(self._httpd.socket, server_side=True)
            scheme = "https"
        self.url = "%s://127.0.0.1:%d" % (scheme, self._httpd.server_address[1])
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def script(self, op, *answers):
        with self._lock:
            self._scripts.setdefault(op, []).extend(answers)

    def hold(self, op, n, timeout=30):
        with self._lock:
            self._holds[op] = (n, timeout)

    def release(self):
        """Send every answer kept with UNTIL_RELEASED, now and from now on."""
        self._released.set()

    def ops(self):
        return [op for op, h, b in self.requests]

    def rate_ceiling_broken(self, op, units, rate):
        """A client held to `rate` capacity units a second, starting with
        one second's worth, starts request k of op only once the units of
        the answers before it have refilled: (sum of units[:k] - rate) /
        rate seconds after the first. Return the first request that arrived
        earlier than that (less 0.25 s for the first request's own way
        here), as (k, seconds after the first, seconds owed), else None. A
        slow machine only spreads requests out: it cannot break this."""
        times = [t for (o, h, b), t in zip(self.requests, self.arrived) if o == op]
        for k in range(1, len(times)):
            owed = (sum(units[:k]) - rate) / rate
            if times[k] - times[0] < owed - 0.25:
                return (k, times[k] - times[0], owed)
        return None

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._released.set()
        self._httpd.shutdown()
        self._httpd.server_close()


def describe(table="Fake", pk=("uuid", "S"), sk=("timestamp", "S")):
    keys = [{"AttributeName": pk[0], "KeyType": "HASH"}]
    defs = [{"AttributeName": pk[0], "AttributeType": pk[1]}]
    if sk:
        keys.append({"AttributeName": sk[0], "KeyType": "RANGE"})
        defs.append({"AttributeName": sk[0], "AttributeType": sk[1]})
    return (200, {"Table": {"TableName": table, "KeySchema": keys,
                            "AttributeDefinitions": defs, "TableStatus": "ACTIVE",
                            "ItemCount": 0}})
