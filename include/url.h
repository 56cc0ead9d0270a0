/*
** Endpoint URLs, read by libcurl's URL API (curl_url) exactly as libcurl
** reads them when it connects: what an endpoint may be, whether its host is
** loopback, whether it is one of DynamoDB's own AWS endpoints, whether two
** URLs name the same place, and which proxy botocore would use for a URL.
** Pure: no I/O (libcurl's parser and inet_pton only; the environment is
** passed in as a function).
**
**   url_check("http://example.com#@127.0.0.1")  "it has a fragment (#...)"
**   url_is_remote_http("http://127.1:8000")     0: 127.0.0.1, loopback
**   url_is_aws_dynamodb("https://dynamodb.eu-west-1.amazonaws.com")   1
*/
#ifndef DYNAMO_URL_H
#define DYNAMO_URL_H

#include "common.h"

/* A variable of the environment, or NULL (as cfg_getenv_fn). */
typedef const char *(*url_getenv_fn)(const char *zName);

/* NULL when zUrl can be an endpoint: http:// or https://, a host, no user
** name or password, no query and no fragment, no space or control
** character; else why not, as a static phrase ("it has a query (?...)"). */
const char *url_check(const char *zUrl);

/* The host of zUrl as libcurl reads it (sqlite3_malloc()ed; IPv6 in []),
** or NULL when url_check refuses the URL (or memory runs out). */
char *url_host(const char *zUrl);

/* Is the host, as libcurl gives it, loopback: 127.0.0.0/8, ::1 (also
** written out, or as ::ffff:127.x.y.z), or localhost (any case)? */
int url_is_loopback_host(const char *zHost);

/* Is zUrl plain http:// to a host that is not loopback? 1 also for a URL
** url_check refuses (it must not be used), 0 for https://. */
int url_is_remote_http(const char *zUrl);

/* Is zUrl one of DynamoDB's AWS endpoints: https, port 443, no path, host
** dynamodb[-fips].REGION.SUFFIX or ACCOUNT.ddb.REGION.SUFFIX, where REGION
** is an AWS region's name (us-east-1, cn-north-1, us-gov-west-1, ...) and
** SUFFIX the DNS suffix of an AWS partition, dual-stack ones included
** (amazonaws.com, api.aws, amazonaws.com.cn, ...)? Hosts elsewhere under
** amazonaws.com (API Gateway, EC2, S3 buckets) are not: their owner is
** anyone. */
int url_is_aws_dynamodb(const char *zUrl);

/* Do both URLs pass url_check and name the same place: scheme, host (any
** case), port (given or the default) and path (a final '/' aside)? */
int url_same(const char *zA, const char *zB);

/* The proxy botocore (urllib's getproxies) uses for a URL of this scheme
** ("http" or "https"): SCHEME_proxy in lower case, else in upper case (not
** HTTP_PROXY when REQUEST_METHOD is set, as in a CGI script); a lower-case
** variable set but empty means none. NULL: no proxy. url_no_proxy: no_proxy,
** else NO_PROXY (the hosts that bypass it; NULL: none). */
const char *url_proxy(const char *zScheme, url_getenv_fn get);
const char *url_no_proxy(url_getenv_fn get);

#endif
