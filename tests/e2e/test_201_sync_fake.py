"""dynamo_sync() against a stream that tests/streamfake.py writes from the
writes passing through it, on both servers (dynalite has no Streams; the
fake stands in for them there, and for what DynamoDB Local's never does):
shards that split (parents before children, DescribeStream in pages), an
expired iterator, a TTL expiry, records trimmed before they were read, a
shard gone, a stream disabled and enabled again, views without new images,
another sync moving a shard meanwhile, the user's own transaction, and state
tables that are not what dynamo_sync wrote."""

import os
import shutil
import sqlite3
import sys
import tempfile

from harness import connect, ddb, defer, eq, raises, note, unique
from streamfake import StreamFake
import synccheck as sc

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))


class Setup:
    """A table with items of every type, a fake recording its stream, a
    connection whose dynamo table 'src' reaches the table through the fake,
    and a client writing through it."""

    def __init__(self, n=60, seed=1, view="NEW_AND_OLD_IMAGES", record=True, path=":memory:"):
        self.table = unique("sync")
        ddb().create_table(self.table, hash=("pk", "S"), range=("sk", "N"))
        defer(ddb().delete_table, self.table)
        self.rnd = sc.seeded(seed)
        self.keys = sc.keys(n)
        ddb().batch_put(self.table, [sc.item(self.rnd, k) for k in self.keys[:n // 2]])
        self.fake = StreamFake(os.environ["AWS_ENDPOINT_URL_DYNAMODB"]).__enter__()
        defer(self.fake.__exit__)
        if record:
            self.fake.record(self.table, view=view)
        import ddbclient
        self.client = ddbclient.Client(self.fake.url)
        self.conn = connect(path)
        defer(self.conn.close)
        self.conn.execute(sc.create_sql("src", self.table, ", endpoint='%s'" % self.fake.url))

    def write(self, n):
        sc.write_some(self.client, self.table, self.rnd, self.keys, n)

    def sync(self, *opts):
        return sc.sync(self.conn, "src", "cp", *opts)

    def exact(self):
        return sc.check_exact(self.conn, "src", "cp", self.table)


def test_lineage_pages_and_ttl():
    s = Setup()
    s.fake.page_size = 2
    r = s.sync()
    eq((r["loaded"], r["shards"]), (30, 1))
    s.exact()
    s.write(40)
    s.fake.split(s.table)              # 1 -> 2
    s.write(40)
    s.fake.split(s.table)              # 2 -> 4
    s.write(40)
    gone = [k for k in s.keys if ddb().get_item(s.table, k)][:2]
    for k in gone:
        s.fake.ttl_delete(s.table, k)
    s.fake.reset()
    r = s.sync()
    eq((r["loaded"], r["expired"], r["shards"]), (0, 2, 7))
    s.exact()
    # DescribeStream in pages of 2 (7 shards: 4 pages); each shard read
    # after its parent ended (the fake's order of answers shows it)
    ops = s.fake.ops()
    eq(ops.count("DescribeStream"), 4)
    eq(ops.count("GetShardIterator"), 7)
    rows = s.conn.execute("SELECT shard_id, parent_id, finished FROM dynamo_copy_shards "
                          "WHERE copy = 'cp'").fetchall()
    eq(len(rows), 7)
    fin = {sid: f for sid, _, f in rows}
    eq(sorted(fin.values()), [0, 0, 0, 0, 1, 1, 1])
    for sid, parent, f in rows:
        if f:
            assert parent is None or fin[parent], (sid, parent)
    # no shard was asked for before its parent's last GetRecords
    ev = s.fake.shard_events()
    parents = {sid: parent for sid, parent, _ in rows}
    for i, (op, sid) in enumerate(ev):
        if op == "GetShardIterator" and parents.get(sid):
            last = max(k for k, (o, x) in enumerate(ev) if x == parents[sid] and o == "GetRecords")
            assert last < i, "shard %s asked for before its parent %s ended" % (sid, parents[sid])
    # nothing new: DescribeStream's pages, then two requests an open shard
    s.fake.reset()
    r = s.sync()
    eq((r["put"], r["removed"], r["shards"]), (0, 0, 4))
    ops = s.fake.ops()
    eq(sorted(set(ops)), ["DescribeStream", "GetRecords", "GetShardIterator"])
    eq((ops.count("DescribeStream"), ops.count("GetShardIterator"), ops.count("GetRecords")),
       (4, 4, 4))
    s.exact()


def test_a_machine_whose_clock_is_behind_misses_nothing():
    """The records' creation times are on the server's clock. A sync stops
    reading a shard at a record created after it began; judged by this
    machine's clock two minutes behind, the first page would already look
    'after', and the writes of the pages behind it, acknowledged before the
    sync, would be left out. Judged by the server's Date, none is."""
    def records():
        return s.fake.streams[s.table][-1].seq

    s = Setup()
    s.sync()
    s.fake.clock_ahead = 120
    s.fake.records_limit = 2
    before = records()
    s.write(12)
    n = records() - before
    assert n >= 6, n  # some of the twelve writes may write nothing
    s.fake.reset()
    r = s.sync()
    eq(r["put"] + r["removed"], n)
    assert s.fake.ops().count("GetRecords") >= (n + 1) // 2, s.fake.ops()  # two a page
    s.exact()
    # and with the server's clock behind this machine's, a record written
    # after the sync began still ends it: the shard is not read forever
    s.fake.clock_ahead = -120
    before = records()
    s.write(4)
    r = s.sync()
    eq(r["put"] + r["removed"], records() - before)
    s.exact()


def test_expired_iterator():
    s = Setup(seed=2)
    s.sync()
    s.write(30)
    state = {"n": 0}

    def expire(op, body):
        if op == "GetRecords" and state["n"] == 0:
            state["n"] = 1
            s.fake.expire_iterators()
    s.fake.before = expire
    s.fake.reset()
    r = s.sync()
    s.fake.before = None
    ops = s.fake.ops()
    # GetShardIterator, GetRecords (expired), GetShardIterator again after the
    # last record applied, GetRecords, GetRecords (nothing more)
    eq([o for o in ops if o != "DescribeStream"],
       ["GetShardIterator", "GetRecords", "GetShardIterator", "GetRecords", "GetRecords"])
    assert r["put"] + r["removed"] > 0
    s.exact()


def test_trimmed_records_make_the_copy_stale():
    s = Setup(seed=3)
    s.sync()
    s.write(20)
    s.sync()              # the shard's position: the last record applied
    s.write(20)
    s.fake.trim(s.table)  # records after it, never read, now gone
    e = raises(s.sync, "is stale: records of shard")
    assert "were trimmed (DynamoDB keeps them 24 hours) before the copy read them" in str(e)
    assert "SELECT dynamo_sync('src', 'cp', 'reload') loads it again" in str(e), str(e)
    state, problem = s.conn.execute("SELECT state, problem FROM dynamo_copies").fetchone()
    eq(state, "stale")
    assert problem.startswith("records of shard"), problem
    # stale until reloaded, whatever the stream says meanwhile
    raises(s.sync, "is stale: records of shard")
    s.fake.reset()
    r = s.sync("reload")
    assert r["reloaded"].startswith("records of shard"), r
    eq(r["loaded"], ddb().count(s.table))
    assert "Scan" in s.fake.ops()
    s.exact()
    eq(s.conn.execute("SELECT state, problem FROM dynamo_copies").fetchone(), ("following", None))


def test_a_day_without_a_sync():
    """Records are kept 24 hours: a copy last brought up to date longer ago
    than that (with an hour's margin) may have missed some, even where the
    stream cannot say so (a shard read from its start)."""
    s = Setup(seed=11)
    s.sync()
    s.write(10)
    s.conn.execute("UPDATE dynamo_copies SET synced_at = strftime('%Y-%m-%dT%H:%M:%fZ', "
                   "'now', '-23 hours', '-1 minutes')")
    raises(s.sync, "is stale: it was last brought up to date 23 hours ago, and DynamoDB keeps a "
                   "stream's records 24 hours: some may be gone")
    s.sync("reload")
    s.exact()
    s.conn.execute("UPDATE dynamo_copies SET synced_at = strftime('%Y-%m-%dT%H:%M:%fZ', "
                   "'now', '-22 hours', '-59 minutes')")
    s.write(10)
    s.sync()
    s.exact()


def test_a_shard_gone_unread():
    s = Setup(seed=4)
    s.sync()
    s.write(20)
    s.fake.split(s.table)
    s.write(10)
    s.fake.trim(s.table)  # the closed parent, all trimmed, leaves DescribeStream
    raises(s.sync, "is gone before the copy read it to its end")
    s.sync("reload")
    s.exact()


def test_disabled_and_enabled_again():
    s = Setup(seed=5)
    s.sync()
    s.write(10)
    s.fake.disable(s.table)
    s.write(10)                       # not recorded anywhere
    old = s.fake.arn(s.table)
    s.fake.enable(s.table)
    e = raises(s.sync, "was disabled and enabled again (now %s)" % s.fake.arn(s.table))
    assert old != s.fake.arn(s.table)
    eq(s.conn.execute("SELECT stream_arn, state FROM dynamo_copies").fetchone(), (old, "stale"))
    r = s.sync("reload")
    assert "disabled and enabled again" in r["reloaded"], r
    eq(s.conn.execute("SELECT stream_arn, state FROM dynamo_copies").fetchone(),
       (s.fake.arn(s.table), "following"))
    s.exact()
    s.write(10)
    s.sync()
    s.exact()
    s.fake.disable(s.table)
    raises(s.sync, "the stream of %s is disabled: writes are not recorded" % s.table)


def test_streams_without_new_images_are_refused():
    for view in ("KEYS_ONLY", "OLD_IMAGE"):
        s = Setup(n=4, seed=6, view=view)
        e = raises(s.sync, "shows %s, but the copy needs the item as each write leaves it" % view)
        assert "disable it (aws dynamodb update-table --table-name %s --stream-specification "\
               "StreamEnabled=false)" % s.table in str(e), str(e)
        # nothing made
        eq(s.conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'cp'").fetchone(), (0,))
    s = Setup(n=4, seed=6, record=False)
    raises(s.sync, "the DynamoDB table %s has no stream, which the copy follows: enable one with "
                   "new images (aws dynamodb update-table --table-name %s --stream-specification "
                   "StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES" % (s.table, s.table))


def test_another_sync_moving_a_shard():
    d = tempfile.mkdtemp()
    defer(shutil.rmtree, d)
    path = os.path.join(d, "copy.db")
    s = Setup(seed=7, path=path)
    s.sync()
    s.write(10)

    def move(op, body):
        if op == "GetRecords":
            s.fake.before = None
            # what a second dynamo_sync of the same file would do meanwhile
            other = sqlite3.connect(path)
            other.execute("UPDATE dynamo_copy_shards SET sequence = '999999999999999999999'")
            other.commit()
            other.close()
    s.fake.before = move
    raises(s.sync, "is not where this sync left it: another dynamo_sync of the copy is running")


def test_inside_the_users_transaction():
    s = Setup(seed=8)
    c = s.conn
    c.execute("BEGIN")
    s.sync()
    c.execute("ROLLBACK")
    eq(c.execute("SELECT count(*) FROM sqlite_master WHERE name IN ('cp', 'dynamo_copies')")
       .fetchone(), (0,))
    c.execute("BEGIN")
    s.sync()
    s.write(10)
    s.sync()
    c.execute("COMMIT")
    s.exact()


def test_names_and_arguments():
    s = Setup(n=4, seed=9)
    c = s.conn
    c.execute("CREATE TABLE mine(x)")
    raises(lambda: sc.sync(c, "src", "mine"), "a table of that name exists, which dynamo_sync "
                                              "did not make")
    raises(lambda: sc.sync(c, "mine", "cp"), "no dynamo table mine")
    raises(lambda: sc.sync(c, "src", "dynamo_copies"), "that name is taken")
    raises(lambda: sc.sync(c, "src", "src"), "that name is taken")
    raises(lambda: sc.sync(c, "src", "cp", "full"), "unknown option 'full' (options: reload)")
    c.execute(sc.create_sql("share", s.table, ", segments=4, segment=1-2, endpoint='%s'"
                            % s.fake.url))
    raises(lambda: sc.sync(c, "share", "cp"), "share reads only segments 1-2 of %s's Scan "
                                              "(segment=): its copy would miss the rest" % s.table)
    c.execute("ATTACH ':memory:' AS aux")
    r = sc.sync(c, "src", "aux.cp")
    eq(r["loaded"], 2)
    eq(c.execute("SELECT copy, source FROM aux.dynamo_copies").fetchall(), [("cp", "src")])
    sc.check_exact(c, "src", "cp", s.table, schema="aux")
    # a copy is of one table: another source must not take it over
    c.execute(sc.create_sql("src2", s.table, ", endpoint='%s'" % s.fake.url))
    raises(lambda: sc.sync(c, "src2", "aux.cp"), "it is the copy of src (DynamoDB table %s), "
                                                  "not of src2" % s.table)
    # a view or trigger stored in a file cannot call it
    c.execute("CREATE VIEW v AS SELECT dynamo_sync('src', 'cp2')")
    raises(lambda: c.execute("SELECT * FROM v").fetchall(), "unsafe use of dynamo_sync()")


def test_the_state_is_input():
    s = Setup(n=6, seed=10)
    s.sync()
    c = s.conn
    c.execute("UPDATE dynamo_copy_shards SET sequence = '12; DROP TABLE cp'")
    raises(s.sync, "dynamo_copy_shards holds a shard")
    c.execute("UPDATE dynamo_copy_shards SET sequence = NULL, parent_id = shard_id")
    c.execute("INSERT INTO dynamo_copy_shards(copy, shard_id, parent_id) "
              "SELECT copy, 'x', shard_id FROM dynamo_copy_shards")
    c.execute("UPDATE dynamo_copy_shards SET parent_id = 'x' WHERE shard_id <> 'x'")
    raises(s.sync, "is its own ancestor")
    c.execute("UPDATE dynamo_copies SET state = 'weird'")
    raises(s.sync, "is stale: its state 'weird' is not one dynamo_sync writes")
    r = s.sync("reload")
    eq(r["reloaded"], "its state 'weird' is not one dynamo_sync writes")
    s.exact()
    # dropped by the user: made again from scratch
    c.execute("DROP TABLE cp")
    r = s.sync()
    assert "reloaded" not in r and r["loaded"] == ddb().count(s.table), r
    s.exact()
    note("%d items, %d shards" % (r["loaded"], len(s.fake.shards(s.table))))
