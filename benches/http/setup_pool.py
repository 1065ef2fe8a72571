"""Prepares one server for the HTTP sign-in benchmark (benches/http/run.sh).

Usage:
  setup_pool.py setup ENDPOINT_URL DIR
  setup_pool.py refresh ENDPOINT_URL DIR

`setup`, with boto3 against ENDPOINT_URL (dummy credentials): CreateUserPool,
CreateUserPoolClient (ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH, no secret),
AdminCreateUser, AdminSetUserPassword (Permanent), then one InitiateAuth USER_PASSWORD_AUTH
for a refresh token. Writes the two request bodies wrk sends, DIR/password.json and
DIR/refresh.json, after checking that each is answered with tokens once.

`refresh` signs in once more with DIR/password.json and rewrites DIR/refresh.json with the new
refresh token. run.sh does this before each REFRESH_TOKEN_AUTH run: a user keeps at most 100
token families in Cognate (as in Cognito), so the thousands of sign-ins of a USER_PASSWORD_AUTH
run revoke the refresh token of an earlier sign-in.
"""

import json
import os
import sys

import boto3
from botocore.config import Config

USERNAME = "bench-user"
PASSWORD = "Bench-passw0rd!"


def client_for(endpoint):
    return boto3.client(
        "cognito-idp",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDBENCH",
        aws_secret_access_key="bench-secret",
        config=Config(retries={"max_attempts": 1}),
    )


def check_tokens(endpoint, result):
    for token in ("AccessToken", "IdToken"):
        if result.get(token, "").count(".") != 2:
            sys.exit(f"{endpoint}: InitiateAuth returned no {token}: {result}")


def refresh_body_for(client, refresh_token):
    return {
        "AuthFlow": "REFRESH_TOKEN_AUTH",
        "ClientId": client,
        "AuthParameters": {"REFRESH_TOKEN": refresh_token},
    }


def write_body(out_dir, name, body):
    with open(os.path.join(out_dir, f"{name}.json"), "w", encoding="utf-8") as f:
        json.dump(body, f, separators=(",", ":"))


def setup(endpoint, out_dir):
    idp = client_for(endpoint)
    pool = idp.create_user_pool(PoolName="http-bench")["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool,
        ClientName="http-bench",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool, Username=USERNAME, MessageAction="SUPPRESS")
    idp.admin_set_user_password(
        UserPoolId=pool, Username=USERNAME, Password=PASSWORD, Permanent=True
    )

    password_body = {
        "AuthFlow": "USER_PASSWORD_AUTH",
        "ClientId": client,
        "AuthParameters": {"USERNAME": USERNAME, "PASSWORD": PASSWORD},
    }
    first = idp.initiate_auth(**password_body)["AuthenticationResult"]
    check_tokens(endpoint, first)
    refresh_body = refresh_body_for(client, first["RefreshToken"])
    check_tokens(endpoint, idp.initiate_auth(**refresh_body)["AuthenticationResult"])
    os.makedirs(out_dir, exist_ok=True)
    write_body(out_dir, "password", password_body)
    write_body(out_dir, "refresh", refresh_body)
    print(f"{endpoint}: pool {pool}, client {client}, user {USERNAME}")


def refresh(endpoint, out_dir):
    idp = client_for(endpoint)
    with open(os.path.join(out_dir, "password.json"), encoding="utf-8") as f:
        password_body = json.load(f)
    result = idp.initiate_auth(**password_body)["AuthenticationResult"]
    check_tokens(endpoint, result)
    refresh_body = refresh_body_for(password_body["ClientId"], result["RefreshToken"])
    check_tokens(endpoint, idp.initiate_auth(**refresh_body)["AuthenticationResult"])
    write_body(out_dir, "refresh", refresh_body)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("setup", "refresh"):
        sys.exit(__doc__)
    {"setup": setup, "refresh": refresh}[sys.argv[1]](sys.argv[2], sys.argv[3])
