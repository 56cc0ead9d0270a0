/*
** Where a table's region, endpoint and credentials come from, following the
** AWS CLI (botocore). Pure except for reading the shared config and
** credentials files; the environment is passed in as a function so that
** tests control it. Nothing here talks to the network: for credentials
** that must be fetched, cfg_resolve() says from where and how (a
** cfg_source), and creds.c fetches them.
**
**   profile:     the profile= option, else AWS_DEFAULT_PROFILE, else
**                AWS_PROFILE, else "default". A profile named by any of
**                them must exist in one of the two files. A profile's
**                settings are its config-file section ([profile NAME], or
**                [default]) with its credentials-file section ([NAME]) on
**                top.
**   credentials: the first of these that the files and the environment
**                configure, in botocore's order (one that is configured
**                but wrong is an error, never a fall-through):
**                 1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (token:
**                    AWS_SECURITY_TOKEN or AWS_SESSION_TOKEN), unless the
**                    profile= option is given;
**                 2. role_arn (without web_identity_token_file): AssumeRole
**                    with the credentials of source_profile (recursively)
**                    or of credential_source (Environment,
**                    Ec2InstanceMetadata, EcsContainer); mfa_serial refused;
**                 3. AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (not with
**                    the profile= option), or web_identity_token_file +
**                    role_arn: AssumeRoleWithWebIdentity;
**                 4. sso_account_id / sso_role_name with sso_session (its
**                    [sso-session NAME] section) or the legacy
**                    sso_start_url + sso_region: IAM Identity Center;
**                 5. aws_access_key_id in the credentials file;
**                    login_session refused; credential_process;
**                    aws_access_key_id in the config file;
**                 6. AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI;
**                 7. EC2 instance metadata, unless AWS_EC2_METADATA_DISABLED
**                    is true: the last resort, whose failure means "no
**                    credentials found" (cfg_source.fallback).
**   region:      option, AWS_REGION, AWS_DEFAULT_REGION, the profile's region
**                (config file only).
**   region:      a table ARN's (table=arn:aws:dynamodb:REGION:...) comes
**                right after the option (which must then agree with it).
**   endpoint:    option, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL, the
**                profile's services/dynamodb endpoint_url, the profile's
**                endpoint_url; AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true
**                (or the profile's ignore_configured_endpoint_urls) skips the
**                environment and the files. One trailing '/' is dropped; the
**                URL must be http:// or https:// with a host and no user
**                name, query or fragment (url.h). Otherwise DynamoDB's
**                endpoint rule set (endpoint.h) from the region,
**                AWS_USE_FIPS_ENDPOINT / use_fips_endpoint,
**                AWS_USE_DUALSTACK_ENDPOINT / use_dualstack_endpoint,
**                AWS_ACCOUNT_ID_ENDPOINT_MODE / account_id_endpoint_mode, the
**                table's ARN and the account ID the credentials name
**                (AWS_ACCOUNT_ID with the environment's keys, aws_account_id
**                beside a profile's keys or credential_process, sso_account_id;
**                the others say it once fetched: creds.h). STS, the SSO portal
**                and SSO OIDC are found the same way (AWS_ENDPOINT_URL_STS,
**                AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL_SSO_OIDC, services
**                keys sts, sso, sso_oidc), never from the endpoint option.
**   retries:     AWS_RETRY_MODE / retry_mode, AWS_MAX_ATTEMPTS /
**                max_attempts (retry.h has what they mean).
**
** Empty environment variables count as unset.
*/
#ifndef DYNAMO_CONFIG_H
#define DYNAMO_CONFIG_H

#include "common.h"
#include "endpoint.h"

/* Returns a variable of the environment or NULL; HOME is read through it
** too. cfg_resolve() uses getenv() when given NULL. */
typedef const char *(*cfg_getenv_fn)(const char *name);

typedef struct cfg_options {   /* from CREATE VIRTUAL TABLE; NULL = unset */
  const char *region;
  const char *endpoint;
  const char *profile;
  const char *table;   /* the table= option: its ARN names region and account */
  int streams;         /* the endpoint of DynamoDB Streams, not DynamoDB's:
                       ** AWS_ENDPOINT_URL_DYNAMODB_STREAMS or the profile's
                       ** services dynamodb_streams endpoint_url; else the
                       ** table's configured endpoint unless it is one of
                       ** DynamoDB's AWS endpoints (DynamoDB Local serves
                       ** Streams on its own port; botocore would go to the
                       ** rule set); else Streams' rule set (endpoint.h) */
} cfg_options;

/* How a source gives credentials. */
typedef enum cfg_kind {
  CFG_STATIC = 1,   /* keys at hand: the environment or a profile's keys */
  CFG_PROCESS,      /* credential_process: a command prints them */
  CFG_ASSUME_ROLE,  /* role_arn: STS AssumeRole, signed with source's */
  CFG_WEB_IDENTITY, /* STS AssumeRoleWithWebIdentity with a token file */
  CFG_SSO,          /* IAM Identity Center: the cached login's token,
                    ** then GetRoleCredentials */
  CFG_CONTAINER,    /* the ECS/EKS container credentials endpoint */
  CFG_IMDS          /* EC2 instance metadata, IMDSv2 */
} cfg_kind;

/* One source of credentials and what fetching from it needs. Every string
** is sqlite3_malloc()ed, NULL when unset; secrets are wiped when freed. */
typedef struct cfg_source cfg_source;
struct cfg_source {
  cfg_kind kind;
  char *where;            /* names it in messages and dynamo_debug(), never
                          ** a secret: `profile "dev" (role_arn in
                          ** /home/u/.aws/config)`, `environment
                          ** (AWS_ACCESS_KEY_ID)` */
  char *profile;          /* its profile; NULL for the environment, the
                          ** container and instance metadata */
  char *account_id;       /* the account the configuration names for these
                          ** credentials: AWS_ACCOUNT_ID with the
                          ** environment's keys, aws_account_id beside a
                          ** profile's keys or credential_process (which may
                          ** print its own), sso_account_id; else NULL */
  /* CFG_STATIC */
  char *access_key_id;
  char *secret_access_key;
  char *session_token;    /* NULL when there is none */
  /* CFG_PROCESS */
  char *command;          /* the command line, split as shlex.split does */
  /* CFG_ASSUME_ROLE, CFG_WEB_IDENTITY */
  char *role_arn;
  char *role_session_name;/* NULL: "dynamo-session-TIME" */
  char *external_id;
  int duration_seconds;   /* 0: STS's default (an integer, else ignored,
                          ** as botocore ignores it) */
  char *token_file;       /* web identity: read again at every fetch */
  cfg_source *source;     /* assume role: whose credentials sign it */
  /* every kind that fetches */
  char *url;              /* STS, the SSO portal, the container endpoint, or
                          ** the instance metadata base URL */
  char *region;           /* the signing region of STS; SSO: sso_region */
  /* CFG_SSO */
  char *sso_start_url;
  char *sso_session;      /* NULL for the legacy keys (no refresh) */
  char *sso_account_id;
  char *sso_role_name;
  char *oidc_url;         /* SSO OIDC, CreateToken (with sso_session) */
  char *token_cache;      /* ~/.aws/sso/cache/SHA1.json */
  /* CFG_CONTAINER */
  char *auth_token;       /* AWS_CONTAINER_AUTHORIZATION_TOKEN */
  char *auth_token_file;  /* AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, read
                          ** at every fetch (it wins over auth_token) */
  /* CFG_IMDS */
  long timeout_ms;        /* metadata_service_timeout, 1 s */
  int attempts;           /* metadata_service_num_attempts, 1 */
  int v1_disabled;        /* ec2_metadata_v1_disabled: no fallback to IMDSv1 */
  int fallback;           /* the chain's last resort: when it fails, no
                          ** credentials were found */
  char *looked_in;        /* with fallback: the places looked at before,
                          ** for that message */
};

typedef struct cfg_resolved {  /* every string sqlite3_malloc()ed */
  char *region;
  char *endpoint;              /* URL without trailing slash: the configured
                               ** one, else the rule set's with the account
                               ** the configuration names (ddb.c resolves it
                               ** again with the credentials' account) */
  char *profile;               /* the profile consulted ("default" ...) */
  cfg_source *creds;           /* where the credentials come from */
  char *region_source;         /* e.g. "AWS_REGION" */
  char *endpoint_source;       /* e.g. "endpoint option" */
  /* the endpoint rule set's parameters (endpoint.h) */
  int configured;              /* endpoint was configured, not resolved */
  int streams;                 /* it is DynamoDB Streams' (cfg_options) */
  int use_fips, use_dualstack;
  endpoint_account_mode account_mode;
  char *table_arn;             /* the table= option when it is a table ARN */
  char *endpoint_settings;     /* where FIPS, dual-stack and the account
                               ** mode came from, for dynamo_debug() */
  int account_pending;         /* the credentials may name the account once
                               ** fetched (a role, a container,
                               ** credential_process): ddb.c resolves again */
  /* retries (retry.h): as configured, 0 / NULL when not */
  int retry_mode;              /* a retry_mode */
  int max_attempts;
  char *retry_mode_source;     /* "AWS_RETRY_MODE", "retry_mode in FILE" */
  char *max_attempts_source;
} cfg_resolved;

/*
** Resolve everything. Returns SQLITE_OK and fills *out, or an error code
** with *pzErr set to a sqlite3_malloc()ed message (which names every place
** that was looked at when credentials or region are missing, and never
** contains a secret). *out is zeroed on error. Looks up the SSO cache
** file's name (SHA-1) but reads no file besides the two AWS files.
*/
int cfg_resolve(const cfg_options *opt, cfg_getenv_fn get_env,
                cfg_resolved *out, char **pzErr);

/* The endpoint_source of a URL the rule set gave for r: "default for
** region R[, FIPS][, dual-stack][, account A from ZACCOUNTFROM]".
** sqlite3_malloc()ed; NULL when out of memory. */
char *cfg_rule_source(const cfg_resolved *r, const char *zUrl, const char *zAccountFrom);
void cfg_resolved_free(cfg_resolved *r);

#endif
