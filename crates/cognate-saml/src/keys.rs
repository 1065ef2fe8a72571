//! Identifiers, certificates and the SP's keys.

use std::fmt;

use cognate_types::{UnixTime, UserPoolId};
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;

use crate::encode::{b64_decode, b64_encode};
use crate::SamlError;

/// A SAML entity ID: the IdP's `entityID`, or the SP's `urn:amazon:cognito:sp:{poolId}`.
/// Non-empty, at most 1,024 characters (SAML core §8.3.6), no whitespace or control
/// characters.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityId(Box<str>);

impl EntityId {
    /// Validates and wraps an entity ID.
    pub fn new(value: impl Into<String>) -> Result<Self, SamlError> {
        let value = value.into();
        if value.is_empty()
            || value.chars().count() > 1024
            || value.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(SamlError::Config(
                "entity ID must be 1 to 1024 visible characters",
            ));
        }
        Ok(Self(value.into_boxed_str()))
    }

    /// Cognito's SP entity ID for a user pool: `urn:amazon:cognito:sp:{poolId}`.
    pub fn cognito_sp(pool: &UserPoolId) -> Self {
        Self(format!("urn:amazon:cognito:sp:{}", pool.as_str()).into_boxed_str())
    }

    /// The entity ID as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EntityId({:?})", &*self.0)
    }
}

impl fmt::Display for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The longest certificate Cognito accepts, in base64 characters.
pub const MAX_CERTIFICATE_CHARS: usize = 4096;

/// An X.509 certificate, checked to parse. Trust comes from configuration (IdP metadata),
/// never from a message's `KeyInfo`.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
    not_after: UnixTime,
}

impl Certificate {
    /// From DER bytes.
    pub fn from_der(der: &[u8]) -> Result<Self, SamlError> {
        let x =
            X509::from_der(der).map_err(|_| SamlError::Certificate("not an X.509 certificate"))?;
        let not_after = asn1_to_unix(x.not_after())?;
        Ok(Self {
            der: der.to_vec(),
            not_after,
        })
    }

    /// From the base64 text of an `X509Certificate` element (whitespace ignored), at most
    /// 4,096 characters.
    pub fn from_base64(text: &str) -> Result<Self, SamlError> {
        let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        if compact.len() > MAX_CERTIFICATE_CHARS {
            return Err(SamlError::Certificate("longer than 4,096 characters"));
        }
        let der = b64_decode(&compact, MAX_CERTIFICATE_CHARS)
            .map_err(|_| SamlError::Certificate("not base64"))?;
        Self::from_der(&der)
    }

    /// From a PEM `CERTIFICATE` block.
    pub fn from_pem(pem: &str) -> Result<Self, SamlError> {
        let x = X509::from_pem(pem.as_bytes())
            .map_err(|_| SamlError::Certificate("not a PEM certificate"))?;
        let der = x
            .to_der()
            .map_err(|_| SamlError::Certificate("not a PEM certificate"))?;
        Self::from_der(&der)
    }

    /// The DER bytes.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The base64 text, as it goes into an `X509Certificate` element.
    pub fn to_base64(&self) -> String {
        b64_encode(&self.der)
    }

    /// When the certificate expires (`notAfter`).
    pub fn not_after(&self) -> UnixTime {
        self.not_after
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("der_len", &self.der.len())
            .field("not_after", &self.not_after)
            .finish()
    }
}

fn asn1_to_unix(t: &openssl::asn1::Asn1TimeRef) -> Result<UnixTime, SamlError> {
    let epoch = openssl::asn1::Asn1Time::from_unix(0)
        .map_err(|_| SamlError::Certificate("bad validity"))?;
    let d = epoch
        .diff(t)
        .map_err(|_| SamlError::Certificate("bad validity"))?;
    let secs = i64::from(d.days) * 86_400 + i64::from(d.secs);
    Ok(UnixTime::from_secs(u64::try_from(secs).unwrap_or(0)))
}

/// An RSA private key of the SP with its certificate: signs AuthnRequests and
/// LogoutRequests (HTTP-Redirect, RSA-SHA256), or decrypts assertions (RSA-OAEP). `Debug`
/// never shows the key.
#[derive(Clone)]
pub struct SpKey {
    key: PKey<Private>,
    certificate: Certificate,
}

impl SpKey {
    /// From a PEM private key (PKCS#8 or PKCS#1) and its PEM certificate. The key must be
    /// RSA of at least 2048 bits and match the certificate.
    pub fn from_pem(key_pem: &[u8], certificate_pem: &str) -> Result<Self, SamlError> {
        let key = PKey::private_key_from_pem(key_pem).map_err(|_| SamlError::PrivateKey)?;
        let rsa = key.rsa().map_err(|_| SamlError::PrivateKey)?;
        if rsa.size() < 256 {
            return Err(SamlError::PrivateKey);
        }
        let certificate = Certificate::from_pem(certificate_pem)?;
        let x = X509::from_der(certificate.der())
            .map_err(|_| SamlError::Certificate("not an X.509 certificate"))?;
        let public = x
            .public_key()
            .map_err(|_| SamlError::Certificate("no public key"))?;
        if !public.public_eq(&key) {
            return Err(SamlError::Certificate("does not match the private key"));
        }
        Ok(Self { key, certificate })
    }

    /// The certificate published in SP metadata.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `data`.
    pub(crate) fn sign_rsa_sha256(&self, data: &[u8]) -> Result<Vec<u8>, SamlError> {
        let mut signer =
            openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), &self.key)
                .map_err(|_| SamlError::Signing)?;
        signer.update(data).map_err(|_| SamlError::Signing)?;
        signer.sign_to_vec().map_err(|_| SamlError::Signing)
    }

    /// RSA-OAEP decryption of a content key. Every failure is the same error.
    pub(crate) fn decrypt_oaep(
        &self,
        ciphertext: &[u8],
        digest: &openssl::md::MdRef,
        mgf1: &openssl::md::MdRef,
    ) -> Result<Vec<u8>, SamlError> {
        let mut ctx =
            openssl::pkey_ctx::PkeyCtx::new(&self.key).map_err(|_| SamlError::Decryption)?;
        ctx.decrypt_init().map_err(|_| SamlError::Decryption)?;
        ctx.set_rsa_padding(openssl::rsa::Padding::PKCS1_OAEP)
            .map_err(|_| SamlError::Decryption)?;
        ctx.set_rsa_oaep_md(digest)
            .map_err(|_| SamlError::Decryption)?;
        ctx.set_rsa_mgf1_md(mgf1)
            .map_err(|_| SamlError::Decryption)?;
        let mut out = Vec::new();
        ctx.decrypt_to_vec(ciphertext, &mut out)
            .map_err(|_| SamlError::Decryption)?;
        Ok(out)
    }
}

impl fmt::Debug for SpKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpKey")
            .field("key", &"<redacted>")
            .field("certificate", &self.certificate)
            .finish()
    }
}
