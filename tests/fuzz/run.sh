#!/usr/bin/env bash
# Build the libFuzzer targets tests/fuzz/fuzz_*.c into build/fuzz/ (clang,
# -fsanitize=fuzzer,address,undefined) and run each for a bounded time.
#
#   tests/fuzz/run.sh [--seconds N] [--build-only] [TARGET...]
#
# TARGET is attrval, number, response, credparse, filter, schema or streams (default: all seven). Each run
# starts from the committed seeds in tests/fuzz/corpus/TARGET (read only:
# new inputs go to a scratch directory, deleted afterwards unless
# FUZZ_WORK=DIR is set, which keeps them in DIR/TARGET). A crash, leak,
# sanitizer report, timeout (FUZZ_TIMEOUT s for one input, default 10) or
# violated property fails the target; its input is saved as
# build/fuzz/TARGET-crash-* (or -leak-, -timeout-, -oom-) and the command
# to reproduce it is printed. The last line is 'N passed, N failed',
# counting targets.
#
# Environment: FUZZ_SECONDS (default 20, per target; --seconds wins),
# FUZZ_CC (default clang), FUZZ_FLAGS (extra libFuzzer flags).
# Installs clang and its fuzzer runtime (Debian packages clang and
# libclang-rt-dev) when they are missing.

set -u
cd "$(dirname "$0")/../.." || exit 2

seconds=${FUZZ_SECONDS:-20}
build_only=0
targets=()
while [ $# -gt 0 ]; do
    case $1 in
        --seconds) [ $# -ge 2 ] || exit 2; seconds=$2; shift 2 ;;
        --seconds=*) seconds=${1#*=}; shift ;;
        --build-only) build_only=1; shift ;;
        -h|--help) sed -n '2,21s/^# \{0,1\}//p' "$0"; exit 0 ;;
        attrval|number|response|credparse|filter|schema|streams) targets+=("$1"); shift ;;
        *) echo "fuzz: unknown argument: $1" >&2; exit 2 ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=(attrval number response credparse filter schema streams)

CC=${FUZZ_CC:-clang}
OUT=build/fuzz

# --- toolchain ---------------------------------------------------------------
can_fuzz() {
    command -v "$CC" >/dev/null 2>&1 || return 1
    local d
    d=$(mktemp -d) || return 1
    printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' \
        > "$d/t.c"
    "$CC" -fsanitize=fuzzer,address,undefined -o "$d/t" "$d/t.c" >/dev/null 2>&1
    local rc=$?
    rm -rf "$d"
    return $rc
}
if ! can_fuzz; then
    echo "fuzz: installing clang and libclang-rt-dev (libFuzzer)"
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null; then sudo=(sudo); else
            echo "fuzz: not root and no sudo: install clang libclang-rt-dev" >&2
            echo "0 passed, ${#targets[@]} failed"
            exit 1
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -q >/dev/null
    "${sudo[@]}" apt-get install -y -q --no-install-recommends clang libclang-rt-dev >/dev/null
    if ! can_fuzz; then
        echo "fuzz: $CC cannot build a libFuzzer program (-fsanitize=fuzzer)" >&2
        echo "0 passed, ${#targets[@]} failed"
        exit 1
    fi
fi

# --- build -------------------------------------------------------------------
# Each target links only the pure modules it needs (no libcurl), except
# schema: the whole extension (it talks to a responder of its own on
# 127.0.0.1).
sources() {
    case $1 in
        number) echo ext/number.c ;;
        response) echo ext/attrval.c ext/item.c ext/number.c ext/page.c ;;
        credparse) echo ext/credparse.c ;;
        filter) echo ext/filter.c ext/expr.c ext/attrval.c ext/item.c ext/number.c ;;
        schema) echo ext/*.c ;;
        streams) echo ext/streams.c ext/attrval.c ext/item.c ext/number.c ;;
        *) echo ext/attrval.c ext/item.c ext/number.c ;;
    esac
}
mkdir -p "$OUT" || exit 2
CFLAGS_FUZZ="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -fno-omit-frame-pointer
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -DSQLITE_CORE -Iinclude
  $(pkg-config --cflags sqlite3 libcjson libcrypto)"
LIBS_FUZZ="$(pkg-config --libs sqlite3 libcjson libcrypto) -lm"
LIBS_CURL="$(pkg-config --libs libcurl zlib) -lpthread"
built=()
for t in "${targets[@]}"; do
    bin=$OUT/fuzz_$t
    srcs="tests/fuzz/fuzz_$t.c $(sources "$t")"
    stale=0
    [ -x "$bin" ] || stale=1
    for f in $srcs include/*.h "$0"; do
        [ "$f" -nt "$bin" ] && stale=1
    done
    if [ $stale = 1 ]; then
        echo "fuzz: building $bin"
        # shellcheck disable=SC2086
        libs=$LIBS_FUZZ
        [ "$t" = schema ] && libs="$LIBS_FUZZ $LIBS_CURL"
        # shellcheck disable=SC2086
        if ! $CC $CFLAGS_FUZZ $(pkg-config --cflags libcurl) -o "$bin" $srcs $libs; then
            echo "fuzz: could not build $bin"
            continue
        fi
    fi
    built+=("$t")
done
if [ $build_only = 1 ]; then
    echo "${#built[@]} passed, $(( ${#targets[@]} - ${#built[@]} )) failed"
    [ ${#built[@]} -eq ${#targets[@]} ]
    exit
fi

# --- run ---------------------------------------------------------------------
passed=0
failed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dynamo-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
for t in "${targets[@]}"; do
    bin=$OUT/fuzz_$t
    if [ ! -x "$bin" ] || ! printf '%s\n' "${built[@]}" | grep -qx "$t"; then
        echo "== fuzz_$t: FAIL (not built)"
        failed=$((failed + 1))
        continue
    fi
    if [ -n "${FUZZ_WORK:-}" ]; then new=$FUZZ_WORK/$t; else new=$tmp/$t; fi
    mkdir -p "$new" || exit 2
    dict=()
    [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
    log=$tmp/$t.log
    echo "== fuzz_$t: ${seconds}s from tests/fuzz/corpus/$t ($(find "tests/fuzz/corpus/$t" -type f | wc -l) seeds)"
    # shellcheck disable=SC2086
    timeout -k 10 $((seconds + 120)) \
        env ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:allocator_may_return_null=1 \
            UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        "$bin" -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" \
            -rss_limit_mb=2048 -print_final_stats=1 -use_value_profile=1 \
            -artifact_prefix="$OUT/$t-" "${dict[@]}" ${FUZZ_FLAGS:-} \
            "$new" "tests/fuzz/corpus/$t" > "$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -a -E '^#[0-9]+' "$log" | tail -n 1 | sed -n 's/.*\(cov: [0-9]*\).*/\1/p')
    if [ $rc -eq 0 ]; then
        echo "fuzz_$t: ok, ${runs:-?} runs in ${seconds}s${cov:+, $cov}, $(find "$new" -type f | wc -l) new inputs"
        passed=$((passed + 1))
    else
        echo "fuzz_$t: FAIL (exit status $rc); the end of its output:"
        grep -a -v -E '^#[0-9]+[[:space:]]' "$log" | tail -n 60 | sed 's/^/    /'
        crash=$(ls -t "$OUT/$t"-* 2>/dev/null | head -n 1)
        [ -n "$crash" ] && echo "    reproduce: $bin $crash"
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
