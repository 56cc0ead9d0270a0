/*
** credchain.c: where the credentials come from, found as botocore's chain
** finds them (see config.h for the order): the environment (unless the
** profile option is set), then the profile's sources (profile_chain(),
** which a role's source_profile runs again), then the container endpoint
** and instance metadata. The result is a cfg_source, or a chain of them
** for a role; creds.c fetches from it. Nothing here does I/O but reading
** the environment: the files were read by config.c (ini.c).
*/
#include "common.h"
#include "cfgint.h"
#include "credparse.h"
#include "url.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* `profile "NAME" (KEY in FILE)`: where a source was configured. */
static char *where_key(cfg_resolver *x, const cfg_prof *p, const char *key,
                       const char *value) {
  return cfg_xprintf(x, "profile \"%s\" (%s%s%s in %s)", p->name, key,
                     value ? " " : "", value ? value : "", cfg_pfile(x, p, key));
}

/* A new source in *pp, owning WHERE (may be NULL: out of memory). */
static cfg_source *new_source(cfg_resolver *x, cfg_kind kind, char *where,
                              const cfg_prof *p, cfg_source **pp) {
  cfg_source *s = sqlite3_malloc(sizeof(*s));
  if (!s) {
    x->oom = 1;
    sqlite3_free(where);
    return NULL;
  }
  memset(s, 0, sizeof(*s));
  s->kind = kind;
  s->where = where;
  s->profile = p ? cfg_xdup(x, p->name) : NULL;
  *pp = s;
  return s;
}

void cfg_source_free(cfg_source *s) {
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

static int take_keys(cfg_resolver *x, cfg_source *s, const char *id,
                     const char *secret, const char *token) {
  s->access_key_id = cfg_xdup(x, id);
  s->secret_access_key = cfg_xdup(x, secret);
  s->session_token = cfg_xdup(x, token);
  return SQLITE_OK;
}

/* AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, if set. */
static int env_keys(cfg_resolver *x, cfg_source **pp) {
  const char *id = cfg_env(x, "AWS_ACCESS_KEY_ID");
  const char *secret = cfg_env(x, "AWS_SECRET_ACCESS_KEY");
  const char *token = cfg_env(x, "AWS_SECURITY_TOKEN");
  cfg_source *s;
  if (!id && !secret) return SQLITE_OK;
  if (!id || !secret)
    return cfg_fail(x, "dynamo: %s is set but %s is not",
                    id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                    id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
  if (!token) token = cfg_env(x, "AWS_SESSION_TOKEN");
  s = new_source(x, CFG_STATIC, cfg_xprintf(x, "environment (AWS_ACCESS_KEY_ID)"),
                 NULL, pp);
  if (s) s->account_id = cfg_xdup(x, cfg_env(x, "AWS_ACCOUNT_ID"));
  return s ? take_keys(x, s, id, secret, token) : SQLITE_OK;
}

/* Static keys of the profile in one file, if it has any. */
static int file_keys(cfg_resolver *x, const cfg_prof *p, const ini_file *f, int sec,
                     cfg_source **pp) {
  const char *id = ini_get(f, sec, "aws_access_key_id", NULL);
  const char *secret = ini_get(f, sec, "aws_secret_access_key", NULL);
  const char *token = ini_get(f, sec, "aws_security_token", NULL);
  cfg_source *s;
  if (!id && !secret) return SQLITE_OK;
  if (!id || !secret)
    return cfg_fail(x, "dynamo: profile \"%s\" in %s has %s but no %s", p->name,
                    f->path, id ? "aws_access_key_id" : "aws_secret_access_key",
                    id ? "aws_secret_access_key" : "aws_access_key_id");
  if (!token) token = ini_get(f, sec, "aws_session_token", NULL);
  s = new_source(x, CFG_STATIC,
                 cfg_xprintf(x, "profile \"%s\" (aws_access_key_id in %s)",
                             p->name, f->path),
                 p, pp);
  if (s) s->account_id = cfg_xdup(x, ini_get(f, sec, "aws_account_id", NULL));
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
static int container(cfg_resolver *x, cfg_source **pp) {
  const char *rel = cfg_env(x, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  const char *full = cfg_env(x, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
  const char *token = cfg_env(x, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
  const char *file = cfg_env(x, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  cfg_source *s;
  if (!rel && !full) return SQLITE_OK;
  if (!rel && url_check(full))
    return cfg_fail(x, "dynamo: AWS_CONTAINER_CREDENTIALS_FULL_URI \"%s\": %s",
                    full, url_check(full));
  if (!rel && !container_host_ok(full))
    return cfg_fail(x,
                    "dynamo: AWS_CONTAINER_CREDENTIALS_FULL_URI \"%s\": credentials "
                    "are fetched over plain http only from a loopback address or "
                    "169.254.170.2, 169.254.170.23, fd00:ec2::23 or localhost; "
                    "use https:// for any other host",
                    full);
  if (!file && token && strpbrk(token, "\r\n"))
    return cfg_fail(x, "dynamo: AWS_CONTAINER_AUTHORIZATION_TOKEN holds a line "
                    "break, which no HTTP header can carry");
  s = new_source(x, CFG_CONTAINER,
                 cfg_xprintf(x, "container credentials (%s)",
                             rel ? "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
                             : "AWS_CONTAINER_CREDENTIALS_FULL_URI"),
                 NULL, pp);
  if (!s) return SQLITE_OK;
  s->url = rel ? cfg_xprintf(x, "http://169.254.170.2%s", rel) : cfg_xdup(x, full);
  s->auth_token_file = cfg_xdup(x, file);
  if (!file) s->auth_token = cfg_xdup(x, token);
  return SQLITE_OK;
}

/* A setting of the environment, else of the table's profile. */
static const char *setting(const cfg_resolver *x, const char *var,
                           const char *key) {
  const char *v = cfg_env(x, var);
  return v ? v : cfg_pget(x, &x->top, key);
}

/* A positive whole number of a setting, or fail. */
static int positive(cfg_resolver *x, const char *var, const char *key, long dflt,
                    long *pOut) {
  const char *v = setting(x, var, key);
  char *end;
  long n;
  *pOut = dflt;
  if (!v) return SQLITE_OK;
  errno = 0;
  n = strtol(v, &end, 10);
  if (errno || end == v || *end || n <= 0 || n > 3600)
    return cfg_fail(x, "dynamo: %s \"%s\" (%s or %s) is not a whole number from "
                    "1 to 3600",
                    key, v, var, key);
  *pOut = n;
  return SQLITE_OK;
}

static char *looked_in(cfg_resolver *x);

/* EC2 instance metadata, unless AWS_EC2_METADATA_DISABLED. ROLE: the role
** whose credential_source it is; NULL for the chain's last resort, whose
** failure means "no credentials found" (disabled, at once). */
static int imds(cfg_resolver *x, const char *role, cfg_source **pp) {
  int fallback = role == NULL;
  const char *url = setting(x, "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                            "ec2_metadata_service_endpoint");
  const char *mode = setting(x, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
                             "ec2_metadata_service_endpoint_mode");
  int ipv6 = cfg_is_true(setting(x, "AWS_IMDS_USE_IPV6", "imds_use_ipv6"));
  long timeout, attempts;
  cfg_source *s;
  int rc;
  if (cfg_is_true(cfg_env(x, "AWS_EC2_METADATA_DISABLED"))) {
    char *seen;
    if (!fallback)
      return cfg_fail(x, "dynamo: %s: credential_source Ec2InstanceMetadata, but "
                      "AWS_EC2_METADATA_DISABLED is true",
                      role);
    if (!(seen = looked_in(x))) return SQLITE_NOMEM;
    rc = cfg_fail(x,
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
      return cfg_fail(x, "dynamo: ec2_metadata_service_endpoint_mode \"%s\" is "
                      "neither ipv4 nor ipv6",
                      mode);
    ipv6 = sqlite3_stricmp(mode, "ipv6") == 0;
  }
  if (!url) url = ipv6 ? "http://[fd00:ec2::254]" : "http://169.254.169.254";
  if (url_check(url))
    return cfg_fail(x, "dynamo: invalid instance metadata endpoint \"%s\": %s",
                    url, url_check(url));
  if ((rc = positive(x, "AWS_METADATA_SERVICE_TIMEOUT",
                     "metadata_service_timeout", 1, &timeout)) != SQLITE_OK ||
      (rc = positive(x, "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
                     "metadata_service_num_attempts", 1, &attempts)) !=
          SQLITE_OK)
    return rc;
  s = new_source(x, CFG_IMDS, NULL, NULL, pp);
  if (!s) return SQLITE_OK;
  s->url = cfg_xdup(x, url);
  if (s->url && s->url[0] && s->url[strlen(s->url) - 1] == '/')
    s->url[strlen(s->url) - 1] = 0;
  s->where = cfg_xprintf(x, "EC2 instance metadata (%s)", s->url ? s->url : "");
  s->timeout_ms = timeout * 1000;
  s->attempts = (int)attempts;
  s->v1_disabled = cfg_is_true(setting(x, "AWS_EC2_METADATA_V1_DISABLED",
                                       "ec2_metadata_v1_disabled"));
  s->fallback = fallback;
  if (fallback && !(s->looked_in = looked_in(x))) x->oom = 1;
  return SQLITE_OK;
}

/* AssumeRoleWithWebIdentity, when a token file is configured. TOP: the
** table's profile, where the environment counts unless the profile option
** is given. */
static int web_identity(cfg_resolver *x, const cfg_prof *p, int top, cfg_source **pp) {
  int use_env = top && !x->opt->profile;
  const char *file = use_env ? cfg_env(x, "AWS_WEB_IDENTITY_TOKEN_FILE") : NULL;
  const char *role = use_env ? cfg_env(x, "AWS_ROLE_ARN") : NULL;
  const char *name = use_env ? cfg_env(x, "AWS_ROLE_SESSION_NAME") : NULL;
  char *where;
  cfg_source *s;
  if (file)
    where = cfg_xprintf(x, "environment (AWS_WEB_IDENTITY_TOKEN_FILE)");
  else if ((file = cfg_pget(x, p, "web_identity_token_file")) != NULL)
    where = where_key(x, p, "web_identity_token_file", NULL);
  else
    return SQLITE_OK;
  if (!role) role = cfg_pget(x, p, "role_arn");
  if (!name) name = cfg_pget(x, p, "role_session_name");
  if (!role) {
    int rc = cfg_fail(x, "dynamo: %s: a web identity token file but no role to "
                      "assume: set AWS_ROLE_ARN or the profile's role_arn",
                      where ? where : "");
    sqlite3_free(where);
    return rc;
  }
  s = new_source(x, CFG_WEB_IDENTITY, where, p, pp);
  if (!s) return SQLITE_OK;
  s->token_file = cfg_xdup(x, file);
  s->role_arn = cfg_xdup(x, role);
  s->role_session_name = cfg_xdup(x, name);
  return SQLITE_OK;
}

/* IAM Identity Center, when sso_account_id or sso_role_name is set. */
static int sso(cfg_resolver *x, const cfg_prof *p, cfg_source **pp) {
  static const char *const azNeed[] = {"sso_account_id", "sso_role_name",
                                       "sso_start_url", "sso_region"};
  const char *session = cfg_pget(x, p, "sso_session");
  const char *v[4];
  const char *home = cfg_env(x, "HOME");
  char zName[41], *missing = NULL;
  cfg_source *s;
  int i, sec = -1;
  if (!cfg_pget(x, p, "sso_account_id") && !cfg_pget(x, p, "sso_role_name"))
    return SQLITE_OK;
  for (i = 0; i < 4; i++) v[i] = cfg_pget(x, p, azNeed[i]);
  if (session) {
    if ((sec = ini_section(&x->conf, "sso-session", session)) < 0)
      return cfg_fail(x, "dynamo: profile \"%s\" names sso_session \"%s\", but %s "
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
        return cfg_fail(x, "dynamo: profile \"%s\" has %s \"%s\" but its "
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
    int rc = cfg_fail(x, "dynamo: profile \"%s\" is configured for IAM Identity "
                      "Center (SSO) but lacks %s",
                      p->name, missing);
    sqlite3_free(missing);
    return rc;
  }
  if (!home)
    return cfg_fail(x, "dynamo: profile \"%s\": the IAM Identity Center login "
                    "is cached in ~/.aws/sso/cache, but HOME is not set",
                    p->name);
  if (cp_sso_cache_name(session ? session : v[2], zName) != SQLITE_OK)
    return SQLITE_NOMEM;
  s = new_source(x, CFG_SSO,
                 session ? where_key(x, p, "sso_session", session)
                         : where_key(x, p, "sso_start_url", NULL),
                 p, pp);
  if (!s) return SQLITE_OK;
  s->sso_account_id = cfg_xdup(x, v[0]);
  s->account_id = cfg_xdup(x, v[0]);
  s->sso_role_name = cfg_xdup(x, v[1]);
  s->sso_start_url = cfg_xdup(x, v[2]);
  s->region = cfg_xdup(x, v[3]);
  s->sso_session = cfg_xdup(x, session);
  s->token_cache = cfg_xprintf(x, "%s%s.aws/sso/cache/%s.json", home,
                               home[strlen(home) - 1] == '/' ? "" : "/", zName);
  return SQLITE_OK;
}

static int profile_chain(cfg_resolver *x, const cfg_prof *p, int top,
                         cfg_source **pp);

/* The chain of source profiles so far, for a loop's message. */
static char *chain_text(cfg_resolver *x, const char *last) {
  char *z = NULL;
  int i;
  for (i = 0; i < x->nvisited; i++)
    z = sqlite3_mprintf("%z\"%s\" -> ", z, x->visited[i]);
  return sqlite3_mprintf("%z\"%s\"", z, last);
}

static int has_static_keys(const cfg_resolver *x, const cfg_prof *p) {
  return cfg_pget(x, p, "aws_access_key_id") || cfg_pget(x, p, "aws_secret_access_key");
}

/* role_arn: AssumeRole with the credentials of source_profile or
** credential_source. */
static int assume_role(cfg_resolver *x, const cfg_prof *p, cfg_source **pp) {
  const char *sp = cfg_pget(x, p, "source_profile");
  const char *cs = cfg_pget(x, p, "credential_source");
  const char *dur = cfg_pget(x, p, "duration_seconds");
  cfg_source *s;
  char *where = where_key(x, p, "role_arn", NULL);
  int rc = SQLITE_OK, i;
  if (!where) return SQLITE_NOMEM;
  if (cfg_pget(x, p, "mfa_serial")) {
    rc = cfg_fail(x,
                  "dynamo: %s: the role needs an MFA code (mfa_serial), which "
                  "cannot be typed inside SQL; get the role's credentials first, "
                  "e.g. eval \"$(aws configure export-credentials --profile %s "
                  "--format env)\", and use them from the environment",
                  where, p->name);
  } else if (sp && cs) {
    rc = cfg_fail(x, "dynamo: %s: the profile has both source_profile and "
                  "credential_source; keep one",
                  where);
  } else if (!sp && !cs) {
    rc = cfg_fail(x, "dynamo: %s: the profile has neither source_profile nor "
                  "credential_source, so nothing can sign AssumeRole",
                  where);
  }
  if (rc != SQLITE_OK) {
    sqlite3_free(where);
    return rc;
  }
  if (!(s = new_source(x, CFG_ASSUME_ROLE, where, p, pp))) return SQLITE_OK;
  s->role_arn = cfg_xdup(x, cfg_pget(x, p, "role_arn"));
  s->role_session_name = cfg_xdup(x, cfg_pget(x, p, "role_session_name"));
  s->external_id = cfg_xdup(x, cfg_pget(x, p, "external_id"));
  if (dur) { /* botocore ignores one that is not an integer */
    char *end;
    long n = strtol(dur, &end, 10);
    if (end != dur && !*end && n > 0 && n <= 43200) s->duration_seconds = (int)n;
  }
  if (cs) {
    if (strcmp(cs, "Environment") == 0) {
      if ((rc = env_keys(x, &s->source)) == SQLITE_OK && !s->source && !x->oom)
        rc = cfg_fail(x, "dynamo: %s: credential_source Environment, but "
                      "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
                      s->where);
    } else if (strcmp(cs, "Ec2InstanceMetadata") == 0) {
      rc = imds(x, s->where, &s->source);
    } else if (strcmp(cs, "EcsContainer") == 0) {
      if ((rc = container(x, &s->source)) == SQLITE_OK && !s->source && !x->oom)
        rc = cfg_fail(x, "dynamo: %s: credential_source EcsContainer, but "
                      "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor "
                      "AWS_CONTAINER_CREDENTIALS_FULL_URI is set",
                      s->where);
    } else {
      rc = cfg_fail(x, "dynamo: %s: credential_source \"%s\" is none of "
                    "Environment, Ec2InstanceMetadata, EcsContainer",
                    s->where, cs);
    }
    return rc;
  }
  {
    cfg_prof q = cfg_prof_of(x, sp);
    if (q.csec < 0 && q.psec < 0)
      return cfg_fail(x, "dynamo: %s: source_profile \"%s\" does not exist in %s "
                      "or %s",
                      s->where, sp, x->cred.path, x->conf.path);
    for (i = 0; i < x->nvisited; i++) {
      if (strcmp(x->visited[i], sp) != 0) continue;
      /* a profile may name itself to use its own keys */
      if (strcmp(sp, p->name) == 0 && has_static_keys(x, &q)) break;
      {
        char *chain = chain_text(x, sp);
        if (!chain) return SQLITE_NOMEM;
        rc = cfg_fail(x, "dynamo: %s: source_profile loop: %s", s->where, chain);
        sqlite3_free(chain);
        return rc;
      }
    }
    if (i == x->nvisited) {
      if (x->nvisited == CFG_MAX_CHAIN)
        return cfg_fail(x, "dynamo: %s: more than %d source profiles in a chain",
                        s->where, CFG_MAX_CHAIN);
      x->visited[x->nvisited++] = sp;
    }
    if ((rc = profile_chain(x, &q, 0, &s->source)) != SQLITE_OK) return rc;
    if (!s->source && !x->oom)
      return cfg_fail(x, "dynamo: %s: source_profile \"%s\" has no credentials",
                      s->where, sp);
  }
  return SQLITE_OK;
}

/* credential_process, when set. */
static int process(cfg_resolver *x, const cfg_prof *p, cfg_source **pp) {
  const char *cmd = cfg_pget(x, p, "credential_process");
  cfg_source *s;
  if (!cmd) return SQLITE_OK;
  s = new_source(x, CFG_PROCESS, where_key(x, p, "credential_process", NULL), p,
                 pp);
  if (s) {
    s->command = cfg_xdup(x, cmd);
    s->account_id = cfg_xdup(x, cfg_pget(x, p, "aws_account_id"));
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
static int profile_chain(cfg_resolver *x, const cfg_prof *p, int top,
                         cfg_source **pp) {
  int rc;
  if (cfg_pget(x, p, "role_arn") && !cfg_pget(x, p, "web_identity_token_file") &&
      (top || !has_static_keys(x, p)))
    return assume_role(x, p, pp);
  if ((rc = web_identity(x, p, top, pp)) != SQLITE_OK || *pp) return rc;
  if ((rc = sso(x, p, pp)) != SQLITE_OK || *pp) return rc;
  if ((rc = file_keys(x, p, &x->cred, p->csec, pp)) != SQLITE_OK || *pp)
    return rc;
  if (cfg_pget(x, p, "login_session"))
    return cfg_fail(x,
                    "dynamo: profile \"%s\" (login_session in %s): \"aws login\" "
                    "sessions are not supported; export credentials with \"aws "
                    "configure export-credentials --profile %s --format env\"",
                    p->name, cfg_pfile(x, p, "login_session"), p->name);
  if ((rc = process(x, p, pp)) != SQLITE_OK || *pp) return rc;
  return file_keys(x, p, &x->conf, p->psec, pp);
}

/* Every place the chain looked at before instance metadata. */
static char *looked_in(cfg_resolver *x) {
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

int cfg_resolve_credentials(cfg_resolver *x) {
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
