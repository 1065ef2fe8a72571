//! Fixtures for the verifier tests: RSA-2048 keys made with aws-lc-rs, token signing, JWKS,
//! Cognito-shaped claims (reference sections 2.2 and 2.3), a counting JWKS fetcher.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine;
use cognate_jwt::jwk::{rsa_thumbprint_kid, Jwks, PublicJwk};
use cognate_jwt::verify::{BoxFuture, CognitoPool, CognitoVerifier, FetchError, JwksFetcher};
use cognate_jwt::JwkSet;
use cognate_types::{IssuerUrl, ManualClock, TokenUse, UnixTime};
use serde_json::{json, Value};

pub const POOL: &str = "us-east-1_h6I5IqQSs";
pub const POOL2: &str = "us-west-2_F54j6m3T2";
pub const CLIENT: &str = "5d586se3r976435167nk8k8s4h";
pub const CLIENT2: &str = "5hu48rd3mbfvr3t6d6r2rchapm";
/// "Now" in the tests: one minute after the sample tokens' `iat`.
pub const IAT: u64 = 1_673_913_192;
pub const NOW: u64 = IAT + 60;
pub const EXP: u64 = IAT + 3600;

pub struct TestKey {
    pub kid: String,
    pub pair: KeyPair,
}

impl TestKey {
    pub fn generate() -> Self {
        let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
        let (n, e) = pkcs1_components(pair.public_key().as_ref());
        let kid = rsa_thumbprint_kid(&n, &e);
        Self {
            kid: kid.as_str().to_owned(),
            pair,
        }
    }

    pub fn n(&self) -> Vec<u8> {
        pkcs1_components(self.pair.public_key().as_ref()).0
    }

    pub fn e(&self) -> Vec<u8> {
        pkcs1_components(self.pair.public_key().as_ref()).1
    }

    pub fn jwk(&self) -> PublicJwk {
        PublicJwk::rsa(self.kid.parse().unwrap(), &self.n(), &self.e())
    }

    /// SubjectPublicKeyInfo DER.
    pub fn spki_der(&self) -> Vec<u8> {
        self.pair.public_key().as_der().unwrap().as_ref().to_vec()
    }

    /// PKCS#1 RSAPublicKey DER.
    pub fn pkcs1_der(&self) -> Vec<u8> {
        self.pair.public_key().as_ref().to_vec()
    }

    /// PEM of the SPKI, with or without line breaks.
    pub fn pem(&self, newlines: bool) -> String {
        let b = base64::engine::general_purpose::STANDARD.encode(self.spki_der());
        if newlines {
            let lines: Vec<&str> = b
                .as_bytes()
                .chunks(64)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect();
            format!(
                "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
                lines.join("\n")
            )
        } else {
            format!("-----BEGIN PUBLIC KEY-----{b}-----END PUBLIC KEY-----")
        }
    }

    pub fn sign_raw(&self, msg: &[u8]) -> Vec<u8> {
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        self.pair
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), msg, &mut sig)
            .unwrap();
        sig
    }
}

/// `RSAPublicKey ::= SEQUENCE { n INTEGER, e INTEGER }` (DER) into big-endian n and e.
fn pkcs1_components(der: &[u8]) -> (Vec<u8>, Vec<u8>) {
    fn tlv(b: &[u8]) -> (u8, &[u8], &[u8]) {
        let tag = b[0];
        let (len, hdr) = if b[1] < 0x80 {
            (b[1] as usize, 2)
        } else {
            let k = (b[1] & 0x7f) as usize;
            (
                b[2..2 + k].iter().fold(0usize, |a, &x| a << 8 | x as usize),
                2 + k,
            )
        };
        (tag, &b[hdr..hdr + len], &b[hdr + len..])
    }
    let (t, seq, _) = tlv(der);
    assert_eq!(t, 0x30);
    let (_, n, rest) = tlv(seq);
    let (_, e, _) = tlv(rest);
    let strip = |x: &[u8]| {
        x.iter()
            .skip_while(|&&b| b == 0)
            .copied()
            .collect::<Vec<u8>>()
    };
    (strip(n), strip(e))
}

/// Three keys, generated once per test binary (RSA generation is slow).
pub fn key(i: usize) -> &'static TestKey {
    static KEYS: OnceLock<Vec<TestKey>> = OnceLock::new();
    &KEYS.get_or_init(|| (0..3).map(|_| TestKey::generate()).collect())[i]
}

pub fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

/// Signs raw header and payload JSON text with `key`.
pub fn sign_json(header: &str, payload: &str, key: &TestKey) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let sig = key.sign_raw(input.as_bytes());
    format!("{input}.{}", b64(&sig))
}

/// Cognito's header: `{"kid":"…","alg":"RS256"}`.
pub fn header(key: &TestKey) -> String {
    json!({"kid": key.kid, "alg": "RS256"}).to_string()
}

/// A correctly signed token with Cognito's header.
pub fn token(key: &TestKey, claims: &Value) -> String {
    sign_json(&header(key), &claims.to_string(), key)
}

pub fn jwks_doc(keys: &[&TestKey]) -> String {
    Jwks {
        keys: keys.iter().map(|k| k.jwk()).collect(),
    }
    .to_json()
}

pub fn jwks(keys: &[&TestKey]) -> JwkSet {
    JwkSet::parse(jwks_doc(keys).as_bytes()).unwrap()
}

pub fn issuer(pool: &str) -> String {
    IssuerUrl::cognito(&pool.parse().unwrap())
        .as_str()
        .to_owned()
}

pub fn issuer_url(pool: &str) -> IssuerUrl {
    IssuerUrl::cognito(&pool.parse().unwrap())
}

/// A user access token from the OAuth endpoints (reference 2.3, 2018 sample plus the current
/// `origin_jti`/`event_id`).
pub fn access_claims(pool: &str) -> Value {
    json!({
        "sub": "7dca9b92-746b-4406-9f7d-3e58cd7b247f",
        "cognito:groups": [format!("{pool}_Google"), "admins"],
        "iss": issuer(pool),
        "version": 2,
        "client_id": CLIENT,
        "origin_jti": "04ee7dcf-52a4-4d0c-9e4f-8b0a2f6f1c11",
        "event_id": "4cf13a31-757d-11e9-8b8d-91bb02a83dfa",
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin openid profile",
        "auth_time": IAT,
        "exp": EXP,
        "iat": IAT,
        "jti": "c2061278-9a1b-4c3d-8e7f-0a1b2c3d4e5f",
        "username": "google_117300206013007398924"
    })
}

/// An ID token from the hosted UI (reference 2.2, 2023 sample).
pub fn id_claims(pool: &str) -> Value {
    json!({
        "at_hash": "C9sA39psH6zoRKXuLfQVGw",
        "sub": "7dca9b92-746b-4406-9f7d-3e58cd7b247f",
        "cognito:groups": [format!("{pool}_Google")],
        "email_verified": false,
        "iss": issuer(pool),
        "cognito:username": "google_117300206013007398924",
        "given_name": "David",
        "nonce": "Mm9KbGZ4dVJ0eV9zb21lX25vbmNl",
        "origin_jti": "04ee7dcf-52a4-4d0c-9e4f-8b0a2f6f1c11",
        "aud": CLIENT,
        "identities": [{"userId":"117300206013007398924","providerName":"Google","providerType":"Google","issuer":null,"primary":"true","dateCreated":"1673913190125"}],
        "token_use": "id",
        "auth_time": IAT,
        "exp": EXP,
        "iat": IAT,
        "family_name": "Michaels",
        "jti": "c2061278-9a1b-4c3d-8e7f-0a1b2c3d4e5f",
        "email": "david@example.com",
        "custom:user_id": "331535"
    })
}

pub fn with(mut v: Value, name: &str, value: Value) -> Value {
    v.as_object_mut().unwrap().insert(name.to_owned(), value);
    v
}

pub fn without(mut v: Value, name: &str) -> Value {
    v.as_object_mut().unwrap().remove(name);
    v
}

pub fn clock(now: u64) -> Arc<ManualClock> {
    Arc::new(ManualClock::new(UnixTime::from_secs(now)))
}

/// An access-token verifier for POOL/CLIENT with key(0) cached, at NOW.
pub fn access_verifier() -> CognitoVerifier {
    verifier(TokenUse::Access, clock(NOW))
}

pub fn verifier(token_use: TokenUse, clock: Arc<ManualClock>) -> CognitoVerifier {
    let v = CognitoVerifier::builder(token_use)
        .user_pool(CognitoPool::new(
            POOL.parse().unwrap(),
            CLIENT.parse().unwrap(),
        ))
        .clock(clock)
        .build()
        .unwrap();
    v.cache_jwks(&issuer_url(POOL), jwks(&[key(0)])).unwrap();
    v
}

/// A fetcher that counts calls and serves a configurable answer.
pub struct CountingFetcher {
    pub calls: AtomicUsize,
    pub uris: Mutex<Vec<String>>,
    pub answer: Mutex<Result<Vec<u8>, FetchError>>,
}

impl CountingFetcher {
    pub fn new(answer: Result<Vec<u8>, FetchError>) -> Arc<Self> {
        Arc::new(Self {
            calls: AtomicUsize::new(0),
            uris: Mutex::new(Vec::new()),
            answer: Mutex::new(answer),
        })
    }

    pub fn serving(keys: &[&TestKey]) -> Arc<Self> {
        Self::new(Ok(jwks_doc(keys).into_bytes()))
    }

    pub fn set(&self, answer: Result<Vec<u8>, FetchError>) {
        *self.answer.lock().unwrap() = answer;
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl JwksFetcher for CountingFetcher {
    fn fetch<'a>(&'a self, jwks_uri: &'a str) -> BoxFuture<'a, Result<Vec<u8>, FetchError>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.uris.lock().unwrap().push(jwks_uri.to_owned());
        let answer = self.answer.lock().unwrap().clone();
        Box::pin(async move { answer })
    }
}
