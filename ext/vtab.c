/*
** vtab.c: the "dynamo" virtual table module: its methods, each handing the
** work to the file that owns it (table.h lists them).
**
**   .load ./dynamo
**   CREATE VIRTUAL TABLE tracks USING dynamo(table=Tracks);
**   SELECT uuid, count(*), avg(speed) FROM tracks GROUP BY uuid;       -- Scan
**   SELECT * FROM tracks WHERE uuid = 'u1' ORDER BY timestamp DESC LIMIT 10;
**                                                 -- one Query, Limit 10
**   INSERT INTO tracks(item) VALUES (readfile('sql/sampleItem.json')); -- PutItem
**
** Arguments (args.c): options such as table=, region=, endpoint=,
** profile=, consistent_read=, create=, atomic=, segments=, scan=,
** indexes= (README.md lists them all), column definitions, and PRIMARY KEY
** for create=1. Without column definitions the columns are discovered at
** CREATE time (key attributes from DescribeTable, the others from a sample
** of items) and kept in the shadow table NAME_schema, so every later open
** sees the same columns without a request; SELECT dynamo_refresh('tracks')
** adds the attributes that arrived since. The hidden column "item" holds
** the whole item as DynamoDB JSON, "_key" its primary key.
*/
#include "table.h"
#include "attrval.h"
#include "filter.h"
#include "vtab.h"

#include <string.h>

/* ---- xCreate, xConnect, xDisconnect, xDestroy ------------------------------ */

static int vt_init(sqlite3 *db, void *pAux, int argc, const char *const *argv, int isCreate,
                   sqlite3_vtab **ppVtab, char **pzErr) {
  dyn_vtab *v = 0;
  int rc = open_table(db, pAux, argc, argv, isCreate, &v, pzErr);
  *ppVtab = v ? &v->base : 0;
  if (rc != SQLITE_OK) return rc;
  /* The table reaches the network: only statements the user runs may use
  ** it, never a trigger or view planted in an untrusted database. */
  sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  sqlite3_vtab_config(db, SQLITE_VTAB_CONSTRAINT_SUPPORT, 1);
  return SQLITE_OK;
}

static int vtCreate(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                    sqlite3_vtab **ppVtab, char **pzErr) {
  return vt_init(db, pAux, argc, argv, 1, ppVtab, pzErr);
}

static int vtConnect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                     sqlite3_vtab **ppVtab, char **pzErr) {
  return vt_init(db, pAux, argc, argv, 0, ppVtab, pzErr);
}

static int vtDisconnect(sqlite3_vtab *pVtab) {
  table_free((dyn_vtab *)pVtab);
  return SQLITE_OK;
}

/* DROP TABLE removes the SQLite table and its shadow tables, never the
** DynamoDB table or its items. */
static int vtDestroy(sqlite3_vtab *pVtab) {
  int rc = catalog_drop((dyn_vtab *)pVtab);
  if (rc == SQLITE_OK) table_free((dyn_vtab *)pVtab);
  return rc;
}

/* ---- xBestIndex: sqlite3_index_info to and from plan.c ------------------- */

/* The affinity SQLite gives each column, from the declared type: it decides
** how a condition compares, hence its filter (filter.h). Asked once, when
** the table is first planned: it is in the schema by then. */
static void column_affinities(dyn_vtab *v) {
  int i;
  for (i = 0; i < v->ncol; i++) {
    const char *zType = 0;
    if (v->aCol[i].cmpAff) continue;
    if (sqlite3_table_column_metadata(v->db, v->zDb, v->zName, v->aCol[i].name, &zType, 0, 0, 0,
                                      0) == SQLITE_OK) {
      v->aCol[i].cmpAff = filter_affinity(zType) |
                          (v->aCol[i].aff == AVA_TEXT ? FILTER_TEXT_READ : 0);
    }
  }
}

/* Does SQLite have statistics, in any database of the connection (ANALYZE
** wrote sqlite_stat1)? Then its row counts of local tables are counts, not
** its guess of a million (cost_scan_in_join). */
static int has_stats(sqlite3 *db) {
  const char *zDb;
  int i;
  for (i = 0; (zDb = sqlite3_db_name(db, i)) != 0; i++) {
    if (sqlite3_table_column_metadata(db, zDb, "sqlite_stat1", 0, 0, 0, 0, 0, 0) == SQLITE_OK) {
      return 1;
    }
  }
  return 0;
}

/* What the plan's costs are made of: the table's size (asked once), its
** indexes', and how the table reads (cost.h). */
static void plan_costs(dyn_vtab *v, plan_input *in) {
  int i, j;
  table_size(v);
  in->nBytes = v->nBytes;
  in->nItems = v->nItems;
  in->consistent = v->args.consistent_read;
  in->segments = (int)v->args.segments; /* at most ARGS_MAX_SEGMENTS; 0: by size */
  in->hasStats = has_stats(v->db);
  in->readOnce = (v->args.scan >= 0 ? v->args.scan : conn_scan_allowed(v->conn)) &&
                 v->args.segment_first < 0 ? v->args.read_once * 1024 * 1024 : 0;
  for (i = 0; i < v->nPlanIdx; i++) {
    plan_index *x = &v->aPlanIdx[i];
    for (j = 0; j < v->nIdx && strcmp(v->aIdx[j].zName, x->zName) != 0; j++) {
    }
    x->nBytes = j < v->nIdx ? v->aIdx[j].nBytes : 0;
    x->nItems = j < v->nIdx ? v->aIdx[j].nItems : 0;
  }
}

/* Is constraint i, as a filter, exactly SQLite's condition? Known at plan
** time only for a constant right-hand side, or IS [NOT] NULL. */
static int filter_is_exact(const dyn_vtab *v, sqlite3_index_info *p, int i, int isIn) {
  const struct sqlite3_index_constraint *c = &p->aConstraint[i];
  int op = filter_op_of(c->op, isIn);
  sqlite3_value *rhs = 0;
  if (!op || !c->usable || c->iColumn < 0 || c->iColumn >= v->ncol) return 0;
  if (op != FILTER_ISNULL && op != FILTER_NOTNULL && op != FILTER_IN &&
      sqlite3_vtab_rhs_value(p, i, &rhs) != SQLITE_OK) {
    return 0;
  }
  return filter_exact(v->aCol[c->iColumn].cmpAff, op, rhs);
}

static int vtBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *p) {
  dyn_vtab *v = (dyn_vtab *)pVtab;
  plan_constraint *aCons = sqlite3_malloc64(sizeof(*aCons) * (p->nConstraint + 1));
  plan_orderby *aOrder = sqlite3_malloc64(sizeof(*aOrder) * (p->nOrderBy + 1));
  plan_usage *aUsage = sqlite3_malloc64(sizeof(*aUsage) * (p->nConstraint + 1));
  plan_input in;
  plan_output out;
  int i, rc = SQLITE_NOMEM;
  if (!aCons || !aOrder || !aUsage) goto done;
  if (v->args.filter) column_affinities(v);
  for (i = 0; i < p->nConstraint; i++) {
    const char *zColl = sqlite3_vtab_collation(p, i);
    aCons[i].iColumn = p->aConstraint[i].iColumn;
    aCons[i].op = p->aConstraint[i].op;
    aCons[i].usable = p->aConstraint[i].usable;
    aCons[i].binary = !zColl || sqlite3_stricmp(zColl, "BINARY") == 0;
    aCons[i].is_in = sqlite3_vtab_in(p, i, -1);
    aCons[i].exact = v->args.filter && filter_is_exact(v, p, i, aCons[i].is_in);
    if (aCons[i].usable && sqlite3_vtab_rhs_value(p, i, &aCons[i].rhs) != SQLITE_OK) aCons[i].rhs = 0;
  }
  for (i = 0; i < p->nOrderBy; i++) {
    aOrder[i].iColumn = p->aOrderBy[i].iColumn;
    aOrder[i].desc = p->aOrderBy[i].desc;
  }
  memset(&in, 0, sizeof(in));
  in.ncol = v->ncol;
  in.azCol = v->azName;
  in.pk = v->pk;
  in.sk = v->sk;
  in.pk_text = v->pktype == AV_S;
  in.sk_text = v->sk >= 0 && v->sktype == AV_S;
  in.sk_exact = v->sk >= 0 && (v->sktype == AV_S || v->sktype == AV_B);
  in.nindex = v->nPlanIdx;
  in.aIndex = v->aPlanIdx;
  in.ncons = p->nConstraint;
  in.aCons = aCons;
  in.norder = p->nOrderBy;
  in.aOrder = aOrder;
  in.colUsed = p->colUsed;
  in.filter = v->args.filter;
  plan_costs(v, &in);
  memset(&out, 0, sizeof(out));
  out.aUsage = aUsage;
  if ((rc = plan_best(&in, &out)) != SQLITE_OK) goto done;
  for (i = 0; i < p->nConstraint; i++) {
    p->aConstraintUsage[i].argvIndex = aUsage[i].argvIndex;
    p->aConstraintUsage[i].omit = (unsigned char)aUsage[i].omit;
    if (aUsage[i].in_all) sqlite3_vtab_in(p, i, 1);
  }
  p->idxNum = out.idxNum;
  p->idxStr = out.idxStr;
  p->needToFreeIdxStr = 1;
  p->orderByConsumed = out.order_consumed;
  p->estimatedCost = out.cost;
  p->estimatedRows = out.rows;
  if (out.unique) p->idxFlags |= SQLITE_INDEX_SCAN_UNIQUE;
done:
  sqlite3_free(aCons);
  sqlite3_free(aOrder);
  sqlite3_free(aUsage);
  return rc;
}

/* ---- the cursor: read.c ---------------------------------------------------- */

static int vtOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur) {
  int rc = read_open((dyn_vtab *)pVtab, ppCur);
  if (rc == SQLITE_OK) conn_work_begin(((dyn_vtab *)pVtab)->conn);
  return rc;
}

static int vtClose(sqlite3_vtab_cursor *cur) {
  dyn_conn *conn = ((dyn_vtab *)cur->pVtab)->conn;
  int rc = read_close(cur);
  conn_work_end(conn);
  return rc;
}

/* A row for SQLite: the progress line (stats.h) makes way for it first. */
static int row_ready(sqlite3_vtab_cursor *cur, int rc) {
  if (rc == SQLITE_OK && !read_eof(cur)) conn_work_row(((dyn_vtab *)cur->pVtab)->conn);
  return rc;
}

static int vtFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc,
                    sqlite3_value **argv) {
  return row_ready(cur, read_filter(cur, idxNum, idxStr, argc, argv));
}

static int vtNext(sqlite3_vtab_cursor *cur) {
  return row_ready(cur, read_next(cur));
}

static int vtEof(sqlite3_vtab_cursor *cur) {
  return read_eof(cur);
}

static int vtColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i) {
  return read_column(cur, ctx, i);
}

static int vtRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid) {
  return read_rowid(cur, pRowid);
}

/* ---- xUpdate: update.c ------------------------------------------------------ */

static int vtUpdate(sqlite3_vtab *pVtab, int argc, sqlite3_value **argv, sqlite_int64 *pRowid) {
  (void)pRowid; /* WITHOUT ROWID */
  return update_row((dyn_vtab *)pVtab, argc, argv);
}

/* ---- transactions: writes wait for the commit ------------------------------- */

static int vtBegin(sqlite3_vtab *pVtab) {
  (void)pVtab;
  return SQLITE_OK;
}

/* The commit's first phase: send what is pending; an error here rolls the
** SQLite transaction back and is the statement's (or COMMIT's) error. */
static int vtSync(sqlite3_vtab *pVtab) {
  return table_flush((dyn_vtab *)pVtab);
}

static int vtCommit(sqlite3_vtab *pVtab) {
  table_end((dyn_vtab *)pVtab);
  return SQLITE_OK;
}

static int vtRollback(sqlite3_vtab *pVtab) {
  dyn_vtab *v = (dyn_vtab *)pVtab;
  if (v->writer) writer_discard(v->writer);
  table_end(v);
  return SQLITE_OK;
}

static int vtSavepoint(sqlite3_vtab *pVtab, int i) {
  dyn_vtab *v = (dyn_vtab *)pVtab;
  if (!v->writer && writer_open(&v->writer) != SQLITE_OK) return SQLITE_NOMEM;
  return writer_savepoint(v->writer, i);
}

static int vtRelease(sqlite3_vtab *pVtab, int i) {
  dyn_vtab *v = (dyn_vtab *)pVtab;
  if (v->writer) writer_release(v->writer, i);
  return SQLITE_OK;
}

static int vtRollbackTo(sqlite3_vtab *pVtab, int i) {
  dyn_vtab *v = (dyn_vtab *)pVtab;
  if (v->writer) writer_rollback_to(v->writer, i);
  return SQLITE_OK;
}

/* ---- names: catalog.c -------------------------------------------------------- */

static int vtRename(sqlite3_vtab *pVtab, const char *zNew) {
  return catalog_rename((dyn_vtab *)pVtab, zNew);
}

static int vtShadowName(const char *zName) {
  return catalog_is_shadow(zName);
}

static sqlite3_module dynamoModule = {
    /* iVersion    */ 3,
    /* xCreate     */ vtCreate,
    /* xConnect    */ vtConnect,
    /* xBestIndex  */ vtBestIndex,
    /* xDisconnect */ vtDisconnect,
    /* xDestroy    */ vtDestroy,
    /* xOpen       */ vtOpen,
    /* xClose      */ vtClose,
    /* xFilter     */ vtFilter,
    /* xNext       */ vtNext,
    /* xEof        */ vtEof,
    /* xColumn     */ vtColumn,
    /* xRowid      */ vtRowid,
    /* xUpdate     */ vtUpdate,
    /* xBegin      */ vtBegin,
    /* xSync       */ vtSync,
    /* xCommit     */ vtCommit,
    /* xRollback   */ vtRollback,
    /* xFindMethod */ 0,
    /* xRename     */ vtRename,
    /* xSavepoint  */ vtSavepoint,
    /* xRelease    */ vtRelease,
    /* xRollbackTo */ vtRollbackTo,
    /* xShadowName */ vtShadowName,
};

/* ---- dynamo_refresh(name [, schema]) ----------------------------------------- */

/* Have SQLite read zDb's schema again, so that it connects its tables anew
** (xConnect declares the columns in NAME_schema): writing PRAGMA
** schema_version is how, for this connection and every other. Defensive
** mode (SQLITE_DBCONFIG_DEFENSIVE) ignores that write. */
static int reload_schema(sqlite3 *db, const char *zDb, char **pzErr) {
  char *zSql = sqlite3_mprintf("PRAGMA \"%w\".schema_version", zDb);
  sqlite3_stmt *st = 0;
  sqlite3_int64 before = -1, after = -1;
  int rc = zSql ? sqlite3_prepare_v2(db, zSql, -1, &st, 0) : SQLITE_NOMEM;
  if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) before = sqlite3_column_int64(st, 0);
  if (rc == SQLITE_OK) rc = sqlite3_reset(st);
  sqlite3_free(zSql);
  zSql = rc == SQLITE_OK ? sqlite3_mprintf("PRAGMA \"%w\".schema_version = %lld", zDb,
                                           (long long)before + 1)
                         : 0;
  if (rc == SQLITE_OK) rc = zSql ? sqlite3_exec(db, zSql, 0, 0, 0) : SQLITE_NOMEM;
  if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) after = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_free(zSql);
  if (rc == SQLITE_OK && after != before + 1) {
    *pzErr = sqlite3_mprintf("dynamo_refresh: the new columns are saved, but SQLite shows them "
                             "only once the database is opened again (PRAGMA schema_version "
                             "cannot be written here: defensive mode?)");
    return SQLITE_ERROR;
  }
  if (rc != SQLITE_OK && rc != SQLITE_NOMEM) {
    *pzErr = sqlite3_mprintf("dynamo_refresh: the new columns are saved, but the schema could "
                             "not be read again: %s", sqlite3_errmsg(db));
  }
  return rc;
}

/*
** SELECT dynamo_refresh('tracks') adds the attributes that a new sample of
** the items shows and that are not columns yet (the columns found at CREATE
** time are fixed); existing columns, declared or found, keep their place
** and type. Returns how many were added.
*/
static void fn_refresh(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char *zName = (const char *)sqlite3_value_text(argv[0]);
  const char *zDb = argc > 1 ? (const char *)sqlite3_value_text(argv[1]) : 0;
  char *zSql, *zErr = 0, *zSchema = 0;
  dyn_vtab *v;
  int rc, nFound = 0, nAdded = 0;
  if (!zName) {
    sqlite3_result_error(ctx, "dynamo_refresh: give the name of a dynamo table", -1);
    return;
  }
  /* connect it, if the connection has not used it yet */
  zSql = zDb ? sqlite3_mprintf("PRAGMA \"%w\".table_info(\"%w\")", zDb, zName)
             : sqlite3_mprintf("PRAGMA table_info(\"%w\")", zName);
  rc = zSql ? sqlite3_exec(db, zSql, 0, 0, 0) : SQLITE_NOMEM;
  sqlite3_free(zSql);
  if (rc != SQLITE_OK) {
    zErr = sqlite3_mprintf("%s", sqlite3_errmsg(db));
  } else if (!(v = table_find(sqlite3_user_data(ctx), zDb, zName, &nFound)) || nFound > 1) {
    zErr = nFound ? sqlite3_mprintf("dynamo_refresh: %s is in more than one schema: name it, as "
                                    "in dynamo_refresh('%s', 'main')", zName, zName)
                  : sqlite3_mprintf("dynamo_refresh: no dynamo table %s%s%s", zDb ? zDb : "",
                                    zDb ? "." : "", zName);
    rc = SQLITE_ERROR;
  } else if (!(zSchema = sqlite3_mprintf("%s", v->zDb))) {
    rc = SQLITE_NOMEM;
  } else if ((rc = open_refresh(v, &nAdded, &zErr)) == SQLITE_OK && nAdded > 0) {
    rc = reload_schema(db, zSchema, &zErr); /* v is disconnected from here on */
  }
  if (rc == SQLITE_OK) sqlite3_result_int(ctx, nAdded);
  else if (zErr) sqlite3_result_error(ctx, zErr, -1);
  else sqlite3_result_error_code(ctx, rc);
  sqlite3_free(zErr);
  sqlite3_free(zSchema);
}

/*
** dynamo_debug(TABLE): what the dynamo table TABLE uses (or would use),
** found without a request to DynamoDB: region, endpoint, retry mode and
** attempts, credential source (table_describe).
*/
static void fn_debug_table(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char *zName = (const char *)sqlite3_value_text(argv[0]);
  char *zSql, *zErr = 0;
  sqlite3_str *s;
  dyn_vtab *v;
  int rc, nFound = 0;
  (void)argc;
  if (!zName) {
    sqlite3_result_error(ctx, "dynamo_debug: give the name of a dynamo table", -1);
    return;
  }
  /* connect it, if the connection has not used it yet (no request) */
  zSql = sqlite3_mprintf("PRAGMA table_info(\"%w\")", zName);
  rc = zSql ? sqlite3_exec(db, zSql, 0, 0, 0) : SQLITE_NOMEM;
  sqlite3_free(zSql);
  if (rc == SQLITE_NOMEM) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  if (!(v = table_find(sqlite3_user_data(ctx), 0, zName, &nFound)) || nFound > 1) {
    zErr = nFound ? sqlite3_mprintf("dynamo_debug: %s is in more than one schema", zName)
                  : sqlite3_mprintf("dynamo_debug: no dynamo table %s", zName);
    sqlite3_result_error(ctx, zErr ? zErr : "out of memory", -1);
    sqlite3_free(zErr);
    return;
  }
  s = sqlite3_str_new(db);
  rc = table_describe(v, s, &zErr);
  zSql = sqlite3_str_finish(s);
  if (rc == SQLITE_OK && zSql) {
    sqlite3_result_text(ctx, zSql, -1, sqlite3_free);
    return;
  }
  sqlite3_free(zSql);
  if (zErr) sqlite3_result_error(ctx, zErr, -1);
  else sqlite3_result_error_nomem(ctx);
  sqlite3_free(zErr);
}

int vtab_register(sqlite3 *db, dyn_conn *conn) {
  int rc = sqlite3_create_module_v2(db, "dynamo", &dynamoModule, conn, 0);
  /* dynamo_key(TABLE, pk) and dynamo_key(TABLE, pk, sk): it connects the
  ** table it names, as the statements that use it do (their table is
  ** SQLITE_VTAB_DIRECTONLY), so it is theirs alone too */
  if (rc == SQLITE_OK) {
    rc = sqlite3_create_function(db, "dynamo_key", 2, SQLITE_UTF8 | SQLITE_DIRECTONLY, conn,
                                 catalog_key_function, 0, 0);
  }
  if (rc == SQLITE_OK) {
    rc = sqlite3_create_function(db, "dynamo_key", 3, SQLITE_UTF8 | SQLITE_DIRECTONLY, conn,
                                 catalog_key_function, 0, 0);
  }
  /* it reaches the network: never from a view or trigger (see vt_init) */
  if (rc == SQLITE_OK) {
    rc = sqlite3_create_function(db, "dynamo_refresh", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY, conn,
                                 fn_refresh, 0, 0);
  }
  if (rc == SQLITE_OK) {
    rc = sqlite3_create_function(db, "dynamo_refresh", 2, SQLITE_UTF8 | SQLITE_DIRECTONLY, conn,
                                 fn_refresh, 0, 0);
  }
  /* beside dynamo_debug() (dynamo.c); it reads the AWS files: not from a
  ** view or trigger either */
  if (rc == SQLITE_OK) {
    rc = sqlite3_create_function(db, "dynamo_debug", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY, conn,
                                 fn_debug_table, 0, 0);
  }
  return rc;
}
