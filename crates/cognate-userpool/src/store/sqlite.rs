//! The durable embedded backend: one SQLite database file in WAL mode.
//!
//! # Layout
//!
//! One table, `kv(t INTEGER, k BLOB, v BLOB, PRIMARY KEY (t, k)) STRICT, WITHOUT ROWID`: the
//! table number of [`Table`], the key and the value. A `WITHOUT ROWID` table is stored as a
//! B-tree on its primary key, so a point read is one index descent and a prefix scan is one
//! range of that B-tree (`t = ? AND k >= prefix AND k < successor(prefix)`). BLOBs compare
//! with `memcmp` and then by length, which is exactly the byte order of `[u8]`, so the order
//! of a scan is the order [`super::MemoryBackend`] gives.
//!
//! The schema version is kept in `PRAGMA user_version` and the file is marked as a Cognate
//! store with `PRAGMA application_id`. A file written by a newer schema, or one that holds
//! someone else's tables, is refused at open rather than read with the wrong assumptions.
//!
//! # Concurrency
//!
//! Writes run on one writer connection behind a mutex, each in `BEGIN IMMEDIATE`, so writers
//! are serialised inside the process and, through SQLite's file lock (with a busy timeout),
//! across processes that open the same file. Reads run on a small pool of read-only
//! connections: under WAL a reader sees the last commit before its transaction started and is
//! never blocked by the writer, so readers run concurrently with it and see only committed
//! states. A transaction whose body returns an error, or panics, is rolled back.
//!
//! # Durability
//!
//! `synchronous = FULL`. In WAL mode a commit appends its pages to the `-wal` file; the
//! `synchronous` level decides whether that append is `fsync`ed before the commit returns:
//!
//! * With `NORMAL` the WAL is synced only at checkpoints. A commit that has returned is in the
//!   operating system's page cache, so it survives the *process* dying (a crash, `kill -9`):
//!   the kernel still writes the page cache out, and the next open replays the WAL. It does
//!   not survive the *machine* losing power or the kernel crashing before writeback: the last
//!   commits may roll back (the database stays consistent, it just loses them).
//! * With `FULL` the WAL is synced at every commit, so a commit that has returned also
//!   survives power loss.
//!
//! This store holds password hashes, SRP verifiers, signing keys, revocations and used
//! refresh tokens. Losing a revocation or a rotation record after a power cut would bring a
//! revoked or already-used token back to life, so `write` returning `Ok` means the record is
//! on stable storage: `FULL`. The price is one `fsync` per write transaction; reads are not
//! affected (see `docs/adr/0006-durable-store.md` for the measurements).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use super::kv::{Entries, KvBackend, KvError, KvRead, KvWrite, Table};

/// The schema this build reads and writes.
const SCHEMA_VERSION: i64 = 1;

/// `PRAGMA application_id` of a Cognate store: "Cgnt".
const APPLICATION_ID: i64 = 0x4367_6e74;

/// How long a connection waits for another process's lock before it reports busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Reader connections kept open between reads. More may be open at once under load; the
/// extra ones are closed when they are handed back.
const MAX_IDLE_READERS: usize = 4;

/// The WAL file is truncated back to this size after a checkpoint.
const JOURNAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

const CREATE_SCHEMA: &str = "CREATE TABLE kv (
    t INTEGER NOT NULL,
    k BLOB NOT NULL,
    v BLOB NOT NULL,
    PRIMARY KEY (t, k)
) STRICT, WITHOUT ROWID";

const GET: &str = "SELECT v FROM kv WHERE t = ?1 AND k = ?2";
const PUT: &str = "INSERT INTO kv (t, k, v) VALUES (?1, ?2, ?3)
    ON CONFLICT (t, k) DO UPDATE SET v = excluded.v";
const DELETE: &str = "DELETE FROM kv WHERE t = ?1 AND k = ?2";
const SCAN_FROM_TO: &str =
    "SELECT k, v FROM kv WHERE t = ?1 AND k >= ?2 AND k < ?3 ORDER BY k LIMIT ?4";
const SCAN_AFTER_TO: &str =
    "SELECT k, v FROM kv WHERE t = ?1 AND k > ?2 AND k < ?3 ORDER BY k LIMIT ?4";
const SCAN_FROM: &str = "SELECT k, v FROM kv WHERE t = ?1 AND k >= ?2 ORDER BY k LIMIT ?3";
const SCAN_AFTER: &str = "SELECT k, v FROM kv WHERE t = ?1 AND k > ?2 ORDER BY k LIMIT ?3";

fn backend(e: rusqlite::Error) -> KvError {
    KvError::Backend(e.to_string())
}

/// A durable [`KvBackend`] in one SQLite file (WAL mode, `synchronous = FULL`).
///
/// Writers are serialised on one connection; readers use a small pool of read-only
/// connections and run alongside the writer. See the module documentation for the layout and
/// the durability reasoning.
pub struct SqliteBackend {
    writer: Mutex<Connection>,
    /// `None` for an in-memory database, whose only connection is the writer's.
    readers: Option<ReaderPool>,
}

struct ReaderPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl fmt::Debug for SqliteBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("SqliteBackend");
        match &self.readers {
            Some(pool) => d.field("path", &pool.path),
            None => d.field("path", &":memory:"),
        };
        d.finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking transaction body is rolled back by its guard before the mutex is released,
    // and every transaction starts by rolling back anything left open, so a poisoned lock
    // still guards a usable connection.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SqliteBackend {
    /// Opens the store at `path`, creating the file (mode 0600 on Unix: it holds password
    /// hashes and keys) and its parent directory (mode 0700) when they do not exist. The
    /// permissions of an existing file are left as they are.
    ///
    /// Fails when the file is not a SQLite database, belongs to another application, or was
    /// written by a newer version of Cognate (its schema version is higher than this build
    /// knows).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, KvError> {
        let path = path.as_ref();
        create_private_file(path)?;
        let writer = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| KvError::Backend(format!("opening {}: {e}", path.display())))?;
        writer.busy_timeout(BUSY_TIMEOUT).map_err(backend)?;
        check_schema(&writer)?;
        let mode: String = writer
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(backend)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(KvError::Backend(format!(
                "{}: cannot switch to WAL mode (journal mode stays {mode})",
                path.display()
            )));
        }
        writer
            .execute_batch(&format!(
                "PRAGMA synchronous = FULL; PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT};"
            ))
            .map_err(backend)?;
        init_schema(&writer)?;
        let backend = Self {
            writer: Mutex::new(writer),
            readers: Some(ReaderPool {
                path: path.to_owned(),
                idle: Mutex::new(Vec::new()),
            }),
        };
        // Open one reader now, so a file the readers cannot use fails here and not later.
        if let Some(pool) = &backend.readers {
            let conn = pool.take()?;
            pool.give(conn);
        }
        Ok(backend)
    }

    /// A private in-memory database, for tests. It is not durable, and its reads share the
    /// writer's connection (an in-memory database has no WAL), so they wait for writes.
    pub fn open_in_memory() -> Result<Self, KvError> {
        let conn = Connection::open_in_memory().map_err(backend)?;
        check_schema(&conn)?;
        init_schema(&conn)?;
        Ok(Self {
            writer: Mutex::new(conn),
            readers: None,
        })
    }

    /// Runs SQLite's `PRAGMA integrity_check` over the whole file: every B-tree page, every
    /// index entry. Returns [`KvError::Corrupt`] with SQLite's findings when it is not `ok`.
    pub fn check_integrity(&self) -> Result<(), KvError> {
        let conn = lock(&self.writer);
        let mut stmt = conn.prepare("PRAGMA integrity_check").map_err(backend)?;
        let findings = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(backend)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(backend)?;
        if findings.len() == 1 && findings.first().is_some_and(|f| f == "ok") {
            Ok(())
        } else {
            Err(KvError::Corrupt(findings.join("; ")))
        }
    }
}

/// Creates `path` with mode 0600 (and its parent with 0700) when missing.
fn create_private_file(path: &Path) -> Result<(), KvError> {
    let io = |what: &str, p: &Path, e: std::io::Error| {
        KvError::Backend(format!("{what} {}: {e}", p.display()))
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.exists() {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder
                .create(parent)
                .map_err(|e| io("creating directory", parent, e))?;
        }
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .map_err(|e| io("creating", path, e))
        .map(drop)
}

/// Refuses files that are not (or not yet) Cognate stores of a version this build reads.
fn check_schema(conn: &Connection) -> Result<(), KvError> {
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(backend)?;
    let app: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(backend)?;
    if app != 0 && app != APPLICATION_ID {
        return Err(KvError::Backend(format!(
            "not a Cognate store (application_id {app:#x})"
        )));
    }
    if version > SCHEMA_VERSION {
        return Err(KvError::Backend(format!(
            "the store's schema version is {version}, newer than this build of Cognate \
             supports ({SCHEMA_VERSION}); upgrade Cognate to open it"
        )));
    }
    if version == 0 {
        let objects: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .map_err(backend)?;
        if objects != 0 {
            return Err(KvError::Backend(
                "not a Cognate store (the database has other tables and no schema version)"
                    .to_owned(),
            ));
        }
    }
    Ok(())
}

/// Creates the schema in a new file. Another process may be doing the same: the version is
/// read again under the write lock.
fn init_schema(conn: &Connection) -> Result<(), KvError> {
    conn.execute_batch("BEGIN IMMEDIATE").map_err(backend)?;
    let txn = TxnGuard::new(conn);
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(backend)?;
    if version == 0 {
        conn.execute_batch(&format!(
            "{CREATE_SCHEMA};
             PRAGMA application_id = {APPLICATION_ID};
             PRAGMA user_version = {SCHEMA_VERSION};"
        ))
        .map_err(backend)?;
    }
    txn.commit()
}

/// Rolls back the open transaction of a connection unless it was committed: when the body
/// fails, when it panics, when `COMMIT` itself fails.
struct TxnGuard<'c> {
    conn: &'c Connection,
    open: bool,
}

impl<'c> TxnGuard<'c> {
    fn new(conn: &'c Connection) -> Self {
        Self { conn, open: true }
    }

    fn commit(mut self) -> Result<(), KvError> {
        self.conn.execute_batch("COMMIT").map_err(backend)?;
        self.open = false;
        Ok(())
    }
}

impl Drop for TxnGuard<'_> {
    fn drop(&mut self) {
        if self.open && !self.conn.is_autocommit() {
            // Nothing to report to: if the rollback fails the connection still holds the
            // transaction, and the next user of the connection rolls it back first.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

/// Makes sure a connection is outside any transaction (one left open by a panic, for example).
fn reset(conn: &Connection) -> Result<(), KvError> {
    if !conn.is_autocommit() {
        conn.execute_batch("ROLLBACK").map_err(backend)?;
    }
    Ok(())
}

fn run_read(
    conn: &Connection,
    body: &mut dyn FnMut(&dyn KvRead) -> Result<(), KvError>,
) -> Result<(), KvError> {
    reset(conn)?;
    // A deferred transaction: its snapshot is taken at the first read and held to the end, so
    // every read of the body sees the same committed state.
    conn.execute_batch("BEGIN").map_err(backend)?;
    let txn = TxnGuard::new(conn);
    body(&Conn(conn))?;
    txn.commit()
}

impl ReaderPool {
    fn take(&self) -> Result<Connection, KvError> {
        if let Some(conn) = lock(&self.idle).pop() {
            return Ok(conn);
        }
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| KvError::Backend(format!("opening {}: {e}", self.path.display())))?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(backend)?;
        Ok(conn)
    }

    fn give(&self, conn: Connection) {
        let mut idle = lock(&self.idle);
        if conn.is_autocommit() && idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
    }
}

/// A connection inside a transaction, as the store sees it.
struct Conn<'c>(&'c Connection);

fn limit_param(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// The smallest key greater than every key that starts with `prefix`, if there is one: the
/// prefix with its trailing `0xFF` bytes dropped and the last remaining byte incremented. A
/// prefix of only `0xFF` bytes (or an empty one) has no such bound.
fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut s = prefix.to_vec();
    while let Some(last) = s.pop() {
        if let Some(next) = last.checked_add(1) {
            s.push(next);
            return Some(s);
        }
    }
    None
}

impl KvRead for Conn<'_> {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, KvError> {
        let mut stmt = self.0.prepare_cached(GET).map_err(backend)?;
        stmt.query_row(params![table.id(), key], |r| r.get(0))
            .optional()
            .map_err(backend)
    }

    fn scan(
        &self,
        table: Table,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Entries, KvError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let (lower, exclusive) = match start_after {
            Some(after) if after >= prefix => (after, true),
            _ => (prefix, false),
        };
        let upper = prefix_successor(prefix);
        let t = table.id();
        let n = limit_param(limit);
        let row = |r: &rusqlite::Row<'_>| Ok((r.get(0)?, r.get(1)?));
        let sql = match (exclusive, upper.is_some()) {
            (false, true) => SCAN_FROM_TO,
            (true, true) => SCAN_AFTER_TO,
            (false, false) => SCAN_FROM,
            (true, false) => SCAN_AFTER,
        };
        let mut stmt = self.0.prepare_cached(sql).map_err(backend)?;
        let rows = match &upper {
            Some(upper) => stmt.query_map(params![t, lower, upper, n], row),
            None => stmt.query_map(params![t, lower, n], row),
        };
        let mut out = Vec::new();
        for entry in rows.map_err(backend)? {
            out.push(entry.map_err(backend)?);
        }
        Ok(out)
    }
}

impl KvWrite for Conn<'_> {
    fn put(&mut self, table: Table, key: &[u8], value: &[u8]) -> Result<(), KvError> {
        let mut stmt = self.0.prepare_cached(PUT).map_err(backend)?;
        stmt.execute(params![table.id(), key, value])
            .map(drop)
            .map_err(backend)
    }

    fn delete(&mut self, table: Table, key: &[u8]) -> Result<bool, KvError> {
        let mut stmt = self.0.prepare_cached(DELETE).map_err(backend)?;
        stmt.execute(params![table.id(), key])
            .map(|n| n > 0)
            .map_err(backend)
    }
}

impl KvBackend for SqliteBackend {
    fn read(
        &self,
        body: &mut dyn FnMut(&dyn KvRead) -> Result<(), KvError>,
    ) -> Result<(), KvError> {
        match &self.readers {
            None => run_read(&lock(&self.writer), body),
            Some(pool) => {
                // On a panic in `body` the connection is dropped (closing it ends the
                // transaction) instead of going back to the pool.
                let conn = pool.take()?;
                let result = run_read(&conn, body);
                pool.give(conn);
                result
            }
        }
    }

    fn write(
        &self,
        body: &mut dyn FnMut(&mut dyn KvWrite) -> Result<(), KvError>,
    ) -> Result<(), KvError> {
        let conn = lock(&self.writer);
        reset(&conn)?;
        conn.execute_batch("BEGIN IMMEDIATE").map_err(backend)?;
        let txn = TxnGuard::new(&conn);
        body(&mut Conn(&conn))?;
        txn.commit()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn successor_of_prefixes() {
        assert_eq!(prefix_successor(b""), None);
        assert_eq!(prefix_successor(b"a"), Some(b"b".to_vec()));
        assert_eq!(prefix_successor(b"a\0"), Some(b"a\x01".to_vec()));
        assert_eq!(prefix_successor(b"a\xff"), Some(b"b".to_vec()));
        assert_eq!(prefix_successor(b"a\xfe\xff\xff"), Some(b"a\xff".to_vec()));
        assert_eq!(prefix_successor(b"\xff\xff"), None);
    }

    fn plan(conn: &Connection, sql: &str, args: usize) -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let blobs: Vec<rusqlite::types::Value> = (0..args)
            .map(|i| {
                if i == 0 {
                    rusqlite::types::Value::Integer(3)
                } else {
                    rusqlite::types::Value::Blob(b"x".to_vec())
                }
            })
            .collect();
        let rows = stmt
            .query_map(rusqlite::params_from_iter(blobs), |r| r.get::<_, String>(3))
            .unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join(" | ")
    }

    #[test]
    fn lookups_and_scans_search_the_primary_key() {
        let db = SqliteBackend::open_in_memory().unwrap();
        let conn = lock(&db.writer);
        assert_eq!(
            plan(&conn, GET, 2),
            "SEARCH kv USING PRIMARY KEY (t=? AND k=?)"
        );
        for (sql, args, op) in [
            (SCAN_FROM_TO, 4, "k>? AND k<?"),
            (SCAN_AFTER_TO, 4, "k>? AND k<?"),
            (SCAN_FROM, 3, "k>?"),
            (SCAN_AFTER, 3, "k>?"),
        ] {
            // No sort step: the rows come out of the B-tree in key order.
            assert_eq!(
                plan(&conn, sql, args),
                format!("SEARCH kv USING PRIMARY KEY (t=? AND {op})"),
                "{sql}"
            );
        }
    }

    #[test]
    fn refuses_a_newer_schema_and_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        drop(SqliteBackend::open(&path).unwrap());
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("PRAGMA user_version = 2").unwrap();
        }
        let err = SqliteBackend::open(&path).unwrap_err().to_string();
        assert!(err.contains("schema version is 2"), "{err}");
        assert!(err.contains("upgrade Cognate"), "{err}");

        let other = dir.path().join("other.db");
        {
            let conn = Connection::open(&other).unwrap();
            conn.execute_batch("CREATE TABLE users (name TEXT)")
                .unwrap();
        }
        let err = SqliteBackend::open(&other).unwrap_err().to_string();
        assert!(err.contains("not a Cognate store"), "{err}");

        let garbage = dir.path().join("garbage.db");
        std::fs::write(&garbage, vec![0x5a; 8192]).unwrap();
        assert!(matches!(
            SqliteBackend::open(&garbage),
            Err(KvError::Backend(_))
        ));
    }

    #[test]
    fn opens_its_own_file_again_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/store.db");
        let db = SqliteBackend::open(&path).unwrap();
        db.write(&mut |w| w.put(Table::Pools, b"k", b"v")).unwrap();
        drop(db);
        let db = SqliteBackend::open(&path).unwrap();
        let conn = lock(&db.writer);
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "synchronous = FULL");
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        drop(conn);
        let mut got = None;
        db.read(&mut |r| {
            got = r.get(Table::Pools, b"k")?;
            Ok(())
        })
        .unwrap();
        assert_eq!(got.as_deref(), Some(&b"v"[..]));
        db.check_integrity().unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let parent = dir.path().join("state");
        let path = parent.join("store.db");
        let db = SqliteBackend::open(&path).unwrap();
        db.write(&mut |w| w.put(Table::Pools, b"k", b"v")).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&parent), 0o700);
        // SQLite gives the WAL and shared-memory files the database file's permissions.
        for suffix in ["-wal", "-shm"] {
            let side = parent.join(format!("store.db{suffix}"));
            assert_eq!(mode(&side), 0o600, "{suffix}");
        }
    }

    #[test]
    fn a_panicking_body_is_rolled_back_and_the_backend_stays_usable() {
        let dir = tempfile::tempdir().unwrap();
        for db in [
            SqliteBackend::open(dir.path().join("p.db")).unwrap(),
            SqliteBackend::open_in_memory().unwrap(),
        ] {
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let _ = db.write(&mut |w| {
                    w.put(Table::Users, b"half", b"done")?;
                    panic!("body failed half way");
                });
            }));
            assert!(caught.is_err());
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let _ = db.read(&mut |_| panic!("reader failed"));
            }));
            assert!(caught.is_err());
            db.write(&mut |w| w.put(Table::Users, b"after", b"ok"))
                .unwrap();
            let mut seen = Vec::new();
            db.read(&mut |r| {
                seen = r.scan(Table::Users, b"", None, 10)?;
                Ok(())
            })
            .unwrap();
            assert_eq!(seen, vec![(b"after".to_vec(), b"ok".to_vec())]);
        }
    }
}
