/*
** The retry policy of a DynamoDB client, as the AWS SDKs have it (botocore's
** retries/standard.py, adaptive.py, quota.py, bucket.py, throttling.py and
** retryhandler.py with data/_retry.json for legacy). Pure: the clock and
** the random numbers are passed in.
**
**   mode       legacy, standard (the default) or adaptive: AWS_RETRY_MODE or
**              the profile's retry_mode (config.c), the retry_mode option
**   attempts   legacy 10, standard and adaptive 4 (DynamoDB's, since the
**              SDKs' November 2026 defaults); AWS_MAX_ATTEMPTS, the
**              profile's max_attempts or the max_attempts option instead
**   classes    what is worth another attempt (retry_classify): throttling
**              errors, transient ones (5xx, transport errors that can pass,
**              a body that fails its x-amz-crc32), and nothing else
**   delays     legacy: 50 ms * 2^(n-1), no jitter, no cap; standard and
**              adaptive: a uniform random part of min(20 s, base * 2^(n-1)),
**              base 1 s after throttling, 25 ms after a transient error,
**              then x-amz-retry-after honoured within [t, t + 5 s]
**   quota      standard and adaptive: a token bucket of 500 per client; a
**              retry takes 5 (throttling) or 14 (anything else), a success
**              gives back 1, or what its last retry took; an empty bucket
**              means no retry (the error as it came)
**   rate       adaptive: after the first throttling answer, every attempt
**              waits for a token of a client-side bucket whose rate follows
**              CUBIC (botocore's ClientRateLimiter)
*/
#ifndef DYNAMO_RETRY_H
#define DYNAMO_RETRY_H

#include "common.h"

typedef enum retry_mode { RETRY_LEGACY = 1, RETRY_STANDARD, RETRY_ADAPTIVE } retry_mode;

#define RETRY_DEFAULT_MODE RETRY_STANDARD

/* "legacy", "standard", "adaptive" (exactly, as botocore) into *pMode:
** SQLITE_OK, or SQLITE_ERROR for anything else. */
int retry_mode_parse(const char *z, retry_mode *pMode);
const char *retry_mode_name(retry_mode m);

/* Attempts per request when nothing says otherwise. */
int retry_default_attempts(retry_mode m);

/* One attempt that did not succeed, as the policy sees it. */
typedef struct retry_failure {
  const char *zOp;   /* the operation ("PutItem"): DynamoDB's model marks an
                     ** error retryable for some operations only */
  long status;       /* HTTP status; 0 when no answer came */
  const char *zCode; /* DynamoDB's error type ("" or NULL: none) */
  int transport;     /* a transport error that can pass: refused, reset,
                     ** timed out, nothing received (http_is_retryable) */
  int checksum;      /* the body did not match its x-amz-crc32 */
  int invalid;       /* a 200 whose body is not a JSON object: a cut
                     ** transfer (retried in every mode; botocore would
                     ** fail to parse it) */
} retry_failure;

enum { RETRY_NO = 0, RETRY_TRANSIENT = 1, RETRY_THROTTLING = 2 };

/* RETRY_NO, RETRY_TRANSIENT or RETRY_THROTTLING. */
int retry_classify(retry_mode m, const retry_failure *f);

/* Is zCode one of the throttling errors (the standard mode's list)? */
int retry_is_throttling(const char *zCode);

/*
** Milliseconds to wait after attempt n (1-based) failed with class cls
** (RETRY_TRANSIENT or RETRY_THROTTLING), rnd a uniform random 32-bit
** value (the jitter: rnd / 2^32), retryAfterMs the x-amz-retry-after
** header's value (retry_after_parse; negative: none).
*/
double retry_delay_ms(retry_mode m, int attempt, int cls, unsigned rnd, double retryAfterMs);

/* x-amz-retry-after (milliseconds, as Python's int() reads them: blanks
** around, a sign, '_' between digits); -1 when absent (NULL), not an
** integer or negative. */
double retry_after_parse(const char *z);

/* ---- the retry quota (standard, adaptive) -------------------------------- */

#define RETRY_QUOTA 500
#define RETRY_COST 14
#define RETRY_COST_THROTTLING 5

typedef struct retry_quota {
  int available;
} retry_quota;

void retry_quota_init(retry_quota *q);

/* Take what a retry of class cls costs: the cost, or 0 when there is not
** enough left (no retry). */
int retry_quota_acquire(retry_quota *q, int cls);

/* A request succeeded (2xx); lastCost: what its last retry took, 0 when
** it was not retried (then 1 comes back). */
void retry_quota_release(retry_quota *q, int lastCost);

/* ---- the adaptive mode's client-side rate limiter ---------------------- */

/* Times in seconds on one monotonic clock. */
typedef struct retry_rate {
  int enabled;          /* after the first throttling answer */
  /* CUBIC (throttling.py) */
  double w_max, k, last_fail;
  /* the token bucket (bucket.py) */
  double fill_rate, max_capacity, capacity, last_refill;
  int refilled;         /* last_refill is set */
  /* the measured send rate (adaptive.py RateClocker) */
  double measured, last_bucket;
  int count;
} retry_rate;

void retry_rate_init(retry_rate *r, double now);

/* Before an attempt: 0 when it may go now (a token is taken), else the
** seconds to wait before asking again. */
double retry_rate_acquire(retry_rate *r, double now);

/* After an attempt, whatever its outcome: was it throttled? */
void retry_rate_update(retry_rate *r, double now, int throttled);

/* ---- unprocessed items and keys ------------------------------------------ */

/* BatchGetItem and BatchWriteItem may leave part of a request unprocessed:
** it goes again after retry_unprocessed_ms(n, rnd) before round n (1, 2,
** ...): full jitter on min(20 s, 500 ms * 2^(n-1)), for at most
** RETRY_UNPROCESSED_ROUNDS rounds in a row. */
#define RETRY_UNPROCESSED_ROUNDS 12
long retry_unprocessed_ms(int round, unsigned rnd);

/* After `rounds` answers in a row that left something unprocessed, and
** msWaited of backoff between them: is it time to give up (the round cap,
** or more backoff than the client's retry time, msBound)? */
int retry_unprocessed_give_up(int rounds, sqlite3_int64 msWaited, sqlite3_int64 msBound);

#endif
