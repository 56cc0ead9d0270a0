#!/usr/bin/env bash
# make demo: start DynamoDB Local on a free loopback port, then, all in SQL:
# create the Tracks table (sql/schema.sql: create=1, partition key uuid, sort
# key timestamp), load the workshop's sample item and a few more fixes, print
# the reports in sql/; stop the server. Needs dynamo.so built and the npm
# packages installed (make demo does both).
set -u
cd "$(dirname "$0")/.." || exit 2
PY=/usr/bin/python3
state=$(mktemp -d)
trap '$PY tests/server.py stop --state "$state" >/dev/null 2>&1; rm -rf "$state"' EXIT

port=$($PY tests/server.py start --server dynamodb-local --state "$state") || exit 1
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_REGION=us-east-1
export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$port
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL

echo "== DynamoDB Local on 127.0.0.1:$port"

run() {
    echo
    echo "== $1"
    shift
    sqlite3 -bail "$@" || exit 1
}
db=$state/demo.db
run "sql/schema.sql (creates Tracks: uuid HASH, timestamp RANGE), sql/load.sql" "$db" <<'SQL'
.load ./dynamo
.read sql/schema.sql
.read sql/load.sql
SELECT count(*) || ' items in Tracks' FROM tracks;
SQL
run "sql/reports.sql" "$db" <<'SQL'
.load ./dynamo
.mode box
.echo on
.read sql/reports.sql
SQL
echo
echo "== done: this server stops now; make server starts one that stays (README, Usage)"
