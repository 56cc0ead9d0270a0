#!/usr/bin/env bash
# Run the tests: the unit test binaries build/unit/test_*, then (unless
# --unit-only) the end-to-end tests tests/e2e/test_*.py against a local
# DynamoDB server that this script starts on a free 127.0.0.1 port and
# always stops.
#
#   tests/run.sh [--server dynamodb-local|dynalite] [--asan | --valgrind]
#                [--asserts] [--unit-only] [-k PATTERN]...
#
# Build first (make dynamo.so unit, or make test / make test-asan /
# make test-valgrind, which do it all). --valgrind runs the unit binaries,
# the e2e runner and the sqlite3 shells it starts under valgrind memcheck
# (suppressions in tests/valgrind.supp): any error or definite leak fails.
# The last line printed is the sum 'N passed, N failed, N skipped' (the
# unit binaries skip nothing; an e2e test skips where it cannot run on
# this server); the exit status is non-zero if anything failed.
# The e2e stage checks that dynamo.so is the library it means to test, before
# and after the tests (counted as a failure if not): the same bytes at the
# end as at the start, AddressSanitizer's imports with --asan, and
# assert()'s with --asserts (an ASSERT=1 build, as make test builds).
#
# Environment: UNIT_TIMEOUT (s, per binary, default 300), E2E_TIMEOUT (s,
# default 3000, 7200 with --valgrind), KEEP_STATE=1 keeps the server's
# state dir (server.log).

set -u

cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
PY=/usr/bin/python3    # Debian's: its sqlite3 module can load extensions

server=dynamodb-local
asan=0
asserts=0
valgrind=0
unit_only=0
patterns=()

usage() {
    sed -n '2,22s/^# \{0,1\}//p' "$0"
    exit 2
}

while [ $# -gt 0 ]; do
    case $1 in
        --server) [ $# -ge 2 ] || usage; server=$2; shift 2 ;;
        --server=*) server=${1#*=}; shift ;;
        --asan) asan=1; shift ;;
        --valgrind) valgrind=1; shift ;;
        --asserts) asserts=1; shift ;;
        --unit-only) unit_only=1; shift ;;
        -k) [ $# -ge 2 ] || usage; patterns+=(-k "$2"); shift 2 ;;
        -k*) patterns+=(-k "${1#-k}"); shift ;;
        -h|--help) usage ;;
        *) echo "run.sh: unknown option: $1" >&2; usage ;;
    esac
done
if [ "$asan" = 1 ] && [ "$valgrind" = 1 ]; then
    echo "run.sh: --asan and --valgrind exclude each other" >&2
    exit 2
fi
case $server in
    dynamodb-local|dynalite) ;;
    *) echo "run.sh: unknown server '$server' (dynamodb-local or dynalite)" >&2
       exit 2 ;;
esac

# milliseconds since the epoch (bash 5, no bc needed)
now_ms() { local t=${EPOCHREALTIME/./}; echo $((10#$t / 1000)); }
secs_since() { local d=$(( $(now_ms) - $1 )); printf '%d.%d' $((d / 1000)) $((d % 1000 / 100)); }

t_start=$(now_ms)
unit_passed=0 unit_failed=0 unit_bins=0 unit_checks=0
e2e_passed=0 e2e_failed=0 e2e_skipped=0
state=""
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dynamo-run.XXXXXX") || exit 2

plural() { if [ "$1" = 1 ]; then echo "1 $2"; else echo "$1 $3"; fi; }
stage() { printf '\n== %s\n' "$*"; }

cleanup() {
    if [ -n "$state" ] && [ -d "$state" ]; then
        "$PY" tests/server.py stop --state "$state" >/dev/null 2>&1
        if [ "${KEEP_STATE:-0}" = 1 ]; then
            echo "run.sh: server state kept in $state" >&2
        else
            rm -rf "$state"
        fi
    fi
    state=""
    rm -rf "$tmp"
}
child=""
on_signal() {
    # Bash runs traps only between commands, so children run in the
    # background (see run_tee) and are stopped here before cleanup.
    [ -n "$child" ] && kill -TERM "$child" 2>/dev/null
    exit "$1"
}
trap cleanup EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP

# run_tee OUT CMD...: run CMD (stdin /dev/null, stderr into stdout), show its
# output and keep a copy in OUT; set rc to its exit status.
run_tee() {
    local out=$1 fifo=$tmp/fifo teepid
    shift
    rm -f "$fifo"
    mkfifo "$fifo" || exit 2
    tee "$out" < "$fifo" &
    teepid=$!
    "$@" > "$fifo" 2>&1 < /dev/null &
    child=$!
    wait "$child"
    rc=$?
    child=""
    wait "$teepid"
}

# closing_line FILE: set cl_passed/cl_failed/cl_skipped from the last
# 'N passed, N failed' or 'N passed, N failed, N skipped' line of FILE (the
# unit binaries print the first, the e2e runner the second; cl_skipped is
# 0 without it); return 1 if there is none.
closing_line() {
    local re='^([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?' line
    line=$(grep -E "$re" "$1" | tail -n 1)
    [[ $line =~ $re ]] || return 1
    cl_passed=${BASH_REMATCH[1]}
    cl_failed=${BASH_REMATCH[2]}
    cl_skipped=${BASH_REMATCH[4]:-0}
}

describe_rc() {
    local rc=$1
    if [ "$rc" -eq 124 ]; then echo "timed out"
    elif [ "$rc" -eq 134 ]; then echo "aborted: SIGABRT, e.g. a sanitizer report"
    elif [ "$rc" -eq 99 ] && [ "$valgrind" = 1 ]; then echo "valgrind found errors (exit status 99)"
    elif [ "$rc" -gt 128 ]; then echo "killed by signal $((rc - 128))"
    else echo "exit status $rc"
    fi
}

if [ "$asan" = 1 ]; then
    # The unit binaries are our own sanitized programs: leaks count there.
    unit_asan_options=abort_on_error=1:detect_leaks=1
    ubsan_options=halt_on_error=1:print_stacktrace=1
fi
if [ "$valgrind" = 1 ]; then
    command -v valgrind >/dev/null || { echo "run.sh: valgrind is not installed" >&2; exit 2; }
    # Errors (invalid reads/writes, uninitialised values...) and definite
    # leaks fail, with exit status 99; possible leaks and still reachable
    # memory are Python's, OpenSSL's and libcurl's own business.
    vg=(valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite
        --errors-for-leak-kinds=definite --num-callers=40 --keep-debuginfo=yes
        --suppressions="$ROOT/tests/valgrind.supp")
fi

# library_problem: print what is wrong with dynamo.so as the library these
# tests mean to test (nothing when it is right): it must exist, import
# AddressSanitizer's runtime under --asan, and assert()'s with --asserts.
library_problem() {
    local so=$ROOT/dynamo.so imports
    [ -f "$so" ] || { echo "$so does not exist"; return; }
    imports=$(nm -D --undefined-only "$so" 2>/dev/null)
    if [ "$asan" = 1 ] && ! grep -q ' __asan_' <<<"$imports"; then
        echo "$so is not instrumented: no __asan_ import (not an ASan build)"
    fi
    if [ "$asserts" = 1 ] && ! grep -q ' __assert_fail' <<<"$imports"; then
        echo "$so has its assert()s compiled out (not an ASSERT=1 build)"
    fi
}
library_hash() { sha256sum "$ROOT/dynamo.so" 2>/dev/null | cut -d' ' -f1; }

# --- unit tests ------------------------------------------------------------
bins=()
for f in build/unit/test_*; do
    [ -f "$f" ] && [ -x "$f" ] && [ "${f%.o}" = "$f" ] && bins+=("$f")
done
stage "unit tests ($(plural ${#bins[@]} binary binaries) in build/unit)"
if [ ${#bins[@]} -eq 0 ]; then
    echo "no unit test binaries (make unit builds them)"
fi
for bin in "${bins[@]}"; do
    unit_bins=$((unit_bins + 1))
    echo "-- $bin"
    out=$tmp/unit.out
    if [ "$asan" = 1 ]; then
        run_tee "$out" env ASAN_OPTIONS=$unit_asan_options \
            UBSAN_OPTIONS=$ubsan_options \
            timeout --foreground -k 10 "${UNIT_TIMEOUT:-300}" "$bin"
    elif [ "$valgrind" = 1 ]; then
        run_tee "$out" timeout --foreground -k 10 "${UNIT_TIMEOUT:-300}" "${vg[@]}" "$bin"
    else
        run_tee "$out" timeout --foreground -k 10 "${UNIT_TIMEOUT:-300}" "$bin"
    fi
    checks=$(sed -n 's/^checks: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$out" | tail -n 1)
    [ -n "$checks" ] && unit_checks=$((unit_checks + ${checks% *} + ${checks#* }))
    if closing_line "$out"; then
        unit_passed=$((unit_passed + cl_passed))
        unit_failed=$((unit_failed + cl_failed))
        if [ "$rc" -ne 0 ] && [ "$cl_failed" -eq 0 ]; then
            echo "-- $bin: $(describe_rc "$rc") although no check failed: counted as 1 failed"
            unit_failed=$((unit_failed + 1))
        fi
    else
        echo "-- $bin: no closing line ($(describe_rc "$rc")): counted as 1 failed"
        unit_failed=$((unit_failed + 1))
    fi
done

# --- end-to-end tests ------------------------------------------------------
if [ "$unit_only" = 0 ]; then
    stage "start $server"
    state=$(mktemp -d "${TMPDIR:-/tmp}/dynamo-$server.XXXXXX") || exit 2
    t0=$(now_ms)
    if port=$("$PY" tests/server.py start --server "$server" --state "$state" 2>"$tmp/start.err"); then
        echo "$server up on 127.0.0.1:$port (pid $(cat "$state/pid")) in $(secs_since "$t0")s"

        label="e2e tests against $server"
        [ "$asan" = 1 ] && label+=" (ASan+UBSan preloaded)"
        [ "$valgrind" = 1 ] && label+=" (under valgrind)"
        stage "$label"
        [ -f dynamo.so ] || echo "note: $ROOT/dynamo.so is not built (make dynamo.so)"
        lib_before=$(library_problem)
        hash_before=$(library_hash)
        # A hermetic AWS environment: nothing from the developer's own
        # configuration, profiles or real credentials may leak in.
        for v in $(compgen -e | grep '^AWS_'); do unset "$v"; done
        export AWS_ACCESS_KEY_ID=AKIDLOCALTESTONLY0000
        export AWS_SECRET_ACCESS_KEY=local-test-secret-not-a-real-key
        export AWS_REGION=us-east-1
        export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$port
        export AWS_CONFIG_FILE=$state/no-aws-config
        export AWS_SHARED_CREDENTIALS_FILE=$state/no-aws-credentials
        export AWS_EC2_METADATA_DISABLED=true
        export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
        export DYNAMO_SO=$ROOT/dynamo.so
        export SERVER=$server
        export PYTHONDONTWRITEBYTECODE=1
        export E2E_CURRENT_FILE=$tmp/e2e.current

        runner=("$PY" tests/e2e/runner.py "${patterns[@]}")
        out=$tmp/e2e.out
        if [ "$asan" = 1 ]; then
            # Python and the sqlite3 shell are not built with ASan, so the
            # runtimes are preloaded (only here, for the runner and the
            # sqlite3 children it starts; never for java/node/server.py).
            # detect_leaks=0: CPython itself leaks at exit, so leak reports
            # from these processes would be noise; the unit binaries above
            # do run with leak detection.
            preload="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
            run_tee "$out" timeout --foreground -k 30 "${E2E_TIMEOUT:-3000}" \
                env LD_PRELOAD="$preload" \
                    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
                    UBSAN_OPTIONS=$ubsan_options \
                    "${runner[@]}"
        elif [ "$valgrind" = 1 ]; then
            # The runner and the sqlite3 shells it starts run under valgrind
            # (not its other children: helper Python servers, nm, make);
            # each process writes its report to its own file, so that a
            # shell's stderr, which tests compare, stays clean.
            # PYTHONMALLOC=malloc: Python's own allocator confuses memcheck.
            mkdir -p "$tmp/vg"
            run_tee "$out" timeout --foreground -k 30 "${E2E_TIMEOUT:-7200}" \
                env PYTHONMALLOC=malloc \
                "${vg[@]}" --trace-children=yes --log-file="$tmp/vg/e2e.%p.log" \
                    --trace-children-skip='*python*,*/nm,*/make,*/sh,*/bash,*/java,*/node' \
                    "${runner[@]}"
        else
            run_tee "$out" timeout --foreground -k 30 "${E2E_TIMEOUT:-3000}" \
                "${runner[@]}"
        fi
        lib_failed=0
        lib_after=$(library_problem)
        hash_after=$(library_hash)
        for problem in "$lib_before" "$lib_after"; do
            [ -n "$problem" ] || continue
            echo "-- the library tested: $problem: counted as 1 failed"
            lib_failed=$((lib_failed + 1))
        done
        if [ "$hash_before" != "$hash_after" ]; then
            echo "-- dynamo.so changed while the e2e tests ran (sha256 $hash_before," \
                 "now $hash_after): the tests after the change did not test the build" \
                 "they started with: counted as 1 failed"
            lib_failed=$((lib_failed + 1))
        fi
        vg_failed=0
        if [ "$valgrind" = 1 ]; then
            for f in "$tmp"/vg/e2e.*.log; do
                [ -s "$f" ] || continue
                vg_failed=$((vg_failed + 1))
                pid=${f##*/e2e.}
                echo "-- valgrind report of process ${pid%.log} (the first 40 lines):"
                head -n 40 "$f" | sed 's/^/    /'
            done
            [ "$vg_failed" -gt 0 ] &&
                echo "-- valgrind: $(plural "$vg_failed" process processes) reported errors: counted as $vg_failed failed"
        fi
        if closing_line "$out"; then
            e2e_passed=$cl_passed
            e2e_failed=$((cl_failed + vg_failed + lib_failed))
            e2e_skipped=$cl_skipped
            if [ "$rc" -ne 0 ] && [ "$e2e_failed" -eq 0 ]; then
                echo "-- e2e runner: $(describe_rc "$rc"): counted as 1 failed"
                e2e_failed=$((e2e_failed + 1))
            fi
        else
            # The runner died: keep the results it printed, add 1 failure.
            e2e_passed=$(grep -c '^ok - ' "$out")
            e2e_skipped=$(grep -c '^skip - ' "$out")
            e2e_failed=$(( $(grep -c '^FAIL - ' "$out") + 1 + vg_failed + lib_failed ))
            echo "-- e2e runner died ($(describe_rc "$rc")) in" \
                 "$(cat "$E2E_CURRENT_FILE" 2>/dev/null || echo '?'): counted as 1 failed"
        fi
        if [ "$e2e_failed" -gt 0 ] && [ -s "$state/server.log" ]; then
            echo "-- last lines of the $server log:"
            tail -n 15 "$state/server.log" | sed 's/^/    /'
        fi
    else
        cat "$tmp/start.err"
        echo "could not start $server: counted as 1 failed"
        e2e_failed=1
    fi
    stage "stop $server"
    cleanup
    echo "stopped"
fi

# --- summary ---------------------------------------------------------------
passed=$((unit_passed + e2e_passed))
failed=$((unit_failed + e2e_failed))
skipped=$e2e_skipped
stage "summary"
echo "unit tests ($(plural "$unit_bins" binary binaries), $unit_checks checks): passed $unit_passed, failed $unit_failed"
if [ "$unit_only" = 0 ]; then
    echo "e2e tests ($server$([ "$asan" = 1 ] && echo ', asan')$([ "$valgrind" = 1 ] && echo ', valgrind')): passed $e2e_passed, failed $e2e_failed, skipped $e2e_skipped"
fi
echo "took $(secs_since "$t_start")s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
