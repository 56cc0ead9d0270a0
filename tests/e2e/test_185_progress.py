"""Long work shows its progress on stderr, as curl's meter and pv do: one
line redrawn in place and erased at the end, only for a person at a
terminal (stdin and stderr both terminals), never in a pipe or a script;
dynamo_config('progress', 0) and DYNAMO_PROGRESS=0 turn it off."""

import os
import pty
import select
import subprocess

from harness import eq, so_path
from fakeserver import FakeServer, describe

ITEM = {"uuid": {"S": "u"}, "timestamp": {"S": "t"}, "n": {"N": "5"}}


def slow_pages(fs, pages=4, per_page=50, seconds=0.5):
    """A Scan of `pages` chained pages, each answered after `seconds`: the
    statement lasts pages * seconds at the least, whatever the machine."""
    answers = []
    for i in range(pages):
        body = {"Items": [dict(ITEM, timestamp={"S": "p%d-%03d" % (i, k)}) for k in range(per_page)],
                "Count": per_page, "ScannedCount": per_page,
                "ConsumedCapacity": {"TableName": "Fake", "CapacityUnits": 2.5}}
        if i < pages - 1:
            body["LastEvaluatedKey"] = {"uuid": {"S": "u"}, "timestamp": {"S": "p%d" % i}}
        answers.append((200, body, None, seconds))
    fs.script("Scan", *answers)


def script(fs, before=""):
    return (".load %s\n%sCREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s', "
            "segments=1, n N);\nSELECT count(*), sum(n) FROM t;\n.quit\n"
            % (so_path(), before, fs.url))


def on_a_terminal(sql, env=None):
    """Run sqlite3 with stdin, stdout and stderr on a pseudo-terminal, as a
    person at a shell runs it; return everything the terminal showed."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe("sqlite3", ["sqlite3", ":memory:"], dict(os.environ, **(env or {})))
    todo, out = sql.encode(), b""
    while True:
        # write the input as the terminal takes it, reading what the shell
        # shows meanwhile: a terminal's buffers are small, and both sides
        # blocked on a full one would wait forever
        r, w, _ = select.select([fd], [fd] if todo else [], [], 60)
        if not r and not w:
            break
        if w:
            todo = todo[os.write(fd, todo[:512]):]
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the shell ended: EIO on Linux
                break
            if not chunk:
                break
            out += chunk
    if os.waitpid(pid, os.WNOHANG) == (0, 0):  # a minute of silence: never hang the suite
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    os.close(fd)
    return out.decode("utf-8", "replace")


def test_a_long_read_shows_its_progress_on_a_terminal_and_erases_it():
    with FakeServer() as fs:
        fs.script("DescribeTable", describe())
        slow_pages(fs)
        shown = on_a_terminal(script(fs))
    assert "200|1000" in shown, shown
    # redrawn in place: each drawing starts at the line's start and clears
    # to its end; the last thing on the line is the erasing
    drawn = [part for part in shown.split("\r") if part.startswith("dynamo: Fake: ")]
    assert drawn, shown
    assert all(" items, " in d and " capacity units, " in d for d in drawn), drawn
    counts = [int(d.split(": ")[2].split(" items")[0].replace(",", "")) for d in drawn]
    eq(counts, sorted(counts))
    assert max(counts) >= 100, counts  # pages 3 and 4 came after the first second
    assert "\r\x1b[K" in shown.split("200|1000")[0], "the line is erased before the result"


def test_no_progress_in_a_pipe_or_when_turned_off():
    with FakeServer() as fs:
        fs.script("DescribeTable", describe())
        slow_pages(fs)
        p = subprocess.run(["sqlite3", ":memory:"], input=script(fs), capture_output=True,
                           text=True, timeout=60)
        eq((p.returncode, p.stdout.strip(), p.stderr), (0, "200|1000", ""))
    with FakeServer() as fs:
        fs.script("DescribeTable", describe())
        slow_pages(fs)
        shown = on_a_terminal(script(fs, "SELECT dynamo_config('progress', 0);\n"))
        assert "200|1000" in shown and "dynamo: Fake: " not in shown, shown
    with FakeServer() as fs:
        fs.script("DescribeTable", describe())
        slow_pages(fs)
        shown = on_a_terminal(script(fs), env={"DYNAMO_PROGRESS": "0"})
        assert "200|1000" in shown and "dynamo: Fake: " not in shown, shown


def test_quick_work_shows_nothing():
    with FakeServer() as fs:
        fs.script("DescribeTable", describe())
        slow_pages(fs, pages=2, seconds=0)
        shown = on_a_terminal(script(fs))
    assert "100|500" in shown and "dynamo: Fake: " not in shown, shown


def test_a_long_flush_of_writes_shows_its_progress():
    # 200 plain INSERTs in a transaction: 200 PutItems, at most 64 at a
    # time, each answered after 0.5 s: the COMMIT waits 2 s at the least
    with FakeServer() as fs:
        fs.script("DescribeTable", describe())
        fs.script("PutItem", *[(200, {"ConsumedCapacity": {"TableName": "Fake", "CapacityUnits": 1}},
                                None, 0.5)] * 200)
        inserts = "".join("INSERT INTO t(uuid, timestamp, n) VALUES ('u', 't%03d', %d);\n" % (i, i)
                          for i in range(200))
        shown = on_a_terminal(".load %s\nCREATE VIRTUAL TABLE t USING dynamo(table=Fake, "
                              "endpoint='%s', n N);\nBEGIN;\n%sCOMMIT;\nSELECT 'done';\n.quit\n"
                              % (so_path(), fs.url, inserts))
        eq(fs.ops().count("PutItem"), 200)
    drawn = [part for part in shown.split("\r") if part.startswith("dynamo: Fake: ")]
    assert drawn, shown
    assert all(" requests, " in d for d in drawn), drawn
    # the last drawing is erased before the next output (the shell echoes
    # the input first: "done" is in it)
    last = shown.rindex("\rdynamo: Fake: ")
    assert "\r\x1b[K" in shown[last:shown.rindex("done")], shown[last:]
