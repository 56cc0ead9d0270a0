/*
** The arguments of CREATE VIRTUAL TABLE t USING dynamo(...): an argument
** with '=' is an option (table=Tracks), "PRIMARY KEY (a [, b])" names the
** key columns, any other is a column definition ("name [type]", as in
** CREATE TABLE). Pure.
*/
#ifndef DYNAMO_ARGS_H
#define DYNAMO_ARGS_H

#include "common.h"
#include "ddb.h"

typedef struct args_column {
  char *name;           /* dequoted */
  char *type;           /* declared type as written, "" when none */
} args_column;

/* billing= (create=1 only); 0: not given, which means on demand */
enum { ARGS_BILLING_ON_DEMAND = 1, ARGS_BILLING_PROVISIONED = 2 };

/* stream= (create=1 only): the StreamViewType of the table's stream; 0:
** no stream. The names are args_stream_views[] (lower case in CREATE). */
enum { ARGS_STREAM_NEW_AND_OLD_IMAGES = 1, ARGS_STREAM_NEW_IMAGE, ARGS_STREAM_OLD_IMAGE,
       ARGS_STREAM_KEYS_ONLY };
extern const char *const args_stream_views[5];

/* What a secondary index copies from the table's items */
enum { ARGS_PROJ_ALL = 0, ARGS_PROJ_KEYS_ONLY, ARGS_PROJ_INCLUDE };

/* global_index=NAME(pk [, sk]) [projection] or local_index=NAME(sk)
** (also NAME(pk, sk) with the table's partition key): create=1 only. */
typedef struct args_index {
  char *name;           /* index name, dequoted */
  int local;            /* 1: local_index=, 0: global_index= */
  char *pk;             /* key columns, spelled as declared; a local */
  char *sk;             /* index's pk is the table's; sk NULL: none */
  int projection;       /* ARGS_PROJ_* (default ALL) */
  int ninclude;         /* INCLUDE (a, b): attribute names, dequoted */
  char **azInclude;
} args_index;

/* Options not given are 0 (NULL), except scan, filter and read_once. */
typedef struct dyn_args {
  char *table;          /* DynamoDB table name (required) */
  char *region;
  char *endpoint;
  char *profile;
  int consistent_read;  /* 0 or 1 */
  int create;           /* create=1: create the DynamoDB table if missing */
  int atomic;           /* atomic=1: a commit is one TransactWriteItems */
  sqlite3_int64 segments; /* a Scan's TotalSegments; 0: chosen by table size */
  sqlite3_int64 segment_first; /* segment=K or K-L: the share of the Scan's */
  sqlite3_int64 segment_last;  /* segments this table reads; -1: all */
  ddb_settings transport; /* connect_timeout_ms, request_timeout_ms,
                        ** max_attempts, retry_mode and ca_bundle (owned
                        ** here), retry_time_ms, allow_http, max_read_units,
                        ** max_write_units; the caller sets on_usage */
  int scan;             /* 0 or 1; -1: as the connection says */
  char *indexes;        /* indexes the plan may use: "none", "a,b"; NULL: all */
  int billing;          /* ARGS_BILLING_*, 0 when not given */
  sqlite3_int64 read_units;  /* billing=provisioned; 0 when not given */
  sqlite3_int64 write_units;
  int stream;           /* ARGS_STREAM_*, 0 when not given */
  char *pk;             /* PRIMARY KEY (pk [, sk]): declared columns, */
  char *sk;             /* spelled as declared; NULL when not given */
  int nindex;
  args_index *aIndex;
  int ncol;
  args_column *aCol;
  int filter;           /* 1 (default): conditions not on a key go as a
                        ** FilterExpression; 0: SQLite checks them alone */
  sqlite3_int64 read_once; /* MB: a table up to this size (TableSizeBytes)
                        ** may be read once for a statement's lookups
                        ** (cache.c); 0: never; ARGS_READ_ONCE_MB when
                        ** not given */
} dyn_args;

/* Parse the module arguments (argv[3..] of xCreate/xConnect). On error
** returns SQLITE_ERROR (or NOMEM) with *pzErr set; *out is then empty.
** Checked here: create=0/1; billing=on_demand|provisioned; read_units and
** write_units positive integers, both given, and only with provisioned;
** stream=new_and_old_images|new_image|old_image|keys_only; billing,
** units, indexes and stream only with create=1; create=1 needs PRIMARY
** KEY; every key column (table and indexes) is a declared column. Types
** are create.c's business. */
int args_parse(int argc, const char *const *argv, dyn_args *out, char **pzErr);
void args_free(dyn_args *a);

#define ARGS_READ_ONCE_MB 8        /* read_once= when not given */
#define ARGS_MAX_READ_ONCE 1048576  /* read_once=: 1 TB, in MB */
#define ARGS_MAX_SEGMENTS 1000000 /* segments=: DynamoDB's TotalSegments limit */

/* The hidden columns: the whole item, and its primary key (both as
** DynamoDB JSON). The key column is the table's PRIMARY KEY for SQLite (the
** table is WITHOUT ROWID), which is how SQLite tells rows apart when it
** combines OR branches and which row an UPDATE or DELETE means. */
#define ARGS_ITEM_COLUMN "item"
#define ARGS_KEY_COLUMN "_key"

/* What the user's own configuration says, against which the options of a
** schema stored in a database file are judged: the user's endpoint (the
** environment's or the profile's, NULL when none), the profile their
** environment names (AWS_DEFAULT_PROFILE, AWS_PROFILE, else "default"),
** AWS_CA_BUNDLE (NULL: none) and AWS_MAX_ATTEMPTS (else the default). */
typedef struct args_trust {
  const char *endpoint;
  const char *profile;
  const char *ca_bundle;
  sqlite3_int64 max_attempts;  /* the user's own, or their retry mode's default */
  const char *retry_mode;      /* the user's own: "standard" unless configured */
  const char *account;         /* the account the user's configuration names,
                               ** or NULL */
} args_trust;

/* The options of a that a stored schema may not set without the user's
** trust, as "endpoint='http://10.0.0.1:8000', allow_http=1" (sqlite3_malloc()ed),
** or NULL when there is none (or memory ran out: *pRc says). Judged by the
** option table in args.c: endpoint (unless one of DynamoDB's AWS endpoints
** or t->endpoint), profile (unless t->profile), ca_bundle (unless
** t->ca_bundle), allow_http=1, scan=1, and segments, connect_timeout_ms,
** request_timeout_ms, retry_time_ms and max_attempts above the defaults
** (16, 10 s, 60 s, 120 s, t->max_attempts), a retry_mode other than
** t->retry_mode, and a table= ARN of an account other than t->account (its
** resource policy could let the user's requests in: reads of the file's
** owner's data, writes into it). */
char *args_untrusted(const dyn_args *a, const args_trust *t, int *pRc);

/* NULL when zType can be a column's declared type, else why not (a static
** phrase). The grammar: "" (no type), or words of letters, digits and _
** separated by spaces (no word that would end a type or hide the column:
** NOT, NULL, PRIMARY, DEFAULT, HIDDEN, ...; NULL alone is DynamoDB's type),
** then at most (N) or (N, M) with signed decimal numbers. So no quote,
** comma outside the parentheses, ')' before the end, or comment: the type
** is pasted into the table's declaration. Both CREATE's columns and those
** read back from NAME_schema are held to it. */
const char *args_type_problem(const char *zType);

/* Is this name one of the hidden columns (case-insensitive)? */
int args_is_reserved(const char *zName);

/* The declared column named zName (case-insensitive), or NULL. */
const args_column *args_find_column(const dyn_args *a, const char *zName);

#endif
