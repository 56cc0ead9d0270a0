/*
** number.c: DynamoDB numbers as exact decimals (see number.h).
**
** A number is held as its significant digits and a decimal exponent, which
** is all that is needed to validate it against DynamoDB's limits, print it
** canonically, compare it, and decide whether SQLite can hold it exactly as
** an INTEGER or a REAL. Conversions to and from double use the C locale, so
** a host program's setlocale() cannot change a decimal point.
*/
#include "number.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void) {
  c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static locale_t num_c_locale(void) {
  pthread_once(&c_locale_once, c_locale_init);
  return c_locale;
}

static double c_strtod(const char *z) {
  return strtod_l(z, 0, num_c_locale());
}

int num_parse(const char *z, int n, num_dec *out) {
  int i = 0, sawDigit = 0, afterPoint = 0, nsig = 0, exp = 0;
  memset(out, 0, sizeof(*out));
  if (n < 0) n = (int)strlen(z);
  if (i < n && (z[i] == '+' || z[i] == '-')) out->neg = (z[i++] == '-');
  for (; i < n; i++) {
    char c = z[i];
    if (c == '.') {
      if (afterPoint) return NUM_SYNTAX;
      afterPoint = 1;
      continue;
    }
    if (c < '0' || c > '9') break;
    sawDigit = 1;
    if (nsig == 0 && c == '0') { /* a leading zero only moves the point */
      if (afterPoint) exp--;
      continue;
    }
    if (!afterPoint) exp++;
    if (nsig < NUM_MAX_DIGITS + 1) out->digit[nsig++] = c;
    else if (c != '0') return NUM_PRECISION;
  }
  if (!sawDigit) return NUM_SYNTAX;
  if (i < n && (z[i] == 'e' || z[i] == 'E')) {
    int eneg = 0, e = 0, edigits = 0;
    i++;
    if (i < n && (z[i] == '+' || z[i] == '-')) eneg = (z[i++] == '-');
    for (; i < n && z[i] >= '0' && z[i] <= '9'; i++, edigits++) {
      if (e < 100000) e = e * 10 + (z[i] - '0');
    }
    if (edigits == 0) return NUM_SYNTAX;
    exp += eneg ? -e : e;
  }
  if (i != n) return NUM_SYNTAX;
  while (nsig > 0 && out->digit[nsig - 1] == '0') nsig--;
  if (nsig > NUM_MAX_DIGITS) return NUM_PRECISION;
  out->ndigit = nsig;
  if (nsig == 0) { /* zero: one representation, never negative */
    out->neg = 0;
    out->exp = 0;
    return NUM_OK;
  }
  out->exp = exp;
  if (exp - 1 < -130 || exp - 1 > 125) return NUM_RANGE;
  return NUM_OK;
}

const char *num_errstr(int rc) {
  switch (rc) {
    case NUM_OK: return "ok";
    case NUM_SYNTAX: return "not a number";
    case NUM_PRECISION: return "more than 38 significant digits";
    case NUM_RANGE: return "outside DynamoDB's range (1E-130 to 9.9999999999999999999999999999999999999E+125)";
  }
  return "invalid number";
}

int num_format(const num_dec *d, char *buf) {
  int n = 0, sci = d->exp - 1;
  if (d->ndigit == 0 || (sci >= -6 && sci < NUM_MAX_DIGITS)) return num_format_plain(d, buf);
  if (d->neg) buf[n++] = '-';
  buf[n++] = d->digit[0];
  if (d->ndigit > 1) {
    buf[n++] = '.';
    memcpy(buf + n, d->digit + 1, d->ndigit - 1);
    n += d->ndigit - 1;
  }
  n += snprintf(buf + n, NUM_BUF - n, "E%c%d", sci < 0 ? '-' : '+', sci < 0 ? -sci : sci);
  buf[n] = 0;
  return n;
}

int num_format_plain(const num_dec *d, char *buf) {
  int n = 0, k;
  if (d->ndigit == 0) {
    buf[0] = '0';
    buf[1] = 0;
    return 1;
  }
  if (d->neg) buf[n++] = '-';
  if (d->exp <= 0) { /* 0.000ddd */
    buf[n++] = '0';
    buf[n++] = '.';
    for (k = 0; k < -d->exp; k++) buf[n++] = '0';
    memcpy(buf + n, d->digit, d->ndigit);
    n += d->ndigit;
  } else if (d->exp >= d->ndigit) { /* ddd000 */
    memcpy(buf + n, d->digit, d->ndigit);
    n += d->ndigit;
    for (k = d->ndigit; k < d->exp; k++) buf[n++] = '0';
  } else { /* dd.ddd */
    memcpy(buf + n, d->digit, d->exp);
    n += d->exp;
    buf[n++] = '.';
    memcpy(buf + n, d->digit + d->exp, d->ndigit - d->exp);
    n += d->ndigit - d->exp;
  }
  buf[n] = 0;
  return n;
}

/* Compare magnitudes only. */
static int num_cmp_abs(const num_dec *a, const num_dec *b) {
  int i;
  if (a->ndigit == 0 || b->ndigit == 0) return a->ndigit - b->ndigit;
  if (a->exp != b->exp) return a->exp < b->exp ? -1 : 1;
  for (i = 0; i < a->ndigit && i < b->ndigit; i++) {
    if (a->digit[i] != b->digit[i]) return a->digit[i] < b->digit[i] ? -1 : 1;
  }
  return a->ndigit - b->ndigit;
}

int num_cmp(const num_dec *a, const num_dec *b) {
  int sa = a->ndigit == 0 ? 0 : (a->neg ? -1 : 1);
  int sb = b->ndigit == 0 ? 0 : (b->neg ? -1 : 1);
  int c;
  if (sa != sb) return sa < sb ? -1 : 1;
  c = num_cmp_abs(a, b);
  return sa < 0 ? -c : c;
}

/* The value as a 64-bit integer, if it is integral and fits. */
static int num_to_int64(const num_dec *d, sqlite3_int64 *out) {
  uint64_t v = 0, limit = d->neg ? (uint64_t)1 << 63 : ((uint64_t)1 << 63) - 1;
  int i;
  if (d->exp < d->ndigit || d->exp > 19) return 0;
  for (i = 0; i < d->exp; i++) {
    unsigned c = i < d->ndigit ? (unsigned)(d->digit[i] - '0') : 0;
    if (v > (limit - c) / 10) return 0;
    v = v * 10 + c;
  }
  if (d->neg) *out = v == ((uint64_t)1 << 63) ? INT64_MIN : -(sqlite3_int64)v;
  else *out = (sqlite3_int64)v;
  return 1;
}

/* The double nearest to the number, for at most 15 digits: exactly
** m * 10^k or m / 10^-k when both are exact doubles (m < 2^53, |k| <= 22),
** which IEEE rounds correctly (Clinger's fast path); else strtod. */
static double num_to_double(const num_dec *d, char *buf) {
  static const double aPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  int k = d->exp - d->ndigit, i;
  if (d->ndigit <= 15 && k >= -22 && k <= 22) {
    double m = 0, r;
    for (i = 0; i < d->ndigit; i++) m = m * 10 + (d->digit[i] - '0');
    r = k < 0 ? m / aPow10[-k] : m * aPow10[k];
    return d->neg ? -r : r;
  }
  num_format(d, buf);
  return c_strtod(buf);
}

void num_to_sql(const num_dec *d, num_sql *out) {
  out->ntext = 0;
  out->text[0] = 0;
  if (d->ndigit == 0) {
    out->type = SQLITE_INTEGER;
    out->i = 0;
    return;
  }
  if (num_to_int64(d, &out->i)) {
    out->type = SQLITE_INTEGER;
    return;
  }
  if (d->ndigit <= 17) {
    /* Any decimal of at most 15 digits is what its nearest double prints
    ** as; 16 and 17 digit ones must be checked. */
    char buf[NUM_BUF];
    double r = num_to_double(d, buf);
    int n, ok = 1;
    if (d->ndigit > 15) {
      num_dec back;
      ok = num_from_double(r, buf, &n) == NUM_OK && num_parse(buf, n, &back) == NUM_OK &&
           num_cmp(&back, d) == 0;
    }
    if (ok) {
      out->type = SQLITE_FLOAT;
      out->r = r;
      return;
    }
  }
  out->type = SQLITE_TEXT;
  out->ntext = num_format(d, out->text);
}

int num_from_double(double r, char *buf, int *pn) {
  char tmp[40];
  int prec, rc;
  num_dec d;
  locale_t old;
  if (isnan(r) || isinf(r)) return NUM_SYNTAX;
  if (r == floor(r) && fabs(r) < 9223372036854775807.0) {
    /* an integral double is written as the integer it is exactly, so that
    ** reading it back (as an INTEGER) gives the same value: 2^60 stays
    ** 1152921504606846976, not the shorter 1152921504606847000 */
    *pn = snprintf(buf, NUM_BUF, "%lld", (long long)r);
    if (*pn == 2 && buf[0] == '-' && buf[1] == '0') *pn = snprintf(buf, NUM_BUF, "0");
    return NUM_OK;
  }
  old = uselocale(num_c_locale());
  for (prec = 15; prec < 17; prec++) {
    snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, r);
    if (strtod(tmp, 0) == r) break;
  }
  if (prec == 17) snprintf(tmp, sizeof(tmp), "%.16e", r);
  uselocale(old);
  rc = num_parse(tmp, -1, &d);
  if (rc != NUM_OK) return rc;
  *pn = num_format(&d, buf);
  return NUM_OK;
}
