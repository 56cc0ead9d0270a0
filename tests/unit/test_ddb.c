/* Unit tests of the pure parts of ddb.c: error bodies, retry decisions,
** backoff. */
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

static void test_retryable(void) {
  CHECK(ddb_is_retryable(500, ""));
  CHECK(ddb_is_retryable(503, ""));
  CHECK(ddb_is_retryable(500, "InternalServerError"));
  CHECK(ddb_is_retryable(503, "ServiceUnavailable"));
  CHECK(ddb_is_retryable(504, "HTTP 504"));
  CHECK(ddb_is_retryable(400, "ProvisionedThroughputExceededException"));
  CHECK(ddb_is_retryable(400, "ThrottlingException"));
  CHECK(ddb_is_retryable(400, "RequestLimitExceeded"));
  CHECK(ddb_is_retryable(400, "TransactionInProgressException"));
  CHECK(!ddb_is_retryable(400, "ValidationException"));
  CHECK(!ddb_is_retryable(400, "ConditionalCheckFailedException"));
  CHECK(!ddb_is_retryable(400, "ResourceNotFoundException"));
  CHECK(!ddb_is_retryable(400, "AccessDeniedException"));
  CHECK(!ddb_is_retryable(400, "UnrecognizedClientException"));
  CHECK(!ddb_is_retryable(400, ""));
  CHECK(!ddb_is_retryable(404, "HTTP 404"));
  CHECK(!ddb_is_retryable(413, "HTTP 413"));

  CHECK(ddb_is_throttling("ProvisionedThroughputExceededException"));
  CHECK(ddb_is_throttling("ThrottlingException"));
  CHECK(ddb_is_throttling("RequestLimitExceeded"));
  CHECK(!ddb_is_throttling("ValidationException"));
  CHECK(!ddb_is_throttling("ConditionalCheckFailedException"));
  CHECK(!ddb_is_throttling("InternalServerError"));
  CHECK(!ddb_is_throttling("HTTP 503"));
  CHECK(!ddb_is_throttling(""));
  CHECK(!ddb_is_throttling("Throttling"));
  CHECK(!ddb_is_throttling("ThrottlingExceptionX"));
}

/* The ceiling of the wait before retry n: min(cap, base * 2^(n-1)). */
static long ceiling(int attempt, int throttled) {
  long c = throttled ? 500 : 50;
  int i;
  for (i = 1; i < attempt && c < 20000; i++) c *= 2;
  return c < 20000 ? c : 20000;
}

static void test_backoff(void) {
  static const unsigned aRnd[] = {0u,          1u,          12345u,      0x7fffffffu,
                                  0x80000000u, 0x9e3779b9u, 0xfffffffeu, 0xffffffffu};
  int attempt, throttled, ok = 1, okMax = 1, okHalf = 1, okZero = 1;
  unsigned r;
  for (throttled = 0; throttled <= 1; throttled++) {
    for (attempt = 1; attempt <= 40; attempt++) {
      long c = ceiling(attempt, throttled);
      for (r = 0; r < sizeof(aRnd) / sizeof(aRnd[0]); r++) {
        long ms = ddb_backoff_ms(attempt, throttled, aRnd[r]);
        if (ms < 0 || ms >= c) ok = 0; /* in [0, ceiling) */
      }
      if (ddb_backoff_ms(attempt, throttled, 0xffffffffu) != c - 1) okMax = 0;
      if (ddb_backoff_ms(attempt, throttled, 0x80000000u) != c / 2) okHalf = 0;
      if (ddb_backoff_ms(attempt, throttled, 0) != 0) okZero = 0;
    }
  }
  CHECK(ok);
  CHECK(okMax);
  CHECK(okHalf);
  CHECK(okZero);

  /* the exact ceilings: 50 ms doubling, 500 ms when throttled, 20 s cap */
  CHECK_INT(ddb_backoff_ms(1, 0, 0xffffffffu), 49);
  CHECK_INT(ddb_backoff_ms(2, 0, 0xffffffffu), 99);
  CHECK_INT(ddb_backoff_ms(3, 0, 0xffffffffu), 199);
  CHECK_INT(ddb_backoff_ms(9, 0, 0xffffffffu), 12799);
  CHECK_INT(ddb_backoff_ms(10, 0, 0xffffffffu), 19999);
  CHECK_INT(ddb_backoff_ms(1, 1, 0xffffffffu), 499);
  CHECK_INT(ddb_backoff_ms(2, 1, 0xffffffffu), 999);
  CHECK_INT(ddb_backoff_ms(6, 1, 0xffffffffu), 15999);
  CHECK_INT(ddb_backoff_ms(7, 1, 0xffffffffu), 19999);
  CHECK_INT(ddb_backoff_ms(1000000, 1, 0xffffffffu), 19999);
  CHECK_INT(ddb_backoff_ms(1000000, 0, 0xffffffffu), 19999);

  /* grows with the attempts until the cap */
  {
    int grows = 1;
    for (attempt = 1; attempt < 20; attempt++) {
      long a = ddb_backoff_ms(attempt, 0, 0xc0000000u);
      long b = ddb_backoff_ms(attempt + 1, 0, 0xc0000000u);
      if (b < a || (ceiling(attempt, 0) < 20000 && b <= a)) grows = 0;
    }
    CHECK(grows);
  }
  /* throttling waits longer */
  for (attempt = 1; attempt <= 6; attempt++) {
    CHECK(ddb_backoff_ms(attempt, 1, 0xc0000000u) > ddb_backoff_ms(attempt, 0, 0xc0000000u));
  }
  /* the same random value gives the same wait; larger ones longer waits */
  CHECK_INT(ddb_backoff_ms(4, 0, 0x12345678u), ddb_backoff_ms(4, 0, 0x12345678u));
  CHECK(ddb_backoff_ms(5, 0, 0x40000000u) < ddb_backoff_ms(5, 0, 0x80000000u));
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
  RUN(test_retryable);
  RUN(test_backoff);
  sqlite3_free(zType);
  sqlite3_free(zMsg);
  CHECK_DONE();
}
