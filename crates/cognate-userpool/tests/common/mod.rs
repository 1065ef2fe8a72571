//! Builders shared by the store tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use cognate_types::{UnixTime, UserPoolId};
use cognate_userpool::model::{AliasAttribute, User, UserPool};
use cognate_userpool::store::{user_index_entries, KvBackend, Store, Table};
use serde_json::json;

/// A time `secs` seconds after the epoch.
pub(crate) fn t(secs: u64) -> UnixTime {
    UnixTime::from_secs(secs)
}

/// A pool with Cognito's defaults (usernames case-sensitive, no aliases).
pub(crate) fn pool(id: &str) -> UserPool {
    UserPool::new(UserPoolId::new(id).unwrap(), format!("pool {id}"), t(1_000))
}

/// A pool whose users may also sign in with a verified e-mail address or a preferred username.
pub(crate) fn alias_pool(id: &str) -> UserPool {
    let mut p = pool(id);
    p.alias_attributes = vec![AliasAttribute::Email, AliasAttribute::PreferredUsername];
    p
}

/// A user with the given attributes (other than `sub`) and a stored password, built from the
/// record format so that fields added later with defaults do not break the tests.
pub(crate) fn user(name: &str, sub: &str, attributes: &[(&str, &str)]) -> User {
    let attributes: serde_json::Map<String, serde_json::Value> = attributes
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect();
    serde_json::from_value(json!({
        "username": name,
        "sub": sub,
        "attributes": attributes,
        "status": "CONFIRMED",
        "enabled": true,
        "created": 1_000,
        "modified": 1_000,
        "password": {
            "hash": "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$\
                     0rVbTn4D3yDoBh7uJg6Qe9O2Q1ayF3sJQ0qcVkq+Z6o",
            "srp_salt": "9a3e2c1b0f4d5e6a7b8c9d0e1f2a3b4c",
            "srp_verifier": "ab".repeat(384),
            "set_at": 1_000,
            "temporary_until": null
        }
    }))
    .unwrap()
}

/// A user with a verified e-mail address.
pub(crate) fn user_with_email(name: &str, sub: &str, email: &str) -> User {
    user(name, sub, &[("email", email), ("email_verified", "true")])
}

/// A key as the store builds it: the parts joined by a 0 byte.
pub(crate) fn k(parts: &[&str]) -> Vec<u8> {
    parts.join("\0").into_bytes()
}

/// A key prefix as the store builds it: the parts, each followed by a 0 byte.
pub(crate) fn kp(parts: &[&str]) -> Vec<u8> {
    let mut p = k(parts);
    p.push(0);
    p
}

/// The users table and the unique indexes of `pool` agree: every user's index entries point
/// to it, and every index entry belongs to a stored user that has it.
pub(crate) fn assert_indexes_agree(store: &Store, kv: &dyn KvBackend, pool: &UserPool) {
    let id = pool.id.as_str();
    let users = store.list_users(&pool.id, None, usize::MAX).unwrap();
    let mut expected = BTreeMap::new();
    for u in &users {
        let uk = pool.lookup_key(u.username.as_str());
        for (name, value) in user_index_entries(pool, u) {
            assert!(
                expected
                    .insert(k(&[id, &name, &value]), uk.clone())
                    .is_none(),
                "two users share the index entry {name}={value}"
            );
        }
    }
    let mut stored = BTreeMap::new();
    kv.read(&mut |r| {
        for (k, v) in r.scan(Table::UserIndex, &kp(&[id]), None, usize::MAX)? {
            stored.insert(k, String::from_utf8(v).unwrap());
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(stored, expected, "user index and users table disagree");
}
