/*
** libFuzzer target for filter.c: a condition's values, from SQL, into a
** FilterExpression.
**
** The input: byte 0 picks the column's affinity (BLOB, TEXT, NUMERIC), byte
** 1 the operator (FILTER_EQ ... FILTER_GLOB), the rest is split at 0xff
** bytes into values, each typed by its first byte: 'i' an INTEGER (the
** text), 'r' a REAL (8 bytes, or the text), 't' TEXT, 'b' a BLOB, else NULL.
** A second condition on another column, with the first value, follows.
** Checked, aborting on any violation:
**   - filter_expression() returns SQLITE_OK; FALSE and TRUE add no name or
**     value; SOME gives an expression in which every #n and :v placeholder
**     is defined, and every value defined is used;
**   - an exact condition (filter_exact) is never left out: required, the
**     expression holds it whatever its length; a condition that is not
**     required keeps the expression within FILTER_MAX_LEN bytes;
**   - nothing leaks (LeakSanitizer).
*/
#include "filter.h"
#include "attrval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond)                                                          \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_filter: property failed at line %d: %s\n",         \
              __LINE__, #cond);                                                \
      abort();                                                                 \
    }                                                                          \
  } while (0)

#define MAX_VALUES 120

static sqlite3 *db;

/* A value of the type its first byte says, from the bytes after it. */
static sqlite3_value *make_value(const unsigned char *p, int n) {
  static sqlite3_stmt *st;
  sqlite3_value *v;
  char buf[64];
  if (!st && sqlite3_prepare_v2(db, "SELECT ?", -1, &st, 0) != SQLITE_OK) abort();
  if (n == 0) {
    sqlite3_bind_null(st, 1);
  } else if (p[0] == 'i' || (p[0] == 'r' && n != 9)) {
    int k = n - 1 < (int)sizeof(buf) - 1 ? n - 1 : (int)sizeof(buf) - 1;
    memcpy(buf, p + 1, k);
    buf[k] = 0;
    if (p[0] == 'i') sqlite3_bind_int64(st, 1, strtoll(buf, 0, 10));
    else sqlite3_bind_double(st, 1, strtod(buf, 0));
  } else if (p[0] == 'r') {
    double d;
    memcpy(&d, p + 1, 8);
    sqlite3_bind_double(st, 1, d); /* NaN becomes NULL */
  } else if (p[0] == 't') {
    sqlite3_bind_text(st, 1, (const char *)p + 1, n - 1, SQLITE_TRANSIENT);
  } else if (p[0] == 'b') {
    sqlite3_bind_blob(st, 1, p + 1, n - 1, SQLITE_TRANSIENT);
  } else {
    sqlite3_bind_null(st, 1);
  }
  if (sqlite3_step(st) != SQLITE_ROW) abort();
  v = sqlite3_value_dup(sqlite3_column_value(st, 0));
  sqlite3_reset(st);
  return v;
}

/* Every placeholder in z is defined in x, and every value is used. */
static void check_placeholders(const char *z, const expr_ctx *x) {
  int nValue = 0;
  while (*z) {
    if ((z[0] == '#' && z[1] == 'n') || (z[0] == ':' && z[1] == 'v')) {
      char key[16];
      int n = 2;
      while (z[n] >= '0' && z[n] <= '9') n++;
      REQUIRE(n > 2 && n < 12);
      snprintf(key, sizeof(key), "%.*s", n, z);
      REQUIRE(cJSON_GetObjectItemCaseSensitive(z[0] == '#' ? x->names : x->values, key));
      nValue += z[0] == ':';
      z += n;
    } else {
      z++;
    }
  }
  REQUIRE(nValue >= cJSON_GetArraySize(x->values)); /* each value once at least */
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  sqlite3_value *av[MAX_VALUES];
  filter_cond c[2];
  expr_ctx x;
  char *z = 0;
  int nMade = 0, nv, aff, op, res = -1, i, rc, noValue;
  size_t k, start = 2;
  if (!db && sqlite3_open(":memory:", &db) != SQLITE_OK) abort();
  if (size < 2) return 0;
  aff = 1 + data[0] % 3;
  op = 1 + data[1] % (FILTER_NOP - 1);
  noValue = op == FILTER_ISNULL || op == FILTER_NOTNULL;
  for (k = 2; k <= size && nMade < MAX_VALUES; k++) {
    if (k == size || data[k] == 0xff) {
      if (!(av[nMade] = make_value(data + start, (int)(k - start)))) abort();
      nMade++;
      start = k + 1;
    }
  }
  nv = noValue ? 0 : op == FILTER_IN ? nMade : nMade > 0;
  c[0] = (filter_cond){"c", aff, op, 0, nv, av};
  c[0].required = op != FILTER_IN && filter_exact(aff, op, nv ? av[0] : 0);
  c[1] = (filter_cond){"other", 1 + (aff % 3), FILTER_NE, 0, 1, av};
  memset(&x, 0, sizeof(x));
  rc = filter_expression(&x, c, nMade ? 2 : 1, &z, &res);
  REQUIRE(rc == SQLITE_OK);
  if (res != FILTER_SOME) {
    REQUIRE(res == FILTER_TRUE || res == FILTER_FALSE);
    REQUIRE(!z && !x.names && !x.values);
  } else {
    REQUIRE(z && x.names);
    check_placeholders(z, &x);
    if (c[0].required) REQUIRE(strstr(z, "#n0"));
    else REQUIRE(strlen(z) <= FILTER_MAX_LEN);
  }
  sqlite3_free(z);
  expr_reset(&x);
  for (i = 0; i < nMade; i++) sqlite3_value_free(av[i]);
  return 0;
}
