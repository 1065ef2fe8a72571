//! RSA signing keys: generate, load and save (PEM, private JWK), sign RS256.
//!
//! A [`SigningKey`] holds the private key prepared for signing, its `kid` (by default the
//! RFC 7638 SHA-256 thumbprint in standard base64, 44 characters: the shape of Cognito's
//! `kid`s), the matching [`VerifyingKey`], and the base64url JOSE header Cognito uses,
//! `{"kid":"…","alg":"RS256"}`, computed once. Private material lives in [`Secret`]s and
//! zeroizing buffers; `Debug` shows only the `kid` and the size.
//!
//! Inputs accepted: PKCS#8 PEM (`PRIVATE KEY`), PKCS#1 PEM (`RSA PRIVATE KEY`), PKCS#8 and
//! PKCS#1 DER, and private RSA JWKs (RFC 7518 section 6.3.2, two primes). Output: PKCS#8
//! PEM/DER and private JWK, each as a [`Secret`]. Keys below 2048 bits are refused.

use std::fmt;
use std::sync::Arc;

use base64::Engine;
use cognate_types::{KeyId, Secret};
use serde::Deserialize;
use thiserror::Error;
use zeroize::Zeroizing;

use crate::b64;
use crate::crypto::{self, RsaPrivateKey};
use crate::der::{self, RsaComponents};
use crate::jwk::{self, PublicJwk, VerifyingKey, MIN_RSA_BITS};

/// Largest PEM or JWK text accepted when loading a key.
pub const MAX_KEY_TEXT_BYTES: usize = 64 * 1024;

/// RSA modulus sizes [`SigningKey::generate`] can make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum RsaKeySize {
    /// 2048 bits: Cognito's size, and the default.
    #[default]
    Rsa2048,
    /// 3072 bits.
    Rsa3072,
    /// 4096 bits.
    Rsa4096,
}

impl RsaKeySize {
    /// The size in bits.
    pub fn bits(self) -> usize {
        match self {
            RsaKeySize::Rsa2048 => 2048,
            RsaKeySize::Rsa3072 => 3072,
            RsaKeySize::Rsa4096 => 4096,
        }
    }

    /// The size for a bit count, if it is one of 2048, 3072, 4096.
    pub fn from_bits(bits: usize) -> Option<Self> {
        match bits {
            2048 => Some(RsaKeySize::Rsa2048),
            3072 => Some(RsaKeySize::Rsa3072),
            4096 => Some(RsaKeySize::Rsa4096),
            _ => None,
        }
    }
}

/// A signing key could not be generated, loaded, exported or used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The crypto backend cannot generate RSA keys (ring): load a key instead.
    #[error("this crypto backend cannot generate RSA keys; load an existing key")]
    GenerationUnsupported,
    /// Key generation failed in the backend.
    #[error("RSA key generation failed")]
    GenerationFailed,
    /// The input is larger than [`MAX_KEY_TEXT_BYTES`].
    #[error("key text is too large")]
    TooLarge,
    /// No PEM block of a supported kind was found.
    #[error("no `PRIVATE KEY` or `RSA PRIVATE KEY` PEM block found")]
    NotPem,
    /// The PEM block is an encrypted private key (not supported: decrypt it first).
    #[error("encrypted private keys are not supported")]
    EncryptedPem,
    /// The PEM body is not base64.
    #[error("PEM body is not valid base64")]
    PemBase64,
    /// The DER structure is not a PKCS#8 or PKCS#1 RSA private key.
    #[error("not a PKCS#8 or PKCS#1 RSA private key")]
    BadDer,
    /// The private JWK is not JSON of the expected shape.
    #[error("private JWK is not a JSON object of the expected shape")]
    BadJwk,
    /// The private JWK is not an RSA key.
    #[error("private JWK is not an RSA key")]
    NotRsa,
    /// A private JWK member is missing or not canonical base64url.
    #[error("private JWK member `{0}` is missing or not base64url")]
    JwkMember(&'static str),
    /// The JWK says it is for another algorithm or use.
    #[error("private JWK is not for RS256 signatures")]
    WrongUse,
    /// Multi-prime RSA keys (`oth`) are not supported.
    #[error("multi-prime RSA keys are not supported")]
    MultiPrime,
    /// The modulus is below 2048 bits.
    #[error("RSA key of {bits} bits is below the 2048-bit minimum")]
    TooSmall {
        /// The modulus size.
        bits: usize,
    },
    /// The crypto backend rejected the key (inconsistent components, unsupported size, bad
    /// exponent).
    #[error("RSA key rejected by the crypto backend")]
    Rejected,
    /// Signing failed.
    #[error("RSA signing failed")]
    SigningFailed,
}

struct Inner {
    key: RsaPrivateKey,
    pkcs8: Secret<Vec<u8>>,
    bits: usize,
}

/// An RSA private key that signs Cognito-shaped RS256 JWTs. Cheap to clone.
#[derive(Clone)]
pub struct SigningKey {
    kid: KeyId,
    verifying: VerifyingKey,
    /// `BASE64URL({"kid":"…","alg":"RS256"})`.
    header_b64: Arc<str>,
    inner: Arc<Inner>,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("alg", &"RS256")
            .field("bits", &self.inner.bits)
            .finish_non_exhaustive()
    }
}

fn header_b64(kid: &KeyId) -> Arc<str> {
    // A KeyId is visible ASCII; serde_json escapes `"` and `\` if present.
    let kid_json = serde_json::to_string(kid.as_str()).unwrap_or_else(|_| String::from("\"\""));
    let header = format!("{{\"kid\":{kid_json},\"alg\":\"RS256\"}}");
    Arc::from(b64::encode(header.as_bytes()))
}

impl SigningKey {
    /// Generates a new key. Needs the aws-lc-rs backend; with ring alone this returns
    /// [`KeyError::GenerationUnsupported`].
    pub fn generate(size: RsaKeySize) -> Result<Self, KeyError> {
        match crypto::generate_rsa_pkcs8(size.bits()) {
            Ok(Some(der)) => {
                let der = Zeroizing::new(der);
                Self::from_pkcs8_der(&der)
            }
            Ok(None) => Err(KeyError::GenerationUnsupported),
            Err(_) => Err(KeyError::GenerationFailed),
        }
    }

    /// Loads a PKCS#8 `PrivateKeyInfo` (DER) holding an RSA key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        if der.len() > MAX_KEY_TEXT_BYTES {
            return Err(KeyError::TooLarge);
        }
        let pkcs1 = der::pkcs8_inner(der).map_err(|_| KeyError::BadDer)?;
        let comps = der::parse_pkcs1(pkcs1).map_err(|_| KeyError::BadDer)?;
        Self::load(der.to_vec(), &comps, None)
    }

    /// Loads a PKCS#1 `RSAPrivateKey` (DER).
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        if der.len() > MAX_KEY_TEXT_BYTES {
            return Err(KeyError::TooLarge);
        }
        let comps = der::parse_pkcs1(der).map_err(|_| KeyError::BadDer)?;
        let pkcs8 = der::wrap_pkcs8(der);
        Self::load(pkcs8.to_vec(), &comps, None)
    }

    /// Loads a PEM: the first `PRIVATE KEY` (PKCS#8) or `RSA PRIVATE KEY` (PKCS#1) block.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        if pem.len() > MAX_KEY_TEXT_BYTES {
            return Err(KeyError::TooLarge);
        }
        if pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            return Err(KeyError::EncryptedPem);
        }
        if let Some(der) = pem_block(pem, "PRIVATE KEY")? {
            return Self::from_pkcs8_der(&der);
        }
        if let Some(der) = pem_block(pem, "RSA PRIVATE KEY")? {
            return Self::from_pkcs1_der(&der);
        }
        Err(KeyError::NotPem)
    }

    /// Loads a private RSA JWK (`kty`, `n`, `e`, `d`, `p`, `q`, `dp`, `dq`, `qi`). Its `kid`
    /// is kept when present; otherwise the thumbprint is used. `alg`, when present, must be
    /// `RS256` and `use`, when present, `sig`.
    pub fn from_jwk(json: &str) -> Result<Self, KeyError> {
        if json.len() > MAX_KEY_TEXT_BYTES {
            return Err(KeyError::TooLarge);
        }
        let raw: PrivateJwkIn = serde_json::from_str(json).map_err(|_| KeyError::BadJwk)?;
        if raw.kty != "RSA" {
            return Err(KeyError::NotRsa);
        }
        if raw.oth.is_some() {
            return Err(KeyError::MultiPrime);
        }
        if raw.alg.as_deref().is_some_and(|a| a != "RS256")
            || raw.use_.as_deref().is_some_and(|u| u != "sig")
        {
            return Err(KeyError::WrongUse);
        }
        let kid = match raw.kid {
            Some(k) => Some(KeyId::new(k).map_err(|_| KeyError::BadJwk)?),
            None => None,
        };
        let dec = |v: &Option<Secret<String>>, name: &'static str| {
            v.as_ref()
                .and_then(|s| b64::decode(s.expose()))
                .filter(|b| !b.is_empty())
                .map(Zeroizing::new)
                .ok_or(KeyError::JwkMember(name))
        };
        let (n, e, d) = (dec(&raw.n, "n")?, dec(&raw.e, "e")?, dec(&raw.d, "d")?);
        let (p, q) = (dec(&raw.p, "p")?, dec(&raw.q, "q")?);
        let (dp, dq, qi) = (
            dec(&raw.dp, "dp")?,
            dec(&raw.dq, "dq")?,
            dec(&raw.qi, "qi")?,
        );
        let comps = RsaComponents {
            n: &n,
            e: &e,
            d: &d,
            p: &p,
            q: &q,
            dp: &dp,
            dq: &dq,
            qi: &qi,
        };
        let pkcs8 = der::wrap_pkcs8(&der::write_pkcs1(&comps));
        Self::load(pkcs8.to_vec(), &comps, kid)
    }

    fn load(
        pkcs8: Vec<u8>,
        comps: &RsaComponents<'_>,
        kid: Option<KeyId>,
    ) -> Result<Self, KeyError> {
        let pkcs8 = Secret::new(pkcs8);
        let n = jwk::strip_leading_zeros(comps.n);
        let bits = rsa_bits(n);
        if bits < MIN_RSA_BITS {
            return Err(KeyError::TooSmall { bits });
        }
        let key = RsaPrivateKey::from_pkcs8(pkcs8.expose()).map_err(|_| KeyError::Rejected)?;
        if key.modulus_bits() != n.len() * 8 {
            return Err(KeyError::Rejected);
        }
        let kid = kid.unwrap_or_else(|| jwk::rsa_thumbprint_kid(n, comps.e));
        let verifying = VerifyingKey::from_rsa_components(kid.clone(), n, comps.e)
            .map_err(|_| KeyError::Rejected)?;
        Ok(Self {
            header_b64: header_b64(&kid),
            kid,
            verifying,
            inner: Arc::new(Inner { key, pkcs8, bits }),
        })
    }

    /// The same key published under another `kid`.
    pub fn with_kid(&self, kid: KeyId) -> Self {
        let verifying = VerifyingKey::from_rsa_components(
            kid.clone(),
            self.verifying.modulus(),
            self.verifying.exponent(),
        )
        // The components were accepted a moment ago under another kid.
        .unwrap_or_else(|_| self.verifying.clone());
        Self {
            header_b64: header_b64(&kid),
            kid,
            verifying,
            inner: Arc::clone(&self.inner),
        }
    }

    /// The key ID.
    pub fn kid(&self) -> &KeyId {
        &self.kid
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.inner.bits
    }

    /// The matching public key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.verifying
    }

    /// The public key as a JWK in Cognito's shape.
    pub fn public_jwk(&self) -> PublicJwk {
        self.verifying.to_jwk()
    }

    /// The RFC 7638 thumbprint `kid` of this key (independent of any `kid` override).
    pub fn thumbprint(&self) -> KeyId {
        jwk::rsa_thumbprint_kid(self.verifying.modulus(), self.verifying.exponent())
    }

    /// `BASE64URL({"kid":"…","alg":"RS256"})`: the protected header of every token this key
    /// signs.
    pub fn header_b64(&self) -> &str {
        &self.header_b64
    }

    /// RSASSA-PKCS1-v1_5 SHA-256 signature of `message` (deterministic).
    pub fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.inner
            .key
            .sign_rs256(message)
            .map_err(|_| KeyError::SigningFailed)
    }

    /// Signs `payload_json` under an arbitrary protected header (`header_json`) with RS256
    /// and returns the compact JWS. Tokens Cognate issues use [`SigningKey::header_b64`]'s
    /// fixed header instead; this is for other JOSE objects and interoperability tests.
    pub fn sign_jws(&self, header_json: &[u8], payload_json: &[u8]) -> Result<String, KeyError> {
        crate::jws::sign_compact(header_json, payload_json, &self.inner.key)
            .map_err(|_| KeyError::SigningFailed)
    }

    /// Signs a JWT payload (JSON bytes) under this key's header and returns the compact
    /// serialization.
    pub(crate) fn sign_jwt(&self, payload_json: &[u8]) -> Result<String, KeyError> {
        let sig_b64 = (self.inner.bits / 8).div_ceil(3) * 4;
        let mut out = String::with_capacity(
            self.header_b64.len() + payload_json.len().div_ceil(3) * 4 + sig_b64 + 2,
        );
        out.push_str(&self.header_b64);
        out.push('.');
        b64::encode_into(payload_json, &mut out);
        let sig = self.sign_rs256(out.as_bytes())?;
        out.push('.');
        b64::encode_into(&sig, &mut out);
        Ok(out)
    }

    /// The private key as PKCS#8 DER.
    pub fn to_pkcs8_der(&self) -> Secret<Vec<u8>> {
        self.inner.pkcs8.clone()
    }

    /// The private key as a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, 64-column lines).
    pub fn to_pkcs8_pem(&self) -> Secret<String> {
        let body = Zeroizing::new(
            base64::engine::general_purpose::STANDARD.encode(self.inner.pkcs8.expose()),
        );
        let mut out = String::with_capacity(body.len() + body.len() / 64 + 64);
        out.push_str("-----BEGIN PRIVATE KEY-----\n");
        for chunk in body.as_bytes().chunks(64) {
            // base64 output is ASCII, so every chunk is valid UTF-8.
            out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
            out.push('\n');
        }
        out.push_str("-----END PRIVATE KEY-----\n");
        Secret::new(out)
    }

    /// The private key as a JWK:
    /// `{"kty":"RSA","kid":…,"alg":"RS256","use":"sig","n","e","d","p","q","dp","dq","qi"}`.
    pub fn to_private_jwk(&self) -> Secret<String> {
        let mut out = Zeroizing::new(String::with_capacity(4096));
        let comps = der::pkcs8_inner(self.inner.pkcs8.expose()).and_then(der::parse_pkcs1);
        let Ok(c) = comps else {
            // Unreachable: the DER was parsed when the key was loaded.
            return Secret::new(String::new());
        };
        let kid_json = serde_json::to_string(self.kid.as_str()).unwrap_or_default();
        out.push_str("{\"kty\":\"RSA\",\"kid\":");
        out.push_str(&kid_json);
        out.push_str(",\"alg\":\"RS256\",\"use\":\"sig\"");
        for (name, v) in [
            ("n", c.n),
            ("e", c.e),
            ("d", c.d),
            ("p", c.p),
            ("q", c.q),
            ("dp", c.dp),
            ("dq", c.dq),
            ("qi", c.qi),
        ] {
            out.push_str(",\"");
            out.push_str(name);
            out.push_str("\":\"");
            b64::encode_into(jwk::strip_leading_zeros(v), &mut out);
            out.push('"');
        }
        out.push('}');
        Secret::new(std::mem::take(&mut *out))
    }
}

#[derive(Deserialize)]
struct PrivateJwkIn {
    kty: String,
    kid: Option<String>,
    alg: Option<String>,
    #[serde(rename = "use")]
    use_: Option<String>,
    n: Option<Secret<String>>,
    e: Option<Secret<String>>,
    d: Option<Secret<String>>,
    p: Option<Secret<String>>,
    q: Option<Secret<String>>,
    dp: Option<Secret<String>>,
    dq: Option<Secret<String>>,
    qi: Option<Secret<String>>,
    oth: Option<serde::de::IgnoredAny>,
}

fn rsa_bits(n: &[u8]) -> usize {
    match n.first() {
        Some(&top) => (n.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
        None => 0,
    }
}

/// Finds the `-----BEGIN {label}-----` block and decodes its body. `Ok(None)` when absent.
fn pem_block(pem: &str, label: &str) -> Result<Option<Zeroizing<Vec<u8>>>, KeyError> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let Some(start) = pem.find(&begin) else {
        return Ok(None);
    };
    let after = pem.get(start + begin.len()..).unwrap_or_default();
    let Some(stop) = after.find(&end) else {
        return Err(KeyError::NotPem);
    };
    let body = after.get(..stop).unwrap_or_default();
    if body.contains(':') {
        // RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`): legacy encrypted PEM.
        return Err(KeyError::EncryptedPem);
    }
    let compact: Zeroizing<String> =
        Zeroizing::new(body.chars().filter(|c| !c.is_ascii_whitespace()).collect());
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map(|v| Some(Zeroizing::new(v)))
        .map_err(|_| KeyError::PemBase64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_cognito_shaped() {
        let kid = KeyId::new("abc+/=").unwrap();
        let h = header_b64(&kid);
        assert_eq!(
            b64::decode(&h).unwrap(),
            br#"{"kid":"abc+/=","alg":"RS256"}"#
        );
    }

    #[test]
    fn pem_errors() {
        assert_eq!(SigningKey::from_pem("").unwrap_err(), KeyError::NotPem);
        assert_eq!(
            SigningKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA").unwrap_err(),
            KeyError::NotPem
        );
        assert_eq!(
            SigningKey::from_pem("-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----")
                .unwrap_err(),
            KeyError::PemBase64
        );
        assert_eq!(
            SigningKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
                .unwrap_err(),
            KeyError::BadDer
        );
        assert_eq!(
            SigningKey::from_pem(
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----"
            )
            .unwrap_err(),
            KeyError::EncryptedPem
        );
        assert_eq!(
            SigningKey::from_pem(&"a".repeat(MAX_KEY_TEXT_BYTES + 1)).unwrap_err(),
            KeyError::TooLarge
        );
    }
}
