/*
** libFuzzer target for credparse.c: the answers of credential sources,
** which come from the network (STS, instance metadata, the container
** endpoint, IAM Identity Center) or from a helper (credential_process).
**
** The input is an answer (any bytes, not NUL-terminated). Every parser takes
** it: cp_parse_sts() as a 200 and as a 403, cp_parse_json() in each format,
** cp_parse_sso_token() and cp_parse_oidc(); cp_xml_text() for a few names;
** cp_split_words() and cp_parse_time() its text up to the first NUL.
** Properties:
**   - an accepted answer gives non-empty strings, and an STS or JSON answer
**     a positive expiry (or none, for credential_process);
**   - a refused one gives a message, and no credentials;
**   - cp_xml_text() returns no longer text than the input, and no '<' but
**     from a reference;
**   - cp_split_words() gives between 1 and n words, NULL-terminated, each
**     no longer than the line;
**   - a time that parses formats back into a time that parses, and an SSO
**     token written back reads back the same (times from 1970 to 9999).
** Every violated property aborts (a crash for libFuzzer).
*/
#include "credparse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond)                                                          \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_credparse: property failed at line %d: %s\n",      \
              __LINE__, #cond);                                                \
      abort();                                                                 \
    }                                                                          \
  } while (0)

static int nonempty(const char *z) { return z && z[0]; }

static void check_creds(int rc, const cp_creds *c, char *err, int needExpiry) {
  if (rc == SQLITE_OK) {
    REQUIRE(err == NULL);
    REQUIRE(nonempty(c->access_key_id) && nonempty(c->secret_access_key));
    REQUIRE(!needExpiry || c->expires != 0);
  } else if (rc == SQLITE_ERROR) {
    REQUIRE(err != NULL);
    REQUIRE(c->access_key_id == NULL && c->secret_access_key == NULL &&
            c->session_token == NULL);
  }
  sqlite3_free(err);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n) {
  const char *body = (const char *)data;
  static const char *const azName[] = {"Credentials", "AccessKeyId", "Code", "Message", "A"};
  char *text = malloc(n + 1), *err, *code, *z;
  cp_creds c;
  cp_sso_token t;
  int rc, i;
  if (!text) return 0;
  memcpy(text, data, n);
  text[n] = 0;

  for (i = 0; i < 2; i++) {
    err = code = NULL;
    rc = cp_parse_sts(body, n, i ? 403 : 200, &c, &code, &err);
    REQUIRE(rc != SQLITE_OK || i == 0);
    if (rc == SQLITE_ERROR && i == 1) REQUIRE(code != NULL);
    check_creds(rc, &c, err, 1);
    cp_creds_clear(&c);
    sqlite3_free(code);
  }
  for (i = 0; i < 5; i++) {
    z = cp_xml_text(body, n, i == 1 ? "Credentials" : NULL, azName[i]);
    /* markup is never text: a '<' can only come from a reference */
    if (z) REQUIRE(strlen(z) <= n && (!strchr(z, '<') || memchr(body, '&', n)));
    sqlite3_free(z);
  }
  for (i = CP_PROCESS; i <= CP_SSO; i++) {
    err = NULL;
    rc = cp_parse_json(i, body, n, &c, &err);
    check_creds(rc, &c, err, i != CP_PROCESS);
    cp_creds_clear(&c);
  }
  err = NULL;
  rc = cp_parse_sso_token(body, n, &t, &err);
  if (rc == SQLITE_OK && t.expires >= 0 && t.expires < 253402300800000LL) {
    REQUIRE(nonempty(t.access_token));
    z = cp_sso_token_json(&t, "u", "r");
    REQUIRE(z != NULL);
    {
      cp_sso_token back;
      char *err2 = NULL;
      REQUIRE(cp_parse_sso_token(z, strlen(z), &back, &err2) == SQLITE_OK);
      REQUIRE(strcmp(back.access_token, t.access_token) == 0);
      REQUIRE(back.expires / 1000 == t.expires / 1000);
      cp_sso_token_clear(&back);
    }
    sqlite3_free(z);
  } else if (rc != SQLITE_OK) {
    REQUIRE(rc != SQLITE_ERROR || err != NULL);
  }
  sqlite3_free(err);
  err = NULL;
  if (cp_parse_oidc(body, n, 1, &t, &err) == SQLITE_OK) REQUIRE(nonempty(t.access_token));
  sqlite3_free(err);
  cp_sso_token_clear(&t);

  {
    char **az = NULL;
    int nArg = 0;
    err = NULL;
    rc = cp_split_words(text, &az, &nArg, &err);
    if (rc == SQLITE_OK) {
      REQUIRE(nArg >= 1 && (size_t)nArg <= strlen(text) && az[nArg] == NULL);
      for (i = 0; i < nArg; i++) REQUIRE(strlen(az[i]) <= strlen(text));
    } else {
      REQUIRE(az == NULL && (rc != SQLITE_ERROR || err != NULL));
    }
    cp_free_words(az);
    sqlite3_free(err);
  }
  {
    sqlite3_int64 ms, back;
    char buf[32];
    if (cp_parse_time(text, &ms) == SQLITE_OK && ms >= 0 && ms < 253402300800000LL) {
      cp_format_time(ms, buf);
      REQUIRE(cp_parse_time(buf, &back) == SQLITE_OK);
      REQUIRE(back / 1000 == ms / 1000);
    }
  }
  free(text);
  return 0;
}
