/*
** catalog.c: what a dynamo table looks like (see table.h): its columns and
** keys, the SQLite declaration built from them, its secondary indexes as
** the plan sees them, and every shadow table.
**
**   NAME_schema(pos, name, type, key)   the columns, written at CREATE
**                                       (declared, or discovered from a
**                                       sample of items), read at CONNECT
**   NAME_index(...)                     the secondary indexes (indexes.c)
**
** So every later open sees the same columns without a request.
*/
#include "table.h"
#include "attrval.h"

#include <string.h>

/* ---- columns ------------------------------------------------------------- */

int catalog_add_column(dyn_vtab *v, const char *zName, const char *zType, int key) {
  dyn_column *a = sqlite3_realloc64(v->aCol, sizeof(*a) * (v->ncol + 1));
  if (!a) return SQLITE_NOMEM;
  v->aCol = a;
  a = &v->aCol[v->ncol];
  memset(a, 0, sizeof(*a));
  a->name = sqlite3_mprintf("%s", zName);
  a->type = sqlite3_mprintf("%s", zType);
  a->key = key;
  v->ncol++;
  if (!a->name || !a->type) return SQLITE_NOMEM;
  if (key) {
    int t = av_type_from_name(zType, -1);
    assert(t == AV_S || t == AV_N || t == AV_B);
    /* key columns write as their SQLite type would store the value */
    a->cls = t == AV_S ? AVC_TEXT : t == AV_N ? AVC_NUMERIC : AV_B;
    if (key == KEY_HASH) v->pk = v->ncol - 1, v->pktype = t;
    else v->sk = v->ncol - 1, v->sktype = t;
  } else {
    a->cls = av_class_of_decl(zType);
    a->aff = av_read_affinity(zType); /* key columns read as they are */
  }
  return SQLITE_OK;
}

int catalog_column(const dyn_vtab *v, const char *zName) {
  int i;
  for (i = 0; i < v->ncol; i++) {
    if (sqlite3_stricmp(v->aCol[i].name, zName) == 0) return i;
  }
  return -1;
}

int catalog_attribute(const dyn_vtab *v, const char *zName) {
  int i;
  for (i = 0; zName && i < v->ncol; i++) {
    if (strcmp(v->aCol[i].name, zName) == 0) return i;
  }
  return -1;
}

int catalog_declared(dyn_vtab *v, char **pzErr) {
  int i, j, rc = SQLITE_OK;
  for (i = 0; rc == SQLITE_OK && i < v->args.ncol; i++) {
    const args_column *c = &v->args.aCol[i];
    assert(!args_type_problem(c->type)); /* args_parse refused it */
    j = catalog_column(v, c->name);
    if (j >= 0 && v->aCol[j].key) {
      /* a key: its type is DynamoDB's; a declared DynamoDB type must agree */
      int t = av_class_of_decl(c->type);
      int kt = j == v->pk ? v->pktype : v->sktype;
      if (strcmp(v->aCol[j].name, c->name) != 0 || (t >= 0 && t != kt)) {
        *pzErr = sqlite3_mprintf(
            "dynamo: column %s is declared %s, but the table's key attribute %s is of type %s",
            c->name, c->type, v->aCol[j].name, av_type_names[kt]);
        return SQLITE_ERROR;
      }
      continue;
    }
    rc = catalog_add_column(v, c->name, c->type, KEY_NO);
  }
  return rc;
}

int catalog_discovered(dyn_vtab *v, const cJSON *items, char **pzErr) {
  cJSON *seen = cJSON_CreateObject(), *e, *a;
  int rc = seen ? SQLITE_OK : SQLITE_NOMEM, i;
  cJSON_ArrayForEach(e, items) {
    if (rc != SQLITE_OK) break;
    if (!cJSON_IsObject(e)) {
      *pzErr = sqlite3_mprintf("dynamo: Scan on %s: malformed item in the response",
                               v->args.table);
      rc = SQLITE_ERROR;
      break;
    }
    cJSON_ArrayForEach(a, e) {
      int t = av_type_of(a);
      cJSON *prev = cJSON_GetObjectItemCaseSensitive(seen, a->string);
      const char *zType = t >= 0 ? av_type_names[t] : "";
      if (!prev) {
        if (!cJSON_AddStringToObject(seen, a->string, zType)) rc = SQLITE_NOMEM;
      } else if (strcmp(prev->valuestring, zType) != 0) {
        cJSON_ReplaceItemInObjectCaseSensitive(seen, a->string, cJSON_CreateString(""));
      }
    }
  }
  /* the keys of indexes, which the plan needs as columns, even when no
  ** sampled item has them */
  for (i = 0; rc == SQLITE_OK && i < v->nIdx; i++) {
    const dyn_index *x = &v->aIdx[i];
    if (!cJSON_GetObjectItemCaseSensitive(seen, x->zPk) && !cJSON_AddStringToObject(seen, x->zPk, x->zPkType))
      rc = SQLITE_NOMEM;
    if (x->zSk && !cJSON_GetObjectItemCaseSensitive(seen, x->zSk) &&
        !cJSON_AddStringToObject(seen, x->zSk, x->zSkType))
      rc = SQLITE_NOMEM;
  }
  /* byte order of the names, independent of the server's order */
  while (rc == SQLITE_OK && seen->child) {
    cJSON *best = seen->child;
    for (e = seen->child; e; e = e->next) {
      if (strcmp(e->string, best->string) < 0) best = e;
    }
    if (catalog_column(v, best->string) < 0 && !args_is_reserved(best->string))
      rc = catalog_add_column(v, best->string, best->valuestring, KEY_NO);
    cJSON_Delete(cJSON_DetachItemViaPointer(seen, best));
  }
  cJSON_Delete(seen);
  return rc;
}

/* ---- the declaration ---------------------------------------------------- */

/* The SQLite type a column is declared with: key columns get the SQLite
** type of their DynamoDB type (so comparisons use the right affinity; an N
** key declared REAL is REAL, which compares the same), S
** and B become TEXT and BLOB for the same reason, NULL is quoted (bare, it
** would read as a constraint), and everything else stays as written. */
void catalog_append_decl(sqlite3_str *s, const dyn_column *c) {
  const char *z = c->type, *zRest;
  int n = 0;
  if (c->key) {
    sqlite3_str_appendall(s, c->cls == AV_B ? "BLOB" : c->cls == AVC_TEXT ? "TEXT"
                             : c->aff == AVA_REAL ? "REAL" : "NUMERIC");
    return;
  }
  while (z[n] && z[n] != ' ' && z[n] != '(') n++;
  zRest = z + n;
  if (n == 1 && (z[0] == 'S' || z[0] == 's')) sqlite3_str_appendf(s, "TEXT%s", zRest);
  else if (n == 1 && (z[0] == 'B' || z[0] == 'b')) sqlite3_str_appendf(s, "BLOB%s", zRest);
  else if (n == 4 && sqlite3_strnicmp(z, "NULL", 4) == 0) sqlite3_str_appendf(s, "\"NULL\"%s", zRest);
  else sqlite3_str_appendall(s, z);
}

/* Does SQLite hold column zCol of the declared table with type zType (a
** quoted "NULL" is NULL to it), as its primary key or not (pk)? */
static int declared_as(dyn_vtab *v, const char *zCol, const char *zType, int pk) {
  const char *zHeld = 0;
  int isPk = 0;
  if (sqlite3_table_column_metadata(v->db, v->zDb, v->zName, zCol, &zHeld, 0, 0, &isPk, 0) !=
      SQLITE_OK) {
    return 0;
  }
  if (strcmp(zType, "\"NULL\"") == 0) zType = "NULL";
  return strcmp(zHeld ? zHeld : "", zType) == 0 && isPk == pk; /* NULL: no type */
}

/* After sqlite3_declare_vtab: SQLite's columns are ours, one for one. Each
** of ours is there with exactly the type we gave (a type that smuggled a
** ',' or ')' would have been cut short there, the rest declaring columns
** of its own), and _key alone is the primary key. args_type_problem keeps
** such types out; this states it where it matters: xColumn and xUpdate
** index aCol with SQLite's column numbers. */
static int check_declared(dyn_vtab *v, char **pzErr) {
  sqlite3_str *s = sqlite3_str_new(0);
  const char *zBad = 0;
  int i, rc;
  for (i = 0; !zBad && i < v->ncol; i++) {
    sqlite3_str_reset(s);
    catalog_append_decl(s, &v->aCol[i]);
    if (sqlite3_str_errcode(s)) break;
    if (!declared_as(v, v->aCol[i].name, sqlite3_str_length(s) ? sqlite3_str_value(s) : "", 0)) {
      zBad = v->aCol[i].name;
    }
  }
  rc = sqlite3_str_errcode(s);
  sqlite3_free(sqlite3_str_finish(s));
  if (rc != SQLITE_OK) return rc;
  /* (SQLite takes HIDDEN out of the type once xConnect returns) */
  if (!zBad && !declared_as(v, ARGS_ITEM_COLUMN, "TEXT HIDDEN", 0) &&
      !declared_as(v, ARGS_ITEM_COLUMN, "TEXT", 0)) {
    zBad = ARGS_ITEM_COLUMN;
  }
  if (!zBad && !declared_as(v, ARGS_KEY_COLUMN, "TEXT HIDDEN", 1) &&
      !declared_as(v, ARGS_KEY_COLUMN, "TEXT", 1)) {
    zBad = ARGS_KEY_COLUMN;
  }
  if (!zBad) return SQLITE_OK;
  *pzErr = sqlite3_mprintf("dynamo: the columns SQLite declared for %s are not the %d the "
                           "extension declared (column %s)",
                           v->zName, v->ncol + 2, zBad);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

static int declare(dyn_vtab *v) {
  sqlite3_str *s = sqlite3_str_new(v->db);
  char *zSql;
  int i, rc;
  sqlite3_str_appendall(s, "CREATE TABLE x(");
  for (i = 0; i < v->ncol; i++) {
    sqlite3_str_appendf(s, "%s\"%w\" ", i ? ", " : "", v->aCol[i].name);
    catalog_append_decl(s, &v->aCol[i]);
  }
  sqlite3_str_appendf(s,
                      "%s\"" ARGS_ITEM_COLUMN "\" TEXT HIDDEN, \"" ARGS_KEY_COLUMN
                      "\" TEXT HIDDEN, PRIMARY KEY(\"" ARGS_KEY_COLUMN "\")) WITHOUT ROWID",
                      v->ncol ? ", " : "");
  if (!(zSql = sqlite3_str_finish(s))) return SQLITE_NOMEM;
  rc = sqlite3_declare_vtab(v->db, zSql);
  sqlite3_free(zSql);
  return rc;
}

/* ---- indexes as the plan sees them ---------------------------------------- */

/* Does the column compare like a key of DynamoDB type t (its affinity)? */
static int compares_like(const dyn_column *c, int t) {
  switch (t) {
    case AV_S: return c->cls == AVC_TEXT || c->cls == AV_S;
    case AV_N: return c->cls == AVC_NUMERIC || c->cls == AV_N;
    case AV_B: return c->cls == AV_B || c->cls == AVC_ANY;
  }
  return 0;
}

/* May the plan use index x: the indexes= option, consistent reads (a GSI
** has none)? */
static int index_allowed(const dyn_vtab *v, const dyn_index *x) {
  const char *z = v->args.indexes;
  size_t n = strlen(x->zName);
  if (v->args.consistent_read && x->global) return 0;
  if (!z) return 1;
  while (*z) {
    const char *e = strchr(z, ',');
    size_t k = e ? (size_t)(e - z) : strlen(z);
    while (k > 0 && z[0] == ' ') z++, k--;
    while (k > 0 && z[k - 1] == ' ') k--;
    if (k == n && memcmp(z, x->zName, n) == 0) return 1;
    if (!e) break;
    z = e + 1;
  }
  return 0;
}

/* The indexes as the plan sees them: their key columns, whether those
** compare like the keys (else the index, or its sort key, is not used), and
** for a GSI the columns it holds. */
static int plan_indexes(dyn_vtab *v) {
  int i, j;
  v->aPlanIdx = sqlite3_malloc64(sizeof(plan_index) * (v->nIdx + 1));
  if (!v->aPlanIdx) return SQLITE_NOMEM;
  v->nPlanIdx = 0;
  for (i = 0; i < v->nIdx && v->nPlanIdx < 255; i++) {
    const dyn_index *x = &v->aIdx[i];
    plan_index *p = &v->aPlanIdx[v->nPlanIdx];
    memset(p, 0, sizeof(*p));
    p->zName = x->zName;
    p->global = x->global;
    p->pk = catalog_attribute(v, x->zPk);
    p->sk = catalog_attribute(v, x->zSk);
    p->pktype = av_type_from_name(x->zPkType, -1);
    p->sktype = x->zSkType ? av_type_from_name(x->zSkType, -1) : -1;
    if (!index_allowed(v, x) || p->pk < 0 || !compares_like(&v->aCol[p->pk], p->pktype)) continue;
    /* an item without its sort key is not in it: the plan must know which
    ** column that is (and cannot use an index whose sort key is none) */
    p->sparse = p->sk != v->pk && p->sk != v->sk ? p->sk : -1;
    if (x->zSk && p->sk < 0) continue;
    if (p->sk >= 0 && !compares_like(&v->aCol[p->sk], p->sktype)) p->sk = -1;
    p->sk_text = p->sk >= 0 && p->sktype == AV_S;
    p->sk_exact = p->sk >= 0 && (p->sktype == AV_S || p->sktype == AV_B);
    if (strcmp(x->zProjection, "ALL") == 0) {
      p->covers = ~(sqlite3_uint64)0;
    } else { /* the keys of table and index, _key, and INCLUDE's attributes */
      int aKey[4];
      aKey[0] = v->pk, aKey[1] = v->sk, aKey[2] = p->pk, aKey[3] = catalog_attribute(v, x->zSk);
      for (j = 0; j < 4; j++) {
        if (aKey[j] >= 0 && aKey[j] < 63) p->covers |= (sqlite3_uint64)1 << aKey[j];
      }
      if (v->ncol + 1 < 63) p->covers |= (sqlite3_uint64)1 << (v->ncol + 1);
      for (j = 0; j < v->ncol && j < 63; j++) {
        if (indexes_includes(x, v->aCol[j].name)) p->covers |= (sqlite3_uint64)1 << j;
      }
    }
    v->nPlanIdx++;
  }
  return SQLITE_OK;
}

void catalog_keys(const dyn_vtab *v, int iIndex, read_keys *k) {
  k->zIndex = 0;
  k->pk = v->pk;
  k->sk = v->sk;
  k->pktype = v->pktype;
  k->sktype = v->sktype;
  if (iIndex >= 0) {
    const plan_index *p = &v->aPlanIdx[iIndex];
    assert(iIndex < v->nPlanIdx);
    k->zIndex = p->zName;
    k->pk = p->pk;
    k->sk = p->sk;
    k->pktype = p->pktype;
    k->sktype = p->sk >= 0 ? p->sktype : -1;
  }
}

/* A key column declared REAL (an N key; the declaration comes with every
** connect) reads an integral number as REAL, as a native REAL column
** stores it; any other declared type of a key reads it as the key's. */
static void key_affinities(dyn_vtab *v) {
  int i, j;
  for (i = 0; i < v->args.ncol; i++) {
    const args_column *c = &v->args.aCol[i];
    j = catalog_column(v, c->name);
    if (j >= 0 && v->aCol[j].key && v->aCol[j].cls == AVC_NUMERIC &&
        av_class_of_decl(c->type) < 0 && av_read_affinity(c->type) == AVA_REAL) {
      v->aCol[j].aff = AVA_REAL;
    }
  }
}

int catalog_finish(dyn_vtab *v, char **pzErr) {
  int i, rc;
  assert(v->pk >= 0 && v->pk < v->ncol);
  key_affinities(v);
  v->azName = sqlite3_malloc64(sizeof(char *) * (v->ncol + 1));
  if (!v->azName) return SQLITE_NOMEM;
  for (i = 0; i < v->ncol; i++) v->azName[i] = v->aCol[i].name;
  v->azName[v->ncol] = ARGS_ITEM_COLUMN;
  if ((rc = plan_indexes(v)) != SQLITE_OK) return rc;
  if ((rc = declare(v)) != SQLITE_OK && rc != SQLITE_NOMEM) {
    *pzErr = sqlite3_mprintf("dynamo: cannot declare the columns of %s: %s", v->zName,
                             sqlite3_errmsg(v->db));
  }
  return rc == SQLITE_OK ? check_declared(v, pzErr) : rc;
}

/* ---- shadow tables ------------------------------------------------------- */

/* Columns iFrom and after into NAME_schema. */
static int schema_insert(dyn_vtab *v, int iFrom) {
  sqlite3_stmt *st = 0;
  char *zSql = sqlite3_mprintf("INSERT INTO \"%w\".\"%w_schema\" VALUES(?,?,?,?)", v->zDb,
                               v->zName);
  int rc, i;
  if (!zSql) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(v->db, zSql, -1, &st, 0);
  sqlite3_free(zSql);
  for (i = iFrom; rc == SQLITE_OK && i < v->ncol; i++) {
    const dyn_column *c = &v->aCol[i];
    sqlite3_bind_int(st, 1, i);
    sqlite3_bind_text(st, 2, c->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, c->type, -1, SQLITE_STATIC);
    if (c->key) sqlite3_bind_text(st, 4, c->key == KEY_HASH ? "HASH" : "RANGE", -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, 4);
    rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(v->db);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  return rc;
}

static int schema_save(dyn_vtab *v) {
  char *zSql = sqlite3_mprintf(
      "CREATE TABLE \"%w\".\"%w_schema\"(pos INTEGER PRIMARY KEY, name TEXT NOT NULL, "
      "type TEXT NOT NULL, key TEXT)",
      v->zDb, v->zName);
  int rc;
  if (!zSql) return SQLITE_NOMEM;
  rc = sqlite3_exec(v->db, zSql, 0, 0, 0);
  sqlite3_free(zSql);
  return rc == SQLITE_OK ? schema_insert(v, 0) : rc;
}

int catalog_append(dyn_vtab *v, int iFrom, char **pzErr) {
  int rc = schema_insert(v, iFrom);
  if (rc != SQLITE_OK && rc != SQLITE_NOMEM) {
    *pzErr = sqlite3_mprintf("dynamo: cannot add columns to %s_schema: %s", v->zName,
                             sqlite3_errmsg(v->db));
  }
  return rc;
}

int catalog_save(dyn_vtab *v, char **pzErr) {
  int rc = schema_save(v);
  if (rc == SQLITE_OK) rc = indexes_save(v->db, v->zDb, v->zName, v->aIdx, v->nIdx);
  if (rc != SQLITE_OK && rc != SQLITE_NOMEM) {
    *pzErr = sqlite3_mprintf("dynamo: cannot create %s_schema or %s_index: %s", v->zName,
                             v->zName, sqlite3_errmsg(v->db));
  }
  return rc;
}

/* Why the next row of NAME_schema (name, type, key) cannot be column
** v->ncol, or NULL: what CREATE accepts (args_type_problem), no name twice
** nor a hidden column's, one partition key and at most one sort key, each
** of type S, N or B, no more columns than SQLite takes. */
static const char *schema_row_problem(const dyn_vtab *v, sqlite3_stmt *st) {
  /* the storage classes first: reading a value as text converts it */
  int eName = sqlite3_column_type(st, 0), eType = sqlite3_column_type(st, 1);
  int eKey = sqlite3_column_type(st, 2), t;
  const char *zName = (const char *)sqlite3_column_text(st, 0);
  const char *zType = (const char *)sqlite3_column_text(st, 1);
  const char *zKey = (const char *)sqlite3_column_text(st, 2);
  if (eName != SQLITE_TEXT || !zName || !zName[0]) return "a column without a name";
  if ((int)strlen(zName) != sqlite3_column_bytes(st, 0)) return "a name holding a NUL byte";
  if (args_is_reserved(zName)) return "a column named item or _key (the hidden columns)";
  if (catalog_column(v, zName) >= 0) return "a column name given twice";
  if (v->ncol + 2 >= sqlite3_limit(v->db, SQLITE_LIMIT_COLUMN, -1)) {
    return "more columns than SQLite allows in a table";
  }
  if (eType != SQLITE_TEXT && eType != SQLITE_NULL) return "a type that is not text";
  if (zType && (int)strlen(zType) != sqlite3_column_bytes(st, 1)) return "a type holding a NUL byte";
  if (zType && args_type_problem(zType)) return args_type_problem(zType);
  if (eKey == SQLITE_NULL) return 0;
  if (eKey != SQLITE_TEXT || !zKey || (strcmp(zKey, "HASH") && strcmp(zKey, "RANGE"))) {
    return "a key that is not HASH or RANGE";
  }
  if (strcmp(zKey, "HASH") == 0 ? v->pk >= 0 : v->sk >= 0) return "a second partition or sort key";
  t = zType ? av_type_from_name(zType, -1) : -1;
  if (t != AV_S && t != AV_N && t != AV_B) return "a key whose type is not S, N or B";
  return 0;
}

static int schema_load(dyn_vtab *v, char **pzErr) {
  sqlite3_stmt *st = 0;
  char *zSql = sqlite3_mprintf("SELECT name, type, key FROM \"%w\".\"%w_schema\" ORDER BY pos",
                               v->zDb, v->zName);
  const char *zWhy = 0;
  int rc;
  if (!zSql) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(v->db, zSql, -1, &st, 0);
  sqlite3_free(zSql);
  if (rc != SQLITE_OK) {
    *pzErr = sqlite3_mprintf(
        "dynamo: the column list of %s is missing (shadow table %s_schema): %s; drop the "
        "virtual table and create it again",
        v->zName, v->zName, sqlite3_errmsg(v->db));
    return SQLITE_ERROR;
  }
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *zType, *zKey;
    if ((zWhy = schema_row_problem(v, st)) != 0) break; /* before any text is read */
    zType = (const char *)sqlite3_column_text(st, 1);
    zKey = (const char *)sqlite3_column_text(st, 2);
    rc = catalog_add_column(v, (const char *)sqlite3_column_text(st, 0), zType ? zType : "",
                            !zKey ? KEY_NO : strcmp(zKey, "HASH") == 0 ? KEY_HASH : KEY_RANGE);
    if (rc != SQLITE_OK) break;
  }
  if (zWhy) {
    const char *zName = (const char *)sqlite3_column_text(st, 0);
    const char *zType = (const char *)sqlite3_column_text(st, 1);
    *pzErr = sqlite3_mprintf("dynamo: %s_schema, the column list of %s, is not one CREATE "
                             "VIRTUAL TABLE writes: column %d (%.40s %.40s%s): %s; drop the "
                             "virtual table and create it again",
                             v->zName, v->zName, v->ncol + 1, zName ? zName : "NULL",
                             zType ? zType : "NULL", zType && strlen(zType) > 40 ? "..." : "",
                             zWhy);
    sqlite3_finalize(st);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE && rc != SQLITE_OK) return rc;
  if (v->pk < 0) {
    *pzErr = sqlite3_mprintf("dynamo: %s_schema names no partition key", v->zName);
    return SQLITE_ERROR;
  }
  return SQLITE_OK;
}

/* Is this the name of a key type: S, N or B? */
static int is_key_type(const char *z) {
  int t = z ? av_type_from_name(z, -1) : -1;
  return t == AV_S || t == AV_N || t == AV_B;
}

/* Why index i of a[] cannot be one DescribeTable gave, or NULL. */
static const char *index_problem(const dyn_index *a, int i) {
  const dyn_index *x = &a[i];
  cJSON *inc, *e;
  int j, ok;
  if (!x->zName[0]) return "an index without a name";
  for (j = 0; j < i; j++) {
    if (strcmp(a[j].zName, x->zName) == 0) return "an index name given twice";
  }
  if (!x->zPk[0] || !is_key_type(x->zPkType)) {
    return "a partition key without a name or of a type other than S, N or B";
  }
  if (!x->zSk != !x->zSkType || (x->zSk && (!x->zSk[0] || !is_key_type(x->zSkType)))) {
    return "a sort key without a name or of a type other than S, N or B";
  }
  if (strcmp(x->zProjection, "ALL") && strcmp(x->zProjection, "KEYS_ONLY") &&
      strcmp(x->zProjection, "INCLUDE")) {
    return "a projection other than ALL, KEYS_ONLY or INCLUDE";
  }
  if (!x->zInclude) return 0;
  inc = cJSON_Parse(x->zInclude);
  ok = cJSON_IsArray(inc);
  cJSON_ArrayForEach(e, inc) {
    if (!cJSON_IsString(e)) ok = 0;
  }
  cJSON_Delete(inc);
  return ok ? 0 : "an INCLUDE list that is not a JSON array of names";
}

int catalog_load(dyn_vtab *v, char **pzErr) {
  const char *zWhy = 0;
  int rc = schema_load(v, pzErr), i;
  if (rc == SQLITE_OK) rc = indexes_load(v->db, v->zDb, v->zName, &v->aIdx, &v->nIdx);
  if (rc == SQLITE_OK && v->nIdx > 255) zWhy = "more than 255 indexes"; /* PLAN_INDEX_OF */
  for (i = 0; rc == SQLITE_OK && !zWhy && i < v->nIdx; i++) zWhy = index_problem(v->aIdx, i);
  if (zWhy) {
    *pzErr = sqlite3_mprintf("dynamo: %s_index, the secondary indexes of %s, is not one CREATE "
                             "VIRTUAL TABLE writes: %s",
                             v->zName, v->zName, zWhy);
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  return rc;
}

/* DROP TABLE removes the SQLite table and its shadow tables, never the
** DynamoDB table or its items. */
int catalog_drop(dyn_vtab *v) {
  char *zSql = sqlite3_mprintf("DROP TABLE IF EXISTS \"%w\".\"%w_schema\"; "
                               "DROP TABLE IF EXISTS \"%w\".\"%w_index\"",
                               v->zDb, v->zName, v->zDb, v->zName);
  int rc = zSql ? sqlite3_exec(v->db, zSql, 0, 0, 0) : SQLITE_NOMEM;
  sqlite3_free(zSql);
  return rc;
}

int catalog_rename(dyn_vtab *v, const char *zNew) {
  char *zSql = sqlite3_mprintf(
      "ALTER TABLE \"%w\".\"%w_schema\" RENAME TO \"%w_schema\"; "
      "ALTER TABLE \"%w\".\"%w_index\" RENAME TO \"%w_index\"",
      v->zDb, v->zName, zNew, v->zDb, v->zName, zNew);
  int rc = zSql ? sqlite3_exec(v->db, zSql, 0, 0, 0) : SQLITE_NOMEM;
  sqlite3_free(zSql);
  if (rc == SQLITE_OK) {
    char *z = sqlite3_mprintf("%s", zNew);
    if (!z) return SQLITE_NOMEM;
    sqlite3_free(v->zName);
    v->zName = z;
  }
  return rc;
}

int catalog_is_shadow(const char *zSuffix) {
  return sqlite3_stricmp(zSuffix, "schema") == 0 || sqlite3_stricmp(zSuffix, "index") == 0;
}

/* ---- dynamo_key() ----------------------------------------------------------- */

/* The open dynamo table named zName (in any schema), or NULL. */
static dyn_vtab *find_table(dyn_conn *conn, const char *zName) {
  int n;
  return table_find(conn, 0, zName, &n);
}

void catalog_key_function(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  dyn_conn *conn = sqlite3_user_data(ctx);
  const char *zName = (const char *)sqlite3_value_text(argv[0]);
  cJSON *key = 0;
  char *z = 0;
  dyn_vtab *v;
  int i, k, rc;
  if (!zName) return; /* NULL */
  if (!(v = find_table(conn, zName))) {
    /* not used on this connection yet: a statement naming it opens it */
    sqlite3_stmt *st = 0;
    char *zSql = sqlite3_mprintf("SELECT 1 FROM \"%w\" WHERE 0", zName);
    if (zSql && sqlite3_prepare_v2(sqlite3_context_db_handle(ctx), zSql, -1, &st, 0) == SQLITE_OK) {
      v = find_table(conn, zName);
    }
    sqlite3_finalize(st);
    sqlite3_free(zSql);
  }
  if (!v) {
    char *zErr = sqlite3_mprintf("dynamo_key: no dynamo table named %s", zName);
    sqlite3_result_error(ctx, zErr ? zErr : "dynamo_key: out of memory", -1);
    sqlite3_free(zErr);
    return;
  }
  if (argc != (v->sk >= 0 ? 3 : 2)) { /* "... takes its key: dynamo_key('t', uuid, timestamp)" */
    char *zErr = sqlite3_mprintf("dynamo_key: %s takes its key: dynamo_key('%s', %s%s%s)", zName,
                                 zName, v->aCol[v->pk].name, v->sk >= 0 ? ", " : "",
                                 v->sk >= 0 ? v->aCol[v->sk].name : "");
    sqlite3_result_error(ctx, zErr ? zErr : "dynamo_key: out of memory", -1);
    sqlite3_free(zErr);
    return;
  }
  if (!(key = cJSON_CreateObject())) goto nomem;
  for (i = 0; i < argc - 1; i++) {
    int iCol = i ? v->sk : v->pk;
    cJSON *av = 0;
    k = plan_key_named(argv[i + 1], i ? v->sktype : v->pktype, &av);
    if (k == KEY_OOM) goto nomem;
    if (k == KEY_NUL) {
      sqlite3_result_error(ctx, "dynamo_key: text holding a NUL character or bytes that are not "
                                "UTF-8 cannot be a key", -1);
      goto done;
    }
    if (k != KEY_VALUE) goto done; /* no key is that value: NULL */
    if (!cJSON_AddItemToObject(key, v->aCol[iCol].name, av)) {
      cJSON_Delete(av);
      goto nomem;
    }
  }
  rc = av_key_text(key, v->aCol[v->pk].name, v->sk >= 0 ? v->aCol[v->sk].name : 0, &z);
  if (rc != SQLITE_OK) goto nomem;
  sqlite3_result_text(ctx, z, -1, sqlite3_free);
  goto done;
nomem:
  sqlite3_result_error_nomem(ctx);
done:
  cJSON_Delete(key);
}
