/*
** plan.c: the pure part of xBestIndex and of reading constraint values
** in xFilter (see plan.h and ARCHITECTURE.md).
**
** One rule governs every choice here: the plan may change what a query
** costs, never what it returns. So a constraint is only left out of
** SQLite's own re-check (omit) where the DynamoDB condition is provably the
** same comparison (the keys' equalities, and sort-key bounds on S and B
** keys that one key condition expresses), LIMIT only ever sizes pages
** (SQLite keeps counting), and
** ORDER BY is only consumed where DynamoDB returns exactly SQLite's order.
*/
#include "plan.h"
#include "attrval.h"
#include "cost.h"
#include "filter.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#define OP_EQ SQLITE_INDEX_CONSTRAINT_EQ
#define OP_GT SQLITE_INDEX_CONSTRAINT_GT
#define OP_LE SQLITE_INDEX_CONSTRAINT_LE
#define OP_LT SQLITE_INDEX_CONSTRAINT_LT
#define OP_GE SQLITE_INDEX_CONSTRAINT_GE
#define OP_LIKE SQLITE_INDEX_CONSTRAINT_LIKE
#define OP_GLOB SQLITE_INDEX_CONSTRAINT_GLOB
#define OP_LIMIT SQLITE_INDEX_CONSTRAINT_LIMIT
#define OP_OFFSET SQLITE_INDEX_CONSTRAINT_OFFSET

/* Index of the first usable constraint on column iCol with operator op
** (binary collation required for comparisons), or -1. */
static int find_cons(const plan_input *in, int iCol, int op, int wantIn) {
  int i;
  for (i = 0; i < in->ncons; i++) {
    const plan_constraint *c = &in->aCons[i];
    if (!c->usable || c->iColumn != iCol || c->op != op) continue;
    if (op != OP_LIKE && op != OP_GLOB && !c->binary) continue;
    if (wantIn >= 0 && c->is_in != wantIn) continue;
    return i;
  }
  return -1;
}

static int item_bit(const plan_input *in) {
  return in->ncol < 63 ? in->ncol : 63;
}

static int col_used(const plan_input *in, int iCol) {
  return (in->colUsed >> (iCol < 63 ? iCol : 63)) & 1;
}

/* The keys a plan works with: the table's, or one index's. */
typedef struct key_choice {
  int pk, sk, pk_text, sk_text, sk_exact;
  int iIndex;                  /* -1: the table */
} key_choice;

/* Is the ORDER BY exactly the order one Query returns? */
static int order_matches(const plan_input *in, const key_choice *k, int *pDesc) {
  int i, sawSk = 0, desc = 0;
  for (i = 0; i < in->norder; i++) {
    const plan_orderby *o = &in->aOrder[i];
    if (o->iColumn == k->pk) continue; /* constant within one partition */
    if (o->iColumn != k->sk || k->sk < 0) return 0;
    if (sawSk && o->desc != desc) return 0;
    sawSk = 1;
    desc = o->desc;
  }
  *pDesc = desc;
  return 1;
}

/* Does the query keep only rows whose column iCol has a value: is there a
** condition on it that NULL cannot satisfy? Any condition SQLite was given
** counts, usable now or not: every row the query returns satisfies it. */
static int needs_value(const plan_input *in, int iCol) {
  int i;
  for (i = 0; i < in->ncons; i++) {
    const plan_constraint *c = &in->aCons[i];
    if (c->iColumn != iCol) continue;
    switch (c->op) {
      case OP_EQ: case OP_GT: case OP_LE: case OP_LT: case OP_GE: case OP_LIKE: case OP_GLOB:
      case SQLITE_INDEX_CONSTRAINT_MATCH: case SQLITE_INDEX_CONSTRAINT_REGEXP:
      case SQLITE_INDEX_CONSTRAINT_NE: case SQLITE_INDEX_CONSTRAINT_ISNOTNULL:
        return 1;
    }
  }
  return 0;
}

/* The keys to use: the table's when its partition key has an equality
** (or a local index's, when the query constrains its sort key and not the
** table's), else the first index whose partition key has one and that holds
** what the query reads. An index holds only the items that have its key
** attributes: it may serve a query only when every row the query can return
** has them, which the equality says of its partition key, and a condition
** NULL cannot satisfy of its sort key. */
static void choose_keys(const plan_input *in, key_choice *k) {
  int i;
  k->pk = in->pk;
  k->sk = in->sk;
  k->pk_text = in->pk_text;
  k->sk_text = in->sk_text;
  k->sk_exact = in->sk_exact;
  k->iIndex = -1;
  if (find_cons(in, in->pk, OP_EQ, -1) >= 0) {
    /* a local index shares the partition key: worth it when the query
    ** constrains its sort key and not the table's */
    static const int aOp[] = {OP_EQ, OP_GT, OP_GE, OP_LT, OP_LE};
    int j, skCons = 0;
    for (j = 0; j < 5 && in->sk >= 0; j++) skCons |= find_cons(in, in->sk, aOp[j], -1) >= 0;
    for (i = 0; !skCons && i < in->nindex; i++) {
      const plan_index *x = &in->aIndex[i];
      if (x->global || x->pk != in->pk || x->sk < 0) continue;
      for (j = 0; j < 5; j++) {
        if (find_cons(in, x->sk, aOp[j], -1) >= 0) break;
      }
      if (j == 5) continue;
      assert(x->sparse < 0 || needs_value(in, x->sparse));
      k->sk = x->sk;
      k->sk_text = x->sk_text;
      k->sk_exact = x->sk_exact;
      k->iIndex = i;
      return;
    }
    return;
  }
  for (i = 0; i < in->nindex; i++) {
    const plan_index *x = &in->aIndex[i];
    if (find_cons(in, x->pk, OP_EQ, -1) < 0) continue;
    if (x->global && (in->colUsed & ~x->covers) != 0) continue; /* it lacks a column */
    if (x->sparse >= 0 && !needs_value(in, x->sparse)) continue; /* it lacks items */
    k->pk = x->pk;
    k->sk = x->sk;
    k->pk_text = x->pktype == AV_S;
    k->sk_text = x->sk_text;
    k->sk_exact = x->sk_exact;
    k->iIndex = i;
    return;
  }
}

/* May the value of a condition on an S key bring an affinity other than
** none: not known at plan time, or a number (see key_exact)? */
static int any_affinity(const plan_constraint *c) {
  int vt = c->rhs ? sqlite3_value_type(c->rhs) : SQLITE_NULL;
  return !c->rhs || vt == SQLITE_INTEGER || vt == SQLITE_FLOAT;
}

/* Is a key constraint's value compared exactly as the key condition
** compares it, whatever affinity it brings? On B and N keys the affinity is
** always the column's. On an S key a value known at plan time that is text
** (or a blob or NULL) compares as text; a number may be a literal (TEXT
** affinity: its text) or bring NUMERIC affinity (CAST(5 AS INTEGER), a
** column of another table), and a value not known may be either; text that
** no DynamoDB string is (a bound is then dropped) is not exact either. */
static int key_exact(const plan_constraint *c, int text) {
  const char *z;
  int vt;
  if (!text) return 1;
  if (any_affinity(c)) return 0;
  vt = sqlite3_value_type(c->rhs);
  return vt != SQLITE_TEXT || plan_key_text(c->rhs, &z) == 1;
}

/* The columns to read, always last in idxStr: " PROJECT 0,1,4", or
** " PROJECT ALL" when the whole item is read. Column names (which may hold
** anything, " PROJECT " included) only ever come before it. */
static void append_projection(const plan_input *in, int keyless, sqlite3_str *s) {
  int i, first = 1;
  sqlite3_str_appendall(s, " PROJECT ");
  if (col_used(in, item_bit(in))) {
    sqlite3_str_appendall(s, "ALL");
    return;
  }
  for (i = 0; i < in->ncol; i++) {
    /* the key attributes too, unless keyless: SQLite may read the _key
    ** column without reporting it in colUsed (to merge OR branches, to
    ** UPDATE or DELETE) */
    if (!col_used(in, i) && (keyless || (i != in->pk && i != in->sk))) continue;
    sqlite3_str_appendf(s, "%s%d", first ? "" : ",", i);
    first = 0;
  }
  if (first) sqlite3_str_appendf(s, "%d", in->pk); /* something to count */
}

/* The words of a constraint operator, or NULL for LIMIT/OFFSET. */
static const char *op_words(int op) {
  switch (op) {
    case OP_EQ: return "=?";
    case OP_GT: return ">?";
    case OP_LE: return "<=?";
    case OP_LT: return "<?";
    case OP_GE: return ">=?";
    case OP_LIKE: return " LIKE ?";
    case OP_GLOB: return " GLOB ?";
    case SQLITE_INDEX_CONSTRAINT_NE: return "<>?";
    case SQLITE_INDEX_CONSTRAINT_ISNULL: return " IS NULL";
    case SQLITE_INDEX_CONSTRAINT_ISNOTNULL: return " IS NOT NULL";
    case SQLITE_INDEX_CONSTRAINT_IS: return " IS ?";
    case SQLITE_INDEX_CONSTRAINT_ISNOT: return " IS NOT ?";
    case OP_LIMIT: case OP_OFFSET: return 0;
  }
  return " ?";
}

/* A Scan's constraints, which SQLite checks on every item it reads: what
** a user sees in EXPLAIN and in the error when scans are off. */
static void append_checks(const plan_input *in, const plan_usage *u, sqlite3_str *s) {
  int i, n = 0;
  for (i = 0; i < in->ncons; i++) {
    const plan_constraint *c = &in->aCons[i];
    const char *zOp = op_words(c->op), *zCol;
    if (!c->usable || !zOp || c->iColumn < 0 || u[i].omit) continue;
    zCol = c->iColumn < in->ncol ? in->azCol[c->iColumn] : c->iColumn == in->ncol ? "item" : "_key";
    sqlite3_str_appendf(s, "%s%s%s", n++ ? ", " : " (SQLite checks: ", zCol, zOp);
  }
  if (n) sqlite3_str_appendall(s, ")");
}

/* ---- filters: the other conditions, as the FilterExpression ------------ */

/* The FILTER_* a constraint is sent as, or 0 when it stays with SQLite: a
** usable condition on a declared column that is not already in the key
** condition (a Query's filter may not name its keys, the table's or the
** index's), compared with the BINARY collation. */
static int filter_of(const plan_input *in, const key_choice *k, int flags, int i,
                     const plan_usage *u) {
  const plan_constraint *c = &in->aCons[i];
  int op = filter_op_of(c->op, c->is_in);
  if (!in->filter || (flags & PLAN_OP_MASK) == PLAN_GET || !op || !c->usable || u[i].argvIndex) {
    return 0;
  }
  if (c->iColumn < 0 || c->iColumn >= in->ncol) return 0;
  if ((flags & PLAN_OP_MASK) == PLAN_QUERY &&
      (c->iColumn == k->pk || c->iColumn == k->sk || c->iColumn == in->pk || c->iColumn == in->sk)) {
    return 0;
  }
  if (!c->binary && op != FILTER_LIKE && op != FILTER_GLOB && op != FILTER_ISNULL &&
      op != FILTER_NOTNULL) {
    return 0;
  }
  /* an index filters only what it projects (DynamoDB refuses the rest; a
  ** local index reads the rest from the table, after the filter) */
  if (k->iIndex >= 0 &&
      !(in->aIndex[k->iIndex].covers & ((sqlite3_uint64)1 << (c->iColumn < 63 ? c->iColumn : 63)))) {
    return 0;
  }
  /* an IN list SQLite cannot hand over whole (sqlite3_vtab_in tells only
  ** for the first 32 constraints) would be a Scan per value */
  if (op == FILTER_EQ && i >= 32) return 0;
  return op;
}

/* The filter in words: " FILTER model=? AND speed>?" (the constraints
** whose arguments come after the first nBase). */
static void append_filter(const plan_input *in, const plan_usage *u, int nBase, sqlite3_str *s) {
  int i, n = 0;
  for (i = 0; i < in->ncons; i++) {
    const plan_constraint *c = &in->aCons[i];
    if (u[i].argvIndex <= nBase) continue;
    sqlite3_str_appendf(s, "%s%s%s", n++ ? " AND " : " FILTER ", in->azCol[c->iColumn],
                        c->is_in ? " IN (...)" : op_words(c->op));
  }
}

/* Its machine part, after the projection: "/3eq,5GT" (upper case: omitted). */
static void append_filter_codes(const plan_input *in, const plan_usage *u, int nBase,
                                sqlite3_str *s) {
  int i, n = 0;
  for (i = 0; i < in->ncons; i++) {
    const plan_constraint *c = &in->aCons[i];
    const char *z;
    if (u[i].argvIndex <= nBase) continue;
    z = filter_op_code(filter_op_of(c->op, c->is_in));
    sqlite3_str_appendf(s, "%s%d%c%c", n++ ? "," : "/", c->iColumn, u[i].omit ? z[0] - 32 : z[0],
                        u[i].omit ? z[1] - 32 : z[1]);
  }
}

/* The columns that hold one known value in every item the filter keeps:
** pinned by an omitted (exact) equality with a constant, or IS NULL. When
** the query uses no other column the items need not be read, only counted
** (xColumn gives the value back). */
static sqlite3_uint64 pinned_columns(const plan_input *in, const plan_usage *u, int nBase) {
  sqlite3_uint64 pinned = 0;
  int i;
  for (i = 0; i < in->ncons; i++) {
    const plan_constraint *c = &in->aCons[i];
    if (u[i].argvIndex > nBase && u[i].omit && c->iColumn < 63 && !c->is_in &&
        (c->op == OP_EQ || c->op == SQLITE_INDEX_CONSTRAINT_ISNULL)) {
      pinned |= (sqlite3_uint64)1 << c->iColumn;
    }
  }
  return pinned;
}

/* ---- costs: what the plan sends and reads, priced (cost.h) -------------- */

/* Is there an equality on a key that needs another table's row (a join
** could look the rows up instead of reading the table)? */
static int lookup_possible(const plan_input *in) {
  int i, j;
  for (i = 0; i < in->ncons; i++) {
    const plan_constraint *c = &in->aCons[i];
    if (c->usable || c->op != OP_EQ) continue;
    if (c->iColumn == in->pk || c->iColumn == in->ncol + 1) return 1;
    for (j = 0; j < in->nindex; j++) {
      if (c->iColumn == in->aIndex[j].pk) return 1;
    }
  }
  return 0;
}

int plan_read_once_shape(int flags, int iIndex, int all, int nFilter) {
  static const int nOther = PLAN_SK_GT | PLAN_SK_GE | PLAN_SK_LT | PLAN_SK_LE | PLAN_SK_LIKE |
                            PLAN_SK_GLOB | PLAN_DESC | PLAN_LIMIT | PLAN_OFFSET | PLAN_RAMP |
                            PLAN_COUNT;
  if (all || iIndex >= 0 || (flags & nOther)) return 0;
  if ((flags & PLAN_OP_MASK) == PLAN_GET) return 1; /* its sort key's equality is exact */
  return (flags & PLAN_OP_MASK) == PLAN_QUERY && !(flags & PLAN_SK_EQ) && nFilter == 0;
}

/* May this plan's lookups read the table once (above), a table small
** enough? */
static int read_once_shape(const plan_input *in, const key_choice *k, int flags, int nFilter) {
  if (in->readOnce <= 0 || in->nBytes <= 0 || in->nBytes > in->readOnce) return 0;
  return plan_read_once_shape(flags, k->iIndex, col_used(in, item_bit(in)), nFilter);
}

/* The plan's cost and rows from the table's size (or the index's), and
** what it expects in words for EXPLAIN (*pzExpect, sqlite3_malloc()ed, or
** NULL when out of memory: the words go without it). */
static void price(const plan_input *in, const key_choice *k, int flags, int nFilter,
                  plan_output *out, char **pzExpect) {
  sqlite3_int64 nBytes = in->nBytes, nItems = in->nItems;
  int in_list = (flags & PLAN_PK_IN) != 0, wave = !(flags & (PLAN_LIMIT | PLAN_RAMP));
  cost_table t;
  cost_read r;
  sqlite3_str *s = sqlite3_str_new(0);
  if (k->iIndex >= 0 && (in->aIndex[k->iIndex].nBytes > 0 || in->aIndex[k->iIndex].nItems > 0)) {
    nBytes = in->aIndex[k->iIndex].nBytes;
    nItems = in->aIndex[k->iIndex].nItems;
  }
  cost_table_init(&t, nBytes, nItems, in->consistent);
  out->unique = 0;
  switch (flags & PLAN_OP_MASK) {
    case PLAN_GET:
      cost_get(&t, in_list ? COST_IN_VALUES : 1, in_list, &r);
      out->unique = !in_list;
      if (in_list) sqlite3_str_appendf(s, "%d keys a request, side by side", (int)COST_BATCH_KEYS);
      else sqlite3_str_appendall(s, "1 request a key");
      break;
    case PLAN_QUERY: {
      /* the part of a partition its sort-key condition reads */
      double frac = 1, n = in_list ? COST_IN_VALUES : 1;
      if (flags & PLAN_SK_EQ) frac = 1 / cost_partition_items(&t);
      else if (flags & (PLAN_SK_GT | PLAN_SK_GE | PLAN_SK_LT | PLAN_SK_LE)) frac = 0.25;
      if (flags & (PLAN_SK_LIKE | PLAN_SK_GLOB)) frac *= 0.25;
      cost_query(&t, n, frac, wave, &r);
      sqlite3_str_appendf(s, "~%.0f item%s%s, %.0f request%s%s", r.items / n,
                          r.items / n < 1.5 ? "" : "s", in_list ? " a partition" : "", r.pages / n,
                          r.pages == n ? "" : "s",
                          !in_list ? "" : wave ? " each, side by side" : " each, one after another");
      if (k->iIndex >= 0) r.cost += 1; /* the table's own first, at a tie */
      if (nFilter > 0) r.items /= 2; /* read all the same, fewer come back */
      break;
    }
    default: {
      int nSegment = in->segments > 0 ? in->segments
                     : (flags & (PLAN_LIMIT | PLAN_RAMP)) ? 1 : 0;
      cost_scan(&t, nSegment, &r);
      if (lookup_possible(in)) r.cost = cost_scan_in_join(&r, in->hasStats);
      if (!t.known) {
        sqlite3_str_appendall(s, "size not known yet");
      } else {
        sqlite3_str_appendf(s, "%.0f items, %.1f MB: %.0f request%s, %.0f round trip%s deep, "
                            "%.0f read units", t.items, t.bytes / COST_PAGE_BYTES, r.requests,
                            r.requests == 1 ? "" : "s", r.trips, r.trips == 1 ? "" : "s", r.units);
      }
      if (nFilter > 0) r.items /= 4; /* fewer come back */
      break;
    }
  }
  if (read_once_shape(in, k, flags, nFilter) && !in_list) {
    /* the lookups that go out before the one that reads the table */
    cost_read scan;
    cost_table whole;
    double n;
    cost_table_init(&whole, in->nBytes, in->nItems, in->consistent);
    cost_scan(&whole, in->segments, &scan);
    n = ceil(scan.cost / r.cost);
    while (n > 0 && cost_read_once((n - 1) * r.cost, r.cost, scan.cost)) n--;
    while (!cost_read_once(n * r.cost, r.cost, scan.cost)) n++;
    sqlite3_str_appendf(s, "; read once after %.0f lookups", n);
  }
  out->cost = r.cost;
  out->rows = r.items < 1 ? 1 : r.items > 4e18 ? (sqlite3_int64)4e18 : (sqlite3_int64)r.items;
  *pzExpect = sqlite3_str_finish(s);
}

/* The machine part of idxStr: where the last " PROJECT " starts, or NULL. */
static const char *machine_part(const char *idxStr) {
  const char *z = 0, *p = idxStr;
  while (p && (p = strstr(p, " PROJECT ")) != 0) z = p++;
  return z;
}

int plan_best(const plan_input *in, plan_output *out) {
  int iPk, iSkEq = -1, iLo = -1, iHi = -1, iLike = -1, iGlob = -1, iKey;
  int iLimit = -1, iOffset = -1;
  int flags = 0, argc = 0, i, desc = 0, nUsed = 0, nBase, nFilter = 0;
  const char *zPk, *zSk;
  char *zExpect = 0;
  sqlite3_str *s;
  key_choice k;

  choose_keys(in, &k);
  zPk = in->azCol[k.pk];
  zSk = k.sk >= 0 ? in->azCol[k.sk] : "";

  for (i = 0; i < in->ncons; i++) out->aUsage[i] = (plan_usage){0, 0, 0};
  /* LIMIT and OFFSET constraints name no column: find them by operator */
  for (i = 0; i < in->ncons; i++) {
    if (!in->aCons[i].usable) continue;
    if (in->aCons[i].op == OP_LIMIT && iLimit < 0) iLimit = i;
    if (in->aCons[i].op == OP_OFFSET && iOffset < 0) iOffset = i;
  }

  iPk = find_cons(in, k.pk, OP_EQ, 0);
  if (iPk < 0 && (iPk = find_cons(in, k.pk, OP_EQ, 1)) >= 0) flags |= PLAN_PK_IN;
  if (iPk >= 0 && k.sk >= 0) iSkEq = find_cons(in, k.sk, OP_EQ, -1);
  if (iPk >= 0 && k.iIndex < 0 && (in->sk < 0 || (iSkEq >= 0 && k.sk_exact))) {
    flags |= PLAN_GET | (iSkEq >= 0 ? PLAN_SK_EQ : 0);
  } else if ((iKey = find_cons(in, in->ncol + 1, OP_EQ, -1)) >= 0) {
    /* whole keys as the hidden _key column's text: GetItem, or BatchGetItem
    ** for an IN list (the keys' own equalities, when both are there, are
    ** the same GetItem) */
    iPk = iKey;
    iSkEq = -1;
    zPk = "_key";
    flags = PLAN_GET | PLAN_KEY | (in->aCons[iKey].is_in ? PLAN_PK_IN : 0);
  } else if (iPk >= 0) { /* index keys are not unique: never a GetItem */
    flags |= PLAN_QUERY;
    if (k.iIndex >= 0) flags |= (k.iIndex + 1) << PLAN_INDEX_SHIFT;
    if (iSkEq >= 0) {
      /* an equality on an N sort key (a range of keys: plan_key_range), or
      ** on an index's sort key (its keys are not unique) */
      flags |= PLAN_SK_EQ;
    } else if (k.sk >= 0) {
      if ((iLo = find_cons(in, k.sk, OP_GE, -1)) >= 0) flags |= PLAN_SK_GE;
      else if ((iLo = find_cons(in, k.sk, OP_GT, -1)) >= 0) flags |= PLAN_SK_GT;
      if ((iHi = find_cons(in, k.sk, OP_LE, -1)) >= 0) flags |= PLAN_SK_LE;
      else if ((iHi = find_cons(in, k.sk, OP_LT, -1)) >= 0) flags |= PLAN_SK_LT;
      if (k.sk_text) {
        if ((iLike = find_cons(in, k.sk, OP_LIKE, -1)) >= 0) flags |= PLAN_SK_LIKE;
        if ((iGlob = find_cons(in, k.sk, OP_GLOB, -1)) >= 0) flags |= PLAN_SK_GLOB;
      }
    }
  } else {
    iSkEq = -1;
  }

  /* argv order: pk (or _key), sk=, lower, upper, like, glob, limit, offset.
  ** SQLite checks _key again: an item's key text is the one av_key_text()
  ** writes, and a text written otherwise must match no row, as it would in
  ** a native table. The partition key's equality is exact unless an S key
  ** meets a value that may bring another affinity (key_exact): then the
  ** lookup asks for its text and SQLite checks. An IN list handed over
  ** whole must be omitted; SQLite converted its values with the column's
  ** affinity (a subquery's: see README). */
  if (iPk >= 0) {
    const plan_constraint *c = &in->aCons[iPk];
    int omit = !(flags & PLAN_KEY) && (c->is_in || key_exact(c, k.pk_text));
    out->aUsage[iPk] = (plan_usage){++argc, omit, (flags & PLAN_PK_IN) != 0};
    nUsed++;
  }
  if (iSkEq >= 0) {
    int omit = k.sk_exact && key_exact(&in->aCons[iSkEq], k.sk_text);
    out->aUsage[iSkEq] = (plan_usage){++argc, omit, 0};
    nUsed++;
  }
  /* A bound DynamoDB applies exactly as SQLite would need not be checked
  ** again: one bound, or two inclusive ones (BETWEEN), of an S or B key,
  ** whose value compares as the key condition does (key_exact). Exclusive
  ** pairs are sent as BETWEEN and SQLite drops the ends. Beside a pattern a
  ** bound may not be sent at all (one sort key condition: begins_with
  ** wins), so SQLite keeps it. On an S key, a bound whose value may bring
  ** another affinity makes both loose (plan_key_range). */
  {
    int exact = k.sk_exact && iLike < 0 && iGlob < 0 &&
                (iLo < 0 || iHi < 0 ||
                 (flags & (PLAN_SK_GE | PLAN_SK_LE)) == (PLAN_SK_GE | PLAN_SK_LE));
    int loExact = iLo >= 0 && key_exact(&in->aCons[iLo], k.sk_text);
    int hiExact = iHi >= 0 && key_exact(&in->aCons[iHi], k.sk_text);
    if (k.sk_text && ((iLo >= 0 && any_affinity(&in->aCons[iLo])) ||
                      (iHi >= 0 && any_affinity(&in->aCons[iHi])))) {
      flags |= PLAN_SK_LOOSE;
      exact = 0;
    }
    if (iLo >= 0) out->aUsage[iLo] = (plan_usage){++argc, exact && loExact, 0}, nUsed++;
    if (iHi >= 0) out->aUsage[iHi] = (plan_usage){++argc, exact && hiExact, 0}, nUsed++;
  }
  if (iLike >= 0) out->aUsage[iLike] = (plan_usage){++argc, 0, 0}, nUsed++;
  if (iGlob >= 0) out->aUsage[iGlob] = (plan_usage){++argc, 0, 0}, nUsed++;

  /* ORDER BY */
  out->order_consumed = 0;
  if (in->norder == 0) {
    out->order_consumed = 1;
  } else if ((flags & PLAN_OP_MASK) == PLAN_GET && !(flags & PLAN_PK_IN)) {
    out->order_consumed = 1; /* at most one row */
  } else if ((flags & PLAN_OP_MASK) == PLAN_QUERY && !(flags & PLAN_PK_IN) &&
             order_matches(in, &k, &desc)) {
    out->order_consumed = 1;
    if (desc) flags |= PLAN_DESC;
  }

  /* LIMIT/OFFSET size the pages only when every row DynamoDB returns is a
  ** row SQLite keeps, in SQLite's order: all constraints are in the key
  ** condition (no pattern, which is only a prefix) and ORDER BY is ours. */
  if (iLimit >= 0 && out->order_consumed && !(flags & (PLAN_SK_LIKE | PLAN_SK_GLOB)) &&
      (flags & PLAN_OP_MASK) != PLAN_GET) {
    int nOther = 0;
    for (i = 0; i < in->ncons; i++) {
      int op = in->aCons[i].op;
      if (in->aCons[i].usable && op != OP_LIMIT && op != OP_OFFSET) nOther++;
    }
    if (nOther == nUsed) {
      flags |= PLAN_LIMIT;
      out->aUsage[iLimit] = (plan_usage){++argc, 0, 0};
      if (iOffset >= 0) {
        flags |= PLAN_OFFSET;
        out->aUsage[iOffset] = (plan_usage){++argc, 0, 0};
      }
    }
  }
  /* The other conditions go as the filter, their arguments last: SQLite
  ** still checks them unless the filter is exactly its condition. They
  ** are not in nUsed: DynamoDB's Limit counts the items read before the
  ** filter, so it never sizes the pages of a filtered read. */
  nBase = argc;
  for (i = 0; i < in->ncons; i++) {
    int op = filter_of(in, &k, flags, i, out->aUsage);
    if (!op) continue;
    out->aUsage[i] = (plan_usage){++argc, in->aCons[i].exact, op == FILTER_IN};
    nFilter++;
  }

  /* A LIMIT that could not size the pages, or an ORDER BY that one Query
  ** serves (SQLite 3.40 offers no LIMIT next to a BETWEEN): the reader may
  ** stop after a few rows, so do not fetch 1 MB first. */
  if (!(flags & PLAN_LIMIT) && (flags & PLAN_OP_MASK) != PLAN_GET &&
      (iLimit >= 0 || (in->norder > 0 && out->order_consumed))) {
    flags |= PLAN_RAMP;
  }
  /* No constraint at all (LIMIT and OFFSET aside): no OR branches to merge,
  ** so the keys need not be read unless a write runs (xFilter decides) or
  ** the query reads _key itself */
  for (i = 0; i < in->ncons && (in->aCons[i].op == OP_LIMIT || in->aCons[i].op == OP_OFFSET);
       i++) {
  }
  if (i == in->ncons && (flags & PLAN_OP_MASK) == PLAN_SCAN && !col_used(in, in->ncol + 1)) {
    flags |= PLAN_KEYLESS;
    if (in->colUsed == 0) flags |= PLAN_COUNT;
  }
  /* Nor a filtered Scan, unless the query reads _key: SQLite merges OR
  ** branches only when they cost less than one Scan of the table, and a
  ** Scan costs the same with conditions or without (whereLoopAddOr adds a
  ** penalty so that an OR holding a full scan never wins). */
  if (nFilter > 0 && (flags & PLAN_OP_MASK) == PLAN_SCAN && !col_used(in, in->ncol + 1)) {
    flags |= PLAN_KEYLESS;
    /* count(*) WHERE c = 'x' */
    if ((in->colUsed & ~pinned_columns(in, out->aUsage, nBase)) == 0) flags |= PLAN_COUNT;
  }
  /* A Query that only counts: every item it reads has the partition key it
  ** asked for (xColumn gives it back, from the request), and the columns
  ** the filter pins; nothing else is used, not _key (but SQLite may read
  ** _key without saying so, to merge OR branches or to write: read.c then
  ** reads the items after all). */
  if ((flags & PLAN_OP_MASK) == PLAN_QUERY && !col_used(in, in->ncol + 1) &&
      !col_used(in, item_bit(in)) && k.pk < 63 &&
      (in->colUsed & ~(pinned_columns(in, out->aUsage, nBase) | ((sqlite3_uint64)1 << k.pk))) == 0) {
    flags |= PLAN_COUNT;
  }

  price(in, &k, flags, nFilter, out, &zExpect);

  /* idxStr: the plan in words, then the projection */
  s = sqlite3_str_new(0);
  switch (flags & PLAN_OP_MASK) {
    case PLAN_GET:
      sqlite3_str_appendall(s, (flags & PLAN_KEY) && (flags & PLAN_PK_IN) ? "BatchGetItem" : "GetItem");
      break;
    case PLAN_QUERY:
      sqlite3_str_appendall(s, "Query");
      if (k.iIndex >= 0) sqlite3_str_appendf(s, " INDEX %s", in->aIndex[k.iIndex].zName);
      break;
    default:
      sqlite3_str_appendall(s, "Scan");
      append_filter(in, out->aUsage, nBase, s);
      append_checks(in, out->aUsage, s);
      break;
  }
  if (iPk >= 0) {
    sqlite3_str_appendf(s, (flags & PLAN_PK_IN) ? " %s IN (...)" : " %s=?", zPk);
  }
  if (iSkEq >= 0) sqlite3_str_appendf(s, " %s=?", zSk);
  if (iLo >= 0 && iHi >= 0) {
    sqlite3_str_appendf(s, " %s BETWEEN ? AND ?", zSk);
  } else if (iLo >= 0) {
    sqlite3_str_appendf(s, " %s%s?", zSk, (flags & PLAN_SK_GE) ? ">=" : ">");
  } else if (iHi >= 0) {
    sqlite3_str_appendf(s, " %s%s?", zSk, (flags & PLAN_SK_LE) ? "<=" : "<");
  }
  if (iLike >= 0) sqlite3_str_appendf(s, " %s LIKE ?", zSk);
  if (iGlob >= 0) sqlite3_str_appendf(s, " %s GLOB ?", zSk);
  if ((flags & PLAN_OP_MASK) == PLAN_QUERY) append_filter(in, out->aUsage, nBase, s);
  if (flags & PLAN_DESC) sqlite3_str_appendall(s, " DESC");
  if (flags & PLAN_LIMIT) sqlite3_str_appendall(s, " LIMIT");
  if (flags & PLAN_OFFSET) sqlite3_str_appendall(s, " OFFSET");
  if (flags & PLAN_RAMP) sqlite3_str_appendall(s, " RAMP");
  if (flags & PLAN_COUNT) sqlite3_str_appendall(s, " COUNT");
  if (zExpect) sqlite3_str_appendf(s, " (expect: %s)", zExpect);
  sqlite3_free(zExpect);
  append_projection(in, (flags & PLAN_KEYLESS) != 0, s);
  append_filter_codes(in, out->aUsage, nBase, s);
  out->idxNum = flags;
  out->idxStr = sqlite3_str_finish(s);
  /* plan_decode finds the machine part as the last " PROJECT " */
  assert(!out->idxStr || !strchr(machine_part(out->idxStr) + 9, ' '));
  assert(argc <= in->ncons);
  return out->idxStr ? SQLITE_OK : SQLITE_NOMEM;
}

/* " PROJECT ALL" or " PROJECT i,j,...": each 0 <= i < ncol, then nothing
** or the filter's part. */
static int decode_projection(const char *z, int ncol, plan_args *p) {
  z += 9; /* " PROJECT " */
  if (strncmp(z, "ALL", 3) == 0 && (z[3] == 0 || z[3] == '/')) {
    p->all = 1;
    return SQLITE_OK;
  }
  if (!(p->aCol = sqlite3_malloc64(sizeof(int) * (strlen(z) / 2 + 1)))) return SQLITE_NOMEM;
  for (;;) {
    sqlite3_int64 i = 0;
    const char *zStart = z;
    while (*z >= '0' && *z <= '9' && i < ncol) i = i * 10 + (*z++ - '0');
    if (z == zStart || i >= ncol) return SQLITE_ERROR;
    p->aCol[p->nCol++] = (int)i;
    if (*z == 0 || *z == '/') return SQLITE_OK;
    if (*z++ != ',') return SQLITE_ERROR;
  }
}

/* The filter's part: "/3eq,5GT": each 0 <= column < ncol, a known code. */
static int decode_filters(const char *z, int ncol, plan_args *p) {
  if (!(z = strchr(z, '/'))) return SQLITE_OK;
  z++;
  if (!(p->aFilter = sqlite3_malloc64(sizeof(plan_filter) * (strlen(z) / 3 + 1)))) return SQLITE_NOMEM;
  for (;;) {
    plan_filter *f = &p->aFilter[p->nFilter];
    sqlite3_int64 i = 0;
    const char *zStart = z;
    char code[2];
    while (*z >= '0' && *z <= '9' && i < ncol) i = i * 10 + (*z++ - '0');
    if (z == zStart || i >= ncol || !z[0] || !z[1]) return SQLITE_ERROR;
    f->exact = z[0] >= 'A' && z[0] <= 'Z';
    if (f->exact != (z[1] >= 'A' && z[1] <= 'Z')) return SQLITE_ERROR;
    code[0] = (char)(z[0] | 0x20);
    code[1] = (char)(z[1] | 0x20);
    if (!(f->op = filter_op_from_code(code))) return SQLITE_ERROR;
    f->iCol = (int)i;
    p->nFilter++;
    z += 2;
    if (*z == 0) return SQLITE_OK;
    if (*z++ != ',') return SQLITE_ERROR;
  }
}

int plan_decode(int idxNum, const char *idxStr, int argc, sqlite3_value **argv, int ncol,
                plan_args *p) {
  const char *zMachine = machine_part(idxStr);
  int n = 0, rc, i;
  memset(p, 0, sizeof(*p));
  p->flags = idxNum;
  p->op = idxNum & PLAN_OP_MASK;
  p->iIndex = PLAN_INDEX_OF(idxNum);
  if (!zMachine || p->op == PLAN_OP_MASK) return SQLITE_ERROR;
  if (strchr(zMachine + 9, ' ')) return SQLITE_ERROR;
  p->nWords = (int)(zMachine - idxStr);
  if ((rc = decode_projection(zMachine, ncol, p)) != SQLITE_OK) goto fail;
  if ((rc = decode_filters(zMachine, ncol, p)) != SQLITE_OK) goto fail;
  /* the arguments, in plan_best's order */
#define TAKE(slot, cond)        \
  if (cond) {                   \
    if (n == argc) goto broken; \
    p->slot = argv[n++];        \
  }
  TAKE(key, idxNum & PLAN_KEY)
  TAKE(pk, p->op != PLAN_SCAN && !(idxNum & PLAN_KEY))
  TAKE(skEq, idxNum & PLAN_SK_EQ)
  TAKE(lo, idxNum & (PLAN_SK_GT | PLAN_SK_GE))
  TAKE(hi, idxNum & (PLAN_SK_LT | PLAN_SK_LE))
  TAKE(like, idxNum & PLAN_SK_LIKE)
  TAKE(glob, idxNum & PLAN_SK_GLOB)
  TAKE(limit, idxNum & PLAN_LIMIT)
  TAKE(offset, idxNum & PLAN_OFFSET)
#undef TAKE
  for (i = 0; i < p->nFilter; i++) { /* the filter's, last */
    if (n == argc) goto broken;
    p->aFilter[i].value = argv[n++];
  }
  if (n == argc) return SQLITE_OK;
broken:
  rc = SQLITE_ERROR;
fail:
  plan_args_clear(p);
  return rc;
}

void plan_args_clear(plan_args *p) {
  sqlite3_free(p->aCol);
  sqlite3_free(p->aFilter);
  memset(p, 0, sizeof(*p));
}
