/* Unit tests of number.c: parsing, canonical form, limits, SQLite values. */
#include "number.h"
#include "check.h"

#include <math.h>
#include <stdlib.h>

static const char *canon(const char *z) {
  static char buf[NUM_BUF];
  num_dec d;
  int rc = num_parse(z, -1, &d);
  if (rc != NUM_OK) return num_errstr(rc);
  num_format(&d, buf);
  return buf;
}

static void test_parse_canonical(void) {
  CHECK_STR(canon("0"), "0");
  CHECK_STR(canon("-0"), "0");
  CHECK_STR(canon("000.000"), "0");
  CHECK_STR(canon("5"), "5");
  CHECK_STR(canon("+5"), "5");
  CHECK_STR(canon("5.0"), "5");
  CHECK_STR(canon("1.50"), "1.5");
  CHECK_STR(canon(".5"), "0.5");
  CHECK_STR(canon("5."), "5");
  CHECK_STR(canon("-0.0012"), "-0.0012");
  CHECK_STR(canon("1E+2"), "100");
  CHECK_STR(canon("1e2"), "100");
  CHECK_STR(canon("12.5e-3"), "0.0125");
  CHECK_STR(canon("47.6349834766135"), "47.6349834766135");
  CHECK_STR(canon("-122.14228681282287"), "-122.14228681282287");
  CHECK_STR(canon("1e21"), "1000000000000000000000");
  CHECK_STR(canon("1e37"), "10000000000000000000000000000000000000");
  CHECK_STR(canon("1e38"), "1E+38");
  CHECK_STR(canon("-1.5e40"), "-1.5E+40");
  CHECK_STR(canon("1e20"), "100000000000000000000");
  CHECK_STR(canon("1.5e-7"), "1.5E-7");
  CHECK_STR(canon("1.5e-6"), "0.0000015");
  CHECK_STR(canon("9.9999999999999999999999999999999999999E+125"),
            "9.9999999999999999999999999999999999999E+125");
  CHECK_STR(canon("1E-130"), "1E-130");
  CHECK_STR(canon("-1E-130"), "-1E-130");
}

static void test_parse_errors(void) {
  num_dec d;
  CHECK_INT(num_parse("", -1, &d), NUM_SYNTAX);
  CHECK_INT(num_parse("-", -1, &d), NUM_SYNTAX);
  CHECK_INT(num_parse(".", -1, &d), NUM_SYNTAX);
  CHECK_INT(num_parse("1.2.3", -1, &d), NUM_SYNTAX);
  CHECK_INT(num_parse("1e", -1, &d), NUM_SYNTAX);
  CHECK_INT(num_parse("1e+", -1, &d), NUM_SYNTAX);
  CHECK_INT(num_parse("abc", -1, &d), NUM_SYNTAX);
  CHECK_INT(num_parse("NaN", -1, &d), NUM_SYNTAX);
  CHECK_INT(num_parse("Infinity", -1, &d), NUM_SYNTAX);
  CHECK_INT(num_parse(" 1", -1, &d), NUM_SYNTAX);
  CHECK_INT(num_parse("1 ", -1, &d), NUM_SYNTAX);
  CHECK_INT(num_parse("0x10", -1, &d), NUM_SYNTAX);
  /* 38 digits are fine, 39 are not; trailing zeros do not count */
  CHECK_INT(num_parse("12345678901234567890123456789012345678", -1, &d), NUM_OK);
  CHECK_INT(num_parse("123456789012345678901234567890123456789", -1, &d), NUM_PRECISION);
  CHECK_INT(num_parse("1.0000000000000000000000000000000000000000000", -1, &d), NUM_OK);
  CHECK_INT(num_parse("1000000000000000000000000000000000000000000", -1, &d), NUM_OK);
  CHECK_INT(num_parse("1.00000000000000000000000000000000000000000001", -1, &d), NUM_PRECISION);
  CHECK_INT(num_parse("1E126", -1, &d), NUM_RANGE);
  CHECK_INT(num_parse("1E-131", -1, &d), NUM_RANGE);
  CHECK_INT(num_parse("0E-999", -1, &d), NUM_OK);
  CHECK_INT(num_parse("1e99999999999999", -1, &d), NUM_RANGE);
  /* an explicit length stops early */
  CHECK_INT(num_parse("12x", 2, &d), NUM_OK);
}

static void test_cmp(void) {
  num_dec a, b;
  num_parse("5", -1, &a); num_parse("5.0", -1, &b);
  CHECK(num_cmp(&a, &b) == 0);
  num_parse("-5", -1, &a); num_parse("3", -1, &b);
  CHECK(num_cmp(&a, &b) < 0);
  num_parse("-5", -1, &a); num_parse("-30", -1, &b);
  CHECK(num_cmp(&a, &b) > 0);
  num_parse("0.5", -1, &a); num_parse("0", -1, &b);
  CHECK(num_cmp(&a, &b) > 0);
  num_parse("1.25", -1, &a); num_parse("1.2", -1, &b);
  CHECK(num_cmp(&a, &b) > 0);
  num_parse("100", -1, &a); num_parse("1E+2", -1, &b);
  CHECK(num_cmp(&a, &b) == 0);
}

static num_sql to_sql(const char *z) {
  num_sql s;
  num_dec d;
  memset(&s, 0, sizeof(s));
  if (num_parse(z, -1, &d) == NUM_OK) num_to_sql(&d, &s);
  return s;
}

static void test_to_sql(void) {
  num_sql s;
  s = to_sql("5"); CHECK_INT(s.type, SQLITE_INTEGER); CHECK_INT(s.i, 5);
  s = to_sql("5.0"); CHECK_INT(s.type, SQLITE_INTEGER); CHECK_INT(s.i, 5);
  s = to_sql("-0"); CHECK_INT(s.type, SQLITE_INTEGER); CHECK_INT(s.i, 0);
  s = to_sql("1E+2"); CHECK_INT(s.type, SQLITE_INTEGER); CHECK_INT(s.i, 100);
  s = to_sql("9223372036854775807");
  CHECK_INT(s.type, SQLITE_INTEGER); CHECK(s.i == INT64_MAX);
  s = to_sql("-9223372036854775808");
  CHECK_INT(s.type, SQLITE_INTEGER); CHECK(s.i == INT64_MIN);
  s = to_sql("9223372036854775808"); /* 2^63: no double prints as this */
  CHECK_INT(s.type, SQLITE_TEXT); CHECK_STR(s.text, "9223372036854775808");
  s = to_sql("47.6349834766135"); CHECK_INT(s.type, SQLITE_FLOAT);
  CHECK(s.r == 47.6349834766135);
  s = to_sql("-122.14228681282287"); CHECK_INT(s.type, SQLITE_FLOAT);
  CHECK(s.r == -122.14228681282287);
  s = to_sql("0.1"); CHECK_INT(s.type, SQLITE_FLOAT); CHECK(s.r == 0.1);
  s = to_sql("1e30"); CHECK_INT(s.type, SQLITE_FLOAT); CHECK(s.r == 1e30);
  /* 17 digits that are not the shortest form of their double */
  s = to_sql("0.10000000000000001"); CHECK_INT(s.type, SQLITE_TEXT);
  CHECK_STR(s.text, "0.10000000000000001");
  s = to_sql("1.000000000000000000001"); CHECK_INT(s.type, SQLITE_TEXT);
  CHECK_STR(s.text, "1.000000000000000000001");
  s = to_sql("12345678901234567890123456789012345678");
  CHECK_INT(s.type, SQLITE_TEXT);
  CHECK_STR(s.text, "12345678901234567890123456789012345678");
}

static const char *from_double(double r) {
  static char buf[NUM_BUF];
  int n, rc = num_from_double(r, buf, &n);
  return rc == NUM_OK ? buf : num_errstr(rc);
}

static void test_from_double(void) {
  CHECK_STR(from_double(47.6349834766135), "47.6349834766135");
  CHECK_STR(from_double(-122.14228681282287), "-122.14228681282287");
  CHECK_STR(from_double(0.1), "0.1");
  CHECK_STR(from_double(0.1 + 0.2), "0.30000000000000004");
  CHECK_STR(from_double(1e21), "1000000000000000000000");
  CHECK_STR(from_double(1e100), "1E+100");
  CHECK_STR(from_double(1152921504606846976.0), "1152921504606846976");
  CHECK_STR(from_double(-9007199254740993.0), "-9007199254740992");
  /* 2^63 is beyond 64-bit integers: shortest form, read back as REAL */
  CHECK_STR(from_double(9223372036854775808.0), "9223372036854776000");
  CHECK_STR(from_double(5.0), "5");
  CHECK_STR(from_double(-0.0), "0");
  CHECK_STR(from_double(1.7976931348623157e308), num_errstr(NUM_RANGE));
  CHECK_STR(from_double(5e-324), num_errstr(NUM_RANGE));
  CHECK_STR(from_double(INFINITY), num_errstr(NUM_SYNTAX));
  CHECK_STR(from_double(NAN), num_errstr(NUM_SYNTAX));
  /* every REAL read back from its text is the same double */
  {
    double vals[] = {1.0 / 3, 2.0 / 3, 1e-100, 123456.789, 9007199254740993.0,
                     0.000001, 6.02214076e23};
    unsigned i;
    for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
      num_dec d;
      num_sql s;
      const char *t = from_double(vals[i]);
      CHECK(num_parse(t, -1, &d) == NUM_OK);
      num_to_sql(&d, &s);
      CHECK(s.type == SQLITE_FLOAT || s.type == SQLITE_INTEGER);
      CHECK((s.type == SQLITE_FLOAT ? s.r : (double)s.i) == vals[i]);
    }
  }
}

/* The fast conversion (exact powers of ten) gives strtod's double. */
static void test_fast_double(void) {
  unsigned x = 12345;
  int i, bad = 0, parsed = 0;
  for (i = 0; i < 200000; i++) {
    char z[64];
    num_dec d;
    num_sql s;
    unsigned long long m;
    int e, nd;
    x = x * 1103515245u + 12345u;
    nd = 1 + (int)(x % 15);
    x = x * 1103515245u + 12345u;
    m = ((unsigned long long)x << 20) ^ (x >> 3);
    x = x * 1103515245u + 12345u;
    e = (int)(x % 60) - 30;
    snprintf(z, sizeof(z), "%s%.*llue%d", (x & 1) ? "-" : "", nd,
             m % 1000000000000000ULL, e);
    if (num_parse(z, -1, &d) != NUM_OK) continue;
    parsed++;
    num_to_sql(&d, &s);
    if (s.type == SQLITE_FLOAT && s.r != strtod(z, 0)) bad++;
    if (s.type == SQLITE_INTEGER && (double)s.i != strtod(z, 0) && llabs(s.i) < (1LL << 53)) bad++;
  }
  CHECK_INT(bad, 0);
  /* every input is a number DynamoDB holds (at most 15 digits, exponents
  ** -30..29): none may be skipped as unparsed */
  CHECK_INT(parsed, 200000);
  {
    num_dec d;
    num_sql s;
    num_parse("23.67", -1, &d);
    num_to_sql(&d, &s);
    CHECK(s.type == SQLITE_FLOAT && s.r == 23.67);
    num_parse("1.5e-25", -1, &d); /* beyond the fast path: strtod */
    num_to_sql(&d, &s);
    CHECK(s.type == SQLITE_FLOAT && s.r == 1.5e-25);
    CHECK_INT(s.ntext, 0); /* text is only made for TEXT */
  }
}

/* Plain notation, never an exponent: what a TEXT column shows. */
static const char *plain(const char *z) {
  static char buf[NUM_PLAIN_BUF];
  num_dec d;
  if (num_parse(z, -1, &d) != NUM_OK) return "ERR";
  num_format_plain(&d, buf);
  return buf;
}

static void test_plain(void) {
  CHECK_STR(plain("1E-10"), "0.0000000001");
  CHECK_STR(plain("1.5E-7"), "0.00000015");
  CHECK_STR(plain("-0.5"), "-0.5");
  CHECK_STR(plain("0"), "0");
  CHECK_STR(plain("-0.0"), "0");
  CHECK_STR(plain("123.4500"), "123.45");
  CHECK_STR(plain("1E+20"), "100000000000000000000");
  CHECK_STR(plain("12.3E+40"), "123000000000000000000000000000000000000000");
  CHECK_INT((int)strlen(plain("-9.9999999999999999999999999999999999999E-93")), 133);
  CHECK_INT((int)strlen(plain("-1.2345678901234567890123456789012345678E-130")), 170);
  CHECK_INT((int)strlen(plain("9.9999999999999999999999999999999999999E+125")), 126);
  /* and the canonical text keeps exponents far from 1 */
  CHECK_STR(canon("1E-10"), "1E-10");
}

int main(void) {
  RUN(test_fast_double);
  RUN(test_parse_canonical);
  RUN(test_parse_errors);
  RUN(test_cmp);
  RUN(test_to_sql);
  RUN(test_from_double);
  RUN(test_plain);
  CHECK_DONE();
}
