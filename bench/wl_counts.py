"""Requests, TCP connections and capacity (untimed): every scenario of the
running scenario families once more per client, through tests/faultproxy.py
at rate 0 with a CapacityMeter as its upstream. The scenario's own family
runs it (its count_once); this pass counts. The extension's connection
also reads its dynamo_stats, which must equal what the proxy counted on
that same run (a warning in the report when it does not).

Reported here: the target of connection reuse in (d).
"""

from common import CapacityMeter, log, stats_disagree, verdict

NAME = "counts"


def run(b, db):
    if not b.scenarios():
        b.notes.append("counts: no scenario family ran (--only), nothing to count")
        return
    from faultproxy import FaultProxy
    log("counting requests, connections and capacity through tests/faultproxy.py (rate 0)")
    proxy = FaultProxy(b.url, rate=0, seed=0)
    meter = CapacityMeter(proxy._up)
    proxy._up = meter
    proxy.start()
    try:
        for key, _, _ in b.scenarios():
            fam = b.family_of(key)
            for who in ("ext", "boto3", "cli"):
                if who == "boto3" and not b.peer:
                    continue
                if who == "cli" and (not b.aws or not b.args.cli_reps):
                    continue
                proxy.reset_stats()
                meter.reset()
                ran = fam.count_once(b, key, who, proxy.url)
                if ran is None:
                    continue
                if "computed" in ran:
                    b.counts.setdefault(key, {})[who] = {
                        "requests": ran["computed"], "ops": {},
                        "connections": None, "capacity": None, "computed": True}
                    continue
                st = proxy.stats
                ops = {op: v["requests"] for op, v in st["ops"].items()}
                main_ops = {op: n for op, n in ops.items() if op != "DescribeTable"}
                b.counts.setdefault(key, {})[who] = {
                    "requests": sum(main_ops.values()), "ops": ops,
                    "connections": st["connections"],
                    "capacity": meter.total()}
                ext_st = ran.get("stats")
                if ext_st is not None:
                    c = b.counts[key][who]
                    c["stats"] = ext_st
                    why = stats_disagree(ext_st, c)
                    if why:
                        b.stats_warnings.append(
                            "(%s) dynamo_stats and the proxy disagree on the same run: %s"
                            % (key, why))
    finally:
        proxy.close()


def targets(b):
    cn = b.counts.get("d", {}).get("ext")
    if not cn:
        return []
    return ["(d) connection reuse: %d requests on %s connection(s), %s"
            % (cn["requests"], cn["connections"], verdict(cn["connections"] == 1))]
