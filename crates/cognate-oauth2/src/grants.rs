//! Authorization codes and single-sign-on sessions as records of a [`GrantStore`], and an
//! in-memory store.

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine as _;
use cognate_types::{SecureRandom, UnixTime};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::host::{AuthenticatedUser, GrantStore, HostError, RecordKind};

/// A fresh random token: 32 bytes (256 bits) as 43 base64url characters.
pub(crate) fn random_token(rng: &dyn SecureRandom) -> Result<String, HostError> {
    let mut raw = [0u8; 32];
    rng.fill(&mut raw)
        .map_err(|_| HostError::new("random source failed"))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw))
}

/// The store key of a code or session token: its SHA-256, hex.
pub(crate) fn record_key(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// How far a code has come.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum CodeState {
    /// Issued, not redeemed.
    Fresh,
    /// A redemption is minting tokens.
    Redeeming,
    /// Redeemed; the tokens' family.
    Redeemed { family: Option<String> },
    /// A second redemption came while the first was minting: the first revokes its tokens.
    Reused,
}

/// What a code stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CodeRecord {
    /// The issuer the code was issued by (a code is only redeemed there).
    pub(crate) issuer: String,
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) scopes: String,
    pub(crate) nonce: Option<String>,
    pub(crate) code_challenge: Option<String>,
    pub(crate) user: AuthenticatedUser,
    pub(crate) state: CodeState,
}

impl CodeRecord {
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    pub(crate) fn from_bytes(b: &[u8]) -> Option<Self> {
        serde_json::from_slice(b).ok()
    }
}

/// A managed-login session (the `cognito` cookie). It names the issuer it was started for: a
/// store shared by several servers (several pools) must not let a session of one pool sign a
/// user of the same name into another, even when the host's keys do not separate them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SessionRecord {
    pub(crate) issuer: String,
    pub(crate) user: AuthenticatedUser,
}

/// The records of a [`MemoryGrantStore`]: value and expiry by kind and key.
type Records = HashMap<(RecordKind, String), (Vec<u8>, UnixTime)>;

/// A [`GrantStore`] in memory: for tests, and for a single-process server that may forget its
/// codes and sessions on restart.
#[derive(Debug, Default)]
pub struct MemoryGrantStore {
    records: Mutex<Records>,
}

impl MemoryGrantStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Drops expired records.
    pub fn purge(&self, now: UnixTime) {
        if let Ok(mut m) = self.records.lock() {
            m.retain(|_, (_, exp)| *exp > now);
        }
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Records>, HostError> {
        self.records
            .lock()
            .map_err(|_| HostError::new("grant store lock poisoned"))
    }
}

impl GrantStore for MemoryGrantStore {
    fn put(
        &self,
        kind: RecordKind,
        key: &str,
        value: &[u8],
        expires: UnixTime,
    ) -> Result<(), HostError> {
        self.lock()?
            .insert((kind, key.to_owned()), (value.to_vec(), expires));
        Ok(())
    }

    fn get(
        &self,
        kind: RecordKind,
        key: &str,
        now: UnixTime,
    ) -> Result<Option<Vec<u8>>, HostError> {
        Ok(self
            .lock()?
            .get(&(kind, key.to_owned()))
            .filter(|(_, exp)| *exp > now)
            .map(|(v, _)| v.clone()))
    }

    fn swap(
        &self,
        kind: RecordKind,
        key: &str,
        expected: &[u8],
        new: &[u8],
        now: UnixTime,
    ) -> Result<bool, HostError> {
        let mut m = self.lock()?;
        match m.get_mut(&(kind, key.to_owned())) {
            Some((v, exp)) if *exp > now && v.as_slice() == expected => {
                *v = new.to_vec();
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn delete(&self, kind: RecordKind, key: &str) -> Result<(), HostError> {
        self.lock()?.remove(&(kind, key.to_owned()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swap_is_compare_and_set() {
        let s = MemoryGrantStore::new();
        let t = UnixTime::from_secs(100);
        s.put(RecordKind::Code, "k", b"a", UnixTime::from_secs(200))
            .unwrap();
        assert!(!s.swap(RecordKind::Code, "k", b"x", b"b", t).unwrap());
        assert!(s.swap(RecordKind::Code, "k", b"a", b"b", t).unwrap());
        assert!(!s.swap(RecordKind::Code, "k", b"a", b"c", t).unwrap());
        assert_eq!(
            s.get(RecordKind::Code, "k", t).unwrap(),
            Some(b"b".to_vec())
        );
        // Expired records are absent and cannot be swapped.
        let late = UnixTime::from_secs(200);
        assert_eq!(s.get(RecordKind::Code, "k", late).unwrap(), None);
        assert!(!s.swap(RecordKind::Code, "k", b"b", b"c", late).unwrap());
        assert_eq!(s.get(RecordKind::Session, "k", t).unwrap(), None);
    }

    #[test]
    fn keys_are_digests() {
        assert_eq!(record_key("abc").len(), 64);
        assert_ne!(record_key("abc"), "abc");
    }
}
