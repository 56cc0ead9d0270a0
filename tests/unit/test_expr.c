/* Unit tests of expr.c: #n / :v placeholders for DynamoDB expressions. */
#include "expr.h"
#include "check.h"

static int has(const char *z, const char *zPart) {
  return z && strstr(z, zPart) != 0;
}

static const char *member_str(const cJSON *obj, const char *zName) {
  return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, zName));
}

static cJSON *sv(const char *z) {
  cJSON *av = cJSON_CreateObject();
  cJSON_AddStringToObject(av, "S", z);
  return av;
}

static void test_names(void) {
  expr_ctx x;
  sqlite3_str *s = sqlite3_str_new(0);
  char *z;
  memset(&x, 0, sizeof(x));
  expr_name(&x, s, "uuid");
  sqlite3_str_appendall(s, " ");
  expr_name(&x, s, "timestamp");
  sqlite3_str_appendall(s, " ");
  expr_name(&x, s, "uuid"); /* the same name: the same placeholder */
  sqlite3_str_appendall(s, " ");
  expr_name(&x, s, "Speed");
  sqlite3_str_appendall(s, " ");
  expr_name(&x, s, "speed"); /* attribute names are case-sensitive */
  sqlite3_str_appendall(s, " ");
  expr_name(&x, s, "Speed");
  z = sqlite3_str_finish(s);
  CHECK_STR(z, "#n0 #n1 #n0 #n2 #n3 #n2");
  CHECK_INT(x.nname, 4);
  CHECK_INT(cJSON_GetArraySize(x.names), 4);
  CHECK_STR(member_str(x.names, "#n0"), "uuid");
  CHECK_STR(member_str(x.names, "#n1"), "timestamp");
  CHECK_STR(member_str(x.names, "#n2"), "Speed");
  CHECK_STR(member_str(x.names, "#n3"), "speed");
  CHECK(x.values == 0);
  CHECK_INT(x.oom, 0);
  sqlite3_free(z);
  expr_reset(&x);
  CHECK(x.names == 0 && x.values == 0 && x.nname == 0 && x.nvalue == 0);
}

static void test_values(void) {
  expr_ctx x;
  sqlite3_str *s = sqlite3_str_new(0);
  char *z;
  memset(&x, 0, sizeof(x));
  expr_value(&x, s, sv("a"));
  sqlite3_str_appendall(s, " ");
  expr_value(&x, s, sv("a")); /* always a new placeholder */
  sqlite3_str_appendall(s, " ");
  expr_value(&x, s, sv("b"));
  z = sqlite3_str_finish(s);
  CHECK_STR(z, ":v0 :v1 :v2");
  CHECK_INT(x.nvalue, 3);
  CHECK_INT(cJSON_GetArraySize(x.values), 3);
  CHECK_STR(member_str(cJSON_GetObjectItemCaseSensitive(x.values, ":v0"), "S"), "a");
  CHECK_STR(member_str(cJSON_GetObjectItemCaseSensitive(x.values, ":v1"), "S"), "a");
  CHECK_STR(member_str(cJSON_GetObjectItemCaseSensitive(x.values, ":v2"), "S"), "b");
  CHECK(x.names == 0);
  sqlite3_free(z);
  expr_reset(&x);
}

/* names and values numbered independently, past ten */
static void test_many(void) {
  expr_ctx x;
  sqlite3_str *s = sqlite3_str_new(0);
  char *z;
  int i;
  memset(&x, 0, sizeof(x));
  for (i = 0; i < 12; i++) {
    char zName[16];
    snprintf(zName, sizeof(zName), "a%d", i);
    expr_name(&x, s, zName);
    sqlite3_str_appendall(s, "=");
    expr_value(&x, s, sv(zName));
    sqlite3_str_appendall(s, ";");
  }
  expr_name(&x, s, "a1");
  expr_name(&x, s, "a11");
  z = sqlite3_str_finish(s);
  CHECK(has(z, "#n0=:v0;#n1=:v1;"));
  CHECK(has(z, ";#n10=:v10;#n11=:v11;#n1#n11"));
  CHECK_STR(member_str(x.names, "#n10"), "a10");
  CHECK_STR(member_str(x.names, "#n11"), "a11");
  CHECK_INT(cJSON_GetArraySize(x.names), 12);
  CHECK_INT(cJSON_GetArraySize(x.values), 12);
  sqlite3_free(z);
  expr_reset(&x);
}

static void test_attach(void) {
  expr_ctx x;
  cJSON *req = cJSON_CreateObject();
  sqlite3_str *s = sqlite3_str_new(0);
  const cJSON *names, *values;
  memset(&x, 0, sizeof(x));
  cJSON_AddStringToObject(req, "TableName", "Tracks");
  expr_name(&x, s, "uuid");
  sqlite3_str_appendall(s, " = ");
  expr_value(&x, s, sv("test-uuid"));
  CHECK_INT(expr_add_string(req, "KeyConditionExpression", s), SQLITE_OK);
  CHECK_INT(expr_attach(&x, req), SQLITE_OK);
  /* the context is empty afterwards; the request owns the objects */
  CHECK(x.names == 0 && x.values == 0 && x.nname == 0 && x.nvalue == 0 && x.oom == 0);
  CHECK_STR(member_str(req, "KeyConditionExpression"), "#n0 = :v0");
  names = cJSON_GetObjectItemCaseSensitive(req, "ExpressionAttributeNames");
  values = cJSON_GetObjectItemCaseSensitive(req, "ExpressionAttributeValues");
  CHECK(cJSON_IsObject(names));
  CHECK(cJSON_IsObject(values));
  CHECK_STR(member_str(names, "#n0"), "uuid");
  CHECK_STR(member_str(cJSON_GetObjectItemCaseSensitive(values, ":v0"), "S"), "test-uuid");
  {
    char *z = cJSON_PrintUnformatted(req);
    CHECK_STR(z, "{\"TableName\":\"Tracks\",\"KeyConditionExpression\":\"#n0 = :v0\","
                 "\"ExpressionAttributeNames\":{\"#n0\":\"uuid\"},"
                 "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"test-uuid\"}}}");
    cJSON_free(z);
  }
  expr_reset(&x); /* nothing left to free: no double free */
  cJSON_Delete(req);

  /* only what was used is attached */
  req = cJSON_CreateObject();
  memset(&x, 0, sizeof(x));
  s = sqlite3_str_new(0);
  expr_name(&x, s, "a");
  CHECK_INT(expr_add_string(req, "ProjectionExpression", s), SQLITE_OK);
  CHECK_INT(expr_attach(&x, req), SQLITE_OK);
  CHECK(cJSON_GetObjectItemCaseSensitive(req, "ExpressionAttributeNames") != 0);
  CHECK(cJSON_GetObjectItemCaseSensitive(req, "ExpressionAttributeValues") == 0);
  cJSON_Delete(req);

  req = cJSON_CreateObject();
  memset(&x, 0, sizeof(x));
  CHECK_INT(expr_attach(&x, req), SQLITE_OK);
  CHECK(req->child == 0);
  cJSON_Delete(req);
}

static void test_oom_reported(void) {
  expr_ctx x;
  cJSON *req = cJSON_CreateObject();
  sqlite3_str *s = sqlite3_str_new(0);
  char *z;
  memset(&x, 0, sizeof(x));
  expr_value(&x, s, 0); /* a failed allocation of the value */
  CHECK_INT(x.oom, 1);
  z = sqlite3_str_finish(s);
  sqlite3_free(z);
  CHECK_INT(expr_attach(&x, req), SQLITE_NOMEM);
  CHECK_INT(x.oom, 0);
  cJSON_Delete(req);
}

/* Reserved words and names with spaces, dots, '#' and ':' only ever appear
** in ExpressionAttributeNames, never in the expression. */
static void test_awkward_names(void) {
  static const char *const azName[] = {"timestamp", "size", "a b", "a.b", "#n0", ":v0",
                                       "x#y", "p:q", "[0]", "name with \"quotes\"", "AND",
                                       "caf\xc3\xa9"};
  int n = (int)(sizeof(azName) / sizeof(azName[0])), i;
  expr_ctx x;
  cJSON *req = cJSON_CreateObject();
  sqlite3_str *s = sqlite3_str_new(0);
  const char *zExpr;
  const cJSON *names;
  memset(&x, 0, sizeof(x));
  for (i = 0; i < n; i++) {
    if (i) sqlite3_str_appendall(s, ", ");
    expr_name(&x, s, azName[i]);
  }
  CHECK_INT(expr_add_string(req, "ProjectionExpression", s), SQLITE_OK);
  CHECK_INT(expr_attach(&x, req), SQLITE_OK);
  zExpr = member_str(req, "ProjectionExpression");
  names = cJSON_GetObjectItemCaseSensitive(req, "ExpressionAttributeNames");
  CHECK_STR(zExpr, "#n0, #n1, #n2, #n3, #n4, #n5, #n6, #n7, #n8, #n9, #n10, #n11");
  for (i = 0; i < n; i++) {
    char zPh[16];
    snprintf(zPh, sizeof(zPh), "#n%d", i);
    CHECK_STR(member_str(names, zPh), azName[i]);
    if (strcmp(azName[i], "#n0") != 0) CHECK(!has(zExpr, azName[i]));
  }
  /* "#n0" the attribute is #n4 the placeholder: no confusion */
  CHECK_STR(member_str(names, "#n4"), "#n0");
  CHECK_STR(member_str(names, "#n0"), "timestamp");
  /* the expression holds nothing but placeholders and separators */
  {
    const char *p;
    int ok = 1;
    for (p = zExpr; *p; p++) {
      if (!strchr("#n0123456789, ", *p)) ok = 0;
    }
    CHECK(ok);
  }
  cJSON_Delete(req);
}

static void test_add_string(void) {
  cJSON *req = cJSON_CreateObject();
  sqlite3_str *s = sqlite3_str_new(0);
  sqlite3_str_appendall(s, "#n0 BETWEEN :v0 AND :v1");
  CHECK_INT(expr_add_string(req, "KeyConditionExpression", s), SQLITE_OK);
  CHECK_STR(member_str(req, "KeyConditionExpression"), "#n0 BETWEEN :v0 AND :v1");
  /* an empty expression is still a string member */
  s = sqlite3_str_new(0);
  CHECK_INT(expr_add_string(req, "FilterExpression", s), SQLITE_OK);
  CHECK_STR(member_str(req, "FilterExpression"), "");
  cJSON_Delete(req);
}

int main(void) {
  RUN(test_names);
  RUN(test_values);
  RUN(test_many);
  RUN(test_attach);
  RUN(test_oom_reported);
  RUN(test_awkward_names);
  RUN(test_add_string);
  CHECK_DONE();
}
