/*
** stats.c: dynamo_stats, dynamo_config() and the per-connection state they
** share with the dynamo tables (see stats.h).
**
**   SELECT table_name, operation, requests, capacity_units FROM dynamo_stats;
**   DELETE FROM dynamo_stats;                      -- reset (or WHERE ...)
**   SELECT dynamo_config('scan');                  -- 1
**   SELECT dynamo_config('scan', 0);               -- scans refused
*/
#include "stats.h"
#include "progress.h"

#include <string.h>

typedef struct stats_row {
  char *zTable;
  char *zOp;
  int gone;             /* deleted: not shown until counted again */
  sqlite3_int64 requests, retries, items, scanned, bytes;
  double capacity, waited_ms;
} stats_row;

struct dyn_conn {
  stats_row *a;
  int n;
  int scan;             /* 1: scans allowed (the default), 0: refused */
  int trust;            /* dynamo_config('trust', 1): every database's schema */
  void *tables;         /* the dynamo tables connected (table.c keeps it) */
  char **azTyped;       /* the arguments of each CREATE VIRTUAL TABLE run on */
  int nTyped;           /* this connection (conn_typed) */
  progress_state progress; /* the progress line of long work */
};

dyn_conn *conn_new(void) {
  dyn_conn *c = sqlite3_malloc(sizeof(*c));
  if (c) {
    memset(c, 0, sizeof(*c));
    c->scan = 1;
    progress_init(&c->progress);
  }
  return c;
}

void conn_work_begin(dyn_conn *c) {
  if (c) progress_begin(&c->progress);
}

void conn_work_end(dyn_conn *c) {
  if (c) progress_end(&c->progress);
}

void conn_work_row(dyn_conn *c) {
  if (c) progress_row(&c->progress);
}

void stats_wait(void *p) {
  dyn_conn *c = p;
  if (c) progress_wait(&c->progress);
}

static void conn_free(void *p) {
  dyn_conn *c = p;
  int i;
  if (!c) return;
  for (i = 0; i < c->n; i++) {
    sqlite3_free(c->a[i].zTable);
    sqlite3_free(c->a[i].zOp);
  }
  sqlite3_free(c->a);
  for (i = 0; i < c->nTyped; i++) sqlite3_free(c->azTyped[i]);
  sqlite3_free(c->azTyped);
  sqlite3_free(c);
}

int conn_scan_allowed(const dyn_conn *c) {
  return c ? c->scan : 1;
}

void **conn_tables(dyn_conn *c) {
  return &c->tables;
}

int conn_trust_all(const dyn_conn *c) {
  return c ? c->trust : 0;
}

int conn_typed(dyn_conn *c, const char *zArgs, int add) {
  char **az, *z;
  int i;
  for (i = 0; i < c->nTyped; i++) {
    if (strcmp(c->azTyped[i], zArgs) == 0) return 1;
  }
  if (!add) return 0;
  if (!(z = sqlite3_mprintf("%s", zArgs))) return SQLITE_NOMEM;
  if (!(az = sqlite3_realloc64(c->azTyped, sizeof(*az) * (c->nTyped + 1)))) {
    sqlite3_free(z);
    return SQLITE_NOMEM;
  }
  c->azTyped = az;
  c->azTyped[c->nTyped++] = z;
  return 1;
}

void stats_add(void *p, const char *zTable, const char *zOp, const ddb_usage *u) {
  dyn_conn *c = p;
  stats_row *r = 0;
  int i;
  if (!c || !zTable) return;
  progress_add(&c->progress, zTable, zOp, u);
  for (i = 0; i < c->n && !r; i++) {
    if (strcmp(c->a[i].zTable, zTable) == 0 && strcmp(c->a[i].zOp, zOp) == 0) r = &c->a[i];
  }
  if (!r) {
    stats_row *a = sqlite3_realloc64(c->a, sizeof(*a) * (c->n + 1));
    char *zT = sqlite3_mprintf("%s", zTable), *zO = sqlite3_mprintf("%s", zOp);
    if (!a || !zT || !zO) { /* out of memory: this request goes uncounted */
      if (a) c->a = a;
      sqlite3_free(zT);
      sqlite3_free(zO);
      return;
    }
    c->a = a;
    r = &c->a[c->n++];
    memset(r, 0, sizeof(*r));
    r->zTable = zT;
    r->zOp = zO;
  }
  if (r->gone) {
    char *zT = r->zTable, *zO = r->zOp;
    memset(r, 0, sizeof(*r));
    r->zTable = zT;
    r->zOp = zO;
  }
  r->requests += u->requests;
  r->retries += u->retries;
  r->items += u->items;
  r->scanned += u->scanned;
  r->bytes += u->bytes;
  r->capacity += u->capacity;
  r->waited_ms += u->waited_ms;
}

/* ---- dynamo_stats --------------------------------------------------------- */

typedef struct stats_vtab {
  sqlite3_vtab base;
  dyn_conn *conn;
} stats_vtab;

typedef struct stats_cursor {
  sqlite3_vtab_cursor base;
  int i;                /* row index in conn->a */
} stats_cursor;

enum { SC_TABLE, SC_OP, SC_REQUESTS, SC_RETRIES, SC_ITEMS, SC_SCANNED, SC_CAPACITY, SC_BYTES,
       SC_WAITED };

static int stConnect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                     sqlite3_vtab **ppVtab, char **pzErr) {
  stats_vtab *v;
  int rc = sqlite3_declare_vtab(db,
                                "CREATE TABLE x(table_name TEXT, operation TEXT, requests INTEGER, "
                                "retries INTEGER, items INTEGER, scanned_items INTEGER, "
                                "capacity_units REAL, bytes INTEGER, waited_ms INTEGER)");
  (void)argc;
  (void)argv;
  (void)pzErr;
  if (rc != SQLITE_OK) return rc;
  if (!(v = sqlite3_malloc(sizeof(*v)))) return SQLITE_NOMEM;
  memset(v, 0, sizeof(*v));
  v->conn = pAux;
  /* It shows the tables used and what they cost, and DELETE erases that:
  ** only statements the user runs, never a view or trigger stored in a
  ** database file (which could copy or erase the accounting) */
  sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  *ppVtab = &v->base;
  return SQLITE_OK;
}

static int stDisconnect(sqlite3_vtab *pVtab) {
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

static int stBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *p) {
  (void)pVtab;
  p->estimatedCost = 10;
  p->estimatedRows = 10;
  return SQLITE_OK;
}

static int stOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur) {
  stats_cursor *c = sqlite3_malloc(sizeof(*c));
  (void)pVtab;
  if (!c) return SQLITE_NOMEM;
  memset(c, 0, sizeof(*c));
  *ppCur = &c->base;
  return SQLITE_OK;
}

static int stClose(sqlite3_vtab_cursor *cur) {
  sqlite3_free(cur);
  return SQLITE_OK;
}

/* Move to row i or the next one that is not deleted. */
static void skip_gone(stats_cursor *c) {
  dyn_conn *conn = ((stats_vtab *)c->base.pVtab)->conn;
  while (c->i < conn->n && conn->a[c->i].gone) c->i++;
}

static int stFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc,
                    sqlite3_value **argv) {
  stats_cursor *c = (stats_cursor *)cur;
  (void)idxNum;
  (void)idxStr;
  (void)argc;
  (void)argv;
  c->i = 0;
  skip_gone(c);
  return SQLITE_OK;
}

static int stNext(sqlite3_vtab_cursor *cur) {
  stats_cursor *c = (stats_cursor *)cur;
  c->i++;
  skip_gone(c);
  return SQLITE_OK;
}

static int stEof(sqlite3_vtab_cursor *cur) {
  stats_cursor *c = (stats_cursor *)cur;
  return c->i >= ((stats_vtab *)cur->pVtab)->conn->n;
}

static int stColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i) {
  stats_cursor *c = (stats_cursor *)cur;
  const stats_row *r = &((stats_vtab *)cur->pVtab)->conn->a[c->i];
  switch (i) {
    case SC_TABLE: sqlite3_result_text(ctx, r->zTable, -1, SQLITE_TRANSIENT); break;
    case SC_OP: sqlite3_result_text(ctx, r->zOp, -1, SQLITE_TRANSIENT); break;
    case SC_REQUESTS: sqlite3_result_int64(ctx, r->requests); break;
    case SC_RETRIES: sqlite3_result_int64(ctx, r->retries); break;
    case SC_ITEMS: sqlite3_result_int64(ctx, r->items); break;
    case SC_SCANNED: sqlite3_result_int64(ctx, r->scanned); break;
    case SC_CAPACITY: sqlite3_result_double(ctx, r->capacity); break;
    case SC_BYTES: sqlite3_result_int64(ctx, r->bytes); break;
    default: sqlite3_result_int64(ctx, (sqlite3_int64)(r->waited_ms + 0.5)); break;
  }
  return SQLITE_OK;
}

static int stRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid) {
  *pRowid = ((stats_cursor *)cur)->i + 1;
  return SQLITE_OK;
}

/* DELETE resets rows; nothing else can change them. */
static int stUpdate(sqlite3_vtab *pVtab, int argc, sqlite3_value **argv, sqlite_int64 *pRowid) {
  dyn_conn *conn = ((stats_vtab *)pVtab)->conn;
  sqlite3_int64 i;
  (void)pRowid;
  if (argc != 1) {
    sqlite3_free(pVtab->zErrMsg);
    pVtab->zErrMsg = sqlite3_mprintf("dynamo_stats: only DELETE (to reset the counts) is allowed");
    return SQLITE_READONLY;
  }
  i = sqlite3_value_int64(argv[0]) - 1;
  if (i >= 0 && i < conn->n) conn->a[i].gone = 1;
  return SQLITE_OK;
}

static sqlite3_module statsModule = {
    /* iVersion    */ 0,
    /* xCreate     */ 0,
    /* xConnect    */ stConnect,
    /* xBestIndex  */ stBestIndex,
    /* xDisconnect */ stDisconnect,
    /* xDestroy    */ 0,
    /* xOpen       */ stOpen,
    /* xClose      */ stClose,
    /* xFilter     */ stFilter,
    /* xNext       */ stNext,
    /* xEof        */ stEof,
    /* xColumn     */ stColumn,
    /* xRowid      */ stRowid,
    /* xUpdate     */ stUpdate,
    /* xBegin      */ 0,
    /* xSync       */ 0,
    /* xCommit     */ 0,
    /* xRollback   */ 0,
    /* xFindMethod */ 0,
    /* xRename     */ 0,
    /* xSavepoint  */ 0,
    /* xRelease    */ 0,
    /* xRollbackTo */ 0,
    /* xShadowName */ 0,
};

/* ---- dynamo_config(name [, value]) ---------------------------------------- */

/* scan: may a table Scan (its own scan= wins); trust: are the options in
** every database's schema honoured (trust.h)? progress: the progress line
** of long work (progress.h). Each 0 or 1. The function is
** SQLITE_DIRECTONLY: no view or trigger stored in a file can set them. */
static void fn_config(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  static const char *const azName[] = {"scan", "trust", "progress"};
  dyn_conn *conn = sqlite3_user_data(ctx);
  const char *zName = (const char *)sqlite3_value_text(argv[0]);
  int *apSetting[3], i;
  apSetting[0] = &conn->scan;
  apSetting[1] = &conn->trust;
  apSetting[2] = &conn->progress.on;
  for (i = 0; zName && i < 3 && sqlite3_stricmp(zName, azName[i]) != 0; i++) {
  }
  if (!zName || i == 3) {
    sqlite3_result_error(ctx, "dynamo_config: unknown setting (settings: scan, trust, progress)",
                         -1);
    return;
  }
  if (argc == 2) {
    sqlite3_int64 v = sqlite3_value_int64(argv[1]);
    if (sqlite3_value_type(argv[1]) != SQLITE_INTEGER || (v != 0 && v != 1)) {
      char *z = sqlite3_mprintf("dynamo_config: %s must be 0 or 1", azName[i]);
      sqlite3_result_error(ctx, z ? z : "dynamo_config: out of memory", -1);
      sqlite3_free(z);
      return;
    }
    *apSetting[i] = (int)v;
  }
  sqlite3_result_int(ctx, *apSetting[i]);
}

int stats_register(sqlite3 *db, dyn_conn *conn) {
  int rc = sqlite3_create_module_v2(db, "dynamo_stats", &statsModule, conn, conn_free);
  if (rc != SQLITE_OK) return rc;
  rc = sqlite3_create_function(db, "dynamo_config", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY, conn,
                               fn_config, 0, 0);
  if (rc == SQLITE_OK) {
    rc = sqlite3_create_function(db, "dynamo_config", 2, SQLITE_UTF8 | SQLITE_DIRECTONLY, conn,
                                 fn_config, 0, 0);
  }
  return rc;
}
