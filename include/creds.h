/*
** The credentials a table signs with: fetched from the source config.c
** chose (a cfg_source), kept, and refreshed before they expire.
**
**   creds_open(src, &set, ab, &p, &zErr) fetch the first ones (errors show
**                                      at once, at the table's first use)
**   creds_get(p, ab, &k, &zErr)        the current ones, refreshed first
**                                      when due; sign with k, then
**   creds_release(p, k)
**   creds_renew(p, k->gen, ab, &zErr)  the server said they expired: fetch
**                                      new ones (unless that happened since)
**   creds_close(p)
**
** ab (http.h; NULL: none) is the caller's abort hook, sqlite3_interrupt()
** on its connection: every fetch looks at it, in flight (http_fetch), in
** the waits between attempts and while credential_process runs (killed
** then). Stopped, a fetch is SQLITE_INTERRUPT, "dynamo: WHERE: interrupted
** ...": nothing it got is kept, the credentials held before stay.
**
** Sources: static keys (never refreshed), credential_process (run without
** a shell, stdin /dev/null, stopped after DYNAMO_CREDENTIAL_PROCESS_TIMEOUT_MS,
** default 60000), STS AssumeRole (SigV4, service sts, with the credentials of
** the role's source, a provider of its own) and AssumeRoleWithWebIdentity
** (unsigned, the token file read at every fetch), IAM Identity Center (the
** login `aws sso login` cached, refreshed through SSO OIDC CreateToken
** within 15 minutes of its expiry and written back, then
** GetRoleCredentials), the container endpoint (2 s, 3 attempts, as botocore)
** and EC2 instance metadata (IMDSv2 token, role name, credentials, with the
** configured timeout and attempts).
**
** Refresh: cp_refresh_due() (credparse.h) says when: in the advisory window
** a failed refresh keeps the old credentials; in the mandatory window, or
** once expired, it is an error. A provider serves one ddb_client; a mutex
** makes it safe from any thread, and credentials handed out stay valid
** until released, whatever refresh happens meanwhile.
**
** Messages start "dynamo: ", name the source (`profile "dev" (role_arn in
** /home/u/.aws/config)`) and never hold a secret.
*/
#ifndef DYNAMO_CREDS_H
#define DYNAMO_CREDS_H

#include "common.h"
#include "config.h"
#include "http.h"

typedef struct creds_provider creds_provider;

/* One set of credentials: immutable once made, shared by reference. */
typedef struct creds_keys {
  char *access_key_id;
  char *secret_access_key;
  char *session_token;   /* NULL when there is none */
  sqlite3_int64 expires; /* unix time in ms; 0: does not expire */
  char *account_id;      /* the account they belong to, when known (the
                         ** answer's, else the source's: cfg_source) */
  unsigned gen;          /* which fetch of the provider made them (1, 2...) */
  int refs;              /* private */
} creds_keys;

typedef struct creds_settings {
  long timeout_ms;       /* one request to STS or IAM Identity Center */
  const char *ca_bundle; /* NULL: the system store */
  void *owner;           /* dynamo_debug() lists the providers of an owner
                         ** (a connection); NULL: not listed */
} creds_settings;

/* src is borrowed: it must outlive the provider. */
int creds_open(const cfg_source *src, const creds_settings *set, const http_abort *ab,
               creds_provider **pp, char **pzErr);
void creds_close(creds_provider *p);

int creds_get(creds_provider *p, const http_abort *ab, const creds_keys **pk, char **pzErr);
void creds_release(creds_provider *p, const creds_keys *k);
int creds_renew(creds_provider *p, unsigned gen, const http_abort *ab, char **pzErr);

/* Overwrite with '*' every secret of the provider's current credentials
** (and its source's) that appears in z: a server may echo what it got. */
void creds_redact(creds_provider *p, char *z);

/* The name dynamo_debug() shows for it (the table); the first one stays. */
void creds_label(creds_provider *p, const char *zLabel);

/* Append to s one line per provider of owner: its label, source, and when
** its credentials expire; "Credentials: none yet" when there is none. */
void creds_debug(void *owner, sqlite3_str *s);

#endif
