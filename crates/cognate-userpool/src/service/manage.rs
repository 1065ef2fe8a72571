//! The management operations on user pools: CreateUserPool, DescribeUserPool, UpdateUserPool,
//! DeleteUserPool, ListUserPools, AddCustomAttributes, SetUserPoolMfaConfig,
//! GetUserPoolMfaConfig and the tag operations; with the validation and pagination helpers the
//! other `manage_*` modules share.
//!
//! Requests and responses are the shapes of the AWS API model (`service-2.json`), member for
//! member. Settings this server cannot honour are refused with `InvalidParameterException`
//! rather than stored and ignored: Lambda triggers, threat protection (`UserPoolAddOns` other
//! than `OFF`), password history, passkeys (`WebAuthnConfiguration`), customer-managed keys
//! and the issuer configuration (the issuer is the server's own setting).
//!
//! UpdateUserPool follows Cognito: a setting left out of the request returns to its default
//! (password policy, MFA, auto-verified attributes, message templates, e-mail and SMS
//! configuration, device remembering, AdminCreateUser settings, account recovery, deletion
//! protection). The name, tags and feature plan are kept when left out; the schema, username
//! attributes, aliases and case sensitivity cannot change after creation.

use std::collections::BTreeMap;

use base64::Engine as _;
use cognate_types::{UnixTime, UserPoolId};
use serde::{Deserialize, Deserializer, Serialize};

use super::{CognitoError, ErrorKind, UserPools};
use crate::model::{
    AliasAttribute, AttributeDataType, AuthFactor, DeviceConfiguration, EmailConfiguration,
    EmailMfaSettings, EmailSendingAccount, MessageTemplate, MfaConfiguration, NumberConstraints,
    PasswordPolicy, PoolTier, RecoveryMechanism, SchemaAttribute, SmsConfiguration,
    StringConstraints, UserPool, UsernameAttribute, VerificationMessageTemplate, VerifiedAttribute,
    STANDARD_ATTRIBUTES,
};
use crate::store::{Conflict, StoreError};

// ---- validation helpers ------------------------------------------------------------------

/// `InvalidParameterException` in the form of the service's request validation:
/// `1 validation error detected: ...`.
pub(crate) fn validation(detail: impl std::fmt::Display) -> CognitoError {
    CognitoError::invalid_parameter(format!("1 validation error detected: {detail}"))
}

/// A required member, or the "must not be null" validation error.
pub(crate) fn require<T>(value: Option<T>, path: &str) -> Result<T, CognitoError> {
    value.ok_or_else(|| {
        validation(format_args!(
            "Value null at '{path}' failed to satisfy constraint: Member must not be null"
        ))
    })
}

/// A string's length in characters within `min..=max`.
pub(crate) fn check_length(
    value: &str,
    path: &str,
    min: usize,
    max: usize,
) -> Result<(), CognitoError> {
    // A character is at most four bytes: longer input is too long without counting.
    let n = if value.len() > max.saturating_mul(4) {
        usize::MAX
    } else {
        value.chars().count()
    };
    if n < min {
        return Err(validation(format_args!(
            "Value at '{path}' failed to satisfy constraint: Member must have length greater \
             than or equal to {min}"
        )));
    }
    if n > max {
        return Err(validation(format_args!(
            "Value at '{path}' failed to satisfy constraint: Member must have length less than \
             or equal to {max}"
        )));
    }
    Ok(())
}

/// A number within `min..=max`.
pub(crate) fn check_range(value: i64, path: &str, min: i64, max: i64) -> Result<(), CognitoError> {
    if value < min {
        return Err(validation(format_args!(
            "Value '{value}' at '{path}' failed to satisfy constraint: Member must have value \
             greater than or equal to {min}"
        )));
    }
    if value > max {
        return Err(validation(format_args!(
            "Value '{value}' at '{path}' failed to satisfy constraint: Member must have value \
             less than or equal to {max}"
        )));
    }
    Ok(())
}

/// Every character satisfies `allowed` (the API's pattern, quoted in the message).
pub(crate) fn check_pattern(
    value: &str,
    path: &str,
    pattern: &str,
    allowed: impl Fn(char) -> bool,
) -> Result<(), CognitoError> {
    if value.chars().all(allowed) {
        Ok(())
    } else {
        Err(validation(format_args!(
            "Value at '{path}' failed to satisfy constraint: Member must satisfy regular \
             expression pattern: {pattern}"
        )))
    }
}

/// The "not one of the enum values" validation error.
pub(crate) fn bad_enum(value: &str, path: &str, allowed: &[&str]) -> CognitoError {
    let shown: String = value.chars().take(64).collect();
    validation(format_args!(
        "Value '{shown}' at '{path}' failed to satisfy constraint: Member must satisfy enum \
         value set: [{}]",
        allowed.join(", ")
    ))
}

/// Parses an enum value with `parse`, or the enum validation error.
pub(crate) fn parse_enum<'a, T>(
    value: &'a str,
    path: &str,
    allowed: &[&str],
    parse: impl Fn(&'a str) -> Option<T>,
) -> Result<T, CognitoError> {
    parse(value).ok_or_else(|| bad_enum(value, path, allowed))
}

/// A string enum value: `value` itself when it is one of `allowed`.
pub(crate) fn one_of<'a>(
    value: &'a str,
    path: &str,
    allowed: &[&str],
) -> Result<&'a str, CognitoError> {
    if allowed.contains(&value) {
        Ok(value)
    } else {
        Err(bad_enum(value, path, allowed))
    }
}

/// `\w` of the service's patterns: ASCII letters, digits and `_`.
pub(crate) fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// `\s` of the service's patterns.
pub(crate) fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r')
}

/// `[\w\s+=,.@-]`: the characters of pool, client and resource-server names.
pub(crate) fn is_name_char(c: char) -> bool {
    is_word(c) || is_space(c) || matches!(c, '+' | '=' | ',' | '.' | '@' | '-')
}

/// `[\p{L}\p{M}\p{S}\p{N}\p{P}]`: a visible character (no whitespace, control or format
/// character).
pub(crate) fn is_visible(c: char) -> bool {
    !c.is_control() && !c.is_whitespace() && !matches!(u32::from(c), 0x200B..=0x200F | 0xFEFF)
}

/// An ARN as the API's `ArnType` accepts it (20 to 2048 characters,
/// `arn:partition:service:region:account:resource`).
pub(crate) fn check_arn(value: &str, path: &str) -> Result<(), CognitoError> {
    check_length(value, path, 20, 2048)?;
    let part = |p: &str, empty_ok: bool| {
        (empty_ok || !p.is_empty())
            && p.chars()
                .all(|c| is_word(c) || matches!(c, '+' | '=' | '/' | ',' | '.' | '@' | '-'))
    };
    let parts: Vec<&str> = value.split(':').collect();
    let ok = match parts.as_slice() {
        ["arn", partition, service, region, account, resource @ ..] => {
            part(partition, false)
                && part(service, false)
                && part(region, true)
                && !account.is_empty()
                && account.bytes().all(|b| b.is_ascii_digit())
                && (1..=3).contains(&resource.len())
                && resource.iter().all(|r| part(r, false))
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(validation(format_args!(
            "Value at '{path}' failed to satisfy constraint: Member must satisfy regular \
             expression pattern: arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:\
             [\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?"
        )))
    }
}

/// A timestamp as the API sends it: seconds since the epoch.
pub(crate) fn epoch(t: UnixTime) -> u64 {
    t.as_secs()
}

/// A value that the API types as a string but that callers also send as a JSON number (the
/// schema constraints `MinLength`, `MaxValue` ...).
fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        S(String),
        I(i64),
        U(u64),
    }
    Ok(Option::<Either>::deserialize(d)?.map(|e| match e {
        Either::S(s) => s,
        Either::I(i) => i.to_string(),
        Either::U(u) => u.to_string(),
    }))
}

// ---- pagination --------------------------------------------------------------------------

/// The opaque `NextToken` of a listing: the listing's kind and the last key returned.
pub(crate) fn page_token(kind: &str, last_key: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{kind}\n{last_key}"))
}

/// The key to continue after, from a `NextToken` of the same kind of listing.
pub(crate) fn page_after(kind: &str, token: Option<&str>) -> Result<Option<String>, CognitoError> {
    let Some(token) = token else {
        return Ok(None);
    };
    let invalid = || CognitoError::invalid_parameter("Invalid pagination token.");
    if token.len() > 4096 {
        return Err(invalid());
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    match text.split_once('\n') {
        Some((k, key)) if k == kind && !key.is_empty() => Ok(Some(key.to_owned())),
        _ => Err(invalid()),
    }
}

/// A page size: `None` or (when `zero_is_default`) 0 gives `default`; otherwise `min..=max`.
pub(crate) fn page_limit(
    value: Option<i64>,
    path: &str,
    min: i64,
    max: i64,
    default: usize,
) -> Result<usize, CognitoError> {
    match value {
        None => Ok(default),
        Some(0) if min == 0 => Ok(default),
        Some(v) => {
            check_range(v, path, min, max)?;
            Ok(usize::try_from(v).unwrap_or(default))
        }
    }
}

/// Cuts a listing fetched with `limit + 1` items to `limit` and makes the `NextToken` when
/// more remain.
pub(crate) fn finish_page<T>(
    mut items: Vec<T>,
    limit: usize,
    kind: &str,
    key: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    if items.len() > limit {
        items.truncate(limit);
        let next = items.last().map(|last| page_token(kind, &key(last)));
        (items, next)
    } else {
        (items, None)
    }
}

// ---- shapes ------------------------------------------------------------------------------

/// `PasswordPolicyType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordPolicyType {
    /// 6 to 99.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum_length: Option<i64>,
    /// At least one upper-case letter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_uppercase: Option<bool>,
    /// At least one lower-case letter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_lowercase: Option<bool>,
    /// At least one digit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_numbers: Option<bool>,
    /// At least one symbol.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_symbols: Option<bool>,
    /// Previous passwords that cannot be reused (only 0 is accepted here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_history_size: Option<i64>,
    /// 0 to 365; 0 means the default, 7.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temporary_password_validity_days: Option<i64>,
}

/// `SignInPolicyType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignInPolicyType {
    /// `PASSWORD`, `EMAIL_OTP`, `SMS_OTP`, `WEB_AUTHN`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_first_auth_factors: Option<Vec<String>>,
}

/// `UserPoolPolicyType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolPolicyType {
    /// The password policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_policy: Option<PasswordPolicyType>,
    /// The sign-in policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_in_policy: Option<SignInPolicyType>,
}

/// `StringAttributeConstraintsType` (numbers as strings).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StringAttributeConstraintsType {
    /// Shortest value.
    #[serde(
        default,
        deserialize_with = "string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_length: Option<String>,
    /// Longest value (at most 2048).
    #[serde(
        default,
        deserialize_with = "string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_length: Option<String>,
}

/// `NumberAttributeConstraintsType` (numbers as strings).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NumberAttributeConstraintsType {
    /// Smallest value.
    #[serde(
        default,
        deserialize_with = "string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_value: Option<String>,
    /// Largest value.
    #[serde(
        default,
        deserialize_with = "string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_value: Option<String>,
}

/// `SchemaAttributeType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SchemaAttributeType {
    /// In requests the bare name (`tenant` for `custom:tenant`); in responses the full name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `String`, `Number`, `DateTime` or `Boolean`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribute_data_type: Option<String>,
    /// A legacy `dev:` attribute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub developer_only_attribute: Option<bool>,
    /// Whether the value may change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mutable: Option<bool>,
    /// Whether every user must have it (standard attributes only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// Limits of a `Number` attribute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_attribute_constraints: Option<NumberAttributeConstraintsType>,
    /// Limits of a `String` attribute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub string_attribute_constraints: Option<StringAttributeConstraintsType>,
}

impl SchemaAttributeType {
    /// The API shape of a schema attribute.
    pub fn from_model(a: &SchemaAttribute) -> Self {
        Self {
            name: Some(a.name.clone()),
            attribute_data_type: Some(a.data_type.as_str().to_owned()),
            developer_only_attribute: Some(a.developer_only),
            mutable: Some(a.mutable),
            required: Some(a.required),
            number_attribute_constraints: a.number_constraints.map(|c| {
                NumberAttributeConstraintsType {
                    min_value: c.min_value.map(|v| v.to_string()),
                    max_value: c.max_value.map(|v| v.to_string()),
                }
            }),
            string_attribute_constraints: a.string_constraints.map(|c| {
                StringAttributeConstraintsType {
                    min_length: c.min_length.map(|v| v.to_string()),
                    max_length: c.max_length.map(|v| v.to_string()),
                }
            }),
        }
    }
}

/// `UsernameConfigurationType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UsernameConfigurationType {
    /// Whether usernames match case-sensitively.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_sensitive: Option<bool>,
}

/// `RecoveryOptionType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RecoveryOptionType {
    /// 1 or 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    /// `verified_email`, `verified_phone_number` or `admin_only`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `AccountRecoverySettingType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccountRecoverySettingType {
    /// One or two mechanisms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_mechanisms: Option<Vec<RecoveryOptionType>>,
}

/// `AdminCreateUserConfigType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminCreateUserConfigType {
    /// Only administrators create users (SignUp is refused).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_admin_create_user_only: Option<bool>,
    /// Legacy twin of `TemporaryPasswordValidityDays` (accepted, never shown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unused_account_validity_days: Option<i64>,
    /// The invitation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite_message_template: Option<MessageTemplate>,
}

/// `UserAttributeUpdateSettingsType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserAttributeUpdateSettingsType {
    /// `email` and/or `phone_number`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes_require_verification_before_update: Option<Vec<String>>,
}

/// `UserPoolAddOnsType` (only `AdvancedSecurityMode: OFF` is accepted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolAddOnsType {
    /// `OFF`, `AUDIT` or `ENFORCED`.
    pub advanced_security_mode: Option<String>,
    /// Threat protection for custom authentication.
    pub advanced_security_additional_flows: Option<serde_json::Value>,
}

/// `KeyConfigurationType` (only the default, `AWS_OWNED_KEY`, is accepted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyConfigurationType {
    /// `AWS_OWNED_KEY` or `CUSTOMER_MANAGED_KEY`.
    pub key_type: Option<String>,
    /// A KMS key.
    pub kms_key_arn: Option<String>,
}

/// The settings CreateUserPool and UpdateUserPool share.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PoolSettingsInput {
    /// Password and sign-in policy.
    pub policies: Option<UserPoolPolicyType>,
    /// `ACTIVE` or `INACTIVE`.
    pub deletion_protection: Option<String>,
    /// Lambda triggers: refused unless empty (this server runs no Lambda functions).
    pub lambda_config: Option<serde_json::Map<String, serde_json::Value>>,
    /// `email`, `phone_number`.
    pub auto_verified_attributes: Option<Vec<String>>,
    /// Legacy: the SMS verification text.
    pub sms_verification_message: Option<String>,
    /// Legacy: the e-mail verification text.
    pub email_verification_message: Option<String>,
    /// Legacy: the e-mail verification subject.
    pub email_verification_subject: Option<String>,
    /// Verification messages.
    pub verification_message_template: Option<VerificationMessageTemplate>,
    /// The SMS MFA text.
    pub sms_authentication_message: Option<String>,
    /// `OFF`, `ON`, `OPTIONAL`.
    pub mfa_configuration: Option<String>,
    /// Attributes verified before they change.
    pub user_attribute_update_settings: Option<UserAttributeUpdateSettingsType>,
    /// Device remembering.
    pub device_configuration: Option<DeviceConfiguration>,
    /// E-mail delivery.
    pub email_configuration: Option<EmailConfiguration>,
    /// SMS delivery.
    pub sms_configuration: Option<SmsConfiguration>,
    /// Tags.
    pub user_pool_tags: Option<BTreeMap<String, String>>,
    /// AdminCreateUser settings.
    pub admin_create_user_config: Option<AdminCreateUserConfigType>,
    /// Threat protection.
    pub user_pool_add_ons: Option<UserPoolAddOnsType>,
    /// Password recovery.
    pub account_recovery_setting: Option<AccountRecoverySettingType>,
    /// `LITE`, `ESSENTIALS`, `PLUS`.
    pub user_pool_tier: Option<String>,
    /// Encryption key.
    pub key_configuration: Option<KeyConfigurationType>,
    /// Issuer form: refused (the issuer is the server's setting).
    pub issuer_configuration: Option<serde_json::Value>,
}

/// CreateUserPool's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserPoolRequest {
    /// 1 to 128 characters of `[\w\s+=,.@-]`.
    pub pool_name: Option<String>,
    /// Alias attributes (not with `UsernameAttributes`).
    pub alias_attributes: Option<Vec<String>>,
    /// Username attributes (not with `AliasAttributes`).
    pub username_attributes: Option<Vec<String>>,
    /// Custom attributes and changes to standard ones.
    pub schema: Option<Vec<SchemaAttributeType>>,
    /// Case sensitivity of usernames.
    pub username_configuration: Option<UsernameConfigurationType>,
    /// Everything UpdateUserPool can change too.
    #[serde(flatten)]
    pub settings: PoolSettingsInput,
}

/// UpdateUserPool's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserPoolRequest {
    /// The pool.
    pub user_pool_id: Option<String>,
    /// A new name (kept when left out).
    pub pool_name: Option<String>,
    /// The settings; left-out ones return to their defaults.
    #[serde(flatten)]
    pub settings: PoolSettingsInput,
}

/// A request that names only a pool (DescribeUserPool, DeleteUserPool, GetUserPoolMfaConfig).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolIdRequest {
    /// The pool.
    pub user_pool_id: Option<String>,
}

/// ListUserPools' request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUserPoolsRequest {
    /// 1 to 60 (required).
    pub max_results: Option<i64>,
    /// From a previous page.
    pub next_token: Option<String>,
}

/// AddCustomAttributes' request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AddCustomAttributesRequest {
    /// The pool.
    pub user_pool_id: Option<String>,
    /// 1 to 25 attributes.
    pub custom_attributes: Option<Vec<SchemaAttributeType>>,
}

/// `UserPoolType`: a pool as DescribeUserPool shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolType {
    /// The pool ID.
    pub id: String,
    /// The name.
    pub name: String,
    /// The ARN.
    pub arn: String,
    /// Password and sign-in policy.
    pub policies: UserPoolPolicyType,
    /// `ACTIVE` or `INACTIVE`.
    pub deletion_protection: &'static str,
    /// Always empty: no Lambda triggers.
    pub lambda_config: serde_json::Map<String, serde_json::Value>,
    /// When the pool last changed.
    pub last_modified_date: u64,
    /// When it was created.
    pub creation_date: u64,
    /// The schema.
    pub schema_attributes: Vec<SchemaAttributeType>,
    /// Auto-verified attributes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub auto_verified_attributes: Vec<&'static str>,
    /// Alias attributes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alias_attributes: Vec<&'static str>,
    /// Username attributes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub username_attributes: Vec<&'static str>,
    /// Legacy mirror of the template's SMS text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sms_verification_message: Option<String>,
    /// Legacy mirror of the template's e-mail text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_verification_message: Option<String>,
    /// Legacy mirror of the template's e-mail subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_verification_subject: Option<String>,
    /// Verification messages.
    pub verification_message_template: VerificationMessageTemplate,
    /// The SMS MFA text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sms_authentication_message: Option<String>,
    /// Attributes verified before they change.
    pub user_attribute_update_settings: UserAttributeUpdateSettingsType,
    /// `OFF`, `ON`, `OPTIONAL`.
    pub mfa_configuration: &'static str,
    /// Device remembering, when on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_configuration: Option<DeviceConfiguration>,
    /// The number of users.
    pub estimated_number_of_users: u64,
    /// E-mail delivery.
    pub email_configuration: EmailConfiguration,
    /// SMS delivery, when configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sms_configuration: Option<SmsConfiguration>,
    /// Tags.
    pub user_pool_tags: BTreeMap<String, String>,
    /// The domain prefix, when the pool has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// AdminCreateUser settings.
    pub admin_create_user_config: AdminCreateUserConfigType,
    /// Case sensitivity.
    pub username_configuration: UsernameConfigurationType,
    /// Password recovery.
    pub account_recovery_setting: AccountRecoverySettingType,
    /// The feature plan.
    pub user_pool_tier: &'static str,
}

/// CreateUserPool's response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserPoolResponse {
    /// The new pool.
    pub user_pool: UserPoolType,
}

/// DescribeUserPool's response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeUserPoolResponse {
    /// The pool.
    pub user_pool: UserPoolType,
}

/// The empty response of operations that return nothing (`{}`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EmptyResponse {}

/// `UserPoolDescriptionType`: a pool in ListUserPools.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolDescriptionType {
    /// The pool ID.
    pub id: String,
    /// The name.
    pub name: String,
    /// Always empty.
    pub lambda_config: serde_json::Map<String, serde_json::Value>,
    /// When the pool last changed.
    pub last_modified_date: u64,
    /// When it was created.
    pub creation_date: u64,
}

/// ListUserPools' response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUserPoolsResponse {
    /// This page.
    pub user_pools: Vec<UserPoolDescriptionType>,
    /// Present when more pools follow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// `SmsMfaConfigType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SmsMfaConfigType {
    /// The SMS MFA text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sms_authentication_message: Option<String>,
    /// SMS delivery.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sms_configuration: Option<SmsConfiguration>,
}

/// `SoftwareTokenMfaConfigType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SoftwareTokenMfaConfigType {
    /// Whether TOTP MFA is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// SetUserPoolMfaConfig's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetUserPoolMfaConfigRequest {
    /// The pool.
    pub user_pool_id: Option<String>,
    /// SMS MFA; left out, SMS MFA is off.
    pub sms_mfa_configuration: Option<SmsMfaConfigType>,
    /// TOTP MFA; left out, TOTP MFA is off.
    pub software_token_mfa_configuration: Option<SoftwareTokenMfaConfigType>,
    /// E-mail MFA; left out, e-mail MFA is off.
    pub email_mfa_configuration: Option<EmailMfaSettings>,
    /// `OFF`, `ON`, `OPTIONAL`; left out, unchanged.
    pub mfa_configuration: Option<String>,
    /// Passkeys: refused (not offered by this server).
    pub web_authn_configuration: Option<serde_json::Value>,
}

/// The response of SetUserPoolMfaConfig and GetUserPoolMfaConfig.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolMfaConfigResponse {
    /// SMS MFA, when on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sms_mfa_configuration: Option<SmsMfaConfigType>,
    /// TOTP MFA.
    pub software_token_mfa_configuration: SoftwareTokenMfaConfigType,
    /// E-mail MFA, when on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_mfa_configuration: Option<EmailMfaSettings>,
    /// `OFF`, `ON`, `OPTIONAL`.
    pub mfa_configuration: &'static str,
}

/// TagResource's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagResourceRequest {
    /// The pool's ARN.
    pub resource_arn: Option<String>,
    /// Tags to add or replace.
    pub tags: Option<BTreeMap<String, String>>,
}

/// UntagResource's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UntagResourceRequest {
    /// The pool's ARN.
    pub resource_arn: Option<String>,
    /// Tag keys to remove.
    pub tag_keys: Option<Vec<String>>,
}

/// ListTagsForResource's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsForResourceRequest {
    /// The pool's ARN.
    pub resource_arn: Option<String>,
}

/// ListTagsForResource's response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsForResourceResponse {
    /// The tags.
    pub tags: BTreeMap<String, String>,
}

// ---- the pool rules ----------------------------------------------------------------------

const MFA_VALUES: &[&str] = &["OFF", "ON", "OPTIONAL"];
const MAX_CUSTOM_ATTRIBUTES: usize = 50;
const MAX_TAGS: usize = 50;

fn check_pool_name(name: &str, path: &str) -> Result<(), CognitoError> {
    check_length(name, path, 1, 128)?;
    check_pattern(name, path, "[\\w\\s+=,.@-]+", is_name_char)
}

fn password_policy(input: Option<&PasswordPolicyType>) -> Result<PasswordPolicy, CognitoError> {
    let Some(p) = input else {
        return Ok(PasswordPolicy::default());
    };
    let base = "policies.passwordPolicy";
    let minimum_length = match p.minimum_length {
        Some(n) => {
            check_range(n, &format!("{base}.minimumLength"), 6, 99)?;
            u32::try_from(n).unwrap_or(8)
        }
        None => 8,
    };
    if let Some(n) = p.password_history_size {
        check_range(n, &format!("{base}.passwordHistorySize"), 0, 24)?;
        if n != 0 {
            return Err(CognitoError::invalid_parameter(
                "PasswordHistorySize is not supported by this server; set it to 0 or leave it out.",
            ));
        }
    }
    let temporary_password_validity_days = match p.temporary_password_validity_days {
        Some(n) => {
            check_range(n, &format!("{base}.temporaryPasswordValidityDays"), 0, 365)?;
            if n == 0 {
                7
            } else {
                u32::try_from(n).unwrap_or(7)
            }
        }
        None => 7,
    };
    Ok(PasswordPolicy {
        minimum_length,
        require_uppercase: p.require_uppercase.unwrap_or(false),
        require_lowercase: p.require_lowercase.unwrap_or(false),
        require_numbers: p.require_numbers.unwrap_or(false),
        require_symbols: p.require_symbols.unwrap_or(false),
        temporary_password_validity_days,
    })
}

fn first_auth_factors(input: Option<&SignInPolicyType>) -> Result<Vec<AuthFactor>, CognitoError> {
    let Some(list) = input.and_then(|s| s.allowed_first_auth_factors.as_ref()) else {
        return Ok(vec![AuthFactor::Password]);
    };
    let path = "policies.signInPolicy.allowedFirstAuthFactors";
    if list.is_empty() || list.len() > 5 {
        return Err(validation(format_args!(
            "Value at '{path}' failed to satisfy constraint: Member must have length between 1 \
             and 5"
        )));
    }
    let mut out = Vec::new();
    for f in list {
        if f == "SOFTWARE_TOKEN" {
            return Err(CognitoError::invalid_parameter(
                "SOFTWARE_TOKEN is not supported as a first authentication factor.",
            ));
        }
        let factor = parse_enum(
            f,
            path,
            &[
                "PASSWORD",
                "EMAIL_OTP",
                "SMS_OTP",
                "WEB_AUTHN",
                "SOFTWARE_TOKEN",
            ],
            AuthFactor::parse,
        )?;
        if !out.contains(&factor) {
            out.push(factor);
        }
    }
    Ok(out)
}

/// Parses a list of enum values, keeping the first of duplicates.
fn enum_list<T: PartialEq>(
    list: &[String],
    path: &str,
    allowed: &[&str],
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>, CognitoError> {
    let mut out = Vec::new();
    for v in list {
        let x = parse_enum(v, path, allowed, &parse)?;
        if !out.contains(&x) {
            out.push(x);
        }
    }
    Ok(out)
}

fn recovery(
    input: Option<&AccountRecoverySettingType>,
) -> Result<Vec<RecoveryMechanism>, CognitoError> {
    let default = || {
        vec![
            RecoveryMechanism::VerifiedEmail,
            RecoveryMechanism::VerifiedPhoneNumber,
        ]
    };
    let Some(list) = input.and_then(|a| a.recovery_mechanisms.as_ref()) else {
        return Ok(default());
    };
    let path = "accountRecoverySetting.recoveryMechanisms";
    if list.is_empty() || list.len() > 2 {
        return Err(validation(format_args!(
            "Value at '{path}' failed to satisfy constraint: Member must have length between 1 \
             and 2"
        )));
    }
    let mut by_priority: Vec<(i64, RecoveryMechanism)> = Vec::new();
    for option in list {
        let priority = require(option.priority, &format!("{path}.member.priority"))?;
        check_range(priority, &format!("{path}.member.priority"), 1, 2)?;
        let name = require(option.name.as_deref(), &format!("{path}.member.name"))?;
        let m = parse_enum(
            name,
            &format!("{path}.member.name"),
            &["verified_email", "verified_phone_number", "admin_only"],
            RecoveryMechanism::parse,
        )?;
        if by_priority.iter().any(|(p, x)| *p == priority || *x == m) {
            return Err(CognitoError::invalid_parameter(
                "Each recovery mechanism and each priority may appear only once.",
            ));
        }
        by_priority.push((priority, m));
    }
    if by_priority.len() > 1
        && by_priority
            .iter()
            .any(|(_, m)| *m == RecoveryMechanism::AdminOnly)
    {
        return Err(CognitoError::invalid_parameter(
            "admin_only cannot be combined with another recovery mechanism.",
        ));
    }
    by_priority.sort_by_key(|(p, _)| *p);
    Ok(by_priority.into_iter().map(|(_, m)| m).collect())
}

fn check_tags(tags: &BTreeMap<String, String>, path: &str) -> Result<(), CognitoError> {
    if tags.len() > MAX_TAGS {
        return Err(CognitoError::invalid_parameter(format!(
            "A user pool can have at most {MAX_TAGS} tags."
        )));
    }
    for (k, v) in tags {
        check_length(k, &format!("{path}.key"), 1, 128)?;
        check_length(v, &format!("{path}.value"), 0, 256)?;
    }
    Ok(())
}

fn contains_code(s: &str) -> bool {
    s.contains("{####}")
}

fn check_sms_text(s: &str, path: &str) -> Result<(), CognitoError> {
    check_length(s, path, 6, 140)?;
    if !contains_code(s) {
        return Err(validation(format_args!(
            "Value at '{path}' failed to satisfy constraint: Member must satisfy regular \
             expression pattern: .*\\{{####\\}}.*"
        )));
    }
    Ok(())
}

fn check_email_text(s: &str, path: &str, placeholder: bool) -> Result<(), CognitoError> {
    check_length(s, path, 6, 20_000)?;
    if placeholder && !contains_code(s) {
        return Err(CognitoError::invalid_parameter(format!(
            "{path} must contain the {{####}} placeholder."
        )));
    }
    Ok(())
}

fn check_subject(s: &str, path: &str) -> Result<(), CognitoError> {
    check_length(s, path, 1, 140)
}

fn verification_template(
    s: &PoolSettingsInput,
) -> Result<VerificationMessageTemplate, CognitoError> {
    let mut t = s.verification_message_template.clone().unwrap_or_default();
    // The legacy top-level members fill what the template leaves out.
    if t.sms_message.is_none() {
        t.sms_message = s.sms_verification_message.clone();
    }
    if t.email_message.is_none() {
        t.email_message = s.email_verification_message.clone();
    }
    if t.email_subject.is_none() {
        t.email_subject = s.email_verification_subject.clone();
    }
    let p = "verificationMessageTemplate";
    if let Some(m) = &t.sms_message {
        check_sms_text(m, &format!("{p}.smsMessage"))?;
    }
    if let Some(m) = &t.email_message {
        check_email_text(m, &format!("{p}.emailMessage"), true)?;
    }
    if let Some(m) = &t.email_subject {
        check_subject(m, &format!("{p}.emailSubject"))?;
    }
    if let Some(m) = &t.email_message_by_link {
        check_email_text(m, &format!("{p}.emailMessageByLink"), false)?;
        let link = m
            .find("{##")
            .is_some_and(|i| m.get(i + 3..).is_some_and(|rest| rest.contains("##}")));
        if !link {
            return Err(CognitoError::invalid_parameter(
                "verificationMessageTemplate.emailMessageByLink must contain a {##link text##} \
                 placeholder.",
            ));
        }
    }
    if let Some(m) = &t.email_subject_by_link {
        check_subject(m, &format!("{p}.emailSubjectByLink"))?;
    }
    Ok(t)
}

fn invite_template(t: Option<&MessageTemplate>) -> Result<Option<MessageTemplate>, CognitoError> {
    let Some(t) = t else {
        return Ok(None);
    };
    let p = "adminCreateUserConfig.inviteMessageTemplate";
    if let Some(m) = &t.sms_message {
        check_length(m, &format!("{p}.sMSMessage"), 6, 140)?;
    }
    if let Some(m) = &t.email_message {
        check_email_text(m, &format!("{p}.emailMessage"), false)?;
    }
    if let Some(m) = &t.email_subject {
        check_subject(m, &format!("{p}.emailSubject"))?;
    }
    Ok(Some(t.clone()))
}

fn email_configuration(c: Option<&EmailConfiguration>) -> Result<EmailConfiguration, CognitoError> {
    let Some(c) = c else {
        return Ok(EmailConfiguration::default());
    };
    let p = "emailConfiguration";
    if let Some(arn) = &c.source_arn {
        check_arn(arn, &format!("{p}.sourceArn"))?;
    }
    if c.email_sending_account == EmailSendingAccount::Developer && c.source_arn.is_none() {
        return Err(CognitoError::invalid_parameter(
            "EmailConfiguration.SourceArn is required when EmailSendingAccount is DEVELOPER.",
        ));
    }
    if let Some(addr) = &c.reply_to_email_address {
        let ok = addr
            .split_once('@')
            .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty());
        if !ok || addr.len() > 2048 || !addr.chars().all(is_visible) {
            return Err(validation(format_args!(
                "Value at '{p}.replyToEmailAddress' failed to satisfy constraint: Member must \
                 satisfy regular expression pattern: \
                 [\\p{{L}}\\p{{M}}\\p{{S}}\\p{{N}}\\p{{P}}]+@[\\p{{L}}\\p{{M}}\\p{{S}}\\p{{N}}\\p{{P}}]+"
            )));
        }
    }
    if let Some(from) = &c.from {
        check_length(from, &format!("{p}.from"), 0, 2048)?;
    }
    if let Some(set) = &c.configuration_set {
        check_length(set, &format!("{p}.configurationSet"), 1, 64)?;
        check_pattern(
            set,
            &format!("{p}.configurationSet"),
            "^[a-zA-Z0-9_-]+$",
            |c| c.is_ascii_alphanumeric() || c == '_' || c == '-',
        )?;
    }
    Ok(c.clone())
}

pub(crate) fn sms_configuration(
    c: Option<&SmsConfiguration>,
    p: &str,
) -> Result<Option<SmsConfiguration>, CognitoError> {
    let Some(c) = c else {
        return Ok(None);
    };
    if let Some(arn) = c.sns_caller_arn.as_deref().filter(|a| !a.is_empty()) {
        check_arn(arn, &format!("{p}.snsCallerArn"))?;
    }
    if let Some(id) = &c.external_id {
        check_length(id, &format!("{p}.externalId"), 0, 2048)?;
    }
    if let Some(r) = &c.sns_region {
        check_length(r, &format!("{p}.snsRegion"), 5, 32)?;
    }
    Ok(Some(c.clone()))
}

/// Refuses the settings this server does not offer.
fn refuse_unsupported(s: &PoolSettingsInput) -> Result<(), CognitoError> {
    if s.lambda_config.as_ref().is_some_and(|m| !m.is_empty()) {
        return Err(CognitoError::invalid_parameter(
            "Lambda triggers (LambdaConfig) are not supported by this server.",
        ));
    }
    if let Some(addons) = &s.user_pool_add_ons {
        let mode = require(
            addons.advanced_security_mode.as_deref(),
            "userPoolAddOns.advancedSecurityMode",
        )?;
        one_of(
            mode,
            "userPoolAddOns.advancedSecurityMode",
            &["OFF", "AUDIT", "ENFORCED"],
        )?;
        if mode != "OFF" || addons.advanced_security_additional_flows.is_some() {
            return Err(CognitoError::invalid_parameter(
                "Threat protection (UserPoolAddOns) is not supported by this server; only \
                 AdvancedSecurityMode OFF is accepted.",
            ));
        }
    }
    if let Some(k) = &s.key_configuration {
        if let Some(t) = &k.key_type {
            one_of(
                t,
                "keyConfiguration.keyType",
                &["AWS_OWNED_KEY", "CUSTOMER_MANAGED_KEY"],
            )?;
        }
        if k.key_type.as_deref() == Some("CUSTOMER_MANAGED_KEY") || k.kms_key_arn.is_some() {
            return Err(CognitoError::invalid_parameter(
                "Customer-managed encryption keys (KeyConfiguration) are not supported by this \
                 server.",
            ));
        }
    }
    if s.issuer_configuration.is_some() {
        return Err(CognitoError::invalid_parameter(
            "IssuerConfiguration is not supported: the token issuer is set by the server's \
             configuration.",
        ));
    }
    Ok(())
}

/// Whether we are creating a pool or updating one: the rules differ slightly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Create,
    Update,
}

/// Applies the shared settings to `pool`: every member left out returns to its default,
/// except tags and the plan on update, which are kept.
fn apply_settings(
    pool: &mut UserPool,
    s: &PoolSettingsInput,
    mode: Mode,
) -> Result<(), CognitoError> {
    refuse_unsupported(s)?;
    let policies = s.policies.as_ref();
    let password = password_policy(policies.and_then(|p| p.password_policy.as_ref()))?;
    let factors = first_auth_factors(policies.and_then(|p| p.sign_in_policy.as_ref()))?;

    let deletion_protection = match s.deletion_protection.as_deref() {
        None => false,
        Some(v) => one_of(v, "deletionProtection", &["ACTIVE", "INACTIVE"])? == "ACTIVE",
    };
    let auto_verified = enum_list(
        s.auto_verified_attributes.as_deref().unwrap_or_default(),
        "autoVerifiedAttributes",
        &["phone_number", "email"],
        VerifiedAttribute::parse,
    )?;
    let verify_before_update = enum_list(
        s.user_attribute_update_settings
            .as_ref()
            .and_then(|u| u.attributes_require_verification_before_update.as_deref())
            .unwrap_or_default(),
        "userAttributeUpdateSettings.attributesRequireVerificationBeforeUpdate",
        &["phone_number", "email"],
        VerifiedAttribute::parse,
    )?;
    if verify_before_update
        .iter()
        .any(|a| !auto_verified.contains(a))
    {
        return Err(CognitoError::invalid_parameter(
            "AttributesRequireVerificationBeforeUpdate may only name attributes that are in \
             AutoVerifiedAttributes.",
        ));
    }
    let template = verification_template(s)?;
    if let Some(m) = &s.sms_authentication_message {
        check_sms_text(m, "smsAuthenticationMessage")?;
    }
    let mfa = match s.mfa_configuration.as_deref() {
        None => MfaConfiguration::Off,
        Some(v) => parse_enum(v, "mfaConfiguration", MFA_VALUES, MfaConfiguration::parse)?,
    };
    let email = email_configuration(s.email_configuration.as_ref())?;
    let sms = sms_configuration(s.sms_configuration.as_ref(), "smsConfiguration")?;
    if let Some(tags) = &s.user_pool_tags {
        check_tags(tags, "userPoolTags")?;
    }
    let admin = s.admin_create_user_config.clone().unwrap_or_default();
    let invite = invite_template(admin.invite_message_template.as_ref())?;
    let mut temporary_days = password.temporary_password_validity_days;
    if let Some(days) = admin.unused_account_validity_days {
        check_range(
            days,
            "adminCreateUserConfig.unusedAccountValidityDays",
            0,
            365,
        )?;
        let given_in_policy = policies
            .and_then(|p| p.password_policy.as_ref())
            .and_then(|p| p.temporary_password_validity_days)
            .is_some_and(|d| d != 0);
        if given_in_policy && i64::from(temporary_days) != days {
            return Err(CognitoError::invalid_parameter(
                "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of \
                 UnusedAccountValidityDays",
            ));
        }
        if !given_in_policy && days != 0 {
            temporary_days = u32::try_from(days).unwrap_or(temporary_days);
        }
    }
    let account_recovery = recovery(s.account_recovery_setting.as_ref())?;
    let tier = match s.user_pool_tier.as_deref() {
        None => None,
        Some(v) => Some(parse_enum(
            v,
            "userPoolTier",
            &["LITE", "ESSENTIALS", "PLUS"],
            PoolTier::parse,
        )?),
    };

    // MFA factors: CreateUserPool can only turn on SMS MFA, and needs an SMS configuration
    // for it; UpdateUserPool keeps the factors SetUserPoolMfaConfig chose, losing SMS MFA
    // when the SMS configuration goes.
    let mfa_required = mfa != MfaConfiguration::Off;
    match mode {
        Mode::Create => {
            if mfa_required && sms.is_none() {
                return Err(CognitoError::invalid_parameter(
                    "SMS configuration is required when MFA is required/optional.",
                ));
            }
            pool.sms_mfa_enabled = mfa_required;
            pool.software_token_mfa_enabled = false;
            pool.email_mfa_enabled = false;
        }
        Mode::Update => {
            if sms.is_none() {
                pool.sms_mfa_enabled = false;
            }
            let any =
                pool.sms_mfa_enabled || pool.software_token_mfa_enabled || pool.email_mfa_enabled;
            if mfa_required && !any {
                if sms.is_some() {
                    pool.sms_mfa_enabled = true;
                } else {
                    return Err(CognitoError::invalid_parameter(
                        "MFA cannot be required/optional without an enabled MFA method: enable \
                         one with SetUserPoolMfaConfig or give an SmsConfiguration.",
                    ));
                }
            }
        }
    }

    pool.password_policy = PasswordPolicy {
        temporary_password_validity_days: temporary_days,
        ..password
    };
    pool.deletion_protection = deletion_protection;
    pool.auto_verified_attributes = auto_verified;
    pool.attributes_require_verification_before_update = verify_before_update;
    pool.mfa_configuration = mfa;
    pool.admin_create_user_only = admin.allow_admin_create_user_only.unwrap_or(false);
    pool.account_recovery = account_recovery;
    match (&s.user_pool_tags, mode) {
        (Some(tags), _) => pool.tags = tags.clone(),
        (None, Mode::Create) => pool.tags = BTreeMap::new(),
        (None, Mode::Update) => {}
    }
    let st = &mut pool.settings;
    st.verification_message_template = template;
    st.sms_authentication_message = s.sms_authentication_message.clone();
    st.invite_message_template = invite;
    st.device_configuration = s.device_configuration;
    st.email_configuration = email;
    st.sms_configuration = sms;
    st.allowed_first_auth_factors = factors;
    if let Some(t) = tier {
        st.tier = t;
    }
    Ok(())
}

/// Parses a schema constraint number.
fn constraint_number<T: std::str::FromStr>(
    value: Option<&str>,
    what: &str,
    attr: &str,
) -> Result<Option<T>, CognitoError> {
    value
        .map(|v| {
            v.trim().parse::<T>().map_err(|_| {
                CognitoError::invalid_parameter(format!(
                    "Invalid {what} for schema attribute {attr}"
                ))
            })
        })
        .transpose()
}

fn string_constraints(
    c: &StringAttributeConstraintsType,
    attr: &str,
) -> Result<StringConstraints, CognitoError> {
    let what = "StringAttributeConstraints";
    let min: Option<u32> = constraint_number(c.min_length.as_deref(), what, attr)?;
    let max: Option<u32> = constraint_number(c.max_length.as_deref(), what, attr)?;
    if min.is_some_and(|m| m > 2048) || max.is_some_and(|m| m > 2048) {
        return Err(CognitoError::invalid_parameter(format!(
            "user.{attr}: String attributes cannot have a length of more than 2048"
        )));
    }
    if let (Some(a), Some(b)) = (min, max) {
        if a > b {
            return Err(CognitoError::invalid_parameter(format!(
                "user.{attr}: Max length cannot be less than min length."
            )));
        }
    }
    Ok(StringConstraints {
        min_length: min,
        max_length: max,
    })
}

fn number_constraints(
    c: &NumberAttributeConstraintsType,
    attr: &str,
) -> Result<NumberConstraints, CognitoError> {
    let what = "NumberAttributeConstraints";
    let min: Option<i64> = constraint_number(c.min_value.as_deref(), what, attr)?;
    let max: Option<i64> = constraint_number(c.max_value.as_deref(), what, attr)?;
    if let (Some(a), Some(b)) = (min, max) {
        if a > b {
            return Err(CognitoError::invalid_parameter(format!(
                "user.{attr}: Max value cannot be less than min value."
            )));
        }
    }
    Ok(NumberConstraints {
        min_value: min,
        max_value: max,
    })
}

/// Applies the constraints of `input` to `attr` (whose type is settled).
fn apply_constraints(
    attr: &mut SchemaAttribute,
    input: &SchemaAttributeType,
) -> Result<(), CognitoError> {
    let name = attr.name.clone();
    match attr.data_type {
        AttributeDataType::String => {
            if input.number_attribute_constraints.is_some() {
                return Err(CognitoError::invalid_parameter(format!(
                    "user.{name}: NumberAttributeConstraints apply only to Number attributes."
                )));
            }
            if let Some(c) = &input.string_attribute_constraints {
                attr.string_constraints = Some(string_constraints(c, &name)?);
            }
        }
        AttributeDataType::Number => {
            if input.string_attribute_constraints.is_some() {
                return Err(CognitoError::invalid_parameter(format!(
                    "user.{name}: StringAttributeConstraints apply only to String attributes."
                )));
            }
            if let Some(c) = &input.number_attribute_constraints {
                attr.number_constraints = Some(number_constraints(c, &name)?);
            }
        }
        AttributeDataType::Boolean | AttributeDataType::DateTime => {
            if input.string_attribute_constraints.is_some()
                || input.number_attribute_constraints.is_some()
            {
                return Err(CognitoError::invalid_parameter(format!(
                    "user.{name}: {} attributes take no constraints.",
                    attr.data_type.as_str()
                )));
            }
        }
    }
    Ok(())
}

const DATA_TYPES: &[&str] = &["String", "Number", "DateTime", "Boolean"];

/// The bare name of a schema entry: 1 to 20 visible characters.
fn schema_name<'a>(input: &'a SchemaAttributeType, path: &str) -> Result<&'a str, CognitoError> {
    let name = require(input.name.as_deref(), &format!("{path}.name"))?;
    check_length(name, &format!("{path}.name"), 1, 20)?;
    check_pattern(
        name,
        &format!("{path}.name"),
        "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        is_visible,
    )?;
    Ok(name)
}

/// A new custom attribute (`custom:name`, or `dev:custom:name` for developer-only ones).
fn custom_attribute(
    input: &SchemaAttributeType,
    path: &str,
) -> Result<SchemaAttribute, CognitoError> {
    let bare = schema_name(input, path)?;
    let bare = bare.strip_prefix("custom:").unwrap_or(bare);
    if bare.is_empty() {
        return Err(validation(format_args!(
            "Value at '{path}.name' failed to satisfy constraint: Member must have length \
             greater than or equal to 1"
        )));
    }
    let Some(dt) = input.attribute_data_type.as_deref() else {
        return Err(CognitoError::invalid_parameter(
            "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.",
        ));
    };
    let data_type = parse_enum(
        dt,
        &format!("{path}.attributeDataType"),
        DATA_TYPES,
        AttributeDataType::parse,
    )?;
    if input.required == Some(true) {
        return Err(CognitoError::invalid_parameter(
            "Required custom attributes are not supported currently.",
        ));
    }
    let developer_only = input.developer_only_attribute.unwrap_or(false);
    let name = if developer_only {
        format!("dev:custom:{bare}")
    } else {
        format!("custom:{bare}")
    };
    let mut attr = SchemaAttribute {
        name,
        data_type,
        developer_only,
        mutable: input.mutable.unwrap_or(true),
        required: false,
        string_constraints: (data_type == AttributeDataType::String).then_some(StringConstraints {
            min_length: None,
            max_length: None,
        }),
        number_constraints: (data_type == AttributeDataType::Number).then_some(NumberConstraints {
            min_value: None,
            max_value: None,
        }),
    };
    apply_constraints(&mut attr, input)?;
    Ok(attr)
}

/// Changes a standard attribute as a schema entry asks (required, mutable, constraints).
fn adjust_standard(
    attr: &mut SchemaAttribute,
    input: &SchemaAttributeType,
    path: &str,
) -> Result<(), CognitoError> {
    let name = attr.name.clone();
    if let Some(dt) = input.attribute_data_type.as_deref() {
        let t = parse_enum(
            dt,
            &format!("{path}.attributeDataType"),
            DATA_TYPES,
            AttributeDataType::parse,
        )?;
        if t != attr.data_type {
            return Err(CognitoError::invalid_parameter(format!(
                "You can not change AttributeDataType or set developerOnlyAttribute for \
                 standard schema attribute {name}"
            )));
        }
    }
    if input.developer_only_attribute == Some(true) {
        return Err(CognitoError::invalid_parameter(format!(
            "You can not change AttributeDataType or set developerOnlyAttribute for standard \
             schema attribute {name}"
        )));
    }
    if name == "sub" && (input.mutable == Some(true) || input.required == Some(false)) {
        return Err(CognitoError::invalid_parameter(
            "The sub attribute is always required and immutable.",
        ));
    }
    if let Some(m) = input.mutable {
        attr.mutable = m;
    }
    if let Some(r) = input.required {
        attr.required = r;
    }
    apply_constraints(attr, input)
}

/// The schema of a new pool: the standard attributes, changed as asked, then the custom ones.
fn build_schema(
    input: Option<&[SchemaAttributeType]>,
) -> Result<Vec<SchemaAttribute>, CognitoError> {
    let mut schema = SchemaAttribute::standard_schema();
    let Some(entries) = input else {
        return Ok(schema);
    };
    if entries.is_empty() || entries.len() > 50 {
        return Err(validation(
            "Value at 'schema' failed to satisfy constraint: Member must have length between 1 \
             and 50",
        ));
    }
    let mut seen: Vec<String> = Vec::new();
    let mut custom: Vec<SchemaAttribute> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let path = format!("schema.{}.member", i.saturating_add(1));
        let name = schema_name(entry, &path)?;
        if STANDARD_ATTRIBUTES.contains(&name) {
            if seen.iter().any(|s| s == name) {
                return Err(CognitoError::invalid_parameter(format!(
                    "Duplicate attribute in schema: {name}"
                )));
            }
            seen.push(name.to_owned());
            if let Some(attr) = schema.iter_mut().find(|a| a.name == name) {
                adjust_standard(attr, entry, &path)?;
            }
        } else {
            let attr = custom_attribute(entry, &path)?;
            if custom.iter().any(|c| c.name == attr.name) {
                return Err(CognitoError::invalid_parameter(format!(
                    "Duplicate attribute in schema: {}",
                    attr.name
                )));
            }
            custom.push(attr);
        }
    }
    if custom.len() > MAX_CUSTOM_ATTRIBUTES {
        return Err(CognitoError::new(
            ErrorKind::LimitExceeded,
            format!("A user pool can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes."),
        ));
    }
    schema.extend(custom);
    Ok(schema)
}

impl UserPools {
    /// A fresh pool ID in the configured region.
    fn new_pool_id(&self) -> Result<UserPoolId, CognitoError> {
        UserPoolId::generate(&self.config().region, self.rng()).map_err(|_| {
            tracing::error!("random source failed");
            CognitoError::internal()
        })
    }

    /// The API shape of a pool.
    pub fn user_pool_type(&self, pool: &UserPool) -> Result<UserPoolType, CognitoError> {
        let users = self.store().count_users(&pool.id)?;
        let p = &pool.password_policy;
        let st = &pool.settings;
        let mut template = st.verification_message_template.clone();
        if template.default_email_option.is_none() {
            template.default_email_option = Some(Default::default());
        }
        Ok(UserPoolType {
            id: pool.id.to_string(),
            name: pool.name.clone(),
            arn: pool.arn(),
            policies: UserPoolPolicyType {
                password_policy: Some(PasswordPolicyType {
                    minimum_length: Some(i64::from(p.minimum_length)),
                    require_uppercase: Some(p.require_uppercase),
                    require_lowercase: Some(p.require_lowercase),
                    require_numbers: Some(p.require_numbers),
                    require_symbols: Some(p.require_symbols),
                    password_history_size: None,
                    temporary_password_validity_days: Some(i64::from(
                        p.temporary_password_validity_days,
                    )),
                }),
                sign_in_policy: Some(SignInPolicyType {
                    allowed_first_auth_factors: Some(
                        st.allowed_first_auth_factors
                            .iter()
                            .map(|f| f.as_str().to_owned())
                            .collect(),
                    ),
                }),
            },
            deletion_protection: if pool.deletion_protection {
                "ACTIVE"
            } else {
                "INACTIVE"
            },
            lambda_config: serde_json::Map::new(),
            last_modified_date: epoch(pool.modified),
            creation_date: epoch(pool.created),
            schema_attributes: pool
                .schema
                .iter()
                .map(SchemaAttributeType::from_model)
                .collect(),
            auto_verified_attributes: pool
                .auto_verified_attributes
                .iter()
                .map(|a| a.as_str())
                .collect(),
            alias_attributes: pool.alias_attributes.iter().map(|a| a.as_str()).collect(),
            username_attributes: pool
                .username_attributes
                .iter()
                .map(|a| a.as_str())
                .collect(),
            sms_verification_message: template.sms_message.clone(),
            email_verification_message: template.email_message.clone(),
            email_verification_subject: template.email_subject.clone(),
            verification_message_template: template,
            sms_authentication_message: st.sms_authentication_message.clone(),
            user_attribute_update_settings: UserAttributeUpdateSettingsType {
                attributes_require_verification_before_update: Some(
                    pool.attributes_require_verification_before_update
                        .iter()
                        .map(|a| a.as_str().to_owned())
                        .collect(),
                ),
            },
            mfa_configuration: pool.mfa_configuration.as_str(),
            device_configuration: st.device_configuration,
            estimated_number_of_users: users,
            email_configuration: st.email_configuration.clone(),
            sms_configuration: st.sms_configuration.clone(),
            user_pool_tags: pool.tags.clone(),
            domain: pool.domain.clone(),
            admin_create_user_config: AdminCreateUserConfigType {
                allow_admin_create_user_only: Some(pool.admin_create_user_only),
                unused_account_validity_days: None,
                invite_message_template: st.invite_message_template.clone(),
            },
            username_configuration: UsernameConfigurationType {
                case_sensitive: Some(pool.username_case_sensitive),
            },
            account_recovery_setting: AccountRecoverySettingType {
                recovery_mechanisms: Some(
                    pool.account_recovery
                        .iter()
                        .zip(1_i64..)
                        .map(|(m, i)| RecoveryOptionType {
                            priority: Some(i),
                            name: Some(m.as_str().to_owned()),
                        })
                        .collect(),
                ),
            },
            user_pool_tier: st.tier.as_str(),
        })
    }

    /// CreateUserPool: a new pool with its signing keys.
    pub fn create_user_pool(
        &self,
        req: CreateUserPoolRequest,
    ) -> Result<CreateUserPoolResponse, CognitoError> {
        let name = require(req.pool_name, "poolName")?;
        check_pool_name(&name, "poolName")?;
        let username_attributes = enum_list(
            req.username_attributes.as_deref().unwrap_or_default(),
            "usernameAttributes",
            &["phone_number", "email"],
            UsernameAttribute::parse,
        )?;
        let alias_attributes = enum_list(
            req.alias_attributes.as_deref().unwrap_or_default(),
            "aliasAttributes",
            &["phone_number", "email", "preferred_username"],
            AliasAttribute::parse,
        )?;
        if !username_attributes.is_empty() && !alias_attributes.is_empty() {
            return Err(CognitoError::invalid_parameter(
                "Only one of aliasAttributes or usernameAttributes can be set in a User Pool.",
            ));
        }
        let case_sensitive = match &req.username_configuration {
            None => true,
            Some(u) => require(u.case_sensitive, "usernameConfiguration.caseSensitive")?,
        };
        let schema = build_schema(req.schema.as_deref())?;

        let now = self.now();
        let mut pool = UserPool::new(self.new_pool_id()?, name, now);
        pool.username_attributes = username_attributes;
        pool.alias_attributes = alias_attributes;
        pool.username_case_sensitive = case_sensitive;
        pool.schema = schema;
        apply_settings(&mut pool, &req.settings, Mode::Create)?;

        let mut attempts = 0;
        loop {
            match self.store().create_pool(&pool) {
                Ok(()) => break,
                Err(StoreError::Conflict(Conflict::Pool)) if attempts < 3 => {
                    attempts += 1;
                    pool.id = self.new_pool_id()?;
                }
                Err(e) => return Err(e.into()),
            }
        }
        if let Err(e) = self.create_pool_keys(&pool.id) {
            // No pool without keys: take the half-made pool away again.
            if let Err(cleanup) = self.store().delete_pool(&pool.id) {
                tracing::error!(pool = %pool.id, error = %cleanup, "could not remove a pool whose keys failed");
            }
            return Err(e);
        }
        Ok(CreateUserPoolResponse {
            user_pool: self.user_pool_type(&pool)?,
        })
    }

    /// DescribeUserPool.
    pub fn describe_user_pool(
        &self,
        req: UserPoolIdRequest,
    ) -> Result<DescribeUserPoolResponse, CognitoError> {
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        Ok(DescribeUserPoolResponse {
            user_pool: self.user_pool_type(&pool)?,
        })
    }

    /// UpdateUserPool: settings left out return to their defaults (see the module docs).
    pub fn update_user_pool(
        &self,
        req: UpdateUserPoolRequest,
    ) -> Result<EmptyResponse, CognitoError> {
        let pool = self.pool(require(req.user_pool_id.as_deref(), "userPoolId")?)?;
        if let Some(name) = &req.pool_name {
            check_pool_name(name, "poolName")?;
        }
        let now = self.now();
        self.store().modify_pool(&pool.id, |p| {
            apply_settings(p, &req.settings, Mode::Update)?;
            if let Some(name) = &req.pool_name {
                p.name.clone_from(name);
            }
            p.modified = now;
            Ok::<(), CognitoError>(())
        })??;
        Ok(EmptyResponse {})
    }

    /// DeleteUserPool: refused while deletion protection is active.
    pub fn delete_user_pool(&self, req: UserPoolIdRequest) -> Result<EmptyResponse, CognitoError> {
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        if pool.deletion_protection {
            return Err(CognitoError::invalid_parameter(
                "The user pool cannot be deleted because deletion protection is activated. \
                 Deletion protection must be inactivated first.",
            ));
        }
        if !self.store().delete_pool(&pool.id)? {
            return Err(CognitoError::not_found(format!(
                "User pool {} does not exist.",
                pool.id
            )));
        }
        self.forget_runtime(&pool.id);
        Ok(EmptyResponse {})
    }

    /// ListUserPools, in pool-ID order.
    pub fn list_user_pools(
        &self,
        req: ListUserPoolsRequest,
    ) -> Result<ListUserPoolsResponse, CognitoError> {
        let max = require(req.max_results, "maxResults")?;
        let limit = page_limit(Some(max), "maxResults", 1, 60, 60)?;
        let after = page_after("pools", req.next_token.as_deref())?;
        let pools = self
            .store()
            .list_pools(after.as_deref(), limit.saturating_add(1))?;
        let (pools, next_token) = finish_page(pools, limit, "pools", |p| p.id.to_string());
        Ok(ListUserPoolsResponse {
            user_pools: pools
                .iter()
                .map(|p| UserPoolDescriptionType {
                    id: p.id.to_string(),
                    name: p.name.clone(),
                    lambda_config: serde_json::Map::new(),
                    last_modified_date: epoch(p.modified),
                    creation_date: epoch(p.created),
                })
                .collect(),
            next_token,
        })
    }

    /// AddCustomAttributes: at most 50 custom attributes in all; names are never reused.
    pub fn add_custom_attributes(
        &self,
        req: AddCustomAttributesRequest,
    ) -> Result<EmptyResponse, CognitoError> {
        let pool = self.pool(require(req.user_pool_id.as_deref(), "userPoolId")?)?;
        let list = require(req.custom_attributes.as_deref(), "customAttributes")?;
        if list.is_empty() || list.len() > 25 {
            return Err(validation(
                "Value at 'customAttributes' failed to satisfy constraint: Member must have \
                 length between 1 and 25",
            ));
        }
        let mut new_attrs: Vec<SchemaAttribute> = Vec::new();
        for (i, input) in list.iter().enumerate() {
            let path = format!("customAttributes.{}.member", i.saturating_add(1));
            let attr = custom_attribute(input, &path)?;
            if new_attrs.iter().any(|a| a.name == attr.name) {
                return Err(CognitoError::invalid_parameter(format!(
                    "Duplicate attribute in request: {}",
                    attr.name
                )));
            }
            new_attrs.push(attr);
        }
        let now = self.now();
        self.store().modify_pool(&pool.id, |p| {
            for a in &new_attrs {
                if p.schema.iter().any(|s| s.name == a.name) {
                    return Err(CognitoError::invalid_parameter(format!(
                        "{}: Existing attribute already has name {}.",
                        a.name, a.name
                    )));
                }
            }
            let custom = p.schema.iter().filter(|s| !s.is_standard()).count();
            if custom.saturating_add(new_attrs.len()) > MAX_CUSTOM_ATTRIBUTES {
                return Err(CognitoError::new(
                    ErrorKind::LimitExceeded,
                    format!(
                        "A user pool can have at most {MAX_CUSTOM_ATTRIBUTES} custom \
                             attributes."
                    ),
                ));
            }
            p.schema.extend(new_attrs.iter().cloned());
            p.modified = now;
            Ok(())
        })??;
        Ok(EmptyResponse {})
    }

    fn mfa_config_of(pool: &UserPool) -> UserPoolMfaConfigResponse {
        let st = &pool.settings;
        UserPoolMfaConfigResponse {
            sms_mfa_configuration: pool.sms_mfa_enabled.then(|| SmsMfaConfigType {
                sms_authentication_message: st.sms_authentication_message.clone(),
                sms_configuration: st.sms_configuration.clone(),
            }),
            software_token_mfa_configuration: SoftwareTokenMfaConfigType {
                enabled: Some(pool.software_token_mfa_enabled),
            },
            email_mfa_configuration: pool.email_mfa_enabled.then(|| st.email_mfa.clone()),
            mfa_configuration: pool.mfa_configuration.as_str(),
        }
    }

    /// GetUserPoolMfaConfig.
    pub fn get_user_pool_mfa_config(
        &self,
        req: UserPoolIdRequest,
    ) -> Result<UserPoolMfaConfigResponse, CognitoError> {
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        Ok(Self::mfa_config_of(&pool))
    }

    /// SetUserPoolMfaConfig: a factor left out is turned off; MFA `ON`/`OPTIONAL` needs at
    /// least one factor on.
    pub fn set_user_pool_mfa_config(
        &self,
        req: SetUserPoolMfaConfigRequest,
    ) -> Result<UserPoolMfaConfigResponse, CognitoError> {
        let pool = self.pool(require(req.user_pool_id.as_deref(), "userPoolId")?)?;
        if req.web_authn_configuration.is_some() {
            return Err(CognitoError::invalid_parameter(
                "Passkeys (WebAuthnConfiguration) are not supported by this server.",
            ));
        }
        let mfa = req
            .mfa_configuration
            .as_deref()
            .map(|v| parse_enum(v, "mfaConfiguration", MFA_VALUES, MfaConfiguration::parse))
            .transpose()?;
        let sms = req.sms_mfa_configuration.as_ref();
        if let Some(m) = sms.and_then(|s| s.sms_authentication_message.as_deref()) {
            check_sms_text(m, "smsMfaConfiguration.smsAuthenticationMessage")?;
        }
        let sms_config = sms_configuration(
            sms.and_then(|s| s.sms_configuration.as_ref()),
            "smsMfaConfiguration.smsConfiguration",
        )?;
        let email = req.email_mfa_configuration.as_ref();
        if let Some(e) = email {
            if let Some(m) = &e.message {
                check_email_text(m, "emailMfaConfiguration.message", true)?;
            }
            if let Some(s) = &e.subject {
                check_subject(s, "emailMfaConfiguration.subject")?;
            }
        }
        let totp = req
            .software_token_mfa_configuration
            .as_ref()
            .and_then(|t| t.enabled)
            .unwrap_or(false);
        let now = self.now();
        let pool = self.store().modify_pool(&pool.id, |p| {
            if let Some(s) = sms {
                if sms_config.is_none() && p.settings.sms_configuration.is_none() {
                    return Err(CognitoError::invalid_parameter(
                        "SMS MFA needs an SmsConfiguration: give one in \
                             SmsMfaConfiguration.SmsConfiguration.",
                    ));
                }
                if let Some(c) = &sms_config {
                    p.settings.sms_configuration = Some(c.clone());
                }
                if s.sms_authentication_message.is_some() {
                    p.settings
                        .sms_authentication_message
                        .clone_from(&s.sms_authentication_message);
                }
            }
            p.sms_mfa_enabled = sms.is_some();
            p.software_token_mfa_enabled = totp;
            p.email_mfa_enabled = email.is_some();
            if let Some(e) = email {
                p.settings.email_mfa = e.clone();
            }
            if let Some(m) = mfa {
                p.mfa_configuration = m;
            }
            let any = p.sms_mfa_enabled || p.software_token_mfa_enabled || p.email_mfa_enabled;
            if p.mfa_configuration != MfaConfiguration::Off && !any {
                return Err(CognitoError::invalid_parameter(
                    "At least one MFA method must be enabled when MfaConfiguration is ON or \
                         OPTIONAL.",
                ));
            }
            p.modified = now;
            Ok(())
        })??;
        Ok(Self::mfa_config_of(&pool))
    }

    /// The pool a resource ARN names (the tag operations).
    fn pool_by_arn(&self, arn: &str) -> Result<UserPool, CognitoError> {
        check_arn(arn, "resourceArn")?;
        let missing = || CognitoError::not_found(format!("Resource {arn} does not exist."));
        let id = arn.rsplit_once(":userpool/").ok_or_else(missing)?.1;
        let pool = self.pool(id).map_err(|_| missing())?;
        if pool.arn() != arn {
            return Err(missing());
        }
        Ok(pool)
    }

    /// TagResource: adds or replaces tags of a pool.
    pub fn tag_resource(&self, req: TagResourceRequest) -> Result<EmptyResponse, CognitoError> {
        let pool = self.pool_by_arn(&require(req.resource_arn, "resourceArn")?)?;
        let tags = require(req.tags, "tags")?;
        check_tags(&tags, "tags")?;
        self.store().modify_pool(&pool.id, |p| {
            let mut next = p.tags.clone();
            next.extend(tags.iter().map(|(k, v)| (k.clone(), v.clone())));
            check_tags(&next, "tags")?;
            p.tags = next;
            Ok::<(), CognitoError>(())
        })??;
        Ok(EmptyResponse {})
    }

    /// UntagResource: removes tags of a pool.
    pub fn untag_resource(&self, req: UntagResourceRequest) -> Result<EmptyResponse, CognitoError> {
        let pool = self.pool_by_arn(&require(req.resource_arn, "resourceArn")?)?;
        let keys = req.tag_keys.unwrap_or_default();
        self.store().modify_pool(&pool.id, |p| {
            for k in &keys {
                p.tags.remove(k);
            }
            Ok::<(), CognitoError>(())
        })??;
        Ok(EmptyResponse {})
    }

    /// ListTagsForResource.
    pub fn list_tags_for_resource(
        &self,
        req: ListTagsForResourceRequest,
    ) -> Result<ListTagsForResourceResponse, CognitoError> {
        let pool = self.pool_by_arn(&require(req.resource_arn, "resourceArn")?)?;
        Ok(ListTagsForResourceResponse { tags: pool.tags })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_round_trip_and_are_bound_to_their_listing() {
        let t = page_token("groups", "admins");
        assert_eq!(
            page_after("groups", Some(&t)).unwrap().as_deref(),
            Some("admins")
        );
        assert!(page_after("clients", Some(&t)).is_err());
        assert!(page_after("groups", Some("not base64!")).is_err());
        assert_eq!(page_after("groups", None).unwrap(), None);
    }

    #[test]
    fn arns() {
        assert!(check_arn("arn:aws:iam::123456789012:role/admins", "x").is_ok());
        assert!(check_arn(
            "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc",
            "x"
        )
        .is_ok());
        assert!(check_arn("arn:aws:iam::12345678901x:role/admins", "x").is_err());
        assert!(check_arn("not-an-arn-at-all-but-long", "x").is_err());
        assert!(check_arn("arn:aws:iam::1:r", "x").is_err());
    }

    #[test]
    fn finish_page_cuts_and_points_at_the_last_item() {
        let (items, next) = finish_page(vec![1, 2, 3], 2, "n", |i| i.to_string());
        assert_eq!(items, vec![1, 2]);
        assert_eq!(
            page_after("n", next.as_deref()).unwrap().as_deref(),
            Some("2")
        );
        let (items, next) = finish_page(vec![1, 2], 2, "n", |i| i.to_string());
        assert_eq!(items, vec![1, 2]);
        assert!(next.is_none());
    }
}
