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

/* Where table.c keeps the list of the connection's dynamo tables. */
void **conn_tables(dyn_conn *conn);

#endif
