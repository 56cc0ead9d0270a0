/*
** ini.h: the AWS shared config and credentials files, read as botocore's
** configparser reads them (the rules are in ext/ini.c). The file is parsed
** in place: every string an ini_line points at lives in ini_file.text.
*/
#ifndef DYNAMO_INI_H
#define DYNAMO_INI_H

#include "common.h"

#include <stddef.h>

/* One line that matters. A section's lines follow its header directly. */
typedef struct ini_line {
  const char *key;   /* NULL for a section header; lowercased */
  const char *sub;   /* key inside a nested block, else NULL */
  const char *value; /* section name for a header */
} ini_line;

typedef struct ini_file {
  char *path;   /* as named in messages and sources */
  int can_open; /* 0 when HOME is unset: path is only a description */
  char *text;   /* the contents, cut in place; lines point into it */
  size_t ntext;
  ini_line *a;
  int n, cap;
} ini_file;

/* Read and parse f->path (set by the caller; with can_open 0 it is only a
** description and the file is empty). A file that does not exist is
** empty; one that exists but cannot be read is an error naming it in
** *pzErr. SQLITE_OK, SQLITE_ERROR or SQLITE_NOMEM. */
int ini_load(ini_file *f, char **pzErr);

/* Free what f holds (the text wiped first: a credentials file holds
** secrets) and zero it. */
void ini_free(ini_file *f);

/* The index of the last section header selecting WANT, or -1. Without a
** prefix the header must be WANT exactly; with one ("profile",
** "services", "sso-session") the prefix, whitespace, then WANT. */
int ini_section(const ini_file *f, const char *prefix, const char *want);

/* A profile of the config file: [profile NAME], or [default] for
** "default" (the later of the two when both are there), or -1. */
int ini_profile(const ini_file *f, const char *name);

/* The last non-empty value of KEY (SUB in its nested block, else a plain
** key) in section SEC, or NULL (also when SEC is -1). */
const char *ini_get(const ini_file *f, int sec, const char *key, const char *sub);

#endif
