/*
** create.c: the CreateTable request of create=1 and key-schema comparison
** (see create.h).
**
**   dynamo(table=Tracks, create=1, uuid TEXT, timestamp TEXT, model TEXT,
**          global_index=ByModel(model, timestamp) KEYS_ONLY,
**          PRIMARY KEY (uuid, timestamp))
**   -> {"TableName": "Tracks",
**       "AttributeDefinitions": [{"AttributeName": "uuid", "AttributeType": "S"},
**                                {"AttributeName": "timestamp", ...}, {... "model" ...}],
**       "KeySchema": [{"AttributeName": "uuid", "KeyType": "HASH"},
**                     {"AttributeName": "timestamp", "KeyType": "RANGE"}],
**       "BillingMode": "PAY_PER_REQUEST",
**       "GlobalSecondaryIndexes": [{"IndexName": "ByModel", "KeySchema": [...],
**                                   "Projection": {"ProjectionType": "KEYS_ONLY"}}]}
*/
#include "create.h"

#include "attrval.h"
#include "describe.h"

#include <string.h>

#define MAX_WAIT_MS 86400000L /* DYNAMO_CREATE_WAIT_MS: one day at most */

/* Add item to obj as zName, or free it: 0 when either fails. */
static int add_member(cJSON *obj, const char *zName, cJSON *item) {
  if (!item) return 0;
  if (!cJSON_AddItemToObject(obj, zName, item)) {
    cJSON_Delete(item);
    return 0;
  }
  return 1;
}

static int add_element(cJSON *arr, cJSON *item) {
  if (!item) return 0;
  if (!cJSON_AddItemToArray(arr, item)) {
    cJSON_Delete(item);
    return 0;
  }
  return 1;
}

int create_key_type(const char *zDecl) {
  int t = av_class_of_decl(zDecl);
  const char *z = zDecl;
  if (t == AV_S || t == AV_N || t == AV_B) return t;
  if (t == AVC_TEXT) return AV_S;
  if (t == AVC_NUMERIC) return AV_N;
  if (t != AVC_ANY || !z) return -1;
  while (*z == ' ' || *z == '\t') z++;
  return *z ? AV_B : -1; /* BLOB affinity from a type that says BLOB; none: no type */
}

static cJSON *key_element(const char *zName, const char *zKeyType) {
  cJSON *e = cJSON_CreateObject();
  if (!e || !cJSON_AddStringToObject(e, "AttributeName", zName) ||
      !cJSON_AddStringToObject(e, "KeyType", zKeyType)) {
    cJSON_Delete(e);
    return 0;
  }
  return e;
}

static cJSON *key_schema(const char *zPk, const char *zSk) {
  cJSON *ks = cJSON_CreateArray();
  if (!ks || !add_element(ks, key_element(zPk, "HASH")) ||
      (zSk && !add_element(ks, key_element(zSk, "RANGE")))) {
    cJSON_Delete(ks);
    return 0;
  }
  return ks;
}

/* The AttributeDefinition of key column zCol, once. zWhat names the key
** ("PRIMARY KEY", "global index ByModel") in messages. */
static int add_definition(const dyn_args *a, cJSON *defs, const char *zCol, const char *zWhat,
                          char **pzErr) {
  const args_column *c = args_find_column(a, zCol);
  const cJSON *d;
  cJSON *e;
  int t;
  cJSON_ArrayForEach(d, defs) {
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(d, "AttributeName");
    if (cJSON_IsString(n) && strcmp(n->valuestring, zCol) == 0) return SQLITE_OK;
  }
  if (!c) { /* args.c makes sure every key column is declared */
    *pzErr = sqlite3_mprintf("dynamo: %s column %s is not a declared column", zWhat, zCol);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if ((t = create_key_type(c->type)) < 0) {
    if (c->type[0]) {
      *pzErr = sqlite3_mprintf(
          "dynamo: %s column %s is declared %s, which cannot be a key: a key attribute is S, "
          "N or B (declare it TEXT, INTEGER, REAL or BLOB, or S, N or B)",
          zWhat, c->name, c->type);
    } else {
      *pzErr = sqlite3_mprintf(
          "dynamo: %s column %s has no type, which the key attribute needs: declare it TEXT, "
          "INTEGER, REAL or BLOB (or S, N or B)",
          zWhat, c->name);
    }
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (!(e = cJSON_CreateObject()) || !cJSON_AddStringToObject(e, "AttributeName", c->name) ||
      !cJSON_AddStringToObject(e, "AttributeType", av_type_names[t])) {
    cJSON_Delete(e);
    return SQLITE_NOMEM;
  }
  return add_element(defs, e) ? SQLITE_OK : SQLITE_NOMEM;
}

static cJSON *throughput(const dyn_args *a) {
  cJSON *p = cJSON_CreateObject();
  if (!p || !cJSON_AddNumberToObject(p, "ReadCapacityUnits", (double)a->read_units) ||
      !cJSON_AddNumberToObject(p, "WriteCapacityUnits", (double)a->write_units)) {
    cJSON_Delete(p);
    return 0;
  }
  return p;
}

static cJSON *projection(const args_index *ix) {
  static const char *const azType[] = {"ALL", "KEYS_ONLY", "INCLUDE"};
  cJSON *p = cJSON_CreateObject(), *na;
  int i;
  if (!p || !cJSON_AddStringToObject(p, "ProjectionType", azType[ix->projection])) goto oom;
  if (ix->projection == ARGS_PROJ_INCLUDE) {
    if (!(na = cJSON_AddArrayToObject(p, "NonKeyAttributes"))) goto oom;
    for (i = 0; i < ix->ninclude; i++) {
      if (!add_element(na, cJSON_CreateString(ix->azInclude[i]))) goto oom;
    }
  }
  return p;
oom:
  cJSON_Delete(p);
  return 0;
}

static int add_index(const dyn_args *a, const args_index *ix, cJSON *req, cJSON *defs,
                     char **pzErr) {
  const char *zList = ix->local ? "LocalSecondaryIndexes" : "GlobalSecondaryIndexes";
  cJSON *list = cJSON_GetObjectItemCaseSensitive(req, zList), *e;
  char *zWhat = sqlite3_mprintf("%s %s", ix->local ? "local index" : "global index", ix->name);
  int rc = SQLITE_NOMEM;
  if (!zWhat) return SQLITE_NOMEM;
  if (!list && !(list = cJSON_AddArrayToObject(req, zList))) goto done;
  if (!(e = cJSON_CreateObject()) || !add_element(list, e)) goto done;
  if (!cJSON_AddStringToObject(e, "IndexName", ix->name) ||
      !add_member(e, "KeySchema", key_schema(ix->pk, ix->sk)) ||
      !add_member(e, "Projection", projection(ix))) {
    goto done;
  }
  if (!ix->local && a->billing == ARGS_BILLING_PROVISIONED &&
      !add_member(e, "ProvisionedThroughput", throughput(a))) {
    goto done;
  }
  rc = add_definition(a, defs, ix->pk, zWhat, pzErr);
  if (rc == SQLITE_OK && ix->sk) rc = add_definition(a, defs, ix->sk, zWhat, pzErr);
done:
  sqlite3_free(zWhat);
  return rc;
}

int create_request(const dyn_args *a, cJSON **pReq, char **pzErr) {
  cJSON *req = cJSON_CreateObject(), *defs;
  int i, rc = SQLITE_NOMEM;
  *pReq = 0;
  if (!req || !cJSON_AddStringToObject(req, "TableName", a->table) ||
      !(defs = cJSON_AddArrayToObject(req, "AttributeDefinitions")) ||
      !add_member(req, "KeySchema", key_schema(a->pk, a->sk))) {
    goto done;
  }
  if ((rc = add_definition(a, defs, a->pk, "PRIMARY KEY", pzErr)) != SQLITE_OK) goto done;
  if (a->sk && (rc = add_definition(a, defs, a->sk, "PRIMARY KEY", pzErr)) != SQLITE_OK) goto done;
  rc = SQLITE_NOMEM;
  if (a->billing == ARGS_BILLING_PROVISIONED) {
    if (!cJSON_AddStringToObject(req, "BillingMode", "PROVISIONED") ||
        !add_member(req, "ProvisionedThroughput", throughput(a))) {
      goto done;
    }
  } else if (!cJSON_AddStringToObject(req, "BillingMode", "PAY_PER_REQUEST")) {
    goto done;
  }
  if (a->stream) { /* StreamSpecification: its view type as args.h names it */
    cJSON *spec = cJSON_CreateObject();
    if (!spec || !cJSON_AddTrueToObject(spec, "StreamEnabled") ||
        !cJSON_AddStringToObject(spec, "StreamViewType", args_stream_views[a->stream]) ||
        !add_member(req, "StreamSpecification", spec)) {
      if (spec && !cJSON_GetObjectItemCaseSensitive(req, "StreamSpecification")) cJSON_Delete(spec);
      goto done;
    }
  }
  rc = SQLITE_OK;
  for (i = 0; rc == SQLITE_OK && i < a->nindex; i++) {
    rc = add_index(a, &a->aIndex[i], req, defs, pzErr);
  }
done:
  if (rc == SQLITE_OK) *pReq = req;
  else cJSON_Delete(req);
  return rc;
}

/* ---- key schemas ----------------------------------------------------------- */

/* The key schema of a CreateTable request or DescribeTable's Table. */
static void key_desc_of(const cJSON *obj, describe_keys *k) {
  describe_key_schema(obj, cJSON_GetObjectItemCaseSensitive(obj, "AttributeDefinitions"), k);
}

static int same(const char *a, const char *b) {
  return a == b || (a && b && strcmp(a, b) == 0);
}

char *create_key_text(const cJSON *obj) {
  describe_keys k;
  key_desc_of(obj, &k);
  if (!k.zPk && !k.zSk) return sqlite3_mprintf("no key schema");
  return sqlite3_mprintf("%s %s HASH%s%s%s%s%s", k.zPk ? k.zPk : "?",
                         k.zPkType ? k.zPkType : "?", k.zSk ? ", " : "", k.zSk ? k.zSk : "",
                         k.zSk ? " " : "", k.zSk ? (k.zSkType ? k.zSkType : "?") : "",
                         k.zSk ? " RANGE" : "");
}

int create_check_keys(const cJSON *req, const cJSON *describe, const char *zTable,
                      char **pzErr) {
  const cJSON *table = cJSON_GetObjectItemCaseSensitive(describe, "Table");
  char *zHas, *zWant;
  describe_keys want, has;
  key_desc_of(req, &want);
  key_desc_of(table, &has);
  if (has.zPk && same(want.zPk, has.zPk) && same(want.zPkType, has.zPkType) &&
      same(want.zSk, has.zSk) && same(want.zSkType, has.zSkType)) {
    return SQLITE_OK;
  }
  zHas = create_key_text(table);
  zWant = create_key_text(req);
  *pzErr = 0;
  if (zHas && zWant) {
    *pzErr = sqlite3_mprintf(
        "dynamo: key schema mismatch on %s: the table has (%s), PRIMARY KEY declares (%s)",
        zTable, zHas, zWant);
  }
  sqlite3_free(zHas);
  sqlite3_free(zWant);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* ---- waiting --------------------------------------------------------------- */

long create_wait_ms(int attempt) {
  long ms = 100;
  while (attempt-- > 0 && ms < 1000) ms *= 2;
  return ms < 1000 ? ms : 1000;
}

long create_wait_bound_ms(const char *zEnv) {
  long ms = 0;
  const char *z = zEnv;
  if (!z || !*z) return CREATE_WAIT_MS;
  for (; *z >= '0' && *z <= '9' && ms <= MAX_WAIT_MS; z++) ms = ms * 10 + (*z - '0');
  if (*z || ms < 1 || ms > MAX_WAIT_MS) return CREATE_WAIT_MS;
  return ms;
}
