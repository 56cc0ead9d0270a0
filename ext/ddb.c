/*
** ddb.c: DynamoDB operations over HTTP (see ddb.h).
**
** Retry policy, modelled on the AWS SDKs' behaviour for DynamoDB:
**   - retried: transport errors that can pass (refused, reset, timeout),
**     HTTP 5xx, throttling (ProvisionedThroughputExceededException,
**     ThrottlingException, RequestLimitExceeded, ...) and a 200 whose body
**     is not a JSON object (a truncated transfer);
**   - attempts: 10 in all (AWS_MAX_ATTEMPTS overrides);
**   - wait before retry n (1, 2, ...): a uniform random time in
**     [0, min(cap, base*2^(n-1))),
**     base 50 ms (throttling: 500 ms), cap 20 s ("full jitter").
**
** Each attempt is signed with the credentials the client's provider
** (creds.c) holds then, refreshed first when due; an attempt answered
** ExpiredTokenException (or ExpiredToken) renews them and is sent again,
** once per request.
**
** DYNAMO_TRACE=1 in the environment prints every request (operation and
** JSON body, never a credential) to stderr, which makes the plan visible.
*/
#include "ddb.h"
#include "credparse.h"
#include "creds.h"
#include "http.h"
#include "sigv4.h"
#include "url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DDB_TARGET_PREFIX "DynamoDB_20120810."
#define DDB_CONTENT_TYPE "application/x-amz-json-1.0"
#define DDB_DEFAULT_ATTEMPTS 10
#define DDB_DEFAULT_RETRY_MS 120000
/* ddb_progress() pumps at most this often: a transfer in flight keeps
** moving, without a curl_multi_perform every few rows. */
#define PROGRESS_US 1000

/* A token bucket of capacity units: refilled at rate per second, up to one
** second's worth; a request may start while it is not negative, and what
** the server reports consumed is taken out afterwards. */
typedef struct bucket {
  double rate;
  double tokens;
  sqlite3_int64 last;  /* ms, of the last refill */
} bucket;

struct ddb_client {
  cfg_resolved cfg;
  creds_provider *creds;
  http_conn *http;
  char *zHost;       /* Host header value */
  char *zPath;       /* request path, "/" */
  int max_attempts;
  long retry_ms;     /* retries stop this long after a first attempt */
  ddb_job *pActive;  /* started jobs not yet waited for */
  ddb_usage_fn on_usage;
  void *usage_ctx;
  bucket rd, wr;     /* max_read_units / max_write_units */
  cJSON *spare;      /* a parsed page done with (see ddb_recycle) */
  sigv4_cache keys;  /* signing key and OpenSSL objects kept between requests */
  sqlite3_int64 lastProgress; /* now_us() of the last ddb_progress pump */
};

static sqlite3_int64 now_us(void);

static const char *env_get(const char *zName) {
  return getenv(zName);
}

int ddb_is_remote_http(const char *zUrl) {
  return url_is_remote_http(zUrl); /* the host as libcurl reads it */
}

/* STS and IAM Identity Center answer with credentials: plain http:// only
** to loopback, as for the endpoint (allow_http=1 lifts both). */
static int credential_endpoints(ddb_client *c, const ddb_settings *set, char **pzErr) {
  const cfg_source *s;
  for (s = c->cfg.creds; s && !set->allow_http; s = s->source) {
    const char *z = s->oidc_url && ddb_is_remote_http(s->oidc_url) ? s->oidc_url : s->url;
    int remote = (s->kind == CFG_ASSUME_ROLE || s->kind == CFG_WEB_IDENTITY || s->kind == CFG_SSO) &&
                 ddb_is_remote_http(z);
    if (!remote) continue;
    *pzErr = sqlite3_mprintf("dynamo: %s: refusing plain HTTP to %s: credentials would cross the "
                             "network unencrypted; use https://, or allow_http=1",
                             s->where, z);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

int ddb_open(const cfg_options *opt, const ddb_settings *set, ddb_client **pp, char **pzErr) {
  ddb_client *c = sqlite3_malloc(sizeof(*c));
  creds_settings cset;
  const char *zAttempts, *zCa;
  int rc;
  *pp = 0;
  if (!c) return SQLITE_NOMEM;
  memset(c, 0, sizeof(*c));
  rc = cfg_resolve(opt, env_get, &c->cfg, pzErr);
  if (rc != SQLITE_OK) goto fail;
  rc = http_url_parts(c->cfg.endpoint, &c->zHost, &c->zPath);
  if (rc == SQLITE_ERROR) {
    *pzErr = sqlite3_mprintf("dynamo: invalid endpoint URL: %s", c->cfg.endpoint);
    goto fail;
  }
  if (rc != SQLITE_OK) goto fail;
  if (!set->allow_http && ddb_is_remote_http(c->cfg.endpoint)) {
    *pzErr = sqlite3_mprintf("dynamo: refusing plain HTTP to %s: signed requests and items would "
                             "cross the network unencrypted; use https://, or allow_http=1",
                             c->cfg.endpoint);
    rc = SQLITE_ERROR;
    goto fail;
  }
  if ((rc = http_open(&c->http)) != SQLITE_OK) {
    *pzErr = sqlite3_mprintf("dynamo: cannot initialise libcurl");
    goto fail;
  }
  http_set_timeouts(c->http, (long)set->connect_ms, (long)set->request_ms);
  zCa = set->ca_bundle ? set->ca_bundle : getenv("AWS_CA_BUNDLE");
  if (zCa && *zCa && (rc = http_set_ca_bundle(c->http, zCa)) != SQLITE_OK) goto fail;
  c->max_attempts = (int)set->max_attempts;
  if (c->max_attempts <= 0) {
    c->max_attempts = DDB_DEFAULT_ATTEMPTS;
    if ((zAttempts = getenv("AWS_MAX_ATTEMPTS")) && atoi(zAttempts) > 0) {
      c->max_attempts = atoi(zAttempts);
    }
  }
  c->retry_ms = set->retry_ms > 0 ? (long)set->retry_ms : DDB_DEFAULT_RETRY_MS;
  c->on_usage = set->on_usage;
  c->usage_ctx = set->usage_ctx;
  c->rd.rate = c->rd.tokens = (double)set->max_read_units;
  c->wr.rate = c->wr.tokens = (double)set->max_write_units;
  c->rd.last = c->wr.last = ddb_clock_ms();
  if ((rc = credential_endpoints(c, set, pzErr)) != SQLITE_OK) goto fail;
  cset.timeout_ms = (long)set->request_ms;
  cset.ca_bundle = zCa && *zCa ? zCa : 0;
  cset.owner = set->usage_ctx;
  if ((rc = creds_open(c->cfg.creds, &cset, &c->creds, pzErr)) != SQLITE_OK) goto fail;
  *pp = c;
  return SQLITE_OK;
fail:
  ddb_close(c);
  return rc;
}

void ddb_close(ddb_client *c) {
  if (!c) return;
  while (c->pActive) ddb_abandon(c, c->pActive);
  http_close(c->http);
  creds_close(c->creds);
  cfg_resolved_free(&c->cfg);
  sqlite3_free(c->zHost);
  sqlite3_free(c->zPath);
  cJSON_Delete(c->spare);
  sigv4_cache_clear(&c->keys);
  sqlite3_free(c);
}

const cfg_resolved *ddb_config(const ddb_client *c) {
  return &c->cfg;
}

long ddb_retry_ms(const ddb_client *c) {
  return c->retry_ms;
}

int ddb_op_kind(const char *zOp) {
  static const char *const azRead[] = {"GetItem", "Query", "Scan", "BatchGetItem",
                                       "TransactGetItems"};
  static const char *const azWrite[] = {"PutItem", "UpdateItem", "DeleteItem",
                                        "BatchWriteItem", "TransactWriteItems"};
  unsigned i;
  for (i = 0; i < sizeof(azRead) / sizeof(azRead[0]); i++) {
    if (strcmp(zOp, azRead[i]) == 0) return 'r';
  }
  for (i = 0; i < sizeof(azWrite) / sizeof(azWrite[0]); i++) {
    if (strcmp(zOp, azWrite[i]) == 0) return 'w';
  }
  return 0;
}

double ddb_consumed(const cJSON *resp) {
  const cJSON *cc = cJSON_GetObjectItemCaseSensitive(resp, "ConsumedCapacity"), *e;
  double total = 0;
  if (cJSON_IsObject(cc)) {
    e = cJSON_GetObjectItemCaseSensitive(cc, "CapacityUnits");
    return cJSON_IsNumber(e) ? e->valuedouble : 0;
  }
  cJSON_ArrayForEach(e, cc) { /* Batch and Transact: one per table */
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(e, "CapacityUnits");
    if (cJSON_IsNumber(u)) total += u->valuedouble;
  }
  return total;
}

static bucket *bucket_of(ddb_client *c, const char *zOp) {
  int k = ddb_op_kind(zOp);
  bucket *b = k == 'r' ? &c->rd : k == 'w' ? &c->wr : 0;
  return b && b->rate > 0 ? b : 0;
}

static void bucket_refill(bucket *b, sqlite3_int64 now) {
  b->tokens += (double)(now - b->last) * b->rate / 1000.0;
  if (b->tokens > b->rate) b->tokens = b->rate;
  b->last = now;
}

/* Does a JSON text hold the escape \u0000? Every backslash in JSON starts
** an escape of two or more characters, so stepping over each pair keeps an
** escaped backslash followed by "u0000" from counting. */
static int has_nul_escape(const char *z, size_t n) {
  const char *p = z, *end = z + n;
  while (p < end && (p = memchr(p, '\\', (size_t)(end - p))) != 0) {
    if (end - p >= 6 && memcmp(p + 1, "u0000", 5) == 0) return 1;
    p += 2;
  }
  return 0;
}

/* Report what one attempt cost. */
static void report_usage(ddb_client *c, ddb_job *j, const http_response *resp, const cJSON *json) {
  ddb_usage u;
  const cJSON *n;
  bucket *b = bucket_of(c, j->zOp);
  memset(&u, 0, sizeof(u));
  u.requests = 1;
  u.retries = j->attempts > 1;
  u.bytes = (sqlite3_int64)resp->nbody;
  u.waited_ms = j->waitedMs;
  j->waitedMs = 0;
  if (json) {
    u.capacity = ddb_consumed(json);
    if (b) b->tokens -= u.capacity;
    if (cJSON_IsNumber(n = cJSON_GetObjectItemCaseSensitive(json, "Count"))) {
      u.items = (sqlite3_int64)n->valuedouble;
    } else if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(json, "Item"))) {
      u.items = 1;
    } else if (cJSON_IsObject(n = cJSON_GetObjectItemCaseSensitive(json, "Responses"))) {
      const cJSON *t; /* BatchGetItem: the items of every table */
      cJSON_ArrayForEach(t, n) u.items += cJSON_GetArraySize(t);
    }
    if (cJSON_IsNumber(n = cJSON_GetObjectItemCaseSensitive(json, "ScannedCount"))) {
      u.scanned = (sqlite3_int64)n->valuedouble;
    } else {
      u.scanned = u.items;
    }
  }
  if (c->on_usage) c->on_usage(c->usage_ctx, j->zTable, j->zOp, &u);
}

int ddb_is_throttling(const char *zType) {
  static const char *const azThrottle[] = {
      "ProvisionedThroughputExceededException", "ThrottlingException",
      "ThrottledException", "RequestLimitExceeded", "TooManyRequestsException",
      "SlowDown", "RequestThrottled", "RequestThrottledException"};
  unsigned i;
  for (i = 0; i < sizeof(azThrottle) / sizeof(azThrottle[0]); i++) {
    if (strcmp(zType, azThrottle[i]) == 0) return 1;
  }
  return 0;
}

int ddb_is_retryable(long status, const char *zType) {
  if (status >= 500) return 1;
  if (ddb_is_throttling(zType)) return 1;
  return strcmp(zType, "TransactionInProgressException") == 0;
}

long ddb_backoff_ms(int attempt, int throttled, unsigned rnd) {
  long base = throttled ? 500 : 50, cap = 20000, ceiling = base;
  int i;
  for (i = 1; i < attempt && ceiling < cap; i++) ceiling *= 2;
  if (ceiling > cap) ceiling = cap;
  return (long)(((unsigned long long)rnd * (unsigned long long)ceiling) >> 32);
}

int ddb_parse_error(const char *body, size_t n, long status, char **pzType, char **pzMsg) {
  cJSON *j = cJSON_ParseWithLength(body, n);
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "__type");
  const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
  const char *zType;
  if (!cJSON_IsString(m)) m = cJSON_GetObjectItemCaseSensitive(j, "Message");
  if (cJSON_IsString(t)) {
    zType = strrchr(t->valuestring, '#');
    zType = zType ? zType + 1 : t->valuestring;
    *pzType = sqlite3_mprintf("%s", zType);
  } else {
    *pzType = sqlite3_mprintf("HTTP %ld", status);
  }
  if (cJSON_IsString(m)) *pzMsg = sqlite3_mprintf("%s", m->valuestring);
  else if (j) *pzMsg = sqlite3_mprintf("(no message)");
  else *pzMsg = cp_excerpt(body, n, 120);
  cJSON_Delete(j);
  if (*pzType && *pzMsg) return SQLITE_OK;
  sqlite3_free(*pzType);
  sqlite3_free(*pzMsg);
  *pzType = *pzMsg = 0;
  return SQLITE_NOMEM;
}

static void sleep_ms(long ms) {
  struct timespec ts;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (ms % 1000) * 1000000L;
  while (nanosleep(&ts, &ts) != 0) {
  }
}

static sqlite3_int64 now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (sqlite3_int64)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

sqlite3_int64 ddb_clock_ms(void) {
  return now_us() / 1000;
}

long ddb_unprocessed_delay_ms(int round) {
  unsigned rnd;
  assert(round >= 1);
  sqlite3_randomness(sizeof(rnd), &rnd);
  return ddb_backoff_ms(round, 1, rnd);
}

enum { JOB_WAITING = 0, JOB_RUNNING, JOB_DONE };

/* Sign and start one attempt of a job. */
static int begin_attempt(ddb_client *c, ddb_job *j) {
  http_req *r = j->priv;
  char zTarget[64];
  sigv4_header sh[3];
  http_header hh[7];
  sigv4_input in;
  sigv4_output out;
  const creds_keys *k;
  int rc, n;
  if ((rc = creds_get(c->creds, &k, &j->zErr)) != SQLITE_OK) return rc;
  creds_label(c->creds, j->zTable);
  j->credGen = k->gen;
  sqlite3_snprintf(sizeof(zTarget), zTarget, DDB_TARGET_PREFIX "%s", j->zOp);
  sh[0] = (sigv4_header){"Content-Type", DDB_CONTENT_TYPE};
  sh[1] = (sigv4_header){"Host", c->zHost};
  sh[2] = (sigv4_header){"X-Amz-Target", zTarget};
  memset(&in, 0, sizeof(in));
  in.method = "POST";
  in.path = c->zPath;
  in.query = "";
  in.headers = sh;
  in.nheader = 3;
  in.body = j->body;
  in.nbody = strlen(j->body);
  in.access_key_id = k->access_key_id;
  in.secret_access_key = k->secret_access_key;
  in.session_token = k->session_token;
  in.region = c->cfg.region;
  in.service = "dynamodb";
  in.now = time(0);
  in.cache = &c->keys;
  if ((rc = sigv4_sign(&in, &out)) != SQLITE_OK) {
    creds_release(c->creds, k);
    return rc;
  }
  if (j->attempts == 0) j->firstAt = ddb_clock_ms();
  for (n = 0; n < 3; n++) hh[n] = (http_header){sh[n].name, sh[n].value};
  hh[n++] = (http_header){"X-Amz-Date", out.amz_date};
  if (k->session_token && k->session_token[0]) {
    hh[n++] = (http_header){"X-Amz-Security-Token", k->session_token};
  }
  hh[n++] = (http_header){"Authorization", out.authorization};
  rc = http_begin(c->http, r, c->cfg.endpoint, hh, n, j->body, in.nbody);
  sigv4_output_free(&out);
  creds_release(c->creds, k);
  if (rc == SQLITE_OK) {
    j->attempts++;
    j->state = JOB_RUNNING;
  }
  return rc;
}

static void job_fail(ddb_client *c, ddb_job *j, const char *zTable, const char *zType,
                     const char *zMsg) {
  const char *zTries = "";
  char buf[40];
  if (j->attempts > 1) {
    sqlite3_snprintf(sizeof(buf), buf, " (after %d attempts)", j->attempts);
    zTries = buf;
  }
  sqlite3_snprintf(sizeof(j->zType), j->zType, "%s", zType ? zType : "");
  if (zType) {
    j->zErr = sqlite3_mprintf("dynamo: %s on %s failed: %s: %s%s", j->zOp, zTable, zType, zMsg,
                              zTries);
  } else {
    j->zErr = sqlite3_mprintf("dynamo: %s on %s failed: %s%s", j->zOp, zTable, zMsg, zTries);
  }
  creds_redact(c->creds, j->zErr); /* a server could echo what it was sent */
  j->rc = j->zErr ? SQLITE_ERROR : SQLITE_NOMEM;
  j->state = JOB_DONE;
}

/* A refused connection to a loopback endpoint is a local server that is not
** running: waiting will not bring it up, so one quick retry, then the error
** with a hint. Other endpoints keep the whole retry policy. */
#define LOOPBACK_REFUSED_ATTEMPTS 2
static int refused_on_loopback(const ddb_client *c, int curl_code) {
  return http_is_refused(curl_code) && sqlite3_strnicmp(c->cfg.endpoint, "http://", 7) == 0 &&
         !ddb_is_remote_http(c->cfg.endpoint);
}

/* A finished attempt: success, a retry later, or a final error. */
static int end_attempt(ddb_client *c, ddb_job *j, const char *zTable) {
  http_req *r = j->priv;
  http_response *resp = &r->resp;
  char *zType = 0, *zMsg = 0;
  int retry = 0, throttled = 0, rc = SQLITE_OK;
  if (resp->curl_code != 0 && refused_on_loopback(c, resp->curl_code)) {
    retry = j->attempts < LOOPBACK_REFUSED_ATTEMPTS;
    zMsg = sqlite3_mprintf("%s (%s): is the local server running?", resp->error,
                           c->cfg.endpoint);
  } else if (resp->curl_code != 0) {
    retry = http_is_retryable(resp->curl_code);
    zMsg = sqlite3_mprintf("%s (%s)", resp->error, c->cfg.endpoint);
  } else if (resp->status == 200 && has_nul_escape(resp->body, resp->nbody)) {
    /* cJSON would cut the string at it: refuse rather than mangle */
    zType = sqlite3_mprintf("UnsupportedResponse");
    zMsg = sqlite3_mprintf("a string in the response holds a NUL character (\\u0000), which "
                           "this extension cannot represent");
  } else if (resp->status == 200) {
    /* the whole body must be the object: nothing after it */
    cJSON *json = 0;
    cJSON_Delete(c->spare);
    c->spare = 0;
    rc = j->split ? page_split(resp->body, resp->nbody, &json, &j->items) : SQLITE_NOTFOUND;
    if (rc == SQLITE_OK) { /* the items' text stays in the body: keep it */
      j->zPage = resp->body;
      resp->body = 0;
    } else if (rc == SQLITE_NOTFOUND) {
      json = cJSON_ParseWithLengthOpts(resp->body, resp->nbody + 1, 0, 1);
      rc = SQLITE_OK;
    } else {
      goto done;
    }
    if (cJSON_IsObject(json)) {
      report_usage(c, j, resp, json);
      j->resp = json;
      j->rc = SQLITE_OK;
      j->state = JOB_DONE;
      goto done;
    }
    cJSON_Delete(json);
    retry = 1;
    zType = sqlite3_mprintf("InvalidResponse");
    zMsg = sqlite3_mprintf("the response is not a JSON object");
  } else {
    if ((rc = ddb_parse_error(resp->body, resp->nbody, resp->status, &zType, &zMsg))) goto done;
    if (!j->renewed && (!strcmp(zType, "ExpiredTokenException") || !strcmp(zType, "ExpiredToken"))) {
      char *zErr = 0; /* renew the credentials once and send it again at once */
      j->renewed = 1;
      if ((rc = creds_renew(c->creds, j->credGen, &zErr)) == SQLITE_OK) {
        report_usage(c, j, resp, 0);
        j->state = JOB_WAITING;
        j->readyAt = 0;
        goto done;
      }
      if (rc != SQLITE_ERROR) goto done;
      job_fail(c, j, zTable, zType, zErr + (strncmp(zErr, "dynamo: ", 8) ? 0 : 8));
      sqlite3_free(zErr);
      rc = SQLITE_OK;
      goto done;
    }
    retry = ddb_is_retryable(resp->status, zType);
    throttled = ddb_is_throttling(zType);
    if (!retry) {
      cJSON_Delete(j->errBody);
      j->errBody = cJSON_ParseWithLength(resp->body, resp->nbody);
    }
  }
  if (!zMsg || (resp->curl_code == 0 && resp->status == 200 && !zType)) {
    rc = SQLITE_NOMEM;
    goto done;
  }
  report_usage(c, j, resp, 0);
  if (retry && j->attempts < c->max_attempts) {
    unsigned rnd;
    sqlite3_int64 now = ddb_clock_ms(), at;
    sqlite3_randomness(sizeof(rnd), &rnd);
    at = now + ddb_backoff_ms(j->attempts, throttled, rnd);
    if (at - j->firstAt > c->retry_ms) {
      char *z = sqlite3_mprintf("%s; retries stopped after %lld ms", zMsg,
                                (long long)(now - j->firstAt));
      if (!z) {
        rc = SQLITE_NOMEM;
        goto done;
      }
      sqlite3_free(zMsg);
      zMsg = z;
      job_fail(c, j, zTable, zType, zMsg);
      goto done;
    }
    j->state = JOB_WAITING;
    j->readyAt = at;
  } else {
    job_fail(c, j, zTable, zType, zMsg);
  }
done:
  http_end(c->http, r);
  sqlite3_free(zType);
  sqlite3_free(zMsg);
  return rc;
}

void ddb_job_clear(ddb_job *j) {
  assert(!j->active); /* a started job is waited for or abandoned first */
  cJSON_Delete(j->resp);
  sqlite3_free(j->zPage);
  cJSON_Delete(j->errBody);
  sqlite3_free(j->zErr);
  if (j->body) cJSON_free(j->body);
  sqlite3_free(j->priv);
  j->resp = j->errBody = 0;
  j->zPage = 0;
  j->zErr = 0;
  j->body = 0;
  j->priv = 0;
}

static int pump(ddb_client *c, sqlite3_int64 maxWait);

/* The request as sent: the JSON of j->req, and for operations on items a
** request for the capacity they consume (for dynamo_stats and the rate
** limits), unless the request asks for it itself. Whether it does is a
** question for the tree: the printed JSON holds the items' attribute names
** too, which may be anything. */
static char *request_body(const ddb_job *j) {
  char *z = cJSON_PrintUnformatted(j->req), *zOut;
  size_t n;
  if (!z || !ddb_op_kind(j->zOp) ||
      cJSON_GetObjectItemCaseSensitive(j->req, "ReturnConsumedCapacity")) {
    return z;
  }
  n = strlen(z);
  if (n < 2 || z[n - 1] != '}') return z;
  z[n - 1] = 0;
  zOut = cJSON_malloc(n + 40);
  if (zOut) {
    snprintf(zOut, n + 40, "%s%s\"ReturnConsumedCapacity\":\"TOTAL\"}", z, n > 2 ? "," : "");
  }
  cJSON_free(z);
  return zOut;
}

int ddb_job_busy(const ddb_job *j) {
  return j->state == JOB_WAITING || j->state == JOB_RUNNING;
}

int ddb_start(ddb_client *c, const char *zTable, ddb_job *j) {
  assert(!j->active && j->zOp && j->req);
  j->rc = SQLITE_NOMEM;
  j->resp = j->errBody = 0;
  j->zPage = 0;
  j->zErr = 0;
  j->zType[0] = 0;
  j->attempts = 0;
  j->renewed = 0;
  j->readyAt = j->delayMs > 0 ? ddb_clock_ms() + j->delayMs : 0;
  j->zTable = zTable;
  j->state = JOB_DONE;
  if (!j->body) j->body = request_body(j);
  if (!j->priv) j->priv = sqlite3_malloc(sizeof(http_req));
  if (!j->body || !j->priv) return SQLITE_NOMEM;
  memset(j->priv, 0, sizeof(http_req));
  if (getenv("DYNAMO_TRACE")) fprintf(stderr, "dynamo: %s %s\n", j->zOp, j->body);
  j->state = JOB_WAITING;
  j->active = 1;
  j->pNextActive = 0;
  { /* at the end: jobs start in the order they were given */
    ddb_job **pp = &c->pActive;
    while (*pp) pp = &(*pp)->pNextActive;
    *pp = j;
  }
  return pump(c, 0); /* send it now, if a connection is free */
}

static void unlink_job(ddb_client *c, ddb_job *j) {
  ddb_job **pp;
  for (pp = &c->pActive; *pp; pp = &(*pp)->pNextActive) {
    if (*pp == j) {
      *pp = j->pNextActive;
      break;
    }
  }
  j->pNextActive = 0;
  j->active = 0;
}

/* Move every started job along: start attempts that are due, wait up to
** maxWait ms for a transfer to finish and deal with it. */
static int pump(ddb_client *c, sqlite3_int64 maxWait) {
  sqlite3_int64 now = ddb_clock_ms(), wait = maxWait;
  http_req *done = 0;
  ddb_job *j;
  int rc, nWaiting = 0;
  for (j = c->pActive; j; j = j->pNextActive) {
    bucket *b;
    if (j->state != JOB_WAITING) continue;
    if (j->readyAt <= now && (b = bucket_of(c, j->zOp)) != 0) {
      bucket_refill(b, now);
      if (b->tokens < 0) { /* over the rate: wait until it is paid back */
        sqlite3_int64 ms = (sqlite3_int64)(-b->tokens * 1000.0 / b->rate) + 1;
        j->readyAt = now + ms;
        j->waitedMs += (double)ms;
      }
    }
    if (j->readyAt > now || http_in_flight(c->http) >= HTTP_MAX_IN_FLIGHT) {
      if (j->readyAt > now && j->readyAt - now < wait) wait = j->readyAt - now;
      nWaiting++;
      continue;
    }
    if ((rc = begin_attempt(c, j)) != SQLITE_OK) {
      j->rc = rc;
      j->state = JOB_DONE;
      if (rc == SQLITE_NOMEM) return rc;
    }
  }
  if (http_in_flight(c->http) == 0) {
    if (nWaiting > 0 && wait > 0) sleep_ms((long)wait);
    return SQLITE_OK;
  }
  if ((rc = http_poll(c->http, (int)wait, &done)) != SQLITE_OK || !done) return rc;
  for (j = c->pActive; j; j = j->pNextActive) {
    if (j->priv == done) return end_attempt(c, j, j->zTable);
  }
  return SQLITE_OK;
}

int ddb_wait(ddb_client *c, ddb_job *j) {
  int rc = SQLITE_OK;
  while (rc == SQLITE_OK && ddb_job_busy(j)) rc = pump(c, 1000);
  if (rc != SQLITE_OK && ddb_job_busy(j)) ddb_abandon(c, j);
  unlink_job(c, j);
  return rc;
}

int ddb_wait_any(ddb_client *c, ddb_job **aJob, int nJob, int *piDone) {
  int rc = SQLITE_OK, i, nActive;
  *piDone = -1;
  while (rc == SQLITE_OK) {
    for (i = nActive = 0; i < nJob; i++) {
      if (!aJob[i]->active) continue;
      if (!ddb_job_busy(aJob[i])) { /* finished: hand it over */
        unlink_job(c, aJob[i]);
        *piDone = i;
        return SQLITE_OK;
      }
      nActive++;
    }
    if (nActive == 0) return SQLITE_OK; /* nothing started: nothing to wait for */
    rc = pump(c, 1000);
  }
  return rc;
}

/* The tree is freed right before the next response is parsed, rather than
** when the caller is done with it: the parse then reuses its nodes, which
** glibc keeps in its fast bins, instead of leaving them there until
** libcurl's next large malloc or free consolidates them all. That was
** about a tenth of a Scan's client CPU when pages were parsed whole; it now
** serves the answers that are (GetItem, BatchGetItem, pages page_split()
** cannot take), and a split page's small rest. */
void ddb_recycle(ddb_client *c, cJSON *tree) {
  if (!c) {
    cJSON_Delete(tree);
    return;
  }
  cJSON_Delete(c->spare);
  c->spare = tree;
}

int ddb_progress(ddb_client *c) {
  sqlite3_int64 now;
  if (!c || !c->pActive) return SQLITE_OK;
  now = now_us();
  if (now - c->lastProgress < PROGRESS_US) return SQLITE_OK;
  c->lastProgress = now;
  return pump(c, 0);
}

void ddb_abandon(ddb_client *c, ddb_job *j) {
  if (j->state == JOB_RUNNING && j->priv) http_end(c->http, j->priv);
  if (ddb_job_busy(j)) {
    j->state = JOB_DONE;
    j->rc = SQLITE_ABORT;
  }
  unlink_job(c, j);
}

int ddb_run(ddb_client *c, const char *zTable, ddb_job **aJob, int nJob) {
  int i, rc = SQLITE_OK;
  for (i = 0; i < nJob; i++) {
    int rc2 = ddb_start(c, zTable, aJob[i]);
    if (rc2 != SQLITE_OK) rc = rc2;
  }
  for (i = 0; i < nJob; i++) {
    int rc2 = ddb_wait(c, aJob[i]);
    if (rc2 != SQLITE_OK) rc = rc2;
  }
  return rc;
}

int ddb_call(ddb_client *c, const char *zOp, const char *zTable, const cJSON *req,
             cJSON **pResp, char **pzErr, char *zType) {
  ddb_job job, *pJob = &job;
  int rc;
  memset(&job, 0, sizeof(job));
  job.zOp = zOp;
  job.req = req;
  *pResp = 0;
  if (zType) zType[0] = 0;
  rc = ddb_run(c, zTable, &pJob, 1);
  if (rc == SQLITE_OK) rc = job.rc;
  if (rc == SQLITE_OK) {
    *pResp = job.resp;
    job.resp = 0;
  } else if (job.zErr) {
    if (zType) memcpy(zType, job.zType, DDB_TYPE_SIZE);
    *pzErr = job.zErr;
    job.zErr = 0;
  }
  ddb_job_clear(&job);
  return rc;
}
