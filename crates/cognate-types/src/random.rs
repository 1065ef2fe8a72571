//! Randomness as an input.

use std::sync::Mutex;

use thiserror::Error;

/// The operating system's random source failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("the system random number generator failed")]
#[non_exhaustive]
pub struct RandomError;

/// A cryptographically secure random source. Every secret, identifier and nonce Cognate creates
/// comes from one, so tests can make them reproducible.
pub trait SecureRandom: Send + Sync {
    /// Fills `dest` with random bytes.
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError>;
}

/// The operating system's CSPRNG (`getrandom`).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemRandom;

impl SecureRandom for SystemRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError> {
        getrandom::fill(dest).map_err(|_| RandomError)
    }
}

impl<R: SecureRandom + ?Sized> SecureRandom for std::sync::Arc<R> {
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError> {
        (**self).fill(dest)
    }
}

impl<R: SecureRandom + ?Sized> SecureRandom for &R {
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError> {
        (**self).fill(dest)
    }
}

/// A seeded, reproducible, **not secure** generator (SplitMix64). For tests that must pin the
/// identifiers and secrets they create. Never use it to make real secrets.
#[derive(Debug)]
pub struct InsecureDeterministicRandom(Mutex<u64>);

impl InsecureDeterministicRandom {
    /// A generator that always produces the same stream for the same seed.
    pub fn new(seed: u64) -> Self {
        Self(Mutex::new(seed))
    }
}

impl SecureRandom for InsecureDeterministicRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError> {
        let mut state = self.0.lock().map_err(|_| RandomError)?;
        for chunk in dest.chunks_mut(8) {
            *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = *state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            for (dst, src) in chunk.iter_mut().zip(z.to_le_bytes()) {
                *dst = src;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_random_fills() {
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        SystemRandom.fill(&mut a).unwrap();
        SystemRandom.fill(&mut b).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn deterministic_is_reproducible() {
        let mut a = [0u8; 13];
        let mut b = [0u8; 13];
        InsecureDeterministicRandom::new(5).fill(&mut a).unwrap();
        InsecureDeterministicRandom::new(5).fill(&mut b).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, [0u8; 13]);
    }
}
