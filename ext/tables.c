/*
** tables.c: the eponymous virtual table "dynamo_tables", one row per
** DynamoDB table at an endpoint.
**
**   SELECT * FROM dynamo_tables;                        -- as configured
**   SELECT name FROM dynamo_tables('eu-west-1');        -- region
**   SELECT * FROM dynamo_tables WHERE region = ? AND endpoint = ? AND profile = ?;
**   SELECT * FROM dynamo_tables WHERE name = 'Tracks';  -- one DescribeTable
**
** The hidden columns region, endpoint and profile say where to look; absent
** or NULL, each is resolved as the AWS CLI does (config.h), exactly as for a
** dynamo table without those options. Each xFilter opens its own client,
** pages through ListTables and sends DescribeTable for the names, up to
** TB_CHUNK at once; rows come in the order ListTables gives the names.
*/
#include "ddb.h"
#include "describe.h"
#include "tables.h"

#include <string.h>

#define TB_PAGE 100  /* ListTables Limit: the largest DynamoDB allows */
#define TB_CHUNK 32  /* DescribeTable requests started together */

/* Columns, in the order of the declaration below. */
enum {
  COL_NAME,
  COL_STATUS,
  COL_PK,
  COL_SK,
  COL_ITEMS,
  COL_BYTES,
  COL_BILLING,
  COL_READ,
  COL_WRITE,
  COL_GSI,
  COL_LSI,
  COL_CREATED,
  COL_REGION, /* hidden: the parameters */
  COL_ENDPOINT,
  COL_PROFILE
};

/* idxNum bits: which arguments xFilter gets, in this order. */
#define TB_REGION 1
#define TB_ENDPOINT 2
#define TB_PROFILE 4
#define TB_NAME 8 /* name = ?: DescribeTable of that name, no ListTables */

typedef struct tb_vtab {
  sqlite3_vtab base;
  sqlite3 *db;            /* sqlite3_interrupt() on it stops each client's waits */
} tb_vtab;

typedef struct tb_cursor {
  sqlite3_vtab_cursor base;
  ddb_client *client;     /* this xFilter's, opened with its arguments */
  char *zProfile;         /* the profile argument (NULL: none) */
  cJSON *names;           /* table names of the current ListTables page */
  cJSON *next;            /* the first of them not yet described */
  char *zStart;           /* LastEvaluatedTableName; NULL: no more pages */
  ddb_job aJob[TB_CHUNK]; /* DescribeTable for the current chunk of names */
  cJSON *aReq[TB_CHUNK];
  int nJob;
  int iJob;               /* the current row's job */
  const cJSON *table;     /* the current row: aJob[iJob]'s "Table" */
  sqlite3_int64 iRowid;
  int eof;
} tb_cursor;

/* The table name job i asked DescribeTable about. */
static const char *asked(const tb_cursor *c, int i) {
  return cJSON_GetObjectItemCaseSensitive(c->aReq[i], "TableName")->valuestring;
}

/* Replace the table's error message (takes ownership of zMsg). */
static int tb_error(sqlite3_vtab *v, int rc, char *zMsg) {
  sqlite3_free(v->zErrMsg);
  v->zErrMsg = zMsg;
  return zMsg ? rc : SQLITE_NOMEM;
}

/* ---- the table ------------------------------------------------------------ */

static int tbConnect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                     sqlite3_vtab **ppVtab, char **pzErr) {
  tb_vtab *v;
  int rc;
  (void)pAux;
  (void)argc;
  (void)argv;
  (void)pzErr;
  *ppVtab = 0;
  rc = sqlite3_declare_vtab(db,
                            "CREATE TABLE x(name TEXT, status TEXT, partition_key TEXT, "
                            "sort_key TEXT, item_count INTEGER, size_bytes INTEGER, "
                            "billing_mode TEXT, read_units INTEGER, write_units INTEGER, "
                            "global_indexes TEXT, local_indexes TEXT, created REAL, "
                            "region TEXT HIDDEN, endpoint TEXT HIDDEN, profile TEXT HIDDEN)");
  if (rc != SQLITE_OK) return rc;
  if (!(v = sqlite3_malloc(sizeof(*v)))) return SQLITE_NOMEM;
  memset(v, 0, sizeof(*v));
  v->db = db;
  /* The table sends requests signed with the user's credentials: only
  ** statements the user runs may use it, never a view or trigger stored in
  ** a database file someone else made. (Not SQLITE_VTAB_INNOCUOUS.) */
  sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  *ppVtab = &v->base;
  return SQLITE_OK;
}

static int tbDisconnect(sqlite3_vtab *v) {
  sqlite3_free(v->zErrMsg);
  sqlite3_free(v);
  return SQLITE_OK;
}

/*
** Equalities on the hidden columns become xFilter's arguments. One that is
** not usable in this plan (its value comes from a table joined later) makes
** the plan impossible, so that SQLite picks an order where it is usable
** rather than listing the default endpoint's tables. name = ? (BINARY) is
** taken too, and checked again by SQLite.
*/
static int tbBestIndex(sqlite3_vtab *v, sqlite3_index_info *p) {
  int aArg[4] = {-1, -1, -1, -1}; /* constraint per idxNum bit */
  int unusable = 0, i, bit, n = 0;
  (void)v;
  for (i = 0; i < p->nConstraint; i++) {
    const struct sqlite3_index_constraint *c = &p->aConstraint[i];
    const char *zColl;
    if (c->op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
    switch (c->iColumn) {
      case COL_REGION: bit = 0; break;
      case COL_ENDPOINT: bit = 1; break;
      case COL_PROFILE: bit = 2; break;
      case COL_NAME:
        zColl = sqlite3_vtab_collation(p, i);
        if (!c->usable || (zColl && sqlite3_stricmp(zColl, "BINARY") != 0)) continue;
        bit = 3;
        break;
      default: continue;
    }
    if (!c->usable) unusable |= 1 << bit;
    else if (aArg[bit] < 0) aArg[bit] = i;
  }
  for (bit = 0; bit < 4; bit++) {
    if (aArg[bit] >= 0) {
      p->idxNum |= 1 << bit;
      p->aConstraintUsage[aArg[bit]].argvIndex = ++n;
      p->aConstraintUsage[aArg[bit]].omit = bit < 3; /* parameters are not compared */
    } else if (unusable & (1 << bit)) {
      return SQLITE_CONSTRAINT;
    }
  }
  if (p->idxNum & TB_NAME) {
    p->idxStr = "DescribeTable name=?";
    p->estimatedCost = 10;
    p->estimatedRows = 1;
  } else {
    p->idxStr = "ListTables, then DescribeTable for each";
    p->estimatedCost = 1000;
    p->estimatedRows = 100;
  }
  return SQLITE_OK;
}

/* ---- cursor ------------------------------------------------------------- */

static int tbOpen(sqlite3_vtab *v, sqlite3_vtab_cursor **ppCur) {
  tb_cursor *c = sqlite3_malloc(sizeof(*c));
  (void)v;
  if (!c) return SQLITE_NOMEM;
  memset(c, 0, sizeof(*c));
  c->eof = 1;
  *ppCur = &c->base;
  return SQLITE_OK;
}

/* Forget the current chunk's requests and answers. */
static void chunk_clear(tb_cursor *c) {
  int i;
  for (i = 0; i < c->nJob; i++) {
    if (c->aJob[i].active) ddb_abandon(c->client, &c->aJob[i]);
    ddb_job_clear(&c->aJob[i]);
    cJSON_Delete(c->aReq[i]);
    c->aReq[i] = 0;
  }
  memset(c->aJob, 0, sizeof(c->aJob));
  c->nJob = c->iJob = 0;
  c->table = 0;
}

static void cursor_reset(tb_cursor *c) {
  chunk_clear(c);
  cJSON_Delete(c->names);
  sqlite3_free(c->zStart);
  sqlite3_free(c->zProfile);
  ddb_close(c->client);
  c->names = c->next = 0;
  c->zStart = c->zProfile = 0;
  c->client = 0;
  c->iRowid = 0;
  c->eof = 1;
}

static int tbClose(sqlite3_vtab_cursor *cur) {
  tb_cursor *c = (tb_cursor *)cur;
  cursor_reset(c);
  sqlite3_free(c);
  return SQLITE_OK;
}

/* The next page of ListTables (the first when c->zStart is NULL). */
static int list_page(tb_cursor *c) {
  sqlite3_vtab *v = c->base.pVtab;
  const char *zWhere = ddb_config(c->client)->endpoint;
  cJSON *req = cJSON_CreateObject(), *resp = 0, *names;
  const cJSON *e, *last;
  char *zErr = 0;
  int rc;
  if (!req || !cJSON_AddNumberToObject(req, "Limit", TB_PAGE) ||
      (c->zStart && !cJSON_AddStringToObject(req, "ExclusiveStartTableName", c->zStart))) {
    cJSON_Delete(req);
    return SQLITE_NOMEM;
  }
  rc = ddb_call(c->client, "ListTables", zWhere, req, &resp, &zErr, 0);
  cJSON_Delete(req);
  if (rc != SQLITE_OK) return zErr ? tb_error(v, rc, zErr) : rc;
  names = cJSON_DetachItemFromObjectCaseSensitive(resp, "TableNames");
  last = cJSON_GetObjectItemCaseSensitive(resp, "LastEvaluatedTableName");
  rc = cJSON_IsArray(names) && (!last || cJSON_IsString(last)) ? SQLITE_OK : SQLITE_ERROR;
  cJSON_ArrayForEach(e, names) {
    if (!cJSON_IsString(e)) rc = SQLITE_ERROR;
  }
  sqlite3_free(c->zStart);
  c->zStart = 0;
  if (rc == SQLITE_OK && last && !(c->zStart = sqlite3_mprintf("%s", last->valuestring))) {
    rc = SQLITE_NOMEM;
  }
  cJSON_Delete(resp);
  cJSON_Delete(c->names);
  c->names = names;
  c->next = rc == SQLITE_OK ? names->child : 0;
  if (rc != SQLITE_ERROR) return rc;
  return tb_error(v, rc,
                  sqlite3_mprintf("dynamo: ListTables on %s: malformed response (TableNames)",
                                  zWhere));
}

/* DescribeTable for the next names, all at once; each job's rc says how it
** went. */
static int describe_chunk(tb_cursor *c) {
  int i, rc = SQLITE_OK;
  chunk_clear(c);
  for (; c->next && c->nJob < TB_CHUNK; c->next = c->next->next) {
    cJSON *req = describe_request(c->next->valuestring);
    c->aReq[c->nJob] = req;
    c->aJob[c->nJob].zOp = "DescribeTable";
    c->aJob[c->nJob].req = req;
    c->nJob++;
    if (!req) return SQLITE_NOMEM;
  }
  /* ddb_run() would name one table in every error; each job has its own */
  for (i = 0; rc == SQLITE_OK && i < c->nJob; i++) {
    rc = ddb_start(c->client, asked(c, i), &c->aJob[i]);
  }
  for (i = 0; rc == SQLITE_OK && i < c->nJob; i++) rc = ddb_wait(c->client, &c->aJob[i]);
  return rc;
}

/* Move to the next row, from the current position on: the next answered
** DescribeTable, the next chunk of names, the next ListTables page. */
static int advance(tb_cursor *c) {
  sqlite3_vtab *v = c->base.pVtab;
  int rc;
  for (;;) {
    for (; c->iJob < c->nJob; c->iJob++) {
      ddb_job *j = &c->aJob[c->iJob];
      if (j->rc == SQLITE_OK) {
        c->table = cJSON_GetObjectItemCaseSensitive(j->resp, "Table");
        if (cJSON_IsObject(c->table)) return SQLITE_OK;
        return tb_error(v, SQLITE_ERROR,
                        sqlite3_mprintf("dynamo: DescribeTable on %s: malformed response (Table)",
                                        asked(c, c->iJob)));
      }
      /* deleted since ListTables listed it, or no such name: no row */
      if (strcmp(j->zType, "ResourceNotFoundException") == 0) continue;
      rc = j->rc;
      if (!j->zErr) return rc;
      rc = tb_error(v, rc, j->zErr);
      j->zErr = 0;
      return rc;
    }
    chunk_clear(c);
    while (!c->next && c->zStart) { /* a page may hold no name and still go on */
      if ((rc = list_page(c)) != SQLITE_OK) return rc;
    }
    if (!c->next) {
      c->eof = 1;
      return SQLITE_OK;
    }
    if ((rc = describe_chunk(c)) != SQLITE_OK) return rc;
  }
}

/* Could DescribeTable find a table of this name? 3 to 255 characters
** a-z A-Z 0-9 _ - . (anything else would be a ValidationException). */
static int valid_name(const char *z) {
  size_t n = z ? strlen(z) : 0, i;
  if (n < 3 || n > 255) return 0;
  for (i = 0; i < n; i++) {
    char ch = z[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
          ch == '_' || ch == '-' || ch == '.'))
      return 0;
  }
  return 1;
}

static int tbFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc,
                    sqlite3_value **argv) {
  tb_cursor *c = (tb_cursor *)cur;
  sqlite3_vtab *v = cur->pVtab;
  const char *az[4] = {0, 0, 0, 0}; /* region, endpoint, profile, name */
  cfg_options o;
  ddb_settings set;
  char *zErr = 0;
  int i, n = 0, rc;
  (void)idxStr;
  cursor_reset(c);
  for (i = 0; i < 4; i++) {
    if ((idxNum & (1 << i)) && n < argc) az[i] = (const char *)sqlite3_value_text(argv[n++]);
  }
  memset(&o, 0, sizeof(o));
  o.region = az[0];
  o.endpoint = az[1];
  o.profile = az[2];
  if (az[2] && !(c->zProfile = sqlite3_mprintf("%s", az[2]))) return SQLITE_NOMEM;
  memset(&set, 0, sizeof(set));
  set.db = ((tb_vtab *)v)->db; /* a credential fetch, ListTables, DescribeTable */
  if ((rc = ddb_open(&o, &set, &c->client, &zErr)) != SQLITE_OK) {
    return zErr ? tb_error(v, rc, zErr) : rc;
  }
  if (idxNum & TB_NAME) { /* just that one, if it can exist */
    if (!(c->names = cJSON_CreateArray())) return SQLITE_NOMEM;
    if (valid_name(az[3]) && !cJSON_AddItemToArray(c->names, cJSON_CreateString(az[3]))) {
      return SQLITE_NOMEM;
    }
    c->next = c->names->child;
  } else if ((rc = list_page(c)) != SQLITE_OK) {
    return rc;
  }
  c->eof = 0;
  return advance(c);
}

static int tbNext(sqlite3_vtab_cursor *cur) {
  tb_cursor *c = (tb_cursor *)cur;
  c->iJob++;
  c->iRowid++;
  return advance(c);
}

static int tbEof(sqlite3_vtab_cursor *cur) {
  return ((tb_cursor *)cur)->eof;
}

/* ---- columns ------------------------------------------------------------- */

static const char *str_member(const cJSON *o, const char *zName) {
  const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, zName);
  return cJSON_IsString(e) ? e->valuestring : 0;
}

/* A key attribute of obj (the table or one of its indexes) as "name TYPE",
** the type from the table's AttributeDefinitions: the partition key, or
** with range the sort key. *pz is NULL when there is none. */
static int key_text(const cJSON *table, const cJSON *obj, int range, char **pz) {
  describe_keys k;
  const char *zName, *zType;
  describe_key_schema(obj, cJSON_GetObjectItemCaseSensitive(table, "AttributeDefinitions"), &k);
  zName = range ? k.zSk : k.zPk;
  zType = range ? k.zSkType : k.zPkType;
  *pz = 0;
  if (!zName) return SQLITE_OK;
  *pz = zType ? sqlite3_mprintf("%s %s", zName, zType) : sqlite3_mprintf("%s", zName);
  return *pz ? SQLITE_OK : SQLITE_NOMEM;
}

/* Adds zValue, or null when it is NULL; 0 when out of memory. */
static int add_text(cJSON *o, const char *zName, const char *zValue) {
  return zValue ? cJSON_AddStringToObject(o, zName, zValue) != 0
                : cJSON_AddNullToObject(o, zName) != 0;
}

/* One index as {"name", "partition_key", "sort_key", "projection",
** ["attributes",] ["status"]}: attributes only for an INCLUDE projection,
** status only where DynamoDB gives one (global indexes). */
static cJSON *index_object(const cJSON *table, const cJSON *ix) {
  const cJSON *proj = cJSON_GetObjectItemCaseSensitive(ix, "Projection");
  const char *zProj = str_member(proj, "ProjectionType");
  const char *zStatus = str_member(ix, "IndexStatus");
  cJSON *o = cJSON_CreateObject();
  char *zPk = 0, *zSk = 0;
  int ok = o && key_text(table, ix, 0, &zPk) == SQLITE_OK &&
           key_text(table, ix, 1, &zSk) == SQLITE_OK &&
           add_text(o, "name", str_member(ix, "IndexName")) &&
           add_text(o, "partition_key", zPk) && add_text(o, "sort_key", zSk) &&
           add_text(o, "projection", zProj);
  if (ok && zProj && strcmp(zProj, "INCLUDE") == 0) {
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(proj, "NonKeyAttributes");
    cJSON *copy = a ? cJSON_Duplicate(a, 1) : cJSON_CreateArray();
    ok = copy && cJSON_AddItemToObject(o, "attributes", copy);
    if (!ok) cJSON_Delete(copy);
  }
  if (ok && zStatus) ok = cJSON_AddStringToObject(o, "status", zStatus) != 0;
  sqlite3_free(zPk);
  sqlite3_free(zSk);
  if (!ok) {
    cJSON_Delete(o);
    return 0;
  }
  return o;
}

/* The indexes in member zMember as a JSON array; NULL result when none. */
static void result_indexes(sqlite3_context *ctx, const cJSON *table, const char *zMember) {
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(table, zMember), *ix;
  cJSON *out;
  char *z;
  if (!cJSON_IsArray(list) || !list->child) return; /* NULL */
  if (!(out = cJSON_CreateArray())) goto nomem;
  cJSON_ArrayForEach(ix, list) {
    cJSON *o = index_object(table, ix);
    if (!o || !cJSON_AddItemToArray(out, o)) {
      cJSON_Delete(o);
      cJSON_Delete(out);
      goto nomem;
    }
  }
  z = cJSON_PrintUnformatted(out);
  cJSON_Delete(out);
  if (!z) goto nomem;
  sqlite3_result_text(ctx, z, -1, SQLITE_TRANSIENT);
  cJSON_free(z);
  return;
nomem:
  sqlite3_result_error_nomem(ctx);
}

static void result_key(sqlite3_context *ctx, const cJSON *table, int range) {
  char *z;
  if (key_text(table, table, range, &z)) {
    sqlite3_result_error_nomem(ctx);
  } else if (z) {
    sqlite3_result_text(ctx, z, -1, sqlite3_free);
  }
}

static void result_member_text(sqlite3_context *ctx, const cJSON *o, const char *zName) {
  const char *z = str_member(o, zName);
  if (z) sqlite3_result_text(ctx, z, -1, SQLITE_TRANSIENT);
}

static void result_member_int(sqlite3_context *ctx, const cJSON *o, const char *zName) {
  const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, zName);
  if (cJSON_IsNumber(e)) sqlite3_result_int64(ctx, (sqlite3_int64)e->valuedouble);
}

/* PAY_PER_REQUEST or PROVISIONED. A table that was never on demand has no
** BillingModeSummary: it is PROVISIONED, DynamoDB's default. */
static const char *billing_mode(const cJSON *table) {
  const char *z =
      str_member(cJSON_GetObjectItemCaseSensitive(table, "BillingModeSummary"), "BillingMode");
  return z ? z : "PROVISIONED";
}

static int tbColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i) {
  tb_cursor *c = (tb_cursor *)cur;
  const cJSON *t = c->table;
  const cJSON *created;
  switch (i) {
    case COL_NAME:
      if (str_member(t, "TableName")) result_member_text(ctx, t, "TableName");
      else sqlite3_result_text(ctx, asked(c, c->iJob), -1, SQLITE_TRANSIENT);
      break;
    case COL_STATUS: result_member_text(ctx, t, "TableStatus"); break;
    case COL_PK: result_key(ctx, t, 0); break;
    case COL_SK: result_key(ctx, t, 1); break;
    case COL_ITEMS: result_member_int(ctx, t, "ItemCount"); break;
    case COL_BYTES: result_member_int(ctx, t, "TableSizeBytes"); break;
    case COL_BILLING: sqlite3_result_text(ctx, billing_mode(t), -1, SQLITE_TRANSIENT); break;
    case COL_READ:
    case COL_WRITE: /* on demand: no units (DynamoDB shows 0) */
      if (strcmp(billing_mode(t), "PAY_PER_REQUEST") != 0) {
        result_member_int(ctx, cJSON_GetObjectItemCaseSensitive(t, "ProvisionedThroughput"),
                          i == COL_READ ? "ReadCapacityUnits" : "WriteCapacityUnits");
      }
      break;
    case COL_GSI: result_indexes(ctx, t, "GlobalSecondaryIndexes"); break;
    case COL_LSI: result_indexes(ctx, t, "LocalSecondaryIndexes"); break;
    case COL_CREATED: /* unix time, with fractions of a second */
      created = cJSON_GetObjectItemCaseSensitive(t, "CreationDateTime");
      if (cJSON_IsNumber(created)) sqlite3_result_double(ctx, created->valuedouble);
      break;
    case COL_REGION: /* where the rows come from, as resolved */
      sqlite3_result_text(ctx, ddb_config(c->client)->region, -1, SQLITE_TRANSIENT);
      break;
    case COL_ENDPOINT:
      sqlite3_result_text(ctx, ddb_config(c->client)->endpoint, -1, SQLITE_TRANSIENT);
      break;
    case COL_PROFILE:
      if (c->zProfile) sqlite3_result_text(ctx, c->zProfile, -1, SQLITE_TRANSIENT);
      break;
  }
  return SQLITE_OK;
}

static int tbRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid) {
  *pRowid = ((tb_cursor *)cur)->iRowid;
  return SQLITE_OK;
}

/* Eponymous only: no xCreate, so CREATE VIRTUAL TABLE ... USING
** dynamo_tables is refused; the table is always just "dynamo_tables". */
static sqlite3_module tablesModule = {
    /* iVersion    */ 0,
    /* xCreate     */ 0,
    /* xConnect    */ tbConnect,
    /* xBestIndex  */ tbBestIndex,
    /* xDisconnect */ tbDisconnect,
    /* xDestroy    */ 0,
    /* xOpen       */ tbOpen,
    /* xClose      */ tbClose,
    /* xFilter     */ tbFilter,
    /* xNext       */ tbNext,
    /* xEof        */ tbEof,
    /* xColumn     */ tbColumn,
    /* xRowid      */ tbRowid,
    /* xUpdate     */ 0,
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

int tables_register(sqlite3 *db) {
  return sqlite3_create_module_v2(db, "dynamo_tables", &tablesModule, 0, 0);
}
