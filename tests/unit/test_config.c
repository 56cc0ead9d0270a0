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
#include "budget.h"

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
#define NO_IMDS "AWS_EC2_METADATA_DISABLED=true"
#define ENV(...) ((const char *const[]){home_env, NO_IMDS, __VA_ARGS__, NULL})
#define ENV_HOME ((const char *const[]){home_env, NO_IMDS, NULL})
/* instance metadata allowed: the chain's last resort */
#define ENV_IMDS(...) ((const char *const[]){home_env, __VA_ARGS__, NULL})
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

/* The chosen source's fields (NULL when there is none). */
#define SRC(f) (R.creds ? R.creds->f : NULL)
#define KEY_ID SRC(access_key_id)
#define SECRET SRC(secret_access_key)
#define TOKEN SRC(session_token)
#define SOURCE SRC(where)

static int leaks(const char *s) {
  return s && (strstr(s, "s3cr3t") || strstr(s, "t0k3n"));
}

static int is_zero(const cfg_resolved *r) {
  static const cfg_resolved zero;
  return memcmp(r, &zero, sizeof zero) == 0;
}

static const char *table_opt; /* the table= option of the next resolve() */
static int streams_opt;       /* resolve() asks for DynamoDB Streams' endpoint */

static int resolve(const char *region, const char *endpoint,
                   const char *profile, const char *const *env) {
  cfg_options o = {region, endpoint, profile, table_opt, streams_opt};
  int rc;
  cfg_resolved_free(&R);
  sqlite3_free(E);
  E = NULL;
  memset(&R, 0x5a, sizeof R); /* cfg_resolve must not rely on *out */
  cur_env = env;
  rc = cfg_resolve(&o, fake_getenv, &R, &E);
  CHECK(!leaks(E));
  for (const cfg_source *s = rc == SQLITE_OK ? R.creds : NULL; s; s = s->source) {
    CHECK(!leaks(s->where));
    CHECK(!leaks(s->looked_in));
    CHECK(s->where != NULL);
  }
  CHECK(!leaks(R.region_source));
  CHECK(!leaks(R.endpoint_source));
  if (rc == SQLITE_OK) {
    CHECK(E == NULL);
    CHECK(R.region && R.endpoint && R.creds && R.profile && SOURCE &&
          R.region_source && R.endpoint_source);
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
  CHECK_STR(KEY_ID, "AKIDENV");
  CHECK_STR(SECRET, "envs3cr3t");
  CHECK(TOKEN == NULL);
  CHECK_STR(SOURCE, "environment (AWS_ACCESS_KEY_ID)");
  CHECK_STR(R.profile, "default");
  CHECK_STR(R.region, "us-east-1");
  CHECK_STR(R.region_source, "AWS_REGION");
  CHECK_STR(R.endpoint, "https://dynamodb.us-east-1.amazonaws.com");
  CHECK_STR(R.endpoint_source, "default for region us-east-1");

  CHECK_INT(resolve(NULL, NULL, NULL,
                    ENV(CREDS, "AWS_SESSION_TOKEN=envt0k3n",
                        "AWS_REGION=us-east-1")),
            SQLITE_OK);
  CHECK_STR(TOKEN, "envt0k3n");

  /* empty variables count as unset */
  CHECK_INT(resolve(NULL, NULL, NULL,
                    ENV(CREDS, "AWS_SESSION_TOKEN=", "AWS_REGION=",
                        "AWS_DEFAULT_REGION=eu-west-1")),
            SQLITE_OK);
  CHECK(TOKEN == NULL);
  CHECK_STR(R.region, "eu-west-1");
}

static void test_env_beats_files(void) {
  files(CRED_DEFAULT, "[default]\n"
                      "aws_access_key_id = AKIDCONF\n"
                      "aws_secret_access_key = confs3cr3t\n"
                      "region = ap-south-1\n");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS)), SQLITE_OK);
  CHECK_STR(KEY_ID, "AKIDENV");
  CHECK_STR(SOURCE, "environment (AWS_ACCESS_KEY_ID)");
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
  CHECK_STR(KEY_ID, "AKIDWORK");
  CHECK_STR(SECRET, "works3cr3t");
  CHECK_STR(TOKEN, "workt0k3n");
  CHECK_STR(R.profile, "work");
  CHECK_STR(SOURCE, fmt("profile \"work\" (aws_access_key_id in %s)", cred_path));
  CHECK_STR(R.region, "eu-central-1");

  /* the profile has no keys: the environment is not a fallback */
  files(NULL, "[profile work]\nregion = eu-central-1\n");
  CHECK_INT(resolve(NULL, NULL, "work", ENV(CREDS)), SQLITE_ERROR);
  CHECK_STR(E, fmt("dynamo: no AWS credentials found; looked in: profile "
                   "\"work\" in %s and %s, the container endpoint "
                   "(AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, "
                   "AWS_CONTAINER_CREDENTIALS_FULL_URI), EC2 instance metadata "
                   "(AWS_EC2_METADATA_DISABLED is true) (the profile option "
                   "skips the environment)",
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
  CHECK_STR(KEY_ID, "AKIDDEV");
  CHECK_STR(R.profile, "dev");
  CHECK_STR(R.region, "us-west-1");
  CHECK_STR(R.region_source, fmt("profile dev in %s", conf_path));

  /* the option beats AWS_PROFILE */
  CHECK_INT(resolve(NULL, NULL, "default", ENV("AWS_PROFILE=dev")),
            SQLITE_OK);
  CHECK_STR(KEY_ID, "AKIDDEF");
  CHECK_STR(R.region, "us-east-1");

  /* environment credentials beat AWS_PROFILE (the CLI does the same), which
  ** still selects the profile for the region */
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, "AWS_PROFILE=dev")),
            SQLITE_OK);
  CHECK_STR(KEY_ID, "AKIDENV");
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
  CHECK_STR(KEY_ID, "AKIDCRED");
  CHECK_STR(SECRET, "creds3cr3t");
  CHECK(TOKEN == NULL); /* never mixed across files */
  CHECK_STR(SOURCE, fmt("profile \"default\" (aws_access_key_id in %s)", cred_path));

  files(NULL, conf);
  CHECK_INT(resolve(NULL, NULL, NULL, ENV_HOME), SQLITE_OK);
  CHECK_STR(KEY_ID, "AKIDCONF");
  CHECK_STR(TOKEN, "conft0k3n");
  CHECK_STR(SOURCE, fmt("profile \"default\" (aws_access_key_id in %s)", conf_path));

  /* a credentials-file profile without keys falls through to the config */
  files("[default]\nregion = ignored-1\n", conf);
  CHECK_INT(resolve(NULL, NULL, NULL, ENV_HOME), SQLITE_OK);
  CHECK_STR(KEY_ID, "AKIDCONF");
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
  CHECK_STR(KEY_ID, "AKIDY");

  files("[dev]\naws_access_key_id = AKIDX\naws_secret_access_key = xs3cr3t\n",
        NULL);
  CHECK_INT(resolve("us-east-1", NULL, NULL, ENV("AWS_PROFILE=dev")),
            SQLITE_OK);
  CHECK_STR(KEY_ID, "AKIDX");

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
  CHECK_STR(E, fmt("dynamo: no AWS credentials found; looked in: the "
                   "environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), "
                   "profile \"default\" in %s and %s, "
                   "AWS_WEB_IDENTITY_TOKEN_FILE, the container endpoint "
                   "(AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, "
                   "AWS_CONTAINER_CREDENTIALS_FULL_URI), EC2 instance metadata "
                   "(AWS_EC2_METADATA_DISABLED is true)",
                   cred_path, conf_path));

  /* with instance metadata allowed, it is the last resort, and the same
  ** places make its message when it fails */
  CHECK_INT(resolve(NULL, NULL, NULL, ENV_IMDS("AWS_REGION=us-east-1")), SQLITE_OK);
  CHECK_INT(R.creds->kind, CFG_IMDS);
  CHECK(R.creds->fallback);
  CHECK_STR(SRC(url), "http://169.254.169.254");
  CHECK_STR(SRC(looked_in),
            fmt("the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), "
                "profile \"default\" in %s and %s, AWS_WEB_IDENTITY_TOKEN_FILE, "
                "the container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, "
                "AWS_CONTAINER_CREDENTIALS_FULL_URI)",
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
                    (const char *const[]){NO_IMDS, "AWS_REGION=x", NULL}),
            SQLITE_ERROR);
  CHECK(has(E, "~/.aws/credentials (HOME is not set) and "
               "~/.aws/config (HOME is not set)"));
  CHECK_INT(resolve("us-east-1", NULL, NULL,
                    (const char *const[]){CREDS, NULL}),
            SQLITE_OK);
  CHECK_STR(KEY_ID, "AKIDENV");
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

/* ---- the chain of sources ------------------------------------------------ */

static void test_profile_selection(void) {
  files("[a]\naws_access_key_id = AKIDA\naws_secret_access_key = as3cr3t\n"
        "[b]\naws_access_key_id = AKIDB\naws_secret_access_key = bs3cr3t\n"
        "[c]\naws_access_key_id = AKIDC\naws_secret_access_key = cs3cr3t\n",
        NULL);
  /* AWS_DEFAULT_PROFILE, then AWS_PROFILE, as botocore */
  CHECK_INT(resolve("us-east-1", NULL, NULL,
                    ENV("AWS_DEFAULT_PROFILE=a", "AWS_PROFILE=b")),
            SQLITE_OK);
  CHECK_STR(R.profile, "a");
  CHECK_STR(KEY_ID, "AKIDA");
  CHECK_INT(resolve("us-east-1", NULL, NULL, ENV("AWS_PROFILE=b")), SQLITE_OK);
  CHECK_STR(KEY_ID, "AKIDB");
  CHECK_INT(resolve("us-east-1", NULL, "c",
                    ENV("AWS_DEFAULT_PROFILE=a", "AWS_PROFILE=b")),
            SQLITE_OK);
  CHECK_STR(KEY_ID, "AKIDC");
  CHECK_INT(resolve("us-east-1", NULL, NULL, ENV("AWS_DEFAULT_PROFILE=zz")),
            SQLITE_ERROR);
  CHECK(has(E, "\"zz\" not found"));
}

static void test_env_tokens(void) {
  files(NULL, NULL);
  /* AWS_SECURITY_TOKEN first, as botocore reads them */
  CHECK_INT(resolve("us-east-1", NULL, NULL,
                    ENV(CREDS, "AWS_SECURITY_TOKEN=sect0k3n",
                        "AWS_SESSION_TOKEN=sesst0k3n")),
            SQLITE_OK);
  CHECK_STR(TOKEN, "sect0k3n");
  CHECK_INT(R.creds->kind, CFG_STATIC);
  files("[default]\naws_access_key_id = AKIDF\naws_secret_access_key = fs3cr3t\n"
        "aws_session_token = sesst0k3n\naws_security_token = sect0k3n\n",
        NULL);
  CHECK_INT(resolve("us-east-1", NULL, NULL, ENV_HOME), SQLITE_OK);
  CHECK_STR(TOKEN, "sect0k3n");
}

static void test_static_process_order(void) {
  /* keys in the credentials file, then credential_process (from either
  ** file), then keys in the config file */
  files("[p]\naws_access_key_id = AKIDP\naws_secret_access_key = ps3cr3t\n",
        "[profile p]\ncredential_process = /bin/x\n");
  CHECK_INT(resolve("us-east-1", NULL, "p", ENV_HOME), SQLITE_OK);
  CHECK_STR(KEY_ID, "AKIDP");
  files(NULL, "[profile p]\ncredential_process = /bin/get-creds --x 'a b'\n"
              "aws_access_key_id = AKIDP\naws_secret_access_key = ps3cr3t\n");
  CHECK_INT(resolve("us-east-1", NULL, "p", ENV_HOME), SQLITE_OK);
  CHECK_INT(R.creds->kind, CFG_PROCESS);
  CHECK_STR(SRC(command), "/bin/get-creds --x 'a b'");
  CHECK_STR(SOURCE, fmt("profile \"p\" (credential_process in %s)", conf_path));
  CHECK_STR(SRC(profile), "p");
  files("[p]\ncredential_process = /bin/y\n", "[profile p]\nregion = x\n");
  CHECK_INT(resolve("us-east-1", NULL, "p", ENV_HOME), SQLITE_OK);
  CHECK_STR(SOURCE, fmt("profile \"p\" (credential_process in %s)", cred_path));
  /* environment credentials come first */
  CHECK_INT(resolve("us-east-1", NULL, NULL, ENV(CREDS, "AWS_PROFILE=p")),
            SQLITE_OK);
  CHECK_STR(KEY_ID, "AKIDENV");
  /* login_session is refused where botocore would use it */
  files(NULL, "[profile p]\nlogin_session = arn:aws:iam::1:user/u\n"
              "credential_process = /bin/x\n");
  CHECK_INT(resolve("us-east-1", NULL, "p", ENV_HOME), SQLITE_ERROR);
  CHECK(has(E, fmt("dynamo: profile \"p\" (login_session in %s): \"aws "
                   "login\" sessions are not supported",
                   conf_path)));
}

static void test_assume_role(void) {
  files("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = bs3cr3t\n",
        "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\n"
        "source_profile = base\nexternal_id = ext-1\nrole_session_name = me\n"
        "duration_seconds = 900\n"
        "[profile bad-duration]\nrole_arn = arn:aws:iam::1:role/r\n"
        "source_profile = base\nduration_seconds = soon\n");
  CHECK_INT(resolve("eu-west-1", NULL, "dev", ENV_HOME), SQLITE_OK);
  CHECK_INT(R.creds->kind, CFG_ASSUME_ROLE);
  CHECK_STR(SOURCE, fmt("profile \"dev\" (role_arn in %s)", conf_path));
  CHECK_STR(SRC(role_arn), "arn:aws:iam::123456789012:role/dev");
  CHECK_STR(SRC(external_id), "ext-1");
  CHECK_STR(SRC(role_session_name), "me");
  CHECK_INT(R.creds->duration_seconds, 900);
  CHECK_STR(SRC(url), "https://sts.eu-west-1.amazonaws.com");
  CHECK_STR(SRC(region), "eu-west-1");
  CHECK(R.creds->source && R.creds->source->kind == CFG_STATIC);
  CHECK_STR(R.creds->source->access_key_id, "AKIDBASE");
  CHECK_STR(R.creds->source->where,
            fmt("profile \"base\" (aws_access_key_id in %s)", cred_path));
  /* a duration that is not an integer is ignored, as botocore does */
  CHECK_INT(resolve("eu-west-1", NULL, "bad-duration", ENV_HOME), SQLITE_OK);
  CHECK_INT(R.creds->duration_seconds, 0);

  /* at the top, role_arn beats the profile's own keys; a profile may name
  ** itself as source_profile to use them */
  files("[p]\naws_access_key_id = AKIDP\naws_secret_access_key = ps3cr3t\n",
        "[profile p]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = p\n");
  CHECK_INT(resolve("us-east-1", NULL, "p", ENV_HOME), SQLITE_OK);
  CHECK_INT(R.creds->kind, CFG_ASSUME_ROLE);
  CHECK_STR(R.creds->source->access_key_id, "AKIDP");

  /* chained roles: dev -> mid -> base; credential_process as the source */
  files(NULL, "[profile dev]\nrole_arn = arn:aws:iam::1:role/dev\n"
              "source_profile = mid\n"
              "[profile mid]\nrole_arn = arn:aws:iam::1:role/mid\n"
              "source_profile = base\n"
              "[profile base]\ncredential_process = /bin/creds\n");
  CHECK_INT(resolve("us-east-1", NULL, "dev", ENV_HOME), SQLITE_OK);
  CHECK_STR(SRC(role_arn), "arn:aws:iam::1:role/dev");
  CHECK_STR(R.creds->source->role_arn, "arn:aws:iam::1:role/mid");
  CHECK_STR(R.creds->source->url, "https://sts.us-east-1.amazonaws.com");
  CHECK_INT(R.creds->source->source->kind, CFG_PROCESS);
  CHECK_STR(R.creds->source->source->command, "/bin/creds");

  /* credential_source */
  files(NULL, "[profile env]\nrole_arn = arn:aws:iam::1:role/r\n"
              "credential_source = Environment\n"
              "[profile ec2]\nrole_arn = arn:aws:iam::1:role/r\n"
              "credential_source = Ec2InstanceMetadata\n"
              "[profile ecs]\nrole_arn = arn:aws:iam::1:role/r\n"
              "credential_source = EcsContainer\n"
              "[profile odd]\nrole_arn = arn:aws:iam::1:role/r\n"
              "credential_source = environment\n");
  CHECK_INT(resolve("us-east-1", NULL, "env", ENV(CREDS)), SQLITE_OK);
  CHECK_STR(R.creds->source->access_key_id, "AKIDENV");
  CHECK_INT(resolve("us-east-1", NULL, "env", ENV_HOME), SQLITE_ERROR);
  CHECK(has(E, "credential_source Environment, but AWS_ACCESS_KEY_ID"));
  CHECK_INT(resolve("us-east-1", NULL, "ec2",
                    ENV_IMDS("AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:9/")),
            SQLITE_OK);
  CHECK_INT(R.creds->source->kind, CFG_IMDS);
  CHECK(!R.creds->source->fallback);
  CHECK_STR(R.creds->source->url, "http://127.0.0.1:9");
  CHECK_INT(resolve("us-east-1", NULL, "ec2", ENV_HOME), SQLITE_ERROR);
  CHECK(has(E, "credential_source Ec2InstanceMetadata, but "
               "AWS_EC2_METADATA_DISABLED is true"));
  CHECK_INT(resolve("us-east-1", NULL, "ecs",
                    ENV("AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:9/c")),
            SQLITE_OK);
  CHECK_INT(R.creds->source->kind, CFG_CONTAINER);
  CHECK_INT(resolve("us-east-1", NULL, "ecs", ENV_HOME), SQLITE_ERROR);
  CHECK(has(E, "credential_source EcsContainer, but neither"));
  CHECK_INT(resolve("us-east-1", NULL, "odd", ENV(CREDS)), SQLITE_ERROR);
  CHECK(has(E, "credential_source \"environment\" is none of Environment, "
               "Ec2InstanceMetadata, EcsContainer"));
}

static void test_assume_role_errors(void) {
  const char *where;
  files("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = bs3cr3t\n",
        "[profile mfa]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n"
        "mfa_serial = arn:aws:iam::1:mfa/me\n"
        "[profile both]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n"
        "credential_source = Environment\n"
        "[profile neither]\nrole_arn = arn:aws:iam::1:role/r\n"
        "[profile gone]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = nope\n"
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
        "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n"
        "[profile self]\nrole_arn = arn:aws:iam::1:role/s\nsource_profile = self\n"
        "[profile empty]\nrole_arn = arn:aws:iam::1:role/e\nsource_profile = bare\n"
        "[profile bare]\nregion = us-east-1\n");
  where = fmt("dynamo: profile \"mfa\" (role_arn in %s): ", conf_path);
  CHECK_INT(resolve("us-east-1", NULL, "mfa", ENV(CREDS)), SQLITE_ERROR);
  CHECK(has(E, where));
  CHECK(has(E, "needs an MFA code (mfa_serial), which cannot be typed inside "
               "SQL"));
  CHECK(has(E, "aws configure export-credentials --profile mfa --format env"));
  CHECK_INT(resolve("us-east-1", NULL, "both", ENV_HOME), SQLITE_ERROR);
  CHECK(has(E, "has both source_profile and credential_source"));
  CHECK_INT(resolve("us-east-1", NULL, "neither", ENV_HOME), SQLITE_ERROR);
  CHECK(has(E, "has neither source_profile nor credential_source"));
  CHECK_INT(resolve("us-east-1", NULL, "gone", ENV_HOME), SQLITE_ERROR);
  CHECK(has(E, "source_profile \"nope\" does not exist in "));
  CHECK_INT(resolve("us-east-1", NULL, "a", ENV_HOME), SQLITE_ERROR);
  CHECK(has(E, fmt("dynamo: profile \"b\" (role_arn in %s): source_profile "
                   "loop: \"a\" -> \"b\" -> \"a\"",
                   conf_path)));
  CHECK_INT(resolve("us-east-1", NULL, "self", ENV_HOME), SQLITE_ERROR);
  CHECK(has(E, "source_profile loop: \"self\" -> \"self\""));
  CHECK_INT(resolve("us-east-1", NULL, "empty", ENV_HOME), SQLITE_ERROR);
  CHECK(has(E, "source_profile \"bare\" has no credentials"));
  /* the environment does not count for a source profile */
  CHECK_INT(resolve("us-east-1", NULL, NULL,
                    ENV(CREDS, "AWS_PROFILE=empty",
                        "AWS_WEB_IDENTITY_TOKEN_FILE=/t",
                        "AWS_ROLE_ARN=arn:aws:iam::1:role/w")),
            SQLITE_OK); /* the environment's keys win at the top */
  CHECK_INT(R.creds->kind, CFG_STATIC);
}

static void test_web_identity(void) {
  files(NULL, "[profile w]\nweb_identity_token_file = /var/token\n"
              "role_arn = arn:aws:iam::1:role/w\nrole_session_name = sess\n"
              "[profile norole]\nweb_identity_token_file = /var/token\n");
  CHECK_INT(resolve("us-east-2", NULL, "w", ENV_HOME), SQLITE_OK);
  CHECK_INT(R.creds->kind, CFG_WEB_IDENTITY); /* not an AssumeRole */
  CHECK_STR(SRC(token_file), "/var/token");
  CHECK_STR(SRC(role_arn), "arn:aws:iam::1:role/w");
  CHECK_STR(SRC(role_session_name), "sess");
  CHECK_STR(SRC(url), "https://sts.us-east-2.amazonaws.com");
  CHECK_STR(SOURCE, fmt("profile \"w\" (web_identity_token_file in %s)", conf_path));
  CHECK_INT(resolve("us-east-2", NULL, "norole", ENV_HOME), SQLITE_ERROR);
  CHECK(has(E, "a web identity token file but no role to assume"));

  /* the environment, variable by variable before the profile's */
  CHECK_INT(resolve("us-east-2", NULL, NULL,
                    ENV("AWS_PROFILE=w", "AWS_WEB_IDENTITY_TOKEN_FILE=/env/token")),
            SQLITE_OK);
  CHECK_STR(SRC(token_file), "/env/token");
  CHECK_STR(SRC(role_arn), "arn:aws:iam::1:role/w");
  CHECK_STR(SOURCE, "environment (AWS_WEB_IDENTITY_TOKEN_FILE)");
  CHECK_INT(resolve("us-east-2", NULL, NULL,
                    ENV("AWS_WEB_IDENTITY_TOKEN_FILE=/env/token",
                        "AWS_ROLE_ARN=arn:aws:iam::1:role/env",
                        "AWS_ROLE_SESSION_NAME=envsess")),
            SQLITE_OK);
  CHECK_STR(SRC(role_arn), "arn:aws:iam::1:role/env");
  CHECK_STR(SRC(role_session_name), "envsess");
  /* not with the profile option */
  CHECK_INT(resolve("us-east-2", NULL, "w",
                    ENV("AWS_WEB_IDENTITY_TOKEN_FILE=/env/token",
                        "AWS_ROLE_ARN=arn:aws:iam::1:role/env")),
            SQLITE_OK);
  CHECK_STR(SRC(token_file), "/var/token");
  CHECK_STR(SRC(role_arn), "arn:aws:iam::1:role/w");
}

static void test_sso(void) {
  const char *cache = fmt("%s/.aws/sso/cache/%s.json", home,
                          "ee0bfd2552fbd840c02cc48b6e823320543c450f");
  files(NULL, "[profile s]\nsso_session = corp\nsso_account_id = 111122223333\n"
              "sso_role_name = ReadOnly\n"
              "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
              "sso_region = eu-central-1\nsso_registration_scopes = x\n"
              "[profile legacy]\nsso_start_url = https://corp.awsapps.com/start\n"
              "sso_region = us-west-2\nsso_account_id = 1\nsso_role_name = R\n"
              "[profile half]\nsso_account_id = 1\nsso_session = corp\n"
              "[profile nosession]\nsso_session = gone\nsso_account_id = 1\n"
              "sso_role_name = R\n"
              "[profile clash]\nsso_session = corp\nsso_account_id = 1\n"
              "sso_role_name = R\nsso_region = us-east-1\n");
  CHECK_INT(resolve("us-east-1", NULL, "s", ENV_HOME), SQLITE_OK);
  CHECK_INT(R.creds->kind, CFG_SSO);
  CHECK_STR(SOURCE, fmt("profile \"s\" (sso_session corp in %s)", conf_path));
  CHECK_STR(SRC(sso_account_id), "111122223333");
  CHECK_STR(SRC(sso_role_name), "ReadOnly");
  CHECK_STR(SRC(sso_start_url), "https://corp.awsapps.com/start");
  CHECK_STR(SRC(sso_session), "corp");
  CHECK_STR(SRC(region), "eu-central-1");
  CHECK_STR(SRC(url), "https://portal.sso.eu-central-1.amazonaws.com");
  CHECK_STR(SRC(oidc_url), "https://oidc.eu-central-1.amazonaws.com");
  CHECK_STR(SRC(token_cache), cache);

  /* the legacy keys: the cache is named after the start URL, no refresh */
  CHECK_INT(resolve("us-east-1", NULL, "legacy", ENV_HOME), SQLITE_OK);
  CHECK_STR(SRC(token_cache), fmt("%s/.aws/sso/cache/%s.json", home,
                                  "a51746d4aa793ae07b25e90c3a5db96fc7832bd7"));
  CHECK(SRC(sso_session) == NULL && SRC(oidc_url) == NULL);
  CHECK_STR(SRC(url), "https://portal.sso.us-west-2.amazonaws.com");

  /* their endpoints */
  CHECK_INT(resolve("us-east-1", NULL, "s",
                    ENV("AWS_ENDPOINT_URL_SSO=http://127.0.0.1:1/",
                        "AWS_ENDPOINT_URL_SSO_OIDC=http://127.0.0.1:2")),
            SQLITE_OK);
  CHECK_STR(SRC(url), "http://127.0.0.1:1");
  CHECK_STR(SRC(oidc_url), "http://127.0.0.1:2");

  CHECK_INT(resolve("us-east-1", NULL, "half", ENV_HOME), SQLITE_ERROR);
  CHECK(has(E, "dynamo: profile \"half\" is configured for IAM Identity "
               "Center (SSO) but lacks sso_role_name"));
  CHECK_INT(resolve("us-east-1", NULL, "nosession", ENV_HOME), SQLITE_ERROR);
  CHECK(has(E, "names sso_session \"gone\", but"));
  CHECK(has(E, "has no [sso-session gone] section"));
  CHECK_INT(resolve("us-east-1", NULL, "clash", ENV_HOME), SQLITE_ERROR);
  CHECK(has(E, "has sso_region \"us-east-1\" but its sso-session \"corp\" "
               "has \"eu-central-1\""));
}

static void test_container(void) {
  files(NULL, NULL);
  CHECK_INT(resolve("us-east-1", NULL, NULL,
                    ENV("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/creds?id=1",
                        "AWS_CONTAINER_AUTHORIZATION_TOKEN=auth0k3n")),
            SQLITE_OK);
  CHECK_INT(R.creds->kind, CFG_CONTAINER);
  CHECK_STR(SRC(url), "http://169.254.170.2/v2/creds?id=1");
  CHECK_STR(SRC(auth_token), "auth0k3n");
  CHECK_STR(SOURCE, "container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)");
  CHECK(!leaks(SOURCE));
  /* the relative URI wins; a token file wins over the token */
  CHECK_INT(resolve("us-east-1", NULL, NULL,
                    ENV("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/r",
                        "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1/f",
                        "AWS_CONTAINER_AUTHORIZATION_TOKEN=auth0k3n",
                        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/tok")),
            SQLITE_OK);
  CHECK_STR(SRC(url), "http://169.254.170.2/r");
  CHECK_STR(SRC(auth_token_file), "/tok");
  CHECK(SRC(auth_token) == NULL);

  /* a full URI: https anywhere, plain http to loopback or the
  ** container hosts only */
  static const char *const ok[] = {
      "http://127.0.0.1:8080/creds", "http://127.1.2.3/", "http://localhost/x",
      "http://[::1]:80/", "https://creds.example.com/", "http://169.254.170.23/v1",
      "http://[fd00:ec2::23]/v1", "http://169.254.170.2/x"};
  static const char *const bad[] = {"http://creds.example.com/", "http://10.0.0.1/",
                                    "http://127.evil.com/", "http://localhost.evil.com/",
                                    "http://127.0.0.1.evil/"};
  /* not URLs libcurl would send credentials to as written */
  static const char *const notUrl[] = {"ftp://127.0.0.1/", "http://evil.com#@127.0.0.1/",
                                       "http://evil.com?@127.0.0.1/", "http://127.0.0.1@evil.com/"};
  for (unsigned i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    CHECK_INT(resolve("us-east-1", NULL, NULL,
                      ENV(fmt("AWS_CONTAINER_CREDENTIALS_FULL_URI=%s", ok[i]))),
              SQLITE_OK);
    CHECK_STR(SRC(url), ok[i]);
  }
  for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CHECK_INT(resolve("us-east-1", NULL, NULL,
                      ENV(fmt("AWS_CONTAINER_CREDENTIALS_FULL_URI=%s", bad[i]))),
              SQLITE_ERROR);
    CHECK(has(E, "credentials are fetched over plain http only from a "
                 "loopback address"));
  }
  for (unsigned i = 0; i < sizeof notUrl / sizeof notUrl[0]; i++) {
    CHECK_INT(resolve("us-east-1", NULL, NULL,
                      ENV(fmt("AWS_CONTAINER_CREDENTIALS_FULL_URI=%s", notUrl[i]))),
              SQLITE_ERROR);
    CHECK(has(E, "AWS_CONTAINER_CREDENTIALS_FULL_URI"));
  }
  CHECK_INT(resolve("us-east-1", NULL, NULL,
                    ENV("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/r",
                        "AWS_CONTAINER_AUTHORIZATION_TOKEN=a\nb")),
            SQLITE_ERROR);
  CHECK(has(E, "AWS_CONTAINER_AUTHORIZATION_TOKEN holds a line break"));
  /* the environment's keys and the profile's sources come first */
  CHECK_INT(resolve("us-east-1", NULL, NULL,
                    ENV(CREDS, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/r")),
            SQLITE_OK);
  CHECK_INT(R.creds->kind, CFG_STATIC);
}

static void test_imds(void) {
  files(NULL, "[default]\nmetadata_service_timeout = 3\n"
              "metadata_service_num_attempts = 2\n"
              "[profile v6]\nimds_use_ipv6 = true\n"
              "[profile mode]\nec2_metadata_service_endpoint_mode = IPv6\n"
              "ec2_metadata_v1_disabled = true\n"
              "[profile badmode]\nec2_metadata_service_endpoint_mode = ipv5\n"
              "[profile badtime]\nmetadata_service_timeout = 1.5\n");
  CHECK_INT(resolve("us-east-1", NULL, NULL, ENV_IMDS("X=1")), SQLITE_OK);
  CHECK_INT(R.creds->kind, CFG_IMDS);
  CHECK_INT(R.creds->timeout_ms, 3000);
  CHECK_INT(R.creds->attempts, 2);
  CHECK(!R.creds->v1_disabled);
  CHECK_STR(SOURCE, "EC2 instance metadata (http://169.254.169.254)");
  CHECK_INT(resolve("us-east-1", NULL, NULL,
                    ENV_IMDS("AWS_METADATA_SERVICE_TIMEOUT=5",
                             "AWS_METADATA_SERVICE_NUM_ATTEMPTS=4",
                             "AWS_EC2_METADATA_DISABLED=false")),
            SQLITE_OK);
  CHECK_INT(R.creds->timeout_ms, 5000);
  CHECK_INT(R.creds->attempts, 4);
  CHECK_INT(resolve("us-east-1", NULL, "v6", ENV_IMDS("X=1")), SQLITE_OK);
  CHECK_STR(SRC(url), "http://[fd00:ec2::254]");
  CHECK_INT(R.creds->timeout_ms, 1000);
  CHECK_INT(R.creds->attempts, 1);
  CHECK_INT(resolve("us-east-1", NULL, "mode", ENV_IMDS("X=1")), SQLITE_OK);
  CHECK_STR(SRC(url), "http://[fd00:ec2::254]");
  CHECK(R.creds->v1_disabled);
  /* the mode beats imds_use_ipv6, the endpoint beats both */
  CHECK_INT(resolve("us-east-1", NULL, "v6",
                    ENV_IMDS("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=ipv4")),
            SQLITE_OK);
  CHECK_STR(SRC(url), "http://169.254.169.254");
  CHECK_INT(resolve("us-east-1", NULL, "mode",
                    ENV_IMDS("AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:5/")),
            SQLITE_OK);
  CHECK_STR(SRC(url), "http://127.0.0.1:5");
  CHECK_INT(resolve("us-east-1", NULL, "badmode", ENV_IMDS("X=1")), SQLITE_ERROR);
  CHECK(has(E, "\"ipv5\" is neither ipv4 nor ipv6"));
  CHECK_INT(resolve("us-east-1", NULL, "badtime", ENV_IMDS("X=1")), SQLITE_ERROR);
  CHECK(has(E, "metadata_service_timeout \"1.5\""));
  CHECK_INT(resolve("us-east-1", NULL, NULL,
                    ENV_IMDS("AWS_EC2_METADATA_SERVICE_ENDPOINT=169.254.169.254")),
            SQLITE_ERROR);
  CHECK(has(E, "invalid instance metadata endpoint"));
  /* disabled, in any case */
  CHECK_INT(resolve("us-east-1", NULL, NULL, ENV_IMDS("AWS_EC2_METADATA_DISABLED=TRUE")),
            SQLITE_ERROR);
  CHECK(has(E, "EC2 instance metadata (AWS_EC2_METADATA_DISABLED is true)"));
}

static void test_sts_endpoints(void) {
  files("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = bs3cr3t\n",
        "[profile dev]\nrole_arn = arn:aws:iam::1:role/dev\nsource_profile = base\n"
        "services = local\n"
        "[profile plain]\nrole_arn = arn:aws:iam::1:role/dev\nsource_profile = base\n"
        "endpoint_url = http://127.0.0.1:4/\n"
        "[services local]\nsts =\n  endpoint_url = http://127.0.0.1:3\n"
        "dynamodb =\n  endpoint_url = http://127.0.0.1:8000\n");
  CHECK_INT(resolve("us-east-1", NULL, "dev",
                    ENV("AWS_ENDPOINT_URL_STS=http://127.0.0.1:1/",
                        "AWS_ENDPOINT_URL=http://127.0.0.1:2")),
            SQLITE_OK);
  CHECK_STR(SRC(url), "http://127.0.0.1:1");
  CHECK_STR(R.endpoint, "http://127.0.0.1:2"); /* no _DYNAMODB: the global one */
  CHECK_INT(resolve("us-east-1", NULL, "dev", ENV("AWS_ENDPOINT_URL=http://127.0.0.1:2")),
            SQLITE_OK);
  CHECK_STR(SRC(url), "http://127.0.0.1:2");
  CHECK_INT(resolve("us-east-1", NULL, "dev", ENV_HOME), SQLITE_OK);
  CHECK_STR(SRC(url), "http://127.0.0.1:3");
  CHECK_STR(R.endpoint, "http://127.0.0.1:8000");
  CHECK_INT(resolve("us-east-1", NULL, "plain", ENV_HOME), SQLITE_OK);
  CHECK_STR(SRC(url), "http://127.0.0.1:4");
  /* the endpoint option is DynamoDB's alone */
  CHECK_INT(resolve("cn-north-1", "http://127.0.0.1:9", "plain",
                    ENV("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true")),
            SQLITE_OK);
  CHECK_STR(SRC(url), "https://sts.cn-north-1.amazonaws.com.cn");
  CHECK_STR(R.endpoint, "http://127.0.0.1:9");
  CHECK_INT(resolve("us-east-1", NULL, "dev", ENV("AWS_ENDPOINT_URL_STS=sts.local")),
            SQLITE_ERROR);
  CHECK(has(E, "invalid endpoint \"sts.local\" (from AWS_ENDPOINT_URL_STS)"));
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

/* DynamoDB Streams: its own configuration, else the table's configured
** endpoint unless it is AWS's, else Streams' rule set. */
static void test_streams_endpoint(void) {
  streams_opt = 1;
  files(NULL, CONF_ENDPOINTS);
  CHECK_INT(resolve(NULL, "http://option:5", NULL,
                    ENV(CREDS, "AWS_ENDPOINT_URL_DYNAMODB_STREAMS=http://streams:6/")),
            SQLITE_OK);
  CHECK_STR(R.endpoint, "http://streams:6");
  CHECK_STR(R.endpoint_source, "AWS_ENDPOINT_URL_DYNAMODB_STREAMS");
  CHECK_INT(R.streams, 1);
  CHECK_INT(resolve(NULL, "http://option:5", NULL, ENV(CREDS)), SQLITE_OK);
  CHECK_STR(R.endpoint, "http://option:5");
  CHECK_STR(R.endpoint_source, "endpoint option, the table's endpoint");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, "AWS_ENDPOINT_URL_DYNAMODB=http://svcenv:3")),
            SQLITE_OK);
  CHECK_STR(R.endpoint, "http://svcenv:3");
  CHECK_STR(R.endpoint_source, "AWS_ENDPOINT_URL_DYNAMODB, the table's endpoint");
  files(NULL, "[default]\nregion = us-west-2\nservices = s\n"
              "[services s]\ndynamodb_streams =\n  endpoint_url = http://svcstreams:7\n");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, "AWS_ENDPOINT_URL_DYNAMODB=http://svcenv:3")),
            SQLITE_OK);
  CHECK_STR(R.endpoint, "http://svcstreams:7");
  CHECK_STR(R.endpoint_source,
            fmt("services s (dynamodb_streams) in %s, from profile default", conf_path));
  CHECK_INT(resolve(NULL, NULL, NULL,
                    ENV(CREDS, "AWS_ENDPOINT_URL_DYNAMODB_STREAMS=http://x:1",
                        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true")),
            SQLITE_OK);
  CHECK_STR(R.endpoint, "https://streams.dynamodb.us-west-2.amazonaws.com");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, "AWS_ENDPOINT_URL_DYNAMODB_STREAMS=ftp://x")),
            SQLITE_ERROR);
  CHECK(has(E, "from AWS_ENDPOINT_URL_DYNAMODB_STREAMS"));
  /* DynamoDB's own AWS endpoint, configured: Streams' is the rule set's */
  files(NULL, "[default]\nregion = us-west-2\n");
  CHECK_INT(resolve(NULL, "https://dynamodb.us-west-2.amazonaws.com", NULL,
                    ENV(CREDS, "AWS_USE_FIPS_ENDPOINT=true")),
            SQLITE_OK);
  CHECK_STR(R.endpoint, "https://streams.dynamodb-fips.us-west-2.amazonaws.com");
  CHECK_STR(R.endpoint_source, "default for region us-west-2, FIPS");
  CHECK_INT(R.account_pending, 0);
  CHECK_INT(R.configured, 0);
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS)), SQLITE_OK);
  CHECK_STR(R.endpoint, "https://streams.dynamodb.us-west-2.amazonaws.com");
  streams_opt = 0;
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
               "option): libcurl cannot read it as a URL");
  /* read as libcurl reads it: no user name, query or fragment */
  CHECK_INT(resolve("us-east-1", "https://user:pw@h", NULL, ENV(CREDS)), SQLITE_ERROR);
  CHECK_STR(E, "dynamo: invalid endpoint \"https://user:pw@h\" (from endpoint option): it "
               "holds a user name or password (user@host), which would be sent and shown");
  CHECK_INT(resolve("us-east-1", "http://example.com#@127.0.0.1", NULL, ENV(CREDS)),
            SQLITE_ERROR);
  CHECK(has(E, "it has a fragment (#...)"));
  CHECK_INT(resolve("us-east-1", NULL, NULL,
                    ENV(CREDS, "AWS_ENDPOINT_URL_DYNAMODB=http://example.com?@127.0.0.1")),
            SQLITE_ERROR);
  CHECK_STR(E, "dynamo: invalid endpoint \"http://example.com?@127.0.0.1\" (from "
               "AWS_ENDPOINT_URL_DYNAMODB): it has a query (?...)");
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
  CHECK_STR(KEY_ID, "AKIDPARSE");
  CHECK_STR(SECRET, "parses3cr3t");
  CHECK(TOKEN == NULL);
  CHECK_STR(R.region, "us-east-1");

  CHECK_INT(resolve(NULL, NULL, "other", ENV_HOME), SQLITE_OK);
  CHECK_STR(KEY_ID, "AKID#not;comment");
  CHECK_STR(R.region, "eu-west-2");

  /* a UTF-8 byte order mark before the first section */
  files("\xEF\xBB\xBF[default]\n"
        "aws_access_key_id = AKIDBOM\naws_secret_access_key = boms3cr3t\n",
        NULL);
  CHECK_INT(resolve("us-east-1", NULL, NULL, ENV_HOME), SQLITE_OK);
  CHECK_STR(KEY_ID, "AKIDBOM");

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
  CHECK_STR(KEY_ID, "AKIDOTHER");
  CHECK_STR(SOURCE, fmt("profile \"default\" (aws_access_key_id in %s)", other_creds));
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
  CHECK_INT(cfg_resolve(&(cfg_options){"us-east-1", NULL, NULL, NULL, 0}, fake_getenv,
                        &r, NULL),
            SQLITE_OK);
  CHECK_STR(r.creds->access_key_id, "AKIDCRED");
  cfg_resolved_free(&r);
  CHECK(is_zero(&r));
  cfg_resolved_free(&r); /* twice is fine */
  /* an error with pzErr == NULL does not leak */
  CHECK_INT(cfg_resolve(&(cfg_options){"us-east-1", NULL, "nope", NULL, 0},
                        fake_getenv, &r, NULL),
            SQLITE_ERROR);
  CHECK(is_zero(&r));
}

/* Every allocation failing in turn: SQLITE_NOMEM, *out zeroed, no leak
** (under -fsanitize=address). */
static void test_out_of_memory(void) {
  /* static keys; a chain of roles down to IAM Identity Center; web
  ** identity, the container, instance metadata (the last resort) */
  static const struct {
    const char *cred, *conf, *profile, *var;
  } cases[] = {
      {"[default]\naws_access_key_id = AKIDCRED\naws_secret_access_key = creds3cr3t\n",
       "[default]\nregion = us-west-2\nendpoint_url = http://profile:1\nservices = local\n"
       "[services local]\ndynamodb =\n  endpoint_url = http://services:2\n",
       NULL, "AWS_SESSION_TOKEN=unused"},
      {NULL,
       "[profile top]\nrole_arn = arn:aws:iam::1:role/t\nsource_profile = mid\n"
       "external_id = x\n[profile mid]\nrole_arn = arn:aws:iam::1:role/m\n"
       "source_profile = s\n[profile s]\nsso_session = corp\nsso_account_id = 1\n"
       "sso_role_name = R\n[sso-session corp]\nsso_start_url = https://x/start\n"
       "sso_region = eu-west-1\n",
       "top", "AWS_ENDPOINT_URL_STS=http://127.0.0.1:1"},
      {NULL, "[profile w]\nweb_identity_token_file = /t\nrole_arn = arn:aws:iam::1:role/w\n",
       "w", "AWS_ROLE_SESSION_NAME=s"},
      {NULL, NULL, NULL, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/c"},
      {NULL, NULL, NULL, "AWS_EC2_METADATA_DISABLED=false"},
  };
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int budget, rc = SQLITE_NOMEM;
    files(cases[i].cred, cases[i].conf);
    for (budget = 0; budget < 1000 && rc == SQLITE_NOMEM; budget++) {
      cfg_resolved r;
      char *err = NULL;
      cur_env = ENV_IMDS("AWS_REGION=us-east-1", cases[i].var);
      alloc_budget = budget;
      rc = cfg_resolve(&(cfg_options){NULL, NULL, cases[i].profile, NULL, 0}, fake_getenv, &r, &err);
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
}

/* ---- the endpoint rule set's settings, accounts, retries -------------- */

#define REGION1 "AWS_REGION=us-east-1"

static void test_accounts(void) {
  files(NULL, NULL);
  /* AWS_ACCOUNT_ID goes with the environment's keys */
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, REGION1, "AWS_ACCOUNT_ID=111122223333")),
            SQLITE_OK);
  CHECK_STR(SRC(account_id), "111122223333");
  CHECK_STR(R.endpoint, "https://111122223333.ddb.us-east-1.amazonaws.com");
  CHECK_STR(R.endpoint_source, "default for region us-east-1, account 111122223333 from "
                               "environment (AWS_ACCESS_KEY_ID)");
  CHECK_INT(R.account_mode, ENDPOINT_ACCOUNT_PREFERRED);
  CHECK(!R.configured && !R.account_pending);
  /* ... and not with a profile's */
  files(CRED_DEFAULT, NULL);
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(REGION1, "AWS_ACCOUNT_ID=111122223333")), SQLITE_OK);
  CHECK(SRC(account_id) == NULL);
  CHECK_STR(R.endpoint, "https://dynamodb.us-east-1.amazonaws.com");
  /* aws_account_id beside a profile's keys, in the file that has them */
  files("[default]\naws_access_key_id = AKIDCRED\naws_secret_access_key = creds3cr3t\n"
        "aws_account_id = 222233334444\n",
        "[default]\naws_account_id = 999999999999\n");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(REGION1)), SQLITE_OK);
  CHECK_STR(SRC(account_id), "222233334444");
  files(NULL, "[profile p]\naws_access_key_id = AKIDCONF\naws_secret_access_key = confs3cr3t\n"
              "aws_account_id = 333344445555\n");
  CHECK_INT(resolve(NULL, NULL, "p", ENV(REGION1)), SQLITE_OK);
  CHECK_STR(R.endpoint, "https://333344445555.ddb.us-east-1.amazonaws.com");
  /* credential_process: the profile's, unless its answer names another */
  files(NULL, "[profile p]\ncredential_process = /bin/x\naws_account_id = 444455556666\n");
  CHECK_INT(resolve(NULL, NULL, "p", ENV(REGION1)), SQLITE_OK);
  CHECK_STR(SRC(account_id), "444455556666");
  CHECK(!R.account_pending);
  files(NULL, "[profile p]\ncredential_process = /bin/x\n");
  CHECK_INT(resolve(NULL, NULL, "p", ENV(REGION1)), SQLITE_OK);
  CHECK(SRC(account_id) == NULL);
  CHECK(R.account_pending); /* it may print AccountId */
  CHECK(has(R.endpoint_source, "; the credentials may name an account"));
  /* IAM Identity Center: sso_account_id */
  files(NULL, "[profile s]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\n"
              "sso_account_id = 555566667777\nsso_role_name = R\n");
  CHECK_INT(resolve(NULL, NULL, "s", ENV(REGION1)), SQLITE_OK);
  CHECK_STR(R.endpoint, "https://555566667777.ddb.us-east-1.amazonaws.com");
  /* a role: only STS's answer says (and required waits for it) */
  files(CRED_DEFAULT, "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/x\n"
                      "source_profile = default\n");
  CHECK_INT(resolve(NULL, NULL, "r", ENV(REGION1, "AWS_ACCOUNT_ID_ENDPOINT_MODE=required")),
            SQLITE_OK);
  CHECK(R.account_pending);
  CHECK_INT(R.account_mode, ENDPOINT_ACCOUNT_REQUIRED);
  CHECK_STR(R.endpoint, "https://dynamodb.us-east-1.amazonaws.com");
  /* required with static keys and no account: the rule set's error */
  files(NULL, NULL);
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, REGION1, "AWS_ACCOUNT_ID_ENDPOINT_MODE=required")),
            SQLITE_ERROR);
  CHECK_STR(E, "dynamo: no DynamoDB endpoint for region us-east-1: AccountIdEndpointMode is "
               "required but no AccountID was provided or able to be loaded (FIPS off, dual-stack "
               "off, account_id_endpoint_mode required (AWS_ACCOUNT_ID_ENDPOINT_MODE))");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, REGION1, "AWS_ACCOUNT_ID_ENDPOINT_MODE=always")),
            SQLITE_ERROR);
  CHECK_STR(E, "dynamo: account_id_endpoint_mode \"always\" (from "
               "AWS_ACCOUNT_ID_ENDPOINT_MODE) is none of preferred, required, disabled");
  files(NULL, "[default]\naccount_id_endpoint_mode = Disabled\n");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, REGION1, "AWS_ACCOUNT_ID=111122223333")),
            SQLITE_OK);
  CHECK_STR(R.endpoint, "https://dynamodb.us-east-1.amazonaws.com");
  CHECK_STR(R.endpoint_settings, "FIPS off, dual-stack off, account_id_endpoint_mode disabled "
                                 "(account_id_endpoint_mode)");
}

static void test_fips_dualstack(void) {
  files(NULL, "[default]\nuse_dualstack_endpoint = true\n");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, REGION1, "AWS_USE_FIPS_ENDPOINT=TRUE")),
            SQLITE_OK);
  CHECK(R.use_fips && R.use_dualstack);
  CHECK_STR(R.endpoint, "https://dynamodb-fips.us-east-1.api.aws");
  CHECK_STR(R.endpoint_source, "default for region us-east-1, FIPS, dual-stack");
  CHECK_STR(R.endpoint_settings, "FIPS on (AWS_USE_FIPS_ENDPOINT), dual-stack on "
                                 "(use_dualstack_endpoint), account_id_endpoint_mode preferred "
                                 "(default)");
  /* the environment wins, and only "true" is true */
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, REGION1, "AWS_USE_DUALSTACK_ENDPOINT=1")),
            SQLITE_OK);
  CHECK(!R.use_dualstack);
  CHECK_STR(R.endpoint, "https://dynamodb.us-east-1.amazonaws.com");
  /* a configured endpoint is used as it is */
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, REGION1, "AWS_USE_FIPS_ENDPOINT=true",
                                          "AWS_ENDPOINT_URL=http://localhost:8000")),
            SQLITE_OK);
  CHECK_STR(R.endpoint, "http://localhost:8000");
  CHECK(R.configured);
  /* ... unless it stands for the dual-stack endpoint */
  CHECK_INT(resolve(NULL, "https://dynamodb.us-east-1.api.aws", NULL, ENV(CREDS, REGION1)),
            SQLITE_ERROR);
  CHECK(has(E, "Endpoint override is not supported for dual-stack endpoints"));
  /* STS in the region's partition */
  files(CRED_DEFAULT, "[profile r]\nrole_arn = arn:aws-us-gov:iam::1:role/x\n"
                      "source_profile = default\n");
  CHECK_INT(resolve(NULL, NULL, "r", ENV("AWS_REGION=us-gov-west-1")), SQLITE_OK);
  CHECK_STR(SRC(url), "https://sts.us-gov-west-1.amazonaws.com");
  CHECK_INT(resolve(NULL, NULL, "r", ENV("AWS_REGION=eu-isoe-west-1")), SQLITE_OK);
  CHECK_STR(SRC(url), "https://sts.eu-isoe-west-1.cloud.adc-e.uk");
}

static void test_table_arn(void) {
  const char *zArn = "arn:aws:dynamodb:us-west-2:222233334444:table/Shared";
  files(NULL, NULL);
  table_opt = zArn;
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, "AWS_REGION=eu-west-1",
                                          "AWS_ACCOUNT_ID=111122223333")),
            SQLITE_OK);
  CHECK_STR(R.region, "us-west-2");
  CHECK_STR(R.region_source, "the table's ARN");
  CHECK_STR(R.table_arn, zArn);
  CHECK_STR(R.endpoint, "https://222233334444.ddb.us-west-2.amazonaws.com");
  CHECK_STR(R.endpoint_source,
            "default for region us-west-2, account 222233334444 from the table's ARN");
  CHECK_INT(resolve("us-west-2", NULL, NULL, ENV(CREDS)), SQLITE_OK);
  CHECK_INT(resolve("eu-west-1", NULL, NULL, ENV(CREDS)), SQLITE_ERROR);
  CHECK_STR(E, fmt("dynamo: the region option \"eu-west-1\" is not the region of the table's "
                   "ARN (%s)", zArn));
  /* not a table's ARN: a name like any other */
  table_opt = "arn:aws:dynamodb:us-west-2:222233334444:table/T/index/I";
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, REGION1)), SQLITE_OK);
  CHECK(R.table_arn == NULL);
  CHECK_STR(R.region, "us-east-1");
  table_opt = "arn:aws:dynamodb:us_west:2:table/T";
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS)), SQLITE_ERROR);
  CHECK(has(E, "invalid region \"us_west\" (from the table's ARN)"));
  table_opt = NULL;
}

static void test_retry_settings(void) {
  files(NULL, "[default]\nretry_mode = legacy\nmax_attempts = 7\n");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, REGION1)), SQLITE_OK);
  CHECK_INT(R.retry_mode, 1 /* RETRY_LEGACY */);
  CHECK_INT(R.max_attempts, 7);
  CHECK_STR(R.retry_mode_source, fmt("retry_mode in %s (profile default)", conf_path));
  CHECK_STR(R.max_attempts_source, fmt("max_attempts in %s (profile default)", conf_path));
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, REGION1, "AWS_RETRY_MODE=adaptive",
                                          "AWS_MAX_ATTEMPTS= 3 ")),
            SQLITE_OK);
  CHECK_INT(R.retry_mode, 3 /* RETRY_ADAPTIVE */);
  CHECK_INT(R.max_attempts, 3);
  CHECK_STR(R.retry_mode_source, "AWS_RETRY_MODE");
  files(NULL, NULL);
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, REGION1)), SQLITE_OK);
  CHECK(R.retry_mode == 0 && R.max_attempts == 0 && !R.retry_mode_source);
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, REGION1, "AWS_RETRY_MODE=Standard")),
            SQLITE_ERROR);
  CHECK_STR(E, "dynamo: retry mode \"Standard\" (from AWS_RETRY_MODE) is none of legacy, "
               "standard, adaptive");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, REGION1, "AWS_MAX_ATTEMPTS=0")), SQLITE_ERROR);
  CHECK_STR(E, "dynamo: max_attempts \"0\" (from AWS_MAX_ATTEMPTS) is not a whole number from "
               "1 to 100");
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, REGION1, "AWS_MAX_ATTEMPTS=4x")), SQLITE_ERROR);
  CHECK_INT(resolve(NULL, NULL, NULL, ENV(CREDS, REGION1, "AWS_MAX_ATTEMPTS=101")), SQLITE_ERROR);
}

int main(void) {
  budget_install();

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
  RUN(test_profile_selection);
  RUN(test_env_tokens);
  RUN(test_static_process_order);
  RUN(test_assume_role);
  RUN(test_assume_role_errors);
  RUN(test_web_identity);
  RUN(test_sso);
  RUN(test_container);
  RUN(test_imds);
  RUN(test_sts_endpoints);
  RUN(test_region_precedence);
  RUN(test_missing_region);
  RUN(test_invalid_region);
  RUN(test_endpoint_precedence);
  RUN(test_services_block);
  RUN(test_streams_endpoint);
  RUN(test_ignore_configured_endpoints);
  RUN(test_default_endpoint_cn);
  RUN(test_trailing_slash);
  RUN(test_invalid_endpoint);
  RUN(test_accounts);
  RUN(test_fips_dualstack);
  RUN(test_table_arn);
  RUN(test_retry_settings);
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
