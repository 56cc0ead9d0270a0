/*
** DynamoDB AttributeValues <-> SQLite values, both directions, lossless
** where the two type systems allow it (see the type table in README.md).
**
** Read:  S -> TEXT; N -> INTEGER, REAL or TEXT (number.h); B -> BLOB;
**        BOOL -> 1/0; NULL -> NULL; SS, NS, BS, L, M -> TEXT holding JSON
**        (sets as arrays, numbers exact, binary as base64).
** Write: by the column's write class, which comes from its declared type:
**        a DynamoDB type name, or else SQLite's affinity rules.
**
** Pure: no I/O. cJSON nodes are the AttributeValue representation.
*/
#ifndef DYNAMO_ATTRVAL_H
#define DYNAMO_ATTRVAL_H

#include "common.h"
#include <cJSON.h>

/* DynamoDB types; the order matches av_type_names[]. */
typedef enum av_type {
  AV_S, AV_N, AV_B, AV_BOOL, AV_NULL, AV_SS, AV_NS, AV_BS, AV_L, AV_M,
  AV_NTYPE
} av_type;

extern const char *const av_type_names[AV_NTYPE];

/* How a column writes SQLite values (see av_from_sqlite). */
typedef enum av_class {
  AVC_ANY = -1,     /* no declared type: INTEGER/REAL -> N, TEXT -> S, BLOB -> B */
  AVC_TEXT = -2,    /* TEXT affinity: numbers become S as text */
  AVC_NUMERIC = -3  /* NUMERIC/INTEGER/REAL affinity: numeric text -> N */
  /* 0..AV_NTYPE-1: declared with that DynamoDB type */
} av_class;

/* The type of an AttributeValue node ({"S":"x"}), or -1 if malformed. */
int av_type_of(const cJSON *av);

/* A DynamoDB type name ("SS") -> av_type, or -1. Case-sensitive. */
int av_type_from_name(const char *z, int n);

/*
** The write class of a declared column type: a DynamoDB type name as its
** first word (case-insensitive: "N", "ss", "BOOL NOT NULL"...), else the
** class of SQLite's affinity for the type.
*/
int av_class_of_decl(const char *zDecl);

/*
** How a column hands over what it reads: as a native SQLite column of its
** declared type would have stored the value (datatype3.html, "Type
** Affinity"), wherever that keeps the number exact. AVA_REAL: an INTEGER
** becomes REAL when the double holds it exactly; AVA_TEXT: a number becomes
** its exact decimal text, in plain notation (0.0000000001), a BOOL '1' or
** '0'; AVA_NONE: as read (INTEGER and NUMERIC
** affinity already give an integral number as INTEGER).
*/
enum { AVA_NONE = 0, AVA_REAL, AVA_TEXT };

/* SQLite's affinity of a declared type, by its own rules (datatype3.html,
** 3.1; sqlite3AffinityType): INT anywhere is INTEGER, else CHAR, CLOB or
** TEXT is TEXT, else BLOB (or no type) is BLOB, else REAL, FLOA or DOUB is
** REAL, else NUMERIC. */
enum { AV_AFF_BLOB, AV_AFF_TEXT, AV_AFF_NUMERIC, AV_AFF_INTEGER, AV_AFF_REAL };
int av_sql_affinity(const char *zType);

/* The read affinity of a declared column type: AVA_NONE for a DynamoDB
** type name and for INTEGER, NUMERIC, BLOB or no affinity. */
int av_read_affinity(const char *zDecl);

/* A value read from DynamoDB, ready for sqlite3_result_*(). */
typedef struct av_value {
  int type;             /* SQLITE_INTEGER, _FLOAT, _TEXT, _BLOB or _NULL */
  sqlite3_int64 i;
  double r;
  const char *z;        /* TEXT/BLOB bytes: points into the cJSON node, or */
  char *zOwned;         /* to this sqlite3_malloc()ed buffer when set */
  int n;
} av_value;

/*
** Convert one AttributeValue for SQLite. Returns SQLITE_OK, SQLITE_NOMEM,
** or SQLITE_ERROR with *pzErr set when the value is malformed. The caller
** frees out->zOwned (sqlite3_free) or passes it on as a result.
*/
int av_to_value(const cJSON *av, av_value *out, char **pzErr);

/* av_to_value, then the column's read affinity (AVA_*) applied. */
int av_to_value_as(const cJSON *av, int aff, av_value *out, char **pzErr);

/* Set the result of an xColumn call from an AttributeValue (NULL: missing),
** as read (av_result) or with a read affinity (av_result_as). */
int av_result(sqlite3_context *ctx, const cJSON *av);
int av_result_as(sqlite3_context *ctx, const cJSON *av, int aff);

/*
** Convert a SQLite value into a new AttributeValue for a column of write
** class cls. *pOut is NULL for SQL NULL (the attribute is left out).
** Returns SQLITE_OK, SQLITE_NOMEM or SQLITE_MISMATCH with *pzErr set to a
** message naming zCol.
*/
int av_from_sqlite(sqlite3_value *v, int cls, const char *zCol,
                   cJSON **pOut, char **pzErr);

/*
** Check an AttributeValue given by a user (item JSON): the shape, the type
** tags, numbers, base64, sets (non-empty, no duplicates), recursively.
** zPath names the attribute in messages. SQLITE_OK or SQLITE_MISMATCH.
*/
int av_validate(const cJSON *av, const char *zPath, char **pzErr);

/* An item from outside (a stream record's image): an object whose every
** attribute is valid (av_validate), no name repeated. SQLITE_OK, or
** SQLITE_MISMATCH with *pzErr. */
int av_item_check(const cJSON *item, char **pzErr);

/* Parse and validate an item in DynamoDB JSON; *pItem is a cJSON object. */
int av_parse_item(const char *z, int n, cJSON **pItem, char **pzErr);

/* Two AttributeValues are the same value (numbers compared as numbers,
** sets as sets, maps without regard to order). */
int av_equal(const cJSON *a, const cJSON *b);

/*
** An item's key as text: its key attributes zPk and zSk (NULL: none) as
** canonical DynamoDB JSON, partition key first ({"uuid":{"S":"a"},
** "timestamp":{"S":"b"}}, numbers in their canonical text), so that one
** item always gives the same text, however its numbers are spelled: the
** reader's _key column and the writer's ordering of writes to one item both
** use it. SQLITE_OK with *pz (sqlite3_free), SQLITE_ERROR when an attribute
** is missing, SQLITE_NOMEM.
*/
int av_key_text(const cJSON *item, const char *zPk, const char *zSk, char **pz);

/*
** An item's size as DynamoDB counts it against its 400 KB limit
** (AV_ITEM_MAX_BYTES): the UTF-8 bytes of each attribute name plus its
** value: a string's UTF-8 bytes, a binary's raw bytes, a number 1 byte plus
** 1 per two significant digits (DynamoDB's documented approximation), NULL
** and BOOL 1, a set the sum of its elements, a List or Map 3 bytes plus 1
** per element plus the elements (a Map's names too). item is valid (see
** av_validate).
*/
#define AV_ITEM_MAX_BYTES 409600
sqlite3_int64 av_item_size(const cJSON *item);

/* Is z[0..n) well-formed UTF-8 (no overlong forms, no surrogates, at most
** U+10FFFF), as every DynamoDB string must be? */
int av_utf8_valid(const char *z, int n);

/* Base64 with OpenSSL; both return sqlite3_malloc()ed buffers or NULL. */
char *av_base64_encode(const unsigned char *p, int n);
unsigned char *av_base64_decode(const char *z, int n, int *pn);

#endif
