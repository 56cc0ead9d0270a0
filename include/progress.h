/*
** Progress of long work on stderr, as curl's progress meter and pv show it:
** when a statement's reads or writes have gone on for a second, one line,
** redrawn in place at most ten times a second and erased when the work ends:
**
**   dynamo: Tracks: 48,200 items, 12 requests, 1,536.5 capacity units, 3.1 s, 15,500 items/s
**
** Only when stdin and stderr are both terminals (a person at a shell: never
** in a pipe or a script), and dynamo_config('progress', 0) or
** DYNAMO_PROGRESS=0 turns it off.
**
** The work of a connection begins when its first cursor opens or a flush of
** writes starts (progress_begin), and ends when the last one closes
** (progress_end); every answer counts (progress_add, from the usage sink).
** The line is drawn while a request is awaited (progress_wait, from ddb.c's
** waits) and erased before a row goes to SQLite (progress_row): a row the
** shell prints never shares the line, and an aggregate or a flush of writes,
** which print nothing until the end, show it for as long as they wait.
*/
#ifndef DYNAMO_PROGRESS_H
#define DYNAMO_PROGRESS_H

#include "common.h"
#include "ddb.h"

typedef struct progress_counts {
  sqlite3_int64 items;      /* items returned (or written) */
  sqlite3_int64 requests;
  double capacity;          /* capacity units */
  sqlite3_int64 elapsed_ms;
} progress_counts;

/* The line, pure: "dynamo: TABLE: N items, N requests, N capacity units,
** S s, N items/s" (no rate before half a second), in buf[0..n). */
void progress_format(const char *zTable, const progress_counts *p, char *buf, size_t n);

typedef struct progress_state {
  int depth;                /* cursors and flushes under way */
  int shown;                /* the line is on the screen */
  int on;                   /* dynamo_config('progress'): 1 unless DYNAMO_PROGRESS=0 */
  int tty;                  /* -1 not asked yet, 0 no, 1 stdin and stderr are */
  sqlite3_int64 start_ms, drawn_ms;
  progress_counts c;
  char zTable[64];          /* the table of the latest answer */
} progress_state;

void progress_init(progress_state *s);
void progress_begin(progress_state *s);
void progress_end(progress_state *s);
void progress_add(progress_state *s, const char *zTable, const char *zOp, const ddb_usage *u);
void progress_wait(progress_state *s);
void progress_row(progress_state *s);

#endif
