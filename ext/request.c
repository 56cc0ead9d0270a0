/*
** request.c: a decoded plan and xFilter's arguments into the request of a
** read (see table.h). Pure: no I/O.
**
**   GetItem   {"TableName", "Key": {pk: <each value in turn>, sk: v}, ...}
**   Query     {"TableName", ["IndexName",] "KeyConditionExpression":
**              "#n0 = :v0 AND <sort key condition>", ...}  (:v0: each value)
**   Scan      {"TableName", ...}
**   BatchGetItem, for a GetItem over an IN list of keys:
**             {"RequestItems": {TABLE: {"Keys": [...], ...}}}
** and for all: "ProjectionExpression" (or "Select": "COUNT"), "Limit",
** "ConsistentRead", names and values through #n / :v placeholders; for a
** Query or Scan, "FilterExpression" (filter.h).
*/
#include "table.h"
#include "attrval.h"
#include "expr.h"
#include "filter.h"

#include <stdlib.h>
#include <string.h>

/* ProjectionExpression: the plan's columns, and the key attributes unless
** the plan is keyless; Select=COUNT when it counts only. */
static int add_projection(const dyn_vtab *v, const plan_args *p, cJSON *req, expr_ctx *x) {
  int aKey[2], i, k, n = 0;
  sqlite3_str *s;
  if (p->flags & PLAN_COUNT) {
    return cJSON_AddStringToObject(req, "Select", "COUNT") ? SQLITE_OK : SQLITE_NOMEM;
  }
  if (p->all) return SQLITE_OK;
  if (!(p->flags & PLAN_KEYLESS)) { /* the keys, which a keyless plan left out */
    aKey[n++] = v->pk;
    if (v->sk >= 0) aKey[n++] = v->sk;
  }
  s = sqlite3_str_new(0);
  for (i = 0; i < p->nCol + n; i++) {
    int iCol = i < p->nCol ? p->aCol[i] : aKey[i - p->nCol], dup = 0;
    assert(iCol >= 0 && iCol < v->ncol);
    for (k = 0; k < i; k++) dup |= (k < p->nCol ? p->aCol[k] : aKey[k - p->nCol]) == iCol;
    if (dup) continue;
    if (sqlite3_str_length(s)) sqlite3_str_appendall(s, ", ");
    expr_name(x, s, v->aCol[iCol].name);
  }
  return expr_add_string(req, "ProjectionExpression", s);
}

/* One key condition's comparison, as in the expression. */
static const char *op_text(int op) {
  switch (op) {
    case SQLITE_INDEX_CONSTRAINT_GT: return " > ";
    case SQLITE_INDEX_CONSTRAINT_GE: return " >= ";
    case SQLITE_INDEX_CONSTRAINT_LT: return " < ";
    case SQLITE_INDEX_CONSTRAINT_LE: return " <= ";
  }
  return " = ";
}

/* The sort keys a condition of the plan selects (plan_key_range), narrowed
** into *r: SQLITE_OK, SQLITE_DONE when no key can match, SQLITE_NOMEM. */
static int narrow(sqlite3_value *pVal, int sktype, int op, int loose, plan_range *r) {
  plan_range one;
  int k = plan_key_range(pVal, sktype, op, loose, &one);
  if (k == KEY_OOM) return SQLITE_NOMEM;
  if (k == KEY_NONE) return SQLITE_DONE;
  if (one.lo && (!r->lo || plan_key_cmp(one.lo, r->lo) > 0 ||
                 (plan_key_cmp(one.lo, r->lo) == 0 && one.loOp == SQLITE_INDEX_CONSTRAINT_GT))) {
    cJSON_Delete(r->lo);
    r->lo = one.lo, r->loOp = one.loOp, one.lo = 0;
  }
  if (one.hi && (!r->hi || plan_key_cmp(one.hi, r->hi) < 0 ||
                 (plan_key_cmp(one.hi, r->hi) == 0 && one.hiOp == SQLITE_INDEX_CONSTRAINT_LT))) {
    cJSON_Delete(r->hi);
    r->hi = one.hi, r->hiOp = one.hiOp, one.hi = 0;
  }
  plan_range_clear(&one);
  return SQLITE_OK;
}

/* The sort-key part of a Query's key condition: one of "= v", "BETWEEN lo
** AND hi" (an exclusive end is sent inclusive: SQLite drops it, the plan
** did not omit it), begins_with the LIKE or GLOB prefix, or one bound.
** SQLITE_DONE when no row can match. */
static int add_sort_condition(const dyn_vtab *v, const read_keys *rk, const plan_args *p,
                              sqlite3_str *s, expr_ctx *x) {
  plan_range r;
  char *zPrefix = 0;
  int rc = SQLITE_OK, loose = (p->flags & PLAN_SK_LOOSE) != 0;
  memset(&r, 0, sizeof(r));
  if (p->skEq) rc = narrow(p->skEq, rk->sktype, SQLITE_INDEX_CONSTRAINT_EQ, loose, &r);
  if (rc == SQLITE_OK && p->lo) {
    rc = narrow(p->lo, rk->sktype,
                (p->flags & PLAN_SK_GT) ? SQLITE_INDEX_CONSTRAINT_GT : SQLITE_INDEX_CONSTRAINT_GE,
                loose, &r);
  }
  if (rc == SQLITE_OK && p->hi) {
    rc = narrow(p->hi, rk->sktype,
                (p->flags & PLAN_SK_LT) ? SQLITE_INDEX_CONSTRAINT_LT : SQLITE_INDEX_CONSTRAINT_LE,
                loose, &r);
  }
  if (rc != SQLITE_OK) goto done;
  /* the LIKE pattern's prefix, else the GLOB pattern's */
  if (p->like) zPrefix = filter_pattern_prefix((const char *)sqlite3_value_text(p->like), 0);
  if (!zPrefix && p->glob) zPrefix = filter_pattern_prefix((const char *)sqlite3_value_text(p->glob), 1);
  if (r.lo && r.hi && plan_key_cmp(r.lo, r.hi) > 0) {
    rc = SQLITE_DONE;
  } else if (r.loOp == SQLITE_INDEX_CONSTRAINT_EQ) {
    sqlite3_str_appendall(s, " AND ");
    expr_name(x, s, v->aCol[rk->sk].name);
    sqlite3_str_appendall(s, " = ");
    expr_value(x, s, r.lo);
    r.lo = 0;
  } else if (r.lo && r.hi) {
    sqlite3_str_appendall(s, " AND ");
    expr_name(x, s, v->aCol[rk->sk].name);
    sqlite3_str_appendall(s, " BETWEEN ");
    expr_value(x, s, r.lo);
    sqlite3_str_appendall(s, " AND ");
    expr_value(x, s, r.hi);
    r.lo = r.hi = 0;
  } else if (zPrefix) {
    cJSON *av = cJSON_CreateObject();
    if (av && !cJSON_AddStringToObject(av, "S", zPrefix)) {
      cJSON_Delete(av);
      av = 0; /* expr_value() makes it out of memory */
    }
    sqlite3_str_appendall(s, " AND begins_with(");
    expr_name(x, s, v->aCol[rk->sk].name);
    sqlite3_str_appendall(s, ", ");
    expr_value(x, s, av);
    sqlite3_str_appendall(s, ")");
  } else if (r.lo || r.hi) {
    sqlite3_str_appendall(s, " AND ");
    expr_name(x, s, v->aCol[rk->sk].name);
    sqlite3_str_appendall(s, op_text(r.lo ? r.loOp : r.hiOp));
    expr_value(x, s, r.lo ? r.lo : r.hi);
    if (r.lo) r.lo = 0;
    else r.hi = 0;
  }
done:
  plan_range_clear(&r);
  sqlite3_free(zPrefix);
  return rc;
}

/* The plan's filter as the FilterExpression. SQLITE_DONE when no item can
** match. An IN list's values are copied: they last only until the next. */
static int add_filter(const dyn_vtab *v, const plan_args *p, cJSON *req, expr_ctx *x) {
  filter_cond *a = sqlite3_malloc64(sizeof(filter_cond) * (p->nFilter + 1));
  sqlite3_value **av = 0, *e;
  int i, n = 0, nv = 0, rc = a ? SQLITE_OK : SQLITE_NOMEM, result = FILTER_TRUE;
  char *z = 0;
  for (i = 0; rc == SQLITE_OK && i < p->nFilter; i++) {
    const plan_filter *f = &p->aFilter[i];
    a[i] = (filter_cond){v->aCol[f->iCol].name, v->aCol[f->iCol].cmpAff, f->op, f->exact, 0, 0};
    if (f->op == FILTER_ISNULL || f->op == FILTER_NOTNULL) continue;
    if (f->op != FILTER_IN) {
      a[i].nv = 1;
      a[i].av = (sqlite3_value **)&f->value;
      continue;
    }
    for (rc = sqlite3_vtab_in_first(f->value, &e); rc == SQLITE_OK && e;
         rc = sqlite3_vtab_in_next(f->value, &e)) {
      sqlite3_value **pNew = sqlite3_realloc64(av, sizeof(*av) * (nv + 1));
      if (!pNew) {
        rc = SQLITE_NOMEM;
        break;
      }
      av = pNew;
      if (!(av[nv] = sqlite3_value_dup(e))) rc = SQLITE_NOMEM;
      else nv++, a[i].nv++;
    }
    if (rc == SQLITE_DONE) rc = SQLITE_OK;
  }
  /* the IN lists' values, now that the array holds them all */
  for (i = 0, n = 0; rc == SQLITE_OK && i < p->nFilter; i++) {
    if (p->aFilter[i].op != FILTER_IN) continue;
    a[i].av = av ? av + n : 0; /* (an empty list: none) */
    n += a[i].nv;
  }
  if (rc == SQLITE_OK) rc = filter_expression(x, a, p->nFilter, &z, &result);
  if (rc == SQLITE_OK && result == FILTER_SOME && !cJSON_AddStringToObject(req, "FilterExpression", z)) {
    rc = SQLITE_NOMEM;
  }
  if (rc == SQLITE_OK && result == FILTER_FALSE) rc = SQLITE_DONE;
  sqlite3_free(z);
  for (i = 0; i < nv; i++) sqlite3_value_free(av[i]);
  sqlite3_free(av);
  sqlite3_free(a);
  return rc;
}

typedef struct text_key {
  char *zText;     /* av_key_text of key */
  cJSON *key;
} text_key;

static int text_key_cmp(const void *a, const void *b) {
  return strcmp(((const text_key *)a)->zText, ((const text_key *)b)->zText);
}

/* Append each key of a[0..n) to keys once, in the order of their texts,
** when rc is SQLITE_OK; frees a and what it holds either way. */
static int append_distinct(text_key *a, int n, int rc, cJSON *keys) {
  int i;
  if (rc == SQLITE_OK && n > 1) qsort(a, n, sizeof(*a), text_key_cmp);
  for (i = 0; i < n; i++) { /* the texts are freed after: a[i - 1] is read */
    if (rc == SQLITE_OK && (i == 0 || strcmp(a[i].zText, a[i - 1].zText) != 0) &&
        cJSON_AddItemToArray(keys, a[i].key)) {
      a[i].key = 0;
    }
    cJSON_Delete(a[i].key);
  }
  for (i = 0; i < n; i++) sqlite3_free(a[i].zText);
  sqlite3_free(a);
  return rc;
}

/* Each partition key once: values SQLite tells apart may make one key (5
** and '5' for an S key, 1 and 1.0 for an N key). A Query sent twice would
** return its rows twice, and BatchGetItem refuses a key given twice. */
static int distinct_keys(cJSON *keys) {
  int n = cJSON_GetArraySize(keys), i, rc = SQLITE_OK;
  text_key *a;
  if (n < 2) return SQLITE_OK;
  if (!(a = sqlite3_malloc64(sizeof(*a) * n))) return SQLITE_NOMEM;
  for (i = 0; i < n; i++) { /* {"S": "5"}: "S:5" */
    a[i].key = cJSON_DetachItemFromArray(keys, 0);
    a[i].zText = sqlite3_mprintf("%s:%s", a[i].key->child->string, a[i].key->child->valuestring);
    if (!a[i].zText) rc = SQLITE_NOMEM;
  }
  return append_distinct(a, n, rc, keys);
}

/* The partition-key values to visit: one, or each of an IN list. */
static int collect_keys(const read_keys *rk, const plan_args *p, cJSON *keys) {
  sqlite3_value *e;
  int rc = SQLITE_OK, k;
  cJSON *av;
  if (!(p->flags & PLAN_PK_IN)) {
    k = plan_key_value(p->pk, rk->pktype, &av);
    if (k == KEY_OOM) return SQLITE_NOMEM;
    if (k == KEY_VALUE) cJSON_AddItemToArray(keys, av);
    return SQLITE_OK;
  }
  for (rc = sqlite3_vtab_in_first(p->pk, &e); rc == SQLITE_OK && e;
       rc = sqlite3_vtab_in_next(p->pk, &e)) {
    k = plan_key_value(e, rk->pktype, &av);
    if (k == KEY_OOM) return SQLITE_NOMEM;
    if (k == KEY_VALUE) cJSON_AddItemToArray(keys, av);
  }
  return rc == SQLITE_DONE ? distinct_keys(keys) : rc;
}

/* The key a _key text names: a JSON object holding exactly this table's
** key attributes with their types, as DynamoDB takes it. NULL when the text
** is none (it matches no item, as it would match no row of a native table)
** or on OOM (*pNomem set). */
static cJSON *whole_key(const dyn_vtab *v, sqlite3_value *pVal, int *pNomem) {
  const char *z = (const char *)sqlite3_value_text(pVal);
  cJSON *key = z ? cJSON_Parse(z) : 0;
  int i, n = 0;
  char *zErr = 0;
  if (!z && sqlite3_value_type(pVal) != SQLITE_NULL) *pNomem = 1;
  if (!cJSON_IsObject(key)) goto none;
  for (i = 0; i < 2; i++) {
    int iCol = i ? v->sk : v->pk, t = i ? v->sktype : v->pktype;
    const cJSON *av;
    if (iCol < 0) continue;
    av = cJSON_GetObjectItemCaseSensitive(key, v->aCol[iCol].name);
    if (av_type_of(av) != t || av_validate(av, v->aCol[iCol].name, &zErr) != SQLITE_OK ||
        (t != AV_N && av->child->valuestring[0] == 0)) {
      goto none;
    }
    n++;
  }
  if (cJSON_GetArraySize(key) == n) return key;
none:
  sqlite3_free(zErr);
  cJSON_Delete(key);
  return 0;
}

/* PLAN_KEY: the whole keys the _key value (or each of its IN list) names,
** each once (BatchGetItem refuses a key twice; two texts may name one key,
** 1 and 1.0). */
static int collect_whole_keys(const dyn_vtab *v, const plan_args *p, cJSON *keys) {
  const char *zSk = v->sk >= 0 ? v->aCol[v->sk].name : 0;
  text_key *a = 0;
  sqlite3_value *e = 0;
  int n = 0, nAlloc = 0, nomem = 0, rc;
  if (p->flags & PLAN_PK_IN) {
    rc = sqlite3_vtab_in_first(p->key, &e);
  } else {
    e = p->key;
    rc = SQLITE_OK;
  }
  while (rc == SQLITE_OK && e && !nomem) {
    cJSON *key = whole_key(v, e, &nomem);
    if (key && n == nAlloc) {
      text_key *aNew = sqlite3_realloc64(a, sizeof(*a) * (nAlloc = nAlloc ? 2 * nAlloc : 16));
      if (aNew) a = aNew;
      else nomem = 1;
    }
    if (key && !nomem && av_key_text(key, v->aCol[v->pk].name, zSk, &a[n].zText) == SQLITE_OK) {
      a[n++].key = key;
      key = 0;
    } else if (key) {
      nomem = 1;
    }
    cJSON_Delete(key);
    if (!(p->flags & PLAN_PK_IN)) break;
    rc = sqlite3_vtab_in_next(p->key, &e);
  }
  if (rc == SQLITE_DONE) rc = SQLITE_OK;
  if (rc == SQLITE_OK && nomem) rc = SQLITE_NOMEM;
  return append_distinct(a, n, rc, keys);
}

/* A GetItem plan over several partition keys becomes BatchGetItem: the
** request (TableName, the Key template, the projection, ConsistentRead)
** becomes {"RequestItems": {TABLE: {"Keys": [...], projection,
** ConsistentRead}}}, and r->keys the whole keys; request_next_batch()
** fills Keys from them. They are distinct, as BatchGetItem requires
** (distinct_keys, collect_whole_keys). */
static int batch_request(const dyn_vtab *v, read_request *r, int whole) {
  cJSON *req = r->req, *tmpl, *out = cJSON_CreateObject(), *all = cJSON_CreateArray(), *ri, *k;
  const char *zPk = v->aCol[v->pk].name;
  int rc;
  if (whole) { /* the keys are whole already */
    cJSON_Delete(all);
    all = r->keys;
    r->keys = cJSON_CreateArray();
  }
  cJSON_DeleteItemFromObjectCaseSensitive(req, "TableName");
  tmpl = cJSON_DetachItemFromObjectCaseSensitive(req, "Key");
  if (!out || !all || !tmpl || !(ri = cJSON_AddObjectToObject(out, "RequestItems")) ||
      !cJSON_AddArrayToObject(req, "Keys")) {
    rc = SQLITE_NOMEM;
    goto fail;
  }
  cJSON_AddItemToObject(ri, v->args.table, req);
  r->req = out; /* owns req now */
  req = 0;
  while (r->keys && (k = cJSON_DetachItemFromArray(r->keys, 0)) != 0) {
    cJSON *key = cJSON_Duplicate(tmpl, 1);
    if (!key || !cJSON_ReplaceItemInObjectCaseSensitive(key, zPk, k)) {
      if (key) cJSON_Delete(key);
      cJSON_Delete(k);
      rc = SQLITE_NOMEM;
      goto fail;
    }
    cJSON_AddItemToArray(all, key);
  }
  cJSON_Delete(r->keys);
  r->keys = all;
  cJSON_Delete(tmpl);
  r->zKeyIn = 0;
  r->zKeySlot = 0;
  r->batch = 1;
  r->zOp = "BatchGetItem";
  return SQLITE_OK;
fail:
  if (req) cJSON_Delete(out);
  cJSON_Delete(all);
  cJSON_Delete(tmpl);
  return rc;
}

int request_next_batch(const dyn_vtab *v, cJSON *req, cJSON *keys) {
  cJSON *ri = cJSON_GetObjectItemCaseSensitive(req, "RequestItems");
  cJSON *list = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ri, v->args.table),
                                                 "Keys"), *k;
  int n = 0;
  assert(cJSON_IsArray(list));
  while (list->child) cJSON_Delete(cJSON_DetachItemViaPointer(list, list->child));
  while (n < DDB_BATCH_GET_KEYS && (k = cJSON_DetachItemFromArray(keys, 0)) != 0) {
    cJSON_AddItemToArray(list, k);
    n++;
  }
  return n > 0;
}

int request_build(const dyn_vtab *v, const plan_args *p, read_request *r) {
  expr_ctx x;
  sqlite3_str *s = 0;
  cJSON *req;
  read_keys rk;
  int rc = SQLITE_NOMEM;
  memset(r, 0, sizeof(*r));
  memset(&x, 0, sizeof(x));
  r->zOp = p->op == PLAN_GET ? "GetItem" : p->op == PLAN_QUERY ? "Query" : "Scan";
  catalog_keys(v, p->iIndex, &rk);
  if (!(req = r->req = cJSON_CreateObject()) ||
      !cJSON_AddStringToObject(req, "TableName", v->args.table) ||
      (rk.zIndex && !cJSON_AddStringToObject(req, "IndexName", rk.zIndex))) {
    goto fail;
  }
  if (p->op != PLAN_SCAN) {
    if (!(r->keys = cJSON_CreateArray())) goto fail;
    rc = (p->flags & PLAN_KEY) ? collect_whole_keys(v, p, r->keys)
                               : collect_keys(&rk, p, r->keys);
    if (rc != SQLITE_OK) goto fail;
  }
  if (p->op == PLAN_GET && (p->flags & PLAN_KEY)) { /* the whole Key, key by key */
    rc = SQLITE_NOMEM;
    if (!cJSON_AddNullToObject(req, "Key")) goto fail;
    r->zKeyIn = 0;
    r->zKeySlot = "Key";
  } else if (p->op == PLAN_GET) {
    cJSON *key = cJSON_AddObjectToObject(req, "Key"), *skv = 0;
    rc = SQLITE_NOMEM;
    if (!key || !cJSON_AddNullToObject(key, v->aCol[v->pk].name)) goto fail;
    if (p->skEq) {
      int k = plan_key_value(p->skEq, v->sktype, &skv);
      if (k == KEY_OOM) goto fail;
      if (k != KEY_VALUE) goto empty;
      cJSON_AddItemToObject(key, v->aCol[v->sk].name, skv);
    }
    r->zKeyIn = "Key";
    r->zKeySlot = v->aCol[v->pk].name;
  } else if (p->op == PLAN_QUERY) {
    s = sqlite3_str_new(0);
    expr_name(&x, s, v->aCol[rk.pk].name);
    sqlite3_str_appendall(s, " = ");
    expr_value(&x, s, cJSON_CreateNull()); /* :v0, set per key */
    rc = add_sort_condition(v, &rk, p, s, &x);
    if (rc == SQLITE_DONE) goto empty;
    if (rc != SQLITE_OK) goto fail;
    rc = expr_add_string(req, "KeyConditionExpression", s);
    s = 0;
    if (rc != SQLITE_OK) goto fail;
    if ((p->flags & PLAN_DESC) && !cJSON_AddFalseToObject(req, "ScanIndexForward")) goto fail;
    r->zKeyIn = "ExpressionAttributeValues";
    r->zKeySlot = ":v0";
  }
  if (p->nFilter && p->op != PLAN_GET) {
    rc = add_filter(v, p, req, &x);
    if (rc == SQLITE_DONE) goto empty;
    if (rc != SQLITE_OK) goto fail;
  }
  if (p->limit) { /* Limit sizes the pages: LIMIT n OFFSET m needs n + m */
    sqlite3_int64 nLimit = sqlite3_value_int64(p->limit);
    if (p->offset) {
      sqlite3_int64 nOff = sqlite3_value_int64(p->offset);
      if (nLimit >= 0 && nOff > 0) nLimit += nOff;
    }
    if (nLimit == 0) goto empty;
    if (nLimit > 0 && !cJSON_AddNumberToObject(req, "Limit", (double)nLimit)) goto fail;
  }
  if ((rc = add_projection(v, p, req, &x)) != SQLITE_OK) goto fail;
  if (v->args.consistent_read && !cJSON_AddTrueToObject(req, "ConsistentRead")) goto fail;
  if ((rc = expr_attach(&x, req)) != SQLITE_OK) goto fail;
  if (p->op != PLAN_SCAN && cJSON_GetArraySize(r->keys) == 0) goto empty;
  if (p->op == PLAN_GET && (p->flags & PLAN_PK_IN) && cJSON_GetArraySize(r->keys) > 1 &&
      (rc = batch_request(v, r, (p->flags & PLAN_KEY) != 0)) != SQLITE_OK) {
    goto fail;
  }
  return SQLITE_OK;
empty:
  rc = SQLITE_DONE;
fail:
  expr_reset(&x);
  if (s) sqlite3_free(sqlite3_str_finish(s));
  request_clear(r);
  return rc;
}

void request_clear(read_request *r) {
  cJSON_Delete(r->req);
  cJSON_Delete(r->keys);
  memset(r, 0, sizeof(*r));
}
