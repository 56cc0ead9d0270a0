/*
** libFuzzer target for number.c: DynamoDB numbers as exact decimals.
**
** The input is the text of a number (any bytes, not NUL-terminated). When
** num_parse() accepts it:
**   - num_format() gives valid JSON number text that num_parse() reads back
**     as an equal number (num_cmp == 0) with the same canonical text;
**   - num_to_sql() picks INTEGER only for the exact integer, REAL only when
**     it is the double strtod gives and num_from_double() of that double
**     gives the canonical text back, else TEXT holding the canonical text.
** When the input holds a ',' the two sides are compared: num_cmp is
** antisymmetric and agrees with the doubles' order where those differ.
** An input of exactly 8 bytes is also taken as a double for num_from_double().
** Every violated property aborts (a crash for libFuzzer).
*/
#include "number.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond)                                                          \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_number: property failed at line %d: %s\n",         \
              __LINE__, #cond);                                                \
      abort();                                                                 \
    }                                                                          \
  } while (0)

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int is_json_number(const char *z) {
  int i = 0;
  if (z[i] == '-') i++;
  if (z[i] == '0') i++;
  else if (z[i] >= '1' && z[i] <= '9') while (z[i] >= '0' && z[i] <= '9') i++;
  else return 0;
  if (z[i] == '.') {
    i++;
    if (!(z[i] >= '0' && z[i] <= '9')) return 0;
    while (z[i] >= '0' && z[i] <= '9') i++;
  }
  if (z[i] == 'e' || z[i] == 'E') {
    i++;
    if (z[i] == '+' || z[i] == '-') i++;
    if (!(z[i] >= '0' && z[i] <= '9')) return 0;
    while (z[i] >= '0' && z[i] <= '9') i++;
  }
  return z[i] == 0;
}

/* num_from_double(r): when it succeeds, the text is a valid DynamoDB number
** that strtod reads as exactly r. Returns the rc. */
static int check_from_double(double r, char *buf) {
  num_dec d;
  int n = -1, rc = num_from_double(r, buf, &n);
  if (rc != NUM_OK) {
    REQUIRE(rc == NUM_SYNTAX ? (isnan(r) || isinf(r)) : rc == NUM_RANGE);
    return rc;
  }
  REQUIRE(n > 0 && n < NUM_BUF && (int)strlen(buf) == n);
  REQUIRE(num_parse(buf, n, &d) == NUM_OK);
  REQUIRE(strtod(buf, 0) == r);
  REQUIRE(is_json_number(buf));
  return rc;
}

static void check_one(const char *z, int n, num_dec *d, int *ok) {
  char buf[NUM_BUF], buf2[NUM_BUF], back[NUM_BUF];
  num_dec d2;
  num_sql s;
  int len, len2;
  *ok = num_parse(z, n, d) == NUM_OK;
  if (!*ok) return;
  REQUIRE(d->ndigit >= 0 && d->ndigit <= NUM_MAX_DIGITS);
  memset(buf, 0x55, sizeof(buf));
  len = num_format(d, buf);
  REQUIRE(len > 0 && len < NUM_BUF && (int)strlen(buf) == len);
  REQUIRE(is_json_number(buf));
  REQUIRE(num_parse(buf, len, &d2) == NUM_OK);
  REQUIRE(num_cmp(d, &d2) == 0 && num_cmp(&d2, d) == 0);
  len2 = num_format(&d2, buf2);
  REQUIRE(len2 == len && memcmp(buf, buf2, len) == 0);

  num_to_sql(d, &s);
  switch (s.type) {
    case SQLITE_INTEGER: {
      char ib[32];
      snprintf(ib, sizeof(ib), "%lld", (long long)s.i);
      REQUIRE(strcmp(ib, buf) == 0); /* the exact integer */
      break;
    }
    case SQLITE_FLOAT:
      REQUIRE(!isnan(s.r) && !isinf(s.r));
      REQUIRE(s.r == strtod(buf, 0)); /* the nearest double, however computed */
      REQUIRE(check_from_double(s.r, back) == NUM_OK);
      /* REAL only when the double's shortest text is the number itself */
      REQUIRE(strcmp(back, buf) == 0);
      break;
    case SQLITE_TEXT: /* the canonical text */
      REQUIRE(s.ntext == len && memcmp(s.text, buf, len + 1) == 0);
      break;
    default:
      REQUIRE(0);
  }
}

static int sign(int c) { return c < 0 ? -1 : c > 0; }

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  const char *z = (const char *)data;
  const char *comma;
  num_dec a, b;
  int oka, okb;
  char buf[NUM_BUF];
  if (size > 4096) return 0;

  check_one(z, (int)size, &a, &oka);

  comma = memchr(z, ',', size);
  if (comma) {
    int na = (int)(comma - z);
    check_one(z, na, &a, &oka);
    check_one(comma + 1, (int)size - na - 1, &b, &okb);
    if (oka && okb) {
      int c = num_cmp(&a, &b);
      char ta[NUM_BUF], tb[NUM_BUF];
      double ra, rb;
      REQUIRE(sign(c) == -sign(num_cmp(&b, &a)));
      num_format(&a, ta);
      num_format(&b, tb);
      REQUIRE((c == 0) == (strcmp(ta, tb) == 0));
      ra = strtod(ta, 0);
      rb = strtod(tb, 0);
      if (ra < rb) REQUIRE(c < 0);
      if (ra > rb) REQUIRE(c > 0);
    }
  }

  if (size == sizeof(double)) {
    double r;
    memcpy(&r, data, sizeof(r));
    check_from_double(r, buf);
  }
  return 0;
}
