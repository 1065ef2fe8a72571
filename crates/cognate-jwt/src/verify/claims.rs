//! Typed claims, parsed once, in a single pass, from the bytes whose signature is checked.
//!
//! The payload is read by a purpose-built scanner ([`super::scan`]; the serde visitor it
//! replaced is kept in the tests as its reference): a duplicate member anywhere in the
//! object is refused (JWT-15), and each registered claim must have its JSON type (`exp`,
//! `nbf`, `iat` and `auth_time` are non-negative JSON integers no later than the year 9999;
//! `iss`, `sub`, `jti`, `scope`, `client_id`... are strings; `aud` is a string or an array of
//! strings; `cognito:groups` is an array of strings). Every other member is checked in full
//! and handed out as a JSON value by [`VerifiedClaims::extra`] (built on first use from its
//! recorded position). serde_json's recursion limit (128) bounds nesting.

#[cfg(test)]
use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, OnceLock};

use cognate_types::{TokenUse, UnixTime};
#[cfg(test)]
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
#[cfg(test)]
use serde::Deserialize;
use serde::Serialize;
use serde_json::{Map, Value};

#[cfg(test)]
use super::error::echo;
use super::error::VerifyError;
use super::scan::Fail;

/// The latest NumericDate accepted in a date claim: 9999-12-31T23:59:59Z. Later values are
/// refused as impossible (milliseconds written where seconds belong, overflow attempts).
pub const MAX_NUMERIC_DATE: u64 = 253_402_300_799;

/// The `aud` claim: one audience or several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// `"aud": "x"`.
    One(String),
    /// `"aud": ["x", "y"]`.
    Many(Vec<String>),
}

impl Audience {
    /// The audiences, in token order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let (one, many): (Option<&String>, &[String]) = match self {
            Audience::One(a) => (Some(a), &[]),
            Audience::Many(v) => (None, v.as_slice()),
        };
        one.into_iter().chain(many.iter()).map(String::as_str)
    }

    /// True when `aud` names `audience`.
    pub fn contains(&self, audience: &str) -> bool {
        self.iter().any(|a| a == audience)
    }
}

impl Serialize for Audience {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Audience::One(a) => s.serialize_str(a),
            Audience::Many(v) => v.serialize(s),
        }
    }
}

/// A string claim: where it sits in the payload text when it had no escapes (no
/// allocation), or its unescaped value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Text {
    At(usize, usize),
    Own(Box<str>),
}

impl Default for Text {
    fn default() -> Self {
        Text::At(0, 0)
    }
}

impl Text {
    pub(crate) fn get<'a>(&'a self, payload: &'a [u8]) -> &'a str {
        match self {
            // Positions come only from strings serde_json borrowed from the payload, so the
            // slice is valid UTF-8; the check is cheap on a short claim and never fails.
            Text::At(start, end) => payload
                .get(*start..*end)
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or_default(),
            Text::Own(s) => s,
        }
    }
}

/// The claims as parsed, before any check. Shared by [`VerifiedClaims`] once verified.
///
/// String claims point into `payload`, the payload's JSON text.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct ClaimsData {
    pub(crate) payload: Vec<u8>,
    pub(crate) iss: Option<Text>,
    pub(crate) sub: Option<Text>,
    pub(crate) aud: Option<Audience>,
    pub(crate) exp: Option<u64>,
    pub(crate) nbf: Option<u64>,
    pub(crate) iat: Option<u64>,
    pub(crate) auth_time: Option<u64>,
    pub(crate) token_use: Option<Text>,
    pub(crate) client_id: Option<Text>,
    pub(crate) scope: Option<Text>,
    pub(crate) username: Option<Text>,
    pub(crate) cognito_username: Option<Text>,
    pub(crate) groups: Option<Texts>,
    pub(crate) jti: Option<Text>,
    pub(crate) origin_jti: Option<Text>,
    pub(crate) event_id: Option<Text>,
    /// The other members, as positions of validated values in `payload`.
    pub(crate) extras: Extras,
    /// Those members as JSON values, built on first use ([`ClaimsData::extra`]).
    pub(crate) extra_built: ExtraCache,
}

/// An extra member: its name and where its value (already checked by the scanner: JSON
/// syntax, nesting, number ranges, string escapes) sits in the payload.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Extra {
    pub(crate) name: Text,
    pub(crate) value: (usize, usize),
}

/// Values in token order: the first `N` inline (no allocation for a typical token's one or
/// two extra members or groups), the others in a `Vec`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Inline<T, const N: usize> {
    head: [T; N],
    n: usize,
    rest: Vec<T>,
}

impl<T: Default, const N: usize> Default for Inline<T, N> {
    fn default() -> Self {
        Inline {
            head: std::array::from_fn(|_| T::default()),
            n: 0,
            rest: Vec::new(),
        }
    }
}

impl<T, const N: usize> Inline<T, N> {
    pub(crate) fn push(&mut self, e: T) {
        match self.head.get_mut(self.n) {
            Some(slot) => *slot = e,
            None => self.rest.push(e),
        }
        self.n += 1;
    }

    pub(crate) fn len(&self) -> usize {
        self.n
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.head.iter().take(self.n).chain(self.rest.iter())
    }
}

impl<T: Default, const N: usize> FromIterator<T> for Inline<T, N> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut out = Self::default();
        for e in iter {
            out.push(e);
        }
        out
    }
}

/// The extra members, in token order.
pub(crate) type Extras = Inline<Extra, 4>;

/// The strings of `cognito:groups`, in token order.
pub(crate) type Texts = Inline<Text, 4>;

/// The extra members built as JSON values, once, when a caller asks for them. A cache of
/// what `payload` and `extras` determine, so it takes no part in equality.
#[derive(Debug, Default, Clone)]
pub(crate) struct ExtraCache(pub(crate) OnceLock<Map<String, Value>>);

impl PartialEq for ExtraCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl ClaimsData {
    pub(crate) fn text<'a>(&'a self, t: &'a Option<Text>) -> Option<&'a str> {
        t.as_ref().map(|t| t.get(&self.payload))
    }

    pub(crate) fn groups(&self) -> impl Iterator<Item = &str> {
        self.groups
            .iter()
            .flat_map(Texts::iter)
            .map(|g| g.get(&self.payload))
    }

    /// The extra members as JSON values (built on first call).
    pub(crate) fn extra(&self) -> &Map<String, Value> {
        self.extra_built.0.get_or_init(|| {
            let mut m = Map::new();
            for e in self.extras.iter() {
                // The scanner checked every value as serde_json reads it (its nesting
                // limit is stricter), so parsing the same bytes cannot fail.
                let value = self
                    .payload
                    .get(e.value.0..e.value.1)
                    .and_then(|raw| serde_json::from_slice(raw).ok())
                    .unwrap_or(Value::Null);
                m.insert(e.name.get(&self.payload).to_owned(), value);
            }
            m
        })
    }
}

/// What a caller can observe of parsed claims: every value, not where it is stored (a
/// string claim is a position in the payload or an owned string, the payload bytes under a
/// position may have been unescaped in place).
#[cfg(test)]
pub(crate) type View = (
    Vec<Option<String>>,
    Option<Audience>,
    [Option<u64>; 4],
    Option<Vec<String>>,
    Map<String, Value>,
);

#[cfg(test)]
impl ClaimsData {
    pub(crate) fn view(&self) -> View {
        let t = |x: &Option<Text>| self.text(x).map(str::to_owned);
        (
            vec![
                t(&self.iss),
                t(&self.sub),
                t(&self.token_use),
                t(&self.client_id),
                t(&self.scope),
                t(&self.username),
                t(&self.cognito_username),
                t(&self.jti),
                t(&self.origin_jti),
                t(&self.event_id),
            ],
            self.aud.clone(),
            [self.exp, self.nbf, self.iat, self.auth_time],
            self.groups
                .as_ref()
                .map(|_| self.groups().map(str::to_owned).collect()),
            self.extra().clone(),
        )
    }
}

/// The claims of a token that passed every check of the verifier that returned it.
///
/// Cheap to clone (shared). Serializes back to a JSON object with the same members and values
/// as the payload (member order may differ): [`VerifiedClaims::to_json`].
#[derive(Clone, PartialEq)]
pub struct VerifiedClaims {
    data: Arc<ClaimsData>,
    exp: UnixTime,
}

impl VerifiedClaims {
    pub(crate) fn new(data: Arc<ClaimsData>, exp: UnixTime) -> Self {
        Self { data, exp }
    }

    /// `iss`: the issuer (one of the verifier's, compared exactly).
    pub fn iss(&self) -> &str {
        self.data.text(&self.data.iss).unwrap_or_default()
    }

    /// `sub`.
    pub fn sub(&self) -> Option<&str> {
        self.data.text(&self.data.sub)
    }

    /// `aud`.
    pub fn aud(&self) -> Option<&Audience> {
        self.data.aud.as_ref()
    }

    /// `exp` (always present in a verified token).
    pub fn exp(&self) -> UnixTime {
        self.exp
    }

    /// `nbf`.
    pub fn nbf(&self) -> Option<UnixTime> {
        self.data.nbf.map(UnixTime::from_secs)
    }

    /// `iat`.
    pub fn iat(&self) -> Option<UnixTime> {
        self.data.iat.map(UnixTime::from_secs)
    }

    /// `auth_time`.
    pub fn auth_time(&self) -> Option<UnixTime> {
        self.data.auth_time.map(UnixTime::from_secs)
    }

    /// `token_use`, when it is `id` or `access`.
    pub fn token_use(&self) -> Option<TokenUse> {
        self.data
            .text(&self.data.token_use)
            .and_then(|t| t.parse().ok())
    }

    /// `token_use` as written.
    pub fn token_use_str(&self) -> Option<&str> {
        self.data.text(&self.data.token_use)
    }

    /// `client_id` (Cognito access tokens).
    pub fn client_id(&self) -> Option<&str> {
        self.data.text(&self.data.client_id)
    }

    /// `scope`, the space-separated string.
    pub fn scope(&self) -> Option<&str> {
        self.data.text(&self.data.scope)
    }

    /// The scopes of `scope`, split on spaces.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.data
            .text(&self.data.scope)
            .unwrap_or_default()
            .split(' ')
            .filter(|s| !s.is_empty())
    }

    /// True when `scope` contains `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes().any(|s| s == scope)
    }

    /// `username` (Cognito access tokens).
    pub fn username(&self) -> Option<&str> {
        self.data.text(&self.data.username)
    }

    /// `cognito:username` (Cognito ID tokens).
    pub fn cognito_username(&self) -> Option<&str> {
        self.data.text(&self.data.cognito_username)
    }

    /// The user's name from whichever of `username` or `cognito:username` the token carries.
    pub fn user_name(&self) -> Option<&str> {
        self.username().or_else(|| self.cognito_username())
    }

    /// `cognito:groups`, in token order (empty when absent).
    pub fn groups(&self) -> impl Iterator<Item = &str> {
        self.data.groups()
    }

    /// True when `cognito:groups` contains `group`.
    pub fn in_group(&self, group: &str) -> bool {
        self.groups().any(|g| g == group)
    }

    /// `jti`.
    pub fn jti(&self) -> Option<&str> {
        self.data.text(&self.data.jti)
    }

    /// `origin_jti` (the refresh-token family).
    pub fn origin_jti(&self) -> Option<&str> {
        self.data.text(&self.data.origin_jti)
    }

    /// `event_id`.
    pub fn event_id(&self) -> Option<&str> {
        self.data.text(&self.data.event_id)
    }

    /// Every other member (custom attributes, `email`, `identities`, `version`...).
    ///
    /// Built on the first call from the values the verifier already checked (verification
    /// itself only records where they are), then kept.
    pub fn extra(&self) -> &Map<String, Value> {
        self.data.extra()
    }

    /// An extra member that is a string (`custom:tenant`, `email`...).
    pub fn extra_str(&self, name: &str) -> Option<&str> {
        self.data.extra().get(name).and_then(Value::as_str)
    }

    /// All claims as a JSON object.
    pub fn to_json_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// All claims as compact JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }
}

impl fmt::Debug for VerifiedClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedClaims")
            .field("iss", &self.iss())
            .field("sub", &self.sub())
            .field("token_use", &self.token_use_str())
            .field("exp", &self.exp)
            .finish_non_exhaustive()
    }
}

impl Serialize for VerifiedClaims {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = &*self.data;
        let mut m = s.serialize_map(None)?;
        macro_rules! opt {
            ($name:literal, $v:expr) => {
                if let Some(v) = &$v {
                    m.serialize_entry($name, v)?;
                }
            };
        }
        macro_rules! text {
            ($name:literal, $v:expr) => {
                if let Some(v) = d.text(&$v) {
                    m.serialize_entry($name, v)?;
                }
            };
        }
        text!("iss", d.iss);
        text!("sub", d.sub);
        opt!("aud", d.aud);
        if d.groups.is_some() {
            let groups: Vec<&str> = d.groups().collect();
            m.serialize_entry("cognito:groups", &groups)?;
        }
        text!("token_use", d.token_use);
        text!("client_id", d.client_id);
        text!("scope", d.scope);
        text!("username", d.username);
        text!("cognito:username", d.cognito_username);
        text!("event_id", d.event_id);
        text!("origin_jti", d.origin_jti);
        text!("jti", d.jti);
        opt!("auth_time", d.auth_time);
        opt!("nbf", d.nbf);
        opt!("iat", d.iat);
        m.serialize_entry("exp", &self.exp.as_secs())?;
        for (k, v) in d.extra() {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// What went wrong inside the visitor, kept aside so the caller gets a typed error rather
/// than a serde message.
#[derive(Debug)]
pub(super) enum Problem {
    Duplicate(String),
    Type(&'static str),
}

/// Parses a payload. See the module documentation.
///
/// The claims are built in place in their final `Arc` (the value is ~400 bytes; moving it
/// through the verifier's frames and into an `Arc` cost several copies).
pub(crate) fn parse(json: Vec<u8>) -> Result<Arc<ClaimsData>, VerifyError> {
    let mut shared = Arc::new(ClaimsData::default());
    match Arc::get_mut(&mut shared) {
        Some(c) => fill(json, c)?,
        // Never taken: the `Arc` was just created.
        None => {
            let mut c = ClaimsData::default();
            fill(json, &mut c)?;
            shared = Arc::new(c);
        }
    }
    Ok(shared)
}

fn fill(mut json: Vec<u8>, c: &mut ClaimsData) -> Result<(), VerifyError> {
    match super::scan::scan(&json, c) {
        Ok(unescape) => unescape.apply(&mut json),
        Err(Fail::Syntax) => return Err(VerifyError::PayloadNotJsonObject),
        Err(Fail::Claim(Problem::Duplicate(name))) => {
            return Err(VerifyError::DuplicateClaim(name))
        }
        Err(Fail::Claim(Problem::Type(name))) => return Err(VerifyError::ClaimType(name)),
    }
    c.payload = json;
    Ok(())
}

/// The serde visitor the scanner replaced: the reference of the differential tests.
#[cfg(test)]
pub(crate) fn parse_serde(json: Vec<u8>) -> Result<ClaimsData, VerifyError> {
    let mut problem = None;
    // One UTF-8 check of the whole payload, so serde_json does not check string by string.
    let text = std::str::from_utf8(&json).map_err(|_| VerifyError::PayloadNotJsonObject)?;
    let mut de = serde_json::Deserializer::from_str(text);
    let result = ClaimsSeed {
        problem: &mut problem,
        base: &json,
    }
    .deserialize(&mut de)
    .and_then(|c| de.end().map(|()| c));
    let mut claims = match (result, problem) {
        (_, Some(Problem::Duplicate(name))) => return Err(VerifyError::DuplicateClaim(name)),
        (_, Some(Problem::Type(name))) => return Err(VerifyError::ClaimType(name)),
        (Ok(c), None) => c,
        (Err(_), None) => return Err(VerifyError::PayloadNotJsonObject),
    };
    claims.payload = json;
    Ok(claims)
}

#[cfg(test)]
struct ClaimsSeed<'p, 'b> {
    problem: &'p mut Option<Problem>,
    base: &'b [u8],
}

#[cfg(test)]
impl<'de> DeserializeSeed<'de> for ClaimsSeed<'_, '_> {
    type Value = ClaimsData;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<ClaimsData, D::Error> {
        d.deserialize_map(self)
    }
}

/// A member name, borrowed from the input when it has no escapes.
#[cfg(test)]
struct Key<'de>(Cow<'de, str>);

#[cfg(test)]
impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A registered claim's value, classified by JSON type without building a `Value`.
pub(super) enum Lite {
    Str(Text),
    Int(u64),
    StrArray(Vec<Text>),
    Other,
}

/// Reads a [`Lite`]; strings without escapes become positions in `base`.
#[cfg(test)]
#[derive(Clone, Copy)]
struct LiteSeed<'b> {
    base: &'b [u8],
}

#[cfg(test)]
impl LiteSeed<'_> {
    fn text(self, v: &str) -> Text {
        let start = (v.as_ptr() as usize).wrapping_sub(self.base.as_ptr() as usize);
        match start.checked_add(v.len()) {
            Some(end) if v.as_ptr() >= self.base.as_ptr() && end <= self.base.len() => {
                Text::At(start, end)
            }
            _ => Text::Own(v.into()),
        }
    }
}

#[cfg(test)]
impl<'de> DeserializeSeed<'de> for LiteSeed<'_> {
    type Value = Lite;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Lite, D::Error> {
        d.deserialize_any(self)
    }
}

#[cfg(test)]
impl<'de> Visitor<'de> for LiteSeed<'_> {
    type Value = Lite;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Lite, E> {
        Ok(Lite::Str(self.text(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Lite, E> {
        Ok(Lite::Str(Text::Own(v.into())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Lite, E> {
        Ok(Lite::Str(Text::Own(v.into_boxed_str())))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Lite, E> {
        Ok(Lite::Int(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Lite, E> {
        Ok(u64::try_from(v).map_or(Lite::Other, Lite::Int))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Lite, E> {
        Ok(Lite::Other)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Lite, E> {
        Ok(Lite::Other)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Lite, E> {
        Ok(Lite::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Lite, A::Error> {
        let mut out = Vec::new();
        let mut all_strings = true;
        // Elements are classified too (not ignored), so serde_json's depth limit holds.
        while let Some(el) = seq.next_element_seed(self)? {
            match el {
                Lite::Str(s) if all_strings => out.push(s),
                _ => all_strings = false,
            }
        }
        Ok(if all_strings {
            Lite::StrArray(out)
        } else {
            Lite::Other
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Lite, A::Error> {
        while map.next_entry::<IgnoredAny, Value>()?.is_some() {}
        Ok(Lite::Other)
    }
}

#[cfg(test)]
enum Slot<'a> {
    Str(&'a mut Option<Text>),
    Date(&'a mut Option<u64>),
    Aud(&'a mut Option<Audience>),
    Strings(&'a mut Option<Texts>),
}

#[cfg(test)]
impl<'de> Visitor<'de> for ClaimsSeed<'_, '_> {
    type Value = ClaimsData;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWT claims object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ClaimsData, A::Error> {
        let mut c = ClaimsData::default();
        let mut extra = Map::new();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let (name, slot): (&'static str, Slot<'_>) = match &*key {
                "iss" => ("iss", Slot::Str(&mut c.iss)),
                "sub" => ("sub", Slot::Str(&mut c.sub)),
                "aud" => ("aud", Slot::Aud(&mut c.aud)),
                "exp" => ("exp", Slot::Date(&mut c.exp)),
                "nbf" => ("nbf", Slot::Date(&mut c.nbf)),
                "iat" => ("iat", Slot::Date(&mut c.iat)),
                "auth_time" => ("auth_time", Slot::Date(&mut c.auth_time)),
                "token_use" => ("token_use", Slot::Str(&mut c.token_use)),
                "client_id" => ("client_id", Slot::Str(&mut c.client_id)),
                "scope" => ("scope", Slot::Str(&mut c.scope)),
                "username" => ("username", Slot::Str(&mut c.username)),
                "cognito:username" => ("cognito:username", Slot::Str(&mut c.cognito_username)),
                "cognito:groups" => ("cognito:groups", Slot::Strings(&mut c.groups)),
                "jti" => ("jti", Slot::Str(&mut c.jti)),
                "origin_jti" => ("origin_jti", Slot::Str(&mut c.origin_jti)),
                "event_id" => ("event_id", Slot::Str(&mut c.event_id)),
                _ => {
                    let value = map.next_value::<Value>()?;
                    if extra.contains_key(&*key) {
                        *self.problem = Some(Problem::Duplicate(echo(&key)));
                        return Err(de::Error::custom("duplicate claim"));
                    }
                    extra.insert(key.into_owned(), value);
                    continue;
                }
            };
            let taken = match &slot {
                Slot::Str(s) => s.is_some(),
                Slot::Date(s) => s.is_some(),
                Slot::Aud(s) => s.is_some(),
                Slot::Strings(s) => s.is_some(),
            };
            if taken {
                *self.problem = Some(Problem::Duplicate(name.to_owned()));
                return Err(de::Error::custom("duplicate claim"));
            }
            let value = map.next_value_seed(LiteSeed { base: self.base })?;
            let ok = match (slot, value) {
                (Slot::Str(s), Lite::Str(v)) => {
                    *s = Some(v);
                    true
                }
                (Slot::Date(s), Lite::Int(v)) if v <= MAX_NUMERIC_DATE => {
                    *s = Some(v);
                    true
                }
                (Slot::Aud(s), Lite::Str(v)) => {
                    *s = Some(Audience::One(v.get(self.base).to_owned()));
                    true
                }
                (Slot::Aud(s), Lite::StrArray(v)) => {
                    *s = Some(Audience::Many(
                        v.iter().map(|a| a.get(self.base).to_owned()).collect(),
                    ));
                    true
                }
                (Slot::Strings(s), Lite::StrArray(v)) => {
                    *s = Some(v.into_iter().collect());
                    true
                }
                _ => false,
            };
            if !ok {
                *self.problem = Some(Problem::Type(name));
                return Err(de::Error::custom("claim type"));
            }
        }
        c.extra_built = ExtraCache(OnceLock::from(extra));
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(json: &str) -> VerifyError {
        parse(json.as_bytes().to_vec()).unwrap_err()
    }

    #[test]
    fn typed_and_extra_claims() {
        let c = parse(
            br#"{"iss":"https:\/\/x","sub":"s","aud":["a","b"],"exp":5,"cognito:groups":["g"],"custom:x":"1","email_verified":true}"#.to_vec(),
        )
        .unwrap();
        assert_eq!(c.text(&c.iss), Some("https://x"));
        // Only short escapes: unescaped in place, no allocation.
        assert!(matches!(c.iss, Some(Text::At(..))));
        assert_eq!(c.text(&c.sub), Some("s"));
        assert!(matches!(c.sub, Some(Text::At(..))));
        assert_eq!(c.aud, Some(Audience::Many(vec!["a".into(), "b".into()])));
        assert_eq!(c.exp, Some(5));
        assert_eq!(c.groups().collect::<Vec<_>>(), ["g"]);
        assert_eq!(c.extra().len(), 2);
    }

    #[test]
    fn short_escapes_are_unescaped_in_place() {
        let json = br#"{"iss":"https:\/\/a\/b","sub":"\\\"x\\","scope":"\b\f\n\r\t\/","jti":"\\","username":"\u00e9\/","aud":"x\/y","cognito:groups":["g\/1"],"event_id":"plain","x":"e\/"}"#;
        let c = parse(json.to_vec()).unwrap();
        assert_eq!(c.text(&c.iss), Some("https://a/b"));
        assert_eq!(c.text(&c.sub), Some("\\\"x\\"));
        assert_eq!(c.text(&c.scope), Some("\u{8}\u{c}\n\r\t/"));
        assert_eq!(c.text(&c.jti), Some("\\"));
        assert_eq!(c.text(&c.username), Some("\u{e9}/"));
        assert!(matches!(c.username, Some(Text::Own(_))));
        assert_eq!(c.aud, Some(Audience::One("x/y".into())));
        assert_eq!(c.groups().collect::<Vec<_>>(), ["g/1"]);
        assert_eq!(c.text(&c.event_id), Some("plain"));
        assert_eq!(c.extra().get("x"), Some(&Value::String("e/".into())));
        assert_eq!(c.view(), parse_serde(json.to_vec()).unwrap().view());
    }

    #[test]
    fn wrong_types() {
        for (j, name) in [
            (r#"{"exp":"9999999999"}"#, "exp"),
            (r#"{"exp":"never"}"#, "exp"),
            (r#"{"exp":1.5}"#, "exp"),
            (r#"{"exp":1.0}"#, "exp"),
            (r#"{"exp":-1}"#, "exp"),
            (r#"{"exp":1e3}"#, "exp"),
            (r#"{"exp":99999999999999999999999}"#, "exp"),
            (r#"{"exp":253402300800}"#, "exp"),
            (r#"{"exp":null}"#, "exp"),
            (r#"{"nbf":"1"}"#, "nbf"),
            (r#"{"iat":{}}"#, "iat"),
            (r#"{"auth_time":true}"#, "auth_time"),
            (r#"{"iss":["a"]}"#, "iss"),
            (r#"{"iss":1}"#, "iss"),
            (r#"{"aud":1}"#, "aud"),
            (r#"{"aud":["a",1]}"#, "aud"),
            (r#"{"aud":[["a"]]}"#, "aud"),
            (r#"{"cognito:groups":"admin"}"#, "cognito:groups"),
            (r#"{"token_use":1}"#, "token_use"),
            (r#"{"scope":["a"]}"#, "scope"),
        ] {
            assert_eq!(err(j), VerifyError::ClaimType(name), "{j}");
        }
    }

    #[test]
    fn duplicates_typed_extra_and_escaped() {
        assert_eq!(
            err(r#"{"sub":"alice","sub":"admin"}"#),
            VerifyError::DuplicateClaim("sub".into())
        );
        assert_eq!(
            err(r#"{"exp":1,"exp":9999999999}"#),
            VerifyError::DuplicateClaim("exp".into())
        );
        assert_eq!(
            err(r#"{"custom:r":"a","custom:r":"b"}"#),
            VerifyError::DuplicateClaim("custom:r".into())
        );
        assert_eq!(
            err(r#"{"exp":1,"\u0065xp":2}"#),
            VerifyError::DuplicateClaim("exp".into())
        );
    }

    #[test]
    fn not_objects() {
        for j in [
            "[]",
            "\"x\"",
            "null",
            "1",
            "{",
            "{}x",
            "{\"a\":\"\\ud800\"}",
        ] {
            assert_eq!(err(j), VerifyError::PayloadNotJsonObject, "{j}");
        }
        assert_eq!(
            parse(b"{\"a\":\"\xff\"}".to_vec()).unwrap_err(),
            VerifyError::PayloadNotJsonObject
        );
        let deep = format!("{{\"x\":{}1{}}}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(err(&deep), VerifyError::PayloadNotJsonObject);
        let deep_aud = format!("{{\"aud\":{}1{}}}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(err(&deep_aud), VerifyError::PayloadNotJsonObject);
        let deep_obj = format!(
            "{{\"exp\":{}1{}}}",
            "{\"a\":".repeat(10_000),
            "}".repeat(10_000)
        );
        assert_eq!(err(&deep_obj), VerifyError::PayloadNotJsonObject);
    }

    #[test]
    fn extras_built_on_demand_do_not_change_equality() {
        let json = br#"{"iss":"i","exp":5,"version":2,"x\u0041":{"a":[1,"b\/"]},"e":"s"}"#;
        let a = parse(json.to_vec()).unwrap();
        let b = parse(json.to_vec()).unwrap();
        assert_eq!(a.extra().len(), 3);
        assert_eq!(a, b);
        assert_eq!(a.extra(), b.extra());
        assert_eq!(a.extra()["xA"], serde_json::json!({"a":[1,"b/"]}));
        assert_eq!(a.extra()["version"], serde_json::json!(2));
    }
}
