#!/usr/bin/python3
"""An HTTP proxy in front of a local DynamoDB server for the tests of
dynamo_sync(): every DynamoDB request is forwarded to the server; DynamoDB
Streams requests are forwarded too, or, for the tables it records, answered
from a stream of its own that it writes from the writes passing through.

Standard library only (Debian's /usr/bin/python3). Listens on 127.0.0.1.

    from streamfake import StreamFake
    with StreamFake(upstream_url) as f:
        f.url                       # give it as AWS_ENDPOINT_URL_DYNAMODB: the
                                    # extension sends Streams requests to the
                                    # table's endpoint when none is set for them
        f.before = fn               # fn(op, body) before each request is
                                    # handled (writes during a load, a kill)
        f.ops()                     # the operations received, in order
        f.shard_events()            # (operation, shard id) of the Streams ones

    Its own stream (both servers; dynalite has none):
        f.record(table, view="NEW_AND_OLD_IMAGES")
                                    # DescribeTable shows a stream; each write
                                    # through the proxy (PutItem, UpdateItem,
                                    # DeleteItem, BatchWriteItem,
                                    # TransactWriteItems) becomes a record with
                                    # the item as a consistent GetItem reads it
                                    # after the write, writes one at a time
        f.split(table)              # each open shard closes, two children open
        f.expire_iterators()        # iterators given so far expire
        f.trim(table)               # the records so far are trimmed
        f.ttl_delete(table, key)    # DynamoDB's Time to Live removes an item
        f.disable(table) / f.enable(table)   # a new stream ARN
        f.page_size = 2             # DescribeStream's shards a page

Sequence numbers are 21 digits, increasing per stream; an iterator is
"fake|ARN|SHARD|INDEX|GENERATION". Errors come as DynamoDB Streams sends them:
ExpiredIteratorException, TrimmedDataAccessException,
ResourceNotFoundException (400, {"__type": "...#Name", "message": ...}).
"""

import http.client
import http.server
import email.utils
import json
import socket
import threading
import time
import urllib.parse
import zlib

import ddbclient

STREAMS = "DynamoDBStreams_20120810."
DYNAMO = "DynamoDB_20120810."
PREFIX = "com.amazonaws.dynamodb.v20120810#"


class _Error(Exception):
    def __init__(self, name, message):
        super().__init__(message)
        self.name = name


def _key_of(item, names):
    return {n: item[n] for n in names if n in item}


def _key_text(key):
    return json.dumps(key, sort_keys=True, separators=(",", ":"))


class _Shard:
    def __init__(self, sid, parent, start):
        self.id = sid
        self.parent = parent
        self.start = start          # the first sequence number it may hold
        self.end = None             # its last one, once closed
        self.records = []           # (seq, record)
        self.trimmed = 0            # records before this index are gone

    def describe(self):
        rng = {"StartingSequenceNumber": "%021d" % self.start}
        if self.end is not None:
            rng["EndingSequenceNumber"] = "%021d" % self.end
        d = {"ShardId": self.id, "SequenceNumberRange": rng}
        if self.parent:
            d["ParentShardId"] = self.parent
        return d


class _Stream:
    def __init__(self, table, view, n):
        self.table = table
        self.view = view
        self.label = "2026-01-01T00:00:%02d.000" % n
        self.arn = "arn:aws:dynamodb:us-east-1:000000000000:table/%s/stream/%s" % (table, self.label)
        self.enabled = True
        self.seq = 0
        self.nshard = 0
        self.shards = []
        self.route = {}   # key text -> the shard of its last record
        self._new_shard(None)

    def _new_shard(self, parent):
        self.nshard += 1
        s = _Shard("shardId-%020d-%08x" % (self.nshard, self.nshard * 2654435761 % 2**32),
                   parent, self.seq + 1)
        self.shards.append(s)
        return s

    def open_shards(self):
        return [s for s in self.shards if s.end is None]

    def close(self, shard):
        shard.end = self.seq if self.seq >= shard.start else shard.start

    def append(self, key_text, record):
        """Into the shard of the item's last record or, once that one is
        closed, one of its children: an item's records stay in one lineage,
        as DynamoDB's do."""
        h = zlib.crc32(key_text.encode())
        shard = self.route.get(key_text)
        while shard is not None and shard.end is not None:
            children = [x for x in self.shards if x.parent == shard.id]
            shard = children[h % len(children)] if children else None
        if shard is None:
            opens = self.open_shards()
            shard = opens[h % len(opens)]
        self.route[key_text] = shard
        self.seq += 1
        record["dynamodb"]["SequenceNumber"] = "%021d" % self.seq
        shard.records.append((self.seq, record))


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        fake = self.server.fake
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        target = self.headers.get("X-Amz-Target", "")
        op = target.rsplit(".", 1)[-1]
        with fake.lock:
            fake.log.append(op)
            if target.startswith(STREAMS):
                try:
                    d = json.loads(body or b"{}")
                    it = d.get("ShardIterator", "")
                    shard = d.get("ShardId") or (it.split("|")[2] if it.startswith("fake|") else None)
                except ValueError:
                    shard = None
                fake.shard_log.append((op, shard))
        if fake.before:
            fake.before(op, body)
        try:
            if target.startswith(STREAMS):
                doc = json.loads(body or b"{}")
                stream = fake._stream_of(doc)
                if stream is None:
                    return self._send(*fake._forward(target, body, self.headers))
                return self._json(200, fake._streams_op(op, doc, stream))
            return self._send(*fake._dynamodb(op, target, body, self.headers))
        except _Error as e:
            return self._json(400, {"__type": PREFIX + e.name, "message": str(e)})

    def _json(self, status, doc):
        data = json.dumps(doc).encode()
        headers = [("Content-Type", "application/x-amz-json-1.0"),
                   ("x-amz-crc32", str(zlib.crc32(data)))]
        if self.server.fake.clock_ahead is not None:
            headers.append(("X-Fake-Date", email.utils.formatdate(
                self.server.fake.server_time(), usegmt=True)))
        self._send(status, headers, data)

    def _send(self, status, headers, data):
        out = ["HTTP/1.1 %d %s\r\n" % (status, "OK" if status == 200 else "Error")]
        for k, v in headers:
            if k.lower() not in ("content-length", "connection", "transfer-encoding", "date",
                                 "server"):
                out.append("%s: %s\r\n" % ("Date" if k == "X-Fake-Date" else k, v))
        out.append("Content-Length: %d\r\n\r\n" % len(data))
        self.wfile.write("".join(out).encode() + data)  # one write (no Nagle wait)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a client gone (killed by a test) is no news


class StreamFake:
    def __init__(self, upstream_url):
        self.upstream = urllib.parse.urlsplit(upstream_url)
        self.lock = threading.RLock()
        self.write_lock = threading.Lock()
        self.log = []
        self.shard_log = []   # (op, shard id) of the Streams requests
        self.before = None
        self.page_size = 100
        self.records_limit = None  # GetRecords' page, when smaller than its Limit
        self.clock_ahead = None  # seconds the "server's" clock is ahead of this
                                 # machine's: the records' creation times, and a
                                 # Date header on the Streams answers
        self.generation = 0
        self.streams = {}     # table -> list of _Stream, the latest last
        self.keys = {}        # table -> key attribute names
        self.items = {}       # (table, key text) -> item, as the stream last saw it
        self.local = threading.local()
        self.client = ddbclient.Client(upstream_url)
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.fake = self
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def server_time(self):
        """Now by the clock the fake's stream keeps (clock_ahead)."""
        return time.time() + (self.clock_ahead or 0)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def ops(self):
        with self.lock:
            return list(self.log)

    def reset(self):
        with self.lock:
            del self.log[:]
            del self.shard_log[:]

    def shard_events(self):
        with self.lock:
            return list(self.shard_log)

    # -- forwarding -----------------------------------------------------------

    def _conn(self):
        c = getattr(self.local, "conn", None)
        if c is None:
            c = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
            self.local.conn = c
        return c

    def _forward(self, target, body, headers):
        fwd = {k: v for k, v in headers.items()
               if k.lower() not in ("host", "content-length", "connection")}
        fwd["X-Amz-Target"] = target
        for attempt in (0, 1):
            c = self._conn()
            try:
                c.request("POST", "/", body=body, headers=fwd)
                r = c.getresponse()
                data = r.read()
                return r.status, r.getheaders(), data
            except (http.client.HTTPException, OSError):
                c.close()
                self.local.conn = None
                if attempt:
                    raise

    def _call(self, op, doc):
        """A request of the fake's own to the server (signed with test keys:
        the local servers take any)."""
        return self.client.call(op, doc)

    # -- DynamoDB requests, recorded --------------------------------------------

    def _dynamodb(self, op, target, body, headers):
        doc = json.loads(body or b"{}")
        recorded = [t for t in self._tables_written(op, doc) if t in self.streams]
        if op == "DescribeTable" and doc.get("TableName") in self.streams:
            status, rh, data = self._forward(target, body, headers)
            if status == 200:
                d = json.loads(data)
                s = self.streams[doc["TableName"]][-1]
                if s.enabled:
                    d["Table"]["StreamSpecification"] = {"StreamEnabled": True,
                                                         "StreamViewType": s.view}
                d["Table"]["LatestStreamArn"] = s.arn
                d["Table"]["LatestStreamLabel"] = s.label
                data = json.dumps(d).encode()
                rh = [("Content-Type", "application/x-amz-json-1.0"),
                      ("x-amz-crc32", str(zlib.crc32(data)))]
            return status, rh, data
        if not recorded:
            return self._forward(target, body, headers)
        with self.write_lock:  # one write at a time: the stream's order is theirs
            status, rh, data = self._forward(target, body, headers)
            if status == 200:
                unprocessed = json.loads(data).get("UnprocessedItems", {})
                for table, key in self._keys_written(op, doc, unprocessed):
                    if table in self.streams:
                        self._record_write(table, key)
            return status, rh, data

    @staticmethod
    def _tables_written(op, doc):
        if op in ("PutItem", "UpdateItem", "DeleteItem"):
            return [doc.get("TableName")]
        if op == "BatchWriteItem":
            return list(doc.get("RequestItems", {}))
        if op == "TransactWriteItems":
            return [list(a.values())[0].get("TableName") for a in doc.get("TransactItems", [])]
        return []

    def _key_names(self, table):
        if table not in self.keys:
            t = self._call("DescribeTable", {"TableName": table})["Table"]
            self.keys[table] = [k["AttributeName"] for k in t["KeySchema"]]
        return self.keys[table]

    def _keys_written(self, op, doc, unprocessed):
        out = []
        if op in ("PutItem", "UpdateItem", "DeleteItem"):
            t = doc["TableName"]
            src = doc.get("Item") or doc.get("Key")
            out.append((t, _key_of(src, self._key_names(t))))
        elif op == "BatchWriteItem":
            for t, reqs in doc.get("RequestItems", {}).items():
                left = [json.dumps(r, sort_keys=True) for r in unprocessed.get(t, [])]
                for r in reqs:
                    if json.dumps(r, sort_keys=True) in left:
                        continue
                    src = r.get("PutRequest", {}).get("Item") or r.get("DeleteRequest", {}).get("Key")
                    out.append((t, _key_of(src, self._key_names(t))))
        elif op == "TransactWriteItems":
            for a in doc.get("TransactItems", []):
                kind, x = list(a.items())[0]
                if kind == "ConditionCheck":
                    continue
                src = x.get("Item") or x.get("Key")
                out.append((x["TableName"], _key_of(src, self._key_names(x["TableName"]))))
        return out

    def _record_write(self, table, key, expired=False):
        after = self._call("GetItem", {"TableName": table, "Key": key,
                                       "ConsistentRead": True}).get("Item")
        with self.lock:
            s = self.streams[table][-1]
            kt = _key_text(key)
            before = self.items.get((table, kt))
            if after is None and before is None:
                return
            if after is None:
                event = "REMOVE"
                self.items.pop((table, kt), None)
            else:
                event = "INSERT" if before is None else "MODIFY"
                self.items[(table, kt)] = after
            if not s.enabled:
                return
            d = {"ApproximateCreationDateTime": float(int(self.server_time())), "Keys": key,
                 "SizeBytes": 10, "StreamViewType": s.view}
            if after is not None and s.view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
                d["NewImage"] = after
            if before is not None and s.view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
                d["OldImage"] = before
            rec = {"eventID": "%x" % (len(self.log) * 7919), "eventName": event,
                   "eventVersion": "1.1", "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
                   "dynamodb": d}
            if expired:
                rec["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
            s.append(kt, rec)

    # -- the fake's stream ---------------------------------------------------------

    def record(self, table, view="NEW_AND_OLD_IMAGES"):
        """Record the writes to table from now on (what the table holds now is
        taken as written before the stream)."""
        with self.lock:
            self.streams[table] = [_Stream(table, view, 1)]
        for item in self._scan(table):
            self.items[(table, _key_text(_key_of(item, self._key_names(table))))] = item

    def _scan(self, table):
        out, start = [], None
        while True:
            req = {"TableName": table, "ConsistentRead": True}
            if start:
                req["ExclusiveStartKey"] = start
            page = self._call("Scan", req)
            out += page.get("Items", [])
            start = page.get("LastEvaluatedKey")
            if not start:
                return out

    def _stream_of(self, doc):
        arn = doc.get("StreamArn")
        if doc.get("ShardIterator", "").startswith("fake|"):
            arn = doc["ShardIterator"].split("|")[1]
        with self.lock:
            for streams in self.streams.values():
                for s in streams:
                    if s.arn == arn:
                        return s
            if arn and "/stream/2026-01-01T" in arn:
                raise _Error("ResourceNotFoundException", "Requested resource not found: "
                             "Stream: %s not found" % arn)
        return None

    def _streams_op(self, op, doc, s):
        with self.lock:
            if op == "DescribeStream":
                live = [x for x in s.shards
                        if not (x.end is not None and x.trimmed >= len(x.records) and x.records)]
                after = doc.get("ExclusiveStartShardId")
                if after:
                    ids = [x.id for x in live]
                    live = live[ids.index(after) + 1:] if after in ids else []
                page = live[:min(self.page_size, doc.get("Limit", 100))]
                sd = {"StreamArn": s.arn, "StreamLabel": s.label,
                      "StreamStatus": "ENABLED" if s.enabled else "DISABLED",
                      "StreamViewType": s.view, "TableName": s.table,
                      "KeySchema": [], "Shards": [x.describe() for x in page]}
                if len(page) < len(live):
                    sd["LastEvaluatedShardId"] = page[-1].id
                return {"StreamDescription": sd}
            if op == "GetShardIterator":
                shard = self._shard(s, doc["ShardId"])
                kind = doc["ShardIteratorType"]
                seqs = [q for q, _ in shard.records]
                if kind == "TRIM_HORIZON":
                    index = shard.trimmed
                elif kind == "LATEST":
                    index = len(seqs)
                else:
                    want = int(doc["SequenceNumber"])
                    index = sum(1 for q in seqs if q < want) + (kind == "AFTER_SEQUENCE_NUMBER" and want in seqs)
                    if index < shard.trimmed:
                        raise _Error("TrimmedDataAccessException",
                                     "the sequence number is older than the trim horizon")
                return {"ShardIterator": "fake|%s|%s|%d|%d" % (s.arn, shard.id, index,
                                                              self.generation)}
            if op == "GetRecords":
                _, _, sid, index, gen = doc["ShardIterator"].split("|")
                index, gen = int(index), int(gen)
                if gen != self.generation:
                    raise _Error("ExpiredIteratorException", "Iterator expired")
                shard = self._shard(s, sid)
                if index < shard.trimmed:
                    raise _Error("TrimmedDataAccessException", "records were trimmed")
                limit = doc.get("Limit", 1000)
                if self.records_limit is not None:
                    limit = min(limit, self.records_limit)
                recs = [r for _, r in shard.records[index:index + limit]]
                out = {"Records": recs}
                nxt = index + len(recs)
                if not (shard.end is not None and nxt >= len(shard.records)):
                    out["NextShardIterator"] = "fake|%s|%s|%d|%d" % (s.arn, sid, nxt, gen)
                return out
            if op == "ListStreams":
                return {"Streams": [{"StreamArn": x.arn, "TableName": x.table,
                                     "StreamLabel": x.label} for x in self.streams[s.table]]}
            raise _Error("UnknownOperationException", op)

    @staticmethod
    def _shard(s, sid):
        for x in s.shards:
            if x.id == sid:
                return x
        raise _Error("ResourceNotFoundException", "Requested resource not found: Shard: %s" % sid)

    # -- scripted events --------------------------------------------------------------

    def split(self, table):
        with self.lock:
            s = self.streams[table][-1]
            for shard in s.open_shards():
                s.close(shard)
                s._new_shard(shard.id)
                s._new_shard(shard.id)

    def expire_iterators(self):
        with self.lock:
            self.generation += 1

    def trim(self, table):
        with self.lock:
            for s in self.streams[table]:
                for shard in s.shards:
                    shard.trimmed = len(shard.records)

    def ttl_delete(self, table, key):
        with self.write_lock:
            self._call("DeleteItem", {"TableName": table, "Key": key})
            self._record_write(table, key, expired=True)

    def disable(self, table):
        with self.lock:
            s = self.streams[table][-1]
            s.enabled = False
            for shard in s.open_shards():
                s.close(shard)

    def enable(self, table, view="NEW_AND_OLD_IMAGES"):
        with self.lock:
            self.streams[table].append(_Stream(table, view, len(self.streams[table]) + 1))

    def arn(self, table):
        with self.lock:
            return self.streams[table][-1].arn

    def shards(self, table):
        with self.lock:
            return [(x.id, x.parent, x.end is not None, len(x.records))
                    for x in self.streams[table][-1].shards]
