/* The floor for client CPU per item: a bare cJSON parse of Scan responses.
**
**   build/cjson_floor PAGES_FILE [REPS]
**
** PAGES_FILE holds the raw HTTP response bodies of a Scan, page after page,
** each preceded by its length as 4 bytes little-endian (bench/wl_floor.py
** writes it with the bytes DynamoDB Local sent for the extension's own
** request).
** Each repetition parses every page with cJSON_ParseWithLength, walks the
** whole tree (every node visited; Items[*].speed.N summed with strtod, as
** the query needs), and frees it with cJSON_Delete. Only that is inside the
** timed region (CLOCK_PROCESS_CPUTIME_ID); reading the file is not.
**
** Prints one JSON line: {"reps":..,"pages":..,"bytes":..,"items":..,
** "nodes":..,"sum":..,"cpu_s":[per repetition],"cpu_median_s":..}
*/
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  char *data;
  size_t len;
} Page;

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Visit every node; returns how many. */
static long walk(const cJSON *n) {
  long k = 1;
  for (const cJSON *c = n->child; c; c = c->next) k += walk(c);
  return k;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s PAGES_FILE [REPS]\n", argv[0]);
    return 2;
  }
  int reps = argc > 2 ? atoi(argv[2]) : 9;
  if (reps < 1) reps = 1;
  FILE *f = fopen(argv[1], "rb");
  if (!f) {
    perror(argv[1]);
    return 1;
  }
  Page *pages = NULL;
  size_t npages = 0, total = 0;
  for (;;) {
    unsigned char hdr[4];
    if (fread(hdr, 1, 4, f) != 4) break;
    size_t n = (size_t)hdr[0] | (size_t)hdr[1] << 8 | (size_t)hdr[2] << 16 | (size_t)hdr[3] << 24;
    Page *np = realloc(pages, (npages + 1) * sizeof *pages);
    if (!np) return 1;
    pages = np;
    pages[npages].data = malloc(n ? n : 1);
    pages[npages].len = n;
    if (!pages[npages].data || fread(pages[npages].data, 1, n, f) != n) {
      fprintf(stderr, "cjson_floor: truncated file %s\n", argv[1]);
      return 1;
    }
    total += n;
    npages++;
  }
  fclose(f);

  double *cpu = calloc((size_t)reps, sizeof *cpu);
  long items = 0, nodes = 0;
  double sum = 0;
  for (int r = 0; r < reps; r++) {
    items = 0;
    nodes = 0;
    sum = 0;
    double t0 = cpu_now();
    for (size_t p = 0; p < npages; p++) {
      cJSON *doc = cJSON_ParseWithLength(pages[p].data, pages[p].len);
      if (!doc) {
        fprintf(stderr, "cjson_floor: page %zu is not JSON\n", p);
        return 1;
      }
      nodes += walk(doc);
      const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "Items");
      const cJSON *it;
      cJSON_ArrayForEach(it, arr) {
        items++;
        const cJSON *speed = cJSON_GetObjectItemCaseSensitive(it, "speed");
        const cJSON *num = speed ? cJSON_GetObjectItemCaseSensitive(speed, "N") : NULL;
        if (cJSON_IsString(num)) sum += strtod(num->valuestring, NULL);
      }
      cJSON_Delete(doc);
    }
    cpu[r] = cpu_now() - t0;
  }
  printf("{\"reps\":%d,\"pages\":%zu,\"bytes\":%zu,\"items\":%ld,\"nodes\":%ld,\"sum\":%.17g,\"cpu_s\":[",
         reps, npages, total, items, nodes, sum);
  for (int r = 0; r < reps; r++) printf("%s%.9f", r ? "," : "", cpu[r]);
  qsort(cpu, (size_t)reps, sizeof *cpu, cmp_double);
  double med = reps % 2 ? cpu[reps / 2] : (cpu[reps / 2 - 1] + cpu[reps / 2]) / 2;
  printf("],\"cpu_median_s\":%.9f}\n", med);
  for (size_t p = 0; p < npages; p++) free(pages[p].data);
  free(pages);
  free(cpu);
  return 0;
}
