//! Validated newtypes for protocol identifiers.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::random::{RandomError, SecureRandom};
use crate::IdentifierError;

/// True for characters in the Unicode classes L, M, S, N and P: what Cognito's
/// `[\p{L}\p{M}\p{S}\p{N}\p{P}]+` patterns accept. That is every character that is not a
/// separator (Z) and not "other" (C: control, format, private use, unassigned, surrogate).
///
/// The standard library has no general-category table, so format and private-use characters
/// are matched from the ranges that Unicode assigns to them.
pub(crate) fn is_visible(c: char) -> bool {
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let cp = u32::from(c);
    let format_or_private = matches!(cp,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2
        | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
        | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F
        | 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD
        // Unicode separators that `char::is_whitespace` does not cover.
        | 0x2028 | 0x2029);
    !format_or_private
}

/// Validates a string against a length range (in characters) and a per-character rule.
fn check_chars(
    kind: &'static str,
    value: &str,
    min: usize,
    max: usize,
    allowed: impl Fn(char) -> bool,
    rule: &'static str,
) -> Result<(), IdentifierError> {
    // Bound the work before counting characters: a char is at most 4 bytes.
    if value.len() > max.saturating_mul(4) {
        return Err(IdentifierError::new(kind, "too long"));
    }
    let count = value.chars().count();
    if count < min {
        return Err(IdentifierError::new(
            kind,
            if count == 0 { "empty" } else { "too short" },
        ));
    }
    if count > max {
        return Err(IdentifierError::new(kind, "too long"));
    }
    if !value.chars().all(allowed) {
        return Err(IdentifierError::new(kind, rule));
    }
    Ok(())
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Declares a string newtype with the usual conversions. Validation is `$check(&str)`.
macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident, $kind:literal, $check:expr) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Box<str>);

        impl $name {
            /// Validates `value` and wraps it.
            pub fn new(value: impl Into<String>) -> Result<Self, IdentifierError> {
                let value = value.into();
                let check: fn(&str) -> Result<(), IdentifierError> = $check;
                check(&value)?;
                Ok(Self(value.into_boxed_str()))
            }

            /// The identifier as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The kind of identifier, as used in error messages.
            pub const KIND: &'static str = $kind;
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), &*self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = IdentifierError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdentifierError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::new(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = IdentifierError;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                Self::new(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                &*self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                &*self.0 == *other
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Self::new(s.into_owned()).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_id!(
    /// An AWS region name such as `us-east-1` or `us-gov-west-1`.
    ///
    /// Rule: two lowercase letters, one or more `-word` parts, and a final `-N` number
    /// (`[a-z]{2}(-[a-z]+)+-[0-9]{1,2}`), at most 32 characters.
    Region,
    "region",
    |s| {
        const KIND: &str = "region";
        if s.is_empty() {
            return Err(IdentifierError::new(KIND, "empty"));
        }
        if s.len() > 32 {
            return Err(IdentifierError::new(KIND, "too long"));
        }
        let parts: Vec<&str> = s.split('-').collect();
        let ok = match parts.as_slice() {
            [first, middle @ .., last] if !middle.is_empty() => {
                first.len() == 2
                    && first.bytes().all(|b| b.is_ascii_lowercase())
                    && middle
                        .iter()
                        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
                    && (1..=2).contains(&last.len())
                    && last.bytes().all(|b| b.is_ascii_digit())
            }
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(IdentifierError::new(
                KIND,
                "must look like `us-east-1` (letters, dash-separated words, a number)",
            ))
        }
    }
);

string_id!(
    /// An app client ID. Cognito's rule: 1 to 128 characters of `[A-Za-z0-9_+]`.
    /// Generated IDs are 26 characters of `[a-z0-9]`.
    ClientId,
    "client id",
    |s| check_chars("client id", s, 1, 128, |c| is_word(c) || c == '+', "only [A-Za-z0-9_+] allowed")
);

impl ClientId {
    /// A new random client ID in Cognito's generated form: 26 characters of `[a-z0-9]`.
    pub fn generate(rng: &dyn SecureRandom) -> Result<Self, RandomError> {
        let s = random_chars(rng, 26, b"abcdefghijklmnopqrstuvwxyz0123456789")?;
        Ok(Self(s.into_boxed_str()))
    }
}

string_id!(
    /// A JWK key ID (`kid`). 1 to 256 visible ASCII characters (Cognito's are standard base64
    /// of 32 bytes, so `+`, `/` and `=` occur).
    KeyId,
    "key id",
    |s| check_chars("key id", s, 1, 256, |c| c.is_ascii_graphic(), "only visible ASCII allowed")
);

string_id!(
    /// The `sub` of a token: for a user, the immutable UUID Cognito assigns; for a
    /// client-credentials token, the client ID. 1 to 255 visible characters.
    Sub,
    "sub",
    |s| check_chars("sub", s, 1, 255, is_visible, "contains whitespace or control characters")
);

impl Sub {
    /// A new random user `sub`: a lowercase hyphenated version-4 UUID.
    pub fn generate(rng: &dyn SecureRandom) -> Result<Self, RandomError> {
        Ok(Self(uuid_v4(rng)?.into_boxed_str()))
    }
}

impl From<ClientId> for Sub {
    /// The `sub` of a machine (client-credentials) token is the client ID.
    fn from(client: ClientId) -> Self {
        Sub(client.0)
    }
}

impl From<TokenId> for Sub {
    fn from(id: TokenId) -> Self {
        Sub(id.0)
    }
}

string_id!(
    /// A user pool username. Cognito's rule: 1 to 128 characters from the Unicode classes
    /// L, M, S, N and P (no whitespace, no control or format characters).
    Username,
    "username",
    |s| check_chars("username", s, 1, 128, is_visible, "contains whitespace or control characters")
);

string_id!(
    /// A user pool group name: 1 to 128 characters from the Unicode classes L, M, S, N and P.
    GroupName,
    "group name",
    |s| check_chars("group name", s, 1, 128, is_visible, "contains whitespace or control characters")
);

string_id!(
    /// The name of an identity provider (`Google`, `MySAML`, `COGNITO`): 1 to 32 visible
    /// characters, not starting or ending with `_`.
    ProviderName,
    "provider name",
    |s| {
        check_chars("provider name", s, 1, 32, is_visible, "contains whitespace or control characters")?;
        if s.starts_with('_') || s.ends_with('_') {
            return Err(IdentifierError::new("provider name", "must not start or end with `_`"));
        }
        Ok(())
    }
);

string_id!(
    /// A user attribute name: a standard OIDC attribute (`email`, `given_name`) or a custom one
    /// (`custom:tenant`), 1 to 32 visible characters.
    AttributeName,
    "attribute name",
    |s| check_chars("attribute name", s, 1, 32, is_visible, "contains whitespace or control characters")
);

impl AttributeName {
    /// True for `custom:` attributes. Their values are always strings in tokens.
    pub fn is_custom(&self) -> bool {
        self.0.starts_with("custom:")
    }

    /// True for `dev:` (developer-only) attributes, which never appear in tokens.
    pub fn is_developer_only(&self) -> bool {
        self.0.starts_with("dev:")
    }
}

string_id!(
    /// A remembered device's key (the `device_key` claim): Cognito's `[\w-]+_[0-9a-f-]+`, at
    /// most 55 characters (`{region}_{uuid}`).
    DeviceKey,
    "device key",
    |s| {
        const KIND: &str = "device key";
        if s.is_empty() || s.len() > 55 {
            return Err(IdentifierError::new(KIND, "must be 1 to 55 characters"));
        }
        let ok = s.rsplit_once('_').is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
                && b.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c) || c == b'-')
        });
        if ok {
            Ok(())
        } else {
            Err(IdentifierError::new(KIND, "must be `{region}_{uuid}`"))
        }
    }
);

string_id!(
    /// An IAM role ARN (`arn:aws:iam::123456789012:role/name`), as in `cognito:roles` and
    /// `cognito:preferred_role`: `arn:` followed by up to 2044 visible ASCII characters.
    RoleArn,
    "role ARN",
    |s| {
        if s.len() > 4 && s.len() <= 2048 && s.starts_with("arn:") && s.bytes().all(|c| c.is_ascii_graphic()) {
            Ok(())
        } else {
            Err(IdentifierError::new("role ARN", "must be `arn:` and up to 2044 visible ASCII characters"))
        }
    }
);

fn check_uuid(s: &str) -> Result<(), IdentifierError> {
    const KIND: &str = "token id";
    let b = s.as_bytes();
    let shape_ok = b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        });
    if shape_ok {
        Ok(())
    } else {
        Err(IdentifierError::new(
            KIND,
            "must be a lowercase hyphenated UUID",
        ))
    }
}

string_id!(
    /// A UUID that names a token or an event: `jti`, `origin_jti`, `event_id`. Always the
    /// lowercase hyphenated form, as Cognito emits it.
    TokenId,
    "token id",
    check_uuid
);

impl TokenId {
    /// A fresh random (version 4) UUID.
    pub fn generate(rng: &dyn SecureRandom) -> Result<Self, RandomError> {
        Ok(Self(uuid_v4(rng)?.into_boxed_str()))
    }
}

/// A Cognito user pool ID: `{region}_{suffix}`, e.g. `us-west-2_F54j6m3T2`.
///
/// The region part must be a valid [`Region`] (aws-jwt-verify derives the JWKS URL from it);
/// the suffix is one or more ASCII letters and digits; the whole is at most 55 characters.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserPoolId {
    full: Box<str>,
    underscore: usize,
}

impl UserPoolId {
    /// Validates and wraps a pool ID.
    pub fn new(value: impl Into<String>) -> Result<Self, IdentifierError> {
        const KIND: &str = "user pool id";
        let value = value.into();
        if value.is_empty() {
            return Err(IdentifierError::new(KIND, "empty"));
        }
        if value.len() > 55 {
            return Err(IdentifierError::new(KIND, "too long"));
        }
        let Some(underscore) = value.find('_') else {
            return Err(IdentifierError::new(KIND, "must be `{region}_{suffix}`"));
        };
        let (region, suffix) = (&value[..underscore], &value[underscore + 1..]);
        Region::new(region)
            .map_err(|_| IdentifierError::new(KIND, "region part is not a region"))?;
        if suffix.is_empty() || !suffix.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(IdentifierError::new(
                KIND,
                "suffix must be one or more ASCII letters and digits",
            ));
        }
        Ok(Self {
            full: value.into_boxed_str(),
            underscore,
        })
    }

    /// A new pool ID in `region` with a random 9-character mixed-case suffix, as Cognito makes.
    pub fn generate(region: &Region, rng: &dyn SecureRandom) -> Result<Self, RandomError> {
        let suffix = random_chars(
            rng,
            9,
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        )?;
        let full = format!("{}_{}", region.as_str(), suffix);
        Ok(Self {
            underscore: region.as_str().len(),
            full: full.into_boxed_str(),
        })
    }

    /// The whole ID.
    pub fn as_str(&self) -> &str {
        &self.full
    }

    /// The region part (`us-west-2` in `us-west-2_F54j6m3T2`).
    pub fn region(&self) -> Region {
        Region(self.full[..self.underscore].into())
    }

    /// The part after the underscore (`F54j6m3T2`): the "pool name" used by SRP.
    pub fn suffix(&self) -> &str {
        &self.full[self.underscore + 1..]
    }
}

impl fmt::Debug for UserPoolId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UserPoolId({:?})", &*self.full)
    }
}

impl fmt::Display for UserPoolId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full)
    }
}

impl FromStr for UserPoolId {
    type Err = IdentifierError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<String> for UserPoolId {
    type Error = IdentifierError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl AsRef<str> for UserPoolId {
    fn as_ref(&self) -> &str {
        &self.full
    }
}

impl Serialize for UserPoolId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.full)
    }
}

impl<'de> Deserialize<'de> for UserPoolId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::new(s.into_owned()).map_err(serde::de::Error::custom)
    }
}

/// The `token_use` claim of a Cognito JWT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenUse {
    /// An ID token (`"id"`): identity claims for the client, audience in `aud`.
    Id,
    /// An access token (`"access"`): authorises API calls, audience in `client_id`.
    Access,
}

impl TokenUse {
    /// The claim value: `"id"` or `"access"`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenUse::Id => "id",
            TokenUse::Access => "access",
        }
    }
}

impl fmt::Display for TokenUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TokenUse {
    type Err = IdentifierError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "id" => Ok(TokenUse::Id),
            "access" => Ok(TokenUse::Access),
            _ => Err(IdentifierError::new(
                "token use",
                "must be `id` or `access`",
            )),
        }
    }
}

/// `len` characters drawn uniformly from `alphabet` (rejection sampling, no modulo bias).
fn random_chars(
    rng: &dyn SecureRandom,
    len: usize,
    alphabet: &[u8],
) -> Result<String, RandomError> {
    debug_assert!(!alphabet.is_empty() && alphabet.len() <= 256);
    let n = alphabet.len();
    let limit = 256 - (256 % n);
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        rng.fill(&mut buf)?;
        for &b in &buf {
            if usize::from(b) < limit {
                if let Some(&c) = alphabet.get(usize::from(b) % n) {
                    out.push(char::from(c));
                }
                if out.len() == len {
                    break;
                }
            }
        }
    }
    Ok(out)
}

/// A random version-4 UUID in lowercase hyphenated form.
pub(crate) fn uuid_v4(rng: &dyn SecureRandom) -> Result<String, RandomError> {
    let mut b = [0u8; 16];
    rng.fill(&mut b)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let mut s = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push_str(&format!("{byte:02x}"));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::danger::InsecureDeterministicRandom;

    #[test]
    fn regions() {
        for ok in [
            "us-east-1",
            "us-gov-west-1",
            "ap-southeast-2",
            "us-isob-east-1",
            "il-central-1",
        ] {
            Region::new(ok).unwrap();
        }
        for bad in [
            "",
            "us",
            "us-east",
            "US-EAST-1",
            "us-east-1a",
            "u-east-1",
            "us--1",
            "us-east-123",
            "us_east_1",
        ] {
            assert!(Region::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn user_pool_ids() {
        let p = UserPoolId::new("us-west-2_F54j6m3T2").unwrap();
        assert_eq!(p.region().as_str(), "us-west-2");
        assert_eq!(p.suffix(), "F54j6m3T2");
        for bad in [
            "",
            "us-west-2",
            "us-west-2_",
            "_abc",
            "us-west-2_abc-def",
            "us-west-2_abc_def",
            "notaregion_abc",
            "us-west-2_ä",
        ] {
            assert!(UserPoolId::new(bad).is_err(), "{bad}");
        }
        let long = format!("us-east-1_{}", "a".repeat(46));
        assert!(UserPoolId::new(long).is_err());
        let rng = InsecureDeterministicRandom::new(7);
        let g = UserPoolId::generate(&Region::new("eu-west-1").unwrap(), &rng).unwrap();
        assert_eq!(g.suffix().len(), 9);
        assert_eq!(UserPoolId::new(g.as_str()).unwrap(), g);
    }

    #[test]
    fn client_ids() {
        ClientId::new("5hu48rd3mbfvr3t6d6r2rchapm").unwrap();
        ClientId::new("a+b_C").unwrap();
        assert!(ClientId::new("").is_err());
        assert!(ClientId::new("a-b").is_err());
        assert!(ClientId::new("a".repeat(129)).is_err());
        let rng = InsecureDeterministicRandom::new(1);
        let c = ClientId::generate(&rng).unwrap();
        assert_eq!(c.as_str().len(), 26);
        assert!(c
            .as_str()
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    }

    #[test]
    fn usernames_follow_the_unicode_classes() {
        Username::new("alice").unwrap();
        Username::new("jörg.müller@example.com").unwrap();
        Username::new("用户").unwrap();
        for bad in [
            "",
            "a b",
            "a\tb",
            "a\u{200B}b",
            "a\u{0}b",
            "a\u{FEFF}",
            "\u{E000}",
        ] {
            assert!(Username::new(bad).is_err(), "{bad:?}");
        }
        assert!(Username::new("a".repeat(128)).is_ok());
        assert!(Username::new("a".repeat(129)).is_err());
        assert!(Username::new("é".repeat(128)).is_ok());
    }

    #[test]
    fn token_ids_are_lowercase_uuids() {
        let rng = InsecureDeterministicRandom::new(3);
        let id = TokenId::generate(&rng).unwrap();
        assert_eq!(id.as_str().len(), 36);
        assert_eq!(&id.as_str()[14..15], "4");
        TokenId::new("dea6a10f-8994-4a46-8a60-02983d63b50a").unwrap();
        assert!(TokenId::new("DEA6A10F-8994-4A46-8A60-02983D63B50A").is_err());
        assert!(TokenId::new("dea6a10f89944a468a6002983d63b50a").is_err());
    }

    #[test]
    fn provider_names() {
        ProviderName::new("Google").unwrap();
        assert!(ProviderName::new("_Google").is_err());
        assert!(ProviderName::new("Google_").is_err());
        assert!(ProviderName::new("My IdP").is_err());
    }

    #[test]
    fn serde_validates() {
        let ok: ClientId = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(ok, "abc");
        assert!(serde_json::from_str::<ClientId>("\"a b\"").is_err());
        assert!(serde_json::from_str::<UserPoolId>("\"x\"").is_err());
        let p: UserPoolId = serde_json::from_str("\"us-east-1_abc\"").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"us-east-1_abc\"");
        assert_eq!(
            serde_json::to_string(&TokenUse::Access).unwrap(),
            "\"access\""
        );
    }

    #[test]
    fn device_keys_and_role_arns() {
        DeviceKey::new("us-east-1_4f1e0b7c-2a4d-4b8e-9c1a-0d2e3f4a5b6c").unwrap();
        for bad in [
            "",
            "nounderscore",
            "us-east-1_XYZ",
            "_abc",
            &format!("us-east-1_{}", "a".repeat(50)),
        ] {
            assert!(DeviceKey::new(bad).is_err(), "{bad}");
        }
        RoleArn::new("arn:aws:iam::123456789012:role/admins").unwrap();
        for bad in ["arn:", "role/admins", "arn:aws:iam::1:role/a b"] {
            assert!(RoleArn::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn attribute_names() {
        assert!(AttributeName::new("custom:tenant").unwrap().is_custom());
        assert!(AttributeName::new("dev:x").unwrap().is_developer_only());
        assert!(!AttributeName::new("email").unwrap().is_custom());
    }
}
