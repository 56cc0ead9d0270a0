/*
** HTTP transport over libcurl's multi interface: one multi handle per table
** connection with a small pool of easy handles, so that several requests can
** be in flight at once (batched writes, prefetched pages) while connections
** are kept alive and reused. Knows nothing of DynamoDB or signing.
**
**   http_req r;
**   http_begin(conn, &r, url, headers, n, body, nbody);   -- starts it
**   http_poll(conn, timeout_ms, &done);                  -- drives all
**   ... r.resp is filled once done == &r ...
**   http_end(conn, &r);                                  -- frees it
*/
#ifndef DYNAMO_HTTP_H
#define DYNAMO_HTTP_H

#include "common.h"

#define HTTP_MAX_IN_FLIGHT 64 /* an IN list's Queries, a wave of writes: one
                               ** round trip for up to 64 requests */
#define HTTP_MAX_BODY (32 << 20) /* a response body larger than this is an error */

typedef struct http_conn http_conn;

typedef struct http_header {
  const char *name;
  const char *value;
} http_header;

typedef struct http_response {
  long status;         /* HTTP status, 0 when there was no response */
  int curl_code;       /* CURLcode; 0 on a transfer that completed */
  char *body;          /* sqlite3_malloc()ed, NUL-terminated */
  size_t nbody;
  unsigned long crc32; /* CRC-32 of the body as received (zlib's, computed
                       ** as it arrives); http_fetch() leaves it 0 */
  char error[256];     /* libcurl's description when curl_code != 0 */
} http_response;

/* One request. The caller owns the struct and keeps it in place while the
** request is in flight; the fields below resp are private. */
typedef struct http_req {
  http_response resp;  /* filled when the request is done */
  void *user;          /* for the caller */
  /* private */
  void *easy;
  struct curl_slist *headers;
  char *body;          /* the response body as it arrives */
  size_t nBody, nAlloc;
  int oom;
  http_conn *conn;
  char *errbuf;
  int done;
  int tooBig;
} http_req;

/* Process-wide libcurl initialisation; safe to call more than once. */
int http_global_init(void);

int http_open(http_conn **pp);
void http_close(http_conn *p);

/* Timeouts in milliseconds (0 keeps the current value). */
void http_set_timeouts(http_conn *p, long connect_ms, long total_ms);

/* Verify TLS peers against this CA bundle file instead of the system
** store. SQLITE_OK or SQLITE_NOMEM. */
int http_set_ca_bundle(http_conn *p, const char *zPath);

/*
** Start a POST of body to url with exactly the headers given (libcurl adds
** none that matter: no Expect, no Accept). body must stay valid until the
** request is done. SQLITE_OK, SQLITE_BUSY when HTTP_MAX_IN_FLIGHT requests
** are in flight, or SQLITE_NOMEM.
*/
int http_begin(http_conn *p, http_req *r, const char *url, const http_header *aHdr,
               int nHdr, const char *body, size_t nbody);

/*
** Drive the transfers for up to timeout_ms (0: do not wait) and return one
** request that has finished in *pDone (NULL if none has). A finished
** request has r->done set and r->resp filled: a response of any status, or
** a transfer error in resp.curl_code. SQLITE_OK or SQLITE_NOMEM.
*/
int http_poll(http_conn *p, int timeout_ms, http_req **pDone);

/* Release a request (in flight or done) and its response body. */
void http_end(http_conn *p, http_req *r);

/* The value of response header zName (case-insensitive) of a finished
** request, until http_end(); NULL when there is none. */
const char *http_response_header(const http_req *r, const char *zName);

/* The answer's Date header (RFC 7231: whole seconds, the server's clock)
** in ms since the epoch; 0 when it has none or it does not parse. */
sqlite3_int64 http_response_date_ms(const http_req *r);

/* How many requests are in flight. */
int http_in_flight(const http_conn *p);

/* Is a transfer error worth retrying (connection refused, reset, timeout)
** rather than permanent (bad URL, unsupported protocol, TLS verification)? */
int http_is_retryable(int curl_code);

/* Was the connection refused (nothing listening, or unreachable)? */
int http_is_refused(int curl_code);

/* "host[:port]" as libcurl will send it in Host:, and the path, of a URL.
** sqlite3_malloc()ed; SQLITE_OK, SQLITE_ERROR (invalid URL) or NOMEM. */
int http_url_parts(const char *url, char **pzHost, char **pzPath);

/*
** One blocking request on an easy handle of its own, apart from any
** http_conn: for the credential endpoints (STS, instance metadata, the
** container endpoint, IAM Identity Center), asked once in a long while.
** zMethod is "GET", "PUT" or "POST" (body may be NULL, then nothing is
** sent); exactly the headers given are sent (none that libcurl would add
** matters); no redirect is followed; connecting and the whole transfer
** each get timeout_ms; zCaBundle NULL: the system store. The answer, of
** any status, or a transfer error in resp->curl_code and resp->error, is
** in *resp, which the caller releases with http_response_clear(). A body
** larger than HTTP_MAX_FETCH is a transfer error. abort (NULL: none) is
** asked while the request is in flight, at least about once a second
** (libcurl's progress callback): when it says so the transfer stops there
** and http_fetch returns SQLITE_INTERRUPT, with nothing in *resp to
** release. SQLITE_OK, SQLITE_INTERRUPT or SQLITE_NOMEM.
*/
#define HTTP_MAX_FETCH (1 << 20)
typedef struct http_abort {
  int (*xAborted)(void *ctx); /* non-zero: stop (sqlite3_interrupt() was called) */
  void *ctx;
} http_abort;
int http_fetch(const char *zMethod, const char *zUrl, const http_header *aHdr, int nHdr,
               const char *body, size_t nbody, long timeout_ms, const char *zCaBundle,
               const http_abort *abort, http_response *resp);

/* Has abort (NULL: none) been asked to stop? */
int http_aborted(const http_abort *abort);

/* Free a response's body, overwritten first (it may hold credentials). */
void http_response_clear(http_response *resp);

/* Version of libcurl, for dynamo_debug(). */
const char *http_version(void);

#endif
