/* Unit tests of filter.c: the affinity of declared types (against SQLite
** itself), the case table of DynamoDB types x operators x values written
** out as conditions, which of them are exact, IN lists, patterns, and the
** assembly of several conditions (FALSE, the length cap, placeholders). */
#include "filter.h"
#include "attrval.h"
#include "check.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

static sqlite3 *db;

/* The values of "SELECT <zSql>", one per column (owned here). */
static sqlite3_value *aVal[128];
static int nVal;

static void values(const char *zSql) {
  sqlite3_stmt *st = 0;
  char *q = sqlite3_mprintf("SELECT %s", zSql);
  int i;
  for (i = 0; i < nVal; i++) sqlite3_value_free(aVal[i]);
  nVal = 0;
  if (sqlite3_prepare_v2(db, q, -1, &st, 0) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
    fprintf(stderr, "bad SQL: %s\n", q);
    exit(2);
  }
  for (i = 0; i < sqlite3_column_count(st) && i < 128; i++) {
    aVal[nVal++] = sqlite3_value_dup(sqlite3_column_value(st, i));
  }
  sqlite3_finalize(st);
  sqlite3_free(q);
}

/* An expression with its placeholders replaced by what they stand for
** (#n0 -> the name, :v0 -> S"x" / N"5" / B"AQ==" / BOOLtrue); NULL when a
** placeholder is not defined or a defined one is not used (DynamoDB
** refuses both). */
static char *readable(const char *z, const expr_ctx *x) {
  sqlite3_str *s = sqlite3_str_new(0);
  int nUsedName = 0, nUsedValue = 0, bad = 0;
  while (*z) {
    if ((z[0] == '#' && z[1] == 'n') || (z[0] == ':' && z[1] == 'v')) {
      char key[16];
      int n = 2;
      const cJSON *e;
      while (z[n] >= '0' && z[n] <= '9') n++;
      snprintf(key, sizeof(key), "%.*s", n, z);
      e = cJSON_GetObjectItemCaseSensitive(z[0] == '#' ? x->names : x->values, key);
      if (!e) {
        bad = 1;
      } else if (z[0] == '#') {
        sqlite3_str_appendall(s, e->valuestring);
        nUsedName++;
      } else {
        char *j = cJSON_PrintUnformatted(e->child);
        sqlite3_str_appendf(s, "%s%s", e->child->string, j);
        free(j);
        nUsedValue++;
      }
      z += n;
    } else {
      sqlite3_str_appendchar(s, 1, *z++);
    }
  }
  /* every value is used once here (names may repeat) */
  if (nUsedValue != cJSON_GetArraySize(x->values) || (nUsedName == 0) != (x->names == 0)) bad = 1;
  if (bad) {
    sqlite3_free(sqlite3_str_finish(s));
    return 0;
  }
  return sqlite3_str_finish(s);
}

static char *zOut;

/* cJSON allocations fail from the oomAt-th on, while armed (0: never). */
static int oomAt, nAlloc, armed;
static void *failing_malloc(size_t n) {
  if (armed && oomAt > 0 && ++nAlloc >= oomAt) return 0;
  return malloc(n);
}

/* The conditions a[0..n) as one FilterExpression, readable, or "TRUE" /
** "FALSE". */
static const char *expression(filter_cond *a, int n) {
  expr_ctx x;
  char *z = 0;
  int res = -1, rc;
  memset(&x, 0, sizeof(x));
  sqlite3_free(zOut);
  zOut = 0;
  armed = 1;
  rc = filter_expression(&x, a, n, &z, &res);
  armed = 0;
  if (rc == SQLITE_OK && x.oom) rc = SQLITE_NOMEM; /* as expr_attach reports it */
  if (rc != SQLITE_OK) zOut = sqlite3_mprintf("rc %d", rc);
  else if (res == FILTER_TRUE) zOut = sqlite3_mprintf(z || x.values ? "TRUE?" : "TRUE");
  else if (res == FILTER_FALSE) zOut = sqlite3_mprintf(z || x.values ? "FALSE?" : "FALSE");
  else zOut = z ? readable(z, &x) : 0;
  sqlite3_free(z);
  expr_reset(&x);
  return zOut ? zOut : "(bad placeholders)";
}

/* "c op <zSql>" on a column of affinity aff. */
static const char *f(int aff, int op, const char *zSql) {
  filter_cond c = {"c", aff, op, 0, 0, aVal};
  values(zSql);
  c.nv = op == FILTER_ISNULL || op == FILTER_NOTNULL ? 0 : nVal;
  return expression(&c, 1);
}

static int exact(int aff, int op, const char *zSql) {
  values(zSql);
  return filter_exact(aff, op, op == FILTER_ISNULL || op == FILTER_NOTNULL ? 0 : aVal[0]);
}

#define BLOB_ FILTER_AFF_BLOB
#define TEXT_ FILTER_AFF_TEXT
#define NUM_ FILTER_AFF_NUMERIC
#define EQ FILTER_EQ
#define NE FILTER_NE
#define LT FILTER_LT
#define LE FILTER_LE
#define GT FILTER_GT
#define GE FILTER_GE

/* the types other than S, N, BOOL and NULL: kept whole by many cases */
#define NOT(...) "(attribute_exists(c) AND NOT attribute_type(c, S\"NULL\")" __VA_ARGS__ ")"

/* The windows around a number come from an oracle, not from filter.c's own
** arithmetic: x moved n units in the last place by nextafter(), as "%.17g"
** text. CHECK_NUMS compares after reading every N"..." of both sides back
** through strtod(), so the two texts of one double are equal. */
static char azUlp[16][40];
static int iUlp;
static const char *ulps(double x, int n) {
  char *b = azUlp[iUlp++ % 16];
  int i;
  for (i = 0; i < (n < 0 ? -n : n); i++) x = nextafter(x, n < 0 ? -INFINITY : INFINITY);
  snprintf(b, sizeof(azUlp[0]), "%.17g", x);
  return b;
}
#define LO2(x) ulps((x), -2)
#define HI2(x) ulps((x), 2)

/* printf into a malloc'ed string, with the C library's %s and %g */
static char *aprintf(const char *zFmt, ...) {
  va_list ap;
  char *z = 0;
  va_start(ap, zFmt);
  if (vasprintf(&z, zFmt, ap) < 0) z = 0;
  va_end(ap);
  return z;
}

static char *norm(const char *z) {
  sqlite3_str *s = sqlite3_str_new(0);
  const char *z0 = z, *e;
  while (z && *z) {
    /* N"..." as a value (not the type name in S"N") */
    if (z[0] == 'N' && z[1] == '"' && (z == z0 || z[-1] != '"') && (e = strchr(z + 2, '"')) != 0) {
      char num[64];
      snprintf(num, sizeof(num), "N\"%.17g\"", strtod(z + 2, 0)); /* SQLite's %g stops at 16 digits */
      sqlite3_str_appendall(s, num);
      z = e + 1;
    } else {
      sqlite3_str_appendchar(s, 1, *z++);
    }
  }
  return sqlite3_str_finish(s);
}

#define CHECK_NUMS(got, ...)                                                   \
  do {                                                                         \
    char *fmt_ = aprintf(__VA_ARGS__), *gotn_ = norm(got), *wantn_ = norm(fmt_); \
    CHECK_STR(gotn_, wantn_);                                                  \
    free(fmt_);                                                                \
    sqlite3_free(gotn_);                                                       \
    sqlite3_free(wantn_);                                                      \
  } while (0)

/* ---- affinity --------------------------------------------------------- */

/* SQLite's own answer: a table with two columns of that type, given the
** text '1' and the integer 1. */
static int sqlite_affinity(const char *zType) {
  sqlite3_stmt *st;
  char *q = sqlite3_mprintf("DROP TABLE IF EXISTS a; CREATE TABLE a(x %s, y %s); "
                            "INSERT INTO a VALUES ('1', 1)", zType, zType);
  int aff = 0;
  sqlite3_exec(db, q, 0, 0, 0);
  sqlite3_free(q);
  if (sqlite3_prepare_v2(db, "SELECT typeof(x), typeof(y) FROM a", -1, &st, 0) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    const char *a = (const char *)sqlite3_column_text(st, 0), *b = (const char *)sqlite3_column_text(st, 1);
    if (strcmp(a, "text") == 0) aff = strcmp(b, "text") == 0 ? TEXT_ : BLOB_;
    else aff = NUM_; /* INTEGER, REAL, NUMERIC: a number for '1' */
  }
  sqlite3_finalize(st);
  return aff;
}

static void test_affinity(void) {
  static const char *az[] = {"",         "TEXT",      "BLOB",       "N",           "S",
                             "B",        "BOOL",      "\"NULL\"",   "SS",          "NS",
                             "BS",       "L",         "M",          "INTEGER",     "REAL",
                             "NUMERIC",  "VARCHAR(10)", "TEXT COLLATE NOCASE", "STRING",
                             "BLOBTEXT", "TEXTBLOB",  "CLOB",       "DOUBLE",      "FLOATING POINT",
                             "BLOB INT", "CHARINT",   "date",       "text",        "Int"};
  int i;
  for (i = 0; i < (int)(sizeof(az) / sizeof(az[0])); i++) {
    if (filter_affinity(az[i]) != sqlite_affinity(az[i])) fprintf(stderr, "type [%s]\n", az[i]);
    CHECK_INT(filter_affinity(az[i]), sqlite_affinity(az[i]));
  }
  CHECK_INT(filter_affinity(0), BLOB_); /* no type at all */
}

static void test_codes(void) {
  int op;
  for (op = 1; op < FILTER_NOP; op++) {
    CHECK_INT(filter_op_from_code(filter_op_code(op)), op);
  }
  CHECK_INT(filter_op_from_code("xx"), 0);
  CHECK_INT(filter_op_from_code(""), 0);
  CHECK_INT(filter_op_of(SQLITE_INDEX_CONSTRAINT_EQ, 0), EQ);
  CHECK_INT(filter_op_of(SQLITE_INDEX_CONSTRAINT_EQ, 1), FILTER_IN);
  CHECK_INT(filter_op_of(SQLITE_INDEX_CONSTRAINT_NE, 0), NE);
  CHECK_INT(filter_op_of(SQLITE_INDEX_CONSTRAINT_ISNULL, 0), FILTER_ISNULL);
  CHECK_INT(filter_op_of(SQLITE_INDEX_CONSTRAINT_ISNOTNULL, 0), FILTER_NOTNULL);
  CHECK_INT(filter_op_of(SQLITE_INDEX_CONSTRAINT_GLOB, 0), FILTER_GLOB);
  CHECK_INT(filter_op_of(SQLITE_INDEX_CONSTRAINT_IS, 0), 0); /* not pushed */
  CHECK_INT(filter_op_of(SQLITE_INDEX_CONSTRAINT_LIMIT, 0), 0);
  CHECK_INT(filter_op_of(SQLITE_INDEX_CONSTRAINT_MATCH, 0), 0);
}

/* ---- the case table: text values ------------------------------------------- */

/* S against text: DynamoDB's order is the UTF-8 bytes', SQLite's BINARY too.
** Other types: by SQLite's order of classes, or by the first byte of their
** text (N: '-' or a digit; SS, NS, BS, L: '['; M: '{'). */
static void test_text_against_text(void) {
  /* the common case: exact, nothing else can be equal */
  CHECK_STR(f(TEXT_, EQ, "'Pixel 3'"), "c = S\"Pixel 3\"");
  CHECK(exact(TEXT_, EQ, "'Pixel 3'"));
  CHECK_STR(f(TEXT_, EQ, "''"), "c = S\"\"");
  CHECK_STR(f(TEXT_, EQ, "'  5'"), "c = S\"  5\"");
  /* text that may be a number's: N items too (TEXT affinity shows them as
  ** text), and BOOL's '1' */
  CHECK_STR(f(TEXT_, EQ, "'30'"), "(c = S\"30\" OR attribute_type(c, S\"N\"))");
  CHECK(!exact(TEXT_, EQ, "'30'"));
  CHECK_STR(f(TEXT_, EQ, "'1'"), "(c = S\"1\" OR attribute_type(c, S\"N\") OR c = BOOLtrue)");
  /* JSON of sets and lists begins with '[' */
  CHECK_STR(f(TEXT_, EQ, "'[x'"),
            "(c = S\"[x\" OR attribute_type(c, S\"SS\") OR attribute_type(c, S\"NS\") OR "
            "attribute_type(c, S\"BS\") OR attribute_type(c, S\"L\"))");
  /* ranges: numbers' text begins with '-' or a digit, below 'P' */
  CHECK_STR(f(TEXT_, LT, "'Pixel 3'"), "(c < S\"Pixel 3\" OR attribute_type(c, S\"N\") OR (c = BOOLtrue OR c = BOOLfalse))");
  CHECK(exact(TEXT_, LT, "'Pixel 3'"));
  CHECK_STR(f(TEXT_, LT, "'abc'"),
            "(c < S\"abc\" OR " NOT(" AND NOT (c >= S\"\") AND NOT (c >= B\"\")"
                                    " AND NOT attribute_type(c, S\"M\")") ")");
  CHECK(exact(TEXT_, LT, "'abc'"));
  CHECK_STR(f(TEXT_, GT, "'abc'"), "(c > S\"abc\" OR c >= B\"\" OR attribute_type(c, S\"M\"))");
  CHECK(exact(TEXT_, GT, "'abc'"));
  CHECK_STR(f(TEXT_, GE, "'Pixel 3'"),
            "(c >= S\"Pixel 3\" OR " NOT(" AND NOT (c >= S\"\") AND NOT attribute_type(c, S\"N\")"
                                         " AND NOT (c = BOOLtrue OR c = BOOLfalse)") ")");
  /* where numbers' text may fall on either side: every N, not exact */
  CHECK_STR(f(TEXT_, GT, "'30'"),
            "(c > S\"30\" OR " NOT(" AND NOT (c >= S\"\") AND NOT (c = BOOLtrue OR c = BOOLfalse)") ")");
  CHECK(!exact(TEXT_, GT, "'30'"));
  /* below '-': every number's text is above it with TEXT affinity, but a
  ** TEXT column of another table on the right compares numbers as such,
  ** and a NUMERIC one holding '!' (text it could not convert) makes the
  ** strings that look like numbers numbers, below it (the filter once
  ** left those out: a join returned too few rows) */
  CHECK_STR(f(TEXT_, LT, "'!'"), "(c < S\"!\" OR attribute_type(c, S\"N\") OR (c = BOOLtrue OR c = BOOLfalse) OR c < S\":\")");
  CHECK(!exact(TEXT_, LT, "'!'"));
  CHECK_STR(f(BLOB_, LT, "'1a'"),
            "(c < S\"1a\" OR attribute_type(c, S\"N\") OR (c = BOOLtrue OR c = BOOLfalse) OR c < S\":\")");
  CHECK_STR(f(BLOB_, LE, "'1a'"),
            "(c <= S\"1a\" OR attribute_type(c, S\"N\") OR (c = BOOLtrue OR c = BOOLfalse) OR c < S\":\")");
  CHECK_STR(f(TEXT_, LT, "'1a'"),
            "(c < S\"1a\" OR attribute_type(c, S\"N\") OR (c = BOOLtrue OR c = BOOLfalse) OR c < S\":\")");
  CHECK(!exact(BLOB_, LT, "'1a'"));
  CHECK(exact(BLOB_, EQ, "'1a'"));
  CHECK(exact(TEXT_, EQ, "'1a'"));
  /* <>: DynamoDB's is true for other types and missing ones: written as
  ** < or > within S, every other type but NULL */
  CHECK_STR(f(TEXT_, NE, "'Pixel 3'"),
            "((c < S\"Pixel 3\" OR c > S\"Pixel 3\") OR " NOT(" AND NOT (c >= S\"\")") ")");
  CHECK(exact(TEXT_, NE, "'Pixel 3'"));
  CHECK(!exact(TEXT_, NE, "'30'"));
  /* no affinity (BLOB, or no type): the same for S */
  CHECK_STR(f(BLOB_, EQ, "'abc'"), "c = S\"abc\"");
  CHECK(exact(BLOB_, EQ, "'abc'"));
  /* ... and N items are numbers, below text, unless read as TEXT (more
  ** than a double holds): equal only to their exact text */
  CHECK_STR(f(BLOB_, EQ, "'30'"), "c = S\"30\"");
  CHECK(exact(BLOB_, EQ, "'30'"));
  CHECK_STR(f(BLOB_, EQ, "'12345678901234567890123'"),
            "(c = S\"12345678901234567890123\" OR c = N\"12345678901234567890123\")");
  CHECK(exact(BLOB_, EQ, "'12345678901234567890123'"));
  CHECK_STR(f(BLOB_, EQ, "'1.2345678901234567890E+30'"), "c = S\"1.2345678901234567890E+30\"");
  /* numeric affinity: text x that is not a number stays text; strings that
  ** look like numbers become numbers, below it */
  CHECK_STR(f(NUM_, EQ, "'abc'"), "c = S\"abc\"");
  CHECK(exact(NUM_, EQ, "'abc'"));
  CHECK_STR(f(NUM_, LT, "'abc'"),
            "(c < S\"abc\" OR " NOT(" AND NOT (c >= S\"\") AND NOT (c >= B\"\")"
                                    " AND NOT attribute_type(c, S\"M\")") ")");
  CHECK(exact(NUM_, LT, "'abc'"));
  /* x below ':': strings that are numbers may be on either side */
  CHECK_STR(f(NUM_, LT, "'!'"),
            "(c < S\"!\" OR attribute_type(c, S\"N\") OR (c = BOOLtrue OR c = BOOLfalse) OR c < S\":\")");
  CHECK(!exact(NUM_, LT, "'!'"));
  CHECK(!exact(NUM_, GT, "'!'"));
  CHECK(exact(NUM_, GT, "'abc'"));
  /* ... and text that is a number is one */
  CHECK_NUMS(f(NUM_, EQ, "'30'"), "(c BETWEEN N\"%s\" AND N\"%s\" OR c < S\":\")", LO2(30), HI2(30));
  CHECK_NUMS(f(NUM_, EQ, "'  5'"), "(c BETWEEN N\"%s\" AND N\"%s\" OR c < S\":\")", LO2(5), HI2(5));
}

/* ---- the case table: numbers --------------------------------------------------- */

static void test_numbers(void) {
  /* numeric affinity (an N column): N items as numbers; those beyond a
  ** double's precision are read through the nearest double, so the bound
  ** is widened by two units in the last place: never exact */
  CHECK_NUMS(f(NUM_, EQ, "30"), "(c BETWEEN N\"%s\" AND N\"%s\" OR c < S\":\")", LO2(30), HI2(30));
  CHECK(!exact(NUM_, EQ, "30"));
  CHECK_NUMS(f(NUM_, GT, "30"),
            "(c >= N\"%s\" OR " NOT(" AND NOT attribute_type(c, S\"N\") AND NOT "
                                                    "(c = BOOLtrue OR c = BOOLfalse)") ")", LO2(30));
  CHECK_NUMS(f(NUM_, LE, "30.5"),
            "(c <= N\"%s\" OR (c = BOOLtrue OR c = BOOLfalse) OR c < S\":\")", HI2(30.5));
  /* BOOL is 0 or 1 */
  CHECK_NUMS(f(NUM_, GE, "1"),
            "(c >= N\"%s\" OR " NOT(" AND NOT attribute_type(c, S\"N\") AND NOT "
                                          "(c = BOOLtrue OR c = BOOLfalse)") " OR c = BOOLtrue)", LO2(1));
  CHECK_NUMS(f(NUM_, LT, "1"), "(c <= N\"%s\" OR c < S\":\" OR c = BOOLfalse)", HI2(1));
  /* <> keeps every N but the number itself */
  CHECK_STR(f(NUM_, NE, "30"),
            "((c < N\"30\" OR c > N\"30\") OR " NOT(" AND NOT attribute_type(c, S\"N\")") ")");
  CHECK_STR(f(NUM_, NE, "0"),
            "((c < N\"0\" OR c > N\"0\") OR " NOT(" AND NOT attribute_type(c, S\"N\") AND NOT "
                                                  "(c = BOOLtrue OR c = BOOLfalse)") " OR c = BOOLtrue)");
  /* beyond DynamoDB's range: every N is below 1e300; tiny values are 0 */
  CHECK_STR(f(NUM_, EQ, "1e300"), "c < S\":\"");
  CHECK_STR(f(NUM_, LT, "1e300"), "(attribute_type(c, S\"N\") OR (c = BOOLtrue OR c = BOOLfalse) OR c < S\":\")");
  CHECK_STR(f(NUM_, GE, "1e300"), NOT(" AND NOT attribute_type(c, S\"N\") AND NOT (c = BOOLtrue OR c = BOOLfalse)"));
  CHECK_STR(f(NUM_, NE, "1e300"), NOT(""));
  CHECK_STR(f(NUM_, EQ, "-1e-200"), "(c BETWEEN N\"0\" AND N\"0\" OR c < S\":\")");
  CHECK_STR(f(NUM_, GT, "-1e-200"), "(c >= N\"0\" OR " NOT(" AND NOT attribute_type(c, S\"N\")") ")");
  CHECK_STR(f(NUM_, LT, "-1e300"), "c < S\":\"");
  /* integers beyond 2^53 (this one is between two doubles: 2^53 and
  ** 2^53 + 2): the window holds them */
  CHECK_NUMS(f(NUM_, EQ, "9007199254740993"), "(c BETWEEN N\"%s\" AND N\"%s\" OR c < S\":\")", LO2(9007199254740992.0),
             HI2(9007199254740992.0));
  /* TEXT affinity: the number is compared as its text, or, against a
  ** numeric column of another table, as a number (strings that look like
  ** numbers become numbers: all of those that begin below ':') */
  CHECK_STR(f(TEXT_, EQ, "30"), "(c = S\"30\" OR attribute_type(c, S\"N\") OR c < S\":\")");
  CHECK_STR(f(TEXT_, EQ, "1e300"), "(c = S\"1.0e+300\" OR attribute_type(c, S\"N\") OR c < S\":\")");
  CHECK(!exact(TEXT_, EQ, "30"));
  CHECK_STR(f(TEXT_, GT, "30"), NOT(" AND NOT (c = BOOLtrue OR c = BOOLfalse)"));
  /* no affinity: S items are text, above numbers */
  CHECK_NUMS(f(BLOB_, EQ, "30"), "(c BETWEEN N\"%s\" AND N\"%s\" OR c < S\":\")", LO2(30), HI2(30));
  CHECK_STR(f(BLOB_, NE, "30"), NOT(""));
}

/* ---- blobs and NULL ------------------------------------------------------------- */

static void test_blobs_and_null(void) {
  /* B against a blob: bytes, as memcmp; everything else is below a blob */
  CHECK_STR(f(BLOB_, EQ, "x'01'"), "c = B\"AQ==\"");
  CHECK(exact(BLOB_, EQ, "x'01'"));
  CHECK_STR(f(NUM_, GT, "x'01'"), "c > B\"AQ==\"");
  CHECK(exact(NUM_, GT, "x'01'"));
  CHECK_STR(f(TEXT_, LT, "x'01'"), "(c < B\"AQ==\" OR " NOT(" AND NOT (c >= B\"\")") ")");
  CHECK(exact(TEXT_, LT, "x'01'"));
  CHECK_STR(f(TEXT_, EQ, "x''"), "c = B\"\"");
  /* a blob is above every number and text */
  CHECK(strstr(f(NUM_, GT, "30"), "NOT (c >= B\"\")") == 0);
  CHECK(strstr(f(NUM_, LT, "30"), "\"B\"") == 0);
  /* NULL: never true */
  CHECK_STR(f(TEXT_, EQ, "NULL"), "FALSE");
  CHECK_STR(f(NUM_, NE, "NULL"), "FALSE");
  CHECK(exact(NUM_, LT, "NULL"));
  /* IS NULL: missing or NULL; IS NOT NULL: the others; both exact */
  CHECK_STR(f(NUM_, FILTER_ISNULL, "0"), "(attribute_not_exists(c) OR attribute_type(c, S\"NULL\"))");
  CHECK_STR(f(TEXT_, FILTER_NOTNULL, "0"), NOT(""));
  CHECK(exact(BLOB_, FILTER_ISNULL, "0"));
  CHECK(exact(BLOB_, FILTER_NOTNULL, "0"));
  CHECK(filter_exact(TEXT_, FILTER_ISNULL, 0));
  CHECK(!filter_exact(TEXT_, EQ, 0)); /* value not known at plan time */
  CHECK(!filter_exact(0, FILTER_ISNULL, 0)); /* affinity not known */
}

/* ---- IN --------------------------------------------------------------------------- */

static filter_cond in_cond(int aff) {
  filter_cond c = {"c", aff, FILTER_IN, 0, nVal, aVal};
  return c;
}

static void test_in(void) {
  filter_cond c;
  values("'a', 'b', 3, NULL");
  c = in_cond(NUM_);
  CHECK_NUMS(expression(&c, 1),
             "(c IN (S\"a\", S\"b\") OR c BETWEEN N\"%s\" AND N\"%s\" OR c < S\":\")", LO2(3),
             HI2(3));
  values("'a', 'b', x'00', x'01'");
  c = in_cond(TEXT_);
  CHECK_STR(expression(&c, 1), "(c IN (S\"a\", S\"b\") OR c IN (B\"AA==\", B\"AQ==\"))");
  values("'a'");
  c = in_cond(TEXT_);
  CHECK_STR(expression(&c, 1), "c = S\"a\"");
  /* empty values apart: dynalite's IN misses them */
  values("'a', '', 'b', x''");
  c = in_cond(TEXT_);
  CHECK_STR(expression(&c, 1), "(c IN (S\"a\", S\"b\") OR c = S\"\" OR c = B\"\")");
  values("NULL, NULL");
  c = in_cond(TEXT_);
  CHECK_STR(expression(&c, 1), "FALSE");
  /* a duplicate is sent once */
  values("'a', 'a'");
  c = in_cond(TEXT_);
  CHECK_STR(expression(&c, 1), "c = S\"a\"");
  /* more than FILTER_MAX_IN values: not pushed */
  {
    sqlite3_str *s = sqlite3_str_new(0);
    char *z;
    int i;
    for (i = 0; i <= FILTER_MAX_IN; i++) sqlite3_str_appendf(s, "%s'v%d'", i ? ", " : "", i);
    z = sqlite3_str_finish(s);
    values(z);
    sqlite3_free(z);
    CHECK_INT(nVal, FILTER_MAX_IN + 1);
    c = in_cond(TEXT_);
    CHECK_STR(expression(&c, 1), "TRUE");
    c.nv = FILTER_MAX_IN; /* 100: one IN */
    CHECK(strncmp(expression(&c, 1), "c IN (S\"v0\", ", 13) == 0);
  }
}

/* ---- LIKE and GLOB ---------------------------------------------------------------- */

static void test_patterns(void) {
  /* a prefix: begins_with for S; N's text begins with '-' or a digit, B's
  ** bytes may be anything; never exact */
  CHECK_STR(f(TEXT_, FILTER_LIKE, "'20%'"),
            "(begins_with(c, S\"20\") OR attribute_type(c, S\"N\") OR c >= B\"\")");
  CHECK_STR(f(TEXT_, FILTER_GLOB, "'Pix*'"), "(begins_with(c, S\"Pix\") OR c >= B\"\")");
  CHECK(!exact(TEXT_, FILTER_GLOB, "'Pix*'"));
  /* LIKE ignores the case of letters: the prefix stops before them */
  CHECK_STR(f(TEXT_, FILTER_LIKE, "'Pix%'"), NOT(""));
  CHECK_STR(f(TEXT_, FILTER_LIKE, "'2017-12-20t%'"),
            "(begins_with(c, S\"2017-12-20\") OR attribute_type(c, S\"N\") OR c >= B\"\")");
  /* BOOL shows as 0 or 1; JSON begins with [ or { */
  CHECK_STR(f(TEXT_, FILTER_GLOB, "'1*'"),
            "(begins_with(c, S\"1\") OR attribute_type(c, S\"N\") OR c >= B\"\" OR c = BOOLtrue)");
  CHECK_STR(f(TEXT_, FILTER_LIKE, "'[%'"),
            "(begins_with(c, S\"[\") OR c >= B\"\" OR attribute_type(c, S\"SS\") OR "
            "attribute_type(c, S\"NS\") OR attribute_type(c, S\"BS\") OR attribute_type(c, S\"L\"))");
  /* *x* and %x% (no letters): contains */
  CHECK_STR(f(TEXT_, FILTER_GLOB, "'*el*'"),
            "(contains(c, S\"el\") OR " NOT(" AND NOT (c >= S\"\") AND NOT attribute_type(c, S\"N\")"
                                            " AND NOT (c = BOOLtrue OR c = BOOLfalse)") ")");
  CHECK_STR(f(TEXT_, FILTER_LIKE, "'%12%'"),
            "(contains(c, S\"12\") OR " NOT(" AND NOT (c >= S\"\") AND NOT (c = BOOLtrue OR c = BOOLfalse)") ")");
  CHECK_STR(f(TEXT_, FILTER_LIKE, "'%ab%'"), NOT(""));
  CHECK_STR(f(TEXT_, FILTER_GLOB, "'*a?b*'"), NOT(""));
  /* no literal: only NULL and missing go */
  CHECK_STR(f(TEXT_, FILTER_LIKE, "'%'"), NOT(""));
  CHECK_STR(f(TEXT_, FILTER_LIKE, "NULL"), "FALSE");
  /* numeric affinity: strings that look like numbers may show as numbers */
  CHECK_STR(f(NUM_, FILTER_GLOB, "'Pix*'"), "(begins_with(c, S\"Pix\") OR c >= B\"\" OR c < S\":\")");
}

/* ---- several conditions ------------------------------------------------------------- */

static void test_expression(void) {
  filter_cond c[3];
  values("'Pixel 3', 30, NULL");
  c[0] = (filter_cond){"model", TEXT_, EQ, 1, 1, &aVal[0]};
  c[1] = (filter_cond){"speed", NUM_, GT, 0, 1, &aVal[1]};
  c[2] = (filter_cond){"model", TEXT_, FILTER_NOTNULL, 0, 0, 0};
  CHECK_NUMS(expression(c, 3),
             "model = S\"Pixel 3\" AND (speed >= N\"%s\" OR (attribute_exists(speed) AND "
             "NOT attribute_type(speed, S\"NULL\") AND NOT attribute_type(speed, S\"N\") AND NOT "
             "(speed = BOOLtrue OR speed = BOOLfalse))) AND (attribute_exists(model) AND NOT "
             "attribute_type(model, S\"NULL\"))", LO2(30));
  /* one condition no item meets: nothing at all */
  c[2] = (filter_cond){"x", NUM_, LT, 0, 1, &aVal[2]};
  CHECK_STR(expression(c, 3), "FALSE");
  /* a condition on a column whose affinity is not known is not sent */
  c[2] = (filter_cond){"y", 0, EQ, 0, 1, &aVal[0]};
  CHECK_STR(expression(&c[2], 1), "TRUE");
  CHECK_NUMS(expression(&c[1], 2), "(speed >= N\"%s\" OR (attribute_exists(speed) AND "
             "NOT attribute_type(speed, S\"NULL\") AND NOT attribute_type(speed, S\"N\") AND NOT "
             "(speed = BOOLtrue OR speed = BOOLfalse)))", LO2(30));
  /* the length cap: what is not required is left out once 4000 bytes are
  ** reached, required ones never; the placeholders stay consistent */
  {
    filter_cond many[80];
    int i;
    values("'a value of some length to fill the expression quickly'");
    for (i = 0; i < 80; i++) many[i] = (filter_cond){"attr", TEXT_, NE, i == 79, 1, &aVal[0]};
    {
      const char *z = expression(many, 80);
      CHECK(strlen(z) > 1000);
      CHECK(strstr(z, "bad placeholders") == 0);
    }
    {
      expr_ctx x;
      char *z = 0;
      int res;
      memset(&x, 0, sizeof(x));
      CHECK_INT(filter_expression(&x, many, 80, &z, &res), SQLITE_OK);
      CHECK_INT(res, FILTER_SOME);
      CHECK(z && strlen(z) <= FILTER_MAX_LEN + 200); /* the required one may go over */
      CHECK(z && strlen(z) > FILTER_MAX_LEN - 200);
      sqlite3_free(z);
      expr_reset(&x);
    }
  }
}

/* ---- filter_pattern_prefix -------------------------------------------------- */

static char *zPre;
static const char *prefix(const char *z, int isGlob) {
  sqlite3_free(zPre);
  zPre = filter_pattern_prefix(z, isGlob);
  return zPre ? zPre : "(none)";
}

static void test_pattern_prefix(void) {
  /* LIKE: stops at % _, any ASCII letter, any byte >= 0x80 */
  CHECK_STR(prefix("2017-12%", 0), "2017-12");
  CHECK_STR(prefix("2017-12-20T16%", 0), "2017-12-20");
  CHECK_STR(prefix("2017_12%", 0), "2017");
  CHECK_STR(prefix("12.5", 0), "12.5");
  CHECK_STR(prefix("1[2]*?%", 0), "1[2]*?");
  CHECK_STR(prefix("12 3%", 0), "12 3");
  CHECK_STR(prefix("12a%", 0), "12");
  CHECK_STR(prefix("12Z", 0), "12");
  CHECK_STR(prefix("12\xc3\xa9%", 0), "12");
  CHECK_STR(prefix("abc%", 0), "(none)");
  CHECK_STR(prefix("%2017", 0), "(none)");
  CHECK_STR(prefix("_", 0), "(none)");
  CHECK_STR(prefix("\xc3\xa9", 0), "(none)");
  CHECK_STR(prefix("", 0), "(none)");
  CHECK(filter_pattern_prefix(0, 0) == 0);
  /* GLOB: stops at * ? [ only */
  CHECK_STR(prefix("2017-12*", 1), "2017-12");
  CHECK_STR(prefix("Apple*", 1), "Apple");
  CHECK_STR(prefix("ab?c", 1), "ab");
  CHECK_STR(prefix("ab[cd]*", 1), "ab");
  CHECK_STR(prefix("a%b_c*", 1), "a%b_c");
  CHECK_STR(prefix("caf\xc3\xa9*", 1), "caf\xc3\xa9");
  CHECK_STR(prefix("exact", 1), "exact");
  CHECK_STR(prefix("*", 1), "(none)");
  CHECK_STR(prefix("?x", 1), "(none)");
  CHECK_STR(prefix("[a]x", 1), "(none)");
  CHECK_STR(prefix("", 1), "(none)");
}

/* Out of memory anywhere in cJSON: SQLITE_NOMEM, or the whole expression
** (never a part of it: a filter that lost a part is stricter than SQLite) */
static void test_out_of_memory(void) {
  static const struct { int aff, op; const char *zSql; } aCase[] = {
      {BLOB_, LT, "'Pixel 3'"}, {NUM_, LE, "'abc'"},  {TEXT_, EQ, "'30'"},
      {NUM_, GT, "30"},         {TEXT_, NE, "'x'"},   {BLOB_, GE, "x'01'"},
      {NUM_, EQ, "1e300"},      {TEXT_, LT, "'1a'"},
  };
  cJSON_Hooks hooks = {failing_malloc, free};
  int i;
  cJSON_InitHooks(&hooks);
  for (i = 0; i < (int)(sizeof(aCase) / sizeof(aCase[0])); i++) {
    char *zWant = sqlite3_mprintf("%s", f(aCase[i].aff, aCase[i].op, aCase[i].zSql));
    int k, nFailed = 0;
    for (k = 1; k < 200; k++) {
      const char *z;
      oomAt = k;
      nAlloc = 0;
      z = f(aCase[i].aff, aCase[i].op, aCase[i].zSql);
      oomAt = 0;
      if (nAlloc < k) break; /* it never failed: every allocation seen */
      nFailed++;
      if (strcmp(z, "rc 7") != 0 && strcmp(z, zWant) != 0) {
        CHECK_STR(z, zWant);
        fprintf(stderr, "  case %d, allocation %d failing\n", i, k);
      }
    }
    CHECK(nFailed > 0 && k < 200);
    sqlite3_free(zWant);
  }
  cJSON_InitHooks(0);
}

int main(void) {
  sqlite3_open(":memory:", &db);
  RUN(test_affinity);
  RUN(test_codes);
  RUN(test_text_against_text);
  RUN(test_numbers);
  RUN(test_blobs_and_null);
  RUN(test_in);
  RUN(test_patterns);
  RUN(test_expression);
  RUN(test_pattern_prefix);
  RUN(test_out_of_memory);
  values("1");
  sqlite3_value_free(aVal[0]);
  nVal = 0;
  sqlite3_free(zOut);
  sqlite3_free(zPre);
  sqlite3_close(db);
  CHECK_DONE();
}
