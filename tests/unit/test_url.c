/* Unit tests of url.c: endpoints as libcurl reads them, loopback from the
** parsed host, DynamoDB's AWS endpoints, the same place, proxies. */
#include "url.h"
#include "check.h"

static void test_check(void) {
  CHECK(url_check("http://127.0.0.1:8000") == 0);
  CHECK(url_check("https://dynamodb.us-east-1.amazonaws.com") == 0);
  CHECK(url_check("http://localhost:4566/prefix/") == 0);
  CHECK(url_check("HTTP://Host:443") == 0);
  CHECK_STR(url_check("https://user:pw@host"),
            "it holds a user name or password (user@host), which would be sent and shown");
  CHECK(url_check("https://user@host") != 0);
  CHECK(url_check("http://@host") != 0);
  CHECK_STR(url_check("http://example.com?@127.0.0.1"), "it has a query (?...)");
  CHECK_STR(url_check("http://example.com/?"), "it has a query (?...)");
  CHECK_STR(url_check("http://example.com#@127.0.0.1"), "it has a fragment (#...)");
  CHECK_STR(url_check("ftp://host"), "it is not an http:// or https:// URL");
  CHECK_STR(url_check("file:///etc/passwd"), "it is not an http:// or https:// URL");
  CHECK_STR(url_check("127.0.0.1:8000"), "libcurl cannot read it as a URL");
  CHECK_STR(url_check("http://"), "libcurl cannot read it as a URL");
  CHECK_STR(url_check("http://a b"), "it holds a space or a control character");
  CHECK_STR(url_check("http://a\r\nX-Evil: 1"), "it holds a space or a control character");
  CHECK(url_check("") != 0);
}

static void test_loopback(void) {
  CHECK(url_is_loopback_host("127.0.0.1"));
  CHECK(url_is_loopback_host("127.255.3.4"));
  CHECK(url_is_loopback_host("localhost"));
  CHECK(url_is_loopback_host("LocalHost"));
  CHECK(url_is_loopback_host("[::1]"));
  CHECK(url_is_loopback_host("[0:0:0:0:0:0:0:1]"));
  CHECK(url_is_loopback_host("[::ffff:127.0.0.1]"));
  CHECK(!url_is_loopback_host("[::ffff:10.0.0.1]"));
  CHECK(!url_is_loopback_host("[::2]"));
  CHECK(!url_is_loopback_host("128.0.0.1"));
  CHECK(!url_is_loopback_host("127.0.0.1.example.com"));
  CHECK(!url_is_loopback_host("localhost.example.com"));
  CHECK(!url_is_loopback_host("10.0.0.1"));
  CHECK(!url_is_loopback_host("[::1"));
  CHECK(!url_is_loopback_host(""));
  /* on the parsed URL: what libcurl connects to */
  CHECK(!url_is_remote_http("http://127.0.0.1:8000"));
  CHECK(!url_is_remote_http("http://127.1:8000"));       /* libcurl: 127.0.0.1 */
  CHECK(!url_is_remote_http("http://2130706433/"));       /* libcurl: 127.0.0.1 */
  CHECK(!url_is_remote_http("http://[::1]:8000"));
  CHECK(!url_is_remote_http("http://localhost"));
  CHECK(!url_is_remote_http("https://example.com"));
  CHECK(url_is_remote_http("http://example.com"));
  CHECK(url_is_remote_http("http://example.com#@127.0.0.1"));   /* refused: a fragment */
  CHECK(url_is_remote_http("http://example.com?@127.0.0.1"));   /* refused: a query */
  CHECK(url_is_remote_http("http://127.0.0.1@example.com"));    /* refused: userinfo */
  CHECK(url_is_remote_http("http://127.0.0.1.example.com"));
  CHECK(url_is_remote_http("http://10.1.2.3:8000"));
  CHECK(url_is_remote_http("not a url"));
}

static void test_aws(void) {
  CHECK(url_is_aws_dynamodb("https://dynamodb.us-east-1.amazonaws.com"));
  CHECK(url_is_aws_dynamodb("https://dynamodb.eu-west-1.amazonaws.com/"));
  CHECK(url_is_aws_dynamodb("https://DynamoDB.EU-WEST-1.amazonaws.com:443"));
  CHECK(url_is_aws_dynamodb("https://dynamodb-fips.us-gov-west-1.amazonaws.com"));
  CHECK(url_is_aws_dynamodb("https://dynamodb.us-east-1.api.aws"));
  CHECK(url_is_aws_dynamodb("https://dynamodb.cn-north-1.amazonaws.com.cn"));
  CHECK(url_is_aws_dynamodb("https://dynamodb.us-iso-east-1.c2s.ic.gov"));
  CHECK(url_is_aws_dynamodb("https://dynamodb.eusc-de-east-1.amazonaws.eu"));
  CHECK(url_is_aws_dynamodb("https://111122223333.ddb.us-east-1.amazonaws.com"));
  /* not DynamoDB's, though under amazonaws.com: anyone's */
  CHECK(!url_is_aws_dynamodb("https://abc123.execute-api.us-east-1.amazonaws.com"));
  CHECK(!url_is_aws_dynamodb("https://ec2-1-2-3-4.compute-1.amazonaws.com"));
  CHECK(!url_is_aws_dynamodb("https://dynamodb.s3.amazonaws.com"));        /* a bucket */
  CHECK(!url_is_aws_dynamodb("https://dynamodb.s3-website-us-east-1.amazonaws.com"));
  CHECK(!url_is_aws_dynamodb("https://dynamodb.us-east-1.amazonaws.com.evil.com"));
  CHECK(!url_is_aws_dynamodb("https://dynamodb.us-east-1.amazonaws.com/prefix"));
  CHECK(!url_is_aws_dynamodb("https://dynamodb.us-east-1.amazonaws.com:8443"));
  CHECK(!url_is_aws_dynamodb("http://dynamodb.us-east-1.amazonaws.com"));
  CHECK(!url_is_aws_dynamodb("https://dynamodb.local-1.amazonaws.com"));
  CHECK(!url_is_aws_dynamodb("https://dynamodb.us-east.amazonaws.com"));
  CHECK(!url_is_aws_dynamodb("https://dynamodb.us--1.amazonaws.com"));
  CHECK(!url_is_aws_dynamodb("https://x.dynamodb.us-east-1.amazonaws.com"));
  CHECK(!url_is_aws_dynamodb("https://1111222233334.ddb.us-east-1.amazonaws.com"));
  CHECK(!url_is_aws_dynamodb("https://user@dynamodb.us-east-1.amazonaws.com"));
  CHECK(!url_is_aws_dynamodb("https://dynamodb.us-east-1.amazonaws.com#x"));
  CHECK(!url_is_aws_dynamodb("https://dynamodb.amazonaws.com"));
}

static void test_same(void) {
  CHECK(url_same("http://127.0.0.1:8000", "http://127.0.0.1:8000/"));
  CHECK(url_same("http://127.1:8000", "http://127.0.0.1:8000"));
  CHECK(url_same("http://LOCALHOST:8000", "http://localhost:8000"));
  CHECK(url_same("https://h", "https://h:443/"));
  CHECK(url_same("http://h/p/", "http://h/p"));
  CHECK(!url_same("http://127.0.0.1:8000", "http://127.0.0.1:8001"));
  CHECK(!url_same("http://h", "https://h"));
  CHECK(!url_same("http://h/p", "http://h/q"));
  CHECK(!url_same("http://h", 0));
  CHECK(!url_same("http://h#x", "http://h"));
}

static const char *aEnv[16][2];
static const char *fake_env(const char *zName) {
  int i;
  for (i = 0; aEnv[i][0]; i++) {
    if (strcmp(aEnv[i][0], zName) == 0) return aEnv[i][1];
  }
  return 0;
}
static void env_set(int i, const char *zName, const char *zValue) {
  aEnv[i][0] = zName;
  aEnv[i][1] = zValue;
  aEnv[i + 1][0] = 0;
}

static void test_proxy(void) {
  env_set(0, "HTTPS_PROXY", "http://127.0.0.1:3128");
  CHECK_STR(url_proxy("https", fake_env), "http://127.0.0.1:3128");
  CHECK(url_proxy("http", fake_env) == 0);
  env_set(1, "https_proxy", "http://lower:1");
  CHECK_STR(url_proxy("https", fake_env), "http://lower:1"); /* lower case wins */
  env_set(1, "https_proxy", "");
  CHECK(url_proxy("https", fake_env) == 0);                  /* set but empty: none */
  env_set(0, "HTTP_PROXY", "http://up:2");
  CHECK_STR(url_proxy("http", fake_env), "http://up:2");     /* as botocore, unlike curl */
  env_set(1, "REQUEST_METHOD", "GET");
  CHECK(url_proxy("http", fake_env) == 0);                   /* CGI: not HTTP_PROXY */
  env_set(2, "http_proxy", "http://low:3");
  CHECK_STR(url_proxy("http", fake_env), "http://low:3");
  CHECK(url_proxy("ftp", fake_env) == 0);
  env_set(0, "NO_PROXY", "localhost,.example.com");
  CHECK_STR(url_no_proxy(fake_env), "localhost,.example.com");
  env_set(1, "no_proxy", "*");
  CHECK_STR(url_no_proxy(fake_env), "*");
  env_set(0, 0, 0);
  CHECK(url_no_proxy(fake_env) == 0);
}

int main(void) {
  RUN(test_check);
  RUN(test_loopback);
  RUN(test_aws);
  RUN(test_same);
  RUN(test_proxy);
  CHECK_DONE();
}
