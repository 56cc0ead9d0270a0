"""Nothing lost, nothing duplicated, no spurious error: a mixed workload
(single INSERTs, a 200-row transaction, OR REPLACE, UPDATE, DELETE, a moved
key) through tests/faultproxy.py with a quarter of all requests faulted
(500s, throttling, connections dropped before and after forwarding,
UnprocessedItems). The final table is checked with boto3 going to the
server directly: the reference client, found as credfakes.botocore_python()
finds it; the test fails, never falls back, when it is missing or fails."""

import decimal
import json
import os
import subprocess

from harness import connect, eq, note, server
from fixtures import tracks_table
from faultproxy import FaultProxy
from ddbclient import unmarshal_item
from credfakes import botocore_python

BOTO3_SCAN = r"""
import json, sys, boto3
from boto3.dynamodb.types import TypeDeserializer
c = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=sys.argv[1],
                 aws_access_key_id="x", aws_secret_access_key="y")
items = []
for page in c.get_paginator("scan").paginate(TableName=sys.argv[2], ConsistentRead=True):
    items.extend(page["Items"])
print(json.dumps(items))
"""


def independent_scan(name):
    """Every item, read by boto3 straight from the server."""
    p = subprocess.run([botocore_python(), "-c", BOTO3_SCAN,
                        os.environ["AWS_ENDPOINT_URL_DYNAMODB"], name],
                       capture_output=True, text=True, timeout=120)
    eq(p.returncode, 0, "boto3's scan failed: %s" % p.stderr)
    return [unmarshal_item(i) for i in json.loads(p.stdout)], "boto3"


def workload(c, proxy):
    """Run the statements; return the items they must leave."""
    want = {}
    for i in range(20):  # single INSERTs
        c.execute("INSERT INTO t(uuid, timestamp, speed, note) VALUES ('single', ?, ?, 'one')",
                  ("s%02d" % i, i))
        want[("single", "s%02d" % i)] = {"speed": i, "note": "one"}
    c.execute("BEGIN")  # a 200-row transaction
    for i in range(200):
        c.execute("INSERT INTO t(uuid, timestamp, speed) VALUES ('bulk', ?, ?)", ("t%03d" % i, i))
        want[("bulk", "t%03d" % i)] = {"speed": i}
    c.execute("COMMIT")
    # OR REPLACE over half of the singles and some new ones, one statement
    c.execute("INSERT OR REPLACE INTO t(uuid, timestamp, note) VALUES " +
              ", ".join("('single', 's%02d', 'replaced')" % i for i in range(10, 30)))
    for i in range(10, 30):
        want[("single", "s%02d" % i)] = {"note": "replaced"}
    # a bulk OR REPLACE: BatchWriteItem, of which the proxy also returns
    # parts as UnprocessedItems (two of them for sure)
    proxy.inject("unprocessed", count=2, op="BatchWriteItem")
    c.execute("INSERT OR REPLACE INTO t(uuid, timestamp, speed) VALUES " +
              ", ".join("('rep', 'r%03d', %d)" % (i, i) for i in range(150)))
    for i in range(150):
        want[("rep", "r%03d" % i)] = {"speed": i}
    c.execute("UPDATE t SET speed = speed + 1000, note = 'updated' "
              "WHERE uuid = 'bulk' AND timestamp < 't100'")
    for i in range(100):
        want[("bulk", "t%03d" % i)] = {"speed": i + 1000, "note": "updated"}
    c.execute("DELETE FROM t WHERE uuid = 'bulk' AND timestamp >= 't150'")
    for i in range(150, 200):
        del want[("bulk", "t%03d" % i)]
    c.execute("UPDATE t SET timestamp = 's99' WHERE uuid = 'single' AND timestamp = 's00'")
    want[("single", "s99")] = want.pop(("single", "s00"))
    c.execute("UPDATE t SET note = NULL WHERE uuid = 'single' AND timestamp = 's01'")
    want[("single", "s01")] = {"speed": 1}
    return {k: dict(v, uuid=k[0], timestamp=k[1]) for k, v in want.items()}


def run_with_faults(seed):
    name = tracks_table("faults")
    with FaultProxy(os.environ["AWS_ENDPOINT_URL_DYNAMODB"], rate=0.25, seed=seed) as proxy:
        c = connect()
        c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=%s, endpoint='%s', speed N, note S)"
                  % (name, proxy.url))
        want = workload(c, proxy)  # any spurious error raises here
        stats = proxy.stats
    got, client = independent_scan(name)
    got = {(i["uuid"], i["timestamp"]): {k: (int(v) if isinstance(v, decimal.Decimal) else v)
                                          for k, v in i.items()} for i in got}
    eq(sorted(got), sorted(want), "the keys in the table")
    eq(got, want, "the items")
    return stats, client


def test_a_quarter_of_requests_faulted_changes_nothing():
    stats, client = run_with_faults(seed=1)
    faults = stats["faults"]
    for kind in ("500", "throttle", "drop_before", "drop_after", "unprocessed"):
        assert faults[kind] > 0, (kind, faults)
    note("checked with %s; faults: %s of %d requests" % (client, faults, stats["requests"]))


def test_another_seed():
    stats, client = run_with_faults(seed=2)
    assert sum(stats["faults"].values()) > 50, stats["faults"]
