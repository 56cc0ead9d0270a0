/*
** attrval.c: DynamoDB AttributeValues <-> SQLite values (see attrval.h).
**
** An AttributeValue is a cJSON object with exactly one member whose name is
** the type tag: {"S":"x"}, {"N":"5"}, {"L":[{"S":"a"}]}. Numbers travel as
** text in both directions and go through number.c, never through a double
** unless that is exact. JSON given by users for L, M and sets is parsed with
** cJSON, and the exact text of each JSON number is recovered from the input
** (cJSON keeps only a double) by walking the number tokens in document order.
*/
#include "attrval.h"
#include "number.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define AV_MAX_DEPTH 32 /* DynamoDB's nesting limit */

const char *const av_type_names[AV_NTYPE] = {"S",  "N",  "B",  "BOOL", "NULL",
                                             "SS", "NS", "BS", "L",    "M"};

int av_type_from_name(const char *z, int n) {
  /* by length first: this runs for every attribute of every item read */
  if (n < 0) n = (int)strlen(z);
  switch (n) {
    case 1:
      switch (z[0]) {
        case 'S': return AV_S;
        case 'N': return AV_N;
        case 'B': return AV_B;
        case 'L': return AV_L;
        case 'M': return AV_M;
      }
      return -1;
    case 2:
      if (z[1] != 'S') return -1;
      switch (z[0]) {
        case 'S': return AV_SS;
        case 'N': return AV_NS;
        case 'B': return AV_BS;
      }
      return -1;
    case 4:
      if (memcmp(z, "BOOL", 4) == 0) return AV_BOOL;
      if (memcmp(z, "NULL", 4) == 0) return AV_NULL;
      return -1;
  }
  return -1;
}

int av_type_of(const cJSON *av) {
  const cJSON *c;
  int t;
  if (!cJSON_IsObject(av) || !(c = av->child) || c->next || !c->string) return -1;
  t = av_type_from_name(c->string, -1);
  switch (t) {
    case AV_S: case AV_N: case AV_B:
      return cJSON_IsString(c) ? t : -1;
    case AV_BOOL: case AV_NULL:
      return cJSON_IsBool(c) ? t : -1;
    case AV_SS: case AV_NS: case AV_BS: case AV_L:
      return cJSON_IsArray(c) ? t : -1;
    case AV_M:
      return cJSON_IsObject(c) ? t : -1;
  }
  return -1;
}

int av_sql_affinity(const char *zType) {
  /* sqlite3AffinityType: the name scanned four characters at a time */
  unsigned h = 0;
  int aff = AV_AFF_NUMERIC;
  while (zType && (*zType == ' ' || *zType == '\t')) zType++;
  if (!zType || !*zType) return AV_AFF_BLOB; /* no type (SQLite trims one of spaces) */
  for (; *zType; zType++) {
    unsigned char c = (unsigned char)*zType;
    h = (h << 8) + (c >= 'A' && c <= 'Z' ? c + 32 : c);
    if (h == ('c' << 24 | 'h' << 16 | 'a' << 8 | 'r') || h == ('c' << 24 | 'l' << 16 | 'o' << 8 | 'b') ||
        h == ('t' << 24 | 'e' << 16 | 'x' << 8 | 't')) {
      aff = AV_AFF_TEXT;
    } else if (h == ('b' << 24 | 'l' << 16 | 'o' << 8 | 'b') &&
               (aff == AV_AFF_NUMERIC || aff == AV_AFF_REAL)) {
      aff = AV_AFF_BLOB;
    } else if ((h == ('r' << 24 | 'e' << 16 | 'a' << 8 | 'l') ||
                h == ('f' << 24 | 'l' << 16 | 'o' << 8 | 'a') ||
                h == ('d' << 24 | 'o' << 16 | 'u' << 8 | 'b')) && aff == AV_AFF_NUMERIC) {
      aff = AV_AFF_REAL;
    } else if ((h & 0xffffff) == ('i' << 16 | 'n' << 8 | 't')) {
      return AV_AFF_INTEGER;
    }
  }
  return aff;
}

/* The DynamoDB type named by the declaration's first word, or -1. */
static int decl_dynamo_type(const char *zDecl) {
  char word[8];
  int n = 0;
  while (*zDecl == ' ' || *zDecl == '\t' || *zDecl == '"') zDecl++;
  while (n < (int)sizeof(word) && ((zDecl[n] >= 'A' && zDecl[n] <= 'Z') ||
                                   (zDecl[n] >= 'a' && zDecl[n] <= 'z'))) {
    word[n] = (char)(zDecl[n] >= 'a' ? zDecl[n] - 32 : zDecl[n]);
    n++;
  }
  if (n < (int)sizeof(word)) {
    char next = zDecl[n];
    if (next == 0 || next == ' ' || next == '\t' || next == '"' || next == '(') {
      return av_type_from_name(word, n);
    }
  }
  return -1;
}

int av_class_of_decl(const char *zDecl) {
  int t;
  if (!zDecl) return AVC_ANY;
  if ((t = decl_dynamo_type(zDecl)) >= 0) return t;
  switch (av_sql_affinity(zDecl)) {
    case AV_AFF_BLOB: return AVC_ANY;
    case AV_AFF_TEXT: return AVC_TEXT;
  }
  return AVC_NUMERIC; /* INTEGER, REAL and NUMERIC write alike */
}

int av_read_affinity(const char *zDecl) {
  if (!zDecl || decl_dynamo_type(zDecl) >= 0) return AVA_NONE;
  switch (av_sql_affinity(zDecl)) {
    case AV_AFF_REAL: return AVA_REAL;
    case AV_AFF_TEXT: return AVA_TEXT;
  }
  return AVA_NONE;
}

/* ---- base64 -------------------------------------------------------------- */

char *av_base64_encode(const unsigned char *p, int n) {
  char *z = sqlite3_malloc64((sqlite3_uint64)4 * ((n + 2) / 3) + 1);
  if (!z) return 0;
  EVP_EncodeBlock((unsigned char *)z, p, n);
  return z;
}

static int b64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '+' || c == '/';
}

/* Strict: padded, no whitespace, '=' only at the end. */
static int b64_valid(const char *z, int n) {
  int i, pad = 0;
  if (n % 4) return 0;
  if (n > 0 && z[n - 1] == '=') pad++;
  if (n > 1 && z[n - 2] == '=') pad++;
  for (i = 0; i < n - pad; i++) {
    if (!b64_char(z[i])) return 0;
  }
  return 1;
}

unsigned char *av_base64_decode(const char *z, int n, int *pn) {
  unsigned char *p;
  int len, pad = 0;
  if (n < 0) n = (int)strlen(z);
  if (!b64_valid(z, n)) return 0;
  p = sqlite3_malloc64((sqlite3_uint64)3 * (n / 4) + 1);
  if (!p) return 0;
  if (n == 0) {
    *pn = 0;
    return p;
  }
  len = EVP_DecodeBlock(p, (const unsigned char *)z, n);
  if (len < 0) {
    sqlite3_free(p);
    return 0;
  }
  if (z[n - 1] == '=') pad++;
  if (z[n - 2] == '=') pad++;
  *pn = len - pad;
  return p;
}

/* ---- read: AttributeValue -> SQLite --------------------------------------- */

/* Natural JSON for L, M and sets: a new cJSON tree (numbers as raw text). */
static cJSON *av_to_json(const cJSON *av, int depth) {
  int t = av_type_of(av);
  const cJSON *c = av ? av->child : 0, *e;
  cJSON *out = 0, *sub;
  if (t < 0 || depth > AV_MAX_DEPTH) return 0;
  switch (t) {
    case AV_S:
    case AV_B: /* binary stays base64 text */
      return cJSON_CreateString(c->valuestring);
    case AV_N: {
      num_dec d;
      char buf[NUM_BUF];
      if (num_parse(c->valuestring, -1, &d) != NUM_OK) return 0;
      num_format(&d, buf);
      return cJSON_CreateRaw(buf);
    }
    case AV_BOOL: return cJSON_CreateBool(cJSON_IsTrue(c));
    case AV_NULL: return cJSON_CreateNull();
    case AV_SS: case AV_BS: case AV_NS: case AV_L:
      if (!(out = cJSON_CreateArray())) return 0;
      cJSON_ArrayForEach(e, c) {
        if (t == AV_L) {
          sub = av_to_json(e, depth + 1);
        } else if (!cJSON_IsString(e)) {
          sub = 0;
        } else if (t == AV_NS) {
          num_dec d;
          char buf[NUM_BUF];
          sub = num_parse(e->valuestring, -1, &d) == NUM_OK
                    ? (num_format(&d, buf), cJSON_CreateRaw(buf)) : 0;
        } else {
          sub = cJSON_CreateString(e->valuestring);
        }
        if (!sub) goto fail;
        cJSON_AddItemToArray(out, sub);
      }
      return out;
    case AV_M:
      if (!(out = cJSON_CreateObject())) return 0;
      cJSON_ArrayForEach(e, c) {
        if (!(sub = av_to_json(e, depth + 1))) goto fail;
        cJSON_AddItemToObject(out, e->string, sub);
      }
      return out;
  }
fail:
  cJSON_Delete(out);
  return 0;
}

int av_to_value(const cJSON *av, av_value *out, char **pzErr) {
  int t = av_type_of(av);
  const cJSON *c;
  memset(out, 0, sizeof(*out));
  out->type = SQLITE_NULL;
  if (!av) return SQLITE_OK;
  if (t < 0) goto malformed;
  c = av->child;
  switch (t) {
    case AV_S:
      out->type = SQLITE_TEXT;
      out->z = c->valuestring;
      out->n = (int)strlen(c->valuestring);
      return SQLITE_OK;
    case AV_N: {
      num_dec d;
      num_sql s;
      if (num_parse(c->valuestring, -1, &d) != NUM_OK) goto malformed;
      num_to_sql(&d, &s);
      out->type = s.type;
      out->i = s.i;
      out->r = s.r;
      if (s.type == SQLITE_TEXT) {
        if (!(out->zOwned = sqlite3_mprintf("%s", s.text))) return SQLITE_NOMEM;
        out->z = out->zOwned;
        out->n = s.ntext;
      }
      return SQLITE_OK;
    }
    case AV_B:
      out->zOwned = (char *)av_base64_decode(c->valuestring, -1, &out->n);
      if (!out->zOwned) goto malformed;
      out->type = SQLITE_BLOB;
      out->z = out->zOwned;
      return SQLITE_OK;
    case AV_BOOL:
      out->type = SQLITE_INTEGER;
      out->i = cJSON_IsTrue(c);
      return SQLITE_OK;
    case AV_NULL:
      return SQLITE_OK;
    default: {
      cJSON *j = av_to_json(av, 0);
      char *z;
      if (!j) goto malformed;
      z = cJSON_PrintUnformatted(j);
      cJSON_Delete(j);
      if (!z) return SQLITE_NOMEM;
      out->zOwned = sqlite3_mprintf("%s", z);
      cJSON_free(z);
      if (!out->zOwned) return SQLITE_NOMEM;
      out->type = SQLITE_TEXT;
      out->z = out->zOwned;
      out->n = (int)strlen(out->zOwned);
      return SQLITE_OK;
    }
  }
malformed:
  *pzErr = sqlite3_mprintf("malformed attribute value in the response");
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* A number as a REAL or TEXT column stores it: the REAL only when the
** double holds it exactly (an N item's shortest text is the number itself),
** the text of BOOL's 1 and 0. */
static int apply_affinity(av_value *v, int aff) {
  if (aff == AVA_REAL && v->type == SQLITE_INTEGER) {
    double r = (double)v->i;
    if (r >= -9223372036854775808.0 && r < 9223372036854775808.0 && (sqlite3_int64)r == v->i) {
      v->type = SQLITE_FLOAT;
      v->r = r;
    }
  } else if (aff == AVA_TEXT && v->type == SQLITE_INTEGER) {
    if (!(v->zOwned = sqlite3_mprintf("%lld", (long long)v->i))) return SQLITE_NOMEM;
    v->type = SQLITE_TEXT;
    v->z = v->zOwned;
    v->n = (int)strlen(v->zOwned);
  }
  return SQLITE_OK;
}

/* An N item in a TEXT column: its exact decimal, in plain notation
** (0.0000000001, as it was written; not 1E-10). */
static int number_text(const cJSON *av, av_value *out, char **pzErr) {
  char buf[NUM_PLAIN_BUF];
  num_dec d;
  memset(out, 0, sizeof(*out));
  if (num_parse(av->child->valuestring, -1, &d) != NUM_OK) {
    *pzErr = sqlite3_mprintf("malformed attribute value in the response");
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  out->n = num_format_plain(&d, buf);
  if (!(out->zOwned = sqlite3_mprintf("%s", buf))) return SQLITE_NOMEM;
  out->type = SQLITE_TEXT;
  out->z = out->zOwned;
  return SQLITE_OK;
}

int av_to_value_as(const cJSON *av, int aff, av_value *out, char **pzErr) {
  int rc;
  if (aff == AVA_TEXT && av_type_of(av) == AV_N) return number_text(av, out, pzErr);
  rc = av_to_value(av, out, pzErr);
  if (rc == SQLITE_OK && aff != AVA_NONE) rc = apply_affinity(out, aff);
  return rc;
}

int av_result(sqlite3_context *ctx, const cJSON *av) {
  return av_result_as(ctx, av, AVA_NONE);
}

int av_result_as(sqlite3_context *ctx, const cJSON *av, int aff) {
  av_value v;
  char *zErr = 0;
  int rc = av_to_value_as(av, aff, &v, &zErr);
  if (rc != SQLITE_OK) {
    if (zErr) sqlite3_result_error(ctx, zErr, -1);
    else sqlite3_result_error_nomem(ctx);
    sqlite3_free(zErr);
    return rc;
  }
  switch (v.type) {
    case SQLITE_INTEGER: sqlite3_result_int64(ctx, v.i); break;
    case SQLITE_FLOAT: sqlite3_result_double(ctx, v.r); break;
    case SQLITE_TEXT:
      if (v.zOwned) sqlite3_result_text(ctx, v.zOwned, v.n, sqlite3_free);
      else sqlite3_result_text(ctx, v.z, v.n, SQLITE_TRANSIENT);
      break;
    case SQLITE_BLOB:
      sqlite3_result_blob(ctx, v.zOwned, v.n, sqlite3_free);
      break;
    default: sqlite3_result_null(ctx); break;
  }
  return SQLITE_OK;
}

/* ---- validation of user-given AttributeValues ---------------------------- */

static int set_fail(char **pzErr, const char *zPath, const char *zMsg) {
  *pzErr = sqlite3_mprintf("attribute %s: %s", zPath, zMsg);
  return *pzErr ? SQLITE_MISMATCH : SQLITE_NOMEM;
}

/* Is element i of a set a duplicate of an earlier one? */
static int set_has_dup(const cJSON *arr, int t) {
  const cJSON *a, *b;
  for (a = arr->child; a; a = a->next) {
    for (b = arr->child; b != a; b = b->next) {
      if (t == AV_NS) {
        num_dec x, y;
        if (num_parse(a->valuestring, -1, &x) == NUM_OK &&
            num_parse(b->valuestring, -1, &y) == NUM_OK && num_cmp(&x, &y) == 0)
          return 1;
      } else if (strcmp(a->valuestring, b->valuestring) == 0) {
        return 1;
      }
    }
  }
  return 0;
}

static int has_dup_key(const cJSON *obj) {
  const cJSON *a, *b;
  for (a = obj->child; a; a = a->next) {
    for (b = obj->child; b != a; b = b->next) {
      if (strcmp(a->string, b->string) == 0) return 1;
    }
  }
  return 0;
}

static int validate_number(const char *z, const char *zPath, char **pzErr) {
  num_dec d;
  int rc = num_parse(z, -1, &d);
  if (rc == NUM_OK) return SQLITE_OK;
  *pzErr = sqlite3_mprintf("attribute %s: number \"%s\" is %s", zPath, z, num_errstr(rc));
  return *pzErr ? SQLITE_MISMATCH : SQLITE_NOMEM;
}

static int validate(const cJSON *av, const char *zPath, int depth, char **pzErr) {
  int t = av_type_of(av), rc = SQLITE_OK, i = 0;
  const cJSON *c, *e;
  if (depth > AV_MAX_DEPTH) return set_fail(pzErr, zPath, "nested more than 32 levels deep");
  if (t < 0) {
    return set_fail(pzErr, zPath,
                    "expected an object with one type tag and its value, such as "
                    "{\"S\": \"text\"} or {\"N\": \"5\"}");
  }
  c = av->child;
  switch (t) {
    case AV_N: return validate_number(c->valuestring, zPath, pzErr);
    case AV_B:
      if (!b64_valid(c->valuestring, (int)strlen(c->valuestring)))
        return set_fail(pzErr, zPath, "B value is not valid base64");
      return SQLITE_OK;
    case AV_NULL:
      if (!cJSON_IsTrue(c)) return set_fail(pzErr, zPath, "NULL must be true");
      return SQLITE_OK;
    case AV_SS: case AV_NS: case AV_BS:
      if (!c->child) return set_fail(pzErr, zPath, "a set cannot be empty");
      cJSON_ArrayForEach(e, c) {
        if (!cJSON_IsString(e))
          return set_fail(pzErr, zPath, "set elements must be strings");
        if (t == AV_NS && (rc = validate_number(e->valuestring, zPath, pzErr))) return rc;
        if (t == AV_BS && !b64_valid(e->valuestring, (int)strlen(e->valuestring)))
          return set_fail(pzErr, zPath, "BS element is not valid base64");
      }
      if (set_has_dup(c, t)) return set_fail(pzErr, zPath, "a set cannot hold duplicates");
      return SQLITE_OK;
    case AV_L:
      cJSON_ArrayForEach(e, c) {
        char *zSub = sqlite3_mprintf("%s[%d]", zPath, i++);
        if (!zSub) return SQLITE_NOMEM;
        rc = validate(e, zSub, depth + 1, pzErr);
        sqlite3_free(zSub);
        if (rc) return rc;
      }
      return SQLITE_OK;
    case AV_M:
      if (has_dup_key(c)) return set_fail(pzErr, zPath, "a map cannot repeat a key");
      cJSON_ArrayForEach(e, c) {
        char *zSub = sqlite3_mprintf("%s.%s", zPath, e->string);
        if (!zSub) return SQLITE_NOMEM;
        rc = validate(e, zSub, depth + 1, pzErr);
        sqlite3_free(zSub);
        if (rc) return rc;
      }
      return SQLITE_OK;
  }
  return SQLITE_OK;
}

int av_validate(const cJSON *av, const char *zPath, char **pzErr) {
  return validate(av, zPath, 0, pzErr);
}

int av_utf8_valid(const char *z, int n) {
  const unsigned char *p = (const unsigned char *)z, *end = p + n;
  while (p < end) {
    unsigned c = *p++, need, cp, min;
    if (c < 0x80) continue;
    if (c >= 0xc2 && c <= 0xdf) need = 1, cp = c & 0x1f, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef) need = 2, cp = c & 0x0f, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4) need = 3, cp = c & 0x07, min = 0x10000;
    else return 0; /* a continuation byte, an overlong lead, or beyond */
    if (end - p < (long)need) return 0;
    while (need--) {
      if ((*p & 0xc0) != 0x80) return 0;
      cp = (cp << 6) | (*p++ & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  }
  return 1;
}

/* Parse a whole JSON text (no trailing garbage). z must be NUL-terminated
** at z[n]. */
static cJSON *parse_json(const char *z, int n) {
  return cJSON_ParseWithLengthOpts(z, (size_t)n + 1, 0, 1);
}

/* Does a JSON text hold a NUL character, raw or as \u0000? cJSON strings
** end at the first NUL, so such text would be cut short silently. Outside
** strings a backslash is invalid JSON, so escapes need no tracking of quotes. */
static int json_has_nul(const char *z, int n) {
  int i;
  if (memchr(z, 0, n)) return 1;
  for (i = 0; i + 1 < n; i++) {
    if (z[i] != '\\') continue;
    if (z[i + 1] == 'u' && i + 5 < n && memcmp(z + i + 2, "0000", 4) == 0) return 1;
    i++; /* the escaped character */
  }
  return 0;
}

int av_parse_item(const char *z, int n, cJSON **pItem, char **pzErr) {
  cJSON *item;
  int rc;
  *pItem = 0;
  if (json_has_nul(z, n)) {
    *pzErr = sqlite3_mprintf("item JSON contains a NUL character, which cannot be written");
    return *pzErr ? SQLITE_MISMATCH : SQLITE_NOMEM;
  }
  if (!av_utf8_valid(z, n)) {
    *pzErr = sqlite3_mprintf("item JSON is not valid UTF-8 (DynamoDB strings are UTF-8)");
    return *pzErr ? SQLITE_MISMATCH : SQLITE_NOMEM;
  }
  item = parse_json(z, n);
  if (!item || !cJSON_IsObject(item)) {
    *pzErr = sqlite3_mprintf(item ? "item JSON must be an object of attributes"
                                  : "item is not valid JSON");
    cJSON_Delete(item);
    return *pzErr ? SQLITE_MISMATCH : SQLITE_NOMEM;
  }
  if ((rc = av_item_check(item, pzErr)) != SQLITE_OK) {
    cJSON_Delete(item);
    return rc;
  }
  *pItem = item;
  return SQLITE_OK;
}

int av_item_check(const cJSON *item, char **pzErr) {
  const cJSON *e;
  int rc;
  if (!cJSON_IsObject(item)) {
    *pzErr = sqlite3_mprintf("item JSON must be an object of attributes");
    return *pzErr ? SQLITE_MISMATCH : SQLITE_NOMEM;
  }
  if (has_dup_key(item)) {
    *pzErr = sqlite3_mprintf("item JSON repeats an attribute name");
    return *pzErr ? SQLITE_MISMATCH : SQLITE_NOMEM;
  }
  cJSON_ArrayForEach(e, item) {
    if ((rc = av_validate(e, e->string, pzErr)) != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

/* ---- write: SQLite -> AttributeValue -------------------------------------- */

/* {"T": child}; takes ownership of child. */
static cJSON *av_wrap(int t, cJSON *child) {
  cJSON *av;
  if (!child) return 0;
  if (!(av = cJSON_CreateObject())) {
    cJSON_Delete(child);
    return 0;
  }
  cJSON_AddItemToObject(av, av_type_names[t], child);
  return av;
}

static cJSON *av_string(int t, const char *z) {
  return av_wrap(t, cJSON_CreateString(z));
}

static cJSON *av_blob(const void *p, int n) {
  char *z = av_base64_encode(p, n);
  cJSON *av = z ? av_string(AV_B, z) : 0;
  sqlite3_free(z);
  return av;
}

/* Walks the number tokens of a JSON text in document order. */
typedef struct numtok {
  const char *z;
  int i, n;
} numtok;

static int numtok_next(numtok *t, const char **pz, int *pn) {
  while (t->i < t->n) {
    char c = t->z[t->i];
    if (c == '"') {
      for (t->i++; t->i < t->n && t->z[t->i] != '"'; t->i++) {
        if (t->z[t->i] == '\\') t->i++;
      }
      t->i++;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      int start = t->i;
      while (t->i < t->n && strchr("0123456789+-.eE", t->z[t->i]) && t->z[t->i]) t->i++;
      *pz = t->z + start;
      *pn = t->i - start;
      return 1;
    } else {
      t->i++;
    }
  }
  return 0;
}

/* The exact text of the next JSON number as a validated DynamoDB number. */
static cJSON *next_number(numtok *tok, const char *zPath, char **pzErr) {
  const char *z;
  int n, rc;
  num_dec d;
  char buf[NUM_BUF];
  if (!numtok_next(tok, &z, &n)) return 0;
  if ((rc = num_parse(z, n, &d)) != NUM_OK) {
    *pzErr = sqlite3_mprintf("%s: number %.*s is %s", zPath, n, z, num_errstr(rc));
    return 0;
  }
  num_format(&d, buf);
  return cJSON_CreateString(buf);
}

/* Natural JSON -> AttributeValue: string S, number N, bool BOOL, null NULL,
** array L, object M. */
static cJSON *json_to_av(const cJSON *j, numtok *tok, const char *zPath, int depth,
                         char **pzErr) {
  const cJSON *e;
  cJSON *list, *sub;
  if (depth > AV_MAX_DEPTH) {
    *pzErr = sqlite3_mprintf("%s: JSON nested more than 32 levels deep", zPath);
    return 0;
  }
  if (cJSON_IsString(j)) return av_string(AV_S, j->valuestring);
  if (cJSON_IsNumber(j)) return av_wrap(AV_N, next_number(tok, zPath, pzErr));
  if (cJSON_IsBool(j)) return av_wrap(AV_BOOL, cJSON_CreateBool(cJSON_IsTrue(j)));
  if (cJSON_IsNull(j)) return av_wrap(AV_NULL, cJSON_CreateTrue());
  if (cJSON_IsObject(j) && has_dup_key(j)) {
    *pzErr = sqlite3_mprintf("%s: JSON object repeats a key", zPath);
    return 0;
  }
  list = cJSON_IsArray(j) ? cJSON_CreateArray() : cJSON_CreateObject();
  if (!list) return 0;
  cJSON_ArrayForEach(e, j) {
    if (!(sub = json_to_av(e, tok, zPath, depth + 1, pzErr))) {
      cJSON_Delete(list);
      return 0;
    }
    if (cJSON_IsArray(j)) cJSON_AddItemToArray(list, sub);
    else cJSON_AddItemToObject(list, e->string, sub);
  }
  return av_wrap(cJSON_IsArray(j) ? AV_L : AV_M, list);
}

/* JSON text for a set column: an array of strings (SS), numbers or numeric
** strings (NS), base64 strings (BS). */
static cJSON *json_to_set(const cJSON *j, int t, numtok *tok, const char *zPath,
                          char **pzErr) {
  const cJSON *e;
  cJSON *arr = cJSON_CreateArray(), *av;
  if (!arr) return 0;
  cJSON_ArrayForEach(e, j) {
    cJSON *s = 0;
    if (t == AV_NS && cJSON_IsNumber(e)) s = next_number(tok, zPath, pzErr);
    else if (cJSON_IsString(e)) s = cJSON_CreateString(e->valuestring);
    else *pzErr = sqlite3_mprintf("%s: %s elements must be %s", zPath, av_type_names[t],
                                  t == AV_NS ? "numbers" : "strings");
    if (!s) {
      cJSON_Delete(arr);
      return 0;
    }
    cJSON_AddItemToArray(arr, s);
  }
  if (!(av = av_wrap(t, arr))) return 0;
  if (av_validate(av, zPath, pzErr) != SQLITE_OK) {
    cJSON_Delete(av);
    return 0;
  }
  return av;
}

static int mismatch(char **pzErr, const char *zCol, int cls, const char *zWhat) {
  *pzErr = sqlite3_mprintf("column %s is declared %s: %s", zCol, av_type_names[cls], zWhat);
  return *pzErr ? SQLITE_MISMATCH : SQLITE_NOMEM;
}

static int from_json_text(sqlite3_value *v, int cls, const char *zCol, cJSON **pOut,
                          char **pzErr) {
  const char *z = (const char *)sqlite3_value_text(v);
  int n = sqlite3_value_bytes(v);
  cJSON *j;
  numtok tok;
  if (!z) return SQLITE_NOMEM;
  if (json_has_nul(z, n))
    return mismatch(pzErr, zCol, cls, "a NUL character in JSON text cannot be written");
  if (!(j = parse_json(z, n))) return mismatch(pzErr, zCol, cls, "value is not valid JSON");
  tok.z = z;
  tok.i = 0;
  tok.n = n;
  if (cls == AV_L && !cJSON_IsArray(j)) {
    cJSON_Delete(j);
    return mismatch(pzErr, zCol, cls, "expected a JSON array");
  }
  if (cls == AV_M && !cJSON_IsObject(j)) {
    cJSON_Delete(j);
    return mismatch(pzErr, zCol, cls, "expected a JSON object");
  }
  if (cls != AV_L && cls != AV_M && !cJSON_IsArray(j)) {
    cJSON_Delete(j);
    return mismatch(pzErr, zCol, cls, "expected a JSON array");
  }
  *pOut = (cls == AV_L || cls == AV_M) ? json_to_av(j, &tok, zCol, 0, pzErr)
                                       : json_to_set(j, cls, &tok, zCol, pzErr);
  cJSON_Delete(j);
  if (*pOut) return SQLITE_OK;
  return *pzErr ? SQLITE_MISMATCH : SQLITE_NOMEM;
}

/* SQLite's space characters (sqlite3Isspace), whatever the locale. */
static int is_sql_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

static int number_from_text(const char *z, int n, cJSON **pOut, int *pNum) {
  num_dec d;
  char buf[NUM_BUF];
  /* as NUMERIC affinity reads text: spaces around the number are allowed */
  while (n > 0 && is_sql_space(*z)) z++, n--;
  while (n > 0 && is_sql_space(z[n - 1])) n--;
  *pNum = num_parse(z, n, &d);
  if (*pNum != NUM_OK) return SQLITE_OK;
  num_format(&d, buf);
  *pOut = av_string(AV_N, buf);
  return *pOut ? SQLITE_OK : SQLITE_NOMEM;
}

int av_from_sqlite(sqlite3_value *v, int cls, const char *zCol, cJSON **pOut,
                   char **pzErr) {
  int vt = sqlite3_value_type(v);
  *pOut = 0;
  if (vt == SQLITE_NULL) return SQLITE_OK;
  if (cls == AV_NULL) {
    *pOut = av_wrap(AV_NULL, cJSON_CreateTrue());
    return *pOut ? SQLITE_OK : SQLITE_NOMEM;
  }
  if (vt == SQLITE_TEXT && cls != AV_B) {
    /* an AttributeValue's text is a C string: refuse what would be cut short */
    const char *z = (const char *)sqlite3_value_text(v);
    if (!z) return SQLITE_NOMEM;
    if ((int)strlen(z) != sqlite3_value_bytes(v)) {
      *pzErr = sqlite3_mprintf("column %s: text with a NUL character cannot be written "
                               "(a BLOB can)", zCol);
      return *pzErr ? SQLITE_MISMATCH : SQLITE_NOMEM;
    }
    if (!av_utf8_valid(z, sqlite3_value_bytes(v))) {
      *pzErr = sqlite3_mprintf("column %s: text that is not valid UTF-8 cannot be written "
                               "(DynamoDB strings are UTF-8; a BLOB can hold any bytes)", zCol);
      return *pzErr ? SQLITE_MISMATCH : SQLITE_NOMEM;
    }
  }
  if (cls == AV_SS || cls == AV_NS || cls == AV_BS || cls == AV_L || cls == AV_M) {
    if (vt != SQLITE_TEXT) return mismatch(pzErr, zCol, cls, "expected JSON text");
    return from_json_text(v, cls, zCol, pOut, pzErr);
  }
  if (cls == AV_B) {
    *pOut = av_blob(sqlite3_value_blob(v), sqlite3_value_bytes(v));
    return *pOut ? SQLITE_OK : SQLITE_NOMEM;
  }
  if (cls == AV_BOOL) {
    int b;
    if (vt == SQLITE_INTEGER || vt == SQLITE_FLOAT) {
      b = sqlite3_value_double(v) != 0.0;
    } else if (vt == SQLITE_TEXT) {
      const char *z = (const char *)sqlite3_value_text(v);
      if (sqlite3_stricmp(z, "true") == 0 || strcmp(z, "1") == 0) b = 1;
      else if (sqlite3_stricmp(z, "false") == 0 || strcmp(z, "0") == 0) b = 0;
      else return mismatch(pzErr, zCol, cls, "expected true, false, 1 or 0");
    } else {
      return mismatch(pzErr, zCol, cls, "a BLOB is not a boolean");
    }
    *pOut = av_wrap(AV_BOOL, cJSON_CreateBool(b));
    return *pOut ? SQLITE_OK : SQLITE_NOMEM;
  }
  switch (vt) {
    case SQLITE_INTEGER:
    case SQLITE_FLOAT:
      if (cls == AV_S || cls == AVC_TEXT) {
        /* what a TEXT column would store: SQLite's own text of the value */
        *pOut = av_string(AV_S, (const char *)sqlite3_value_text(v));
      } else if (vt == SQLITE_INTEGER) {
        char buf[32];
        snprintf(buf, sizeof(buf), "%lld", (long long)sqlite3_value_int64(v));
        *pOut = av_string(AV_N, buf);
      } else {
        char buf[NUM_BUF];
        int n, rc = num_from_double(sqlite3_value_double(v), buf, &n);
        if (rc != NUM_OK) {
          *pzErr = sqlite3_mprintf("column %s: %s", zCol,
                                   rc == NUM_SYNTAX ? "NaN and Infinity cannot be stored in DynamoDB"
                                                    : num_errstr(rc));
          return *pzErr ? SQLITE_MISMATCH : SQLITE_NOMEM;
        }
        *pOut = av_string(AV_N, buf);
      }
      break;
    case SQLITE_TEXT: {
      const char *z = (const char *)sqlite3_value_text(v);
      int n = sqlite3_value_bytes(v), num = NUM_SYNTAX, rc;
      if (!z) return SQLITE_NOMEM;
      if (cls == AV_N || cls == AVC_NUMERIC) {
        if ((rc = number_from_text(z, n, pOut, &num)) != SQLITE_OK) return rc;
        if (num == NUM_OK) return SQLITE_OK;
        if (cls == AV_N) {
          *pzErr = sqlite3_mprintf("column %s is declared N: '%.40s' is %s", zCol, z,
                                   num_errstr(num));
          return *pzErr ? SQLITE_MISMATCH : SQLITE_NOMEM;
        }
      }
      *pOut = av_string(AV_S, z);
      break;
    }
    default: /* BLOB */
      if (cls == AV_N) return mismatch(pzErr, zCol, cls, "a BLOB is not a number");
      *pOut = av_blob(sqlite3_value_blob(v), sqlite3_value_bytes(v));
      break;
  }
  return *pOut ? SQLITE_OK : SQLITE_NOMEM;
}
