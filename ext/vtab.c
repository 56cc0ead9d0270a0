/*
** vtab.c: the "dynamo" virtual table.
**
**   .load ./dynamo
**   CREATE VIRTUAL TABLE tracks USING dynamo(table=Tracks);
**   SELECT uuid, count(*), avg(speed) FROM tracks GROUP BY uuid;       -- Scan
**   SELECT * FROM tracks WHERE uuid = 'u1' ORDER BY timestamp DESC LIMIT 10;
**                                                 -- one Query, Limit 10
**   INSERT INTO tracks(item) VALUES (readfile('sampleItem.json'));     -- PutItem
**
** Arguments: options (table=, region=, endpoint=, profile=,
** consistent_read=) and column definitions; see args.c. Without column
** definitions the columns are discovered at CREATE time (key attributes
** from DescribeTable, the others from a sample of items) and kept in the
** shadow table NAME_schema, so every later open sees the same columns
** without a request. A hidden column "item" holds the whole item as
** DynamoDB JSON.
**
** The plan (GetItem, Query or Scan) is chosen by plan.c; this file turns
** it into requests, pages through the responses, and converts values with
** attrval.c. Errors name the operation, the table and DynamoDB's message.
*/
#include "args.h"
#include "attrval.h"
#include "create.h"
#include "ddb.h"
#include "expr.h"
#include "indexes.h"
#include "plan.h"
#include "vtab.h"
#include "write.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SAMPLE_ITEMS 1000 /* items read at CREATE to discover columns */
#define RAMP_FIRST 25     /* PLAN_RAMP: the first page's Limit, */
#define RAMP_GROWTH 4     /* times this for each further page, */
#define RAMP_LAST 1600    /* until pages are as big as DynamoDB makes them */
#define MAX_SEGMENTS ARGS_MAX_SEGMENTS /* parallel Scan: at most this many, */
#define SEGMENT_BYTES (8 * 1024 * 1024) /* one per this much table, by default */
#define BATCH_GET_KEYS 100 /* BatchGetItem: keys per request, DynamoDB's limit */
#define UNPROCESSED_ROUNDS 12 /* BatchGetItem: responses in a row leaving keys */

enum { KEY_NO = 0, KEY_HASH = 1, KEY_RANGE = 2 };

typedef struct dyn_column {
  char *name;  /* attribute name, also the column name */
  char *type;  /* declared type as persisted (S, N or B for a key) */
  int cls;     /* write class (attrval.h) */
  int key;     /* KEY_NO, KEY_HASH, KEY_RANGE */
} dyn_column;

typedef struct dyn_vtab {
  sqlite3_vtab base;
  sqlite3 *db;
  char *zDb;           /* schema holding the table: "main", "temp"... */
  char *zName;         /* name of the virtual table */
  dyn_args args;       /* options; args.aCol is not used after create */
  int ncol;            /* columns, the hidden item column not included */
  dyn_column *aCol;
  const char **azName; /* column names, for plan.c */
  int pk, sk;          /* key column indexes; sk < 0: no sort key */
  int pktype, sktype;  /* AV_S, AV_N or AV_B */
  ddb_client *client;  /* opened on first use */
  dyn_writer *writer;  /* writes waiting for the commit */
  sqlite3_int64 tableBytes; /* TableSizeBytes, -1 until asked (segments) */
  dyn_conn *conn;      /* the connection's stats and settings */
  dyn_index *aIdx;     /* secondary indexes (NAME_index) */
  int nIdx;
  plan_index *aPlanIdx;/* those the plan may Query, with their columns */
  int nPlanIdx;
  int atomic;          /* atomic=1: a commit is one TransactWriteItems */
} dyn_vtab;

/* One chain of pages: the table's (or a partition's), or one segment of a
** parallel Scan. */
typedef struct dyn_stream {
  cJSON *req;          /* its request; ExclusiveStartKey set page by page */
  ddb_job job;         /* the page in flight (or the last one) */
  int more;            /* a next page exists and is not asked for yet */
  int nRamp;           /* PLAN_RAMP: Limit of the next page, 0 = none */
} dyn_stream;

typedef struct dyn_cursor {
  sqlite3_vtab_cursor base;
  int idxNum;
  const char *zOp;     /* "Scan", "Query" or "GetItem" */
  dyn_stream *aStream; /* one, or one per Scan segment */
  int nStream;
  int prefetch;        /* ask for a stream's next page as soon as its
                       ** current one arrives */
  cJSON *keys;         /* partition-key values still to visit (array) */
  cJSON *keyValues;    /* where the partition key goes in aStream[0].req */
  const char *zKeySlot;/* member name of that slot (":v0" or the key name) */
  int batch;           /* a GetItem plan over an IN list: BatchGetItem */
  int nUnprocessed;    /* batch: responses in a row that left keys unread */
  sqlite3_int64 msUnprocessed; /* batch: the backoff they have cost */
  cJSON *resp;         /* the current page */
  cJSON *item;         /* the current item: in resp, or when zPage is set
                       ** parsed from it and owned here */
  char *zPage;         /* a split page's body (page.h), items still text */
  page_items items;
  sqlite3_int64 nCount;/* PLAN_COUNT: rows of the page still to produce */
  sqlite3_int64 iRowid;
  int eof;
} dyn_cursor;

/* ---- helpers ------------------------------------------------------------ */

/* Replace the table's error message (takes ownership of zMsg). */
static int vt_error(dyn_vtab *v, int rc, char *zMsg) {
  sqlite3_free(v->base.zErrMsg);
  v->base.zErrMsg = zMsg;
  if (!zMsg) return SQLITE_NOMEM;
  return rc;
}

static int vt_client(dyn_vtab *v) {
  char *zErr = 0;
  cfg_options o;
  ddb_settings set;
  int rc;
  if (v->client) return SQLITE_OK;
  o.region = v->args.region;
  o.endpoint = v->args.endpoint;
  o.profile = v->args.profile;
  memset(&set, 0, sizeof(set));
  set.connect_ms = (long)v->args.connect_ms;
  set.request_ms = (long)v->args.request_ms;
  set.retry_ms = (long)v->args.retry_ms;
  set.max_attempts = (int)v->args.max_attempts;
  set.ca_bundle = v->args.ca_bundle;
  set.allow_http = v->args.allow_http;
  set.max_read_units = v->args.max_read_units;
  set.max_write_units = v->args.max_write_units;
  set.on_usage = stats_add;
  set.usage_ctx = v->conn;
  rc = ddb_open(&o, &set, &v->client, &zErr);
  if (rc != SQLITE_OK) return vt_error(v, rc, zErr);
  return SQLITE_OK;
}

/* The SQLite type a column is declared with: key columns get the SQLite
** type of their DynamoDB type (so comparisons use the right affinity), S
** and B become TEXT and BLOB for the same reason, NULL is quoted (bare, it
** would read as a constraint), and everything else stays as written. */
static void append_decl(sqlite3_str *s, const dyn_column *c) {
  const char *z = c->type, *zRest;
  int n = 0;
  if (c->key) {
    sqlite3_str_appendall(s, c->cls == AV_B ? "BLOB" : c->cls == AVC_TEXT ? "TEXT" : "NUMERIC");
    return;
  }
  while (z[n] && z[n] != ' ' && z[n] != '(') n++;
  zRest = z + n;
  if (n == 1 && (z[0] == 'S' || z[0] == 's')) sqlite3_str_appendf(s, "TEXT%s", zRest);
  else if (n == 1 && (z[0] == 'B' || z[0] == 'b')) sqlite3_str_appendf(s, "BLOB%s", zRest);
  else if (n == 4 && sqlite3_strnicmp(z, "NULL", 4) == 0) sqlite3_str_appendf(s, "\"NULL\"%s", zRest);
  else sqlite3_str_appendall(s, z);
}

static int declare(dyn_vtab *v) {
  sqlite3_str *s = sqlite3_str_new(v->db);
  char *zSql;
  int i, rc;
  sqlite3_str_appendall(s, "CREATE TABLE x(");
  for (i = 0; i < v->ncol; i++) {
    sqlite3_str_appendf(s, "%s\"%w\" ", i ? ", " : "", v->aCol[i].name);
    append_decl(s, &v->aCol[i]);
  }
  sqlite3_str_appendf(s,
                      "%s\"" ARGS_ITEM_COLUMN "\" TEXT HIDDEN, \"" ARGS_KEY_COLUMN
                      "\" TEXT HIDDEN, PRIMARY KEY(\"" ARGS_KEY_COLUMN "\")) WITHOUT ROWID",
                      v->ncol ? ", " : "");
  if (!(zSql = sqlite3_str_finish(s))) return SQLITE_NOMEM;
  rc = sqlite3_declare_vtab(v->db, zSql);
  sqlite3_free(zSql);
  return rc;
}

/* Only characters a type name can hold: the declaration is SQL. */
static int type_is_safe(const char *z) {
  for (; *z; z++) {
    if (!((*z >= 'A' && *z <= 'Z') || (*z >= 'a' && *z <= 'z') || (*z >= '0' && *z <= '9') ||
          strchr(" _(),+-.", *z)))
      return 0;
  }
  return 1;
}

static int add_column(dyn_vtab *v, const char *zName, const char *zType, int key) {
  dyn_column *a = sqlite3_realloc64(v->aCol, sizeof(*a) * (v->ncol + 1));
  if (!a) return SQLITE_NOMEM;
  v->aCol = a;
  a = &v->aCol[v->ncol];
  memset(a, 0, sizeof(*a));
  a->name = sqlite3_mprintf("%s", zName);
  a->type = sqlite3_mprintf("%s", zType);
  a->key = key;
  v->ncol++;
  if (!a->name || !a->type) return SQLITE_NOMEM;
  if (key) {
    int t = av_type_from_name(zType, -1);
    /* key columns write as their SQLite type would store the value */
    a->cls = t == AV_S ? AVC_TEXT : t == AV_N ? AVC_NUMERIC : AVC_ANY;
    if (key == KEY_HASH) v->pk = v->ncol - 1, v->pktype = t;
    else v->sk = v->ncol - 1, v->sktype = t;
    if (t == AV_B) a->cls = AV_B;
  } else {
    a->cls = av_class_of_decl(zType);
  }
  return SQLITE_OK;
}

static int column_index(const dyn_vtab *v, const char *zName) {
  int i;
  for (i = 0; i < v->ncol; i++) {
    if (sqlite3_stricmp(v->aCol[i].name, zName) == 0) return i;
  }
  return -1;
}

static int finish_columns(dyn_vtab *v) {
  int i;
  v->azName = sqlite3_malloc64(sizeof(char *) * (v->ncol + 1));
  if (!v->azName) return SQLITE_NOMEM;
  for (i = 0; i < v->ncol; i++) v->azName[i] = v->aCol[i].name;
  v->azName[v->ncol] = ARGS_ITEM_COLUMN;
  return SQLITE_OK;
}

static void vt_free(dyn_vtab *v) {
  int i;
  if (!v) return;
  for (i = 0; i < v->ncol; i++) {
    sqlite3_free(v->aCol[i].name);
    sqlite3_free(v->aCol[i].type);
  }
  sqlite3_free(v->aCol);
  sqlite3_free(v->azName);
  sqlite3_free(v->zDb);
  sqlite3_free(v->zName);
  args_free(&v->args);
  ddb_close(v->client);
  writer_close(v->writer);
  indexes_free(v->aIdx, v->nIdx);
  sqlite3_free(v->aPlanIdx);
  sqlite3_free(v->base.zErrMsg);
  sqlite3_free(v);
}

/* ---- the shadow table NAME_schema ---------------------------------------- */

static int schema_save(dyn_vtab *v) {
  sqlite3_stmt *st = 0;
  char *zSql = sqlite3_mprintf(
      "CREATE TABLE \"%w\".\"%w_schema\"(pos INTEGER PRIMARY KEY, name TEXT NOT NULL, "
      "type TEXT NOT NULL, key TEXT)",
      v->zDb, v->zName);
  int rc, i;
  if (!zSql) return SQLITE_NOMEM;
  rc = sqlite3_exec(v->db, zSql, 0, 0, 0);
  sqlite3_free(zSql);
  if (rc != SQLITE_OK) return rc;
  zSql = sqlite3_mprintf("INSERT INTO \"%w\".\"%w_schema\" VALUES(?,?,?,?)", v->zDb, v->zName);
  if (!zSql) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(v->db, zSql, -1, &st, 0);
  sqlite3_free(zSql);
  for (i = 0; rc == SQLITE_OK && i < v->ncol; i++) {
    const dyn_column *c = &v->aCol[i];
    sqlite3_bind_int(st, 1, i);
    sqlite3_bind_text(st, 2, c->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, c->type, -1, SQLITE_STATIC);
    if (c->key) sqlite3_bind_text(st, 4, c->key == KEY_HASH ? "HASH" : "RANGE", -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, 4);
    rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(v->db);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  return rc;
}

static int schema_load(dyn_vtab *v, char **pzErr) {
  sqlite3_stmt *st = 0;
  char *zSql = sqlite3_mprintf("SELECT name, type, key FROM \"%w\".\"%w_schema\" ORDER BY pos",
                               v->zDb, v->zName);
  int rc;
  if (!zSql) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(v->db, zSql, -1, &st, 0);
  sqlite3_free(zSql);
  if (rc != SQLITE_OK) {
    *pzErr = sqlite3_mprintf(
        "dynamo: the column list of %s is missing (shadow table %s_schema): %s; drop the "
        "virtual table and create it again",
        v->zName, v->zName, sqlite3_errmsg(v->db));
    return SQLITE_ERROR;
  }
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *zKey = (const char *)sqlite3_column_text(st, 2);
    int key = !zKey ? KEY_NO : strcmp(zKey, "HASH") == 0 ? KEY_HASH : KEY_RANGE;
    rc = add_column(v, (const char *)sqlite3_column_text(st, 0),
                    (const char *)sqlite3_column_text(st, 1), key);
    if (rc != SQLITE_OK) break;
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE && rc != SQLITE_OK) return rc;
  if (v->pk < 0) {
    *pzErr = sqlite3_mprintf("dynamo: %s_schema names no partition key", v->zName);
    return SQLITE_ERROR;
  }
  return SQLITE_OK;
}

/* ---- create: DescribeTable and column discovery --------------------------- */

/* TableSizeBytes from a DescribeTable response (0 when absent). */
static sqlite3_int64 table_bytes(const cJSON *resp) {
  const cJSON *b = cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(resp, "Table"), "TableSizeBytes");
  return cJSON_IsNumber(b) && b->valuedouble > 0 ? (sqlite3_int64)b->valuedouble : 0;
}

/* Key attributes from a DescribeTable response. */
static int describe_keys(const cJSON *resp, const char **pzPk, const char **pzSk,
                         const char **pzPkType, const char **pzSkType) {
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(resp, "Table");
  const cJSON *ks = cJSON_GetObjectItemCaseSensitive(t, "KeySchema");
  const cJSON *ad = cJSON_GetObjectItemCaseSensitive(t, "AttributeDefinitions");
  const cJSON *e, *d;
  *pzPk = *pzSk = *pzPkType = *pzSkType = 0;
  cJSON_ArrayForEach(e, ks) {
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "AttributeName");
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(e, "KeyType");
    const char **pzType;
    if (!cJSON_IsString(n) || !cJSON_IsString(k)) return SQLITE_ERROR;
    if (strcmp(k->valuestring, "HASH") == 0) *pzPk = n->valuestring, pzType = pzPkType;
    else *pzSk = n->valuestring, pzType = pzSkType;
    cJSON_ArrayForEach(d, ad) {
      const cJSON *dn = cJSON_GetObjectItemCaseSensitive(d, "AttributeName");
      const cJSON *dt = cJSON_GetObjectItemCaseSensitive(d, "AttributeType");
      if (cJSON_IsString(dn) && cJSON_IsString(dt) && strcmp(dn->valuestring, n->valuestring) == 0)
        *pzType = dt->valuestring;
    }
    if (!*pzType || av_type_from_name(*pzType, -1) < 0) return SQLITE_ERROR;
  }
  return *pzPk ? SQLITE_OK : SQLITE_ERROR;
}

/* Columns from a sample of items: every attribute seen, with its type when
** all the sampled values agree, in byte order of their names. */
static int discover(dyn_vtab *v, char **pzErr) {
  cJSON *req = cJSON_CreateObject(), *resp = 0, *seen = cJSON_CreateObject(), *e, *a;
  const cJSON *items;
  int rc, i;
  if (!req || !seen || !cJSON_AddStringToObject(req, "TableName", v->args.table) ||
      !cJSON_AddNumberToObject(req, "Limit", SAMPLE_ITEMS)) {
    rc = SQLITE_NOMEM;
    goto done;
  }
  rc = ddb_call(v->client, "Scan", v->args.table, req, &resp, pzErr);
  if (rc != SQLITE_OK) goto done;
  items = cJSON_GetObjectItemCaseSensitive(resp, "Items");
  cJSON_ArrayForEach(e, items) {
    if (!cJSON_IsObject(e)) {
      *pzErr = sqlite3_mprintf("dynamo: Scan on %s: malformed item in the response",
                               v->args.table);
      rc = SQLITE_ERROR;
      goto done;
    }
    cJSON_ArrayForEach(a, e) {
      int t = av_type_of(a);
      cJSON *prev = cJSON_GetObjectItemCaseSensitive(seen, a->string);
      const char *zType = t >= 0 ? av_type_names[t] : "";
      if (!prev) {
        if (!cJSON_AddStringToObject(seen, a->string, zType)) rc = SQLITE_NOMEM;
      } else if (strcmp(prev->valuestring, zType) != 0) {
        cJSON_ReplaceItemInObjectCaseSensitive(seen, a->string, cJSON_CreateString(""));
      }
    }
  }
  /* the keys of indexes, which the plan needs as columns, even when no
  ** sampled item has them */
  for (i = 0; rc == SQLITE_OK && i < v->nIdx; i++) {
    const dyn_index *x = &v->aIdx[i];
    if (!cJSON_GetObjectItemCaseSensitive(seen, x->zPk) && !cJSON_AddStringToObject(seen, x->zPk, x->zPkType))
      rc = SQLITE_NOMEM;
    if (x->zSk && !cJSON_GetObjectItemCaseSensitive(seen, x->zSk) &&
        !cJSON_AddStringToObject(seen, x->zSk, x->zSkType))
      rc = SQLITE_NOMEM;
  }
  /* byte order of the names, independent of the server's order */
  while (rc == SQLITE_OK && seen->child) {
    cJSON *best = seen->child;
    for (e = seen->child; e; e = e->next) {
      if (strcmp(e->string, best->string) < 0) best = e;
    }
    if (column_index(v, best->string) < 0 && !args_is_reserved(best->string))
      rc = add_column(v, best->string, best->valuestring, KEY_NO);
    cJSON_Delete(cJSON_DetachItemViaPointer(seen, best));
  }
done:
  cJSON_Delete(req);
  cJSON_Delete(resp);
  cJSON_Delete(seen);
  return rc;
}

/* Columns as declared, with the key attributes first when missing. */
static int declared_columns(dyn_vtab *v, char **pzErr) {
  int i, j, rc = SQLITE_OK;
  for (i = 0; rc == SQLITE_OK && i < v->args.ncol; i++) {
    const args_column *c = &v->args.aCol[i];
    if (!type_is_safe(c->type)) {
      *pzErr = sqlite3_mprintf("dynamo: invalid type for column %s: %s", c->name, c->type);
      return SQLITE_ERROR;
    }
    j = column_index(v, c->name);
    if (j >= 0 && v->aCol[j].key) {
      /* a key: its type is DynamoDB's; a declared DynamoDB type must agree */
      int t = av_class_of_decl(c->type);
      int kt = j == v->pk ? v->pktype : v->sktype;
      if (strcmp(v->aCol[j].name, c->name) != 0 || (t >= 0 && t != kt)) {
        *pzErr = sqlite3_mprintf(
            "dynamo: column %s is declared %s, but the table's key attribute %s is of type %s",
            c->name, c->type, v->aCol[j].name, av_type_names[kt]);
        return SQLITE_ERROR;
      }
      continue;
    }
    rc = add_column(v, c->name, c->type, KEY_NO);
  }
  return rc;
}

/* ---- create=1: CreateTable and the wait until ACTIVE ---------------------- */

static int describe_table(dyn_vtab *v, cJSON **pResp, char **pzErr) {
  cJSON *req = cJSON_CreateObject();
  int rc;
  *pResp = 0;
  if (!req || !cJSON_AddStringToObject(req, "TableName", v->args.table)) {
    cJSON_Delete(req);
    return SQLITE_NOMEM;
  }
  rc = ddb_call(v->client, "DescribeTable", v->args.table, req, pResp, pzErr);
  cJSON_Delete(req);
  return rc;
}

static long monotonic_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Poll DescribeTable while the table is CREATING (some servers answer
** CreateTable so), sleeping 100 ms, growing to 1 s, for a bounded time.
** *pResp is the latest answer. */
static int wait_active(dyn_vtab *v, cJSON **pResp, char **pzErr) {
  long bound = create_wait_bound_ms(getenv("DYNAMO_CREATE_WAIT_MS"));
  long deadline = monotonic_ms() + bound, left, ms;
  int attempt, rc;
  for (attempt = 0; strcmp(create_table_status(*pResp), "CREATING") == 0; attempt++) {
    if ((left = deadline - monotonic_ms()) <= 0) {
      *pzErr = sqlite3_mprintf(
          "dynamo: waiting for %s to become ACTIVE: still CREATING after %ld %s (DescribeTable's "
          "TableStatus); run this CREATE VIRTUAL TABLE again once it is ACTIVE",
          v->args.table, bound % 1000 ? bound : bound / 1000, bound % 1000 ? "ms" : "s");
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    ms = create_wait_ms(attempt);
    sqlite3_sleep((int)(ms < left ? ms : left));
    cJSON_Delete(*pResp);
    if ((rc = describe_table(v, pResp, pzErr)) != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

/* DescribeTable; with create=1, CreateTable when the table is missing
** (someone else's concurrent CreateTable, ResourceInUseException, is as
** good), then the wait until it is ACTIVE. The declared keys (create: the
** CreateTable request, NULL without PRIMARY KEY) must be the table's. */
static int open_table(dyn_vtab *v, const cJSON *create, cJSON **pResp, char **pzErr) {
  cJSON *created = 0;
  char *z;
  int rc = describe_table(v, pResp, pzErr);
  if (rc == SQLITE_ERROR && strcmp(ddb_error_type(v->client), "ResourceNotFoundException") == 0) {
    if (!v->args.create) {
      z = sqlite3_mprintf("%s (create it with create=1%s)", *pzErr,
                          v->args.pk ? ""
                                     : " and PRIMARY KEY (partition_key [, sort_key]) naming "
                                       "declared columns with their types");
      sqlite3_free(*pzErr);
      *pzErr = z;
      return z ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    sqlite3_free(*pzErr);
    *pzErr = 0;
    rc = ddb_call(v->client, "CreateTable", v->args.table, create, &created, pzErr);
    cJSON_Delete(created);
    if (rc == SQLITE_ERROR && strcmp(ddb_error_type(v->client), "ResourceInUseException") == 0) {
      sqlite3_free(*pzErr);
      *pzErr = 0;
      rc = SQLITE_OK;
    }
    if (rc == SQLITE_OK) rc = describe_table(v, pResp, pzErr);
  }
  if (rc != SQLITE_OK) return rc;
  if (create && (rc = create_check_keys(create, *pResp, v->args.table, pzErr)) != SQLITE_OK) {
    return rc;
  }
  return v->args.create ? wait_active(v, pResp, pzErr) : SQLITE_OK;
}

/* Does the column compare like a key of DynamoDB type t (its affinity)? */
static int compares_like(const dyn_column *c, int t) {
  switch (t) {
    case AV_S: return c->cls == AVC_TEXT || c->cls == AV_S;
    case AV_N: return c->cls == AVC_NUMERIC || c->cls == AV_N;
    case AV_B: return c->cls == AV_B || c->cls == AVC_ANY;
  }
  return 0;
}

static int exact_column(const dyn_vtab *v, const char *zName) {
  int i;
  for (i = 0; zName && i < v->ncol; i++) {
    if (strcmp(v->aCol[i].name, zName) == 0) return i;
  }
  return -1;
}

/* May the plan use index x: the indexes= option, consistent reads (a GSI
** has none)? */
static int index_allowed(const dyn_vtab *v, const dyn_index *x) {
  const char *z = v->args.indexes;
  size_t n = strlen(x->zName);
  if (v->args.consistent_read && x->global) return 0;
  if (!z) return 1;
  while (*z) {
    const char *e = strchr(z, ',');
    size_t k = e ? (size_t)(e - z) : strlen(z);
    while (k > 0 && z[0] == ' ') z++, k--;
    while (k > 0 && z[k - 1] == ' ') k--;
    if (k == n && memcmp(z, x->zName, n) == 0) return 1;
    if (!e) break;
    z = e + 1;
  }
  return 0;
}

/* The indexes as the plan sees them: their key columns, whether those
** compare like the keys (else the index, or its sort key, is not used), and
** for a GSI the columns it holds. */
static int plan_indexes(dyn_vtab *v) {
  int i, j;
  v->aPlanIdx = sqlite3_malloc64(sizeof(plan_index) * (v->nIdx + 1));
  if (!v->aPlanIdx) return SQLITE_NOMEM;
  v->nPlanIdx = 0;
  for (i = 0; i < v->nIdx && v->nPlanIdx < 255; i++) {
    const dyn_index *x = &v->aIdx[i];
    plan_index *p = &v->aPlanIdx[v->nPlanIdx];
    int pkt = av_type_from_name(x->zPkType, -1), skt = x->zSkType ? av_type_from_name(x->zSkType, -1) : -1;
    memset(p, 0, sizeof(*p));
    p->zName = x->zName;
    p->global = x->global;
    p->pk = exact_column(v, x->zPk);
    p->sk = exact_column(v, x->zSk);
    if (!index_allowed(v, x) || p->pk < 0 || !compares_like(&v->aCol[p->pk], pkt)) continue;
    if (p->sk >= 0 && !compares_like(&v->aCol[p->sk], skt)) p->sk = -1;
    p->sk_text = p->sk >= 0 && skt == AV_S;
    p->sk_exact = p->sk >= 0 && (skt == AV_S || skt == AV_B);
    if (strcmp(x->zProjection, "ALL") == 0) {
      p->covers = ~(sqlite3_uint64)0;
    } else { /* the keys of table and index, _key, and INCLUDE's attributes */
      int aKey[4];
      aKey[0] = v->pk, aKey[1] = v->sk, aKey[2] = p->pk, aKey[3] = exact_column(v, x->zSk);
      for (j = 0; j < 4; j++) {
        if (aKey[j] >= 0 && aKey[j] < 63) p->covers |= (sqlite3_uint64)1 << aKey[j];
      }
      if (v->ncol + 1 < 63) p->covers |= (sqlite3_uint64)1 << (v->ncol + 1);
      for (j = 0; j < v->ncol && j < 63; j++) {
        if (indexes_includes(x, v->aCol[j].name)) p->covers |= (sqlite3_uint64)1 << j;
      }
    }
    v->nPlanIdx++;
  }
  return SQLITE_OK;
}

static int vt_init(sqlite3 *db, dyn_conn *conn, int argc, const char *const *argv,
                   int isCreate, sqlite3_vtab **ppVtab, char **pzErr) {
  dyn_vtab *v = sqlite3_malloc(sizeof(*v));
  cJSON *req = 0, *resp = 0;
  int rc;
  *ppVtab = 0;
  if (!v) return SQLITE_NOMEM;
  memset(v, 0, sizeof(*v));
  v->db = db;
  v->conn = conn;
  v->pk = v->sk = -1;
  v->tableBytes = -1;
  v->zDb = sqlite3_mprintf("%s", argv[1]);
  v->zName = sqlite3_mprintf("%s", argv[2]);
  if (!v->zDb || !v->zName) {
    rc = SQLITE_NOMEM;
    goto fail;
  }
  if ((rc = args_parse(argc, argv, &v->args, pzErr)) != SQLITE_OK) goto fail;
  v->atomic = v->args.atomic;
  if (isCreate) {
    const char *zPk, *zSk, *zPkType, *zSkType;
    if ((rc = vt_client(v)) != SQLITE_OK) {
      *pzErr = sqlite3_mprintf("%s", v->base.zErrMsg);
      goto fail;
    }
    /* PRIMARY KEY as a CreateTable request: what create=1 sends, and the
    ** key schema the table must have, with or without create=1 */
    if (v->args.pk && (rc = create_request(&v->args, &req, pzErr)) != SQLITE_OK) goto fail;
    if ((rc = open_table(v, req, &resp, pzErr)) != SQLITE_OK) goto fail;
    v->tableBytes = table_bytes(resp); /* for scan_segments, no second ask */
    if (describe_keys(resp, &zPk, &zSk, &zPkType, &zSkType) != SQLITE_OK) {
      *pzErr = sqlite3_mprintf("dynamo: DescribeTable on %s: no usable key schema in the response",
                               v->args.table);
      rc = SQLITE_ERROR;
      goto fail;
    }
    if ((rc = add_column(v, zPk, zPkType, KEY_HASH)) != SQLITE_OK) goto fail;
    if (zSk && (rc = add_column(v, zSk, zSkType, KEY_RANGE)) != SQLITE_OK) goto fail;
    if ((rc = indexes_from_describe(resp, &v->aIdx, &v->nIdx)) != SQLITE_OK) goto fail;
    rc = v->args.ncol ? declared_columns(v, pzErr) : discover(v, pzErr);
    if (rc != SQLITE_OK) goto fail;
    if ((rc = schema_save(v)) != SQLITE_OK ||
        (rc = indexes_save(db, v->zDb, v->zName, v->aIdx, v->nIdx)) != SQLITE_OK) {
      *pzErr = sqlite3_mprintf("dynamo: cannot create %s_schema or %s_index: %s", v->zName,
                               v->zName, sqlite3_errmsg(db));
      goto fail;
    }
  } else if ((rc = schema_load(v, pzErr)) != SQLITE_OK ||
             (rc = indexes_load(db, v->zDb, v->zName, &v->aIdx, &v->nIdx)) != SQLITE_OK) {
    goto fail;
  }
  if ((rc = finish_columns(v)) != SQLITE_OK) goto fail;
  if ((rc = plan_indexes(v)) != SQLITE_OK) goto fail;
  if ((rc = declare(v)) != SQLITE_OK) {
    *pzErr = sqlite3_mprintf("dynamo: cannot declare the columns of %s: %s", v->zName,
                             sqlite3_errmsg(db));
    goto fail;
  }
  /* The table reaches the network: only statements the user runs may use
  ** it, never a trigger or view planted in an untrusted database. */
  sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  sqlite3_vtab_config(db, SQLITE_VTAB_CONSTRAINT_SUPPORT, 1);
  cJSON_Delete(req);
  cJSON_Delete(resp);
  *ppVtab = &v->base;
  return SQLITE_OK;
fail:
  cJSON_Delete(req);
  cJSON_Delete(resp);
  vt_free(v);
  return rc;
}

static int vtCreate(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                    sqlite3_vtab **ppVtab, char **pzErr) {
  return vt_init(db, pAux, argc, argv, 1, ppVtab, pzErr);
}

static int vtConnect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                     sqlite3_vtab **ppVtab, char **pzErr) {
  return vt_init(db, pAux, argc, argv, 0, ppVtab, pzErr);
}

/* ---- xBestIndex ---------------------------------------------------------- */

static int vtBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *p) {
  dyn_vtab *v = (dyn_vtab *)pVtab;
  plan_constraint *aCons = sqlite3_malloc64(sizeof(*aCons) * (p->nConstraint + 1));
  plan_orderby *aOrder = sqlite3_malloc64(sizeof(*aOrder) * (p->nOrderBy + 1));
  plan_usage *aUsage = sqlite3_malloc64(sizeof(*aUsage) * (p->nConstraint + 1));
  plan_input in;
  plan_output out;
  int i, rc = SQLITE_NOMEM;
  if (!aCons || !aOrder || !aUsage) goto done;
  for (i = 0; i < p->nConstraint; i++) {
    const char *zColl = sqlite3_vtab_collation(p, i);
    aCons[i].iColumn = p->aConstraint[i].iColumn;
    aCons[i].op = p->aConstraint[i].op;
    aCons[i].usable = p->aConstraint[i].usable;
    aCons[i].binary = !zColl || sqlite3_stricmp(zColl, "BINARY") == 0;
    aCons[i].is_in = sqlite3_vtab_in(p, i, -1);
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

static int vt_flush(dyn_vtab *v);

/* ---- cursor -------------------------------------------------------------- */

static int vtOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur) {
  dyn_cursor *c = sqlite3_malloc(sizeof(*c));
  (void)pVtab;
  if (!c) return SQLITE_NOMEM;
  memset(c, 0, sizeof(*c));
  c->eof = 1;
  *ppCur = &c->base;
  return SQLITE_OK;
}

static void cursor_reset(dyn_cursor *c) {
  dyn_vtab *v = (dyn_vtab *)c->base.pVtab;
  int i;
  for (i = 0; i < c->nStream; i++) {
    dyn_stream *st = &c->aStream[i];
    if (st->job.active) ddb_abandon(v->client, &st->job);
    ddb_job_clear(&st->job);
    cJSON_Delete(st->req);
  }
  sqlite3_free(c->aStream);
  cJSON_Delete(c->keys);
  cJSON_Delete(c->resp);
  if (c->zPage) cJSON_Delete(c->item);
  sqlite3_free(c->zPage);
  c->zPage = 0;
  ddb_recycle(v->client, 0);
  c->aStream = 0;
  c->nStream = 0;
  c->keys = c->resp = c->item = c->keyValues = 0;
  c->zKeySlot = 0;
  c->nCount = 0;
  c->batch = c->nUnprocessed = 0;
  c->msUnprocessed = 0;
  c->eof = 1;
}

static int vtClose(sqlite3_vtab_cursor *cur) {
  dyn_cursor *c = (dyn_cursor *)cur;
  cursor_reset(c);
  sqlite3_free(c);
  return SQLITE_OK;
}

/* Ask for a stream's next page (its request as it is now). */
static int start_page(dyn_cursor *c, dyn_stream *st) {
  dyn_vtab *v = (dyn_vtab *)c->base.pVtab;
  int rc;
  ddb_job_clear(&st->job);
  st->more = 0;
  st->job.zOp = c->zOp;
  st->job.req = st->req;
  st->job.delayMs = 0;
  st->job.split = !c->batch && !(c->idxNum & PLAN_COUNT) && (c->idxNum & PLAN_OP_MASK) != PLAN_GET;
  if (c->nUnprocessed > 0) { /* keys left unread: back off, as the SDKs do */
    unsigned rnd;
    sqlite3_randomness(sizeof(rnd), &rnd);
    st->job.delayMs = ddb_backoff_ms(c->nUnprocessed, 1, rnd);
    c->msUnprocessed += st->job.delayMs;
  }
  if (st->nRamp) { /* PLAN_RAMP: this page's Limit */
    cJSON_DeleteItemFromObjectCaseSensitive(st->req, "Limit");
    cJSON_AddNumberToObject(st->req, "Limit", st->nRamp);
  }
  if ((rc = vt_client(v)) != SQLITE_OK) return rc;
  return ddb_start(v->client, v->args.table, &st->job);
}

/* BatchGetItem: the next keys (at most BATCH_GET_KEYS) into a stream's
** request; 0 when none is left. */
static int next_batch(dyn_cursor *c, dyn_stream *st) {
  dyn_vtab *v = (dyn_vtab *)c->base.pVtab;
  cJSON *ri = cJSON_GetObjectItemCaseSensitive(st->req, "RequestItems");
  cJSON *keys = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ri, v->args.table),
                                                 "Keys"), *k;
  int n = 0;
  while (keys->child) cJSON_Delete(cJSON_DetachItemViaPointer(keys, keys->child));
  while (n < BATCH_GET_KEYS && (k = cJSON_DetachItemFromArray(c->keys, 0)) != 0) {
    cJSON_AddItemToArray(keys, k);
    n++;
  }
  return n > 0;
}

/* Put the next partition-key value into the request; 0 when none is left. */
static int next_key(dyn_cursor *c) {
  cJSON *k;
  dyn_stream *st = &c->aStream[0];
  if (c->batch) return next_batch(c, st);
  k = c->keys ? cJSON_DetachItemFromArray(c->keys, 0) : 0;
  if (!k) return 0;
  cJSON_ReplaceItemInObjectCaseSensitive(c->keyValues, c->zKeySlot, k);
  cJSON_DeleteItemFromObjectCaseSensitive(st->req, "ExclusiveStartKey");
  if (c->idxNum & PLAN_RAMP) st->nRamp = RAMP_FIRST; /* each partition starts small */
  return 1;
}

/* A BatchGetItem answer has come: its items are the rows; the keys it left
** unprocessed go first into the next request (after a backoff), for at most
** UNPROCESSED_ROUNDS answers in a row and the client's retry time. */
static int take_batch(dyn_cursor *c, dyn_stream *st) {
  dyn_vtab *v = (dyn_vtab *)c->base.pVtab;
  const cJSON *r = cJSON_GetObjectItemCaseSensitive(c->resp, "Responses");
  const cJSON *items = cJSON_IsObject(r) ? cJSON_GetObjectItemCaseSensitive(r, v->args.table) : 0;
  cJSON *u = cJSON_GetObjectItemCaseSensitive(c->resp, "UnprocessedKeys"), *left = 0, *k;
  if (cJSON_IsObject(u) && cJSON_IsObject(u = cJSON_GetObjectItemCaseSensitive(u, v->args.table))) {
    left = cJSON_GetObjectItemCaseSensitive(u, "Keys");
  }
  if ((r && !cJSON_IsObject(r)) || (items && !cJSON_IsArray(items)) || (left && !cJSON_IsArray(left)) ||
      (items && items->child && !cJSON_IsObject(items->child))) {
    return vt_error(v, SQLITE_ERROR,
                    sqlite3_mprintf("dynamo: BatchGetItem on %s: malformed response", v->args.table));
  }
  c->item = items ? items->child : 0;
  st->more = 1; /* this stream takes the next keys, if any are left then */
  if (!left || !left->child) {
    c->nUnprocessed = 0;
    c->msUnprocessed = 0;
    return SQLITE_OK;
  }
  if (c->nUnprocessed >= UNPROCESSED_ROUNDS || c->msUnprocessed > ddb_retry_ms(v->client)) {
    return vt_error(v, SQLITE_ERROR,
                    sqlite3_mprintf("dynamo: BatchGetItem on %s: %d keys still unprocessed after "
                                    "%d rounds (%lld ms of backoff)", v->args.table,
                                    cJSON_GetArraySize(left) + cJSON_GetArraySize(c->keys),
                                    c->nUnprocessed + 1, (long long)c->msUnprocessed));
  }
  c->nUnprocessed++;
  while ((k = cJSON_DetachItemFromArray(left, cJSON_GetArraySize(left) - 1)) != 0) {
    cJSON_InsertItemInArray(c->keys, 0, k); /* appends to an empty list */
  }
  return SQLITE_OK;
}

/* A page has come: make it current and note (or ask for) the next one. */
static int take_page(dyn_cursor *c, dyn_stream *st) {
  dyn_vtab *v = (dyn_vtab *)c->base.pVtab;
  cJSON *lek;
  if (st->job.rc != SQLITE_OK) {
    int rc = st->job.rc;
    char *zErr = st->job.zErr;
    st->job.zErr = 0;
    return zErr ? vt_error(v, rc, zErr) : rc;
  }
  c->resp = st->job.resp;
  c->zPage = st->job.zPage;
  c->items = st->job.items;
  st->job.resp = 0;
  st->job.zPage = 0;
  if (c->batch) return take_batch(c, st);
  if ((c->idxNum & PLAN_OP_MASK) == PLAN_GET) {
    c->item = cJSON_GetObjectItemCaseSensitive(c->resp, "Item");
    if (c->item && !cJSON_IsObject(c->item)) goto malformed;
    return SQLITE_OK;
  } else if (c->idxNum & PLAN_COUNT) {
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(c->resp, "Count");
    if (n && (!cJSON_IsNumber(n) || n->valuedouble < 0)) goto malformed;
    c->nCount = n ? (sqlite3_int64)n->valuedouble : 0;
  } else {
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(c->resp, "Items");
    if (items && !cJSON_IsArray(items)) goto malformed;
    if (c->zPage) {
      if (page_next(&c->items, &c->item) != SQLITE_OK) goto malformed;
    } else {
      c->item = items ? items->child : 0;
    }
    if (c->item && !cJSON_IsObject(c->item)) goto malformed;
  }
  lek = cJSON_DetachItemFromObjectCaseSensitive(c->resp, "LastEvaluatedKey");
  if (lek && !cJSON_IsObject(lek)) { /* null, or not a key: no next page */
    cJSON_Delete(lek);
    lek = 0;
  }
  if (lek) {
    cJSON_DeleteItemFromObjectCaseSensitive(st->req, "ExclusiveStartKey");
    cJSON_AddItemToObject(st->req, "ExclusiveStartKey", lek);
    if (st->nRamp) { /* PLAN_RAMP: pages grow up to DynamoDB's own size */
      st->nRamp *= RAMP_GROWTH;
      if (st->nRamp > RAMP_LAST) {
        st->nRamp = 0;
        cJSON_DeleteItemFromObjectCaseSensitive(st->req, "Limit");
      }
    }
    if (c->prefetch) return start_page(c, st); /* while SQLite reads this one */
    st->more = 1;
  }
  return SQLITE_OK;
malformed:
  return vt_error(v, SQLITE_ERROR,
                  sqlite3_mprintf("dynamo: %s on %s: malformed response (Items)", c->zOp,
                                  v->args.table));
}

/* Move to the next row: the next item of the page, the next page of any
** stream, or the next partition key, skipping pages that hold no item. */
static int advance(dyn_cursor *c, int first) {
  dyn_vtab *v = (dyn_vtab *)c->base.pVtab;
  int rc, i;
  if (!first && c->nCount > 0) {
    c->nCount--;
  } else if (!first && c->item) {
    if ((c->idxNum & PLAN_OP_MASK) == PLAN_GET && !c->batch) {
      c->item = 0; /* one Item, not an array */
    } else {
      rc = SQLITE_OK;
      if (c->zPage) { /* a split page: the item read is done with */
        cJSON_Delete(c->item);
        rc = page_next(&c->items, &c->item);
      } else {
        c->item = c->item->next;
      }
      if (rc != SQLITE_OK || (c->item && !cJSON_IsObject(c->item))) {
        return vt_error(v, SQLITE_ERROR,
                        sqlite3_mprintf("dynamo: %s on %s: malformed item in the response",
                                        c->zOp, v->args.table));
      }
    }
  }
  for (;;) {
    ddb_job *apJob[MAX_SEGMENTS];
    if (c->item || c->nCount > 0) {
      /* now and then, let a prefetched page come in while SQLite reads */
      if ((++c->iRowid & 63) == 0 && c->prefetch) return ddb_progress(v->client);
      return SQLITE_OK;
    }
    ddb_recycle(v->client, c->resp);
    sqlite3_free(c->zPage);
    c->resp = 0;
    c->zPage = 0;
    for (i = 0; i < c->nStream; i++) {
      dyn_stream *st = &c->aStream[i];
      if (st->more && c->batch && !next_batch(c, st)) st->more = 0; /* no key left for it */
      if (st->more && (rc = start_page(c, st)) != SQLITE_OK) return rc;
      apJob[i] = &st->job;
    }
    if ((rc = ddb_wait_any(v->client, apJob, c->nStream, &i)) != SQLITE_OK) return rc;
    if (i >= 0) {
      if ((rc = take_page(c, &c->aStream[i])) != SQLITE_OK) return rc;
    } else if ((c->idxNum & PLAN_OP_MASK) != PLAN_SCAN && next_key(c)) {
      if ((rc = start_page(c, &c->aStream[0])) != SQLITE_OK) return rc;
    } else {
      c->eof = 1;
      return SQLITE_OK;
    }
  }
}

/* Is a statement that writes running on this connection (a DELETE or an
** UPDATE reads the _key column of the rows it changes)? */
static int write_running(sqlite3 *db) {
  sqlite3_stmt *st;
  for (st = sqlite3_next_stmt(db, 0); st; st = sqlite3_next_stmt(db, st)) {
    if (sqlite3_stmt_busy(st) && !sqlite3_stmt_readonly(st)) return 1;
  }
  return 0;
}

/* ProjectionExpression: the plan's columns, and the key attributes unless
** the plan is keyless; Select=COUNT when it counts only. */
static int add_projection(dyn_vtab *v, const char *idxStr, int idxNum, cJSON *req, expr_ctx *x) {
  int *aCol, n, i, all;
  sqlite3_str *s;
  if (idxNum & PLAN_COUNT) {
    return cJSON_AddStringToObject(req, "Select", "COUNT") ? SQLITE_OK : SQLITE_NOMEM;
  }
  if (!(aCol = sqlite3_malloc64(sizeof(int) * (v->ncol + 3)))) return SQLITE_NOMEM;
  n = plan_projection(idxStr, aCol, v->ncol + 1, &all);
  if (all) {
    sqlite3_free(aCol);
    return SQLITE_OK;
  }
  if (!(idxNum & PLAN_KEYLESS)) { /* the keys, which a keyless plan left out */
    aCol[n++] = v->pk;
    if (v->sk >= 0) aCol[n++] = v->sk;
  }
  s = sqlite3_str_new(0);
  for (i = 0; i < n; i++) {
    int k, dup = 0;
    if (aCol[i] < 0 || aCol[i] >= v->ncol) continue;
    for (k = 0; k < i; k++) dup |= aCol[k] == aCol[i];
    if (dup) continue;
    if (sqlite3_str_length(s)) sqlite3_str_appendall(s, ", ");
    expr_name(x, s, v->aCol[aCol[i]].name);
  }
  sqlite3_free(aCol);
  return expr_add_string(req, "ProjectionExpression", s);
}

/* The sort-key part of a Query's key condition. Returns SQLITE_DONE when no
** row can match. */
/* The error of a key value plan_key_value() could not make. */
static int key_error(dyn_vtab *v, int k) {
  if (k != KEY_NUL) return SQLITE_NOMEM;
  return vt_error(v, SQLITE_ERROR,
                  sqlite3_mprintf("dynamo: %s: a key compared with text holding a NUL "
                                  "character or bytes that are not UTF-8, which DynamoDB "
                                  "strings sent by this extension cannot hold",
                                  v->zName));
}

/* The keys a read works with: the table's, or an index's. */
typedef struct read_keys {
  const char *zIndex;          /* IndexName, or NULL for the table */
  int pk, sk;                  /* columns; sk < 0: none */
  int pktype, sktype;
} read_keys;

static void keys_of(const dyn_vtab *v, int idxNum, read_keys *k) {
  int i = PLAN_INDEX_OF(idxNum);
  k->zIndex = 0;
  k->pk = v->pk;
  k->sk = v->sk;
  k->pktype = v->pktype;
  k->sktype = v->sktype;
  if (i >= 0 && i < v->nPlanIdx) {
    const plan_index *p = &v->aPlanIdx[i];
    const dyn_index *x = 0;
    int j;
    for (j = 0; j < v->nIdx && !x; j++) {
      if (v->aIdx[j].zName == p->zName) x = &v->aIdx[j];
    }
    k->zIndex = p->zName;
    k->pk = p->pk;
    k->sk = p->sk;
    k->pktype = av_type_from_name(x->zPkType, -1);
    k->sktype = p->sk >= 0 ? av_type_from_name(x->zSkType, -1) : -1;
  }
}

static int add_sort_condition(dyn_vtab *v, const read_keys *rk, int flags, sqlite3_value **argv,
                              int *pArg, sqlite3_str *s, expr_ctx *x) {
  cJSON *lo = 0, *hi = 0;
  char *zPrefix = 0;
  int rc = SQLITE_OK, loOp = 0, hiOp = 0, k;
  if (flags & (PLAN_SK_GT | PLAN_SK_GE)) {
    loOp = (flags & PLAN_SK_GT) ? SQLITE_INDEX_CONSTRAINT_GT : SQLITE_INDEX_CONSTRAINT_GE;
    k = plan_key_value(argv[(*pArg)++], rk->sktype, loOp, &lo);
    if (k < 0) rc = key_error(v, k);
    else if (k == KEY_NONE) rc = SQLITE_DONE;
    else if (k == KEY_ALL) loOp = 0;
  }
  if (flags & (PLAN_SK_LT | PLAN_SK_LE)) {
    hiOp = (flags & PLAN_SK_LT) ? SQLITE_INDEX_CONSTRAINT_LT : SQLITE_INDEX_CONSTRAINT_LE;
    k = plan_key_value(argv[(*pArg)++], rk->sktype, hiOp, &hi);
    if (k < 0 && rc == SQLITE_OK) rc = key_error(v, k);
    else if (k == KEY_NONE && rc == SQLITE_OK) rc = SQLITE_DONE;
    else if (k == KEY_ALL) hiOp = 0;
  }
  if (flags & (PLAN_SK_LIKE | PLAN_SK_GLOB)) {
    int i;
    for (i = 0; i < 2; i++) {
      int bit = i == 0 ? PLAN_SK_LIKE : PLAN_SK_GLOB;
      if (!(flags & bit)) continue;
      if (!zPrefix) {
        zPrefix = plan_pattern_prefix((const char *)sqlite3_value_text(argv[*pArg]), i == 1);
      }
      (*pArg)++;
    }
  }
  if (rc != SQLITE_OK) goto done;
  if (lo && hi && plan_key_cmp(lo, hi) > 0) {
    rc = SQLITE_DONE;
  } else if (lo && loOp && hi && hiOp) {
    sqlite3_str_appendall(s, " AND ");
    expr_name(x, s, v->aCol[rk->sk].name);
    sqlite3_str_appendall(s, " BETWEEN ");
    expr_value(x, s, lo);
    sqlite3_str_appendall(s, " AND ");
    expr_value(x, s, hi);
    lo = hi = 0;
  } else if (zPrefix) {
    cJSON *av = cJSON_CreateObject();
    if (av) cJSON_AddStringToObject(av, "S", zPrefix);
    sqlite3_str_appendall(s, " AND begins_with(");
    expr_name(x, s, v->aCol[rk->sk].name);
    sqlite3_str_appendall(s, ", ");
    expr_value(x, s, av);
    sqlite3_str_appendall(s, ")");
  } else if ((lo && loOp) || (hi && hiOp)) {
    int useLo = lo && loOp;
    int op = useLo ? loOp : hiOp;
    sqlite3_str_appendall(s, " AND ");
    expr_name(x, s, v->aCol[rk->sk].name);
    sqlite3_str_appendall(s, op == SQLITE_INDEX_CONSTRAINT_GT   ? " > "
                             : op == SQLITE_INDEX_CONSTRAINT_GE ? " >= "
                             : op == SQLITE_INDEX_CONSTRAINT_LT ? " < "
                                                                : " <= ");
    expr_value(x, s, useLo ? lo : hi);
    if (useLo) lo = 0;
    else hi = 0;
  }
done:
  cJSON_Delete(lo);
  cJSON_Delete(hi);
  sqlite3_free(zPrefix);
  return rc;
}

/* The partition-key values to visit: one, or each of an IN list. */
static int collect_keys(dyn_vtab *v, const read_keys *rk, dyn_cursor *c, sqlite3_value *pArg) {
  sqlite3_value *e;
  int rc = SQLITE_OK, k;
  cJSON *av;
  if (!(c->keys = cJSON_CreateArray())) return SQLITE_NOMEM;
  if (!(c->idxNum & PLAN_PK_IN)) {
    k = plan_key_value(pArg, rk->pktype, SQLITE_INDEX_CONSTRAINT_EQ, &av);
    if (k < 0) return key_error(v, k);
    if (k == KEY_VALUE) cJSON_AddItemToArray(c->keys, av);
    return SQLITE_OK;
  }
  for (rc = sqlite3_vtab_in_first(pArg, &e); rc == SQLITE_OK && e;
       rc = sqlite3_vtab_in_next(pArg, &e)) {
    k = plan_key_value(e, rk->pktype, SQLITE_INDEX_CONSTRAINT_EQ, &av);
    if (k < 0) return key_error(v, k);
    if (k == KEY_VALUE) cJSON_AddItemToArray(c->keys, av);
  }
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* A GetItem plan over several partition keys becomes BatchGetItem: req
** (TableName, the Key template, the projection, ConsistentRead) becomes
** {"RequestItems": {TABLE: {"Keys": [...], projection, ConsistentRead}}},
** and c->keys the whole keys; next_batch() fills each stream's Keys from
** them (up to MAX_SEGMENTS requests go at once). They are distinct,
** as BatchGetItem requires: SQLite gives an IN list's values once each, and
** two values SQLite tells apart never make one key (plan_key_value). */
static int batch_request(dyn_vtab *v, dyn_cursor *c, cJSON **pReq) {
  cJSON *req = *pReq, *tmpl, *out = cJSON_CreateObject(), *all = cJSON_CreateArray(), *ri, *k;
  const char *zPk = v->aCol[v->pk].name;
  int rc;
  cJSON_DeleteItemFromObjectCaseSensitive(req, "TableName");
  tmpl = cJSON_DetachItemFromObjectCaseSensitive(req, "Key");
  if (!out || !all || !tmpl || !(ri = cJSON_AddObjectToObject(out, "RequestItems")) ||
      !cJSON_AddArrayToObject(req, "Keys")) {
    rc = SQLITE_NOMEM;
    goto fail;
  }
  cJSON_AddItemToObject(ri, v->args.table, req);
  *pReq = out; /* owns req now */
  req = 0;
  while ((k = cJSON_DetachItemFromArray(c->keys, 0)) != 0) {
    cJSON *key = cJSON_Duplicate(tmpl, 1);
    if (!key || !cJSON_ReplaceItemInObjectCaseSensitive(key, zPk, k)) {
      if (key) cJSON_Delete(key);
      cJSON_Delete(k);
      rc = SQLITE_NOMEM;
      goto fail;
    }
    cJSON_AddItemToArray(all, key);
  }
  cJSON_Delete(c->keys);
  c->keys = all;
  cJSON_Delete(tmpl);
  c->batch = 1;
  c->zOp = "BatchGetItem";
  return SQLITE_OK;
fail:
  if (req) cJSON_Delete(out);
  cJSON_Delete(all);
  cJSON_Delete(tmpl);
  return rc;
}

/* BatchGetItem: one stream per BATCH_GET_KEYS keys, at most MAX_SEGMENTS. */
static int batch_streams(dyn_cursor *c) {
  int n = (cJSON_GetArraySize(c->keys) + BATCH_GET_KEYS - 1) / BATCH_GET_KEYS;
  return n < 1 ? 1 : n > MAX_SEGMENTS ? MAX_SEGMENTS : n;
}

/* The streams of a read: one with req, or one per segment of a parallel
** Scan, each with its own copy. Takes over req. */
static int make_streams(dyn_cursor *c, int nSeg, cJSON *req) {
  int i;
  c->aStream = sqlite3_malloc64(sizeof(dyn_stream) * nSeg);
  if (!c->aStream) {
    cJSON_Delete(req);
    return SQLITE_NOMEM;
  }
  memset(c->aStream, 0, sizeof(dyn_stream) * nSeg);
  c->nStream = nSeg;
  c->aStream[0].req = req;
  if (nSeg == 1) return SQLITE_OK;
  for (i = nSeg - 1; i >= 0; i--) {
    cJSON *r = i ? cJSON_Duplicate(req, 1) : req;
    if (!r) return SQLITE_NOMEM; /* cursor_reset frees the others */
    c->aStream[i].req = r;
    if (c->batch) continue; /* BatchGetItem: the same request, other keys */
    cJSON_AddNumberToObject(r, "Segment", i);
    cJSON_AddNumberToObject(r, "TotalSegments", nSeg);
  }
  return SQLITE_OK;
}

/* How many segments a Scan reads in parallel: the segments= option, or,
** for a full read (no LIMIT, no early stop), one per SEGMENT_BYTES of the
** table as DescribeTable reports it (asked once per connection), at most
** MAX_SEGMENTS. */
static int scan_segments(dyn_vtab *v, int idxNum) {
  if (v->args.segments > 0) return v->args.segments;
  if (idxNum & (PLAN_LIMIT | PLAN_RAMP)) return 1;
  if (v->tableBytes < 0) {
    cJSON *req = cJSON_CreateObject(), *resp = 0;
    char *zErr = 0;
    v->tableBytes = 0;
    if (req && vt_client(v) == SQLITE_OK) {
      cJSON_AddStringToObject(req, "TableName", v->args.table);
      if (ddb_call(v->client, "DescribeTable", v->args.table, req, &resp, &zErr) == SQLITE_OK) {
        v->tableBytes = table_bytes(resp);
      }
    }
    sqlite3_free(zErr); /* no size: one segment */
    cJSON_Delete(req);
    cJSON_Delete(resp);
  }
  {
    sqlite3_int64 n = v->tableBytes / SEGMENT_BYTES;
    return n < 1 ? 1 : n > MAX_SEGMENTS ? MAX_SEGMENTS : (int)n;
  }
}

static int vtFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc,
                    sqlite3_value **argv) {
  dyn_cursor *c = (dyn_cursor *)cur;
  dyn_vtab *v = (dyn_vtab *)cur->pVtab;
  expr_ctx x;
  sqlite3_str *s = 0;
  cJSON *req = 0;
  int op = idxNum & PLAN_OP_MASK, iArg = 0, rc, i;
  read_keys rk;
  sqlite3_int64 nLimit = -1;
  (void)argc;
  memset(&x, 0, sizeof(x));
  cursor_reset(c);
  /* a connection reads its own writes: send what is pending first (not in
  ** an atomic transaction, which is sent whole at the commit) */
  if (!v->atomic && (rc = vt_flush(v)) != SQLITE_OK) return rc;
  if (op == PLAN_SCAN && !(v->args.scan >= 0 ? v->args.scan : conn_scan_allowed(v->conn))) {
    const char *zEnd = strstr(idxStr, " PROJECT ");
    return vt_error(v, SQLITE_ERROR,
                    sqlite3_mprintf("dynamo: this query would read all of %s with a Scan: "
                                    "%.*s; scans are off (%s): give %s with = (the partition "
                                    "key), or allow scans with scan=1 or "
                                    "SELECT dynamo_config('scan', 1)",
                                    v->args.table, zEnd ? (int)(zEnd - idxStr) : (int)strlen(idxStr),
                                    idxStr, v->args.scan == 0 ? "scan=0" : "dynamo_config('scan', 0)",
                                    v->aCol[v->pk].name));
  }
  if ((idxNum & PLAN_KEYLESS) && write_running(v->db)) {
    idxNum &= ~(PLAN_KEYLESS | PLAN_COUNT); /* the write reads _key */
  }
  c->idxNum = idxNum;
  c->iRowid = 0;
  c->zOp = op == PLAN_GET ? "GetItem" : op == PLAN_QUERY ? "Query" : "Scan";
  if (!(req = cJSON_CreateObject()) ||
      !cJSON_AddStringToObject(req, "TableName", v->args.table)) {
    rc = SQLITE_NOMEM;
    goto fail;
  }
  keys_of(v, idxNum, &rk);
  if (rk.zIndex && !cJSON_AddStringToObject(req, "IndexName", rk.zIndex)) {
    rc = SQLITE_NOMEM;
    goto fail;
  }
  if (op != PLAN_SCAN && (rc = collect_keys(v, &rk, c, argv[iArg++])) != SQLITE_OK) goto fail;

  if (op == PLAN_GET) {
    cJSON *key = cJSON_AddObjectToObject(req, "Key"), *skv = 0;
    if (!key || !cJSON_AddNullToObject(key, v->aCol[v->pk].name)) {
      rc = SQLITE_NOMEM;
      goto fail;
    }
    if (idxNum & PLAN_SK_EQ) {
      int k = plan_key_value(argv[iArg++], v->sktype, SQLITE_INDEX_CONSTRAINT_EQ, &skv);
      if (k < 0) {
        rc = key_error(v, k);
        goto fail;
      }
      if (k != KEY_VALUE) goto empty;
      cJSON_AddItemToObject(key, v->aCol[v->sk].name, skv);
    }
    c->keyValues = key;
    c->zKeySlot = v->aCol[v->pk].name;
  } else if (op == PLAN_QUERY) {
    s = sqlite3_str_new(0);
    expr_name(&x, s, v->aCol[rk.pk].name);
    sqlite3_str_appendall(s, " = ");
    expr_value(&x, s, cJSON_CreateNull()); /* :v0, set per key by next_key */
    rc = add_sort_condition(v, &rk, idxNum, argv, &iArg, s, &x);
    if (rc == SQLITE_DONE) goto empty;
    if (rc != SQLITE_OK) goto fail;
    rc = expr_add_string(req, "KeyConditionExpression", s);
    s = 0;
    if (rc != SQLITE_OK) goto fail;
    if (idxNum & PLAN_DESC) cJSON_AddFalseToObject(req, "ScanIndexForward");
    c->zKeySlot = ":v0";
  }
  if (idxNum & PLAN_LIMIT) {
    nLimit = sqlite3_value_int64(argv[iArg++]);
    if (idxNum & PLAN_OFFSET) {
      sqlite3_int64 nOff = sqlite3_value_int64(argv[iArg++]);
      if (nLimit >= 0 && nOff > 0) nLimit += nOff;
    }
    if (nLimit == 0) goto empty;
    if (nLimit > 0) cJSON_AddNumberToObject(req, "Limit", (double)nLimit);
  }
  if ((rc = add_projection(v, idxStr, idxNum, req, &x)) != SQLITE_OK) goto fail;
  if (v->args.consistent_read) cJSON_AddTrueToObject(req, "ConsistentRead");
  if (op == PLAN_QUERY) c->keyValues = x.values; /* moves into req just below */
  if ((rc = expr_attach(&x, req)) != SQLITE_OK) goto fail;
  if (op == PLAN_GET && (idxNum & PLAN_PK_IN) && cJSON_GetArraySize(c->keys) > 1 &&
      (rc = batch_request(v, c, &req)) != SQLITE_OK) {
    goto fail;
  }
  if ((rc = make_streams(c, op == PLAN_SCAN ? scan_segments(v, idxNum) : c->batch ? batch_streams(c) : 1,
                         req)) != SQLITE_OK) {
    req = 0;
    goto fail;
  }
  req = 0; /* the streams own it now */
  c->prefetch = op != PLAN_GET && !(idxNum & (PLAN_LIMIT | PLAN_RAMP));
  for (i = 0; c->batch && i < c->nStream; i++) next_batch(c, &c->aStream[i]); /* each gets keys */
  if (op != PLAN_SCAN && !c->batch && !next_key(c)) goto empty;
  for (i = 0; i < c->nStream; i++) {
    if ((idxNum & PLAN_RAMP) && op == PLAN_SCAN) c->aStream[i].nRamp = RAMP_FIRST;
    if ((rc = start_page(c, &c->aStream[i])) != SQLITE_OK) goto fail;
  }
  c->eof = 0;
  return advance(c, 1);
empty:
  expr_reset(&x);
  if (s) sqlite3_free(sqlite3_str_finish(s));
  cJSON_Delete(req);
  cursor_reset(c);
  return SQLITE_OK;
fail:
  expr_reset(&x);
  if (s) sqlite3_free(sqlite3_str_finish(s));
  cJSON_Delete(req);
  cursor_reset(c);
  return rc;
}

static int vtNext(sqlite3_vtab_cursor *cur) {
  return advance((dyn_cursor *)cur, 0);
}

static int vtEof(sqlite3_vtab_cursor *cur) {
  return ((dyn_cursor *)cur)->eof;
}

/* The _key column: the item's key attributes as DynamoDB JSON, partition
** key first, so that one item always gives the same text. */
static int key_result(dyn_vtab *v, dyn_cursor *c, sqlite3_context *ctx) {
  cJSON *key = cJSON_CreateObject();
  int i, rc = SQLITE_NOMEM;
  char *z = 0;
  for (i = 0; key && i < 2; i++) {
    int iCol = i == 0 ? v->pk : v->sk;
    const cJSON *av;
    if (iCol < 0) continue;
    av = cJSON_GetObjectItemCaseSensitive(c->item, v->aCol[iCol].name);
    if (!av) {
      rc = SQLITE_ERROR;
      goto done;
    }
    cJSON_AddItemToObject(key, v->aCol[iCol].name, cJSON_Duplicate(av, 1));
  }
  if (key && (z = cJSON_PrintUnformatted(key)) != 0) {
    sqlite3_result_text(ctx, z, -1, cJSON_free);
    rc = SQLITE_OK;
  }
done:
  cJSON_Delete(key);
  if (rc == SQLITE_ERROR) {
    sqlite3_result_error(ctx, "dynamo: an item in the response lacks its key", -1);
  } else if (rc != SQLITE_OK) {
    sqlite3_result_error_nomem(ctx);
  }
  return rc;
}

static int vtColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i) {
  dyn_cursor *c = (dyn_cursor *)cur;
  dyn_vtab *v = (dyn_vtab *)cur->pVtab;
  if (!c->item) { /* Select=COUNT: rows without data, which no column reads */
    if (i == v->ncol + 1) sqlite3_result_error(ctx, "dynamo: no key in a counting Scan", -1);
    return i == v->ncol + 1 ? SQLITE_ERROR : SQLITE_OK;
  }
  if (i == v->ncol + 1) return key_result(v, c, ctx);
  if (sqlite3_vtab_nochange(ctx)) return SQLITE_OK; /* an UPDATE leaves it */
  if (i == v->ncol) {
    char *z = cJSON_PrintUnformatted(c->item);
    if (!z) {
      sqlite3_result_error_nomem(ctx);
      return SQLITE_NOMEM;
    }
    sqlite3_result_text(ctx, z, -1, cJSON_free);
    return SQLITE_OK;
  }
  return av_result(ctx, cJSON_GetObjectItemCaseSensitive(c->item, v->aCol[i].name));
}

static int vtRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid) {
  *pRowid = ((dyn_cursor *)cur)->iRowid;
  return SQLITE_OK;
}

/* ---- xUpdate: writes, sent when the transaction commits ------------------- */

#define FLUSH_AT 1000 /* pending writes sent early, to bound memory */

static void write_table_of(const dyn_vtab *v, write_table *t) {
  t->zTable = v->args.table;
  t->zName = v->zName;
  t->zPk = v->aCol[v->pk].name;
  t->zSk = v->sk >= 0 ? v->aCol[v->sk].name : 0;
  t->atomic = v->atomic;
}

/* Send the pending writes. */
static int vt_flush(dyn_vtab *v) {
  write_table t;
  char *zErr = 0;
  int rc;
  if (!v->writer || writer_pending(v->writer) == 0) return SQLITE_OK;
  if ((rc = vt_client(v)) != SQLITE_OK) {
    writer_discard(v->writer);
    return rc;
  }
  write_table_of(v, &t);
  rc = writer_flush(v->writer, v->client, &t, &zErr);
  if (rc != SQLITE_OK) return zErr ? vt_error(v, rc, zErr) : rc;
  return SQLITE_OK;
}

/* Queue a write (taking over payload); send early when many are pending. */
static int queue(dyn_vtab *v, int kind, int cond, cJSON *payload) {
  write_table t;
  int rc;
  if (!v->writer && (rc = writer_open(&v->writer)) != SQLITE_OK) {
    cJSON_Delete(payload);
    return rc;
  }
  write_table_of(v, &t);
  rc = writer_add(v->writer, &t, kind, cond, payload);
  if (rc == SQLITE_OK && !v->atomic && writer_pending(v->writer) >= FLUSH_AT) rc = vt_flush(v);
  return rc;
}

/* Set the attributes of the columns in aVal that the statement gives: the
** non-NULL columns of an INSERT; the changed columns of an UPDATE, where
** NULL removes the attribute. */
static int apply_columns(dyn_vtab *v, sqlite3_value **aVal, int changedOnly, cJSON *item,
                         char **pzErr) {
  cJSON *av;
  int i, rc;
  for (i = 0; i < v->ncol; i++) {
    if (changedOnly && sqlite3_value_nochange(aVal[i])) continue;
    rc = av_from_sqlite(aVal[i], v->aCol[i].cls, v->aCol[i].name, &av, pzErr);
    if (rc != SQLITE_OK) return rc;
    if (!av && !changedOnly) continue; /* an INSERT's NULL: not given */
    cJSON_DeleteItemFromObjectCaseSensitive(item, v->aCol[i].name);
    if (av) cJSON_AddItemToObject(item, v->aCol[i].name, av);
  }
  return SQLITE_OK;
}

/* The item an INSERT writes: the item column's JSON, then every non-NULL
** column on top of it. */
static int build_item(dyn_vtab *v, sqlite3_value **aVal, int changedOnly, cJSON **pItem,
                      char **pzErr) {
  cJSON *item = 0;
  sqlite3_value *pItemCol = aVal[v->ncol];
  int rc;
  *pItem = 0;
  if (sqlite3_value_type(pItemCol) != SQLITE_NULL) {
    const char *z = (const char *)sqlite3_value_text(pItemCol);
    if (!z) return SQLITE_NOMEM;
    rc = av_parse_item(z, sqlite3_value_bytes(pItemCol), &item, pzErr);
    if (rc != SQLITE_OK) return rc;
  } else if (!(item = cJSON_CreateObject())) {
    return SQLITE_NOMEM;
  }
  rc = apply_columns(v, aVal, changedOnly, item, pzErr);
  if (rc != SQLITE_OK) {
    cJSON_Delete(item);
    return rc;
  }
  *pItem = item;
  return SQLITE_OK;
}

static int check_key(dyn_vtab *v, const cJSON *item, int iCol, int type, char **pzErr) {
  const char *zName = v->aCol[iCol].name;
  const cJSON *av = cJSON_GetObjectItemCaseSensitive(item, zName);
  int t = av_type_of(av);
  if (!av) {
    *pzErr = sqlite3_mprintf("missing %s key %s", iCol == v->pk ? "partition" : "sort", zName);
  } else if (t != type) {
    *pzErr = sqlite3_mprintf("key %s must be of type %s, not %s", zName, av_type_names[type],
                             t >= 0 ? av_type_names[t] : "?");
  } else if (t != AV_N && av->child->valuestring[0] == 0) {
    *pzErr = sqlite3_mprintf("key %s cannot be empty", zName);
  } else {
    return SQLITE_OK;
  }
  return *pzErr ? SQLITE_CONSTRAINT : SQLITE_NOMEM;
}

static int check_keys(dyn_vtab *v, const cJSON *item, char **pzErr) {
  int rc = check_key(v, item, v->pk, v->pktype, pzErr);
  if (rc == SQLITE_OK && v->sk >= 0) rc = check_key(v, item, v->sk, v->sktype, pzErr);
  return rc;
}

/* An error of a statement's row, before anything is sent. */
static int row_error(dyn_vtab *v, int rc, const char *zStmt, char *zErr) {
  if (!zErr) return rc;
  return vt_error(v, rc, sqlite3_mprintf("dynamo: %s %s: %z", zStmt, v->zName, zErr));
}

static int vt_insert(dyn_vtab *v, sqlite3_value **aVal) {
  int conflict = sqlite3_vtab_on_conflict(v->db);
  cJSON *item = 0;
  char *zErr = 0;
  int rc = build_item(v, aVal, 0, &item, &zErr);
  if (rc == SQLITE_OK) rc = check_keys(v, item, &zErr);
  if (rc != SQLITE_OK) {
    cJSON_Delete(item);
    return row_error(v, rc, "INSERT into", zErr);
  }
  return queue(v, W_PUT,
               conflict == SQLITE_REPLACE  ? WC_REPLACE
               : conflict == SQLITE_IGNORE ? WC_IGNORE
                                           : WC_NEW,
               item);
}

/* The key a row was read with: its _key column. */
static int old_key(dyn_vtab *v, sqlite3_value *pKey, cJSON **pOut) {
  const char *z = (const char *)sqlite3_value_text(pKey);
  cJSON *key = z ? cJSON_Parse(z) : 0;
  char *zErr = 0;
  *pOut = 0;
  if (!cJSON_IsObject(key) || check_keys(v, key, &zErr) != SQLITE_OK) {
    sqlite3_free(zErr);
    cJSON_Delete(key);
    return vt_error(v, SQLITE_ERROR,
                    sqlite3_mprintf("dynamo: %s: not a key of this table: %s", v->zName,
                                    z ? z : "NULL"));
  }
  *pOut = key;
  return SQLITE_OK;
}

static int vt_delete(dyn_vtab *v, sqlite3_value *pOld) {
  cJSON *key;
  int rc = old_key(v, pOld, &key);
  if (rc != SQLITE_OK) return rc;
  return queue(v, W_DELETE, 0, key);
}

/* Does the new row give the key attribute iCol another value? */
static int key_changes(dyn_vtab *v, sqlite3_value **aVal, const cJSON *key, int iCol,
                       int *pChanged, char **pzErr) {
  cJSON *av = 0;
  int rc;
  *pChanged = 0;
  if (iCol < 0 || sqlite3_value_nochange(aVal[iCol])) return SQLITE_OK;
  rc = av_from_sqlite(aVal[iCol], v->aCol[iCol].cls, v->aCol[iCol].name, &av, pzErr);
  if (rc != SQLITE_OK) return rc;
  *pChanged = !av_equal(av, cJSON_GetObjectItemCaseSensitive(key, v->aCol[iCol].name));
  cJSON_Delete(av);
  return SQLITE_OK;
}

/*
** A changed key: the item moves. The new item is put (failing if its key
** exists), then the old one deleted: never both lost, though a failure
** between the two leaves both (one TransactWriteItems with atomic=1).
*/
static int vt_move(dyn_vtab *v, cJSON *key, cJSON *item, sqlite3_value **aVal) {
  char *zErr = 0;
  int rc;
  if (!item) { /* the rest of the item is the old one's */
    cJSON *req = cJSON_CreateObject(), *resp = 0;
    if (!req) return SQLITE_NOMEM;
    if ((rc = vt_flush(v)) != SQLITE_OK || (rc = vt_client(v)) != SQLITE_OK) {
      cJSON_Delete(req);
      return rc;
    }
    cJSON_AddStringToObject(req, "TableName", v->args.table);
    cJSON_AddItemToObject(req, "Key", cJSON_Duplicate(key, 1));
    cJSON_AddTrueToObject(req, "ConsistentRead");
    rc = ddb_call(v->client, "GetItem", v->args.table, req, &resp, &zErr);
    cJSON_Delete(req);
    if (rc != SQLITE_OK) return zErr ? vt_error(v, rc, zErr) : rc;
    item = cJSON_DetachItemFromObjectCaseSensitive(resp, "Item");
    cJSON_Delete(resp);
    if (!item) return SQLITE_OK; /* deleted meanwhile: no row to change */
    if ((rc = apply_columns(v, aVal, 1, item, &zErr)) != SQLITE_OK) {
      cJSON_Delete(item);
      return row_error(v, rc, "UPDATE of", zErr);
    }
  }
  if ((rc = check_keys(v, item, &zErr)) != SQLITE_OK) {
    cJSON_Delete(item);
    return row_error(v, rc, "UPDATE of", zErr);
  }
  rc = queue(v, W_PUT, WC_NEW, item);
  if (rc == SQLITE_OK && !v->atomic) rc = vt_flush(v);
  if (rc == SQLITE_OK) rc = queue(v, W_DELETE, 0, cJSON_Duplicate(key, 1));
  if (rc == SQLITE_OK && !v->atomic) rc = vt_flush(v);
  return rc;
}

/* UPDATE: the changed columns become one UpdateItem (SET, and REMOVE for
** NULL), conditioned on the item still existing; a new item column replaces
** the whole item; a changed key moves it. */
static int vt_update(dyn_vtab *v, sqlite3_value **argv) {
  sqlite3_value **aVal = argv + 2;
  cJSON *key = 0, *payload = 0;
  char *zErr = 0;
  int rc, pkChanged, skChanged, i;
  expr_ctx x;
  sqlite3_str *set = 0, *remove = 0;
  if ((rc = old_key(v, argv[0], &key)) != SQLITE_OK) return rc;
  memset(&x, 0, sizeof(x));
  if (!sqlite3_value_nochange(aVal[v->ncol + 1]) &&
      sqlite3_value_type(aVal[v->ncol + 1]) != SQLITE_NULL &&
      strcmp((const char *)sqlite3_value_text(aVal[v->ncol + 1]),
             (const char *)sqlite3_value_text(argv[0])) != 0) {
    cJSON_Delete(key);
    return vt_error(v, SQLITE_ERROR,
                    sqlite3_mprintf("dynamo: UPDATE of %s: _key cannot be set; change the key "
                                    "columns instead",
                                    v->zName));
  }
  rc = key_changes(v, aVal, key, v->pk, &pkChanged, &zErr);
  if (rc == SQLITE_OK) rc = key_changes(v, aVal, key, v->sk, &skChanged, &zErr);
  if (rc != SQLITE_OK) goto done;

  if (!sqlite3_value_nochange(aVal[v->ncol])) { /* the whole item */
    cJSON *item = 0;
    const cJSON *e;
    if ((rc = build_item(v, aVal, 1, &item, &zErr)) != SQLITE_OK) goto done;
    cJSON_ArrayForEach(e, key) { /* an item without its key keeps the old one */
      if (!cJSON_GetObjectItemCaseSensitive(item, e->string)) {
        cJSON_AddItemToObject(item, e->string, cJSON_Duplicate(e, 1));
      }
    }
    for (i = 0, e = key->child; e; e = e->next) {
      if (!av_equal(e, cJSON_GetObjectItemCaseSensitive(item, e->string))) i++;
    }
    if (i > 0) {
      rc = vt_move(v, key, item, aVal);
    } else if ((rc = check_keys(v, item, &zErr)) != SQLITE_OK) {
      cJSON_Delete(item);
    } else {
      rc = queue(v, W_PUT, WC_EXISTS, item);
    }
    goto done;
  }
  if (pkChanged || skChanged) {
    rc = vt_move(v, key, 0, aVal);
    goto done;
  }

  set = sqlite3_str_new(0);
  remove = sqlite3_str_new(0);
  for (i = 0; i < v->ncol; i++) {
    cJSON *av = 0;
    if (i == v->pk || i == v->sk || sqlite3_value_nochange(aVal[i])) continue;
    rc = av_from_sqlite(aVal[i], v->aCol[i].cls, v->aCol[i].name, &av, &zErr);
    if (rc != SQLITE_OK) goto done;
    if (av) {
      sqlite3_str_appendall(set, sqlite3_str_length(set) ? ", " : "SET ");
      expr_name(&x, set, v->aCol[i].name);
      sqlite3_str_appendall(set, " = ");
      expr_value(&x, set, av);
    } else {
      sqlite3_str_appendall(remove, sqlite3_str_length(remove) ? ", " : " REMOVE ");
      expr_name(&x, remove, v->aCol[i].name);
    }
  }
  if (sqlite3_str_length(set) + sqlite3_str_length(remove) == 0) goto done; /* nothing */
  sqlite3_str_appendall(set, sqlite3_str_value(remove) ? sqlite3_str_value(remove) : "");
  if (!(payload = cJSON_CreateObject())) {
    rc = SQLITE_NOMEM;
    goto done;
  }
  cJSON_AddItemToObject(payload, "Key", key);
  key = 0;
  rc = expr_add_string(payload, "UpdateExpression", set);
  set = 0;
  if (rc == SQLITE_OK) rc = expr_attach(&x, payload);
  if (rc == SQLITE_OK) {
    rc = queue(v, W_UPDATE, 0, payload);
    payload = 0;
  }
done:
  if (set) sqlite3_free(sqlite3_str_finish(set));
  if (remove) sqlite3_free(sqlite3_str_finish(remove));
  expr_reset(&x);
  cJSON_Delete(payload);
  cJSON_Delete(key);
  if (rc != SQLITE_OK && zErr) return row_error(v, rc, "UPDATE of", zErr);
  return rc;
}

static int vtUpdate(sqlite3_vtab *pVtab, int argc, sqlite3_value **argv, sqlite_int64 *pRowid) {
  dyn_vtab *v = (dyn_vtab *)pVtab;
  (void)pRowid; /* WITHOUT ROWID */
  if (argc == 1) return vt_delete(v, argv[0]);
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return vt_insert(v, argv + 2);
  return vt_update(v, argv);
}

/* ---- transactions: writes wait for the commit ------------------------------- */

static int vtBegin(sqlite3_vtab *pVtab) {
  (void)pVtab;
  return SQLITE_OK;
}

/* The commit's first phase: send what is pending; an error here rolls the
** SQLite transaction back and is the statement's (or COMMIT's) error. */
static int vtSync(sqlite3_vtab *pVtab) {
  return vt_flush((dyn_vtab *)pVtab);
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

/* ---- the rest of the module ------------------------------------------------ */

static int vtDisconnect(sqlite3_vtab *pVtab) {
  vt_free((dyn_vtab *)pVtab);
  return SQLITE_OK;
}

/* DROP TABLE removes the SQLite table and its column list, never the
** DynamoDB table or its items. */
static int vtDestroy(sqlite3_vtab *pVtab) {
  dyn_vtab *v = (dyn_vtab *)pVtab;
  char *zSql = sqlite3_mprintf("DROP TABLE IF EXISTS \"%w\".\"%w_schema\"; "
                               "DROP TABLE IF EXISTS \"%w\".\"%w_index\"",
                               v->zDb, v->zName, v->zDb, v->zName);
  int rc = zSql ? sqlite3_exec(v->db, zSql, 0, 0, 0) : SQLITE_NOMEM;
  sqlite3_free(zSql);
  if (rc == SQLITE_OK) vt_free(v);
  return rc;
}

static int vtRename(sqlite3_vtab *pVtab, const char *zNew) {
  dyn_vtab *v = (dyn_vtab *)pVtab;
  char *zSql = sqlite3_mprintf(
      "ALTER TABLE \"%w\".\"%w_schema\" RENAME TO \"%w_schema\"; "
      "ALTER TABLE \"%w\".\"%w_index\" RENAME TO \"%w_index\"",
      v->zDb, v->zName, zNew, v->zDb, v->zName, zNew);
  int rc = zSql ? sqlite3_exec(v->db, zSql, 0, 0, 0) : SQLITE_NOMEM;
  sqlite3_free(zSql);
  if (rc == SQLITE_OK) {
    char *z = sqlite3_mprintf("%s", zNew);
    if (!z) return SQLITE_NOMEM;
    sqlite3_free(v->zName);
    v->zName = z;
  }
  return rc;
}

static int vtShadowName(const char *zName) {
  return sqlite3_stricmp(zName, "schema") == 0 || sqlite3_stricmp(zName, "index") == 0;
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
