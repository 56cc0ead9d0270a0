"""sqlite3_interrupt() (Ctrl-C in the shell, conn.interrupt() in Python)
stops a statement in any wait: a backoff, a rate-limit hold, an answer in
flight, the rounds of unprocessed items. No test measures time: each shows
the statement ended with fewer requests than the wait would have allowed,
and in an order of events the fake (tests/sdkfake.py) records: the error
came while the answer was still held, or before the fake's own timer for
the end of the wait went off. An interrupted batch of writes says how many
were done, sent but not confirmed, and not made, and which."""

import os
import re
import signal
import subprocess
import time

from harness import Statement, connect, eq, environ, note, so_path
from sdkfake import SdkFake, Answer, error

ITEM = {"uuid": {"S": "u1"}, "timestamp": {"S": "t1"}}


def fake_env(url):
    env = {k: None for k in os.environ if k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="AKIDFAKE", AWS_SECRET_ACCESS_KEY="fake/secret",
               AWS_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true",
               AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
               AWS_ENDPOINT_URL_DYNAMODB=url)
    return env


def table(fs, options=""):
    with environ(**fake_env(fs.url)):
        c = connect(check_same_thread=False)
        c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, uuid TEXT%s)" % options)
    return c


def ended_before(fs, event_kind, name=None):
    """The statement ended before the fake's event (which may not have
    happened yet at all)."""
    ended = fs.seq_of("mark", "statement ended")
    other = fs.seq_of(event_kind, name)
    assert ended is not None
    return other is None or ended < other


def test_interrupt_during_a_backoff():
    """Throttled, with x-amz-retry-after asking for a minute: the retry
    waits at least 5 s (the SDKs' clamp). Interrupted in that wait, the
    statement ends at once: one request, not the four its attempts allow,
    and before the fake's 5-second timer from the answer goes off."""
    with SdkFake() as fs:
        c = table(fs)
        slow = Answer(400, error("ThrottlingException"), headers={"x-amz-retry-after": "60000"})
        fs.script("Scan", *[slow] * 4)
        st = Statement(c, "SELECT uuid FROM t", fs)
        assert fs.wait_event("answer", "Scan")
        fs.timer("backoff over", 5.0)
        time.sleep(0.2)  # well inside the backoff
        c.interrupt()
        st.wait()
        assert st.error and "interrupted" in st.error, st.error
        eq(fs.count("Scan"), 1)
        assert ended_before(fs, "timer", "backoff over"), fs.events


def test_interrupt_during_a_rate_limit_hold():
    """max_read_units=1 and a page that consumed 100 units: the next page is
    held back about 99 s. Interrupted in the hold: one Scan sent, the
    statement ended before the fake's timer for a tenth of the hold."""
    with SdkFake() as fs:
        c = table(fs, ", max_read_units=1")
        page = {"Items": [ITEM], "Count": 1, "LastEvaluatedKey": ITEM,
                "ConsumedCapacity": {"TableName": "Fake", "CapacityUnits": 100}}
        fs.script("Scan", Answer(200, page), Answer(200, {"Items": [ITEM], "Count": 1}))
        st = Statement(c, "SELECT uuid FROM t", fs)
        assert fs.wait_event("answer", "Scan")
        fs.timer("a tenth of the hold", 9.9)
        time.sleep(0.3)
        c.interrupt()
        st.wait()
        assert st.error and "interrupted" in st.error, st.error
        eq(fs.count("Scan"), 1)
        assert ended_before(fs, "timer", "a tenth of the hold"), fs.events


def test_interrupt_during_a_slow_answer():
    """The fake holds the answer. Interrupted, the statement ends while the
    fake still holds it, and the extension hangs up (the fake sees the
    client gone) rather than reading it later."""
    with SdkFake() as fs:
        c = table(fs)
        fs.script("Scan", Answer(200, {"Items": [ITEM], "Count": 1}, hold=True))
        st = Statement(c, "SELECT uuid FROM t", fs)
        assert fs.wait_event("held", "Scan")
        time.sleep(0.2)
        c.interrupt()
        st.wait()
        assert st.error and "interrupted" in st.error, st.error
        assert fs.wait_event("gone", "Scan", timeout=10), fs.events
        fs.release()
        assert ended_before(fs, "released"), fs.events
        # the table works again afterwards
        fs.script("Scan", Answer(200, {"Items": [ITEM], "Count": 1}))
        eq(c.execute("SELECT uuid FROM t").fetchall(), [("u1",)])


def test_ctrl_c_in_the_shell():
    """The sqlite3 shell turns Ctrl-C (SIGINT) into sqlite3_interrupt(): a
    query waiting for a held answer stops while the fake still holds it, the
    shell says so (and, reading a script, stops there, as it does)."""
    with SdkFake() as fs:
        fs.script("Scan", Answer(200, {"Items": [ITEM], "Count": 1}, hold=True),
                  Answer(200, {"Items": [ITEM], "Count": 1}))
        env = dict(os.environ)
        for k, v in fake_env(fs.url).items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        script = (".load '%s'\nCREATE VIRTUAL TABLE t USING dynamo(table=Fake, uuid TEXT);\n"
                  "SELECT 'first', uuid FROM t;\nSELECT 'second', uuid FROM t;\n" % so_path())
        p = subprocess.Popen(["sqlite3", ":memory:"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        p.stdin.write(script)
        p.stdin.close()
        p.stdin = None
        assert fs.wait_event("held", "Scan")
        time.sleep(0.2)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
        fs.mark("statement ended")
        fs.release()
        assert "interrupted" in err, (out, err)
        eq(out.split(), [])
        eq(fs.count("Scan"), 1)
        assert ended_before(fs, "released"), fs.events


def keyed(body, key):
    items = body.get("RequestItems", {}).get("Fake", [])
    return any(r.get("PutRequest", {}).get("Item", {}).get("uuid", {}).get("S") == key
               for r in items)


def test_interrupted_batch_writes_say_what_was_done():
    """60 rows in three batches at once: the first is done, the second
    held in flight, the third throttled and waiting a minute to be retried.
    Interrupted, the statement is an error that counts them: 25 done, 35
    sent but not confirmed, and names which."""
    with SdkFake() as fs:
        c = table(fs)
        held = Answer(200, {"UnprocessedItems": {}}, hold=True)
        slow = Answer(400, error("ThrottlingException"), headers={"x-amz-retry-after": "60000"})

        def respond(body):
            if keyed(body, "r000"):
                return Answer(200, {"UnprocessedItems": {}})
            return held if keyed(body, "r025") else slow
        fs.respond("BatchWriteItem", respond)
        rows = ", ".join("('r%03d', 't')" % i for i in range(60))
        st = Statement(c, "INSERT OR REPLACE INTO t(uuid, timestamp) VALUES " + rows, fs)
        assert fs.wait_event("held", "BatchWriteItem")
        assert fs.wait_for("BatchWriteItem", 3)
        time.sleep(0.3)
        c.interrupt()
        st.wait()
        fs.release()
        e = st.error or ""
        assert e.startswith("dynamo: writing to t interrupted: 25 of 60 writes done, 35 sent but "
                            "not confirmed (they may have been made), 0 not made; not confirmed: "
                            '{"uuid":{"S":"r025"},"timestamp":{"S":"t"}}, '), e
        assert e.endswith(" and 30 more"), e
        eq(fs.count("BatchWriteItem"), 3)
        assert ended_before(fs, "released"), fs.events


def test_interrupt_between_unprocessed_rounds():
    """Every BatchWriteItem leaves everything unprocessed: the writes go
    again after a growing backoff, for up to 12 rounds. Interrupted after
    the second round, no third is sent, and the error says none was made."""
    with SdkFake() as fs:
        c = table(fs)

        def unprocessed(body):
            return Answer(200, {"UnprocessedItems": body["RequestItems"]})
        fs.respond("BatchWriteItem", unprocessed)
        rows = ", ".join("('k%02d', 't')" % i for i in range(30))
        st = Statement(c, "INSERT OR REPLACE INTO t(uuid, timestamp) VALUES " + rows, fs)
        # two rounds of two batches answered: the third round waits its backoff
        assert fs.wait_events("answer", "BatchWriteItem", 4)
        n = fs.count("BatchWriteItem")
        c.interrupt()
        st.wait()
        e = st.error or ""
        m = re.match(r"dynamo: writing to t interrupted: 0 of 30 writes done, (\d+) sent but not "
                     r"confirmed \(they may have been made\), (\d+) not made", e)
        assert m and int(m.group(1)) + int(m.group(2)) == 30, e
        if int(m.group(2)):  # not sent, or left unprocessed: named
            assert '; not made: {"uuid":{"S":"k' in e, e
        # at most the round that was starting when the interrupt came (its
        # backoff can be next to nothing): a batch of it is then unconfirmed
        assert fs.count("BatchWriteItem") <= n + 2 < 24, (n, fs.count("BatchWriteItem"))
        note("%d BatchWriteItem requests of the 24 twelve rounds would send"
             % fs.count("BatchWriteItem"))
