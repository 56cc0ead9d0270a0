/*
** Region, endpoint and credentials, resolved as the AWS CLI (botocore) does;
** the order is in include/config.h. cfg_resolve() runs three steps over a
** resolver that holds both parsed files:
**
**   resolve_credentials()  environment (unless the profile option is set),
**                          then the profile: the credentials file, then the
**                          config file. Kinds dynamo cannot use are refused
**                          at the point botocore would use them: role_arn,
**                          web_identity_token_file and sso_* before the
**                          credentials file, credential_process before the
**                          config file.
**   resolve_region()       option, AWS_REGION, AWS_DEFAULT_REGION, profile.
**   resolve_endpoint()     option, environment, [services NAME] dynamodb
**                          block, profile endpoint_url, default URL.
**
** The files are read the way botocore's configparser reads them: section
** names are case-sensitive, top-level keys are lowercased, '=' or ':'
** separates key and value, whole-line comments start with '#' or ';', a line
** indented deeper than the key above it continues that key (a key with an
** empty value followed by indented "k = v" lines is a nested block), and
** when several sections name the same profile the last one wins. Beyond
** botocore, " #" and " ;" start an inline comment.
**
** Empty environment variables and empty file values count as unset. Options
** are used as given (an empty one fails validation). No message and no
** *_source string contains a secret; secrets are wiped before being freed.
*/
#include "common.h"
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- INI files ---------------------------------------------------------- */

/* One line that matters. A section's lines follow its header directly. */
typedef struct ini_line {
  const char *key;   /* NULL for a section header; lowercased */
  const char *sub;   /* key inside a nested block, else NULL */
  const char *value; /* section name for a header */
} ini_line;

typedef struct ini_file {
  char *path;   /* as named in messages and sources */
  int can_open; /* 0 when HOME is unset: path is only a description */
  char *text;   /* the contents, cut in place; lines point into it */
  size_t ntext;
  ini_line *a;
  int n, cap;
} ini_file;

static void wipe_free(void *p, size_t n) {
  volatile unsigned char *v = p;
  while (v && n--) *v++ = 0;
  sqlite3_free(p);
}

static void ini_free(ini_file *f) {
  sqlite3_free(f->path);
  wipe_free(f->text, f->ntext);
  sqlite3_free(f->a);
  memset(f, 0, sizeof *f);
}

/* Appends a line; returns its index, or -1 when out of memory. */
static int ini_add(ini_file *f, const char *key, const char *sub,
                   const char *value) {
  if (f->n == f->cap) {
    int cap = f->cap ? 2 * f->cap : 32;
    ini_line *a = sqlite3_realloc64(f->a, (sqlite3_uint64)cap * sizeof *a);
    if (!a) return -1;
    f->a = a;
    f->cap = cap;
  }
  f->a[f->n].key = key;
  f->a[f->n].sub = sub;
  f->a[f->n].value = value;
  return f->n++;
}

static char *trim(char *s) {
  size_t n;
  while (isspace((unsigned char)*s)) s++;
  n = strlen(s);
  while (n > 0 && isspace((unsigned char)s[n - 1])) s[--n] = 0;
  return s;
}

/* Cuts an inline comment: '#' or ';' right after a space or tab. */
static void cut_comment(char *s) {
  for (; *s; s++) {
    if ((s[1] == '#' || s[1] == ';') && (s[0] == ' ' || s[0] == '\t')) {
      s[1] = 0;
      return;
    }
  }
}

static int ini_parse(ini_file *f) {
  char *p = f->text;
  int have_section = 0, key = -1;
  size_t key_indent = 0;

  if (strncmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3; /* UTF-8 BOM */
  while (*p) {
    char *line = p, *s, *sep;
    size_t indent;

    p += strcspn(p, "\n");
    if (*p) *p++ = 0;
    indent = strspn(line, " \t");
    s = line + indent;
    cut_comment(s);
    s = trim(s);
    if (*s == 0 || *s == '#' || *s == ';') continue;

    if (key >= 0 && indent > key_indent) { /* continues the key above */
      if (f->a[key].value[0] == 0 && (sep = strchr(s, '=')) != NULL) {
        *sep = 0;
        if (ini_add(f, f->a[key].key, trim(s), trim(sep + 1)) < 0)
          return SQLITE_NOMEM;
      } /* else: a multi-line value, of which only the first line is kept */
      continue;
    }
    key = -1;
    if (*s == '[' && (sep = strrchr(s, ']')) != NULL && sep > s + 1) {
      *sep = 0;
      if (ini_add(f, NULL, NULL, s + 1) < 0) return SQLITE_NOMEM;
      have_section = 1;
      continue;
    }
    sep = strpbrk(s, "=:");
    if (!have_section || !sep || sep == s) continue; /* not a key: skipped */
    *sep = 0;
    for (char *k = s; *k; k++) *k = (char)tolower((unsigned char)*k);
    key = ini_add(f, trim(s), NULL, trim(sep + 1));
    if (key < 0) return SQLITE_NOMEM;
    key_indent = indent;
  }
  return SQLITE_OK;
}

/*
** Reads and parses f->path. A file that does not exist is empty; one that
** exists but cannot be read is an error naming it.
*/
static int ini_load(ini_file *f, char **pzErr) {
  FILE *fp;
  size_t cap = 0;
  int rc = SQLITE_OK;

  if (!f->can_open) return SQLITE_OK;
  fp = fopen(f->path, "rb");
  if (!fp) {
    if (errno == ENOENT || errno == ENOTDIR) return SQLITE_OK;
    *pzErr = sqlite3_mprintf("dynamo: cannot read %s: %s", f->path,
                             strerror(errno));
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  for (;;) {
    size_t got;
    if (cap - f->ntext < 4096) {
      char *t;
      cap = cap ? 2 * cap : 8192;
      t = sqlite3_malloc64(cap); /* not realloc: the old copy is wiped */
      if (!t) {
        rc = SQLITE_NOMEM;
        goto done;
      }
      if (f->text) memcpy(t, f->text, f->ntext);
      wipe_free(f->text, f->ntext);
      f->text = t;
    }
    got = fread(f->text + f->ntext, 1, cap - f->ntext - 1, fp);
    f->ntext += got;
    if (got == 0) break;
  }
  if (ferror(fp)) {
    *pzErr = sqlite3_mprintf("dynamo: cannot read %s: %s", f->path,
                             strerror(errno));
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    goto done;
  }
  f->text[f->ntext] = 0;
  rc = ini_parse(f);
done:
  fclose(fp);
  return rc;
}

/*
** Does a section header select WANT? Without a prefix the name must be WANT
** exactly; with one ("profile", "services") it must be the prefix,
** whitespace, then WANT (whitespace around WANT ignored), as botocore's
** shlex split reads it.
*/
static int section_is(const char *name, const char *prefix, const char *want) {
  size_t n;
  if (!prefix) return strcmp(name, want) == 0;
  n = strlen(prefix);
  if (strncmp(name, prefix, n) != 0 || !isspace((unsigned char)name[n]))
    return 0;
  name += n;
  while (isspace((unsigned char)*name)) name++;
  n = strlen(want);
  if (strncmp(name, want, n) != 0) return 0;
  for (name += n; *name; name++)
    if (!isspace((unsigned char)*name)) return 0;
  return 1;
}

/* Index of the last header selecting WANT, or -1. */
static int ini_section(const ini_file *f, const char *prefix,
                       const char *want) {
  int i, found = -1;
  for (i = 0; i < f->n; i++)
    if (!f->a[i].key && section_is(f->a[i].value, prefix, want)) found = i;
  return found;
}

/* A profile of the config file: [profile NAME], or [default] for default. */
static int config_profile(const ini_file *f, const char *name) {
  int a = ini_section(f, "profile", name);
  int b = strcmp(name, "default") == 0 ? ini_section(f, NULL, "default") : -1;
  return a > b ? a : b;
}

/* The last non-empty value of KEY (SUB in its nested block) in section SEC. */
static const char *ini_get(const ini_file *f, int sec, const char *key,
                           const char *sub) {
  const char *v = NULL;
  int i;
  if (sec < 0) return NULL;
  for (i = sec + 1; i < f->n && f->a[i].key; i++) {
    const ini_line *l = &f->a[i];
    if (strcmp(l->key, key) != 0) continue;
    if (sub ? l->sub && strcmp(l->sub, sub) == 0 : !l->sub) v = l->value;
  }
  return v && *v ? v : NULL;
}

/* ---- Resolution ------------------------------------------------------- */

typedef struct resolver {
  const cfg_options *opt;
  cfg_getenv_fn get_env;
  const char *profile; /* option, AWS_PROFILE or "default" */
  ini_file cred, conf;
  int csec, psec; /* the profile's section in each file, or -1 */
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

/* Takes the keys and SOURCE (already allocated, may be NULL: no memory). */
static int take_keys(resolver *x, const char *id, const char *secret,
                     const char *token, char *source) {
  x->r.credentials_source = source;
  x->r.access_key_id = str_dup(id);
  x->r.secret_access_key = str_dup(secret);
  if (token) x->r.session_token = str_dup(token);
  if (!source || !x->r.access_key_id || !x->r.secret_access_key ||
      (token && !x->r.session_token))
    return SQLITE_NOMEM;
  return SQLITE_OK;
}

/* Static keys of the profile in one file, if it has any. */
static int profile_keys(resolver *x, const ini_file *f, int sec) {
  const char *id = ini_get(f, sec, "aws_access_key_id", NULL);
  const char *secret = ini_get(f, sec, "aws_secret_access_key", NULL);
  if (!id && !secret) return SQLITE_OK;
  if (!id || !secret)
    return fail(x, "dynamo: profile \"%s\" in %s has %s but no %s",
                x->profile, f->path,
                id ? "aws_access_key_id" : "aws_secret_access_key",
                id ? "aws_secret_access_key" : "aws_access_key_id");
  return take_keys(x, id, secret, ini_get(f, sec, "aws_session_token", NULL),
                   sqlite3_mprintf("profile %s in %s", x->profile, f->path));
}

/* Refuses a credential kind dynamo cannot use: with PROCESS,
** credential_process, else role_arn, web_identity_token_file or sso_*. */
static int check_unsupported(resolver *x, int process) {
  const ini_file *f[2] = {&x->cred, &x->conf};
  int sec[2] = {x->csec, x->psec}, i, j;
  for (i = 0; i < 2; i++) {
    for (j = sec[i] + 1; sec[i] >= 0 && j < f[i]->n && f[i]->a[j].key; j++) {
      const ini_line *l = &f[i]->a[j];
      int hit = process ? strcmp(l->key, "credential_process") == 0
                        : strcmp(l->key, "role_arn") == 0 ||
                              strcmp(l->key, "web_identity_token_file") == 0 ||
                              strncmp(l->key, "sso_", 4) == 0;
      if (hit && !l->sub && l->value[0])
        return fail(x,
                    "dynamo: profile \"%s\" in %s uses %s, which dynamo does "
                    "not support; use aws_access_key_id and "
                    "aws_secret_access_key, or export credentials with "
                    "\"aws configure export-credentials --profile %s "
                    "--format env\"",
                    x->profile, f[i]->path, l->key, x->profile);
    }
  }
  return SQLITE_OK;
}

static int resolve_credentials(resolver *x) {
  int rc;
  if (!x->opt->profile) {
    const char *id = env(x, "AWS_ACCESS_KEY_ID");
    const char *secret = env(x, "AWS_SECRET_ACCESS_KEY");
    if (id || secret) {
      if (!id || !secret)
        return fail(x, "dynamo: %s is set but %s is not",
                    id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                    id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
      return take_keys(x, id, secret, env(x, "AWS_SESSION_TOKEN"),
                       sqlite3_mprintf("environment"));
    }
  }
  rc = check_unsupported(x, 0);
  if (rc == SQLITE_OK) rc = profile_keys(x, &x->cred, x->csec);
  if (rc != SQLITE_OK || x->r.access_key_id) return rc;
  rc = check_unsupported(x, 1);
  if (rc == SQLITE_OK) rc = profile_keys(x, &x->conf, x->psec);
  if (rc != SQLITE_OK || x->r.access_key_id) return rc;
  return fail(x,
              "dynamo: no AWS credentials found: looked in %sprofile \"%s\" "
              "in %s and %s%s",
              x->opt->profile ? ""
                              : "the environment (AWS_ACCESS_KEY_ID, "
                                "AWS_SECRET_ACCESS_KEY), ",
              x->profile, x->cred.path, x->conf.path,
              x->opt->profile ? " (the profile option skips the environment)"
                              : "");
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
  if ((v = x->opt->region) != NULL)
    from = "region option";
  else if ((v = env(x, "AWS_REGION")) != NULL)
    from = "AWS_REGION";
  else if ((v = env(x, "AWS_DEFAULT_REGION")) != NULL)
    from = "AWS_DEFAULT_REGION";
  else if ((v = ini_get(&x->conf, x->psec, "region", NULL)) == NULL)
    return fail(x,
                "dynamo: no AWS region found: looked in the region option, "
                "AWS_REGION, AWS_DEFAULT_REGION and profile \"%s\" in %s",
                x->profile, x->conf.path);
  x->r.region_source =
      from ? str_dup(from)
           : sqlite3_mprintf("profile %s in %s", x->profile, x->conf.path);
  x->r.region = str_dup(v);
  if (!x->r.region || !x->r.region_source) return SQLITE_NOMEM;
  if (!valid_region(v))
    return fail(x, "dynamo: invalid region \"%s\" (from %s)", v,
                x->r.region_source);
  return SQLITE_OK;
}

/* http:// or https://, a non-empty rest, no spaces or control characters. */
static int valid_endpoint(const char *s) {
  size_t n = sqlite3_strnicmp(s, "http://", 7) == 0    ? 7
             : sqlite3_strnicmp(s, "https://", 8) == 0 ? 8
                                                       : 0;
  if (n == 0 || s[n] == 0) return 0;
  for (; *s; s++)
    if ((unsigned char)*s <= ' ' || *s == 0x7f) return 0;
  return 1;
}

static int resolve_endpoint(resolver *x) {
  const char *v = NULL, *from = NULL, *svc;
  const ini_file *conf = &x->conf;
  const char *ignore = env(x, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  int ignored, n;

  if (!ignore)
    ignore = ini_get(conf, x->psec, "ignore_configured_endpoint_urls", NULL);
  ignored = ignore && sqlite3_stricmp(ignore, "true") == 0;

  if ((v = x->opt->endpoint) != NULL) {
    from = "endpoint option";
  } else if (ignored) {
    /* only the option counts */
  } else if ((v = env(x, "AWS_ENDPOINT_URL_DYNAMODB")) != NULL) {
    from = "AWS_ENDPOINT_URL_DYNAMODB";
  } else if ((v = env(x, "AWS_ENDPOINT_URL")) != NULL) {
    from = "AWS_ENDPOINT_URL";
  } else if ((svc = ini_get(conf, x->psec, "services", NULL)) != NULL &&
             (v = ini_get(conf, ini_section(conf, "services", svc),
                          "dynamodb", "endpoint_url")) != NULL) {
    x->r.endpoint_source = sqlite3_mprintf(
        "services %s (dynamodb) in %s, from profile %s", svc, conf->path,
        x->profile);
  } else if ((v = ini_get(conf, x->psec, "endpoint_url", NULL)) != NULL) {
    x->r.endpoint_source =
        sqlite3_mprintf("profile %s in %s", x->profile, conf->path);
  }

  if (v) {
    x->r.endpoint = str_dup(v);
    if (from) x->r.endpoint_source = str_dup(from);
  } else {
    x->r.endpoint = sqlite3_mprintf(
        "https://dynamodb.%s.amazonaws.com%s", x->r.region,
        strncmp(x->r.region, "cn-", 3) == 0 ? ".cn" : "");
    x->r.endpoint_source = sqlite3_mprintf(
        "default for region %s%s", x->r.region,
        ignored ? " (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)" : "");
  }
  if (!x->r.endpoint || !x->r.endpoint_source) return SQLITE_NOMEM;

  n = (int)strlen(x->r.endpoint);
  if (n > 0 && x->r.endpoint[n - 1] == '/') x->r.endpoint[n - 1] = 0;
  if (!valid_endpoint(x->r.endpoint))
    return fail(x,
                "dynamo: invalid endpoint \"%s\" (from %s): it must be an "
                "http:// or https:// URL",
                v ? v : x->r.endpoint, x->r.endpoint_source);
  return SQLITE_OK;
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
  named = x.opt->profile ? x.opt->profile : env(&x, "AWS_PROFILE");
  x.profile = named ? named : "default";

  rc = file_path(&x, &x.cred, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
  if (rc == SQLITE_OK)
    rc = file_path(&x, &x.conf, "AWS_CONFIG_FILE", "config");
  if (rc == SQLITE_OK) rc = ini_load(&x.cred, &x.err);
  if (rc == SQLITE_OK) rc = ini_load(&x.conf, &x.err);
  if (rc != SQLITE_OK) goto done;

  x.csec = ini_section(&x.cred, NULL, x.profile);
  x.psec = config_profile(&x.conf, x.profile);
  if (named && x.csec < 0 && x.psec < 0) {
    rc = fail(&x, "dynamo: profile \"%s\" not found in %s or %s", x.profile,
              x.cred.path, x.conf.path);
    goto done;
  }
  x.r.profile = str_dup(x.profile);
  rc = x.r.profile ? resolve_credentials(&x) : SQLITE_NOMEM;
  if (rc == SQLITE_OK) rc = resolve_region(&x);
  if (rc == SQLITE_OK) rc = resolve_endpoint(&x);

done:
  ini_free(&x.cred);
  ini_free(&x.conf);
  if (rc == SQLITE_OK) {
    *out = x.r;
    return SQLITE_OK;
  }
  cfg_resolved_free(&x.r);
  if (!x.err) x.err = sqlite3_mprintf("dynamo: out of memory");
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
  sqlite3_free(r->access_key_id);
  if (r->secret_access_key)
    wipe_free(r->secret_access_key, strlen(r->secret_access_key));
  if (r->session_token) wipe_free(r->session_token, strlen(r->session_token));
  sqlite3_free(r->profile);
  sqlite3_free(r->credentials_source);
  sqlite3_free(r->region_source);
  sqlite3_free(r->endpoint_source);
  memset(r, 0, sizeof *r);
}
