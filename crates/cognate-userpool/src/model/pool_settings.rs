//! Pool settings that the user-pools API keeps and shows back: message templates, delivery
//! configuration (e-mail, SMS), device remembering, the sign-in policy, the feature plan and the
//! e-mail MFA message.
//!
//! The nested types have the API's own shape (PascalCase members, as in `DescribeUserPool`), so
//! the management API takes and returns them as they are; [`PoolSettings`] itself is stored in
//! the snake_case form of the rest of the model. The engine delivers messages through its
//! `MessageSender`; the templates and delivery settings here are what a sender can use to
//! format and route them.

use serde::{Deserialize, Serialize};

/// Which verification message an e-mail carries (`DefaultEmailOption`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DefaultEmailOption {
    /// A code to type in (`CONFIRM_WITH_CODE`, the default).
    #[default]
    ConfirmWithCode,
    /// A link to follow (`CONFIRM_WITH_LINK`).
    ConfirmWithLink,
}

/// The verification messages (`VerificationMessageTemplate`), as given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerificationMessageTemplate {
    /// The SMS text; contains `{####}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_message: Option<String>,
    /// The e-mail body for codes; contains `{####}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_message: Option<String>,
    /// The e-mail subject for codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_subject: Option<String>,
    /// The e-mail body for links; contains `{##link text##}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_message_by_link: Option<String>,
    /// The e-mail subject for links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_subject_by_link: Option<String>,
    /// Code or link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_email_option: Option<DefaultEmailOption>,
}

/// The invitation that AdminCreateUser sends (`InviteMessageTemplate`), as given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MessageTemplate {
    /// The SMS text.
    #[serde(
        rename = "SMSMessage",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sms_message: Option<String>,
    /// The e-mail body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_message: Option<String>,
    /// The e-mail subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_subject: Option<String>,
}

/// Device remembering (`DeviceConfiguration`). Present means device tracking is on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceConfiguration {
    /// A remembered device may stand in for the second factor.
    #[serde(default)]
    pub challenge_required_on_new_device: bool,
    /// Devices are remembered only when the user agrees (UpdateDeviceStatus).
    #[serde(default)]
    pub device_only_remembered_on_user_prompt: bool,
}

/// Who sends the pool's e-mail (`EmailSendingAccount`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EmailSendingAccount {
    /// The service's own sender (`COGNITO_DEFAULT`).
    #[default]
    CognitoDefault,
    /// The pool owner's own e-mail setup (`DEVELOPER`).
    Developer,
}

/// E-mail delivery settings (`EmailConfiguration`), as given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EmailConfiguration {
    /// The ARN of the verified sender identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_arn: Option<String>,
    /// The reply-to address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to_email_address: Option<String>,
    /// Who sends.
    #[serde(default)]
    pub email_sending_account: EmailSendingAccount,
    /// The `From` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The sending configuration set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_set: Option<String>,
}

/// SMS delivery settings (`SmsConfiguration`), as given. A pool needs one for SMS MFA.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SmsConfiguration {
    /// The role that sends the messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sns_caller_arn: Option<String>,
    /// The external ID of that role's trust policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The region that sends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sns_region: Option<String>,
}

/// The e-mail MFA message (`EmailMfaConfiguration`), as given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EmailMfaSettings {
    /// The body; contains `{####}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

/// A first sign-in factor of choice-based sign-in (`AllowedFirstAuthFactors`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthFactor {
    /// `PASSWORD` (password or SRP).
    Password,
    /// `EMAIL_OTP`.
    EmailOtp,
    /// `SMS_OTP`.
    SmsOtp,
    /// `WEB_AUTHN` (passkeys).
    WebAuthn,
}

impl AuthFactor {
    /// The API value.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthFactor::Password => "PASSWORD",
            AuthFactor::EmailOtp => "EMAIL_OTP",
            AuthFactor::SmsOtp => "SMS_OTP",
            AuthFactor::WebAuthn => "WEB_AUTHN",
        }
    }

    /// Parses the API value. `SOFTWARE_TOKEN` is in the API's enum but cannot be a first
    /// factor, so it is not one of these.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "PASSWORD" => Some(Self::Password),
            "EMAIL_OTP" => Some(Self::EmailOtp),
            "SMS_OTP" => Some(Self::SmsOtp),
            "WEB_AUTHN" => Some(Self::WebAuthn),
            _ => None,
        }
    }
}

/// The pool's feature plan (`UserPoolTier`). Kept and shown; it does not gate features here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PoolTier {
    /// `LITE`.
    Lite,
    /// `ESSENTIALS` (the default).
    #[default]
    Essentials,
    /// `PLUS`.
    Plus,
}

impl PoolTier {
    /// The API value.
    pub fn as_str(self) -> &'static str {
        match self {
            PoolTier::Lite => "LITE",
            PoolTier::Essentials => "ESSENTIALS",
            PoolTier::Plus => "PLUS",
        }
    }

    /// Parses the API value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "LITE" => Some(Self::Lite),
            "ESSENTIALS" => Some(Self::Essentials),
            "PLUS" => Some(Self::Plus),
            _ => None,
        }
    }
}

/// The settings of a pool beyond its sign-in rules, as the management API set them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PoolSettings {
    /// Verification messages.
    pub verification_message_template: VerificationMessageTemplate,
    /// The SMS MFA / SMS OTP message; contains `{####}`.
    pub sms_authentication_message: Option<String>,
    /// AdminCreateUser's invitation.
    pub invite_message_template: Option<MessageTemplate>,
    /// Device remembering; `None` means off.
    pub device_configuration: Option<DeviceConfiguration>,
    /// E-mail delivery.
    pub email_configuration: EmailConfiguration,
    /// SMS delivery; `None` means the pool has none.
    pub sms_configuration: Option<SmsConfiguration>,
    /// The e-mail MFA message.
    pub email_mfa: EmailMfaSettings,
    /// The first factors choice-based sign-in (`USER_AUTH`) offers.
    pub allowed_first_auth_factors: Vec<AuthFactor>,
    /// The feature plan.
    pub tier: PoolTier,
    /// The managed login version of the pool's domain (1 classic hosted UI, 2 managed login).
    pub managed_login_version: Option<u32>,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            verification_message_template: VerificationMessageTemplate::default(),
            sms_authentication_message: None,
            invite_message_template: None,
            device_configuration: None,
            email_configuration: EmailConfiguration::default(),
            sms_configuration: None,
            email_mfa: EmailMfaSettings::default(),
            allowed_first_auth_factors: vec![AuthFactor::Password],
            tier: PoolTier::default(),
            managed_login_version: None,
        }
    }
}
