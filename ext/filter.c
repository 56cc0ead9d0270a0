/*
** filter.c: conditions that are not on a key, as a FilterExpression (see
** filter.h and ARCHITECTURE.md, "Filters").
**
** A condition is first worked out into a rule, type by type (DynamoDB
** compares only within one type): every item of a type kept (ALL), none
** (nothing), or those a comparison of the same type selects (a cond). The
** rule is a superset of what SQLite keeps; it is exact when it is SQLite's
** set for every item. Then the rule is written out:
**
**   model = 'Pixel 3'        #n1 = :v1
**   speed > 30               (#n2 >= :v2 OR (attribute_exists(#n2) AND NOT
**                            attribute_type(#n2, :v3) AND ...))
**
** How SQLite compares (sqlite3 3.40, vdbe.c OP_Lt and expr.c
** sqlite3CompareAffinity): the comparison's affinity is applied to both
** sides. It is the column's when the right-hand side has none (a literal, a
** parameter, an expression); when it is a column of another table with an
** affinity of its own it may be NUMERIC (the other is numeric) or none
** (both TEXT or BLOB). Numeric affinity turns text that looks like a number
** into one; TEXT affinity turns numbers into their text (%!.15g for REAL).
** So each condition is worked out for every affinity it may be compared
** with (interp below) and the rule is their union: exact only when they
** all agree. A right-hand side with NUMERIC affinity holds a number, or
** text that does not look like one ('1a': the column could not convert
** it), which then meets the item's value made numeric.
*/
#include "filter.h"
#include "attrval.h"
#include "number.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

/* ---- operators and affinities -------------------------------------------- */

int filter_affinity(const char *zType) {
  switch (av_sql_affinity(zType)) {
    case AV_AFF_BLOB: return FILTER_AFF_BLOB;
    case AV_AFF_TEXT: return FILTER_AFF_TEXT;
  }
  return FILTER_AFF_NUMERIC; /* INTEGER, REAL and NUMERIC compare alike */
}

int filter_op_of(int iSqliteOp, int isIn) {
  switch (iSqliteOp) {
    case SQLITE_INDEX_CONSTRAINT_EQ: return isIn ? FILTER_IN : FILTER_EQ;
    case SQLITE_INDEX_CONSTRAINT_NE: return FILTER_NE;
    case SQLITE_INDEX_CONSTRAINT_LT: return FILTER_LT;
    case SQLITE_INDEX_CONSTRAINT_LE: return FILTER_LE;
    case SQLITE_INDEX_CONSTRAINT_GT: return FILTER_GT;
    case SQLITE_INDEX_CONSTRAINT_GE: return FILTER_GE;
    case SQLITE_INDEX_CONSTRAINT_ISNULL: return FILTER_ISNULL;
    case SQLITE_INDEX_CONSTRAINT_ISNOTNULL: return FILTER_NOTNULL;
    case SQLITE_INDEX_CONSTRAINT_LIKE: return FILTER_LIKE;
    case SQLITE_INDEX_CONSTRAINT_GLOB: return FILTER_GLOB;
  }
  return 0;
}

static const char *const azCode[FILTER_NOP] = {"", "eq", "ne", "lt", "le", "gt", "ge",
                                               "in", "nl", "nn", "lk", "gb"};

const char *filter_op_code(int op) {
  assert(op > 0 && op < FILTER_NOP);
  return azCode[op];
}

int filter_op_from_code(const char *z) {
  int op;
  for (op = 1; op < FILTER_NOP; op++) {
    if (z[0] == azCode[op][0] && z[0] && z[1] == azCode[op][1]) return op;
  }
  return 0;
}

/* ---- rules ---------------------------------------------------------------- */

/* Types are av_type's (attrval.h); AV_NULL also stands for the items that
** lack the attribute: SQLite reads both as NULL. */
#define TYPE_BIT(t) (1u << (t))
#define ALL_TYPES ((1u << AV_NTYPE) - 1)

enum { C_CMP, C_RANGE, C_PREFIX, C_CONTAINS };

/* Items of one type that a comparison of that type selects. */
typedef struct fcond {
  int kind;       /* C_* */
  int op;         /* C_CMP: FILTER_EQ ... FILTER_GE */
  cJSON *a, *b;   /* the values (C_RANGE: lower, upper; either NULL: none) */
} fcond;

typedef struct frule {
  unsigned all;   /* TYPE_BIT(t): every item of type t is kept */
  unsigned bools; /* BOOL items kept: 1 false, 2 true */
  int numlike;    /* S items that may read as a number (begin below ':') */
  int inexact;    /* SQLite drops some item kept here */
  int oom;
  int ncond;
  fcond *acond;
} frule;

static void rule_clear(frule *r) {
  int i;
  for (i = 0; i < r->ncond; i++) {
    cJSON_Delete(r->acond[i].a);
    cJSON_Delete(r->acond[i].b);
  }
  sqlite3_free(r->acond);
  memset(r, 0, sizeof(*r));
}

static int cond_same(const fcond *x, const fcond *y) {
  return x->kind == y->kind && x->op == y->op && !x->a == !y->a && !x->b == !y->b &&
         (!x->a || av_equal(x->a, y->a)) && (!x->b || av_equal(x->b, y->b)) &&
         (!x->a || av_type_of(x->a) == av_type_of(y->a)) && (!x->b || av_type_of(x->b) == av_type_of(y->b));
}

/* Add a cond (its values are taken over), unless it is there already. A
** cond without its value (av_new() out of memory) is r->oom: left out, the
** rule would keep fewer items than SQLite. */
static void rule_cond(frule *r, int kind, int op, cJSON *a, cJSON *b) {
  fcond c = {kind, op, a, b}, *p;
  int i;
  if (kind == C_RANGE ? !a && !b : !a) {
    r->oom = 1;
    cJSON_Delete(a);
    cJSON_Delete(b);
    return;
  }
  for (i = 0; i < r->ncond; i++) {
    if (cond_same(&r->acond[i], &c)) break;
  }
  if (i < r->ncond || !(p = sqlite3_realloc64(r->acond, sizeof(fcond) * (r->ncond + 1)))) {
    r->oom |= i == r->ncond;
    cJSON_Delete(a);
    cJSON_Delete(b);
    return;
  }
  r->acond = p;
  r->acond[r->ncond++] = c;
}

/* Move src's items into dst (src is left empty). */
static void rule_union(frule *dst, frule *src) {
  int i;
  dst->all |= src->all;
  dst->bools |= src->bools;
  dst->numlike |= src->numlike;
  dst->inexact |= src->inexact;
  dst->oom |= src->oom;
  for (i = 0; i < src->ncond; i++) rule_cond(dst, src->acond[i].kind, src->acond[i].op, src->acond[i].a, src->acond[i].b);
  sqlite3_free(src->acond);
  memset(src, 0, sizeof(*src));
}

/* Do two rules keep the same items? (The same parts, in any order.) */
static int rule_same(const frule *x, const frule *y) {
  int i, j;
  if (x->all != y->all || x->bools != y->bools || x->numlike != y->numlike || x->ncond != y->ncond) return 0;
  for (i = 0; i < x->ncond; i++) {
    for (j = 0; j < y->ncond && !cond_same(&x->acond[i], &y->acond[j]); j++) {
    }
    if (j == y->ncond) return 0;
  }
  return 1;
}

static void keep_all(frule *r, int t, int exact) {
  r->all |= TYPE_BIT(t);
  if (!exact) r->inexact = 1;
}

static cJSON *av_new(int t, const char *z) {
  cJSON *av = cJSON_CreateObject();
  if (av && !cJSON_AddStringToObject(av, av_type_names[t], z)) {
    cJSON_Delete(av);
    av = 0;
  }
  return av;
}

/* ---- values as SQLite compares them ---------------------------------------- */

/* Storage classes in SQLite's order. */
enum { R_NULL, R_NUM, R_TEXT, R_BLOB };

static int rank_of(int type) {
  switch (type) {
    case SQLITE_INTEGER: case SQLITE_FLOAT: return R_NUM;
    case SQLITE_TEXT: return R_TEXT;
    case SQLITE_BLOB: return R_BLOB;
  }
  return R_NULL;
}

/* A value taken apart (pointing into its sqlite3_value). */
typedef struct sval {
  int rank;
  int isInt;
  sqlite3_int64 i;
  double r;
  const char *z; /* R_TEXT, R_BLOB */
  int n;
} sval;

static void sval_of(sqlite3_value *v, sval *x) {
  int t = sqlite3_value_type(v);
  memset(x, 0, sizeof(*x));
  x->rank = rank_of(t);
  if (t == SQLITE_INTEGER) {
    x->isInt = 1;
    x->i = sqlite3_value_int64(v);
    x->r = (double)x->i;
  } else if (t == SQLITE_FLOAT) {
    x->r = sqlite3_value_double(v);
  } else if (t == SQLITE_TEXT) {
    x->z = (const char *)sqlite3_value_text(v);
    x->n = sqlite3_value_bytes(v);
  } else if (t == SQLITE_BLOB) {
    x->z = (const char *)sqlite3_value_blob(v);
    x->n = sqlite3_value_bytes(v);
  }
  if (!x->z) x->z = "";
}

/* sqlite3MemCompare for two non-NULL values: <0, 0, >0. */
static int sval_cmp(const sval *a, const sval *b) {
  if (a->rank != b->rank) return a->rank < b->rank ? -1 : 1;
  if (a->rank == R_NUM) {
    if (a->isInt && b->isInt) return a->i < b->i ? -1 : a->i > b->i;
    return a->r < b->r ? -1 : a->r > b->r; /* BOOL's 0 and 1 are exact doubles */
  } else {
    int c = memcmp(a->z, b->z, a->n < b->n ? a->n : b->n);
    return c ? c : a->n - b->n;
  }
}

/* Does "item op value" hold, given how the item compares (<0, 0, >0)? */
static int op_holds(int op, int c) {
  switch (op) {
    case FILTER_EQ: return c == 0;
    case FILTER_NE: return c != 0;
    case FILTER_LT: return c < 0;
    case FILTER_LE: return c <= 0;
    case FILTER_GT: return c > 0;
    case FILTER_GE: return c >= 0;
  }
  return 0;
}

/* Every item of type t compares below (c < 0) or above (c > 0) the value:
** all of them or none. */
static void by_class(frule *r, int t, int op, int c) {
  if (op_holds(op, c)) keep_all(r, t, 1);
}

/* Could text z[0..n) be how SQLite shows a number (an INTEGER, a REAL as
** %!.15g, an exact decimal)? */
static int number_like(const char *z, int n) {
  num_dec d;
  return num_parse(z, n, &d) != NUM_SYNTAX;
}

/* Text that can go into a request as S: UTF-8, no NUL. */
static int sendable(const char *z, int n) {
  return (int)strlen(z) == n && av_utf8_valid(z, n);
}

/* ---- N items compared with a number --------------------------------------- */

/* The widening of a bound: SQLite reads N values beyond a double's
** precision through sqlite3AtoF, which may be a unit in the last place off;
** two units each way keep every item it may read as on the right side. */
#define WIDEN_ULPS 2

enum { B_NONE, B_ALL, B_VALUE };

/* The N bound for "N >= d" (upper 0) or "N <= d" (upper 1), as a superset
** within DynamoDB's range: B_ALL when every N is on the right side, B_NONE
** when none is, else B_VALUE with *pAv. */
static int n_bound(double d, int upper, cJSON **pAv) {
  char buf[NUM_BUF];
  int n;
  *pAv = 0;
  if (isnan(d)) return B_NONE;
  if (fabs(d) >= 1e126) return (d > 0) == upper ? B_ALL : B_NONE;
  if (fabs(d) < 1e-130) d = 0; /* no N lies strictly between 0 and +-1E-130 */
  if (num_from_double(d, buf, &n) != NUM_OK) return B_ALL;
  *pAv = av_new(AV_N, buf);
  return B_VALUE;
}

/* The next double up or down (nextafter, without libm). */
static double step(double d, int up) {
  uint64_t u;
  if (isnan(d) || isinf(d)) return d;
  if (d == 0) return up ? 4.9e-324 : -4.9e-324;
  memcpy(&u, &d, sizeof(u));
  if ((d > 0) == (up != 0)) u++; /* away from zero */
  else u--;                      /* towards it */
  memcpy(&d, &u, sizeof(d));
  return d;
}

static double widen(double d, int up) {
  int i;
  for (i = 0; i < WIDEN_ULPS; i++) d = step(d, up);
  return d;
}

/* N items that SQLite may find "op x" when it reads them as numbers (x a
** number): a range widened around x; NE keeps all but x itself. */
static void n_window(frule *r, int op, const sval *x) {
  cJSON *lo = 0, *hi = 0;
  int klo = B_ALL, khi = B_ALL;
  r->inexact = 1;
  if (op == FILTER_NE) {
    char buf[NUM_BUF];
    int n;
    if (x->isInt) sqlite3_snprintf(sizeof(buf), buf, "%lld", (long long)x->i);
    else if (num_from_double(x->r, buf, &n) != NUM_OK) buf[0] = 0;
    if (!buf[0]) {
      keep_all(r, AV_N, 0); /* beyond DynamoDB's numbers: no N is equal */
    } else {
      rule_cond(r, C_CMP, FILTER_NE, av_new(AV_N, buf), 0);
    }
    return;
  }
  if (op != FILTER_LT && op != FILTER_LE) klo = n_bound(widen(x->r, 0), 0, &lo);
  if (op != FILTER_GT && op != FILTER_GE) khi = n_bound(widen(x->r, 1), 1, &hi);
  if (klo == B_NONE || khi == B_NONE) {
    cJSON_Delete(lo);
    cJSON_Delete(hi);
  } else if (klo == B_ALL && khi == B_ALL) {
    keep_all(r, AV_N, 0);
  } else {
    if ((klo == B_VALUE && !lo) || (khi == B_VALUE && !hi)) r->oom = 1;
    rule_cond(r, C_RANGE, 0, lo, hi);
  }
}

/* With no affinity, N items read as numbers are never equal to text x;
** those read as TEXT (an exact decimal) are when x is their text. */
static void n_text_equal(frule *r, int op, const sval *x) {
  num_dec d;
  num_sql q;
  if (num_parse(x->z, x->n, &d) == NUM_OK && (num_to_sql(&d, &q), q.type == SQLITE_TEXT) &&
      q.ntext == x->n && memcmp(q.text, x->z, x->n) == 0) {
    rule_cond(r, C_CMP, op, av_new(AV_N, q.text), 0);
  } else if (op == FILTER_NE) {
    keep_all(r, AV_N, 1);
  }
}

/* ---- comparisons, one interpretation at a time ---------------------------- */

/* The affinity a comparison is made with. */
enum { I_NONE, I_TEXT, I_NUM };

/* The rule of "column op x" for the items of every type, when the
** comparison's affinity is I (x is the value with it applied). */
static void compare_rule(int I, int readText, int op, const sval *x, frule *r) {
  static const char acOpen[AV_NTYPE] = {0, 0, 0, 0, 0, '[', '[', '[', '[', '{'};
  int t, b, c0 = x->n > 0 ? (unsigned char)x->z[0] : -1;
  /* a column that reads N and BOOL as text compares them as text when no
  ** affinity converts them: as TEXT affinity would, but a number x stays
  ** below every text */
  int In = readText && I == I_NONE && x->rank != R_NUM ? I_TEXT : I;

  /* S: TEXT; with numeric affinity, text that looks like a number is one */
  if (x->rank == R_NUM) {
    if (I != I_NUM) by_class(r, AV_S, op, 1);
    else if (op_holds(op, 1)) keep_all(r, AV_S, 0);
    else r->numlike = r->inexact = 1; /* those may be numbers op x */
  } else if (x->rank == R_BLOB) {
    by_class(r, AV_S, op, -1);
  } else if (!sendable(x->z, x->n)) {
    keep_all(r, AV_S, 0);
  } else {
    rule_cond(r, C_CMP, op, av_new(AV_S, x->z), 0);
    /* numeric affinity and text x: strings that read as numbers are below
    ** x; they all begin below ':', so when x does too they differ */
    if (I == I_NUM && c0 < ':' && (op == FILTER_LT || op == FILTER_LE)) r->numlike = r->inexact = 1;
    if (I == I_NUM && c0 < ':' && (op == FILTER_GT || op == FILTER_GE)) r->inexact = 1;
  }

  /* N: a number (one beyond a double's precision read as TEXT and, with
  ** numeric affinity, turned into the nearest double); with TEXT affinity
  ** its text, which begins with '-' or a digit */
  if (x->rank == R_NUM && readText && I == I_NONE) {
    by_class(r, AV_N, op, 1); /* read as text: above any number */
  } else if (x->rank == R_NUM) {
    if (I == I_NONE && (op == FILTER_GT || op == FILTER_GE || op == FILTER_NE)) {
      keep_all(r, AV_N, 0); /* those read as TEXT are above any number */
    } else {
      n_window(r, op, x);
    }
  } else if (x->rank == R_BLOB) {
    by_class(r, AV_N, op, -1);
  } else if (In == I_NUM) {
    by_class(r, AV_N, op, -1);
  } else if (In == I_NONE && (op == FILTER_EQ || op == FILTER_NE)) {
    n_text_equal(r, op, x);
  } else if (op == FILTER_EQ) {
    if (number_like(x->z, x->n)) keep_all(r, AV_N, 0);
  } else if (op == FILTER_NE) {
    keep_all(r, AV_N, !number_like(x->z, x->n)); /* no text of a number equals x */
  } else if (In == I_NONE) { /* numbers are below text; those read as TEXT compare */
    if (c0 > '9') by_class(r, AV_N, op, -1);
    else keep_all(r, AV_N, 0);
  } else if (c0 > '9') {
    by_class(r, AV_N, op, -1);
  } else if (c0 < '-') {
    by_class(r, AV_N, op, 1);
  } else {
    keep_all(r, AV_N, 0);
  }

  /* B: BLOB, above numbers and text */
  if (x->rank == R_BLOB) {
    char *z = av_base64_encode((const unsigned char *)x->z, x->n);
    if (!z) r->oom = 1;
    else rule_cond(r, C_CMP, op, av_new(AV_B, z), 0);
    sqlite3_free(z);
  } else {
    by_class(r, AV_B, op, 1);
  }

  /* BOOL: 0 or 1 (with TEXT affinity, or read as text, '0' or '1'), worked out */
  for (b = 0; b < 2; b++) {
    sval v;
    memset(&v, 0, sizeof(v));
    if (I == I_TEXT || (readText && I == I_NONE)) {
      v.rank = R_TEXT;
      v.z = b ? "1" : "0";
      v.n = 1;
    } else {
      v.rank = R_NUM;
      v.isInt = 1;
      v.i = b;
      v.r = b;
    }
    if (op_holds(op, sval_cmp(&v, x))) r->bools |= 1u << b;
  }

  /* NULL and missing: a comparison with NULL is never true */

  /* SS, NS, BS, L, M: TEXT holding JSON, which begins with '[' or '{' */
  for (t = AV_SS; t <= AV_M; t++) {
    if (x->rank == R_NUM) {
      by_class(r, t, op, 1);
    } else if (x->rank == R_BLOB) {
      by_class(r, t, op, -1);
    } else if (op == FILTER_EQ) {
      if (c0 == acOpen[t]) keep_all(r, t, 0);
    } else if (c0 < 0 || acOpen[t] > c0) {
      by_class(r, t, op, 1);
    } else if (acOpen[t] < c0) {
      by_class(r, t, op, -1);
    } else {
      keep_all(r, t, 0);
    }
  }
}

/* Would NUMERIC affinity turn this text into a number? Then no column of
** that affinity holds it as text. Out of memory: no (the wider answer). */
static int numeric_text(sqlite3_value *v) {
  sqlite3_value *d = sqlite3_value_dup(v);
  int isNum = d && sqlite3_value_numeric_type(d) != SQLITE_TEXT;
  sqlite3_value_free(d);
  return isNum;
}

/* "column op v" (op FILTER_EQ ... FILTER_GE) with a column of affinity aff:
** the union of the rules of every affinity the comparison may have. */
static void compare(int aff, int op, sqlite3_value *v, frule *r) {
  int aI[3], nI = 0, i, vt = sqlite3_value_type(v), readText = (aff & FILTER_TEXT_READ) != 0;
  aff &= ~FILTER_TEXT_READ;
  if (vt == SQLITE_NULL) return; /* never true: no item */
  if (aff == FILTER_AFF_NUMERIC) {
    aI[nI++] = I_NUM;
  } else {
    if (aff == FILTER_AFF_TEXT) aI[nI++] = I_TEXT;
    aI[nI++] = I_NONE; /* the other side is a TEXT or BLOB column */
    if (vt == SQLITE_INTEGER || vt == SQLITE_FLOAT || (vt == SQLITE_TEXT && !numeric_text(v))) {
      aI[nI++] = I_NUM; /* a numeric column: a number, or text it could not convert */
    }
  }
  for (i = 0; i < nI; i++) {
    sqlite3_value *d = sqlite3_value_dup(v);
    frule ri;
    sval x;
    memset(&ri, 0, sizeof(ri));
    if (!d) {
      r->oom = 1;
      return;
    }
    if (aI[i] == I_NUM) sqlite3_value_numeric_type(d);
    sval_of(d, &x);
    if (aI[i] == I_TEXT && x.rank == R_NUM) { /* TEXT affinity: as text */
      x.rank = R_TEXT;
      x.z = (const char *)sqlite3_value_text(d);
      x.n = sqlite3_value_bytes(d);
      if (!x.z) r->oom = 1, x.z = "";
    }
    compare_rule(aI[i], readText, op, &x, &ri);
    if (i > 0 && !rule_same(r, &ri)) r->inexact = 1; /* SQLite keeps one of them */
    rule_union(r, &ri);
    sqlite3_value_free(d);
  }
}

/* ---- LIKE and GLOB ----------------------------------------------------------- */

/* A character a LIKE (letters fold, wildcards % _, bytes of other
** characters that ICU may fold) or a GLOB (wildcards * ? and classes)
** pattern does not match as itself. */
static int pattern_special(unsigned char c, int isGlob) {
  if (isGlob) return c == '*' || c == '?' || c == '[';
  return c == '%' || c == '_' || c >= 0x80 || isalpha(c);
}

char *filter_pattern_prefix(const char *zPattern, int isGlob) {
  int n = 0;
  if (!zPattern) return 0;
  while (zPattern[n] && !pattern_special((unsigned char)zPattern[n], isGlob)) n++;
  if (n == 0) return 0;
  return sqlite3_mprintf("%.*s", n, zPattern);
}

/* The literal middle of a pattern "%x%" (LIKE, x without letters: LIKE
** folds them) or "*x*" (GLOB): sqlite3_malloc()ed, or NULL. */
static char *pattern_middle(const char *z, int isGlob) {
  int n = (int)strlen(z), i;
  char w = isGlob ? '*' : '%';
  if (n < 3 || z[0] != w || z[n - 1] != w) return 0;
  for (i = 1; i < n - 1; i++) {
    if (pattern_special((unsigned char)z[i], isGlob)) return 0;
  }
  return sqlite3_mprintf("%.*s", n - 2, z + 1);
}

/* "column LIKE/GLOB v": functions of the text SQLite shows (no affinity);
** a literal prefix is begins_with for S, a "*x*" middle contains. */
static void pattern(int aff, int isGlob, sqlite3_value *v, frule *r) {
  sqlite3_value *d = sqlite3_value_dup(v);
  const char *z, *zBoth = "0123456789-+.eE";
  char *zPre = 0, *zMid = 0;
  int t;
  if (!d) {
    r->oom = 1;
    return;
  }
  if (sqlite3_value_type(d) == SQLITE_NULL || !(z = (const char *)sqlite3_value_text(d))) {
    sqlite3_value_free(d); /* NULL: never true */
    return;
  }
  zPre = filter_pattern_prefix(z, isGlob);
  if (!zPre) zMid = pattern_middle(z, isGlob);
  r->inexact = 1; /* B items are kept whole: never exact */
  if (zPre && sendable(zPre, (int)strlen(zPre))) {
    rule_cond(r, C_PREFIX, 0, av_new(AV_S, zPre), 0);
  } else if (zMid && sendable(zMid, (int)strlen(zMid))) {
    rule_cond(r, C_CONTAINS, 0, av_new(AV_S, zMid), 0);
  } else {
    keep_all(r, AV_S, 0);
  }
  /* should S values that look like numbers read as numbers (numeric
  ** affinity), their text is SQLite's, not DynamoDB's */
  if ((aff & ~FILTER_TEXT_READ) == FILTER_AFF_NUMERIC) r->numlike = 1;
  /* N: '-' or a digit first; its text holds digits, - + . e E */
  if (zPre) {
    if (zPre[0] == '-' || (zPre[0] >= '0' && zPre[0] <= '9')) keep_all(r, AV_N, 0);
  } else if (zMid) {
    if (strspn(zMid, zBoth) == strlen(zMid)) keep_all(r, AV_N, 0);
  } else {
    keep_all(r, AV_N, 0);
  }
  /* BOOL: '0' or '1' */
  if (zPre || zMid) {
    const char *zLit = zPre ? zPre : zMid;
    if (strcmp(zLit, "0") == 0) r->bools |= 1;
    if (strcmp(zLit, "1") == 0) r->bools |= 2;
  } else {
    keep_all(r, AV_BOOL, 0);
  }
  keep_all(r, AV_B, 0); /* its bytes, whatever they are */
  /* JSON: '[' or '{' first */
  for (t = AV_SS; t <= AV_M; t++) {
    if (!zPre || zPre[0] == (t == AV_M ? '{' : '[')) keep_all(r, t, 0);
  }
  sqlite3_free(zPre);
  sqlite3_free(zMid);
  sqlite3_value_free(d);
}

/* The rule of one condition. */
static void analyze(int aff, int op, int nv, sqlite3_value **av, frule *r) {
  int i;
  memset(r, 0, sizeof(*r));
  switch (op) {
    case FILTER_ISNULL:
      keep_all(r, AV_NULL, 1);
      return;
    case FILTER_NOTNULL:
      r->all = ALL_TYPES & ~TYPE_BIT(AV_NULL);
      return;
    case FILTER_LIKE: case FILTER_GLOB:
      if (nv == 1) pattern(aff, op == FILTER_GLOB, av[0], r);
      else r->all = ALL_TYPES;
      return;
    case FILTER_IN:
      if (nv > FILTER_MAX_IN) break; /* too long for one request */
      for (i = 0; i < nv; i++) { /* SQLite keeps the union: exact if each is */
        frule one;
        memset(&one, 0, sizeof(one));
        compare(aff, FILTER_EQ, av[i], &one);
        rule_union(r, &one);
      }
      return;
    default:
      if (nv == 1 && op >= FILTER_EQ && op <= FILTER_GE) {
        compare(aff, op, av[0], r);
        return;
      }
  }
  r->all = ALL_TYPES;
  r->inexact = 1;
}

int filter_exact(int aff, int op, sqlite3_value *v) {
  frule r;
  int exact;
  if (aff <= 0) return 0;
  if (!v && op != FILTER_ISNULL && op != FILTER_NOTNULL) return 0;
  analyze(aff, op, v ? 1 : 0, &v, &r);
  exact = !r.inexact && !r.oom;
  rule_clear(&r);
  return exact;
}

/* ---- writing a rule out ---------------------------------------------------- */

typedef struct writer {
  expr_ctx *x;
  sqlite3_str *s;
  const char *zAttr;
  int nPart;      /* parts ORed so far */
} writer;

static void part(writer *w) {
  if (w->nPart++) sqlite3_str_appendall(w->s, " OR ");
}

static void name(writer *w) {
  expr_name(w->x, w->s, w->zAttr);
}

static void type_test(writer *w, const char *zFunc, int t) {
  sqlite3_str_appendf(w->s, "%s(", zFunc);
  name(w);
  sqlite3_str_appendall(w->s, ", ");
  expr_value(w->x, w->s, av_new(AV_S, av_type_names[t]));
  sqlite3_str_appendall(w->s, ")");
}

static void compare_to(writer *w, const char *zOp, cJSON *av) {
  name(w);
  sqlite3_str_appendf(w->s, " %s ", zOp);
  expr_value(w->x, w->s, av);
}

static int bitcount(unsigned m) {
  int n = 0;
  for (; m; m &= m - 1) n++;
  return n;
}

static cJSON *av_bool(int b) {
  cJSON *av = cJSON_CreateObject();
  if (av && !cJSON_AddBoolToObject(av, "BOOL", b)) {
    cJSON_Delete(av);
    av = 0;
  }
  return av;
}

/* Every item of type t (or, negated, every other): attribute_type(), but
** for S, B and BOOL comparisons, as dynalite's attribute_type() misses "",
** empty binary and false (and its IN, false and ""). */
static void type_all(writer *w, int t, int negated) {
  if (t != AV_S && t != AV_B && t != AV_BOOL) {
    if (negated) sqlite3_str_appendall(w->s, "NOT ");
    type_test(w, "attribute_type", t);
    return;
  }
  sqlite3_str_appendall(w->s, negated ? "NOT (" : t == AV_BOOL ? "(" : "");
  if (t == AV_BOOL) {
    compare_to(w, "=", av_bool(1));
    sqlite3_str_appendall(w->s, " OR ");
    compare_to(w, "=", av_bool(0));
  } else { /* every string (binary) is at least the empty one */
    compare_to(w, ">=", av_new(t, ""));
  }
  sqlite3_str_appendall(w->s, negated || t == AV_BOOL ? ")" : "");
}

/* The types kept whole, one by one, or, when that is shorter, as every
** type but the others. */
static void write_types(writer *w, unsigned all) {
  unsigned other = ALL_TYPES & ~all & ~TYPE_BIT(AV_NULL);
  int t, withNull = (all & TYPE_BIT(AV_NULL)) != 0, first = 1;
  int nList = bitcount(all & ~TYPE_BIT(AV_NULL)) + 2 * withNull;
  if (nList <= bitcount(other) + 2 * !withNull) {
    if (withNull) {
      part(w);
      sqlite3_str_appendall(w->s, "attribute_not_exists(");
      name(w);
      sqlite3_str_appendall(w->s, ")");
    }
    for (t = 0; t < AV_NTYPE; t++) {
      if (!(all & TYPE_BIT(t))) continue;
      part(w);
      type_all(w, t, 0);
    }
    return;
  }
  part(w);
  sqlite3_str_appendall(w->s, "(");
  if (!withNull) { /* neither missing nor NULL */
    sqlite3_str_appendall(w->s, "attribute_exists(");
    name(w);
    sqlite3_str_appendall(w->s, ") AND NOT ");
    type_test(w, "attribute_type", AV_NULL);
    first = 0;
  }
  for (t = 0; t < AV_NTYPE; t++) {
    if (!(other & TYPE_BIT(t))) continue;
    if (!first) sqlite3_str_appendall(w->s, " AND ");
    type_all(w, t, 1);
    first = 0;
  }
  sqlite3_str_appendall(w->s, ")");
}

static const char *op_text(int op) {
  switch (op) {
    case FILTER_EQ: return "=";
    case FILTER_LT: return "<";
    case FILTER_LE: return "<=";
    case FILTER_GT: return ">";
    case FILTER_GE: return ">=";
  }
  return "<>";
}

/* One cond (its values move into the expression). */
static void write_cond(writer *w, fcond *c) {
  cJSON *a = c->a, *b = c->b;
  c->a = c->b = 0;
  part(w);
  switch (c->kind) {
    case C_CMP:
      if (c->op == FILTER_NE) { /* true for other types and missing ones too */
        cJSON *a2 = cJSON_Duplicate(a, 1);
        sqlite3_str_appendall(w->s, "(");
        compare_to(w, "<", a);
        sqlite3_str_appendall(w->s, " OR ");
        compare_to(w, ">", a2);
        sqlite3_str_appendall(w->s, ")");
      } else {
        compare_to(w, op_text(c->op), a);
      }
      break;
    case C_RANGE:
      if (a && b) {
        name(w);
        sqlite3_str_appendall(w->s, " BETWEEN ");
        expr_value(w->x, w->s, a);
        sqlite3_str_appendall(w->s, " AND ");
        expr_value(w->x, w->s, b);
      } else {
        compare_to(w, a ? ">=" : "<=", a ? a : b);
      }
      break;
    default:
      sqlite3_str_appendall(w->s, c->kind == C_PREFIX ? "begins_with(" : "contains(");
      name(w);
      sqlite3_str_appendall(w->s, ", ");
      expr_value(w->x, w->s, a);
      sqlite3_str_appendall(w->s, ")");
      break;
  }
}

/* Equalities on S or B values not kept whole: one IN (up to 100 values). */
static int in_able(const fcond *c, int t) {
  return c->a && c->kind == C_CMP && c->op == FILTER_EQ && av_type_of(c->a) == t &&
         c->a->child->valuestring[0]; /* dynalite's IN misses "" */
}

static void write_in(writer *w, frule *r, int t, unsigned all) {
  int i, n = 0, k;
  for (i = 0; i < r->ncond; i++) n += in_able(&r->acond[i], t);
  if (n < 2 || (all & TYPE_BIT(t))) return;
  while (n > 0) {
    part(w);
    name(w);
    sqlite3_str_appendall(w->s, " IN (");
    for (i = 0, k = 0; i < r->ncond && k < FILTER_MAX_IN; i++) {
      fcond *c = &r->acond[i];
      if (!in_able(c, t)) continue;
      if (k++) sqlite3_str_appendall(w->s, ", ");
      expr_value(w->x, w->s, c->a);
      c->a = 0;
    }
    sqlite3_str_appendall(w->s, ")");
    n -= k;
  }
}

/* What a rule comes to: FILTER_TRUE (every item), FILTER_FALSE (none) or
** FILTER_SOME. */
static int rule_result(const frule *r) {
  unsigned all = r->all | (r->bools == 3 ? TYPE_BIT(AV_BOOL) : 0);
  int i;
  if (all == ALL_TYPES) return FILTER_TRUE;
  if (all || r->bools || (r->numlike && !(all & TYPE_BIT(AV_S)))) return FILTER_SOME;
  for (i = 0; i < r->ncond; i++) {
    const cJSON *v = r->acond[i].a ? r->acond[i].a : r->acond[i].b;
    if (!v || !(all & TYPE_BIT(av_type_of(v)))) return FILTER_SOME;
  }
  return FILTER_FALSE;
}

/* Append a FILTER_SOME rule as a condition on zAttr (its values move into
** the expression). */
static void write_rule(expr_ctx *x, sqlite3_str *s, const char *zAttr, frule *r) {
  sqlite3_str *p = sqlite3_str_new(0);
  writer w = {x, p, zAttr, 0};
  unsigned all = r->all | (r->bools == 3 ? TYPE_BIT(AV_BOOL) : 0);
  char *z;
  int i;
  assert(rule_result(r) == FILTER_SOME);
  write_in(&w, r, AV_S, all);
  write_in(&w, r, AV_B, all);
  for (i = 0; i < r->ncond; i++) {
    fcond *c = &r->acond[i];
    cJSON *v = c->a ? c->a : c->b;
    if (!v || (all & TYPE_BIT(av_type_of(v)))) continue; /* written, or kept whole */
    write_cond(&w, c);
  }
  if (all) write_types(&w, all);
  if (r->numlike && !(all & TYPE_BIT(AV_S))) {
    part(&w);
    name(&w);
    sqlite3_str_appendall(p, " < ");
    expr_value(x, p, av_new(AV_S, ":")); /* every string SQLite may read as a number */
  }
  for (i = 0; i < 2 && !(all & TYPE_BIT(AV_BOOL)); i++) {
    if (!(r->bools & (1u << i))) continue;
    part(&w);
    compare_to(&w, "=", av_bool(i));
  }
  if (sqlite3_str_errcode(p)) x->oom = 1;
  z = sqlite3_str_finish(p);
  sqlite3_str_appendf(s, w.nPart > 1 ? "(%s)" : "%s", z ? z : "");
  sqlite3_free(z);
}

int filter_expression(expr_ctx *x, const filter_cond *a, int n, char **pz, int *pResult) {
  frule *aRule = sqlite3_malloc64(sizeof(frule) * (n + 1));
  sqlite3_str *s = sqlite3_str_new(0);
  int i, pass, rc = SQLITE_OK, nTerm = 0;
  *pz = 0;
  *pResult = FILTER_TRUE;
  if (!aRule) {
    sqlite3_free(sqlite3_str_finish(s));
    return SQLITE_NOMEM;
  }
  memset(aRule, 0, sizeof(frule) * (n + 1));
  for (i = 0; i < n; i++) {
    if (a[i].aff > 0) analyze(a[i].aff, a[i].op, a[i].nv, a[i].av, &aRule[i]);
    else aRule[i].all = ALL_TYPES; /* affinity not known: not pushed */
    assert(!a[i].required || !aRule[i].inexact);
    if (aRule[i].oom) rc = SQLITE_NOMEM;
  }
  /* a condition no item meets: nothing to send */
  for (i = 0; rc == SQLITE_OK && i < n; i++) {
    if (rule_result(&aRule[i]) == FILTER_FALSE) {
      *pResult = FILTER_FALSE;
      goto done;
    }
  }
  /* the required ones first, then the others while they fit */
  for (pass = 0; rc == SQLITE_OK && pass < 2; pass++) {
    for (i = 0; i < n; i++) {
      expr_mark m;
      sqlite3_str *t;
      char *z;
      if (a[i].required != !pass || rule_result(&aRule[i]) != FILTER_SOME) continue;
      t = sqlite3_str_new(0);
      expr_mark_get(x, &m);
      write_rule(x, t, a[i].zAttr, &aRule[i]);
      if (sqlite3_str_errcode(t) || x->oom) rc = SQLITE_NOMEM;
      z = sqlite3_str_finish(t);
      if (!z || rc != SQLITE_OK) {
        sqlite3_free(z);
        rc = SQLITE_NOMEM;
        break;
      }
      if (pass == 1 && sqlite3_str_length(s) + 5 + (int)strlen(z) > FILTER_MAX_LEN) {
        expr_rollback(x, &m); /* left to SQLite alone */
      } else {
        sqlite3_str_appendf(s, "%s%s", nTerm++ ? " AND " : "", z);
      }
      sqlite3_free(z);
    }
  }
  if (rc == SQLITE_OK && nTerm) *pResult = FILTER_SOME;
done:
  for (i = 0; i < n; i++) rule_clear(&aRule[i]);
  sqlite3_free(aRule);
  if (rc == SQLITE_OK && sqlite3_str_errcode(s)) rc = SQLITE_NOMEM;
  if (rc == SQLITE_OK && *pResult == FILTER_SOME) {
    *pz = sqlite3_str_finish(s);
    if (!*pz) rc = SQLITE_NOMEM;
  } else {
    sqlite3_free(sqlite3_str_finish(s));
  }
  if (rc != SQLITE_OK) *pResult = FILTER_TRUE;
  return rc;
}
