/*
** proc.h: a helper program run to its end, as credential_process is run
** (botocore's ProcessProvider): argv[0] found through PATH, stdin
** /dev/null, stdout and stderr collected up to their caps (the rest read
** and dropped), the signal mask and SIGPIPE/SIGXFSZ dispositions reset (a
** host that ignores SIGPIPE must not pass that on), for at most a time
** limit, and stopped at once when the caller's abort hook says so. A
** program stopped is killed and waited for: no zombie is left.
*/
#ifndef DYNAMO_PROC_H
#define DYNAMO_PROC_H

#include "common.h"
#include "http.h"

/* What one of the program's streams printed: z holds cap bytes (the
** caller's), n of them used. */
typedef struct proc_buf {
  char *z;
  size_t n, cap;
} proc_buf;

/* Run argv for at most timeout_ms. SQLITE_OK with *pStatus its wait
** status (0 when the host ignores SIGCHLD and there is none);
** SQLITE_ERROR with *pzErr ("cannot run "X": ...", or "did not finish
** within N ms and was stopped (the time limit is ZLIMIT)"); SQLITE_INTERRUPT
** with *pzErr ("interrupted and stopped") when ab (NULL: none) said stop,
** which it is asked every 50 ms; or SQLITE_NOMEM. */
int proc_run(char **argv, long timeout_ms, const char *zLimit, const http_abort *ab, proc_buf *pOut,
             proc_buf *pErr, int *pStatus, char **pzErr);

#endif
