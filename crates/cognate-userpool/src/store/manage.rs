//! Store operations the management API needs beyond plain create/get/update/delete: a pool's
//! read-modify-write in one transaction, claiming and releasing a domain prefix, and counting a
//! pool's users.

use cognate_types::UserPoolId;

use super::{decode, encode, key, prefix, Conflict, Missing, Store, StoreError, Table};
use crate::model::UserPool;

/// How many user keys one counting read scans.
const COUNT_CHUNK: usize = 1024;

impl Store {
    /// Reads a pool, applies `f` and writes the result, all in one write transaction, so that
    /// concurrent changes to the same pool are never lost. When `f` fails nothing is written
    /// and its error is returned inside `Ok`. The pool's ID and domain are kept as stored: the
    /// domain changes only through [`Store::set_domain`], which keeps domains unique.
    pub fn modify_pool<E>(
        &self,
        id: &UserPoolId,
        mut f: impl FnMut(&mut UserPool) -> Result<(), E>,
    ) -> Result<Result<UserPool, E>, StoreError> {
        let k = key(&[id.as_str()]);
        self.write(|w| {
            let Some(bytes) = w.get(Table::Pools, &k)? else {
                return Err(StoreError::NotFound(Missing::Pool));
            };
            let mut pool: UserPool = decode(&bytes)?;
            let domain = pool.domain.clone();
            match f(&mut pool) {
                Ok(()) => {
                    pool.id = id.clone();
                    pool.domain = domain;
                    w.put(Table::Pools, &k, &encode(&pool)?)?;
                    Ok(Ok(pool))
                }
                Err(e) => Ok(Err(e)),
            }
        })
    }

    /// Gives a pool the domain prefix `domain` (with its managed-login version), in one
    /// transaction. `Ok(false)` when the pool already has a domain; [`Conflict::Domain`] when
    /// another pool holds this one.
    pub fn claim_domain(
        &self,
        id: &UserPoolId,
        domain: &str,
        managed_login_version: Option<u32>,
    ) -> Result<bool, StoreError> {
        let k = key(&[id.as_str()]);
        let dk = key(&[domain]);
        self.write(|w| {
            let Some(bytes) = w.get(Table::Pools, &k)? else {
                return Err(StoreError::NotFound(Missing::Pool));
            };
            let mut pool: UserPool = decode(&bytes)?;
            if pool.domain.is_some() {
                return Ok(false);
            }
            if w.get(Table::Domains, &dk)?.is_some() {
                return Err(StoreError::Conflict(Conflict::Domain));
            }
            w.put(Table::Domains, &dk, id.as_str().as_bytes())?;
            pool.domain = Some(domain.to_owned());
            pool.settings.managed_login_version = managed_login_version;
            w.put(Table::Pools, &k, &encode(&pool)?)?;
            Ok(true)
        })
    }

    /// Takes the domain prefix `domain` away from a pool, in one transaction. `Ok(false)` when
    /// the pool does not have this domain.
    pub fn release_domain(&self, id: &UserPoolId, domain: &str) -> Result<bool, StoreError> {
        let k = key(&[id.as_str()]);
        let dk = key(&[domain]);
        self.write(|w| {
            let Some(bytes) = w.get(Table::Pools, &k)? else {
                return Err(StoreError::NotFound(Missing::Pool));
            };
            let mut pool: UserPool = decode(&bytes)?;
            if pool.domain.as_deref() != Some(domain) {
                return Ok(false);
            }
            w.delete(Table::Domains, &dk)?;
            pool.domain = None;
            pool.settings.managed_login_version = None;
            w.put(Table::Pools, &k, &encode(&pool)?)?;
            Ok(true)
        })
    }

    /// How many users a pool has. Each read scans a bounded chunk of keys, so a large pool is
    /// counted in several reads (the count is an estimate under concurrent writes, as
    /// `EstimatedNumberOfUsers` is).
    pub fn count_users(&self, pool: &UserPoolId) -> Result<u64, StoreError> {
        let p = prefix(&[pool.as_str()]);
        let mut after: Option<Vec<u8>> = None;
        let mut total: u64 = 0;
        loop {
            let keys = self.read(|r| {
                Ok(r.scan(Table::Users, &p, after.as_deref(), COUNT_CHUNK)?
                    .into_iter()
                    .map(|(k, _)| k)
                    .collect::<Vec<_>>())
            })?;
            total = total.saturating_add(u64::try_from(keys.len()).unwrap_or(u64::MAX));
            if keys.len() < COUNT_CHUNK {
                return Ok(total);
            }
            after = keys.into_iter().last();
        }
    }
}
