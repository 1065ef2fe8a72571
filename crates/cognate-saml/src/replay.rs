//! The replay cache: an assertion ID is accepted once.

use std::collections::HashMap;
use std::sync::Mutex;

use cognate_types::UnixTime;

use crate::SamlError;

/// Remembers used assertion IDs until they expire. Implement it over storage every node of a
/// deployment shares (the server's key-value store), so a response replayed to another node
/// or after a restart is still refused.
pub trait ReplayCache: Send + Sync {
    /// Records `key` as used until `expires_at`. Returns `Ok(true)` if it was not present (the
    /// caller may accept the assertion), `Ok(false)` if it was (a replay). Must be atomic: of
    /// two concurrent calls with the same key, one returns `true` and the other `false`.
    /// Errors become [`SamlError::ReplayCache`].
    fn insert_once(&self, key: &str, expires_at: UnixTime, now: UnixTime) -> Result<bool, String>;
}

/// A replay cache in this process's memory: for tests, and for a single-node server that
/// accepts losing its memory on restart. Expired entries are dropped as new ones arrive; at
/// most `capacity` live entries are kept, and past that new assertions are refused rather
/// than old ones forgotten.
#[derive(Debug)]
pub struct MemoryReplayCache {
    entries: Mutex<HashMap<String, UnixTime>>,
    capacity: usize,
}

impl MemoryReplayCache {
    /// A cache holding at most `capacity` unexpired assertion IDs.
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }
}

impl Default for MemoryReplayCache {
    fn default() -> Self {
        Self::new(100_000)
    }
}

impl ReplayCache for MemoryReplayCache {
    fn insert_once(&self, key: &str, expires_at: UnixTime, now: UnixTime) -> Result<bool, String> {
        let mut map = self
            .entries
            .lock()
            .map_err(|_| "replay cache lock poisoned".to_owned())?;
        if let Some(exp) = map.get(key) {
            if *exp > now {
                return Ok(false);
            }
        }
        if map.len() >= self.capacity {
            map.retain(|_, exp| *exp > now);
            if map.len() >= self.capacity {
                return Err("replay cache full".to_owned());
            }
        }
        map.insert(key.to_owned(), expires_at);
        Ok(true)
    }
}

/// Asks the cache, turning its answer into this crate's errors.
pub(crate) fn check(
    cache: &dyn ReplayCache,
    key: &str,
    expires_at: UnixTime,
    now: UnixTime,
) -> Result<(), SamlError> {
    match cache.insert_once(key, expires_at, now) {
        Ok(true) => Ok(()),
        Ok(false) => Err(SamlError::Replayed),
        Err(e) => Err(SamlError::ReplayCache(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn once_until_expiry() {
        let c = MemoryReplayCache::new(2);
        let t = UnixTime::from_secs;
        assert_eq!(c.insert_once("a", t(10), t(0)), Ok(true));
        assert_eq!(c.insert_once("a", t(10), t(5)), Ok(false));
        assert_eq!(c.insert_once("b", t(10), t(5)), Ok(true));
        assert!(c.insert_once("c", t(10), t(5)).is_err());
        assert_eq!(c.insert_once("c", t(20), t(11)), Ok(true));
        assert_eq!(c.insert_once("a", t(20), t(11)), Ok(true));
    }
}
