"""The boto3 side of the wide-area bench (bench/wl_wide.py): a long-lived
process of boto3's Python that runs one scenario per line of stdin (JSON)
and answers one line of JSON: the wall time of the operation alone, the
requests boto3 sent (its own `before-send` event), and the result.

Each scenario is written the way boto3's documentation teaches: a
paginator for Scan and Query, a loop of queries for several partitions
(with Select=COUNT to count them),
batch_get_item with its UnprocessedKeys loop, Table.batch_writer, and a
Query for the keys then one update_item per item.
"""

import json
import sys
import time
from decimal import Decimal

import boto3
from boto3.dynamodb.types import TypeDeserializer


def main():
    endpoint, region = sys.argv[1], sys.argv[2]
    session = boto3.session.Session(region_name=region)
    client = session.client("dynamodb", endpoint_url=endpoint)
    resource = session.resource("dynamodb", endpoint_url=endpoint)
    sent = [0]

    def count(**kwargs):
        sent[0] += 1
    client.meta.events.register("before-send", count)
    resource.meta.client.meta.events.register("before-send", count)
    deser = TypeDeserializer()

    def number(av):
        return Decimal(av["N"])

    def aggregate(table):
        n, total = 0, Decimal(0)
        for page in client.get_paginator("scan").paginate(
                TableName=table, ProjectionExpression="#s",
                ExpressionAttributeNames={"#s": "speed"}):
            for item in page["Items"]:
                n += 1
                total += number(item["speed"])
        return [n, str(total)]

    def partitions(table, uuids):
        n, total = 0, Decimal(0)
        paginator = client.get_paginator("query")
        for u in uuids:
            for page in paginator.paginate(
                    TableName=table, KeyConditionExpression="#u = :u",
                    ProjectionExpression="#s",
                    ExpressionAttributeNames={"#u": "uuid", "#s": "speed"},
                    ExpressionAttributeValues={":u": {"S": u}}):
                for item in page["Items"]:
                    n += 1
                    total += number(item["speed"])
        return [n, str(total)]

    def counting(table, uuids):
        # Select=COUNT, one Query (and its pages) per partition
        n = 0
        paginator = client.get_paginator("query")
        for u in uuids:
            for page in paginator.paginate(
                    TableName=table, KeyConditionExpression="#u = :u", Select="COUNT",
                    ExpressionAttributeNames={"#u": "uuid"},
                    ExpressionAttributeValues={":u": {"S": u}}):
                n += page["Count"]
        return [n]

    def keys(table, pairs):
        n, total = 0, Decimal(0)
        todo = [{"uuid": {"S": u}, "timestamp": {"S": t}} for u, t in pairs]
        while todo:
            chunk, todo = todo[:100], todo[100:]
            req = {table: {"Keys": chunk, "ProjectionExpression": "#s",
                           "ExpressionAttributeNames": {"#s": "speed"}}}
            while req:
                resp = client.batch_get_item(RequestItems=req)
                for item in resp["Responses"].get(table, []):
                    n += 1
                    total += number(item["speed"])
                req = resp.get("UnprocessedKeys") or None
        return [n, str(total)]

    def write(table, items):
        t = resource.Table(table)
        with t.batch_writer() as bw:
            for it in items:
                bw.put_item(Item=json.loads(json.dumps(it), parse_float=Decimal))
        return [len(items)]

    def update(table, uuid):
        t = resource.Table(table)
        n = 0
        kwargs = {"KeyConditionExpression": "#u = :u",
                  "ProjectionExpression": "#u, #t",
                  "ExpressionAttributeNames": {"#u": "uuid", "#t": "timestamp"},
                  "ExpressionAttributeValues": {":u": uuid}}
        while True:
            page = t.query(**kwargs)
            for item in page["Items"]:
                t.update_item(Key={"uuid": item["uuid"], "timestamp": item["timestamp"]},
                              UpdateExpression="SET #s = #s + :one",
                              ConditionExpression="attribute_exists(#u)",
                              ExpressionAttributeNames={"#s": "speed", "#u": "uuid"},
                              ExpressionAttributeValues={":one": Decimal(1)})
                n += 1
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return [n]

    scenarios = {"aggregate": aggregate, "partitions": partitions, "count": counting, "keys": keys,
                 "write": write, "update": update}
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        sent[0] = 0
        t0 = time.perf_counter()
        result = scenarios[cmd["scenario"]](*cmd["args"])
        wall = time.perf_counter() - t0
        print(json.dumps({"wall": wall, "requests": sent[0], "result": result}), flush=True)
    del deser


if __name__ == "__main__":
    main()
