//! The claims hook, modelled on Cognito's pre-token-generation Lambda trigger (reference 2.8).
//!
//! A [`PreTokenGenerationHook`] receives a [`PreTokenGenerationEvent`] (user attributes,
//! groups and roles, client, requested scopes, trigger source) and returns a
//! [`ClaimsOverride`]: claims to add or override and claims to suppress, separately for the
//! ID and the access token, scopes to add or suppress (access token), and a replacement group
//! configuration (`cognito:groups`, `cognito:roles`, `cognito:preferred_role`, in both
//! tokens).
//!
//! Versions follow Cognito: [`HookVersion::V1`] customises the ID token only (access-token
//! overrides are ignored, claim values must be strings); [`HookVersion::V2`] also the
//! access token of user sign-ins; [`HookVersion::V3`] also client-credentials (M2M) access
//! tokens. A hook of a lower version is not called for M2M tokens.
//!
//! Protected claims: Cognito documents that its trigger "can't modify" `acr`, `amr`, `aud`
//! (ID token), `at_hash`, `auth_time`, `azp`, `cognito:username`, `exp`, `iat`,
//! `identities`, `iss`, `jti`, `nbf`, `nonce`, `origin_jti`, `sub`, `token_use` and
//! `dev:`-prefixed attribute claims; in access tokens also `client_id`, `device_key`,
//! `event_id`, `scope` (use the scope lists), `username` and `version`. Group claims are
//! changed only through the group override. The stored AWS material says these claims can't
//! be modified but not whether the attempt fails the sign-in or is dropped; Cognate drops the
//! attempt by default ([`ProtectedClaimPolicy::Ignore`], the token is issued unchanged in
//! those claims) and can refuse it instead ([`ProtectedClaimPolicy::Reject`], a typed
//! [`HookError::ProtectedClaim`]). An access-token `aud` may be added only with the client ID
//! as its value (reference 2.3).

use cognate_types::{
    AttributeName, ClientId, GroupName, Scope, Scopes, TokenUse, UserPoolId, Username,
};
use serde_json::Value;
use thiserror::Error;

use crate::claims::RoleArn;

/// Claims no hook may add, change or suppress, in either token.
pub const PROTECTED_CLAIMS: [&str; 17] = [
    "acr",
    "amr",
    "aud",
    "at_hash",
    "auth_time",
    "azp",
    "cognito:username",
    "exp",
    "iat",
    "identities",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "sub",
    "token_use",
];

/// Further claims protected in access tokens.
pub const PROTECTED_ACCESS_CLAIMS: [&str; 6] = [
    "client_id",
    "device_key",
    "event_id",
    "scope",
    "username",
    "version",
];

/// Claims changed only through [`ClaimsOverride::group_override`].
pub const GROUP_CLAIMS: [&str; 3] = ["cognito:groups", "cognito:roles", "cognito:preferred_role"];

/// ID-token claims whose override value may not be an object or array (Cognito: "complex
/// objects … except for phone_number_verified, email_verified, updated_at, and address").
pub const SCALAR_ONLY_ID_CLAIMS: [&str; 4] = [
    "phone_number_verified",
    "email_verified",
    "updated_at",
    "address",
];

/// Most claims one override may add.
pub const MAX_OVERRIDE_CLAIMS: usize = 100;

/// The event version a hook understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HookVersion {
    /// `V1_0`: ID token only, string values.
    V1,
    /// `V2_0`: ID and user access tokens, any JSON values.
    V2,
    /// `V3_0`: also client-credentials access tokens.
    V3,
}

/// What caused the tokens to be issued (Cognito's `triggerSource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TriggerSource {
    /// Sign-in through the hosted UI / OAuth endpoints.
    HostedAuth,
    /// A user-pools API authentication flow completed.
    Authentication,
    /// An admin-created user set their password.
    NewPasswordChallenge,
    /// A remembered device authenticated.
    AuthenticateDevice,
    /// A refresh token was used.
    RefreshTokens,
    /// A client-credentials (M2M) grant.
    ClientCredentials,
}

impl TriggerSource {
    /// Cognito's `triggerSource` string.
    pub fn as_str(self) -> &'static str {
        match self {
            TriggerSource::HostedAuth => "TokenGeneration_HostedAuth",
            TriggerSource::Authentication => "TokenGeneration_Authentication",
            TriggerSource::NewPasswordChallenge => "TokenGeneration_NewPasswordChallenge",
            TriggerSource::AuthenticateDevice => "TokenGeneration_AuthenticateDevice",
            TriggerSource::RefreshTokens => "TokenGeneration_RefreshTokens",
            TriggerSource::ClientCredentials => "TokenGeneration_ClientCredentials",
        }
    }
}

/// The group configuration of a user (request) or its replacement (response).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupConfiguration {
    /// Group names (`cognito:groups`).
    pub groups_to_override: Vec<GroupName>,
    /// Role ARNs (`cognito:roles`).
    pub iam_roles_to_override: Vec<RoleArn>,
    /// Preferred role (`cognito:preferred_role`).
    pub preferred_role: Option<RoleArn>,
}

/// What the hook is told.
#[derive(Debug, Clone)]
pub struct PreTokenGenerationEvent<'a> {
    /// The version of the event (the hook's own).
    pub version: HookVersion,
    /// Why tokens are being issued.
    pub trigger_source: TriggerSource,
    /// The pool.
    pub user_pool_id: &'a UserPoolId,
    /// The app client.
    pub client_id: &'a ClientId,
    /// The user's username; `None` for client-credentials tokens.
    pub username: Option<&'a Username>,
    /// The user's attributes (readable ones, with `sub`); empty for M2M.
    pub user_attributes: &'a [(AttributeName, String)],
    /// The current group configuration.
    pub group_configuration: GroupConfiguration,
    /// The scopes the access token will carry before the hook's changes.
    pub scopes: &'a Scopes,
}

/// Changes to one token's claims.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TokenClaimsOverride {
    /// Claims to add, or to replace in place.
    pub claims_to_add_or_override: Vec<(String, Value)>,
    /// Claims to remove (wins over an add of the same claim).
    pub claims_to_suppress: Vec<String>,
}

/// Changes to the access token: claims and scopes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccessTokenOverride {
    /// Claim changes.
    pub claims: TokenClaimsOverride,
    /// Scopes to add to `scope`.
    pub scopes_to_add: Vec<Scope>,
    /// Scopes to remove from `scope` (wins over an add).
    pub scopes_to_suppress: Vec<Scope>,
}

/// What the hook returns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClaimsOverride {
    /// ID-token changes (`idTokenGeneration`, or V1's `claimsOverrideDetails`).
    pub id_token: TokenClaimsOverride,
    /// Access-token changes (`accessTokenGeneration`; ignored for V1 hooks).
    pub access_token: AccessTokenOverride,
    /// Replacement group configuration for both tokens; `None` keeps the user's. An empty
    /// configuration removes the group claims.
    pub group_override: Option<GroupConfiguration>,
}

/// How attempts to touch protected claims are handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProtectedClaimPolicy {
    /// Drop the attempt; the claim keeps its issued value (the default).
    #[default]
    Ignore,
    /// Refuse to issue: [`HookError::ProtectedClaim`].
    Reject,
}

/// The claims hook failed or returned something that cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum HookError {
    /// The hook itself failed (its message).
    #[error("pre token generation hook failed: {0}")]
    Failed(String),
    /// The hook tried to add, change or suppress a protected claim (under
    /// [`ProtectedClaimPolicy::Reject`]).
    #[error("pre token generation hook may not modify `{claim}` in the {token} token")]
    ProtectedClaim {
        /// Which token.
        token: TokenUse,
        /// The claim.
        claim: String,
    },
    /// A claim value of the wrong JSON type (V1: not a string; scalar-only claims: an
    /// object or array; nulls are never accepted).
    #[error("pre token generation hook gave `{claim}` a value of the wrong type")]
    InvalidClaimValue {
        /// The claim.
        claim: String,
    },
    /// An access-token `aud` that is not the client ID.
    #[error("an access-token `aud` added by the hook must equal the client ID")]
    AccessAudience,
    /// More than [`MAX_OVERRIDE_CLAIMS`] claims, or an empty claim name.
    #[error("pre token generation hook returned too many or empty claim names")]
    TooManyClaims,
}

/// A pre-token-generation hook. See the module documentation.
pub trait PreTokenGenerationHook: Send + Sync {
    /// The event version this hook understands (default V2).
    fn version(&self) -> HookVersion {
        HookVersion::V2
    }

    /// Returns the changes to make to the tokens about to be issued.
    fn pre_token_generation(
        &self,
        event: &PreTokenGenerationEvent<'_>,
    ) -> Result<ClaimsOverride, HookError>;
}

fn is_protected(token: TokenUse, name: &str) -> bool {
    name.starts_with("dev:")
        || GROUP_CLAIMS.contains(&name)
        || PROTECTED_CLAIMS.contains(&name)
        || (token == TokenUse::Access && PROTECTED_ACCESS_CLAIMS.contains(&name))
}

/// Checks one token's override against the rules and removes what may not apply (under
/// [`ProtectedClaimPolicy::Ignore`]). Returns the names of dropped claims.
pub(crate) fn sanitize(
    token: TokenUse,
    version: HookVersion,
    o: &mut TokenClaimsOverride,
    client_id: &ClientId,
    policy: ProtectedClaimPolicy,
) -> Result<Vec<String>, HookError> {
    if o.claims_to_add_or_override.len() > MAX_OVERRIDE_CLAIMS
        || o.claims_to_suppress.len() > MAX_OVERRIDE_CLAIMS
    {
        return Err(HookError::TooManyClaims);
    }
    let mut dropped = Vec::new();
    let refuse = |claim: &str, dropped: &mut Vec<String>| -> Result<bool, HookError> {
        match policy {
            ProtectedClaimPolicy::Reject => Err(HookError::ProtectedClaim {
                token,
                claim: claim.to_string(),
            }),
            ProtectedClaimPolicy::Ignore => {
                dropped.push(claim.to_string());
                Ok(false)
            }
        }
    };
    let mut kept = Vec::with_capacity(o.claims_to_add_or_override.len());
    for (name, value) in std::mem::take(&mut o.claims_to_add_or_override) {
        if name.is_empty() {
            return Err(HookError::TooManyClaims);
        }
        if token == TokenUse::Access && name == "aud" {
            if value.as_str() != Some(client_id.as_str()) {
                return Err(HookError::AccessAudience);
            }
            kept.push((name, value));
            continue;
        }
        if is_protected(token, &name) && !refuse(&name, &mut dropped)? {
            continue;
        }
        let bad_type = value.is_null()
            || (version == HookVersion::V1 && !value.is_string())
            || (token == TokenUse::Id
                && SCALAR_ONLY_ID_CLAIMS.contains(&name.as_str())
                && (value.is_object() || value.is_array()));
        if bad_type {
            return Err(HookError::InvalidClaimValue { claim: name });
        }
        if let Some(slot) = kept.iter_mut().find(|(n, _)| *n == name) {
            slot.1 = value;
        } else {
            kept.push((name, value));
        }
    }
    o.claims_to_add_or_override = kept;
    let mut suppress = Vec::with_capacity(o.claims_to_suppress.len());
    for name in std::mem::take(&mut o.claims_to_suppress) {
        if is_protected(token, &name) && !refuse(&name, &mut dropped)? {
            continue;
        }
        suppress.push(name);
    }
    o.claims_to_suppress = suppress;
    Ok(dropped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn protected_claims_are_dropped_or_refused() {
        let client = ClientId::new("abc").unwrap();
        let mk = || TokenClaimsOverride {
            claims_to_add_or_override: vec![
                ("sub".into(), json!("evil")),
                ("tenant".into(), json!("t1")),
                ("dev:x".into(), json!("y")),
            ],
            claims_to_suppress: vec!["iss".into(), "email".into()],
        };
        let mut o = mk();
        let dropped = sanitize(
            TokenUse::Id,
            HookVersion::V2,
            &mut o,
            &client,
            ProtectedClaimPolicy::Ignore,
        )
        .unwrap();
        assert_eq!(dropped, ["sub", "dev:x", "iss"]);
        assert_eq!(
            o.claims_to_add_or_override,
            vec![("tenant".into(), json!("t1"))]
        );
        assert_eq!(o.claims_to_suppress, ["email"]);
        let mut o = mk();
        assert_eq!(
            sanitize(
                TokenUse::Id,
                HookVersion::V2,
                &mut o,
                &client,
                ProtectedClaimPolicy::Reject
            ),
            Err(HookError::ProtectedClaim {
                token: TokenUse::Id,
                claim: "sub".into()
            })
        );
    }

    #[test]
    fn value_rules() {
        let client = ClientId::new("abc").unwrap();
        let run = |t, v, name: &str, value: Value| {
            let mut o = TokenClaimsOverride {
                claims_to_add_or_override: vec![(name.into(), value)],
                claims_to_suppress: vec![],
            };
            sanitize(t, v, &mut o, &client, ProtectedClaimPolicy::Reject).map(|_| o)
        };
        assert!(run(TokenUse::Id, HookVersion::V1, "n", json!(1)).is_err());
        assert!(run(TokenUse::Id, HookVersion::V2, "n", json!({"a":[1]})).is_ok());
        assert!(run(TokenUse::Id, HookVersion::V2, "address", json!({"a":1})).is_err());
        assert!(run(TokenUse::Id, HookVersion::V2, "n", Value::Null).is_err());
        assert!(run(TokenUse::Access, HookVersion::V2, "aud", json!("abc")).is_ok());
        assert_eq!(
            run(TokenUse::Access, HookVersion::V2, "aud", json!("other")).unwrap_err(),
            HookError::AccessAudience
        );
        assert!(run(TokenUse::Access, HookVersion::V2, "scope", json!("x")).is_err());
        assert!(run(TokenUse::Id, HookVersion::V2, "scope", json!("x")).is_ok());
        assert!(run(
            TokenUse::Id,
            HookVersion::V2,
            "cognito:groups",
            json!(["x"])
        )
        .is_err());
        assert!(run(TokenUse::Id, HookVersion::V2, "", json!("x")).is_err());
    }
}
