//! The `--config` file of `cognate serve` (TOML).
//!
//! ```toml
//! # The URL clients reach this server at (default: http://{listen address}). Issuers and the
//! # JWKS URL are built from it.
//! public_url = "http://localhost:9229"
//! # The region of pools made by CreateUserPool (their IDs are {region}_...; default us-east-1).
//! region = "eu-west-1"
//!
//! # IAM-style keys that may sign admin calls (SigV4). Without any, the admin API is open on
//! # loopback only (dev mode), and the server refuses to listen elsewhere.
//! [[access_keys]]
//! id = "AKIDLOCAL"
//! secret = "a-long-random-secret"
//!
//! [[pools]]
//! id = "us-east-1_Example1"          # fixed ID: tokens and clients survive restarts
//! name = "example"
//! issuer = "cognito"                 # or a URL; default {public_url}/{id}
//! username_attributes = ["email"]    # or alias_attributes = ["email", ...]
//! auto_verified_attributes = ["email"]
//! mfa = "OPTIONAL"                   # OFF (default), OPTIONAL, ON (TOTP)
//!
//! [[pools.clients]]
//! id = "localclient"                 # default: generated once, then found by name
//! name = "web"
//! secret = "..."                     # optional
//! auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
//!
//! [[pools.groups]]
//! name = "admins"
//! description = "Administrators"
//! precedence = 1
//!
//! [[pools.users]]
//! username = "alice@example.com"
//! password = "Passw0rd!"             # permanent; or temporary_password = "..."
//! attributes = { email = "alice@example.com", email_verified = "true" }
//! groups = ["admins"]
//!
//! [[pools.resource_servers]]
//! identifier = "https://api.example.com"
//! name = "api"
//! scopes = { read = "Read access", write = "Write access" }
//!
//! [[pools.identity_providers]]
//! name = "Corp"
//! type = "OIDC"
//! details = { client_id = "...", oidc_issuer = "https://idp.example.com", authorize_scopes = "openid email" }
//! attribute_mapping = { email = "email" }
//! ```
//!
//! Everything is applied at start, idempotently: what is missing is created, what exists is
//! left as it is (a user's password is not reset, a client's settings are not changed).

use std::collections::BTreeMap;
use std::path::Path;

use cognate_types::Secret;
use serde::Deserialize;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    /// The URL clients use to reach the server.
    pub(crate) public_url: Option<String>,
    /// The region of pools created through the API.
    pub(crate) region: Option<String>,
    /// Keys accepted on SigV4-signed admin calls.
    #[serde(default)]
    pub(crate) access_keys: Vec<AccessKey>,
    /// Pools to create when missing.
    #[serde(default)]
    pub(crate) pools: Vec<PoolSpec>,
}

/// An access key pair for SigV4.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccessKey {
    /// The access key ID.
    pub(crate) id: String,
    /// The secret access key.
    pub(crate) secret: Secret<String>,
}

/// A user pool.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PoolSpec {
    /// The pool ID, `{region}_{suffix}`.
    pub(crate) id: String,
    /// The pool name (default: the ID).
    pub(crate) name: Option<String>,
    /// `"cognito"` for Cognito's issuer form, or an issuer URL. Default: under `public_url`.
    pub(crate) issuer: Option<String>,
    /// `email` and/or `phone_number`: sign in with these instead of a username.
    #[serde(default)]
    pub(crate) username_attributes: Vec<String>,
    /// `email`, `phone_number`, `preferred_username`: sign in with these as well.
    #[serde(default)]
    pub(crate) alias_attributes: Vec<String>,
    /// `email` and/or `phone_number`: verified by a code on sign-up.
    #[serde(default)]
    pub(crate) auto_verified_attributes: Vec<String>,
    /// `OFF`, `OPTIONAL` or `ON`.
    pub(crate) mfa: Option<String>,
    /// The domain prefix of the hosted sign-in pages and OAuth endpoints
    /// (`{base}/{domain}/oauth2/authorize`...).
    pub(crate) domain: Option<String>,
    /// App clients.
    #[serde(default)]
    pub(crate) clients: Vec<ClientSpec>,
    /// Groups.
    #[serde(default)]
    pub(crate) groups: Vec<GroupSpec>,
    /// Users.
    #[serde(default)]
    pub(crate) users: Vec<UserSpec>,
    /// Resource servers (custom scopes).
    #[serde(default)]
    pub(crate) resource_servers: Vec<ResourceServerSpec>,
    /// Identity providers.
    #[serde(default)]
    pub(crate) identity_providers: Vec<IdpSpec>,
}

/// An app client.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClientSpec {
    /// A fixed client ID (default: generated when created, found by name afterwards).
    pub(crate) id: Option<String>,
    /// The client name.
    pub(crate) name: String,
    /// A client secret (default: none).
    pub(crate) secret: Option<Secret<String>>,
    /// `ExplicitAuthFlows` (default: Cognito's, refresh + SRP + custom).
    pub(crate) auth_flows: Option<Vec<String>>,
    /// OAuth callback URLs.
    #[serde(default)]
    pub(crate) callback_urls: Vec<String>,
    /// OAuth sign-out URLs.
    #[serde(default)]
    pub(crate) logout_urls: Vec<String>,
    /// `code`, `implicit`, `client_credentials`.
    #[serde(default)]
    pub(crate) oauth_flows: Vec<String>,
    /// OAuth scopes.
    #[serde(default)]
    pub(crate) oauth_scopes: Vec<String>,
    /// `SupportedIdentityProviders` (`COGNITO` and IdP names).
    #[serde(default)]
    pub(crate) identity_providers: Vec<String>,
}

/// A group.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GroupSpec {
    /// The group name.
    pub(crate) name: String,
    /// A description.
    pub(crate) description: Option<String>,
    /// The precedence (lower wins).
    pub(crate) precedence: Option<u32>,
    /// An IAM role ARN.
    pub(crate) role_arn: Option<String>,
}

/// A user.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserSpec {
    /// The username (an e-mail address or phone number in pools that sign in with those).
    pub(crate) username: String,
    /// A permanent password: the user is `CONFIRMED`.
    pub(crate) password: Option<Secret<String>>,
    /// A temporary password: the user must choose a new one (`FORCE_CHANGE_PASSWORD`).
    pub(crate) temporary_password: Option<Secret<String>>,
    /// Attributes, e.g. `{ email = "a@example.com", email_verified = "true" }`.
    #[serde(default)]
    pub(crate) attributes: BTreeMap<String, String>,
    /// Groups (declared in the pool) the user belongs to.
    #[serde(default)]
    pub(crate) groups: Vec<String>,
}

/// A resource server.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResourceServerSpec {
    /// The identifier (scope prefix), e.g. `https://api.example.com`.
    pub(crate) identifier: String,
    /// The name.
    pub(crate) name: String,
    /// Scope name to description.
    #[serde(default)]
    pub(crate) scopes: BTreeMap<String, String>,
}

/// An identity provider.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IdpSpec {
    /// The provider name.
    pub(crate) name: String,
    /// `SAML`, `OIDC`, `Google`, `Facebook`, `LoginWithAmazon`, `SignInWithApple`.
    #[serde(rename = "type")]
    pub(crate) provider_type: String,
    /// `ProviderDetails`.
    #[serde(default)]
    pub(crate) details: BTreeMap<String, String>,
    /// `AttributeMapping` (user pool attribute to provider attribute).
    #[serde(default)]
    pub(crate) attribute_mapping: BTreeMap<String, String>,
    /// `IdpIdentifiers`.
    #[serde(default)]
    pub(crate) identifiers: Vec<String>,
}

/// The config file could not be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConfigError {
    /// Reading failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not valid TOML, or not this schema.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// The parser's message (without the file's contents).
        message: String,
    },
}

impl Config {
    /// Reads and parses a config file.
    pub(crate) fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let config = Self::parse(&text).map_err(|message| ConfigError::Parse {
            path: path.display().to_string(),
            message,
        })?;
        if !config.access_keys.is_empty() {
            warn_if_readable_by_others(path);
        }
        Ok(config)
    }

    /// Parses a config file's text.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        // toml's error Display quotes the offending line, which may hold a secret: report the
        // position and the message only.
        toml::from_str(text).map_err(|e| match e.span() {
            Some(span) => {
                let line = text
                    .get(..span.start)
                    .map_or(0, |t| t.matches('\n').count() + 1);
                format!("line {line}: {}", e.message())
            }
            None => e.message().to_owned(),
        })
    }
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(
                file = %path.display(),
                "the config file holds access keys and is readable by other users (chmod 600 it)"
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_parses() {
        let doc: String = include_str!("config.rs")
            .lines()
            .skip_while(|l| !l.starts_with("//! ```toml"))
            .skip(1)
            .take_while(|l| !l.starts_with("//! ```"))
            .map(|l| l.strip_prefix("//!").unwrap_or(l).trim_start_matches(' '))
            .collect::<Vec<_>>()
            .join("\n");
        let c = Config::parse(&doc).unwrap();
        assert_eq!(c.public_url.as_deref(), Some("http://localhost:9229"));
        assert_eq!(c.region.as_deref(), Some("eu-west-1"));
        assert_eq!(c.access_keys.len(), 1);
        assert_eq!(c.access_keys[0].secret.expose(), "a-long-random-secret");
        let p = &c.pools[0];
        assert_eq!(p.id, "us-east-1_Example1");
        assert_eq!(p.clients[0].id.as_deref(), Some("localclient"));
        assert_eq!(p.users[0].groups, ["admins"]);
        assert_eq!(p.users[0].attributes["email_verified"], "true");
        assert_eq!(p.resource_servers[0].scopes.len(), 2);
        assert_eq!(p.identity_providers[0].provider_type, "OIDC");
    }

    #[test]
    fn unknown_keys_are_refused_without_echoing_values() {
        let e = Config::parse("[[access_keys]]\nid = \"A\"\nsecret = \"s3cr3t\"\nsecrte = \"x\"\n")
            .unwrap_err();
        assert!(e.contains("line 4"), "{e}");
        assert!(e.contains("secrte"), "{e}");
        assert!(!e.contains("s3cr3t"), "{e}");
    }

    #[test]
    fn empty_file_is_an_empty_config() {
        let c = Config::parse("").unwrap();
        assert!(c.access_keys.is_empty() && c.pools.is_empty() && c.public_url.is_none());
    }
}
