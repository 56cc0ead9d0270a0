/*
** describe.c: DescribeTable's request and answer (see describe.h).
**
**   {"Table": {"TableName": "Tracks", "TableStatus": "ACTIVE",
**              "TableSizeBytes": 123, "ItemCount": 4, "KeySchema": [...],
**              "AttributeDefinitions": [...],
**              "GlobalSecondaryIndexes": [...], "LocalSecondaryIndexes": [...]}}
*/
#include "describe.h"
#include "attrval.h"

#include <string.h>

static const char *str_of(const cJSON *obj, const char *zName) {
  const cJSON *e = cJSON_GetObjectItemCaseSensitive(obj, zName);
  return cJSON_IsString(e) ? e->valuestring : 0;
}

/* The type of attribute zName in AttributeDefinitions, or NULL. */
static const char *type_of(const cJSON *defs, const char *zName) {
  const cJSON *d;
  cJSON_ArrayForEach(d, defs) {
    const char *n = str_of(d, "AttributeName");
    if (n && strcmp(n, zName) == 0) return str_of(d, "AttributeType");
  }
  return 0;
}

void describe_key_schema(const cJSON *obj, const cJSON *defs, describe_keys *k) {
  const cJSON *e;
  memset(k, 0, sizeof(*k));
  cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(obj, "KeySchema")) {
    const char *zName = str_of(e, "AttributeName"), *zKind = str_of(e, "KeyType");
    if (!zName || !zKind) continue;
    if (strcmp(zKind, "HASH") == 0) {
      k->zPk = zName;
      k->zPkType = type_of(defs, zName);
    } else if (strcmp(zKind, "RANGE") == 0) {
      k->zSk = zName;
      k->zSkType = type_of(defs, zName);
    }
  }
}

cJSON *describe_request(const char *zTable) {
  cJSON *req = cJSON_CreateObject();
  if (req && !cJSON_AddStringToObject(req, "TableName", zTable)) {
    cJSON_Delete(req);
    req = 0;
  }
  return req;
}

/* A size member of obj (TableSizeBytes, ItemCount...): 0 when absent or
** not a positive number, bounded before the conversion (a double past
** int64 is undefined). */
static sqlite3_int64 size_of(const cJSON *obj, const char *zName) {
  const cJSON *b = cJSON_GetObjectItemCaseSensitive(obj, zName);
  if (!cJSON_IsNumber(b) || !(b->valuedouble > 0)) return 0;
  return b->valuedouble < 1e18 ? (sqlite3_int64)b->valuedouble : (sqlite3_int64)1e18;
}

static char *dup(const char *z) {
  return z ? sqlite3_mprintf("%s", z) : 0;
}

/* A key attribute's type as a key's: AV_S, AV_N, AV_B, or -1. */
static int key_type(const char *zType) {
  int t = zType ? av_type_from_name(zType, -1) : -1;
  return t == AV_S || t == AV_N || t == AV_B ? t : -1;
}

/* One index into x: SQLITE_OK, SQLITE_NOMEM, or SQLITE_ERROR when it is
** not usable (no name, a key without a key type): left out. */
static int one_index(const cJSON *ix, const cJSON *defs, int global, dyn_index *x) {
  const cJSON *proj = cJSON_GetObjectItemCaseSensitive(ix, "Projection");
  const cJSON *inc = cJSON_GetObjectItemCaseSensitive(proj, "NonKeyAttributes");
  const char *zName = str_of(ix, "IndexName"), *zType = str_of(proj, "ProjectionType");
  describe_keys k;
  memset(x, 0, sizeof(*x));
  describe_key_schema(ix, defs, &k);
  if (!zName || !k.zPk || key_type(k.zPkType) < 0 || (k.zSk && key_type(k.zSkType) < 0)) {
    return SQLITE_ERROR;
  }
  x->global = global;
  x->nBytes = size_of(ix, "IndexSizeBytes");
  x->nItems = size_of(ix, "ItemCount");
  x->zName = dup(zName);
  x->zPk = dup(k.zPk);
  x->zPkType = dup(k.zPkType);
  x->zSk = dup(k.zSk);
  x->zSkType = dup(k.zSkType);
  x->zProjection = dup(zType ? zType : "ALL");
  if (inc) {
    char *z = cJSON_PrintUnformatted(inc);
    x->zInclude = dup(z);
    cJSON_free(z);
    if (!x->zInclude) return SQLITE_NOMEM;
  }
  if (!x->zName || !x->zPk || !x->zPkType || !x->zProjection || (k.zSk && (!x->zSk || !x->zSkType))) {
    return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

static int parse_indexes(const cJSON *t, describe_table *d) {
  const cJSON *defs = cJSON_GetObjectItemCaseSensitive(t, "AttributeDefinitions");
  const cJSON *aList[2], *ix;
  int i, rc = SQLITE_OK;
  aList[0] = cJSON_GetObjectItemCaseSensitive(t, "GlobalSecondaryIndexes");
  aList[1] = cJSON_GetObjectItemCaseSensitive(t, "LocalSecondaryIndexes");
  d->aIdx = sqlite3_malloc64(sizeof(dyn_index) *
                             (cJSON_GetArraySize(aList[0]) + cJSON_GetArraySize(aList[1]) + 1));
  if (!d->aIdx) return SQLITE_NOMEM;
  for (i = 0; i < 2 && rc != SQLITE_NOMEM; i++) {
    cJSON_ArrayForEach(ix, aList[i]) {
      dyn_index *x = &d->aIdx[d->nIdx];
      rc = one_index(ix, defs, i == 0, x);
      if (rc == SQLITE_OK) {
        d->nIdx++;
      } else { /* unusable, or out of memory: the slot is used again */
        indexes_clear(x);
        if (rc == SQLITE_NOMEM) break;
      }
    }
  }
  return rc == SQLITE_NOMEM ? rc : SQLITE_OK;
}

int describe_parse(const cJSON *resp, describe_table *d) {
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(resp, "Table");
  describe_keys k;
  memset(d, 0, sizeof(*d));
  describe_key_schema(t, cJSON_GetObjectItemCaseSensitive(t, "AttributeDefinitions"), &k);
  d->zPk = dup(k.zPk);
  d->zSk = dup(k.zSk);
  d->pkType = key_type(k.zPkType);
  d->skType = k.zSk ? key_type(k.zSkType) : -1;
  d->usable = k.zPk && d->pkType >= 0 && (!k.zSk || d->skType >= 0);
  d->zStatus = dup(str_of(t, "TableStatus") ? str_of(t, "TableStatus") : "");
  d->nBytes = size_of(t, "TableSizeBytes");
  d->nItems = size_of(t, "ItemCount");
  {
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(t, "StreamSpecification");
    const char *zArn = str_of(t, "LatestStreamArn"), *zView = str_of(spec, "StreamViewType");
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(spec, "StreamEnabled"))) zView = 0;
    if ((zArn && !(d->zStreamArn = dup(zArn))) || (zView && !(d->zStreamView = dup(zView)))) {
      describe_clear(d);
      return SQLITE_NOMEM;
    }
  }
  if ((k.zPk && !d->zPk) || (k.zSk && !d->zSk) || !d->zStatus || parse_indexes(t, d) != SQLITE_OK) {
    describe_clear(d);
    return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

void describe_clear(describe_table *d) {
  sqlite3_free(d->zPk);
  sqlite3_free(d->zSk);
  sqlite3_free(d->zStatus);
  sqlite3_free(d->zStreamArn);
  sqlite3_free(d->zStreamView);
  indexes_free(d->aIdx, d->nIdx);
  memset(d, 0, sizeof(*d));
}
