"""A SAML 2.0 identity provider made of pysaml2 (PyPI) with Debian's xmlsec1, run in the test
process: it reads the AuthnRequests and LogoutRequests `cognate serve` sends (checking their
redirect-binding signatures), and writes signed responses, signed assertions, encrypted
assertions, unsolicited (IdP-initiated) responses, LogoutResponses and LogoutRequests.

Nothing here is Cognate code: the IdP side is pysaml2's `saml2.server.Server`; this module only
gives it a key, a certificate and a configuration.
"""

import base64
import datetime
import functools
import os
import re
import shutil
import tempfile
from urllib.parse import parse_qs, urlparse

import saml2.entity
import saml2.sigver
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server

XMLSEC1 = shutil.which("xmlsec1") or "/usr/bin/xmlsec1"

RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"

# pysaml2 encrypts assertions with tripledes-cbc (a des-192 session key) unless told otherwise,
# and its create_authn_response has no parameter for it; the IdP here is set to AES-256-CBC
# (with RSA-OAEP key transport, pysaml2's default), what a current IdP sends.
saml2.entity.pre_encryption_part = functools.partial(
    saml2.sigver.pre_encryption_part, msg_enc="http://www.w3.org/2001/04/xmlenc#aes256-cbc"
)
_encrypt_assertion = saml2.sigver.SecurityContext.encrypt_assertion


def _encrypt_assertion_aes(self, statement, enc_key, template, key_type=None, node_xpath=None):
    return _encrypt_assertion(
        self, statement, enc_key, template, key_type="aes-256", node_xpath=node_xpath
    )


saml2.sigver.SecurityContext.encrypt_assertion = _encrypt_assertion_aes

# The OIDs pysaml2's default attribute maps use with the URI name format.
OID_MAIL = "urn:oid:0.9.2342.19200300.100.1.3"
OID_GIVEN_NAME = "urn:oid:2.5.4.42"
OID_AFFILIATION = "urn:oid:1.3.6.1.4.1.5923.1.1.1.1"


def _key_and_cert(directory, name):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_file = os.path.join(directory, f"{name}.key")
    cert_file = os.path.join(directory, f"{name}.crt")
    with open(key_file, "wb") as f:
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    with open(cert_file, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


class PySaml2Idp:
    """One pysaml2 IdP. `metadata()` is its metadata for CreateIdentityProvider; `trust(sp)`
    loads the SP metadata `cognate serve` publishes; then it answers requests."""

    def __init__(self, entity_id="https://idp.example.test/saml/metadata"):
        self.dir = tempfile.mkdtemp(prefix="cognate-pysaml2-")
        self.entity_id = entity_id
        self.sso_url = "https://idp.example.test/saml/sso"
        self.slo_url = "https://idp.example.test/saml/slo"
        self.key_file, self.cert_file = _key_and_cert(self.dir, "idp")
        self.server = None
        # Whether AuthnRequests must be signed (then pysaml2 checks the signature).
        self.want_signed_requests = False
        # The SessionIndex pysaml2 gave the last assertion it made.
        self.last_session_index = None

    def _config(self, sp_metadata=None):
        conf = {
            "entityid": self.entity_id,
            "xmlsec_binary": XMLSEC1,
            "key_file": self.key_file,
            "cert_file": self.cert_file,
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [(self.sso_url, BINDING_HTTP_REDIRECT)],
                        "single_logout_service": [
                            (self.slo_url, BINDING_HTTP_REDIRECT),
                        ],
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 5},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_URI,
                        }
                    },
                    "want_authn_requests_signed": self.want_signed_requests,
                }
            },
            "metadata": {"inline": [sp_metadata]} if sp_metadata else {},
        }
        c = IdPConfig()
        c.load(conf)
        return c

    def metadata(self):
        """The IdP's metadata document (unsigned), as an administrator would download it."""
        return str(entity_descriptor(self._config()))

    def trust(self, sp_metadata):
        """Loads the SP's metadata (its entity ID, ACS, SLO and certificates)."""
        self.server = Server(config=self._config(sp_metadata))
        return self

    # ---- sign-in ---------------------------------------------------------------------------

    def read_authn_request(self, location):
        """Reads the AuthnRequest of a redirect to the SSO URL, checking its signature when it
        carries one. Returns (request, relay_state)."""
        u = urlparse(location)
        assert f"{u.scheme}://{u.netloc}{u.path}" == self.sso_url, location
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        req = self.server.parse_authn_request(
            q["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=q.get("RelayState"),
            sigalg=q.get("SigAlg"),
            signature=q.get("Signature"),
        )
        return req, q.get("RelayState"), q

    def response(
        self,
        sp_entity_id,
        acs,
        name_id,
        attributes,
        in_response_to=None,
        sign_response=True,
        sign_assertion=False,
        encrypt=False,
        sp_encryption_cert=None,
        sign_alg=RSA_SHA256,
        digest_alg=SHA256,
    ):
        """A SAML Response for `name_id` with `attributes` ({OID: [values]}), base64 for the
        HTTP-POST binding."""
        identity = {}
        # pysaml2 takes friendly names and maps them to the URI names itself.
        names = {OID_MAIL: "mail", OID_GIVEN_NAME: "givenName", OID_AFFILIATION: "eduPersonAffiliation"}
        for oid, values in attributes.items():
            identity[names[oid]] = values
        authn = {
            "class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
            "authn_instant": None,
        }
        resp = self.server.create_authn_response(
            identity=identity,
            in_response_to=in_response_to,
            destination=acs,
            sp_entity_id=sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=name_id),
            authn=authn,
            sign_response=sign_response,
            sign_assertion=sign_assertion,
            encrypt_assertion=encrypt,
            encrypt_cert_assertion=sp_encryption_cert,
            sign_alg=sign_alg,
            digest_alg=digest_alg,
        )
        xml = str(resp)
        found = re.search(r'SessionIndex="([^"]+)"', xml)
        self.last_session_index = found.group(1) if found else None
        return base64.b64encode(xml.encode()).decode()

    # ---- logout ----------------------------------------------------------------------------

    def read_logout_request(self, location):
        """Reads the LogoutRequest of a redirect to the SLO URL, checking its signature."""
        u = urlparse(location)
        assert f"{u.scheme}://{u.netloc}{u.path}" == self.slo_url, location
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        req = self.server.parse_logout_request(
            q["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=q.get("RelayState"),
            sigalg=q.get("SigAlg"),
            signature=q.get("Signature"),
        )
        return req, q.get("RelayState"), q

    def logout_response(self, request):
        """A signed LogoutResponse (Success) to `request`, base64 for the HTTP-POST binding."""
        resp = self.server.create_logout_response(
            request.message, [BINDING_HTTP_POST], sign=True, sign_alg=RSA_SHA256, digest_alg=SHA256
        )
        return base64.b64encode(str(resp).encode()).decode()

    def logout_request(self, sp_slo, sp_entity_id, name_id, session_index):
        """A signed LogoutRequest of the IdP's own, base64 for the HTTP-POST binding."""
        _, req = self.server.create_logout_request(
            destination=sp_slo,
            issuer_entity_id=sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=name_id),
            session_indexes=[session_index],
            sign=True,
            sign_alg=RSA_SHA256,
            digest_alg=SHA256,
        )
        return base64.b64encode(str(req).encode()).decode()

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)
