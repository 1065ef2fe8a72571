//! Users who sign in through an upstream identity provider (SAML now; OIDC and social
//! providers use the same record): the user `{ProviderName}_{id}` with status
//! `EXTERNAL_PROVIDER`, the provider's attributes mapped onto the pool's by the provider's
//! `AttributeMapping` at every sign-in, the `identities` attribute (and ID-token claim), and
//! membership of the automatic group `{poolId}_{ProviderName}`.

use std::collections::BTreeMap;

use cognate_jwt::{FederatedIdentity, ProviderType};
use cognate_types::{GroupName, ProviderName, Sub, Username};
use serde::{Deserialize, Serialize};

use super::account::new_user;
use super::error::ErrorKind;
use super::{CognitoError, UserPools};
use crate::model::{Group, IdentityProvider, IdpType, User, UserPool, UserStatus};
use crate::store::{Conflict, StoreError};

/// The longest mapped attribute value Cognito accepts.
pub const MAX_MAPPED_VALUE_CHARS: usize = 2048;

/// The attribute name that stands for the provider's own user ID in an attribute mapping
/// (`username` → `NameID` for SAML, `sub` for OIDC).
const PROVIDER_USER_ID: [&str; 2] = ["NameID", "sub"];

/// What an upstream provider established about a user, handed to
/// [`UserPools::federated_sign_in`].
#[derive(Debug, Clone)]
pub struct FederatedSignIn<'a> {
    /// The provider's name in the pool.
    pub provider: &'a str,
    /// The provider's ID for the user: the SAML NameID, the OIDC `sub`. Compared
    /// case-sensitively, whatever the pool's case rule.
    pub user_id: &'a str,
    /// The SAML or OIDC issuer, for the `identities` claim.
    pub issuer: Option<&'a str>,
    /// The provider's attributes by their names at the provider, each already in Cognito's
    /// single-string form (for SAML, several values joined as `[a, b]`).
    pub attributes: &'a BTreeMap<String, String>,
}

/// One stored entry of the `identities` attribute, in Cognito's JSON form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredIdentity {
    user_id: String,
    provider_name: String,
    provider_type: String,
    issuer: Option<String>,
    primary: String,
    date_created: String,
}

impl StoredIdentity {
    fn to_claim(&self) -> Option<FederatedIdentity> {
        Some(FederatedIdentity {
            user_id: self.user_id.clone(),
            provider_name: ProviderName::new(self.provider_name.as_str()).ok()?,
            provider_type: provider_type(IdpType::parse(&self.provider_type)?),
            issuer: self.issuer.clone(),
            primary: self.primary == "true",
            date_created_ms: self.date_created.parse().ok()?,
        })
    }
}

fn provider_type(t: IdpType) -> ProviderType {
    match t {
        IdpType::Saml => ProviderType::Saml,
        IdpType::Oidc => ProviderType::Oidc,
        IdpType::Facebook => ProviderType::Facebook,
        IdpType::Google => ProviderType::Google,
        IdpType::LoginWithAmazon => ProviderType::LoginWithAmazon,
        IdpType::SignInWithApple => ProviderType::SignInWithApple,
    }
}

/// The `identities` claim of a user, read from the stored `identities` attribute (entries
/// that cannot be read are left out).
pub(crate) fn identities_claim(user: &User) -> Vec<FederatedIdentity> {
    user.attributes
        .get("identities")
        .and_then(|v| serde_json::from_str::<Vec<StoredIdentity>>(v).ok())
        .map(|list| list.iter().filter_map(StoredIdentity::to_claim).collect())
        .unwrap_or_default()
}

/// The name of the automatic group of a provider's users.
pub fn provider_group_name(pool: &UserPool, provider: &str) -> String {
    format!("{}_{provider}", pool.id)
}

/// Whether a mapped value is one Cognito stores: at most 2,048 characters, no character
/// outside the Basic Multilingual Plane (4-byte UTF-8).
fn check_mapped_value(name: &str, value: &str) -> Result<(), CognitoError> {
    if value.chars().count() > MAX_MAPPED_VALUE_CHARS {
        return Err(CognitoError::invalid_parameter(format!(
            "The value of attribute {name} is longer than {MAX_MAPPED_VALUE_CHARS} characters."
        )));
    }
    if value.chars().any(|c| c.len_utf8() == 4) {
        return Err(CognitoError::invalid_parameter(format!(
            "The value of attribute {name} contains a 4-byte UTF-8 character."
        )));
    }
    Ok(())
}

impl UserPools {
    /// Signs in a user an upstream provider vouched for: creates `{ProviderName}_{id}`
    /// (status `EXTERNAL_PROVIDER`, a new `sub`, the `identities` attribute) or updates it,
    /// writes the mapped attributes (an attribute the provider did not send keeps its value),
    /// checks the pool's required attributes, and adds the user to `{poolId}_{ProviderName}`
    /// (created when missing). Returns the stored user.
    ///
    /// The ID is the provider's `user_id`, or the attribute the provider's mapping names for
    /// `username`. Errors: `ResourceNotFoundException` (no such provider),
    /// `NotAuthorizedException` (the user is disabled), `InvalidParameterException` (an ID
    /// that cannot be a username, a value Cognito refuses, a required attribute not mapped).
    pub fn federated_sign_in(
        &self,
        pool_id: &str,
        s: &FederatedSignIn<'_>,
    ) -> Result<User, CognitoError> {
        let pool = self.pool(pool_id)?;
        let idp = self
            .store()
            .get_identity_provider(&pool.id, s.provider)?
            .ok_or_else(|| {
                CognitoError::not_found(format!("Identity provider {} does not exist.", s.provider))
            })?;
        let user_id = self.provider_user_id(&idp, s)?;
        let username = Username::new(format!("{}_{user_id}", idp.name)).map_err(|_| {
            CognitoError::invalid_parameter(
                "The identity provider's user ID cannot be part of a username.",
            )
        })?;
        let mut mapped = BTreeMap::new();
        for (pool_attr, idp_attr) in &idp.attribute_mapping {
            if pool_attr == "username" {
                continue;
            }
            let value = if PROVIDER_USER_ID.contains(&idp_attr.as_str()) {
                s.attributes
                    .get(idp_attr)
                    .cloned()
                    .or_else(|| Some(s.user_id.to_owned()))
            } else {
                s.attributes.get(idp_attr).cloned()
            };
            if let Some(v) = value {
                check_mapped_value(pool_attr, &v)?;
                mapped.insert(pool_attr.clone(), v);
            }
        }
        let now = self.now();
        let user = loop {
            match self.store().get_user(&pool, username.as_str())? {
                None => {
                    let mut attributes = mapped.clone();
                    let identity = StoredIdentity {
                        user_id: user_id.clone(),
                        provider_name: idp.name.as_str().to_owned(),
                        provider_type: idp.provider_type.as_str().to_owned(),
                        issuer: s.issuer.map(str::to_owned),
                        primary: "true".to_owned(),
                        date_created: (now.as_secs().saturating_mul(1000)).to_string(),
                    };
                    let identities =
                        serde_json::to_string(&[identity]).map_err(|_| CognitoError::internal())?;
                    attributes.insert("identities".to_owned(), identities);
                    missing_required(&pool, &attributes)?;
                    let sub = Sub::generate(self.rng()).map_err(|_| CognitoError::internal())?;
                    let user = new_user(
                        username.clone(),
                        sub,
                        attributes,
                        UserStatus::ExternalProvider,
                        now,
                    );
                    match self.store().create_user(&pool, &user) {
                        Ok(()) => break user,
                        // Another sign-in of the same user won the race: update that one.
                        Err(StoreError::Conflict(Conflict::Username | Conflict::Sub)) => continue,
                        Err(e) => return Err(e.into()),
                    }
                }
                Some(mut user) => {
                    if user.status != UserStatus::ExternalProvider
                        || !identities_claim(&user)
                            .iter()
                            .any(|i| i.user_id == user_id && i.provider_name == idp.name)
                    {
                        // A native user, or (in a case-insensitive pool) a provider ID that
                        // differs from the stored one only in case: never merged silently.
                        return Err(CognitoError::not_authorized(
                            "The federated user cannot be matched to the existing user.",
                        ));
                    }
                    if !user.enabled {
                        return Err(CognitoError::not_authorized("User is disabled."));
                    }
                    let changed = mapped
                        .iter()
                        .any(|(k, v)| user.attributes.get(k) != Some(v));
                    if !changed {
                        break user;
                    }
                    user.attributes.extend(mapped.clone());
                    missing_required(&pool, &user.attributes)?;
                    user.modified = now;
                    match self.store().update_user(&pool, &mut user) {
                        Ok(()) => break user,
                        Err(StoreError::Conflict(Conflict::Version)) => continue,
                        Err(e) => return Err(e.into()),
                    }
                }
            }
        };
        self.join_provider_group(&pool, &idp, &user)?;
        Ok(user)
    }

    /// The provider's ID for the user: the attribute mapped to `username`, or `user_id`.
    fn provider_user_id(
        &self,
        idp: &IdentityProvider,
        s: &FederatedSignIn<'_>,
    ) -> Result<String, CognitoError> {
        let id = match idp.attribute_mapping.get("username") {
            Some(a) if !PROVIDER_USER_ID.contains(&a.as_str()) => {
                s.attributes.get(a).cloned().ok_or_else(|| {
                    CognitoError::invalid_parameter(format!(
                        "The attribute {a} mapped to username was not sent by the provider."
                    ))
                })?
            }
            _ => s.user_id.to_owned(),
        };
        if id.is_empty() {
            return Err(CognitoError::invalid_parameter(
                "The identity provider sent an empty user ID.",
            ));
        }
        Ok(id)
    }

    fn join_provider_group(
        &self,
        pool: &UserPool,
        idp: &IdentityProvider,
        user: &User,
    ) -> Result<(), CognitoError> {
        let name = provider_group_name(pool, idp.name.as_str());
        let group_name = GroupName::new(name.as_str()).map_err(|_| CognitoError::internal())?;
        if self.store().get_group(&pool.id, &name)?.is_none() {
            let now = self.now();
            let group = Group {
                pool: pool.id.clone(),
                name: group_name,
                description: Some(format!(
                    "Autogenerated group for users who sign in using {}",
                    idp.name
                )),
                precedence: None,
                role_arn: None,
                created: now,
                modified: now,
            };
            match self.store().create_group(&group) {
                Ok(()) | Err(StoreError::Conflict(Conflict::Group)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        match self
            .store()
            .add_user_to_group(pool, user.username.as_str(), &name)
        {
            Ok(()) => Ok(()),
            Err(e) => Err(CognitoError::from(e)),
        }
    }
}

/// The pool's required attributes that the mapping did not provide.
fn missing_required(
    pool: &UserPool,
    attributes: &BTreeMap<String, String>,
) -> Result<(), CognitoError> {
    let missing: Vec<&str> = pool
        .schema
        .iter()
        .filter(|a| a.required && a.name != "sub" && !attributes.contains_key(&a.name))
        .map(|a| a.name.as_str())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(CognitoError::new(
            ErrorKind::InvalidParameter,
            format!(
                "Required attributes are not mapped from the identity provider: {}.",
                missing.join(", ")
            ),
        ))
    }
}
