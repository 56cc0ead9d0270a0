/*
** A minimal test harness for the unit tests of the pure modules. Each
** tests/unit/test_*.c is its own program: it defines test functions, lists
** them in main() with RUN(), and ends with CHECK_DONE(), which prints the
** number of checks on one line and then the closing line "N passed, N
** failed" that tests/run.sh adds up: it counts test functions, one failed
** when any of its checks failed or it made none, so that a test lost or
** emptied shows in the count.
** (Test functions are static: one defined and not RUN() is an unused
** function, which -Wall -Werror refuses.)
*/
#ifndef DYNAMO_CHECK_H
#define DYNAMO_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;
static int check_tests_passed, check_tests_failed;
static const char *check_current = "";

#define CHECK(cond)                                                        \
  do {                                                                     \
    if (cond) check_passed++;                                              \
    else {                                                                 \
      check_failed++;                                                      \
      fprintf(stderr, "FAIL %s (%s:%d): %s\n", check_current, __FILE__,   \
              __LINE__, #cond);                                            \
    }                                                                      \
  } while (0)

#define CHECK_STR(got, want)                                               \
  do {                                                                     \
    const char *g_ = (got), *w_ = (want);                                  \
    if (g_ && w_ && strcmp(g_, w_) == 0) check_passed++;                   \
    else {                                                                 \
      check_failed++;                                                      \
      fprintf(stderr, "FAIL %s (%s:%d): %s\n  got:  [%s]\n  want: [%s]\n", \
              check_current, __FILE__, __LINE__, #got, g_ ? g_ : "(null)", \
              w_ ? w_ : "(null)");                                         \
    }                                                                      \
  } while (0)

#define CHECK_INT(got, want)                                               \
  do {                                                                     \
    long long g_ = (long long)(got), w_ = (long long)(want);               \
    if (g_ == w_) check_passed++;                                          \
    else {                                                                 \
      check_failed++;                                                      \
      fprintf(stderr, "FAIL %s (%s:%d): %s\n  got:  %lld\n  want: %lld\n", \
              check_current, __FILE__, __LINE__, #got, g_, w_);            \
    }                                                                      \
  } while (0)

#define RUN(fn)                                                            \
  do {                                                                     \
    int failed_before_ = check_failed, made_before_ = check_passed + check_failed; \
    check_current = #fn;                                                   \
    fn();                                                                  \
    if (check_passed + check_failed == made_before_) {                    \
      fprintf(stderr, "FAIL %s: made no check\n", #fn);                   \
      check_tests_failed++;                                                \
    } else if (check_failed > failed_before_) check_tests_failed++;        \
    else check_tests_passed++;                                             \
  } while (0)

#define CHECK_DONE()                                                       \
  do {                                                                     \
    printf("checks: %d passed, %d failed\n", check_passed, check_failed);  \
    printf("%d passed, %d failed\n", check_tests_passed,                   \
           check_tests_failed);                                            \
    return check_failed ? 1 : 0;                                           \
  } while (0)

#endif
