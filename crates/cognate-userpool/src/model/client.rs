use cognate_jwt::{TokenValidity, ValidityError, ValidityUnit};
use cognate_types::{ClientId, Scope, Secret, UnixTime, UserPoolId};
use serde::{Deserialize, Serialize};

/// A sign-in flow an app client allows (`ExplicitAuthFlows`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExplicitAuthFlow {
    /// `ALLOW_USER_AUTH` (choice-based sign-in).
    AllowUserAuth,
    /// `ALLOW_ADMIN_USER_PASSWORD_AUTH`.
    AllowAdminUserPasswordAuth,
    /// `ALLOW_CUSTOM_AUTH`.
    AllowCustomAuth,
    /// `ALLOW_USER_PASSWORD_AUTH`.
    AllowUserPasswordAuth,
    /// `ALLOW_USER_SRP_AUTH`.
    AllowUserSrpAuth,
    /// `ALLOW_REFRESH_TOKEN_AUTH`.
    AllowRefreshTokenAuth,
    /// Legacy `ADMIN_NO_SRP_AUTH` (same as `ALLOW_ADMIN_USER_PASSWORD_AUTH`).
    AdminNoSrpAuth,
    /// Legacy `CUSTOM_AUTH_FLOW_ONLY`.
    CustomAuthFlowOnly,
    /// Legacy `USER_PASSWORD_AUTH`.
    UserPasswordAuth,
}

impl ExplicitAuthFlow {
    /// The API value.
    pub fn as_str(self) -> &'static str {
        match self {
            ExplicitAuthFlow::AllowUserAuth => "ALLOW_USER_AUTH",
            ExplicitAuthFlow::AllowAdminUserPasswordAuth => "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            ExplicitAuthFlow::AllowCustomAuth => "ALLOW_CUSTOM_AUTH",
            ExplicitAuthFlow::AllowUserPasswordAuth => "ALLOW_USER_PASSWORD_AUTH",
            ExplicitAuthFlow::AllowUserSrpAuth => "ALLOW_USER_SRP_AUTH",
            ExplicitAuthFlow::AllowRefreshTokenAuth => "ALLOW_REFRESH_TOKEN_AUTH",
            ExplicitAuthFlow::AdminNoSrpAuth => "ADMIN_NO_SRP_AUTH",
            ExplicitAuthFlow::CustomAuthFlowOnly => "CUSTOM_AUTH_FLOW_ONLY",
            ExplicitAuthFlow::UserPasswordAuth => "USER_PASSWORD_AUTH",
        }
    }

    /// Parses the API value.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "ALLOW_USER_AUTH" => Self::AllowUserAuth,
            "ALLOW_ADMIN_USER_PASSWORD_AUTH" => Self::AllowAdminUserPasswordAuth,
            "ALLOW_CUSTOM_AUTH" => Self::AllowCustomAuth,
            "ALLOW_USER_PASSWORD_AUTH" => Self::AllowUserPasswordAuth,
            "ALLOW_USER_SRP_AUTH" => Self::AllowUserSrpAuth,
            "ALLOW_REFRESH_TOKEN_AUTH" => Self::AllowRefreshTokenAuth,
            "ADMIN_NO_SRP_AUTH" => Self::AdminNoSrpAuth,
            "CUSTOM_AUTH_FLOW_ONLY" => Self::CustomAuthFlowOnly,
            "USER_PASSWORD_AUTH" => Self::UserPasswordAuth,
            _ => return None,
        })
    }

    /// Whether this is one of the legacy names (which cannot be mixed with `ALLOW_*`).
    pub fn is_legacy(self) -> bool {
        matches!(
            self,
            Self::AdminNoSrpAuth | Self::CustomAuthFlowOnly | Self::UserPasswordAuth
        )
    }
}

/// An OAuth grant an app client allows (`AllowedOAuthFlows`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OAuthFlow {
    /// `code`.
    Code,
    /// `implicit`.
    Implicit,
    /// `client_credentials`.
    ClientCredentials,
}

impl OAuthFlow {
    /// The API value.
    pub fn as_str(self) -> &'static str {
        match self {
            OAuthFlow::Code => "code",
            OAuthFlow::Implicit => "implicit",
            OAuthFlow::ClientCredentials => "client_credentials",
        }
    }

    /// Parses the API value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "code" => Some(Self::Code),
            "implicit" => Some(Self::Implicit),
            "client_credentials" => Some(Self::ClientCredentials),
            _ => None,
        }
    }
}

/// One token lifetime setting as the API carries it: a number and, in `TokenValidityUnits`, its
/// unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValiditySetting {
    /// The number.
    pub value: u64,
    /// Its unit (`None`: the API's default unit for this token).
    pub unit: Option<ValidityUnitName>,
}

/// A serialisable [`ValidityUnit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ValidityUnitName {
    /// Seconds.
    Seconds,
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
    /// Days.
    Days,
}

impl From<ValidityUnitName> for ValidityUnit {
    fn from(u: ValidityUnitName) -> Self {
        match u {
            ValidityUnitName::Seconds => ValidityUnit::Seconds,
            ValidityUnitName::Minutes => ValidityUnit::Minutes,
            ValidityUnitName::Hours => ValidityUnit::Hours,
            ValidityUnitName::Days => ValidityUnit::Days,
        }
    }
}

impl ValidityUnitName {
    /// The API value.
    pub fn as_str(self) -> &'static str {
        match self {
            ValidityUnitName::Seconds => "seconds",
            ValidityUnitName::Minutes => "minutes",
            ValidityUnitName::Hours => "hours",
            ValidityUnitName::Days => "days",
        }
    }

    /// Parses the API value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "seconds" => Some(Self::Seconds),
            "minutes" => Some(Self::Minutes),
            "hours" => Some(Self::Hours),
            "days" => Some(Self::Days),
            _ => None,
        }
    }
}

/// The three token lifetimes of a client as configured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenValidityUnits {
    /// `IdTokenValidity` (default unit hours).
    pub id: Option<ValiditySetting>,
    /// `AccessTokenValidity` (default unit hours).
    pub access: Option<ValiditySetting>,
    /// `RefreshTokenValidity` (default unit days).
    pub refresh: Option<ValiditySetting>,
}

impl TokenValidityUnits {
    /// The lifetimes these settings give, checked against Cognito's ranges.
    pub fn validity(&self) -> Result<TokenValidity, ValidityError> {
        let conv = |s: Option<ValiditySetting>| s.map(|s| (s.value, s.unit.map(Into::into)));
        TokenValidity::from_settings(conv(self.id), conv(self.access), conv(self.refresh))
    }
}

/// Refresh-token rotation (`RefreshTokenRotation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshTokenRotation {
    /// Whether each refresh returns a new refresh token and retires the old one.
    pub enabled: bool,
    /// Seconds the old token stays usable after rotation, 0 to 60.
    pub retry_grace_period_seconds: u32,
}

/// An app client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppClient {
    /// The pool.
    pub pool: UserPoolId,
    /// The client ID (26 characters when generated).
    pub client_id: ClientId,
    /// The client name.
    pub name: String,
    /// The client secret, for confidential clients.
    #[serde(serialize_with = "super::stored_secret::option::serialize", default)]
    pub secret: Option<Secret<String>>,
    /// The sign-in flows the client allows.
    pub explicit_auth_flows: Vec<ExplicitAuthFlow>,
    /// Token lifetimes.
    #[serde(default)]
    pub token_validity: TokenValidityUnits,
    /// How long a challenge session lasts, 3 to 15 minutes (default 3).
    pub auth_session_validity_minutes: u32,
    /// Whether refresh tokens can be revoked (and tokens carry `origin_jti`).
    pub enable_token_revocation: bool,
    /// `PreventUserExistenceErrors = ENABLED`.
    pub prevent_user_existence_errors: bool,
    /// Attributes the client may read (`None`: all).
    #[serde(default)]
    pub read_attributes: Option<Vec<String>>,
    /// Attributes the client may write (`None`: all mutable ones).
    #[serde(default)]
    pub write_attributes: Option<Vec<String>>,
    /// OAuth grants.
    #[serde(default)]
    pub allowed_oauth_flows: Vec<OAuthFlow>,
    /// OAuth scopes.
    #[serde(default)]
    pub allowed_oauth_scopes: Vec<Scope>,
    /// Whether the client uses the OAuth endpoints.
    #[serde(default)]
    pub allowed_oauth_flows_user_pool_client: bool,
    /// Registered redirect URIs.
    #[serde(default)]
    pub callback_urls: Vec<String>,
    /// Registered sign-out URIs.
    #[serde(default)]
    pub logout_urls: Vec<String>,
    /// The default redirect URI.
    #[serde(default)]
    pub default_redirect_uri: Option<String>,
    /// Identity providers the client may use (`COGNITO` for the pool's own users).
    #[serde(default)]
    pub supported_identity_providers: Vec<String>,
    /// Refresh-token rotation, when configured.
    #[serde(default)]
    pub refresh_token_rotation: Option<RefreshTokenRotation>,
    /// When the client was created.
    pub created: UnixTime,
    /// When the client was last changed.
    pub modified: UnixTime,
}

impl AppClient {
    /// A client with Cognito's API defaults.
    pub fn new(
        pool: UserPoolId,
        client_id: ClientId,
        name: impl Into<String>,
        now: UnixTime,
    ) -> Self {
        Self {
            pool,
            client_id,
            name: name.into(),
            secret: None,
            explicit_auth_flows: vec![
                ExplicitAuthFlow::AllowRefreshTokenAuth,
                ExplicitAuthFlow::AllowUserSrpAuth,
                ExplicitAuthFlow::AllowCustomAuth,
            ],
            token_validity: TokenValidityUnits::default(),
            auth_session_validity_minutes: 3,
            enable_token_revocation: true,
            prevent_user_existence_errors: false,
            read_attributes: None,
            write_attributes: None,
            allowed_oauth_flows: Vec::new(),
            allowed_oauth_scopes: Vec::new(),
            allowed_oauth_flows_user_pool_client: false,
            callback_urls: Vec::new(),
            logout_urls: Vec::new(),
            default_redirect_uri: None,
            supported_identity_providers: Vec::new(),
            refresh_token_rotation: None,
            created: now,
            modified: now,
        }
    }

    /// Whether the client allows a flow, treating the legacy names as their `ALLOW_*` twins.
    pub fn allows(&self, flow: ExplicitAuthFlow) -> bool {
        use ExplicitAuthFlow as F;
        self.explicit_auth_flows.iter().any(|f| {
            *f == flow
                || matches!(
                    (*f, flow),
                    (F::AdminNoSrpAuth, F::AllowAdminUserPasswordAuth)
                        | (F::UserPasswordAuth, F::AllowUserPasswordAuth)
                )
        }) || (flow == F::AllowRefreshTokenAuth
            && self.explicit_auth_flows.iter().any(|f| f.is_legacy()))
    }

    /// Whether refresh-token rotation is on.
    pub fn rotates_refresh_tokens(&self) -> bool {
        self.refresh_token_rotation.is_some_and(|r| r.enabled)
    }
}
