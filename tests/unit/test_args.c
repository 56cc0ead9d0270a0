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
  CHECK_INT(parse("table=T", "a VARCHAR(10)", "b  bool  NOT NULL ", "c DOUBLE PRECISION",
                  "  d   N", "e decimal(10, 5)", "f\tBLOB", NULL),
            SQLITE_OK);
  CHECK_INT(A.ncol, 6);
  if (A.ncol == 6) {
    CHECK_STR(A.aCol[0].name, "a");
    CHECK_STR(A.aCol[0].type, "VARCHAR(10)");
    CHECK_STR(A.aCol[1].name, "b");
    CHECK_STR(A.aCol[1].type, "bool  NOT NULL");
    CHECK_STR(A.aCol[2].type, "DOUBLE PRECISION");
    CHECK_STR(A.aCol[3].name, "d");
    CHECK_STR(A.aCol[3].type, "N");
    CHECK_STR(A.aCol[4].type, "decimal(10, 5)");
    CHECK_STR(A.aCol[5].name, "f");
    CHECK_STR(A.aCol[5].type, "BLOB");
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

int main(void) {
  RUN(test_options);
  RUN(test_quoting);
  RUN(test_option_errors);
  RUN(test_consistent_read);
  RUN(test_credentials_refused);
  RUN(test_columns);
  RUN(test_quoted_columns);
  RUN(test_column_errors);
  args_free(&A);
  sqlite3_free(zErr);
  CHECK_DONE();
}
