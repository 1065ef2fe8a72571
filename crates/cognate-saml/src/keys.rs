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

    /// A new RSA-2048 key with a self-signed certificate (SHA-256, serial from the key's
    /// random source) for `common_name`, valid from `now` for `valid_for` (Cognito's are
    /// valid ten years), as Cognito generates a pool's SAML signing and encryption keys.
    pub fn generate(
        common_name: &str,
        now: UnixTime,
        valid_for: std::time::Duration,
    ) -> Result<Self, SamlError> {
        let key = openssl::rsa::Rsa::generate(2048)
            .and_then(PKey::from_rsa)
            .map_err(|_| SamlError::PrivateKey)?;
        let x509 = self_signed(&key, common_name, now, valid_for)
            .map_err(|_| SamlError::Certificate("could not be generated"))?;
        let der = x509
            .to_der()
            .map_err(|_| SamlError::Certificate("could not be generated"))?;
        Ok(Self {
            key,
            certificate: Certificate::from_der(&der)?,
        })
    }

    /// The private key (PKCS#8 PEM) and the certificate (PEM), for storing; read back with
    /// [`SpKey::from_pem`].
    pub fn to_pem(&self) -> Result<(cognate_types::Secret<String>, String), SamlError> {
        let key = self
            .key
            .private_key_to_pem_pkcs8()
            .map_err(|_| SamlError::PrivateKey)?;
        let key = String::from_utf8(key).map_err(|_| SamlError::PrivateKey)?;
        let cert = X509::from_der(self.certificate.der())
            .and_then(|x| x.to_pem())
            .map_err(|_| SamlError::Certificate("not an X.509 certificate"))?;
        let cert = String::from_utf8(cert).map_err(|_| SamlError::Certificate("not PEM"))?;
        Ok((cognate_types::Secret::new(key), cert))
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

fn self_signed(
    key: &PKey<Private>,
    common_name: &str,
    now: UnixTime,
    valid_for: std::time::Duration,
) -> Result<X509, openssl::error::ErrorStack> {
    let mut name = openssl::x509::X509NameBuilder::new()?;
    name.append_entry_by_nid(openssl::nid::Nid::COMMONNAME, common_name)?;
    let name = name.build();
    let mut b = X509::builder()?;
    b.set_version(2)?;
    let mut serial = openssl::bn::BigNum::new()?;
    serial.rand(127, openssl::bn::MsbOption::MAYBE_ZERO, false)?;
    let serial = serial.to_asn1_integer()?;
    b.set_serial_number(&serial)?;
    b.set_subject_name(&name)?;
    b.set_issuer_name(&name)?;
    b.set_pubkey(key)?;
    let start = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    let end = start.saturating_add(i64::try_from(valid_for.as_secs()).unwrap_or(i64::MAX));
    let not_before = openssl::asn1::Asn1Time::from_unix(start)?;
    let not_after = openssl::asn1::Asn1Time::from_unix(end)?;
    b.set_not_before(&not_before)?;
    b.set_not_after(&not_after)?;
    b.sign(key, openssl::hash::MessageDigest::sha256())?;
    Ok(b.build())
}

impl fmt::Debug for SpKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpKey")
            .field("key", &"<redacted>")
            .field("certificate", &self.certificate)
            .finish()
    }
}
