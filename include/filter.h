/*
** Conditions that are not on a key, sent as a Query's or Scan's
** FilterExpression so that only the items that may match cross the
** network. Pure: the plan (plan.c) says which constraints go, request.c
** hands their values over at xFilter time, this module writes the
** DynamoDB condition.
**
** The rule: the filter keeps a superset of what SQLite keeps, for every item
** the table may hold, and SQLite still decides (the constraint is not
** omitted) unless the filter is exactly SQLite's comparison for every item.
** DynamoDB compares only within one type; SQLite compares across storage
** classes (NULL < numbers < text < blobs) after applying the column's
** affinity to both sides, and reads each DynamoDB type as attrval.h says
** (S TEXT, N INTEGER/REAL/TEXT, B BLOB, BOOL 1/0, NULL NULL, sets, L and M
** TEXT holding JSON). So a condition is worked out type by type: for each
** DynamoDB type, either every item of it is kept (attribute_type), none is,
** or a comparison of the same type selects them. ARCHITECTURE.md has the
** table of cases; tests/unit/test_filter.c checks each.
*/
#ifndef DYNAMO_FILTER_H
#define DYNAMO_FILTER_H

#include "common.h"
#include "expr.h"

/* The conditions a filter may hold (idxStr's machine part names them). */
enum {
  FILTER_EQ = 1,
  FILTER_NE,
  FILTER_LT,
  FILTER_LE,
  FILTER_GT,
  FILTER_GE,
  FILTER_IN,      /* an IN list taken all at once (sqlite3_vtab_in) */
  FILTER_ISNULL,  /* no value */
  FILTER_NOTNULL, /* no value */
  FILTER_LIKE,
  FILTER_GLOB,
  FILTER_NOP      /* one past the last */
};

/* A column's affinity, as SQLite derives it from the declared type; 0:
** not known (nothing is pushed for the column). */
enum { FILTER_AFF_BLOB = 1, FILTER_AFF_TEXT, FILTER_AFF_NUMERIC };

/* Or'ed into an affinity: the column reads N and BOOL items as text (a
** column declared TEXT, attrval.h's AVA_TEXT), so that with no affinity
** applied to the other side they compare as text, not as numbers. */
#define FILTER_TEXT_READ 0x10

/* What a condition became. */
enum { FILTER_TRUE, FILTER_FALSE, FILTER_SOME };

#define FILTER_MAX_IN 100     /* IN lists longer than this are not pushed */
#define FILTER_MAX_LEN 4000   /* bytes of FilterExpression (DynamoDB: 4 KB) */

/* SQLite's affinity of a declared type (datatype3.html, 3.1): INT ->
** NUMERIC (INTEGER), CHAR/CLOB/TEXT -> TEXT, BLOB or none -> BLOB,
** anything else (REAL, N, BOOL, L...) -> NUMERIC. */
int filter_affinity(const char *zType);

/* The condition of a SQLITE_INDEX_CONSTRAINT_* operator (isIn: an EQ that
** is an IN list handed over whole), or 0 when it is never pushed. */
int filter_op_of(int iSqliteOp, int isIn);

/* Two lower-case letters naming a condition in idxStr ("eq", "in", ...),
** and back (0 when z does not start with one). */
const char *filter_op_code(int op);
int filter_op_from_code(const char *z);

/*
** Is the pushed form of "column op v" exactly SQLite's condition, for every
** item and for every affinity the right-hand side may bring (v: its value
** at plan time; NULL when it is not known, which is exact only for IS NULL
** and IS NOT NULL)? Then SQLite need not check it again.
*/
int filter_exact(int aff, int op, sqlite3_value *v);

/* One condition as xFilter has it. */
typedef struct filter_cond {
  const char *zAttr;   /* the attribute */
  int aff;             /* its column's affinity */
  int op;              /* FILTER_* */
  int required;        /* SQLite does not check it (exact): always sent */
  int nv;              /* values: 1, the IN list's, or 0 (IS [NOT] NULL) */
  sqlite3_value **av;
} filter_cond;

/*
** The conditions, ANDed, as a FilterExpression whose names and values go
** into x. *pResult: FILTER_FALSE when no item can match (nothing is added
** to x), FILTER_TRUE when nothing needs sending, else FILTER_SOME with *pz
** set (sqlite3_free). Conditions that are not required are left out once
** the expression would exceed FILTER_MAX_LEN bytes (a superset still).
** Returns SQLITE_OK or SQLITE_NOMEM.
*/
int filter_expression(expr_ctx *x, const filter_cond *a, int n, char **pz, int *pResult);

/*
** The literal prefix of a LIKE (case-insensitive: only usable when it has
** no ASCII letter) or GLOB pattern, as a sqlite3_malloc()ed string, or NULL
** when there is none. A prefix only narrows (a Query's key condition, a
** begins_with filter): SQLite still checks the whole pattern.
*/
char *filter_pattern_prefix(const char *zPattern, int isGlob);

#endif
