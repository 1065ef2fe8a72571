use std::collections::BTreeMap;

use cognate_types::{ProviderName, UnixTime, UserPoolId};
use serde::{Deserialize, Serialize};

/// A scope a resource server defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceServerScope {
    /// The scope name (the part after `identifier/`).
    pub name: String,
    /// Its description.
    pub description: String,
}

/// A resource server: an API with custom scopes `{identifier}/{scope}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceServer {
    /// The pool.
    pub pool: UserPoolId,
    /// The identifier (often a URL), 1 to 256 characters.
    pub identifier: String,
    /// A friendly name.
    pub name: String,
    /// The custom scopes.
    pub scopes: Vec<ResourceServerScope>,
}

/// The kind of an identity provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IdpType {
    /// A SAML 2.0 IdP.
    #[serde(rename = "SAML")]
    Saml,
    /// An OpenID Connect IdP.
    #[serde(rename = "OIDC")]
    Oidc,
    /// Facebook.
    Facebook,
    /// Google.
    Google,
    /// Login with Amazon.
    LoginWithAmazon,
    /// Sign in with Apple.
    SignInWithApple,
}

impl IdpType {
    /// The API value.
    pub fn as_str(self) -> &'static str {
        match self {
            IdpType::Saml => "SAML",
            IdpType::Oidc => "OIDC",
            IdpType::Facebook => "Facebook",
            IdpType::Google => "Google",
            IdpType::LoginWithAmazon => "LoginWithAmazon",
            IdpType::SignInWithApple => "SignInWithApple",
        }
    }

    /// Parses the API value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "SAML" => Some(Self::Saml),
            "OIDC" => Some(Self::Oidc),
            "Facebook" => Some(Self::Facebook),
            "Google" => Some(Self::Google),
            "LoginWithAmazon" => Some(Self::LoginWithAmazon),
            "SignInWithApple" => Some(Self::SignInWithApple),
            _ => None,
        }
    }
}

/// An identity provider's settings in a pool. The federation itself lives in other crates;
/// the pool keeps the settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityProvider {
    /// The pool.
    pub pool: UserPoolId,
    /// The provider name (`ProviderName`).
    pub name: ProviderName,
    /// Its kind.
    pub provider_type: IdpType,
    /// `ProviderDetails` as given (metadata, client id, endpoints ...).
    pub details: BTreeMap<String, String>,
    /// Pool attribute → IdP attribute.
    pub attribute_mapping: BTreeMap<String, String>,
    /// `idp_identifier` values that route to this IdP.
    pub idp_identifiers: Vec<String>,
    /// When it was created.
    pub created: UnixTime,
    /// When it was last changed.
    pub modified: UnixTime,
}
