/*
** A minimal test harness for the unit tests of the pure modules. Each
** tests/unit/test_*.c is its own program: it defines test functions, lists
** them in main() with RUN(), and ends with CHECK_DONE(), which prints the
** closing line "N passed, N failed" that tests/run.sh adds up.
*/
#ifndef DYNAMO_CHECK_H
#define DYNAMO_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;
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
    check_current = #fn;                                                   \
    fn();                                                                  \
  } while (0)

#define CHECK_DONE()                                                       \
  do {                                                                     \
    printf("%d passed, %d failed\n", check_passed, check_failed);         \
    return check_failed ? 1 : 0;                                           \
  } while (0)

#endif
