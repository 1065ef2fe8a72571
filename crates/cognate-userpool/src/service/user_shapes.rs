//! The API shapes of users, attributes and groups shared by the account and user
//! administration operations (`AttributeType`, `UserType`, `GroupType`, `MFAOptionType`, ...),
//! with Cognito's member names.

use cognate_types::UnixTime;
use serde::{Deserialize, Serialize};

use crate::model::{AppClient, Group, MfaKind, User};

/// One attribute (`AttributeType`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeType {
    /// The attribute name (`email`, `custom:tenant`).
    pub name: String,
    /// The value; absent or empty deletes the attribute in the update operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl AttributeType {
    /// An attribute with a value.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: Some(value.into()),
        }
    }
}

/// Pinpoint analytics metadata (`AnalyticsMetadataType`): accepted and not used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AnalyticsMetadataType {
    /// The Pinpoint endpoint ID.
    #[serde(default)]
    pub analytics_endpoint_id: Option<String>,
}

/// Context data for threat protection (`UserContextDataType`): accepted and not used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserContextDataType {
    /// The user's IP address.
    #[serde(default)]
    pub ip_address: Option<String>,
    /// The encoded device fingerprint.
    #[serde(default)]
    pub encoded_data: Option<String>,
}

/// A legacy MFA option (`MFAOptionType`): SMS to `phone_number` when SMS MFA is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaOptionType {
    /// `SMS` or `EMAIL`.
    pub delivery_medium: String,
    /// The attribute the codes go to.
    pub attribute_name: String,
}

/// A user in listings and AdminCreateUser (`UserType`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserType {
    /// The username.
    pub username: String,
    /// The attributes, `sub` first.
    pub attributes: Vec<AttributeType>,
    /// Creation time (epoch seconds).
    pub user_create_date: UnixTime,
    /// Last change (epoch seconds).
    pub user_last_modified_date: UnixTime,
    /// Whether the user may sign in.
    pub enabled: bool,
    /// `UNCONFIRMED`, `CONFIRMED`, `FORCE_CHANGE_PASSWORD`, ...
    pub user_status: String,
    /// Legacy MFA options.
    #[serde(rename = "MFAOptions", default, skip_serializing_if = "Vec::is_empty")]
    pub mfa_options: Vec<MfaOptionType>,
}

/// A group (`GroupType`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupType {
    /// The group name.
    pub group_name: String,
    /// The pool.
    pub user_pool_id: String,
    /// The description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The IAM role of the group's members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// Precedence among the user's groups (lower wins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precedence: Option<u32>,
    /// Last change (epoch seconds).
    pub last_modified_date: UnixTime,
    /// Creation time (epoch seconds).
    pub creation_date: UnixTime,
}

impl From<&Group> for GroupType {
    fn from(g: &Group) -> Self {
        Self {
            group_name: g.name.as_str().to_owned(),
            user_pool_id: g.pool.as_str().to_owned(),
            description: g.description.clone(),
            role_arn: g.role_arn.as_ref().map(|r| r.as_str().to_owned()),
            precedence: g.precedence,
            last_modified_date: g.modified,
            creation_date: g.created,
        }
    }
}

/// Who reads a user's attributes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Reader<'a> {
    /// An administrator: every attribute, developer-only ones included.
    Admin,
    /// The user through an app client: the client's `ReadAttributes`, never developer-only
    /// attributes.
    Client(Option<&'a AppClient>),
}

fn is_developer_only(name: &str) -> bool {
    name.starts_with("dev:")
}

/// The user's attributes as `reader` may see them, `sub` first, then by name. `only`, when
/// given, further limits them to those names (ListUsers' `AttributesToGet`).
pub(crate) fn visible_attributes(
    user: &User,
    reader: Reader<'_>,
    only: Option<&[String]>,
) -> Vec<AttributeType> {
    let readable = |name: &str| -> bool {
        let by_reader = match reader {
            Reader::Admin => true,
            Reader::Client(client) => {
                !is_developer_only(name)
                    && client
                        .and_then(|c| c.read_attributes.as_ref())
                        .is_none_or(|r| name == "sub" || r.iter().any(|a| a == name))
            }
        };
        by_reader && only.is_none_or(|o| o.iter().any(|a| a == name))
    };
    let mut out = Vec::with_capacity(user.attributes.len() + 1);
    if readable("sub") {
        out.push(AttributeType::new("sub", user.sub.as_str()));
    }
    out.extend(
        user.attributes
            .iter()
            .filter(|(k, _)| k.as_str() != "sub" && readable(k))
            .map(|(k, v)| AttributeType::new(k.clone(), v.clone())),
    );
    out
}

/// The legacy `MFAOptions` of a user: SMS to the phone number when SMS MFA is on.
pub(crate) fn mfa_options(user: &User) -> Vec<MfaOptionType> {
    if user.mfa.sms_enabled && user.attributes.contains_key("phone_number") {
        vec![MfaOptionType {
            delivery_medium: "SMS".to_owned(),
            attribute_name: "phone_number".to_owned(),
        }]
    } else {
        Vec::new()
    }
}

/// `PreferredMfaSetting`: the preferred method, if it is one of the enabled ones.
pub(crate) fn preferred_mfa(user: &User) -> Option<String> {
    let enabled = user.mfa.enabled();
    user.mfa
        .preferred
        .filter(|p| enabled.contains(p))
        .map(|p| p.as_str().to_owned())
}

/// `UserMFASettingList`: the enabled methods.
pub(crate) fn mfa_setting_list(user: &User) -> Vec<String> {
    user.mfa
        .enabled()
        .into_iter()
        .map(MfaKind::as_str)
        .map(str::to_owned)
        .collect()
}

/// The `UserType` of a user (as an administrator sees it), limited to `only` when given.
pub(crate) fn user_type(user: &User, only: Option<&[String]>) -> UserType {
    UserType {
        username: user.username.as_str().to_owned(),
        attributes: visible_attributes(user, Reader::Admin, only),
        user_create_date: user.created,
        user_last_modified_date: user.modified,
        enabled: user.enabled,
        user_status: user.status.as_str().to_owned(),
        mfa_options: mfa_options(user),
    }
}
