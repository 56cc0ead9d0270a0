/* Unit tests of retry.c: modes, error classes, delays, the retry quota,
** the adaptive rate limiter, unprocessed rounds.
**
** `test_retry --oracle` reads one question a line on stdin and answers
** each on stdout, so that tests/e2e/test_175_retries.py can ask botocore
** the same questions and compare (botocore is the reference; these unit
** tests check what holds whatever the numbers):
**   classify MODE STATUS CODE|- TRANSPORT CHECKSUM OP -> 0, 1 or 2
**   attempts MODE                                    -> the default attempts
**   delay MODE ATTEMPT CLASS RND HEADER|-             -> milliseconds
**   quota acquire CLASS | quota release COST         -> cost, then available
**   rate init T | rate acquire T | rate update T THROTTLED
**                                       -> wait, fill rate, capacity, measured
** (HEADER is the x-amz-retry-after value with '~' for blanks.) */
#include "retry.h"
#include "check.h"

#include <stdlib.h>

static retry_failure fail_of(long status, const char *zCode) {
  retry_failure f;
  memset(&f, 0, sizeof(f));
  f.zOp = "PutItem";
  f.status = status;
  f.zCode = zCode;
  return f;
}

static int cls(retry_mode m, long status, const char *zCode) {
  retry_failure f = fail_of(status, zCode);
  return retry_classify(m, &f);
}

static void test_modes(void) {
  retry_mode m = 0;
  CHECK_INT(retry_mode_parse("legacy", &m), SQLITE_OK);
  CHECK_INT(m, RETRY_LEGACY);
  CHECK_INT(retry_mode_parse("standard", &m), SQLITE_OK);
  CHECK_INT(m, RETRY_STANDARD);
  CHECK_INT(retry_mode_parse("adaptive", &m), SQLITE_OK);
  CHECK_INT(m, RETRY_ADAPTIVE);
  CHECK_INT(retry_mode_parse("Standard", &m), SQLITE_ERROR); /* botocore: exact */
  CHECK_INT(retry_mode_parse("", &m), SQLITE_ERROR);
  CHECK_INT(retry_mode_parse(0, &m), SQLITE_ERROR);
  CHECK_STR(retry_mode_name(RETRY_ADAPTIVE), "adaptive");
  CHECK_INT(RETRY_DEFAULT_MODE, RETRY_STANDARD);
  CHECK_INT(retry_default_attempts(RETRY_LEGACY), 10);
  CHECK_INT(retry_default_attempts(RETRY_STANDARD), 4);
  CHECK_INT(retry_default_attempts(RETRY_ADAPTIVE), 4);
}

static void test_classes(void) {
  static const char *const azThrottle[] = {"ProvisionedThroughputExceededException",
                                           "ThrottlingException", "RequestLimitExceeded",
                                           "TransactionInProgressException",
                                           "LimitExceededException"};
  unsigned i;
  retry_failure f;
  for (i = 0; i < sizeof(azThrottle) / sizeof(azThrottle[0]); i++) {
    CHECK_INT(cls(RETRY_STANDARD, 400, azThrottle[i]), RETRY_THROTTLING);
    CHECK_INT(cls(RETRY_ADAPTIVE, 400, azThrottle[i]), RETRY_THROTTLING);
    CHECK(retry_is_throttling(azThrottle[i]));
  }
  /* legacy: not RequestLimitExceeded, not LimitExceededException */
  CHECK_INT(cls(RETRY_LEGACY, 400, "ProvisionedThroughputExceededException"), RETRY_THROTTLING);
  CHECK_INT(cls(RETRY_LEGACY, 400, "ThrottlingException"), RETRY_THROTTLING);
  CHECK_INT(cls(RETRY_LEGACY, 400, "TransactionInProgressException"), RETRY_THROTTLING);
  CHECK_INT(cls(RETRY_LEGACY, 400, "RequestLimitExceeded"), RETRY_NO);
  CHECK_INT(cls(RETRY_LEGACY, 400, "LimitExceededException"), RETRY_NO);
  /* legacy matches the status too */
  CHECK_INT(cls(RETRY_LEGACY, 403, "ThrottlingException"), RETRY_NO);
  CHECK_INT(cls(RETRY_STANDARD, 403, "ThrottlingException"), RETRY_THROTTLING);
  /* 5xx */
  CHECK_INT(cls(RETRY_STANDARD, 500, "InternalServerError"), RETRY_TRANSIENT);
  CHECK_INT(cls(RETRY_STANDARD, 503, ""), RETRY_TRANSIENT);
  CHECK_INT(cls(RETRY_STANDARD, 501, ""), RETRY_NO);
  CHECK_INT(cls(RETRY_STANDARD, 509, ""), RETRY_NO);
  CHECK_INT(cls(RETRY_LEGACY, 509, ""), RETRY_TRANSIENT);
  CHECK_INT(cls(RETRY_LEGACY, 501, ""), RETRY_NO);
  /* a throttling code on a 5xx is throttling */
  CHECK_INT(cls(RETRY_STANDARD, 503, "ThrottlingException"), RETRY_THROTTLING);
  /* 429 */
  CHECK_INT(cls(RETRY_LEGACY, 429, ""), RETRY_TRANSIENT); /* retried; no throttling code */
  CHECK_INT(cls(RETRY_LEGACY, 429, "ThrottlingException"), RETRY_THROTTLING);
  CHECK_INT(cls(RETRY_STANDARD, 429, ""), RETRY_NO);
  CHECK_INT(cls(RETRY_STANDARD, 429, "TooManyRequestsException"), RETRY_THROTTLING);
  /* DynamoDB's modeled retryable error */
  CHECK_INT(cls(RETRY_STANDARD, 409, "ReplicatedWriteConflictException"), RETRY_TRANSIENT);
  CHECK_INT(cls(RETRY_LEGACY, 409, "ReplicatedWriteConflictException"), RETRY_TRANSIENT);
  CHECK_INT(cls(RETRY_LEGACY, 400, "ReplicatedWriteConflictException"), RETRY_NO);
  f = fail_of(409, "ReplicatedWriteConflictException"); /* a Scan's model lacks it */
  f.zOp = "Scan";
  CHECK_INT(retry_classify(RETRY_STANDARD, &f), RETRY_NO);
  /* transient codes */
  CHECK_INT(cls(RETRY_STANDARD, 400, "RequestTimeoutException"), RETRY_TRANSIENT);
  CHECK_INT(cls(RETRY_STANDARD, 400, "PriorRequestNotComplete"), RETRY_THROTTLING);
  /* never */
  CHECK_INT(cls(RETRY_STANDARD, 400, "ValidationException"), RETRY_NO);
  CHECK_INT(cls(RETRY_STANDARD, 400, "ConditionalCheckFailedException"), RETRY_NO);
  CHECK_INT(cls(RETRY_STANDARD, 400, "ResourceNotFoundException"), RETRY_NO);
  CHECK_INT(cls(RETRY_STANDARD, 400, "ExpiredTokenException"), RETRY_NO);
  CHECK_INT(cls(RETRY_STANDARD, 400, ""), RETRY_NO);
  CHECK_INT(cls(RETRY_STANDARD, 404, 0), RETRY_NO);
  CHECK_INT(cls(RETRY_STANDARD, 400, "ThrottlingExceptionX"), RETRY_NO);
  CHECK(!retry_is_throttling("Throttl"));
  CHECK(!retry_is_throttling(0));
  /* transport, checksum, a cut body: transient in every mode */
  for (i = RETRY_LEGACY; i <= RETRY_ADAPTIVE; i++) {
    f = fail_of(0, 0);
    f.transport = 1;
    CHECK_INT(retry_classify((retry_mode)i, &f), RETRY_TRANSIENT);
    f = fail_of(200, 0);
    f.checksum = 1;
    CHECK_INT(retry_classify((retry_mode)i, &f), RETRY_TRANSIENT);
    f = fail_of(400, "ValidationException");
    f.checksum = 1; /* a corrupt error body: its code cannot be trusted */
    CHECK_INT(retry_classify((retry_mode)i, &f), RETRY_TRANSIENT);
    f = fail_of(200, 0);
    f.invalid = 1;
    CHECK_INT(retry_classify((retry_mode)i, &f), RETRY_TRANSIENT);
    f = fail_of(0, 0);
    CHECK_INT(retry_classify((retry_mode)i, &f), RETRY_NO);
  }
}

static void test_delays(void) {
  int n;
  /* legacy: 50 ms doubling, no jitter, no cap */
  CHECK(retry_delay_ms(RETRY_LEGACY, 1, RETRY_TRANSIENT, 0, -1) == 50);
  CHECK(retry_delay_ms(RETRY_LEGACY, 2, RETRY_THROTTLING, 0xffffffffu, -1) == 100);
  CHECK(retry_delay_ms(RETRY_LEGACY, 9, RETRY_TRANSIENT, 12345, 99999) == 12800);
  CHECK(retry_delay_ms(RETRY_LEGACY, 100, RETRY_TRANSIENT, 1, -1) > 1e30);
  /* standard: jitter over min(20 s, base * 2^(n-1)) */
  for (n = 1; n <= 40; n++) {
    double capT = n <= 15 ? 25.0 * (1 << (n - 1)) : 20000, capS = n <= 5 ? 1000.0 * (1 << (n - 1)) : 20000;
    if (capT > 20000) capT = 20000;
    if (capS > 20000) capS = 20000;
    CHECK(retry_delay_ms(RETRY_STANDARD, n, RETRY_TRANSIENT, 0, -1) == 0);
    CHECK(retry_delay_ms(RETRY_STANDARD, n, RETRY_TRANSIENT, 0x80000000u, -1) == capT / 2);
    CHECK(retry_delay_ms(RETRY_ADAPTIVE, n, RETRY_THROTTLING, 0x80000000u, -1) == capS / 2);
    CHECK(retry_delay_ms(RETRY_STANDARD, n, RETRY_THROTTLING, 0xffffffffu, -1) < capS);
  }
  CHECK(retry_delay_ms(RETRY_STANDARD, 1000000, RETRY_THROTTLING, 0x80000000u, -1) == 10000);
  /* x-amz-retry-after: at least t, at most t + 5 s */
  CHECK(retry_delay_ms(RETRY_STANDARD, 1, RETRY_THROTTLING, 0x80000000u, 300) == 500);
  CHECK(retry_delay_ms(RETRY_STANDARD, 1, RETRY_THROTTLING, 0x80000000u, 1500) == 1500);
  CHECK(retry_delay_ms(RETRY_STANDARD, 1, RETRY_THROTTLING, 0x80000000u, 60000) == 5500);
  CHECK(retry_delay_ms(RETRY_STANDARD, 1, RETRY_TRANSIENT, 0, 0) == 0);
  CHECK(retry_delay_ms(RETRY_STANDARD, 1, RETRY_TRANSIENT, 0, 7000) == 5000);
}

static void test_retry_after(void) {
  CHECK(retry_after_parse("1500") == 1500);
  CHECK(retry_after_parse(" 1500\t") == 1500);
  CHECK(retry_after_parse("+7") == 7);
  CHECK(retry_after_parse("1_000") == 1000);
  CHECK(retry_after_parse("0") == 0);
  CHECK(retry_after_parse("-0") == 0);
  CHECK(retry_after_parse("-1") < 0);
  CHECK(retry_after_parse("1.5") < 0);
  CHECK(retry_after_parse("") < 0);
  CHECK(retry_after_parse("  ") < 0);
  CHECK(retry_after_parse("_1") < 0);
  CHECK(retry_after_parse("1_") < 0);
  CHECK(retry_after_parse("1__0") < 0);
  CHECK(retry_after_parse("12abc") < 0);
  CHECK(retry_after_parse("1 2") < 0);
  CHECK(retry_after_parse(0) < 0);
}

static void test_quota(void) {
  retry_quota q;
  int i, n = 0;
  retry_quota_init(&q);
  CHECK_INT(q.available, 500);
  CHECK_INT(retry_quota_acquire(&q, RETRY_TRANSIENT), 14);
  CHECK_INT(retry_quota_acquire(&q, RETRY_THROTTLING), 5);
  CHECK_INT(q.available, 481);
  retry_quota_release(&q, 5); /* the last retry's cost comes back */
  CHECK_INT(q.available, 486);
  retry_quota_release(&q, 0); /* a success without retry: 1 */
  CHECK_INT(q.available, 487);
  for (i = 0; i < 100; i++) retry_quota_release(&q, 14);
  CHECK_INT(q.available, 500); /* never above */
  /* transient retries run out after 35 */
  for (i = 0; i < 100 && retry_quota_acquire(&q, RETRY_TRANSIENT); i++) n++;
  CHECK_INT(n, 35);
  CHECK_INT(q.available, 10);
  CHECK_INT(retry_quota_acquire(&q, RETRY_TRANSIENT), 0);
  CHECK_INT(retry_quota_acquire(&q, RETRY_THROTTLING), 5); /* throttling costs less */
  CHECK_INT(retry_quota_acquire(&q, RETRY_THROTTLING), 5);
  CHECK_INT(retry_quota_acquire(&q, RETRY_THROTTLING), 0);
  CHECK_INT(q.available, 0);
}

static void test_rate(void) {
  retry_rate r;
  double t = 1000.0, w;
  int i, sent = 0;
  retry_rate_init(&r, t);
  /* before any throttling answer, nothing is held back */
  for (i = 0; i < 50; i++) {
    CHECK(retry_rate_acquire(&r, t) == 0);
    retry_rate_update(&r, t, 0);
    t += 0.01;
  }
  CHECK(!r.enabled);
  /* a throttling answer turns the limiter on, at 0.7 of the measured rate */
  retry_rate_update(&r, t, 1);
  CHECK(r.enabled);
  CHECK(r.fill_rate >= 0.5);
  CHECK(r.fill_rate <= 0.7 * r.measured + 1e-9 || r.fill_rate == 0.5);
  /* sending as fast as allowed for 10 s keeps to about the fill rate */
  {
    double rate = r.fill_rate, start = t;
    while (t < start + 10) {
      w = retry_rate_acquire(&r, t);
      if (w > 0) { /* a caller waits at least a millisecond */
        t += w + 0.001;
        continue;
      }
      sent++;
      t += 0.001;
    }
    CHECK(sent >= 1 && sent <= (int)(rate * 10 * 1.5) + 2);
  }
  /* successes make the rate grow again (CUBIC) */
  {
    double before = r.fill_rate;
    for (i = 0; i < 200; i++) {
      while ((w = retry_rate_acquire(&r, t)) > 0) t += w + 0.001;
      retry_rate_update(&r, t, 0);
      t += 0.05;
    }
    CHECK(r.fill_rate > before);
  }
  /* a throttling answer cuts it */
  {
    double before = r.fill_rate;
    retry_rate_update(&r, t, 1);
    CHECK(r.fill_rate < before);
  }
}

static void test_unprocessed(void) {
  int n;
  for (n = 1; n <= 30; n++) {
    long cap = n <= 6 ? 500L << (n - 1) : 20000;
    if (cap > 20000) cap = 20000;
    CHECK_INT(retry_unprocessed_ms(n, 0), 0);
    CHECK_INT(retry_unprocessed_ms(n, 0xffffffffu), cap - 1);
    CHECK_INT(retry_unprocessed_ms(n, 0x80000000u), cap / 2);
  }
  CHECK_INT(RETRY_UNPROCESSED_ROUNDS, 12);
  /* give up after 12 answers in a row with something left, or once the
  ** backoff between them is past the retry time, whichever comes first */
  for (n = 1; n <= 11; n++) CHECK(!retry_unprocessed_give_up(n, 0, 120000));
  CHECK(retry_unprocessed_give_up(12, 0, 120000));
  CHECK(retry_unprocessed_give_up(13, 0, 120000));
  CHECK(!retry_unprocessed_give_up(3, 120000, 120000));
  CHECK(retry_unprocessed_give_up(3, 120001, 120000));
  CHECK(retry_unprocessed_give_up(1, 2, 1));
}

/* ---- --oracle ------------------------------------------------------------ */

static retry_mode mode_arg(const char *z) {
  retry_mode m = RETRY_STANDARD;
  if (retry_mode_parse(z, &m) != SQLITE_OK) {
    fprintf(stderr, "bad mode %s\n", z);
    exit(2);
  }
  return m;
}

static int oracle(void) {
  char line[512], a[7][128];
  retry_quota q;
  retry_rate r;
  retry_quota_init(&q);
  memset(&r, 0, sizeof(r));
  while (fgets(line, sizeof(line), stdin)) {
    int n = sscanf(line, "%127s %127s %127s %127s %127s %127s %127s", a[0], a[1], a[2], a[3],
                   a[4], a[5], a[6]);
    if (n >= 7 && strcmp(a[0], "classify") == 0) {
      retry_failure f;
      memset(&f, 0, sizeof(f));
      f.zOp = a[6];
      f.status = atol(a[2]);
      f.zCode = strcmp(a[3], "-") ? a[3] : 0;
      f.transport = atoi(a[4]);
      f.checksum = atoi(a[5]);
      printf("%d\n", retry_classify(mode_arg(a[1]), &f));
    } else if (n >= 6 && strcmp(a[0], "delay") == 0) {
      char *p;
      for (p = a[5]; *p; p++) {
        if (*p == '~') *p = ' ';
      }
      printf("%.9f\n", retry_delay_ms(mode_arg(a[1]), atoi(a[2]), atoi(a[3]),
                                      (unsigned)strtoul(a[4], 0, 10),
                                      strcmp(a[5], "-") ? retry_after_parse(a[5]) : -1));
    } else if (n >= 2 && strcmp(a[0], "attempts") == 0) {
      printf("%d\n", retry_default_attempts(mode_arg(a[1])));
    } else if (n >= 3 && strcmp(a[0], "quota") == 0) {
      int cost = 0;
      if (strcmp(a[1], "acquire") == 0) cost = retry_quota_acquire(&q, atoi(a[2]));
      else retry_quota_release(&q, atoi(a[2]));
      printf("%d %d\n", cost, q.available);
    } else if (n >= 3 && strcmp(a[0], "rate") == 0) {
      double t = strtod(a[2], 0), w = 0;
      if (strcmp(a[1], "init") == 0) retry_rate_init(&r, t);
      else if (strcmp(a[1], "acquire") == 0) w = retry_rate_acquire(&r, t);
      else retry_rate_update(&r, t, n >= 4 && atoi(a[3]));
      printf("%.9f %.9f %.9f %.9f %d\n", w, r.fill_rate, r.capacity, r.measured, r.enabled);
    } else {
      fprintf(stderr, "bad question: %s", line);
      return 2;
    }
    fflush(stdout);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--oracle") == 0) return oracle();
  RUN(test_modes);
  RUN(test_classes);
  RUN(test_delays);
  RUN(test_retry_after);
  RUN(test_quota);
  RUN(test_rate);
  RUN(test_unprocessed);
  CHECK_DONE();
}
