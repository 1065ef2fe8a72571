//! Single logout: the SP's signed LogoutRequest over HTTP-Redirect, the IdP's LogoutResponse
//! by POST, and a LogoutRequest the IdP posts.

use cognate_types::{Clock, SecureRandom, UnixTime};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::dsig::{self, NS_DS, NS_SAML, NS_SAMLP};
use crate::encode::{redirect_url, Param};
use crate::identity::{NameId, SamlSession};
use crate::replay::{self, ReplayCache};
use crate::response::{check_header, check_issuer, check_status, ct_eq, decode_post, read_name_id};
use crate::sp::{new_id, new_relay_state, ServiceProvider};
use crate::time::{format_datetime, parse_datetime};
use crate::xml::{self, escape, Element, Limits};
use crate::SamlError;

/// The state of a logout in flight, kept by the caller until the IdP's LogoutResponse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingLogout {
    /// The LogoutRequest's `ID`: the response's `InResponseTo` must equal it.
    pub request_id: String,
    /// The RelayState sent with it.
    pub relay_state: String,
    /// When it was sent.
    pub issued_at: UnixTime,
}

/// A started logout: where to send the browser, and what to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutStart {
    /// `{IdP SLO URL}?SAMLRequest=...&RelayState=...&SigAlg=...&Signature=...`.
    pub redirect_url: Url,
    /// The state to keep until the LogoutResponse arrives.
    pub pending: PendingLogout,
}

/// A validated LogoutRequest from the IdP: end the sessions it names.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IdpLogoutRequest {
    /// The request's `ID` (for the `InResponseTo` of an answer).
    pub id: String,
    /// The subject to sign out.
    pub name_id: NameId,
    /// The IdP sessions to end (all of the subject's sessions when empty).
    pub session_indexes: Vec<String>,
}

impl IdpLogoutRequest {
    /// True if this request ends `session` (same NameID value, and its session index listed
    /// or no index given).
    pub fn matches(&self, session: &SamlSession) -> bool {
        self.name_id.value == session.name_id.value
            && (self.session_indexes.is_empty()
                || session
                    .session_index
                    .as_ref()
                    .is_some_and(|s| self.session_indexes.iter().any(|x| x == s)))
    }
}

impl ServiceProvider {
    /// Starts single logout at the IdP for `session`: a LogoutRequest with its NameID and
    /// SessionIndex, always signed (RSA-SHA256, HTTP-Redirect), to the IdP's HTTP-Redirect
    /// single logout endpoint.
    pub fn start_logout(
        &self,
        session: &SamlSession,
        rng: &dyn SecureRandom,
        clock: &dyn Clock,
    ) -> Result<LogoutStart, SamlError> {
        let slo = self
            .idp
            .slo_redirect
            .as_ref()
            .ok_or(SamlError::NoEndpoint("single logout"))?;
        let key = self
            .keys
            .signing
            .as_ref()
            .ok_or(SamlError::Config("logout requests need an SP signing key"))?;
        let now = clock.now();
        let request_id = new_id(rng)?;
        let relay_state = new_relay_state(rng)?;
        let n = &session.name_id;
        let mut name_id_attrs = String::new();
        for (k, v) in [
            ("Format", &n.format),
            ("NameQualifier", &n.name_qualifier),
            ("SPNameQualifier", &n.sp_name_qualifier),
        ] {
            if let Some(v) = v {
                name_id_attrs.push_str(&format!(" {k}=\"{}\"", escape(v)));
            }
        }
        let session_index = session
            .session_index
            .as_ref()
            .map(|s| format!("<samlp:SessionIndex>{}</samlp:SessionIndex>", escape(s)))
            .unwrap_or_default();
        let xml_text = format!(
            "<samlp:LogoutRequest xmlns:samlp=\"{NS_SAMLP}\" xmlns:saml=\"{NS_SAML}\" ID=\"{request_id}\" Version=\"2.0\" IssueInstant=\"{}\" Destination=\"{}\" NotOnOrAfter=\"{}\"><saml:Issuer>{}</saml:Issuer><saml:NameID{name_id_attrs}>{}</saml:NameID>{session_index}</samlp:LogoutRequest>",
            format_datetime(now),
            escape(slo.as_str()),
            format_datetime(now.saturating_add(self.options.request_lifetime)),
            escape(self.sp.entity_id.as_str()),
            escape(&n.value),
        );
        let redirect_url = redirect_url(
            slo,
            Param::Request,
            &xml_text,
            Some(&relay_state),
            Some(key),
        )?;
        Ok(LogoutStart {
            redirect_url,
            pending: PendingLogout {
                request_id,
                relay_state,
                issued_at: now,
            },
        })
    }

    /// Validates the IdP's LogoutResponse posted to `/saml2/logout` (HTTP-POST): signed by
    /// the IdP, from the IdP, to our logout URL, answering `pending`, with status Success.
    pub fn finish_logout(
        &self,
        saml_response: &str,
        relay_state: Option<&str>,
        pending: &PendingLogout,
        clock: &dyn Clock,
    ) -> Result<(), SamlError> {
        let now = clock.now();
        if !ct_eq(relay_state.unwrap_or_default(), &pending.relay_state) {
            return Err(SamlError::RelayStateMismatch);
        }
        if now
            > pending
                .issued_at
                .saturating_add(self.options.request_lifetime)
        {
            return Err(SamlError::RequestExpired);
        }
        let xml_text = decode_post(saml_response, self.options.max_message_chars)?;
        let m = self.signed_message(&xml_text, "LogoutResponse")?;
        check_header(&m, now, self.skew())?;
        check_issuer(&m, &self.idp.entity_id, true)?;
        self.check_logout_destination(&m)?;
        match m.attr("InResponseTo") {
            Some(got) if ct_eq(got, &pending.request_id) => {}
            _ => return Err(SamlError::InResponseToMismatch),
        }
        check_status(&m)
    }

    /// Validates a LogoutRequest the IdP posted to `/saml2/logout` (HTTP-POST): signed by the
    /// IdP, from the IdP, to our logout URL, not expired, not replayed. The caller ends the
    /// sessions [`IdpLogoutRequest::matches`].
    pub fn accept_logout_request(
        &self,
        saml_request: &str,
        replay: &dyn ReplayCache,
        clock: &dyn Clock,
    ) -> Result<IdpLogoutRequest, SamlError> {
        let now = clock.now();
        let skew = self.skew();
        let xml_text = decode_post(saml_request, self.options.max_message_chars)?;
        let m = self.signed_message(&xml_text, "LogoutRequest")?;
        check_header(&m, now, skew)?;
        check_issuer(&m, &self.idp.entity_id, true)?;
        self.check_logout_destination(&m)?;
        let expires = match m.attr("NotOnOrAfter") {
            Some(v) => {
                let t = parse_datetime(v).ok_or(SamlError::BadAttribute("NotOnOrAfter"))?;
                if t.saturating_add(skew) <= now {
                    return Err(SamlError::Expired);
                }
                t
            }
            None => now.saturating_add(self.options.request_lifetime),
        };
        let name_id = read_name_id(&m)?;
        let mut session_indexes = Vec::new();
        for s in m.children_named(NS_SAMLP, "SessionIndex") {
            session_indexes.push(
                s.text_only()
                    .ok_or(SamlError::MixedContent("SessionIndex"))?,
            );
        }
        let id = m
            .attr("ID")
            .ok_or(SamlError::BadAttribute("ID"))?
            .to_owned();
        replay::check(
            replay,
            &format!("{}\nlogout\n{id}", self.idp.entity_id.as_str()),
            expires.saturating_add(skew),
            now,
        )?;
        Ok(IdpLogoutRequest {
            id,
            name_id,
            session_indexes,
        })
    }

    /// The answer to an accepted [`IdpLogoutRequest`]: a signed LogoutResponse (Success,
    /// `InResponseTo` the request) to the IdP's HTTP-Redirect single logout endpoint, with
    /// the RelayState the IdP sent, if any.
    pub fn logout_response_url(
        &self,
        request: &IdpLogoutRequest,
        relay_state: Option<&str>,
        rng: &dyn SecureRandom,
        clock: &dyn Clock,
    ) -> Result<Url, SamlError> {
        let slo = self
            .idp
            .slo_redirect
            .as_ref()
            .ok_or(SamlError::NoEndpoint("single logout"))?;
        let key = self
            .keys
            .signing
            .as_ref()
            .ok_or(SamlError::Config("logout responses need an SP signing key"))?;
        let id = new_id(rng)?;
        let xml_text = format!(
            "<samlp:LogoutResponse xmlns:samlp=\"{NS_SAMLP}\" xmlns:saml=\"{NS_SAML}\" ID=\"{id}\" Version=\"2.0\" IssueInstant=\"{}\" Destination=\"{}\" InResponseTo=\"{}\"><saml:Issuer>{}</saml:Issuer><samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status></samlp:LogoutResponse>",
            format_datetime(clock.now()),
            escape(slo.as_str()),
            escape(&request.id),
            escape(self.sp.entity_id.as_str()),
        );
        redirect_url(slo, Param::Response, &xml_text, relay_state, Some(key))
    }

    fn check_logout_destination(&self, m: &Element) -> Result<(), SamlError> {
        match m.attr("Destination") {
            Some(d) if d == self.sp.logout_url.as_str() => Ok(()),
            _ => Err(SamlError::DestinationMismatch),
        }
    }

    /// Parses a protocol message that must carry its own enveloped signature, verifies it,
    /// and returns the signed copy.
    fn signed_message(&self, xml_text: &str, local: &'static str) -> Result<Element, SamlError> {
        let doc = xml::parse(xml_text, Limits::MESSAGE, &[])?;
        let scan = dsig::scan(&doc, NS_SAMLP, local)?;
        if scan.assertions + scan.encrypted_assertions != 0 {
            return Err(SamlError::UnexpectedElement(
                "assertion in a logout message",
            ));
        }
        let sig = doc
            .only_child(NS_DS, "Signature")
            .map_err(|()| SamlError::UnexpectedElement("more than one signature"))?
            .ok_or(SamlError::Unsigned)?;
        dsig::check_signature_shape(sig, &doc, self.policy())?;
        let id = doc.attr("ID").ok_or(SamlError::BadAttribute("ID"))?;
        let predigest = dsig::verify(xml_text, &self.certs, self.policy())?;
        let signed = dsig::parse_signed(&predigest, NS_SAMLP, local, id, &[])?;
        if dsig::has_pi(&signed) {
            return Err(SamlError::MixedContent(local));
        }
        Ok(signed)
    }
}
