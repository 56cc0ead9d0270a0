/*
** libFuzzer target for attrval.c: AttributeValues <-> SQLite values.
**
** The input is used three ways:
**
** 1. As an item in DynamoDB JSON (what INSERT ... (item) takes):
**    av_parse_item(). When it accepts the item, every attribute must pass
**    av_validate(), read with av_to_value(), and be av_equal() to itself;
**    and reading it then writing the value back with the attribute's own
**    type as the column's declared type gives the same attribute, except
**    where README (Types) says a column copy cannot carry it (NULL; B, sets
**    and NULL inside L and M; non-canonical base64), and there the second
**    round trip must change nothing more.
**    When av_parse_item() refuses it but it is JSON, the attributes are
**    still read with av_to_value() (a response is not validated): no crash,
**    and whatever av_validate() accepts must read fine.
** 2. As a SQLite TEXT and BLOB value (and, for 8-byte inputs, an INTEGER and
**    a REAL) through av_from_sqlite() for every write class (AVC_ANY,
**    AVC_TEXT, AVC_NUMERIC, each DynamoDB type): what it produces must be
**    valid (av_validate), readable (av_to_value) and stable under another
**    read-then-write with the same class.
** 3. As a declared type (av_class_of_decl), a type name, and base64 bytes
**    (encode then decode gives the bytes back).
**
** A violated property aborts (a crash for libFuzzer). Everything allocated
** is freed, so LeakSanitizer reports any leak in attrval.c.
*/
#include "attrval.h"
#include "number.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond)                                                          \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_attrval: property failed at line %d: %s\n",        \
              __LINE__, #cond);                                                \
      abort();                                                                 \
    }                                                                          \
  } while (0)

static sqlite3 *db;
static sqlite3_stmt *stSelect; /* SELECT ?: turns a binding into a sqlite3_value */

static void init(void) {
  if (db) return;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "SELECT ?", -1, &stSelect, 0) != SQLITE_OK) {
    fprintf(stderr, "fuzz_attrval: cannot open SQLite\n");
    abort();
  }
}

static const int aClass[] = {AVC_ANY, AVC_TEXT, AVC_NUMERIC, AV_S,  AV_N,  AV_B, AV_BOOL,
                             AV_NULL, AV_SS,    AV_NS,       AV_BS, AV_L,  AV_M};
#define N_CLASS ((int)(sizeof(aClass) / sizeof(aClass[0])))

/* Is this base64 text what av_base64_encode() gives for its bytes? */
static int b64_canonical(const char *z) {
  int n = 0, same;
  unsigned char *p = av_base64_decode(z, -1, &n);
  char *back;
  if (!p) return 0;
  back = av_base64_encode(p, n);
  REQUIRE(back != 0);
  same = strcmp(back, z) == 0;
  sqlite3_free(p);
  sqlite3_free(back);
  return same;
}

/* Does a column copy carry this attribute exactly (README, Types)? */
static int copy_carries(const cJSON *av, int depth) {
  int t = av_type_of(av);
  const cJSON *c = av->child, *e;
  switch (t) {
    case AV_S: case AV_N: case AV_BOOL: case AV_SS: case AV_NS:
      return 1;
    case AV_NULL:
      return depth > 0; /* inside L/M: null -> {"NULL":true} */
    case AV_B:
      return depth == 0 && b64_canonical(c->valuestring);
    case AV_BS:
      if (depth > 0) return 0;
      cJSON_ArrayForEach(e, c) {
        if (!b64_canonical(e->valuestring)) return 0;
      }
      return 1;
    case AV_L: case AV_M:
      cJSON_ArrayForEach(e, c) {
        int te = av_type_of(e);
        if (te == AV_B || te == AV_SS || te == AV_NS || te == AV_BS) return 0;
        if (!copy_carries(e, depth + 1)) return 0;
      }
      return 1;
  }
  return 0;
}

/* Read av (av_to_value: must succeed), bind it to SELECT ?, and write the
** resulting sqlite3_value back with class cls. Returns the new attribute
** (NULL when the write leaves it out); *pRc is av_from_sqlite's rc. */
static cJSON *read_then_write(const cJSON *av, int cls, int *pRc) {
  av_value v;
  char *zErr = 0;
  cJSON *out = 0;
  int rc = av_to_value(av, &v, &zErr);
  REQUIRE(rc == SQLITE_OK && zErr == 0);
  sqlite3_reset(stSelect);
  switch (v.type) {
    case SQLITE_INTEGER: sqlite3_bind_int64(stSelect, 1, v.i); break;
    case SQLITE_FLOAT: sqlite3_bind_double(stSelect, 1, v.r); break;
    case SQLITE_TEXT: sqlite3_bind_text(stSelect, 1, v.z, v.n, SQLITE_TRANSIENT); break;
    case SQLITE_BLOB: sqlite3_bind_blob(stSelect, 1, v.n ? v.z : "", v.n, SQLITE_TRANSIENT); break;
    default: REQUIRE(v.type == SQLITE_NULL); sqlite3_bind_null(stSelect, 1); break;
  }
  sqlite3_free(v.zOwned);
  REQUIRE(sqlite3_step(stSelect) == SQLITE_ROW);
  *pRc = av_from_sqlite(sqlite3_column_value(stSelect, 0), cls, "c", &out, &zErr);
  REQUIRE((*pRc == SQLITE_OK) == (zErr == 0));
  REQUIRE(*pRc == SQLITE_OK || out == 0);
  sqlite3_free(zErr);
  sqlite3_reset(stSelect);
  sqlite3_clear_bindings(stSelect);
  return out;
}

/* What av_from_sqlite produced: valid, readable, equal to itself, and a
** fixed point of read-then-write with the same class. */
static void check_written(cJSON *av, int cls) {
  char *zErr = 0;
  cJSON *again;
  int rc;
  if (!av) return;
  rc = av_validate(av, "c", &zErr);
  if (rc != SQLITE_OK) {
    char *z = cJSON_PrintUnformatted(av);
    fprintf(stderr, "fuzz_attrval: class %d wrote an invalid value %s: %s\n", cls,
            z ? z : "?", zErr ? zErr : "?");
    abort();
  }
  REQUIRE(av_equal(av, av));
  if (cls == AV_NULL) return; /* NULL reads as SQL NULL: left out */
  again = read_then_write(av, cls, &rc);
  if (rc != SQLITE_OK || !again || !av_equal(av, again)) {
    char *z1 = cJSON_PrintUnformatted(av), *z2 = again ? cJSON_PrintUnformatted(again) : 0;
    fprintf(stderr, "fuzz_attrval: class %d: %s read and written back gives %s (rc %d)\n",
            cls, z1 ? z1 : "?", z2 ? z2 : "(nothing)", rc);
    abort();
  }
  cJSON_Delete(again);
}

/* One attribute of an item: read it, compare it, copy it through a column. */
static void check_attribute(const cJSON *av, int valid) {
  av_value v;
  char *zErr = 0;
  int rc = av_to_value(av, &v, &zErr), t, rc2;
  cJSON *y, *z;
  if (rc != SQLITE_OK) {
    REQUIRE(!valid);
    REQUIRE(rc == SQLITE_ERROR && zErr != 0);
    sqlite3_free(zErr);
    return;
  }
  REQUIRE(zErr == 0);
  if (v.type == SQLITE_TEXT) REQUIRE(v.z != 0 && (int)strlen(v.z) >= v.n);
  if (v.type == SQLITE_BLOB) REQUIRE(v.n >= 0);
  sqlite3_free(v.zOwned);
  if (!valid) return;
  REQUIRE(av_equal(av, av));

  t = av_type_of(av);
  REQUIRE(t >= 0);
  y = read_then_write(av, t, &rc);
  if (t == AV_NULL) {
    REQUIRE(rc == SQLITE_OK && y == 0);
    return;
  }
  if (rc != SQLITE_OK || !y || (copy_carries(av, 0) && !av_equal(av, y))) {
    char *z1 = cJSON_PrintUnformatted(av), *z2 = y ? cJSON_PrintUnformatted(y) : 0;
    fprintf(stderr, "fuzz_attrval: %s read and written back as %s gives %s (rc %d)\n",
            z1 ? z1 : "?", av_type_names[t], z2 ? z2 : "(nothing)", rc);
    abort();
  }
  /* written again, nothing changes any more */
  REQUIRE(av_validate(y, "y", &zErr) == SQLITE_OK);
  z = read_then_write(y, t, &rc2);
  REQUIRE(rc2 == SQLITE_OK && z && av_equal(y, z));
  cJSON_Delete(y);
  cJSON_Delete(z);
}

/* Same scalar value read the same way. */
static int same_read(const cJSON *a, const cJSON *b) {
  av_value x, y;
  char *zErr = 0;
  int same;
  REQUIRE(av_to_value(a, &x, &zErr) == SQLITE_OK && av_to_value(b, &y, &zErr) == SQLITE_OK);
  same = x.type == y.type && x.i == y.i && (x.type != SQLITE_FLOAT || x.r == y.r) &&
         x.n == y.n && (x.n == 0 || memcmp(x.z, y.z, x.n) == 0);
  sqlite3_free(x.zOwned);
  sqlite3_free(y.zOwned);
  return same;
}

/* av_equal on two valid attributes: symmetric; equal scalars read the same. */
static void check_pair(const cJSON *a, const cJSON *b) {
  int eq = av_equal(a, b), t = av_type_of(a);
  REQUIRE(eq == av_equal(b, a));
  if (eq && t <= AV_NULL) REQUIRE(same_read(a, b));
}

/* Is every string of one attribute (its text as cJSON prints it, which
** leaves bytes above 0x7f as they are) valid UTF-8? */
static int attribute_is_utf8(const cJSON *av) {
  char *z = cJSON_PrintUnformatted(av);
  int ok;
  REQUIRE(z != 0);
  ok = av_utf8_valid(z, (int)strlen(z));
  cJSON_free(z);
  return ok;
}

static void fuzz_item(const char *z, int n) {
  cJSON *item = 0, *j;
  const cJSON *e;
  char *zErr = 0;
  int rc = av_parse_item(z, n, &item, &zErr);
  if (rc == SQLITE_OK) {
    REQUIRE(zErr == 0 && cJSON_IsObject(item));
    const cJSON *f;
    int i = 0, k;
    cJSON_ArrayForEach(e, item) {
      REQUIRE(av_validate(e, e->string, &zErr) == SQLITE_OK);
      check_attribute(e, 1);
    }
    /* every pair of the first 16 attributes, and of their elements */
    for (e = item->child; e && i < 16; e = e->next, i++) {
      for (f = e->next, k = 0; f && k < 16; f = f->next, k++) {
        check_pair(e, f);
        if (av_type_of(e) == av_type_of(f) && (av_type_of(e) == AV_L || av_type_of(e) == AV_M) &&
            e->child->child && f->child->child)
          check_pair(e->child->child, f->child->child);
      }
    }
    cJSON_Delete(item);
    return;
  }
  REQUIRE(rc == SQLITE_MISMATCH && zErr != 0 && item == 0);
  sqlite3_free(zErr);
  zErr = 0;
  /* not a valid item: read its attributes as a response's would be. One
  ** that av_validate accepts must survive read-then-write, unless the text
  ** is not UTF-8: a response's strings are read as they come, but text that
  ** is not UTF-8 is refused on the way back (av_from_sqlite). */
  if (!(j = cJSON_ParseWithLength(z, (size_t)n))) return;
  if (cJSON_IsObject(j)) {
    cJSON_ArrayForEach(e, j) {
      int valid = av_validate(e, "a", &zErr) == SQLITE_OK && attribute_is_utf8(e);
      sqlite3_free(zErr);
      zErr = 0;
      check_attribute(e, valid);
    }
  }
  cJSON_Delete(j);
}

static void fuzz_value(int cls) {
  cJSON *out = 0;
  char *zErr = 0;
  int rc, isNull;
  REQUIRE(sqlite3_step(stSelect) == SQLITE_ROW);
  isNull = sqlite3_column_type(stSelect, 0) == SQLITE_NULL;
  rc = av_from_sqlite(sqlite3_column_value(stSelect, 0), cls, "c", &out, &zErr);
  sqlite3_reset(stSelect);
  if (rc != SQLITE_OK) {
    REQUIRE(rc == SQLITE_MISMATCH && zErr != 0 && out == 0);
    sqlite3_free(zErr);
    return;
  }
  REQUIRE(zErr == 0 && (out != 0) == !isNull); /* SQL NULL: left out */
  check_written(out, cls);
  cJSON_Delete(out);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  char *z;
  int n = (int)size, i, k;
  if (size > 65536) return 0;
  init();
  if (!(z = malloc(size + 1))) return 0;
  if (size) memcpy(z, data, size);
  z[size] = 0;

  /* 1. an item */
  fuzz_item(z, n);

  /* 2. a SQLite value through every write class */
  for (k = 0; k < 4; k++) {
    if (k >= 2 && size != 8) break;
    for (i = 0; i < N_CLASS; i++) {
      sqlite3_clear_bindings(stSelect);
      switch (k) {
        case 0: sqlite3_bind_text(stSelect, 1, z, n, SQLITE_TRANSIENT); break;
        case 1: sqlite3_bind_blob(stSelect, 1, size ? z : "", n, SQLITE_TRANSIENT); break;
        case 2: {
          sqlite3_int64 x;
          memcpy(&x, data, 8);
          sqlite3_bind_int64(stSelect, 1, x);
          break;
        }
        case 3: {
          double r;
          memcpy(&r, data, 8);
          sqlite3_bind_double(stSelect, 1, r); /* SQLite binds NaN as NULL */
          break;
        }
      }
      fuzz_value(aClass[i]);
    }
  }
  sqlite3_clear_bindings(stSelect);

  /* 3. declared types, type names, base64 */
  k = av_class_of_decl(z);
  REQUIRE(k == AVC_ANY || k == AVC_TEXT || k == AVC_NUMERIC || (k >= 0 && k < AV_NTYPE));
  k = av_type_from_name(z, n);
  REQUIRE(k == -1 || (k >= 0 && k < AV_NTYPE && strcmp(av_type_names[k], z) == 0));
  {
    char *b = av_base64_encode(data, n);
    unsigned char *p;
    int m = -1;
    REQUIRE(b != 0);
    p = av_base64_decode(b, -1, &m);
    REQUIRE(p != 0 && m == n && (size == 0 || memcmp(p, data, size) == 0));
    sqlite3_free(p);
    sqlite3_free(b);
    p = av_base64_decode(z, n, &m); /* the input itself as base64 */
    sqlite3_free(p);
  }
  free(z);
  return 0;
}
