//! Part B of the security catalogue (JWT-01 … JWT-21), as it applies to the verifier.
//!
//! Tested here: JWT-01, 02, 03, 04, 05, 06, 07, 08, 09, 10, 11, 12, 13, 15, 16, 17, 18, 19.
//! REL-07 (JWKS fetching) is in `verify_jwks_cache.rs`.
//!
//! Not applicable to the verifier:
//! - JWT-14 (weak HMAC keys): the verifier accepts no HMAC algorithm at all (JWT-02 shows an
//!   HS256 token is refused whatever the key), so there is no HMAC key to be weak.
//! - JWT-20 (issued-token conformance): an issuer-side property, tested with token issuing.
//! - JWT-21 (side channels): verification handles only public data (public keys, signatures,
//!   claims); there is no secret to compare in constant time. RSA runs in aws-lc-rs or ring.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod verify_support;

use std::io::ErrorKind;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::hmac;
use cognate_jwt::jws::{JwsError, Segment};
use cognate_jwt::verify::{CognitoPool, CognitoVerifier, JwksCache, JwtVerifier, VerifyError};
use cognate_jwt::JwkSet;
use cognate_types::{TokenUse, UnixTime};
use serde_json::{json, Value};
use verify_support::*;

fn sync_err(v: &CognitoVerifier, t: &str) -> VerifyError {
    v.verify_sync(t).unwrap_err()
}

/// A verifier whose cache is empty and whose fetcher counts calls: anything that reached key
/// lookup would fetch.
fn fetching_verifier() -> (CognitoVerifier, Arc<CountingFetcher>) {
    let fetcher = CountingFetcher::serving(&[key(0)]);
    let cache = Arc::new(JwksCache::with_fetcher(fetcher.clone()));
    let v = CognitoVerifier::builder(TokenUse::Access)
        .user_pool(CognitoPool::new(
            POOL.parse().unwrap(),
            CLIENT.parse().unwrap(),
        ))
        .clock(clock(NOW))
        .jwks_cache(cache)
        .build()
        .unwrap();
    (v, fetcher)
}

fn payload() -> String {
    access_claims(POOL).to_string()
}

/// Header and payload JSON with an arbitrary signature segment (no key involved).
fn raw(header: &str, payload: &str, sig: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64(header.as_bytes()),
        b64(payload.as_bytes()),
        b64(sig)
    )
}

#[test]
fn baseline_tokens_verify() {
    let v = access_verifier();
    let c = v.verify_sync(&token(key(0), &access_claims(POOL))).unwrap();
    assert_eq!(c.client_id(), Some(CLIENT));
}

#[test]
fn jwt_01_alg_none() {
    let (v, fetcher) = fetching_verifier();
    let kid = &key(0).kid;
    for alg in ["none", "None", "NONE", "nOnE"] {
        let h = json!({"alg": alg, "kid": kid}).to_string();
        let empty_sig = format!("{}.{}.", b64(h.as_bytes()), b64(payload().as_bytes()));
        assert!(matches!(
            v.verify_sync(&empty_sig).unwrap_err(),
            VerifyError::Malformed(JwsError::EmptySegment(Segment::Signature))
        ));
        let with_sig = raw(&h, &payload(), b"x");
        assert_eq!(
            v.verify_sync(&with_sig).unwrap_err(),
            VerifyError::AlgorithmNotAllowed(alg.into())
        );
        assert_eq!(
            pollster::block_on(v.verify(&with_sig)).unwrap_err(),
            VerifyError::AlgorithmNotAllowed(alg.into())
        );
    }
    assert_eq!(fetcher.calls(), 0, "refused before any key work");
}

#[test]
fn jwt_02_hs256_key_confusion() {
    let v = access_verifier();
    let k = key(0);
    let jwk_json = serde_json::to_string(&k.jwk()).unwrap();
    let hmac_keys: Vec<(&str, Vec<u8>)> = vec![
        ("pem with newlines", k.pem(true).into_bytes()),
        ("pem without newlines", k.pem(false).into_bytes()),
        ("spki der", k.spki_der()),
        ("pkcs1 der", k.pkcs1_der()),
        ("jwk json", jwk_json.into_bytes()),
        ("raw n", k.n()),
        ("n base64url", b64(&k.n()).into_bytes()),
    ];
    for alg in ["HS256", "RS256"] {
        let h = json!({"kid": k.kid, "alg": alg}).to_string();
        let input = format!("{}.{}", b64(h.as_bytes()), b64(payload().as_bytes()));
        for (form, secret) in &hmac_keys {
            let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret), input.as_bytes());
            let forged = format!("{input}.{}", b64(tag.as_ref()));
            let e = v.verify_sync(&forged).unwrap_err();
            let want = if alg == "HS256" {
                VerifyError::AlgorithmNotAllowed("HS256".into())
            } else {
                VerifyError::BadSignature
            };
            assert_eq!(e, want, "{alg} with {form}");
        }
    }
}

#[test]
fn jwt_03_psychic_es256() {
    let v = access_verifier();
    let kid = &key(0).kid;
    let der = base64::Engine::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        "MAYCAQACAQA",
    )
    .unwrap();
    for sig in [vec![0u8; 64], der] {
        let es = raw(
            &json!({"alg":"ES256","kid":kid}).to_string(),
            &payload(),
            &sig,
        );
        assert_eq!(
            sync_err(&v, &es),
            VerifyError::AlgorithmNotAllowed("ES256".into())
        );
        // The same zero/DER signatures under the token's own algorithm: just a bad signature.
        let rs = raw(&header(key(0)), &payload(), &sig);
        assert_eq!(sync_err(&v, &rs), VerifyError::BadSignature);
    }
    // A 256-byte all-zero "RSA signature" too.
    let rs = raw(&header(key(0)), &payload(), &[0u8; 256]);
    assert_eq!(sync_err(&v, &rs), VerifyError::BadSignature);
}

#[test]
fn jwt_04_kid_injection() {
    let (v, fetcher) = fetching_verifier();
    let claims = access_claims(POOL);
    let with_kid = |kid: Value| {
        let h = json!({"alg": "RS256", "kid": kid}).to_string();
        sign_json(&h, &claims.to_string(), key(0))
    };
    let mut errors = Vec::new();
    for kid in ["../../../../dev/null", "' OR '1'='1", "", "unknown-kid"] {
        errors.push(pollster::block_on(v.verify(&with_kid(json!(kid)))).unwrap_err());
    }
    // The first unknown kid fetches once (the JWKS has no such key), later ones are inside
    // the penalty box.
    assert_eq!(errors[0], VerifyError::UnknownKid);
    for e in &errors[1..] {
        assert_eq!(*e, VerifyError::JwksRateLimited);
    }
    assert_eq!(fetcher.calls(), 1);
    // 10 kB kid: only ever a map lookup, never found (key IDs are at most 256 characters).
    let long = with_kid(json!("k".repeat(10_000)));
    assert_eq!(v.verify_sync(&long).unwrap_err(), VerifyError::UnknownKid);
    // 20 kB: over the size limit before anything is decoded.
    let longer = with_kid(json!("k".repeat(20_000)));
    assert!(matches!(
        v.verify_sync(&longer).unwrap_err(),
        VerifyError::Malformed(JwsError::TooLarge { .. })
    ));
    // Not a string.
    for kid in [json!(1), json!({"a": 1}), json!(["x"]), json!(null)] {
        assert_eq!(
            v.verify_sync(&with_kid(kid)).unwrap_err(),
            VerifyError::Malformed(JwsError::HeaderMemberType("kid"))
        );
    }
    // Absent.
    let no_kid = sign_json(r#"{"alg":"RS256"}"#, &claims.to_string(), key(0));
    assert_eq!(v.verify_sync(&no_kid).unwrap_err(), VerifyError::MissingKid);
    assert_eq!(fetcher.calls(), 1);
}

#[test]
fn jwt_05_jku_x5u() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
    let (v, fetcher) = fetching_verifier();
    for member in ["jku", "x5u"] {
        let h = json!({"alg":"RS256","kid":"attacker","member":member}).to_string();
        let h = h.replace("\"member\"", &format!("\"{member}\"")).replace(
            &format!("\"{member}\":\"{member}\""),
            &format!("\"{member}\":\"{url}\""),
        );
        let t = sign_json(&h, &payload(), key(2));
        assert_eq!(
            pollster::block_on(v.verify(&t)).unwrap_err(),
            VerifyError::Malformed(JwsError::ForbiddenHeader(if member == "jku" {
                "jku"
            } else {
                "x5u"
            }))
        );
    }
    assert_eq!(
        fetcher.calls(),
        0,
        "no fetch at all, not even of the issuer's JWKS"
    );
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(
        listener.accept().unwrap_err().kind(),
        ErrorKind::WouldBlock,
        "the listener named in the token received no connection"
    );
}

#[test]
fn jwt_06_embedded_jwk_x5c() {
    let (v, fetcher) = fetching_verifier();
    let attacker = key(2);
    let jwk = serde_json::to_value(attacker.jwk()).unwrap();
    let cert = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        attacker.spki_der(),
    );
    for (member, value, name) in [("jwk", jwk, "jwk"), ("x5c", json!([cert]), "x5c")] {
        let mut h = json!({"alg":"RS256","kid":attacker.kid});
        h.as_object_mut().unwrap().insert(member.into(), value);
        let t = sign_json(&h.to_string(), &payload(), attacker);
        assert_eq!(
            pollster::block_on(v.verify(&t)).unwrap_err(),
            VerifyError::Malformed(JwsError::ForbiddenHeader(name))
        );
    }
    assert_eq!(fetcher.calls(), 0);
}

fn verifier_with_skew(now: u64, skew: u64) -> CognitoVerifier {
    let v = CognitoVerifier::builder(TokenUse::Access)
        .user_pool(CognitoPool::new(
            POOL.parse().unwrap(),
            CLIENT.parse().unwrap(),
        ))
        .clock(clock(now))
        .clock_skew(Duration::from_secs(skew))
        .build()
        .unwrap();
    v.cache_jwks(&issuer_url(POOL), jwks(&[key(0)])).unwrap();
    v
}

#[test]
fn jwt_07_exp() {
    let t = token(key(0), &access_claims(POOL));
    // No skew: valid strictly before exp.
    assert!(verifier_with_skew(EXP - 1, 0).verify_sync(&t).is_ok());
    assert_eq!(
        verifier_with_skew(EXP, 0).verify_sync(&t).unwrap_err(),
        VerifyError::Expired {
            exp: UnixTime::from_secs(EXP),
            now: UnixTime::from_secs(EXP)
        }
    );
    // Skew of 30 s: skew-1 past exp accepted, skew+1 rejected.
    assert!(verifier_with_skew(EXP + 29, 30).verify_sync(&t).is_ok());
    assert!(matches!(
        verifier_with_skew(EXP + 31, 30)
            .verify_sync(&t)
            .unwrap_err(),
        VerifyError::Expired { .. }
    ));
    let v = access_verifier();
    let missing = token(key(0), &without(access_claims(POOL), "exp"));
    assert_eq!(sync_err(&v, &missing), VerifyError::MissingClaim("exp"));
    for bad in [
        json!("9999999999"),
        json!("never"),
        json!(1.5),
        json!(4_102_444_800.0_f64),
        json!(-1),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(253_402_300_800_u64),
        json!(null),
        json!([EXP]),
        json!({"exp": EXP}),
        json!(true),
    ] {
        let t = token(key(0), &with(access_claims(POOL), "exp", bad.clone()));
        assert_eq!(sync_err(&v, &t), VerifyError::ClaimType("exp"), "{bad}");
    }
    // Numbers beyond u64 and in exponent form, written by hand.
    for text in [
        "1e10",
        "18446744073709551616",
        "1.7e308",
        "99999999999999999999999999",
    ] {
        let p = payload().replace(&format!("\"exp\":{EXP}"), &format!("\"exp\":{text}"));
        assert_eq!(
            sync_err(&v, &sign_json(&header(key(0)), &p, key(0))),
            VerifyError::ClaimType("exp"),
            "{text}"
        );
    }
}

#[test]
fn jwt_08_nbf() {
    let v = verifier_with_skew(NOW, 10);
    let ok = token(key(0), &with(access_claims(POOL), "nbf", json!(NOW + 9)));
    assert!(v.verify_sync(&ok).is_ok());
    let future = token(key(0), &with(access_claims(POOL), "nbf", json!(NOW + 11)));
    assert_eq!(
        sync_err(&v, &future),
        VerifyError::NotYetValid {
            nbf: UnixTime::from_secs(NOW + 11),
            now: UnixTime::from_secs(NOW)
        }
    );
    let s = token(
        key(0),
        &with(access_claims(POOL), "nbf", json!(NOW.to_string())),
    );
    assert_eq!(sync_err(&v, &s), VerifyError::ClaimType("nbf"));
}

#[test]
fn jwt_09_iat_future() {
    let v = verifier_with_skew(NOW, 10);
    let ok = token(key(0), &with(access_claims(POOL), "iat", json!(NOW + 10)));
    assert!(v.verify_sync(&ok).is_ok());
    let future = token(key(0), &with(access_claims(POOL), "iat", json!(NOW + 11)));
    assert!(matches!(
        sync_err(&v, &future),
        VerifyError::IssuedInFuture { .. }
    ));
    let s = token(key(0), &with(access_claims(POOL), "iat", json!(1.0)));
    assert_eq!(sync_err(&v, &s), VerifyError::ClaimType("iat"));
}

fn jwt_verifier(extra: bool) -> JwtVerifier {
    let mut b = JwtVerifier::builder()
        .issuer("https://issuer.example".parse().unwrap())
        .audience("api-1")
        .audience("api-2")
        .clock(clock(NOW));
    if extra {
        b = b.allow_extra_audiences();
    }
    let v = b.build().unwrap();
    v.cache_jwks(&"https://issuer.example".parse().unwrap(), jwks(&[key(0)]))
        .unwrap();
    v
}

fn generic_claims(aud: Value) -> Value {
    json!({"iss":"https://issuer.example","sub":"s","aud":aud,"exp":EXP,"iat":IAT})
}

#[test]
fn jwt_10_audience() {
    let strict = jwt_verifier(false);
    let lax = jwt_verifier(true);
    for aud in [json!("api-1"), json!(["api-2"]), json!(["api-1", "api-2"])] {
        let t = token(key(0), &generic_claims(aud.clone()));
        assert!(strict.verify_sync(&t).is_ok(), "{aud}");
        assert!(lax.verify_sync(&t).is_ok(), "{aud}");
    }
    // An extra unknown audience: refused by the strict default, accepted on request.
    let extra = token(key(0), &generic_claims(json!(["api-1", "evil"])));
    assert_eq!(
        strict.verify_sync(&extra).unwrap_err(),
        VerifyError::AudienceMismatch
    );
    assert!(lax.verify_sync(&extra).is_ok());
    for aud in [json!("other"), json!([]), json!(["other"]), json!("")] {
        let t = token(key(0), &generic_claims(aud.clone()));
        assert_eq!(
            strict.verify_sync(&t).unwrap_err(),
            VerifyError::AudienceMismatch,
            "{aud}"
        );
        assert_eq!(
            lax.verify_sync(&t).unwrap_err(),
            VerifyError::AudienceMismatch,
            "{aud}"
        );
    }
    for aud in [
        json!(1),
        json!(["api-1", 2]),
        json!({"a": "api-1"}),
        json!(null),
    ] {
        let t = token(key(0), &generic_claims(aud.clone()));
        assert_eq!(
            strict.verify_sync(&t).unwrap_err(),
            VerifyError::ClaimType("aud"),
            "{aud}"
        );
    }
    let t = token(key(0), &without(generic_claims(json!("x")), "aud"));
    assert_eq!(
        strict.verify_sync(&t).unwrap_err(),
        VerifyError::MissingClaim("aud")
    );

    // Cognito ID token: `aud` is the client.
    let idv = verifier(TokenUse::Id, clock(NOW));
    assert!(idv.verify_sync(&token(key(0), &id_claims(POOL))).is_ok());
    for aud in [json!(CLIENT2), json!([CLIENT, CLIENT2])] {
        let t = token(key(0), &with(id_claims(POOL), "aud", aud));
        assert_eq!(
            idv.verify_sync(&t).unwrap_err(),
            VerifyError::AudienceMismatch
        );
    }
    let t = token(key(0), &without(id_claims(POOL), "aud"));
    assert_eq!(
        idv.verify_sync(&t).unwrap_err(),
        VerifyError::MissingClaim("aud")
    );
    // Cognito access token: `client_id` is the client, `aud` absent (or the same client).
    let v = access_verifier();
    let t = token(
        key(0),
        &with(access_claims(POOL), "client_id", json!(CLIENT2)),
    );
    assert_eq!(sync_err(&v, &t), VerifyError::ClientIdMismatch);
    let t = token(key(0), &without(access_claims(POOL), "client_id"));
    assert_eq!(sync_err(&v, &t), VerifyError::MissingClaim("client_id"));
    let t = token(key(0), &with(access_claims(POOL), "aud", json!(CLIENT2)));
    assert_eq!(sync_err(&v, &t), VerifyError::AudienceMismatch);
    let t = token(key(0), &with(access_claims(POOL), "aud", json!(CLIENT)));
    assert!(v.verify_sync(&t).is_ok());
    // An ID token's `aud` does not stand in for an access token's `client_id`.
    let t = token(
        key(0),
        &with(
            without(access_claims(POOL), "client_id"),
            "aud",
            json!(CLIENT),
        ),
    );
    assert_eq!(sync_err(&v, &t), VerifyError::MissingClaim("client_id"));
}

#[test]
fn jwt_11_issuer() {
    // Two pools, each with its own key.
    let v = access_verifier();
    let other_pool = token(key(1), &access_claims(POOL2));
    assert_eq!(sync_err(&v, &other_pool), VerifyError::IssuerMismatch);
    // Signed with the other pool's key but claiming this pool: the key is not this issuer's.
    let wrong_key = token(key(1), &access_claims(POOL));
    assert_eq!(sync_err(&v, &wrong_key), VerifyError::UnknownKid);

    // A verifier for both pools: keys are per issuer, never shared.
    let both = CognitoVerifier::builder(TokenUse::Access)
        .user_pool(CognitoPool::new(
            POOL.parse().unwrap(),
            CLIENT.parse().unwrap(),
        ))
        .user_pool(CognitoPool::new(
            POOL2.parse().unwrap(),
            CLIENT.parse().unwrap(),
        ))
        .clock(clock(NOW))
        .build()
        .unwrap();
    both.cache_jwks(&issuer_url(POOL), jwks(&[key(0)])).unwrap();
    both.cache_jwks(&issuer_url(POOL2), jwks(&[key(1)]))
        .unwrap();
    assert!(both
        .verify_sync(&token(key(0), &access_claims(POOL)))
        .is_ok());
    assert!(both
        .verify_sync(&token(key(1), &access_claims(POOL2)))
        .is_ok());
    assert_eq!(
        both.verify_sync(&token(key(1), &access_claims(POOL)))
            .unwrap_err(),
        VerifyError::UnknownKid
    );
    assert_eq!(
        both.verify_sync(&token(key(0), &access_claims(POOL2)))
            .unwrap_err(),
        VerifyError::UnknownKid
    );

    let iss = issuer(POOL);
    for bad in [
        json!(format!("{iss}/")),
        json!(iss.to_uppercase()),
        json!(iss.replace("https", "http")),
        json!(format!("{iss} ")),
        json!("https://cognito-idp.us-east-1.amazonaws.com"),
    ] {
        let t = token(key(0), &with(access_claims(POOL), "iss", bad.clone()));
        assert_eq!(sync_err(&v, &t), VerifyError::IssuerMismatch, "{bad}");
    }
    for bad in [json!([iss]), json!(1), json!({"iss": iss}), json!(null)] {
        let t = token(key(0), &with(access_claims(POOL), "iss", bad.clone()));
        assert_eq!(sync_err(&v, &t), VerifyError::ClaimType("iss"), "{bad}");
    }
    let t = token(key(0), &without(access_claims(POOL), "iss"));
    assert_eq!(sync_err(&v, &t), VerifyError::MissingClaim("iss"));
}

#[test]
fn jwt_12_token_use() {
    let access = access_verifier();
    let id = verifier(TokenUse::Id, clock(NOW));
    let id_token = token(key(0), &id_claims(POOL));
    let access_token = token(key(0), &access_claims(POOL));
    assert_eq!(
        sync_err(&access, &id_token),
        VerifyError::TokenUseMismatch {
            expected: TokenUse::Access
        }
    );
    assert_eq!(
        id.verify_sync(&access_token).unwrap_err(),
        VerifyError::TokenUseMismatch {
            expected: TokenUse::Id
        }
    );
    for bad in ["foo", "ID", "Access", "", "refresh"] {
        let t = token(key(0), &with(access_claims(POOL), "token_use", json!(bad)));
        assert_eq!(
            sync_err(&access, &t),
            VerifyError::TokenUseMismatch {
                expected: TokenUse::Access
            }
        );
    }
    let t = token(key(0), &without(access_claims(POOL), "token_use"));
    assert_eq!(
        sync_err(&access, &t),
        VerifyError::MissingClaim("token_use")
    );
    let t = token(
        key(0),
        &with(access_claims(POOL), "token_use", json!(["access"])),
    );
    assert_eq!(sync_err(&access, &t), VerifyError::ClaimType("token_use"));
    // A Cognito refresh token (compact JWE, 5 segments) as a bearer token.
    let refresh = format!(
        "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.{}.{}.{}.{}",
        b64(&[1u8; 256]),
        b64(&[2u8; 12]),
        b64(&[3u8; 976]),
        b64(&[4u8; 16])
    );
    assert_eq!(
        sync_err(&access, &refresh),
        VerifyError::Malformed(JwsError::NotCompact { found: 5 })
    );
}

#[test]
fn jwt_13_crit() {
    let v = access_verifier();
    let kid = &key(0).kid;
    for h in [
        json!({"alg":"RS256","kid":kid,"crit":["exp-x"],"exp-x":1}),
        json!({"alg":"RS256","kid":kid,"crit":[]}),
        json!({"alg":"RS256","kid":kid,"crit":["alg"]}),
        json!({"alg":"RS256","kid":kid,"crit":["b64"],"b64":false}),
    ] {
        let t = sign_json(&h.to_string(), &payload(), key(0));
        // (`b64`, itself refused, may be met before `crit`.)
        assert!(
            matches!(
                sync_err(&v, &t),
                VerifyError::Malformed(JwsError::ForbiddenHeader("crit" | "b64"))
            ),
            "{h}"
        );
    }
}

#[test]
fn jwt_15_duplicate_members() {
    let v = access_verifier();
    let kid = &key(0).kid;
    // Header: `alg` twice (a parser keeping the last would see `none`), `kid` twice.
    for h in [
        format!(r#"{{"kid":"{kid}","alg":"RS256","alg":"none"}}"#),
        format!(r#"{{"kid":"{kid}","alg":"none","alg":"RS256"}}"#),
        format!(r#"{{"kid":"{kid}","kid":"{kid}","alg":"RS256"}}"#),
        format!(r#"{{"kid":"{kid}","alg":"RS256","x":1,"x":1}}"#),
    ] {
        let t = sign_json(&h, &payload(), key(0));
        assert_eq!(
            sync_err(&v, &t),
            VerifyError::Malformed(JwsError::DuplicateHeaderMember),
            "{h}"
        );
    }
    // Payload: typed claims, extra claims, and a duplicate spelled with an escape.
    let p = payload();
    let body = p.strip_suffix('}').unwrap();
    for (extra, name) in [
        (r#","sub":"admin""#, "sub"),
        (r#","exp":9999999999"#, "exp"),
        (r#","iss":"https://evil.example""#, "iss"),
        (r#","cognito:groups":["root"]"#, "cognito:groups"),
        (r#","version":3"#, "version"),
        (r#","custom:role":"a","custom:role":"b""#, "custom:role"),
        (r#","\u0073ub":"admin""#, "sub"),
    ] {
        let t = sign_json(&header(key(0)), &format!("{body}{extra}}}"), key(0));
        assert_eq!(
            sync_err(&v, &t),
            VerifyError::DuplicateClaim(name.into()),
            "{extra}"
        );
    }
}

#[test]
fn jwt_16_structure() {
    let v = access_verifier();
    let good = token(key(0), &access_claims(POOL));
    let parts: Vec<&str> = good.split('.').collect();
    let (h, p, s) = (parts[0], parts[1], parts[2]);
    let cases: Vec<(String, JwsError)> = vec![
        (h.to_owned(), JwsError::NotCompact { found: 1 }),
        (format!("{h}.{p}"), JwsError::NotCompact { found: 2 }),
        (
            format!("{h}.{p}.{s}.{s}"),
            JwsError::NotCompact { found: 4 },
        ),
        (String::new(), JwsError::NotCompact { found: 1 }),
        (
            format!("{h}..{s}"),
            JwsError::EmptySegment(Segment::Payload),
        ),
        (format!("{h}.{p}=.{s}"), JwsError::Base64(Segment::Payload)),
        (
            format!("{h}.{p}.{s}=="),
            JwsError::Base64(Segment::Signature),
        ),
        (
            format!("{h}.{}.{s}", p.replace('-', "+").replace('_', "/")),
            JwsError::Base64(Segment::Payload),
        ),
        (format!(" {h}.{p}.{s}"), JwsError::Base64(Segment::Header)),
        (
            format!("{h}.{p}.{s}\n"),
            JwsError::Base64(Segment::Signature),
        ),
        (
            format!("{}.{p}.{s}", b64(b"not json")),
            JwsError::HeaderNotJson,
        ),
        (
            format!("{}.{p}.{s}", b64(br#"{"alg":256,"kid":"k"}"#)),
            JwsError::HeaderMemberType("alg"),
        ),
        (
            format!("{}.{p}.{s}", b64(b"{\"alg\":\"RS256\",\"kid\":\"\xff\"}")),
            JwsError::HeaderNotJson,
        ),
    ];
    for (t, want) in cases {
        if t == good {
            // The payload had no `-` or `_` to swap for `+` or `/`.
            continue;
        }
        assert_eq!(sync_err(&v, &t), VerifyError::Malformed(want), "{t:?}");
    }
    // Non-canonical trailing bits in the signature (256 bytes: 2 spare bits).
    let mut tweaked = s.to_owned();
    let last = tweaked.pop().unwrap();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let idx = alphabet.find(last).unwrap();
    tweaked.push(alphabet.as_bytes()[idx ^ 1] as char);
    assert_eq!(
        sync_err(&v, &format!("{h}.{p}.{tweaked}")),
        VerifyError::Malformed(JwsError::Base64(Segment::Signature))
    );
    // Payloads that are not JSON objects, validly signed.
    for body in ["[]", "\"x\"", "null", "1", "not json", "{\"a\":1", "{}{}"] {
        let t = sign_json(&header(key(0)), body, key(0));
        assert_eq!(
            sync_err(&v, &t),
            VerifyError::PayloadNotJsonObject,
            "{body}"
        );
    }
    let t = sign_json(&header(key(0)), "{\"sub\":\"\u{0}\"}", key(0));
    assert_eq!(sync_err(&v, &t), VerifyError::PayloadNotJsonObject);
    // Invalid UTF-8 in the payload.
    let input = format!(
        "{}.{}",
        b64(header(key(0)).as_bytes()),
        b64(b"{\"sub\":\"\xc3\x28\"}")
    );
    let t = format!("{input}.{}", b64(&key(0).sign_raw(input.as_bytes())));
    assert_eq!(sync_err(&v, &t), VerifyError::PayloadNotJsonObject);
}

#[test]
fn jwt_17_size_and_depth() {
    let v = access_verifier();
    let mb = format!(
        "{}.{}.{}",
        "a".repeat(400_000),
        "b".repeat(400_000),
        "c".repeat(248_576)
    );
    assert!(matches!(
        sync_err(&v, &mb),
        VerifyError::Malformed(JwsError::TooLarge { max: 16_384 })
    ));
    let dots = ".".repeat(1 << 20);
    assert!(matches!(
        sync_err(&v, &dots),
        VerifyError::Malformed(JwsError::TooLarge { .. })
    ));
    let kb64 = token(
        key(0),
        &with(
            access_claims(POOL),
            "custom:blob",
            json!("x".repeat(48 * 1024)),
        ),
    );
    assert!(kb64.len() > 64 * 1024);
    assert!(matches!(
        sync_err(&v, &kb64),
        VerifyError::Malformed(JwsError::TooLarge { .. })
    ));
    // 100,000 claims: refused by size before decoding.
    let mut many = serde_json::Map::new();
    for i in 0..100_000 {
        many.insert(format!("c{i}"), json!(1));
    }
    let many = token(key(0), &Value::Object(many));
    assert!(matches!(
        sync_err(&v, &many),
        VerifyError::Malformed(JwsError::TooLarge { .. })
    ));

    // With a generous limit the parser itself bounds nesting (serde_json depth 128), in the
    // payload and in the header.
    let big = CognitoVerifier::builder(TokenUse::Access)
        .user_pool(CognitoPool::new(
            POOL.parse().unwrap(),
            CLIENT.parse().unwrap(),
        ))
        .clock(clock(NOW))
        .max_token_bytes(4 << 20)
        .build()
        .unwrap();
    big.cache_jwks(&issuer_url(POOL), jwks(&[key(0)])).unwrap();
    let p = payload();
    let body = p.strip_suffix('}').unwrap();
    for nested in [
        format!(",\"deep\":{}1{}", "[".repeat(10_000), "]".repeat(10_000)),
        format!(
            ",\"deep\":{}1{}",
            "{\"a\":".repeat(10_000),
            "}".repeat(10_000)
        ),
        format!(",\"aud\":{}1{}", "[".repeat(10_000), "]".repeat(10_000)),
    ] {
        let t = sign_json(&header(key(0)), &format!("{body}{nested}}}"), key(0));
        assert_eq!(
            big.verify_sync(&t).unwrap_err(),
            VerifyError::PayloadNotJsonObject
        );
    }
    let deep_header = format!(
        "{{\"alg\":\"RS256\",\"kid\":\"{}\",\"x\":{}1{}}}",
        key(0).kid,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let t = sign_json(&deep_header, &p, key(0));
    assert_eq!(
        big.verify_sync(&t).unwrap_err(),
        VerifyError::Malformed(JwsError::HeaderNotJson)
    );
    // 100,000 claims under the generous limit: parsed (linear work) and then refused for
    // missing claims; nothing blows up.
    assert_eq!(
        big.verify_sync(&many).unwrap_err(),
        VerifyError::MissingClaim("iss")
    );
}

#[test]
fn jwt_18_jwe_rejected() {
    let v = access_verifier();
    let jwe_header = r#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#;
    let five = format!(
        "{}.{}.{}.{}.{}",
        b64(jwe_header.as_bytes()),
        b64(&[1u8; 256]),
        b64(&[2u8; 12]),
        b64(payload().as_bytes()),
        b64(&[4u8; 16])
    );
    assert_eq!(
        sync_err(&v, &five),
        VerifyError::Malformed(JwsError::NotCompact { found: 5 })
    );
    // JWE-ish headers in a three-segment token.
    for h in [
        json!({"alg":"RS256","kid":key(0).kid,"enc":"A256GCM"}),
        json!({"alg":"RS256","kid":key(0).kid,"zip":"DEF"}),
    ] {
        let t = sign_json(&h.to_string(), &payload(), key(0));
        assert!(matches!(
            sync_err(&v, &t),
            VerifyError::Malformed(JwsError::ForbiddenHeader(_))
        ));
    }
    for alg in ["RSA-OAEP", "dir", "PBES2-HS256+A128KW"] {
        let h = json!({"alg":alg,"kid":key(0).kid});
        let t = sign_json(&h.to_string(), &payload(), key(0));
        assert_eq!(
            sync_err(&v, &t),
            VerifyError::AlgorithmNotAllowed(alg.into())
        );
    }
    // A nested token (cty: JWT) is refused too.
    let h = json!({"alg":"RS256","kid":key(0).kid,"cty":"JWT"});
    let t = sign_json(&h.to_string(), &payload(), key(0));
    assert_eq!(sync_err(&v, &t), VerifyError::HeaderNotAllowed("cty"));
}

#[test]
fn jwt_19_jwk_consistency() {
    let k = key(0);
    let good = serde_json::to_value(k.jwk()).unwrap();
    let variant = |f: &dyn Fn(&mut serde_json::Map<String, Value>)| {
        let mut v = good.clone();
        f(v.as_object_mut().unwrap());
        v
    };
    let unusable = vec![
        variant(&|m| {
            m.insert("alg".into(), json!("RS384"));
        }),
        variant(&|m| {
            m.insert("alg".into(), json!("HS256"));
        }),
        variant(&|m| {
            m.insert("use".into(), json!("enc"));
        }),
        variant(&|m| {
            m.remove("n");
        }),
        variant(&|m| {
            m.remove("e");
        }),
        variant(&|m| {
            m.insert("kty".into(), json!("EC"));
            m.insert("crv".into(), json!("P-256"));
        }),
        variant(&|m| {
            m.insert("kty".into(), json!("DSA"));
        }),
        variant(&|m| {
            // 1024-bit modulus.
            let mut n = vec![0xc5u8; 128];
            n[127] |= 1;
            m.insert("n".into(), json!(b64(&n)));
        }),
    ];
    let v = access_verifier();
    let t = token(k, &access_claims(POOL));
    for jwk in &unusable {
        let doc = json!({ "keys": [jwk] }).to_string();
        let set = JwkSet::parse(doc.as_bytes()).unwrap();
        assert!(set.is_empty(), "{jwk}");
        v.cache_jwks(&issuer_url(POOL), set).unwrap();
        assert_eq!(
            v.verify_sync(&t).unwrap_err(),
            VerifyError::UnknownKid,
            "{jwk}"
        );
    }
    // A mixed JWKS: the usable key still verifies (the bad ones carry other kids).
    let mut mixed: Vec<Value> = unusable
        .iter()
        .enumerate()
        .map(|(i, j)| {
            let mut j = j.clone();
            j["kid"] = json!(format!("other-{i}"));
            j
        })
        .collect();
    mixed.push(good.clone());
    let set = JwkSet::parse(json!({ "keys": mixed }).to_string().as_bytes()).unwrap();
    assert_eq!(set.len(), 1);
    v.cache_jwks(&issuer_url(POOL), set).unwrap();
    assert!(v.verify_sync(&t).is_ok());
    // The token's alg differing from the key's (RS256) is refused before the key is used.
    for alg in ["RS384", "RS512", "PS256"] {
        let h = json!({"alg": alg, "kid": k.kid}).to_string();
        let forged = sign_json(&h, &payload(), k);
        assert_eq!(
            v.verify_sync(&forged).unwrap_err(),
            VerifyError::AlgorithmNotAllowed(alg.into())
        );
    }
}
