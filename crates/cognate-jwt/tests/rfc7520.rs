//! RFC 7520 ("Examples of Protecting Content Using JOSE") section 4.1: an RS256 signature with
//! the RFC's RSA key (figure 3). PKCS#1 v1.5 is deterministic, so signing the RFC's protected
//! header and payload must reproduce the RFC's compact serialization byte for byte, and the
//! verifying side must accept it and refuse any change. The vector is in data/rfc7520-4.1.json.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cognate_jwt::jws::{parse_compact, DEFAULT_MAX_TOKEN_BYTES};
use cognate_jwt::{JwkSet, SigningKey};
use serde_json::Value;

fn vector() -> Value {
    serde_json::from_str(include_str!("data/rfc7520-4.1.json")).unwrap()
}

#[test]
fn rfc7520_4_1_signature_is_reproduced_exactly() {
    let v = vector();
    let key = SigningKey::from_jwk(&v["key"].to_string()).unwrap();
    assert_eq!(key.kid().as_str(), "bilbo.baggins@hobbiton.example");
    assert_eq!(key.bits(), 2048);
    let compact = key
        .sign_jws(
            v["protected"].as_str().unwrap().as_bytes(),
            v["payload"].as_str().unwrap().as_bytes(),
        )
        .unwrap();
    assert_eq!(compact, v["compact"].as_str().unwrap());
}

#[test]
fn rfc7520_4_1_verifies_with_the_public_key_and_fails_when_changed() {
    let v = vector();
    let mut public = v["key"].clone();
    for private in ["d", "p", "q", "dp", "dq", "qi"] {
        public.as_object_mut().unwrap().remove(private);
    }
    let key = JwkSet::parse_jwk(public.to_string().as_bytes()).unwrap();
    let compact = v["compact"].as_str().unwrap();
    let jws = parse_compact(compact, DEFAULT_MAX_TOKEN_BYTES).unwrap();
    assert_eq!(jws.header.alg, "RS256");
    assert_eq!(
        jws.header.kid.as_deref(),
        Some("bilbo.baggins@hobbiton.example")
    );
    assert_eq!(jws.payload, v["payload"].as_str().unwrap().as_bytes());
    assert!(key.verify_rs256(jws.signing_input.as_bytes(), &jws.signature));

    let mut sig = jws.signature.clone();
    sig[17] ^= 0x01;
    assert!(!key.verify_rs256(jws.signing_input.as_bytes(), &sig));
    let mut input = jws.signing_input.as_bytes().to_vec();
    input[80] ^= 0x01;
    assert!(!key.verify_rs256(&input, &jws.signature));
}
