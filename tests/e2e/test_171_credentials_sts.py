"""Roles through STS, against botocore: role_arn with source_profile (chained)
or credential_source, and web identity (environment or profile). A FakeSts
on 127.0.0.1 (AWS_ENDPOINT_URL_STS) answers with credentials that depend on
what it was asked and on who signed the AssumeRole, so the same answer for
botocore and the extension means the same request from the same identity."""

import os

from harness import connect, environ, eq
from credfakes import (FakeDynamo, FakeSts, Issuer, MotoServer, StsProxy, aws_env,
                       botocore_credentials, sts_error)
from credtest import role_home, run_ext, same_as_botocore


def test_assume_role_like_botocore():
    home = role_home()
    with FakeSts(Issuer()) as sts:
        env = aws_env(home, AWS_ENDPOINT_URL_STS=sts.url)
        want, _ = same_as_botocore(env, profile="dev")
        eq(want[2], "assume-role")
        assert want[0].startswith("ASIA") and want[1], want
        # the same AssumeRole, signed by the source profile's key, in the
        # table's region
        eq(sts.actions(), ["AssumeRole", "AssumeRole"])
        for r in sts.requests:
            f = r.form()
            eq((f["RoleArn"], f["ExternalId"], f["DurationSeconds"]),
               ("arn:aws:iam::123456789012:role/dev", "ext-42", "1800"))
            eq(r.key, "AKIDBASE")
            assert "/us-east-1/sts/aws4_request" in r.headers["Authorization"], r.headers
        # through AWS_PROFILE too
        eq(same_as_botocore(dict(env, AWS_PROFILE="dev"))[0], want)
    with FakeSts(Issuer(), session_names=True) as sts:
        env = aws_env(home, AWS_ENDPOINT_URL_STS=sts.url)
        same_as_botocore(env, profile="named")
        eq([r.form()["RoleSessionName"] for r in sts.requests], ["me-and-my-table"] * 2)


def test_role_chains_like_botocore():
    home = role_home()
    issuer = Issuer()
    with FakeSts(issuer) as sts:
        env = aws_env(home, AWS_ENDPOINT_URL_STS=sts.url)
        # top -> dev -> base: dev's role credentials sign top's AssumeRole
        want, _ = same_as_botocore(env, profile="top")
        roles = [(r.form()["RoleArn"].rsplit("/", 1)[1], r.key) for r in sts.requests]
        eq(roles[0][0], "dev")
        eq(roles[0][1], "AKIDBASE")
        eq(roles[1][0], "top")
        assert roles[1][1].startswith("ASIA"), roles
        eq(roles[:2], roles[2:])  # the extension asked exactly what botocore did
        # credential_source = Environment
        keys = dict(env, AWS_ACCESS_KEY_ID="AKIDFROMENV", AWS_SECRET_ACCESS_KEY="e/s3cr3t")
        del sts.requests[:]
        same_as_botocore(keys, profile="fromenv")
        eq([r.key for r in sts.requests], ["AKIDFROMENV"] * 2)


def test_web_identity_like_botocore():
    home = role_home()
    token_file = os.path.join(home, "web-token")
    with open(token_file, "w") as f:
        f.write("eyJhbGciOiJSUzI1NiJ9.webt0k3n.sig")
    with FakeSts(Issuer()) as sts:
        env = aws_env(home, AWS_ENDPOINT_URL_STS=sts.url,
                      AWS_WEB_IDENTITY_TOKEN_FILE=token_file,
                      AWS_ROLE_ARN="arn:aws:iam::123456789012:role/envweb",
                      AWS_ROLE_SESSION_NAME="pod-7")
        want, _ = same_as_botocore(env)
        eq(want[2], "assume-role-with-web-identity")
        for r in sts.requests:
            f = r.form()
            eq((f["Action"], f["RoleArn"], f["RoleSessionName"], f["WebIdentityToken"]),
               ("AssumeRoleWithWebIdentity", "arn:aws:iam::123456789012:role/envweb", "pod-7",
                "eyJhbGciOiJSUzI1NiJ9.webt0k3n.sig"))
            eq(r.key, None)  # unsigned
            assert "Authorization" not in r.headers
        # from the profile
        del sts.requests[:]
        env = aws_env(home, AWS_ENDPOINT_URL_STS=sts.url)
        same_as_botocore(env, profile="web")
        eq([r.form()["RoleArn"] for r in sts.requests],
           ["arn:aws:iam::123456789012:role/web"] * 2)


def test_web_identity_token_read_at_every_fetch():
    """A renewal (here: the server says the credentials expired) reads the
    token file again: Kubernetes rotates it."""
    home = role_home()
    token_file = os.path.join(home, "web-token")
    with open(token_file, "w") as f:
        f.write("first-t0k3n")
    with FakeSts(Issuer()) as sts, FakeDynamo() as ddb:
        with environ(**aws_env(home, AWS_ENDPOINT_URL_STS=sts.url)):
            c = connect()
            c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s', "
                      "profile=web, uuid TEXT)" % ddb.url)
            eq(c.execute("SELECT count(*) FROM t").fetchone(), (1,))
            with open(token_file, "w") as f:
                f.write("second-t0k3n")
            ddb.expire = 1
            eq(c.execute("SELECT count(*) FROM t").fetchone(), (1,))
            c.close()
        eq([r.form()["WebIdentityToken"] for r in sts.requests], ["first-t0k3n", "second-t0k3n"])
        ops = ddb.ops()
        eq([op for op, _, _ in ops], ["DescribeTable", "Scan", "Scan", "Scan"])
        eq(ops[0][1:], ops[1][1:])
        eq(ops[2][1:], ops[1][1:])     # the one answered ExpiredTokenException
        assert ops[3][1] != ops[2][1]  # sent again with the new credentials


def test_sts_errors_name_the_profile_and_source():
    home = role_home()
    conf = os.path.join(home, ".aws", "config")
    with FakeSts(Issuer()) as sts:
        env = aws_env(home, AWS_ENDPOINT_URL_STS=sts.url)
        where = 'dynamo: profile "dev" (role_arn in %s): ' % conf
        cases = [
            (sts_error(403, "AccessDenied", "User: arn:aws:iam::1:user/base is not authorized "
                       "to perform: sts:AssumeRole"),
             "AssumeRole failed: AccessDenied: User: arn:aws:iam::1:user/base is not "
             "authorized to perform: sts:AssumeRole"),
            ((200, "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A"
                   "</AccessKeyId>"),  # cut short
             "AssumeRole failed: the answer has no AccessKeyId in Credentials"),
            ((200, "this is not XML"),
             "AssumeRole failed: the answer has no AccessKeyId in Credentials"),
            ((200, "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A"
                   "</AccessKeyId><SecretAccessKey>s3cr3t</SecretAccessKey><SessionToken>t0k3n"
                   "</SessionToken><Expiration>later</Expiration></Credentials>"),
             "AssumeRole failed: the answer's Expiration \"later\" is not an ISO 8601 time"),
        ]
        cases.append(((200, "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A"
                            "</AccessKeyId><SessionToken>t0k3n</SessionToken></Credentials>"),
                      "AssumeRole failed: the answer has no SecretAccessKey in Credentials"))
        for answer, msg in cases:
            sts.fail(answer)
            rc, out, err, ops = run_ext(env, "dev")
            assert rc == 1 and where + msg in err, (msg, rc, err)
            assert "s3cr3t" not in err and "t0k3n" not in err, err
            eq(ops, [])
        # 5xx and throttling are tried again (3 attempts), then reported
        del sts.requests[:]
        sts.fail(*[sts_error(503, "ServiceUnavailable", "try later")] * 3)
        rc, out, err, ops = run_ext(env, "dev")
        assert where + "AssumeRole failed: ServiceUnavailable: try later" in err, err
        eq(len(sts.requests), 3)
        sts.fail(sts_error(400, "Throttling", "Rate exceeded"))
        rc, out, err, ops = run_ext(env, "dev")
        eq(rc, 0, err)
        # a source that fails: both named
        rc, out, err, ops = run_ext(env, "procbase")
        assert ('dynamo: profile "procbase" (role_arn in %s): profile "broken" '
                '(credential_process in %s): credential_process exited with status 1'
                % (conf, conf)) in err, err
        # a web identity token file that is gone
        rc, out, err, ops = run_ext(env, "web")
        assert ('dynamo: profile "web" (web_identity_token_file in %s): cannot read the web '
                'identity token file %s: No such file or directory'
                % (conf, os.path.join(home, "web-token"))) in err, err
        # STS unreachable
        rc, out, err, ops = run_ext(aws_env(home, AWS_ENDPOINT_URL_STS="http://127.0.0.1:9"),
                                    "dev")
        assert where + "AssumeRole failed: cannot reach http://127.0.0.1:9: " in err, err


def test_sts_over_plain_http_is_refused():
    home = role_home()
    env = aws_env(home, AWS_ENDPOINT_URL_STS="http://sts.example.com")
    rc, out, err, ops = run_ext(env, "dev")
    assert ('refusing plain HTTP to http://sts.example.com: credentials would cross the '
            'network unencrypted') in err, err
    # botocore would send it: the extension is stricter, as for DynamoDB
    with FakeSts(Issuer()) as sts:
        c = connect()
        with environ(**aws_env(home, AWS_ENDPOINT_URL_STS=sts.url.replace("127.0.0.1",
                                                                          "localhost"))):
            with FakeDynamo() as ddb:
                c.execute("CREATE VIRTUAL TABLE t USING dynamo(table=Fake, endpoint='%s', "
                          "profile=dev, uuid TEXT)" % ddb.url)
        c.close()
        eq(sts.actions(), ["AssumeRole"])


def test_roles_through_motos_sts():
    """moto's STS, another implementation of the protocol, with credentials
    of its own making: the extension signs with what it answered (and
    botocore, asked the same, gets what it answered in turn)."""
    home = role_home()
    with open(os.path.join(home, "web-token"), "w") as f:
        f.write("moto-webt0k3n")
    with MotoServer() as moto, StsProxy(moto.url) as sts:
        env = aws_env(home, AWS_ENDPOINT_URL_STS=sts.url)
        for profile in ("dev", "web"):
            del sts.requests[:]
            rc, out, err, ops = run_ext(env, profile)
            eq(rc, 0, err)
            want = botocore_credentials(env, profile)
            answers = sts.credentials()
            eq(len(answers), 2)
            eq(set((k, t) for _, k, t in ops), {answers[0]})
            eq(tuple(want[:2]), answers[1])
