/* Unit tests of page.c: a Query or Scan page split, its items read one at a
** time, and read exactly as a parse of the whole body reads them. */
#include "page.h"
#include "check.h"

/* Split z; then every item must equal, in order, the whole parse's. */
static int same_as_whole(const char *z) {
  cJSON *resp = 0, *whole = cJSON_ParseWithLengthOpts(z, strlen(z) + 1, 0, 1), *item;
  const cJSON *want;
  page_items it;
  int ok = 1;
  if (page_split(z, strlen(z), &resp, &it) != SQLITE_OK) {
    cJSON_Delete(whole);
    return 0;
  }
  /* the rest of the response is the whole one's, its Items emptied */
  ok = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(resp, "Items")) == 0 &&
       cJSON_GetArraySize(resp) == cJSON_GetArraySize(whole);
  want = cJSON_GetObjectItemCaseSensitive(whole, "Items")->child;
  while (ok && page_next(&it, &item) == SQLITE_OK && item) {
    ok = want && cJSON_Compare(item, want, 1);
    want = want ? want->next : 0;
    cJSON_Delete(item);
  }
  ok = ok && want == 0 && it.zNext == it.zEnd;
  cJSON_Delete(resp);
  cJSON_Delete(whole);
  return ok;
}

/* The items, printed and joined by '|', then "$" at the end or "!" at an
** error ("" when the body does not split). */
static char *items_of(const char *z) {
  cJSON *resp = 0, *item;
  page_items it;
  sqlite3_str *s = sqlite3_str_new(0);
  int rc = page_split(z, strlen(z), &resp, &it), n = 0;
  if (rc != SQLITE_OK) return sqlite3_str_finish(s);
  while ((rc = page_next(&it, &item)) == SQLITE_OK && item) {
    char *zItem = cJSON_PrintUnformatted(item);
    sqlite3_str_appendf(s, "%s%s", n++ ? "|" : "", zItem);
    cJSON_free(zItem);
    cJSON_Delete(item);
  }
  sqlite3_str_appendall(s, rc == SQLITE_OK ? "$" : "!");
  cJSON_Delete(resp);
  return sqlite3_str_finish(s);
}

static void check_items(const char *z, const char *zWant, int line) {
  char *zGot = items_of(z);
  check_current = "items";
  if (zGot && strcmp(zGot, zWant) == 0) {
    check_passed++;
  } else {
    check_failed++;
    fprintf(stderr, "FAIL items (line %d): %s\n  got:  [%s]\n  want: [%s]\n", line, z,
            zGot ? zGot : "(null)", zWant);
  }
  sqlite3_free(zGot);
}
#define ITEMS(z, want) check_items(z, want, __LINE__)

static void test_split(void) {
  const char *z = "{\"Items\":[{\"a\":{\"S\":\"x\"}},{\"b\":{\"N\":\"1\"}}],\"Count\":2,"
                  "\"LastEvaluatedKey\":{\"k\":{\"S\":\"v\"}}}";
  cJSON *resp = 0, *item = 0;
  page_items it;
  char *zResp;
  CHECK_INT(page_split(z, strlen(z), &resp, &it), SQLITE_OK);
  zResp = cJSON_PrintUnformatted(resp);
  CHECK_STR(zResp, "{\"Items\":[],\"Count\":2,\"LastEvaluatedKey\":{\"k\":{\"S\":\"v\"}}}");
  cJSON_free(zResp);
  CHECK(it.zNext == strchr(z, '[') + 1);
  CHECK(it.zEnd == strstr(z, "],\"Count\"") + 1);
  CHECK_INT(page_next(&it, &item), SQLITE_OK);
  CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(item, "a"), "S")), "x");
  cJSON_Delete(item);
  CHECK_INT(page_next(&it, &item), SQLITE_OK);
  CHECK(cJSON_GetObjectItem(item, "b") != 0);
  cJSON_Delete(item);
  CHECK_INT(it.nItem, 2);
  CHECK_INT(page_next(&it, &item), SQLITE_OK);
  CHECK(item == 0);
  CHECK_INT(page_next(&it, &item), SQLITE_OK); /* and stays at the end */
  CHECK(item == 0);
  cJSON_Delete(resp);
  CHECK(same_as_whole(z));
}

static void test_layouts(void) {
  /* Items anywhere among the members */
  ITEMS("{\"Count\":1,\"Items\":[{\"a\":{\"S\":\"x\"}}],\"ScannedCount\":3}", "{\"a\":{\"S\":\"x\"}}$");
  /* whitespace cJSON skips (any byte up to the space), everywhere */
  ITEMS("\n{ \"Items\" :\t[ {\"a\" : {\"S\":\"x\"}} ,\r\n{\"b\":{\"S\":\"y\"}}\x01] , \"Count\" : 2 }\n",
        "{\"a\":{\"S\":\"x\"}}|{\"b\":{\"S\":\"y\"}}$");
  /* brackets, quotes and backslashes inside strings, in names too */
  ITEMS("{\"Items\":[{\"a]}\":{\"S\":\"}]\\\"[{\\\\\"}}],\"Count\":1}", "{\"a]}\":{\"S\":\"}]\\\"[{\\\\\"}}$");
  /* backslashes before a quote: an odd run escapes it, an even one ends the string */
  ITEMS("{\"Items\":[{\"\\\\\":{\"S\":\"\\\\\\\"]\\\\\"}}]}", "{\"\\\\\":{\"S\":\"\\\\\\\"]\\\\\"}}$");
  ITEMS("{\"Items\":[],\"Count\":0,\"LastEvaluatedKey\":{\"k\":{\"S\":\"v\"}}}", "$");
  ITEMS("{\"Items\":[ \n ],\"Count\":0}", "$");
  /* escapes and numbers as cJSON reads them */
  ITEMS("{\"Items\":[{\"s\":{\"S\":\"\\u00e9\\n\"},\"n\":{\"N\":\"1e3\"},\"l\":{\"L\":[1,true,null]}}]}",
        "{\"s\":{\"S\":\"\xc3\xa9\\n\"},\"n\":{\"N\":\"1e3\"},\"l\":{\"L\":[1,true,null]}}$");
  /* a member after the items may hold escapes: cJSON reads the rest */
  ITEMS("{\"Items\":[{}],\"Coun\\u0074\":1}", "{}$");
  /* the first "Items" is the one cJSON_GetObjectItem finds */
  ITEMS("{\"Items\":[{\"a\":{\"S\":\"1\"}}],\"Items\":[{\"b\":{\"S\":\"2\"}}]}", "{\"a\":{\"S\":\"1\"}}$");
  /* an item may itself hold an attribute called Items */
  ITEMS("{\"Items\":[{\"Items\":{\"L\":[{\"M\":{}}]}}],\"Count\":1}", "{\"Items\":{\"L\":[{\"M\":{}}]}}$");
  CHECK(same_as_whole("{\"Count\":1,\"Items\":[{\"a\":{\"S\":\"x\"}}],\"ScannedCount\":3}"));
  CHECK(same_as_whole("\n{ \"Items\" :\t[ {\"a\" : {\"S\":\"x\"}} ,\r\n{\"b\":{\"S\":\"y\"}}] }\n"));
  CHECK(same_as_whole("{\"Items\":[{\"a]}\":{\"S\":\"}]\\\"[{\\\\\"}}],\"Count\":1}"));
  CHECK(same_as_whole("{\"Items\":[],\"Count\":0}"));
  CHECK(same_as_whole("{\"Items\":[{\"\\\\\":{\"S\":\"\\\\\\\"]\\\\\"}}],\"C\":[\"\\\\\"]}"));
  CHECK(same_as_whole("{\"Items\":[{\"a\":{\"S\":\"1\"}}],\"Items\":[{\"b\":{\"S\":\"2\"}}]}"));
}

/* Bodies left to a parse of the whole: it then reads them as before. */
static void test_not_split(void) {
  static const char *az[] = {
      "{\"Item\":{\"a\":{\"S\":\"x\"}}}",         /* GetItem's answer */
      "{\"Count\":3}",                            /* Select=COUNT */
      "{\"Items\":5}",                            /* not an array */
      "{\"Items\":1,\"Items\":[{}]}",             /* the first is not one */
      "{\"Item\\u0073\":[{}]}",                   /* a name with an escape */
      "{\"\\u0041\":1,\"Items\":[{}]}",           /* before the items */
      "[{\"Items\":[]}]",                         /* not an object */
      "",
      "   ",
      "{\"Items\":[{\"a\":1}",                    /* cut short */
      "{\"Items\":[{\"a\":\"1}]}",                /* a string never closed */
      "{\"Items\":[{\"a\":\"1\\\"}]}",
      "{\"Items\":[}]}",                          /* closes what is not open */
      "{\"Items\":[{\"a\":1}}]}",                 /* brackets that do not pair */
      "{\"Items\":[{\"a\":[1}]}",
      "{\"Items\":[{}]} x",                       /* something after the object */
      "{\"Items\":[{}],\"Count\":}",              /* the rest is not JSON */
      "{\"Items\":[{}],}",
      "{\"Items\" [{}]}",
      "{\"Count\":1 \"Items\":[{}]}",
      "{Items:[{}]}",
  };
  /* a NUL byte in a name: cJSON's name is "Items", cut there */
  static const char zNul[] = "{\"Items\0x\":5,\"Items\":[{}]}";
  cJSON *resp = (cJSON *)1;
  page_items it;
  size_t i;
  CHECK_INT(page_split(zNul, sizeof(zNul) - 1, &resp, &it), SQLITE_NOTFOUND);
  CHECK(resp == 0);
  for (i = 0; i < sizeof(az) / sizeof(az[0]); i++) {
    resp = (cJSON *)1;
    check_current = az[i];
    CHECK_INT(page_split(az[i], strlen(az[i]), &resp, &it), SQLITE_NOTFOUND);
    CHECK(resp == 0);
  }
}

/* Items that are not a JSON array of objects: an error where they go wrong. */
static void test_malformed_items(void) {
  ITEMS("{\"Items\":[{\"a\":1},]}", "{\"a\":1}!");
  ITEMS("{\"Items\":[{\"a\":1} {\"b\":2}]}", "{\"a\":1}!");
  ITEMS("{\"Items\":[,{\"a\":1}]}", "!");
  ITEMS("{\"Items\":[1]}", "!");
  ITEMS("{\"Items\":[{\"a\":1},[]]}", "{\"a\":1}!");
  ITEMS("{\"Items\":[{\"a\":1},\"x\"]}", "{\"a\":1}!");
  ITEMS("{\"Items\":[{\"a\":tru},{\"b\":1}]}", "!");
  ITEMS("{\"Items\":[{\"a\":1},{\"b\":}]}", "{\"a\":1}!");
}

int main(void) {
  RUN(test_split);
  RUN(test_layouts);
  RUN(test_not_split);
  RUN(test_malformed_items);
  CHECK_DONE();
}
