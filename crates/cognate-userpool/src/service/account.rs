//! The self-service account operations: sign-up and its confirmation, password recovery, and
//! what a signed-in user does with an access token (GetUser, ChangePassword, attribute
//! updates and verification, DeleteUser).
//!
//! Request and response types carry the member names of the API model
//! (`botocore/data/cognito-idp/2016-04-18/service-2.json`).

use std::collections::{BTreeMap, HashMap};

use cognate_types::{ClientId, Secret, Sub, Username};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::credentials::{code_mismatch, expired_code, CodeDeliveryDetails};
use super::messages::{mask_destination, DeliveryMedium, MessagePurpose};
use super::password::check_policy;
use super::user_attributes::{
    apply_writes, check_required, is_email, is_phone_number, validate_writes, AttributeWrite,
    WriteMode, Writer,
};
use super::user_shapes::{
    mfa_options, mfa_setting_list, preferred_mfa, visible_attributes, AnalyticsMetadataType,
    AttributeType, MfaOptionType, Reader, UserContextDataType,
};
use super::{CognitoError, ErrorKind, UserPools};
use crate::model::{AppClient, RecoveryMechanism, User, UserPool, UserStatus};
use crate::store::{Conflict, StoreError};

/// The scope an access token needs for the self-service operations.
pub const USER_ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

// ---- requests and responses ----------------------------------------------------------------

/// `SignUp` request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignUpRequest {
    /// The app client.
    pub client_id: String,
    /// `SECRET_HASH` for clients with a secret.
    #[serde(default)]
    pub secret_hash: Option<Secret<String>>,
    /// The username (an e-mail address or phone number in pools that sign in with those).
    pub username: String,
    /// The password.
    #[serde(default)]
    pub password: Option<Secret<String>>,
    /// The user's attributes.
    #[serde(default)]
    pub user_attributes: Option<Vec<AttributeType>>,
    /// Data for a pre sign-up trigger (not stored).
    #[serde(default)]
    pub validation_data: Option<Vec<AttributeType>>,
    /// Pinpoint analytics (not used).
    #[serde(default)]
    pub analytics_metadata: Option<AnalyticsMetadataType>,
    /// Threat-protection context (not used).
    #[serde(default)]
    pub user_context_data: Option<UserContextDataType>,
    /// Data for triggers (not used).
    #[serde(default)]
    pub client_metadata: Option<HashMap<String, String>>,
}

/// `SignUp` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignUpResponse {
    /// Whether the user is confirmed already (never, without a pre sign-up trigger).
    pub user_confirmed: bool,
    /// Where the confirmation code went, when the pool verifies an attribute automatically.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_delivery_details: Option<CodeDeliveryDetails>,
    /// The new user's `sub`.
    pub user_sub: String,
}

/// `ConfirmSignUp` request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmSignUpRequest {
    /// The app client.
    pub client_id: String,
    /// `SECRET_HASH` for clients with a secret.
    #[serde(default)]
    pub secret_hash: Option<Secret<String>>,
    /// The username or a sign-in alias.
    pub username: String,
    /// The code from the sign-up message.
    pub confirmation_code: Secret<String>,
    /// Move a verified alias held by another user to this one.
    #[serde(default)]
    pub force_alias_creation: Option<bool>,
    /// Pinpoint analytics (not used).
    #[serde(default)]
    pub analytics_metadata: Option<AnalyticsMetadataType>,
    /// Threat-protection context (not used).
    #[serde(default)]
    pub user_context_data: Option<UserContextDataType>,
    /// Data for triggers (not used).
    #[serde(default)]
    pub client_metadata: Option<HashMap<String, String>>,
}

/// `ConfirmSignUp` response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConfirmSignUpResponse {}

/// `ResendConfirmationCode` request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResendConfirmationCodeRequest {
    /// The app client.
    pub client_id: String,
    /// `SECRET_HASH` for clients with a secret.
    #[serde(default)]
    pub secret_hash: Option<Secret<String>>,
    /// Threat-protection context (not used).
    #[serde(default)]
    pub user_context_data: Option<UserContextDataType>,
    /// The username or a sign-in alias.
    pub username: String,
    /// Pinpoint analytics (not used).
    #[serde(default)]
    pub analytics_metadata: Option<AnalyticsMetadataType>,
    /// Data for triggers (not used).
    #[serde(default)]
    pub client_metadata: Option<HashMap<String, String>>,
}

/// A response that says where a code went (`ResendConfirmationCode`, `ForgotPassword`,
/// `GetUserAttributeVerificationCode`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CodeDeliveryResponse {
    /// Where the code went.
    pub code_delivery_details: CodeDeliveryDetails,
}

/// `ForgotPassword` request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ForgotPasswordRequest {
    /// The app client.
    pub client_id: String,
    /// `SECRET_HASH` for clients with a secret.
    #[serde(default)]
    pub secret_hash: Option<Secret<String>>,
    /// Threat-protection context (not used).
    #[serde(default)]
    pub user_context_data: Option<UserContextDataType>,
    /// The username or a sign-in alias.
    pub username: String,
    /// Pinpoint analytics (not used).
    #[serde(default)]
    pub analytics_metadata: Option<AnalyticsMetadataType>,
    /// Data for triggers (not used).
    #[serde(default)]
    pub client_metadata: Option<HashMap<String, String>>,
}

/// `ConfirmForgotPassword` request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmForgotPasswordRequest {
    /// The app client.
    pub client_id: String,
    /// `SECRET_HASH` for clients with a secret.
    #[serde(default)]
    pub secret_hash: Option<Secret<String>>,
    /// The username or a sign-in alias.
    pub username: String,
    /// The code from the reset message.
    pub confirmation_code: Secret<String>,
    /// The new password.
    pub password: Secret<String>,
    /// Pinpoint analytics (not used).
    #[serde(default)]
    pub analytics_metadata: Option<AnalyticsMetadataType>,
    /// Threat-protection context (not used).
    #[serde(default)]
    pub user_context_data: Option<UserContextDataType>,
    /// Data for triggers (not used).
    #[serde(default)]
    pub client_metadata: Option<HashMap<String, String>>,
}

/// An empty response (`{}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EmptyResponse {}

/// `ChangePassword` request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChangePasswordRequest {
    /// The current password (not needed by a user without one).
    #[serde(default)]
    pub previous_password: Option<Secret<String>>,
    /// The new password.
    pub proposed_password: Secret<String>,
    /// The user's access token.
    pub access_token: Secret<String>,
}

/// A request that only carries an access token (`GetUser`, `DeleteUser`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessTokenRequest {
    /// The user's access token.
    pub access_token: Secret<String>,
}

/// `GetUser` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserResponse {
    /// The username.
    pub username: String,
    /// The attributes the client may read, `sub` first.
    pub user_attributes: Vec<AttributeType>,
    /// Legacy MFA options.
    #[serde(rename = "MFAOptions", skip_serializing_if = "Vec::is_empty")]
    pub mfa_options: Vec<MfaOptionType>,
    /// The preferred MFA method.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_mfa_setting: Option<String>,
    /// The enabled MFA methods.
    #[serde(rename = "UserMFASettingList", skip_serializing_if = "Vec::is_empty")]
    pub user_mfa_setting_list: Vec<String>,
}

/// `UpdateUserAttributes` request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserAttributesRequest {
    /// The attributes to set (an empty value deletes).
    pub user_attributes: Vec<AttributeType>,
    /// The user's access token.
    pub access_token: Secret<String>,
    /// Data for triggers (not used).
    #[serde(default)]
    pub client_metadata: Option<HashMap<String, String>>,
}

/// `UpdateUserAttributes` response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserAttributesResponse {
    /// Where verification codes went, for changed attributes that need one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub code_delivery_details_list: Vec<CodeDeliveryDetails>,
}

/// `DeleteUserAttributes` request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteUserAttributesRequest {
    /// The attributes to delete.
    pub user_attribute_names: Vec<String>,
    /// The user's access token.
    pub access_token: Secret<String>,
}

/// `VerifyUserAttribute` request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifyUserAttributeRequest {
    /// The user's access token.
    pub access_token: Secret<String>,
    /// `email` or `phone_number`.
    pub attribute_name: String,
    /// The code from the verification message.
    pub code: Secret<String>,
}

/// `GetUserAttributeVerificationCode` request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserAttributeVerificationCodeRequest {
    /// The user's access token.
    pub access_token: Secret<String>,
    /// `email` or `phone_number`.
    pub attribute_name: String,
    /// Data for triggers (not used).
    #[serde(default)]
    pub client_metadata: Option<HashMap<String, String>>,
}

// ---- parameter checks ----------------------------------------------------------------------

/// Checks a `Username` parameter against the API's constraints.
pub(crate) fn check_username_param(username: &str) -> Result<(), CognitoError> {
    let n = username.chars().count();
    if n == 0 || n > 128 {
        return Err(CognitoError::invalid_parameter(
            "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must have length between 1 and 128",
        ));
    }
    Username::new(username).map(|_| ()).map_err(|_| {
        CognitoError::invalid_parameter(
            "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        )
    })
}

/// Checks a password parameter against the API's length limit (the policy comes after).
pub(crate) fn check_password_param(field: &str, password: &str) -> Result<(), CognitoError> {
    if password.chars().count() > 256 {
        return Err(CognitoError::invalid_parameter(format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: Member must have length less than or equal to 256"
        )));
    }
    Ok(())
}

fn check_code_param(code: &str) -> Result<(), CognitoError> {
    let n = code.chars().count();
    if n == 0 || n > 2048 || code.chars().any(char::is_whitespace) {
        return Err(CognitoError::invalid_parameter(
            "1 validation error detected: Value at 'confirmationCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\S]+",
        ));
    }
    Ok(())
}

fn unknown_user_legacy() -> CognitoError {
    CognitoError::new(
        ErrorKind::UserNotFound,
        "Username/client id combination not found.",
    )
}

fn user_disabled() -> CognitoError {
    CognitoError::not_authorized("User is disabled.")
}

fn verifiable_medium(attribute: &str) -> Result<DeliveryMedium, CognitoError> {
    match attribute {
        "email" => Ok(DeliveryMedium::Email),
        "phone_number" => Ok(DeliveryMedium::Sms),
        _ => Err(CognitoError::invalid_parameter(format!(
            "Invalid attribute name {attribute}: only email and phone_number are verified."
        ))),
    }
}

// ---- shared rules --------------------------------------------------------------------------

/// The stored username of a new user and the attributes its username gives: in pools that sign
/// in with an e-mail address or phone number, the username must be one, becomes that
/// attribute, and the stored username is the `sub`; in pools with those as aliases, the
/// username must not look like one.
pub(crate) fn new_username(
    pool: &UserPool,
    requested: &str,
    sub: &Sub,
    attributes: &mut BTreeMap<String, String>,
) -> Result<Username, CognitoError> {
    if !pool.username_attributes.is_empty() {
        let email = pool.is_username_attribute("email");
        let phone = pool.is_username_attribute("phone_number");
        if email && is_email(requested) {
            attributes.insert("email".to_owned(), requested.to_owned());
        } else if phone && is_phone_number(requested) {
            attributes.insert("phone_number".to_owned(), requested.to_owned());
        } else {
            return Err(CognitoError::invalid_parameter(match (email, phone) {
                (true, true) => "Username should be either an email or a phone number.",
                (true, false) => "Username should be an email.",
                _ => "Username should be a phone number.",
            }));
        }
        return Username::new(sub.as_str()).map_err(|_| CognitoError::internal());
    }
    if pool.is_alias_attribute("email") && is_email(requested) {
        return Err(CognitoError::invalid_parameter(
            "Username cannot be of email format, since user pool is configured for email alias.",
        ));
    }
    if pool.is_alias_attribute("phone_number") && is_phone_number(requested) {
        return Err(CognitoError::invalid_parameter(
            "Username cannot be of phone number format, since user pool is configured for phone number alias.",
        ));
    }
    Username::new(requested).map_err(|_| {
        CognitoError::invalid_parameter(
            "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        )
    })
}

/// A new user record (no password yet).
pub(crate) fn new_user(
    username: Username,
    sub: Sub,
    attributes: BTreeMap<String, String>,
    status: UserStatus,
    now: cognate_types::UnixTime,
) -> User {
    User {
        username,
        sub,
        attributes,
        status,
        enabled: true,
        created: now,
        modified: now,
        password: None,
        mfa: Default::default(),
        lockout: Default::default(),
        tokens_valid_after: None,
        token_families: Vec::new(),
        pending_attributes: BTreeMap::new(),
        version: 0,
    }
}

/// Where a sign-up confirmation code goes: the phone number when the pool verifies phone
/// numbers automatically and the user has one, else the e-mail address likewise.
fn sign_up_medium(pool: &UserPool, user: &User) -> Option<DeliveryMedium> {
    let auto = |a: &str| {
        pool.auto_verified_attributes
            .iter()
            .any(|v| v.as_str() == a)
    };
    if auto("phone_number") && user.attributes.contains_key("phone_number") {
        Some(DeliveryMedium::Sms)
    } else if auto("email") && user.attributes.contains_key("email") {
        Some(DeliveryMedium::Email)
    } else {
        None
    }
}

/// Where a password-reset code goes: the first of the pool's recovery mechanisms the user has
/// a verified attribute for (`None` when there is none, or recovery is for administrators
/// only).
pub(crate) fn recovery_medium(pool: &UserPool, user: &User) -> Option<DeliveryMedium> {
    for m in &pool.account_recovery {
        match m {
            RecoveryMechanism::VerifiedEmail if user.is_verified("email") => {
                return Some(DeliveryMedium::Email)
            }
            RecoveryMechanism::VerifiedPhoneNumber if user.is_verified("phone_number") => {
                return Some(DeliveryMedium::Sms)
            }
            RecoveryMechanism::AdminOnly => return None,
            _ => {}
        }
    }
    None
}

/// What a client with `PreventUserExistenceErrors` answers for a user it will not reveal: a
/// plausible delivery to a simulated destination, the same for the same name every time. The
/// medium follows the name's shape, else `fallback`.
fn simulated_delivery(
    pool: &UserPool,
    login: &str,
    fallback: DeliveryMedium,
) -> CodeDeliveryDetails {
    if is_email(login) {
        return CodeDeliveryDetails::new(DeliveryMedium::Email, login);
    }
    if is_phone_number(login) {
        return CodeDeliveryDetails::new(DeliveryMedium::Sms, login);
    }
    let h = Sha256::digest(format!("{}\u{0}{}", pool.id, pool.lookup_key(login)).as_bytes());
    let byte = |i: usize| h.get(i).copied().unwrap_or_default();
    let letter = |i: usize| char::from(b'a' + byte(i) % 26);
    let destination = match fallback {
        DeliveryMedium::Email => format!("{}x@{}x.com", letter(0), letter(1)),
        DeliveryMedium::Sms => format!(
            "+1555555{}{}{}{}",
            byte(2) % 10,
            byte(3) % 10,
            byte(4) % 10,
            byte(5) % 10
        ),
    };
    CodeDeliveryDetails {
        destination: mask_destination(fallback, &destination),
        delivery_medium: fallback.as_str().to_owned(),
        attribute_name: super::credentials::medium_attribute(fallback).to_owned(),
    }
}

/// The medium a simulated sign-up code would use in this pool.
fn simulated_sign_up_medium(pool: &UserPool) -> DeliveryMedium {
    if pool
        .auto_verified_attributes
        .iter()
        .any(|a| a.as_str() == "email")
    {
        DeliveryMedium::Email
    } else {
        DeliveryMedium::Sms
    }
}

/// The medium a simulated reset code would use in this pool.
fn simulated_recovery_medium(pool: &UserPool) -> DeliveryMedium {
    match pool.account_recovery.first() {
        Some(RecoveryMechanism::VerifiedPhoneNumber) => DeliveryMedium::Sms,
        _ => DeliveryMedium::Email,
    }
}

impl UserPools {
    /// Revokes every token family of `user` (deleted or disabled users).
    pub(crate) fn revoke_token_families_of(&self, user: &User) -> Result<(), CognitoError> {
        let now = self.now();
        for f in user.token_families.iter().filter(|f| f.expires > now) {
            self.revoke_family_str(&f.origin_jti, f.expires)?;
        }
        Ok(())
    }

    /// The user an access token belongs to, for the self-service operations: the token must
    /// carry `aws.cognito.signin.user.admin`, and a user whose password an administrator reset
    /// must reset it first.
    fn account_token_user(
        &self,
        token: &Secret<String>,
    ) -> Result<(UserPool, User, Option<AppClient>), CognitoError> {
        let (pool, user, claims) = self.authenticate_access_token(token.expose())?;
        if !claims.has_scope(USER_ADMIN_SCOPE) {
            return Err(CognitoError::not_authorized(
                "Access Token does not have required scopes",
            ));
        }
        if user.status == UserStatus::ResetRequired {
            return Err(CognitoError::new(
                ErrorKind::PasswordResetRequired,
                "Password reset required for the user",
            ));
        }
        let client = match claims.client_id().map(ClientId::new) {
            Some(Ok(id)) => self.store().get_client(&id)?,
            _ => None,
        };
        Ok((pool, user, client))
    }

    /// The user of a public (client) operation by username or alias.
    fn public_user(&self, pool: &UserPool, username: &str) -> Result<Option<User>, CognitoError> {
        Ok(self.store().find_user_for_sign_in(pool, username)?)
    }

    /// `SignUp`: registers a user, unconfirmed, and sends a confirmation code to the attribute
    /// the pool verifies automatically.
    pub fn sign_up(&self, req: SignUpRequest) -> Result<SignUpResponse, CognitoError> {
        let (client, pool) = self.client(&req.client_id)?;
        self.check_secret_hash(
            &client,
            &[req.username.as_str()],
            req.secret_hash.as_ref().map(|s| s.expose().as_str()),
        )?;
        if pool.admin_create_user_only {
            return Err(CognitoError::not_authorized(
                "SignUp is not permitted for this user pool",
            ));
        }
        check_username_param(&req.username)?;
        let password = req
            .password
            .as_ref()
            .filter(|p| !p.expose().is_empty())
            .ok_or_else(|| CognitoError::invalid_parameter("A password is required to sign up."))?;
        check_password_param("password", password.expose())?;
        check_policy(&pool.password_policy, password.expose())?;
        let writes = validate_writes(
            &pool,
            req.user_attributes.as_deref().unwrap_or_default(),
            Writer::Client(Some(&client)),
            WriteMode::Create,
        )?;
        let mut attributes: BTreeMap<String, String> = writes
            .into_iter()
            .filter_map(|w| w.value.map(|v| (w.name, v)))
            .collect();
        let sub = Sub::generate(self.rng()).map_err(|_| CognitoError::internal())?;
        let username = new_username(&pool, &req.username, &sub, &mut attributes)?;
        check_required(&pool, &attributes)?;
        let mut user = new_user(
            username,
            sub,
            attributes,
            UserStatus::Unconfirmed,
            self.now(),
        );
        user.password =
            Some(self.new_password_credential(&pool, &user, password.expose(), None)?);
        self.store()
            .create_user(&pool, &user)
            .map_err(|e| match e {
                StoreError::Conflict(Conflict::Username | Conflict::Sub) => {
                    CognitoError::new(ErrorKind::UsernameExists, "User already exists")
                }
                StoreError::Conflict(Conflict::Alias(a)) if pool.is_username_attribute(&a) => {
                    CognitoError::new(
                        ErrorKind::UsernameExists,
                        format!("An account with the given {a} already exists."),
                    )
                }
                e => e.into(),
            })?;
        let code_delivery_details = match sign_up_medium(&pool, &user) {
            Some(m) => Some(self.send_code(&pool, &user, m, MessagePurpose::SignUp)?),
            None => None,
        };
        Ok(SignUpResponse {
            user_confirmed: false,
            code_delivery_details,
            user_sub: user.sub.as_str().to_owned(),
        })
    }

    /// `ConfirmSignUp`: confirms an unconfirmed user with the code from the sign-up message;
    /// the attribute the code went to becomes verified.
    pub fn confirm_sign_up(
        &self,
        req: ConfirmSignUpRequest,
    ) -> Result<ConfirmSignUpResponse, CognitoError> {
        let (client, pool) = self.client(&req.client_id)?;
        self.check_secret_hash(
            &client,
            &[req.username.as_str()],
            req.secret_hash.as_ref().map(|s| s.expose().as_str()),
        )?;
        check_username_param(&req.username)?;
        check_code_param(req.confirmation_code.expose())?;
        let Some(user) = self.public_user(&pool, &req.username)? else {
            return Err(if client.prevent_user_existence_errors {
                code_mismatch()
            } else {
                unknown_user_legacy()
            });
        };
        if user.status != UserStatus::Unconfirmed {
            return Err(CognitoError::not_authorized(format!(
                "User cannot be confirmed. Current status is {}",
                user.status.as_str()
            )));
        }
        let record = self.check_code(
            &pool,
            &user,
            MessagePurpose::SignUp,
            "",
            req.confirmation_code.expose(),
        )?;
        let force = req.force_alias_creation.unwrap_or(false);
        let result = (|| {
            for _ in 0..5 {
                let mut u = self.user_by_username(&pool, user.username.as_str())?;
                if u.sub != user.sub {
                    return Err(CognitoError::user_not_found());
                }
                if u.status != UserStatus::Unconfirmed {
                    return Err(CognitoError::not_authorized(format!(
                        "User cannot be confirmed. Current status is {}",
                        u.status.as_str()
                    )));
                }
                u.status = UserStatus::Confirmed;
                if u.attributes.get(&record.attribute) == Some(&record.destination) {
                    u.attributes
                        .insert(format!("{}_verified", record.attribute), "true".to_owned());
                }
                u.modified = self.now();
                let mut batch = self.take_aliases(&pool, &u, force)?;
                batch.push(u);
                match self.store().write_users(&pool, &mut batch, None) {
                    Ok(()) => return Ok(()),
                    Err(StoreError::Conflict(Conflict::Version)) => continue,
                    Err(e) => return Err(e.into()),
                }
            }
            Err(CognitoError::new(
                ErrorKind::ConcurrentModification,
                "The user is being changed by other requests; retry.",
            ))
        })();
        if let Err(e) = result {
            self.restore_code(&pool, &user, MessagePurpose::SignUp, &record)?;
            return Err(e);
        }
        Ok(ConfirmSignUpResponse {})
    }

    /// `ResendConfirmationCode`: sends a new sign-up confirmation code.
    pub fn resend_confirmation_code(
        &self,
        req: ResendConfirmationCodeRequest,
    ) -> Result<CodeDeliveryResponse, CognitoError> {
        let (client, pool) = self.client(&req.client_id)?;
        self.check_secret_hash(
            &client,
            &[req.username.as_str()],
            req.secret_hash.as_ref().map(|s| s.expose().as_str()),
        )?;
        check_username_param(&req.username)?;
        let hide = client.prevent_user_existence_errors;
        let simulated = || CodeDeliveryResponse {
            code_delivery_details: simulated_delivery(
                &pool,
                &req.username,
                simulated_sign_up_medium(&pool),
            ),
        };
        let user = match self.public_user(&pool, &req.username)? {
            Some(u) => u,
            None if hide => return Ok(simulated()),
            None => return Err(unknown_user_legacy()),
        };
        if !user.enabled {
            return if hide {
                Ok(simulated())
            } else {
                Err(user_disabled())
            };
        }
        if user.status != UserStatus::Unconfirmed {
            return Err(CognitoError::invalid_parameter(
                "User is already confirmed.",
            ));
        }
        let medium = sign_up_medium(&pool, &user).ok_or_else(|| {
            CognitoError::invalid_parameter("Cannot resend codes. Auto verification not turned on.")
        })?;
        Ok(CodeDeliveryResponse {
            code_delivery_details: self.send_code(&pool, &user, medium, MessagePurpose::SignUp)?,
        })
    }

    /// `ForgotPassword`: sends a password-reset code by the pool's recovery mechanism.
    pub fn forgot_password(
        &self,
        req: ForgotPasswordRequest,
    ) -> Result<CodeDeliveryResponse, CognitoError> {
        let (client, pool) = self.client(&req.client_id)?;
        self.check_secret_hash(
            &client,
            &[req.username.as_str()],
            req.secret_hash.as_ref().map(|s| s.expose().as_str()),
        )?;
        check_username_param(&req.username)?;
        let hide = client.prevent_user_existence_errors;
        let simulated = || CodeDeliveryResponse {
            code_delivery_details: simulated_delivery(
                &pool,
                &req.username,
                simulated_recovery_medium(&pool),
            ),
        };
        let user = match self.public_user(&pool, &req.username)? {
            Some(u) => u,
            None if hide => return Ok(simulated()),
            None => return Err(unknown_user_legacy()),
        };
        if !user.enabled {
            return if hide {
                Ok(simulated())
            } else {
                Err(user_disabled())
            };
        }
        if user.status == UserStatus::ForceChangePassword {
            return Err(CognitoError::not_authorized(
                "User password cannot be reset in the current state.",
            ));
        }
        let Some(medium) = recovery_medium(&pool, &user) else {
            return if hide {
                Ok(simulated())
            } else {
                Err(CognitoError::invalid_parameter(
                    "Cannot reset password for the user as there is no registered/verified email or phone_number",
                ))
            };
        };
        Ok(CodeDeliveryResponse {
            code_delivery_details: self.send_code(
                &pool,
                &user,
                medium,
                MessagePurpose::ForgotPassword,
            )?,
        })
    }

    /// `ConfirmForgotPassword`: sets a new password with the code from the reset message; the
    /// user is confirmed and any lockout is lifted.
    pub fn confirm_forgot_password(
        &self,
        req: ConfirmForgotPasswordRequest,
    ) -> Result<EmptyResponse, CognitoError> {
        let (client, pool) = self.client(&req.client_id)?;
        self.check_secret_hash(
            &client,
            &[req.username.as_str()],
            req.secret_hash.as_ref().map(|s| s.expose().as_str()),
        )?;
        check_username_param(&req.username)?;
        check_code_param(req.confirmation_code.expose())?;
        check_password_param("password", req.password.expose())?;
        let hide = client.prevent_user_existence_errors;
        let user = match self.public_user(&pool, &req.username)? {
            Some(u) => u,
            None if hide => return Err(code_mismatch()),
            None => return Err(unknown_user_legacy()),
        };
        if !user.enabled {
            return Err(if hide {
                code_mismatch()
            } else {
                user_disabled()
            });
        }
        if user.status == UserStatus::Unconfirmed {
            return Err(CognitoError::new(
                ErrorKind::UserNotConfirmed,
                "User is not confirmed.",
            ));
        }
        check_policy(&pool.password_policy, req.password.expose())?;
        let record = self.check_code(
            &pool,
            &user,
            MessagePurpose::ForgotPassword,
            "",
            req.confirmation_code.expose(),
        )?;
        let result = self
            .new_password_credential(&pool, &user, req.password.expose(), None)
            .and_then(|cred| {
                self.modify_user(&pool, user.username.as_str(), |u| {
                    if u.sub != user.sub {
                        return Err(CognitoError::user_not_found());
                    }
                    u.password = Some(cred.clone());
                    if matches!(
                        u.status,
                        UserStatus::ResetRequired | UserStatus::ForceChangePassword
                    ) {
                        u.status = UserStatus::Confirmed;
                    }
                    u.lockout = Default::default();
                    Ok(())
                })
            });
        if let Err(e) = result {
            self.restore_code(&pool, &user, MessagePurpose::ForgotPassword, &record)?;
            return Err(e);
        }
        Ok(EmptyResponse {})
    }

    /// `ChangePassword`: the signed-in user replaces their password, proving the current one.
    pub fn change_password(
        &self,
        req: ChangePasswordRequest,
    ) -> Result<EmptyResponse, CognitoError> {
        let (pool, user, _) = self.account_token_user(&req.access_token)?;
        check_password_param("proposedPassword", req.proposed_password.expose())?;
        let current_hash = user.password.as_ref().map(|c| c.hash.clone());
        if let Some(hash) = &current_hash {
            let previous = req.previous_password.as_ref().ok_or_else(|| {
                CognitoError::invalid_parameter(
                    "PreviousPassword is required to change the password.",
                )
            })?;
            check_password_param("previousPassword", previous.expose())?;
            if !self.config().hasher.verify(hash, previous.expose()) {
                return Err(CognitoError::not_authorized(
                    "Incorrect username or password.",
                ));
            }
        }
        check_policy(&pool.password_policy, req.proposed_password.expose())?;
        let cred =
            self.new_password_credential(&pool, &user, req.proposed_password.expose(), None)?;
        self.modify_user(&pool, user.username.as_str(), |u| {
            // The password that was proven must still be the current one.
            if u.sub != user.sub || u.password.as_ref().map(|c| &c.hash) != current_hash.as_ref() {
                return Err(CognitoError::not_authorized(
                    "Incorrect username or password.",
                ));
            }
            u.password = Some(cred.clone());
            Ok(())
        })?;
        Ok(EmptyResponse {})
    }

    /// `GetUser`: the signed-in user's attributes (those the client may read) and MFA
    /// settings.
    pub fn get_user(&self, req: AccessTokenRequest) -> Result<GetUserResponse, CognitoError> {
        let (_, user, client) = self.account_token_user(&req.access_token)?;
        Ok(GetUserResponse {
            username: user.username.as_str().to_owned(),
            user_attributes: visible_attributes(&user, Reader::Client(client.as_ref()), None),
            mfa_options: mfa_options(&user),
            preferred_mfa_setting: preferred_mfa(&user),
            user_mfa_setting_list: mfa_setting_list(&user),
        })
    }

    /// Applies attribute writes to a user and sends the verification codes they call for.
    pub(crate) fn write_user_attributes(
        &self,
        pool: &UserPool,
        user: &User,
        writes: &[AttributeWrite],
    ) -> Result<Vec<CodeDeliveryDetails>, CognitoError> {
        let (updated, media) = self.modify_user(pool, user.username.as_str(), |u| {
            if u.sub != user.sub {
                return Err(CognitoError::user_not_found());
            }
            apply_writes(pool, u, writes)
        })?;
        media
            .into_iter()
            .map(|m| self.send_code(pool, &updated, m, MessagePurpose::VerifyAttribute))
            .collect()
    }

    /// `UpdateUserAttributes`: the signed-in user changes attributes; a new e-mail address or
    /// phone number must be verified with a code.
    pub fn update_user_attributes(
        &self,
        req: UpdateUserAttributesRequest,
    ) -> Result<UpdateUserAttributesResponse, CognitoError> {
        let (pool, user, client) = self.account_token_user(&req.access_token)?;
        let writes = validate_writes(
            &pool,
            &req.user_attributes,
            Writer::Client(client.as_ref()),
            WriteMode::Update,
        )?;
        Ok(UpdateUserAttributesResponse {
            code_delivery_details_list: self.write_user_attributes(&pool, &user, &writes)?,
        })
    }

    /// `DeleteUserAttributes`: the signed-in user removes attributes.
    pub fn delete_user_attributes(
        &self,
        req: DeleteUserAttributesRequest,
    ) -> Result<EmptyResponse, CognitoError> {
        let (pool, user, client) = self.account_token_user(&req.access_token)?;
        let names: Vec<AttributeType> = req
            .user_attribute_names
            .iter()
            .map(|n| AttributeType {
                name: n.clone(),
                value: None,
            })
            .collect();
        let writes = validate_writes(
            &pool,
            &names,
            Writer::Client(client.as_ref()),
            WriteMode::Update,
        )?;
        self.write_user_attributes(&pool, &user, &writes)?;
        Ok(EmptyResponse {})
    }

    /// `VerifyUserAttribute`: the signed-in user proves an e-mail address or phone number with
    /// the code sent to it; a value waiting for verification replaces the old one.
    pub fn verify_user_attribute(
        &self,
        req: VerifyUserAttributeRequest,
    ) -> Result<EmptyResponse, CognitoError> {
        let (pool, user, _) = self.account_token_user(&req.access_token)?;
        verifiable_medium(&req.attribute_name)?;
        check_code_param(req.code.expose())?;
        let attr = req.attribute_name.as_str();
        let record = self.check_code(
            &pool,
            &user,
            MessagePurpose::VerifyAttribute,
            attr,
            req.code.expose(),
        )?;
        let result = self.modify_user(&pool, user.username.as_str(), |u| {
            if u.sub != user.sub {
                return Err(CognitoError::user_not_found());
            }
            if u.pending_attributes.get(attr) == Some(&record.destination) {
                u.attributes
                    .insert(attr.to_owned(), record.destination.clone());
                u.pending_attributes.remove(attr);
            } else if u.attributes.get(attr) != Some(&record.destination) {
                // The code was sent to a value the user no longer has.
                return Err(expired_code());
            }
            u.attributes
                .insert(format!("{attr}_verified"), "true".to_owned());
            Ok(())
        });
        match result {
            Ok(_) => Ok(EmptyResponse {}),
            Err(e) if e.kind == ErrorKind::ExpiredCode => Err(e),
            Err(e) => {
                self.restore_code(&pool, &user, MessagePurpose::VerifyAttribute, &record)?;
                Err(e)
            }
        }
    }

    /// `GetUserAttributeVerificationCode`: sends a code to verify the user's e-mail address or
    /// phone number (the value waiting for verification, if any).
    pub fn get_user_attribute_verification_code(
        &self,
        req: GetUserAttributeVerificationCodeRequest,
    ) -> Result<CodeDeliveryResponse, CognitoError> {
        let (pool, user, _) = self.account_token_user(&req.access_token)?;
        let medium = verifiable_medium(&req.attribute_name)?;
        let attr = req.attribute_name.as_str();
        if !user.attributes.contains_key(attr) && !user.pending_attributes.contains_key(attr) {
            return Err(CognitoError::invalid_parameter(format!(
                "The user has no {attr} to verify."
            )));
        }
        Ok(CodeDeliveryResponse {
            code_delivery_details: self.send_code(
                &pool,
                &user,
                medium,
                MessagePurpose::VerifyAttribute,
            )?,
        })
    }

    /// `DeleteUser`: the signed-in user deletes their account; their tokens stop working.
    pub fn delete_user(&self, req: AccessTokenRequest) -> Result<EmptyResponse, CognitoError> {
        let (pool, user, _) = self.account_token_user(&req.access_token)?;
        if !self.store().delete_user(&pool, user.username.as_str())? {
            return Err(CognitoError::user_not_found());
        }
        self.revoke_token_families_of(&user)?;
        Ok(EmptyResponse {})
    }
}
