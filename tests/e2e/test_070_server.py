"""What a real server rarely does, played by tests/fakeserver.py: pages with
no items that still carry LastEvaluatedKey, throttling and 5xx (retried),
errors that are final, bodies that are not JSON, a closed port. Also what
every request carries (signature, target, content type)."""

import os
import socket

from harness import environ, connect, eq, raises
from fakeserver import FakeServer, describe

ITEM = {"uuid": {"S": "u1"}, "timestamp": {"S": "t1"}, "n": {"N": "5"}}
THROTTLED = (400, {"__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                   "message": "Rate of requests exceeds the allowed throughput."})


def open_table(fs, columns="n N"):
    c = connect()
    fs.script("DescribeTable", describe())
    c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s', %s)" % (fs.url, columns))
    return c


def test_empty_pages_with_a_last_evaluated_key_are_followed():
    with FakeServer() as fs:
        c = open_table(fs)
        lek = {"uuid": {"S": "u0"}, "timestamp": {"S": "t0"}}
        fs.script("Scan", (200, {"Items": [], "Count": 0, "ScannedCount": 0, "LastEvaluatedKey": lek}),
                  (200, {"Items": [], "Count": 0, "ScannedCount": 0, "LastEvaluatedKey": lek}),
                  (200, {"Items": [ITEM], "Count": 1, "ScannedCount": 1, "LastEvaluatedKey": lek}),
                  (200, {"Items": [], "Count": 0, "ScannedCount": 0}))
        eq(c.execute("SELECT uuid, timestamp, n FROM t").fetchall(), [("u1", "t1", 5)])
        scans = [b for op, h, b in fs.requests if op == "Scan"]
        eq(len(scans), 4)
        assert "ExclusiveStartKey" not in scans[0]
        assert all(s["ExclusiveStartKey"] == lek for s in scans[1:]), scans


def test_query_pages_and_in_lists_with_empty_pages():
    with FakeServer() as fs:
        c = open_table(fs)
        lek = {"uuid": {"S": "a"}, "timestamp": {"S": "t0"}}
        fs.script("Query", (200, {"Items": [], "LastEvaluatedKey": lek}),
                  (200, {"Items": [dict(ITEM, uuid={"S": "a"})]}),
                  (200, {"Items": []}),
                  (200, {"Items": [dict(ITEM, uuid={"S": "c"})]}))
        # (n, not only uuid: a query that reads only the partition key counts)
        eq(c.execute("SELECT uuid, n FROM t WHERE uuid IN ('a', 'b', 'c') ORDER BY 1").fetchall(),
           [("a", 5), ("c", 5)])
        eq(fs.ops().count("Query"), 4)


def test_requests_are_signed_and_typed():
    with FakeServer() as fs:
        c = open_table(fs)
        fs.script("GetItem", (200, {"Item": ITEM}))
        eq(c.execute("SELECT n FROM t WHERE uuid = 'u1' AND timestamp = 't1'").fetchall(), [(5,)])
        op, headers, body = fs.requests[-1]
        h = {k.lower(): v for k, v in headers.items()}
        eq(h["x-amz-target"], "DynamoDB_20120810.GetItem")
        eq(h["content-type"], "application/x-amz-json-1.0")
        assert h["authorization"].startswith("AWS4-HMAC-SHA256 Credential=%s/" % os.environ["AWS_ACCESS_KEY_ID"]), h
        assert "/us-east-1/dynamodb/aws4_request" in h["authorization"], h
        assert "SignedHeaders=content-type;host;x-amz-date;x-amz-target" in h["authorization"], h
        assert os.environ["AWS_SECRET_ACCESS_KEY"] not in str(headers)
        assert "x-amz-date" in h


def test_throttling_and_5xx_are_retried():
    with FakeServer() as fs:
        c = open_table(fs)
        fs.script("Scan", THROTTLED, (500, {"__type": "InternalServerError", "Message": "oops"}),
                  (503, b"<html><body>Service Unavailable</body></html>", "text/html"),
                  (200, {"Items": [ITEM]}))
        eq(c.execute("SELECT n FROM t").fetchall(), [(5,)])
        eq(fs.ops().count("Scan"), 4)


def test_final_errors_are_not_retried_and_read_well():
    with FakeServer() as fs:
        c = open_table(fs)
        fs.script("Scan", (400, {"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
                                 "Message": "Requested resource not found"}))
        raises(lambda: c.execute("SELECT n FROM t").fetchall(),
               "dynamo: Scan on Fake failed: ResourceNotFoundException: Requested resource not found")
        eq(fs.ops().count("Scan"), 1)
        fs.script("Scan", (400, {"__type": "com.amazon.coral.validate#ValidationException",
                                 "message": "lower-case message"}))
        raises(lambda: c.execute("SELECT n FROM t").fetchall(),
               "dynamo: Scan on Fake failed: ValidationException: lower-case message")
        fs.script("Scan", (403, b"<html><h1>Forbidden</h1>\n\n</html>", "text/html"))
        raises(lambda: c.execute("SELECT n FROM t").fetchall(),
               "dynamo: Scan on Fake failed: HTTP 403: <html><h1>Forbidden</h1> </html>")


def test_retries_stop_after_max_attempts():
    with environ(AWS_MAX_ATTEMPTS="3"), FakeServer() as fs:
        c = open_table(fs)
        fs.script("Scan", *[(500, {"__type": "InternalServerError", "message": "down"})] * 5)
        raises(lambda: c.execute("SELECT n FROM t").fetchall(),
               "dynamo: Scan on Fake failed: InternalServerError: down (after 3 attempts)")
        eq(fs.ops().count("Scan"), 3)


def test_a_body_that_is_not_json_is_an_error():
    with environ(AWS_MAX_ATTEMPTS="2"), FakeServer() as fs:
        c = open_table(fs)
        fs.script("Scan", (200, b'{"Items": [tru'), (200, b"hello"))
        raises(lambda: c.execute("SELECT n FROM t").fetchall(),
               "InvalidResponse: the response is not a JSON object (after 2 attempts)")


def test_malformed_items_are_errors_not_crashes():
    with FakeServer() as fs:
        c = open_table(fs)
        fs.script("Scan", (200, {"Items": {"not": "a list"}}))
        raises(lambda: c.execute("SELECT n FROM t").fetchall(), "malformed response")
        fs.script("Scan", (200, {"Items": [ITEM, 5]}))
        raises(lambda: c.execute("SELECT n FROM t").fetchall(), "malformed item")
        fs.script("Scan", (200, {"Items": [dict(ITEM, n={"N": "not a number"})]}))
        raises(lambda: c.execute("SELECT n FROM t").fetchall(), "malformed attribute value")


def test_pages_are_read_item_by_item():
    """A Query or Scan page is split (ext/page.c): its items are parsed one
    at a time as SQLite reads them. Whatever the layout, the rows and the
    next page's key are the ones the body holds."""
    with FakeServer() as fs:
        c = open_table(fs, "n N, s S")
        first = (b'\n{ "LastEvaluatedKey" : {"uuid":{"S":"u]"},"timestamp":{"S":"t\\"{"}},'
                 b'\t"Items" : [ {"uuid":{"S":"a]}"},"timestamp":{"S":"\\"[{"},"n":{"N":"1"}} ,\r\n'
                 b'{"uuid":{"S":"b"},"timestamp":{"S":"t"},"s":{"S":"Items\\u00e9"}} ] ,'
                 b' "Count" : 2 }\n')
        fs.script("Scan", (200, first), (200, {"Items": [ITEM], "Count": 1}))
        eq(c.execute("SELECT uuid, timestamp, n, s FROM t").fetchall(),
           [("a]}", '"[{', 1, None), ("b", "t", None, "Items\u00e9"), ("u1", "t1", 5, None)])
        scans = [b for op, h, b in fs.requests if op == "Scan"]
        eq(scans[1]["ExclusiveStartKey"], {"uuid": {"S": "u]"}, "timestamp": {"S": 't"{'}})
        # an item that is not JSON, in a body whose brackets pair up: the rows
        # before it, then an error at it (a cut body is retried, as above)
        bad = (200, b'{"Items":[{"uuid":{"S":"a"},"timestamp":{"S":"t"}},'
                    b'{"uuid":{"S":tru}}],"Count":2}')
        fs.script("Scan", bad, bad)
        eq(c.execute("SELECT uuid FROM t LIMIT 1").fetchall(), [("a",)])
        raises(lambda: c.execute("SELECT uuid FROM t").fetchall(),
               "dynamo: Scan on Fake: malformed item in the response")
        fs.script("Scan", (200, b'{"Items":[{"uuid":{"S":"a"},"timestamp":{"S":"t"}},],"Count":1}'))
        raises(lambda: c.execute("SELECT uuid FROM t").fetchall(), "malformed item in the response")
        fs.script("Scan", (200, b'{"Items":[5],"Count":1}'))
        raises(lambda: c.execute("SELECT uuid FROM t").fetchall(), "malformed response (Items)")
        eq(fs.ops().count("Scan"), 6)


def test_closed_port_fails_fast_with_the_endpoint_named():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with environ(AWS_MAX_ATTEMPTS="2"):
        c = connect()
        e = raises(lambda: c.execute(
            "CREATE VIRTUAL TABLE t USING dynamo(table=Gone, endpoint='http://127.0.0.1:%d')" % port),
            "dynamo: DescribeTable on Gone failed: ")
        assert "127.0.0.1:%d" % port in str(e) and "after 2 attempts" in str(e), e


def test_a_response_bigger_than_any_page_is_refused():
    with FakeServer() as fs:
        c = open_table(fs)
        fs.script("Scan", (200, b'{"Items": ["' + b"x" * (40 << 20) + b'"]}'))
        e = raises(lambda: c.execute("SELECT n FROM t").fetchall(),
                   "the response is larger than 32 MB")
        eq(fs.ops().count("Scan"), 1)  # not retried


def test_what_cannot_be_read_exactly_is_an_error():
    with FakeServer() as fs:
        c = open_table(fs)
        # cJSON would cut "x\u0000y" to "x": refused, not mangled
        fs.script("Scan", (200, b'{"Items": [{"uuid": {"S": "x\\u0000y"}, "timestamp": {"S": "t"}}]}'))
        raises(lambda: c.execute("SELECT uuid FROM t").fetchall(), "holds a NUL character")
        eq(fs.ops().count("Scan"), 1)
        # an escaped backslash before u0000 is just text
        fs.script("Scan", (200, b'{"Items": [{"uuid": {"S": "x\\\\u0000y"}, "timestamp": {"S": "t"}}]}'))
        eq(c.execute("SELECT uuid FROM t").fetchall(), [("x\\u0000y",)])
        # ... and an escaped backslash followed by \u0000 is a NUL again
        fs.script("Scan", (200, b'{"Items": [{"uuid": {"S": "x\\\\\\u0000y"}, "timestamp": {"S": "t"}}]}'))
        raises(lambda: c.execute("SELECT uuid FROM t").fetchall(), "holds a NUL character")
        # trailing bytes after the object: not a whole JSON answer
        fs.script("Scan", (200, b'{"Items": []} trailing'), (200, b'{"Items": []} trailing'),
                  (200, {"Items": []}))
        eq(c.execute("SELECT uuid FROM t").fetchall(), [])
        eq(fs.ops().count("Scan"), 6)  # the two bad answers were retried
        # a null LastEvaluatedKey ends the pages
        fs.script("Scan", (200, {"Items": [ITEM], "LastEvaluatedKey": None}))
        eq(len(c.execute("SELECT uuid FROM t").fetchall()), 1)
        eq(fs.ops().count("Scan"), 7)
    # a key compared with text holding NUL: no key read is such text (it
    # would be the error above), so it equals none and nothing is sent; a
    # bound of that text bounds nothing and SQLite checks it
    with FakeServer() as fs:
        c = open_table(fs)
        eq(c.execute("SELECT * FROM t WHERE uuid = 'a' || char(0) || 'b' "
                     "AND timestamp = 't'").fetchall(), [])
        eq(fs.ops().count("GetItem"), 0)
        fs.script("Query", (200, {"Items": [ITEM]}))
        eq(len(c.execute("SELECT * FROM t WHERE uuid = 'u1' "
                         "AND timestamp > 'a' || char(0)").fetchall()), 1)
        eq(fs.ops().count("Query"), 1)


def test_discovery_refuses_malformed_items():
    with FakeServer() as fs:
        c = connect()
        fs.script("DescribeTable", describe())
        fs.script("Scan", (200, {"Items": [["x"]]}))
        raises(lambda: c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s')"
                                 % fs.url), "malformed item in the response")
