//! Shared set-up for the cognate-saml integration tests: the fixtures of
//! `tests/fixtures/make.py` (signed by the xmlsec1 CLI, mutated with lxml).
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::path::PathBuf;

use base64::Engine;
use cognate_saml::{
    IdpMetadata, IdpOptions, MemoryReplayCache, PendingSignIn, SamlError, SamlIdentity,
    ServiceProvider, SpEndpoints, SpKey, SpKeys,
};
use cognate_types::{ManualClock, UnixTime, UserPoolId};

/// 2026-01-01T00:00:00Z: the fixtures' IssueInstant.
pub const T0: u64 = 1_767_225_600;
pub const REQ: &str = "_req0123456789abcdef0123456789abcdef01";
pub const RELAY: &str = "relay-state-from-start";

pub fn fixture_dir() -> PathBuf {
    // Also included by benches/benches/saml.rs, whose manifest directory is `benches/`.
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let krate = if manifest.ends_with("benches") {
        manifest.join("../crates/cognate-saml")
    } else {
        manifest
    };
    krate.join("tests/fixtures")
}

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixture_dir().join("out").join(format!("{name}.xml")))
        .unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

pub fn b64(xml: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(xml.as_bytes())
}

pub fn sp_key() -> SpKey {
    let d = fixture_dir().join("keys");
    SpKey::from_pem(
        &std::fs::read(d.join("sp.key")).unwrap(),
        &std::fs::read_to_string(d.join("sp.crt")).unwrap(),
    )
    .unwrap()
}

pub fn metadata() -> IdpMetadata {
    IdpMetadata::parse(&fixture("idp_metadata")).unwrap()
}

pub fn sp_with(options: IdpOptions) -> ServiceProvider {
    let pool: UserPoolId = "us-east-1_Example1".parse().unwrap();
    let domain = url::Url::parse("https://example.auth.us-east-1.amazoncognito.com").unwrap();
    ServiceProvider::new(
        SpEndpoints::cognito(&pool, &domain).unwrap(),
        metadata(),
        options,
        SpKeys {
            signing: Some(sp_key()),
            decryption: vec![sp_key()],
        },
    )
    .unwrap()
}

pub fn sp() -> ServiceProvider {
    sp_with(IdpOptions::default())
}

pub fn pending() -> PendingSignIn {
    PendingSignIn {
        request_id: REQ.into(),
        relay_state: RELAY.into(),
        issued_at: UnixTime::from_secs(T0 - 30),
    }
}

pub fn clock() -> ManualClock {
    ManualClock::new(UnixTime::from_secs(T0 + 10))
}

/// Validates fixture `name` as an SP-initiated response to [`REQ`].
pub fn accept(sp: &ServiceProvider, name: &str) -> Result<SamlIdentity, SamlError> {
    accept_xml(sp, &fixture(name))
}

pub fn accept_xml(sp: &ServiceProvider, xml: &str) -> Result<SamlIdentity, SamlError> {
    sp.finish_sign_in(
        &b64(xml),
        Some(RELAY),
        Some(&pending()),
        &MemoryReplayCache::default(),
        &clock(),
    )
}

/// Asserts that fixture `name` is refused with `expected`, and never yields an identity.
pub fn refused(name: &str, expected: SamlError) {
    match accept(&sp(), name) {
        Ok(id) => panic!("{name}: accepted as {:?}", id.name_id.value),
        Err(e) => assert_eq!(e, expected, "{name}"),
    }
}
