/*
** dynamo: SQL over Amazon DynamoDB, as a loadable SQLite extension.
**
**   .load ./dynamo
**   CREATE VIRTUAL TABLE tracks USING dynamo(table=Tracks);
**
** The only exported symbol is the entry point.
*/
#ifndef DYNAMO_H
#define DYNAMO_H

#include "common.h"

#ifndef DYNAMO_VERSION
#define DYNAMO_VERSION "0.0.0"
#endif
#ifndef DYNAMO_COMMIT
#define DYNAMO_COMMIT "unknown"
#endif

DYNAMO_EXPORT int sqlite3_dynamo_init(sqlite3 *db, char **pzErrMsg,
                                      const sqlite3_api_routines *pApi);

#endif
