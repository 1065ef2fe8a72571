//! SRP server sign-in for profiling and for noisy machines.
//!
//! * `srp_profile compare [ROUNDS]`: interleaves one raw 3072-bit modular exponentiation
//!   (crypto-bigint, constant time, 3072-bit exponent) with full server sign-ins
//!   (`ServerHandshake::start` + `verify`), and prints the best time of each over the rounds
//!   and their ratio. Best-of times are the least disturbed by other work on the machine.
//! * `srp_profile signin|start|verify|modexp N`: N iterations of one operation, for
//!   `valgrind --tool=callgrind target/release/examples/srp_profile signin 50` (instruction
//!   counts do not depend on the load).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use cognate_types::danger::InsecureDeterministicRandom;
use cognate_types::{RandomError, SecureRandom, UnixTime};
use cognate_userpool::srp::client::{Challenge, SrpClient};
use cognate_userpool::srp::{format_timestamp, ServerHandshake, SrpVerifier};
use crypto_bigint::modular::ConstMontyForm;
use crypto_bigint::U3072;

const N_HEX: &str = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";
crypto_bigint::const_monty_params!(Modulus, U3072, N_HEX, "RFC 3526 3072-bit MODP prime");
type Fe = ConstMontyForm<Modulus, { U3072::LIMBS }>;

const POOL: &str = "Abc123XyZ";
const USER: &str = "8f3a5c2e-1b2d-4e5f-9a7b-0c1d2e3f4a5b";
const PASSWORD: &str = "correct horse battery staple";

/// The same `b` on every call, so one client signature verifies on every iteration.
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
    block: Vec<u8>,
    timestamp: String,
    signature: String,
    b: Repeat,
    x: Fe,
    e: U3072,
}

fn fixture() -> Fixture {
    let rng = InsecureDeterministicRandom::new(2026);
    let verifier = SrpVerifier::compute(POOL, USER, PASSWORD, &rng).unwrap();
    let client = SrpClient::new(&rng).unwrap();
    let mut b = [0u8; 32];
    rng.fill(&mut b).unwrap();
    let b = Repeat(b);
    let (_, params) = ServerHandshake::start(&verifier, &client.srp_a_hex(), &b).unwrap();
    let mut block = vec![0u8; 1300];
    rng.fill(&mut block).unwrap();
    let block_b64 = STANDARD.encode(&block);
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
    let mut base = [0u8; 384];
    let mut exp = [0u8; 384];
    rng.fill(&mut base).unwrap();
    rng.fill(&mut exp).unwrap();
    base[0] &= 0x7f;
    exp[0] |= 0x80;
    Fixture {
        verifier,
        srp_a: client.srp_a_hex(),
        block,
        timestamp,
        signature,
        b,
        x: Fe::new(&U3072::from_be_slice(&base)),
        e: U3072::from_be_slice(&exp),
    }
}

fn start(f: &Fixture) -> ServerHandshake {
    ServerHandshake::start(&f.verifier, black_box(&f.srp_a), &f.b)
        .unwrap()
        .0
}

fn verify(f: &Fixture, h: &ServerHandshake) {
    h.verify(
        &f.verifier,
        POOL,
        USER,
        &f.block,
        &f.timestamp,
        black_box(&f.signature),
    )
    .unwrap();
}

fn modexp(f: &Fixture) {
    black_box(black_box(&f.x).pow_bounded_exp(black_box(&f.e), 3072));
}

fn best(d: &mut Duration, t: Instant, per: u32) {
    *d = (*d).min(t.elapsed() / per);
}

fn main() {
    let f = fixture();
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "compare".into());
    let n: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(40);
    // The per-process tables.
    verify(&f, &start(&f));
    match mode.as_str() {
        "signin" => (0..n).for_each(|_| verify(&f, &start(&f))),
        "start" => (0..n).for_each(|_| drop(black_box(start(&f)))),
        "verify" => {
            let h = start(&f);
            (0..n).for_each(|_| verify(&f, &h));
        }
        "modexp" => (0..n).for_each(|_| modexp(&f)),
        _ => {
            let h = start(&f);
            let (mut raw, mut signin, mut st, mut ver) =
                (Duration::MAX, Duration::MAX, Duration::MAX, Duration::MAX);
            for _ in 0..n {
                let t = Instant::now();
                modexp(&f);
                best(&mut raw, t, 1);
                let t = Instant::now();
                for _ in 0..5 {
                    verify(&f, &start(&f));
                }
                best(&mut signin, t, 5);
                let t = Instant::now();
                for _ in 0..5 {
                    black_box(start(&f));
                }
                best(&mut st, t, 5);
                let t = Instant::now();
                for _ in 0..5 {
                    verify(&f, &h);
                }
                best(&mut ver, t, 5);
            }
            println!("best of {n} interleaved rounds:");
            println!("  raw 3072-bit modexp (3072-bit exponent): {raw:?}");
            println!(
                "  server sign-in (start + verify):         {signin:?}  ({:.0} /s)",
                1.0 / signin.as_secs_f64()
            );
            println!("    start:                                 {st:?}");
            println!("    verify:                                {ver:?}");
            println!(
                "  sign-in / raw modexp = {:.3}",
                signin.as_secs_f64() / raw.as_secs_f64()
            );
        }
    }
}
