//! The `Filter` of the `ListUsers` operation: `attribute_name = "value"` (exact match) or
//! `attribute_name ^= "value"` (starts with).
//!
//! What Cognito documents (API reference `ListUsers`; developer guide
//! `how-to-manage-user-accounts`, "Searching for users with the ListUsers API"; botocore
//! `cognito-idp/2016-04-18/service-2.json`, `ListUsersRequest.Filter`):
//!
//! - the form is `AttributeName Filter-Type "AttributeValue"`; quotation marks inside the value
//!   are escaped with a backslash (`family_name = "Re\"ddy"`);
//! - `=` is an exact match, `^=` a prefix match; one attribute per filter;
//! - an empty filter lists every user;
//! - only these attributes are searchable: `username` (case-sensitive), `email`,
//!   `phone_number`, `name`, `given_name`, `family_name`, `preferred_username`,
//!   `cognito:user_status` (the user status, e.g. `CONFIRMED`; case-insensitive), `status`
//!   (`Enabled` or `Disabled`; case-sensitive), `sub`; custom attributes are not;
//! - the developer guide adds "All searches are case-insensitive", which the API reference
//!   narrows per attribute as above; attributes it marks neither way are matched
//!   case-insensitively here (the ministackorg/ministack#1465 emulator fix reports real
//!   Cognito matching `email` regardless of case).
//! - `Filter` is at most 256 characters (`UserFilterType`).
//!
//! Cognito answers a filter it cannot parse with `InvalidParameterException` "Error while
//! parsing filter." (captured: aws/aws-sdk-php#1088, aws-aspnet-cognito-identity-provider#235).
//! For a well-formed filter on an unsearchable attribute the message used here, "Invalid
//! search attribute: custom:foo", is moto's (getmoto/moto `test_cognitoidp.py`), not a
//! capture from AWS.
//!
//! Not documented, decided here: spaces and tabs may surround the operator and the whole
//! filter; a filter of only whitespace lists every user; a bare attribute name runs up to
//! whitespace, `=`, `^` or `"`, and the name may itself be quoted (`"email" = "x"`, as some
//! applications write it); inside the value `\"` is a quote, `\\` a backslash, and any other
//! backslash is kept as it is; `!=` and other operators are parse errors.

use thiserror::Error;

/// Longest accepted filter, in characters (`UserFilterType`, max length 256).
pub const MAX_FILTER_LEN: usize = 256;

/// A searchable attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FilterAttribute {
    /// `username`: the user name (case-sensitive).
    Username,
    /// `email`.
    Email,
    /// `phone_number`.
    PhoneNumber,
    /// `name`.
    Name,
    /// `given_name`.
    GivenName,
    /// `family_name`.
    FamilyName,
    /// `preferred_username`.
    PreferredUsername,
    /// `cognito:user_status`: the user status (`UNCONFIRMED`, `CONFIRMED`,
    /// `FORCE_CHANGE_PASSWORD`, ...), "Status" in the console (case-insensitive).
    UserStatus,
    /// `status`: `Enabled` or `Disabled`, "Enabled" in the console (case-sensitive).
    Status,
    /// `sub`.
    Sub,
}

impl FilterAttribute {
    /// Every searchable attribute, in the documented order.
    pub const ALL: [FilterAttribute; 10] = [
        Self::Username,
        Self::Email,
        Self::PhoneNumber,
        Self::Name,
        Self::GivenName,
        Self::FamilyName,
        Self::PreferredUsername,
        Self::UserStatus,
        Self::Status,
        Self::Sub,
    ];

    /// The name used in a filter string.
    pub fn name(self) -> &'static str {
        match self {
            Self::Username => "username",
            Self::Email => "email",
            Self::PhoneNumber => "phone_number",
            Self::Name => "name",
            Self::GivenName => "given_name",
            Self::FamilyName => "family_name",
            Self::PreferredUsername => "preferred_username",
            Self::UserStatus => "cognito:user_status",
            Self::Status => "status",
            Self::Sub => "sub",
        }
    }

    /// The attribute a filter name stands for (exact spelling, lowercase).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Whether values of this attribute are compared case-sensitively: `username` and
    /// `status`. (`username` follows the pool's setting in [`UserFilter::matches_with`].)
    pub fn is_case_sensitive(self) -> bool {
        matches!(self, Self::Username | Self::Status)
    }
}

/// The comparison of a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FilterOp {
    /// `=`: the value equals the filter value.
    Equals,
    /// `^=`: the value starts with the filter value.
    StartsWith,
}

impl FilterOp {
    /// The operator as written in a filter.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Equals => "=",
            Self::StartsWith => "^=",
        }
    }
}

/// A parsed `ListUsers` filter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserFilter {
    /// The attribute searched.
    pub attribute: FilterAttribute,
    /// Exact or prefix match.
    pub op: FilterOp,
    /// The value, unescaped.
    pub value: String,
}

/// A `Filter` that Cognito would refuse. Every variant is an `InvalidParameterException`
/// (HTTP 400) on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum FilterError {
    /// Longer than [`MAX_FILTER_LEN`] characters. The message follows the AWS validation
    /// message for a length constraint (not captured for this member).
    #[error("1 validation error detected: Value at 'filter' failed to satisfy constraint: Member must have length less than or equal to 256")]
    TooLong {
        /// The length found, in characters.
        length: usize,
    },

    /// Not of the form `attribute = "value"` or `attribute ^= "value"`.
    #[error("Error while parsing filter.")]
    Malformed,

    /// A well-formed filter on an attribute that cannot be searched (a custom attribute, a
    /// standard attribute that is not indexed, a misspelling).
    #[error("Invalid search attribute: {name}")]
    UnsearchableAttribute {
        /// The attribute name as written.
        name: String,
    },
}

impl FilterError {
    /// The AWS exception name: `InvalidParameterException`.
    pub fn exception_name(&self) -> &'static str {
        "InvalidParameterException"
    }

    /// The HTTP status: `400 Bad Request`.
    pub fn http_status(&self) -> http::StatusCode {
        http::StatusCode::BAD_REQUEST
    }
}

impl UserFilter {
    /// Parses a `Filter`. `Ok(None)` for an empty (or blank) filter: list every user.
    pub fn parse(filter: &str) -> Result<Option<UserFilter>, FilterError> {
        let length = filter.chars().count();
        if length > MAX_FILTER_LEN {
            return Err(FilterError::TooLong { length });
        }
        let rest = filter.trim_matches(is_space);
        if rest.is_empty() {
            return Ok(None);
        }

        let (name, rest) = match rest.strip_prefix('"') {
            Some(quoted) => quoted_string(quoted)?,
            None => {
                let end = rest
                    .find(|c: char| {
                        c.is_whitespace() || c.is_control() || matches!(c, '=' | '^' | '"')
                    })
                    .ok_or(FilterError::Malformed)?;
                let (name, rest) = rest.split_at(end);
                (name.to_owned(), rest)
            }
        };
        if name.is_empty() {
            return Err(FilterError::Malformed);
        }

        let rest = rest.trim_start_matches(is_space);
        let (op, rest) = if let Some(rest) = rest.strip_prefix("^=") {
            (FilterOp::StartsWith, rest)
        } else if let Some(rest) = rest.strip_prefix('=') {
            (FilterOp::Equals, rest)
        } else {
            return Err(FilterError::Malformed);
        };

        let rest = rest.trim_start_matches(is_space);
        let quoted = rest.strip_prefix('"').ok_or(FilterError::Malformed)?;
        let (value, rest) = quoted_string(quoted)?;
        if !rest.trim_matches(is_space).is_empty() {
            return Err(FilterError::Malformed);
        }

        let attribute =
            FilterAttribute::from_name(&name).ok_or(FilterError::UnsearchableAttribute { name })?;
        Ok(Some(UserFilter {
            attribute,
            op,
            value,
        }))
    }

    /// Whether a user matches, with `username` compared case-sensitively (the API
    /// reference's rule). `lookup` gives the user's value of an attribute, `None` when the
    /// user has none (which never matches): for [`FilterAttribute::Status`] `"Enabled"` or
    /// `"Disabled"`, for [`FilterAttribute::UserStatus`] the status name.
    pub fn matches<'a>(&self, lookup: impl Fn(FilterAttribute) -> Option<&'a str>) -> bool {
        self.matches_with(true, lookup)
    }

    /// [`matches`](Self::matches) for a pool whose usernames are case-sensitive or not
    /// (`UsernameConfiguration.CaseSensitive`).
    pub fn matches_with<'a>(
        &self,
        username_case_sensitive: bool,
        lookup: impl Fn(FilterAttribute) -> Option<&'a str>,
    ) -> bool {
        let Some(actual) = lookup(self.attribute) else {
            return false;
        };
        let case_sensitive = match self.attribute {
            FilterAttribute::Username => username_case_sensitive,
            other => other.is_case_sensitive(),
        };
        if case_sensitive {
            compare(self.op, actual, &self.value)
        } else {
            compare(self.op, &actual.to_lowercase(), &self.value.to_lowercase())
        }
    }
}

impl std::fmt::Display for UserFilter {
    /// The filter in canonical form: `name = "value"` with `"` and `\` escaped.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} \"", self.attribute.name(), self.op.as_str())?;
        for c in self.value.chars() {
            if matches!(c, '"' | '\\') {
                f.write_str("\\")?;
            }
            write!(f, "{c}")?;
        }
        f.write_str("\"")
    }
}

fn compare(op: FilterOp, actual: &str, wanted: &str) -> bool {
    match op {
        FilterOp::Equals => actual == wanted,
        FilterOp::StartsWith => actual.starts_with(wanted),
    }
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Reads a quoted string whose opening `"` was already consumed: returns the unescaped
/// contents and what follows the closing `"`.
fn quoted_string(input: &str) -> Result<(String, &str), FilterError> {
    let mut out = String::new();
    let mut chars = input.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                let rest = input.get(i + 1..).ok_or(FilterError::Malformed)?;
                return Ok((out, rest));
            }
            '\\' => match chars.clone().next() {
                Some((_, escaped @ ('"' | '\\'))) => {
                    out.push(escaped);
                    chars.next();
                }
                _ => out.push('\\'),
            },
            other => out.push(other),
        }
    }
    // No closing quote.
    Err(FilterError::Malformed)
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use super::*;

    fn parse(s: &str) -> UserFilter {
        UserFilter::parse(s).unwrap().unwrap()
    }

    #[test]
    fn names_round_trip() {
        for attribute in FilterAttribute::ALL {
            assert_eq!(
                FilterAttribute::from_name(attribute.name()),
                Some(attribute)
            );
        }
        assert_eq!(FilterAttribute::from_name("Email"), None);
        assert_eq!(FilterAttribute::from_name("custom:foo"), None);
    }

    #[test]
    fn display_is_reparsable() {
        let f = UserFilter {
            attribute: FilterAttribute::FamilyName,
            op: FilterOp::StartsWith,
            value: r#"a"b\c"#.to_owned(),
        };
        assert_eq!(f.to_string(), r#"family_name ^= "a\"b\\c""#);
        assert_eq!(parse(&f.to_string()), f);
    }

    #[test]
    fn quoted_strings() {
        assert_eq!(
            quoted_string(r#"abc" x"#).unwrap(),
            ("abc".to_owned(), " x")
        );
        assert_eq!(quoted_string(r#"a\"b""#).unwrap(), ("a\"b".to_owned(), ""));
        assert_eq!(quoted_string(r#"a\\""#).unwrap(), ("a\\".to_owned(), ""));
        assert_eq!(quoted_string(r#"a\b""#).unwrap(), ("a\\b".to_owned(), ""));
        assert_eq!(quoted_string(r#"""#).unwrap(), (String::new(), ""));
        assert_eq!(quoted_string(r#"abc"#), Err(FilterError::Malformed));
        assert_eq!(quoted_string(r#"abc\""#), Err(FilterError::Malformed));
    }
}
