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
use std::time::{Duration, Instant};

use base64::Engine;

fn b64(d: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(d)
}
use cognate_jwt::verify::{CognitoPool, CognitoVerifier};
use cognate_jwt::JwkSet;
use cognate_types::TokenUse;
use criterion::{criterion_group, Criterion};

use cognate_benches::{verify_fixture as fixture, CLIENT, POOL};

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
