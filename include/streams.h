/*
** DynamoDB Streams' answers, read once (DescribeStream, GetRecords), their
** requests, sequence numbers and shard lineage. Pure: cJSON in, C out;
** sync.c sends the requests and applies what they say.
**
**   DescribeStream  {"StreamDescription": {"StreamArn": ..., "StreamStatus":
**                   "ENABLED", "StreamViewType": "NEW_AND_OLD_IMAGES",
**                   "Shards": [{"ShardId": ..., "ParentShardId": ...,
**                   "SequenceNumberRange": {"StartingSequenceNumber": "1",
**                   "EndingSequenceNumber": "9"}}], "LastEvaluatedShardId": ...}}
**   GetRecords      {"Records": [{"eventName": "INSERT" | "MODIFY" |
**                   "REMOVE", "dynamodb": {"Keys": {...}, "NewImage": {...},
**                   "SequenceNumber": "...", "ApproximateCreationDateTime":
**                   1.7e9}, "userIdentity": {"type": "Service",
**                   "principalId": "dynamodb.amazonaws.com"}}],
**                   "NextShardIterator": "..."}
**
** Everything in an answer is checked before it is used: a record's event,
** its sequence number (decimal digits, increasing within the answer), its
** Keys and image (valid AttributeValues, av_validate), and that the image
** holds the keys the record names. An answer that fails is an error, never
** a record half applied.
*/
#ifndef DYNAMO_STREAMS_H
#define DYNAMO_STREAMS_H

#include "common.h"
#include <cJSON.h>

/* GetRecords: at most this many records an answer (DynamoDB's limit). */
#define STREAMS_RECORDS_LIMIT 1000

/* A shard as DescribeStream describes it; every string sqlite3_malloc()ed. */
typedef struct streams_shard {
  char *zId;
  char *zParent;  /* ParentShardId, NULL when none */
  char *zStart;   /* StartingSequenceNumber, NULL when absent */
  char *zEnd;     /* EndingSequenceNumber: the shard is closed; NULL: open */
} streams_shard;

/* One page of DescribeStream, or the pages gathered (streams_desc_add). */
typedef struct streams_desc {
  char *zStatus;      /* StreamStatus: ENABLING, ENABLED, DISABLING, DISABLED */
  char *zView;        /* StreamViewType */
  char *zNextShard;   /* LastEvaluatedShardId: more shards on another page */
  streams_shard *aShard;
  int nShard;
} streams_desc;

/* {"StreamArn": zArn[, "ExclusiveStartShardId": zAfter]}; NULL on OOM. */
cJSON *streams_describe_request(const char *zArn, const char *zAfter);

/* Parse a DescribeStream answer: SQLITE_OK, SQLITE_NOMEM, or SQLITE_ERROR
** with *pzErr saying what is wrong with it (no StreamDescription, a shard
** without an id, a sequence number that is not one). *out is released with
** streams_desc_clear (also after an error). */
int streams_describe_parse(const cJSON *resp, streams_desc *out, char **pzErr);

/* Move the shards of page into all (the first page's status and view are
** kept; a shard already there is not added twice); page is cleared.
** SQLITE_OK or SQLITE_NOMEM. */
int streams_desc_add(streams_desc *all, streams_desc *page);
void streams_desc_clear(streams_desc *d);

/* Does the view carry the item after each write (NEW_IMAGE or
** NEW_AND_OLD_IMAGES)? */
int streams_view_has_new_images(const char *zView);

/* GetShardIterator's request: zType is TRIM_HORIZON, LATEST,
** AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER (zSeq for the last two). */
cJSON *streams_iterator_request(const char *zArn, const char *zShard, const char *zType,
                                const char *zSeq);

/* The iterator of a GetShardIterator answer (a pointer into resp), or NULL. */
const char *streams_iterator_of(const cJSON *resp);

/* GetRecords' request: {"ShardIterator": zIter, "Limit": STREAMS_RECORDS_LIMIT}. */
cJSON *streams_records_request(const char *zIter);

enum { STREAMS_INSERT = 1, STREAMS_MODIFY, STREAMS_REMOVE };

/* A record of a GetRecords answer: pointers into the answer's tree. */
typedef struct streams_record {
  int op;               /* STREAMS_INSERT, _MODIFY or _REMOVE */
  const char *zSeq;     /* SequenceNumber: decimal digits */
  const cJSON *keys;    /* Keys: an object of AttributeValues */
  const cJSON *image;   /* NewImage (NULL for REMOVE) */
  double created;       /* ApproximateCreationDateTime, seconds since the
                        ** epoch; 0 when absent */
  int expired;          /* a REMOVE by DynamoDB's Time to Live (userIdentity
                        ** Service, dynamodb.amazonaws.com) */
} streams_record;

typedef struct streams_records {
  streams_record *a;    /* sqlite3_malloc()ed array */
  int n;
  const char *zNext;    /* NextShardIterator; NULL: the shard's end (a closed
                        ** shard read to its last record) */
} streams_records;

/* Parse a GetRecords answer (see the file's comment for what is checked).
** SQLITE_OK, SQLITE_NOMEM, or SQLITE_ERROR with *pzErr. An INSERT or MODIFY
** without a NewImage is an error that names the view: the copy needs the
** item after each write.
** DynamoDB Local writes an empty map in a stream record's image as {}, no
** type tag (its Scan says {"M": {}}): an attribute value {} of an image is
** made {"M": {}} in resp before it is checked, the only value it can be. */
int streams_records_parse(cJSON *resp, streams_records *out, char **pzErr);
void streams_records_clear(streams_records *r);

/* Compare two sequence numbers (decimal digits, any length, leading zeros
** ignored): <0, 0, >0. */
int streams_seq_cmp(const char *a, const char *b);

/* Is z a sequence number: 1 to 64 decimal digits? */
int streams_seq_valid(const char *z);

/*
** Lineage: a shard is read once its parent is read to its end. Given n
** shards (ids azId, parents azParent, NULL: none) and which are finished,
** may shard i be read now: not finished, and its parent is none, not among
** the n (trimmed long ago), or finished?
*/
int streams_ready(const char *const *azId, const char *const *azParent, const int *aFinished,
                  int n, int i);

/* Does shard i's chain of parents among the n lead back to it (a crafted
** answer or state: it would never be ready)? */
int streams_in_cycle(const char *const *azId, const char *const *azParent, int n, int i);

#endif
