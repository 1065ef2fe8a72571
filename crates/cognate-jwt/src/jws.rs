//! Compact JWS (RFC 7515 section 7.1): strict parsing and RS256 signing.
//!
//! [`parse_compact`] does the structural work every verifier needs and nothing that needs a
//! key: it bounds the size before decoding anything, requires exactly three non-empty
//! canonical base64url segments, and parses the protected header as a JSON object with no
//! duplicate members, typed `alg`/`kid`/`typ`/`cty`, and none of the parameters Cognate never
//! honours (`crit`, `jku`, `x5u`, `jwk`, `x5c`, `enc`, `zip`, `b64`): a token carrying one is
//! refused before any key is looked up, so no URL in a token is ever fetched and no key
//! embedded in a token is ever trusted.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use thiserror::Error;

use crate::b64;
use crate::crypto::RsaPrivateKey;

/// The default limit on a compact token's length, checked before any decoding (JWT-17).
/// Real Cognito ID tokens with many attributes stay well under 16 KiB.
pub const DEFAULT_MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Which segment of a compact JWS an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    /// The protected header.
    Header,
    /// The payload.
    Payload,
    /// The signature.
    Signature,
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Segment::Header => "header",
            Segment::Payload => "payload",
            Segment::Signature => "signature",
        })
    }
}

/// A compact JWS could not be parsed. Every variant is a reason to reject the token.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum JwsError {
    /// Longer than the configured maximum; nothing was decoded.
    #[error("token is longer than {max} bytes")]
    TooLarge {
        /// The limit in force.
        max: usize,
    },
    /// Not three dot-separated segments (a JWE has five; JWE is never accepted).
    #[error("token is not a compact JWS (expected 3 segments, found {found})")]
    NotCompact {
        /// Segments found.
        found: usize,
    },
    /// A segment is empty (`alg: none` tokens have an empty signature).
    #[error("token {0} segment is empty")]
    EmptySegment(Segment),
    /// A segment is not canonical unpadded base64url.
    #[error("token {0} segment is not base64url")]
    Base64(Segment),
    /// The header is not a JSON object.
    #[error("token header is not a JSON object")]
    HeaderNotJson,
    /// A header member appears twice.
    #[error("token header has a duplicate member")]
    DuplicateHeaderMember,
    /// `alg`, `kid`, `typ` or `cty` is not a string, or `alg` is missing.
    #[error("token header member `{0}` is missing or not a string")]
    HeaderMemberType(&'static str),
    /// A header parameter Cognate never honours.
    #[error("token header parameter `{0}` is not accepted")]
    ForbiddenHeader(&'static str),
}

/// The JOSE header of a compact JWS, with the members Cognate reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoseHeader {
    /// `alg`, as written in the token. Never used to choose an algorithm: keys are pinned.
    pub alg: String,
    /// `kid`, when present.
    pub kid: Option<String>,
    /// `typ`, when present.
    pub typ: Option<String>,
    /// `cty`, when present.
    pub cty: Option<String>,
}

/// A structurally valid compact JWS, not yet verified.
#[derive(Debug, Clone)]
pub struct CompactJws<'a> {
    /// The parsed protected header.
    pub header: JoseHeader,
    /// `BASE64URL(header) || '.' || BASE64URL(payload)`: the bytes the signature covers.
    pub signing_input: &'a str,
    /// The decoded payload bytes (not yet parsed).
    pub payload: Vec<u8>,
    /// The decoded signature.
    pub signature: Vec<u8>,
}

/// Parses a compact JWS, checking structure only. See the module documentation.
pub fn parse_compact(token: &str, max_bytes: usize) -> Result<CompactJws<'_>, JwsError> {
    let (h, p, s) = split(token, max_bytes)?;
    let header_json = b64::decode(h).ok_or(JwsError::Base64(Segment::Header))?;
    let header = parse_header(&header_json)?;
    let payload = b64::decode(p).ok_or(JwsError::Base64(Segment::Payload))?;
    let signature = b64::decode(s).ok_or(JwsError::Base64(Segment::Signature))?;
    Ok(CompactJws {
        header,
        signing_input: signing_input(token, h, p),
        payload,
        signature,
    })
}

/// The decoded signature of [`parse_compact_buf`]: in the caller's buffer, or on the heap
/// when it did not fit.
pub(crate) enum Signature<'b> {
    Buf(&'b [u8]),
    Heap(Vec<u8>),
}

impl Signature<'_> {
    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            Signature::Buf(b) => b,
            Signature::Heap(v) => v,
        }
    }
}

/// The longest signature decoded into a caller's buffer: RSA up to 8192 bits.
pub(crate) const SIG_BUF: usize = crate::jwk::MAX_RSA_BITS / 8;

/// The JOSE header as the verifier reads it: borrowed from the decoded header bytes when
/// [`quick_spans`] takes the header (short escapes undone in place), owned otherwise.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct HeaderRef<'h> {
    pub(crate) alg: Cow<'h, str>,
    pub(crate) kid: Option<Cow<'h, str>>,
    pub(crate) typ: Option<Cow<'h, str>>,
    pub(crate) cty: Option<Cow<'h, str>>,
}

impl From<JoseHeader> for HeaderRef<'_> {
    fn from(h: JoseHeader) -> Self {
        HeaderRef {
            alg: Cow::Owned(h.alg),
            kid: h.kid.map(Cow::Owned),
            typ: h.typ.map(Cow::Owned),
            cty: h.cty.map(Cow::Owned),
        }
    }
}

/// The size of the verifier's header buffer: a usual header fits.
pub(crate) const HEADER_BUF: usize = 256;

/// A compact JWS as [`parse_compact`] reads it (same checks, same errors, same order), with
/// the header and the signature decoded into the caller's buffers when they fit.
pub(crate) struct CompactBuf<'t, 'b> {
    pub(crate) header: HeaderRef<'b>,
    pub(crate) signing_input: &'t str,
    pub(crate) payload: Vec<u8>,
    pub(crate) signature: Signature<'b>,
}

/// [`parse_compact`] without allocating for the header or the signature (the verifier's
/// hot path).
pub(crate) fn parse_compact_buf<'t, 'b>(
    token: &'t str,
    max_bytes: usize,
    header_buf: &'b mut [u8; HEADER_BUF],
    sig_buf: &'b mut [u8; SIG_BUF],
) -> Result<CompactBuf<'t, 'b>, JwsError> {
    let (h, p, s) = split(token, max_bytes)?;
    let header = match b64::decode_into_mut(h, header_buf) {
        Ok(Some(json)) => header_in_place(json)?,
        Ok(None) => return Err(JwsError::Base64(Segment::Header)),
        Err(()) => {
            let json = b64::decode(h).ok_or(JwsError::Base64(Segment::Header))?;
            parse_header(&json)?.into()
        }
    };
    let payload = b64::decode(p).ok_or(JwsError::Base64(Segment::Payload))?;
    let signature = match b64::decode_into(s, sig_buf) {
        Ok(sig) => sig.map(Signature::Buf),
        Err(()) => b64::decode(s).map(Signature::Heap),
    }
    .ok_or(JwsError::Base64(Segment::Signature))?;
    Ok(CompactBuf {
        header,
        signing_input: signing_input(token, h, p),
        payload,
        signature,
    })
}

/// `BASE64URL(header) || '.' || BASE64URL(payload)` of a token split by [`split`].
fn signing_input<'t>(token: &'t str, h: &str, p: &str) -> &'t str {
    token.get(..h.len() + 1 + p.len()).unwrap_or_default()
}

/// The size limit, then the three non-empty segments (header, payload, signature).
fn split(token: &str, max_bytes: usize) -> Result<(&str, &str, &str), JwsError> {
    if token.len() > max_bytes {
        return Err(JwsError::TooLarge { max: max_bytes });
    }
    // memchr (SIMD) finds the two dots; a third anywhere in the signature is refused.
    let bytes = token.as_bytes();
    let not_compact = || JwsError::NotCompact {
        found: memchr::memchr_iter(b'.', bytes).count() + 1,
    };
    let d1 = memchr::memchr(b'.', bytes).ok_or_else(not_compact)?;
    let rest = bytes.get(d1 + 1..).unwrap_or_default();
    let d2 = d1 + 1 + memchr::memchr(b'.', rest).ok_or_else(not_compact)?;
    if memchr::memchr(b'.', bytes.get(d2 + 1..).unwrap_or_default()).is_some() {
        return Err(not_compact());
    }
    // Both dots are ASCII, so these are char boundaries.
    let (h, p, s) = match (token.get(..d1), token.get(d1 + 1..d2), token.get(d2 + 1..)) {
        (Some(h), Some(p), Some(s)) => (h, p, s),
        _ => return Err(not_compact()),
    };
    for (seg, name) in [
        (h, Segment::Header),
        (p, Segment::Payload),
        (s, Segment::Signature),
    ] {
        if seg.is_empty() {
            return Err(JwsError::EmptySegment(name));
        }
    }
    Ok((h, p, s))
}

/// [`parse_header`] on a buffer the caller owns: a header [`quick_spans`] takes is borrowed
/// from `json` (its short escapes undone in place); any other goes to [`parse_header_serde`]
/// before `json` is touched.
fn header_in_place(json: &mut [u8]) -> Result<HeaderRef<'_>, JwsError> {
    let spans = match quick_spans(json) {
        // Valid UTF-8 as a whole, so each value is, before and after unescaping.
        Some(spans) if std::str::from_utf8(json).is_ok() => spans,
        _ => return parse_header_serde(json).map(HeaderRef::from),
    };
    let mut ends = [0usize; 4];
    for (sp, end) in spans.iter().zip(ends.iter_mut()) {
        if let Some(sp) = sp {
            *end = match json.get_mut(sp.start..sp.end) {
                Some(v) if sp.escaped => sp.start + unescape_in_place(v),
                _ => sp.end,
            };
        }
    }
    let json: &[u8] = json;
    let value = |i: usize| -> Option<Cow<'_, str>> {
        let sp = spans.get(i)?.as_ref()?;
        let end = *ends.get(i)?;
        // Never fails (checked above); a failure would read as a missing member.
        std::str::from_utf8(json.get(sp.start..end)?)
            .ok()
            .map(Cow::Borrowed)
    };
    Ok(HeaderRef {
        alg: value(0).ok_or(JwsError::HeaderMemberType("alg"))?,
        kid: value(1),
        typ: value(2),
        cty: value(3),
    })
}

/// Undoes the short JSON escapes (`\"` `\\` `\/` `\b` `\f` `\n` `\r` `\t`) of a string's
/// bytes in place, left-aligned; returns the new length. Every `\` in `span` must start
/// one of these escapes (as checked by the caller's scan).
pub(crate) fn unescape_in_place(span: &mut [u8]) -> usize {
    // Runs between backslashes move left by the escapes seen so far (`w <= r`).
    let (mut r, mut w) = (0, 0);
    while let Some(rest) = span.get(r..) {
        let run = memchr::memchr(b'\\', rest).unwrap_or(rest.len());
        if w != r {
            span.copy_within(r..r + run, w);
        }
        r += run;
        w += run;
        let out = match span.get(r + 1) {
            Some(b'b') => 0x08,
            Some(b'f') => 0x0c,
            Some(b'n') => b'\n',
            Some(b'r') => b'\r',
            Some(b't') => b'\t',
            // `"`, `\\` and `/` stand for themselves.
            Some(&e) => e,
            None => break,
        };
        if let Some(dst) = span.get_mut(w) {
            *dst = out;
        }
        r += 2;
        w += 1;
    }
    w
}

/// Parses a JOSE header from its JSON bytes (see the module documentation for the rules).
///
/// The common header (string `alg`/`kid`/`typ`/`cty`, each at most once, nothing else) is
/// read by [`quick_header`]; anything else, including every header that is refused, goes to
/// the serde reader [`parse_header_serde`], which defines the rules.
pub fn parse_header(json: &[u8]) -> Result<JoseHeader, JwsError> {
    match quick_header(json) {
        Some(h) => Ok(h),
        None => parse_header_serde(json),
    }
}

/// The header when it is one JSON object whose members are only `alg` (required), `kid`,
/// `typ` and `cty`, each once, each a string without a `\u` escape, member names without
/// escapes; `None` for anything else (not necessarily invalid: [`parse_header_serde`]
/// decides). Whatever this accepts, [`parse_header_serde`] accepts with the same values
/// (`tests::quick_header_differential`).
fn quick_header(json: &[u8]) -> Option<JoseHeader> {
    let spans = quick_spans(json)?;
    let value = |sp: &Option<QuickSpan>| -> Option<Option<String>> {
        let Some(sp) = sp else {
            return Some(None);
        };
        let mut v = json.get(sp.start..sp.end)?.to_vec();
        if sp.escaped {
            let n = unescape_in_place(&mut v);
            v.truncate(n);
        }
        String::from_utf8(v).ok().map(Some)
    };
    let [alg, kid, typ, cty] = &spans;
    Some(JoseHeader {
        alg: value(alg)??,
        kid: value(kid)?,
        typ: value(typ)?,
        cty: value(cty)?,
    })
}

/// Where [`quick_spans`] found a member's string value (between the quotes).
#[derive(Clone, Copy)]
struct QuickSpan {
    start: usize,
    end: usize,
    /// It has short escapes (it has no other kind).
    escaped: bool,
}

/// The positions of `alg`, `kid`, `typ`, `cty` (in that order) when the header has the
/// shape [`quick_header`] takes (`alg` present); `None` otherwise. Values are not yet
/// checked for UTF-8.
fn quick_spans(json: &[u8]) -> Option<[Option<QuickSpan>; 4]> {
    let mut i = skip_ws(json, 0);
    if json.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_ws(json, i + 1);
    let mut slots: [Option<QuickSpan>; 4] = [None; 4];
    loop {
        if json.get(i) != Some(&b'"') {
            return None;
        }
        // A name with an escape or a control character is left to the reference.
        let name_end = stop_byte(json, i + 1)?;
        if json.get(name_end) != Some(&b'"') {
            return None;
        }
        let slot = match json.get(i + 1..name_end)? {
            b"alg" => 0,
            b"kid" => 1,
            b"typ" => 2,
            b"cty" => 3,
            _ => return None,
        };
        i = skip_ws(json, name_end + 1);
        if json.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(json, i + 1);
        let (span, next) = quick_string(json, i)?;
        let dest = slots.get_mut(slot)?;
        if dest.is_some() {
            return None;
        }
        *dest = Some(span);
        i = skip_ws(json, next);
        match json.get(i) {
            Some(b',') => i = skip_ws(json, i + 1),
            Some(b'}') => break,
            _ => return None,
        }
    }
    if skip_ws(json, i + 1) != json.len() || slots.first()?.is_none() {
        return None;
    }
    Some(slots)
}

/// JSON whitespace (space, tab, LF, CR) from `i`; returns the next index.
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\n' | b'\t' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

/// A JSON string at `i` (its opening quote) with only the short escapes; `None` on a `\u`
/// escape, a control character or anything malformed. Returns its span and the index after
/// the closing quote.
fn quick_string(b: &[u8], i: usize) -> Option<(QuickSpan, usize)> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let start = i + 1;
    let mut j = start;
    let mut escaped = false;
    loop {
        j = stop_byte(b, j)?;
        match *b.get(j)? {
            b'"' => break,
            b'\\' => {
                match b.get(j + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                    _ => return None,
                }
                escaped = true;
                j += 2;
            }
            // A control character.
            _ => return None,
        }
    }
    Some((
        QuickSpan {
            start,
            end: j,
            escaped,
        },
        j + 1,
    ))
}

/// The first `"`, `\\` or control character (below 0x20) at or after `from`: where a
/// string's plain run stops. Eight bytes at a time (SWAR), like serde_json's own scan.
pub(crate) fn stop_byte(b: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = from;
    while let Some(chunk) = b.get(i..i + 8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let x = u64::from_le_bytes(w);
        let quote = x ^ (ONES * u64::from(b'"'));
        let backslash = x ^ (ONES * u64::from(b'\\'));
        // A byte below 0x20 (or a zero byte of `quote`/`backslash`) borrows from its high
        // bit; bytes above the first hit may be false positives, the lowest one is exact.
        let hits = (quote.wrapping_sub(ONES) & !quote
            | backslash.wrapping_sub(ONES) & !backslash
            | x.wrapping_sub(ONES * 0x20) & !x)
            & HIGH;
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The reference header reader (serde), used for every header [`quick_header`] does not take.
fn parse_header_serde(json: &[u8]) -> Result<JoseHeader, JwsError> {
    let raw: RawHeader = serde_json::from_slice(json).map_err(|_| JwsError::HeaderNotJson)?;
    if let Some(problem) = raw.problem {
        return Err(problem);
    }
    Ok(JoseHeader {
        alg: raw.alg.ok_or(JwsError::HeaderMemberType("alg"))?,
        kid: raw.kid,
        typ: raw.typ,
        cty: raw.cty,
    })
}

/// Signs `payload_json` under `header_json` with RS256 and returns the compact serialization.
pub(crate) fn sign_compact(
    header_json: &[u8],
    payload_json: &[u8],
    key: &RsaPrivateKey,
) -> Result<String, crate::crypto::CryptoFailure> {
    let sig_len = key.modulus_bits() / 8;
    let mut out =
        String::with_capacity((header_json.len() + payload_json.len() + sig_len) * 4 / 3 + 8);
    b64::encode_into(header_json, &mut out);
    out.push('.');
    b64::encode_into(payload_json, &mut out);
    let sig = key.sign_rs256(out.as_bytes())?;
    out.push('.');
    b64::encode_into(&sig, &mut out);
    Ok(out)
}

/// The header as read, with the first rule violation recorded instead of raised, so the
/// caller gets a typed reason rather than a serde message.
#[derive(Default)]
struct RawHeader {
    alg: Option<String>,
    kid: Option<String>,
    typ: Option<String>,
    cty: Option<String>,
    problem: Option<JwsError>,
}

const FORBIDDEN: [&str; 8] = ["crit", "jku", "x5u", "jwk", "x5c", "enc", "zip", "b64"];

impl<'de> Deserialize<'de> for RawHeader {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawHeader;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JOSE header object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawHeader, A::Error> {
                // Verification runs this for every token, so the common header (`alg`, `kid`,
                // maybe `typ`) is read without allocating anything but the two strings kept.
                let mut h = RawHeader::default();
                let mut seen_known = 0u8;
                let mut seen_other: Vec<String> = Vec::new();
                let mut members = 0usize;
                while let Some(MemberName(key)) = map.next_key::<MemberName<'de>>()? {
                    members += 1;
                    if members > 65 {
                        return Err(de::Error::custom("too many header members"));
                    }
                    let slot = match &*key {
                        "alg" => Some((0u8, &mut h.alg, "alg")),
                        "kid" => Some((1, &mut h.kid, "kid")),
                        "typ" => Some((2, &mut h.typ, "typ")),
                        "cty" => Some((3, &mut h.cty, "cty")),
                        _ => None,
                    };
                    if let Some((bit, slot, name)) = slot {
                        if seen_known & (1 << bit) != 0 {
                            h.problem.get_or_insert(JwsError::DuplicateHeaderMember);
                        }
                        seen_known |= 1 << bit;
                        match map.next_value::<StringOrOther>()? {
                            StringOrOther::String(s) => *slot = Some(s),
                            StringOrOther::Other => {
                                h.problem.get_or_insert(JwsError::HeaderMemberType(name));
                            }
                        }
                    } else {
                        if seen_other.iter().any(|s| *s == *key) {
                            h.problem.get_or_insert(JwsError::DuplicateHeaderMember);
                        }
                        if let Some(f) = FORBIDDEN.iter().find(|f| **f == key) {
                            h.problem.get_or_insert(JwsError::ForbiddenHeader(f));
                        }
                        seen_other.push(key.into_owned());
                        // A `Value` (not `IgnoredAny`) so serde_json's depth limit applies.
                        map.next_value::<serde_json::Value>()?;
                    }
                }
                Ok(h)
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// A member name, borrowed from the input when it has no escapes.
struct MemberName<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for MemberName<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MemberName<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(MemberName(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(MemberName(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(MemberName(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// A header value that must be a string: the string, or a note that it was something else
/// (still read in full, within serde_json's depth limit).
enum StringOrOther {
    String(String),
    Other,
}

impl<'de> Deserialize<'de> for StringOrOther {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StringOrOther;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(StringOrOther::String(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(StringOrOther::String(v))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(StringOrOther::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(StringOrOther::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(StringOrOther::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(StringOrOther::Other)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(StringOrOther::Other)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<serde_json::Value>()?.is_some() {}
                Ok(StringOrOther::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map
                    .next_entry::<de::IgnoredAny, serde_json::Value>()?
                    .is_some()
                {}
                Ok(StringOrOther::Other)
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(header: &str, payload: &str, sig: &[u8]) -> String {
        format!(
            "{}.{}.{}",
            b64::encode(header.as_bytes()),
            b64::encode(payload.as_bytes()),
            b64::encode(sig)
        )
    }

    #[test]
    fn parses_a_well_formed_token() {
        let t = tok(r#"{"kid":"k1","alg":"RS256"}"#, r#"{"a":1}"#, b"sig");
        let jws = parse_compact(&t, DEFAULT_MAX_TOKEN_BYTES).unwrap();
        assert_eq!(jws.header.alg, "RS256");
        assert_eq!(jws.header.kid.as_deref(), Some("k1"));
        assert_eq!(jws.payload, br#"{"a":1}"#);
        assert_eq!(jws.signature, b"sig");
        assert_eq!(jws.signing_input, t.rsplit_once('.').unwrap().0);
    }

    #[test]
    fn structural_malformations_jwt_16() {
        let good = tok(r#"{"alg":"RS256"}"#, "{}", b"s");
        let (h, rest) = good.split_once('.').unwrap();
        let (p, s) = rest.split_once('.').unwrap();
        let cases: Vec<(String, JwsError)> = vec![
            (h.to_string(), JwsError::NotCompact { found: 1 }),
            (format!("{h}.{p}"), JwsError::NotCompact { found: 2 }),
            (format!("{h}.{p}.{s}.x"), JwsError::NotCompact { found: 4 }),
            (
                format!("{h}.{p}.{s}.x.y"),
                JwsError::NotCompact { found: 5 },
            ),
            (
                format!("{h}.{p}."),
                JwsError::EmptySegment(Segment::Signature),
            ),
            (format!(".{p}.{s}"), JwsError::EmptySegment(Segment::Header)),
            (
                format!("{h}..{s}"),
                JwsError::EmptySegment(Segment::Payload),
            ),
            (format!("{h}=.{p}.{s}"), JwsError::Base64(Segment::Header)),
            (format!("{h}.{p}+.{s}"), JwsError::Base64(Segment::Payload)),
            (
                format!("{h}.{p}.{s}/"),
                JwsError::Base64(Segment::Signature),
            ),
            (format!("{h} .{p}.{s}"), JwsError::Base64(Segment::Header)),
            (format!("{h}.{p}\n.{s}"), JwsError::Base64(Segment::Payload)),
            (String::new(), JwsError::NotCompact { found: 1 }),
        ];
        for (t, want) in cases {
            assert_eq!(
                parse_compact(&t, DEFAULT_MAX_TOKEN_BYTES).unwrap_err(),
                want,
                "{t:?}"
            );
        }
    }

    #[test]
    fn header_rules() {
        let cases: Vec<(&str, JwsError)> = vec![
            ("[]", JwsError::HeaderNotJson),
            ("\"x\"", JwsError::HeaderNotJson),
            ("null", JwsError::HeaderNotJson),
            ("{", JwsError::HeaderNotJson),
            ("{}", JwsError::HeaderMemberType("alg")),
            (r#"{"alg":1}"#, JwsError::HeaderMemberType("alg")),
            (
                r#"{"alg":"RS256","kid":1}"#,
                JwsError::HeaderMemberType("kid"),
            ),
            (
                r#"{"alg":"RS256","kid":{}}"#,
                JwsError::HeaderMemberType("kid"),
            ),
            (
                r#"{"alg":"RS256","alg":"none"}"#,
                JwsError::DuplicateHeaderMember,
            ),
            (
                r#"{"alg":"RS256","x":1,"x":2}"#,
                JwsError::DuplicateHeaderMember,
            ),
            (
                r#"{"alg":"RS256","crit":["exp-x"],"exp-x":1}"#,
                JwsError::ForbiddenHeader("crit"),
            ),
            (
                r#"{"alg":"RS256","crit":[]}"#,
                JwsError::ForbiddenHeader("crit"),
            ),
            (
                r#"{"alg":"RS256","jku":"http://127.0.0.1:1/jwks"}"#,
                JwsError::ForbiddenHeader("jku"),
            ),
            (
                r#"{"alg":"RS256","x5u":"http://127.0.0.1:1/c"}"#,
                JwsError::ForbiddenHeader("x5u"),
            ),
            (
                r#"{"alg":"RS256","jwk":{"kty":"RSA"}}"#,
                JwsError::ForbiddenHeader("jwk"),
            ),
            (
                r#"{"alg":"RS256","x5c":["MII"]}"#,
                JwsError::ForbiddenHeader("x5c"),
            ),
            (
                r#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#,
                JwsError::ForbiddenHeader("enc"),
            ),
            (
                r#"{"alg":"RS256","zip":"DEF"}"#,
                JwsError::ForbiddenHeader("zip"),
            ),
        ];
        for (h, want) in cases {
            assert_eq!(parse_header(h.as_bytes()).unwrap_err(), want, "{h}");
        }
        let ok =
            parse_header(br#"{"alg":"RS256","typ":"JWT","x5t":"abc","other":{"a":[1]}}"#).unwrap();
        assert_eq!(ok.typ.as_deref(), Some("JWT"));
        let deep = format!(
            "{{\"alg\":\"RS256\",\"x\":{}1{}}}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        assert_eq!(
            parse_header(deep.as_bytes()).unwrap_err(),
            JwsError::HeaderNotJson
        );
    }

    use crate::test_rng::Rng;

    /// Checks the fast reader against the serde reference on one input: when it takes a
    /// header, the reference accepts it with the same values; `parse_header` always answers
    /// as the reference does.
    fn check_quick(json: &[u8]) -> bool {
        let reference = parse_header_serde(json);
        assert_eq!(
            parse_header(json),
            reference,
            "{:?}",
            String::from_utf8_lossy(json)
        );
        let mut buf = json.to_vec();
        assert_eq!(
            header_in_place(&mut buf),
            reference.clone().map(HeaderRef::from),
            "{:?}",
            String::from_utf8_lossy(json)
        );
        match quick_header(json) {
            Some(h) => {
                assert_eq!(Ok(h), reference, "{:?}", String::from_utf8_lossy(json));
                true
            }
            None => false,
        }
    }

    #[test]
    fn quick_header_differential() {
        const NAMES: &[&str] = &[
            "\"alg\"",
            "\"kid\"",
            "\"typ\"",
            "\"cty\"",
            "\"x5t\"",
            "\"crit\"",
            "\"jku\"",
            "\"b64\"",
            "\"a\\u006cg\"",
            "\"al\\g\"",
            "\"al\\\"g\"",
            "\"\"",
            "\"alg \"",
            "\"ALG\"",
            "alg",
            "\"k\u{e9}d\"",
        ];
        const VALUES: &[&str] = &[
            "\"RS256\"",
            "\"none\"",
            "\"a\\/b\\/c=\"",
            "\"\\u0041\"",
            "\"\\ud800\"",
            "\"x\\\"y\"",
            "\"\\\\\"",
            "\"\\\\/\"",
            "\"\\b\\f\\n\\r\\t\"",
            "\"\\x\"",
            "\"\u{e9}\u{1f600}\"",
            "\"\"",
            "\"a\tb\"",
            "\"a\u{1}\"",
            "1",
            "-0",
            "1e999",
            "null",
            "true",
            "{}",
            "[]",
            "{\"a\":[1,{\"b\":null}]}",
            "[\"RS256\"]",
            "\"unterminated",
            "\"a\\",
        ];
        const WS: &[&str] = &[
            "", "", "", "", "", " ", "\n", "\t", "\r", "  \n", "\u{b}", "\u{a0}",
        ];
        // Whitespace: rarely one JSON does not allow.
        let ws = |rng: &mut Rng| {
            let n = if rng.below(40) == 0 {
                WS.len()
            } else {
                WS.len() - 2
            };
            WS[rng.below(n)]
        };
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut taken = 0;
        for round in 0..60_000 {
            let mut json = String::new();
            json.push_str(ws(&mut rng));
            json.push('{');
            let members = rng.below(4);
            for m in 0..members {
                if m > 0 {
                    json.push_str(ws(&mut rng));
                    json.push(',');
                }
                json.push_str(ws(&mut rng));
                // Mostly the names and values the fast reader takes.
                let name = if rng.below(6) == 0 {
                    NAMES[rng.below(NAMES.len())]
                } else {
                    NAMES[rng.below(4)]
                };
                let value = if rng.below(6) == 0 {
                    VALUES[rng.below(VALUES.len())]
                } else {
                    VALUES[rng.below(3)]
                };
                json.push_str(name);
                json.push_str(ws(&mut rng));
                json.push(':');
                json.push_str(ws(&mut rng));
                json.push_str(value);
            }
            json.push_str(ws(&mut rng));
            if rng.below(20) != 0 {
                json.push('}');
            }
            json.push_str(ws(&mut rng));
            if rng.below(30) == 0 {
                json.push_str([",", "}", "x", "{}", "\0"][rng.below(5)]);
            }
            let mut bytes = json.into_bytes();
            // Mutations: a deleted, replaced or inserted byte (sometimes not UTF-8).
            if round % 4 == 0 && !bytes.is_empty() {
                let at = rng.below(bytes.len());
                let b = [
                    b'"', b'\\', b'{', b'}', b':', b',', b' ', 0x1f, 0xff, 0xc3, b'/', b'u',
                ][rng.below(12)];
                match rng.below(3) {
                    0 => {
                        bytes.remove(at);
                    }
                    1 => bytes[at] = b,
                    _ => bytes.insert(at, b),
                }
            }
            if check_quick(&bytes) {
                taken += 1;
            }
        }
        // Both sides exercised.
        assert!(taken > 5_000, "{taken}");
        assert!(taken < 50_000, "{taken}");
        // Every prefix and single-byte deletion of realistic headers.
        for h in [
            r#"{"kid":"abcdefghijklmnopqrstuvwxyz\/0123456789ABCD=","alg":"RS256"}"#,
            r#"{"alg":"RS256","typ":"JWT","kid":"k1"}"#,
            r#" { "alg" : "RS256" , "cty" : "JWT" } "#,
        ] {
            let b = h.as_bytes();
            assert!(check_quick(b), "{h}");
            for n in 0..b.len() {
                check_quick(&b[..n]);
                let mut d = b.to_vec();
                d.remove(n);
                check_quick(&d);
            }
        }
    }

    #[test]
    fn buffered_parse_matches_parse_compact() {
        let long_header = format!(r#"{{"alg":"RS256","x":"{}"}}"#, "h".repeat(400));
        let tokens = [
            tok(r#"{"kid":"k\/1","alg":"RS256"}"#, r#"{"a":1}"#, &[7; 256]),
            tok(r#"{"alg":"RS256"}"#, "{}", &[1; SIG_BUF]),
            tok(r#"{"alg":"RS256"}"#, "{}", &[2; SIG_BUF + 1]),
            tok(&long_header, "{}", b"s"),
            tok(r#"{"alg":"RS256","crit":[]}"#, "{}", b"s"),
            format!("{}.e30.AA=", b64::encode(br#"{"alg":"RS256"}"#)),
            format!(
                "{}.e30.{}/",
                b64::encode(br#"{"alg":"RS256"}"#),
                "A".repeat(1500)
            ),
            format!("{}.e30.AB", b64::encode(br#"{"alg":"RS256"}"#)),
            format!("{}=.e30.AA", b64::encode(long_header.as_bytes())),
        ];
        for t in &tokens {
            let mut buf = [0u8; SIG_BUF];
            let a = parse_compact(t, DEFAULT_MAX_TOKEN_BYTES);
            let mut hbuf = [0u8; HEADER_BUF];
            let b = parse_compact_buf(t, DEFAULT_MAX_TOKEN_BYTES, &mut hbuf, &mut buf);
            match (a, b) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(HeaderRef::from(a.header), b.header);
                    assert_eq!(a.signing_input, b.signing_input);
                    assert_eq!(a.payload, b.payload);
                    assert_eq!(a.signature, b.signature.as_slice());
                }
                (Err(a), Err(b)) => assert_eq!(a, b, "{t}"),
                (a, b) => panic!("{t}: {:?} vs {:?}", a.err(), b.err()),
            }
        }
    }

    #[test]
    fn size_is_checked_before_decoding() {
        let big = "a".repeat(DEFAULT_MAX_TOKEN_BYTES + 1);
        assert_eq!(
            parse_compact(&big, DEFAULT_MAX_TOKEN_BYTES).unwrap_err(),
            JwsError::TooLarge {
                max: DEFAULT_MAX_TOKEN_BYTES
            }
        );
    }

    #[test]
    fn invalid_utf8_in_header_is_rejected() {
        let t = format!(
            "{}.{}.{}",
            b64::encode(b"{\"alg\":\"\xff\"}"),
            b64::encode(b"{}"),
            b64::encode(b"s")
        );
        assert_eq!(
            parse_compact(&t, DEFAULT_MAX_TOKEN_BYTES).unwrap_err(),
            JwsError::HeaderNotJson
        );
    }
}
