/*
** HTTP transport over libcurl: one easy handle per table connection, kept
** alive between requests, with connect and total timeouts. Knows nothing of
** DynamoDB or signing.
*/
#ifndef DYNAMO_HTTP_H
#define DYNAMO_HTTP_H

#include "common.h"

typedef struct http_conn http_conn;

typedef struct http_header {
  const char *name;
  const char *value;
} http_header;

typedef struct http_response {
  long status;         /* HTTP status, 0 when there was no response */
  int curl_code;       /* CURLcode; 0 on a transfer that completed */
  char *body;          /* sqlite3_malloc()ed, NUL-terminated, or NULL */
  size_t nbody;
  char error[256];     /* libcurl's description when curl_code != 0 */
} http_response;

/* Process-wide libcurl initialisation; safe to call more than once. */
int http_global_init(void);

int http_open(http_conn **pp);
void http_close(http_conn *p);

/* Timeouts in milliseconds (0 keeps libcurl's default). */
void http_set_timeouts(http_conn *p, long connect_ms, long total_ms);

/*
** POST body to url with exactly the headers given (libcurl adds none that
** matter: no Expect, no Accept). Returns SQLITE_OK when a response, of any
** status, was received or a transfer error was recorded in out->curl_code;
** SQLITE_NOMEM otherwise. The caller frees out->body with sqlite3_free().
*/
int http_post(http_conn *p, const char *url, const http_header *aHdr, int nHdr,
              const char *body, size_t nbody, http_response *out);

/* Is a transfer error worth retrying (connection refused, reset, timeout)
** rather than permanent (bad URL, unsupported protocol, TLS verification)? */
int http_is_retryable(int curl_code);

/* "host[:port]" as libcurl will send it in Host:, and the path, of a URL.
** sqlite3_malloc()ed; SQLITE_OK, SQLITE_ERROR (invalid URL) or NOMEM. */
int http_url_parts(const char *url, char **pzHost, char **pzPath);

/* Version of libcurl, for dynamo_debug(). */
const char *http_version(void);

#endif
