"""The container endpoint and EC2 instance metadata, against botocore, with
fakes on 127.0.0.1 (AWS_CONTAINER_CREDENTIALS_FULL_URI,
AWS_EC2_METADATA_SERVICE_ENDPOINT): nothing here ever goes to 169.254.170.2
or 169.254.169.254. FakeImds is a strict IMDSv2 (no token, no answer)."""

import os

from harness import eq
from credfakes import (FakeContainer, FakeImds, FakeSts, Issuer, aws_env,
                       botocore_credentials)
from credtest import aws_file, closed_port, new_home, run_ext, same_as_botocore


def test_container_like_botocore():
    home = new_home()
    token_file = os.path.join(home, "container-token")
    with open(token_file, "w") as f:
        f.write("Bearer filet0k3n")
    with FakeContainer(Issuer(), token="Bearer filet0k3n") as ecs:
        env = aws_env(home, AWS_CONTAINER_CREDENTIALS_FULL_URI=ecs.url + "/v2/credentials/abc",
                      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=token_file,
                      AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer ignored")
        want, _ = same_as_botocore(env)
        eq(want[2], "container-role")
        eq([(r.path, r.headers["Authorization"]) for r in ecs.requests],
           [("/v2/credentials/abc", "Bearer filet0k3n")] * 2)
        # the token from the variable, and localhost
        ecs.token = "Bearer vart0k3n"
        env = aws_env(home, AWS_CONTAINER_CREDENTIALS_FULL_URI=ecs.url.replace(
            "127.0.0.1", "localhost") + "/creds", AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer vart0k3n")
        same_as_botocore(env)


def test_container_errors():
    home = new_home()
    with FakeContainer(Issuer(), token="right") as ecs:
        where = "dynamo: container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI): "
        env = aws_env(home, AWS_CONTAINER_CREDENTIALS_FULL_URI=ecs.url + "/c",
                      AWS_CONTAINER_AUTHORIZATION_TOKEN="wrong")
        rc, out, err, ops = run_ext(env)  # three attempts, a second apart, as botocore
        eq(rc, 1)
        assert where + ('%s/c answered HTTP 401: {"message": "bad authorization"}' % ecs.url) \
            in err, err
        eq(len(ecs.requests), 3)
        env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "right"
        for answer, msg in [((200, "{\"AccessKeyId\": \"A\""), "the answer is not a JSON object"),
                            ((200, {"AccessKeyId": "A", "SecretAccessKey": "s3cr3t",
                                    "Expiration": "2030-01-01T00:00:00Z"}),
                             "the answer has no Token")]:
            ecs.fail(answer)
            rc, out, err, ops = run_ext(env)
            eq(rc, 1)
            assert where + msg in err, err
            assert "s3cr3t" not in err, err
        gone = os.path.join(home, "no-such-token")
        rc, out, err, ops = run_ext(dict(env, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=gone))
        assert where + ("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s: No such file "
                        "or directory" % gone) in err, err
    # plain http only to loopback and the container hosts, as botocore
    env = aws_env(home, AWS_CONTAINER_CREDENTIALS_FULL_URI="http://creds.example.com/c")
    rc, out, err, ops = run_ext(env)
    assert ('dynamo: AWS_CONTAINER_CREDENTIALS_FULL_URI "http://creds.example.com/c": '
            'credentials are fetched over plain http only from a loopback address') in err, err
    try:
        botocore_credentials(env)
        raise AssertionError("botocore accepted http://creds.example.com")
    except RuntimeError as e:
        assert "Unsupported host" in str(e), e


def imds_env(home, imds, **kw):
    return aws_env(home, AWS_EC2_METADATA_DISABLED=None,
                   AWS_EC2_METADATA_SERVICE_ENDPOINT=imds.url + "/", **kw)


def test_instance_metadata_like_botocore():
    home = new_home()
    with FakeImds(Issuer()) as imds:
        want, _ = same_as_botocore(imds_env(home, imds))
        eq(want[2], "iam-role")
        # IMDSv2: a token first, then every read with it
        seen = [(r.method, r.path, r.headers.get("X-aws-ec2-metadata-token-ttl-seconds"),
                 r.headers.get("X-aws-ec2-metadata-token") in imds.tokens) for r in imds.requests]
        base = "/latest/meta-data/iam/security-credentials/"
        eq(seen, [("PUT", "/latest/api/token", "21600", False), ("GET", base, None, True),
                  ("GET", base + "dynamo-test-role", None, True)] * 2)


def test_instance_metadata_settings_and_failures():
    home = new_home()
    with FakeImds(Issuer()) as imds:
        # attempts: two failures, then an answer
        imds.fail((500, ""), (503, ""))
        env = imds_env(home, imds, AWS_METADATA_SERVICE_NUM_ATTEMPTS="3")
        rc, out, err, ops = run_ext(env)
        eq(rc, 0, err)
        eq([r.method for r in imds.requests], ["PUT", "PUT", "PUT", "GET", "GET"])
        # one attempt: the role name cannot be read
        del imds.requests[:]
        imds.fail((200, "t"), (500, "broken"))
        rc, out, err, ops = run_ext(imds_env(home, imds))
        eq(rc, 1)
        assert ("EC2 instance metadata at %s: %s/latest/meta-data/iam/security-credentials/ "
                "answered HTTP 500: broken" % (imds.url, imds.url)) in err, err
        # an IMDS that refuses tokens (IMDSv1 only): botocore falls back, so
        # does the extension, unless IMDSv1 is disabled
        imds.v1 = True
        del imds.requests[:]
        same_as_botocore(imds_env(home, imds))
        eq([(r.method, r.headers.get("X-aws-ec2-metadata-token")) for r in imds.requests],
           [("PUT", None), ("GET", None), ("GET", None)] * 2)
        rc, out, err, ops = run_ext(imds_env(home, imds, AWS_EC2_METADATA_V1_DISABLED="true"))
        eq(rc, 1)
        assert "no IMDSv2 token from %s/latest/api/token, and IMDSv1 is disabled" % imds.url \
            in err, err
        # an error in the credentials' answer
        imds.v1 = False
        imds.fail((200, "t"), (200, "role"), (200, '{"Code": "AssumeRoleUnauthorizedAccess", '
                                                   '"Message": "EC2 cannot assume the role"}'))
        rc, out, err, ops = run_ext(imds_env(home, imds))
        assert ("the credentials of role role: AssumeRoleUnauthorizedAccess: EC2 cannot "
                "assume the role") in err, err
    # the 1 s timeout: a metadata service that never answers fails fast
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)  # accepts connections, never answers
    try:
        env = aws_env(home, AWS_EC2_METADATA_DISABLED=None,
                      AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:%d" % s.getsockname()[1])
        rc, out, err, ops = run_ext(env, timeout=20)
        eq(rc, 1)
        assert "dynamo: no AWS credentials found; looked in: " in err, err
        assert "timed out" in err, err
    finally:
        s.close()


def test_roles_from_metadata_sources_like_botocore():
    home = new_home()
    aws_file(home, "config",
             "[profile ec2]\nrole_arn = arn:aws:iam::123456789012:role/from-ec2\n"
             "credential_source = Ec2InstanceMetadata\n"
             "[profile ecs]\nrole_arn = arn:aws:iam::123456789012:role/from-ecs\n"
             "credential_source = EcsContainer\n")
    issuer = Issuer()
    with FakeImds(issuer) as imds, FakeContainer(issuer) as ecs, FakeSts(issuer) as sts:
        same_as_botocore(imds_env(home, imds, AWS_ENDPOINT_URL_STS=sts.url), profile="ec2")
        ecs_env = aws_env(home, AWS_ENDPOINT_URL_STS=sts.url,
                          AWS_CONTAINER_CREDENTIALS_FULL_URI=ecs.url + "/c")
        same_as_botocore(ecs_env, profile="ecs")
        signers = [r.key for r in sts.requests]
        eq(len(signers), 4)
        eq(signers[0], signers[1])  # the instance's credentials signed both
        eq(signers[2], signers[3])  # the container's
        assert signers[0] != signers[2]
        # unreachable: an error, not "no credentials"
        rc, out, err, ops = run_ext(aws_env(
            home, AWS_ENDPOINT_URL_STS=sts.url, AWS_EC2_METADATA_DISABLED=None,
            AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:%d" % closed_port()), "ec2")
        assert ('dynamo: profile "ec2" (role_arn in %s/.aws/config): EC2 instance metadata '
                '(http://127.0.0.1:' % home) in err, err
