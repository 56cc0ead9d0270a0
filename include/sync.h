/*
** dynamo_sync(): a local copy of a dynamo table, an ordinary SQLite table
** kept current from the table's DynamoDB Stream.
**
**   SELECT dynamo_sync('tracks', 'tracks_copy');            -- load, or catch up
**   SELECT dynamo_sync('tracks', 'tracks_copy', 'reload');  -- and load again
**                                                           -- when it must
**
**   copy.c   the SQLite side: the copy's table (the virtual table's columns
**            with their declared types, item, _key), its state in the
**            tables dynamo_copies and dynamo_copy_shards of the copy's
**            schema, a load from the virtual table, a record applied with
**            its shard's position in one transaction
**   sync.c   the function: the requests (DescribeTable, DescribeStream,
**            GetShardIterator, GetRecords over streams.c), shards in lineage
**            order, side by side, what a sync returns
**
** The invariants are in ARCHITECTURE.md ("A copy kept from the stream").
*/
#ifndef DYNAMO_SYNC_H
#define DYNAMO_SYNC_H

#include "streams.h"
#include "table.h"

/* ---- Interface to code in copy.c ------------------------------------------ */

typedef struct dyn_copy dyn_copy;

/* The copy zCopy in schema zSchema of the dynamo table v: its state tables
** made when missing, its state read (a copy that is not there has none).
** SQLITE_OK, or an error with *pzErr: zCopy is a table dynamo_sync did not
** make, or copies another table. */
int copy_open(sqlite3 *db, dyn_vtab *v, const char *zSchema, const char *zCopy, dyn_copy **pp,
              char **pzErr);
void copy_close(dyn_copy *c);

/* What the state says; NULL fields when there is no copy yet. */
typedef struct copy_state {
  const char *zState;     /* COPY_LOADING, COPY_FOLLOWING, COPY_STALE, or NULL */
  const char *zProblem;   /* why it is stale */
  const char *zArn;       /* the stream it follows */
  sqlite3_int64 readAt;   /* ms since the epoch: every record written before
                          ** was read (the last sync's start, or the load's) */
  int columnsChanged;     /* the virtual table's columns are not the copy's */
} copy_state;

#define COPY_LOADING "loading"     /* a load began and did not end */
#define COPY_FOLLOWING "following" /* loaded; follows the stream */
#define COPY_STALE "stale"         /* the stream cannot bring it up to date */

const copy_state *copy_state_of(const dyn_copy *c);

/* A transaction (a savepoint: inside the user's own transaction, the user's
** COMMIT makes it durable). */
int copy_begin(dyn_copy *c, char **pzErr);
int copy_commit(dyn_copy *c, char **pzErr);
void copy_rollback(dyn_copy *c);

/*
** Load the copy: in one transaction, the copy's table made (again when its
** columns changed) or emptied, its state COPY_LOADING with the stream and
** time T (ms since the epoch), and its shards those of d, none read; then
** every item of the virtual table (a Scan, every segment) into the table,
** committed every COPY_LOAD_ROWS rows; then COPY_FOLLOWING. *pnRows counts
** the items.
*/
#define COPY_LOAD_ROWS 20000
int copy_load(dyn_copy *c, const char *zArn, sqlite3_int64 T, const streams_desc *d,
              sqlite3_int64 *pnRows, char **pzErr);

/* The shards of the copy's state (each read from its start until a record
** is applied). */
typedef struct copy_shard {
  char *zId;
  char *zParent;
  char *zSeq;     /* the last record applied, NULL: none */
  int closed;     /* it has an end */
  int finished;   /* read to its end */
} copy_shard;
int copy_shards(dyn_copy *c, copy_shard **pa, int *pn, char **pzErr);
void copy_shards_free(copy_shard *a, int n);

/* The stream's shards as DescribeStream gave them: new ones added (not
** read), those now closed marked so, finished ones it no longer lists
** forgotten. In the caller's transaction. */
int copy_merge_shards(dyn_copy *c, const streams_desc *d, char **pzErr);

/*
** One answer of a shard, inside a transaction: its position moved from
** zOld (NULL: none yet) to zNew and, with finished, the shard read to its
** end. SQLITE_BUSY with *pzErr when the position was not zOld any more
** (another dynamo_sync of the copy runs).
*/
int copy_advance(dyn_copy *c, const char *zShard, const char *zOld, const char *zNew,
                 int finished, char **pzErr);

/* A record applied: the item written (INSERT, MODIFY), or removed. */
int copy_apply(dyn_copy *c, const streams_record *r, char **pzErr);

/* The copy cannot follow its stream any more: COPY_STALE and why,
** committed on its own. */
int copy_stale(dyn_copy *c, const char *zProblem, char **pzErr);

/* A sync that began at T is done: every record written before was read. */
int copy_synced(dyn_copy *c, sqlite3_int64 T, sqlite3_int64 lagMs, char **pzErr);

/* The schema the copy is in, its name (for messages and SQL). */
const char *copy_name(const dyn_copy *c);

/* ---- Interface to code in sync.c ------------------------------------------ */

/* Register dynamo_sync(SOURCE, COPY [, OPTIONS]) on db. */
int sync_register(sqlite3 *db, dyn_conn *conn);

#endif
