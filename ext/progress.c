/*
** progress.c: the progress line of long work on stderr (see progress.h).
*/
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SHOW_AFTER_MS 1000 /* quiet work is never shown */
#define REDRAW_MS 100

/* n with a comma between groups of three digits. */
static void grouped(sqlite3_int64 n, char *buf, size_t size) {
  char digits[32];
  int len, i, o = 0;
  snprintf(digits, sizeof(digits), "%lld", (long long)(n < 0 ? -n : n));
  len = (int)strlen(digits);
  if (n < 0 && (size_t)o + 1 < size) buf[o++] = '-';
  for (i = 0; i < len && (size_t)o + 2 < size; i++) {
    if (i > 0 && (len - i) % 3 == 0) buf[o++] = ',';
    buf[o++] = digits[i];
  }
  buf[o] = 0;
}

void progress_format(const char *zTable, const progress_counts *p, char *buf, size_t n) {
  char zItems[32], zReq[32], zCap[32], zRate[48] = "";
  sqlite3_int64 tenths = (sqlite3_int64)(p->capacity * 10 + 0.5);
  grouped(p->items, zItems, sizeof(zItems));
  grouped(p->requests, zReq, sizeof(zReq));
  grouped(tenths / 10, zCap, sizeof(zCap));
  if (p->elapsed_ms >= 500 && p->items > 0) {
    char z[32];
    grouped(p->items * 1000 / p->elapsed_ms, z, sizeof(z));
    snprintf(zRate, sizeof(zRate), ", %s items/s", z);
  }
  snprintf(buf, n, "dynamo: %s: %s items, %s request%s, %s.%lld capacity units, %lld.%lld s%s",
           zTable, zItems, zReq, p->requests == 1 ? "" : "s", zCap, (long long)(tenths % 10),
           (long long)(p->elapsed_ms / 1000), (long long)(p->elapsed_ms % 1000 / 100), zRate);
}

void progress_init(progress_state *s) {
  const char *z = getenv("DYNAMO_PROGRESS");
  memset(s, 0, sizeof(*s));
  s->tty = -1;
  s->on = !(z && strcmp(z, "0") == 0);
}

static int showing_allowed(progress_state *s) {
  if (!s->on) return 0;
  if (s->tty < 0) s->tty = isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
  return s->tty;
}

/* Erase the line: back to its start, then clear to the end of the line. */
static void erase(progress_state *s) {
  if (!s->shown) return;
  fputs("\r\033[K", stderr);
  fflush(stderr);
  s->shown = 0;
}

void progress_begin(progress_state *s) {
  if (s->depth++ > 0) return;
  memset(&s->c, 0, sizeof(s->c));
  s->zTable[0] = 0;
  s->start_ms = ddb_clock_ms();
  s->drawn_ms = 0;
}

void progress_end(progress_state *s) {
  if (s->depth == 0) return;
  if (--s->depth == 0) erase(s);
}

void progress_add(progress_state *s, const char *zTable, const char *zOp, const ddb_usage *u) {
  (void)zOp;
  if (s->depth == 0) return; /* a request outside any statement's reads or writes */
  s->c.items += u->items;
  s->c.requests += u->requests;
  s->c.capacity += u->capacity;
  if (zTable) snprintf(s->zTable, sizeof(s->zTable), "%s", zTable);
}

void progress_wait(progress_state *s) {
  sqlite3_int64 now;
  char line[256];
  if (s->depth == 0) return;
  now = ddb_clock_ms();
  s->c.elapsed_ms = now - s->start_ms;
  if (s->c.elapsed_ms < SHOW_AFTER_MS || now - s->drawn_ms < REDRAW_MS || !s->zTable[0] ||
      !showing_allowed(s)) {
    return;
  }
  progress_format(s->zTable, &s->c, line, sizeof(line));
  fprintf(stderr, "\r%s\033[K", line);
  fflush(stderr);
  s->shown = 1;
  s->drawn_ms = now;
}

void progress_row(progress_state *s) {
  erase(s);
}
