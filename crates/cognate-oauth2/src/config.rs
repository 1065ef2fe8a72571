//! The server's settings.

use std::fmt;
use std::time::Duration;

use cognate_types::{IssuerUrl, Secret};
use thiserror::Error;
use url::Url;

/// Settings of one authorization server (one user-pool domain).
#[derive(Clone)]
pub struct ServerConfig {
    base_url: Url,
    issuer: IssuerUrl,
    jwks_uri: String,
    /// How long an authorization code can be redeemed. Cognito: 5 minutes.
    pub code_lifetime: Duration,
    /// How long the managed-login session cookie signs the browser in again without a prompt.
    /// Cognito: 1 hour.
    pub session_lifetime: Duration,
    /// Key for the anti-CSRF tokens and the integrity of the pages' hidden state.
    cookie_key: Secret<[u8; 32]>,
    /// The `scopes_supported` of the discovery document.
    pub scopes_supported: Vec<String>,
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("base_url", &self.base_url.as_str())
            .field("issuer", &self.issuer)
            .field("jwks_uri", &self.jwks_uri)
            .field("code_lifetime", &self.code_lifetime)
            .field("session_lifetime", &self.session_lifetime)
            .finish_non_exhaustive()
    }
}

/// A setting is unusable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The base URL is not an absolute `http(s)` URL without query or fragment.
    #[error("base URL must be an absolute http(s) URL without query or fragment: {0}")]
    BaseUrl(String),
}

impl ServerConfig {
    /// Settings for endpoints under `base_url` (`https://auth.example.com`, or a path prefix
    /// such as `http://127.0.0.1:9229/mydomain`), tokens issued by `issuer` with keys at
    /// `jwks_uri`. `cookie_key` must be secret and the same on every node.
    pub fn new(
        base_url: &str,
        issuer: IssuerUrl,
        jwks_uri: impl Into<String>,
        cookie_key: Secret<[u8; 32]>,
    ) -> Result<Self, ConfigError> {
        let trimmed = base_url.trim_end_matches('/');
        let url = Url::parse(trimmed).map_err(|_| ConfigError::BaseUrl(base_url.to_owned()))?;
        if !matches!(url.scheme(), "http" | "https")
            || url.query().is_some()
            || url.fragment().is_some()
            || url.host_str().is_none()
        {
            return Err(ConfigError::BaseUrl(base_url.to_owned()));
        }
        Ok(Self {
            base_url: url,
            issuer,
            jwks_uri: jwks_uri.into(),
            code_lifetime: Duration::from_secs(300),
            session_lifetime: Duration::from_secs(3600),
            cookie_key,
            scopes_supported: ["openid", "email", "phone", "profile"]
                .map(str::to_owned)
                .to_vec(),
        })
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.base_url.as_str().trim_end_matches('/')
    }

    /// The path under which the endpoints live (`""` for a whole host, `/mydomain` for a
    /// prefix).
    pub fn base_path(&self) -> &str {
        self.base_url.path().trim_end_matches('/')
    }

    /// The URL of an endpoint path such as `/oauth2/token`.
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }

    /// The token issuer.
    pub fn issuer(&self) -> &IssuerUrl {
        &self.issuer
    }

    /// The JWKS URL.
    pub fn jwks_uri(&self) -> &str {
        &self.jwks_uri
    }

    /// Whether the endpoints are served over HTTPS (cookies are then `Secure`).
    pub fn is_https(&self) -> bool {
        self.base_url.scheme() == "https"
    }

    pub(crate) fn cookie_key(&self) -> &[u8; 32] {
        self.cookie_key.expose()
    }

    /// The path cookies are scoped to.
    pub(crate) fn cookie_path(&self) -> &str {
        match self.base_path() {
            "" => "/",
            p => p,
        }
    }
}
