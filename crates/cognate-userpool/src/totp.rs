//! Software-token MFA: RFC 6238 TOTP as Cognito's `AssociateSoftwareToken`,
//! `VerifySoftwareToken` and the `SOFTWARE_TOKEN_MFA` challenge use it.
//!
//! * Authenticator apps compute HMAC-SHA-1, 6 digits, 30-second steps from the Unix epoch
//!   ([`Totp::COGNITO`]); SHA-256, SHA-512, other lengths and steps exist for the RFC's own
//!   vectors and for other callers ([`Totp::new`]).
//! * The shared secret is 32 random bytes. Cognito's `SecretCode` (botocore model:
//!   `SecretCodeType`, at least 16 characters of `[A-Za-z0-9]`) is its RFC 4648 Base32 form in
//!   upper case without padding: 52 characters, the length Cognito's codes are observed to have
//!   ([`TotpSecret::generate`], [`TotpSecret::to_base32`]).
//! * [`Totp::verify`] accepts the current step and `window` steps either side, compares in
//!   constant time, and returns the matched step so the caller can refuse a step that was
//!   already used (replay).
//! * [`Totp::otpauth_uri`] builds the `otpauth://totp/...` URI for a QR code (Google
//!   Authenticator's key URI format).

use cognate_types::{RandomError, Secret, SecureRandom, UnixTime};
use sha1::Sha1;
use sha2::{Sha256, Sha512};
use subtle::{ConditionallySelectable, ConstantTimeEq};
use thiserror::Error;

/// Why a TOTP operation failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TotpError {
    /// The code is not exactly the configured number of ASCII digits (Cognito's
    /// `SoftwareTokenMFAUserCodeType` is six digits; the API answers `InvalidParameterException`).
    #[error("the code is not {0} digits")]
    MalformedCode(u32),
    /// The code matches no step inside the window (`CodeMismatchException` on the wire).
    #[error("the code does not match")]
    Mismatch,
    /// Digits outside 6..=10, a step of zero seconds, or a window wider than [`MAX_WINDOW`].
    #[error("TOTP parameters out of range (6 to 10 digits, a step of at least one second, a window of at most 10 steps)")]
    InvalidParameters,
    /// A Base32 secret with a character outside the RFC 4648 alphabet, or an empty secret.
    #[error("the TOTP secret is not valid Base32")]
    MalformedSecret,
    /// An issuer or account name that is empty (account) or contains a colon, which the
    /// `otpauth://` label reserves as its separator.
    #[error("the otpauth label part is empty or contains a colon")]
    InvalidLabel,
    /// The random source failed.
    #[error(transparent)]
    Random(#[from] RandomError),
}

/// The HMAC hash of a TOTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC-SHA-1: what authenticator apps use with Cognito, and RFC 4226's HOTP.
    Sha1,
    /// HMAC-SHA-256.
    Sha256,
    /// HMAC-SHA-512.
    Sha512,
}

impl Algorithm {
    /// The name in an `otpauth://` URI.
    fn uri_name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
        }
    }
}

/// The widest window [`Totp::verify`] accepts, in steps either side of the current one.
pub const MAX_WINDOW: u64 = 10;

/// Bytes of secret [`TotpSecret::generate`] draws.
pub const SECRET_LEN: usize = 32;

/// A TOTP shared secret. `Debug` is redacted, equality is constant-time, and the bytes are
/// zeroized on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Secret<Vec<u8>>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("TotpSecret").field(&self.0).finish()
    }
}

impl TotpSecret {
    /// A new random secret of [`SECRET_LEN`] bytes, as `AssociateSoftwareToken` hands out.
    pub fn generate(rng: &dyn SecureRandom) -> Result<Self, TotpError> {
        let mut bytes = vec![0u8; SECRET_LEN];
        rng.fill(&mut bytes)?;
        Ok(Self(Secret::new(bytes)))
    }

    /// A secret from its raw bytes (at least one).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, TotpError> {
        let secret = Secret::new(bytes);
        if secret.expose().is_empty() {
            return Err(TotpError::MalformedSecret);
        }
        Ok(Self(secret))
    }

    /// A secret from RFC 4648 Base32 (either case, `=` padding optional).
    pub fn from_base32(text: &str) -> Result<Self, TotpError> {
        Self::from_bytes(base32_decode(text).ok_or(TotpError::MalformedSecret)?)
    }

    /// The secret as Cognito's `SecretCode`: RFC 4648 Base32, upper case, no padding.
    pub fn to_base32(&self) -> Secret<String> {
        Secret::new(base32_encode(self.0.expose()))
    }

    /// The raw bytes.
    pub fn expose(&self) -> &[u8] {
        self.0.expose()
    }
}

/// A TOTP configuration: hash, number of digits, step length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Totp {
    algorithm: Algorithm,
    digits: u32,
    step: u64,
}

impl Totp {
    /// What authenticator apps compute for Cognito: HMAC-SHA-1, 6 digits, 30-second steps.
    pub const COGNITO: Totp = Totp {
        algorithm: Algorithm::Sha1,
        digits: 6,
        step: 30,
    };

    /// Another configuration: 6 to 10 digits, a step of at least one second.
    pub fn new(algorithm: Algorithm, digits: u32, step_secs: u64) -> Result<Self, TotpError> {
        if !(6..=10).contains(&digits) || step_secs == 0 {
            return Err(TotpError::InvalidParameters);
        }
        Ok(Self {
            algorithm,
            digits,
            step: step_secs,
        })
    }

    /// The hash.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The number of digits.
    pub fn digits(&self) -> u32 {
        self.digits
    }

    /// The step length in seconds.
    pub fn step_secs(&self) -> u64 {
        self.step
    }

    /// The time step of `now`: `floor(now / step)` (RFC 6238 with `T0 = 0`).
    pub fn time_step(&self, now: UnixTime) -> u64 {
        now.as_secs() / self.step
    }

    /// The code for time step `step` (RFC 4226 HOTP with the step as the counter), zero-padded
    /// to the configured number of digits.
    pub fn code_at_step(&self, secret: &TotpSecret, step: u64) -> Secret<String> {
        let value = self.truncated(secret, step);
        Secret::new(format!("{value:0width$}", width = self.digit_count()))
    }

    /// The code at time `now`.
    pub fn code_at(&self, secret: &TotpSecret, now: UnixTime) -> Secret<String> {
        self.code_at_step(secret, self.time_step(now))
    }

    /// Checks `code` against the steps from `window` before to `window` after the step of `now`
    /// and returns the step it matched (the latest, should two steps share a code). Every step
    /// of the window is computed and compared in constant time, so timing shows neither which
    /// step matched nor how much of the code was right.
    ///
    /// A step that is accepted once must not be accepted again: keep the last matched step per
    /// user and refuse any step at or before it.
    ///
    /// `window` is configuration, at most [`MAX_WINDOW`] (larger is
    /// [`TotpError::InvalidParameters`]); one step either side is the usual allowance for clock
    /// drift.
    pub fn verify(
        &self,
        secret: &TotpSecret,
        code: &str,
        now: UnixTime,
        window: u64,
    ) -> Result<u64, TotpError> {
        if window > MAX_WINDOW {
            return Err(TotpError::InvalidParameters);
        }
        let presented = parse_code(code, self.digits)?;
        let current = self.time_step(now);
        let first = current.saturating_sub(window);
        let last = current.saturating_add(window);
        let mut matched = subtle::Choice::from(0);
        let mut matched_step = 0u64;
        let mut step = first;
        loop {
            let hit = self.truncated(secret, step).ct_eq(&presented);
            matched |= hit;
            matched_step.conditional_assign(&step, hit);
            if step >= last {
                break;
            }
            step += 1;
        }
        if bool::from(matched) {
            Ok(matched_step)
        } else {
            Err(TotpError::Mismatch)
        }
    }

    /// The `otpauth://totp/` URI that authenticator apps read from a QR code:
    /// `otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER`, with `algorithm`, `digits`
    /// and `period` added when they differ from the defaults (SHA1, 6, 30). Label parts and the
    /// issuer are percent-encoded (everything but RFC 3986 unreserved characters). Neither may
    /// contain a colon; the account name must not be empty; an empty issuer leaves the issuer
    /// out.
    pub fn otpauth_uri(
        &self,
        secret: &TotpSecret,
        issuer: &str,
        account: &str,
    ) -> Result<Secret<String>, TotpError> {
        if account.is_empty() || account.contains(':') || issuer.contains(':') {
            return Err(TotpError::InvalidLabel);
        }
        let mut uri = String::from("otpauth://totp/");
        if !issuer.is_empty() {
            percent_encode(issuer, &mut uri);
            uri.push(':');
        }
        percent_encode(account, &mut uri);
        uri.push_str("?secret=");
        uri.push_str(self::base32_encode(secret.expose()).as_str());
        if !issuer.is_empty() {
            uri.push_str("&issuer=");
            percent_encode(issuer, &mut uri);
        }
        if self.algorithm != Algorithm::Sha1 {
            uri.push_str("&algorithm=");
            uri.push_str(self.algorithm.uri_name());
        }
        if self.digits != 6 {
            uri.push_str(&format!("&digits={}", self.digits));
        }
        if self.step != 30 {
            uri.push_str(&format!("&period={}", self.step));
        }
        Ok(Secret::new(uri))
    }

    /// The number of digits as a width.
    fn digit_count(&self) -> usize {
        usize::try_from(self.digits).unwrap_or(6)
    }

    /// RFC 4226 dynamic truncation of HMAC(secret, counter), reduced to the configured digits.
    fn truncated(&self, secret: &TotpSecret, counter: u64) -> u64 {
        let counter = counter.to_be_bytes();
        let key = secret.expose();
        let mut mac = match self.algorithm {
            Algorithm::Sha1 => crate::mac::hmac::<Sha1>(key, &[&counter]).to_vec(),
            Algorithm::Sha256 => crate::mac::hmac::<Sha256>(key, &[&counter]).to_vec(),
            Algorithm::Sha512 => crate::mac::hmac::<Sha512>(key, &[&counter]).to_vec(),
        };
        let offset = usize::from(mac.last().copied().unwrap_or(0) & 0x0f);
        let mut word = [0u8; 4];
        if let Some(bytes) = mac.get(offset..offset + 4) {
            word.copy_from_slice(bytes);
        }
        zeroize::Zeroize::zeroize(&mut mac);
        let binary = u64::from(u32::from_be_bytes(word) & 0x7fff_ffff);
        binary % 10u64.pow(self.digits)
    }
}

/// RFC 6238 verification with Cognito's parameters ([`Totp::COGNITO`]): see [`Totp::verify`].
pub fn verify(
    secret: &TotpSecret,
    code: &str,
    now: UnixTime,
    window: u64,
) -> Result<u64, TotpError> {
    Totp::COGNITO.verify(secret, code, now, window)
}

/// A code of exactly `digits` ASCII digits, as a number.
fn parse_code(code: &str, digits: u32) -> Result<u64, TotpError> {
    let expected = usize::try_from(digits).map_err(|_| TotpError::MalformedCode(digits))?;
    if code.len() != expected || !code.bytes().all(|c| c.is_ascii_digit()) {
        return Err(TotpError::MalformedCode(digits));
    }
    code.parse().map_err(|_| TotpError::MalformedCode(digits))
}

const BASE32_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 Base32, upper case, without padding.
fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer = 0u16;
    let mut bits = 0u32;
    for &b in bytes {
        buffer = (buffer << 8) | u16::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(base32_char(buffer >> bits));
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(base32_char(buffer << (5 - bits)));
    }
    out
}

/// The Base32 character of the low five bits of `value`.
fn base32_char(value: u16) -> char {
    BASE32_ALPHABET
        .get(usize::from(value & 0x1f))
        .map(|&c| char::from(c))
        .unwrap_or('A')
}

/// RFC 4648 Base32 of either case, `=` padding optional (only at the end). `None` for any
/// other character.
fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let body = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(body.len() * 5 / 8);
    let mut buffer = 0u16;
    let mut bits = 0u32;
    for c in body.bytes() {
        let value = match c.to_ascii_uppercase() {
            c @ b'A'..=b'Z' => c - b'A',
            c @ b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | u16::from(value);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).ok()?);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Appends `text` percent-encoded: RFC 3986 unreserved characters as they are, every other
/// UTF-8 byte as `%XX`.
fn percent_encode(text: &str, out: &mut String) {
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use cognate_types::danger::InsecureDeterministicRandom;

    fn secret(s: &[u8]) -> TotpSecret {
        TotpSecret::from_bytes(s.to_vec()).unwrap()
    }

    const SHA1_KEY: &[u8] = b"12345678901234567890";
    const SHA256_KEY: &[u8] = b"12345678901234567890123456789012";
    const SHA512_KEY: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

    #[test]
    fn rfc4226_appendix_d_hotp() {
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        let hotp = Totp::new(Algorithm::Sha1, 6, 1).unwrap();
        for (counter, code) in (0u64..).zip(expected) {
            assert_eq!(
                hotp.code_at_step(&secret(SHA1_KEY), counter).expose(),
                code,
                "count {counter}"
            );
        }
    }

    #[test]
    fn rfc6238_appendix_b() {
        // Time, then the SHA-1, SHA-256 and SHA-512 codes (8 digits, 30 s).
        let table: [(u64, u64, &str, &str, &str); 6] = [
            (59, 1, "94287082", "46119246", "90693936"),
            (1_111_111_109, 0x23523EC, "07081804", "68084774", "25091201"),
            (1_111_111_111, 0x23523ED, "14050471", "67062674", "99943326"),
            (1_234_567_890, 0x273EF07, "89005924", "91819424", "93441116"),
            (2_000_000_000, 0x3F940AA, "69279037", "90698825", "38618901"),
            (
                20_000_000_000,
                0x27BC86AA,
                "65353130",
                "77737706",
                "47863826",
            ),
        ];
        for (time, step, sha1, sha256, sha512) in table {
            let now = UnixTime::from_secs(time);
            for (alg, key, code) in [
                (Algorithm::Sha1, SHA1_KEY, sha1),
                (Algorithm::Sha256, SHA256_KEY, sha256),
                (Algorithm::Sha512, SHA512_KEY, sha512),
            ] {
                let totp = Totp::new(alg, 8, 30).unwrap();
                assert_eq!(totp.time_step(now), step, "T at {time}");
                assert_eq!(
                    totp.code_at(&secret(key), now).expose(),
                    code,
                    "{alg:?} at {time}"
                );
                assert_eq!(
                    totp.verify(&secret(key), code, now, 0),
                    Ok(step),
                    "{alg:?} at {time}"
                );
            }
        }
    }

    #[test]
    fn cognito_parameters_are_the_six_digit_suffix_of_the_rfc_sha1_codes() {
        // The 6-digit code is the 31-bit value mod 10^6: the last six digits of the 8-digit one.
        let now = UnixTime::from_secs(1_111_111_109);
        assert_eq!(
            Totp::COGNITO.code_at(&secret(SHA1_KEY), now).expose(),
            "081804"
        );
        assert_eq!(verify(&secret(SHA1_KEY), "081804", now, 0), Ok(0x23523EC));
    }

    #[test]
    fn window_edges() {
        let key = secret(SHA1_KEY);
        let totp = Totp::COGNITO;
        let now = UnixTime::from_secs(1_234_567_890);
        let step = totp.time_step(now);
        let code_at = |s: u64| totp.code_at_step(&key, s).expose().clone();
        // Each code of the window is accepted and reports its own step.
        for s in [step - 1, step, step + 1] {
            assert_eq!(totp.verify(&key, &code_at(s), now, 1), Ok(s));
        }
        // One step outside is refused; window 0 accepts only the current step.
        assert_eq!(
            totp.verify(&key, &code_at(step - 2), now, 1),
            Err(TotpError::Mismatch)
        );
        assert_eq!(
            totp.verify(&key, &code_at(step + 2), now, 1),
            Err(TotpError::Mismatch)
        );
        assert_eq!(
            totp.verify(&key, &code_at(step - 1), now, 0),
            Err(TotpError::Mismatch)
        );
        assert_eq!(totp.verify(&key, &code_at(step), now, 0), Ok(step));
        // The boundaries of a step: the last second of step s and the first of step s + 1.
        let start = UnixTime::from_secs(step * 30);
        let end = UnixTime::from_secs(step * 30 + 29);
        assert_eq!(totp.verify(&key, &code_at(step), start, 0), Ok(step));
        assert_eq!(totp.verify(&key, &code_at(step), end, 0), Ok(step));
        assert_eq!(
            totp.verify(&key, &code_at(step), UnixTime::from_secs(step * 30 + 30), 0),
            Err(TotpError::Mismatch)
        );
        assert_eq!(
            totp.verify(&key, &code_at(step), UnixTime::from_secs(step * 30 + 30), 1),
            Ok(step)
        );
        // Near the epoch the window does not wrap around.
        assert_eq!(
            totp.verify(
                &key,
                &totp.code_at_step(&key, 0).expose().clone(),
                UnixTime::EPOCH,
                1
            ),
            Ok(0)
        );
        assert_eq!(
            totp.verify(&key, &code_at(u64::MAX), UnixTime::EPOCH, 1),
            Err(TotpError::Mismatch)
        );
    }

    #[test]
    fn replay_is_the_callers_check_on_the_returned_step() {
        let key = secret(SHA1_KEY);
        let now = UnixTime::from_secs(1_700_000_000);
        let code = Totp::COGNITO.code_at(&key, now);
        let used = verify(&key, code.expose(), now, 1).unwrap();
        // The same code ten seconds later matches the same step, which the caller refuses.
        let again = verify(&key, code.expose(), UnixTime::from_secs(1_700_000_010), 1).unwrap();
        assert_eq!(again, used);
    }

    #[test]
    fn malformed_codes_are_rejected() {
        let key = secret(SHA1_KEY);
        let now = UnixTime::from_secs(59);
        for bad in [
            "",
            "12345",
            "1234567",
            "12345a",
            " 23456",
            "123456 ",
            "12 456",
            "+12345",
            "-12345",
            "１２３４５６",
            "12345\u{0}",
        ] {
            assert_eq!(
                verify(&key, bad, now, 1),
                Err(TotpError::MalformedCode(6)),
                "{bad:?}"
            );
        }
        let eight = Totp::new(Algorithm::Sha1, 8, 30).unwrap();
        assert_eq!(
            eight.verify(&key, "287082", now, 1),
            Err(TotpError::MalformedCode(8))
        );
        // A well-formed wrong code is a mismatch.
        assert_eq!(verify(&key, "000000", now, 0), Err(TotpError::Mismatch));
    }

    #[test]
    fn parameters_are_checked() {
        assert_eq!(
            Totp::new(Algorithm::Sha1, 5, 30),
            Err(TotpError::InvalidParameters)
        );
        assert_eq!(
            Totp::new(Algorithm::Sha1, 11, 30),
            Err(TotpError::InvalidParameters)
        );
        assert_eq!(
            Totp::new(Algorithm::Sha1, 6, 0),
            Err(TotpError::InvalidParameters)
        );
        assert_eq!(
            verify(
                &secret(SHA1_KEY),
                "287082",
                UnixTime::from_secs(59),
                MAX_WINDOW + 1
            ),
            Err(TotpError::InvalidParameters)
        );
        assert_eq!(
            verify(
                &secret(SHA1_KEY),
                "287082",
                UnixTime::from_secs(59),
                MAX_WINDOW
            ),
            Ok(1)
        );
        let ten = Totp::new(Algorithm::Sha512, 10, 60).unwrap();
        assert_eq!(
            ten.code_at(&secret(SHA1_KEY), UnixTime::EPOCH)
                .expose()
                .len(),
            10
        );
        assert_eq!(
            (ten.algorithm(), ten.digits(), ten.step_secs()),
            (Algorithm::Sha512, 10, 60)
        );
    }

    #[test]
    fn generated_secrets_look_like_cognitos_secret_code() {
        let rng = InsecureDeterministicRandom::new(1);
        let s = TotpSecret::generate(&rng).unwrap();
        assert_eq!(s.expose().len(), 32);
        let code = s.to_base32();
        assert_eq!(code.expose().len(), 52);
        assert!(code
            .expose()
            .bytes()
            .all(|c| c.is_ascii_uppercase() || (b'2'..=b'7').contains(&c)));
        assert_eq!(TotpSecret::from_base32(code.expose()).unwrap(), s);
        assert_ne!(TotpSecret::generate(&rng).unwrap(), s);
        assert!(!format!("{s:?}").contains(code.expose().as_str()));
    }

    #[test]
    fn base32_rfc4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32_encode(plain.as_bytes()), encoded);
            assert_eq!(base32_decode(encoded).unwrap(), plain.as_bytes());
        }
        // Padding and lower case are read too.
        assert_eq!(base32_decode("MZXW6YQ=").unwrap(), b"foob");
        assert_eq!(base32_decode("mzxw6ytboi").unwrap(), b"foobar");
        assert_eq!(
            base32_decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap(),
            SHA1_KEY
        );
        for bad in ["MZ1", "MZ0", "MZ8", "MZ=X", "M Z", "MZ-"] {
            assert_eq!(base32_decode(bad), None, "{bad:?}");
        }
        assert_eq!(
            TotpSecret::from_base32("="),
            Err(TotpError::MalformedSecret)
        );
        assert_eq!(
            TotpSecret::from_base32("MZ!"),
            Err(TotpError::MalformedSecret)
        );
        assert_eq!(
            TotpSecret::from_bytes(Vec::new()),
            Err(TotpError::MalformedSecret)
        );
    }

    #[test]
    fn otpauth_uri() {
        let key = secret(SHA1_KEY);
        let uri = Totp::COGNITO
            .otpauth_uri(&key, "My App", "jane.doe+mfa@example.com")
            .unwrap();
        assert_eq!(
            uri.expose(),
            "otpauth://totp/My%20App:jane.doe%2Bmfa%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=My%20App"
        );
        let other = Totp::new(Algorithm::Sha256, 8, 60)
            .unwrap()
            .otpauth_uri(&key, "", "jöhn")
            .unwrap();
        assert_eq!(
            other.expose(),
            "otpauth://totp/j%C3%B6hn?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA256&digits=8&period=60"
        );
        for (issuer, account) in [("A:B", "jane"), ("App", "ja:ne"), ("App", "")] {
            assert_eq!(
                Totp::COGNITO.otpauth_uri(&key, issuer, account),
                Err(TotpError::InvalidLabel)
            );
        }
    }
}
