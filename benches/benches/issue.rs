//! Issuing cost against the raw RSA signing operation.
//!
//! - `raw_sign/aws-lc-rs` and `raw_sign/ring`: one RS256 signature (PKCS#1 v1.5, SHA-256) of a
//!   Cognito access token's signing input with the same RSA-2048 key, through each backend
//!   Cognate offers. The faster of the two is the baseline.
//! - `issue_pair`: `TokenIssuer::issue_user_tokens` for a realistic user (groups, readable
//!   attributes, scopes): an ID token and an access token, i.e. two signatures plus the claims,
//!   UUIDs and base64url of both.
//! - `issue_pair_with_refresh`: the same plus a refresh token (dir + A256GCM JWE).
//! - `client_credentials`: one machine access token.
//!
//! After Criterion's report it prints the ratio measured in this run: the pair rate over the
//! raw signing rate of the fastest backend. Target: >= 0.45 (two signatures bound it at 0.5).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cognate_jwt::{
    PoolKeys, RotationPolicy, RsaKeySize, TokenIssuer, UserClaims, UserTokenRequest,
};
use cognate_types::{
    AttributeName, ClientId, GroupName, IssuerUrl, Scopes, Sub, SystemClock, SystemRandom,
    TokenUse, UnixTime, UserPoolId, Username,
};
use criterion::{criterion_group, Criterion};

struct Fixture {
    keys: PoolKeys,
    issuer: TokenIssuer,
    client: ClientId,
    user: UserClaims,
    scopes: Scopes,
    signing_input: Vec<u8>,
    aws: aws_lc_rs::signature::RsaKeyPair,
    ring: ring::signature::RsaKeyPair,
}

fn fixture() -> Fixture {
    let keys = PoolKeys::generate(
        RsaKeySize::Rsa2048,
        RotationPolicy::default(),
        UnixTime::from_secs(1_700_000_000),
        &SystemRandom,
    )
    .unwrap();
    let pool = UserPoolId::new("us-east-1_h6I5IqQSs").unwrap();
    let issuer = TokenIssuer::new(
        pool.clone(),
        IssuerUrl::cognito(&pool),
        Arc::new(SystemClock),
        Arc::new(SystemRandom),
    );
    let attr = |n: &str| AttributeName::new(n).unwrap();
    let user = UserClaims::new(
        Sub::new("7dca9b92-746b-4406-9f7d-3e58cd7b247f").unwrap(),
        Username::new("alice").unwrap(),
    )
    .with_group(GroupName::new("admins").unwrap())
    .with_group(GroupName::new("readers").unwrap())
    .with_attribute(attr("email"), "alice@example.com")
    .with_attribute(attr("email_verified"), "true")
    .with_attribute(attr("given_name"), "Alice")
    .with_attribute(attr("family_name"), "Liddell")
    .with_attribute(attr("custom:tenant"), "42");
    let scopes = Scopes::parse("aws.cognito.signin.user.admin openid profile").unwrap();
    let client = ClientId::new("5d586se3r976435167nk8k8s4h").unwrap();

    // The signing input of a real access token from this issuer: the raw baselines sign it.
    let token = issuer
        .issue_access_token(&keys, &UserTokenRequest::new(&client, &user, &scopes))
        .unwrap();
    let signing_input = token.rsplit_once('.').unwrap().0.as_bytes().to_vec();
    let der = keys.active(TokenUse::Access).to_pkcs8_der();
    let aws = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(der.expose()).unwrap();
    let ring = ring::signature::RsaKeyPair::from_pkcs8(der.expose()).unwrap();
    Fixture {
        keys,
        issuer,
        client,
        user,
        scopes,
        signing_input,
        aws,
        ring,
    }
}

fn sign_aws(f: &Fixture, rng: &aws_lc_rs::rand::SystemRandom) -> Vec<u8> {
    let mut sig = vec![0u8; f.aws.public_modulus_len()];
    f.aws
        .sign(
            &aws_lc_rs::signature::RSA_PKCS1_SHA256,
            rng,
            &f.signing_input,
            &mut sig,
        )
        .unwrap();
    sig
}

fn sign_ring(f: &Fixture, rng: &ring::rand::SystemRandom) -> Vec<u8> {
    let mut sig = vec![0u8; f.ring.public().modulus_len()];
    f.ring
        .sign(
            &ring::signature::RSA_PKCS1_SHA256,
            rng,
            &f.signing_input,
            &mut sig,
        )
        .unwrap();
    sig
}

fn pair(f: &Fixture, refresh: bool) -> cognate_jwt::IssuedTokens {
    let mut req = UserTokenRequest::new(&f.client, &f.user, &f.scopes);
    req.oauth = true;
    req.with_refresh_token = refresh;
    f.issuer.issue_user_tokens(&f.keys, &req).unwrap()
}

fn bench(c: &mut Criterion) {
    let f = fixture();
    let aws_rng = aws_lc_rs::rand::SystemRandom::new();
    let ring_rng = ring::rand::SystemRandom::new();
    eprintln!(
        "signing input: {} bytes, RSA-2048; cognate-jwt backend: {}",
        f.signing_input.len(),
        cognate_jwt::BACKEND_NAME
    );
    let mut g = c.benchmark_group("issue");
    g.sample_size(30).measurement_time(Duration::from_secs(6));
    g.bench_function("raw_sign/aws-lc-rs", |b| {
        b.iter(|| black_box(sign_aws(&f, &aws_rng)))
    });
    g.bench_function("raw_sign/ring", |b| {
        b.iter(|| black_box(sign_ring(&f, &ring_rng)))
    });
    g.bench_function("issue_pair", |b| b.iter(|| black_box(pair(&f, false))));
    g.bench_function("issue_pair_with_refresh", |b| {
        b.iter(|| black_box(pair(&f, true)))
    });
    g.bench_function("client_credentials", |b| {
        b.iter(|| {
            black_box(
                f.issuer
                    .issue_client_credentials(
                        &f.keys,
                        &f.client,
                        &f.scopes,
                        Duration::from_secs(3600),
                    )
                    .unwrap(),
            )
        })
    });
    g.finish();
}

/// Best-of-rounds mean time per call of `op`, rounds interleaved by the caller.
fn per_call(iters: u32, mut op: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..iters {
        op();
    }
    start.elapsed().as_secs_f64() / f64::from(iters)
}

fn ratios() {
    let f = fixture();
    let aws_rng = aws_lc_rs::rand::SystemRandom::new();
    let ring_rng = ring::rand::SystemRandom::new();
    let (mut aws, mut ring, mut pair_t) = (f64::MAX, f64::MAX, f64::MAX);
    for _ in 0..7 {
        aws = aws.min(per_call(150, || {
            black_box(sign_aws(&f, &aws_rng));
        }));
        ring = ring.min(per_call(150, || {
            black_box(sign_ring(&f, &ring_rng));
        }));
        pair_t = pair_t.min(per_call(75, || {
            black_box(pair(&f, false));
        }));
    }
    let fastest = aws.min(ring);
    let ratio = fastest / pair_t;
    println!();
    println!("issue ratios (this run, best of interleaved loops):");
    println!("  raw RS256 sign, aws-lc-rs   {:8.1}µs", aws * 1e6);
    println!("  raw RS256 sign, ring        {:8.1}µs", ring * 1e6);
    println!("  ID + access pair            {:8.1}µs", pair_t * 1e6);
    println!(
        "  pair rate / fastest raw sign rate = {ratio:.3}  (target >= 0.45): {}",
        if ratio >= 0.45 { "met" } else { "NOT met" }
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
    // `cargo test --benches` / `--list` runs must stay quick.
    if std::env::args().any(|a| a == "--bench") {
        ratios();
    }
}
