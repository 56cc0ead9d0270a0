"""The boto3 peer of `make bench`: a long-lived process that runs the same
scenarios as the extension and reports the time of just the operation.

Run by bench/run.py with a Python that has boto3 (pyenv's here; Debian's
/usr/bin/python3 has none). It reads one JSON command per line on stdin
and answers one JSON line on stdout, so the interpreter start, `import
boto3`, creating the client and (with a warm-up run the driver asks for)
loading the service model are all outside the timed regions.

Commands:
  {"op": "init", "name": N, "endpoint": URL, "region": R}
      a client (and resource) named N; makes no request
  {"op": "run", "name": N, "scenario": S, "args": {...}}
      -> {"wall": s, "cpu": s, "rows": n, "check": [...]}
  {"op": "quit"}

bench/boto3_oneshot.py runs these same scenario functions once in a fresh
process (the whole-process comparison).

Timed region: wall = time.perf_counter(), CPU = time.process_time() (user +
system of every thread of this process) around the operation only: the
paginator loop with its per-item work, the get_item loop, the batch_writer
block. Arguments (keys, items) are converted to boto3's forms before it.
"""

import json
import sys
import time

import boto3
import botocore
from boto3.dynamodb.types import TypeDeserializer

CLIENTS = {}
_deser = TypeDeserializer()


def init(name, endpoint, region):
    session = boto3.session.Session(
        aws_access_key_id="bench", aws_secret_access_key="bench",
        region_name=region)
    client = session.client("dynamodb", endpoint_url=endpoint)
    resource = session.resource("dynamodb", endpoint_url=endpoint)
    CLIENTS[name] = (client, resource)


# Each scenario: prepare(args) outside the timed region, then run(prepared)
# inside it; run returns (rows, check).

def scan_sum(client, resource, a):
    """SELECT count(*), sum(speed): the Scan paginator, with the same
    ProjectionExpression as the extension sends; or, when the arguments
    have no "projection", without one (whole items: what a boto3 user
    writes without tuning)."""
    n, total = 0, 0.0
    kw = {}
    if a.get("projection"):
        kw = {"ProjectionExpression": a["projection"],
              "ExpressionAttributeNames": a["names"]}
    pages = client.get_paginator("scan").paginate(TableName=a["table"], **kw)
    for page in pages:
        for item in page["Items"]:
            n += 1
            s = item.get("speed")
            if s is not None:
                total += float(s["N"])
    return n, [n, total]


def query_range(client, resource, a):
    """All items of uuid = ? AND timestamp BETWEEN ? AND ? (the Query
    paginator; the items stay as the client API returns them)."""
    rows = []
    pages = client.get_paginator("query").paginate(
        TableName=a["table"],
        KeyConditionExpression="#u = :u AND #t BETWEEN :lo AND :hi",
        ExpressionAttributeNames={"#u": "uuid", "#t": "timestamp"},
        ExpressionAttributeValues={":u": {"S": a["uuid"]}, ":lo": {"S": a["lo"]},
                                   ":hi": {"S": a["hi"]}})
    for page in pages:
        rows.extend(page["Items"])
    return len(rows), [len(rows)]


def query_top(client, resource, a):
    """The newest `limit` items of one uuid: one Query, ScanIndexForward
    false, Limit."""
    out = client.query(
        TableName=a["table"], KeyConditionExpression="#u = :u",
        ExpressionAttributeNames={"#u": "uuid"},
        ExpressionAttributeValues={":u": {"S": a["uuid"]}},
        ScanIndexForward=False, Limit=a["limit"])
    rows = out["Items"]
    return len(rows), [len(rows), rows[0]["timestamp"]["S"] if rows else None]


def prep_keys(a):
    a["_keys"] = [{"uuid": {"S": u}, "timestamp": {"S": t}} for u, t in a["keys"]]


def get_items(client, resource, a):
    """One get_item per key, in order."""
    rows = []
    for key in a["_keys"]:
        item = client.get_item(TableName=a["table"], Key=key).get("Item")
        if item is not None:
            rows.append(item)
    return len(rows), [len(rows)]


def batch_get(client, resource, a):
    """batch_get_item, 100 keys per call, UnprocessedKeys sent again."""
    rows, keys = [], a["_keys"]
    for i in range(0, len(keys), 100):
        req = {a["table"]: {"Keys": keys[i:i + 100]}}
        while req:
            out = client.batch_get_item(RequestItems=req)
            rows.extend(out["Responses"].get(a["table"], []))
            req = {k: v for k, v in (out.get("UnprocessedKeys") or {}).items() if v}
    return len(rows), [len(rows)]


def prep_items(a):
    # DynamoDB JSON -> Python values (Decimal numbers), as boto3's resource
    # API takes them; outside the timed region.
    a["_items"] = [{k: _deser.deserialize(v) for k, v in it.items()}
                   for it in a["items"]]


def batch_write(client, resource, a):
    """Table.batch_writer() (the resource API): put_item for each item;
    it sends BatchWriteItem 25 at a time and resends UnprocessedItems."""
    table = resource.Table(a["table"])
    with table.batch_writer() as w:
        for item in a["_items"]:
            w.put_item(Item=item)
    n = len(a["_items"])
    return n, [n]


SCENARIOS = {
    "scan_sum": (None, scan_sum),
    "query_range": (None, query_range),
    "query_top": (None, query_top),
    "get_items": (prep_keys, get_items),
    "batch_get": (prep_keys, batch_get),
    "batch_write": (prep_items, batch_write),
}


def run(name, scenario, args):
    client, resource = CLIENTS[name]
    prep, fn = SCENARIOS[scenario]
    if prep is not None:
        prep(args)
    w0, c0 = time.perf_counter(), time.process_time()
    rows, check = fn(client, resource, args)
    c1, w1 = time.process_time(), time.perf_counter()
    return {"wall": w1 - w0, "cpu": c1 - c0, "rows": rows, "check": check}


def main():
    for line in sys.stdin:
        cmd = json.loads(line)
        try:
            if cmd["op"] == "init":
                init(cmd["name"], cmd["endpoint"], cmd["region"])
                out = {"ok": True, "boto3": boto3.__version__,
                       "botocore": botocore.__version__,
                       "python": sys.version.split()[0]}
            elif cmd["op"] == "run":
                out = run(cmd["name"], cmd["scenario"], cmd["args"])
            elif cmd["op"] == "quit":
                return 0
            else:
                out = {"error": "unknown op %r" % cmd["op"]}
        except Exception as e:  # reported to the driver, which stops
            out = {"error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(out, default=str) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
