/*
** answer.c: what DynamoDB's answers say, read without I/O (see ddb.h): the
** kind of an operation, the capacity an answer reports, its error type and
** message, the reasons it throttled, and whether its JSON holds a NUL.
** ddb.c sends the requests and calls these on what comes back.
*/
#include "ddb.h"
#include "credparse.h"

#include <string.h>

int ddb_op_kind(const char *zOp) {
  static const char *const azRead[] = {"GetItem", "Query", "Scan", "BatchGetItem",
                                       "TransactGetItems"};
  static const char *const azWrite[] = {"PutItem", "UpdateItem", "DeleteItem",
                                        "BatchWriteItem", "TransactWriteItems"};
  unsigned i;
  for (i = 0; i < sizeof(azRead) / sizeof(azRead[0]); i++) {
    if (strcmp(zOp, azRead[i]) == 0) return 'r';
  }
  for (i = 0; i < sizeof(azWrite) / sizeof(azWrite[0]); i++) {
    if (strcmp(zOp, azWrite[i]) == 0) return 'w';
  }
  return 0;
}

double ddb_consumed(const cJSON *resp) {
  const cJSON *cc = cJSON_GetObjectItemCaseSensitive(resp, "ConsumedCapacity"), *e;
  double total = 0;
  if (cJSON_IsObject(cc)) {
    e = cJSON_GetObjectItemCaseSensitive(cc, "CapacityUnits");
    return cJSON_IsNumber(e) ? e->valuedouble : 0;
  }
  cJSON_ArrayForEach(e, cc) { /* Batch and Transact: one per table */
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(e, "CapacityUnits");
    if (cJSON_IsNumber(u)) total += u->valuedouble;
  }
  return total;
}

int ddb_has_nul_escape(const char *z, size_t n) {
  const char *p = z, *end = z + n;
  while (p < end && (p = memchr(p, '\\', (size_t)(end - p))) != 0) {
    if (end - p >= 6 && memcmp(p + 1, "u0000", 5) == 0) return 1;
    p += 2;
  }
  return 0;
}

char *ddb_throttling_reasons(const char *body, size_t n) {
  cJSON *j = cJSON_ParseWithLength(body, n);
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "ThrottlingReasons"), *e;
  sqlite3_str *s;
  char *z;
  int nReason = 0;
  if (!cJSON_IsArray(a)) a = cJSON_GetObjectItemCaseSensitive(j, "throttlingReasons");
  if (!cJSON_IsArray(a)) {
    cJSON_Delete(j);
    return 0;
  }
  s = sqlite3_str_new(0);
  cJSON_ArrayForEach(e, a) {
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(e, "reason");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "resource");
    if (!cJSON_IsString(r)) continue;
    sqlite3_str_appendf(s, "%s%s", nReason++ ? ", " : "", r->valuestring);
    if (cJSON_IsString(t)) sqlite3_str_appendf(s, " (%s)", t->valuestring);
  }
  cJSON_Delete(j);
  z = sqlite3_str_finish(s);
  if (z && nReason == 0) {
    sqlite3_free(z);
    z = 0;
  }
  return z;
}

int ddb_parse_error(const char *body, size_t n, long status, char **pzType, char **pzMsg) {
  cJSON *j = cJSON_ParseWithLength(body, n);
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "__type");
  const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
  const char *zType;
  if (!cJSON_IsString(m)) m = cJSON_GetObjectItemCaseSensitive(j, "Message");
  if (cJSON_IsString(t)) {
    zType = strrchr(t->valuestring, '#');
    zType = zType ? zType + 1 : t->valuestring;
    *pzType = sqlite3_mprintf("%s", zType);
  } else {
    *pzType = sqlite3_mprintf("HTTP %ld", status);
  }
  if (cJSON_IsString(m)) *pzMsg = sqlite3_mprintf("%s", m->valuestring);
  else if (j) *pzMsg = sqlite3_mprintf("(no message)");
  else *pzMsg = cp_excerpt(body, n, 120);
  cJSON_Delete(j);
  if (*pzType && *pzMsg) return SQLITE_OK;
  sqlite3_free(*pzType);
  sqlite3_free(*pzMsg);
  *pzType = *pzMsg = 0;
  return SQLITE_NOMEM;
}
