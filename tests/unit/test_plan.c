/* Unit tests of plan.c: the choice of GetItem, Query or Scan, constraint
** usage, ORDER BY, LIMIT/OFFSET, projections, key values, patterns. */
#include "plan.h"
#include "attrval.h"
#include "check.h"
#include "cost.h"
#include "filter.h"

#include <math.h>
#include <stdlib.h>

#define EQ SQLITE_INDEX_CONSTRAINT_EQ
#define GT SQLITE_INDEX_CONSTRAINT_GT
#define GE SQLITE_INDEX_CONSTRAINT_GE
#define LT SQLITE_INDEX_CONSTRAINT_LT
#define LE SQLITE_INDEX_CONSTRAINT_LE
#define LIKE SQLITE_INDEX_CONSTRAINT_LIKE
#define GLOB SQLITE_INDEX_CONSTRAINT_GLOB
#define LIMIT SQLITE_INDEX_CONSTRAINT_LIMIT
#define OFFSET SQLITE_INDEX_CONSTRAINT_OFFSET
#define NE SQLITE_INDEX_CONSTRAINT_NE
#define ISNULL SQLITE_INDEX_CONSTRAINT_ISNULL
#define ISNOTNULL SQLITE_INDEX_CONSTRAINT_ISNOTNULL

/* Tracks: uuid (partition key), timestamp (sort key, S), latitude, speed;
** then the hidden columns item (4) and _key (5). */
#define UUID 0
#define TS 1
#define LAT 2
#define SPEED 3
#define ITEM 4
#define BIT(i) ((sqlite3_uint64)1 << (i))

static const char *const azTracks[] = {"uuid", "timestamp", "latitude", "speed", "item", "_key"};

static sqlite3 *db;
static plan_input in;
static plan_output out;
static plan_usage use[64];

static void tracks(void) {
  memset(&in, 0, sizeof(in));
  in.ncol = 4;
  in.azCol = azTracks;
  in.pk = UUID;
  in.sk = TS;
  in.pk_text = 1;
  in.sk_text = 1;
  in.sk_exact = 1;
  in.colUsed = BIT(UUID) | BIT(TS);
}

/* Tracks with a sort key of type N: its conditions are ranges of keys
** (SQLite reads a long decimal through the nearest double), never exact. */
static void tracks_n(void) {
  tracks();
  in.sk_text = 0;
  in.sk_exact = 0;
}

/* Run plan_best on in with these constraints and ORDER BY. */
static int best(const plan_constraint *aCons, int ncons, const plan_orderby *aOrder, int norder) {
  int rc;
  sqlite3_free(out.idxStr);
  memset(&out, 0, sizeof(out));
  memset(use, 0x55, sizeof(use)); /* every entry must be written */
  out.aUsage = use;
  in.aCons = aCons;
  in.ncons = ncons;
  in.aOrder = aOrder;
  in.norder = norder;
  rc = plan_best(&in, &out);
  return rc;
}

/* The last plan's idxStr without what it expects (" (expect: ...)", just
** before the machine part), which test_costs checks on its own. */
static const char *words(void) {
  static char buf[1024];
  const char *z = out.idxStr, *zMachine = 0, *p, *zExpect = 0;
  if (!z || strlen(z) >= sizeof(buf)) return z;
  for (p = z; (p = strstr(p, " PROJECT ")) != 0; p++) zMachine = p;
  for (p = z; zMachine && (p = strstr(p, " (expect: ")) != 0 && p < zMachine; p++) zExpect = p;
  if (!zExpect || zMachine[-1] != ')') return z;
  memcpy(buf, z, zExpect - z);
  strcpy(buf + (zExpect - z), zMachine);
  return buf;
}

/* Where the machine part of the last plan's idxStr begins. */
static int machine_at(void) {
  const char *p, *z = 0;
  for (p = out.idxStr; (p = strstr(p, " PROJECT ")) != 0; p++) z = p;
  return z ? (int)(z - out.idxStr) : -1;
}

/* The price of a GetItem, and of a Scan, of a table of unknown size. */
#define GET_COST (COST_ROUND_TRIP + COST_READ_UNIT / 2 + COST_ITEM)
static double scan_cost(void) {
  cost_table t;
  cost_read r;
  cost_table_init(&t, 0, 0, 0);
  cost_scan(&t, 0, &r);
  return r.cost;
}

#define N_(a) (int)(sizeof(a) / sizeof((a)[0]))
#define BEST(c, o) best(c, N_(c), o, N_(o))
#define BEST_C(c) best(c, N_(c), 0, 0)

/* {iColumn, op, usable, binary, is_in, exact, rhs}: C with a text constant
** (known at plan time), U with a value that is not (a column of another
** table, a parameter) */
static sqlite3_value *txt, *num, *bad; /* bad: text no DynamoDB string is */
#define C(col, op) {col, op, 1, 1, 0, 0, txt}
#define U(col, op) {col, op, 1, 1, 0, 0, 0}

/* plan_decode of the last plan_best's plan, given as many arguments as it
** asked for plus extra (which may be negative), each a distinct pointer
** (never read): ARG(i) is the one constraint i was given as. */
static char fakeValues[16];
static sqlite3_value *aArg[16];
static plan_args dec;
static int decode(int extra) {
  int i, argc = 0;
  for (i = 0; i < 16; i++) aArg[i] = (sqlite3_value *)&fakeValues[i];
  for (i = 0; i < in.ncons; i++) {
    if (use[i].argvIndex > argc) argc = use[i].argvIndex;
  }
  plan_args_clear(&dec);
  return plan_decode(out.idxNum, out.idxStr, argc + extra, aArg, in.ncol, &dec);
}
#define ARG(i) aArg[use[i].argvIndex - 1]

static int usage_is(int i, int argvIndex, int omit, int in_all) {
  return use[i].argvIndex == argvIndex && use[i].omit == omit && use[i].in_all == in_all;
}

/* ---- GetItem -------------------------------------------------------------- */

static void test_getitem(void) {
  plan_constraint c[] = {C(TS, EQ), C(LAT, GT), C(UUID, EQ)};
  tracks();
  in.colUsed = BIT(UUID) | BIT(TS) | BIT(LAT);
  CHECK_INT(BEST_C(c), SQLITE_OK);
  CHECK_INT(out.idxNum, PLAN_GET | PLAN_SK_EQ);
  CHECK_STR(words(), "GetItem uuid=? timestamp=? PROJECT 0,1,2");
  CHECK(usage_is(2, 1, 1, 0)); /* pk first, whatever the constraint order */
  CHECK(usage_is(0, 2, 1, 0));
  CHECK(usage_is(1, 0, 0, 0)); /* latitude stays with SQLite */
  CHECK_INT(out.unique, 1);
  CHECK_INT(out.rows, 1);
  CHECK(out.cost == GET_COST); /* a round trip, half a unit, one item */
  CHECK_INT(out.order_consumed, 1);

  /* ORDER BY anything: at most one row */
  {
    plan_orderby o[] = {{LAT, 1}, {SPEED, 0}};
    CHECK_INT(BEST(c, o), SQLITE_OK);
    CHECK_INT(out.order_consumed, 1);
    CHECK_INT(out.idxNum & PLAN_DESC, 0);
  }
  /* values not known at plan time (a join, a parameter), or numbers: on an
  ** S key they may bring NUMERIC or no affinity, so SQLite checks */
  {
    plan_constraint c2[] = {U(TS, EQ), U(UUID, EQ)};
    plan_constraint c3[] = {{TS, EQ, 1, 1, 0, 0, num}, {UUID, EQ, 1, 1, 0, 0, num}};
    BEST_C(c2);
    CHECK_INT(out.idxNum, PLAN_GET | PLAN_SK_EQ);
    CHECK(usage_is(1, 1, 0, 0));
    CHECK(usage_is(0, 2, 0, 0));
    BEST_C(c3);
    CHECK_INT(out.idxNum, PLAN_GET | PLAN_SK_EQ);
    CHECK(usage_is(1, 1, 0, 0));
    CHECK(usage_is(0, 2, 0, 0));
    /* on N and B keys the column's affinity decides: exact */
    in.pk_text = 0;
    BEST_C(c2);
    CHECK(usage_is(1, 1, 1, 0));
    in.pk_text = 1;
  }
  /* an N sort key: SQLite reads a long decimal through the nearest double,
  ** so many keys equal one number: a Query over the range of them, checked */
  {
    tracks_n();
    in.colUsed = BIT(UUID) | BIT(TS) | BIT(LAT);
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_QUERY | PLAN_SK_EQ);
    CHECK_STR(words(), "Query uuid=? timestamp=? PROJECT 0,1,2");
    CHECK(usage_is(2, 1, 1, 0));
    CHECK(usage_is(0, 2, 0, 0));
    CHECK_INT(out.unique, 0);
    CHECK_INT(out.rows, 1);
    CHECK(out.cost == GET_COST); /* as a GetItem: one item */
    tracks();
    in.colUsed = BIT(UUID) | BIT(TS) | BIT(LAT);
  }
  /* LIMIT is not used for a GetItem */
  {
    plan_constraint c2[] = {C(UUID, EQ), C(TS, EQ), {-1, LIMIT, 1, 1, 0, 0, 0}, {-1, OFFSET, 1, 1, 0, 0, 0}};
    BEST_C(c2);
    CHECK_INT(out.idxNum, PLAN_GET | PLAN_SK_EQ);
    CHECK(usage_is(2, 0, 0, 0));
    CHECK(usage_is(3, 0, 0, 0));
    CHECK_STR(words(), "GetItem uuid=? timestamp=? PROJECT 0,1,2");
  }
  /* a table with a partition key only */
  {
    static const char *const az[] = {"id", "v", "item", "_key"};
    plan_constraint c3[] = {C(1, EQ), C(0, EQ)};
    tracks();
    in.ncol = 2;
    in.azCol = az;
    in.sk = -1;
    in.sk_text = 0;
    in.colUsed = BIT(1);
    BEST_C(c3);
    CHECK_INT(out.idxNum, PLAN_GET);
    CHECK_STR(words(), "GetItem id=? PROJECT 0,1");
    CHECK(usage_is(1, 1, 1, 0));
    CHECK(usage_is(0, 0, 0, 0));
    CHECK_INT(out.unique, 1);
  }
}

/* ---- Query ---------------------------------------------------------------- */

static void test_query_between_desc_limit(void) {
  plan_constraint c[] = {{-1, LIMIT, 1, 1, 0, 0, 0}, C(TS, LE), C(TS, GE), C(UUID, EQ)};
  plan_orderby o[] = {{TS, 1}};
  tracks_n(); /* N keys: ranges of keys, which SQLite checks */
  CHECK_INT(BEST(c, o), SQLITE_OK);
  CHECK_STR(words(), "Query uuid=? timestamp BETWEEN ? AND ? DESC LIMIT PROJECT 0,1");
  CHECK_INT(out.idxNum,
            PLAN_QUERY | PLAN_SK_GE | PLAN_SK_LE | PLAN_DESC | PLAN_LIMIT);
  CHECK(usage_is(3, 1, 1, 0)); /* pk */
  CHECK(usage_is(2, 2, 0, 0)); /* lower */
  CHECK(usage_is(1, 3, 0, 0)); /* upper */
  CHECK(usage_is(0, 4, 0, 0)); /* limit */
  CHECK_INT(out.order_consumed, 1);
  CHECK_INT(out.unique, 0);
  CHECK_INT(out.rows, 25);

  /* S keys: an inclusive pair is exactly DynamoDB's BETWEEN */
  tracks();
  BEST(c, o);
  CHECK(usage_is(2, 2, 1, 0));
  CHECK(usage_is(1, 3, 1, 0));
  CHECK(usage_is(3, 1, 1, 0));
  CHECK(usage_is(0, 4, 0, 0));
}

static void test_query_bounds(void) {
  tracks();
  {
    plan_constraint c[] = {C(UUID, EQ)};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_QUERY);
    CHECK_STR(words(), "Query uuid=? PROJECT 0,1");
    CHECK(usage_is(0, 1, 1, 0));
    CHECK_INT(out.rows, 100);
  }
  {
    plan_constraint c[] = {C(TS, GT), C(UUID, EQ)};
    plan_constraint cu[] = {U(TS, GT), C(UUID, EQ)};
    plan_constraint cn[] = {{TS, GT, 1, 1, 0, 0, num}, C(UUID, EQ)};
    tracks_n();
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_QUERY | PLAN_SK_GT);
    CHECK_STR(words(), "Query uuid=? timestamp>? PROJECT 0,1");
    CHECK(usage_is(1, 1, 1, 0));
    CHECK(usage_is(0, 2, 0, 0));
    tracks(); /* one bound of an S key is exact */
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_QUERY | PLAN_SK_GT);
    CHECK(usage_is(0, 2, 1, 0));
    /* unless its value may bring another affinity: then both are sent wide
    ** enough for any (loose) and SQLite checks */
    BEST_C(cu);
    CHECK_INT(out.idxNum, PLAN_QUERY | PLAN_SK_GT | PLAN_SK_LOOSE);
    CHECK(usage_is(0, 2, 0, 0));
    BEST_C(cn);
    CHECK_INT(out.idxNum, PLAN_QUERY | PLAN_SK_GT | PLAN_SK_LOOSE);
    CHECK(usage_is(0, 2, 0, 0));
    tracks_n(); /* N keys are never loose: NUMERIC affinity, always */
    BEST_C(cu);
    CHECK_INT(out.idxNum, PLAN_QUERY | PLAN_SK_GT);
    tracks();
  }
  /* a bound no DynamoDB string can be is dropped: never omitted; the other
  ** one is */
  {
    plan_constraint c[] = {C(UUID, EQ), C(TS, GE), {TS, LE, 1, 1, 0, 0, bad}};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_QUERY | PLAN_SK_GE | PLAN_SK_LE);
    CHECK(usage_is(1, 2, 1, 0));
    CHECK(usage_is(2, 3, 0, 0));
  }
  {
    plan_constraint c[] = {C(UUID, EQ), C(TS, GE)};
    BEST_C(c);
    CHECK_STR(words(), "Query uuid=? timestamp>=? PROJECT 0,1");
    CHECK_INT(out.idxNum, PLAN_QUERY | PLAN_SK_GE);
  }
  {
    plan_constraint c[] = {C(UUID, EQ), C(TS, LT)};
    BEST_C(c);
    CHECK_STR(words(), "Query uuid=? timestamp<? PROJECT 0,1");
    CHECK_INT(out.idxNum, PLAN_QUERY | PLAN_SK_LT);
    in.sk_exact = 1;
    BEST_C(c);
    CHECK(usage_is(1, 2, 1, 0));
    in.sk_exact = 0;
  }
  {
    plan_constraint c[] = {C(UUID, EQ), C(TS, LE)};
    BEST_C(c);
    CHECK_STR(words(), "Query uuid=? timestamp<=? PROJECT 0,1");
    CHECK_INT(out.idxNum, PLAN_QUERY | PLAN_SK_LE);
  }
  /* two exclusive bounds: BETWEEN, which includes the ends SQLite drops */
  {
    plan_constraint c[] = {C(TS, LT), C(TS, GT), C(UUID, EQ)};
    in.sk_exact = 1;
    BEST_C(c);
    CHECK_STR(words(), "Query uuid=? timestamp BETWEEN ? AND ? PROJECT 0,1");
    CHECK_INT(out.idxNum, PLAN_QUERY | PLAN_SK_GT | PLAN_SK_LT);
    CHECK(usage_is(2, 1, 1, 0));
    CHECK(usage_is(1, 2, 0, 0));
    CHECK(usage_is(0, 3, 0, 0));
  }
  {
    plan_constraint c[] = {C(TS, LT), C(TS, GE), C(UUID, EQ)};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_QUERY | PLAN_SK_GE | PLAN_SK_LT);
    CHECK(usage_is(1, 2, 0, 0));
    CHECK(usage_is(0, 3, 0, 0));
    in.sk_exact = 0;
  }
  /* >= is preferred to >, <= to <; the other stays with SQLite */
  {
    plan_constraint c[] = {C(UUID, EQ), C(TS, GT), C(TS, GE), C(TS, LT), C(TS, LE)};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_QUERY | PLAN_SK_GE | PLAN_SK_LE);
    CHECK(usage_is(0, 1, 1, 0));
    CHECK(usage_is(1, 0, 0, 0));
    CHECK(usage_is(2, 2, 0, 0));
    CHECK(usage_is(3, 0, 0, 0));
    CHECK(usage_is(4, 3, 0, 0));
  }
  /* only the first of two equal bounds */
  {
    plan_constraint c[] = {C(UUID, EQ), C(TS, GT), C(TS, GT)};
    BEST_C(c);
    CHECK(usage_is(1, 2, 0, 0));
    CHECK(usage_is(2, 0, 0, 0));
  }
  /* bounds on other columns, or on the key without a partition key */
  {
    plan_constraint c[] = {C(UUID, EQ), C(LAT, GT), C(SPEED, LT)};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_QUERY);
    CHECK(usage_is(1, 0, 0, 0));
    CHECK(usage_is(2, 0, 0, 0));
  }
}

static void test_query_patterns(void) {
  tracks();
  {
    plan_constraint c[] = {C(TS, LIKE), C(UUID, EQ)};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_QUERY | PLAN_SK_LIKE);
    CHECK_STR(words(), "Query uuid=? timestamp LIKE ? PROJECT 0,1");
    CHECK(usage_is(0, 2, 0, 0)); /* a prefix only: SQLite checks the pattern */
    CHECK(usage_is(1, 1, 1, 0));
    CHECK_INT(out.rows, 25);
  }
  {
    plan_constraint c[] = {C(UUID, EQ), C(TS, GLOB)};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_QUERY | PLAN_SK_GLOB);
    CHECK_STR(words(), "Query uuid=? timestamp GLOB ? PROJECT 0,1");
    CHECK(usage_is(1, 2, 0, 0));
  }
  /* argv order: pk, lower, upper, like, glob */
  {
    plan_constraint c[] = {C(TS, GLOB), C(TS, LIKE), C(TS, LT), C(TS, GE), C(UUID, EQ)};
    in.sk_exact = 1;
    BEST_C(c);
    CHECK_INT(out.idxNum,
              PLAN_QUERY | PLAN_SK_GE | PLAN_SK_LT | PLAN_SK_LIKE | PLAN_SK_GLOB);
    CHECK_STR(words(),
              "Query uuid=? timestamp BETWEEN ? AND ? timestamp LIKE ? timestamp GLOB ? "
              "PROJECT 0,1");
    CHECK(usage_is(4, 1, 1, 0));
    CHECK(usage_is(3, 2, 0, 0));
    CHECK(usage_is(2, 3, 0, 0));
    CHECK(usage_is(1, 4, 0, 0));
    CHECK(usage_is(0, 5, 0, 0));
    in.sk_exact = 0;
  }
  /* A bound beside a pattern is never omitted: the Query sends one sort
  ** key condition, begins_with when the pattern has a prefix, so the
  ** bound may not be sent (a LIKE's >= and < range terms, with NOCASE,
  ** never replace it) */
  {
    plan_constraint c[] = {C(UUID, EQ), C(TS, GE), C(TS, LIKE)};
    in.sk_exact = 1;
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_QUERY | PLAN_SK_GE | PLAN_SK_LIKE);
    CHECK(usage_is(1, 2, 0, 0));
    CHECK(usage_is(2, 3, 0, 0));
    in.sk_exact = 0;
  }
  {
    plan_constraint c[] = {C(UUID, EQ), C(TS, LT), C(TS, GLOB)};
    in.sk_exact = 1;
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_QUERY | PLAN_SK_LT | PLAN_SK_GLOB);
    CHECK(usage_is(1, 2, 0, 0));
    CHECK(usage_is(2, 3, 0, 0));
    in.sk_exact = 0;
  }
  /* LIKE's collation does not matter */
  {
    plan_constraint c[] = {C(UUID, EQ), {TS, LIKE, 1, 0, 0, 0, 0}};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_QUERY | PLAN_SK_LIKE);
  }
  /* no prefix matching on a sort key that is not S */
  {
    plan_constraint c[] = {C(UUID, EQ), C(TS, LIKE), C(TS, GLOB)};
    in.sk_text = 0;
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_QUERY);
    CHECK_STR(words(), "Query uuid=? PROJECT 0,1");
    CHECK(usage_is(1, 0, 0, 0));
    CHECK(usage_is(2, 0, 0, 0));
    in.sk_text = 1;
  }
  /* patterns on other columns do nothing */
  {
    plan_constraint c[] = {C(UUID, EQ), C(LAT, LIKE)};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_QUERY);
    CHECK(usage_is(1, 0, 0, 0));
  }
}

static void test_in(void) {
  tracks();
  {
    plan_constraint c[] = {{UUID, EQ, 1, 1, 1, 0, 0}};
    plan_orderby o[] = {{TS, 0}};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_QUERY | PLAN_PK_IN);
    CHECK_STR(words(), "Query uuid IN (...) PROJECT 0,1");
    CHECK(usage_is(0, 1, 1, 1));
    CHECK_INT(out.rows, COST_IN_VALUES * COST_PARTITION_ITEMS); /* a guess */
    /* one Query per partition: their union is not in sort-key order */
    BEST(c, o);
    CHECK_INT(out.order_consumed, 0);
    CHECK_INT(out.idxNum & PLAN_DESC, 0);
  }
  {
    plan_constraint c[] = {C(TS, EQ), {UUID, EQ, 1, 1, 1, 0, 0}};
    plan_orderby o[] = {{TS, 1}};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_GET | PLAN_PK_IN | PLAN_SK_EQ);
    CHECK_STR(words(), "GetItem uuid IN (...) timestamp=? PROJECT 0,1");
    CHECK(usage_is(1, 1, 1, 1));
    CHECK(usage_is(0, 2, 1, 0));
    CHECK_INT(out.unique, 0);
    /* one BatchGetItem of the list's guessed 25 keys */
    CHECK(out.cost == COST_ROUND_TRIP + COST_IN_VALUES * (COST_READ_UNIT / 2 + COST_ITEM));
    CHECK_INT(out.rows, COST_IN_VALUES);
    BEST(c, o);
    CHECK_INT(out.order_consumed, 0);
  }
  /* a plain equality is preferred to an IN list */
  {
    plan_constraint c[] = {{UUID, EQ, 1, 1, 1, 0, 0}, C(UUID, EQ)};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_QUERY);
    CHECK(usage_is(0, 0, 0, 0));
    CHECK(usage_is(1, 1, 1, 0));
  }
  /* IN on the sort key is a plain equality for it, one value at a time; a
  ** subquery's values may bring another affinity: SQLite checks */
  {
    plan_constraint c[] = {C(UUID, EQ), {TS, EQ, 1, 1, 1, 0, 0}};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_GET | PLAN_SK_EQ);
    CHECK(usage_is(1, 2, 0, 0));
  }
}

/* ---- ORDER BY ------------------------------------------------------------- */

static int consumed(const plan_orderby *o, int n, int *pDesc) {
  plan_constraint c[] = {C(UUID, EQ)};
  best(c, 1, o, n);
  *pDesc = (out.idxNum & PLAN_DESC) != 0;
  return out.order_consumed;
}

static void test_order_by(void) {
  int desc;
  tracks();
  {
    plan_orderby o[] = {{TS, 0}};
    CHECK_INT(consumed(o, 1, &desc), 1);
    CHECK_INT(desc, 0);
  }
  {
    plan_orderby o[] = {{TS, 1}};
    CHECK_INT(consumed(o, 1, &desc), 1);
    CHECK_INT(desc, 1);
    CHECK_STR(words(), "Query uuid=? DESC RAMP PROJECT 0,1");
  }
  {
    plan_orderby o[] = {{UUID, 0}, {TS, 0}};
    CHECK_INT(consumed(o, 2, &desc), 1);
    CHECK_INT(desc, 0);
  }
  {
    plan_orderby o[] = {{UUID, 0}, {TS, 1}};
    CHECK_INT(consumed(o, 2, &desc), 1);
    CHECK_INT(desc, 1);
  }
  {
    plan_orderby o[] = {{UUID, 1}};
    CHECK_INT(consumed(o, 1, &desc), 1);
    CHECK_INT(desc, 0);
  }
  {
    plan_orderby o[] = {{TS, 0}, {UUID, 1}};
    CHECK_INT(consumed(o, 2, &desc), 1);
  }
  {
    plan_orderby o[] = {{LAT, 0}};
    CHECK_INT(consumed(o, 1, &desc), 0);
    CHECK_INT(desc, 0);
  }
  {
    plan_orderby o[] = {{TS, 0}, {LAT, 0}};
    CHECK_INT(consumed(o, 2, &desc), 0);
  }
  {
    plan_orderby o[] = {{LAT, 0}, {TS, 0}};
    CHECK_INT(consumed(o, 2, &desc), 0);
  }
  {
    plan_orderby o[] = {{TS, 0}, {TS, 1}};
    CHECK_INT(consumed(o, 2, &desc), 0);
  }
  {
    plan_orderby o[] = {{ITEM, 0}};
    CHECK_INT(consumed(o, 1, &desc), 0);
  }
  /* no ORDER BY: nothing to consume */
  CHECK_INT(consumed(0, 0, &desc), 1);
  CHECK_INT(desc, 0);
  /* a Scan returns no particular order */
  {
    plan_orderby o[] = {{TS, 0}};
    plan_constraint c[] = {C(TS, GT)};
    BEST(c, o);
    CHECK_INT(out.idxNum & PLAN_OP_MASK, PLAN_SCAN);
    CHECK_INT(out.order_consumed, 0);
    best(0, 0, o, 1);
    CHECK_INT(out.order_consumed, 0);
  }
  {
    plan_orderby o[] = {{UUID, 0}};
    best(0, 0, o, 1);
    CHECK_INT(out.order_consumed, 0);
  }
  /* with bounds too */
  {
    plan_constraint c[] = {C(UUID, EQ), C(TS, GE), C(TS, LT)};
    plan_orderby o[] = {{UUID, 0}, {TS, 1}};
    BEST(c, o);
    CHECK_INT(out.order_consumed, 1);
    CHECK(out.idxNum & PLAN_DESC);
  }
}

/* ---- LIMIT / OFFSET ------------------------------------------------------- */

static void test_limit_offset(void) {
  tracks();
  {
    plan_constraint c[] = {{-1, OFFSET, 1, 1, 0, 0, 0}, {-1, LIMIT, 1, 1, 0, 0, 0}, C(UUID, EQ)};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_QUERY | PLAN_LIMIT | PLAN_OFFSET);
    CHECK_STR(words(), "Query uuid=? LIMIT OFFSET PROJECT 0,1");
    CHECK(usage_is(2, 1, 1, 0));
    CHECK(usage_is(1, 2, 0, 0)); /* limit, never omitted: SQLite keeps counting */
    CHECK(usage_is(0, 3, 0, 0)); /* offset */
  }
  /* OFFSET alone does nothing */
  {
    plan_constraint c[] = {C(UUID, EQ), {-1, OFFSET, 1, 1, 0, 0, 0}};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_QUERY);
    CHECK(usage_is(1, 0, 0, 0));
  }
  /* a constraint SQLite must check: every row DynamoDB returns is not one
  ** SQLite keeps, so the LIMIT cannot size the pages */
  {
    plan_constraint c[] = {C(UUID, EQ), C(LAT, GT), {-1, LIMIT, 1, 1, 0, 0, 0}};
    BEST_C(c);
    CHECK_INT(out.idxNum & (PLAN_LIMIT | PLAN_OFFSET), 0);
    CHECK(out.idxNum & PLAN_RAMP);
    CHECK(usage_is(2, 0, 0, 0));
  }
  /* ... unless it is not usable */
  {
    plan_constraint c[] = {C(UUID, EQ), {LAT, GT, 0, 1, 0, 0, 0}, {-1, LIMIT, 1, 1, 0, 0, 0}};
    BEST_C(c);
    CHECK(out.idxNum & PLAN_LIMIT);
    CHECK(usage_is(2, 2, 0, 0));
  }
  /* a sort-key constraint the Query cannot take (another collation) */
  {
    plan_constraint c[] = {C(UUID, EQ), {TS, GT, 1, 0, 0, 0, 0}, {-1, LIMIT, 1, 1, 0, 0, 0}};
    BEST_C(c);
    CHECK_INT(out.idxNum & PLAN_LIMIT, 0);
    CHECK(usage_is(1, 0, 0, 0));
    CHECK(usage_is(2, 0, 0, 0));
  }
  /* a pattern is only a prefix */
  {
    plan_constraint c[] = {C(UUID, EQ), C(TS, LIKE), {-1, LIMIT, 1, 1, 0, 0, 0}};
    BEST_C(c);
    CHECK_INT(out.idxNum & PLAN_LIMIT, 0);
    CHECK(out.idxNum & PLAN_RAMP);
    CHECK(usage_is(2, 0, 0, 0));
  }
  {
    plan_constraint c[] = {C(UUID, EQ), C(TS, GLOB), {-1, LIMIT, 1, 1, 0, 0, 0}};
    BEST_C(c);
    CHECK_INT(out.idxNum & PLAN_LIMIT, 0);
  }
  /* an ORDER BY that is not DynamoDB's order */
  {
    plan_constraint c[] = {C(UUID, EQ), {-1, LIMIT, 1, 1, 0, 0, 0}};
    plan_orderby o[] = {{LAT, 0}};
    BEST(c, o);
    CHECK_INT(out.idxNum & PLAN_LIMIT, 0);
    CHECK(usage_is(1, 0, 0, 0));
  }
  /* an ORDER BY that is */
  {
    plan_constraint c[] = {C(UUID, EQ), {-1, LIMIT, 1, 1, 0, 0, 0}, C(TS, GT)};
    plan_orderby o[] = {{TS, 1}};
    BEST(c, o);
    CHECK_INT(out.idxNum, PLAN_QUERY | PLAN_SK_GT | PLAN_DESC | PLAN_LIMIT);
    CHECK_STR(words(), "Query uuid=? timestamp>? DESC LIMIT PROJECT 0,1");
    CHECK(usage_is(0, 1, 1, 0));
    CHECK(usage_is(2, 2, 1, 0));
    CHECK(usage_is(1, 3, 0, 0));
  }
  /* a Scan of everything */
  {
    plan_constraint c[] = {{-1, LIMIT, 1, 1, 0, 0, 0}};
    BEST_C(c);
    /* no constraint but LIMIT: keyless, the used columns only */
    CHECK_INT(out.idxNum, PLAN_SCAN | PLAN_LIMIT | PLAN_KEYLESS);
    CHECK_STR(words(), "Scan LIMIT PROJECT 0,1");
    CHECK(usage_is(0, 1, 0, 0));
  }
  {
    plan_constraint c[] = {C(SPEED, GT), {-1, LIMIT, 1, 1, 0, 0, 0}};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_SCAN | PLAN_RAMP);
    CHECK(usage_is(1, 0, 0, 0));
  }
  /* an unusable LIMIT is no LIMIT */
  {
    plan_constraint c[] = {C(UUID, EQ), {-1, LIMIT, 0, 1, 0, 0, 0}};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_QUERY);
    CHECK(usage_is(1, 0, 0, 0));
  }
  /* no ORDER BY and no LIMIT: nothing stops early */
  {
    plan_constraint c[] = {C(UUID, EQ)};
    BEST_C(c);
    CHECK_INT(out.idxNum & PLAN_RAMP, 0);
  }
}

/* ---- usability ------------------------------------------------------------ */

static void test_unusable(void) {
  tracks();
  /* another collation: the key comparison is not DynamoDB's */
  {
    plan_constraint c[] = {{UUID, EQ, 1, 0, 0, 0, 0}};
    BEST_C(c);
    CHECK_INT(out.idxNum & PLAN_OP_MASK, PLAN_SCAN);
    CHECK(usage_is(0, 0, 0, 0));
    CHECK_STR(words(), "Scan (SQLite checks: uuid=?) PROJECT 0,1");
  }
  {
    plan_constraint c[] = {C(UUID, EQ), {TS, EQ, 1, 0, 0, 0, 0}};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_QUERY);
    CHECK(usage_is(1, 0, 0, 0));
  }
  {
    plan_constraint c[] = {C(UUID, EQ), {TS, GE, 1, 0, 0, 0, 0}, {TS, LT, 1, 0, 0, 0, 0}};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_QUERY);
    CHECK(usage_is(1, 0, 0, 0));
    CHECK(usage_is(2, 0, 0, 0));
  }
  /* not usable at all */
  {
    plan_constraint c[] = {{UUID, EQ, 0, 1, 0, 0, 0}, {TS, EQ, 0, 1, 0, 0, 0}};
    BEST_C(c);
    CHECK_INT(out.idxNum & PLAN_OP_MASK, PLAN_SCAN);
    CHECK(usage_is(0, 0, 0, 0));
    CHECK(usage_is(1, 0, 0, 0));
  }
  {
    plan_constraint c[] = {C(UUID, EQ), {TS, EQ, 0, 1, 0, 0, 0}, {TS, GT, 0, 1, 0, 0, 0}};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_QUERY);
    CHECK(usage_is(1, 0, 0, 0));
    CHECK(usage_is(2, 0, 0, 0));
  }
  /* the sort key without the partition key is a Scan */
  {
    plan_constraint c[] = {C(TS, EQ), C(TS, GT)};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_SCAN);
    CHECK(usage_is(0, 0, 0, 0));
    CHECK(usage_is(1, 0, 0, 0));
  }
  /* other operators on the keys */
  {
    plan_constraint c[] = {C(UUID, GT), C(UUID, SQLITE_INDEX_CONSTRAINT_NE),
                           C(UUID, SQLITE_INDEX_CONSTRAINT_ISNULL), C(UUID, LIKE)};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_SCAN);
    CHECK(usage_is(0, 0, 0, 0) && usage_is(1, 0, 0, 0) && usage_is(2, 0, 0, 0) &&
          usage_is(3, 0, 0, 0));
  }
}

/* ---- projection ----------------------------------------------------------- */

static void test_projection(void) {
  plan_constraint c[] = {C(UUID, EQ)};
  tracks();
  in.colUsed = BIT(LAT);
  BEST_C(c);
  CHECK_STR(words(), "Query uuid=? PROJECT 0,1,2"); /* the keys always */
  CHECK_INT(decode(0), SQLITE_OK);
  CHECK_INT(dec.all, 0);
  CHECK_INT(dec.nCol, 3);
  CHECK(dec.nCol == 3 && dec.aCol[0] == 0 && dec.aCol[1] == 1 && dec.aCol[2] == 2);

  in.colUsed = BIT(SPEED) | BIT(UUID);
  BEST_C(c);
  CHECK_STR(words(), "Query uuid=? PROJECT 0,1,3");
  in.colUsed = 0; /* count(*): counted (the keys stay in the machine
                  ** part: read.c reads them when SQLite asks for _key) */
  BEST_C(c);
  CHECK_STR(words(), "Query uuid=? COUNT PROJECT 0,1");
  in.colUsed = BIT(5); /* _key */
  BEST_C(c);
  CHECK_STR(words(), "Query uuid=? PROJECT 0,1");

  /* the item column reads everything */
  in.colUsed = BIT(ITEM);
  BEST_C(c);
  CHECK_STR(words(), "Query uuid=? PROJECT ALL");
  CHECK_INT(decode(0), SQLITE_OK);
  CHECK_INT(dec.nCol, 0);
  CHECK_INT(dec.all, 1);
  in.colUsed = BIT(ITEM) | BIT(LAT);
  best(0, 0, 0, 0);
  CHECK_STR(words(), "Scan PROJECT ALL");
  in.colUsed = ~(sqlite3_uint64)0;
  best(0, 0, 0, 0);
  CHECK_STR(words(), "Scan PROJECT ALL");

  /* 63 columns and more: bit 63 stands for column 63 and above, item too */
  {
    static const char *az[72];
    int i;
    for (i = 0; i < 72; i++) az[i] = "c";
    tracks();
    in.azCol = az;
    in.ncol = 70;
    in.colUsed = BIT(5) | BIT(62);
    best(0, 0, 0, 0); /* no constraint: keyless, so no keys */
    CHECK_STR(words(), "Scan PROJECT 5,62");
    in.colUsed = BIT(5) | BIT(63);
    best(0, 0, 0, 0);
    CHECK_STR(words(), "Scan PROJECT ALL");
    in.ncol = 63; /* the item column is 63 */
    in.colUsed = BIT(62);
    best(0, 0, 0, 0);
    CHECK_STR(words(), "Scan PROJECT 62");
    in.colUsed = BIT(63);
    best(0, 0, 0, 0);
    CHECK_STR(words(), "Scan PROJECT ALL");
    in.ncol = 62; /* the item column is 62, _key 63 */
    in.colUsed = BIT(61) | BIT(63);
    best(0, 0, 0, 0); /* _key is read: the keys too */
    CHECK_STR(words(), "Scan PROJECT 0,1,61");
    CHECK_INT(out.idxNum & PLAN_KEYLESS, 0);
    in.colUsed = BIT(61);
    best(0, 0, 0, 0);
    CHECK_STR(words(), "Scan PROJECT 61");
    /* with a constraint, even one the Scan does not use: the keys too */
    {
      plan_constraint c[] = {C(5, EQ)};
      in.colUsed = BIT(61) | BIT(5);
      BEST_C(c);
      CHECK_STR(words(), "Scan (SQLite checks: c=?) PROJECT 0,1,5,61");
      CHECK_INT(out.idxNum & (PLAN_KEYLESS | PLAN_COUNT), 0);
    }
    /* keyless and no column at all: count only */
    in.colUsed = 0;
    best(0, 0, 0, 0);
    CHECK_INT(out.idxNum, PLAN_SCAN | PLAN_KEYLESS | PLAN_COUNT);
    CHECK_STR(words(), "Scan COUNT PROJECT 0");
  }

  /* a key named with " PROJECT " in it: only the last one counts */
  {
    static const char *az[] = {"k PROJECT 3", "b", "c", "d"};
    plan_constraint ck[] = {C(0, EQ)};
    tracks();
    in.azCol = az;
    in.ncol = 4;
    in.colUsed = BIT(2);
    BEST_C(ck);
    CHECK_STR(words(), "Query k PROJECT 3=? PROJECT 0,1,2");
    CHECK_INT(decode(0), SQLITE_OK);
    CHECK_INT(dec.all, 0);
    CHECK(dec.nCol == 3 && dec.aCol[0] == 0 && dec.aCol[1] == 1 && dec.aCol[2] == 2);
    CHECK_INT(dec.nWords, machine_at());
    in.colUsed = BIT(4); /* the item column */
    BEST_C(ck);
    CHECK_INT(decode(0), SQLITE_OK);
    CHECK_INT(dec.nCol, 0);
    CHECK_INT(dec.all, 1);
  }
}

/* ---- whole keys through the _key column ---------------------------------- */

#define KEYCOL 5 /* _key: after the four columns and item */

static void test_key_column(void) {
  tracks();
  {
    plan_constraint c[] = {C(KEYCOL, EQ)};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_GET | PLAN_KEY);
    CHECK_STR(words(), "GetItem _key=? PROJECT 0,1");
    CHECK(usage_is(0, 1, 0, 0)); /* SQLite checks the text again */
    CHECK_INT(out.unique, 1);
    CHECK_INT(decode(0), SQLITE_OK);
    CHECK(dec.key == ARG(0) && dec.pk == 0);
  }
  {
    plan_constraint c[] = {{KEYCOL, EQ, 1, 1, 1, 0, 0}, C(LAT, GT)};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_GET | PLAN_KEY | PLAN_PK_IN);
    CHECK_STR(words(), "BatchGetItem _key IN (...) PROJECT 0,1");
    CHECK(usage_is(0, 1, 0, 1) && usage_is(1, 0, 0, 0));
    CHECK_INT(out.unique, 0);
    CHECK(out.cost < COST_IN_VALUES * GET_COST); /* one request for them all */
    CHECK_INT(decode(0), SQLITE_OK);
    CHECK(dec.key == ARG(0));
  }
  { /* both keys' equalities are the same GetItem, without a text to parse */
    plan_constraint c[] = {C(KEYCOL, EQ), C(UUID, EQ), C(TS, EQ)};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_GET | PLAN_SK_EQ);
    CHECK(usage_is(0, 0, 0, 0));
  }
  { /* a partition key alone: the whole key is better than a Query */
    plan_constraint c[] = {C(UUID, EQ), C(KEYCOL, EQ)};
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_GET | PLAN_KEY);
    CHECK(usage_is(0, 0, 0, 0) && usage_is(1, 1, 0, 0));
  }
  { /* another collation: no lookup */
    plan_constraint c[] = {{KEYCOL, EQ, 1, 0, 0, 0, 0}};
    BEST_C(c);
    CHECK_INT(out.idxNum & PLAN_OP_MASK, PLAN_SCAN);
  }
}

/* ---- plan_decode: xFilter's side of the contract --------------------------- */

static void test_decode(void) {
  tracks();
  { /* GetItem: both keys */
    plan_constraint c[] = {C(TS, EQ), C(UUID, EQ)};
    BEST_C(c);
    CHECK_INT(decode(0), SQLITE_OK);
    CHECK_INT(dec.op, PLAN_GET);
    CHECK(dec.pk == ARG(1) && dec.skEq == ARG(0));
    CHECK(!dec.lo && !dec.hi && !dec.like && !dec.glob && !dec.limit && !dec.offset);
    CHECK_INT(dec.iIndex, -1);
    CHECK_INT(dec.nWords, machine_at());
    CHECK(strncmp(out.idxStr, "GetItem uuid=? timestamp=? (expect: ", 36) == 0);
    /* one argument more or fewer breaks the contract */
    CHECK_INT(decode(1), SQLITE_ERROR);
    CHECK_INT(decode(-1), SQLITE_ERROR);
    CHECK(dec.aCol == 0 && dec.pk == 0); /* cleared on error */
  }
  { /* Query: bounds, DESC, LIMIT */
    plan_constraint c[] = {C(TS, LE), C(UUID, EQ), {-1, LIMIT, 1, 1, 0, 0, 0}, C(TS, GT)};
    plan_orderby o[] = {{TS, 1}};
    BEST(c, o);
    CHECK_INT(decode(0), SQLITE_OK);
    CHECK_INT(dec.op, PLAN_QUERY);
    CHECK(dec.pk == ARG(1) && dec.lo == ARG(3) && dec.hi == ARG(0) && dec.limit == ARG(2));
    CHECK(!dec.skEq && !dec.offset);
    CHECK_INT(dec.flags & (PLAN_SK_GT | PLAN_SK_LE | PLAN_DESC),
              PLAN_SK_GT | PLAN_SK_LE | PLAN_DESC);
    CHECK_INT(decode(1), SQLITE_ERROR);
  }
  { /* patterns, and LIMIT with OFFSET */
    plan_constraint c[] = {C(UUID, EQ), C(TS, GLOB), C(TS, LIKE)};
    BEST_C(c);
    CHECK_INT(decode(0), SQLITE_OK);
    CHECK(dec.like == ARG(2) && dec.glob == ARG(1) && dec.pk == ARG(0));
  }
  {
    plan_constraint c[] = {C(UUID, EQ), {-1, OFFSET, 1, 1, 0, 0, 0}, {-1, LIMIT, 1, 1, 0, 0, 0}};
    BEST_C(c);
    CHECK_INT(decode(0), SQLITE_OK);
    CHECK(dec.limit == ARG(2) && dec.offset == ARG(1));
  }
  { /* Scan: no argument at all */
    plan_constraint c[] = {C(LAT, EQ)};
    BEST_C(c);
    CHECK_INT(decode(0), SQLITE_OK);
    CHECK_INT(dec.op, PLAN_SCAN);
    CHECK(!dec.pk);
    CHECK_INT(decode(1), SQLITE_ERROR);
  }
  { /* an IN list */
    plan_constraint c[] = {{UUID, EQ, 1, 1, 1, 0, 0}};
    BEST_C(c);
    CHECK_INT(decode(0), SQLITE_OK);
    CHECK(dec.pk == ARG(0) && (dec.flags & PLAN_PK_IN));
  }
  /* idxStr that plan_best never writes */
  {
    static const char *az[] = {0, "Scan", "Scan PROJECT ", "Scan PROJECT 1,", "Scan PROJECT 1,,2",
                               "Scan PROJECT x", "Scan PROJECT 4", "Scan PROJECT 1 2",
                               "Scan PROJECT ALL,", "Scan PROJECT -1", "Scan PROJECT all",
                               "Scan PROJECT 99999999999999999999"};
    unsigned i;
    plan_args_clear(&dec);
    for (i = 0; i < sizeof(az) / sizeof(az[0]); i++) {
      CHECK_INT(plan_decode(PLAN_SCAN, az[i], 0, aArg, 4, &dec), SQLITE_ERROR);
    }
    CHECK_INT(plan_decode(PLAN_SCAN, "Scan PROJECT 3,0", 0, aArg, 4, &dec), SQLITE_OK);
    CHECK_INT(dec.nCol, 2);
    plan_args_clear(&dec);
    CHECK_INT(plan_decode(PLAN_OP_MASK, "Scan PROJECT 0", 0, aArg, 4, &dec), SQLITE_ERROR);
    CHECK_INT(plan_decode(PLAN_QUERY, "Query PROJECT 0", 0, aArg, 4, &dec), SQLITE_ERROR);
    CHECK_INT(plan_decode(PLAN_QUERY | (3 << PLAN_INDEX_SHIFT), "Query PROJECT 0", 1, aArg, 4, &dec),
              SQLITE_OK);
    CHECK_INT(dec.iIndex, 2);
  }
  plan_args_clear(&dec);
}

/* ---- filters: the other conditions as a FilterExpression -------------------- */

static void test_filters(void) {
  tracks();
  in.filter = 1;
  in.colUsed = BIT(LAT) | BIT(SPEED);
  { /* a Scan: each condition on a column, its argument after the others;
    ** SQLite checks the ones that are not exact; no keys read */
    plan_constraint c[] = {C(SPEED, GT), {LAT, EQ, 1, 1, 0, 1, 0}};
    CHECK_INT(BEST_C(c), SQLITE_OK);
    CHECK_STR(words(), "Scan FILTER speed>? AND latitude=? (SQLite checks: speed>?) PROJECT 2,3/3gt,2EQ");
    CHECK_INT(out.idxNum, PLAN_SCAN | PLAN_KEYLESS);
    CHECK(usage_is(0, 1, 0, 0));
    CHECK(usage_is(1, 2, 1, 0));
    CHECK(out.cost == scan_cost()); /* a Scan costs the same, filtered or not */
    CHECK_INT(decode(0), SQLITE_OK);
    CHECK_INT(dec.nFilter, 2);
    CHECK(dec.aFilter[0].iCol == SPEED && dec.aFilter[0].op == FILTER_GT && !dec.aFilter[0].exact);
    CHECK(dec.aFilter[0].value == ARG(0));
    CHECK(dec.aFilter[1].iCol == LAT && dec.aFilter[1].op == FILTER_EQ && dec.aFilter[1].exact);
    CHECK(dec.aFilter[1].value == ARG(1));
    CHECK_INT(dec.nCol, 2);
    CHECK_INT(decode(1), SQLITE_ERROR);
    CHECK_INT(decode(-1), SQLITE_ERROR);
    CHECK(dec.aFilter == 0 && dec.nFilter == 0); /* cleared on error */
  }
  { /* every kind; an IN list is taken whole */
    plan_constraint c[] = {C(SPEED, NE), C(SPEED, LE), C(SPEED, LT), C(SPEED, GE), {SPEED, EQ, 1, 1, 1, 0, 0},
                           {LAT, ISNULL, 1, 0, 0, 1, 0}, {LAT, ISNOTNULL, 1, 0, 0, 1, 0}, {LAT, LIKE, 1, 0, 0, 0, 0},
                           {LAT, GLOB, 1, 0, 0, 0, 0}};
    BEST_C(c);
    CHECK_STR(words(), "Scan FILTER speed<>? AND speed<=? AND speed<? AND speed>=? AND speed IN (...) AND "
                          "latitude IS NULL AND latitude IS NOT NULL AND latitude LIKE ? AND latitude GLOB ? "
                          "(SQLite checks: speed<>?, speed<=?, speed<?, speed>=?, speed=?, latitude LIKE ?, "
                          "latitude GLOB ?) PROJECT 2,3/3ne,3le,3lt,3ge,3in,2NL,2NN,2lk,2gb");
    CHECK(usage_is(4, 5, 0, 1));
    CHECK_INT(decode(0), SQLITE_OK);
    CHECK_INT(dec.nFilter, 9);
    CHECK_INT(dec.aFilter[4].op, FILTER_IN);
    CHECK_INT(dec.aFilter[5].op, FILTER_ISNULL);
    CHECK_INT(dec.aFilter[6].op, FILTER_NOTNULL);
    CHECK_INT(dec.aFilter[8].op, FILTER_GLOB);
    CHECK(dec.aFilter[8].value == ARG(8));
  }
  { /* not sent: another collation, the item column, unusable ones (an
    ** equality on _key is a GetItem: test_key_column) */
    plan_constraint c[] = {{SPEED, EQ, 1, 0, 0, 0, 0}, C(ITEM, EQ), {LAT, GT, 0, 1, 0, 0, 0}};
    BEST_C(c);
    CHECK_STR(words(), "Scan (SQLite checks: speed=?, item=?) PROJECT 0,1,2,3");
    CHECK_INT(out.idxNum & PLAN_KEYLESS, 0);
    CHECK_INT(decode(0), SQLITE_OK);
    CHECK_INT(dec.nFilter, 0);
  }
  { /* the query reads _key: the keys too */
    plan_constraint c[] = {C(SPEED, GT)};
    in.colUsed = BIT(SPEED) | BIT(ITEM + 1);
    BEST_C(c);
    CHECK_STR(words(), "Scan FILTER speed>? (SQLite checks: speed>?) PROJECT 0,1,3/3gt");
    CHECK_INT(out.idxNum & PLAN_KEYLESS, 0);
    in.colUsed = BIT(SPEED); /* and the item: ALL */
    in.colUsed = BIT(SPEED) | BIT(ITEM);
    BEST_C(c);
    CHECK_STR(words(), "Scan FILTER speed>? (SQLite checks: speed>?) PROJECT ALL/3gt");
    CHECK_INT(decode(0), SQLITE_OK);
    CHECK(dec.all && dec.nFilter == 1);
    in.colUsed = BIT(LAT) | BIT(SPEED);
  }
  { /* a Query: not its keys (DynamoDB refuses them in a filter), and a
    ** LIMIT no longer sizes the pages: Limit counts items before the filter */
    plan_constraint c[] = {C(UUID, EQ), C(TS, GT), C(SPEED, LT), {-1, LIMIT, 1, 1, 0, 0, 0}, C(TS, NE)};
    plan_orderby o[] = {{TS, 0}};
    BEST(c, o);
    CHECK_STR(words(), "Query uuid=? timestamp>? FILTER speed<? RAMP PROJECT 0,1,2,3/3lt");
    CHECK_INT(out.idxNum & (PLAN_LIMIT | PLAN_RAMP | PLAN_KEYLESS), PLAN_RAMP);
    CHECK(usage_is(2, 3, 0, 0));
    CHECK(usage_is(3, 0, 0, 0));
    CHECK(usage_is(4, 0, 0, 0));
    CHECK_INT(decode(0), SQLITE_OK);
    CHECK(dec.pk == ARG(0) && dec.lo == ARG(1) && dec.aFilter[0].value == ARG(2) && !dec.limit);
  }
  { /* a GetItem has no filter */
    plan_constraint c[] = {C(UUID, EQ), C(TS, EQ), C(SPEED, LT)};
    BEST_C(c);
    CHECK_STR(words(), "GetItem uuid=? timestamp=? PROJECT 0,1,2,3");
    CHECK(usage_is(2, 0, 0, 0));
  }
  { /* an index Query: not the index's keys nor the table's */
    plan_index x[] = {{"byLat", LAT, SPEED, AV_N, AV_N, 0, 0, 1, ~(sqlite3_uint64)0, -1, 0, 0}};
    plan_constraint c[] = {C(LAT, EQ), C(SPEED, GT), C(TS, GT), C(UUID, NE)};
    in.nindex = 1;
    in.aIndex = x;
    BEST_C(c);
    CHECK_STR(words(), "Query INDEX byLat latitude=? speed>? PROJECT 0,1,2,3");
    in.nindex = 0;
    in.aIndex = 0;
  }
  { /* an index filters only the attributes it projects (a local index
    ** with INCLUDE: DynamoDB refuses a filter on the others) */
    plan_index x[] = {{"byLat", UUID, LAT, AV_S, AV_N, 0, 0, 0, BIT(UUID) | BIT(TS) | BIT(LAT), -1, 0, 0}};
    plan_constraint c[] = {C(UUID, EQ), C(LAT, GT), C(SPEED, GT)};
    in.nindex = 1;
    in.aIndex = x;
    BEST_C(c);
    CHECK(strstr(out.idxStr, "Query INDEX byLat uuid=? latitude>?") == out.idxStr);
    CHECK(strstr(out.idxStr, "FILTER") == 0);
    CHECK(usage_is(2, 0, 0, 0));
    x[0].covers |= BIT(SPEED);
    BEST_C(c);
    CHECK(strstr(out.idxStr, "Query INDEX byLat uuid=? latitude>? FILTER speed>?") == out.idxStr);
    in.nindex = 0;
    in.aIndex = 0;
  }
  { /* a Scan on a key: a filter like any other */
    plan_constraint c[] = {C(TS, GE), C(UUID, NE)};
    BEST_C(c);
    CHECK_STR(words(), "Scan FILTER timestamp>=? AND uuid<>? (SQLite checks: timestamp>=?, uuid<>?) PROJECT "
                          "2,3/1ge,0ne");
  }
  { /* an equality beyond the 32nd constraint: SQLite cannot say whether it
    ** is an IN list, which would be a Scan per value */
    plan_constraint c[40];
    int i;
    for (i = 0; i < 40; i++) c[i] = (plan_constraint)C(SPEED, GT);
    c[35] = (plan_constraint)C(LAT, EQ);
    c[36] = (plan_constraint)C(LAT, NE);
    best(c, 40, 0, 0);
    CHECK_INT(use[35].argvIndex, 0);
    CHECK(use[36].argvIndex > 0);
  }
  { /* count(*) WHERE c = 'x': every column used pinned by an exact equality
    ** or IS NULL: only counted (Select=COUNT), xColumn gives the values */
    plan_constraint c[] = {{LAT, EQ, 1, 1, 0, 1, 0}, {SPEED, ISNULL, 1, 0, 0, 1, 0}};
    in.colUsed = BIT(LAT) | BIT(SPEED);
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_SCAN | PLAN_KEYLESS | PLAN_COUNT);
    CHECK_STR(words(), "Scan FILTER latitude=? AND speed IS NULL COUNT PROJECT 2,3/2EQ,3NL");
    c[0].exact = 0; /* not known to be exact: read */
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_SCAN | PLAN_KEYLESS);
    c[0].exact = 1;
    c[0].is_in = 1; /* an IN list pins nothing */
    BEST_C(c);
    CHECK_INT(out.idxNum, PLAN_SCAN | PLAN_KEYLESS);
    c[0].is_in = 0;
    in.colUsed = BIT(LAT) | BIT(SPEED) | BIT(UUID); /* another column */
    BEST_C(c);
    CHECK_INT(out.idxNum & PLAN_COUNT, 0);
    in.colUsed = BIT(LAT) | BIT(ITEM); /* the whole item */
    BEST_C(c);
    CHECK_INT(out.idxNum & PLAN_COUNT, 0);
    in.colUsed = BIT(LAT) | BIT(SPEED);
  }
  { /* filter=0: as before */
    plan_constraint c[] = {C(SPEED, GT)};
    in.filter = 0;
    BEST_C(c);
    CHECK_STR(words(), "Scan (SQLite checks: speed>?) PROJECT 0,1,2,3");
    CHECK(usage_is(0, 0, 0, 0));
    in.filter = 1;
  }
  { /* a column named with " PROJECT " and "/" in it */
    static const char *az[] = {"uuid", "timestamp", "a PROJECT 1/2eq", "speed", "item", "_key"};
    plan_constraint c[] = {C(LAT, EQ)};
    in.azCol = az;
    BEST_C(c);
    CHECK_STR(words(), "Scan FILTER a PROJECT 1/2eq=? (SQLite checks: a PROJECT 1/2eq=?) PROJECT 2,3/2eq");
    CHECK_INT(decode(0), SQLITE_OK);
    CHECK(dec.nFilter == 1 && dec.aFilter[0].iCol == LAT && dec.nCol == 2);
    in.azCol = azTracks;
  }
  /* machine parts plan_best never writes */
  {
    static const char *az[] = {"Scan PROJECT 1/",      "Scan PROJECT 1/3",    "Scan PROJECT 1/3e",
                               "Scan PROJECT 1/3xx",   "Scan PROJECT 1/4eq",  "Scan PROJECT 1/eq",
                               "Scan PROJECT 1/3eq,",  "Scan PROJECT 1/3eq/", "Scan PROJECT 1/3eq;2gt",
                               "Scan PROJECT ALL/3Eq", "Scan PROJECT ALL/"};
    unsigned i;
    plan_args_clear(&dec);
    for (i = 0; i < sizeof(az) / sizeof(az[0]); i++) {
      int rc = plan_decode(PLAN_SCAN, az[i], 1, aArg, 4, &dec);
      if (rc != SQLITE_ERROR) fprintf(stderr, "decoded: %s\n", az[i]);
      CHECK_INT(rc, SQLITE_ERROR);
    }
    CHECK_INT(plan_decode(PLAN_SCAN, "Scan PROJECT ALL/3EQ,0lk", 2, aArg, 4, &dec), SQLITE_OK);
    CHECK(dec.all && dec.nFilter == 2 && dec.aFilter[0].exact && !dec.aFilter[1].exact);
    CHECK_INT(dec.aFilter[1].op, FILTER_LIKE);
    plan_args_clear(&dec);
    CHECK_INT(plan_decode(PLAN_SCAN, "Scan PROJECT ALL/3EQ,0lk", 1, aArg, 4, &dec), SQLITE_ERROR);
  }
  plan_args_clear(&dec);
}

/* ---- costs ---------------------------------------------------------------- */

/* What the plan of the last best() expects, in words. */
static const char *expect(void) {
  static char buf[512];
  const char *z = out.idxStr ? strstr(out.idxStr, " (expect: ") : 0, *e;
  if (!z || !(e = strstr(z, ") PROJECT ")) || e - z - 10 >= (int)sizeof(buf)) return "";
  memcpy(buf, z + 10, e - z - 10);
  buf[e - z - 10] = 0;
  return buf;
}

/* Costs from the table's size (cost.h): each plan's price, its rows, what
** EXPLAIN says it expects. */
static void test_costs(void) {
  double get, getIn, query, queryRange, queryIn, scan, small;
  tracks();
  { /* a size not known yet (0 reported): a large table */
    plan_constraint c[] = {C(UUID, EQ), C(TS, EQ)};
    BEST_C(c);
    get = out.cost;
    CHECK_STR(expect(), "1 request a key");
  }
  {
    plan_constraint c[] = {{UUID, EQ, 1, 1, 1, 0, 0}, C(TS, EQ)};
    BEST_C(c);
    getIn = out.cost;
    CHECK_STR(expect(), "100 keys a request, side by side");
  }
  {
    plan_constraint c[] = {C(UUID, EQ)};
    BEST_C(c);
    query = out.cost;
    CHECK_STR(expect(), "~100 items, 1 request");
  }
  {
    plan_constraint c[] = {C(UUID, EQ), C(TS, GT)};
    BEST_C(c);
    queryRange = out.cost;
    CHECK_INT(out.rows, 25);
  }
  {
    plan_constraint c[] = {{UUID, EQ, 1, 1, 1, 0, 0}};
    BEST_C(c);
    queryIn = out.cost;
    CHECK_STR(expect(), "~100 items a partition, 1 request each, side by side");
    /* 25 partitions in one wave: a round trip, not 25 */
    CHECK(queryIn < COST_IN_VALUES * query);
  }
  best(0, 0, 0, 0);
  scan = out.cost;
  CHECK_STR(expect(), "size not known yet");
  CHECK_INT(out.rows, (sqlite3_int64)(COST_UNKNOWN_BYTES / COST_UNKNOWN_ITEM));
  CHECK(get < queryRange);
  CHECK(queryRange < query);
  CHECK(get < getIn && getIn < COST_IN_VALUES * get);
  CHECK(query < queryIn);
  CHECK(queryIn * 1000 < scan);

  /* 6000 items of 233 bytes (1.4 MB): a Scan of two segments side by side */
  in.nBytes = 1400000;
  in.nItems = 6000;
  best(0, 0, 0, 0);
  small = out.cost;
  CHECK_INT(out.rows, 6000);
  CHECK_STR(expect(), "6000 items, 1.3 MB: 3 requests, 1 round trip deep, 171 read units");
  CHECK(small == COST_ROUND_TRIP + 171 * COST_READ_UNIT + 6000 * COST_ITEM);
  {
    plan_constraint c[] = {C(UUID, EQ), C(TS, EQ)};
    BEST_C(c);
    CHECK(out.cost == GET_COST);
    CHECK(small / out.cost > 30 && small / out.cost < 50); /* about 40 GetItems */
    /* the statement's lookups may read it once (cache.c): after how many */
    CHECK_STR(expect(), "1 request a key");
    in.readOnce = 8 << 20;
    BEST_C(c);
    CHECK_STR(expect(), "1 request a key; read once after 40 lookups");
    CHECK(39 * out.cost < small && small <= 40 * out.cost); /* the 41st: from memory */
    in.nBytes = 9 << 20; /* larger than it may hold */
    BEST_C(c);
    CHECK_STR(expect(), "1 request a key");
    in.nBytes = 1400000;
  }
  {
    plan_constraint c[] = {C(UUID, EQ)};
    BEST_C(c); /* ~77 items a partition: the square root of the items */
    CHECK_STR(expect(), "~77 items, 1 request; read once after 28 lookups");
    CHECK_INT(out.rows, 77);
  }
  { /* not with a condition on the sort key, nor for an index, nor the item */
    plan_constraint c[] = {C(UUID, EQ), C(TS, GT)};
    BEST_C(c);
    CHECK(strstr(expect(), "read once") == 0);
    in.colUsed = BIT(ITEM);
    BEST_C(c);
    CHECK(strstr(expect(), "read once") == 0);
    in.colUsed = BIT(UUID) | BIT(TS);
  }
  in.readOnce = 0;
  { /* strongly consistent reads: twice the units */
    in.consistent = 1;
    best(0, 0, 0, 0);
    CHECK_STR(expect(), "6000 items, 1.3 MB: 3 requests, 1 round trip deep, 342 read units");
    in.consistent = 0;
  }
  { /* segments=: the Scan's depth */
    in.segments = 1;
    best(0, 0, 0, 0);
    CHECK_STR(expect(), "6000 items, 1.3 MB: 2 requests, 2 round trips deep, 171 read units");
    in.segments = 0;
  }

  /* A join: the key's equality needs another table's row (unusable here),
  ** so that a Scan competes with lookups SQLite multiplies by its guess of
  ** that table's rows. Without statistics that guess is a million whatever
  ** the table holds: the Scan is priced a thousand times over. */
  {
    plan_constraint c[] = {{UUID, EQ, 0, 1, 0, 0, 0}, {TS, EQ, 0, 1, 0, 0, 0}};
    BEST_C(c);
    CHECK_INT(out.idxNum & PLAN_OP_MASK, PLAN_SCAN);
    CHECK(out.cost == small * COST_NO_STATS);
    in.hasStats = 1; /* ANALYZE ran: SQLite's counts are counts */
    BEST_C(c);
    CHECK(out.cost == small);
    in.hasStats = 0;
  }
  { /* an unusable condition that is no lookup changes nothing */
    plan_constraint c[] = {{SPEED, EQ, 0, 1, 0, 0, 0}, {UUID, GT, 0, 1, 0, 0, 0}};
    BEST_C(c);
    CHECK(out.cost == small);
  }

  /* 50 GB: the Scan costs more than a million GetItems, even with stats */
  in.nBytes = 50LL << 30;
  in.nItems = 50000000;
  best(0, 0, 0, 0);
  CHECK(out.cost > 1e6 * GET_COST);
  CHECK_STR(expect(), "50000000 items, 51200.0 MB: 51203 requests, 12800 round trips deep, "
                      "6553600 read units");
  in.nBytes = in.nItems = 0;
}

/* Which lookups a statement's copy of the table may answer (cache.c). */
static void test_read_once_shape(void) {
  CHECK(plan_read_once_shape(PLAN_GET | PLAN_SK_EQ, -1, 0, 0));        /* GetItem */
  CHECK(plan_read_once_shape(PLAN_GET | PLAN_KEY | PLAN_PK_IN, -1, 0, 0)); /* BatchGetItem */
  CHECK(plan_read_once_shape(PLAN_QUERY | PLAN_PK_IN, -1, 0, 0));       /* whole partitions */
  CHECK(!plan_read_once_shape(PLAN_QUERY | PLAN_SK_EQ, -1, 0, 0));     /* an N key's range */
  CHECK(!plan_read_once_shape(PLAN_QUERY | PLAN_SK_GT, -1, 0, 0));
  CHECK(!plan_read_once_shape(PLAN_QUERY | PLAN_SK_LIKE, -1, 0, 0));
  CHECK(!plan_read_once_shape(PLAN_QUERY, -1, 0, 1));                  /* a filter */
  CHECK(!plan_read_once_shape(PLAN_QUERY, 0, 0, 0));                   /* an index */
  CHECK(!plan_read_once_shape(PLAN_GET, -1, 1, 0));                    /* the item */
  CHECK(!plan_read_once_shape(PLAN_QUERY | PLAN_RAMP, -1, 0, 0));      /* ORDER BY, LIMIT */
  CHECK(!plan_read_once_shape(PLAN_QUERY | PLAN_LIMIT, -1, 0, 0));
  CHECK(!plan_read_once_shape(PLAN_QUERY | PLAN_DESC, -1, 0, 0));
  CHECK(!plan_read_once_shape(PLAN_QUERY | PLAN_COUNT, -1, 0, 0));
  CHECK(!plan_read_once_shape(PLAN_SCAN, -1, 0, 0));
}

/* ---- secondary indexes ------------------------------------------------------ */

/* An index holds only the items that have its key attributes: it serves a
** query only when every row the query returns has them. */
static void test_sparse_indexes(void) {
  /* byLat(latitude S, speed N): an item without speed is not in it */
  plan_index x[] = {{"byLat", LAT, SPEED, AV_S, AV_N, 0, 0, 1, ~(sqlite3_uint64)0, SPEED, 0, 0}};
  tracks();
  in.nindex = 1;
  in.aIndex = x;
  {
    plan_constraint c[] = {C(LAT, EQ)}; /* rows without speed too: a Scan */
    BEST_C(c);
    CHECK_INT(out.idxNum & PLAN_OP_MASK, PLAN_SCAN);
  }
  {
    plan_constraint c[] = {C(LAT, EQ), {SPEED, ISNULL, 1, 1, 0, 0, 0}};
    BEST_C(c);
    CHECK_INT(out.idxNum & PLAN_OP_MASK, PLAN_SCAN);
  }
  {
    plan_constraint c[] = {C(LAT, EQ), C(SPEED, GT)};
    BEST_C(c);
    CHECK_STR(words(), "Query INDEX byLat latitude=? speed>? PROJECT 0,1");
    CHECK_INT(out.idxNum, PLAN_QUERY | PLAN_SK_GT | (1 << PLAN_INDEX_SHIFT));
  }
  {
    /* any condition NULL cannot meet, used by the plan or not, usable now
    ** or later in the join */
    static const int aOp[] = {NE, ISNOTNULL, LIKE, GLOB, EQ, LE};
    unsigned i;
    for (i = 0; i < sizeof(aOp) / sizeof(aOp[0]); i++) {
      plan_constraint c[] = {C(LAT, EQ), {SPEED, aOp[i], i % 2, 1, 0, 0, 0}};
      BEST_C(c);
      CHECK_INT(PLAN_INDEX_OF(out.idxNum), 0);
    }
  }
  /* a sort key that is one of the table's is in every item */
  x[0].sparse = -1;
  {
    plan_constraint c[] = {C(LAT, EQ)};
    BEST_C(c);
    CHECK_STR(words(), "Query INDEX byLat latitude=? PROJECT 0,1");
  }
  /* a local index serves only a condition on its sort key anyway */
  {
    plan_index l[] = {{"bySpeed", UUID, SPEED, AV_S, AV_N, 0, 0, 0, ~(sqlite3_uint64)0, SPEED, 0, 0}};
    plan_constraint c[] = {C(UUID, EQ), C(SPEED, GE)};
    plan_constraint c2[] = {C(UUID, EQ), C(SPEED, NE)};
    in.aIndex = l;
    BEST_C(c);
    CHECK_STR(words(), "Query INDEX bySpeed uuid=? speed>=? PROJECT 0,1");
    BEST_C(c2);
    CHECK_STR(words(), "Query uuid=? PROJECT 0,1");
  }
  in.nindex = 0;
  in.aIndex = 0;
}

/* ---- plan_key_value, plan_key_named, plan_key_range -------------------------- */

static char *zKey;
static const char *keep(char *z) {
  sqlite3_free(zKey);
  return zKey = z;
}

/* The value of a SQL expression, or NULL (the statement is left in *pSt). */
static sqlite3_value *eval(const char *zExpr, sqlite3_stmt **pSt) {
  char *zSql = sqlite3_mprintf("SELECT %s", zExpr);
  *pSt = 0;
  if (sqlite3_prepare_v2(db, zSql, -1, pSt, 0) != SQLITE_OK || sqlite3_step(*pSt) != SQLITE_ROW) {
    sqlite3_free(zSql);
    return 0;
  }
  sqlite3_free(zSql);
  return sqlite3_column_value(*pSt, 0);
}

/* A key's value as text ("abc", "0.1", base64), or what the call said. */
static char *key_words(int k, cJSON *av) {
  if (k == KEY_VALUE && av) return sqlite3_mprintf("%s", av->child->valuestring);
  if ((k == KEY_ALL || k == KEY_NONE || k == KEY_NUL) && !av) {
    return sqlite3_mprintf(k == KEY_ALL ? "ALL" : k == KEY_NONE ? "NONE" : "NUL");
  }
  return sqlite3_mprintf("rc %d%s", k, av ? " with a value" : "");
}

/* The key plan_key_value (named: plan_key_named) makes of a SQL expression
** for a key of type t. */
static const char *lookup_as(const char *zExpr, int t, int named) {
  sqlite3_stmt *st;
  sqlite3_value *v = eval(zExpr, &st);
  cJSON *av = 0;
  int k = !v ? -99 : named ? plan_key_named(v, t, &av) : plan_key_value(v, t, &av);
  char *z = key_words(k, av);
  cJSON_Delete(av);
  sqlite3_finalize(st);
  return keep(z);
}
#define lookup(e, t) lookup_as(e, t, 0)
#define named(e, t) lookup_as(e, t, 1)

static const char *op_name(int op) {
  switch (op) {
    case EQ: return "=";
    case GT: return ">";
    case GE: return ">=";
    case LT: return "<";
    case LE: return "<=";
  }
  return "?";
}

/* The sort keys plan_key_range selects: "ALL", "NONE", or its ends as
** ">=lo <=hi", "=v", "<v"... */
static const char *range(const char *zExpr, int t, int op, int loose) {
  sqlite3_stmt *st;
  sqlite3_value *v = eval(zExpr, &st);
  plan_range r;
  int k = v ? plan_key_range(v, t, op, loose, &r) : -99;
  char *z;
  if (k == KEY_VALUE && (r.lo || r.hi)) {
    z = sqlite3_mprintf("%s%s%s%s%s", r.lo ? op_name(r.loOp) : "", r.lo ? r.lo->child->valuestring : "",
                        r.lo && r.hi ? " " : "", r.hi ? op_name(r.hiOp) : "",
                        r.hi ? r.hi->child->valuestring : "");
  } else {
    z = key_words(k, 0);
  }
  if (k == KEY_VALUE) plan_range_clear(&r);
  sqlite3_finalize(st);
  return keep(z);
}

static const int aCmp[] = {EQ, LT, LE, GT, GE};

static void test_key_s(void) {
  unsigned i;
  /* an equality: TEXT affinity turns numbers into their SQLite text */
  CHECK_STR(lookup("'abc'", AV_S), "abc");
  CHECK_STR(lookup("'h\xc3\xa9'", AV_S), "h\xc3\xa9");
  CHECK_STR(lookup("5", AV_S), "5");
  CHECK_STR(lookup("-12", AV_S), "-12");
  CHECK_STR(lookup("1.5", AV_S), "1.5");
  CHECK_STR(lookup("5.0", AV_S), "5.0");
  CHECK_STR(lookup("1e100", AV_S), "1.0e+100");
  /* no key is empty (DynamoDB refuses '' as a key value), NULL, a blob,
  ** text that is not UTF-8 or holds a NUL (no string read is) */
  CHECK_STR(lookup("''", AV_S), "NONE");
  CHECK_STR(lookup("NULL", AV_S), "NONE");
  CHECK_STR(lookup("X'616263'", AV_S), "NONE");
  CHECK_STR(lookup("CAST(X'6180' AS TEXT)", AV_S), "NONE");
  CHECK_STR(lookup("'a' || char(0) || 'b'", AV_S), "NONE");
  /* dynamo_key's name for such text is an error, not a key */
  CHECK_STR(named("CAST(X'6180' AS TEXT)", AV_S), "NUL");
  CHECK_STR(named("'abc'", AV_S), "abc");

  for (i = 0; i < sizeof(aCmp) / sizeof(aCmp[0]); i++) {
    int op = aCmp[i];
    CHECK_STR(range("NULL", AV_S, op, 0), "NONE");
    CHECK_STR(range("NULL", AV_S, op, 1), "NONE");
    CHECK_STR(range("''", AV_S, op, 0), op == GT || op == GE ? "ALL" : "NONE");
  }
  CHECK_STR(range("'abc'", AV_S, EQ, 0), "=abc");
  CHECK_STR(range("'abc'", AV_S, GT, 0), ">abc");
  CHECK_STR(range("'abc'", AV_S, GE, 0), ">=abc");
  CHECK_STR(range("'abc'", AV_S, LT, 0), "<abc");
  CHECK_STR(range("'abc'", AV_S, LE, 0), "<=abc");
  CHECK_STR(range("5", AV_S, GT, 0), ">5");
  CHECK_STR(range("1e100", AV_S, LE, 0), "<=1.0e+100");
  /* a BLOB sorts after every text */
  CHECK_STR(range("X'00'", AV_S, LT, 0), "ALL");
  CHECK_STR(range("X'00'", AV_S, LE, 1), "ALL");
  CHECK_STR(range("X'00'", AV_S, GT, 0), "NONE");
  CHECK_STR(range("X'00'", AV_S, GE, 1), "NONE");
  CHECK_STR(range("X'00'", AV_S, EQ, 0), "NONE");
  /* a bound no DynamoDB string can be is dropped (GLOB 'a\x7f*' makes
  ** SQLite bound the key below 'a\x80'); no key equals it */
  CHECK_STR(range("CAST(X'6180' AS TEXT)", AV_S, LT, 0), "ALL");
  CHECK_STR(range("CAST(X'61F48FBFC0' AS TEXT)", AV_S, LT, 0), "ALL");
  CHECK_STR(range("CAST(X'6180' AS TEXT)", AV_S, GE, 1), "ALL");
  CHECK_STR(range("'a' || char(0)", AV_S, GT, 0), "ALL");
  CHECK_STR(range("CAST(X'6180' AS TEXT)", AV_S, EQ, 0), "NONE");
  /* loose: a number compares as text, as a number, or as no text at all */
  CHECK_STR(range("5", AV_S, EQ, 1), "=5");
  CHECK_STR(range("5.0", AV_S, EQ, 1), "=5.0");
  CHECK_STR(range("5", AV_S, GT, 1), "ALL");
  CHECK_STR(range("5", AV_S, GE, 1), "ALL");
  CHECK_STR(range("5", AV_S, LT, 1), "<:");
  CHECK_STR(range("2.5", AV_S, LE, 1), "<:");
  CHECK_STR(range("' 30'", AV_S, GE, 1), "ALL"); /* reads as a number */
  CHECK_STR(range("'30'", AV_S, LT, 1), "<:");
  CHECK_STR(range("'30'", AV_S, EQ, 1), "=30");
  /* and text that reads as no number: below ':', the numbers' texts too */
  CHECK_STR(range("'1a'", AV_S, LE, 1), "<:");
  CHECK_STR(range("'!'", AV_S, LT, 1), "<:");
  CHECK_STR(range("'abc'", AV_S, LT, 1), "<abc");
  CHECK_STR(range("'abc'", AV_S, GT, 1), ">abc");
  CHECK_STR(range("'1a'", AV_S, GT, 1), ">1a");
}

static void test_key_n(void) {
  unsigned i;
  /* an equality: NUMERIC affinity, as SQLite reads the text */
  CHECK_STR(lookup("5", AV_N), "5");
  CHECK_STR(lookup("-9223372036854775808", AV_N), "-9223372036854775808");
  CHECK_STR(lookup("1.5", AV_N), "1.5");
  CHECK_STR(lookup("0.1", AV_N), "0.1");
  CHECK_STR(lookup("-122.14228681282287", AV_N), "-122.14228681282287");
  CHECK_STR(lookup("5.0", AV_N), "5");
  CHECK_STR(lookup("0.0", AV_N), "0");
  CHECK_STR(lookup("-0.0", AV_N), "0");
  CHECK_STR(lookup("'42'", AV_N), "42");
  CHECK_STR(lookup("'1.50'", AV_N), "1.5");
  CHECK_STR(lookup("' 7 '", AV_N), "7");
  CHECK_STR(lookup("'1e3'", AV_N), "1000");
  /* text SQLite reads through a double is that double, not its digits:
  ** '0.10000000000000001' = 0.1 and '9007199254740993.0' <> 9007199254740993 */
  CHECK_STR(lookup("'0.10000000000000001'", AV_N), "0.1");
  CHECK_STR(lookup("'9007199254740993.0'", AV_N), "9007199254740992");
  CHECK_STR(lookup("'9007199254740993'", AV_N), "9007199254740993");
  CHECK_STR(lookup("'12345678901234567890123'", AV_N), "12345678901234568000000");
  CHECK_STR(lookup("strtod('9.9e125')", AV_N), "9.9E+125");
  CHECK_STR(lookup("strtod('1e-130')", AV_N), "1E-130");
  /* nothing an N key can equal */
  CHECK_STR(lookup("'abc'", AV_N), "NONE");
  CHECK_STR(lookup("''", AV_N), "NONE");
  CHECK_STR(lookup("'0x10'", AV_N), "NONE");
  CHECK_STR(lookup("X'35'", AV_N), "NONE");
  CHECK_STR(lookup("NULL", AV_N), "NONE");
  CHECK_STR(lookup("1e999", AV_N), "NONE");
  CHECK_STR(lookup("1e200", AV_N), "NONE");
  CHECK_STR(lookup("1e-200", AV_N), "NONE");
  CHECK_STR(lookup("'1e-200'", AV_N), "NONE");
  /* dynamo_key names the key the text spells, digit for digit */
  CHECK_STR(named("'0.10000000000000001'", AV_N), "0.10000000000000001");
  CHECK_STR(named("'9007199254740993.0'", AV_N), "9007199254740993");
  CHECK_STR(named("' 12345678901234567890123 '", AV_N), "12345678901234567890123");
  CHECK_STR(named("0.1", AV_N), "0.1");
  CHECK_STR(named("'abc'", AV_N), "NONE");
  CHECK_STR(named("'1e-200'", AV_N), "NONE");

  /* a condition on a sort key: every decimal SQLite may read as the double,
  ** or on that side of it, from two doubles below to two above */
  CHECK_STR(range("0.1", AV_N, EQ, 0), ">=0.09999999999999998 <=0.10000000000000003");
  CHECK_STR(range("'0.10000000000000001'", AV_N, EQ, 0), ">=0.09999999999999998 <=0.10000000000000003");
  CHECK_STR(range("0.1", AV_N, GT, 0), ">=0.09999999999999998");
  CHECK_STR(range("0.1", AV_N, GE, 0), ">=0.09999999999999998");
  CHECK_STR(range("0.1", AV_N, LT, 0), "<=0.10000000000000003");
  CHECK_STR(range("0.1", AV_N, LE, 0), "<=0.10000000000000003");
  CHECK_STR(range("5", AV_N, EQ, 0), ">=4.999999999999998 <=5.000000000000002");
  CHECK_STR(range("'5.0'", AV_N, GT, 1), ">=4.999999999999998"); /* loose: the same */
  CHECK_STR(range("-122.14228681282287", AV_N, EQ, 0),
            ">=-122.1422868128229 <=-122.14228681282285");
  CHECK_STR(range("9007199254740993", AV_N, EQ, 0), ">=9007199254740990 <=9007199254740996");
  CHECK_STR(range("'12345678901234567890123'", AV_N, LE, 0), "<=12345678901234572000000");
  CHECK_STR(range("1e20", AV_N, GE, 0), ">=99999999999999970000");
  /* around zero: DynamoDB's smallest magnitudes */
  CHECK_STR(range("0", AV_N, EQ, 0), ">=-1E-130 <=1E-130");
  CHECK_STR(range("1e-200", AV_N, GT, 0), ">=0");
  CHECK_STR(range("1e-200", AV_N, LT, 0), "<=1E-130");
  CHECK_STR(range("-1e-200", AV_N, GE, 0), ">=-1E-130");
  CHECK_STR(range("-1e-200", AV_N, LE, 0), "<=0");
  CHECK_STR(range("strtod('1e-129')", AV_N, EQ, 0), ">=9.999999999999996E-130 <=1.0000000000000002E-129");
  /* and the largest: 9.99...9E+125 (38 nines) reads as 1e126 */
  CHECK_STR(range("strtod('1e126')", AV_N, EQ, 0), ">=9.999999999999996E+125");
  CHECK_STR(range("strtod('1e126')", AV_N, LE, 0), "ALL");
  CHECK_STR(range("strtod('9.9e125')", AV_N, EQ, 0),
            ">=9.899999999999997E+125 <=9.900000000000003E+125");
  CHECK_STR(range("1e200", AV_N, GE, 0), ">=9.9999999999999999999999999999999999999E+125");
  CHECK_STR(range("1e200", AV_N, LT, 0), "ALL");
  CHECK_STR(range("-1e200", AV_N, LE, 0), "<=-9.9999999999999999999999999999999999999E+125");
  CHECK_STR(range("-1e200", AV_N, GT, 0), "ALL");
  /* infinities */
  CHECK_STR(range("1e999", AV_N, EQ, 0), "NONE");
  CHECK_STR(range("1e999", AV_N, LT, 0), "ALL");
  CHECK_STR(range("1e999", AV_N, LE, 0), "ALL");
  CHECK_STR(range("1e999", AV_N, GT, 0), "NONE");
  CHECK_STR(range("1e999", AV_N, GE, 0), "NONE");
  CHECK_STR(range("-1e999", AV_N, LT, 0), "NONE");
  CHECK_STR(range("-1e999", AV_N, GE, 0), "ALL");
  CHECK_STR(range("'-1e999'", AV_N, GT, 0), "ALL");
  /* text that is no number, and blobs, sort after every number */
  for (i = 0; i < sizeof(aCmp) / sizeof(aCmp[0]); i++) {
    int op = aCmp[i], below = op == LT || op == LE;
    CHECK_STR(range("'abc'", AV_N, op, 0), below ? "ALL" : "NONE");
    CHECK_STR(range("''", AV_N, op, 0), below ? "ALL" : "NONE");
    CHECK_STR(range("'5 apples'", AV_N, op, 1), below ? "ALL" : "NONE");
    CHECK_STR(range("X'35'", AV_N, op, 0), below ? "ALL" : "NONE");
    CHECK_STR(range("NULL", AV_N, op, 0), "NONE");
  }
}

static void test_key_b(void) {
  unsigned i;
  CHECK_STR(lookup("X'00FF'", AV_B), "AP8=");
  CHECK_STR(lookup("X''", AV_B), "NONE");
  CHECK_STR(lookup("'abc'", AV_B), "NONE");
  CHECK_STR(lookup("5", AV_B), "NONE");
  CHECK_STR(lookup("NULL", AV_B), "NONE");
  CHECK_STR(range("X'00FF'", AV_B, EQ, 0), "=AP8=");
  CHECK_STR(range("X'666F6F'", AV_B, GT, 0), ">Zm9v");
  CHECK_STR(range("X'666F6F'", AV_B, LE, 0), "<=Zm9v");
  for (i = 0; i < sizeof(aCmp) / sizeof(aCmp[0]); i++) {
    int op = aCmp[i], below = op == LT || op == LE;
    CHECK_STR(range("NULL", AV_B, op, 0), "NONE");
    CHECK_STR(range("X''", AV_B, op, 0), op == GT || op == GE ? "ALL" : "NONE");
    /* numbers and text sort before every BLOB */
    CHECK_STR(range("'abc'", AV_B, op, 0), op == EQ ? "NONE" : below ? "NONE" : "ALL");
    CHECK_STR(range("1.5", AV_B, op, 0), op == EQ ? "NONE" : below ? "NONE" : "ALL");
  }
}

/* ---- plan_key_cmp --------------------------------------------------------- */

static int cmp(const char *a, const char *b) {
  cJSON *x = cJSON_Parse(a), *y = cJSON_Parse(b);
  int c = (x && y) ? plan_key_cmp(x, y) : -99;
  cJSON_Delete(x);
  cJSON_Delete(y);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

static void test_key_cmp(void) {
  /* S: UTF-8 bytes */
  CHECK_INT(cmp("{\"S\":\"a\"}", "{\"S\":\"b\"}"), -1);
  CHECK_INT(cmp("{\"S\":\"b\"}", "{\"S\":\"a\"}"), 1);
  CHECK_INT(cmp("{\"S\":\"a\"}", "{\"S\":\"a\"}"), 0);
  CHECK_INT(cmp("{\"S\":\"Z\"}", "{\"S\":\"a\"}"), -1);
  CHECK_INT(cmp("{\"S\":\"a\"}", "{\"S\":\"ab\"}"), -1);
  CHECK_INT(cmp("{\"S\":\"\"}", "{\"S\":\"a\"}"), -1);
  CHECK_INT(cmp("{\"S\":\"\\u00e9\"}", "{\"S\":\"z\"}"), 1); /* 0xc3 > 'z' */
  CHECK_INT(cmp("{\"S\":\"10\"}", "{\"S\":\"9\"}"), -1);
  CHECK_INT(cmp("{\"S\":\"2017-12-20T16:10:38.997Z\"}", "{\"S\":\"2017-12-21\"}"), -1);
  /* N: numerically */
  CHECK_INT(cmp("{\"N\":\"10\"}", "{\"N\":\"9\"}"), 1);
  CHECK_INT(cmp("{\"N\":\"9\"}", "{\"N\":\"10\"}"), -1);
  CHECK_INT(cmp("{\"N\":\"5\"}", "{\"N\":\"5.0\"}"), 0);
  CHECK_INT(cmp("{\"N\":\"-1\"}", "{\"N\":\"0.5\"}"), -1);
  CHECK_INT(cmp("{\"N\":\"-10\"}", "{\"N\":\"-9\"}"), -1);
  CHECK_INT(cmp("{\"N\":\"1E+2\"}", "{\"N\":\"99.999\"}"), 1);
  CHECK_INT(cmp("{\"N\":\"12345678901234567890123\"}", "{\"N\":\"12345678901234567890122\"}"),
            1);
  /* B: bytes, not base64 text */
  CHECK_INT(cmp("{\"B\":\"/w==\"}", "{\"B\":\"AA==\"}"), 1); /* 0xff > 0x00, '/' < 'A' */
  CHECK_INT(cmp("{\"B\":\"AA==\"}", "{\"B\":\"/w==\"}"), -1);
  CHECK_INT(cmp("{\"B\":\"AA==\"}", "{\"B\":\"AAA=\"}"), -1); /* 00 < 00 00 */
  CHECK_INT(cmp("{\"B\":\"AAA=\"}", "{\"B\":\"AA==\"}"), 1);
  CHECK_INT(cmp("{\"B\":\"Zm9v\"}", "{\"B\":\"Zm9v\"}"), 0);
  CHECK_INT(cmp("{\"B\":\"\"}", "{\"B\":\"AA==\"}"), -1);
  CHECK_INT(cmp("{\"B\":\"gA==\"}", "{\"B\":\"fw==\"}"), 1); /* 0x80 > 0x7f: unsigned */
}

/* strtod(text): the double nearest to a decimal, from C, which rounds
** correctly everywhere. SQLite 3.40 reads REAL literals with long double
** arithmetic, which valgrind carries out in 64 bits only: under valgrind the
** literal 9.9e125 is 9.900000000000003E+125 and 1e-130 is out of range. */
static void strtod_func(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  sqlite3_result_double(ctx, strtod((const char *)sqlite3_value_text(argv[0]), 0));
}

int main(void) {
  sqlite3_stmt *st = 0;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) return 2;
  if (sqlite3_prepare_v2(db, "SELECT '2017-12-20', 5, CAST(X'6180' AS TEXT)", -1, &st, 0) !=
          SQLITE_OK ||
      sqlite3_step(st) != SQLITE_ROW || !(txt = sqlite3_value_dup(sqlite3_column_value(st, 0))) ||
      !(num = sqlite3_value_dup(sqlite3_column_value(st, 1))) ||
      !(bad = sqlite3_value_dup(sqlite3_column_value(st, 2)))) {
    return 2;
  }
  sqlite3_finalize(st);
  sqlite3_create_function(db, "strtod", 1, SQLITE_UTF8, 0, strtod_func, 0, 0);
  RUN(test_getitem);
  RUN(test_query_between_desc_limit);
  RUN(test_query_bounds);
  RUN(test_query_patterns);
  RUN(test_in);
  RUN(test_order_by);
  RUN(test_limit_offset);
  RUN(test_unusable);
  RUN(test_projection);
  RUN(test_decode);
  RUN(test_key_column);
  RUN(test_filters);
  RUN(test_costs);
  RUN(test_read_once_shape);
  RUN(test_sparse_indexes);
  RUN(test_key_s);
  RUN(test_key_n);
  RUN(test_key_b);
  RUN(test_key_cmp);
  sqlite3_free(out.idxStr);
  sqlite3_free(zKey);
  sqlite3_value_free(txt);
  sqlite3_value_free(num);
  sqlite3_value_free(bad);
  sqlite3_close(db);
  CHECK_DONE();
}
