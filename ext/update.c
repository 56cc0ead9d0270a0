/*
** update.c: xUpdate of a dynamo table (see table.h): each row of an INSERT,
** UPDATE or DELETE becomes a pending write (write.h), sent when the
** transaction commits, before the table is next read, or when many are
** pending.
**
**   INSERT        PutItem (plain: the key must not exist; OR IGNORE; OR
**                 REPLACE: unconditional, batched) of the item column's JSON
**                 with every non-NULL column on top
**   UPDATE        one UpdateItem (SET, and REMOVE for NULL) conditioned on
**                 the item still existing; a new item column replaces the
**                 whole item; a changed key moves the item
**   DELETE        DeleteItem (batched) of the row's _key
*/
#include "table.h"
#include "attrval.h"
#include "expr.h"

#include <string.h>

#define FLUSH_AT 1000 /* pending writes sent early, to bound memory */

/* Queue a write (taking over payload); send early when many are pending. */
static int queue(dyn_vtab *v, int kind, int cond, cJSON *payload) {
  write_table t;
  int rc;
  if (!v->writer && (rc = writer_open(&v->writer)) != SQLITE_OK) {
    cJSON_Delete(payload);
    return rc;
  }
  table_write_info(v, &t);
  rc = writer_add(v->writer, &t, kind, cond, payload);
  if (rc == SQLITE_OK && !v->args.atomic && writer_pending(v->writer) >= FLUSH_AT) rc = table_flush(v);
  return rc;
}

/* Set the attributes of the columns in aVal that the statement gives: the
** non-NULL columns of an INSERT; the changed columns of an UPDATE, where
** NULL removes the attribute. */
static int apply_columns(dyn_vtab *v, sqlite3_value **aVal, int changedOnly, cJSON *item,
                         char **pzErr) {
  cJSON *av;
  int i, rc;
  for (i = 0; i < v->ncol; i++) {
    if (changedOnly && sqlite3_value_nochange(aVal[i])) continue;
    rc = av_from_sqlite(aVal[i], v->aCol[i].cls, v->aCol[i].name, &av, pzErr);
    if (rc != SQLITE_OK) return rc;
    if (!av && !changedOnly) continue; /* an INSERT's NULL: not given */
    cJSON_DeleteItemFromObjectCaseSensitive(item, v->aCol[i].name);
    if (av) cJSON_AddItemToObject(item, v->aCol[i].name, av);
  }
  return SQLITE_OK;
}

/* The item an INSERT writes: the item column's JSON, then every non-NULL
** column on top of it. */
static int build_item(dyn_vtab *v, sqlite3_value **aVal, int changedOnly, cJSON **pItem,
                      char **pzErr) {
  cJSON *item = 0;
  sqlite3_value *pItemCol = aVal[TABLE_ITEM_COLUMN(v)];
  int rc;
  *pItem = 0;
  if (sqlite3_value_type(pItemCol) != SQLITE_NULL) {
    const char *z = (const char *)sqlite3_value_text(pItemCol);
    if (!z) return SQLITE_NOMEM;
    rc = av_parse_item(z, sqlite3_value_bytes(pItemCol), &item, pzErr);
    if (rc != SQLITE_OK) return rc;
  } else if (!(item = cJSON_CreateObject())) {
    return SQLITE_NOMEM;
  }
  rc = apply_columns(v, aVal, changedOnly, item, pzErr);
  if (rc != SQLITE_OK) {
    cJSON_Delete(item);
    return rc;
  }
  *pItem = item;
  return SQLITE_OK;
}

static int check_key(dyn_vtab *v, const cJSON *item, int iCol, int type, char **pzErr) {
  const char *zName = v->aCol[iCol].name;
  const cJSON *av = cJSON_GetObjectItemCaseSensitive(item, zName);
  int t = av_type_of(av);
  if (!av) {
    *pzErr = sqlite3_mprintf("missing %s key %s", iCol == v->pk ? "partition" : "sort", zName);
  } else if (t != type) {
    *pzErr = sqlite3_mprintf("key %s must be of type %s, not %s", zName, av_type_names[type],
                             t >= 0 ? av_type_names[t] : "?");
  } else if (t != AV_N && av->child->valuestring[0] == 0) {
    *pzErr = sqlite3_mprintf("key %s cannot be empty", zName);
  } else {
    return SQLITE_OK;
  }
  return *pzErr ? SQLITE_CONSTRAINT : SQLITE_NOMEM;
}

static int check_keys(dyn_vtab *v, const cJSON *item, char **pzErr) {
  int rc = check_key(v, item, v->pk, v->pktype, pzErr);
  if (rc == SQLITE_OK && v->sk >= 0) rc = check_key(v, item, v->sk, v->sktype, pzErr);
  return rc;
}

/* An item to put: its keys, and its size under DynamoDB's limit (an item
** over it would fail its whole BatchWriteItem, other items with it). */
static int check_item(dyn_vtab *v, const cJSON *item, char **pzErr) {
  sqlite3_int64 n;
  char *zKey = 0;
  int rc = check_keys(v, item, pzErr);
  if (rc != SQLITE_OK || (n = av_item_size(item)) <= AV_ITEM_MAX_BYTES) return rc;
  if (av_key_text(item, v->aCol[v->pk].name, v->sk >= 0 ? v->aCol[v->sk].name : 0, &zKey) !=
      SQLITE_OK) {
    return SQLITE_NOMEM;
  }
  *pzErr = sqlite3_mprintf("the item %s is %lld bytes, over DynamoDB's limit of %d bytes "
                           "(400 KB: attribute names and values, as DynamoDB counts them)",
                           zKey, n, AV_ITEM_MAX_BYTES);
  sqlite3_free(zKey);
  return *pzErr ? SQLITE_CONSTRAINT : SQLITE_NOMEM;
}

/* An error of a statement's row, before anything is sent. */
static int row_error(dyn_vtab *v, int rc, const char *zStmt, char *zErr) {
  if (!zErr) return rc;
  return table_error(v, rc, sqlite3_mprintf("dynamo: %s %s: %z", zStmt, v->zName, zErr));
}

/* Is every column of the row NULL, the item column included? */
static int row_is_null(dyn_vtab *v, sqlite3_value **aVal) {
  int i;
  for (i = 0; i <= TABLE_ITEM_COLUMN(v); i++) {
    if (sqlite3_value_type(aVal[i]) != SQLITE_NULL) return 0;
  }
  return 1;
}

static int insert_row(dyn_vtab *v, sqlite3_value **aVal) {
  int conflict = sqlite3_vtab_on_conflict(v->db);
  cJSON *item = 0;
  char *zErr = 0;
  int rc;
  if (row_is_null(v, aVal)) { /* INSERT ... (item) VALUES (readfile('missing.json')) */
    zErr = sqlite3_mprintf("the item is NULL and no column is given (readfile() gives NULL "
                           "when it cannot read the file)");
    return zErr ? row_error(v, SQLITE_CONSTRAINT, "INSERT into", zErr) : SQLITE_NOMEM;
  }
  rc = build_item(v, aVal, 0, &item, &zErr);
  if (rc == SQLITE_OK) rc = check_item(v, item, &zErr);
  if (rc != SQLITE_OK) {
    cJSON_Delete(item);
    return row_error(v, rc, "INSERT into", zErr);
  }
  return queue(v, W_PUT,
               conflict == SQLITE_REPLACE  ? WC_REPLACE
               : conflict == SQLITE_IGNORE ? WC_IGNORE
                                           : WC_NEW,
               item);
}

/* The key a row was read with: its _key column. */
static int old_key(dyn_vtab *v, sqlite3_value *pKey, cJSON **pOut) {
  const char *z = (const char *)sqlite3_value_text(pKey);
  cJSON *key = z ? cJSON_Parse(z) : 0;
  char *zErr = 0;
  *pOut = 0;
  if (!cJSON_IsObject(key) || check_keys(v, key, &zErr) != SQLITE_OK) {
    sqlite3_free(zErr);
    cJSON_Delete(key);
    return table_error(v, SQLITE_ERROR,
                    sqlite3_mprintf("dynamo: %s: not a key of this table: %s", v->zName,
                                    z ? z : "NULL"));
  }
  *pOut = key;
  return SQLITE_OK;
}

static int delete_row(dyn_vtab *v, sqlite3_value *pOld) {
  cJSON *key;
  int rc = old_key(v, pOld, &key);
  if (rc != SQLITE_OK) return rc;
  return queue(v, W_DELETE, 0, key);
}

/* Does the new row give the key attribute iCol another value? */
static int key_changes(dyn_vtab *v, sqlite3_value **aVal, const cJSON *key, int iCol,
                       int *pChanged, char **pzErr) {
  cJSON *av = 0;
  int rc;
  *pChanged = 0;
  if (iCol < 0 || sqlite3_value_nochange(aVal[iCol])) return SQLITE_OK;
  rc = av_from_sqlite(aVal[iCol], v->aCol[iCol].cls, v->aCol[iCol].name, &av, pzErr);
  if (rc != SQLITE_OK) return rc;
  *pChanged = !av_equal(av, cJSON_GetObjectItemCaseSensitive(key, v->aCol[iCol].name));
  cJSON_Delete(av);
  return SQLITE_OK;
}

/*
** A changed key: the item moves. The new item is put (failing if its key
** exists), then the old one deleted: never both lost, though a failure
** between the two leaves both (one TransactWriteItems with atomic=1).
*/
static int move_item(dyn_vtab *v, cJSON *key, cJSON *item, sqlite3_value **aVal) {
  char *zErr = 0;
  int rc;
  if (!item) { /* the rest of the item is the old one's */
    cJSON *req = cJSON_CreateObject(), *resp = 0;
    if (!req) return SQLITE_NOMEM;
    if ((rc = table_flush(v)) != SQLITE_OK || (rc = table_client(v)) != SQLITE_OK) {
      cJSON_Delete(req);
      return rc;
    }
    {
      cJSON *k = cJSON_Duplicate(key, 1);
      if (!cJSON_AddStringToObject(req, "TableName", v->args.table) ||
          !cJSON_AddItemToObject(req, "Key", k) || !cJSON_AddTrueToObject(req, "ConsistentRead")) {
        if (!cJSON_GetObjectItemCaseSensitive(req, "Key")) cJSON_Delete(k);
        cJSON_Delete(req);
        return SQLITE_NOMEM;
      }
    }
    rc = ddb_call(v->client, "GetItem", v->args.table, req, &resp, &zErr, 0);
    cJSON_Delete(req);
    if (rc != SQLITE_OK) return zErr ? table_error(v, rc, zErr) : rc;
    item = cJSON_DetachItemFromObjectCaseSensitive(resp, "Item");
    cJSON_Delete(resp);
    if (!item) return SQLITE_OK; /* deleted meanwhile: no row to change */
    if ((rc = apply_columns(v, aVal, 1, item, &zErr)) != SQLITE_OK) {
      cJSON_Delete(item);
      return row_error(v, rc, "UPDATE of", zErr);
    }
  }
  if ((rc = check_item(v, item, &zErr)) != SQLITE_OK) {
    cJSON_Delete(item);
    return row_error(v, rc, "UPDATE of", zErr);
  }
  rc = queue(v, W_PUT, WC_NEW, item);
  if (rc == SQLITE_OK && !v->args.atomic) rc = table_flush(v);
  if (rc == SQLITE_OK) rc = queue(v, W_DELETE, 0, cJSON_Duplicate(key, 1));
  if (rc == SQLITE_OK && !v->args.atomic) rc = table_flush(v);
  return rc;
}

/* UPDATE: the changed columns become one UpdateItem (SET, and REMOVE for
** NULL), conditioned on the item still existing; a new item column replaces
** the whole item; a changed key moves it. */
static int update_one(dyn_vtab *v, sqlite3_value **argv) {
  sqlite3_value **aVal = argv + 2;
  cJSON *key = 0, *payload = 0;
  char *zErr = 0;
  int rc, pkChanged, skChanged, i;
  expr_ctx x;
  sqlite3_str *set = 0, *remove = 0;
  if ((rc = old_key(v, argv[0], &key)) != SQLITE_OK) return rc;
  memset(&x, 0, sizeof(x));
  if (!sqlite3_value_nochange(aVal[TABLE_KEY_COLUMN(v)]) &&
      sqlite3_value_type(aVal[TABLE_KEY_COLUMN(v)]) != SQLITE_NULL &&
      strcmp((const char *)sqlite3_value_text(aVal[TABLE_KEY_COLUMN(v)]),
             (const char *)sqlite3_value_text(argv[0])) != 0) {
    cJSON_Delete(key);
    return table_error(v, SQLITE_ERROR,
                    sqlite3_mprintf("dynamo: UPDATE of %s: _key cannot be set; change the key "
                                    "columns instead",
                                    v->zName));
  }
  rc = key_changes(v, aVal, key, v->pk, &pkChanged, &zErr);
  if (rc == SQLITE_OK) rc = key_changes(v, aVal, key, v->sk, &skChanged, &zErr);
  if (rc != SQLITE_OK) goto done;

  if (!sqlite3_value_nochange(aVal[TABLE_ITEM_COLUMN(v)])) { /* the whole item */
    cJSON *item = 0;
    const cJSON *e;
    if ((rc = build_item(v, aVal, 1, &item, &zErr)) != SQLITE_OK) goto done;
    cJSON_ArrayForEach(e, key) { /* an item without its key keeps the old one */
      cJSON *copy;
      if (cJSON_GetObjectItemCaseSensitive(item, e->string)) continue;
      if (!(copy = cJSON_Duplicate(e, 1)) || !cJSON_AddItemToObject(item, e->string, copy)) {
        cJSON_Delete(copy);
        cJSON_Delete(item);
        rc = SQLITE_NOMEM;
        goto done;
      }
    }
    for (i = 0, e = key->child; e; e = e->next) {
      if (!av_equal(e, cJSON_GetObjectItemCaseSensitive(item, e->string))) i++;
    }
    if (i > 0) {
      rc = move_item(v, key, item, aVal);
    } else if ((rc = check_item(v, item, &zErr)) != SQLITE_OK) {
      cJSON_Delete(item);
    } else {
      rc = queue(v, W_PUT, WC_EXISTS, item);
    }
    goto done;
  }
  if (pkChanged || skChanged) {
    rc = move_item(v, key, 0, aVal);
    goto done;
  }

  set = sqlite3_str_new(0);
  remove = sqlite3_str_new(0);
  for (i = 0; i < v->ncol; i++) {
    cJSON *av = 0;
    if (i == v->pk || i == v->sk || sqlite3_value_nochange(aVal[i])) continue;
    rc = av_from_sqlite(aVal[i], v->aCol[i].cls, v->aCol[i].name, &av, &zErr);
    if (rc != SQLITE_OK) goto done;
    if (av) {
      sqlite3_str_appendall(set, sqlite3_str_length(set) ? ", " : "SET ");
      expr_name(&x, set, v->aCol[i].name);
      sqlite3_str_appendall(set, " = ");
      expr_value(&x, set, av);
    } else {
      sqlite3_str_appendall(remove, sqlite3_str_length(remove) ? ", " : " REMOVE ");
      expr_name(&x, remove, v->aCol[i].name);
    }
  }
  /* a failed append leaves a string empty: out of memory is not "nothing" */
  if (sqlite3_str_errcode(set) || sqlite3_str_errcode(remove) || x.oom) {
    rc = SQLITE_NOMEM;
    goto done;
  }
  if (sqlite3_str_length(set) + sqlite3_str_length(remove) == 0) goto done; /* nothing */
  sqlite3_str_appendall(set, sqlite3_str_value(remove) ? sqlite3_str_value(remove) : "");
  if (!(payload = cJSON_CreateObject())) {
    rc = SQLITE_NOMEM;
    goto done;
  }
  if (!cJSON_AddItemToObject(payload, "Key", key)) {
    rc = SQLITE_NOMEM;
    goto done;
  }
  key = 0;
  rc = expr_add_string(payload, "UpdateExpression", set);
  set = 0;
  if (rc == SQLITE_OK) rc = expr_attach(&x, payload);
  if (rc == SQLITE_OK) {
    rc = queue(v, W_UPDATE, 0, payload);
    payload = 0;
  }
done:
  if (set) sqlite3_free(sqlite3_str_finish(set));
  if (remove) sqlite3_free(sqlite3_str_finish(remove));
  expr_reset(&x);
  cJSON_Delete(payload);
  cJSON_Delete(key);
  if (rc != SQLITE_OK && zErr) return row_error(v, rc, "UPDATE of", zErr);
  return rc;
}

int update_row(dyn_vtab *v, int argc, sqlite3_value **argv) {
  /* DELETE: the key; else the old key, the new one, then every column, item
  ** and _key (catalog.c checks that SQLite declared exactly those) */
  assert(argc == 1 || argc == 2 + TABLE_KEY_COLUMN(v) + 1);
  if (argc != 1 && argc != 2 + TABLE_KEY_COLUMN(v) + 1) {
    return table_error(v, SQLITE_ERROR,
                       sqlite3_mprintf("dynamo: %s: %d values for a row of %d columns", v->zName,
                                       argc - 2, TABLE_KEY_COLUMN(v) + 1));
  }
  cache_forget(v); /* a copy of the table read before no longer holds */
  if (argc == 1) return delete_row(v, argv[0]);
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return insert_row(v, argv + 2);
  return update_one(v, argv);
}
