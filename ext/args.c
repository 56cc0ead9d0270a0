/*
** args.c: CREATE VIRTUAL TABLE arguments (see args.h).
**
**   CREATE VIRTUAL TABLE tracks USING dynamo(
**     table=Tracks, region='eu-west-1', consistent_read=1,
**     uuid TEXT, timestamp TEXT, latitude N, tags SS);
**
** Option values may be quoted with '...' or "..." (doubled quotes inside).
** Credentials are refused: the arguments are stored in plain text in the
** database schema.
*/
#include "args.h"

#include <ctype.h>
#include <string.h>

static const char *const azOption[] = {"table", "region", "endpoint", "profile",
                                       "consistent_read"};
#define N_OPTION (int)(sizeof(azOption) / sizeof(azOption[0]))

static int fail(char **pzErr, const char *zFmt, const char *zArg) {
  *pzErr = sqlite3_mprintf(zFmt, zArg);
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
      rc = fail(pzErr,
                "dynamo: unknown option '%s' (options: table, region, endpoint, profile, "
                "consistent_read)",
                zKey);
    }
    goto done;
  }
  if (!(zVal = dequote(zEq + 1, (int)strlen(zEq + 1)))) {
    rc = SQLITE_NOMEM;
    goto done;
  }
  switch (i) {
    case 0: pSlot = &out->table; break;
    case 1: pSlot = &out->region; break;
    case 2: pSlot = &out->endpoint; break;
    case 3: pSlot = &out->profile; break;
    default:
      if (out->consistent_read >= 0) {
        rc = fail(pzErr, "dynamo: option '%s' given twice", azOption[i]);
      } else if (strcmp(zVal, "0") && strcmp(zVal, "1")) {
        rc = fail(pzErr, "dynamo: consistent_read must be 0 or 1, not '%s'", zVal);
      } else {
        out->consistent_read = zVal[0] == '1';
      }
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
  for (i = 3; i < argc && rc == SQLITE_OK; i++) {
    const char *z = argv[i], *zEq = option_eq(z);
    if (zEq) rc = parse_option(z, zEq, out, pzErr);
    else rc = parse_column(z, out, pzErr);
  }
  if (rc == SQLITE_OK && !out->table) {
    rc = fail(pzErr, "dynamo: missing option table=NAME (the DynamoDB table to read)%s", "");
  }
  if (out->consistent_read < 0) out->consistent_read = 0;
  if (rc != SQLITE_OK) args_free(out);
  return rc;
}

void args_free(dyn_args *a) {
  int i;
  sqlite3_free(a->table);
  sqlite3_free(a->region);
  sqlite3_free(a->endpoint);
  sqlite3_free(a->profile);
  for (i = 0; i < a->ncol; i++) {
    sqlite3_free(a->aCol[i].name);
    sqlite3_free(a->aCol[i].type);
  }
  sqlite3_free(a->aCol);
  memset(a, 0, sizeof(*a));
}
