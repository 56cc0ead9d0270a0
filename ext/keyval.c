/*
** keyval.c: the keys a constraint's value asks for (see plan.h): the value
** converted as SQLite converts it before comparing it with the key column,
** then the key, or the range of keys, DynamoDB is asked for. plan.c chooses
** the plan in xBestIndex; this is what xFilter does with the values.
*/
#include "plan.h"
#include "attrval.h"
#include "number.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define OP_EQ SQLITE_INDEX_CONSTRAINT_EQ
#define OP_GT SQLITE_INDEX_CONSTRAINT_GT
#define OP_LE SQLITE_INDEX_CONSTRAINT_LE
#define OP_LT SQLITE_INDEX_CONSTRAINT_LT
#define OP_GE SQLITE_INDEX_CONSTRAINT_GE

/* Storage classes in SQLite's cross-type order. */
enum { CLS_NUM = 1, CLS_TEXT = 2, CLS_BLOB = 3 };

/* A key column of class colCls compared with a value of another class. */
static int cross_class(int colCls, int valCls, int op) {
  int colBelow = colCls < valCls; /* every key sorts before the value */
  switch (op) {
    case OP_LT: case OP_LE: return colBelow ? KEY_ALL : KEY_NONE;
    case OP_GT: case OP_GE: return colBelow ? KEY_NONE : KEY_ALL;
  }
  return KEY_NONE;
}

static cJSON *key_av(int t, const char *z) {
  cJSON *av = cJSON_CreateObject();
  if (av && !cJSON_AddStringToObject(av, av_type_names[t], z)) {
    cJSON_Delete(av);
    av = 0;
  }
  return av;
}

/* An empty string or blob is below every key of its type (DynamoDB keys
** are never empty): true of every key for > and >=, of none otherwise. */
static int below_every_key(int op) {
  return op == OP_GT || op == OP_GE ? KEY_ALL : KEY_NONE;
}

int plan_key_text(sqlite3_value *v, const char **pz) {
  const char *z = (const char *)sqlite3_value_text(v);
  int n = sqlite3_value_bytes(v);
  if (!z) return KEY_OOM;
  *pz = z;
  return (int)strlen(z) == n && av_utf8_valid(z, n);
}

/* v with NUMERIC affinity, as SQLite converts it before a comparison with
** a numeric column (sqlite3_value_numeric_type, on a copy): SQLITE_INTEGER
** with *pI, SQLITE_FLOAT with *pR, else the class it keeps (TEXT that reads
** as no number, BLOB, NULL), or KEY_OOM. */
static int numeric_value(sqlite3_value *v, sqlite3_int64 *pI, double *pR) {
  sqlite3_value *d = 0;
  int t = sqlite3_value_type(v);
  if (t == SQLITE_TEXT) {
    if (!(d = sqlite3_value_dup(v))) return KEY_OOM;
    t = sqlite3_value_numeric_type(d);
    v = d;
  }
  if (t == SQLITE_INTEGER) *pI = sqlite3_value_int64(v);
  if (t == SQLITE_FLOAT) *pR = sqlite3_value_double(v);
  sqlite3_value_free(d);
  return t;
}

/* The N key that is exactly the double r, or KEY_NONE when no key is (NaN,
** infinities, beyond DynamoDB's range). */
static int number_key(double r, cJSON **pAv) {
  char buf[NUM_BUF];
  int n;
  if (num_from_double(r, buf, &n) != NUM_OK) return KEY_NONE;
  *pAv = key_av(AV_N, buf);
  return *pAv ? KEY_VALUE : KEY_OOM;
}

/* One end of the N keys SQLite may read as the double r, or as being on
** one side of it: the double two steps beyond r (below it for the lower
** end), as its shortest decimal. sqlite3AtoF reads a decimal within one unit
** in the last place of the nearest double, so every decimal it reads as r
** (or beyond, on that side) lies within. KEY_VALUE with *pAv, KEY_ALL when
** that end is beyond every key, KEY_OOM. An end between 0 and DynamoDB's
** smallest magnitude (1E-130) becomes 0 or the smallest key, an end past
** its largest the largest key: wider, never narrower. */
static int number_end(double r, int upper, cJSON **pAv) {
  static const char zMax[] = "9.9999999999999999999999999999999999999E+125";
  static const char zMin[] = "-9.9999999999999999999999999999999999999E+125";
  char buf[NUM_BUF];
  const char *z = buf;
  double x = r;
  int n, rc, i;
  for (i = 0; i < 2; i++) x = nextafter(x, upper ? INFINITY : -INFINITY);
  rc = num_from_double(x, buf, &n);
  if (rc != NUM_OK && fabs(x) < 1) { /* between 0 and the smallest keys */
    z = (x > 0) == upper ? (upper ? "1E-130" : "-1E-130") : "0";
  } else if (rc != NUM_OK) {            /* beyond the largest */
    if ((x > 0) == upper) return KEY_ALL;
    z = x > 0 ? zMax : zMin;
  }
  *pAv = key_av(AV_N, z);
  return *pAv ? KEY_VALUE : KEY_OOM;
}

int plan_key_value(sqlite3_value *v, int keytype, cJSON **pAv) {
  int vt = sqlite3_value_type(v), k;
  const char *z;
  sqlite3_int64 i;
  double r;
  *pAv = 0;
  if (vt == SQLITE_NULL) return KEY_NONE; /* = NULL is never true */
  switch (keytype) {
    case AV_S: /* TEXT affinity turns numbers into their text */
      if (vt == SQLITE_BLOB) return KEY_NONE;
      if ((k = plan_key_text(v, &z)) <= 0 || !*z) return k < 0 ? k : KEY_NONE;
      *pAv = key_av(AV_S, z);
      return *pAv ? KEY_VALUE : KEY_OOM;
    case AV_N: /* NUMERIC affinity: text that reads as a number is one */
      switch (numeric_value(v, &i, &r)) {
        case KEY_OOM: return KEY_OOM;
        case SQLITE_FLOAT: return number_key(r, pAv);
        case SQLITE_INTEGER: {
          char buf[32];
          snprintf(buf, sizeof(buf), "%lld", (long long)i);
          *pAv = key_av(AV_N, buf);
          return *pAv ? KEY_VALUE : KEY_OOM;
        }
      }
      return KEY_NONE;
    case AV_B:
      if (vt != SQLITE_BLOB || sqlite3_value_bytes(v) == 0) return KEY_NONE;
      z = av_base64_encode(sqlite3_value_blob(v), sqlite3_value_bytes(v));
      if (!z) return KEY_OOM;
      *pAv = key_av(AV_B, z);
      sqlite3_free((char *)z);
      return *pAv ? KEY_VALUE : KEY_OOM;
  }
  return KEY_NONE;
}

int plan_key_named(sqlite3_value *v, int keytype, cJSON **pAv) {
  int vt = sqlite3_value_type(v), k;
  const char *z;
  *pAv = 0;
  if (keytype == AV_S && vt != SQLITE_NULL && vt != SQLITE_BLOB) {
    if ((k = plan_key_text(v, &z)) <= 0) return k < 0 ? k : KEY_NUL;
  }
  if (keytype == AV_N && vt == SQLITE_TEXT) {
    /* numeric text names the number it spells, digit for digit */
    num_dec d;
    char buf[NUM_BUF];
    int n;
    if (!(z = (const char *)sqlite3_value_text(v))) return KEY_OOM;
    while (*z && isspace((unsigned char)*z)) z++;
    n = (int)strlen(z);
    while (n > 0 && isspace((unsigned char)z[n - 1])) n--;
    switch (num_parse(z, n, &d)) {
      case NUM_OK:
        num_format(&d, buf);
        *pAv = key_av(AV_N, buf);
        return *pAv ? KEY_VALUE : KEY_OOM;
      case NUM_SYNTAX:
        return KEY_NONE;
    } /* beyond DynamoDB's numbers: the double SQLite reads, if a key */
  }
  return plan_key_value(v, keytype, pAv);
}

void plan_range_clear(plan_range *r) {
  cJSON_Delete(r->lo);
  cJSON_Delete(r->hi);
  memset(r, 0, sizeof(*r));
}

/* r's lower (hi = 0) or upper end: av, with op. */
static int range_end(plan_range *r, int hi, int op, cJSON *av) {
  if (!av) return KEY_OOM;
  if (hi) r->hi = av, r->hiOp = op;
  else r->lo = av, r->loOp = op;
  return KEY_VALUE;
}

/* "key op v" on N keys: NUMERIC affinity, then the decimals SQLite may
** read on that side of the double (number_end). */
static int number_range(sqlite3_value *v, int op, plan_range *r) {
  sqlite3_int64 i = 0;
  double x = 0;
  int k;
  switch (numeric_value(v, &i, &x)) {
    case KEY_OOM: return KEY_OOM;
    case SQLITE_INTEGER: x = (double)i; break; /* the range holds i too */
    case SQLITE_FLOAT: break;
    case SQLITE_TEXT: return cross_class(CLS_NUM, CLS_TEXT, op);
    case SQLITE_BLOB: return cross_class(CLS_NUM, CLS_BLOB, op);
    default: return KEY_NONE;
  }
  if (isnan(x)) return KEY_NONE;
  if (isinf(x)) return op == OP_EQ ? KEY_NONE : cross_class(x > 0 ? 0 : 2, 1, op);
  if (op != OP_LT && op != OP_LE) {
    cJSON *av = 0;
    if ((k = number_end(x, 0, &av)) == KEY_OOM) return k;
    if (k == KEY_VALUE) range_end(r, 0, OP_GE, av);
  }
  if (op != OP_GT && op != OP_GE) {
    cJSON *av = 0;
    if ((k = number_end(x, 1, &av)) == KEY_OOM) return k;
    if (k == KEY_VALUE) range_end(r, 1, OP_LE, av);
  }
  return r->lo || r->hi ? KEY_VALUE : KEY_ALL;
}

/* "key op v" on S keys (see plan.h for loose). */
static int text_range(sqlite3_value *v, int op, int loose, plan_range *r) {
  int vt = sqlite3_value_type(v), k, upper = op == OP_LT || op == OP_LE;
  const char *z;
  if (vt == SQLITE_BLOB) return cross_class(CLS_TEXT, CLS_BLOB, op);
  if (loose && op != OP_EQ) {
    sqlite3_int64 i;
    double x;
    int t = numeric_value(v, &i, &x);
    if (t == KEY_OOM) return KEY_OOM;
    if (t == SQLITE_INTEGER || t == SQLITE_FLOAT) { /* as text or as a number */
      return upper ? range_end(r, 1, OP_LT, key_av(AV_S, ":")) : KEY_ALL;
    }
  }
  if ((k = plan_key_text(v, &z)) < 0) return k;
  if (k == 0) return op == OP_EQ ? KEY_NONE : KEY_ALL; /* no key is that text */
  if (!*z) return below_every_key(op);
  if (loose && upper && strcmp(z, ":") < 0) { /* NUMERIC: keys that read as numbers too */
    return range_end(r, 1, OP_LT, key_av(AV_S, ":"));
  }
  return range_end(r, upper, op, key_av(AV_S, z));
}

int plan_key_range(sqlite3_value *v, int keytype, int op, int loose, plan_range *r) {
  int vt = sqlite3_value_type(v);
  memset(r, 0, sizeof(*r));
  assert(op == OP_EQ || op == OP_GT || op == OP_GE || op == OP_LT || op == OP_LE);
  if (vt == SQLITE_NULL) return KEY_NONE; /* comparisons with NULL are NULL */
  switch (keytype) {
    case AV_S: return text_range(v, op, loose, r);
    case AV_N: return number_range(v, op, r);
    case AV_B:
      if (vt != SQLITE_BLOB) return cross_class(CLS_BLOB, vt == SQLITE_TEXT ? CLS_TEXT : CLS_NUM, op);
      if (sqlite3_value_bytes(v) == 0) return below_every_key(op);
      {
        char *z = av_base64_encode(sqlite3_value_blob(v), sqlite3_value_bytes(v));
        int k = z ? range_end(r, op == OP_LT || op == OP_LE, op, key_av(AV_B, z)) : KEY_OOM;
        sqlite3_free(z);
        return k;
      }
  }
  return KEY_NONE;
}

int plan_key_cmp(const cJSON *a, const cJSON *b) {
  int t = av_type_of(a), c = 0;
  const char *x, *y;
  if (t < 0 || t != av_type_of(b)) return 0;
  x = a->child->valuestring;
  y = b->child->valuestring;
  if (t == AV_N) {
    num_dec da, db;
    if (num_parse(x, -1, &da) != NUM_OK || num_parse(y, -1, &db) != NUM_OK) return 0;
    return num_cmp(&da, &db);
  }
  if (t == AV_B) {
    int na = 0, nb = 0;
    unsigned char *pa = av_base64_decode(x, -1, &na), *pb = av_base64_decode(y, -1, &nb);
    if (pa && pb) {
      c = memcmp(pa, pb, na < nb ? na : nb);
      if (c == 0) c = na - nb;
    }
    sqlite3_free(pa);
    sqlite3_free(pb);
    return c;
  }
  return strcmp(x, y);
}
