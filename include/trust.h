/*
** Opening someone else's database: may the options a database file's
** schema gives a dynamo table be honoured? (ARCHITECTURE.md, "Opening
** someone else's database", says what a stored schema can and cannot make
** the extension do.)
**
**   export DYNAMO_TRUST=/home/me/reports.db     -- files whose schemas the
**                                                -- user trusts (':' between,
**                                                -- or * for every file)
**   SELECT dynamo_config('trust', 1);            -- or: every database of
**                                                -- this connection
**   PRAGMA trusted_schema = OFF;                 -- SQLite's: then none is
*/
#ifndef DYNAMO_TRUST_H
#define DYNAMO_TRUST_H

#include "args.h"

/*
** The options a of table zDb.zName, read from the schema of its database
** file (not typed in a CREATE VIRTUAL TABLE on this connection): SQLITE_OK
** when every one may be honoured, else SQLITE_ERROR with *pzErr naming the
** options, their values and how to trust the file. They may when the
** connection's trusted_schema is ON and the user trusts the file
** (DYNAMO_TRUST names it, or trustAll: dynamo_config('trust', 1)), or when
** args_untrusted() finds nothing the schema may not set alone, judged
** against the user's own configuration (their endpoint, profile,
** AWS_CA_BUNDLE, AWS_MAX_ATTEMPTS: resolved here, without the options).
*/
int trust_check(sqlite3 *db, const char *zDb, const char *zName, const dyn_args *a, int trustAll,
                char **pzErr);

/* Is the file of database zDb named by DYNAMO_TRUST (zList: its value,
** files separated by ':', or "*")? Both sides are compared as real paths;
** a database without a file (in memory, temp) never is. */
int trust_lists_file(sqlite3 *db, const char *zDb, const char *zList);

#endif
