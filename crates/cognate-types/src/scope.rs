//! OAuth 2.0 scopes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::IdentifierError;

const KIND: &str = "scope";

/// One OAuth 2.0 scope token (RFC 6749 section 3.3): 1 to 256 characters from
/// `%x21 / %x23-5B / %x5D-7E` (visible ASCII except `"` and `\`).
///
/// Cognito's scopes are `openid`, `email`, `phone`, `profile`, `aws.cognito.signin.user.admin`
/// and custom `{resourceServerIdentifier}/{scopeName}`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scope(Box<str>);

impl Scope {
    /// `openid`.
    pub const OPENID: &'static str = "openid";
    /// `aws.cognito.signin.user.admin`: the scope of tokens issued by the user-pools API.
    pub const COGNITO_ADMIN: &'static str = "aws.cognito.signin.user.admin";

    /// Validates one scope token.
    pub fn new(value: impl Into<String>) -> Result<Self, IdentifierError> {
        let value = value.into();
        if value.is_empty() {
            return Err(IdentifierError::new(KIND, "empty"));
        }
        if value.len() > 256 {
            return Err(IdentifierError::new(KIND, "too long"));
        }
        if !value
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
        {
            return Err(IdentifierError::new(
                KIND,
                "only visible ASCII except `\"` and `\\` allowed",
            ));
        }
        Ok(Self(value.into_boxed_str()))
    }

    /// The scope string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For a custom scope `server/name`, the resource server identifier and the scope name.
    pub fn resource_server(&self) -> Option<(&str, &str)> {
        self.0
            .rsplit_once('/')
            .filter(|(a, b)| !a.is_empty() && !b.is_empty())
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scope({:?})", &*self.0)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Scope {
    type Err = IdentifierError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl PartialEq<str> for Scope {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl Serialize for Scope {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Scope {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::new(s.into_owned()).map_err(serde::de::Error::custom)
    }
}

/// An ordered set of scopes, written on the wire space-separated (`"openid email"`).
///
/// Order of first appearance is kept and duplicates are dropped, so a `scope` claim is stable.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Scopes(Vec<Scope>);

impl Scopes {
    /// At most this many scopes are accepted in one string.
    pub const MAX: usize = 100;

    /// No scopes.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// Parses a space-separated scope string. Runs of spaces are tolerated; every token must be
    /// a valid [`Scope`].
    pub fn parse(s: &str) -> Result<Self, IdentifierError> {
        let mut out = Self::new();
        for token in s.split(' ').filter(|t| !t.is_empty()) {
            if out.0.len() >= Self::MAX {
                return Err(IdentifierError::new(KIND, "too many scopes"));
            }
            out.insert(Scope::new(token)?);
        }
        Ok(out)
    }

    /// Adds a scope unless already present. Returns whether it was added.
    pub fn insert(&mut self, scope: Scope) -> bool {
        if self.contains(scope.as_str()) {
            false
        } else {
            self.0.push(scope);
            true
        }
    }

    /// Removes a scope. Returns whether it was present.
    pub fn remove(&mut self, scope: &str) -> bool {
        let before = self.0.len();
        self.0.retain(|s| s.as_str() != scope);
        before != self.0.len()
    }

    /// True if `scope` is in the set.
    pub fn contains(&self, scope: &str) -> bool {
        self.0.iter().any(|s| s.as_str() == scope)
    }

    /// The scopes in order.
    pub fn iter(&self) -> impl Iterator<Item = &Scope> {
        self.0.iter()
    }

    /// Number of scopes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no scopes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(s.as_str())?;
        }
        Ok(())
    }
}

impl fmt::Debug for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scopes({:?})", self.to_string())
    }
}

impl FromIterator<Scope> for Scopes {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        let mut out = Self::new();
        for s in iter {
            out.insert(s);
        }
        out
    }
}

impl FromStr for Scopes {
    type Err = IdentifierError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Scopes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Scopes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_tokens() {
        Scope::new("openid").unwrap();
        Scope::new("https://api.example.com/read").unwrap();
        for bad in ["", "a b", "a\"b", "a\\b", "é"] {
            assert!(Scope::new(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Scope::new("rs.example/read").unwrap().resource_server(),
            Some(("rs.example", "read"))
        );
        assert_eq!(Scope::new("openid").unwrap().resource_server(), None);
    }

    #[test]
    fn scope_sets_keep_order_and_dedupe() {
        let s = Scopes::parse("openid  email openid rs/read").unwrap();
        assert_eq!(s.to_string(), "openid email rs/read");
        assert!(s.contains("email"));
        assert_eq!(s.len(), 3);
        assert!(Scopes::parse("openid e\"mail").is_err());
        let many = vec!["s"; 200]
            .iter()
            .enumerate()
            .map(|(i, _)| format!("s{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert!(Scopes::parse(&many).is_err());
    }
}
