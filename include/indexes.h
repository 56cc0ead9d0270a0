/*
** A table's secondary indexes: read from DescribeTable (describe.h) when
** the virtual table is created, kept in the shadow table NAME_index (so a later open
** needs no request), and offered to the plan (plan.h, plan_index).
*/
#ifndef DYNAMO_INDEXES_H
#define DYNAMO_INDEXES_H

#include "common.h"
#include <cJSON.h>

typedef struct dyn_index {
  char *zName;
  int global;             /* GSI (1) or LSI (0) */
  char *zPk;              /* key attributes and their types (S, N, B) */
  char *zPkType;
  char *zSk;              /* NULL: no sort key */
  char *zSkType;
  char *zProjection;      /* ALL, KEYS_ONLY or INCLUDE */
  char *zInclude;         /* INCLUDE: a JSON array of attribute names */
  sqlite3_int64 nBytes;   /* IndexSizeBytes and ItemCount, 0 when not */
  sqlite3_int64 nItems;   /* known (DescribeTable's; never kept) */
} dyn_index;


/* Keep them in "zDb"."zName_index" (created), or read them back (a table
** created before indexes were kept has none). */
int indexes_save(sqlite3 *db, const char *zDb, const char *zName, const dyn_index *a, int n);
int indexes_load(sqlite3 *db, const char *zDb, const char *zName, dyn_index **paIdx, int *pnIdx);

/* Does the INCLUDE list of x name attribute zAttr? */
int indexes_includes(const dyn_index *x, const char *zAttr);

/* Free one index's strings (the struct is zeroed), or n of them and the
** array. */
void indexes_clear(dyn_index *x);
void indexes_free(dyn_index *a, int n);

#endif
