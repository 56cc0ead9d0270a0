/*
** Expressions for DynamoDB requests (KeyConditionExpression,
** ProjectionExpression, ConditionExpression): every attribute name goes
** through a #n placeholder and every value through a :v placeholder, always,
** so reserved words (uuid, timestamp, and hundreds more) and names with
** spaces, dots, '#' or ':' need no special case. Pure.
*/
#ifndef DYNAMO_EXPR_H
#define DYNAMO_EXPR_H

#include "common.h"
#include <cJSON.h>

typedef struct expr_ctx {
  cJSON *names;   /* ExpressionAttributeNames, created on first use */
  cJSON *values;  /* ExpressionAttributeValues */
  int nname;
  int nvalue;
  int oom;        /* an allocation failed; expr_attach reports it */
} expr_ctx;

/* Append the placeholder for attribute zName ("#n0"; one per distinct name). */
void expr_name(expr_ctx *x, sqlite3_str *s, const char *zName);

/* Append a new value placeholder (":v0") for av, which the context takes
** over (even on failure). */
void expr_value(expr_ctx *x, sqlite3_str *s, cJSON *av);

/* Move the names and values into the request object (as
** ExpressionAttributeNames / ExpressionAttributeValues). SQLITE_OK or
** SQLITE_NOMEM. The context is empty afterwards. */
int expr_attach(expr_ctx *x, cJSON *request);

/* A point to go back to: expr_rollback drops the names and values added
** after it (the part of an expression that was left out). */
typedef struct expr_mark {
  int nname;
  int nvalue;
} expr_mark;
void expr_mark_get(const expr_ctx *x, expr_mark *m);
void expr_rollback(expr_ctx *x, const expr_mark *m);

/* Free what was not attached. */
void expr_reset(expr_ctx *x);

/* Add an expression string member to a request, from a sqlite3_str that is
** consumed. SQLITE_OK or SQLITE_NOMEM. */
int expr_add_string(cJSON *request, const char *zMember, sqlite3_str *s);

#endif
