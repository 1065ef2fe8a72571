#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Quick timings behind docs/adr/0002-refresh-token-format.md and the issuing-overhead target.
//! Run: `cargo test --release -p cognate-jwt --test issue_timing -- --ignored --nocapture`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cognate_jwt::keyset::{PoolKeys, RotationPolicy};
use cognate_jwt::{
    InMemoryRevocations, RefreshKey, SigningKey, TokenIssuer, UserClaims, UserTokenRequest,
};
use cognate_types::{
    AttributeName, ClientId, GroupName, IssuerUrl, KeyId, Scopes, Sub, SystemClock, SystemRandom,
    UnixTime, UserPoolId, Username,
};

fn per_op(n: u32, mut f: impl FnMut()) -> Duration {
    for _ in 0..n / 10 {
        f();
    }
    let t = Instant::now();
    for _ in 0..n {
        f();
    }
    t.elapsed() / n
}

#[test]
#[ignore]
fn timings() {
    let keys = PoolKeys::from_keys(
        SigningKey::from_pem(include_str!("data/rsa2048-a.pem")).unwrap(),
        SigningKey::from_pem(include_str!("data/rsa2048-b.pem")).unwrap(),
        RefreshKey::from_bytes(KeyId::new("r1").unwrap(), [9; 32]),
        RotationPolicy::default(),
        UnixTime::from_secs(0),
    )
    .unwrap();
    let pool = UserPoolId::new("us-east-1_Example1").unwrap();
    let issuer = TokenIssuer::new(
        pool.clone(),
        IssuerUrl::cognito(&pool),
        Arc::new(SystemClock),
        Arc::new(SystemRandom),
    );
    let client = ClientId::new("5hu48rd3mbfvr3t6d6r2rchapm").unwrap();
    let user = UserClaims::new(
        Sub::new("dea6a10f-8994-4a46-8a60-02983d63b50a").unwrap(),
        Username::new("alice").unwrap(),
    )
    .with_group(GroupName::new("admins").unwrap())
    .with_attribute(AttributeName::new("email").unwrap(), "alice@example.com")
    .with_attribute(AttributeName::new("email_verified").unwrap(), "true")
    .with_attribute(AttributeName::new("custom:tenant").unwrap(), "t-1");
    let scopes = Scopes::parse("openid email aws.cognito.signin.user.admin").unwrap();
    let mut req = UserTokenRequest::new(&client, &user, &scopes);
    req.oauth = true;

    let key = keys.active(cognate_types::TokenUse::Id);
    let input = vec![b'a'; 900];
    let n = 2000;
    let sign = per_op(n, || {
        std::hint::black_box(key.sign_rs256(&input).unwrap());
    });
    let pair = per_op(n, || {
        std::hint::black_box(issuer.issue_user_tokens(&keys, &req).unwrap());
    });
    let mut rreq = req.clone();
    rreq.with_refresh_token = true;
    let rt = issuer
        .issue_user_tokens(&keys, &rreq)
        .unwrap()
        .refresh_token
        .unwrap();
    let claims = keys
        .open_refresh_token(
            rt.expose(),
            &pool,
            &client,
            UnixTime::from_secs(0),
            &InMemoryRevocations::new(),
        )
        .unwrap();
    let m = 200_000;
    let seal = per_op(m, || {
        std::hint::black_box(keys.seal_refresh_token(&claims, &SystemRandom).unwrap());
    });
    let rev = InMemoryRevocations::new();
    let open = per_op(m, || {
        std::hint::black_box(
            keys.open_refresh_token(rt.expose(), &pool, &client, UnixTime::from_secs(0), &rev)
                .unwrap(),
        );
    });
    println!("backend: {}", cognate_jwt::BACKEND_NAME);
    println!("RSA-2048 RS256 sign (private-key op): {sign:?}");
    println!("ID+access pair (2 signs + claims): {pair:?}");
    println!(
        "pair rate / raw sign rate = {:.3}",
        sign.as_secs_f64() / pair.as_secs_f64()
    );
    println!(
        "refresh seal (dir+A256GCM): {seal:?}; open (strict): {open:?}; token length {}",
        rt.expose().len()
    );
}
