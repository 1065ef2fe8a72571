//! The bound on `REFRESH_TOKEN_AUTH` throughput set by RSA: pairs of RS256 signatures per
//! second (a refresh mints an ID and an access token, two signatures), with the backend
//! `cognate serve` uses (cognate-jwt on aws-lc-rs, RSA-2048, a pre-parsed key), one thread per
//! core, for a fixed duration. Each pair signs two 770-byte inputs (the size of a Cognito
//! token's `header.payload`). `benches/http/run.sh` runs it in the same run as the HTTP
//! measurements.
//!
//! Run: `cargo run --release -p cognate-benches --example rs256_pair_rate -- [SECONDS] [THREADS]`
//! (default 15 s, one thread per available core). Prints one line:
//! `RS256_PAIR threads=N seconds=F pairs=N rate=F ms_per_pair=F`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use cognate_benches::{rate_args, rate_on_threads};
use cognate_jwt::{RsaKeySize, SigningKey};

fn main() {
    let (duration, threads) = rate_args();
    let id_key = SigningKey::generate(RsaKeySize::Rsa2048).expect("key");
    let access_key = SigningKey::generate(RsaKeySize::Rsa2048).expect("key");
    let input = vec![b'e'; 770];
    let (n, secs) = rate_on_threads(duration, threads, move || {
        black_box(id_key.sign_rs256(black_box(&input)).expect("sign"));
        black_box(access_key.sign_rs256(black_box(&input)).expect("sign"));
    });
    let rate = n as f64 / secs;
    println!(
        "RS256_PAIR threads={threads} seconds={secs:.2} pairs={n} rate={rate:.1} \
         ms_per_pair={:.2}",
        1000.0 * threads as f64 / rate
    );
}
