/*
** DescribeTable, read once: its request, and its answer parsed into one
** struct (keys and their types, status, size, indexes) that every user
** takes. The key schema of any object that has one (DescribeTable's Table,
** one of its indexes, a CreateTable request) is read by one function.
** Pure: cJSON in, C out.
*/
#ifndef DYNAMO_DESCRIBE_H
#define DYNAMO_DESCRIBE_H

#include "common.h"
#include "indexes.h"
#include <cJSON.h>

/* A key schema as written: pointers into the JSON, NULL when absent. */
typedef struct describe_keys {
  const char *zPk, *zPkType; /* the HASH key and its AttributeType */
  const char *zSk, *zSkType; /* the RANGE key and its AttributeType */
} describe_keys;

/* The KeySchema of obj, with the types that defs (AttributeDefinitions)
** give its attributes. Elements that are not {AttributeName, KeyType}
** strings are passed over. */
void describe_key_schema(const cJSON *obj, const cJSON *defs, describe_keys *k);

typedef struct describe_table {
  char *zPk, *zSk;           /* key attribute names (zSk NULL: none) */
  int pkType, skType;        /* AV_S, AV_N or AV_B; -1 when unusable or none */
  int usable;                /* a partition key, and every key of type S, N or B */
  char *zStatus;             /* TableStatus, "" when absent */
  sqlite3_int64 nBytes;      /* TableSizeBytes, 0 when absent */
  sqlite3_int64 nItems;      /* ItemCount, 0 when absent */
  char *zStreamArn;          /* LatestStreamArn, NULL when absent */
  char *zStreamView;         /* StreamSpecification's StreamViewType when
                             ** StreamEnabled is true, else NULL */
  dyn_index *aIdx;           /* the usable secondary indexes, global first
                             ** (with their IndexSizeBytes and ItemCount) */
  int nIdx;
} describe_table;

/* {"TableName": zTable}; NULL when out of memory. */
cJSON *describe_request(const char *zTable);

/* Parse a DescribeTable response. SQLITE_OK (whatever it holds: see
** usable) or SQLITE_NOMEM; *out is to be released with describe_clear. */
int describe_parse(const cJSON *resp, describe_table *out);
void describe_clear(describe_table *d);

#endif
