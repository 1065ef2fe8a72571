//! The administrative user operations (SigV4 callers): creating, reading, enabling,
//! disabling and deleting users, setting and resetting passwords, confirming, attribute
//! changes, group membership, and the user listings.
//!
//! In these operations `Username` may be the username, a sign-in alias or the user's `sub`.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use cognate_types::{GroupName, Secret, Sub};
use serde::{Deserialize, Serialize};

use super::account::{
    check_password_param, check_username_param, new_user, new_username, recovery_medium,
    EmptyResponse,
};
use super::credentials::medium_attribute;
use super::messages::{DeliveryMedium, MessagePurpose, OutgoingMessage};
use super::password::{check_policy, generate_temporary_password};
use super::user_attributes::{validate_writes, WriteMode, Writer};
use super::user_shapes::{
    mfa_options, mfa_setting_list, preferred_mfa, user_type, visible_attributes, AttributeType,
    GroupType, MfaOptionType, Reader, UserType,
};
use super::{CognitoError, ErrorKind, UserPools};
use crate::filter::{FilterAttribute, UserFilter};
use crate::model::{User, UserPool, UserStatus};
use crate::store::{Conflict, StoreError};

/// Most items a listing returns (`Limit` 0 to 60; 0 or absent means 60).
pub const MAX_PAGE: usize = 60;

/// Most users one `ListUsers` call examines for its `Filter` before it returns what it found
/// with a `PaginationToken` to continue from.
pub const LIST_USERS_SCAN: usize = 2_000;

/// Users read from the store at a time while listing.
const SCAN_BATCH: usize = 100;

// ---- requests and responses ----------------------------------------------------------------

/// `MessageAction` of AdminCreateUser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum MessageAction {
    /// Send the invitation again to an existing user, with a new temporary password.
    #[serde(rename = "RESEND")]
    Resend,
    /// Send no invitation.
    #[serde(rename = "SUPPRESS")]
    Suppress,
}

/// A delivery medium in requests (`DeliveryMediumType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum DeliveryMediumType {
    /// By SMS.
    #[serde(rename = "SMS")]
    Sms,
    /// By e-mail.
    #[serde(rename = "EMAIL")]
    Email,
}

impl From<DeliveryMediumType> for DeliveryMedium {
    fn from(m: DeliveryMediumType) -> Self {
        match m {
            DeliveryMediumType::Sms => DeliveryMedium::Sms,
            DeliveryMediumType::Email => DeliveryMedium::Email,
        }
    }
}

/// `AdminCreateUser` request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminCreateUserRequest {
    /// The pool.
    pub user_pool_id: String,
    /// The username (an e-mail address or phone number in pools that sign in with those).
    pub username: String,
    /// The user's attributes.
    #[serde(default)]
    pub user_attributes: Option<Vec<AttributeType>>,
    /// Data for a pre sign-up trigger (not stored).
    #[serde(default)]
    pub validation_data: Option<Vec<AttributeType>>,
    /// The temporary password (generated per the policy when absent).
    #[serde(default)]
    pub temporary_password: Option<Secret<String>>,
    /// Move verified aliases held by other users to this one.
    #[serde(default)]
    pub force_alias_creation: Option<bool>,
    /// `RESEND` or `SUPPRESS`.
    #[serde(default)]
    pub message_action: Option<MessageAction>,
    /// How to send the invitation.
    #[serde(default)]
    pub desired_delivery_mediums: Option<Vec<DeliveryMediumType>>,
    /// Data for triggers (not used).
    #[serde(default)]
    pub client_metadata: Option<HashMap<String, String>>,
}

/// `AdminCreateUser` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminCreateUserResponse {
    /// The user.
    pub user: UserType,
}

/// A request naming a user of a pool (`AdminGetUser`, `AdminDeleteUser`, `AdminEnableUser`,
/// `AdminDisableUser`, `AdminResetUserPassword`, `AdminConfirmSignUp`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminUserRequest {
    /// The pool.
    pub user_pool_id: String,
    /// The username, an alias or the `sub`.
    pub username: String,
    /// Data for triggers (not used).
    #[serde(default)]
    pub client_metadata: Option<HashMap<String, String>>,
}

/// `AdminGetUser` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminGetUserResponse {
    /// The username.
    pub username: String,
    /// All attributes, `sub` first.
    pub user_attributes: Vec<AttributeType>,
    /// Creation time (epoch seconds).
    pub user_create_date: cognate_types::UnixTime,
    /// Last change (epoch seconds).
    pub user_last_modified_date: cognate_types::UnixTime,
    /// Whether the user may sign in.
    pub enabled: bool,
    /// The account status.
    pub user_status: String,
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

/// `AdminSetUserPassword` request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminSetUserPasswordRequest {
    /// The pool.
    pub user_pool_id: String,
    /// The username, an alias or the `sub`.
    pub username: String,
    /// The new password.
    pub password: Secret<String>,
    /// Permanent (`CONFIRMED`) or temporary (`FORCE_CHANGE_PASSWORD`).
    #[serde(default)]
    pub permanent: Option<bool>,
}

/// `AdminUpdateUserAttributes` request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminUpdateUserAttributesRequest {
    /// The pool.
    pub user_pool_id: String,
    /// The username, an alias or the `sub`.
    pub username: String,
    /// The attributes to set (an empty value deletes).
    pub user_attributes: Vec<AttributeType>,
    /// Data for triggers (not used).
    #[serde(default)]
    pub client_metadata: Option<HashMap<String, String>>,
}

/// `AdminDeleteUserAttributes` request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminDeleteUserAttributesRequest {
    /// The pool.
    pub user_pool_id: String,
    /// The username, an alias or the `sub`.
    pub username: String,
    /// The attributes to delete.
    pub user_attribute_names: Vec<String>,
}

/// `AdminAddUserToGroup` / `AdminRemoveUserFromGroup` request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminUserGroupRequest {
    /// The pool.
    pub user_pool_id: String,
    /// The username, an alias or the `sub`.
    pub username: String,
    /// The group.
    pub group_name: String,
}

/// `AdminListGroupsForUser` request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminListGroupsForUserRequest {
    /// The username, an alias or the `sub`.
    pub username: String,
    /// The pool.
    pub user_pool_id: String,
    /// Page size, 0 to 60.
    #[serde(default)]
    pub limit: Option<i64>,
    /// Where the previous page ended.
    #[serde(default)]
    pub next_token: Option<String>,
}

/// `AdminListGroupsForUser` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminListGroupsForUserResponse {
    /// The user's groups, by name.
    pub groups: Vec<GroupType>,
    /// Present when there are more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// `ListUsersInGroup` request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUsersInGroupRequest {
    /// The pool.
    pub user_pool_id: String,
    /// The group.
    pub group_name: String,
    /// Page size, 0 to 60.
    #[serde(default)]
    pub limit: Option<i64>,
    /// Where the previous page ended.
    #[serde(default)]
    pub next_token: Option<String>,
}

/// `ListUsersInGroup` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUsersInGroupResponse {
    /// The members.
    pub users: Vec<UserType>,
    /// Present when there are more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// `ListUsers` request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUsersRequest {
    /// The pool.
    pub user_pool_id: String,
    /// Only these attributes in each user.
    #[serde(default)]
    pub attributes_to_get: Option<Vec<String>>,
    /// Page size, 0 to 60.
    #[serde(default)]
    pub limit: Option<i64>,
    /// Where the previous page ended.
    #[serde(default)]
    pub pagination_token: Option<String>,
    /// A search filter (`email ^= "a"`).
    #[serde(default)]
    pub filter: Option<String>,
}

/// `ListUsers` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUsersResponse {
    /// The users, in username order.
    pub users: Vec<UserType>,
    /// Present when there are more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pagination_token: Option<String>,
}

// ---- helpers -------------------------------------------------------------------------------

/// The page size of a listing: `Limit` 1 to 60, or 60 when absent or 0.
fn page_limit(limit: Option<i64>) -> Result<usize, CognitoError> {
    match limit {
        None | Some(0) => Ok(MAX_PAGE),
        Some(n) if n < 0 => Err(CognitoError::invalid_parameter(format!(
            "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 0"
        ))),
        Some(n) => match usize::try_from(n) {
            Ok(n) if n <= MAX_PAGE => Ok(n),
            _ => Err(CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60"
            ))),
        },
    }
}

/// A pagination token: the key of the last item returned, base64url.
fn encode_token(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(key.as_bytes())
}

fn decode_token(token: Option<&str>) -> Result<Option<String>, CognitoError> {
    let Some(token) = token else {
        return Ok(None);
    };
    let invalid = || CognitoError::invalid_parameter("The pagination token is not valid.");
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let key = String::from_utf8(bytes).map_err(|_| invalid())?;
    if key.is_empty() || key.contains('\0') {
        return Err(invalid());
    }
    Ok(Some(key))
}

/// A user's value of a searchable attribute, as the filter compares it.
fn filter_value(user: &User, attribute: FilterAttribute) -> Option<&str> {
    match attribute {
        FilterAttribute::Username => Some(user.username.as_str()),
        FilterAttribute::UserStatus => Some(user.status.as_str()),
        FilterAttribute::Status => Some(if user.enabled { "Enabled" } else { "Disabled" }),
        other => user.attribute(other.name()),
    }
}

fn check_group_param(name: &str) -> Result<(), CognitoError> {
    GroupName::new(name).map(|_| ()).map_err(|_| {
        CognitoError::invalid_parameter(
            "1 validation error detected: Value at 'groupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        )
    })
}

fn group_not_found(e: CognitoError) -> CognitoError {
    if e.kind == ErrorKind::ResourceNotFound {
        CognitoError::not_found("Group not found.")
    } else {
        e
    }
}

/// The media of an AdminCreateUser invitation: the ones asked for (each needs its attribute),
/// or by default SMS when the user has a phone number, else e-mail when they have an address.
fn invitation_media(
    desired: Option<&[DeliveryMediumType]>,
    attributes: &BTreeMap<String, String>,
) -> Result<Vec<DeliveryMedium>, CognitoError> {
    let has = |m: DeliveryMedium| attributes.contains_key(medium_attribute(m));
    match desired {
        Some(list) if !list.is_empty() => {
            let mut out: Vec<DeliveryMedium> = Vec::new();
            for m in list.iter().copied().map(DeliveryMedium::from) {
                if !has(m) {
                    return Err(CognitoError::invalid_parameter(format!(
                        "The user has no {} attribute for the {} delivery medium.",
                        medium_attribute(m),
                        m.as_str()
                    )));
                }
                if !out.contains(&m) {
                    out.push(m);
                }
            }
            Ok(out)
        }
        _ => Ok([DeliveryMedium::Sms, DeliveryMedium::Email]
            .into_iter()
            .find(|m| has(*m))
            .into_iter()
            .collect()),
    }
}

impl UserPools {
    /// A user of an administrative operation: by username, sign-in alias, or `sub`.
    pub(crate) fn admin_user(&self, pool: &UserPool, name: &str) -> Result<User, CognitoError> {
        check_username_param(name)?;
        if let Some(u) = self.store().find_user_for_sign_in(pool, name)? {
            return Ok(u);
        }
        self.store()
            .get_user_by_index(pool, "sub", name)?
            .ok_or_else(CognitoError::user_not_found)
    }

    /// When a temporary password set now stops working (the policy's
    /// `TemporaryPasswordValidityDays`, at least one day).
    fn temporary_password_expiry(&self, pool: &UserPool) -> cognate_types::UnixTime {
        let days = u64::from(pool.password_policy.temporary_password_validity_days.max(1));
        self.now()
            .saturating_add(Duration::from_secs(days.saturating_mul(86_400)))
    }

    fn send_invitation(
        &self,
        pool: &UserPool,
        user: &User,
        media: &[DeliveryMedium],
        temporary_password: &Secret<String>,
    ) -> Result<(), CognitoError> {
        for m in media {
            let Some(destination) = user.attributes.get(medium_attribute(*m)) else {
                continue;
            };
            let message = OutgoingMessage {
                pool: pool.id.clone(),
                username: user.username.as_str().to_owned(),
                medium: *m,
                destination: destination.clone(),
                purpose: MessagePurpose::Invitation,
                code: temporary_password.clone(),
            };
            self.sender().send(&message).map_err(|e| {
                tracing::warn!(pool = %pool.id, error = %e, "invitation delivery failed");
                CognitoError::new(
                    ErrorKind::CodeDeliveryFailure,
                    "Unable to deliver the invitation message.",
                )
            })?;
        }
        Ok(())
    }

    /// `AdminCreateUser`: creates a user with a temporary password (`FORCE_CHANGE_PASSWORD`)
    /// and sends the invitation, or (`RESEND`) gives an invited user a new temporary password.
    pub fn admin_create_user(
        &self,
        req: AdminCreateUserRequest,
    ) -> Result<AdminCreateUserResponse, CognitoError> {
        let pool = self.pool(&req.user_pool_id)?;
        check_username_param(&req.username)?;
        let temporary = match req
            .temporary_password
            .as_ref()
            .filter(|p| !p.expose().is_empty())
        {
            Some(p) => {
                check_password_param("temporaryPassword", p.expose())?;
                check_policy(&pool.password_policy, p.expose())?;
                p.clone()
            }
            None => Secret::new(generate_temporary_password(
                &pool.password_policy,
                self.rng(),
            )?),
        };
        let until = Some(self.temporary_password_expiry(&pool));
        if req.message_action == Some(MessageAction::Resend) {
            let user = self.admin_user(&pool, &req.username)?;
            if user.status != UserStatus::ForceChangePassword {
                return Err(CognitoError::new(
                    ErrorKind::UnsupportedUserState,
                    format!(
                        "Resend not possible. {} status is not FORCE_CHANGE_PASSWORD",
                        req.username
                    ),
                ));
            }
            let cred = self.new_password_credential(&pool, &user, temporary.expose(), until)?;
            let (user, ()) = self.modify_user(&pool, user.username.as_str(), |u| {
                if u.status != UserStatus::ForceChangePassword {
                    return Err(CognitoError::new(
                        ErrorKind::UnsupportedUserState,
                        "Resend not possible: the user has changed their password.",
                    ));
                }
                u.password = Some(cred.clone());
                Ok(())
            })?;
            let media =
                invitation_media(req.desired_delivery_mediums.as_deref(), &user.attributes)?;
            self.send_invitation(&pool, &user, &media, &temporary)?;
            return Ok(AdminCreateUserResponse {
                user: user_type(&user, None),
            });
        }
        let writes = validate_writes(
            &pool,
            req.user_attributes.as_deref().unwrap_or_default(),
            Writer::Admin,
            WriteMode::Create,
        )?;
        let mut attributes: BTreeMap<String, String> = writes
            .into_iter()
            .filter_map(|w| w.value.map(|v| (w.name, v)))
            .collect();
        let sub = Sub::generate(self.rng()).map_err(|_| CognitoError::internal())?;
        let username = new_username(&pool, &req.username, &sub, &mut attributes)?;
        for (attr, flag, what) in [
            (
                "email",
                "email_verified",
                "Email is required to verify/un-verify an email",
            ),
            (
                "phone_number",
                "phone_number_verified",
                "Phone Number is required to verify/un-verify a phone number",
            ),
        ] {
            if attributes.contains_key(flag) && !attributes.contains_key(attr) {
                return Err(CognitoError::invalid_parameter(what));
            }
        }
        let media = match req.message_action {
            Some(MessageAction::Suppress) => Vec::new(),
            _ => invitation_media(req.desired_delivery_mediums.as_deref(), &attributes)?,
        };
        let mut user = new_user(
            username,
            sub,
            attributes,
            UserStatus::ForceChangePassword,
            self.now(),
        );
        user.password =
            Some(self.new_password_credential(&pool, &user, temporary.expose(), until)?);
        let mut losers =
            self.take_aliases(&pool, &user, req.force_alias_creation.unwrap_or(false))?;
        self.store()
            .write_users(&pool, &mut losers, Some(&user))
            .map_err(|e| match e {
                StoreError::Conflict(Conflict::Username | Conflict::Sub) => {
                    CognitoError::new(ErrorKind::UsernameExists, "User account already exists")
                }
                StoreError::Conflict(Conflict::Alias(a)) if pool.is_username_attribute(&a) => {
                    CognitoError::new(
                        ErrorKind::UsernameExists,
                        format!("An account with the given {a} already exists."),
                    )
                }
                e => e.into(),
            })?;
        user.version = 1;
        self.send_invitation(&pool, &user, &media, &temporary)?;
        Ok(AdminCreateUserResponse {
            user: user_type(&user, None),
        })
    }

    /// `AdminGetUser`: a user with every attribute, status and MFA settings.
    pub fn admin_get_user(
        &self,
        req: AdminUserRequest,
    ) -> Result<AdminGetUserResponse, CognitoError> {
        let pool = self.pool(&req.user_pool_id)?;
        let user = self.admin_user(&pool, &req.username)?;
        Ok(AdminGetUserResponse {
            username: user.username.as_str().to_owned(),
            user_attributes: visible_attributes(&user, Reader::Admin, None),
            user_create_date: user.created,
            user_last_modified_date: user.modified,
            enabled: user.enabled,
            user_status: user.status.as_str().to_owned(),
            mfa_options: mfa_options(&user),
            preferred_mfa_setting: preferred_mfa(&user),
            user_mfa_setting_list: mfa_setting_list(&user),
        })
    }

    /// `AdminDeleteUser`: deletes a user; their tokens stop working.
    pub fn admin_delete_user(&self, req: AdminUserRequest) -> Result<EmptyResponse, CognitoError> {
        let pool = self.pool(&req.user_pool_id)?;
        let user = self.admin_user(&pool, &req.username)?;
        if !self.store().delete_user(&pool, user.username.as_str())? {
            return Err(CognitoError::user_not_found());
        }
        self.revoke_token_families_of(&user)?;
        Ok(EmptyResponse {})
    }

    /// `AdminEnableUser`.
    pub fn admin_enable_user(&self, req: AdminUserRequest) -> Result<EmptyResponse, CognitoError> {
        let pool = self.pool(&req.user_pool_id)?;
        let user = self.admin_user(&pool, &req.username)?;
        self.modify_user(&pool, user.username.as_str(), |u| {
            u.enabled = true;
            Ok(())
        })?;
        Ok(EmptyResponse {})
    }

    /// `AdminDisableUser`: the user can no longer sign in, and their tokens are revoked.
    pub fn admin_disable_user(&self, req: AdminUserRequest) -> Result<EmptyResponse, CognitoError> {
        let pool = self.pool(&req.user_pool_id)?;
        let user = self.admin_user(&pool, &req.username)?;
        let now = self.now();
        let (user, ()) = self.modify_user(&pool, user.username.as_str(), |u| {
            u.enabled = false;
            u.tokens_valid_after = Some(now);
            Ok(())
        })?;
        self.revoke_token_families_of(&user)?;
        Ok(EmptyResponse {})
    }

    /// `AdminSetUserPassword`: a permanent password (`CONFIRMED`) or a temporary one
    /// (`FORCE_CHANGE_PASSWORD`); any lockout is lifted.
    pub fn admin_set_user_password(
        &self,
        req: AdminSetUserPasswordRequest,
    ) -> Result<EmptyResponse, CognitoError> {
        let pool = self.pool(&req.user_pool_id)?;
        let user = self.admin_user(&pool, &req.username)?;
        check_password_param("password", req.password.expose())?;
        check_policy(&pool.password_policy, req.password.expose())?;
        let permanent = req.permanent.unwrap_or(false);
        let until = (!permanent).then(|| self.temporary_password_expiry(&pool));
        let cred = self.new_password_credential(&pool, &user, req.password.expose(), until)?;
        self.modify_user(&pool, user.username.as_str(), |u| {
            u.password = Some(cred.clone());
            u.status = if permanent {
                UserStatus::Confirmed
            } else {
                UserStatus::ForceChangePassword
            };
            u.lockout = Default::default();
            Ok(())
        })?;
        Ok(EmptyResponse {})
    }

    /// `AdminResetUserPassword`: sends a reset code by the pool's recovery mechanism and sets
    /// the user to `RESET_REQUIRED`.
    pub fn admin_reset_user_password(
        &self,
        req: AdminUserRequest,
    ) -> Result<EmptyResponse, CognitoError> {
        let pool = self.pool(&req.user_pool_id)?;
        let user = self.admin_user(&pool, &req.username)?;
        let medium = recovery_medium(&pool, &user).ok_or_else(|| {
            CognitoError::invalid_parameter(
                "Cannot reset password for the user as there is no registered/verified email or phone_number",
            )
        })?;
        // The code first: if it cannot be delivered, the user is left as they were.
        self.send_code(&pool, &user, medium, MessagePurpose::ForgotPassword)?;
        self.modify_user(&pool, user.username.as_str(), |u| {
            u.status = UserStatus::ResetRequired;
            Ok(())
        })?;
        Ok(EmptyResponse {})
    }

    /// `AdminConfirmSignUp`: confirms an unconfirmed user without a code.
    pub fn admin_confirm_sign_up(
        &self,
        req: AdminUserRequest,
    ) -> Result<EmptyResponse, CognitoError> {
        let pool = self.pool(&req.user_pool_id)?;
        let user = self.admin_user(&pool, &req.username)?;
        self.modify_user(&pool, user.username.as_str(), |u| {
            if u.status != UserStatus::Unconfirmed {
                return Err(CognitoError::not_authorized(format!(
                    "User cannot be confirmed. Current status is {}",
                    u.status.as_str()
                )));
            }
            u.status = UserStatus::Confirmed;
            Ok(())
        })?;
        Ok(EmptyResponse {})
    }

    /// `AdminUpdateUserAttributes`: any attribute of the schema, the `*_verified` flags
    /// included; a new e-mail address or phone number not marked verified needs a code.
    pub fn admin_update_user_attributes(
        &self,
        req: AdminUpdateUserAttributesRequest,
    ) -> Result<EmptyResponse, CognitoError> {
        let pool = self.pool(&req.user_pool_id)?;
        let user = self.admin_user(&pool, &req.username)?;
        let writes = validate_writes(
            &pool,
            &req.user_attributes,
            Writer::Admin,
            WriteMode::Update,
        )?;
        self.write_user_attributes(&pool, &user, &writes)?;
        Ok(EmptyResponse {})
    }

    /// `AdminDeleteUserAttributes`.
    pub fn admin_delete_user_attributes(
        &self,
        req: AdminDeleteUserAttributesRequest,
    ) -> Result<EmptyResponse, CognitoError> {
        let pool = self.pool(&req.user_pool_id)?;
        let user = self.admin_user(&pool, &req.username)?;
        let names: Vec<AttributeType> = req
            .user_attribute_names
            .iter()
            .map(|n| AttributeType {
                name: n.clone(),
                value: None,
            })
            .collect();
        let writes = validate_writes(&pool, &names, Writer::Admin, WriteMode::Update)?;
        self.write_user_attributes(&pool, &user, &writes)?;
        Ok(EmptyResponse {})
    }

    /// `AdminAddUserToGroup` (adding a member twice is not an error).
    pub fn admin_add_user_to_group(
        &self,
        req: AdminUserGroupRequest,
    ) -> Result<EmptyResponse, CognitoError> {
        let pool = self.pool(&req.user_pool_id)?;
        check_group_param(&req.group_name)?;
        let user = self.admin_user(&pool, &req.username)?;
        self.store()
            .add_user_to_group(&pool, user.username.as_str(), &req.group_name)
            .map_err(|e| group_not_found(e.into()))?;
        Ok(EmptyResponse {})
    }

    /// `AdminRemoveUserFromGroup` (removing a non-member is not an error).
    pub fn admin_remove_user_from_group(
        &self,
        req: AdminUserGroupRequest,
    ) -> Result<EmptyResponse, CognitoError> {
        let pool = self.pool(&req.user_pool_id)?;
        check_group_param(&req.group_name)?;
        let user = self.admin_user(&pool, &req.username)?;
        self.store()
            .remove_user_from_group(&pool, user.username.as_str(), &req.group_name)
            .map_err(|e| group_not_found(e.into()))?;
        Ok(EmptyResponse {})
    }

    /// `AdminListGroupsForUser`: the user's groups in name order, paginated.
    pub fn admin_list_groups_for_user(
        &self,
        req: AdminListGroupsForUserRequest,
    ) -> Result<AdminListGroupsForUserResponse, CognitoError> {
        let pool = self.pool(&req.user_pool_id)?;
        let limit = page_limit(req.limit)?;
        let after = decode_token(req.next_token.as_deref())?;
        let user = self.admin_user(&pool, &req.username)?;
        let mut groups: Vec<GroupType> = self
            .store()
            .groups_of_user(&pool, user.username.as_str())?
            .iter()
            .filter(|g| after.as_deref().is_none_or(|a| g.name.as_str() > a))
            .take(limit.saturating_add(1))
            .map(GroupType::from)
            .collect();
        let next_token = if groups.len() > limit {
            groups.truncate(limit);
            groups.last().map(|g| encode_token(&g.group_name))
        } else {
            None
        };
        Ok(AdminListGroupsForUserResponse { groups, next_token })
    }

    /// `ListUsersInGroup`: the group's members in username order, paginated.
    pub fn list_users_in_group(
        &self,
        req: ListUsersInGroupRequest,
    ) -> Result<ListUsersInGroupResponse, CognitoError> {
        let pool = self.pool(&req.user_pool_id)?;
        check_group_param(&req.group_name)?;
        let limit = page_limit(req.limit)?;
        let after = decode_token(req.next_token.as_deref())?;
        let mut users = self
            .store()
            .users_in_group(
                &pool.id,
                &req.group_name,
                after.as_deref(),
                limit.saturating_add(1),
            )
            .map_err(|e| group_not_found(e.into()))?;
        let next_token = if users.len() > limit {
            users.truncate(limit);
            users
                .last()
                .map(|u| encode_token(&pool.lookup_key(u.username.as_str())))
        } else {
            None
        };
        Ok(ListUsersInGroupResponse {
            users: users.iter().map(|u| user_type(u, None)).collect(),
            next_token,
        })
    }

    /// `ListUsers`: the pool's users in username order, paginated, with only
    /// `AttributesToGet` when given, and only those matching `Filter` when given.
    ///
    /// With a filter, one call examines at most [`LIST_USERS_SCAN`] users; a page may then hold
    /// fewer than `Limit` users (even none) and still carry a `PaginationToken`, as Cognito's
    /// documentation says its pages may.
    pub fn list_users(&self, req: ListUsersRequest) -> Result<ListUsersResponse, CognitoError> {
        let pool = self.pool(&req.user_pool_id)?;
        let filter = match req.filter.as_deref() {
            Some(f) => {
                UserFilter::parse(f).map_err(|e| CognitoError::invalid_parameter(e.to_string()))?
            }
            None => None,
        };
        let limit = page_limit(req.limit)?;
        let mut cursor = decode_token(req.pagination_token.as_deref())?;
        let only = req.attributes_to_get.as_deref().filter(|a| !a.is_empty());
        if let Some(names) = only {
            if let Some(bad) = names.iter().find(|n| pool.schema_attribute(n).is_none()) {
                return Err(CognitoError::invalid_parameter(format!(
                    "One or more requested attributes do not exist: {bad}"
                )));
            }
        }
        let matches = |u: &User| {
            filter.as_ref().is_none_or(|f| {
                f.matches_with(pool.username_case_sensitive, |a| filter_value(u, a))
            })
        };
        let mut users: Vec<User> = Vec::new();
        let mut scanned = 0usize;
        let pagination_token = loop {
            let batch = self
                .store()
                .list_users(&pool.id, cursor.as_deref(), SCAN_BATCH)?;
            let exhausted = batch.len() < SCAN_BATCH;
            let mut page_full = false;
            for u in batch {
                scanned += 1;
                let key = pool.lookup_key(u.username.as_str());
                if matches(&u) {
                    if users.len() == limit {
                        // A match beyond the page: there is a next page.
                        page_full = true;
                        break;
                    }
                    users.push(u);
                }
                cursor = Some(key);
            }
            if page_full {
                break users
                    .last()
                    .map(|u| encode_token(&pool.lookup_key(u.username.as_str())));
            }
            if exhausted {
                break None;
            }
            if scanned >= LIST_USERS_SCAN {
                // Examined enough for one call: the caller continues from here.
                break cursor.as_deref().map(encode_token);
            }
        };
        Ok(ListUsersResponse {
            users: users.iter().map(|u| user_type(u, only)).collect(),
            pagination_token,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert_eq!(page_limit(None).unwrap(), 60);
        assert_eq!(page_limit(Some(0)).unwrap(), 60);
        assert_eq!(page_limit(Some(7)).unwrap(), 7);
        assert_eq!(page_limit(Some(60)).unwrap(), 60);
        assert_eq!(
            page_limit(Some(61)).unwrap_err().kind,
            ErrorKind::InvalidParameter
        );
        assert_eq!(
            page_limit(Some(-1)).unwrap_err().kind,
            ErrorKind::InvalidParameter
        );
    }

    #[test]
    fn tokens_round_trip_and_bad_ones_are_refused() {
        let t = encode_token("bob/ü");
        assert_eq!(decode_token(Some(&t)).unwrap().as_deref(), Some("bob/ü"));
        assert_eq!(decode_token(None).unwrap(), None);
        assert!(decode_token(Some("***")).is_err());
        assert!(decode_token(Some("")).is_err());
    }
}
