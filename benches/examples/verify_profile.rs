//! A loop over one verification, for instruction-level profiling (callgrind):
//! `valgrind --tool=callgrind target/release/examples/verify_profile full 2000`
//! (`raw` for the bare RS256 verify, `parse` for `parse_compact` alone).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::hint::black_box;

use cognate_benches::verify_fixture as fixture;

fn main() {
    let f = fixture();
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "full".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    for _ in 0..n {
        match mode.as_str() {
            "raw" => assert!(f
                .key
                .verify_rs256(black_box(&f.signing_input), black_box(&f.signature))),
            "parse" => {
                black_box(cognate_jwt::jws::parse_compact(black_box(&f.token), 16384).unwrap());
            }
            _ => {
                black_box(f.uncached.verify_sync(black_box(&f.token)).unwrap());
            }
        }
    }
    let _ = &f.cached;
}
