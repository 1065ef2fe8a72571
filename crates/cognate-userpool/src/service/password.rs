//! Password storage (argon2id) and Cognito's password policy.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use cognate_types::SecureRandom;

use super::error::{CognitoError, ErrorKind};
use crate::model::PasswordPolicy;

/// The characters Cognito counts as symbols.
pub const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

/// Hashes and checks stored passwords with argon2id.
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    params: Params,
}

impl Default for PasswordHasher {
    /// The argon2 crate's defaults, which are OWASP's recommendation: argon2id, 19 MiB, 2
    /// passes, 1 lane.
    fn default() -> Self {
        Self {
            params: Params::default(),
        }
    }
}

impl PasswordHasher {
    /// A hasher with explicit argon2id cost parameters (memory in KiB, passes, lanes).
    pub fn with_params(memory_kib: u32, passes: u32, lanes: u32) -> Result<Self, CognitoError> {
        let params = Params::new(memory_kib, passes, lanes, None)
            .map_err(|e| CognitoError::invalid_parameter(format!("argon2 parameters: {e}")))?;
        Ok(Self { params })
    }

    /// Very cheap parameters for tests only: never use them for real passwords.
    pub fn insecure_fast_for_tests() -> Self {
        Self {
            params: Params::new(64, 1, 1, None).unwrap_or_default(),
        }
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Hashes a password into a PHC string.
    pub fn hash(&self, password: &str, rng: &dyn SecureRandom) -> Result<String, CognitoError> {
        let mut salt = [0u8; 16];
        rng.fill(&mut salt).map_err(|_| CognitoError::internal())?;
        let salt = SaltString::encode_b64(&salt).map_err(|_| CognitoError::internal())?;
        self.argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|_| CognitoError::internal())
    }

    /// Whether `password` matches the PHC string `hash`. The parameters stored in the hash are
    /// used, so changing the defaults does not lock anyone out.
    pub fn verify(&self, hash: &str, password: &str) -> bool {
        use subtle::ConstantTimeEq as _;
        let Ok(parsed) = PasswordHash::new(hash) else {
            return false;
        };
        if parsed.algorithm != Algorithm::Argon2id.ident() {
            return false;
        }
        let version = match parsed.version.map(Version::try_from) {
            None => Version::V0x13,
            Some(Ok(v)) => v,
            Some(Err(_)) => return false,
        };
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
            return false;
        };
        let Ok(params) = Params::try_from(&parsed) else {
            return false;
        };
        let mut salt_buf = [0u8; 64];
        let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
            return false;
        };
        let mut out = vec![0u8; expected.len()];
        let ok = hash_into(version, params, password.as_bytes(), salt, &mut out);
        ok && bool::from(out.as_slice().ct_eq(expected.as_bytes()))
    }

    /// Spends the time of one verification without a stored hash, so an unknown user takes as
    /// long to refuse as a wrong password.
    pub fn burn(&self, password: &str) {
        let mut out = [0u8; 32];
        let _ = hash_into(
            Version::V0x13,
            self.params.clone(),
            password.as_bytes(),
            b"somesaltsomesalt",
            &mut out,
        );
    }
}

/// The largest argon2 working memory kept per thread between calls (64 MiB): a hash with more
/// memory than this is computed with a fresh allocation.
const MAX_KEPT_BLOCKS: usize = 64 * 1024;

/// Argon2id of `password` into `out`, with a working memory kept per thread: allocating and
/// page-faulting 19 MiB afresh on every sign-in costs more than the memory it would take to
/// keep it (one buffer per thread that ever verified a password; `cognate serve` runs at most
/// two sign-ins per core at once). The buffer keeps the last computation's blocks: they are
/// derived from the password as the stored hash is, and tell no more than it (the password
/// itself is never in them); the request that carried the password is in the same memory.
fn hash_into(
    version: Version,
    params: Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> bool {
    thread_local! {
        static MEMORY: std::cell::RefCell<Vec<argon2::Block>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    let blocks = params.block_count();
    let argon = Argon2::new(Algorithm::Argon2id, version, params);
    if blocks > MAX_KEPT_BLOCKS {
        return argon.hash_password_into(password, salt, out).is_ok();
    }
    MEMORY.with(|m| {
        let Ok(mut m) = m.try_borrow_mut() else {
            return argon.hash_password_into(password, salt, out).is_ok();
        };
        if m.len() < blocks {
            m.resize(blocks, argon2::Block::default());
        }
        let mem = m.get_mut(..blocks).unwrap_or_default();
        argon
            .hash_password_into_with_memory(password, salt, out, mem)
            .is_ok()
    })
}

/// Checks a new password against the pool's policy, with Cognito's messages.
pub fn check_policy(policy: &PasswordPolicy, password: &str) -> Result<(), CognitoError> {
    let fail = |what: &str| {
        Err(CognitoError::new(
            ErrorKind::InvalidPassword,
            format!("Password did not conform with policy: {what}"),
        ))
    };
    let len = password.chars().count();
    if len > 256 {
        return fail("Password is too long");
    }
    if len < usize::try_from(policy.minimum_length).unwrap_or(usize::MAX) {
        return fail("Password not long enough");
    }
    if password.starts_with(' ') || password.ends_with(' ') {
        return fail("Password must not begin or end with a space");
    }
    if policy.require_lowercase && !password.chars().any(|c| c.is_lowercase()) {
        return fail("Password must have lowercase characters");
    }
    if policy.require_uppercase && !password.chars().any(|c| c.is_uppercase()) {
        return fail("Password must have uppercase characters");
    }
    if policy.require_numbers && !password.chars().any(|c| c.is_ascii_digit()) {
        return fail("Password must have numeric characters");
    }
    if policy.require_symbols && !password.chars().any(|c| SYMBOLS.contains(c)) {
        return fail("Password must have symbol characters");
    }
    Ok(())
}

/// Generates a temporary password that satisfies `policy`.
pub fn generate_temporary_password(
    policy: &PasswordPolicy,
    rng: &dyn SecureRandom,
) -> Result<String, CognitoError> {
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    const SYM: &[u8] = b"!@#%&*-_=+?";
    let len = usize::try_from(policy.minimum_length.max(12)).unwrap_or(12);
    let mut bytes = vec![0u8; len];
    rng.fill(&mut bytes).map_err(|_| CognitoError::internal())?;
    let pick = |set: &[u8], b: u8| {
        char::from(set.get(usize::from(b) % set.len()).copied().unwrap_or(b'a'))
    };
    let mut out: Vec<char> = Vec::with_capacity(len);
    for (i, b) in bytes.iter().enumerate() {
        let set = match i % 4 {
            0 => UPPER,
            1 => LOWER,
            2 => DIGITS,
            _ => SYM,
        };
        out.push(pick(set, *b));
    }
    Ok(out.into_iter().collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use cognate_types::danger::InsecureDeterministicRandom;

    #[test]
    fn hash_round_trip_and_wrong_password() {
        let h = PasswordHasher::insecure_fast_for_tests();
        let rng = InsecureDeterministicRandom::new(1);
        let stored = h.hash("Correct horse 1!", &rng).unwrap();
        assert!(stored.starts_with("$argon2id$v=19$"));
        assert!(h.verify(&stored, "Correct horse 1!"));
        assert!(!h.verify(&stored, "Correct horse 1?"));
        assert!(!h.verify("not a phc string", "x"));
    }

    #[test]
    fn verification_follows_the_stored_hash_and_refuses_other_algorithms() {
        let rng = InsecureDeterministicRandom::new(2);
        let small = PasswordHasher::insecure_fast_for_tests();
        let larger = PasswordHasher {
            params: Params::new(256, 2, 1, None).unwrap(),
        };
        // Hashes of other parameters verify with theirs, in any order on one thread (the
        // kept working memory grows and is reused).
        let a = larger.hash("pw-a", &rng).unwrap();
        let b = small.hash("pw-b", &rng).unwrap();
        for _ in 0..2 {
            assert!(small.verify(&a, "pw-a") && small.verify(&b, "pw-b"));
            assert!(!small.verify(&a, "pw-b") && !small.verify(&b, "pw-a"));
        }
        // A hash made by the argon2 crate's own PHC path verifies.
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let own = small
            .argon2()
            .hash_password(b"pw-c", &salt)
            .unwrap()
            .to_string();
        assert!(small.verify(&own, "pw-c"));
        // argon2i / argon2d hashes and a truncated output are refused.
        for other in [Algorithm::Argon2i, Algorithm::Argon2d] {
            let h = Argon2::new(other, Version::V0x13, Params::new(64, 1, 1, None).unwrap())
                .hash_password(b"pw-c", &salt)
                .unwrap()
                .to_string();
            assert!(!small.verify(&h, "pw-c"), "{h}");
        }
        let (head, _) = own.rsplit_once('$').unwrap();
        assert!(!small.verify(&format!("{head}$AAAA"), "pw-c"));
    }

    #[test]
    fn policy_messages() {
        let p = PasswordPolicy::default();
        let msg = |pw: &str| check_policy(&p, pw).unwrap_err().message;
        assert!(msg("Ab1!").ends_with("Password not long enough"));
        assert!(msg("ABCDEFG1!").ends_with("lowercase characters"));
        assert!(msg("abcdefg1!").ends_with("uppercase characters"));
        assert!(msg("Abcdefgh!").ends_with("numeric characters"));
        assert!(msg("Abcdefgh1").ends_with("symbol characters"));
        assert!(check_policy(&p, "Abcdefg1!").is_ok());
        assert_eq!(
            check_policy(&p, "x").unwrap_err().kind,
            ErrorKind::InvalidPassword
        );
    }

    #[test]
    fn generated_passwords_meet_the_policy() {
        let p = PasswordPolicy::default();
        let rng = InsecureDeterministicRandom::new(7);
        for _ in 0..50 {
            let pw = generate_temporary_password(&p, &rng).unwrap();
            check_policy(&p, &pw).unwrap();
        }
    }
}
