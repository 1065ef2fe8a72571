//! Token revocation by `origin_jti` (the refresh-token family) and by `jti`.
//!
//! Cognito revokes by family: revoking a refresh token (RevokeToken, `/oauth2/revoke`) or
//! signing a user out invalidates every ID and access token whose `origin_jti` matches, while
//! those tokens still verify cryptographically. Anything that must refuse revoked tokens (the
//! refresh path, userInfo, a backend using the verifier) asks a [`RevocationCheck`].

use std::collections::HashMap;
use std::sync::RwLock;

use cognate_types::{TokenId, UnixTime};

/// Answers whether a token has been revoked. Implement it over whatever store holds
/// revocations (the server's database, a replicated cache); [`InMemoryRevocations`] is the
/// simple one.
pub trait RevocationCheck: Send + Sync {
    /// True when the token with this `origin_jti` (its family) or this `jti` is revoked.
    /// Either may be absent (tokens issued with revocation disabled carry neither).
    fn is_revoked(&self, origin_jti: Option<&str>, jti: Option<&str>) -> bool;
}

/// Revocations held in memory, each kept until the tokens it covers have expired.
///
/// Entries record how long they must be remembered (`until`: the latest expiry of any token
/// they cover); [`InMemoryRevocations::prune`] drops the ones no longer needed.
#[derive(Debug, Default)]
pub struct InMemoryRevocations {
    families: RwLock<HashMap<TokenId, UnixTime>>,
    tokens: RwLock<HashMap<TokenId, UnixTime>>,
}

impl InMemoryRevocations {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Revokes every token of the family `origin_jti`; remembered until `until`.
    pub fn revoke_family(&self, origin_jti: TokenId, until: UnixTime) {
        if let Ok(mut m) = self.families.write() {
            let e = m.entry(origin_jti).or_insert(until);
            *e = (*e).max(until);
        }
    }

    /// Revokes the single token `jti`; remembered until `until`.
    pub fn revoke_token(&self, jti: TokenId, until: UnixTime) {
        if let Ok(mut m) = self.tokens.write() {
            let e = m.entry(jti).or_insert(until);
            *e = (*e).max(until);
        }
    }

    /// Forgets revocations whose tokens have all expired by `now`.
    pub fn prune(&self, now: UnixTime) {
        for lock in [&self.families, &self.tokens] {
            if let Ok(mut m) = lock.write() {
                m.retain(|_, until| *until > now);
            }
        }
    }

    /// Number of remembered revocations (families plus single tokens).
    pub fn len(&self) -> usize {
        let f = self.families.read().map(|m| m.len()).unwrap_or(0);
        let t = self.tokens.read().map(|m| m.len()).unwrap_or(0);
        f + t
    }

    /// True when nothing is revoked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl RevocationCheck for InMemoryRevocations {
    fn is_revoked(&self, origin_jti: Option<&str>, jti: Option<&str>) -> bool {
        // A poisoned lock means a writer panicked mid-update: fail closed.
        let fam =
            origin_jti.is_some_and(|o| self.families.read().map_or(true, |m| m.contains_key(o)));
        let tok = jti.is_some_and(|j| self.tokens.read().map_or(true, |m| m.contains_key(j)));
        fam || tok
    }
}

impl<R: RevocationCheck + ?Sized> RevocationCheck for std::sync::Arc<R> {
    fn is_revoked(&self, origin_jti: Option<&str>, jti: Option<&str>) -> bool {
        (**self).is_revoked(origin_jti, jti)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_and_token_revocation_and_pruning() {
        let r = InMemoryRevocations::new();
        let fam = TokenId::new("dea6a10f-8994-4a46-8a60-02983d63b50a").unwrap();
        let jti = TokenId::new("04ee7dcf-0000-4000-8000-000000000000").unwrap();
        assert!(!r.is_revoked(Some(fam.as_str()), None));
        r.revoke_family(fam.clone(), UnixTime::from_secs(100));
        r.revoke_token(jti.clone(), UnixTime::from_secs(50));
        assert!(r.is_revoked(Some(fam.as_str()), None));
        assert!(r.is_revoked(None, Some(jti.as_str())));
        assert!(!r.is_revoked(None, None));
        assert!(!r.is_revoked(Some(jti.as_str()), Some(fam.as_str())));
        r.prune(UnixTime::from_secs(60));
        assert_eq!(r.len(), 1);
        assert!(r.is_revoked(Some(fam.as_str()), None));
        r.prune(UnixTime::from_secs(100));
        assert!(r.is_empty());
    }
}
