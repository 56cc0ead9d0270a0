/*
** streams.c: DescribeStream and GetRecords answers, requests, sequence
** numbers, lineage; every allocation failing in turn.
*/
#include "streams.h"
#include "budget.h"
#include "check.h"

#include <stdlib.h>

static char *zErr;

static int has(const char *s, const char *part) {
  return s && strstr(s, part) != 0;
}

static int describe(const char *zJson, streams_desc *d) {
  cJSON *j = cJSON_Parse(zJson);
  int rc;
  sqlite3_free(zErr);
  zErr = 0;
  rc = streams_describe_parse(j, d, &zErr);
  cJSON_Delete(j);
  return rc;
}

/* The answer's tree stays alive with the records: *pj is the caller's. */
static int records(const char *zJson, cJSON **pj, streams_records *r) {
  sqlite3_free(zErr);
  zErr = 0;
  *pj = cJSON_Parse(zJson);
  return streams_records_parse(*pj, r, &zErr);
}

static const char *zDesc =
    "{\"StreamDescription\":{\"StreamArn\":\"arn:s\",\"StreamStatus\":\"ENABLED\","
    "\"StreamViewType\":\"NEW_AND_OLD_IMAGES\",\"Shards\":["
    "{\"ShardId\":\"shardId-1\",\"SequenceNumberRange\":{\"StartingSequenceNumber\":\"100\","
    "\"EndingSequenceNumber\":\"000000000000000000199\"}},"
    "{\"ShardId\":\"shardId-2\",\"ParentShardId\":\"shardId-1\","
    "\"SequenceNumberRange\":{\"StartingSequenceNumber\":\"200\"}},"
    "{\"ShardId\":\"shardId-3\",\"ParentShardId\":\"shardId-1\"}],"
    "\"LastEvaluatedShardId\":\"shardId-3\"}}";

static void test_describe(void) {
  streams_desc d, all;
  cJSON *req;
  char *z;
  CHECK_INT(describe(zDesc, &d), SQLITE_OK);
  CHECK_STR(d.zStatus, "ENABLED");
  CHECK_STR(d.zView, "NEW_AND_OLD_IMAGES");
  CHECK_STR(d.zNextShard, "shardId-3");
  CHECK_INT(d.nShard, 3);
  if (d.nShard == 3) {
    CHECK_STR(d.aShard[0].zId, "shardId-1");
    CHECK(d.aShard[0].zParent == 0);
    CHECK_STR(d.aShard[0].zStart, "100");
    CHECK_STR(d.aShard[0].zEnd, "000000000000000000199");
    CHECK_STR(d.aShard[1].zParent, "shardId-1");
    CHECK(d.aShard[1].zEnd == 0); /* open */
    CHECK(d.aShard[2].zStart == 0);
  }
  /* pages gathered: a shard twice is kept once, the last page's marker */
  memset(&all, 0, sizeof(all));
  CHECK_INT(streams_desc_add(&all, &d), SQLITE_OK);
  CHECK_INT(describe("{\"StreamDescription\":{\"StreamStatus\":\"DISABLED\",\"Shards\":["
                     "{\"ShardId\":\"shardId-3\"},{\"ShardId\":\"shardId-4\"}]}}",
                     &d),
            SQLITE_OK);
  CHECK_INT(streams_desc_add(&all, &d), SQLITE_OK);
  CHECK_INT(all.nShard, 4);
  CHECK_STR(all.zStatus, "ENABLED");
  CHECK(all.zNextShard == 0);
  CHECK(d.nShard == 0 && d.aShard == 0);
  streams_desc_clear(&all);

  req = streams_describe_request("arn:s", "shardId-3");
  z = cJSON_PrintUnformatted(req);
  CHECK_STR(z, "{\"StreamArn\":\"arn:s\",\"ExclusiveStartShardId\":\"shardId-3\"}");
  cJSON_free(z);
  cJSON_Delete(req);
  CHECK(streams_view_has_new_images("NEW_IMAGE"));
  CHECK(streams_view_has_new_images("NEW_AND_OLD_IMAGES"));
  CHECK(!streams_view_has_new_images("KEYS_ONLY"));
  CHECK(!streams_view_has_new_images("OLD_IMAGE"));
  CHECK(!streams_view_has_new_images(0));
}

static void test_describe_errors(void) {
  static const struct {
    const char *zJson, *zErr;
  } aCase[] = {
      {"{}", "no StreamDescription"},
      {"{\"StreamDescription\":[]}", "no StreamDescription"},
      {"{\"StreamDescription\":{\"Shards\":{}}}", "Shards is not a list"},
      {"{\"StreamDescription\":{\"Shards\":[{\"ShardId\":\"\"}]}}", "without a ShardId"},
      {"{\"StreamDescription\":{\"Shards\":[{\"ShardId\":\"s\",\"SequenceNumberRange\":"
       "{\"StartingSequenceNumber\":\"12a\"}}]}}",
       "shard s: a sequence number that is not one"},
  };
  unsigned i;
  for (i = 0; i < sizeof(aCase) / sizeof(aCase[0]); i++) {
    streams_desc d;
    CHECK_INT(describe(aCase[i].zJson, &d), SQLITE_ERROR);
    CHECK(has(zErr, aCase[i].zErr));
    CHECK(d.nShard == 0 && d.aShard == 0 && d.zStatus == 0);
  }
  {
    streams_desc d; /* a parent that is itself, or empty: none */
    CHECK_INT(describe("{\"StreamDescription\":{\"Shards\":[{\"ShardId\":\"s\","
                       "\"ParentShardId\":\"s\"},{\"ShardId\":\"t\",\"ParentShardId\":\"\"}]}}",
                       &d),
              SQLITE_OK);
    CHECK(d.nShard == 2 && d.aShard[0].zParent == 0 && d.aShard[1].zParent == 0);
    CHECK_STR(d.zStatus, "");
    streams_desc_clear(&d);
  }
}

static const char *zRecords =
    "{\"Records\":["
    "{\"eventName\":\"INSERT\",\"dynamodb\":{\"ApproximateCreationDateTime\":1.7e9,"
    "\"Keys\":{\"k\":{\"S\":\"a\"}},\"NewImage\":{\"k\":{\"S\":\"a\"},\"n\":{\"N\":"
    "\"12345678901234567890123456789012345678\"}},\"SequenceNumber\":\"000000000000000000001\"}},"
    "{\"eventName\":\"MODIFY\",\"dynamodb\":{\"Keys\":{\"k\":{\"S\":\"a\"}},"
    "\"NewImage\":{\"n\":{\"N\":\"2\"},\"k\":{\"S\":\"a\"}},\"OldImage\":{\"k\":{\"S\":\"a\"}},"
    "\"SequenceNumber\":\"9\"}},"
    "{\"eventName\":\"REMOVE\",\"dynamodb\":{\"Keys\":{\"k\":{\"S\":\"a\"}},"
    "\"SequenceNumber\":\"10\"},\"userIdentity\":{\"type\":\"Service\","
    "\"principalId\":\"dynamodb.amazonaws.com\"}},"
    "{\"eventName\":\"REMOVE\",\"dynamodb\":{\"Keys\":{\"k\":{\"S\":\"b\"}},"
    "\"OldImage\":{\"k\":{\"S\":\"b\"}},\"SequenceNumber\":\"11\"}}],"
    "\"NextShardIterator\":\"it-2\"}";

static void test_records(void) {
  streams_records r;
  cJSON *j;
  CHECK_INT(records(zRecords, &j, &r), SQLITE_OK);
  CHECK_INT(r.n, 4);
  CHECK_STR(r.zNext, "it-2");
  if (r.n == 4) {
    CHECK_INT(r.a[0].op, STREAMS_INSERT);
    CHECK_STR(r.a[0].zSeq, "000000000000000000001");
    CHECK(r.a[0].created == 1.7e9);
    CHECK(r.a[0].image && cJSON_GetObjectItemCaseSensitive(r.a[0].image, "n"));
    CHECK_INT(r.a[1].op, STREAMS_MODIFY);
    CHECK(r.a[1].created == 0);
    CHECK_INT(r.a[2].op, STREAMS_REMOVE);
    CHECK(r.a[2].image == 0);
    CHECK_INT(r.a[2].expired, 1); /* Time to Live */
    CHECK_INT(r.a[3].expired, 0);
    CHECK(cJSON_IsObject(r.a[3].keys));
  }
  streams_records_clear(&r);
  cJSON_Delete(j);

  /* the end of a closed shard: no NextShardIterator (absent or null) */
  CHECK_INT(records("{\"Records\":[],\"NextShardIterator\":null}", &j, &r), SQLITE_OK);
  CHECK(r.n == 0 && r.zNext == 0);
  cJSON_Delete(j);
  CHECK_INT(records("{\"Records\":[]}", &j, &r), SQLITE_OK);
  CHECK(r.zNext == 0);
  cJSON_Delete(j);
}

/* DynamoDB Local's empty map, {} in a record's image, read as {"M": {}} */
static void test_empty_maps(void) {
  streams_records r;
  cJSON *j;
  char *z;
  CHECK_INT(records("{\"Records\":[{\"eventName\":\"INSERT\",\"dynamodb\":{"
                    "\"SequenceNumber\":\"1\",\"Keys\":{\"k\":{\"S\":\"a\"}},"
                    "\"NewImage\":{\"k\":{\"S\":\"a\"},\"m\":{},\"n\":{\"M\":{\"a\":{}}},"
                    "\"l\":{\"L\":[{},{\"L\":[{}]},{\"M\":{}}]}}}}]}",
                    &j, &r),
            SQLITE_OK);
  z = r.n == 1 ? cJSON_PrintUnformatted(r.a[0].image) : 0;
  CHECK_STR(z, "{\"k\":{\"S\":\"a\"},\"m\":{\"M\":{}},\"n\":{\"M\":{\"a\":{\"M\":{}}}},"
               "\"l\":{\"L\":[{\"M\":{}},{\"L\":[{\"M\":{}}]},{\"M\":{}}]}}");
  cJSON_free(z);
  streams_records_clear(&r);
  cJSON_Delete(j);
}

static void test_record_errors(void) {
  static const struct {
    const char *zJson, *zErr;
  } aCase[] = {
      {"{}", "no Records"},
      {"{\"Records\":[],\"NextShardIterator\":5}", "NextShardIterator is not an iterator"},
      {"{\"Records\":[],\"NextShardIterator\":\"\"}", "NextShardIterator is not an iterator"},
      {"{\"Records\":[1]}", "without its dynamodb"},
      {"{\"Records\":[{\"eventName\":\"INSERT\",\"dynamodb\":{\"SequenceNumber\":\"x\"}}]}",
       "without a valid SequenceNumber"},
      {"{\"Records\":[{\"eventName\":\"UPSERT\",\"dynamodb\":{\"SequenceNumber\":\"1\"}}]}",
       "record 1: eventName is UPSERT"},
      {"{\"Records\":[{\"eventName\":\"REMOVE\",\"dynamodb\":{\"SequenceNumber\":\"1\"}}]}",
       "record 1: no Keys"},
      {"{\"Records\":[{\"eventName\":\"REMOVE\",\"dynamodb\":{\"SequenceNumber\":\"1\","
       "\"Keys\":{\"k\":{\"N\":\"1e\"}}}}]}",
       "record 1: Keys: attribute k: number \"1e\""},
      {"{\"Records\":[{\"eventName\":\"INSERT\",\"dynamodb\":{\"SequenceNumber\":\"1\","
       "\"StreamViewType\":\"KEYS_ONLY\",\"Keys\":{\"k\":{\"S\":\"a\"}}}}]}",
       "INSERT without a NewImage (the stream's view is KEYS_ONLY)"},
      {"{\"Records\":[{\"eventName\":\"MODIFY\",\"dynamodb\":{\"SequenceNumber\":\"1\","
       "\"Keys\":{\"k\":{\"S\":\"a\"}},\"NewImage\":{\"k\":{\"S\":\"b\"}}}}]}",
       "record 1: its NewImage does not hold its key k"},
      {"{\"Records\":[{\"eventName\":\"MODIFY\",\"dynamodb\":{\"SequenceNumber\":\"1\","
       "\"Keys\":{\"k\":{\"S\":\"a\"}},\"NewImage\":{\"k\":{\"S\":\"a\"},\"k\":{\"S\":\"a\"}}}}]}",
       "record 1: NewImage: item JSON repeats an attribute name"},
      {"{\"Records\":[{\"eventName\":\"REMOVE\",\"dynamodb\":{\"SequenceNumber\":\"2\","
       "\"Keys\":{\"k\":{\"S\":\"a\"}}}},{\"eventName\":\"REMOVE\",\"dynamodb\":"
       "{\"SequenceNumber\":\"0002\",\"Keys\":{\"k\":{\"S\":\"a\"}}}}]}",
       "record 0002 after record 2: the records are out of order"},
  };
  unsigned i;
  for (i = 0; i < sizeof(aCase) / sizeof(aCase[0]); i++) {
    streams_records r;
    cJSON *j;
    CHECK_INT(records(aCase[i].zJson, &j, &r), SQLITE_ERROR);
    if (!has(zErr, aCase[i].zErr)) fprintf(stderr, "  case %u: %s\n", i, zErr ? zErr : "-");
    CHECK(has(zErr, aCase[i].zErr));
    CHECK(r.n == 0 && r.a == 0);
    cJSON_Delete(j);
  }
}

static void test_requests(void) {
  cJSON *req = streams_iterator_request("arn:s", "shardId-1", "AFTER_SEQUENCE_NUMBER", "42");
  char *z = cJSON_PrintUnformatted(req);
  CHECK_STR(z, "{\"StreamArn\":\"arn:s\",\"ShardId\":\"shardId-1\","
               "\"ShardIteratorType\":\"AFTER_SEQUENCE_NUMBER\",\"SequenceNumber\":\"42\"}");
  cJSON_free(z);
  cJSON_Delete(req);
  req = streams_records_request("it-1");
  z = cJSON_PrintUnformatted(req);
  CHECK_STR(z, "{\"ShardIterator\":\"it-1\",\"Limit\":1000}");
  cJSON_free(z);
  cJSON_Delete(req);
  req = cJSON_Parse("{\"ShardIterator\":\"it-9\"}");
  CHECK_STR(streams_iterator_of(req), "it-9");
  cJSON_Delete(req);
  req = cJSON_Parse("{\"ShardIterator\":\"\"}");
  CHECK(streams_iterator_of(req) == 0);
  cJSON_Delete(req);
}

static void test_sequence_numbers(void) {
  CHECK(streams_seq_cmp("9", "10") < 0);
  CHECK(streams_seq_cmp("000000000000000000010", "10") == 0);
  CHECK(streams_seq_cmp("49671000000000000000000000000000000000001",
                        "49671000000000000000000000000000000000000") > 0);
  CHECK(streams_seq_cmp("0", "000") == 0);
  CHECK(streams_seq_cmp("0", "1") < 0);
  CHECK(streams_seq_valid("000000000000000000001"));
  CHECK(!streams_seq_valid(""));
  CHECK(!streams_seq_valid("-1"));
  CHECK(!streams_seq_valid("1 "));
  CHECK(!streams_seq_valid(0));
  CHECK(!streams_seq_valid("12345678901234567890123456789012345678901234567890123456789012345"));
}

static void test_lineage(void) {
  /* a splits into b and c; c splits into d; e's parent is long gone */
  const char *azId[] = {"d", "c", "b", "a", "e"};
  const char *azParent[] = {"c", "a", "a", 0, "zz"};
  int aFin[] = {0, 0, 0, 0, 0};
  CHECK(!streams_ready(azId, azParent, aFin, 5, 0));
  CHECK(!streams_ready(azId, azParent, aFin, 5, 1));
  CHECK(!streams_ready(azId, azParent, aFin, 5, 2));
  CHECK(streams_ready(azId, azParent, aFin, 5, 3));
  CHECK(streams_ready(azId, azParent, aFin, 5, 4));
  aFin[3] = 1; /* a read to its end */
  CHECK(!streams_ready(azId, azParent, aFin, 5, 3));
  CHECK(streams_ready(azId, azParent, aFin, 5, 1));
  CHECK(streams_ready(azId, azParent, aFin, 5, 2));
  CHECK(!streams_ready(azId, azParent, aFin, 5, 0));
  aFin[1] = 1;
  CHECK(streams_ready(azId, azParent, aFin, 5, 0));
  {
    /* a cycle (a crafted answer) is never ready: sync.c reports it */
    const char *azCycleId[] = {"x", "y"};
    const char *azCycleParent[] = {"y", "x"};
    int aNone[] = {0, 0};
    CHECK(!streams_ready(azCycleId, azCycleParent, aNone, 2, 0));
    CHECK(!streams_ready(azCycleId, azCycleParent, aNone, 2, 1));
    CHECK(streams_in_cycle(azCycleId, azCycleParent, 2, 0));
    CHECK(streams_in_cycle(azCycleId, azCycleParent, 2, 1));
  }
  {
    /* z hangs from a cycle of x and y, without being in it; w is its own */
    const char *azId2[] = {"x", "y", "z", "w"};
    const char *azParent2[] = {"y", "x", "x", "w"};
    CHECK(!streams_in_cycle(azId2, azParent2, 4, 2));
    CHECK(streams_in_cycle(azId2, azParent2, 4, 0));
    CHECK(streams_in_cycle(azId2, azParent2, 4, 3));
  }
  CHECK(!streams_in_cycle(azId, azParent, 5, 0));
  CHECK(!streams_in_cycle(azId, azParent, 5, 4));
}

/* Every allocation failing in turn: SQLITE_NOMEM, nothing leaked (ASan). */
static void test_out_of_memory(void) {
  int budget, done = 0;
  for (budget = 0; budget < 200 && !done; budget++) {
    streams_desc d;
    streams_records r;
    cJSON *j = cJSON_Parse(zRecords), *k = cJSON_Parse(zDesc);
    char *zE = 0;
    int rc1, rc2;
    alloc_budget = budget;
    rc1 = streams_describe_parse(k, &d, &zE);
    if (rc1 == SQLITE_OK) streams_desc_clear(&d);
    rc2 = streams_records_parse(j, &r, &zE);
    if (rc2 == SQLITE_OK) streams_records_clear(&r);
    alloc_budget = -1;
    CHECK(rc1 == SQLITE_OK || rc1 == SQLITE_NOMEM);
    CHECK(rc2 == SQLITE_OK || rc2 == SQLITE_NOMEM);
    done = rc1 == SQLITE_OK && rc2 == SQLITE_OK;
    sqlite3_free(zE);
    cJSON_Delete(j);
    cJSON_Delete(k);
  }
  CHECK(done);
}

int main(void) {
  budget_install();
  RUN(test_describe);
  RUN(test_describe_errors);
  RUN(test_records);
  RUN(test_empty_maps);
  RUN(test_record_errors);
  RUN(test_requests);
  RUN(test_sequence_numbers);
  RUN(test_lineage);
  RUN(test_out_of_memory);
  sqlite3_free(zErr);
  CHECK_DONE();
}
