//! FZ-06 (metadata): `IdpMetadata::parse` over arbitrary text never panics; what it accepts
//! has an entity ID, at least one signing certificate that parses and is at most 4,096
//! base64 characters, and HTTP(S) endpoints; an SP built on it writes its own metadata.
#![no_main]

use cognate_saml::{IdpMetadata, IdpOptions, ServiceProvider, SpEndpoints, SpKeys};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(m) = IdpMetadata::parse(text) else {
        return;
    };
    assert!(!m.entity_id.as_str().is_empty());
    assert!(!m.signing_certificates.is_empty());
    for c in &m.signing_certificates {
        assert!(c.to_base64().len() <= cognate_saml::MAX_CERTIFICATE_CHARS);
    }
    for u in [&m.sso_redirect, &m.slo_redirect].into_iter().flatten() {
        assert!(matches!(u.scheme(), "http" | "https"));
    }
    let pool = "us-east-1_Example1".parse().expect("pool");
    let domain = url::Url::parse("https://example.test").expect("url");
    let sp = ServiceProvider::new(
        SpEndpoints::cognito(&pool, &domain).expect("endpoints"),
        m,
        IdpOptions::default(),
        SpKeys::default(),
    )
    .expect("an SP on parsed metadata");
    assert!(sp
        .metadata_xml()
        .contains("urn:amazon:cognito:sp:us-east-1_Example1"));
});
