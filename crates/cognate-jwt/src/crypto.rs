//! The crypto backend seam: every primitive Cognate's JWT code uses, implemented once for
//! aws-lc-rs and once for ring. The two crates share an API, so each function is written once
//! against `backend`, which is whichever of the two is enabled (aws-lc-rs when both are).
//!
//! Nothing outside this module names a backend type.

#[cfg(not(any(feature = "aws-lc-rs", feature = "ring")))]
compile_error!("cognate-jwt needs a crypto backend: enable the `aws-lc-rs` or the `ring` feature");

#[cfg(feature = "aws-lc-rs")]
use aws_lc_rs as backend;
#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
use ring as backend;

use backend::{aead, digest, rand, signature};

/// The name of the backend in use, for diagnostics and benchmark labels.
pub const BACKEND_NAME: &str = if cfg!(feature = "aws-lc-rs") {
    "aws-lc-rs"
} else {
    "ring"
};

/// A primitive failed (malformed key, bad signature, failed decryption). Deliberately carries
/// no detail: callers map it to their own typed error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CryptoFailure;

/// An RSA private key that signs RS256.
pub(crate) struct RsaPrivateKey {
    pair: signature::RsaKeyPair,
}

impl RsaPrivateKey {
    /// From a PKCS#8 (RFC 5208) DER `PrivateKeyInfo` holding an RSA key of 2048 to 4096 bits
    /// (ring's range; aws-lc-rs accepts up to 8192).
    pub(crate) fn from_pkcs8(der: &[u8]) -> Result<Self, CryptoFailure> {
        signature::RsaKeyPair::from_pkcs8(der)
            .map(|pair| Self { pair })
            .map_err(|_| CryptoFailure)
    }

    /// The modulus size in bytes.
    fn modulus_len(&self) -> usize {
        #[cfg(feature = "aws-lc-rs")]
        {
            self.pair.public_modulus_len()
        }
        #[cfg(not(feature = "aws-lc-rs"))]
        {
            self.pair.public().modulus_len()
        }
    }

    /// The modulus size in bits.
    pub(crate) fn modulus_bits(&self) -> usize {
        self.modulus_len() * 8
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `msg`.
    pub(crate) fn sign_rs256(&self, msg: &[u8]) -> Result<Vec<u8>, CryptoFailure> {
        let mut sig = vec![0u8; self.modulus_len()];
        self.pair
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &rand::SystemRandom::new(),
                msg,
                &mut sig,
            )
            .map_err(|_| CryptoFailure)?;
        Ok(sig)
    }
}

/// Generates a new RSA key of `bits` (2048, 3072 or 4096) and returns its PKCS#8 DER.
#[cfg(feature = "aws-lc-rs")]
pub(crate) fn generate_rsa_pkcs8(bits: usize) -> Result<Option<Vec<u8>>, CryptoFailure> {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rsa::{KeyPair, KeySize};
    let size = match bits {
        2048 => KeySize::Rsa2048,
        3072 => KeySize::Rsa3072,
        4096 => KeySize::Rsa4096,
        _ => return Err(CryptoFailure),
    };
    let pair = KeyPair::generate(size).map_err(|_| CryptoFailure)?;
    let der = pair.as_der().map_err(|_| CryptoFailure)?;
    Ok(Some(der.as_ref().to_vec()))
}

/// ring cannot generate RSA keys: `Ok(None)` says so.
#[cfg(not(feature = "aws-lc-rs"))]
pub(crate) fn generate_rsa_pkcs8(_bits: usize) -> Result<Option<Vec<u8>>, CryptoFailure> {
    Ok(None)
}

/// An RSA public key prepared for RS256 verification. With aws-lc-rs the key is parsed once,
/// here; ring has no pre-parsed form and builds it per call.
pub(crate) struct RsaPublicKey {
    #[cfg(feature = "aws-lc-rs")]
    parsed: signature::ParsedPublicKey,
    #[cfg(not(feature = "aws-lc-rs"))]
    n: Vec<u8>,
    #[cfg(not(feature = "aws-lc-rs"))]
    e: Vec<u8>,
}

impl RsaPublicKey {
    /// From big-endian modulus and exponent without leading zeros.
    pub(crate) fn from_components(n: &[u8], e: &[u8]) -> Result<Self, CryptoFailure> {
        #[cfg(feature = "aws-lc-rs")]
        {
            let parsed = aws_lc_rs::rsa::PublicKeyComponents { n, e }
                .to_parsed_public_key(&signature::RSA_PKCS1_2048_8192_SHA256)
                .map_err(|_| CryptoFailure)?;
            Ok(Self { parsed })
        }
        #[cfg(not(feature = "aws-lc-rs"))]
        {
            Ok(Self {
                n: n.to_vec(),
                e: e.to_vec(),
            })
        }
    }

    /// True when `sig` is a valid RS256 signature of `msg` by this key (2048 to 8192 bits).
    pub(crate) fn verify_rs256(&self, msg: &[u8], sig: &[u8]) -> bool {
        #[cfg(feature = "aws-lc-rs")]
        {
            self.parsed.verify_sig(msg, sig).is_ok()
        }
        #[cfg(not(feature = "aws-lc-rs"))]
        {
            signature::RsaPublicKeyComponents {
                n: &self.n,
                e: &self.e,
            }
            .verify(&signature::RSA_PKCS1_2048_8192_SHA256, msg, sig)
            .is_ok()
        }
    }
}

/// SHA-256.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    let d = digest::digest(&digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// Length of an AES-GCM authentication tag.
pub(crate) const GCM_TAG_LEN: usize = 16;
/// Length of an AES-GCM nonce.
pub(crate) const GCM_NONCE_LEN: usize = 12;

fn gcm_key(key: &[u8]) -> Result<aead::LessSafeKey, CryptoFailure> {
    let alg = match key.len() {
        16 => &aead::AES_128_GCM,
        32 => &aead::AES_256_GCM,
        _ => return Err(CryptoFailure),
    };
    aead::UnboundKey::new(alg, key)
        .map(aead::LessSafeKey::new)
        .map_err(|_| CryptoFailure)
}

/// AES-GCM encryption (128- or 256-bit key by its length). Returns ciphertext and tag.
pub(crate) fn aes_gcm_seal(
    key: &[u8],
    nonce: &[u8; GCM_NONCE_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<(Vec<u8>, [u8; GCM_TAG_LEN]), CryptoFailure> {
    let key = gcm_key(key)?;
    let mut buf = plaintext.to_vec();
    let tag = key
        .seal_in_place_separate_tag(
            aead::Nonce::assume_unique_for_key(*nonce),
            aead::Aad::from(aad),
            &mut buf,
        )
        .map_err(|_| CryptoFailure)?;
    let mut t = [0u8; GCM_TAG_LEN];
    t.copy_from_slice(tag.as_ref());
    Ok((buf, t))
}

/// AES-GCM decryption and tag check (128- or 256-bit key by its length).
pub(crate) fn aes_gcm_open(
    key: &[u8],
    nonce: &[u8; GCM_NONCE_LEN],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Vec<u8>, CryptoFailure> {
    if tag.len() != GCM_TAG_LEN {
        return Err(CryptoFailure);
    }
    let key = gcm_key(key)?;
    let mut buf = Vec::with_capacity(ciphertext.len() + GCM_TAG_LEN);
    buf.extend_from_slice(ciphertext);
    buf.extend_from_slice(tag);
    let plain_len = key
        .open_in_place(
            aead::Nonce::assume_unique_for_key(*nonce),
            aead::Aad::from(aad),
            &mut buf,
        )
        .map_err(|_| CryptoFailure)?
        .len();
    buf.truncate(plain_len);
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcm_round_trip_and_tamper() {
        let key = [7u8; 32];
        let nonce = [1u8; 12];
        let (ct, tag) = aes_gcm_seal(&key, &nonce, b"aad", b"hello").unwrap();
        assert_eq!(
            aes_gcm_open(&key, &nonce, b"aad", &ct, &tag).unwrap(),
            b"hello"
        );
        assert!(aes_gcm_open(&key, &nonce, b"aaX", &ct, &tag).is_err());
        let mut bad = tag;
        bad[0] ^= 1;
        assert!(aes_gcm_open(&key, &nonce, b"aad", &ct, &bad).is_err());
        assert!(aes_gcm_open(&[0u8; 31], &nonce, b"aad", &ct, &tag).is_err());
    }

    #[test]
    fn sha256_known_answer() {
        // FIPS 180-2 "abc".
        assert_eq!(sha256(b"abc")[..4], [0xba, 0x78, 0x16, 0xbf]);
    }
}
