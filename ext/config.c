/*
** Region, endpoint and credentials, resolved as the AWS CLI (botocore) does;
** the order is in include/config.h. cfg_resolve() reads both AWS files
** (ini.c) into a cfg_resolver (cfgint.h) and runs its steps over it:
**
**   cfg_resolve_credentials()  botocore's chain, in credchain.c: the result
**                          is a cfg_source, or a chain of them for a role.
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
#include "cfgint.h"
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

int cfg_fail(cfg_resolver *x, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  x->err = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  return x->err ? SQLITE_ERROR : SQLITE_NOMEM;
}

static const char *std_getenv(const char *name) { return getenv(name); }

/* An environment variable; empty counts as unset. */
const char *cfg_env(const cfg_resolver *x, const char *name) {
  const char *v = x->get_env(name);
  return v && *v ? v : NULL;
}

int cfg_is_true(const char *v) { return v && sqlite3_stricmp(v, "true") == 0; }

/* VAR if set ("~/" expanded), else ~/.aws/NAME. */
static int file_path(cfg_resolver *x, ini_file *f, const char *var,
                     const char *name) {
  const char *v = cfg_env(x, var), *home = cfg_env(x, "HOME");
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
char *cfg_xdup(cfg_resolver *x, const char *z) {
  char *r;
  if (!z) return NULL;
  if (!(r = sqlite3_mprintf("%s", z))) x->oom = 1;
  return r;
}

char *cfg_xprintf(cfg_resolver *x, const char *fmt, ...) {
  va_list ap;
  char *r;
  va_start(ap, fmt);
  r = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  if (!r) x->oom = 1;
  return r;
}

cfg_prof cfg_prof_of(const cfg_resolver *x, const char *name) {
  cfg_prof p;
  p.name = name;
  p.csec = ini_section(&x->cred, NULL, name);
  p.psec = ini_profile(&x->conf, name);
  return p;
}

/* A setting of the profile: the credentials file's, else the config
** file's (botocore's merged profile). */
const char *cfg_pget(const cfg_resolver *x, const cfg_prof *p, const char *key) {
  const char *v = ini_get(&x->cred, p->csec, key, NULL);
  return v ? v : ini_get(&x->conf, p->psec, key, NULL);
}

/* The file cfg_pget() found KEY in. */
const char *cfg_pfile(const cfg_resolver *x, const cfg_prof *p, const char *key) {
  return ini_get(&x->cred, p->csec, key, NULL) ? x->cred.path : x->conf.path;
}

/* As botocore: [A-Za-z0-9], optionally [A-Za-z0-9-]{0,61}[A-Za-z0-9]. */
static int valid_region(const char *s) {
  size_t i, n = strlen(s);
  if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-') return 0;
  for (i = 0; i < n; i++)
    if (!isalnum((unsigned char)s[i]) && s[i] != '-') return 0;
  return 1;
}

static int resolve_region(cfg_resolver *x) {
  const char *v, *from = NULL;
  endpoint_arn arn;
  int rc = endpoint_table_arn(x->opt->table, &arn);
  if (rc == SQLITE_NOMEM) return rc;
  if (rc == SQLITE_OK) { /* the table's ARN names its region */
    x->r.table_arn = str_dup(x->opt->table);
    v = x->opt->region;
    if (v && strcmp(v, arn.region) != 0)
      rc = cfg_fail(x, "dynamo: the region option \"%s\" is not the region of the "
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
      rc = cfg_fail(x, "dynamo: invalid region \"%s\" (from %s)", x->r.region,
                    x->r.region_source);
    return rc;
  }
  if ((v = x->opt->region) != NULL)
    from = "region option";
  else if ((v = cfg_env(x, "AWS_REGION")) != NULL)
    from = "AWS_REGION";
  else if ((v = cfg_env(x, "AWS_DEFAULT_REGION")) != NULL)
    from = "AWS_DEFAULT_REGION";
  else if ((v = ini_get(&x->conf, x->top.psec, "region", NULL)) == NULL)
    return cfg_fail(x,
                    "dynamo: no AWS region found: looked in the region option, "
                    "AWS_REGION, AWS_DEFAULT_REGION and profile \"%s\" in %s",
                    x->top.name, x->conf.path);
  x->r.region_source =
      from ? str_dup(from)
           : sqlite3_mprintf("profile %s in %s", x->top.name, x->conf.path);
  x->r.region = str_dup(v);
  if (!x->r.region || !x->r.region_source) return SQLITE_NOMEM;
  if (!valid_region(v))
    return cfg_fail(x, "dynamo: invalid region \"%s\" (from %s)", v,
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
static int service_endpoint(cfg_resolver *x, const char *svc, const char *var,
                            const char *dflt, char **pzUrl, char **pzFrom) {
  const char *v = NULL, *from = NULL, *name;
  const ini_file *conf = &x->conf;
  const char *ignore = cfg_env(x, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  int ignored, n;

  if (!ignore)
    ignore = ini_get(conf, x->top.psec, "ignore_configured_endpoint_urls", NULL);
  ignored = cfg_is_true(ignore);

  if (ignored) {
    /* the default only */
  } else if ((v = cfg_env(x, var)) != NULL) {
    from = var;
  } else if ((v = cfg_env(x, "AWS_ENDPOINT_URL")) != NULL) {
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
    return cfg_fail(x, "dynamo: invalid endpoint \"%s\" (from %s): %s",
                    v ? v : *pzUrl, *pzFrom, valid_endpoint(*pzUrl));
  return SQLITE_OK;
}

/* A setting that is a boolean (botocore's ensure_boolean: "true" in any
** case is true); *pzFrom names where it came from, NULL when unset. */
static int flag(const cfg_resolver *x, const char *var, const char *key,
                const char **pzFrom) {
  const char *v = cfg_env(x, var);
  *pzFrom = v ? var : NULL;
  if (!v && (v = cfg_pget(x, &x->top, key)) != NULL) *pzFrom = key;
  return cfg_is_true(v);
}

/* FIPS, dual-stack, account_id_endpoint_mode: the rule set's settings. */
static int endpoint_settings(cfg_resolver *x) {
  const char *zFips, *zDual, *zMode = NULL;
  const char *m = cfg_env(x, "AWS_ACCOUNT_ID_ENDPOINT_MODE");
  if (m) zMode = "AWS_ACCOUNT_ID_ENDPOINT_MODE";
  else if ((m = cfg_pget(x, &x->top, "account_id_endpoint_mode")) != NULL)
    zMode = "account_id_endpoint_mode";
  x->r.use_fips = flag(x, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint", &zFips);
  x->r.use_dualstack =
      flag(x, "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint", &zDual);
  x->r.account_mode = ENDPOINT_ACCOUNT_PREFERRED;
  if (m && endpoint_account_mode_parse(m, &x->r.account_mode) != SQLITE_OK)
    return cfg_fail(x, "dynamo: account_id_endpoint_mode \"%s\" (from %s) is none "
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
static const char *static_account(const cfg_resolver *x) {
  const cfg_source *s = x->r.creds;
  if (!s) return NULL;
  return s->kind == CFG_STATIC || s->kind == CFG_PROCESS || s->kind == CFG_SSO
             ? s->account_id
             : NULL;
}

/* The endpoint: configured (option, environment, files), else the rule
** set's. */
static int resolve_endpoint(cfg_resolver *x) {
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
      return cfg_fail(x, "dynamo: invalid endpoint \"%s\" (from endpoint option): %s",
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
    rc = cfg_fail(x, "dynamo: no DynamoDB endpoint for region %s: %s (%s)",
                  x->r.region, zErr, x->r.endpoint_settings);
  sqlite3_free(zErr);
  if (rc != SQLITE_OK || x->r.configured) {
    sqlite3_free(zUrl);
    return rc;
  }
  x->r.endpoint = zUrl;
  {
    const char *ignore = cfg_env(x, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    if (!ignore)
      ignore = ini_get(&x->conf, x->top.psec, "ignore_configured_endpoint_urls", NULL);
    /* an account's endpoint: the table ARN's account, else the credentials' */
    x->r.endpoint_source = sqlite3_mprintf(
        "%z%s%s", cfg_rule_source(&x->r, zUrl, x->r.table_arn ? "the table's ARN"
                                                                : x->r.creds->where),
        cfg_is_true(ignore) ? " (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)" : "",
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
static int resolve_streams_endpoint(cfg_resolver *x) {
  const char *ignore = cfg_env(x, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), *v = NULL, *name;
  char *zFrom = NULL, *zUrl = NULL, *zErr = NULL;
  endpoint_params ep;
  int rc, n;
  x->r.streams = 1;
  if (!ignore) ignore = ini_get(&x->conf, x->top.psec, "ignore_configured_endpoint_urls", NULL);
  if (!cfg_is_true(ignore)) {
    if ((v = cfg_env(x, "AWS_ENDPOINT_URL_DYNAMODB_STREAMS")) != NULL) {
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
      rc = cfg_fail(x, "dynamo: invalid endpoint \"%s\" (from %s): %s", v, zFrom,
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
      rc = cfg_fail(x, "dynamo: no DynamoDB Streams endpoint for region %s: %s (%s)", x->r.region,
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
static const char *setting_from(cfg_resolver *x, const char *var, const char *key,
                                char **pzFrom) {
  const char *v = cfg_env(x, var);
  *pzFrom = NULL;
  if (v) {
    *pzFrom = cfg_xdup(x, var);
  } else if ((v = cfg_pget(x, &x->top, key)) != NULL) {
    *pzFrom = cfg_xprintf(x, "%s in %s (profile %s)", key, cfg_pfile(x, &x->top, key),
                          x->top.name);
  }
  return v;
}

/* retry_mode and max_attempts (retry.h), as configured. */
static int resolve_retries(cfg_resolver *x) {
  const char *zMode = setting_from(x, "AWS_RETRY_MODE", "retry_mode",
                                   &x->r.retry_mode_source);
  const char *zMax = setting_from(x, "AWS_MAX_ATTEMPTS", "max_attempts",
                                  &x->r.max_attempts_source);
  retry_mode m;
  if (x->oom) return SQLITE_NOMEM;
  if (zMode) {
    if (retry_mode_parse(zMode, &m) != SQLITE_OK)
      return cfg_fail(x, "dynamo: retry mode \"%s\" (from %s) is none of legacy, "
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
      return cfg_fail(x, "dynamo: max_attempts \"%s\" (from %s) is not a whole "
                      "number from 1 to 100",
                      zMax, x->r.max_attempts_source);
    x->r.max_attempts = (int)n;
  }
  return SQLITE_OK;
}

/* The URLs every source that fetches asks: STS (in the table's region) for
** roles, the portal and OIDC (in sso_region) for IAM Identity Center. */
static int source_endpoints(cfg_resolver *x) {
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
        rc = cfg_fail(x, "dynamo: %s: invalid sso_region \"%s\"", s->where,
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
  cfg_resolver x;
  const char *named;
  int rc;

  memset(&x, 0, sizeof x);
  memset(out, 0, sizeof *out);
  x.opt = opt ? opt : &none;
  x.get_env = get_env ? get_env : std_getenv;
  named = x.opt->profile;
  if (!named) named = cfg_env(&x, "AWS_DEFAULT_PROFILE");
  if (!named) named = cfg_env(&x, "AWS_PROFILE");
  x.top.name = named ? named : "default";

  rc = file_path(&x, &x.cred, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
  if (rc == SQLITE_OK)
    rc = file_path(&x, &x.conf, "AWS_CONFIG_FILE", "config");
  if (rc == SQLITE_OK) rc = ini_load(&x.cred, &x.err);
  if (rc == SQLITE_OK) rc = ini_load(&x.conf, &x.err);
  if (rc != SQLITE_OK) goto done;

  x.top = cfg_prof_of(&x, x.top.name);
  if (named && x.top.csec < 0 && x.top.psec < 0) {
    rc = cfg_fail(&x, "dynamo: profile \"%s\" not found in %s or %s", x.top.name,
                  x.cred.path, x.conf.path);
    goto done;
  }
  x.r.profile = str_dup(x.top.name);
  rc = x.r.profile ? cfg_resolve_credentials(&x) : SQLITE_NOMEM;
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
  cfg_source_free(r->creds);
  sqlite3_free(r->region_source);
  sqlite3_free(r->endpoint_source);
  sqlite3_free(r->table_arn);
  sqlite3_free(r->endpoint_settings);
  sqlite3_free(r->retry_mode_source);
  sqlite3_free(r->max_attempts_source);
  memset(r, 0, sizeof *r);
}
