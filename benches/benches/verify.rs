//! Verifier cost against the raw RSA operation.
//!
//! - `raw_rs256`: `VerifyingKey::verify_rs256` alone on a token's signing input and signature
//!   (SHA-256 plus the RSA-2048 public-key operation): the floor.
//! - `verify_uncached`: `CognitoVerifier::verify_sync` on the same Cognito access token
//!   (size check, base64url, header, typed claims, issuer, kid lookup, signature, checks).
//! - `verify_cached`: the same with the verified-token cache, the token already in it.
//!
//! After Criterion's report it prints the ratios measured in this run (interleaved timing
//! loops): targets are raw/uncached >= 0.93 and uncached/cached >= 10. With
//! `VERIFY_BREAKDOWN=1` it also times the parts of the uncached path that are not RSA
//! (base64url, header, the whole structural parse, verification up to the key lookup).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine;
use cognate_jwt::jwk::{rsa_thumbprint_kid, Jwks, PublicJwk};
use cognate_jwt::verify::{CognitoPool, CognitoVerifier};
use cognate_jwt::JwkSet;
use cognate_types::{IssuerUrl, ManualClock, TokenUse, UnixTime, UserPoolId};
use criterion::{criterion_group, Criterion};

const POOL: &str = "us-east-1_h6I5IqQSs";
const CLIENT: &str = "5d586se3r976435167nk8k8s4h";
const IAT: u64 = 1_673_913_192;

struct Fixture {
    token: String,
    signing_input: Vec<u8>,
    signature: Vec<u8>,
    key: cognate_jwt::VerifyingKey,
    uncached: CognitoVerifier,
    cached: CognitoVerifier,
}

fn b64(d: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(d)
}

/// `RSAPublicKey ::= SEQUENCE { n INTEGER, e INTEGER }` into n and e.
fn pkcs1(der: &[u8]) -> (Vec<u8>, Vec<u8>) {
    fn tlv(b: &[u8]) -> (&[u8], &[u8]) {
        let (len, hdr) = if b[1] < 0x80 {
            (b[1] as usize, 2)
        } else {
            let k = (b[1] & 0x7f) as usize;
            (
                b[2..2 + k].iter().fold(0usize, |a, &x| a << 8 | x as usize),
                2 + k,
            )
        };
        (&b[hdr..hdr + len], &b[hdr + len..])
    }
    let (seq, _) = tlv(der);
    let (n, rest) = tlv(seq);
    let (e, _) = tlv(rest);
    let strip = |x: &[u8]| {
        x.iter()
            .skip_while(|&&b| b == 0)
            .copied()
            .collect::<Vec<u8>>()
    };
    (strip(n), strip(e))
}

fn fixture() -> Fixture {
    let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
    let (n, e) = pkcs1(pair.public_key().as_ref());
    let kid = rsa_thumbprint_kid(&n, &e);
    let pool: UserPoolId = POOL.parse().unwrap();
    let issuer = IssuerUrl::cognito(&pool);
    // Reference 2.3: a user access token from the OAuth endpoints, in Cognito's member order.
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
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let mut sig = vec![0u8; pair.public_modulus_len()];
    pair.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .unwrap();
    let token = format!("{input}.{}", b64(&sig));
    let jwks = Jwks {
        keys: vec![PublicJwk::rsa(kid.clone(), &n, &e)],
    }
    .to_json();
    let clock = Arc::new(ManualClock::new(UnixTime::from_secs(IAT + 60)));
    let build = |cache: usize| {
        let v = CognitoVerifier::builder(TokenUse::Access)
            .user_pool(CognitoPool::new(pool.clone(), CLIENT.parse().unwrap()))
            .clock(clock.clone())
            .verified_token_cache(cache)
            .build()
            .unwrap();
        v.cache_jwks(&issuer, JwkSet::parse(jwks.as_bytes()).unwrap())
            .unwrap();
        v.verify_sync(&token).unwrap();
        v
    };
    let set = JwkSet::parse(jwks.as_bytes()).unwrap();
    Fixture {
        signing_input: input.into_bytes(),
        signature: sig,
        key: set.get(kid.as_str()).unwrap().clone(),
        uncached: build(0),
        cached: build(1024),
        token,
    }
}

fn bench_verify(c: &mut Criterion) {
    let f = fixture();
    eprintln!(
        "access token: {} bytes, RSA-2048, backend {}",
        f.token.len(),
        cognate_jwt::BACKEND_NAME
    );
    let mut g = c.benchmark_group("verify");
    g.bench_function("raw_rs256", |b| {
        b.iter(|| {
            assert!(f
                .key
                .verify_rs256(black_box(&f.signing_input), black_box(&f.signature)))
        })
    });
    g.bench_function("verify_uncached", |b| {
        b.iter(|| f.uncached.verify_sync(black_box(&f.token)).unwrap())
    });
    g.bench_function("verify_cached", |b| {
        b.iter(|| f.cached.verify_sync(black_box(&f.token)).unwrap())
    });
    g.finish();
}

/// Time per call of `op`, best of several rounds.
fn per_call(rounds: usize, iters: u32, mut op: impl FnMut()) -> Duration {
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iters {
                op();
            }
            start.elapsed() / iters
        })
        .min()
        .unwrap_or_default()
}

fn print_ratios() {
    let f = fixture();
    let (mut raw, mut full, mut hit) = (Duration::MAX, Duration::MAX, Duration::MAX);
    // Interleave the three so drift affects them alike.
    for _ in 0..5 {
        raw = raw.min(per_call(3, 2000, || {
            assert!(f
                .key
                .verify_rs256(black_box(&f.signing_input), black_box(&f.signature)))
        }));
        full = full.min(per_call(3, 2000, || {
            black_box(f.uncached.verify_sync(black_box(&f.token)).unwrap());
        }));
        hit = hit.min(per_call(3, 20_000, || {
            black_box(f.cached.verify_sync(black_box(&f.token)).unwrap());
        }));
    }
    if std::env::var_os("VERIFY_BREAKDOWN").is_some() {
        let parse = per_call(5, 20_000, || {
            black_box(cognate_jwt::jws::parse_compact(black_box(&f.token), 16384).unwrap());
        });
        let jws = cognate_jwt::jws::parse_compact(&f.token, 16384).unwrap();
        let claims_json = jws.payload.clone();
        let json = per_call(5, 20_000, || {
            black_box(
                serde_json::from_slice::<serde_json::Value>(black_box(&claims_json)).unwrap(),
            );
        });
        let other = CognitoVerifier::builder(TokenUse::Access)
            .user_pool(CognitoPool::new(
                POOL.parse().unwrap(),
                CLIENT.parse().unwrap(),
            ))
            .build()
            .unwrap();
        let nokey = per_call(5, 20_000, || {
            black_box(other.verify_sync(black_box(&f.token)).is_err());
        });
        let segs: Vec<String> = f.token.split('.').map(str::to_owned).collect();
        let b64t = per_call(5, 20_000, || {
            for s in &segs {
                black_box(
                    base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .decode(black_box(s))
                        .unwrap(),
                );
            }
        });
        let hdr = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&segs[0])
            .unwrap();
        let hp = per_call(5, 20_000, || {
            black_box(cognate_jwt::jws::parse_header(black_box(&hdr)).unwrap());
        });
        println!("b64 {b64t:?} header {hp:?}");
        // The same token with a signature that fails: everything but the claim checks.
        let (body, sig) = f.token.rsplit_once('.').unwrap();
        let mut sig_bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(sig)
            .unwrap();
        sig_bytes[100] ^= 1;
        let badsig = format!("{body}.{}", b64(&sig_bytes));
        let bad = per_call(5, 2000, || {
            black_box(f.uncached.verify_sync(black_box(&badsig)).is_err());
        });
        let rawbad = per_call(5, 2000, || {
            black_box(
                f.key
                    .verify_rs256(black_box(&f.signing_input), black_box(&sig_bytes)),
            );
        });
        println!("bad signature: full {bad:?} raw {rawbad:?}");
        let set = JwkSet::from_keys([f.key.clone()]);
        let kid = f.key.kid().as_str().to_owned();
        let lookup = per_call(5, 20_000, || {
            black_box(set.get(black_box(&kid)).cloned());
        });
        let raw_then_parse = per_call(5, 2000, || {
            black_box(cognate_jwt::jws::parse_compact(black_box(&f.token), 16384).unwrap());
            black_box(
                f.key
                    .verify_rs256(black_box(&f.signing_input), black_box(&f.signature)),
            );
        });
        println!("kid lookup+clone {lookup:?}  parse_compact+raw {raw_then_parse:?}");
        println!("parse_compact {parse:?}  serde_json skim of payload (IgnoredAny) {json:?}  verify up to key lookup (unknown kid) {nokey:?}");
    }
    let ratio_full = raw.as_secs_f64() / full.as_secs_f64();
    let ratio_cache = full.as_secs_f64() / hit.as_secs_f64();
    println!();
    println!("verify ratios (this run, best of interleaved loops):");
    println!("  raw RS256 verify        {:>10.2?}", raw);
    println!("  full verify (uncached)  {:>10.2?}", full);
    println!("  cached verify           {:>10.2?}", hit);
    println!(
        "  raw / full    = {ratio_full:.3}  (target >= 0.93): {}",
        if ratio_full >= 0.93 { "met" } else { "NOT met" }
    );
    println!(
        "  full / cached = {ratio_cache:.1}x (target >= 10x): {}",
        if ratio_cache >= 10.0 {
            "met"
        } else {
            "NOT met"
        }
    );
}

criterion_group!(benches, bench_verify);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    print_ratios();
}
