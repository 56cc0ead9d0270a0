/*
** create=1: the CreateTable request built from the CREATE VIRTUAL TABLE
** arguments, and the comparison of the declared key schema with an
** existing table's. Pure: cJSON in, cJSON out; vtab.c sends the requests
** and waits.
**
** A key attribute's type comes from its column's declared type: a DynamoDB
** type name (S, N, B), else SQLite's affinity rules: TEXT (VARCHAR, ...)
** -> S, INTEGER, REAL, NUMERIC (...) -> N, BLOB -> B.
*/
#ifndef DYNAMO_CREATE_H
#define DYNAMO_CREATE_H

#include "args.h"
#include "common.h"
#include <cJSON.h>

/* The wait for a table to leave CREATING: at most this long (ms), unless
** DYNAMO_CREATE_WAIT_MS says otherwise. */
#define CREATE_WAIT_MS 60000

/* AV_S, AV_N or AV_B for a key column's declared type, or -1 when the
** type cannot be a key's (none, BOOL, SS, L, ...). */
int create_key_type(const char *zDecl);

/*
** The CreateTable request for a->table (a->pk must be set): KeySchema from
** PRIMARY KEY, AttributeDefinitions for every key attribute of the table
** and its indexes, BillingMode (and ProvisionedThroughput, also on each
** global index), LocalSecondaryIndexes, GlobalSecondaryIndexes. SQLITE_OK
** with *pReq (the caller cJSON_Deletes it); SQLITE_ERROR with *pzErr when
** a key column's type cannot be a key's; SQLITE_NOMEM.
*/
int create_request(const dyn_args *a, cJSON **pReq, char **pzErr);

/*
** Compare the key schema of a CreateTable request with a DescribeTable
** response: same partition and sort key names, same attribute types.
** SQLITE_OK when they agree, else SQLITE_ERROR (or NOMEM) with *pzErr
** showing both:
**   dynamo: key schema mismatch on Tracks: the table has (uuid S HASH,
**   timestamp S RANGE), PRIMARY KEY declares (uuid S HASH, ts N RANGE)
*/
int create_check_keys(const cJSON *req, const cJSON *describe, const char *zTable,
                      char **pzErr);

/* The key schema of an object holding KeySchema and AttributeDefinitions
** (a CreateTable request, DescribeTable's "Table") as text, "uuid S HASH,
** timestamp S RANGE"; sqlite3_malloc()ed, NULL on OOM. */
char *create_key_text(const cJSON *obj);

/* Milliseconds to sleep after poll number attempt (0-based): 100, 200,
** 400, 800, then 1000 each time. */
long create_wait_ms(int attempt);

/* The bound on the wait in ms: zEnv (DYNAMO_CREATE_WAIT_MS) when it is a
** positive integer (at most one day), else CREATE_WAIT_MS. */
long create_wait_bound_ms(const char *zEnv);

#endif
