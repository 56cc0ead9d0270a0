/*
** cost.c: the price of a read from the table's size (see cost.h and
** ARCHITECTURE.md, "The cost model").
*/
#include "cost.h"

#include <math.h>
#include <string.h>

void cost_table_init(cost_table *t, sqlite3_int64 nBytes, sqlite3_int64 nItems, int consistent) {
  memset(t, 0, sizeof(*t));
  t->consistent = consistent;
  t->known = nBytes > 0 || nItems > 0;
  if (t->known) {
    t->bytes = nBytes > 0 ? (double)nBytes : (double)nItems * COST_UNKNOWN_ITEM;
    t->items = nItems > 0 ? (double)nItems : t->bytes / COST_UNKNOWN_ITEM;
  } else {
    t->bytes = COST_UNKNOWN_BYTES;
    t->items = COST_UNKNOWN_BYTES / COST_UNKNOWN_ITEM;
  }
  if (t->items < 1) t->items = 1;
}

/* The average item, in bytes (at least one). */
static double item_bytes(const cost_table *t) {
  double b = t->bytes / t->items;
  return b < 1 ? 1 : b;
}

/* Read units for n requests reading bytes between them: 4 KB a unit
** (rounded up per request), half that eventually consistent. */
static double units(const cost_table *t, double nRequest, double nBytes) {
  double u = ceil(nBytes / COST_UNIT_BYTES);
  if (u < nRequest) u = nRequest;
  return t->consistent ? u : u / 2;
}

static void price(cost_read *r) {
  r->cost = r->trips * COST_ROUND_TRIP + r->units * COST_READ_UNIT + r->items * COST_ITEM;
}

int cost_segments(sqlite3_int64 nBytes) {
  sqlite3_int64 n = (nBytes + COST_SEGMENT_BYTES - 1) / COST_SEGMENT_BYTES;
  return n < 1 ? 1 : n > COST_MAX_SEGMENTS ? COST_MAX_SEGMENTS : (int)n;
}

void cost_scan(const cost_table *t, int nSegment, cost_read *r) {
  double pages = ceil(t->bytes / COST_PAGE_BYTES);
  memset(r, 0, sizeof(*r));
  if (pages < 1) pages = 1;
  if (nSegment <= 0) nSegment = t->known ? cost_segments((sqlite3_int64)t->bytes) : 1;
  r->pages = pages;
  /* each segment ends with a page of its own: S segments, S - 1 more */
  r->requests = pages + nSegment - 1;
  r->trips = ceil(pages / nSegment);
  r->units = units(t, r->requests, t->bytes);
  r->items = t->items;
  price(r);
}

void cost_get(const cost_table *t, double nKey, int batch, cost_read *r) {
  memset(r, 0, sizeof(*r));
  if (nKey < 1) nKey = 1;
  r->items = nKey;
  /* GetItem rounds each item up to 4 KB, and so does BatchGetItem */
  r->units = nKey * units(t, 1, item_bytes(t));
  if (batch) {
    r->requests = ceil(nKey / COST_BATCH_KEYS);
    r->trips = ceil(r->requests / COST_WAVE);
  } else {
    r->requests = r->trips = nKey;
  }
  r->pages = r->requests;
  price(r);
}

double cost_partition_items(const cost_table *t) {
  double n;
  if (!t->known) return COST_PARTITION_ITEMS;
  /* a partition's size is not reported: the square root of the items,
  ** between a table of one partition and one of single items */
  n = sqrt(t->items);
  return n < 1 ? 1 : n;
}

void cost_query(const cost_table *t, double nPart, double frac, int wave, cost_read *r) {
  double items = cost_partition_items(t) * frac, bytes, pages;
  memset(r, 0, sizeof(*r));
  if (nPart < 1) nPart = 1;
  if (items < 1) items = 1;
  bytes = items * item_bytes(t);
  pages = ceil(bytes / COST_PAGE_BYTES);
  if (pages < 1) pages = 1;
  r->pages = nPart * pages;
  r->requests = r->pages;
  /* a partition's pages come one after another; the partitions side by
  ** side, COST_WAVE at a time, or one after another */
  r->trips = pages * (wave ? ceil(nPart / COST_WAVE) : nPart);
  r->units = nPart * units(t, pages, bytes);
  r->items = nPart * items;
  price(r);
}

double cost_scan_in_join(const cost_read *scan, int hasStats) {
  return hasStats ? scan->cost : scan->cost * COST_NO_STATS;
}

int cost_read_once(double paid, double next, double scan) {
  return paid >= scan || next >= 2 * scan;
}
