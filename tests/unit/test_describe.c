/*
** describe.c: DescribeTable's request and its one parse.
*/
#include "attrval.h"
#include "check.h"
#include "describe.h"

#include <stdlib.h>

static const char *zTracks =
    "{\"Table\":{\"TableName\":\"Tracks\",\"TableStatus\":\"ACTIVE\",\"TableSizeBytes\":8192,"
    "\"ItemCount\":40,"
    "\"AttributeDefinitions\":[{\"AttributeName\":\"uuid\",\"AttributeType\":\"S\"},"
    "{\"AttributeName\":\"timestamp\",\"AttributeType\":\"S\"},"
    "{\"AttributeName\":\"model\",\"AttributeType\":\"S\"},"
    "{\"AttributeName\":\"speed\",\"AttributeType\":\"N\"}],"
    "\"KeySchema\":[{\"AttributeName\":\"uuid\",\"KeyType\":\"HASH\"},"
    "{\"AttributeName\":\"timestamp\",\"KeyType\":\"RANGE\"}],"
    "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"ByModel\",\"KeySchema\":["
    "{\"AttributeName\":\"model\",\"KeyType\":\"HASH\"},"
    "{\"AttributeName\":\"timestamp\",\"KeyType\":\"RANGE\"}],"
    "\"Projection\":{\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[\"speed\"]},"
    "\"IndexSizeBytes\":2048,\"ItemCount\":30},"
    "{\"KeySchema\":[{\"AttributeName\":\"model\",\"KeyType\":\"HASH\"}]},"
    "{\"IndexName\":\"Untyped\",\"KeySchema\":[{\"AttributeName\":\"nope\",\"KeyType\":\"HASH\"}]}],"
    "\"LocalSecondaryIndexes\":[{\"IndexName\":\"BySpeed\",\"KeySchema\":["
    "{\"AttributeName\":\"uuid\",\"KeyType\":\"HASH\"},"
    "{\"AttributeName\":\"speed\",\"KeyType\":\"RANGE\"}]}]}}";

static void test_request(void) {
  cJSON *r = describe_request("Tracks");
  char *z = cJSON_PrintUnformatted(r);
  CHECK_STR(z, "{\"TableName\":\"Tracks\"}");
  cJSON_free(z);
  cJSON_Delete(r);
}

static void test_tracks(void) {
  cJSON *j = cJSON_Parse(zTracks);
  describe_table d;
  CHECK_INT(describe_parse(j, &d), SQLITE_OK);
  CHECK_STR(d.zPk, "uuid");
  CHECK_STR(d.zSk, "timestamp");
  CHECK_INT(d.pkType, AV_S);
  CHECK_INT(d.skType, AV_S);
  CHECK_INT(d.usable, 1);
  CHECK_STR(d.zStatus, "ACTIVE");
  CHECK_INT(d.nBytes, 8192);
  CHECK_INT(d.nItems, 40);
  /* the index without a name and the one whose key has no type are left out */
  CHECK_INT(d.nIdx, 2);
  if (d.nIdx == 2) {
    CHECK_STR(d.aIdx[0].zName, "ByModel");
    CHECK_INT(d.aIdx[0].global, 1);
    CHECK_STR(d.aIdx[0].zPk, "model");
    CHECK_STR(d.aIdx[0].zPkType, "S");
    CHECK_STR(d.aIdx[0].zSk, "timestamp");
    CHECK_STR(d.aIdx[0].zProjection, "INCLUDE");
    CHECK_STR(d.aIdx[0].zInclude, "[\"speed\"]");
    CHECK_INT(d.aIdx[0].nBytes, 2048); /* its own size */
    CHECK_INT(d.aIdx[0].nItems, 30);
    CHECK_INT(d.aIdx[1].nBytes, 0);    /* not reported: not known */
    CHECK_STR(d.aIdx[1].zName, "BySpeed");
    CHECK_INT(d.aIdx[1].global, 0);
    CHECK_STR(d.aIdx[1].zSk, "speed");
    CHECK_STR(d.aIdx[1].zSkType, "N");
    CHECK_STR(d.aIdx[1].zProjection, "ALL"); /* no Projection: ALL */
    CHECK(d.aIdx[1].zInclude == 0);
  }
  describe_clear(&d);
  CHECK(d.zPk == 0 && d.aIdx == 0 && d.nIdx == 0);
  cJSON_Delete(j);
}

/* What a DescribeTable answer may lack, and what is then usable. */
static void test_partial(void) {
  static const struct {
    const char *zJson;
    const char *zPk, *zSk, *zStatus;
    int usable, pkType, skType;
    sqlite3_int64 nBytes;
  } a[] = {
      {"{}", 0, 0, "", 0, -1, -1, 0},
      {"{\"Table\":{\"TableStatus\":\"CREATING\"}}", 0, 0, "CREATING", 0, -1, -1, 0},
      {"{\"Table\":{\"TableStatus\":5,\"TableSizeBytes\":\"9\"}}", 0, 0, "", 0, -1, -1, 0},
      /* sizes past int64 are held at 1e18 (the conversion would be undefined) */
      {"{\"Table\":{\"TableSizeBytes\":1e300}}", 0, 0, "", 0, -1, -1, 1000000000000000000LL},
      {"{\"Table\":{\"TableSizeBytes\":12345678901234}}", 0, 0, "", 0, -1, -1, 12345678901234LL},
      /* a key without its AttributeDefinition is not usable */
      {"{\"Table\":{\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}]}}", "id", 0,
       "", 0, -1, -1, 0},
      {"{\"Table\":{\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}],"
       "\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"N\"}],"
       "\"TableSizeBytes\":-3}}",
       "id", 0, "", 1, AV_N, -1, 0},
      /* a key type no key can have */
      {"{\"Table\":{\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}],"
       "\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"SS\"}]}}",
       "id", 0, "", 0, -1, -1, 0},
      /* a sort key only */
      {"{\"Table\":{\"KeySchema\":[{\"AttributeName\":\"t\",\"KeyType\":\"RANGE\"}],"
       "\"AttributeDefinitions\":[{\"AttributeName\":\"t\",\"AttributeType\":\"B\"}]}}",
       0, "t", "", 0, -1, AV_B, 0},
      /* elements that are not {AttributeName, KeyType} strings are passed over */
      {"{\"Table\":{\"KeySchema\":[5,{\"AttributeName\":1,\"KeyType\":\"HASH\"},"
       "{\"AttributeName\":\"k\",\"KeyType\":\"OTHER\"},{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}],"
       "\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"B\"}]}}",
       "id", 0, "", 1, AV_B, -1, 0},
  };
  unsigned i;
  for (i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
    cJSON *j = cJSON_Parse(a[i].zJson);
    describe_table d;
    CHECK(j != 0);
    CHECK_INT(describe_parse(j, &d), SQLITE_OK);
    if (a[i].zPk) CHECK_STR(d.zPk, a[i].zPk);
    else CHECK(d.zPk == 0);
    if (a[i].zSk) CHECK_STR(d.zSk, a[i].zSk);
    else CHECK(d.zSk == 0);
    CHECK_STR(d.zStatus, a[i].zStatus);
    CHECK_INT(d.usable, a[i].usable);
    CHECK_INT(d.pkType, a[i].pkType);
    CHECK_INT(d.skType, a[i].skType);
    CHECK_INT(d.nBytes, a[i].nBytes);
    CHECK_INT(d.nIdx, 0);
    describe_clear(&d);
    cJSON_Delete(j);
  }
  {
    describe_table d;
    CHECK_INT(describe_parse(0, &d), SQLITE_OK);
    CHECK_INT(d.usable, 0);
    describe_clear(&d);
  }
}

static void test_key_schema(void) {
  cJSON *j = cJSON_Parse(zTracks);
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "Table");
  const cJSON *defs = cJSON_GetObjectItemCaseSensitive(t, "AttributeDefinitions");
  const cJSON *lsi = cJSON_GetObjectItemCaseSensitive(t, "LocalSecondaryIndexes");
  describe_keys k;
  describe_key_schema(t, defs, &k);
  CHECK_STR(k.zPk, "uuid");
  CHECK_STR(k.zPkType, "S");
  CHECK_STR(k.zSk, "timestamp");
  CHECK_STR(k.zSkType, "S");
  describe_key_schema(lsi->child, defs, &k); /* an index's, the table's types */
  CHECK_STR(k.zSk, "speed");
  CHECK_STR(k.zSkType, "N");
  describe_key_schema(lsi->child, 0, &k); /* no definitions: no types */
  CHECK_STR(k.zPk, "uuid");
  CHECK(k.zPkType == 0 && k.zSkType == 0);
  describe_key_schema(0, 0, &k);
  CHECK(k.zPk == 0 && k.zSk == 0);
  cJSON_Delete(j);
}

static void test_stream(void) {
  static const char *azCase[] = {
      "{\"Table\":{\"LatestStreamArn\":\"arn:s1\",\"StreamSpecification\":"
      "{\"StreamEnabled\":true,\"StreamViewType\":\"NEW_IMAGE\"}}}",
      /* disabled: the last stream's ARN stays, its view is no more */
      "{\"Table\":{\"LatestStreamArn\":\"arn:s1\",\"StreamSpecification\":"
      "{\"StreamEnabled\":false,\"StreamViewType\":\"NEW_IMAGE\"}}}",
      "{\"Table\":{\"LatestStreamArn\":7,\"StreamSpecification\":[1]}}",
  };
  describe_table d;
  cJSON *j = cJSON_Parse(azCase[0]);
  CHECK_INT(describe_parse(j, &d), SQLITE_OK);
  CHECK_STR(d.zStreamArn, "arn:s1");
  CHECK_STR(d.zStreamView, "NEW_IMAGE");
  describe_clear(&d);
  cJSON_Delete(j);
  j = cJSON_Parse(azCase[1]);
  CHECK_INT(describe_parse(j, &d), SQLITE_OK);
  CHECK_STR(d.zStreamArn, "arn:s1");
  CHECK(d.zStreamView == 0);
  describe_clear(&d);
  cJSON_Delete(j);
  j = cJSON_Parse(azCase[2]);
  CHECK_INT(describe_parse(j, &d), SQLITE_OK);
  CHECK(d.zStreamArn == 0 && d.zStreamView == 0);
  describe_clear(&d);
  cJSON_Delete(j);
}

int main(void) {
  RUN(test_request);
  RUN(test_tracks);
  RUN(test_partial);
  RUN(test_key_schema);
  RUN(test_stream);
  CHECK_DONE();
}
