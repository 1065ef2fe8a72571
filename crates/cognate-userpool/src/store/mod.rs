//! Storage: the typed [`Store`] over a small transactional key-value seam ([`KvBackend`]).
//!
//! Two backends ship: [`MemoryBackend`] and, with the `sqlite` feature, the durable
//! `SqliteBackend` (one file, WAL). Unique constraints (username, `sub`, aliases, group and
//! client names) are enforced here, inside one write transaction, so they hold for every
//! backend and under concurrent writers.

mod kv;
mod manage;
mod memory;
#[cfg(feature = "sqlite")]
mod sqlite;
mod user_batch;

use std::sync::Arc;

use cognate_types::{ClientId, UnixTime, UserPoolId};
use serde::de::DeserializeOwned;
use serde::Serialize;
use thiserror::Error;

pub use kv::{Entries, KvBackend, KvError, KvRead, KvWrite, Table};
pub use memory::MemoryBackend;
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteBackend, SqliteOptions};

use crate::model::{
    AppClient, Group, IdentityProvider, ResourceServer, User, UserPool, UserStatus,
};

/// Which unique rule a write broke.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Conflict {
    /// A pool with this ID exists.
    Pool,
    /// The username is taken.
    Username,
    /// The `sub` is taken.
    Sub,
    /// Another user holds this alias or username attribute value.
    Alias(String),
    /// The group exists.
    Group,
    /// The client ID exists.
    Client,
    /// The resource server exists.
    ResourceServer,
    /// The identity provider exists.
    IdentityProvider,
    /// The IdP identifier is used by another provider.
    IdpIdentifier(String),
    /// The domain is taken.
    Domain,
    /// The record changed since it was read.
    Version,
}

/// What was missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Missing {
    /// The pool.
    Pool,
    /// The user.
    User,
    /// The group.
    Group,
    /// The app client.
    Client,
    /// The resource server.
    ResourceServer,
    /// The identity provider.
    IdentityProvider,
}

/// A store operation's failure.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The backend failed.
    #[error(transparent)]
    Kv(#[from] KvError),
    /// A unique rule.
    #[error("conflict: {0:?}")]
    Conflict(Conflict),
    /// The record does not exist.
    #[error("not found: {0:?}")]
    NotFound(Missing),
}

/// A short-lived record kind in [`Table::Ephemeral`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EphemeralKind {
    /// A challenge session of InitiateAuth / RespondToAuthChallenge.
    Session,
    /// A confirmation or reset code.
    Code,
    /// A revoked token family (`origin_jti`).
    Revoked,
    /// A used refresh token (rotation reuse detection).
    RefreshUsed,
    /// A live token family of a user (`{pool}/{sub}/{origin_jti}`), for global sign-out.
    TokenFamily,
    /// An OAuth authorization code (the managed-login pages and `/oauth2/token`).
    OAuthCode,
    /// A managed-login single-sign-on session.
    OAuthSession,
    /// State of a sign-in or sign-out at an upstream identity provider in flight (a SAML
    /// request's RelayState), and assertion IDs already accepted (replay).
    Federation,
}

impl EphemeralKind {
    fn tag(self) -> &'static str {
        match self {
            EphemeralKind::Session => "s",
            EphemeralKind::Code => "c",
            EphemeralKind::Revoked => "r",
            EphemeralKind::RefreshUsed => "u",
            EphemeralKind::TokenFamily => "f",
            EphemeralKind::OAuthCode => "oc",
            EphemeralKind::OAuthSession => "os",
            EphemeralKind::Federation => "fd",
        }
    }
}

const SEP: u8 = 0;

fn key(parts: &[&str]) -> Vec<u8> {
    let mut k = Vec::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            k.push(SEP);
        }
        k.extend_from_slice(p.as_bytes());
    }
    k
}

fn prefix(parts: &[&str]) -> Vec<u8> {
    let mut k = key(parts);
    k.push(SEP);
    k
}

fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(v).map_err(|e| StoreError::Kv(KvError::Corrupt(e.to_string())))
}

fn decode<T: DeserializeOwned>(b: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(b).map_err(|e| StoreError::Kv(KvError::Corrupt(e.to_string())))
}

fn last_part(k: &[u8]) -> String {
    let start = k.iter().rposition(|b| *b == SEP).map_or(0, |i| i + 1);
    String::from_utf8_lossy(k.get(start..).unwrap_or_default()).into_owned()
}

/// The unique index entries of a user: `(index name, normalised value)`.
///
/// `sub` always; username attributes (email, phone number in pools that sign in with them)
/// always; alias attributes once verified (`preferred_username` once set).
pub fn user_index_entries(pool: &UserPool, user: &User) -> Vec<(String, String)> {
    let mut out = vec![("sub".to_owned(), user.sub.as_str().to_owned())];
    if user.status == UserStatus::ExternalProvider {
        // A federated user's e-mail address or phone number is the provider's word, not a
        // sign-in name: it may equal a native user's (that is what linking is for).
        return out;
    }
    for attr in ["email", "phone_number", "preferred_username"] {
        let Some(value) = user.attributes.get(attr) else {
            continue;
        };
        let indexed = pool.is_username_attribute(attr)
            || (pool.is_alias_attribute(attr)
                && (attr == "preferred_username" || user.is_verified(attr)));
        if indexed {
            out.push((attr.to_owned(), alias_key(pool, attr, value)));
        }
    }
    out
}

/// How an alias value is normalised for lookup: e-mail addresses are matched without regard to
/// case; the rest follows the pool's case sensitivity.
pub fn alias_key(pool: &UserPool, attr: &str, value: &str) -> String {
    if attr == "email" {
        value.to_lowercase()
    } else {
        pool.lookup_key(value)
    }
}

/// The typed store.
#[derive(Clone)]
pub struct Store {
    kv: Arc<dyn KvBackend>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

impl Store {
    /// A store over any backend.
    pub fn new(kv: Arc<dyn KvBackend>) -> Self {
        Self { kv }
    }

    /// A fresh in-memory store.
    pub fn memory() -> Self {
        Self::new(Arc::new(MemoryBackend::new()))
    }

    fn read<T>(
        &self,
        mut f: impl FnMut(&dyn KvRead) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut out = None;
        let r = self.kv.read(&mut |r| match f(r) {
            Ok(v) => {
                out = Some(Ok(v));
                Ok(())
            }
            Err(StoreError::Kv(e)) => Err(e),
            Err(e) => {
                out = Some(Err(e));
                Err(KvError::Aborted)
            }
        });
        finish(r, out)
    }

    fn write<T>(
        &self,
        mut f: impl FnMut(&mut dyn KvWrite) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut out = None;
        let r = self.kv.write(&mut |w| match f(w) {
            Ok(v) => {
                out = Some(Ok(v));
                Ok(())
            }
            Err(StoreError::Kv(e)) => Err(e),
            Err(e) => {
                out = Some(Err(e));
                Err(KvError::Aborted)
            }
        });
        finish(r, out)
    }

    // ---- pools -------------------------------------------------------------------------

    /// Creates a pool.
    pub fn create_pool(&self, pool: &UserPool) -> Result<(), StoreError> {
        let k = key(&[pool.id.as_str()]);
        let v = encode(pool)?;
        self.write(|w| {
            if w.get(Table::Pools, &k)?.is_some() {
                return Err(StoreError::Conflict(Conflict::Pool));
            }
            w.put(Table::Pools, &k, &v)?;
            Ok(())
        })
    }

    /// A pool by ID.
    pub fn get_pool(&self, id: &UserPoolId) -> Result<Option<UserPool>, StoreError> {
        let k = key(&[id.as_str()]);
        self.read(|r| r.get(Table::Pools, &k)?.map(|b| decode(&b)).transpose())
    }

    /// Replaces a pool's settings.
    pub fn update_pool(&self, pool: &UserPool) -> Result<(), StoreError> {
        let k = key(&[pool.id.as_str()]);
        let v = encode(pool)?;
        self.write(|w| {
            if w.get(Table::Pools, &k)?.is_none() {
                return Err(StoreError::NotFound(Missing::Pool));
            }
            w.put(Table::Pools, &k, &v)?;
            Ok(())
        })
    }

    /// Pools in ID order, after `after`.
    pub fn list_pools(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<UserPool>, StoreError> {
        let after = after.map(|a| key(&[a]));
        self.read(|r| {
            r.scan(Table::Pools, b"", after.as_deref(), limit)?
                .iter()
                .map(|(_, v)| decode(v))
                .collect()
        })
    }

    /// Deletes a pool and everything in it. Returns whether it existed.
    pub fn delete_pool(&self, id: &UserPoolId) -> Result<bool, StoreError> {
        let k = key(&[id.as_str()]);
        let p = prefix(&[id.as_str()]);
        self.write(|w| {
            let Some(pool) = w.get(Table::Pools, &k)? else {
                return Ok(false);
            };
            let pool: UserPool = decode(&pool)?;
            if let Some(domain) = &pool.domain {
                w.delete(Table::Domains, &key(&[domain]))?;
            }
            for (ck, _) in scan_all(w, Table::PoolClients, &p)? {
                w.delete(Table::Clients, &key(&[&last_part(&ck)]))?;
            }
            for table in [
                Table::PoolKeys,
                Table::Users,
                Table::UserIndex,
                Table::Groups,
                Table::GroupMembers,
                Table::UserGroups,
                Table::PoolClients,
                Table::ResourceServers,
                Table::IdentityProviders,
                Table::IdpIdentifiers,
            ] {
                for (k2, _) in scan_all(w, table, &p)? {
                    w.delete(table, &k2)?;
                }
            }
            w.delete(Table::PoolKeys, &k)?;
            w.delete(Table::Pools, &k)?;
            Ok(true)
        })
    }

    /// The pool's stored signing keys (JSON).
    pub fn get_pool_keys(&self, id: &UserPoolId) -> Result<Option<String>, StoreError> {
        let k = key(&[id.as_str()]);
        self.read(|r| {
            r.get(Table::PoolKeys, &k)?
                .map(|b| String::from_utf8(b).map_err(|e| KvError::Corrupt(e.to_string()).into()))
                .transpose()
        })
    }

    /// Stores the pool's signing keys (JSON).
    pub fn put_pool_keys(&self, id: &UserPoolId, json: &str) -> Result<(), StoreError> {
        let k = key(&[id.as_str()]);
        self.write(|w| Ok(w.put(Table::PoolKeys, &k, json.as_bytes())?))
    }

    /// Sets or clears a pool's domain prefix, keeping domains unique.
    pub fn set_domain(&self, id: &UserPoolId, domain: Option<&str>) -> Result<(), StoreError> {
        let k = key(&[id.as_str()]);
        self.write(|w| {
            let Some(pool) = w.get(Table::Pools, &k)? else {
                return Err(StoreError::NotFound(Missing::Pool));
            };
            let mut pool: UserPool = decode(&pool)?;
            if let Some(d) = domain {
                if w.get(Table::Domains, &key(&[d]))?.is_some() {
                    return Err(StoreError::Conflict(Conflict::Domain));
                }
            }
            if let Some(old) = &pool.domain {
                w.delete(Table::Domains, &key(&[old]))?;
            }
            if let Some(d) = domain {
                w.put(Table::Domains, &key(&[d]), id.as_str().as_bytes())?;
            }
            pool.domain = domain.map(str::to_owned);
            w.put(Table::Pools, &k, &encode(&pool)?)?;
            Ok(())
        })
    }

    /// The pool a domain prefix belongs to.
    pub fn pool_for_domain(&self, domain: &str) -> Result<Option<UserPoolId>, StoreError> {
        let k = key(&[domain]);
        self.read(|r| {
            r.get(Table::Domains, &k)?
                .map(|b| {
                    UserPoolId::new(String::from_utf8_lossy(&b).into_owned())
                        .map_err(|e| KvError::Corrupt(e.to_string()).into())
                })
                .transpose()
        })
    }

    // ---- users -------------------------------------------------------------------------

    /// Creates a user, enforcing unique username, `sub` and aliases.
    pub fn create_user(&self, pool: &UserPool, user: &User) -> Result<(), StoreError> {
        let new = NewUser::new(pool, user)?;
        self.write(|w| {
            require_pool(w, &pool.id)?;
            new.insert(w, pool)
        })
    }

    /// Creates many users in one write transaction (an import, a bulk load): all of them or,
    /// when any breaks a unique rule (with a stored user or with another of `users`), none.
    /// One transaction costs one commit, so this is much faster than one `create_user` each;
    /// keep batches to some thousands of users, as the whole batch is held in one transaction.
    pub fn create_users(&self, pool: &UserPool, users: &[User]) -> Result<(), StoreError> {
        let new = users
            .iter()
            .map(|u| NewUser::new(pool, u))
            .collect::<Result<Vec<_>, _>>()?;
        self.write(|w| {
            require_pool(w, &pool.id)?;
            new.iter().try_for_each(|n| n.insert(w, pool))
        })
    }

    /// A user by username (matched as the pool's case rule says).
    pub fn get_user(&self, pool: &UserPool, username: &str) -> Result<Option<User>, StoreError> {
        let k = key(&[pool.id.as_str(), &pool.lookup_key(username)]);
        self.read(|r| r.get(Table::Users, &k)?.map(|b| decode(&b)).transpose())
    }

    /// A user by a unique index (`sub`, or an alias/username attribute with its value).
    pub fn get_user_by_index(
        &self,
        pool: &UserPool,
        index: &str,
        value: &str,
    ) -> Result<Option<User>, StoreError> {
        let value = if index == "sub" {
            value.to_owned()
        } else {
            alias_key(pool, index, value)
        };
        let ik = key(&[pool.id.as_str(), index, &value]);
        self.read(|r| {
            let Some(uk) = r.get(Table::UserIndex, &ik)? else {
                return Ok(None);
            };
            let uk = String::from_utf8_lossy(&uk).into_owned();
            r.get(Table::Users, &key(&[pool.id.as_str(), &uk]))?
                .map(|b| decode(&b))
                .transpose()
        })
    }

    /// The user a sign-in name refers to: the username itself, or an alias / username
    /// attribute the pool allows.
    pub fn find_user_for_sign_in(
        &self,
        pool: &UserPool,
        login: &str,
    ) -> Result<Option<User>, StoreError> {
        if let Some(u) = self.get_user(pool, login)? {
            return Ok(Some(u));
        }
        let candidates: Vec<&str> = pool
            .username_attributes
            .iter()
            .map(|a| a.as_str())
            .chain(pool.alias_attributes.iter().map(|a| a.as_str()))
            .collect();
        for attr in candidates {
            if let Some(u) = self.get_user_by_index(pool, attr, login)? {
                return Ok(Some(u));
            }
        }
        Ok(None)
    }

    /// Writes a changed user. `user.version` must be the version that was read; the stored
    /// version is bumped and written back into `user`. Aliases are re-indexed.
    pub fn update_user(&self, pool: &UserPool, user: &mut User) -> Result<(), StoreError> {
        let uk = pool.lookup_key(user.username.as_str());
        let k = key(&[pool.id.as_str(), &uk]);
        let new_entries = user_index_entries(pool, user);
        let mut next = user.clone();
        next.version = user.version.wrapping_add(1);
        let bytes = encode(&next)?;
        self.write(|w| {
            let Some(old) = w.get(Table::Users, &k)? else {
                return Err(StoreError::NotFound(Missing::User));
            };
            let old: User = decode(&old)?;
            if old.version != user.version {
                return Err(StoreError::Conflict(Conflict::Version));
            }
            for (name, value) in user_index_entries(pool, &old) {
                if !new_entries.contains(&(name.clone(), value.clone())) {
                    w.delete(Table::UserIndex, &key(&[pool.id.as_str(), &name, &value]))?;
                }
            }
            for (name, value) in &new_entries {
                let ik = key(&[pool.id.as_str(), name, value]);
                match w.get(Table::UserIndex, &ik)? {
                    Some(owner) if owner != uk.as_bytes() => {
                        return Err(StoreError::Conflict(Conflict::Alias(name.clone())));
                    }
                    Some(_) => {}
                    None => w.put(Table::UserIndex, &ik, uk.as_bytes())?,
                }
            }
            w.put(Table::Users, &k, &bytes)?;
            Ok(())
        })?;
        user.version = next.version;
        Ok(())
    }

    /// Deletes a user with its index entries and group memberships.
    pub fn delete_user(&self, pool: &UserPool, username: &str) -> Result<bool, StoreError> {
        let uk = pool.lookup_key(username);
        let k = key(&[pool.id.as_str(), &uk]);
        self.write(|w| {
            let Some(old) = w.get(Table::Users, &k)? else {
                return Ok(false);
            };
            let old: User = decode(&old)?;
            for (name, value) in user_index_entries(pool, &old) {
                w.delete(Table::UserIndex, &key(&[pool.id.as_str(), &name, &value]))?;
            }
            for (gk, _) in scan_all(w, Table::UserGroups, &prefix(&[pool.id.as_str(), &uk]))? {
                let group = last_part(&gk);
                w.delete(Table::GroupMembers, &key(&[pool.id.as_str(), &group, &uk]))?;
                w.delete(Table::UserGroups, &gk)?;
            }
            w.delete(Table::Users, &k)?;
            Ok(true)
        })
    }

    /// Users in username-key order, after the key `after`.
    pub fn list_users(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<User>, StoreError> {
        let p = prefix(&[pool.as_str()]);
        let after = after.map(|a| key(&[pool.as_str(), a]));
        self.read(|r| {
            r.scan(Table::Users, &p, after.as_deref(), limit)?
                .iter()
                .map(|(_, v)| decode(v))
                .collect()
        })
    }

    // ---- groups ------------------------------------------------------------------------

    /// Creates a group.
    pub fn create_group(&self, group: &Group) -> Result<(), StoreError> {
        let k = key(&[group.pool.as_str(), group.name.as_str()]);
        let v = encode(group)?;
        self.write(|w| {
            require_pool(w, &group.pool)?;
            if w.get(Table::Groups, &k)?.is_some() {
                return Err(StoreError::Conflict(Conflict::Group));
            }
            Ok(w.put(Table::Groups, &k, &v)?)
        })
    }

    /// A group by name.
    pub fn get_group(&self, pool: &UserPoolId, name: &str) -> Result<Option<Group>, StoreError> {
        let k = key(&[pool.as_str(), name]);
        self.read(|r| r.get(Table::Groups, &k)?.map(|b| decode(&b)).transpose())
    }

    /// Replaces a group.
    pub fn update_group(&self, group: &Group) -> Result<(), StoreError> {
        let k = key(&[group.pool.as_str(), group.name.as_str()]);
        let v = encode(group)?;
        self.write(|w| {
            if w.get(Table::Groups, &k)?.is_none() {
                return Err(StoreError::NotFound(Missing::Group));
            }
            Ok(w.put(Table::Groups, &k, &v)?)
        })
    }

    /// Deletes a group and its memberships.
    pub fn delete_group(&self, pool: &UserPoolId, name: &str) -> Result<bool, StoreError> {
        let k = key(&[pool.as_str(), name]);
        self.write(|w| {
            if !w.delete(Table::Groups, &k)? {
                return Ok(false);
            }
            for (mk, _) in scan_all(w, Table::GroupMembers, &prefix(&[pool.as_str(), name]))? {
                let uk = last_part(&mk);
                w.delete(Table::UserGroups, &key(&[pool.as_str(), &uk, name]))?;
                w.delete(Table::GroupMembers, &mk)?;
            }
            Ok(true)
        })
    }

    /// Groups in name order.
    pub fn list_groups(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Group>, StoreError> {
        let p = prefix(&[pool.as_str()]);
        let after = after.map(|a| key(&[pool.as_str(), a]));
        self.read(|r| {
            r.scan(Table::Groups, &p, after.as_deref(), limit)?
                .iter()
                .map(|(_, v)| decode(v))
                .collect()
        })
    }

    /// Adds a user to a group (idempotent).
    pub fn add_user_to_group(
        &self,
        pool: &UserPool,
        username: &str,
        group: &str,
    ) -> Result<(), StoreError> {
        let uk = pool.lookup_key(username);
        let id = pool.id.as_str();
        self.write(|w| {
            if w.get(Table::Users, &key(&[id, &uk]))?.is_none() {
                return Err(StoreError::NotFound(Missing::User));
            }
            if w.get(Table::Groups, &key(&[id, group]))?.is_none() {
                return Err(StoreError::NotFound(Missing::Group));
            }
            w.put(Table::GroupMembers, &key(&[id, group, &uk]), b"")?;
            w.put(Table::UserGroups, &key(&[id, &uk, group]), b"")?;
            Ok(())
        })
    }

    /// Removes a user from a group (idempotent).
    pub fn remove_user_from_group(
        &self,
        pool: &UserPool,
        username: &str,
        group: &str,
    ) -> Result<(), StoreError> {
        let uk = pool.lookup_key(username);
        let id = pool.id.as_str();
        self.write(|w| {
            if w.get(Table::Users, &key(&[id, &uk]))?.is_none() {
                return Err(StoreError::NotFound(Missing::User));
            }
            if w.get(Table::Groups, &key(&[id, group]))?.is_none() {
                return Err(StoreError::NotFound(Missing::Group));
            }
            w.delete(Table::GroupMembers, &key(&[id, group, &uk]))?;
            w.delete(Table::UserGroups, &key(&[id, &uk, group]))?;
            Ok(())
        })
    }

    /// The groups a user belongs to.
    pub fn groups_of_user(
        &self,
        pool: &UserPool,
        username: &str,
    ) -> Result<Vec<Group>, StoreError> {
        let uk = pool.lookup_key(username);
        let id = pool.id.as_str();
        self.read(|r| {
            let mut out = Vec::new();
            for (gk, _) in scan_all(r, Table::UserGroups, &prefix(&[id, &uk]))? {
                if let Some(g) = r.get(Table::Groups, &key(&[id, &last_part(&gk)]))? {
                    out.push(decode(&g)?);
                }
            }
            Ok(out)
        })
    }

    /// The users in a group, after the username key `after`.
    pub fn users_in_group(
        &self,
        pool: &UserPoolId,
        group: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<User>, StoreError> {
        let id = pool.as_str();
        let after = after.map(|a| key(&[id, group, a]));
        self.read(|r| {
            if r.get(Table::Groups, &key(&[id, group]))?.is_none() {
                return Err(StoreError::NotFound(Missing::Group));
            }
            let mut out = Vec::new();
            for (mk, _) in r.scan(
                Table::GroupMembers,
                &prefix(&[id, group]),
                after.as_deref(),
                limit,
            )? {
                if let Some(u) = r.get(Table::Users, &key(&[id, &last_part(&mk)]))? {
                    out.push(decode(&u)?);
                }
            }
            Ok(out)
        })
    }

    // ---- app clients -------------------------------------------------------------------

    /// Creates an app client.
    pub fn create_client(&self, client: &AppClient) -> Result<(), StoreError> {
        let k = key(&[client.client_id.as_str()]);
        let pk = key(&[client.pool.as_str(), client.client_id.as_str()]);
        let pool_k = key(&[client.pool.as_str()]);
        let v = encode(client)?;
        self.write(|w| {
            if w.get(Table::Pools, &pool_k)?.is_none() {
                return Err(StoreError::NotFound(Missing::Pool));
            }
            if w.get(Table::Clients, &k)?.is_some() {
                return Err(StoreError::Conflict(Conflict::Client));
            }
            w.put(Table::Clients, &k, &v)?;
            w.put(Table::PoolClients, &pk, b"")?;
            Ok(())
        })
    }

    /// An app client by ID (any pool).
    pub fn get_client(&self, id: &ClientId) -> Result<Option<AppClient>, StoreError> {
        let k = key(&[id.as_str()]);
        self.read(|r| r.get(Table::Clients, &k)?.map(|b| decode(&b)).transpose())
    }

    /// Replaces an app client.
    pub fn update_client(&self, client: &AppClient) -> Result<(), StoreError> {
        let k = key(&[client.client_id.as_str()]);
        let v = encode(client)?;
        self.write(|w| {
            match w.get(Table::Clients, &k)? {
                Some(old) if decode::<AppClient>(&old)?.pool == client.pool => {}
                _ => return Err(StoreError::NotFound(Missing::Client)),
            }
            Ok(w.put(Table::Clients, &k, &v)?)
        })
    }

    /// Deletes an app client of a pool.
    pub fn delete_client(&self, pool: &UserPoolId, id: &ClientId) -> Result<bool, StoreError> {
        let k = key(&[id.as_str()]);
        let pk = key(&[pool.as_str(), id.as_str()]);
        self.write(|w| {
            match w.get(Table::Clients, &k)? {
                Some(old) if decode::<AppClient>(&old)?.pool == *pool => {}
                _ => return Ok(false),
            }
            w.delete(Table::Clients, &k)?;
            w.delete(Table::PoolClients, &pk)?;
            Ok(true)
        })
    }

    /// A pool's app clients in ID order.
    pub fn list_clients(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AppClient>, StoreError> {
        let p = prefix(&[pool.as_str()]);
        let after = after.map(|a| key(&[pool.as_str(), a]));
        self.read(|r| {
            let mut out = Vec::new();
            for (ck, _) in r.scan(Table::PoolClients, &p, after.as_deref(), limit)? {
                if let Some(c) = r.get(Table::Clients, &key(&[&last_part(&ck)]))? {
                    out.push(decode(&c)?);
                }
            }
            Ok(out)
        })
    }

    // ---- resource servers --------------------------------------------------------------

    /// Creates a resource server.
    pub fn create_resource_server(&self, rs: &ResourceServer) -> Result<(), StoreError> {
        let k = key(&[rs.pool.as_str(), &rs.identifier]);
        let v = encode(rs)?;
        self.write(|w| {
            require_pool(w, &rs.pool)?;
            if w.get(Table::ResourceServers, &k)?.is_some() {
                return Err(StoreError::Conflict(Conflict::ResourceServer));
            }
            Ok(w.put(Table::ResourceServers, &k, &v)?)
        })
    }

    /// A resource server by identifier.
    pub fn get_resource_server(
        &self,
        pool: &UserPoolId,
        identifier: &str,
    ) -> Result<Option<ResourceServer>, StoreError> {
        let k = key(&[pool.as_str(), identifier]);
        self.read(|r| {
            r.get(Table::ResourceServers, &k)?
                .map(|b| decode(&b))
                .transpose()
        })
    }

    /// Replaces a resource server.
    pub fn update_resource_server(&self, rs: &ResourceServer) -> Result<(), StoreError> {
        self.replace_existing(
            Table::ResourceServers,
            key(&[rs.pool.as_str(), &rs.identifier]),
            encode(rs)?,
            Missing::ResourceServer,
        )
    }

    /// Deletes a resource server.
    pub fn delete_resource_server(
        &self,
        pool: &UserPoolId,
        identifier: &str,
    ) -> Result<bool, StoreError> {
        let k = key(&[pool.as_str(), identifier]);
        self.write(|w| Ok(w.delete(Table::ResourceServers, &k)?))
    }

    /// A pool's resource servers.
    pub fn list_resource_servers(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ResourceServer>, StoreError> {
        self.list_in(Table::ResourceServers, pool, after, limit)
    }

    // ---- identity providers ------------------------------------------------------------

    /// Creates an identity provider, keeping IdP identifiers unique in the pool.
    pub fn create_identity_provider(&self, idp: &IdentityProvider) -> Result<(), StoreError> {
        self.put_identity_provider(idp, true)
    }

    /// Replaces an identity provider.
    pub fn update_identity_provider(&self, idp: &IdentityProvider) -> Result<(), StoreError> {
        self.put_identity_provider(idp, false)
    }

    fn put_identity_provider(
        &self,
        idp: &IdentityProvider,
        create: bool,
    ) -> Result<(), StoreError> {
        let id = idp.pool.as_str();
        let k = key(&[id, idp.name.as_str()]);
        let v = encode(idp)?;
        self.write(|w| {
            require_pool(w, &idp.pool)?;
            let old = w.get(Table::IdentityProviders, &k)?;
            match (&old, create) {
                (Some(_), true) => return Err(StoreError::Conflict(Conflict::IdentityProvider)),
                (None, false) => return Err(StoreError::NotFound(Missing::IdentityProvider)),
                _ => {}
            }
            if let Some(old) = old {
                let old: IdentityProvider = decode(&old)?;
                for ident in &old.idp_identifiers {
                    w.delete(Table::IdpIdentifiers, &key(&[id, ident]))?;
                }
            }
            for ident in &idp.idp_identifiers {
                let ik = key(&[id, ident]);
                if w.get(Table::IdpIdentifiers, &ik)?.is_some() {
                    return Err(StoreError::Conflict(Conflict::IdpIdentifier(ident.clone())));
                }
                w.put(Table::IdpIdentifiers, &ik, idp.name.as_str().as_bytes())?;
            }
            Ok(w.put(Table::IdentityProviders, &k, &v)?)
        })
    }

    /// An identity provider by name.
    pub fn get_identity_provider(
        &self,
        pool: &UserPoolId,
        name: &str,
    ) -> Result<Option<IdentityProvider>, StoreError> {
        let k = key(&[pool.as_str(), name]);
        self.read(|r| {
            r.get(Table::IdentityProviders, &k)?
                .map(|b| decode(&b))
                .transpose()
        })
    }

    /// The identity provider an `idp_identifier` routes to.
    pub fn identity_provider_by_identifier(
        &self,
        pool: &UserPoolId,
        identifier: &str,
    ) -> Result<Option<IdentityProvider>, StoreError> {
        let id = pool.as_str();
        let ik = key(&[id, identifier]);
        self.read(|r| {
            let Some(name) = r.get(Table::IdpIdentifiers, &ik)? else {
                return Ok(None);
            };
            let name = String::from_utf8_lossy(&name).into_owned();
            r.get(Table::IdentityProviders, &key(&[id, &name]))?
                .map(|b| decode(&b))
                .transpose()
        })
    }

    /// Deletes an identity provider.
    pub fn delete_identity_provider(
        &self,
        pool: &UserPoolId,
        name: &str,
    ) -> Result<bool, StoreError> {
        let id = pool.as_str();
        let k = key(&[id, name]);
        self.write(|w| {
            let Some(old) = w.get(Table::IdentityProviders, &k)? else {
                return Ok(false);
            };
            let old: IdentityProvider = decode(&old)?;
            for ident in &old.idp_identifiers {
                w.delete(Table::IdpIdentifiers, &key(&[id, ident]))?;
            }
            Ok(w.delete(Table::IdentityProviders, &k)?)
        })
    }

    /// A pool's identity providers.
    pub fn list_identity_providers(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<IdentityProvider>, StoreError> {
        self.list_in(Table::IdentityProviders, pool, after, limit)
    }

    // ---- short-lived records -----------------------------------------------------------

    /// Stores a short-lived record until `expires`.
    pub fn put_ephemeral(
        &self,
        kind: EphemeralKind,
        k: &str,
        value: &[u8],
        expires: UnixTime,
    ) -> Result<(), StoreError> {
        let ek = key(&[kind.tag(), k]);
        let mut v = expires.as_secs().to_be_bytes().to_vec();
        v.extend_from_slice(value);
        let xk = expiry_key(expires, &ek);
        self.write(|w| {
            if let Some(old) = w.get(Table::Ephemeral, &ek)? {
                if let Some(old_exp) = stored_expiry(&old) {
                    w.delete(Table::Expiry, &expiry_key(old_exp, &ek))?;
                }
            }
            w.put(Table::Ephemeral, &ek, &v)?;
            w.put(Table::Expiry, &xk, b"")?;
            Ok(())
        })
    }

    /// A short-lived record, if present and not expired at `now`.
    pub fn get_ephemeral(
        &self,
        kind: EphemeralKind,
        k: &str,
        now: UnixTime,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let ek = key(&[kind.tag(), k]);
        self.read(|r| Ok(r.get(Table::Ephemeral, &ek)?.and_then(|v| live(v, now))))
    }

    /// Stores a short-lived record unless a live one (not expired at `now`) has the key, in
    /// one write transaction. Returns whether it stored it: of concurrent callers with the
    /// same key, exactly one gets `true` (a replay cache).
    pub fn insert_ephemeral_once(
        &self,
        kind: EphemeralKind,
        k: &str,
        value: &[u8],
        expires: UnixTime,
        now: UnixTime,
    ) -> Result<bool, StoreError> {
        let ek = key(&[kind.tag(), k]);
        let mut v = expires.as_secs().to_be_bytes().to_vec();
        v.extend_from_slice(value);
        let xk = expiry_key(expires, &ek);
        self.write(|w| {
            if let Some(old) = w.get(Table::Ephemeral, &ek)? {
                let old_exp = stored_expiry(&old);
                if live(old, now).is_some() {
                    return Ok(false);
                }
                if let Some(old_exp) = old_exp {
                    w.delete(Table::Expiry, &expiry_key(old_exp, &ek))?;
                }
            }
            w.put(Table::Ephemeral, &ek, &v)?;
            w.put(Table::Expiry, &xk, b"")?;
            Ok(true)
        })
    }

    /// Removes and returns a short-lived record (single use): of two concurrent callers only
    /// one gets it.
    pub fn take_ephemeral(
        &self,
        kind: EphemeralKind,
        k: &str,
        now: UnixTime,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let ek = key(&[kind.tag(), k]);
        self.write(|w| {
            let Some(v) = w.get(Table::Ephemeral, &ek)? else {
                return Ok(None);
            };
            w.delete(Table::Ephemeral, &ek)?;
            if let Some(exp) = stored_expiry(&v) {
                w.delete(Table::Expiry, &expiry_key(exp, &ek))?;
            }
            Ok(live(v, now))
        })
    }

    /// Replaces a short-lived record's value with `new` if it is present, not expired at `now`
    /// and equal to `expected`, in one write transaction (the expiry is kept). Returns whether
    /// it did: of concurrent callers swapping from the same value, exactly one succeeds.
    pub fn swap_ephemeral(
        &self,
        kind: EphemeralKind,
        k: &str,
        expected: &[u8],
        new: &[u8],
        now: UnixTime,
    ) -> Result<bool, StoreError> {
        let ek = key(&[kind.tag(), k]);
        self.write(|w| {
            let Some(v) = w.get(Table::Ephemeral, &ek)? else {
                return Ok(false);
            };
            let Some(exp) = stored_expiry(&v) else {
                return Ok(false);
            };
            if live(v, now).as_deref() != Some(expected) {
                return Ok(false);
            }
            let mut stored = exp.as_secs().to_be_bytes().to_vec();
            stored.extend_from_slice(new);
            w.put(Table::Ephemeral, &ek, &stored)?;
            Ok(true)
        })
    }

    /// The live (not expired at `now`) records of `kind` whose key starts with `prefix`:
    /// `(key, value, expiry)`, at most `limit`.
    pub fn list_ephemeral(
        &self,
        kind: EphemeralKind,
        prefix: &str,
        now: UnixTime,
        limit: usize,
    ) -> Result<Vec<(String, Vec<u8>, UnixTime)>, StoreError> {
        let mut p = key(&[kind.tag()]);
        p.push(SEP);
        let skip = p.len();
        p.extend_from_slice(prefix.as_bytes());
        self.read(|r| {
            let mut out = Vec::new();
            for (k, v) in r.scan(Table::Ephemeral, &p, None, limit)? {
                let Some(exp) = stored_expiry(&v) else {
                    continue;
                };
                let Some(value) = live(v, now) else {
                    continue;
                };
                let name = String::from_utf8_lossy(k.get(skip..).unwrap_or_default()).into_owned();
                out.push((name, value, exp));
            }
            Ok(out)
        })
    }

    /// Deletes a short-lived record.
    pub fn delete_ephemeral(&self, kind: EphemeralKind, k: &str) -> Result<(), StoreError> {
        let ek = key(&[kind.tag(), k]);
        self.write(|w| {
            if let Some(v) = w.get(Table::Ephemeral, &ek)? {
                w.delete(Table::Ephemeral, &ek)?;
                if let Some(exp) = stored_expiry(&v) {
                    w.delete(Table::Expiry, &expiry_key(exp, &ek))?;
                }
            }
            Ok(())
        })
    }

    /// Deletes up to `limit` records that expired before `now`; returns how many.
    pub fn purge_expired(&self, now: UnixTime, limit: usize) -> Result<usize, StoreError> {
        self.write(|w| {
            let mut n = 0;
            for (xk, _) in w.scan(Table::Expiry, b"", None, limit)? {
                let Some((exp, ek)) = xk.split_first_chunk::<8>() else {
                    w.delete(Table::Expiry, &xk)?;
                    continue;
                };
                if u64::from_be_bytes(*exp) > now.as_secs() {
                    break;
                }
                w.delete(Table::Ephemeral, ek)?;
                w.delete(Table::Expiry, &xk)?;
                n += 1;
            }
            Ok(n)
        })
    }

    // ---- helpers -----------------------------------------------------------------------

    fn replace_existing(
        &self,
        table: Table,
        k: Vec<u8>,
        v: Vec<u8>,
        missing: Missing,
    ) -> Result<(), StoreError> {
        self.write(|w| {
            if w.get(table, &k)?.is_none() {
                return Err(StoreError::NotFound(missing));
            }
            Ok(w.put(table, &k, &v)?)
        })
    }

    fn list_in<T: DeserializeOwned>(
        &self,
        table: Table,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<T>, StoreError> {
        let p = prefix(&[pool.as_str()]);
        let after = after.map(|a| key(&[pool.as_str(), a]));
        self.read(|r| {
            r.scan(table, &p, after.as_deref(), limit)?
                .iter()
                .map(|(_, v)| decode(v))
                .collect()
        })
    }
}

/// A user record ready to insert: its keys, index entries and encoded value (version 1).
struct NewUser {
    uk: String,
    k: Vec<u8>,
    entries: Vec<(String, String)>,
    value: Vec<u8>,
}

impl NewUser {
    fn new(pool: &UserPool, user: &User) -> Result<Self, StoreError> {
        let uk = pool.lookup_key(user.username.as_str());
        let mut stored = user.clone();
        stored.version = 1;
        Ok(Self {
            k: key(&[pool.id.as_str(), &uk]),
            entries: user_index_entries(pool, user),
            value: encode(&stored)?,
            uk,
        })
    }

    /// Inserts the user, enforcing unique username, `sub` and aliases.
    fn insert(&self, w: &mut dyn KvWrite, pool: &UserPool) -> Result<(), StoreError> {
        if w.get(Table::Users, &self.k)?.is_some() {
            return Err(StoreError::Conflict(Conflict::Username));
        }
        for (name, value) in &self.entries {
            let ik = key(&[pool.id.as_str(), name, value]);
            if w.get(Table::UserIndex, &ik)?.is_some() {
                return Err(StoreError::Conflict(if name == "sub" {
                    Conflict::Sub
                } else {
                    Conflict::Alias(name.clone())
                }));
            }
            w.put(Table::UserIndex, &ik, self.uk.as_bytes())?;
        }
        w.put(Table::Users, &self.k, &self.value)?;
        Ok(())
    }
}

/// Refuses a write under a pool that does not exist (or was deleted by a racing
/// transaction), so no record is left orphaned.
fn require_pool(r: &(impl KvRead + ?Sized), pool: &UserPoolId) -> Result<(), StoreError> {
    if r.get(Table::Pools, &key(&[pool.as_str()]))?.is_none() {
        return Err(StoreError::NotFound(Missing::Pool));
    }
    Ok(())
}

fn finish<T>(r: Result<(), KvError>, out: Option<Result<T, StoreError>>) -> Result<T, StoreError> {
    match (r, out) {
        (_, Some(Err(e))) => Err(e),
        (Ok(()), Some(Ok(v))) => Ok(v),
        (Err(e), _) => Err(StoreError::Kv(e)),
        (Ok(()), None) => Err(StoreError::Kv(KvError::Backend(
            "transaction body did not run".to_owned(),
        ))),
    }
}

fn scan_all(r: &(impl KvRead + ?Sized), table: Table, p: &[u8]) -> Result<Entries, KvError> {
    r.scan(table, p, None, usize::MAX)
}

fn expiry_key(exp: UnixTime, ek: &[u8]) -> Vec<u8> {
    let mut k = exp.as_secs().to_be_bytes().to_vec();
    k.extend_from_slice(ek);
    k
}

fn stored_expiry(v: &[u8]) -> Option<UnixTime> {
    v.first_chunk::<8>()
        .map(|b| UnixTime::from_secs(u64::from_be_bytes(*b)))
}

fn live(v: Vec<u8>, now: UnixTime) -> Option<Vec<u8>> {
    let exp = stored_expiry(&v)?;
    if exp <= now {
        return None;
    }
    v.get(8..).map(<[u8]>::to_vec)
}
