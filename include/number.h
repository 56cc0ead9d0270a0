/*
** DynamoDB numbers: up to 38 significant digits, magnitude 1E-130 to
** 9.9999999999999999999999999999999999999E+125, carried as decimal text.
** Pure: parsing, canonical formatting, and the choice of SQLite value
** (INTEGER when integral and within 64 bits, REAL when the double's
** shortest representation is the number itself, else TEXT holding the
** exact decimal). Never rounds through a double unless that is exact.
*/
#ifndef DYNAMO_NUMBER_H
#define DYNAMO_NUMBER_H

#include "common.h"

#define NUM_MAX_DIGITS 38
#define NUM_BUF 64          /* enough for any canonical number */

typedef struct num_dec {
  int neg;                  /* 1 when negative (never for zero) */
  int ndigit;               /* 0 for zero */
  char digit[NUM_MAX_DIGITS + 2]; /* significant digits, no leading or
                            ** trailing zeros, not NUL-terminated */
  int exp;                  /* value = 0.DIGITS x 10^exp */
} num_dec;

enum {
  NUM_OK = 0,
  NUM_SYNTAX,               /* not a decimal number */
  NUM_PRECISION,            /* more than 38 significant digits */
  NUM_RANGE                 /* magnitude outside DynamoDB's range */
};

/* Parse z[0..n) (n<0: up to NUL). Returns NUM_OK or an error above. */
int num_parse(const char *z, int n, num_dec *out);

/* A short English description of a num_parse() error. */
const char *num_errstr(int rc);

/* Canonical text: plain notation when 1e-6 <= |x| < 1e38 (so every integer
** DynamoDB can hold exactly prints in full), else d.dddE+x. Always valid
** JSON and valid for DynamoDB.
** Returns the length written into buf (NUM_BUF bytes). */
int num_format(const num_dec *d, char *buf);

/* Plain decimal text, never an exponent (0.0000000001, not 1E-10; 1E+125
** in full): what a TEXT column shows. Returns the length written into buf
** (NUM_PLAIN_BUF bytes). */
#define NUM_PLAIN_BUF 176   /* sign, "0.", 129 zeros, 38 digits, NUL */
int num_format_plain(const num_dec *d, char *buf);

/* Compare two numbers: <0, 0, >0. */
int num_cmp(const num_dec *a, const num_dec *b);

typedef struct num_sql {
  int type;                 /* SQLITE_INTEGER, SQLITE_FLOAT or SQLITE_TEXT */
  sqlite3_int64 i;
  double r;
  char text[NUM_BUF];       /* canonical decimal: for SQLITE_TEXT only */
  int ntext;
} num_sql;

/* Choose the SQLite value for a DynamoDB number. */
void num_to_sql(const num_dec *d, num_sql *out);

/* The shortest text that reads back as exactly r, in canonical form
** (47.6349834766135, not 47.634983476613498); an integral r within 64 bits
** is written as that exact integer (2^60 is 1152921504606846976, which
** reads back as an INTEGER of the same value). Returns NUM_OK, or
** NUM_SYNTAX for NaN/Infinity and NUM_RANGE outside DynamoDB's range. */
int num_from_double(double r, char *buf, int *pn);

#endif
