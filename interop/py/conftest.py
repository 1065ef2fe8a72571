"""Shared fixtures: one `cognate serve` per test session, and a fresh pool per test."""

import os
import sys
import uuid

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from cognate_server import CognateServer  # noqa: E402

# boto3 must find credentials; they are dummies (dev mode accepts any signature).
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

@pytest.fixture(scope="session")
def server():
    s = CognateServer().start()
    yield s
    s.stop()


@pytest.fixture
def idp(server):
    return server.client()


@pytest.fixture
def pool(idp):
    """A new user pool (e-mail auto-verified) and an app client without a secret."""
    p = idp.create_user_pool(
        PoolName=f"interop-{uuid.uuid4().hex[:8]}",
        AutoVerifiedAttributes=["email"],
    )["UserPool"]
    c = idp.create_user_pool_client(
        UserPoolId=p["Id"],
        ClientName="interop",
        ExplicitAuthFlows=[
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
        ],
    )["UserPoolClient"]
    return {"id": p["Id"], "client_id": c["ClientId"]}
