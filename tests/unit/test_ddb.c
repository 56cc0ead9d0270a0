/* Unit tests of the pure parts of ddb.c: error bodies, throttling reasons,
** the endpoint check. */
#include "ddb.h"
#include "check.h"

static char *zType, *zMsg;
static int rcParse;

static void parse_n(const char *body, size_t n, long status) {
  sqlite3_free(zType);
  sqlite3_free(zMsg);
  zType = zMsg = 0;
  rcParse = ddb_parse_error(body, n, status, &zType, &zMsg);
}

static void parse(const char *body, long status) {
  parse_n(body, body ? strlen(body) : 0, status);
}

static int printable(const char *z) {
  for (; z && *z; z++) {
    if ((unsigned char)*z < 0x20 || *z == 0x7f) return 0;
  }
  return z != 0;
}

static void test_parse_error_json(void) {
  parse("{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\","
        "\"message\":\"Requested resource not found\"}",
        400);
  CHECK_INT(rcParse, SQLITE_OK);
  CHECK_STR(zType, "ResourceNotFoundException");
  CHECK_STR(zMsg, "Requested resource not found");

  /* "Message" as some errors spell it */
  parse("{\"__type\":\"com.amazon.coral.validate#ValidationException\","
        "\"Message\":\"One or more parameter values were invalid\"}",
        400);
  CHECK_STR(zType, "ValidationException");
  CHECK_STR(zMsg, "One or more parameter values were invalid");

  /* both: "message" wins */
  parse("{\"__type\":\"X\",\"Message\":\"upper\",\"message\":\"lower\"}", 400);
  CHECK_STR(zMsg, "lower");
  /* a "message" that is not a string does not hide "Message" */
  parse("{\"__type\":\"X\",\"message\":5,\"Message\":\"upper\"}", 400);
  CHECK_STR(zMsg, "upper");

  /* a type without the prefix */
  parse("{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}", 400);
  CHECK_STR(zType, "ThrottlingException");
  CHECK_STR(zMsg, "Rate exceeded");
  /* only the part after the last '#' */
  parse("{\"__type\":\"a#b#ConditionalCheckFailedException\",\"message\":\"m\"}", 400);
  CHECK_STR(zType, "ConditionalCheckFailedException");
  parse("{\"__type\":\"com.amazonaws.dynamodb.v20120810#\",\"message\":\"m\"}", 400);
  CHECK_STR(zType, "");

  /* no __type, or not a string: the HTTP status */
  parse("{\"message\":\"Internal server error\"}", 500);
  CHECK_STR(zType, "HTTP 500");
  CHECK_STR(zMsg, "Internal server error");
  parse("{\"__type\":42,\"message\":\"m\"}", 400);
  CHECK_STR(zType, "HTTP 400");
  /* no message */
  parse("{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalFailure\"}", 500);
  CHECK_STR(zType, "InternalFailure");
  CHECK_STR(zMsg, "(no message)");
  parse("{}", 418);
  CHECK_STR(zType, "HTTP 418");
  CHECK_STR(zMsg, "(no message)");
  parse("[1,2]", 400);
  CHECK_INT(rcParse, SQLITE_OK);
  CHECK_STR(zType, "HTTP 400");
  CHECK_STR(zMsg, "(no message)");

  /* only n bytes are read */
  {
    const char *z = "{\"__type\":\"A#B\",\"message\":\"m\"}{\"__type\":\"C\"}";
    parse_n(z, strlen("{\"__type\":\"A#B\",\"message\":\"m\"}"), 400);
    CHECK_STR(zType, "B");
    CHECK_STR(zMsg, "m");
  }
}

static void test_parse_error_html(void) {
  parse("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\tBad\x01Gateway</body>"
        "</html>",
        502);
  CHECK_INT(rcParse, SQLITE_OK);
  CHECK_STR(zType, "HTTP 502");
  CHECK_STR(zMsg,
            "<html> <head><title>502 Bad Gateway</title></head> <body> Bad Gateway</body></html>");
  CHECK(printable(zMsg));

  /* long bodies are cut, and say so */
  {
    char body[400];
    int i;
    for (i = 0; i < 399; i++) body[i] = (char)('a' + i % 26);
    body[399] = 0;
    parse(body, 503);
    CHECK_STR(zType, "HTTP 503");
    CHECK_INT(strlen(zMsg), 123);
    CHECK(zMsg && strncmp(zMsg, body, 120) == 0);
    CHECK(zMsg && strcmp(zMsg + 120, "...") == 0);
    /* exactly the limit: nothing cut, no "..." */
    parse_n(body, 120, 503);
    CHECK_INT(strlen(zMsg), 120);
    CHECK(zMsg && strncmp(zMsg, body, 120) == 0);
    parse_n(body, 121, 503);
    CHECK_INT(strlen(zMsg), 123);
    CHECK(zMsg && strcmp(zMsg + 120, "...") == 0);
  }
  /* every control character and DEL goes, runs of spaces become one */
  {
    char body[64];
    int i, k = 0;
    body[k++] = 'x';
    for (i = 1; i < 0x20; i++) body[k++] = (char)i;
    body[k++] = 0x7f;
    body[k++] = 'y';
    body[k] = 0;
    parse(body, 500);
    CHECK_STR(zMsg, "x y");
  }
  /* a body cut before its end */
  parse_n("<p>Service Unavailable</p> and more", 26, 503);
  CHECK_STR(zMsg, "<p>Service Unavailable</p>");
  /* bytes beyond ASCII (a cut UTF-8 character, a Latin-1 page) become '?',
  ** so that the message is always valid UTF-8 */
  {
    char body[256];
    int i, k = 0;
    body[k++] = 'a';
    for (i = 0; i < 100; i++) body[k++] = (char)0xc3, body[k++] = (char)0xa9; /* é */
    body[k] = 0;
    parse(body, 502);
    CHECK_INT(strlen(zMsg), 123);
    CHECK(zMsg && zMsg[0] == 'a' && zMsg[1] == '?' && zMsg[119] == '?');
    CHECK(printable(zMsg));
    parse("caf\xe9 ferm\xe9", 503);
    CHECK_STR(zMsg, "caf? ferm?");
  }
  /* not JSON, though it starts like it */
  parse("{\"__type\": ", 500);
  CHECK_STR(zType, "HTTP 500");
  CHECK_STR(zMsg, "{\"__type\":"); /* spaces at the ends are trimmed */
}

static void test_parse_error_empty(void) {
  parse("", 503);
  CHECK_INT(rcParse, SQLITE_OK);
  CHECK_STR(zType, "HTTP 503");
  CHECK(zMsg != 0);
  CHECK(printable(zMsg));
  parse_n(0, 0, 500);
  CHECK_INT(rcParse, SQLITE_OK);
  CHECK_STR(zType, "HTTP 500");
  CHECK(zMsg != 0);
  parse("   \r\n", 504);
  CHECK_STR(zType, "HTTP 504");
  CHECK(zMsg && printable(zMsg));
  CHECK_STR(zMsg, "(empty)"); /* a message that says so, not "HTTP 504: " */
  parse("", 503);
  CHECK_STR(zMsg, "(empty)");
}

/* The retry policy is retry.c's (tests/unit/test_retry.c); what ddb.c adds
** to a throttled request's message is DynamoDB's reasons. */
static char *reasons(const char *zBody) {
  return ddb_throttling_reasons(zBody, strlen(zBody));
}

static void test_throttling_reasons(void) {
  char *z = reasons(
      "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\","
      "\"message\":\"m\",\"ThrottlingReasons\":[{\"reason\":\"TableReadProvisionedThroughputExceeded\","
      "\"resource\":\"arn:aws:dynamodb:us-east-1:1:table/T\"},{\"reason\":\"IndexReadAccountLimitExceeded\","
      "\"resource\":\"arn:aws:dynamodb:us-east-1:1:table/T/index/I\"}]}");
  CHECK_STR(z, "TableReadProvisionedThroughputExceeded (arn:aws:dynamodb:us-east-1:1:table/T), "
               "IndexReadAccountLimitExceeded (arn:aws:dynamodb:us-east-1:1:table/T/index/I)");
  sqlite3_free(z);
  /* ThrottlingException spells it throttlingReasons; a reason without resource */
  z = reasons("{\"throttlingReasons\":[{\"reason\":\"TableWriteKeyRangeThroughputExceeded\"}]}");
  CHECK_STR(z, "TableWriteKeyRangeThroughputExceeded");
  sqlite3_free(z);
  CHECK(reasons("{\"message\":\"m\"}") == 0);
  CHECK(reasons("{\"ThrottlingReasons\":[]}") == 0);
  CHECK(reasons("{\"ThrottlingReasons\":[{\"reason\":5}]}") == 0);
  CHECK(reasons("<html>") == 0);
}

/* An answer holding \u0000 is refused (cJSON would cut the string there):
** the escape, not an escaped backslash followed by "u0000". */
static void test_nul_escape(void) {
  static const char *const yes[] = {"{\"a\":\"x\\u0000\"}", "\\u0000", "\"\\\\\\u0000\""};
  static const char *const no[] = {"{\"a\":\"x\"}", "{\"a\":\"\\\\u0000\"}", "\\u000", "u0000", ""};
  unsigned i;
  for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) CHECK(ddb_has_nul_escape(yes[i], strlen(yes[i])));
  for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) CHECK(!ddb_has_nul_escape(no[i], strlen(no[i])));
  /* only the n bytes given count */
  CHECK(!ddb_has_nul_escape("\\u0000", 5));
}

static void test_remote_http(void) {
  CHECK(!ddb_is_remote_http("http://127.0.0.1:8000"));
  CHECK(!ddb_is_remote_http("http://127.1.2.3"));
  CHECK(!ddb_is_remote_http("http://localhost:8000/"));
  CHECK(!ddb_is_remote_http("HTTP://LOCALHOST"));
  CHECK(!ddb_is_remote_http("http://[::1]:8000"));
  CHECK(!ddb_is_remote_http("https://dynamodb.us-east-1.amazonaws.com"));
  CHECK(!ddb_is_remote_http("https://10.0.0.1"));
  CHECK(ddb_is_remote_http("http://dynamodb.us-east-1.amazonaws.com"));
  CHECK(ddb_is_remote_http("http://10.0.0.1:8000"));
  CHECK(ddb_is_remote_http("http://127.evil.com"));
  CHECK(ddb_is_remote_http("http://localhost.evil.com"));
  CHECK(ddb_is_remote_http("http://[::2]:8000"));
  CHECK(ddb_is_remote_http("http://127.0.0.1@evil.com/"));
  /* the host libcurl connects to, not the text: these are example.com */
  CHECK(ddb_is_remote_http("http://example.com#@127.0.0.1"));
  CHECK(ddb_is_remote_http("http://example.com?@127.0.0.1"));
  CHECK(ddb_is_remote_http("http://example.com/#@127.0.0.1:8000"));
  CHECK(!ddb_is_remote_http("http://2130706433:8000/")); /* 127.0.0.1 */
}

int main(void) {
  RUN(test_remote_http);
  RUN(test_parse_error_json);
  RUN(test_parse_error_html);
  RUN(test_parse_error_empty);
  RUN(test_throttling_reasons);
  RUN(test_nul_escape);
  sqlite3_free(zType);
  sqlite3_free(zMsg);
  CHECK_DONE();
}
