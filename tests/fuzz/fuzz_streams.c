/*
** libFuzzer target for DynamoDB Streams' answers, read as dynamo_sync
** (ext/sync.c) reads them: the bytes as the body of a GetRecords answer and
** of a DescribeStream answer (ext/streams.c), parsed whole as ddb.c parses
** a 200 (cJSON_ParseWithLengthOpts, nothing after the object).
**
** Properties (abort on any violation):
**   - GetRecords (an image's {} read as DynamoDB Local's empty map, {"M": {}},
**     in the tree): an answer is taken or refused whole: on SQLITE_ERROR a
**     message and no records; on SQLITE_OK every record has an event, a
**     valid sequence number (strictly increasing through the answer), Keys
**     that are an object, a NewImage exactly when it is not a REMOVE, and
**     that image holds the record's keys (av_equal); only a REMOVE is a TTL
**     expiry. Then what sync.c does with a record: the _key text of its Keys
**     (av_key_text, with the first one or two key names: SQLITE_OK), every
**     image attribute as each column affinity reads it (av_to_value_as:
**     SQLITE_OK, a validated image is readable), and the item column's
**     text (cJSON_PrintUnformatted), which parses back to an equal item;
**   - DescribeStream: on SQLITE_OK every shard has a non-empty id, no parent
**     equal to itself, sequence numbers that are valid or absent; gathering
**     the page twice (streams_desc_add) keeps each id once; streams_ready
**     on the shards terminates and never calls a finished shard ready.
**
** Not covered: the HTTP layer (ddb.c), the SQL that applies records
** (sync.c, run by tests/e2e/test_200_sync.py against DynamoDB Local and
** tests/streamfake.py).
*/
#include "attrval.h"
#include "streams.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond)                                                                         \
  do {                                                                                        \
    if (!(cond)) {                                                                            \
      fprintf(stderr, "fuzz_streams: property failed at line %d: %s\n", __LINE__, #cond);     \
      abort();                                                                                \
    }                                                                                         \
  } while (0)

static void check_record(const streams_record *r) {
  const char *azKey[2] = {0, 0};
  const cJSON *k;
  char *zKey = 0, *zErr = 0;
  int nKey = 0, rc;
  REQUIRE(r->op >= STREAMS_INSERT && r->op <= STREAMS_REMOVE);
  REQUIRE(streams_seq_valid(r->zSeq));
  REQUIRE(cJSON_IsObject(r->keys) && r->keys->child);
  REQUIRE((r->image != 0) == (r->op != STREAMS_REMOVE));
  REQUIRE(!r->expired || r->op == STREAMS_REMOVE);
  cJSON_ArrayForEach(k, r->keys) {
    if (nKey < 2) azKey[nKey++] = k->string;
    if (r->image) REQUIRE(av_equal(k, cJSON_GetObjectItemCaseSensitive(r->image, k->string)));
  }
  rc = av_key_text(r->keys, azKey[0], azKey[1], &zKey);
  REQUIRE(rc == SQLITE_OK || rc == SQLITE_NOMEM);
  sqlite3_free(zKey);
  if (r->image) {
    const cJSON *a;
    cJSON *back;
    char *z;
    int aff;
    cJSON_ArrayForEach(a, r->image) {
      for (aff = AVA_NONE; aff <= AVA_TEXT; aff++) {
        av_value v;
        rc = av_to_value_as(a, aff, &v, &zErr);
        REQUIRE(rc == SQLITE_OK || rc == SQLITE_NOMEM);
        if (rc == SQLITE_OK) sqlite3_free(v.zOwned);
        sqlite3_free(zErr);
        zErr = 0;
      }
    }
    if ((z = cJSON_PrintUnformatted(r->image)) != 0) {
      back = cJSON_Parse(z);
      REQUIRE(back && cJSON_GetArraySize(back) == cJSON_GetArraySize(r->image));
      cJSON_ArrayForEach(a, r->image) {
        REQUIRE(av_equal(a, cJSON_GetObjectItemCaseSensitive(back, a->string)));
      }
      cJSON_Delete(back);
      cJSON_free(z);
    }
  }
}

static void check_records(cJSON *j) {
  streams_records r;
  char *zErr = 0;
  int rc = streams_records_parse(j, &r, &zErr), i;
  REQUIRE(rc == SQLITE_OK || rc == SQLITE_ERROR || rc == SQLITE_NOMEM);
  if (rc != SQLITE_OK) {
    REQUIRE(r.n == 0 && r.a == 0);
    REQUIRE(rc != SQLITE_ERROR || zErr);
    sqlite3_free(zErr);
    return;
  }
  REQUIRE(!r.zNext || r.zNext[0]);
  for (i = 0; i < r.n; i++) {
    check_record(&r.a[i]);
    if (i > 0) REQUIRE(streams_seq_cmp(r.a[i - 1].zSeq, r.a[i].zSeq) < 0);
  }
  streams_records_clear(&r);
}

static void check_describe(const cJSON *j) {
  streams_desc d, all;
  const char **azId, **azParent;
  int *aFin;
  char *zErr = 0;
  int rc = streams_describe_parse(j, &d, &zErr), i, n;
  REQUIRE(rc == SQLITE_OK || rc == SQLITE_ERROR || rc == SQLITE_NOMEM);
  if (rc != SQLITE_OK) {
    REQUIRE(d.nShard == 0 && d.aShard == 0);
    REQUIRE(rc != SQLITE_ERROR || zErr);
    sqlite3_free(zErr);
    return;
  }
  for (i = 0; i < d.nShard; i++) {
    const streams_shard *s = &d.aShard[i];
    REQUIRE(s->zId && s->zId[0]);
    REQUIRE(!s->zParent || strcmp(s->zParent, s->zId) != 0);
    REQUIRE(!s->zStart || streams_seq_valid(s->zStart));
    REQUIRE(!s->zEnd || streams_seq_valid(s->zEnd));
  }
  memset(&all, 0, sizeof(all));
  n = d.nShard;
  if (streams_desc_add(&all, &d) != SQLITE_OK) return;
  if (streams_describe_parse(j, &d, &zErr) == SQLITE_OK) {
    if (streams_desc_add(&all, &d) != SQLITE_OK) {
      streams_desc_clear(&all);
      return;
    }
  }
  sqlite3_free(zErr);
  REQUIRE(all.nShard <= n);
  for (i = 0; i < all.nShard; i++) {
    int k;
    for (k = 0; k < i; k++) REQUIRE(strcmp(all.aShard[k].zId, all.aShard[i].zId) != 0);
  }
  azId = malloc(sizeof(*azId) * (all.nShard + 1));
  azParent = malloc(sizeof(*azParent) * (all.nShard + 1));
  aFin = calloc(all.nShard + 1, sizeof(*aFin));
  if (azId && azParent && aFin) {
    for (i = 0; i < all.nShard; i++) {
      azId[i] = all.aShard[i].zId;
      azParent[i] = all.aShard[i].zParent;
      aFin[i] = i % 2;
    }
    for (i = 0; i < all.nShard; i++) {
      int ready = streams_ready(azId, azParent, aFin, all.nShard, i);
      REQUIRE(!ready || !aFin[i]);
      if (streams_in_cycle(azId, azParent, all.nShard, i)) REQUIRE(azParent[i]);
    }
  }
  free(azId);
  free(azParent);
  free(aFin);
  streams_desc_clear(&all);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  char *z = malloc(size + 1);
  cJSON *j;
  if (!z) return 0;
  memcpy(z, data, size);
  z[size] = 0;
  j = cJSON_ParseWithLengthOpts(z, size + 1, 0, 1);
  if (j && cJSON_IsObject(j)) {
    check_records(j);
    check_describe(j);
  }
  cJSON_Delete(j);
  free(z);
  return 0;
}
