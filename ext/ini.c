/*
** ini.c: the AWS shared config and credentials files (see ini.h).
**
** The files are read the way botocore's configparser reads them: section
** names are case-sensitive, top-level keys are lowercased, '=' or ':'
** separates key and value, whole-line comments start with '#' or ';', a line
** indented deeper than the key above it continues that key (a key with an
** empty value followed by indented "k = v" lines is a nested block), and
** when several sections name the same profile the last one wins. Beyond
** botocore, " #" and " ;" start an inline comment.
*/
#include "ini.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The text is wiped whole: a NUL inside it must not stop the wipe. */
static void wipe_free(void *p, size_t n) {
  volatile unsigned char *v = p;
  while (v && n--) *v++ = 0;
  sqlite3_free(p);
}

void ini_free(ini_file *f) {
  sqlite3_free(f->path);
  wipe_free(f->text, f->ntext);
  sqlite3_free(f->a);
  memset(f, 0, sizeof *f);
}

/* Appends a line; returns its index, or -1 when out of memory. */
static int ini_add(ini_file *f, const char *key, const char *sub,
                   const char *value) {
  if (f->n == f->cap) {
    int cap = f->cap ? 2 * f->cap : 32;
    ini_line *a = sqlite3_realloc64(f->a, (sqlite3_uint64)cap * sizeof *a);
    if (!a) return -1;
    f->a = a;
    f->cap = cap;
  }
  f->a[f->n].key = key;
  f->a[f->n].sub = sub;
  f->a[f->n].value = value;
  return f->n++;
}

static char *trim(char *s) {
  size_t n;
  while (isspace((unsigned char)*s)) s++;
  n = strlen(s);
  while (n > 0 && isspace((unsigned char)s[n - 1])) s[--n] = 0;
  return s;
}

/* Cuts an inline comment: '#' or ';' right after a space or tab. */
static void cut_comment(char *s) {
  for (; *s; s++) {
    if ((s[1] == '#' || s[1] == ';') && (s[0] == ' ' || s[0] == '\t')) {
      s[1] = 0;
      return;
    }
  }
}

static int ini_parse(ini_file *f) {
  char *p = f->text;
  int have_section = 0, key = -1;
  size_t key_indent = 0;

  if (strncmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3; /* UTF-8 BOM */
  while (*p) {
    char *line = p, *s, *sep;
    size_t indent;

    p += strcspn(p, "\n");
    if (*p) *p++ = 0;
    indent = strspn(line, " \t");
    s = line + indent;
    cut_comment(s);
    s = trim(s);
    if (*s == 0 || *s == '#' || *s == ';') continue;

    if (key >= 0 && indent > key_indent) { /* continues the key above */
      if (f->a[key].value[0] == 0 && (sep = strchr(s, '=')) != NULL) {
        *sep = 0;
        if (ini_add(f, f->a[key].key, trim(s), trim(sep + 1)) < 0)
          return SQLITE_NOMEM;
      } /* else: a multi-line value, of which only the first line is kept */
      continue;
    }
    key = -1;
    if (*s == '[' && (sep = strrchr(s, ']')) != NULL && sep > s + 1) {
      *sep = 0;
      if (ini_add(f, NULL, NULL, s + 1) < 0) return SQLITE_NOMEM;
      have_section = 1;
      continue;
    }
    sep = strpbrk(s, "=:");
    if (!have_section || !sep || sep == s) continue; /* not a key: skipped */
    *sep = 0;
    for (char *k = s; *k; k++) *k = (char)tolower((unsigned char)*k);
    key = ini_add(f, trim(s), NULL, trim(sep + 1));
    if (key < 0) return SQLITE_NOMEM;
    key_indent = indent;
  }
  return SQLITE_OK;
}

/*
** Reads and parses f->path. A file that does not exist is empty; one that
** exists but cannot be read is an error naming it.
*/
int ini_load(ini_file *f, char **pzErr) {
  FILE *fp;
  size_t cap = 0;
  int rc = SQLITE_OK;

  if (!f->can_open) return SQLITE_OK;
  fp = fopen(f->path, "rb");
  if (!fp) {
    if (errno == ENOENT || errno == ENOTDIR) return SQLITE_OK;
    *pzErr = sqlite3_mprintf("dynamo: cannot read %s: %s", f->path,
                             strerror(errno));
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  for (;;) {
    size_t got;
    if (cap - f->ntext < 4096) {
      char *t;
      cap = cap ? 2 * cap : 8192;
      t = sqlite3_malloc64(cap); /* not realloc: the old copy is wiped */
      if (!t) {
        rc = SQLITE_NOMEM;
        goto done;
      }
      if (f->text) memcpy(t, f->text, f->ntext);
      wipe_free(f->text, f->ntext);
      f->text = t;
    }
    got = fread(f->text + f->ntext, 1, cap - f->ntext - 1, fp);
    f->ntext += got;
    if (got == 0) break;
  }
  if (ferror(fp)) {
    *pzErr = sqlite3_mprintf("dynamo: cannot read %s: %s", f->path,
                             strerror(errno));
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    goto done;
  }
  f->text[f->ntext] = 0;
  rc = ini_parse(f);
done:
  fclose(fp);
  return rc;
}

/*
** Does a section header select WANT? Without a prefix the name must be WANT
** exactly; with one ("profile", "services") it must be the prefix,
** whitespace, then WANT (whitespace around WANT ignored), as botocore's
** shlex split reads it.
*/
static int section_is(const char *name, const char *prefix, const char *want) {
  size_t n;
  if (!prefix) return strcmp(name, want) == 0;
  n = strlen(prefix);
  if (strncmp(name, prefix, n) != 0 || !isspace((unsigned char)name[n]))
    return 0;
  name += n;
  while (isspace((unsigned char)*name)) name++;
  n = strlen(want);
  if (strncmp(name, want, n) != 0) return 0;
  for (name += n; *name; name++)
    if (!isspace((unsigned char)*name)) return 0;
  return 1;
}

/* Index of the last header selecting WANT, or -1. */
int ini_section(const ini_file *f, const char *prefix,
                       const char *want) {
  int i, found = -1;
  for (i = 0; i < f->n; i++)
    if (!f->a[i].key && section_is(f->a[i].value, prefix, want)) found = i;
  return found;
}

/* A profile of the config file: [profile NAME], or [default] for default. */
int ini_profile(const ini_file *f, const char *name) {
  int a = ini_section(f, "profile", name);
  int b = strcmp(name, "default") == 0 ? ini_section(f, NULL, "default") : -1;
  return a > b ? a : b;
}

/* The last non-empty value of KEY (SUB in its nested block) in section SEC. */
const char *ini_get(const ini_file *f, int sec, const char *key,
                           const char *sub) {
  const char *v = NULL;
  int i;
  if (sec < 0) return NULL;
  for (i = sec + 1; i < f->n && f->a[i].key; i++) {
    const ini_line *l = &f->a[i];
    if (strcmp(l->key, key) != 0) continue;
    if (sub ? l->sub && strcmp(l->sub, sub) == 0 : !l->sub) v = l->value;
  }
  return v && *v ? v : NULL;
}
