//! The service provider for one IdP: configuration, sign-in start, and SP metadata.

use std::time::Duration;

use cognate_types::{Clock, SecureRandom, UnixTime, UserPoolId};
use samael::crypto::CertificateDer;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::dsig::{AlgorithmPolicy, NS_SAML, NS_SAMLP};
use crate::encode::{redirect_url, Param};
use crate::keys::{EntityId, SpKey};
use crate::metadata::{sp_metadata, IdpMetadata, SpMetadataInput, BINDING_POST};
use crate::time::format_datetime;
use crate::xml::escape;
use crate::SamlError;

/// The size limit Cognito applies to a SAML response, in characters.
pub const MAX_RESPONSE_CHARS: usize = 100_000;
/// The largest clock skew that can be configured.
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(300);

/// The SP side of one IdP configuration: who we are and where the IdP sends users back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpEndpoints {
    /// The SP entity ID and audience: `urn:amazon:cognito:sp:{poolId}` for Cognito.
    pub entity_id: EntityId,
    /// The assertion consumer service: `https://{domain}/saml2/idpresponse`.
    pub acs_url: Url,
    /// The single logout endpoint: `https://{domain}/saml2/logout`.
    pub logout_url: Url,
}

impl SpEndpoints {
    /// Cognito's endpoints for `pool` under a user-pool domain base URL such as
    /// `https://example.auth.us-east-1.amazoncognito.com` (a path is kept:
    /// `http://localhost:9229/demo` gives `http://localhost:9229/demo/saml2/idpresponse`).
    pub fn cognito(pool: &UserPoolId, domain_base: &Url) -> Result<Self, SamlError> {
        let base = domain_base.as_str().trim_end_matches('/');
        let join = |p: &str| {
            Url::parse(&format!("{base}{p}")).map_err(|_| SamlError::Config("bad domain URL"))
        };
        Ok(Self {
            entity_id: EntityId::cognito_sp(pool),
            acs_url: join("/saml2/idpresponse")?,
            logout_url: join("/saml2/logout")?,
        })
    }
}

/// Per-IdP switches, named after Cognito's `ProviderDetails`, and the validation bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpOptions {
    /// `RequestSigningAlgorithm: rsa-sha256`: sign AuthnRequests (LogoutRequests are always
    /// signed). Needs an SP signing key.
    pub sign_requests: bool,
    /// `EncryptedResponses: true`: refuse assertions that are not encrypted. Needs at least
    /// one SP decryption key.
    pub encrypted_responses: bool,
    /// `IDPInit: true`: accept unsolicited responses (no `InResponseTo`).
    pub idp_initiated: bool,
    /// `IDPSignout: true`: single logout at the IdP when the user signs out.
    pub idp_signout: bool,
    /// How far the IdP's clock may be off (default 60 s, at most [`MAX_CLOCK_SKEW`]).
    pub max_clock_skew: Duration,
    /// How long a sign-in or logout request stays answerable (default 15 minutes).
    pub request_lifetime: Duration,
    /// The size limit on an encoded message, in characters (default 100,000).
    pub max_message_chars: usize,
    /// Accept `rsa-sha1` signatures and `sha1` digests. Weakens signature checks; only for
    /// an IdP that cannot do better.
    pub insecure_allow_sha1: bool,
}

impl Default for IdpOptions {
    fn default() -> Self {
        Self {
            sign_requests: false,
            encrypted_responses: false,
            idp_initiated: false,
            idp_signout: false,
            max_clock_skew: Duration::from_secs(60),
            request_lifetime: Duration::from_secs(15 * 60),
            max_message_chars: MAX_RESPONSE_CHARS,
            insecure_allow_sha1: false,
        }
    }
}

/// The SP's keys for one IdP (Cognito generates one signing and one encryption key pair per
/// provider).
#[derive(Debug, Clone, Default)]
pub struct SpKeys {
    /// Signs AuthnRequests (when asked) and LogoutRequests.
    pub signing: Option<SpKey>,
    /// Decrypt assertions; several during rollover. The first is published in metadata.
    pub decryption: Vec<SpKey>,
}

/// A SAML service provider for one IdP. Stateless: the state of a sign-in or logout in
/// flight is handed to the caller ([`PendingSignIn`], [`crate::PendingLogout`]) and handed
/// back when the IdP answers.
#[derive(Debug, Clone)]
pub struct ServiceProvider {
    pub(crate) sp: SpEndpoints,
    pub(crate) idp: IdpMetadata,
    pub(crate) options: IdpOptions,
    pub(crate) keys: SpKeys,
    pub(crate) certs: Vec<CertificateDer>,
}

/// The state of a sign-in in flight, kept by the caller (keyed by `relay_state`) until the
/// IdP posts its response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSignIn {
    /// The AuthnRequest's `ID`: the response's `InResponseTo` must equal it.
    pub request_id: String,
    /// The RelayState sent with the request: the IdP must return it unchanged.
    pub relay_state: String,
    /// When the request was made.
    pub issued_at: UnixTime,
}

/// A started sign-in: where to send the browser, and what to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInStart {
    /// `{IdP SSO URL}?SAMLRequest=...&RelayState=...[&SigAlg=...&Signature=...]`.
    pub redirect_url: Url,
    /// The state to keep until the response arrives.
    pub pending: PendingSignIn,
}

/// A new message ID: `_` and 40 hex digits (160 random bits), an NCName.
pub(crate) fn new_id(rng: &dyn SecureRandom) -> Result<String, SamlError> {
    let mut b = [0u8; 20];
    rng.fill(&mut b).map_err(|_| SamlError::Random)?;
    let mut s = String::with_capacity(41);
    s.push('_');
    for x in b {
        s.push_str(&format!("{x:02x}"));
    }
    Ok(s)
}

/// A new RelayState: 32 random bytes, base64url (43 characters, under the 80-byte bound of
/// SAML bindings §3.4.3).
pub(crate) fn new_relay_state(rng: &dyn SecureRandom) -> Result<String, SamlError> {
    use base64::Engine;
    let mut b = [0u8; 32];
    rng.fill(&mut b).map_err(|_| SamlError::Random)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b))
}

impl ServiceProvider {
    /// Checks the configuration as a whole: the IdP has a sign-in endpoint with the
    /// HTTP-Redirect binding and at least one signing certificate; request signing has a key;
    /// encrypted responses have a decryption key; the skew is within bounds.
    pub fn new(
        sp: SpEndpoints,
        idp: IdpMetadata,
        options: IdpOptions,
        keys: SpKeys,
    ) -> Result<Self, SamlError> {
        if idp.signing_certificates.is_empty() {
            return Err(SamlError::Config("the IdP has no signing certificate"));
        }
        if options.max_clock_skew > MAX_CLOCK_SKEW {
            return Err(SamlError::Config("clock skew above 5 minutes"));
        }
        if options.max_message_chars == 0 || options.max_message_chars > 10 * MAX_RESPONSE_CHARS {
            return Err(SamlError::Config("message size limit out of range"));
        }
        if options.sign_requests && keys.signing.is_none() {
            return Err(SamlError::Config("request signing needs an SP signing key"));
        }
        if options.encrypted_responses && keys.decryption.is_empty() {
            return Err(SamlError::Config(
                "encrypted responses need an SP decryption key",
            ));
        }
        let certs = idp
            .signing_certificates
            .iter()
            .map(|c| CertificateDer::from(c.der().to_vec()))
            .collect();
        Ok(Self {
            sp,
            idp,
            options,
            keys,
            certs,
        })
    }

    /// The SP endpoints.
    pub fn endpoints(&self) -> &SpEndpoints {
        &self.sp
    }

    /// The IdP's metadata.
    pub fn idp(&self) -> &IdpMetadata {
        &self.idp
    }

    /// The options.
    pub fn options(&self) -> &IdpOptions {
        &self.options
    }

    pub(crate) fn policy(&self) -> AlgorithmPolicy {
        AlgorithmPolicy {
            allow_sha1: self.options.insecure_allow_sha1,
        }
    }

    pub(crate) fn skew(&self) -> Duration {
        self.options.max_clock_skew
    }

    /// The SP metadata document to give the IdP's administrator: entity ID, ACS (HTTP-POST),
    /// single logout (HTTP-POST), the signing certificate and the encryption certificate.
    pub fn metadata_xml(&self) -> String {
        let enc: Vec<_> = self
            .keys
            .decryption
            .first()
            .map(|k| k.certificate())
            .into_iter()
            .collect();
        sp_metadata(&SpMetadataInput {
            entity_id: &self.sp.entity_id,
            acs_url: &self.sp.acs_url,
            logout_url: &self.sp.logout_url,
            signing: self.keys.signing.as_ref().map(|k| k.certificate()),
            encryption: &enc,
            authn_requests_signed: self.options.sign_requests,
        })
    }

    /// The AuthnRequest XML (before deflate and base64).
    pub(crate) fn authn_request_xml(&self, id: &str, now: UnixTime, destination: &Url) -> String {
        format!(
            "<samlp:AuthnRequest xmlns:samlp=\"{NS_SAMLP}\" xmlns:saml=\"{NS_SAML}\" ID=\"{id}\" Version=\"2.0\" IssueInstant=\"{}\" Destination=\"{}\" ProtocolBinding=\"{BINDING_POST}\" AssertionConsumerServiceURL=\"{}\"><saml:Issuer>{}</saml:Issuer><samlp:NameIDPolicy Format=\"{}\" AllowCreate=\"true\"/></samlp:AuthnRequest>",
            format_datetime(now),
            escape(destination.as_str()),
            escape(self.sp.acs_url.as_str()),
            escape(self.sp.entity_id.as_str()),
            crate::identity::NAMEID_UNSPECIFIED,
        )
    }

    /// Starts an SP-initiated sign-in: an AuthnRequest to the IdP's HTTP-Redirect
    /// single-sign-on endpoint (deflated, base64, with `SigAlg` and `Signature` by RSA-SHA256
    /// when request signing is on), with a fresh random request ID and RelayState. Keep
    /// [`SignInStart::pending`] under its `relay_state` and give it to
    /// [`ServiceProvider::finish_sign_in`] when the IdP posts back.
    pub fn start_sign_in(
        &self,
        rng: &dyn SecureRandom,
        clock: &dyn Clock,
    ) -> Result<SignInStart, SamlError> {
        let sso = self
            .idp
            .sso_redirect
            .as_ref()
            .ok_or(SamlError::NoEndpoint("single sign-on"))?;
        let now = clock.now();
        let request_id = new_id(rng)?;
        let relay_state = new_relay_state(rng)?;
        let xml = self.authn_request_xml(&request_id, now, sso);
        let key = if self.options.sign_requests {
            Some(
                self.keys
                    .signing
                    .as_ref()
                    .ok_or(SamlError::Config("request signing needs an SP signing key"))?,
            )
        } else {
            None
        };
        let redirect_url = redirect_url(sso, Param::Request, &xml, Some(&relay_state), key)?;
        Ok(SignInStart {
            redirect_url,
            pending: PendingSignIn {
                request_id,
                relay_state,
                issued_at: now,
            },
        })
    }
}
