/* Unit tests of cost.c: what a read sends, reads and costs, from the
** table's size. */
#include "check.h"
#include "cost.h"

#include <math.h>

#define RT COST_ROUND_TRIP
#define RU COST_READ_UNIT

static void test_table(void) {
  cost_table t;
  cost_table_init(&t, 1400000, 6000, 0);
  CHECK_INT(t.known, 1);
  CHECK(t.bytes == 1400000 && t.items == 6000 && !t.consistent);
  /* nothing reported (a new table, or one not counted yet): large */
  cost_table_init(&t, 0, 0, 1);
  CHECK_INT(t.known, 0);
  CHECK(t.bytes == COST_UNKNOWN_BYTES && t.items == COST_UNKNOWN_BYTES / COST_UNKNOWN_ITEM);
  CHECK_INT(t.consistent, 1);
  /* one figure without the other */
  cost_table_init(&t, 0, 10, 0);
  CHECK(t.known && t.bytes == 10 * COST_UNKNOWN_ITEM && t.items == 10);
  cost_table_init(&t, 4096, 0, 0);
  CHECK(t.known && t.bytes == 4096 && t.items == 4);
  cost_table_init(&t, 100, 0, 0);
  CHECK(t.items == 1); /* at least one */
}

static void test_segments(void) {
  CHECK_INT(cost_segments(0), 1);
  CHECK_INT(cost_segments(1), 1);
  CHECK_INT(cost_segments(COST_SEGMENT_BYTES), 1);
  CHECK_INT(cost_segments(COST_SEGMENT_BYTES + 1), 2);
  CHECK_INT(cost_segments(3 * COST_SEGMENT_BYTES), 3);
  CHECK_INT(cost_segments(1LL << 40), COST_MAX_SEGMENTS);
}

static void test_scan(void) {
  cost_table t;
  cost_read r;
  /* 1.4 MB: two pages, two segments side by side, one round trip deep */
  cost_table_init(&t, 1400000, 6000, 0);
  cost_scan(&t, 0, &r);
  CHECK(r.pages == 2 && r.requests == 3 && r.trips == 1);
  CHECK(r.units == 171); /* 342 units of 4 KB, halved: eventually consistent */
  CHECK(r.items == 6000);
  CHECK(r.cost == RT + 171 * RU + 6000);
  /* one segment: a chain of pages */
  cost_scan(&t, 1, &r);
  CHECK(r.requests == 2 && r.trips == 2 && r.units == 171);
  /* strongly consistent: twice the units */
  t.consistent = 1;
  cost_scan(&t, 0, &r);
  CHECK(r.units == 342);
  /* a tiny table: one request, at least half a unit */
  cost_table_init(&t, 10, 1, 0);
  cost_scan(&t, 0, &r);
  CHECK(r.pages == 1 && r.requests == 1 && r.trips == 1 && r.units == 0.5);
  /* not known: 100 GB in one segment (read.c cuts none without a size) */
  cost_table_init(&t, 0, 0, 0);
  cost_scan(&t, 0, &r);
  CHECK(r.pages == ceil(COST_UNKNOWN_BYTES / COST_PAGE_BYTES) && r.trips == r.pages);
  /* 50 GB, four segments */
  cost_table_init(&t, 50LL << 30, 50000000, 0);
  cost_scan(&t, 0, &r);
  CHECK(r.pages == 51200 && r.trips == 12800 && r.units == 51200 * 128);
}

static void test_get(void) {
  cost_table t;
  cost_read r;
  cost_table_init(&t, 1400000, 6000, 0);
  cost_get(&t, 1, 0, &r);
  CHECK(r.requests == 1 && r.trips == 1 && r.units == 0.5 && r.items == 1);
  CHECK(r.cost == RT + RU / 2 + 1);
  /* one after another: a round trip each */
  cost_get(&t, 10, 0, &r);
  CHECK(r.requests == 10 && r.trips == 10 && r.units == 5);
  /* BatchGetItem: 100 keys a request, 64 requests a round trip */
  cost_get(&t, 250, 1, &r);
  CHECK(r.requests == 3 && r.trips == 1 && r.units == 125);
  cost_get(&t, 100 * COST_WAVE + 1, 1, &r);
  CHECK(r.requests == COST_WAVE + 1 && r.trips == 2);
  /* each item rounded up to 4 KB */
  cost_table_init(&t, 10000, 1, 1);
  cost_get(&t, 1, 0, &r);
  CHECK(r.units == 3);
}

static void test_query(void) {
  cost_table t;
  cost_read r;
  cost_table_init(&t, 1400000, 6000, 0);
  CHECK(fabs(cost_partition_items(&t) - sqrt(6000.0)) < 1e-9);
  cost_query(&t, 1, 1, 1, &r);
  CHECK(r.requests == 1 && r.trips == 1 && r.pages == 1);
  CHECK(fabs(r.items - sqrt(6000.0)) < 1e-9);
  CHECK(r.units == 2.5); /* 77 items of 233 bytes: 5 units of 4 KB, halved */
  /* 20 partitions side by side: one round trip; one after another: 20 */
  cost_query(&t, 20, 1, 1, &r);
  CHECK(r.requests == 20 && r.trips == 1 && r.units == 50);
  cost_query(&t, 20, 1, 0, &r);
  CHECK(r.trips == 20);
  cost_query(&t, COST_WAVE + 1, 1, 1, &r);
  CHECK(r.trips == 2);
  /* a part of the partition; at least one item */
  cost_query(&t, 1, 0.25, 1, &r);
  CHECK(fabs(r.items - sqrt(6000.0) / 4) < 1e-9);
  cost_query(&t, 1, 1e-9, 1, &r);
  CHECK(r.items == 1 && r.units == 0.5);
  /* a partition of several pages is a chain of them */
  cost_table_init(&t, 100LL << 30, 1000000, 0); /* 100 KB items: 1000 a partition */
  cost_query(&t, 1, 1, 1, &r);
  CHECK(r.pages == ceil(1000 * (100.0 * 1024 * 1024 * 1024 / 1000000) / COST_PAGE_BYTES));
  CHECK(r.trips == r.pages);
  /* size not known: a partition of COST_PARTITION_ITEMS */
  cost_table_init(&t, 0, 0, 0);
  CHECK(cost_partition_items(&t) == COST_PARTITION_ITEMS);
}

static void test_join_and_read_once(void) {
  cost_read r;
  r.cost = 5;
  CHECK(cost_scan_in_join(&r, 1) == 5);
  CHECK(cost_scan_in_join(&r, 0) == 5 * COST_NO_STATS);
  /* ski rental: buy once what was paid reaches the price */
  CHECK(!cost_read_once(0, 1, 10));
  CHECK(!cost_read_once(9, 1, 10));
  CHECK(cost_read_once(10, 1, 10));
  /* or when one read costs more than twice the Scan: a long IN list */
  CHECK(!cost_read_once(0, 19, 10));
  CHECK(cost_read_once(0, 20, 10));
}

/* The reasoning of ARCHITECTURE.md, checked: what the plan chooses where. */
static void test_model(void) {
  cost_table small, big;
  cost_read scan, get, in20, batch;
  double guess = 1048576; /* SQLite's rows for a local table never ANALYZEd */
  cost_table_init(&small, 1400000, 6000, 0);
  cost_table_init(&big, 50LL << 30, 50000000, 0);
  /* a join driven by a million rows of guess never Scans 50 GB, with or
  ** without statistics */
  cost_scan(&big, 0, &scan);
  cost_get(&big, 1, 0, &get);
  CHECK(cost_scan_in_join(&scan, 1) > guess * get.cost);
  /* a few pages: about 40 lookups pay for the Scan */
  cost_scan(&small, 0, &scan);
  cost_get(&small, 1, 0, &get);
  CHECK(scan.cost / get.cost > 30 && scan.cost / get.cost < 50);
  /* 200 keys cost more than the Scan one by one, less in one batch */
  CHECK(200 * get.cost > scan.cost);
  cost_get(&small, 200, 1, &batch);
  CHECK(batch.cost < scan.cost);
  /* 20 partitions in one wave cost less than the Scan */
  cost_query(&small, 20, 1, 1, &in20);
  CHECK(in20.cost < scan.cost && in20.trips == 1);
  /* without statistics, SQLite's million-row guess stands for a thousand
  ** rows: the few pages are still Scanned, 50 GB is looked up */
  CHECK(cost_scan_in_join(&scan, 0) < guess * get.cost);
  cost_scan(&big, 0, &scan);
  cost_get(&big, 1, 0, &get);
  CHECK(cost_scan_in_join(&scan, 0) > guess * get.cost);
}

int main(void) {
  RUN(test_table);
  RUN(test_segments);
  RUN(test_scan);
  RUN(test_get);
  RUN(test_query);
  RUN(test_join_and_read_once);
  RUN(test_model);
  CHECK_DONE();
}
