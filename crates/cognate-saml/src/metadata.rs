//! IdP metadata in, SP metadata out.

use url::Url;

use crate::dsig::NS_DS;
use crate::keys::{Certificate, EntityId};
use crate::xml::{self, escape, Element, Limits};
use crate::SamlError;

const NS_MD: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
const PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
/// The HTTP-Redirect binding URI.
pub const BINDING_REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
/// The HTTP-POST binding URI.
pub const BINDING_POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";

/// The largest metadata document accepted, in bytes.
pub const MAX_METADATA_BYTES: usize = 1_000_000;

/// What Cognito reads from an IdP's metadata: its entity ID, its sign-in and logout endpoints
/// and its signing certificates (several, for rollover: a signature by any of them verifies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpMetadata {
    /// The IdP's `entityID`: the `Issuer` its messages must carry.
    pub entity_id: EntityId,
    /// `SingleSignOnService` with the HTTP-Redirect binding (where AuthnRequests go).
    pub sso_redirect: Option<Url>,
    /// `SingleLogoutService` with the HTTP-Redirect binding (where LogoutRequests go).
    pub slo_redirect: Option<Url>,
    /// The signing certificates (`KeyDescriptor` with `use="signing"` or no `use`).
    pub signing_certificates: Vec<Certificate>,
    /// `WantAuthnRequestsSigned`.
    pub want_authn_requests_signed: bool,
}

impl IdpMetadata {
    /// Reads an `EntityDescriptor` (or an `EntitiesDescriptor` holding exactly one IdP) with
    /// an `IDPSSODescriptor` for SAML 2.0. The document goes through the same strict reader
    /// as messages (no DTD, bounded size). Its own signature, if any, is not checked: the
    /// metadata is configuration, trusted as given (as Cognito does with `MetadataFile`).
    pub fn parse(document: &str) -> Result<Self, SamlError> {
        if document.len() > MAX_METADATA_BYTES {
            return Err(SamlError::Metadata("document too large"));
        }
        let root = xml::parse(document, Limits::METADATA, &[])?;
        let entity = if root.is(NS_MD, "EntityDescriptor") {
            &root
        } else if root.is(NS_MD, "EntitiesDescriptor") {
            let mut found: Option<&Element> = None;
            let mut stack: Vec<&Element> = vec![&root];
            while let Some(e) = stack.pop() {
                for c in e.elements() {
                    if c.is(NS_MD, "EntitiesDescriptor") {
                        stack.push(c);
                    } else if c.is(NS_MD, "EntityDescriptor")
                        && c.children_named(NS_MD, "IDPSSODescriptor").next().is_some()
                    {
                        if found.is_some() {
                            return Err(SamlError::Metadata("more than one IdP in the document"));
                        }
                        found = Some(c);
                    }
                }
            }
            found.ok_or(SamlError::Metadata("no IdP in the document"))?
        } else {
            return Err(SamlError::Metadata("not SAML 2.0 metadata"));
        };
        let entity_id = EntityId::new(
            entity
                .attr("entityID")
                .ok_or(SamlError::Metadata("no entityID"))?,
        )
        .map_err(|_| SamlError::Metadata("bad entityID"))?;
        let idp = entity
            .children_named(NS_MD, "IDPSSODescriptor")
            .find(|d| {
                d.attr("protocolSupportEnumeration")
                    .is_some_and(|p| p.split_ascii_whitespace().any(|x| x == PROTOCOL))
            })
            .ok_or(SamlError::Metadata("no IDPSSODescriptor for SAML 2.0"))?;
        let mut signing_certificates = Vec::new();
        for kd in idp.children_named(NS_MD, "KeyDescriptor") {
            match kd.attr("use") {
                None | Some("signing") => {}
                Some(_) => continue,
            }
            for ki in kd.children_named(NS_DS, "KeyInfo") {
                for xd in ki.children_named(NS_DS, "X509Data") {
                    for xc in xd.children_named(NS_DS, "X509Certificate") {
                        let text = xc
                            .text_only()
                            .ok_or(SamlError::Metadata("X509Certificate is not text"))?;
                        let cert = Certificate::from_base64(&text)?;
                        if !signing_certificates.contains(&cert) {
                            signing_certificates.push(cert);
                        }
                    }
                }
            }
        }
        if signing_certificates.is_empty() {
            return Err(SamlError::Metadata("no signing certificate"));
        }
        let endpoint = |local: &str| -> Result<Option<Url>, SamlError> {
            for s in idp.children_named(NS_MD, local) {
                if s.attr("Binding") == Some(BINDING_REDIRECT) {
                    let loc = s
                        .attr("Location")
                        .ok_or(SamlError::Metadata("endpoint without Location"))?;
                    let url =
                        Url::parse(loc).map_err(|_| SamlError::Metadata("bad endpoint URL"))?;
                    if !matches!(url.scheme(), "https" | "http") {
                        return Err(SamlError::Metadata("endpoint URL is not HTTP(S)"));
                    }
                    return Ok(Some(url));
                }
            }
            Ok(None)
        };
        Ok(Self {
            entity_id,
            sso_redirect: endpoint("SingleSignOnService")?,
            slo_redirect: endpoint("SingleLogoutService")?,
            signing_certificates,
            want_authn_requests_signed: matches!(
                idp.attr("WantAuthnRequestsSigned"),
                Some("true" | "1")
            ),
        })
    }
}

impl IdpMetadata {
    /// Refuses metadata whose signing certificates have expired at `now`, as Cognito does
    /// when an IdP is configured. Call it when the configuration is saved; the signature
    /// check itself does not look at validity dates (trust comes from configuration).
    pub fn check_certificates_current(
        &self,
        now: cognate_types::UnixTime,
    ) -> Result<(), SamlError> {
        if self
            .signing_certificates
            .iter()
            .any(|c| c.not_after() <= now)
        {
            return Err(SamlError::Certificate("expired"));
        }
        Ok(())
    }
}

/// What goes into the SP metadata document.
pub(crate) struct SpMetadataInput<'a> {
    pub entity_id: &'a EntityId,
    pub acs_url: &'a Url,
    pub logout_url: &'a Url,
    pub signing: Option<&'a Certificate>,
    pub encryption: &'a [&'a Certificate],
    pub authn_requests_signed: bool,
}

fn key_descriptor(out: &mut String, usage: &str, cert: &Certificate, encryption: bool) {
    out.push_str(&format!(
        "<md:KeyDescriptor use=\"{usage}\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>",
        cert.to_base64()
    ));
    if encryption {
        for alg in [
            "http://www.w3.org/2009/xmlenc11#aes256-gcm",
            "http://www.w3.org/2009/xmlenc11#aes128-gcm",
            "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
            "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
            "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
        ] {
            out.push_str(&format!("<md:EncryptionMethod Algorithm=\"{alg}\"/>"));
        }
    }
    out.push_str("</md:KeyDescriptor>");
}

/// The SP metadata document for the IdP's administrator.
pub(crate) fn sp_metadata(i: &SpMetadataInput<'_>) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<md:EntityDescriptor xmlns:md=\"{NS_MD}\" xmlns:ds=\"{NS_DS}\" entityID=\"{}\">",
        escape(i.entity_id.as_str())
    ));
    out.push_str(&format!(
        "<md:SPSSODescriptor AuthnRequestsSigned=\"{}\" WantAssertionsSigned=\"false\" protocolSupportEnumeration=\"{PROTOCOL}\">",
        i.authn_requests_signed
    ));
    if let Some(c) = i.signing {
        key_descriptor(&mut out, "signing", c, false);
    }
    for c in i.encryption {
        key_descriptor(&mut out, "encryption", c, true);
    }
    out.push_str(&format!(
        "<md:SingleLogoutService Binding=\"{BINDING_POST}\" Location=\"{}\"/>",
        escape(i.logout_url.as_str())
    ));
    out.push_str(
        "<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>",
    );
    out.push_str(&format!(
        "<md:AssertionConsumerService Binding=\"{BINDING_POST}\" Location=\"{}\" index=\"1\" isDefault=\"true\"/>",
        escape(i.acs_url.as_str())
    ));
    out.push_str("</md:SPSSODescriptor></md:EntityDescriptor>\n");
    out
}
