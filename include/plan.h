/*
** The read plan: which DynamoDB operation answers a SQL query over one
** virtual table, chosen from the constraints, ORDER BY and columns SQLite
** reports to xBestIndex. Pure: vtab.c translates sqlite3_index_info into a
** plan_input and back. ARCHITECTURE.md explains the choices in words.
**
**   equality on the partition key and on the sort key    -> GetItem
**   equality (or IN) on the partition key                  -> Query, with the
**       sort-key constraints = < <= > >= and LIKE/GLOB prefixes as the key
**       condition, ORDER BY the sort key as ScanIndexForward, LIMIT/OFFSET as
**       the page size when every constraint is in the key condition
**   equality (or IN) on an index's partition key           -> Query on
**       the index (IndexName), when the table's key is not constrained and,
**       for a global index, it holds every column the query reads
**   anything else                                          -> Scan
**
** Each plan's cost and rows come from the table's size (cost.h), and
** EXPLAIN QUERY PLAN shows what the plan expects: "(expect: ...)".
*/
#ifndef DYNAMO_PLAN_H
#define DYNAMO_PLAN_H

#include "common.h"
#include <cJSON.h>

/* idxNum bits */
#define PLAN_SCAN      0x0000
#define PLAN_QUERY     0x0001
#define PLAN_GET       0x0002
#define PLAN_OP_MASK   0x0003
#define PLAN_PK_IN     0x0004  /* the partition-key argument is an IN list */
#define PLAN_SK_EQ     0x0008
#define PLAN_SK_GT     0x0010  /* lower bound, exclusive */
#define PLAN_SK_GE     0x0020  /* lower bound, inclusive */
#define PLAN_SK_LT     0x0040  /* upper bound, exclusive */
#define PLAN_SK_LE     0x0080  /* upper bound, inclusive */
#define PLAN_SK_LIKE   0x0100  /* prefix of a LIKE pattern */
#define PLAN_SK_GLOB   0x0200  /* prefix of a GLOB pattern */
#define PLAN_DESC      0x0400  /* ScanIndexForward = false */
#define PLAN_LIMIT     0x0800
#define PLAN_OFFSET    0x1000
#define PLAN_RAMP      0x4000  /* SQLite may stop early but no exact LIMIT
                               ** is known: pages grow from a small Limit */
#define PLAN_KEYLESS   0x8000  /* no constraint at all (or a filtered Scan,
                               ** see plan.c): SQLite cannot be merging OR
                               ** branches, so unless a write statement runs
                               ** (xFilter checks) or the query reads _key
                               ** the keys need not be read */
#define PLAN_COUNT     0x10000 /* only counted: no column is read, or only
                               ** columns pinned to one value, by an exact
                               ** filter or by a Query's partition key,
                               ** which xColumn gives back: Select = COUNT */
#define PLAN_KEY       0x20000 /* GetItem of whole keys given as the hidden
                               ** _key column's text (an IN list with
                               ** PLAN_PK_IN: BatchGetItem) */
#define PLAN_SK_LOOSE  0x40000 /* the sort-key bounds of an S key were not
                               ** known at plan time: their value may bring
                               ** any affinity, so they are sent wide enough
                               ** for every one and SQLite checks them */
#define PLAN_INDEX_SHIFT 20    /* bits 20..27: 1 + the index Queried, or 0 */
#define PLAN_INDEX_OF(idxNum) ((((idxNum) >> PLAN_INDEX_SHIFT) & 0xff) - 1)

/* Operators, as in sqlite3_index_info (SQLITE_INDEX_CONSTRAINT_*). */
typedef struct plan_constraint {
  int iColumn;
  int op;
  int usable;
  int binary;      /* the comparison uses the BINARY collation */
  int is_in;       /* EQ that is an IN list SQLite can hand over whole */
  int exact;       /* as a filter it is exactly SQLite's condition
                   ** (filter_exact, with the value known at plan time) */
  sqlite3_value *rhs; /* its right-hand side when known at plan time (a
                   ** constant: sqlite3_vtab_rhs_value), else NULL */
} plan_constraint;

typedef struct plan_orderby {
  int iColumn;
  int desc;
} plan_orderby;

/* A secondary index the plan may Query instead of Scanning. */
typedef struct plan_index {
  const char *zName;
  int pk;                      /* column of its partition key */
  int sk;                      /* column of its sort key, or -1 (none, or not
                               ** comparable like SQLite: not pushed down) */
  int pktype, sktype;          /* their DynamoDB types (AV_S, AV_N, AV_B) */
  int sk_text;
  int sk_exact;
  int global;                  /* a GSI: it must hold every column used */
  sqlite3_uint64 covers;       /* colUsed bits of what it holds: a GSI must
                               ** hold every column used, and any index
                               ** every column it filters */
  int sparse;                  /* the column of its sort key attribute when
                               ** that is not one of the table's keys (an
                               ** item without it is not in the index), or
                               ** -1 */
  sqlite3_int64 nBytes, nItems;/* its IndexSizeBytes and ItemCount (0: not
                               ** known: the table's are used) */
} plan_index;

typedef struct plan_input {
  int ncol;                    /* declared columns; then item, then _key */
  const char *const *azCol;    /* column names, for idxStr */
  int pk, sk;                  /* key column indexes; sk < 0: no sort key */
  int pk_text;                 /* partition key is S */
  int sk_text;                 /* sort key is S (prefix matching applies) */
  int sk_exact;                /* sort key comparisons are exactly SQLite's
                               ** (S and B keys; not N: SQLite reads a
                               ** decimal beyond a double's precision through
                               ** the nearest double, so that a number equals
                               ** many keys, which a range of keys holds) */
  int ncons;
  const plan_constraint *aCons;
  int norder;
  const plan_orderby *aOrder;
  sqlite3_uint64 colUsed;
  int nindex;                  /* indexes that may be used (at most 255) */
  const plan_index *aIndex;
  int filter;                  /* send the other conditions as a Query's or
                               ** Scan's FilterExpression (filter.h) */
  /* what the costs are made of (cost.h) */
  sqlite3_int64 nBytes, nItems;/* TableSizeBytes, ItemCount (0: not known) */
  int consistent;              /* strongly consistent reads: twice the units */
  int segments;                /* segments= (0: by the table's size) */
  int hasStats;                /* SQLite has statistics (sqlite_stat1): its
                               ** row counts are counts (cost_scan_in_join) */
  sqlite3_int64 readOnce;      /* a statement's lookups may read the table
                               ** once (cache.c): the largest size it may
                               ** have (0: never); EXPLAIN says after how many */
} plan_input;

typedef struct plan_usage {
  int argvIndex;               /* 0: not used */
  int omit;
  int in_all;                  /* ask for the IN list all at once */
} plan_usage;

typedef struct plan_output {
  int idxNum;
  char *idxStr;                /* sqlite3_malloc()ed; the plan in words,
                               ** then its machine part (see plan_args) */
  double cost;
  sqlite3_int64 rows;
  int unique;                  /* at most one row */
  int order_consumed;
  plan_usage *aUsage;          /* ncons entries, caller-allocated */
} plan_output;

/* Choose the plan. Returns SQLITE_OK or SQLITE_NOMEM. */
int plan_best(const plan_input *in, plan_output *out);

/*
** xFilter's side of the contract: what idxNum, idxStr and the arguments
** mean, decoded in one place. idxNum's bits say which arguments come, in
** this order: the partition key (a value, or an IN list with PLAN_PK_IN),
** the sort key's equality, its lower bound, its upper bound, the LIKE
** pattern, the GLOB pattern, LIMIT, OFFSET. idxStr is the plan in words
** (what EXPLAIN QUERY PLAN shows), then its machine part, always last:
** " PROJECT ALL" when the whole item is read, else " PROJECT i,j,..." with
** the numbers of the columns to project, then, when conditions are sent as
** a filter, "/" and one "<column><code>" each ("3eq,5gt": filter.h's
** codes, upper case when SQLite does not check the condition again); their
** arguments come last, in that order. The machine part holds no space, so
** the last " PROJECT " is its start whatever the column names in the words
** before it hold.
*/
typedef struct plan_filter {
  int iCol;                    /* the column */
  int op;                      /* FILTER_* (filter.h) */
  int exact;                   /* omitted: SQLite does not check it */
  sqlite3_value *value;        /* its argument (unused for IS [NOT] NULL;
                               ** an IN list for FILTER_IN) */
} plan_filter;

typedef struct plan_args {
  int flags;                   /* idxNum */
  int op;                      /* PLAN_SCAN, PLAN_QUERY or PLAN_GET */
  int iIndex;                  /* the index Queried, -1: the table */
  sqlite3_value *pk;           /* the partition key's value, or its IN list */
  sqlite3_value *key;          /* PLAN_KEY: a whole key's text, or an IN list */
  sqlite3_value *skEq;         /* the sort key's value (GetItem) */
  sqlite3_value *lo, *hi;      /* its bounds (PLAN_SK_GT/GE, PLAN_SK_LT/LE) */
  sqlite3_value *like, *glob;  /* patterns whose literal prefix narrows */
  sqlite3_value *limit, *offset;
  int nWords;                  /* idxStr's length before the machine part */
  int all;                     /* the whole item is read: no projection */
  int nCol;                    /* else the columns to project */
  int *aCol;                   /* sqlite3_malloc()ed */
  int nFilter;                 /* conditions sent as the FilterExpression */
  plan_filter *aFilter;        /* sqlite3_malloc()ed */
} plan_args;

/* May a statement's copy of the table answer this plan's lookups (cache.c:
** read once)? A GetItem of exact keys, or a Query of whole partitions with
** no other condition (no sort-key condition or filter, no ORDER BY it
** consumes, no LIMIT, not counting), on the table, not reading the whole
** item (all). Its flags, index (-1: the table) and filters. */
int plan_read_once_shape(int flags, int iIndex, int all, int nFilter);

/*
** Decode a plan for a table of ncol declared columns. SQLITE_OK with *out
** set (release it with plan_args_clear), SQLITE_NOMEM, or SQLITE_ERROR when
** idxNum, idxStr and argc do not agree (the arguments must be consumed
** exactly): a broken contract, never a user's error.
*/
int plan_decode(int idxNum, const char *idxStr, int argc, sqlite3_value **argv, int ncol,
                plan_args *out);
void plan_args_clear(plan_args *p);

/* How a constraint value compares with every key of the key's type. */
enum { KEY_VALUE, KEY_ALL, KEY_NONE };
#define KEY_OOM (-1)
#define KEY_NUL (-2) /* text holding NUL or not valid UTF-8: no key this
                     ** extension can send or read is that text */

/* The text of v with TEXT affinity (a number becomes SQLite's text of it):
** 1 with *pz set when a DynamoDB string sent by this extension can be it
** (UTF-8, no NUL), 0 when none can, KEY_OOM. */
int plan_key_text(sqlite3_value *v, const char **pz);

/*
** The key an equality asks for (a partition key, a GetItem's sort key): the
** right-hand side converted as SQLite converts it before comparing it with
** the key column (TEXT affinity for S, NUMERIC for N: text that reads as a
** number is the integer or double SQLite reads, none for B). KEY_VALUE with
** *pAv set (caller owns it), KEY_NONE when no key can be equal (nothing to
** ask for), KEY_OOM. An N key whose decimal is beyond a double's precision
** (SQLite shows it as TEXT) equals, for SQLite, the double nearest to it:
** such keys are not the one asked for (README: a range of keys holds them,
** which a sort key's condition asks for, plan_key_range).
*/
int plan_key_value(sqlite3_value *v, int keytype, cJSON **pAv);

/*
** The key a value names, as a key column writes it (dynamo_key): numeric
** text for an N key is taken digit for digit. KEY_VALUE, KEY_NONE (no key
** is that value: NULL, text for a number...), KEY_NUL, KEY_OOM.
*/
int plan_key_named(sqlite3_value *v, int keytype, cJSON **pAv);

/* The sort keys a condition may select: lo loOp key hiOp hi. */
typedef struct plan_range {
  int loOp, hiOp;              /* SQLITE_INDEX_CONSTRAINT_GT or GE (EQ: the
                               ** key equals lo), LT or LE; 0: unbounded */
  cJSON *lo, *hi;              /* owned (plan_range_clear) */
} plan_range;

/*
** The sort keys of type keytype for which "key op v" (op EQ, GT, GE, LT,
** LE) may hold, as one key condition: KEY_NONE (none: no request), KEY_ALL
** (every key: send no condition), KEY_VALUE with *r set, or KEY_OOM. The
** condition holds every key SQLite keeps, and exactly those (so that SQLite
** need not check again) where plan_best says so:
**   S  the value with TEXT affinity (a number is its text); text that is no
**      DynamoDB string (not UTF-8, a NUL) is no bound (KEY_ALL), or no key
**      for EQ. loose: the value may bring NUMERIC or no affinity (a column
**      of another table, an expression): a number, or text that reads as
**      one, bounds nothing from below and keys below ':' from above (every
**      text that reads as a number begins below ':').
**   N  NUMERIC affinity, then every decimal SQLite may read as the same
**      double: the keys from two doubles below to two doubles above it
**      (sqlite3AtoF rounds within one unit in the last place); a bound
**      becomes >= and <= of those.
**   B  the blob itself.
** A value of another storage class selects every key or none.
*/
int plan_key_range(sqlite3_value *v, int keytype, int op, int loose, plan_range *r);
void plan_range_clear(plan_range *r);

/* Compare two key AttributeValues of the same type as DynamoDB orders
** them (S: UTF-8 bytes, N: numerically, B: bytes). */
int plan_key_cmp(const cJSON *a, const cJSON *b);

#endif
