/*
** url.c: endpoint URLs read by libcurl's URL API (see url.h).
**
** Every decision is made on the parts libcurl itself reads from the URL it
** is later given (its host normalised: 127.1 and 2130706433 are
** 127.0.0.1), never on the text: in http://example.com#@127.0.0.1 the host
** is example.com.
*/
#include "url.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

typedef struct url_parts {
  char *scheme;  /* libcurl's: lower case */
  char *host;    /* IPv6 in [] */
  char *port;    /* given, or the scheme's default */
  char *path;    /* "/" at least */
} url_parts;

static void parts_free(url_parts *p) {
  curl_free(p->scheme);
  curl_free(p->host);
  curl_free(p->port);
  curl_free(p->path);
  memset(p, 0, sizeof(*p));
}

/* zUrl's parts, or why it cannot be an endpoint (*p then empty). */
static const char *parse(const char *zUrl, url_parts *p) {
  const char *zWhy = 0;
  char *z = 0;
  CURLU *u;
  memset(p, 0, sizeof(*p));
  for (z = (char *)zUrl; *z; z++) {
    if ((unsigned char)*z <= ' ' || *z == 0x7f) return "it holds a space or a control character";
  }
  z = 0;
  if (!(u = curl_url())) return "out of memory";
  if (curl_url_set(u, CURLUPART_URL, zUrl, 0) != CURLUE_OK) {
    zWhy = "libcurl cannot read it as a URL";
  } else if (curl_url_get(u, CURLUPART_SCHEME, &p->scheme, 0) != CURLUE_OK ||
             (strcmp(p->scheme, "http") != 0 && strcmp(p->scheme, "https") != 0)) {
    zWhy = "it is not an http:// or https:// URL";
  } else if (curl_url_get(u, CURLUPART_USER, &z, 0) == CURLUE_OK ||
             curl_url_get(u, CURLUPART_PASSWORD, &z, 0) == CURLUE_OK) {
    zWhy = "it holds a user name or password (user@host), which would be sent and shown";
  } else if (curl_url_get(u, CURLUPART_QUERY, &z, 0) == CURLUE_OK) {
    zWhy = "it has a query (?...)";
  } else if (curl_url_get(u, CURLUPART_FRAGMENT, &z, 0) == CURLUE_OK) {
    zWhy = "it has a fragment (#...)";
  } else if (curl_url_get(u, CURLUPART_HOST, &p->host, 0) != CURLUE_OK || !p->host[0]) {
    zWhy = "it has no host";
  } else if (curl_url_get(u, CURLUPART_PORT, &p->port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
             curl_url_get(u, CURLUPART_PATH, &p->path, 0) != CURLUE_OK) {
    zWhy = "libcurl cannot read it as a URL";
  }
  curl_free(z);
  curl_url_cleanup(u);
  if (zWhy) parts_free(p);
  return zWhy;
}

const char *url_check(const char *zUrl) {
  url_parts p;
  const char *zWhy = parse(zUrl, &p);
  parts_free(&p);
  return zWhy;
}

char *url_host(const char *zUrl) {
  url_parts p;
  char *z = 0;
  if (!parse(zUrl, &p)) z = sqlite3_mprintf("%s", p.host);
  parts_free(&p);
  return z;
}

int url_is_loopback_host(const char *zHost) {
  unsigned char a[16];
  char buf[64];
  size_t n = strlen(zHost);
  if (sqlite3_stricmp(zHost, "localhost") == 0) return 1;
  if (inet_pton(AF_INET, zHost, a) == 1) return a[0] == 127;
  if (n < 3 || n - 2 >= sizeof(buf) || zHost[0] != '[' || zHost[n - 1] != ']') return 0;
  memcpy(buf, zHost + 1, n - 2);
  buf[n - 2] = 0;
  if (inet_pton(AF_INET6, buf, a) != 1) return 0;
  if (IN6_IS_ADDR_LOOPBACK((struct in6_addr *)a)) return 1;
  return IN6_IS_ADDR_V4MAPPED((struct in6_addr *)a) && a[12] == 127;
}

int url_is_remote_http(const char *zUrl) {
  url_parts p;
  int remote;
  if (parse(zUrl, &p)) return 1;
  remote = strcmp(p.scheme, "http") == 0 && !url_is_loopback_host(p.host);
  parts_free(&p);
  return remote;
}

/* ---- DynamoDB's own endpoints ---------------------------------------------- */

/* The DNS suffixes of the AWS partitions, and their dual-stack ones
** (botocore/data/partitions.json). */
static const char *const azSuffix[] = {
    "amazonaws.com", "api.aws", "amazonaws.com.cn", "api.amazonwebservices.com.cn",
    "amazonaws.eu", "api.amazonwebservices.eu", "c2s.ic.gov", "api.aws.ic.gov",
    "sc2s.sgov.gov", "api.aws.scloud", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk",
    "csp.hci.ic.gov", "api.aws.hci.ic.gov"};

/* The first word of the partitions' region names (their regionRegex). */
static const char *const azArea[] = {"us", "eu", "ap", "sa", "ca", "me", "af",
                                     "il", "mx", "cn", "eusc"};

/* Is z[0..n) an AWS region's name: AREA-WORD[-WORD]-DIGITS (us-east-1,
** us-gov-west-1, eu-isoe-west-1), lower case? */
static int is_region(const char *z, size_t n) {
  size_t i = 0, k, nWord = 0;
  unsigned j;
  for (k = 0; k < n && z[k] != '-'; k++) {
  }
  for (j = 0; j < sizeof(azArea) / sizeof(azArea[0]); j++) {
    if (strlen(azArea[j]) == k && memcmp(z, azArea[j], k) == 0) break;
  }
  if (j == sizeof(azArea) / sizeof(azArea[0]) || k == n) return 0;
  for (i = k + 1; i < n; i = k + 1) {
    int digits = 1;
    for (k = i; k < n && z[k] != '-'; k++) {
      if (!islower((unsigned char)z[k]) && !isdigit((unsigned char)z[k])) return 0;
      if (!isdigit((unsigned char)z[k])) digits = 0;
    }
    if (k == i) return 0;
    nWord++;
    if (k == n) return digits && nWord >= 2 && nWord <= 3;
  }
  return 0;
}

/* Is host h (lower case) dynamodb[-fips].REGION.SUFFIX or
** ACCOUNT.ddb.REGION.SUFFIX? */
static int is_dynamodb_host(const char *h) {
  const char *zRegion;
  size_t n = strlen(h), i;
  unsigned j;
  if (strncmp(h, "dynamodb.", 9) == 0) zRegion = h + 9;
  else if (strncmp(h, "dynamodb-fips.", 14) == 0) zRegion = h + 14;
  else {
    for (i = 0; i < n && isdigit((unsigned char)h[i]); i++) {
    }
    if (i != 12 || strncmp(h + 12, ".ddb.", 5) != 0) return 0;
    zRegion = h + 17;
  }
  for (j = 0; j < sizeof(azSuffix) / sizeof(azSuffix[0]); j++) {
    size_t ns = strlen(azSuffix[j]), nr;
    if ((size_t)(h + n - zRegion) < ns + 2) continue;
    nr = (size_t)(h + n - zRegion) - ns - 1;
    if (zRegion[nr] == '.' && strcmp(zRegion + nr + 1, azSuffix[j]) == 0 &&
        is_region(zRegion, nr)) {
      return 1;
    }
  }
  return 0;
}

int url_is_aws_dynamodb(const char *zUrl) {
  url_parts p;
  int yes = 0;
  char *z;
  if (parse(zUrl, &p)) return 0;
  if (strcmp(p.scheme, "https") == 0 && strcmp(p.port, "443") == 0 && strcmp(p.path, "/") == 0 &&
      (z = sqlite3_mprintf("%s", p.host)) != 0) {
    char *c;
    for (c = z; *c; c++) *c = (char)tolower((unsigned char)*c);
    yes = is_dynamodb_host(z);
    sqlite3_free(z);
  }
  parts_free(&p);
  return yes;
}

/* Paths equal, a final '/' aside. */
static int same_path(const char *a, const char *b) {
  size_t na = strlen(a), nb = strlen(b);
  if (na > 1 && a[na - 1] == '/') na--;
  if (nb > 1 && b[nb - 1] == '/') nb--;
  return na == nb && memcmp(a, b, na) == 0;
}

int url_same(const char *zA, const char *zB) {
  url_parts a, b;
  int same = 0;
  if (!zA || !zB || parse(zA, &a)) return 0;
  if (!parse(zB, &b)) {
    same = strcmp(a.scheme, b.scheme) == 0 && sqlite3_stricmp(a.host, b.host) == 0 &&
           strcmp(a.port, b.port) == 0 && same_path(a.path, b.path);
    parts_free(&b);
  }
  parts_free(&a);
  return same;
}

/* ---- proxies ----------------------------------------------------------------- */

/* The variable in lower case when it is set (empty: none), else in upper
** case (zUpper NULL: not read). */
static const char *lower_then_upper(const char *zLower, const char *zUpper, url_getenv_fn get) {
  const char *z = get(zLower);
  if (z) return z[0] ? z : 0;
  z = zUpper ? get(zUpper) : 0;
  return z && z[0] ? z : 0;
}

const char *url_proxy(const char *zScheme, url_getenv_fn get) {
  if (strcmp(zScheme, "https") == 0) return lower_then_upper("https_proxy", "HTTPS_PROXY", get);
  if (strcmp(zScheme, "http") == 0) {
    return lower_then_upper("http_proxy", get("REQUEST_METHOD") ? 0 : "HTTP_PROXY", get);
  }
  return 0;
}

const char *url_no_proxy(url_getenv_fn get) {
  return lower_then_upper("no_proxy", "NO_PROXY", get);
}
