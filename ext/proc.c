/*
** proc.c: a helper program run to its end (see proc.h): credential_process.
*/
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WAIT_SLICE_MS 50 /* looks at its abort hook this often (as ddb.h's
                         ** DDB_WAIT_SLICE_MS) */

static sqlite3_int64 now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (sqlite3_int64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read what is there; 0 at end of file, -1 on error, 1 otherwise. Past
** cap the rest is read and dropped. */
static int drain(int fd, proc_buf *b) {
  char tmp[4096];
  ssize_t got = read(fd, tmp, sizeof(tmp));
  if (got < 0) return errno == EINTR || errno == EAGAIN ? 1 : -1;
  if (got == 0) return 0;
  if (b->n < b->cap) {
    size_t k = (size_t)got < b->cap - b->n ? (size_t)got : b->cap - b->n;
    memcpy(b->z + b->n, tmp, k);
    b->n += k;
  }
  memset(tmp, 0, sizeof(tmp));
  return 1;
}

int proc_run(char **argv, long timeout_ms, const char *zLimit, const http_abort *ab, proc_buf *pOut,
             proc_buf *pErr, int *pStatus, char **pzErr) {
  extern char **environ;
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  sigset_t none, dflt;
  int fo[2] = {-1, -1}, fe[2] = {-1, -1}, rc = SQLITE_OK, e, open = 2, stop = 0;
  long slice = ab ? WAIT_SLICE_MS : 1000;
  sqlite3_int64 deadline = now_ms() + timeout_ms;
  pid_t pid;
  if (pipe2(fo, O_CLOEXEC) != 0 || pipe2(fe, O_CLOEXEC) != 0) {
    *pzErr = sqlite3_mprintf("cannot make a pipe: %s", strerror(errno));
    if (fo[0] >= 0) close(fo[0]), close(fo[1]);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, fo[1], 1);
  posix_spawn_file_actions_adddup2(&fa, fe[1], 2);
  posix_spawnattr_init(&attr);
  sigemptyset(&none);
  sigemptyset(&dflt); /* a host that ignores SIGPIPE must not pass that on */
  sigaddset(&dflt, SIGPIPE);
  sigaddset(&dflt, SIGXFSZ);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &dflt);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  e = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(fo[1]);
  close(fe[1]);
  if (e != 0) {
    close(fo[0]);
    close(fe[0]);
    *pzErr = sqlite3_mprintf("cannot run \"%s\": %s", argv[0], strerror(e));
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  while (open > 0) {
    struct pollfd pfd[2] = {{fo[0], POLLIN, 0}, {fe[0], POLLIN, 0}};
    sqlite3_int64 left = deadline - now_ms();
    int i, n;
    if (left <= 0 || (stop = http_aborted(ab)) != 0) break;
    n = poll(pfd, 2, (int)(left > slice ? slice : left));
    if (n < 0 && errno != EINTR) break;
    for (i = 0; i < 2 && n > 0; i++) {
      if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      if (drain(pfd[i].fd, i == 0 ? pOut : pErr) <= 0) {
        close(pfd[i].fd);
        if (i == 0) fo[0] = -1;
        else fe[0] = -1;
        open--;
      }
    }
  }
  if (fo[0] >= 0) close(fo[0]);
  if (fe[0] >= 0) close(fe[0]);
  for (;;) { /* its streams are closed; it may still be running */
    pid_t w;
    if (stop) {
      kill(pid, SIGKILL);
      while (waitpid(pid, pStatus, 0) < 0 && errno == EINTR) {
      }
      *pzErr = sqlite3_mprintf("interrupted and stopped");
      rc = *pzErr ? SQLITE_INTERRUPT : SQLITE_NOMEM;
      break;
    }
    w = waitpid(pid, pStatus, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno == ECHILD) { /* SIGCHLD ignored by the host: no status */
      *pStatus = 0;
      break;
    }
    if (w < 0 && errno != EINTR) break;
    if (now_ms() >= deadline) {
      kill(pid, SIGKILL);
      while (waitpid(pid, pStatus, 0) < 0 && errno == EINTR) {
      }
      *pzErr = sqlite3_mprintf("did not finish within %ld ms and was stopped (the time limit is "
                               "%s)",
                               timeout_ms, zLimit);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
      break;
    }
    dyn_sleep_ms(5);
    stop = http_aborted(ab);
  }
  return rc;
}
