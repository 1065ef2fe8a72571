//! FZ-01 / FZ-03: the whole verifier on arbitrary payloads that carry a *valid* signature.
//!
//! The input is taken as the payload JSON; the target signs it with the test key, so every
//! input reaches the claim checks. Oracle: verification never panics, and it succeeds only when
//! the payload really is a JSON object whose registered claims have the right types and values
//! (integer `exp` in the future, the expected `iss`, `token_use` and `client_id`, no future
//! `nbf`/`iat`, no foreign `aud`), and the claims handed out are exactly those of the payload.
//! A wrongly typed `exp`/`nbf`/`iss`/`aud`/`token_use` never yields `Ok` (CVE-2026-25537 class).
#![no_main]

use std::sync::{Arc, OnceLock};

use cognate_jwt::verify::{CognitoPool, CognitoVerifier};
use cognate_jwt::{JwkSet, SigningKey};
use cognate_types::{ClientId, IssuerUrl, ManualClock, TokenUse, UnixTime, UserPoolId};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const NOW: u64 = 1_700_000_000;
const POOL: &str = "us-east-1_Fuzz1";
const CLIENT: &str = "fuzzclient";

struct Setup {
    key: SigningKey,
    verifier: CognitoVerifier,
    header: Vec<u8>,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let key = SigningKey::from_pem(include_str!(
            "../../crates/cognate-jwt/tests/data/rsa2048-a.pem"
        ))
        .expect("fixture key");
        let pool = UserPoolId::new(POOL).expect("pool");
        let verifier = CognitoVerifier::builder(TokenUse::Access)
            .user_pool(CognitoPool::new(
                pool.clone(),
                ClientId::new(CLIENT).expect("client"),
            ))
            .clock(Arc::new(ManualClock::new(UnixTime::from_secs(NOW))))
            .build()
            .expect("verifier");
        verifier
            .cache_jwks_for_pool(&pool, JwkSet::from_keys([key.verifying_key().clone()]))
            .expect("jwks");
        let header = format!("{{\"kid\":\"{}\",\"alg\":\"RS256\"}}", key.kid()).into_bytes();
        Setup {
            key,
            verifier,
            header,
        }
    })
}

fn int(v: Option<&Value>) -> Option<u64> {
    v.and_then(Value::as_u64)
}

fuzz_target!(|payload: &[u8]| {
    let s = setup();
    let Ok(token) = s.key.sign_jws(&s.header, payload) else {
        return;
    };
    let Ok(claims) = s.verifier.verify_sync(&token) else {
        return;
    };
    let v: Value = serde_json::from_slice(payload).expect("accepted a payload that is not JSON");
    let obj = v
        .as_object()
        .expect("accepted a payload that is not an object");
    let exp = int(obj.get("exp")).expect("accepted without an integer exp");
    assert!(exp > NOW, "accepted an expired token");
    let iss = IssuerUrl::cognito(&UserPoolId::new(POOL).expect("pool"));
    assert_eq!(
        obj.get("iss").and_then(Value::as_str),
        Some(iss.as_str()),
        "wrong iss accepted"
    );
    assert_eq!(obj.get("token_use").and_then(Value::as_str), Some("access"));
    assert_eq!(obj.get("client_id").and_then(Value::as_str), Some(CLIENT));
    for name in ["nbf", "iat"] {
        if let Some(t) = obj.get(name) {
            let t = t.as_u64().expect("accepted a non-integer nbf/iat");
            assert!(t <= NOW, "accepted a future {name}");
        }
    }
    if let Some(aud) = obj.get("aud") {
        let ok = match aud {
            Value::String(a) => a == CLIENT,
            Value::Array(a) => !a.is_empty() && a.iter().all(|x| x.as_str() == Some(CLIENT)),
            _ => false,
        };
        assert!(ok, "accepted a foreign aud");
    }
    assert_eq!(
        claims.to_json_value(),
        v,
        "claims handed out differ from the signed payload"
    );
});
