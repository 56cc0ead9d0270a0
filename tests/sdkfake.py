"""A scripted stand-in for DynamoDB on 127.0.0.1 for the tests of what the
AWS SDKs do around a request (tests/e2e/test_175_retries.py,
test_176_endpoints.py, test_177_interrupt.py): answers with the headers
DynamoDB sends (x-amz-crc32, right or deliberately wrong; x-amz-retry-after),
answers held back until the test lets them go, and a log of what happened
in the order it happened. Standard library only; the extension and botocore
(another process) can be pointed at the same fake.

    with SdkFake() as fs:
        fs.script("Scan", Answer(400, throttle()), Answer(200, {"Items": []}))
        fs.script("Scan", Answer(200, {...}, crc="bad"))
        fs.script("Scan", Answer(200, {...}, hold=True))   # until fs.release()
        ... endpoint fs.url ...
        fs.count("Scan")         -> requests received for Scan
        fs.wait_for("Scan", 3)   -> True once 3 have come (or False on timeout)
        fs.events                -> [(seq, kind, op), ...]: "request", "answer",
                                    "held", "gone" (the client hung up on a held
                                    answer), "released", "timer"
        fs.timer(name, seconds)  -> records ("timer", name) that long from now:
                                    an event the fake controls, to order others by
        fs.mark(name)            -> records ("mark", name): the test's own events
        fs.respond(op, fn)       -> fn(request body) gives the Answer to each
                                    request for op (None: the script's)

Each request takes the next scripted answer for its operation; with none
left it gets `default` for that operation (DescribeTable: an ACTIVE table
with keys uuid/timestamp; anything else: an empty 200 {}), so a script only
says what differs. Bodies that are dicts are sent as JSON.
"""

import http.server
import itertools
import json
import select
import threading
import zlib

from fakeserver import read_request


def describe(table="Fake", pk=("uuid", "S"), sk=("timestamp", "S")):
    keys = [{"AttributeName": pk[0], "KeyType": "HASH"}]
    defs = [{"AttributeName": pk[0], "AttributeType": pk[1]}]
    if sk:
        keys.append({"AttributeName": sk[0], "KeyType": "RANGE"})
        defs.append({"AttributeName": sk[0], "AttributeType": sk[1]})
    return {"Table": {"TableName": table, "KeySchema": keys, "AttributeDefinitions": defs,
                      "TableStatus": "ACTIVE", "ItemCount": 0}}


def error(code, message="fake", status=400, **extra):
    """An error body as DynamoDB sends it."""
    return dict({"__type": "com.amazonaws.dynamodb.v20120810#" + code, "message": message},
                **extra)


class Answer:
    """status, body (dict or bytes), headers; crc: "good" (x-amz-crc32 of the
    body), "bad" (a wrong one), None (no header); hold: keep it until
    release() (or the client hangs up)."""

    def __init__(self, status=200, body=None, headers=None, crc="good", hold=False):
        self.status = status
        self.body = {} if body is None else body
        self.headers = dict(headers or {})
        self.crc = crc
        self.hold = hold

    def data(self):
        return self.body if isinstance(self.body, bytes) else json.dumps(self.body).encode()


class SdkFake:
    def __init__(self):
        self.requests = []           # (op, headers dict, body)
        self.events = []             # (seq, kind, op)
        self.default = {"DescribeTable": Answer(200, describe())}
        self._scripts = {}
        self._responders = {}
        self._seq = itertools.count(1)
        self._lock = threading.Condition()
        self._released = threading.Event()
        self._timers = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                op, headers, body = read_request(self)
                with outer._lock:
                    outer.requests.append((op, headers, body))
                    outer._event("request", op)
                    fn = outer._responders.get(op)
                    answer = fn(body) if fn else None
                    queue = outer._scripts.get(op, [])
                    if answer is None:
                        answer = queue.pop(0) if queue else outer.default.get(op, Answer(200, {}))
                if answer.hold:
                    outer._event("held", op)
                    while not outer._released.wait(0.02):
                        # a client that hangs up makes the socket readable at EOF
                        r, _, _ = select.select([self.connection], [], [], 0)
                        if r and not self.connection.recv(1, 0x2):  # MSG_PEEK
                            outer._event("gone", op)
                            self.close_connection = True
                            return
                data = answer.data()
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("Content-Length", str(len(data)))
                crc = zlib.crc32(data) & 0xffffffff
                if answer.crc == "good":
                    self.send_header("x-amz-crc32", str(crc))
                elif answer.crc == "bad":
                    self.send_header("x-amz-crc32", str(crc ^ 0x5a5a))
                for k, v in answer.headers.items():
                    self.send_header(k, v)
                try:
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    outer._event("gone", op)  # it hung up meanwhile
                    self.close_connection = True
                    return
                outer._event("answer", op)

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 64
            daemon_threads = True

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.02})  # a quick stop

    def _event(self, kind, op):
        with self._lock:
            self.events.append((next(self._seq), kind, op))
            self._lock.notify_all()

    def script(self, op, *answers):
        with self._lock:
            self._scripts.setdefault(op, []).extend(answers)

    def respond(self, op, fn):
        with self._lock:
            self._responders[op] = fn

    def mark(self, name):
        self._event("mark", name)

    def count(self, op):
        with self._lock:
            return sum(1 for o, _, _ in self.requests if o == op)

    def wait_for(self, op, n, timeout=30):
        with self._lock:
            return self._lock.wait_for(lambda: self.count(op) >= n, timeout)

    def wait_event(self, kind, op=None, timeout=30):
        with self._lock:
            return self._lock.wait_for(
                lambda: any(k == kind and (op is None or o == op) for _, k, o in self.events),
                timeout)

    def wait_events(self, kind, op, n, timeout=30):
        """True once n events of kind for op have happened."""
        with self._lock:
            return self._lock.wait_for(
                lambda: sum(1 for _, k, o in self.events if k == kind and o == op) >= n, timeout)

    def seq_of(self, kind, op=None):
        """The sequence number of the first such event, or None."""
        with self._lock:
            for s, k, o in self.events:
                if k == kind and (op is None or o == op):
                    return s
        return None

    def timer(self, name, seconds):
        t = threading.Timer(seconds, self._event, ("timer", name))
        t.daemon = True
        t.start()
        self._timers.append(t)

    def release(self):
        self._event("released", None)
        self._released.set()

    def reset(self):
        with self._lock:
            self.requests = []
            self.events = []
            self._scripts = {}
            self._responders = {}
            self._released.clear()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        for t in self._timers:
            t.cancel()
        self._released.set()
        self._httpd.shutdown()
        self._httpd.server_close()
