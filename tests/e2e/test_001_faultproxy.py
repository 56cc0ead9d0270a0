"""tests/faultproxy.py itself, in front of the real local server: every fault
kind happens and looks as it should to a client (tests/ddbclient.py), a
lost response really applies the write, 'unprocessed' holds back exactly
what it says, rate 0 is transparent, a seed fixes the faults, the
consecutive-fault cap holds, and the command line works. Needs no working
extension but for the last test (the extension through the proxy), which
fails, like every infrastructure test, when dynamo.so is not built."""

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request

from harness import connect, ddb, defer, eq, note, unique
from ddbclient import Client, DynamoError, marshal_item, unmarshal_item
from faultproxy import FaultProxy, KINDS, WRITE_OPS
from fakeserver import FakeServer, describe

HERE = os.path.dirname(os.path.abspath(__file__))
PROXY_PY = os.path.join(os.path.dirname(HERE), "faultproxy.py")
UPSTREAM = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB", "")
DROPPED = (http.client.RemoteDisconnected, ConnectionResetError,
           BrokenPipeError, http.client.BadStatusLine)


def client(url, **kw):
    """A ddbclient that sees every dropped connection (no silent resend)."""
    kw.setdefault("timeout", 10.0)
    return Client(url, region="us-east-1", key="AKIDLOCALTESTONLY0000",
                  secret="local-test-secret-not-a-real-key",
                  resend_on_closed=False, **kw)


def table(prefix="fp", range_key=False):
    name = unique(prefix)
    ddb().create_table(name, hash=("pk", "S"),
                       range=("sk", "N") if range_key else None)
    defer(ddb().delete_table, name)
    return name


def item(pk, **attrs):
    return marshal_item(dict(pk=pk, **attrs))


def put(name, pk, **attrs):
    return ("PutItem", {"TableName": name, "Item": item(pk, **attrs)})


def outcome(c, op, payload):
    """What a client sees: ('ok', answer), ('error', type, status) or
    ('dropped', exception class name). No retries."""
    try:
        return ("ok", c.call(op, payload, retries=0))
    except DynamoError as e:
        return ("error", e.type, e.status)
    except DROPPED as e:
        return ("dropped", type(e).__name__)


def keys_in(name):
    return sorted(unmarshal_item(i)["pk"] for i in ddb().scan_all(name))


def retrying_call(c, op, payload, attempts=10):
    """Call with retries on errors *and* dropped connections (as an SDK
    does); return the answer."""
    for n in range(attempts):
        try:
            return c.call(op, payload, retries=0)
        except DynamoError as e:
            if e.status < 500 and e.type not in (
                    "ProvisionedThroughputExceededException",
                    "ThrottlingException"):
                raise
        except DROPPED:
            pass
        time.sleep(0.001 * (2 ** n))
    raise AssertionError("%s failed %d times" % (op, attempts))


def test_rate_0_is_transparent():
    name = table(range_key=True)
    ddb().batch_put(name, [marshal_item({"pk": "p%d" % (i % 4), "sk": i,
                                         "v": "x" * (i % 7), "n": i * 1.5,
                                         "tags": {"a", "b%d" % i}})
                           for i in range(60)])
    direct = client(UPSTREAM)
    with FaultProxy(UPSTREAM, rate=0, seed=1, kinds=KINDS) as p:
        c = client(p.url)
        requests = [
            ("Scan", {"TableName": name, "ConsistentRead": True}),
            ("Scan", {"TableName": name, "Limit": 7,
                      "ExclusiveStartKey": {"pk": {"S": "p1"}, "sk": {"N": "5"}}}),
            ("Query", {"TableName": name,
                       "KeyConditionExpression": "pk = :p AND sk > :s",
                       "ExpressionAttributeValues": {":p": {"S": "p2"},
                                                     ":s": {"N": "10"}},
                       "ScanIndexForward": False}),
            ("GetItem", {"TableName": name, "ConsistentRead": True,
                         "Key": {"pk": {"S": "p3"}, "sk": {"N": "7"}}}),
            ("DescribeTable", {"TableName": name}),
            # errors pass unchanged too
            ("GetItem", {"TableName": name, "Key": {"pk": {"S": "p3"}}}),
            ("DescribeTable", {"TableName": unique("missing")}),
        ]
        for op, payload in requests:
            got = c.raw(op, payload)
            want = direct.raw(op, payload)
            if op == "DescribeTable" and want[0] == 200:
                # only volatile counters may differ
                g, w = json.loads(got[1]), json.loads(want[1])
                eq(g["Table"]["KeySchema"], w["Table"]["KeySchema"], op)
                continue
            eq(got, want, "%s through the proxy" % op)
        eq(c.scan_all(name), direct.scan_all(name), "scan_all")
        # Writes through the proxy land as they would directly.
        c.put_item(name, marshal_item({"pk": "w", "sk": 1, "v": "via proxy"}))
        c.batch_put(name, [marshal_item({"pk": "w", "sk": i}) for i in range(2, 30)])
        c.call("UpdateItem", {"TableName": name,
                              "Key": {"pk": {"S": "w"}, "sk": {"N": "1"}},
                              "UpdateExpression": "SET v = :v",
                              "ExpressionAttributeValues": {":v": {"S": "upd"}}})
        eq(unmarshal_item(direct.get_item(name, {"pk": {"S": "w"}, "sk": {"N": "1"}})),
           {"pk": "w", "sk": 1, "v": "upd"})
        eq(direct.count(name), 89)
        st = p.stats
        eq(sum(st["faults"].values()), 0, "faults at rate 0")
        eq(st["requests"], st["passed"])
        eq(st["forwarded"], st["requests"])
        eq(st["upstream_errors"], 0)
        # keep-alive both ways: one client connection, one upstream one
        eq(st["connections"], 1, "client connections")
        eq(st["upstream_connections"], 1, "upstream connections")
        assert all(e.kind is None for e in p.events)
    direct.close()


def test_every_kind_is_observed():
    name = table()
    seen, details = {}, {}
    for kind in KINDS:
        with FaultProxy(UPSTREAM, rate=1.0, seed=5, kinds=[kind],
                        slow_seconds=0.3) as p:
            c = client(p.url)
            if kind == "unprocessed":
                op, payload = "BatchWriteItem", {"RequestItems": {name: [
                    {"PutRequest": {"Item": item("b%d" % i)}} for i in range(6)]}}
            else:
                op, payload = put(name, kind)
            seen[kind] = outcome(c, op, payload)
            st = p.stats
            eq(st["faults"][kind], 1, kind)
            eq(st["ops"][op][kind], 1, kind)
            eq(p.faults(), [(op, kind)])
            details[kind] = p.events[-1].detail
            c.close()
        if kind == "500":
            eq(seen[kind], ("error", "InternalServerError", 500))
        elif kind == "throttle":
            assert seen[kind][:1] == ("error",) and seen[kind][2] == 400, seen[kind]
            assert seen[kind][1] in ("ProvisionedThroughputExceededException",
                                     "ThrottlingException"), seen[kind]
        elif kind in ("drop_before", "drop_after"):
            eq(seen[kind][0], "dropped", kind)
        elif kind == "unprocessed":
            eq(seen[kind][0], "ok")
            un = seen[kind][1]["UnprocessedItems"][name]
            assert 1 <= len(un) <= 5, un
        elif kind == "slow":
            eq(seen[kind][0], "ok")
            eq(details["slow"], "held", "the answer came after the proxy's hold")
    # what reached the table: not the 500/throttle/drop_before puts
    got = keys_in(name)
    for kind in ("500", "throttle", "drop_before"):
        assert kind not in got, (kind, got)
    for kind in ("drop_after", "slow"):
        assert kind in got, (kind, got)


def test_throttle_and_drop_variants():
    name = table()
    with FaultProxy(UPSTREAM, rate=1.0, seed=1, kinds=["throttle"],
                    variants={"throttle": ["ThrottlingException"]}) as p:
        eq(outcome(client(p.url), *put(name, "t")),
           ("error", "ThrottlingException", 400))
    with FaultProxy(UPSTREAM, rate=1.0, seed=1, kinds=["throttle"],
                    variants={"throttle": "ProvisionedThroughputExceededException"}) as p:
        eq(outcome(client(p.url), *put(name, "t")),
           ("error", "ProvisionedThroughputExceededException", 400))
        eq(p.stats["variants"], {"ProvisionedThroughputExceededException": 1})
    # a raw look at the error answer: JSON 1.0 with a CRC32 like DynamoDB's
    with FaultProxy(UPSTREAM, rate=1.0, seed=1, kinds=["500"]) as p:
        conn = http.client.HTTPConnection("127.0.0.1", p.port, timeout=5)
        conn.request("POST", "/", body=b"{}", headers={
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "Content-Type": "application/x-amz-json-1.0"})
        resp = conn.getresponse()
        body = resp.read()
        eq(resp.status, 500)
        eq(resp.getheader("Content-Type"), "application/x-amz-json-1.0")
        eq(int(resp.getheader("x-amz-crc32")),
           __import__("zlib").crc32(body) & 0xffffffff)
        eq(json.loads(body)["__type"],
           "com.amazonaws.dynamodb.v20120810#InternalServerError")
        assert not resp.will_close, "a 500 keeps the connection"
        conn.close()
    for variant, exc in (("close", "RemoteDisconnected"),
                         ("reset", "ConnectionResetError")):
        with FaultProxy(UPSTREAM, rate=1.0, seed=1, kinds=["drop_before"],
                        variants={"drop_before": [variant]}) as p:
            eq(outcome(client(p.url), *put(name, variant)), ("dropped", exc))
            eq(p.events[0].variant, variant)
            eq(p.events[0].detail, "fresh connection")
    eq(keys_in(name), [])


def test_drop_after_applies_the_write():
    name = table()
    for variant in ("close", "reset"):
        with FaultProxy(UPSTREAM, rate=0, seed=2) as p:
            c = client(p.url)
            eq(outcome(c, *put(name, "warm")), outcome(c, *put(name, "warm")))
            p.inject("drop_after", variant=variant)
            pk = "lost-" + variant
            eq(outcome(c, *put(name, pk, v=1))[0], "dropped")
            eq(p.faults(), [("PutItem", "drop_after")])
            eq(p.events[-1].detail, "reused connection")
            eq(p.stats["forwarded"], 3)
        # The write happened although the client saw no answer.
        eq(unmarshal_item(ddb().get_item(name, {"pk": {"S": pk}})),
           {"pk": pk, "v": 1})
    # The hazard for a client: retrying a conditional put after a lost
    # response meets its own write.
    with FaultProxy(UPSTREAM, rate=0, seed=2) as p:
        c = client(p.url)
        op, payload = put(name, "cond", v=2)
        payload["ConditionExpression"] = "attribute_not_exists(pk)"
        p.inject("drop_after", op="PutItem")
        eq(outcome(c, op, payload)[0], "dropped")
        eq(outcome(c, op, payload),
           ("error", "ConditionalCheckFailedException", 400))
        eq([e.kind for e in p.events], ["drop_after", None])
    eq(keys_in(name), ["cond", "lost-close", "lost-reset", "warm"])


def test_unprocessed_holds_back_exactly_the_rest():
    a, b = table("fpa"), table("fpb", range_key=True)
    # items the batch deletes
    ddb().batch_put(a, [item("old%d" % i) for i in range(4)])
    requests = {
        a: [{"PutRequest": {"Item": item("new%d" % i, n=i, s="v%d" % i)}}
            for i in range(15)]
           + [{"DeleteRequest": {"Key": {"pk": {"S": "old%d" % i}}}}
              for i in range(4)],
        b: [{"PutRequest": {"Item": marshal_item({"pk": "x", "sk": i})}}
            for i in range(6)],
    }
    with FaultProxy(UPSTREAM, rate=0, seed=11) as p:
        c = client(p.url)
        p.inject("unprocessed")
        out = c.call("BatchWriteItem", {"RequestItems": requests,
                                        "ReturnConsumedCapacity": "TOTAL"},
                     retries=0)
        ev = p.events[-1]
        eq((ev.op, ev.kind), ("BatchWriteItem", "unprocessed"))
        forwarded, held = ev.detail
        eq(forwarded + held, 25)
        un = out["UnprocessedItems"]
        eq(sum(len(v) for v in un.values()), held)
        eq(p.stats["unprocessed_items"], held)
        assert set(un) <= {a, b} and all(un.values()), un

        def applied(t, r):
            if "PutRequest" in r:
                it = r["PutRequest"]["Item"]
                key = {k: it[k] for k in (("pk",) if t == a else ("pk", "sk"))}
                return ddb().get_item(t, key) == it
            return ddb().get_item(t, r["DeleteRequest"]["Key"]) is None

        for t, reqs in requests.items():
            for r in reqs:
                is_held = r in un.get(t, [])
                eq(applied(t, r), not is_held, "%s %s" % (t, r))
            # held-back requests keep the request's order
            eq(un.get(t, []), [r for r in reqs if r in un.get(t, [])])
        # the client's retry of UnprocessedItems completes the batch
        out2 = c.call("BatchWriteItem", {"RequestItems": un}, retries=0)
        eq(out2["UnprocessedItems"], {})
    eq(keys_in(a), ["new%d" % i for i in sorted(range(15), key=str)])
    eq(ddb().count(b), 6)


def test_unprocessed_only_where_dynamodb_could():
    name = table()
    with FaultProxy(UPSTREAM, rate=1.0, seed=3, kinds=["unprocessed"]) as p:
        c = client(p.url)
        # one write request: nothing to split, so no fault
        one = {"RequestItems": {name: [{"PutRequest": {"Item": item("one")}}]}}
        eq(c.call("BatchWriteItem", one, retries=0)["UnprocessedItems"], {})
        # other operations: 'unprocessed' does not apply
        eq(outcome(c, *put(name, "p"))[0], "ok")
        # two requests for one key: DynamoDB refuses the whole batch, so
        # the proxy must not split it into two valid halves
        dup = {"RequestItems": {name: [{"PutRequest": {"Item": item("d", v=1)}},
                                       {"PutRequest": {"Item": item("d", v=2)}}]}}
        got = outcome(c, "BatchWriteItem", dup)
        eq(got, outcome(client(UPSTREAM), "BatchWriteItem", dup))
        eq(got[:2], ("error", "ValidationException"))
        eq(p.stats["faults"]["unprocessed"], 0)
        eq(p.stats["passed"], 3)
        # a splittable batch is split
        two = {"RequestItems": {name: [{"PutRequest": {"Item": item("t1")}},
                                       {"PutRequest": {"Item": item("t2")}}]}}
        un = c.call("BatchWriteItem", two, retries=0)["UnprocessedItems"][name]
        eq(len(un), 1)
        eq(p.stats["faults"]["unprocessed"], 1)
    eq(len(keys_in(name)), 3)


def test_unprocessed_adds_to_what_the_server_left():
    """Played by tests/fakeserver.py as the upstream: the server's own
    UnprocessedItems come first, the held-back requests follow; the
    forwarded body keeps the client's headers and other fields."""
    reqs = [{"PutRequest": {"Item": item("k%d" % i)}} for i in range(6)]
    with FakeServer() as fs, FaultProxy(fs.url, rate=0, seed=5) as p:
        fs.script("DescribeTable", describe("T", pk=("pk", "S"), sk=None))
        own = {"T": [{"DeleteRequest": {"Key": {"pk": {"S": "srv"}}}}]}
        fs.script("BatchWriteItem", (200, {"UnprocessedItems": own,
                                           "ConsumedCapacity": [{"TableName": "T"}]}))
        p.inject("unprocessed")
        out = client(p.url).call("BatchWriteItem", {
            "RequestItems": {"T": reqs}, "ReturnConsumedCapacity": "TOTAL"},
            retries=0)
        ops = fs.ops()
        eq(ops, ["DescribeTable", "BatchWriteItem"])
        _, headers, sent = fs.requests[1]
        eq(sent["ReturnConsumedCapacity"], "TOTAL")
        assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 "), headers
        eq(headers["X-Amz-Target"], "DynamoDB_20120810.BatchWriteItem")
        eq(headers["Host"], fs.url[len("http://"):])
        forwarded = sent["RequestItems"]["T"]
        held = out["UnprocessedItems"]["T"][1:]
        eq(out["UnprocessedItems"]["T"][0], own["T"][0])
        eq(sorted(forwarded + held, key=json.dumps), sorted(reqs, key=json.dumps))
        assert forwarded and held, (forwarded, held)
        eq(out["ConsumedCapacity"], [{"TableName": "T"}])
        eq(p.events[-1].detail, (len(forwarded), len(held)))


def test_upstream_down_is_a_502_not_a_fault():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    with FaultProxy("http://127.0.0.1:%d" % port, rate=0) as p:
        got = client(p.url).raw("ListTables", {})
        eq(got[0], 502)
        assert b"faultproxy: upstream" in got[1], got
        eq(p.stats["upstream_errors"], 1)
        assert "upstream error" in p.events[0].detail, p.events


def test_seed_makes_faults_deterministic():
    name = table()

    def run(seed):
        with FaultProxy(UPSTREAM, rate=0.3, seed=seed) as p:
            c = client(p.url)
            for i in range(80):
                if i % 10 == 9:
                    outcome(c, "BatchWriteItem", {"RequestItems": {name: [
                        {"PutRequest": {"Item": item("b%d_%d" % (i, j))}}
                        for j in range(5)]}})
                else:
                    outcome(c, *put(name, "k%d" % (i % 13), i=i))
            return [tuple(e) for e in p.events], p.stats

    e1, s1 = run(7)
    e2, s2 = run(7)
    e3, _ = run(8)
    eq(e1, e2, "same seed, same faults")
    eq(s1["faults"], s2["faults"])
    assert e1 != e3, "another seed gave the same faults"
    faulted = sum(1 for e in e1 if e[2] is not None)
    assert 10 <= faulted <= 45, faulted  # 0.3 of 80, give or take
    kinds = {e[2] for e in e1} - {None}
    assert len(kinds) >= 4, kinds
    note("seed 7: %s" % {k: v for k, v in s1["faults"].items() if v})


def test_consecutive_fault_cap():
    name = table()
    with FaultProxy(UPSTREAM, rate=1.0, seed=4, max_consecutive=3,
                    kinds=["500", "throttle", "drop_before"]) as p:
        c = client(p.url)
        op, payload = put(name, "same")
        other = put(name, "other")
        seen = []
        for _ in range(3):
            seen.append(outcome(c, op, payload)[0])
            outcome(c, *other)          # another body does not reset it
        eq(seen.count("ok"), 0, seen)
        eq(outcome(c, op, payload)[0], "ok")        # 4th in a row passes
        eq(p.events[-1].detail, "capped")
        # the pass reset the streak: faulted again, 3 more times at most
        results = [outcome(c, op, payload)[0] for _ in range(4)]
        eq(results[3], "ok")
        assert "ok" not in results[:3], results
        eq(p.stats["capped"], 2)
        # a client that tries 4 times always gets through
        for i in range(20):
            retrying_call(c, *put(name, "r%d" % i), attempts=4)
        eq(p.stats["capped"], 22)
        # cap 0: never a fault
        p.set_max_consecutive(0)
        before = p.stats["faults"]
        eq(outcome(c, *put(name, "z"))[0], "ok")
        eq(p.stats["faults"], before)
    # 'other' never passed: 3 faults, then never sent again
    eq(len(keys_in(name)), 22)


def test_ops_filter_enable_disable_and_rate():
    name = table()
    with FaultProxy(UPSTREAM, rate=1.0, seed=9, kinds=["500"], ops=WRITE_OPS,
                    max_consecutive=100) as p:
        c = client(p.url)
        eq(outcome(c, *put(name, "a"))[:2], ("error", "InternalServerError"))
        eq(outcome(c, "GetItem", {"TableName": name,
                                  "Key": {"pk": {"S": "a"}}}), ("ok", {}))
        eq(outcome(c, "Scan", {"TableName": name})[0], "ok")
        eq(outcome(c, "DeleteItem", {"TableName": name,
                                     "Key": {"pk": {"S": "a"}}})[1],
           "InternalServerError")
        p.disable()
        eq(outcome(c, *put(name, "a"))[0], "ok")
        p.enable()
        eq(outcome(c, *put(name, "b"))[1], "InternalServerError")
        p.set_rate(0)
        eq(outcome(c, *put(name, "b"))[0], "ok")
        p.set_rate(1)
        p.set_ops(["UpdateItem"])
        eq(outcome(c, *put(name, "c"))[0], "ok")
        st = p.stats
        eq(st["ops"]["PutItem"], {"requests": 5, "passed": 3, "500": 2})
        eq(st["ops"]["GetItem"], {"requests": 1, "passed": 1})
        eq(st["ops"]["DeleteItem"], {"requests": 1, "passed": 0, "500": 1})
        eq(p.faults(), [("PutItem", "500"), ("DeleteItem", "500"),
                        ("PutItem", "500")])
        p.reset_stats()
        eq((p.stats["requests"], p.events), (0, []))
        # weights: only the kinds with weight > 0 happen
        p.configure(ops=None, kinds={"500": 0, "throttle": 1})
        eq(outcome(c, *put(name, "d"))[1] in (
            "ProvisionedThroughputExceededException", "ThrottlingException"),
           True)
        eq(p.probabilities("PutItem"), {"throttle": 1.0})
    eq(keys_in(name), ["a", "b", "c"])


def test_slow_abandoned_request_is_not_forwarded():
    name = table()
    with FaultProxy(UPSTREAM, rate=1.0, seed=1, kinds=["slow"],
                    slow_seconds=1.5) as p:
        c = client(p.url, timeout=0.3)
        try:
            c.call(*put(name, "late"), retries=0)
        except (TimeoutError, OSError):
            pass
        else:
            raise AssertionError("no timeout")
        c.close()
        deadline = time.monotonic() + 5
        while p.events[-1].detail != "abandoned" and time.monotonic() < deadline:
            time.sleep(0.05)
        eq(p.events[-1].detail, "abandoned")
        eq(p.stats["forwarded"], 0)
    eq(keys_in(name), [])


def test_many_clients_at_once():
    name = table()
    errors = []
    with FaultProxy(UPSTREAM, rate=0.25, seed=12, ops="writes") as p:
        def worker(w):
            try:
                c = client(p.url)
                for i in range(25):
                    retrying_call(c, *put(name, "w%d_%d" % (w, i), w=w))
                c.close()
            except Exception as e:  # reported below
                errors.append(e)
        threads = [threading.Thread(target=worker, args=(w,)) for w in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        st = p.stats
    eq(errors, [])
    eq(len(keys_in(name)), 150)
    assert sum(st["faults"].values()) > 10, st
    assert st["connections"] > 6, st  # drops made clients reconnect


def test_mixed_workload_converges_with_a_retrying_client():
    """What the extension's test will do, played by a retrying ddbclient:
    unconditional writes, so lost responses are harmless."""
    name = table()
    # 'unprocessed' only applies to the few BatchWriteItems: weigh it up
    kinds = {"500": 1, "throttle": 1, "drop_before": 1, "drop_after": 1,
             "unprocessed": 4}
    with FaultProxy(UPSTREAM, rate=0.25, seed=21, ops="writes",
                    kinds=kinds) as p:
        c = client(p.url)
        for i in range(30):
            retrying_call(c, *put(name, "s%03d" % i, v=i))
        # 200 rows in batches of 10, retrying UnprocessedItems
        rows = [{"PutRequest": {"Item": item("t%03d" % i, v=i)}} for i in range(200)]
        for k in range(0, 200, 10):
            pending = {name: rows[k:k + 10]}
            for _ in range(50):
                out = retrying_call(c, "BatchWriteItem", {"RequestItems": pending})
                pending = {t: r for t, r in out["UnprocessedItems"].items() if r}
                if not pending:
                    break
            eq(pending, {})
        for i in range(0, 30, 3):
            retrying_call(c, "UpdateItem", {
                "TableName": name, "Key": {"pk": {"S": "s%03d" % i}},
                "UpdateExpression": "SET v = :v",
                "ExpressionAttributeValues": {":v": {"N": "-1"}}})
        for i in range(1, 30, 3):
            retrying_call(c, "DeleteItem", {"TableName": name,
                                            "Key": {"pk": {"S": "s%03d" % i}}})
        st = p.stats
    want = {"s%03d" % i: (-1 if i % 3 == 0 else i) for i in range(30) if i % 3 != 1}
    want.update({"t%03d" % i: i for i in range(200)})
    got = {d["pk"]: d["v"] for d in map(unmarshal_item, ddb().scan_all(name))}
    eq(got, want)
    for kind in ("500", "throttle", "drop_before", "drop_after", "unprocessed"):
        assert st["faults"][kind] > 0, (kind, st["faults"])
    note("faults: %s, capped %d" % (
        {k: v for k, v in st["faults"].items() if v}, st["capped"]))


def test_command_line():
    name = table()
    stats_file = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                              "faultproxy-%d.json" % os.getpid())
    defer(lambda: os.path.exists(stats_file) and os.unlink(stats_file))
    proc = subprocess.Popen(
        [sys.executable, PROXY_PY, "--upstream", UPSTREAM, "--rate", "1",
         "--seed", "1", "--kinds", "500", "--ops", "writes",
         "--stats-file", stats_file],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip().isdigit(), (line, proc.poll())
        url = "http://127.0.0.1:%d" % int(line)
        c = client(url)
        eq(outcome(c, *put(name, "a"))[:2], ("error", "InternalServerError"))
        eq(outcome(c, "GetItem", {"TableName": name,
                                  "Key": {"pk": {"S": "a"}}}), ("ok", {}))
        with urllib.request.urlopen(url + "/__faultproxy/stats", timeout=5) as r:
            st = json.load(r)
        eq((st["requests"], st["faults"]["500"]), (2, 1))
        req = urllib.request.Request(url + "/__faultproxy/config",
                                     data=json.dumps({"rate": 0}).encode(),
                                     method="POST")
        with urllib.request.urlopen(req, timeout=5) as r:
            eq(json.load(r)["rate"], 0.0)
        eq(outcome(c, *put(name, "a"))[0], "ok")
        with urllib.request.urlopen(url + "/__faultproxy/events", timeout=5) as r:
            eq([e[1:3] for e in json.load(r)],
               [["PutItem", "500"], ["GetItem", None], ["PutItem", None]])
        c.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    eq(proc.returncode, 0, err)
    with open(stats_file) as f:
        eq(json.load(f)["requests"], 3)
    assert '"requests": 3' in err, err
    eq(keys_in(name), ["a"])
    # bad arguments: a message and status 2, no traceback
    p = subprocess.run([sys.executable, PROXY_PY, "--upstream", UPSTREAM,
                        "--kinds", "500,nonsense"], capture_output=True,
                       text=True, timeout=10)
    eq(p.returncode, 2)
    assert "unknown fault kind 'nonsense'" in p.stderr, p.stderr
    # never in front of anything but a local server
    p = subprocess.run([sys.executable, PROXY_PY, "--upstream",
                        "https://dynamodb.us-east-1.amazonaws.com"],
                       capture_output=True, text=True, timeout=10)
    eq(p.returncode, 2)
    assert "is not a local server" in p.stderr, p.stderr


def test_the_extension_through_the_proxy():
    """The extension's libcurl talks through the proxy: transparent at rate
    0 (the way a later test points the extension at it)."""
    so = os.environ.get("DYNAMO_SO", "")
    assert os.path.exists(so), "DYNAMO_SO=%r does not exist (make dynamo.so)" % so
    name = table()
    with FaultProxy(UPSTREAM, rate=0, seed=1) as p:
        db = connect()
        db.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, endpoint='%s', v N)"
                   % (name, p.url))
        for i in range(5):
            db.execute("INSERT INTO t(pk, v) VALUES (?, ?)", ("e%d" % i, i))
        eq(db.execute("SELECT pk, v FROM t ORDER BY pk").fetchall(),
           [("e%d" % i, i) for i in range(5)])
        db.close()
        st = p.stats
        assert st["ops"].get("PutItem", {}).get("passed", 0) >= 5 or \
            st["ops"].get("BatchWriteItem"), st["ops"]
        note("%d requests on %d connection(s) from libcurl"
             % (st["requests"], st["connections"]))
    eq(keys_in(name), ["e%d" % i for i in range(5)])
