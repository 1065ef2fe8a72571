#!/usr/bin/env python3
"""Signs Cognito user-pools API requests with the real botocore signer and writes them as
JSON fixtures for the Rust SigV4 verifier tests
(crates/cognate-userpool/tests/data/sigv4/botocore.json).

Two kinds of request are produced, all with fixed credentials and a fixed clock:

* "client" fixtures go through a real botocore client (``cognito-idp``): serialisation,
  the User-Agent and SDK headers, Content-Length and the SigV4 signature are exactly what
  boto3 sends. The request is captured on the ``before-send`` event and never leaves the
  process.
* "signer" fixtures call ``botocore.auth.SigV4Auth`` directly on a hand-built request, for
  the cases a Cognito client never produces but the verifier must handle the same way AWS
  does: a session token, a ``Date`` header instead of ``X-Amz-Date``, paths that need
  normalising and double encoding, a query string, an explicit ``X-Amz-Content-SHA256``.

Usage (botocore in a throwaway virtual environment outside the repository):

    python3 -m venv /tmp/sigv4-venv
    /tmp/sigv4-venv/bin/pip install botocore==1.44.5
    /tmp/sigv4-venv/bin/python interop/sigv4/make_fixtures.py \
        > crates/cognate-userpool/tests/data/sigv4/botocore.json

The output is deterministic for a given botocore version (the SDK invocation id is pinned).
"""

import calendar
import datetime
import json
import re
import sys
import uuid
from unittest import mock

import botocore
import botocore.auth
import botocore.session
from botocore.awsrequest import AWSRequest, AWSResponse
from botocore.credentials import Credentials

ACCESS_KEY_ID = "AKIDCOGNATEEXAMPLE"
SECRET_ACCESS_KEY = "cognate/SigV4+Fixture/SecretKey0123456789"
SESSION_TOKEN = "FwoGZXIvYXdzECognateFixtureSessionToken/+=="
REGION = "us-east-1"
SERVICE = "cognito-idp"
# 2026-03-14T09:26:53Z
SIGNED_AT = datetime.datetime(2026, 3, 14, 9, 26, 53)


class RecordingSigV4Auth(botocore.auth.SigV4Auth):
    """SigV4Auth that keeps the canonical request and string to sign it computed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.recorded = {}

    def string_to_sign(self, request, canonical_request):
        sts = super().string_to_sign(request, canonical_request)
        self.recorded["canonical_request"] = canonical_request
        self.recorded["string_to_sign"] = sts
        return sts


def fixed_clock():
    return mock.patch.object(
        botocore.auth, "get_current_datetime", return_value=SIGNED_AT
    )


def split_url(url):
    """The origin-form target (path and query) and the authority of an absolute URL."""
    rest = url.split("://", 1)[1]
    authority, _, target = rest.partition("/")
    return authority, "/" + target


def header_list(headers):
    out = []
    for name, value in headers.items():
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if name.lower() == "user-agent":
            # Not signed; the OS release and feature ids it carries vary between machines.
            value = re.sub(r"os/\S+", "os/fixture", value)
            value = re.sub(r" m/\S+", "", value)
        out.append([name, value])
    return out


def body_text(body):
    if body is None:
        return ""
    if isinstance(body, bytes):
        return body.decode("utf-8")
    return body


def fixture(name, description, kind, method, url, headers, body, session_token, recorded):
    authority, target = split_url(url)
    names = {h[0].lower() for h in headers}
    if "host" not in names:
        # The HTTP client adds Host from the URL (botocore signs that same value).
        headers = [["Host", authority]] + headers
    authz = next(v for k, v in headers if k.lower() == "authorization")
    signature = authz.rsplit("Signature=", 1)[1]
    return {
        "name": name,
        "description": description,
        "kind": kind,
        "credentials": {
            "access_key_id": ACCESS_KEY_ID,
            "secret_access_key": SECRET_ACCESS_KEY,
            "session_token": session_token,
        },
        "region": REGION,
        "service": SERVICE,
        "signed_at_unix": calendar.timegm(SIGNED_AT.timetuple()),
        "request": {
            "method": method,
            "target": target,
            "headers": headers,
            "body": body_text(body),
        },
        "canonical_request": recorded.get("canonical_request"),
        "string_to_sign": recorded.get("string_to_sign"),
        "signature": signature,
    }


def client_fixtures():
    """Requests as a real botocore cognito-idp client sends them."""
    out = []
    session = botocore.session.Session()
    cases = [
        (
            "admin-create-user",
            "AdminCreateUser through the botocore client, default AWS endpoint",
            None,
            "admin_create_user",
            {
                "UserPoolId": "us-east-1_Ab12Cd34E",
                "Username": "alice",
                "UserAttributes": [
                    {"Name": "email", "Value": "alice@example.com"},
                    {"Name": "email_verified", "Value": "true"},
                ],
                "MessageAction": "SUPPRESS",
            },
        ),
        (
            "admin-create-user-local-endpoint",
            "AdminCreateUser through the botocore client against a local endpoint with a port",
            "http://localhost:9229",
            "admin_create_user",
            {
                "UserPoolId": "us-east-1_Ab12Cd34E",
                "Username": "bob",
                "TemporaryPassword": "Tmp-Passw0rd!",
            },
        ),
        (
            "list-users-filter",
            "ListUsers with a Filter through the botocore client",
            None,
            "list_users",
            {
                "UserPoolId": "us-east-1_Ab12Cd34E",
                "Filter": 'email ^= "alice"',
                "Limit": 10,
            },
        ),
        (
            "admin-get-user-unicode",
            "AdminGetUser with a non-ASCII username (UTF-8 JSON body)",
            None,
            "admin_get_user",
            {"UserPoolId": "us-east-1_Ab12Cd34E", "Username": "zoë-ünïcødé"},
        ),
    ]
    for name, description, endpoint, op, params in cases:
        client = session.create_client(
            SERVICE,
            region_name=REGION,
            endpoint_url=endpoint,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
        )
        captured = {}
        recorder = {}

        def capture(request, **_kwargs):
            captured["request"] = request
            raw = mock.Mock()
            raw.stream.return_value = iter([b"{}"])
            return AWSResponse(request.url, 200, {"x-amzn-RequestId": "fixture"}, raw)

        client.meta.events.register("before-send", capture)

        original = botocore.auth.SigV4Auth.string_to_sign

        def recording(self, request, canonical_request):
            sts = original(self, request, canonical_request)
            recorder["canonical_request"] = canonical_request
            recorder["string_to_sign"] = sts
            return sts

        invocation_id = uuid.UUID("00000000-0000-4000-8000-000000000001")
        with fixed_clock(), mock.patch.object(
            botocore.auth.SigV4Auth, "string_to_sign", recording
        ), mock.patch("uuid.uuid4", return_value=invocation_id):
            getattr(client, op)(**params)
        req = captured["request"]
        out.append(
            fixture(
                name,
                description,
                "client",
                req.method,
                req.url,
                header_list(req.headers),
                req.body,
                None,
                recorder,
            )
        )
    return out


def signer_fixture(name, description, method, url, headers, body, token=None):
    creds = Credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY, token)
    auth = RecordingSigV4Auth(creds, SERVICE, REGION)
    request = AWSRequest(method=method, url=url, headers=headers, data=body)
    with fixed_clock():
        auth.add_auth(request)
    return fixture(
        name,
        description,
        "signer",
        method,
        url,
        header_list(request.headers),
        body,
        token,
        auth.recorded,
    )


def json_headers(operation):
    return {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
    }


def signer_fixtures():
    body = json.dumps(
        {"UserPoolId": "us-east-1_Ab12Cd34E", "Username": "carol"},
        separators=(",", ":"),
    ).encode()
    url = f"https://{SERVICE}.{REGION}.amazonaws.com/"
    return [
        signer_fixture(
            "session-token",
            "AdminCreateUser signed with temporary credentials (X-Amz-Security-Token signed)",
            "POST",
            url,
            json_headers("AdminCreateUser"),
            body,
            token=SESSION_TOKEN,
        ),
        signer_fixture(
            "date-header",
            "AdminCreateUser with a Date header instead of X-Amz-Date",
            "POST",
            url,
            {**json_headers("AdminCreateUser"), "Date": "placeholder"},
            body,
        ),
        signer_fixture(
            "content-sha256",
            "AdminCreateUser carrying an explicit X-Amz-Content-SHA256 header",
            "POST",
            url,
            {
                **json_headers("AdminCreateUser"),
                "X-Amz-Content-SHA256": __import__("hashlib").sha256(body).hexdigest(),
            },
            body,
        ),
        signer_fixture(
            "path-double-encoding",
            "A path with percent-encoded characters: non-S3 services encode the path twice",
            "GET",
            f"https://{SERVICE}.{REGION}.amazonaws.com/a%20b/c%2Fd/%E1%88%B4",
            {},
            b"",
        ),
        signer_fixture(
            "path-normalisation",
            "A path with dot segments and repeated slashes, normalised before encoding",
            "GET",
            f"https://{SERVICE}.{REGION}.amazonaws.com/foo//bar/./baz/../qux/",
            {},
            b"",
        ),
        signer_fixture(
            "query-string",
            "Unsorted query parameters, repeated keys and reserved characters",
            "GET",
            f"https://{SERVICE}.{REGION}.amazonaws.com/?b=2&a=%2A&a=1&c=x%20y&%E1%88%B4=~",
            {},
            b"",
        ),
        signer_fixture(
            "header-whitespace",
            "Header values with inner runs of spaces and surrounding whitespace",
            "POST",
            url,
            {**json_headers("AdminGetUser"), "X-Custom": "  a   b  c  "},
            body,
        ),
    ]


def main():
    fixtures = client_fixtures() + signer_fixtures()
    doc = {
        "generator": "interop/sigv4/make_fixtures.py",
        "botocore_version": botocore.__version__,
        "fixtures": fixtures,
    }
    json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
