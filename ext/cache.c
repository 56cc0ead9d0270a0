/*
** cache.c: a statement's copy of a small table, read once (see table.h).
**
** SQLite runs the inner loop of a join, a LEFT JOIN's right side and a
** correlated subquery one outer row at a time, and it tells a virtual table
** nothing of how many rows will come: each is a GetItem (or a Query), a
** round trip, one after another. For a table of a few pages the statement
** may instead read the table once and answer the rest from memory. When to
** switch is the ski-rental problem: rent (a lookup) until what the rent has
** cost reaches the price of buying (one Scan of the table, all its segments
** side by side, cost.h): never more than twice the cheaper of the two.
**
**   -- t: 6,000 items, 1.4 MB (the plan says "read once after 40 lookups")
**   SELECT k.u, t.speed FROM k LEFT JOIN t ON t.uuid = k.u AND t.timestamp = k.ts;
**   -- 1,000 rows in k: 39 GetItems, one Scan (2 segments), 961 from memory
**
** "The statement" is the set of statements running on the connection (each
** with its run counter, sqlite3_stmt_status RUN): SQLite opens a correlated
** subquery's cursor anew for every outer row, so the copy belongs to the
** table, and a lookup made while another statement runs, or after the one
** that read it ended, never sees it. It is freed when a lookup finds the
** statements changed, when the table is written, or when the table closes.
*/
#include "table.h"
#include "attrval.h"
#include "cost.h"

#include <stdint.h>
#include <string.h>

enum { CACHE_RENT, CACHE_HELD, CACHE_OFF };

typedef struct cache_item cache_item;
struct cache_item {
  cache_item *pNextKey;   /* the next in its slot of aKey, */
  cache_item *pNextPart;  /* of aPart */
  unsigned hKey, hPart;   /* hashes of zKey and zPart */
  char *zKey;             /* av_key_text of the whole key */
  char *zPart;            /* of the partition key alone */
  char *zItem;            /* the item as JSON (its columns the statement reads) */
};                        /* one allocation: the texts follow */

struct dyn_cache {
  sqlite3_uint64 sig;     /* the statements running when it began */
  int state;              /* CACHE_* */
  double paid;            /* CACHE_RENT: what the lookups have cost */
  unsigned char *aCol;    /* CACHE_HELD: the columns its items carry */
  cache_item **aKey;      /* by the whole key, */
  cache_item **aPart;     /* by the partition key: nSlot slots each */
  int nSlot;
  int nItem;
  sqlite3_int64 nByte;    /* the memory it holds */
};

/* FNV-1a */
static unsigned hash_of(const char *z) {
  unsigned h = 2166136261u;
  while (*z) h = (h ^ (unsigned char)*z++) * 16777619u;
  return h;
}

/* The statements running on the connection, each with its run counter. */
static sqlite3_uint64 statements(sqlite3 *db) {
  sqlite3_uint64 h = 1469598103934665603ULL;
  sqlite3_stmt *st;
  for (st = sqlite3_next_stmt(db, 0); st; st = sqlite3_next_stmt(db, st)) {
    if (!sqlite3_stmt_busy(st)) continue;
    h = (h ^ (sqlite3_uint64)(uintptr_t)st) * 1099511628211ULL;
    h = (h ^ (sqlite3_uint64)sqlite3_stmt_status(st, SQLITE_STMTSTATUS_RUN, 0)) * 1099511628211ULL;
  }
  return h;
}

/* Free what the copy holds; it rents again (or stays off). */
static void clear(dyn_cache *c, int state) {
  int i;
  for (i = 0; c->aKey && i < c->nSlot; i++) {
    cache_item *x = c->aKey[i], *next;
    for (; x; x = next) {
      next = x->pNextKey;
      sqlite3_free(x);
    }
  }
  sqlite3_free(c->aKey);
  sqlite3_free(c->aPart);
  sqlite3_free(c->aCol);
  c->aKey = c->aPart = 0;
  c->aCol = 0;
  c->nSlot = c->nItem = 0;
  c->nByte = 0;
  c->paid = 0;
  c->state = state;
}

void cache_free(dyn_cache *c) {
  if (!c) return;
  clear(c, CACHE_OFF);
  sqlite3_free(c);
}

void cache_forget(dyn_vtab *v) {
  if (v->cache) clear(v->cache, CACHE_OFF);
}

/* The largest table (TableSizeBytes) the copy may be made of. */
static sqlite3_int64 bound(const dyn_vtab *v) {
  return v->args.read_once * 1024 * 1024;
}

/* May this read be answered from a copy of the table: the plan's shape
** (the same that EXPLAIN says "read once" for), and the table's state now? */
static int eligible(dyn_vtab *v, const plan_args *p) {
  if (!plan_read_once_shape(p->flags, p->iIndex, p->all, p->nFilter)) return 0;
  if (v->args.read_once <= 0 || v->nBytes <= 0 || v->nBytes > bound(v)) return 0;
  /* the copy is a Scan: never where Scans are refused, or shared out */
  if (!(v->args.scan >= 0 ? v->args.scan : conn_scan_allowed(v->conn))) return 0;
  if (v->args.segment_first >= 0) return 0;
  /* it would not see writes: none pending (atomic=1 keeps them until the
  ** commit), none by a statement running now */
  if (v->writer && writer_pending(v->writer) > 0) return 0;
  return !table_write_running(v->db);
}

/* What this read would cost, and what one Scan of the table costs. */
static void prices(const dyn_vtab *v, const plan_args *p, const read_request *r, double *pNext,
                   double *pScan) {
  cost_table t;
  cost_read x;
  double n = cJSON_GetArraySize(r->keys);
  cost_table_init(&t, v->nBytes, v->nItems, v->args.consistent_read);
  if (p->op == PLAN_GET) cost_get(&t, n, r->batch, &x);
  else cost_query(&t, n, 1, 1, &x);
  *pNext = x.cost;
  cost_scan(&t, (int)v->args.segments, &x);
  *pScan = x.cost;
}

/* Keep one item of the Scan. */
static int keep(dyn_vtab *v, dyn_cache *c, const cJSON *item) {
  const char *zPk = v->aCol[v->pk].name, *zSk = v->sk >= 0 ? v->aCol[v->sk].name : 0;
  char *zKey = 0, *zPart = 0, *zItem = 0;
  cache_item *x = 0;
  size_t nKey, nPart, nItem;
  int rc;
  if ((rc = av_key_text(item, zPk, zSk, &zKey)) != SQLITE_OK) goto done;
  if ((rc = av_key_text(item, zPk, 0, &zPart)) != SQLITE_OK) goto done;
  rc = SQLITE_NOMEM;
  if (!(zItem = cJSON_PrintUnformatted(item))) goto done;
  nKey = strlen(zKey) + 1;
  nPart = strlen(zPart) + 1;
  nItem = strlen(zItem) + 1;
  if (!(x = sqlite3_malloc64(sizeof(*x) + nKey + nPart + nItem))) goto done;
  x->zKey = (char *)&x[1];
  x->zPart = x->zKey + nKey;
  x->zItem = x->zPart + nPart;
  memcpy(x->zKey, zKey, nKey);
  memcpy(x->zPart, zPart, nPart);
  memcpy(x->zItem, zItem, nItem);
  x->hKey = hash_of(zKey);
  x->hPart = hash_of(zPart);
  if (c->nItem >= c->nSlot) { /* grow: twice the slots, the items again */
    int n = c->nSlot ? 2 * c->nSlot : 256, i;
    cache_item **aKey = sqlite3_malloc64(sizeof(*aKey) * n), **aPart = sqlite3_malloc64(sizeof(*aPart) * n);
    if (!aKey || !aPart) {
      sqlite3_free(aKey);
      sqlite3_free(aPart);
      goto done;
    }
    memset(aKey, 0, sizeof(*aKey) * n);
    memset(aPart, 0, sizeof(*aPart) * n);
    for (i = 0; i < c->nSlot; i++) {
      cache_item *y, *next;
      for (y = c->aKey[i]; y; y = next) {
        next = y->pNextKey;
        y->pNextKey = aKey[y->hKey & (n - 1)];
        aKey[y->hKey & (n - 1)] = y;
        y->pNextPart = aPart[y->hPart & (n - 1)];
        aPart[y->hPart & (n - 1)] = y;
      }
    }
    sqlite3_free(c->aKey);
    sqlite3_free(c->aPart);
    c->aKey = aKey;
    c->aPart = aPart;
    c->nByte += (sqlite3_int64)(sizeof(*aKey) * 2) * (n - c->nSlot);
    c->nSlot = n;
  }
  x->pNextKey = c->aKey[x->hKey & (c->nSlot - 1)];
  c->aKey[x->hKey & (c->nSlot - 1)] = x;
  x->pNextPart = c->aPart[x->hPart & (c->nSlot - 1)];
  c->aPart[x->hPart & (c->nSlot - 1)] = x;
  c->nItem++;
  c->nByte += (sqlite3_int64)(sizeof(*x) + nKey + nPart + nItem);
  x = 0;
  rc = SQLITE_OK;
done:
  sqlite3_free(x);
  sqlite3_free(zKey);
  sqlite3_free(zPart);
  cJSON_free(zItem);
  return rc == SQLITE_ERROR ? table_error(v, rc, sqlite3_mprintf("dynamo: Scan of %s: an item "
                                                                 "lacks its key", v->args.table))
                            : rc;
}

/* Read the table once: a Scan of the columns the plan reads (and the
** keys), in segments side by side, through a cursor of its own. SQLITE_OK
** with the copy held, or given up (it outgrew its bound); or the error. */
static int build(dyn_vtab *v, dyn_cache *c, const plan_args *p) {
  sqlite3_vtab_cursor *cur = 0;
  sqlite3_str *s = sqlite3_str_new(0);
  char *zPlan;
  int i, rc;
  sqlite3_str_appendall(s, "Scan PROJECT ");
  for (i = 0; i < p->nCol; i++) sqlite3_str_appendf(s, "%s%d", i ? "," : "", p->aCol[i]);
  if (!(zPlan = sqlite3_str_finish(s))) return SQLITE_NOMEM;
  if (!(c->aCol = sqlite3_malloc64(v->ncol + 1))) {
    sqlite3_free(zPlan);
    return SQLITE_NOMEM;
  }
  memset(c->aCol, 0, v->ncol + 1);
  for (i = 0; i < p->nCol; i++) c->aCol[p->aCol[i]] = 1;
  c->aCol[v->pk] = 1; /* the keys come with any projection (request.c) */
  if (v->sk >= 0) c->aCol[v->sk] = 1;
  c->state = CACHE_HELD;
  rc = read_open(v, &cur);
  if (rc == SQLITE_OK) {
    cur->pVtab = &v->base; /* as SQLite sets it after xOpen */
    rc = read_filter(cur, PLAN_SCAN, zPlan, 0, 0);
  }
  while (rc == SQLITE_OK && !read_eof(cur)) {
    if ((rc = keep(v, c, read_item(cur))) != SQLITE_OK) break;
    if (c->nByte > 2 * bound(v)) { /* larger than its size said: give up */
      clear(c, CACHE_OFF);
      break;
    }
    rc = read_next(cur);
  }
  if (cur) read_close(cur);
  sqlite3_free(zPlan);
  if (rc != SQLITE_OK) clear(c, CACHE_OFF);
  return rc;
}

/* Does the copy carry every column the plan reads? */
static int covers(const dyn_cache *c, const plan_args *p) {
  int i;
  for (i = 0; i < p->nCol; i++) {
    if (!c->aCol[p->aCol[i]]) return 0;
  }
  return 1;
}

/* Append to out the items whose key (whole: part 0) or partition key
** (part 1) has the text of key. */
static int answer_one(dyn_vtab *v, dyn_cache *c, const cJSON *key, int part, cJSON *out) {
  const char *zPk = v->aCol[v->pk].name, *zSk = v->sk >= 0 && !part ? v->aCol[v->sk].name : 0;
  char *zKey = 0;
  cache_item *x;
  unsigned h;
  int rc = av_key_text(key, zPk, zSk, &zKey);
  if (rc == SQLITE_ERROR) return SQLITE_OK; /* no such key: no item */
  if (rc != SQLITE_OK) return rc;
  h = hash_of(zKey);
  for (x = part ? c->aPart[h & (c->nSlot - 1)] : c->aKey[h & (c->nSlot - 1)]; x;
       x = part ? x->pNextPart : x->pNextKey) {
    cJSON *item;
    if ((part ? x->hPart : x->hKey) != h || strcmp(part ? x->zPart : x->zKey, zKey) != 0) continue;
    if (!(item = cJSON_Parse(x->zItem)) || !cJSON_AddItemToArray(out, item)) {
      cJSON_Delete(item);
      rc = SQLITE_NOMEM;
      break;
    }
  }
  sqlite3_free(zKey);
  return rc;
}

/* The items of the read r from the copy. The keys are those request.c
** made: whole keys (PLAN_KEY, BatchGetItem), partition keys into the
** GetItem's Key (with its sort key), or a Query's partition keys. */
static int answer(dyn_vtab *v, dyn_cache *c, const plan_args *p, const read_request *r,
                  cJSON **pItems) {
  cJSON *out = cJSON_CreateArray(), *k;
  const cJSON *tmpl = r->zKeyIn ? cJSON_GetObjectItemCaseSensitive(r->req, r->zKeyIn) : 0;
  int rc = out ? SQLITE_OK : SQLITE_NOMEM;
  cJSON_ArrayForEach(k, r->keys) {
    if (rc != SQLITE_OK) break;
    if (r->batch || (p->op == PLAN_GET && !tmpl)) { /* a whole key */
      rc = answer_one(v, c, k, 0, out);
    } else { /* a partition key: the Query's, or into the GetItem's Key */
      cJSON *key = p->op == PLAN_QUERY ? cJSON_CreateObject() : cJSON_Duplicate(tmpl, 1);
      const char *zSlot = p->op == PLAN_QUERY ? v->aCol[v->pk].name : r->zKeySlot;
      cJSON_DeleteItemFromObjectCaseSensitive(key, zSlot);
      if (key && cJSON_AddItemToObject(key, zSlot, cJSON_Duplicate(k, 1)) &&
          cJSON_GetObjectItemCaseSensitive(key, zSlot)) {
        rc = answer_one(v, c, key, p->op == PLAN_QUERY, out);
      } else {
        rc = SQLITE_NOMEM;
      }
      cJSON_Delete(key);
    }
  }
  if (rc != SQLITE_OK) {
    cJSON_Delete(out);
    return rc;
  }
  *pItems = out;
  return SQLITE_OK;
}

int cache_lookup(dyn_vtab *v, const plan_args *p, const read_request *r, cJSON **pItems) {
  sqlite3_uint64 sig;
  dyn_cache *c;
  int rc;
  *pItems = 0;
  if (!eligible(v, p)) return SQLITE_OK;
  sig = statements(v->db);
  if (!v->cache) {
    if (!(v->cache = sqlite3_malloc(sizeof(dyn_cache)))) return SQLITE_NOMEM;
    memset(v->cache, 0, sizeof(dyn_cache));
    v->cache->sig = sig + 1; /* not this statement's yet */
  }
  c = v->cache;
  if (c->sig != sig) { /* another statement: start renting again */
    clear(c, CACHE_RENT);
    c->sig = sig;
  }
  if (c->state == CACHE_OFF) return SQLITE_OK;
  if (c->state == CACHE_RENT) {
    double next, scan;
    prices(v, p, r, &next, &scan);
    if (!cost_read_once(c->paid, next, scan)) {
      c->paid += next;
      return SQLITE_OK;
    }
    if ((rc = build(v, c, p)) != SQLITE_OK || c->state != CACHE_HELD) return rc;
  }
  return covers(c, p) ? answer(v, c, p, r, pItems) : SQLITE_OK;
}
