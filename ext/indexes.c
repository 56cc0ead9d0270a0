/*
** indexes.c: a table's secondary indexes (see indexes.h).
*/
#include "indexes.h"

#include <string.h>

void indexes_clear(dyn_index *x) {
  sqlite3_free(x->zName);
  sqlite3_free(x->zPk);
  sqlite3_free(x->zPkType);
  sqlite3_free(x->zSk);
  sqlite3_free(x->zSkType);
  sqlite3_free(x->zProjection);
  sqlite3_free(x->zInclude);
  memset(x, 0, sizeof(*x));
}

void indexes_free(dyn_index *a, int n) {
  int i;
  for (i = 0; i < n; i++) indexes_clear(&a[i]);
  sqlite3_free(a);
}

static char *dup(const char *z) {
  return z ? sqlite3_mprintf("%s", z) : 0;
}

int indexes_save(sqlite3 *db, const char *zDb, const char *zName, const dyn_index *a, int n) {
  sqlite3_stmt *st = 0;
  char *zSql = sqlite3_mprintf(
      "CREATE TABLE \"%w\".\"%w_index\"(name TEXT PRIMARY KEY, global INTEGER NOT NULL, "
      "pk TEXT NOT NULL, pk_type TEXT NOT NULL, sk TEXT, sk_type TEXT, projection TEXT NOT "
      "NULL, include TEXT)",
      zDb, zName);
  int rc, i;
  if (!zSql) return SQLITE_NOMEM;
  rc = sqlite3_exec(db, zSql, 0, 0, 0);
  sqlite3_free(zSql);
  if (rc != SQLITE_OK) return rc;
  zSql = sqlite3_mprintf("INSERT INTO \"%w\".\"%w_index\" VALUES(?,?,?,?,?,?,?,?)", zDb, zName);
  if (!zSql) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, zSql, -1, &st, 0);
  sqlite3_free(zSql);
  for (i = 0; rc == SQLITE_OK && i < n; i++) {
    sqlite3_bind_text(st, 1, a[i].zName, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, a[i].global);
    sqlite3_bind_text(st, 3, a[i].zPk, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, a[i].zPkType, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, a[i].zSk, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, a[i].zSkType, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, a[i].zProjection, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, a[i].zInclude, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  return rc;
}

static const char *text_or_empty(sqlite3_stmt *st, int i) {
  if (sqlite3_column_type(st, i) == SQLITE_NULL) return "";
  return (const char *)sqlite3_column_text(st, i); /* NULL: out of memory */
}

int indexes_load(sqlite3 *db, const char *zDb, const char *zName, dyn_index **paIdx, int *pnIdx) {
  sqlite3_stmt *st = 0;
  char *zSql = sqlite3_mprintf("SELECT name, global, pk, pk_type, sk, sk_type, projection, "
                               "include FROM \"%w\".\"%w_index\" ORDER BY rowid",
                               zDb, zName);
  dyn_index *a = 0;
  int n = 0, rc;
  *paIdx = 0;
  *pnIdx = 0;
  if (!zSql) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, zSql, -1, &st, 0);
  sqlite3_free(zSql);
  if (rc != SQLITE_OK) return SQLITE_OK; /* no such table: made before indexes were kept */
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    dyn_index *x;
    dyn_index *aNew = sqlite3_realloc64(a, sizeof(*a) * (n + 1));
    if (!aNew) {
      rc = SQLITE_NOMEM;
      break;
    }
    a = aNew;
    x = &a[n++];
    memset(x, 0, sizeof(*x));
    /* a NULL where the table says NOT NULL reads as "" (catalog.c refuses
    ** it): the shadow table is the file's, not ours */
    x->zName = dup(text_or_empty(st, 0));
    x->global = sqlite3_column_int(st, 1);
    x->zPk = dup(text_or_empty(st, 2));
    x->zPkType = dup(text_or_empty(st, 3));
    x->zSk = dup((const char *)sqlite3_column_text(st, 4));
    x->zSkType = dup((const char *)sqlite3_column_text(st, 5));
    x->zProjection = dup(text_or_empty(st, 6));
    x->zInclude = dup((const char *)sqlite3_column_text(st, 7));
    if (!x->zName || !x->zPk || !x->zPkType || !x->zProjection) {
      rc = SQLITE_NOMEM;
      break;
    }
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    indexes_free(a, n);
    return rc == SQLITE_ROW ? SQLITE_ERROR : rc;
  }
  *paIdx = a;
  *pnIdx = n;
  return SQLITE_OK;
}

int indexes_includes(const dyn_index *x, const char *zAttr) {
  cJSON *list = x->zInclude ? cJSON_Parse(x->zInclude) : 0;
  const cJSON *e;
  int found = 0;
  cJSON_ArrayForEach(e, list) {
    if (cJSON_IsString(e) && strcmp(e->valuestring, zAttr) == 0) found = 1;
  }
  cJSON_Delete(list);
  return found;
}
