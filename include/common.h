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

#include <time.h>

/* Sleep ms milliseconds, the whole of them whatever signals arrive. Waits
** that sqlite3_interrupt() must stop sleep in slices and look between. */
static inline void dyn_sleep_ms(long ms) {
  struct timespec ts;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (ms % 1000) * 1000000L;
  while (nanosleep(&ts, &ts) != 0) {
  }
}

#endif
