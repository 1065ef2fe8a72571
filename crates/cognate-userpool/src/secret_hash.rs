//! `SECRET_HASH`: how a client with a secret proves it knows the secret on the user-pools API.
//!
//! `SECRET_HASH = Base64( HMAC-SHA-256( key = client secret (UTF-8), message = username ‖ client ID ) )`
//! with the standard Base64 alphabet and padding (reference 5.4). The username is the one sent in
//! that request: the `USERNAME` auth parameter (which may be an alias such as an e-mail address),
//! or, when answering a challenge, the `USERNAME` Cognito returned (`USER_ID_FOR_SRP` after SRP).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use cognate_types::{ClientId, Secret};
use sha2::Sha256;
use thiserror::Error;

/// Why a presented `SECRET_HASH` was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SecretHashError {
    /// The presented value is not the hash of this client's secret, username and client ID
    /// (Cognito: `NotAuthorizedException`, "Unable to verify secret hash for client {clientId}").
    #[error("the SECRET_HASH does not match")]
    Mismatch,
}

/// The `SECRET_HASH` of `username` for the app client `client_id` with secret `client_secret`.
pub fn compute(client_secret: &Secret<String>, username: &str, client_id: &ClientId) -> String {
    STANDARD.encode(mac(client_secret, username, client_id))
}

/// Checks a `SECRET_HASH` presented by a client. The comparison runs in constant time (only the
/// length of the presented value can be learnt from timing).
pub fn verify(
    client_secret: &Secret<String>,
    username: &str,
    client_id: &ClientId,
    presented: &str,
) -> Result<(), SecretHashError> {
    let expected = Secret::new(compute(client_secret, username, client_id));
    if expected.ct_eq_bytes(presented.as_bytes()) {
        Ok(())
    } else {
        Err(SecretHashError::Mismatch)
    }
}

/// HMAC-SHA-256 keyed with the client secret over `username ‖ client_id`.
fn mac(client_secret: &Secret<String>, username: &str, client_id: &ClientId) -> [u8; 32] {
    crate::mac::hmac::<Sha256>(
        client_secret.expose().as_bytes(),
        &[username.as_bytes(), client_id.as_str().as_bytes()],
    )
    .into()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn secret(s: &str) -> Secret<String> {
        Secret::new(s.to_owned())
    }

    fn client(s: &str) -> ClientId {
        ClientId::new(s).unwrap()
    }

    #[test]
    fn reference_vector() {
        // Reference 5.4.
        let hash = compute(
            &secret("abcdef01234567890"),
            "janedoe",
            &client("djc98u3jiedmi283eu928"),
        );
        assert_eq!(hash, "vumhLEtlZpl0dhMpR+2PlouvuwA63akaHyiSUcIhczw=");
    }

    #[test]
    fn verify_accepts_the_right_hash_only() {
        let s = secret("abcdef01234567890");
        let c = client("djc98u3jiedmi283eu928");
        let good = "vumhLEtlZpl0dhMpR+2PlouvuwA63akaHyiSUcIhczw=";
        assert_eq!(verify(&s, "janedoe", &c, good), Ok(()));
        // Another username, client, secret; a changed character; no padding; empty.
        assert_eq!(
            verify(&s, "janedoe2", &c, good),
            Err(SecretHashError::Mismatch)
        );
        assert_eq!(
            verify(&s, "janedoe", &client("djc98u3jiedmi283eu929"), good),
            Err(SecretHashError::Mismatch)
        );
        assert_eq!(
            verify(&secret("abcdef01234567891"), "janedoe", &c, good),
            Err(SecretHashError::Mismatch)
        );
        assert_eq!(
            verify(
                &s,
                "janedoe",
                &c,
                "vumhLEtlZpl0dhMpR+2PlouvuwA63akaHyiSUcIhczx="
            ),
            Err(SecretHashError::Mismatch)
        );
        assert_eq!(
            verify(
                &s,
                "janedoe",
                &c,
                "vumhLEtlZpl0dhMpR+2PlouvuwA63akaHyiSUcIhczw"
            ),
            Err(SecretHashError::Mismatch)
        );
        assert_eq!(
            verify(&s, "janedoe", &c, ""),
            Err(SecretHashError::Mismatch)
        );
    }

    #[test]
    fn username_and_client_are_concatenated_not_separated() {
        // The message is the plain concatenation, so moving a character across the boundary
        // gives the same hash: this is Cognito's definition, pinned here so nobody "fixes" it.
        let s = secret("k");
        assert_eq!(
            compute(&s, "ab", &client("cd")),
            compute(&s, "a", &client("bcd"))
        );
    }

    #[test]
    fn unicode_usernames_are_hashed_as_utf8() {
        let s = secret("abcdef01234567890");
        let c = client("djc98u3jiedmi283eu928");
        let h = compute(&s, "jöhn", &c);
        assert_eq!(verify(&s, "jöhn", &c, &h), Ok(()));
        assert_ne!(h, compute(&s, "john", &c));
    }
}
