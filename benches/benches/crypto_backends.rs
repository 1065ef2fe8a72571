//! Crypto backends compared on the operations Cognate's token code performs: RS256 sign and
//! verify (ring, aws-lc-rs, josekit/OpenSSL), AES-256-GCM seal/open of a refresh-token-sized
//! plaintext, and SHA-256 of a token-sized input.
//!
//! One RSA-2048 key, generated at start-up by aws-lc-rs, is loaded into every backend, so all
//! three sign and verify with the same key. Results are recorded in
//! `docs/adr/0001-crypto-backend.md` and `docs/benchmarks.md`.
//!
//! Run: `cargo bench -p cognate-benches --bench crypto_backends`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::time::Duration;

use aws_lc_rs::encoding::AsDer;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use josekit::jws::{JwsSigner, JwsVerifier, RS256};

/// The length of the signing input of a typical Cognito access token (header.payload).
const SIGNING_INPUT_LEN: usize = 900;
/// The length of a refresh-token plaintext sealed with AES-256-GCM.
const GCM_PLAINTEXT_LEN: usize = 300;

struct Fixture {
    pkcs8: Vec<u8>,
    /// PKCS#1 `RSAPublicKey` DER.
    public_der: Vec<u8>,
    n: Vec<u8>,
    e: Vec<u8>,
    message: Vec<u8>,
}

fn fixture() -> Fixture {
    let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
        .expect("aws-lc-rs generates an RSA-2048 key");
    let pkcs8 = pair.as_der().expect("PKCS#8 encoding").as_ref().to_vec();
    let ring_pair = ring::rsa::KeyPair::from_pkcs8(&pkcs8).expect("ring loads the same key");
    let public_der = ring::signature::KeyPair::public_key(&ring_pair)
        .as_ref()
        .to_vec();
    let components = ring::rsa::PublicKeyComponents::<Vec<u8>>::from(ring_pair.public());
    // A deterministic base64url-looking message of the right size.
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut message: Vec<u8> = (0..SIGNING_INPUT_LEN)
        .map(|i| alphabet[(i * 7 + 3) % alphabet.len()])
        .collect();
    message[120] = b'.';
    Fixture {
        pkcs8,
        public_der,
        n: components.n,
        e: components.e,
        message,
    }
}

fn rs256_sign(c: &mut Criterion, fx: &Fixture) {
    let mut g = c.benchmark_group("rs256_sign");
    g.throughput(Throughput::Elements(1));

    let ring_pair = ring::signature::RsaKeyPair::from_pkcs8(&fx.pkcs8).unwrap();
    let ring_rng = ring::rand::SystemRandom::new();
    g.bench_function("ring", |b| {
        let mut sig = vec![0u8; ring_pair.public().modulus_len()];
        b.iter(|| {
            ring_pair
                .sign(
                    &ring::signature::RSA_PKCS1_SHA256,
                    &ring_rng,
                    black_box(&fx.message),
                    &mut sig,
                )
                .unwrap();
            black_box(&sig);
        });
    });

    let lc_pair = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(&fx.pkcs8).unwrap();
    let lc_rng = aws_lc_rs::rand::SystemRandom::new();
    g.bench_function("aws-lc-rs", |b| {
        let mut sig = vec![0u8; lc_pair.public_modulus_len()];
        b.iter(|| {
            lc_pair
                .sign(
                    &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                    &lc_rng,
                    black_box(&fx.message),
                    &mut sig,
                )
                .unwrap();
            black_box(&sig);
        });
    });

    let jk_signer = RS256.signer_from_der(&fx.pkcs8).unwrap();
    g.bench_function("josekit-openssl", |b| {
        b.iter(|| black_box(jk_signer.sign(black_box(&fx.message)).unwrap()));
    });
    g.finish();
}

fn rs256_verify(c: &mut Criterion, fx: &Fixture) {
    let ring_pair = ring::signature::RsaKeyPair::from_pkcs8(&fx.pkcs8).unwrap();
    let mut sig = vec![0u8; ring_pair.public().modulus_len()];
    ring_pair
        .sign(
            &ring::signature::RSA_PKCS1_SHA256,
            &ring::rand::SystemRandom::new(),
            &fx.message,
            &mut sig,
        )
        .unwrap();

    let mut g = c.benchmark_group("rs256_verify");
    g.throughput(Throughput::Elements(1));

    let ring_key = ring::signature::RsaPublicKeyComponents {
        n: fx.n.as_slice(),
        e: fx.e.as_slice(),
    };
    ring_key
        .verify(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            &fx.message,
            &sig,
        )
        .unwrap();
    g.bench_function("ring/components", |b| {
        b.iter(|| {
            ring_key
                .verify(
                    &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                    black_box(&fx.message),
                    black_box(&sig),
                )
                .unwrap();
        });
    });

    let lc_unparsed = aws_lc_rs::signature::UnparsedPublicKey::new(
        &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
        fx.public_der.as_slice(),
    );
    lc_unparsed.verify(&fx.message, &sig).unwrap();
    g.bench_function("aws-lc-rs/unparsed", |b| {
        b.iter(|| {
            lc_unparsed
                .verify(black_box(&fx.message), black_box(&sig))
                .unwrap();
        });
    });

    let lc_parsed = aws_lc_rs::rsa::PublicKeyComponents {
        n: fx.n.as_slice(),
        e: fx.e.as_slice(),
    }
    .to_parsed_public_key(&aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256)
    .unwrap();
    lc_parsed.verify_sig(&fx.message, &sig).unwrap();
    g.bench_function("aws-lc-rs/parsed", |b| {
        b.iter(|| {
            lc_parsed
                .verify_sig(black_box(&fx.message), black_box(&sig))
                .unwrap();
        });
    });

    let jk_verifier = RS256.verifier_from_der(&fx.public_der).unwrap();
    jk_verifier.verify(&fx.message, &sig).unwrap();
    g.bench_function("josekit-openssl", |b| {
        b.iter(|| {
            jk_verifier
                .verify(black_box(&fx.message), black_box(&sig))
                .unwrap();
        });
    });
    g.finish();
}

fn aes_256_gcm(c: &mut Criterion) {
    let key_bytes = [0x42u8; 32];
    let nonce_bytes = [0x24u8; 12];
    let plaintext = vec![0x5au8; GCM_PLAINTEXT_LEN];
    let aad = b"cognate-refresh-v1";

    let mut g = c.benchmark_group("aes256gcm_300B");
    g.throughput(Throughput::Elements(1));

    let ring_key = ring::aead::LessSafeKey::new(
        ring::aead::UnboundKey::new(&ring::aead::AES_256_GCM, &key_bytes).unwrap(),
    );
    g.bench_function("ring/seal", |b| {
        b.iter(|| {
            let mut buf = plaintext.clone();
            ring_key
                .seal_in_place_append_tag(
                    ring::aead::Nonce::assume_unique_for_key(nonce_bytes),
                    ring::aead::Aad::from(aad),
                    &mut buf,
                )
                .unwrap();
            black_box(buf)
        });
    });
    let mut sealed = plaintext.clone();
    ring_key
        .seal_in_place_append_tag(
            ring::aead::Nonce::assume_unique_for_key(nonce_bytes),
            ring::aead::Aad::from(aad),
            &mut sealed,
        )
        .unwrap();
    g.bench_function("ring/open", |b| {
        b.iter(|| {
            let mut buf = sealed.clone();
            let len = ring_key
                .open_in_place(
                    ring::aead::Nonce::assume_unique_for_key(nonce_bytes),
                    ring::aead::Aad::from(aad),
                    &mut buf,
                )
                .unwrap()
                .len();
            black_box(len)
        });
    });

    let lc_key = aws_lc_rs::aead::LessSafeKey::new(
        aws_lc_rs::aead::UnboundKey::new(&aws_lc_rs::aead::AES_256_GCM, &key_bytes).unwrap(),
    );
    g.bench_function("aws-lc-rs/seal", |b| {
        b.iter(|| {
            let mut buf = plaintext.clone();
            lc_key
                .seal_in_place_append_tag(
                    aws_lc_rs::aead::Nonce::assume_unique_for_key(nonce_bytes),
                    aws_lc_rs::aead::Aad::from(aad),
                    &mut buf,
                )
                .unwrap();
            black_box(buf)
        });
    });
    // Both backends implement the same AEAD: the ring ciphertext must open under aws-lc-rs.
    g.bench_function("aws-lc-rs/open", |b| {
        b.iter(|| {
            let mut buf = sealed.clone();
            let len = lc_key
                .open_in_place(
                    aws_lc_rs::aead::Nonce::assume_unique_for_key(nonce_bytes),
                    aws_lc_rs::aead::Aad::from(aad),
                    &mut buf,
                )
                .unwrap()
                .len();
            black_box(len)
        });
    });
    g.finish();
}

fn sha256(c: &mut Criterion, fx: &Fixture) {
    let mut g = c.benchmark_group("sha256_900B");
    g.throughput(Throughput::Elements(1));
    g.bench_function("ring", |b| {
        b.iter(|| {
            black_box(ring::digest::digest(
                &ring::digest::SHA256,
                black_box(&fx.message),
            ))
        });
    });
    g.bench_function("aws-lc-rs", |b| {
        b.iter(|| {
            black_box(aws_lc_rs::digest::digest(
                &aws_lc_rs::digest::SHA256,
                black_box(&fx.message),
            ))
        });
    });
    g.finish();
}

fn crypto_backends(c: &mut Criterion) {
    let fx = fixture();
    rs256_sign(c, &fx);
    rs256_verify(c, &fx);
    aes_256_gcm(c);
    sha256(c, &fx);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = crypto_backends
}
criterion_main!(benches);
