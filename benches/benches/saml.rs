//! Full ACS validation (`ServiceProvider::finish_sign_in`: base64, the strict reader, the
//! wrapping checks, xmlsec verification, the re-parse of the signed bytes, every binding and
//! time check, the replay cache) against samael's own verify+parse of the same signed
//! response, in the same run: base64 decode, `XmlSec::reduce_xml_to_signed` (samael's default
//! reduce mode) and samael's serde parse of the result. Both verify the same RSA-2048
//! signature with xmlsec. Target: ours >= 0.85x samael's throughput.
//!
//! The responses are the fixtures of cognate-saml (`tests/fixtures/make.py`, signed by the
//! xmlsec1 CLI): one with the assertion signed, one with the response signed. The set-up is
//! shared with `benches/examples/saml_validate_rate.rs` (`benches/saml_acs.rs`), which
//! `benches/saml-node/run.sh` compares with node-saml.
//!
//! Run: `cargo bench -p cognate-benches --bench saml`.
#![allow(
    missing_docs,
    unreachable_pub,
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../saml_acs.rs"]
mod saml_acs;

use std::hint::black_box;
use std::time::Duration;

use base64::Engine;
use criterion::{criterion_group, criterion_main, Criterion};
use samael::crypto::{CertificateDer, CryptoProvider, ReduceMode, XmlSec};
use saml_acs::{common, encoded_fixture, Acs, FIXTURES};

fn samael_raw(encoded: &str, cert: &[CertificateDer], root_is_response: bool) -> usize {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    let xml = std::str::from_utf8(&bytes).unwrap();
    let reduced = XmlSec::reduce_xml_to_signed(xml, cert, ReduceMode::default()).unwrap();
    if root_is_response {
        let r: samael::schema::Response = reduced.parse().unwrap();
        r.id.len()
    } else {
        let a: samael::schema::Assertion = reduced.parse().unwrap();
        a.id.len()
    }
}

fn acs(c: &mut Criterion) {
    let acs = Acs::new();
    let idp_cert = common::metadata().signing_certificates[0].der().to_vec();
    let certs = [CertificateDer::from(idp_cert)];
    let mut g = c.benchmark_group("saml_acs");
    g.measurement_time(Duration::from_secs(8));
    for (name, root_is_response) in FIXTURES {
        let encoded = encoded_fixture(name);
        // Both paths accept the response before timing starts.
        assert!(samael_raw(&encoded, &certs, root_is_response) > 0);
        acs.validate(&encoded).unwrap();
        g.bench_function(format!("samael_raw_verify_parse/{name}"), |b| {
            b.iter(|| samael_raw(black_box(&encoded), &certs, root_is_response))
        });
        g.bench_function(format!("cognate_full_acs/{name}"), |b| {
            b.iter(|| acs.validate(black_box(&encoded)).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, acs);
criterion_main!(benches);
