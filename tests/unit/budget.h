/*
** SQLite's allocator with a budget, for the out-of-memory tests: after
** budget_install(), set alloc_budget to the number of allocations that may
** still succeed (-1: any number); every one after them fails.
*/
#ifndef DYNAMO_BUDGET_H
#define DYNAMO_BUDGET_H

#include <sqlite3.h>

static sqlite3_mem_methods real_mem;
static int alloc_budget = -1; /* allocations left; -1: unlimited */

static int spend(void) {
  if (alloc_budget < 0) return 1;
  if (alloc_budget == 0) return 0;
  alloc_budget--;
  return 1;
}
static void *budget_malloc(int n) { return spend() ? real_mem.xMalloc(n) : 0; }
static void *budget_realloc(void *p, int n) { return spend() ? real_mem.xRealloc(p, n) : 0; }

/* Before any other use of SQLite (sqlite3_config's rule). */
static void budget_install(void) {
  sqlite3_mem_methods mem;
  sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem);
  mem = real_mem;
  mem.xMalloc = budget_malloc;
  mem.xRealloc = budget_realloc;
  sqlite3_config(SQLITE_CONFIG_MALLOC, &mem);
}

#endif
