/*
** streams.c: DynamoDB Streams' answers and requests, sequence numbers and
** shard lineage (see streams.h). Pure.
*/
#include "streams.h"
#include "attrval.h"

#include <stdarg.h>
#include <string.h>

#define SEQ_MAX_DIGITS 64 /* DynamoDB's are 21 to 40 digits */

static int fail(char **pzErr, const char *zFmt, ...) {
  va_list ap;
  va_start(ap, zFmt);
  *pzErr = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

static const char *str_of(const cJSON *obj, const char *zName) {
  const cJSON *e = cJSON_GetObjectItemCaseSensitive(obj, zName);
  return cJSON_IsString(e) ? e->valuestring : 0;
}

/* A copy of z (NULL stays NULL): 0 when out of memory. */
static int dup(const char *z, char **pz) {
  *pz = 0;
  if (!z) return 1;
  return (*pz = sqlite3_mprintf("%s", z)) != 0;
}

/* ---- sequence numbers and lineage ----------------------------------------- */

int streams_seq_valid(const char *z) {
  int n = 0;
  if (!z) return 0;
  while (z[n] >= '0' && z[n] <= '9') n++;
  return n > 0 && n <= SEQ_MAX_DIGITS && z[n] == 0;
}

int streams_seq_cmp(const char *a, const char *b) {
  size_t na, nb;
  while (*a == '0' && a[1]) a++;
  while (*b == '0' && b[1]) b++;
  na = strlen(a);
  nb = strlen(b);
  if (na != nb) return na < nb ? -1 : 1;
  return strcmp(a, b);
}

int streams_ready(const char *const *azId, const char *const *azParent, const int *aFinished,
                  int n, int i) {
  int k;
  assert(i >= 0 && i < n);
  if (aFinished[i]) return 0;
  if (!azParent[i]) return 1;
  for (k = 0; k < n; k++) {
    if (k != i && strcmp(azId[k], azParent[i]) == 0) return aFinished[k];
  }
  return 1; /* the parent is gone: trimmed, read long ago */
}

int streams_in_cycle(const char *const *azId, const char *const *azParent, int n, int i) {
  int at = i, steps, k;
  assert(i >= 0 && i < n);
  for (steps = 0; steps < n; steps++) { /* n steps without a root: a cycle */
    if (!azParent[at]) return 0;
    for (k = 0; k < n && strcmp(azId[k], azParent[at]) != 0; k++) {
    }
    if (k == n) return 0;
    if (k == i) return 1;
    at = k;
  }
  return 0; /* a cycle that i hangs from, not one through i */
}

/* ---- DescribeStream ------------------------------------------------------ */

cJSON *streams_describe_request(const char *zArn, const char *zAfter) {
  cJSON *req = cJSON_CreateObject();
  if (!req || !cJSON_AddStringToObject(req, "StreamArn", zArn) ||
      (zAfter && !cJSON_AddStringToObject(req, "ExclusiveStartShardId", zAfter))) {
    cJSON_Delete(req);
    return 0;
  }
  return req;
}

static void shard_clear(streams_shard *s) {
  sqlite3_free(s->zId);
  sqlite3_free(s->zParent);
  sqlite3_free(s->zStart);
  sqlite3_free(s->zEnd);
  memset(s, 0, sizeof(*s));
}

void streams_desc_clear(streams_desc *d) {
  int i;
  for (i = 0; i < d->nShard; i++) shard_clear(&d->aShard[i]);
  sqlite3_free(d->aShard);
  sqlite3_free(d->zStatus);
  sqlite3_free(d->zView);
  sqlite3_free(d->zNextShard);
  memset(d, 0, sizeof(*d));
}

static int one_shard(const cJSON *e, streams_shard *s, char **pzErr) {
  const cJSON *range = cJSON_GetObjectItemCaseSensitive(e, "SequenceNumberRange");
  const char *zId = str_of(e, "ShardId"), *zStart = str_of(range, "StartingSequenceNumber");
  const char *zEnd = str_of(range, "EndingSequenceNumber");
  memset(s, 0, sizeof(*s));
  if (!zId || !zId[0]) return fail(pzErr, "a shard without a ShardId");
  if ((zStart && !streams_seq_valid(zStart)) || (zEnd && !streams_seq_valid(zEnd))) {
    return fail(pzErr, "shard %s: a sequence number that is not one", zId);
  }
  if (!dup(zId, &s->zId) || !dup(str_of(e, "ParentShardId"), &s->zParent) ||
      !dup(zStart, &s->zStart) || !dup(zEnd, &s->zEnd)) {
    shard_clear(s);
    return SQLITE_NOMEM;
  }
  if (s->zParent && (!s->zParent[0] || strcmp(s->zParent, s->zId) == 0)) {
    sqlite3_free(s->zParent); /* no parent, or itself: none */
    s->zParent = 0;
  }
  return SQLITE_OK;
}

int streams_describe_parse(const cJSON *resp, streams_desc *out, char **pzErr) {
  const cJSON *sd = cJSON_GetObjectItemCaseSensitive(resp, "StreamDescription");
  const cJSON *shards = cJSON_GetObjectItemCaseSensitive(sd, "Shards"), *e;
  int rc = SQLITE_OK;
  memset(out, 0, sizeof(*out));
  if (!cJSON_IsObject(sd)) return fail(pzErr, "the answer has no StreamDescription");
  if (shards && !cJSON_IsArray(shards)) return fail(pzErr, "Shards is not a list");
  if (!dup(str_of(sd, "StreamStatus") ? str_of(sd, "StreamStatus") : "", &out->zStatus) ||
      !dup(str_of(sd, "StreamViewType") ? str_of(sd, "StreamViewType") : "", &out->zView) ||
      !dup(str_of(sd, "LastEvaluatedShardId"), &out->zNextShard)) {
    streams_desc_clear(out);
    return SQLITE_NOMEM;
  }
  if (out->zNextShard && !out->zNextShard[0]) {
    sqlite3_free(out->zNextShard);
    out->zNextShard = 0;
  }
  if (cJSON_GetArraySize(shards) > 0) {
    out->aShard = sqlite3_malloc64(sizeof(streams_shard) * (size_t)cJSON_GetArraySize(shards));
    if (!out->aShard) rc = SQLITE_NOMEM;
  }
  cJSON_ArrayForEach(e, shards) {
    if (rc != SQLITE_OK) break;
    if ((rc = one_shard(e, &out->aShard[out->nShard], pzErr)) == SQLITE_OK) out->nShard++;
  }
  if (rc != SQLITE_OK) streams_desc_clear(out);
  return rc;
}

int streams_desc_add(streams_desc *all, streams_desc *page) {
  streams_shard *a;
  int i, k;
  if (!all->zStatus) { /* the first page: its status and view */
    all->zStatus = page->zStatus;
    all->zView = page->zView;
    page->zStatus = page->zView = 0;
  }
  a = sqlite3_realloc64(all->aShard, sizeof(*a) * (size_t)(all->nShard + page->nShard + 1));
  if (!a) {
    streams_desc_clear(page);
    return SQLITE_NOMEM;
  }
  all->aShard = a;
  for (i = 0; i < page->nShard; i++) {
    for (k = 0; k < all->nShard && strcmp(a[k].zId, page->aShard[i].zId) != 0; k++) {
    }
    if (k < all->nShard) {
      shard_clear(&page->aShard[i]);
    } else {
      a[all->nShard++] = page->aShard[i];
      memset(&page->aShard[i], 0, sizeof(page->aShard[i]));
    }
  }
  sqlite3_free(all->zNextShard);
  all->zNextShard = page->zNextShard;
  page->zNextShard = 0;
  streams_desc_clear(page);
  return SQLITE_OK;
}

int streams_view_has_new_images(const char *zView) {
  return zView && (strcmp(zView, "NEW_IMAGE") == 0 || strcmp(zView, "NEW_AND_OLD_IMAGES") == 0);
}

/* ---- iterators and records ------------------------------------------------ */

cJSON *streams_iterator_request(const char *zArn, const char *zShard, const char *zType,
                                const char *zSeq) {
  cJSON *req = cJSON_CreateObject();
  if (!req || !cJSON_AddStringToObject(req, "StreamArn", zArn) ||
      !cJSON_AddStringToObject(req, "ShardId", zShard) ||
      !cJSON_AddStringToObject(req, "ShardIteratorType", zType) ||
      (zSeq && !cJSON_AddStringToObject(req, "SequenceNumber", zSeq))) {
    cJSON_Delete(req);
    return 0;
  }
  return req;
}

const char *streams_iterator_of(const cJSON *resp) {
  const char *z = str_of(resp, "ShardIterator");
  return z && z[0] ? z : 0;
}

cJSON *streams_records_request(const char *zIter) {
  cJSON *req = cJSON_CreateObject();
  if (!req || !cJSON_AddStringToObject(req, "ShardIterator", zIter) ||
      !cJSON_AddNumberToObject(req, "Limit", STREAMS_RECORDS_LIMIT)) {
    cJSON_Delete(req);
    return 0;
  }
  return req;
}

void streams_records_clear(streams_records *r) {
  sqlite3_free(r->a);
  memset(r, 0, sizeof(*r));
}

/* DynamoDB Local's empty map in a record's image, {}, as what it is:
** {"M": {}}; in every map and list of the value. SQLITE_OK or NOMEM. */
static int repair_empty_maps(cJSON *av) {
  cJSON *c, *e;
  if (!cJSON_IsObject(av)) return SQLITE_OK;
  if (!av->child) return cJSON_AddObjectToObject(av, "M") ? SQLITE_OK : SQLITE_NOMEM;
  c = av->child;
  if (c->next || !c->string) return SQLITE_OK; /* not one type tag: av_validate says */
  if (strcmp(c->string, "M") == 0 || strcmp(c->string, "L") == 0) {
    cJSON_ArrayForEach(e, c) {
      if (repair_empty_maps(e) != SQLITE_OK) return SQLITE_NOMEM;
    }
  }
  return SQLITE_OK;
}

/* An object of valid AttributeValues (Keys, an image); zWhat names it. */
static int check_item(const cJSON *item, const char *zSeq, const char *zWhat, char **pzErr) {
  char *zWhy = 0;
  int rc = av_item_check(item, &zWhy);
  if (rc == SQLITE_OK) return rc;
  if (!zWhy) return SQLITE_NOMEM;
  rc = fail(pzErr, "record %s: %s: %s", zSeq, zWhat, zWhy);
  sqlite3_free(zWhy);
  return rc;
}

static int one_record(cJSON *e, streams_record *r, char **pzErr) {
  cJSON *d = cJSON_GetObjectItemCaseSensitive(e, "dynamodb"), *image, *a;
  const cJSON *k, *t;
  const cJSON *who = cJSON_GetObjectItemCaseSensitive(e, "userIdentity");
  const char *zEvent = str_of(e, "eventName"), *zType, *zWho;
  int rc;
  memset(r, 0, sizeof(*r));
  r->zSeq = str_of(d, "SequenceNumber");
  if (!cJSON_IsObject(e) || !cJSON_IsObject(d)) return fail(pzErr, "a record without its dynamodb");
  if (!streams_seq_valid(r->zSeq)) return fail(pzErr, "a record without a valid SequenceNumber");
  if (zEvent && strcmp(zEvent, "INSERT") == 0) r->op = STREAMS_INSERT;
  else if (zEvent && strcmp(zEvent, "MODIFY") == 0) r->op = STREAMS_MODIFY;
  else if (zEvent && strcmp(zEvent, "REMOVE") == 0) r->op = STREAMS_REMOVE;
  else return fail(pzErr, "record %s: eventName is %s", r->zSeq, zEvent ? zEvent : "missing");
  r->keys = cJSON_GetObjectItemCaseSensitive(d, "Keys");
  if (!cJSON_IsObject(r->keys) || !r->keys->child) {
    return fail(pzErr, "record %s: no Keys", r->zSeq);
  }
  if ((rc = check_item(r->keys, r->zSeq, "Keys", pzErr)) != SQLITE_OK) return rc;
  if (r->op != STREAMS_REMOVE) {
    r->image = image = cJSON_GetObjectItemCaseSensitive(d, "NewImage");
    if (cJSON_IsObject(image)) {
      cJSON_ArrayForEach(a, image) {
        if (repair_empty_maps(a) != SQLITE_OK) return SQLITE_NOMEM;
      }
    }
    if (!r->image) {
      const char *zView = str_of(d, "StreamViewType");
      return fail(pzErr,
                  "record %s: %s without a NewImage (the stream's view is %s): the copy needs "
                  "the item as each write left it (NEW_IMAGE or NEW_AND_OLD_IMAGES)",
                  r->zSeq, zEvent, zView ? zView : "not given");
    }
    if ((rc = check_item(r->image, r->zSeq, "NewImage", pzErr)) != SQLITE_OK) return rc;
    cJSON_ArrayForEach(k, r->keys) { /* the image is the item the keys name */
      if (!av_equal(k, cJSON_GetObjectItemCaseSensitive(r->image, k->string))) {
        return fail(pzErr, "record %s: its NewImage does not hold its key %s", r->zSeq,
                    k->string);
      }
    }
  }
  t = cJSON_GetObjectItemCaseSensitive(d, "ApproximateCreationDateTime");
  if (cJSON_IsNumber(t) && t->valuedouble > 0) r->created = t->valuedouble;
  zType = str_of(who, "type");
  zWho = str_of(who, "principalId");
  r->expired = r->op == STREAMS_REMOVE && zType && strcmp(zType, "Service") == 0 && zWho &&
               strcmp(zWho, "dynamodb.amazonaws.com") == 0;
  return SQLITE_OK;
}

int streams_records_parse(cJSON *resp, streams_records *out, char **pzErr) {
  cJSON *recs = cJSON_GetObjectItemCaseSensitive(resp, "Records"), *e;
  const cJSON *next = cJSON_GetObjectItemCaseSensitive(resp, "NextShardIterator");
  int rc = SQLITE_OK, n;
  memset(out, 0, sizeof(*out));
  if (!cJSON_IsArray(recs)) return fail(pzErr, "the answer has no Records");
  if (next && !cJSON_IsNull(next) && (!cJSON_IsString(next) || !next->valuestring[0])) {
    return fail(pzErr, "NextShardIterator is not an iterator");
  }
  out->zNext = cJSON_IsString(next) ? next->valuestring : 0;
  if ((n = cJSON_GetArraySize(recs)) > 0 && !(out->a = sqlite3_malloc64(sizeof(*out->a) * n))) {
    return SQLITE_NOMEM;
  }
  cJSON_ArrayForEach(e, recs) {
    streams_record *r = &out->a[out->n];
    if ((rc = one_record(e, r, pzErr)) != SQLITE_OK) break;
    if (out->n > 0 && streams_seq_cmp(out->a[out->n - 1].zSeq, r->zSeq) >= 0) {
      rc = fail(pzErr, "record %s after record %s: the records are out of order", r->zSeq, out->a[out->n - 1].zSeq);
      break;
    }
    out->n++;
  }
  if (rc != SQLITE_OK) streams_records_clear(out);
  return rc;
}
