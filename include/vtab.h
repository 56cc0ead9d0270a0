/*
** The dynamo virtual table module. Its methods are in vtab.c; the files
** that do the work, and the state they share, are listed in table.h.
*/
#ifndef DYNAMO_VTAB_H
#define DYNAMO_VTAB_H

#include "common.h"
#include "stats.h"

/* Register the "dynamo" module on db; its tables count their requests in,
** and read the connection's settings from, conn. */
int vtab_register(sqlite3 *db, dyn_conn *conn);

#endif
