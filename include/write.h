/*
** Writes: the INSERTs, UPDATEs and DELETEs of a transaction are kept here
** and sent when it commits (xSync), before the table is read (so that a
** connection reads its own writes), or when many are pending.
**
** Sending: rows that touch the same item go out in order, in "waves" (a
** wave holds at most one write per item). Within a wave, unconditional
** writes (INSERT OR REPLACE, DELETE) travel as BatchWriteItem, 25 per call,
** with UnprocessedItems sent again after a backoff until done; conditional
** ones (plain INSERT, OR IGNORE, UPDATE, a replaced item) as PutItem and
** UpdateItem; all of them concurrently (ddb_run). With the atomic option
** the whole transaction is one TransactWriteItems (at most 100 writes).
**
** Every write is either done or reported: the error of a flush says how
** many writes were sent, and which failed and why. An interrupted flush
** (sqlite3_interrupt) is SQLITE_INTERRUPT with how many writes were done,
** sent without an answer, and not sent, and which.
*/
#ifndef DYNAMO_WRITE_H
#define DYNAMO_WRITE_H

#include "common.h"
#include "ddb.h"
#include <cJSON.h>

enum { W_PUT, W_DELETE, W_UPDATE };

/* The condition of a W_PUT. */
enum {
  WC_NEW,      /* plain INSERT: the key must not exist (a constraint error) */
  WC_IGNORE,   /* INSERT OR IGNORE: an existing item is kept, silently */
  WC_REPLACE,  /* INSERT OR REPLACE: no condition */
  WC_EXISTS    /* UPDATE of the item column: only while the item exists */
};

typedef struct write_table {  /* what a flush needs to know of the table */
  const char *zTable;         /* the DynamoDB table */
  const char *zName;          /* the SQLite table, for messages */
  const char *zPk;            /* key attribute names (zSk NULL: none) */
  const char *zSk;
  int atomic;                 /* one TransactWriteItems per flush */
} write_table;

typedef struct dyn_writer dyn_writer;

int writer_open(dyn_writer **pp);
void writer_close(dyn_writer *w);

/*
** Queue a write; the writer takes over payload (even on failure):
**   W_PUT     the item (cond: WC_*)
**   W_DELETE  the key
**   W_UPDATE  an UpdateItem request without TableName: Key,
**             UpdateExpression, ExpressionAttributeNames/Values (the
**             condition that the item exists is added when it is sent)
** SQLITE_OK or SQLITE_NOMEM.
*/
int writer_add(dyn_writer *w, const write_table *t, int kind, int cond, cJSON *payload);

/* Writes waiting to be sent. */
int writer_pending(const dyn_writer *w);

/*
** Send every pending write. SQLITE_OK when all were done; otherwise
** SQLITE_CONSTRAINT (every failure was an existing key under a plain
** INSERT) or SQLITE_ERROR/SQLITE_NOMEM, with *pzErr saying how many writes
** were done and which failed. The writer is empty afterwards either way.
*/
int writer_flush(dyn_writer *w, ddb_client *c, const write_table *t, char **pzErr);

/* Savepoints: remember how many writes are pending at level i, forget the
** marks from level i up, or drop the writes queued since level i. */
int writer_savepoint(dyn_writer *w, int i);
void writer_release(dyn_writer *w, int i);
void writer_rollback_to(dyn_writer *w, int i);

/* Drop every pending write (ROLLBACK). */
void writer_discard(dyn_writer *w);

#endif
