"""Prepares the servers of the token-endpoint benchmark (benches/http/token.sh).

Usage:
  setup_m2m.py setup ENDPOINT_URL DIR
  setup_m2m.py check TOKEN_URL CLIENT_ID CLIENT_SECRET

`setup`, with boto3 against ENDPOINT_URL (a `cognate serve` in dev mode; dummy credentials):
CreateUserPool, CreateUserPoolDomain (Domain bench-<random>), CreateResourceServer
(Identifier `orders`, scope `read`), CreateUserPoolClient (GenerateSecret, the
client_credentials flow only, AllowedOAuthScopes ['orders/read']). Writes DIR/m2m.env with
TOKEN_URL, CLIENT_ID and CLIENT_SECRET (shell syntax), the token endpoint being
{ENDPOINT_URL}/{domain}/oauth2/token.

`check` sends one token request as the load generator will (client_secret_basic,
`grant_type=client_credentials&scope=orders/read`) and exits non-zero unless the answer is 200
with a Bearer access token that is a JWT signed RS256 and granting `orders/read`. Prints one
line describing the token (header, claim names, sizes).
"""

import base64
import json
import os
import secrets
import sys
import urllib.error
import urllib.parse
import urllib.request

import boto3
from botocore.config import Config

BODY = b"grant_type=client_credentials&scope=orders/read"
SCOPE = "orders/read"


def client_for(endpoint):
    return boto3.client(
        "cognito-idp",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDBENCH",
        aws_secret_access_key="bench-secret",
        config=Config(retries={"max_attempts": 1}),
    )


def setup(endpoint, out_dir):
    idp = client_for(endpoint)
    pool = idp.create_user_pool(PoolName="token-bench")["UserPool"]["Id"]
    domain = f"bench-{secrets.token_hex(4)}"
    idp.create_user_pool_domain(UserPoolId=pool, Domain=domain)
    idp.create_resource_server(
        UserPoolId=pool,
        Identifier="orders",
        Name="orders",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "read orders"}],
    )
    client = idp.create_user_pool_client(
        UserPoolId=pool,
        ClientName="token-bench",
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=[SCOPE],
    )["UserPoolClient"]
    token_url = f"{endpoint.rstrip('/')}/{domain}/oauth2/token"
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "m2m.env"), "w", encoding="utf-8") as f:
        f.write(f"TOKEN_URL={token_url}\n")
        f.write(f"CLIENT_ID={client['ClientId']}\n")
        f.write(f"CLIENT_SECRET={client['ClientSecret']}\n")
    print(f"{endpoint}: pool {pool}, domain {domain}, client {client['ClientId']}")


def b64json(part):
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def check(token_url, client_id, client_secret):
    form = urllib.parse.quote_plus
    basic = base64.b64encode(f"{form(client_id)}:{form(client_secret)}".encode()).decode()
    req = urllib.request.Request(
        token_url,
        data=BODY,
        method="POST",
        headers={
            "authorization": f"Basic {basic}",
            "content-type": "application/x-www-form-urlencoded",
            "accept": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, body = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    if status != 200:
        sys.exit(f"{token_url}: HTTP {status}: {body[:500]!r}")
    answer = json.loads(body)
    token = answer.get("access_token", "")
    parts = token.split(".")
    if len(parts) != 3:
        sys.exit(f"{token_url}: the access token is not a JWS compact JWT: {answer}")
    header, claims = b64json(parts[0]), b64json(parts[1])
    if header.get("alg") != "RS256":
        sys.exit(f"{token_url}: the access token is signed {header.get('alg')}, not RS256: {header}")
    if len(base64.urlsafe_b64decode(parts[2] + "=" * (-len(parts[2]) % 4))) != 256:
        sys.exit(f"{token_url}: the signature is not 256 bytes (RSA-2048)")
    if answer.get("token_type", "").lower() != "bearer" or SCOPE not in str(claims.get("scope", "")).split():
        sys.exit(f"{token_url}: unexpected token type or scope: {answer} {claims}")
    print(
        f"token ok: header {json.dumps(header, separators=(',', ':'))}, "
        f"claims {','.join(claims)}, {len(parts[0]) + 1 + len(parts[1])}-byte signing input, "
        f"{len(token)}-byte token, {len(body)}-byte response"
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "setup":
        setup(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == "check":
        check(*sys.argv[2:])
    else:
        sys.exit(__doc__)
