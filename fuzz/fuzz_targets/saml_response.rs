//! FZ-06 / FZ-09: the SAMLResponse path. The rest of the input is base64-encoded, and the
//! first byte picks the binding: bit 0 set, the rest is raw DEFLATE (the HTTP-Redirect
//! decoder: base64, bounded inflate, strict XML reader); bit 0 clear, the rest is the XML
//! itself, posted to the ACS
//! (`finish_sign_in`: decoding, the strict reader, the wrapping checks, xmlsec, every check);
//! bit 1 picks an unsolicited response to an SP with IdP-initiated sign-in on; bit 2 posts it
//! to the logout endpoint as a LogoutRequest instead.
//!
//! Properties: never a panic; and (FZ-09, the wrapping oracle) an accepted response carries
//! one of the identities the test IdP actually signed in the seeds, whatever the mutation
//! (moved, cloned or wrapped elements, changed IDs, comments, PIs, CDATA, namespaces).
#![no_main]

use std::sync::OnceLock;

use base64::Engine;
use cognate_saml::{
    IdpMetadata, IdpOptions, PendingSignIn, ReplayCache, ServiceProvider, SpEndpoints, SpKey,
    SpKeys,
};
use cognate_types::{ManualClock, UnixTime};
use libfuzzer_sys::fuzz_target;

const T0: u64 = 1_767_225_600;
const FIXTURES: &str = "../crates/cognate-saml/tests/fixtures";

/// Accepts everything: the same seed may be accepted on every run.
struct NoReplay;
impl ReplayCache for NoReplay {
    fn insert_once(&self, _: &str, _: UnixTime, _: UnixTime) -> Result<bool, String> {
        Ok(true)
    }
}

fn sp(idp_initiated: bool) -> ServiceProvider {
    let key = SpKey::from_pem(
        include_bytes!("../../crates/cognate-saml/tests/fixtures/keys/sp.key"),
        include_str!("../../crates/cognate-saml/tests/fixtures/keys/sp.crt"),
    )
    .expect("sp key");
    let _ = FIXTURES;
    let pool = "us-east-1_Example1".parse().expect("pool");
    let domain = url::Url::parse("https://example.auth.us-east-1.amazoncognito.com").expect("url");
    ServiceProvider::new(
        SpEndpoints::cognito(&pool, &domain).expect("endpoints"),
        IdpMetadata::parse(include_str!(
            "../../crates/cognate-saml/tests/fixtures/out/idp_metadata.xml"
        ))
        .expect("metadata"),
        IdpOptions {
            idp_initiated,
            ..IdpOptions::default()
        },
        SpKeys {
            signing: Some(key.clone()),
            decryption: vec![key],
        },
    )
    .expect("sp")
}

static SPS: OnceLock<(ServiceProvider, ServiceProvider)> = OnceLock::new();

/// Every NameID the test IdP signed in the fixtures.
const SIGNED_IDENTITIES: &[&str] = &["alice@example.test", "admin@corp.example.evil.test"];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let encoded = base64::engine::general_purpose::STANDARD.encode(rest);
    if mode & 1 == 1 {
        let _ = cognate_saml::__private::decode_and_parse(&encoded, true);
        return;
    }
    let (solicited, unsolicited) = SPS.get_or_init(|| (sp(false), sp(true)));
    let clock = ManualClock::new(UnixTime::from_secs(T0 + 10));
    if mode & 4 == 4 {
        if let Ok(req) = solicited.accept_logout_request(&encoded, &NoReplay, &clock) {
            assert_eq!(req.name_id.value, "alice@example.test");
        }
        return;
    }
    let pending = PendingSignIn {
        request_id: "_req0123456789abcdef0123456789abcdef01".into(),
        relay_state: "r".into(),
        issued_at: UnixTime::from_secs(T0),
    };
    let result = if mode & 2 == 2 {
        unsolicited.finish_sign_in(&encoded, None, None, &NoReplay, &clock)
    } else {
        solicited.finish_sign_in(&encoded, Some("r"), Some(&pending), &NoReplay, &clock)
    };
    if let Ok(identity) = result {
        assert!(
            SIGNED_IDENTITIES.contains(&identity.name_id.value.as_str()),
            "accepted an identity nobody signed: {:?}",
            identity.name_id.value
        );
        for a in &identity.attributes {
            let _ = a.cognito_value();
        }
    }
});
