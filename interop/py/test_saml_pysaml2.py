"""SAML 2.0 federation of `cognate serve` with pysaml2 (PyPI, Debian's xmlsec1) as the IdP:
SP-initiated sign-in with a signed response, a signed assertion, an encrypted assertion and
signed AuthnRequests; IdP-initiated sign-in; single logout both ways; and the refusals a
real IdP's messages must meet (replayed, tampered, wrong IdP). The browser is played by
requests without following redirects, the IdP by pysaml2 in this process."""

import base64
import json
import re
import uuid
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import requests

from saml_idp import OID_AFFILIATION, OID_GIVEN_NAME, OID_MAIL, RSA_SHA1, SHA1, PySaml2Idp

CALLBACK = "http://127.0.0.1:53685/callback"
SIGNED_OUT = "http://127.0.0.1:53685/signed-out"
PROVIDER = "Corp"


def claims(jwt):
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def query_of(location):
    return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}


class Setup:
    """A pool with a domain, a custom attribute, the pysaml2 IdP as provider `Corp` and a
    confidential web client that uses it."""

    def __init__(self, server, idp_api, details=None, identifiers=None):
        self.server = server
        self.api = idp_api
        self.domain = f"saml-{uuid.uuid4().hex[:8]}"
        self.pool_id = idp_api.create_user_pool(
            PoolName=self.domain,
            Schema=[{"Name": "affiliation", "AttributeDataType": "String", "Mutable": True}],
        )["UserPool"]["Id"]
        idp_api.create_user_pool_domain(UserPoolId=self.pool_id, Domain=self.domain)
        self.base = f"{server.url}/{self.domain}"
        self.idp = PySaml2Idp()
        self.idp.want_signed_requests = "RequestSigningAlgorithm" in (details or {})
        provider_details = {"MetadataFile": self.idp.metadata(), "IDPSignout": "true"}
        provider_details.update(details or {})
        created = idp_api.create_identity_provider(
            UserPoolId=self.pool_id,
            ProviderName=PROVIDER,
            ProviderType="SAML",
            ProviderDetails=provider_details,
            AttributeMapping={
                "email": OID_MAIL,
                "given_name": OID_GIVEN_NAME,
                "custom:affiliation": OID_AFFILIATION,
            },
            IdpIdentifiers=identifiers or [],
        )["IdentityProvider"]
        self.provider = created
        self.client = idp_api.create_user_pool_client(
            UserPoolId=self.pool_id,
            ClientName="web",
            GenerateSecret=True,
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["openid", "email", "profile"],
            CallbackURLs=[CALLBACK],
            LogoutURLs=[SIGNED_OUT],
            SupportedIdentityProviders=[PROVIDER],
            ReadAttributes=["email", "email_verified", "given_name", "custom:affiliation"],
        )["UserPoolClient"]
        sp_metadata = requests.get(
            f"{self.base}/saml2/metadata", params={"identity_provider": PROVIDER}, timeout=10
        )
        sp_metadata.raise_for_status()
        self.sp_metadata = sp_metadata.text
        self.sp_entity_id = f"urn:amazon:cognito:sp:{self.pool_id}"
        self.acs = f"{self.base}/saml2/idpresponse"
        self.idp.trust(self.sp_metadata)
        self.browser = requests.Session()

    def authorize(self, **extra):
        params = {
            "response_type": "code",
            "client_id": self.client["ClientId"],
            "redirect_uri": CALLBACK,
            "scope": "openid email profile",
            "state": "st-" + uuid.uuid4().hex,
        }
        params.update(extra)
        r = self.browser.get(f"{self.base}/oauth2/authorize", params=params, allow_redirects=False)
        assert r.status_code == 302, r.text
        return r.headers["Location"], params["state"]

    def post_response(self, saml_response, relay_state):
        form = {"SAMLResponse": saml_response}
        if relay_state is not None:
            form["RelayState"] = relay_state
        r = self.browser.post(self.acs, data=form, allow_redirects=False)
        assert r.status_code == 302, r.text
        return r.headers["Location"]

    def exchange(self, code):
        r = requests.post(
            f"{self.base}/oauth2/token",
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK},
            auth=(self.client["ClientId"], self.client["ClientSecret"]),
            timeout=10,
        )
        assert r.status_code == 200, r.text
        return r.json()

    def sign_in(self, name_id="alice-0001", **response_args):
        """SP-initiated sign-in to the end: returns (tokens, AuthnRequest, relay state)."""
        location, state = self.authorize()
        req, relay, _ = self.idp.read_authn_request(location)
        saml_response = self.idp.response(
            self.sp_entity_id,
            self.acs,
            name_id,
            {
                OID_MAIL: ["alice@corp.example"],
                OID_GIVEN_NAME: ["Alice"],
                OID_AFFILIATION: ["member", "staff"],
            },
            in_response_to=req.message.id,
            **response_args,
        )
        back = self.post_response(saml_response, relay)
        assert back.startswith(CALLBACK + "?"), back
        q = query_of(back)
        assert q["state"] == state
        return self.exchange(q["code"]), req, relay

    def close(self):
        self.idp.close()


@pytest.fixture
def corp(server, idp):
    s = Setup(server, idp)
    yield s
    s.close()


def check_federated_tokens(setup, tokens, name_id="alice-0001"):
    idt = claims(tokens["id_token"])
    username = f"{PROVIDER}_{name_id}"
    assert idt["cognito:username"] == username
    assert idt["email"] == "alice@corp.example"
    assert idt["given_name"] == "Alice"
    # Cognito's multi-value encoding.
    assert idt["custom:affiliation"] == "[member, staff]"
    assert f"{setup.pool_id}_{PROVIDER}" in idt["cognito:groups"]
    [identity] = idt["identities"]
    assert identity["userId"] == name_id
    assert identity["providerName"] == PROVIDER
    assert identity["providerType"] == "SAML"
    assert identity["issuer"] == setup.idp.entity_id
    assert identity["primary"] == "true"
    assert re.fullmatch(r"\d{13}", identity["dateCreated"])
    user = setup.api.admin_get_user(UserPoolId=setup.pool_id, Username=username)
    assert user["UserStatus"] == "EXTERNAL_PROVIDER"
    return idt


def test_sp_initiated_signed_response(corp):
    tokens, _, _ = corp.sign_in()
    check_federated_tokens(corp, tokens)
    access = claims(tokens["access_token"])
    assert access["username"] == f"{PROVIDER}_alice-0001"
    # The describe output carries what Cognito derives from the metadata.
    d = corp.api.describe_identity_provider(UserPoolId=corp.pool_id, ProviderName=PROVIDER)
    details = d["IdentityProvider"]["ProviderDetails"]
    assert details["SSORedirectBindingURI"] == corp.idp.sso_url
    assert details["SLORedirectBindingURI"] == corp.idp.slo_url
    # A second sign-in updates the same user (no new one).
    tokens2, _, _ = corp.sign_in()
    assert claims(tokens2["id_token"])["sub"] == claims(tokens["id_token"])["sub"]


def test_signed_assertion_in_unsigned_response(corp):
    tokens, _, _ = corp.sign_in(sign_response=False, sign_assertion=True)
    check_federated_tokens(corp, tokens)


def test_encrypted_assertion(server, idp):
    s = Setup(server, idp, details={"EncryptedResponses": "true"})
    try:
        d = idp.describe_identity_provider(UserPoolId=s.pool_id, ProviderName=PROVIDER)
        cert = d["IdentityProvider"]["ProviderDetails"]["ActiveEncryptionCertificate"]
        # The SP metadata publishes the same certificate for encryption.
        assert cert in s.sp_metadata.replace("\n", "")
        pem = "-----BEGIN CERTIFICATE-----\n" + cert + "\n-----END CERTIFICATE-----\n"
        tokens, _, _ = s.sign_in(sign_response=True, encrypt=True, sp_encryption_cert=pem)
        check_federated_tokens(s, tokens)
        # With EncryptedResponses on, an assertion in the clear is refused.
        location, _ = s.authorize()
        req, relay, _ = s.idp.read_authn_request(location)
        clear = s.idp.response(
            s.sp_entity_id, s.acs, "alice-0001", {OID_MAIL: ["alice@corp.example"]},
            in_response_to=req.message.id,
        )
        back = s.post_response(clear, relay)
        q = query_of(back)
        assert back.startswith(CALLBACK) and q["error"] == "server_error", back
        assert q["error_description"].startswith("Invalid SAML response received: "), q
    finally:
        s.close()


def test_signed_authn_requests(server, idp):
    s = Setup(server, idp, details={"RequestSigningAlgorithm": "rsa-sha256"})
    try:
        location, _ = s.authorize()
        q = query_of(location)
        assert q["SigAlg"] == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
        # pysaml2 checks the redirect-binding signature against the SP metadata's certificate,
        # which is GetSigningCertificate's.
        req, _, _ = s.idp.read_authn_request(location)
        assert req.message.issuer.text == s.sp_entity_id
        assert req.message.assertion_consumer_service_url == s.acs
        cert = idp.get_signing_certificate(UserPoolId=s.pool_id)["Certificate"]
        assert cert in s.sp_metadata.replace("\n", "")
        # A signature that does not verify is refused by pysaml2.
        bad = location.replace("Signature=", "Signature=AAAA", 1)
        with pytest.raises(Exception):
            s.idp.read_authn_request(bad)
    finally:
        s.close()


def test_idp_initiated(server, idp):
    s = Setup(server, idp, details={"IDPInit": "true"})
    try:
        relay = urlencode(
            {
                "response_type": "code",
                "client_id": s.client["ClientId"],
                "redirect_uri": CALLBACK,
                "identity_provider": PROVIDER,
                "scope": "openid email",
            }
        )
        unsolicited = s.idp.response(
            s.sp_entity_id, s.acs, "bob-0002", {OID_MAIL: ["bob@corp.example"]}
        )
        back = s.post_response(unsolicited, relay)
        assert back.startswith(CALLBACK + "?code="), back
        tokens = s.exchange(query_of(back)["code"])
        assert claims(tokens["id_token"])["cognito:username"] == f"{PROVIDER}_bob-0002"
        # The same assertion again is a replay.
        again = s.post_response(unsolicited, relay)
        assert "/error" in again and "code=" not in again, again
    finally:
        s.close()


def test_unsolicited_refused_without_idp_init(corp):
    relay = urlencode(
        {
            "response_type": "code",
            "client_id": corp.client["ClientId"],
            "redirect_uri": CALLBACK,
            "identity_provider": PROVIDER,
        }
    )
    unsolicited = corp.idp.response(
        corp.sp_entity_id, corp.acs, "mallory", {OID_MAIL: ["m@corp.example"]}
    )
    back = corp.post_response(unsolicited, relay)
    assert "/error" in back and "code=" not in back, back


def test_replayed_and_tampered_responses(corp):
    location, _ = corp.authorize()
    req, relay, _ = corp.idp.read_authn_request(location)
    saml_response = corp.idp.response(
        corp.sp_entity_id, corp.acs, "alice-0001", {OID_MAIL: ["alice@corp.example"]},
        in_response_to=req.message.id,
    )
    # Tampered after signing: the NameID changed.
    xml = base64.b64decode(saml_response).decode()
    forged = base64.b64encode(xml.replace(">alice-0001<", ">admin-0001<").encode()).decode()
    assert forged != saml_response
    back = corp.post_response(forged, relay)
    q = query_of(back)
    assert back.startswith(CALLBACK) and q["error"] == "server_error", back
    assert "Invalid SAML response received" in q["error_description"]
    # The sign-in in flight was used up by the refused attempt: the genuine response now has
    # no request to answer, and (IDPInit off) goes nowhere.
    back = corp.post_response(saml_response, relay)
    assert "code=" not in back, back
    # A genuine response is accepted once.
    location, _ = corp.authorize()
    req, relay, _ = corp.idp.read_authn_request(location)
    saml_response = corp.idp.response(
        corp.sp_entity_id, corp.acs, "alice-0001", {OID_MAIL: ["alice@corp.example"]},
        in_response_to=req.message.id,
    )
    assert "code=" in corp.post_response(saml_response, relay)
    assert "code=" not in corp.post_response(saml_response, relay)


def test_sha1_signature_is_refused(corp):
    # pysaml2's own default is RSA-SHA1; Cognate accepts it only behind an insecure_ switch.
    location, _ = corp.authorize()
    req, relay, _ = corp.idp.read_authn_request(location)
    weak = corp.idp.response(
        corp.sp_entity_id, corp.acs, "alice-0001", {OID_MAIL: ["alice@corp.example"]},
        in_response_to=req.message.id, sign_alg=RSA_SHA1, digest_alg=SHA1,
    )
    q = query_of(corp.post_response(weak, relay))
    assert q["error"] == "server_error"
    assert q["error_description"] == (
        "Invalid SAML response received: SAML Assertion signature is invalid."
    )


def test_response_from_another_idp_is_refused(corp):
    location, _ = corp.authorize()
    req, relay, _ = corp.idp.read_authn_request(location)
    # Same entity ID, a different key: the signature does not verify.
    other = PySaml2Idp(entity_id=corp.idp.entity_id).trust(corp.sp_metadata)
    try:
        forged = other.response(
            corp.sp_entity_id, corp.acs, "alice-0001", {OID_MAIL: ["alice@corp.example"]},
            in_response_to=req.message.id,
        )
        q = query_of(corp.post_response(forged, relay))
        assert q["error"] == "server_error"
        assert "Invalid SAML response received" in q["error_description"]
    finally:
        other.close()


def test_single_logout_sp_initiated(corp):
    corp.sign_in()
    session_index = corp.idp.last_session_index
    assert session_index
    r = corp.browser.get(
        f"{corp.base}/logout",
        params={"client_id": corp.client["ClientId"], "logout_uri": SIGNED_OUT},
        allow_redirects=False,
    )
    assert r.status_code == 302
    # To the IdP with a LogoutRequest pysaml2 verifies (signature, NameID, SessionIndex).
    req, relay, _ = corp.idp.read_logout_request(r.headers["Location"])
    assert req.message.name_id.text == "alice-0001"
    assert [s.text for s in req.message.session_index] == [session_index]
    back = corp.browser.post(
        f"{corp.base}/saml2/logout",
        data={"SAMLResponse": corp.idp.logout_response(req), "RelayState": relay},
        allow_redirects=False,
    )
    assert back.status_code == 302 and back.headers["Location"] == SIGNED_OUT, back.headers
    # The session is gone: authorize goes back to the IdP rather than issuing a code.
    location, _ = corp.authorize()
    assert location.startswith(corp.idp.sso_url)


def test_single_logout_idp_initiated(corp):
    tokens, _, _ = corp.sign_in()
    logout = corp.idp.logout_request(
        f"{corp.base}/saml2/logout",
        corp.sp_entity_id,
        "alice-0001",
        corp.idp.last_session_index,
    )
    r = corp.browser.post(
        f"{corp.base}/saml2/logout",
        data={"SAMLRequest": logout, "RelayState": "idp-relay"},
        allow_redirects=False,
    )
    assert r.status_code == 302, r.text
    # The answer goes back to the IdP's SLO endpoint, signed.
    assert r.headers["Location"].startswith(corp.idp.slo_url)
    q = query_of(r.headers["Location"])
    assert q["RelayState"] == "idp-relay" and "Signature" in q
    # The user's refresh token no longer works.
    refreshed = requests.post(
        f"{corp.base}/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        auth=(corp.client["ClientId"], corp.client["ClientSecret"]),
        timeout=10,
    )
    assert refreshed.status_code == 400, refreshed.text


def test_idp_identifier_routing(server, idp):
    s = Setup(server, idp, identifiers=["corp.example"])
    try:
        location, _ = s.authorize(idp_identifier="corp.example")
        assert location.startswith(s.idp.sso_url)
        # A client with the pool's own users and the IdP: every SAML provider has an
        # identifier, so the sign-in page asks for an e-mail address and routes by its domain.
        idp.update_user_pool_client(
            UserPoolId=s.pool_id,
            ClientId=s.client["ClientId"],
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["openid", "email", "profile"],
            CallbackURLs=[CALLBACK],
            SupportedIdentityProviders=["COGNITO", PROVIDER],
        )
        login_page, _ = s.authorize()
        page = s.browser.get(login_page, timeout=10).text
        assert 'name="idp_identifier" type="email"' in page, page
        action = re.search(r'action="([^"]*/oauth2/authorize[^"]*)"', page).group(1)
        r = s.browser.post(
            action.replace("&amp;", "&"),
            data={"idp_identifier": "carol@corp.example"},
            allow_redirects=False,
        )
        assert r.status_code == 302 and r.headers["Location"].startswith(s.idp.sso_url), r.text
        routed = idp.get_identity_provider_by_identifier(
            UserPoolId=s.pool_id, IdpIdentifier="corp.example"
        )
        assert routed["IdentityProvider"]["ProviderName"] == PROVIDER
    finally:
        s.close()


def test_metadata_url_and_bad_metadata_are_refused(server, idp):
    pool_id = idp.create_user_pool(PoolName=f"saml-bad-{uuid.uuid4().hex[:6]}")["UserPool"]["Id"]
    for details in (
        {"MetadataFile": "<not-metadata/>"},
        {"MetadataFile": "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>"},
        {"MetadataURL": "https://idp.example.test/metadata"},
    ):
        with pytest.raises(idp.exceptions.InvalidParameterException):
            idp.create_identity_provider(
                UserPoolId=pool_id, ProviderName="Bad", ProviderType="SAML",
                ProviderDetails=details,
            )
