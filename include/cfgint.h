/*
** cfgint.h: what config.c and credchain.c share, and nothing else uses.
**
** cfg_resolve() (config.c) reads the two AWS files into a cfg_resolver and
** runs its steps over it; the credential chain (credchain.c) is one of
** them. The helpers read the environment and the table's profile the way
** every step must: an empty variable or value counts as unset, a copy that
** cannot be made sets x->oom (reported once the step ends), and cfg_fail()
** leaves the step's message in x->err.
*/
#ifndef DYNAMO_CFGINT_H
#define DYNAMO_CFGINT_H

#include "config.h"
#include "ini.h"

#define CFG_MAX_CHAIN 16 /* profiles in one source_profile chain */

/* A profile: its section in each file, or -1. */
typedef struct cfg_prof {
  const char *name;
  int csec, psec;
} cfg_prof;

typedef struct cfg_resolver {
  const cfg_options *opt;
  cfg_getenv_fn get_env;
  cfg_prof top; /* the profile the table uses */
  ini_file cred, conf;
  const char *visited[CFG_MAX_CHAIN]; /* source_profile chain, top first */
  int nvisited;
  int oom;
  cfg_resolved r;
  char *err;
} cfg_resolver;

/* x->err = the message (printf-style); SQLITE_ERROR, or SQLITE_NOMEM. */
int cfg_fail(cfg_resolver *x, const char *fmt, ...);

/* An environment variable through x->get_env; empty counts as unset. */
const char *cfg_env(const cfg_resolver *x, const char *name);

/* Is V "true", in any case? */
int cfg_is_true(const char *v);

/* Copies owned by what the step builds; NULL stays NULL. Running out of
** memory sets x->oom. */
char *cfg_xdup(cfg_resolver *x, const char *z);
char *cfg_xprintf(cfg_resolver *x, const char *fmt, ...);

/* The profile NAME: its section in each file (-1 where it has none). */
cfg_prof cfg_prof_of(const cfg_resolver *x, const char *name);

/* A setting of the profile: the credentials file's, else the config
** file's (botocore's merged profile); and the file it was found in. */
const char *cfg_pget(const cfg_resolver *x, const cfg_prof *p, const char *key);
const char *cfg_pfile(const cfg_resolver *x, const cfg_prof *p, const char *key);

/* credchain.c: botocore's chain into x->r.creds; SQLITE_OK with no source
** only when out of memory is pending (x->oom). */
int cfg_resolve_credentials(cfg_resolver *x);

/* Free a source and the chain of sources it names. */
void cfg_source_free(cfg_source *s);

#endif
