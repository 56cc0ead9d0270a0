/*
** retry.c: the retry policy (see retry.h), pure. Each piece follows the
** botocore code named beside it; tests/e2e/test_175_retries.py feeds the
** same inputs to botocore and to this file (through test_retry --oracle)
** and compares what comes out.
*/
#include "retry.h"

#include <math.h>
#include <string.h>

#define LEGACY_ATTEMPTS 10      /* data/_retry.json, dynamodb */
#define LEGACY_BASE_MS 50.0     /* its delay: base 0.05 s, growth factor 2 */
#define STANDARD_ATTEMPTS 4     /* retries/standard.py _SERVICE_MAX_ATTEMPTS */
#define THROTTLING_BASE_MS 1000.0 /* throttling_base_scale */
#define TRANSIENT_BASE_MS 25.0  /* dynamodb's non_throttling_base_scale */
#define MAX_BACKOFF_MS 20000.0  /* _MAX_BACKOFF */
#define RETRY_AFTER_EXTRA_MS 5000.0 /* _RETRY_AFTER_MAX_ADDITIONAL */
#define UNPROCESSED_BASE_MS 500
#define UNPROCESSED_CAP_MS 20000

int retry_mode_parse(const char *z, retry_mode *pMode) {
  static const struct {
    const char *zName;
    retry_mode m;
  } a[] = {{"legacy", RETRY_LEGACY}, {"standard", RETRY_STANDARD}, {"adaptive", RETRY_ADAPTIVE}};
  unsigned i;
  for (i = 0; z && i < sizeof(a) / sizeof(a[0]); i++) {
    if (strcmp(z, a[i].zName) == 0) {
      *pMode = a[i].m;
      return SQLITE_OK;
    }
  }
  return SQLITE_ERROR;
}

const char *retry_mode_name(retry_mode m) {
  switch (m) {
    case RETRY_LEGACY:
      return "legacy";
    case RETRY_STANDARD:
      return "standard";
    case RETRY_ADAPTIVE:
      return "adaptive";
  }
  return "?";
}

int retry_default_attempts(retry_mode m) {
  return m == RETRY_LEGACY ? LEGACY_ATTEMPTS : STANDARD_ATTEMPTS;
}

static int in_list(const char *z, const char *const *az, int n) {
  int i;
  for (i = 0; z && i < n; i++) {
    if (strcmp(z, az[i]) == 0) return 1;
  }
  return 0;
}
#define IN_LIST(z, a) in_list((z), (a), (int)(sizeof(a) / sizeof((a)[0])))

/* standard.py ThrottledRetryableChecker._THROTTLED_ERROR_CODES */
static const char *const azThrottling[] = {
    "Throttling",          "ThrottlingException",
    "ThrottledException",  "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException",
    "TransactionInProgressException", "RequestLimitExceeded",
    "BandwidthLimitExceeded", "LimitExceededException",
    "RequestThrottled",    "SlowDown",
    "PriorRequestNotComplete", "EC2ThrottledException"};

int retry_is_throttling(const char *zCode) {
  return IN_LIST(zCode, azThrottling);
}

/* standard mode: TransientRetryableChecker, ThrottledRetryableChecker,
** ModeledRetryableChecker (DynamoDB's model marks one error retryable) and
** special.RetryDDBChecksumError. */
static int classify_standard(const retry_failure *f) {
  static const char *const azTransient[] = {"RequestTimeout", "RequestTimeoutException",
                                            "PriorRequestNotComplete"};
  /* the operations whose model has ReplicatedWriteConflictException
  ** (retryable, not throttling) among their errors */
  static const char *const azModeledOps[] = {"BatchWriteItem", "DeleteItem", "PutItem",
                                             "UpdateItem"};
  if (retry_is_throttling(f->zCode)) return RETRY_THROTTLING;
  if (IN_LIST(f->zCode, azTransient)) return RETRY_TRANSIENT;
  if (f->zCode && strcmp(f->zCode, "ReplicatedWriteConflictException") == 0 &&
      IN_LIST(f->zOp, azModeledOps)) {
    return RETRY_TRANSIENT;
  }
  if (f->status == 500 || f->status == 502 || f->status == 503 || f->status == 504) {
    return RETRY_TRANSIENT;
  }
  if (f->transport || f->checksum || f->invalid) return RETRY_TRANSIENT;
  return RETRY_NO;
}

/* legacy mode: the policies of data/_retry.json for dynamodb (its own and
** __default__'s), each a status and, for some, an error code. */
static int legacy_retries(const retry_failure *f) {
  static const char *const azThrottled400[] = {
      "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
      "ProvisionedThroughputExceededException", "TransactionInProgressException"};
  if (f->status == 400 && IN_LIST(f->zCode, azThrottled400)) return 1;
  if (f->status == 409 && f->zCode && strcmp(f->zCode, "ReplicatedWriteConflictException") == 0) {
    return 1; /* write_conflict */
  }
  if (f->status == 429) return 1; /* too_many_requests */
  if (f->status == 500 || f->status == 502 || f->status == 503 || f->status == 504 ||
      f->status == 509) {
    return 1;
  }
  return f->transport || f->checksum || f->invalid;
}

int retry_classify(retry_mode m, const retry_failure *f) {
  if (m != RETRY_LEGACY) return classify_standard(f);
  /* which class a retried error is in: the same throttling codes as
  ** standard mode (only adaptive's rate limiter looks at it in legacy) */
  if (!legacy_retries(f)) return RETRY_NO;
  return retry_is_throttling(f->zCode) ? RETRY_THROTTLING : RETRY_TRANSIENT;
}

double retry_delay_ms(retry_mode m, int attempt, int cls, unsigned rnd, double retryAfterMs) {
  double base, t;
  assert(attempt >= 1);
  if (m == RETRY_LEGACY) { /* retryhandler.delay_exponential: no jitter */
    return ldexp(LEGACY_BASE_MS, attempt - 1 < 1000 ? attempt - 1 : 1000);
  }
  /* standard.ExponentialBackoff: rand * min(scale * 2^(n-1), MAX_BACKOFF) */
  base = ldexp(cls == RETRY_THROTTLING ? THROTTLING_BASE_MS : TRANSIENT_BASE_MS,
               attempt - 1 < 64 ? attempt - 1 : 64);
  t = ldexp((double)rnd, -32) * (base < MAX_BACKOFF_MS ? base : MAX_BACKOFF_MS);
  if (retryAfterMs >= 0) { /* honoured, between t and t + 5 s */
    double hi = retryAfterMs < t + RETRY_AFTER_EXTRA_MS ? retryAfterMs : t + RETRY_AFTER_EXTRA_MS;
    return hi > t ? hi : t;
  }
  return t;
}

double retry_after_parse(const char *z) {
  double v = 0;
  int neg = 0, digits = 0;
  if (!z) return -1;
  while (*z == ' ' || (*z >= '\t' && *z <= '\r')) z++;
  if (*z == '+' || *z == '-') neg = *z++ == '-';
  for (; *z; z++) {
    if (*z >= '0' && *z <= '9') {
      v = v * 10 + (*z - '0');
      digits++;
    } else if (*z == '_' && digits && z[1] >= '0' && z[1] <= '9') {
      /* Python's int() takes one '_' between digits */
    } else {
      break;
    }
  }
  while (*z == ' ' || (*z >= '\t' && *z <= '\r')) z++;
  if (!digits || *z || isinf(v)) return -1;
  if (neg && v > 0) return -1;
  return v;
}

/* ---- quota.py RetryQuota and standard.py RetryQuotaChecker ------------- */

void retry_quota_init(retry_quota *q) {
  q->available = RETRY_QUOTA;
}

int retry_quota_acquire(retry_quota *q, int cls) {
  int cost = cls == RETRY_THROTTLING ? RETRY_COST_THROTTLING : RETRY_COST;
  assert(cls == RETRY_TRANSIENT || cls == RETRY_THROTTLING);
  if (cost > q->available) return 0;
  q->available -= cost;
  return cost;
}

void retry_quota_release(retry_quota *q, int lastCost) {
  q->available += lastCost > 0 ? lastCost : 1;
  if (q->available > RETRY_QUOTA) q->available = RETRY_QUOTA;
}

/* ---- adaptive.py ClientRateLimiter ------------------------------------- */

#define CUBIC_SCALE 0.4 /* throttling.py CubicCalculator */
#define CUBIC_BETA 0.7
#define BUCKET_MIN_RATE 0.5 /* bucket.py TokenBucket._MIN_RATE */
#define SMOOTHING 0.8       /* RateClocker */
#define BUCKETS_PER_SECOND 2.0
#define MAX_RATE_ADJUST_SCALE 2.0

static void bucket_refill(retry_rate *r, double now) {
  double cap;
  if (!r->refilled) {
    r->refilled = 1;
    r->last_refill = now;
    return;
  }
  cap = r->capacity + (now - r->last_refill) * r->fill_rate;
  r->capacity = cap < r->max_capacity ? cap : r->max_capacity;
  r->last_refill = now;
}

static void bucket_set_rate(retry_rate *r, double now, double rate) {
  bucket_refill(r, now);
  r->fill_rate = rate > BUCKET_MIN_RATE ? rate : BUCKET_MIN_RATE;
  r->max_capacity = rate >= 1 ? rate : 1;
  if (r->capacity > r->max_capacity) r->capacity = r->max_capacity;
}

void retry_rate_init(retry_rate *r, double now) {
  memset(r, 0, sizeof(*r));
  r->last_fail = now; /* CUBIC from w_max 0 */
  r->last_bucket = floor(now);
  bucket_set_rate(r, now, 1);
}

double retry_rate_acquire(retry_rate *r, double now) {
  if (!r->enabled) return 0;
  bucket_refill(r, now);
  if (r->capacity >= 1) {
    r->capacity -= 1;
    return 0;
  }
  return (1 - r->capacity) / r->fill_rate;
}

/* RateClocker.record: requests per second, smoothed per half second. */
static double measure(retry_rate *r, double now) {
  double bucket = floor(now * BUCKETS_PER_SECOND) / BUCKETS_PER_SECOND;
  r->count++;
  if (bucket > r->last_bucket) {
    double current = r->count / (bucket - r->last_bucket);
    r->measured = current * SMOOTHING + r->measured * (1 - SMOOTHING);
    r->count = 0;
    r->last_bucket = bucket;
  }
  return r->measured;
}

void retry_rate_update(retry_rate *r, double now, int throttled) {
  double measured = measure(r, now), rate;
  if (!throttled) { /* CubicCalculator.success_received */
    rate = CUBIC_SCALE * pow(now - r->last_fail - r->k, 3.0) + r->w_max;
  } else { /* error_received */
    double use = r->enabled && r->fill_rate < measured ? r->fill_rate : measured;
    r->w_max = use;
    r->k = pow(r->w_max * (1 - CUBIC_BETA) / CUBIC_SCALE, 1.0 / 3.0);
    r->last_fail = now;
    rate = use * CUBIC_BETA;
    r->enabled = 1;
  }
  if (rate > MAX_RATE_ADJUST_SCALE * measured) rate = MAX_RATE_ADJUST_SCALE * measured;
  bucket_set_rate(r, now, rate);
}

/* ---- unprocessed items and keys ------------------------------------------ */

long retry_unprocessed_ms(int round, unsigned rnd) {
  long ceiling = UNPROCESSED_BASE_MS;
  int i;
  assert(round >= 1);
  for (i = 1; i < round && ceiling < UNPROCESSED_CAP_MS; i++) ceiling *= 2;
  if (ceiling > UNPROCESSED_CAP_MS) ceiling = UNPROCESSED_CAP_MS;
  return (long)(((unsigned long long)rnd * (unsigned long long)ceiling) >> 32);
}

int retry_unprocessed_give_up(int rounds, sqlite3_int64 msWaited, sqlite3_int64 msBound) {
  assert(rounds >= 1);
  return rounds >= RETRY_UNPROCESSED_ROUNDS || msWaited > msBound;
}
