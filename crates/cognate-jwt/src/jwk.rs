//! Public JSON Web Keys (RFC 7517) and key sets, in Cognito's exact shape.
//!
//! Publishing: [`PublicJwk`] and [`Jwks`] serialize as Cognito's JWKS does, members in
//! alphabetical order: `{"keys":[{"alg":"RS256","e":"AQAB","kid":"…","kty":"RSA","n":"…","use":"sig"}]}`.
//!
//! Consuming: [`JwkSet::parse`] reads a JWKS from bytes, strictly. Each usable key becomes a
//! [`VerifyingKey`] pinned to RS256; keys that cannot be used (another key type, `use: enc`, an
//! algorithm other than RS256, missing or malformed members, RSA below 2048 bits, no `kid`,
//! a duplicated `kid`) are set aside with the reason, and the rest of the set still works.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use cognate_types::KeyId;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

use crate::b64;
use crate::crypto::{self, RsaPublicKey};

/// The one JWS algorithm Cognito uses and Cognate signs and verifies with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 using SHA-256 (RFC 7518 section 3.3).
    #[serde(rename = "RS256")]
    Rs256,
}

impl Algorithm {
    /// The `alg` header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Rs256 => "RS256",
        }
    }
}

/// Smallest RSA modulus accepted anywhere in Cognate (RFC 7518 section 3.3; RFC 8725).
pub const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus accepted for verification.
pub const MAX_RSA_BITS: usize = 8192;
/// Largest JWKS document [`JwkSet::parse`] reads.
pub const MAX_JWKS_BYTES: usize = 256 * 1024;
/// Most keys [`JwkSet::parse`] reads from one document.
pub const MAX_JWKS_KEYS: usize = 100;

/// A public RSA signing key as it appears in a published JWKS.
///
/// Field order is Cognito's (alphabetical), and so is the serialization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicJwk {
    /// Always `RS256`.
    pub alg: Algorithm,
    /// Public exponent, base64url big-endian.
    pub e: String,
    /// Key ID.
    pub kid: KeyId,
    /// Always `RSA`.
    pub kty: &'static str,
    /// Modulus, base64url big-endian.
    pub n: String,
    /// Always `sig`.
    #[serde(rename = "use")]
    pub use_: &'static str,
}

impl PublicJwk {
    /// The JWK of an RSA public key given as big-endian modulus and exponent.
    pub fn rsa(kid: KeyId, n: &[u8], e: &[u8]) -> Self {
        Self {
            alg: Algorithm::Rs256,
            e: b64::encode(strip_leading_zeros(e)),
            kid,
            kty: "RSA",
            n: b64::encode(strip_leading_zeros(n)),
            use_: "sig",
        }
    }
}

/// A JWKS document to publish: `{"keys":[…]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Jwks {
    /// The published keys.
    pub keys: Vec<PublicJwk>,
}

impl Jwks {
    /// The document as compact JSON.
    pub fn to_json(&self) -> String {
        // Serializing plain strings into a Vec cannot fail.
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{\"keys\":[]}"))
    }
}

/// The RFC 7638 JWK thumbprint (SHA-256) of an RSA public key, in standard base64: 44
/// characters, the shape of the `kid`s Cognito publishes.
pub fn rsa_thumbprint_kid(n: &[u8], e: &[u8]) -> KeyId {
    let canonical = format!(
        "{{\"e\":\"{}\",\"kty\":\"RSA\",\"n\":\"{}\"}}",
        b64::encode(strip_leading_zeros(e)),
        b64::encode(strip_leading_zeros(n))
    );
    let digest = crypto::sha256(canonical.as_bytes());
    // 44 visible ASCII characters always make a valid KeyId.
    KeyId::new(b64::encode_std(&digest)).unwrap_or_else(|_| unreachable_kid())
}

#[allow(clippy::panic)]
fn unreachable_kid() -> KeyId {
    // Standard base64 of 32 bytes is 44 characters of [A-Za-z0-9+/=]: always a valid KeyId.
    panic!("base64 of a digest is a valid key id")
}

pub(crate) fn strip_leading_zeros(b: &[u8]) -> &[u8] {
    let first = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    b.get(first..).unwrap_or_default()
}

/// A public key that verifies RS256 signatures, with the `kid` it was published under.
///
/// Cheap to clone (the prepared key is shared).
#[derive(Clone)]
pub struct VerifyingKey {
    kid: KeyId,
    inner: Arc<VerifyingKeyInner>,
}

struct VerifyingKeyInner {
    key: RsaPublicKey,
    n: Vec<u8>,
    e: Vec<u8>,
}

impl VerifyingKey {
    /// A verifying key from big-endian modulus and exponent. The modulus must be 2048 to 8192
    /// bits and the exponent odd and greater than 1.
    pub fn from_rsa_components(kid: KeyId, n: &[u8], e: &[u8]) -> Result<Self, JwkError> {
        let n = strip_leading_zeros(n);
        let e = strip_leading_zeros(e);
        let bits = rsa_bits(n);
        if bits < MIN_RSA_BITS {
            return Err(JwkError::KeyTooSmall { bits });
        }
        if bits > MAX_RSA_BITS {
            return Err(JwkError::KeyTooLarge { bits });
        }
        let e_ok = e.len() <= 8 && e.last().is_some_and(|b| b & 1 == 1) && e != [1];
        if !e_ok {
            return Err(JwkError::BadExponent);
        }
        let key = RsaPublicKey::from_components(n, e).map_err(|_| JwkError::Rejected)?;
        Ok(Self {
            kid,
            inner: Arc::new(VerifyingKeyInner {
                key,
                n: n.to_vec(),
                e: e.to_vec(),
            }),
        })
    }

    /// The key ID.
    pub fn kid(&self) -> &KeyId {
        &self.kid
    }

    /// The algorithm this key is pinned to.
    pub fn algorithm(&self) -> Algorithm {
        Algorithm::Rs256
    }

    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        rsa_bits(&self.inner.n)
    }

    /// The key as a publishable JWK.
    pub fn to_jwk(&self) -> PublicJwk {
        PublicJwk::rsa(self.kid.clone(), &self.inner.n, &self.inner.e)
    }

    /// Big-endian modulus.
    pub fn modulus(&self) -> &[u8] {
        &self.inner.n
    }

    /// Big-endian public exponent.
    pub fn exponent(&self) -> &[u8] {
        &self.inner.e
    }

    /// True when `signature` is a valid RS256 signature of `message` by this key.
    pub fn verify_rs256(&self, message: &[u8], signature: &[u8]) -> bool {
        self.inner.key.verify_rs256(message, signature)
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("kid", &self.kid)
            .field("alg", &"RS256")
            .field("bits", &self.bits())
            .finish()
    }
}

fn rsa_bits(n: &[u8]) -> usize {
    let n = strip_leading_zeros(n);
    match n.first() {
        Some(&top) => (n.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
        None => 0,
    }
}

/// Why a JWK or a JWKS could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum JwkError {
    /// The JWKS document is larger than [`MAX_JWKS_BYTES`].
    #[error("JWKS document is too large")]
    TooLarge,
    /// The document is not JSON, or not an object with a `keys` array.
    #[error("JWKS is not a JSON object with a `keys` array")]
    NotAJwks,
    /// More than [`MAX_JWKS_KEYS`] keys.
    #[error("JWKS has too many keys")]
    TooManyKeys,
    /// The key is not an RSA key.
    #[error("unsupported key type (only RSA is supported)")]
    UnsupportedKeyType,
    /// The key is not for signatures (`use` other than `sig`, or `key_ops` without `verify`).
    #[error("key is not for signature verification")]
    NotForSignatures,
    /// The key's `alg` is not RS256.
    #[error("key algorithm is not RS256")]
    UnsupportedAlgorithm,
    /// A required member is missing or not a string.
    #[error("key member `{0}` is missing or not a string")]
    MissingMember(&'static str),
    /// A member is not canonical base64url.
    #[error("key member `{0}` is not base64url")]
    BadBase64(&'static str),
    /// The `kid` is missing or not a valid key ID.
    #[error("key has no usable `kid`")]
    BadKid,
    /// Two keys in one set share a `kid`.
    #[error("duplicate `kid` in JWKS")]
    DuplicateKid,
    /// RSA modulus below [`MIN_RSA_BITS`].
    #[error("RSA key of {bits} bits is below the 2048-bit minimum")]
    KeyTooSmall {
        /// The modulus size.
        bits: usize,
    },
    /// RSA modulus above [`MAX_RSA_BITS`].
    #[error("RSA key of {bits} bits is above the 8192-bit maximum")]
    KeyTooLarge {
        /// The modulus size.
        bits: usize,
    },
    /// The public exponent is not an odd number greater than 1 of at most 64 bits.
    #[error("RSA public exponent is invalid")]
    BadExponent,
    /// The crypto backend rejected the key.
    #[error("RSA key rejected by the crypto backend")]
    Rejected,
}

/// A parsed JWKS: its usable keys by `kid`, and what was set aside.
#[derive(Debug, Clone, Default)]
pub struct JwkSet {
    keys: HashMap<KeyId, VerifyingKey>,
    skipped: Vec<SkippedKey>,
}

/// A key of a JWKS that was not loaded, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedKey {
    /// The key's `kid`, when it had a valid one.
    pub kid: Option<KeyId>,
    /// Why it was set aside.
    pub reason: JwkError,
}

impl JwkSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// A set of the given keys. A later key with the same `kid` replaces an earlier one.
    pub fn from_keys(keys: impl IntoIterator<Item = VerifyingKey>) -> Self {
        Self {
            keys: keys.into_iter().map(|k| (k.kid.clone(), k)).collect(),
            skipped: Vec::new(),
        }
    }

    /// Parses a JWKS document. Fails only when the document as a whole is unusable (too large,
    /// not JSON, no `keys` array, too many keys); individual unusable keys are recorded in
    /// [`JwkSet::skipped`].
    pub fn parse(bytes: &[u8]) -> Result<Self, JwkError> {
        if bytes.len() > MAX_JWKS_BYTES {
            return Err(JwkError::TooLarge);
        }
        let doc: Value = serde_json::from_slice(bytes).map_err(|_| JwkError::NotAJwks)?;
        let keys = doc
            .as_object()
            .and_then(|o| o.get("keys"))
            .and_then(Value::as_array)
            .ok_or(JwkError::NotAJwks)?;
        if keys.len() > MAX_JWKS_KEYS {
            return Err(JwkError::TooManyKeys);
        }
        let mut set = Self::new();
        let mut duplicated: Vec<KeyId> = Vec::new();
        for jwk in keys {
            match parse_one(jwk) {
                Ok(key) => {
                    if duplicated.contains(&key.kid) {
                        continue;
                    }
                    if set.keys.remove(&key.kid).is_some() {
                        duplicated.push(key.kid.clone());
                        set.skipped.push(SkippedKey {
                            kid: Some(key.kid.clone()),
                            reason: JwkError::DuplicateKid,
                        });
                    } else {
                        set.keys.insert(key.kid.clone(), key);
                    }
                }
                Err(reason) => set.skipped.push(SkippedKey {
                    kid: jwk
                        .get("kid")
                        .and_then(Value::as_str)
                        .and_then(|k| KeyId::new(k).ok()),
                    reason,
                }),
            }
        }
        Ok(set)
    }

    /// Parses one JWK (a JSON object) into a verifying key.
    pub fn parse_jwk(bytes: &[u8]) -> Result<VerifyingKey, JwkError> {
        if bytes.len() > MAX_JWKS_BYTES {
            return Err(JwkError::TooLarge);
        }
        let v: Value = serde_json::from_slice(bytes).map_err(|_| JwkError::NotAJwks)?;
        parse_one(&v)
    }

    /// The key published under `kid`.
    pub fn get(&self, kid: &str) -> Option<&VerifyingKey> {
        // A JWKS holds a handful of keys: comparing bytes beats hashing `kid` with SipHash.
        if self.keys.len() <= 8 {
            self.keys.values().find(|k| k.kid().as_str() == kid)
        } else {
            self.keys.get(kid)
        }
    }

    /// All usable keys.
    pub fn keys(&self) -> impl Iterator<Item = &VerifyingKey> {
        self.keys.values()
    }

    /// Number of usable keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when no key is usable.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Keys that were set aside while parsing, with reasons.
    pub fn skipped(&self) -> &[SkippedKey] {
        &self.skipped
    }

    /// The usable keys as a publishable JWKS, ordered by `kid`.
    pub fn to_jwks(&self) -> Jwks {
        let mut keys: Vec<PublicJwk> = self.keys.values().map(VerifyingKey::to_jwk).collect();
        keys.sort_by(|a, b| a.kid.cmp(&b.kid));
        Jwks { keys }
    }
}

fn member<'a>(jwk: &'a Value, name: &'static str) -> Result<Option<&'a str>, JwkError> {
    match jwk.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(JwkError::MissingMember(name)),
    }
}

fn parse_one(jwk: &Value) -> Result<VerifyingKey, JwkError> {
    if !jwk.is_object() {
        return Err(JwkError::NotAJwks);
    }
    match member(jwk, "kty")? {
        Some("RSA") => {}
        Some(_) => return Err(JwkError::UnsupportedKeyType),
        None => return Err(JwkError::MissingMember("kty")),
    }
    if let Some(u) = member(jwk, "use")? {
        if u != "sig" {
            return Err(JwkError::NotForSignatures);
        }
    }
    if let Some(ops) = jwk.get("key_ops") {
        let verifies = ops
            .as_array()
            .is_some_and(|a| a.iter().any(|o| o.as_str() == Some("verify")));
        if !verifies {
            return Err(JwkError::NotForSignatures);
        }
    }
    if let Some(alg) = member(jwk, "alg")? {
        if alg != "RS256" {
            return Err(JwkError::UnsupportedAlgorithm);
        }
    }
    // A private key published by mistake is refused outright rather than used as public.
    if jwk.get("d").is_some() {
        return Err(JwkError::NotForSignatures);
    }
    let kid = member(jwk, "kid")
        .map_err(|_| JwkError::BadKid)?
        .ok_or(JwkError::BadKid)
        .and_then(|k| KeyId::new(k).map_err(|_| JwkError::BadKid))?;
    let n = member(jwk, "n")?.ok_or(JwkError::MissingMember("n"))?;
    let e = member(jwk, "e")?.ok_or(JwkError::MissingMember("e"))?;
    let n = b64::decode(n).ok_or(JwkError::BadBase64("n"))?;
    let e = b64::decode(e).ok_or(JwkError::BadBase64("e"))?;
    VerifyingKey::from_rsa_components(kid, &n, &e)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7517 appendix A.1, second key (the RSA one), with the `kid` "2011-04-29".
    pub(crate) const RFC7517_RSA: &str = r#"{"kty":"RSA",
      "n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
      "e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#;

    #[test]
    fn rfc7517_rsa_key_parses() {
        let key = JwkSet::parse_jwk(RFC7517_RSA.as_bytes()).unwrap();
        assert_eq!(key.kid().as_str(), "2011-04-29");
        assert_eq!(key.bits(), 2048);
        assert_eq!(key.exponent(), [1, 0, 1]);
    }

    #[test]
    fn rfc7638_thumbprint() {
        // RFC 7638 section 3.1: thumbprint of the RFC 7517 A.1 RSA key is
        // NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs (base64url).
        let key = JwkSet::parse_jwk(RFC7517_RSA.as_bytes()).unwrap();
        let kid = rsa_thumbprint_kid(key.modulus(), key.exponent());
        let expected =
            b64::encode_std(&b64::decode("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs").unwrap());
        assert_eq!(kid.as_str(), expected);
        assert_eq!(kid.as_str().len(), 44);
    }

    #[test]
    fn publishes_in_cognito_shape() {
        let key = JwkSet::parse_jwk(RFC7517_RSA.as_bytes()).unwrap();
        let json = Jwks {
            keys: vec![key.to_jwk()],
        }
        .to_json();
        assert!(json.starts_with("{\"keys\":[{\"alg\":\"RS256\",\"e\":\"AQAB\",\"kid\":\"2011-04-29\",\"kty\":\"RSA\",\"n\":\"0vx7"));
        assert!(json.ends_with("\",\"use\":\"sig\"}]}"));
        let back = JwkSet::parse(json.as_bytes()).unwrap();
        assert_eq!(back.len(), 1);
    }

    #[test]
    fn unusable_keys_are_set_aside_and_the_rest_work() {
        let good: Value = serde_json::from_str(RFC7517_RSA).unwrap();
        let mut variants = vec![];
        let mut push = |f: &dyn Fn(&mut serde_json::Map<String, Value>), kid: &str| {
            let mut k = good.as_object().unwrap().clone();
            k.insert("kid".into(), kid.into());
            f(&mut k);
            variants.push(Value::Object(k));
        };
        push(
            &|k| {
                k.insert("kty".into(), "EC".into());
            },
            "ec",
        );
        push(
            &|k| {
                k.insert("use".into(), "enc".into());
            },
            "enc",
        );
        push(
            &|k| {
                k.insert("alg".into(), "RS512".into());
            },
            "rs512",
        );
        push(
            &|k| {
                k.insert("alg".into(), "HS256".into());
            },
            "hs",
        );
        push(
            &|k| {
                k.remove("n");
            },
            "no-n",
        );
        push(
            &|k| {
                k.remove("e");
            },
            "no-e",
        );
        push(
            &|k| {
                k.insert("n".into(), 5.into());
            },
            "num-n",
        );
        push(
            &|k| {
                k.insert("n".into(), "AQAB".into());
            },
            "small",
        );
        push(
            &|k| {
                k.insert("e".into(), "AQ==".into());
            },
            "pad-e",
        );
        push(
            &|k| {
                k.insert("e".into(), "Ag".into());
            },
            "even-e",
        );
        push(
            &|k| {
                k.insert("key_ops".into(), serde_json::json!(["encrypt"]));
            },
            "ops",
        );
        push(
            &|k| {
                k.insert("d".into(), "AQAB".into());
            },
            "private",
        );
        push(
            &|k| {
                k.remove("kid");
            },
            "ignored",
        );
        variants.push(good.clone());
        let doc = serde_json::json!({ "keys": variants });
        let set = JwkSet::parse(doc.to_string().as_bytes()).unwrap();
        assert_eq!(set.len(), 1, "{:?}", set.skipped());
        assert!(set.get("2011-04-29").is_some());
        assert_eq!(set.skipped().len(), 13);
    }

    #[test]
    fn duplicate_kids_are_unusable() {
        let good: Value = serde_json::from_str(RFC7517_RSA).unwrap();
        let doc = serde_json::json!({ "keys": [good.clone(), good.clone(), good] });
        let set = JwkSet::parse(doc.to_string().as_bytes()).unwrap();
        assert!(set.is_empty());
        assert_eq!(set.skipped()[0].reason, JwkError::DuplicateKid);
    }

    #[test]
    fn whole_document_errors() {
        assert_eq!(JwkSet::parse(b"[]").unwrap_err(), JwkError::NotAJwks);
        assert_eq!(
            JwkSet::parse(b"{\"keys\":{}}").unwrap_err(),
            JwkError::NotAJwks
        );
        assert_eq!(JwkSet::parse(b"nope").unwrap_err(), JwkError::NotAJwks);
        let big = vec![b' '; MAX_JWKS_BYTES + 1];
        assert_eq!(JwkSet::parse(&big).unwrap_err(), JwkError::TooLarge);
        let many = format!("{{\"keys\":[{}]}}", vec!["{}"; MAX_JWKS_KEYS + 1].join(","));
        assert_eq!(
            JwkSet::parse(many.as_bytes()).unwrap_err(),
            JwkError::TooManyKeys
        );
        assert!(JwkSet::parse(b"{\"keys\":[]}").unwrap().is_empty());
    }
}
