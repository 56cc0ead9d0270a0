/*
** libFuzzer target for a database file's dynamo tables: the CREATE VIRTUAL
** TABLE arguments and the shadow tables, which anyone who hands over a file
** writes (ARCHITECTURE.md, "Opening someone else's database").
**
** The input, one line each (fields separated by tabs, \N for NULL):
**   line 1                  the arguments inside dynamo(...)
**   NAME TYPE KEY           a row of t_schema (pos is the line's number)
**   I NAME GLOBAL PK PK_TYPE SK SK_TYPE PROJECTION INCLUDE
**                           a row of t_index (which exists once one is given)
**
** For each input, in a new in-memory database with the whole extension
** (every file in ext/, SQLITE_CORE):
**   - t: the arguments written into sqlite_schema as a stored CREATE, the
**     rows into the shadow tables, then SQLite reads the schema again:
**     xConnect (validation, the trust gate, the declaration and its check)
**     and statements that read every column, the hidden ones, a count, a
**     whole key, insert (item JSON and every column), delete, and
**     dynamo_refresh() (which connects t again);
**   - u: CREATE VIRTUAL TABLE u USING dynamo(the same arguments): the
**     user's own CREATE (args_parse, DescribeTable, declared or discovered
**     columns, the declaration, the shadow tables written), then the same
**     statements.
** Property: a table SQLite connected has exactly the columns of its
** NAME_schema plus item and _key (pragma_table_xinfo). And no crash, leak
** or undefined behaviour.
**
** No network: AWS_ENDPOINT_URL_DYNAMODB is a responder on 127.0.0.1 in
** this process (a thread answering every operation with a fixed, valid
** answer: a table keyed by uuid, one item with attributes of every type),
** HTTPS_PROXY a closed port on 127.0.0.1 (so an AWS endpoint, which needs
** no trust, fails at once, resolving nothing), and every other endpoint a
** stored schema names needs a trust that is not given (DYNAMO_TRUST unset):
** the gate itself is under test. u, whose CREATE is trusted, is made only
** from arguments that name no endpoint.
*/
#include "common.h"
#include "dynamo.h"

#include <arpa/inet.h>
#include <cJSON.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define REQUIRE(cond)                                                          \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_schema: property failed at line %d: %s\n",         \
              __LINE__, #cond);                                                \
      abort();                                                                 \
    }                                                                          \
  } while (0)

/* ---- the responder ------------------------------------------------------- */

#define MAX_CLIENTS 64

static const char zItem[] =
    "{\"uuid\":{\"S\":\"a\"},\"timestamp\":{\"S\":\"t\"},\"a\":{\"N\":\"1\"},"
    "\"b\":{\"B\":\"AAE=\"},\"c\":{\"BOOL\":true},\"d\":{\"NULL\":true},"
    "\"e\":{\"SS\":[\"x\",\"y\"]},\"f\":{\"NS\":[\"1\",\"2.5\"]},\"g\":{\"L\":[{\"S\":\"x\"}]},"
    "\"h\":{\"M\":{\"k\":{\"N\":\"12345678901234567890\"}}},\"x60\":{\"S\":\"sixty\"},"
    "\"n\":{\"N\":\"-1E-130\"},\"s\":{\"S\":\"\"}}";

/* The answer to one operation: a table keyed by uuid, holding zItem. */
static char *answer(const char *zOp, const char *zBody) {
  cJSON *req = cJSON_Parse(zBody);
  const cJSON *name = cJSON_GetObjectItemCaseSensitive(req, "TableName");
  const char *zTable = cJSON_IsString(name) ? name->valuestring : "T";
  char *z;
  if (strcmp(zOp, "DescribeTable") == 0 || strcmp(zOp, "CreateTable") == 0) {
    z = sqlite3_mprintf(
        "{\"%s\":{\"TableName\":\"%s\",\"KeySchema\":[{\"AttributeName\":\"uuid\",\"KeyType\":"
        "\"HASH\"}],\"AttributeDefinitions\":[{\"AttributeName\":\"uuid\",\"AttributeType\":"
        "\"S\"},{\"AttributeName\":\"a\",\"AttributeType\":\"N\"}],\"TableStatus\":\"ACTIVE\","
        "\"TableSizeBytes\":100,\"ItemCount\":1,\"GlobalSecondaryIndexes\":[{\"IndexName\":"
        "\"byA\",\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"}],\"Projection\":"
        "{\"ProjectionType\":\"ALL\"},\"IndexStatus\":\"ACTIVE\"}]}}",
        zOp[0] == 'D' ? "Table" : "TableDescription", zTable);
  } else if (strcmp(zOp, "Scan") == 0 || strcmp(zOp, "Query") == 0) {
    const cJSON *sel = cJSON_GetObjectItemCaseSensitive(req, "Select");
    z = cJSON_IsString(sel) && strcmp(sel->valuestring, "COUNT") == 0
            ? sqlite3_mprintf("{\"Count\":1,\"ScannedCount\":1}")
            : sqlite3_mprintf("{\"Items\":[%s],\"Count\":1,\"ScannedCount\":1}", zItem);
  } else if (strcmp(zOp, "GetItem") == 0) {
    z = sqlite3_mprintf("{\"Item\":%s}", zItem);
  } else if (strcmp(zOp, "BatchGetItem") == 0) {
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(req, "RequestItems");
    z = sqlite3_mprintf("{\"Responses\":{\"%s\":[%s]},\"UnprocessedKeys\":{}}",
                        items && items->child ? items->child->string : "T", zItem);
  } else if (strcmp(zOp, "BatchWriteItem") == 0) {
    z = sqlite3_mprintf("{\"UnprocessedItems\":{}}");
  } else {
    z = sqlite3_mprintf("{}");
  }
  cJSON_Delete(req);
  return z;
}

typedef struct client {
  int fd;
  char *buf;
  size_t n, cap;
} client;

/* A whole request in c->buf: answer it and drop it from the buffer. 0 when
** more bytes are needed, -1 when the connection is to be closed. */
static int serve_one(client *c) {
  char *zEnd, *zLen, *zTarget, *zBody, *zAns, *zOp, head[160];
  size_t nHead, nBody = 0, nAns;
  if (!c->buf) return 0;
  c->buf[c->n] = 0;
  if (!(zEnd = strstr(c->buf, "\r\n\r\n"))) return 0;
  nHead = (size_t)(zEnd - c->buf) + 4;
  if ((zLen = strcasestr(c->buf, "\r\nContent-Length:")) && zLen < zEnd) {
    nBody = (size_t)strtoul(zLen + 17, 0, 10);
  }
  if (c->n < nHead + nBody) return 0;
  zOp = "";
  if ((zTarget = strcasestr(c->buf, "\r\nX-Amz-Target: DynamoDB_20120810.")) && zTarget < zEnd) {
    zOp = zTarget + 35;
    zOp[strcspn(zOp, "\r")] = 0;
  }
  zBody = sqlite3_mprintf("%.*s", (int)nBody, c->buf + nHead);
  zAns = answer(zOp, zBody ? zBody : "");
  sqlite3_free(zBody);
  if (!zAns) return -1;
  nAns = strlen(zAns);
  snprintf(head, sizeof(head),
           "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\n"
           "Content-Length: %zu\r\n\r\n", nAns);
  if (write(c->fd, head, strlen(head)) < 0 || write(c->fd, zAns, nAns) < 0) {
    sqlite3_free(zAns);
    return -1;
  }
  sqlite3_free(zAns);
  memmove(c->buf, c->buf + nHead + nBody, c->n - nHead - nBody);
  c->n -= nHead + nBody;
  return 1;
}

static void *responder(void *arg) {
  int lfd = *(int *)arg, i;
  client cl[MAX_CLIENTS];
  struct pollfd pfd[MAX_CLIENTS + 1];
  memset(cl, 0, sizeof(cl));
  for (i = 0; i < MAX_CLIENTS; i++) cl[i].fd = -1;
  for (;;) {
    pfd[0].fd = lfd;
    pfd[0].events = POLLIN;
    for (i = 0; i < MAX_CLIENTS; i++) {
      pfd[i + 1].fd = cl[i].fd;
      pfd[i + 1].events = POLLIN;
    }
    if (poll(pfd, MAX_CLIENTS + 1, -1) < 0) continue;
    if (pfd[0].revents & POLLIN) {
      int fd = accept(lfd, 0, 0);
      for (i = 0; fd >= 0 && i < MAX_CLIENTS && cl[i].fd >= 0; i++) {
      }
      if (fd >= 0 && i == MAX_CLIENTS) close(fd);
      else if (fd >= 0) cl[i].fd = fd;
    }
    for (i = 0; i < MAX_CLIENTS; i++) {
      client *c = &cl[i];
      ssize_t n;
      int r = 0;
      if (c->fd < 0 || !pfd[i + 1].revents || pfd[i + 1].fd != c->fd) continue;
      if (c->n + 65536 + 1 > c->cap) {
        char *b = realloc(c->buf, c->cap = c->n + 65536 + 1);
        if (!b) abort();
        c->buf = b;
      }
      n = read(c->fd, c->buf + c->n, c->cap - c->n - 1);
      if (n > 0) {
        c->n += (size_t)n;
        while ((r = serve_one(c)) > 0) {
        }
      }
      if (n <= 0 || r < 0) { /* closed by the client, or broken */
        close(c->fd);
        c->fd = -1;
        c->n = 0;
      }
    }
  }
  return 0;
}

/* ---- the input ------------------------------------------------------------ */

static char zEndpoint[64];

/* The environment of a user with keys, the responder as their endpoint, no
** AWS files, and any https through a closed proxy port. */
static void setup(void) {
  static int lfd = -1;
  static pthread_t th;
  struct sockaddr_in sa;
  socklen_t len = sizeof(sa);
  if (lfd >= 0) return;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  lfd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(lfd >= 0 && bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(lfd, 64) == 0);
  REQUIRE(getsockname(lfd, (struct sockaddr *)&sa, &len) == 0);
  snprintf(zEndpoint, sizeof(zEndpoint), "http://127.0.0.1:%d", ntohs(sa.sin_port));
  REQUIRE(pthread_create(&th, 0, responder, &lfd) == 0);
  setenv("AWS_ENDPOINT_URL_DYNAMODB", zEndpoint, 1);
  setenv("AWS_ACCESS_KEY_ID", "AKIDFUZZ", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "fuzz/secret+key/000000000000000000000000", 1);
  setenv("AWS_REGION", "us-east-1", 1);
  setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
  setenv("AWS_CONFIG_FILE", "/nonexistent/fuzz-config", 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/fuzz-credentials", 1);
  setenv("HTTPS_PROXY", "http://127.0.0.1:1", 1);
  setenv("https_proxy", "http://127.0.0.1:1", 1);
  setenv("DYNAMO_CREATE_WAIT_MS", "100", 1);
  unsetenv("DYNAMO_TRUST");
  unsetenv("DYNAMO_TRACE");
  unsetenv("AWS_PROFILE");
  unsetenv("AWS_DEFAULT_PROFILE");
  unsetenv("AWS_CA_BUNDLE");
  unsetenv("AWS_MAX_ATTEMPTS");
  unsetenv("NO_PROXY");
  unsetenv("no_proxy");
  unsetenv("HTTP_PROXY");
  unsetenv("http_proxy");
}

/* Field i (0-based) of a tab-separated line, bound to parameter iParam:
** \N and a missing field are NULL. */
static void bind_field(sqlite3_stmt *st, int iParam, const char *zLine, int i) {
  const char *z = zLine, *e;
  for (; i > 0 && z; i--) z = (z = strchr(z, '\t')) ? z + 1 : 0;
  if (!z) {
    sqlite3_bind_null(st, iParam);
    return;
  }
  e = strchr(z, '\t');
  if (!e) e = z + strlen(z);
  if (e - z == 2 && memcmp(z, "\\N", 2) == 0) sqlite3_bind_null(st, iParam);
  else sqlite3_bind_text(st, iParam, z, (int)(e - z), SQLITE_TRANSIENT);
}

static void exec(sqlite3 *db, const char *zSql) {
  sqlite3_stmt *st = 0;
  if (sqlite3_prepare_v2(db, zSql, -1, &st, 0) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) {
    }
  }
  sqlite3_finalize(st);
}

/* How many rows a query gives (-1: an error). */
static int rows(sqlite3 *db, const char *zSql) {
  sqlite3_stmt *st = 0;
  int n = 0, rc;
  if (sqlite3_prepare_v2(db, zSql, -1, &st, 0) != SQLITE_OK) return -1;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) n++;
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? n : -1;
}

/* Whatever a user runs on table X, once SQLite has connected it (or
** failed to): the property first. */
static void use(sqlite3 *db, const char *zX) {
  char *zSql = sqlite3_mprintf("SELECT 1 FROM pragma_table_xinfo('%q')", zX);
  char *zShadow = sqlite3_mprintf("SELECT 1 FROM \"%w_schema\"", zX);
  int nDeclared, nShadow, i;
  sqlite3_stmt *st = 0;
  REQUIRE(zSql && zShadow);
  nDeclared = rows(db, zSql);
  nShadow = rows(db, zShadow);
  if (nDeclared > 0) REQUIRE(nShadow >= 0 && nDeclared == nShadow + 2);
  sqlite3_free(zSql);
  sqlite3_free(zShadow);
  if (nDeclared <= 0) return;
  zSql = sqlite3_mprintf(
      "SELECT * FROM \"%w\"; SELECT item, _key FROM \"%w\"; SELECT count(*) FROM \"%w\"; "
      "SELECT * FROM \"%w\" WHERE _key = '{\"uuid\":{\"S\":\"a\"}}'; "
      "INSERT INTO \"%w\"(item) VALUES ('{\"uuid\":{\"S\":\"k\"},\"a\":{\"N\":\"1\"}}'); "
      "DELETE FROM \"%w\" WHERE _key = '{\"uuid\":{\"S\":\"a\"}}'",
      zX, zX, zX, zX, zX, zX);
  REQUIRE(zSql);
  {
    const char *zTail = zSql;
    while (zTail && *zTail) {
      if (sqlite3_prepare_v2(db, zTail, -1, &st, &zTail) != SQLITE_OK) break;
      while (st && sqlite3_step(st) == SQLITE_ROW) {
        for (i = 0; i < sqlite3_column_count(st); i++) sqlite3_column_text(st, i);
      }
      sqlite3_finalize(st);
      st = 0;
    }
  }
  sqlite3_free(zSql);
  /* every column but the hidden ones, then the table into itself */
  {
    sqlite3_str *s = sqlite3_str_new(0);
    sqlite3_str_appendf(s, "INSERT INTO \"%w\" VALUES (", zX);
    for (i = 0; i < nDeclared - 2; i++) sqlite3_str_appendf(s, "%s'k'", i ? ", " : "");
    sqlite3_str_appendall(s, ")");
    zSql = sqlite3_str_finish(s);
    REQUIRE(zSql);
    if (nDeclared > 2) exec(db, zSql);
    sqlite3_free(zSql);
  }
  zSql = sqlite3_mprintf("INSERT OR REPLACE INTO \"%w\" SELECT * FROM \"%w\"", zX, zX);
  exec(db, zSql);
  sqlite3_free(zSql);
  zSql = sqlite3_mprintf("UPDATE \"%w\" SET item = item", zX);
  exec(db, zSql);
  sqlite3_free(zSql);
  zSql = sqlite3_mprintf("SELECT dynamo_refresh('%q')", zX);
  exec(db, zSql);
  sqlite3_free(zSql);
  zSql = sqlite3_mprintf("SELECT * FROM \"%w\"", zX);
  exec(db, zSql);
  sqlite3_free(zSql);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *zIn, *zLine, *zNext, *zArgs, *zSql;
  sqlite3 *db = 0;
  sqlite3_stmt *stRow = 0, *stIdx = 0;
  int pos = 0;
  setup();
  if (size > 65536) return 0;
  if (!(zIn = sqlite3_malloc64(size + 1))) return 0;
  memcpy(zIn, data, size);
  zIn[size] = 0;
  if (strlen(zIn) != size) { /* no NUL bytes: SQL text */
    sqlite3_free(zIn);
    return 0;
  }
  zArgs = zIn;
  zNext = strchr(zIn, '\n');
  if (zNext) *zNext++ = 0;
  REQUIRE(sqlite3_open(":memory:", &db) == SQLITE_OK);
  REQUIRE(sqlite3_dynamo_init(db, 0, 0) == SQLITE_OK);
  exec(db, "CREATE TABLE t_schema(pos, name, type, key)");
  REQUIRE(sqlite3_prepare_v2(db, "INSERT INTO t_schema VALUES (?,?,?,?)", -1, &stRow, 0) ==
          SQLITE_OK);
  for (zLine = zNext; zLine; zLine = zNext) {
    if ((zNext = strchr(zLine, '\n')) != 0) *zNext++ = 0;
    if (zLine[0] == 'I' && zLine[1] == '\t') {
      int i;
      if (!stIdx) {
        exec(db, "CREATE TABLE t_index(name, global, pk, pk_type, sk, sk_type, projection, "
                 "include)");
        REQUIRE(sqlite3_prepare_v2(db, "INSERT INTO t_index VALUES (?,?,?,?,?,?,?,?)", -1,
                                   &stIdx, 0) == SQLITE_OK);
      }
      for (i = 0; i < 8; i++) bind_field(stIdx, i + 1, zLine + 2, i);
      sqlite3_step(stIdx);
      sqlite3_reset(stIdx);
    } else {
      sqlite3_bind_int(stRow, 1, pos++);
      bind_field(stRow, 2, zLine, 0);
      bind_field(stRow, 3, zLine, 1);
      bind_field(stRow, 4, zLine, 2);
      sqlite3_step(stRow);
      sqlite3_reset(stRow);
    }
  }
  sqlite3_finalize(stRow);
  sqlite3_finalize(stIdx);
  /* t: the arguments as a stored schema, read again by SQLite */
  exec(db, "PRAGMA writable_schema = ON");
  zSql = sqlite3_mprintf("INSERT INTO sqlite_schema VALUES ('table', 't', 't', 0, "
                         "'CREATE VIRTUAL TABLE t USING dynamo(' || %Q || ')')",
                         zArgs);
  REQUIRE(zSql);
  exec(db, zSql);
  sqlite3_free(zSql);
  exec(db, "PRAGMA writable_schema = OFF");
  exec(db, "PRAGMA schema_version = 1000");
  use(db, "t");
  /* u: the same arguments in the user's own CREATE, which is trusted: not
  ** when they name an endpoint, which could be any host (the gate keeps
  ** t's to the responder) */
  if (!strcasestr(zArgs, "endpoint")) {
    zSql = sqlite3_mprintf("CREATE VIRTUAL TABLE u USING dynamo(%s)", zArgs);
    REQUIRE(zSql);
    exec(db, zSql);
    sqlite3_free(zSql);
    use(db, "u");
  }
  sqlite3_close_v2(db);
  sqlite3_free(zIn);
  return 0;
}
