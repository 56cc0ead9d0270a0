/*
** AWS Signature Version 4 (header signing), pure: no I/O, no clock.
**
** sigv4_sign() runs the stages of the algorithm in the order of the
** specification, each one a static function that returns an SQLite error
** code and sets its out-parameters only on success:
**
**   1. canonical_request()  method, canonical URI, canonical query string,
**                           canonical headers, signed headers, payload hash
**   2. string_to_sign()     algorithm, request date, scope, hash of (1)
**   3. signing_key()        HMAC chain "AWS4"+secret, date, region, service,
**                           "aws4_request"
**   4. signature()          HMAC of (2) with (3), in lowercase hex
**   5. authorization()      the value of the Authorization header
**
** Rules followed (checked against the AWS suite in ../shared/vectors/sigv4):
**   - header names are lowercased; values are trimmed and every inner run of
**     whitespace (SP, HT, CR, LF: folded lines included) becomes one space,
**     quoted strings too; repeated names are joined with ',' in the order
**     given; headers are sorted by name and all of them are signed;
**   - the signer adds x-amz-date, x-amz-security-token (when there is a
**     token and omit_session_token is 0) and x-amz-content-sha256 (when
**     sign_body) to the signed headers; the caller must not pass these, nor
**     Authorization, and must pass Host;
**   - the path is encoded once more as given: every byte except the
**     unreserved ones and '/' becomes %XX, '%' included. For a path sent
**     percent-encoded this is the "double encoding" that every service but
**     S3 expects (S3 is not supported here). With normalize_path, dot
**     segments are removed (RFC 3986 5.2.4) and runs of '/' collapse to one
**     before encoding;
**   - query parameters are percent-decoded ("%XX" only; '+' is a plain
**     '+'), encoded again with the same rule as the path ('/' encoded too),
**     and sorted by encoded name, then encoded value; "a" becomes "a=".
**
** SHA-256 and HMAC come from OpenSSL's libcrypto. The secret and the
** derived keys are wiped once used; no output string contains them.
*/
#include "common.h"
#include "sigv4.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_TERMINATOR "aws4_request"
#define SHA256_LEN 32

/* One header of the canonical list, pointing into the caller's input. */
typedef struct canon_header {
  const char *name;  /* any case; written lowercased */
  const char *value; /* raw; written trimmed and collapsed */
  int order;         /* position given, keeps repeated names in order */
} canon_header;

/* One query parameter, both parts already encoded. */
typedef struct canon_param {
  char *key;
  char *value;
} canon_param;

/* ----------------------------------------------------------------------
** Small helpers
*/

static int is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
         c == '~';
}

static int is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static unsigned char to_lower(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Compare two header names as their lowercased forms. */
static int name_cmp(const char *a, const char *b) {
  while (*a && to_lower((unsigned char)*a) == to_lower((unsigned char)*b)) {
    a++;
    b++;
  }
  return (int)to_lower((unsigned char)*a) - (int)to_lower((unsigned char)*b);
}

/* An HTTP token: a method or a header name. */
static int is_token(const char *s) {
  if (!s || !*s) return 0;
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c <= 0x20 || c >= 0x7f || c == ':') return 0;
  }
  return 1;
}

/* A part of the credential scope: access key id, region, service. */
static int is_scope_part(const char *s) {
  if (!s || !*s) return 0;
  for (; *s; s++)
    if (!is_unreserved((unsigned char)*s)) return 0;
  return 1;
}

static void hex_encode(const unsigned char *in, size_t n, char *out) {
  static const char digits[] = "0123456789abcdef";
  size_t i;
  for (i = 0; i < n; i++) {
    out[2 * i] = digits[in[i] >> 4];
    out[2 * i + 1] = digits[in[i] & 0xf];
  }
  out[2 * n] = 0;
}

/* Append one byte, %XX-encoded unless unreserved (or '/' when keep_slash). */
static void encode_byte(sqlite3_str *s, unsigned char c, int keep_slash) {
  if (is_unreserved(c) || (keep_slash && c == '/'))
    sqlite3_str_appendchar(s, 1, (char)c);
  else
    sqlite3_str_appendf(s, "%%%02X", (unsigned)c);
}

/* Finish s into *out; an empty string is "" rather than NULL. */
static int str_finish(sqlite3_str *s, char **out) {
  int rc = sqlite3_str_errcode(s);
  char *z = sqlite3_str_finish(s);
  if (rc == SQLITE_OK && !z) z = sqlite3_mprintf("");
  if (rc != SQLITE_OK || !z) {
    sqlite3_free(z);
    return rc != SQLITE_OK ? rc : SQLITE_NOMEM;
  }
  *out = z;
  return SQLITE_OK;
}

/* The cache's SHA-256 and HMAC, fetched on first use (NULL without a cache,
** or when OpenSSL cannot fetch them: the by-name calls are used then). */
static const EVP_MD *cache_md(sigv4_cache *k) {
  if (k && !k->md) k->md = EVP_MD_fetch(NULL, "SHA256", NULL);
  return k && k->md ? k->md : EVP_sha256();
}

static EVP_MAC_CTX *cache_mac(sigv4_cache *k) {
  if (k && !k->mac) {
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    OSSL_PARAM p[2];
    p[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
    p[1] = OSSL_PARAM_construct_end();
    k->mac = mac ? EVP_MAC_CTX_new(mac) : 0;
    EVP_MAC_free(mac); /* the context holds its own reference */
    if (k->mac && !EVP_MAC_CTX_set_params(k->mac, p)) {
      EVP_MAC_CTX_free(k->mac);
      k->mac = 0;
    }
  }
  return k ? k->mac : 0;
}

static int sha256_hex(sigv4_cache *k, const void *data, size_t n, char out[65]) {
  unsigned char md[SHA256_LEN];
  unsigned int len = 0;
  if (!EVP_Digest(n ? data : "", n, md, &len, cache_md(k), NULL) ||
      len != SHA256_LEN)
    return SQLITE_ERROR;
  hex_encode(md, SHA256_LEN, out);
  return SQLITE_OK;
}

static int hmac_sha256(sigv4_cache *k, const void *key, size_t nkey, const char *data,
                       unsigned char out[SHA256_LEN]) {
  EVP_MAC_CTX *mac = cache_mac(k);
  unsigned int len = 0;
  size_t n = 0;
  if (mac) {
    if (!EVP_MAC_init(mac, key, nkey, NULL) ||
        !EVP_MAC_update(mac, (const unsigned char *)data, strlen(data)) ||
        !EVP_MAC_final(mac, out, &n, SHA256_LEN) || n != SHA256_LEN)
      return SQLITE_ERROR;
    return SQLITE_OK;
  }
  if (nkey > INT_MAX ||
      !HMAC(EVP_sha256(), key, (int)nkey, (const unsigned char *)data,
            strlen(data), out, &len) ||
      len != SHA256_LEN)
    return SQLITE_ERROR;
  return SQLITE_OK;
}

/* The headers the signer adds itself may not be given by the caller. */
static int is_signer_header(const char *name) {
  return !name_cmp(name, "authorization") || !name_cmp(name, "x-amz-date") ||
         !name_cmp(name, "x-amz-security-token") ||
         !name_cmp(name, "x-amz-content-sha256");
}

static int check_input(const sigv4_input *in) {
  int i, host = 0;
  if (!in || !is_token(in->method) || !in->path || in->path[0] != '/' ||
      strpbrk(in->path, "?#") || in->nheader < 0 ||
      (in->nheader > 0 && !in->headers) || (in->nbody > 0 && !in->body) ||
      !is_scope_part(in->access_key_id) || !in->secret_access_key ||
      !*in->secret_access_key || !is_scope_part(in->region) ||
      !is_scope_part(in->service))
    return SQLITE_ERROR;
  for (i = 0; i < in->nheader; i++) {
    const sigv4_header *h = &in->headers[i];
    if (!is_token(h->name) || !h->value || is_signer_header(h->name))
      return SQLITE_ERROR;
    if (!name_cmp(h->name, "host")) host = 1;
  }
  return host ? SQLITE_OK : SQLITE_ERROR;
}

/* "20150830T123600Z" and "20150830" from the time given. */
static int request_dates(time_t now, char amz_date[17], char date[9]) {
  struct tm tm;
  if (!gmtime_r(&now, &tm) ||
      strftime(amz_date, 17, "%Y%m%dT%H%M%SZ", &tm) != 16)
    return SQLITE_ERROR;
  memcpy(date, amz_date, 8);
  date[8] = 0;
  return SQLITE_OK;
}

/* ----------------------------------------------------------------------
** 1. Canonical request
*/

/* The canonical URI. Without normalisation the path is only encoded. With
** it, empty and "." segments are dropped and ".." drops the segment before
** it; a final "/", ".", or ".." leaves a trailing slash (RFC 3986). */
static int canon_path(sqlite3_str *s, const char *path, int normalize) {
  size_t len = strlen(path), n = 0, i;
  const char *p = path, *end = path + len;
  int dir = 0;
  char *buf;

  if (!normalize) {
    for (i = 0; i < len; i++) encode_byte(s, (unsigned char)path[i], 1);
    return SQLITE_OK;
  }
  buf = sqlite3_malloc64(len + 1);
  if (!buf) return SQLITE_NOMEM;
  while (p < end) {
    const char *seg;
    size_t m;
    while (p < end && *p == '/') p++;
    if (p == end) {
      dir = 1; /* the path ends with '/' */
      break;
    }
    seg = p;
    while (p < end && *p != '/') p++;
    m = (size_t)(p - seg);
    if (m == 1 && seg[0] == '.') {
      dir = 1;
    } else if (m == 2 && seg[0] == '.' && seg[1] == '.') {
      while (n > 0 && buf[n - 1] != '/') n--;
      if (n > 0) n--; /* and the '/' before it */
      dir = 1;
    } else {
      buf[n++] = '/';
      memcpy(buf + n, seg, m);
      n += m;
      dir = 0;
    }
  }
  if (n == 0 || dir) buf[n++] = '/';
  for (i = 0; i < n; i++) encode_byte(s, (unsigned char)buf[i], 1);
  sqlite3_free(buf);
  return SQLITE_OK;
}

/* Decode %XX in p[0..n) and encode the bytes again, into *out. */
static int canon_query_part(const char *p, size_t n, char **out) {
  sqlite3_str *s = sqlite3_str_new(NULL);
  size_t i;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    if (c == '%' && i + 2 < n && hex_value((unsigned char)p[i + 1]) >= 0 &&
        hex_value((unsigned char)p[i + 2]) >= 0) {
      c = (unsigned char)(hex_value((unsigned char)p[i + 1]) * 16 +
                          hex_value((unsigned char)p[i + 2]));
      i += 2;
    }
    encode_byte(s, c, 0);
  }
  return str_finish(s, out);
}

static int param_cmp(const void *a, const void *b) {
  const canon_param *x = a, *y = b;
  int c = strcmp(x->key, y->key);
  return c ? c : strcmp(x->value, y->value);
}

/* The canonical query string: "a=1&b=" with parameters sorted. */
static int canon_query(sqlite3_str *s, const char *query) {
  canon_param *params;
  const char *p = query;
  int n = 0, max = 1, i, rc = SQLITE_OK;

  if (!query || !*query) return SQLITE_OK;
  for (; *p; p++)
    if (*p == '&') max++;
  params = sqlite3_malloc64(sizeof(*params) * (sqlite3_uint64)max);
  if (!params) return SQLITE_NOMEM;
  for (p = query; *p && rc == SQLITE_OK;) {
    size_t len = strcspn(p, "&");
    const char *eq = memchr(p, '=', len);
    size_t klen = eq ? (size_t)(eq - p) : len;
    if (len > 0) {
      canon_param *cp = &params[n];
      cp->value = NULL;
      rc = canon_query_part(p, klen, &cp->key);
      if (rc == SQLITE_OK) {
        rc = canon_query_part(p + klen + (eq ? 1 : 0),
                              len - klen - (eq ? 1 : 0), &cp->value);
        if (rc != SQLITE_OK) sqlite3_free(cp->key);
        else n++;
      }
    }
    p += len;
    if (*p == '&') p++;
  }
  if (rc == SQLITE_OK) {
    qsort(params, (size_t)n, sizeof(*params), param_cmp);
    for (i = 0; i < n; i++)
      sqlite3_str_appendf(s, "%s%s=%s", i ? "&" : "", params[i].key,
                          params[i].value);
  }
  for (i = 0; i < n; i++) {
    sqlite3_free(params[i].key);
    sqlite3_free(params[i].value);
  }
  sqlite3_free(params);
  return rc;
}

static int header_cmp(const void *a, const void *b) {
  const canon_header *x = a, *y = b;
  int c = name_cmp(x->name, y->name);
  return c ? c : x->order - y->order;
}

/* A header value trimmed, inner whitespace runs collapsed to one space. */
static void append_value(sqlite3_str *s, const char *v) {
  int pending = 0, any = 0;
  for (; *v; v++) {
    if (is_space((unsigned char)*v)) {
      pending = 1;
      continue;
    }
    if (pending && any) sqlite3_str_appendchar(s, 1, ' ');
    sqlite3_str_appendchar(s, 1, *v);
    pending = 0;
    any = 1;
  }
}

/* The canonical headers, "name:value\n" each, appended to s, and the
** signed headers list "host;x-amz-date" into *signed_headers. */
static int canon_headers(const sigv4_input *in, const char *amz_date,
                         const char *payload_hash, sqlite3_str *s,
                         char **signed_headers) {
  canon_header *h;
  sqlite3_str *sh;
  int n = 0, i, j;

  h = sqlite3_malloc64(sizeof(*h) * ((sqlite3_uint64)in->nheader + 3));
  if (!h) return SQLITE_NOMEM;
  for (i = 0; i < in->nheader; i++) {
    h[n].name = in->headers[i].name;
    h[n].value = in->headers[i].value;
    h[n].order = n;
    n++;
  }
  h[n].name = "x-amz-date";
  h[n].value = amz_date;
  h[n].order = n;
  n++;
  if (in->session_token && *in->session_token && !in->omit_session_token) {
    h[n].name = "x-amz-security-token";
    h[n].value = in->session_token;
    h[n].order = n;
    n++;
  }
  if (in->sign_body) {
    h[n].name = "x-amz-content-sha256";
    h[n].value = payload_hash;
    h[n].order = n;
    n++;
  }
  qsort(h, (size_t)n, sizeof(*h), header_cmp);

  sh = sqlite3_str_new(NULL);
  for (i = 0; i < n; i = j) {
    const char *c;
    for (c = h[i].name; *c; c++) {
      sqlite3_str_appendchar(s, 1, (char)to_lower((unsigned char)*c));
      sqlite3_str_appendchar(sh, 1, (char)to_lower((unsigned char)*c));
    }
    sqlite3_str_appendchar(s, 1, ':');
    for (j = i; j < n && !name_cmp(h[j].name, h[i].name); j++) {
      if (j > i) sqlite3_str_appendchar(s, 1, ',');
      append_value(s, h[j].value);
    }
    sqlite3_str_appendchar(s, 1, '\n');
    if (j < n) sqlite3_str_appendchar(sh, 1, ';');
  }
  sqlite3_free(h);
  return str_finish(sh, signed_headers);
}

static int canonical_request(const sigv4_input *in, const char *amz_date,
                             const char *payload_hash, char **creq,
                             char **signed_headers) {
  sqlite3_str *s = sqlite3_str_new(NULL);
  char *sh = NULL;
  int rc;

  sqlite3_str_appendf(s, "%s\n", in->method);
  rc = canon_path(s, in->path, in->normalize_path);
  if (rc) goto fail;
  sqlite3_str_appendchar(s, 1, '\n');
  rc = canon_query(s, in->query);
  if (rc) goto fail;
  sqlite3_str_appendchar(s, 1, '\n');
  rc = canon_headers(in, amz_date, payload_hash, s, &sh);
  if (rc) goto fail;
  sqlite3_str_appendf(s, "\n%s\n%s", sh, payload_hash);
  rc = str_finish(s, creq);
  s = NULL;
  if (rc) goto fail;
  *signed_headers = sh;
  return SQLITE_OK;

fail:
  if (s) sqlite3_free(sqlite3_str_finish(s));
  sqlite3_free(sh);
  return rc;
}

/* ----------------------------------------------------------------------
** 2. String to sign
*/
static int string_to_sign(sigv4_cache *k, const char *amz_date, const char *scope,
                          const char *creq, char **sts) {
  char hash[65];
  char *z;
  int rc = sha256_hex(k, creq, strlen(creq), hash);
  if (rc) return rc;
  z = sqlite3_mprintf(SIGV4_ALGORITHM "\n%s\n%s\n%s", amz_date, scope, hash);
  if (!z) return SQLITE_NOMEM;
  *sts = z;
  return SQLITE_OK;
}

/* ----------------------------------------------------------------------
** 3. Signing key
*/
static int signing_key(sigv4_cache *k, const char *secret, const char *date,
                       const char *region, const char *service,
                       unsigned char key[SHA256_LEN]) {
  unsigned char k1[SHA256_LEN], k2[SHA256_LEN];
  char *ksecret = sqlite3_mprintf("AWS4%s", secret);
  int rc;

  if (!ksecret) return SQLITE_NOMEM;
  rc = hmac_sha256(k, ksecret, strlen(ksecret), date, k1);
  if (rc) goto fail;
  rc = hmac_sha256(k, k1, SHA256_LEN, region, k2);
  if (rc) goto fail;
  rc = hmac_sha256(k, k2, SHA256_LEN, service, k1);
  if (rc) goto fail;
  rc = hmac_sha256(k, k1, SHA256_LEN, SIGV4_TERMINATOR, k2);
  if (rc) goto fail;
  memcpy(key, k2, SHA256_LEN);

fail:
  OPENSSL_cleanse(ksecret, strlen(ksecret));
  sqlite3_free(ksecret);
  OPENSSL_cleanse(k1, sizeof(k1));
  OPENSSL_cleanse(k2, sizeof(k2));
  return rc;
}

static void forget_key(sigv4_cache *k) {
  if (k->secret) {
    OPENSSL_cleanse(k->secret, strlen(k->secret));
    sqlite3_free(k->secret);
    k->secret = 0;
  }
  OPENSSL_cleanse(k->scope, sizeof(k->scope));
  OPENSSL_cleanse(k->key, sizeof(k->key));
}

/* The signing key from the cache when it holds this scope and secret;
** else derived, and kept in the cache (a cache that cannot take it is left
** empty: it only saves work). */
static int cached_key(const sigv4_input *in, const char *date, unsigned char key[SHA256_LEN]) {
  sigv4_cache *k = in->cache;
  char scope[sizeof(k->scope)];
  size_t nsecret = strlen(in->secret_access_key);
  int n = snprintf(scope, sizeof(scope), "%s/%s/%s", date, in->region, in->service);
  int rc;
  if (k && k->secret && strcmp(k->scope, scope) == 0 && strlen(k->secret) == nsecret &&
      CRYPTO_memcmp(k->secret, in->secret_access_key, nsecret) == 0) {
    memcpy(key, k->key, SHA256_LEN);
    return SQLITE_OK;
  }
  rc = signing_key(k, in->secret_access_key, date, in->region, in->service, key);
  if (rc != SQLITE_OK || !k) return rc;
  forget_key(k);
  if (n < 0 || (size_t)n >= sizeof(scope)) return SQLITE_OK;
  if (!(k->secret = sqlite3_malloc64(nsecret + 1))) return SQLITE_OK;
  memcpy(k->secret, in->secret_access_key, nsecret + 1);
  memcpy(k->scope, scope, (size_t)n + 1);
  memcpy(k->key, key, SHA256_LEN);
  return SQLITE_OK;
}

void sigv4_cache_clear(sigv4_cache *k) {
  if (!k) return;
  forget_key(k);
  EVP_MD_free(k->md);
  EVP_MAC_CTX_free(k->mac);
  k->md = 0;
  k->mac = 0;
}

/* ----------------------------------------------------------------------
** 4. Signature
*/
static int signature(sigv4_cache *k, const unsigned char key[SHA256_LEN], const char *sts,
                     char sig[65]) {
  unsigned char mac[SHA256_LEN];
  int rc = hmac_sha256(k, key, SHA256_LEN, sts, mac);
  if (rc) return rc;
  hex_encode(mac, SHA256_LEN, sig);
  return SQLITE_OK;
}

/* ----------------------------------------------------------------------
** 5. Authorization header
*/
static int authorization(const char *access_key_id, const char *scope,
                         const char *signed_headers, const char *sig,
                         char **auth) {
  char *z = sqlite3_mprintf(SIGV4_ALGORITHM " Credential=%s/%s, "
                            "SignedHeaders=%s, Signature=%s",
                            access_key_id, scope, signed_headers, sig);
  if (!z) return SQLITE_NOMEM;
  *auth = z;
  return SQLITE_OK;
}

/* ---------------------------------------------------------------------- */

int sigv4_sign(const sigv4_input *in, sigv4_output *out) {
  sigv4_output o;
  unsigned char key[SHA256_LEN];
  char date[9];
  char *scope = NULL;
  int rc;

  if (!out) return SQLITE_ERROR;
  memset(out, 0, sizeof(*out));
  memset(&o, 0, sizeof(o));
  memset(key, 0, sizeof(key));

  rc = check_input(in);
  if (rc) goto fail;
  rc = request_dates(in->now, o.amz_date, date);
  if (rc) goto fail;
  rc = sha256_hex(in->cache, in->body, in->nbody, o.payload_hash);
  if (rc) goto fail;
  rc = canonical_request(in, o.amz_date, o.payload_hash,
                         &o.canonical_request, &o.signed_headers);
  if (rc) goto fail;
  scope = sqlite3_mprintf("%s/%s/%s/" SIGV4_TERMINATOR, date, in->region,
                          in->service);
  if (!scope) {
    rc = SQLITE_NOMEM;
    goto fail;
  }
  rc = string_to_sign(in->cache, o.amz_date, scope, o.canonical_request,
                      &o.string_to_sign);
  if (rc) goto fail;
  rc = cached_key(in, date, key);
  if (rc) goto fail;
  rc = signature(in->cache, key, o.string_to_sign, o.signature);
  if (rc) goto fail;
  rc = authorization(in->access_key_id, scope, o.signed_headers, o.signature,
                     &o.authorization);
  if (rc) goto fail;

  *out = o;
  memset(&o, 0, sizeof(o));

fail:
  OPENSSL_cleanse(key, sizeof(key));
  sqlite3_free(scope);
  sigv4_output_free(&o);
  return rc;
}

/* The canonical request holds the session token (x-amz-security-token):
** every output is overwritten before it is freed. */
static void wipe_free(char *z) {
  if (z) OPENSSL_cleanse(z, strlen(z));
  sqlite3_free(z);
}

void sigv4_output_free(sigv4_output *out) {
  if (!out) return;
  wipe_free(out->canonical_request);
  wipe_free(out->string_to_sign);
  wipe_free(out->signed_headers);
  wipe_free(out->authorization);
  memset(out, 0, sizeof(*out));
}
