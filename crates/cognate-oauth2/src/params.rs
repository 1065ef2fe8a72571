//! `application/x-www-form-urlencoded` parameters (queries and form bodies), with the rules of
//! RFC 6749 section 3.1: a parameter sent more than once is an error, a parameter without a
//! value counts as absent.

use std::collections::BTreeMap;

use thiserror::Error;

/// The largest query string or form body read (bytes).
pub const MAX_PARAMS_BYTES: usize = 16 * 1024;
/// The most parameters read.
pub const MAX_PARAMS: usize = 64;

/// Parameters could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ParamsError {
    /// The parameter appeared more than once.
    #[error("parameter `{0}` was sent more than once")]
    Duplicate(String),
    /// Too large or too many parameters.
    #[error("request parameters are too large")]
    TooLarge,
    /// Not valid UTF-8 after percent-decoding.
    #[error("request parameters are not valid UTF-8")]
    Encoding,
}

/// Decoded parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(BTreeMap<String, String>);

impl Params {
    /// Decodes `a=b&c=d` (`+` is a space; percent-escapes decoded). Empty values are dropped
    /// (RFC 6749 section 3.1); duplicates of a non-empty name are an error.
    pub fn parse(input: &[u8]) -> Result<Self, ParamsError> {
        if input.len() > MAX_PARAMS_BYTES {
            return Err(ParamsError::TooLarge);
        }
        let mut map = BTreeMap::new();
        let mut count = 0usize;
        for (k, v) in url::form_urlencoded::parse(input) {
            count += 1;
            if count > MAX_PARAMS {
                return Err(ParamsError::TooLarge);
            }
            if k.contains('\u{fffd}') || v.contains('\u{fffd}') {
                return Err(ParamsError::Encoding);
            }
            if k.is_empty() {
                continue;
            }
            if map.contains_key(k.as_ref()) {
                return Err(ParamsError::Duplicate(k.into_owned()));
            }
            map.insert(k.into_owned(), v.into_owned());
        }
        Ok(Self(map))
    }

    /// Reads the query string of a URI (none: empty).
    pub fn from_query(query: Option<&str>) -> Result<Self, ParamsError> {
        Self::parse(query.unwrap_or_default().as_bytes())
    }

    /// The value of `name` if present and non-empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Whether `name` was sent (even with an empty value).
    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// All parameters.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Merges `other` in; a name present in both is a duplicate (OAuth forbids sending a
    /// parameter in both the query and the body).
    pub fn merge(&mut self, other: Params) -> Result<(), ParamsError> {
        for (k, v) in other.0 {
            if self.0.contains_key(&k) {
                return Err(ParamsError::Duplicate(k));
            }
            self.0.insert(k, v);
        }
        Ok(())
    }

    /// Re-encodes the parameters as a query string (sorted by name).
    pub fn to_query(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.0 {
            s.append_pair(k, v);
        }
        s.finish()
    }

    /// Inserts or replaces a parameter.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.0.insert(name.to_owned(), value.into());
    }

    /// Removes a parameter.
    pub fn remove(&mut self, name: &str) -> Option<String> {
        self.0.remove(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_rejected_empty_ignored() {
        assert_eq!(
            Params::parse(b"state=a&state=b"),
            Err(ParamsError::Duplicate("state".into()))
        );
        let p = Params::parse(b"a=1&b=&c=x+y%21").unwrap();
        assert_eq!(p.get("a"), Some("1"));
        assert_eq!(p.get("b"), None);
        assert!(p.contains("b"));
        assert_eq!(p.get("c"), Some("x y!"));
    }

    #[test]
    fn limits_and_encoding() {
        let big = vec![b'a'; MAX_PARAMS_BYTES + 1];
        assert_eq!(Params::parse(&big), Err(ParamsError::TooLarge));
        let many: String = (0..=MAX_PARAMS).map(|i| format!("p{i}=1&")).collect();
        assert_eq!(Params::parse(many.as_bytes()), Err(ParamsError::TooLarge));
        assert_eq!(Params::parse(b"a=%ff"), Err(ParamsError::Encoding));
    }

    #[test]
    fn merge_refuses_overlap() {
        let mut a = Params::parse(b"x=1").unwrap();
        assert!(a.merge(Params::parse(b"x=2").unwrap()).is_err());
        assert!(a.merge(Params::parse(b"y=2").unwrap()).is_ok());
        assert_eq!(a.to_query(), "x=1&y=2");
    }
}
