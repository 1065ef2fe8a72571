use cognate_types::{IssuerUrl, UnixTime, UserPoolId};
use serde::{Deserialize, Serialize};

use super::{PoolSettings, SchemaAttribute};

/// An attribute that can stand in for the username (`UsernameAttributes`): the user signs in
/// with it and the internal username is a generated UUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsernameAttribute {
    /// `email`.
    Email,
    /// `phone_number`.
    PhoneNumber,
}

impl UsernameAttribute {
    /// The attribute name.
    pub fn as_str(self) -> &'static str {
        match self {
            UsernameAttribute::Email => "email",
            UsernameAttribute::PhoneNumber => "phone_number",
        }
    }

    /// Parses the API value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "email" => Some(Self::Email),
            "phone_number" => Some(Self::PhoneNumber),
            _ => None,
        }
    }
}

/// An alias attribute (`AliasAttributes`): the user may sign in with it as well as the username.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AliasAttribute {
    /// `email` (usable once verified).
    Email,
    /// `phone_number` (usable once verified).
    PhoneNumber,
    /// `preferred_username` (unique once set).
    PreferredUsername,
}

impl AliasAttribute {
    /// The attribute name.
    pub fn as_str(self) -> &'static str {
        match self {
            AliasAttribute::Email => "email",
            AliasAttribute::PhoneNumber => "phone_number",
            AliasAttribute::PreferredUsername => "preferred_username",
        }
    }

    /// Parses the API value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "email" => Some(Self::Email),
            "phone_number" => Some(Self::PhoneNumber),
            "preferred_username" => Some(Self::PreferredUsername),
            _ => None,
        }
    }
}

/// An attribute verified automatically by sending a code (`AutoVerifiedAttributes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerifiedAttribute {
    /// `email`.
    Email,
    /// `phone_number`.
    PhoneNumber,
}

impl VerifiedAttribute {
    /// The attribute name.
    pub fn as_str(self) -> &'static str {
        match self {
            VerifiedAttribute::Email => "email",
            VerifiedAttribute::PhoneNumber => "phone_number",
        }
    }

    /// The name of the matching `*_verified` attribute.
    pub fn verified_flag(self) -> &'static str {
        match self {
            VerifiedAttribute::Email => "email_verified",
            VerifiedAttribute::PhoneNumber => "phone_number_verified",
        }
    }

    /// Parses the API value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "email" => Some(Self::Email),
            "phone_number" => Some(Self::PhoneNumber),
            _ => None,
        }
    }
}

/// The pool's MFA setting (`MfaConfiguration`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum MfaConfiguration {
    /// No MFA.
    #[default]
    Off,
    /// Users who set up MFA are asked for it.
    Optional,
    /// Every user must use MFA (and set it up at first sign-in).
    On,
}

impl MfaConfiguration {
    /// The API value.
    pub fn as_str(self) -> &'static str {
        match self {
            MfaConfiguration::Off => "OFF",
            MfaConfiguration::Optional => "OPTIONAL",
            MfaConfiguration::On => "ON",
        }
    }

    /// Parses the API value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "OFF" => Some(Self::Off),
            "OPTIONAL" => Some(Self::Optional),
            "ON" => Some(Self::On),
            _ => None,
        }
    }
}

/// A recovery mechanism for forgotten passwords (`AccountRecoverySetting`), in priority order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecoveryMechanism {
    /// `verified_email`.
    VerifiedEmail,
    /// `verified_phone_number`.
    VerifiedPhoneNumber,
    /// `admin_only`.
    AdminOnly,
}

impl RecoveryMechanism {
    /// The API value.
    pub fn as_str(self) -> &'static str {
        match self {
            RecoveryMechanism::VerifiedEmail => "verified_email",
            RecoveryMechanism::VerifiedPhoneNumber => "verified_phone_number",
            RecoveryMechanism::AdminOnly => "admin_only",
        }
    }

    /// Parses the API value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "verified_email" => Some(Self::VerifiedEmail),
            "verified_phone_number" => Some(Self::VerifiedPhoneNumber),
            "admin_only" => Some(Self::AdminOnly),
            _ => None,
        }
    }
}

/// The password policy (`Policies.PasswordPolicy`). Defaults are Cognito's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PasswordPolicy {
    /// Minimum length, 6 to 99 (default 8).
    pub minimum_length: u32,
    /// At least one upper-case letter.
    pub require_uppercase: bool,
    /// At least one lower-case letter.
    pub require_lowercase: bool,
    /// At least one digit.
    pub require_numbers: bool,
    /// At least one of Cognito's symbols.
    pub require_symbols: bool,
    /// Days a temporary password from AdminCreateUser stays usable, 0 to 365 (default 7).
    pub temporary_password_validity_days: u32,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
            temporary_password_validity_days: 7,
        }
    }
}

/// A user pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserPool {
    /// `{region}_{suffix}`.
    pub id: UserPoolId,
    /// The pool name (1 to 128 characters).
    pub name: String,
    /// When the pool was created.
    pub created: UnixTime,
    /// When the pool was last changed.
    pub modified: UnixTime,
    /// Attributes that replace the username at sign-up (email and/or phone number).
    #[serde(default)]
    pub username_attributes: Vec<UsernameAttribute>,
    /// Attributes usable as sign-in aliases.
    #[serde(default)]
    pub alias_attributes: Vec<AliasAttribute>,
    /// Attributes verified automatically by a code at sign-up.
    #[serde(default)]
    pub auto_verified_attributes: Vec<VerifiedAttribute>,
    /// Whether usernames (and aliases) match case-sensitively. The API's default is `true` when
    /// `UsernameConfiguration` is absent.
    #[serde(default = "default_true")]
    pub username_case_sensitive: bool,
    /// The attribute schema: the standard attributes and the pool's `custom:` ones.
    pub schema: Vec<SchemaAttribute>,
    /// The password policy.
    #[serde(default)]
    pub password_policy: PasswordPolicy,
    /// MFA for the pool.
    #[serde(default)]
    pub mfa_configuration: MfaConfiguration,
    /// Whether TOTP (software token) MFA is enabled.
    #[serde(default = "default_true")]
    pub software_token_mfa_enabled: bool,
    /// Whether SMS MFA is enabled (an SMS configuration exists).
    #[serde(default)]
    pub sms_mfa_enabled: bool,
    /// Whether e-mail MFA (`EMAIL_OTP`) is enabled.
    #[serde(default)]
    pub email_mfa_enabled: bool,
    /// Password recovery, in priority order.
    #[serde(default = "default_recovery")]
    pub account_recovery: Vec<RecoveryMechanism>,
    /// Only administrators create users (no SignUp).
    #[serde(default)]
    pub admin_create_user_only: bool,
    /// Attributes whose new value must be verified before it replaces the old one.
    #[serde(default)]
    pub attributes_require_verification_before_update: Vec<VerifiedAttribute>,
    /// The pool cannot be deleted while this is set.
    #[serde(default)]
    pub deletion_protection: bool,
    /// The token issuer, when it is not the server's default (for example Cognito's own form
    /// `https://cognito-idp.{region}.amazonaws.com/{poolId}`).
    #[serde(default)]
    pub issuer: Option<IssuerUrl>,
    /// The pool's domain prefix, if any (managed login).
    #[serde(default)]
    pub domain: Option<String>,
    /// Free-form tags.
    #[serde(default)]
    pub tags: std::collections::BTreeMap<String, String>,
    /// Message templates, delivery settings, device remembering, sign-in policy, plan.
    #[serde(default)]
    pub settings: PoolSettings,
}

fn default_true() -> bool {
    true
}

fn default_recovery() -> Vec<RecoveryMechanism> {
    vec![
        RecoveryMechanism::VerifiedEmail,
        RecoveryMechanism::VerifiedPhoneNumber,
    ]
}

impl UserPool {
    /// A pool with Cognito's defaults and the standard schema.
    pub fn new(id: UserPoolId, name: impl Into<String>, now: UnixTime) -> Self {
        Self {
            id,
            name: name.into(),
            created: now,
            modified: now,
            username_attributes: Vec::new(),
            alias_attributes: Vec::new(),
            auto_verified_attributes: Vec::new(),
            username_case_sensitive: true,
            schema: SchemaAttribute::standard_schema(),
            password_policy: PasswordPolicy::default(),
            mfa_configuration: MfaConfiguration::Off,
            software_token_mfa_enabled: true,
            sms_mfa_enabled: false,
            email_mfa_enabled: false,
            account_recovery: default_recovery(),
            admin_create_user_only: false,
            attributes_require_verification_before_update: Vec::new(),
            deletion_protection: false,
            issuer: None,
            domain: None,
            tags: Default::default(),
            settings: PoolSettings::default(),
        }
    }

    /// The name SRP uses for the pool: the part of the pool ID after `_`.
    pub fn srp_pool_name(&self) -> &str {
        self.id.suffix()
    }

    /// The pool's ARN in Cognito's form (account `000000000000`, as a local server has none).
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:cognito-idp:{}:000000000000:userpool/{}",
            self.id.region(),
            self.id
        )
    }

    /// The schema entry for an attribute, if the pool has it.
    pub fn schema_attribute(&self, name: &str) -> Option<&SchemaAttribute> {
        self.schema.iter().find(|a| a.name == name)
    }

    /// Normalises a username or alias value for lookup: lower-cased in case-insensitive pools.
    pub fn lookup_key(&self, value: &str) -> String {
        if self.username_case_sensitive {
            value.to_owned()
        } else {
            value.to_lowercase()
        }
    }

    /// Whether `attribute` is one of the username attributes.
    pub fn is_username_attribute(&self, attribute: &str) -> bool {
        self.username_attributes
            .iter()
            .any(|a| a.as_str() == attribute)
    }

    /// Whether `attribute` is one of the alias attributes.
    pub fn is_alias_attribute(&self, attribute: &str) -> bool {
        self.alias_attributes
            .iter()
            .any(|a| a.as_str() == attribute)
    }
}
