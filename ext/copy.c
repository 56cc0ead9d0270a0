/*
** copy.c: the SQLite side of dynamo_sync() (see sync.h): the copy's table,
** its state, the load, records applied with their shard's position.
**
** The copy of the dynamo table tracks, in its schema:
**
**   CREATE TABLE tracks_copy("uuid" TEXT, "timestamp" TEXT, ..., "item" TEXT,
**                            "_key" TEXT PRIMARY KEY NOT NULL)
**   dynamo_copies        one row a copy: what it copies, its state (loading,
**                        following, stale) and why, its stream, columns,
**                        when it was loaded and synced
**   dynamo_copy_shards   one row a shard of its stream: parent, the last
**                        record applied, closed, finished
**
** Every write is in a savepoint (copy_begin), so that a record and its
** shard's position are committed together, or neither; inside the user's
** own transaction the user's COMMIT decides. The state tables are input
** when read back (a database file is anyone's): a state or a sequence
** number dynamo_sync would not write is an error, never used.
*/
#include "sync.h"
#include "attrval.h"

#include <stdarg.h>
#include <string.h>

#define SAVEPOINT "dynamo_sync"

/* The state tables, made in the copy's schema when missing. */
static const char zCopiesDecl[] =
    "copy TEXT PRIMARY KEY COLLATE NOCASE NOT NULL,"
    " source TEXT NOT NULL,"
    " dynamodb_table TEXT NOT NULL,"
    " state TEXT NOT NULL,"
    " problem TEXT,"
    " stream_arn TEXT,"
    " view_type TEXT,"
    " columns TEXT NOT NULL,"
    " loaded_at TEXT,"
    " synced_at TEXT,"
    " lag_ms INTEGER";
static const char zShardsDecl[] =
    "copy TEXT NOT NULL COLLATE NOCASE,"
    " shard_id TEXT NOT NULL,"
    " parent_id TEXT,"
    " sequence TEXT,"
    " closed INTEGER NOT NULL DEFAULT 0,"
    " finished INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY(copy, shard_id)";

/* A time in ms since the epoch as ISO 8601 text in UTC, in SQL. */
#define ISO_TIME(p) "strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', " p " / 1000.0, 'unixepoch')"
/* and back */
#define MS_OF(x) "CAST((julianday(" x ") - 2440587.5) * 86400000.0 AS INTEGER)"

struct dyn_copy {
  sqlite3 *db;
  dyn_vtab *v;
  char *zSchema, *zName;  /* the copy */
  char *zDecl;            /* its columns, as the virtual table's are now */
  int exists;             /* its table is there */
  copy_state st;
  char *zState, *zProblem, *zArn; /* st's strings */
  int depth;              /* savepoints open */
  sqlite3_stmt *pUpsert, *pRemove, *pAdvance;
};

static int fail(dyn_copy *c, char **pzErr, const char *zFmt, ...) {
  va_list ap;
  char *z;
  va_start(ap, zFmt);
  z = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  *pzErr = z ? sqlite3_mprintf("dynamo_sync: %s.%s: %z", c->zSchema, c->zName, z) : 0;
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* SQLite's error on the connection, as the error of the copy. */
static int sql_fail(dyn_copy *c, int rc, char **pzErr) {
  if (rc == SQLITE_NOMEM) return rc;
  fail(c, pzErr, "%s", sqlite3_errmsg(c->db));
  return rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_ERROR : rc;
}

static int exec(dyn_copy *c, char **pzErr, const char *zFmt, ...) {
  va_list ap;
  char *zSql;
  int rc;
  va_start(ap, zFmt);
  zSql = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  if (!zSql) return SQLITE_NOMEM;
  rc = sqlite3_exec(c->db, zSql, 0, 0, 0);
  sqlite3_free(zSql);
  return rc == SQLITE_OK ? rc : sql_fail(c, rc, pzErr);
}

static int prepare(dyn_copy *c, sqlite3_stmt **pp, char **pzErr, const char *zFmt, ...) {
  va_list ap;
  char *zSql;
  int rc;
  va_start(ap, zFmt);
  zSql = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  *pp = 0;
  if (!zSql) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(c->db, zSql, -1, pp, 0);
  sqlite3_free(zSql);
  return rc == SQLITE_OK ? rc : sql_fail(c, rc, pzErr);
}

/* Step a statement that returns no row, then reset it. */
static int run(dyn_copy *c, sqlite3_stmt *st, char **pzErr) {
  int rc = sqlite3_step(st);
  if (rc == SQLITE_DONE) return sqlite3_reset(st) == SQLITE_OK ? SQLITE_OK : sql_fail(c, rc, pzErr);
  rc = sql_fail(c, rc, pzErr);
  sqlite3_reset(st);
  return rc;
}

static int bind_text(sqlite3_stmt *st, int i, const char *z) {
  return z ? sqlite3_bind_text(st, i, z, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

/* ---- opening: the state ----------------------------------------------------- */

/* The columns of the copy of v: its columns with their declared types, then
** the item and its key. */
static char *declaration(const dyn_vtab *v) {
  sqlite3_str *s = sqlite3_str_new(0);
  int i;
  for (i = 0; i < v->ncol; i++) {
    sqlite3_str_appendf(s, "\"%w\" ", v->aCol[i].name);
    catalog_append_decl(s, &v->aCol[i]);
    sqlite3_str_appendall(s, ", ");
  }
  sqlite3_str_appendall(s, "\"" ARGS_ITEM_COLUMN "\" TEXT, \"" ARGS_KEY_COLUMN
                           "\" TEXT PRIMARY KEY NOT NULL");
  return sqlite3_str_finish(s);
}

static int table_exists(dyn_copy *c, const char *zName, int *pExists, char **pzErr) {
  sqlite3_stmt *st;
  int rc = prepare(c, &st, pzErr,
                   "SELECT 1 FROM \"%w\".sqlite_master WHERE type = 'table' AND name = ?1 "
                   "COLLATE NOCASE",
                   c->zSchema);
  if (rc != SQLITE_OK) return rc;
  sqlite3_bind_text(st, 1, zName, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  *pExists = rc == SQLITE_ROW;
  rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : sql_fail(c, rc, pzErr);
  sqlite3_finalize(st);
  return rc;
}

static int dup_column(sqlite3_stmt *st, int i, char **pz) {
  const char *z = (const char *)sqlite3_column_text(st, i);
  *pz = 0;
  if (!z) return sqlite3_errcode(sqlite3_db_handle(st)) == SQLITE_NOMEM ? SQLITE_NOMEM : SQLITE_OK;
  return (*pz = sqlite3_mprintf("%s", z)) != 0 ? SQLITE_OK : SQLITE_NOMEM;
}

/* The copy's row of dynamo_copies, read and checked. */
static int read_state(dyn_copy *c, int *pFound, char **pzErr) {
  sqlite3_stmt *st;
  int rc = prepare(c, &st, pzErr,
                   "SELECT source, dynamodb_table, state, problem, stream_arn, columns, "
                   MS_OF("coalesce(synced_at, loaded_at)") " FROM \"%w\".dynamo_copies "
                   "WHERE copy = ?1",
                   c->zSchema);
  if (rc != SQLITE_OK) return rc;
  sqlite3_bind_text(st, 1, c->zName, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  *pFound = rc == SQLITE_ROW;
  if (rc == SQLITE_ROW) {
    const char *zSource = (const char *)sqlite3_column_text(st, 0);
    const char *zTable = (const char *)sqlite3_column_text(st, 1);
    const char *zCols = (const char *)sqlite3_column_text(st, 5);
    if (!zSource || !zTable || sqlite3_stricmp(zSource, c->v->zName) != 0 ||
        strcmp(zTable, c->v->args.table) != 0) {
      rc = fail(c, pzErr, "it is the copy of %s (DynamoDB table %s), not of %s: drop it, or "
                "name another copy",
                zSource ? zSource : "?", zTable ? zTable : "?", c->v->zName);
    } else if ((rc = dup_column(st, 2, &c->zState)) == SQLITE_OK &&
               (rc = dup_column(st, 3, &c->zProblem)) == SQLITE_OK &&
               (rc = dup_column(st, 4, &c->zArn)) == SQLITE_OK) {
      c->st.columnsChanged = !zCols || strcmp(zCols, c->zDecl) != 0;
      c->st.readAt = sqlite3_column_int64(st, 6);
      if (!c->zState || (strcmp(c->zState, COPY_LOADING) && strcmp(c->zState, COPY_FOLLOWING) &&
                         strcmp(c->zState, COPY_STALE))) {
        /* not ours to read: a reload is the way on */
        sqlite3_free(c->zProblem);
        c->zProblem = sqlite3_mprintf("its state '%s' is not one dynamo_sync writes",
                                      c->zState ? c->zState : "");
        sqlite3_free(c->zState);
        c->zState = sqlite3_mprintf("%s", COPY_STALE);
        if (!c->zProblem || !c->zState) rc = SQLITE_NOMEM;
      }
    }
  } else if (rc != SQLITE_DONE) {
    rc = sql_fail(c, rc, pzErr);
  } else {
    rc = SQLITE_OK;
  }
  sqlite3_finalize(st);
  c->st.zState = c->zState;
  c->st.zProblem = c->zProblem;
  c->st.zArn = c->zArn;
  return rc;
}

int copy_open(sqlite3 *db, dyn_vtab *v, const char *zSchema, const char *zCopy, dyn_copy **pp,
              char **pzErr) {
  dyn_copy *c = sqlite3_malloc(sizeof(*c));
  int rc, found = 0;
  *pp = 0;
  if (!c) return SQLITE_NOMEM;
  memset(c, 0, sizeof(*c));
  c->db = db;
  c->v = v;
  c->zSchema = sqlite3_mprintf("%s", zSchema);
  c->zName = sqlite3_mprintf("%s", zCopy);
  c->zDecl = declaration(v);
  if (!c->zSchema || !c->zName || !c->zDecl) {
    copy_close(c);
    return SQLITE_NOMEM;
  }
  if (sqlite3_stricmp(zCopy, "dynamo_copies") == 0 ||
      sqlite3_stricmp(zCopy, "dynamo_copy_shards") == 0 ||
      (sqlite3_stricmp(zCopy, v->zName) == 0 && sqlite3_stricmp(zSchema, v->zDb) == 0)) {
    rc = fail(c, pzErr, "that name is taken: name the copy otherwise");
    goto done;
  }
  rc = exec(c, pzErr,
            "CREATE TABLE IF NOT EXISTS \"%w\".dynamo_copies(%s);"
            "CREATE TABLE IF NOT EXISTS \"%w\".dynamo_copy_shards(%s) WITHOUT ROWID",
            zSchema, zCopiesDecl, zSchema, zShardsDecl);
  if (rc == SQLITE_OK) rc = table_exists(c, zCopy, &c->exists, pzErr);
  if (rc == SQLITE_OK) rc = read_state(c, &found, pzErr);
  if (rc != SQLITE_OK) goto done;
  if (!found && c->exists) {
    rc = fail(c, pzErr, "a table of that name exists, which dynamo_sync did not make: name "
              "the copy otherwise, or drop the table");
  } else if (found && !c->exists) { /* the copy was dropped: its state goes too */
    if ((rc = copy_begin(c, pzErr)) == SQLITE_OK) {
      rc = exec(c, pzErr,
                "DELETE FROM \"%w\".dynamo_copies WHERE copy = %Q;"
                "DELETE FROM \"%w\".dynamo_copy_shards WHERE copy = %Q",
                zSchema, zCopy, zSchema, zCopy);
      if (rc == SQLITE_OK) rc = copy_commit(c, pzErr);
      else copy_rollback(c);
    }
    sqlite3_free(c->zState);
    sqlite3_free(c->zProblem);
    sqlite3_free(c->zArn);
    c->zState = c->zProblem = c->zArn = 0;
    memset(&c->st, 0, sizeof(c->st));
  }
done:
  if (rc != SQLITE_OK) {
    copy_close(c);
    return rc;
  }
  *pp = c;
  return SQLITE_OK;
}

void copy_close(dyn_copy *c) {
  if (!c) return;
  assert(c->depth == 0);
  sqlite3_finalize(c->pUpsert);
  sqlite3_finalize(c->pRemove);
  sqlite3_finalize(c->pAdvance);
  sqlite3_free(c->zSchema);
  sqlite3_free(c->zName);
  sqlite3_free(c->zDecl);
  sqlite3_free(c->zState);
  sqlite3_free(c->zProblem);
  sqlite3_free(c->zArn);
  sqlite3_free(c);
}

const copy_state *copy_state_of(const dyn_copy *c) {
  return &c->st;
}

const char *copy_name(const dyn_copy *c) {
  return c->zName;
}

/* ---- transactions ----------------------------------------------------------- */

int copy_begin(dyn_copy *c, char **pzErr) {
  int rc = exec(c, pzErr, "SAVEPOINT " SAVEPOINT);
  if (rc == SQLITE_OK) c->depth++;
  return rc;
}

int copy_commit(dyn_copy *c, char **pzErr) {
  int rc;
  assert(c->depth > 0);
  rc = exec(c, pzErr, "RELEASE " SAVEPOINT);
  if (rc == SQLITE_OK) c->depth--;
  else copy_rollback(c);
  return rc;
}

void copy_rollback(dyn_copy *c) {
  assert(c->depth > 0);
  sqlite3_exec(c->db, "ROLLBACK TO " SAVEPOINT "; RELEASE " SAVEPOINT, 0, 0, 0);
  c->depth--;
}

/* ---- writing the copy ---------------------------------------------------------- */

/* INSERT ... ON CONFLICT(_key) DO UPDATE, and DELETE by _key. */
static int prepare_writes(dyn_copy *c, char **pzErr) {
  const dyn_vtab *v = c->v;
  sqlite3_str *s;
  char *zSql;
  int i, rc;
  if (c->pUpsert) return SQLITE_OK;
  s = sqlite3_str_new(0);
  sqlite3_str_appendf(s, "INSERT INTO \"%w\".\"%w\"(", c->zSchema, c->zName);
  for (i = 0; i < v->ncol; i++) sqlite3_str_appendf(s, "\"%w\", ", v->aCol[i].name);
  sqlite3_str_appendall(s, "\"" ARGS_ITEM_COLUMN "\", \"" ARGS_KEY_COLUMN "\") VALUES(");
  for (i = 0; i < v->ncol + 2; i++) sqlite3_str_appendf(s, "%s?%d", i ? ", " : "", i + 1);
  sqlite3_str_appendall(s, ") ON CONFLICT(\"" ARGS_KEY_COLUMN "\") DO UPDATE SET ");
  for (i = 0; i < v->ncol; i++) {
    sqlite3_str_appendf(s, "\"%w\" = excluded.\"%w\", ", v->aCol[i].name, v->aCol[i].name);
  }
  sqlite3_str_appendall(s, "\"" ARGS_ITEM_COLUMN "\" = excluded.\"" ARGS_ITEM_COLUMN "\"");
  if (!(zSql = sqlite3_str_finish(s))) return SQLITE_NOMEM;
  rc = prepare(c, &c->pUpsert, pzErr, "%s", zSql);
  sqlite3_free(zSql);
  if (rc == SQLITE_OK) {
    rc = prepare(c, &c->pRemove, pzErr,
                 "DELETE FROM \"%w\".\"%w\" WHERE \"" ARGS_KEY_COLUMN "\" = ?1", c->zSchema,
                 c->zName);
  }
  return rc;
}

/* Every shard DescribeStream listed, in the copy's state: new ones unread,
** known ones kept where they are (closed once DynamoDB says so). */
static int put_shards(dyn_copy *c, const streams_desc *d, char **pzErr) {
  sqlite3_stmt *st = 0;
  int i;
  int rc = prepare(c, &st, pzErr,
                   "INSERT INTO \"%w\".dynamo_copy_shards(copy, shard_id, parent_id, closed) "
                   "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(copy, shard_id) DO UPDATE SET "
                   "closed = max(closed, excluded.closed)",
                   c->zSchema);
  for (i = 0; rc == SQLITE_OK && i < d->nShard; i++) {
    sqlite3_bind_text(st, 1, c->zName, -1, SQLITE_STATIC);
    bind_text(st, 2, d->aShard[i].zId);
    bind_text(st, 3, d->aShard[i].zParent);
    sqlite3_bind_int(st, 4, d->aShard[i].zEnd != 0);
    rc = run(c, st, pzErr);
  }
  sqlite3_finalize(st);
  return rc;
}

int copy_load(dyn_copy *c, const char *zArn, sqlite3_int64 T, const streams_desc *d,
              sqlite3_int64 *pnRows, char **pzErr) {
  const dyn_vtab *v = c->v;
  sqlite3_stmt *pScan = 0;
  sqlite3_str *s;
  char *zSql;
  int i, rc, nCol = v->ncol + 2;
  *pnRows = 0;
  sqlite3_finalize(c->pUpsert);
  sqlite3_finalize(c->pRemove);
  c->pUpsert = c->pRemove = 0;
  /* one transaction: the table empty, the state loading, the shards unread */
  if ((rc = copy_begin(c, pzErr)) != SQLITE_OK) return rc;
  if (c->exists && c->st.columnsChanged) {
    rc = exec(c, pzErr, "DROP TABLE \"%w\".\"%w\"", c->zSchema, c->zName);
    if (rc == SQLITE_OK) c->exists = 0;
  }
  if (rc == SQLITE_OK) {
    rc = c->exists ? exec(c, pzErr, "DELETE FROM \"%w\".\"%w\"", c->zSchema, c->zName)
                   : exec(c, pzErr, "CREATE TABLE \"%w\".\"%w\"(%s)", c->zSchema, c->zName,
                          c->zDecl);
  }
  if (rc == SQLITE_OK) {
    rc = exec(c, pzErr,
              "INSERT OR REPLACE INTO \"%w\".dynamo_copies(copy, source, dynamodb_table, state, "
              "problem, stream_arn, view_type, columns, loaded_at, synced_at, lag_ms) "
              "VALUES(%Q, %Q, %Q, '" COPY_LOADING "', NULL, %Q, %Q, %Q, " ISO_TIME("%lld")
              ", NULL, NULL);"
              "DELETE FROM \"%w\".dynamo_copy_shards WHERE copy = %Q",
              c->zSchema, c->zName, v->zName, v->args.table, zArn, d->zView, c->zDecl,
              (long long)T, c->zSchema, c->zName);
  }
  if (rc == SQLITE_OK) rc = put_shards(c, d, pzErr);
  if (rc == SQLITE_OK) rc = copy_commit(c, pzErr);
  else copy_rollback(c);
  if (rc != SQLITE_OK) return rc;
  c->exists = 1;
  sqlite3_free(c->zState);
  c->zState = sqlite3_mprintf("%s", COPY_LOADING);
  c->st.zState = c->zState;
  c->st.columnsChanged = 0;
  c->st.readAt = T;
  if (!c->zState) return SQLITE_NOMEM;

  /* every item, through the virtual table: its Scan, its conversions */
  s = sqlite3_str_new(0);
  sqlite3_str_appendall(s, "SELECT ");
  for (i = 0; i < v->ncol; i++) sqlite3_str_appendf(s, "\"%w\", ", v->aCol[i].name);
  sqlite3_str_appendf(s, "\"" ARGS_ITEM_COLUMN "\", \"" ARGS_KEY_COLUMN "\" FROM \"%w\".\"%w\"",
                      v->zDb, v->zName);
  if (!(zSql = sqlite3_str_finish(s))) return SQLITE_NOMEM;
  rc = prepare(c, &pScan, pzErr, "%s", zSql);
  sqlite3_free(zSql);
  if (rc == SQLITE_OK) rc = prepare_writes(c, pzErr);
  if (rc == SQLITE_OK) rc = copy_begin(c, pzErr);
  while (rc == SQLITE_OK && (rc = sqlite3_step(pScan)) == SQLITE_ROW) {
    for (i = 0; i < nCol; i++) sqlite3_bind_value(c->pUpsert, i + 1, sqlite3_column_value(pScan, i));
    if ((rc = run(c, c->pUpsert, pzErr)) != SQLITE_OK) break;
    if (++*pnRows % COPY_LOAD_ROWS == 0 && (rc = copy_commit(c, pzErr)) == SQLITE_OK) {
      rc = copy_begin(c, pzErr);
    }
  }
  if (rc == SQLITE_DONE) {
    rc = exec(c, pzErr,
              "UPDATE \"%w\".dynamo_copies SET state = '" COPY_FOLLOWING "' WHERE copy = %Q AND "
              "state = '" COPY_LOADING "' AND loaded_at = " ISO_TIME("%lld"),
              c->zSchema, c->zName, (long long)T);
    if (rc == SQLITE_OK && sqlite3_changes(c->db) != 1) {
      rc = fail(c, pzErr, "another dynamo_sync loaded it meanwhile");
      rc = SQLITE_BUSY;
    }
  } else if (rc != SQLITE_OK && !*pzErr) {
    /* the Scan's own error (the virtual table's message) */
    rc = sql_fail(c, rc, pzErr);
  }
  if (c->depth > 0) {
    if (rc == SQLITE_OK) rc = copy_commit(c, pzErr);
    else copy_rollback(c);
  }
  sqlite3_clear_bindings(c->pUpsert);
  sqlite3_finalize(pScan);
  if (rc != SQLITE_OK) return rc;
  sqlite3_free(c->zState);
  c->zState = sqlite3_mprintf("%s", COPY_FOLLOWING);
  c->st.zState = c->zState;
  return c->zState ? SQLITE_OK : SQLITE_NOMEM;
}

/* ---- shards ------------------------------------------------------------------ */

void copy_shards_free(copy_shard *a, int n) {
  int i;
  for (i = 0; i < n; i++) {
    sqlite3_free(a[i].zId);
    sqlite3_free(a[i].zParent);
    sqlite3_free(a[i].zSeq);
  }
  sqlite3_free(a);
}

int copy_shards(dyn_copy *c, copy_shard **pa, int *pn, char **pzErr) {
  sqlite3_stmt *st;
  copy_shard *a = 0;
  int n = 0, rc = prepare(c, &st, pzErr,
                          "SELECT shard_id, parent_id, sequence, closed, finished FROM "
                          "\"%w\".dynamo_copy_shards WHERE copy = ?1 ORDER BY shard_id",
                          c->zSchema);
  *pa = 0;
  *pn = 0;
  if (rc != SQLITE_OK) return rc;
  sqlite3_bind_text(st, 1, c->zName, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    copy_shard *aNew = sqlite3_realloc64(a, sizeof(*a) * (n + 1)), *x;
    if (!aNew) {
      rc = SQLITE_NOMEM;
      break;
    }
    a = aNew;
    x = &a[n++];
    memset(x, 0, sizeof(*x));
    if ((rc = dup_column(st, 0, &x->zId)) != SQLITE_OK ||
        (rc = dup_column(st, 1, &x->zParent)) != SQLITE_OK ||
        (rc = dup_column(st, 2, &x->zSeq)) != SQLITE_OK) {
      break;
    }
    x->closed = sqlite3_column_int(st, 3) != 0;
    x->finished = sqlite3_column_int(st, 4) != 0;
    if (!x->zId || (x->zSeq && !streams_seq_valid(x->zSeq))) {
      rc = fail(c, pzErr, "dynamo_copy_shards holds a shard %s with sequence number '%s', "
                "which is not one",
                x->zId ? x->zId : "without an id", x->zSeq ? x->zSeq : "");
      break;
    }
  }
  if (rc == SQLITE_DONE) rc = SQLITE_OK;
  else if (rc != SQLITE_OK && rc != SQLITE_NOMEM && !*pzErr) rc = sql_fail(c, rc, pzErr);
  sqlite3_finalize(st);
  if (rc != SQLITE_OK) {
    copy_shards_free(a, n);
    return rc;
  }
  *pa = a;
  *pn = n;
  return SQLITE_OK;
}

int copy_merge_shards(dyn_copy *c, const streams_desc *d, char **pzErr) {
  copy_shard *a = 0;
  int i, k, n = 0;
  int rc = put_shards(c, d, pzErr);
  /* a finished shard the stream no longer lists is trimmed: forgotten */
  if (rc == SQLITE_OK) rc = copy_shards(c, &a, &n, pzErr);
  for (i = 0; rc == SQLITE_OK && i < n; i++) {
    if (!a[i].finished) continue;
    for (k = 0; k < d->nShard && strcmp(d->aShard[k].zId, a[i].zId) != 0; k++) {
    }
    if (k == d->nShard) {
      rc = exec(c, pzErr, "DELETE FROM \"%w\".dynamo_copy_shards WHERE copy = %Q AND shard_id = %Q",
                c->zSchema, c->zName, a[i].zId);
    }
  }
  copy_shards_free(a, n);
  return rc;
}

int copy_advance(dyn_copy *c, const char *zShard, const char *zOld, const char *zNew,
                 int finished, char **pzErr) {
  int rc;
  assert(c->depth > 0);
  if (!c->pAdvance &&
      (rc = prepare(c, &c->pAdvance, pzErr,
                    "UPDATE \"%w\".dynamo_copy_shards SET sequence = ?3, finished = ?4 "
                    "WHERE copy = ?1 AND shard_id = ?2 AND sequence IS ?5 AND NOT finished",
                    c->zSchema)) != SQLITE_OK) {
    return rc;
  }
  sqlite3_bind_text(c->pAdvance, 1, c->zName, -1, SQLITE_STATIC);
  sqlite3_bind_text(c->pAdvance, 2, zShard, -1, SQLITE_STATIC);
  bind_text(c->pAdvance, 3, zNew);
  sqlite3_bind_int(c->pAdvance, 4, finished);
  bind_text(c->pAdvance, 5, zOld);
  if ((rc = run(c, c->pAdvance, pzErr)) != SQLITE_OK) return rc;
  if (sqlite3_changes(c->db) != 1) {
    fail(c, pzErr, "shard %s is not where this sync left it: another dynamo_sync of the copy "
         "is running",
         zShard);
    return *pzErr ? SQLITE_BUSY : SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

/* A value of the item for parameter i, as the virtual table reads it. */
static int bind_attr(dyn_copy *c, int i, const cJSON *av, int aff, char **pzErr) {
  av_value x;
  char *zWhy = 0;
  int rc = av_to_value_as(av, aff, &x, &zWhy);
  if (rc != SQLITE_OK) {
    if (!zWhy) return rc;
    rc = fail(c, pzErr, "%s", zWhy);
    sqlite3_free(zWhy);
    return rc;
  }
  switch (x.type) {
    case SQLITE_INTEGER: return sqlite3_bind_int64(c->pUpsert, i, x.i);
    case SQLITE_FLOAT: return sqlite3_bind_double(c->pUpsert, i, x.r);
    case SQLITE_TEXT:
      if (x.zOwned) return sqlite3_bind_text(c->pUpsert, i, x.zOwned, x.n, sqlite3_free);
      return sqlite3_bind_text(c->pUpsert, i, x.z, x.n, SQLITE_TRANSIENT);
    case SQLITE_BLOB: return sqlite3_bind_blob(c->pUpsert, i, x.zOwned, x.n, sqlite3_free);
  }
  return sqlite3_bind_null(c->pUpsert, i);
}

int copy_apply(dyn_copy *c, const streams_record *r, char **pzErr) {
  const dyn_vtab *v = c->v;
  const char *zPk = v->aCol[v->pk].name, *zSk = v->sk >= 0 ? v->aCol[v->sk].name : 0;
  char *zKey = 0, *zItem;
  int i, rc;
  assert(c->depth > 0);
  if ((rc = prepare_writes(c, pzErr)) != SQLITE_OK) return rc;
  if ((rc = av_key_text(r->keys, zPk, zSk, &zKey)) != SQLITE_OK) {
    if (rc != SQLITE_ERROR) return rc;
    return fail(c, pzErr, "record %s: its Keys are not the table's key (%s%s%s)", r->zSeq, zPk,
                zSk ? ", " : "", zSk ? zSk : "");
  }
  if (r->op == STREAMS_REMOVE) {
    sqlite3_bind_text(c->pRemove, 1, zKey, -1, sqlite3_free);
    return run(c, c->pRemove, pzErr);
  }
  for (i = 0; i < v->ncol && rc == SQLITE_OK; i++) {
    rc = bind_attr(c, i + 1, cJSON_GetObjectItemCaseSensitive(r->image, v->aCol[i].name),
                   v->aCol[i].aff, pzErr);
  }
  if (rc == SQLITE_OK) { /* the item column: as the virtual table prints it */
    if ((zItem = cJSON_PrintUnformatted(r->image)) != 0) {
      rc = sqlite3_bind_text(c->pUpsert, v->ncol + 1, zItem, -1, SQLITE_TRANSIENT);
      cJSON_free(zItem);
    } else {
      rc = SQLITE_NOMEM;
    }
  }
  if (rc == SQLITE_OK) {
    rc = sqlite3_bind_text(c->pUpsert, v->ncol + 2, zKey, -1, sqlite3_free);
    zKey = 0;
  }
  if (rc == SQLITE_OK) rc = run(c, c->pUpsert, pzErr);
  else if (!*pzErr) rc = sql_fail(c, rc, pzErr);
  sqlite3_clear_bindings(c->pUpsert);
  sqlite3_free(zKey);
  return rc;
}

/* ---- the state ------------------------------------------------------------------ */

int copy_stale(dyn_copy *c, const char *zProblem, char **pzErr) {
  int rc = copy_begin(c, pzErr);
  if (rc != SQLITE_OK) return rc;
  rc = exec(c, pzErr,
            "UPDATE \"%w\".dynamo_copies SET state = '" COPY_STALE "', problem = %Q WHERE copy = %Q",
            c->zSchema, zProblem, c->zName);
  if (rc == SQLITE_OK) rc = copy_commit(c, pzErr);
  else copy_rollback(c);
  if (rc != SQLITE_OK) return rc;
  sqlite3_free(c->zState);
  sqlite3_free(c->zProblem);
  c->zState = sqlite3_mprintf("%s", COPY_STALE);
  c->zProblem = sqlite3_mprintf("%s", zProblem);
  c->st.zState = c->zState;
  c->st.zProblem = c->zProblem;
  return c->zState && c->zProblem ? SQLITE_OK : SQLITE_NOMEM;
}

int copy_synced(dyn_copy *c, sqlite3_int64 T, sqlite3_int64 lagMs, char **pzErr) {
  int rc = copy_begin(c, pzErr);
  if (rc != SQLITE_OK) return rc;
  rc = exec(c, pzErr,
            "UPDATE \"%w\".dynamo_copies SET synced_at = " ISO_TIME("%lld") ", lag_ms = %lld "
            "WHERE copy = %Q AND state = '" COPY_FOLLOWING "'",
            c->zSchema, (long long)T, (long long)lagMs, c->zName);
  if (rc == SQLITE_OK) rc = copy_commit(c, pzErr);
  else copy_rollback(c);
  if (rc == SQLITE_OK) c->st.readAt = T;
  return rc;
}
