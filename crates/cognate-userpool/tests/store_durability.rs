//! Durability of the SQLite store against `kill -9`: a child process writes users in a loop
//! and prints each username once `create_user` has returned; the parent kills it with SIGKILL
//! at an arbitrary moment, opens the file again and checks that every acknowledged write is
//! there, intact, with the unique indexes agreeing with the users table.
//!
//! The child is this test binary itself, run again with the `write_loop` test selected and
//! `COGNATE_DURABILITY_DB` naming the file. Run on its own, `write_loop` writes and checks a
//! short batch instead.
#![cfg(feature = "sqlite")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cognate_userpool::model::{User, UserPool};
use cognate_userpool::store::{Conflict, KvBackend, SqliteBackend, Store, StoreError};
use common::{alias_pool, assert_indexes_agree, user_with_email};

const DB_ENV: &str = "COGNATE_DURABILITY_DB";
const PREFIX_ENV: &str = "COGNATE_DURABILITY_PREFIX";
const POOL: &str = "us-east-1_durable";
/// Every this many users, the child also updates an earlier one.
const UPDATE_EVERY: usize = 7;
/// The child stops by itself after this long, should the parent never kill it.
const CHILD_LIMIT: Duration = Duration::from_secs(60);

fn the_user(name: &str) -> User {
    user_with_email(name, &format!("sub-{name}"), &format!("{name}@example.com"))
}

fn open(path: &Path) -> (Store, Arc<SqliteBackend>) {
    let kv = Arc::new(SqliteBackend::open(path).unwrap());
    (Store::new(kv.clone()), kv)
}

fn ensure_pool(store: &Store) -> UserPool {
    let pool = alias_pool(POOL);
    match store.create_pool(&pool) {
        Ok(()) | Err(StoreError::Conflict(Conflict::Pool)) => pool,
        Err(e) => panic!("creating the pool: {e}"),
    }
}

/// Creates users `{prefix}-0`, `{prefix}-1` ... and every [`UPDATE_EVERY`] users renames an
/// earlier one, printing `ACK name` / `UPD name` after each write returns. Stops after `max`
/// users or [`CHILD_LIMIT`].
fn write_users(path: &Path, prefix: &str, max: usize, out: &mut dyn Write) {
    let (store, _) = open(path);
    let pool = ensure_pool(&store);
    let start = Instant::now();
    for i in 0..max {
        if start.elapsed() > CHILD_LIMIT {
            break;
        }
        let name = format!("{prefix}-{i}");
        store.create_user(&pool, &the_user(&name)).unwrap();
        writeln!(out, "ACK {name}").unwrap();
        out.flush().unwrap();
        if i % UPDATE_EVERY == UPDATE_EVERY - 1 {
            let earlier = format!("{prefix}-{}", i / 2);
            let mut u = store.get_user(&pool, &earlier).unwrap().unwrap();
            u.attributes
                .insert("name".to_owned(), format!("renamed {earlier}"));
            store.update_user(&pool, &mut u).unwrap();
            writeln!(out, "UPD {earlier}").unwrap();
            out.flush().unwrap();
        }
    }
}

/// What the parent learned from the child's output.
#[derive(Default)]
struct Acknowledged {
    created: BTreeSet<String>,
    updated: BTreeSet<String>,
}

/// Checks every acknowledged write is in the store at `path`, and the store is consistent.
fn verify(path: &Path, acked: &Acknowledged, at_most_unacked: usize) {
    let (store, kv) = open(path);
    kv.check_integrity().unwrap();
    let pool = alias_pool(POOL);
    for name in &acked.created {
        let stored = store
            .get_user(&pool, name)
            .unwrap()
            .unwrap_or_else(|| panic!("acknowledged user {name} is missing"));
        let mut expected = the_user(name);
        expected.version = 1;
        if acked.updated.contains(name) {
            expected
                .attributes
                .insert("name".to_owned(), format!("renamed {name}"));
            expected.version = 2;
        }
        if stored.version == 2 && !acked.updated.contains(name) {
            // An update that committed but was killed before it was acknowledged.
            expected
                .attributes
                .insert("name".to_owned(), format!("renamed {name}"));
            expected.version = 2;
        }
        assert_eq!(stored, expected, "{name}");
        let by_alias = store
            .find_user_for_sign_in(&pool, &format!("{name}@example.com"))
            .unwrap();
        assert_eq!(by_alias.as_ref(), Some(&stored), "{name} by e-mail");
        let by_sub = store
            .get_user_by_index(&pool, "sub", &format!("sub-{name}"))
            .unwrap();
        assert_eq!(by_sub.as_ref(), Some(&stored), "{name} by sub");
    }
    let all = store.list_users(&pool.id, None, usize::MAX).unwrap();
    let extra: Vec<&str> = all
        .iter()
        .map(|u| u.username.as_str())
        .filter(|n| !acked.created.contains(*n))
        .collect();
    assert!(
        extra.len() <= at_most_unacked,
        "users that were never acknowledged (at most one per kill): {extra:?}; acknowledged: {:?}",
        acked.created
    );
    assert_indexes_agree(&store, kv.as_ref() as &dyn KvBackend, &pool);
}

/// The child: with `COGNATE_DURABILITY_DB` set, writes to that file until it is killed. On its
/// own, writes a short batch to a temporary file and checks it like the parent would.
#[test]
fn write_loop() {
    if let Some(path) = std::env::var_os(DB_ENV) {
        let prefix = std::env::var(PREFIX_ENV).unwrap();
        let mut out = std::io::stdout();
        // The test harness may have left its own output on the current line.
        writeln!(out).unwrap();
        write_users(Path::new(&path), &prefix, usize::MAX, &mut out);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let mut out = Vec::new();
    write_users(&path, "solo", 3 * UPDATE_EVERY, &mut out);
    let acked = parse(&String::from_utf8(out).unwrap());
    assert_eq!(acked.created.len(), 3 * UPDATE_EVERY);
    assert_eq!(acked.updated.len(), 3);
    verify(&path, &acked, 0);
}

fn parse(output: &str) -> Acknowledged {
    let mut acked = Acknowledged::default();
    for line in output.lines() {
        record(line, &mut acked);
    }
    acked
}

fn record(line: &str, acked: &mut Acknowledged) {
    if let Some(name) = line.strip_prefix("ACK ") {
        acked.created.insert(name.to_owned());
    } else if let Some(name) = line.strip_prefix("UPD ") {
        acked.updated.insert(name.to_owned());
    }
}

#[test]
fn kill_9_keeps_every_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let exe = std::env::current_exe().unwrap();
    let mut acked = Acknowledged::default();
    const ROUNDS: usize = 3;
    for round in 0..ROUNDS {
        let mut child = Command::new(&exe)
            .args(["write_loop", "--exact", "--quiet", "--test-threads=1"])
            .env(DB_ENV, &path)
            .env(PREFIX_ENV, format!("k{round}"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap());
        // Kill after a different number of writes each round, while the child is writing.
        let kill_after = 60 + 45 * round;
        let mut created = 0;
        let mut line = String::new();
        let mut killed = false;
        loop {
            line.clear();
            if lines.read_line(&mut line).unwrap() == 0 {
                break;
            }
            // A line without its newline was cut by the kill: not an acknowledgement.
            if let Some(complete) = line.strip_suffix('\n') {
                if complete.starts_with("ACK ") {
                    created += 1;
                }
                record(complete, &mut acked);
            }
            if created >= kill_after && !killed {
                child.kill().unwrap();
                killed = true;
                // Keep reading: what the child printed before it died was acknowledged.
            }
        }
        let status = child.wait().unwrap();
        assert!(killed, "the child stopped by itself: {status}");
        assert!(!status.success());
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(status.signal(), Some(9), "{status}");
        }
        assert!(created >= kill_after);
        // At most one committed but unacknowledged user per kill so far.
        verify(&path, &acked, round + 1);
    }
    assert!(acked.created.len() >= 60 + 105 + 150);
    assert!(!acked.updated.is_empty());
}
