/*
** Unit tests of ext/config.c: every precedence rule, the file syntax and the
** messages. The environment is a table read by fake_getenv(); HOME is a
** mkdtemp() directory whose .aws/credentials and .aws/config each test
** writes with files().
**
** Every secret and token below contains "s3cr3t" or "t0k3n"; resolve()
** checks after each call that neither appears in the error message or in a
** *_source string, that errors start with "dynamo: " and that *out is zeroed
** on error.
*/
#include "config.h"
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char home[64];      /* the mkdtemp() directory */
static char home_env[80];  /* "HOME=" home */
static char aws_dir[80], cred_path[128], conf_path[128];
static char other_creds[128], other_conf[128], loop_path[128];

/* ---- the fake environment ------------------------------------------------ */

static const char *const *cur_env; /* "NAME=value" strings, NULL-terminated */

static const char *fake_getenv(const char *name) {
  size_t n = strlen(name);
  const char *const *e;
  for (e = cur_env; e && *e; e++)
    if (strncmp(*e, name, n) == 0 && (*e)[n] == '=') return *e + n + 1;
  return NULL;
}

/* The environment: HOME plus the given variables. */
#define ENV(...) ((const char *const[]){home_env, __VA_ARGS__, NULL})
#define ENV_HOME ((const char *const[]){home_env, NULL})
#define CREDS "AWS_ACCESS_KEY_ID=AKIDENV", "AWS_SECRET_ACCESS_KEY=envs3cr3t"

/* ---- files -------------------------------------------------------------- */

static void put(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  if (!f) {
    perror(path);
    exit(2);
  }
  fputs(text, f);
  fclose(f);
}

/* Sets the contents of ~/.aws/credentials and ~/.aws/config (NULL: none). */
static void files(const char *cred, const char *conf) {
  unlink(cred_path);
  unlink(conf_path);
  unlink(other_creds);
  unlink(other_conf);
  if (cred) put(cred_path, cred);
  if (conf) put(conf_path, conf);
}

/* "profile NAME in PATH", or the text of an expected message. */
static const char *fmt(const char *f, ...) {
  static char buf[4][1024];
  static int i;
  va_list ap;
  i = (i + 1) % 4;
  va_start(ap, f);
  vsnprintf(buf[i], sizeof buf[i], f, ap);
  va_end(ap);
  return buf[i];
}

/* ---- running cfg_resolve ------------------------------------------------ */

static cfg_resolved R;
static char *E;

static int leaks(const char *s) {
  return s && (strstr(s, "s3cr3t") || strstr(s, "t0k3n"));
}

static int is_zero(const cfg_resolved *r) {
  static const cfg_resolved zero;
  return memcmp(r, &zero, sizeof zero) == 0;
}

static int resolve(const char *region, const char *endpoint,
                   const char *profile, const char *const *env) {
  cfg_options o = {region, endpoint, profile};
  int rc;
  cfg_resolved_free(&R);
  sqlite3_free(E);
  E = NULL;
  memset(&R, 0x5a, sizeof R); /* cfg_resolve must not rely on *out */
  cur_env = env;
  rc = cfg_resolve(&o, fake_getenv, &R, &E);
  CHECK(!leaks(E));
  CHECK(!leaks(R.credentials_source));
  CHECK(!leaks(R.region_source));
  CHECK(!leaks(R.endpoint_source));
  if (rc == SQLITE_OK) {
    CHECK(E == NULL);
    CHECK(R.region && R.endpoint && R.access_key_id && R.secret_access_key &&
          R.profile && R.credentials_source && R.region_source &&
          R.endpoint_source);
  } else {
    CHECK(E != NULL && strncmp(E, "dynamo: ", 8) == 0);
    CHECK(is_zero(&R));
    if (!E || strncmp(E, "dynamo: ", 8) != 0)
      fprintf(stderr, "  message: %s\n", E ? E : "(null)");
  }
  return rc;
}

static int has(const char *s, const char *part) {
  if (s && strstr(s, part)) return 1;
  fprintf(stderr, "  [%s] lacks [%s]\n", s ? s : "(null)", part);
  return 0;
}

static const char *CRED_DEFAULT = "[default]\n"
                                  "aws_access_key_id = AKIDCRED\n"
                                  "aws_secret_access_key = creds3cr3t\n";

/* ---- credentials ------------------------------------------------------- */

static void test_env_credentials(void) {
  files(NULL, NULL);
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, "AWS_REGION=us-east-1")),
            SQLITE_OK);
  CHECK_STR(R.access_key_id, "AKIDENV");
  CHECK_STR(R.secret_access_key, "envs3cr3t");
  CHECK(R.session_token == NULL);
  CHECK_STR(R.credentials_source, "environment");
  CHECK_STR(R.profile, "default");
  CHECK_STR(R.region, "us-east-1");
  CHECK_STR(R.region_source, "AWS_REGION");
  CHECK_STR(R.endpoint, "https://dynamodb.us-east-1.amazonaws.com");
  CHECK_STR(R.endpoint_source, "default for region us-east-1");

  CHECK_INT(resolve(NULL, NULL, NULL,
                    ENV(CREDS, "AWS_SESSION_TOKEN=envt0k3n",
                        "AWS_REGION=us-east-1")),
            SQLITE_OK);
  CHECK_STR(R.session_token, "envt0k3n");

  /* empty variables count as unset */
  CHECK_INT(resolve(NULL, NULL, NULL,
                    ENV(CREDS, "AWS_SESSION_TOKEN=", "AWS_REGION=",
                        "AWS_DEFAULT_REGION=eu-west-1")),
            SQLITE_OK);
  CHECK(R.session_token == NULL);
  CHECK_STR(R.region, "eu-west-1");
}

static void test_env_beats_files(void) {
  files(CRED_DEFAULT, "[default]\n"
                      "aws_access_key_id = AKIDCONF\n"
                      "aws_secret_access_key = confs3cr3t\n"
                      "region = ap-south-1\n");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS)), SQLITE_OK);
  CHECK_STR(R.access_key_id, "AKIDENV");
  CHECK_STR(R.credentials_source, "environment");
  CHECK_STR(R.region, "ap-south-1"); /* the profile still gives the region */
  CHECK_STR(R.region_source, fmt("profile default in %s", conf_path));
}

static void test_profile_option_skips_env(void) {
  files("[work]\n"
        "aws_access_key_id = AKIDWORK\n"
        "aws_secret_access_key = works3cr3t\n"
        "aws_session_token = workt0k3n\n",
        "[profile work]\nregion = eu-central-1\n");
  CHECK_INT(resolve(NULL, NULL, "work",
                    ENV(CREDS, "AWS_SESSION_TOKEN=envt0k3n",
                        "AWS_PROFILE=other")),
            SQLITE_OK);
  CHECK_STR(R.access_key_id, "AKIDWORK");
  CHECK_STR(R.secret_access_key, "works3cr3t");
  CHECK_STR(R.session_token, "workt0k3n");
  CHECK_STR(R.profile, "work");
  CHECK_STR(R.credentials_source, fmt("profile work in %s", cred_path));
  CHECK_STR(R.region, "eu-central-1");

  /* the profile has no keys: the environment is not a fallback */
  files(NULL, "[profile work]\nregion = eu-central-1\n");
  CHECK_INT(resolve(NULL, NULL, "work", ENV(CREDS)), SQLITE_ERROR);
  CHECK_STR(E, fmt("dynamo: no AWS credentials found: looked in profile "
                   "\"work\" in %s and %s (the profile option skips the "
                   "environment)",
                   cred_path, conf_path));
}

static void test_aws_profile(void) {
  files("[default]\n"
        "aws_access_key_id = AKIDDEF\n"
        "aws_secret_access_key = defs3cr3t\n"
        "[dev]\n"
        "aws_access_key_id = AKIDDEV\n"
        "aws_secret_access_key = devs3cr3t\n",
        "[default]\nregion = us-east-1\n[profile dev]\nregion = us-west-1\n");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV("AWS_PROFILE=dev")), SQLITE_OK);
  CHECK_STR(R.access_key_id, "AKIDDEV");
  CHECK_STR(R.profile, "dev");
  CHECK_STR(R.region, "us-west-1");
  CHECK_STR(R.region_source, fmt("profile dev in %s", conf_path));

  /* the option beats AWS_PROFILE */
  CHECK_INT(resolve(NULL, NULL, "default", ENV("AWS_PROFILE=dev")),
            SQLITE_OK);
  CHECK_STR(R.access_key_id, "AKIDDEF");
  CHECK_STR(R.region, "us-east-1");

  /* environment credentials beat AWS_PROFILE (the CLI does the same), which
  ** still selects the profile for the region */
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, "AWS_PROFILE=dev")),
            SQLITE_OK);
  CHECK_STR(R.access_key_id, "AKIDENV");
  CHECK_STR(R.profile, "dev");
  CHECK_STR(R.region, "us-west-1");
}

static void test_credentials_file_beats_config(void) {
  const char *conf = "[default]\n"
                     "aws_access_key_id = AKIDCONF\n"
                     "aws_secret_access_key = confs3cr3t\n"
                     "aws_session_token = conft0k3n\n"
                     "region = us-east-2\n";
  files(CRED_DEFAULT, conf);
  CHECK_INT(resolve(NULL, NULL, NULL, ENV_HOME), SQLITE_OK);
  CHECK_STR(R.access_key_id, "AKIDCRED");
  CHECK_STR(R.secret_access_key, "creds3cr3t");
  CHECK(R.session_token == NULL); /* never mixed across files */
  CHECK_STR(R.credentials_source, fmt("profile default in %s", cred_path));

  files(NULL, conf);
  CHECK_INT(resolve(NULL, NULL, NULL, ENV_HOME), SQLITE_OK);
  CHECK_STR(R.access_key_id, "AKIDCONF");
  CHECK_STR(R.session_token, "conft0k3n");
  CHECK_STR(R.credentials_source, fmt("profile default in %s", conf_path));

  /* a credentials-file profile without keys falls through to the config */
  files("[default]\nregion = ignored-1\n", conf);
  CHECK_INT(resolve(NULL, NULL, NULL, ENV_HOME), SQLITE_OK);
  CHECK_STR(R.access_key_id, "AKIDCONF");
}

static void test_section_names_per_file(void) {
  /* [profile dev] means nothing in the credentials file, [dev] nothing in
  ** the config file */
  files("[profile dev]\n"
        "aws_access_key_id = AKIDX\naws_secret_access_key = xs3cr3t\n",
        "[dev]\n"
        "aws_access_key_id = AKIDY\naws_secret_access_key = ys3cr3t\n");
  CHECK_INT(resolve("us-east-1", NULL, NULL, ENV("AWS_PROFILE=dev")),
            SQLITE_ERROR);
  CHECK(has(E, "\"dev\" not found"));

  files(NULL, "[profile   dev ]\n"
              "aws_access_key_id = AKIDY\naws_secret_access_key = ys3cr3t\n");
  CHECK_INT(resolve("us-east-1", NULL, NULL, ENV("AWS_PROFILE=dev")),
            SQLITE_OK);
  CHECK_STR(R.access_key_id, "AKIDY");

  files("[dev]\naws_access_key_id = AKIDX\naws_secret_access_key = xs3cr3t\n",
        NULL);
  CHECK_INT(resolve("us-east-1", NULL, NULL, ENV("AWS_PROFILE=dev")),
            SQLITE_OK);
  CHECK_STR(R.access_key_id, "AKIDX");

  /* [profile default] is the default profile too; the later section wins,
  ** as in botocore */
  files(NULL, "[default]\nregion = us-east-1\n"
              "[profile default]\nregion = us-east-2\n");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS)), SQLITE_OK);
  CHECK_STR(R.region, "us-east-2");
  files(NULL, "[profile default]\nregion = us-east-2\n"
              "[default]\nregion = us-east-1\n");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS)), SQLITE_OK);
  CHECK_STR(R.region, "us-east-1");

  /* section names are case-sensitive */
  files(NULL, "[Default]\nregion = us-east-1\n");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS)), SQLITE_ERROR);
  CHECK(has(E, "no AWS region"));
}

static void test_missing_credentials(void) {
  files(NULL, "[default]\nregion = us-east-1\n");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV_HOME), SQLITE_ERROR);
  CHECK_STR(E, fmt("dynamo: no AWS credentials found: looked in the "
                   "environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), "
                   "profile \"default\" in %s and %s",
                   cred_path, conf_path));

  /* AWS_SESSION_TOKEN alone is no credential */
  CHECK_INT(resolve(NULL, NULL, NULL, ENV("AWS_SESSION_TOKEN=lonet0k3n")),
            SQLITE_ERROR);
  CHECK(has(E, "no AWS credentials found"));

  files(NULL, "[profile dev]\nregion = us-east-1\n");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV("AWS_PROFILE=dev")), SQLITE_ERROR);
  CHECK(has(E, "the environment (AWS_ACCESS_KEY_ID"));
  CHECK(has(E, "profile \"dev\" in "));

  /* no HOME: the message says so */
  files(NULL, NULL);
  CHECK_INT(resolve("us-east-1", NULL, NULL,
                    (const char *const[]){"AWS_REGION=x", NULL}),
            SQLITE_ERROR);
  CHECK(has(E, "~/.aws/credentials (HOME is not set) and "
               "~/.aws/config (HOME is not set)"));
  CHECK_INT(resolve("us-east-1", NULL, NULL,
                    (const char *const[]){CREDS, NULL}),
            SQLITE_OK);
  CHECK_STR(R.access_key_id, "AKIDENV");
}

static void test_half_set(void) {
  files(CRED_DEFAULT, NULL);
  CHECK_INT(resolve("us-east-1", NULL, NULL,
                    ENV("AWS_ACCESS_KEY_ID=AKIDENV")),
            SQLITE_ERROR);
  CHECK_STR(E, "dynamo: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY "
               "is not");
  CHECK_INT(resolve("us-east-1", NULL, NULL,
                    ENV("AWS_SECRET_ACCESS_KEY=envs3cr3t",
                        "AWS_SESSION_TOKEN=envt0k3n")),
            SQLITE_ERROR);
  CHECK_STR(E, "dynamo: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID "
               "is not");

  files("[default]\naws_access_key_id = AKIDHALF\n", NULL);
  CHECK_INT(resolve("us-east-1", NULL, NULL, ENV_HOME), SQLITE_ERROR);
  CHECK_STR(E, fmt("dynamo: profile \"default\" in %s has aws_access_key_id "
                   "but no aws_secret_access_key",
                   cred_path));
  files(NULL, "[default]\naws_secret_access_key = halfs3cr3t\n"
              "aws_session_token = halft0k3n\n");
  CHECK_INT(resolve("us-east-1", NULL, NULL, ENV_HOME), SQLITE_ERROR);
  CHECK_STR(E, fmt("dynamo: profile \"default\" in %s has "
                   "aws_secret_access_key but no aws_access_key_id",
                   conf_path));
}

static void test_unknown_profile(void) {
  files(CRED_DEFAULT, "[default]\nregion = us-east-1\n");
  CHECK_INT(resolve(NULL, NULL, "nope", ENV(CREDS)), SQLITE_ERROR);
  CHECK_STR(E, fmt("dynamo: profile \"nope\" not found in %s or %s",
                   cred_path, conf_path));
  /* AWS_PROFILE too, even with credentials in the environment (the CLI
  ** fails the same way) */
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, "AWS_PROFILE=nope")),
            SQLITE_ERROR);
  CHECK(has(E, "\"nope\" not found"));
  /* an explicit "default" must exist too; an implicit one need not */
  files(NULL, NULL);
  CHECK_INT(resolve("us-east-1", NULL, NULL,
                    ENV(CREDS, "AWS_PROFILE=default")),
            SQLITE_ERROR);
  CHECK(has(E, "\"default\" not found"));
  CHECK_INT(resolve("us-east-1", NULL, NULL, ENV(CREDS)), SQLITE_OK);
}

static void test_unsupported(void) {
  files(NULL, "[profile p]\ncredential_process = /bin/get-creds\n");
  CHECK_INT(resolve("us-east-1", NULL, "p", ENV_HOME), SQLITE_ERROR);
  CHECK(has(E, fmt("dynamo: profile \"p\" in %s uses credential_process, "
                   "which dynamo does not support",
                   conf_path)));
  CHECK(has(E, "aws configure export-credentials --profile p"));

  files(NULL, "[profile p]\nsso_session = corp\nsso_account_id = 1\n");
  CHECK_INT(resolve("us-east-1", NULL, "p", ENV_HOME), SQLITE_ERROR);
  CHECK(has(E, "uses sso_session"));

  files(NULL, "[profile p]\nweb_identity_token_file = /t\nrole_arn = a\n");
  CHECK_INT(resolve("us-east-1", NULL, "p", ENV_HOME), SQLITE_ERROR);
  CHECK(has(E, "uses web_identity_token_file"));

  /* as in botocore, role_arn beats static keys of the credentials file ... */
  files("[p]\naws_access_key_id = AKIDP\naws_secret_access_key = ps3cr3t\n",
        "[profile p]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = p\n");
  CHECK_INT(resolve("us-east-1", NULL, "p", ENV_HOME), SQLITE_ERROR);
  CHECK(has(E, "uses role_arn"));

  /* ... but credential_process comes after them, and before the config's */
  files("[p]\naws_access_key_id = AKIDP\naws_secret_access_key = ps3cr3t\n",
        "[profile p]\ncredential_process = /bin/x\n");
  CHECK_INT(resolve("us-east-1", NULL, "p", ENV_HOME), SQLITE_OK);
  CHECK_STR(R.access_key_id, "AKIDP");
  files(NULL, "[profile p]\ncredential_process = /bin/x\n"
              "aws_access_key_id = AKIDP\naws_secret_access_key = ps3cr3t\n");
  CHECK_INT(resolve("us-east-1", NULL, "p", ENV_HOME), SQLITE_ERROR);
  CHECK(has(E, "uses credential_process"));

  /* environment credentials come first */
  CHECK_INT(resolve("us-east-1", NULL, NULL, ENV(CREDS, "AWS_PROFILE=p")),
            SQLITE_OK);
  CHECK_STR(R.access_key_id, "AKIDENV");
}

/* ---- region ------------------------------------------------------------- */

static void test_region_precedence(void) {
  files("[default]\n"
        "aws_access_key_id = AKIDCRED\n"
        "aws_secret_access_key = creds3cr3t\n"
        "region = sa-east-1\n",
        "[default]\nregion = ap-south-1\n");
  CHECK_INT(resolve("eu-north-1", NULL, NULL,
                    ENV("AWS_REGION=eu-west-3",
                        "AWS_DEFAULT_REGION=eu-west-2")),
            SQLITE_OK);
  CHECK_STR(R.region, "eu-north-1");
  CHECK_STR(R.region_source, "region option");
  CHECK_INT(resolve(NULL, NULL, NULL,
                    ENV("AWS_REGION=eu-west-3",
                        "AWS_DEFAULT_REGION=eu-west-2")),
            SQLITE_OK);
  CHECK_STR(R.region, "eu-west-3");
  CHECK_STR(R.region_source, "AWS_REGION");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV("AWS_DEFAULT_REGION=eu-west-2")),
            SQLITE_OK);
  CHECK_STR(R.region, "eu-west-2");
  CHECK_STR(R.region_source, "AWS_DEFAULT_REGION");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV_HOME), SQLITE_OK);
  CHECK_STR(R.region, "ap-south-1");
  CHECK_STR(R.region_source, fmt("profile default in %s", conf_path));
}

static void test_missing_region(void) {
  /* a region in the credentials file does not count */
  files("[default]\nregion = sa-east-1\n", "[default]\noutput = json\n");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS)), SQLITE_ERROR);
  CHECK_STR(E, fmt("dynamo: no AWS region found: looked in the region "
                   "option, AWS_REGION, AWS_DEFAULT_REGION and profile "
                   "\"default\" in %s",
                   conf_path));
}

static void test_invalid_region(void) {
  files(NULL, NULL);
  CHECK_INT(resolve("us-east-1/../x", NULL, NULL, ENV(CREDS)), SQLITE_ERROR);
  CHECK_STR(E, "dynamo: invalid region \"us-east-1/../x\" (from region "
               "option)");
  CHECK_INT(resolve("", NULL, NULL, ENV(CREDS)), SQLITE_ERROR);
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, "AWS_REGION=-x")),
            SQLITE_ERROR);
  CHECK(has(E, "(from AWS_REGION)"));
}

/* ---- endpoint ----------------------------------------------------------- */

static const char *CONF_ENDPOINTS = "[default]\n"
                                    "region = us-west-2\n"
                                    "endpoint_url = http://profile:1\n"
                                    "services = local\n"
                                    "[services local]\n"
                                    "dynamodb =\n"
                                    "  endpoint_url = http://services:2\n";

static void test_endpoint_precedence(void) {
  files(NULL, CONF_ENDPOINTS);
  CHECK_INT(resolve(NULL, "http://option:5", NULL,
                    ENV(CREDS, "AWS_ENDPOINT_URL_DYNAMODB=http://svcenv:3",
                        "AWS_ENDPOINT_URL=http://global:4")),
            SQLITE_OK);
  CHECK_STR(R.endpoint, "http://option:5");
  CHECK_STR(R.endpoint_source, "endpoint option");
  CHECK_INT(resolve(NULL, NULL, NULL,
                    ENV(CREDS, "AWS_ENDPOINT_URL_DYNAMODB=http://svcenv:3",
                        "AWS_ENDPOINT_URL=http://global:4")),
            SQLITE_OK);
  CHECK_STR(R.endpoint, "http://svcenv:3");
  CHECK_STR(R.endpoint_source, "AWS_ENDPOINT_URL_DYNAMODB");
  CHECK_INT(resolve(NULL, NULL, NULL,
                    ENV(CREDS, "AWS_ENDPOINT_URL=http://global:4")),
            SQLITE_OK);
  CHECK_STR(R.endpoint, "http://global:4");
  CHECK_STR(R.endpoint_source, "AWS_ENDPOINT_URL");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS)), SQLITE_OK);
  CHECK_STR(R.endpoint, "http://services:2");
  CHECK_STR(R.endpoint_source,
            fmt("services local (dynamodb) in %s, from profile default",
                conf_path));

  files(NULL, "[default]\n"
              "region = us-west-2\n"
              "endpoint_url = http://profile:1\n"
              "[services local]\n" /* not named by the profile */
              "dynamodb =\n"
              "  endpoint_url = http://services:2\n");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS)), SQLITE_OK);
  CHECK_STR(R.endpoint, "http://profile:1");
  CHECK_STR(R.endpoint_source, fmt("profile default in %s", conf_path));

  files(NULL, "[default]\nregion = us-west-2\n");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS)), SQLITE_OK);
  CHECK_STR(R.endpoint, "https://dynamodb.us-west-2.amazonaws.com");
  CHECK_STR(R.endpoint_source, "default for region us-west-2");
}

static void test_services_block(void) {
  files(NULL, "[profile p]\n"
              "region = us-east-1\n"
              "services = dev\n"
              "endpoint_url = http://fallback\n"
              "[services other]\n"
              "dynamodb =\n"
              "  endpoint_url = http://wrong-section\n"
              "[services dev]\n"
              "endpoint_url = http://not-nested\n"
              "s3 =\n"
              "  endpoint_url = http://s3.local\n"
              "dynamodb =\n"
              "  # a comment inside the block\n"
              "\n"
              "  Endpoint_URL = http://nested-keys-keep-case\n"
              "  endpoint_url = http://ddb.local:8000/\n"
              "  region = ignored\n"
              "sqs =\n"
              "  endpoint_url = http://sqs.local\n");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, "AWS_PROFILE=p")),
            SQLITE_OK);
  CHECK_STR(R.endpoint, "http://ddb.local:8000");
  CHECK_STR(R.region, "us-east-1");

  /* "dynamodb = x" followed by indented lines is a multi-line value, not a
  ** block */
  files(NULL, "[profile p]\n"
              "region = us-east-1\n"
              "services = dev\n"
              "endpoint_url = http://fallback\n"
              "[services dev]\n"
              "dynamodb = x\n"
              "  endpoint_url = http://multi-line-value\n");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, "AWS_PROFILE=p")),
            SQLITE_OK);
  CHECK_STR(R.endpoint, "http://fallback");

  /* services naming a missing section; a dynamodb block in the profile
  ** itself is not a service endpoint */
  files(NULL, "[profile p]\n"
              "region = us-east-1\n"
              "services = missing\n"
              "dynamodb =\n"
              "  endpoint_url = http://in-profile\n"
              "endpoint_url = http://fallback\n");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, "AWS_PROFILE=p")),
            SQLITE_OK);
  CHECK_STR(R.endpoint, "http://fallback");
}

static void test_ignore_configured_endpoints(void) {
  files(NULL, CONF_ENDPOINTS);
  CHECK_INT(resolve(NULL, NULL, NULL,
                    ENV(CREDS, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=TRUE",
                        "AWS_ENDPOINT_URL_DYNAMODB=http://svcenv:3",
                        "AWS_ENDPOINT_URL=http://global:4")),
            SQLITE_OK);
  CHECK_STR(R.endpoint, "https://dynamodb.us-west-2.amazonaws.com");
  CHECK_STR(R.endpoint_source, "default for region us-west-2 "
                               "(AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)");
  CHECK_INT(resolve(NULL, "http://option:5", NULL,
                    ENV(CREDS, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true")),
            SQLITE_OK);
  CHECK_STR(R.endpoint, "http://option:5");
  CHECK_INT(resolve(NULL, NULL, NULL,
                    ENV(CREDS, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=false",
                        "AWS_ENDPOINT_URL=http://global:4")),
            SQLITE_OK);
  CHECK_STR(R.endpoint, "http://global:4");

  /* the profile's ignore_configured_endpoint_urls, unless the environment
  ** says otherwise */
  files(NULL, "[default]\n"
              "region = us-west-2\n"
              "endpoint_url = http://profile:1\n"
              "ignore_configured_endpoint_urls = true\n");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS)), SQLITE_OK);
  CHECK_STR(R.endpoint, "https://dynamodb.us-west-2.amazonaws.com");
  CHECK_INT(resolve(NULL, NULL, NULL,
                    ENV(CREDS, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=false")),
            SQLITE_OK);
  CHECK_STR(R.endpoint, "http://profile:1");
}

static void test_default_endpoint_cn(void) {
  files(NULL, NULL);
  CHECK_INT(resolve("cn-north-1", NULL, NULL, ENV(CREDS)), SQLITE_OK);
  CHECK_STR(R.endpoint, "https://dynamodb.cn-north-1.amazonaws.com.cn");
  CHECK_INT(resolve("eu-west-1", NULL, NULL, ENV(CREDS)), SQLITE_OK);
  CHECK_STR(R.endpoint, "https://dynamodb.eu-west-1.amazonaws.com");
}

static void test_trailing_slash(void) {
  files(NULL, NULL);
  CHECK_INT(resolve("us-east-1", "http://localhost:8000/", NULL, ENV(CREDS)),
            SQLITE_OK);
  CHECK_STR(R.endpoint, "http://localhost:8000");
  CHECK_INT(resolve("us-east-1", "http://h/path//", NULL, ENV(CREDS)),
            SQLITE_OK);
  CHECK_STR(R.endpoint, "http://h/path/"); /* only one */
  CHECK_INT(resolve("us-east-1", NULL, NULL,
                    ENV(CREDS, "AWS_ENDPOINT_URL=HTTPS://H.example/")),
            SQLITE_OK);
  CHECK_STR(R.endpoint, "HTTPS://H.example");
}

static void test_invalid_endpoint(void) {
  files(NULL, NULL);
  CHECK_INT(resolve("us-east-1", "localhost:8000", NULL, ENV(CREDS)),
            SQLITE_ERROR);
  CHECK_STR(E, "dynamo: invalid endpoint \"localhost:8000\" (from endpoint "
               "option): it must be an http:// or https:// URL");
  CHECK_INT(resolve("us-east-1", "ftp://h", NULL, ENV(CREDS)), SQLITE_ERROR);
  CHECK_INT(resolve("us-east-1", "http://", NULL, ENV(CREDS)), SQLITE_ERROR);
  CHECK_INT(resolve("us-east-1", "https:///", NULL, ENV(CREDS)),
            SQLITE_ERROR);
  CHECK_INT(resolve("us-east-1", "http://a b", NULL, ENV(CREDS)),
            SQLITE_ERROR);
  CHECK_INT(resolve("us-east-1", "", NULL, ENV(CREDS)), SQLITE_ERROR);
  CHECK_INT(resolve("us-east-1", NULL, NULL,
                    ENV(CREDS, "AWS_ENDPOINT_URL=localhost")),
            SQLITE_ERROR);
  CHECK(has(E, "(from AWS_ENDPOINT_URL)"));
  files(NULL, "[default]\nendpoint_url = dynamodb.local\n");
  CHECK_INT(resolve("us-east-1", NULL, NULL, ENV(CREDS)), SQLITE_ERROR);
  CHECK(has(E, fmt("(from profile default in %s)", conf_path)));
}

/* ---- files -------------------------------------------------------------- */

static void test_parsing(void) {
  files("\xEF\xBB\xBF# a comment\r\n"
        "; another\r\n"
        "orphan = before any section\r\n"
        "  [default]  \r\n"
        "\tAWS_ACCESS_KEY_ID\t=\tAKIDPARSE  ; inline comment\r\n"
        "\taws_secret_access_key: parses3cr3t # inline comment\r\n"
        "\r\n"
        "   # indented comment\r\n"
        "no delimiter here\r\n"
        "\taws_session_token =\r\n"
        "[other]\r\n"
        "aws_access_key_id = AKID#not;comment\r\n"
        "aws_secret_access_key = others3cr3t\r\n",
        "[default]\n"
        "region = us-east-1\n"
        "  eu-west-1\n" /* continues region: only the first line counts */
        "[profile other]\n"
        "region=eu-west-1;x\n"
        "region = eu-west-2\n"); /* the last one wins */
  CHECK_INT(resolve(NULL, NULL, NULL, ENV_HOME), SQLITE_OK);
  CHECK_STR(R.access_key_id, "AKIDPARSE");
  CHECK_STR(R.secret_access_key, "parses3cr3t");
  CHECK(R.session_token == NULL);
  CHECK_STR(R.region, "us-east-1");

  CHECK_INT(resolve(NULL, NULL, "other", ENV_HOME), SQLITE_OK);
  CHECK_STR(R.access_key_id, "AKID#not;comment");
  CHECK_STR(R.region, "eu-west-2");

  /* a UTF-8 byte order mark before the first section */
  files("\xEF\xBB\xBF[default]\n"
        "aws_access_key_id = AKIDBOM\naws_secret_access_key = boms3cr3t\n",
        NULL);
  CHECK_INT(resolve("us-east-1", NULL, NULL, ENV_HOME), SQLITE_OK);
  CHECK_STR(R.access_key_id, "AKIDBOM");

  /* an empty file, a file without a final newline */
  files("", "[default]\nregion = us-east-1");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS)), SQLITE_OK);
  CHECK_STR(R.region, "us-east-1");
}

static void test_file_locations(void) {
  files(CRED_DEFAULT, "[default]\nregion = us-east-1\n");
  put(other_creds, "[default]\n"
                   "aws_access_key_id = AKIDOTHER\n"
                   "aws_secret_access_key = others3cr3t\n");
  put(other_conf, "[default]\nregion = eu-south-1\n");
  CHECK_INT(resolve(NULL, NULL, NULL,
                    ENV(fmt("AWS_SHARED_CREDENTIALS_FILE=%s", other_creds),
                        "AWS_CONFIG_FILE=~/other-conf")),
            SQLITE_OK);
  CHECK_STR(R.access_key_id, "AKIDOTHER");
  CHECK_STR(R.credentials_source, fmt("profile default in %s", other_creds));
  CHECK_STR(R.region, "eu-south-1");
  CHECK_STR(R.region_source, fmt("profile default in %s", other_conf));

  /* a missing file is no error */
  CHECK_INT(resolve("us-east-1", NULL, NULL,
                    ENV(CREDS, "AWS_CONFIG_FILE=/nonexistent/dir/config")),
            SQLITE_OK);

  /* an existing file that cannot be read is one */
  CHECK_INT(resolve("us-east-1", NULL, NULL,
                    ENV(CREDS, fmt("AWS_SHARED_CREDENTIALS_FILE=%s", home))),
            SQLITE_ERROR);
  CHECK(has(E, fmt("dynamo: cannot read %s: ", home)));
  /* ... and so is one that cannot be opened (a symbolic link loop) */
  CHECK(symlink(loop_path, loop_path) == 0);
  CHECK_INT(resolve("us-east-1", NULL, NULL,
                    ENV(CREDS, fmt("AWS_CONFIG_FILE=%s", loop_path))),
            SQLITE_ERROR);
  CHECK(has(E, fmt("dynamo: cannot read %s: ", loop_path)));
  unlink(loop_path);
}

/* ---- memory ------------------------------------------------------------- */

static void test_free(void) {
  cfg_resolved r;
  memset(&r, 0, sizeof r);
  cfg_resolved_free(&r);
  cfg_resolved_free(NULL);
  files(CRED_DEFAULT, NULL);
  cur_env = ENV_HOME;
  CHECK_INT(cfg_resolve(&(cfg_options){"us-east-1", NULL, NULL}, fake_getenv,
                        &r, NULL),
            SQLITE_OK);
  CHECK_STR(r.access_key_id, "AKIDCRED");
  cfg_resolved_free(&r);
  CHECK(is_zero(&r));
  cfg_resolved_free(&r); /* twice is fine */
  /* an error with pzErr == NULL does not leak */
  CHECK_INT(cfg_resolve(&(cfg_options){"us-east-1", NULL, "nope"},
                        fake_getenv, &r, NULL),
            SQLITE_ERROR);
  CHECK(is_zero(&r));
}

/* Every allocation failing in turn: SQLITE_NOMEM, *out zeroed, no leak
** (under -fsanitize=address). */
static sqlite3_mem_methods real_mem;
static int alloc_budget = -1; /* allocations left; -1: unlimited */

static int spend(void) {
  if (alloc_budget < 0) return 1;
  if (alloc_budget == 0) return 0;
  alloc_budget--;
  return 1;
}
static void *budget_malloc(int n) { return spend() ? real_mem.xMalloc(n) : 0; }
static void *budget_realloc(void *p, int n) {
  return spend() ? real_mem.xRealloc(p, n) : 0;
}

static void test_out_of_memory(void) {
  int budget, rc = SQLITE_NOMEM;
  files(CRED_DEFAULT, CONF_ENDPOINTS);
  for (budget = 0; budget < 1000 && rc == SQLITE_NOMEM; budget++) {
    cfg_resolved r;
    char *err = NULL;
    cur_env = ENV("AWS_SESSION_TOKEN=unused");
    alloc_budget = budget;
    rc = cfg_resolve(&(cfg_options){NULL, NULL, NULL}, fake_getenv, &r, &err);
    alloc_budget = -1;
    if (rc != SQLITE_OK) {
      CHECK_INT(rc, SQLITE_NOMEM);
      CHECK(is_zero(&r));
    }
    cfg_resolved_free(&r);
    sqlite3_free(err);
  }
  CHECK_INT(rc, SQLITE_OK);
  CHECK(budget > 10);
}

int main(void) {
  sqlite3_mem_methods mem;
  sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem);
  mem = real_mem;
  mem.xMalloc = budget_malloc;
  mem.xRealloc = budget_realloc;
  sqlite3_config(SQLITE_CONFIG_MALLOC, &mem);

  char tmpl[] = "/tmp/test_config.XXXXXX";
  if (!mkdtemp(tmpl)) {
    perror("mkdtemp");
    return 2;
  }
  snprintf(home, sizeof home, "%s", tmpl);
  snprintf(home_env, sizeof home_env, "HOME=%s", home);
  snprintf(aws_dir, sizeof aws_dir, "%s/.aws", home);
  snprintf(cred_path, sizeof cred_path, "%s/credentials", aws_dir);
  snprintf(conf_path, sizeof conf_path, "%s/config", aws_dir);
  snprintf(other_creds, sizeof other_creds, "%s/other-creds", home);
  snprintf(other_conf, sizeof other_conf, "%s/other-conf", home);
  snprintf(loop_path, sizeof loop_path, "%s/loop", home);
  if (mkdir(aws_dir, 0700) != 0) {
    perror(aws_dir);
    return 2;
  }

  RUN(test_env_credentials);
  RUN(test_env_beats_files);
  RUN(test_profile_option_skips_env);
  RUN(test_aws_profile);
  RUN(test_credentials_file_beats_config);
  RUN(test_section_names_per_file);
  RUN(test_missing_credentials);
  RUN(test_half_set);
  RUN(test_unknown_profile);
  RUN(test_unsupported);
  RUN(test_region_precedence);
  RUN(test_missing_region);
  RUN(test_invalid_region);
  RUN(test_endpoint_precedence);
  RUN(test_services_block);
  RUN(test_ignore_configured_endpoints);
  RUN(test_default_endpoint_cn);
  RUN(test_trailing_slash);
  RUN(test_invalid_endpoint);
  RUN(test_parsing);
  RUN(test_file_locations);
  RUN(test_free);
  RUN(test_out_of_memory);

  cfg_resolved_free(&R);
  sqlite3_free(E);
  files(NULL, NULL);
  rmdir(aws_dir);
  rmdir(home);
  CHECK_DONE();
}
