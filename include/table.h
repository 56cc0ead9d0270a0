/*
** The dynamo virtual table, inside: the state one table shares between the
** files that implement it, and one section per file for what each offers
** the others (as SQLite's fts5 keeps fts5Int.h). vtab.c holds the
** sqlite3_module methods and delegates to:
**
**   table.c    the shared state: dyn_vtab, its client, its error slot, the
**              flush of its pending writes
**   catalog.c  what the table looks like: its columns and keys, the SQLite
**              declaration, the indexes as the plan sees them, and every
**              shadow table (NAME_schema, NAME_index)
**   open.c     xCreate and xConnect: DescribeTable, CreateTable and the wait
**              until ACTIVE, column discovery
**   request.c  a decoded plan and xFilter's arguments into the request
**              object (pure: no I/O)
**   read.c     the cursor: streams of pages, prefetch, Scan segments,
**              BatchGetItem and its unprocessed keys, the page ramp
**   cache.c    a statement's copy of a small table, read once when its
**              lookups have cost as much, that answers the rest
**   update.c   xUpdate: rows into the writes that write.c sends
**
** Errors: functions return SQLite result codes. Those below vtab.c that
** run inside a method report through table_error() (the table's zErrMsg);
** the pure ones return a message through *pzErr instead.
*/
#ifndef DYNAMO_TABLE_H
#define DYNAMO_TABLE_H

#include "args.h"
#include "ddb.h"
#include "describe.h"
#include "indexes.h"
#include "plan.h"
#include "stats.h"
#include "write.h"

#include <cJSON.h>

enum { KEY_NO = 0, KEY_HASH = 1, KEY_RANGE = 2 };

typedef struct dyn_column {
  char *name;  /* attribute name, also the column name */
  char *type;  /* declared type as persisted (S, N or B for a key) */
  int cls;     /* write class (attrval.h) */
  int aff;     /* read affinity (AVA_*): as a native column of the type */
  int key;     /* KEY_NO, KEY_HASH, KEY_RANGE */
  int cmpAff;  /* SQLite's affinity of the column in comparisons
               ** (FILTER_AFF_*, with FILTER_TEXT_READ when aff is AVA_TEXT),
               ** 0 until the table is first planned (vtab.c) */
} dyn_column;

typedef struct dyn_vtab {
  sqlite3_vtab base;
  sqlite3 *db;
  char *zDb;           /* schema holding the table: "main", "temp"... */
  char *zName;         /* name of the virtual table */
  dyn_args args;       /* options; args.aCol is not used after create */
  int typed;           /* the arguments were typed on this connection (a
                       ** CREATE), not read from a database's schema:
                       ** trust_check() is not needed */
  int ncol;            /* columns, the hidden item and _key not included */
  dyn_column *aCol;
  const char **azName; /* column names and "item", for plan.c */
  int pk, sk;          /* key column indexes; sk < 0: no sort key */
  int pktype, sktype;  /* AV_S, AV_N or AV_B (sktype -1: none) */
  ddb_client *client;  /* opened on first use */
  ddb_client *streams; /* its DynamoDB Streams client (dynamo_sync), idem */
  dyn_writer *writer;  /* writes waiting for the commit */
  sqlite3_int64 nSentEarly; /* writes of this transaction sent and done before
                       ** its commit (1,000 pending, a read, a moved key) */
  sqlite3_int64 nBytes;   /* TableSizeBytes and ItemCount as DescribeTable */
  sqlite3_int64 nItems;   /* last reported them (0: not known; the
                          ** indexes' own in aIdx), for the plan's costs
                          ** and the Scan segments; */
  sqlite3_int64 sizeAt;   /* when (ddb_clock_ms), -1: not asked yet */
  struct dyn_cache *cache;/* the statement's copy of the table (cache.c) */
  dyn_conn *conn;      /* the connection's stats and settings */
  dyn_index *aIdx;     /* secondary indexes (NAME_index) */
  int nIdx;
  plan_index *aPlanIdx;/* those the plan may Query, with their columns */
  int nPlanIdx;
  struct dyn_vtab *pNext; /* the connection's next table (table_register) */
  int registered;
} dyn_vtab;

/* The hidden columns' numbers: after the declared ones. */
#define TABLE_ITEM_COLUMN(v) ((v)->ncol)
#define TABLE_KEY_COLUMN(v) ((v)->ncol + 1)

/* ---- Interface to code in table.c ----------------------------------------- */

/* A new table named zName in schema zDb, with no column yet. */
int table_new(sqlite3 *db, dyn_conn *conn, const char *zDb, const char *zName, dyn_vtab **pp);
void table_free(dyn_vtab *v);

/* Replace the table's error message (takes ownership of zMsg, which may
** be NULL after a failed allocation: then SQLITE_NOMEM). Returns rc. */
int table_error(dyn_vtab *v, int rc, char *zMsg);

/* The connection's connected tables, so that a SQL function can find one
** by name: a table registers once open (replacing an instance of the same
** table that SQLite has not disconnected yet after reading the schema
** again), table_free() takes it out.
** table_find: the table zName (case-insensitive) in schema zDb (NULL: any),
** NULL when there is none; *pnFound counts the matches. */
void table_register(dyn_vtab *v);
dyn_vtab *table_find(dyn_conn *conn, const char *zDb, const char *zName, int *pnFound);

/* Open the table's client on first use (the error goes to table_error). */
int table_client(dyn_vtab *v);

/* Open the client of the table's DynamoDB Streams on first use (after
** table_client: the same options, trust and settings; config.h says where
** it goes). The error goes to table_error. */
int table_streams(dyn_vtab *v);

/* dynamo_debug(TABLE)'s text: the table, then what ddb_describe() says of
** its client, or of the one it would open (no request is sent). */
int table_describe(dyn_vtab *v, sqlite3_str *s, char **pzErr);

/* Send the pending writes (see write.h); the error goes to table_error and,
** when writes of the transaction were sent before (nSentEarly), says so. */
int table_flush(dyn_vtab *v);

/* The transaction ended (committed or rolled back): no write of it was
** sent early any more. */
void table_end(dyn_vtab *v);

/* The table's size: nBytes, nItems and its indexes' (aIdx), as CREATE's
** DescribeTable said or, on a connection that did not create it, as one
** DescribeTable asked on first use says; asked again once the answer is
** older than TABLE_SIZE_MS (DynamoDB updates its figures about every six
** hours). Never an error: a size not known stays 0, which the plan treats
** as a large table (cost.h). */
#define TABLE_SIZE_MS (3600 * 1000)
void table_size(dyn_vtab *v);

/* Is a statement that writes running on this connection (a DELETE or an
** UPDATE reads the _key column of the rows it changes; an INSERT ...
** SELECT reads while it writes)? */
int table_write_running(sqlite3 *db);

/* What write.c needs to know of the table. */
void table_write_info(const dyn_vtab *v, write_table *t);

/* ---- Interface to code in catalog.c --------------------------------------- */

/* Add a column (key: KEY_*; a key's type is S, N or B). */
int catalog_add_column(dyn_vtab *v, const char *zName, const char *zType, int key);

/* The column named zName: case-insensitive as SQLite names are (-1: none),
** or exactly as an attribute name is. */
int catalog_column(const dyn_vtab *v, const char *zName);
int catalog_attribute(const dyn_vtab *v, const char *zName);

/* The declared columns of CREATE VIRTUAL TABLE after the key columns,
** which must agree with the table's keys. */
int catalog_declared(dyn_vtab *v, char **pzErr);

/* Columns from a sample of items (a JSON array): every attribute seen,
** with its type when all the sampled values agree, in byte order of the
** names, and the keys of the indexes. */
int catalog_discovered(dyn_vtab *v, const cJSON *items, char **pzErr);

/* Once the columns are known: the names for the plan, the indexes as the
** plan sees them, and the declaration (sqlite3_declare_vtab). */
int catalog_finish(dyn_vtab *v, char **pzErr);

/* The shadow tables: NAME_schema and NAME_index written at create, read at
** connect, renamed and dropped with the table. */
int catalog_save(dyn_vtab *v, char **pzErr);
int catalog_load(dyn_vtab *v, char **pzErr);

/* The SQLite type column c is declared with (a key's SQLite type, S as
** TEXT, B as BLOB, NULL quoted), appended to s: the declaration's, and a
** copy's (sync.c). */
void catalog_append_decl(sqlite3_str *s, const dyn_column *c);

/* Add columns iFrom and after to NAME_schema (dynamo_refresh). */
int catalog_append(dyn_vtab *v, int iFrom, char **pzErr);
int catalog_rename(dyn_vtab *v, const char *zNew);
int catalog_drop(dyn_vtab *v);
int catalog_is_shadow(const char *zSuffix);

/* dynamo_key(TABLE, pk [, sk]): the text of the _key column of the item
** with that key in the dynamo table TABLE of this connection (user data:
** the dyn_conn), the values converted as the key columns would convert
** them; NULL when no key can be those values. So that whole keys held
** elsewhere are looked up with BatchGetItem:
**   SELECT * FROM t WHERE _key IN (SELECT dynamo_key('t', u, ts) FROM local) */
void catalog_key_function(sqlite3_context *ctx, int argc, sqlite3_value **argv);

/* The keys a read works with: the table's, or an index's (idxNum's). */
typedef struct read_keys {
  const char *zIndex;  /* IndexName, or NULL for the table */
  int pk, sk;          /* columns; sk < 0: none */
  int pktype, sktype;  /* AV_S, AV_N or AV_B */
} read_keys;
void catalog_keys(const dyn_vtab *v, int iIndex, read_keys *k);

/* ---- Interface to code in open.c ------------------------------------------ */

/* xCreate (isCreate) and xConnect: the whole table, declared. */
int open_table(sqlite3 *db, dyn_conn *conn, int argc, const char *const *argv, int isCreate,
               dyn_vtab **pp, char **pzErr);

/* dynamo_refresh(): the attributes a new sample of items shows that are
** not columns yet, added to NAME_schema (v itself is left as it is: the
** columns are SQLite's once it connects the table again). */
int open_refresh(dyn_vtab *v, int *pnAdded, char **pzErr);

/* ---- Interface to code in request.c --------------------------------------- */

/* A read as requests: the request object and the keys to visit. */
typedef struct read_request {
  const char *zOp;     /* "Scan", "Query", "GetItem" or "BatchGetItem" */
  cJSON *req;          /* the request (BatchGetItem: its template) */
  cJSON *keys;         /* partition-key values still to visit (array), or
                       ** BatchGetItem's whole keys; NULL for a Scan */
  const char *zKeyIn;  /* where each key goes: the member of req ("Key",
                       ** "ExpressionAttributeValues") or NULL: req itself, */
  const char *zKeySlot;/* holding the member it replaces (the partition
                       ** key's name, ":v0"; "Key": a whole key) */
  int batch;           /* BatchGetItem */
} read_request;

/*
** The request of a decoded plan with its arguments (see plan_decode).
** SQLITE_OK with *out filled (free it with request_clear), SQLITE_DONE when
** no row can match (nothing to send), or SQLITE_NOMEM. Every value has a
** request: one no key can match sends none, one no DynamoDB key can hold
** bounds nothing (plan_key_range).
*/
int request_build(const dyn_vtab *v, const plan_args *p, read_request *out);
void request_clear(read_request *r);

/* The next BatchGetItem keys (at most DDB_BATCH_GET_KEYS of keys) into
** req's Keys; 0 when none is left. */
int request_next_batch(const dyn_vtab *v, cJSON *req, cJSON *keys);

/* ---- Interface to code in read.c ------------------------------------------ */

int read_open(dyn_vtab *v, sqlite3_vtab_cursor **ppCur);
int read_close(sqlite3_vtab_cursor *cur);
int read_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc,
                sqlite3_value **argv);
int read_next(sqlite3_vtab_cursor *cur);
int read_eof(sqlite3_vtab_cursor *cur);
int read_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i);
int read_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *pRowid);

/* The item the cursor is on (NULL for a counted row), for cache.c. */
const cJSON *read_item(sqlite3_vtab_cursor *cur);

/* ---- Interface to code in cache.c ----------------------------------------- */

/*
** A statement's lookups of a small table (GetItem of exact keys, or Query
** of whole partitions with no other condition; never an index, never a
** write statement, never with writes pending): cache_lookup is asked
** before each read of a plan goes out (p decoded, r built). Until the
** statement's lookups have cost what a Scan of the table costs (ski rental,
** cost.h), it counts this one and lets it go (*pItems NULL); then it reads
** the table once, every segment side by side, keeping the items the
** statement reads (their columns, as JSON, hashed by key and by partition),
** and answers this and every later lookup of the statement from memory:
** *pItems, an array of the matching items (the caller's, cJSON_Delete). A
** table larger than read_once= MB (TableSizeBytes; or not known), a Scan
** refused (scan=0) or shared (segment=), a copy that outgrows twice the
** bound (the size was stale): the lookups go to DynamoDB. SQLITE_OK, or the
** Scan's error (in the table's error slot).
*/
typedef struct dyn_cache dyn_cache;
int cache_lookup(dyn_vtab *v, const plan_args *p, const read_request *r, cJSON **pItems);

/* The table was written (xUpdate): no lookup of this statement is
** answered from a copy read before. */
void cache_forget(dyn_vtab *v);
void cache_free(dyn_cache *c);

/* ---- Interface to code in update.c ---------------------------------------- */

/* xUpdate: one row of an INSERT, UPDATE or DELETE into pending writes. */
int update_row(dyn_vtab *v, int argc, sqlite3_value **argv);

#endif
