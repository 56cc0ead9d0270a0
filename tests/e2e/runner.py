#!/usr/bin/python3
"""Run the end-to-end tests: tests/e2e/test_*.py, files sorted by name, in
each file the module-level functions test_*() in the order they are defined.

    /usr/bin/python3 tests/e2e/runner.py [-k SUBSTRING]... [FILE...]

-k selects the tests whose 'file::name' contains SUBSTRING (several -k: any).
Prints 'ok - file::name', 'FAIL - file::name' and the traceback indented, or
'skip - file::name (reason)' for a test that called harness.skip(reason),
and ends with one line 'N passed, N failed, N skipped'. Exits 1 if anything
failed, and also when nothing passed or failed: no test selected, or every
selected test skipped. A test file that fails to import counts as one
failure; a skipped test whose deferred cleanup fails counts as failed.

Normally started by tests/run.sh, which provides the server and environment
(see harness.py).
"""

import argparse
import glob
import importlib.util
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
for p in (TESTS, HERE):
    if p not in sys.path:
        sys.path.insert(0, p)
import harness  # noqa: E402


def indent(text, prefix="    "):
    return "".join(prefix + line + "\n" for line in text.rstrip("\n").split("\n"))


def mark_current(label):
    """Record the running test in $E2E_CURRENT_FILE, so that tests/run.sh
    can name it if the process dies (e.g. a sanitizer aborts it)."""
    path = os.environ.get("E2E_CURRENT_FILE")
    if path:
        with open(path, "w") as f:
            f.write(label + "\n")


def format_error(skip_runner=True):
    """The current exception's traceback, without the runner's own frame."""
    etype, value, tb = sys.exc_info()
    while skip_runner and tb is not None and (
            tb.tb_frame.f_code.co_filename == __file__
            or tb.tb_frame.f_code.co_filename.startswith("<frozen ")):
        tb = tb.tb_next
    return "".join(traceback.format_exception(etype, value, tb))


def load(path):
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def tests_of(module):
    found = []
    for name, obj in vars(module).items():
        if (name.startswith("test_") and callable(obj)
                and getattr(obj, "__module__", None) == module.__name__):
            code = getattr(obj, "__code__", None)
            found.append((code.co_firstlineno if code else 0, name, obj))
    found.sort(key=lambda t: t[0])
    return [(name, obj) for _, name, obj in found]


def main(argv=None):
    ap = argparse.ArgumentParser(description="Run tests/e2e/test_*.py")
    ap.add_argument("-k", dest="patterns", action="append", default=[],
                    metavar="SUBSTRING",
                    help="run only tests whose file::name contains it")
    ap.add_argument("files", nargs="*", help="test files (default: all)")
    args = ap.parse_args(argv)
    try:
        sys.stdout.reconfigure(line_buffering=True)
    except AttributeError:
        pass

    files = args.files or sorted(glob.glob(os.path.join(HERE, "test_*.py")))
    passed = failed = skipped = 0
    t_start = time.monotonic()
    file_took = []
    for path in files:
        fname = os.path.basename(path)
        t_file, ran_before = time.monotonic(), passed + failed + skipped
        mark_current("%s (import)" % fname)
        try:
            module = load(os.path.abspath(path))
        except KeyboardInterrupt:
            raise
        except BaseException:
            failed += 1
            print("FAIL - %s (import)" % fname)
            sys.stdout.write(indent(format_error()))
            continue
        for name, fn in tests_of(module):
            label = "%s::%s" % (fname, name)
            if args.patterns and not any(p in label for p in args.patterns):
                continue
            error = skip_reason = None
            mark_current(label)
            try:
                fn()
            except KeyboardInterrupt:
                raise
            except harness.Skipped as e:
                skip_reason = str(e)
            except BaseException:
                error = format_error()
            cleanup = harness._run_deferred()
            if cleanup is not None and error is None:
                error = "cleanup failed:\n" + "".join(
                    traceback.format_exception(type(cleanup), cleanup,
                                               cleanup.__traceback__))
            notes = harness._take_notes()
            if error is not None:
                failed += 1
                print("FAIL - %s" % label)
                sys.stdout.write(indent(error))
            elif skip_reason is not None:
                skipped += 1
                print("skip - %s (%s)" % (label, skip_reason))
            else:
                passed += 1
                print("ok - %s" % label)
            for n in notes:
                print("    note: %s" % n)
        if passed + failed + skipped > ran_before:
            file_took.append((time.monotonic() - t_file, fname))

    selection = " (-k %s)" % " -k ".join(args.patterns) if args.patterns else ""
    if passed + failed + skipped == 0:
        print("runner: no test selected%s" % selection)
    elif passed + failed == 0:
        print("runner: every selected test was skipped%s: nothing was checked"
              % selection)
    slowest = sorted(file_took, reverse=True)[:5]
    if slowest:
        print("slowest files: " + ", ".join("%s %.1fs" % (f, t) for t, f in slowest))
    sys.stdout.write("e2e took %.1fs\n" % (time.monotonic() - t_start))
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed or passed + failed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
