//! Shared fixtures for Cognate's Criterion benchmarks (`benches/benches/`) and the profiling
//! examples (`benches/examples/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use cognate_jwt::verify::{CognitoPool, CognitoVerifier};
use cognate_jwt::{JwkSet, RsaKeySize, SigningKey, VerifyingKey};
use cognate_types::{IssuerUrl, ManualClock, TokenUse, UnixTime, UserPoolId};

/// The pool of the verification fixture.
pub const POOL: &str = "us-east-1_h6I5IqQSs";
/// The app client of the verification fixture.
pub const CLIENT: &str = "5d586se3r976435167nk8k8s4h";
/// `iat` of the fixture token; the verifiers' clock stands a minute later.
pub const IAT: u64 = 1_673_913_192;

/// A realistic Cognito access token and what it takes to verify it.
pub struct VerifyFixture {
    /// The compact token (1162 bytes).
    pub token: String,
    /// `header.payload`, the bytes the signature covers.
    pub signing_input: Vec<u8>,
    /// The decoded RS256 signature.
    pub signature: Vec<u8>,
    /// The public key, as the verifier holds it (the raw-verify baseline).
    pub key: VerifyingKey,
    /// A verifier without the verified-token cache.
    pub uncached: CognitoVerifier,
    /// A verifier with the verified-token cache, the token already in it.
    pub cached: CognitoVerifier,
}

/// A fresh RSA-2048 key and a user access token as reference 2.3 shows one from the OAuth
/// endpoints: Cognito's member order, and `iss` and `kid` written with `\/` as Cognito's
/// serializer writes them.
pub fn verify_fixture() -> VerifyFixture {
    let signer = SigningKey::generate(RsaKeySize::Rsa2048).unwrap();
    let kid = signer.kid().clone();
    let pool: UserPoolId = POOL.parse().unwrap();
    let issuer = IssuerUrl::cognito(&pool);
    let payload = format!(
        concat!(
            r#"{{"sub":"7dca9b92-746b-4406-9f7d-3e58cd7b247f","cognito:groups":["{pool}_Google"],"#,
            r#""iss":"{iss}","version":2,"client_id":"{client}","origin_jti":"04ee7dcf-52a4-4d0c-9e4f-8b0a2f6f1c11","#,
            r#""event_id":"4cf13a31-757d-11e9-8b8d-91bb02a83dfa","token_use":"access","#,
            r#""scope":"aws.cognito.signin.user.admin openid profile","auth_time":{iat},"exp":{exp},"#,
            r#""iat":{iat},"jti":"c2061278-9a1b-4c3d-8e7f-0a1b2c3d4e5f","username":"google_117300206013007398924"}}"#
        ),
        pool = POOL,
        iss = issuer.as_str().replace('/', "\\/"),
        client = CLIENT,
        iat = IAT,
        exp = IAT + 3600,
    );
    let header = format!(
        r#"{{"kid":"{}","alg":"RS256"}}"#,
        kid.as_str().replace('/', "\\/")
    );
    let token = signer
        .sign_jws(header.as_bytes(), payload.as_bytes())
        .unwrap();
    let (input, _) = token.rsplit_once('.').unwrap();
    let jws = cognate_jwt::jws::parse_compact(&token, 16 * 1024).unwrap();
    let key = signer.verifying_key().clone();
    let clock = Arc::new(ManualClock::new(UnixTime::from_secs(IAT + 60)));
    let build = |cache: usize| {
        let v = CognitoVerifier::builder(TokenUse::Access)
            .user_pool(CognitoPool::new(pool.clone(), CLIENT.parse().unwrap()))
            .clock(clock.clone())
            .verified_token_cache(cache)
            .build()
            .unwrap();
        v.cache_jwks(&issuer, JwkSet::from_keys([key.clone()]))
            .unwrap();
        v.verify_sync(&token).unwrap();
        v
    };
    VerifyFixture {
        signing_input: input.as_bytes().to_vec(),
        signature: jws.signature,
        uncached: build(0),
        cached: build(1024),
        key,
        token,
    }
}

/// The arguments of the rate examples (`benches/examples/*_rate.rs`): `[SECONDS] [THREADS]`,
/// default 15 s and one thread per available core.
pub fn rate_args() -> (std::time::Duration, usize) {
    let mut args = std::env::args().skip(1);
    let seconds: f64 = args
        .next()
        .map(|s| s.parse().expect("SECONDS: a number"))
        .unwrap_or(15.0);
    let threads: usize = args
        .next()
        .map(|s| s.parse().expect("THREADS: a number"))
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    (std::time::Duration::from_secs_f64(seconds), threads)
}

/// Runs `op` in a loop on `threads` threads until `duration` has passed and returns the
/// operations completed and the seconds taken (every thread finishes the operation it started
/// before the deadline; the time runs until the last one is done).
pub fn rate_on_threads<F>(duration: std::time::Duration, threads: usize, op: F) -> (u64, f64)
where
    F: Fn() + Send + Sync + 'static,
{
    let op = Arc::new(op);
    let start = std::time::Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let op = op.clone();
            std::thread::spawn(move || {
                let mut n = 0u64;
                while start.elapsed() < duration {
                    op();
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total = handles.into_iter().map(|h| h.join().expect("thread")).sum();
    (total, start.elapsed().as_secs_f64())
}
