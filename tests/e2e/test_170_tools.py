"""Other SQLite tools over the extension: sqlite-utils 3.30 (Debian's
package, installed by tests/deps.sh) loads it with --load-extension and
reads and writes a dynamo table as any other: query, rows, tables, insert,
upsert. README, "Other SQLite tools", says which of its commands to avoid."""

import json
import os
import subprocess
import tempfile

from harness import ddb, eq, so_path
from fixtures import tracks_table


def utils(db, *args, stdin=None):
    """Run sqlite-utils ARGS... --load-extension dynamo.so on db: (rc, out, err)."""
    p = subprocess.run(["sqlite-utils", *args[:1], db, *args[1:], "--load-extension", so_path()],
                       input=stdin, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def ok(db, *args, stdin=None):
    rc, out, err = utils(db, *args, stdin=stdin)
    if rc != 0:
        raise AssertionError("sqlite-utils %s: exit %d\n%s" % (" ".join(args), rc, err))
    return json.loads(out) if out.strip().startswith(("[", "{")) else out


def test_sqlite_utils_query_insert_and_rows():
    name = tracks_table("utils", items=[
        {"uuid": "u1", "timestamp": "2017-12-20T16:10:38.997Z", "model": "iPhone8,4", "speed": 2}])
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "tools.db")
        eq(ok(db, "query", "CREATE VIRTUAL TABLE tracks USING dynamo(table=%s)" % name),
           [{"rows_affected": -1}])
        tables = [t["table"] for t in ok(db, "tables")]
        assert "tracks" in tables, tables
        # insert: JSON rows become conditional PutItems
        rows = [{"uuid": "u2", "timestamp": "t1", "model": "Pixel 3", "speed": 1.5},
                {"uuid": "u2", "timestamp": "t2", "model": "Pixel 3"}]
        ok(db, "insert", "tracks", "-", stdin=json.dumps(rows))
        eq(ddb().get_item(name, {"uuid": {"S": "u2"}, "timestamp": {"S": "t1"}}),
           {"uuid": {"S": "u2"}, "timestamp": {"S": "t1"}, "model": {"S": "Pixel 3"},
            "speed": {"N": "1.5"}})
        # another item with an existing key is the UNIQUE constraint error of a
        # native table ...
        rc, out, err = utils(db, "insert", "tracks", "-",
                             stdin=json.dumps([dict(rows[0], model="other")]))
        assert rc != 0 and "UNIQUE constraint failed: tracks.uuid, tracks.timestamp" in err, (rc, err)
        # ... which --replace and upsert go past
        ok(db, "insert", "tracks", "-", "--replace",
           stdin=json.dumps([dict(rows[0], model="replaced")]))
        ok(db, "upsert", "tracks", "-", "--pk", "uuid", "--pk", "timestamp",
           stdin=json.dumps([{"uuid": "u2", "timestamp": "t2", "speed": 7}]))
        # rows: every row, as JSON
        got = sorted(ok(db, "rows", "tracks"), key=lambda r: (r["uuid"], r["timestamp"]))
        eq(got, [{"uuid": "u1", "timestamp": "2017-12-20T16:10:38.997Z", "model": "iPhone8,4",
                  "speed": 2},
                 {"uuid": "u2", "timestamp": "t1", "model": "replaced", "speed": 1.5},
                 {"uuid": "u2", "timestamp": "t2", "model": "Pixel 3", "speed": 7}])
        # query with a parameter: a Query on the partition key
        eq(ok(db, "query", "SELECT timestamp, speed FROM tracks WHERE uuid = :u ORDER BY timestamp",
              "-p", "u", "u2"),
           [{"timestamp": "t1", "speed": 1.5}, {"timestamp": "t2", "speed": 7}])
        eq(ok(db, "query", "SELECT count(*) AS n FROM tracks"), [{"n": 3}])
        eq(ddb().count(name), 3)
