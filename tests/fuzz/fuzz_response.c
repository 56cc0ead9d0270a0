/*
** libFuzzer target for reading a Query, Scan or GetItem response body.
**
** What it covers: the functions the cursor (ext/vtab.c) calls on a response,
** on exactly the data the cursor gives them:
**   - ddb.c parses a 200 body with cJSON_ParseWithLengthOpts (the whole
**     text must be one JSON object), except a Query or Scan page, which
**     page_split() (page.c) splits: the response with its Items emptied,
**     then page_next() for one item after another. Property: wherever
**     page_split() splits, the rest of the response and every item read
**     equal the whole parse's, an item that is not an object is an error at
**     that item, and a body the whole parse refuses never reads to its end
**     (save past cJSON's nesting limit, which an item read alone meets two
**     levels later);
**   - take_page() takes "Items" (must be an array, its first element an
**     object) or, for GetItem, "Item" (must be an object); advance() moves
**     to the next item and refuses one that is not an object;
**   - vtColumn() reads column NAME of the current item with
**     av_result(ctx, cJSON_GetObjectItemCaseSensitive(item, NAME)), here in a
**     real sqlite3_context: the SQL function fz_col(NAME) registered below,
**     run as SELECT fz_col(?) for every attribute of the item, every
**     attribute of the first item (the table's columns) and one the item
**     lacks; the result must be what av_to_value() says (type and value),
**     or the error "malformed attribute value in the response";
**   - the hidden columns: item (cJSON_PrintUnformatted of the item) and _key
**     (the key attributes duplicated into a new object and printed; an item
**     without them is an error);
**   - advance() detaching "LastEvaluatedKey" and putting it into the request
**     as "ExclusiveStartKey" in place of the previous one; the request is
**     then printed as ddb_call sends it, and must carry that key unchanged
**     when every attribute in it is valid.
**
** What it does not cover: vtab.c's own code. take_page(), advance(),
** key_result() and vtColumn() are static in vtab.c, so their few lines of
** glue are mirrored here (keep them in step); a change there is caught by
** the end-to-end tests, which run the real cursor against DynamoDB Local,
** dynalite and the scripted fake server (tests/fakeserver.py: empty pages
** with LastEvaluatedKey, bodies that are not JSON, error bodies). Nor does it
** cover HTTP, retries, paging across requests, IN lists, the column
** discovery of CREATE (discover() in vtab.c), or error bodies
** (ddb_parse_error, in ddb.c, which links libcurl).
*/
#include "attrval.h"
#include "page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond)                                                          \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_response: property failed at line %d: %s\n",       \
              __LINE__, #cond);                                                \
      abort();                                                                 \
    }                                                                          \
  } while (0)

static sqlite3 *db;
static sqlite3_stmt *stCol; /* SELECT fz_col(?) */
static const cJSON *gItem;  /* the cursor's current item */

/* xColumn for a column named argv[0], as vtColumn() does it. */
static void fz_col(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  const char *zName = (const char *)sqlite3_value_text(argv[0]);
  (void)argc;
  av_result(ctx, zName ? cJSON_GetObjectItemCaseSensitive(gItem, zName) : 0);
}

static void init(void) {
  if (db) return;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
      sqlite3_create_function(db, "fz_col", 1, SQLITE_UTF8, 0, fz_col, 0, 0) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "SELECT fz_col(?)", -1, &stCol, 0) != SQLITE_OK) {
    fprintf(stderr, "fuzz_response: cannot open SQLite\n");
    abort();
  }
}

/* One column of the current item: the SQL result must be av_to_value's. */
static void read_column(const char *zName) {
  const cJSON *av = cJSON_GetObjectItemCaseSensitive(gItem, zName);
  av_value v;
  char *zErr = 0;
  int rc, step, valid;

  valid = av ? av_validate(av, "a", &zErr) == SQLITE_OK : 1;
  sqlite3_free(zErr);
  zErr = 0;
  rc = av_to_value(av, &v, &zErr);
  REQUIRE(rc == SQLITE_OK || !valid); /* whatever a real server sends reads */

  sqlite3_bind_text(stCol, 1, zName, -1, SQLITE_STATIC);
  step = sqlite3_step(stCol);
  if (rc != SQLITE_OK) {
    REQUIRE(step == SQLITE_ERROR);
    REQUIRE(strcmp(sqlite3_errmsg(db), "malformed attribute value in the response") == 0);
    sqlite3_free(zErr);
  } else {
    REQUIRE(step == SQLITE_ROW);
    REQUIRE(sqlite3_column_type(stCol, 0) == v.type);
    switch (v.type) {
      case SQLITE_INTEGER: REQUIRE(sqlite3_column_int64(stCol, 0) == v.i); break;
      case SQLITE_FLOAT: REQUIRE(sqlite3_column_double(stCol, 0) == v.r); break;
      case SQLITE_TEXT:
        REQUIRE(sqlite3_column_bytes(stCol, 0) == v.n);
        REQUIRE(memcmp(sqlite3_column_text(stCol, 0), v.z, v.n) == 0);
        break;
      case SQLITE_BLOB:
        REQUIRE(sqlite3_column_bytes(stCol, 0) == v.n);
        REQUIRE(v.n == 0 || memcmp(sqlite3_column_blob(stCol, 0), v.z, v.n) == 0);
        break;
    }
    sqlite3_free(v.zOwned);
  }
  sqlite3_reset(stCol);
  sqlite3_clear_bindings(stCol);
}

/* The _key column, as key_result() builds it. */
static void read_key(const char *zPk, const char *zSk) {
  cJSON *key = cJSON_CreateObject();
  int i;
  char *z;
  REQUIRE(key != 0);
  for (i = 0; i < 2; i++) {
    const char *zName = i == 0 ? zPk : zSk;
    const cJSON *av;
    if (!zName) continue;
    av = cJSON_GetObjectItemCaseSensitive(gItem, zName);
    if (!av) { /* "an item in the response lacks its key" */
      cJSON_Delete(key);
      return;
    }
    cJSON_AddItemToObject(key, zName, cJSON_Duplicate(av, 1));
  }
  z = cJSON_PrintUnformatted(key);
  REQUIRE(z != 0);
  cJSON_free(z);
  cJSON_Delete(key);
}

/* One row: every column, the item column and _key. */
static void read_row(const cJSON *item, const cJSON *first, const char *zPk,
                     const char *zSk) {
  const cJSON *a;
  char *z;
  gItem = item;
  cJSON_ArrayForEach(a, item) {
    if (a->string) read_column(a->string);
  }
  cJSON_ArrayForEach(a, first) { /* the table's columns */
    if (a->string) read_column(a->string);
  }
  read_column("no such attribute \x01");
  z = cJSON_PrintUnformatted(item); /* the item column */
  REQUIRE(z != 0);
  cJSON_free(z);
  read_key(zPk, zSk);
  gItem = 0;
}

/* advance(): LastEvaluatedKey becomes the next request's ExclusiveStartKey. */
static void next_request(cJSON *resp, cJSON *req) {
  cJSON *lek = cJSON_DetachItemFromObjectCaseSensitive(resp, "LastEvaluatedKey");
  const cJSON *a;
  cJSON *back;
  char *body;
  int valid = 1;
  if (!lek) return;
  cJSON_DeleteItemFromObjectCaseSensitive(req, "ExclusiveStartKey");
  cJSON_AddItemToObject(req, "ExclusiveStartKey", lek);
  body = cJSON_PrintUnformatted(req); /* what ddb_call sends */
  REQUIRE(body != 0);
  if (!cJSON_IsObject(lek)) valid = 0;
  cJSON_ArrayForEach(a, lek) {
    char *zErr = 0;
    if (!a->string || av_validate(a, a->string, &zErr) != SQLITE_OK) valid = 0;
    sqlite3_free(zErr);
  }
  back = cJSON_Parse(body);
  if (valid) { /* printed the same (the key may repeat a name: not cJSON_Compare) */
    char *z1, *z2;
    REQUIRE(back != 0);
    z1 = cJSON_PrintUnformatted(lek);
    z2 = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(back, "ExclusiveStartKey"));
    REQUIRE(z1 && z2 && strcmp(z1, z2) == 0);
    cJSON_free(z1);
    cJSON_free(z2);
  }
  cJSON_Delete(back);
  cJSON_free(body);
}

/* Equal trees print the same (cJSON_Compare fails an object that repeats
** a name, even against itself). */
static int same(const cJSON *a, const cJSON *b) {
  char *za = cJSON_PrintUnformatted(a), *zb = cJSON_PrintUnformatted(b);
  int eq;
  REQUIRE(za && zb);
  eq = strcmp(za, zb) == 0;
  cJSON_free(za);
  cJSON_free(zb);
  return eq;
}

/* Can the text nest 998 levels (cJSON's limit, less the two an item read
** alone starts below)? Counted loosely: every opening bracket. */
static int may_nest_deep(const char *z, size_t n) {
  size_t i, k = 0;
  for (i = 0; i < n; i++) k += z[i] == '[' || z[i] == '{';
  return k >= CJSON_NESTING_LIMIT - 2;
}

/* The split reading of body z against the whole parse: the property above.
** Returns the items read, in a new array (NULL when z does not split). */
static cJSON *split_items(const char *z, size_t n, const cJSON *whole) {
  cJSON *rest = 0, *got, *item;
  const cJSON *want = 0;
  page_items it;
  int rc = page_split(z, n, &rest, &it), wantObjects = 1;
  if (rc == SQLITE_NOTFOUND) return 0;
  REQUIRE(rc == SQLITE_OK && cJSON_IsObject(rest));
  REQUIRE(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(rest, "Items")));
  REQUIRE(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rest, "Items")) == 0);
  if (whole) { /* the rest is the whole response, Items emptied */
    cJSON *w = cJSON_Duplicate(whole, 1);
    REQUIRE(w && cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(w, "Items")));
    want = cJSON_GetObjectItemCaseSensitive(whole, "Items")->child;
    cJSON_ReplaceItemInObjectCaseSensitive(w, "Items", cJSON_CreateArray());
    REQUIRE(same(w, rest));
    cJSON_Delete(w);
  }
  got = cJSON_CreateArray();
  REQUIRE(got != 0);
  while ((rc = page_next(&it, &item)) == SQLITE_OK && item) {
    REQUIRE(cJSON_IsObject(item));
    if (whole) {
      REQUIRE(want && cJSON_IsObject(want) && same(item, want));
      want = want->next;
    }
    cJSON_AddItemToArray(got, item);
  }
  if (whole) {
    if (want && !cJSON_IsObject(want)) wantObjects = 0;
    /* the same end: all of them read, or an error at the first non-object */
    REQUIRE(wantObjects ? rc == SQLITE_OK && want == 0 : rc == SQLITE_ERROR);
  } else {
    REQUIRE(rc == SQLITE_ERROR || may_nest_deep(z, n));
  }
  cJSON_Delete(rest);
  return got;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  cJSON *resp, *req, *split;
  const cJSON *items, *item, *first, *lek;
  const char *zPk = 0, *zSk = 0;
  char *z;
  if (size > 262144) return 0;
  init();

  /* a body as http.c hands it over: its own buffer, NUL-terminated */
  z = malloc(size + 1);
  REQUIRE(z != 0);
  memcpy(z, data, size);
  z[size] = 0;
  resp = cJSON_ParseWithLengthOpts(z, size + 1, 0, 1);
  if (!cJSON_IsObject(resp)) { /* "the response is not a JSON object" */
    cJSON_Delete(resp);
    resp = 0;
  }
  split = split_items(z, size, resp);
  free(z);
  if (!resp) {
    cJSON_Delete(split);
    return 0;
  }

  /* key names: the LastEvaluatedKey's attributes, else the first item's */
  items = cJSON_GetObjectItemCaseSensitive(resp, "Items");
  first = cJSON_IsArray(items) && cJSON_IsObject(items->child) ? items->child : 0;
  lek = cJSON_GetObjectItemCaseSensitive(resp, "LastEvaluatedKey");
  if (cJSON_IsObject(lek) && lek->child) {
    zPk = lek->child->string;
    zSk = lek->child->next ? lek->child->next->string : 0;
  } else if (first && first->child) {
    zPk = first->child->string;
  }

  /* GetItem: fetch() takes "Item", which must be an object */
  item = cJSON_GetObjectItemCaseSensitive(resp, "Item");
  if (cJSON_IsObject(item)) read_row(item, item, zPk, zSk);

  /* Query/Scan: take_page() and advance() walk the items, objects only:
  ** those page_next() read (the same, as split_items() checked) */
  if (split) {
    cJSON_ArrayForEach(item, split) read_row(item, first, zPk, zSk);
  } else if (cJSON_IsArray(items)) {
    cJSON_ArrayForEach(item, items) {
      if (!cJSON_IsObject(item)) break; /* "malformed item in the response" */
      read_row(item, first, zPk, zSk);
    }
  }

  req = cJSON_CreateObject();
  REQUIRE(req != 0);
  cJSON_AddStringToObject(req, "TableName", "Tracks");
  cJSON_AddStringToObject(req, "ExclusiveStartKey", "the previous page's key");
  next_request(resp, req);
  cJSON_Delete(req);
  cJSON_Delete(resp);
  cJSON_Delete(split);
  return 0;
}
