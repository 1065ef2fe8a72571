#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Signing keys: RFC vectors, format round trips, refusals, rotation timeline, keys.json.

use std::time::Duration;

use cognate_jwt::keyset::{KeySetError, KeyState, PoolKeys, RotationPolicy};
use cognate_jwt::{JwkSet, KeyError, RefreshKey, RsaKeySize, SigningKey};
use cognate_types::{KeyId, TokenUse, UnixTime};

const PEM_A: &str = include_str!("data/rsa2048-a.pem");
const PEM_A_PKCS1: &str = include_str!("data/rsa2048-a.pkcs1.pem");
const PEM_B: &str = include_str!("data/rsa2048-b.pem");
const PEM_C: &str = include_str!("data/rsa2048-c.pem");
const PEM_D: &str = include_str!("data/rsa2048-d.pem");
const PEM_1024: &str = include_str!("data/rsa1024.pem");

/// RFC 7515 appendix A.2.1: the RSA key of the RS256 example.
const RFC7515_A2_JWK: &str = r#"{"kty":"RSA",
 "n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",
 "e":"AQAB",
 "d":"Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ",
 "p":"4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc",
 "q":"uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc",
 "dp":"BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0",
 "dq":"h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU",
 "qi":"IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U"}"#;
const RFC7515_A2_SIGNING_INPUT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
const RFC7515_A2_SIGNATURE: &str = "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

fn b64url(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap()
}

#[test]
fn rfc7515_a2_rs256_signature_is_reproduced_exactly() {
    let key = SigningKey::from_jwk(RFC7515_A2_JWK).unwrap();
    assert_eq!(key.bits(), 2048);
    let sig = key.sign_rs256(RFC7515_A2_SIGNING_INPUT.as_bytes()).unwrap();
    assert_eq!(sig, b64url(RFC7515_A2_SIGNATURE));
    assert!(key
        .verifying_key()
        .verify_rs256(RFC7515_A2_SIGNING_INPUT.as_bytes(), &sig));
    // The same key through PKCS#8 PEM and back still produces the RFC signature.
    let again = SigningKey::from_pem(key.to_pkcs8_pem().expose()).unwrap();
    assert_eq!(
        again
            .sign_rs256(RFC7515_A2_SIGNING_INPUT.as_bytes())
            .unwrap(),
        sig
    );
    // sign_jws with the RFC's header and payload bytes gives the RFC's compact JWS.
    let header = b"{\"alg\":\"RS256\"}";
    let payload =
        b"{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";
    assert_eq!(
        key.sign_jws(header, payload).unwrap(),
        format!("{RFC7515_A2_SIGNING_INPUT}.{RFC7515_A2_SIGNATURE}")
    );
}

#[test]
fn pem_jwk_pkcs8_round_trips() {
    let a = SigningKey::from_pem(PEM_A).unwrap();
    let a1 = SigningKey::from_pem(PEM_A_PKCS1).unwrap();
    assert_eq!(a.kid(), a1.kid());
    assert_eq!(a.public_jwk(), a1.public_jwk());
    // Thumbprint kid: 44 characters of standard base64.
    assert_eq!(a.kid().as_str().len(), 44);
    assert!(a.kid().as_str().ends_with('='));
    assert_eq!(a.kid(), &a.thumbprint());
    // PEM -> JWK -> PEM -> DER.
    let jwk = a.to_private_jwk();
    let from_jwk = SigningKey::from_jwk(jwk.expose()).unwrap();
    assert_eq!(from_jwk.kid(), a.kid());
    let pem = from_jwk.to_pkcs8_pem();
    assert!(pem.expose().starts_with("-----BEGIN PRIVATE KEY-----\n"));
    let from_pem = SigningKey::from_pem(pem.expose()).unwrap();
    let from_der = SigningKey::from_pkcs8_der(from_pem.to_pkcs8_der().expose()).unwrap();
    let msg = b"round trip";
    let sig = a.sign_rs256(msg).unwrap();
    for k in [&a1, &from_jwk, &from_pem, &from_der] {
        assert_eq!(
            k.sign_rs256(msg).unwrap(),
            sig,
            "PKCS#1 v1.5 is deterministic"
        );
        assert!(k.verifying_key().verify_rs256(msg, &sig));
    }
    // The JWK output is a complete private JWK.
    let v: serde_json::Value = serde_json::from_str(jwk.expose()).unwrap();
    for m in [
        "kty", "kid", "alg", "use", "n", "e", "d", "p", "q", "dp", "dq", "qi",
    ] {
        assert!(v[m].is_string(), "{m}");
    }
    // The public JWK is in Cognito's shape.
    let pubj = serde_json::to_string(&a.public_jwk()).unwrap();
    assert!(pubj.starts_with("{\"alg\":\"RS256\",\"e\":\"AQAB\",\"kid\":\""));
}

#[test]
fn kid_override_changes_header_only() {
    let a = SigningKey::from_pem(PEM_A).unwrap();
    let b = a.with_kid(KeyId::new("my-kid").unwrap());
    assert_eq!(b.kid().as_str(), "my-kid");
    assert_eq!(b.verifying_key().kid().as_str(), "my-kid");
    assert_eq!(b.thumbprint(), *a.kid());
    assert_eq!(
        b64url(b.header_b64()),
        br#"{"kid":"my-kid","alg":"RS256"}"#.to_vec()
    );
}

#[test]
fn small_and_bad_keys_are_refused() {
    assert_eq!(
        SigningKey::from_pem(PEM_1024).unwrap_err(),
        KeyError::TooSmall { bits: 1024 }
    );
    // A JWK with a tampered prime is rejected by the backend, not accepted.
    let mut v: serde_json::Value = serde_json::from_str(RFC7515_A2_JWK).unwrap();
    v["p"] = serde_json::Value::String(v["q"].as_str().unwrap().to_string());
    assert!(SigningKey::from_jwk(&v.to_string()).is_err());
    let cases: Vec<(String, KeyError)> = vec![
        ("[]".into(), KeyError::BadJwk),
        ("{}".into(), KeyError::BadJwk),
        (r#"{"kty":"EC"}"#.into(), KeyError::NotRsa),
        (r#"{"kty":"RSA"}"#.into(), KeyError::JwkMember("n")),
        (
            RFC7515_A2_JWK.replace("\"kty\":\"RSA\",", "\"kty\":\"RSA\",\"alg\":\"RS512\","),
            KeyError::WrongUse,
        ),
        (
            RFC7515_A2_JWK.replace("\"kty\":\"RSA\",", "\"kty\":\"RSA\",\"use\":\"enc\","),
            KeyError::WrongUse,
        ),
        (
            RFC7515_A2_JWK.replace("\"kty\":\"RSA\",", "\"kty\":\"RSA\",\"oth\":[],"),
            KeyError::MultiPrime,
        ),
        (
            RFC7515_A2_JWK.replace("\"e\":\"AQAB\"", "\"e\":\"AQAB=\""),
            KeyError::JwkMember("e"),
        ),
        (
            RFC7515_A2_JWK.replace("\"e\":\"AQAB\"", "\"e\":\"\""),
            KeyError::JwkMember("e"),
        ),
    ];
    for (json, want) in cases {
        assert_eq!(SigningKey::from_jwk(&json).unwrap_err(), want, "{json}");
    }
}

#[test]
fn malformed_inputs_never_panic() {
    let der = SigningKey::from_pem(PEM_A).unwrap().to_pkcs8_der();
    let der = der.expose();
    for i in (0..der.len()).step_by(7) {
        let _ = SigningKey::from_pkcs8_der(&der[..i]);
        let _ = SigningKey::from_pkcs1_der(&der[..i]);
        let mut m = der.clone();
        m[i] ^= 0x5a;
        let _ = SigningKey::from_pkcs8_der(&m);
    }
    for junk in [
        "",
        "-----BEGIN RSA PRIVATE KEY-----\n-----END RSA PRIVATE KEY-----",
        "-----BEGIN PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n-----END PRIVATE KEY-----",
        "\u{0}\u{ffff}",
        "{\"kty\":\"RSA\",\"n\":1}",
    ] {
        assert!(SigningKey::from_pem(junk).is_err());
        assert!(SigningKey::from_jwk(junk).is_err());
    }
}

#[test]
fn debug_output_has_no_secrets() {
    let a = SigningKey::from_pem(PEM_A).unwrap();
    let dbg = format!("{a:?}");
    assert!(dbg.contains(a.kid().as_str()));
    let d = serde_json::from_str::<serde_json::Value>(a.to_private_jwk().expose()).unwrap();
    let d = d["d"].as_str().unwrap().to_string();
    assert!(!dbg.contains(&d[..20]));
    assert_eq!(format!("{:?}", a.to_pkcs8_pem()), "Secret([REDACTED])");
    let keys = pool(0);
    let dbg = format!("{keys:?}");
    assert!(!dbg.contains("PRIVATE KEY") && !dbg.contains(&d[..20]));
    let json = keys.to_json();
    assert_eq!(format!("{json:?}"), "Secret([REDACTED])");
}

#[cfg(feature = "aws-lc-rs")]
#[test]
fn generation_with_aws_lc() {
    for size in [RsaKeySize::Rsa2048, RsaKeySize::Rsa3072] {
        let k = SigningKey::generate(size).unwrap();
        assert_eq!(k.bits(), size.bits());
        let sig = k.sign_rs256(b"x").unwrap();
        assert!(k.verifying_key().verify_rs256(b"x", &sig));
    }
    let rng = cognate_types::danger::InsecureDeterministicRandom::new(1);
    let keys = PoolKeys::generate(
        RsaKeySize::Rsa2048,
        RotationPolicy::default(),
        UnixTime::from_secs(1),
        &rng,
    )
    .unwrap();
    assert_ne!(
        keys.active(TokenUse::Id).kid(),
        keys.active(TokenUse::Access).kid()
    );
}

#[cfg(not(feature = "aws-lc-rs"))]
#[test]
fn generation_is_unsupported_with_ring_alone() {
    assert_eq!(
        SigningKey::generate(RsaKeySize::Rsa2048).unwrap_err(),
        KeyError::GenerationUnsupported
    );
}

fn policy() -> RotationPolicy {
    RotationPolicy {
        propagation_delay: Duration::from_secs(600),
        max_token_lifetime: Duration::from_secs(3600),
        max_refresh_token_lifetime: Duration::from_secs(86_400),
    }
}

fn pool(t: u64) -> PoolKeys {
    PoolKeys::from_keys(
        SigningKey::from_pem(PEM_A).unwrap(),
        SigningKey::from_pem(PEM_B).unwrap(),
        RefreshKey::from_bytes(KeyId::new("r1").unwrap(), [1; 32]),
        policy(),
        UnixTime::from_secs(t),
    )
    .unwrap()
}

fn jwks_kids(keys: &PoolKeys) -> Vec<String> {
    keys.jwks()
        .keys
        .iter()
        .map(|k| k.kid.as_str().to_string())
        .collect()
}

#[test]
fn rotation_timeline() {
    let t0 = 1_000_000;
    let mut keys = pool(t0);
    let a = SigningKey::from_pem(PEM_A).unwrap();
    let b = SigningKey::from_pem(PEM_B).unwrap();
    let c = SigningKey::from_pem(PEM_C).unwrap();
    assert_eq!(jwks_kids(&keys), [a.kid().to_string(), b.kid().to_string()]);

    // Publish C as pending in the ID ring: in the JWKS, not signing.
    keys.add_pending(TokenUse::Id, c.clone(), UnixTime::from_secs(t0 + 10))
        .unwrap();
    assert_eq!(keys.active(TokenUse::Id).kid(), a.kid());
    assert_eq!(
        jwks_kids(&keys),
        [
            a.kid().to_string(),
            c.kid().to_string(),
            b.kid().to_string()
        ]
    );
    // Duplicate kids are refused (across rings too).
    assert_eq!(
        keys.add_pending(TokenUse::Access, c.clone(), UnixTime::from_secs(t0 + 10)),
        Err(KeySetError::DuplicateKid(c.kid().clone()))
    );

    // Activation is refused before the propagation delay.
    let early = keys
        .activate(
            TokenUse::Id,
            c.kid().as_str(),
            UnixTime::from_secs(t0 + 609),
        )
        .unwrap_err();
    assert_eq!(
        early,
        KeySetError::NotPropagated {
            kid: c.kid().clone(),
            ready_at: UnixTime::from_secs(t0 + 610)
        }
    );
    assert!(matches!(
        keys.activate(
            TokenUse::Id,
            a.kid().as_str(),
            UnixTime::from_secs(t0 + 700)
        ),
        Err(KeySetError::NotPending(_))
    ));
    assert!(matches!(
        keys.activate(TokenUse::Id, "nope", UnixTime::from_secs(t0 + 700)),
        Err(KeySetError::UnknownKid(_))
    ));

    // At the delay: C signs, A retires but stays published.
    let t_act = t0 + 610;
    keys.activate(TokenUse::Id, c.kid().as_str(), UnixTime::from_secs(t_act))
        .unwrap();
    assert_eq!(keys.active(TokenUse::Id).kid(), c.kid());
    let states: Vec<KeyState> = keys
        .entries(TokenUse::Id)
        .iter()
        .map(|e| e.state())
        .collect();
    assert_eq!(states, [KeyState::Active, KeyState::Retiring]);
    assert_eq!(
        jwks_kids(&keys),
        [
            c.kid().to_string(),
            a.kid().to_string(),
            b.kid().to_string()
        ]
    );

    // Retiring key published until retired_at + max token lifetime; pruned after.
    assert_eq!(keys.prune(UnixTime::from_secs(t_act + 3600)), 0);
    assert_eq!(keys.jwks().keys.len(), 3);
    assert_eq!(keys.prune(UnixTime::from_secs(t_act + 3601)), 1);
    assert_eq!(jwks_kids(&keys), [c.kid().to_string(), b.kid().to_string()]);

    // Refresh keys: new one active at once, old one kept for its tokens' lifetime.
    keys.rotate_refresh_key(
        RefreshKey::from_bytes(KeyId::new("r2").unwrap(), [2; 32]),
        UnixTime::from_secs(t0 + 100),
    )
    .unwrap();
    assert_eq!(keys.active_refresh_key().kid().as_str(), "r2");
    assert!(keys.refresh_key("r1").is_some());
    keys.prune(UnixTime::from_secs(t0 + 100 + 86_400));
    assert!(keys.refresh_key("r1").is_some());
    keys.prune(UnixTime::from_secs(t0 + 100 + 86_401));
    assert!(keys.refresh_key("r1").is_none());
    assert!(keys.refresh_key("r2").is_some());

    // The JWKS verifies what the active keys sign.
    let set: JwkSet = keys.verifying_keys();
    let k = keys.active(TokenUse::Id);
    let sig = k.sign_rs256(b"m").unwrap();
    assert!(set.get(k.kid().as_str()).unwrap().verify_rs256(b"m", &sig));
}

#[test]
fn keys_json_round_trip_and_validation() {
    let mut keys = pool(100);
    keys.add_pending(
        TokenUse::Access,
        SigningKey::from_pem(PEM_D).unwrap(),
        UnixTime::from_secs(200),
    )
    .unwrap();
    keys.add_pending(
        TokenUse::Id,
        SigningKey::from_pem(PEM_C)
            .unwrap()
            .with_kid(KeyId::new("custom-kid").unwrap()),
        UnixTime::from_secs(200),
    )
    .unwrap();
    keys.activate(TokenUse::Id, "custom-kid", UnixTime::from_secs(900))
        .unwrap();
    keys.rotate_refresh_key(
        RefreshKey::from_bytes(KeyId::new("r2").unwrap(), [2; 32]),
        UnixTime::from_secs(300),
    )
    .unwrap();
    let json = keys.to_json();
    let back = PoolKeys::from_json(json.expose()).unwrap();
    assert_eq!(back.jwks(), keys.jwks());
    assert_eq!(back.jwks().to_json(), keys.jwks().to_json());
    assert_eq!(back.active(TokenUse::Id).kid().as_str(), "custom-kid");
    assert_eq!(back.policy(), keys.policy());
    assert_eq!(back.active_refresh_key().kid().as_str(), "r2");
    assert_eq!(back.to_json().expose(), json.expose());

    let doc: serde_json::Value = serde_json::from_str(json.expose()).unwrap();
    let mutate = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut d = doc.clone();
        f(&mut d);
        PoolKeys::from_json(&d.to_string()).unwrap_err()
    };
    assert_eq!(
        mutate(&|d| d["version"] = 2.into()),
        KeySetError::UnsupportedVersion(2)
    );
    assert!(matches!(
        mutate(&|d| d["extra"] = 1.into()),
        KeySetError::Malformed(_)
    ));
    assert_eq!(
        mutate(&|d| d["id_token_keys"][1]["state"] = "active".into()),
        KeySetError::ActiveKeyCount {
            ring: TokenUse::Id,
            count: 2
        }
    );
    assert_eq!(
        mutate(&|d| d["access_token_keys"][0]["state"] = "pending".into()),
        KeySetError::ActiveKeyCount {
            ring: TokenUse::Access,
            count: 0
        }
    );
    assert!(matches!(
        mutate(&|d| d["id_token_keys"][1]["retired_at"] = serde_json::Value::Null),
        KeySetError::RetiredAtMismatch(_)
    ));
    assert!(matches!(
        mutate(&|d| {
            let kid = d["id_token_keys"][0]["kid"].clone();
            d["access_token_keys"][0]["kid"] = kid;
        }),
        KeySetError::DuplicateKid(_)
    ));
    assert!(matches!(
        mutate(&|d| d["refresh_token_keys"][0]["key"] = "AAAA".into()),
        KeySetError::BadRefreshKey(_)
    ));
    assert_eq!(
        mutate(&|d| d["refresh_token_keys"][1]["retired_at"] = serde_json::Value::Null),
        KeySetError::ActiveRefreshKeyCount(2)
    );
    assert!(matches!(
        mutate(&|d| d["id_token_keys"][0]["private_key_pem"] = PEM_1024.into()),
        KeySetError::Key {
            source: KeyError::TooSmall { bits: 1024 },
            ..
        }
    ));
    // Error messages never quote the private key text.
    let e = mutate(&|d| d["id_token_keys"][0]["published_at"] = "-----BEGIN PRIVATE".into());
    assert!(!e.to_string().contains("BEGIN"), "{e}");
    assert_eq!(
        PoolKeys::from_json(&" ".repeat(2 * 1024 * 1024)).unwrap_err(),
        KeySetError::TooLarge
    );
    for junk in [
        "",
        "null",
        "[]",
        "{",
        "{\"version\":1}",
        "{\"version\":\"1\"}",
    ] {
        assert!(PoolKeys::from_json(junk).is_err(), "{junk}");
    }
}
