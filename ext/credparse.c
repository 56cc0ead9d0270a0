/*
** credparse.c: the formats of temporary credentials (see credparse.h).
**
** Pure: no I/O, and the clock is always an argument. The XML of STS
** answers is read by a small extraction (the text of a named element
** inside another), enough for the query protocol's flat answers; every
** other answer is JSON, read with cJSON.
*/
#include "credparse.h"

#include <cJSON.h>
#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void cp_wipe_free(char *z) {
  if (z) {
    volatile char *v = z;
    while (*v) *v++ = 0;
    sqlite3_free(z);
  }
}

void cp_creds_clear(cp_creds *c) {
  sqlite3_free(c->access_key_id);
  cp_wipe_free(c->secret_access_key);
  cp_wipe_free(c->session_token);
  sqlite3_free(c->account_id);
  memset(c, 0, sizeof(*c));
}

/* Overwrite the string values of a parsed answer before it is freed. */
static void wipe_tree(cJSON *j) {
  for (; j; j = j->next) {
    if (cJSON_IsString(j) && j->valuestring) {
      volatile char *v = j->valuestring;
      while (*v) *v++ = 0;
    }
    wipe_tree(j->child);
  }
}

static void delete_wiped(cJSON *j) {
  wipe_tree(j);
  cJSON_Delete(j);
}

static char *dup_str(const char *z) {
  return z ? sqlite3_mprintf("%s", z) : 0;
}

/* ---- time --------------------------------------------------------------- */

/* n digits at *pz as a number, or -1. */
static int digits(const char **pz, int n) {
  int v = 0;
  for (; n > 0; n--, (*pz)++) {
    if (**pz < '0' || **pz > '9') return -1;
    v = v * 10 + (**pz - '0');
  }
  return v;
}

int cp_parse_time(const char *z, sqlite3_int64 *pMs) {
  struct tm tm;
  int y, mo, d, h, mi, s, ms = 0, off = 0;
  time_t t;
  if (!z) return SQLITE_ERROR;
  while (*z == ' ') z++;
  memset(&tm, 0, sizeof(tm));
  if ((y = digits(&z, 4)) < 0 || *z++ != '-' || (mo = digits(&z, 2)) < 1 || mo > 12 ||
      *z++ != '-' || (d = digits(&z, 2)) < 1 || d > 31 || (*z != 'T' && *z != 't' && *z != ' ') ||
      (z++, (h = digits(&z, 2)) < 0) || h > 23 || *z++ != ':' || (mi = digits(&z, 2)) < 0 ||
      mi > 59 || *z++ != ':' || (s = digits(&z, 2)) < 0 || s > 60) {
    return SQLITE_ERROR;
  }
  if (*z == '.' || *z == ',') { /* a fraction: milliseconds kept */
    int scale = 100;
    z++;
    if (*z < '0' || *z > '9') return SQLITE_ERROR;
    for (; *z >= '0' && *z <= '9'; z++, scale /= 10) ms += (*z - '0') * scale;
  }
  if (*z == 'Z' || *z == 'z') {
    z++;
  } else if (*z == '+' || *z == '-') {
    int sign = *z++ == '-' ? -1 : 1, oh, om = 0;
    if ((oh = digits(&z, 2)) < 0 || oh > 23) return SQLITE_ERROR;
    if (*z == ':') z++;
    if (*z >= '0' && *z <= '9' && ((om = digits(&z, 2)) < 0 || om > 59)) return SQLITE_ERROR;
    off = sign * (oh * 3600 + om * 60);
  }
  while (*z == ' ') z++;
  if (*z) return SQLITE_ERROR;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  t = timegm(&tm);
  if (t == (time_t)-1 && !(y == 1969 && mo == 12 && d == 31)) return SQLITE_ERROR;
  *pMs = ((sqlite3_int64)t - off) * 1000 + ms;
  return SQLITE_OK;
}

void cp_format_time(sqlite3_int64 ms, char zBuf[32]) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  if (!gmtime_r(&t, &tm) || strftime(zBuf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
    sqlite3_snprintf(32, zBuf, "(time %lld)", (long long)ms);
  }
}

/* ---- excerpts --------------------------------------------------------- */

char *cp_excerpt(const char *z, size_t n, size_t nMax) {
  char buf[256];
  size_t i, k = 0;
  if (nMax > sizeof(buf) - 1) nMax = sizeof(buf) - 1;
  for (i = 0; i < n && k < nMax; i++) {
    unsigned char ch = (unsigned char)z[i];
    if (ch < 0x20 || ch == 0x7f) ch = ' ';
    else if (ch >= 0x80) ch = '?';
    if (ch == ' ' && (k == 0 || buf[k - 1] == ' ')) continue;
    buf[k++] = (char)ch;
  }
  while (k > 0 && buf[k - 1] == ' ') k--;
  buf[k] = 0;
  return sqlite3_mprintf("%s%s", k ? buf : "(empty)", i < n ? "..." : "");
}

/* ---- XML ------------------------------------------------------------- */

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The content [*ps, *pe) of the first element zName in [p, end). */
static int xml_element(const char *p, const char *end, const char *zName, const char **ps,
                       const char **pe) {
  size_t n = strlen(zName);
  while (p < end && (p = memchr(p, '<', (size_t)(end - p))) != 0) {
    const char *q = p + 1, *gt, *c;
    p = q;
    if ((size_t)(end - q) <= n || memcmp(q, zName, n) != 0 ||
        !(q[n] == '>' || q[n] == '/' || is_space(q[n]))) {
      continue;
    }
    if (!(gt = memchr(q + n, '>', (size_t)(end - q - n)))) return 0;
    if (gt[-1] == '/') { /* <Name/> */
      *ps = *pe = gt + 1;
      return 1;
    }
    for (c = gt + 1; c < end && (c = memmem(c, (size_t)(end - c), "</", 2)) != 0; c += 2) {
      const char *d = c + 2 + n;
      if ((size_t)(end - c - 2) < n || memcmp(c + 2, zName, n) != 0) continue;
      while (d < end && is_space(*d)) d++;
      if (d < end && *d == '>') {
        *ps = gt + 1;
        *pe = c;
        return 1;
      }
    }
    return 0;
  }
  return 0;
}

/* Append code point u as UTF-8; 0 for one XML does not allow. */
static int put_utf8(char *o, unsigned long u) {
  if (u == 0 || (u >= 0xD800 && u <= 0xDFFF) || u > 0x10FFFF) return 0;
  if (u < 0x80) {
    o[0] = (char)u;
    return 1;
  }
  if (u < 0x800) {
    o[0] = (char)(0xC0 | (u >> 6));
    o[1] = (char)(0x80 | (u & 0x3F));
    return 2;
  }
  if (u < 0x10000) {
    o[0] = (char)(0xE0 | (u >> 12));
    o[1] = (char)(0x80 | ((u >> 6) & 0x3F));
    o[2] = (char)(0x80 | (u & 0x3F));
    return 3;
  }
  o[0] = (char)(0xF0 | (u >> 18));
  o[1] = (char)(0x80 | ((u >> 12) & 0x3F));
  o[2] = (char)(0x80 | ((u >> 6) & 0x3F));
  o[3] = (char)(0x80 | (u & 0x3F));
  return 4;
}

/* The text of [s, e) decoded, or NULL (no memory, or not text). A
** reference takes at least four bytes and yields at most four, so the
** decoded text fits in the encoded length. */
static char *xml_decode(const char *s, const char *e) {
  static const struct {
    const char *name;
    char c;
  } aEnt[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
  char *out, *o;
  while (s < e && is_space(*s)) s++;
  while (e > s && is_space(e[-1])) e--;
  if (!(o = out = sqlite3_malloc64((sqlite3_uint64)(e - s) + 1))) return 0;
  while (s < e) {
    const char *semi;
    unsigned i;
    if (*s == '<' || *s == 0) goto bad; /* markup or NUL: not a leaf's text */
    if (*s != '&') {
      *o++ = *s++;
      continue;
    }
    s++;
    if (!(semi = memchr(s, ';', (size_t)(e - s))) || semi - s > 10) goto bad;
    if (*s == '#') {
      unsigned long u = 0;
      int hex = s[1] == 'x' || s[1] == 'X', n;
      const char *d = s + 1 + hex;
      if (d == semi) goto bad;
      for (; d < semi; d++) {
        int v = isdigit((unsigned char)*d)      ? *d - '0'
                : hex && isxdigit((unsigned char)*d) ? (tolower((unsigned char)*d) - 'a' + 10)
                                                   : -1;
        if (v < 0) goto bad;
        u = u * (hex ? 16 : 10) + (unsigned long)v;
      }
      if (!(n = put_utf8(o, u))) goto bad;
      o += n;
      s = semi + 1;
      continue;
    }
    for (i = 0; i < sizeof(aEnt) / sizeof(aEnt[0]); i++) {
      size_t n = strlen(aEnt[i].name);
      if ((size_t)(semi + 1 - s) == n && memcmp(s, aEnt[i].name, n) == 0) break;
    }
    if (i == sizeof(aEnt) / sizeof(aEnt[0])) goto bad;
    *o++ = aEnt[i].c;
    s = semi + 1;
  }
  *o = 0;
  return out;
bad:
  *o = 0;
  cp_wipe_free(out);
  return 0;
}

char *cp_xml_text(const char *zBody, size_t n, const char *zParent, const char *zName) {
  const char *p = zBody, *end = zBody + n, *s, *e;
  if (zParent) {
    if (!xml_element(p, end, zParent, &s, &e)) return 0;
    p = s;
    end = e;
  }
  if (!xml_element(p, end, zName, &s, &e)) return 0;
  return xml_decode(s, e);
}

int cp_parse_sts(const char *zBody, size_t n, long status, cp_creds *pOut, char **pzCode,
                 char **pzErr) {
  static const char *const azField[] = {"AccessKeyId", "SecretAccessKey", "SessionToken",
                                        "Expiration"};
  char *az[4] = {0, 0, 0, 0};
  int i, rc = SQLITE_OK;
  memset(pOut, 0, sizeof(*pOut));
  if (pzCode) *pzCode = 0;
  if (status != 200) {
    char *zCode = cp_xml_text(zBody, n, "Error", "Code");
    char *zMsg = cp_xml_text(zBody, n, "Error", "Message");
    if (zCode && zMsg) *pzErr = sqlite3_mprintf("%s: %s", zCode, zMsg);
    else if (zCode) *pzErr = sqlite3_mprintf("%s", zCode);
    else {
      char *zEx = cp_excerpt(zBody, n, 200);
      *pzErr = zEx ? sqlite3_mprintf("HTTP %ld: %s", status, zEx) : 0;
      sqlite3_free(zEx);
    }
    if (pzCode) {
      *pzCode = zCode ? zCode : sqlite3_mprintf("");
      zCode = 0;
    }
    sqlite3_free(zCode);
    sqlite3_free(zMsg);
    if (!*pzErr || (pzCode && !*pzCode)) return SQLITE_NOMEM;
    return SQLITE_ERROR;
  }
  for (i = 0; i < 4; i++) {
    if (!(az[i] = cp_xml_text(zBody, n, "Credentials", azField[i]))) {
      *pzErr = sqlite3_mprintf("the answer has no %s in Credentials", azField[i]);
      rc = SQLITE_ERROR;
      goto done;
    }
  }
  if (cp_parse_time(az[3], &pOut->expires) != SQLITE_OK) {
    *pzErr = sqlite3_mprintf("the answer's Expiration \"%s\" is not an ISO 8601 time", az[3]);
    rc = SQLITE_ERROR;
    goto done;
  }
  pOut->access_key_id = az[0];
  pOut->secret_access_key = az[1];
  pOut->session_token = az[2];
  az[0] = az[1] = az[2] = 0;
  { /* botocore: the account of AssumedRoleUser's ARN, when it is one */
    char *zArn = cp_xml_text(zBody, n, "AssumedRoleUser", "Arn");
    const char *p = zArn;
    int i;
    for (i = 0; p && i < 4; i++) p = (p = strchr(p, ':')) ? p + 1 : 0;
    if (zArn && strncmp(zArn, "arn:", 4) == 0 && p && strchr(p, ':')) {
      pOut->account_id = sqlite3_mprintf("%.*s", (int)(strchr(p, ':') - p), p);
      if (!pOut->account_id) rc = SQLITE_NOMEM;
    }
    sqlite3_free(zArn);
  }
done:
  sqlite3_free(az[0]);
  cp_wipe_free(az[1]);
  cp_wipe_free(az[2]);
  sqlite3_free(az[3]);
  if (rc != SQLITE_OK) {
    cp_creds_clear(pOut);
    if (!*pzErr) rc = SQLITE_NOMEM;
  }
  return rc;
}

/* ---- JSON answers ----------------------------------------------------- */

/* A required (or, with optional, possibly absent) string member. */
static int member(const cJSON *o, const char *zName, int optional, const char **pz, char **pzErr) {
  const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, zName);
  *pz = 0;
  if (!m || cJSON_IsNull(m)) {
    if (optional) return SQLITE_OK;
    *pzErr = sqlite3_mprintf("the answer has no %s", zName);
  } else if (!cJSON_IsString(m)) {
    *pzErr = sqlite3_mprintf("the answer's %s is not a string", zName);
  } else if (!m->valuestring[0]) {
    *pzErr = sqlite3_mprintf("the answer's %s is empty", zName);
  } else {
    *pz = m->valuestring;
    return SQLITE_OK;
  }
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

int cp_parse_json(int eFormat, const char *zBody, size_t n, cp_creds *pOut, char **pzErr) {
  cJSON *root = cJSON_ParseWithLength(zBody, n);
  const cJSON *o = root, *v;
  const char *zId, *zSecret, *zToken, *zExp = 0;
  const char *aName[4] = {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"};
  int rc = SQLITE_ERROR, optional = eFormat == CP_PROCESS;
  memset(pOut, 0, sizeof(*pOut));
  *pzErr = 0;
  if (!cJSON_IsObject(root)) {
    *pzErr = sqlite3_mprintf("the answer is not a JSON object");
    goto done;
  }
  if (eFormat == CP_PROCESS) {
    v = cJSON_GetObjectItemCaseSensitive(o, "Version");
    if (!cJSON_IsNumber(v) || v->valuedouble != 1) {
      char *z = v ? cJSON_PrintUnformatted(v) : 0;
      *pzErr = sqlite3_mprintf("unsupported Version %s in the answer (Version 1 is)",
                               z ? z : "(none)");
      cJSON_free(z);
      goto done;
    }
    aName[2] = "SessionToken";
  } else if (eFormat == CP_IMDS) {
    const char *zCode, *zMsg;
    if ((rc = member(o, "Code", 1, &zCode, pzErr)) != SQLITE_OK) goto done;
    if (zCode && strcmp(zCode, "Success") != 0) {
      rc = member(o, "Message", 1, &zMsg, pzErr);
      if (rc == SQLITE_OK) {
        *pzErr = sqlite3_mprintf("%s%s%s", zCode, zMsg ? ": " : "", zMsg ? zMsg : "");
        rc = SQLITE_ERROR;
      }
      goto done;
    }
  } else if (eFormat == CP_SSO) {
    o = cJSON_GetObjectItemCaseSensitive(root, "roleCredentials");
    if (!cJSON_IsObject(o)) {
      *pzErr = sqlite3_mprintf("the answer has no roleCredentials");
      goto done;
    }
    aName[0] = "accessKeyId";
    aName[1] = "secretAccessKey";
    aName[2] = "sessionToken";
    aName[3] = "expiration";
  }
  if ((rc = member(o, aName[0], 0, &zId, pzErr)) != SQLITE_OK ||
      (rc = member(o, aName[1], 0, &zSecret, pzErr)) != SQLITE_OK ||
      (rc = member(o, aName[2], optional, &zToken, pzErr)) != SQLITE_OK) {
    goto done;
  }
  if (eFormat == CP_SSO) { /* milliseconds since the epoch */
    v = cJSON_GetObjectItemCaseSensitive(o, aName[3]);
    if (!cJSON_IsNumber(v) || v->valuedouble <= 0 || v->valuedouble > 1e15) {
      *pzErr = sqlite3_mprintf("the answer's %s is not a time in milliseconds", aName[3]);
      rc = SQLITE_ERROR;
      goto done;
    }
    pOut->expires = (sqlite3_int64)v->valuedouble;
  } else {
    if ((rc = member(o, aName[3], optional, &zExp, pzErr)) != SQLITE_OK) goto done;
    if (zExp && cp_parse_time(zExp, &pOut->expires) != SQLITE_OK) {
      *pzErr = sqlite3_mprintf("the answer's %s \"%s\" is not an ISO 8601 time", aName[3], zExp);
      rc = SQLITE_ERROR;
      goto done;
    }
  }
  pOut->access_key_id = dup_str(zId);
  pOut->secret_access_key = dup_str(zSecret);
  pOut->session_token = dup_str(zToken);
  rc = pOut->access_key_id && pOut->secret_access_key && (!zToken || pOut->session_token)
           ? SQLITE_OK
           : SQLITE_NOMEM;
  v = cJSON_GetObjectItemCaseSensitive(o, "AccountId"); /* botocore reads it */
  if (rc == SQLITE_OK && (eFormat == CP_PROCESS || eFormat == CP_CONTAINER) &&
      cJSON_IsString(v) && v->valuestring[0] && !(pOut->account_id = dup_str(v->valuestring))) {
    rc = SQLITE_NOMEM;
  }
done:
  delete_wiped(root);
  if (rc != SQLITE_OK) {
    cp_creds_clear(pOut);
    if (rc == SQLITE_ERROR && !*pzErr) rc = SQLITE_NOMEM;
  }
  return rc;
}

/* ---- forms ----------------------------------------------------------- */

static void append_encoded(sqlite3_str *s, const char *z) {
  static const char hex[] = "0123456789ABCDEF";
  for (; *z; z++) {
    unsigned char c = (unsigned char)*z;
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      sqlite3_str_appendchar(s, 1, (char)c);
    } else {
      char e[3] = {'%', hex[c >> 4], hex[c & 15]};
      sqlite3_str_append(s, e, 3);
    }
  }
}

char *cp_form(const char *const *azPair) {
  sqlite3_str *s = sqlite3_str_new(0);
  int first = 1;
  char *z;
  for (; azPair[0]; azPair += 2) {
    if (!azPair[1]) continue;
    if (!first) sqlite3_str_appendchar(s, 1, '&');
    first = 0;
    append_encoded(s, azPair[0]);
    sqlite3_str_appendchar(s, 1, '=');
    append_encoded(s, azPair[1]);
  }
  if (sqlite3_str_errcode(s) != SQLITE_OK) {
    sqlite3_free(sqlite3_str_finish(s));
    return 0;
  }
  z = sqlite3_str_finish(s);
  return z ? z : sqlite3_mprintf(""); /* an empty form is "", not NULL */
}

/* ---- command lines ---------------------------------------------------- */

int cp_split_words(const char *z, char ***pazArg, int *pnArg, char **pzErr) {
  size_t n = strlen(z);
  char **az, *o;
  int nArg = 0, inWord = 0;
  char quote = 0;
  *pazArg = 0;
  *pnArg = 0;
  /* at most n words, each at most n bytes and a NUL */
  az = sqlite3_malloc64((n + 2) * sizeof(char *) + 2 * n + 2);
  if (!az) return SQLITE_NOMEM;
  o = (char *)(az + n + 2);
  for (; *z; z++) {
    char c = *z;
    if (quote == '\'') {
      if (c == '\'') quote = 0;
      else *o++ = c;
      continue;
    }
    if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else if (c == '\\') {
        if (!z[1]) goto no_escaped;
        if (z[1] != '"' && z[1] != '\\') *o++ = '\\';
        *o++ = *++z;
      } else {
        *o++ = c;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (inWord) {
        *o++ = 0;
        inWord = 0;
      }
      continue;
    }
    if (!inWord) {
      az[nArg++] = o;
      inWord = 1;
    }
    if (c == '\\') {
      if (!z[1]) goto no_escaped;
      *o++ = *++z;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else {
      *o++ = c;
    }
  }
  if (quote) {
    *pzErr = sqlite3_mprintf("no closing quotation in the command line");
    goto fail;
  }
  if (inWord) *o++ = 0;
  if (nArg == 0) {
    *pzErr = sqlite3_mprintf("the command line is empty");
    goto fail;
  }
  az[nArg] = 0;
  *pazArg = az;
  *pnArg = nArg;
  return SQLITE_OK;
no_escaped:
  *pzErr = sqlite3_mprintf("no escaped character after the last backslash of the command line");
fail:
  sqlite3_free(az);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

void cp_free_words(char **azArg) {
  sqlite3_free(azArg);
}

/* ---- refresh windows -------------------------------------------------- */

#define ADVISORY_MS (15 * 60 * 1000)
#define MANDATORY_MS (10 * 60 * 1000)

void cp_windows(sqlite3_int64 life, sqlite3_int64 *pAdvisory, sqlite3_int64 *pMandatory) {
  if (life < 0) life = 0;
  *pAdvisory = life / 4 < ADVISORY_MS ? life / 4 : ADVISORY_MS;
  *pMandatory = life / 6 < MANDATORY_MS ? life / 6 : MANDATORY_MS;
}

int cp_refresh_due(sqlite3_int64 now, sqlite3_int64 fetched, sqlite3_int64 expires) {
  sqlite3_int64 adv, man, left;
  if (expires == 0) return CP_FRESH;
  cp_windows(expires - fetched, &adv, &man);
  left = expires - now;
  if (left <= man || left <= 0) return CP_MANDATORY;
  if (left <= adv) return CP_ADVISORY;
  return CP_FRESH;
}

/* ---- IAM Identity Center ---------------------------------------------- */

int cp_sso_cache_name(const char *z, char zOut[41]) {
  static const char hex[] = "0123456789abcdef";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0, i;
  if (!EVP_Digest(z, strlen(z), md, &n, EVP_sha1(), 0) || n != 20) return SQLITE_ERROR;
  for (i = 0; i < n; i++) {
    zOut[2 * i] = hex[md[i] >> 4];
    zOut[2 * i + 1] = hex[md[i] & 15];
  }
  zOut[40] = 0;
  return SQLITE_OK;
}

void cp_sso_token_clear(cp_sso_token *t) {
  cp_wipe_free(t->access_token);
  cp_wipe_free(t->refresh_token);
  sqlite3_free(t->client_id);
  cp_wipe_free(t->client_secret);
  sqlite3_free(t->registration_expires);
  memset(t, 0, sizeof(*t));
}

int cp_parse_sso_token(const char *zText, size_t n, cp_sso_token *pOut, char **pzErr) {
  cJSON *root = cJSON_ParseWithLength(zText, n);
  const char *zAccess, *zExp, *zRefresh, *zId, *zSecret, *zReg;
  int rc;
  memset(pOut, 0, sizeof(*pOut));
  *pzErr = 0;
  if (!cJSON_IsObject(root)) {
    *pzErr = sqlite3_mprintf("it is not a JSON object");
    rc = SQLITE_ERROR;
    goto done;
  }
  if ((rc = member(root, "accessToken", 0, &zAccess, pzErr)) != SQLITE_OK ||
      (rc = member(root, "expiresAt", 0, &zExp, pzErr)) != SQLITE_OK ||
      (rc = member(root, "refreshToken", 1, &zRefresh, pzErr)) != SQLITE_OK ||
      (rc = member(root, "clientId", 1, &zId, pzErr)) != SQLITE_OK ||
      (rc = member(root, "clientSecret", 1, &zSecret, pzErr)) != SQLITE_OK ||
      (rc = member(root, "registrationExpiresAt", 1, &zReg, pzErr)) != SQLITE_OK) {
    goto done;
  }
  if (cp_parse_time(zExp, &pOut->expires) != SQLITE_OK) {
    *pzErr = sqlite3_mprintf("its expiresAt \"%s\" is not an ISO 8601 time", zExp);
    rc = SQLITE_ERROR;
    goto done;
  }
  if (zReg && cp_parse_time(zReg, &pOut->reg_expires) != SQLITE_OK) pOut->reg_expires = 0;
  pOut->access_token = dup_str(zAccess);
  pOut->refresh_token = dup_str(zRefresh);
  pOut->client_id = dup_str(zId);
  pOut->client_secret = dup_str(zSecret);
  pOut->registration_expires = dup_str(zReg);
  if (!pOut->access_token || (zRefresh && !pOut->refresh_token) || (zId && !pOut->client_id) ||
      (zSecret && !pOut->client_secret) || (zReg && !pOut->registration_expires)) {
    rc = SQLITE_NOMEM;
  }
done:
  delete_wiped(root);
  if (rc != SQLITE_OK) {
    cp_sso_token_clear(pOut);
    /* "the answer has no accessToken": it is a file, not an answer */
    if (*pzErr && strncmp(*pzErr, "the answer", 10) == 0) {
      char *z = sqlite3_mprintf("it%s", *pzErr + 10);
      sqlite3_free(*pzErr);
      *pzErr = z;
    }
    if (rc == SQLITE_ERROR && !*pzErr) rc = SQLITE_NOMEM;
  }
  return rc;
}

int cp_sso_can_refresh(const cp_sso_token *t, sqlite3_int64 now) {
  return t->refresh_token && t->client_id && t->client_secret && t->registration_expires &&
         t->reg_expires > now;
}

/* cJSON's text of an object, as sqlite3 memory (cJSON's copy wiped). */
static char *print_wiped(cJSON *o) {
  char *z, *zOut;
  if (!o) return 0;
  z = cJSON_PrintUnformatted(o);
  delete_wiped(o);
  if (!z) return 0;
  zOut = sqlite3_mprintf("%s", z);
  memset(z, 0, strlen(z));
  cJSON_free(z);
  return zOut;
}

char *cp_oidc_request(const cp_sso_token *t) {
  cJSON *o = cJSON_CreateObject();
  if (!o || !cJSON_AddStringToObject(o, "grantType", "refresh_token") ||
      !cJSON_AddStringToObject(o, "clientId", t->client_id ? t->client_id : "") ||
      !cJSON_AddStringToObject(o, "clientSecret", t->client_secret ? t->client_secret : "") ||
      !cJSON_AddStringToObject(o, "refreshToken", t->refresh_token ? t->refresh_token : "")) {
    delete_wiped(o);
    return 0;
  }
  return print_wiped(o);
}

int cp_parse_oidc(const char *zBody, size_t n, sqlite3_int64 now, cp_sso_token *pTok,
                  char **pzErr) {
  cJSON *root = cJSON_ParseWithLength(zBody, n);
  const cJSON *v;
  const char *zAccess, *zRefresh;
  char *zA = 0, *zR = 0;
  int rc;
  *pzErr = 0;
  if (!cJSON_IsObject(root)) {
    *pzErr = sqlite3_mprintf("the answer is not a JSON object");
    rc = SQLITE_ERROR;
    goto done;
  }
  if ((rc = member(root, "accessToken", 0, &zAccess, pzErr)) != SQLITE_OK ||
      (rc = member(root, "refreshToken", 1, &zRefresh, pzErr)) != SQLITE_OK) {
    goto done;
  }
  v = cJSON_GetObjectItemCaseSensitive(root, "expiresIn");
  if (!cJSON_IsNumber(v) || v->valuedouble <= 0 || v->valuedouble > 1e9) {
    *pzErr = sqlite3_mprintf("the answer has no expiresIn in seconds");
    rc = SQLITE_ERROR;
    goto done;
  }
  if (!(zA = dup_str(zAccess)) || (zRefresh && !(zR = dup_str(zRefresh)))) {
    rc = SQLITE_NOMEM;
    cp_wipe_free(zA);
    goto done;
  }
  cp_wipe_free(pTok->access_token);
  cp_wipe_free(pTok->refresh_token);
  pTok->access_token = zA;
  pTok->refresh_token = zR;
  pTok->expires = now + (sqlite3_int64)(v->valuedouble * 1000);
done:
  delete_wiped(root);
  if (rc == SQLITE_ERROR && !*pzErr) rc = SQLITE_NOMEM;
  return rc;
}

char *cp_sso_token_json(const cp_sso_token *t, const char *zStartUrl, const char *zRegion) {
  cJSON *o = cJSON_CreateObject();
  char zExp[32];
  cp_format_time(t->expires, zExp);
  if (!o || !cJSON_AddStringToObject(o, "startUrl", zStartUrl) ||
      !cJSON_AddStringToObject(o, "region", zRegion) ||
      !cJSON_AddStringToObject(o, "accessToken", t->access_token) ||
      !cJSON_AddStringToObject(o, "expiresAt", zExp) ||
      (t->client_id && !cJSON_AddStringToObject(o, "clientId", t->client_id)) ||
      (t->client_secret && !cJSON_AddStringToObject(o, "clientSecret", t->client_secret)) ||
      (t->registration_expires &&
       !cJSON_AddStringToObject(o, "registrationExpiresAt", t->registration_expires)) ||
      (t->refresh_token && !cJSON_AddStringToObject(o, "refreshToken", t->refresh_token))) {
    delete_wiped(o);
    return 0;
  }
  return print_wiped(o);
}
