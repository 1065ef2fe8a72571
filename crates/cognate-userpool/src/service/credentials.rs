//! Credentials shared by the account operations and the sign-in flows: new password
//! credentials, one-time codes (sign-up confirmation, password reset, attribute verification)
//! and the `SECRET_HASH` check of clients that have a secret.

use std::time::Duration;

use cognate_types::{Secret, UnixTime};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::messages::{mask_destination, DeliveryMedium, MessagePurpose, OutgoingMessage};
use super::session::code_hash;
use super::{CognitoError, ErrorKind, UserPools};
use crate::model::{PasswordCredential, User, UserPool};
use crate::store::EphemeralKind;

/// Wrong answers a code survives; the one that reaches this count invalidates it.
pub(crate) const MAX_CODE_ATTEMPTS: u32 = 5;

/// Where a code was sent (`CodeDeliveryDetailsType`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CodeDeliveryDetails {
    /// The masked destination (`a***@e***`, `+*******1234`).
    pub destination: String,
    /// `EMAIL` or `SMS`.
    pub delivery_medium: String,
    /// The attribute the code went to (`email`, `phone_number`).
    pub attribute_name: String,
}

impl CodeDeliveryDetails {
    /// The details of a message to `destination` by `medium`.
    pub fn new(medium: DeliveryMedium, destination: &str) -> Self {
        Self {
            destination: mask_destination(medium, destination),
            delivery_medium: medium.as_str().to_owned(),
            attribute_name: medium_attribute(medium).to_owned(),
        }
    }
}

/// The attribute a medium delivers to.
pub(crate) fn medium_attribute(medium: DeliveryMedium) -> &'static str {
    match medium {
        DeliveryMedium::Email => "email",
        DeliveryMedium::Sms => "phone_number",
    }
}

/// A code as stored: only its hash, where it went, and how many wrong answers it has had.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CodeRecord {
    hash: String,
    /// The attribute the code was sent to.
    pub(crate) attribute: String,
    /// The value of that attribute the code was sent to (unmasked).
    pub(crate) destination: String,
    attempts: u32,
    expires: UnixTime,
}

fn purpose_tag(purpose: MessagePurpose) -> &'static str {
    match purpose {
        MessagePurpose::SignUp => "signup",
        MessagePurpose::ForgotPassword => "reset",
        MessagePurpose::VerifyAttribute => "verify",
        MessagePurpose::Mfa => "mfa",
        MessagePurpose::Invitation => "invite",
    }
}

/// How long a code of `purpose` stays valid: 24 hours for sign-up confirmation and attribute
/// verification, 1 hour for a password reset (Cognito's lifetimes).
fn code_lifetime(purpose: MessagePurpose) -> Duration {
    match purpose {
        MessagePurpose::SignUp | MessagePurpose::VerifyAttribute => Duration::from_secs(24 * 3600),
        _ => Duration::from_secs(3600),
    }
}

/// One slot per pool, purpose, attribute (attribute verification only) and user. The user is
/// named by `sub`, so a code never outlives the account it was sent for.
fn code_key(pool: &UserPool, user: &User, purpose: MessagePurpose, attribute: &str) -> String {
    let attribute = if purpose == MessagePurpose::VerifyAttribute {
        attribute
    } else {
        ""
    };
    format!(
        "{}/{}/{}/{}",
        pool.id,
        purpose_tag(purpose),
        attribute,
        user.sub.as_str()
    )
}

/// `CodeMismatchException` "Invalid verification code provided, please try again."
pub(crate) fn code_mismatch() -> CognitoError {
    CognitoError::new(
        ErrorKind::CodeMismatch,
        "Invalid verification code provided, please try again.",
    )
}

/// `ExpiredCodeException` "Invalid code provided, please request a code again."
pub(crate) fn expired_code() -> CognitoError {
    CognitoError::new(
        ErrorKind::ExpiredCode,
        "Invalid code provided, please request a code again.",
    )
}

impl UserPools {
    /// A new password credential for `user`: the argon2id hash of `password` for password
    /// sign-in and the SRP verifier for USER_SRP_AUTH (computed with the username, which the
    /// server sends as `USER_ID_FOR_SRP`), set now, temporary until `temporary_until` when
    /// given. The caller has checked the pool's password policy.
    pub(crate) fn new_password_credential(
        &self,
        pool: &UserPool,
        user: &User,
        password: &str,
        temporary_until: Option<UnixTime>,
    ) -> Result<PasswordCredential, CognitoError> {
        let hash = self.config().hasher.hash(password, self.rng())?;
        let verifier = crate::srp::SrpVerifier::compute(
            pool.srp_pool_name(),
            user.username.as_str(),
            password,
            self.rng(),
        )
        .map_err(|_| CognitoError::internal())?;
        let (srp_salt, srp_verifier) = super::srp_flow::verifier_parts(&verifier)?;
        Ok(PasswordCredential {
            hash,
            srp_salt,
            srp_verifier,
            set_at: self.now(),
            temporary_until,
        })
    }

    /// A uniformly random six-digit code from the engine's random source.
    pub(crate) fn six_digit_code(&self) -> Result<Secret<String>, CognitoError> {
        // 4294 × 10^6: below it, `n % 10^6` is uniform.
        const LIMIT: u32 = 4_294_000_000;
        for _ in 0..64 {
            let mut b = [0u8; 4];
            self.rng()
                .fill(&mut b)
                .map_err(|_| CognitoError::internal())?;
            let n = u32::from_be_bytes(b);
            if n < LIMIT {
                return Ok(Secret::new(format!("{:06}", n % 1_000_000)));
            }
        }
        Err(CognitoError::internal())
    }

    /// Generates a six-digit code, keeps its hash for `purpose`, sends it to the user's
    /// attribute for `medium` (for attribute verification, to the value waiting for
    /// verification if there is one) and returns where it went.
    pub(crate) fn send_code(
        &self,
        pool: &UserPool,
        user: &User,
        medium: DeliveryMedium,
        purpose: MessagePurpose,
    ) -> Result<CodeDeliveryDetails, CognitoError> {
        let attribute = medium_attribute(medium);
        let pending = if purpose == MessagePurpose::VerifyAttribute {
            user.pending_attributes.get(attribute)
        } else {
            None
        };
        let destination = pending
            .or_else(|| user.attributes.get(attribute))
            .filter(|d| !d.is_empty())
            .ok_or_else(|| {
                CognitoError::invalid_parameter(format!(
                    "The user has no {attribute} to send a code to."
                ))
            })?
            .clone();
        let code = self.six_digit_code()?;
        let expires = self.now().saturating_add(code_lifetime(purpose));
        let record = CodeRecord {
            hash: code_hash(code.expose()),
            attribute: attribute.to_owned(),
            destination: destination.clone(),
            attempts: 0,
            expires,
        };
        let k = code_key(pool, user, purpose, attribute);
        self.store_code_record(&k, &record)?;
        let message = OutgoingMessage {
            pool: pool.id.clone(),
            username: user.username.as_str().to_owned(),
            medium,
            destination: destination.clone(),
            purpose,
            code,
        };
        if let Err(e) = self.sender().send(&message) {
            tracing::warn!(pool = %pool.id, error = %e, "code delivery failed");
            // Nobody received it: do not leave a live code behind.
            self.store().delete_ephemeral(EphemeralKind::Code, &k)?;
            return Err(CognitoError::new(
                ErrorKind::CodeDeliveryFailure,
                "Unable to deliver the verification code.",
            ));
        }
        Ok(CodeDeliveryDetails::new(medium, &destination))
    }

    fn store_code_record(&self, k: &str, record: &CodeRecord) -> Result<(), CognitoError> {
        let bytes = serde_json::to_vec(record).map_err(|_| CognitoError::internal())?;
        self.store()
            .put_ephemeral(EphemeralKind::Code, k, &bytes, record.expires)?;
        Ok(())
    }

    /// Checks and consumes the code of `purpose` (for attribute verification: of `attribute`)
    /// sent to `user`. A wrong code counts against the code, which is invalidated at the
    /// [`MAX_CODE_ATTEMPTS`]th wrong answer; an absent or expired code is
    /// `ExpiredCodeException`. If what the code authorises then fails, the caller puts it back
    /// with [`UserPools::restore_code`].
    pub(crate) fn check_code(
        &self,
        pool: &UserPool,
        user: &User,
        purpose: MessagePurpose,
        attribute: &str,
        code: &str,
    ) -> Result<CodeRecord, CognitoError> {
        let k = code_key(pool, user, purpose, attribute);
        let bytes = self
            .store()
            .take_ephemeral(EphemeralKind::Code, &k, self.now())?
            .ok_or_else(expired_code)?;
        let mut record: CodeRecord = serde_json::from_slice(&bytes).map_err(|_| expired_code())?;
        let presented = code_hash(code);
        if bool::from(presented.as_bytes().ct_eq(record.hash.as_bytes())) {
            return Ok(record);
        }
        record.attempts = record.attempts.saturating_add(1);
        if record.attempts < MAX_CODE_ATTEMPTS {
            self.store_code_record(&k, &record)?;
        }
        Err(code_mismatch())
    }

    /// Puts back a code taken by [`UserPools::check_code`] whose operation then failed, so the
    /// user can try again with it (unless it has expired meanwhile).
    pub(crate) fn restore_code(
        &self,
        pool: &UserPool,
        user: &User,
        purpose: MessagePurpose,
        record: &CodeRecord,
    ) -> Result<(), CognitoError> {
        if record.expires <= self.now() {
            return Ok(());
        }
        let k = code_key(pool, user, purpose, &record.attribute);
        self.store_code_record(&k, record)
    }
}
