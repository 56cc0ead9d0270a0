/* Unit tests of create.c: the CreateTable request of create=1 (key types,
** billing, indexes), the key-schema comparison and its message, the wait
** steps. */
#include "create.h"
#include "attrval.h"
#include "check.h"

#include <stdarg.h>

static dyn_args A;
static char *zErr;
static cJSON *req;
static char *zJson;

/* args_parse, then create_request; zJson is the request printed. */
static int request(const char *z0, ...) {
  const char *argv[40] = {"dynamo", "main", "t"};
  int argc = 3, rc;
  va_list ap;
  args_free(&A);
  sqlite3_free(zErr);
  cJSON_Delete(req);
  cJSON_free(zJson);
  zErr = 0;
  req = 0;
  zJson = 0;
  va_start(ap, z0);
  for (argv[argc] = z0; argv[argc] && argc < 39; argv[argc] = va_arg(ap, const char *)) argc++;
  va_end(ap);
  if ((rc = args_parse(argc, argv, &A, &zErr)) != SQLITE_OK) return -1; /* a bad test */
  rc = create_request(&A, &req, &zErr);
  if (req) zJson = cJSON_PrintUnformatted(req);
  return rc;
}

static int has(const char *z, const char *zPart) {
  return z && strstr(z, zPart) != 0;
}

static void test_key_types(void) {
  static const struct {
    const char *zDecl;
    int t;
  } aCase[] = {{"TEXT", AV_S},       {"text", AV_S},          {"VARCHAR(10)", AV_S},
               {"TEXT NOT NULL", AV_S}, {"CLOB", AV_S},        {"S", AV_S},
               {"s", AV_S},          {"INTEGER", AV_N},       {"INT", AV_N},
               {"REAL", AV_N},       {"DOUBLE PRECISION", AV_N}, {"NUMERIC", AV_N},
               {"DECIMAL(10,2)", AV_N}, {"N", AV_N},          {"BLOB", AV_B},
               {"blob", AV_B},       {"B", AV_B},             {"", -1},
               {"  ", -1},           {"BOOL", -1},            {"NULL", -1},
               {"SS", -1},           {"NS", -1},              {"BS", -1},
               {"L", -1},            {"M", -1}};
  unsigned i;
  for (i = 0; i < sizeof(aCase) / sizeof(aCase[0]); i++) {
    int t = create_key_type(aCase[i].zDecl);
    if (t != aCase[i].t) fprintf(stderr, "  type %s\n", aCase[i].zDecl);
    CHECK_INT(t, aCase[i].t);
  }
}

/* The workshop's Tracks table, as the issue writes it. */
static void test_workshop_request(void) {
  CHECK_INT(request("table=Tracks", "create=1", "uuid TEXT", "timestamp TEXT", "latitude REAL",
                    "longitude REAL", "model TEXT", "PRIMARY KEY (uuid, timestamp)", NULL),
            SQLITE_OK);
  CHECK(zErr == 0);
  CHECK_STR(zJson,
            "{\"TableName\":\"Tracks\",\"AttributeDefinitions\":["
            "{\"AttributeName\":\"uuid\",\"AttributeType\":\"S\"},"
            "{\"AttributeName\":\"timestamp\",\"AttributeType\":\"S\"}],"
            "\"KeySchema\":[{\"AttributeName\":\"uuid\",\"KeyType\":\"HASH\"},"
            "{\"AttributeName\":\"timestamp\",\"KeyType\":\"RANGE\"}],"
            "\"BillingMode\":\"PAY_PER_REQUEST\"}");

  /* partition key only, N and B types, names as declared */
  CHECK_INT(request("table=Ids", "create=1", "billing=on_demand", "Id INTEGER",
                    "PRIMARY KEY (ID)", NULL),
            SQLITE_OK);
  CHECK_STR(zJson,
            "{\"TableName\":\"Ids\",\"AttributeDefinitions\":["
            "{\"AttributeName\":\"Id\",\"AttributeType\":\"N\"}],"
            "\"KeySchema\":[{\"AttributeName\":\"Id\",\"KeyType\":\"HASH\"}],"
            "\"BillingMode\":\"PAY_PER_REQUEST\"}");
  CHECK_INT(request("table=Bin", "create=1", "k BLOB", "\"sort key\" n",
                    "PRIMARY KEY (k, \"sort key\")", NULL),
            SQLITE_OK);
  CHECK(has(zJson, "{\"AttributeName\":\"k\",\"AttributeType\":\"B\"},"
                   "{\"AttributeName\":\"sort key\",\"AttributeType\":\"N\"}]"));
  CHECK(has(zJson, "{\"AttributeName\":\"sort key\",\"KeyType\":\"RANGE\"}"));

  /* stream=: the table's stream, with its view */
  CHECK_INT(request("table=S", "create=1", "stream=new_image", "u TEXT", "PRIMARY KEY (u)", NULL),
            SQLITE_OK);
  CHECK_STR(zJson,
            "{\"TableName\":\"S\",\"AttributeDefinitions\":["
            "{\"AttributeName\":\"u\",\"AttributeType\":\"S\"}],"
            "\"KeySchema\":[{\"AttributeName\":\"u\",\"KeyType\":\"HASH\"}],"
            "\"BillingMode\":\"PAY_PER_REQUEST\","
            "\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"NEW_IMAGE\"}}");
}

static void test_provisioned_and_indexes(void) {
  CHECK_INT(request("table=Tracks", "create=1", "billing=provisioned", "read_units=5",
                    "write_units=7", "uuid TEXT", "timestamp TEXT", "model TEXT",
                    "latitude REAL", "speed", "global_index=ByModel(model, timestamp)",
                    "local_index=ByLatitude(latitude) INCLUDE (model, speed)",
                    "global_index=ByTime(timestamp) KEYS_ONLY", "PRIMARY KEY (uuid, timestamp)",
                    NULL),
            SQLITE_OK);
  CHECK(zErr == 0);
  CHECK_STR(zJson,
            "{\"TableName\":\"Tracks\",\"AttributeDefinitions\":["
            "{\"AttributeName\":\"uuid\",\"AttributeType\":\"S\"},"
            "{\"AttributeName\":\"timestamp\",\"AttributeType\":\"S\"},"
            "{\"AttributeName\":\"model\",\"AttributeType\":\"S\"},"
            "{\"AttributeName\":\"latitude\",\"AttributeType\":\"N\"}],"
            "\"KeySchema\":[{\"AttributeName\":\"uuid\",\"KeyType\":\"HASH\"},"
            "{\"AttributeName\":\"timestamp\",\"KeyType\":\"RANGE\"}],"
            "\"BillingMode\":\"PROVISIONED\","
            "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":7},"
            "\"GlobalSecondaryIndexes\":["
            "{\"IndexName\":\"ByModel\",\"KeySchema\":["
            "{\"AttributeName\":\"model\",\"KeyType\":\"HASH\"},"
            "{\"AttributeName\":\"timestamp\",\"KeyType\":\"RANGE\"}],"
            "\"Projection\":{\"ProjectionType\":\"ALL\"},"
            "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":7}},"
            "{\"IndexName\":\"ByTime\",\"KeySchema\":["
            "{\"AttributeName\":\"timestamp\",\"KeyType\":\"HASH\"}],"
            "\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"},"
            "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":7}}],"
            "\"LocalSecondaryIndexes\":["
            "{\"IndexName\":\"ByLatitude\",\"KeySchema\":["
            "{\"AttributeName\":\"uuid\",\"KeyType\":\"HASH\"},"
            "{\"AttributeName\":\"latitude\",\"KeyType\":\"RANGE\"}],"
            "\"Projection\":{\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[\"model\","
            "\"speed\"]}}]}");

  /* on demand: no throughput anywhere; large units stay exact */
  CHECK_INT(request("table=T", "create=1", "u TEXT", "m TEXT", "global_index=G(m)",
                    "PRIMARY KEY (u)", NULL),
            SQLITE_OK);
  CHECK(!has(zJson, "ProvisionedThroughput"));
  CHECK(has(zJson, "\"BillingMode\":\"PAY_PER_REQUEST\""));
  CHECK_INT(request("table=T", "create=1", "billing=provisioned", "read_units=1000000000000",
                    "write_units=40000", "u TEXT", "PRIMARY KEY (u)", NULL),
            SQLITE_OK);
  CHECK(has(zJson, "{\"ReadCapacityUnits\":1000000000000,\"WriteCapacityUnits\":40000}"));
}

static void test_key_type_errors(void) {
  CHECK_INT(request("table=T", "create=1", "uuid", "PRIMARY KEY (uuid)", NULL), SQLITE_ERROR);
  CHECK(req == 0);
  CHECK(has(zErr, "dynamo: PRIMARY KEY column uuid has no type"));
  CHECK(has(zErr, "TEXT, INTEGER, REAL or BLOB"));
  CHECK_INT(request("table=T", "create=1", "uuid TEXT", "flag BOOL",
                    "PRIMARY KEY (uuid, flag)", NULL),
            SQLITE_ERROR);
  CHECK(has(zErr, "dynamo: PRIMARY KEY column flag is declared BOOL, which cannot be a key"));
  CHECK_INT(request("table=T", "create=1", "uuid TEXT", "tags SS", "global_index=ByTag(tags)",
                    "PRIMARY KEY (uuid)", NULL),
            SQLITE_ERROR);
  CHECK(has(zErr, "dynamo: global index ByTag column tags is declared SS, which cannot be a key"));
  CHECK_INT(request("table=T", "create=1", "uuid TEXT", "ts TEXT", "x",
                    "local_index=ByX(x)", "PRIMARY KEY (uuid, ts)", NULL),
            SQLITE_ERROR);
  CHECK(has(zErr, "dynamo: local index ByX column x has no type"));
}

static const char *const zTracksTable =
    "{\"Table\":{\"TableName\":\"Tracks\",\"TableStatus\":\"ACTIVE\","
    "\"AttributeDefinitions\":[{\"AttributeName\":\"timestamp\",\"AttributeType\":\"S\"},"
    "{\"AttributeName\":\"uuid\",\"AttributeType\":\"S\"}],"
    "\"KeySchema\":[{\"AttributeName\":\"uuid\",\"KeyType\":\"HASH\"},"
    "{\"AttributeName\":\"timestamp\",\"KeyType\":\"RANGE\"}]}}";

/* create_check_keys of the request from the arguments against zDescribe. */
static int check(const char *zDescribe, const char *zPk, const char *zSk) {
  cJSON *d = cJSON_Parse(zDescribe);
  char *zPrimary = sqlite3_mprintf(zSk ? "PRIMARY KEY (%s, %s)" : "PRIMARY KEY (%s)", zPk, zSk);
  int rc = request("table=Tracks", "uuid TEXT", "timestamp TEXT", "ts TEXT", "n INTEGER",
                   zPrimary, NULL);
  if (rc == SQLITE_OK) rc = create_check_keys(req, d, "Tracks", &zErr);
  cJSON_Delete(d);
  sqlite3_free(zPrimary);
  return rc;
}

static void test_check_keys(void) {
  CHECK_INT(check(zTracksTable, "uuid", "timestamp"), SQLITE_OK);
  CHECK(zErr == 0);
  CHECK_INT(check(zTracksTable, "UUID", "Timestamp"), SQLITE_OK); /* as declared */
  CHECK_INT(check(zTracksTable, "uuid", "ts"), SQLITE_ERROR);
  CHECK_STR(zErr,
            "dynamo: key schema mismatch on Tracks: the table has (uuid S HASH, timestamp S "
            "RANGE), PRIMARY KEY declares (uuid S HASH, ts S RANGE)");
  CHECK_INT(check(zTracksTable, "uuid", "n"), SQLITE_ERROR);
  CHECK(has(zErr, "PRIMARY KEY declares (uuid S HASH, n N RANGE)"));
  CHECK_INT(check(zTracksTable, "uuid", 0), SQLITE_ERROR);
  CHECK(has(zErr, "the table has (uuid S HASH, timestamp S RANGE), PRIMARY KEY declares "
                  "(uuid S HASH)"));
  CHECK_INT(check(zTracksTable, "timestamp", "uuid"), SQLITE_ERROR);
  CHECK(has(zErr, "declares (timestamp S HASH, uuid S RANGE)"));
  /* same names, another type */
  CHECK_INT(check("{\"Table\":{\"AttributeDefinitions\":[{\"AttributeName\":\"uuid\","
                  "\"AttributeType\":\"N\"}],\"KeySchema\":[{\"AttributeName\":\"uuid\","
                  "\"KeyType\":\"HASH\"}]}}",
                  "uuid", 0),
            SQLITE_ERROR);
  CHECK_STR(zErr,
            "dynamo: key schema mismatch on Tracks: the table has (uuid N HASH), PRIMARY KEY "
            "declares (uuid S HASH)");
  /* a table without a sort key, declared with one */
  CHECK_INT(check("{\"Table\":{\"AttributeDefinitions\":[{\"AttributeName\":\"uuid\","
                  "\"AttributeType\":\"S\"}],\"KeySchema\":[{\"AttributeName\":\"uuid\","
                  "\"KeyType\":\"HASH\"}]}}",
                  "uuid", "timestamp"),
            SQLITE_ERROR);
  CHECK(has(zErr, "the table has (uuid S HASH), PRIMARY KEY declares (uuid S HASH, timestamp "
                  "S RANGE)"));
  /* a response without a key schema never matches */
  CHECK_INT(check("{\"Table\":{}}", "uuid", 0), SQLITE_ERROR);
  CHECK(has(zErr, "the table has (no key schema)"));
  CHECK_INT(check("{}", "uuid", 0), SQLITE_ERROR);
  CHECK_INT(check("{\"Table\":{\"KeySchema\":[{\"AttributeName\":\"uuid\",\"KeyType\":"
                  "\"HASH\"}]}}",
                  "uuid", 0),
            SQLITE_ERROR);
  CHECK(has(zErr, "the table has (uuid ? HASH)"));
}

static void test_key_text(void) {
  cJSON *j = cJSON_Parse(zTracksTable);
  char *z = create_key_text(cJSON_GetObjectItemCaseSensitive(j, "Table"));
  CHECK_STR(z, "uuid S HASH, timestamp S RANGE");
  sqlite3_free(z);
  z = create_key_text(j); /* the response itself has no KeySchema */
  CHECK_STR(z, "no key schema");
  sqlite3_free(z);
  z = create_key_text(0);
  CHECK_STR(z, "no key schema");
  sqlite3_free(z);
  cJSON_Delete(j);
}

static void test_wait(void) {
  CHECK_INT(create_wait_ms(0), 100);
  CHECK_INT(create_wait_ms(1), 200);
  CHECK_INT(create_wait_ms(2), 400);
  CHECK_INT(create_wait_ms(3), 800);
  CHECK_INT(create_wait_ms(4), 1000);
  CHECK_INT(create_wait_ms(5), 1000);
  CHECK_INT(create_wait_ms(1000000), 1000);
  {
    /* the default bound is reached in about 60 polls, never thousands */
    long total = 0;
    int n = 0;
    while (total < CREATE_WAIT_MS) total += create_wait_ms(n++);
    CHECK(n > 50 && n < 70);
  }

  CHECK_INT(create_wait_bound_ms(0), 60000);
  CHECK_INT(create_wait_bound_ms(""), 60000);
  CHECK_INT(create_wait_bound_ms("300"), 300);
  CHECK_INT(create_wait_bound_ms("86400000"), 86400000);
  CHECK_INT(create_wait_bound_ms("86400001"), 60000);
  CHECK_INT(create_wait_bound_ms("0"), 60000);
  CHECK_INT(create_wait_bound_ms("-5"), 60000);
  CHECK_INT(create_wait_bound_ms("5s"), 60000);
  CHECK_INT(create_wait_bound_ms("99999999999999999999999"), 60000);
}

int main(void) {
  RUN(test_key_types);
  RUN(test_workshop_request);
  RUN(test_provisioned_and_indexes);
  RUN(test_key_type_errors);
  RUN(test_check_keys);
  RUN(test_key_text);
  RUN(test_wait);
  args_free(&A);
  sqlite3_free(zErr);
  cJSON_Delete(req);
  cJSON_free(zJson);
  CHECK_DONE();
}
