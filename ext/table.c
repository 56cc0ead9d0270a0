/*
** table.c: the state one dynamo table shares between the files that
** implement it (see table.h): its client, its error slot, the flush of its
** pending writes.
*/
#include "table.h"
#include "trust.h"

#include <string.h>

int table_new(sqlite3 *db, dyn_conn *conn, const char *zDb, const char *zName, dyn_vtab **pp) {
  dyn_vtab *v = sqlite3_malloc(sizeof(*v));
  *pp = 0;
  if (!v) return SQLITE_NOMEM;
  memset(v, 0, sizeof(*v));
  v->db = db;
  v->conn = conn;
  v->pk = v->sk = -1;
  v->pktype = v->sktype = -1;
  v->sizeAt = -1;
  v->zDb = sqlite3_mprintf("%s", zDb);
  v->zName = sqlite3_mprintf("%s", zName);
  *pp = v;
  return v->zDb && v->zName ? SQLITE_OK : SQLITE_NOMEM;
}

void table_register(dyn_vtab *v) {
  dyn_vtab **pHead = (dyn_vtab **)conn_tables(v->conn), **pp = pHead;
  assert(!v->registered);
  while (*pp) { /* one SQLite no longer uses (the schema was read again) */
    if (sqlite3_stricmp((*pp)->zName, v->zName) == 0 && sqlite3_stricmp((*pp)->zDb, v->zDb) == 0) {
      (*pp)->registered = 0;
      *pp = (*pp)->pNext;
    } else {
      pp = &(*pp)->pNext;
    }
  }
  v->pNext = *pHead;
  *pHead = v;
  v->registered = 1;
}

dyn_vtab *table_find(dyn_conn *conn, const char *zDb, const char *zName, int *pnFound) {
  dyn_vtab *v, *found = 0;
  *pnFound = 0;
  for (v = *(dyn_vtab **)conn_tables(conn); v; v = v->pNext) {
    if (sqlite3_stricmp(v->zName, zName) == 0 && (!zDb || sqlite3_stricmp(v->zDb, zDb) == 0)) {
      found = v;
      ++*pnFound;
    }
  }
  return found;
}

void table_free(dyn_vtab *v) {
  int i;
  if (!v) return;
  if (v->registered) {
    dyn_vtab **pp = (dyn_vtab **)conn_tables(v->conn);
    while (*pp != v) pp = &(*pp)->pNext;
    *pp = v->pNext;
  }
  for (i = 0; i < v->ncol; i++) {
    sqlite3_free(v->aCol[i].name);
    sqlite3_free(v->aCol[i].type);
  }
  sqlite3_free(v->aCol);
  sqlite3_free(v->azName);
  sqlite3_free(v->zDb);
  sqlite3_free(v->zName);
  args_free(&v->args);
  cache_free(v->cache);
  ddb_close(v->client);
  ddb_close(v->streams);
  writer_close(v->writer);
  indexes_free(v->aIdx, v->nIdx);
  sqlite3_free(v->aPlanIdx);
  sqlite3_free(v->base.zErrMsg);
  sqlite3_free(v);
}

int table_error(dyn_vtab *v, int rc, char *zMsg) {
  assert(rc != SQLITE_OK);
  sqlite3_free(v->base.zErrMsg);
  v->base.zErrMsg = zMsg;
  return zMsg ? rc : SQLITE_NOMEM;
}

int table_client(dyn_vtab *v) {
  char *zErr = 0;
  cfg_options o;
  int rc;
  if (v->client) return SQLITE_OK;
  /* options read from a database file: before anything is resolved or sent */
  if (!v->typed &&
      (rc = trust_check(v->db, v->zDb, v->zName, &v->args, conn_trust_all(v->conn), &zErr)) !=
          SQLITE_OK) {
    return table_error(v, rc, zErr);
  }
  memset(&o, 0, sizeof(o));
  o.region = v->args.region;
  o.endpoint = v->args.endpoint;
  o.profile = v->args.profile;
  o.table = v->args.table;
  v->args.transport.on_usage = stats_add;
  v->args.transport.on_wait = stats_wait;
  v->args.transport.usage_ctx = v->conn;
  v->args.transport.db = v->db; /* sqlite3_interrupt() stops its waits */
  rc = ddb_open(&o, &v->args.transport, &v->client, &zErr);
  return rc == SQLITE_OK ? rc : table_error(v, rc, zErr);
}

int table_streams(dyn_vtab *v) {
  char *zErr = 0;
  cfg_options o;
  int rc;
  if (v->streams) return SQLITE_OK;
  if ((rc = table_client(v)) != SQLITE_OK) return rc; /* the trust check, the settings */
  memset(&o, 0, sizeof(o));
  o.region = v->args.region;
  o.endpoint = v->args.endpoint;
  o.profile = v->args.profile;
  o.table = v->args.table;
  o.streams = 1;
  rc = ddb_open(&o, &v->args.transport, &v->streams, &zErr);
  return rc == SQLITE_OK ? rc : table_error(v, rc, zErr);
}

int table_describe(dyn_vtab *v, sqlite3_str *s, char **pzErr) {
  cfg_options o;
  cfg_resolved r;
  char *zErr = 0;
  int rc;
  memset(&o, 0, sizeof(o));
  o.region = v->args.region;
  o.endpoint = v->args.endpoint;
  o.profile = v->args.profile;
  o.table = v->args.table;
  sqlite3_str_appendf(s, "Table: %s (DynamoDB table %s%s)\n", v->zName, v->args.table,
                      v->client ? "" : "; not used yet in this connection");
  if ((rc = ddb_describe(&o, &v->args.transport, v->client, s, pzErr)) != SQLITE_OK) return rc;
  /* where dynamo_sync() reads the table's stream */
  if (v->streams) {
    const cfg_resolved *x = ddb_config(v->streams);
    sqlite3_str_appendf(s, "\nStreams: %s (%s)", x->endpoint, x->endpoint_source);
    return SQLITE_OK;
  }
  o.streams = 1;
  if ((rc = cfg_resolve(&o, 0, &r, &zErr)) == SQLITE_OK) {
    sqlite3_str_appendf(s, "\nStreams: %s (%s)", r.endpoint, r.endpoint_source);
    cfg_resolved_free(&r);
  } else if (rc == SQLITE_ERROR) {
    sqlite3_str_appendf(s, "\nStreams: %s", zErr ? zErr : "no endpoint");
    rc = SQLITE_OK;
  }
  sqlite3_free(zErr);
  return rc;
}

void table_write_info(const dyn_vtab *v, write_table *t) {
  t->zTable = v->args.table;
  t->zName = v->zName;
  t->zPk = v->aCol[v->pk].name;
  t->zSk = v->sk >= 0 ? v->aCol[v->sk].name : 0;
  t->atomic = v->args.atomic;
}

int table_flush(dyn_vtab *v) {
  write_table t;
  char *zErr = 0;
  int rc, n;
  if (!v->writer || writer_pending(v->writer) == 0) return SQLITE_OK;
  if ((rc = table_client(v)) != SQLITE_OK) {
    writer_discard(v->writer);
    return rc;
  }
  table_write_info(v, &t);
  n = writer_pending(v->writer);
  conn_work_begin(v->conn);
  rc = writer_flush(v->writer, v->client, &t, &zErr);
  conn_work_end(v->conn);
  if (rc == SQLITE_OK) {
    v->nSentEarly += n; /* until the transaction ends (table_end) */
    return rc;
  }
  if (zErr && v->nSentEarly > 0) { /* what an error cannot take back */
    char *z = sqlite3_mprintf("%s; before these, %lld writes of this transaction were sent "
                              "and done, which ROLLBACK does not undo",
                              zErr, (long long)v->nSentEarly);
    sqlite3_free(zErr);
    zErr = z;
    if (!zErr) return SQLITE_NOMEM;
  }
  if (zErr) return table_error(v, rc, zErr);
  return rc;
}

void table_size(dyn_vtab *v) {
  cJSON *req, *resp = 0;
  char *zErr = 0;
  describe_table d;
  sqlite3_int64 now = ddb_clock_ms();
  int i, j;
  if (v->sizeAt >= 0 && now - v->sizeAt < TABLE_SIZE_MS) return;
  v->sizeAt = now; /* an answer or not, asked: not again before then */
  if (!(req = describe_request(v->args.table)) || table_client(v) != SQLITE_OK ||
      ddb_call(v->client, "DescribeTable", v->args.table, req, &resp, &zErr, 0) != SQLITE_OK ||
      describe_parse(resp, &d) != SQLITE_OK) {
    goto done;
  }
  v->nBytes = d.nBytes;
  v->nItems = d.nItems;
  for (i = 0; i < v->nIdx; i++) {
    for (j = 0; j < d.nIdx && strcmp(d.aIdx[j].zName, v->aIdx[i].zName) != 0; j++) {
    }
    v->aIdx[i].nBytes = j < d.nIdx ? d.aIdx[j].nBytes : 0;
    v->aIdx[i].nItems = j < d.nIdx ? d.aIdx[j].nItems : 0;
  }
  describe_clear(&d);
done:
  sqlite3_free(zErr);
  cJSON_Delete(req);
  cJSON_Delete(resp);
}

int table_write_running(sqlite3 *db) {
  sqlite3_stmt *st;
  for (st = sqlite3_next_stmt(db, 0); st; st = sqlite3_next_stmt(db, st)) {
    if (sqlite3_stmt_busy(st) && !sqlite3_stmt_readonly(st)) return 1;
  }
  return 0;
}

void table_end(dyn_vtab *v) {
  v->nSentEarly = 0;
}
