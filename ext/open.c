/*
** open.c: xCreate and xConnect of a dynamo table (see table.h).
**
** xCreate asks DescribeTable for the keys (with create=1, CreateTable when
** the table is missing, then waits until it is ACTIVE), takes the declared
** columns or discovers them from a sample of items, and keeps them in the
** shadow tables. xConnect reads the shadow tables: no request.
*/
#include "table.h"
#include "attrval.h"
#include "create.h"

#include <stdlib.h>
#include <string.h>

#define SAMPLE_ITEMS 1000 /* items read at CREATE to discover columns */

/* DescribeTable, parsed into *d (released by the caller, even on error);
** zType as call() gives it; the answer itself into *pResp when given. */
static int describe(dyn_vtab *v, describe_table *d, cJSON **pResp, char *zType, char **pzErr) {
  cJSON *req = describe_request(v->args.table), *resp = 0;
  int rc = req ? ddb_call(v->client, "DescribeTable", v->args.table, req, &resp, pzErr, zType) : SQLITE_NOMEM;
  describe_clear(d);
  if (rc == SQLITE_OK) rc = describe_parse(resp, d);
  cJSON_Delete(req);
  if (pResp) {
    cJSON_Delete(*pResp);
    *pResp = resp;
  } else {
    cJSON_Delete(resp);
  }
  return rc;
}

/* Poll DescribeTable while the table is CREATING (some servers answer
** CreateTable so), sleeping 100 ms, growing to 1 s, until the sleeps add up
** to the bound: the polls are the same however long each DescribeTable
** takes. */
static int wait_active(dyn_vtab *v, describe_table *d, char **pzErr) {
  long bound = create_wait_bound_ms(getenv("DYNAMO_CREATE_WAIT_MS")), slept = 0;
  char zType[DDB_TYPE_SIZE];
  int attempt, rc;
  for (attempt = 0; strcmp(d->zStatus, "CREATING") == 0; attempt++) {
    long ms = create_wait_ms(attempt), left = bound - slept;
    if (left <= 0) {
      *pzErr = sqlite3_mprintf(
          "dynamo: waiting for %s to become ACTIVE: still CREATING after %ld %s (DescribeTable's "
          "TableStatus); run this CREATE VIRTUAL TABLE again once it is ACTIVE",
          v->args.table, bound % 1000 ? bound : bound / 1000, bound % 1000 ? "ms" : "s");
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    if (ms > left) ms = left;
    if ((rc = ddb_sleep(v->client, ms)) != SQLITE_OK) return rc;
    slept += ms;
    if ((rc = describe(v, d, 0, zType, pzErr)) != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

/* DescribeTable; with create=1, CreateTable when the table is missing
** (someone else's concurrent CreateTable, ResourceInUseException, is as
** good), then the wait until it is ACTIVE. The declared keys (create: the
** CreateTable request, NULL without PRIMARY KEY) must be the table's. */
static int find_table(dyn_vtab *v, const cJSON *create, describe_table *d, char **pzErr) {
  cJSON *resp = 0, *created = 0;
  char zType[DDB_TYPE_SIZE], *z;
  int rc = describe(v, d, &resp, zType, pzErr);
  if (rc == SQLITE_ERROR && strcmp(zType, "ResourceNotFoundException") == 0) {
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
    rc = ddb_call(v->client, "CreateTable", v->args.table, create, &created, pzErr, zType);
    cJSON_Delete(created);
    if (rc == SQLITE_ERROR && strcmp(zType, "ResourceInUseException") == 0) {
      sqlite3_free(*pzErr);
      *pzErr = 0;
      rc = SQLITE_OK;
    }
    if (rc == SQLITE_OK) rc = describe(v, d, &resp, zType, pzErr);
  }
  if (rc == SQLITE_OK && create) rc = create_check_keys(create, resp, v->args.table, pzErr);
  cJSON_Delete(resp);
  if (rc != SQLITE_OK) return rc;
  return v->args.create ? wait_active(v, d, pzErr) : SQLITE_OK;
}

/* Columns of into (v itself, or a copy of its columns) from a sample of
** v's items: those not columns yet are added. */
static int discover(dyn_vtab *v, dyn_vtab *into, char **pzErr) {
  cJSON *req = cJSON_CreateObject(), *resp = 0;
  int rc;
  if (!req || !cJSON_AddStringToObject(req, "TableName", v->args.table) ||
      !cJSON_AddNumberToObject(req, "Limit", SAMPLE_ITEMS)) {
    cJSON_Delete(req);
    return SQLITE_NOMEM;
  }
  rc = ddb_call(v->client, "Scan", v->args.table, req, &resp, pzErr, 0);
  if (rc == SQLITE_OK) {
    rc = catalog_discovered(into, cJSON_GetObjectItemCaseSensitive(resp, "Items"), pzErr);
  }
  cJSON_Delete(req);
  cJSON_Delete(resp);
  return rc;
}

/* xCreate: the table's keys from DynamoDB, the columns declared or
** discovered, all kept in the shadow tables. */
static int create_table(dyn_vtab *v, char **pzErr) {
  describe_table d;
  cJSON *req = 0;
  int rc;
  memset(&d, 0, sizeof(d));
  if ((rc = table_client(v)) != SQLITE_OK) {
    *pzErr = sqlite3_mprintf("%s", v->base.zErrMsg);
    return rc;
  }
  /* PRIMARY KEY as a CreateTable request: what create=1 sends, and the
  ** key schema the table must have, with or without create=1 */
  if (v->args.pk && (rc = create_request(&v->args, &req, pzErr)) != SQLITE_OK) goto done;
  if ((rc = find_table(v, req, &d, pzErr)) != SQLITE_OK) goto done;
  if (!d.usable) {
    *pzErr = sqlite3_mprintf("dynamo: DescribeTable on %s: no usable key schema in the response",
                             v->args.table);
    rc = SQLITE_ERROR;
    goto done;
  }
  v->nBytes = d.nBytes; /* for the plan and the Scan segments: no second ask */
  v->nItems = d.nItems;
  v->sizeAt = ddb_clock_ms();
  if ((rc = catalog_add_column(v, d.zPk, av_type_names[d.pkType], KEY_HASH)) != SQLITE_OK) goto done;
  if (d.zSk && (rc = catalog_add_column(v, d.zSk, av_type_names[d.skType], KEY_RANGE)) != SQLITE_OK) {
    goto done;
  }
  v->aIdx = d.aIdx; /* the table takes them over */
  v->nIdx = d.nIdx;
  d.aIdx = 0;
  d.nIdx = 0;
  rc = v->args.ncol ? catalog_declared(v, pzErr) : discover(v, v, pzErr);
  if (rc == SQLITE_OK) rc = catalog_save(v, pzErr);
done:
  describe_clear(&d);
  cJSON_Delete(req);
  return rc;
}

int open_refresh(dyn_vtab *v, int *pnAdded, char **pzErr) {
  dyn_vtab *s = 0; /* v's columns, then those the sample adds: v stays as it is */
  int rc, i;
  *pnAdded = 0;
  if ((rc = table_client(v)) != SQLITE_OK) {
    *pzErr = sqlite3_mprintf("%s", v->base.zErrMsg);
    return rc;
  }
  rc = table_new(v->db, v->conn, v->zDb, v->zName, &s);
  for (i = 0; rc == SQLITE_OK && i < v->ncol; i++) {
    rc = catalog_add_column(s, v->aCol[i].name, v->aCol[i].type, v->aCol[i].key);
  }
  if (rc == SQLITE_OK) rc = discover(v, s, pzErr);
  if (rc == SQLITE_OK && s->ncol > v->ncol) rc = catalog_append(s, v->ncol, pzErr);
  if (rc == SQLITE_OK) *pnAdded = s->ncol - v->ncol;
  table_free(s);
  return rc;
}

/* Were the arguments typed on this connection: a CREATE (now remembered),
** or a table SQLite connects again with the very arguments of one? Else
** they come from a database's schema (trust.h). 1, 0 or SQLITE_NOMEM. */
static int typed_here(dyn_conn *conn, int argc, const char *const *argv, int isCreate) {
  sqlite3_str *s = sqlite3_str_new(0);
  char *z;
  int i, rc;
  for (i = 3; i < argc; i++) sqlite3_str_appendf(s, "%s\x1f", argv[i]);
  if (!(z = sqlite3_str_finish(s))) return argc > 3 ? SQLITE_NOMEM : 0;
  rc = conn_typed(conn, z, isCreate);
  sqlite3_free(z);
  return rc;
}

int open_table(sqlite3 *db, dyn_conn *conn, int argc, const char *const *argv, int isCreate,
               dyn_vtab **pp, char **pzErr) {
  dyn_vtab *v = 0;
  int rc;
  *pp = 0;
  assert(argc >= 3);
  if ((rc = table_new(db, conn, argv[1], argv[2], &v)) != SQLITE_OK) goto fail;
  if ((rc = args_parse(argc, argv, &v->args, pzErr)) != SQLITE_OK) goto fail;
  if ((v->typed = typed_here(conn, argc, argv, isCreate)) == SQLITE_NOMEM) {
    rc = SQLITE_NOMEM;
    goto fail;
  }
  rc = isCreate ? create_table(v, pzErr) : catalog_load(v, pzErr);
  if (rc == SQLITE_OK) rc = catalog_finish(v, pzErr);
  if (rc != SQLITE_OK) goto fail;
  table_register(v);
  *pp = v;
  return SQLITE_OK;
fail:
  table_free(v);
  return rc;
}
