"""pycognito's USER_SRP_AUTH (its own SRP-6a client, over boto3) against `cognate serve`.

With `endpoint_url` set, pycognito also takes the server as the pool's issuer and fetches its
JWKS from `{endpoint}/{poolId}/.well-known/jwks.json` to verify the tokens it receives, so a
successful `authenticate` is also a token check by a client nobody here wrote."""

import pytest
from botocore.config import Config
from pycognito import Cognito

from flows import PASSWORD, confirmed_user


def cognito(server, pool, username):
    return Cognito(
        pool["id"],
        pool["client_id"],
        username=username,
        botocore_config=Config(retries={"max_attempts": 1}),
        boto3_client_kwargs={
            "endpoint_url": server.url,
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
        },
    )


def test_srp_sign_in_with_the_right_password(server, idp, pool):
    username = confirmed_user(idp, pool)
    u = cognito(server, pool, username)
    u.authenticate(password=PASSWORD)
    assert u.token_type == "Bearer"
    assert u.id_claims["cognito:username"] == username
    assert u.id_claims["iss"] == server.issuer(pool["id"])
    assert u.access_claims["client_id"] == pool["client_id"]
    # Tokens stay valid for the API.
    assert u.client.get_user(AccessToken=u.access_token)["Username"] == username


def test_srp_sign_in_with_a_wrong_password_is_refused(server, idp, pool):
    username = confirmed_user(idp, pool)
    u = cognito(server, pool, username)
    with pytest.raises(u.client.exceptions.NotAuthorizedException):
        u.authenticate(password="Wrong-Passw0rd!")
