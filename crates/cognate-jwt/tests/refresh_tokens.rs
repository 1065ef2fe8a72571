#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Refresh tokens: round trip, refresh keeps family and auth_time, tamper, wrong kid/pool/
//! client/user, expiry, revoked family, rotation, malformed inputs.

use std::sync::Arc;
use std::time::Duration;

use cognate_jwt::keyset::{PoolKeys, RotationPolicy};
use cognate_jwt::{
    InMemoryRevocations, IssueError, RefreshError, RefreshKey, RefreshRequest, SigningKey,
    TokenIssuer, TokenValidity, UserClaims, UserTokenRequest,
};
use cognate_types::danger::InsecureDeterministicRandom;
use cognate_types::{
    ClientId, IssuerUrl, KeyId, ManualClock, Scopes, Sub, TokenId, UnixTime, UserPoolId, Username,
};

const PEM_A: &str = include_str!("data/rsa2048-a.pem");
const PEM_B: &str = include_str!("data/rsa2048-b.pem");
const T0: u64 = 1_700_000_000;

struct Fixture {
    keys: PoolKeys,
    clock: Arc<ManualClock>,
    issuer: TokenIssuer,
    client: ClientId,
    user: UserClaims,
    scopes: Scopes,
}

fn fixture() -> Fixture {
    let keys = PoolKeys::from_keys(
        SigningKey::from_pem(PEM_A).unwrap(),
        SigningKey::from_pem(PEM_B).unwrap(),
        RefreshKey::from_bytes(KeyId::new("r1").unwrap(), [9; 32]),
        RotationPolicy::default(),
        UnixTime::from_secs(T0),
    )
    .unwrap();
    let clock = Arc::new(ManualClock::new(UnixTime::from_secs(T0)));
    let pool = UserPoolId::new("eu-west-1_Abc123").unwrap();
    let issuer = TokenIssuer::new(
        pool.clone(),
        IssuerUrl::cognito(&pool),
        clock.clone(),
        Arc::new(InsecureDeterministicRandom::new(3)),
    );
    Fixture {
        keys,
        clock,
        issuer,
        client: ClientId::new("client1").unwrap(),
        user: UserClaims::new(
            Sub::new("dea6a10f-8994-4a46-8a60-02983d63b50a").unwrap(),
            Username::new("alice").unwrap(),
        ),
        scopes: Scopes::parse("openid").unwrap(),
    }
}

fn sign_in(f: &Fixture) -> (String, TokenId) {
    let mut req = UserTokenRequest::new(&f.client, &f.user, &f.scopes);
    req.with_refresh_token = true;
    req.validity = TokenValidity::default()
        .with_refresh(Duration::from_secs(7200))
        .unwrap();
    let out = f.issuer.issue_user_tokens(&f.keys, &req).unwrap();
    (
        out.refresh_token.unwrap().expose().clone(),
        out.origin_jti.unwrap(),
    )
}

fn refresh_req<'a>(f: &'a Fixture, rev: &'a InMemoryRevocations) -> RefreshRequest<'a> {
    RefreshRequest {
        client_id: &f.client,
        user: &f.user,
        scopes: &f.scopes,
        validity: TokenValidity::default(),
        revocations: rev,
        rotate: false,
        oauth: false,
    }
}

fn payload(token: &str) -> serde_json::Value {
    let jws = cognate_jwt::jws::parse_compact(token, 99_999).unwrap();
    serde_json::from_slice(&jws.payload).unwrap()
}

#[test]
fn round_trip_and_refresh_keeps_family_and_auth_time() {
    let f = fixture();
    let (rt, family) = sign_in(&f);
    // Shape: compact JWE, dir + A256GCM, empty encrypted key, 96-bit IV, 128-bit tag.
    let parts: Vec<&str> = rt.split('.').collect();
    assert_eq!(parts.len(), 5);
    assert!(parts[1].is_empty());
    assert_eq!(parts[2].len(), 16);
    assert_eq!(parts[4].len(), 22);
    assert!(rt
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
    let rev = InMemoryRevocations::new();
    let claims = f
        .keys
        .open_refresh_token(
            &rt,
            f.issuer.pool(),
            &f.client,
            UnixTime::from_secs(T0),
            &rev,
        )
        .unwrap();
    assert_eq!(claims.origin_jti, family);
    assert_eq!(claims.exp, UnixTime::from_secs(T0 + 7200));
    assert_eq!(claims.auth_time, UnixTime::from_secs(T0));
    assert_eq!(claims.username.as_str(), "alice");

    f.clock.advance(Duration::from_secs(1800));
    let out = f
        .issuer
        .refresh(&f.keys, &rt, &refresh_req(&f, &rev))
        .unwrap();
    assert!(out.refresh_token.is_none());
    let at = payload(&out.access_token);
    let id = payload(out.id_token.as_deref().unwrap());
    for t in [&at, &id] {
        assert_eq!(t["origin_jti"], serde_json::json!(family.as_str()));
        assert_eq!(t["auth_time"], serde_json::json!(T0));
        assert_eq!(t["iat"], serde_json::json!(T0 + 1800));
    }

    // Rotation: a new refresh token of the same family, expiring with the old one.
    let mut req = refresh_req(&f, &rev);
    req.rotate = true;
    let out = f.issuer.refresh(&f.keys, &rt, &req).unwrap();
    let new_rt = out.refresh_token.unwrap();
    let c2 = f
        .keys
        .open_refresh_token(
            new_rt.expose(),
            f.issuer.pool(),
            &f.client,
            UnixTime::from_secs(T0 + 1800),
            &rev,
        )
        .unwrap();
    assert_eq!(c2.origin_jti, family);
    assert_eq!(c2.exp, claims.exp);
    assert_ne!(c2.jti, claims.jti);
}

#[test]
fn refusals() {
    let f = fixture();
    let (rt, family) = sign_in(&f);
    let rev = InMemoryRevocations::new();
    let open = |t: &str, client: &ClientId, now: u64, keys: &PoolKeys| {
        keys.open_refresh_token(t, f.issuer.pool(), client, UnixTime::from_secs(now), &rev)
    };
    // Wrong client.
    assert_eq!(
        open(&rt, &ClientId::new("other").unwrap(), T0, &f.keys).unwrap_err(),
        RefreshError::WrongClient
    );
    // Expired (exp is exclusive).
    assert_eq!(
        open(&rt, &f.client, T0 + 7200, &f.keys).unwrap_err(),
        RefreshError::Expired
    );
    assert!(open(&rt, &f.client, T0 + 7199, &f.keys).is_ok());
    // Wrong pool.
    let other_pool = UserPoolId::new("eu-west-1_Other").unwrap();
    assert_eq!(
        f.keys
            .open_refresh_token(&rt, &other_pool, &f.client, UnixTime::from_secs(T0), &rev)
            .unwrap_err(),
        RefreshError::WrongPool
    );
    // Unknown kid: a pool whose refresh key differs.
    let mut other = f.keys.clone();
    other
        .rotate_refresh_key(
            RefreshKey::from_bytes(KeyId::new("r2").unwrap(), [1; 32]),
            UnixTime::from_secs(T0),
        )
        .unwrap();
    other.prune(UnixTime::from_secs(u64::MAX));
    assert_eq!(
        open(&rt, &f.client, T0, &other).unwrap_err(),
        RefreshError::UnknownKey
    );
    // Same kid, other key bytes: the tag check fails.
    let same_kid = PoolKeys::from_keys(
        SigningKey::from_pem(PEM_A).unwrap(),
        SigningKey::from_pem(PEM_B).unwrap(),
        RefreshKey::from_bytes(KeyId::new("r1").unwrap(), [8; 32]),
        RotationPolicy::default(),
        UnixTime::from_secs(T0),
    )
    .unwrap();
    assert_eq!(
        open(&rt, &f.client, T0, &same_kid).unwrap_err(),
        RefreshError::Decryption
    );
    // Revoked family.
    rev.revoke_family(family, UnixTime::from_secs(T0 + 7200));
    assert_eq!(
        open(&rt, &f.client, T0, &f.keys).unwrap_err(),
        RefreshError::Revoked
    );
    assert_eq!(
        f.issuer
            .refresh(&f.keys, &rt, &refresh_req(&f, &rev))
            .unwrap_err(),
        IssueError::Refresh(RefreshError::Revoked)
    );
    // Another user.
    let rev2 = InMemoryRevocations::new();
    let bob = UserClaims::new(
        Sub::new("00000000-0000-4000-8000-000000000000").unwrap(),
        Username::new("bob").unwrap(),
    );
    let mut req = refresh_req(&f, &rev2);
    req.user = &bob;
    assert_eq!(
        f.issuer.refresh(&f.keys, &rt, &req).unwrap_err(),
        IssueError::UserMismatch
    );
}

#[test]
fn tampering_any_segment_is_refused() {
    let f = fixture();
    let (rt, _) = sign_in(&f);
    let rev = InMemoryRevocations::new();
    let open = |t: &str| {
        f.keys
            .open_refresh_token(t, f.issuer.pool(), &f.client, UnixTime::from_secs(T0), &rev)
    };
    let parts: Vec<String> = rt.split('.').map(String::from).collect();
    for seg in [0usize, 2, 3, 4] {
        for pos in [0, parts[seg].len() / 2, parts[seg].len() - 1] {
            let mut p = parts.clone();
            let mut bytes = p[seg].clone().into_bytes();
            bytes[pos] = if bytes[pos] == b'A' { b'B' } else { b'A' };
            p[seg] = String::from_utf8(bytes).unwrap();
            let t = p.join(".");
            if t == rt {
                continue;
            }
            assert!(open(&t).is_err(), "segment {seg} pos {pos}");
        }
    }
    // A non-empty encrypted-key segment, a header with an extra member, a reordered header.
    let mut p = parts.clone();
    p[1] = "AAAA".into();
    assert_eq!(
        open(&p.join(".")).unwrap_err(),
        RefreshError::UnexpectedEncryptedKey
    );
    use base64::Engine;
    let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    for h in [
        r#"{"alg":"dir","enc":"A256GCM","kid":"r1","zip":"DEF"}"#,
        r#"{"enc":"A256GCM","alg":"dir","kid":"r1"}"#,
        r#"{"alg":"RSA-OAEP","enc":"A256GCM","kid":"r1"}"#,
        r#"{"alg":"dir","enc":"A128GCM","kid":"r1"}"#,
        r#"{"alg":"dir","alg":"dir","enc":"A256GCM","kid":"r1"}"#,
        r#"{"alg":"dir","enc":"A256GCM","kid":1}"#,
    ] {
        let mut p = parts.clone();
        p[0] = enc(h);
        assert_eq!(
            open(&p.join(".")).unwrap_err(),
            RefreshError::BadHeader,
            "{h}"
        );
    }
}

#[test]
fn malformed_inputs_give_typed_errors() {
    let f = fixture();
    let (rt, _) = sign_in(&f);
    let rev = InMemoryRevocations::new();
    let open = |t: &str| {
        f.keys
            .open_refresh_token(t, f.issuer.pool(), &f.client, UnixTime::from_secs(T0), &rev)
    };
    let big = "a".repeat(5000);
    let access = f
        .issuer
        .issue_access_token(
            &f.keys,
            &UserTokenRequest::new(&f.client, &f.user, &f.scopes),
        )
        .unwrap();
    let cases: Vec<(&str, RefreshError)> = vec![
        ("", RefreshError::NotCompactJwe),
        ("....", RefreshError::NotCompactJwe),
        ("a.b.c", RefreshError::NotCompactJwe),
        (&access, RefreshError::NotCompactJwe),
        (&big, RefreshError::TooLarge),
        ("a.b.c.d.e.f", RefreshError::NotCompactJwe),
        (
            "!!..AAAAAAAAAAAAAAAA.AA.AAAAAAAAAAAAAAAAAAAAAA",
            RefreshError::Base64,
        ),
        (
            "e30..AAAAAAAAAAAAAAAA.AA.AAAAAAAAAAAAAAAAAAAAAA",
            RefreshError::BadHeader,
        ),
        (
            "bnVsbA..AAAAAAAAAAAAAAAA.AA.AAAAAAAAAAAAAAAAAAAAAA",
            RefreshError::BadHeader,
        ),
    ];
    for (t, want) in cases {
        assert_eq!(open(t).unwrap_err(), want, "{t}");
    }
    // Truncations and byte flips of a real token: always an error, never a panic.
    for i in 0..rt.len() {
        assert!(open(&rt[..i]).is_err());
    }
    for junk in ["\u{0}", "é.é.é.é.é", "..........", " . . . . "] {
        assert!(open(junk).is_err());
    }
}
