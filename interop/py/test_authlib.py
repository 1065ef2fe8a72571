"""Authlib (PyPI), an independent OAuth 2.0 / OIDC client, against the hosted endpoints of
`cognate serve`: discovery, the authorization code grant with PKCE (S256) through the real
managed-login form (read and posted with requests, as a browser without JavaScript would),
the ID token checked with joserfc (Authlib's JOSE library) against the published JWKS, userInfo, refresh,
revocation, and client_credentials with custom scopes."""

import html
import re
import uuid
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import KeySet

from flows import confirmed_user

CALLBACK = "http://127.0.0.1:53684/callback"


@pytest.fixture
def hosted(idp, server):
    """A pool with a domain, a resource server, a confidential web client, a machine client
    and a confirmed user."""
    name = f"authlib-{uuid.uuid4().hex[:8]}"
    pool_id = idp.create_user_pool(PoolName=name, AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain=name)
    idp.create_resource_server(
        UserPoolId=pool_id,
        Identifier="orders",
        Name="Orders",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "read"}],
    )
    web = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "profile"],
        CallbackURLs=[CALLBACK],
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    machine = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="machine",
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["orders/read"],
    )["UserPoolClient"]
    pool = {"id": pool_id}
    username = confirmed_user(idp, pool)
    issuer = f"{server.url}/{pool_id}"
    meta = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    return {
        "issuer": issuer,
        "meta": meta,
        "base": f"{server.url}/{name}",
        "web": web,
        "machine": machine,
        "username": username,
    }


def read_form(page, page_url):
    """The first form of a page: its absolute action and its inputs' values."""
    form = re.search(r"<form\b[^>]*>(.*?)</form>", page, re.S | re.I)
    assert form, page
    action = re.search(r'\baction="([^"]*)"', form.group(0), re.I)
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", form.group(1), re.I):
        name = re.search(r'\bname="([^"]*)"', tag)
        value = re.search(r'\bvalue="([^"]*)"', tag)
        kind = re.search(r'\btype="([^"]*)"', tag)
        if name and (not kind or kind.group(1) != "submit"):
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return urljoin(page_url, html.unescape(action.group(1) if action else "")), fields


def sign_in(authorize_url, username, password):
    """Follows the authorization URL to the login form, posts it, returns the callback URL."""
    browser = requests.Session()
    r = browser.get(authorize_url, allow_redirects=True, timeout=10)
    assert r.status_code == 200, r.text
    action, fields = read_form(r.text, r.url)
    assert "_csrf" in fields
    fields.update(username=username, password=password)
    r = browser.post(action, data=fields, allow_redirects=False, timeout=10)
    assert r.status_code in (302, 303), r.text
    location = r.headers["location"]
    assert location.startswith(CALLBACK), location
    return location


def test_discovery_points_at_the_domain(hosted):
    meta = hosted["meta"]
    assert meta["issuer"] == hosted["issuer"]
    assert meta["authorization_endpoint"] == f"{hosted['base']}/oauth2/authorize"
    assert meta["token_endpoint"] == f"{hosted['base']}/oauth2/token"
    assert "S256" in meta["code_challenge_methods_supported"]


def test_code_flow_with_pkce(hosted):
    meta = hosted["meta"]
    web = hosted["web"]
    client = OAuth2Session(
        client_id=web["ClientId"],
        client_secret=web["ClientSecret"],
        scope="openid email profile",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
    )
    verifier = uuid.uuid4().hex + uuid.uuid4().hex
    nonce = uuid.uuid4().hex
    url, state = client.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    assert "code_challenge=" + create_s256_code_challenge(verifier) in url
    callback = sign_in(url, hosted["username"], "Interop-Passw0rd!")
    assert parse_qs(urlparse(callback).query)["state"] == [state]
    token = client.fetch_token(
        meta["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    assert token["token_type"] == "Bearer"
    assert "refresh_token" in token

    jwks = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    claims = jwt.decode(token["id_token"], jwks, algorithms=["RS256"]).claims
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": hosted["issuer"]},
        aud={"essential": True, "value": web["ClientId"]},
        nonce={"essential": True, "value": nonce},
        exp={"essential": True},
    ).validate(claims)
    assert claims["cognito:username"] == hosted["username"]
    assert claims["token_use"] == "id"

    info = client.get(meta["userinfo_endpoint"]).json()
    assert info["sub"] == claims["sub"]
    assert info["email"] == f"{hosted['username']}@example.com"

    refreshed = client.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["access_token"] != token["access_token"]

    revoked = client.revoke_token(
        meta["revocation_endpoint"], token=token["refresh_token"], token_type_hint="refresh_token"
    )
    assert revoked.status_code == 200
    r = requests.get(
        meta["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {refreshed['access_token']}"},
        timeout=10,
    )
    assert r.status_code == 401
    assert "invalid_token" in r.headers["WWW-Authenticate"]


def test_client_credentials(hosted):
    meta = hosted["meta"]
    machine = hosted["machine"]
    client = OAuth2Session(
        client_id=machine["ClientId"],
        client_secret=machine["ClientSecret"],
        token_endpoint_auth_method="client_secret_post",
    )
    token = client.fetch_token(meta["token_endpoint"], grant_type="client_credentials", scope="orders/read")
    assert "refresh_token" not in token and "id_token" not in token
    jwks = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    claims = jwt.decode(token["access_token"], jwks, algorithms=["RS256"]).claims
    assert claims["scope"] == "orders/read"
    assert claims["client_id"] == machine["ClientId"]
