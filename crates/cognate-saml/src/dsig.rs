//! XML signatures: the shape every accepted signature must have, the algorithm allow-list,
//! the document-wide structure checks that stop signature wrapping, and verification through
//! xmlsec (samael) returning the signed bytes only.

use std::collections::HashSet;

use samael::crypto::{
    AllowedSignatureAlgorithm, CertificateDer, CryptoProvider, ReduceMode, XmlSec,
};

use crate::xml::{self, Element, Node};
use crate::SamlError;

pub(crate) const NS_DS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub(crate) const NS_SAMLP: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
pub(crate) const NS_SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
pub(crate) const NS_XENC: &str = "http://www.w3.org/2001/04/xmlenc#";
pub(crate) const NS_XENC11: &str = "http://www.w3.org/2009/xmlenc11#";
const NS_EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

/// Signature methods accepted by default: RSA and ECDSA with SHA-256 or stronger.
const SIGNATURE_METHODS: &[&str] = &[
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
];
/// Digest methods accepted by default.
const DIGEST_METHODS: &[&str] = &[
    "http://www.w3.org/2001/04/xmlenc#sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512",
];
const RSA_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
const SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";

/// The same list for samael's own allow-list check (defence in depth).
const SAMAEL_ALLOWED: &[AllowedSignatureAlgorithm] = &[
    AllowedSignatureAlgorithm::RsaSha256,
    AllowedSignatureAlgorithm::RsaSha384,
    AllowedSignatureAlgorithm::RsaSha512,
    AllowedSignatureAlgorithm::EcdsaSha256,
    AllowedSignatureAlgorithm::EcdsaSha384,
    AllowedSignatureAlgorithm::EcdsaSha512,
];

/// Which algorithms verify.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AlgorithmPolicy {
    /// Also accept `rsa-sha1` and `sha1` (only through `insecure_allow_sha1`).
    pub allow_sha1: bool,
}

impl AlgorithmPolicy {
    fn signature_ok(self, uri: &str) -> bool {
        SIGNATURE_METHODS.contains(&uri) || (self.allow_sha1 && uri == RSA_SHA1)
    }
    fn digest_ok(self, uri: &str) -> bool {
        DIGEST_METHODS.contains(&uri) || (self.allow_sha1 && uri == SHA1)
    }
}

fn algorithm(e: &Element) -> Result<&str, SamlError> {
    e.attr("Algorithm")
        .ok_or(SamlError::SignatureStructure("Algorithm attribute missing"))
}

fn only_ds<'a>(parent: &'a Element, local: &'static str) -> Result<&'a Element, SamlError> {
    match parent.only_child(NS_DS, local) {
        Ok(Some(e)) => Ok(e),
        Ok(None) => Err(SamlError::SignatureStructure(match local {
            "SignedInfo" => "no SignedInfo",
            "SignatureValue" => "no SignatureValue",
            "CanonicalizationMethod" => "no CanonicalizationMethod",
            "SignatureMethod" => "no SignatureMethod",
            "Reference" => "no Reference",
            "DigestMethod" => "no DigestMethod",
            _ => "no DigestValue",
        })),
        Err(()) => Err(SamlError::SignatureStructure(match local {
            "SignedInfo" => "more than one SignedInfo",
            "Reference" => "more than one Reference",
            _ => "repeated element",
        })),
    }
}

fn is_base64_text(s: &str) -> bool {
    !s.trim().is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'+' | b'/' | b'=' | b' ' | b'\t' | b'\r' | b'\n')
        })
}

/// Checks a `ds:Signature` that is a direct child of `parent` (a Response, Assertion or
/// logout message): exactly `SignedInfo`, `SignatureValue` and an optional `KeyInfo` (never
/// used to pick a key); no `Object`; no comment or processing instruction anywhere inside;
/// exclusive c14n; an allowed signature method; exactly one `Reference` whose URI is `#` and
/// the parent's `ID`; only the enveloped-signature and exclusive c14n transforms; an allowed
/// digest method; base64 digest and signature values with nothing else inside.
pub(crate) fn check_signature_shape(
    sig: &Element,
    parent: &Element,
    policy: AlgorithmPolicy,
) -> Result<(), SamlError> {
    if sig.has_comment_or_pi() {
        return Err(SamlError::SignatureStructure(
            "comment or processing instruction inside",
        ));
    }
    if !sig.no_text() {
        return Err(SamlError::SignatureStructure("text inside Signature"));
    }
    for child in sig.elements() {
        let ok = child.ns.as_deref() == Some(NS_DS)
            && matches!(
                child.local.as_str(),
                "SignedInfo" | "SignatureValue" | "KeyInfo"
            );
        if !ok {
            return Err(SamlError::SignatureStructure(
                "unexpected element in Signature",
            ));
        }
    }
    if sig.only_child(NS_DS, "KeyInfo").is_err() {
        return Err(SamlError::SignatureStructure("more than one KeyInfo"));
    }
    let signed_info = only_ds(sig, "SignedInfo")?;
    let value = only_ds(sig, "SignatureValue")?;
    match value.text_only() {
        Some(t) if is_base64_text(&t) => {}
        _ => {
            return Err(SamlError::SignatureStructure(
                "SignatureValue is not base64 text",
            ))
        }
    }
    if !signed_info.no_text() {
        return Err(SamlError::SignatureStructure("text inside SignedInfo"));
    }
    for child in signed_info.elements() {
        let ok = child.ns.as_deref() == Some(NS_DS)
            && matches!(
                child.local.as_str(),
                "CanonicalizationMethod" | "SignatureMethod" | "Reference"
            );
        if !ok {
            return Err(SamlError::SignatureStructure(
                "unexpected element in SignedInfo",
            ));
        }
    }
    let c14n = only_ds(signed_info, "CanonicalizationMethod")?;
    let c14n_alg = algorithm(c14n)?;
    if c14n_alg != EXC_C14N {
        return Err(SamlError::AlgorithmNotAllowed(c14n_alg.to_owned()));
    }
    check_c14n_children(c14n)?;
    let method = only_ds(signed_info, "SignatureMethod")?;
    let method_alg = algorithm(method)?;
    if !policy.signature_ok(method_alg) {
        return Err(SamlError::AlgorithmNotAllowed(method_alg.to_owned()));
    }
    if method.elements().next().is_some() {
        // HMACOutputLength and the like: never for an asymmetric method.
        return Err(SamlError::SignatureStructure(
            "unexpected element in SignatureMethod",
        ));
    }
    let reference = only_ds(signed_info, "Reference")?;
    let id = parent.attr("ID").ok_or(SamlError::BadAttribute("ID"))?;
    match reference.attr("URI") {
        Some(uri) if uri.strip_prefix('#') == Some(id) => {}
        _ => return Err(SamlError::ReferenceMismatch),
    }
    if !reference.no_text() {
        return Err(SamlError::SignatureStructure("text inside Reference"));
    }
    for child in reference.elements() {
        let ok = child.ns.as_deref() == Some(NS_DS)
            && matches!(
                child.local.as_str(),
                "Transforms" | "DigestMethod" | "DigestValue"
            );
        if !ok {
            return Err(SamlError::SignatureStructure(
                "unexpected element in Reference",
            ));
        }
    }
    let transforms = reference
        .only_child(NS_DS, "Transforms")
        .map_err(|()| SamlError::SignatureStructure("more than one Transforms"))?
        .ok_or(SamlError::TransformNotAllowed(
            "missing enveloped-signature".into(),
        ))?;
    let list: Vec<&Element> = transforms.elements().collect();
    if !transforms.no_text() || list.iter().any(|t| !t.is(NS_DS, "Transform")) {
        return Err(SamlError::SignatureStructure(
            "unexpected element in Transforms",
        ));
    }
    let algs: Vec<&str> = list
        .iter()
        .map(|t| algorithm(t))
        .collect::<Result<_, _>>()?;
    for (t, alg) in list.iter().zip(&algs) {
        match *alg {
            ENVELOPED => {
                if t.elements().next().is_some() || !t.no_text() {
                    return Err(SamlError::SignatureStructure("content inside a Transform"));
                }
            }
            EXC_C14N => check_c14n_children(t)?,
            other => return Err(SamlError::TransformNotAllowed(other.to_owned())),
        }
    }
    let shape_ok = matches!(algs.as_slice(), [ENVELOPED] | [ENVELOPED, EXC_C14N]);
    if !shape_ok {
        return Err(SamlError::TransformNotAllowed(
            "transforms must be enveloped-signature then exclusive c14n".into(),
        ));
    }
    let digest = only_ds(reference, "DigestMethod")?;
    let digest_alg = algorithm(digest)?;
    if !policy.digest_ok(digest_alg) {
        return Err(SamlError::AlgorithmNotAllowed(digest_alg.to_owned()));
    }
    let digest_value = only_ds(reference, "DigestValue")?;
    match digest_value.text_only() {
        Some(t) if is_base64_text(&t) => Ok(()),
        _ => Err(SamlError::SignatureStructure(
            "DigestValue is not base64 text",
        )),
    }
}

/// Exclusive c14n may carry one `ec:InclusiveNamespaces`, nothing else.
fn check_c14n_children(e: &Element) -> Result<(), SamlError> {
    if !e.no_text() {
        return Err(SamlError::SignatureStructure("text inside a c14n method"));
    }
    let mut n = 0;
    for c in e.elements() {
        n += 1;
        if !c.is(NS_EXC_C14N, "InclusiveNamespaces") || n > 1 || c.elements().next().is_some() {
            return Err(SamlError::SignatureStructure(
                "unexpected element in a c14n method",
            ));
        }
    }
    Ok(())
}

/// What the document-wide scan found.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub assertions: usize,
    pub encrypted_assertions: usize,
}

/// The document-wide checks that make wrapping attacks fail before any signature is looked
/// at: every `ID`-like attribute (local name `ID`, any namespace) is an NCName and unique;
/// the protocol message (`root_local` in the protocol namespace) appears once, as the root;
/// assertions (plain or encrypted) appear only as direct children of the root (or as the
/// root when `root_is_assertion`), and an element called `Assertion`, `Response` or
/// `EncryptedAssertion` in any other namespace is refused; every `ds:Signature` is a direct
/// child of the root or of a direct-child assertion.
pub(crate) fn scan(root: &Element, root_ns: &str, root_local: &str) -> Result<Scan, SamlError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Place {
        Root,
        ChildOfRoot,
        InAssertion,
        Other,
    }
    if !root.is(root_ns, root_local) {
        return Err(SamlError::WrongMessage(static_name(root_local)));
    }
    let mut ids: HashSet<&str> = HashSet::new();
    let mut result = Scan::default();
    let mut stack: Vec<(&Element, Place)> = vec![(root, Place::Root)];
    while let Some((e, place)) = stack.pop() {
        for a in &e.attrs {
            if a.local == "ID" {
                if !xml::is_ncname(&a.value) {
                    return Err(SamlError::BadAttribute("ID"));
                }
                if !ids.insert(a.value.as_str()) {
                    return Err(SamlError::DuplicateId);
                }
            }
        }
        let local = e.local.as_str();
        let ns = e.ns.as_deref();
        match local {
            "Response" | "LogoutResponse" | "LogoutRequest" | "AuthnRequest"
                if place != Place::Root =>
            {
                return Err(SamlError::UnexpectedElement("nested protocol message"));
            }
            "Assertion" | "EncryptedAssertion" => {
                if ns != Some(NS_SAML) {
                    return Err(SamlError::UnexpectedElement(
                        "assertion in a foreign namespace",
                    ));
                }
                let placed = place == Place::ChildOfRoot
                    || (place == Place::Root && root_local == "Assertion");
                if !placed {
                    return Err(SamlError::UnexpectedElement("assertion outside its place"));
                }
                if local == "Assertion" {
                    result.assertions += 1;
                } else {
                    result.encrypted_assertions += 1;
                }
            }
            // A signature is a direct child of the root message, or of the assertion.
            "Signature"
                if ns == Some(NS_DS)
                    && !matches!(place, Place::ChildOfRoot | Place::InAssertion) =>
            {
                return Err(SamlError::UnexpectedElement("signature outside its place"));
            }
            _ => {}
        }
        let child_place = match place {
            Place::Root if root_local == "Assertion" => Place::InAssertion,
            Place::Root => Place::ChildOfRoot,
            Place::ChildOfRoot if e.is(NS_SAML, "Assertion") => Place::InAssertion,
            _ => Place::Other,
        };
        for child in e.elements() {
            stack.push((child, child_place));
        }
    }
    if result.assertions + result.encrypted_assertions > 1 {
        return Err(SamlError::MultipleAssertions);
    }
    Ok(result)
}

fn static_name(local: &str) -> &'static str {
    match local {
        "Response" => "Response",
        "LogoutResponse" => "LogoutResponse",
        "LogoutRequest" => "LogoutRequest",
        "Assertion" => "Assertion",
        _ => "message",
    }
}

/// Verifies every signature in `xml` with xmlsec against the trusted certificates (a
/// signature verifies if any one of them verifies it; `KeyInfo` is never consulted) and
/// returns xmlsec's pre-digest bytes of the signed element: the exclusive-c14n form the
/// digest was computed over. With a signed Response and a signed Assertion, the Response's.
pub(crate) fn verify(
    xml_text: &str,
    certs: &[CertificateDer],
    policy: AlgorithmPolicy,
) -> Result<String, SamlError> {
    let allowed = if policy.allow_sha1 {
        None
    } else {
        Some(SAMAEL_ALLOWED)
    };
    XmlSec::reduce_xml_to_signed_with_allowed_algorithms(
        xml_text,
        certs,
        ReduceMode::PreDigest,
        allowed,
    )
    .map_err(|_| SamlError::InvalidSignature)
}

/// Parses pre-digest bytes and checks that their root is `{ns}local` with the expected `ID`.
pub(crate) fn parse_signed(
    predigest: &str,
    ns: &str,
    local: &str,
    id: &str,
    initial_ns: &[(String, String)],
) -> Result<Element, SamlError> {
    let e = xml::parse(predigest, xml::Limits::MESSAGE, initial_ns)?;
    if !e.is(ns, local) || e.attr("ID") != Some(id) {
        return Err(SamlError::ReferenceMismatch);
    }
    Ok(e)
}

/// True if there is a processing instruction at or below `e` other than inside a
/// `ds:Signature` (exclusive c14n keeps processing instructions, so they can reach the
/// signed bytes).
pub(crate) fn has_pi(e: &Element) -> bool {
    e.children.iter().any(|n| match n {
        Node::Pi => true,
        Node::Element(c) => has_pi(c),
        _ => false,
    })
}
