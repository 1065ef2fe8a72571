//! Backend conformance: the typed [`Store`] and the raw key-value seam behave the same over
//! every backend (the in-memory one, SQLite on a file, SQLite in memory), including under
//! concurrent writers and readers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};

use cognate_types::{ClientId, GroupName, ProviderName, UserPoolId};
use cognate_userpool::model::{
    AppClient, Group, IdentityProvider, IdpType, ResourceServer, ResourceServerScope,
    UsernameAttribute,
};
use cognate_userpool::store::{
    Conflict, EphemeralKind, KvBackend, KvError, MemoryBackend, Missing, Store, StoreError, Table,
};
use common::{alias_pool, kp, pool, t, user, user_with_email};

/// A store and its backend; the temporary directory of a file backend lives as long as it.
struct Fixture {
    store: Store,
    kv: Arc<dyn KvBackend>,
    _dir: Option<tempfile::TempDir>,
}

fn fixture(kv: Arc<dyn KvBackend>, dir: Option<tempfile::TempDir>) -> Fixture {
    Fixture {
        store: Store::new(kv.clone()),
        kv,
        _dir: dir,
    }
}

fn memory_backend() -> Fixture {
    fixture(Arc::new(MemoryBackend::new()), None)
}

#[cfg(feature = "sqlite")]
fn sqlite_file_backend() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let kv = cognate_userpool::store::SqliteBackend::open(dir.path().join("store.db")).unwrap();
    fixture(Arc::new(kv), Some(dir))
}

#[cfg(feature = "sqlite")]
fn sqlite_memory_backend() -> Fixture {
    let kv = cognate_userpool::store::SqliteBackend::open_in_memory().unwrap();
    fixture(Arc::new(kv), None)
}

/// One `#[test]` per conformance check, each on a fresh fixture from `$make`.
macro_rules! conformance {
    ($make:path) => {
        conformance!(@each $make;
            kv_get_put_delete,
            kv_scan_bounds_order_and_tables,
            kv_failed_write_keeps_nothing,
            pools,
            pool_keys_and_domains,
            users,
            case_insensitive_usernames,
            aliases_and_sign_in,
            username_attributes,
            update_user_versions_and_reindexing,
            groups_and_memberships,
            clients,
            resource_servers,
            identity_providers,
            delete_pool_cascades,
            ephemeral_records,
            failing_transactions_leave_nothing,
            racing_writers_one_alias_wins,
            readers_see_only_committed_states,
            readers_during_user_writes,
            modify_pool_and_domain_claims,
            count_users_across_chunks,
            write_users_moves_an_alias,
            list_ephemeral_by_prefix,
            nothing_is_created_under_a_missing_pool,
        );
    };
    (@each $make:path; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                super::$name(&$make());
            }
        )*
    };
}

mod memory {
    conformance!(super::memory_backend);
}

#[cfg(feature = "sqlite")]
mod sqlite_file {
    conformance!(super::sqlite_file_backend);
}

#[cfg(feature = "sqlite")]
mod sqlite_in_memory {
    conformance!(super::sqlite_memory_backend);
}

// ---- helpers ---------------------------------------------------------------------------

fn raw_get(f: &Fixture, table: Table, key: &[u8]) -> Option<Vec<u8>> {
    let mut out = None;
    f.kv.read(&mut |r| {
        out = r.get(table, key)?;
        Ok(())
    })
    .unwrap();
    out
}

fn raw_scan(f: &Fixture, table: Table, prefix: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    raw_scan_from(f, table, prefix, None, usize::MAX)
}

fn raw_scan_from(
    f: &Fixture,
    table: Table,
    prefix: &[u8],
    after: Option<&[u8]>,
    limit: usize,
) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    f.kv.read(&mut |r| {
        out = r.scan(table, prefix, after, limit)?;
        Ok(())
    })
    .unwrap();
    out
}

fn keys(entries: &[(Vec<u8>, Vec<u8>)]) -> Vec<Vec<u8>> {
    entries.iter().map(|(k, _)| k.clone()).collect()
}

fn conflict(r: Result<(), StoreError>) -> Conflict {
    match r {
        Err(StoreError::Conflict(c)) => c,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn not_found<T: std::fmt::Debug>(r: Result<T, StoreError>) -> Missing {
    match r {
        Err(StoreError::NotFound(m)) => m,
        other => panic!("expected not found, got {other:?}"),
    }
}

fn usernames(users: &[cognate_userpool::model::User]) -> Vec<&str> {
    users.iter().map(|u| u.username.as_str()).collect()
}

fn assert_indexes_agree(f: &Fixture, pool: &cognate_userpool::model::UserPool) {
    common::assert_indexes_agree(&f.store, &*f.kv, pool);
}

fn group(p: &UserPoolId, name: &str) -> Group {
    Group {
        pool: p.clone(),
        name: GroupName::new(name).unwrap(),
        description: Some(format!("the {name} group")),
        precedence: Some(1),
        role_arn: None,
        created: t(1_000),
        modified: t(1_000),
    }
}

fn client(p: &UserPoolId, id: &str) -> AppClient {
    AppClient::new(
        p.clone(),
        ClientId::new(id).unwrap(),
        format!("app {id}"),
        t(1_000),
    )
}

fn resource_server(p: &UserPoolId, identifier: &str) -> ResourceServer {
    ResourceServer {
        pool: p.clone(),
        identifier: identifier.to_owned(),
        name: format!("api {identifier}"),
        scopes: vec![ResourceServerScope {
            name: "read".to_owned(),
            description: "read things".to_owned(),
        }],
    }
}

fn idp(p: &UserPoolId, name: &str, identifiers: &[&str]) -> IdentityProvider {
    IdentityProvider {
        pool: p.clone(),
        name: ProviderName::new(name).unwrap(),
        provider_type: IdpType::Oidc,
        details: BTreeMap::from([("client_id".to_owned(), format!("{name}-client"))]),
        attribute_mapping: BTreeMap::from([("email".to_owned(), "email".to_owned())]),
        idp_identifiers: identifiers.iter().map(|s| (*s).to_owned()).collect(),
        created: t(1_000),
        modified: t(1_000),
    }
}

// ---- the key-value seam ----------------------------------------------------------------

fn kv_get_put_delete(f: &Fixture) {
    assert_eq!(raw_get(f, Table::Pools, b"a"), None);
    f.kv.write(&mut |w| {
        w.put(Table::Pools, b"a", b"1")?;
        w.put(Table::Pools, b"", b"empty key")?;
        w.put(Table::Pools, b"e", b"")?;
        // A transaction sees its own writes.
        assert_eq!(w.get(Table::Pools, b"a")?.as_deref(), Some(&b"1"[..]));
        w.put(Table::Pools, b"a", b"2")?;
        assert_eq!(w.get(Table::Pools, b"a")?.as_deref(), Some(&b"2"[..]));
        Ok(())
    })
    .unwrap();
    assert_eq!(raw_get(f, Table::Pools, b"a").as_deref(), Some(&b"2"[..]));
    assert_eq!(
        raw_get(f, Table::Pools, b"").as_deref(),
        Some(&b"empty key"[..])
    );
    assert_eq!(raw_get(f, Table::Pools, b"e").as_deref(), Some(&b""[..]));
    assert_eq!(raw_get(f, Table::Users, b"a"), None, "tables are separate");
    let mut deleted = (false, false);
    f.kv.write(&mut |w| {
        deleted = (
            w.delete(Table::Pools, b"a")?,
            w.delete(Table::Pools, b"zz")?,
        );
        assert_eq!(w.get(Table::Pools, b"a")?, None);
        Ok(())
    })
    .unwrap();
    assert_eq!(deleted, (true, false));
    assert_eq!(raw_get(f, Table::Pools, b"a"), None);
}

fn kv_scan_bounds_order_and_tables(f: &Fixture) {
    let stored: Vec<&[u8]> = vec![
        b"",
        b"a",
        b"a\x00",
        b"a\x00b",
        b"a\x01",
        b"ab",
        b"a\xfe",
        b"a\xfe\xff",
        b"a\xff",
        b"a\xff\x00",
        b"a\xff\xff",
        b"a\xff\xff\x01",
        b"b",
        b"\xff",
        b"\xff\xff",
        b"\xff\xff\xff",
    ];
    f.kv.write(&mut |w| {
        for key in &stored {
            w.put(Table::Users, key, b"u")?;
            w.put(Table::Groups, key, b"g")?;
        }
        w.put(Table::Pools, b"a\xff", b"other table")?;
        w.put(Table::UserIndex, b"", b"other table")?;
        Ok(())
    })
    .unwrap();
    let scan = |prefix: &[u8], after: Option<&[u8]>, limit: usize| {
        keys(&raw_scan_from(f, Table::Users, prefix, after, limit))
    };
    let v = |ks: &[&[u8]]| ks.iter().map(|k| k.to_vec()).collect::<Vec<_>>();

    // Everything of the table, in byte order, nothing of the others.
    let all = raw_scan(f, Table::Users, b"");
    assert_eq!(keys(&all), v(&stored));
    assert!(all.iter().all(|(_, val)| val == b"u"));
    assert_eq!(keys(&raw_scan(f, Table::Groups, b"")), v(&stored));

    assert_eq!(scan(b"a", None, usize::MAX), v(&stored[1..12]), "prefix a");
    assert_eq!(scan(b"a\x00", None, usize::MAX), v(&[b"a\x00", b"a\x00b"]));
    // Prefixes that end in 0xFF bytes: the upper bound is not prefix + 1.
    assert_eq!(
        scan(b"a\xff", None, usize::MAX),
        v(&[b"a\xff", b"a\xff\x00", b"a\xff\xff", b"a\xff\xff\x01"])
    );
    assert_eq!(
        scan(b"a\xff\xff", None, usize::MAX),
        v(&[b"a\xff\xff", b"a\xff\xff\x01"])
    );
    assert_eq!(
        scan(b"a\xfe", None, usize::MAX),
        v(&[b"a\xfe", b"a\xfe\xff"])
    );
    assert_eq!(
        scan(b"\xff", None, usize::MAX),
        v(&[b"\xff", b"\xff\xff", b"\xff\xff\xff"])
    );
    assert_eq!(
        scan(b"\xff\xff", None, usize::MAX),
        v(&[b"\xff\xff", b"\xff\xff\xff"])
    );
    assert_eq!(scan(b"c", None, usize::MAX), Vec::<Vec<u8>>::new());
    assert_eq!(scan(b"a\x00b\x00", None, usize::MAX), Vec::<Vec<u8>>::new());

    // Limits and continuation.
    assert_eq!(scan(b"a", None, 3), v(&stored[1..4]));
    assert_eq!(scan(b"a", None, 0), Vec::<Vec<u8>>::new());
    assert_eq!(
        scan(b"a", Some(b"a\x00b"), 3),
        v(&[b"a\x01", b"ab", b"a\xfe"])
    );
    assert_eq!(
        scan(b"a\xff", Some(b"a\xff\x00"), usize::MAX),
        v(&[b"a\xff\xff", b"a\xff\xff\x01"])
    );
    assert_eq!(
        scan(b"", Some(b"\xff\xff"), usize::MAX),
        v(&[b"\xff\xff\xff"])
    );
    // A start before the prefix starts at the prefix; one past it finds nothing.
    assert_eq!(scan(b"ab", Some(b"a"), usize::MAX), v(&[b"ab"]));
    assert_eq!(scan(b"a", Some(b"b"), usize::MAX), Vec::<Vec<u8>>::new());
    // A start that is not a stored key.
    assert_eq!(scan(b"a", Some(b"a\x00c"), 1), v(&[b"a\x01"]));

    // Paging through a whole prefix one entry at a time gives every key once.
    let mut paged = Vec::new();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = scan(b"a", after.as_deref(), 1);
        let Some(last) = page.last().cloned() else {
            break;
        };
        paged.extend(page);
        after = Some(last);
    }
    assert_eq!(paged, v(&stored[1..12]));
}

fn kv_failed_write_keeps_nothing(f: &Fixture) {
    f.kv.write(&mut |w| w.put(Table::Clients, b"keep", b"1"))
        .unwrap();
    let r = f.kv.write(&mut |w| {
        w.put(Table::Clients, b"new", b"x")?;
        w.put(Table::Clients, b"keep", b"changed")?;
        assert!(w.delete(Table::Clients, b"keep")?);
        w.put(Table::Domains, b"also new", b"x")?;
        Err(KvError::Aborted)
    });
    assert!(matches!(r, Err(KvError::Aborted)));
    assert_eq!(
        raw_scan(f, Table::Clients, b""),
        vec![(b"keep".to_vec(), b"1".to_vec())]
    );
    assert_eq!(raw_scan(f, Table::Domains, b""), vec![]);
}

// ---- pools -----------------------------------------------------------------------------

fn pools(f: &Fixture) {
    let s = &f.store;
    let ids = ["us-east-1_b", "us-east-1_a", "eu-west-1_c", "us-east-1_aa"];
    for id in ids {
        s.create_pool(&pool(id)).unwrap();
    }
    assert_eq!(
        conflict(s.create_pool(&pool("us-east-1_a"))),
        Conflict::Pool
    );

    let a = UserPoolId::new("us-east-1_a").unwrap();
    assert_eq!(s.get_pool(&a).unwrap(), Some(pool("us-east-1_a")));
    assert_eq!(
        s.get_pool(&UserPoolId::new("us-east-1_zz").unwrap())
            .unwrap(),
        None
    );

    let mut changed = pool("us-east-1_a");
    changed.name = "renamed".to_owned();
    changed.deletion_protection = true;
    s.update_pool(&changed).unwrap();
    assert_eq!(s.get_pool(&a).unwrap(), Some(changed));
    assert_eq!(
        not_found(s.update_pool(&pool("us-east-1_missing"))),
        Missing::Pool
    );

    let listed: Vec<String> = s
        .list_pools(None, 10)
        .unwrap()
        .into_iter()
        .map(|p| p.id.as_str().to_owned())
        .collect();
    assert_eq!(
        listed,
        ["eu-west-1_c", "us-east-1_a", "us-east-1_aa", "us-east-1_b"]
    );
    let page1 = s.list_pools(None, 2).unwrap();
    assert_eq!(page1.len(), 2);
    let page2 = s
        .list_pools(Some(page1[1].id.as_str()), 2)
        .unwrap()
        .into_iter()
        .map(|p| p.id.as_str().to_owned())
        .collect::<Vec<_>>();
    assert_eq!(page2, ["us-east-1_aa", "us-east-1_b"]);
    assert!(s.list_pools(Some("us-east-1_b"), 2).unwrap().is_empty());

    assert!(s.delete_pool(&a).unwrap());
    assert!(!s.delete_pool(&a).unwrap());
    assert_eq!(s.get_pool(&a).unwrap(), None);
    assert_eq!(s.list_pools(None, 10).unwrap().len(), 3);
}

fn pool_keys_and_domains(f: &Fixture) {
    let s = &f.store;
    let a = pool("us-east-1_a");
    let b = pool("us-east-1_b");
    s.create_pool(&a).unwrap();
    s.create_pool(&b).unwrap();

    assert_eq!(s.get_pool_keys(&a.id).unwrap(), None);
    s.put_pool_keys(&a.id, r#"{"keys":[1]}"#).unwrap();
    s.put_pool_keys(&a.id, r#"{"keys":[1,2]}"#).unwrap();
    assert_eq!(
        s.get_pool_keys(&a.id).unwrap().as_deref(),
        Some(r#"{"keys":[1,2]}"#)
    );
    assert_eq!(s.get_pool_keys(&b.id).unwrap(), None);

    s.set_domain(&a.id, Some("auth-a")).unwrap();
    assert_eq!(s.pool_for_domain("auth-a").unwrap(), Some(a.id.clone()));
    assert_eq!(
        s.get_pool(&a.id).unwrap().unwrap().domain.as_deref(),
        Some("auth-a")
    );
    assert_eq!(
        conflict(s.set_domain(&b.id, Some("auth-a"))),
        Conflict::Domain
    );
    assert_eq!(s.get_pool(&b.id).unwrap().unwrap().domain, None);
    // Moving to a new domain frees the old one.
    s.set_domain(&a.id, Some("auth-a2")).unwrap();
    assert_eq!(s.pool_for_domain("auth-a").unwrap(), None);
    s.set_domain(&b.id, Some("auth-a")).unwrap();
    assert_eq!(s.pool_for_domain("auth-a").unwrap(), Some(b.id.clone()));
    s.set_domain(&a.id, None).unwrap();
    assert_eq!(s.pool_for_domain("auth-a2").unwrap(), None);
    assert_eq!(s.get_pool(&a.id).unwrap().unwrap().domain, None);
    assert_eq!(
        not_found(s.set_domain(&UserPoolId::new("us-east-1_x").unwrap(), Some("x"))),
        Missing::Pool
    );
    assert_eq!(s.pool_for_domain("x").unwrap(), None);
}

// ---- users -----------------------------------------------------------------------------

fn users(f: &Fixture) {
    let s = &f.store;
    let p = pool("us-east-1_u");
    let other = pool("us-east-1_uu");
    s.create_pool(&p).unwrap();
    s.create_pool(&other).unwrap();

    let alice = user("alice", "sub-alice", &[("name", "Alice")]);
    s.create_user(&p, &alice).unwrap();
    let stored = s.get_user(&p, "alice").unwrap().unwrap();
    assert_eq!(stored.version, 1, "a new user is version 1");
    assert_eq!(
        stored,
        cognate_userpool::model::User {
            version: 1,
            ..alice.clone()
        }
    );
    assert_eq!(
        s.get_user(&p, "Alice").unwrap(),
        None,
        "case-sensitive pool"
    );
    assert_eq!(
        s.get_user(&other, "alice").unwrap(),
        None,
        "pools are separate"
    );

    assert_eq!(
        conflict(s.create_user(&p, &user("alice", "sub-other", &[]))),
        Conflict::Username
    );
    assert_eq!(
        conflict(s.create_user(&p, &user("alice2", "sub-alice", &[]))),
        Conflict::Sub
    );
    // The same username and sub in another pool are fine.
    s.create_user(&other, &alice).unwrap();
    // A case variant is another user in a case-sensitive pool.
    s.create_user(&p, &user("Alice", "sub-Alice", &[])).unwrap();

    assert_eq!(
        s.get_user_by_index(&p, "sub", "sub-alice")
            .unwrap()
            .unwrap()
            .username
            .as_str(),
        "alice"
    );
    assert_eq!(s.get_user_by_index(&p, "sub", "sub-nobody").unwrap(), None);

    for name in ["carol", "bob", "dave", "erin"] {
        s.create_user(&p, &user(name, &format!("sub-{name}"), &[]))
            .unwrap();
    }
    let all = s.list_users(&p.id, None, 100).unwrap();
    assert_eq!(
        usernames(&all),
        ["Alice", "alice", "bob", "carol", "dave", "erin"]
    );
    let page = s.list_users(&p.id, Some("alice"), 2).unwrap();
    assert_eq!(usernames(&page), ["bob", "carol"]);
    let page = s.list_users(&p.id, Some("carol"), 10).unwrap();
    assert_eq!(usernames(&page), ["dave", "erin"]);
    assert_eq!(
        usernames(&s.list_users(&other.id, None, 10).unwrap()),
        ["alice"]
    );

    assert!(s.delete_user(&p, "alice").unwrap());
    assert!(!s.delete_user(&p, "alice").unwrap());
    assert_eq!(s.get_user(&p, "alice").unwrap(), None);
    assert_eq!(s.get_user_by_index(&p, "sub", "sub-alice").unwrap(), None);
    // Its sub is free again; the other pool's alice is untouched.
    s.create_user(&p, &user("alice-again", "sub-alice", &[]))
        .unwrap();
    assert!(s.get_user(&other, "alice").unwrap().is_some());
    assert_indexes_agree(f, &p);
    assert_indexes_agree(f, &other);
}

fn case_insensitive_usernames(f: &Fixture) {
    let s = &f.store;
    let mut p = alias_pool("us-east-1_ci");
    p.username_case_sensitive = false;
    s.create_pool(&p).unwrap();
    s.create_user(
        &p,
        &user("Alice", "sub-a", &[("preferred_username", "Ally")]),
    )
    .unwrap();
    let got = s.get_user(&p, "ALICE").unwrap().unwrap();
    assert_eq!(
        got.username.as_str(),
        "Alice",
        "the username keeps its case"
    );
    assert_eq!(
        conflict(s.create_user(&p, &user("alice", "sub-b", &[]))),
        Conflict::Username
    );
    assert_eq!(
        conflict(s.create_user(&p, &user("bob", "sub-b", &[("preferred_username", "ALLY")]))),
        Conflict::Alias("preferred_username".to_owned())
    );
    let found = s.find_user_for_sign_in(&p, "ally").unwrap().unwrap();
    assert_eq!(found.username.as_str(), "Alice");
    assert!(s.delete_user(&p, "aLiCe").unwrap());
    assert_eq!(s.find_user_for_sign_in(&p, "ally").unwrap(), None);
    assert_indexes_agree(f, &p);
}

fn aliases_and_sign_in(f: &Fixture) {
    let s = &f.store;
    let p = alias_pool("us-east-1_al");
    s.create_pool(&p).unwrap();
    s.create_user(&p, &user_with_email("alice", "sub-a", "Alice@Example.com"))
        .unwrap();
    // Verified e-mail addresses are unique, without regard to case.
    assert_eq!(
        conflict(s.create_user(&p, &user_with_email("bob", "sub-b", "alice@example.COM"))),
        Conflict::Alias("email".to_owned())
    );
    assert_eq!(
        s.get_user(&p, "bob").unwrap(),
        None,
        "nothing of bob was kept"
    );
    // Unverified addresses are not aliases: two users may share one, and it signs no one in.
    let unverified = |name: &str, sub: &str| user(name, sub, &[("email", "shared@example.com")]);
    s.create_user(&p, &unverified("carol", "sub-c")).unwrap();
    s.create_user(&p, &unverified("dave", "sub-d")).unwrap();
    assert_eq!(
        s.find_user_for_sign_in(&p, "shared@example.com").unwrap(),
        None
    );
    s.create_user(
        &p,
        &user("erin", "sub-e", &[("preferred_username", "e-dog")]),
    )
    .unwrap();

    let sign_in = |login: &str| {
        s.find_user_for_sign_in(&p, login)
            .unwrap()
            .map(|u| u.username.as_str().to_owned())
    };
    assert_eq!(sign_in("alice").as_deref(), Some("alice"));
    assert_eq!(sign_in("ALICE@example.com").as_deref(), Some("alice"));
    assert_eq!(sign_in("e-dog").as_deref(), Some("erin"));
    assert_eq!(sign_in("E-DOG"), None, "case-sensitive pool");
    assert_eq!(sign_in("nobody@example.com"), None);
    assert_eq!(
        s.get_user_by_index(&p, "email", "alice@example.com")
            .unwrap()
            .unwrap()
            .username
            .as_str(),
        "alice"
    );
    assert_eq!(
        conflict(s.create_user(
            &p,
            &user("frank", "sub-f", &[("preferred_username", "e-dog")])
        )),
        Conflict::Alias("preferred_username".to_owned())
    );
    // A username is looked up before aliases: a user called like another's alias wins.
    s.create_user(&p, &user("e-dog", "sub-g", &[])).unwrap();
    assert_eq!(sign_in("e-dog").as_deref(), Some("e-dog"));
    assert_indexes_agree(f, &p);
}

fn username_attributes(f: &Fixture) {
    let s = &f.store;
    let mut p = pool("us-east-1_ua");
    p.username_attributes = vec![UsernameAttribute::Email, UsernameAttribute::PhoneNumber];
    s.create_pool(&p).unwrap();
    // Username attributes are unique even before they are verified.
    s.create_user(
        &p,
        &user(
            "4f1c3c33-0000-4000-8000-000000000001",
            "4f1c3c33-0000-4000-8000-000000000001",
            &[("email", "a@example.com"), ("phone_number", "+15550100")],
        ),
    )
    .unwrap();
    assert_eq!(
        conflict(s.create_user(&p, &user("u2", "sub-2", &[("email", "A@EXAMPLE.com")]))),
        Conflict::Alias("email".to_owned())
    );
    assert_eq!(
        conflict(s.create_user(&p, &user("u3", "sub-3", &[("phone_number", "+15550100")]))),
        Conflict::Alias("phone_number".to_owned())
    );
    for login in ["a@example.com", "+15550100"] {
        assert_eq!(
            s.find_user_for_sign_in(&p, login)
                .unwrap()
                .unwrap()
                .sub
                .as_str(),
            "4f1c3c33-0000-4000-8000-000000000001",
            "{login}"
        );
    }
    assert_indexes_agree(f, &p);
}

fn update_user_versions_and_reindexing(f: &Fixture) {
    let s = &f.store;
    let p = alias_pool("us-east-1_up");
    s.create_pool(&p).unwrap();
    s.create_user(&p, &user_with_email("alice", "sub-a", "a@example.com"))
        .unwrap();
    s.create_user(&p, &user_with_email("bob", "sub-b", "b@example.com"))
        .unwrap();

    let mut a = s.get_user(&p, "alice").unwrap().unwrap();
    let stale = a.clone();
    a.attributes
        .insert("email".to_owned(), "a2@example.com".to_owned());
    s.update_user(&p, &mut a).unwrap();
    assert_eq!(a.version, 2, "the caller's copy carries the new version");
    let stored = s.get_user(&p, "alice").unwrap().unwrap();
    assert_eq!(stored, a);
    // The old address is free, the new one signs in.
    assert_eq!(s.find_user_for_sign_in(&p, "a@example.com").unwrap(), None);
    assert_eq!(
        s.find_user_for_sign_in(&p, "a2@example.com")
            .unwrap()
            .unwrap()
            .username
            .as_str(),
        "alice"
    );

    // A write based on an old read is refused and changes nothing.
    let mut stale = stale;
    stale.attributes.insert("name".to_owned(), "old".to_owned());
    assert_eq!(conflict(s.update_user(&p, &mut stale)), Conflict::Version);
    assert_eq!(stale.version, 1);
    assert_eq!(s.get_user(&p, "alice").unwrap().unwrap(), a);

    // Taking another user's alias is refused.
    let mut b = s.get_user(&p, "bob").unwrap().unwrap();
    b.attributes
        .insert("email".to_owned(), "A2@example.com".to_owned());
    assert_eq!(
        conflict(s.update_user(&p, &mut b)),
        Conflict::Alias("email".to_owned())
    );
    // Unverifying drops the alias; then another user can take it.
    let mut a = s.get_user(&p, "alice").unwrap().unwrap();
    a.attributes
        .insert("email_verified".to_owned(), "false".to_owned());
    s.update_user(&p, &mut a).unwrap();
    assert_eq!(a.version, 3);
    assert_eq!(s.find_user_for_sign_in(&p, "a2@example.com").unwrap(), None);
    let mut b = s.get_user(&p, "bob").unwrap().unwrap();
    b.attributes
        .insert("email".to_owned(), "A2@example.com".to_owned());
    s.update_user(&p, &mut b).unwrap();
    assert_eq!(
        s.find_user_for_sign_in(&p, "a2@example.com")
            .unwrap()
            .unwrap()
            .username
            .as_str(),
        "bob"
    );

    let mut ghost = user("ghost", "sub-ghost", &[]);
    ghost.version = 1;
    assert_eq!(not_found(s.update_user(&p, &mut ghost)), Missing::User);
    assert_indexes_agree(f, &p);
}

// ---- groups ----------------------------------------------------------------------------

fn groups_and_memberships(f: &Fixture) {
    let s = &f.store;
    let p = pool("us-east-1_g");
    s.create_pool(&p).unwrap();
    let id = &p.id;
    for name in ["admins", "editors", "readers", "zeta"] {
        s.create_group(&group(id, name)).unwrap();
    }
    assert_eq!(
        conflict(s.create_group(&group(id, "admins"))),
        Conflict::Group
    );
    assert_eq!(
        s.get_group(id, "admins").unwrap(),
        Some(group(id, "admins"))
    );
    assert_eq!(s.get_group(id, "nobody").unwrap(), None);

    let mut editors = group(id, "editors");
    editors.precedence = Some(7);
    editors.description = None;
    s.update_group(&editors).unwrap();
    assert_eq!(s.get_group(id, "editors").unwrap(), Some(editors.clone()));
    assert_eq!(
        not_found(s.update_group(&group(id, "ghosts"))),
        Missing::Group
    );

    let names = |gs: Vec<Group>| {
        gs.into_iter()
            .map(|g| g.name.as_str().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(s.list_groups(id, None, 10).unwrap()),
        ["admins", "editors", "readers", "zeta"]
    );
    assert_eq!(
        names(s.list_groups(id, Some("admins"), 2).unwrap()),
        ["editors", "readers"]
    );

    for name in ["ann", "ben", "cat", "dan"] {
        s.create_user(&p, &user(name, &format!("sub-{name}"), &[]))
            .unwrap();
    }
    assert_eq!(
        not_found(s.add_user_to_group(&p, "nobody", "admins")),
        Missing::User
    );
    assert_eq!(
        not_found(s.add_user_to_group(&p, "ann", "ghosts")),
        Missing::Group
    );
    for (u, g) in [
        ("ann", "admins"),
        ("ann", "editors"),
        ("ben", "admins"),
        ("cat", "admins"),
        ("dan", "admins"),
        ("ann", "admins"),
    ] {
        s.add_user_to_group(&p, u, g).unwrap();
    }
    assert_eq!(
        names(s.groups_of_user(&p, "ann").unwrap()),
        ["admins", "editors"]
    );
    assert_eq!(
        s.groups_of_user(&p, "ann").unwrap()[1],
        editors,
        "the group records, not just names"
    );
    assert!(s.groups_of_user(&p, "nobody").unwrap().is_empty());
    assert_eq!(
        usernames(&s.users_in_group(id, "admins", None, 10).unwrap()),
        ["ann", "ben", "cat", "dan"],
        "adding twice is idempotent"
    );
    assert_eq!(
        usernames(&s.users_in_group(id, "admins", Some("ben"), 1).unwrap()),
        ["cat"]
    );
    assert_eq!(
        not_found(s.users_in_group(id, "ghosts", None, 10)),
        Missing::Group
    );

    s.remove_user_from_group(&p, "ben", "admins").unwrap();
    s.remove_user_from_group(&p, "ben", "admins").unwrap();
    assert_eq!(
        usernames(&s.users_in_group(id, "admins", None, 10).unwrap()),
        ["ann", "cat", "dan"]
    );
    assert!(s.groups_of_user(&p, "ben").unwrap().is_empty());
    assert_eq!(
        not_found(s.remove_user_from_group(&p, "ben", "ghosts")),
        Missing::Group
    );

    // Deleting a user removes its memberships on both sides.
    assert!(s.delete_user(&p, "cat").unwrap());
    assert_eq!(
        usernames(&s.users_in_group(id, "admins", None, 10).unwrap()),
        ["ann", "dan"]
    );
    assert!(raw_scan(f, Table::UserGroups, &kp(&[id.as_str(), "cat"])).is_empty());

    // Deleting a group removes its memberships on both sides.
    assert!(s.delete_group(id, "admins").unwrap());
    assert!(!s.delete_group(id, "admins").unwrap());
    assert_eq!(names(s.groups_of_user(&p, "ann").unwrap()), ["editors"]);
    assert!(s.groups_of_user(&p, "dan").unwrap().is_empty());
    assert!(raw_scan(f, Table::GroupMembers, &kp(&[id.as_str(), "admins"])).is_empty());
    // A new group of the same name starts empty.
    s.create_group(&group(id, "admins")).unwrap();
    assert!(s.users_in_group(id, "admins", None, 10).unwrap().is_empty());
}

// ---- app clients -----------------------------------------------------------------------

fn clients(f: &Fixture) {
    let s = &f.store;
    let a = pool("us-east-1_ca");
    let b = pool("us-east-1_cb");
    s.create_pool(&a).unwrap();
    s.create_pool(&b).unwrap();

    assert_eq!(
        not_found(s.create_client(&client(&UserPoolId::new("us-east-1_none").unwrap(), "c0"))),
        Missing::Pool
    );
    for id in ["c3", "c1", "c2"] {
        s.create_client(&client(&a.id, id)).unwrap();
    }
    s.create_client(&client(&b.id, "c9")).unwrap();
    // Client IDs are unique across pools.
    assert_eq!(
        conflict(s.create_client(&client(&b.id, "c1"))),
        Conflict::Client
    );

    let c1 = ClientId::new("c1").unwrap();
    assert_eq!(s.get_client(&c1).unwrap(), Some(client(&a.id, "c1")));
    assert_eq!(s.get_client(&ClientId::new("c0").unwrap()).unwrap(), None);

    let mut changed = client(&a.id, "c1");
    changed.name = "renamed".to_owned();
    changed.callback_urls = vec!["https://app.example.com/cb".to_owned()];
    s.update_client(&changed).unwrap();
    assert_eq!(s.get_client(&c1).unwrap(), Some(changed.clone()));
    // Another pool cannot update or delete it.
    assert_eq!(
        not_found(s.update_client(&client(&b.id, "c1"))),
        Missing::Client
    );
    assert!(!s.delete_client(&b.id, &c1).unwrap());
    assert_eq!(s.get_client(&c1).unwrap(), Some(changed));

    let ids = |cs: Vec<AppClient>| {
        cs.into_iter()
            .map(|c| c.client_id.as_str().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(s.list_clients(&a.id, None, 10).unwrap()),
        ["c1", "c2", "c3"]
    );
    assert_eq!(ids(s.list_clients(&a.id, Some("c1"), 1).unwrap()), ["c2"]);
    assert_eq!(ids(s.list_clients(&b.id, None, 10).unwrap()), ["c9"]);

    assert!(s.delete_client(&a.id, &c1).unwrap());
    assert!(!s.delete_client(&a.id, &c1).unwrap());
    assert_eq!(s.get_client(&c1).unwrap(), None);
    assert_eq!(ids(s.list_clients(&a.id, None, 10).unwrap()), ["c2", "c3"]);
    // The ID is free again, in any pool.
    s.create_client(&client(&b.id, "c1")).unwrap();
}

// ---- resource servers ------------------------------------------------------------------

fn resource_servers(f: &Fixture) {
    let s = &f.store;
    let p = pool("us-east-1_rs");
    let other = pool("us-east-1_rt");
    s.create_pool(&p).unwrap();
    s.create_pool(&other).unwrap();
    for ident in ["https://b.example.com", "https://a.example.com", "orders"] {
        s.create_resource_server(&resource_server(&p.id, ident))
            .unwrap();
    }
    assert_eq!(
        conflict(s.create_resource_server(&resource_server(&p.id, "orders"))),
        Conflict::ResourceServer
    );
    s.create_resource_server(&resource_server(&other.id, "orders"))
        .unwrap();
    assert_eq!(
        s.get_resource_server(&p.id, "orders").unwrap(),
        Some(resource_server(&p.id, "orders"))
    );
    assert_eq!(s.get_resource_server(&p.id, "nothing").unwrap(), None);

    let mut changed = resource_server(&p.id, "orders");
    changed.scopes.push(ResourceServerScope {
        name: "write".to_owned(),
        description: "write things".to_owned(),
    });
    s.update_resource_server(&changed).unwrap();
    assert_eq!(
        s.get_resource_server(&p.id, "orders").unwrap(),
        Some(changed)
    );
    assert_eq!(
        not_found(s.update_resource_server(&resource_server(&p.id, "nothing"))),
        Missing::ResourceServer
    );

    let idents = |rs: Vec<ResourceServer>| rs.into_iter().map(|r| r.identifier).collect::<Vec<_>>();
    assert_eq!(
        idents(s.list_resource_servers(&p.id, None, 10).unwrap()),
        ["https://a.example.com", "https://b.example.com", "orders"]
    );
    assert_eq!(
        idents(
            s.list_resource_servers(&p.id, Some("https://a.example.com"), 1)
                .unwrap()
        ),
        ["https://b.example.com"]
    );
    assert!(s.delete_resource_server(&p.id, "orders").unwrap());
    assert!(!s.delete_resource_server(&p.id, "orders").unwrap());
    assert_eq!(s.get_resource_server(&p.id, "orders").unwrap(), None);
    assert!(s
        .get_resource_server(&other.id, "orders")
        .unwrap()
        .is_some());
}

// ---- identity providers ----------------------------------------------------------------

fn identity_providers(f: &Fixture) {
    let s = &f.store;
    let p = pool("us-east-1_idp");
    s.create_pool(&p).unwrap();
    let id = &p.id;
    s.create_identity_provider(&idp(id, "Okta", &["example.com", "example.org"]))
        .unwrap();
    s.create_identity_provider(&idp(id, "Google", &[])).unwrap();
    assert_eq!(
        conflict(s.create_identity_provider(&idp(id, "Okta", &[]))),
        Conflict::IdentityProvider
    );
    assert_eq!(
        conflict(s.create_identity_provider(&idp(id, "Azure", &["corp.example", "example.org"]))),
        Conflict::IdpIdentifier("example.org".to_owned())
    );
    assert_eq!(
        s.get_identity_provider(id, "Azure").unwrap(),
        None,
        "the refused provider left nothing"
    );
    assert_eq!(
        s.identity_provider_by_identifier(id, "corp.example")
            .unwrap(),
        None
    );

    let by_ident = |ident: &str| {
        s.identity_provider_by_identifier(id, ident)
            .unwrap()
            .map(|i| i.name.as_str().to_owned())
    };
    assert_eq!(by_ident("example.org").as_deref(), Some("Okta"));
    assert_eq!(by_ident("nothing"), None);
    assert_eq!(
        s.get_identity_provider(id, "Okta").unwrap(),
        Some(idp(id, "Okta", &["example.com", "example.org"]))
    );

    // Updating re-indexes identifiers: the dropped one is free, the new one routes.
    s.update_identity_provider(&idp(id, "Okta", &["example.com", "example.net"]))
        .unwrap();
    assert_eq!(by_ident("example.org"), None);
    assert_eq!(by_ident("example.net").as_deref(), Some("Okta"));
    assert_eq!(by_ident("example.com").as_deref(), Some("Okta"));
    assert_eq!(
        conflict(s.update_identity_provider(&idp(id, "Google", &["example.com"]))),
        Conflict::IdpIdentifier("example.com".to_owned())
    );
    assert_eq!(
        s.get_identity_provider(id, "Google").unwrap(),
        Some(idp(id, "Google", &[]))
    );
    assert_eq!(
        not_found(s.update_identity_provider(&idp(id, "Nobody", &[]))),
        Missing::IdentityProvider
    );
    s.update_identity_provider(&idp(id, "Google", &["example.org"]))
        .unwrap();
    assert_eq!(by_ident("example.org").as_deref(), Some("Google"));

    let names = |ps: Vec<IdentityProvider>| {
        ps.into_iter()
            .map(|i| i.name.as_str().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(s.list_identity_providers(id, None, 10).unwrap()),
        ["Google", "Okta"]
    );
    assert_eq!(
        names(s.list_identity_providers(id, Some("Google"), 10).unwrap()),
        ["Okta"]
    );

    assert!(s.delete_identity_provider(id, "Okta").unwrap());
    assert!(!s.delete_identity_provider(id, "Okta").unwrap());
    assert_eq!(by_ident("example.com"), None);
    assert_eq!(by_ident("example.net"), None);
    assert_eq!(
        raw_scan(f, Table::IdpIdentifiers, &kp(&[id.as_str()])).len(),
        1,
        "only Google's identifier is left"
    );
}

// ---- deleting a pool -------------------------------------------------------------------

/// Fills a pool with one of everything.
fn populate(f: &Fixture, p: &cognate_userpool::model::UserPool, domain: &str, client_id: &str) {
    let s = &f.store;
    s.create_pool(p).unwrap();
    s.put_pool_keys(&p.id, "{}").unwrap();
    s.set_domain(&p.id, Some(domain)).unwrap();
    s.create_user(
        p,
        &user_with_email("alice", "sub-alice", "alice@example.com"),
    )
    .unwrap();
    s.create_user(
        p,
        &user("bob", "sub-bob", &[("preferred_username", "bobby")]),
    )
    .unwrap();
    s.create_group(&group(&p.id, "admins")).unwrap();
    s.add_user_to_group(p, "alice", "admins").unwrap();
    s.create_client(&client(&p.id, client_id)).unwrap();
    s.create_resource_server(&resource_server(&p.id, "orders"))
        .unwrap();
    s.create_identity_provider(&idp(&p.id, "Okta", &["example.com"]))
        .unwrap();
}

fn delete_pool_cascades(f: &Fixture) {
    let s = &f.store;
    // Pool IDs where one is a prefix of the other: deleting the shorter must not touch the
    // longer.
    let doomed = alias_pool("us-east-1_abc");
    let kept = alias_pool("us-east-1_abcd");
    populate(f, &doomed, "doomed", "client1");
    populate(f, &kept, "kept", "client12");
    s.put_ephemeral(EphemeralKind::Session, "s1", b"x", t(9_999))
        .unwrap();

    let tables = [
        Table::Pools,
        Table::PoolKeys,
        Table::Users,
        Table::UserIndex,
        Table::Groups,
        Table::GroupMembers,
        Table::UserGroups,
        Table::Clients,
        Table::PoolClients,
        Table::ResourceServers,
        Table::IdentityProviders,
        Table::IdpIdentifiers,
        Table::Ephemeral,
        Table::Expiry,
        Table::Domains,
    ];
    let snapshot = || {
        tables
            .iter()
            .map(|t| (*t, raw_scan(f, *t, b"")))
            .collect::<BTreeMap<_, _>>()
    };
    let before = snapshot();

    assert!(s.delete_pool(&doomed.id).unwrap());

    assert_eq!(s.get_pool(&doomed.id).unwrap(), None);
    assert_eq!(s.get_pool_keys(&doomed.id).unwrap(), None);
    assert_eq!(s.pool_for_domain("doomed").unwrap(), None);
    assert_eq!(s.get_user(&doomed, "alice").unwrap(), None);
    assert_eq!(
        s.find_user_for_sign_in(&doomed, "alice@example.com")
            .unwrap(),
        None
    );
    assert_eq!(
        s.get_user_by_index(&doomed, "sub", "sub-bob").unwrap(),
        None
    );
    assert_eq!(s.get_group(&doomed.id, "admins").unwrap(), None);
    assert!(s.groups_of_user(&doomed, "alice").unwrap().is_empty());
    assert_eq!(
        s.get_client(&ClientId::new("client1").unwrap()).unwrap(),
        None,
        "the global client index is cleaned"
    );
    assert_eq!(s.get_resource_server(&doomed.id, "orders").unwrap(), None);
    assert_eq!(s.get_identity_provider(&doomed.id, "Okta").unwrap(), None);
    assert_eq!(
        s.identity_provider_by_identifier(&doomed.id, "example.com")
            .unwrap(),
        None
    );

    // Raw: every table lost exactly the doomed pool's entries and nothing else.
    let after = snapshot();
    let doomed_id = doomed.id.as_str();
    for table in tables {
        let expected: Vec<_> = before[&table]
            .iter()
            .filter(|(k, v)| {
                let belongs = match table {
                    Table::Pools | Table::PoolKeys => k.as_slice() == doomed_id.as_bytes(),
                    Table::Clients => k.as_slice() == b"client1",
                    Table::Domains => v.as_slice() == doomed_id.as_bytes(),
                    Table::Ephemeral | Table::Expiry => false,
                    _ => k.starts_with(&kp(&[doomed_id])),
                };
                !belongs
            })
            .cloned()
            .collect();
        assert_eq!(after[&table], expected, "{table:?}");
    }
    assert!(
        !after[&Table::Users].is_empty(),
        "the other pool's users stay"
    );

    // The kept pool works as before, and the doomed pool's names are free again.
    assert!(s
        .get_client(&ClientId::new("client12").unwrap())
        .unwrap()
        .is_some());
    assert_eq!(s.pool_for_domain("kept").unwrap(), Some(kept.id.clone()));
    assert_eq!(
        s.find_user_for_sign_in(&kept, "alice@example.com")
            .unwrap()
            .unwrap()
            .username
            .as_str(),
        "alice"
    );
    assert_indexes_agree(f, &kept);
    assert!(!s.delete_pool(&doomed.id).unwrap());
    populate(f, &doomed, "doomed", "client1");
    assert_indexes_agree(f, &doomed);
}

// ---- short-lived records ---------------------------------------------------------------

fn ephemeral_records(f: &Fixture) {
    let s = &f.store;
    use EphemeralKind::{Code, RefreshUsed, Revoked, Session};
    s.put_ephemeral(Session, "a", b"session a", t(100)).unwrap();
    s.put_ephemeral(Code, "a", b"code a", t(200)).unwrap();
    s.put_ephemeral(Revoked, "jti", b"", t(300)).unwrap();

    assert_eq!(
        s.get_ephemeral(Session, "a", t(99)).unwrap().as_deref(),
        Some(&b"session a"[..])
    );
    assert_eq!(
        s.get_ephemeral(Session, "a", t(100)).unwrap(),
        None,
        "expired at exp"
    );
    assert_eq!(
        s.get_ephemeral(Code, "a", t(100)).unwrap().as_deref(),
        Some(&b"code a"[..]),
        "kinds are separate"
    );
    assert_eq!(
        s.get_ephemeral(Revoked, "jti", t(0)).unwrap().as_deref(),
        Some(&b""[..])
    );
    assert_eq!(s.get_ephemeral(RefreshUsed, "a", t(0)).unwrap(), None);

    // Single use.
    assert_eq!(
        s.take_ephemeral(Code, "a", t(150)).unwrap().as_deref(),
        Some(&b"code a"[..])
    );
    assert_eq!(s.take_ephemeral(Code, "a", t(150)).unwrap(), None);
    // Taking an expired record removes it and returns nothing.
    assert_eq!(s.take_ephemeral(Session, "a", t(150)).unwrap(), None);
    assert_eq!(s.get_ephemeral(Session, "a", t(0)).unwrap(), None);

    // Replacing a record moves its expiry: the old expiry no longer purges it.
    s.put_ephemeral(RefreshUsed, "r", b"v1", t(100)).unwrap();
    s.put_ephemeral(RefreshUsed, "r", b"v2", t(500)).unwrap();
    assert_eq!(
        s.purge_expired(t(400), 100).unwrap(),
        1,
        "only the revocation"
    );
    assert_eq!(
        s.get_ephemeral(RefreshUsed, "r", t(400))
            .unwrap()
            .as_deref(),
        Some(&b"v2"[..])
    );
    assert_eq!(s.get_ephemeral(Revoked, "jti", t(0)).unwrap(), None);

    s.delete_ephemeral(RefreshUsed, "r").unwrap();
    s.delete_ephemeral(RefreshUsed, "r").unwrap();
    assert_eq!(s.get_ephemeral(RefreshUsed, "r", t(0)).unwrap(), None);
    assert!(raw_scan(f, Table::Ephemeral, b"").is_empty());
    assert!(raw_scan(f, Table::Expiry, b"").is_empty());

    // Purging goes in expiry order, stops at `now` and at the limit.
    for i in 0..10u64 {
        s.put_ephemeral(Session, &format!("s{i}"), b"x", t(1_000 + i))
            .unwrap();
    }
    assert_eq!(s.purge_expired(t(999), 100).unwrap(), 0);
    assert_eq!(s.purge_expired(t(1_005), 3).unwrap(), 3);
    assert_eq!(s.get_ephemeral(Session, "s2", t(0)).unwrap(), None);
    assert!(s.get_ephemeral(Session, "s3", t(0)).unwrap().is_some());
    assert_eq!(s.purge_expired(t(1_005), 100).unwrap(), 3, "s3 to s5");
    assert!(s.get_ephemeral(Session, "s6", t(0)).unwrap().is_some());
    assert_eq!(raw_scan(f, Table::Ephemeral, b"").len(), 4);
    assert_eq!(raw_scan(f, Table::Expiry, b"").len(), 4);
    assert_eq!(s.purge_expired(t(u64::MAX), usize::MAX).unwrap(), 4);
    assert!(raw_scan(f, Table::Ephemeral, b"").is_empty());
}

// ---- atomicity -------------------------------------------------------------------------

fn failing_transactions_leave_nothing(f: &Fixture) {
    let s = &f.store;
    let p = alias_pool("us-east-1_tx");
    s.create_pool(&p).unwrap();
    s.create_user(&p, &user_with_email("alice", "sub-a", "a@example.com"))
        .unwrap();
    s.create_user(&p, &user_with_email("bob", "sub-b", "b@example.com"))
        .unwrap();
    let before = (
        raw_scan(f, Table::Users, b""),
        raw_scan(f, Table::UserIndex, b""),
    );

    // A batch whose last user conflicts: none of it is kept, not even the index entries of
    // the users before it.
    let batch = [
        user_with_email("carol", "sub-c", "c@example.com"),
        user_with_email("dave", "sub-d", "d@example.com"),
        user_with_email("erin", "sub-e", "B@example.com"),
    ];
    assert_eq!(
        conflict(s.create_users(&p, &batch)),
        Conflict::Alias("email".to_owned())
    );
    // A batch that conflicts with itself.
    let twins = [user("frank", "sub-f", &[]), user("frank", "sub-f2", &[])];
    assert_eq!(conflict(s.create_users(&p, &twins)), Conflict::Username);
    // An update that had already removed the old alias when it hit the conflict.
    let mut a = s.get_user(&p, "alice").unwrap().unwrap();
    a.attributes
        .insert("email".to_owned(), "b@example.com".to_owned());
    assert_eq!(
        conflict(s.update_user(&p, &mut a)),
        Conflict::Alias("email".to_owned())
    );
    // An IdP whose second identifier conflicts, after the first was written.
    s.create_identity_provider(&idp(&p.id, "Okta", &["taken.example"]))
        .unwrap();
    let idp_before = raw_scan(f, Table::IdpIdentifiers, b"");
    assert!(s
        .create_identity_provider(&idp(&p.id, "Azure", &["free.example", "taken.example"]))
        .is_err());
    assert_eq!(raw_scan(f, Table::IdpIdentifiers, b""), idp_before);

    assert_eq!(
        (
            raw_scan(f, Table::Users, b""),
            raw_scan(f, Table::UserIndex, b"")
        ),
        before
    );
    assert_eq!(
        s.find_user_for_sign_in(&p, "a@example.com")
            .unwrap()
            .unwrap()
            .version,
        1
    );
    assert_indexes_agree(f, &p);

    // A batch without conflicts is kept whole.
    s.create_users(&p, &batch[..2]).unwrap();
    assert_eq!(
        usernames(&s.list_users(&p.id, None, 10).unwrap()),
        ["alice", "bob", "carol", "dave"]
    );
    assert_indexes_agree(f, &p);
}

// ---- concurrency -----------------------------------------------------------------------

const RACERS: usize = 8;

fn racing_writers_one_alias_wins(f: &Fixture) {
    let p = alias_pool("us-east-1_race");
    f.store.create_pool(&p).unwrap();
    for round in 0..10 {
        let email = format!("race{round}@example.com");
        let barrier = Barrier::new(RACERS);
        let results: Vec<Result<(), StoreError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..RACERS)
                .map(|i| {
                    let (store, p, email, barrier) = (&f.store, &p, &email, &barrier);
                    scope.spawn(move || {
                        let u = user_with_email(
                            &format!("r{round}-{i}"),
                            &format!("sub-{round}-{i}"),
                            email,
                        );
                        barrier.wait();
                        store.create_user(p, &u)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let winners = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(winners, 1, "round {round}: {results:?}");
        for r in results.into_iter().filter(|r| r.is_err()) {
            assert_eq!(conflict(r), Conflict::Alias("email".to_owned()));
        }
        let owner = f.store.find_user_for_sign_in(&p, &email).unwrap().unwrap();
        assert!(owner.username.as_str().starts_with(&format!("r{round}-")));
    }
    assert_eq!(f.store.list_users(&p.id, None, 100).unwrap().len(), 10);
    assert_indexes_agree(f, &p);
}

fn readers_see_only_committed_states(f: &Fixture) {
    // Each write moves two keys and a counted set of scan entries together; a reader must
    // never see them disagree, nor see time go backwards.
    const WRITES: u64 = 200;
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            for i in 1..=WRITES {
                f.kv.write(&mut |w| {
                    let v = i.to_be_bytes();
                    w.put(Table::Ephemeral, b"a", &v)?;
                    w.put(Table::Ephemeral, format!("item{i:04}").as_bytes(), b"")?;
                    w.put(Table::Ephemeral, b"b", &v)?;
                    Ok(())
                })
                .unwrap();
                // Also a write that fails half way, which no reader may ever observe.
                let r = f.kv.write(&mut |w| {
                    w.put(Table::Ephemeral, b"a", &u64::MAX.to_be_bytes())?;
                    w.put(Table::Ephemeral, b"item9999", b"")?;
                    Err(KvError::Aborted)
                });
                assert!(r.is_err());
            }
            done.store(true, Ordering::Release);
        });
        let readers: Vec<_> = (0..3)
            .map(|_| {
                scope.spawn(|| {
                    let mut last = 0u64;
                    let mut reads = 0u64;
                    loop {
                        let finished = done.load(Ordering::Acquire);
                        let mut seen = (None, None, 0usize);
                        f.kv.read(&mut |r| {
                            let a = r.get(Table::Ephemeral, b"a")?;
                            let items = r.scan(Table::Ephemeral, b"item", None, usize::MAX)?;
                            let b = r.get(Table::Ephemeral, b"b")?;
                            seen = (a, b, items.len());
                            Ok(())
                        })
                        .unwrap();
                        let (a, b, items) = seen;
                        assert_eq!(a, b, "a read saw half a transaction");
                        let n = a.map_or(0, |v| u64::from_be_bytes(v.try_into().unwrap()));
                        assert_ne!(n, u64::MAX, "a read saw a rolled-back write");
                        assert_eq!(items as u64, n, "scan and get disagree");
                        assert!(n >= last, "went back from {last} to {n}");
                        last = n;
                        reads += 1;
                        if finished {
                            break;
                        }
                    }
                    (last, reads)
                })
            })
            .collect();
        writer.join().unwrap();
        for r in readers {
            let (last, reads) = r.join().unwrap();
            assert_eq!(last, WRITES, "the last read after the writer finished");
            assert!(reads >= 1);
        }
    });
}

fn readers_during_user_writes(f: &Fixture) {
    let p = alias_pool("us-east-1_rd");
    f.store.create_pool(&p).unwrap();
    const USERS: usize = 150;
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            for i in 0..USERS {
                f.store
                    .create_user(
                        &p,
                        &user_with_email(
                            &format!("u{i:04}"),
                            &format!("sub-{i}"),
                            &format!("u{i}@example.com"),
                        ),
                    )
                    .unwrap();
            }
            done.store(true, Ordering::Release);
        });
        let readers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let mut seen = BTreeSet::new();
                    loop {
                        let finished = done.load(Ordering::Acquire);
                        let users = f.store.list_users(&p.id, None, usize::MAX).unwrap();
                        // Users are created in order and never deleted: what is listed is a
                        // prefix of the sequence, and each listed user can sign in by alias.
                        for (i, u) in users.iter().enumerate() {
                            assert_eq!(u.username.as_str(), format!("u{i:04}"));
                        }
                        if let Some(u) = users.last() {
                            let email = u.attributes["email"].clone();
                            let found = f.store.find_user_for_sign_in(&p, &email).unwrap();
                            assert_eq!(found.as_ref(), Some(u));
                        }
                        assert!(users.len() >= seen.len());
                        seen.extend(users.into_iter().map(|u| u.username));
                        if finished {
                            break;
                        }
                    }
                    seen.len()
                })
            })
            .collect();
        writer.join().unwrap();
        for r in readers {
            assert_eq!(r.join().unwrap(), USERS);
        }
    });
    assert_indexes_agree(f, &p);
}

// ---- management helpers -----------------------------------------------------------------

fn modify_pool_and_domain_claims(f: &Fixture) {
    let s = &f.store;
    let a = pool("us-east-1_ma");
    let b = pool("us-east-1_mb");
    s.create_pool(&a).unwrap();
    s.create_pool(&b).unwrap();

    let changed = s
        .modify_pool(&a.id, |p| {
            p.name = "renamed".to_owned();
            // Neither the ID nor the domain can be changed this way.
            p.id = b.id.clone();
            p.domain = Some("sneaky".to_owned());
            Ok::<(), String>(())
        })
        .unwrap()
        .unwrap();
    assert_eq!(changed.name, "renamed");
    assert_eq!(changed.id, a.id);
    assert_eq!(changed.domain, None);
    assert_eq!(s.get_pool(&a.id).unwrap(), Some(changed.clone()));
    assert_eq!(s.get_pool(&b.id).unwrap(), Some(b.clone()));
    // A failing change writes nothing and hands its error back.
    let refused = s
        .modify_pool(&a.id, |p| {
            p.name = "not kept".to_owned();
            Err("no")
        })
        .unwrap();
    assert_eq!(refused, Err("no"));
    assert_eq!(s.get_pool(&a.id).unwrap(), Some(changed));
    assert_eq!(
        not_found(
            s.modify_pool(&UserPoolId::new("us-east-1_none").unwrap(), |_| {
                Ok::<(), ()>(())
            })
        ),
        Missing::Pool
    );

    assert!(s.claim_domain(&a.id, "login-a", Some(2)).unwrap());
    assert_eq!(s.pool_for_domain("login-a").unwrap(), Some(a.id.clone()));
    let stored = s.get_pool(&a.id).unwrap().unwrap();
    assert_eq!(stored.domain.as_deref(), Some("login-a"));
    assert_eq!(stored.settings.managed_login_version, Some(2));
    assert!(
        !s.claim_domain(&a.id, "login-a2", None).unwrap(),
        "a pool has one domain"
    );
    assert_eq!(s.pool_for_domain("login-a2").unwrap(), None);
    assert_eq!(
        conflict(s.claim_domain(&b.id, "login-a", None).map(drop)),
        Conflict::Domain
    );
    assert_eq!(s.get_pool(&b.id).unwrap().unwrap().domain, None);
    assert!(!s.release_domain(&b.id, "login-a").unwrap());
    assert!(!s.release_domain(&a.id, "login-other").unwrap());
    assert_eq!(s.pool_for_domain("login-a").unwrap(), Some(a.id.clone()));
    assert!(s.release_domain(&a.id, "login-a").unwrap());
    assert_eq!(s.pool_for_domain("login-a").unwrap(), None);
    let stored = s.get_pool(&a.id).unwrap().unwrap();
    assert_eq!(stored.domain, None);
    assert_eq!(stored.settings.managed_login_version, None);
    assert!(s.claim_domain(&b.id, "login-a", None).unwrap());
    assert_eq!(
        not_found(s.claim_domain(&UserPoolId::new("us-east-1_none").unwrap(), "x", None)),
        Missing::Pool
    );
}

fn count_users_across_chunks(f: &Fixture) {
    let s = &f.store;
    // Pool IDs where one is a prefix of the other: their users are counted apart.
    let big = pool("us-east-1_cnt");
    let small = pool("us-east-1_cnt2");
    s.create_pool(&big).unwrap();
    s.create_pool(&small).unwrap();
    assert_eq!(s.count_users(&big.id).unwrap(), 0);
    // More than two of the store's counting chunks, and not a multiple of one.
    let users: Vec<_> = (0..2_500)
        .map(|i| user(&format!("u{i:05}"), &format!("sub-{i}"), &[]))
        .collect();
    for batch in users.chunks(1_000) {
        s.create_users(&big, batch).unwrap();
    }
    for i in 0..3 {
        s.create_user(&small, &user(&format!("v{i}"), &format!("sub-v{i}"), &[]))
            .unwrap();
    }
    assert_eq!(s.count_users(&big.id).unwrap(), 2_500);
    assert_eq!(s.count_users(&small.id).unwrap(), 3);
    assert!(s.delete_user(&big, "u01024").unwrap());
    assert_eq!(s.count_users(&big.id).unwrap(), 2_499);
    assert_eq!(
        s.count_users(&UserPoolId::new("us-east-1_none").unwrap())
            .unwrap(),
        0
    );
}

fn write_users_moves_an_alias(f: &Fixture) {
    let s = &f.store;
    let p = alias_pool("us-east-1_wu");
    s.create_pool(&p).unwrap();
    s.create_user(&p, &user_with_email("alice", "sub-a", "a@example.com"))
        .unwrap();
    s.create_user(&p, &user_with_email("bob", "sub-b", "b@example.com"))
        .unwrap();

    // Bob takes alice's address while alice gives it up, in one transaction.
    let mut alice = s.get_user(&p, "alice").unwrap().unwrap();
    let mut bob = s.get_user(&p, "bob").unwrap().unwrap();
    alice
        .attributes
        .insert("email_verified".to_owned(), "false".to_owned());
    bob.attributes
        .insert("email".to_owned(), "a@example.com".to_owned());
    // In the wrong order bob's write conflicts, and alice's change is not kept either.
    let mut wrong_order = [bob.clone(), alice.clone()];
    assert_eq!(
        conflict(s.write_users(&p, &mut wrong_order, None)),
        Conflict::Alias("email".to_owned())
    );
    assert_eq!(wrong_order[0].version, 1, "versions untouched on failure");
    assert!(s
        .get_user(&p, "alice")
        .unwrap()
        .unwrap()
        .is_verified("email"));

    let carol = user_with_email("carol", "sub-c", "b@example.com");
    let mut both = [alice, bob];
    s.write_users(&p, &mut both, Some(&carol)).unwrap();
    assert_eq!((both[0].version, both[1].version), (2, 2));
    let by_email = |email: &str| {
        s.find_user_for_sign_in(&p, email)
            .unwrap()
            .map(|u| u.username.as_str().to_owned())
    };
    assert_eq!(by_email("a@example.com").as_deref(), Some("bob"));
    assert_eq!(
        by_email("b@example.com").as_deref(),
        Some("carol"),
        "the new user takes the address bob gave up"
    );
    assert_eq!(s.get_user(&p, "carol").unwrap().unwrap().version, 1);

    // A stale version anywhere in the batch: nothing is written, the new user included.
    let mut stale = s.get_user(&p, "bob").unwrap().unwrap();
    stale.version = 1;
    let dave = user("dave", "sub-d", &[]);
    assert_eq!(
        conflict(s.write_users(&p, std::slice::from_mut(&mut stale), Some(&dave))),
        Conflict::Version
    );
    assert_eq!(s.get_user(&p, "dave").unwrap(), None);
    let mut ghost = user("ghost", "sub-ghost", &[]);
    assert_eq!(
        not_found(s.write_users(&p, std::slice::from_mut(&mut ghost), None)),
        Missing::User
    );
    assert_indexes_agree(f, &p);
}

fn list_ephemeral_by_prefix(f: &Fixture) {
    let s = &f.store;
    use EphemeralKind::{Code, Session};
    s.put_ephemeral(Session, "u1:b", b"b", t(100)).unwrap();
    s.put_ephemeral(Session, "u1:a", b"a", t(200)).unwrap();
    s.put_ephemeral(Session, "u1:old", b"old", t(10)).unwrap();
    s.put_ephemeral(Session, "u2:a", b"other user", t(200))
        .unwrap();
    s.put_ephemeral(Code, "u1:c", b"other kind", t(200))
        .unwrap();
    assert_eq!(
        s.list_ephemeral(Session, "u1:", t(50), 10).unwrap(),
        vec![
            ("u1:a".to_owned(), b"a".to_vec(), t(200)),
            ("u1:b".to_owned(), b"b".to_vec(), t(100)),
        ],
        "in key order, expired records left out"
    );
    assert_eq!(
        s.list_ephemeral(Session, "u1:", t(150), 10).unwrap().len(),
        1
    );
    assert_eq!(s.list_ephemeral(Session, "", t(0), 10).unwrap().len(), 4);
    assert_eq!(s.list_ephemeral(Session, "u1:", t(0), 1).unwrap().len(), 1);
    assert!(s
        .list_ephemeral(Session, "u3", t(0), 10)
        .unwrap()
        .is_empty());
}

// ---- SQLite only -----------------------------------------------------------------------

#[cfg(feature = "sqlite")]
mod sqlite_only {
    use super::*;
    use cognate_userpool::store::SqliteBackend;
    use std::sync::mpsc;
    use std::time::Duration;

    /// Under WAL a reader is not blocked by an open write transaction and sees the state
    /// before it.
    #[test]
    fn readers_are_not_blocked_by_an_open_write() {
        let f = sqlite_file_backend();
        f.kv.write(&mut |w| w.put(Table::Pools, b"k", b"old"))
            .unwrap();
        let (tx, rx) = mpsc::channel();
        f.kv.write(&mut |w| {
            w.put(Table::Pools, b"k", b"new")?;
            w.put(Table::Pools, b"k2", b"new")?;
            std::thread::scope(|scope| {
                let kv = &f.kv;
                let tx = tx.clone();
                scope.spawn(move || {
                    let mut seen = None;
                    kv.read(&mut |r| {
                        seen = Some((r.get(Table::Pools, b"k")?, r.get(Table::Pools, b"k2")?));
                        Ok(())
                    })
                    .unwrap();
                    tx.send(seen).unwrap();
                });
                // The reader finishes while this write is still open.
                let seen = rx.recv_timeout(Duration::from_secs(10)).unwrap();
                assert_eq!(seen, Some((Some(b"old".to_vec()), None)));
            });
            Ok(())
        })
        .unwrap();
        assert_eq!(
            raw_get(&f, Table::Pools, b"k").as_deref(),
            Some(&b"new"[..])
        );
    }

    /// Two handles on one file (as two processes would have) serialise their writers through
    /// SQLite's lock, and each sees the other's commits.
    #[test]
    fn two_handles_on_one_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shared.db");
        let a = Store::new(Arc::new(SqliteBackend::open(&path).unwrap()));
        let b = Store::new(Arc::new(SqliteBackend::open(&path).unwrap()));
        let p = alias_pool("us-east-1_two");
        a.create_pool(&p).unwrap();
        assert_eq!(b.get_pool(&p.id).unwrap(), Some(p.clone()));
        for round in 0..5 {
            let email = format!("shared{round}@example.com");
            let barrier = Barrier::new(RACERS);
            let wins = std::thread::scope(|scope| {
                let handles: Vec<_> = (0..RACERS)
                    .map(|i| {
                        let store = if i % 2 == 0 { &a } else { &b };
                        let (p, email, barrier) = (&p, &email, &barrier);
                        scope.spawn(move || {
                            let u = user_with_email(
                                &format!("h{round}-{i}"),
                                &format!("sub-h{round}-{i}"),
                                email,
                            );
                            barrier.wait();
                            store.create_user(p, &u)
                        })
                    })
                    .collect();
                let mut wins = 0;
                for h in handles {
                    match h.join().unwrap() {
                        Ok(()) => wins += 1,
                        // Never a busy error: writers wait for each other.
                        r => assert_eq!(conflict(r), Conflict::Alias("email".to_owned())),
                    }
                }
                wins
            });
            assert_eq!(wins, 1, "round {round}");
        }
        assert_eq!(a.list_users(&p.id, None, 100).unwrap().len(), 5);
        assert_eq!(b.list_users(&p.id, None, 100).unwrap().len(), 5);
    }

    /// Everything written is there after the store is closed and opened again.
    #[test]
    fn reopening_keeps_everything() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let p = alias_pool("us-east-1_re");
        let before;
        {
            let kv: Arc<dyn KvBackend> = Arc::new(SqliteBackend::open(&path).unwrap());
            let f = fixture(kv, None);
            populate(&f, &p, "re", "client_re");
            f.store
                .put_ephemeral(EphemeralKind::Code, "c", b"123456", t(50))
                .unwrap();
            before = [Table::Pools, Table::Users, Table::UserIndex, Table::Expiry]
                .map(|t| raw_scan(&f, t, b""));
        }
        let db = SqliteBackend::open(&path).unwrap();
        db.check_integrity().unwrap();
        let f = fixture(Arc::new(db), None);
        let after = [Table::Pools, Table::Users, Table::UserIndex, Table::Expiry]
            .map(|t| raw_scan(&f, t, b""));
        assert_eq!(after, before);
        assert_eq!(
            f.store
                .get_ephemeral(EphemeralKind::Code, "c", t(10))
                .unwrap()
                .as_deref(),
            Some(&b"123456"[..])
        );
        assert_indexes_agree(&f, &p);
    }
}

fn nothing_is_created_under_a_missing_pool(f: &Fixture) {
    let s = &f.store;
    let gone = pool("us-east-1_gone");
    s.create_pool(&gone).unwrap();
    assert!(s.delete_pool(&gone.id).unwrap());
    assert_eq!(
        not_found(s.create_user(&gone, &user("u1", "sub-u1", &[]))),
        Missing::Pool
    );
    assert_eq!(
        not_found(s.create_users(&gone, &[user("u2", "sub-u2", &[])])),
        Missing::Pool
    );
    assert_eq!(
        not_found(s.create_group(&group(&gone.id, "g"))),
        Missing::Pool
    );
    assert_eq!(
        not_found(s.create_resource_server(&resource_server(&gone.id, "api"))),
        Missing::Pool
    );
    assert_eq!(
        not_found(s.create_identity_provider(&idp(&gone.id, "Okta", &["okta"]))),
        Missing::Pool
    );
    assert_eq!(
        not_found(s.create_client(&client(&gone.id, "abc"))),
        Missing::Pool
    );
    // Nothing at all was written under the pool.
    for table in [
        Table::Users,
        Table::UserIndex,
        Table::Groups,
        Table::ResourceServers,
        Table::IdentityProviders,
        Table::IdpIdentifiers,
        Table::Clients,
        Table::PoolClients,
    ] {
        assert!(raw_scan(f, table, b"").is_empty(), "{table:?}");
    }
}
