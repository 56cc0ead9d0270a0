/*
** http.c: POSTs over libcurl's multi interface (see http.h).
**
** Easy handles are pooled and reused: a finished request's handle goes back
** to the pool, and the multi handle's connection cache keeps connections
** alive, so a table that sends a thousand requests opens one connection
** (or a few, when requests run in parallel).
*/
#include "http.h"
#include "url.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#if LIBCURL_VERSION_NUM < 0x075400
#error "libcurl 7.84.0 or later is needed (curl_easy_header)"
#endif

struct http_conn {
  CURLM *multi;
  CURL *aIdle[HTTP_MAX_IN_FLIGHT]; /* handles ready for reuse */
  int nIdle;
  int nBusy;                       /* requests in flight */
  long connect_ms;
  long total_ms;
  char *zCaBundle;                 /* NULL: the system store */
  char *spare;                     /* a body buffer kept for the next one */
  size_t nSpare;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init(void) {
  global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int http_global_init(void) {
  pthread_once(&global_once, global_init);
  return global_rc == CURLE_OK ? SQLITE_OK : SQLITE_ERROR;
}

int http_open(http_conn **pp) {
  http_conn *p = sqlite3_malloc(sizeof(*p));
  *pp = 0;
  if (!p) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  if (http_global_init() != SQLITE_OK || !(p->multi = curl_multi_init())) {
    sqlite3_free(p);
    return SQLITE_ERROR;
  }
  curl_multi_setopt(p->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)HTTP_MAX_IN_FLIGHT);
  /* Keep that many idle connections too: by default the cache holds four per
  ** handle still added, and handles leave as their transfers end, so the
  ** tail of a wave of writes closed connections the next wave reopened. */
  curl_multi_setopt(p->multi, CURLMOPT_MAXCONNECTS, (long)HTTP_MAX_IN_FLIGHT);
  p->connect_ms = 10000;
  p->total_ms = 60000;
  *pp = p;
  return SQLITE_OK;
}

void http_close(http_conn *p) {
  int i;
  if (!p) return;
  for (i = 0; i < p->nIdle; i++) curl_easy_cleanup(p->aIdle[i]);
  curl_multi_cleanup(p->multi);
  sqlite3_free(p->zCaBundle);
  sqlite3_free(p->spare);
  sqlite3_free(p);
}

int http_set_ca_bundle(http_conn *p, const char *zPath) {
  char *z = sqlite3_mprintf("%s", zPath);
  if (!z) return SQLITE_NOMEM;
  sqlite3_free(p->zCaBundle);
  p->zCaBundle = z;
  return SQLITE_OK;
}

void http_set_timeouts(http_conn *p, long connect_ms, long total_ms) {
  if (connect_ms > 0) p->connect_ms = connect_ms;
  if (total_ms > 0) p->total_ms = total_ms;
}

const char *http_response_header(const http_req *r, const char *zName) {
  struct curl_header *h;
  if (!r->easy || !r->done ||
      curl_easy_header(r->easy, zName, 0, CURLH_HEADER, -1, &h) != CURLHE_OK) {
    return 0;
  }
  return h->value;
}

sqlite3_int64 http_response_date_ms(const http_req *r) {
  const char *z = http_response_header(r, "Date");
  time_t t = z ? curl_getdate(z, 0) : (time_t)-1;
  return t > 0 ? (sqlite3_int64)t * 1000 : 0;
}

int http_in_flight(const http_conn *p) {
  return p->nBusy;
}

static const char *env_get(const char *zName) {
  return getenv(zName);
}

/* The proxy for zUrl as botocore chooses it (url.h: HTTPS_PROXY or
** HTTP_PROXY, lower case first, and NO_PROXY), read at each request from
** the environment alone: no table option turns it on or off. Set on the
** handle explicitly, so that libcurl's own reading (no upper-case
** HTTP_PROXY, but ALL_PROXY) does not differ from botocore's. */
static void set_proxy(CURL *e, const char *zUrl) {
  const char *zProxy = url_proxy(sqlite3_strnicmp(zUrl, "https:", 6) == 0 ? "https" : "http",
                                 env_get);
  const char *zNoProxy = url_no_proxy(env_get);
  curl_easy_setopt(e, CURLOPT_PROXY, zProxy ? zProxy : "");
  curl_easy_setopt(e, CURLOPT_NOPROXY, zNoProxy ? zNoProxy : "");
}

static void buf_wipe_free(char *z, size_t n);

/* Headers hold a session token (X-Amz-Security-Token) or an Authorization:
** each string is overwritten before it is freed (buf_wipe_free), libcurl's
** copies in the list too. */
static void slist_wipe_free(struct curl_slist *l) {
  struct curl_slist *e;
  for (e = l; e; e = e->next) {
    volatile char *v = e->data;
    while (v && *v) *v++ = 0;
  }
  curl_slist_free_all(l);
}

/* Body bytes: into a buffer sized from Content-Length when the server
** gives one (a 1 MB page is then one allocation, not a series of copies). */
static size_t on_body(char *data, size_t size, size_t nmemb, void *arg) {
  http_req *r = arg;
  size_t n = size * nmemb;
  if (r->nBody + n > HTTP_MAX_BODY) {
    r->tooBig = 1; /* no answer of DynamoDB's is this big: stop reading */
    return 0;
  }
  if (r->nBody + n + 1 > r->nAlloc) {
    curl_off_t len = -1;
    size_t want = r->nAlloc ? r->nAlloc * 2 : 16384;
    char *p;
    if (r->nAlloc == 0 && curl_easy_getinfo(r->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len) == CURLE_OK &&
        len > 0 && len <= HTTP_MAX_BODY) {
      want = (size_t)len + 1;
    }
    while (want < r->nBody + n + 1) want *= 2;
    if (!r->body && r->conn->spare && r->conn->nSpare >= want) {
      /* the last body's buffer: no large allocation per page, which would
      ** make malloc sort through every node of the page just freed */
      r->body = r->conn->spare;
      r->nAlloc = r->conn->nSpare;
      r->conn->spare = 0;
      r->conn->nSpare = 0;
      want = r->nAlloc;
    }
    if (r->nAlloc >= want) {
      p = r->body;
    } else if (!(p = sqlite3_realloc64(r->body, want))) {
      r->oom = 1;
      return 0;
    }
    r->body = p;
    r->nAlloc = want;
  }
  memcpy(r->body + r->nBody, data, n);
  r->nBody += n;
  /* checked against x-amz-crc32 by the caller; done here, while the next
  ** bytes are on their way, it costs the caller nothing */
  r->resp.crc32 = crc32(r->resp.crc32, (const Bytef *)data, (uInt)n);
  return n;
}

/* Give a request's handle back to the pool (or free it) and its buffers. */
static void release(http_conn *p, http_req *r) {
  CURL *e = r->easy;
  if (e) {
    if (!r->done) {
      curl_multi_remove_handle(p->multi, e);
      p->nBusy--;
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, (struct curl_slist *)0);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, (char *)0);
    curl_easy_setopt(e, CURLOPT_PRIVATE, (void *)0);
    if (p->nIdle < HTTP_MAX_IN_FLIGHT) p->aIdle[p->nIdle++] = e;
    else curl_easy_cleanup(e);
  }
  slist_wipe_free(r->headers);
  sqlite3_free(r->body);
  sqlite3_free(r->errbuf);
  r->easy = 0;
  r->headers = 0;
  r->body = 0;
  r->errbuf = 0;
}

int http_begin(http_conn *p, http_req *r, const char *url, const http_header *aHdr,
               int nHdr, const char *body, size_t nbody) {
  struct curl_slist *l;
  CURL *e;
  int i;
  void *user = r->user;
  memset(r, 0, sizeof(*r));
  r->user = user;
  if (p->nBusy >= HTTP_MAX_IN_FLIGHT) return SQLITE_BUSY;
  for (i = 0; i < nHdr; i++) {
    char *h = sqlite3_mprintf("%s: %s", aHdr[i].name, aHdr[i].value);
    if (!h) goto nomem;
    l = curl_slist_append(r->headers, h);
    buf_wipe_free(h, strlen(h));
    if (!l) goto nomem;
    r->headers = l;
  }
  if (!(l = curl_slist_append(r->headers, "Expect:"))) goto nomem;
  r->headers = l;
  if (!(l = curl_slist_append(r->headers, "Accept:"))) goto nomem;
  r->headers = l;
  if (!(r->errbuf = sqlite3_malloc(CURL_ERROR_SIZE))) {
    goto nomem;
  }
  r->errbuf[0] = 0;
  r->conn = p;
  e = p->nIdle ? p->aIdle[--p->nIdle] : curl_easy_init();
  if (!e) goto nomem;
  curl_easy_reset(e);
  r->easy = e;
  curl_easy_setopt(e, CURLOPT_URL, url);
  set_proxy(e, url);
  curl_easy_setopt(e, CURLOPT_POST, 1L);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)nbody);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
  curl_easy_setopt(e, CURLOPT_PRIVATE, (void *)r);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, p->connect_ms);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, p->total_ms);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  /* TLS: the peer and its name are always verified */
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  if (p->zCaBundle) curl_easy_setopt(e, CURLOPT_CAINFO, p->zCaBundle);
  if (curl_multi_add_handle(p->multi, e) != CURLM_OK) {
    r->done = 1; /* not in the multi handle: release must not remove it */
    release(p, r);
    return SQLITE_ERROR;
  }
  p->nBusy++;
  return SQLITE_OK;
nomem:
  r->done = 1;
  release(p, r);
  return SQLITE_NOMEM;
}

/* A finished transfer: fill the request's response. */
static int finish(http_conn *p, CURL *e, CURLcode cc, http_req **pDone) {
  http_req *r = 0;
  curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&r);
  curl_multi_remove_handle(p->multi, e);
  p->nBusy--;
  r->done = 1;
  r->resp.curl_code = (int)cc;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->resp.status);
  if (r->tooBig) {
    snprintf(r->resp.error, sizeof(r->resp.error),
             "the response is larger than %d MB, more than any answer of DynamoDB's",
             HTTP_MAX_BODY >> 20);
  } else if (cc != CURLE_OK) {
    snprintf(r->resp.error, sizeof(r->resp.error), "%s",
             r->errbuf[0] ? r->errbuf : curl_easy_strerror(cc));
  }
  if (r->oom) return SQLITE_NOMEM;
  if (!r->body && !(r->body = sqlite3_malloc(1))) return SQLITE_NOMEM;
  r->body[r->nBody] = 0;
  r->resp.nbody = r->nBody;
  r->resp.body = r->body;
  r->body = 0;
  if (!r->resp.body && !(r->resp.body = sqlite3_mprintf(""))) return SQLITE_NOMEM;
  *pDone = r;
  return SQLITE_OK;
}

int http_poll(http_conn *p, int timeout_ms, http_req **pDone) {
  int running, left;
  CURLMsg *m;
  *pDone = 0;
  for (;;) {
    if (curl_multi_perform(p->multi, &running) != CURLM_OK) return SQLITE_ERROR;
    while ((m = curl_multi_info_read(p->multi, &left)) != 0) {
      if (m->msg == CURLMSG_DONE) return finish(p, m->easy_handle, m->data.result, pDone);
    }
    if (timeout_ms <= 0 || running == 0) return SQLITE_OK;
    /* wait for activity, then go round once more and stop */
    if (curl_multi_poll(p->multi, 0, 0, timeout_ms, 0) != CURLM_OK) return SQLITE_ERROR;
    timeout_ms = 0;
  }
}

void http_end(http_conn *p, http_req *r) {
  release(p, r);
  if (r->resp.body && r->nAlloc > p->nSpare) { /* keep the larger buffer */
    sqlite3_free(p->spare);
    p->spare = r->resp.body;
    p->nSpare = r->nAlloc;
  } else {
    sqlite3_free(r->resp.body);
  }
  r->resp.body = 0;
}

int http_is_retryable(int curl_code) {
  switch (curl_code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return 1;
  }
  return 0;
}

int http_is_refused(int curl_code) {
  return curl_code == CURLE_COULDNT_CONNECT;
}

int http_url_parts(const char *url, char **pzHost, char **pzPath) {
  CURLU *u = curl_url();
  char *host = 0, *port = 0, *path = 0;
  int rc = SQLITE_ERROR;
  *pzHost = *pzPath = 0;
  if (!u) return SQLITE_NOMEM;
  if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) goto done;
  if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) goto done;
  curl_url_get(u, CURLUPART_PORT, &port, 0); /* only when given */
  if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) goto done;
  *pzHost = port ? sqlite3_mprintf("%s:%s", host, port) : sqlite3_mprintf("%s", host);
  *pzPath = sqlite3_mprintf("%s", path);
  rc = (*pzHost && *pzPath) ? SQLITE_OK : SQLITE_NOMEM;
  if (rc != SQLITE_OK) {
    sqlite3_free(*pzHost);
    sqlite3_free(*pzPath);
    *pzHost = *pzPath = 0;
  }
done:
  curl_free(host);
  curl_free(port);
  curl_free(path);
  curl_url_cleanup(u);
  return rc;
}

/* ---- one blocking request (the credential endpoints) -------------------- */

typedef struct fetch_buf {
  char *z;
  size_t n, cap;
  int oom, tooBig;
} fetch_buf;

static void buf_wipe_free(char *z, size_t n) {
  volatile char *v = z;
  while (v && n--) *v++ = 0;
  sqlite3_free(z);
}

static size_t on_fetch_body(char *data, size_t size, size_t nmemb, void *arg) {
  fetch_buf *b = arg;
  size_t n = size * nmemb;
  if (b->n + n > HTTP_MAX_FETCH) {
    b->tooBig = 1;
    return 0;
  }
  if (b->n + n + 1 > b->cap) { /* grown by copy, the old one wiped */
    size_t cap = b->cap ? b->cap * 2 : 4096;
    char *z;
    while (cap < b->n + n + 1) cap *= 2;
    if (!(z = sqlite3_malloc64(cap))) {
      b->oom = 1;
      return 0;
    }
    if (b->n) memcpy(z, b->z, b->n);
    buf_wipe_free(b->z, b->n);
    b->z = z;
    b->cap = cap;
  }
  memcpy(b->z + b->n, data, n);
  b->n += n;
  return n;
}

int http_aborted(const http_abort *abort) {
  return abort && abort->xAborted && abort->xAborted(abort->ctx);
}

/* libcurl's progress callback: non-zero ends the transfer
** (CURLE_ABORTED_BY_CALLBACK). */
static int on_fetch_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                             curl_off_t ulnow) {
  (void)dltotal;
  (void)dlnow;
  (void)ultotal;
  (void)ulnow;
  return http_aborted(arg);
}

int http_fetch(const char *zMethod, const char *zUrl, const http_header *aHdr, int nHdr,
               const char *body, size_t nbody, long timeout_ms, const char *zCaBundle,
               const http_abort *abort, http_response *resp) {
  struct curl_slist *headers = 0, *l;
  fetch_buf b;
  char errbuf[CURL_ERROR_SIZE];
  CURL *e;
  CURLcode cc;
  int i, rc = SQLITE_NOMEM;
  memset(resp, 0, sizeof(*resp));
  memset(&b, 0, sizeof(b));
  errbuf[0] = 0;
  if (http_global_init() != SQLITE_OK || !(e = curl_easy_init())) return SQLITE_NOMEM;
  for (i = 0; i < nHdr; i++) {
    char *h = sqlite3_mprintf("%s: %s", aHdr[i].name, aHdr[i].value);
    if (!h) goto done;
    l = curl_slist_append(headers, h);
    buf_wipe_free(h, strlen(h)); /* an Authorization header is a secret */
    if (!l) goto done;
    headers = l;
  }
  if (!(l = curl_slist_append(headers, "Expect:"))) goto done;
  headers = l;
  for (i = 0; i < nHdr && sqlite3_stricmp(aHdr[i].name, "Content-Type") != 0; i++) {
  }
  if (i == nHdr && strcmp(zMethod, "GET") != 0) { /* not libcurl's form type */
    if (!(l = curl_slist_append(headers, "Content-Type:"))) goto done;
    headers = l;
  }
  curl_easy_setopt(e, CURLOPT_URL, zUrl);
  set_proxy(e, zUrl);
  if (strcmp(zMethod, "GET") == 0) {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body ? body : "");
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? nbody : 0));
    if (strcmp(zMethod, "POST") != 0) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, zMethod);
  }
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_fetch_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  if (zCaBundle) curl_easy_setopt(e, CURLOPT_CAINFO, zCaBundle);
  if (abort) {
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_fetch_progress);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, (void *)abort);
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
  }
  cc = curl_easy_perform(e);
  if (b.oom) goto done;
  if (cc == CURLE_ABORTED_BY_CALLBACK) { /* no answer kept */
    rc = SQLITE_INTERRUPT;
    goto done;
  }
  resp->curl_code = (int)cc;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &resp->status);
  if (b.tooBig) {
    snprintf(resp->error, sizeof(resp->error), "the answer is larger than %d KB",
             HTTP_MAX_FETCH >> 10);
  } else if (cc != CURLE_OK) {
    snprintf(resp->error, sizeof(resp->error), "%s",
             errbuf[0] ? errbuf : curl_easy_strerror(cc));
  }
  if (!b.z && !(b.z = sqlite3_malloc(1))) goto done;
  b.z[b.n] = 0;
  resp->body = b.z;
  resp->nbody = b.n;
  b.z = 0;
  rc = SQLITE_OK;
done:
  buf_wipe_free(b.z, b.n);
  slist_wipe_free(headers);
  curl_easy_cleanup(e);
  return rc;
}

void http_response_clear(http_response *resp) {
  buf_wipe_free(resp->body, resp->nbody);
  resp->body = 0;
  resp->nbody = 0;
}

const char *http_version(void) {
  return curl_version();
}
