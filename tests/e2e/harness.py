"""What the end-to-end tests use (see tests/e2e/runner.py for how they run).

tests/run.sh starts a local DynamoDB server and exports the environment
this module reads:
    DYNAMO_SO                   absolute path of the built dynamo.so
    AWS_ENDPOINT_URL_DYNAMODB   http://127.0.0.1:PORT of that server
    AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY   fake test values
    SERVER                      'dynamodb-local' or 'dynalite'

API:
    connect(path=':memory:')  sqlite3.Connection with the extension loaded
                              (autocommit, like the sqlite3 shell)
    shell(sql, db=':memory:', args=(), env=None)
                              run the sqlite3 CLI with `.load $DYNAMO_SO`
                              first and `sql` on stdin -> (rc, out, err)
    traced(sql, db=':memory:', env=None)
                              the same with DYNAMO_TRACE=1 -> (rc, out, err,
                              [(operation, request), ...])
    ddb()                     shared ddbclient.Client (independent checks)
    unique(prefix)            a DynamoDB table name unique to this run
    server()                  'dynamodb-local' or 'dynalite'
    eq(got, want, msg='')     assert got == want
    raises(fn, substring)     fn() must raise sqlite3.Error containing it
    skip(reason)              end the test here, counted as skipped: only
                              where it cannot run on this server or
                              configuration (never in an infrastructure
                              test, which fails when its needs are missing)
    note(text)                a line the runner prints under the result
    defer(fn, *args)          run fn(*args) after the current test (LIFO),
                              e.g. defer(ddb().delete_table, name)
"""

import itertools
import os
import random
import re
import sqlite3
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)
import ddbclient  # noqa: E402
from ddbclient import DynamoError  # noqa: E402,F401  (for tests)

_RUN_ID = "%x%04x" % (os.getpid() & 0xfffff, random.getrandbits(16))
_counter = itertools.count(1)
_client = None
_notes = []
_deferred = []


def so_path():
    """Absolute path of the extension from $DYNAMO_SO (may not exist)."""
    path = os.environ.get("DYNAMO_SO")
    if not path:
        raise RuntimeError("DYNAMO_SO is not set (run the tests with "
                           "tests/run.sh)")
    return path


def connect(path=":memory:", isolation_level=None, **kwargs):
    """A sqlite3 connection with dynamo.so loaded. isolation_level=None means
    autocommit, as in the sqlite3 shell: Python's default would wrap DML in
    an implicit BEGIN."""
    so = so_path()
    if not os.path.exists(so):
        raise RuntimeError("DYNAMO_SO=%s does not exist (run make first)" % so)
    conn = sqlite3.connect(path, isolation_level=isolation_level, **kwargs)
    try:
        conn.enable_load_extension(True)
        conn.load_extension(so)
        conn.enable_load_extension(False)
    except Exception:
        conn.close()
        raise
    return conn


def shell(sql, db=":memory:", args=(), timeout=120, env=None):
    """Run `sqlite3 [args] db` with `.load $DYNAMO_SO` and then `sql` on
    stdin; return (returncode, stdout, stderr) as text. env: variables to
    add to (value None: remove from) the environment of the shell."""
    so = so_path()
    script = ".load %s\n%s" % ("'%s'" % so if "'" not in so else so, sql)
    if not script.endswith("\n"):
        script += "\n"
    full = dict(os.environ)
    for k, v in (env or {}).items():
        if v is None:
            full.pop(k, None)
        else:
            full[k] = v
    p = subprocess.run(["sqlite3", *args, db], input=script, env=full,
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def traced(sql, db=":memory:", env=None):
    """Run sql in the sqlite3 shell with DYNAMO_TRACE=1; return (rc, out,
    err, requests) where requests lists (operation, request dict) in the
    order the extension sent them. err keeps only the non-trace lines."""
    import json
    rc, out, err = shell(sql, db=db, env=dict(env or {}, DYNAMO_TRACE="1"))
    requests, rest = [], []
    for line in err.splitlines():
        if line.startswith("dynamo: ") and " {" in line:
            op, body = line[len("dynamo: "):].split(" ", 1)
            requests.append((op, json.loads(body)))
        else:
            rest.append(line)
    return rc, out, "\n".join(rest), requests


def ddb():
    """The shared independent DynamoDB client (ddbclient.Client)."""
    global _client
    if _client is None:
        _client = ddbclient.Client.from_env()
    return _client


def unique(prefix="t"):
    """A table name unique to this run: PREFIX_RUNID_N (valid DynamoDB
    name characters only)."""
    prefix = re.sub(r"[^A-Za-z0-9_.-]", "_", prefix) or "t"
    return "%s_%s_%d" % (prefix, _RUN_ID, next(_counter))


def server():
    """Which local server the tests run against."""
    return os.environ.get("SERVER", "dynamodb-local")


class environ:
    """Set environment variables for the duration of a block (None removes
    one); the old values come back afterwards."""
    def __init__(self, **kw):
        self.kw = kw

    @staticmethod
    def _set(k, v):
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v

    def __enter__(self):
        self.old = {k: os.environ.get(k) for k in self.kw}
        for k, v in self.kw.items():
            self._set(k, v)

    def __exit__(self, *exc):
        for k, v in self.old.items():
            self._set(k, v)


def eq(got, want, msg=""):
    if got != want:
        raise AssertionError("%s%sgot:  %r\n want: %r"
                             % (msg, "\n " if msg else "", got, want))


def raises(fn, substring):
    """Call fn(); it must raise sqlite3.Error whose message contains
    substring. Returns the exception."""
    try:
        fn()
    except sqlite3.Error as e:
        if substring not in str(e):
            raise AssertionError("sqlite3.Error %r does not contain %r"
                                 % (str(e), substring))
        return e
    except Exception as e:
        raise AssertionError("expected sqlite3.Error containing %r, got %s: %s"
                             % (substring, type(e).__name__, e)) from e
    raise AssertionError("expected sqlite3.Error containing %r, nothing "
                         "was raised" % substring)


class Skipped(BaseException):
    """Raised by skip(). A BaseException, like KeyboardInterrupt, so that a
    test's own `except Exception` does not swallow it."""


def skip(reason):
    """End the current test here: the runner counts it as skipped and
    prints 'skip - file::name (reason)'. Only for a test that truly cannot
    run on this server or configuration; the reason says why."""
    if not str(reason).strip():
        raise ValueError("skip() needs a reason")
    raise Skipped(str(reason))


def note(text):
    """Print `text` under this test's result line (e.g. what it measured)."""
    _notes.append(str(text))


def defer(fn, *args, **kwargs):
    """Run fn(*args, **kwargs) after the current test, even if it fails."""
    _deferred.append((fn, args, kwargs))


# -- used by runner.py -----------------------------------------------------

def _take_notes():
    out = list(_notes)
    del _notes[:]
    return out


def _run_deferred():
    """Run and clear the deferred calls; return the first exception."""
    first = None
    while _deferred:
        fn, args, kwargs = _deferred.pop()
        try:
            fn(*args, **kwargs)
        except Exception as e:  # keep cleaning up
            if first is None:
                first = e
    return first


def unprocessed_rounds(e):
    """(rounds, ms of backoff) an error about unprocessed keys or items
    reports: "... after N rounds (M ms of backoff)"."""
    m = re.search(r"after (\d+) rounds \((\d+) ms of backoff\)", str(e))
    assert m, e
    return int(m.group(1)), int(m.group(2))


class Statement:
    """sql run on conn in a thread of its own (a test interrupts it from
    another); .error once it ended (None: it succeeded), .rows. The fake
    (anything with a mark(text)) records "statement ended" then, so that the
    order of what it saw shows whether the extension hung up first."""

    def __init__(self, conn, sql, fake):
        self.error = self.rows = None
        self.done = threading.Event()

        def run():
            try:
                self.rows = conn.execute(sql).fetchall()
            except Exception as e:
                self.error = str(e)
            fake.mark("statement ended")
            self.done.set()
        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def wait(self, timeout=60):
        assert self.done.wait(timeout), "the statement did not end"
        self.thread.join()
