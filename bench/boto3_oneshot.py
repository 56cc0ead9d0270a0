"""One boto3 process for one scenario of `make bench`: the whole-process
peer of the sqlite3 shell (and of the AWS CLI).

    python3 bench/boto3_oneshot.py SCENARIO --endpoint URL [--region R]
            [--table T] (--args JSON | --args-file PATH)

SCENARIO is one of bench/peer_boto3.py's (scan_sum, query_range, query_top,
get_items, batch_get, batch_write) and runs exactly that function, with the
same arguments the driver gives the long-lived peer (a JSON object; --table
overrides its "table"). The only difference is the process: this one starts,
imports boto3, makes what the scenario uses (a client; for batch_write, whose
function uses only the resource API, a resource), converts the arguments as
the peer does (prep_keys / prep_items), runs the operation once, prints one
JSON line and exits.

bench/run.py times the whole process from outside (wall around
subprocess.run, CPU = getrusage(RUSAGE_CHILDREN) deltas). The line printed
here is for the result check and for the breakdown in the report:
  {"rows": n, "check": [...],
   "cpu_before_op": s,   # time.process_time() when the operation starts:
                         # interpreter start, imports, client, arguments
   "op_wall": s, "op_cpu": s}   # the operation alone, as the peer times it
"""

import argparse
import json
import sys
import time

import boto3

import peer_boto3


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("scenario", choices=sorted(peer_boto3.SCENARIOS))
    p.add_argument("--endpoint", required=True)
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--table")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--args", help="the scenario's arguments, a JSON object")
    g.add_argument("--args-file", help="the same, from a file")
    o = p.parse_args(argv)
    if o.args is not None:
        args = json.loads(o.args)
    else:
        with open(o.args_file, encoding="utf-8") as f:
            args = json.load(f)
    if o.table:
        args["table"] = o.table
    session = boto3.session.Session(
        aws_access_key_id="bench", aws_secret_access_key="bench",
        region_name=o.region)
    client = resource = None
    if o.scenario == "batch_write":
        resource = session.resource("dynamodb", endpoint_url=o.endpoint)
    else:
        client = session.client("dynamodb", endpoint_url=o.endpoint)
    prep, fn = peer_boto3.SCENARIOS[o.scenario]
    if prep is not None:
        prep(args)
    w0, c0 = time.perf_counter(), time.process_time()
    rows, check = fn(client, resource, args)
    c1, w1 = time.process_time(), time.perf_counter()
    sys.stdout.write(json.dumps({"rows": rows, "check": check, "cpu_before_op": c0,
                                 "op_wall": w1 - w0, "op_cpu": c1 - c0}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
