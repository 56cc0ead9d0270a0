/*
** The formats of temporary credentials, pure (no I/O; the clock is passed
** in): what STS, the container and instance metadata endpoints, IAM
** Identity Center (SSO) and a credential_process answer, read into one
** cp_creds; the STS query-protocol form; the SSO token cache file and the
** OIDC CreateToken answer; credential_process's command line split into
** words as botocore splits it (Python's shlex.split); and when credentials
** that expire are due for a refresh.
**
** Every message is plain text without the "dynamo: " prefix (creds.c adds
** it with the source's name) and never holds a secret: an answer that
** carries credentials is never quoted, only error answers are.
*/
#ifndef DYNAMO_CREDPARSE_H
#define DYNAMO_CREDPARSE_H

#include "common.h"

typedef struct cp_creds {
  char *access_key_id;     /* sqlite3_malloc()ed */
  char *secret_access_key; /* wiped before it is freed */
  char *session_token;     /* NULL when there is none; wiped too */
  sqlite3_int64 expires;   /* unix time in ms; 0: does not expire */
  char *account_id;        /* the account the answer names (STS: its
                           ** AssumedRoleUser's ARN; credential_process and
                           ** the container: AccountId), else NULL */
} cp_creds;

/* Free (wiping the secrets) and zero. */
void cp_creds_clear(cp_creds *c);

/* Overwrite and free a string that held a secret (NULL is fine). */
void cp_wipe_free(char *z);

/*
** Unix time in ms of an ISO 8601 date and time: "2024-05-01T12:00:00Z",
** with fractions of a second, a lowercase 'z' or ' ' for 'T', or an
** offset ("+02:00", "-0130"). SQLITE_OK, or SQLITE_ERROR when it is none.
*/
int cp_parse_time(const char *z, sqlite3_int64 *pMs);

/* "2024-05-01T12:00:00Z" (whole seconds) of a unix time in ms. */
void cp_format_time(sqlite3_int64 ms, char zBuf[32]);

/*
** An STS answer (query protocol, XML) of AssumeRole or
** AssumeRoleWithWebIdentity. Status 200: the Credentials element, every
** field required. Otherwise the Error's Code and Message in *pzErr
** ("AccessDenied: User ... is not authorized"), or an excerpt of a body
** that has none; *pzCode then holds the Code ("" when none), so that the
** caller can tell throttling from a final refusal. Returns SQLITE_OK,
** SQLITE_ERROR with *pzErr set, or SQLITE_NOMEM. pzCode may be NULL.
*/
int cp_parse_sts(const char *zBody, size_t n, long status, cp_creds *pOut,
                 char **pzCode, char **pzErr);

/*
** The text of the first element zName inside the first element zParent
** (NULL: anywhere in the body), with XML's five named entities and
** numeric character references decoded and surrounding white space
** removed; NULL when there is none or on a bad reference. An element with
** a namespace prefix ("<sts:Code>") is not found. sqlite3_malloc()ed.
*/
char *cp_xml_text(const char *zBody, size_t n, const char *zParent,
                  const char *zName);

/* Who answered in JSON, for cp_parse_json(). */
enum cp_format {
  CP_PROCESS,   /* credential_process: Version 1, AccessKeyId,
                ** SecretAccessKey, SessionToken?, Expiration? */
  CP_CONTAINER, /* AccessKeyId, SecretAccessKey, Token, Expiration */
  CP_IMDS,      /* the same, with Code "Success" when it is there */
  CP_SSO        /* {"roleCredentials": {accessKeyId, secretAccessKey,
                ** sessionToken, expiration (ms)}} */
};

/*
** A JSON answer that carries credentials. SQLITE_OK, SQLITE_ERROR with
** *pzErr naming what is wrong ("the answer has no SecretAccessKey"), or
** SQLITE_NOMEM.
*/
int cp_parse_json(int eFormat, const char *zBody, size_t n, cp_creds *pOut,
                  char **pzErr);


/*
** An application/x-www-form-urlencoded body (or query string) from name,
** value pairs ending with a NULL name; a pair whose value is NULL is left
** out. Every byte but A-Z a-z 0-9 - _ . ~ is percent-encoded.
*/
char *cp_form(const char *const *azPair);

/*
** A command line split into words as Python's shlex.split() does it (what
** botocore runs credential_process with; no shell is involved): white
** space separates words, '...' is literal, "..." is literal except \" and
** \\, a backslash outside quotes takes the next character literally.
** *pazArg is a NULL-terminated array of *pnArg words, freed with
** cp_free_words(). SQLITE_OK, SQLITE_ERROR (*pzErr: an unclosed quote, a
** backslash at the end, no word at all) or SQLITE_NOMEM.
*/
int cp_split_words(const char *z, char ***pazArg, int *pnArg, char **pzErr);
void cp_free_words(char **azArg);

/*
** Is a credential due for a refresh, at time now, fetched at time
** fetched, expiring at expires (all ms; expires 0: never)? Returns
** CP_FRESH, CP_ADVISORY (refresh, but keep the old ones if that fails) or
** CP_MANDATORY (a refresh must succeed; also once expired). The windows
** are botocore's, 15 and 10 minutes before expiry, for credentials that
** live an hour or more; shorter lives get a quarter and a sixth of their
** life (cp_windows), so that credentials of a few minutes are not
** refreshed before every request.
*/
#define CP_FRESH 0
#define CP_ADVISORY 1
#define CP_MANDATORY 2
int cp_refresh_due(sqlite3_int64 now, sqlite3_int64 fetched,
                   sqlite3_int64 expires);
void cp_windows(sqlite3_int64 life, sqlite3_int64 *pAdvisory,
                sqlite3_int64 *pMandatory);

/* ---- IAM Identity Center (SSO) ------------------------------------------ */

/* The hex SHA-1 of the sso_session name (or, for the legacy keys, the
** start URL): the cache file's name without ".json". */
int cp_sso_cache_name(const char *z, char zOut[41]);

/* The token `aws sso login` cached (~/.aws/sso/cache/NAME.json). */
typedef struct cp_sso_token {
  char *access_token;         /* wiped before it is freed */
  sqlite3_int64 expires;      /* ms */
  char *refresh_token;        /* NULL when absent; wiped */
  char *client_id;            /* NULL when absent */
  char *client_secret;        /* NULL when absent; wiped */
  char *registration_expires; /* the text, NULL when absent */
  sqlite3_int64 reg_expires;  /* ms, 0 when absent or unreadable */
} cp_sso_token;

/* accessToken and expiresAt are required; the refresh fields optional. */
int cp_parse_sso_token(const char *zText, size_t n, cp_sso_token *pOut,
                       char **pzErr);
void cp_sso_token_clear(cp_sso_token *t);

/* Can the token be refreshed with CreateToken at time now: refreshToken,
** clientId, clientSecret and a registrationExpiresAt still ahead? */
int cp_sso_can_refresh(const cp_sso_token *t, sqlite3_int64 now);

/* The JSON body of an OIDC CreateToken with the refresh_token grant. */
char *cp_oidc_request(const cp_sso_token *t);

/*
** An OIDC CreateToken answer (200): accessToken and expiresIn (seconds)
** required, refreshToken optional; the new token's expiry is now +
** expiresIn. The refreshed token is written into *pTok (its registration
** fields kept, refreshToken replaced by the answer's, or dropped when the
** answer has none, as botocore does).
*/
int cp_parse_oidc(const char *zBody, size_t n, sqlite3_int64 now,
                  cp_sso_token *pTok, char **pzErr);

/* The cache file's new text after a refresh, the fields botocore writes:
** startUrl, region, accessToken, expiresAt, clientId, clientSecret,
** registrationExpiresAt, refreshToken (when there is one). */
char *cp_sso_token_json(const cp_sso_token *t, const char *zStartUrl,
                        const char *zRegion);

/* A short excerpt of a body for a message (an HTML error page, an answer
** that is not what was expected): at most nMax (< 256) characters,
** printable ASCII only (the bytes may not be UTF-8, and a message must be),
** runs of spaces and control characters as one space, "..." when cut,
** "(empty)" for nothing. sqlite3_malloc()ed. ddb.c's error bodies use it
** too. */
char *cp_excerpt(const char *z, size_t n, size_t nMax);

#endif
