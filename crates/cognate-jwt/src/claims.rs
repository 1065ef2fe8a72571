//! The inputs of token issuing: token lifetimes with Cognito's ranges, the user as the issuer
//! sees them (sub, username, groups with roles, readable attributes, federated identities),
//! device keys and IAM role ARNs; and the small JSON writer issuing uses.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use cognate_types::{AttributeName, GroupName, ProviderName, Sub, Username};
pub use cognate_types::{DeviceKey, RoleArn};
use thiserror::Error;

/// A unit of Cognito's `TokenValidityUnits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValidityUnit {
    /// `seconds`.
    Seconds,
    /// `minutes`.
    Minutes,
    /// `hours` (the default unit of ID and access token validity).
    Hours,
    /// `days` (the default unit of refresh token validity).
    Days,
}

impl ValidityUnit {
    fn secs(self) -> u64 {
        match self {
            ValidityUnit::Seconds => 1,
            ValidityUnit::Minutes => 60,
            ValidityUnit::Hours => 3600,
            ValidityUnit::Days => 86_400,
        }
    }
}

impl FromStr for ValidityUnit {
    type Err = ValidityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "seconds" => Ok(ValidityUnit::Seconds),
            "minutes" => Ok(ValidityUnit::Minutes),
            "hours" => Ok(ValidityUnit::Hours),
            "days" => Ok(ValidityUnit::Days),
            _ => Err(ValidityError::UnknownUnit),
        }
    }
}

/// Which token a validity is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValidityKind {
    /// ID token (5 minutes to 1 day).
    Id,
    /// Access token (5 minutes to 1 day).
    Access,
    /// Refresh token (60 minutes to 10 years).
    Refresh,
}

impl fmt::Display for ValidityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValidityKind::Id => "ID token",
            ValidityKind::Access => "access token",
            ValidityKind::Refresh => "refresh token",
        })
    }
}

/// A token lifetime outside Cognito's rules.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ValidityError {
    /// Outside the allowed range for this token.
    #[error("{kind} validity of {seconds} s is outside {min}..={max} s")]
    OutOfRange {
        /// Which token.
        kind: ValidityKind,
        /// The requested lifetime in seconds.
        seconds: u64,
        /// The minimum in seconds.
        min: u64,
        /// The maximum in seconds.
        max: u64,
    },
    /// The value times the unit overflows.
    #[error("token validity overflows")]
    Overflow,
    /// Not one of `seconds`, `minutes`, `hours`, `days`.
    #[error("unknown validity unit (expected seconds, minutes, hours or days)")]
    UnknownUnit,
}

/// The lifetimes of a client's ID, access and refresh tokens, within Cognito's ranges:
/// ID and access 5 minutes to 1 day (default 1 hour), refresh 60 minutes to 10 years
/// (default 30 days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenValidity {
    id: Duration,
    access: Duration,
    refresh: Duration,
}

impl Default for TokenValidity {
    fn default() -> Self {
        Self {
            id: Duration::from_secs(3600),
            access: Duration::from_secs(3600),
            refresh: Duration::from_secs(30 * 86_400),
        }
    }
}

impl TokenValidity {
    /// Shortest ID or access token lifetime (5 minutes).
    pub const MIN_ID_ACCESS: Duration = Duration::from_secs(300);
    /// Longest ID or access token lifetime (1 day).
    pub const MAX_ID_ACCESS: Duration = Duration::from_secs(86_400);
    /// Shortest refresh token lifetime (60 minutes).
    pub const MIN_REFRESH: Duration = Duration::from_secs(3600);
    /// Longest refresh token lifetime (10 years of 365 days).
    pub const MAX_REFRESH: Duration = Duration::from_secs(315_360_000);

    /// Validates three lifetimes.
    pub fn new(id: Duration, access: Duration, refresh: Duration) -> Result<Self, ValidityError> {
        Ok(Self {
            id: check(ValidityKind::Id, id)?,
            access: check(ValidityKind::Access, access)?,
            refresh: check(ValidityKind::Refresh, refresh)?,
        })
    }

    /// From Cognito's app-client settings (`IdTokenValidity`, `AccessTokenValidity`,
    /// `RefreshTokenValidity` and `TokenValidityUnits`): `None` means the default; a refresh
    /// value of 0 means the default (30 days). Units default to hours, hours and days.
    pub fn from_settings(
        id: Option<(u64, Option<ValidityUnit>)>,
        access: Option<(u64, Option<ValidityUnit>)>,
        refresh: Option<(u64, Option<ValidityUnit>)>,
    ) -> Result<Self, ValidityError> {
        let d = Self::default();
        let conv =
            |v: Option<(u64, Option<ValidityUnit>)>, unit: ValidityUnit, def: Duration| match v {
                None => Ok(def),
                Some((0, _)) if unit == ValidityUnit::Days => Ok(def),
                Some((n, u)) => n
                    .checked_mul(u.unwrap_or(unit).secs())
                    .map(Duration::from_secs)
                    .ok_or(ValidityError::Overflow),
            };
        Self::new(
            conv(id, ValidityUnit::Hours, d.id)?,
            conv(access, ValidityUnit::Hours, d.access)?,
            conv(refresh, ValidityUnit::Days, d.refresh)?,
        )
    }

    /// This validity with another ID token lifetime.
    pub fn with_id(self, id: Duration) -> Result<Self, ValidityError> {
        Ok(Self {
            id: check(ValidityKind::Id, id)?,
            ..self
        })
    }

    /// This validity with another access token lifetime.
    pub fn with_access(self, access: Duration) -> Result<Self, ValidityError> {
        Ok(Self {
            access: check(ValidityKind::Access, access)?,
            ..self
        })
    }

    /// This validity with another refresh token lifetime.
    pub fn with_refresh(self, refresh: Duration) -> Result<Self, ValidityError> {
        Ok(Self {
            refresh: check(ValidityKind::Refresh, refresh)?,
            ..self
        })
    }

    /// ID token lifetime.
    pub fn id(&self) -> Duration {
        self.id
    }
    /// Access token lifetime.
    pub fn access(&self) -> Duration {
        self.access
    }
    /// Refresh token lifetime.
    pub fn refresh(&self) -> Duration {
        self.refresh
    }
}

fn check(kind: ValidityKind, d: Duration) -> Result<Duration, ValidityError> {
    let (min, max) = match kind {
        ValidityKind::Id | ValidityKind::Access => {
            (TokenValidity::MIN_ID_ACCESS, TokenValidity::MAX_ID_ACCESS)
        }
        ValidityKind::Refresh => (TokenValidity::MIN_REFRESH, TokenValidity::MAX_REFRESH),
    };
    if d.subsec_nanos() != 0 || d < min || d > max {
        return Err(ValidityError::OutOfRange {
            kind,
            seconds: d.as_secs(),
            min: min.as_secs(),
            max: max.as_secs(),
        });
    }
    Ok(d)
}

/// A group the user belongs to, with what the tokens need of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserGroup {
    /// The group name (goes into `cognito:groups`).
    pub name: GroupName,
    /// The group's `Precedence` (lower wins; none loses to any value).
    pub precedence: Option<u32>,
    /// The group's IAM role (goes into `cognito:roles`).
    pub role_arn: Option<RoleArn>,
}

impl UserGroup {
    /// A group with no precedence and no role.
    pub fn named(name: GroupName) -> Self {
        Self {
            name,
            precedence: None,
            role_arn: None,
        }
    }
}

/// The type of a federated identity provider, as written in `identities[].providerType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProviderType {
    /// `Google`.
    Google,
    /// `Facebook`.
    Facebook,
    /// `LoginWithAmazon`.
    LoginWithAmazon,
    /// `SignInWithApple`.
    SignInWithApple,
    /// `SAML`.
    Saml,
    /// `OIDC`.
    Oidc,
}

impl ProviderType {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderType::Google => "Google",
            ProviderType::Facebook => "Facebook",
            ProviderType::LoginWithAmazon => "LoginWithAmazon",
            ProviderType::SignInWithApple => "SignInWithApple",
            ProviderType::Saml => "SAML",
            ProviderType::Oidc => "OIDC",
        }
    }
}

/// One entry of the `identities` claim of a federated or linked user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederatedIdentity {
    /// The user's ID at the provider (`userId`).
    pub user_id: String,
    /// The provider's name in the pool (`providerName`).
    pub provider_name: ProviderName,
    /// The provider's type (`providerType`).
    pub provider_type: ProviderType,
    /// The SAML/OIDC issuer, or `None` (written as `null`).
    pub issuer: Option<String>,
    /// Whether this is the primary identity (written as the string `"true"`/`"false"`).
    pub primary: bool,
    /// When the link was created, epoch milliseconds (written as a string).
    pub date_created_ms: u64,
}

/// The user as the token issuer sees them. Fill it from the user store; `attributes` should
/// already be limited to the client's readable attributes (`dev:` attributes are dropped
/// here in any case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserClaims {
    /// The user's `sub`.
    pub sub: Sub,
    /// The username (`cognito:username` / `username`).
    pub username: Username,
    /// Groups in the order they should appear in `cognito:groups`.
    pub groups: Vec<UserGroup>,
    /// Readable attributes, in the order they should appear in the ID token. Values are
    /// Cognito's stored strings: `email_verified`/`phone_number_verified` become booleans,
    /// `updated_at` a number, `address` an object `{"formatted":…}`; `custom:` attributes stay
    /// strings.
    pub attributes: Vec<(AttributeName, String)>,
    /// Federated identities (`identities` claim), empty for native users.
    pub identities: Vec<FederatedIdentity>,
}

impl UserClaims {
    /// A user with no groups, attributes or identities.
    pub fn new(sub: Sub, username: Username) -> Self {
        Self {
            sub,
            username,
            groups: Vec::new(),
            attributes: Vec::new(),
            identities: Vec::new(),
        }
    }

    /// Adds a group (no precedence, no role).
    pub fn with_group(mut self, name: GroupName) -> Self {
        self.groups.push(UserGroup::named(name));
        self
    }

    /// Adds an attribute.
    pub fn with_attribute(mut self, name: AttributeName, value: impl Into<String>) -> Self {
        self.attributes.push((name, value.into()));
        self
    }

    /// `cognito:roles` and `cognito:preferred_role` from the groups (reference 2.2): the
    /// distinct roles in group order; the preferred role is the only role, or the role of
    /// the group with the lowest precedence when that is unique (groups without precedence
    /// lose to any precedence); omitted when the best groups disagree.
    pub fn roles(&self) -> (Vec<&RoleArn>, Option<&RoleArn>) {
        group_roles(
            self.groups
                .iter()
                .map(|g| (g.precedence, g.role_arn.as_ref())),
        )
    }
}

pub(crate) fn group_roles<'a>(
    groups: impl Iterator<Item = (Option<u32>, Option<&'a RoleArn>)> + Clone,
) -> (Vec<&'a RoleArn>, Option<&'a RoleArn>) {
    let mut roles: Vec<&RoleArn> = Vec::new();
    for (_, r) in groups.clone() {
        if let Some(r) = r {
            if !roles.contains(&r) {
                roles.push(r);
            }
        }
    }
    let preferred = match roles.as_slice() {
        [] => None,
        [only] => Some(*only),
        _ => {
            let with_role = groups.filter_map(|(p, r)| r.map(|r| (p, r)));
            // None sorts after every Some.
            let rank = |p: Option<u32>| p.map_or(u64::MAX, u64::from);
            let best = with_role.clone().map(|(p, _)| rank(p)).min();
            let mut best_roles = with_role
                .filter(|(p, _)| Some(rank(*p)) == best)
                .map(|(_, r)| r);
            let first = best_roles.next();
            if best_roles.all(|r| Some(r) == first) {
                first
            } else {
                None
            }
        }
    };
    (roles, preferred)
}

/// Writes a compact JSON object member by member into a `String`, escaping strings itself
/// (the hot path of issuing: no intermediate `Value`s).
pub(crate) struct JsonWriter {
    pub(crate) buf: String,
    empty: bool,
}

impl JsonWriter {
    pub(crate) fn with_capacity(n: usize) -> Self {
        let mut buf = String::with_capacity(n);
        buf.push('{');
        Self { buf, empty: true }
    }

    pub(crate) fn key(&mut self, k: &str) {
        if !self.empty {
            self.buf.push(',');
        }
        self.empty = false;
        push_json_str(&mut self.buf, k);
        self.buf.push(':');
    }

    pub(crate) fn str(&mut self, k: &str, v: &str) {
        self.key(k);
        push_json_str(&mut self.buf, v);
    }

    pub(crate) fn num(&mut self, k: &str, v: u64) {
        self.key(k);
        push_u64(&mut self.buf, v);
    }

    pub(crate) fn finish(mut self) -> String {
        self.buf.push('}');
        self.buf
    }
}

/// Appends the decimal form of `v` without allocating.
pub(crate) fn push_u64(out: &mut String, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = b'0' + (v % 10) as u8;
        }
        v /= 10;
        if v == 0 || i == 0 {
            break;
        }
    }
    for &d in digits.get(i..).unwrap_or_default() {
        out.push(char::from(d));
    }
}

/// Appends `s` as a JSON string literal.
pub(crate) fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    let mut run_start = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc: Option<&str> = match b {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            b'\n' => Some("\\n"),
            b'\r' => Some("\\r"),
            b'\t' => Some("\\t"),
            0x08 => Some("\\b"),
            0x0c => Some("\\f"),
            0..=0x1f => Some(""),
            _ => None,
        };
        if let Some(e) = esc {
            out.push_str(s.get(run_start..i).unwrap_or_default());
            if e.is_empty() {
                out.push_str(&format!("\\u{:04x}", b));
            } else {
                out.push_str(e);
            }
            run_start = i + 1;
        }
    }
    out.push_str(s.get(run_start..).unwrap_or_default());
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_escape_like_serde() {
        for s in ["plain", "q\"b\\s", "nl\nt\tc\u{1}\u{1f}", "é🦀", ""] {
            let mut out = String::new();
            push_json_str(&mut out, s);
            assert_eq!(serde_json::from_str::<String>(&out).unwrap(), s);
        }
    }

    #[test]
    fn validity_ranges() {
        let d = TokenValidity::default();
        assert_eq!(d.id().as_secs(), 3600);
        assert_eq!(d.refresh().as_secs(), 30 * 86400);
        assert!(d.with_id(Duration::from_secs(299)).is_err());
        assert!(d.with_id(Duration::from_secs(300)).is_ok());
        assert!(d.with_access(Duration::from_secs(86_401)).is_err());
        assert!(d.with_refresh(Duration::from_secs(3599)).is_err());
        assert!(d.with_refresh(Duration::from_secs(315_360_000)).is_ok());
        assert!(d.with_refresh(Duration::from_secs(315_360_001)).is_err());
        let v = TokenValidity::from_settings(
            Some((5, Some(ValidityUnit::Minutes))),
            Some((1, None)),
            Some((0, None)),
        )
        .unwrap();
        assert_eq!(v.id().as_secs(), 300);
        assert_eq!(v.access().as_secs(), 3600);
        assert_eq!(v.refresh().as_secs(), 30 * 86400);
        assert_eq!(
            TokenValidity::from_settings(Some((u64::MAX, None)), None, None).unwrap_err(),
            ValidityError::Overflow
        );
        assert_eq!(
            TokenValidity::from_settings(Some((2, Some(ValidityUnit::Days))), None, None)
                .unwrap_err(),
            ValidityError::OutOfRange {
                kind: ValidityKind::Id,
                seconds: 172_800,
                min: 300,
                max: 86_400
            }
        );
        assert_eq!(
            "weeks".parse::<ValidityUnit>(),
            Err(ValidityError::UnknownUnit)
        );
    }

    #[test]
    fn preferred_role_rule() {
        let a = RoleArn::new("arn:aws:iam::1:role/a").unwrap();
        let b = RoleArn::new("arn:aws:iam::1:role/b").unwrap();
        let r = |gs: &[(Option<u32>, Option<&RoleArn>)]| {
            let (roles, pref) = group_roles(gs.iter().copied());
            (roles.len(), pref.cloned())
        };
        assert_eq!(r(&[]), (0, None));
        assert_eq!(
            r(&[(None, Some(&a)), (Some(1), None)]),
            (1, Some(a.clone()))
        );
        assert_eq!(
            r(&[(Some(2), Some(&a)), (Some(1), Some(&b))]),
            (2, Some(b.clone()))
        );
        assert_eq!(r(&[(Some(1), Some(&a)), (Some(1), Some(&b))]), (2, None));
        assert_eq!(
            r(&[(None, Some(&a)), (Some(9), Some(&b))]),
            (2, Some(b.clone()))
        );
        assert_eq!(r(&[(None, Some(&a)), (None, Some(&b))]), (2, None));
        assert_eq!(
            r(&[
                (Some(1), Some(&a)),
                (Some(1), Some(&a)),
                (Some(3), Some(&b))
            ]),
            (2, Some(a.clone()))
        );
    }

    #[test]
    fn newtypes() {
        assert!(DeviceKey::new("us-east-1_0a1b2c3d-0000-4000-8000-000000000000").is_ok());
        for bad in [
            "",
            "nounderscore",
            "us-east-1_XYZ",
            "_abc",
            &"a_1".repeat(30),
        ] {
            assert!(DeviceKey::new(bad).is_err(), "{bad}");
        }
        assert!(RoleArn::new("arn:aws:iam::123456789012:role/x").is_ok());
        assert!(RoleArn::new("role/x").is_err());
        assert!(RoleArn::new("arn:a b").is_err());
    }
}
