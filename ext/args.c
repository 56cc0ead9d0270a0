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

#include <ctype.h>
#include <stdarg.h>
#include <string.h>

enum {
  OPT_TABLE, OPT_REGION, OPT_ENDPOINT, OPT_PROFILE, OPT_CONSISTENT_READ, OPT_CREATE,
  OPT_BILLING, OPT_READ_UNITS, OPT_WRITE_UNITS, OPT_GLOBAL_INDEX, OPT_LOCAL_INDEX, OPT_ATOMIC,
  OPT_SEGMENTS, OPT_CONNECT_TIMEOUT, OPT_REQUEST_TIMEOUT, OPT_MAX_ATTEMPTS, OPT_RETRY_TIME,
  OPT_CA_BUNDLE, OPT_ALLOW_HTTP, OPT_MAX_READ_UNITS, OPT_MAX_WRITE_UNITS, OPT_SCAN,
  OPT_INDEXES
};
static const char *const azOption[] = {"table", "region", "endpoint", "profile",
                                       "consistent_read", "create", "billing", "read_units",
                                       "write_units", "global_index", "local_index", "atomic",
                                       "segments", "connect_timeout_ms", "request_timeout_ms",
                                       "max_attempts", "retry_time_ms", "ca_bundle",
                                       "allow_http", "max_read_units", "max_write_units",
                                       "scan", "indexes"};
#define N_OPTION (int)(sizeof(azOption) / sizeof(azOption[0]))
#define OPTION_LIST                                                                        \
  "table, region, endpoint, profile, consistent_read, create, billing, read_units, "       \
  "write_units, global_index, local_index, atomic, segments, connect_timeout_ms, "        \
  "request_timeout_ms, max_attempts, retry_time_ms, ca_bundle, allow_http, max_read_units, "  \
  "max_write_units, scan, indexes"
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

/* Trimmed copy of z[0..n), dequoted when quoted ('', "", ``, []). */
static char *dequote(const char *z, int n) {
  char *out, q, qe;
  int i, k = 0;
  while (n > 0 && isspace((unsigned char)*z)) z++, n--;
  while (n > 0 && isspace((unsigned char)z[n - 1])) n--;
  q = n >= 2 ? z[0] : 0;
  qe = q == '[' ? ']' : q;
  if (!(q == '\'' || q == '"' || q == '`' || q == '[') || z[n - 1] != qe) {
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

/* consistent_read=, create=: 0 or 1 (*pSlot is -1 until given). */
static int parse_flag(const char *zName, const char *zVal, int *pSlot, char **pzErr) {
  if (*pSlot >= 0) return fail(pzErr, "dynamo: option '%s' given twice", zName);
  if (strcmp(zVal, "0") && strcmp(zVal, "1")) {
    return fail(pzErr, "dynamo: %s must be 0 or 1, not '%s'", zName, zVal);
  }
  *pSlot = zVal[0] == '1';
  return SQLITE_OK;
}

static int parse_billing(const char *zVal, dyn_args *out, char **pzErr) {
  if (out->billing) return fail(pzErr, "dynamo: option 'billing' given twice");
  if (sqlite3_stricmp(zVal, "on_demand") == 0) out->billing = ARGS_BILLING_ON_DEMAND;
  else if (sqlite3_stricmp(zVal, "provisioned") == 0) out->billing = ARGS_BILLING_PROVISIONED;
  else return fail(pzErr, "dynamo: billing must be on_demand or provisioned, not '%s'", zVal);
  return SQLITE_OK;
}

/* read_units=, write_units=: a positive integer (*pSlot is 0 until given). */
static int parse_units(const char *zName, const char *zVal, sqlite3_int64 *pSlot,
                       char **pzErr) {
  sqlite3_int64 n = 0;
  const char *z;
  if (*pSlot) return fail(pzErr, "dynamo: option '%s' given twice", zName);
  for (z = zVal; *z >= '0' && *z <= '9' && n <= MAX_UNITS; z++) n = n * 10 + (*z - '0');
  if (*z || n < 1 || n > MAX_UNITS) {
    return fail(pzErr, "dynamo: %s must be a positive integer (at most %lld), not '%s'", zName,
                MAX_UNITS, zVal);
  }
  *pSlot = n;
  return SQLITE_OK;
}

static void free_names(char **az, int n) {
  int i;
  for (i = 0; i < n; i++) sqlite3_free(az[i]);
  sqlite3_free(az);
}

/* A name at *pz, after spaces: a quoted name, or a bare word that ends at a
** space, ',', '(' or ')'. Its dequoted copy goes to *pzOut and *pz moves past
** it. SQLITE_ERROR when there is none (or the quote is unterminated). */
static int scan_name(const char **pz, char **pzOut) {
  const char *z = *pz, *zEnd;
  while (isspace((unsigned char)*z)) z++;
  if (*z == '"' || *z == '`' || *z == '[' || *z == '\'') {
    char qe = *z == '[' ? ']' : *z;
    for (zEnd = z + 1; *zEnd; zEnd++) {
      if (*zEnd == qe) {
        if (qe != ']' && zEnd[1] == qe) zEnd++;
        else break;
      }
    }
    if (*zEnd != qe) return SQLITE_ERROR;
    zEnd++;
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

static int parse_option(const char *z, const char *zEq, dyn_args *out, char **pzErr) {
  char *zKey = dequote(z, (int)(zEq - z)), *zVal = 0, **pSlot = 0;
  int i, rc = SQLITE_OK;
  if (!zKey) return SQLITE_NOMEM;
  for (i = 0; i < N_OPTION && sqlite3_stricmp(zKey, azOption[i]); i++) {
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
      rc = fail(pzErr, "dynamo: unknown option '%s' (options: " OPTION_LIST ")", zKey);
    }
    goto done;
  }
  if (!(zVal = dequote(zEq + 1, (int)strlen(zEq + 1)))) {
    rc = SQLITE_NOMEM;
    goto done;
  }
  switch (i) {
    case OPT_TABLE: pSlot = &out->table; break;
    case OPT_REGION: pSlot = &out->region; break;
    case OPT_ENDPOINT: pSlot = &out->endpoint; break;
    case OPT_PROFILE: pSlot = &out->profile; break;
    case OPT_CA_BUNDLE: pSlot = &out->ca_bundle; break;
    case OPT_INDEXES: pSlot = &out->indexes; break;
    case OPT_CONNECT_TIMEOUT:
      rc = parse_units(azOption[i], zVal, &out->connect_ms, pzErr);
      goto done;
    case OPT_REQUEST_TIMEOUT:
      rc = parse_units(azOption[i], zVal, &out->request_ms, pzErr);
      goto done;
    case OPT_RETRY_TIME:
      rc = parse_units(azOption[i], zVal, &out->retry_ms, pzErr);
      goto done;
    case OPT_MAX_ATTEMPTS:
      rc = parse_units(azOption[i], zVal, &out->max_attempts, pzErr);
      if (rc == SQLITE_OK && out->max_attempts > 100) {
        rc = fail(pzErr, "dynamo: max_attempts must be between 1 and 100, not '%s'", zVal);
      }
      goto done;
    case OPT_MAX_READ_UNITS:
      rc = parse_units(azOption[i], zVal, &out->max_read_units, pzErr);
      goto done;
    case OPT_MAX_WRITE_UNITS:
      rc = parse_units(azOption[i], zVal, &out->max_write_units, pzErr);
      goto done;
    case OPT_SCAN:
      rc = parse_flag(azOption[i], zVal, &out->scan, pzErr);
      goto done;
    case OPT_ALLOW_HTTP:
      rc = parse_flag(azOption[i], zVal, &out->allow_http, pzErr);
      goto done;
    case OPT_CONSISTENT_READ:
      rc = parse_flag(azOption[i], zVal, &out->consistent_read, pzErr);
      goto done;
    case OPT_SEGMENTS: {
      sqlite3_int64 n = out->segments;
      rc = parse_units(azOption[i], zVal, &n, pzErr);
      if (rc == SQLITE_OK && n > ARGS_MAX_SEGMENTS) {
        rc = fail(pzErr, "dynamo: segments must be between 1 and %d, not '%s'", ARGS_MAX_SEGMENTS,
                  zVal);
      }
      out->segments = (int)n;
      goto done;
    }
    case OPT_ATOMIC:
      rc = parse_flag(azOption[i], zVal, &out->atomic, pzErr);
      goto done;
    case OPT_CREATE:
      rc = parse_flag(azOption[i], zVal, &out->create, pzErr);
      goto done;
    case OPT_BILLING:
      rc = parse_billing(zVal, out, pzErr);
      goto done;
    case OPT_READ_UNITS:
      rc = parse_units(azOption[i], zVal, &out->read_units, pzErr);
      goto done;
    case OPT_WRITE_UNITS:
      rc = parse_units(azOption[i], zVal, &out->write_units, pzErr);
      goto done;
    default:
      rc = parse_index(zVal, i == OPT_LOCAL_INDEX, out, pzErr);
      goto done;
  }
  if (*pSlot) {
    rc = fail(pzErr, "dynamo: option '%s' given twice", azOption[i]);
  } else if (zVal[0] == 0) {
    rc = fail(pzErr, "dynamo: option '%s' is empty", azOption[i]);
  } else {
    *pSlot = zVal;
    zVal = 0;
  }
done:
  sqlite3_free(zKey);
  sqlite3_free(zVal);
  return rc;
}

/* "name [type]": the name is an identifier or a quoted one. */
static int parse_column(const char *z, dyn_args *out, char **pzErr) {
  const char *zEnd;
  args_column *aNew, *c;
  int i;
  while (isspace((unsigned char)*z)) z++;
  if (*z == '"' || *z == '`' || *z == '[' || *z == '\'') {
    char qe = *z == '[' ? ']' : *z;
    for (zEnd = z + 1; *zEnd; zEnd++) {
      if (*zEnd == qe) {
        if (qe != ']' && zEnd[1] == qe) zEnd++;
        else break;
      }
    }
    if (*zEnd != qe) return fail(pzErr, "dynamo: unterminated quoted column name: %s", z);
    zEnd++;
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
  if (!a->create) {
    const char *zOpt = a->billing ? "billing"
                       : a->read_units ? "read_units"
                       : a->write_units ? "write_units"
                       : a->nindex ? (a->aIndex[0].local ? "local_index" : "global_index")
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
  char qe;
  while (isspace((unsigned char)*z)) z++;
  if (*z != '"' && *z != '`' && *z != '[' && *z != '\'') return strchr(z, '=');
  qe = *z == '[' ? ']' : *z;
  for (z++; *z; z++) {
    if (*z == qe) {
      if (qe != ']' && z[1] == qe) z++;
      else break;
    }
  }
  if (*z == 0) return 0; /* unterminated: parse_column says so */
  for (z++; isspace((unsigned char)*z); z++) {
  }
  return *z == '=' ? z : 0;
}

int args_parse(int argc, const char *const *argv, dyn_args *out, char **pzErr) {
  int i, rc = SQLITE_OK;
  memset(out, 0, sizeof(*out));
  out->consistent_read = -1;
  out->create = -1;
  out->atomic = -1;
  out->allow_http = -1;
  out->scan = -1; /* stays -1: the connection's dynamo_config('scan') decides */
  for (i = 3; i < argc && rc == SQLITE_OK; i++) {
    const char *z = argv[i], *zList = primary_key(z), *zEq = zList ? 0 : option_eq(z);
    if (zList) rc = parse_primary_key(z, zList, out, pzErr);
    else if (zEq) rc = parse_option(z, zEq, out, pzErr);
    else rc = parse_column(z, out, pzErr);
  }
  if (rc == SQLITE_OK && !out->table) {
    rc = fail(pzErr, "dynamo: missing option table=NAME (the DynamoDB table to read)%s", "");
  }
  if (out->consistent_read < 0) out->consistent_read = 0;
  if (out->create < 0) out->create = 0;
  if (out->atomic < 0) out->atomic = 0;
  if (out->allow_http < 0) out->allow_http = 0;
  if (rc == SQLITE_OK) rc = check_create(out, pzErr);
  if (rc != SQLITE_OK) args_free(out);
  return rc;
}

void args_free(dyn_args *a) {
  int i;
  sqlite3_free(a->table);
  sqlite3_free(a->region);
  sqlite3_free(a->endpoint);
  sqlite3_free(a->profile);
  sqlite3_free(a->ca_bundle);
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
