/*
** Shared by every module of the dynamo extension.
**
** Each module includes sqlite3ext.h through this header, so that inside the
** loadable extension every sqlite3_* call goes through the sqlite3_api table
** that sqlite3_dynamo_init() receives. Unit tests compile the same sources
** with -DSQLITE_CORE and link libsqlite3 directly.
**
** Symbols are hidden by default (-fvisibility=hidden); only the entry point is
** exported (DYNAMO_EXPORT).
*/
#ifndef DYNAMO_COMMON_H
#define DYNAMO_COMMON_H

#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3

#include <stddef.h>
#include <stdint.h>
#include <assert.h>

#define DYNAMO_EXPORT __attribute__((visibility("default")))

#endif
