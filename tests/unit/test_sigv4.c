/*
** Unit tests of ext/sigv4.c.
**
** 1. Every case of the AWS SigV4 test suite (tests/vectors/sigv4, a copy of the suite in ../shared, or
**    $SIGV4_VECTORS), read at run time: request.txt and context.json are
**    fed to sigv4_sign() and the canonical request, the string to sign, the
**    signature and the Authorization header are compared with the expected
**    files. Only the header-signing results are used (no presigning).
** 2. Focused tests: a DynamoDB-shaped POST whose signatures were computed
**    once with botocore's SigV4Auth (and by hand with Python hashlib/hmac),
**    the secret never appearing in any output, the session token handling,
**    and the rejection of invalid input.
**
** Run from the repository root: ./build/unit/test_sigv4
*/
#include "common.h"
#include "sigv4.h"
#include "check.h"

#include <cJSON.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_HEADERS 16

/* The whole suite: every folder of tests/vectors/sigv4. */
static const char *const sigv4_cases[] = {
    "get-header-key-duplicate",
    "get-header-value-multiline",
    "get-header-value-order",
    "get-header-value-trim",
    "get-relative-normalized",
    "get-relative-relative-normalized",
    "get-relative-relative-unnormalized",
    "get-relative-unnormalized",
    "get-slash-dot-slash-normalized",
    "get-slash-dot-slash-unnormalized",
    "get-slash-normalized",
    "get-slash-pointless-dot-normalized",
    "get-slash-pointless-dot-unnormalized",
    "get-slash-unnormalized",
    "get-slashes-normalized",
    "get-slashes-unnormalized",
    "get-space-normalized",
    "get-space-unnormalized",
    "get-unreserved",
    "get-utf8",
    "get-vanilla",
    "get-vanilla-empty-query-key",
    "get-vanilla-query",
    "get-vanilla-query-order-encoded",
    "get-vanilla-query-order-key-case",
    "get-vanilla-query-unreserved",
    "get-vanilla-utf8-query",
    "get-vanilla-with-session-token",
    "post-header-key-case",
    "post-header-key-sort",
    "post-header-value-case",
    "post-sts-header-after",
    "post-sts-header-before",
    "post-vanilla",
    "post-vanilla-empty-query-value",
    "post-vanilla-query",
    "post-x-www-form-urlencoded",
    "post-x-www-form-urlencoded-parameters",
};
#define NCASES ((int)(sizeof(sigv4_cases) / sizeof(sigv4_cases[0])))

static const char *vectors_dir(void) {
  const char *d = getenv("SIGV4_VECTORS");
  return d && *d ? d : "tests/vectors/sigv4";
}

/* The whole of dir/name/file, NUL-terminated, or NULL. */
static char *read_file(const char *name, const char *file, size_t *pn) {
  char path[1024];
  FILE *f;
  char *buf = NULL;
  long n;
  snprintf(path, sizeof(path), "%s/%s/%s", vectors_dir(), name, file);
  f = fopen(path, "rb");
  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
      fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
      free(buf);
      buf = NULL;
    } else {
      buf[n] = 0;
      if (pn) *pn = (size_t)n;
    }
  }
  fclose(f);
  return buf;
}

/* ----------------------------------------------------------------------
** request.txt: "METHOD target HTTP/1.1", headers (a line that starts with
** SP or HT continues the previous header), a blank line, the body. Parsed
** in place: the pointers point into the buffer.
*/
typedef struct parsed_request {
  char *method, *path, *query;
  sigv4_header headers[MAX_HEADERS];
  int nheader;
  const char *body;
  size_t nbody;
} parsed_request;

static char *line_end(char *p, char *end) {
  char *nl = memchr(p, '\n', (size_t)(end - p));
  return nl ? nl : end;
}

static int parse_request(char *text, size_t n, parsed_request *r) {
  char *end = text + n, *p = text, *eol, *sp, *q;
  char *value_end[MAX_HEADERS];
  int i;

  memset(r, 0, sizeof(*r));
  /* Request line. The target may hold spaces ("/example space/"). */
  eol = line_end(p, end);
  if (eol > p && eol[-1] == '\r') eol[-1] = 0;
  *eol = 0;
  sp = strchr(p, ' ');
  q = strrchr(p, ' ');
  if (!sp || q == sp) return 0;
  *sp = 0;
  *q = 0;
  r->method = p;
  r->path = sp + 1;
  q = strchr(r->path, '?');
  if (q) {
    *q = 0;
    r->query = q + 1;
  }
  p = eol < end ? eol + 1 : end;

  /* Headers, up to a blank line or the end. */
  while (p < end) {
    eol = line_end(p, end);
    if (eol == p || (eol == p + 1 && *p == '\r')) { /* blank line */
      p = eol < end ? eol + 1 : end;
      break;
    }
    if (*p == ' ' || *p == '\t') { /* folded: extends the previous value */
      if (r->nheader == 0) return 0;
      value_end[r->nheader - 1] = eol;
    } else {
      char *colon = memchr(p, ':', (size_t)(eol - p));
      if (!colon || r->nheader == MAX_HEADERS) return 0;
      *colon = 0;
      r->headers[r->nheader].name = p;
      r->headers[r->nheader].value = colon + 1;
      value_end[r->nheader] = eol;
      r->nheader++;
    }
    p = eol < end ? eol + 1 : end;
  }
  for (i = 0; i < r->nheader; i++) {
    char *e = value_end[i];
    if (e > r->headers[i].value && e[-1] == '\r') e--;
    *e = 0;
  }
  r->body = p;
  r->nbody = (size_t)(end - p);
  return 1;
}

/* ----------------------------------------------------------------------
** context.json
*/
typedef struct parsed_context {
  cJSON *json;
  const char *access_key_id, *secret_access_key, *token;
  const char *region, *service;
  time_t now;
  int normalize, sign_body, omit_session_token;
} parsed_context;

static const char *json_str(const cJSON *o, const char *key) {
  return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static int json_bool(const cJSON *o, const char *key) {
  return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* "2015-08-30T12:36:00Z" to seconds since the epoch. */
static int parse_timestamp(const char *s, time_t *t) {
  struct tm tm;
  memset(&tm, 0, sizeof(tm));
  if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon,
                   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  *t = timegm(&tm);
  return 1;
}

static int parse_context(const char *text, parsed_context *c) {
  const cJSON *cred;
  memset(c, 0, sizeof(*c));
  c->json = cJSON_Parse(text);
  if (!c->json) return 0;
  cred = cJSON_GetObjectItemCaseSensitive(c->json, "credentials");
  c->access_key_id = json_str(cred, "access_key_id");
  c->secret_access_key = json_str(cred, "secret_access_key");
  c->token = json_str(cred, "token");
  c->region = json_str(c->json, "region");
  c->service = json_str(c->json, "service");
  c->normalize = json_bool(c->json, "normalize");
  c->sign_body = json_bool(c->json, "sign_body");
  c->omit_session_token = json_bool(c->json, "omit_session_token");
  return c->access_key_id && c->secret_access_key && c->region &&
         c->service &&
         parse_timestamp(json_str(c->json, "timestamp"), &c->now);
}

/* The value of the "Authorization:" line of header-signed-request.txt. */
static const char *signed_authorization(char *signed_request) {
  char *p = signed_request;
  while (p && *p) {
    char *nl = strchr(p, '\n');
    if (nl) *nl = 0;
    if (strncmp(p, "Authorization:", 14) == 0) return p + 14;
    p = nl ? nl + 1 : NULL;
  }
  return NULL;
}

/* The cache every case is signed with in the second pass (NULL: none). */
static sigv4_cache *suite_cache;

static void run_case(const char *name) {
  char *request = NULL, *context = NULL, *creq = NULL, *sts = NULL,
       *sig = NULL, *signed_request = NULL;
  size_t nrequest = 0;
  parsed_request r;
  parsed_context c;
  sigv4_input in;
  sigv4_output out;
  int rc;

  check_current = name;
  memset(&c, 0, sizeof(c));
  request = read_file(name, "request.txt", &nrequest);
  context = read_file(name, "context.json", NULL);
  creq = read_file(name, "header-canonical-request.txt", NULL);
  sts = read_file(name, "header-string-to-sign.txt", NULL);
  sig = read_file(name, "header-signature.txt", NULL);
  signed_request = read_file(name, "header-signed-request.txt", NULL);
  CHECK(request && context && creq && sts && sig && signed_request);
  if (!request || !context || !creq || !sts || !sig || !signed_request)
    goto done;
  CHECK(parse_request(request, nrequest, &r));
  CHECK(parse_context(context, &c));

  memset(&in, 0, sizeof(in));
  in.method = r.method;
  in.path = r.path;
  in.query = r.query;
  in.headers = r.headers;
  in.nheader = r.nheader;
  in.body = r.body;
  in.nbody = r.nbody;
  in.access_key_id = c.access_key_id;
  in.secret_access_key = c.secret_access_key;
  in.session_token = c.token;
  in.region = c.region;
  in.service = c.service;
  in.now = c.now;
  in.sign_body = c.sign_body;
  in.normalize_path = c.normalize;
  in.omit_session_token = c.omit_session_token;
  in.cache = suite_cache;

  rc = sigv4_sign(&in, &out);
  CHECK_INT(rc, SQLITE_OK);
  if (rc == SQLITE_OK) {
    CHECK_STR(out.amz_date, "20150830T123600Z");
    CHECK_STR(out.canonical_request, creq);
    CHECK_STR(out.string_to_sign, sts);
    CHECK_STR(out.signature, sig);
    CHECK_STR(out.authorization, signed_authorization(signed_request));
    sigv4_output_free(&out);
  }

done:
  cJSON_Delete(c.json);
  free(request);
  free(context);
  free(creq);
  free(sts);
  free(sig);
  free(signed_request);
}

/* Every case of the suite, and the table lists every folder there is. */
static void test_aws_suite(void) {
  DIR *d;
  struct dirent *e;
  int i, nfolder = 0, listed = 0;
  sigv4_cache cache;

  for (i = 0; i < NCASES; i++) run_case(sigv4_cases[i]);
  /* again with one cache for all: the same results (the cases share the
  ** scope; some sign with another secret or region) */
  memset(&cache, 0, sizeof(cache));
  suite_cache = &cache;
  for (i = 0; i < NCASES; i++) run_case(sigv4_cases[i]);
  suite_cache = NULL;
  sigv4_cache_clear(&cache);
  check_current = "test_aws_suite";

  d = opendir(vectors_dir());
  CHECK(d != NULL);
  if (!d) return;
  while ((e = readdir(d)) != NULL) {
    char path[1024];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s/context.json", vectors_dir(),
             e->d_name);
    if (e->d_name[0] == '.' || stat(path, &st) != 0) continue;
    nfolder++;
    for (i = 0; i < NCASES; i++)
      if (strcmp(sigv4_cases[i], e->d_name) == 0) listed++;
  }
  closedir(d);
  CHECK_INT(NCASES, 38);
  CHECK_INT(nfolder, NCASES);
  CHECK_INT(listed, NCASES);
}

/* ----------------------------------------------------------------------
** Focused tests
*/
#define AKID "AKID"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define DDB_BODY "{\"TableName\":\"Tracks\"}"

static const sigv4_header ddb_headers[] = {
    {"Host", "dynamodb.us-east-1.amazonaws.com"},
    {"Content-Type", "application/x-amz-json-1.0"},
    {"X-Amz-Target", "DynamoDB_20120810.DescribeTable"},
};

/* POST / to DynamoDB at 2015-08-30T12:36:00Z. */
static sigv4_input ddb_input(const char *token) {
  sigv4_input in;
  memset(&in, 0, sizeof(in));
  in.method = "POST";
  in.path = "/";
  in.headers = ddb_headers;
  in.nheader = 3;
  in.body = DDB_BODY;
  in.nbody = strlen(DDB_BODY);
  in.access_key_id = AKID;
  in.secret_access_key = SECRET;
  in.session_token = token;
  in.region = "us-east-1";
  in.service = "dynamodb";
  in.now = 1440938160; /* 2015-08-30T12:36:00Z */
  in.normalize_path = 1;
  return in;
}

/* Expected values computed once with botocore 1.43 SigV4Auth (mocked
** clock) and, independently, with Python hashlib/hmac from the spec. */
static void test_dynamodb_post(void) {
  sigv4_input in = ddb_input(NULL);
  sigv4_output out;
  CHECK_INT(sigv4_sign(&in, &out), SQLITE_OK);
  CHECK_STR(out.amz_date, "20150830T123600Z");
  CHECK_STR(out.payload_hash,
            "5c771c72f6f592d5af888b75b41704bab2f6cb42f397b5babe497cadf7f553c8");
  CHECK_STR(out.canonical_request,
            "POST\n/\n\n"
            "content-type:application/x-amz-json-1.0\n"
            "host:dynamodb.us-east-1.amazonaws.com\n"
            "x-amz-date:20150830T123600Z\n"
            "x-amz-target:DynamoDB_20120810.DescribeTable\n\n"
            "content-type;host;x-amz-date;x-amz-target\n"
            "5c771c72f6f592d5af888b75b41704bab2f6cb42f397b5babe497cadf7f553c8");
  CHECK_STR(out.signed_headers, "content-type;host;x-amz-date;x-amz-target");
  CHECK_STR(out.signature,
            "d866195a07c9e1eb16d70898d1f54a5a0899e1be244ebc7a200e1ce725e19d84");
  CHECK_STR(out.authorization,
            "AWS4-HMAC-SHA256 "
            "Credential=AKID/20150830/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
            "Signature="
            "d866195a07c9e1eb16d70898d1f54a5a0899e1be244ebc7a200e1ce725e19d84");
  sigv4_output_free(&out);
  CHECK(out.canonical_request == NULL && out.authorization == NULL);
  sigv4_output_free(&out); /* twice is harmless */
  sigv4_output_free(NULL);
}

static void test_dynamodb_post_session_token(void) {
  sigv4_input in = ddb_input("SESSIONTOKEN/example==");
  sigv4_output out;
  CHECK_INT(sigv4_sign(&in, &out), SQLITE_OK);
  CHECK(strstr(out.canonical_request,
               "\nx-amz-security-token:SESSIONTOKEN/example==\n") != NULL);
  CHECK_STR(out.authorization,
            "AWS4-HMAC-SHA256 "
            "Credential=AKID/20150830/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;"
            "x-amz-target, Signature="
            "da2774f91e9e594a43f1e291a61d7dec9f046782479b47a6a5a10b7a774ecccf");
  sigv4_output_free(&out);

  /* omit_session_token: the token is sent but not signed. */
  in.omit_session_token = 1;
  CHECK_INT(sigv4_sign(&in, &out), SQLITE_OK);
  CHECK_STR(out.signed_headers, "content-type;host;x-amz-date;x-amz-target");
  CHECK_STR(out.signature,
            "d866195a07c9e1eb16d70898d1f54a5a0899e1be244ebc7a200e1ce725e19d84");
  sigv4_output_free(&out);
}

/* NULL and "" both mean no token: no header, same signature. */
static void test_no_session_token(void) {
  const char *tokens[] = {NULL, ""};
  int i;
  for (i = 0; i < 2; i++) {
    sigv4_input in = ddb_input(tokens[i]);
    sigv4_output out;
    CHECK_INT(sigv4_sign(&in, &out), SQLITE_OK);
    CHECK(strstr(out.canonical_request, "x-amz-security-token") == NULL);
    CHECK(strstr(out.authorization, "x-amz-security-token") == NULL);
    CHECK_STR(out.signed_headers, "content-type;host;x-amz-date;x-amz-target");
    CHECK_STR(out.signature,
              "d866195a07c9e1eb16d70898d1f54a5a0899e1be244ebc7a200e1ce725e19d84");
    sigv4_output_free(&out);
  }
}

/* The secret (or "AWS4" + secret) is in no output. */
static void test_secret_not_in_output(void) {
  sigv4_input in = ddb_input("TOKEN");
  sigv4_output out;
  const char *fields[7];
  int i;
  in.sign_body = 1;
  CHECK_INT(sigv4_sign(&in, &out), SQLITE_OK);
  fields[0] = out.amz_date;
  fields[1] = out.payload_hash;
  fields[2] = out.signature;
  fields[3] = out.canonical_request;
  fields[4] = out.string_to_sign;
  fields[5] = out.signed_headers;
  fields[6] = out.authorization;
  for (i = 0; i < 7; i++) {
    CHECK(fields[i] != NULL);
    CHECK(fields[i] && strstr(fields[i], SECRET) == NULL);
    CHECK(fields[i] && strstr(fields[i], "wJalrXUtnFEMI") == NULL);
  }
  sigv4_output_free(&out);
}

/* sign_body adds x-amz-content-sha256 with the payload hash. */
static void test_sign_body(void) {
  sigv4_input in = ddb_input(NULL);
  sigv4_output out;
  in.sign_body = 1;
  CHECK_INT(sigv4_sign(&in, &out), SQLITE_OK);
  CHECK_STR(out.signed_headers, "content-type;host;x-amz-content-sha256;"
                                "x-amz-date;x-amz-target");
  CHECK(strstr(out.canonical_request,
               "\nx-amz-content-sha256:5c771c72f6f592d5af888b75b41704bab2f6cb"
               "42f397b5babe497cadf7f553c8\n") != NULL);
  sigv4_output_free(&out);
}

static int sign_fails(const sigv4_input *in) {
  sigv4_output out;
  static const sigv4_output zero;
  int rc;
  memset(&out, 0xab, sizeof(out));
  rc = sigv4_sign(in, &out);
  if (rc == SQLITE_OK) sigv4_output_free(&out);
  return rc == SQLITE_ERROR && memcmp(&out, &zero, sizeof(out)) == 0;
}

static void test_invalid_input(void) {
  sigv4_input in;
  sigv4_header h[4];
  CHECK(sign_fails(NULL));
  CHECK_INT(sigv4_sign(NULL, NULL), SQLITE_ERROR);

  in = ddb_input(NULL);
  in.nheader = 0; /* no Host */
  CHECK(sign_fails(&in));

  memcpy(h, ddb_headers, sizeof(ddb_headers));
  in = ddb_input(NULL);
  in.headers = h;
  in.nheader = 4;
  h[3].name = "X-Amz-Date"; /* the signer's own */
  h[3].value = "20150830T123600Z";
  CHECK(sign_fails(&in));
  h[3].name = "authorization";
  CHECK(sign_fails(&in));
  h[3].name = "Bad Name";
  CHECK(sign_fails(&in));
  h[3].name = "X-Ok";
  h[3].value = NULL;
  CHECK(sign_fails(&in));

  in = ddb_input(NULL);
  in.path = "/?a=b"; /* the query goes in .query */
  CHECK(sign_fails(&in));
  in = ddb_input(NULL);
  in.region = "us-east-1/x";
  CHECK(sign_fails(&in));
  in = ddb_input(NULL);
  in.secret_access_key = "";
  CHECK(sign_fails(&in));
  in = ddb_input(NULL);
  in.body = NULL;
  CHECK(sign_fails(&in));
}

static int starts_with(const char *s, const char *prefix) {
  return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Cases the suite does not cover. */
static void test_path_and_query(void) {
  sigv4_header host = {"host", "h"};
  sigv4_input in = ddb_input(NULL);
  sigv4_output out;
  in.headers = &host;
  in.nheader = 1;
  in.body = NULL;
  in.nbody = 0;

  /* a percent-encoded path is encoded again (not S3) */
  in.path = "/a%20b/c/../d/.";
  CHECK_INT(sigv4_sign(&in, &out), SQLITE_OK);
  CHECK(starts_with(out.canonical_request, "POST\n/a%2520b/d/\n\n"));
  sigv4_output_free(&out);

  /* decoded then encoded again, sorted, "c" without '=' becomes "c=" */
  in.path = "/";
  in.query = "b=2&a=%2f+x&c&a=1&&b=%zz";
  CHECK_INT(sigv4_sign(&in, &out), SQLITE_OK);
  CHECK(starts_with(out.canonical_request,
                    "POST\n/\na=%2F%2Bx&a=1&b=%25zz&b=2&c=\nhost:h\n"));
  sigv4_output_free(&out);
}

/* A cache gives the signature a fresh derivation gives, follows a change
** of day, region, service or secret, and clear() leaves nothing behind. */
static void test_cache(void) {
  static const struct {
    time_t now;
    const char *region, *service, *secret;
  } steps[] = {
      {1440938160, "us-east-1", "dynamodb", SECRET},
      {1440938161, "us-east-1", "dynamodb", SECRET},         /* same day */
      {1440938160 + 86400, "us-east-1", "dynamodb", SECRET}, /* next day */
      {1440938160, "eu-west-1", "dynamodb", SECRET},
      {1440938160, "eu-west-1", "sts", SECRET},
      {1440938160, "eu-west-1", "sts", "another-secret"},
      {1440938160, "eu-west-1", "sts", "another-secreT"},    /* same length */
      {1440938160, "us-east-1", "dynamodb", SECRET},
  };
  sigv4_cache cache;
  size_t i;
  memset(&cache, 0, sizeof(cache));
  for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
    sigv4_input in = ddb_input(NULL);
    sigv4_output plain, cached;
    char scope[96];
    in.now = steps[i].now;
    in.region = steps[i].region;
    in.service = steps[i].service;
    in.secret_access_key = steps[i].secret;
    CHECK_INT(sigv4_sign(&in, &plain), SQLITE_OK);
    in.cache = &cache;
    CHECK_INT(sigv4_sign(&in, &cached), SQLITE_OK);
    CHECK_STR(cached.signature, plain.signature);
    CHECK_STR(cached.authorization, plain.authorization);
    snprintf(scope, sizeof(scope), "%.8s/%s/%s", plain.amz_date, steps[i].region,
             steps[i].service);
    CHECK_STR(cache.scope, scope);
    CHECK_STR(cache.secret, steps[i].secret);
    CHECK(cache.md != NULL && cache.mac != NULL);
    sigv4_output_free(&plain);
    sigv4_output_free(&cached);
  }
  sigv4_cache_clear(&cache);
  CHECK(cache.secret == NULL && cache.md == NULL && cache.mac == NULL && cache.scope[0] == 0);
  sigv4_cache_clear(&cache); /* twice is harmless */
  sigv4_cache_clear(NULL);
}

int main(void) {
  RUN(test_aws_suite);
  RUN(test_cache);
  RUN(test_dynamodb_post);
  RUN(test_dynamodb_post_session_token);
  RUN(test_no_session_token);
  RUN(test_secret_not_in_output);
  RUN(test_sign_body);
  RUN(test_invalid_input);
  RUN(test_path_and_query);
  CHECK_DONE();
}
