/*
** args.c: CREATE VIRTUAL TABLE arguments (see args.h).
**
**   CREATE VIRTUAL TABLE tracks USING dynamo(
**     table=Tracks, region='eu-west-1', consistent_read=1,
**     uuid TEXT, timestamp TEXT, latitude N, tags SS);
**
**   CREATE VIRTUAL TABLE tracks USING dynamo(
**     table=Tracks, create=1, billing=provisioned, read_units=5, write_units=5,
**     global_index=ByModel(model, timestamp) KEYS_ONLY,
**     local_index=ByLatitude(latitude) INCLUDE (longitude),
**     uuid TEXT, timestamp TEXT, latitude REAL, longitude REAL, model TEXT,
**     PRIMARY KEY (uuid, timestamp));
**
** Option values may be quoted with '...' or "..." (doubled quotes inside).
** Credentials are refused: the arguments are stored in plain text in the
** database schema.
*/
#include "args.h"
#include "endpoint.h"
#include "url.h"

#include <ctype.h>
#include <stdarg.h>
#include <string.h>

#define MAX_UNITS 1000000000000LL /* read_units/write_units: far above any quota */
#define INDEX_PROJECTION "[ALL | KEYS_ONLY | INCLUDE (attr, ...)]"
#define INDEX_SYNTAX_GLOBAL "NAME(partition_key [, sort_key]) " INDEX_PROJECTION
#define INDEX_SYNTAX_LOCAL "NAME(sort_key) " INDEX_PROJECTION

static int fail(char **pzErr, const char *zFmt, ...) {
  va_list ap;
  va_start(ap, zFmt);
  *pzErr = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

static int is_quote(char c) {
  return c == '"' || c == '`' || c == '[' || c == '\'';
}

/* Trimmed copy of z[0..n), dequoted when quoted ('', "", ``, []). */
static char *dequote(const char *z, int n) {
  char *out, q, qe;
  int i, k = 0;
  while (n > 0 && isspace((unsigned char)*z)) z++, n--;
  while (n > 0 && isspace((unsigned char)z[n - 1])) n--;
  q = n >= 2 ? z[0] : 0;
  qe = q == '[' ? ']' : q;
  if (!is_quote(q) || z[n - 1] != qe) {
    return sqlite3_mprintf("%.*s", n, z);
  }
  if (!(out = sqlite3_malloc(n))) return 0;
  for (i = 1; i < n - 1; i++) {
    out[k++] = z[i];
    if (z[i] == qe && q != '[' && i + 1 < n - 1 && z[i + 1] == qe) i++;
  }
  out[k] = 0;
  return out;
}

/* Would this option name carry a credential? */
static int is_secret_name(const char *z) {
  static const char *const azWord[] = {"secret", "token", "password", "access_key",
                                       "accesskey", "credential"};
  char low[64];
  int i;
  unsigned w;
  for (i = 0; z[i] && i < (int)sizeof(low) - 1; i++) low[i] = (char)tolower((unsigned char)z[i]);
  low[i] = 0;
  for (w = 0; w < sizeof(azWord) / sizeof(azWord[0]); w++) {
    if (strstr(low, azWord[w])) return 1;
  }
  return 0;
}

static int parse_billing(const char *zVal, dyn_args *out, char **pzErr) {
  if (sqlite3_stricmp(zVal, "on_demand") == 0) out->billing = ARGS_BILLING_ON_DEMAND;
  else if (sqlite3_stricmp(zVal, "provisioned") == 0) out->billing = ARGS_BILLING_PROVISIONED;
  else return fail(pzErr, "dynamo: billing must be on_demand or provisioned, not '%s'", zVal);
  return SQLITE_OK;
}

const char *const args_stream_views[5] = {0, "NEW_AND_OLD_IMAGES", "NEW_IMAGE", "OLD_IMAGE",
                                          "KEYS_ONLY"};

static int parse_stream(const char *zVal, dyn_args *out, char **pzErr) {
  int i;
  for (i = 1; i < 5; i++) {
    if (sqlite3_stricmp(zVal, args_stream_views[i]) == 0) {
      out->stream = i;
      return SQLITE_OK;
    }
  }
  return fail(pzErr,
              "dynamo: stream must be new_and_old_images, new_image, old_image or keys_only, "
              "not '%s'",
              zVal);
}

static void free_names(char **az, int n) {
  int i;
  for (i = 0; i < n; i++) sqlite3_free(az[i]);
  sqlite3_free(az);
}

/* A quoted name starts at z ('...', "...", `...` or [...]): just past its
** closing quote (a doubled quote inside is one character, except in
** [...]), or NULL when it is not closed. z must be at a quote. */
static const char *quote_end(const char *z) {
  char qe = *z == '[' ? ']' : *z;
  assert(is_quote(*z));
  for (z++; *z; z++) {
    if (*z != qe) continue;
    if (qe != ']' && z[1] == qe) z++;
    else return z + 1;
  }
  return 0;
}

/* A name at *pz, after spaces: a quoted name, or a bare word that ends at a
** space, ',', '(' or ')'. Its dequoted copy goes to *pzOut and *pz moves past
** it. SQLITE_ERROR when there is none (or the quote is unterminated). */
static int scan_name(const char **pz, char **pzOut) {
  const char *z = *pz, *zEnd;
  while (isspace((unsigned char)*z)) z++;
  if (is_quote(*z)) {
    if (!(zEnd = quote_end(z))) return SQLITE_ERROR;
  } else {
    for (zEnd = z; *zEnd && !isspace((unsigned char)*zEnd) && !strchr(",()", *zEnd); zEnd++) {
    }
  }
  if (zEnd == z) return SQLITE_ERROR;
  if (!(*pzOut = dequote(z, (int)(zEnd - z)))) return SQLITE_NOMEM;
  if ((*pzOut)[0] == 0) {
    sqlite3_free(*pzOut);
    *pzOut = 0;
    return SQLITE_ERROR;
  }
  *pz = zEnd;
  return SQLITE_OK;
}

/* "(a, b, ...)" at *pz, after spaces: the names, dequoted, in a new array
** of *pn entries (at least one). SQLITE_ERROR when malformed. */
static int scan_list(const char **pz, char ***pazOut, int *pn) {
  const char *z = *pz;
  char **az = 0, **aNew;
  int n = 0, rc = SQLITE_ERROR;
  while (isspace((unsigned char)*z)) z++;
  if (*z++ != '(') goto done;
  for (;;) {
    if (!(aNew = sqlite3_realloc64(az, sizeof(*az) * (n + 1)))) {
      rc = SQLITE_NOMEM;
      goto done;
    }
    az = aNew;
    if ((rc = scan_name(&z, &az[n])) != SQLITE_OK) goto done;
    n++;
    rc = SQLITE_ERROR;
    while (isspace((unsigned char)*z)) z++;
    if (*z == ')') break;
    if (*z++ != ',') goto done;
  }
  *pz = z + 1;
  *pazOut = az;
  *pn = n;
  return SQLITE_OK;
done:
  free_names(az, n);
  return rc;
}

static int at_end(const char *z) {
  while (isspace((unsigned char)*z)) z++;
  return *z == 0;
}

/* global_index=NAME(pk [, sk]) [ALL | KEYS_ONLY | INCLUDE (a, ...)],
** local_index=NAME(sk) [...] or NAME(pk, sk). Repeatable. */
static int parse_index(const char *zVal, int local, dyn_args *out, char **pzErr) {
  args_index *ix = sqlite3_realloc64(out->aIndex, sizeof(*ix) * (out->nindex + 1));
  const char *z = zVal, *zWord;
  char **az = 0;
  int n = 0, rc;
  if (!ix) return SQLITE_NOMEM;
  out->aIndex = ix;
  ix = &out->aIndex[out->nindex++];
  memset(ix, 0, sizeof(*ix));
  ix->local = local;
  if ((rc = scan_name(&z, &ix->name)) != SQLITE_OK) goto syntax;
  if ((rc = scan_list(&z, &az, &n)) != SQLITE_OK) goto syntax;
  if (n > 2) {
    free_names(az, n);
    rc = SQLITE_ERROR;
    goto syntax;
  }
  if (n == 2 || !local) {
    ix->pk = az[0];
    ix->sk = n > 1 ? az[1] : 0;
  } else {
    ix->sk = az[0];
  }
  sqlite3_free(az);
  while (isspace((unsigned char)*z)) z++;
  for (zWord = z; isalpha((unsigned char)*z) || *z == '_'; z++) {
  }
  if (z - zWord == 3 && sqlite3_strnicmp(zWord, "ALL", 3) == 0) {
    ix->projection = ARGS_PROJ_ALL;
  } else if (z - zWord == 9 && sqlite3_strnicmp(zWord, "KEYS_ONLY", 9) == 0) {
    ix->projection = ARGS_PROJ_KEYS_ONLY;
  } else if (z - zWord == 7 && sqlite3_strnicmp(zWord, "INCLUDE", 7) == 0) {
    ix->projection = ARGS_PROJ_INCLUDE;
    if ((rc = scan_list(&z, &ix->azInclude, &ix->ninclude)) != SQLITE_OK) goto syntax;
  } else if (z != zWord) {
    rc = SQLITE_ERROR;
    goto syntax;
  }
  if (!at_end(z)) {
    rc = SQLITE_ERROR;
    goto syntax;
  }
  return SQLITE_OK;
syntax:
  if (rc != SQLITE_ERROR) return rc;
  return fail(pzErr, "dynamo: %s must look like %s, not '%s'",
              local ? "local_index" : "global_index",
              local ? INDEX_SYNTAX_LOCAL : INDEX_SYNTAX_GLOBAL, zVal);
}

/* "PRIMARY KEY (...)", any case: where its column list starts, or NULL
** when z is not one. */
static const char *primary_key(const char *z) {
  while (isspace((unsigned char)*z)) z++;
  if (sqlite3_strnicmp(z, "PRIMARY", 7) || !isspace((unsigned char)z[7])) return 0;
  for (z += 7; isspace((unsigned char)*z); z++) {
  }
  if (sqlite3_strnicmp(z, "KEY", 3) || (z[3] && z[3] != '(' && !isspace((unsigned char)z[3]))) {
    return 0;
  }
  return z + 3;
}

static int parse_primary_key(const char *zArg, const char *zList, dyn_args *out, char **pzErr) {
  char **az = 0;
  int n = 0, rc;
  if (out->pk) return fail(pzErr, "dynamo: PRIMARY KEY given twice");
  rc = scan_list(&zList, &az, &n);
  if (rc == SQLITE_NOMEM) return rc;
  if (rc != SQLITE_OK || n > 2 || !at_end(zList)) {
    if (rc == SQLITE_OK) free_names(az, n);
    return fail(pzErr,
                "dynamo: PRIMARY KEY takes the partition key column and optionally the sort "
                "key column: PRIMARY KEY (partition_key [, sort_key]), not '%s'",
                zArg);
  }
  out->pk = az[0];
  out->sk = n > 1 ? az[1] : 0;
  sqlite3_free(az);
  return SQLITE_OK;
}

/* ---- options ------------------------------------------------------------ */

/* How an option's value is read, and where it goes. */
enum {
  OPT_TEXT,    /* a non-empty string: char * */
  OPT_FLAG,    /* 0 or 1: int */
  OPT_INT,     /* an integer from 1 to max: sqlite3_int64 */
  OPT_COUNT,   /* an integer from 0 to max: sqlite3_int64 */
  OPT_BILLING, /* on_demand or provisioned */
  OPT_STREAM,  /* a stream view type */
  OPT_SEGMENT, /* K or K-L */
  OPT_INDEX    /* global_index= (arg 0), local_index= (arg 1): repeatable */
};

/* What the schema stored in a database file may set without the user's
** trust (see args_untrusted and ARCHITECTURE.md, "Opening someone else's
** database"). An option that decides where requests and credentials go,
** or lets a statement do more work than the defaults, is honoured from
** there only when the user trusts the file; one that only acts in the
** user's own CREATE, reads less, or changes how the answer is read, is
** not judged. */
enum {
  TRUST_ANY = 0,  /* any value: not judged */
  TRUST_UPTO,     /* OPT_INT, OPT_FLAG: values up to .safe */
  TRUST_ENDPOINT, /* one of DynamoDB's AWS endpoints, or the user's own */
  TRUST_PROFILE,  /* the profile the user's environment names */
  TRUST_CA,       /* the user's own AWS_CA_BUNDLE */
  TRUST_MODE,     /* the user's own retry mode */
  TRUST_TABLE     /* a name, or an ARN of the account the user's configuration names */
};

typedef struct option_def {
  const char *zName;
  int kind;
  size_t offset;       /* of the field in dyn_args */
  sqlite3_int64 max;   /* OPT_INT: the largest value */
  int arg;             /* OPT_INDEX: local */
  int trust;           /* TRUST_*: what a stored schema may set */
  sqlite3_int64 safe;  /* TRUST_UPTO: the largest value it may set (-1:
                       ** the user's own, args_trust.max_attempts) */
} option_def;

/* The defaults (README, Configuration): a stored schema may ask for less */
#define SAFE_CONNECT_MS 10000
#define SAFE_REQUEST_MS 60000
#define SAFE_RETRY_MS 120000
#define SAFE_SEGMENTS 16 /* read side by side (HTTP_MAX_IN_FLIGHT) */

#define AT(field) offsetof(dyn_args, field)
static const option_def aOption[] = {
    /* where requests go: the user's account; an AWS endpoint of its region */
    {"table", OPT_TEXT, AT(table), 0, 0, TRUST_TABLE, 0},
    {"region", OPT_TEXT, AT(region), 0, 0, TRUST_ANY, 0},
    {"endpoint", OPT_TEXT, AT(endpoint), 0, 0, TRUST_ENDPOINT, 0},
    /* whose credentials (a credential_process runs), and its endpoints */
    {"profile", OPT_TEXT, AT(profile), 0, 0, TRUST_PROFILE, 0},
    /* at most twice the read units of the reads the user runs */
    {"consistent_read", OPT_FLAG, AT(consistent_read), 0, 0, TRUST_ANY, 0},
    /* these act only in the user's own CREATE, never on opening a file */
    {"create", OPT_FLAG, AT(create), 0, 0, TRUST_ANY, 0},
    {"billing", OPT_BILLING, AT(billing), 0, 0, TRUST_ANY, 0},
    {"read_units", OPT_INT, AT(read_units), MAX_UNITS, 0, TRUST_ANY, 0},
    {"write_units", OPT_INT, AT(write_units), MAX_UNITS, 0, TRUST_ANY, 0},
    {"global_index", OPT_INDEX, 0, 0, 0, TRUST_ANY, 0},
    {"local_index", OPT_INDEX, 0, 0, 1, TRUST_ANY, 0},
    {"stream", OPT_STREAM, AT(stream), 0, 0, TRUST_ANY, 0},
    /* at most twice the write units of the writes the user runs */
    {"atomic", OPT_FLAG, AT(atomic), 0, 0, TRUST_ANY, 0},
    /* requests per Scan: at least one per segment */
    {"segments", OPT_INT, AT(segments), ARGS_MAX_SEGMENTS, 0, TRUST_UPTO, SAFE_SEGMENTS},
    {"segment", OPT_SEGMENT, 0, 0, 0, TRUST_ANY, 0}, /* reads less */
    /* how long a statement may hang, and how many times it sends */
    {"connect_timeout_ms", OPT_INT, AT(transport.connect_ms), MAX_UNITS, 0, TRUST_UPTO,
     SAFE_CONNECT_MS},
    {"request_timeout_ms", OPT_INT, AT(transport.request_ms), MAX_UNITS, 0, TRUST_UPTO,
     SAFE_REQUEST_MS},
    {"max_attempts", OPT_INT, AT(transport.max_attempts), 100, 0, TRUST_UPTO, -1},
    {"retry_time_ms", OPT_INT, AT(transport.retry_ms), MAX_UNITS, 0, TRUST_UPTO, SAFE_RETRY_MS},
    /* which certificates vouch for the endpoint; plain http off loopback */
    {"ca_bundle", OPT_TEXT, AT(transport.ca_bundle), 0, 0, TRUST_CA, 0},
    {"allow_http", OPT_FLAG, AT(transport.allow_http), 0, 0, TRUST_UPTO, 0},
    /* these only slow a statement down */
    {"max_read_units", OPT_INT, AT(transport.max_read_units), MAX_UNITS, 0, TRUST_ANY, 0},
    {"max_write_units", OPT_INT, AT(transport.max_write_units), MAX_UNITS, 0, TRUST_ANY, 0},
    /* scan=1 overrides the user's dynamo_config('scan', 0) */
    {"scan", OPT_FLAG, AT(scan), 0, 0, TRUST_UPTO, 0},
    /* which of the table's own indexes; filter=0 reads the same items */
    {"indexes", OPT_TEXT, AT(indexes), 0, 0, TRUST_ANY, 0},
    {"filter", OPT_FLAG, AT(filter), 0, 0, TRUST_ANY, 0},
    /* the memory a statement may fill with a copy of the table (MB) */
    {"read_once", OPT_COUNT, AT(read_once), ARGS_MAX_READ_ONCE, 0, TRUST_UPTO, ARGS_READ_ONCE_MB},
    /* legacy sends up to 10 attempts and has no retry quota */
    {"retry_mode", OPT_TEXT, AT(transport.retry_mode), 0, 0, TRUST_MODE, 0},
};
#undef AT
#define N_OPTION (int)(sizeof(aOption) / sizeof(aOption[0]))

/* "table, region, ...": every option, for the message of an unknown one. */
static char *option_list(void) {
  sqlite3_str *s = sqlite3_str_new(0);
  int i;
  for (i = 0; i < N_OPTION; i++) sqlite3_str_appendf(s, "%s%s", i ? ", " : "", aOption[i].zName);
  return sqlite3_str_finish(s);
}

/* An integer from 1 (OPT_COUNT: 0) to max, digits only. */
static int parse_int(const option_def *o, const char *zVal, sqlite3_int64 *pOut, char **pzErr) {
  sqlite3_int64 n = 0, least = o->kind == OPT_COUNT ? 0 : 1;
  const char *z;
  for (z = zVal; *z >= '0' && *z <= '9' && n <= o->max; z++) n = n * 10 + (*z - '0');
  if (!*z && z > zVal && n >= least && n <= o->max) {
    *pOut = n;
    return SQLITE_OK;
  }
  if (o->max == MAX_UNITS) {
    return fail(pzErr, "dynamo: %s must be a positive integer (at most %lld), not '%s'", o->zName,
                MAX_UNITS, zVal);
  }
  return fail(pzErr, "dynamo: %s must be between %lld and %lld, not '%s'", o->zName, least, o->max,
              zVal);
}

/* segment=K or segment=K-L: the segments of a Scan this table reads, so
** that several processes, each with its share, read a table once. Checked
** against segments= once every argument is read. */
static int parse_segment(const char *zVal, dyn_args *out, char **pzErr) {
  sqlite3_int64 a[2] = {0, 0};
  const char *z = zVal;
  int i;
  for (i = 0; i < 2; i++) {
    const char *zStart = z;
    while (*z >= '0' && *z <= '9' && a[i] < ARGS_MAX_SEGMENTS) a[i] = a[i] * 10 + (*z++ - '0');
    if (z == zStart || a[i] >= ARGS_MAX_SEGMENTS) break;
    if (i == 0 && *z == 0) a[1] = a[0];
    if (*z == 0) {
      out->segment_first = a[0];
      out->segment_last = a[1];
      if (a[0] <= a[1]) return SQLITE_OK;
      break;
    }
    if (i == 1 || *z++ != '-') break;
  }
  return fail(pzErr,
              "dynamo: segment must be a segment number K or a range K-L (0 <= K <= L < "
              "segments), not '%s'",
              zVal);
}

/* One option's value into its field. */
static int set_option(const option_def *o, char **pzVal, dyn_args *out, char **pzErr) {
  void *pField = (char *)out + o->offset;
  const char *zVal = *pzVal;
  switch (o->kind) {
    case OPT_TEXT:
      if (zVal[0] == 0) return fail(pzErr, "dynamo: option '%s' is empty", o->zName);
      *(char **)pField = *pzVal;
      *pzVal = 0;
      return SQLITE_OK;
    case OPT_FLAG:
      if (strcmp(zVal, "0") && strcmp(zVal, "1")) {
        return fail(pzErr, "dynamo: %s must be 0 or 1, not '%s'", o->zName, zVal);
      }
      *(int *)pField = zVal[0] == '1';
      return SQLITE_OK;
    case OPT_INT: case OPT_COUNT: return parse_int(o, zVal, (sqlite3_int64 *)pField, pzErr);
    case OPT_BILLING: return parse_billing(zVal, out, pzErr);
    case OPT_STREAM: return parse_stream(zVal, out, pzErr);
    case OPT_SEGMENT: return parse_segment(zVal, out, pzErr);
    default: return parse_index(zVal, o->arg, out, pzErr);
  }
}

static int parse_option(const char *z, const char *zEq, unsigned *pGiven, dyn_args *out,
                        char **pzErr) {
  char *zKey = dequote(z, (int)(zEq - z)), *zVal = 0;
  int i, rc = SQLITE_OK;
  if (!zKey) return SQLITE_NOMEM;
  for (i = 0; i < N_OPTION && sqlite3_stricmp(zKey, aOption[i].zName); i++) {
  }
  if (i == N_OPTION) {
    if (is_secret_name(zKey)) {
      rc = fail(pzErr,
                "dynamo: option '%s' refused: credentials are never accepted as arguments, "
                "because arguments are stored in plain text in the database schema; use "
                "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile (profile=NAME, "
                "~/.aws/credentials)",
                zKey);
    } else {
      char *zList = option_list();
      rc = zList ? fail(pzErr, "dynamo: unknown option '%s' (options: %s)", zKey, zList)
                 : SQLITE_NOMEM;
      sqlite3_free(zList);
    }
  } else if (aOption[i].kind != OPT_INDEX && (*pGiven & (1u << i))) {
    rc = fail(pzErr, "dynamo: option '%s' given twice", aOption[i].zName);
  } else if (!(zVal = dequote(zEq + 1, (int)strlen(zEq + 1)))) {
    rc = SQLITE_NOMEM;
  } else {
    *pGiven |= 1u << i;
    rc = set_option(&aOption[i], &zVal, out, pzErr);
  }
  sqlite3_free(zKey);
  sqlite3_free(zVal);
  return rc;
}

/* ---- column types ------------------------------------------------------ */

/* Words that end a type in a column definition (a constraint follows), or
** make the column hidden: a type holding one would declare something else
** than a type. */
static const char *const azNotType[] = {"CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE",
                                        "CHECK", "DEFAULT", "COLLATE", "REFERENCES",
                                        "GENERATED", "AS", "HIDDEN", "DEFERRABLE"};

/* [+-]digits[.digits] at *pz, after spaces: 1 and *pz past it, or 0. */
static int type_number(const char **pz) {
  const char *z = *pz, *zStart;
  while (*z == ' ') z++;
  if (*z == '+' || *z == '-') z++;
  for (zStart = z; isdigit((unsigned char)*z); z++) {
  }
  if (z == zStart) return 0;
  if (*z == '.') {
    for (zStart = ++z; isdigit((unsigned char)*z); z++) {
    }
    if (z == zStart) return 0;
  }
  while (*z == ' ') z++;
  *pz = z;
  return 1;
}

const char *args_type_problem(const char *z) {
  static const char zSyntax[] = "a type is words of letters, digits and _ separated by spaces, "
                                "then at most (N) or (N, M)";
  int nWord = 0;
  unsigned i;
  if (!*z) return 0; /* no type */
  for (;;) {
    const char *w = z;
    if (!isalpha((unsigned char)*z) && *z != '_') return zSyntax;
    while (isalnum((unsigned char)*z) || *z == '_') z++;
    if (nWord == 0 && *z == 0 && sqlite3_stricmp(w, "NULL") == 0) return 0; /* DynamoDB's */
    for (i = 0; i < sizeof(azNotType) / sizeof(azNotType[0]); i++) {
      if (strlen(azNotType[i]) == (size_t)(z - w) &&
          sqlite3_strnicmp(w, azNotType[i], (int)(z - w)) == 0) {
        return "it holds a column constraint or HIDDEN, which are not types (CONSTRAINT, "
               "PRIMARY, NOT, NULL, UNIQUE, CHECK, DEFAULT, COLLATE, REFERENCES, GENERATED, "
               "AS, HIDDEN, DEFERRABLE); the keys are named with PRIMARY KEY (...)";
      }
    }
    nWord++;
    if (*z == 0) return 0;
    while (*z == ' ') z++;
    if (*z == 0) return zSyntax; /* a space at the end */
    if (*z == '(') break;
  }
  z++;
  if (!type_number(&z)) return zSyntax;
  if (*z == ',') {
    z++;
    if (!type_number(&z)) return zSyntax;
  }
  return z[0] == ')' && z[1] == 0 ? 0 : zSyntax;
}

/* "name [type]": the name is an identifier or a quoted one. */
static int parse_column(const char *z, dyn_args *out, char **pzErr) {
  const char *zEnd;
  args_column *aNew, *c;
  int i;
  while (isspace((unsigned char)*z)) z++;
  if (is_quote(*z)) {
    if (!(zEnd = quote_end(z))) return fail(pzErr, "dynamo: unterminated quoted column name: %s", z);
  } else {
    for (zEnd = z; *zEnd && !isspace((unsigned char)*zEnd); zEnd++) {
    }
  }
  if (zEnd == z) return fail(pzErr, "dynamo: empty column definition%s", "");
  aNew = sqlite3_realloc64(out->aCol, sizeof(*aNew) * (out->ncol + 1));
  if (!aNew) return SQLITE_NOMEM;
  out->aCol = aNew;
  c = &aNew[out->ncol];
  c->name = dequote(z, (int)(zEnd - z));
  c->type = dequote(zEnd, (int)strlen(zEnd));
  if (!c->name || !c->type) {
    sqlite3_free(c->name);
    sqlite3_free(c->type);
    return SQLITE_NOMEM;
  }
  out->ncol++;
  if (c->name[0] == 0) return fail(pzErr, "dynamo: empty column name%s", "");
  if (args_type_problem(c->type)) {
    return fail(pzErr, "dynamo: invalid type for column %s: '%s' (%s)", c->name, c->type,
                args_type_problem(c->type));
  }
  if (args_is_reserved(c->name)) {
    return fail(pzErr,
                "dynamo: column name '%s' is reserved for a hidden column (item: the whole "
                "item, _key: its primary key)",
                c->name);
  }
  for (i = 0; i < out->ncol - 1; i++) {
    if (sqlite3_stricmp(out->aCol[i].name, c->name) == 0) {
      return fail(pzErr, "dynamo: duplicate column name: %s", c->name);
    }
  }
  return SQLITE_OK;
}

int args_is_reserved(const char *zName) {
  return sqlite3_stricmp(zName, ARGS_ITEM_COLUMN) == 0 || sqlite3_stricmp(zName, ARGS_KEY_COLUMN) == 0;
}

const args_column *args_find_column(const dyn_args *a, const char *zName) {
  int i;
  for (i = 0; i < a->ncol; i++) {
    if (sqlite3_stricmp(a->aCol[i].name, zName) == 0) return &a->aCol[i];
  }
  return 0;
}

/* A key column must be declared (its type makes the attribute's type): the
** name becomes the column's own spelling. zWhat names the key in messages. */
static int resolve_key(const dyn_args *a, char **pzName, const char *zWhat, char **pzErr) {
  const args_column *c = args_find_column(a, *pzName);
  char *z;
  if (!c) {
    return fail(pzErr,
                "dynamo: %s column %s is not a declared column: declare it with its type, "
                "e.g. %s TEXT",
                zWhat, *pzName, *pzName);
  }
  if (!(z = sqlite3_mprintf("%s", c->name))) return SQLITE_NOMEM;
  sqlite3_free(*pzName);
  *pzName = z;
  return SQLITE_OK;
}

static int check_index(dyn_args *a, int i, char **pzErr) {
  args_index *ix = &a->aIndex[i];
  char *zWhat = sqlite3_mprintf("%s %s", ix->local ? "local index" : "global index", ix->name);
  int j, rc = SQLITE_OK;
  if (!zWhat) return SQLITE_NOMEM;
  for (j = 0; j < i; j++) {
    if (strcmp(a->aIndex[j].name, ix->name) == 0) {
      rc = fail(pzErr, "dynamo: index name %s given twice", ix->name);
      goto done;
    }
  }
  if (ix->local) {
    if (!a->sk) {
      rc = fail(pzErr,
                "dynamo: %s needs a table with a sort key: PRIMARY KEY (partition_key, "
                "sort_key)",
                zWhat);
      goto done;
    }
    if (ix->pk && sqlite3_stricmp(ix->pk, a->pk) != 0) {
      rc = fail(pzErr, "dynamo: %s must have the table's partition key %s, not %s", zWhat, a->pk,
                ix->pk);
      goto done;
    }
    sqlite3_free(ix->pk);
    if (!(ix->pk = sqlite3_mprintf("%s", a->pk))) {
      rc = SQLITE_NOMEM;
      goto done;
    }
  }
  if ((rc = resolve_key(a, &ix->pk, zWhat, pzErr)) != SQLITE_OK) goto done;
  if (ix->sk && (rc = resolve_key(a, &ix->sk, zWhat, pzErr)) != SQLITE_OK) goto done;
  if (ix->sk && strcmp(ix->pk, ix->sk) == 0) {
    rc = fail(pzErr, "dynamo: %s has %s as both partition key and sort key", zWhat, ix->pk);
  }
done:
  sqlite3_free(zWhat);
  return rc;
}

/* What depends on more than one argument (see args.h). */
static int check_create(dyn_args *a, char **pzErr) {
  int i, rc = SQLITE_OK;
  if (a->segment_first >= 0 && !a->segments) {
    return fail(pzErr,
                "dynamo: segment=%lld needs segments=N, the number of segments the table is "
                "cut into",
                a->segment_first);
  }
  if (a->segment_last >= a->segments && a->segments) {
    return fail(pzErr, "dynamo: segment %lld is not below segments=%lld (segments are "
                "numbered from 0)", a->segment_last, a->segments);
  }
  if (!a->create) {
    const char *zOpt = a->billing ? "billing"
                       : a->read_units ? "read_units"
                       : a->write_units ? "write_units"
                       : a->nindex ? (a->aIndex[0].local ? "local_index" : "global_index")
                       : a->stream ? "stream"
                       : 0;
    if (zOpt) {
      return fail(pzErr,
                  "dynamo: option '%s' only applies when create=1 creates the table (it "
                  "never changes an existing table)",
                  zOpt);
    }
  } else if (!a->pk) {
    return fail(pzErr,
                "dynamo: create=1 needs PRIMARY KEY (partition_key [, sort_key]) naming "
                "declared columns, e.g. uuid TEXT, timestamp TEXT, PRIMARY KEY (uuid, "
                "timestamp)");
  }
  if (a->billing == ARGS_BILLING_PROVISIONED && (!a->read_units || !a->write_units)) {
    return fail(pzErr, "dynamo: billing=provisioned needs read_units=N and write_units=N");
  }
  if (a->billing != ARGS_BILLING_PROVISIONED && (a->read_units || a->write_units)) {
    return fail(pzErr,
                "dynamo: %s needs billing=provisioned (an on-demand table has no provisioned "
                "capacity)",
                a->read_units ? "read_units" : "write_units");
  }
  if (a->pk) {
    if ((rc = resolve_key(a, &a->pk, "PRIMARY KEY", pzErr)) != SQLITE_OK) return rc;
    if (a->sk && (rc = resolve_key(a, &a->sk, "PRIMARY KEY", pzErr)) != SQLITE_OK) return rc;
    if (a->sk && strcmp(a->pk, a->sk) == 0) {
      return fail(pzErr, "dynamo: PRIMARY KEY names column %s twice", a->pk);
    }
  }
  for (i = 0; rc == SQLITE_OK && i < a->nindex; i++) rc = check_index(a, i, pzErr);
  return rc;
}

/* The '=' of an option, or NULL for a column definition: an '=' inside a
** quoted column name ("x=y" TEXT, 'k=v' S) is not one, an '=' right after a
** quoted option name ('table'=Tracks) is. */
static const char *option_eq(const char *z) {
  while (isspace((unsigned char)*z)) z++;
  if (!is_quote(*z)) return strchr(z, '=');
  if (!(z = quote_end(z))) return 0; /* unterminated: parse_column says so */
  while (isspace((unsigned char)*z)) z++;
  return *z == '=' ? z : 0;
}

int args_parse(int argc, const char *const *argv, dyn_args *out, char **pzErr) {
  unsigned given = 0; /* bit i: aOption[i] was given */
  int i, rc = SQLITE_OK;
  assert(N_OPTION <= 32);
  memset(out, 0, sizeof(*out));
  out->scan = -1; /* stays -1: the connection's dynamo_config('scan') decides */
  out->segment_first = out->segment_last = -1;
  out->filter = 1;
  out->read_once = ARGS_READ_ONCE_MB;
  for (i = 3; i < argc && rc == SQLITE_OK; i++) {
    const char *z = argv[i], *zList = primary_key(z), *zEq = zList ? 0 : option_eq(z);
    if (zList) rc = parse_primary_key(z, zList, out, pzErr);
    else if (zEq) rc = parse_option(z, zEq, &given, out, pzErr);
    else rc = parse_column(z, out, pzErr);
  }
  if (rc == SQLITE_OK && !out->table) {
    rc = fail(pzErr, "dynamo: missing option table=NAME (the DynamoDB table to read)%s", "");
  }
  if (rc == SQLITE_OK) rc = check_create(out, pzErr);
  if (rc != SQLITE_OK) args_free(out);
  return rc;
}

/* ---- trust ----------------------------------------------------------------- */

/* May a stored schema set option o to its value in a? */
static int honoured(const option_def *o, const dyn_args *a, const args_trust *t) {
  const void *pField = (const char *)a + o->offset;
  const char *z = o->kind == OPT_TEXT ? *(char *const *)pField : 0;
  sqlite3_int64 n = o->kind == OPT_FLAG  ? *(const int *)pField
                    : o->kind == OPT_INT ? *(const sqlite3_int64 *)pField
                                         : 0;
  switch (o->trust) {
    case TRUST_UPTO: return n <= (o->safe < 0 ? t->max_attempts : o->safe);
    case TRUST_ENDPOINT: return !z || url_is_aws_dynamodb(z) || url_same(z, t->endpoint);
    case TRUST_PROFILE: return !z || (t->profile && strcmp(z, t->profile) == 0);
    case TRUST_CA: return !z || (t->ca_bundle && strcmp(z, t->ca_bundle) == 0);
    case TRUST_MODE: return !z || (t->retry_mode && strcmp(z, t->retry_mode) == 0);
    case TRUST_TABLE: {
      endpoint_arn arn;
      int same;
      if (!z || endpoint_table_arn(z, &arn) != SQLITE_OK) return 1; /* a name */
      same = t->account && strcmp(arn.account, t->account) == 0;
      sqlite3_free(arn.zCopy);
      return same;
    }
  }
  return 1;
}

char *args_untrusted(const dyn_args *a, const args_trust *t, int *pRc) {
  sqlite3_str *s = sqlite3_str_new(0);
  char *z;
  int i;
  for (i = 0; i < N_OPTION; i++) {
    const option_def *o = &aOption[i];
    const void *pField = (const char *)a + o->offset;
    if (honoured(o, a, t)) continue;
    if (sqlite3_str_length(s)) sqlite3_str_appendall(s, ", ");
    if (o->kind == OPT_TEXT) sqlite3_str_appendf(s, "%s=%Q", o->zName, *(char *const *)pField);
    else if (o->kind == OPT_FLAG) sqlite3_str_appendf(s, "%s=%d", o->zName, *(const int *)pField);
    else sqlite3_str_appendf(s, "%s=%lld", o->zName, *(const sqlite3_int64 *)pField);
  }
  *pRc = sqlite3_str_errcode(s);
  z = sqlite3_str_finish(s);
  if (*pRc != SQLITE_OK) {
    sqlite3_free(z);
    return 0;
  }
  return z; /* NULL when empty */
}

void args_free(dyn_args *a) {
  int i;
  sqlite3_free(a->table);
  sqlite3_free(a->region);
  sqlite3_free(a->endpoint);
  sqlite3_free(a->profile);
  sqlite3_free(a->transport.ca_bundle);
  sqlite3_free(a->transport.retry_mode);
  sqlite3_free(a->indexes);
  sqlite3_free(a->pk);
  sqlite3_free(a->sk);
  for (i = 0; i < a->nindex; i++) {
    args_index *ix = &a->aIndex[i];
    sqlite3_free(ix->name);
    sqlite3_free(ix->pk);
    sqlite3_free(ix->sk);
    free_names(ix->azInclude, ix->ninclude);
  }
  sqlite3_free(a->aIndex);
  for (i = 0; i < a->ncol; i++) {
    sqlite3_free(a->aCol[i].name);
    sqlite3_free(a->aCol[i].type);
  }
  sqlite3_free(a->aCol);
  memset(a, 0, sizeof(*a));
}
