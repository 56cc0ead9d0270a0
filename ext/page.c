/*
** A Query or Scan page, read one item at a time (see page.h).
*/
#include "page.h"

#include <string.h>

/* What cJSON skips between tokens: every byte up to the space. */
static const char *skip_space(const char *p, const char *e) {
  while (p < e && (unsigned char)*p <= 32) p++;
  return p;
}

/* Just past the string whose opening quote is at p[-1]; NULL when the text
** ends first. memchr finds the quotes: an item's text is mostly strings. */
static const char *string_end(const char *p, const char *e) {
  for (;;) {
    const char *q = memchr(p, '"', (size_t)(e - p)), *b;
    if (!q) return 0;
    for (b = q; b > p && b[-1] == '\\'; b--) {}
    if ((q - b) % 2 == 0) return q + 1; /* not escaped: the end */
    p = q + 1;
  }
}

/* Just past the JSON value at p, found by its brackets and strings alone
** (what lies between is cJSON's to check); NULL when the text ends first or
** a bracket closes what was never opened. */
static const char *value_end(const char *p, const char *e) {
  int depth = 0;
  while (p < e) {
    char ch = *p++;
    if (ch == '"') {
      if (!(p = string_end(p, e))) return 0;
    } else if (ch == '{' || ch == '[') {
      depth++;
      continue;
    } else if (ch == '}' || ch == ']') {
      if (--depth < 0) return 0;
    } else if (depth == 0) { /* a number, true, false, null, or junk */
      while (p < e && *p != ',' && *p != '}' && *p != ']' && (unsigned char)*p > 32) p++;
    }
    if (depth == 0) return p;
  }
  return 0;
}

/* The response without its items: z with [zArr, zArrEnd) replaced by []. */
static int parse_rest(const char *z, size_t n, const char *zArr, const char *zArrEnd,
                      cJSON **pResp) {
  size_t nHead = (size_t)(zArr - z), nTail = n - (size_t)(zArrEnd - z);
  char *zRest = sqlite3_malloc64(nHead + 2 + nTail + 1);
  if (!zRest) return SQLITE_NOMEM;
  memcpy(zRest, z, nHead);
  memcpy(zRest + nHead, "[]", 2);
  memcpy(zRest + nHead + 2, zArrEnd, nTail);
  zRest[nHead + 2 + nTail] = 0;
  /* the whole text must be the object: nothing after it */
  *pResp = cJSON_ParseWithLengthOpts(zRest, nHead + 2 + nTail + 1, 0, 1);
  sqlite3_free(zRest);
  if (cJSON_IsObject(*pResp)) return SQLITE_OK;
  cJSON_Delete(*pResp);
  *pResp = 0;
  return SQLITE_NOTFOUND;
}

int page_split(const char *z, size_t n, cJSON **pResp, page_items *pItems) {
  const char *e = z + n, *p = skip_space(z, e);
  *pResp = 0;
  memset(pItems, 0, sizeof(*pItems));
  if (p >= e || *p != '{') return SQLITE_NOTFOUND;
  p = skip_space(p + 1, e);
  while (p < e && *p == '"') {
    const char *zName = p, *zVal;
    int isItems;
    if (!(p = value_end(p, e)) || memchr(zName, '\\', (size_t)(p - zName)) ||
        memchr(zName, 0, (size_t)(p - zName))) { /* cJSON's name differs */
      return SQLITE_NOTFOUND;
    }
    isItems = p - zName == 7 && memcmp(zName, "\"Items\"", 7) == 0;
    p = skip_space(p, e);
    if (p >= e || *p != ':') return SQLITE_NOTFOUND;
    zVal = skip_space(p + 1, e);
    if (!(p = value_end(zVal, e))) return SQLITE_NOTFOUND;
    if (isItems) { /* the first: the one cJSON_GetObjectItem finds */
      int rc;
      if (*zVal != '[') return SQLITE_NOTFOUND;
      if ((rc = parse_rest(z, n, zVal, p, pResp)) != SQLITE_OK) return rc;
      pItems->zNext = zVal + 1;
      pItems->zEnd = p;
      return SQLITE_OK;
    }
    p = skip_space(p, e);
    if (p >= e || *p != ',') return SQLITE_NOTFOUND;
    p = skip_space(p + 1, e);
  }
  return SQLITE_NOTFOUND;
}

int page_next(page_items *it, cJSON **pItem) {
  const char *p, *zAfter = 0;
  cJSON *item;
  assert(it->zNext && it->zNext <= it->zEnd);
  p = skip_space(it->zNext, it->zEnd);
  *pItem = 0;
  if (p >= it->zEnd) return SQLITE_OK; /* read to the end before */
  if (*p == ']') { /* the array's own: an item's brackets pair up */
    it->zNext = it->zEnd;
    return SQLITE_OK;
  }
  if (it->nItem > 0) {
    if (*p != ',') return SQLITE_ERROR;
    p = skip_space(p + 1, it->zEnd);
  }
  item = cJSON_ParseWithLengthOpts(p, (size_t)(it->zEnd - p), &zAfter, 0);
  if (!cJSON_IsObject(item)) {
    cJSON_Delete(item);
    return SQLITE_ERROR;
  }
  it->zNext = zAfter;
  it->nItem++;
  *pItem = item;
  return SQLITE_OK;
}
