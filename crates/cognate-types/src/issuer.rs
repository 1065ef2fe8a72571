//! The issuer URL of a token-issuing authority.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{IdentifierError, UserPoolId};

const KIND: &str = "issuer url";

/// An OpenID issuer identifier: an absolute `https` (or, for local servers, `http`) URL with no
/// query, fragment or credentials.
///
/// The string is kept exactly as given, because issuers are compared by exact string equality
/// (`https://x/` and `https://x` are different issuers). Everything Cognate derives from an
/// issuer (the JWKS URL, the discovery URL) is derived here, so the two always agree.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IssuerUrl(Box<str>);

impl IssuerUrl {
    /// Validates an issuer URL.
    pub fn new(value: impl Into<String>) -> Result<Self, IdentifierError> {
        let value = value.into();
        if value.len() > 2048 {
            return Err(IdentifierError::new(KIND, "too long"));
        }
        let url = url::Url::parse(&value)
            .map_err(|_| IdentifierError::new(KIND, "not an absolute URL"))?;
        let authority = value
            .strip_prefix("https://")
            .or_else(|| value.strip_prefix("http://"));
        if url.scheme() != "https" && url.scheme() != "http" || authority.is_none() {
            return Err(IdentifierError::new(KIND, "scheme must be https or http"));
        }
        if authority.is_some_and(|a| a.is_empty() || a.starts_with('/')) {
            return Err(IdentifierError::new(KIND, "no host"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(IdentifierError::new(KIND, "no host"));
        }
        if url.query().is_some() || url.fragment().is_some() || value.contains(['?', '#']) {
            return Err(IdentifierError::new(
                KIND,
                "must not have a query or fragment",
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(IdentifierError::new(KIND, "must not carry credentials"));
        }
        if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(IdentifierError::new(KIND, "contains whitespace"));
        }
        Ok(Self(value.into_boxed_str()))
    }

    /// Cognito's issuer for a pool: `https://cognito-idp.{region}.amazonaws.com/{poolId}`.
    pub fn cognito(pool: &UserPoolId) -> Self {
        Self(
            format!(
                "https://cognito-idp.{}.amazonaws.com/{}",
                pool.region().as_str(),
                pool.as_str()
            )
            .into_boxed_str(),
        )
    }

    /// The issuer of a pool served under `base` (a local server's `http://127.0.0.1:9229`):
    /// `{base}/{poolId}`, with any trailing slash of `base` dropped.
    pub fn for_pool_under(base: &str, pool: &UserPoolId) -> Result<Self, IdentifierError> {
        let base = base.trim_end_matches('/');
        Self::new(format!("{base}/{}", pool.as_str()))
    }

    /// The issuer string, exactly as configured.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when this issuer uses the `https` scheme.
    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }

    /// `{issuer}/.well-known/jwks.json`: where Cognito, and Cognate, publish the pool's keys.
    pub fn jwks_uri(&self) -> String {
        format!("{}/.well-known/jwks.json", self.0.trim_end_matches('/'))
    }

    /// `{issuer}/.well-known/openid-configuration` (OpenID Connect Discovery 1.0, section 4).
    pub fn discovery_url(&self) -> String {
        format!(
            "{}/.well-known/openid-configuration",
            self.0.trim_end_matches('/')
        )
    }

    /// If this is a Cognito-form issuer, the pool it names.
    pub fn cognito_pool(&self) -> Option<UserPoolId> {
        let rest = self.0.strip_prefix("https://cognito-idp.")?;
        let (region, rest) = rest.split_once(".amazonaws.com/")?;
        let pool = UserPoolId::new(rest).ok()?;
        (pool.region().as_str() == region).then_some(pool)
    }
}

impl fmt::Debug for IssuerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IssuerUrl({:?})", &*self.0)
    }
}

impl fmt::Display for IssuerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for IssuerUrl {
    type Err = IdentifierError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<String> for IssuerUrl {
    type Error = IdentifierError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl AsRef<str> for IssuerUrl {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for IssuerUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for IssuerUrl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::new(s.into_owned()).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cognito_form_and_derived_urls_agree() {
        let pool = UserPoolId::new("us-west-2_F54j6m3T2").unwrap();
        let iss = IssuerUrl::cognito(&pool);
        assert_eq!(
            iss.as_str(),
            "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_F54j6m3T2"
        );
        assert_eq!(
            iss.jwks_uri(),
            "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_F54j6m3T2/.well-known/jwks.json"
        );
        assert_eq!(iss.cognito_pool(), Some(pool.clone()));
        assert_eq!(IssuerUrl::new(iss.as_str()).unwrap(), iss);
    }

    #[test]
    fn local_form() {
        let pool = UserPoolId::new("us-east-1_Example").unwrap();
        let iss = IssuerUrl::for_pool_under("http://127.0.0.1:9229/", &pool).unwrap();
        assert_eq!(iss.as_str(), "http://127.0.0.1:9229/us-east-1_Example");
        assert_eq!(
            iss.discovery_url(),
            "http://127.0.0.1:9229/us-east-1_Example/.well-known/openid-configuration"
        );
        assert_eq!(iss.cognito_pool(), None);
        assert!(!iss.is_https());
    }

    #[test]
    fn kept_verbatim_and_rejects_bad_forms() {
        assert_eq!(
            IssuerUrl::new("https://x.example/").unwrap().as_str(),
            "https://x.example/"
        );
        for bad in [
            "",
            "x.example",
            "ftp://x.example",
            "https://x.example/?a=b",
            "https://x.example/#f",
            "https://u:p@x.example",
            "https:///path",
            "https://x.example/ a",
        ] {
            assert!(IssuerUrl::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn spoofed_cognito_host_is_not_a_pool() {
        let iss =
            IssuerUrl::new("https://cognito-idp.us-east-1.amazonaws.com.evil/us-east-1_X").unwrap();
        assert_eq!(iss.cognito_pool(), None);
        let iss =
            IssuerUrl::new("https://cognito-idp.eu-west-1.amazonaws.com/us-east-1_X").unwrap();
        assert_eq!(iss.cognito_pool(), None);
    }
}
