//! Several user writes in one transaction: moving a verified alias from one user to another
//! (`ForceAliasCreation`) changes two users, and either both changes happen or neither does.

use super::{
    decode, encode, key, user_index_entries, Conflict, KvWrite, Missing, Store, StoreError, Table,
};
use crate::model::{User, UserPool};

impl Store {
    /// Writes the changed users in `updated`, in order, and then creates `created` (if any), all
    /// in one transaction.
    ///
    /// Each updated user's `version` must be the version that was read (otherwise
    /// [`Conflict::Version`] and nothing is written); on success the stored versions are bumped
    /// and written back into `updated`. Unique indexes are maintained in order, so an earlier
    /// user in `updated` can give up an alias that a later one (or `created`) takes.
    pub fn write_users(
        &self,
        pool: &UserPool,
        updated: &mut [User],
        created: Option<&User>,
    ) -> Result<(), StoreError> {
        let mut next = Vec::with_capacity(updated.len());
        for user in updated.iter() {
            let mut n = user.clone();
            n.version = user.version.wrapping_add(1);
            next.push((user.version, encode(&n)?, n));
        }
        let created = match created {
            Some(u) => {
                let mut stored = u.clone();
                stored.version = 1;
                Some((encode(&stored)?, stored))
            }
            None => None,
        };
        self.write(|w| {
            for (read_version, bytes, user) in &next {
                put_updated(w, pool, user, *read_version, bytes)?;
            }
            if let Some((bytes, user)) = &created {
                put_created(w, pool, user, bytes)?;
            }
            Ok(())
        })?;
        for (user, (_, _, n)) in updated.iter_mut().zip(next) {
            user.version = n.version;
        }
        Ok(())
    }
}

fn put_updated(
    w: &mut dyn KvWrite,
    pool: &UserPool,
    user: &User,
    read_version: u64,
    bytes: &[u8],
) -> Result<(), StoreError> {
    let id = pool.id.as_str();
    let uk = pool.lookup_key(user.username.as_str());
    let k = key(&[id, &uk]);
    let Some(old) = w.get(Table::Users, &k)? else {
        return Err(StoreError::NotFound(Missing::User));
    };
    let old: User = decode(&old)?;
    if old.version != read_version {
        return Err(StoreError::Conflict(Conflict::Version));
    }
    let new_entries = user_index_entries(pool, user);
    for (name, value) in user_index_entries(pool, &old) {
        if !new_entries.contains(&(name.clone(), value.clone())) {
            w.delete(Table::UserIndex, &key(&[id, &name, &value]))?;
        }
    }
    for (name, value) in &new_entries {
        let ik = key(&[id, name, value]);
        match w.get(Table::UserIndex, &ik)? {
            Some(owner) if owner != uk.as_bytes() => {
                return Err(StoreError::Conflict(Conflict::Alias(name.clone())));
            }
            Some(_) => {}
            None => w.put(Table::UserIndex, &ik, uk.as_bytes())?,
        }
    }
    w.put(Table::Users, &k, bytes)?;
    Ok(())
}

fn put_created(
    w: &mut dyn KvWrite,
    pool: &UserPool,
    user: &User,
    bytes: &[u8],
) -> Result<(), StoreError> {
    let id = pool.id.as_str();
    let uk = pool.lookup_key(user.username.as_str());
    let k = key(&[id, &uk]);
    if w.get(Table::Users, &k)?.is_some() {
        return Err(StoreError::Conflict(Conflict::Username));
    }
    for (name, value) in user_index_entries(pool, user) {
        let ik = key(&[id, &name, &value]);
        if w.get(Table::UserIndex, &ik)?.is_some() {
            return Err(StoreError::Conflict(if name == "sub" {
                Conflict::Sub
            } else {
                Conflict::Alias(name)
            }));
        }
        w.put(Table::UserIndex, &ik, uk.as_bytes())?;
    }
    w.put(Table::Users, &k, bytes)?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::collections::BTreeMap;

    use cognate_types::{Sub, UnixTime, UserPoolId, Username};

    use super::*;
    use crate::model::{AliasAttribute, UserStatus};

    fn pool() -> UserPool {
        let mut p = UserPool::new(
            UserPoolId::new("us-east-1_Batch1").unwrap(),
            "p",
            UnixTime::EPOCH,
        );
        p.alias_attributes = vec![AliasAttribute::Email];
        p
    }

    fn user(name: &str, sub: &str, email: &str, verified: bool) -> User {
        let mut attributes = BTreeMap::new();
        attributes.insert("email".to_owned(), email.to_owned());
        attributes.insert("email_verified".to_owned(), verified.to_string());
        User {
            username: Username::new(name).unwrap(),
            sub: Sub::new(sub).unwrap(),
            attributes,
            status: UserStatus::Confirmed,
            enabled: true,
            created: UnixTime::EPOCH,
            modified: UnixTime::EPOCH,
            password: None,
            mfa: Default::default(),
            lockout: Default::default(),
            tokens_valid_after: None,
            token_families: Vec::new(),
            pending_attributes: BTreeMap::new(),
            version: 0,
        }
    }

    #[test]
    fn alias_moves_from_one_user_to_a_new_one_atomically() {
        let store = Store::memory();
        let p = pool();
        store.create_pool(&p).unwrap();
        store
            .create_user(&p, &user("alice", "s-1", "a@example.com", true))
            .unwrap();
        let newcomer = user("bob", "s-2", "a@example.com", true);

        // Without giving up the alias first, the creation conflicts and nothing is written.
        let mut alice = store.get_user(&p, "alice").unwrap().unwrap();
        let err = store.write_users(&p, &mut [], Some(&newcomer)).unwrap_err();
        assert!(matches!(err, StoreError::Conflict(Conflict::Alias(ref a)) if a == "email"));
        assert!(store.get_user(&p, "bob").unwrap().is_none());

        // A stale version of alice: nothing is written either, bob included.
        let mut stale = alice.clone();
        stale.version = 99;
        stale
            .attributes
            .insert("email_verified".into(), "false".into());
        let err = store
            .write_users(&p, std::slice::from_mut(&mut stale), Some(&newcomer))
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(Conflict::Version)));
        assert!(store.get_user(&p, "bob").unwrap().is_none());

        alice
            .attributes
            .insert("email_verified".into(), "false".into());
        let before = alice.version;
        store
            .write_users(&p, std::slice::from_mut(&mut alice), Some(&newcomer))
            .unwrap();
        assert_eq!(alice.version, before + 1);
        let found = store
            .get_user_by_index(&p, "email", "A@example.com")
            .unwrap()
            .unwrap();
        assert_eq!(found.username.as_str(), "bob");
        assert!(!store
            .get_user(&p, "alice")
            .unwrap()
            .unwrap()
            .is_verified("email"));
    }
}
