/*
** The dynamo virtual table module: the sqlite3_module methods, and the only
** place that writes SQLite's error slots.
*/
#ifndef DYNAMO_VTAB_H
#define DYNAMO_VTAB_H

#include "common.h"

/* Register the "dynamo" module on db. */
int vtab_register(sqlite3 *db);

#endif
