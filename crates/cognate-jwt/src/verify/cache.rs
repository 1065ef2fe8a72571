//! A bounded cache of tokens this verifier has already verified.
//!
//! Keyed by the exact token string: the bucket is chosen by a keyed hash of the token's
//! length and its last bytes (inside the signature, which differs between any two genuine
//! tokens), and a hit requires the whole token to be equal. Only tokens that passed every
//! check are inserted, so an attacker cannot fill it. Eviction is first-in first-out.
//! The verifier still enforces `exp`, `nbf`, `iat`, the custom check and the revocation hook
//! on every hit.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::sync::{Arc, RwLock};

use super::claims::VerifiedClaims;

/// How many trailing bytes of the token feed the bucket hash.
const TAIL: usize = 48;

pub(crate) struct VerifiedCache {
    max_entries: usize,
    hasher: RandomState,
    inner: RwLock<Inner>,
}

#[derive(Default)]
struct Inner {
    map: HashMap<u64, Vec<(Arc<str>, VerifiedClaims)>>,
    order: VecDeque<(u64, Arc<str>)>,
}

impl VerifiedCache {
    pub(crate) fn new(max_entries: usize) -> Self {
        Self {
            max_entries,
            hasher: RandomState::new(),
            inner: RwLock::new(Inner::default()),
        }
    }

    fn bucket(&self, token: &str) -> u64 {
        let b = token.as_bytes();
        let tail = b.get(b.len().saturating_sub(TAIL)..).unwrap_or_default();
        self.hasher.hash_one((b.len(), tail))
    }

    pub(crate) fn get(&self, token: &str) -> Option<VerifiedClaims> {
        let h = self.bucket(token);
        let inner = self.inner.read().ok()?;
        inner
            .map
            .get(&h)?
            .iter()
            .find(|(t, _)| **t == *token)
            .map(|(_, c)| c.clone())
    }

    pub(crate) fn insert(&self, token: &str, claims: &VerifiedClaims) {
        if self.max_entries == 0 {
            return;
        }
        let h = self.bucket(token);
        let Ok(mut inner) = self.inner.write() else {
            return;
        };
        if inner
            .map
            .get(&h)
            .is_some_and(|b| b.iter().any(|(t, _)| **t == *token))
        {
            return;
        }
        while inner.order.len() >= self.max_entries {
            let Some((oh, ot)) = inner.order.pop_front() else {
                break;
            };
            remove_from(&mut inner.map, oh, &ot);
        }
        let t: Arc<str> = Arc::from(token);
        inner
            .map
            .entry(h)
            .or_default()
            .push((Arc::clone(&t), claims.clone()));
        inner.order.push_back((h, t));
    }

    pub(crate) fn remove(&self, token: &str) {
        let h = self.bucket(token);
        if let Ok(mut inner) = self.inner.write() {
            if remove_from(&mut inner.map, h, token) {
                inner.order.retain(|(oh, ot)| !(*oh == h && **ot == *token));
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.inner.read().map(|i| i.order.len()).unwrap_or(0)
    }
}

fn remove_from(
    map: &mut HashMap<u64, Vec<(Arc<str>, VerifiedClaims)>>,
    h: u64,
    token: &str,
) -> bool {
    let Some(bucket) = map.get_mut(&h) else {
        return false;
    };
    let before = bucket.len();
    bucket.retain(|(t, _)| **t != *token);
    let removed = bucket.len() != before;
    if bucket.is_empty() {
        map.remove(&h);
    }
    removed
}
