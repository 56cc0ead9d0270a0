/* Unit tests of endpoint.c: partitions, ARNs, the rule set's branches.
**
** `test_endpoint --oracle` reads one set of parameters a line on stdin
** (tab-separated: region, fips, dualstack, account, mode, resource ARN,
** endpoint; '-' for none) and prints the URL, or "error: MESSAGE", so
** that tests/e2e/test_176_endpoints.py compares every answer with
** botocore's EndpointProvider over the same rule set. `test_endpoint
** --oracle-streams` does the same for DynamoDB Streams' rule set (region,
** fips, dualstack, endpoint). */
#include "endpoint.h"
#include "check.h"

#include <stdlib.h>

static char *zUrl, *zErr;

static int resolve(const char *zRegion, int fips, int dual, const char *zAccount,
                   endpoint_account_mode mode, const char *zArn, const char *zEndpoint) {
  endpoint_params p;
  int rc;
  sqlite3_free(zUrl);
  sqlite3_free(zErr);
  zUrl = zErr = 0;
  memset(&p, 0, sizeof(p));
  p.region = zRegion;
  p.use_fips = fips;
  p.use_dualstack = dual;
  p.account_id = zAccount;
  p.account_mode = mode;
  p.resource_arn = zArn;
  p.endpoint = zEndpoint;
  rc = endpoint_resolve(&p, &zUrl, &zErr);
  assert((rc == SQLITE_OK) == (zUrl != 0));
  return rc;
}

#define PREF ENDPOINT_ACCOUNT_PREFERRED
#define REQ ENDPOINT_ACCOUNT_REQUIRED
#define DIS ENDPOINT_ACCOUNT_DISABLED

static void test_partitions(void) {
  CHECK_STR(endpoint_partition_of("us-east-1")->name, "aws");
  CHECK_STR(endpoint_partition_of("eu-west-3")->dns_suffix, "amazonaws.com");
  CHECK_STR(endpoint_partition_of("cn-north-1")->name, "aws-cn");
  CHECK_STR(endpoint_partition_of("cn-north-1")->dns_suffix, "amazonaws.com.cn");
  CHECK_STR(endpoint_partition_of("us-gov-west-1")->name, "aws-us-gov");
  CHECK_STR(endpoint_partition_of("us-iso-east-1")->name, "aws-iso");
  CHECK_STR(endpoint_partition_of("us-isob-east-1")->name, "aws-iso-b");
  CHECK_STR(endpoint_partition_of("eu-isoe-west-1")->name, "aws-iso-e");
  CHECK_STR(endpoint_partition_of("us-isof-south-1")->name, "aws-iso-f");
  CHECK_STR(endpoint_partition_of("eusc-de-east-1")->name, "aws-eusc");
  CHECK_STR(endpoint_partition_of("aws-global")->name, "aws");
  CHECK_STR(endpoint_partition_of("aws-us-gov-global")->name, "aws-us-gov");
  /* no match: aws, as botocore */
  CHECK_STR(endpoint_partition_of("local")->name, "aws");
  CHECK_STR(endpoint_partition_of("mars-north-1")->name, "aws");
  CHECK_STR(endpoint_partition_of("us-east-x")->name, "aws");
  CHECK_STR(endpoint_partition_of("cn-north-1x")->name, "aws");
  CHECK_STR(endpoint_partition_of(0)->name, "aws");
}

static void test_arns(void) {
  endpoint_arn a;
  CHECK_INT(endpoint_parse_arn("arn:aws:dynamodb:us-east-1:123456789012:table/T", &a), SQLITE_OK);
  CHECK_STR(a.partition, "aws");
  CHECK_STR(a.service, "dynamodb");
  CHECK_STR(a.region, "us-east-1");
  CHECK_STR(a.account, "123456789012");
  CHECK_STR(a.resource, "table/T");
  sqlite3_free(a.zCopy);
  /* the resource keeps its colons */
  CHECK_INT(endpoint_parse_arn("arn:aws:s3:::bucket:a:b", &a), SQLITE_OK);
  CHECK_STR(a.resource, "bucket:a:b");
  CHECK_STR(a.region, "");
  sqlite3_free(a.zCopy);
  CHECK_INT(endpoint_parse_arn("arn:aws:dynamodb:us-east-1:1", &a), SQLITE_ERROR);
  CHECK_INT(endpoint_parse_arn("arn::dynamodb:r:a:t", &a), SQLITE_ERROR);
  CHECK_INT(endpoint_parse_arn("arn:aws::r:a:t", &a), SQLITE_ERROR);
  CHECK_INT(endpoint_parse_arn("arn:aws:dynamodb:r:a:", &a), SQLITE_ERROR);
  CHECK_INT(endpoint_parse_arn("Tracks", &a), SQLITE_ERROR);
  CHECK_INT(endpoint_parse_arn(0, &a), SQLITE_ERROR);
  CHECK(a.zCopy == 0);

  CHECK_INT(endpoint_table_arn("arn:aws:dynamodb:us-east-1:123456789012:table/T", &a), SQLITE_OK);
  sqlite3_free(a.zCopy);
  CHECK_INT(endpoint_table_arn("arn:aws:dynamodb:us-east-1:123456789012:table/T/index/I", &a),
            SQLITE_ERROR);
  CHECK_INT(endpoint_table_arn("arn:aws:dynamodb::123456789012:table/T", &a), SQLITE_ERROR);
  CHECK_INT(endpoint_table_arn("arn:aws:dynamodb:us-east-1::table/T", &a), SQLITE_ERROR);
  CHECK_INT(endpoint_table_arn("arn:aws:s3:us-east-1:1:table/T", &a), SQLITE_ERROR);
  CHECK_INT(endpoint_table_arn("arn:aws:dynamodb:us-east-1:1:table/", &a), SQLITE_ERROR);
  CHECK(a.zCopy == 0);

  CHECK(endpoint_host_label("123456789012"));
  CHECK(endpoint_host_label("a-b"));
  CHECK(!endpoint_host_label("-ab"));
  CHECK(!endpoint_host_label("ab-"));
  CHECK(!endpoint_host_label("a.b"));
  CHECK(!endpoint_host_label(""));
  CHECK(!endpoint_host_label("a_b"));
  CHECK(!endpoint_host_label("0123456789012345678901234567890123456789012345678901234567890123"));
}

static void test_rules(void) {
  const char *zArn = "arn:aws:dynamodb:us-east-1:222233334444:table/T";
  CHECK_INT(resolve("us-east-1", 0, 0, 0, PREF, 0, 0), SQLITE_OK);
  CHECK_STR(zUrl, "https://dynamodb.us-east-1.amazonaws.com");
  resolve("us-east-1", 0, 0, "111122223333", PREF, 0, 0);
  CHECK_STR(zUrl, "https://111122223333.ddb.us-east-1.amazonaws.com");
  resolve("us-east-1", 0, 0, "111122223333", DIS, 0, 0);
  CHECK_STR(zUrl, "https://dynamodb.us-east-1.amazonaws.com");
  resolve("us-east-1", 0, 0, "111122223333", 0, 0, 0); /* mode not set: no account */
  CHECK_STR(zUrl, "https://dynamodb.us-east-1.amazonaws.com");
  /* the table's ARN wins over the credentials' account, in its region */
  resolve("us-east-1", 0, 0, "111122223333", PREF, zArn, 0);
  CHECK_STR(zUrl, "https://222233334444.ddb.us-east-1.amazonaws.com");
  resolve("us-west-2", 0, 0, "111122223333", PREF, zArn, 0);
  CHECK_STR(zUrl, "https://111122223333.ddb.us-west-2.amazonaws.com");
  resolve("us-east-1", 0, 1, 0, PREF, zArn, 0);
  CHECK_STR(zUrl, "https://222233334444.ddb.us-east-1.api.aws");
  resolve("us-east-1", 1, 0, "111122223333", PREF, zArn, 0);
  CHECK_STR(zUrl, "https://dynamodb-fips.us-east-1.amazonaws.com");
  /* required */
  CHECK_INT(resolve("us-east-1", 0, 0, 0, REQ, 0, 0), SQLITE_ERROR);
  CHECK_STR(zErr, "AccountIdEndpointMode is required but no AccountID was provided or able to be "
                  "loaded");
  CHECK_INT(resolve("cn-north-1", 0, 0, "111122223333", REQ, 0, 0), SQLITE_ERROR);
  CHECK_STR(zErr, "Invalid Configuration: AccountIdEndpointMode is required but account endpoints "
                  "are not supported in this partition");
  CHECK_INT(resolve("us-east-1", 1, 0, "111122223333", REQ, 0, 0), SQLITE_ERROR);
  CHECK(strstr(zErr, "FIPS account endpoints are not supported") != 0);
  CHECK_INT(resolve("us-east-1", 0, 0, "1111.2222", PREF, 0, 0), SQLITE_ERROR);
  CHECK_STR(zErr, "Credentials-sourced account ID parameter is invalid");
  /* the same with a table ARN of another region, which the rules pass over
  ** (its copy is freed on the way out: valgrind found it lost) */
  CHECK_INT(resolve("us-east-1", 0, 0, "1111.2222", PREF,
                    "arn:aws:dynamodb:eu-west-3:222233334444:table/T", 0),
            SQLITE_ERROR);
  CHECK_STR(zErr, "Credentials-sourced account ID parameter is invalid");
  /* other partitions: no account endpoints */
  resolve("cn-north-1", 0, 0, "111122223333", PREF, 0, 0);
  CHECK_STR(zUrl, "https://dynamodb.cn-north-1.amazonaws.com.cn");
  resolve("cn-north-1", 0, 1, 0, PREF, 0, 0);
  CHECK_STR(zUrl, "https://dynamodb.cn-north-1.api.amazonwebservices.com.cn");
  resolve("us-gov-west-1", 1, 0, 0, PREF, 0, 0);
  CHECK_STR(zUrl, "https://dynamodb.us-gov-west-1.amazonaws.com");
  resolve("us-gov-west-1", 1, 1, 0, PREF, 0, 0);
  CHECK_STR(zUrl, "https://dynamodb-fips.us-gov-west-1.api.aws");
  resolve("us-iso-east-1", 0, 0, 0, PREF, 0, 0);
  CHECK_STR(zUrl, "https://dynamodb.us-iso-east-1.c2s.ic.gov");
  /* local */
  resolve("local", 0, 0, "111122223333", PREF, 0, 0);
  CHECK_STR(zUrl, "http://localhost:8000");
  CHECK_INT(resolve("local", 1, 0, 0, PREF, 0, 0), SQLITE_ERROR);
  /* a configured endpoint */
  resolve("us-east-1", 0, 0, "111122223333", REQ, zArn, "http://127.0.0.1:8000");
  CHECK_STR(zUrl, "http://127.0.0.1:8000");
  CHECK_INT(resolve("us-east-1", 1, 0, 0, PREF, 0, "http://127.0.0.1:8000"), SQLITE_ERROR);
  CHECK_STR(zErr, "Invalid Configuration: FIPS and custom endpoint are not supported");
  CHECK_INT(resolve("us-east-1", 0, 0, 0, PREF, 0, "https://dynamodb.us-east-1.api.aws"),
            SQLITE_ERROR);
  CHECK(strncmp(zErr, "Endpoint override is not supported for dual-stack", 49) == 0);
  resolve(0, 0, 0, 0, PREF, 0, "https://dynamodb.us-east-1.api.aws");
  CHECK_STR(zUrl, "https://dynamodb.us-east-1.api.aws");
  CHECK_INT(resolve(0, 0, 0, 0, PREF, 0, 0), SQLITE_ERROR);
  CHECK_STR(zErr, "Invalid Configuration: Missing Region");
}

static void test_modes(void) {
  endpoint_account_mode m = 0;
  CHECK_INT(endpoint_account_mode_parse("preferred", &m), SQLITE_OK);
  CHECK_INT(m, PREF);
  CHECK_INT(endpoint_account_mode_parse("REQUIRED", &m), SQLITE_OK);
  CHECK_INT(m, REQ);
  CHECK_INT(endpoint_account_mode_parse("Disabled", &m), SQLITE_OK);
  CHECK_INT(m, DIS);
  CHECK_INT(endpoint_account_mode_parse("sometimes", &m), SQLITE_ERROR);
  CHECK_INT(endpoint_account_mode_parse(0, &m), SQLITE_ERROR);
  CHECK_STR(endpoint_account_mode_name(REQ), "required");
}

static int resolve_streams(const char *zRegion, int fips, int dual, const char *zEndpoint) {
  endpoint_params p;
  int rc;
  sqlite3_free(zUrl);
  sqlite3_free(zErr);
  zUrl = zErr = 0;
  memset(&p, 0, sizeof(p));
  p.region = zRegion;
  p.use_fips = fips;
  p.use_dualstack = dual;
  p.endpoint = zEndpoint;
  rc = endpoint_resolve_streams(&p, &zUrl, &zErr);
  assert((rc == SQLITE_OK) == (zUrl != 0));
  return rc;
}

static void test_streams(void) {
  resolve_streams("us-east-1", 0, 0, 0);
  CHECK_STR(zUrl, "https://streams.dynamodb.us-east-1.amazonaws.com");
  resolve_streams("us-east-1", 1, 0, 0);
  CHECK_STR(zUrl, "https://streams.dynamodb-fips.us-east-1.amazonaws.com");
  resolve_streams("us-east-1", 0, 1, 0);
  CHECK_STR(zUrl, "https://streams-dynamodb.us-east-1.api.aws");
  resolve_streams("cn-north-1", 1, 1, 0);
  CHECK_STR(zUrl, "https://streams-dynamodb-fips.cn-north-1.api.amazonwebservices.com.cn");
  resolve_streams("us-gov-west-1", 1, 0, 0); /* GovCloud's regional endpoint is FIPS */
  CHECK_STR(zUrl, "https://streams.dynamodb.us-gov-west-1.amazonaws.com");
  resolve_streams("us-iso-east-1", 0, 1, 0);
  CHECK_STR(zUrl, "https://streams.dynamodb.us-iso-east-1.api.aws.ic.gov");
  resolve_streams("local", 0, 0, 0); /* no local region in this rule set */
  CHECK_STR(zUrl, "https://streams.dynamodb.local.amazonaws.com");
  resolve_streams("us-east-1", 0, 0, "http://127.0.0.1:8000");
  CHECK_STR(zUrl, "http://127.0.0.1:8000");
  CHECK_INT(resolve_streams("us-east-1", 0, 1, "http://127.0.0.1:8000"), SQLITE_ERROR);
  CHECK_STR(zErr, "Invalid Configuration: Dualstack and custom endpoint are not supported");
  CHECK_INT(resolve_streams(0, 0, 0, 0), SQLITE_ERROR);
  CHECK_STR(zErr, "Invalid Configuration: Missing Region");
}

/* Lines of region, fips, dualstack, endpoint ('-': none): the URL or the
** error, as botocore_sdk.py streams-endpoint prints them. */
static int oracle_streams(void) {
  char line[2048];
  while (fgets(line, sizeof(line), stdin)) {
    char *az[4], *p = line;
    int i;
    line[strcspn(line, "\n")] = 0;
    for (i = 0; i < 4; i++) {
      az[i] = p;
      p += strcspn(p, "\t");
      if (*p) *p++ = 0;
      if (strcmp(az[i], "-") == 0) az[i] = 0;
    }
    if (resolve_streams(az[0], az[1] && atoi(az[1]), az[2] && atoi(az[2]), az[3]) == SQLITE_OK) {
      printf("%s\n", zUrl);
    } else {
      printf("error: %s\n", zErr ? zErr : "(no memory)");
    }
    fflush(stdout);
  }
  return 0;
}

static int oracle(void) {
  char line[2048];
  while (fgets(line, sizeof(line), stdin)) {
    char *az[7], *p = line;
    endpoint_account_mode m = 0;
    int i;
    line[strcspn(line, "\n")] = 0;
    for (i = 0; i < 7; i++) {
      az[i] = p;
      p += strcspn(p, "\t");
      if (*p) *p++ = 0;
      if (strcmp(az[i], "-") == 0) az[i] = 0;
    }
    if (az[4]) endpoint_account_mode_parse(az[4], &m);
    if (resolve(az[0], az[1] && atoi(az[1]), az[2] && atoi(az[2]), az[3], m, az[5], az[6]) ==
        SQLITE_OK) {
      printf("%s\n", zUrl);
    } else {
      printf("error: %s\n", zErr ? zErr : "(no memory)");
    }
    fflush(stdout);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--oracle") == 0) return oracle();
  if (argc > 1 && strcmp(argv[1], "--oracle-streams") == 0) return oracle_streams();
  RUN(test_partitions);
  RUN(test_arns);
  RUN(test_rules);
  RUN(test_modes);
  RUN(test_streams);
  sqlite3_free(zUrl);
  sqlite3_free(zErr);
  CHECK_DONE();
}
