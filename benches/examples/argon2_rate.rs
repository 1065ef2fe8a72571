//! The bound on `USER_PASSWORD_AUTH` throughput set by the password hash: argon2id
//! verifications per second at the argon2 crate's defaults (what `cognate serve` uses,
//! `PasswordHasher::default()`: 19 MiB, 2 passes, 1 lane), one thread per core, for a fixed
//! duration. `benches/http/run.sh` runs it in the same run as the HTTP measurements and divides
//! the sign-in rate by it.
//!
//! Run: `cargo run --release -p cognate-benches --example argon2_rate -- [SECONDS] [THREADS]`
//! (default 15 s, one thread per available core). Prints one line:
//! `ARGON2 threads=N seconds=F verifications=N rate=F ms_per_verification=F`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use cognate_benches::{rate_args, rate_on_threads};
use cognate_types::SystemRandom;
use cognate_userpool::service::PasswordHasher;

const PASSWORD: &str = "Bench-passw0rd!";

fn main() {
    let (duration, threads) = rate_args();
    let hasher = PasswordHasher::default();
    let stored = hasher.hash(PASSWORD, &SystemRandom).expect("hash");
    assert!(hasher.verify(&stored, PASSWORD), "the hash does not verify");
    let (n, secs) = rate_on_threads(duration, threads, move || {
        assert!(hasher.verify(black_box(&stored), black_box(PASSWORD)));
    });
    let rate = n as f64 / secs;
    println!(
        "ARGON2 threads={threads} seconds={secs:.2} verifications={n} rate={rate:.1} \
         ms_per_verification={:.2}",
        1000.0 * threads as f64 / rate
    );
}
