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
use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine;
use cognate_jwt::jwk::{rsa_thumbprint_kid, Jwks, PublicJwk};
use cognate_jwt::verify::{CognitoPool, CognitoVerifier};
use cognate_jwt::JwkSet;
use cognate_types::{IssuerUrl, ManualClock, TokenUse, UnixTime, UserPoolId};

const POOL: &str = "us-east-1_h6I5IqQSs";
const CLIENT: &str = "5d586se3r976435167nk8k8s4h";
const IAT: u64 = 1_673_913_192;

struct Fixture {
    token: String,
    signing_input: Vec<u8>,
    signature: Vec<u8>,
    key: cognate_jwt::VerifyingKey,
    uncached: CognitoVerifier,
    cached: CognitoVerifier,
}

fn b64(d: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(d)
}

/// `RSAPublicKey ::= SEQUENCE { n INTEGER, e INTEGER }` into n and e.
fn pkcs1(der: &[u8]) -> (Vec<u8>, Vec<u8>) {
    fn tlv(b: &[u8]) -> (&[u8], &[u8]) {
        let (len, hdr) = if b[1] < 0x80 {
            (b[1] as usize, 2)
        } else {
            let k = (b[1] & 0x7f) as usize;
            (
                b[2..2 + k].iter().fold(0usize, |a, &x| a << 8 | x as usize),
                2 + k,
            )
        };
        (&b[hdr..hdr + len], &b[hdr + len..])
    }
    let (seq, _) = tlv(der);
    let (n, rest) = tlv(seq);
    let (e, _) = tlv(rest);
    let strip = |x: &[u8]| {
        x.iter()
            .skip_while(|&&b| b == 0)
            .copied()
            .collect::<Vec<u8>>()
    };
    (strip(n), strip(e))
}

fn fixture() -> Fixture {
    let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
    let (n, e) = pkcs1(pair.public_key().as_ref());
    let kid = rsa_thumbprint_kid(&n, &e);
    let pool: UserPoolId = POOL.parse().unwrap();
    let issuer = IssuerUrl::cognito(&pool);
    // Reference 2.3: a user access token from the OAuth endpoints, in Cognito's member order.
    let payload = format!(
        concat!(
            r#"{{"sub":"7dca9b92-746b-4406-9f7d-3e58cd7b247f","cognito:groups":["{pool}_Google"],"#,
            r#""iss":"{iss}","version":2,"client_id":"{client}","origin_jti":"04ee7dcf-52a4-4d0c-9e4f-8b0a2f6f1c11","#,
            r#""event_id":"4cf13a31-757d-11e9-8b8d-91bb02a83dfa","token_use":"access","#,
            r#""scope":"aws.cognito.signin.user.admin openid profile","auth_time":{iat},"exp":{exp},"#,
            r#""iat":{iat},"jti":"c2061278-9a1b-4c3d-8e7f-0a1b2c3d4e5f","username":"google_117300206013007398924"}}"#
        ),
        pool = POOL,
        iss = issuer.as_str().replace('/', "\\/"),
        client = CLIENT,
        iat = IAT,
        exp = IAT + 3600,
    );
    let header = format!(
        r#"{{"kid":"{}","alg":"RS256"}}"#,
        kid.as_str().replace('/', "\\/")
    );
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let mut sig = vec![0u8; pair.public_modulus_len()];
    pair.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .unwrap();
    let token = format!("{input}.{}", b64(&sig));
    let jwks = Jwks {
        keys: vec![PublicJwk::rsa(kid.clone(), &n, &e)],
    }
    .to_json();
    let clock = Arc::new(ManualClock::new(UnixTime::from_secs(IAT + 60)));
    let build = |cache: usize| {
        let v = CognitoVerifier::builder(TokenUse::Access)
            .user_pool(CognitoPool::new(pool.clone(), CLIENT.parse().unwrap()))
            .clock(clock.clone())
            .verified_token_cache(cache)
            .build()
            .unwrap();
        v.cache_jwks(&issuer, JwkSet::parse(jwks.as_bytes()).unwrap())
            .unwrap();
        v.verify_sync(&token).unwrap();
        v
    };
    let set = JwkSet::parse(jwks.as_bytes()).unwrap();
    Fixture {
        signing_input: input.into_bytes(),
        signature: sig,
        key: set.get(kid.as_str()).unwrap().clone(),
        uncached: build(0),
        cached: build(1024),
        token,
    }
}

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
