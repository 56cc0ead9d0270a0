/*
** dynamo.c: the entry point. Registers the "dynamo" virtual table module
** with dynamo_refresh() (vtab.c), the SQL functions dynamo_version() and
** dynamo_debug(), the connection's dynamo_stats and dynamo_config()
** (stats.c), and dynamo_sync() (sync.c).
**
**   .load ./dynamo
**   SELECT dynamo_version();   -- 0.1.0
**   SELECT dynamo_debug();     -- version, commit, library versions, and
**                              -- for each table of this connection in use:
**                              -- where its credentials come from and when
**                              -- they expire (creds_debug)
*/
#include "dynamo.h"
#include "creds.h"
#include "http.h"
#include "stats.h"
#include "sync.h"
#include "tables.h"
#include "vtab.h"

#include <cJSON.h>
#include <openssl/crypto.h>

#ifndef SQLITE_CORE
SQLITE_EXTENSION_INIT1
#endif

#define DYNAMO_MIN_SQLITE 3038000 /* sqlite3_vtab_in(), LIMIT/OFFSET in xBestIndex */

static void fn_version(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  (void)argv;
  sqlite3_result_text(ctx, DYNAMO_VERSION, -1, SQLITE_STATIC);
}

static void fn_debug(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  sqlite3_str *s = sqlite3_str_new(0);
  char *z;
  (void)argc;
  (void)argv;
  sqlite3_str_appendf(
      s,
      "Version: %s\nCommit: %s\nSQLite: %s (built with %s)\nlibcurl: %s\nOpenSSL: %s\n"
      "cJSON: %s",
      DYNAMO_VERSION, DYNAMO_COMMIT, sqlite3_libversion(), SQLITE_VERSION, http_version(),
      OpenSSL_version(OPENSSL_VERSION), cJSON_Version());
  creds_debug(sqlite3_user_data(ctx), s); /* the connection's tables */
  z = sqlite3_str_finish(s);
  if (!z) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_text(ctx, z, -1, sqlite3_free);
}

DYNAMO_EXPORT int sqlite3_dynamo_init(sqlite3 *db, char **pzErrMsg,
                                      const sqlite3_api_routines *pApi) {
  int rc;
#ifndef SQLITE_CORE
  SQLITE_EXTENSION_INIT2(pApi);
#else
  (void)pApi;
#endif
  if (sqlite3_libversion_number() < DYNAMO_MIN_SQLITE) {
    *pzErrMsg = sqlite3_mprintf("dynamo: needs SQLite 3.38.0 or later, this is %s",
                                sqlite3_libversion());
    return SQLITE_ERROR;
  }
  if (http_global_init() != SQLITE_OK) {
    *pzErrMsg = sqlite3_mprintf("dynamo: libcurl could not be initialised");
    return SQLITE_ERROR;
  }
  rc = sqlite3_create_function(db, "dynamo_version", 0,
                               SQLITE_UTF8 | SQLITE_INNOCUOUS | SQLITE_DETERMINISTIC, 0,
                               fn_version, 0, 0);
  if (rc == SQLITE_OK) { /* the connection's stats and settings, shared */
    dyn_conn *conn = conn_new();
    if (!conn) return SQLITE_NOMEM;
    rc = stats_register(db, conn); /* frees conn when the connection closes */
    /* dynamo_debug() lists the credentials of the tables conn serves (the
    ** owner their clients register with, ddb_settings.usage_ctx): it
    ** reveals configuration, so only statements the user runs may call it,
    ** never a view or trigger stored in a database file */
    if (rc == SQLITE_OK) {
      rc = sqlite3_create_function(db, "dynamo_debug", 0, SQLITE_UTF8 | SQLITE_DIRECTONLY, conn,
                                   fn_debug, 0, 0);
    }
    if (rc == SQLITE_OK) rc = vtab_register(db, conn);
    if (rc == SQLITE_OK) rc = tables_register(db);
    if (rc == SQLITE_OK) rc = sync_register(db, conn);
  }
  return rc;
}
