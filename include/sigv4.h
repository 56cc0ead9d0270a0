/*
** AWS Signature Version 4, pure: no I/O, no clock. The caller passes the
** time, the request as it will be sent and the credentials; every stage of
** the algorithm is returned so that tests can compare each one with the AWS
** test suite (../shared/vectors/sigv4).
*/
#ifndef DYNAMO_SIGV4_H
#define DYNAMO_SIGV4_H

#include "common.h"
#include <time.h>

typedef struct sigv4_header {
  const char *name;            /* as sent, any case: "Content-Type" */
  const char *value;           /* as sent (may need trimming / folding) */
} sigv4_header;

/* What a caller that signs many requests keeps between them (as the AWS
** SDKs do): the signing key of the last scope, which changes once a day and
** costs four HMACs to derive, and SHA-256 and HMAC fetched from OpenSSL once
** rather than looked up by name for every request. Zero it before first
** use and release it with sigv4_cache_clear(). */
typedef struct sigv4_cache {
  char *secret;                /* the secret the key was derived from (a copy) */
  char scope[96];              /* "20150830/us-east-1/service" */
  unsigned char key[32];
  struct evp_md_st *md;        /* EVP_MD of SHA-256 */
  struct evp_mac_ctx_st *mac;  /* EVP_MAC_CTX of HMAC with SHA-256 */
} sigv4_cache;

typedef struct sigv4_input {
  const char *method;          /* "POST" */
  const char *path;            /* request path as sent, e.g. "/" */
  const char *query;           /* query string without '?', or NULL/"" */
  const sigv4_header *headers; /* headers that will be sent, Host included */
  int nheader;                 /* (x-amz-date, the token and Authorization
                               ** are added by the signer, not given here) */
  const void *body;            /* request payload, may be NULL when nbody==0 */
  size_t nbody;
  const char *access_key_id;
  const char *secret_access_key;
  const char *session_token;   /* NULL or "" when there is none */
  const char *region;          /* "us-east-1" */
  const char *service;         /* "dynamodb" */
  time_t now;                  /* seconds since the epoch, UTC */
  int sign_body;               /* add and sign x-amz-content-sha256 */
  int normalize_path;          /* RFC 3986 normalisation of the path */
  int omit_session_token;      /* 1: token header is added after signing
                               ** and is not part of the signature */
  sigv4_cache *cache;          /* NULL: derive and look up every time */
} sigv4_input;

typedef struct sigv4_output {
  char amz_date[17];           /* "20150830T123600Z" */
  char payload_hash[65];       /* lowercase hex SHA-256 of the body */
  char signature[65];          /* lowercase hex */
  char *canonical_request;     /* sqlite3_malloc()ed, owned by the output */
  char *string_to_sign;        /* sqlite3_malloc()ed */
  char *signed_headers;        /* "content-type;host;x-amz-date" */
  char *authorization;         /* value of the Authorization header */
} sigv4_output;

/*
** Sign a request. On success returns SQLITE_OK and fills *out, which the
** caller releases with sigv4_output_free(). On failure (SQLITE_NOMEM, or
** SQLITE_ERROR for an invalid input) *out is left zeroed.
**
** The caller then sends, besides its own headers: "X-Amz-Date: amz_date",
** "X-Amz-Security-Token: token" when there is one, "x-amz-content-sha256:
** payload_hash" when sign_body, and "Authorization: authorization".
*/
int sigv4_sign(const sigv4_input *in, sigv4_output *out);
void sigv4_output_free(sigv4_output *out);
void sigv4_cache_clear(sigv4_cache *cache);

#endif
