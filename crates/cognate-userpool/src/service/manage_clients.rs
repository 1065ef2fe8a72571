//! The app-client operations: CreateUserPoolClient, DescribeUserPoolClient,
//! UpdateUserPoolClient, DeleteUserPoolClient and ListUserPoolClients.
//!
//! UpdateUserPoolClient follows Cognito: members left out return to their defaults (the name
//! and the secret are kept). Analytics (`AnalyticsConfiguration`) and context-data propagation
//! for threat protection are not offered and are refused.

use cognate_jwt::ValidityError;
use cognate_types::{ClientId, Scope, Secret, UserPoolId};
use serde::{Deserialize, Serialize};

use super::manage::{
    check_length, check_pattern, check_range, epoch, finish_page, is_name_char, is_visible,
    is_word, one_of, page_after, page_limit, parse_enum, require, validation, EmptyResponse,
};
use super::{CognitoError, ErrorKind, UserPools};
use crate::model::{
    AppClient, ExplicitAuthFlow, OAuthFlow, RefreshTokenRotation, TokenValidityUnits, UserPool,
    ValiditySetting, ValidityUnitName,
};
use crate::store::{Conflict, StoreError};

/// Length of a generated client secret (lower-case letters and digits, as Cognito's look).
pub const GENERATED_SECRET_LEN: usize = 51;

/// The scopes every pool knows without a resource server.
pub const STANDARD_SCOPES: &[&str] = &[
    "openid",
    "email",
    "phone",
    "profile",
    "aws.cognito.signin.user.admin",
];

/// `TokenValidityUnitsType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TokenValidityUnitsType {
    /// Unit of `AccessTokenValidity` (default hours).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    /// Unit of `IdTokenValidity` (default hours).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// Unit of `RefreshTokenValidity` (default days).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// `RefreshTokenRotationType`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RefreshTokenRotationType {
    /// `ENABLED` or `DISABLED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
    /// 0 to 60.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_grace_period_seconds: Option<i64>,
}

/// The members CreateUserPoolClient and UpdateUserPoolClient share.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ClientSettingsInput {
    /// In `TokenValidityUnits.RefreshToken` (default days); 0 means the default, 30 days.
    pub refresh_token_validity: Option<i64>,
    /// In `TokenValidityUnits.AccessToken` (default hours).
    pub access_token_validity: Option<i64>,
    /// In `TokenValidityUnits.IdToken` (default hours).
    pub id_token_validity: Option<i64>,
    /// Units of the three validities.
    pub token_validity_units: Option<TokenValidityUnitsType>,
    /// Attributes the client may read (default all).
    pub read_attributes: Option<Vec<String>>,
    /// Attributes the client may write (default the mutable standard ones).
    pub write_attributes: Option<Vec<String>>,
    /// Sign-in flows.
    pub explicit_auth_flows: Option<Vec<String>>,
    /// `COGNITO` and the pool's IdP names.
    pub supported_identity_providers: Option<Vec<String>>,
    /// Redirect URIs.
    #[serde(rename = "CallbackURLs")]
    pub callback_urls: Option<Vec<String>>,
    /// Sign-out URIs.
    #[serde(rename = "LogoutURLs")]
    pub logout_urls: Option<Vec<String>>,
    /// One of the callback URLs.
    #[serde(rename = "DefaultRedirectURI")]
    pub default_redirect_uri: Option<String>,
    /// `code`, `implicit`, `client_credentials`.
    #[serde(rename = "AllowedOAuthFlows")]
    pub allowed_oauth_flows: Option<Vec<String>>,
    /// Standard and custom scopes.
    #[serde(rename = "AllowedOAuthScopes")]
    pub allowed_oauth_scopes: Option<Vec<String>>,
    /// Whether the client uses the OAuth endpoints.
    #[serde(rename = "AllowedOAuthFlowsUserPoolClient")]
    pub allowed_oauth_flows_user_pool_client: Option<bool>,
    /// Pinpoint analytics: refused.
    pub analytics_configuration: Option<serde_json::Value>,
    /// `ENABLED` or `LEGACY` (default).
    pub prevent_user_existence_errors: Option<String>,
    /// Default true.
    pub enable_token_revocation: Option<bool>,
    /// Threat-protection context data: only `false` is accepted.
    pub enable_propagate_additional_user_context_data: Option<bool>,
    /// 3 to 15 minutes (default 3).
    pub auth_session_validity: Option<i64>,
    /// Refresh-token rotation.
    pub refresh_token_rotation: Option<RefreshTokenRotationType>,
}

/// CreateUserPoolClient's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserPoolClientRequest {
    /// The pool.
    pub user_pool_id: Option<String>,
    /// 1 to 128 characters of `[\w\s+=,.@-]`.
    pub client_name: Option<String>,
    /// Generate a secret.
    pub generate_secret: Option<bool>,
    /// A secret of one's own (24 to 64 characters of `[\w+]`).
    pub client_secret: Option<String>,
    /// The rest.
    #[serde(flatten)]
    pub settings: ClientSettingsInput,
}

/// UpdateUserPoolClient's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserPoolClientRequest {
    /// The pool.
    pub user_pool_id: Option<String>,
    /// The client.
    pub client_id: Option<String>,
    /// A new name (kept when left out).
    pub client_name: Option<String>,
    /// The rest; left-out members return to their defaults.
    #[serde(flatten)]
    pub settings: ClientSettingsInput,
}

/// A request naming a pool and a client (Describe/DeleteUserPoolClient).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolClientIdRequest {
    /// The pool.
    pub user_pool_id: Option<String>,
    /// The client.
    pub client_id: Option<String>,
}

/// ListUserPoolClients' request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUserPoolClientsRequest {
    /// The pool.
    pub user_pool_id: Option<String>,
    /// 1 to 60 (default 60).
    pub max_results: Option<i64>,
    /// From a previous page.
    pub next_token: Option<String>,
}

/// `UserPoolClientType`: an app client as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolClientType {
    /// The pool.
    pub user_pool_id: String,
    /// The name.
    pub client_name: String,
    /// The client ID.
    pub client_id: String,
    /// The secret, for confidential clients.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// When the client last changed.
    pub last_modified_date: u64,
    /// When it was created.
    pub creation_date: u64,
    /// Refresh-token lifetime in its unit.
    pub refresh_token_validity: u64,
    /// Access-token lifetime in its unit, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token_validity: Option<u64>,
    /// ID-token lifetime in its unit, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token_validity: Option<u64>,
    /// Units given for the validities.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_validity_units: Option<TokenValidityUnitsType>,
    /// Readable attributes, when restricted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_attributes: Option<Vec<String>>,
    /// Writable attributes, when restricted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_attributes: Option<Vec<String>>,
    /// Sign-in flows.
    pub explicit_auth_flows: Vec<&'static str>,
    /// Identity providers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub supported_identity_providers: Vec<String>,
    /// Redirect URIs.
    #[serde(rename = "CallbackURLs", skip_serializing_if = "Vec::is_empty")]
    pub callback_urls: Vec<String>,
    /// Sign-out URIs.
    #[serde(rename = "LogoutURLs", skip_serializing_if = "Vec::is_empty")]
    pub logout_urls: Vec<String>,
    /// Default redirect URI.
    #[serde(rename = "DefaultRedirectURI", skip_serializing_if = "Option::is_none")]
    pub default_redirect_uri: Option<String>,
    /// OAuth grants.
    #[serde(rename = "AllowedOAuthFlows", skip_serializing_if = "Vec::is_empty")]
    pub allowed_oauth_flows: Vec<&'static str>,
    /// OAuth scopes.
    #[serde(rename = "AllowedOAuthScopes", skip_serializing_if = "Vec::is_empty")]
    pub allowed_oauth_scopes: Vec<String>,
    /// Whether the client uses the OAuth endpoints.
    #[serde(rename = "AllowedOAuthFlowsUserPoolClient")]
    pub allowed_oauth_flows_user_pool_client: bool,
    /// `ENABLED` or `LEGACY`.
    pub prevent_user_existence_errors: &'static str,
    /// Whether refresh tokens can be revoked.
    pub enable_token_revocation: bool,
    /// Always false here.
    pub enable_propagate_additional_user_context_data: bool,
    /// Minutes a sign-in session lasts.
    pub auth_session_validity: u32,
    /// Rotation, when configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token_rotation: Option<RefreshTokenRotationType>,
}

/// The response of Create/Describe/UpdateUserPoolClient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolClientResponse {
    /// The client.
    pub user_pool_client: UserPoolClientType,
}

/// `UserPoolClientDescription`: a client in ListUserPoolClients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolClientDescription {
    /// The client ID.
    pub client_id: String,
    /// The pool.
    pub user_pool_id: String,
    /// The name.
    pub client_name: String,
}

/// ListUserPoolClients' response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUserPoolClientsResponse {
    /// This page.
    pub user_pool_clients: Vec<UserPoolClientDescription>,
    /// Present when more clients follow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

fn check_client_name(name: &str) -> Result<(), CognitoError> {
    check_length(name, "clientName", 1, 128)?;
    check_pattern(name, "clientName", "[\\w\\s+=,.@-]+", is_name_char)
}

/// Checks a callback or sign-out URL: absolute, no fragment, HTTPS unless it is a loopback
/// `http://` address; private schemes (`myapp://cb`) are allowed.
pub fn check_redirect_url(url: &str, path: &str) -> Result<(), CognitoError> {
    check_length(url, path, 1, 1024)?;
    check_pattern(url, path, "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+", is_visible)?;
    let bad =
        |why: &str| CognitoError::invalid_parameter(format!("{path}: invalid URL {url}: {why}"));
    if url.contains('#') {
        return Err(bad("a URL must not have a fragment"));
    }
    let Some((scheme, rest)) = url.split_once(':') else {
        return Err(bad("the URL must be absolute"));
    };
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok || rest.is_empty() {
        return Err(bad("the URL must be absolute"));
    }
    let scheme = scheme.to_ascii_lowercase();
    if scheme == "http" || scheme == "https" {
        let Some(after) = rest.strip_prefix("//") else {
            return Err(bad("the URL must have a host"));
        };
        let authority = after.split(['/', '?']).next().unwrap_or_default();
        if authority.is_empty() || authority.contains('@') {
            return Err(bad("the URL must have a host and no user information"));
        }
        let host = if authority.starts_with('[') {
            authority
                .find(']')
                .and_then(|i| authority.get(..=i))
                .unwrap_or(authority)
        } else {
            authority.split(':').next().unwrap_or(authority)
        };
        if host.is_empty() {
            return Err(bad("the URL must have a host"));
        }
        let loopback = matches!(
            host.to_ascii_lowercase().as_str(),
            "localhost" | "127.0.0.1" | "[::1]"
        );
        if scheme == "http" && !loopback {
            return Err(bad(
                "HTTPS is required, except for http://localhost, http://127.0.0.1 and http://[::1]",
            ));
        }
    }
    Ok(())
}

fn unit_of(v: Option<&str>, path: &str) -> Result<Option<ValidityUnitName>, CognitoError> {
    v.map(|u| {
        parse_enum(
            u,
            path,
            &["seconds", "minutes", "hours", "days"],
            ValidityUnitName::parse,
        )
    })
    .transpose()
}

fn unit_secs(u: ValidityUnitName) -> u64 {
    match u {
        ValidityUnitName::Seconds => 1,
        ValidityUnitName::Minutes => 60,
        ValidityUnitName::Hours => 3600,
        ValidityUnitName::Days => 86_400,
    }
}

fn human(secs: u64) -> String {
    match secs {
        300 => "5 minutes".to_owned(),
        3600 => "60 minutes".to_owned(),
        86_400 => "1 day".to_owned(),
        315_360_000 => "10 years".to_owned(),
        s => format!("{s} seconds"),
    }
}

/// One validity setting: the value (or the default, expressed in the unit given) and unit.
fn validity_setting(
    value: Option<i64>,
    unit: Option<ValidityUnitName>,
    path: &str,
    range: (i64, i64),
    default_secs: u64,
) -> Result<Option<ValiditySetting>, CognitoError> {
    let value = match value {
        Some(v) => {
            check_range(v, path, range.0, range.1)?;
            u64::try_from(v).unwrap_or(0)
        }
        None => match unit {
            None => return Ok(None),
            Some(u) => {
                let per = unit_secs(u);
                if !default_secs.is_multiple_of(per) {
                    return Err(CognitoError::invalid_parameter(format!(
                        "{path} must be given when its unit is {}.",
                        u.as_str()
                    )));
                }
                default_secs / per
            }
        },
    };
    Ok(Some(ValiditySetting { value, unit }))
}

fn token_validity(s: &ClientSettingsInput) -> Result<TokenValidityUnits, CognitoError> {
    let units = s.token_validity_units.clone().unwrap_or_default();
    let id_unit = unit_of(units.id_token.as_deref(), "tokenValidityUnits.idToken")?;
    let access_unit = unit_of(
        units.access_token.as_deref(),
        "tokenValidityUnits.accessToken",
    )?;
    let refresh_unit = unit_of(
        units.refresh_token.as_deref(),
        "tokenValidityUnits.refreshToken",
    )?;
    // A refresh validity of 0 means the default (30 days).
    let refresh_value = s.refresh_token_validity.filter(|v| *v != 0);
    if let Some(v) = s.refresh_token_validity {
        check_range(v, "refreshTokenValidity", 0, 315_360_000)?;
    }
    let tv = TokenValidityUnits {
        id: validity_setting(
            s.id_token_validity,
            id_unit,
            "idTokenValidity",
            (1, 86_400),
            3600,
        )?,
        access: validity_setting(
            s.access_token_validity,
            access_unit,
            "accessTokenValidity",
            (1, 86_400),
            3600,
        )?,
        refresh: validity_setting(
            refresh_value,
            refresh_unit,
            "refreshTokenValidity",
            (1, 315_360_000),
            30 * 86_400,
        )?,
    };
    tv.validity().map_err(|e| match e {
        ValidityError::OutOfRange { kind, min, max, .. } => {
            let name = kind.to_string();
            let mut name_chars = name.chars();
            let cap: String = name_chars
                .next()
                .map(|c| c.to_uppercase().chain(name_chars).collect())
                .unwrap_or_default();
            CognitoError::invalid_parameter(format!(
                "{cap} validity must be between {} and {}.",
                human(min),
                human(max)
            ))
        }
        other => CognitoError::invalid_parameter(format!("Invalid token validity: {other}")),
    })?;
    Ok(tv)
}

fn dedup(list: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in list {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
}

const FLOWS: &[&str] = &[
    "ADMIN_NO_SRP_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY",
    "USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_AUTH",
];

impl UserPools {
    /// Applies the shared client members to `client`; members left out return to defaults.
    fn apply_client_settings(
        &self,
        client: &mut AppClient,
        pool: &UserPool,
        s: &ClientSettingsInput,
        creating: bool,
    ) -> Result<(), CognitoError> {
        let op = if creating { "creating" } else { "updating" };
        if s.analytics_configuration.is_some() {
            return Err(CognitoError::invalid_parameter(
                "AnalyticsConfiguration is not supported by this server.",
            ));
        }
        if s.enable_propagate_additional_user_context_data == Some(true) {
            return Err(CognitoError::invalid_parameter(
                "EnablePropagateAdditionalUserContextData is not supported: this server has no \
                 threat protection.",
            ));
        }
        let token_validity = token_validity(s)?;
        let auth_session = match s.auth_session_validity {
            Some(v) => {
                check_range(v, "authSessionValidity", 3, 15)?;
                u32::try_from(v).unwrap_or(3)
            }
            None => 3,
        };

        let flows = match &s.explicit_auth_flows {
            None => {
                AppClient::new(
                    client.pool.clone(),
                    client.client_id.clone(),
                    "",
                    client.created,
                )
                .explicit_auth_flows
            }
            Some(list) => {
                let mut out: Vec<ExplicitAuthFlow> = Vec::new();
                for f in list {
                    let flow = parse_enum(f, "explicitAuthFlows", FLOWS, ExplicitAuthFlow::parse)?;
                    if !out.contains(&flow) {
                        out.push(flow);
                    }
                }
                if out.iter().any(|f| f.is_legacy()) && out.iter().any(|f| !f.is_legacy()) {
                    return Err(CognitoError::invalid_parameter(
                        "ExplicitAuthFlows cannot mix the legacy values ADMIN_NO_SRP_AUTH, \
                         CUSTOM_AUTH_FLOW_ONLY and USER_PASSWORD_AUTH with ALLOW_ values.",
                    ));
                }
                out
            }
        };

        let prevent = match s.prevent_user_existence_errors.as_deref() {
            None => false,
            Some(v) => {
                one_of(v, "preventUserExistenceErrors", &["LEGACY", "ENABLED"])? == "ENABLED"
            }
        };

        let read = match &s.read_attributes {
            None => None,
            Some(list) => {
                let list = dedup(list);
                for a in &list {
                    check_length(a, "readAttributes.member", 1, 2048)?;
                    if pool.schema_attribute(a).is_none() {
                        return Err(CognitoError::invalid_parameter(format!(
                            "Invalid read attributes specified while {op} a client"
                        )));
                    }
                }
                Some(list)
            }
        };
        let write = match &s.write_attributes {
            None => None,
            Some(list) => {
                let list = dedup(list);
                for a in &list {
                    check_length(a, "writeAttributes.member", 1, 2048)?;
                    let writable = pool
                        .schema_attribute(a)
                        .is_some_and(|attr| attr.mutable && !attr.developer_only && a != "sub");
                    if !writable {
                        return Err(CognitoError::invalid_parameter(format!(
                            "Invalid write attributes specified while {op} a client"
                        )));
                    }
                }
                Some(list)
            }
        };

        let providers = dedup(
            s.supported_identity_providers
                .as_deref()
                .unwrap_or_default(),
        );
        for p in &providers {
            check_length(p, "supportedIdentityProviders.member", 1, 32)?;
            if p != "COGNITO" && self.store().get_identity_provider(&pool.id, p)?.is_none() {
                return Err(CognitoError::invalid_parameter(format!(
                    "The provider {p} does not exist for User Pool {}",
                    pool.id
                )));
            }
        }

        let callbacks = dedup(s.callback_urls.as_deref().unwrap_or_default());
        let logouts = dedup(s.logout_urls.as_deref().unwrap_or_default());
        for (list, path) in [(&callbacks, "callbackURLs"), (&logouts, "logoutURLs")] {
            if list.len() > 100 {
                return Err(validation(format_args!(
                    "Value at '{path}' failed to satisfy constraint: Member must have length \
                     less than or equal to 100"
                )));
            }
            for u in list {
                check_redirect_url(u, &format!("{path}.member"))?;
            }
        }
        if let Some(d) = &s.default_redirect_uri {
            check_redirect_url(d, "defaultRedirectURI")?;
            if !callbacks.contains(d) {
                return Err(CognitoError::invalid_parameter(
                    "DefaultRedirectURI must be one of the CallbackURLs.",
                ));
            }
        }

        let oauth_flows = match &s.allowed_oauth_flows {
            None => Vec::new(),
            Some(list) => {
                if list.len() > 3 {
                    return Err(validation(
                        "Value at 'allowedOAuthFlows' failed to satisfy constraint: Member must \
                         have length less than or equal to 3",
                    ));
                }
                let mut out: Vec<OAuthFlow> = Vec::new();
                for f in list {
                    let flow = parse_enum(
                        f,
                        "allowedOAuthFlows",
                        &["code", "implicit", "client_credentials"],
                        OAuthFlow::parse,
                    )?;
                    if !out.contains(&flow) {
                        out.push(flow);
                    }
                }
                out
            }
        };
        let machine = oauth_flows.contains(&OAuthFlow::ClientCredentials);
        if machine && oauth_flows.len() > 1 {
            return Err(CognitoError::new(
                ErrorKind::InvalidOAuthFlow,
                "client_credentials flow can not be selected along with code flow or implicit \
                 flow.",
            ));
        }
        if machine && client.secret.is_none() {
            return Err(CognitoError::new(
                ErrorKind::InvalidOAuthFlow,
                "client_credentials flow can not be selected if client does not have a client \
                 secret.",
            ));
        }

        let scope_list = dedup(s.allowed_oauth_scopes.as_deref().unwrap_or_default());
        if scope_list.len() > 50 {
            return Err(validation(
                "Value at 'allowedOAuthScopes' failed to satisfy constraint: Member must have \
                 length less than or equal to 50",
            ));
        }
        let mut scopes: Vec<Scope> = Vec::new();
        for raw in &scope_list {
            let scope = Scope::new(raw.as_str()).map_err(|_| {
                validation(
                    "Value at 'allowedOAuthScopes.member' failed to satisfy constraint: Member \
                     must satisfy regular expression pattern: [\\x21\\x23-\\x5B\\x5D-\\x7E]+",
                )
            })?;
            let standard = STANDARD_SCOPES.contains(&raw.as_str());
            if !standard && !self.custom_scope_exists(&pool.id, &scope)? {
                return Err(CognitoError::new(
                    ErrorKind::ScopeDoesNotExist,
                    format!("Invalid scope requested: {raw}"),
                ));
            }
            if machine && standard {
                return Err(CognitoError::new(
                    ErrorKind::InvalidOAuthFlow,
                    "client_credentials flow can only be used with custom scopes of a resource \
                     server.",
                ));
            }
            scopes.push(scope);
        }

        let rotation = match &s.refresh_token_rotation {
            None => None,
            Some(r) => {
                let feature = require(r.feature.as_deref(), "refreshTokenRotation.feature")?;
                let feature = one_of(
                    feature,
                    "refreshTokenRotation.feature",
                    &["ENABLED", "DISABLED"],
                )?;
                let grace = match r.retry_grace_period_seconds {
                    Some(g) => {
                        check_range(g, "refreshTokenRotation.retryGracePeriodSeconds", 0, 60)?;
                        u32::try_from(g).unwrap_or(0)
                    }
                    None => 0,
                };
                Some(RefreshTokenRotation {
                    enabled: feature == "ENABLED",
                    retry_grace_period_seconds: grace,
                })
            }
        };

        client.explicit_auth_flows = flows;
        client.token_validity = token_validity;
        client.auth_session_validity_minutes = auth_session;
        client.enable_token_revocation = s.enable_token_revocation.unwrap_or(true);
        client.prevent_user_existence_errors = prevent;
        client.read_attributes = read;
        client.write_attributes = write;
        client.allowed_oauth_flows = oauth_flows;
        client.allowed_oauth_scopes = scopes;
        client.allowed_oauth_flows_user_pool_client =
            s.allowed_oauth_flows_user_pool_client.unwrap_or(false);
        client.callback_urls = callbacks;
        client.logout_urls = logouts;
        client.default_redirect_uri = s.default_redirect_uri.clone();
        client.supported_identity_providers = providers;
        client.refresh_token_rotation = rotation;
        Ok(())
    }

    /// Whether `identifier/name` is a scope of one of the pool's resource servers.
    fn custom_scope_exists(&self, pool: &UserPoolId, scope: &Scope) -> Result<bool, CognitoError> {
        let Some((identifier, name)) = scope.resource_server() else {
            return Ok(false);
        };
        Ok(self
            .store()
            .get_resource_server(pool, identifier)?
            .is_some_and(|rs| rs.scopes.iter().any(|s| s.name == name)))
    }

    /// A new client secret: 51 lower-case letters and digits from the engine's random source.
    fn generate_client_secret(&self) -> Result<Secret<String>, CognitoError> {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        // 252 = 7 * 36: bytes from 252 up are rejected, so every symbol is equally likely.
        let mut out = String::with_capacity(GENERATED_SECRET_LEN);
        let mut buf = [0u8; 64];
        while out.len() < GENERATED_SECRET_LEN {
            self.rng().fill(&mut buf).map_err(|_| {
                tracing::error!("random source failed");
                CognitoError::internal()
            })?;
            for b in buf {
                if out.len() == GENERATED_SECRET_LEN {
                    break;
                }
                if b < 252 {
                    if let Some(c) = ALPHABET.get(usize::from(b % 36)) {
                        out.push(char::from(*c));
                    }
                }
            }
        }
        Ok(Secret::new(out))
    }

    /// The API shape of an app client (with its secret).
    pub fn user_pool_client_type(client: &AppClient) -> UserPoolClientType {
        let tv = &client.token_validity;
        let units = TokenValidityUnitsType {
            access_token: tv
                .access
                .and_then(|s| s.unit)
                .map(|u| u.as_str().to_owned()),
            id_token: tv.id.and_then(|s| s.unit).map(|u| u.as_str().to_owned()),
            refresh_token: tv
                .refresh
                .and_then(|s| s.unit)
                .map(|u| u.as_str().to_owned()),
        };
        let any_unit = units.access_token.is_some()
            || units.id_token.is_some()
            || units.refresh_token.is_some();
        UserPoolClientType {
            user_pool_id: client.pool.to_string(),
            client_name: client.name.clone(),
            client_id: client.client_id.to_string(),
            client_secret: client.secret.as_ref().map(|s| s.expose().clone()),
            last_modified_date: epoch(client.modified),
            creation_date: epoch(client.created),
            refresh_token_validity: tv.refresh.map_or(30, |s| s.value),
            access_token_validity: tv.access.map(|s| s.value),
            id_token_validity: tv.id.map(|s| s.value),
            token_validity_units: any_unit.then_some(units),
            read_attributes: client.read_attributes.clone(),
            write_attributes: client.write_attributes.clone(),
            explicit_auth_flows: client
                .explicit_auth_flows
                .iter()
                .map(|f| f.as_str())
                .collect(),
            supported_identity_providers: client.supported_identity_providers.clone(),
            callback_urls: client.callback_urls.clone(),
            logout_urls: client.logout_urls.clone(),
            default_redirect_uri: client.default_redirect_uri.clone(),
            allowed_oauth_flows: client
                .allowed_oauth_flows
                .iter()
                .map(|f| f.as_str())
                .collect(),
            allowed_oauth_scopes: client
                .allowed_oauth_scopes
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            allowed_oauth_flows_user_pool_client: client.allowed_oauth_flows_user_pool_client,
            prevent_user_existence_errors: if client.prevent_user_existence_errors {
                "ENABLED"
            } else {
                "LEGACY"
            },
            enable_token_revocation: client.enable_token_revocation,
            enable_propagate_additional_user_context_data: false,
            auth_session_validity: client.auth_session_validity_minutes,
            refresh_token_rotation: client.refresh_token_rotation.map(|r| {
                RefreshTokenRotationType {
                    feature: Some(if r.enabled { "ENABLED" } else { "DISABLED" }.to_owned()),
                    retry_grace_period_seconds: Some(i64::from(r.retry_grace_period_seconds)),
                }
            }),
        }
    }

    /// CreateUserPoolClient.
    pub fn create_user_pool_client(
        &self,
        req: CreateUserPoolClientRequest,
    ) -> Result<UserPoolClientResponse, CognitoError> {
        let pool = self.pool(require(req.user_pool_id.as_deref(), "userPoolId")?)?;
        let name = require(req.client_name, "clientName")?;
        check_client_name(&name)?;
        let secret = match (req.generate_secret.unwrap_or(false), req.client_secret) {
            (true, Some(_)) => {
                return Err(CognitoError::invalid_parameter(
                    "You cannot specify both GenerateSecret as true and a ClientSecret.",
                ))
            }
            (false, Some(s)) => {
                check_length(&s, "clientSecret", 24, 64)?;
                check_pattern(&s, "clientSecret", "[\\w+]+", |c| is_word(c) || c == '+')?;
                Some(Secret::new(s))
            }
            (true, None) => Some(self.generate_client_secret()?),
            (false, None) => None,
        };
        let now = self.now();
        let new_id = || {
            ClientId::generate(self.rng()).map_err(|_| {
                tracing::error!("random source failed");
                CognitoError::internal()
            })
        };
        let mut client = AppClient::new(pool.id.clone(), new_id()?, name, now);
        client.secret = secret;
        self.apply_client_settings(&mut client, &pool, &req.settings, true)?;
        let mut attempts = 0;
        loop {
            match self.store().create_client(&client) {
                Ok(()) => break,
                Err(StoreError::Conflict(Conflict::Client)) if attempts < 3 => {
                    attempts += 1;
                    client.client_id = new_id()?;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(UserPoolClientResponse {
            user_pool_client: Self::user_pool_client_type(&client),
        })
    }

    /// DescribeUserPoolClient.
    pub fn describe_user_pool_client(
        &self,
        req: UserPoolClientIdRequest,
    ) -> Result<UserPoolClientResponse, CognitoError> {
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        let client = self.client_in_pool(&pool, &require(req.client_id, "clientId")?)?;
        Ok(UserPoolClientResponse {
            user_pool_client: Self::user_pool_client_type(&client),
        })
    }

    /// UpdateUserPoolClient: members left out return to their defaults; the name and the
    /// secret are kept.
    pub fn update_user_pool_client(
        &self,
        req: UpdateUserPoolClientRequest,
    ) -> Result<UserPoolClientResponse, CognitoError> {
        let pool = self.pool(require(req.user_pool_id.as_deref(), "userPoolId")?)?;
        let mut client = self.client_in_pool(&pool, &require(req.client_id, "clientId")?)?;
        if let Some(name) = req.client_name {
            check_client_name(&name)?;
            client.name = name;
        }
        self.apply_client_settings(&mut client, &pool, &req.settings, false)?;
        client.modified = self.now();
        self.store().update_client(&client)?;
        Ok(UserPoolClientResponse {
            user_pool_client: Self::user_pool_client_type(&client),
        })
    }

    /// DeleteUserPoolClient.
    pub fn delete_user_pool_client(
        &self,
        req: UserPoolClientIdRequest,
    ) -> Result<EmptyResponse, CognitoError> {
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        let id = require(req.client_id, "clientId")?;
        let client = self.client_in_pool(&pool, &id)?;
        if !self.store().delete_client(&pool.id, &client.client_id)? {
            return Err(CognitoError::not_found(format!(
                "User pool client {id} does not exist."
            )));
        }
        Ok(EmptyResponse {})
    }

    /// ListUserPoolClients, in client-ID order.
    pub fn list_user_pool_clients(
        &self,
        req: ListUserPoolClientsRequest,
    ) -> Result<ListUserPoolClientsResponse, CognitoError> {
        let pool = self.pool(&require(req.user_pool_id, "userPoolId")?)?;
        let limit = page_limit(req.max_results, "maxResults", 1, 60, 60)?;
        let after = page_after("clients", req.next_token.as_deref())?;
        let clients =
            self.store()
                .list_clients(&pool.id, after.as_deref(), limit.saturating_add(1))?;
        let (clients, next_token) =
            finish_page(clients, limit, "clients", |c| c.client_id.to_string());
        Ok(ListUserPoolClientsResponse {
            user_pool_clients: clients
                .iter()
                .map(|c| UserPoolClientDescription {
                    client_id: c.client_id.to_string(),
                    user_pool_id: c.pool.to_string(),
                    client_name: c.name.clone(),
                })
                .collect(),
            next_token,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_urls() {
        for ok in [
            "https://app.example.com/cb",
            "http://localhost:3000/cb",
            "http://127.0.0.1/cb",
            "http://[::1]:8080/cb",
            "myapp://callback",
            "com.example.app:/oauth",
        ] {
            assert!(check_redirect_url(ok, "u").is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com/cb",
            "https://app.example.com/cb#frag",
            "/relative",
            "https://",
            "https://user@evil.example/cb",
            "http://localhost.evil.example/cb",
            "1nvalid://x",
        ] {
            assert!(check_redirect_url(bad, "u").is_err(), "{bad}");
        }
    }
}
