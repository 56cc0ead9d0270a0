/*
** endpoint.c: DynamoDB's endpoint rule set (see endpoint.h), pure.
**
** endpoint_resolve() follows the rule set's tree in its order, one branch
** per rule, with the rule set's error messages word for word; the
** partitions are those of botocore's data/partitions.json, in its order.
** tests/e2e/test_176_endpoints.py has botocore's EndpointProvider resolve
** the same parameters (test_endpoint --oracle) and compares every answer.
*/
#include "endpoint.h"

#include <string.h>

/* ---- partitions ------------------------------------------------------------ */

/* A partition's regionRegex is one of a few prefixes, then \w+-\d+ to the
** end; its regions list adds a global pseudo-region. */
typedef struct partition_def {
  endpoint_partition out;
  const char *azPrefix[10];
  const char *zGlobal;
} partition_def;

static const partition_def aPartition[] = {
    {{"aws", "amazonaws.com", "api.aws", 1, 1},
     {"us-", "eu-", "ap-", "sa-", "ca-", "me-", "af-", "il-", "mx-", 0},
     "aws-global"},
    {{"aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn", 1, 1}, {"cn-", 0},
     "aws-cn-global"},
    {{"aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu", 1, 1}, {"eusc-de-", 0}, 0},
    {{"aws-iso", "c2s.ic.gov", "api.aws.ic.gov", 1, 1}, {"us-iso-", 0}, "aws-iso-global"},
    {{"aws-iso-b", "sc2s.sgov.gov", "api.aws.scloud", 1, 1}, {"us-isob-", 0}, "aws-iso-b-global"},
    {{"aws-iso-e", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk", 1, 1}, {"eu-isoe-", 0},
     "aws-iso-e-global"},
    {{"aws-iso-f", "csp.hci.ic.gov", "api.aws.hci.ic.gov", 1, 1}, {"us-isof-", 0},
     "aws-iso-f-global"},
    {{"aws-us-gov", "amazonaws.com", "api.aws", 1, 1}, {"us-gov-", 0}, "aws-us-gov-global"},
};

static int is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* \w+\-\d+$ (a '\n' at the very end is allowed, as Python's '$' allows it) */
static int tail_matches(const char *z) {
  const char *p = z;
  while (is_word(*p)) p++;
  /* \w+ stops at the last '-' before the digits: \w holds no '-' */
  if (p == z || *p != '-') return 0;
  z = ++p;
  while (*p >= '0' && *p <= '9') p++;
  return p > z && (*p == 0 || (p[0] == '\n' && p[1] == 0));
}

const endpoint_partition *endpoint_partition_of(const char *zRegion) {
  unsigned i, k;
  for (i = 0; zRegion && i < sizeof(aPartition) / sizeof(aPartition[0]); i++) {
    const partition_def *d = &aPartition[i];
    if (d->zGlobal && strcmp(zRegion, d->zGlobal) == 0) return &d->out;
    for (k = 0; d->azPrefix[k]; k++) {
      size_t n = strlen(d->azPrefix[k]);
      if (strncmp(zRegion, d->azPrefix[k], n) == 0 && tail_matches(zRegion + n)) return &d->out;
    }
  }
  return &aPartition[0].out; /* botocore's default */
}

/* ---- ARNs and labels ---------------------------------------------------------- */

int endpoint_host_label(const char *z) {
  size_t n = z ? strlen(z) : 0, i;
  if (n == 0 || n > 63 || z[0] == '-' || z[n - 1] == '-') return 0;
  for (i = 0; i < n; i++) {
    char c = z[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) {
      return 0;
    }
  }
  return 1;
}

int endpoint_parse_arn(const char *z, endpoint_arn *pArn) {
  char *p, *az[5];
  int i;
  memset(pArn, 0, sizeof(*pArn));
  if (!z || strncmp(z, "arn:", 4) != 0) return SQLITE_ERROR;
  if (!(pArn->zCopy = sqlite3_mprintf("%s", z + 4))) return SQLITE_NOMEM;
  p = pArn->zCopy;
  for (i = 0; i < 5; i++) { /* arn:partition:service:region:account:resource */
    az[i] = p;
    if (i < 4) {
      if (!(p = strchr(p, ':'))) break;
      *p++ = 0;
    }
  }
  if (i < 5 || !az[0][0] || !az[1][0] || !az[4][0]) {
    sqlite3_free(pArn->zCopy);
    memset(pArn, 0, sizeof(*pArn));
    return SQLITE_ERROR;
  }
  pArn->partition = az[0];
  pArn->service = az[1];
  pArn->region = az[2];
  pArn->account = az[3];
  pArn->resource = az[4];
  return SQLITE_OK;
}

int endpoint_table_arn(const char *z, endpoint_arn *pArn) {
  int rc = endpoint_parse_arn(z, pArn);
  if (rc != SQLITE_OK) return rc;
  if (strcmp(pArn->service, "dynamodb") == 0 && pArn->region[0] && pArn->account[0] &&
      strncmp(pArn->resource, "table/", 6) == 0 && pArn->resource[6] &&
      !strchr(pArn->resource + 6, '/')) {
    return SQLITE_OK;
  }
  sqlite3_free(pArn->zCopy);
  memset(pArn, 0, sizeof(*pArn));
  return SQLITE_ERROR;
}

/* ---- the rule set ---------------------------------------------------------------- */

int endpoint_account_mode_parse(const char *z, endpoint_account_mode *pMode) {
  if (!z) return SQLITE_ERROR;
  if (sqlite3_stricmp(z, "preferred") == 0) *pMode = ENDPOINT_ACCOUNT_PREFERRED;
  else if (sqlite3_stricmp(z, "required") == 0) *pMode = ENDPOINT_ACCOUNT_REQUIRED;
  else if (sqlite3_stricmp(z, "disabled") == 0) *pMode = ENDPOINT_ACCOUNT_DISABLED;
  else return SQLITE_ERROR;
  return SQLITE_OK;
}

const char *endpoint_account_mode_name(endpoint_account_mode m) {
  switch (m) {
    case ENDPOINT_ACCOUNT_PREFERRED:
      return "preferred";
    case ENDPOINT_ACCOUNT_REQUIRED:
      return "required";
    case ENDPOINT_ACCOUNT_DISABLED:
      return "disabled";
  }
  return "?";
}

#define E_FIPS_CUSTOM "Invalid Configuration: FIPS and custom endpoint are not supported"
#define E_DUAL_CUSTOM "Invalid Configuration: Dualstack and custom endpoint are not supported"
#define E_DUAL_OVERRIDE                                                                      \
  "Endpoint override is not supported for dual-stack endpoints. Please enable dual-stack " \
  "functionality by enabling the configuration. For more details, see: "                    \
  "https://docs.aws.amazon.com/sdkref/latest/guide/feature-endpoints.html"
#define E_FIPS_LOCAL "Invalid Configuration: FIPS and local endpoint are not supported"
#define E_DUAL_LOCAL "Invalid Configuration: Dualstack and local endpoint are not supported"
#define E_FIPS_ACCOUNT                                                                        \
  "Invalid Configuration: AccountIdEndpointMode is required and FIPS is enabled, but FIPS " \
  "account endpoints are not supported"
#define E_FIPS_DUAL_PARTITION \
  "FIPS and DualStack are enabled, but this partition does not support one or both"
#define E_FIPS_PARTITION "FIPS is enabled but this partition does not support FIPS"
#define E_DUAL_PARTITION "DualStack is enabled but this partition does not support DualStack"
#define E_ACCOUNT_INVALID "Credentials-sourced account ID parameter is invalid"
#define E_ACCOUNT_MISSING \
  "AccountIdEndpointMode is required but no AccountID was provided or able to be loaded"
#define E_ACCOUNT_PARTITION                                                                \
  "Invalid Configuration: AccountIdEndpointMode is required but account endpoints are not " \
  "supported in this partition"
#define E_NO_REGION "Invalid Configuration: Missing Region"

static int result(char *z, char **pzOut) {
  *pzOut = z;
  return z ? SQLITE_OK : SQLITE_NOMEM;
}

static int error(const char *zMsg, char **pzErr) {
  *pzErr = sqlite3_mprintf("%s", zMsg);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* The account the rules put in the host, when one applies: the table
** ARN's (when it is a DynamoDB ARN of this region), else the credentials'
** (an invalid one is an error). *pzAccount NULL: none. The mode is set and
** not disabled, the partition is aws, FIPS is off: the caller checked. */
static int account_of(const endpoint_params *p, const char **pzAccount, endpoint_arn *pArn,
                      char **pzErr) {
  int rc = endpoint_parse_arn(p->resource_arn, pArn);
  *pzAccount = 0;
  if (rc == SQLITE_NOMEM) return rc;
  if (rc == SQLITE_OK && strcmp(pArn->service, "dynamodb") == 0 &&
      endpoint_host_label(pArn->region) && strcmp(pArn->region, p->region) == 0 &&
      endpoint_host_label(pArn->account)) {
    *pzAccount = pArn->account;
    return SQLITE_OK;
  }
  if (p->account_id) {
    if (!endpoint_host_label(p->account_id)) return error(E_ACCOUNT_INVALID, pzErr);
    *pzAccount = p->account_id;
  }
  return SQLITE_OK;
}

/* The branches after FIPS: dual-stack or not, the account's endpoint or
** the region's (suffix: the partition's DNS suffix for the case). */
static int regional(const endpoint_params *p, const endpoint_partition *part, const char *zSuffix,
                    char **pzUrl, char **pzErr) {
  endpoint_account_mode m = p->account_mode;
  int rc;
  if (m && m != ENDPOINT_ACCOUNT_DISABLED && strcmp(part->name, "aws") == 0 && !p->use_fips) {
    endpoint_arn arn;
    const char *zAccount;
    if ((rc = account_of(p, &zAccount, &arn, pzErr)) != SQLITE_OK) {
      sqlite3_free(arn.zCopy); /* an ARN read before the account was refused */
      return rc;
    }
    if (zAccount) {
      rc = result(sqlite3_mprintf("https://%s.ddb.%s.%s", zAccount, p->region, zSuffix), pzUrl);
      sqlite3_free(arn.zCopy);
      return rc;
    }
    sqlite3_free(arn.zCopy);
  }
  if (m == ENDPOINT_ACCOUNT_REQUIRED) {
    if (p->use_fips) return error(E_FIPS_ACCOUNT, pzErr);
    return error(strcmp(part->name, "aws") == 0 ? E_ACCOUNT_MISSING : E_ACCOUNT_PARTITION, pzErr);
  }
  return result(sqlite3_mprintf("https://dynamodb.%s.%s", p->region, zSuffix), pzUrl);
}

int endpoint_resolve(const endpoint_params *p, char **pzUrl, char **pzErr) {
  const endpoint_partition *part;
  int required = p->account_mode == ENDPOINT_ACCOUNT_REQUIRED;
  *pzUrl = 0;
  if (p->endpoint) {
    if (p->use_fips) return error(E_FIPS_CUSTOM, pzErr);
    if (p->use_dualstack) return error(E_DUAL_CUSTOM, pzErr);
    if (p->region) {
      char *z;
      int same;
      part = endpoint_partition_of(p->region);
      z = sqlite3_mprintf("https://dynamodb.%s.%s", p->region, part->dualstack_suffix);
      if (!z) return SQLITE_NOMEM;
      same = strcmp(p->endpoint, z) == 0;
      sqlite3_free(z);
      if (same) return error(E_DUAL_OVERRIDE, pzErr);
    }
    return result(sqlite3_mprintf("%s", p->endpoint), pzUrl);
  }
  if (!p->region) return error(E_NO_REGION, pzErr);
  part = endpoint_partition_of(p->region);
  if (strcmp(p->region, "local") == 0) {
    if (p->use_fips) return error(E_FIPS_LOCAL, pzErr);
    if (p->use_dualstack) return error(E_DUAL_LOCAL, pzErr);
    return result(sqlite3_mprintf("http://localhost:8000"), pzUrl);
  }
  if (p->use_fips && p->use_dualstack) {
    if (!part->supports_fips || !part->supports_dualstack) return error(E_FIPS_DUAL_PARTITION, pzErr);
    if (required) return error(E_FIPS_ACCOUNT, pzErr);
    return result(sqlite3_mprintf("https://dynamodb-fips.%s.%s", p->region, part->dualstack_suffix),
                  pzUrl);
  }
  if (p->use_fips) {
    if (!part->supports_fips) return error(E_FIPS_PARTITION, pzErr);
    if (required) return error(E_FIPS_ACCOUNT, pzErr);
    /* GovCloud's regional endpoints are FIPS endpoints already */
    return result(sqlite3_mprintf("https://dynamodb%s.%s.%s",
                                  strcmp(part->name, "aws-us-gov") == 0 ? "" : "-fips", p->region,
                                  part->dns_suffix),
                  pzUrl);
  }
  if (p->use_dualstack) {
    if (!part->supports_dualstack) return error(E_DUAL_PARTITION, pzErr);
    return regional(p, part, part->dualstack_suffix, pzUrl, pzErr);
  }
  return regional(p, part, part->dns_suffix, pzUrl, pzErr);
}

/* DynamoDB Streams' rule set: no account endpoints, no "local" region;
** aws, aws-cn and aws-us-gov name their dual-stack hosts streams-dynamodb,
** and GovCloud's FIPS endpoint is its regional one. */
int endpoint_resolve_streams(const endpoint_params *p, char **pzUrl, char **pzErr) {
  const endpoint_partition *part;
  int named;
  *pzUrl = 0;
  if (p->endpoint) {
    if (p->use_fips) return error(E_FIPS_CUSTOM, pzErr);
    if (p->use_dualstack) return error(E_DUAL_CUSTOM, pzErr);
    return result(sqlite3_mprintf("%s", p->endpoint), pzUrl);
  }
  if (!p->region) return error(E_NO_REGION, pzErr);
  part = endpoint_partition_of(p->region);
  named = strcmp(part->name, "aws") == 0 || strcmp(part->name, "aws-cn") == 0 ||
          strcmp(part->name, "aws-us-gov") == 0;
  if (named && p->use_dualstack) {
    return result(sqlite3_mprintf("https://streams-dynamodb%s.%s.%s", p->use_fips ? "-fips" : "",
                                  p->region, part->dualstack_suffix),
                  pzUrl);
  }
  if (strcmp(part->name, "aws-us-gov") == 0 && p->use_fips) {
    return result(sqlite3_mprintf("https://streams.dynamodb.%s.%s", p->region, part->dns_suffix),
                  pzUrl);
  }
  if (p->use_fips && p->use_dualstack) {
    if (!part->supports_fips || !part->supports_dualstack) return error(E_FIPS_DUAL_PARTITION, pzErr);
    return result(sqlite3_mprintf("https://streams.dynamodb-fips.%s.%s", p->region,
                                  part->dualstack_suffix),
                  pzUrl);
  }
  if (p->use_fips) {
    if (!part->supports_fips) return error(E_FIPS_PARTITION, pzErr);
    return result(sqlite3_mprintf("https://streams.dynamodb-fips.%s.%s", p->region,
                                  part->dns_suffix),
                  pzUrl);
  }
  if (p->use_dualstack) {
    if (!part->supports_dualstack) return error(E_DUAL_PARTITION, pzErr);
    return result(sqlite3_mprintf("https://streams.dynamodb.%s.%s", p->region,
                                  part->dualstack_suffix),
                  pzUrl);
  }
  return result(sqlite3_mprintf("https://streams.dynamodb.%s.%s", p->region, part->dns_suffix),
                pzUrl);
}
