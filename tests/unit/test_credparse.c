/*
** Unit tests of ext/credparse.c: the answers of STS, the container and
** instance metadata endpoints, IAM Identity Center and credential_process;
** forms; command lines (against Python's shlex.split); refresh windows;
** the SSO token cache. Every secret below contains "s3cr3t" or "t0k3n":
** no message may.
*/
#include "credparse.h"
#include "check.h"
#include "budget.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int leaks(const char *s) {
  return s && (strstr(s, "s3cr3t") || strstr(s, "t0k3n"));
}

static int has(const char *s, const char *part) {
  if (s && strstr(s, part)) return 1;
  fprintf(stderr, "  [%s] lacks [%s]\n", s ? s : "(null)", part);
  return 0;
}

/* 2024-05-01T12:00:00Z */
#define T0 1714564800000LL

/* ---- time ------------------------------------------------------------- */

static void test_time(void) {
  sqlite3_int64 t = 0;
  char buf[32];
  CHECK_INT(cp_parse_time("2024-05-01T12:00:00Z", &t), SQLITE_OK);
  CHECK_INT(t, T0);
  CHECK_INT(cp_parse_time("2024-05-01T12:00:00.250Z", &t), SQLITE_OK);
  CHECK_INT(t, T0 + 250);
  CHECK_INT(cp_parse_time("2024-05-01t12:00:00.5z", &t), SQLITE_OK);
  CHECK_INT(t, T0 + 500);
  CHECK_INT(cp_parse_time("2024-05-01 14:00:00+02:00", &t), SQLITE_OK);
  CHECK_INT(t, T0);
  CHECK_INT(cp_parse_time("2024-05-01T10:30:00-0130", &t), SQLITE_OK);
  CHECK_INT(t, T0);
  CHECK_INT(cp_parse_time("2024-05-01T12:00:00", &t), SQLITE_OK); /* UTC */
  CHECK_INT(t, T0);
  CHECK_INT(cp_parse_time("2024-05-01T12:00:00.123456789Z", &t), SQLITE_OK);
  CHECK_INT(t, T0 + 123);
  static const char *const bad[] = {"",
                                    "2024-05-01",
                                    "2024-13-01T00:00:00Z",
                                    "2024-05-01T24:00:00Z",
                                    "2024-05-01T12:00:00ZZ",
                                    "2024-05-01T12:00:00+25:00",
                                    "2024-05-01T12:00:00.Z",
                                    "1714564800",
                                    "24-05-01T12:00:00Z",
                                    "2024-05-01T12:0:00Z"};
  for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CHECK_INT(cp_parse_time(bad[i], &t), SQLITE_ERROR);
  }
  CHECK_INT(cp_parse_time(NULL, &t), SQLITE_ERROR);
  cp_format_time(T0 + 999, buf);
  CHECK_STR(buf, "2024-05-01T12:00:00Z");
}

/* ---- STS -------------------------------------------------------------- */

static const char *STS_OK =
    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
    "  <AssumeRoleResult>\n"
    "    <SourceIdentity>x</SourceIdentity>\n"
    "    <AssumedRoleUser>\n"
    "      <Arn>arn:aws:sts::123456789012:assumed-role/dev/s</Arn>\n"
    "      <AssumedRoleId>AROA:s</AssumedRoleId>\n"
    "    </AssumedRoleUser>\n"
    "    <Credentials>\n"
    "      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>\n"
    "      <SecretAccessKey>ab/s3cr3t+&amp;&lt;&gt;&quot;&apos;&#65;&#x42;&#x20AC;</SecretAccessKey>\n"
    "      <SessionToken>\n  FQoGt0k3n//\n  </SessionToken>\n"
    "      <Expiration>2024-05-01T12:00:00Z</Expiration>\n"
    "    </Credentials>\n"
    "    <PackedPolicySize>6</PackedPolicySize>\n"
    "  </AssumeRoleResult>\n"
    "  <ResponseMetadata><RequestId>c6104cbe</RequestId></ResponseMetadata>\n"
    "</AssumeRoleResponse>\n";

static void test_sts(void) {
  cp_creds c;
  char *err = NULL, *code = NULL;
  CHECK_INT(cp_parse_sts(STS_OK, strlen(STS_OK), 200, &c, &code, &err), SQLITE_OK);
  CHECK_STR(c.access_key_id, "ASIAEXAMPLE");
  CHECK_STR(c.secret_access_key, "ab/s3cr3t+&<>\"'AB\xE2\x82\xAC");
  CHECK_STR(c.session_token, "FQoGt0k3n//");
  CHECK_INT(c.expires, T0);
  CHECK_STR(c.account_id, "123456789012"); /* AssumedRoleUser's ARN, as botocore */
  CHECK(err == NULL && code == NULL);
  cp_creds_clear(&c);
  CHECK(c.access_key_id == NULL && c.secret_access_key == NULL && c.account_id == NULL);

  /* AssumeRoleWithWebIdentity answers the same way */
  {
    const char *z = "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult>"
                    "<SubjectFromWebIdentityToken>sub</SubjectFromWebIdentityToken>"
                    "<Credentials><SessionToken>wt0k3n</SessionToken>"
                    "<SecretAccessKey>ws3cr3t</SecretAccessKey>"
                    "<Expiration>2024-05-01T12:00:00.000Z</Expiration>"
                    "<AccessKeyId>ASIAWEB</AccessKeyId></Credentials>"
                    "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";
    CHECK_INT(cp_parse_sts(z, strlen(z), 200, &c, NULL, &err), SQLITE_OK);
    CHECK_STR(c.access_key_id, "ASIAWEB");
    CHECK_STR(c.session_token, "wt0k3n");
    CHECK(c.account_id == NULL); /* no AssumedRoleUser */
    cp_creds_clear(&c);
  }
  { /* an Arn that is no ARN names no account */
    const char *z = "<R><AssumedRoleUser><Arn>not:an-arn</Arn></AssumedRoleUser>"
                    "<Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>s3cr3t"
                    "</SecretAccessKey><SessionToken>t0k3n</SessionToken>"
                    "<Expiration>2024-05-01T12:00:00Z</Expiration></Credentials></R>";
    CHECK_INT(cp_parse_sts(z, strlen(z), 200, &c, NULL, &err), SQLITE_OK);
    CHECK(c.account_id == NULL);
    cp_creds_clear(&c);
  }

  /* an error answer: its Code and Message */
  {
    const char *z = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                    "<Error><Type>Sender</Type><Code>AccessDenied</Code>"
                    "<Message>User: arn:aws:iam::1:user/u is not authorized to perform: "
                    "sts:AssumeRole on resource: arn &amp; more</Message></Error>"
                    "<RequestId>x</RequestId></ErrorResponse>";
    CHECK_INT(cp_parse_sts(z, strlen(z), 403, &c, &code, &err), SQLITE_ERROR);
    CHECK_STR(err, "AccessDenied: User: arn:aws:iam::1:user/u is not authorized to perform: "
                   "sts:AssumeRole on resource: arn & more");
    CHECK_STR(code, "AccessDenied");
    CHECK(c.access_key_id == NULL);
    sqlite3_free(err);
    sqlite3_free(code);
    z = "<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>";
    CHECK_INT(cp_parse_sts(z, strlen(z), 400, &c, &code, &err), SQLITE_ERROR);
    CHECK_STR(err, "Throttling");
    CHECK_STR(code, "Throttling");
    sqlite3_free(err);
    sqlite3_free(code);
    z = "<html><body>502 Bad\x01 Gateway\xff</body></html>";
    CHECK_INT(cp_parse_sts(z, strlen(z), 502, &c, &code, &err), SQLITE_ERROR);
    CHECK_STR(err, "HTTP 502: <html><body>502 Bad Gateway?</body></html>");
    CHECK_STR(code, "");
    sqlite3_free(err);
    sqlite3_free(code);
    CHECK_INT(cp_parse_sts("", 0, 500, &c, NULL, &err), SQLITE_ERROR);
    CHECK_STR(err, "HTTP 500: (empty)");
    sqlite3_free(err);
  }

  /* a 200 that is not what it should be: no secret in the message */
  static const struct {
    const char *body, *msg;
  } bad[] = {
      {"", "the answer has no AccessKeyId in Credentials"},
      {"<Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>s3cr3t</SecretAccessKey>"
       "<SessionToken>t0k3n</SessionToken></Credentials>",
       "the answer has no Expiration in Credentials"},
      {"<Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>s3cr3t",
       "the answer has no AccessKeyId in Credentials"}, /* cut short */
      {"<Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>s3cr3t&bogus;"
       "</SecretAccessKey></Credentials>",
       "the answer has no SecretAccessKey in Credentials"},
      {"<Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>s3cr3t&#0;"
       "</SecretAccessKey></Credentials>",
       "the answer has no SecretAccessKey in Credentials"},
      {"<Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>s3cr3t&#xD800;"
       "</SecretAccessKey></Credentials>",
       "the answer has no SecretAccessKey in Credentials"},
      {"<Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey><b>s3cr3t</b>"
       "</SecretAccessKey></Credentials>",
       "the answer has no SecretAccessKey in Credentials"},
      {"<Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>s3cr3t</SecretAccessKey>"
       "<SessionToken>t0k3n</SessionToken><Expiration>tomorrow</Expiration></Credentials>",
       "the answer's Expiration \"tomorrow\" is not an ISO 8601 time"},
      {"<AccessKeyId>A</AccessKeyId><SecretAccessKey>s3cr3t</SecretAccessKey>",
       "the answer has no AccessKeyId in Credentials"}, /* not inside Credentials */
  };
  for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    err = NULL;
    CHECK_INT(cp_parse_sts(bad[i].body, strlen(bad[i].body), 200, &c, NULL, &err), SQLITE_ERROR);
    CHECK_STR(err, bad[i].msg);
    CHECK(!leaks(err));
    CHECK(c.access_key_id == NULL);
    sqlite3_free(err);
  }
}

static void test_xml_text(void) {
  char *z;
  const char *x = "<A><B x=\"1\">one</B><C/><D>  </D><B>two</B></A><B>three</B>";
  z = cp_xml_text(x, strlen(x), "A", "B");
  CHECK_STR(z, "one");
  sqlite3_free(z);
  z = cp_xml_text(x, strlen(x), NULL, "C");
  CHECK_STR(z, "");
  sqlite3_free(z);
  z = cp_xml_text(x, strlen(x), NULL, "D");
  CHECK_STR(z, "");
  sqlite3_free(z);
  CHECK(cp_xml_text(x, strlen(x), "A", "E") == NULL);
  CHECK(cp_xml_text(x, strlen(x), "E", "B") == NULL);
  /* a longer name that starts with the one looked for is another element */
  x = "<Codes>no</Codes><Code>yes</Code >";
  z = cp_xml_text(x, strlen(x), NULL, "Code");
  CHECK_STR(z, "yes");
  sqlite3_free(z);
  /* the body need not end with a NUL: only n bytes are read */
  x = "<A>abc</A>trailing";
  z = cp_xml_text(x, 6, NULL, "A");
  CHECK(z == NULL);
  z = cp_xml_text(x, 10, NULL, "A");
  CHECK_STR(z, "abc");
  sqlite3_free(z);
  x = "<A>&#1114112;</A><B>&#x10FFFF;</B><C>&#;</C><D>&amp</D><E>&#x41</E>";
  CHECK(cp_xml_text(x, strlen(x), NULL, "A") == NULL);
  z = cp_xml_text(x, strlen(x), NULL, "B");
  CHECK_STR(z, "\xF4\x8F\xBF\xBF");
  sqlite3_free(z);
  CHECK(cp_xml_text(x, strlen(x), NULL, "C") == NULL);
  CHECK(cp_xml_text(x, strlen(x), NULL, "D") == NULL);
  CHECK(cp_xml_text(x, strlen(x), NULL, "E") == NULL);
}

/* ---- JSON answers ------------------------------------------------------ */

static void test_json(void) {
  cp_creds c;
  char *err = NULL;
  const char *z;

  z = "{\"Version\": 1, \"AccessKeyId\": \"AKIDP\", \"SecretAccessKey\": \"ps3cr3t\"}";
  CHECK_INT(cp_parse_json(CP_PROCESS, z, strlen(z), &c, &err), SQLITE_OK);
  CHECK_STR(c.access_key_id, "AKIDP");
  CHECK(c.session_token == NULL);
  CHECK_INT(c.expires, 0);
  cp_creds_clear(&c);
  z = "{\"Version\": 1, \"AccessKeyId\": \"AKIDP\", \"SecretAccessKey\": \"ps3cr3t\", "
      "\"SessionToken\": \"pt0k3n\", \"Expiration\": \"2024-05-01T12:00:00Z\", "
      "\"AccountId\": \"123\"}";
  CHECK_INT(cp_parse_json(CP_PROCESS, z, strlen(z), &c, &err), SQLITE_OK);
  CHECK_STR(c.session_token, "pt0k3n");
  CHECK_INT(c.expires, T0);
  CHECK_STR(c.account_id, "123"); /* botocore reads AccountId */
  cp_creds_clear(&c);
  CHECK(c.account_id == NULL);
  z = "{\"Version\": 1, \"AccessKeyId\": \"AKIDP\", \"SecretAccessKey\": \"ps3cr3t\", "
      "\"AccountId\": 123}"; /* not a string: none */
  CHECK_INT(cp_parse_json(CP_PROCESS, z, strlen(z), &c, &err), SQLITE_OK);
  CHECK(c.account_id == NULL);
  cp_creds_clear(&c);

  z = "{\"Code\": \"Success\", \"LastUpdated\": \"2024-05-01T11:00:00Z\", \"Type\": "
      "\"AWS-HMAC\", \"AccessKeyId\": \"ASIAI\", \"SecretAccessKey\": \"is3cr3t\", "
      "\"Token\": \"it0k3n\", \"Expiration\": \"2024-05-01T12:00:00Z\"}";
  CHECK_INT(cp_parse_json(CP_IMDS, z, strlen(z), &c, &err), SQLITE_OK);
  CHECK_STR(c.access_key_id, "ASIAI");
  CHECK_STR(c.session_token, "it0k3n");
  cp_creds_clear(&c);
  CHECK_INT(cp_parse_json(CP_CONTAINER, z, strlen(z), &c, &err), SQLITE_OK);
  CHECK_INT(c.expires, T0);
  CHECK(c.account_id == NULL);
  cp_creds_clear(&c);
  z = "{\"AccessKeyId\": \"ASIAC\", \"SecretAccessKey\": \"cs3cr3t\", \"Token\": \"ct0k3n\", "
      "\"Expiration\": \"2024-05-01T12:00:00Z\", \"AccountId\": \"555566667777\"}";
  CHECK_INT(cp_parse_json(CP_CONTAINER, z, strlen(z), &c, &err), SQLITE_OK);
  CHECK_STR(c.account_id, "555566667777");
  cp_creds_clear(&c);

  z = "{\"roleCredentials\": {\"accessKeyId\": \"ASIAS\", \"secretAccessKey\": \"ss3cr3t\", "
      "\"sessionToken\": \"st0k3n\", \"expiration\": 1714564800000}}";
  CHECK_INT(cp_parse_json(CP_SSO, z, strlen(z), &c, &err), SQLITE_OK);
  CHECK_STR(c.access_key_id, "ASIAS");
  CHECK_STR(c.secret_access_key, "ss3cr3t");
  CHECK_INT(c.expires, T0);
  cp_creds_clear(&c);

  static const struct {
    int format;
    const char *body, *msg;
  } bad[] = {
      {CP_PROCESS, "", "the answer is not a JSON object"},
      {CP_PROCESS, "[1]", "the answer is not a JSON object"},
      {CP_PROCESS, "{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s3cr3t\"",
       "the answer is not a JSON object"},
      {CP_PROCESS, "{\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s3cr3t\"}",
       "unsupported Version (none) in the answer (Version 1 is)"},
      {CP_PROCESS, "{\"Version\": \"1\", \"AccessKeyId\": \"A\"}",
       "unsupported Version \"1\" in the answer (Version 1 is)"},
      {CP_PROCESS, "{\"Version\": 2}", "unsupported Version 2 in the answer (Version 1 is)"},
      {CP_PROCESS, "{\"Version\": 1, \"SecretAccessKey\": \"s3cr3t\"}",
       "the answer has no AccessKeyId"},
      {CP_PROCESS, "{\"Version\": 1, \"AccessKeyId\": \"A\"}", "the answer has no SecretAccessKey"},
      {CP_PROCESS, "{\"Version\": 1, \"AccessKeyId\": 7, \"SecretAccessKey\": \"s3cr3t\"}",
       "the answer's AccessKeyId is not a string"},
      {CP_PROCESS, "{\"Version\": 1, \"AccessKeyId\": \"\", \"SecretAccessKey\": \"s3cr3t\"}",
       "the answer's AccessKeyId is empty"},
      {CP_PROCESS,
       "{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s3cr3t\", "
       "\"Expiration\": \"soon\"}",
       "the answer's Expiration \"soon\" is not an ISO 8601 time"},
      {CP_CONTAINER,
       "{\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s3cr3t\", \"Expiration\": "
       "\"2024-05-01T12:00:00Z\"}",
       "the answer has no Token"},
      {CP_CONTAINER, "{\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s3cr3t\", \"Token\": \"t0k3n\"}",
       "the answer has no Expiration"},
      {CP_IMDS, "{\"Code\": \"AssumeRoleUnauthorizedAccess\", \"Message\": \"EC2 cannot assume\"}",
       "AssumeRoleUnauthorizedAccess: EC2 cannot assume"},
      {CP_IMDS, "{\"Code\": \"Failure\"}", "Failure"},
      {CP_SSO, "{\"accessKeyId\": \"A\"}", "the answer has no roleCredentials"},
      {CP_SSO,
       "{\"roleCredentials\": {\"accessKeyId\": \"A\", \"secretAccessKey\": \"s3cr3t\", "
       "\"sessionToken\": \"t0k3n\", \"expiration\": \"2024-05-01T12:00:00Z\"}}",
       "the answer's expiration is not a time in milliseconds"},
      {CP_SSO,
       "{\"roleCredentials\": {\"accessKeyId\": \"A\", \"secretAccessKey\": \"s3cr3t\", "
       "\"expiration\": 1}}",
       "the answer has no sessionToken"},
  };
  for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    err = NULL;
    CHECK_INT(cp_parse_json(bad[i].format, bad[i].body, strlen(bad[i].body), &c, &err),
              SQLITE_ERROR);
    CHECK_STR(err, bad[i].msg);
    CHECK(!leaks(err));
    CHECK(c.access_key_id == NULL && c.secret_access_key == NULL);
    sqlite3_free(err);
  }
}

static void test_excerpt(void) {
  char big[500], *z;
  memset(big, 'x', sizeof big);
  z = cp_excerpt(big, sizeof big, 200);
  CHECK_INT(strlen(z), 203);
  CHECK(has(z, "xxx..."));
  sqlite3_free(z);
  z = cp_excerpt("  a\n\n\tb  ", 9, 200);
  CHECK_STR(z, "a b");
  sqlite3_free(z);
}

/* ---- forms and command lines ----------------------------------------------- */

static void test_form(void) {
  const char *a[] = {"Action", "AssumeRole", "RoleArn", "arn:aws:iam::1:role/a b+c",
                     "ExternalId", NULL, "X", "~-._/=&é", NULL};
  char *z = cp_form(a);
  CHECK_STR(z, "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa%20b%2Bc&"
               "X=~-._%2F%3D%26%C3%A9");
  sqlite3_free(z);
  {
    const char *none[] = {"A", NULL, NULL};
    z = cp_form(none);
    CHECK_STR(z, "");
    sqlite3_free(z);
  }
}

static void test_split(void) {
  static const struct {
    const char *line;
    const char *words[4];
  } ok[] = {
      /* expected: Python's shlex.split() of the same text */
      {"a b  c", {"a", "b", "c"}},
      {"/bin/x --p 'a b'", {"/bin/x", "--p", "a b"}},
      {"a\"b c\"d", {"ab cd"}},
      {"\"a\\\"b\"", {"a\"b"}},
      {"\"a\\b\"", {"a\\b"}},
      {"\"a\\\\b\"", {"a\\b"}},
      {"a\\ b", {"a b"}},
      {"'a\\b'", {"a\\b"}},
      {"a \"\"", {"a", ""}},
      {"''", {""}},
      {"\t x\n", {"x"}},
      {"a\\\\", {"a\\"}},
      {"\"x y\" 'z w'", {"x y", "z w"}},
      {"a #b", {"a", "#b"}},
  };
  for (unsigned i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    char **az = NULL, *err = NULL;
    int n = -1, k;
    CHECK_INT(cp_split_words(ok[i].line, &az, &n, &err), SQLITE_OK);
    for (k = 0; k < 4 && ok[i].words[k]; k++) {
      CHECK(k < n);
      if (k < n) CHECK_STR(az[k], ok[i].words[k]);
    }
    CHECK_INT(n, k);
    CHECK(az && az[n] == NULL);
    cp_free_words(az);
  }
  static const struct {
    const char *line, *msg;
  } bad[] = {
      {"\"abc", "no closing quotation in the command line"},
      {"'abc", "no closing quotation in the command line"},
      {"abc\\", "no escaped character after the last backslash of the command line"},
      {"\"abc\\", "no escaped character after the last backslash of the command line"},
      {"   ", "the command line is empty"},
      {"", "the command line is empty"},
  };
  for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char **az = NULL, *err = NULL;
    int n = -1;
    CHECK_INT(cp_split_words(bad[i].line, &az, &n, &err), SQLITE_ERROR);
    CHECK_STR(err, bad[i].msg);
    CHECK(az == NULL && n == 0);
    sqlite3_free(err);
  }
}

/* ---- refresh ----------------------------------------------------------- */

static void test_refresh(void) {
  const sqlite3_int64 S = 1000, M = 60 * S, H = 60 * M;
  sqlite3_int64 adv, man;
  /* an hour: botocore's 15 and 10 minutes */
  cp_windows(H, &adv, &man);
  CHECK_INT(adv, 15 * M);
  CHECK_INT(man, 10 * M);
  CHECK_INT(cp_refresh_due(T0, T0, T0 + H), CP_FRESH);
  CHECK_INT(cp_refresh_due(T0 + 45 * M - 1, T0, T0 + H), CP_FRESH);
  CHECK_INT(cp_refresh_due(T0 + 45 * M, T0, T0 + H), CP_ADVISORY);
  CHECK_INT(cp_refresh_due(T0 + 50 * M - 1, T0, T0 + H), CP_ADVISORY);
  CHECK_INT(cp_refresh_due(T0 + 50 * M, T0, T0 + H), CP_MANDATORY);
  CHECK_INT(cp_refresh_due(T0 + 2 * H, T0, T0 + H), CP_MANDATORY);
  /* longer lives keep botocore's windows */
  cp_windows(12 * H, &adv, &man);
  CHECK_INT(adv, 15 * M);
  CHECK_INT(man, 10 * M);
  /* 15 minutes (AssumeRole's shortest): not refreshed at once */
  CHECK_INT(cp_refresh_due(T0, T0, T0 + 15 * M), CP_FRESH);
  CHECK_INT(cp_refresh_due(T0 + 11 * M, T0, T0 + 15 * M), CP_FRESH);
  CHECK_INT(cp_refresh_due(T0 + 12 * M, T0, T0 + 15 * M), CP_ADVISORY);
  CHECK_INT(cp_refresh_due(T0 + 13 * M, T0, T0 + 15 * M), CP_MANDATORY);
  /* 6 seconds: 1.5 s and 1 s */
  cp_windows(6 * S, &adv, &man);
  CHECK_INT(adv, 1500);
  CHECK_INT(man, 1000);
  CHECK_INT(cp_refresh_due(T0 + 4 * S, T0, T0 + 6 * S), CP_FRESH);
  CHECK_INT(cp_refresh_due(T0 + 4500, T0, T0 + 6 * S), CP_ADVISORY);
  CHECK_INT(cp_refresh_due(T0 + 5 * S, T0, T0 + 6 * S), CP_MANDATORY);
  /* fetched already expired, or never expiring */
  CHECK_INT(cp_refresh_due(T0, T0, T0 - 1), CP_MANDATORY);
  CHECK_INT(cp_refresh_due(T0, T0, T0), CP_MANDATORY);
  CHECK_INT(cp_refresh_due(T0 + 100 * H, T0, 0), CP_FRESH);
}

/* ---- IAM Identity Center ----------------------------------------------- */

static void test_sso_token(void) {
  cp_sso_token t;
  char name[41], *err = NULL, *z;
  const char *cache =
      "{\"startUrl\": \"https://corp.awsapps.com/start\", \"region\": \"eu-central-1\", "
      "\"accessToken\": \"at0k3n\", \"expiresAt\": \"2024-05-01T12:00:00Z\", "
      "\"clientId\": \"cid\", \"clientSecret\": \"cs3cr3t\", "
      "\"registrationExpiresAt\": \"2024-08-01T00:00:00Z\", \"refreshToken\": \"rt0k3n\"}";
  CHECK_INT(cp_sso_cache_name("corp", name), SQLITE_OK);
  CHECK_STR(name, "ee0bfd2552fbd840c02cc48b6e823320543c450f");

  CHECK_INT(cp_parse_sso_token(cache, strlen(cache), &t, &err), SQLITE_OK);
  CHECK_STR(t.access_token, "at0k3n");
  CHECK_INT(t.expires, T0);
  CHECK_STR(t.refresh_token, "rt0k3n");
  CHECK_STR(t.client_id, "cid");
  CHECK_STR(t.client_secret, "cs3cr3t");
  CHECK_STR(t.registration_expires, "2024-08-01T00:00:00Z");
  CHECK(cp_sso_can_refresh(&t, T0));
  CHECK(!cp_sso_can_refresh(&t, T0 + 100LL * 86400 * 1000)); /* registration gone */

  z = cp_oidc_request(&t);
  CHECK_STR(z, "{\"grantType\":\"refresh_token\",\"clientId\":\"cid\","
               "\"clientSecret\":\"cs3cr3t\",\"refreshToken\":\"rt0k3n\"}");
  sqlite3_free(z);

  /* a refresh: the new token, its expiry from expiresIn, a new refresh
  ** token; written back with botocore's fields */
  {
    const char *ans = "{\"accessToken\": \"newt0k3n\", \"tokenType\": \"Bearer\", "
                      "\"expiresIn\": 3600, \"refreshToken\": \"newrt0k3n\"}";
    CHECK_INT(cp_parse_oidc(ans, strlen(ans), T0, &t, &err), SQLITE_OK);
    CHECK_STR(t.access_token, "newt0k3n");
    CHECK_STR(t.refresh_token, "newrt0k3n");
    CHECK_INT(t.expires, T0 + 3600 * 1000);
    z = cp_sso_token_json(&t, "https://corp.awsapps.com/start", "eu-central-1");
    CHECK_STR(z, "{\"startUrl\":\"https://corp.awsapps.com/start\",\"region\":\"eu-central-1\","
                 "\"accessToken\":\"newt0k3n\",\"expiresAt\":\"2024-05-01T13:00:00Z\","
                 "\"clientId\":\"cid\",\"clientSecret\":\"cs3cr3t\","
                 "\"registrationExpiresAt\":\"2024-08-01T00:00:00Z\","
                 "\"refreshToken\":\"newrt0k3n\"}");
    sqlite3_free(z);
    /* an answer without refreshToken drops it, as botocore does */
    ans = "{\"accessToken\": \"n2t0k3n\", \"expiresIn\": 60}";
    CHECK_INT(cp_parse_oidc(ans, strlen(ans), T0, &t, &err), SQLITE_OK);
    CHECK(t.refresh_token == NULL);
    CHECK(!cp_sso_can_refresh(&t, T0));
    static const char *const bad[] = {"nope", "{\"expiresIn\": 5}",
                                      "{\"accessToken\": \"x\", \"expiresIn\": \"5\"}",
                                      "{\"accessToken\": \"x\", \"expiresIn\": 0}"};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
      err = NULL;
      CHECK_INT(cp_parse_oidc(bad[i], strlen(bad[i]), T0, &t, &err), SQLITE_ERROR);
      CHECK(err != NULL && !leaks(err));
      CHECK_STR(t.access_token, "n2t0k3n"); /* unchanged */
      sqlite3_free(err);
    }
  }
  cp_sso_token_clear(&t);
  CHECK(t.access_token == NULL);

  /* a login without the refresh fields (the legacy format) */
  z = "{\"accessToken\": \"at0k3n\", \"expiresAt\": \"2024-05-01T12:00:00UTC\"}";
  err = NULL;
  CHECK_INT(cp_parse_sso_token(z, strlen(z), &t, &err), SQLITE_ERROR);
  CHECK_STR(err, "its expiresAt \"2024-05-01T12:00:00UTC\" is not an ISO 8601 time");
  sqlite3_free(err);
  z = "{\"accessToken\": \"at0k3n\", \"expiresAt\": \"2024-05-01T12:00:00Z\"}";
  CHECK_INT(cp_parse_sso_token(z, strlen(z), &t, &err), SQLITE_OK);
  CHECK(!cp_sso_can_refresh(&t, 0));
  cp_sso_token_clear(&t);
  err = NULL;
  CHECK_INT(cp_parse_sso_token("{\"expiresAt\": \"x\"}", 18, &t, &err), SQLITE_ERROR);
  CHECK_STR(err, "it has no accessToken");
  sqlite3_free(err);
  err = NULL;
  CHECK_INT(cp_parse_sso_token("{", 1, &t, &err), SQLITE_ERROR);
  CHECK_STR(err, "it is not a JSON object");
  sqlite3_free(err);
}

/* ---- memory ------------------------------------------------------------- */

/* Every parser with each allocation failing in turn: SQLITE_NOMEM, never a
** crash or a leak (ASan), and at last success. */
static void test_out_of_memory(void) {
  int budget, rc = SQLITE_NOMEM;
  for (budget = 0; budget < 200 && rc == SQLITE_NOMEM; budget++) {
    cp_creds c;
    char *err = NULL, *code = NULL;
    alloc_budget = budget;
    rc = cp_parse_sts(STS_OK, strlen(STS_OK), 200, &c, &code, &err);
    alloc_budget = -1;
    CHECK(rc == SQLITE_OK || rc == SQLITE_NOMEM);
    if (rc == SQLITE_NOMEM) CHECK(c.access_key_id == NULL);
    cp_creds_clear(&c);
    sqlite3_free(err);
    sqlite3_free(code);
  }
  CHECK_INT(rc, SQLITE_OK);
  rc = SQLITE_NOMEM;
  for (budget = 0; budget < 200 && rc == SQLITE_NOMEM; budget++) {
    const char *z = "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message>"
                    "</Error></ErrorResponse>";
    cp_creds c;
    char *err = NULL, *code = NULL;
    alloc_budget = budget;
    rc = cp_parse_sts(z, strlen(z), 403, &c, &code, &err);
    alloc_budget = -1;
    CHECK(rc == SQLITE_ERROR || rc == SQLITE_NOMEM);
    if (rc == SQLITE_ERROR) CHECK(err && code);
    sqlite3_free(err);
    sqlite3_free(code);
  }
  CHECK_INT(rc, SQLITE_ERROR);
  rc = SQLITE_NOMEM;
  for (budget = 0; budget < 200 && rc == SQLITE_NOMEM; budget++) {
    const char *z = "{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\", "
                    "\"SessionToken\": \"t\", \"Expiration\": \"2024-05-01T12:00:00Z\"}";
    cp_creds c;
    char *err = NULL;
    alloc_budget = budget;
    rc = cp_parse_json(CP_PROCESS, z, strlen(z), &c, &err);
    alloc_budget = -1;
    cp_creds_clear(&c);
    sqlite3_free(err);
  }
  CHECK_INT(rc, SQLITE_OK);
  rc = SQLITE_NOMEM;
  for (budget = 0; budget < 200 && rc == SQLITE_NOMEM; budget++) {
    char **az = NULL, *err = NULL;
    int n;
    alloc_budget = budget;
    rc = cp_split_words("/bin/x 'a b'", &az, &n, &err);
    alloc_budget = -1;
    cp_free_words(az);
    sqlite3_free(err);
  }
  CHECK_INT(rc, SQLITE_OK);
  rc = SQLITE_NOMEM;
  for (budget = 0; budget < 200 && rc == SQLITE_NOMEM; budget++) {
    const char *z = "{\"accessToken\": \"a\", \"expiresAt\": \"2024-05-01T12:00:00Z\", "
                    "\"clientId\": \"c\", \"clientSecret\": \"s\", \"refreshToken\": \"r\", "
                    "\"registrationExpiresAt\": \"2024-08-01T00:00:00Z\"}";
    cp_sso_token t;
    char *err = NULL, *js = NULL;
    alloc_budget = budget;
    rc = cp_parse_sso_token(z, strlen(z), &t, &err);
    if (rc == SQLITE_OK && !(js = cp_sso_token_json(&t, "u", "r"))) rc = SQLITE_NOMEM;
    alloc_budget = -1;
    sqlite3_free(js);
    cp_sso_token_clear(&t);
    sqlite3_free(err);
  }
  CHECK_INT(rc, SQLITE_OK);
}

int main(void) {
  budget_install();

  RUN(test_time);
  RUN(test_sts);
  RUN(test_xml_text);
  RUN(test_json);
  RUN(test_excerpt);
  RUN(test_form);
  RUN(test_split);
  RUN(test_refresh);
  RUN(test_sso_token);
  RUN(test_out_of_memory);
  CHECK_DONE();
}
