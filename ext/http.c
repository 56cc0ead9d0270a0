/*
** http.c: POST over a kept-alive libcurl easy handle (see http.h).
*/
#include "http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

struct http_conn {
  CURL *curl;
  long connect_ms;
  long total_ms;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init(void) {
  global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int http_global_init(void) {
  pthread_once(&global_once, global_init);
  return global_rc == CURLE_OK ? SQLITE_OK : SQLITE_ERROR;
}

int http_open(http_conn **pp) {
  http_conn *p = sqlite3_malloc(sizeof(*p));
  *pp = 0;
  if (!p) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  if (http_global_init() != SQLITE_OK || !(p->curl = curl_easy_init())) {
    sqlite3_free(p);
    return SQLITE_ERROR;
  }
  p->connect_ms = 10000;
  p->total_ms = 60000;
  *pp = p;
  return SQLITE_OK;
}

void http_close(http_conn *p) {
  if (!p) return;
  curl_easy_cleanup(p->curl);
  sqlite3_free(p);
}

void http_set_timeouts(http_conn *p, long connect_ms, long total_ms) {
  if (connect_ms > 0) p->connect_ms = connect_ms;
  if (total_ms > 0) p->total_ms = total_ms;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg) {
  sqlite3_str *s = arg;
  sqlite3_str_append(s, data, (int)(size * nmemb));
  return sqlite3_str_errcode(s) == SQLITE_OK ? size * nmemb : 0;
}

int http_post(http_conn *p, const char *url, const http_header *aHdr, int nHdr,
              const char *body, size_t nbody, http_response *out) {
  struct curl_slist *list = 0, *l;
  sqlite3_str *s = sqlite3_str_new(0);
  char errbuf[CURL_ERROR_SIZE];
  CURLcode cc;
  int i, rc = SQLITE_NOMEM;
  memset(out, 0, sizeof(*out));
  errbuf[0] = 0;
  for (i = 0; i < nHdr; i++) {
    char *h = sqlite3_mprintf("%s: %s", aHdr[i].name, aHdr[i].value);
    if (!h) goto fail;
    l = curl_slist_append(list, h);
    sqlite3_free(h);
    if (!l) goto fail;
    list = l;
  }
  if (!(l = curl_slist_append(list, "Expect:"))) goto fail;
  list = l;
  if (!(l = curl_slist_append(list, "Accept:"))) goto fail;
  list = l;

  curl_easy_reset(p->curl); /* keeps the connection cache */
  curl_easy_setopt(p->curl, CURLOPT_URL, url);
  curl_easy_setopt(p->curl, CURLOPT_POST, 1L);
  curl_easy_setopt(p->curl, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(p->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)nbody);
  curl_easy_setopt(p->curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(p->curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(p->curl, CURLOPT_WRITEDATA, s);
  curl_easy_setopt(p->curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(p->curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(p->curl, CURLOPT_CONNECTTIMEOUT_MS, p->connect_ms);
  curl_easy_setopt(p->curl, CURLOPT_TIMEOUT_MS, p->total_ms);
  curl_easy_setopt(p->curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(p->curl, CURLOPT_TCP_KEEPALIVE, 1L);
  cc = curl_easy_perform(p->curl);
  out->curl_code = (int)cc;
  curl_easy_getinfo(p->curl, CURLINFO_RESPONSE_CODE, &out->status);
  if (cc != CURLE_OK) {
    snprintf(out->error, sizeof(out->error), "%s",
             errbuf[0] ? errbuf : curl_easy_strerror(cc));
    if (cc == CURLE_WRITE_ERROR && sqlite3_str_errcode(s) != SQLITE_OK) goto fail;
  }
  out->nbody = (size_t)sqlite3_str_length(s);
  out->body = sqlite3_str_finish(s);
  s = 0;
  if (!out->body && out->nbody == 0) {
    out->body = sqlite3_mprintf("");
    if (!out->body) goto fail;
  } else if (!out->body) {
    goto fail;
  }
  rc = SQLITE_OK;
fail:
  if (s) sqlite3_free(sqlite3_str_finish(s));
  curl_slist_free_all(list);
  curl_easy_setopt(p->curl, CURLOPT_HTTPHEADER, (struct curl_slist *)0);
  curl_easy_setopt(p->curl, CURLOPT_ERRORBUFFER, (char *)0);
  return rc;
}

int http_is_retryable(int curl_code) {
  switch (curl_code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return 1;
  }
  return 0;
}

int http_url_parts(const char *url, char **pzHost, char **pzPath) {
  CURLU *u = curl_url();
  char *host = 0, *port = 0, *path = 0;
  int rc = SQLITE_ERROR;
  *pzHost = *pzPath = 0;
  if (!u) return SQLITE_NOMEM;
  if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) goto done;
  if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) goto done;
  curl_url_get(u, CURLUPART_PORT, &port, 0); /* only when given */
  if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) goto done;
  *pzHost = port ? sqlite3_mprintf("%s:%s", host, port) : sqlite3_mprintf("%s", host);
  *pzPath = sqlite3_mprintf("%s", path);
  rc = (*pzHost && *pzPath) ? SQLITE_OK : SQLITE_NOMEM;
  if (rc != SQLITE_OK) {
    sqlite3_free(*pzHost);
    sqlite3_free(*pzPath);
    *pzHost = *pzPath = 0;
  }
done:
  curl_free(host);
  curl_free(port);
  curl_free(path);
  curl_url_cleanup(u);
  return rc;
}

const char *http_version(void) {
  return curl_version();
}
