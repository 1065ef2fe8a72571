//! The storage seam: a small transactional key-value interface that any database can offer.
//!
//! The typed [`super::Store`] is written once over it, so every backend keeps the same unique
//! constraints and the same record format. A backend must give serialisable write transactions
//! (a write either happens completely or not at all, and two writers never interleave) and
//! reads that see only committed data.

use thiserror::Error;

/// A table of the store. Keys are unique within a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Table {
    /// Pools by ID.
    Pools = 1,
    /// Each pool's signing keys (JSON from `PoolKeys::to_json`).
    PoolKeys = 2,
    /// Users by pool and username key.
    Users = 3,
    /// Unique user indexes (sub, aliases) → username key.
    UserIndex = 4,
    /// Groups by pool and name.
    Groups = 5,
    /// Group members by pool, group, username key.
    GroupMembers = 6,
    /// A user's groups by pool, username key, group.
    UserGroups = 7,
    /// App clients by client ID (client IDs are unique across pools).
    Clients = 8,
    /// Client IDs by pool.
    PoolClients = 9,
    /// Resource servers by pool and identifier.
    ResourceServers = 10,
    /// Identity providers by pool and name.
    IdentityProviders = 11,
    /// IdP identifiers by pool and identifier → provider name.
    IdpIdentifiers = 12,
    /// Short-lived records (sessions, codes, revocations) by kind and key.
    Ephemeral = 13,
    /// Expiry index of [`Table::Ephemeral`]: big-endian expiry, kind and key.
    Expiry = 14,
    /// Domain prefixes → pool.
    Domains = 15,
}

impl Table {
    /// The table's number, as backends store it.
    pub fn id(self) -> u8 {
        self as u8
    }
}

/// A failure of the storage backend itself (not a rule of the model).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum KvError {
    /// The database reported an error.
    #[error("storage backend error: {0}")]
    Backend(String),
    /// A stored record could not be read back.
    #[error("stored record is corrupt: {0}")]
    Corrupt(String),
    /// The transaction was aborted by its body (the body's own error travels separately).
    #[error("transaction aborted")]
    Aborted,
}

/// Key-value pairs in key order, as [`KvRead::scan`] returns them.
pub type Entries = Vec<(Vec<u8>, Vec<u8>)>;

/// Read access inside a transaction.
pub trait KvRead {
    /// The value under `key`.
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, KvError>;

    /// Up to `limit` entries whose key starts with `prefix`, in key order, starting after
    /// `start_after` when given.
    fn scan(
        &self,
        table: Table,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Entries, KvError>;
}

/// Write access inside a transaction.
pub trait KvWrite: KvRead {
    /// Stores `value` under `key`, replacing any previous value.
    fn put(&mut self, table: Table, key: &[u8], value: &[u8]) -> Result<(), KvError>;

    /// Removes `key`; whether it was present.
    fn delete(&mut self, table: Table, key: &[u8]) -> Result<bool, KvError>;
}

/// A transactional key-value backend.
pub trait KvBackend: Send + Sync {
    /// Runs `body` over a consistent snapshot.
    fn read(&self, body: &mut dyn FnMut(&dyn KvRead) -> Result<(), KvError>)
        -> Result<(), KvError>;

    /// Runs `body` in a write transaction and commits it when `body` returns `Ok`; on `Err`
    /// nothing of it is kept. When this returns `Ok`, the write is durable as far as the
    /// backend promises (the SQLite store: it survives the process being killed).
    fn write(
        &self,
        body: &mut dyn FnMut(&mut dyn KvWrite) -> Result<(), KvError>,
    ) -> Result<(), KvError>;
}
