#!/usr/bin/python3
"""Write the seed corpora of the fuzz targets into tests/fuzz/corpus/.

    tests/fuzz/seeds.py              the hand-made seeds (attrval, number,
                                     response, credparse, filter, schema,
                                     streams): rewrites them,
                                     keeps others
    tests/fuzz/seeds.py --capture    also starts DynamoDB Local (tests/server.py),
                                     loads items of every type and saves the raw
                                     bodies of real Scan, Query and GetItem
                                     responses as corpus/response/ddblocal-*.json

The seeds are small on purpose (the whole corpus stays well under 200 KB).
Inputs that libFuzzer finds stay out of the corpus (tests/fuzz/run.sh puts
them in a scratch directory); to add one, copy it here by hand or merge with
build/fuzz/fuzz_TARGET -merge=1 tests/fuzz/corpus/TARGET NEWDIR.
"""

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")
sys.path.insert(0, os.path.dirname(HERE))

SAMPLE = os.path.join(ROOT, "sql", "sampleItem.json")

LIMIT_HI = "9.9999999999999999999999999999999999999E+125"
LIMIT_LO = "1E-130"
D38 = "12345678901234567890123456789012345678"
D39 = "123456789012345678901234567890123456789"


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def compact(doc):
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def nested(n, inner):
    for _ in range(n):
        inner = {"L": [inner]}
    return inner


# Every DynamoDB type, valid.
EVERY_TYPE = {
    "s": {"S": "h\u00e9llo \u2713 \U0001F600 \"quoted\" \\ back"},
    "s_empty": {"S": ""},
    "n_int": {"N": "5"},
    "n_real": {"N": "47.6349834766135"},
    "n_exact": {"N": "0.10000000000000001"},
    "n_big": {"N": "12345678901234567890123"},
    "n_hi": {"N": LIMIT_HI},
    "n_lo": {"N": "-" + LIMIT_LO},
    "n_38": {"N": D38},
    "n_i64": {"N": "-9223372036854775808"},
    "b": {"B": "AP8BAgM="},
    "b_empty": {"B": ""},
    "bool": {"BOOL": True},
    "null": {"NULL": True},
    "ss": {"SS": ["a", "b", ""]},
    "ns": {"NS": ["1", "2.5", "-1E-130", LIMIT_HI]},
    "bs": {"BS": ["AA==", "AP8="]},
    "l": {"L": [{"S": "a"}, {"N": "1"}, {"BOOL": False}, {"NULL": True},
                {"L": []}, {"M": {}}]},
    "m": {"M": {"k": {"S": "v"}, "n": {"N": "1.50"}, "deep": {"M": {
        "l": {"L": [{"NS": ["1", "2"]}, {"B": "AA=="}, {"SS": ["x"]}]}}}}},
}


def hand_seeds():
    with open(SAMPLE, "rb") as f:
        sample = f.read()
    sample_item = json.loads(sample)

    # ---- attrval: items in DynamoDB JSON, and raw SQL text values ----------
    write("attrval", "sampleItem.json", sample)
    write("attrval", "every-type.json", compact(EVERY_TYPE))
    for k, v in EVERY_TYPE.items():
        write("attrval", "type-%s.json" % k, compact({k: v}))
    write("attrval", "nested-32.json", compact({"a": nested(32, {"S": "x"})}))
    write("attrval", "nested-33.json", compact({"a": nested(33, {"S": "x"})}))
    write("attrval", "nested-m.json", compact(
        {"a": {"M": {"b": {"M": {"c": {"L": [{"M": {"d": {"N": "1"}}}]}}}}}}))
    bad = {
        "n-39-digits": {"a": {"N": D39}},
        "n-over": {"a": {"N": "1E+126"}},
        "n-under": {"a": {"N": "1E-131"}},
        "n-syntax": {"a": {"N": "1e"}},
        "n-not-string": {"a": {"N": 5}},
        "ss-dup": {"a": {"SS": ["x", "x"]}},
        "ns-dup": {"a": {"NS": ["1", "1.0"]}},
        "ss-empty": {"a": {"SS": []}},
        "bs-bad": {"a": {"BS": ["A==="]}},
        "b-bad": {"a": {"B": "AB=C"}},
        "b-noncanonical": {"a": {"B": "AB=="}},
        "null-false": {"a": {"NULL": False}},
        "two-tags": {"a": {"S": "x", "N": "1"}},
        "no-tag": {"a": {}},
        "unknown-tag": {"a": {"X": "1"}},
        "m-not-object": {"a": {"M": []}},
        "l-not-array": {"a": {"L": {}}},
    }
    for k, v in bad.items():
        write("attrval", "bad-%s.json" % k, compact(v))
    write("attrval", "bad-dup-key.json", '{"a":{"S":"x"},"a":{"S":"y"}}')
    write("attrval", "bad-truncated.json", '{"a":{"S":"x"')
    write("attrval", "bad-trailing.json", '{"a":{"S":"x"}} x')
    write("attrval", "bad-array.json", '[{"S":"x"}]')
    write("attrval", "nul-escape.json", '{"a":{"S":"x\\u0000y"}}')
    # raw SQL text values for av_from_sqlite (every write class is tried)
    raw = {
        "int": "5", "spaces": " 5 ", "exp": "1e3", "real": "0.1",
        "hi": LIMIT_HI, "lo": LIMIT_LO, "d39": D39, "i64": "9223372036854775808",
        "true": "true", "false": "FALSE", "word": "abc",
        "ns": "[1,2.5,1E-130,\"3\"]", "ss": "[\"a\",\"b\"]", "bs": "[\"AA==\",\"AP8=\"]",
        "l": "[1,\"two\",true,null,[],{}]",
        "m": "{\"k\":\"v\",\"n\":1.50,\"l\":[{\"x\":null}]}",
        "m-numbers-in-strings": "{\"1\":\"2\",\"a\\\"3\":-4e2}",
        "decl-varchar": "VARCHAR(10)", "decl-n": "N NOT NULL", "decl-ss": "ss",
    }
    for k, v in raw.items():
        write("attrval", "raw-%s.txt" % k, v)
    write("attrval", "raw-double-pi.bin", struct.pack("<d", 3.141592653589793))
    write("attrval", "raw-double-tiny.bin", struct.pack("<d", 1e-131))
    write("attrval", "raw-int64-min.bin", struct.pack("<q", -2**63))
    # found by fuzz_attrval: text '6' then NULs was written as {"S":"6"}
    write("attrval", "raw-nul.bin", b"6\0\0\0\r\0\0\0\0\0{\0\xe0")

    # ---- number: number texts, "a,b" pairs, 8-byte doubles -----------------
    nums = ["0", "-0", "000.000", "5", "+5", "-5", "5.0", "1.50", ".5", "5.", "-0.0012",
            "1E+2", "1e2", "12.5e-3", "47.6349834766135", "-122.14228681282287",
            "1e21", "1e37", "1e38", "-1.5e40", "1.5e-7", "1.5e-6", LIMIT_HI, LIMIT_LO,
            "-" + LIMIT_LO, "1E+126", "1E-131", D38, D39, D38 + "000", "0.000" + D38,
            "9223372036854775807", "9223372036854775808", "-9223372036854775808",
            "-9223372036854775809", "0.1", "0.10000000000000001", "0.30000000000000004",
            "9007199254740993", "1.7976931348623157e308", "1e-100", "1e100000000",
            "1.2.3", "1e", "-", ".", "", "NaN", "Infinity", " 1", "0x10"]
    for i, z in enumerate(nums):
        write("number", "n%02d" % i, z)
    pairs = ["1,2", "1e2,100", "-0,0", "0.1,0.10000000000000001", LIMIT_HI + "," + LIMIT_LO,
             "-1,-2", "9007199254740993,9007199254740992"]
    for i, z in enumerate(pairs):
        write("number", "pair%02d" % i, z)
    for i, r in enumerate([0.1, 3.141592653589793, 2.0**60, 2.0**63, -2.0**63, 1e-320,
                           float("nan"), float("inf"), 1e126, 9.99e125, 1e-130, 5e-324]):
        write("number", "double%02d" % i, struct.pack("<d", r))

    # ---- filter: affinity byte, operator byte, values split at 0xff ----------
    # (value: 'i' INTEGER text, 'r' REAL 8 bytes or text, 't' TEXT, 'b' BLOB)
    vals = [b"i30", b"r30.5", b"r" + struct.pack("<d", 1e300), b"t30", b"tabc", b"tPixel 3", b"t",
            b"t 30", b"t[x", b"t1.0e+20", b"b\x01", b"b", b"n", b"i9007199254740993",
            b"r" + struct.pack("<d", -1e-200), b"t12345678901234567890123", b"tPix%", b"t*el*",
            b"t%12%", b"t\xc3\xa9", b"t\xff\xfe"]
    for aff in range(3):
        for op in range(11):
            for j, v in enumerate(vals[(aff * 11 + op) % 7::7]):
                write("filter", "a%d-op%02d-%d" % (aff, op + 1, j), bytes([aff, op]) + v)
    write("filter", "in-mixed", b"\x02\x06" + b"\xff".join(vals))

    # ---- response: hand-made bodies -----------------------------------------
    tracks = dict(sample_item)
    write("response", "scan-sample.json",
          compact({"Items": [tracks], "Count": 1, "ScannedCount": 1}))
    write("response", "get-sample.json", compact({"Item": tracks}))
    write("response", "get-none.json", "{}")
    write("response", "empty-page-lek.json", compact(
        {"Items": [], "Count": 0, "ScannedCount": 3,
         "LastEvaluatedKey": {"uuid": {"S": "u1"}, "timestamp": {"S": "2017"}}}))
    write("response", "every-type.json", compact(
        {"Items": [dict(EVERY_TYPE, uuid={"S": "u"}), {"uuid": {"S": "v"}}],
         "Count": 2, "ScannedCount": 2,
         "LastEvaluatedKey": {"uuid": {"S": "v"}, "n": {"N": "1"}}}))
    write("response", "malformed-values.json", compact(
        {"Items": [{"uuid": {"S": "u"}, "n": {"N": "x"}, "b": {"B": "!!"},
                    "two": {"S": "a", "N": "1"}, "num": 5, "ns": {"NS": [1]},
                    "l": {"L": [{"Q": 1}]}, "deep": nested(40, {"S": "x"})}]}))
    write("response", "items-not-array.json", '{"Items":{"a":1}}')
    write("response", "item-not-object.json", '{"Items":[{"uuid":{"S":"a"}},5,{}]}')
    write("response", "lek-not-object.json", '{"Items":[],"LastEvaluatedKey":"x"}')
    write("response", "lek-null.json", '{"Items":[],"LastEvaluatedKey":null}')
    write("response", "lek-dup-key.json",
          '{"Items":[],"LastEvaluatedKey":{"k":{"S":"a"},"k":{"S":"b"}}}')
    write("response", "s-nul.json", '{"Items":[{"k":{"S":"x\\u0000y"},"n":{"N":"1\\u00002"}}]}')
    # split pages (ext/page.c): Items after other members, spaced out, brackets
    # and quotes in strings, a name with an escape (read whole), a bad item
    write("response", "split-layout.json",
          '\n{ "Count" : 2,\t"Items" : [ {"a]}":{"S":"}]\\"[{"}} ,\r\n'
          '{"b":{"N":"1"}} ] , "LastEvaluatedKey":{"a]}":{"S":"x"}} }\n')
    write("response", "split-escaped-name.json", '{"\\u0041":1,"Items":[{"a":{"S":"x"}}]}')
    write("response", "split-bad-item.json", '{"Items":[{"a":{"S":"x"}},{"b":tru},]}')
    write("response", "not-json.html", "<html><body>502 Bad Gateway</body></html>")
    write("response", "not-object.json", "[1,2]")
    write("response", "truncated.json", '{"Items":[{"uuid":{"S":"a')
    write("response", "error-body.json", compact(
        {"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
         "message": "Requested resource not found"}))


# ---- real responses from DynamoDB Local ------------------------------------

def capture():
    import ddbclient
    state = tempfile.mkdtemp(prefix="dynamo-seeds.")
    server = os.path.join(ROOT, "tests", "server.py")
    try:
        port = subprocess.check_output(
            ["/usr/bin/python3", server, "start", "--server", "dynamodb-local",
             "--state", state]).decode().strip()
        c = ddbclient.Client("http://127.0.0.1:%s" % port)
        c.create_table("Tracks", hash=("uuid", "S"), range=("timestamp", "S"))
        with open(SAMPLE) as f:
            sample = json.load(f)
        c.put_item("Tracks", sample)
        for i in range(3):
            item = dict(EVERY_TYPE)
            item["uuid"] = {"S": "every-type"}
            item["timestamp"] = {"S": "2017-12-2%dT00:00:00Z" % i}
            c.put_item("Tracks", item)

        def save(name, op, payload):
            status, body = c.raw(op, payload)
            if status != 200:
                raise RuntimeError("%s: HTTP %d %r" % (op, status, body[:200]))
            write("response", "ddblocal-%s.json" % name, body)

        save("scan", "Scan", {"TableName": "Tracks"})
        save("scan-limit1", "Scan", {"TableName": "Tracks", "Limit": 1})
        save("query-desc", "Query", {
            "TableName": "Tracks", "ScanIndexForward": False, "Limit": 2,
            "KeyConditionExpression": "#p = :v0",
            "ExpressionAttributeNames": {"#p": "uuid"},
            "ExpressionAttributeValues": {":v0": {"S": "every-type"}}})
        save("query-project", "Query", {
            "TableName": "Tracks", "KeyConditionExpression": "#p = :v0",
            "ProjectionExpression": "#p, #t, #l",
            "ExpressionAttributeNames": {"#p": "uuid", "#t": "timestamp", "#l": "latitude"},
            "ExpressionAttributeValues": {":v0": {"S": "test-uuid"}}})
        save("query-none", "Query", {
            "TableName": "Tracks", "KeyConditionExpression": "#p = :v0",
            "ExpressionAttributeNames": {"#p": "uuid"},
            "ExpressionAttributeValues": {":v0": {"S": "nobody"}}})
        save("getitem", "GetItem", {
            "TableName": "Tracks", "Key": {"uuid": sample["uuid"],
                                           "timestamp": sample["timestamp"]}})
        save("getitem-none", "GetItem", {
            "TableName": "Tracks", "Key": {"uuid": {"S": "x"}, "timestamp": {"S": "y"}}})
    finally:
        subprocess.call(["/usr/bin/python3", server, "stop", "--state", state])
        shutil.rmtree(state, ignore_errors=True)


def credparse_seeds():
    """Answers of credential sources (fuzz_credparse): STS XML, the JSON of
    credential_process, containers, instance metadata, IAM Identity Center
    and its token cache, command lines and times."""
    creds = ("<Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>"
             "wJalr/K7MDENG+bPxRfi&amp;&#x41;</SecretAccessKey><SessionToken>FQoG//=="
             "</SessionToken><Expiration>2024-05-01T12:00:00Z</Expiration></Credentials>")
    write("credparse", "sts-assume-role.xml",
          "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
          "<AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s</Arn>"
          "</AssumedRoleUser>%s</AssumeRoleResult></AssumeRoleResponse>" % creds)
    write("credparse", "sts-web-identity.xml",
          "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult>%s"
          "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>" % creds)
    write("credparse", "sts-error.xml",
          "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not "
          "authorized &lt;x&gt;</Message></Error></ErrorResponse>")
    write("credparse", "sts-cut.xml", creds[:90])
    write("credparse", "process.json", compact({
        "Version": 1, "AccessKeyId": "AKID", "SecretAccessKey": "s", "SessionToken": "t",
        "Expiration": "2024-05-01T12:00:00.123+02:00"}))
    write("credparse", "imds.json", compact({
        "Code": "Success", "AccessKeyId": "ASIA", "SecretAccessKey": "s", "Token": "t",
        "Expiration": "2024-05-01T12:00:00Z"}))
    write("credparse", "sso-role.json", compact({"roleCredentials": {
        "accessKeyId": "ASIA", "secretAccessKey": "s", "sessionToken": "t",
        "expiration": 1714564800000}}))
    write("credparse", "sso-cache.json", compact({
        "startUrl": "https://x.awsapps.com/start", "region": "us-east-1", "accessToken": "a",
        "expiresAt": "2024-05-01T12:00:00Z", "clientId": "c", "clientSecret": "s",
        "registrationExpiresAt": "2024-08-01T00:00:00Z", "refreshToken": "r"}))
    write("credparse", "oidc.json", compact({"accessToken": "a", "expiresIn": 3600,
                                             "refreshToken": "r"}))
    write("credparse", "command-line.txt", "/usr/bin/get \"a \\\" b\" 'c d' e\\ f")
    write("credparse", "time.txt", "2024-05-01 14:00:00.5+0200")


def schema_seeds():
    """A database file's dynamo table (fuzz_schema): the arguments of its
    CREATE on the first line, then rows of t_schema (name, type, key) and,
    after I, of t_index; tab-separated, \\N for NULL."""
    keys = "uuid\tS\tHASH\n"
    write("schema", "declared.txt", "table=T, uuid TEXT, a N, b TEXT\n" + keys +
          "a\tN\t\\N\nb\tTEXT\t\\N\nx60\tVARCHAR(10)\t\\N\n")
    write("schema", "discovered.txt", "table=T\n" + keys + "a\tN\t\\N\nc\tBOOL\t\\N\n"
          "d\t\t\\N\nh\tM\t\\N\ne\tSS\t\\N\n")
    write("schema", "index.txt", "table=T, indexes=byA\n" + keys + "a\tN\t\\N\n"
          "I\tbyA\t1\ta\tN\t\\N\t\\N\tALL\t\\N\n"
          "I\tbyB\t0\tuuid\tS\tb\tS\tINCLUDE\t[\"a\"]\n")
    write("schema", "sixty.txt", "table=T\n" + keys + "a\tTEXT, " +
          ", ".join("x%d TEXT" % i for i in range(1, 61)) + "\t\\N\n")
    write("schema", "closing.txt", "table=T\n" + keys +
          "a\tTEXT, \"_key\" TEXT HIDDEN, PRIMARY KEY(\"_key\")) WITHOUT ROWID --\t\\N\n")
    write("schema", "create-type.txt", "table=T, uuid TEXT, a 'TEXT, y1 TEXT, y2 TEXT'\n" + keys)
    write("schema", "options.txt", "table=T, segments=4, segment=1-2, consistent_read=1, "
          "filter=0, scan=0, max_attempts=2, request_timeout_ms=1000\n" + keys)
    write("schema", "untrusted.txt", "table=T, endpoint='http://127.0.0.1:1', allow_http=1, "
          "profile=admin, segments=1000000\n" + keys)


def streams_seeds():
    """DynamoDB Streams' answers (fuzz_streams): GetRecords as DynamoDB Local
    writes them (every type, a TTL expiry, the end of a closed shard),
    DescribeStream with a lineage and a page marker, and broken ones."""
    keys = {"k": {"S": "a"}}
    image = dict(EVERY_TYPE, k={"S": "a"})

    def record(event, seq, **d):
        out = {"eventID": "e%s" % seq, "eventName": event, "eventVersion": "1.1",
               "eventSource": "aws:dynamodb", "awsRegion": "ddblocal",
               "dynamodb": dict({"ApproximateCreationDateTime": 1.79659776E9,
                                 "Keys": keys, "SequenceNumber": "%021d" % seq,
                                 "SizeBytes": 31, "StreamViewType": "NEW_AND_OLD_IMAGES"}, **d)}
        return out
    ttl = record("REMOVE", 4, OldImage=image)
    ttl["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    write("streams", "records.json", compact({
        "Records": [record("INSERT", 1, NewImage=image),
                    record("MODIFY", 2, NewImage=keys, OldImage=image),
                    record("REMOVE", 3, OldImage=keys), ttl],
        "NextShardIterator": "arn:aws:dynamodb:ddblocal:000000000000:table/T/stream/x|001|c2g="}))
    write("streams", "records-end.json", '{"Records":[]}')
    write("streams", "records-keys-only.json", compact({"Records": [
        dict(record("INSERT", 1), dynamodb={"Keys": keys, "SequenceNumber": "1",
                                            "StreamViewType": "KEYS_ONLY"})]}))
    write("streams", "records-order.json", compact({"Records": [
        record("REMOVE", 5), record("REMOVE", 5)], "NextShardIterator": None}))
    write("streams", "describe.json", compact({"StreamDescription": {
        "StreamArn": "arn:aws:dynamodb:ddblocal:000000000000:table/T/stream/x",
        "StreamStatus": "ENABLED", "StreamViewType": "NEW_AND_OLD_IMAGES",
        "TableName": "T", "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
        "Shards": [
            {"ShardId": "shardId-a", "SequenceNumberRange": {
                "StartingSequenceNumber": "1", "EndingSequenceNumber": "9"}},
            {"ShardId": "shardId-b", "ParentShardId": "shardId-a",
             "SequenceNumberRange": {"StartingSequenceNumber": "10"}},
            {"ShardId": "shardId-c", "ParentShardId": "shardId-c"},
            {"ShardId": "shardId-d", "ParentShardId": "shardId-e"},
            {"ShardId": "shardId-e", "ParentShardId": "shardId-d"}],
        "LastEvaluatedShardId": "shardId-e"}}))
    write("streams", "describe-disabled.json", compact({"StreamDescription": {
        "StreamStatus": "DISABLED", "StreamViewType": "KEYS_ONLY", "Shards": []}}))


def main(argv):
    hand_seeds()
    credparse_seeds()
    schema_seeds()
    streams_seeds()
    if "--capture" in argv:
        capture()
    total = 0
    for root, _, files in os.walk(CORPUS):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    print("seeds: %d bytes in %s" % (total, os.path.relpath(CORPUS, ROOT)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
