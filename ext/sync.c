/*
** sync.c: dynamo_sync(SOURCE, COPY [, OPTIONS]) (see sync.h).
**
**   SELECT dynamo_sync('tracks', 'tracks_copy');
**   -- {"loaded":6000,"put":0,"removed":0,"expired":0,"shards":1,
**   --  "synced_at":"2026-12-06T22:56:24.778Z","lag_ms":1843}
**
** A sync that begins at T:
**   1. a copy that has none, or whose load did not end, is loaded: its
**      stream from DescribeTable (one with new images, else an error that
**      says how to enable one), every shard DescribeStream lists, none read,
**      then every item through the virtual table (copy.c);
**   2. DescribeStream of the stream the copy follows, every page: a stream
**      disabled, a view without new images, a shard gone before it was read
**      to its end, a last sync older than the records are kept: the copy is
**      stale, and so marked (reloaded only when OPTIONS says 'reload');
**   3. every shard whose parent is read to its end (or gone), side by side:
**      GetShardIterator after its last record applied (TRIM_HORIZON when
**      none), then GetRecords until a closed shard ends, an open one has
**      nothing more, or a record was written after T (by the server's
**      clock: the first answer's Date); each answer applied
**      with the shard's new position in one transaction (copy.c); an expired
**      iterator is taken again from that position;
**   4. when a shard ended, DescribeStream again for its children;
**   5. T is the copy's synced_at: every write acknowledged before T is in it.
*/
#include "sync.h"
#include "describe.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

#define SYNC_IN_FLIGHT 16   /* shards read side by side */
#define SYNC_ROUNDS 8       /* DescribeStream again after shards ended */
#define SYNC_EXPIRED 3      /* new iterators in a row after ExpiredIteratorException */
#define SYNC_EMPTY_PAGES 100 /* a closed shard's empty answers in a row: go on next time */
/* DynamoDB keeps a stream's records 24 hours; a record the copy still
** needs is younger than the last sync: an hour's margin */
#define SYNC_RETENTION_MS (23 * 3600 * 1000LL)

enum { SHARD_IDLE = 0, SHARD_ITERATOR, SHARD_RECORDS, SHARD_DONE };

typedef struct sync_shard {
  copy_shard s;      /* as the copy's state says (zSeq, finished kept current) */
  int state;         /* SHARD_* in this round */
  int read;          /* an answer came this sync */
  int nExpired, nEmpty;
  cJSON *req;
  ddb_job job;
} sync_shard;

typedef struct dyn_sync {
  sqlite3 *db;
  dyn_vtab *v;
  const char *zSource, *zCopy; /* the arguments, for the messages' hints */
  dyn_copy *copy;
  char *zArn;        /* the stream */
  sqlite3_int64 T;   /* ms since the epoch */
  sqlite3_int64 pastT; /* a record created after this (ms, the server's
                       ** clock) was written after T: the first GetRecords
                       ** answer's Date plus a second; 0: T itself */
  int reload;        /* a reload is allowed */
  sync_shard *a;
  int n;
  int gap;           /* the error is one the stream cannot heal: stale */
  char *zErr;
  char *zReloaded;   /* why it was loaded again */
  sqlite3_int64 nLoaded, nPut, nRemoved, nExpired;
  int nShards;       /* shards read */
  char **azRead;     /* their ids: a later round of this sync leaves them */
} dyn_sync;

static sqlite3_int64 now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (sqlite3_int64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fail(dyn_sync *s, const char *zFmt, ...) {
  va_list ap;
  char *z;
  va_start(ap, zFmt);
  z = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  sqlite3_free(s->zErr);
  s->zErr = z ? sqlite3_mprintf("dynamo_sync: %s: %z", copy_name(s->copy), z) : 0;
  return s->zErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* The stream cannot bring the copy up to date. */
static int gap(dyn_sync *s, const char *zFmt, ...) {
  va_list ap;
  char *z;
  va_start(ap, zFmt);
  z = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  sqlite3_free(s->zErr);
  s->zErr = z;
  s->gap = 1;
  return z ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* A request's error as the sync's (the message names the operation and the
** table, as ddb.c writes it). */
static int job_error(dyn_sync *s, ddb_job *j) {
  int rc = j->rc == SQLITE_OK ? SQLITE_ERROR : j->rc;
  sqlite3_free(s->zErr);
  s->zErr = j->zErr;
  j->zErr = 0;
  return s->zErr || rc == SQLITE_INTERRUPT ? rc : SQLITE_NOMEM;
}

/* ---- requests ------------------------------------------------------------- */

static int call(dyn_sync *s, ddb_client *c, const char *zOp, cJSON *req, cJSON **pResp,
                char *zType) {
  char *zErr = 0;
  int rc;
  if (!req) return SQLITE_NOMEM;
  rc = ddb_call(c, zOp, s->v->args.table, req, pResp, &zErr, zType);
  cJSON_Delete(req);
  if (rc != SQLITE_OK) {
    sqlite3_free(s->zErr);
    s->zErr = zErr;
  }
  return rc;
}

/* The table's stream as DescribeTable says: its ARN, its view (NULL: none
** enabled). */
static int table_stream(dyn_sync *s, describe_table *d) {
  cJSON *resp = 0;
  int rc = call(s, s->v->client, "DescribeTable", describe_request(s->v->args.table), &resp, 0);
  memset(d, 0, sizeof(*d));
  if (rc == SQLITE_OK) rc = describe_parse(resp, d);
  cJSON_Delete(resp);
  return rc;
}

/* Every page of DescribeStream. A stream that is no more is a gap. */
static int describe_stream(dyn_sync *s, streams_desc *all) {
  char zType[DDB_TYPE_SIZE];
  int rc = SQLITE_OK;
  memset(all, 0, sizeof(*all));
  do {
    streams_desc page;
    cJSON *resp = 0;
    char *zWhy = 0;
    rc = call(s, s->v->streams, "DescribeStream", streams_describe_request(s->zArn, all->zNextShard),
              &resp, zType);
    if (rc != SQLITE_OK) {
      if (rc == SQLITE_ERROR && strcmp(zType, "ResourceNotFoundException") == 0) {
        rc = gap(s, "its stream %s is no more (%s)", s->zArn, s->zErr);
      }
      break;
    }
    rc = streams_describe_parse(resp, &page, &zWhy);
    cJSON_Delete(resp);
    if (rc == SQLITE_ERROR) {
      rc = fail(s, "DescribeStream on %s: %s", s->v->args.table, zWhy);
      sqlite3_free(zWhy);
    }
    if (rc == SQLITE_OK) rc = streams_desc_add(all, &page);
  } while (rc == SQLITE_OK && all->zNextShard);
  if (rc != SQLITE_OK) streams_desc_clear(all);
  return rc;
}

/* The stream the copy follows is disabled: say whether another took its
** place (disabled and enabled again), for the message. */
static int stream_disabled(dyn_sync *s) {
  describe_table d;
  int rc = table_stream(s, &d);
  if (rc != SQLITE_OK) return rc;
  if (d.zStreamView && d.zStreamArn && strcmp(d.zStreamArn, s->zArn) != 0) {
    rc = gap(s, "the stream of %s was disabled and enabled again (now %s): the writes in "
             "between were not recorded",
             s->v->args.table, d.zStreamArn);
  } else {
    rc = gap(s, "the stream of %s is disabled: writes are not recorded", s->v->args.table);
  }
  describe_clear(&d);
  return rc;
}

/* ---- the load ------------------------------------------------------------- */

static int load(dyn_sync *s) {
  describe_table d;
  streams_desc all;
  int rc = table_stream(s, &d);
  if (rc != SQLITE_OK) return rc;
  if (!d.zStreamView || !d.zStreamArn) {
    rc = fail(s, "the DynamoDB table %s has no stream, which the copy follows: enable one with "
              "new images (aws dynamodb update-table --table-name %s --stream-specification "
              "StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES; or create the table with "
              "stream=new_and_old_images)",
              s->v->args.table, s->v->args.table);
  } else if (!streams_view_has_new_images(d.zStreamView)) {
    rc = fail(s, "the stream of %s shows %s, but the copy needs the item as each write leaves "
              "it (NEW_IMAGE or NEW_AND_OLD_IMAGES). A stream's view cannot change: disable it "
              "(aws dynamodb update-table --table-name %s --stream-specification "
              "StreamEnabled=false), then enable it with StreamEnabled=true,"
              "StreamViewType=NEW_AND_OLD_IMAGES",
              s->v->args.table, d.zStreamView, s->v->args.table);
  } else {
    sqlite3_free(s->zArn);
    s->zArn = sqlite3_mprintf("%s", d.zStreamArn);
    if (!s->zArn) rc = SQLITE_NOMEM;
  }
  describe_clear(&d);
  if (rc != SQLITE_OK) return rc;
  /* the shards before the first item is read: every write from then on is
  ** in one of them or in their children */
  if ((rc = describe_stream(s, &all)) != SQLITE_OK) return rc;
  rc = copy_load(s->copy, s->zArn, s->T, &all, &s->nLoaded, &s->zErr);
  streams_desc_clear(&all);
  return rc;
}

/* ---- reading the shards ---------------------------------------------------- */

static void shards_free(dyn_sync *s) {
  int i;
  for (i = 0; i < s->n; i++) {
    sync_shard *x = &s->a[i];
    if (x->job.active) ddb_abandon(s->v->streams, &x->job);
    ddb_job_clear(&x->job);
    cJSON_Delete(x->req);
  }
  for (i = 0; i < s->n; i++) {
    sqlite3_free(s->a[i].s.zId);
    sqlite3_free(s->a[i].s.zParent);
    sqlite3_free(s->a[i].s.zSeq);
  }
  sqlite3_free(s->a);
  s->a = 0;
  s->n = 0;
}

/* The copy's shards, as its state now says. */
static int shards_load(dyn_sync *s) {
  copy_shard *a;
  int n, i, rc;
  shards_free(s);
  if ((rc = copy_shards(s->copy, &a, &n, &s->zErr)) != SQLITE_OK) return rc;
  s->a = sqlite3_malloc64(sizeof(*s->a) * (n + 1));
  if (!s->a) {
    copy_shards_free(a, n);
    return SQLITE_NOMEM;
  }
  memset(s->a, 0, sizeof(*s->a) * (n + 1));
  for (i = 0; i < n; i++) s->a[i].s = a[i];
  s->n = n;
  sqlite3_free(a); /* its strings are s->a's now */
  return SQLITE_OK;
}

static int start(dyn_sync *s, sync_shard *x, const char *zOp, cJSON *req, int state) {
  ddb_job_clear(&x->job);
  cJSON_Delete(x->req);
  x->req = req;
  if (!req) return SQLITE_NOMEM;
  memset(&x->job, 0, sizeof(x->job));
  x->job.zOp = zOp;
  x->job.req = req;
  x->state = state;
  return ddb_start(s->v->streams, s->v->args.table, &x->job);
}

/* GetShardIterator: after the last record applied, else from the start of
** what the stream keeps. */
static int start_iterator(dyn_sync *s, sync_shard *x) {
  return start(s, x, "GetShardIterator",
               streams_iterator_request(s->zArn, x->s.zId,
                                        x->s.zSeq ? "AFTER_SEQUENCE_NUMBER" : "TRIM_HORIZON",
                                        x->s.zSeq),
               SHARD_ITERATOR);
}

static int start_records(dyn_sync *s, sync_shard *x, const char *zIter) {
  return start(s, x, "GetRecords", streams_records_request(zIter), SHARD_RECORDS);
}

/* Errors of the stream that no retry heals: records trimmed, a shard gone. */
static int shard_gone(dyn_sync *s, sync_shard *x) {
  if (strcmp(x->job.zType, "TrimmedDataAccessException") == 0) {
    return gap(s, "records of shard %s after %s were trimmed (DynamoDB keeps them 24 hours) "
               "before the copy read them",
               x->s.zId, x->s.zSeq ? x->s.zSeq : "its start");
  }
  if (strcmp(x->job.zType, "ResourceNotFoundException") == 0) {
    return gap(s, "shard %s of the stream is gone before the copy read it to its end (%s)",
               x->s.zId, x->job.zErr ? x->job.zErr : "");
  }
  return job_error(s, &x->job);
}

/* One GetRecords answer applied, with the shard's new position, in one
** transaction; then what comes next for the shard. */
static int records_done(dyn_sync *s, sync_shard *x, int *pEnded) {
  streams_records r;
  char *zWhy = 0, *zNext = 0;
  const char *zLast;
  int rc, i, pastT = 0;
  if ((rc = streams_records_parse(x->job.resp, &r, &zWhy)) != SQLITE_OK) {
    if (rc == SQLITE_ERROR) rc = fail(s, "GetRecords on %s: shard %s: %s", s->v->args.table, x->s.zId, zWhy);
    sqlite3_free(zWhy);
    return rc;
  }
  x->read = 1;
  if (!s->pastT && x->job.serverMs > 0) {
    /* The answer was sent after T and says when by the server's clock, the
    ** clock the records' creation times are on: a record created more than
    ** a second after it (the Date header's whole seconds, and the records')
    ** was written after T, whatever this machine's clock says. Comparing
    ** with T itself would stop too early on a machine whose clock is
    ** behind, leaving unread a write acknowledged before T. */
    s->pastT = x->job.serverMs + 1000;
  }
  if (r.n > 0 && x->s.zSeq && streams_seq_cmp(r.a[0].zSeq, x->s.zSeq) <= 0) {
    rc = fail(s, "GetRecords on %s: shard %s: record %s does not come after %s, the last applied",
              s->v->args.table, x->s.zId, r.a[0].zSeq, x->s.zSeq);
    streams_records_clear(&r);
    return rc;
  }
  zLast = r.n > 0 ? r.a[r.n - 1].zSeq : x->s.zSeq;
  if (r.n > 0 || !r.zNext) {
    if ((rc = copy_begin(s->copy, &s->zErr)) != SQLITE_OK) goto done;
    rc = copy_advance(s->copy, x->s.zId, x->s.zSeq, zLast, !r.zNext, &s->zErr);
    for (i = 0; rc == SQLITE_OK && i < r.n; i++) {
      const streams_record *e = &r.a[i];
      rc = copy_apply(s->copy, e, &s->zErr);
      if (e->op == STREAMS_REMOVE) s->nRemoved++;
      else s->nPut++;
      if (e->expired) s->nExpired++;
      if (e->created * 1000.0 > (double)(s->pastT ? s->pastT : s->T)) pastT = 1;
    }
    if (rc == SQLITE_OK) rc = copy_commit(s->copy, &s->zErr);
    else copy_rollback(s->copy);
    if (rc != SQLITE_OK) goto done;
    if (zLast != x->s.zSeq) {
      char *z = sqlite3_mprintf("%s", zLast);
      if (!z) {
        rc = SQLITE_NOMEM;
        goto done;
      }
      sqlite3_free(x->s.zSeq);
      x->s.zSeq = z;
    }
  }
  x->nExpired = 0;
  x->nEmpty = r.n == 0 ? x->nEmpty + 1 : 0;
  if (!r.zNext) { /* read to its end: its children may be read */
    x->s.finished = 1;
    x->state = SHARD_DONE;
    for (i = 0; i < s->n && !(s->a[i].s.zParent && strcmp(s->a[i].s.zParent, x->s.zId) == 0); i++) {
    }
    if (i == s->n) *pEnded = 1; /* its children are not known yet */
  } else if ((r.n == 0 && !x->s.closed) || pastT || x->nEmpty >= SYNC_EMPTY_PAGES) {
    x->state = SHARD_DONE; /* nothing more for now */
  } else if (!(zNext = sqlite3_mprintf("%s", r.zNext))) {
    rc = SQLITE_NOMEM;
  } else {
    rc = start_records(s, x, zNext); /* the answer (and r.zNext) is gone from here */
  }
done:
  sqlite3_free(zNext);
  streams_records_clear(&r);
  return rc;
}

/* A started request of shard x is answered. */
static int shard_answered(dyn_sync *s, sync_shard *x, int *pEnded) {
  if (x->state == SHARD_ITERATOR) {
    const char *zIter;
    char *z;
    int rc;
    if (x->job.rc != SQLITE_OK) return shard_gone(s, x);
    if (!(zIter = streams_iterator_of(x->job.resp))) {
      return fail(s, "GetShardIterator on %s: shard %s: the answer has no ShardIterator",
                  s->v->args.table, x->s.zId);
    }
    if (!(z = sqlite3_mprintf("%s", zIter))) return SQLITE_NOMEM;
    rc = start_records(s, x, z);
    sqlite3_free(z);
    return rc;
  }
  assert(x->state == SHARD_RECORDS);
  if (x->job.rc == SQLITE_OK) return records_done(s, x, pEnded);
  if (x->job.rc == SQLITE_ERROR && strcmp(x->job.zType, "ExpiredIteratorException") == 0 &&
      x->nExpired++ < SYNC_EXPIRED) {
    return start_iterator(s, x); /* again from the last record applied */
  }
  return shard_gone(s, x);
}

/* Read every shard whose parent is done, SYNC_IN_FLIGHT side by side, until
** each has nothing more for now. *pEnded: a shard was read to its end, and
** no child of it is known yet. */
static int read_shards(dyn_sync *s, int *pEnded) {
  ddb_job **ap = sqlite3_malloc64(sizeof(*ap) * (s->n + 1));
  const char **azId = sqlite3_malloc64(sizeof(*azId) * (s->n + 1));
  const char **azParent = sqlite3_malloc64(sizeof(*azParent) * (s->n + 1));
  int *aFin = sqlite3_malloc64(sizeof(*aFin) * (s->n + 1));
  int i, rc = ap && azId && azParent && aFin ? SQLITE_OK : SQLITE_NOMEM;
  for (i = 0; rc == SQLITE_OK && i < s->n; i++) {
    int k;
    ap[i] = &s->a[i].job;
    azId[i] = s->a[i].s.zId;
    azParent[i] = s->a[i].s.zParent;
    s->a[i].state = s->a[i].s.finished ? SHARD_DONE : SHARD_IDLE;
    for (k = 0; k < s->nShards && strcmp(s->azRead[k], azId[i]) != 0; k++) {
    }
    if (k < s->nShards) s->a[i].state = SHARD_DONE; /* read in an earlier round */
  }
  while (rc == SQLITE_OK) {
    int nBusy = 0, iDone = -1;
    for (i = 0; i < s->n; i++) {
      aFin[i] = s->a[i].s.finished;
      nBusy += s->a[i].state == SHARD_ITERATOR || s->a[i].state == SHARD_RECORDS;
    }
    for (i = 0; rc == SQLITE_OK && i < s->n && nBusy < SYNC_IN_FLIGHT; i++) {
      char **az;
      if (s->a[i].state != SHARD_IDLE || !streams_ready(azId, azParent, aFin, s->n, i)) continue;
      if (!(az = sqlite3_realloc64(s->azRead, sizeof(*az) * (s->nShards + 1)))) {
        rc = SQLITE_NOMEM;
        break;
      }
      s->azRead = az;
      if (!(az[s->nShards] = sqlite3_mprintf("%s", azId[i]))) {
        rc = SQLITE_NOMEM;
        break;
      }
      s->nShards++;
      rc = start_iterator(s, &s->a[i]);
      nBusy++;
    }
    if (rc != SQLITE_OK || nBusy == 0) break;
    if ((rc = ddb_wait_any(s->v->streams, ap, s->n, &iDone)) != SQLITE_OK) {
      if (rc == SQLITE_INTERRUPT) fail(s, "interrupted");
      break;
    }
    if (iDone < 0) break;
    rc = shard_answered(s, &s->a[iDone], pEnded);
  }
  for (i = 0; i < s->n; i++) { /* after an error: what is still in flight */
    if (s->a[i].job.active) ddb_abandon(s->v->streams, &s->a[i].job);
  }
  sqlite3_free(ap);
  sqlite3_free(azId);
  sqlite3_free(azParent);
  sqlite3_free(aFin);
  return rc;
}

/* ---- following the stream --------------------------------------------------- */

/* No shard is its own ancestor (the state is input, and so is the stream):
** such a shard would never be read. */
static int check_lineage(dyn_sync *s) {
  const char **azId = sqlite3_malloc64(sizeof(*azId) * (s->n + 1));
  const char **azParent = sqlite3_malloc64(sizeof(*azParent) * (s->n + 1));
  int i, rc = azId && azParent ? SQLITE_OK : SQLITE_NOMEM;
  for (i = 0; rc == SQLITE_OK && i < s->n; i++) {
    azId[i] = s->a[i].s.zId;
    azParent[i] = s->a[i].s.zParent;
  }
  for (i = 0; rc == SQLITE_OK && i < s->n; i++) {
    if (streams_in_cycle(azId, azParent, s->n, i)) {
      rc = fail(s, "shard %s is its own ancestor in dynamo_copy_shards or the stream", azId[i]);
    }
  }
  sqlite3_free(azId);
  sqlite3_free(azParent);
  return rc;
}

static int follow(dyn_sync *s) {
  const copy_state *st = copy_state_of(s->copy);
  int round, rc = SQLITE_OK, ended = 1;
  if (!s->zArn && !(s->zArn = sqlite3_mprintf("%s", st->zArn ? st->zArn : ""))) return SQLITE_NOMEM;
  if (!s->zArn[0]) return gap(s, "its state names no stream");
  if (s->T - st->readAt > SYNC_RETENTION_MS) {
    return gap(s, "it was last brought up to date %lld hours ago, and DynamoDB keeps a stream's "
               "records 24 hours: some may be gone",
               (long long)((s->T - st->readAt) / 3600000));
  }
  for (round = 0; rc == SQLITE_OK && ended && round < SYNC_ROUNDS; round++) {
    streams_desc d;
    int i, k;
    ended = 0;
    if ((rc = describe_stream(s, &d)) != SQLITE_OK) break;
    if (strcmp(d.zStatus, "DISABLED") == 0 || strcmp(d.zStatus, "DISABLING") == 0) {
      streams_desc_clear(&d);
      rc = stream_disabled(s);
      break;
    }
    if (!streams_view_has_new_images(d.zView)) {
      rc = gap(s, "its stream shows %s now, not the item as each write leaves it",
               d.zView[0] ? d.zView : "no view");
      streams_desc_clear(&d);
      break;
    }
    if ((rc = copy_begin(s->copy, &s->zErr)) == SQLITE_OK) {
      rc = copy_merge_shards(s->copy, &d, &s->zErr);
      if (rc == SQLITE_OK) rc = copy_commit(s->copy, &s->zErr);
      else copy_rollback(s->copy);
    }
    if (rc == SQLITE_OK) rc = shards_load(s);
    if (rc == SQLITE_OK) rc = check_lineage(s);
    for (i = 0; rc == SQLITE_OK && i < s->n; i++) { /* unread records trimmed away? */
      if (s->a[i].s.finished) continue;
      for (k = 0; k < d.nShard && strcmp(d.aShard[k].zId, s->a[i].s.zId) != 0; k++) {
      }
      if (k == d.nShard) {
        rc = gap(s, "shard %s of the stream is gone before the copy read it to its end: its "
                 "records were trimmed (DynamoDB keeps them 24 hours)",
                 s->a[i].s.zId);
      }
    }
    streams_desc_clear(&d);
    if (rc == SQLITE_OK) rc = read_shards(s, &ended);
  }
  if (rc == SQLITE_OK) rc = copy_synced(s->copy, s->T, now_ms() - s->T, &s->zErr);
  return rc;
}

/* ---- the function ------------------------------------------------------------ */

static int run(dyn_sync *s) {
  const copy_state *st = copy_state_of(s->copy);
  int rc, attempt, needLoad = !st->zState || strcmp(st->zState, COPY_FOLLOWING) != 0;
  if (st->zState && strcmp(st->zState, COPY_STALE) == 0) {
    if (!s->reload) return gap(s, "%s", st->zProblem ? st->zProblem : "it is stale");
    s->zReloaded = sqlite3_mprintf("%s", st->zProblem ? st->zProblem : "it was stale");
    if (!s->zReloaded) return SQLITE_NOMEM;
  } else if (st->zState && st->columnsChanged) {
    if (!s->reload) {
      return fail(s, "the columns of %s are not the copy's any more (dynamo_refresh?): "
                  "SELECT dynamo_sync(%Q, %Q, 'reload') makes the copy again",
                  s->v->zName, s->zSource, s->zCopy);
    }
    s->zReloaded = sqlite3_mprintf("the columns of %s changed", s->v->zName);
    if (!s->zReloaded) return SQLITE_NOMEM;
    needLoad = 1;
  }
  for (attempt = 0;; attempt++) {
    char *zProblem, *zErr = 0;
    if (needLoad && (rc = load(s)) != SQLITE_OK) return rc;
    if ((rc = follow(s)) == SQLITE_OK || !s->gap) return rc;
    /* the stream cannot bring the copy up to date: it is stale, and says so */
    zProblem = s->zErr;
    s->zErr = 0;
    if ((rc = copy_stale(s->copy, zProblem, &zErr)) != SQLITE_OK) {
      sqlite3_free(zProblem);
      s->gap = 0;
      s->zErr = zErr;
      return rc;
    }
    s->zErr = zProblem;
    if (!s->reload || attempt > 0) return SQLITE_ERROR;
    s->gap = 0; /* loaded again, once */
    sqlite3_free(s->zReloaded);
    if (!(s->zReloaded = sqlite3_mprintf("%s", zProblem))) return SQLITE_NOMEM;
    sqlite3_free(s->zArn);
    s->zArn = 0;
    s->nLoaded = s->nPut = s->nRemoved = s->nExpired = 0;
    while (s->nShards > 0) sqlite3_free(s->azRead[--s->nShards]);
    needLoad = 1;
  }
}

/* The message of a copy that the stream cannot bring up to date. */
static char *stale_message(dyn_sync *s) {
  return sqlite3_mprintf("dynamo_sync: %s is stale: %s. SELECT dynamo_sync(%Q, %Q, 'reload') "
                         "loads it again",
                         copy_name(s->copy), s->zErr, s->zSource, s->zCopy);
}

static char *result_json(dyn_sync *s) {
  char zTime[40];
  time_t t = (time_t)(s->T / 1000);
  struct tm tm;
  sqlite3_str *x = sqlite3_str_new(0);
  gmtime_r(&t, &tm);
  strftime(zTime, sizeof(zTime), "%Y-%m-%dT%H:%M:%S", &tm);
  sqlite3_str_appendf(x,
                      "{\"loaded\":%lld,\"put\":%lld,\"removed\":%lld,\"expired\":%lld,"
                      "\"shards\":%d,\"synced_at\":\"%s.%03dZ\",\"lag_ms\":%lld",
                      (long long)s->nLoaded, (long long)s->nPut, (long long)s->nRemoved,
                      (long long)s->nExpired, s->nShards, zTime, (int)(s->T % 1000),
                      (long long)(now_ms() - s->T));
  if (s->zReloaded) {
    cJSON *j = cJSON_CreateString(s->zReloaded);
    char *z = j ? cJSON_PrintUnformatted(j) : 0;
    if (z) sqlite3_str_appendf(x, ",\"reloaded\":%s", z);
    else sqlite3_str_reset(x);
    cJSON_free(z);
    cJSON_Delete(j);
  }
  sqlite3_str_appendall(x, "}");
  return sqlite3_str_finish(x);
}

/* "name" or "schema.name" (when schema is one of the connection's). */
static int split_name(sqlite3 *db, const char *z, char **pzSchema, char **pzName) {
  const char *zDot = strchr(z, '.');
  *pzSchema = *pzName = 0;
  if (zDot) {
    char *zSchema = sqlite3_mprintf("%.*s", (int)(zDot - z), z);
    if (!zSchema) return SQLITE_NOMEM;
    if (sqlite3_db_filename(db, zSchema) != 0) {
      *pzSchema = zSchema;
      *pzName = sqlite3_mprintf("%s", zDot + 1);
      return *pzName ? SQLITE_OK : SQLITE_NOMEM;
    }
    sqlite3_free(zSchema);
  }
  *pzName = sqlite3_mprintf("%s", z);
  return *pzName ? SQLITE_OK : SQLITE_NOMEM;
}

/* The dynamo table zName of this connection, connected (no request). */
static int find_source(sqlite3_context *ctx, const char *zSchema, const char *zName,
                       dyn_vtab **pv, char **pzErr) {
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  char *zSql = zSchema ? sqlite3_mprintf("PRAGMA \"%w\".table_info(\"%w\")", zSchema, zName)
                       : sqlite3_mprintf("PRAGMA table_info(\"%w\")", zName);
  int rc = zSql ? sqlite3_exec(db, zSql, 0, 0, 0) : SQLITE_NOMEM, nFound = 0;
  sqlite3_free(zSql);
  *pv = 0;
  if (rc != SQLITE_OK) {
    *pzErr = sqlite3_mprintf("dynamo_sync: %s", sqlite3_errmsg(db));
    return rc == SQLITE_NOMEM ? rc : SQLITE_ERROR;
  }
  *pv = table_find(sqlite3_user_data(ctx), zSchema, zName, &nFound);
  if (*pv && nFound == 1) return SQLITE_OK;
  *pzErr = nFound ? sqlite3_mprintf("dynamo_sync: %s is in more than one schema: name it, as in "
                                    "'main.%s'", zName, zName)
                  : sqlite3_mprintf("dynamo_sync: no dynamo table %s%s%s", zSchema ? zSchema : "",
                                    zSchema ? "." : "", zName);
  *pv = 0;
  return SQLITE_ERROR;
}

/*
** SELECT dynamo_sync(SOURCE, COPY [, OPTIONS]): SOURCE a dynamo table of
** this connection, COPY the ordinary table that copies it (in SOURCE's
** schema unless named schema.COPY), OPTIONS 'reload' to load the copy again
** when its stream cannot bring it up to date. Returns what it did as JSON.
*/
static void fn_sync(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char *zSource = (const char *)sqlite3_value_text(argv[0]);
  const char *zCopy = (const char *)sqlite3_value_text(argv[1]);
  const char *zOpts = argc > 2 ? (const char *)sqlite3_value_text(argv[2]) : 0;
  char *zSrcSchema = 0, *zSrcName = 0, *zCopySchema = 0, *zCopyName = 0, *zOut = 0;
  dyn_sync s;
  int rc;
  memset(&s, 0, sizeof(s));
  s.db = db;
  s.zSource = zSource;
  s.zCopy = zCopy;
  s.T = now_ms();
  if (!zSource || !zCopy) {
    sqlite3_result_error(ctx, "dynamo_sync: give the dynamo table and the name of its copy, as "
                              "in dynamo_sync('tracks', 'tracks_copy')", -1);
    return;
  }
  if (zOpts && *zOpts) {
    if (sqlite3_stricmp(zOpts, "reload") != 0) {
      char *z = sqlite3_mprintf("dynamo_sync: unknown option '%s' (options: reload)", zOpts);
      sqlite3_result_error(ctx, z ? z : "out of memory", -1);
      sqlite3_free(z);
      return;
    }
    s.reload = 1;
  }
  if ((rc = split_name(db, zSource, &zSrcSchema, &zSrcName)) == SQLITE_OK) {
    rc = split_name(db, zCopy, &zCopySchema, &zCopyName);
  }
  if (rc == SQLITE_OK) rc = find_source(ctx, zSrcSchema, zSrcName, &s.v, &s.zErr);
  if (rc == SQLITE_OK && s.v->args.segment_first >= 0) {
    /* its Scan reads a share of the table; its stream is the whole table's */
    s.zErr = sqlite3_mprintf("dynamo_sync: %s reads only segments %lld-%lld of %s's Scan "
                             "(segment=): its copy would miss the rest; copy a dynamo table "
                             "without segment=", zSource, (long long)s.v->args.segment_first,
                             (long long)s.v->args.segment_last, s.v->args.table);
    rc = s.zErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (rc == SQLITE_OK && (rc = table_streams(s.v)) != SQLITE_OK) {
    s.zErr = sqlite3_mprintf("%s", s.v->base.zErrMsg ? s.v->base.zErrMsg : "dynamo_sync: no client");
  }
  if (rc == SQLITE_OK) {
    rc = copy_open(db, s.v, zCopySchema ? zCopySchema : s.v->zDb, zCopyName, &s.copy, &s.zErr);
  }
  if (rc == SQLITE_OK) {
    conn_work_begin(s.v->conn);
    rc = run(&s);
    conn_work_end(s.v->conn);
    if (rc == SQLITE_OK && !(zOut = result_json(&s))) rc = SQLITE_NOMEM;
    if (rc != SQLITE_OK && s.gap) {
      char *z = stale_message(&s);
      sqlite3_free(s.zErr);
      s.zErr = z;
    }
  }
  if (rc == SQLITE_OK) {
    sqlite3_result_text(ctx, zOut, -1, sqlite3_free);
  } else if (rc == SQLITE_NOMEM || !s.zErr) {
    sqlite3_result_error_nomem(ctx);
  } else {
    sqlite3_result_error(ctx, s.zErr, -1);
    if (rc != SQLITE_ERROR) sqlite3_result_error_code(ctx, rc); /* BUSY, INTERRUPT */
  }
  if (s.v) shards_free(&s);
  for (rc = 0; rc < s.nShards; rc++) sqlite3_free(s.azRead[rc]);
  sqlite3_free(s.azRead);
  copy_close(s.copy);
  sqlite3_free(s.zErr);
  sqlite3_free(s.zArn);
  sqlite3_free(s.zReloaded);
  sqlite3_free(zSrcSchema);
  sqlite3_free(zSrcName);
  sqlite3_free(zCopySchema);
  sqlite3_free(zCopyName);
}

int sync_register(sqlite3 *db, dyn_conn *conn) {
  /* it sends requests with the user's credentials and writes tables: only
  ** statements the user runs, never a view or trigger stored in a file */
  int rc = sqlite3_create_function(db, "dynamo_sync", 2, SQLITE_UTF8 | SQLITE_DIRECTONLY, conn,
                                   fn_sync, 0, 0);
  if (rc == SQLITE_OK) {
    rc = sqlite3_create_function(db, "dynamo_sync", 3, SQLITE_UTF8 | SQLITE_DIRECTONLY, conn,
                                 fn_sync, 0, 0);
  }
  return rc;
}
