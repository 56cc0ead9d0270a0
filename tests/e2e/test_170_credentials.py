"""Credentials without a network source, against botocore: the environment,
static keys in either file, profile selection, credential_process; and what
is said when nothing is found or a source is configured wrong.

Each comparison sets up files and variables, asks botocore (pyenv's python3,
boto3.Session().get_credentials()) for credentials, and checks that the
extension signs every request to a FakeDynamo with exactly the same access
key and session token."""

import os
import sys

from harness import eq
from credfakes import aws_env, botocore_credentials
from credtest import aws_file, closed_port, new_home, run_ext, same_as_botocore

PY = sys.executable  # Debian's python3, for the credential_process helpers


def test_environment_like_botocore():
    home = new_home()
    env = aws_env(home, AWS_ACCESS_KEY_ID="AKIDENVIRONMENT1",
                  AWS_SECRET_ACCESS_KEY="env/s3cr3t+key")
    want, _ = same_as_botocore(env)
    eq(want[2], "env")
    eq(want[1], None)
    # both token variables: botocore reads AWS_SECURITY_TOKEN first
    env.update(AWS_SESSION_TOKEN="sessiont0k3n", AWS_SECURITY_TOKEN="securityt0k3n")
    want, _ = same_as_botocore(env)
    eq(want[1], "securityt0k3n")
    del env["AWS_SECURITY_TOKEN"]
    want, _ = same_as_botocore(env)
    eq(want[1], "sessiont0k3n")


def test_profiles_like_botocore():
    home = new_home()
    aws_file(home, "credentials",
             "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d/s3cr3t\n"
             "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = dev/s3cr3t\n"
             "aws_session_token = devt0k3n\n")
    aws_file(home, "config",
             "[default]\nregion = us-east-1\n[profile dev]\nregion = us-east-1\n"
             "[profile ops]\naws_access_key_id = AKIDOPSCONF\n"
             "aws_secret_access_key = ops/s3cr3t\n")
    env = aws_env(home)
    eq(same_as_botocore(env)[0][0], "AKIDDEFAULT")
    eq(same_as_botocore(dict(env, AWS_PROFILE="dev"))[0][0], "AKIDDEV")
    # AWS_DEFAULT_PROFILE comes before AWS_PROFILE
    eq(same_as_botocore(dict(env, AWS_PROFILE="dev", AWS_DEFAULT_PROFILE="ops"))[0][0],
       "AKIDOPSCONF")
    # the environment's keys beat AWS_PROFILE, not the profile= option
    keys = dict(env, AWS_PROFILE="dev", AWS_ACCESS_KEY_ID="AKIDENV2",
                AWS_SECRET_ACCESS_KEY="e/s3cr3t")
    eq(same_as_botocore(keys)[0][0], "AKIDENV2")
    want, _ = same_as_botocore(keys, profile="ops")
    eq((want[0], want[2]), ("AKIDOPSCONF", "config-file"))


HELPER = r'''
import json, os, sys, time
log, mode = sys.argv[1], sys.argv[2]
with open(log, "a") as f:
    f.write(json.dumps(sys.argv[1:]) + "\n")
if mode == "ok":
    print(json.dumps({"Version": 1, "AccessKeyId": "AKIDPROCESS",
                      "SecretAccessKey": "proc/s3cr3t", "SessionToken": "proct0k3n",
                      "Expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                  time.gmtime(time.time() + 3600))}))
elif mode == "fail":
    sys.stderr.write("helper: the vault is locked\n")
    sys.exit(3)
elif mode == "garbage":
    print("AccessKeyId=AKIDX SecretAccessKey=s3cr3t")
elif mode == "v2":
    print(json.dumps({"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "s3cr3t"}))
elif mode == "hang":
    time.sleep(60)
'''


def process_home():
    home = new_home()
    d = os.path.join(home, "dir with space")
    os.makedirs(d)
    helper = os.path.join(d, "helper.py")
    with open(helper, "w") as f:
        f.write(HELPER)
    log = os.path.join(home, "calls.log")
    config = "[default]\nregion = us-east-1\n"
    for mode in ("ok", "fail", "garbage", "v2", "hang"):
        config += "[profile %s]\ncredential_process = %s \"%s\" %s %s 'two words'\n" % (
            mode, PY, helper, log, mode)
    config += "[profile missing]\ncredential_process = /nonexistent/get-creds --x\n"
    aws_file(home, "config", config)
    return home, log


def test_credential_process_like_botocore():
    home, log = process_home()
    env = aws_env(home)
    want, _ = same_as_botocore(env, profile="ok")
    eq(want[:3], ("AKIDPROCESS", "proct0k3n", "custom-process"))
    # split as botocore splits it (shlex), no shell: both runs saw the same
    with open(log) as f:
        calls = f.read().splitlines()
    eq(len(calls), 2)
    eq(calls[0], calls[1])
    eq(calls[0], '["%s", "ok", "two words"]' % log)
    # also through AWS_PROFILE
    eq(same_as_botocore(dict(env, AWS_PROFILE="ok"))[0][0], "AKIDPROCESS")


def test_credential_process_failures():
    home, _ = process_home()
    conf = os.path.join(home, ".aws", "config")
    env = aws_env(home, DYNAMO_CREDENTIAL_PROCESS_TIMEOUT_MS="500")
    where = 'dynamo: profile "%s" (credential_process in %s): '
    cases = [
        ("fail", "credential_process exited with status 3: helper: the vault is locked"),
        ("garbage", "credential_process printed no credentials: the answer is not a JSON object"),
        ("v2", "credential_process printed no credentials: unsupported Version 2"),
        ("hang", "credential_process did not finish within 500 ms and was stopped"),
        ("missing", 'credential_process cannot run "/nonexistent/get-creds": No such file or directory'),
    ]
    for profile, msg in cases:
        rc, out, err, ops = run_ext(env, profile, timeout=30)
        eq(rc, 1, profile)
        assert (where % (profile, conf)) + msg in err, (profile, err)
        assert "s3cr3t" not in err, err
        eq(ops, [], "no request without credentials")


def test_nothing_found_names_every_place():
    home = new_home()
    port = closed_port()
    # instance metadata allowed, at a loopback port where nothing listens
    env = aws_env(home, AWS_EC2_METADATA_DISABLED=None,
                  AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:%d" % port)
    eq(botocore_credentials(env), None)
    rc, out, err, ops = run_ext(env)
    eq(rc, 1)
    aws = os.path.join(home, ".aws")
    want = ("dynamo: no AWS credentials found; looked in: the environment (AWS_ACCESS_KEY_ID, "
            "AWS_SECRET_ACCESS_KEY), profile \"default\" in %s/credentials and %s/config, "
            "AWS_WEB_IDENTITY_TOKEN_FILE, the container endpoint "
            "(AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, AWS_CONTAINER_CREDENTIALS_FULL_URI), "
            "EC2 instance metadata at http://127.0.0.1:%d: cannot reach "
            "http://127.0.0.1:%d/latest/meta-data/iam/security-credentials/: " % (
                aws, aws, port, port))
    assert want in err, err
    eq(ops, [])
    # disabled: said at once
    rc, out, err, ops = run_ext(aws_env(home))
    assert "EC2 instance metadata (AWS_EC2_METADATA_DISABLED is true)" in err, err


def test_configuration_errors():
    home = new_home()
    aws_file(home, "credentials",
             "[half]\naws_access_key_id = AKIDHALF\n"
             "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = b/s3cr3t\n")
    aws_file(home, "config",
             "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
             "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n"
             "[profile mfa]\nrole_arn = arn:aws:iam::1:role/m\nsource_profile = base\n"
             "mfa_serial = arn:aws:iam::1:mfa/me\n")
    env = aws_env(home)
    conf = os.path.join(home, ".aws", "config")
    for profile, msg in [
        ("half", 'dynamo: profile "half" in %s/credentials has aws_access_key_id but no '
                 'aws_secret_access_key' % os.path.join(home, ".aws")),
        ("a", 'dynamo: profile "b" (role_arn in %s): source_profile loop: "a" -> "b" -> "a"'
              % conf),
        ("mfa", 'dynamo: profile "mfa" (role_arn in %s): the role needs an MFA code '
                '(mfa_serial), which cannot be typed inside SQL' % conf),
        ("nope", 'dynamo: profile "nope" not found in'),
    ]:
        rc, out, err, ops = run_ext(env, profile)
        assert rc == 1 and msg in err, (profile, rc, err)
        eq(ops, [])
