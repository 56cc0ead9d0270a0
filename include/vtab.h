/*
** The dynamo virtual table module: the sqlite3_module methods, and the only
** place that writes SQLite's error slots.
*/
#ifndef DYNAMO_VTAB_H
#define DYNAMO_VTAB_H

#include "common.h"
#include "stats.h"

/* Register the "dynamo" module on db; its tables count their requests in,
** and read the connection's settings from, conn. */
int vtab_register(sqlite3 *db, dyn_conn *conn);

#endif
