"""Loading the extension: what it registers, its version and debug text,
`make install` and `.load dynamo` from any directory."""

import os
import subprocess
import tempfile

from harness import connect, eq, shell
from fixtures import ROOT


def test_registers_exactly_its_functions_and_module():
    c = connect()
    funcs = sorted(r[0] for r in c.execute(
        "SELECT DISTINCT name FROM pragma_function_list WHERE name LIKE 'dynamo%'"))
    eq(funcs, ["dynamo_config", "dynamo_debug", "dynamo_key", "dynamo_refresh",
               "dynamo_sync", "dynamo_version"])
    mods = sorted(r[0] for r in c.execute(
        "SELECT name FROM pragma_module_list WHERE name LIKE 'dynamo%'"))
    eq(mods, ["dynamo", "dynamo_stats", "dynamo_tables"])


def test_version_and_debug():
    c = connect()
    version = c.execute("SELECT dynamo_version()").fetchone()[0]
    assert version.count(".") == 2 and all(p.isdigit() for p in version.split(".")), version
    debug = c.execute("SELECT dynamo_debug()").fetchone()[0]
    for want in ("Version: " + version, "Commit: ", "SQLite: ", "libcurl/",
                 "OpenSSL", "cJSON: "):
        assert want in debug, (want, debug)


def test_only_the_entry_point_is_exported():
    out = subprocess.run(["nm", "-D", "--defined-only", os.environ["DYNAMO_SO"]],
                         capture_output=True, text=True, check=True).stdout
    names = sorted(l.split()[-1] for l in out.splitlines()
                   if l.split() and l.split()[1] in "TtDdBbRr" and not l.split()[-1].startswith("_"))
    eq(names, ["sqlite3_dynamo_init"])


def test_shell_loads_it():
    rc, out, err = shell("SELECT dynamo_version();")
    eq((rc, err), (0, ""))
    assert out.strip().count(".") == 2


def test_make_install_then_load_by_name_from_anywhere():
    with tempfile.TemporaryDirectory() as d:
        dest = os.path.join(d, "root")
        # -o dynamo.so: install the library under test as it is. A plain
        # `make install` would rebuild it in release mode (no asserts, no
        # sanitizer) for every test after this one.
        with open(os.environ["DYNAMO_SO"], "rb") as f:
            tested = f.read()
        r = subprocess.run(["make", "-s", "-C", ROOT, "-o", "dynamo.so", "install",
                            "DESTDIR=" + dest, "PREFIX=/opt/dyn"], capture_output=True, text=True)
        eq(r.returncode, 0, r.stderr)
        libdir = os.path.join(dest, "opt/dyn/lib")
        assert os.path.exists(os.path.join(libdir, "dynamo.so")), os.listdir(dest)
        with open(os.path.join(libdir, "dynamo.so"), "rb") as f:
            assert f.read() == tested, "make install installed another build than the one tested"
        with open(os.environ["DYNAMO_SO"], "rb") as f:
            assert f.read() == tested, "make install rebuilt the library under test"
        env = dict(os.environ, LD_LIBRARY_PATH=libdir)
        p = subprocess.run(["sqlite3", ":memory:"], input=".load dynamo\nSELECT dynamo_version();\n",
                           capture_output=True, text=True, cwd=d, env=env)
        eq((p.returncode, p.stderr), (0, ""))
        assert p.stdout.strip().count(".") == 2, p.stdout
