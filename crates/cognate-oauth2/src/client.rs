//! App clients as the authorization server sees them.

use cognate_types::{ClientId, Scopes, Secret};

/// The OAuth grants a client may use (`AllowedOAuthFlows`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OAuthFlows {
    /// `code`: the authorization code grant.
    pub code: bool,
    /// `implicit`: tokens in the redirect's fragment.
    pub implicit: bool,
    /// `client_credentials`: machine tokens with custom scopes.
    pub client_credentials: bool,
}

/// An app client of the pool.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    /// The client ID.
    pub client_id: ClientId,
    /// The client's name (shown on the managed-login pages).
    pub name: String,
    /// The client secret, for confidential clients.
    pub secret: Option<Secret<String>>,
    /// Whether the client may use the OAuth endpoints at all
    /// (`AllowedOAuthFlowsUserPoolClient`).
    pub oauth_enabled: bool,
    /// The allowed grants.
    pub flows: OAuthFlows,
    /// The scopes the client may be granted (`AllowedOAuthScopes`).
    pub scopes: Scopes,
    /// Registered redirect URIs (`CallbackURLs`), compared exactly.
    pub callback_urls: Vec<String>,
    /// Registered sign-out URIs (`LogoutURLs`).
    pub logout_urls: Vec<String>,
    /// Used when an authorization request has no `redirect_uri` (`DefaultRedirectURI`).
    pub default_redirect_uri: Option<String>,
    /// Identity providers the client may sign in with (`SupportedIdentityProviders`;
    /// `COGNITO` is the pool's own users).
    pub identity_providers: Vec<String>,
    /// Whether `/oauth2/revoke` is enabled for the client (`EnableTokenRevocation`).
    pub token_revocation: bool,
}

impl OAuthClient {
    /// The provider name of the pool's own users.
    pub const COGNITO: &'static str = "COGNITO";

    /// Whether the client signs users in with the pool's own directory (the managed-login
    /// pages).
    pub fn supports_cognito(&self) -> bool {
        self.identity_providers.iter().any(|p| p == Self::COGNITO)
    }

    /// Whether the client may use `provider`.
    pub fn supports_provider(&self, provider: &str) -> bool {
        self.identity_providers.iter().any(|p| p == provider)
    }
}
