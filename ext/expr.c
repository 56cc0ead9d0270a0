/*
** expr.c: #n / :v placeholders for DynamoDB expressions (see expr.h).
*/
#include "expr.h"

#include <stdio.h>
#include <string.h>

void expr_name(expr_ctx *x, sqlite3_str *s, const char *zName) {
  const cJSON *e;
  char buf[24];
  if (!x->names && !(x->names = cJSON_CreateObject())) {
    x->oom = 1;
    return;
  }
  cJSON_ArrayForEach(e, x->names) {
    if (strcmp(e->valuestring, zName) == 0) {
      sqlite3_str_appendall(s, e->string);
      return;
    }
  }
  snprintf(buf, sizeof(buf), "#n%d", x->nname++);
  if (!cJSON_AddStringToObject(x->names, buf, zName)) x->oom = 1;
  sqlite3_str_appendall(s, buf);
}

void expr_value(expr_ctx *x, sqlite3_str *s, cJSON *av) {
  char buf[24];
  if (!av || (!x->values && !(x->values = cJSON_CreateObject()))) {
    cJSON_Delete(av);
    x->oom = 1;
    return;
  }
  snprintf(buf, sizeof(buf), ":v%d", x->nvalue++);
  if (!cJSON_AddItemToObject(x->values, buf, av)) { /* the key's copy failed */
    cJSON_Delete(av);
    x->oom = 1;
  }
  sqlite3_str_appendall(s, buf);
}

int expr_attach(expr_ctx *x, cJSON *request) {
  int oom = x->oom;
  if (x->names && cJSON_AddItemToObject(request, "ExpressionAttributeNames", x->names)) {
    x->names = 0;
  }
  if (x->values && cJSON_AddItemToObject(request, "ExpressionAttributeValues", x->values)) {
    x->values = 0;
  }
  if (x->names || x->values) oom = 1; /* not attached: freed here */
  expr_reset(x);
  return oom ? SQLITE_NOMEM : SQLITE_OK;
}

void expr_mark_get(const expr_ctx *x, expr_mark *m) {
  m->nname = x->nname;
  m->nvalue = x->nvalue;
}

/* Names and values are appended in order: the newest are the last. */
static void drop_last(cJSON *obj, int n) {
  while (obj && n-- > 0 && obj->child) cJSON_Delete(cJSON_DetachItemViaPointer(obj, obj->child->prev));
}

void expr_rollback(expr_ctx *x, const expr_mark *m) {
  assert(m->nname <= x->nname && m->nvalue <= x->nvalue);
  drop_last(x->names, x->nname - m->nname);
  drop_last(x->values, x->nvalue - m->nvalue);
  x->nname = m->nname;
  x->nvalue = m->nvalue;
}

void expr_reset(expr_ctx *x) {
  cJSON_Delete(x->names);
  cJSON_Delete(x->values);
  memset(x, 0, sizeof(*x));
}

int expr_add_string(cJSON *request, const char *zMember, sqlite3_str *s) {
  int err = sqlite3_str_errcode(s);
  char *z = sqlite3_str_finish(s); /* NULL for an empty string too */
  int rc = (!err && cJSON_AddStringToObject(request, zMember, z ? z : "")) ? SQLITE_OK
                                                                          : SQLITE_NOMEM;
  sqlite3_free(z);
  return rc;
}
