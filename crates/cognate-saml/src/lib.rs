//! A SAML 2.0 service provider for Cognito-style user pools.
//!
//! One [`ServiceProvider`] per configured IdP. It starts sign-ins
//! ([`ServiceProvider::start_sign_in`]: an AuthnRequest over HTTP-Redirect, returning the
//! redirect URL and a [`PendingSignIn`] to keep), validates the IdP's `SAMLResponse` at the
//! ACS ([`ServiceProvider::finish_sign_in`]: every check its own [`SamlError`], identity read
//! only from the signed element), runs single logout ([`ServiceProvider::start_logout`],
//! [`ServiceProvider::finish_logout`], [`ServiceProvider::accept_logout_request`]), reads
//! IdP metadata ([`IdpMetadata::parse`]) and writes SP metadata
//! ([`ServiceProvider::metadata_xml`]). Time and randomness are inputs
//! ([`cognate_types::Clock`], [`cognate_types::SecureRandom`]); used assertion IDs go to a
//! [`ReplayCache`] the caller provides.
//!
//! XML signatures are verified by xmlsec through samael; neither appears in this API. See
//! `docs/saml.md` for the checks, their order, and what is refused.
//!
//! ```no_run
//! use cognate_saml::{IdpMetadata, IdpOptions, MemoryReplayCache, ServiceProvider, SpEndpoints, SpKeys};
//! use cognate_types::{SystemClock, SystemRandom, UserPoolId};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let pool: UserPoolId = "us-east-1_Example1".parse()?;
//! let domain = url::Url::parse("https://example.auth.us-east-1.amazoncognito.com")?;
//! let idp = IdpMetadata::parse(&std::fs::read_to_string("idp-metadata.xml")?)?;
//! let sp = ServiceProvider::new(
//!     SpEndpoints::cognito(&pool, &domain)?,
//!     idp,
//!     IdpOptions::default(),
//!     SpKeys::default(),
//! )?;
//! let start = sp.start_sign_in(&SystemRandom, &SystemClock)?;
//! // Keep start.pending under start.pending.relay_state; redirect to start.redirect_url.
//! // When the IdP posts SAMLResponse and RelayState to /saml2/idpresponse:
//! # let (saml_response, relay_state) = (String::new(), String::new());
//! let replay = MemoryReplayCache::default();
//! let identity = sp.finish_sign_in(
//!     &saml_response,
//!     Some(&relay_state),
//!     Some(&start.pending),
//!     &replay,
//!     &SystemClock,
//! )?;
//! println!("{} signed in", identity.name_id.value);
//! # Ok(())
//! # }
//! ```

mod dsig;
mod encode;
mod encryption;
mod error;
mod identity;
mod keys;
mod logout;
mod metadata;
mod replay;
mod response;
mod sp;
mod time;
mod xml;

pub use error::SamlError;
pub use identity::{
    Attribute, NameId, SamlIdentity, SamlSession, NAMEID_EMAIL, NAMEID_PERSISTENT,
    NAMEID_UNSPECIFIED,
};
pub use keys::{Certificate, EntityId, SpKey, MAX_CERTIFICATE_CHARS};
pub use logout::{IdpLogoutRequest, LogoutStart, PendingLogout};
pub use metadata::{IdpMetadata, BINDING_POST, BINDING_REDIRECT, MAX_METADATA_BYTES};
pub use replay::{MemoryReplayCache, ReplayCache};
pub use sp::{
    IdpOptions, PendingSignIn, ServiceProvider, SignInStart, SpEndpoints, SpKeys, MAX_CLOCK_SKEW,
    MAX_RESPONSE_CHARS,
};

/// Decoding helpers exposed for the fuzz targets and benchmarks. Not a stable API.
#[doc(hidden)]
pub mod __private {
    /// Decodes a POST-binding message (size limit, base64, UTF-8) and parses it with the
    /// strict reader; `Ok` if it is well-formed and acceptable XML.
    pub fn decode_and_parse(encoded: &str, deflated: bool) -> Result<(), crate::SamlError> {
        let text = if deflated {
            let raw = crate::encode::b64_decode(encoded, crate::MAX_RESPONSE_CHARS)?;
            let inflated = crate::encode::inflate_bounded(&raw, crate::MAX_RESPONSE_CHARS)?;
            String::from_utf8(inflated).map_err(|_| crate::SamlError::NotUtf8)?
        } else {
            crate::response::decode_post(encoded, crate::MAX_RESPONSE_CHARS)?
        };
        crate::xml::parse(&text, crate::xml::Limits::MESSAGE, &[])?;
        Ok(())
    }
}
