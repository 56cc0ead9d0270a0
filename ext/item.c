/*
** item.c: whole AttributeValues and items, beyond converting them (see
** attrval.h): equality as DynamoDB means it (numbers by value, sets in any
** order), an item's size as DynamoDB counts it against its 400 KB limit,
** and the text of an item's key, one text for one key (1.50 and 1.5 alike).
*/
#include "attrval.h"
#include "number.h"

#include <string.h>

/* ---- equality ------------------------------------------------------------- */

static int num_str_equal(const char *a, const char *b) {
  num_dec x, y;
  return num_parse(a, -1, &x) == NUM_OK && num_parse(b, -1, &y) == NUM_OK &&
         num_cmp(&x, &y) == 0;
}

static int set_contains(const cJSON *set, const char *z, int t) {
  const cJSON *e;
  cJSON_ArrayForEach(e, set) {
    if (t == AV_NS ? num_str_equal(e->valuestring, z) : strcmp(e->valuestring, z) == 0)
      return 1;
  }
  return 0;
}

int av_equal(const cJSON *a, const cJSON *b) {
  int t = av_type_of(a);
  const cJSON *x, *y, *e;
  if (t < 0 || t != av_type_of(b)) return 0;
  x = a->child;
  y = b->child;
  switch (t) {
    case AV_S: case AV_B: return strcmp(x->valuestring, y->valuestring) == 0;
    case AV_N: return num_str_equal(x->valuestring, y->valuestring);
    case AV_BOOL: case AV_NULL: return cJSON_IsTrue(x) == cJSON_IsTrue(y);
    case AV_SS: case AV_NS: case AV_BS:
      if (cJSON_GetArraySize(x) != cJSON_GetArraySize(y)) return 0;
      cJSON_ArrayForEach(e, x) {
        if (!set_contains(y, e->valuestring, t)) return 0;
      }
      return 1;
    case AV_L:
      for (e = x->child, y = y->child; e && y; e = e->next, y = y->next) {
        if (!av_equal(e, y)) return 0;
      }
      return e == 0 && y == 0;
    case AV_M:
      if (cJSON_GetArraySize(x) != cJSON_GetArraySize(y)) return 0;
      cJSON_ArrayForEach(e, x) {
        if (!av_equal(e, cJSON_GetObjectItemCaseSensitive(y, e->string))) return 0;
      }
      return 1;
  }
  return 0;
}

/* ---- sizes ------------------------------------------------------------------ */

static sqlite3_int64 number_size(const char *z) {
  num_dec d;
  return num_parse(z, -1, &d) == NUM_OK ? 1 + (d.ndigit + 1) / 2 : 1 + ((int)strlen(z) + 1) / 2;
}

static sqlite3_int64 binary_size(const char *z) {
  size_t n = strlen(z), pad = 0;
  if (n >= 1 && z[n - 1] == '=') pad++;
  if (n >= 2 && z[n - 2] == '=') pad++;
  return (sqlite3_int64)(n / 4 * 3) - (sqlite3_int64)pad;
}

/* The size of one attribute value (its name not counted). */
static sqlite3_int64 value_size(const cJSON *av) {
  const cJSON *e;
  sqlite3_int64 n = 0;
  switch (av_type_of(av)) {
    case AV_S: return (sqlite3_int64)strlen(av->child->valuestring);
    case AV_N: return number_size(av->child->valuestring);
    case AV_B: return binary_size(av->child->valuestring);
    case AV_BOOL: case AV_NULL: return 1;
    case AV_SS: cJSON_ArrayForEach(e, av->child) n += (sqlite3_int64)strlen(e->valuestring); return n;
    case AV_NS: cJSON_ArrayForEach(e, av->child) n += number_size(e->valuestring); return n;
    case AV_BS: cJSON_ArrayForEach(e, av->child) n += binary_size(e->valuestring); return n;
    case AV_L: cJSON_ArrayForEach(e, av->child) n += 1 + value_size(e); return 3 + n;
    case AV_M:
      cJSON_ArrayForEach(e, av->child) n += 1 + (sqlite3_int64)strlen(e->string) + value_size(e);
      return 3 + n;
  }
  return 0;
}

sqlite3_int64 av_item_size(const cJSON *item) {
  const cJSON *e;
  sqlite3_int64 n = 0;
  cJSON_ArrayForEach(e, item) n += (sqlite3_int64)strlen(e->string) + value_size(e);
  return n;
}

int av_key_text(const cJSON *item, const char *zPk, const char *zSk, char **pz) {
  cJSON *key = cJSON_CreateObject();
  const char *azName[2];
  char *z = 0;
  int i, rc = SQLITE_NOMEM;
  *pz = 0;
  azName[0] = zPk;
  azName[1] = zSk;
  for (i = 0; key && i < 2; i++) {
    const cJSON *av;
    cJSON *copy;
    num_dec d;
    if (!azName[i]) continue;
    if (!(av = cJSON_GetObjectItemCaseSensitive(item, azName[i]))) {
      rc = SQLITE_ERROR;
      goto done;
    }
    if (av_type_of(av) == AV_N && num_parse(av->child->valuestring, -1, &d) == NUM_OK) {
      char buf[NUM_BUF]; /* a number as its canonical text: 1.50 and 1.5 are one key */
      num_format(&d, buf);
      copy = cJSON_CreateObject();
      if (copy && !cJSON_AddStringToObject(copy, "N", buf)) {
        cJSON_Delete(copy);
        copy = 0;
      }
    } else {
      copy = cJSON_Duplicate(av, 1);
    }
    if (!copy || !cJSON_AddItemToObject(key, azName[i], copy)) {
      cJSON_Delete(copy);
      goto done;
    }
  }
  if (key && (z = cJSON_PrintUnformatted(key)) != 0 && (*pz = sqlite3_mprintf("%s", z)) != 0) {
    rc = SQLITE_OK;
  }
done:
  cJSON_free(z);
  cJSON_Delete(key);
  return rc;
}
