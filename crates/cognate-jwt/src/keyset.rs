//! A user pool's keys, with rotation: [`PoolKeys`].
//!
//! Cognito signs ID tokens with one RSA key and access tokens with another, so a pool has two
//! *rings* of signing keys (selected by [`TokenUse`]). In each ring:
//!
//! - exactly one key is [`KeyState::Active`]: it signs;
//! - [`KeyState::Pending`] keys are published in the JWKS but do not sign yet. A pending key
//!   can be activated only once it has been published for at least
//!   [`RotationPolicy::propagation_delay`] (set it to the longest time verifiers cache the
//!   JWKS), so no verifier meets a token signed by a key it has not seen;
//! - [`KeyState::Retiring`] keys no longer sign but stay published until every token they
//!   signed has expired: `retired_at + max_token_lifetime`. [`PoolKeys::prune`] removes them
//!   after that.
//!
//! The pool also holds the symmetric keys that seal refresh tokens ([`RefreshKey`]). Only the
//! pool reads refresh tokens, so a new one becomes active at once; old ones are kept for
//! opening until `retired_at + max_refresh_token_lifetime`.
//!
//! The whole private set serializes to a versioned JSON document ([`PoolKeys::to_json`],
//! [`PoolKeys::from_json`]): the CLI's `keys.json`. Loading validates everything and never
//! panics.

use std::fmt;
use std::time::Duration;

use cognate_types::{KeyId, RandomError, Secret, SecureRandom, TokenUse, UnixTime};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use zeroize::Zeroizing;

use crate::jwk::{JwkSet, Jwks, PublicJwk};
use crate::key::{KeyError, RsaKeySize, SigningKey};
use crate::refresh::RefreshKey;

/// Version of the key-set document written by [`PoolKeys::to_json`].
pub const KEYSET_FORMAT_VERSION: u32 = 1;
/// Largest key-set document [`PoolKeys::from_json`] reads.
pub const MAX_KEYSET_BYTES: usize = 1024 * 1024;
/// Most keys one ring (or the refresh keys) may hold.
pub const MAX_KEYS_PER_RING: usize = 16;

/// The timing rules of key rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RotationPolicy {
    /// How long a new key must be published before it may sign: at least the longest time
    /// verifiers cache the JWKS. Default 1 hour.
    pub propagation_delay: Duration,
    /// The longest lifetime of an ID or access token (Cognito's maximum is 1 day, the
    /// default here). A retired signing key stays published this long.
    pub max_token_lifetime: Duration,
    /// The longest lifetime of a refresh token (Cognito's maximum is 10 years, the default
    /// here). A retired refresh key is kept this long.
    pub max_refresh_token_lifetime: Duration,
}

impl Default for RotationPolicy {
    fn default() -> Self {
        Self {
            propagation_delay: Duration::from_secs(3600),
            max_token_lifetime: Duration::from_secs(86_400),
            max_refresh_token_lifetime: Duration::from_secs(315_360_000),
        }
    }
}

/// Where a signing key is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyState {
    /// Published, not yet signing.
    Pending,
    /// Published and signing.
    Active,
    /// Published, no longer signing; removed once its tokens have expired.
    Retiring,
}

/// A signing key in a ring.
#[derive(Debug, Clone)]
pub struct KeyEntry {
    key: SigningKey,
    state: KeyState,
    published_at: UnixTime,
    retired_at: Option<UnixTime>,
}

impl KeyEntry {
    /// The key.
    pub fn key(&self) -> &SigningKey {
        &self.key
    }
    /// Its state.
    pub fn state(&self) -> KeyState {
        self.state
    }
    /// When it was first published.
    pub fn published_at(&self) -> UnixTime {
        self.published_at
    }
    /// When it stopped signing (retiring keys only).
    pub fn retired_at(&self) -> Option<UnixTime> {
        self.retired_at
    }
}

/// A refresh-token encryption key in the pool.
#[derive(Debug, Clone)]
pub struct RefreshKeyEntry {
    key: RefreshKey,
    created_at: UnixTime,
    retired_at: Option<UnixTime>,
}

impl RefreshKeyEntry {
    /// The key.
    pub fn key(&self) -> &RefreshKey {
        &self.key
    }
    /// When it was created (and became active).
    pub fn created_at(&self) -> UnixTime {
        self.created_at
    }
    /// When it stopped sealing new tokens; `None` for the active key.
    pub fn retired_at(&self) -> Option<UnixTime> {
        self.retired_at
    }
}

/// A key-set operation or document failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum KeySetError {
    /// A signing key failed to generate or load.
    #[error("key `{kid}`: {source}")]
    Key {
        /// The key's `kid` (or `"new"` for a key being generated).
        kid: String,
        /// Why.
        source: KeyError,
    },
    /// The random source failed.
    #[error(transparent)]
    Random(#[from] RandomError),
    /// The document is larger than [`MAX_KEYSET_BYTES`].
    #[error("key-set document is too large")]
    TooLarge,
    /// The document is not JSON of the expected shape (unknown members are refused).
    #[error("key-set document is malformed: {0}")]
    Malformed(String),
    /// The document's `version` is not one this library reads.
    #[error("key-set document version {0} is not supported")]
    UnsupportedVersion(u32),
    /// A ring does not have exactly one active key.
    #[error("the {ring} token ring has {count} active keys (exactly one is required)")]
    ActiveKeyCount {
        /// The ring.
        ring: TokenUse,
        /// How many active keys it has.
        count: usize,
    },
    /// The refresh keys do not include exactly one active key.
    #[error("{0} active refresh-token keys (exactly one is required)")]
    ActiveRefreshKeyCount(usize),
    /// Two keys share a `kid`.
    #[error("duplicate kid `{0}`")]
    DuplicateKid(KeyId),
    /// `retired_at` is missing on a retiring key or present on another.
    #[error("key `{0}`: retired_at must be set exactly for retiring keys")]
    RetiredAtMismatch(KeyId),
    /// A refresh key is not 32 bytes of base64url.
    #[error("refresh key `{0}` is not 32 bytes of base64url")]
    BadRefreshKey(String),
    /// Too many keys in one ring.
    #[error("too many keys (at most {MAX_KEYS_PER_RING} per ring)")]
    TooManyKeys,
    /// No key with this `kid` in the ring.
    #[error("no key `{0}` in this ring")]
    UnknownKid(KeyId),
    /// Only pending keys can be activated.
    #[error("key `{0}` is not pending")]
    NotPending(KeyId),
    /// The key has not been published for the propagation delay yet.
    #[error("key `{kid}` may not sign before {ready_at} (propagation delay)")]
    NotPropagated {
        /// The key.
        kid: KeyId,
        /// The earliest activation time.
        ready_at: UnixTime,
    },
}

/// The signing and refresh-token keys of one user pool. See the module documentation.
#[derive(Clone)]
pub struct PoolKeys {
    policy: RotationPolicy,
    id: Vec<KeyEntry>,
    access: Vec<KeyEntry>,
    refresh: Vec<RefreshKeyEntry>,
}

impl fmt::Debug for PoolKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolKeys")
            .field("policy", &self.policy)
            .field("id", &self.id)
            .field("access", &self.access)
            .field("refresh", &self.refresh)
            .finish()
    }
}

fn key_err(kid: &str) -> impl FnOnce(KeyError) -> KeySetError + '_ {
    move |source| KeySetError::Key {
        kid: kid.to_string(),
        source,
    }
}

impl PoolKeys {
    /// A fresh set: a new RSA key for each ring (active from `now`) and a new refresh key.
    /// Needs the aws-lc-rs backend (ring cannot generate RSA keys).
    pub fn generate(
        size: RsaKeySize,
        policy: RotationPolicy,
        now: UnixTime,
        rng: &dyn SecureRandom,
    ) -> Result<Self, KeySetError> {
        let id = SigningKey::generate(size).map_err(key_err("new"))?;
        let access = SigningKey::generate(size).map_err(key_err("new"))?;
        let refresh = RefreshKey::generate(rng)?;
        Self::from_keys(id, access, refresh, policy, now)
    }

    /// A set from existing keys, each active from `now`.
    pub fn from_keys(
        id_key: SigningKey,
        access_key: SigningKey,
        refresh_key: RefreshKey,
        policy: RotationPolicy,
        now: UnixTime,
    ) -> Result<Self, KeySetError> {
        let entry = |key| KeyEntry {
            key,
            state: KeyState::Active,
            published_at: now,
            retired_at: None,
        };
        let set = Self {
            policy,
            id: vec![entry(id_key)],
            access: vec![entry(access_key)],
            refresh: vec![RefreshKeyEntry {
                key: refresh_key,
                created_at: now,
                retired_at: None,
            }],
        };
        set.validate()?;
        Ok(set)
    }

    /// The rotation policy.
    pub fn policy(&self) -> &RotationPolicy {
        &self.policy
    }

    /// Replaces the rotation policy.
    pub fn set_policy(&mut self, policy: RotationPolicy) {
        self.policy = policy;
    }

    fn ring(&self, ring: TokenUse) -> &Vec<KeyEntry> {
        match ring {
            TokenUse::Id => &self.id,
            TokenUse::Access => &self.access,
        }
    }

    fn ring_mut(&mut self, ring: TokenUse) -> &mut Vec<KeyEntry> {
        match ring {
            TokenUse::Id => &mut self.id,
            TokenUse::Access => &mut self.access,
        }
    }

    /// The key that signs tokens of this kind.
    pub fn active(&self, ring: TokenUse) -> &SigningKey {
        // `validate` guarantees one active key per ring, and every mutation keeps it so.
        let entries = self.ring(ring);
        entries
            .iter()
            .find(|e| e.state == KeyState::Active)
            .or_else(|| entries.first())
            .map(|e| &e.key)
            .unwrap_or_else(|| unreachable_empty_ring())
    }

    /// Every key of a ring, in JWKS order.
    pub fn entries(&self, ring: TokenUse) -> &[KeyEntry] {
        self.ring(ring)
    }

    /// Every refresh-token key, active first.
    pub fn refresh_entries(&self) -> &[RefreshKeyEntry] {
        &self.refresh
    }

    /// The refresh-token key that seals new refresh tokens.
    pub fn active_refresh_key(&self) -> &RefreshKey {
        self.refresh
            .iter()
            .find(|e| e.retired_at.is_none())
            .or_else(|| self.refresh.first())
            .map(|e| &e.key)
            .unwrap_or_else(|| unreachable_empty_refresh())
    }

    /// The refresh-token key with this `kid`, active or retired.
    pub fn refresh_key(&self, kid: &str) -> Option<&RefreshKey> {
        self.refresh
            .iter()
            .find(|e| e.key.kid().as_str() == kid)
            .map(|e| &e.key)
    }

    fn all_signing_kids(&self) -> impl Iterator<Item = &KeyId> {
        self.id
            .iter()
            .chain(self.access.iter())
            .map(|e| e.key.kid())
    }

    /// Publishes a new key in a ring as pending (it does not sign yet).
    pub fn add_pending(
        &mut self,
        ring: TokenUse,
        key: SigningKey,
        now: UnixTime,
    ) -> Result<(), KeySetError> {
        if self.all_signing_kids().any(|k| k == key.kid()) {
            return Err(KeySetError::DuplicateKid(key.kid().clone()));
        }
        let entries = self.ring_mut(ring);
        if entries.len() >= MAX_KEYS_PER_RING {
            return Err(KeySetError::TooManyKeys);
        }
        entries.push(KeyEntry {
            key,
            state: KeyState::Pending,
            published_at: now,
            retired_at: None,
        });
        sort_ring(entries);
        Ok(())
    }

    /// Makes a pending key the signing key of its ring; the previous active key starts
    /// retiring at `now`. Refused until the key has been published for the propagation
    /// delay.
    pub fn activate(
        &mut self,
        ring: TokenUse,
        kid: &str,
        now: UnixTime,
    ) -> Result<(), KeySetError> {
        let delay = self.policy.propagation_delay;
        let entries = self.ring_mut(ring);
        let Some(pos) = entries.iter().position(|e| e.key.kid().as_str() == kid) else {
            return Err(KeySetError::UnknownKid(
                KeyId::new(kid).map_err(|_| KeySetError::Malformed("kid".into()))?,
            ));
        };
        let (state, published_at, key_kid) = match entries.get(pos) {
            Some(e) => (e.state, e.published_at, e.key.kid().clone()),
            None => return Err(KeySetError::TooManyKeys),
        };
        if state != KeyState::Pending {
            return Err(KeySetError::NotPending(key_kid));
        }
        let ready_at = published_at.saturating_add(delay);
        if now < ready_at {
            return Err(KeySetError::NotPropagated {
                kid: key_kid,
                ready_at,
            });
        }
        for (i, e) in entries.iter_mut().enumerate() {
            if i == pos {
                e.state = KeyState::Active;
            } else if e.state == KeyState::Active {
                e.state = KeyState::Retiring;
                e.retired_at = Some(now);
            }
        }
        sort_ring(entries);
        Ok(())
    }

    /// Installs a new refresh-token key, active at once; the previous one is kept, retired,
    /// for opening the refresh tokens it sealed.
    pub fn rotate_refresh_key(
        &mut self,
        key: RefreshKey,
        now: UnixTime,
    ) -> Result<(), KeySetError> {
        if self.refresh.iter().any(|e| e.key.kid() == key.kid()) {
            return Err(KeySetError::DuplicateKid(key.kid().clone()));
        }
        if self.refresh.len() >= MAX_KEYS_PER_RING {
            return Err(KeySetError::TooManyKeys);
        }
        for e in &mut self.refresh {
            if e.retired_at.is_none() {
                e.retired_at = Some(now);
            }
        }
        self.refresh.insert(
            0,
            RefreshKeyEntry {
                key,
                created_at: now,
                retired_at: None,
            },
        );
        Ok(())
    }

    /// Removes retiring signing keys whose tokens have all expired
    /// (`now > retired_at + max_token_lifetime`) and retired refresh keys whose refresh
    /// tokens have all expired. Returns how many keys were removed.
    pub fn prune(&mut self, now: UnixTime) -> usize {
        let max = self.policy.max_token_lifetime;
        let max_refresh = self.policy.max_refresh_token_lifetime;
        let before = self.id.len() + self.access.len() + self.refresh.len();
        for ring in [&mut self.id, &mut self.access] {
            ring.retain(|e| match (e.state, e.retired_at) {
                (KeyState::Retiring, Some(at)) => now <= at.saturating_add(max),
                _ => true,
            });
        }
        self.refresh.retain(|e| match e.retired_at {
            Some(at) => now <= at.saturating_add(max_refresh),
            None => true,
        });
        before - (self.id.len() + self.access.len() + self.refresh.len())
    }

    /// The public JWKS: every published key of the ID ring, then of the access ring (each
    /// ring: active, pending by publication time, retiring by retirement time), in Cognito's
    /// shape.
    pub fn jwks(&self) -> Jwks {
        Jwks {
            keys: self
                .id
                .iter()
                .chain(self.access.iter())
                .map(|e| e.key.public_jwk())
                .collect::<Vec<PublicJwk>>(),
        }
    }

    /// Every published key as a [`JwkSet`] (for verifying this pool's tokens in-process).
    pub fn verifying_keys(&self) -> JwkSet {
        JwkSet::from_keys(
            self.id
                .iter()
                .chain(self.access.iter())
                .map(|e| e.key.verifying_key().clone()),
        )
    }

    fn validate(&self) -> Result<(), KeySetError> {
        for (ring, entries) in [(TokenUse::Id, &self.id), (TokenUse::Access, &self.access)] {
            if entries.len() > MAX_KEYS_PER_RING {
                return Err(KeySetError::TooManyKeys);
            }
            let count = entries
                .iter()
                .filter(|e| e.state == KeyState::Active)
                .count();
            if count != 1 {
                return Err(KeySetError::ActiveKeyCount { ring, count });
            }
            for e in entries {
                if (e.state == KeyState::Retiring) != e.retired_at.is_some() {
                    return Err(KeySetError::RetiredAtMismatch(e.key.kid().clone()));
                }
            }
        }
        let mut seen: Vec<&KeyId> = Vec::new();
        for kid in self.all_signing_kids() {
            if seen.contains(&kid) {
                return Err(KeySetError::DuplicateKid(kid.clone()));
            }
            seen.push(kid);
        }
        if self.refresh.len() > MAX_KEYS_PER_RING {
            return Err(KeySetError::TooManyKeys);
        }
        let active = self
            .refresh
            .iter()
            .filter(|e| e.retired_at.is_none())
            .count();
        if active != 1 {
            return Err(KeySetError::ActiveRefreshKeyCount(active));
        }
        let mut seen: Vec<&KeyId> = Vec::new();
        for e in &self.refresh {
            if seen.contains(&e.key.kid()) {
                return Err(KeySetError::DuplicateKid(e.key.kid().clone()));
            }
            seen.push(e.key.kid());
        }
        Ok(())
    }

    /// The whole private set as a versioned JSON document (secret: it holds private keys).
    pub fn to_json(&self) -> Secret<String> {
        let pems: Vec<(TokenUse, &KeyEntry, Secret<String>)> = self
            .id
            .iter()
            .map(|e| (TokenUse::Id, e))
            .chain(self.access.iter().map(|e| (TokenUse::Access, e)))
            .map(|(r, e)| (r, e, e.key.to_pkcs8_pem()))
            .collect();
        let refresh_keys: Vec<(&RefreshKeyEntry, Zeroizing<String>)> =
            self.refresh.iter().map(|e| (e, e.key.to_b64())).collect();
        let signing = |ring: TokenUse| -> Vec<SigningEntryOut<'_>> {
            pems.iter()
                .filter(|(r, _, _)| *r == ring)
                .map(|(_, e, pem)| SigningEntryOut {
                    kid: e.key.kid().as_str(),
                    state: e.state,
                    published_at: e.published_at.as_secs(),
                    retired_at: e.retired_at.map(UnixTime::as_secs),
                    private_key_pem: pem.expose(),
                })
                .collect()
        };
        let doc = DocOut {
            version: KEYSET_FORMAT_VERSION,
            policy: PolicyDoc::from(&self.policy),
            id_token_keys: signing(TokenUse::Id),
            access_token_keys: signing(TokenUse::Access),
            refresh_token_keys: refresh_keys
                .iter()
                .map(|(e, k)| RefreshEntryOut {
                    kid: e.key.kid().as_str(),
                    created_at: e.created_at.as_secs(),
                    retired_at: e.retired_at.map(UnixTime::as_secs),
                    key: k.as_str(),
                })
                .collect(),
        };
        let mut buf = Zeroizing::new(Vec::with_capacity(4096 * (pems.len() + 1)));
        if serde_json::to_writer_pretty(&mut *buf, &doc).is_err() {
            return Secret::new(String::new());
        }
        Secret::new(String::from_utf8(std::mem::take(&mut *buf)).unwrap_or_default())
    }

    /// Reads and validates a document written by [`PoolKeys::to_json`]: the version, every
    /// key (RSA at least 2048 bits, refresh keys 32 bytes), one active key per ring, one
    /// active refresh key, unique `kid`s, `retired_at` exactly on retiring keys.
    pub fn from_json(json: &str) -> Result<Self, KeySetError> {
        if json.len() > MAX_KEYSET_BYTES {
            return Err(KeySetError::TooLarge);
        }
        let probe: VersionProbe = serde_json::from_str(json).map_err(malformed)?;
        if probe.version != KEYSET_FORMAT_VERSION {
            return Err(KeySetError::UnsupportedVersion(probe.version));
        }
        let doc: DocIn = serde_json::from_str(json).map_err(malformed)?;
        if doc.id_token_keys.len() > MAX_KEYS_PER_RING
            || doc.access_token_keys.len() > MAX_KEYS_PER_RING
            || doc.refresh_token_keys.len() > MAX_KEYS_PER_RING
        {
            return Err(KeySetError::TooManyKeys);
        }
        let load_ring = |entries: Vec<SigningEntryIn>| -> Result<Vec<KeyEntry>, KeySetError> {
            let mut out = Vec::with_capacity(entries.len());
            for e in entries {
                let key = SigningKey::from_pem(e.private_key_pem.expose())
                    .map_err(key_err(e.kid.as_str()))?;
                out.push(KeyEntry {
                    key: key.with_kid(e.kid),
                    state: e.state,
                    published_at: UnixTime::from_secs(e.published_at),
                    retired_at: e.retired_at.map(UnixTime::from_secs),
                });
            }
            sort_ring(&mut out);
            Ok(out)
        };
        let mut refresh = Vec::with_capacity(doc.refresh_token_keys.len());
        for e in doc.refresh_token_keys {
            let key = RefreshKey::from_b64(e.kid.clone(), e.key.expose())
                .ok_or_else(|| KeySetError::BadRefreshKey(e.kid.to_string()))?;
            refresh.push(RefreshKeyEntry {
                key,
                created_at: UnixTime::from_secs(e.created_at),
                retired_at: e.retired_at.map(UnixTime::from_secs),
            });
        }
        refresh.sort_by_key(|e| (e.retired_at.is_some(), std::cmp::Reverse(e.created_at)));
        let set = Self {
            policy: doc.policy.into(),
            id: load_ring(doc.id_token_keys)?,
            access: load_ring(doc.access_token_keys)?,
            refresh,
        };
        set.validate()?;
        Ok(set)
    }
}

/// A serde error without the message text, which can quote input (private keys).
fn malformed(e: serde_json::Error) -> KeySetError {
    KeySetError::Malformed(format!(
        "{:?} error at line {} column {}",
        e.classify(),
        e.line(),
        e.column()
    ))
}

fn sort_ring(entries: &mut [KeyEntry]) {
    entries.sort_by(|a, b| {
        let rank = |e: &KeyEntry| match e.state {
            KeyState::Active => 0,
            KeyState::Pending => 1,
            KeyState::Retiring => 2,
        };
        rank(a)
            .cmp(&rank(b))
            .then_with(|| match (a.state, b.state) {
                (KeyState::Retiring, KeyState::Retiring) => b.retired_at.cmp(&a.retired_at),
                _ => a.published_at.cmp(&b.published_at),
            })
            .then_with(|| a.key.kid().cmp(b.key.kid()))
    });
}

#[allow(clippy::panic)]
fn unreachable_empty_ring() -> &'static SigningKey {
    panic!("PoolKeys invariant broken: a ring has no key")
}

#[allow(clippy::panic)]
fn unreachable_empty_refresh() -> &'static RefreshKey {
    panic!("PoolKeys invariant broken: no refresh key")
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyDoc {
    propagation_delay_secs: u64,
    max_token_lifetime_secs: u64,
    max_refresh_token_lifetime_secs: u64,
}

impl From<&RotationPolicy> for PolicyDoc {
    fn from(p: &RotationPolicy) -> Self {
        Self {
            propagation_delay_secs: p.propagation_delay.as_secs(),
            max_token_lifetime_secs: p.max_token_lifetime.as_secs(),
            max_refresh_token_lifetime_secs: p.max_refresh_token_lifetime.as_secs(),
        }
    }
}

impl From<PolicyDoc> for RotationPolicy {
    fn from(p: PolicyDoc) -> Self {
        Self {
            propagation_delay: Duration::from_secs(p.propagation_delay_secs),
            max_token_lifetime: Duration::from_secs(p.max_token_lifetime_secs),
            max_refresh_token_lifetime: Duration::from_secs(p.max_refresh_token_lifetime_secs),
        }
    }
}

#[derive(Serialize)]
struct DocOut<'a> {
    version: u32,
    policy: PolicyDoc,
    id_token_keys: Vec<SigningEntryOut<'a>>,
    access_token_keys: Vec<SigningEntryOut<'a>>,
    refresh_token_keys: Vec<RefreshEntryOut<'a>>,
}

#[derive(Serialize)]
struct SigningEntryOut<'a> {
    kid: &'a str,
    state: KeyState,
    published_at: u64,
    retired_at: Option<u64>,
    private_key_pem: &'a str,
}

#[derive(Serialize)]
struct RefreshEntryOut<'a> {
    kid: &'a str,
    created_at: u64,
    retired_at: Option<u64>,
    key: &'a str,
}

#[derive(Deserialize)]
struct VersionProbe {
    version: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocIn {
    #[allow(dead_code)]
    version: u32,
    policy: PolicyDoc,
    id_token_keys: Vec<SigningEntryIn>,
    access_token_keys: Vec<SigningEntryIn>,
    refresh_token_keys: Vec<RefreshEntryIn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SigningEntryIn {
    kid: KeyId,
    state: KeyState,
    published_at: u64,
    retired_at: Option<u64>,
    private_key_pem: Secret<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RefreshEntryIn {
    kid: KeyId,
    created_at: u64,
    retired_at: Option<u64>,
    key: Secret<String>,
}
