//! The bound on client_credentials token throughput set by RSA: RS256 signatures per second (a
//! machine-to-machine access token costs one), with the backend `cognate serve` uses
//! (cognate-jwt on aws-lc-rs, RSA-2048, a pre-parsed key), one thread per core, for a fixed
//! duration. Each signature covers a 472-byte input (the size of the `header.payload` of the
//! client_credentials access token `cognate serve` issues in `benches/http/token.sh`, which
//! runs this in the same run as the HTTP measurements). `rs256_pair_rate` is the same for pairs
//! (refresh, sign-in).
//!
//! Run: `cargo run --release -p cognate-benches --example rs256_sign_rate -- [SECONDS] [THREADS]`
//! (default 15 s, one thread per available core). Prints one line:
//! `RS256_SIGN threads=N seconds=F signatures=N rate=F ms_per_signature=F`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use cognate_benches::{rate_args, rate_on_threads};
use cognate_jwt::{RsaKeySize, SigningKey};

fn main() {
    let (duration, threads) = rate_args();
    let key = SigningKey::generate(RsaKeySize::Rsa2048).expect("key");
    let input = vec![b'e'; 472];
    let (n, secs) = rate_on_threads(duration, threads, move || {
        black_box(key.sign_rs256(black_box(&input)).expect("sign"));
    });
    let rate = n as f64 / secs;
    println!(
        "RS256_SIGN threads={threads} seconds={secs:.2} signatures={n} rate={rate:.1} \
         ms_per_signature={:.3}",
        1000.0 * threads as f64 / rate
    );
}
