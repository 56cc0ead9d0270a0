/*
** The arguments of CREATE VIRTUAL TABLE t USING dynamo(...): an argument
** with '=' is an option (table=Tracks), any other is a column definition
** ("name [type]", as in CREATE TABLE). Pure.
*/
#ifndef DYNAMO_ARGS_H
#define DYNAMO_ARGS_H

#include "common.h"

typedef struct args_column {
  char *name;           /* dequoted */
  char *type;           /* declared type as written, "" when none */
} args_column;

typedef struct dyn_args {
  char *table;          /* DynamoDB table name (required) */
  char *region;
  char *endpoint;
  char *profile;
  int consistent_read;  /* 0 or 1 */
  int ncol;
  args_column *aCol;
} dyn_args;

/* Parse the module arguments (argv[3..] of xCreate/xConnect). On error
** returns SQLITE_ERROR (or NOMEM) with *pzErr set; *out is then empty. */
int args_parse(int argc, const char *const *argv, dyn_args *out, char **pzErr);
void args_free(dyn_args *a);

/* The hidden columns: the whole item, and its primary key (both as
** DynamoDB JSON). The key column is the table's PRIMARY KEY for SQLite (the
** table is WITHOUT ROWID), which is how SQLite tells rows apart when it
** combines OR branches and which row an UPDATE or DELETE means. */
#define ARGS_ITEM_COLUMN "item"
#define ARGS_KEY_COLUMN "_key"

/* Is this name one of the hidden columns (case-insensitive)? */
int args_is_reserved(const char *zName);

#endif
