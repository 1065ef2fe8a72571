//! Refresh tokens: opaque compact JWEs only the pool can read.
//!
//! Format (see `docs/adr/0002-refresh-token-format.md`): compact JWE (RFC 7516) with the
//! protected header exactly `{"alg":"dir","enc":"A256GCM","kid":"…"}`, an empty
//! encrypted-key segment, a random 96-bit IV, AAD = ASCII(BASE64URL(protected header))
//! (RFC 7516 section 5.1 step 14), and a JSON plaintext binding the token to the pool, the
//! client, the user (`sub` and `username`), the family (`origin_jti`), with its own `jti`,
//! `iat`, `exp`, `auth_time` and optional `device_key`.
//!
//! Opening is strict, each failure a [`RefreshError`] variant: size checked before decoding,
//! five segments, exact header, known `kid`, IV and tag lengths, tag, claims shape, pool,
//! client, expiry against the caller's clock, and the family's revocation.

use std::fmt;

use cognate_types::{
    ClientId, KeyId, RandomError, Secret, SecureRandom, Sub, TokenId, UnixTime, UserPoolId,
    Username,
};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use zeroize::Zeroizing;

use crate::b64;
use crate::claims::DeviceKey;
use crate::crypto::{self, GCM_NONCE_LEN, GCM_TAG_LEN};
use crate::keyset::PoolKeys;
use crate::revocation::RevocationCheck;

/// Longest refresh token accepted, checked before any decoding.
pub const MAX_REFRESH_TOKEN_BYTES: usize = 4096;

#[allow(clippy::panic)]
fn unreachable_kid() -> KeyId {
    panic!("a UUID is a valid key id")
}

/// A 256-bit key that seals refresh tokens, with its `kid`. `Debug` shows only the `kid`.
#[derive(Clone)]
pub struct RefreshKey {
    kid: KeyId,
    key: Secret<[u8; 32]>,
}

impl fmt::Debug for RefreshKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshKey")
            .field("kid", &self.kid)
            .field("key", &"[REDACTED]")
            .finish()
    }
}

impl RefreshKey {
    /// A new random key whose `kid` is a random UUID.
    pub fn generate(rng: &dyn SecureRandom) -> Result<Self, RandomError> {
        let mut key = [0u8; 32];
        rng.fill(&mut key)?;
        let kid = TokenId::generate(rng)?;
        // A UUID is 36 visible ASCII characters: always a valid KeyId.
        let kid = KeyId::new(kid.as_str()).unwrap_or_else(|_| unreachable_kid());
        Ok(Self {
            kid,
            key: Secret::new(key),
        })
    }

    /// A key from its bytes.
    pub fn from_bytes(kid: KeyId, key: [u8; 32]) -> Self {
        Self {
            kid,
            key: Secret::new(key),
        }
    }

    /// The key ID.
    pub fn kid(&self) -> &KeyId {
        &self.kid
    }

    pub(crate) fn to_b64(&self) -> Zeroizing<String> {
        Zeroizing::new(b64::encode(self.key.expose()))
    }

    pub(crate) fn from_b64(kid: KeyId, s: &str) -> Option<Self> {
        let bytes = Zeroizing::new(b64::decode(s)?);
        let key: [u8; 32] = bytes.as_slice().try_into().ok()?;
        Some(Self::from_bytes(kid, key))
    }

    /// The canonical protected header of tokens sealed with this key, base64url.
    fn header_b64(&self) -> String {
        let kid = serde_json::to_string(self.kid.as_str()).unwrap_or_default();
        b64::encode(format!("{{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":{kid}}}").as_bytes())
    }
}

/// What a refresh token carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshTokenClaims {
    /// The pool that issued it.
    pub pool: UserPoolId,
    /// The client it was issued to.
    pub client_id: ClientId,
    /// The user's `sub`.
    pub sub: Sub,
    /// The user's username.
    pub username: Username,
    /// The token family (`origin_jti` of every token refreshed from it).
    pub origin_jti: TokenId,
    /// This refresh token's own ID.
    pub jti: TokenId,
    /// Issue time.
    pub iat: UnixTime,
    /// Expiry.
    pub exp: UnixTime,
    /// The original authentication time (kept by every refresh).
    pub auth_time: UnixTime,
    /// The remembered device the session is bound to.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "opt_device_key"
    )]
    pub device_key: Option<DeviceKey>,
    /// The scopes granted by the OAuth endpoints (space-separated), reissued on refresh.
    /// `None` for user-pools API sign-ins (scope `aws.cognito.signin.user.admin`); tokens
    /// sealed before this field existed open with `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

mod opt_device_key {
    use super::DeviceKey;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &Option<DeviceKey>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(k) => s.serialize_str(k.as_str()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DeviceKey>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        s.map(|s| DeviceKey::new(s).map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// A refresh token could not be sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RefreshError {
    /// Longer than [`MAX_REFRESH_TOKEN_BYTES`]; nothing was decoded.
    #[error("refresh token is too large")]
    TooLarge,
    /// Not five dot-separated segments.
    #[error("refresh token is not a compact JWE")]
    NotCompactJwe,
    /// A segment is not canonical base64url.
    #[error("refresh token segment is not base64url")]
    Base64,
    /// The header is not exactly `{"alg":"dir","enc":"A256GCM","kid":"…"}`.
    #[error("refresh token header is not the expected one")]
    BadHeader,
    /// The encrypted-key segment is not empty (`dir` has none).
    #[error("refresh token has an encrypted key")]
    UnexpectedEncryptedKey,
    /// No refresh key with the header's `kid`.
    #[error("refresh token key is unknown")]
    UnknownKey,
    /// The IV is not 96 bits.
    #[error("refresh token IV has the wrong length")]
    BadIv,
    /// The tag is not 128 bits.
    #[error("refresh token tag has the wrong length")]
    BadTag,
    /// Authentication failed: tampered, or sealed with another key.
    #[error("refresh token failed to decrypt")]
    Decryption,
    /// The plaintext is not the expected claims.
    #[error("refresh token contents are malformed")]
    BadClaims,
    /// Issued by another pool.
    #[error("refresh token belongs to another user pool")]
    WrongPool,
    /// Issued to another client.
    #[error("refresh token belongs to another client")]
    WrongClient,
    /// Expired.
    #[error("refresh token has expired")]
    Expired,
    /// Its family (or itself) has been revoked.
    #[error("refresh token has been revoked")]
    Revoked,
    /// Sealing failed.
    #[error("refresh token sealing failed")]
    Sealing,
    /// The random source failed.
    #[error(transparent)]
    Random(#[from] RandomError),
}

/// `dir` + AES-GCM compact JWE sealing with a given header (already base64url) and IV.
pub(crate) fn seal_dir(
    header_b64: &str,
    key: &[u8],
    iv: &[u8; GCM_NONCE_LEN],
    plaintext: &[u8],
) -> Result<String, RefreshError> {
    let (ct, tag) = crypto::aes_gcm_seal(key, iv, header_b64.as_bytes(), plaintext)
        .map_err(|_| RefreshError::Sealing)?;
    let mut out = String::with_capacity(
        header_b64.len() + (ct.len() + GCM_NONCE_LEN + GCM_TAG_LEN) * 4 / 3 + 12,
    );
    out.push_str(header_b64);
    out.push_str("..");
    b64::encode_into(iv, &mut out);
    out.push('.');
    b64::encode_into(&ct, &mut out);
    out.push('.');
    b64::encode_into(&tag, &mut out);
    Ok(out)
}

/// The segments of a compact `dir` JWE, decoded apart from the header.
pub(crate) struct DirJwe<'a> {
    pub(crate) header_b64: &'a str,
    pub(crate) header: Vec<u8>,
    iv: [u8; GCM_NONCE_LEN],
    ciphertext: Vec<u8>,
    tag: Vec<u8>,
}

/// Splits and decodes a compact JWE with an empty encrypted-key segment.
pub(crate) fn parse_dir(token: &str) -> Result<DirJwe<'_>, RefreshError> {
    if token.len() > MAX_REFRESH_TOKEN_BYTES {
        return Err(RefreshError::TooLarge);
    }
    let mut parts = token.splitn(6, '.');
    let (Some(h), Some(k), Some(iv), Some(ct), Some(tag), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(RefreshError::NotCompactJwe);
    };
    if h.is_empty() {
        return Err(RefreshError::NotCompactJwe);
    }
    if !k.is_empty() {
        return Err(RefreshError::UnexpectedEncryptedKey);
    }
    let header = b64::decode(h).ok_or(RefreshError::Base64)?;
    let iv = b64::decode(iv).ok_or(RefreshError::Base64)?;
    let iv: [u8; GCM_NONCE_LEN] = iv.as_slice().try_into().map_err(|_| RefreshError::BadIv)?;
    let ciphertext = b64::decode(ct).ok_or(RefreshError::Base64)?;
    let tag = b64::decode(tag).ok_or(RefreshError::Base64)?;
    if tag.len() != GCM_TAG_LEN {
        return Err(RefreshError::BadTag);
    }
    Ok(DirJwe {
        header_b64: h,
        header,
        iv,
        ciphertext,
        tag,
    })
}

impl DirJwe<'_> {
    /// Decrypts with `key` (16 or 32 bytes), AAD = the header segment's ASCII.
    pub(crate) fn open(&self, key: &[u8]) -> Result<Zeroizing<Vec<u8>>, RefreshError> {
        crypto::aes_gcm_open(
            key,
            &self.iv,
            self.header_b64.as_bytes(),
            &self.ciphertext,
            &self.tag,
        )
        .map(Zeroizing::new)
        .map_err(|_| RefreshError::Decryption)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HeaderIn {
    alg: String,
    enc: String,
    kid: String,
}

impl PoolKeys {
    /// Seals refresh-token claims with the active refresh key.
    pub fn seal_refresh_token(
        &self,
        claims: &RefreshTokenClaims,
        rng: &dyn SecureRandom,
    ) -> Result<Secret<String>, RefreshError> {
        let key = self.active_refresh_key();
        let plaintext =
            Zeroizing::new(serde_json::to_vec(claims).map_err(|_| RefreshError::Sealing)?);
        let mut iv = [0u8; GCM_NONCE_LEN];
        rng.fill(&mut iv)?;
        seal_dir(&key.header_b64(), key.key.expose(), &iv, &plaintext).map(Secret::new)
    }

    /// Opens a refresh token presented by `client_id` to `pool` at `now`, and checks its
    /// family against `revocations`. See the module documentation for the checks.
    pub fn open_refresh_token(
        &self,
        token: &str,
        pool: &UserPoolId,
        client_id: &ClientId,
        now: UnixTime,
        revocations: &dyn RevocationCheck,
    ) -> Result<RefreshTokenClaims, RefreshError> {
        let jwe = parse_dir(token)?;
        let header: HeaderIn =
            serde_json::from_slice(&jwe.header).map_err(|_| RefreshError::BadHeader)?;
        if header.alg != "dir" || header.enc != "A256GCM" {
            return Err(RefreshError::BadHeader);
        }
        let key = self
            .refresh_key(&header.kid)
            .ok_or(RefreshError::UnknownKey)?;
        if jwe.header_b64 != key.header_b64() {
            return Err(RefreshError::BadHeader);
        }
        let plaintext = jwe.open(key.key.expose())?;
        let claims: RefreshTokenClaims =
            serde_json::from_slice(&plaintext).map_err(|_| RefreshError::BadClaims)?;
        if &claims.pool != pool {
            return Err(RefreshError::WrongPool);
        }
        if &claims.client_id != client_id {
            return Err(RefreshError::WrongClient);
        }
        if now >= claims.exp {
            return Err(RefreshError::Expired);
        }
        if revocations.is_revoked(Some(claims.origin_jti.as_str()), Some(claims.jti.as_str())) {
            return Err(RefreshError::Revoked);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7520 section 5.6 (Direct Encryption Using AES-GCM): key (Figure 130), IV
    // (Figure 132), protected header (Figure 133/134) and the compact result (Figure 136).
    const RFC7520_KEY: &str = "XctOhJAkA-pD9Lh7ZgW_2A";
    const RFC7520_PLAINTEXT: &str = "You can trust us to stick with you through thick and thin\u{2013}to the bitter end. And you can trust us to keep any secret of yours\u{2013}closer than you keep it yourself. But you cannot trust us to let you face trouble alone, and go off without a word. We are your friends, Frodo.";
    const RFC7520_COMPACT: &str = "eyJhbGciOiJkaXIiLCJraWQiOiI3N2M3ZTJiOC02ZTEzLTQ1Y2YtODY3Mi02MTdiNWI0NTI0M2EiLCJlbmMiOiJBMTI4R0NNIn0..refa467QzzKx6QAB.JW_i_f52hww_ELQPGaYyeAB6HYGcR559l9TYnSovc23XJoBcW29rHP8yZOZG7YhLpT1bjFuvZPjQS-m0IFtVcXkZXdH_lr_FrdYt9HRUYkshtrMmIUAyGmUnd9zMDB2n0cRDIHAzFVeJUDxkUwVAE7_YGRPdcqMyiBoCO-FBdE-Nceb4h3-FtBP-c_BIwCPTjb9o0SbdcdREEMJMyZBH8ySWMVi1gPD9yxi-aQpGbSv_F9N4IZAxscj5g-NJsUPbjk29-s7LJAGb15wEBtXphVCgyy53CoIKLHHeJHXex45Uz9aKZSRSInZI-wjsY0yu3cT4_aQ3i1o-tiE-F8Ios61EKgyIQ4CWao8PFMj8TTnp.vbb32Xvllea2OtmHAdccRQ";

    #[test]
    fn rfc7520_5_6_open_and_seal() {
        let key = b64::decode(RFC7520_KEY).unwrap();
        let jwe = parse_dir(RFC7520_COMPACT).unwrap();
        assert_eq!(
            jwe.header,
            br#"{"alg":"dir","kid":"77c7e2b8-6e13-45cf-8672-617b5b45243a","enc":"A128GCM"}"#
        );
        let plain = jwe.open(&key).unwrap();
        assert_eq!(std::str::from_utf8(&plain).unwrap(), RFC7520_PLAINTEXT);
        // AES-GCM is deterministic for a given IV: sealing reproduces the RFC's output.
        let iv: [u8; 12] = b64::decode("refa467QzzKx6QAB").unwrap().try_into().unwrap();
        let header_b64 = RFC7520_COMPACT.split('.').next().unwrap();
        let sealed = seal_dir(header_b64, &key, &iv, RFC7520_PLAINTEXT.as_bytes()).unwrap();
        assert_eq!(sealed, RFC7520_COMPACT);
        // The AAD is the header segment: changing it breaks the tag.
        let mut wrong_key = key.clone();
        wrong_key[0] ^= 1;
        assert_eq!(jwe.open(&wrong_key).unwrap_err(), RefreshError::Decryption);
    }

    #[test]
    fn structure_errors() {
        let cases = [
            ("a.b.c", RefreshError::NotCompactJwe),
            ("a..b.c.d.e", RefreshError::NotCompactJwe),
            (".. . . ", RefreshError::NotCompactJwe),
            (
                "eyJ9.x.AAAAAAAAAAAAAAAA.AA.AAAAAAAAAAAAAAAAAAAAAA",
                RefreshError::UnexpectedEncryptedKey,
            ),
            (
                "e=..AAAAAAAAAAAAAAAA.AA.AAAAAAAAAAAAAAAAAAAAAA",
                RefreshError::Base64,
            ),
            ("eyJ9..AAAA.AA.AAAAAAAAAAAAAAAAAAAAAA", RefreshError::BadIv),
            ("eyJ9..AAAAAAAAAAAAAAAA.AA.AAAA", RefreshError::BadTag),
        ];
        for (t, want) in cases {
            assert_eq!(parse_dir(t).err(), Some(want), "{t}");
        }
        let big = "a".repeat(MAX_REFRESH_TOKEN_BYTES + 1);
        assert_eq!(parse_dir(&big).err(), Some(RefreshError::TooLarge));
    }

    #[test]
    fn key_debug_is_redacted() {
        let k = RefreshKey::from_bytes(KeyId::new("k1").unwrap(), [0xab; 32]);
        let s = format!("{k:?}");
        assert!(s.contains("k1") && s.contains("REDACTED"));
        assert!(!s.contains("171") && !s.to_lowercase().contains("abab"));
    }
}
