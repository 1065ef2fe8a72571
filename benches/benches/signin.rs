//! Sign-in through the user-pools engine (in process, JSON in and out, memory store), each
//! against the cost that bounds it, measured in the same run:
//!
//! * `USER_PASSWORD_AUTH` against one argon2id verification at the documented default
//!   parameters (the argon2 crate's: 19 MiB, 2 passes, 1 lane). Target: the sign-in within 10%
//!   of the hash (ratio of times <= 1.1).
//! * `REFRESH_TOKEN_AUTH` against two RS256 signatures (the ID and the access token it mints).
//!
//! The HTTP comparison with moto is in `benches/http/` (see docs/benchmarks.md).
//!
//! Run: `cargo bench -p cognate-benches --bench signin`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::time::Duration;

use cognate_jwt::{RsaKeySize, SigningKey};
use cognate_types::{ClientId, SystemRandom, UserPoolId};
use cognate_userpool::api::handle;
use cognate_userpool::model::{AppClient, ExplicitAuthFlow, UserPool};
use cognate_userpool::service::{Caller, PasswordHasher, UserPools, UserPoolsConfig};
use cognate_userpool::store::Store;
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};

const PASSWORD: &str = "Bench-passw0rd!";

fn setup() -> (UserPools, String) {
    let engine = UserPools::builder(Store::memory())
        .config(UserPoolsConfig {
            hasher: PasswordHasher::default(),
            ..Default::default()
        })
        .build();
    let now = engine.now();
    let pool_id = UserPoolId::new("us-east-1_Bench0001").unwrap();
    let pool = UserPool::new(pool_id.clone(), "bench", now);
    engine.store().create_pool(&pool).unwrap();
    let client_id = ClientId::generate(&SystemRandom).unwrap();
    let mut client = AppClient::new(pool_id.clone(), client_id.clone(), "bench", now);
    client.explicit_auth_flows = vec![
        ExplicitAuthFlow::AllowUserPasswordAuth,
        ExplicitAuthFlow::AllowRefreshTokenAuth,
    ];
    engine.store().create_client(&client).unwrap();
    let admin = Caller::Admin {
        access_key_id: "bench".to_owned(),
    };
    for (op, body) in [
        (
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": "bench", "MessageAction": "SUPPRESS"}),
        ),
        (
            "AdminSetUserPassword",
            json!({"UserPoolId": pool_id, "Username": "bench", "Password": PASSWORD,
                   "Permanent": true}),
        ),
    ] {
        let r = handle(
            &engine,
            &format!("AWSCognitoIdentityProviderService.{op}"),
            body.to_string().as_bytes(),
            &admin,
        );
        assert_eq!(r.status, 200, "{}", r.body);
    }
    (engine, client_id.to_string())
}

fn call(engine: &UserPools, body: &[u8]) -> Value {
    let r = handle(
        engine,
        "AWSCognitoIdentityProviderService.InitiateAuth",
        body,
        &Caller::Anonymous,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

fn bench(c: &mut Criterion) {
    let (engine, client) = setup();
    let password_body = json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
        "AuthParameters": {"USERNAME": "bench", "PASSWORD": PASSWORD}})
    .to_string();
    let first = call(&engine, password_body.as_bytes());
    let refresh_body = json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client,
        "AuthParameters": {"REFRESH_TOKEN": first["AuthenticationResult"]["RefreshToken"]}})
    .to_string();

    let hasher = PasswordHasher::default();
    let stored = hasher.hash(PASSWORD, &SystemRandom).unwrap();
    let key = SigningKey::generate(RsaKeySize::Rsa2048).unwrap();
    let payload = br#"{"sub":"00000000-0000-0000-0000-000000000000","token_use":"access"}"#;

    let mut g = c.benchmark_group("password_sign_in");
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    g.bench_function("baseline_argon2id_verify", |b| {
        b.iter(|| assert!(hasher.verify(black_box(&stored), black_box(PASSWORD))))
    });
    g.bench_function("initiate_auth_user_password_auth", |b| {
        b.iter(|| call(&engine, black_box(password_body.as_bytes())))
    });
    g.finish();

    let mut g = c.benchmark_group("refresh");
    g.sample_size(50).measurement_time(Duration::from_secs(8));
    g.bench_function("baseline_two_rs256_signatures", |b| {
        b.iter(|| {
            black_box(key.sign_rs256(black_box(payload)).unwrap());
            black_box(key.sign_rs256(black_box(payload)).unwrap());
        })
    });
    g.bench_function("initiate_auth_refresh_token_auth", |b| {
        b.iter(|| call(&engine, black_box(refresh_body.as_bytes())))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
