//! PKCE (RFC 7636) with the S256 method only.

use base64::Engine as _;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use thiserror::Error;

/// A PKCE check failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PkceError {
    /// A challenge was registered and no verifier came.
    #[error("code_verifier is required")]
    MissingVerifier,
    /// A verifier came for a code issued without a challenge (a PKCE downgrade).
    #[error("code_verifier sent for a code issued without code_challenge")]
    UnexpectedVerifier,
    /// The verifier is not 43 to 128 characters of `[A-Za-z0-9-._~]`.
    #[error("code_verifier is malformed")]
    MalformedVerifier,
    /// The verifier does not hash to the challenge.
    #[error("code_verifier does not match code_challenge")]
    Mismatch,
}

/// Whether `s` is 43 to 128 characters of the unreserved set (verifier and challenge syntax).
pub(crate) fn well_formed(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// The S256 challenge of a verifier: `BASE64URL(SHA256(verifier))`.
pub(crate) fn s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Checks a token request's `code_verifier` against the authorization request's S256
/// `code_challenge` (both optional; a verifier without a challenge is refused).
pub fn verify_pkce(challenge: Option<&str>, verifier: Option<&str>) -> Result<(), PkceError> {
    match (challenge, verifier) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(PkceError::UnexpectedVerifier),
        (Some(_), None) => Err(PkceError::MissingVerifier),
        (Some(c), Some(v)) => {
            if !well_formed(v) {
                return Err(PkceError::MalformedVerifier);
            }
            if bool::from(s256(v).as_bytes().ct_eq(c.as_bytes())) {
                Ok(())
            } else {
                Err(PkceError::Mismatch)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 appendix B.
    #[test]
    fn rfc7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert_eq!(s256(verifier), challenge);
        assert_eq!(verify_pkce(Some(challenge), Some(verifier)), Ok(()));
    }

    #[test]
    fn pkce_matrix() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = s256(verifier);
        assert_eq!(
            verify_pkce(Some(&challenge), None),
            Err(PkceError::MissingVerifier)
        );
        assert_eq!(
            verify_pkce(None, Some(verifier)),
            Err(PkceError::UnexpectedVerifier)
        );
        let wrong = "eBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            verify_pkce(Some(&challenge), Some(wrong)),
            Err(PkceError::Mismatch)
        );
        // The challenge used as a plain verifier.
        assert_eq!(
            verify_pkce(Some(&challenge), Some(&challenge)),
            Err(PkceError::Mismatch)
        );
        assert_eq!(
            verify_pkce(Some(&challenge), Some("short")),
            Err(PkceError::MalformedVerifier)
        );
        let long = "a".repeat(129);
        assert_eq!(
            verify_pkce(Some(&challenge), Some(&long)),
            Err(PkceError::MalformedVerifier)
        );
        let bad_chars = format!("{}+", "a".repeat(43));
        assert_eq!(
            verify_pkce(Some(&challenge), Some(&bad_chars)),
            Err(PkceError::MalformedVerifier)
        );
    }
}
