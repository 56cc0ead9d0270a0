"""IAM Identity Center (SSO), against botocore: the login `aws sso login`
cached in ~/.aws/sso/cache/SHA1.json, refreshed through SSO OIDC CreateToken
when it is within 15 minutes of its expiry (and written back as botocore
writes it), then GetRoleCredentials from the portal. A FakeSso on 127.0.0.1
(AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL_SSO_OIDC) is both; the credentials
it gives depend on the access token, the account and the role."""

import hashlib
import json
import os
import shutil
import time

from harness import eq
from credfakes import FakeSso, Issuer, aws_env, botocore_credentials, iso
from credtest import aws_file, new_home, run_ext, same_as_botocore

START = "https://corp.awsapps.com/start"


def sso_home():
    home = new_home()
    aws_file(home, "config",
             "[profile s]\nsso_session = corp\nsso_account_id = 111122223333\n"
             "sso_role_name = ReadOnly\nregion = us-east-1\n"
             "[sso-session corp]\nsso_start_url = %s\nsso_region = eu-central-1\n"
             "sso_registration_scopes = sso:account:access\n"
             "[profile legacy]\nsso_start_url = %s\nsso_region = eu-central-1\n"
             "sso_account_id = 444455556666\nsso_role_name = Admin\n" % (START, START))
    return home


def cache_file(home, name):
    return os.path.join(home, ".aws", "sso", "cache",
                        hashlib.sha1(name.encode()).hexdigest() + ".json")


def login(home, name, expires_in, refresh=True, token="ssot0k3n-login"):
    """What `aws sso login` leaves in the cache."""
    t = {"startUrl": START, "region": "eu-central-1", "accessToken": token,
         "expiresAt": iso(time.time() + expires_in)}
    if refresh:
        t.update(clientId="client-id-1", clientSecret="clients3cr3t",
                 registrationExpiresAt=iso(time.time() + 90 * 86400),
                 refreshToken="rt0k3n-login")
    with open(cache_file(home, name), "w") as f:
        json.dump(t, f)


def sso_env(home, sso):
    return aws_env(home, AWS_ENDPOINT_URL_SSO=sso.url, AWS_ENDPOINT_URL_SSO_OIDC=sso.url)


def test_sso_like_botocore():
    home = sso_home()
    login(home, "corp", 3600)
    login(home, START, 3600, refresh=False, token="ssot0k3n-legacy")
    with FakeSso(Issuer()) as sso:
        env = sso_env(home, sso)
        want, _ = same_as_botocore(env, profile="s")
        eq(want[2], "sso")
        for r in sso.requests:
            eq((r.method, r.query(), r.headers.get("x-amz-sso_bearer_token")),
               ("GET", {"account_id": "111122223333", "role_name": "ReadOnly"},
                "ssot0k3n-login"))
        eq(sso.refreshes, 0)  # an hour left: no refresh
        del sso.requests[:]
        # the legacy keys: the cache named after the start URL
        same_as_botocore(dict(env, AWS_PROFILE="legacy"))
        eq([r.headers.get("x-amz-sso_bearer_token") for r in sso.requests],
           ["ssot0k3n-legacy"] * 2)


def test_sso_login_refreshed_and_written_back_like_botocore():
    home = sso_home()
    other = os.path.join(home, "other")
    shutil.copytree(os.path.join(home, ".aws"), os.path.join(other, ".aws"))
    login(home, "corp", 300)   # 5 minutes left: refresh
    login(other, "corp", 300)
    with FakeSso(Issuer(), token_ttl=3600) as sso:
        rc, out, err, ops = run_ext(sso_env(home, sso), "s")
        eq(rc, 0, err)
        eq(sso.refreshes, 1)
        oidc = [r for r in sso.requests if r.method == "POST"]
        eq(oidc[0].path, "/token")
        eq(oidc[0].json(), {"grantType": "refresh_token", "clientId": "client-id-1",
                            "clientSecret": "clients3cr3t", "refreshToken": "rt0k3n-login"})
        portal = [r for r in sso.requests if r.method == "GET"]
        eq(portal[0].headers["x-amz-sso_bearer_token"], "ssot0k3n-refreshed-1")
        with open(cache_file(home, "corp")) as f:
            ours = json.load(f)
        eq(ours["accessToken"], "ssot0k3n-refreshed-1")
        eq(ours["refreshToken"], "rt0k3n-1")
        # botocore now finds a fresh login and asks with the same token
        want = botocore_credentials(sso_env(home, sso), "s")
        eq(sso.refreshes, 1)
        eq([(k, t) for _, k, t in ops], [tuple(want[:2])] * 2)
        # botocore refreshing the other copy writes the same fields, in the
        # same formats
        botocore_credentials(sso_env(other, sso), "s")
        eq(sso.refreshes, 2)
        with open(cache_file(other, "corp")) as f:
            theirs = json.load(f)
        eq(sorted(ours), sorted(theirs))
        for k in ours:
            if k not in ("accessToken", "refreshToken", "expiresAt"):
                eq(ours[k], theirs[k], k)
        eq(len(ours["expiresAt"]), len(theirs["expiresAt"]))
        eq(os.stat(cache_file(home, "corp")).st_mode & 0o777, 0o600)


def test_sso_cache_is_written_to_a_new_file_never_through_a_link():
    """The refreshed login goes to a new file of a name no one could guess
    or link in advance (mkstemp: 0600, O_EXCL), renamed over the cache: a
    link at the cache's place is replaced, never written through, and no
    other file in the directory changes."""
    home = sso_home()
    login(home, "corp", 300)  # 5 minutes left: refresh
    cache = cache_file(home, "corp")
    cachedir = os.path.dirname(cache)
    target = os.path.join(cachedir, "elsewhere.json")
    os.rename(cache, target)
    os.symlink(target, cache)  # read through it: the login is there
    with open(target) as f:
        before = f.read()
    # links at predictable names (CACHE.PID.tmp, for the next process ids)
    # to a file of the user's: a writer that opens such a name without
    # O_EXCL writes through one
    victim = os.path.join(home, "victim")
    with open(victim, "w") as f:
        f.write("keep me\n")
    with open("/proc/sys/kernel/ns_last_pid") as f:
        last = int(f.read())
    planted = ["%s.%d.tmp" % (cache, pid) for pid in range(last + 1, last + 3000)]
    for name in planted:
        os.symlink(victim, name)
    with FakeSso(Issuer(), token_ttl=3600) as sso:
        rc, out, err, ops = run_ext(sso_env(home, sso), "s")
        eq(rc, 0, err)
        eq(sso.refreshes, 1)
    with open(victim) as f:
        eq(f.read(), "keep me\n")
    eq(sum(os.path.islink(name) for name in planted), len(planted))
    for name in planted:
        os.unlink(name)
    assert not os.path.islink(cache), "the link was written through, not replaced"
    with open(target) as f:
        eq(f.read(), before)  # what the link pointed at is untouched
    with open(cache) as f:
        eq(json.load(f)["accessToken"], "ssot0k3n-refreshed-1")
    eq(os.stat(cache).st_mode & 0o777, 0o600)
    eq(sorted(os.listdir(cachedir)), sorted([os.path.basename(cache), "elsewhere.json"]))


def test_sso_login_problems_say_what_to_do():
    home = sso_home()
    cache = cache_file(home, "corp")
    with FakeSso(Issuer()) as sso:
        env = sso_env(home, sso)
        where = 'dynamo: profile "s" (sso_session corp in %s/.aws/config): ' % home
        # no login at all
        rc, out, err, ops = run_ext(env, "s")
        eq(rc, 1)
        assert where + ("no IAM Identity Center login is cached (%s): run aws sso login "
                        "--profile s" % cache) in err, err
        # expired, and the refresh fails too
        login(home, "corp", -60)
        sso.fail((400, {"error": "invalid_grant", "error_description": "expired"}))
        rc, out, err, ops = run_ext(env, "s")
        eq(rc, 1)
        assert where + "the IAM Identity Center login expired at " in err, err
        assert "(refreshing it failed: %s/token answered HTTP 400: " % sso.url in err, err
        assert err.rstrip().endswith("run aws sso login --profile s") or \
            "run aws sso login --profile s\n" in err, err
        assert "s3cr3t" not in err and "t0k3n" not in err, err
        # expired, nothing to refresh with (the legacy format): no request
        n = len(sso.requests)
        login(home, "corp", -60, refresh=False)
        rc, out, err, ops = run_ext(env, "s")
        assert where + "the IAM Identity Center login expired at " in err, err
        eq(len(sso.requests), n)
        # near expiry, the refresh fails: the old token still serves
        login(home, "corp", 120)
        sso.fail((500, {"error": "server_error"}))
        rc, out, err, ops = run_ext(env, "s")
        eq(rc, 0, err)
        eq(sso.requests[-1].headers["x-amz-sso_bearer_token"], "ssot0k3n-login")
        # the portal refuses the token
        login(home, "corp", 3600)
        sso.valid = {"another"}
        rc, out, err, ops = run_ext(env, "s")
        assert where + "GetRoleCredentials refused the IAM Identity Center login (HTTP 401: " \
            in err, err
        assert "run aws sso login --profile s" in err, err
        # an unreadable cache file
        with open(cache, "w") as f:
            f.write("{not json")
        rc, out, err, ops = run_ext(env, "s")
        assert where + ("the cached IAM Identity Center login %s is unusable (it is not a "
                        "JSON object): run aws sso login --profile s" % cache) in err, err
