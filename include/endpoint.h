/*
** The URL of DynamoDB for a table, as botocore's endpoint rule set for
** DynamoDB (data/dynamodb/2012-08-10/endpoint-rule-set-1.json) resolves it
** from its parameters, and the partitions it knows (data/partitions.json).
** Pure: config.c gathers the parameters, ddb.c resolves again once the
** credentials have said which account they belong to.
**
**   https://dynamodb.us-east-1.amazonaws.com          the regional endpoint
**   https://111122223333.ddb.us-east-1.amazonaws.com  an account ID endpoint
**                                                     (the aws partition)
**   https://dynamodb-fips.us-east-1.amazonaws.com     FIPS
**   https://dynamodb.us-east-1.api.aws                dual-stack (IPv6 too)
**   https://dynamodb.cn-north-1.amazonaws.com.cn      another partition
**
** A table given by its ARN (arn:aws:dynamodb:REGION:ACCOUNT:table/NAME)
** is reached at its account's endpoint when the ARN's region is the
** client's (the rule set's ResourceArn), whatever account the credentials
** belong to: a table another account shares through a resource policy.
*/
#ifndef DYNAMO_ENDPOINT_H
#define DYNAMO_ENDPOINT_H

#include "common.h"

/* account_id_endpoint_mode / AWS_ACCOUNT_ID_ENDPOINT_MODE */
typedef enum endpoint_account_mode {
  ENDPOINT_ACCOUNT_PREFERRED = 1, /* the default */
  ENDPOINT_ACCOUNT_REQUIRED,
  ENDPOINT_ACCOUNT_DISABLED
} endpoint_account_mode;

/* "preferred", "required", "disabled", case-insensitive (botocore lowers
** it): SQLITE_OK or SQLITE_ERROR. */
int endpoint_account_mode_parse(const char *z, endpoint_account_mode *pMode);
const char *endpoint_account_mode_name(endpoint_account_mode m);

typedef struct endpoint_params {
  const char *region;       /* required unless endpoint is set */
  int use_fips;             /* AWS::UseFIPS */
  int use_dualstack;        /* AWS::UseDualStack */
  const char *account_id;   /* AWS::Auth::AccountId: the credentials'; NULL none */
  endpoint_account_mode account_mode; /* 0: not set */
  const char *resource_arn; /* the table's ARN, NULL when named otherwise */
  const char *endpoint;     /* SDK::Endpoint: a configured URL, NULL none */
} endpoint_params;

/*
** The URL (sqlite3_malloc()ed, as the rule set spells it) in *pzUrl, or
** SQLITE_ERROR with the rule set's message in *pzErr ("Invalid
** Configuration: FIPS and custom endpoint are not supported"), or
** SQLITE_NOMEM.
*/
int endpoint_resolve(const endpoint_params *p, char **pzUrl, char **pzErr);

/*
** The URL of DynamoDB Streams, as botocore's rule set for dynamodbstreams
** (data/dynamodbstreams/2012-08-10/endpoint-rule-set-1.json) resolves it
** from region, use_fips, use_dualstack and endpoint (the other parameters
** are not the rule set's): https://streams.dynamodb.us-east-1.amazonaws.com.
** As endpoint_resolve.
*/
int endpoint_resolve_streams(const endpoint_params *p, char **pzUrl, char **pzErr);

/* What aws.partition() gives for a region: its partition ("aws" when
** none matches, as botocore). The strings are static. */
typedef struct endpoint_partition {
  const char *name;              /* "aws", "aws-cn", "aws-us-gov", ... */
  const char *dns_suffix;        /* "amazonaws.com" */
  const char *dualstack_suffix;  /* "api.aws" */
  int supports_fips, supports_dualstack;
} endpoint_partition;

const endpoint_partition *endpoint_partition_of(const char *zRegion);

/* An ARN cut in its fields (aws.parseArn): pointers into a copy the caller
** frees with sqlite3_free(ar.zCopy). SQLITE_OK; SQLITE_ERROR when it is
** not an ARN (no "arn:" prefix, fewer than six fields, an empty partition,
** service or resource); SQLITE_NOMEM. */
typedef struct endpoint_arn {
  char *zCopy;
  const char *partition, *service, *region, *account, *resource;
} endpoint_arn;

int endpoint_parse_arn(const char *z, endpoint_arn *pArn);

/* Is z a DynamoDB table ARN: arn:PARTITION:dynamodb:REGION:ACCOUNT:table/NAME
** with a region and an account? Then SQLITE_OK and the fields in *pArn (as
** endpoint_parse_arn); SQLITE_ERROR otherwise (*pArn empty). */
int endpoint_table_arn(const char *z, endpoint_arn *pArn);

/* RFC 1123 host label, one (isValidHostLabel with allowSubDomains false). */
int endpoint_host_label(const char *z);

#endif
