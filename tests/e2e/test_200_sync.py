"""dynamo_sync() against DynamoDB Local's own Streams (dynalite has none:
these tests skip there; test_201_sync_fake.py runs on both).

Writers run during the first load (a burst of puts, updates and deletes of
the same keys, every type, before each Scan request reaches the server) and
between syncs; after each sync the copy must equal a fresh full read
(synccheck.check_exact). A child process running dynamo_sync is killed with
SIGKILL at random moments (at the Nth request a proxy sees, or after a
random time) and the next sync must still be exact. A stream disabled and
enabled again makes the copy stale until a reload.

SYNC_KILLS (default 12) sets how many kills and SYNC_SEED (default 0) their
seeds; `make sync-kills KILLS=200 SEED=7` runs more."""

import json
import os
import random
import signal
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from harness import connect, ddb, defer, environ, eq, note, raises, server, skip, so_path, unique
from streamfake import StreamFake
import ddbclient
import synccheck as sc

STREAM = {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}}


def needs_streams():
    if server() != "dynamodb-local":
        skip("%s has no DynamoDB Streams (test_201_sync_fake.py covers dynamo_sync there)"
             % server())


def streamed_table(n, seed, view="NEW_AND_OLD_IMAGES"):
    name = unique("synclocal")
    ddb().create_table(name, hash=("pk", "S"), range=("sk", "N"),
                       StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    defer(ddb().delete_table, name)
    rnd = sc.seeded(seed)
    ddb().batch_put(name, [sc.item(rnd, k) for k in sc.keys(n)])
    return name, rnd


def test_create_makes_the_stream():
    needs_streams()
    name = unique("syncmade")
    c = connect()
    defer(c.close)
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, create=1, stream=new_image, "
              "k TEXT, PRIMARY KEY (k))" % name)
    defer(ddb().delete_table, name)
    t = ddb().describe_table(name)
    eq(t["StreamSpecification"], {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    assert t["LatestStreamArn"].startswith("arn:aws:dynamodb:"), t
    c.execute("INSERT INTO t VALUES ('a')")
    r = sc.sync(c, "t", "t_copy")
    eq((r["loaded"], r["put"]), (1, 1))  # the load, then its record again: the same item
    eq(c.execute("SELECT k, item, _key FROM t_copy").fetchall(),
       [("a", '{"k":{"S":"a"}}', '{"k":{"S":"a"}}')])


def test_writes_during_the_load_and_between_syncs():
    needs_streams()
    table, rnd = streamed_table(1000, 21)
    keys = sc.keys(1200)
    with StreamFake(os.environ["AWS_ENDPOINT_URL_DYNAMODB"]) as proxy:
        bursts = []

        def during_load(op, body):
            if op == "Scan":  # before each Scan page reaches the server
                sc.write_some(ddb(), table, rnd, keys, 60)
                bursts.append(op)
        proxy.before = during_load
        c = connect()
        defer(c.close)
        # four segments: four Scan requests, a burst of writes before each
        c.execute(sc.create_sql("src", table, ", segments=4, endpoint='%s'" % proxy.url))
        r = sc.sync(c, "src", "cp")
        proxy.before = None
        eq(len(bursts), 4)  # writes landed while the Scan ran
        n = sc.check_exact(c, "src", "cp", table)
        note("first sync: %d items loaded, %d records applied after, %d writes during the load"
             % (r["loaded"], r["put"] + r["removed"], 60 * len(bursts)))
        # writes between syncs
        for round_ in range(2):
            sc.write_some(ddb(), table, rnd, keys, 150)
            r = sc.sync(c, "src", "cp")
            eq(r["loaded"], 0)
            sc.check_exact(c, "src", "cp", table)
        # writers running during a sync: the next one catches up
        stop = threading.Event()
        wrote = []

        def writer():
            w = ddbclient.Client.from_env()
            wr = random.Random(5)
            while not stop.is_set():
                sc.write_some(w, table, wr, keys, 5)
                wrote.append(5)
        t = threading.Thread(target=writer)
        t.start()
        try:
            sc.sync(c, "src", "cp")
        finally:
            stop.set()
            t.join()
        sc.sync(c, "src", "cp")
        n = sc.check_exact(c, "src", "cp", table)
        # nothing new: no Scan, DescribeStream and two requests a shard
        proxy.reset()
        r = sc.sync(c, "src", "cp")
        ops = proxy.ops()
        shards = c.execute("SELECT count(*) FROM dynamo_copy_shards WHERE NOT finished").fetchone()[0]
        eq((r["put"], r["removed"], r["loaded"]), (0, 0, 0))
        eq(sorted(ops), sorted(["DescribeStream"] + ["GetShardIterator", "GetRecords"] * shards))
        note("%d items; %d writes while a sync ran; a sync with nothing new: %d requests"
             % (n, sum(wrote), len(ops)))


CHILD = r"""
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.enable_load_extension(True)
c.load_extension(sys.argv[2])
if sys.argv[3] == "sync":
    print(c.execute("SELECT dynamo_sync('src', 'cp')").fetchone()[0], flush=True)
"""


def test_killed_anywhere_the_next_sync_is_exact():
    needs_streams()
    kills = int(os.environ.get("SYNC_KILLS", "12"))
    seed = int(os.environ.get("SYNC_SEED", "0"))
    table, rnd = streamed_table(800, 31)
    keys = sc.keys(1000)
    d = tempfile.mkdtemp()
    defer(shutil.rmtree, d)
    path = os.path.join(d, "copy.db")
    with StreamFake(os.environ["AWS_ENDPOINT_URL_DYNAMODB"]) as proxy:
        env = dict(os.environ, AWS_ENDPOINT_URL_DYNAMODB=proxy.url)
        c = connect(path)
        defer(c.close)
        c.execute(sc.create_sql("src", table))  # the endpoint from the environment
        state = {"child": None, "at": None, "seen": 0}

        def kill_at_request(op, body):
            state["seen"] += 1
            if state["at"] is not None and state["seen"] == state["at"] and state["child"]:
                state["child"].send_signal(signal.SIGKILL)
        proxy.before = kill_at_request

        def child_sync(kill_after_ms=None, kill_at=None, what="sync"):
            state["seen"], state["at"] = 0, kill_at
            p = subprocess.Popen([sys.executable, "-c", CHILD, path, so_path(), what], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            state["child"] = p
            if kill_after_ms is not None:
                threading.Timer(kill_after_ms / 1000.0, p.send_signal, (signal.SIGKILL,)).start()
            out, err = p.communicate(timeout=120)
            state["child"] = None
            return p.returncode, out, err

        # syncs that are not killed: how long a load and a sync of a few
        # hundred changes take, and how many requests; and how long a child
        # takes to start (no kill before then: it would test nothing)
        def timed(**kw):
            t0 = time.monotonic()
            rc, out, err = child_sync(**kw)
            eq(rc, 0, err)
            return (time.monotonic() - t0) * 1000, state["seen"]
        start_ms, _ = timed(what="start")
        load_ms, _ = timed()
        sc.write_some(ddb(), table, rnd, keys, 300)
        follow_ms, follow_requests = timed()
        sc.check_exact(c, "src", "cp", table)
        killed = outcomes = 0
        where = {"load": 0, "stream": 0}
        for i in range(kills):
            kr = random.Random(seed * 100003 + 1000 + i)
            reload = i % 4 == 0
            if reload:  # killed during a load (the next sync loads again)
                c.execute("UPDATE dynamo_copies SET state = 'stale', problem = 'test'")
                sc.sync(c, "src", "cp", "reload")  # the copy as a reload leaves it
                c.execute("UPDATE dynamo_copies SET state = 'loading'")
            sc.write_some(ddb(), table, kr, keys, kr.randrange(50, 300))
            if i % 2:
                rc, out, err = child_sync(kill_at=kr.randrange(1, follow_requests + 1))
            else:
                rc, out, err = child_sync(kill_after_ms=kr.uniform(
                    0.9 * start_ms, 1.05 * (load_ms if reload else follow_ms)))
            killed += rc == -signal.SIGKILL
            outcomes += 1
            if rc not in (0, -signal.SIGKILL):
                raise AssertionError("the child failed: %r %s" % (rc, err))
            where["load" if reload else "stream"] += rc == -signal.SIGKILL
            # the next sync, whatever the kill left: exact
            r = sc.sync(c, "src", "cp")
            sc.check_exact(c, "src", "cp", table)
            eq(c.execute("SELECT state FROM dynamo_copies").fetchone(), ("following",))
        assert killed >= kills // 2, "only %d of %d children were killed mid-sync" % (killed, kills)
        note("%d syncs, %d killed mid-sync (%d in a load, %d following the stream); each next "
             "sync exact; a child: %d ms to start, a load %d ms, a sync of 300 changes %d ms, "
             "%d requests" % (outcomes, killed, where["load"], where["stream"], start_ms, load_ms,
                              follow_ms, follow_requests))


def test_disabled_and_enabled_again_then_reload():
    needs_streams()
    table, rnd = streamed_table(200, 41)
    keys = sc.keys(260)
    c = connect()
    defer(c.close)
    c.execute(sc.create_sql("src", table))
    sc.sync(c, "src", "cp")
    old = ddb().describe_table(table)["LatestStreamArn"]
    sc.write_some(ddb(), table, rnd, keys, 50)
    ddb().call("UpdateTable", {"TableName": table, "StreamSpecification": {"StreamEnabled": False}})
    sc.write_some(ddb(), table, rnd, keys, 50)      # recorded by no stream
    ddb().call("UpdateTable", {"TableName": table, "StreamSpecification": STREAM["StreamSpecification"]})
    new = ddb().describe_table(table)["LatestStreamArn"]
    assert new != old
    e = raises(lambda: sc.sync(c, "src", "cp"), "cp is stale: the stream of %s was disabled and "
                                                "enabled again (now %s)" % (table, new))
    assert "SELECT dynamo_sync('src', 'cp', 'reload') loads it again" in str(e)
    eq(c.execute("SELECT state, stream_arn FROM dynamo_copies").fetchone(), ("stale", old))
    raises(lambda: sc.sync(c, "src", "cp"), "cp is stale")  # until reloaded
    r = sc.sync(c, "src", "cp", "reload")
    assert "disabled and enabled again" in r["reloaded"], r
    sc.check_exact(c, "src", "cp", table)
    eq(c.execute("SELECT state, stream_arn FROM dynamo_copies").fetchone(), ("following", new))
    sc.write_some(ddb(), table, rnd, keys, 50)
    sc.sync(c, "src", "cp")
    sc.check_exact(c, "src", "cp", table)


def test_tables_without_a_usable_stream():
    needs_streams()
    table, _ = streamed_table(3, 51, view="KEYS_ONLY")
    c = connect()
    defer(c.close)
    c.execute(sc.create_sql("src", table))
    raises(lambda: sc.sync(c, "src", "cp"), "the stream of %s shows KEYS_ONLY" % table)
    plain = unique("syncplain")
    ddb().create_table(plain, hash=("pk", "S"), range=("sk", "N"))
    defer(ddb().delete_table, plain)
    c.execute(sc.create_sql("src2", plain))
    raises(lambda: sc.sync(c, "src2", "cp2"), "the DynamoDB table %s has no stream" % plain)


def test_every_write_acknowledged_before_a_sync_is_in_what_it_returns():
    """Exact at T, not only in the end: a writer keeps putting new versions
    of a few keys while syncs run one after another; when a sync returns,
    each key's copy holds at least the version acknowledged last before the
    sync began (a later one is fine: the sync may read past T)."""
    needs_streams()
    table, rnd = streamed_table(0, 31)
    keys = sc.keys(8)
    acked = {json.dumps(k, sort_keys=True): [] for k in keys}   # [(time, version)]
    stop = threading.Event()
    errors = []

    def writer():
        w = ddbclient.Client.from_env()
        v = 0
        try:
            while not stop.is_set():
                for k in keys:
                    v += 1
                    it = dict(k)
                    it["ver"] = {"N": str(v)}
                    w.put_item(table, it)
                    acked[json.dumps(k, sort_keys=True)].append((time.time(), v))
                    # a pace a sync can catch up with: DynamoDB Local's records
                    # carry their minute only, so a sync chasing a writer
                    # faster than it applies stops when the minute turns
                    stop.wait(0.005)
        except Exception as e:  # noqa: BLE001 - reported by the test
            errors.append(e)
    c = connect()
    defer(c.close)
    c.execute("CREATE VIRTUAL TABLE src USING dynamo(table=%s, pk TEXT, sk N, ver INTEGER, "
              "PRIMARY KEY (pk, sk))" % table)
    t = threading.Thread(target=writer)
    t.start()
    behind = []
    try:
        for round_ in range(10):
            time.sleep(random.Random(round_).random() * 0.2)
            began = time.time()
            sc.sync(c, "src", "cp")
            got = {json.dumps({"pk": {"S": pk}, "sk": {"N": sc._num(str(sk))}}, sort_keys=True): ver
                   for pk, sk, ver in c.execute("SELECT pk, sk, ver FROM cp")}
            for k, log in acked.items():
                before = [v for at, v in list(log) if at < began]
                if before and got.get(k, 0) < before[-1]:
                    behind.append((round_, k, got.get(k), before[-1]))
    finally:
        stop.set()
        t.join()
    eq(errors, [])
    eq(behind, [])
    note("10 syncs while a writer put %d versions of 8 keys; each sync held every version "
         "acknowledged before it began" % sum(len(x) for x in acked.values()))
