use std::collections::BTreeMap;

use cognate_types::{Secret, Sub, UnixTime, Username};
use serde::{Deserialize, Serialize};

/// A user's account status (`UserStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UserStatus {
    /// Signed up, not confirmed yet.
    Unconfirmed,
    /// Confirmed.
    Confirmed,
    /// Created by an administrator with a temporary password.
    ForceChangePassword,
    /// An administrator asked for a password reset.
    ResetRequired,
    /// A federated user.
    ExternalProvider,
}

impl UserStatus {
    /// The API value.
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Unconfirmed => "UNCONFIRMED",
            UserStatus::Confirmed => "CONFIRMED",
            UserStatus::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
            UserStatus::ResetRequired => "RESET_REQUIRED",
            UserStatus::ExternalProvider => "EXTERNAL_PROVIDER",
        }
    }
}

/// A stored password: the argon2id hash for password sign-in and the SRP verifier for
/// USER_SRP_AUTH (which Cognito's protocol requires the server to keep).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordCredential {
    /// The argon2id hash in PHC string form.
    pub hash: String,
    /// The SRP salt, hex.
    pub srp_salt: String,
    /// The SRP verifier `g^x mod N`, hex.
    pub srp_verifier: String,
    /// When the password was set.
    pub set_at: UnixTime,
    /// For a temporary password: when it stops working.
    pub temporary_until: Option<UnixTime>,
}

impl std::fmt::Debug for PasswordCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordCredential")
            .field("set_at", &self.set_at)
            .field("temporary_until", &self.temporary_until)
            .finish_non_exhaustive()
    }
}

/// An MFA method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MfaKind {
    /// A TOTP authenticator app (`SOFTWARE_TOKEN_MFA`).
    #[serde(rename = "SOFTWARE_TOKEN_MFA")]
    SoftwareToken,
    /// A code by SMS (`SMS_MFA`).
    #[serde(rename = "SMS_MFA")]
    Sms,
    /// A code by e-mail (`EMAIL_OTP`).
    #[serde(rename = "EMAIL_OTP")]
    Email,
}

impl MfaKind {
    /// The name of the method in `UserMFASettingList` and the challenge name.
    pub fn as_str(self) -> &'static str {
        match self {
            MfaKind::SoftwareToken => "SOFTWARE_TOKEN_MFA",
            MfaKind::Sms => "SMS_MFA",
            MfaKind::Email => "EMAIL_OTP",
        }
    }
}

/// A TOTP authenticator registration.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpRegistration {
    /// The shared secret (base32).
    #[serde(serialize_with = "super::stored_secret::serialize")]
    pub secret: Secret<String>,
    /// Whether VerifySoftwareToken has confirmed it.
    pub verified: bool,
    /// The last time step accepted, so a code is not accepted twice.
    pub last_step: Option<u64>,
    /// The device name given at verification.
    pub friendly_name: Option<String>,
}

impl std::fmt::Debug for TotpRegistration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpRegistration")
            .field("verified", &self.verified)
            .field("last_step", &self.last_step)
            .finish_non_exhaustive()
    }
}

/// A user's MFA settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserMfa {
    /// The authenticator app, once associated (verified or not).
    pub totp: Option<TotpRegistration>,
    /// A new authenticator waiting for VerifySoftwareToken while a verified one stays in use.
    #[serde(default)]
    pub pending_totp: Option<TotpRegistration>,
    /// Whether TOTP MFA is enabled for sign-in.
    pub totp_enabled: bool,
    /// Whether SMS MFA is enabled.
    pub sms_enabled: bool,
    /// Whether e-mail MFA is enabled.
    pub email_enabled: bool,
    /// The preferred method.
    pub preferred: Option<MfaKind>,
}

impl UserMfa {
    /// The enabled methods, in `UserMFASettingList` order.
    pub fn enabled(&self) -> Vec<MfaKind> {
        let mut v = Vec::new();
        if self.sms_enabled {
            v.push(MfaKind::Sms);
        }
        if self.totp_enabled && self.totp.as_ref().is_some_and(|t| t.verified) {
            v.push(MfaKind::SoftwareToken);
        }
        if self.email_enabled {
            v.push(MfaKind::Email);
        }
        v
    }
}

/// Failed sign-in accounting for Cognito's progressive lockout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lockout {
    /// Consecutive failures.
    pub failures: u32,
    /// The time of the last failure.
    pub last_failure: Option<UnixTime>,
    /// No sign-in is attempted before this time.
    pub locked_until: Option<UnixTime>,
}

/// A family of tokens from one sign-in: everything refreshed from it shares `origin_jti`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenFamily {
    /// The family's `origin_jti`.
    pub origin_jti: String,
    /// When its refresh token expires.
    pub expires: UnixTime,
}

/// A user of a pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The username (for pools with username attributes, a UUID equal to `sub`).
    pub username: Username,
    /// The immutable subject.
    pub sub: Sub,
    /// Attributes other than `sub`, by name.
    pub attributes: BTreeMap<String, String>,
    /// The account status.
    pub status: UserStatus,
    /// Whether the user may sign in.
    pub enabled: bool,
    /// When the user was created.
    pub created: UnixTime,
    /// When the user was last changed.
    pub modified: UnixTime,
    /// The password, if the user has one.
    pub password: Option<PasswordCredential>,
    /// MFA settings.
    #[serde(default)]
    pub mfa: UserMfa,
    /// Failed sign-in accounting.
    #[serde(default)]
    pub lockout: Lockout,
    /// Tokens issued before this time are revoked (GlobalSignOut, AdminUserGlobalSignOut).
    #[serde(default)]
    pub tokens_valid_after: Option<UnixTime>,
    /// Token families (`origin_jti`) issued to the user and not yet expired, so that a
    /// global sign-out can revoke every one of them.
    #[serde(default)]
    pub token_families: Vec<TokenFamily>,
    /// Attribute changes waiting for a verification code (when the pool keeps the old value
    /// until the new one is verified).
    #[serde(default)]
    pub pending_attributes: BTreeMap<String, String>,
    /// Optimistic-concurrency version, bumped by every write.
    #[serde(default)]
    pub version: u64,
}

impl User {
    /// An attribute's value (`sub` included).
    pub fn attribute(&self, name: &str) -> Option<&str> {
        if name == "sub" {
            return Some(self.sub.as_str());
        }
        self.attributes.get(name).map(String::as_str)
    }

    /// Whether `email_verified` / `phone_number_verified` is `true` for `attribute`.
    pub fn is_verified(&self, attribute: &str) -> bool {
        let flag = match attribute {
            "email" => "email_verified",
            "phone_number" => "phone_number_verified",
            _ => return false,
        };
        self.attributes.get(flag).is_some_and(|v| v == "true")
    }
}
