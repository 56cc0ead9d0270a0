"""What every family of `make bench` shares (bench/run.py runs them):
paths and constants, the data, the clocks (wall and this process's or a
child's CPU), the boto3 peer and the AWS CLI, the extension and its
dynamo_stats, the capacity meter for the proxy pass, and the numbers'
text in the report. The state of one run, `Bench`, is at the end: setup
(server, environment, tables, data), the results every family records
into, and the scenario families' per-scenario helpers found by key.
"""

import concurrent.futures
import datetime
import glob
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import uuid as uuidlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TESTS = os.path.join(ROOT, "tests")
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)
import ddbclient  # noqa: E402

BUILD = os.path.join(ROOT, "build")
SO = os.path.join(ROOT, "dynamo.so")
FLOOR_BIN = os.path.join(BUILD, "cjson_floor")
REGION = "us-east-1"
SHELL_LOAD = ".load %s\n" % os.path.splitext(SO)[0]   # the sqlite3 shell's first line

# The Tracks columns, as sql/schema.sql declares them.
COLUMNS = ["uuid", "timestamp", "latitude", "longitude", "accuracy", "heading",
           "speed", "altitude", "altitude_accuracy", "manufacturer", "model",
           "platform", "version", "cordova"]
COLDEFS = ("uuid TEXT, timestamp TEXT, latitude N, longitude N, accuracy N, "
           "heading N, speed N, altitude N, altitude_accuracy N, manufacturer S, "
           "model S, platform S, version S, cordova S")

READ_OPS = {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}
WRITE_OPS = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
             "TransactWriteItems"}


def log(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.stderr.flush()


# -- data ----------------------------------------------------------------

DEVICES = [("Apple", "iPhone8,4", "iOS", "11.2.1"),
           ("Apple", "iPhone10,6", "iOS", "11.4.1"),
           ("Google", "Pixel 3", "Android", "9"),
           ("samsung", "SM-G960F", "Android", "8.0.0")]


def track_items(n_uuid, n_per, seed):
    """GPS fixes like sql/sampleItem.json: every attribute present, latitude
    and longitude as the shortest text of a double, timestamps increasing
    (5 to 60 s apart) per device. Plain Python values."""
    rnd = random.Random(seed)
    out = []
    for u in range(n_uuid):
        uid = str(uuidlib.UUID(int=rnd.getrandbits(128), version=4))
        man, model, plat, ver = DEVICES[u % len(DEVICES)]
        lat, lon = rnd.uniform(47.55, 47.70), rnd.uniform(-122.40, -122.10)
        t = datetime.datetime(2017, 12, 1) + datetime.timedelta(
            seconds=rnd.randrange(86400))
        for _ in range(n_per):
            t += datetime.timedelta(seconds=rnd.uniform(5, 60))
            lat += rnd.uniform(-2e-4, 2e-4)
            lon += rnd.uniform(-2e-4, 2e-4)
            out.append({
                "uuid": uid,
                "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.")
                             + "%03dZ" % (t.microsecond // 1000),
                "latitude": lat, "longitude": lon,
                "accuracy": rnd.choice([5, 8, 10, 65]),
                "heading": round(rnd.uniform(0, 360), 2),
                "speed": round(rnd.uniform(0, 40), 2),
                "altitude": round(rnd.uniform(0, 150), 1),
                "altitude_accuracy": rnd.choice([3, 4, 6, 10]),
                "manufacturer": man, "model": model, "platform": plat,
                "version": ver, "cordova": "4.5.4",
            })
    return out


def wide_items(n, seed, pad=1000):
    """Items of about 1 KB (a `pad` string attribute) for the memory run."""
    rnd = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    base = "".join(rnd.choice(letters) for _ in range(4096))
    out = []
    for i in range(n):
        off = rnd.randrange(4096 - pad)
        out.append({"uuid": "w%03d" % (i % 100), "timestamp": "%08d" % i,
                    "pad": base[off:off + pad]})
    return out


def load(url, table, items, threads=4):
    """BatchWriteItem through ddbclient, several connections at once."""
    marshalled = [ddbclient.marshal_item(i) for i in items]
    chunks = [marshalled[i::threads] for i in range(threads)]

    def put(chunk):
        c = ddbclient.Client(url, REGION, "bench", "bench", timeout=120)
        try:
            c.batch_put(table, chunk, timeout=600)
        finally:
            c.close()
    with concurrent.futures.ThreadPoolExecutor(threads) as ex:
        for f in [ex.submit(put, ch) for ch in chunks]:
            f.result()


def capture_scan(url, payload):
    """The raw bodies of every page of a Scan (following LastEvaluatedKey),
    of every segment when the request names TotalSegments."""
    c = ddbclient.Client(url, REGION, "bench", "bench", timeout=120)
    pages = []
    payload = dict(payload)
    payload.pop("ExclusiveStartKey", None)
    total = payload.get("TotalSegments")
    try:
        for seg in range(total) if total else [None]:
            if seg is not None:
                payload["Segment"] = seg
            payload.pop("ExclusiveStartKey", None)
            while True:
                status, data = c.raw("Scan", payload)
                if status != 200:
                    raise RuntimeError("Scan answered %d: %s" % (status, data[:300]))
                pages.append(data)
                last = json.loads(data).get("LastEvaluatedKey")
                if not last:
                    break
                payload["ExclusiveStartKey"] = last
        return pages
    finally:
        c.close()


# -- measuring -----------------------------------------------------------

def timed(fn):
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    c1, w1 = time.process_time(), time.perf_counter()
    return w1 - w0, c1 - c0, out


def run_process(argv, env, input=None):
    """A whole child process: (wall, user+sys CPU, stdout)."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    w0 = time.perf_counter()
    p = subprocess.run(argv, input=input, capture_output=True, text=True, env=env)
    w1 = time.perf_counter()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(argv[:3]), p.returncode,
                                                   p.stderr.strip()[-800:]))
    cpu = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
    return w1 - w0, cpu, p.stdout


def median(xs):
    return statistics.median(xs) if xs else None


class Peer:
    """bench/peer_boto3.py in boto3's Python, talking JSON lines."""

    def __init__(self, python, env):
        self.proc = subprocess.Popen([python, os.path.join(HERE, "peer_boto3.py")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, env=env)
        self.info = {}

    def call(self, **cmd):
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("boto3 peer exited (status %s)" % self.proc.poll())
        out = json.loads(line)
        if "error" in out:
            raise RuntimeError("boto3 peer: %s" % out["error"])
        return out

    def init(self, name, endpoint):
        self.info = self.call(op="init", name=name, endpoint=endpoint, region=REGION)

    def run(self, name, scenario, args):
        return self.call(op="run", name=name, scenario=scenario, args=args)

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


# -- finding the peers ---------------------------------------------------

def find_boto3_python():
    cands = [os.environ.get("BENCH_BOTO3_PYTHON")]
    if shutil.which("pyenv"):
        try:
            cands.append(subprocess.run(["pyenv", "which", "python3"], capture_output=True,
                                        text=True, timeout=20).stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    cands += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/*/bin/python3")),
                    reverse=True)
    cands += [shutil.which("python3"), "/usr/bin/python3"]
    seen = set()
    for c in cands:
        if not c or c in seen or not os.path.exists(c):
            continue
        seen.add(c)
        try:
            if subprocess.run([c, "-c", "import boto3"], capture_output=True,
                              timeout=60).returncode == 0:
                return c
        except (OSError, subprocess.SubprocessError):
            continue
    return None


def find_aws_cli():
    """The aws executable itself: a pyenv shim adds a bash + pyenv exec to
    every call, which is not the CLI's cost, so it is resolved."""
    aws = os.environ.get("BENCH_AWS") or shutil.which("aws")
    if not aws:
        return None, None
    if "/shims/" in aws and shutil.which("pyenv"):
        try:
            real = subprocess.run(["pyenv", "which", "aws"], capture_output=True,
                                  text=True, timeout=20).stdout.strip()
            if real and os.path.exists(real):
                aws = real
        except (OSError, subprocess.SubprocessError):
            pass
    try:
        p = subprocess.run([aws, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None, None
    if p.returncode != 0:
        return None, None
    return aws, (p.stdout + p.stderr).strip()


# -- the extension ---------------------------------------------------------

def ext_connect():
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(SO)
    db.enable_load_extension(False)
    return db


def ext_vtab(db, name, table, endpoint, coldefs=COLDEFS):
    db.execute("CREATE VIRTUAL TABLE %s USING dynamo(table=%s, endpoint='%s', "
               "region=%s, %s)" % (name, table, endpoint, REGION, coldefs))


def ext_connect_file(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(SO)
    return db


# -- the extension's dynamo_stats -----------------------------------------------

def ext_stats_reset(db):
    db.execute("DELETE FROM dynamo_stats")


def ext_stats(db):
    """dynamo_stats summed over tables, DescribeTable left out (as in the
    proxy's request counts): {"ops": {op: requests}, "retries", "items",
    "scanned", "bytes", "capacity": {"RCU": .., "WCU": ..}}."""
    out = {"ops": {}, "retries": 0, "items": 0, "scanned": 0, "bytes": 0,
           "capacity": {"RCU": 0.0, "WCU": 0.0}}
    for op, req, retr, items, scanned, cap, nbytes in db.execute(
            "SELECT operation, requests, retries, items, scanned_items, capacity_units, "
            "bytes FROM dynamo_stats"):
        if op == "DescribeTable":
            continue
        out["ops"][op] = out["ops"].get(op, 0) + req
        out["retries"] += retr
        out["items"] += items
        out["scanned"] += scanned
        out["bytes"] += nbytes
        if op in READ_OPS:
            out["capacity"]["RCU"] += cap or 0.0
        elif op in WRITE_OPS:
            out["capacity"]["WCU"] += cap or 0.0
    return out


def units_text(u):
    return " ".join("%g %s" % (round(v, 6), k) for k, v in u.items() if v) or "0"


def stats_text(st):
    """'2 Scan, 186 RCU' (+ retries when there were any); the bytes apart."""
    ops = " + ".join("%d %s" % (n, op) for op, n in sorted(st["ops"].items())) or "0"
    txt = "%s, %s" % (ops, units_text(st["capacity"]))
    if st["retries"]:
        txt += ", %d retries" % st["retries"]
    return txt


def mb_text(n):
    return "%.2f MB" % (n / 1e6) if n >= 10000 else "%d B" % n


def stats_disagree(st, proxy):
    """Why dynamo_stats `st` and the proxy's counts `proxy` of the same run
    differ, or None."""
    why = []
    pops = {op: n for op, n in proxy["ops"].items() if op != "DescribeTable"}
    if pops != st["ops"]:
        why.append("requests: dynamo_stats %s, proxy %s" % (
            dict(sorted(st["ops"].items())), dict(sorted(pops.items()))))
    pc = proxy.get("capacity") or {}
    for k in ("RCU", "WCU"):
        a, b = st["capacity"].get(k, 0.0), pc.get(k, 0.0)
        if abs(a - b) > 1e-6 * max(1.0, abs(b)):
            why.append("%s: dynamo_stats %g, proxy %g" % (k, a, b))
    return "; ".join(why) or None


# -- the proxy pass, the data's size, the report's numbers ---------------------

class CapacityMeter:
    """Wraps faultproxy's upstream: adds ReturnConsumedCapacity TOTAL to the
    requests that take it and sums the ConsumedCapacity of the answers. The
    answer is passed on unchanged (with its own x-amz-crc32)."""

    def __init__(self, up):
        self.up = up
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.units = {"RCU": 0.0, "WCU": 0.0}

    def total(self):
        with self.lock:
            return dict(self.units)

    def request(self, method, path, headers, body):
        target = ""
        for k, v in headers:
            if k.lower() == "x-amz-target":
                target = v
        op = target.rsplit(".", 1)[-1]
        if op in READ_OPS or op in WRITE_OPS:
            try:
                doc = json.loads(body)
                if doc.get("ReturnConsumedCapacity", "NONE") == "NONE":
                    doc["ReturnConsumedCapacity"] = "TOTAL"
                    body = json.dumps(doc, separators=(",", ":")).encode("utf-8")
            except ValueError:
                pass
        status, rh, data = self.up.request(method, path, headers, body)
        if status == 200 and (op in READ_OPS or op in WRITE_OPS):
            try:
                cc = json.loads(data).get("ConsumedCapacity")
            except ValueError:
                cc = None
            if isinstance(cc, dict):
                cc = [cc]
            units = sum(float(x.get("CapacityUnits", 0)) for x in cc or [])
            with self.lock:
                self.units["RCU" if op in READ_OPS else "WCU"] += units
        return status, rh, data

    def close(self):
        self.up.close()


def ddb_item_size(item):
    """DynamoDB's item size: attribute names + values (numbers ~ digits/2+1)."""
    n = 0
    for k, v in item.items():
        n += len(k.encode())
        if isinstance(v, str):
            n += len(v.encode())
        else:
            digits = len(repr(v).replace("-", "").replace(".", "").lstrip("0"))
            n += (digits + 1) // 2 + 1
    return n


def sql_literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    return repr(v)


def ms(x):
    if x is None:
        return "-"
    x *= 1000
    return "%.2f" % x if x < 10 else "%.1f" % x if x < 100 else "%.0f" % x


def ratio(peer, ext):
    if peer is None or not ext:
        return "-"
    r = peer / ext
    return "%.2fx" % r if r < 10 else "%.1fx" % r if r < 100 else "%.0fx" % r


def req_text(c):
    if not c:
        return "-"
    if c.get("computed"):
        return "%d*" % c["requests"]
    ops = {k: v for k, v in c["ops"].items() if k != "DescribeTable"}
    if len(ops) == 1:
        (op, n), = ops.items()
        return "%d %s" % (n, op)
    return " + ".join("%d %s" % (n, op) for op, n in sorted(ops.items())) or "0"


def conn_text(c):
    if not c or c.get("connections") is None:
        return "-"
    return str(c["connections"])


def cap_text(cnt):
    vals = []
    for w in ("ext", "boto3", "cli"):
        c = cnt.get(w)
        if c and c.get("capacity"):
            u = c["capacity"]
            vals.append(" ".join("%g %s" % (v, k) for k, v in u.items() if v) or "0")
        else:
            vals.append("-")
    if len(set(v for v in vals if v != "-")) == 1:
        return next(v for v in vals if v != "-") + " (each)"
    return " / ".join(vals)


def md_table(head, rows):
    widths = [max(len(str(r[i])) for r in [head] + rows) for i in range(len(head))]
    right = [i > 0 for i in range(len(head))]

    def line(cells):
        return "| " + " | ".join(
            (str(c).rjust(w) if r else str(c).ljust(w))
            for c, w, r in zip(cells, widths, right)) + " |"
    sep = "|" + "|".join(("-" * (w + 1) + ":") if r else ("-" * (w + 2))
                         for w, r in zip(widths, right)) + "|"
    return "\n".join([line(head), sep] + [line(r) for r in rows])




def verdict(ok):
    return "met" if ok else "NOT met"


def times(num, den, fmt="%.1fx"):
    """num / den as a target line prints it, '-' without both."""
    return fmt % (num / den) if num is not None and den else "-"


# -- one run ------------------------------------------------------------------

class Bench:
    """The state of one `make bench` run, handed to every family as `b`.

    families: the families that run (bench/run.py's list, maybe a subset);
    registry: every family, so that a scenario's helpers are found by its
    key even when its family does not run (the boto3 warm-up uses (c)'s).
    """

    def __init__(self, args, families, registry):
        self.args = args
        self.families = families
        self.registry = registry
        self.state = os.path.join(BUILD, "bench-state")
        self.url = None
        self.peer = None
        self.boto3_py = None
        self.aws = self.aws_version = None
        self.sqlite3 = None
        self.shell_db = None
        self.debug = None     # dynamo_debug(), for the versions
        self.load_before = self.load_after = None   # os.getloadavg()
        self.results = {}     # scenario -> client -> {"wall": [...], "cpu": [...]}
        self.counts = {}      # scenario -> client -> {"requests":.., "ops":.., ...}
        self.notes = []
        self.checks = []
        self.ext_stats = {}   # scenario -> [dynamo_stats summary of each timed run]
        self.proc_detail = {}  # scenario -> [boto3_oneshot.py's own line per run]
        self.stats_warnings = []
        self.seg = None       # parallel Scan runs (wl_parallel)
        self.floor_result = None  # build/cjson_floor's answer (wl_floor)
        self.native_result = None  # SQLite over a native table (wl_floor)
        self.mem = None       # peak RSS growth (wl_memory)
        self.wide = None      # the wide-area workloads (wl_wide)
        self.filt = None      # (f) with and without a filter (wl_filter)

    # -- setup ---------------------------------------------------------------

    def env(self):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("AWS_") and k != "DYNAMO_TRACE"}
        empty = os.path.join(self.state, "aws-empty")
        env.update({
            "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": empty, "AWS_SHARED_CREDENTIALS_FILE": empty,
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": "",
        })
        return env

    def start_server(self):
        server_py = os.path.join(TESTS, "server.py")
        if os.path.exists(os.path.join(self.state, "pid")):
            subprocess.run([sys.executable, server_py, "stop", "--state", self.state])
        os.makedirs(self.state, exist_ok=True)
        open(os.path.join(self.state, "aws-empty"), "w").close()
        p = subprocess.run([sys.executable, server_py, "start", "--server",
                            "dynamodb-local", "--state", self.state],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError("could not start DynamoDB Local:\n" + p.stderr)
        self.url = "http://127.0.0.1:%d" % int(p.stdout.strip())
        log("DynamoDB Local on %s" % self.url)

    def stop_server(self):
        subprocess.run([sys.executable, os.path.join(TESTS, "server.py"), "stop",
                        "--state", self.state], capture_output=True)

    def client(self):
        return ddbclient.Client(self.url, REGION, "bench", "bench", timeout=120)

    def create_table(self, name, hash=("uuid", "S"), range=("timestamp", "S")):
        c = self.client()
        try:
            c.create_table(name, hash=hash, range=range)
        finally:
            c.close()

    def delete_table(self, name):
        c = self.client()
        try:
            c.delete_table(name, wait=False)
        finally:
            c.close()

    def count_items(self, name):
        c = self.client()
        try:
            return c.count(name)
        finally:
            c.close()

    def make_data(self):
        a = self.args
        t0 = time.monotonic()
        self.small = min(800, a.wide)   # ~1 KB items: one 1 MB page
        self.tracks = track_items(a.uuids, a.per_uuid, seed=1)
        self.create_table("Tracks")
        load(self.url, "Tracks", self.tracks)
        self.n_tracks = len(self.tracks)
        self.speed_sum = sum(i["speed"] for i in self.tracks)
        by_uuid = {}
        for it in self.tracks:
            by_uuid.setdefault(it["uuid"], []).append(it["timestamp"])
        self.uuids = list(by_uuid)
        # (b): the middle 500 fixes of the first device
        ts = sorted(by_uuid[self.uuids[0]])
        lo = min(150, max(0, len(ts) - a.range_rows))
        self.range_args = (self.uuids[0], ts[lo], ts[lo + a.range_rows - 1])
        # (c): the newest 10 of the second device
        self.top_uuid = self.uuids[1 % len(self.uuids)]
        self.top_first = max(by_uuid[self.top_uuid])
        # (d): 200 keys at random
        rnd = random.Random(4)
        self.keys = [(i["uuid"], i["timestamp"])
                     for i in rnd.sample(self.tracks, a.lookups)]
        # (e): 2,000 new fixes of other devices
        self.bulk = track_items(4, a.bulk // 4, seed=2)
        self.bulk_rows = [tuple(it[c] for c in COLUMNS) for it in self.bulk]
        self.bulk_ddb = [ddbclient.marshal_item(i) for i in self.bulk]
        # memory: ~1 KB items, many pages and one page
        self.create_table("Wide")
        load(self.url, "Wide", wide_items(a.wide, seed=3))
        self.create_table("WideSmall")
        load(self.url, "WideSmall", wide_items(self.small, seed=5))
        sample = self.tracks[:500]
        self.item_json_bytes = sum(len(json.dumps(ddbclient.marshal_item(x),
                                                  separators=(",", ":")))
                                   for x in sample) / len(sample)
        self.item_size = sum(ddb_item_size(i) for i in sample) / len(sample)
        log("data: %d Tracks items (%.0f bytes each as DynamoDB computes size, "
            "%.0f as JSON), %d + %d wide items, in %.1f s"
            % (self.n_tracks, self.item_size, self.item_json_bytes, a.wide,
               self.small, time.monotonic() - t0))
        # Warm the server (its JIT) up.
        c = self.client()
        try:
            for _ in range(5):
                c.scan_all("Tracks")
        finally:
            c.close()

    # -- scenarios, found by key ------------------------------------------------

    def scenarios(self):
        """[(key, title, row label)] of the running families, in table order."""
        out = []
        for f in self.families:
            if hasattr(f, "scenarios"):
                out += f.scenarios(self)
        return out

    def family_of(self, key):
        for f in self.registry:
            if hasattr(f, "scenarios") and key in f.KEYS:
                return f
        raise KeyError(key)

    def ext_base(self, key):
        """The scenario whose extension numbers `key` shows ((d2) and (a2)
        compare other peers' ways with (d)'s and (a)'s)."""
        return getattr(self.family_of(key), "EXT_OF", {}).get(key, key)

    def boto3_args(self, key):
        """(bench/peer_boto3.py's scenario function, its arguments)"""
        return self.family_of(key).boto3_args(self, key)

    def aws_cli(self, endpoint, *args):
        """The argv of `aws dynamodb ARGS...` against `endpoint`."""
        return [self.aws, "dynamodb", *args, "--endpoint-url", endpoint, "--region", REGION,
                "--output", "json"]

    # boto3 as whole processes: bench/boto3_oneshot.py, one process per run,
    # the same scenario function and arguments as the long-lived peer.
    def boto3_proc_argv(self, key, table=None):
        """A scenario that writes into a fresh `table` has its (large)
        arguments passed in a file."""
        scen, args = self.boto3_args(key)
        argv = [self.boto3_py, os.path.join(HERE, "boto3_oneshot.py"), scen,
                "--endpoint", self.url, "--region", REGION]
        if table is not None:
            path = os.path.join(self.state, "boto3-%s.json" % key)
            if not os.path.exists(path):
                with open(path, "w") as f:
                    json.dump({k: v for k, v in args.items() if k != "table"}, f)
            return argv + ["--table", table, "--args-file", path]
        return argv + ["--args", json.dumps(args)]

    def run_boto3_proc(self, key, table=None):
        """One timed boto3 process: recorded as "boto3proc"; its own line
        (the check and the breakdown) is kept in self.proc_detail."""
        w, c, o = run_process(self.boto3_proc_argv(key, table), self.env())
        out = json.loads(o.strip().splitlines()[-1])
        self.record(key, "boto3proc", w, c)
        self.proc_detail.setdefault(key, []).append(out)
        return out

    # -- results ---------------------------------------------------------------

    def record(self, key, client, wall, cpu):
        r = self.results.setdefault(key, {}).setdefault(client, {"wall": [], "cpu": []})
        r["wall"].append(wall)
        r["cpu"].append(cpu)

    def check(self, key, client, got, want, rel=1e-9):
        ok = got is not None and len(got) == len(want) and all(
            (abs(g - w) <= rel * max(1.0, abs(w)) if isinstance(w, float) else g == w)
            for g, w in zip(got, want))
        if not ok:
            self.checks.append("%s/%s: got %r, expected %r" % (key, client, got, want))

    def median_of(self, key, who, what):
        """The median "wall" or "cpu" of a client in a scenario, or None."""
        r = self.results.get(key, {}).get(who)
        return median(r[what]) if r else None
