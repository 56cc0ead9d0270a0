"""botocore's answers to the questions the SDK-behaviour tests ask the
extension (tests/e2e/test_175_retries.py, test_176_endpoints.py): run with a
python that has botocore (credfakes.botocore_python()), one question a line
on stdin, one answer a line on stdout. botocore is the reference; this file
only puts its own classes to work, with the random numbers and the clock
given.

    python3 tests/botocore_sdk.py retry      # the questions of test_retry --oracle
    python3 tests/botocore_sdk.py endpoint   # those of test_endpoint --oracle
    python3 tests/botocore_sdk.py streams-endpoint   # ... --oracle-streams
    python3 tests/botocore_sdk.py client     # JSON lines: {"env": {...}, "op":
        "DescribeTable", "params": {...}, "scans": n[, "service":
        "dynamodbstreams"]}: what a client made in
        exactly that environment does (the URL it would send to, without
        sending; or each call's outcome against a real endpoint)

Retry questions are answered with AWS_NEW_RETRIES_2026=true, the standard
mode of the SDKs' November 2026 defaults (set it before starting this).
"""

import json
import os
import sys


def retry_questions():
    import botocore.session
    import botocore.awsrequest
    import botocore.exceptions
    import botocore.translate
    from binascii import crc32
    from botocore import retryhandler
    from botocore.retries import standard, quota, adaptive, bucket, throttling
    from botocore.configprovider import NEW_RETRIES_ENABLED
    assert NEW_RETRIES_ENABLED, "run with AWS_NEW_RETRIES_2026=true"
    sess = botocore.session.get_session()
    model = sess.get_service_model("dynamodb")
    op = model.operation_model("Scan")
    data = sess.get_component("data_loader").load_data("_retry")
    legacy = retryhandler.create_retry_handler(botocore.translate.build_retry_config(
        "dynamodb", data["retry"], data.get("definitions", {})), "dynamodb")
    detector = standard.ThrottlingErrorDetector(standard.RetryEventAdapter())

    def context(attempt, status, code, transport, checksum, header=None, op=op):
        if transport:
            return standard.RetryContext(
                attempt_number=attempt, operation_model=op,
                caught_exception=botocore.exceptions.EndpointConnectionError(endpoint_url="x"))
        body = b'{"x":1}'
        headers = {"x-amz-crc32": str((crc32(body) & 0xffffffff) ^ (1 if checksum else 0))}
        if header is not None:
            headers["x-amz-retry-after"] = header
        resp = botocore.awsrequest.AWSResponse("https://x", status, headers, None)
        resp._content = body
        return standard.RetryContext(attempt_number=attempt, operation_model=op,
                                     http_response=resp,
                                     parsed_response={"Error": {"Code": code}} if code else {})

    def classify(mode, status, code, transport, checksum, opname):
        c = context(1, status, code, transport, checksum, op=model.operation_model(opname))
        if mode == "legacy":
            try:
                d = legacy(attempts=1, request_dict={"context": {}},
                           response=None if transport else (c.http_response, c.parsed_response),
                           caught_exception=c.caught_exception)
            except botocore.exceptions.ChecksumError:
                d = 1
            if d is None:
                return 0
        elif not standard.StandardRetryConditions(max_attempts=100).is_retryable(c):
            return 0
        return 2 if detector.is_throttling_error_from_context(c) else 1

    q = quota.RetryQuota()
    checker = standard.RetryQuotaChecker(q, detector)

    class Clock(bucket.Clock):
        now = 0.0

        def current_time(self):
            return self.now

    clock = limiter = None
    for line in sys.stdin:
        a = line.split()
        if a[0] == "classify":
            out = classify(a[1], int(a[2]), None if a[3] == "-" else a[3], int(a[4]), int(a[5]),
                           a[6])
        elif a[0] == "attempts":
            if a[1] == "legacy":
                out = botocore.translate.build_retry_config(
                    "dynamodb", data["retry"], data.get("definitions", {}))["__default__"][
                        "max_attempts"]
            else:  # what register_retry_handler gives a dynamodb client
                out = standard._SERVICE_MAX_ATTEMPTS["dynamodb"]
        elif a[0] == "delay":
            mode, n, cls, rnd, hdr = a[1], int(a[2]), int(a[3]), int(a[4]), a[5]
            if mode == "legacy":
                ms = retryhandler.create_exponential_delay_function(0.05, 2)(attempts=n) * 1000
            else:
                b = standard.ExponentialBackoff(random=lambda: rnd / 2.0 ** 32,
                                                service_name="dynamodb",
                                                throttling_detector=detector)
                c = context(n, 400 if cls == 2 else 500, "ThrottlingException" if cls == 2 else None,
                            0, 0, None if hdr == "-" else hdr.replace("~", " "))
                ms = b.delay_amount(c) * 1000
            out = "%.9f" % ms
        elif a[0] == "quota":
            cost = 0
            if a[1] == "acquire":
                c = context(2, 400 if a[2] == "2" else 500,
                            "ThrottlingException" if a[2] == "2" else None, 0, 0)
                if checker.acquire_retry_quota(c):
                    cost = c.request_context["retry_quota_capacity"]
            else:
                ctx = {"retry_quota_capacity": int(a[2])} if int(a[2]) else {}
                checker.release_retry_quota(ctx, botocore.awsrequest.AWSResponse("x", 200, {}, None))
            out = "%d %d" % (cost, q.available_capacity)
        elif a[0] == "rate":
            t = float(a[2])
            wait = 0.0
            if a[1] == "init":
                clock = Clock()
                clock.now = t
                limiter = adaptive.ClientRateLimiter(
                    rate_adjustor=throttling.CubicCalculator(starting_max_rate=0, start_time=t),
                    rate_clocker=adaptive.RateClocker(clock),
                    token_bucket=bucket.TokenBucket(max_rate=1, clock=clock),
                    throttling_detector=detector, clock=clock)
            elif a[1] == "acquire":
                clock.now = t
                if limiter._enabled:  # on_sending_request, without blocking
                    try:
                        limiter._token_bucket.acquire(1, block=False)
                    except botocore.exceptions.CapacityNotAvailableError:
                        wait = limiter._token_bucket._sleep_amount(1)
            else:
                clock.now = t
                throttled = len(a) > 3 and a[3] == "1"
                c = context(1, 400 if throttled else 200,
                            "ThrottlingException" if throttled else None, 0, 0)
                limiter.on_receiving_response(
                    response=(c.http_response, c.parsed_response), attempts=1, operation=op,
                    caught_exception=None, request_dict={"context": {}})
            tb = limiter._token_bucket
            out = "%.9f %.9f %.9f %.9f %d" % (wait, tb.max_rate, tb.available_capacity,
                                              limiter._rate_clocker.measured_rate,
                                              1 if limiter._enabled else 0)
        else:
            raise SystemExit("bad question: " + line)
        print(out, flush=True)


def endpoint_questions():
    import botocore.session
    from botocore.endpoint_provider import EndpointProvider
    from botocore.exceptions import EndpointResolutionError
    loader = botocore.session.get_session().get_component("data_loader")
    provider = EndpointProvider(loader.load_service_model("dynamodb", "endpoint-rule-set-1"),
                                loader.load_data("partitions"))
    names = ("Region", "UseFIPS", "UseDualStack", "AccountId", "AccountIdEndpointMode",
             "ResourceArn", "Endpoint")
    for line in sys.stdin:
        params = {}
        for name, v in zip(names, line.rstrip("\n").split("\t")):
            if v == "-":
                continue
            params[name] = v == "1" if name in ("UseFIPS", "UseDualStack") else v
        params.setdefault("UseFIPS", False)
        params.setdefault("UseDualStack", False)
        try:
            out = provider.resolve_endpoint(**params).url
        except EndpointResolutionError as e:
            out = "error: " + str(e)
        print(out, flush=True)


def streams_endpoint_questions():
    """test_endpoint --oracle-streams's lines: region, fips, dualstack,
    endpoint ('-': none), through DynamoDB Streams' rule set."""
    import botocore.session
    from botocore.endpoint_provider import EndpointProvider
    from botocore.exceptions import EndpointResolutionError
    loader = botocore.session.get_session().get_component("data_loader")
    provider = EndpointProvider(
        loader.load_service_model("dynamodbstreams", "endpoint-rule-set-1"),
        loader.load_data("partitions"))
    names = ("Region", "UseFIPS", "UseDualStack", "Endpoint")
    for line in sys.stdin:
        params = {}
        for name, v in zip(names, line.rstrip("\n").split("\t")):
            if v != "-":
                params[name] = v == "1" if name in ("UseFIPS", "UseDualStack") else v
        params.setdefault("UseFIPS", False)
        params.setdefault("UseDualStack", False)
        try:
            out = provider.resolve_endpoint(**params).url
        except EndpointResolutionError as e:
            out = "error: " + str(e)
        print(out, flush=True)


class Stop(Exception):
    pass


def client_questions():
    import boto3
    import botocore.config
    for line in sys.stdin:
        req = json.loads(line)
        os.environ.clear()
        os.environ.update(req["env"])
        seen = []
        try:
            session = boto3.Session(profile_name=req.get("profile"))
            cfg = botocore.config.Config(**req.get("config", {}))
            c = session.client(req.get("service", "dynamodb"), config=cfg)
            if req.get("scans") is None:
                def stop(request, **kwargs):
                    seen.append(request.url)
                    raise Stop()
                c.meta.events.register("before-send", stop)
                try:
                    getattr(c, req.get("method", "describe_table"))(**req.get("params", {}))
                except Stop:
                    pass
                out = {"url": seen[0] if seen else None}
            else:
                results = []
                for _ in range(req["scans"]):
                    try:
                        r = c.scan(TableName=req.get("table", "Fake"))
                        results.append({"ok": r.get("Items", []),
                                        "attempts": r["ResponseMetadata"].get("RetryAttempts")})
                    except Exception as e:  # botocore's error, as it reports it
                        results.append({"error": type(e).__name__ + ": " + str(e)})
                out = {"results": results}
        except Exception as e:
            out = {"error": "%s: %s" % (type(e).__name__, e)}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    {"retry": retry_questions, "endpoint": endpoint_questions,
     "streams-endpoint": streams_endpoint_questions,
     "client": client_questions}[sys.argv[1]]()
