//! The Cognito and generic verifiers: real-shaped tokens, pools and clients, groups and
//! scopes, revocation, the verified-token cache, sync and async paths.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod verify_support;

use std::sync::Arc;
use std::time::Duration;

use cognate_jwt::verify::{
    Audience, CognitoPool, CognitoVerifier, ConfigError, JwksCache, JwtVerifier, VerifiedClaims,
    VerifyError,
};
use cognate_jwt::InMemoryRevocations;
use cognate_types::{TokenId, TokenUse, UnixTime};
use serde_json::{json, Value};
use verify_support::*;

#[test]
fn real_shaped_access_token() {
    let v = access_verifier();
    let claims = access_claims(POOL);
    let t = token(key(0), &claims);
    assert!((900..1300).contains(&t.len()), "{}", t.len());
    let c = v.verify_sync(&t).unwrap();
    assert_eq!(c.iss(), issuer(POOL));
    assert_eq!(c.sub(), Some("7dca9b92-746b-4406-9f7d-3e58cd7b247f"));
    assert_eq!(c.token_use(), Some(TokenUse::Access));
    assert_eq!(c.client_id(), Some(CLIENT));
    assert_eq!(c.username(), Some("google_117300206013007398924"));
    assert_eq!(c.user_name(), c.username());
    assert_eq!(
        c.groups().collect::<Vec<_>>(),
        [format!("{POOL}_Google").as_str(), "admins"]
    );
    assert!(c.in_group("admins"));
    assert!(c.has_scope("openid"));
    assert_eq!(
        c.scopes().collect::<Vec<_>>(),
        ["aws.cognito.signin.user.admin", "openid", "profile"]
    );
    assert_eq!(c.exp(), UnixTime::from_secs(EXP));
    assert_eq!(c.iat(), Some(UnixTime::from_secs(IAT)));
    assert_eq!(c.auth_time(), Some(UnixTime::from_secs(IAT)));
    assert_eq!(c.nbf(), None);
    assert_eq!(c.aud(), None);
    assert_eq!(c.jti(), Some("c2061278-9a1b-4c3d-8e7f-0a1b2c3d4e5f"));
    assert_eq!(c.origin_jti(), Some("04ee7dcf-52a4-4d0c-9e4f-8b0a2f6f1c11"));
    assert_eq!(c.event_id(), Some("4cf13a31-757d-11e9-8b8d-91bb02a83dfa"));
    assert_eq!(c.extra().get("version"), Some(&json!(2)));
    // The claims serialize back to the same JSON object.
    assert_eq!(c.to_json_value(), claims);
    assert_eq!(serde_json::from_str::<Value>(&c.to_json()).unwrap(), claims);
    // Same result through the async path.
    assert_eq!(pollster::block_on(v.verify(&t)).unwrap(), c);
}

#[test]
fn real_shaped_id_token() {
    let v = verifier(TokenUse::Id, clock(NOW));
    let claims = id_claims(POOL);
    let c = v.verify_sync(&token(key(0), &claims)).unwrap();
    assert_eq!(c.token_use(), Some(TokenUse::Id));
    assert_eq!(c.aud(), Some(&Audience::One(CLIENT.into())));
    assert_eq!(c.cognito_username(), Some("google_117300206013007398924"));
    assert_eq!(c.user_name(), c.cognito_username());
    assert_eq!(c.extra_str("custom:user_id"), Some("331535"));
    assert_eq!(c.extra().get("email_verified"), Some(&json!(false)));
    assert_eq!(c.extra()["identities"][0]["issuer"], Value::Null);
    assert_eq!(c.to_json_value(), claims);
}

#[test]
fn cognito_escaped_slashes_and_2019_api_token() {
    // Cognito writes `\/` in `iss`; the 2019 API-issued shape has no version or groups.
    let v = access_verifier();
    let iss = issuer(POOL).replace('/', "\\/");
    let payload = format!(
        r#"{{"sub":"dea6a10f-8994-4a46-8a60-02983d63b50a","event_id":"4cf13a31-757d-11e9-8b8d-91bb02a83dfa","token_use":"access","scope":"aws.cognito.signin.user.admin","auth_time":{IAT},"iss":"{iss}","exp":{EXP},"iat":{IAT},"jti":"0a1b2c3d-0000-4000-8000-000000000001","client_id":"{CLIENT}","username":"lucentej_331535"}}"#
    );
    let c = v
        .verify_sync(&sign_json(&header(key(0)), &payload, key(0)))
        .unwrap();
    assert_eq!(c.iss(), issuer(POOL));
    assert_eq!(c.groups().count(), 0);
    assert!(c.extra().is_empty());
}

#[test]
fn client_credentials_token() {
    let v = access_verifier();
    let claims = json!({
        "sub": CLIENT, "token_use": "access", "scope": "orders/read orders/write",
        "auth_time": IAT, "iss": issuer(POOL), "exp": EXP, "iat": IAT, "version": 2,
        "jti": "0a1b2c3d-0000-4000-8000-000000000002", "client_id": CLIENT
    });
    let c = v.verify_sync(&token(key(0), &claims)).unwrap();
    assert_eq!(c.user_name(), None);
    assert_eq!(c.sub(), Some(CLIENT));
}

#[test]
fn multiple_pools_with_their_own_clients() {
    let v = CognitoVerifier::builder(TokenUse::Access)
        .user_pool(CognitoPool::new(
            POOL.parse().unwrap(),
            CLIENT.parse().unwrap(),
        ))
        .user_pool(
            CognitoPool::new(POOL2.parse().unwrap(), CLIENT2.parse().unwrap())
                .client_id("anotherclient".parse().unwrap()),
        )
        .clock(clock(NOW))
        .build()
        .unwrap();
    assert_eq!(v.pools().len(), 2);
    v.cache_jwks_for_pool(&POOL.parse().unwrap(), jwks(&[key(0)]))
        .unwrap();
    v.cache_jwks_for_pool(&POOL2.parse().unwrap(), jwks(&[key(1)]))
        .unwrap();
    v.verify_sync(&token(key(0), &access_claims(POOL))).unwrap();
    let p2 = |client: &str| {
        token(
            key(1),
            &with(access_claims(POOL2), "client_id", json!(client)),
        )
    };
    v.verify_sync(&p2(CLIENT2)).unwrap();
    v.verify_sync(&p2("anotherclient")).unwrap();
    // Pool 1's client is not accepted for pool 2's tokens.
    assert_eq!(
        v.verify_sync(&p2(CLIENT)).unwrap_err(),
        VerifyError::ClientIdMismatch
    );
    assert_eq!(
        CognitoVerifier::builder(TokenUse::Id)
            .user_pool(CognitoPool::new(
                POOL.parse().unwrap(),
                CLIENT.parse().unwrap()
            ))
            .user_pool(CognitoPool::new(
                POOL.parse().unwrap(),
                CLIENT2.parse().unwrap()
            ))
            .build()
            .unwrap_err(),
        ConfigError::DuplicateIssuer
    );
    assert_eq!(
        CognitoVerifier::builder(TokenUse::Id).build().unwrap_err(),
        ConfigError::NoIssuer
    );
}

fn builder() -> cognate_jwt::verify::CognitoVerifierBuilder {
    CognitoVerifier::builder(TokenUse::Access)
        .user_pool(CognitoPool::new(
            POOL.parse().unwrap(),
            CLIENT.parse().unwrap(),
        ))
        .clock(clock(NOW))
}

fn built(b: cognate_jwt::verify::CognitoVerifierBuilder) -> CognitoVerifier {
    let v = b.build().unwrap();
    v.cache_jwks(&issuer_url(POOL), jwks(&[key(0)])).unwrap();
    v
}

#[test]
fn groups_and_scopes() {
    let t = token(key(0), &access_claims(POOL));
    let ok = built(builder().groups(["nobody".parse().unwrap(), "admins".parse().unwrap()]));
    ok.verify_sync(&t).unwrap();
    let no = built(builder().groups(["nobody".parse().unwrap()]));
    assert_eq!(
        no.verify_sync(&t).unwrap_err(),
        VerifyError::GroupNotAllowed
    );
    let no_groups = token(key(0), &without(access_claims(POOL), "cognito:groups"));
    assert_eq!(
        ok.verify_sync(&no_groups).unwrap_err(),
        VerifyError::GroupNotAllowed
    );

    let s = built(builder().scopes(["orders/read".parse().unwrap(), "openid".parse().unwrap()]));
    s.verify_sync(&t).unwrap();
    let s2 = built(builder().scopes(["orders/read".parse().unwrap()]));
    let e = s2.verify_sync(&t).unwrap_err();
    assert_eq!(e, VerifyError::ScopeNotAllowed);
    assert_eq!(
        (e.oauth_error(), e.http_status()),
        ("insufficient_scope", 403)
    );
    let no_scope = token(key(0), &without(access_claims(POOL), "scope"));
    assert_eq!(
        s.verify_sync(&no_scope).unwrap_err(),
        VerifyError::ScopeNotAllowed
    );
    // A scope that is only a prefix or substring does not count.
    let sub = token(
        key(0),
        &with(access_claims(POOL), "scope", json!("openidx  profile")),
    );
    assert_eq!(
        s.verify_sync(&sub).unwrap_err(),
        VerifyError::ScopeNotAllowed
    );
}

#[test]
fn revocation_by_family_and_by_token() {
    let revoked = Arc::new(InMemoryRevocations::new());
    let v = built(
        builder()
            .revocation(revoked.clone())
            .verified_token_cache(100),
    );
    let t = token(key(0), &access_claims(POOL));
    v.verify_sync(&t).unwrap();
    assert_eq!(v.cached_tokens(), 1);
    revoked.revoke_family(
        TokenId::new("04ee7dcf-52a4-4d0c-9e4f-8b0a2f6f1c11").unwrap(),
        UnixTime::from_secs(EXP),
    );
    // Refused on the cached path too.
    let e = v.verify_sync(&t).unwrap_err();
    assert_eq!(e, VerifyError::Revoked);
    assert_eq!((e.oauth_error(), e.http_status()), ("invalid_token", 401));
    let other_family = token(
        key(0),
        &with(
            access_claims(POOL),
            "origin_jti",
            json!("11111111-2222-4333-8444-555555555555"),
        ),
    );
    v.verify_sync(&other_family).unwrap();
    revoked.revoke_token(
        TokenId::new("c2061278-9a1b-4c3d-8e7f-0a1b2c3d4e5f").unwrap(),
        UnixTime::from_secs(EXP),
    );
    assert_eq!(
        v.verify_sync(&other_family).unwrap_err(),
        VerifyError::Revoked
    );
    assert_eq!(
        pollster::block_on(v.verify(&other_family)).unwrap_err(),
        VerifyError::Revoked
    );
}

#[test]
fn verified_token_cache_enforces_exp_and_is_bounded() {
    let clock = clock(NOW);
    let v = CognitoVerifier::builder(TokenUse::Access)
        .user_pool(CognitoPool::new(
            POOL.parse().unwrap(),
            CLIENT.parse().unwrap(),
        ))
        .clock(clock.clone())
        .clock_skew(Duration::from_secs(5))
        .verified_token_cache(2)
        .build()
        .unwrap();
    v.cache_jwks(&issuer_url(POOL), jwks(&[key(0)])).unwrap();
    let t = token(key(0), &access_claims(POOL));
    let first = v.verify_sync(&t).unwrap();
    assert_eq!(v.cached_tokens(), 1);
    // Drop every key: only the cache can still answer for this token.
    v.cache_jwks(&issuer_url(POOL), cognate_jwt::JwkSet::new())
        .unwrap();
    assert_eq!(v.verify_sync(&t).unwrap(), first);
    assert_eq!(pollster::block_on(v.verify(&t)).unwrap(), first);
    // A different token is not served from the cache.
    let other = token(key(0), &with(access_claims(POOL), "jti", json!("x")));
    assert_eq!(v.verify_sync(&other).unwrap_err(), VerifyError::UnknownKid);
    // A token that differs only in its signature's last character is not a hit either.
    let mut tampered = t.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'Q' } else { 'A' });
    assert!(v.verify_sync(&tampered).is_err());
    // exp is still enforced on hits, with the skew.
    clock.set(UnixTime::from_secs(EXP + 4));
    assert_eq!(v.verify_sync(&t).unwrap(), first);
    clock.set(UnixTime::from_secs(EXP + 5));
    assert!(matches!(
        v.verify_sync(&t).unwrap_err(),
        VerifyError::Expired { .. }
    ));
    assert_eq!(v.cached_tokens(), 0, "expired entry dropped");

    // Bounded: three tokens through a cache of two.
    clock.set(UnixTime::from_secs(NOW));
    v.cache_jwks(&issuer_url(POOL), jwks(&[key(0)])).unwrap();
    for i in 0..3 {
        let t = token(
            key(0),
            &with(access_claims(POOL), "jti", json!(format!("j{i}"))),
        );
        v.verify_sync(&t).unwrap();
    }
    assert_eq!(v.cached_tokens(), 2);
    // Failed verifications are never cached.
    let bad = token(
        key(0),
        &with(access_claims(POOL), "client_id", json!("nope")),
    );
    assert!(v.verify_sync(&bad).is_err());
    assert_eq!(v.cached_tokens(), 2);
}

#[test]
fn cache_is_per_verifier_configuration() {
    // An access verifier with a cache, and an ID verifier sharing its JWKS cache: the
    // access token cached by the first is still refused by the second.
    let jwks_cache = Arc::new(JwksCache::new());
    let access = CognitoVerifier::builder(TokenUse::Access)
        .user_pool(CognitoPool::new(
            POOL.parse().unwrap(),
            CLIENT.parse().unwrap(),
        ))
        .clock(clock(NOW))
        .jwks_cache(jwks_cache.clone())
        .verified_token_cache(10)
        .build()
        .unwrap();
    let id = CognitoVerifier::builder(TokenUse::Id)
        .user_pool(CognitoPool::new(
            POOL.parse().unwrap(),
            CLIENT.parse().unwrap(),
        ))
        .clock(clock(NOW))
        .jwks_cache(jwks_cache.clone())
        .verified_token_cache(10)
        .build()
        .unwrap();
    access
        .cache_jwks(&issuer_url(POOL), jwks(&[key(0)]))
        .unwrap();
    let t = token(key(0), &access_claims(POOL));
    access.verify_sync(&t).unwrap();
    access.verify_sync(&t).unwrap();
    assert!(matches!(
        id.verify_sync(&t).unwrap_err(),
        VerifyError::TokenUseMismatch { .. }
    ));
}

#[test]
fn custom_check_runs_on_every_verification() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let runs = Arc::new(AtomicUsize::new(0));
    let r = runs.clone();
    let v = built(
        builder()
            .verified_token_cache(10)
            .custom_check(move |c: &VerifiedClaims| {
                r.fetch_add(1, Ordering::SeqCst);
                if c.extra_str("custom:tenant") == Some("blocked") {
                    Err("tenant blocked".into())
                } else {
                    Ok(())
                }
            }),
    );
    let t = token(key(0), &access_claims(POOL));
    v.verify_sync(&t).unwrap();
    v.verify_sync(&t).unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 2);
    let blocked = token(
        key(0),
        &with(access_claims(POOL), "custom:tenant", json!("blocked")),
    );
    assert_eq!(
        v.verify_sync(&blocked).unwrap_err(),
        VerifyError::Rejected("tenant blocked".into())
    );
}

#[test]
fn generic_jwt_verifier() {
    let iss: cognate_types::IssuerUrl = "https://login.example.com/".parse().unwrap();
    assert_eq!(
        JwtVerifier::builder()
            .issuer(iss.clone())
            .build()
            .unwrap_err(),
        ConfigError::NoAudience
    );
    assert_eq!(
        JwtVerifier::builder().audience("a").build().unwrap_err(),
        ConfigError::NoIssuer
    );
    let v = JwtVerifier::builder()
        .issuer_with_jwks_uri(iss.clone(), "https://login.example.com/keys")
        .audience("api")
        .clock(clock(NOW))
        .build()
        .unwrap();
    v.cache_jwks(&iss, jwks(&[key(0)])).unwrap();
    let claims = json!({"iss": iss.as_str(), "aud": "api", "sub": "u", "exp": EXP, "nbf": IAT, "iat": IAT,
                        "scope": "read", "custom": {"nested": [1, 2]}});
    let c = v.verify_sync(&token(key(0), &claims)).unwrap();
    assert_eq!(c.to_json_value(), claims);
    // Exact issuer string, trailing slash included.
    let no_slash = with(claims.clone(), "iss", json!("https://login.example.com"));
    assert_eq!(
        v.verify_sync(&token(key(0), &no_slash)).unwrap_err(),
        VerifyError::IssuerMismatch
    );
    // The audience check can only be skipped by name.
    let any = JwtVerifier::builder()
        .issuer(iss.clone())
        .insecure_skip_audience_check()
        .clock(clock(NOW))
        .build()
        .unwrap();
    any.cache_jwks(&iss, jwks(&[key(0)])).unwrap();
    any.verify_sync(&token(key(0), &without(claims.clone(), "aud")))
        .unwrap();
    // The generic verifier does not require token_use; it does require exp.
    assert_eq!(
        v.verify_sync(&token(key(0), &without(claims, "exp")))
            .unwrap_err(),
        VerifyError::MissingClaim("exp")
    );
}

#[test]
fn sync_and_async_agree_on_errors() {
    let v = access_verifier();
    let cases = [
        token(key(0), &access_claims(POOL)),
        token(key(0), &id_claims(POOL)),
        token(key(1), &access_claims(POOL)),
        token(key(0), &with(access_claims(POOL), "exp", json!(IAT))),
        "garbage".to_owned(),
    ];
    for t in &cases {
        assert_eq!(v.verify_sync(t), pollster::block_on(v.verify(t)));
    }
}

#[test]
fn error_wire_mapping() {
    assert_eq!(VerifyError::BadSignature.http_status(), 401);
    assert_eq!(VerifyError::BadSignature.oauth_error(), "invalid_token");
    assert_eq!(VerifyError::GroupNotAllowed.http_status(), 403);
    assert_eq!(VerifyError::JwksNoUsableKeys.http_status(), 503);
    // Token-supplied text in errors is bounded.
    let v = access_verifier();
    let h = json!({"alg": "x".repeat(5000), "kid": "k"}).to_string();
    let e = v.verify_sync(&sign_json(&h, "{}", key(0))).unwrap_err();
    assert!(e.to_string().len() < 200, "{e}");
}

#[test]
fn verifiers_and_claims_are_thread_safe() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<CognitoVerifier>();
    send_sync::<JwtVerifier>();
    send_sync::<VerifiedClaims>();
    send_sync::<VerifyError>();
    send_sync::<JwksCache>();
    fn send<T: Send>(_: &T) {}
    let v = access_verifier();
    send(&v.verify("t"));
}

#[test]
fn mutated_tokens_never_panic_and_never_verify() {
    // A small deterministic fuzz: flip, insert, delete and truncate characters of a valid
    // token; every result must be an error (or the untouched token), never a panic.
    let v = built(builder().verified_token_cache(16));
    let good = token(key(0), &access_claims(POOL));
    v.verify_sync(&good).unwrap();
    let alphabet = b"AZaz09-_.=+/ {}\"\\\x00";
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3000 {
        let mut t = good.clone().into_bytes();
        for _ in 0..=(next() % 3) {
            if t.is_empty() {
                break;
            }
            let i = (next() as usize) % t.len();
            match next() % 4 {
                0 => t[i] = alphabet[(next() as usize) % alphabet.len()],
                1 => t.insert(i, alphabet[(next() as usize) % alphabet.len()]),
                2 => {
                    t.remove(i);
                }
                _ => t.truncate(i),
            }
        }
        let Ok(t) = String::from_utf8(t) else {
            continue;
        };
        if t == good {
            continue;
        }
        assert!(v.verify_sync(&t).is_err(), "{t}");
    }
}
