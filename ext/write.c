/*
** write.c: pending writes and how they are sent (see write.h).
*/
#include "write.h"
#include "attrval.h"
#include "retry.h"

#include <stdlib.h>
#include <string.h>

#define BATCH_MAX_ITEMS 25              /* BatchWriteItem's limits */
#define BATCH_MAX_BYTES (15 * 1024 * 1024)
#define TRANSACT_MAX_ITEMS 100          /* TransactWriteItems' limit */
#define FAILURES_SHOWN 5                /* failures listed in a message */

enum { WS_PENDING = 0, WS_DONE, WS_FAILED };

typedef struct dyn_write {
  int kind;          /* W_PUT, W_DELETE, W_UPDATE */
  int cond;          /* WC_* for W_PUT */
  cJSON *payload;    /* item, key or UpdateItem request */
  char *zKey;        /* the item's key as canonical JSON */
  int state;         /* WS_* */
  char *zErr;        /* why it failed */
  int constraint;    /* it failed on an existing key under a plain INSERT */
  int stopped;       /* interrupted: STOP_UNSENT or STOP_UNANSWERED */
} dyn_write;

/* What an interrupt left of a write that was not done: not sent, or sent
** and not confirmed (a write still WS_PENDING then was not made either). */
enum { STOP_UNSENT = 1, STOP_UNANSWERED };

struct dyn_writer {
  dyn_write *a;
  int n, nAlloc;
  int *aMark;        /* aMark[i]: writes pending at savepoint i */
  int nMark;
};

/* ---- pure helpers ----------------------------------------------------------- */

typedef struct key_pos {
  const char *zKey;
  int pos;
} key_pos;

static int key_pos_cmp(const void *a, const void *b) {
  const key_pos *x = a, *y = b;
  int c = strcmp(x->zKey, y->zKey);
  return c ? c : x->pos - y->pos;
}

/* Waves: aWave[i] = 1 + the wave of the last earlier write with the same
** key text (0 for the first). SQLITE_OK or SQLITE_NOMEM. */
static int write_waves(char *const *azKey, int n, int *aWave) {
  key_pos *a = sqlite3_malloc64(sizeof(*a) * (n + 1));
  int i;
  if (!a) return SQLITE_NOMEM;
  for (i = 0; i < n; i++) a[i] = (key_pos){azKey[i], i};
  qsort(a, n, sizeof(*a), key_pos_cmp);
  for (i = 0; i < n; i++) {
    int same = i > 0 && strcmp(a[i].zKey, a[i - 1].zKey) == 0;
    aWave[a[i].pos] = same ? aWave[a[i - 1].pos] + 1 : 0;
  }
  sqlite3_free(a);
  return SQLITE_OK;
}

/* Two items hold the same attributes with the same values. */
static int items_equal(const cJSON *a, const cJSON *b) {
  const cJSON *e;
  if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b)) return 0;
  cJSON_ArrayForEach(e, a) {
    if (!av_equal(e, cJSON_GetObjectItemCaseSensitive(b, e->string))) return 0;
  }
  return 1;
}

/* ---- the writer ------------------------------------------------------------- */

int writer_open(dyn_writer **pp) {
  dyn_writer *w = sqlite3_malloc(sizeof(*w));
  *pp = w;
  if (!w) return SQLITE_NOMEM;
  memset(w, 0, sizeof(*w));
  return SQLITE_OK;
}

static void write_free(dyn_write *x) {
  cJSON_Delete(x->payload);
  sqlite3_free(x->zKey);
  sqlite3_free(x->zErr);
}

static void truncate_to(dyn_writer *w, int n) {
  while (w->n > n) write_free(&w->a[--w->n]);
}

void writer_close(dyn_writer *w) {
  if (!w) return;
  truncate_to(w, 0);
  sqlite3_free(w->a);
  sqlite3_free(w->aMark);
  sqlite3_free(w);
}

int writer_pending(const dyn_writer *w) {
  return w->n;
}

int writer_add(dyn_writer *w, const write_table *t, int kind, int cond, cJSON *payload) {
  assert(kind == W_PUT || kind == W_DELETE || kind == W_UPDATE);
  assert(kind != W_PUT || (cond >= WC_NEW && cond <= WC_EXISTS));
  const cJSON *keySrc = kind == W_UPDATE ? cJSON_GetObjectItemCaseSensitive(payload, "Key") : payload;
  dyn_write *x;
  char *zKey = 0;
  int rc = av_key_text(keySrc, t->zPk, t->zSk, &zKey);
  if (rc != SQLITE_OK) { /* the caller checked the keys: out of memory */
    assert(rc == SQLITE_NOMEM);
    cJSON_Delete(payload);
    return SQLITE_NOMEM;
  }
  if (w->n == w->nAlloc) {
    int nNew = w->nAlloc ? w->nAlloc * 2 : 64;
    dyn_write *a = sqlite3_realloc64(w->a, sizeof(*a) * nNew);
    if (!a) {
      cJSON_Delete(payload);
      sqlite3_free(zKey);
      return SQLITE_NOMEM;
    }
    w->a = a;
    w->nAlloc = nNew;
  }
  x = &w->a[w->n++];
  memset(x, 0, sizeof(*x));
  x->kind = kind;
  x->cond = cond;
  x->payload = payload;
  x->zKey = zKey;
  return SQLITE_OK;
}

int writer_savepoint(dyn_writer *w, int i) {
  if (i >= w->nMark) {
    int *a = sqlite3_realloc64(w->aMark, sizeof(int) * (i + 1));
    if (!a) return SQLITE_NOMEM;
    w->aMark = a;
    while (w->nMark <= i) w->aMark[w->nMark++] = w->n;
  }
  w->aMark[i] = w->n;
  w->nMark = i + 1;
  return SQLITE_OK;
}

void writer_release(dyn_writer *w, int i) {
  if (i < w->nMark) w->nMark = i;
}

void writer_rollback_to(dyn_writer *w, int i) {
  if (i < w->nMark) {
    if (w->aMark[i] < w->n) truncate_to(w, w->aMark[i]);
    w->nMark = i + 1;
  }
}

void writer_discard(dyn_writer *w) {
  truncate_to(w, 0);
  w->nMark = 0;
}

/* ---- requests ---------------------------------------------------------------- */

/* A copy of src with TableName and a condition on the partition key. */
static cJSON *conditioned(const cJSON *src, const write_table *t, const char *zMember,
                          const char *zCondition) {
  cJSON *r = cJSON_CreateObject(), *names;
  if (!r) return 0;
  cJSON_AddStringToObject(r, "TableName", t->zTable);
  if (zMember) {
    cJSON_AddItemToObject(r, zMember, cJSON_Duplicate(src, 1));
  } else {
    const cJSON *e;
    cJSON_ArrayForEach(e, src) cJSON_AddItemToObject(r, e->string, cJSON_Duplicate(e, 1));
  }
  if (zCondition) {
    names = cJSON_GetObjectItemCaseSensitive(r, "ExpressionAttributeNames");
    if (!names) names = cJSON_AddObjectToObject(r, "ExpressionAttributeNames");
    cJSON_AddStringToObject(names, "#pk", t->zPk);
    cJSON_AddStringToObject(r, "ConditionExpression", zCondition);
  }
  return r;
}

/* The request of a write sent on its own (PutItem, UpdateItem). */
static cJSON *single_request(const dyn_write *x, const write_table *t, const char **pzOp) {
  cJSON *r;
  if (x->kind == W_UPDATE) {
    *pzOp = "UpdateItem";
    return conditioned(x->payload, t, 0, "attribute_exists(#pk)");
  }
  *pzOp = "PutItem";
  r = conditioned(x->payload, t, "Item",
                  x->cond == WC_EXISTS ? "attribute_exists(#pk)" : "attribute_not_exists(#pk)");
  if (r && x->cond == WC_NEW) {
    /* a retried put that meets the item its lost first attempt wrote can
    ** then tell it from a real conflict */
    cJSON_AddStringToObject(r, "ReturnValuesOnConditionCheckFailure", "ALL_OLD");
  }
  return r;
}

/* PutRequest / DeleteRequest of a batchable write. */
static cJSON *batch_entry(const dyn_write *x) {
  cJSON *e = cJSON_CreateObject(), *inner;
  if (!e) return 0;
  inner = cJSON_AddObjectToObject(e, x->kind == W_PUT ? "PutRequest" : "DeleteRequest");
  if (inner) cJSON_AddItemToObject(inner, x->kind == W_PUT ? "Item" : "Key", cJSON_Duplicate(x->payload, 1));
  return e;
}

static int is_batchable(const dyn_write *x) {
  return x->kind == W_DELETE || (x->kind == W_PUT && x->cond == WC_REPLACE);
}

static void set_failed(dyn_write *x, char *zErr, int constraint) {
  sqlite3_free(x->zErr);
  x->zErr = zErr;
  x->state = WS_FAILED;
  x->constraint = constraint;
}

/* The job that carried x was interrupted: sent or not. */
static void set_stopped(dyn_write *x, const ddb_job *j) {
  set_failed(x, 0, 0);
  x->stopped = j->attempts > 0 ? STOP_UNANSWERED : STOP_UNSENT;
}

/* ---- sending ----------------------------------------------------------------- */

typedef struct batch {
  ddb_job job;
  cJSON *req;
  int *aIdx;          /* the writes in this batch */
  int nIdx;
  size_t nBytes;      /* of the request entries so far */
} batch;

/*
** Did the put that failed its condition meet the item it was writing? That
** is what a retry finds when an earlier attempt was applied but its answer
** lost, and it counts as success. The attempt count cannot tell: libcurl
** itself sends a request again when a kept-alive connection dies before the
** answer. So an INSERT of an item identical to an existing one succeeds.
*/
static int own_item(ddb_client *c, const write_table *t, const dyn_write *x, const ddb_job *j) {
  const cJSON *old = cJSON_GetObjectItemCaseSensitive(j->errBody, "Item");
  cJSON *req = 0, *resp = 0;
  char *zErr = 0;
  int same = 0;
  if (!old) { /* the server does not return ALL_OLD: read it */
    req = cJSON_CreateObject();
    if (!req) return 0;
    cJSON_AddStringToObject(req, "TableName", t->zTable);
    cJSON_AddItemToObject(req, "Key", cJSON_Parse(x->zKey));
    cJSON_AddTrueToObject(req, "ConsistentRead");
    if (ddb_call(c, "GetItem", t->zTable, req, &resp, &zErr, 0) == SQLITE_OK) {
      old = cJSON_GetObjectItemCaseSensitive(resp, "Item");
    }
  }
  same = old && items_equal(old, x->payload);
  cJSON_Delete(req);
  cJSON_Delete(resp);
  sqlite3_free(zErr);
  return same;
}

/* The outcome of a write sent on its own. */
static int single_done(ddb_client *c, const write_table *t, dyn_write *x, ddb_job *j) {
  if (j->rc == SQLITE_OK) {
    x->state = WS_DONE;
    return SQLITE_OK;
  }
  if (j->rc == SQLITE_NOMEM) return SQLITE_NOMEM;
  if (j->rc == SQLITE_INTERRUPT) {
    set_stopped(x, j);
    return SQLITE_OK;
  }
  if (strcmp(j->zType, "ConditionalCheckFailedException") == 0) {
    if (x->kind == W_UPDATE || x->cond != WC_NEW || own_item(c, t, x, j)) {
      /* gone before UPDATE (as if it no longer matched), kept by OR
      ** IGNORE, or written by our own lost attempt */
      x->state = WS_DONE;
      return SQLITE_OK;
    }
    set_failed(x,
               sqlite3_mprintf("%s (an item with this key exists: UNIQUE constraint failed: "
                               "%s.%s%z)",
                               j->zErr, t->zName, t->zPk,
                               t->zSk ? sqlite3_mprintf(", %s.%s", t->zName, t->zSk) : 0),
               1);
    return SQLITE_OK;
  }
  if (strcmp(j->zType, "ValidationException") == 0 && j->zErr &&
      strstr(j->zErr, "exceeded the maximum allowed size")) {
    /* an UPDATE whose item would grow too large: only DynamoDB knows its
    ** size; say which item and what the limit is */
    set_failed(x,
               sqlite3_mprintf("%s (the item %s; DynamoDB holds at most %d bytes, 400 KB, "
                               "of attribute names and values)",
                               j->zErr, x->zKey, AV_ITEM_MAX_BYTES),
               0);
    return SQLITE_OK;
  }
  set_failed(x, j->zErr, 0);
  j->zErr = 0;
  return SQLITE_OK;
}

/* The outcome of a BatchWriteItem: done, failed, or left for another round
** (UnprocessedItems). Returns how many were left. */
static int batch_done(dyn_writer *w, const write_table *t, batch *b) {
  const cJSON *un, *e;
  int i, nLeft = 0;
  if (b->job.rc == SQLITE_INTERRUPT) {
    for (i = 0; i < b->nIdx; i++) set_stopped(&w->a[b->aIdx[i]], &b->job);
    return 0;
  }
  if (b->job.rc != SQLITE_OK) {
    for (i = 0; i < b->nIdx; i++) {
      set_failed(&w->a[b->aIdx[i]], b->job.zErr ? sqlite3_mprintf("%s", b->job.zErr) : 0, 0);
    }
    return 0;
  }
  for (i = 0; i < b->nIdx; i++) w->a[b->aIdx[i]].state = WS_DONE;
  un = cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(b->job.resp, "UnprocessedItems"), t->zTable);
  cJSON_ArrayForEach(e, un) {
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "PutRequest");
    const cJSON *src = p ? cJSON_GetObjectItemCaseSensitive(p, "Item")
                         : cJSON_GetObjectItemCaseSensitive(
                               cJSON_GetObjectItemCaseSensitive(e, "DeleteRequest"), "Key");
    char *zKey = 0;
    av_key_text(src, t->zPk, t->zSk, &zKey); /* NULL: not one of ours */
    for (i = 0; zKey && i < b->nIdx; i++) {
      dyn_write *x = &w->a[b->aIdx[i]];
      if (x->state == WS_DONE && strcmp(x->zKey, zKey) == 0) {
        x->state = WS_PENDING;
        nLeft++;
        break;
      }
    }
    sqlite3_free(zKey);
  }
  return nLeft;
}

/* Send the pending writes of one wave; batchable ones again while
** UnprocessedItems come back. */
static int send_wave(dyn_writer *w, ddb_client *c, const write_table *t, const int *aWave,
                     int wave) {
  int round, rc = SQLITE_OK;
  long delayMs = 0; /* the backoff before a round after the first */
  sqlite3_int64 msWaited = 0; /* the backoff of every round so far */
  for (round = 0; rc == SQLITE_OK; round++) {
    ddb_job **apJob = sqlite3_malloc64(sizeof(ddb_job *) * (w->n + 1));
    ddb_job *aSingle = sqlite3_malloc64(sizeof(ddb_job) * (w->n + 1));
    batch *aBatch = sqlite3_malloc64(sizeof(batch) * (w->n + 1));
    int *aSingleIdx = sqlite3_malloc64(sizeof(int) * (w->n + 1));
    int *aIdx = sqlite3_malloc64(sizeof(int) * (w->n + 1));
    int nJob = 0, nSingle = 0, nBatch = 0, nIdx = 0, i, nLeft = 0;
    if (!apJob || !aSingle || !aBatch || !aSingleIdx || !aIdx) {
      rc = SQLITE_NOMEM;
      goto round_done;
    }
    for (i = 0; i < w->n; i++) {
      dyn_write *x = &w->a[i];
      if (aWave[i] != wave || x->state != WS_PENDING) continue;
      if (!is_batchable(x)) {
        ddb_job *j = &aSingle[nSingle];
        memset(j, 0, sizeof(*j));
        j->delayMs = delayMs;
        j->req = single_request(x, t, &j->zOp);
        if (!j->req) {
          rc = SQLITE_NOMEM;
          goto round_done;
        }
        aSingleIdx[nSingle++] = i;
        apJob[nJob++] = j;
        continue;
      }
      /* into the current batch, or a new one */
      {
        batch *b = nBatch ? &aBatch[nBatch - 1] : 0;
        cJSON *entry = batch_entry(x), *list;
        char *zEntry = entry ? cJSON_PrintUnformatted(entry) : 0;
        size_t nEntry = zEntry ? strlen(zEntry) : 0;
        cJSON_free(zEntry);
        if (!entry) {
          rc = SQLITE_NOMEM;
          goto round_done;
        }
        if (!b || b->nIdx == BATCH_MAX_ITEMS || b->nBytes + nEntry > BATCH_MAX_BYTES) {
          cJSON *items;
          b = &aBatch[nBatch++];
          memset(b, 0, sizeof(*b));
          b->aIdx = &aIdx[nIdx];
          b->req = cJSON_CreateObject();
          items = b->req ? cJSON_AddObjectToObject(b->req, "RequestItems") : 0;
          if (!items || !cJSON_AddArrayToObject(items, t->zTable)) {
            cJSON_Delete(entry);
            rc = SQLITE_NOMEM;
            goto round_done;
          }
          b->job.zOp = "BatchWriteItem";
          b->job.req = b->req;
          b->job.delayMs = delayMs;
          apJob[nJob++] = &b->job;
        }
        list = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(b->req, "RequestItems"), t->zTable);
        cJSON_AddItemToArray(list, entry);
        b->nBytes += nEntry;
        b->aIdx[b->nIdx++] = i;
        nIdx++;
      }
    }
    if (nJob == 0) goto round_done;
    rc = ddb_run(c, t->zTable, apJob, nJob);
    if (rc == SQLITE_OK || rc == SQLITE_INTERRUPT) { /* interrupted: what was done */
      int rc2 = SQLITE_OK;
      for (i = 0; rc2 == SQLITE_OK && i < nSingle; i++) {
        if (rc == SQLITE_INTERRUPT && aSingle[i].rc != SQLITE_OK) {
          set_stopped(&w->a[aSingleIdx[i]], &aSingle[i]); /* no GetItem now */
        } else {
          rc2 = single_done(c, t, &w->a[aSingleIdx[i]], &aSingle[i]);
        }
      }
      for (i = 0; rc2 == SQLITE_OK && i < nBatch; i++) nLeft += batch_done(w, t, &aBatch[i]);
      if (rc2 != SQLITE_OK) rc = rc2;
    }
  round_done:
    for (i = 0; aSingle && i < nSingle; i++) {
      cJSON_Delete((cJSON *)aSingle[i].req);
      ddb_job_clear(&aSingle[i]);
    }
    for (i = 0; aBatch && i < nBatch; i++) {
      cJSON_Delete(aBatch[i].req);
      ddb_job_clear(&aBatch[i].job);
    }
    sqlite3_free(apJob);
    sqlite3_free(aSingle);
    sqlite3_free(aBatch);
    sqlite3_free(aSingleIdx);
    sqlite3_free(aIdx);
    if (rc != SQLITE_OK || nLeft == 0) break;
    if (retry_unprocessed_give_up(round + 1, msWaited, ddb_retry_ms(c))) {
      for (i = 0; i < w->n; i++) {
        if (aWave[i] == wave && w->a[i].state == WS_PENDING) {
          set_failed(&w->a[i],
                     sqlite3_mprintf("dynamo: BatchWriteItem on %s: still unprocessed after %d "
                                     "rounds (%lld ms of backoff)",
                                     t->zTable, round + 1, (long long)msWaited),
                     0);
        }
      }
      break;
    }
    delayMs = ddb_unprocessed_delay_ms(round + 1); /* back off, as the SDKs do */
    msWaited += delayMs;
  }
  return rc;
}

/*
** The message of a cancelled TransactWriteItems: DynamoDB's, then each write
** that failed named by its key, from CancellationReasons (one per entry of
** TransactItems, in order, "None" for those that would have been done). A
** failed condition is an existing key for an INSERT (*pConstraint is set when
** every failure is one) and a vanished item for an UPDATE.
*/
static char *cancelled(const dyn_writer *w, const write_table *t, const ddb_job *j,
                       int *pConstraint) {
  const cJSON *reasons = cJSON_GetObjectItemCaseSensitive(j->errBody, "CancellationReasons");
  const cJSON *r;
  sqlite3_str *s = sqlite3_str_new(0);
  int i = 0, nFailed = 0, nUnique = 0;
  sqlite3_str_appendf(s, "%s; nothing was written", j->zErr);
  cJSON_ArrayForEach(r, reasons) {
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(r, "Code");
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(r, "Message");
    const dyn_write *x = i < w->n ? &w->a[i] : 0;
    int condition, unique;
    i++;
    if (!x || !cJSON_IsString(code) || strcmp(code->valuestring, "None") == 0) continue;
    condition = strcmp(code->valuestring, "ConditionalCheckFailed") == 0;
    unique = condition && x->kind == W_PUT && (x->cond == WC_NEW || x->cond == WC_IGNORE);
    nUnique += unique;
    if (++nFailed > FAILURES_SHOWN) continue;
    sqlite3_str_appendf(s, "; %s: ", x->zKey);
    if (unique) {
      sqlite3_str_appendf(s, "an item with this key exists: UNIQUE constraint failed: %s.%s",
                          t->zName, t->zPk);
      if (t->zSk) sqlite3_str_appendf(s, ", %s.%s", t->zName, t->zSk);
    } else if (condition) {
      sqlite3_str_appendall(s, "the item no longer exists (deleted since it was read)");
    } else {
      sqlite3_str_appendf(s, "%s%s%s", code->valuestring, cJSON_IsString(msg) ? ": " : "",
                          cJSON_IsString(msg) ? msg->valuestring : "");
    }
  }
  if (nFailed > FAILURES_SHOWN) sqlite3_str_appendf(s, "; and %d more", nFailed - FAILURES_SHOWN);
  *pConstraint = nFailed > 0 && nUnique == nFailed;
  return sqlite3_str_finish(s);
}

/* All writes in one TransactWriteItems: every one or none. */
static int send_atomic(dyn_writer *w, ddb_client *c, const write_table *t) {
  cJSON *req = cJSON_CreateObject(), *items;
  char *zErr = 0, token[37];
  unsigned char rnd[16];
  int i, *aWave = 0, rc = SQLITE_NOMEM, constraint = 0;
  ddb_job job, *pJob = &job;
  memset(&job, 0, sizeof(job));
  if (w->n > TRANSACT_MAX_ITEMS) {
    zErr = sqlite3_mprintf("dynamo: atomic transaction on %s: %d writes, but one "
                           "TransactWriteItems takes at most %d; nothing was written",
                           t->zName, w->n, TRANSACT_MAX_ITEMS);
    goto fail_all;
  }
  if (!(aWave = sqlite3_malloc64(sizeof(int) * (w->n + 1)))) goto done;
  {
    char **az = sqlite3_malloc64(sizeof(char *) * (w->n + 1));
    if (!az) goto done;
    for (i = 0; i < w->n; i++) az[i] = w->a[i].zKey;
    rc = write_waves(az, w->n, aWave);
    sqlite3_free(az);
    if (rc != SQLITE_OK) goto done;
  }
  for (i = 0; i < w->n; i++) {
    if (aWave[i] > 0) {
      zErr = sqlite3_mprintf("dynamo: atomic transaction on %s: the item %s is written twice, "
                             "which TransactWriteItems does not allow; nothing was written",
                             t->zName, w->a[i].zKey);
      goto fail_all;
    }
  }
  rc = SQLITE_NOMEM;
  if (!req || !(items = cJSON_AddArrayToObject(req, "TransactItems"))) goto done;
  for (i = 0; i < w->n; i++) {
    const dyn_write *x = &w->a[i];
    cJSON *op = cJSON_CreateObject(), *body;
    const char *zOp;
    if (!op) goto done;
    cJSON_AddItemToArray(items, op);
    if (x->kind == W_DELETE) body = conditioned(x->payload, t, "Key", 0), zOp = "Delete";
    else if (x->kind == W_UPDATE) body = single_request(x, t, &zOp), zOp = "Update";
    else if (x->cond == WC_REPLACE) body = conditioned(x->payload, t, "Item", 0), zOp = "Put";
    else body = single_request(x, t, &zOp), zOp = "Put";
    if (!body) goto done;
    cJSON_DeleteItemFromObjectCaseSensitive(body, "ReturnValuesOnConditionCheckFailure");
    cJSON_AddItemToObject(op, zOp, body);
  }
  /* the same token makes a retry after a lost response harmless */
  sqlite3_randomness(sizeof(rnd), rnd);
  for (i = 0; i < 16; i++) sqlite3_snprintf(3, token + 2 * i, "%02x", rnd[i]);
  cJSON_AddStringToObject(req, "ClientRequestToken", token);
  job.zOp = "TransactWriteItems";
  job.req = req;
  rc = ddb_run(c, t->zTable, &pJob, 1);
  if (rc == SQLITE_OK) rc = job.rc;
  if (rc == SQLITE_OK) {
    for (i = 0; i < w->n; i++) w->a[i].state = WS_DONE;
    goto done;
  }
  if (rc == SQLITE_INTERRUPT) { /* all of them or none: which, unknown once sent */
    for (i = 0; i < w->n; i++) set_stopped(&w->a[i], &job);
    rc = SQLITE_OK;
    goto done;
  }
  if (rc == SQLITE_NOMEM || !job.zErr) goto done;
  if (strcmp(job.zType, "TransactionCanceledException") == 0) {
    if (!(zErr = cancelled(w, t, &job, &constraint))) {
      rc = SQLITE_NOMEM;
      goto done;
    }
  } else {
    zErr = job.zErr;
    job.zErr = 0;
  }
fail_all:
  rc = SQLITE_OK;
  for (i = 0; i < w->n; i++) {
    set_failed(&w->a[i], i == 0 ? zErr : 0, constraint);
  }
  zErr = 0;
done:
  sqlite3_free(zErr);
  sqlite3_free(aWave);
  cJSON_Delete(req);
  ddb_job_clear(&job);
  return rc;
}

/* Up to FAILURES_SHOWN keys of the writes stopped as `stopped` (a write
** still pending counts as unsent). */
static void list_stopped(sqlite3_str *s, const dyn_writer *w, int stopped, int n,
                         const char *zWhat) {
  int i, nShown = 0;
  if (n == 0) return;
  sqlite3_str_appendf(s, "; %s: ", zWhat);
  for (i = 0; i < w->n && nShown < FAILURES_SHOWN; i++) {
    const dyn_write *x = &w->a[i];
    if (x->stopped == stopped || (stopped == STOP_UNSENT && x->state == WS_PENDING)) {
      sqlite3_str_appendf(s, "%s%s", nShown++ ? ", " : "", x->zKey);
    }
  }
  if (n > nShown) sqlite3_str_appendf(s, " and %d more", n - nShown);
}

/* The message of an interrupted flush: how many writes were done, sent
** but not confirmed (a request in flight, or one waiting to be retried:
** they may have been made), or not made (never sent, or left unprocessed
** by a batch), and which. */
static int summarize_interrupt(const dyn_writer *w, const write_table *t, char **pzErr) {
  int i, nDone = 0, nUnmade = 0, nUnconfirmed = 0, nFailed = 0;
  sqlite3_str *s = sqlite3_str_new(0);
  for (i = 0; i < w->n; i++) {
    const dyn_write *x = &w->a[i];
    if (x->state == WS_DONE) nDone++;
    else if (x->stopped == STOP_UNANSWERED) nUnconfirmed++;
    else if (x->stopped == STOP_UNSENT || x->state == WS_PENDING) nUnmade++;
    else nFailed++;
  }
  if (t->atomic) {
    sqlite3_str_appendf(s, "dynamo: atomic transaction on %s interrupted: %s", t->zName,
                        nUnconfirmed ? "its TransactWriteItems was sent but not confirmed: all "
                                       "of its writes or none were made"
                                     : "nothing was sent, nothing was written");
  } else {
    sqlite3_str_appendf(s, "dynamo: writing to %s interrupted: %d of %d writes done, %d sent "
                        "but not confirmed (they may have been made), %d not made",
                        t->zName, nDone, w->n, nUnconfirmed, nUnmade);
    if (nFailed) sqlite3_str_appendf(s, ", %d failed", nFailed);
    list_stopped(s, w, STOP_UNSENT, nUnmade, "not made");
    list_stopped(s, w, STOP_UNANSWERED, nUnconfirmed, "not confirmed");
  }
  *pzErr = sqlite3_str_finish(s);
  return *pzErr ? SQLITE_INTERRUPT : SQLITE_NOMEM;
}

/* The message of a flush with failures. */
static int summarize(dyn_writer *w, const write_table *t, char **pzErr) {
  int i, nFailed = 0, nConstraint = 0, nShown = 0;
  sqlite3_str *s;
  const dyn_write *only = 0;
  for (i = 0; i < w->n; i++) {
    if (w->a[i].stopped) return summarize_interrupt(w, t, pzErr);
  }
  for (i = 0; i < w->n; i++) {
    if (w->a[i].state == WS_DONE) continue;
    nFailed++;
    nConstraint += w->a[i].constraint;
    only = &w->a[i];
  }
  if (nFailed == 0) return SQLITE_OK;
  if (w->n == 1 && only->zErr) {
    *pzErr = sqlite3_mprintf("%s", only->zErr);
  } else if (t->atomic) {
    *pzErr = sqlite3_mprintf("%s", w->a[0].zErr ? w->a[0].zErr : "dynamo: atomic write failed");
  } else {
    s = sqlite3_str_new(0);
    sqlite3_str_appendf(s, "dynamo: writing to %s: %d of %d writes failed, %d done", t->zName,
                        nFailed, w->n, w->n - nFailed);
    for (i = 0; i < w->n; i++) {
      const dyn_write *x = &w->a[i];
      if (x->state == WS_DONE) continue;
      if (nShown++ == FAILURES_SHOWN) {
        sqlite3_str_appendf(s, "; and %d more", nFailed - FAILURES_SHOWN);
        break;
      }
      sqlite3_str_appendf(s, "; %s: %s", x->zKey, x->zErr ? x->zErr : "(no message)");
    }
    *pzErr = sqlite3_str_finish(s);
  }
  if (!*pzErr) return SQLITE_NOMEM;
  return nConstraint == nFailed ? SQLITE_CONSTRAINT : SQLITE_ERROR;
}

int writer_flush(dyn_writer *w, ddb_client *c, const write_table *t, char **pzErr) {
  int rc = SQLITE_OK, i, nWave = 0, *aWave = 0;
  char **az = 0;
  if (w->n == 0) return SQLITE_OK;
  if (t->atomic) {
    rc = send_atomic(w, c, t);
  } else {
    aWave = sqlite3_malloc64(sizeof(int) * (w->n + 1));
    az = sqlite3_malloc64(sizeof(char *) * (w->n + 1));
    if (!aWave || !az) {
      rc = SQLITE_NOMEM;
      goto done;
    }
    for (i = 0; i < w->n; i++) az[i] = w->a[i].zKey;
    if ((rc = write_waves(az, w->n, aWave)) != SQLITE_OK) goto done;
    for (i = 0; i < w->n; i++) {
      if (aWave[i] + 1 > nWave) nWave = aWave[i] + 1;
    }
    for (i = 0; rc == SQLITE_OK && i < nWave; i++) rc = send_wave(w, c, t, aWave, i);
  }
  if (rc == SQLITE_INTERRUPT) rc = summarize_interrupt(w, t, pzErr);
  else if (rc == SQLITE_OK) rc = summarize(w, t, pzErr);
done:
  sqlite3_free(aWave);
  sqlite3_free(az);
  writer_discard(w);
  return rc;
}
