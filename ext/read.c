/*
** read.c: the cursor of a dynamo table (see table.h).
**
** xFilter decodes the plan (plan_decode), has request.c build the request,
** and starts one stream of pages: the table's, a partition's, or one per
** segment of a parallel Scan (one per BatchGetItem request of a GetItem
** over many keys). Each stream re-sends its request with ExclusiveStartKey
** set from each LastEvaluatedKey until a page comes without one; pages
** with zero items are followed like any other. With prefetch, a stream's
** next page is asked for as soon as its current one arrives, while SQLite
** reads it. For an IN list, the partition-key value (":v0" in the Query,
** or the key in GetItem) is replaced for each value in turn.
*/
#include "table.h"
#include "retry.h"
#include "attrval.h"
#include "cost.h"
#include "http.h"
#include "filter.h"

#include <string.h>

#define RAMP_FIRST 25     /* PLAN_RAMP: the first page's Limit, */
#define RAMP_GROWTH 4     /* times this for each further page, */
#define RAMP_LAST 1600    /* until pages are as big as DynamoDB makes them */
#define MAX_STREAMS HTTP_MAX_IN_FLIGHT /* chains of pages read at once */

/* One chain of pages at a time, for one unit of the read after another:
** a partition key (Query, GetItem), a segment (Scan), or up to 100 keys
** (BatchGetItem). A stream takes the next unit when its chain ends, so
** that up to MAX_STREAMS chains are in flight together. */
typedef struct dyn_stream {
  cJSON *req;          /* its request; ExclusiveStartKey set page by page */
  ddb_job job;         /* the page in flight (or the last one) */
  int more;            /* its unit has a next page, not asked for yet */
  int nRamp;           /* PLAN_RAMP: Limit of the next page, 0 = none */
} dyn_stream;

typedef struct dyn_cursor {
  sqlite3_vtab_cursor base;
  int flags;           /* the plan's idxNum, as run */
  read_request r;      /* its keys and key slot (r.req: moved to the streams) */
  dyn_stream *aStream; /* one, or several reading units side by side */
  int nStream;
  sqlite3_int64 nSegTotal; /* a Scan's TotalSegments (1: none sent) */
  sqlite3_int64 iSeg;  /* the next segment to read, */
  sqlite3_int64 iSegEnd; /* and one past the last */
  int prefetch;        /* ask for a stream's next page as soon as its
                       ** current one arrives */
  int nUnprocessed;    /* batch: responses in a row that left keys unread */
  sqlite3_int64 msUnprocessed; /* batch: the backoff they have cost */
  cJSON *resp;         /* the current page */
  cJSON *item;         /* the current item: in resp, or when zPage is set
                       ** parsed from it and owned here */
  char *zPage;         /* a split page's body (page.h), items still text */
  page_items items;
  sqlite3_int64 nCount;/* PLAN_COUNT: rows of the page still to produce */
  sqlite3_int64 iRowid;
  int eof;
  sqlite3_value **apPin; /* PLAN_COUNT with a filter: the value each column
                       ** is pinned to (plan.c pinned_columns), NULL: none */
  int iPinKey;         /* PLAN_COUNT of a Query: the column of its partition
                       ** key, which pinKey holds for the page's rows */
  cJSON *pinKey;
  read_request full;   /* PLAN_COUNT of a Query: the same read, items and
                       ** all, for when SQLite reads _key after all */
  int fromCache;       /* the rows are items of resp, an array (cache.c) */
} dyn_cursor;

static dyn_vtab *vtab_of(const dyn_cursor *c) {
  return (dyn_vtab *)c->base.pVtab;
}

static int op_of(const dyn_cursor *c) {
  return c->flags & PLAN_OP_MASK;
}

int read_open(dyn_vtab *v, sqlite3_vtab_cursor **ppCur) {
  dyn_cursor *c = sqlite3_malloc(sizeof(*c));
  (void)v;
  if (!c) return SQLITE_NOMEM;
  memset(c, 0, sizeof(*c));
  c->eof = 1;
  *ppCur = &c->base;
  return SQLITE_OK;
}

static void cursor_reset(dyn_cursor *c) {
  dyn_vtab *v = vtab_of(c);
  int i;
  for (i = 0; i < c->nStream; i++) {
    dyn_stream *st = &c->aStream[i];
    if (st->job.active) ddb_abandon(v->client, &st->job);
    ddb_job_clear(&st->job);
    cJSON_Delete(st->req);
  }
  sqlite3_free(c->aStream);
  request_clear(&c->r);
  cJSON_Delete(c->resp);
  if (c->zPage) cJSON_Delete(c->item);
  sqlite3_free(c->zPage);
  c->zPage = 0;
  ddb_recycle(v->client, 0);
  c->aStream = 0;
  c->nStream = 0;
  c->nSegTotal = c->iSeg = c->iSegEnd = 0;
  c->resp = c->item = 0;
  c->nCount = 0;
  c->nUnprocessed = 0;
  c->msUnprocessed = 0;
  c->eof = 1;
  for (i = 0; c->apPin && i < v->ncol; i++) sqlite3_value_free(c->apPin[i]);
  sqlite3_free(c->apPin);
  c->apPin = 0;
  cJSON_Delete(c->pinKey);
  c->pinKey = 0;
  request_clear(&c->full);
  c->fromCache = 0;
}

int read_close(sqlite3_vtab_cursor *cur) {
  dyn_cursor *c = (dyn_cursor *)cur;
  cursor_reset(c);
  sqlite3_free(c);
  return SQLITE_OK;
}

/* Ask for a stream's next page (its request as it is now). */
static int start_page(dyn_cursor *c, dyn_stream *st) {
  dyn_vtab *v = vtab_of(c);
  int rc;
  ddb_job_clear(&st->job);
  st->more = 0;
  st->job.zOp = c->r.zOp;
  st->job.req = st->req;
  st->job.delayMs = 0;
  st->job.split = !c->r.batch && !(c->flags & PLAN_COUNT) && op_of(c) != PLAN_GET;
  if (c->nUnprocessed > 0) { /* keys left unread: back off, as the SDKs do */
    st->job.delayMs = ddb_unprocessed_delay_ms(c->nUnprocessed);
    c->msUnprocessed += st->job.delayMs;
  }
  if (st->nRamp) { /* PLAN_RAMP: this page's Limit */
    cJSON_DeleteItemFromObjectCaseSensitive(st->req, "Limit");
    cJSON_AddNumberToObject(st->req, "Limit", st->nRamp);
  }
  if ((rc = table_client(v)) != SQLITE_OK) return rc;
  return ddb_start(v->client, v->args.table, &st->job);
}

/* Replace (or add) a number member of a request. */
static int set_number(cJSON *req, const char *zName, sqlite3_int64 n) {
  cJSON *e = cJSON_CreateNumber((double)n);
  if (!e) return 0;
  if (cJSON_GetObjectItemCaseSensitive(req, zName)) {
    return cJSON_ReplaceItemInObjectCaseSensitive(req, zName, e);
  }
  return cJSON_AddItemToObject(req, zName, e);
}

/* Give a stream the next unit of the read: the next partition key (into
** the request's key slot), Scan segment, or keys of a BatchGetItem; each
** starts from its first page (and small, with PLAN_RAMP). 0 when none is
** left; -1 when out of memory. */
static int next_unit(dyn_cursor *c, dyn_stream *st) {
  dyn_vtab *v = vtab_of(c);
  cJSON *k, *slot;
  cJSON_DeleteItemFromObjectCaseSensitive(st->req, "ExclusiveStartKey");
  st->nRamp = (c->flags & PLAN_RAMP) ? RAMP_FIRST : 0;
  if (c->r.batch) return request_next_batch(v, st->req, c->r.keys);
  if (op_of(c) == PLAN_SCAN) {
    if (c->iSeg >= c->iSegEnd) return 0;
    if (c->nSegTotal > 1 && (!set_number(st->req, "Segment", c->iSeg) ||
                             !set_number(st->req, "TotalSegments", c->nSegTotal))) {
      return -1;
    }
    c->iSeg++;
    return 1;
  }
  if (!(k = cJSON_DetachItemFromArray(c->r.keys, 0))) return 0;
  slot = c->r.zKeyIn ? cJSON_GetObjectItemCaseSensitive(st->req, c->r.zKeyIn) : st->req;
  assert(slot && cJSON_GetObjectItemCaseSensitive(slot, c->r.zKeySlot));
  return cJSON_ReplaceItemInObjectCaseSensitive(slot, c->r.zKeySlot, k) ? 1 : -1;
}

/* A BatchGetItem answer has come: its items are the rows; the keys it left
** unprocessed go first into the next request (after a backoff), for at most
** DDB_UNPROCESSED_ROUNDS answers in a row and the client's retry time. */
static int take_batch(dyn_cursor *c) {
  dyn_vtab *v = vtab_of(c);
  const cJSON *r = cJSON_GetObjectItemCaseSensitive(c->resp, "Responses");
  const cJSON *items = cJSON_IsObject(r) ? cJSON_GetObjectItemCaseSensitive(r, v->args.table) : 0;
  cJSON *u = cJSON_GetObjectItemCaseSensitive(c->resp, "UnprocessedKeys"), *left = 0, *k;
  if (cJSON_IsObject(u) && cJSON_IsObject(u = cJSON_GetObjectItemCaseSensitive(u, v->args.table))) {
    left = cJSON_GetObjectItemCaseSensitive(u, "Keys");
  }
  if ((r && !cJSON_IsObject(r)) || (items && !cJSON_IsArray(items)) || (left && !cJSON_IsArray(left)) ||
      (items && items->child && !cJSON_IsObject(items->child))) {
    return table_error(v, SQLITE_ERROR,
                       sqlite3_mprintf("dynamo: BatchGetItem on %s: malformed response", v->args.table));
  }
  c->item = items ? items->child : 0;
  if (!left || !left->child) {
    c->nUnprocessed = 0;
    c->msUnprocessed = 0;
    return SQLITE_OK;
  }
  if (retry_unprocessed_give_up(c->nUnprocessed + 1, c->msUnprocessed, ddb_retry_ms(v->client))) {
    return table_error(v, SQLITE_ERROR,
                       sqlite3_mprintf("dynamo: BatchGetItem on %s: %d keys still unprocessed "
                                       "after %d rounds (%lld ms of backoff)",
                                       v->args.table,
                                       cJSON_GetArraySize(left) + cJSON_GetArraySize(c->r.keys),
                                       c->nUnprocessed + 1, (long long)c->msUnprocessed));
  }
  c->nUnprocessed++;
  while ((k = cJSON_DetachItemFromArray(left, cJSON_GetArraySize(left) - 1)) != 0) {
    cJSON_InsertItemInArray(c->r.keys, 0, k); /* appends to an empty list */
  }
  return SQLITE_OK;
}

/* A page has come: make it current and note (or ask for) the next one. */
static int take_page(dyn_cursor *c, dyn_stream *st) {
  dyn_vtab *v = vtab_of(c);
  cJSON *lek;
  if (st->job.rc != SQLITE_OK) {
    int rc = st->job.rc;
    char *zErr = st->job.zErr;
    st->job.zErr = 0;
    return zErr ? table_error(v, rc, zErr) : rc;
  }
  c->resp = st->job.resp;
  c->zPage = st->job.zPage;
  c->items = st->job.items;
  st->job.resp = 0;
  st->job.zPage = 0;
  if (c->r.batch) return take_batch(c);
  if (op_of(c) == PLAN_GET) {
    c->item = cJSON_GetObjectItemCaseSensitive(c->resp, "Item");
    if (c->item && !cJSON_IsObject(c->item)) goto malformed;
    return SQLITE_OK;
  } else if (c->flags & PLAN_COUNT) {
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(c->resp, "Count");
    if (n && (!cJSON_IsNumber(n) || n->valuedouble < 0)) goto malformed;
    c->nCount = n ? (sqlite3_int64)n->valuedouble : 0;
    if (op_of(c) == PLAN_QUERY) { /* every row: the partition asked for */
      const cJSON *vals = cJSON_GetObjectItemCaseSensitive(st->req, c->r.zKeyIn);
      cJSON_Delete(c->pinKey);
      c->pinKey = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(vals, c->r.zKeySlot), 1);
      if (!c->pinKey) return SQLITE_NOMEM;
    }
  } else {
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(c->resp, "Items");
    if (items && !cJSON_IsArray(items)) goto malformed;
    if (c->zPage) {
      if (page_next(&c->items, &c->item) != SQLITE_OK) goto malformed;
    } else {
      c->item = items ? items->child : 0;
    }
    if (c->item && !cJSON_IsObject(c->item)) goto malformed;
  }
  lek = cJSON_DetachItemFromObjectCaseSensitive(c->resp, "LastEvaluatedKey");
  if (lek && !cJSON_IsObject(lek)) { /* null, or not a key: no next page */
    cJSON_Delete(lek);
    lek = 0;
  }
  if (lek) {
    cJSON_DeleteItemFromObjectCaseSensitive(st->req, "ExclusiveStartKey");
    cJSON_AddItemToObject(st->req, "ExclusiveStartKey", lek);
    if (st->nRamp) { /* PLAN_RAMP: pages grow up to DynamoDB's own size */
      st->nRamp *= RAMP_GROWTH;
      if (st->nRamp > RAMP_LAST) {
        st->nRamp = 0;
        cJSON_DeleteItemFromObjectCaseSensitive(st->req, "Limit");
      }
    }
    if (c->prefetch) return start_page(c, st); /* while SQLite reads this one */
    st->more = 1;
  }
  return SQLITE_OK;
malformed:
  return table_error(v, SQLITE_ERROR,
                     sqlite3_mprintf("dynamo: %s on %s: malformed response (Items)", c->r.zOp,
                                     v->args.table));
}

/* Move to the next row: the next item of the page, the next page of any
** stream, or the next partition key, skipping pages that hold no item. */
static int advance(dyn_cursor *c, int first) {
  dyn_vtab *v = vtab_of(c);
  int rc, i;
  if (!first && c->nCount > 0) {
    c->nCount--;
  } else if (!first && c->item) {
    if (op_of(c) == PLAN_GET && !c->r.batch && !c->fromCache) {
      c->item = 0; /* one Item, not an array */
    } else {
      rc = SQLITE_OK;
      if (c->zPage) { /* a split page: the item read is done with */
        cJSON_Delete(c->item);
        rc = page_next(&c->items, &c->item);
      } else {
        c->item = c->item->next;
      }
      if (rc != SQLITE_OK || (c->item && !cJSON_IsObject(c->item))) {
        return table_error(v, SQLITE_ERROR,
                           sqlite3_mprintf("dynamo: %s on %s: malformed item in the response",
                                           c->r.zOp, v->args.table));
      }
    }
  }
  for (;;) {
    ddb_job *apJob[MAX_STREAMS];
    if (c->item || c->nCount > 0) {
      /* now and then, let a prefetched page come in while SQLite reads */
      if ((++c->iRowid & 63) == 0 && c->prefetch) return ddb_progress(v->client);
      return SQLITE_OK;
    }
    ddb_recycle(v->client, c->resp);
    sqlite3_free(c->zPage);
    c->resp = 0;
    c->zPage = 0;
    if (c->nStream == 0) { /* answered from the table's copy: done */
      c->eof = 1;
      return SQLITE_OK;
    }
    /* every stream not waiting for a page asks for its unit's next one, or
    ** takes the next unit */
    for (i = 0; i < c->nStream; i++) {
      dyn_stream *st = &c->aStream[i];
      int go = 0;
      if (!st->job.active && !(go = st->more) && (go = next_unit(c, st)) < 0) return SQLITE_NOMEM;
      if (go && (rc = start_page(c, st)) != SQLITE_OK) return rc;
      apJob[i] = &st->job;
    }
    if ((rc = ddb_wait_any(v->client, apJob, c->nStream, &i)) != SQLITE_OK) return rc;
    if (i < 0) { /* nothing in flight, nothing left */
      c->eof = 1;
      return SQLITE_OK;
    }
    if ((rc = take_page(c, &c->aStream[i])) != SQLITE_OK) return rc;
  }
}

/* The streams of a read, each with its own copy of req (taken over). */
static int make_streams(dyn_cursor *c, int n, cJSON *req) {
  int i;
  assert(n >= 1 && n <= MAX_STREAMS);
  c->aStream = sqlite3_malloc64(sizeof(dyn_stream) * n);
  if (!c->aStream) {
    cJSON_Delete(req);
    return SQLITE_NOMEM;
  }
  memset(c->aStream, 0, sizeof(dyn_stream) * n);
  c->nStream = n;
  c->aStream[0].req = req;
  for (i = 1; i < n; i++) {
    if (!(c->aStream[i].req = cJSON_Duplicate(req, 1))) return SQLITE_NOMEM; /* cursor_reset frees */
  }
  return SQLITE_OK;
}

/*
** How many segments a Scan is cut into (TotalSegments): the segments=
** option; else one for a read that may stop early (LIMIT, or pages that
** ramp up); else, for a full read, one per MB of the table as DescribeTable
** reports it (cost_segments: at most 4; one when the size is not known).
** A segment of 1 MB is about one page: a Scan of a few pages is then about
** one round trip deep rather than a chain of pages one after another, which
** is what a full read costs across the wide area, while the requests (and
** the capacity, rounded per request) stay about those of one chain. More
** segments would not make a large table's read faster than the link
** allows, and each holds a page in memory (see ARCHITECTURE.md, "Scan
** segments").
*/
static sqlite3_int64 scan_segments(dyn_vtab *v, int flags) {
  if (v->args.segments > 0) return v->args.segments;
  if (flags & (PLAN_LIMIT | PLAN_RAMP)) return 1;
  table_size(v);
  return cost_segments(v->nBytes);
}

/* The streams a read needs: a Scan's segments (this connection's share of
** them, segment=), BatchGetItem's requests, or with prefetch (a full read)
** an IN list's partitions, up to MAX_STREAMS side by side. */
static int stream_count(dyn_cursor *c, dyn_vtab *v) {
  sqlite3_int64 n;
  if (c->r.batch) {
    n = (cJSON_GetArraySize(c->r.keys) + DDB_BATCH_GET_KEYS - 1) / DDB_BATCH_GET_KEYS;
  } else if (op_of(c) == PLAN_SCAN) {
    c->nSegTotal = scan_segments(v, c->flags);
    c->iSeg = v->args.segment_first >= 0 ? v->args.segment_first : 0;
    c->iSegEnd = v->args.segment_first >= 0 ? v->args.segment_last + 1 : c->nSegTotal;
    n = c->iSegEnd - c->iSeg;
  } else {
    n = c->prefetch ? cJSON_GetArraySize(c->r.keys) : 1;
  }
  return n < 1 ? 1 : n > MAX_STREAMS ? MAX_STREAMS : (int)n;
}

/* A count with a filter: the values its exact equalities pin the columns
** to, which every item counted holds (xColumn gives them). */
static int pin_values(dyn_cursor *c, const plan_args *p) {
  dyn_vtab *v = vtab_of(c);
  int i;
  if (!(c->apPin = sqlite3_malloc64(sizeof(sqlite3_value *) * (v->ncol + 1)))) return SQLITE_NOMEM;
  memset(c->apPin, 0, sizeof(sqlite3_value *) * (v->ncol + 1));
  for (i = 0; i < p->nFilter; i++) {
    const plan_filter *f = &p->aFilter[i];
    if (!f->exact || f->op != FILTER_EQ || c->apPin[f->iCol]) continue;
    if (!(c->apPin[f->iCol] = sqlite3_value_dup(f->value))) return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

/* The error when scans are off and the plan is one. */
static int scan_refused(dyn_vtab *v, const char *idxStr, const plan_args *p) {
  return table_error(v, SQLITE_ERROR,
                     sqlite3_mprintf("dynamo: this query would read all of %s with a Scan: "
                                     "%.*s; scans are off (%s): give %s with = (the partition "
                                     "key), or allow scans with scan=1 or "
                                     "SELECT dynamo_config('scan', 1)",
                                     v->args.table, p->nWords, idxStr,
                                     v->args.scan == 0 ? "scan=0" : "dynamo_config('scan', 0)",
                                     v->aCol[v->pk].name));
}

int read_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc,
                sqlite3_value **argv) {
  dyn_cursor *c = (dyn_cursor *)cur;
  dyn_vtab *v = vtab_of(c);
  plan_args p;
  cJSON *req, *items = 0;
  int rc, nStream;
  cursor_reset(c);
  rc = plan_decode(idxNum, idxStr, argc, argv, v->ncol, &p);
  if (rc != SQLITE_OK) {
    if (rc == SQLITE_NOMEM) return rc;
    return table_error(v, rc, sqlite3_mprintf("dynamo: %s: the plan %s does not match its %d "
                                              "arguments (an internal error)",
                                              v->zName, idxStr ? idxStr : "NULL", argc));
  }
  /* a connection reads its own writes: send what is pending first (not in
  ** an atomic transaction, which is sent whole at the commit) */
  if (!v->args.atomic && (rc = table_flush(v)) != SQLITE_OK) goto done;
  if (p.op == PLAN_SCAN && !(v->args.scan >= 0 ? v->args.scan : conn_scan_allowed(v->conn))) {
    rc = scan_refused(v, idxStr, &p);
    goto done;
  }
  if ((p.flags & (PLAN_KEYLESS | PLAN_COUNT)) && table_write_running(v->db)) {
    p.flags &= ~(PLAN_KEYLESS | PLAN_COUNT); /* the write reads _key */
  }
  c->flags = p.flags;
  c->iRowid = 0;
  if ((p.flags & PLAN_COUNT) && p.nFilter && (rc = pin_values(c, &p)) != SQLITE_OK) goto done;
  rc = request_build(v, &p, &c->r);
  if (rc == SQLITE_DONE) { /* no row can match: nothing to send */
    rc = SQLITE_OK;
    goto done;
  }
  if (rc != SQLITE_OK) goto done;
  if ((p.flags & PLAN_COUNT) && p.op == PLAN_QUERY) {
    /* the same read with its items, should SQLite read _key after all */
    read_keys rk;
    p.flags &= ~PLAN_COUNT;
    rc = request_build(v, &p, &c->full);
    p.flags |= PLAN_COUNT;
    if (rc != SQLITE_OK && rc != SQLITE_DONE) goto done;
    catalog_keys(v, p.iIndex, &rk);
    c->iPinKey = rk.pk;
  }
  /* a lookup the statement's copy of the table answers (cache.c) */
  if ((rc = cache_lookup(v, &p, &c->r, &items)) != SQLITE_OK) goto done;
  if (items) {
    c->resp = items;
    c->item = items->child;
    c->fromCache = 1;
    c->eof = 0;
    rc = advance(c, 1);
    plan_args_clear(&p);
    return rc;
  }
  c->prefetch = p.op != PLAN_GET && !(p.flags & (PLAN_LIMIT | PLAN_RAMP));
  nStream = stream_count(c, v);
  req = c->r.req;
  c->r.req = 0; /* the streams own it now */
  if ((rc = make_streams(c, nStream, req)) != SQLITE_OK) goto done;
  c->eof = 0;
  rc = advance(c, 1);
  plan_args_clear(&p);
  return rc;
done:
  plan_args_clear(&p);
  cursor_reset(c);
  return rc;
}

/* SQLite reads _key of a Query that only counts (to merge the branches of
** an OR, which it does not tell xBestIndex): on the first row, read the
** items after all, from the first. */
static int uncount(dyn_cursor *c) {
  dyn_vtab *v = vtab_of(c);
  read_request full = c->full;
  int flags = c->flags & ~PLAN_COUNT, rc;
  cJSON *req;
  memset(&c->full, 0, sizeof(c->full));
  cursor_reset(c);
  c->r = full;
  c->flags = flags;
  c->prefetch = !(flags & (PLAN_LIMIT | PLAN_RAMP));
  c->iRowid = 0;
  if (!c->r.req) return SQLITE_OK; /* no row can match now: eof */
  req = c->r.req;
  c->r.req = 0;
  if ((rc = make_streams(c, stream_count(c, v), req)) != SQLITE_OK) return rc;
  c->eof = 0;
  return advance(c, 1);
}

int read_next(sqlite3_vtab_cursor *cur) {
  return advance((dyn_cursor *)cur, 0);
}

const cJSON *read_item(sqlite3_vtab_cursor *cur) {
  return ((dyn_cursor *)cur)->item;
}

int read_eof(sqlite3_vtab_cursor *cur) {
  return ((dyn_cursor *)cur)->eof;
}

/* The _key column: the item's key attributes as DynamoDB JSON, partition
** key first, so that one item always gives the same text (the same text as
** the writer's, attrval.h). */
static int key_result(const dyn_vtab *v, const dyn_cursor *c, sqlite3_context *ctx) {
  char *z = 0;
  int rc = av_key_text(c->item, v->aCol[v->pk].name, v->sk >= 0 ? v->aCol[v->sk].name : 0, &z);
  if (rc == SQLITE_OK) {
    sqlite3_result_text(ctx, z, -1, sqlite3_free);
  } else if (rc == SQLITE_ERROR) {
    sqlite3_result_error(ctx, "dynamo: an item in the response lacks its key", -1);
  } else {
    sqlite3_result_error_nomem(ctx);
  }
  return rc;
}

int read_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i) {
  dyn_cursor *c = (dyn_cursor *)cur;
  dyn_vtab *v = vtab_of(c);
  /* SQLite's column numbers are ours (catalog.c checks the declaration) */
  assert(i >= 0 && i <= TABLE_KEY_COLUMN(v));
  if (i < 0 || i > TABLE_KEY_COLUMN(v)) {
    sqlite3_result_error(ctx, "dynamo: no such column", -1);
    return SQLITE_ERROR;
  }
  if (!c->item && i == TABLE_KEY_COLUMN(v) && c->full.req && c->iRowid == 1) {
    int rc = uncount(c); /* a Query that counted: its items after all */
    if (rc != SQLITE_OK) {
      sqlite3_result_error_code(ctx, rc);
      return rc;
    }
  }
  if (!c->item) { /* Select=COUNT: rows without data, which no column reads */
    if (i == TABLE_KEY_COLUMN(v)) {
      if (c->eof) return SQLITE_OK; /* uncounted, and the items are gone */
      sqlite3_result_error(ctx, "dynamo: no key in a counting Scan", -1);
      return SQLITE_ERROR;
    }
    if (c->pinKey && i == c->iPinKey) return av_result_as(ctx, c->pinKey, v->aCol[i].aff);
    if (c->apPin && i < v->ncol && c->apPin[i]) sqlite3_result_value(ctx, c->apPin[i]); /* pinned */
    return SQLITE_OK;
  }
  if (i == TABLE_KEY_COLUMN(v)) return key_result(v, c, ctx);
  if (sqlite3_vtab_nochange(ctx)) return SQLITE_OK; /* an UPDATE leaves it */
  if (i == TABLE_ITEM_COLUMN(v)) {
    char *z = cJSON_PrintUnformatted(c->item);
    if (!z) {
      sqlite3_result_error_nomem(ctx);
      return SQLITE_NOMEM;
    }
    sqlite3_result_text(ctx, z, -1, cJSON_free);
    return SQLITE_OK;
  }
  return av_result_as(ctx, cJSON_GetObjectItemCaseSensitive(c->item, v->aCol[i].name),
                      v->aCol[i].aff);
}

int read_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *pRowid) {
  *pRowid = ((dyn_cursor *)cur)->iRowid;
  return SQLITE_OK;
}
