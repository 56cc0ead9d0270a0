/*
** trust.c: may the options a database file's schema gives a dynamo table
** be honoured? (see trust.h)
**
** A database file is input: anyone can write a CREATE VIRTUAL TABLE ...
** USING dynamo(endpoint='http://them', ...) into one and hand it over. The
** options that decide where requests and credentials go, or how much work
** a statement may do, are honoured from there only when the user says they
** trust the file; what the user configured themselves (their endpoint,
** profile, CA bundle) and DynamoDB's own AWS endpoints need no trust.
** Judging each option is args.c's (args_untrusted); this file gathers the
** user's configuration and their word.
*/
#include "trust.h"
#include "retry.h"
#include "config.h"

#include <stdlib.h>
#include <string.h>

static const char *env(const char *zName) {
  const char *z = getenv(zName);
  return z && z[0] ? z : 0;
}

int trust_lists_file(sqlite3 *db, const char *zDb, const char *zList) {
  const char *zFile = sqlite3_db_filename(db, zDb);
  char *zReal, *zCopy, *zEntry, *zSave = 0;
  int found = 0;
  if (!zList || !zFile || !zFile[0]) return 0;
  if (strcmp(zList, "*") == 0) return 1;
  if (!(zReal = realpath(zFile, 0))) return 0;
  if ((zCopy = sqlite3_mprintf("%s", zList)) != 0) {
    for (zEntry = strtok_r(zCopy, ":", &zSave); zEntry && !found;
         zEntry = strtok_r(0, ":", &zSave)) {
      char *zOther = realpath(zEntry, 0);
      found = zOther && strcmp(zOther, zReal) == 0;
      free(zOther);
    }
  }
  sqlite3_free(zCopy);
  free(zReal);
  return found;
}

/* The user's own configuration, resolved without the table's options but
** its region and profile: the endpoint (*pzEndpoint, sqlite3_malloc()ed;
** NULL when it cannot be resolved) and the rest from the environment. */
static void user_config(const dyn_args *a, args_trust *t, char **pzEndpoint,
                        char **pzAccount) {
  cfg_options o;
  cfg_resolved r;
  retry_mode mode = RETRY_DEFAULT_MODE;
  *pzEndpoint = *pzAccount = 0;
  memset(t, 0, sizeof(*t));
  t->profile = env("AWS_DEFAULT_PROFILE");
  if (!t->profile) t->profile = env("AWS_PROFILE");
  if (!t->profile) t->profile = "default";
  t->ca_bundle = env("AWS_CA_BUNDLE");
  t->max_attempts = 0;
  /* the rest as the user's own configuration resolves it, with the table's
  ** region and profile but none of its other options: reads the AWS
  ** files, fetches nothing */
  memset(&o, 0, sizeof(o));
  o.region = a->region;
  o.profile = a->profile;
  if (cfg_resolve(&o, 0, &r, 0) == SQLITE_OK) {
    if (a->endpoint) {
      *pzEndpoint = r.endpoint;
      r.endpoint = 0;
    }
    if (r.creds && r.creds->account_id) {
      *pzAccount = r.creds->account_id;
      r.creds->account_id = 0;
    }
    if (r.retry_mode) mode = (retry_mode)r.retry_mode;
    t->max_attempts = r.max_attempts;
    cfg_resolved_free(&r);
  }
  if (t->max_attempts <= 0) t->max_attempts = retry_default_attempts(mode);
  t->retry_mode = retry_mode_name(mode);
  t->endpoint = *pzEndpoint;
  t->account = *pzAccount;
}

int trust_check(sqlite3 *db, const char *zDb, const char *zName, const dyn_args *a, int trustAll,
                char **pzErr) {
  const char *zFile = sqlite3_db_filename(db, zDb);
  char *zEndpoint = 0, *zAccount = 0, *zOpts;
  sqlite3_str *s;
  args_trust t;
  int schemaOn = 1, rc = SQLITE_OK;
  sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, -1, &schemaOn);
  if (schemaOn && (trustAll || trust_lists_file(db, zDb, env("DYNAMO_TRUST")))) return SQLITE_OK;
  user_config(a, &t, &zEndpoint, &zAccount);
  zOpts = args_untrusted(a, &t, &rc);
  sqlite3_free(zEndpoint);
  sqlite3_free(zAccount);
  if (!zOpts) return rc;
  s = sqlite3_str_new(0);
  sqlite3_str_appendf(s,
                      "dynamo: %s.%s: the database's schema sets %s: settings that decide where "
                      "requests and credentials go, or how much work a statement may do, are "
                      "honoured only from a database you trust. ",
                      zDb, zName, zOpts);
  if (!schemaOn) {
    sqlite3_str_appendall(s, "PRAGMA trusted_schema is OFF on this connection: none is.");
  } else if (zFile && zFile[0]) {
    sqlite3_str_appendf(s,
                        "To trust it: export DYNAMO_TRUST=%s (files separated by ':'), or SELECT "
                        "dynamo_config('trust', 1) first on this connection.",
                        zFile);
  } else {
    sqlite3_str_appendall(s, "To trust it: SELECT dynamo_config('trust', 1) first on this "
                             "connection.");
  }
  sqlite3_free(zOpts);
  *pzErr = sqlite3_str_finish(s);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}
