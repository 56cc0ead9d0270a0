/*
** The eponymous virtual table dynamo_tables: the tables at an endpoint,
** with their key schema, indexes, item count and billing mode.
**
**   SELECT * FROM dynamo_tables;
**   SELECT name, item_count FROM dynamo_tables('eu-west-1');
*/
#ifndef DYNAMO_TABLES_H
#define DYNAMO_TABLES_H

#include "common.h"

/* Register the "dynamo_tables" module on db. */
int tables_register(sqlite3 *db);

#endif
