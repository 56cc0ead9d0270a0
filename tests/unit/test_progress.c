/* Unit tests of progress.c's line: counts grouped by thousands, capacity
** to a tenth, the time and, after half a second, the rate. */
#include "progress.h"
#include "check.h"

static const char *line(sqlite3_int64 items, sqlite3_int64 requests, double capacity,
                        sqlite3_int64 ms) {
  static char buf[256];
  progress_counts p = {items, requests, capacity, ms};
  progress_format("Tracks", &p, buf, sizeof(buf));
  return buf;
}

static void test_format(void) {
  CHECK_STR(line(0, 1, 0, 100), "dynamo: Tracks: 0 items, 1 request, 0.0 capacity units, 0.1 s");
  CHECK_STR(line(48200, 12, 1536.5, 3100),
            "dynamo: Tracks: 48,200 items, 12 requests, 1,536.5 capacity units, 3.1 s, "
            "15,548 items/s");
  CHECK_STR(line(1234567, 1000, 999.95, 60000),
            "dynamo: Tracks: 1,234,567 items, 1,000 requests, 1,000.0 capacity units, 60.0 s, "
            "20,576 items/s");
  /* no rate before half a second, nor without items */
  CHECK_STR(line(10, 2, 0.5, 499), "dynamo: Tracks: 10 items, 2 requests, 0.5 capacity units, 0.4 s");
  CHECK_STR(line(0, 40, 40, 1500), "dynamo: Tracks: 0 items, 40 requests, 40.0 capacity units, 1.5 s");
}

int main(void) {
  RUN(test_format);
  CHECK_DONE();
}
