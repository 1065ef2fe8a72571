//! The authorization code exchange (`POST /oauth2/token`, `grant_type=authorization_code`,
//! client_secret_basic) through `AuthorizationServer::handle`, in process, against its signing
//! cost measured in the same run: the host's `TokenMinter::issue` alone (two RS256 signatures,
//! the ID and the access token, plus the sealed refresh token).
//!
//! The host is the one of the crate's conformance tests: tokens from cognate-jwt, codes in
//! `MemoryGrantStore`. What the exchange adds to the signing is cognate-oauth2's own work:
//! parsing the form and the Basic header, the constant-time secret check, reading the code
//! and two compare-and-swaps, PKCE, and the JSON response. Target: exchange / signing <= 1.2.
//!
//! Run: `cargo bench -p cognate-benches --bench oauth2`.
#![allow(
    missing_docs,
    unreachable_pub,
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../crates/cognate-oauth2/tests/common/mod.rs"]
mod common;
#[path = "../../crates/cognate-oauth2/tests/common/jwt_host.rs"]
mod jwt_host;

use std::hint::black_box;
use std::time::Duration;

use cognate_oauth2::{AuthenticatedUser, TokenMinter, UserGrant};
use cognate_types::Scopes;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

fn exchange(c: &mut Criterion) {
    let h = jwt_host::jwt_harness();
    let auth = common::basic(common::CONF, common::CONF_SECRET);
    let query = format!(
        "response_type=code&client_id={}&redirect_uri={}&scope=openid+email&nonce=n&code_challenge={}&code_challenge_method=S256",
        common::CONF,
        common::CB,
        common::CHALLENGE
    );
    let user = AuthenticatedUser::new("alice", h.clock_now());
    let new_code = || {
        let r = h.server.resume(&query, &user);
        let loc = r.headers()["location"].to_str().unwrap().to_owned();
        common::url_params(&loc)["code"].clone()
    };
    let request = |code: &str| {
        http::Request::builder()
            .method("POST")
            .uri("/oauth2/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("authorization", auth.as_str())
            .body(
                format!(
                    "grant_type=authorization_code&code={code}&redirect_uri={}&code_verifier={}",
                    common::CB,
                    common::VERIFIER
                )
                .into_bytes(),
            )
            .unwrap()
    };
    // Sanity: one exchange works.
    let r = h.server.handle(&request(&new_code()));
    assert_eq!(r.status(), 200, "{}", String::from_utf8_lossy(r.body()));

    let client = cognate_oauth2::ClientRegistry::client(&common::Clients, common::CONF)
        .unwrap()
        .unwrap();
    let scopes = Scopes::parse("openid email").unwrap();
    let grant = UserGrant {
        scopes: &scopes,
        nonce: Some("n"),
        refresh_token: true,
    };

    let mut g = c.benchmark_group("oauth2_code_exchange");
    g.measurement_time(Duration::from_secs(10));
    g.bench_function("baseline_minter_issue", |b| {
        b.iter(|| black_box(h.minter.issue(&client, &user, &grant).unwrap()))
    });
    g.bench_function("token_endpoint_code_exchange", |b| {
        b.iter_batched(
            || request(&new_code()),
            |req| {
                let r = h.server.handle(&req);
                assert_eq!(r.status(), 200);
                black_box(r)
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, exchange);
criterion_main!(benches);
