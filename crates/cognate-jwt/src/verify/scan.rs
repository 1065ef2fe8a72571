//! The payload scanner: a purpose-built, strict JSON reader for the claims object.
//!
//! It does exactly what the serde visitor it replaced did (kept in the tests as the
//! reference, see `tests::differential`), in the same order, with fewer instructions:
//!
//! - The payload must be UTF-8 and one JSON object (RFC 8259 grammar: whitespace is space,
//!   tab, LF, CR; no trailing commas; numbers without leading zeros; strings without control
//!   characters; escapes `\" \\ \/ \b \f \n \r \t \uXXXX`), followed only by whitespace.
//! - Nesting is bounded as serde_json bounds it: 127 containers inside the top-level object
//!   make the payload invalid.
//! - A registered claim seen twice is refused before its second value is read; an extra
//!   member seen twice is refused after its value is read (member names compared after
//!   unescaping, so `"\u0065xp"` is `exp`).
//! - A registered claim's value is read in full (syntax errors win) and then type-checked.
//!
//! The rare, intricate cases are handed to serde_json itself, so their semantics cannot
//! drift: a string with a `\u` escape (surrogate pairs), a number that is not a plain
//! non-negative integer fitting in a `u64` (range check of floats and long integers).
//!
//! Extra members are not built here: the scanner checks each value in full (syntax,
//! nesting, number ranges, escapes) and records its position; `ClaimsData::extra` builds
//! the `serde_json::Value`s from those slices on first use. Their names are compared for
//! duplicates one by one up to 16 members, then through a set.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::claims::{Audience, ClaimsData, Extra, Lite, Problem, Text, Texts, MAX_NUMERIC_DATE};
use super::error::echo;
use crate::jws::stop_byte;

/// Why the scan stopped.
pub(super) enum Fail {
    /// Not a JSON object (any syntax error).
    Syntax,
    /// A claim-level problem (duplicate, wrong type).
    Claim(Problem),
}

type R<T> = Result<T, Fail>;

/// serde_json's recursion budget: the top-level object takes one.
const DEPTH: u32 = 128;

struct Scanner<'a> {
    b: &'a [u8],
    text: &'a str,
    i: usize,
    /// Containers that may still be entered (serde_json's `remaining_depth`).
    depth: u32,
    /// String claims with only short escapes, to be unescaped in place (see [`Unescape`]).
    pending: Unescape,
    /// Extra member names, once there are too many to compare one by one.
    seen: Option<BTreeSet<String>>,
}

/// Up to this many extra members, a new name is compared with each earlier one.
const LINEAR_EXTRAS: usize = 16;

/// The spans (between the quotes) of the string claims whose only escapes are the short
/// ones (`\/`, `\"`, ...): their `Text` already points at the unescaped length from the
/// span's start, and [`Unescape::apply`] rewrites the payload bytes in place, so such a
/// claim (Cognito's `"iss":"https:\/\/cognito-idp..."`) needs no allocation. Each string
/// claim is seen at most once, so 12 spans always suffice.
#[derive(Default)]
pub(super) struct Unescape {
    spans: [(usize, usize); 12],
    n: usize,
}

impl Unescape {
    /// Rewrites each span of `json` to its unescaped value, left-aligned in the span.
    pub(super) fn apply(&self, json: &mut [u8]) {
        for &(start, end) in self.spans.iter().take(self.n) {
            let Some(span) = json.get_mut(start..end) else {
                continue;
            };
            crate::jws::unescape_in_place(span);
        }
    }
}

/// A string as delimited and checked by [`Scanner::string_span`].
struct Span {
    /// After the opening quote.
    start: usize,
    /// The closing quote.
    end: usize,
    /// Short escapes (`\"` `\\` `\/` `\b` `\f` `\n` `\r` `\t`) in it.
    short: usize,
    /// A `\u` escape in it.
    unicode: bool,
}

/// A registered claim's destination.
enum Slot<'a> {
    Str(&'a mut Option<Text>),
    Date(&'a mut Option<u64>),
    Aud(&'a mut Option<Audience>),
    Strings(&'a mut Option<Texts>),
}

/// Scans `json` into `c` (fresh, default). The caller applies the returned [`Unescape`] to
/// `json` and stores `json` itself into `c` afterwards.
pub(super) fn scan(json: &[u8], c: &mut ClaimsData) -> R<Unescape> {
    let text = std::str::from_utf8(json).map_err(|_| Fail::Syntax)?;
    let mut s = Scanner {
        b: json,
        text,
        i: 0,
        depth: DEPTH,
        pending: Unescape::default(),
        seen: None,
    };
    s.ws();
    if s.peek() != Some(b'{') {
        return Err(Fail::Syntax);
    }
    s.enter()?;
    s.i += 1;
    s.ws();
    if s.peek() == Some(b'}') {
        s.i += 1;
    } else {
        loop {
            if s.peek() != Some(b'"') {
                return Err(Fail::Syntax);
            }
            let key_start = s.i + 1;
            let key = s.string_value()?;
            s.member(c, key_start, key)?;
            s.ws();
            match s.peek() {
                Some(b',') => {
                    s.i += 1;
                    s.ws();
                }
                Some(b'}') => {
                    s.i += 1;
                    break;
                }
                _ => return Err(Fail::Syntax),
            }
        }
    }
    s.ws();
    if s.i != s.b.len() {
        return Err(Fail::Syntax);
    }
    Ok(s.pending)
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    /// Enters a container (the caller then steps over its opening byte).
    fn enter(&mut self) -> R<()> {
        self.depth -= 1;
        if self.depth == 0 {
            return Err(Fail::Syntax);
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth += 1;
    }

    /// The `:` between a member name and its value.
    fn colon(&mut self) -> R<()> {
        self.ws();
        if self.peek() != Some(b':') {
            return Err(Fail::Syntax);
        }
        self.i += 1;
        self.ws();
        Ok(())
    }

    /// One member of the top-level object: `key` is read, the `:` and value are next.
    /// (As in serde_json, a registered claim's duplicate is refused before the `:`.)
    fn member(&mut self, c: &mut ClaimsData, key_start: usize, key: Cow<'a, str>) -> R<()> {
        // Byte patterns: a decision tree on length and bytes, no string comparisons.
        let (name, slot): (&'static str, Slot<'_>) = match key.as_bytes() {
            [b'i', b's', b's'] => ("iss", Slot::Str(&mut c.iss)),
            [b's', b'u', b'b'] => ("sub", Slot::Str(&mut c.sub)),
            [b'a', b'u', b'd'] => ("aud", Slot::Aud(&mut c.aud)),
            [b'e', b'x', b'p'] => ("exp", Slot::Date(&mut c.exp)),
            [b'n', b'b', b'f'] => ("nbf", Slot::Date(&mut c.nbf)),
            [b'i', b'a', b't'] => ("iat", Slot::Date(&mut c.iat)),
            [b'a', b'u', b't', b'h', b'_', b't', b'i', b'm', b'e'] => {
                ("auth_time", Slot::Date(&mut c.auth_time))
            }
            [b't', b'o', b'k', b'e', b'n', b'_', b'u', b's', b'e'] => {
                ("token_use", Slot::Str(&mut c.token_use))
            }
            [b'c', b'l', b'i', b'e', b'n', b't', b'_', b'i', b'd'] => {
                ("client_id", Slot::Str(&mut c.client_id))
            }
            [b's', b'c', b'o', b'p', b'e'] => ("scope", Slot::Str(&mut c.scope)),
            [b'u', b's', b'e', b'r', b'n', b'a', b'm', b'e'] => {
                ("username", Slot::Str(&mut c.username))
            }
            [b'c', b'o', b'g', b'n', b'i', b't', b'o', b':', b'u', b's', b'e', b'r', b'n', b'a', b'm', b'e'] => {
                ("cognito:username", Slot::Str(&mut c.cognito_username))
            }
            [b'c', b'o', b'g', b'n', b'i', b't', b'o', b':', b'g', b'r', b'o', b'u', b'p', b's'] => {
                ("cognito:groups", Slot::Strings(&mut c.groups))
            }
            [b'j', b't', b'i'] => ("jti", Slot::Str(&mut c.jti)),
            [b'o', b'r', b'i', b'g', b'i', b'n', b'_', b'j', b't', b'i'] => {
                ("origin_jti", Slot::Str(&mut c.origin_jti))
            }
            [b'e', b'v', b'e', b'n', b't', b'_', b'i', b'd'] => {
                ("event_id", Slot::Str(&mut c.event_id))
            }
            _ => {
                self.colon()?;
                let start = self.i;
                self.skip_value()?;
                if self.duplicate_extra(c, &key) {
                    return Err(Fail::Claim(Problem::Duplicate(echo(&key))));
                }
                let name = match key {
                    Cow::Borrowed(k) => Text::At(key_start, key_start + k.len()),
                    Cow::Owned(k) => Text::Own(k.into_boxed_str()),
                };
                c.extras.push(Extra {
                    name,
                    value: (start, self.i),
                });
                return Ok(());
            }
        };
        let taken = match &slot {
            Slot::Str(s) => s.is_some(),
            Slot::Date(s) => s.is_some(),
            Slot::Aud(s) => s.is_some(),
            Slot::Strings(s) => s.is_some(),
        };
        if taken {
            return Err(Fail::Claim(Problem::Duplicate(name.to_owned())));
        }
        self.colon()?;
        let value = match slot {
            Slot::Str(_) if self.peek() == Some(b'"') => self.str_claim()?,
            Slot::Strings(s) if self.peek() == Some(b'[') => {
                // Into the claims' inline storage: no `Vec` for a few groups.
                let mut out = Texts::default();
                if self.str_array(&mut out)? {
                    *s = Some(out);
                    return Ok(());
                }
                return Err(Fail::Claim(Problem::Type(name)));
            }
            _ => self.lite()?,
        };
        let base = self.b;
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
                *s = Some(Audience::One(v.get(base).to_owned()));
                true
            }
            (Slot::Aud(s), Lite::StrArray(v)) => {
                *s = Some(Audience::Many(
                    v.iter().map(|a| a.get(base).to_owned()).collect(),
                ));
                true
            }
            (Slot::Strings(s), Lite::StrArray(v)) => {
                *s = Some(v.into_iter().collect());
                true
            }
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(Fail::Claim(Problem::Type(name)))
        }
    }

    /// True when an extra member named `key` was seen already (names compared after
    /// unescaping; the names kept as positions have no escapes).
    fn duplicate_extra(&mut self, c: &ClaimsData, key: &str) -> bool {
        if c.extras.len() < LINEAR_EXTRAS {
            return c.extras.iter().any(|e| e.name.get(self.b) == key);
        }
        let b = self.b;
        let seen = self
            .seen
            .get_or_insert_with(|| c.extras.iter().map(|e| e.name.get(b).to_owned()).collect());
        !seen.insert(key.to_owned())
    }

    /// An array at `self.i` (on its `[`), read as [`Scanner::lite`] reads one: its strings
    /// go into `out`; false when an element is not a string (the array is still read to
    /// its end, so a later syntax error wins).
    fn str_array(&mut self, out: &mut Texts) -> R<bool> {
        self.str_elements(|s| out.push(s))
    }

    /// The elements of an array at `self.i` (on its `[`): each string goes to `push` until a
    /// non-string element is met; returns whether every element was a string. The array is
    /// always read to its end, so a later syntax error wins over a type error.
    fn str_elements(&mut self, mut push: impl FnMut(Text)) -> R<bool> {
        self.enter()?;
        self.i += 1;
        let mut all_strings = true;
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
        } else {
            loop {
                match self.lite()? {
                    Lite::Str(s) if all_strings => push(s),
                    _ => all_strings = false,
                }
                self.ws();
                match self.peek() {
                    Some(b',') => {
                        self.i += 1;
                        self.ws();
                    }
                    Some(b']') => {
                        self.i += 1;
                        break;
                    }
                    _ => return Err(Fail::Syntax),
                }
            }
        }
        self.leave();
        Ok(all_strings)
    }

    /// A value classified by JSON type; strings without escapes become positions.
    fn lite(&mut self) -> R<Lite> {
        match self.peek() {
            Some(b'"') => {
                let start = self.i + 1;
                Ok(Lite::Str(match self.string_value()? {
                    Cow::Borrowed(v) => Text::At(start, start + v.len()),
                    Cow::Owned(v) => Text::Own(v.into_boxed_str()),
                }))
            }
            Some(b'[') => {
                let mut out = Vec::new();
                let all_strings = self.str_elements(|s| out.push(s))?;
                Ok(if all_strings {
                    Lite::StrArray(out)
                } else {
                    Lite::Other
                })
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => {
                self.skip_value()?;
                Ok(Lite::Other)
            }
        }
    }

    /// A number: `Int` when it is a plain non-negative integer that fits a `u64`; anything
    /// else is checked by serde_json (its range rules for floats and long integers).
    fn number(&mut self) -> R<Lite> {
        let start = self.i;
        // The common case in one pass: a positive integer without fraction or exponent
        // that fits a `u64`. Anything else is read again below from `start`.
        if let Some(b'1'..=b'9') = self.peek() {
            let mut v: u64 = 0;
            let mut fits = true;
            while let Some(&d @ b'0'..=b'9') = self.b.get(self.i) {
                match v
                    .checked_mul(10)
                    .and_then(|x| x.checked_add(u64::from(d - b'0')))
                {
                    Some(x) => v = x,
                    None => fits = false,
                }
                self.i += 1;
            }
            if fits && !matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
                return Ok(Lite::Int(v));
            }
            self.i = start;
        }
        let plain = self.skip_number()?;
        let raw = self.text.get(start..self.i).ok_or(Fail::Syntax)?;
        if plain {
            let mut v: u64 = 0;
            let mut fits = true;
            for d in raw.bytes() {
                match v
                    .checked_mul(10)
                    .and_then(|x| x.checked_add(u64::from(d - b'0')))
                {
                    Some(x) => v = x,
                    None => {
                        fits = false;
                        break;
                    }
                }
            }
            if fits {
                return Ok(Lite::Int(v));
            }
        }
        serde_json::from_str::<serde_json::Number>(raw).map_err(|_| Fail::Syntax)?;
        Ok(Lite::Other)
    }

    /// Steps over a number (RFC 8259 grammar). True when it is digits only.
    fn skip_number(&mut self) -> R<bool> {
        let mut plain = true;
        if self.peek() == Some(b'-') {
            plain = false;
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.i += 1;
                // serde_json refuses a leading zero where it reads it, before the caller
                // could look at the value.
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(Fail::Syntax);
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(Fail::Syntax),
        }
        if self.peek() == Some(b'.') {
            plain = false;
            self.i += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(Fail::Syntax);
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            plain = false;
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(Fail::Syntax);
            }
            self.digits();
        }
        Ok(plain)
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
    }

    /// Steps over any value, checking its syntax and nesting.
    fn skip_value(&mut self) -> R<()> {
        match self.peek() {
            Some(b'"') => self.string_value().map(drop),
            // Range-checked like any number serde_json reads into a value.
            Some(b'-' | b'0'..=b'9') => self.number().map(drop),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(open @ (b'[' | b'{')) => {
                let close = if open == b'[' { b']' } else { b'}' };
                self.enter()?;
                self.i += 1;
                self.ws();
                if self.peek() == Some(close) {
                    self.i += 1;
                } else {
                    loop {
                        if open == b'{' {
                            if self.peek() != Some(b'"') {
                                return Err(Fail::Syntax);
                            }
                            self.string_value()?;
                            self.ws();
                            if self.peek() != Some(b':') {
                                return Err(Fail::Syntax);
                            }
                            self.i += 1;
                            self.ws();
                        }
                        self.skip_value()?;
                        self.ws();
                        match self.peek() {
                            Some(b',') => {
                                self.i += 1;
                                self.ws();
                            }
                            Some(c) if c == close => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(Fail::Syntax),
                        }
                    }
                }
                self.leave();
                Ok(())
            }
            _ => Err(Fail::Syntax),
        }
    }

    fn literal(&mut self, word: &[u8]) -> R<()> {
        if self.b.get(self.i..self.i + word.len()) == Some(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(Fail::Syntax)
        }
    }

    /// A string claim's value at `self.i` (on its opening quote): a position when it has
    /// no escape or only short ones (those are unescaped in place afterwards), otherwise as
    /// [`Scanner::lite`] has it.
    fn str_claim(&mut self) -> R<Lite> {
        let sp = self.string_span()?;
        if !sp.unicode {
            let len = sp.end - sp.start - sp.short;
            if sp.short == 0 {
                return Ok(Lite::Str(Text::At(sp.start, sp.end)));
            }
            if let Some(slot) = self.pending.spans.get_mut(self.pending.n) {
                *slot = (sp.start, sp.end);
                self.pending.n += 1;
                return Ok(Lite::Str(Text::At(sp.start, sp.start + len)));
            }
        }
        Ok(Lite::Str(Text::Own(self.unescape(&sp)?.into_boxed_str())))
    }

    /// A string at `self.i` (on its opening quote): borrowed when it has no escape,
    /// unescaped otherwise.
    fn string_value(&mut self) -> R<Cow<'a, str>> {
        let sp = self.string_span()?;
        if sp.short == 0 && !sp.unicode {
            return self
                .text
                .get(sp.start..sp.end)
                .map(Cow::Borrowed)
                .ok_or(Fail::Syntax);
        }
        self.unescape(&sp).map(Cow::Owned)
    }

    /// Delimits and checks the string at `self.i` (on its opening quote) and steps over it.
    fn string_span(&mut self) -> R<Span> {
        let start = self.i + 1;
        let mut j = stop_byte(self.b, start).ok_or(Fail::Syntax)?;
        if self.b.get(j) == Some(&b'"') {
            self.i = j + 1;
            return Ok(Span {
                start,
                end: j,
                short: 0,
                unicode: false,
            });
        }
        // Escapes: find the closing quote, checking each escape's form on the way.
        let mut unicode = false;
        let mut short = 0;
        loop {
            match self.b.get(j) {
                Some(b'"') => break,
                Some(b'\\') => {
                    match self.b.get(j + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            short += 1;
                            j += 2;
                        }
                        Some(b'u') => {
                            unicode = true;
                            let hex = self.b.get(j + 2..j + 6).ok_or(Fail::Syntax)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return Err(Fail::Syntax);
                            }
                            j += 6;
                        }
                        _ => return Err(Fail::Syntax),
                    }
                    j = stop_byte(self.b, j).ok_or(Fail::Syntax)?;
                }
                // A control character.
                _ => return Err(Fail::Syntax),
            }
        }
        self.i = j + 1;
        Ok(Span {
            start,
            end: j,
            short,
            unicode,
        })
    }

    /// The value of a string with escapes, as [`Scanner::string_span`] delimited it.
    fn unescape(&self, sp: &Span) -> R<String> {
        let (start, j) = (sp.start, sp.end);
        if sp.unicode {
            // Surrogate pairs and their errors exactly as serde_json has them.
            let quoted = self.text.get(start - 1..j + 1).ok_or(Fail::Syntax)?;
            return serde_json::from_str::<String>(quoted).map_err(|_| Fail::Syntax);
        }
        let inner = self.text.get(start..j).ok_or(Fail::Syntax)?;
        let mut out = String::with_capacity(inner.len());
        let mut parts = inner.split('\\');
        out.push_str(parts.next().unwrap_or_default());
        let mut escaped_backslash = false;
        for part in parts {
            // `\\` splits into an empty part followed by the text after it.
            if escaped_backslash {
                escaped_backslash = false;
                out.push_str(part);
                continue;
            }
            let mut chars = part.chars();
            match chars.next() {
                None => {
                    out.push('\\');
                    escaped_backslash = true;
                    continue;
                }
                Some('"') => out.push('"'),
                Some('/') => out.push('/'),
                Some('b') => out.push('\u{8}'),
                Some('f') => out.push('\u{c}'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                _ => return Err(Fail::Syntax),
            }
            out.push_str(chars.as_str());
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    //! Differential tests: the scanner against the serde visitor it replaced (same result,
    //! same error) and against `serde_json::Value` (never accepts what serde_json rejects).
    use super::super::claims::{parse, parse_serde};
    use super::super::error::VerifyError;
    use serde_json::Value;

    use crate::test_rng::Rng;

    const KEYS: &[&str] = &[
        "iss",
        "sub",
        "aud",
        "exp",
        "nbf",
        "iat",
        "auth_time",
        "token_use",
        "client_id",
        "scope",
        "username",
        "cognito:username",
        "cognito:groups",
        "jti",
        "origin_jti",
        "event_id",
        "version",
        "email",
        "custom:tenant",
        "identities",
        "a",
        "",
        "\\u0065xp",
        "i\\u0073s",
        "ex\\/p",
        "\\\"q",
        "\\\\",
        "\\ud83d\\ude00",
        "\\ud800",
        "\\u00e9",
        "é",
        "sc\\u006fpe",
    ];

    const STRINGS: &[&str] = &[
        "",
        "x",
        "access",
        "id",
        "https://cognito-idp.us-east-1.amazonaws.com/p",
        "https:\\/\\/x",
        "a\\nb",
        "a\\\\",
        "\\\\",
        "\\\\\\\"",
        "\\\\n",
        "q\\\"q",
        "\\b\\f\\r\\t",
        "\\u0041",
        "\\u00e9\\u00E9",
        "\\ud83d\\ude00",
        "\\ud800",
        "\\udc00",
        "\\ud800x",
        "\\ud800\\u0041",
        "é€😀",
        "\\x",
        "\\u12",
        "\\u12g4",
        "tab\there",
        "ctl\u{1}",
        "del\u{7f}",
        "0123456789abcdef0123456789",
        "aws.cognito.signin.user.admin openid",
    ];

    const NUMBERS: &[&str] = &[
        "0",
        "1",
        "5",
        "-1",
        "-0",
        "1.5",
        "1.0",
        "1e3",
        "1E+3",
        "1e-3",
        "253402300799",
        "253402300800",
        "18446744073709551615",
        "18446744073709551616",
        "99999999999999999999999",
        "1e400",
        "-1e400",
        "1e-400",
        "01",
        "1.",
        ".5",
        "-",
        "1e",
        "1e+",
        "+1",
        "0x10",
        "1_000",
        "-01",
        "00",
        "1.5e308",
        "17976931348623157e292",
        "18e307",
        "1673913192",
    ];

    const GOOD_STRINGS: &[&str] = &["", "x", "access", "https:\\/\\/x", "a\\\\", "\\u00e9", "é"];
    const GOOD_NUMBERS: &[&str] = &["0", "5", "1673913192", "-1", "1.5", "1e3"];

    const WS: &[&str] = &["", "", "", " ", "\n", "\t", "\r\n  ", "\u{c}", "\u{a0}"];

    fn value(r: &mut Rng, depth: usize, out: &mut String) {
        let kind = if depth > 4 { r.below(4) } else { r.below(9) };
        match kind {
            0 | 1 => {
                out.push('"');
                let pool = if r.below(3) == 0 {
                    STRINGS
                } else {
                    GOOD_STRINGS
                };
                out.push_str(r.pick(pool));
                out.push('"');
            }
            2 => {
                let pool = if r.below(3) == 0 {
                    NUMBERS
                } else {
                    GOOD_NUMBERS
                };
                out.push_str(r.pick(pool));
            }
            3 => out.push_str(r.pick(&["true", "false", "null", "tru", "nul"])),
            4..=6 => {
                out.push('[');
                let n = r.below(4);
                for i in 0..n {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(r.pick(WS));
                    value(r, depth + 1, out);
                }
                out.push(']');
            }
            _ => object(r, depth + 1, out),
        }
    }

    fn object(r: &mut Rng, depth: usize, out: &mut String) {
        out.push('{');
        let n = if depth == 0 { r.below(12) } else { r.below(4) };
        for i in 0..n {
            if i > 0 {
                out.push(',');
            }
            out.push_str(r.pick(WS));
            out.push('"');
            out.push_str(r.pick(KEYS));
            out.push('"');
            out.push_str(r.pick(WS));
            out.push(':');
            out.push_str(r.pick(WS));
            value(r, depth, out);
            out.push_str(r.pick(WS));
        }
        out.push('}');
    }

    fn mutate(r: &mut Rng, s: &str) -> Vec<u8> {
        let mut b = s.as_bytes().to_vec();
        for _ in 0..=r.below(3) {
            if b.is_empty() {
                break;
            }
            let at = r.below(b.len());
            const SIG: &[u8] = b"{}[]\",:\\ u0e-+.\x01\x00\xff/";
            match r.below(5) {
                0 => {
                    b.remove(at);
                }
                1 => b.insert(at, SIG[r.below(SIG.len())]),
                2 => b[at] = SIG[r.below(SIG.len())],
                3 => b.truncate(at),
                _ => {
                    let extra = b",\"exp\":1";
                    let at = b.len().saturating_sub(1);
                    b.splice(at..at, extra.iter().copied());
                }
            }
        }
        b
    }

    fn check(json: &[u8]) {
        let new = parse(json.to_vec()).map(|c| c.view());
        let old = parse_serde(json.to_vec()).map(|c| c.view());
        assert_eq!(new, old, "{:?}", String::from_utf8_lossy(json));
        if new.is_ok() {
            assert!(
                serde_json::from_slice::<Value>(json).is_ok(),
                "accepted invalid JSON {:?}",
                String::from_utf8_lossy(json)
            );
        }
    }

    #[test]
    fn differential_random_and_mutated() {
        let mut r = Rng(0x9e37_79b9_7f4a_7c15);
        let mut accepted = 0;
        for _ in 0..60_000 {
            let mut s = String::new();
            s.push_str(r.pick(WS));
            object(&mut r, 0, &mut s);
            s.push_str(r.pick(WS));
            check(s.as_bytes());
            if parse(s.as_bytes().to_vec()).is_ok() {
                accepted += 1;
            }
            check(&mutate(&mut r, &s));
        }
        // The generator must exercise the accepting path too, not only errors.
        assert!(accepted > 2_000, "only {accepted} accepted");
    }

    #[test]
    fn differential_nesting_limit() {
        for depth in 120..=130 {
            for (open, close) in [("[", "]"), ("{\"k\":", "}")] {
                let v = format!("{}1{}", open.repeat(depth), close.repeat(depth));
                for key in ["x", "aud", "exp", "cognito:groups"] {
                    check(format!("{{\"{key}\":{v}}}").as_bytes());
                    check(format!("{{\"{key}\":[\"a\",{v}]}}").as_bytes());
                }
            }
        }
    }

    #[test]
    fn differential_realistic_tokens() {
        let access = r#"{"sub":"7dca9b92-746b-4406-9f7d-3e58cd7b247f","cognito:groups":["us-east-1_h6I5IqQSs_Google"],"iss":"https:\/\/cognito-idp.us-east-1.amazonaws.com\/us-east-1_h6I5IqQSs","version":2,"client_id":"5d586se3r976435167nk8k8s4h","origin_jti":"04ee7dcf-52a4-4d0c-9e4f-8b0a2f6f1c11","event_id":"4cf13a31-757d-11e9-8b8d-91bb02a83dfa","token_use":"access","scope":"aws.cognito.signin.user.admin openid profile","auth_time":1673913192,"exp":1673916792,"iat":1673913192,"jti":"c2061278-9a1b-4c3d-8e7f-0a1b2c3d4e5f","username":"google_117300206013007398924"}"#;
        let id = r#"{"at_hash":"x","sub":"s","email_verified":true,"iss":"https://i","cognito:username":"u","aud":["c","d"],"identities":[{"userId":"1","providerName":"Google","primary":"true","dateCreated":"1"}],"token_use":"id","auth_time":1,"exp":2,"iat":1,"email":"a@b.c","custom:n":-1.5e3}"#;
        for j in [access, id] {
            check(j.as_bytes());
            assert!(parse(j.as_bytes().to_vec()).is_ok());
            // Every prefix and every single-byte deletion.
            for n in 0..j.len() {
                check(&j.as_bytes()[..n]);
                let mut d = j.as_bytes().to_vec();
                d.remove(n);
                check(&d);
            }
        }
    }

    /// Many extra members (past the one-by-one comparison into the name set), escaped
    /// names, and a duplicate at every position against every earlier one.
    #[test]
    fn differential_many_extras_and_duplicates() {
        for n in [1usize, 3, 4, 5, 15, 16, 17, 40] {
            let names: Vec<String> = (0..n).map(|i| format!("m{i}")).collect();
            let members: Vec<String> = names
                .iter()
                .enumerate()
                .map(|(i, k)| {
                    format!(
                        r#""{k}":{}"#,
                        ["1", r#""v\/""#, "[1,{}]", "-2.5", "null"][i % 5]
                    )
                })
                .collect();
            let ok = format!("{{{},\"exp\":3}}", members.join(","));
            check(ok.as_bytes());
            assert!(parse(ok.into_bytes()).is_ok());
            for (dup, name) in names.iter().enumerate() {
                for spelling in [name.clone(), format!("\\u006d{}", &name[1..])] {
                    let mut m = members.clone();
                    m.insert(n.min(dup + 1 + dup % 3), format!(r#""{spelling}":true"#));
                    let bad = format!("{{{}}}", m.join(","));
                    check(bad.as_bytes());
                    assert!(matches!(
                        parse(bad.into_bytes()),
                        Err(VerifyError::DuplicateClaim(_))
                    ));
                }
            }
        }
    }

    /// `cognito:groups` of every length around the inline capacity, with escapes, a
    /// non-string element at each position, and a syntax error after a non-string.
    #[test]
    fn differential_groups_lengths() {
        for n in 0..9usize {
            let groups: Vec<String> = (0..n)
                .map(|i| ["\"g\"", "\"a\\/b\"", "\"\\u00e9\"", "\"\""][i % 4].to_owned())
                .collect();
            let ok = format!(r#"{{"cognito:groups":[{}],"exp":1}}"#, groups.join(","));
            check(ok.as_bytes());
            let c = parse(ok.into_bytes()).unwrap();
            assert_eq!(c.groups().count(), n);
            for bad_at in 0..n {
                let mut g = groups.clone();
                g[bad_at] = "1".to_owned();
                check(format!(r#"{{"cognito:groups":[{}],"exp":1}}"#, g.join(",")).as_bytes());
                check(format!(r#"{{"cognito:groups":[{},]}}"#, g.join(",")).as_bytes());
            }
        }
    }
}
