/* Unit tests of args.c: the arguments of CREATE VIRTUAL TABLE ... USING
** dynamo(...): options, columns, quoting, refused credentials. */
#include "args.h"
#include "check.h"

#include <stdarg.h>

static dyn_args A;
static char *zErr;
static int rcArgs;

/* args_parse of the module arguments given (argv[3..]); NULL ends them.
** argv[0..2] are the module, database and table names, which it ignores. */
static int parse(const char *z0, ...) {
  const char *argv[40];
  int argc = 3;
  va_list ap;
  args_free(&A);
  sqlite3_free(zErr);
  zErr = 0;
  argv[0] = "dynamo";
  argv[1] = "main";
  argv[2] = "table=NotThisOne";
  va_start(ap, z0);
  for (argv[argc] = z0; argv[argc] && argc < 39; argv[argc] = va_arg(ap, const char *)) argc++;
  va_end(ap);
  rcArgs = args_parse(argc, argv, &A, &zErr);
  return rcArgs;
}

static int has(const char *z, const char *zPart) {
  return z && strstr(z, zPart) != 0;
}

/* After an error *out is empty. */
static int is_empty(void) {
  return A.table == 0 && A.region == 0 && A.endpoint == 0 && A.profile == 0 && A.ncol == 0 &&
         A.aCol == 0;
}

static void test_options(void) {
  CHECK_INT(parse("table=Tracks", "region=eu-west-1", "endpoint=http://localhost:8000",
                  "profile=dev", "consistent_read=1", NULL),
            SQLITE_OK);
  CHECK(zErr == 0);
  CHECK_STR(A.table, "Tracks");
  CHECK_STR(A.region, "eu-west-1");
  CHECK_STR(A.endpoint, "http://localhost:8000");
  CHECK_STR(A.profile, "dev");
  CHECK_INT(A.consistent_read, 1);
  CHECK_INT(A.ncol, 0);

  /* only table is required; the rest stay unset */
  CHECK_INT(parse("table=Tracks", NULL), SQLITE_OK);
  CHECK_STR(A.table, "Tracks");
  CHECK(A.region == 0 && A.endpoint == 0 && A.profile == 0);
  CHECK_INT(A.consistent_read, 0);

  /* spaces around names and values */
  CHECK_INT(parse("  table = Tracks  ", " region=  us-east-1", NULL), SQLITE_OK);
  CHECK_STR(A.table, "Tracks");
  CHECK_STR(A.region, "us-east-1");

  /* option names are case-insensitive */
  CHECK_INT(parse("TABLE=Tracks", "Region=eu-west-1", "EndPoint=http://x", "PROFILE=p",
                  "Consistent_Read=1", NULL),
            SQLITE_OK);
  CHECK_STR(A.table, "Tracks");
  CHECK_STR(A.region, "eu-west-1");
  CHECK_STR(A.endpoint, "http://x");
  CHECK_STR(A.profile, "p");
  CHECK_INT(A.consistent_read, 1);

  /* values keep their case and everything after the first '=' */
  CHECK_INT(parse("table=My-Table.v2", "endpoint=http://h:1/?a=b", NULL), SQLITE_OK);
  CHECK_STR(A.table, "My-Table.v2");
  CHECK_STR(A.endpoint, "http://h:1/?a=b");
}

static void test_quoting(void) {
  CHECK_INT(parse("table='Tracks'", "region=\"eu-west-1\"", NULL), SQLITE_OK);
  CHECK_STR(A.table, "Tracks");
  CHECK_STR(A.region, "eu-west-1");
  CHECK_INT(parse("table='it''s'", NULL), SQLITE_OK);
  CHECK_STR(A.table, "it's");
  CHECK_INT(parse("table=\"say \"\"hi\"\"\"", NULL), SQLITE_OK);
  CHECK_STR(A.table, "say \"hi\"");
  CHECK_INT(parse("table=' spaced name '", NULL), SQLITE_OK);
  CHECK_STR(A.table, " spaced name ");
  CHECK_INT(parse("table = 'a,b=c' ", NULL), SQLITE_OK);
  CHECK_STR(A.table, "a,b=c");
  /* a quote that does not close the value is part of it */
  CHECK_INT(parse("table='abc", NULL), SQLITE_OK);
  CHECK_STR(A.table, "'abc");
  CHECK_INT(parse("table=it's", NULL), SQLITE_OK);
  CHECK_STR(A.table, "it's");
  /* quoted option names */
  CHECK_INT(parse("'table'=Tracks", NULL), SQLITE_OK);
  CHECK_STR(A.table, "Tracks");
  CHECK_INT(parse(" \"Table\" = 'Tracks'", "[region]=r", NULL), SQLITE_OK);
  CHECK_STR(A.table, "Tracks");
  CHECK_STR(A.region, "r");
  CHECK_INT(A.ncol, 0);
  CHECK_INT(parse("consistent_read='0'", "table=T", NULL), SQLITE_OK);
  CHECK_INT(A.consistent_read, 0);
}

static void test_option_errors(void) {
  /* no table */
  CHECK_INT(parse(NULL), SQLITE_ERROR);
  CHECK(has(zErr, "table"));
  CHECK(is_empty());
  CHECK_INT(parse("region=eu-west-1", "uuid TEXT", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "missing option table"));
  CHECK(is_empty());

  /* unknown option */
  CHECK_INT(parse("table=T", "colour=blue", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "unknown option 'colour'"));
  CHECK(has(zErr, "consistent_read")); /* lists the options */
  CHECK(is_empty());
  CHECK_INT(parse("table=T", "=x", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "unknown option"));

  /* duplicates, whatever the case */
  CHECK_INT(parse("table=T", "table=U", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "'table' given twice"));
  CHECK(is_empty());
  CHECK_INT(parse("region=a", "table=T", "REGION=b", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "'region' given twice"));
  CHECK_INT(parse("table=T", "endpoint=a", "endpoint=a", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "given twice"));
  CHECK_INT(parse("table=T", "profile=a", "Profile=b", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "given twice"));
  CHECK_INT(parse("table=T", "consistent_read=1", "consistent_read=1", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "'consistent_read' given twice"));

  /* empty values */
  CHECK_INT(parse("table=", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "'table' is empty"));
  CHECK(is_empty());
  CHECK_INT(parse("table=''", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "is empty"));
  CHECK_INT(parse("table=   ", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "is empty"));
  CHECK_INT(parse("table=T", "region=", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "'region' is empty"));
  CHECK_INT(parse("table=T", "endpoint=\"\"", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "'endpoint' is empty"));
  CHECK_INT(parse("table=T", "profile=", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "'profile' is empty"));
}

static void test_consistent_read(void) {
  CHECK_INT(parse("table=T", "consistent_read=0", NULL), SQLITE_OK);
  CHECK_INT(A.consistent_read, 0);
  CHECK_INT(parse("consistent_read=1", "table=T", NULL), SQLITE_OK);
  CHECK_INT(A.consistent_read, 1);
  CHECK_INT(parse("table=T", "consistent_read = 1 ", NULL), SQLITE_OK);
  CHECK_INT(A.consistent_read, 1);
  CHECK_INT(parse("table=T", "consistent_read=\"1\"", NULL), SQLITE_OK);
  CHECK_INT(A.consistent_read, 1);
  {
    static const char *const azBad[] = {"consistent_read=2", "consistent_read=true",
                                        "consistent_read=yes", "consistent_read=",
                                        "consistent_read=01", "consistent_read=-1",
                                        "consistent_read=1.0"};
    unsigned i;
    for (i = 0; i < sizeof(azBad) / sizeof(azBad[0]); i++) {
      CHECK_INT(parse("table=T", azBad[i], NULL), SQLITE_ERROR);
      CHECK(has(zErr, "consistent_read must be 0 or 1"));
      CHECK(is_empty());
    }
  }
  CHECK_INT(parse("table=T", "consistent_read=true", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "'true'"));
}

static void test_credentials_refused(void) {
  static const char *const azName[] = {
      "aws_secret_access_key", "secret_access_key", "session_token", "aws_access_key_id",
      "AWS_SECRET_ACCESS_KEY", "aws_session_token", "Password", "access_key", "accessKeyId",
      "credentials", "token"};
  unsigned i;
  for (i = 0; i < sizeof(azName) / sizeof(azName[0]); i++) {
    char *zArg = sqlite3_mprintf("%s=wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLEKEY", azName[i]);
    CHECK_INT(parse("table=T", zArg, NULL), SQLITE_ERROR);
    CHECK(has(zErr, azName[i]));
    CHECK(has(zErr, "refused"));
    CHECK(has(zErr, "plain text")); /* why */
    CHECK(has(zErr, "profile"));    /* and what to do instead */
    CHECK(!has(zErr, "wJalrXUtnFEMI"));
    CHECK(!has(zErr, "EXAMPLEKEY"));
    CHECK(!has(zErr, "unknown option"));
    CHECK(is_empty());
    sqlite3_free(zArg);
  }
  /* refused even when quoted, and before the table is known */
  CHECK_INT(parse("aws_secret_access_key='s3cr3t-value'", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "refused"));
  CHECK(!has(zErr, "s3cr3t"));
  CHECK_INT(parse("table=T", "session_token=", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "refused"));
}

static void test_columns(void) {
  CHECK_INT(parse("table=Tracks", "uuid TEXT", "timestamp TEXT", "latitude N", "tags SS",
                  "speed", NULL),
            SQLITE_OK);
  CHECK_INT(A.ncol, 5);
  if (A.ncol == 5) {
    CHECK_STR(A.aCol[0].name, "uuid");
    CHECK_STR(A.aCol[0].type, "TEXT");
    CHECK_STR(A.aCol[1].name, "timestamp");
    CHECK_STR(A.aCol[2].name, "latitude");
    CHECK_STR(A.aCol[2].type, "N");
    CHECK_STR(A.aCol[3].name, "tags");
    CHECK_STR(A.aCol[3].type, "SS");
    CHECK_STR(A.aCol[4].name, "speed");
    CHECK_STR(A.aCol[4].type, "");
  }
  /* options and columns in any order */
  CHECK_INT(parse("uuid S", "table=T", "n N", "region=r", NULL), SQLITE_OK);
  CHECK_INT(A.ncol, 2);
  CHECK_STR(A.table, "T");
  CHECK_STR(A.region, "r");

  /* the type is kept as written */
  CHECK_INT(parse("table=T", "a VARCHAR(10)", "b  unsigned  big int ", "c DOUBLE PRECISION",
                  "  d   N", "e decimal(10, 5)", "f\tBLOB", NULL),
            SQLITE_OK);
  CHECK_INT(A.ncol, 6);
  if (A.ncol == 6) {
    CHECK_STR(A.aCol[0].name, "a");
    CHECK_STR(A.aCol[0].type, "VARCHAR(10)");
    CHECK_STR(A.aCol[1].name, "b");
    CHECK_STR(A.aCol[1].type, "unsigned  big int");
    CHECK_STR(A.aCol[2].type, "DOUBLE PRECISION");
    CHECK_STR(A.aCol[3].name, "d");
    CHECK_STR(A.aCol[3].type, "N");
    CHECK_STR(A.aCol[4].type, "decimal(10, 5)");
    CHECK_STR(A.aCol[5].name, "f");
    CHECK_STR(A.aCol[5].type, "BLOB");
  }
}

/* A type is pasted into the table's declaration: it is a type and nothing
** else (args_type_problem), as SQLite's own type-name grammar has it. */
static void test_column_types(void) {
  static const char *const ok[] = {"", "TEXT", "S", "N", "B", "BOOL", "NULL", "null", "SS",
                                   "L", "M", "VARCHAR(255)", "DECIMAL(10, 2)", "DECIMAL( 10 ,2 )",
                                   "x(-1)", "x(+1.5)", "DOUBLE PRECISION", "UNSIGNED BIG INT",
                                   "_x9", "NATIVE CHARACTER (70)", "text_hidden", "nullable"};
  static const char *const bad[] = {
      "TEXT, x1 TEXT", "TEXT,x", "TEXT)", "TEXT(1))", "TEXT(1), x TEXT", "TEXT(1) x",
      "TEXT(1,2,3)", "TEXT()", "TEXT(a)", "TEXT(1.)", "TEXT(", "TEXT -- comment",
      "TEXT /* c */", "'TEXT'", "\"TEXT\"", "`T`", "[T]", "TEXT HIDDEN", "hidden",
      "TEXT NOT NULL", "NOT NULL", "NULL NULL", "TEXT NULL", "NULL(5)", "TEXT PRIMARY KEY",
      "TEXT DEFAULT 5", "TEXT COLLATE NOCASE", "TEXT CHECK(1)", "TEXT REFERENCES t",
      "TEXT UNIQUE", "TEXT CONSTRAINT c", "TEXT GENERATED ALWAYS AS (1)", "TEXT AS (1)",
      "TEXT DEFERRABLE", "TEXT, \"_key\" TEXT HIDDEN, PRIMARY KEY(\"_key\")) WITHOUT ROWID --",
      " TEXT", "TEXT ", "TEXT\tX", "TEXT\nX", "9TEXT", "T-X", "T.X", "TEXT;", "T\xc3\xa9"};
  unsigned i;
  for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
    if (args_type_problem(ok[i])) fprintf(stderr, "refused: [%s]\n", ok[i]);
    CHECK(args_type_problem(ok[i]) == 0);
  }
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    if (!args_type_problem(bad[i])) fprintf(stderr, "accepted: [%s]\n", bad[i]);
    CHECK(args_type_problem(bad[i]) != 0);
  }
  /* the user's CREATE is held to it: the crash of a type holding columns */
  CHECK_INT(parse("table=T", "pk TEXT", "a 'TEXT, y1 TEXT, y2 TEXT'", NULL), SQLITE_ERROR);
  CHECK_STR(zErr, "dynamo: invalid type for column a: 'TEXT, y1 TEXT, y2 TEXT' (a type is words "
                  "of letters, digits and _ separated by spaces, then at most (N) or (N, M))");
  CHECK(is_empty());
  CHECK_INT(parse("table=T", "b TEXT HIDDEN", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "invalid type for column b: 'TEXT HIDDEN' (it holds a column constraint or "
                  "HIDDEN"));
  CHECK_INT(parse("table=T", "\"c d\" \"NULL\"", NULL), SQLITE_OK); /* dequoted: NULL */
  CHECK_STR(A.aCol[0].type, "NULL");
}

/* What a schema stored in a database file may set without the user's
** trust (args_untrusted): judged against the user's own configuration. */
static char *untrusted(const char *zEndpoint, const char *zProfile) {
  args_trust t = {zEndpoint, zProfile ? zProfile : "default", "/etc/ca.pem", 10, "standard",
                  "111122223333"};
  int rc = -1;
  char *z = args_untrusted(&A, &t, &rc);
  CHECK_INT(rc, SQLITE_OK);
  return z;
}

static void test_untrusted(void) {
  char *z;
  /* nothing that needs trust */
  CHECK_INT(parse("table=T", "region=eu-west-1", "consistent_read=1", "atomic=1", "filter=0",
                  "indexes=none", "max_read_units=1", "max_write_units=1", "scan=0",
                  "allow_http=0", "segments=16", "segment=3", "connect_timeout_ms=10000",
                  "request_timeout_ms=60000", "retry_time_ms=120000", "max_attempts=10",
                  "a TEXT", NULL),
            SQLITE_OK);
  CHECK(untrusted(0, 0) == 0);
  /* every option that does, named with its value, in the table's order */
  CHECK_INT(parse("table=T", "endpoint='http://127.0.0.1:9999'", "allow_http=1",
                  "segments=1000000", "max_attempts=100", "request_timeout_ms=1000000000000",
                  "connect_timeout_ms=10001", "retry_time_ms=120001", "profile=admin",
                  "ca_bundle='/tmp/evil.pem'", "scan=1", NULL),
            SQLITE_OK);
  z = untrusted("http://127.0.0.1:8000", 0);
  CHECK_STR(z, "endpoint='http://127.0.0.1:9999', profile='admin', segments=1000000, "
               "connect_timeout_ms=10001, request_timeout_ms=1000000000000, max_attempts=100, "
               "retry_time_ms=120001, ca_bundle='/tmp/evil.pem', allow_http=1, scan=1");
  sqlite3_free(z);
  /* quotes in a value are doubled, as SQL */
  CHECK_INT(parse("table=T", "profile=\"it's\"", NULL), SQLITE_OK);
  z = untrusted(0, 0);
  CHECK_STR(z, "profile='it''s'");
  sqlite3_free(z);
  /* the user's own endpoint, profile and CA bundle need no trust */
  CHECK_INT(parse("table=T", "endpoint='http://127.0.0.1:8000/'", "profile=work",
                  "ca_bundle='/etc/ca.pem'", NULL),
            SQLITE_OK);
  CHECK(untrusted("http://127.0.0.1:8000", "work") == 0);
  z = untrusted("http://127.0.0.1:8001", "work");
  CHECK_STR(z, "endpoint='http://127.0.0.1:8000/'");
  sqlite3_free(z);
  z = untrusted(0, 0);
  CHECK_STR(z, "endpoint='http://127.0.0.1:8000/', profile='work'");
  sqlite3_free(z);
  /* DynamoDB's AWS endpoints need none; others under amazonaws.com do */
  CHECK_INT(parse("table=T", "endpoint='https://dynamodb.eu-west-1.amazonaws.com'", NULL),
            SQLITE_OK);
  CHECK(untrusted(0, 0) == 0);
  CHECK_INT(parse("table=T", "endpoint='https://abc.execute-api.us-east-1.amazonaws.com'", NULL),
            SQLITE_OK);
  z = untrusted(0, 0);
  CHECK_STR(z, "endpoint='https://abc.execute-api.us-east-1.amazonaws.com'");
  sqlite3_free(z);
  /* max_attempts: up to the user's own AWS_MAX_ATTEMPTS */
  CHECK_INT(parse("table=T", "max_attempts=20", NULL), SQLITE_OK);
  {
    args_trust t = {0, "default", 0, 20, "standard", 0};
    int rc;
    CHECK(args_untrusted(&A, &t, &rc) == 0);
    t.max_attempts = 19;
    z = args_untrusted(&A, &t, &rc);
    CHECK_STR(z, "max_attempts=20");
    sqlite3_free(z);
  }
  /* retry_mode: the user's own only (legacy has 10 attempts and no quota) */
  CHECK_INT(parse("table=T", "retry_mode=standard", NULL), SQLITE_OK);
  CHECK(untrusted(0, 0) == 0);
  CHECK_INT(parse("table=T", "retry_mode=legacy", NULL), SQLITE_OK);
  z = untrusted(0, 0);
  CHECK_STR(z, "retry_mode='legacy'");
  sqlite3_free(z);
  /* table: a name, or an ARN of the user's own account; another account's
  ** table could take the user's writes and serve them its items */
  CHECK_INT(parse("table='arn:aws:dynamodb:us-east-1:111122223333:table/Tracks'", NULL),
            SQLITE_OK);
  CHECK(untrusted(0, 0) == 0);
  CHECK_INT(parse("table='arn:aws:dynamodb:us-east-1:999988887777:table/Tracks'", NULL),
            SQLITE_OK);
  z = untrusted(0, 0);
  CHECK_STR(z, "table='arn:aws:dynamodb:us-east-1:999988887777:table/Tracks'");
  sqlite3_free(z);
  {
    args_trust t = {0, "default", 0, 4, "standard", 0}; /* no account configured */
    int rc;
    z = args_untrusted(&A, &t, &rc);
    CHECK_STR(z, "table='arn:aws:dynamodb:us-east-1:999988887777:table/Tracks'");
    sqlite3_free(z);
  }
}

static void test_quoted_columns(void) {
  CHECK_INT(parse("table=T", "\"my col\" TEXT", "\"a.b\" N", "\"x=y\" S", "\"#tag\"",
                  "\"it\"\"s\" BOOL", "[br acket] N", "`back tick` S", "\":v0\" N",
                  "\"a=b=c\"", NULL),
            SQLITE_OK);
  CHECK(zErr == 0);
  CHECK_INT(A.ncol, 9);
  if (A.ncol == 9) {
    CHECK_STR(A.aCol[0].name, "my col");
    CHECK_STR(A.aCol[0].type, "TEXT");
    CHECK_STR(A.aCol[1].name, "a.b");
    CHECK_STR(A.aCol[1].type, "N");
    CHECK_STR(A.aCol[2].name, "x=y");
    CHECK_STR(A.aCol[2].type, "S");
    CHECK_STR(A.aCol[3].name, "#tag");
    CHECK_STR(A.aCol[3].type, "");
    CHECK_STR(A.aCol[4].name, "it\"s");
    CHECK_STR(A.aCol[4].type, "BOOL");
    CHECK_STR(A.aCol[5].name, "br acket");
    CHECK_STR(A.aCol[5].type, "N");
    CHECK_STR(A.aCol[6].name, "back tick");
    CHECK_STR(A.aCol[6].type, "S");
    CHECK_STR(A.aCol[7].name, ":v0");
    CHECK_STR(A.aCol[8].name, "a=b=c");
  }
  /* single quotes work as for CREATE TABLE, '=' inside too */
  CHECK_INT(parse("table=T", "'single q' N", "'k=v' S", NULL), SQLITE_OK);
  CHECK_INT(A.ncol, 2);
  if (A.ncol == 2) {
    CHECK_STR(A.aCol[0].name, "single q");
    CHECK_STR(A.aCol[0].type, "N");
    CHECK_STR(A.aCol[1].name, "k=v");
    CHECK_STR(A.aCol[1].type, "S");
  }
  /* spaces around a quoted name, and no type */
  CHECK_INT(parse("table=T", "  \"spaced\"  ", NULL), SQLITE_OK);
  CHECK_INT(A.ncol, 1);
  if (A.ncol == 1) {
    CHECK_STR(A.aCol[0].name, "spaced");
    CHECK_STR(A.aCol[0].type, "");
  }
}

static void test_column_errors(void) {
  /* duplicates, case-insensitively, after dequoting */
  CHECK_INT(parse("table=T", "speed N", "Speed N", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "duplicate column name"));
  CHECK(has(zErr, "Speed"));
  CHECK(is_empty());
  CHECK_INT(parse("table=T", "a S", "b S", "\"A\" N", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "duplicate column name"));
  CHECK_INT(parse("table=T", "\"my col\" S", "[MY COL] N", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "duplicate column name"));
  /* the reserved name of the hidden item column */
  CHECK_INT(parse("table=T", "item TEXT", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "reserved"));
  CHECK(is_empty());
  CHECK_INT(parse("table=T", "ITEM", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "reserved"));
  CHECK_INT(parse("table=T", "\"Item\" M", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "reserved"));
  CHECK_INT(parse("table=T", "_key TEXT", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "reserved"));
  CHECK(is_empty());
  CHECK_INT(parse("table=T", "[_KEY]", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "reserved"));
  CHECK_INT(parse("table=T", "items S", "item_count N", "_key2 S", "key S", NULL), SQLITE_OK);
  CHECK_INT(A.ncol, 4);
  CHECK(args_is_reserved("item") && args_is_reserved("Item") && args_is_reserved("_KEY"));
  CHECK(!args_is_reserved("items") && !args_is_reserved("key") && !args_is_reserved(""));
  /* malformed definitions */
  CHECK_INT(parse("table=T", "\"unterminated TEXT", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "unterminated"));
  CHECK(is_empty());
  CHECK_INT(parse("table=T", "[open N", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "unterminated"));
  CHECK_INT(parse("table=T", "'open=1", NULL), SQLITE_ERROR);
  CHECK(is_empty());
  CHECK_INT(parse("table=T", "\"\" TEXT", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "empty column name"));
  CHECK_INT(parse("table=T", "", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "empty column"));
  CHECK_INT(parse("table=T", "   ", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "empty column"));
  /* the first error stops the parse */
  CHECK_INT(parse("table=T", "colour=blue", "a S", "a S", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "colour"));
  CHECK(!has(zErr, "duplicate"));
}

/* After an error the create fields are empty too. */
static int is_empty_create(void) {
  return is_empty() && A.create == 0 && A.billing == 0 && A.read_units == 0 &&
         A.write_units == 0 && A.pk == 0 && A.sk == 0 && A.nindex == 0 && A.aIndex == 0;
}

static void test_primary_key(void) {
  CHECK_INT(parse("table=T", "uuid TEXT", "timestamp TEXT", "PRIMARY KEY (uuid, timestamp)", NULL),
            SQLITE_OK);
  CHECK(zErr == 0);
  CHECK_STR(A.pk, "uuid");
  CHECK_STR(A.sk, "timestamp");
  CHECK_INT(A.ncol, 2); /* not a column */
  CHECK_INT(A.create, 0);
  /* any case, any spacing, before the columns, names as declared */
  CHECK_INT(parse("table=T", "  primary   Key(UUID)", "uuid S", NULL), SQLITE_OK);
  CHECK_STR(A.pk, "uuid");
  CHECK(A.sk == 0);
  CHECK_INT(A.ncol, 1);
  CHECK_INT(parse("table=T", "PRIMARY\tKEY\t( \"odd, name\" ,[b=c] )", "\"odd, name\" N",
                  "\"b=c\" B", NULL),
            SQLITE_OK);
  CHECK_STR(A.pk, "odd, name");
  CHECK_STR(A.sk, "b=c");
  CHECK_INT(parse("table=T", "PRIMARY KEY ('it''s')", "\"it's\" TEXT", NULL), SQLITE_OK);
  CHECK_STR(A.pk, "it's");
  /* names that only start like it are columns */
  CHECK_INT(parse("table=T", "primary_key TEXT", "primary N", "\"PRIMARY KEY\" S", NULL),
            SQLITE_OK);
  CHECK_INT(A.ncol, 3);
  CHECK(A.pk == 0);
  if (A.ncol == 3) CHECK_STR(A.aCol[2].name, "PRIMARY KEY");

  /* errors */
  CHECK_INT(parse("table=T", "uuid S", "PRIMARY KEY (uuid)", "PRIMARY KEY (uuid)", NULL),
            SQLITE_ERROR);
  CHECK(has(zErr, "PRIMARY KEY given twice"));
  CHECK(is_empty_create());
  {
    static const char *const azBad[] = {"PRIMARY KEY ()",        "PRIMARY KEY uuid",
                                        "PRIMARY KEY (a, b, c)", "PRIMARY KEY (a,)",
                                        "PRIMARY KEY (a b)",     "PRIMARY KEY (a) x",
                                        "PRIMARY KEY (\"a)",     "PRIMARY KEY (a",
                                        "PRIMARY KEY (\"\")",    "primary key"};
    unsigned i;
    for (i = 0; i < sizeof(azBad) / sizeof(azBad[0]); i++) {
      CHECK_INT(parse("table=T", "a S", "b S", "c S", azBad[i], NULL), SQLITE_ERROR);
      CHECK(has(zErr, "PRIMARY KEY (partition_key [, sort_key])"));
      CHECK(has(zErr, azBad[i]));
      CHECK(is_empty_create());
    }
  }
  CHECK_INT(parse("table=T", "uuid S", "PRIMARY KEY (uuid, UUID)", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "PRIMARY KEY names column uuid twice"));
  /* key columns must be declared, with or without create=1 */
  CHECK_INT(parse("table=T", "uuid S", "PRIMARY KEY (uuid, ts)", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "PRIMARY KEY column ts is not a declared column"));
  CHECK(has(zErr, "ts TEXT"));
  CHECK(is_empty_create());
  CHECK_INT(parse("table=T", "create=1", "PRIMARY KEY (uuid)", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "PRIMARY KEY column uuid is not a declared column"));
}

static void test_create_options(void) {
  CHECK_INT(parse("table=Tracks", "create=1", "uuid TEXT", "timestamp TEXT",
                  "PRIMARY KEY (uuid, timestamp)", NULL),
            SQLITE_OK);
  CHECK_INT(A.create, 1);
  CHECK_INT(A.billing, 0); /* on demand */
  CHECK_INT(A.read_units, 0);
  CHECK_INT(parse("table=T", "create=0", NULL), SQLITE_OK);
  CHECK_INT(A.create, 0);
  CHECK_INT(parse("table=T", "CREATE='1'", "Billing=ON_DEMAND", "u S", "PRIMARY KEY (u)", NULL),
            SQLITE_OK);
  CHECK_INT(A.create, 1);
  CHECK_INT(A.billing, ARGS_BILLING_ON_DEMAND);
  CHECK_INT(parse("table=T", "create=1", "billing=provisioned", "read_units=5",
                  "write_units = 1000000000000", "u S", "PRIMARY KEY (u)", NULL),
            SQLITE_OK);
  CHECK_INT(A.billing, ARGS_BILLING_PROVISIONED);
  CHECK_INT(A.read_units, 5);
  CHECK_INT(A.write_units, 1000000000000LL);

  /* values */
  {
    static const char *const azBad[] = {"create=2", "create=yes", "create=", "create=true"};
    unsigned i;
    for (i = 0; i < sizeof(azBad) / sizeof(azBad[0]); i++) {
      CHECK_INT(parse("table=T", azBad[i], NULL), SQLITE_ERROR);
      CHECK(has(zErr, "create must be 0 or 1"));
      CHECK(is_empty_create());
    }
  }
  CHECK_INT(parse("table=T", "create=1", "create=1", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "'create' given twice"));
  CHECK_INT(parse("table=T", "create=1", "billing=free", "u S", "PRIMARY KEY (u)", NULL),
            SQLITE_ERROR);
  CHECK(has(zErr, "billing must be on_demand or provisioned, not 'free'"));
  CHECK_INT(parse("table=T", "create=1", "billing=on_demand", "billing=on_demand", NULL),
            SQLITE_ERROR);
  CHECK(has(zErr, "'billing' given twice"));
  {
    static const char *const azBad[] = {"read_units=0",   "read_units=-1",  "read_units=1.5",
                                        "read_units=",    "read_units=ten", "read_units=+5",
                                        "read_units=5 5", "read_units=1000000000001",
                                        "read_units=99999999999999999999999"};
    unsigned i;
    for (i = 0; i < sizeof(azBad) / sizeof(azBad[0]); i++) {
      CHECK_INT(parse("table=T", "create=1", "billing=provisioned", azBad[i], "write_units=1",
                      "u S", "PRIMARY KEY (u)", NULL),
                SQLITE_ERROR);
      CHECK(has(zErr, "read_units must be a positive integer"));
      CHECK(is_empty_create());
    }
  }
  CHECK_INT(parse("table=T", "write_units=x", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "write_units must be a positive integer"));
  CHECK_INT(parse("table=T", "read_units=1", "read_units=1", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "'read_units' given twice"));

  /* stream= */
  CHECK_INT(parse("table=T", "create=1", "stream=New_And_Old_Images", "u S", "PRIMARY KEY (u)",
                  NULL),
            SQLITE_OK);
  CHECK_INT(A.stream, ARGS_STREAM_NEW_AND_OLD_IMAGES);
  CHECK_INT(parse("table=T", "create=1", "stream=keys_only", "u S", "PRIMARY KEY (u)", NULL),
            SQLITE_OK);
  CHECK_INT(A.stream, ARGS_STREAM_KEYS_ONLY);
  CHECK_INT(parse("table=T", "create=1", "stream=all", "u S", "PRIMARY KEY (u)", NULL),
            SQLITE_ERROR);
  CHECK(has(zErr, "stream must be new_and_old_images, new_image, old_image or keys_only, "
                  "not 'all'"));
  CHECK_INT(parse("table=T", "stream=new_image", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "option 'stream' only applies when create=1 creates the table"));

  /* combinations */
  CHECK_INT(parse("table=T", "create=1", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "create=1 needs PRIMARY KEY (partition_key [, sort_key])"));
  CHECK(is_empty_create());
  CHECK_INT(parse("table=T", "create=1", "uuid TEXT PRIMARY KEY", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "invalid type for column uuid: 'TEXT PRIMARY KEY'"));
  CHECK(has(zErr, "the keys are named with PRIMARY KEY (...)"));
  CHECK_INT(parse("table=T", "create=1", "billing=provisioned", "u S", "PRIMARY KEY (u)", NULL),
            SQLITE_ERROR);
  CHECK(has(zErr, "billing=provisioned needs read_units=N and write_units=N"));
  CHECK_INT(parse("table=T", "create=1", "billing=provisioned", "read_units=1", "u S",
                  "PRIMARY KEY (u)", NULL),
            SQLITE_ERROR);
  CHECK(has(zErr, "needs read_units=N and write_units=N"));
  CHECK_INT(parse("table=T", "create=1", "read_units=1", "write_units=1", "u S",
                  "PRIMARY KEY (u)", NULL),
            SQLITE_ERROR);
  CHECK(has(zErr, "read_units needs billing=provisioned"));
  CHECK_INT(parse("table=T", "create=1", "billing=on_demand", "write_units=1", "u S",
                  "PRIMARY KEY (u)", NULL),
            SQLITE_ERROR);
  CHECK(has(zErr, "write_units needs billing=provisioned"));
  /* creation options without create=1: never silently ignored */
  {
    static const char *const azOpt[] = {"billing=on_demand", "read_units=1", "write_units=1",
                                        "global_index=G(u)", "local_index=L(s)"};
    unsigned i;
    for (i = 0; i < sizeof(azOpt) / sizeof(azOpt[0]); i++) {
      char zName[32];
      int n = (int)(strchr(azOpt[i], '=') - azOpt[i]);
      sqlite3_snprintf(sizeof(zName), zName, "option '%.*s'", n, azOpt[i]);
      CHECK_INT(parse("table=T", "u S", "s S", "PRIMARY KEY (u, s)", azOpt[i], NULL),
                SQLITE_ERROR);
      CHECK(has(zErr, zName));
      CHECK(has(zErr, "only applies when create=1"));
      CHECK(is_empty_create());
      CHECK_INT(parse("table=T", "create=0", "u S", "s S", "PRIMARY KEY (u, s)", azOpt[i], NULL),
                SQLITE_ERROR);
      CHECK(has(zErr, zName));
    }
  }
  /* the unknown-option message lists the new options */
  CHECK_INT(parse("table=T", "billing_mode=x", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "unknown option 'billing_mode'"));
  CHECK(has(zErr, "create, billing, read_units, write_units, global_index, local_index"));
}

#define CREATE_TRACKS "table=T", "create=1", "uuid TEXT", "ts TEXT", "model TEXT", "lat REAL"

static void test_indexes(void) {
  CHECK_INT(parse(CREATE_TRACKS, "PRIMARY KEY (uuid, ts)", "global_index=ByModel(model, ts)",
                  "local_index=ByLat(lat) KEYS_ONLY",
                  "global_index = 'ByModelOnly ( MODEL ) include (\"a b\", c)'",
                  "local_index=ByLat2(UUID, lat) ALL", NULL),
            SQLITE_OK);
  CHECK(zErr == 0);
  CHECK_INT(A.nindex, 4);
  if (A.nindex == 4) {
    CHECK_STR(A.aIndex[0].name, "ByModel");
    CHECK_INT(A.aIndex[0].local, 0);
    CHECK_STR(A.aIndex[0].pk, "model");
    CHECK_STR(A.aIndex[0].sk, "ts");
    CHECK_INT(A.aIndex[0].projection, ARGS_PROJ_ALL);
    CHECK_STR(A.aIndex[1].name, "ByLat");
    CHECK_INT(A.aIndex[1].local, 1);
    CHECK_STR(A.aIndex[1].pk, "uuid"); /* the table's */
    CHECK_STR(A.aIndex[1].sk, "lat");
    CHECK_INT(A.aIndex[1].projection, ARGS_PROJ_KEYS_ONLY);
    CHECK_STR(A.aIndex[2].name, "ByModelOnly");
    CHECK_STR(A.aIndex[2].pk, "model"); /* as declared */
    CHECK(A.aIndex[2].sk == 0);
    CHECK_INT(A.aIndex[2].projection, ARGS_PROJ_INCLUDE);
    CHECK_INT(A.aIndex[2].ninclude, 2);
    if (A.aIndex[2].ninclude == 2) {
      CHECK_STR(A.aIndex[2].azInclude[0], "a b");
      CHECK_STR(A.aIndex[2].azInclude[1], "c");
    }
    CHECK_STR(A.aIndex[3].pk, "uuid");
    CHECK_STR(A.aIndex[3].sk, "lat");
    CHECK_INT(A.aIndex[3].projection, ARGS_PROJ_ALL);
  }
  /* quoted index names */
  CHECK_INT(parse(CREATE_TRACKS, "PRIMARY KEY (uuid)", "global_index=\"By.Model-1\"(model)",
                  NULL),
            SQLITE_OK);
  CHECK_INT(A.nindex, 1);
  if (A.nindex == 1) CHECK_STR(A.aIndex[0].name, "By.Model-1");

  /* syntax */
  {
    static const char *const azBad[] = {
        "global_index=",         "global_index=ByModel",         "global_index=(model)",
        "global_index=G()",      "global_index=G(model, ts, lat)", "global_index=G(model) SOME",
        "global_index=G(model) INCLUDE", "global_index=G(model) INCLUDE ()",
        "global_index=G(model) ALL x",   "global_index=G(model) KEYS_ONLY (a)",
        "global_index=G(model",  "global_index=G model"};
    unsigned i;
    for (i = 0; i < sizeof(azBad) / sizeof(azBad[0]); i++) {
      CHECK_INT(parse(CREATE_TRACKS, "PRIMARY KEY (uuid, ts)", azBad[i], NULL), SQLITE_ERROR);
      CHECK(has(zErr, "global_index must look like NAME(partition_key [, sort_key])"));
      CHECK(is_empty_create());
    }
  }
  CHECK_INT(parse(CREATE_TRACKS, "PRIMARY KEY (uuid, ts)", "local_index=L(uuid, ts, lat)", NULL),
            SQLITE_ERROR);
  CHECK(has(zErr, "local_index must look like NAME(sort_key)"));
  /* keys */
  CHECK_INT(parse(CREATE_TRACKS, "PRIMARY KEY (uuid, ts)", "global_index=G(speed)", NULL),
            SQLITE_ERROR);
  CHECK(has(zErr, "global index G column speed is not a declared column"));
  CHECK(is_empty_create());
  CHECK_INT(parse(CREATE_TRACKS, "PRIMARY KEY (uuid, ts)", "local_index=L(speed)", NULL),
            SQLITE_ERROR);
  CHECK(has(zErr, "local index L column speed is not a declared column"));
  CHECK_INT(parse(CREATE_TRACKS, "PRIMARY KEY (uuid, ts)", "local_index=L(model, lat)", NULL),
            SQLITE_ERROR);
  CHECK(has(zErr, "local index L must have the table's partition key uuid, not model"));
  CHECK_INT(parse(CREATE_TRACKS, "PRIMARY KEY (uuid)", "local_index=L(lat)", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "local index L needs a table with a sort key"));
  CHECK_INT(parse(CREATE_TRACKS, "PRIMARY KEY (uuid, ts)", "global_index=G(model, Model)", NULL),
            SQLITE_ERROR);
  CHECK(has(zErr, "global index G has model as both partition key and sort key"));
  CHECK_INT(parse(CREATE_TRACKS, "PRIMARY KEY (uuid, ts)", "global_index=G(model)",
                  "local_index=G(lat)", NULL),
            SQLITE_ERROR);
  CHECK(has(zErr, "index name G given twice"));
}

/* The transport and write options of later issues. */
static void test_more_options(void) {
  CHECK_INT(parse("table=T", "atomic=1", "segments=4", "connect_timeout_ms=250",
                  "request_timeout_ms=5000", "max_attempts=3", "retry_time_ms=9000",
                  "ca_bundle='/etc/ssl/my ca.pem'", "allow_http=1", NULL),
            SQLITE_OK);
  CHECK_INT(A.atomic, 1);
  CHECK_INT(A.segments, 4);
  CHECK_INT(A.transport.connect_ms, 250);
  CHECK_INT(A.transport.request_ms, 5000);
  CHECK_INT(A.transport.max_attempts, 3);
  CHECK_INT(A.transport.retry_ms, 9000);
  CHECK_STR(A.transport.ca_bundle, "/etc/ssl/my ca.pem");
  CHECK_INT(A.transport.allow_http, 1);
  CHECK_INT(parse("table=T", "retry_mode=adaptive", NULL), SQLITE_OK);
  CHECK_STR(A.transport.retry_mode, "adaptive"); /* checked when the client opens */
  CHECK_INT(parse("table=T", NULL), SQLITE_OK);
  CHECK(A.atomic == 0 && A.segments == 0 && A.transport.connect_ms == 0 && A.transport.max_attempts == 0 &&
        A.transport.allow_http == 0 && A.transport.ca_bundle == 0 && A.transport.retry_mode == 0);
  CHECK_INT(parse("table=T", "segments=1000001", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "segments must be between 1 and 1000000"));
  CHECK_INT(parse("table=T", "segments=0", NULL), SQLITE_ERROR);
  CHECK_INT(parse("table=T", "segments=2", "segments=3", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "given twice"));
  CHECK_INT(parse("table=T", "max_attempts=0", NULL), SQLITE_ERROR);
  CHECK_INT(parse("table=T", "max_attempts=101", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "max_attempts must be between 1 and 100"));
  CHECK_INT(parse("table=T", "atomic=2", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "atomic must be 0 or 1"));
  CHECK_INT(parse("table=T", "request_timeout_ms=soon", NULL), SQLITE_ERROR);
  CHECK_INT(parse("table=T", "colour=red", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "atomic, segments, segment, connect_timeout_ms, request_timeout_ms, "
                  "max_attempts, retry_time_ms, ca_bundle, allow_http"));
  /* the message lists every option, from the one table of options */
  CHECK(has(zErr, "(options: table, region, endpoint, profile, consistent_read, create, "
                  "billing, read_units, write_units, global_index, local_index, stream, atomic, "
                  "segments, segment, connect_timeout_ms, request_timeout_ms, max_attempts, "
                  "retry_time_ms, ca_bundle, allow_http, max_read_units, max_write_units, "
                  "scan, indexes, filter, read_once, retry_mode)"));
  /* read_once: 0 (never) and up; 8 when not given */
  CHECK_INT(parse("table=T", NULL), SQLITE_OK);
  CHECK_INT(A.read_once, ARGS_READ_ONCE_MB);
  CHECK_INT(parse("table=T", "read_once=0", NULL), SQLITE_OK);
  CHECK_INT(A.read_once, 0);
  CHECK_INT(parse("table=T", "read_once=64", NULL), SQLITE_OK);
  CHECK_INT(A.read_once, 64);
  CHECK_INT(parse("table=T", "read_once=", NULL), SQLITE_ERROR);
  CHECK_INT(parse("table=T", "read_once=-1", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "read_once must be between 0 and 1048576, not '-1'"));
  /* every kind of option is refused when given twice, flags included */
  CHECK_INT(parse("table=T", "scan=0", "scan=1", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "'scan' given twice"));
  CHECK_INT(parse("table=T", "allow_http=0", "allow_http=0", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "'allow_http' given twice"));
  CHECK_INT(parse("table=T", "max_read_units=5", "max_read_units=5", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "'max_read_units' given twice"));
  CHECK_INT(parse("table=T", "ca_bundle=a", "ca_bundle=b", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "'ca_bundle' given twice"));
  /* the bounds: the largest value is taken, one more is not */
  CHECK_INT(parse("table=T", "segments=1000000", "max_attempts=100", "max_read_units=1000000000000",
                  NULL),
            SQLITE_OK);
  CHECK_INT(A.segments, 1000000);
  CHECK_INT(A.transport.max_attempts, 100);
  CHECK_INT(A.transport.max_read_units, 1000000000000LL);
  CHECK_INT(parse("table=T", "max_write_units=1000000000001", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "max_write_units must be a positive integer (at most 1000000000000), not "
                  "'1000000000001'"));
  CHECK_INT(parse("table=T", "segments=99999999999999999999", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "segments must be between 1 and 1000000, not '99999999999999999999'"));
  CHECK_INT(parse("table=T", "scan=0", NULL), SQLITE_OK);
  CHECK_INT(A.scan, 0);
  CHECK_INT(parse("table=T", NULL), SQLITE_OK);
  CHECK_INT(A.scan, -1); /* not given: the connection decides */
  CHECK_INT(A.filter, 1); /* not given: conditions go as a filter */
  CHECK_INT(parse("table=T", "filter=0", NULL), SQLITE_OK);
  CHECK_INT(A.filter, 0);
  CHECK_INT(parse("table=T", "filter=2", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "filter must be 0 or 1"));
}

/* segment=K or K-L: this table's share of a Scan cut into segments=N. */
static void test_segment_share(void) {
  CHECK_INT(parse("table=T", NULL), SQLITE_OK);
  CHECK(A.segment_first == -1 && A.segment_last == -1);
  CHECK_INT(parse("table=T", "segments=4", "segment=2", NULL), SQLITE_OK);
  CHECK(A.segment_first == 2 && A.segment_last == 2);
  CHECK_INT(parse("table=T", "segment=0-3", "segments=8", NULL), SQLITE_OK);
  CHECK(A.segment_first == 0 && A.segment_last == 3);
  CHECK_INT(parse("table=T", "segments=1000000", "segment=999999", NULL), SQLITE_OK);
  CHECK_INT(A.segment_last, 999999);
  CHECK_INT(parse("table=T", "segment=1", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "segment=1 needs segments=N"));
  CHECK_INT(parse("table=T", "segments=4", "segment=4", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "segment 4 is not below segments=4"));
  CHECK_INT(parse("table=T", "segments=4", "segment=1-4", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "segment 4 is not below segments=4"));
  {
    static const char *az[] = {"segment=", "segment=-1", "segment=3-2", "segment=1-", "segment=a",
                               "segment=1-2-3", "segment=1 -2", "segment=1000000",
                               "segment=99999999999999999999", "segment=1-x"};
    unsigned i;
    for (i = 0; i < sizeof(az) / sizeof(az[0]); i++) {
      CHECK_INT(parse("table=T", "segments=8", az[i], NULL), SQLITE_ERROR);
      CHECK(has(zErr, "segment must be a segment number K or a range K-L"));
    }
  }
  CHECK_INT(parse("table=T", "segments=8", "segment=1", "segment=2", NULL), SQLITE_ERROR);
  CHECK(has(zErr, "'segment' given twice"));
}

int main(void) {
  RUN(test_options);
  RUN(test_segment_share);
  RUN(test_more_options);
  RUN(test_quoting);
  RUN(test_option_errors);
  RUN(test_consistent_read);
  RUN(test_credentials_refused);
  RUN(test_columns);
  RUN(test_column_types);
  RUN(test_untrusted);
  RUN(test_quoted_columns);
  RUN(test_column_errors);
  RUN(test_primary_key);
  RUN(test_create_options);
  RUN(test_indexes);
  args_free(&A);
  sqlite3_free(zErr);
  CHECK_DONE();
}
