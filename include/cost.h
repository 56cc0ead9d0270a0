/*
** The price of a read, in what the user pays for it: round trips to the
** region (each a wide-area latency, the time a user waits) and read
** capacity units (DynamoDB's bill, and the table's throughput that other
** clients share), from the table's size as DescribeTable reports it. Both
** are counted in microseconds, the unit in which SQLite's planner prices its
** own loops (about one per row step of a native table), so that where.c
** can weigh a DynamoDB read against its own work:
**
**   a round trip    20,000   20 ms: a client near its region (80 ms far)
**   a read unit      5,000   one unit on demand ($0.125 a million) costs
**                            what 4 to 5 ms of a one-vCPU Lambda costs
**   an item              1   its parse and SQLite's row
**
** So a GetItem (one round trip, half a unit) costs 22,501, a 1 MB page of
** a Scan (128 units) 640,000 more than its round trip, and a Scan of 50 GB
** as much as 1.5 million GetItems. ARCHITECTURE.md ("The cost model") gives the
** reasoning and the plans it makes. Pure: no I/O.
*/
#ifndef DYNAMO_COST_H
#define DYNAMO_COST_H

#include "common.h"

#define COST_ROUND_TRIP 20000.0
#define COST_READ_UNIT 5000.0
#define COST_ITEM 1.0
#define COST_PAGE_BYTES 1048576.0  /* DynamoDB's page: 1 MB of items read */
#define COST_UNIT_BYTES 4096.0     /* a read unit reads 4 KB (8 KB eventually
                                   ** consistent: half a unit each) */
#define COST_WAVE 64               /* requests in flight at once */
#define COST_BATCH_KEYS 100        /* BatchGetItem: keys per request */
#define COST_IN_VALUES 25          /* an IN list's length when not known
                                   ** (SQLite's own guess for IN (SELECT)) */
#define COST_PARTITION_ITEMS 100   /* items of a partition, size unknown */
#define COST_UNKNOWN_BYTES 1e11    /* a table whose size is not known (0
                                   ** reported: new, or not yet counted) is
                                   ** priced as 100 GB: never small */
#define COST_UNKNOWN_ITEM 1024.0   /* ... of 1 KB items */
#define COST_SEGMENT_BYTES 1048576 /* a full Scan: a segment per MB, */
#define COST_MAX_SEGMENTS 4        /* up to this many (read.c) */
#define COST_NO_STATS 1000.0       /* see cost_scan_in_join */

/* What is known of a table or an index: DescribeTable's figures. */
typedef struct cost_table {
  int known;           /* a size was reported (not 0) */
  double bytes;        /* TableSizeBytes (IndexSizeBytes), or the guess */
  double items;        /* ItemCount, or the guess */
  int consistent;      /* strongly consistent reads: twice the units */
} cost_table;

/* A table of nBytes and nItems as reported (0 and 0: not known). */
void cost_table_init(cost_table *t, sqlite3_int64 nBytes, sqlite3_int64 nItems, int consistent);

/* What a read is expected to send and receive, and its price. */
typedef struct cost_read {
  double requests;     /* requests sent */
  double trips;        /* round trips one after another */
  double units;        /* read capacity units consumed */
  double items;        /* items returned (the rows SQLite reads) */
  double pages;        /* pages of a Scan or Query */
  double cost;         /* the price, in microseconds */
} cost_read;

/* The segments a full Scan of a table of nBytes is cut into: one per
** COST_SEGMENT_BYTES, at least 1, at most COST_MAX_SEGMENTS (0: unknown,
** one). */
int cost_segments(sqlite3_int64 nBytes);

/* A full Scan in nSegment segments (0: by size, cost_segments). */
void cost_scan(const cost_table *t, int nSegment, cost_read *r);

/* GetItem of nKey keys one request each, one after another (a join's inner
** loop), or with batch BatchGetItem, COST_BATCH_KEYS a request, all the
** requests in waves of COST_WAVE. */
void cost_get(const cost_table *t, double nKey, int batch, cost_read *r);

/* One Query for each of nPart partitions, reading the fraction frac of a
** partition's items: side by side in waves of COST_WAVE (wave), or one
** after another. */
void cost_query(const cost_table *t, double nPart, double frac, int wave, cost_read *r);

/* The items of one partition, as guessed from the table's size. */
double cost_partition_items(const cost_table *t);

/*
** The price SQLite is told for a Scan that a join could replace with
** lookups (an equality on a key that needs another table's row): SQLite
** multiplies the lookups by its guess of the other table's rows, which is
** a million for a local table that was never ANALYZEd whatever it holds.
** Without statistics (no sqlite_stat1 in any database of the connection),
** the Scan is priced COST_NO_STATS times over: the plan then compares it
** with a thousand lookups, the geometric middle between one row and a
** million, which bounds the loss either way to that factor (for a table
** read once, cache.c, far less). With statistics SQLite's guess is its
** count: the Scan's own price.
*/
double cost_scan_in_join(const cost_read *scan, int hasStats);

/* Should the next read of a statement's lookups (of price next, after
** lookups that have cost paid) read the table once instead, a Scan of
** price scan? Ski rental: once the lookups have cost what the Scan costs,
** never more than twice the cheaper of the two; or at once when this read
** alone costs more than twice the Scan (a long IN list). */
int cost_read_once(double paid, double next, double scan);

#endif
