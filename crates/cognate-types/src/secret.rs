//! A wrapper for credentials.

use std::fmt;

use serde::{Deserialize, Deserializer};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// A secret value: a client secret, a code, a refresh token, a password, private key bytes.
///
/// - `Debug` prints `Secret([REDACTED])`; there is no `Display` and no `Serialize`, so a secret
///   cannot reach a log or a response by accident. Read it with [`Secret::expose`].
/// - Equality runs in constant time over the bytes (the length is not hidden).
/// - The value is zeroized when dropped.
pub struct Secret<T: Zeroize>(T);

impl<T: Zeroize> Secret<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret value. Call sites of this method are the places a secret can leak: keep them
    /// few.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T: Zeroize> Drop for Secret<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize + Clone> Clone for Secret<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T: Zeroize> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

impl<T: Zeroize + AsRef<[u8]>> Secret<T> {
    /// Constant-time comparison with a candidate given as bytes (for example a secret presented
    /// by a client). Only the length can be learnt from timing.
    pub fn ct_eq_bytes(&self, candidate: &[u8]) -> bool {
        self.0.as_ref().ct_eq(candidate).into()
    }
}

impl<T: Zeroize + AsRef<[u8]>> PartialEq for Secret<T> {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq_bytes(other.0.as_ref())
    }
}

impl<T: Zeroize + AsRef<[u8]>> Eq for Secret<T> {}

impl<T: Zeroize> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<'de, T: Zeroize + Deserialize<'de>> Deserialize<'de> for Secret<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new(String::from("hunter2"));
        let shown = format!("{s:?} {:?}", vec![s.clone()]);
        assert!(!shown.contains("hunter2"));
        assert!(shown.contains("REDACTED"));
    }

    #[test]
    fn equality() {
        let a = Secret::new(b"abc".to_vec());
        assert_eq!(a, Secret::new(b"abc".to_vec()));
        assert_ne!(a, Secret::new(b"abd".to_vec()));
        assert_ne!(a, Secret::new(b"ab".to_vec()));
        assert!(a.ct_eq_bytes(b"abc"));
        assert!(!a.ct_eq_bytes(b""));
    }

    #[test]
    fn deserializes() {
        let s: Secret<String> = serde_json::from_str("\"pw\"").unwrap();
        assert_eq!(s.expose(), "pw");
    }
}
