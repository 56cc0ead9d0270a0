/*
** Region, endpoint and credentials, resolved as the AWS CLI (botocore) does;
** the order is in include/config.h. cfg_resolve() runs four steps over a
** resolver that holds both parsed files:
**
**   resolve_credentials()  botocore's chain: the environment (unless the
**                          profile option is set), then the profile's
**                          sources (profile_chain(), which a role's
**                          source_profile runs again), then the container
**                          endpoint and instance metadata. The result is a
**                          cfg_source, or a chain of them for a role.
**   resolve_region()       option, the table ARN's, AWS_REGION,
**                          AWS_DEFAULT_REGION, profile.
**   resolve_endpoint()     option, environment, [services NAME] dynamodb
**                          block, profile endpoint_url; else the rule set
**                          (endpoint.c) with FIPS, dual-stack, the account
**                          ID mode and the account the configuration names.
**   resolve_retries()      retry_mode and max_attempts.
**   sts_endpoints()        the same for STS, for each role in the chain.
**
** The files are read by ini.c, as botocore's configparser reads them.
**
** Empty environment variables and empty file values count as unset. Options
** are used as given (an empty one fails validation). No message and no
** *_source string contains a secret; secrets are wiped before being freed.
*/
#include "common.h"
#include "config.h"
#include "credparse.h"
#include "endpoint.h"
#include "ini.h"
#include "retry.h"
#include "url.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Resolution ------------------------------------------------------- */

#define MAX_CHAIN 16 /* profiles in one source_profile chain */

/* A profile: its section in each file, or -1. */
typedef struct prof {
  const char *name;
  int csec, psec;
} prof;

typedef struct resolver {
  const cfg_options *opt;
  cfg_getenv_fn get_env;
  prof top; /* the profile the table uses */
  ini_file cred, conf;
  const char *visited[MAX_CHAIN]; /* source_profile chain, top first */
  int nvisited;
  int oom;
  cfg_resolved r;
  char *err;
} resolver;

static int fail(resolver *x, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  x->err = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  return x->err ? SQLITE_ERROR : SQLITE_NOMEM;
}

static const char *std_getenv(const char *name) { return getenv(name); }

/* An environment variable; empty counts as unset. */
static const char *env(const resolver *x, const char *name) {
  const char *v = x->get_env(name);
  return v && *v ? v : NULL;
}

static int is_true(const char *v) { return v && sqlite3_stricmp(v, "true") == 0; }

/* VAR if set ("~/" expanded), else ~/.aws/NAME. */
static int file_path(resolver *x, ini_file *f, const char *var,
                     const char *name) {
  const char *v = env(x, var), *home = env(x, "HOME");
  f->can_open = 1;
  if (v && home && v[0] == '~' && (v[1] == '/' || v[1] == 0))
    f->path = sqlite3_mprintf("%s%s", home, v + 1);
  else if (v)
    f->path = sqlite3_mprintf("%s", v);
  else if (home)
    f->path = sqlite3_mprintf("%s%s.aws/%s", home,
                              home[strlen(home) - 1] == '/' ? "" : "/", name);
  else {
    f->can_open = 0;
    f->path = sqlite3_mprintf("~/.aws/%s (HOME is not set)", name);
  }
  return f->path ? SQLITE_OK : SQLITE_NOMEM;
}

static char *str_dup(const char *s) { return sqlite3_mprintf("%s", s); }

/* A copy owned by a source; NULL stays NULL. Running out of memory is
** remembered in x->oom and reported once the chain is built. */
static char *xdup(resolver *x, const char *z) {
  char *r;
  if (!z) return NULL;
  if (!(r = sqlite3_mprintf("%s", z))) x->oom = 1;
  return r;
}

static char *xprintf(resolver *x, const char *fmt, ...) {
  va_list ap;
  char *r;
  va_start(ap, fmt);
  r = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  if (!r) x->oom = 1;
  return r;
}

static prof prof_of(const resolver *x, const char *name) {
  prof p;
  p.name = name;
  p.csec = ini_section(&x->cred, NULL, name);
  p.psec = ini_profile(&x->conf, name);
  return p;
}

/* A setting of the profile: the credentials file's, else the config
** file's (botocore's merged profile). */
static const char *pget(const resolver *x, const prof *p, const char *key) {
  const char *v = ini_get(&x->cred, p->csec, key, NULL);
  return v ? v : ini_get(&x->conf, p->psec, key, NULL);
}

/* The file pget() found KEY in. */
static const char *pfile(const resolver *x, const prof *p, const char *key) {
  return ini_get(&x->cred, p->csec, key, NULL) ? x->cred.path : x->conf.path;
}

/* `profile "NAME" (KEY in FILE)`: where a source was configured. */
static char *where_key(resolver *x, const prof *p, const char *key,
                       const char *value) {
  return xprintf(x, "profile \"%s\" (%s%s%s in %s)", p->name, key,
                 value ? " " : "", value ? value : "", pfile(x, p, key));
}

/* A new source in *pp, owning WHERE (may be NULL: out of memory). */
static cfg_source *new_source(resolver *x, cfg_kind kind, char *where,
                              const prof *p, cfg_source **pp) {
  cfg_source *s = sqlite3_malloc(sizeof(*s));
  if (!s) {
    x->oom = 1;
    sqlite3_free(where);
    return NULL;
  }
  memset(s, 0, sizeof(*s));
  s->kind = kind;
  s->where = where;
  s->profile = p ? xdup(x, p->name) : NULL;
  *pp = s;
  return s;
}

static void source_free(cfg_source *s) {
  while (s) {
    cfg_source *next = s->source;
    sqlite3_free(s->where);
    sqlite3_free(s->profile);
    sqlite3_free(s->account_id);
    sqlite3_free(s->access_key_id);
    cp_wipe_free(s->secret_access_key);
    cp_wipe_free(s->session_token);
    sqlite3_free(s->command);
    sqlite3_free(s->role_arn);
    sqlite3_free(s->role_session_name);
    sqlite3_free(s->external_id);
    sqlite3_free(s->token_file);
    sqlite3_free(s->url);
    sqlite3_free(s->region);
    sqlite3_free(s->sso_start_url);
    sqlite3_free(s->sso_session);
    sqlite3_free(s->sso_account_id);
    sqlite3_free(s->sso_role_name);
    sqlite3_free(s->oidc_url);
    sqlite3_free(s->token_cache);
    cp_wipe_free(s->auth_token);
    sqlite3_free(s->auth_token_file);
    sqlite3_free(s->looked_in);
    sqlite3_free(s);
    s = next;
  }
}

/* ---- the sources, in botocore's order ---------------------------------- */

static int take_keys(resolver *x, cfg_source *s, const char *id,
                     const char *secret, const char *token) {
  s->access_key_id = xdup(x, id);
  s->secret_access_key = xdup(x, secret);
  s->session_token = xdup(x, token);
  return SQLITE_OK;
}

/* AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, if set. */
static int env_keys(resolver *x, cfg_source **pp) {
  const char *id = env(x, "AWS_ACCESS_KEY_ID");
  const char *secret = env(x, "AWS_SECRET_ACCESS_KEY");
  const char *token = env(x, "AWS_SECURITY_TOKEN");
  cfg_source *s;
  if (!id && !secret) return SQLITE_OK;
  if (!id || !secret)
    return fail(x, "dynamo: %s is set but %s is not",
                id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
  if (!token) token = env(x, "AWS_SESSION_TOKEN");
  s = new_source(x, CFG_STATIC, xprintf(x, "environment (AWS_ACCESS_KEY_ID)"),
                 NULL, pp);
  if (s) s->account_id = xdup(x, env(x, "AWS_ACCOUNT_ID"));
  return s ? take_keys(x, s, id, secret, token) : SQLITE_OK;
}

/* Static keys of the profile in one file, if it has any. */
static int file_keys(resolver *x, const prof *p, const ini_file *f, int sec,
                     cfg_source **pp) {
  const char *id = ini_get(f, sec, "aws_access_key_id", NULL);
  const char *secret = ini_get(f, sec, "aws_secret_access_key", NULL);
  const char *token = ini_get(f, sec, "aws_security_token", NULL);
  cfg_source *s;
  if (!id && !secret) return SQLITE_OK;
  if (!id || !secret)
    return fail(x, "dynamo: profile \"%s\" in %s has %s but no %s", p->name,
                f->path, id ? "aws_access_key_id" : "aws_secret_access_key",
                id ? "aws_secret_access_key" : "aws_access_key_id");
  if (!token) token = ini_get(f, sec, "aws_session_token", NULL);
  s = new_source(x, CFG_STATIC,
                 xprintf(x, "profile \"%s\" (aws_access_key_id in %s)",
                         p->name, f->path),
                 p, pp);
  if (s) s->account_id = xdup(x, ini_get(f, sec, "aws_account_id", NULL));
  return s ? take_keys(x, s, id, secret, token) : SQLITE_OK;
}

/* https://, or http:// to a loopback host or one of the container hosts
** botocore allows over plain HTTP (the host as libcurl reads it). */
static int container_host_ok(const char *url) {
  static const char *const azHost[] = {"169.254.170.2", "169.254.170.23",
                                       "[fd00:ec2::23]"};
  char *host;
  size_t i;
  int ok = 0;
  if (url_check(url)) return 0;
  if (!url_is_remote_http(url)) return 1;
  if ((host = url_host(url)) == NULL) return 0;
  for (i = 0; i < sizeof(azHost) / sizeof(azHost[0]); i++)
    if (sqlite3_stricmp(host, azHost[i]) == 0) ok = 1;
  sqlite3_free(host);
  return ok;
}

/* The container endpoint, when its variables are set. */
static int container(resolver *x, cfg_source **pp) {
  const char *rel = env(x, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  const char *full = env(x, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
  const char *token = env(x, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
  const char *file = env(x, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  cfg_source *s;
  if (!rel && !full) return SQLITE_OK;
  if (!rel && url_check(full))
    return fail(x, "dynamo: AWS_CONTAINER_CREDENTIALS_FULL_URI \"%s\": %s",
                full, url_check(full));
  if (!rel && !container_host_ok(full))
    return fail(x,
                "dynamo: AWS_CONTAINER_CREDENTIALS_FULL_URI \"%s\": credentials "
                "are fetched over plain http only from a loopback address or "
                "169.254.170.2, 169.254.170.23, fd00:ec2::23 or localhost; "
                "use https:// for any other host",
                full);
  if (!file && token && strpbrk(token, "\r\n"))
    return fail(x, "dynamo: AWS_CONTAINER_AUTHORIZATION_TOKEN holds a line "
                   "break, which no HTTP header can carry");
  s = new_source(x, CFG_CONTAINER,
                 xprintf(x, "container credentials (%s)",
                         rel ? "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
                             : "AWS_CONTAINER_CREDENTIALS_FULL_URI"),
                 NULL, pp);
  if (!s) return SQLITE_OK;
  s->url = rel ? xprintf(x, "http://169.254.170.2%s", rel) : xdup(x, full);
  s->auth_token_file = xdup(x, file);
  if (!file) s->auth_token = xdup(x, token);
  return SQLITE_OK;
}

/* A setting of the environment, else of the table's profile. */
static const char *setting(const resolver *x, const char *var,
                           const char *key) {
  const char *v = env(x, var);
  return v ? v : pget(x, &x->top, key);
}

/* A positive whole number of a setting, or fail. */
static int positive(resolver *x, const char *var, const char *key, long dflt,
                    long *pOut) {
  const char *v = setting(x, var, key);
  char *end;
  long n;
  *pOut = dflt;
  if (!v) return SQLITE_OK;
  errno = 0;
  n = strtol(v, &end, 10);
  if (errno || end == v || *end || n <= 0 || n > 3600)
    return fail(x, "dynamo: %s \"%s\" (%s or %s) is not a whole number from "
                   "1 to 3600",
                key, v, var, key);
  *pOut = n;
  return SQLITE_OK;
}

static const char *valid_endpoint(const char *s);

static char *looked_in(resolver *x);

/* EC2 instance metadata, unless AWS_EC2_METADATA_DISABLED. ROLE: the role
** whose credential_source it is; NULL for the chain's last resort, whose
** failure means "no credentials found" (disabled, at once). */
static int imds(resolver *x, const char *role, cfg_source **pp) {
  int fallback = role == NULL;
  const char *url = setting(x, "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                            "ec2_metadata_service_endpoint");
  const char *mode = setting(x, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
                             "ec2_metadata_service_endpoint_mode");
  int ipv6 = is_true(setting(x, "AWS_IMDS_USE_IPV6", "imds_use_ipv6"));
  long timeout, attempts;
  cfg_source *s;
  int rc;
  if (is_true(env(x, "AWS_EC2_METADATA_DISABLED"))) {
    char *seen;
    if (!fallback)
      return fail(x, "dynamo: %s: credential_source Ec2InstanceMetadata, but "
                     "AWS_EC2_METADATA_DISABLED is true",
                  role);
    if (!(seen = looked_in(x))) return SQLITE_NOMEM;
    rc = fail(x,
              "dynamo: no AWS credentials found; looked in: %s, EC2 instance "
              "metadata (AWS_EC2_METADATA_DISABLED is true)%s",
              seen,
              x->opt->profile ? " (the profile option skips the environment)"
                              : "");
    sqlite3_free(seen);
    return rc;
  }
  if (mode) {
    if (sqlite3_stricmp(mode, "ipv6") != 0 && sqlite3_stricmp(mode, "ipv4") != 0)
      return fail(x, "dynamo: ec2_metadata_service_endpoint_mode \"%s\" is "
                     "neither ipv4 nor ipv6",
                  mode);
    ipv6 = sqlite3_stricmp(mode, "ipv6") == 0;
  }
  if (!url) url = ipv6 ? "http://[fd00:ec2::254]" : "http://169.254.169.254";
  if (valid_endpoint(url))
    return fail(x, "dynamo: invalid instance metadata endpoint \"%s\": %s",
                url, valid_endpoint(url));
  if ((rc = positive(x, "AWS_METADATA_SERVICE_TIMEOUT",
                     "metadata_service_timeout", 1, &timeout)) != SQLITE_OK ||
      (rc = positive(x, "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
                     "metadata_service_num_attempts", 1, &attempts)) !=
          SQLITE_OK)
    return rc;
  s = new_source(x, CFG_IMDS, NULL, NULL, pp);
  if (!s) return SQLITE_OK;
  s->url = xdup(x, url);
  if (s->url && s->url[0] && s->url[strlen(s->url) - 1] == '/')
    s->url[strlen(s->url) - 1] = 0;
  s->where = xprintf(x, "EC2 instance metadata (%s)", s->url ? s->url : "");
  s->timeout_ms = timeout * 1000;
  s->attempts = (int)attempts;
  s->v1_disabled = is_true(setting(x, "AWS_EC2_METADATA_V1_DISABLED",
                                   "ec2_metadata_v1_disabled"));
  s->fallback = fallback;
  if (fallback && !(s->looked_in = looked_in(x))) x->oom = 1;
  return SQLITE_OK;
}

/* AssumeRoleWithWebIdentity, when a token file is configured. TOP: the
** table's profile, where the environment counts unless the profile option
** is given. */
static int web_identity(resolver *x, const prof *p, int top, cfg_source **pp) {
  int use_env = top && !x->opt->profile;
  const char *file = use_env ? env(x, "AWS_WEB_IDENTITY_TOKEN_FILE") : NULL;
  const char *role = use_env ? env(x, "AWS_ROLE_ARN") : NULL;
  const char *name = use_env ? env(x, "AWS_ROLE_SESSION_NAME") : NULL;
  char *where;
  cfg_source *s;
  if (file)
    where = xprintf(x, "environment (AWS_WEB_IDENTITY_TOKEN_FILE)");
  else if ((file = pget(x, p, "web_identity_token_file")) != NULL)
    where = where_key(x, p, "web_identity_token_file", NULL);
  else
    return SQLITE_OK;
  if (!role) role = pget(x, p, "role_arn");
  if (!name) name = pget(x, p, "role_session_name");
  if (!role) {
    int rc = fail(x, "dynamo: %s: a web identity token file but no role to "
                     "assume: set AWS_ROLE_ARN or the profile's role_arn",
                  where ? where : "");
    sqlite3_free(where);
    return rc;
  }
  s = new_source(x, CFG_WEB_IDENTITY, where, p, pp);
  if (!s) return SQLITE_OK;
  s->token_file = xdup(x, file);
  s->role_arn = xdup(x, role);
  s->role_session_name = xdup(x, name);
  return SQLITE_OK;
}

/* IAM Identity Center, when sso_account_id or sso_role_name is set. */
static int sso(resolver *x, const prof *p, cfg_source **pp) {
  static const char *const azNeed[] = {"sso_account_id", "sso_role_name",
                                       "sso_start_url", "sso_region"};
  const char *session = pget(x, p, "sso_session");
  const char *v[4];
  const char *home = env(x, "HOME");
  char zName[41], *missing = NULL;
  cfg_source *s;
  int i, sec = -1;
  if (!pget(x, p, "sso_account_id") && !pget(x, p, "sso_role_name"))
    return SQLITE_OK;
  for (i = 0; i < 4; i++) v[i] = pget(x, p, azNeed[i]);
  if (session) {
    if ((sec = ini_section(&x->conf, "sso-session", session)) < 0)
      return fail(x, "dynamo: profile \"%s\" names sso_session \"%s\", but %s "
                     "has no [sso-session %s] section",
                  p->name, session, x->conf.path, session);
    for (i = sec + 1; i < x->conf.n && x->conf.a[i].key; i++) {
      const ini_line *l = &x->conf.a[i];
      int k;
      if (l->sub || !l->value[0]) continue;
      for (k = 2; k < 4 && strcmp(l->key, azNeed[k]) != 0; k++) {
      }
      if (k == 4) continue;
      if (v[k] && strcmp(v[k], l->value) != 0)
        return fail(x, "dynamo: profile \"%s\" has %s \"%s\" but its "
                       "sso-session \"%s\" has \"%s\"",
                    p->name, l->key, v[k], session, l->value);
      v[k] = l->value;
    }
  }
  for (i = 0; i < 4; i++) {
    if (v[i]) continue;
    missing = sqlite3_mprintf("%z%s%s", missing, missing ? ", " : "", azNeed[i]);
    if (!missing) return SQLITE_NOMEM;
  }
  if (missing) {
    int rc = fail(x, "dynamo: profile \"%s\" is configured for IAM Identity "
                     "Center (SSO) but lacks %s",
                  p->name, missing);
    sqlite3_free(missing);
    return rc;
  }
  if (!home)
    return fail(x, "dynamo: profile \"%s\": the IAM Identity Center login "
                   "is cached in ~/.aws/sso/cache, but HOME is not set",
                p->name);
  if (cp_sso_cache_name(session ? session : v[2], zName) != SQLITE_OK)
    return SQLITE_NOMEM;
  s = new_source(x, CFG_SSO,
                 session ? where_key(x, p, "sso_session", session)
                         : where_key(x, p, "sso_start_url", NULL),
                 p, pp);
  if (!s) return SQLITE_OK;
  s->sso_account_id = xdup(x, v[0]);
  s->account_id = xdup(x, v[0]);
  s->sso_role_name = xdup(x, v[1]);
  s->sso_start_url = xdup(x, v[2]);
  s->region = xdup(x, v[3]);
  s->sso_session = xdup(x, session);
  s->token_cache = xprintf(x, "%s%s.aws/sso/cache/%s.json", home,
                           home[strlen(home) - 1] == '/' ? "" : "/", zName);
  return SQLITE_OK;
}

static int profile_chain(resolver *x, const prof *p, int top,
                         cfg_source **pp);

/* The chain of source profiles so far, for a loop's message. */
static char *chain_text(resolver *x, const char *last) {
  char *z = NULL;
  int i;
  for (i = 0; i < x->nvisited; i++)
    z = sqlite3_mprintf("%z\"%s\" -> ", z, x->visited[i]);
  return sqlite3_mprintf("%z\"%s\"", z, last);
}

static int has_static_keys(const resolver *x, const prof *p) {
  return pget(x, p, "aws_access_key_id") || pget(x, p, "aws_secret_access_key");
}

/* role_arn: AssumeRole with the credentials of source_profile or
** credential_source. */
static int assume_role(resolver *x, const prof *p, cfg_source **pp) {
  const char *sp = pget(x, p, "source_profile");
  const char *cs = pget(x, p, "credential_source");
  const char *dur = pget(x, p, "duration_seconds");
  cfg_source *s;
  char *where = where_key(x, p, "role_arn", NULL);
  int rc = SQLITE_OK, i;
  if (!where) return SQLITE_NOMEM;
  if (pget(x, p, "mfa_serial")) {
    rc = fail(x,
              "dynamo: %s: the role needs an MFA code (mfa_serial), which "
              "cannot be typed inside SQL; get the role's credentials first, "
              "e.g. eval \"$(aws configure export-credentials --profile %s "
              "--format env)\", and use them from the environment",
              where, p->name);
  } else if (sp && cs) {
    rc = fail(x, "dynamo: %s: the profile has both source_profile and "
                 "credential_source; keep one",
              where);
  } else if (!sp && !cs) {
    rc = fail(x, "dynamo: %s: the profile has neither source_profile nor "
                 "credential_source, so nothing can sign AssumeRole",
              where);
  }
  if (rc != SQLITE_OK) {
    sqlite3_free(where);
    return rc;
  }
  if (!(s = new_source(x, CFG_ASSUME_ROLE, where, p, pp))) return SQLITE_OK;
  s->role_arn = xdup(x, pget(x, p, "role_arn"));
  s->role_session_name = xdup(x, pget(x, p, "role_session_name"));
  s->external_id = xdup(x, pget(x, p, "external_id"));
  if (dur) { /* botocore ignores one that is not an integer */
    char *end;
    long n = strtol(dur, &end, 10);
    if (end != dur && !*end && n > 0 && n <= 43200) s->duration_seconds = (int)n;
  }
  if (cs) {
    if (strcmp(cs, "Environment") == 0) {
      if ((rc = env_keys(x, &s->source)) == SQLITE_OK && !s->source && !x->oom)
        rc = fail(x, "dynamo: %s: credential_source Environment, but "
                     "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
                  s->where);
    } else if (strcmp(cs, "Ec2InstanceMetadata") == 0) {
      rc = imds(x, s->where, &s->source);
    } else if (strcmp(cs, "EcsContainer") == 0) {
      if ((rc = container(x, &s->source)) == SQLITE_OK && !s->source && !x->oom)
        rc = fail(x, "dynamo: %s: credential_source EcsContainer, but "
                     "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor "
                     "AWS_CONTAINER_CREDENTIALS_FULL_URI is set",
                  s->where);
    } else {
      rc = fail(x, "dynamo: %s: credential_source \"%s\" is none of "
                   "Environment, Ec2InstanceMetadata, EcsContainer",
                s->where, cs);
    }
    return rc;
  }
  {
    prof q = prof_of(x, sp);
    if (q.csec < 0 && q.psec < 0)
      return fail(x, "dynamo: %s: source_profile \"%s\" does not exist in %s "
                     "or %s",
                  s->where, sp, x->cred.path, x->conf.path);
    for (i = 0; i < x->nvisited; i++) {
      if (strcmp(x->visited[i], sp) != 0) continue;
      /* a profile may name itself to use its own keys */
      if (strcmp(sp, p->name) == 0 && has_static_keys(x, &q)) break;
      {
        char *chain = chain_text(x, sp);
        if (!chain) return SQLITE_NOMEM;
        rc = fail(x, "dynamo: %s: source_profile loop: %s", s->where, chain);
        sqlite3_free(chain);
        return rc;
      }
    }
    if (i == x->nvisited) {
      if (x->nvisited == MAX_CHAIN)
        return fail(x, "dynamo: %s: more than %d source profiles in a chain",
                    s->where, MAX_CHAIN);
      x->visited[x->nvisited++] = sp;
    }
    if ((rc = profile_chain(x, &q, 0, &s->source)) != SQLITE_OK) return rc;
    if (!s->source && !x->oom)
      return fail(x, "dynamo: %s: source_profile \"%s\" has no credentials",
                  s->where, sp);
  }
  return SQLITE_OK;
}

/* credential_process, when set. */
static int process(resolver *x, const prof *p, cfg_source **pp) {
  const char *cmd = pget(x, p, "credential_process");
  cfg_source *s;
  if (!cmd) return SQLITE_OK;
  s = new_source(x, CFG_PROCESS, where_key(x, p, "credential_process", NULL), p,
                 pp);
  if (s) {
    s->command = xdup(x, cmd);
    s->account_id = xdup(x, pget(x, p, "aws_account_id"));
  }
  return SQLITE_OK;
}

/*
** The sources a profile configures, in botocore's order. TOP: the table's
** profile, where role_arn comes first; otherwise a source_profile, whose
** static keys come first (so that a profile can name itself) and where the
** environment does not count. *pp stays NULL when the profile configures
** no credentials.
*/
static int profile_chain(resolver *x, const prof *p, int top,
                         cfg_source **pp) {
  int rc;
  if (pget(x, p, "role_arn") && !pget(x, p, "web_identity_token_file") &&
      (top || !has_static_keys(x, p)))
    return assume_role(x, p, pp);
  if ((rc = web_identity(x, p, top, pp)) != SQLITE_OK || *pp) return rc;
  if ((rc = sso(x, p, pp)) != SQLITE_OK || *pp) return rc;
  if ((rc = file_keys(x, p, &x->cred, p->csec, pp)) != SQLITE_OK || *pp)
    return rc;
  if (pget(x, p, "login_session"))
    return fail(x,
                "dynamo: profile \"%s\" (login_session in %s): \"aws login\" "
                "sessions are not supported; export credentials with \"aws "
                "configure export-credentials --profile %s --format env\"",
                p->name, pfile(x, p, "login_session"), p->name);
  if ((rc = process(x, p, pp)) != SQLITE_OK || *pp) return rc;
  return file_keys(x, p, &x->conf, p->psec, pp);
}

/* Every place the chain looked at before instance metadata. */
static char *looked_in(resolver *x) {
  int env_too = !x->opt->profile;
  return sqlite3_mprintf(
      "%sprofile \"%s\" in %s and %s%s, the container endpoint "
      "(AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, "
      "AWS_CONTAINER_CREDENTIALS_FULL_URI)",
      env_too ? "the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), "
              : "",
      x->top.name, x->cred.path, x->conf.path,
      env_too ? ", AWS_WEB_IDENTITY_TOKEN_FILE" : "");
}

static int resolve_credentials(resolver *x) {
  cfg_source *s = NULL;
  int rc = SQLITE_OK;
  x->visited[x->nvisited++] = x->top.name;
  if (!x->opt->profile) rc = env_keys(x, &s);
  if (rc == SQLITE_OK && !s) rc = profile_chain(x, &x->top, 1, &s);
  if (rc == SQLITE_OK && !s) rc = container(x, &s);
  if (rc == SQLITE_OK && !s) rc = imds(x, NULL, &s);
  x->r.creds = s;
  if (rc == SQLITE_OK && x->oom) rc = SQLITE_NOMEM;
  return rc;
}

/* As botocore: [A-Za-z0-9], optionally [A-Za-z0-9-]{0,61}[A-Za-z0-9]. */
static int valid_region(const char *s) {
  size_t i, n = strlen(s);
  if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-') return 0;
  for (i = 0; i < n; i++)
    if (!isalnum((unsigned char)s[i]) && s[i] != '-') return 0;
  return 1;
}

static int resolve_region(resolver *x) {
  const char *v, *from = NULL;
  endpoint_arn arn;
  int rc = endpoint_table_arn(x->opt->table, &arn);
  if (rc == SQLITE_NOMEM) return rc;
  if (rc == SQLITE_OK) { /* the table's ARN names its region */
    x->r.table_arn = str_dup(x->opt->table);
    v = x->opt->region;
    if (v && strcmp(v, arn.region) != 0)
      rc = fail(x, "dynamo: the region option \"%s\" is not the region of the "
                   "table's ARN (%s)",
                v, x->opt->table);
    else
      x->r.region_source = str_dup("the table's ARN");
    if (rc == SQLITE_OK)
      rc = x->r.table_arn && x->r.region_source && (x->r.region = str_dup(arn.region))
               ? SQLITE_OK
               : SQLITE_NOMEM;
    sqlite3_free(arn.zCopy);
    if (rc == SQLITE_OK && !valid_region(x->r.region))
      rc = fail(x, "dynamo: invalid region \"%s\" (from %s)", x->r.region,
                x->r.region_source);
    return rc;
  }
  if ((v = x->opt->region) != NULL)
    from = "region option";
  else if ((v = env(x, "AWS_REGION")) != NULL)
    from = "AWS_REGION";
  else if ((v = env(x, "AWS_DEFAULT_REGION")) != NULL)
    from = "AWS_DEFAULT_REGION";
  else if ((v = ini_get(&x->conf, x->top.psec, "region", NULL)) == NULL)
    return fail(x,
                "dynamo: no AWS region found: looked in the region option, "
                "AWS_REGION, AWS_DEFAULT_REGION and profile \"%s\" in %s",
                x->top.name, x->conf.path);
  x->r.region_source =
      from ? str_dup(from)
           : sqlite3_mprintf("profile %s in %s", x->top.name, x->conf.path);
  x->r.region = str_dup(v);
  if (!x->r.region || !x->r.region_source) return SQLITE_NOMEM;
  if (!valid_region(v))
    return fail(x, "dynamo: invalid region \"%s\" (from %s)", v,
                x->r.region_source);
  return SQLITE_OK;
}

/* NULL when s can be an endpoint (url.h: http:// or https://, a host, no
** user name, query or fragment), else why not. */
static const char *valid_endpoint(const char *s) {
  return url_check(s);
}

/*
** The endpoint of service SVC (the key in a [services] block; VAR is its
** AWS_ENDPOINT_URL_... variable) as botocore finds it: VAR,
** AWS_ENDPOINT_URL, the profile's services block, the profile's
** endpoint_url, else DFLT. With AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or the
** profile's ignore_configured_endpoint_urls) only DFLT. *pzUrl (without a
** trailing '/') and *pzFrom are allocated.
*/
static int service_endpoint(resolver *x, const char *svc, const char *var,
                            const char *dflt, char **pzUrl, char **pzFrom) {
  const char *v = NULL, *from = NULL, *name;
  const ini_file *conf = &x->conf;
  const char *ignore = env(x, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  int ignored, n;

  if (!ignore)
    ignore = ini_get(conf, x->top.psec, "ignore_configured_endpoint_urls", NULL);
  ignored = is_true(ignore);

  if (ignored) {
    /* the default only */
  } else if ((v = env(x, var)) != NULL) {
    from = var;
  } else if ((v = env(x, "AWS_ENDPOINT_URL")) != NULL) {
    from = "AWS_ENDPOINT_URL";
  } else if ((name = ini_get(conf, x->top.psec, "services", NULL)) != NULL &&
             (v = ini_get(conf, ini_section(conf, "services", name), svc,
                          "endpoint_url")) != NULL) {
    *pzFrom = sqlite3_mprintf("services %s (%s) in %s, from profile %s", name,
                              svc, conf->path, x->top.name);
  } else if ((v = ini_get(conf, x->top.psec, "endpoint_url", NULL)) != NULL) {
    *pzFrom = sqlite3_mprintf("profile %s in %s", x->top.name, conf->path);
  }

  if (v) {
    *pzUrl = str_dup(v);
    if (from) *pzFrom = str_dup(from);
  } else if (!dflt) { /* the caller resolves it */
    return SQLITE_OK;
  } else {
    *pzUrl = str_dup(dflt);
    *pzFrom = sqlite3_mprintf(
        "default for region %s%s", x->r.region,
        ignored ? " (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)" : "");
  }
  if (!*pzUrl || !*pzFrom) return SQLITE_NOMEM;

  n = (int)strlen(*pzUrl);
  if (n > 0 && (*pzUrl)[n - 1] == '/') (*pzUrl)[n - 1] = 0;
  if (valid_endpoint(*pzUrl))
    return fail(x, "dynamo: invalid endpoint \"%s\" (from %s): %s",
                v ? v : *pzUrl, *pzFrom, valid_endpoint(*pzUrl));
  return SQLITE_OK;
}

/* A setting that is a boolean (botocore's ensure_boolean: "true" in any
** case is true); *pzFrom names where it came from, NULL when unset. */
static int flag(const resolver *x, const char *var, const char *key,
                const char **pzFrom) {
  const char *v = env(x, var);
  *pzFrom = v ? var : NULL;
  if (!v && (v = pget(x, &x->top, key)) != NULL) *pzFrom = key;
  return is_true(v);
}

/* FIPS, dual-stack, account_id_endpoint_mode: the rule set's settings. */
static int endpoint_settings(resolver *x) {
  const char *zFips, *zDual, *zMode = NULL;
  const char *m = env(x, "AWS_ACCOUNT_ID_ENDPOINT_MODE");
  if (m) zMode = "AWS_ACCOUNT_ID_ENDPOINT_MODE";
  else if ((m = pget(x, &x->top, "account_id_endpoint_mode")) != NULL)
    zMode = "account_id_endpoint_mode";
  x->r.use_fips = flag(x, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint", &zFips);
  x->r.use_dualstack =
      flag(x, "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint", &zDual);
  x->r.account_mode = ENDPOINT_ACCOUNT_PREFERRED;
  if (m && endpoint_account_mode_parse(m, &x->r.account_mode) != SQLITE_OK)
    return fail(x, "dynamo: account_id_endpoint_mode \"%s\" (from %s) is none "
                   "of preferred, required, disabled",
                m, zMode);
  x->r.endpoint_settings = sqlite3_mprintf(
      "FIPS %s%s%s%s, dual-stack %s%s%s%s, account_id_endpoint_mode %s (%s)",
      x->r.use_fips ? "on" : "off", zFips ? " (" : "", zFips ? zFips : "",
      zFips ? ")" : "", x->r.use_dualstack ? "on" : "off", zDual ? " (" : "",
      zDual ? zDual : "", zDual ? ")" : "",
      endpoint_account_mode_name(x->r.account_mode), zMode ? zMode : "default");
  return x->r.endpoint_settings ? SQLITE_OK : SQLITE_NOMEM;
}

/* The account the configuration names for the credentials (fetched ones
** may name another: ddb.c resolves again then). */
static const char *static_account(const resolver *x) {
  const cfg_source *s = x->r.creds;
  if (!s) return NULL;
  return s->kind == CFG_STATIC || s->kind == CFG_PROCESS || s->kind == CFG_SSO
             ? s->account_id
             : NULL;
}

/* The endpoint: configured (option, environment, files), else the rule
** set's. */
static int resolve_endpoint(resolver *x) {
  endpoint_params ep;
  char *zUrl = NULL, *zErr = NULL;
  int rc, n;
  if ((rc = endpoint_settings(x)) != SQLITE_OK) return rc;
  memset(&ep, 0, sizeof(ep));
  ep.region = x->r.region;
  if (x->opt->endpoint) {
    x->r.endpoint = str_dup(x->opt->endpoint);
    x->r.endpoint_source = str_dup("endpoint option");
    if (!x->r.endpoint || !x->r.endpoint_source) return SQLITE_NOMEM;
    n = (int)strlen(x->r.endpoint);
    if (n > 0 && x->r.endpoint[n - 1] == '/') x->r.endpoint[n - 1] = 0;
    if (valid_endpoint(x->r.endpoint))
      return fail(x, "dynamo: invalid endpoint \"%s\" (from endpoint option): %s",
                  x->opt->endpoint, valid_endpoint(x->r.endpoint));
  } else {
    rc = service_endpoint(x, "dynamodb", "AWS_ENDPOINT_URL_DYNAMODB", NULL,
                          &x->r.endpoint, &x->r.endpoint_source);
    if (rc != SQLITE_OK) return rc;
  }
  if (x->r.endpoint) {
    /* botocore: a configured endpoint turns FIPS and dual-stack off, and
    ** refuses to stand for the dual-stack endpoint */
    x->r.configured = 1;
    ep.endpoint = x->r.endpoint;
  } else {
    ep.use_fips = x->r.use_fips;
    ep.use_dualstack = x->r.use_dualstack;
    ep.account_mode = x->r.account_mode;
    ep.account_id = static_account(x);
    ep.resource_arn = x->r.table_arn ? x->r.table_arn : x->opt->table;
    if (!ep.account_id && x->r.account_mode != ENDPOINT_ACCOUNT_DISABLED &&
        (x->r.creds->kind == CFG_ASSUME_ROLE ||
         x->r.creds->kind == CFG_WEB_IDENTITY ||
         x->r.creds->kind == CFG_CONTAINER || x->r.creds->kind == CFG_PROCESS)) {
      /* their answer may name the account: resolved again once fetched */
      x->r.account_pending = 1;
      if (ep.account_mode == ENDPOINT_ACCOUNT_REQUIRED)
        ep.account_mode = ENDPOINT_ACCOUNT_PREFERRED;
    }
  }
  rc = endpoint_resolve(&ep, &zUrl, &zErr);
  if (rc == SQLITE_ERROR)
    rc = fail(x, "dynamo: no DynamoDB endpoint for region %s: %s (%s)",
              x->r.region, zErr, x->r.endpoint_settings);
  sqlite3_free(zErr);
  if (rc != SQLITE_OK || x->r.configured) {
    sqlite3_free(zUrl);
    return rc;
  }
  x->r.endpoint = zUrl;
  {
    const char *ignore = env(x, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    if (!ignore)
      ignore = ini_get(&x->conf, x->top.psec, "ignore_configured_endpoint_urls", NULL);
    /* an account's endpoint: the table ARN's account, else the credentials' */
    x->r.endpoint_source = sqlite3_mprintf(
        "%z%s%s", cfg_rule_source(&x->r, zUrl, x->r.table_arn ? "the table's ARN"
                                                                : x->r.creds->where),
        is_true(ignore) ? " (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)" : "",
        x->r.account_pending ? "; the credentials may name an account" : "");
  }
  return x->r.endpoint_source ? SQLITE_OK : SQLITE_NOMEM;
}

/* DynamoDB Streams' endpoint, once DynamoDB's is resolved (see
** cfg_options.streams): its own configuration (AWS_ENDPOINT_URL_DYNAMODB_STREAMS,
** the services block's dynamodb_streams, as botocore names the service
** there), else the table's configured
** endpoint when it is not one of DynamoDB's AWS endpoints, else the rule
** set. */
static int resolve_streams_endpoint(resolver *x) {
  const char *ignore = env(x, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), *v = NULL, *name;
  char *zFrom = NULL, *zUrl = NULL, *zErr = NULL;
  endpoint_params ep;
  int rc, n;
  x->r.streams = 1;
  if (!ignore) ignore = ini_get(&x->conf, x->top.psec, "ignore_configured_endpoint_urls", NULL);
  if (!is_true(ignore)) {
    if ((v = env(x, "AWS_ENDPOINT_URL_DYNAMODB_STREAMS")) != NULL) {
      zFrom = str_dup("AWS_ENDPOINT_URL_DYNAMODB_STREAMS");
    } else if ((name = ini_get(&x->conf, x->top.psec, "services", NULL)) != NULL &&
               (v = ini_get(&x->conf, ini_section(&x->conf, "services", name),
                            "dynamodb_streams", "endpoint_url")) != NULL) {
      zFrom = sqlite3_mprintf("services %s (dynamodb_streams) in %s, from profile %s", name,
                              x->conf.path, x->top.name);
    }
  }
  if (v) {
    if (!zFrom || !(zUrl = str_dup(v))) {
      sqlite3_free(zFrom);
      return SQLITE_NOMEM;
    }
    n = (int)strlen(zUrl);
    if (n > 0 && zUrl[n - 1] == '/') zUrl[n - 1] = 0;
    if (valid_endpoint(zUrl)) {
      rc = fail(x, "dynamo: invalid endpoint \"%s\" (from %s): %s", v, zFrom,
                valid_endpoint(zUrl));
      sqlite3_free(zUrl);
      sqlite3_free(zFrom);
      return rc;
    }
    x->r.configured = 1;
  } else if (x->r.configured && !url_is_aws_dynamodb(x->r.endpoint)) {
    zFrom = sqlite3_mprintf("%s, the table's endpoint", x->r.endpoint_source);
    if (!zFrom) return SQLITE_NOMEM;
    sqlite3_free(x->r.endpoint_source);
    x->r.endpoint_source = zFrom;
    return SQLITE_OK;
  } else {
    memset(&ep, 0, sizeof(ep));
    ep.region = x->r.region;
    ep.use_fips = x->r.use_fips;
    ep.use_dualstack = x->r.use_dualstack;
    rc = endpoint_resolve_streams(&ep, &zUrl, &zErr);
    if (rc == SQLITE_ERROR)
      rc = fail(x, "dynamo: no DynamoDB Streams endpoint for region %s: %s (%s)", x->r.region,
                zErr, x->r.endpoint_settings);
    sqlite3_free(zErr);
    if (rc != SQLITE_OK) return rc;
    x->r.configured = 0;
    zFrom = sqlite3_mprintf("default for region %s%s%s", x->r.region,
                            x->r.use_fips ? ", FIPS" : "",
                            x->r.use_dualstack ? ", dual-stack" : "");
    if (!zFrom) {
      sqlite3_free(zUrl);
      return SQLITE_NOMEM;
    }
  }
  x->r.account_pending = 0; /* no account endpoints for Streams */
  sqlite3_free(x->r.endpoint);
  sqlite3_free(x->r.endpoint_source);
  x->r.endpoint = zUrl;
  x->r.endpoint_source = zFrom;
  return SQLITE_OK;
}

char *cfg_rule_source(const cfg_resolved *r, const char *zUrl, const char *zAccountFrom) {
  const char *host = strstr(zUrl, "://"), *d = strstr(zUrl, ".ddb.");
  host = host ? host + 3 : zUrl;
  return sqlite3_mprintf("default for region %s%s%s%s%.*s%s%s", r->region,
                         r->use_fips ? ", FIPS" : "", r->use_dualstack ? ", dual-stack" : "",
                         d ? ", account " : "", d ? (int)(d - host) : 0, host,
                         d ? " from " : "", d ? zAccountFrom : "");
}

/* A setting of the environment, else of the profile, and where it was
** found: VAR, or "KEY in FILE (profile NAME)". */
static const char *setting_from(resolver *x, const char *var, const char *key,
                                char **pzFrom) {
  const char *v = env(x, var);
  *pzFrom = NULL;
  if (v) {
    *pzFrom = xdup(x, var);
  } else if ((v = pget(x, &x->top, key)) != NULL) {
    *pzFrom = xprintf(x, "%s in %s (profile %s)", key, pfile(x, &x->top, key),
                      x->top.name);
  }
  return v;
}

/* retry_mode and max_attempts (retry.h), as configured. */
static int resolve_retries(resolver *x) {
  const char *zMode = setting_from(x, "AWS_RETRY_MODE", "retry_mode",
                                   &x->r.retry_mode_source);
  const char *zMax = setting_from(x, "AWS_MAX_ATTEMPTS", "max_attempts",
                                  &x->r.max_attempts_source);
  retry_mode m;
  if (x->oom) return SQLITE_NOMEM;
  if (zMode) {
    if (retry_mode_parse(zMode, &m) != SQLITE_OK)
      return fail(x, "dynamo: retry mode \"%s\" (from %s) is none of legacy, "
                     "standard, adaptive",
                  zMode, x->r.retry_mode_source);
    x->r.retry_mode = (int)m;
  }
  if (zMax) {
    char *end;
    long n;
    errno = 0;
    n = strtol(zMax, &end, 10);
    while (isspace((unsigned char)*end)) end++;
    if (errno || end == zMax || *end || n < 1 || n > 100)
      return fail(x, "dynamo: max_attempts \"%s\" (from %s) is not a whole "
                     "number from 1 to 100",
                  zMax, x->r.max_attempts_source);
    x->r.max_attempts = (int)n;
  }
  return SQLITE_OK;
}

/* The URLs every source that fetches asks: STS (in the table's region) for
** roles, the portal and OIDC (in sso_region) for IAM Identity Center. */
static int source_endpoints(resolver *x) {
  cfg_source *s;
  int rc = SQLITE_OK;
  for (s = x->r.creds; s && rc == SQLITE_OK; s = s->source) {
    char *dflt = NULL, *from = NULL;
    if (s->kind == CFG_ASSUME_ROLE || s->kind == CFG_WEB_IDENTITY) {
      dflt = sqlite3_mprintf("https://sts.%s.%s", x->r.region,
                             endpoint_partition_of(x->r.region)->dns_suffix);
      if (!dflt || !(s->region = str_dup(x->r.region))) rc = SQLITE_NOMEM;
      else rc = service_endpoint(x, "sts", "AWS_ENDPOINT_URL_STS", dflt, &s->url, &from);
    } else if (s->kind == CFG_SSO) {
      if (!valid_region(s->region))
        rc = fail(x, "dynamo: %s: invalid sso_region \"%s\"", s->where,
                  s->region);
      else if (!(dflt = sqlite3_mprintf("https://portal.sso.%s.amazonaws.com",
                                        s->region)))
        rc = SQLITE_NOMEM;
      else
        rc = service_endpoint(x, "sso", "AWS_ENDPOINT_URL_SSO", dflt, &s->url,
                              &from);
      sqlite3_free(from);
      sqlite3_free(dflt);
      from = dflt = NULL;
      if (rc == SQLITE_OK && s->sso_session) {
        if (!(dflt = sqlite3_mprintf("https://oidc.%s.amazonaws.com", s->region)))
          rc = SQLITE_NOMEM;
        else
          rc = service_endpoint(x, "sso_oidc", "AWS_ENDPOINT_URL_SSO_OIDC", dflt,
                                &s->oidc_url, &from);
      }
    }
    sqlite3_free(from);
    sqlite3_free(dflt);
  }
  return rc;
}

int cfg_resolve(const cfg_options *opt, cfg_getenv_fn get_env,
                cfg_resolved *out, char **pzErr) {
  static const cfg_options none = {0};
  resolver x;
  const char *named;
  int rc;

  memset(&x, 0, sizeof x);
  memset(out, 0, sizeof *out);
  x.opt = opt ? opt : &none;
  x.get_env = get_env ? get_env : std_getenv;
  named = x.opt->profile;
  if (!named) named = env(&x, "AWS_DEFAULT_PROFILE");
  if (!named) named = env(&x, "AWS_PROFILE");
  x.top.name = named ? named : "default";

  rc = file_path(&x, &x.cred, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
  if (rc == SQLITE_OK)
    rc = file_path(&x, &x.conf, "AWS_CONFIG_FILE", "config");
  if (rc == SQLITE_OK) rc = ini_load(&x.cred, &x.err);
  if (rc == SQLITE_OK) rc = ini_load(&x.conf, &x.err);
  if (rc != SQLITE_OK) goto done;

  x.top = prof_of(&x, x.top.name);
  if (named && x.top.csec < 0 && x.top.psec < 0) {
    rc = fail(&x, "dynamo: profile \"%s\" not found in %s or %s", x.top.name,
              x.cred.path, x.conf.path);
    goto done;
  }
  x.r.profile = str_dup(x.top.name);
  rc = x.r.profile ? resolve_credentials(&x) : SQLITE_NOMEM;
  if (rc == SQLITE_OK) rc = resolve_region(&x);
  if (rc == SQLITE_OK) rc = resolve_endpoint(&x);
  if (rc == SQLITE_OK && x.opt->streams) rc = resolve_streams_endpoint(&x);
  if (rc == SQLITE_OK) rc = resolve_retries(&x);
  if (rc == SQLITE_OK) rc = source_endpoints(&x);

done:
  ini_free(&x.cred);
  ini_free(&x.conf);
  if (rc == SQLITE_OK) {
    *out = x.r;
    return SQLITE_OK;
  }
  cfg_resolved_free(&x.r);
  if (!x.err) x.err = sqlite3_mprintf("dynamo: out of memory");
  if (rc == SQLITE_ERROR && x.oom) rc = SQLITE_NOMEM;
  if (pzErr)
    *pzErr = x.err;
  else
    sqlite3_free(x.err);
  return rc;
}

void cfg_resolved_free(cfg_resolved *r) {
  if (!r) return;
  sqlite3_free(r->region);
  sqlite3_free(r->endpoint);
  sqlite3_free(r->profile);
  source_free(r->creds);
  sqlite3_free(r->region_source);
  sqlite3_free(r->endpoint_source);
  sqlite3_free(r->table_arn);
  sqlite3_free(r->endpoint_settings);
  sqlite3_free(r->retry_mode_source);
  sqlite3_free(r->max_attempts_source);
  memset(r, 0, sizeof *r);
}
