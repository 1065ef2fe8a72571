//! `USER_SRP_AUTH`: Cognito's SRP-6a variant, byte for byte as its clients compute it.
//!
//! The math follows reference 5.5 and the two clients everybody uses, amazon-cognito-identity-js
//! (`AuthenticationHelper.js`, `CognitoUser.js`, `DateHelper.js`) and pycognito (`aws_srp.py`),
//! whose outputs the tests reproduce from vectors those libraries generated
//! (`tests/data/srp-vectors-*.json`, made by `interop/srp/`):
//!
//! * `N` is the 3072-bit MODP prime of RFC 3526, `g = 2`, `H` is SHA-256.
//! * Numbers are hashed through `padHex`: the big-endian bytes of the number with no leading
//!   zero bytes (one zero byte for zero), plus a leading `00` byte when the first byte is
//!   `0x80` or more, so the bytes never read as a negative two's-complement number
//!   ([`pad_hex`]).
//! * `k = H(padHex(N) ‖ padHex(g))`, `x = H(padHex(salt) ‖ H(poolName ‖ userIdForSrp ‖ ":" ‖
//!   password))`, `u = H(padHex(A) ‖ padHex(B))`.
//! * The server stores `v = g^x mod N` and the salt ([`SrpVerifier`]), answers `SRP_A` with
//!   `B = (k·v + g^b) mod N` ([`ServerHandshake::start`]) and, when the client answers the
//!   `PASSWORD_VERIFIER` challenge, computes `S = (A·v^u)^b mod N`, the key
//!   `K = HKDF-SHA-256(ikm = padHex(S), salt = padHex(u), info = "Caldera Derived Key")` (16
//!   bytes) and checks `PASSWORD_CLAIM_SIGNATURE = Base64(HMAC-SHA-256(K, poolName ‖
//!   userIdForSrp ‖ SECRET_BLOCK bytes ‖ TIMESTAMP))` ([`ServerHandshake::verify`]).
//! * `TIMESTAMP` reads like `Tue Mar 5 07:04:09 UTC 2024`: English names, the day of the month
//!   without a leading zero ([`format_timestamp`], [`parse_timestamp`]). Its freshness is the
//!   caller's check.
//!
//! The "pool name" is the part of the user pool ID after `_`
//! (`cognate_types::UserPoolId::suffix`); for device SRP it is the device group key, and the
//! user ID is the device key.
//!
//! The server's secret exponent `b` is 256 bits (twice the 128-bit strength of the 3072-bit
//! group, the size NIST SP 800-56A rev. 3 section 5.6.1.1.4 asks of private keys in safe-prime
//! groups) and every exponentiation by it runs in constant time: `g^b` through a fixed-base table
//! read with constant-time selects, `(A·v^u)^b` with crypto-bigint's constant-time windowed
//! exponentiation. Only `v^u` runs in variable time in its exponent `u`, which is public (a
//! hash of `A` and `B`). ADR 0005 records the choice of bignum and the measurements.

use std::fmt;
use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use cognate_types::{RandomError, Secret, SecureRandom, UnixTime};
use crypto_bigint::modular::ConstMontyForm;
use crypto_bigint::{Uint, U256, U3072};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::{ConditionallySelectable, ConstantTimeEq};
use thiserror::Error;
use zeroize::{Zeroize, Zeroizing};

/// The RFC 3526 3072-bit MODP prime, as every Cognito client spells it.
const N_HEX: &str = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";

#[allow(unreachable_pub)]
mod group {
    crypto_bigint::const_monty_params!(
        Modulus,
        crypto_bigint::U3072,
        super::N_HEX,
        "The SRP group's modulus N (RFC 3526, 3072 bits)."
    );
}

/// A residue modulo `N`, in Montgomery form.
type Fe = ConstMontyForm<group::Modulus, { U3072::LIMBS }>;

/// `N` as an integer.
const N: U3072 = U3072::from_be_hex(N_HEX);

/// Bytes of a 3072-bit number.
const MODULUS_BYTES: usize = 384;
/// Hex digits of a 3072-bit number.
const MODULUS_HEX_DIGITS: usize = 2 * MODULUS_BYTES;
/// The longest `SRP_A`/`SRP_B` string accepted: room for leading zeros, bounded work.
const MAX_PUBLIC_HEX_LEN: usize = 1024;
/// The longest salt accepted, in bytes.
const MAX_SALT_BYTES: usize = 64;
/// The length of the salt [`SrpVerifier::compute`] draws: 16 random bytes, as Cognito's clients
/// draw for device verifiers.
pub const SALT_LEN: usize = 16;
/// Bits of the server's secret exponent `b`.
const SERVER_EXPONENT_BITS: u32 = 256;
/// The info string of Cognito's one-block HKDF.
const HKDF_INFO: &[u8] = b"Caldera Derived Key";
/// Window width of the fixed-base table for `g`.
const COMB_WINDOW: usize = 4;
/// Windows in a 256-bit exponent.
const COMB_WINDOWS: usize = 256 / COMB_WINDOW;
/// Format version of [`ServerHandshake::to_bytes`].
const HANDSHAKE_VERSION: u8 = 1;
/// Length of [`ServerHandshake::to_bytes`]: version, `b`, `A`, `B`.
const HANDSHAKE_LEN: usize = 1 + 32 + 2 * MODULUS_BYTES;

/// Why an SRP step failed. On the wire every variant but [`SrpError::Random`] is Cognito's
/// `NotAuthorizedException` ("Incorrect username or password.") or, for malformed parameters,
/// `InvalidParameterException`; the mapping belongs to the API layer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SrpError {
    /// `SRP_A` or `SRP_B` is empty, too long or not hexadecimal.
    #[error("the SRP public value is not a hexadecimal number of acceptable length")]
    MalformedPublicValue,
    /// The public value is 0 modulo `N`, or not below `N`.
    #[error("the SRP public value is zero modulo N or not below N")]
    IllegalPublicValue,
    /// `u = H(padHex(A) ‖ padHex(B))` is zero (probability 2^-256; the exchange must stop).
    #[error("the SRP scrambling parameter u is zero")]
    ZeroScrambler,
    /// `PASSWORD_CLAIM_SIGNATURE` is not standard Base64.
    #[error("the password claim signature is not valid Base64")]
    MalformedSignature,
    /// The password claim signature does not match: wrong password, or a changed secret block,
    /// timestamp, user or pool.
    #[error("the password claim signature does not match")]
    SignatureMismatch,
    /// `TIMESTAMP` is not in Cognito's `EEE MMM d HH:mm:ss UTC yyyy` format, or names a day that
    /// does not exist.
    #[error("the SRP timestamp is not in Cognito's format")]
    MalformedTimestamp,
    /// A salt is empty, too long or not hexadecimal.
    #[error("the SRP salt is malformed")]
    MalformedSalt,
    /// A `SECRET_BLOCK` given to the client is not standard Base64.
    #[error("the secret block is not valid Base64")]
    MalformedSecretBlock,
    /// Stored SRP state (a verifier or a handshake) is malformed.
    #[error("stored SRP state is malformed")]
    MalformedState,
    /// The random source failed.
    #[error(transparent)]
    Random(#[from] RandomError),
}

// ---------------------------------------------------------------------------------------------
// padHex, hex and hashing
// ---------------------------------------------------------------------------------------------

/// `padHex` of amazon-cognito-identity-js as bytes: the big-endian `value` without leading zero
/// bytes (a single zero byte for zero), with a `00` byte in front when the first byte has its
/// high bit set.
fn pad_bytes(value: &[u8]) -> Vec<u8> {
    let digits = match value.iter().position(|&b| b != 0) {
        Some(first) => value.get(first..).unwrap_or_default(),
        None => &[],
    };
    let mut out = Vec::with_capacity(digits.len() + 1);
    match digits.first() {
        None => out.push(0),
        Some(&b) if b >= 0x80 => out.push(0),
        Some(_) => {}
    }
    out.extend_from_slice(digits);
    out
}

/// `padHex(value)` of amazon-cognito-identity-js, for the non-negative big-endian number
/// `value`: an even-length lowercase hex string, with `00` in front when the first digit is `8`
/// or more (so the bytes never read as a negative two's-complement number).
///
/// Every number Cognito's SRP pads (`N`, `g`, `A`, `B`, `S`, `u`, the salt, a device verifier)
/// is non-negative, so the helper's branch for negative numbers never applies.
pub fn pad_hex(value: &[u8]) -> String {
    hex_lower(&pad_bytes(value))
}

/// Lowercase hex of `bytes`.
fn hex_lower(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(hex_char(b >> 4));
        out.push(hex_char(b & 0x0f));
    }
    out
}

/// The lowercase hex digit of a nibble (`0..=15`).
fn hex_char(nibble: u8) -> char {
    char::from_digit(u32::from(nibble), 16).unwrap_or('0')
}

/// The number as JavaScript's `BigInteger.toString(16)` and Python's `'%x'` print it:
/// lowercase, no leading zeros, `"0"` for zero. This is how `SRP_A`, `SRP_B` and `SALT` travel.
fn minimal_hex(value: &[u8]) -> String {
    let hex = hex_lower(value);
    let trimmed = hex.trim_start_matches('0');
    if trimmed.is_empty() {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// The value of one hex digit.
fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Decodes hex digits (any case, odd length allowed) right-aligned into `out`, which must be
/// long enough; `None` for a non-hex character or too many digits.
fn decode_hex_into(digits: &[u8], out: &mut [u8]) -> Option<()> {
    if digits.len().div_ceil(2) > out.len() {
        return None;
    }
    for (dst, pair) in out.iter_mut().rev().zip(digits.rchunks(2)) {
        let mut byte = 0u8;
        for &c in pair {
            byte = (byte << 4) | hex_digit(c)?;
        }
        *dst = byte;
    }
    Some(())
}

/// Parses an `SRP_A`/`SRP_B` string into a residue: hexadecimal (any case, leading zeros
/// allowed up to [`MAX_PUBLIC_HEX_LEN`] characters), and `0 < value < N`.
fn parse_public_value(hex: &str) -> Result<U3072, SrpError> {
    if hex.is_empty() || hex.len() > MAX_PUBLIC_HEX_LEN {
        return Err(SrpError::MalformedPublicValue);
    }
    if !hex.bytes().all(|c| hex_digit(c).is_some()) {
        return Err(SrpError::MalformedPublicValue);
    }
    let digits = hex.trim_start_matches('0').as_bytes();
    if digits.len() > MODULUS_HEX_DIGITS {
        // At least 2^3072, so above N.
        return Err(SrpError::IllegalPublicValue);
    }
    let mut bytes = [0u8; MODULUS_BYTES];
    decode_hex_into(digits, &mut bytes).ok_or(SrpError::MalformedPublicValue)?;
    let value = U3072::from_be_slice(&bytes);
    if value.is_zero_vartime() || value >= N {
        return Err(SrpError::IllegalPublicValue);
    }
    Ok(value)
}

/// Parses a `SALT` string: 1 to 128 hex digits (any case, odd length allowed).
fn parse_salt_hex(hex: &str) -> Result<Vec<u8>, SrpError> {
    if hex.is_empty() || hex.len() > 2 * MAX_SALT_BYTES {
        return Err(SrpError::MalformedSalt);
    }
    let mut out = vec![0u8; hex.len().div_ceil(2)];
    decode_hex_into(hex.as_bytes(), &mut out).ok_or(SrpError::MalformedSalt)?;
    Ok(out)
}

/// SHA-256 over the concatenation of `parts`.
fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for part in parts {
        h.update(part);
    }
    h.finalize().into()
}

/// Big-endian bytes of a 3072-bit number.
fn be_bytes(value: &U3072) -> Zeroizing<[u8; MODULUS_BYTES]> {
    let mut out = Zeroizing::new([0u8; MODULUS_BYTES]);
    for (dst, src) in out.iter_mut().zip(value.to_be_bytes().as_ref()) {
        *dst = *src;
    }
    out
}

/// `k = H(padHex(N) ‖ padHex(g))`.
fn compute_k() -> U256 {
    let n = be_bytes(&N);
    U256::from_be_slice(&sha256(&[&pad_bytes(n.as_ref()), &pad_bytes(&[2])]))
}

/// `x = H(padHex(salt) ‖ H(poolName ‖ userIdForSrp ‖ ":" ‖ password))`.
fn compute_x(salt: &[u8], pool_name: &str, user_id_for_srp: &str, password: &str) -> U256 {
    let mut inner = sha256(&[
        pool_name.as_bytes(),
        user_id_for_srp.as_bytes(),
        b":",
        password.as_bytes(),
    ]);
    let mut outer = sha256(&[&pad_bytes(salt), &inner]);
    let x = U256::from_be_slice(&outer);
    inner.zeroize();
    outer.zeroize();
    x
}

/// `u = H(padHex(A) ‖ padHex(B))`, as the 32 hash bytes.
fn compute_u(srp_a: &U3072, srp_b: &U3072) -> [u8; 32] {
    let a = be_bytes(srp_a);
    let b = be_bytes(srp_b);
    sha256(&[&pad_bytes(a.as_ref()), &pad_bytes(b.as_ref())])
}

/// Cognito's one-block HKDF: `PRK = HMAC(padHex(u), padHex(S))`,
/// `K = HMAC(PRK, "Caldera Derived Key" ‖ 0x01)[..16]`.
fn derive_key(s: &U3072, u: &[u8; 32]) -> Zeroizing<[u8; 16]> {
    let s_bytes = be_bytes(s);
    let ikm = Zeroizing::new(pad_bytes(s_bytes.as_ref()));
    let mut prk = crate::mac::hmac::<Sha256>(&pad_bytes(u), &[&ikm]);
    let mut okm = crate::mac::hmac::<Sha256>(&prk, &[HKDF_INFO, &[1]]);
    let mut key = Zeroizing::new([0u8; 16]);
    for (dst, src) in key.iter_mut().zip(okm.iter()) {
        *dst = *src;
    }
    prk.as_mut_slice().zeroize();
    okm.as_mut_slice().zeroize();
    key
}

/// The parts of the password claim's HMAC message, in order.
fn claim_message<'a>(
    pool_name: &'a str,
    user_id_for_srp: &'a str,
    secret_block: &'a [u8],
    timestamp: &'a str,
) -> [&'a [u8]; 4] {
    [
        pool_name.as_bytes(),
        user_id_for_srp.as_bytes(),
        secret_block,
        timestamp.as_bytes(),
    ]
}

// ---------------------------------------------------------------------------------------------
// Group arithmetic
// ---------------------------------------------------------------------------------------------

/// Values computed once per process.
struct Tables {
    /// `k` in Montgomery form.
    k: Fe,
    /// `comb[i][j] = g^(j · 16^i)` in Montgomery form, for 256-bit exponents (384 KiB).
    comb: Vec<[U3072; 1 << COMB_WINDOW]>,
}

/// The per-process tables, built on first use (about a thousand multiplications).
fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut comb = Vec::with_capacity(COMB_WINDOWS);
        let mut base = Fe::new(&U3072::from_u8(2));
        for _ in 0..COMB_WINDOWS {
            let mut row = [*Fe::ONE.as_montgomery(); 1 << COMB_WINDOW];
            let mut acc = Fe::ONE;
            for entry in row.iter_mut().skip(1) {
                acc = acc.mul(&base);
                *entry = *acc.as_montgomery();
            }
            // base^16 for the next window.
            base = acc.mul(&base);
            comb.push(row);
        }
        Tables {
            k: Fe::new(&compute_k().resize()),
            comb,
        }
    })
}

/// `g^e mod N` for a 256-bit exponent, in constant time: one multiplication per 4-bit window,
/// each table entry chosen by a constant-time scan of its row.
fn pow_g(e: &U256) -> Fe {
    let tables = tables();
    let bytes = Zeroizing::new(e.to_be_bytes());
    // The exponent's 4-bit digits, least significant first.
    let digits = bytes
        .as_ref()
        .iter()
        .rev()
        .flat_map(|&b| [b & 0x0f, b >> 4]);
    let mut acc = Fe::ONE;
    for (row, digit) in tables.comb.iter().zip(digits) {
        let mut chosen = U3072::ZERO;
        for (j, entry) in (0u8..).zip(row.iter()) {
            chosen.conditional_assign(entry, digit.ct_eq(&j));
        }
        acc = acc.mul(&Fe::from_montgomery(chosen));
        chosen.zeroize();
    }
    acc
}

/// `v = g^x mod N`.
fn compute_verifier(x: &U256) -> U3072 {
    pow_g(x).retrieve()
}

/// The server's `S = (A · v^u)^b mod N`.
fn server_premaster(srp_a: &U3072, v: &U3072, u: &U256, b: &U256) -> U3072 {
    let vu = Fe::new(v).pow_vartime(u);
    Fe::new(srp_a)
        .mul(&vu)
        .pow_bounded_exp(b, SERVER_EXPONENT_BITS)
        .retrieve()
}

// ---------------------------------------------------------------------------------------------
// Verifier
// ---------------------------------------------------------------------------------------------

/// What the server stores per user for SRP: the salt and the verifier `v = g^x mod N`.
///
/// The verifier is not the password, but it lets whoever holds it test password guesses
/// offline, so it is kept like a password hash: `Debug` redacts it and it is zeroized on drop.
/// It serialises (serde) as `{"salt": "<hex>", "verifier": "<768 hex digits>"}`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "StoredVerifier", into = "StoredVerifier")]
pub struct SrpVerifier {
    /// The salt as a big-endian number (its bytes as drawn; leading zeros are kept here and
    /// dropped by `padHex` when hashing).
    salt: Vec<u8>,
    /// `v`, `0 < v < N`.
    verifier: U3072,
}

impl SrpVerifier {
    /// A new verifier for `password` with a fresh 16-byte random salt.
    ///
    /// `pool_name` is the part of the user pool ID after `_`; `user_id_for_srp` is the name the
    /// server will send as `USER_ID_FOR_SRP` (the username, not an alias).
    pub fn compute(
        pool_name: &str,
        user_id_for_srp: &str,
        password: &str,
        rng: &dyn SecureRandom,
    ) -> Result<Self, SrpError> {
        let mut salt = [0u8; SALT_LEN];
        rng.fill(&mut salt)?;
        Self::compute_with_salt(pool_name, user_id_for_srp, password, &salt)
    }

    /// A verifier with a given salt: a big-endian number of 1 to 64 bytes (else
    /// [`SrpError::MalformedSalt`]). For tests, and for reproducing known vectors.
    pub fn compute_with_salt(
        pool_name: &str,
        user_id_for_srp: &str,
        password: &str,
        salt: &[u8],
    ) -> Result<Self, SrpError> {
        if salt.is_empty() || salt.len() > MAX_SALT_BYTES {
            return Err(SrpError::MalformedSalt);
        }
        let x = Zeroizing::new(compute_x(salt, pool_name, user_id_for_srp, password));
        Ok(Self {
            salt: salt.to_vec(),
            verifier: compute_verifier(&x),
        })
    }

    /// A verifier computed elsewhere, for example the `DeviceSecretVerifierConfig` a client sends
    /// with `ConfirmDevice` (after Base64 decoding `Salt` and `PasswordVerifier`). Both are
    /// big-endian numbers; the salt must be 1 to 64 bytes long (after any `padHex` zero byte)
    /// and the verifier must satisfy `0 < v < N`.
    pub fn from_parts(salt: &[u8], verifier: &[u8]) -> Result<Self, SrpError> {
        let salt_digits = match salt.iter().position(|&b| b != 0) {
            Some(first) => salt.get(first..).unwrap_or_default(),
            None => salt.get(salt.len().saturating_sub(1)..).unwrap_or_default(),
        };
        if salt_digits.is_empty() || salt_digits.len() > MAX_SALT_BYTES {
            return Err(SrpError::MalformedSalt);
        }
        let v_digits = match verifier.iter().position(|&b| b != 0) {
            Some(first) => verifier.get(first..).unwrap_or_default(),
            None => &[],
        };
        if v_digits.len() > MODULUS_BYTES {
            return Err(SrpError::IllegalPublicValue);
        }
        let mut bytes = Zeroizing::new([0u8; MODULUS_BYTES]);
        for (dst, src) in bytes.iter_mut().rev().zip(v_digits.iter().rev()) {
            *dst = *src;
        }
        let v = U3072::from_be_slice(bytes.as_ref());
        if v.is_zero_vartime() || v >= N {
            return Err(SrpError::IllegalPublicValue);
        }
        Ok(Self {
            salt: salt.to_vec(),
            verifier: v,
        })
    }

    /// The salt's bytes, as stored.
    pub fn salt(&self) -> &[u8] {
        &self.salt
    }

    /// The salt as the `SALT` challenge parameter carries it: lowercase hex without leading
    /// zeros, which amazon-cognito-identity-js and pycognito both read back to the same number
    /// (pycognito pads the string as it comes, so leading zeros would change its `x`).
    pub fn salt_hex(&self) -> String {
        minimal_hex(&self.salt)
    }

    /// The verifier as 768 lowercase hex digits (its stored form).
    pub fn verifier_hex(&self) -> String {
        hex_lower(be_bytes(&self.verifier).as_ref())
    }
}

impl Drop for SrpVerifier {
    fn drop(&mut self) {
        self.verifier.zeroize();
    }
}

impl fmt::Debug for SrpVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SrpVerifier")
            .field("salt", &self.salt_hex())
            .field("verifier", &"[REDACTED]")
            .finish()
    }
}

/// The serde form of [`SrpVerifier`].
#[derive(Serialize, Deserialize)]
struct StoredVerifier {
    salt: String,
    verifier: String,
}

impl From<SrpVerifier> for StoredVerifier {
    fn from(v: SrpVerifier) -> Self {
        Self {
            salt: hex_lower(&v.salt),
            verifier: v.verifier_hex(),
        }
    }
}

impl TryFrom<StoredVerifier> for SrpVerifier {
    type Error = SrpError;

    fn try_from(stored: StoredVerifier) -> Result<Self, SrpError> {
        if !stored.salt.len().is_multiple_of(2) {
            return Err(SrpError::MalformedState);
        }
        let salt = parse_salt_hex(&stored.salt).map_err(|_| SrpError::MalformedState)?;
        if stored.verifier.len() != MODULUS_HEX_DIGITS {
            return Err(SrpError::MalformedState);
        }
        let v = parse_public_value(&stored.verifier).map_err(|_| SrpError::MalformedState)?;
        Ok(Self { salt, verifier: v })
    }
}

// ---------------------------------------------------------------------------------------------
// Server handshake
// ---------------------------------------------------------------------------------------------

/// The `PASSWORD_VERIFIER` challenge parameters SRP contributes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChallengeParams {
    /// `SRP_B`: `B` in lowercase hex without leading zeros.
    pub srp_b_hex: String,
    /// `SALT`: the user's salt in lowercase hex without leading zeros.
    pub salt_hex: String,
}

/// The server's half of one SRP exchange, kept between `InitiateAuth` (which answers `SRP_A`
/// with `SRP_B`) and `RespondToAuthChallenge` (which brings the password claim).
///
/// It holds the secret exponent `b`, so it is itself a secret: `Debug` redacts `b`, `b` is
/// zeroized on drop, and [`ServerHandshake::to_bytes`] returns a [`Secret`]. Keep the bytes on
/// the server, or encrypted and authenticated if they travel (for example inside the
/// `SECRET_BLOCK`).
#[derive(Clone)]
pub struct ServerHandshake {
    srp_a: U3072,
    srp_b: U3072,
    b: Secret<U256>,
}

impl ServerHandshake {
    /// Answers `SRP_A` for the user with `verifier`: checks `A` (hexadecimal, `0 < A < N`,
    /// which rejects every multiple of `N`), draws `b` (256 bits) and computes
    /// `B = (k·v + g^b) mod N`.
    pub fn start(
        verifier: &SrpVerifier,
        srp_a_hex: &str,
        rng: &dyn SecureRandom,
    ) -> Result<(Self, ChallengeParams), SrpError> {
        let srp_a = parse_public_value(srp_a_hex)?;
        let mut b_bytes = Zeroizing::new([0u8; 32]);
        rng.fill(b_bytes.as_mut())?;
        let b = Secret::new(U256::from_be_slice(b_bytes.as_ref()));
        let kv = tables().k.mul(&Fe::new(&verifier.verifier));
        let srp_b = kv.add(&pow_g(b.expose())).retrieve();
        let params = ChallengeParams {
            srp_b_hex: minimal_hex(be_bytes(&srp_b).as_ref()),
            salt_hex: verifier.salt_hex(),
        };
        Ok((Self { srp_a, srp_b, b }, params))
    }

    /// Checks the client's answer to the `PASSWORD_VERIFIER` challenge:
    /// `PASSWORD_CLAIM_SIGNATURE` must be the HMAC, under the key this exchange derives from
    /// `verifier`, of `pool_name ‖ user_id_for_srp ‖ secret_block ‖ timestamp`.
    ///
    /// `secret_block` is the decoded `PASSWORD_CLAIM_SECRET_BLOCK`; `timestamp` is `TIMESTAMP`
    /// exactly as received (check its freshness with [`parse_timestamp`]). The signature is
    /// compared in constant time.
    pub fn verify(
        &self,
        verifier: &SrpVerifier,
        pool_name: &str,
        user_id_for_srp: &str,
        secret_block: &[u8],
        timestamp: &str,
        signature_b64: &str,
    ) -> Result<(), SrpError> {
        let signature = STANDARD
            .decode(signature_b64)
            .map_err(|_| SrpError::MalformedSignature)?;
        let u_bytes = compute_u(&self.srp_a, &self.srp_b);
        let u = U256::from_be_slice(&u_bytes);
        if u.is_zero_vartime() {
            return Err(SrpError::ZeroScrambler);
        }
        let mut s = server_premaster(&self.srp_a, &verifier.verifier, &u, self.b.expose());
        let key = derive_key(&s, &u_bytes);
        s.zeroize();
        let parts = claim_message(pool_name, user_id_for_srp, secret_block, timestamp);
        if crate::mac::verify::<Sha256>(key.as_ref(), &parts, &signature) {
            Ok(())
        } else {
            Err(SrpError::SignatureMismatch)
        }
    }

    /// The handshake as bytes, to keep until the challenge answer arrives: a version byte, `b`
    /// (32 bytes), `A` and `B` (384 bytes each), 801 bytes in all.
    pub fn to_bytes(&self) -> Secret<Vec<u8>> {
        let mut out = Vec::with_capacity(HANDSHAKE_LEN);
        out.push(HANDSHAKE_VERSION);
        let b = Zeroizing::new(self.b.expose().to_be_bytes());
        out.extend_from_slice(b.as_ref());
        out.extend_from_slice(be_bytes(&self.srp_a).as_ref());
        out.extend_from_slice(be_bytes(&self.srp_b).as_ref());
        Secret::new(out)
    }

    /// Reads what [`ServerHandshake::to_bytes`] wrote. Anything else, including `A` or `B`
    /// outside `0 < x < N`, is [`SrpError::MalformedState`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SrpError> {
        let (version, rest) = bytes.split_first().ok_or(SrpError::MalformedState)?;
        if *version != HANDSHAKE_VERSION || bytes.len() != HANDSHAKE_LEN {
            return Err(SrpError::MalformedState);
        }
        let (b, rest) = rest.split_at_checked(32).ok_or(SrpError::MalformedState)?;
        let (a, srp_b) = rest
            .split_at_checked(MODULUS_BYTES)
            .ok_or(SrpError::MalformedState)?;
        let srp_a = U3072::from_be_slice(a);
        let srp_b = U3072::from_be_slice(srp_b);
        for value in [&srp_a, &srp_b] {
            if value.is_zero_vartime() || *value >= N {
                return Err(SrpError::MalformedState);
            }
        }
        Ok(Self {
            srp_a,
            srp_b,
            b: Secret::new(U256::from_be_slice(b)),
        })
    }
}

impl fmt::Debug for ServerHandshake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerHandshake")
            .field("b", &self.b)
            .finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------------------------
// TIMESTAMP
// ---------------------------------------------------------------------------------------------

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const SECS_PER_DAY: u64 = 86_400;

/// The civil date (year, month 1-12, day 1-31) of a day count since 1970-01-01 (proleptic
/// Gregorian; H. Hinnant's algorithm).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// Days since 1970-01-01 of a civil date at or after it.
fn days_from_civil(year: u64, month: u64, day: u64) -> Option<u64> {
    let y = if month <= 2 {
        year.checked_sub(1)?
    } else {
        year
    };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).checked_sub(719_468)
}

fn is_leap(year: u64) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `TIMESTAMP` for time `t`, as amazon-cognito-identity-js's `DateHelper.getNowString` and
/// pycognito write it: `EEE MMM d HH:mm:ss UTC yyyy` in English, the day of the month without a
/// leading zero, e.g. `Tue Mar 5 07:04:09 UTC 2024`.
pub fn format_timestamp(t: UnixTime) -> String {
    let secs = t.as_secs();
    let days = secs / SECS_PER_DAY;
    let in_day = secs % SECS_PER_DAY;
    let (year, month, day) = civil_from_days(days);
    // 1970-01-01 was a Thursday.
    let weekday = WEEKDAYS
        .get(usize::try_from((days + 4) % 7).unwrap_or(0))
        .copied()
        .unwrap_or("Sun");
    let month_name = usize::try_from(month - 1)
        .ok()
        .and_then(|m| MONTHS.get(m))
        .copied()
        .unwrap_or("Jan");
    format!(
        "{weekday} {month_name} {day} {:02}:{:02}:{:02} UTC {year}",
        in_day / 3600,
        in_day / 60 % 60,
        in_day % 60
    )
}

/// Reads a `TIMESTAMP`, so the caller can check its freshness. Accepts exactly the shape
/// [`format_timestamp`] writes, except that a two-digit day with a leading zero (`05`) is also
/// read; the weekday must be the date's, the year must have four digits and be 1970 or later.
pub fn parse_timestamp(s: &str) -> Result<UnixTime, SrpError> {
    let bad = || SrpError::MalformedTimestamp;
    let mut parts = s.split(' ');
    let (Some(weekday), Some(month), Some(day), Some(hms), Some(zone), Some(year), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(bad());
    };
    if zone != "UTC" {
        return Err(bad());
    }
    let month = (1u64..)
        .zip(MONTHS)
        .find(|(_, name)| *name == month)
        .map(|(m, _)| m)
        .ok_or_else(bad)?;
    let year = digits(year, 4, 4).ok_or_else(bad)?;
    let day = digits(day, 1, 2).ok_or_else(bad)?;
    if year < 1970 || day == 0 || day > days_in_month(year, month) {
        return Err(bad());
    }
    let mut hms_parts = hms.split(':');
    let (Some(h), Some(m), Some(sec), None) = (
        hms_parts.next(),
        hms_parts.next(),
        hms_parts.next(),
        hms_parts.next(),
    ) else {
        return Err(bad());
    };
    let (h, m, sec) = (
        digits(h, 2, 2).ok_or_else(bad)?,
        digits(m, 2, 2).ok_or_else(bad)?,
        digits(sec, 2, 2).ok_or_else(bad)?,
    );
    if h > 23 || m > 59 || sec > 59 {
        return Err(bad());
    }
    let days = days_from_civil(year, month, day).ok_or_else(bad)?;
    let expected_weekday = WEEKDAYS
        .get(usize::try_from((days + 4) % 7).map_err(|_| bad())?)
        .copied()
        .ok_or_else(bad)?;
    if weekday != expected_weekday {
        return Err(bad());
    }
    Ok(UnixTime::from_secs(
        days * SECS_PER_DAY + h * 3600 + m * 60 + sec,
    ))
}

/// A decimal number of `min..=max` ASCII digits.
fn digits(s: &str, min: usize, max: usize) -> Option<u64> {
    if s.len() < min || s.len() > max || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

// ---------------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------------

/// The client side of Cognito's SRP, as amazon-cognito-identity-js computes it: for Rust
/// clients, benchmarks and tests.
pub mod client {
    use super::*;

    /// A 1024-bit number: the client's secret `a` is 128 random bytes.
    type U1024 = Uint<16>;
    /// Room for `a + u·x` (at most 1025 bits).
    type U1088 = Uint<17>;

    /// The `PASSWORD_VERIFIER` challenge parameters the client needs.
    #[derive(Debug, Clone, Copy)]
    pub struct Challenge<'a> {
        /// The pool name: the part of the user pool ID after `_`.
        pub pool_name: &'a str,
        /// `USER_ID_FOR_SRP`.
        pub user_id_for_srp: &'a str,
        /// `SRP_B`.
        pub srp_b_hex: &'a str,
        /// `SALT`.
        pub salt_hex: &'a str,
        /// `SECRET_BLOCK` (standard Base64, passed back unchanged as
        /// `PASSWORD_CLAIM_SECRET_BLOCK`).
        pub secret_block_b64: &'a str,
    }

    /// One client-side SRP exchange: the secret `a` and `A = g^a mod N`.
    pub struct SrpClient {
        a: Secret<U1024>,
        srp_a: U3072,
    }

    impl SrpClient {
        /// A new exchange: `a` is 128 random bytes read as a big-endian number (as
        /// amazon-cognito-identity-js draws it), `A = g^a mod N`.
        pub fn new(rng: &dyn SecureRandom) -> Result<Self, SrpError> {
            let mut bytes = Zeroizing::new([0u8; 128]);
            rng.fill(bytes.as_mut())?;
            let a = Secret::new(U1024::from_be_slice(bytes.as_ref()));
            let srp_a = Fe::new(&U3072::from_u8(2))
                .pow_bounded_exp(a.expose(), U1024::BITS)
                .retrieve();
            Ok(Self { a, srp_a })
        }

        /// `SRP_A`: `A` in lowercase hex without leading zeros (`BigInteger.toString(16)`).
        pub fn srp_a_hex(&self) -> String {
            minimal_hex(be_bytes(&self.srp_a).as_ref())
        }

        /// The key `K` of this exchange (16 bytes) for `password` and the server's challenge.
        pub fn password_authentication_key(
            &self,
            challenge: &Challenge<'_>,
            password: &str,
        ) -> Result<Secret<[u8; 16]>, SrpError> {
            let srp_b = parse_public_value(challenge.srp_b_hex)?;
            let salt = parse_salt_hex(challenge.salt_hex)?;
            let u_bytes = compute_u(&self.srp_a, &srp_b);
            let u = U256::from_be_slice(&u_bytes);
            if u.is_zero_vartime() {
                return Err(SrpError::ZeroScrambler);
            }
            let x = Zeroizing::new(compute_x(
                &salt,
                challenge.pool_name,
                challenge.user_id_for_srp,
                password,
            ));
            let mut s = client_premaster(&srp_b, &x, &u, self.a.expose());
            let key = derive_key(&s, &u_bytes);
            s.zeroize();
            Ok(Secret::new(*key))
        }

        /// `PASSWORD_CLAIM_SIGNATURE` for `password`, the server's challenge and `timestamp`
        /// (see [`format_timestamp`]): `Base64(HMAC-SHA-256(K, poolName ‖ userIdForSrp ‖
        /// SECRET_BLOCK bytes ‖ TIMESTAMP))`.
        pub fn password_claim_signature(
            &self,
            challenge: &Challenge<'_>,
            password: &str,
            timestamp: &str,
        ) -> Result<String, SrpError> {
            let secret_block = STANDARD
                .decode(challenge.secret_block_b64)
                .map_err(|_| SrpError::MalformedSecretBlock)?;
            let key = self.password_authentication_key(challenge, password)?;
            let parts = claim_message(
                challenge.pool_name,
                challenge.user_id_for_srp,
                &secret_block,
                timestamp,
            );
            Ok(STANDARD.encode(crate::mac::hmac::<Sha256>(key.expose(), &parts)))
        }
    }

    impl fmt::Debug for SrpClient {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("SrpClient")
                .field("a", &self.a)
                .field("srp_a", &self.srp_a_hex())
                .finish()
        }
    }

    /// The client's `S = (B − k·g^x)^(a + u·x) mod N`.
    pub(super) fn client_premaster(srp_b: &U3072, x: &U256, u: &U256, a: &U1024) -> U3072 {
        let base = Fe::new(srp_b).sub(&tables().k.mul(&pow_g(x)));
        let ux: Uint<8> = u.concatenating_mul(x);
        let exponent = Zeroizing::new(a.resize::<17>().wrapping_add(&ux.resize::<17>()));
        base.pow_bounded_exp(&*exponent, U1088::BITS).retrieve()
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests;
