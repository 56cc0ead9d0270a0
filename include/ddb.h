/*
** DynamoDB's low-level API: POST / with X-Amz-Target DynamoDB_20120810.<Op>,
** a JSON body, SigV4 signing, each answer checked against its x-amz-crc32,
** retries as the AWS SDKs do them (retry.h: legacy, standard or adaptive
** mode, the retry quota, x-amz-retry-after), every wait stopped by
** sqlite3_interrupt(), and error bodies turned into one readable message:
**   dynamo: Query on Tracks failed: ResourceNotFoundException: Requested
**   resource not found
*/
#ifndef DYNAMO_DDB_H
#define DYNAMO_DDB_H

#include "common.h"
#include "config.h"
#include "page.h"
#include "retry.h"
#include <cJSON.h>

typedef struct ddb_client ddb_client;

/* What one request cost, as the server reported it. */
typedef struct ddb_usage {
  int requests;           /* attempts sent (1, or more with retries) */
  int retries;
  sqlite3_int64 items;    /* items returned (Count, or an Item) */
  sqlite3_int64 scanned;  /* items read (ScannedCount) */
  double capacity;        /* ConsumedCapacity.CapacityUnits */
  sqlite3_int64 bytes;    /* response bytes received */
  double waited_ms;       /* held back by max_read_units/max_write_units */
} ddb_usage;

typedef void (*ddb_usage_fn)(void *ctx, const char *zTable, const char *zOp,
                             const ddb_usage *u);

/* How a client behaves; zero fields take the defaults. */
typedef struct ddb_settings {
  sqlite3_int64 connect_ms;   /* connect timeout: 10 s */
  sqlite3_int64 request_ms;   /* one attempt, connect included: 60 s */
  sqlite3_int64 max_attempts; /* the max_attempts option; 0: AWS_MAX_ATTEMPTS,
                              ** the profile's max_attempts, else the mode's */
  char *retry_mode;       /* the retry_mode option (the caller's); NULL:
                          ** AWS_RETRY_MODE, the profile's, else standard */
  sqlite3_int64 retry_ms;     /* a request stops retrying once this much
                              ** time has gone since its first attempt: 120 s */
  char *ca_bundle;        /* CA certificates: AWS_CA_BUNDLE, else the
                          ** system store (the caller's; copied by libcurl) */
  int allow_http;         /* plain http:// to a host other than loopback */
  sqlite3_int64 max_read_units; /* per second, from the capacity reported:
                          ** a token bucket holds requests back; 0: none */
  sqlite3_int64 max_write_units;
  ddb_usage_fn on_usage;  /* told the usage of every attempt */
  void (*on_wait)(void *ctx); /* told, every few ms, that a request is awaited */
  void *usage_ctx;        /* the context of both */
  sqlite3 *db;            /* sqlite3_interrupt() on it stops every wait
                          ** (a backoff, a rate-limit hold, an answer in
                          ** flight) within DDB_WAIT_SLICE_MS; NULL: none */
} ddb_settings;

#define DDB_WAIT_SLICE_MS 50

/* Resolve the configuration and open a connection. On error *pzErr is set.
** With opt->streams the client speaks to DynamoDB Streams (X-Amz-Target
** DynamoDBStreams_20120810.<Op>, its own endpoint: config.h); signing,
** retries and everything else are the same. */
int ddb_open(const cfg_options *opt, const ddb_settings *set, ddb_client **pp, char **pzErr);

/* Does the operation read or write items (for rate limits)? 'r', 'w' or 0. */
int ddb_op_kind(const char *zOp);

/* The capacity units a response reports consumed (ConsumedCapacity, an
** object or an array of them). */
double ddb_consumed(const cJSON *resp);

/* Is this endpoint URL plain http:// to a host that is not loopback
** (localhost, 127.0.0.0/8, ::1)? Pure. */
int ddb_is_remote_http(const char *zUrl);
void ddb_close(ddb_client *c);

/* The resolved configuration (for messages); the credentials' source is
** in cfg.creds, the credentials themselves only in the client's provider
** (creds.h), refreshed before each attempt when due. */
const cfg_resolved *ddb_config(const ddb_client *c);

/*
** Call operation zOp ("Query") with the request object. zTable names the
** table in error messages. On success *pResp is the parsed response object
** (caller frees with cJSON_Delete). On failure returns SQLITE_ERROR (or
** SQLITE_NOMEM) with *pzErr set, and zType (when not NULL: DDB_TYPE_SIZE
** bytes) names DynamoDB's error type ("ResourceNotFoundException"), "" for
** a transport error.
*/
#define DDB_TYPE_SIZE 96
int ddb_call(ddb_client *c, const char *zOp, const char *zTable, const cJSON *req,
             cJSON **pResp, char **pzErr, char *zType);

/* How long retries go on after a first attempt (retry_ms, or its default). */
long ddb_retry_ms(const ddb_client *c);

/*
** Append what a table would use, without sending a request: region,
** endpoint, retry mode and attempts, credential source; with c (its open
** client, or NULL) what it uses. For dynamo_debug(TABLE). SQLITE_OK, or
** the configuration's error in *pzErr.
*/
int ddb_describe(const cfg_options *opt, const ddb_settings *set, const ddb_client *c,
                 sqlite3_str *s, char **pzErr);

/* Sleep ms, or less when the client's connection is interrupted:
** SQLITE_OK or SQLITE_INTERRUPT. */
int ddb_sleep(ddb_client *c, long ms);

/* The monotonic clock every wait is measured on, in milliseconds. */
sqlite3_int64 ddb_clock_ms(void);

/* BatchGetItem and BatchWriteItem may leave part of a request unprocessed:
** it is sent again after ddb_unprocessed_delay_ms(n) before round n (1, 2,
** ...: full jitter on the throttling backoff, as the SDKs do), for at most
** DDB_UNPROCESSED_ROUNDS rounds in a row. */
#define DDB_UNPROCESSED_ROUNDS RETRY_UNPROCESSED_ROUNDS
long ddb_unprocessed_delay_ms(int round);

#define DDB_BATCH_GET_KEYS 100 /* BatchGetItem: keys per request, DynamoDB's limit */

/*
** Several requests at once: each job is sent (and retried under the same
** policy as ddb_call) concurrently with the others, at most
** HTTP_MAX_IN_FLIGHT in flight. Each job's own rc, resp, zErr, zType,
** errBody and attempts say how it ended.
**
**   ddb_run(c, zTable, aJob, n)    start them all and wait for all
**   ddb_start(c, zTable, job)      start one (its request is sent at once
**                                  when a connection is free) and return;
**                                  ddb_progress and other calls on the
**                                  client keep it moving
**   ddb_wait(c, job)               until that one is done
**   ddb_wait_any(c, aJob, n, &i)   until one of these started jobs is done
**   ddb_abandon(c, job)            forget a started job (no result)
**
** They return SQLITE_OK, or SQLITE_NOMEM when the machinery itself failed
** (a job may then be unfinished: its rc says SQLITE_NOMEM), or
** SQLITE_INTERRUPT when the connection was interrupted during the wait:
** ddb_wait() and ddb_run() then end each job they wait for that is not
** done (rc SQLITE_INTERRUPT; attempts 0: never sent). A started job must
** be waited for or abandoned before ddb_job_clear() or ddb_close().
*/
typedef struct ddb_job {
  const char *zOp;        /* "PutItem", "BatchWriteItem", ... */
  const cJSON *req;       /* the request, printed when the job starts */
  void *user;             /* for the caller */
  long delayMs;           /* start no sooner than this long after ddb_start */
  int split;              /* a Query or Scan page: leave its Items as text
                          ** when the body allows (page.h) */
  /* results, owned by the job until ddb_job_clear() */
  int rc;                 /* SQLITE_OK, SQLITE_ERROR, SQLITE_NOMEM */
  cJSON *resp;            /* the response when rc == SQLITE_OK */
  char *zPage;            /* split: the body, holding items' text (else NULL;
                          ** sqlite3_free() it once done with the items) */
  page_items items;
  char *zErr;             /* "dynamo: PutItem on T failed: ..." otherwise */
  char zType[DDB_TYPE_SIZE]; /* DynamoDB's error type, "" for a transport error */
  cJSON *errBody;         /* the error response's body, parsed, or NULL */
  int attempts;           /* sent (0: it never left) */
  sqlite3_int64 serverMs; /* the answer's Date header, ms since the epoch
                          ** (whole seconds), 0 when it has none: the
                          ** server's clock, not this machine's */
  /* private */
  const char *zTable;
  char *body;
  int state;
  sqlite3_int64 readyAt;
  sqlite3_int64 firstAt;  /* when the first attempt started */
  double waitedMs;        /* held back by a rate limit, not yet reported */
  void *priv;
  int active;             /* started, not yet waited for or abandoned */
  struct ddb_job *pNextActive;
  unsigned credGen;       /* the credentials the last attempt was signed with */
  int renewed;            /* they were renewed after ExpiredTokenException */
  int quotaCost;          /* what its last retry took from the retry quota */
} ddb_job;

int ddb_run(ddb_client *c, const char *zTable, ddb_job **aJob, int nJob);
int ddb_start(ddb_client *c, const char *zTable, ddb_job *j);
int ddb_wait(ddb_client *c, ddb_job *j);
int ddb_wait_any(ddb_client *c, ddb_job **aJob, int nJob, int *piDone);
void ddb_abandon(ddb_client *c, ddb_job *j);

/* Move started jobs along without waiting (a cursor calls it now and then
** while SQLite reads rows, so that a prefetched page keeps arriving). */
int ddb_progress(ddb_client *c);

/* Hand over a response tree the caller is done with: the client frees it
** just before it parses the next response (or when it closes), and frees
** the one it kept before. ddb_recycle(c, NULL) frees the kept tree now: a
** cursor does so when it closes, so that a finished statement keeps no
** memory (measured: the next statement is not faster if it does). */
void ddb_recycle(ddb_client *c, cJSON *tree);

/* Is this job started and not yet finished? */
int ddb_job_busy(const ddb_job *j);

/* Free a job's results (resp, zErr, errBody) and private state. */
void ddb_job_clear(ddb_job *j);

/* ---- pure parts, exposed for unit tests ---- */

/* Does a JSON text hold the escape \u0000? Every backslash in JSON starts
** an escape of two or more characters, so stepping over each pair keeps an
** escaped backslash followed by "u0000" from counting. */
int ddb_has_nul_escape(const char *z, size_t n);

/* "TableReadProvisionedThroughputExceeded (arn:...:table/T)[, ...]": the
** ThrottlingReasons (or throttlingReasons) of an error body, NULL when it
** names none. sqlite3_malloc()ed. */
char *ddb_throttling_reasons(const char *body, size_t n);

/* Split an error body into type (after the last '#') and message, which
** arrives as "message" or "Message". Both sqlite3_malloc()ed. */
int ddb_parse_error(const char *body, size_t n, long status, char **pzType,
                    char **pzMsg);

#endif
