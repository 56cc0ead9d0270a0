/*
** ddb.c: DynamoDB operations over HTTP (see ddb.h).
**
** The retry policy is retry.c's (the AWS SDKs': a mode, its error classes,
** attempts and delays, the retry quota, adaptive mode's rate limiter); this
** file applies it to each attempt's outcome. Beyond the SDKs: a body that
** does not match its x-amz-crc32 is retried and, after the last attempt,
** an error (never a page); a 200 whose body is not a JSON object (a cut
** transfer) is retried in every mode; retries stop retry_ms after the
** first attempt; every wait (a backoff, a rate-limit hold, a transfer in
** flight) looks at sqlite3_interrupt() every DDB_WAIT_SLICE_MS.
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
#include "creds.h"
#include "endpoint.h"
#include "http.h"
#include "sigv4.h"
#include "url.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DDB_TARGET_PREFIX "DynamoDB_20120810."
#define DDB_STREAMS_TARGET_PREFIX "DynamoDBStreams_20120810." /* cfg.streams */
#define DDB_CONTENT_TYPE "application/x-amz-json-1.0"
#define DDB_DEFAULT_RETRY_MS 120000
/* ddb_progress() pumps at most this often: a transfer in flight keeps
** moving, without a curl_multi_perform every few rows. */
#define PROGRESS_US 1000
/* A wait looks at sqlite3_interrupt() at most this often. */
#define INTERRUPT_LOOK_MS 10

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
  retry_mode mode;
  int max_attempts;
  const char *zModeFrom, *zAttemptsFrom; /* for ddb_describe */
  long retry_ms;     /* retries stop this long after a first attempt */
  retry_quota quota; /* standard and adaptive */
  retry_rate rate;   /* adaptive */
  sqlite3 *db;       /* whose sqlite3_interrupt() stops a wait */
  http_abort stop;   /* the same for a credential fetch (creds.h) */
  int stopped;       /* it did: nothing is sent until the next ddb_start */
  ddb_job *pCredsStopped; /* stopped while fetching credentials for it */
  sqlite3_int64 lastLook; /* ddb_clock_ms() of the last look at it */
  ddb_job *pActive;  /* started jobs not yet waited for */
  ddb_usage_fn on_usage;
  void (*on_wait)(void *ctx);
  void *usage_ctx;
  bucket rd, wr;     /* max_read_units / max_write_units */
  cJSON *spare;      /* a parsed page done with (see ddb_recycle) */
  sigv4_cache keys;  /* signing key and OpenSSL objects kept between requests */
  sqlite3_int64 lastProgress; /* now_us() of the last ddb_progress pump */
};

static sqlite3_int64 now_us(void);
static int interrupted(const ddb_client *c);

static int creds_stopped(void *ctx) {
  return interrupted(ctx);
}

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

/* The retry mode and attempts: the options, else the configuration (the
** environment, the profile), else the mode's own. */
static int retry_settings(ddb_client *c, const ddb_settings *set, char **pzErr) {
  c->mode = RETRY_DEFAULT_MODE;
  c->zModeFrom = "default";
  if (set->retry_mode) {
    if (retry_mode_parse(set->retry_mode, &c->mode) != SQLITE_OK) {
      *pzErr = sqlite3_mprintf("dynamo: retry_mode must be legacy, standard or adaptive, not '%s'",
                               set->retry_mode);
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    c->zModeFrom = "retry_mode option";
  } else if (c->cfg.retry_mode) {
    c->mode = (retry_mode)c->cfg.retry_mode;
    c->zModeFrom = c->cfg.retry_mode_source;
  }
  c->max_attempts = retry_default_attempts(c->mode);
  c->zAttemptsFrom = "the mode's default";
  if (set->max_attempts > 0) {
    c->max_attempts = (int)set->max_attempts;
    c->zAttemptsFrom = "max_attempts option";
  } else if (c->cfg.max_attempts > 0) {
    c->max_attempts = c->cfg.max_attempts;
    c->zAttemptsFrom = c->cfg.max_attempts_source;
  }
  c->retry_ms = set->retry_ms > 0 ? (long)set->retry_ms : DDB_DEFAULT_RETRY_MS;
  retry_quota_init(&c->quota);
  retry_rate_init(&c->rate, (double)now_us() / 1e6);
  return SQLITE_OK;
}

/* The endpoint's host and path, and plain HTTP only where allowed. */
static int use_endpoint(ddb_client *c, const ddb_settings *set, char **pzErr) {
  int rc;
  sqlite3_free(c->zHost);
  sqlite3_free(c->zPath);
  c->zHost = c->zPath = 0;
  rc = http_url_parts(c->cfg.endpoint, &c->zHost, &c->zPath);
  if (rc == SQLITE_ERROR) {
    *pzErr = sqlite3_mprintf("dynamo: invalid endpoint URL: %s", c->cfg.endpoint);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (rc != SQLITE_OK) return rc;
  if (!set->allow_http && ddb_is_remote_http(c->cfg.endpoint)) {
    *pzErr = sqlite3_mprintf("dynamo: refusing plain HTTP to %s: signed requests and items would "
                             "cross the network unencrypted; use https://, or allow_http=1",
                             c->cfg.endpoint);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

/* The rule set again, with the account the credentials name (botocore
** resolves the endpoint with the credentials' account ID). */
static int account_endpoint(ddb_client *c, const cfg_options *opt, const ddb_settings *set,
                            char **pzErr) {
  const creds_keys *k;
  endpoint_params ep;
  char *zUrl = 0, *zErr = 0;
  int rc;
  if (c->cfg.configured || c->cfg.streams) return SQLITE_OK;
  if ((rc = creds_get(c->creds, &c->stop, &k, pzErr)) != SQLITE_OK) return rc;
  memset(&ep, 0, sizeof(ep));
  ep.region = c->cfg.region;
  ep.use_fips = c->cfg.use_fips;
  ep.use_dualstack = c->cfg.use_dualstack;
  ep.account_mode = c->cfg.account_mode;
  ep.account_id = k->account_id;
  ep.resource_arn = c->cfg.table_arn ? c->cfg.table_arn : opt->table;
  rc = endpoint_resolve(&ep, &zUrl, &zErr);
  if (rc == SQLITE_ERROR) {
    *pzErr = sqlite3_mprintf("dynamo: no DynamoDB endpoint for region %s: %s (%s; credentials "
                             "from %s)",
                             c->cfg.region, zErr, c->cfg.endpoint_settings, c->cfg.creds->where);
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  } else if (rc == SQLITE_OK && strcmp(zUrl, c->cfg.endpoint) != 0) {
    char *zFrom = cfg_rule_source(&c->cfg, zUrl, c->cfg.creds->where);
    if (zFrom) {
      sqlite3_free(c->cfg.endpoint);
      sqlite3_free(c->cfg.endpoint_source);
      c->cfg.endpoint = zUrl;
      c->cfg.endpoint_source = zFrom;
      zUrl = 0;
      rc = use_endpoint(c, set, pzErr);
    } else {
      rc = SQLITE_NOMEM;
    }
  }
  c->cfg.account_pending = 0;
  creds_release(c->creds, k);
  sqlite3_free(zUrl);
  sqlite3_free(zErr);
  return rc;
}

int ddb_open(const cfg_options *opt, const ddb_settings *set, ddb_client **pp, char **pzErr) {
  ddb_client *c = sqlite3_malloc(sizeof(*c));
  creds_settings cset;
  const char *zCa;
  int rc;
  *pp = 0;
  if (!c) return SQLITE_NOMEM;
  memset(c, 0, sizeof(*c));
  rc = cfg_resolve(opt, env_get, &c->cfg, pzErr);
  if (rc != SQLITE_OK) goto fail;
  if ((rc = use_endpoint(c, set, pzErr)) != SQLITE_OK) goto fail;
  if ((rc = retry_settings(c, set, pzErr)) != SQLITE_OK) goto fail;
  if ((rc = http_open(&c->http)) != SQLITE_OK) {
    *pzErr = sqlite3_mprintf("dynamo: cannot initialise libcurl");
    goto fail;
  }
  http_set_timeouts(c->http, (long)set->connect_ms, (long)set->request_ms);
  zCa = set->ca_bundle ? set->ca_bundle : getenv("AWS_CA_BUNDLE");
  if (zCa && *zCa && (rc = http_set_ca_bundle(c->http, zCa)) != SQLITE_OK) goto fail;
  c->on_usage = set->on_usage;
  c->on_wait = set->on_wait;
  c->usage_ctx = set->usage_ctx;
  c->db = set->db;
  c->stop.xAborted = creds_stopped;
  c->stop.ctx = c;
  c->rd.rate = c->rd.tokens = (double)set->max_read_units;
  c->wr.rate = c->wr.tokens = (double)set->max_write_units;
  c->rd.last = c->wr.last = ddb_clock_ms();
  if ((rc = credential_endpoints(c, set, pzErr)) != SQLITE_OK) goto fail;
  cset.timeout_ms = (long)set->request_ms;
  cset.ca_bundle = zCa && *zCa ? zCa : 0;
  cset.owner = set->usage_ctx;
  if ((rc = creds_open(c->cfg.creds, &cset, &c->stop, &c->creds, pzErr)) != SQLITE_OK) goto fail;
  if ((rc = account_endpoint(c, opt, set, pzErr)) != SQLITE_OK) goto fail;
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

int ddb_describe(const cfg_options *opt, const ddb_settings *set, const ddb_client *c,
                 sqlite3_str *s, char **pzErr) {
  ddb_client tmp;
  const ddb_client *d = c;
  const cfg_source *src;
  int rc;
  if (!c) { /* what it would be: resolved, nothing fetched or sent */
    memset(&tmp, 0, sizeof(tmp));
    if ((rc = cfg_resolve(opt, env_get, &tmp.cfg, pzErr)) != SQLITE_OK) return rc;
    if ((rc = retry_settings(&tmp, set, pzErr)) != SQLITE_OK) {
      cfg_resolved_free(&tmp.cfg);
      return rc;
    }
    d = &tmp;
  }
  sqlite3_str_appendf(s, "Region: %s (%s)\n", d->cfg.region, d->cfg.region_source);
  sqlite3_str_appendf(s, "Endpoint: %s (%s; %s)\n", d->cfg.endpoint, d->cfg.endpoint_source,
                      d->cfg.configured ? "configured, so FIPS, dual-stack and account ID "
                                          "endpoints do not apply"
                                        : d->cfg.endpoint_settings);
  sqlite3_str_appendf(s, "Retries: %s mode (%s), at most %d attempts (%s), none after %ld ms",
                      retry_mode_name(d->mode), d->zModeFrom, d->max_attempts, d->zAttemptsFrom,
                      d->retry_ms);
  if (d->mode != RETRY_LEGACY) {
    sqlite3_str_appendf(s, "; retry quota %d of %d", d->quota.available, RETRY_QUOTA);
  }
  if (d->mode == RETRY_ADAPTIVE && d->rate.enabled) {
    sqlite3_str_appendf(s, "; sending at most %.1f requests a second", d->rate.fill_rate);
  }
  sqlite3_str_appendf(s, "\nCredentials: ");
  for (src = d->cfg.creds; src; src = src->source) {
    sqlite3_str_appendf(s, "%s%s", src == d->cfg.creds ? "" : ", signed by ", src->where);
  }
  if (!c) sqlite3_str_appendall(s, " (not fetched yet)");
  if (!c) cfg_resolved_free(&tmp.cfg);
  return SQLITE_OK;
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
  return retry_unprocessed_ms(round, rnd);
}

/* Has sqlite3_interrupt() been called on the connection that runs this
** statement? SQLite 3.41 says so (sqlite3_is_interrupted). Before, a
** statement started while the connection is interrupted fails at once
** ("any new SQL statements that are started after the sqlite3_interrupt()
** call and before the running statement count reaches zero are
** interrupted"), which a trivial one shows. */
static int interrupted(const ddb_client *c) {
  sqlite3_stmt *st = 0;
  int rc;
  if (!c->db) return 0;
#if SQLITE_VERSION_NUMBER >= 3041000
  if (sqlite3_libversion_number() >= 3041000) return sqlite3_is_interrupted(c->db);
#endif
  rc = sqlite3_prepare_v2(c->db, "SELECT 1", -1, &st, 0);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_INTERRUPT;
}

int ddb_sleep(ddb_client *c, long ms) {
  sqlite3_int64 end = ddb_clock_ms() + ms, left;
  while ((left = end - ddb_clock_ms()) > 0) {
    if (interrupted(c)) return SQLITE_INTERRUPT;
    if (c->on_wait) c->on_wait(c->usage_ctx);
    dyn_sleep_ms(left < DDB_WAIT_SLICE_MS ? (long)left : DDB_WAIT_SLICE_MS);
  }
  return SQLITE_OK;
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
  if ((rc = creds_get(c->creds, &c->stop, &k, &j->zErr)) != SQLITE_OK) return rc;
  creds_label(c->creds, j->zTable);
  j->credGen = k->gen;
  sqlite3_snprintf(sizeof(zTarget), zTarget, "%s%s",
                   c->cfg.streams ? DDB_STREAMS_TARGET_PREFIX : DDB_TARGET_PREFIX, j->zOp);
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

/* Does the body match its x-amz-crc32 (a decimal CRC-32 of the body as
** sent)? 1 when it does or the header is absent; 0, with the message in
** *pzMsg, when not (a header that is no number does not match). */
static int crc_ok(const http_req *r, char **pzMsg) {
  const char *z = http_response_header(r, "x-amz-crc32"), *p;
  unsigned long long want = 0;
  if (!z) return 1;
  for (p = z; *p >= '0' && *p <= '9' && want <= 0xffffffffull; p++) want = want * 10 + (*p - '0');
  if (p > z && !*p && want == r->resp.crc32) return 1;
  *pzMsg = sqlite3_mprintf("the body's CRC-32 is %lu, its x-amz-crc32 header says %s: the answer "
                           "was damaged on its way",
                           r->resp.crc32, z);
  return 0;
}

/* A finished attempt: success, a retry later, or a final error. */
static int end_attempt(ddb_client *c, ddb_job *j, const char *zTable) {
  http_req *r = j->priv;
  http_response *resp = &r->resp;
  char *zType = 0, *zMsg = 0;
  retry_failure f;
  int cls, rc = SQLITE_OK;
  sqlite3_int64 now = ddb_clock_ms();
  memset(&f, 0, sizeof(f));
  f.zOp = j->zOp;
  f.status = resp->curl_code ? 0 : resp->status;
  if (resp->curl_code != 0 && refused_on_loopback(c, resp->curl_code)) {
    f.transport = j->attempts < LOOPBACK_REFUSED_ATTEMPTS;
    zMsg = sqlite3_mprintf("%s (%s): is the local server running?", resp->error,
                           c->cfg.endpoint);
  } else if (resp->curl_code != 0) {
    f.transport = http_is_retryable(resp->curl_code);
    zMsg = sqlite3_mprintf("%s (%s)", resp->error, c->cfg.endpoint);
  } else if (!crc_ok(r, &zMsg)) {
    f.checksum = 1; /* whatever it says, it cannot be trusted */
    zType = sqlite3_mprintf("CRC32Mismatch");
  } else if (resp->status == 200 && ddb_has_nul_escape(resp->body, resp->nbody)) {
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
      j->serverMs = http_response_date_ms(r);
      report_usage(c, j, resp, json);
      if (c->mode != RETRY_LEGACY) retry_quota_release(&c->quota, j->quotaCost);
      if (c->mode == RETRY_ADAPTIVE) retry_rate_update(&c->rate, (double)now_us() / 1e6, 0);
      j->resp = json;
      j->rc = SQLITE_OK;
      j->state = JOB_DONE;
      goto done;
    }
    cJSON_Delete(json);
    f.invalid = 1;
    zType = sqlite3_mprintf("InvalidResponse");
    zMsg = sqlite3_mprintf("the response is not a JSON object");
  } else {
    char *zWhy;
    if ((rc = ddb_parse_error(resp->body, resp->nbody, resp->status, &zType, &zMsg))) goto done;
    if (!j->renewed && (!strcmp(zType, "ExpiredTokenException") || !strcmp(zType, "ExpiredToken"))) {
      char *zErr = 0; /* renew the credentials once and send it again at once */
      j->renewed = 1;
      if ((rc = creds_renew(c->creds, j->credGen, &c->stop, &zErr)) == SQLITE_OK ||
          rc == SQLITE_INTERRUPT) {
        report_usage(c, j, resp, 0);
        j->state = JOB_WAITING;
        j->readyAt = 0;
        if (rc == SQLITE_INTERRUPT) { /* as in any other wait */
          c->stopped = 1;
          c->pCredsStopped = j;
        }
        sqlite3_free(zErr);
        goto done;
      }
      if (rc != SQLITE_ERROR) goto done;
      job_fail(c, j, zTable, zType, zErr + (strncmp(zErr, "dynamo: ", 8) ? 0 : 8));
      sqlite3_free(zErr);
      rc = SQLITE_OK;
      goto done;
    }
    f.zCode = zType;
    if ((zWhy = ddb_throttling_reasons(resp->body, resp->nbody)) != 0) { /* why it throttled */
      zMsg = sqlite3_mprintf("%z (ThrottlingReasons: %z)", zMsg, zWhy);
      if (!zMsg) goto oom;
    }
  }
  if (!zMsg || (resp->curl_code == 0 && (resp->status == 200 || f.checksum) && !zType)) goto oom;
  cls = retry_classify(c->mode, &f);
  if (!cls && resp->curl_code == 0 && resp->status != 200) {
    cJSON_Delete(j->errBody); /* a final error: its body for the caller */
    j->errBody = cJSON_ParseWithLength(resp->body, resp->nbody);
  }
  report_usage(c, j, resp, 0);
  if (c->mode == RETRY_ADAPTIVE) {
    retry_rate_update(&c->rate, (double)now_us() / 1e6, cls == RETRY_THROTTLING);
  }
  if (cls && j->attempts < c->max_attempts) {
    unsigned rnd;
    double ms;
    sqlite3_int64 at;
    const char *zStop = 0;
    if (c->mode != RETRY_LEGACY && !(j->quotaCost = retry_quota_acquire(&c->quota, cls))) {
      zStop = "; no retry: the client's retry quota is spent (too many failures lately)";
    } else {
      sqlite3_randomness(sizeof(rnd), &rnd);
      ms = retry_delay_ms(c->mode, j->attempts, cls, rnd,
                          retry_after_parse(http_response_header(r, "x-amz-retry-after")));
      at = now + (ms < 1e12 ? (sqlite3_int64)ceil(ms) : (sqlite3_int64)1e12);
      if (at - j->firstAt <= c->retry_ms) {
        j->state = JOB_WAITING;
        j->readyAt = at;
        goto done;
      }
      zStop = "";
    }
    zMsg = *zStop ? sqlite3_mprintf("%z%s", zMsg, zStop)
                  : sqlite3_mprintf("%z; retries stopped after %lld ms", zMsg,
                                    (long long)(now - j->firstAt));
    if (!zMsg) goto oom;
  }
  job_fail(c, j, zTable, zType, zMsg);
  goto done;
oom:
  rc = SQLITE_NOMEM;
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
  j->quotaCost = 0;
  c->stopped = 0; /* a new request: the caller goes on */
  c->pCredsStopped = 0;
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
  if (c->stopped) return SQLITE_INTERRUPT; /* nothing more is sent */
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
    if (c->mode == RETRY_ADAPTIVE && j->readyAt <= now &&
        http_in_flight(c->http) < HTTP_MAX_IN_FLIGHT) {
      double w = retry_rate_acquire(&c->rate, (double)now_us() / 1e6);
      if (w > 0) { /* the client-side rate limit: a token comes later */
        sqlite3_int64 ms = (sqlite3_int64)ceil(w * 1000.0);
        j->readyAt = now + (ms > 0 ? ms : 1);
        j->waitedMs += (double)(ms > 0 ? ms : 1);
      }
    }
    if (j->readyAt > now || http_in_flight(c->http) >= HTTP_MAX_IN_FLIGHT) {
      if (j->readyAt > now && j->readyAt - now < wait) wait = j->readyAt - now;
      nWaiting++;
      continue;
    }
    if ((rc = begin_attempt(c, j)) == SQLITE_INTERRUPT) { /* fetching credentials */
      sqlite3_free(j->zErr);
      j->zErr = 0;
      c->stopped = 1;
      c->pCredsStopped = j;
      return rc;
    }
    if (rc != SQLITE_OK) {
      j->rc = rc;
      j->state = JOB_DONE;
      if (rc == SQLITE_NOMEM) return rc;
    }
  }
  if (http_in_flight(c->http) == 0 && nWaiting == 0) return SQLITE_OK;
  if (wait > 0) { /* a wait of any kind: in slices, each after a look at
                  ** sqlite3_interrupt() (at most every INTERRUPT_LOOK_MS:
                  ** answers that come one after another need not) */
    if (now - c->lastLook >= INTERRUPT_LOOK_MS) {
      c->lastLook = now;
      if (interrupted(c)) {
        c->stopped = 1;
        return SQLITE_INTERRUPT;
      }
      if (c->on_wait) c->on_wait(c->usage_ctx);
    }
    if (wait > DDB_WAIT_SLICE_MS) wait = DDB_WAIT_SLICE_MS;
  }
  if (http_in_flight(c->http) == 0) {
    if (wait > 0) dyn_sleep_ms((long)wait);
    return SQLITE_OK;
  }
  if ((rc = http_poll(c->http, (int)wait, &done)) != SQLITE_OK || !done) return rc;
  for (j = c->pActive; j; j = j->pNextActive) {
    if (j->priv == done) return end_attempt(c, j, j->zTable);
  }
  return SQLITE_OK;
}

/* The connection was interrupted while j was not done: it ends here. */
static void job_interrupt(ddb_client *c, ddb_job *j) {
  if (j->state == JOB_RUNNING && j->priv) http_end(c->http, j->priv);
  j->state = JOB_DONE;
  j->rc = SQLITE_INTERRUPT;
  sqlite3_free(j->zErr);
  if (c->pCredsStopped == j) { /* in a credential fetch for it */
    j->zErr = sqlite3_mprintf("dynamo: %s on %s interrupted (fetching credentials from %s)",
                              j->zOp, j->zTable, c->cfg.creds->where);
  } else {
    j->zErr = sqlite3_mprintf("dynamo: %s on %s interrupted (%s)", j->zOp, j->zTable,
                              j->attempts ? "sent, no answer kept" : "not sent");
  }
}

int ddb_wait(ddb_client *c, ddb_job *j) {
  int rc = SQLITE_OK;
  while (rc == SQLITE_OK && ddb_job_busy(j)) rc = pump(c, 1000);
  if (rc == SQLITE_INTERRUPT && ddb_job_busy(j)) job_interrupt(c, j);
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
