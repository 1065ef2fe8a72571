//! Full SAML ACS validations per second on one thread: `ServiceProvider::finish_sign_in` (every
//! check and the replay cache) of one of cognate-saml's signed fixtures, with the set-up of the
//! Criterion bench `saml` (`benches/saml_acs.rs`: the fixtures' SP, the clock pinned at the
//! fixtures' IssueInstant + 10 s, the pending SP-initiated sign-in, a replay cache doing one
//! set insert per call). `benches/saml-node/run.sh` runs it beside node-saml on the same
//! fixture for the same duration.
//!
//! Run: `cargo run --release -p cognate-benches --example saml_validate_rate -- [SECONDS]
//! [WARMUP] [FIXTURE...]` (default 10 s after a 2 s warm-up, both fixtures
//! `ok_assertion_signed` and `ok_response_signed`). Checks each fixture once and prints its
//! NameID, then one line per fixture:
//! `COGNATE_SAML fixture=NAME threads=1 seconds=F validations=N rate=F us_per_validation=F`.
#![allow(
    missing_docs,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

#[path = "../saml_acs.rs"]
mod saml_acs;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use cognate_benches::rate_on_threads;
use saml_acs::{encoded_fixture, Acs, FIXTURES};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut seconds = |default: f64| {
        Duration::from_secs_f64(
            args.next()
                .map_or(default, |s| s.parse().expect("SECONDS/WARMUP: a number")),
        )
    };
    let duration = seconds(10.0);
    let warmup = seconds(2.0);
    let mut names: Vec<String> = std::env::args().skip(3).collect();
    if names.is_empty() {
        names = FIXTURES.iter().map(|(n, _)| (*n).to_owned()).collect();
    }
    let acs = Arc::new(Acs::new());
    for name in names {
        let encoded = Arc::new(encoded_fixture(&name));
        let identity = acs
            .validate(&encoded)
            .unwrap_or_else(|e| panic!("{name}: refused: {e:?}"));
        println!("# {name}: accepted, NameID {:?}", identity.name_id.value);
        let op = {
            let (acs, encoded) = (acs.clone(), encoded.clone());
            move || {
                black_box(acs.validate(black_box(&encoded)).expect("validate"));
            }
        };
        let op = Arc::new(op);
        let warm = op.clone();
        rate_on_threads(warmup, 1, move || warm());
        let (n, secs) = rate_on_threads(duration, 1, move || op());
        let rate = n as f64 / secs;
        println!(
            "COGNATE_SAML fixture={name} threads=1 seconds={secs:.2} validations={n} \
             rate={rate:.1} us_per_validation={:.1}",
            1e6 / rate
        );
    }
}
