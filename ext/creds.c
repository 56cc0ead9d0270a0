/*
** creds.c: credentials fetched from their source and refreshed (creds.h).
**
** One provider per source: an assumed role's provider holds its source's
** provider (p->inner), which refreshes on its own schedule. Every fetch
** runs with the provider's mutex held (outer before inner), so a refresh
** happens once however many requests wait for it. The answers' formats
** are in credparse.c; this file does the I/O: HTTP through http_fetch(),
** files, and credential_process through proc_run() (proc.c).
*/
#include "creds.h"
#include "credparse.h"
#include "http.h"
#include "proc.h"
#include "sigv4.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STS_VERSION "2011-06-15"
#define STS_ATTEMPTS 3
#define CONTAINER_TIMEOUT_MS 2000 /* botocore's ContainerMetadataFetcher */
#define CONTAINER_ATTEMPTS 3
#define CONTAINER_SLEEP_MS 1000
#define IMDS_TOKEN_TTL "21600"
#define SSO_REFRESH_MS (15 * 60 * 1000) /* botocore's SSOTokenProvider */
#define PROCESS_TIMEOUT_MS 60000
#define MAX_FILE (1 << 20)        /* a token file or a process's output */
#define WAIT_SLICE_MS 50          /* a wait looks at its abort hook this often
                                  ** (as ddb.h's DDB_WAIT_SLICE_MS) */

struct creds_provider {
  pthread_mutex_t mu;
  const cfg_source *src;     /* borrowed */
  creds_provider *inner;     /* an assumed role's source */
  long timeout_ms;
  char *zCa;
  creds_keys *cur;           /* NULL until the first fetch */
  sqlite3_int64 fetched;     /* ms, of cur */
  unsigned nFetch;
  int nKept;                 /* advisory refreshes that failed */
  char *zLabel;
  void *owner;
  creds_provider *pNext;     /* in the registry, when owner is set */
};

/* Every provider with an owner, for dynamo_debug(). */
static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static creds_provider *reg_first;

static sqlite3_int64 now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (sqlite3_int64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "interrupted WHAT" in *pzErr: SQLITE_INTERRUPT, or SQLITE_NOMEM. */
static int interrupted(char **pzErr, const char *zWhat) {
  *pzErr = sqlite3_mprintf("interrupted %s", zWhat);
  return *pzErr ? SQLITE_INTERRUPT : SQLITE_NOMEM;
}

/* The wait before trying zUrl again: ms, in slices of WAIT_SLICE_MS, each
** after a look at ab. SQLITE_OK, or SQLITE_INTERRUPT with *pzErr. */
static int nap(const http_abort *ab, long ms, const char *zUrl, char **pzErr) {
  sqlite3_int64 end = now_ms() + ms, left;
  while ((left = end - now_ms()) > 0) {
    if (http_aborted(ab)) {
      char *z = sqlite3_mprintf("before trying %s again", zUrl);
      int rc = z ? interrupted(pzErr, z) : SQLITE_NOMEM;
      sqlite3_free(z);
      return rc;
    }
    dyn_sleep_ms(left < WAIT_SLICE_MS ? (long)left : WAIT_SLICE_MS);
  }
  return SQLITE_OK;
}

/* http_fetch(), stopped by ab: SQLITE_INTERRUPT with *pzErr naming zUrl. */
static int fetch_url(const http_abort *ab, const char *zMethod, const char *zUrl,
                     const http_header *aHdr, int nHdr, const char *body, size_t nbody,
                     long timeout_ms, const char *zCa, http_response *resp, char **pzErr) {
  int rc = http_fetch(zMethod, zUrl, aHdr, nHdr, body, nbody, timeout_ms, zCa, ab, resp);
  if (rc == SQLITE_INTERRUPT) {
    char *z = sqlite3_mprintf("waiting for %s", zUrl);
    rc = z ? interrupted(pzErr, z) : SQLITE_NOMEM;
    sqlite3_free(z);
  }
  return rc;
}

/* ---- keys ---------------------------------------------------------------- */

static void keys_unref(creds_keys *k) {
  if (k && --k->refs == 0) {
    sqlite3_free(k->access_key_id);
    cp_wipe_free(k->secret_access_key);
    cp_wipe_free(k->session_token);
    sqlite3_free(k->account_id);
    sqlite3_free(k);
  }
}

/* Mask every occurrence of zSecret in z, unless it is too short to be one
** or an ordinary word: letters (and spaces) only, shorter than 40. Such a
** value (the key "local" that make server exports) is a placeholder that
** the extension's own text may hold ("is the local server running?");
** no AWS secret key or token is one (40 characters and more, of letters,
** digits, + and /). */
static void redact_one(char *z, const char *zSecret) {
  size_t n = zSecret ? strlen(zSecret) : 0, i;
  char *p;
  if (n < 4 || !z) return;
  for (i = 0; i < n && (isalpha((unsigned char)zSecret[i]) || zSecret[i] == ' '); i++) {
  }
  if (i == n && n < 40) return;
  while ((p = strstr(z, zSecret)) != 0) memset(p, '*', n);
}

static void redact_locked(creds_provider *p, char *z) {
  if (p->cur) {
    redact_one(z, p->cur->secret_access_key);
    redact_one(z, p->cur->session_token);
  }
  if (p->src->kind == CFG_STATIC) {
    redact_one(z, p->src->secret_access_key);
    redact_one(z, p->src->session_token);
  }
  redact_one(z, p->src->auth_token);
}

/* "dynamo: WHERE: MSG" (MSG taken), redacted. */
static char *where_msg(creds_provider *p, char *zMsg) {
  char *z = zMsg ? sqlite3_mprintf("dynamo: %s: %s", p->src->where, zMsg) : 0;
  sqlite3_free(zMsg);
  if (z) redact_locked(p, z);
  return z;
}

/* A message of an inner provider without its "dynamo: ". */
static const char *bare(const char *z) {
  return strncmp(z, "dynamo: ", 8) == 0 ? z + 8 : z;
}

/* ---- files ------------------------------------------------------------- */

/* The whole file, or NULL with errno set (EFBIG when it is too large). */
static char *read_file(const char *zPath, size_t *pn) {
  FILE *f = fopen(zPath, "rb");
  char *z;
  size_t n;
  if (!f) return 0;
  z = sqlite3_malloc(MAX_FILE + 1);
  if (!z) {
    fclose(f);
    errno = ENOMEM;
    return 0;
  }
  n = fread(z, 1, MAX_FILE + 1, f);
  if (ferror(f) || n > MAX_FILE) {
    int e = ferror(f) ? errno : EFBIG;
    fclose(f);
    memset(z, 0, n);
    sqlite3_free(z);
    errno = e ? e : EIO;
    return 0;
  }
  fclose(f);
  z[n] = 0;
  *pn = n;
  return z;
}

static void free_file(char *z, size_t n) {
  if (z) memset(z, 0, n);
  sqlite3_free(z);
}

/* ---- HTTP -------------------------------------------------------------- */

/* One line saying what went wrong with an answer that is not a success. */
static char *http_problem(const char *zUrl, const http_response *r) {
  char *zEx, *z;
  if (r->curl_code) return sqlite3_mprintf("cannot reach %s: %s", zUrl, r->error);
  zEx = cp_excerpt(r->body, r->nbody, 200);
  z = zEx ? sqlite3_mprintf("%s answered HTTP %ld: %s", zUrl, r->status, zEx) : 0;
  sqlite3_free(zEx);
  return z;
}

/* Would a transfer error pass if tried again? */
static int transient(int curl_code) {
  return http_is_retryable(curl_code);
}

static int is_throttling(const char *zCode) {
  return zCode && (strcmp(zCode, "Throttling") == 0 || strcmp(zCode, "ThrottlingException") == 0 ||
         strcmp(zCode, "RequestLimitExceeded") == 0 || strcmp(zCode, "IDPCommunicationError") == 0);
}

/* An STS action: POST the form, signed with k (NULL: unsigned), at most
** STS_ATTEMPTS tries for transport errors, 5xx and throttling. On a
** refusal *pzCode is STS's error code ("" for other failures). */
static int sts_call(creds_provider *p, const http_abort *ab, const char *zAction,
                    const char *zForm, const creds_keys *k, cp_creds *pOut, char **pzCode,
                    char **pzErr) {
  static const char zType[] = "application/x-www-form-urlencoded; charset=utf-8";
  const cfg_source *s = p->src;
  char *zHost = 0, *zPath = 0, *zProblem = 0;
  int rc, attempt;
  *pzCode = 0;
  if ((rc = http_url_parts(s->url, &zHost, &zPath)) == SQLITE_ERROR) {
    *pzErr = sqlite3_mprintf("invalid STS endpoint URL %s", s->url);
  }
  for (attempt = 1; rc == SQLITE_OK; attempt++) {
    sigv4_header sh[2] = {{"Content-Type", zType}, {"Host", zHost}};
    http_header hh[5] = {{"Content-Type", zType}, {"Host", zHost}};
    sigv4_output out;
    http_response resp;
    int n = 2, retry;
    memset(&out, 0, sizeof(out));
    if (k) {
      sigv4_input in;
      memset(&in, 0, sizeof(in));
      in.method = "POST";
      in.path = zPath;
      in.query = "";
      in.headers = sh;
      in.nheader = 2;
      in.body = zForm;
      in.nbody = strlen(zForm);
      in.access_key_id = k->access_key_id;
      in.secret_access_key = k->secret_access_key;
      in.session_token = k->session_token;
      in.region = s->region;
      in.service = "sts";
      in.now = time(0);
      if ((rc = sigv4_sign(&in, &out)) != SQLITE_OK) {
        if (rc == SQLITE_ERROR) *pzErr = sqlite3_mprintf("cannot sign %s", zAction);
        break;
      }
      hh[n++] = (http_header){"X-Amz-Date", out.amz_date};
      if (k->session_token) hh[n++] = (http_header){"X-Amz-Security-Token", k->session_token};
      hh[n++] = (http_header){"Authorization", out.authorization};
    }
    rc = fetch_url(ab, "POST", s->url, hh, n, zForm, strlen(zForm), p->timeout_ms, p->zCa, &resp,
                   pzErr);
    sigv4_output_free(&out);
    if (rc != SQLITE_OK) break;
    sqlite3_free(*pzCode);
    *pzCode = 0;
    if (resp.curl_code) {
      retry = transient(resp.curl_code);
      rc = (zProblem = http_problem(s->url, &resp)) != 0 ? SQLITE_ERROR : SQLITE_NOMEM;
    } else {
      rc = cp_parse_sts(resp.body, resp.nbody, resp.status, pOut, pzCode, &zProblem);
      retry = rc == SQLITE_ERROR && (resp.status >= 500 || is_throttling(*pzCode));
    }
    http_response_clear(&resp);
    if (rc == SQLITE_ERROR && retry && attempt < STS_ATTEMPTS) {
      sqlite3_free(zProblem);
      zProblem = 0;
      if ((rc = nap(ab, 100L << attempt, s->url, pzErr)) != SQLITE_OK) break;
      continue;
    }
    if (rc == SQLITE_ERROR) *pzErr = sqlite3_mprintf("%s failed: %s", zAction, zProblem);
    break;
  }
  if (rc == SQLITE_ERROR && !*pzErr) rc = SQLITE_NOMEM;
  if (rc != SQLITE_OK && !*pzCode) *pzCode = sqlite3_mprintf("");
  sqlite3_free(zProblem);
  sqlite3_free(zHost);
  sqlite3_free(zPath);
  return rc;
}

/* ---- the sources ------------------------------------------------------- */

static int copy_static(const cfg_source *s, cp_creds *pOut) {
  pOut->access_key_id = sqlite3_mprintf("%s", s->access_key_id);
  pOut->secret_access_key = sqlite3_mprintf("%s", s->secret_access_key);
  if (s->session_token) pOut->session_token = sqlite3_mprintf("%s", s->session_token);
  pOut->expires = 0;
  if (pOut->access_key_id && pOut->secret_access_key &&
      (!s->session_token || pOut->session_token))
    return SQLITE_OK;
  cp_creds_clear(pOut);
  return SQLITE_NOMEM;
}

static int provider_get(creds_provider *p, const http_abort *ab, int force, unsigned gen,
                        const creds_keys **pk, char **pzErr);

/* role_arn: AssumeRole signed with the source's credentials; once more
** with renewed ones when STS says they expired. */
static int fetch_assume_role(creds_provider *p, const http_abort *ab, cp_creds *pOut,
                             char **pzErr) {
  const cfg_source *s = p->src;
  char zName[64], zDur[16];
  const char *azForm[] = {"Action", "AssumeRole", "Version", STS_VERSION, "RoleArn", s->role_arn,
                          "RoleSessionName", s->role_session_name, "ExternalId", s->external_id,
                          "DurationSeconds", 0, 0};
  char *zForm, *zCode = 0;
  int rc, tries;
  if (!s->role_session_name) {
    sqlite3_snprintf(sizeof(zName), zName, "dynamo-session-%lld", (long long)(now_ms() / 1000));
    azForm[7] = zName;
  }
  if (s->duration_seconds > 0) {
    sqlite3_snprintf(sizeof(zDur), zDur, "%d", s->duration_seconds);
    azForm[11] = zDur;
  }
  if (!(zForm = cp_form(azForm))) return SQLITE_NOMEM;
  for (tries = 0; tries < 2; tries++) {
    const creds_keys *k;
    char *zInner = 0;
    if ((rc = provider_get(p->inner, ab, tries > 0, 0, &k, &zInner)) != SQLITE_OK) {
      *pzErr = zInner ? sqlite3_mprintf("%s", bare(zInner)) : 0;
      sqlite3_free(zInner);
      break;
    }
    sqlite3_free(zCode);
    rc = sts_call(p, ab, "AssumeRole", zForm, k, pOut, &zCode, pzErr);
    creds_release(p->inner, k);
    if (rc != SQLITE_ERROR || !zCode || strcmp(zCode, "ExpiredToken") != 0 || tries > 0) break;
    sqlite3_free(*pzErr); /* the source's credentials expired: renew them */
    *pzErr = 0;
  }
  sqlite3_free(zCode);
  sqlite3_free(zForm);
  return rc;
}

static int fetch_web_identity(creds_provider *p, const http_abort *ab, cp_creds *pOut,
                              char **pzErr) {
  const cfg_source *s = p->src;
  char zName[64], *zToken, *zForm, *zCode = 0;
  size_t n = 0;
  int rc;
  if (!(zToken = read_file(s->token_file, &n))) {
    if (errno == ENOMEM) return SQLITE_NOMEM;
    *pzErr = sqlite3_mprintf("cannot read the web identity token file %s: %s", s->token_file,
                             strerror(errno));
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  sqlite3_snprintf(sizeof(zName), zName, "dynamo-session-%lld", (long long)(now_ms() / 1000));
  {
    const char *azForm[] = {"Action", "AssumeRoleWithWebIdentity", "Version", STS_VERSION,
                            "RoleArn", s->role_arn, "RoleSessionName",
                            s->role_session_name ? s->role_session_name : zName,
                            "WebIdentityToken", zToken, 0};
    zForm = cp_form(azForm);
  }
  free_file(zToken, n);
  if (!zForm) return SQLITE_NOMEM;
  rc = sts_call(p, ab, "AssumeRoleWithWebIdentity", zForm, 0, pOut, &zCode, pzErr);
  cp_wipe_free(zForm);
  sqlite3_free(zCode);
  return rc;
}

/* The first line of a body, as a string (IMDS role names). */
static char *first_line(const http_response *r) {
  size_t n = strcspn(r->body, "\r\n");
  return sqlite3_mprintf("%.*s", (int)n, r->body);
}

/* GET an instance metadata path, tried s->attempts times while the answer
** is not a 200 with a body. */
static int imds_get(creds_provider *p, const http_abort *ab, const char *zPath,
                    const char *zToken, http_response *pResp, char **pzErr) {
  const cfg_source *s = p->src;
  char *zUrl = sqlite3_mprintf("%s/%s", s->url, zPath);
  http_header h = {"x-aws-ec2-metadata-token", zToken};
  int i, rc = SQLITE_NOMEM;
  if (!zUrl) return SQLITE_NOMEM;
  for (i = 0; i < s->attempts; i++) {
    if ((rc = fetch_url(ab, "GET", zUrl, &h, zToken ? 1 : 0, 0, 0, s->timeout_ms, 0, pResp,
                        pzErr)) != SQLITE_OK)
      break;
    if (!pResp->curl_code && pResp->status == 200 && pResp->nbody > 0) break;
    if (i + 1 == s->attempts) {
      *pzErr = pResp->nbody || pResp->curl_code
                   ? http_problem(zUrl, pResp)
                   : sqlite3_mprintf("%s answered HTTP %ld with no body", zUrl, pResp->status);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    http_response_clear(pResp);
  }
  sqlite3_free(zUrl);
  return rc;
}

/* EC2 instance metadata: an IMDSv2 token (IMDSv1 when the service refuses
** tokens with 403, 404 or 405, or times out, as botocore), the role name,
** its credentials. */
static int fetch_imds(creds_provider *p, const http_abort *ab, cp_creds *pOut, char **pzErr) {
  const cfg_source *s = p->src;
  http_header h = {"x-aws-ec2-metadata-token-ttl-seconds", IMDS_TOKEN_TTL};
  http_response r;
  char *zUrl, *zToken = 0, *zRole = 0, *zPath;
  int i, rc = SQLITE_OK;
  if (!(zUrl = sqlite3_mprintf("%s/latest/api/token", s->url))) return SQLITE_NOMEM;
  for (i = 0; i < s->attempts && rc == SQLITE_OK; i++) {
    if ((rc = fetch_url(ab, "PUT", zUrl, &h, 1, 0, 0, s->timeout_ms, 0, &r, pzErr)) != SQLITE_OK)
      break;
    if (!r.curl_code && r.status == 200 && r.nbody > 0) {
      if (!(zToken = first_line(&r))) rc = SQLITE_NOMEM;
    } else if (!r.curl_code && r.status == 400) {
      *pzErr = sqlite3_mprintf("%s refused the token request (HTTP 400)", zUrl);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    } else if ((!r.curl_code && (r.status == 403 || r.status == 404 || r.status == 405)) ||
               r.curl_code == CURLE_OPERATION_TIMEDOUT) {
      i = s->attempts; /* no token: IMDSv1 */
    } /* else tried again; without a token at last, the reads below say why */
    http_response_clear(&r);
    if (zToken) break;
  }
  sqlite3_free(zUrl);
  if (rc == SQLITE_OK && !zToken && s->v1_disabled) {
    *pzErr = sqlite3_mprintf("no IMDSv2 token from %s/latest/api/token, and IMDSv1 is disabled "
                             "(ec2_metadata_v1_disabled)",
                             s->url);
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (rc == SQLITE_OK &&
      (rc = imds_get(p, ab, "latest/meta-data/iam/security-credentials/", zToken, &r, pzErr)) ==
          SQLITE_OK) {
    zRole = first_line(&r);
    http_response_clear(&r);
    if (!zRole) rc = SQLITE_NOMEM;
  }
  if (rc == SQLITE_OK) {
    if (!(zPath = sqlite3_mprintf("latest/meta-data/iam/security-credentials/%s", zRole))) {
      rc = SQLITE_NOMEM;
    } else if ((rc = imds_get(p, ab, zPath, zToken, &r, pzErr)) == SQLITE_OK) {
      rc = cp_parse_json(CP_IMDS, r.body, r.nbody, pOut, pzErr);
      http_response_clear(&r);
      if (rc == SQLITE_ERROR) {
        char *z = sqlite3_mprintf("the credentials of role %s: %s", zRole, *pzErr);
        sqlite3_free(*pzErr);
        *pzErr = z;
        if (!z) rc = SQLITE_NOMEM;
      }
    }
    sqlite3_free(zPath);
  }
  cp_wipe_free(zToken);
  sqlite3_free(zRole);
  return rc;
}

/* The container endpoint: GET with the authorization token, 3 attempts a
** second apart while it cannot be reached or does not answer 200. */
static int fetch_container(creds_provider *p, const http_abort *ab, cp_creds *pOut,
                           char **pzErr) {
  const cfg_source *s = p->src;
  http_header hh[2] = {{"Accept", "application/json"}, {"Authorization", s->auth_token}};
  char *zToken = 0;
  size_t nToken = 0;
  int i, rc = SQLITE_OK;
  if (s->auth_token_file) {
    if (!(zToken = read_file(s->auth_token_file, &nToken))) {
      if (errno == ENOMEM) return SQLITE_NOMEM;
      *pzErr = sqlite3_mprintf("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s: %s",
                               s->auth_token_file, strerror(errno));
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    if (strpbrk(zToken, "\r\n") || strlen(zToken) != nToken) {
      free_file(zToken, nToken);
      *pzErr = sqlite3_mprintf("the token in AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s holds a "
                               "line break, which no HTTP header can carry",
                               s->auth_token_file);
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    hh[1].value = zToken;
  }
  for (i = 0; i < CONTAINER_ATTEMPTS; i++) {
    http_response r;
    if ((rc = fetch_url(ab, "GET", s->url, hh, hh[1].value ? 2 : 1, 0, 0, CONTAINER_TIMEOUT_MS,
                        p->zCa, &r, pzErr)) != SQLITE_OK)
      break;
    if (!r.curl_code && r.status == 200) {
      rc = cp_parse_json(CP_CONTAINER, r.body, r.nbody, pOut, pzErr);
      http_response_clear(&r);
      break;
    }
    if (i + 1 == CONTAINER_ATTEMPTS) {
      *pzErr = http_problem(s->url, &r);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    http_response_clear(&r);
    if (rc != SQLITE_OK) break;
    if (i + 1 < CONTAINER_ATTEMPTS && (rc = nap(ab, CONTAINER_SLEEP_MS, s->url, pzErr)) != SQLITE_OK)
      break;
  }
  free_file(zToken, nToken);
  return rc;
}

/* ---- credential_process ---------------------------------------------- */

static long process_timeout(void) {
  const char *z = getenv("DYNAMO_CREDENTIAL_PROCESS_TIMEOUT_MS");
  long n = z ? atol(z) : 0;
  return n > 0 ? n : PROCESS_TIMEOUT_MS;
}

static int fetch_process(creds_provider *p, const http_abort *ab, cp_creds *pOut, char **pzErr) {
  char **argv = 0, *zMsg = 0;
  int argc, status = 0, rc;
  proc_buf out = {0, 0, 64 << 10}, err = {0, 0, 2 << 10};
  if ((rc = cp_split_words(p->src->command, &argv, &argc, &zMsg)) != SQLITE_OK) {
    *pzErr = zMsg ? sqlite3_mprintf("cannot run credential_process: %s", zMsg) : 0;
    sqlite3_free(zMsg);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  out.z = sqlite3_malloc((int)out.cap);
  err.z = sqlite3_malloc((int)err.cap);
  if (!out.z || !err.z) {
    rc = SQLITE_NOMEM;
    goto done;
  }
  if ((rc = proc_run(argv, process_timeout(), "DYNAMO_CREDENTIAL_PROCESS_TIMEOUT_MS", ab, &out, &err,
                     &status, &zMsg)) != SQLITE_OK) {
    *pzErr = zMsg ? sqlite3_mprintf("credential_process %s", zMsg) : 0;
  } else if (WIFSIGNALED(status)) {
    *pzErr = sqlite3_mprintf("credential_process was killed by signal %d", WTERMSIG(status));
    rc = SQLITE_ERROR;
  } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    char *zEx = cp_excerpt(err.z, err.n, 200);
    *pzErr = zEx ? sqlite3_mprintf("credential_process exited with status %d: %s",
                                   WEXITSTATUS(status), zEx)
                 : 0;
    sqlite3_free(zEx);
    rc = SQLITE_ERROR;
  } else if ((rc = cp_parse_json(CP_PROCESS, out.z, out.n, pOut, &zMsg)) == SQLITE_ERROR) {
    *pzErr = zMsg ? sqlite3_mprintf("credential_process printed no credentials: %s", zMsg) : 0;
  }
  sqlite3_free(zMsg);
  if (rc == SQLITE_ERROR && !*pzErr) rc = SQLITE_NOMEM;
done:
  if (out.z) memset(out.z, 0, out.n);
  sqlite3_free(out.z);
  sqlite3_free(err.z);
  cp_free_words(argv);
  return rc;
}

/* ---- IAM Identity Center ----------------------------------------------- */

/* Write the cache file again, as botocore's JSONFileCache does: 0600, in
** place of the old one (a new file renamed over it). Failure is ignored:
** the refreshed token is in hand, and the next fetch refreshes again. */
static void save_token(const cfg_source *s, const cp_sso_token *t) {
  char *zJson = cp_sso_token_json(t, s->sso_start_url, s->region);
  char *zTmp = sqlite3_mprintf("%s.XXXXXX", s->token_cache);
  int fd;
  /* a new file of a name no one could guess or have linked (mkostemp: 0600,
  ** O_EXCL), then renamed over the cache, which replaces a link there
  ** rather than write through it */
  if (zJson && zTmp && (fd = mkostemp(zTmp, O_CLOEXEC)) >= 0) {
    size_t n = strlen(zJson);
    int ok = write(fd, zJson, n) == (ssize_t)n;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(zTmp, s->token_cache) != 0) unlink(zTmp);
  }
  cp_wipe_free(zJson);
  sqlite3_free(zTmp);
}

/* CreateToken with the refresh grant. SQLITE_OK with t refreshed, or
** SQLITE_ERROR with *pzErr. */
static int oidc_refresh(creds_provider *p, const http_abort *ab, cp_sso_token *t, char **pzErr) {
  const cfg_source *s = p->src;
  http_header h = {"Content-Type", "application/json"};
  http_response r;
  char *zUrl = sqlite3_mprintf("%s/token", s->oidc_url), *zBody = cp_oidc_request(t);
  int rc = SQLITE_NOMEM;
  if (zUrl && zBody &&
      (rc = fetch_url(ab, "POST", zUrl, &h, 1, zBody, strlen(zBody), p->timeout_ms, p->zCa, &r,
                      pzErr)) == SQLITE_OK) {
    if (!r.curl_code && r.status == 200) {
      rc = cp_parse_oidc(r.body, r.nbody, now_ms(), t, pzErr);
    } else {
      *pzErr = http_problem(zUrl, &r);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    http_response_clear(&r);
  }
  sqlite3_free(zUrl);
  cp_wipe_free(zBody);
  return rc;
}

static int fetch_sso(creds_provider *p, const http_abort *ab, cp_creds *pOut, char **pzErr) {
  const cfg_source *s = p->src;
  const char *zLogin = s->profile;
  cp_sso_token t;
  http_response r;
  char *zText, *zMsg = 0, *zRefresh = 0, *zUrl = 0, zExp[32];
  size_t n = 0;
  sqlite3_int64 now = now_ms();
  int rc, i;
  if (!(zText = read_file(s->token_cache, &n))) {
    if (errno == ENOMEM) return SQLITE_NOMEM;
    if (errno == ENOENT)
      *pzErr = sqlite3_mprintf("no IAM Identity Center login is cached (%s): run aws sso login "
                               "--profile %s",
                               s->token_cache, zLogin);
    else
      *pzErr = sqlite3_mprintf("cannot read %s: %s", s->token_cache, strerror(errno));
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  rc = cp_parse_sso_token(zText, n, &t, &zMsg);
  free_file(zText, n);
  if (rc != SQLITE_OK) {
    *pzErr = zMsg ? sqlite3_mprintf("the cached IAM Identity Center login %s is unusable (%s): run "
                                    "aws sso login --profile %s",
                                    s->token_cache, zMsg, zLogin)
                  : 0;
    sqlite3_free(zMsg);
    return rc == SQLITE_ERROR && *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (s->sso_session && t.expires - now < SSO_REFRESH_MS && cp_sso_can_refresh(&t, now)) {
    if ((rc = oidc_refresh(p, ab, &t, &zRefresh)) == SQLITE_OK) {
      save_token(s, &t);
    } else if (rc != SQLITE_ERROR) {
      if (rc == SQLITE_INTERRUPT) *pzErr = zRefresh, zRefresh = 0;
      goto done;
    }
    rc = SQLITE_OK; /* failed: the old token serves while it is valid */
  }
  if (t.expires <= now) {
    cp_format_time(t.expires, zExp);
    *pzErr = sqlite3_mprintf("the IAM Identity Center login expired at %s%s%s%s: run aws sso "
                             "login --profile %s",
                             zExp, zRefresh ? " (refreshing it failed: " : "",
                             zRefresh ? zRefresh : "", zRefresh ? ")" : "", zLogin);
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    goto done;
  }
  {
    const char *azQuery[] = {"account_id", s->sso_account_id, "role_name", s->sso_role_name, 0};
    char *zQuery = cp_form(azQuery);
    zUrl = zQuery ? sqlite3_mprintf("%s/federation/credentials?%s", s->url, zQuery) : 0;
    sqlite3_free(zQuery);
    if (!zUrl) {
      rc = SQLITE_NOMEM;
      goto done;
    }
  }
  for (i = 1;; i++) {
    http_header h = {"x-amz-sso_bearer_token", t.access_token};
    if ((rc = fetch_url(ab, "GET", zUrl, &h, 1, 0, 0, p->timeout_ms, p->zCa, &r, pzErr)) !=
        SQLITE_OK)
      break;
    if (r.curl_code && transient(r.curl_code) && i < STS_ATTEMPTS) {
      http_response_clear(&r);
      if ((rc = nap(ab, 100L << i, zUrl, pzErr)) != SQLITE_OK) break;
      continue;
    }
    if (!r.curl_code && r.status == 200) {
      if ((rc = cp_parse_json(CP_SSO, r.body, r.nbody, pOut, &zMsg)) == SQLITE_ERROR)
        *pzErr = zMsg ? sqlite3_mprintf("GetRoleCredentials: %s", zMsg) : 0;
    } else if (!r.curl_code && (r.status == 401 || r.status == 403)) {
      char *zEx = cp_excerpt(r.body, r.nbody, 200);
      *pzErr = zEx ? sqlite3_mprintf("GetRoleCredentials refused the IAM Identity Center login "
                                     "(HTTP %ld: %s): run aws sso login --profile %s",
                                     r.status, zEx, zLogin)
                   : 0;
      sqlite3_free(zEx);
      rc = SQLITE_ERROR;
    } else {
      char *z = http_problem(zUrl, &r);
      *pzErr = z ? sqlite3_mprintf("GetRoleCredentials failed: %s", z) : 0;
      sqlite3_free(z);
      rc = SQLITE_ERROR;
    }
    http_response_clear(&r);
    break;
  }
  if (rc == SQLITE_ERROR && !*pzErr) rc = SQLITE_NOMEM;
done:
  sqlite3_free(zMsg);
  sqlite3_free(zRefresh);
  sqlite3_free(zUrl);
  cp_sso_token_clear(&t);
  return rc;
}

/* ---- fetching and refreshing --------------------------------------------- */

static int fetch(creds_provider *p, const http_abort *ab, cp_creds *pOut, char **pzErr) {
  switch (p->src->kind) {
    case CFG_STATIC:
      return copy_static(p->src, pOut);
    case CFG_PROCESS:
      return fetch_process(p, ab, pOut, pzErr);
    case CFG_ASSUME_ROLE:
      return fetch_assume_role(p, ab, pOut, pzErr);
    case CFG_WEB_IDENTITY:
      return fetch_web_identity(p, ab, pOut, pzErr);
    case CFG_SSO:
      return fetch_sso(p, ab, pOut, pzErr);
    case CFG_CONTAINER:
      return fetch_container(p, ab, pOut, pzErr);
    case CFG_IMDS:
      return fetch_imds(p, ab, pOut, pzErr);
  }
  *pzErr = sqlite3_mprintf("unknown kind of source");
  return SQLITE_ERROR;
}

/* Fetch new credentials into p->cur (mutex held). On failure *pzErr is the
** whole message, and p->cur stays as it was (an interrupted fetch too). */
static int refresh(creds_provider *p, const http_abort *ab, char **pzErr) {
  cp_creds c;
  creds_keys *k;
  char *zErr = 0, zExp[32];
  sqlite3_int64 now;
  int rc;
  memset(&c, 0, sizeof(c));
  rc = fetch(p, ab, &c, &zErr);
  now = now_ms();
  if (rc == SQLITE_OK && c.expires != 0 && c.expires <= now) {
    cp_format_time(c.expires, zExp);
    zErr = sqlite3_mprintf("the credentials received had already expired (at %s; is the clock "
                           "right?)",
                           zExp);
    rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
    cp_creds_clear(&c);
  }
  if (rc == SQLITE_OK && !(k = sqlite3_malloc(sizeof(*k)))) {
    cp_creds_clear(&c);
    rc = SQLITE_NOMEM;
  }
  if (rc != SQLITE_OK) {
    if (rc == SQLITE_ERROR && zErr && !p->cur && p->src->fallback) {
      char *z = sqlite3_mprintf("dynamo: no AWS credentials found; looked in: %s, EC2 instance "
                                "metadata at %s: %s",
                                p->src->looked_in, p->src->url, zErr);
      sqlite3_free(zErr);
      if (z) redact_locked(p, z);
      *pzErr = z;
    } else {
      *pzErr = where_msg(p, zErr);
    }
    if (!*pzErr) rc = SQLITE_NOMEM;
    return rc;
  }
  if (!c.account_id && p->src->account_id &&
      !(c.account_id = sqlite3_mprintf("%s", p->src->account_id))) {
    cp_creds_clear(&c);
    sqlite3_free(k);
    return SQLITE_NOMEM;
  }
  k->access_key_id = c.access_key_id;
  k->secret_access_key = c.secret_access_key;
  k->session_token = c.session_token;
  k->account_id = c.account_id;
  k->expires = c.expires;
  k->gen = ++p->nFetch;
  k->refs = 1;
  keys_unref(p->cur);
  p->cur = k;
  p->fetched = now;
  if (getenv("DYNAMO_TRACE") && p->src->kind != CFG_STATIC) {
    if (k->expires) cp_format_time(k->expires, zExp);
    fprintf(stderr, "dynamo: credentials from %s, %s%s\n", p->src->where,
            k->expires ? "expire " : "do not expire", k->expires ? zExp : "");
  }
  return SQLITE_OK;
}

/* creds_get, creds_renew: with FORCE, a fetch unless GEN is not the
** current generation (0: any). An interrupted refresh is SQLITE_INTERRUPT
** even in the advisory window: the statement stops, the old ones stay. */
static int provider_get(creds_provider *p, const http_abort *ab, int force, unsigned gen,
                        const creds_keys **pk, char **pzErr) {
  int rc = SQLITE_OK, due;
  *pk = 0;
  pthread_mutex_lock(&p->mu);
  due = force ? (gen == 0 || !p->cur || p->cur->gen == gen ? CP_MANDATORY : CP_FRESH)
        : p->cur ? cp_refresh_due(now_ms(), p->fetched, p->cur->expires)
                 : CP_MANDATORY;
  if (due != CP_FRESH) {
    char *zErr = 0;
    rc = refresh(p, ab, &zErr);
    if (rc == SQLITE_ERROR && due == CP_ADVISORY && p->cur) {
      p->nKept++; /* the old ones still serve */
      rc = SQLITE_OK;
      sqlite3_free(zErr);
    } else if (rc != SQLITE_OK) {
      *pzErr = zErr;
    }
  }
  if (rc == SQLITE_OK && pk) {
    p->cur->refs++;
    *pk = p->cur;
  }
  pthread_mutex_unlock(&p->mu);
  return rc;
}

int creds_get(creds_provider *p, const http_abort *ab, const creds_keys **pk, char **pzErr) {
  return provider_get(p, ab, 0, 0, pk, pzErr);
}

int creds_renew(creds_provider *p, unsigned gen, const http_abort *ab, char **pzErr) {
  const creds_keys *k;
  int rc = provider_get(p, ab, 1, gen, &k, pzErr);
  if (rc == SQLITE_OK) creds_release(p, k);
  return rc;
}

void creds_release(creds_provider *p, const creds_keys *k) {
  if (!k) return;
  pthread_mutex_lock(&p->mu);
  keys_unref((creds_keys *)k);
  pthread_mutex_unlock(&p->mu);
}

void creds_redact(creds_provider *p, char *z) {
  for (; p && z; p = p->inner) {
    pthread_mutex_lock(&p->mu);
    redact_locked(p, z);
    pthread_mutex_unlock(&p->mu);
  }
}

/* ---- open, close, describe ------------------------------------------------- */

static void provider_free(creds_provider *p) {
  while (p) {
    creds_provider *inner = p->inner;
    keys_unref(p->cur);
    sqlite3_free(p->zCa);
    sqlite3_free(p->zLabel);
    pthread_mutex_destroy(&p->mu);
    sqlite3_free(p);
    p = inner;
  }
}

static creds_provider *provider_new(const cfg_source *src, const creds_settings *set) {
  creds_provider *p = sqlite3_malloc(sizeof(*p));
  if (!p) return 0;
  memset(p, 0, sizeof(*p));
  pthread_mutex_init(&p->mu, 0);
  p->src = src;
  p->timeout_ms = set->timeout_ms > 0 ? set->timeout_ms : 60000;
  if (set->ca_bundle && !(p->zCa = sqlite3_mprintf("%s", set->ca_bundle))) {
    provider_free(p);
    return 0;
  }
  return p;
}

int creds_open(const cfg_source *src, const creds_settings *set, const http_abort *ab,
               creds_provider **pp, char **pzErr) {
  creds_provider *p = 0, **pLink = &p;
  const cfg_source *s;
  const creds_keys *k;
  int rc;
  *pp = 0;
  for (s = src; s; s = s->source) { /* a role's source gets one too */
    if (!(*pLink = provider_new(s, set))) {
      provider_free(p);
      return SQLITE_NOMEM;
    }
    pLink = &(*pLink)->inner;
  }
  if ((rc = creds_get(p, ab, &k, pzErr)) != SQLITE_OK) {
    provider_free(p);
    return rc;
  }
  creds_release(p, k);
  if ((p->owner = set->owner) != 0) {
    pthread_mutex_lock(&reg_mu);
    p->pNext = reg_first;
    reg_first = p;
    pthread_mutex_unlock(&reg_mu);
  }
  *pp = p;
  return SQLITE_OK;
}

void creds_close(creds_provider *p) {
  if (!p) return;
  if (p->owner) {
    creds_provider **pp;
    pthread_mutex_lock(&reg_mu);
    for (pp = &reg_first; *pp && *pp != p; pp = &(*pp)->pNext) {
    }
    if (*pp) *pp = p->pNext;
    pthread_mutex_unlock(&reg_mu);
  }
  provider_free(p);
}

void creds_label(creds_provider *p, const char *zLabel) {
  if (!p || !zLabel) return;
  pthread_mutex_lock(&p->mu);
  if (!p->zLabel) p->zLabel = sqlite3_mprintf("%s", zLabel); /* none if no memory */
  pthread_mutex_unlock(&p->mu);
}

void creds_debug(void *owner, sqlite3_str *s) {
  creds_provider *p;
  int n = 0;
  pthread_mutex_lock(&reg_mu);
  for (p = reg_first; p; p = p->pNext) {
    creds_provider *q;
    if (!owner || p->owner != owner) continue;
    sqlite3_str_appendf(s, "\nCredentials%s%s%s: ", p->zLabel ? " (" : "",
                        p->zLabel ? p->zLabel : "", p->zLabel ? ")" : "");
    for (q = p; q; q = q->inner) {
      pthread_mutex_lock(&q->mu);
      sqlite3_str_appendf(s, "%s%s", q == p ? "" : ", signed by ", q->src->where);
      if (q->cur && q->cur->expires) {
        char zExp[32];
        sqlite3_int64 left = (q->cur->expires - now_ms()) / 1000;
        cp_format_time(q->cur->expires, zExp);
        sqlite3_str_appendf(s, ", expire %s (in %lld s; fetched %u time%s)", zExp,
                            (long long)left, q->nFetch, q->nFetch == 1 ? "" : "s");
      } else if (q->cur) {
        sqlite3_str_appendf(s, ", do not expire");
      }
      pthread_mutex_unlock(&q->mu);
    }
    n++;
  }
  pthread_mutex_unlock(&reg_mu);
  if (n == 0) sqlite3_str_appendall(s, "\nCredentials: none yet (a table fetches them when first used)");
}
