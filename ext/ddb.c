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
** DYNAMO_TRACE=1 in the environment prints every request (operation and
** JSON body, never a credential) to stderr, which makes the plan visible.
*/
#include "ddb.h"
#include "http.h"
#include "sigv4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DDB_TARGET_PREFIX "DynamoDB_20120810."
#define DDB_CONTENT_TYPE "application/x-amz-json-1.0"
#define DDB_DEFAULT_ATTEMPTS 10

struct ddb_client {
  cfg_resolved cfg;
  http_conn *http;
  char *zHost;       /* Host header value */
  char *zPath;       /* request path, "/" */
  int max_attempts;
  char zErrType[128];
  cJSON *errBody;
};

static const char *env_get(const char *zName) {
  return getenv(zName);
}

int ddb_open(const cfg_options *opt, ddb_client **pp, char **pzErr) {
  ddb_client *c = sqlite3_malloc(sizeof(*c));
  const char *zAttempts;
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
  if ((rc = http_open(&c->http)) != SQLITE_OK) {
    *pzErr = sqlite3_mprintf("dynamo: cannot initialise libcurl");
    goto fail;
  }
  c->max_attempts = DDB_DEFAULT_ATTEMPTS;
  if ((zAttempts = getenv("AWS_MAX_ATTEMPTS")) && atoi(zAttempts) > 0) {
    c->max_attempts = atoi(zAttempts);
  }
  *pp = c;
  return SQLITE_OK;
fail:
  ddb_close(c);
  return rc;
}

void ddb_close(ddb_client *c) {
  if (!c) return;
  http_close(c->http);
  cfg_resolved_free(&c->cfg);
  sqlite3_free(c->zHost);
  sqlite3_free(c->zPath);
  cJSON_Delete(c->errBody);
  sqlite3_free(c);
}

const cfg_resolved *ddb_config(const ddb_client *c) {
  return &c->cfg;
}

const char *ddb_error_type(const ddb_client *c) {
  return c->zErrType;
}

const cJSON *ddb_error_body(const ddb_client *c) {
  return c->errBody;
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

/* A short excerpt of a body that is not JSON (an HTML page), in printable
** ASCII only: the page's bytes may not be UTF-8, and a message must be. */
static char *body_excerpt(const char *body, size_t n) {
  char buf[121];
  size_t i, k = 0;
  for (i = 0; i < n && k < sizeof(buf) - 1; i++) {
    unsigned char ch = (unsigned char)body[i];
    if (ch < 0x20 || ch == 0x7f) ch = ' ';
    else if (ch >= 0x80) ch = '?';
    if (ch == ' ' && k > 0 && buf[k - 1] == ' ') continue;
    buf[k++] = (char)ch;
  }
  buf[k] = 0;
  return sqlite3_mprintf("%s%s", buf, i < n ? "..." : "");
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
  else *pzMsg = body_excerpt(body, n);
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

/* Sign and send one attempt. */
static int send_once(ddb_client *c, const char *zTarget, const char *body,
                     http_response *resp) {
  sigv4_header sh[3];
  http_header hh[7];
  sigv4_input in;
  sigv4_output out;
  int rc, n = 0;
  sh[0] = (sigv4_header){"Content-Type", DDB_CONTENT_TYPE};
  sh[1] = (sigv4_header){"Host", c->zHost};
  sh[2] = (sigv4_header){"X-Amz-Target", zTarget};
  memset(&in, 0, sizeof(in));
  in.method = "POST";
  in.path = c->zPath;
  in.query = "";
  in.headers = sh;
  in.nheader = 3;
  in.body = body;
  in.nbody = strlen(body);
  in.access_key_id = c->cfg.access_key_id;
  in.secret_access_key = c->cfg.secret_access_key;
  in.session_token = c->cfg.session_token;
  in.region = c->cfg.region;
  in.service = "dynamodb";
  in.now = time(0);
  rc = sigv4_sign(&in, &out);
  if (rc != SQLITE_OK) return rc;
  for (n = 0; n < 3; n++) hh[n] = (http_header){sh[n].name, sh[n].value};
  hh[n++] = (http_header){"X-Amz-Date", out.amz_date};
  if (c->cfg.session_token && c->cfg.session_token[0]) {
    hh[n++] = (http_header){"X-Amz-Security-Token", c->cfg.session_token};
  }
  hh[n++] = (http_header){"Authorization", out.authorization};
  rc = http_post(c->http, c->cfg.endpoint, hh, n, body, in.nbody, resp);
  sigv4_output_free(&out);
  return rc;
}

int ddb_call(ddb_client *c, const char *zOp, const char *zTable, const cJSON *req,
             cJSON **pResp, char **pzErr) {
  char *body = cJSON_PrintUnformatted(req);
  if (body && getenv("DYNAMO_TRACE")) fprintf(stderr, "dynamo: %s %s\n", zOp, body);
  char *zTarget = sqlite3_mprintf(DDB_TARGET_PREFIX "%s", zOp);
  char *zType = 0, *zMsg = 0;
  int attempt, rc = SQLITE_NOMEM;
  *pResp = 0;
  c->zErrType[0] = 0;
  cJSON_Delete(c->errBody);
  c->errBody = 0;
  if (!body || !zTarget) goto done;
  for (attempt = 1; attempt <= c->max_attempts; attempt++) {
    http_response resp;
    int retry = 0, throttled = 0;
    sqlite3_free(zType);
    sqlite3_free(zMsg);
    zType = zMsg = 0;
    if ((rc = send_once(c, zTarget, body, &resp)) != SQLITE_OK) goto done;
    if (resp.curl_code != 0) {
      retry = http_is_retryable(resp.curl_code);
      zMsg = sqlite3_mprintf("%s (%s)", resp.error, c->cfg.endpoint);
    } else if (resp.status == 200) {
      cJSON *j = cJSON_ParseWithLength(resp.body, resp.nbody);
      if (cJSON_IsObject(j)) {
        *pResp = j;
        sqlite3_free(resp.body);
        rc = SQLITE_OK;
        goto done;
      }
      cJSON_Delete(j);
      retry = 1;
      zType = sqlite3_mprintf("InvalidResponse");
      zMsg = sqlite3_mprintf("the response is not a JSON object");
    } else {
      if (ddb_parse_error(resp.body, resp.nbody, resp.status, &zType, &zMsg)) {
        sqlite3_free(resp.body);
        goto done;
      }
      retry = ddb_is_retryable(resp.status, zType);
      throttled = ddb_is_throttling(zType);
      if (!retry) {
        cJSON_Delete(c->errBody);
        c->errBody = cJSON_ParseWithLength(resp.body, resp.nbody);
      }
    }
    sqlite3_free(resp.body);
    if (!zMsg) goto done;
    if (!retry || attempt == c->max_attempts) break;
    {
      unsigned rnd;
      sqlite3_randomness(sizeof(rnd), &rnd);
      sleep_ms(ddb_backoff_ms(attempt, throttled, rnd));
    }
  }
  {
    const char *zTries = attempt > 1 ? sqlite3_snprintf(sizeof(c->zErrType), c->zErrType,
                                                        " (after %d attempts)", attempt)
                                     : "";
    if (zType) {
      *pzErr = sqlite3_mprintf("dynamo: %s on %s failed: %s: %s%s", zOp, zTable, zType, zMsg,
                               zTries);
    } else {
      *pzErr = sqlite3_mprintf("dynamo: %s on %s failed: %s%s", zOp, zTable, zMsg, zTries);
    }
    sqlite3_snprintf(sizeof(c->zErrType), c->zErrType, "%s", zType ? zType : "");
  }
  rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
done:
  sqlite3_free(zType);
  sqlite3_free(zMsg);
  sqlite3_free(zTarget);
  cJSON_free(body);
  return rc;
}
