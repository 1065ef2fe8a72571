//! The sign-in and logout flows end to end over the fixtures: what the caller starts, keeps,
//! and gets back; IdP metadata in and SP metadata out.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::Read;

use base64::Engine;
use cognate_saml::{
    IdpMetadata, IdpOptions, MemoryReplayCache, PendingLogout, PendingSignIn, SamlError,
    SamlSession,
};
use cognate_types::danger::InsecureDeterministicRandom;
use cognate_types::{ManualClock, UnixTime};
use common::{accept, b64, clock, fixture, sp, sp_with, T0};

/// Splits a redirect URL's query into its raw (still URL-encoded) pairs.
fn raw_pairs(url: &url::Url) -> Vec<(String, String)> {
    url.query()
        .unwrap_or_default()
        .split('&')
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

fn param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn inflate(b64text: &str) -> String {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64text)
        .unwrap();
    let mut out = String::new();
    flate2::read::DeflateDecoder::new(&raw[..])
        .read_to_string(&mut out)
        .unwrap();
    out
}

/// Checks the HTTP-Redirect signature over `SAMLRequest=..&RelayState=..&SigAlg=..` with the
/// SP certificate (OpenSSL, independently of the crate).
fn redirect_signature_verifies(url: &url::Url) -> bool {
    let pairs = raw_pairs(url);
    let signed: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| {
            matches!(
                k.as_str(),
                "SAMLRequest" | "SAMLResponse" | "RelayState" | "SigAlg"
            )
        })
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let sig = base64::engine::general_purpose::STANDARD
        .decode(param(url, "Signature").unwrap())
        .unwrap();
    let cert = openssl::x509::X509::from_pem(
        &std::fs::read(common::fixture_dir().join("keys/sp.crt")).unwrap(),
    )
    .unwrap();
    let key = cert.public_key().unwrap();
    let mut v = openssl::sign::Verifier::new(openssl::hash::MessageDigest::sha256(), &key).unwrap();
    v.update(signed.join("&").as_bytes()).unwrap();
    v.verify(&sig).unwrap()
}

#[test]
fn sign_in_hands_out_the_signed_identity() {
    let id = accept(&sp(), "ok_assertion_signed").unwrap();
    assert_eq!(id.issuer.as_str(), "https://idp.example.test/metadata");
    assert_eq!(id.name_id.value, "alice@example.test");
    assert_eq!(
        id.name_id.format.as_deref(),
        Some(cognate_saml::NAMEID_EMAIL)
    );
    assert_eq!(id.session_index.as_deref(), Some("_session42"));
    assert_eq!(id.assertion_id, "_assert1");
    assert_eq!(id.not_on_or_after, UnixTime::from_secs(T0 + 300));
    assert_eq!(
        id.session_not_on_or_after,
        Some(UnixTime::from_secs(T0 + 8 * 3600))
    );
    assert_eq!(id.authn_instant, Some(UnixTime::from_secs(T0)));
    assert!(!id.idp_initiated);
    assert_eq!(
        id.attribute("email").unwrap().cognito_value(),
        "alice@example.test"
    );
    let groups = id.attribute("groups").unwrap();
    assert_eq!(groups.values, ["admins", "red team", "x@y"]);
    assert_eq!(groups.cognito_value(), "[admins, red+team, x%40y]");
    let session = id.session();
    assert_eq!(session.session_index.as_deref(), Some("_session42"));
}

#[test]
fn every_signature_placement_gives_the_same_identity() {
    let sp = sp();
    let a = accept(&sp, "ok_assertion_signed").unwrap();
    for name in [
        "ok_response_signed",
        "ok_both_signed",
        "enc_gcm",
        "enc_cbc",
        "enc_in_signed_response",
    ] {
        assert_eq!(accept(&sp, name).unwrap(), a, "{name}");
    }
}

#[test]
fn idp_initiated_when_enabled() {
    let sp = sp_with(IdpOptions {
        idp_initiated: true,
        ..IdpOptions::default()
    });
    let id = sp
        .finish_sign_in(
            &b64(&fixture("ok_idp_initiated")),
            Some("response_type=code&client_id=abc&redirect_uri=https%3A%2F%2Fapp.test%2Fcb"),
            None,
            &MemoryReplayCache::default(),
            &clock(),
        )
        .unwrap();
    assert!(id.idp_initiated);
    assert_eq!(id.name_id.value, "alice@example.test");
}

#[test]
fn relay_state_and_request_lifetime() {
    let sp = sp();
    let go = |relay: Option<&str>, pending: &PendingSignIn| {
        sp.finish_sign_in(
            &b64(&fixture("ok_assertion_signed")),
            relay,
            Some(pending),
            &MemoryReplayCache::default(),
            &clock(),
        )
    };
    assert_eq!(
        go(Some("other"), &common::pending()).unwrap_err(),
        SamlError::RelayStateMismatch
    );
    assert_eq!(
        go(None, &common::pending()).unwrap_err(),
        SamlError::RelayStateMismatch
    );
    let old = PendingSignIn {
        issued_at: UnixTime::from_secs(T0 - 16 * 60),
        ..common::pending()
    };
    assert_eq!(
        go(Some(common::RELAY), &old).unwrap_err(),
        SamlError::RequestExpired
    );
}

#[test]
fn emoji_in_an_attribute_value_is_refused() {
    common::refused("emoji_attribute", SamlError::AttributeValue);
}

#[test]
fn authn_request_over_http_redirect() {
    let sp = sp();
    let rng = InsecureDeterministicRandom::new(7);
    let start = sp.start_sign_in(&rng, &clock()).unwrap();
    let url = &start.redirect_url;
    assert_eq!(url.host_str(), Some("idp.example.test"));
    assert_eq!(url.path(), "/sso");
    // The endpoint's own query is kept.
    assert_eq!(param(url, "tenant").as_deref(), Some("1"));
    assert_eq!(
        param(url, "RelayState").as_deref(),
        Some(start.pending.relay_state.as_str())
    );
    assert!(param(url, "Signature").is_none());
    let xml = inflate(&param(url, "SAMLRequest").unwrap());
    let p = &start.pending;
    assert_eq!(p.request_id.len(), 41);
    assert!(p.request_id.starts_with('_'));
    assert_eq!(p.issued_at, clock_now());
    for needle in [
        format!("ID=\"{}\"", p.request_id),
        "Destination=\"https://idp.example.test/sso?tenant=1\"".to_owned(),
        "AssertionConsumerServiceURL=\"https://example.auth.us-east-1.amazoncognito.com/saml2/idpresponse\"".to_owned(),
        "ProtocolBinding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\"".to_owned(),
        "<saml:Issuer>urn:amazon:cognito:sp:us-east-1_Example1</saml:Issuer>".to_owned(),
        "IssueInstant=\"2026-01-01T00:00:10Z\"".to_owned(),
    ] {
        assert!(xml.contains(&needle), "{needle} in {xml}");
    }
    // Fresh IDs and relay states each time.
    let again = sp.start_sign_in(&rng, &clock()).unwrap();
    assert_ne!(again.pending.request_id, p.request_id);
    assert_ne!(again.pending.relay_state, p.relay_state);
}

fn clock_now() -> UnixTime {
    UnixTime::from_secs(T0 + 10)
}

#[test]
fn signed_authn_request() {
    let sp = sp_with(IdpOptions {
        sign_requests: true,
        ..IdpOptions::default()
    });
    let start = sp
        .start_sign_in(&InsecureDeterministicRandom::new(1), &clock())
        .unwrap();
    assert_eq!(
        param(&start.redirect_url, "SigAlg").as_deref(),
        Some("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
    );
    assert!(redirect_signature_verifies(&start.redirect_url));
    // The signed octets are the query parameters in binding order.
    let names: Vec<String> = raw_pairs(&start.redirect_url)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        names,
        ["tenant", "SAMLRequest", "RelayState", "SigAlg", "Signature"]
    );
}

#[test]
fn configuration_is_checked_as_a_whole() {
    let pool: cognate_types::UserPoolId = "us-east-1_Example1".parse().unwrap();
    let domain = url::Url::parse("https://example.auth.us-east-1.amazoncognito.com").unwrap();
    let endpoints = cognate_saml::SpEndpoints::cognito(&pool, &domain).unwrap();
    assert_eq!(
        endpoints.entity_id.as_str(),
        "urn:amazon:cognito:sp:us-east-1_Example1"
    );
    let new = |o: IdpOptions| {
        cognate_saml::ServiceProvider::new(
            endpoints.clone(),
            common::metadata(),
            o,
            Default::default(),
        )
    };
    assert!(new(IdpOptions::default()).is_ok());
    assert!(new(IdpOptions {
        sign_requests: true,
        ..Default::default()
    })
    .is_err());
    assert!(new(IdpOptions {
        encrypted_responses: true,
        ..Default::default()
    })
    .is_err());
    assert!(new(IdpOptions {
        max_clock_skew: std::time::Duration::from_secs(301),
        ..Default::default()
    })
    .is_err());
}

#[test]
fn idp_metadata_is_read() {
    let m = common::metadata();
    assert_eq!(m.entity_id.as_str(), "https://idp.example.test/metadata");
    assert_eq!(
        m.sso_redirect.as_ref().unwrap().as_str(),
        "https://idp.example.test/sso?tenant=1"
    );
    assert_eq!(
        m.slo_redirect.as_ref().unwrap().as_str(),
        "https://idp.example.test/slo"
    );
    // Two signing certificates; the encryption one is not trusted for signatures.
    assert_eq!(m.signing_certificates.len(), 2);
    assert!(!m.want_authn_requests_signed);
    // Inside an EntitiesDescriptor.
    let doc = fixture("idp_metadata").replace("<?xml version=\"1.0\"?>\n", "");
    let wrapped = format!(
        "<md:EntitiesDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\">{doc}</md:EntitiesDescriptor>"
    );
    assert_eq!(IdpMetadata::parse(&wrapped).unwrap(), m);
}

#[test]
fn expired_certificates_are_refused_at_configuration() {
    let m = common::metadata();
    assert_eq!(
        m.check_certificates_current(UnixTime::from_secs(T0)),
        Ok(())
    );
    let ten_years = UnixTime::from_secs(T0 + 11 * 365 * 86_400);
    assert_eq!(
        m.check_certificates_current(ten_years),
        Err(SamlError::Certificate("expired"))
    );
}

#[test]
fn idp_metadata_refusals() {
    let doc = fixture("idp_metadata");
    let no_certs = doc.split("<md:KeyDescriptor").next().unwrap().to_owned()
        + &doc[doc.find("<md:SingleLogoutService").unwrap()..];
    assert_eq!(
        IdpMetadata::parse(&no_certs).unwrap_err(),
        SamlError::Metadata("no signing certificate")
    );
    assert_eq!(
        IdpMetadata::parse(&format!("<!DOCTYPE x []>{doc}")).unwrap_err(),
        SamlError::Doctype
    );
    assert!(IdpMetadata::parse("<x/>").is_err());
    let bad_cert = doc.replacen("<ds:X509Certificate>", "<ds:X509Certificate>AAAA", 1);
    assert!(matches!(
        IdpMetadata::parse(&bad_cert),
        Err(SamlError::Certificate(_))
    ));
    let long = doc.replacen(
        "<ds:X509Certificate>",
        &format!("<ds:X509Certificate>{}", "A".repeat(4096)),
        1,
    );
    assert!(matches!(
        IdpMetadata::parse(&long),
        Err(SamlError::Certificate(_))
    ));
}

#[test]
fn sp_metadata_for_the_idp_admin() {
    let xml = sp().metadata_xml();
    for needle in [
        "entityID=\"urn:amazon:cognito:sp:us-east-1_Example1\"",
        "<md:AssertionConsumerService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" Location=\"https://example.auth.us-east-1.amazoncognito.com/saml2/idpresponse\"",
        "<md:SingleLogoutService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" Location=\"https://example.auth.us-east-1.amazoncognito.com/saml2/logout\"",
        "<md:KeyDescriptor use=\"signing\">",
        "<md:KeyDescriptor use=\"encryption\">",
        "WantAssertionsSigned=\"false\"",
    ] {
        assert!(xml.contains(needle), "{needle}");
    }
    let cert = common::sp_key().certificate().to_base64();
    assert!(xml.contains(&cert));
}

#[test]
fn single_logout_request_is_signed() {
    let sp = sp();
    let session = accept(&sp, "ok_assertion_signed").unwrap().session();
    let start = sp
        .start_logout(&session, &InsecureDeterministicRandom::new(3), &clock())
        .unwrap();
    let url = &start.redirect_url;
    assert_eq!(
        url.as_str().split('?').next(),
        Some("https://idp.example.test/slo")
    );
    assert!(redirect_signature_verifies(url));
    let xml = inflate(&param(url, "SAMLRequest").unwrap());
    assert!(xml.contains("<saml:NameID Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\">alice@example.test</saml:NameID>"));
    assert!(xml.contains("<samlp:SessionIndex>_session42</samlp:SessionIndex>"));
    assert!(xml.contains(&format!("ID=\"{}\"", start.pending.request_id)));
}

fn logout_pending() -> PendingLogout {
    PendingLogout {
        request_id: "_logout0123456789".into(),
        relay_state: "lr".into(),
        issued_at: UnixTime::from_secs(T0 - 5),
    }
}

#[test]
fn logout_response_by_post() {
    let sp = sp();
    let ok = b64(&fixture("logout_response"));
    assert_eq!(
        sp.finish_logout(&ok, Some("lr"), &logout_pending(), &clock()),
        Ok(())
    );
    let other = PendingLogout {
        request_id: "_other".into(),
        ..logout_pending()
    };
    assert_eq!(
        sp.finish_logout(&ok, Some("lr"), &other, &clock()),
        Err(SamlError::InResponseToMismatch)
    );
    assert_eq!(
        sp.finish_logout(
            &b64(&fixture("logout_response_unsigned")),
            Some("lr"),
            &logout_pending(),
            &clock()
        ),
        Err(SamlError::Unsigned)
    );
    assert_eq!(
        sp.finish_logout(&ok, Some("x"), &logout_pending(), &clock()),
        Err(SamlError::RelayStateMismatch)
    );
    // A sign-in response is not a logout response.
    assert_eq!(
        sp.finish_logout(
            &b64(&fixture("ok_response_signed")),
            Some("lr"),
            &logout_pending(),
            &clock()
        ),
        Err(SamlError::WrongMessage("LogoutResponse"))
    );
}

#[test]
fn logout_request_from_the_idp_by_post() {
    let sp = sp();
    let cache = MemoryReplayCache::default();
    let req = b64(&fixture("logout_request"));
    let got = sp.accept_logout_request(&req, &cache, &clock()).unwrap();
    assert_eq!(got.name_id.value, "alice@example.test");
    assert_eq!(got.session_indexes, ["_session42"]);
    let session = accept(&sp, "ok_assertion_signed").unwrap().session();
    assert!(got.matches(&session));
    let other = SamlSession {
        session_index: Some("_other".into()),
        ..session
    };
    assert!(!got.matches(&other));
    // Replayed.
    assert_eq!(
        sp.accept_logout_request(&req, &cache, &clock())
            .unwrap_err(),
        SamlError::Replayed
    );
    // Signed by someone else.
    assert_eq!(
        sp.accept_logout_request(
            &b64(&fixture("logout_request_wrong_cert")),
            &cache,
            &clock()
        )
        .unwrap_err(),
        SamlError::InvalidSignature
    );
    // Expired (NotOnOrAfter T0 + 300, skew 60).
    let late = ManualClock::new(UnixTime::from_secs(T0 + 400));
    assert_eq!(
        sp.accept_logout_request(&req, &MemoryReplayCache::default(), &late)
            .unwrap_err(),
        SamlError::Expired
    );
    // The answer.
    let url = sp
        .logout_response_url(
            &got,
            Some("rs"),
            &InsecureDeterministicRandom::new(9),
            &clock(),
        )
        .unwrap();
    assert!(redirect_signature_verifies(&url));
    let xml = inflate(&param(&url, "SAMLResponse").unwrap());
    assert!(xml.contains("InResponseTo=\"_lq1\""));
}
