/*
** Where a table's region, endpoint and credentials come from, following the
** AWS CLI. Pure except for reading the shared config/credentials files; the
** environment is passed in as a function so that tests control it.
**
**   credentials: the profile= option (like the CLI's --profile) selects that
**                profile and skips the environment; otherwise
**                AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN),
**                else the profile AWS_PROFILE or "default" in
**                AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials), then in
**                AWS_CONFIG_FILE (~/.aws/config, section [profile NAME] or
**                [default]). A profile named by the option or AWS_PROFILE
**                must exist in one of the files. Profiles using role_arn,
**                web_identity_token_file, sso_* or credential_process are
**                refused.
**   region:      option, AWS_REGION, AWS_DEFAULT_REGION, the profile's region
**                (config file only).
**   endpoint:    option, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL, the
**                profile's services/dynamodb endpoint_url, the profile's
**                endpoint_url, else https://dynamodb.REGION.amazonaws.com
**                (.com.cn for cn-*); AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true
**                (or the profile's ignore_configured_endpoint_urls) skips the
**                environment and the files. One trailing '/' is dropped; the
**                URL must start with http:// or https://.
**
** Empty environment variables count as unset.
*/
#ifndef DYNAMO_CONFIG_H
#define DYNAMO_CONFIG_H

#include "common.h"

/* Returns a variable of the environment or NULL; HOME is read through it
** too. cfg_resolve() uses getenv() when given NULL. */
typedef const char *(*cfg_getenv_fn)(const char *name);

typedef struct cfg_options {   /* from CREATE VIRTUAL TABLE; NULL = unset */
  const char *region;
  const char *endpoint;
  const char *profile;
} cfg_options;

typedef struct cfg_resolved {  /* every string sqlite3_malloc()ed */
  char *region;
  char *endpoint;              /* URL without trailing slash */
  char *access_key_id;
  char *secret_access_key;
  char *session_token;         /* NULL when there is none */
  char *profile;               /* the profile consulted ("default" ...) */
  char *credentials_source;    /* e.g. "environment", "profile default in
                               ** /root/.aws/credentials": for dynamo_debug,
                               ** never contains a secret */
  char *region_source;         /* e.g. "AWS_REGION" */
  char *endpoint_source;       /* e.g. "endpoint option" */
} cfg_resolved;

/*
** Resolve everything. Returns SQLITE_OK and fills *out, or an error code
** with *pzErr set to a sqlite3_malloc()ed message (which names every place
** that was looked at when credentials or region are missing, and never
** contains a secret). *out is zeroed on error.
*/
int cfg_resolve(const cfg_options *opt, cfg_getenv_fn get_env,
                cfg_resolved *out, char **pzErr);
void cfg_resolved_free(cfg_resolved *r);

#endif
