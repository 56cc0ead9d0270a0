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
** sees the same columns without a request. The hidden column "item" holds
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
    if (v->aCol[i].aff) continue;
    if (sqlite3_table_column_metadata(v->db, v->zDb, v->zName, v->aCol[i].name, &zType, 0, 0, 0,
                                      0) == SQLITE_OK) {
      v->aCol[i].aff = filter_affinity(zType);
    }
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
  return filter_exact(v->aCol[c->iColumn].aff, op, rhs);
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
  return read_open((dyn_vtab *)pVtab, ppCur);
}

static int vtClose(sqlite3_vtab_cursor *cur) {
  return read_close(cur);
}

static int vtFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc,
                    sqlite3_value **argv) {
  return read_filter(cur, idxNum, idxStr, argc, argv);
}

static int vtNext(sqlite3_vtab_cursor *cur) {
  return read_next(cur);
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
  (void)pVtab;
  return SQLITE_OK;
}

static int vtRollback(sqlite3_vtab *pVtab) {
  dyn_vtab *v = (dyn_vtab *)pVtab;
  if (v->writer) writer_discard(v->writer);
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

int vtab_register(sqlite3 *db, dyn_conn *conn) {
  return sqlite3_create_module_v2(db, "dynamo", &dynamoModule, conn, 0);
}
