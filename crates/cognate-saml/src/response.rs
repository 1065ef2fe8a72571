//! The assertion consumer service: validating a `SAMLResponse`.
//!
//! The order of the checks is the one in `docs/saml.md`. Identity is read only from the
//! element a verified signature covers, re-parsed from the bytes xmlsec digested.

use std::time::Duration;

use cognate_types::{Clock, UnixTime};
use subtle::ConstantTimeEq;

use crate::dsig::{self, NS_DS, NS_SAML, NS_SAMLP};
use crate::encode::b64_decode;
use crate::encryption::decrypt_assertion;
use crate::identity::{Attribute, NameId, SamlIdentity};
use crate::keys::EntityId;
use crate::replay::{self, ReplayCache};
use crate::sp::{PendingSignIn, ServiceProvider};
use crate::time::parse_datetime;
use crate::xml::{self, Element, Limits};
use crate::SamlError;

const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
const ENTITY_FORMAT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity";
const NS_XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Constant-time string equality.
pub(crate) fn ct_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// `t + d`.
fn plus(t: UnixTime, d: Duration) -> UnixTime {
    t.saturating_add(d)
}

/// Decodes the POST binding: the size limit, then base64, then UTF-8.
pub(crate) fn decode_post(encoded: &str, max_chars: usize) -> Result<String, SamlError> {
    let bytes = b64_decode(encoded, max_chars)?;
    if bytes.len() > max_chars {
        return Err(SamlError::TooLarge);
    }
    String::from_utf8(bytes).map_err(|_| SamlError::NotUtf8)
}

/// Checks `Version="2.0"`, a well-formed `ID` and an `IssueInstant` not in the future.
pub(crate) fn check_header(e: &Element, now: UnixTime, skew: Duration) -> Result<(), SamlError> {
    if e.attr("Version") != Some("2.0") {
        return Err(SamlError::BadAttribute("Version"));
    }
    match e.attr("ID") {
        Some(id) if xml::is_ncname(id) => {}
        _ => return Err(SamlError::BadAttribute("ID")),
    }
    let instant = e
        .attr("IssueInstant")
        .and_then(parse_datetime)
        .ok_or(SamlError::BadAttribute("IssueInstant"))?;
    if instant > plus(now, skew) {
        return Err(SamlError::NotYetValid);
    }
    Ok(())
}

/// The `Issuer` child, if any, must be the IdP (entity format or none).
pub(crate) fn check_issuer(e: &Element, idp: &EntityId, required: bool) -> Result<(), SamlError> {
    match e.only_child(NS_SAML, "Issuer") {
        Ok(Some(i)) => {
            if let Some(f) = i.attr("Format") {
                if f != ENTITY_FORMAT {
                    return Err(SamlError::IssuerMismatch);
                }
            }
            match i.text_only() {
                Some(t) if t.trim() == idp.as_str() => Ok(()),
                _ => Err(SamlError::IssuerMismatch),
            }
        }
        Ok(None) if !required => Ok(()),
        _ => Err(SamlError::IssuerMismatch),
    }
}

/// The top-level status must be Success.
pub(crate) fn check_status(e: &Element) -> Result<(), SamlError> {
    let status = match e.only_child(NS_SAMLP, "Status") {
        Ok(Some(s)) => s,
        _ => return Err(SamlError::Missing("Status")),
    };
    let code = match status.only_child(NS_SAMLP, "StatusCode") {
        Ok(Some(c)) => c,
        _ => return Err(SamlError::Missing("StatusCode")),
    };
    match code.attr("Value") {
        Some(SUCCESS) => Ok(()),
        Some(v) => Err(SamlError::Status(v.chars().take(200).collect())),
        None => Err(SamlError::Missing("StatusCode")),
    }
}

fn time_attr(e: &Element, name: &'static str) -> Result<Option<UnixTime>, SamlError> {
    match e.attr(name) {
        None => Ok(None),
        Some(v) => parse_datetime(v)
            .map(Some)
            .ok_or(SamlError::BadAttribute(name)),
    }
}

/// What the validated response gave.
struct Checked {
    identity: SamlIdentity,
}

impl ServiceProvider {
    /// Validates the `SAMLResponse` an IdP posted to the ACS and returns the identity it
    /// asserts.
    ///
    /// `relay_state` is the posted `RelayState`; `pending` is what
    /// [`ServiceProvider::start_sign_in`] returned for it, or `None` for an unsolicited
    /// (IdP-initiated) response, accepted only when [`crate::IdpOptions::idp_initiated`] is
    /// on (then `relay_state` carries the app's authorize parameters and is the caller's to
    /// check). The caller drops `pending` afterwards whatever the outcome, so each request
    /// ID is answered once.
    ///
    /// The assertion ID goes into `replay` only when every other check has passed.
    pub fn finish_sign_in(
        &self,
        saml_response: &str,
        relay_state: Option<&str>,
        pending: Option<&PendingSignIn>,
        replay: &dyn ReplayCache,
        clock: &dyn Clock,
    ) -> Result<SamlIdentity, SamlError> {
        let now = clock.now();
        match pending {
            Some(p) => {
                if !ct_eq(relay_state.unwrap_or_default(), &p.relay_state) {
                    return Err(SamlError::RelayStateMismatch);
                }
                if now > plus(p.issued_at, self.options.request_lifetime) {
                    return Err(SamlError::RequestExpired);
                }
            }
            None if !self.options.idp_initiated => return Err(SamlError::UnsolicitedNotAllowed),
            None => {}
        }
        let xml_text = decode_post(saml_response, self.options.max_message_chars)?;
        let checked =
            self.validate_response_xml(&xml_text, pending.map(|p| p.request_id.as_str()), now)?;
        let key = format!(
            "{}\n{}",
            checked.identity.issuer.as_str(),
            checked.identity.assertion_id
        );
        replay::check(
            replay,
            &key,
            plus(checked.identity.not_on_or_after, self.skew()),
            now,
        )?;
        Ok(checked.identity)
    }

    fn validate_response_xml(
        &self,
        xml_text: &str,
        request_id: Option<&str>,
        now: UnixTime,
    ) -> Result<Checked, SamlError> {
        let skew = self.skew();
        let policy = self.policy();
        // 1. Strict parse and document-wide structure.
        let doc = xml::parse(xml_text, Limits::MESSAGE, &[])?;
        let scan = dsig::scan(&doc, NS_SAMLP, "Response")?;
        if scan.assertions + scan.encrypted_assertions == 0 {
            return Err(SamlError::NoAssertion);
        }
        let response_id = doc.attr("ID").ok_or(SamlError::BadAttribute("ID"))?;
        let response_sig = doc
            .only_child(NS_DS, "Signature")
            .map_err(|()| SamlError::UnexpectedElement("more than one Response signature"))?;
        let plain = doc
            .only_child(NS_SAML, "Assertion")
            .map_err(|()| SamlError::MultipleAssertions)?;
        let assertion_sig = match plain {
            Some(a) => a
                .only_child(NS_DS, "Signature")
                .map_err(|()| SamlError::UnexpectedElement("more than one Assertion signature"))?,
            None => None,
        };
        if scan.encrypted_assertions == 0 && response_sig.is_none() && assertion_sig.is_none() {
            return Err(SamlError::Unsigned);
        }
        if scan.encrypted_assertions == 0 && self.options.encrypted_responses {
            return Err(SamlError::EncryptionRequired);
        }
        // 2. Signature shapes and algorithms, then xmlsec.
        if let Some(sig) = response_sig {
            dsig::check_signature_shape(sig, &doc, policy)?;
        }
        if let (Some(sig), Some(a)) = (assertion_sig, plain) {
            dsig::check_signature_shape(sig, a, policy)?;
        }
        let mut signed_response: Option<Element> = None;
        let mut signed_assertion: Option<Element> = None;
        if response_sig.is_some() || assertion_sig.is_some() {
            let predigest = dsig::verify(xml_text, &self.certs, policy)?;
            if response_sig.is_some() {
                signed_response = Some(dsig::parse_signed(
                    &predigest,
                    NS_SAMLP,
                    "Response",
                    response_id,
                    &[],
                )?);
            } else if let Some(a) = plain {
                let aid = a.attr("ID").ok_or(SamlError::BadAttribute("ID"))?;
                signed_assertion = Some(dsig::parse_signed(
                    &predigest,
                    NS_SAML,
                    "Assertion",
                    aid,
                    &[],
                )?);
            }
        }
        // The response fields come from the signed copy when there is one; otherwise from the
        // document (unsigned: used only to refuse, never to identify).
        let shell: &Element = signed_response.as_ref().unwrap_or(&doc);
        // 3. The assertion: the signed one, or (when the response is signed) the one inside
        // the signed response, decrypted if need be.
        let assertion: Element = if let Some(a) = signed_assertion {
            a
        } else {
            let scan = dsig::scan(shell, NS_SAMLP, "Response")?;
            if scan.assertions + scan.encrypted_assertions != 1 {
                return Err(SamlError::NoAssertion);
            }
            if let Ok(Some(enc)) = shell.only_child(NS_SAML, "EncryptedAssertion") {
                self.decrypted_assertion(&doc, enc, signed_response.is_some())?
            } else {
                match shell.only_child(NS_SAML, "Assertion") {
                    Ok(Some(a)) if signed_response.is_some() => a.clone(),
                    _ => return Err(SamlError::Unsigned),
                }
            }
        };
        if dsig::has_pi(&assertion) {
            // Exclusive c14n keeps processing instructions, so they survive into signed
            // bytes: never let one split a value.
            return Err(SamlError::MixedContent("Assertion"));
        }
        // 4. The response.
        check_header(shell, now, skew)?;
        check_status(shell)?;
        check_issuer(shell, &self.idp.entity_id, false)?;
        match shell.attr("Destination") {
            Some(d) if d == self.sp.acs_url.as_str() => {}
            None if signed_response.is_none() => {}
            _ => return Err(SamlError::DestinationMismatch),
        }
        match (shell.attr("InResponseTo"), request_id) {
            (Some(got), Some(want)) if ct_eq(got, want) => {}
            (None, None) => {}
            _ => return Err(SamlError::InResponseToMismatch),
        }
        // 5. The assertion.
        let identity = self.check_assertion(&assertion, request_id, now)?;
        Ok(Checked { identity })
    }

    /// Decrypts an `EncryptedAssertion` and returns the assertion to use: the decrypted one
    /// when the enclosing response is signed, or its own signed content when it carries a
    /// signature (verified after decryption); an unsigned assertion in an unsigned response
    /// is refused.
    fn decrypted_assertion(
        &self,
        doc: &Element,
        enc: &Element,
        response_signed: bool,
    ) -> Result<Element, SamlError> {
        let plaintext = decrypt_assertion(enc, &self.keys.decryption)?;
        // The plaintext may use prefixes declared on the enclosing elements.
        let mut ns = xml::in_scope_namespaces(&[doc]);
        for (p, u) in &enc.ns_decls {
            ns.retain(|(q, _)| q != p);
            ns.push((p.clone(), u.clone()));
        }
        let a = xml::parse(&plaintext, Limits::MESSAGE, &ns)?;
        dsig::scan(&a, NS_SAML, "Assertion")?;
        let sig = a
            .only_child(NS_DS, "Signature")
            .map_err(|()| SamlError::UnexpectedElement("more than one Assertion signature"))?;
        match sig {
            Some(sig) => {
                dsig::check_signature_shape(sig, &a, self.policy())?;
                let id = a.attr("ID").ok_or(SamlError::BadAttribute("ID"))?;
                // A standalone document for xmlsec: the plaintext inside a wrapper that
                // declares the inherited namespaces (exclusive c14n output does not depend
                // on where they are declared).
                let mut wrapper = String::from("<cognate-decrypted");
                for (p, u) in &ns {
                    if p.is_empty() {
                        wrapper.push_str(&format!(" xmlns=\"{}\"", xml::escape(u)));
                    } else {
                        wrapper.push_str(&format!(" xmlns:{p}=\"{}\"", xml::escape(u)));
                    }
                }
                wrapper.push('>');
                wrapper.push_str(without_declaration(&plaintext));
                wrapper.push_str("</cognate-decrypted>");
                let predigest = dsig::verify(&wrapper, &self.certs, self.policy())?;
                dsig::parse_signed(&predigest, NS_SAML, "Assertion", id, &[])
            }
            None if response_signed => Ok(a),
            None => Err(SamlError::Unsigned),
        }
    }

    fn check_assertion(
        &self,
        a: &Element,
        request_id: Option<&str>,
        now: UnixTime,
    ) -> Result<SamlIdentity, SamlError> {
        let skew = self.skew();
        check_header(a, now, skew)?;
        check_issuer(a, &self.idp.entity_id, true)?;
        let assertion_id = a
            .attr("ID")
            .ok_or(SamlError::BadAttribute("ID"))?
            .to_owned();

        // Subject and bearer confirmation.
        let subject = match a.only_child(NS_SAML, "Subject") {
            Ok(Some(s)) => s,
            _ => return Err(SamlError::Missing("Subject")),
        };
        let name_id = read_name_id(subject)?;
        let mut bearer_expiry: Option<UnixTime> = None;
        let mut first_error: Option<SamlError> = None;
        let mut any_bearer = false;
        for sc in subject.children_named(NS_SAML, "SubjectConfirmation") {
            if sc.attr("Method") != Some(BEARER) {
                continue;
            }
            any_bearer = true;
            match self.check_bearer(sc, request_id, now) {
                Ok(exp) => {
                    bearer_expiry = Some(exp);
                    break;
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        let bearer_expiry = match (bearer_expiry, first_error) {
            (Some(e), _) => e,
            (None, Some(err)) => return Err(err),
            (None, None) => {
                let _ = any_bearer;
                return Err(SamlError::NotBearer);
            }
        };

        // Conditions: required, with time bounds and an audience restriction naming us.
        let conditions = match a.only_child(NS_SAML, "Conditions") {
            Ok(Some(c)) => c,
            _ => return Err(SamlError::Missing("Conditions")),
        };
        if let Some(nb) = time_attr(conditions, "NotBefore")? {
            if nb > plus(now, skew) {
                return Err(SamlError::NotYetValid);
            }
        }
        let mut expiry = bearer_expiry;
        if let Some(na) = time_attr(conditions, "NotOnOrAfter")? {
            if plus(na, skew) <= now {
                return Err(SamlError::Expired);
            }
            expiry = expiry.min(na);
        }
        let mut restrictions = conditions
            .children_named(NS_SAML, "AudienceRestriction")
            .peekable();
        if restrictions.peek().is_none() {
            return Err(SamlError::AudienceMismatch);
        }
        for r in restrictions {
            let mut ok = false;
            for aud in r.children_named(NS_SAML, "Audience") {
                let v = aud.text_only().ok_or(SamlError::MixedContent("Audience"))?;
                if v.trim() == self.sp.entity_id.as_str() {
                    ok = true;
                }
            }
            if !ok {
                return Err(SamlError::AudienceMismatch);
            }
        }

        // The authentication statement (the first one names the session).
        let authn = a
            .children_named(NS_SAML, "AuthnStatement")
            .next()
            .ok_or(SamlError::Missing("AuthnStatement"))?;
        let session_not_on_or_after = time_attr(authn, "SessionNotOnOrAfter")?;
        if let Some(s) = session_not_on_or_after {
            if plus(s, skew) <= now {
                return Err(SamlError::Expired);
            }
        }
        let authn_instant = time_attr(authn, "AuthnInstant")?;
        let session_index = authn.attr("SessionIndex").map(str::to_owned);

        let attributes = read_attributes(a)?;
        Ok(SamlIdentity {
            issuer: self.idp.entity_id.clone(),
            name_id,
            session_index,
            session_not_on_or_after,
            authn_instant,
            attributes,
            assertion_id,
            not_on_or_after: expiry,
            idp_initiated: request_id.is_none(),
        })
    }

    /// A bearer `SubjectConfirmation`: `Recipient` = ACS, `NotOnOrAfter` present and in the
    /// future, `NotBefore` (if any) in the past, `InResponseTo` = the request (absent for
    /// IdP-initiated). Returns its expiry.
    fn check_bearer(
        &self,
        sc: &Element,
        request_id: Option<&str>,
        now: UnixTime,
    ) -> Result<UnixTime, SamlError> {
        let skew = self.skew();
        let data = match sc.only_child(NS_SAML, "SubjectConfirmationData") {
            Ok(Some(d)) => d,
            _ => return Err(SamlError::Missing("SubjectConfirmationData")),
        };
        if data.attr("Recipient") != Some(self.sp.acs_url.as_str()) {
            return Err(SamlError::RecipientMismatch);
        }
        match (data.attr("InResponseTo"), request_id) {
            (Some(got), Some(want)) if ct_eq(got, want) => {}
            (None, None) => {}
            _ => return Err(SamlError::InResponseToMismatch),
        }
        if let Some(nb) = time_attr(data, "NotBefore")? {
            if nb > plus(now, skew) {
                return Err(SamlError::NotYetValid);
            }
        }
        let na = time_attr(data, "NotOnOrAfter")?
            .ok_or(SamlError::Missing("SubjectConfirmationData NotOnOrAfter"))?;
        if plus(na, skew) <= now {
            return Err(SamlError::Expired);
        }
        Ok(na)
    }
}

/// The text after a leading XML declaration, if there is one.
fn without_declaration(s: &str) -> &str {
    let t = s.trim_start();
    if t.starts_with("<?xml") {
        if let Some(end) = t.find("?>") {
            return t.get(end + 2..).unwrap_or_default();
        }
    }
    t
}

/// Reads the `Subject`'s `NameID`: exactly one, character data only.
pub(crate) fn read_name_id(parent: &Element) -> Result<NameId, SamlError> {
    let n = match parent.only_child(NS_SAML, "NameID") {
        Ok(Some(n)) => n,
        Ok(None) => return Err(SamlError::Missing("NameID")),
        Err(()) => return Err(SamlError::UnexpectedElement("more than one NameID")),
    };
    let value = n.text_only().ok_or(SamlError::MixedContent("NameID"))?;
    if value.is_empty() {
        return Err(SamlError::Missing("NameID"));
    }
    Ok(NameId {
        value,
        format: n.attr("Format").map(str::to_owned),
        name_qualifier: n.attr("NameQualifier").map(str::to_owned),
        sp_name_qualifier: n.attr("SPNameQualifier").map(str::to_owned),
    })
}

fn read_attributes(a: &Element) -> Result<Vec<Attribute>, SamlError> {
    let mut out: Vec<Attribute> = Vec::new();
    for st in a.children_named(NS_SAML, "AttributeStatement") {
        for at in st.children_named(NS_SAML, "Attribute") {
            let name = at.attr("Name").ok_or(SamlError::BadAttribute("Name"))?;
            let mut values = Vec::new();
            for v in at.children_named(NS_SAML, "AttributeValue") {
                let nil = v.attrs.iter().any(|x| {
                    x.ns.as_deref() == Some(NS_XSI)
                        && x.local == "nil"
                        && (x.value == "true" || x.value == "1")
                });
                if nil {
                    continue;
                }
                // A structured value (an element inside, such as eduPersonTargetedID's
                // NameID) is not a string attribute: left out, like xsi:nil.
                let Some(text) = v.text_only() else {
                    continue;
                };
                if text.chars().any(|c| u32::from(c) > 0xFFFF) {
                    return Err(SamlError::AttributeValue);
                }
                values.push(text);
            }
            match out.iter_mut().find(|x| x.name == name) {
                Some(existing) => existing.values.extend(values),
                None => out.push(Attribute {
                    name: name.to_owned(),
                    name_format: at.attr("NameFormat").map(str::to_owned),
                    friendly_name: at.attr("FriendlyName").map(str::to_owned),
                    values,
                }),
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_keep_strings_and_merge_names() {
        let a = xml::parse(
            r#"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
            <saml:AttributeStatement>
              <saml:Attribute Name="g"><saml:AttributeValue>a</saml:AttributeValue><saml:AttributeValue xsi:nil="true"/></saml:Attribute>
              <saml:Attribute Name="tid"><saml:AttributeValue><saml:NameID>x</saml:NameID></saml:AttributeValue></saml:Attribute>
            </saml:AttributeStatement>
            <saml:AttributeStatement><saml:Attribute Name="g"><saml:AttributeValue>b</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>
            </saml:Assertion>"#,
            Limits::MESSAGE,
            &[],
        )
        .unwrap();
        let attrs = read_attributes(&a).unwrap();
        assert_eq!(attrs.len(), 2);
        assert_eq!(attrs[0].values, ["a", "b"]);
        assert!(attrs[1].values.is_empty());
    }

    #[test]
    fn constant_time_equality() {
        assert!(ct_eq("abc", "abc"));
        assert!(!ct_eq("abc", "abd"));
        assert!(!ct_eq("abc", "ab"));
    }
}
