"""Every code block of README.md, run as written and in order against the
DynamoDB Local that `make server` starts (as the README's Usage does), its
output compared with what the README shows: the README cannot drift from
what a newcomer gets.

Each fenced block follows a marker comment that says how to run it:

  <!-- test: session -->   `$ make server` runs in the repository, its
                           output compared (the port aside); `$ eval
                           "$(make -s server)"` takes the exports into the
                           session's environment; `$ sqlite3` starts the
                           Usage session: `sqlite>` and `   ...>` lines are
                           its input, the other lines its output. `sqlite>`
                           lines with no `$ sqlite3` go on in that session.
                           Other `$` commands (sqlite-utils) run in bash.
  <!-- test: sql -->        SQL that goes on in the Usage session
  <!-- test: sql new -->    SQL for a new sqlite3 (`.load ./dynamo` first
                           when the block has no .load of its own)
  <!-- test: python -->     run by /usr/bin/python3
  <!-- test: output -->     what the block before prints
  <!-- test: skip: WHY -->  not run, for the reason given

A block without a marker fails the test. The Usage session goes on across
blocks as pasting into one sqlite3 would: each part runs in its own sqlite3
on one database file, after `.load ./dynamo` and the `.mode box` the session
set. Blocks run in a scratch directory with links to dynamo.so and sql/, so
that the README's relative paths work and nothing is written in the
repository. The server is DynamoDB Local whatever SERVER says: it is what
`make server` starts. Lines are compared without trailing blanks, errors
without sqlite3's " near line N" (the interactive shell does not print it).
README_TRANSCRIPT=FILE writes every block and what it printed to FILE.
"""

import os
import re
import subprocess
import tempfile

from harness import defer, eq, so_path

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
README = os.path.join(ROOT, "README.md")
MARKER = re.compile(r"^<!-- test: (session|sql new|sql|python|output|skip: .+) -->$")
ERROR = re.compile(r"^(Parse error|Runtime error|Error)")
# the variables of the sanitizer runs: for sqlite3 and python, never for make
# and the Java server it starts; and those of the make that runs the tests,
# which a user's shell does not have (with them, make says where it is)
NOT_FOR_MAKE = ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS", "MAKEFLAGS", "MFLAGS", "MAKELEVEL",
                "MAKEOVERRIDES")


def blocks():
    """[(line number, marker, [lines])] of README.md's fenced blocks."""
    with open(README, encoding="utf-8") as f:
        lines = f.read().split("\n")
    out, i = [], 0
    while i < len(lines):
        if not lines[i].startswith("```"):
            i += 1
            continue
        start = i
        m = MARKER.match(lines[i - 1]) if i > 0 else None
        if not m:
            raise AssertionError("README.md:%d: a code block with no <!-- test: ... --> "
                                 "marker on the line before it" % (start + 1))
        i += 1
        body = []
        while i < len(lines) and lines[i] != "```":
            body.append(lines[i])
            i += 1
        assert i < len(lines), "README.md:%d: the block is not closed" % (start + 1)
        out.append((start + 1, m.group(1), body))
        i += 1
    return out


class Readme:
    def __init__(self, work):
        self.work = work
        self.db = os.path.join(work, "usage.db")
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("AWS_") or k in ("AWS_CONFIG_FILE",
                                                         "AWS_SHARED_CREDENTIALS_FILE",
                                                         "AWS_EC2_METADATA_DISABLED")}
        self.make_env = {k: v for k, v in self.env.items() if k not in NOT_FOR_MAKE}
        self.make_env["DYNAMO_SERVER_STATE"] = os.path.join(work, "server")
        self.make_env["DYNAMO_SERVER_PORT"] = "0"  # a free port: 8000 stays the user's
        self.transcript = []

    def run(self, argv, cwd, stdin=None, make=False):
        p = subprocess.run(argv, cwd=cwd, input=stdin, capture_output=True, text=True,
                           timeout=300, env=self.make_env if make else self.env)
        self.transcript.append("$ %s\n%s%s" % (" ".join(argv), stdin or "", p.stdout + p.stderr))
        return p

    def sqlite(self, where, script, new=False):
        db = ":memory:" if new else self.db
        return self.run(["sqlite3", db], self.work, stdin=script)

    def server_started(self):
        return "AWS_ENDPOINT_URL_DYNAMODB" in self.env


def check(where, p, want):
    """The process printed want (lines; error lines are compared with its
    stderr) and nothing else, and failed only if want shows an error."""
    got_out = [l.rstrip() for l in p.stdout.split("\n")]
    got_err = [re.sub(r" near line \d+", "", l.rstrip()) for l in p.stderr.split("\n")]
    while got_out and got_out[-1] == "":
        got_out.pop()
    while got_err and got_err[-1] == "":
        got_err.pop()
    want_err = [l.rstrip() for l in want if ERROR.match(l)]
    want_out = [l.rstrip() for l in want if not ERROR.match(l)]
    eq(got_out, want_out, "%s: the output" % where)
    eq(got_err, want_err, "%s: the errors" % where)


def port_free(lines):
    return [re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", l) for l in lines]


def run_session(r, where, body):
    """A session block: `$ command` lines with their output, and runs of
    sqlite3 input (`sqlite>`, `   ...>`) with theirs."""
    parts = []  # [command, or None for sqlite3 input; input lines; expected lines]
    for line in body:
        if line.startswith("$ "):
            parts.append([line[2:], [], []])
        elif line.startswith(("sqlite> ", "   ...> ")):
            if not parts or parts[-1][0] is not None:
                parts.append([None, [], []])
            parts[-1][1].append(line[8:])
        elif parts:
            parts[-1][2].append(line)
        else:
            raise AssertionError("%s: output before any command" % where)
    fresh = False
    for cmd, inp, want in parts:
        if cmd == "sqlite3":  # the Usage session starts: its input follows
            assert not want, "%s: $ sqlite3 prints nothing" % where
            assert r.server_started(), "%s: sqlite3 before make server" % where
            if os.path.exists(r.db):
                os.unlink(r.db)
            fresh = True
        elif cmd is None and fresh:
            check("%s ($ sqlite3)" % where, r.sqlite(where, "\n".join(inp) + "\n"), want)
            fresh = False
        elif cmd is None:  # goes on in the Usage session
            assert os.path.exists(r.db), "%s: no Usage session to go on in" % where
            check(where, r.sqlite(where, ".load ./dynamo\n.mode box\n" + "\n".join(inp) + "\n"),
                  want)
        elif cmd == "make server":
            p = r.run(["make", "server"], ROOT, make=True)
            eq(p.returncode, 0, "%s: make server failed: %s" % (where, p.stderr))
            eq(port_free(p.stdout.rstrip("\n").split("\n")), port_free(want), where)
        elif cmd == 'eval "$(make -s server)"':
            assert not want, "%s: eval prints nothing" % where
            p = r.run(["make", "-s", "server"], ROOT, make=True)
            eq(p.returncode, 0, "%s: make -s server failed: %s" % (where, p.stderr))
            for line in p.stdout.split("\n"):
                if line.startswith("export "):
                    for kv in line[7:].split():
                        k, v = kv.split("=", 1)
                        r.env[k] = v
        else:  # another tool: in the scratch directory, with the session's environment
            check("%s ($ %s)" % (where, cmd), r.run(["bash", "-c", cmd], r.work), want)


def test_every_readme_block_runs_as_written():
    found = blocks()
    work = tempfile.mkdtemp(prefix="dynamo-readme.")
    os.symlink(so_path(), os.path.join(work, "dynamo.so"))
    os.symlink(os.path.join(ROOT, "sql"), os.path.join(work, "sql"))
    r = Readme(work)

    def stop():
        p = r.run(["make", "-s", "server-stop"], ROOT, make=True)
        path = os.environ.get("README_TRANSCRIPT")
        if path:
            with open(path, "w") as f:
                f.write("\n".join(r.transcript))
        subprocess.run(["rm", "-rf", work])
        if r.server_started():  # what the README says stops it, does
            eq(p.returncode, 0, p.stderr)
            assert re.match(r"# DynamoDB Local on 127\.0\.0\.1:\d+ stopped\n", p.stdout), p.stdout
    defer(stop)

    kinds = {}
    for n, (line, marker, body) in enumerate(found):
        where = "README.md:%d" % line
        kinds[marker.split(":")[0]] = kinds.get(marker.split(":")[0], 0) + 1
        r.transcript.append("== %s (%s)" % (where, marker))
        nxt = found[n + 1] if n + 1 < len(found) else None
        want = nxt[2] if nxt and nxt[1] == "output" else []
        if marker.startswith("skip: ") or marker == "output":
            continue
        if marker == "session":
            run_session(r, where, body)
            continue
        assert r.server_started(), "%s: before the Usage session's make server" % where
        if marker == "python":
            p = r.run(["/usr/bin/python3", "-"], work, stdin="\n".join(body) + "\n")
        elif marker == "sql new":
            load = "" if any(l.startswith(".load") for l in body) else ".load ./dynamo\n"
            p = r.sqlite(where, load + "\n".join(body) + "\n", new=True)
        else:
            assert os.path.exists(r.db), "%s: no Usage session to go on in" % where
            p = r.sqlite(where, ".load ./dynamo\n.mode box\n" + "\n".join(body) + "\n")
        check(where, p, want)
    # the kinds this test knows were all met: the markers are in use
    for k in ("session", "sql", "sql new", "python", "output", "skip"):
        assert kinds.get(k), "no README block is marked %r" % k
