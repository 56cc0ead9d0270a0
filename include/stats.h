/*
** What a connection's dynamo tables have cost, and its connection-wide
** settings:
**
**   SELECT * FROM dynamo_stats;          -- per table and operation: requests,
**                                        -- retries, items, scanned items,
**                                        -- capacity units, bytes, waits
**   DELETE FROM dynamo_stats;            -- start counting again
**   SELECT dynamo_config('scan', 0);     -- no table of this connection may
**                                        -- Scan (unless its scan=1 says so)
**   SELECT dynamo_config('trust', 1);    -- the options of every database's
**                                        -- schema are honoured (trust.h)
**   SELECT dynamo_config('progress', 0); -- no progress line (progress.h)
*/
#ifndef DYNAMO_STATS_H
#define DYNAMO_STATS_H

#include "common.h"
#include "ddb.h"

typedef struct dyn_conn dyn_conn;

/* One per SQLite connection; freed with the dynamo_stats module. */
dyn_conn *conn_new(void);

/* Register dynamo_stats and dynamo_config() on db, sharing conn (which the
** module frees when the connection closes). */
int stats_register(sqlite3 *db, dyn_conn *conn);

/* Add one request's usage to the row of (zTable, zOp); a ddb_usage_fn. */
void stats_add(void *conn, const char *zTable, const char *zOp, const ddb_usage *u);

/* The connection-wide scan setting: 1 allowed (the default), 0 not. */
int conn_scan_allowed(const dyn_conn *conn);

/* dynamo_config('trust'): 1 when the user trusts every database's schema
** on this connection (trust.h), else 0. */
int conn_trust_all(const dyn_conn *conn);

/* Were these arguments typed in a CREATE VIRTUAL TABLE on this connection
** (the user's own, even when SQLite connects the table again after the
** schema changed)? With add, they are now: 1, or SQLITE_NOMEM. */
int conn_typed(dyn_conn *conn, const char *zArgs, int add);

/* The work of a statement on this connection: a cursor open or a flush of
** writes under way (nested); the progress line (progress.h) shows while
** there is some. */
void conn_work_begin(dyn_conn *conn);
void conn_work_end(dyn_conn *conn);
/* A row goes to SQLite (the progress line makes way for it). */
void conn_work_row(dyn_conn *conn);

/* A request is awaited (a ddb_settings.on_wait): the progress line. */
void stats_wait(void *conn);

/* Where table.c keeps the list of the connection's dynamo tables. */
void **conn_tables(dyn_conn *conn);

#endif
