//! USER_SRP_AUTH on the server: one full sign-in (`ServerHandshake::start`, which answers
//! `SRP_A` with `SRP_B`, then `ServerHandshake::verify` of the client's password claim) against
//! the cost of one raw 3072-bit modular exponentiation with a 3072-bit exponent, measured in the
//! same run. Also the parts of the sign-in, the client side, and the bignum alternatives ADR 0005
//! compares (crypto-bigint in constant time, num-bigint in variable time, for 3072-bit and
//! 256-bit exponents).
//!
//! Results are recorded in `docs/adr/0005-srp-bignum.md` and `docs/benchmarks.md`.
//!
//! Run: `cargo bench -p cognate-benches --bench srp`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use cognate_types::danger::InsecureDeterministicRandom;
use cognate_types::{RandomError, SecureRandom, SystemRandom, UnixTime};
use cognate_userpool::srp::client::{Challenge, SrpClient};
use cognate_userpool::srp::{format_timestamp, ServerHandshake, SrpVerifier};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use crypto_bigint::modular::ConstMontyForm;
use crypto_bigint::{U256, U3072};
use num_bigint::BigUint;

const N_HEX: &str = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";

crypto_bigint::const_monty_params!(Modulus, U3072, N_HEX, "RFC 3526 3072-bit MODP prime");
type Fe = ConstMontyForm<Modulus, { U3072::LIMBS }>;

const POOL: &str = "Abc123XyZ";
const USER: &str = "8f3a5c2e-1b2d-4e5f-9a7b-0c1d2e3f4a5b";
const PASSWORD: &str = "correct horse battery staple";

/// Always hands out the same bytes: every `start` draws the same `b`, so the client's signature
/// prepared once stays valid and each iteration is a complete, successful sign-in. The work is
/// the same as with fresh randomness (the exponentiations by `b` run in constant time).
struct Repeat([u8; 32]);

impl SecureRandom for Repeat {
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError> {
        for (d, s) in dest.iter_mut().zip(self.0.iter().cycle()) {
            *d = *s;
        }
        Ok(())
    }
}

struct Fixture {
    verifier: SrpVerifier,
    srp_a: String,
    secret_block: Vec<u8>,
    timestamp: String,
    signature: String,
    b: Repeat,
}

fn fixture() -> Fixture {
    let rng = InsecureDeterministicRandom::new(2026);
    let verifier = SrpVerifier::compute(POOL, USER, PASSWORD, &rng).unwrap();
    let client = SrpClient::new(&rng).unwrap();
    let mut b = [0u8; 32];
    rng.fill(&mut b).unwrap();
    let b = Repeat(b);
    let (_, params) = ServerHandshake::start(&verifier, &client.srp_a_hex(), &b).unwrap();
    // A secret block the size of Cognito's (about 1.7 KB of Base64).
    let mut secret_block = vec![0u8; 1300];
    rng.fill(&mut secret_block).unwrap();
    let block_b64 = STANDARD.encode(&secret_block);
    let timestamp = format_timestamp(UnixTime::from_secs(1_763_600_000));
    let challenge = Challenge {
        pool_name: POOL,
        user_id_for_srp: USER,
        srp_b_hex: &params.srp_b_hex,
        salt_hex: &params.salt_hex,
        secret_block_b64: &block_b64,
    };
    let signature = client
        .password_claim_signature(&challenge, PASSWORD, &timestamp)
        .unwrap();
    Fixture {
        verifier,
        srp_a: client.srp_a_hex(),
        secret_block,
        timestamp,
        signature,
        b,
    }
}

fn sign_in(fx: &Fixture, rng: &dyn SecureRandom) {
    let (handshake, params) =
        ServerHandshake::start(&fx.verifier, black_box(&fx.srp_a), rng).unwrap();
    black_box(&params);
    handshake
        .verify(
            &fx.verifier,
            POOL,
            USER,
            &fx.secret_block,
            &fx.timestamp,
            black_box(&fx.signature),
        )
        .unwrap();
}

fn server(c: &mut Criterion, fx: &Fixture) {
    // Build the per-process tables outside the measurement.
    sign_in(fx, &fx.b);

    let mut g = c.benchmark_group("srp_server");
    g.throughput(Throughput::Elements(1));
    g.bench_function("sign_in (start + verify)", |bench| {
        bench.iter(|| sign_in(fx, &fx.b));
    });
    g.bench_function("start", |bench| {
        bench.iter(|| {
            black_box(
                ServerHandshake::start(&fx.verifier, black_box(&fx.srp_a), &SystemRandom).unwrap(),
            )
        });
    });
    let (handshake, _) = ServerHandshake::start(&fx.verifier, &fx.srp_a, &fx.b).unwrap();
    g.bench_function("verify", |bench| {
        bench.iter(|| {
            handshake
                .verify(
                    &fx.verifier,
                    POOL,
                    USER,
                    &fx.secret_block,
                    &fx.timestamp,
                    black_box(&fx.signature),
                )
                .unwrap()
        });
    });
    let stored = handshake.to_bytes();
    g.bench_function("handshake to_bytes + from_bytes", |bench| {
        bench.iter(|| {
            black_box(
                ServerHandshake::from_bytes(black_box(handshake.to_bytes().expose())).unwrap(),
            )
        });
    });
    black_box(stored);
    g.finish();
}

fn baseline(c: &mut Criterion) {
    let rng = InsecureDeterministicRandom::new(1);
    let mut base = [0u8; 384];
    let mut exp = [0u8; 384];
    let mut exp256 = [0u8; 32];
    rng.fill(&mut base).unwrap();
    rng.fill(&mut exp).unwrap();
    rng.fill(&mut exp256).unwrap();
    exp[0] |= 0x80; // a full 3072-bit exponent
    exp256[0] |= 0x80;
    base[0] &= 0x7f; // below N

    let x = Fe::new(&U3072::from_be_slice(&base));
    let e = U3072::from_be_slice(&exp);
    let e256 = U256::from_be_slice(&exp256);
    let n = BigUint::from_bytes_be(&U3072::from_be_hex(N_HEX).to_be_bytes());
    let xb = BigUint::from_bytes_be(&base);
    let eb = BigUint::from_bytes_be(&exp);
    let eb256 = BigUint::from_bytes_be(&exp256);
    assert_eq!(
        BigUint::from_bytes_be(&x.pow_bounded_exp(&e, 3072).retrieve().to_be_bytes()),
        xb.modpow(&eb, &n)
    );

    let mut g = c.benchmark_group("modexp_3072");
    g.throughput(Throughput::Elements(1));
    g.bench_function(
        "crypto-bigint constant-time, 3072-bit exponent (baseline)",
        |bench| {
            bench.iter(|| black_box(black_box(&x).pow_bounded_exp(black_box(&e), 3072)));
        },
    );
    g.bench_function("num-bigint, 3072-bit exponent", |bench| {
        bench.iter(|| black_box(black_box(&xb).modpow(black_box(&eb), &n)));
    });
    g.bench_function("crypto-bigint constant-time, 256-bit exponent", |bench| {
        bench.iter(|| black_box(black_box(&x).pow_bounded_exp(black_box(&e256), 256)));
    });
    g.bench_function("num-bigint, 256-bit exponent", |bench| {
        bench.iter(|| black_box(black_box(&xb).modpow(black_box(&eb256), &n)));
    });
    g.bench_function("crypto-bigint Montgomery multiplication", |bench| {
        bench.iter(|| black_box(black_box(&x).mul(black_box(&x))));
    });
    g.finish();
}

fn client(c: &mut Criterion, fx: &Fixture) {
    let (_, params) = ServerHandshake::start(&fx.verifier, &fx.srp_a, &fx.b).unwrap();
    let block_b64 = STANDARD.encode(&fx.secret_block);
    let mut g = c.benchmark_group("srp_client");
    g.throughput(Throughput::Elements(1));
    g.bench_function("new + password_claim_signature", |bench| {
        bench.iter(|| {
            let client = SrpClient::new(&SystemRandom).unwrap();
            let challenge = Challenge {
                pool_name: POOL,
                user_id_for_srp: USER,
                srp_b_hex: &params.srp_b_hex,
                salt_hex: &params.salt_hex,
                secret_block_b64: &block_b64,
            };
            black_box(
                client
                    .password_claim_signature(&challenge, PASSWORD, &fx.timestamp)
                    .unwrap(),
            )
        });
    });
    g.bench_function("SrpVerifier::compute", |bench| {
        bench
            .iter(|| black_box(SrpVerifier::compute(POOL, USER, PASSWORD, &SystemRandom).unwrap()));
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    let fx = fixture();
    server(c, &fx);
    baseline(c);
    client(c, &fx);
}

criterion_group! {
    name = srp;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = benches
}
criterion_main!(srp);
