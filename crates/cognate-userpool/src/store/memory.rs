//! The in-memory backend: a sorted map behind a read-write lock, with an undo log so a failed
//! transaction leaves nothing behind.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::kv::{KvBackend, KvError, KvRead, KvWrite, Table};

type Map = BTreeMap<(u8, Vec<u8>), Vec<u8>>;

/// Previous values of the entries a transaction changed, oldest first.
type Undo = Vec<((u8, Vec<u8>), Option<Vec<u8>>)>;

/// An in-memory [`KvBackend`]. Writers are serialised; readers see only committed data.
#[derive(Debug, Default)]
pub struct MemoryBackend {
    map: RwLock<Map>,
}

impl MemoryBackend {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn read_guard(&self) -> RwLockReadGuard<'_, Map> {
        // A panic in another thread cannot leave a half-applied transaction (the undo log runs
        // before the guard is released), so a poisoned lock still holds consistent data.
        self.map.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write_guard(&self) -> RwLockWriteGuard<'_, Map> {
        self.map.write().unwrap_or_else(|e| e.into_inner())
    }
}

fn get(map: &Map, table: Table, key: &[u8]) -> Option<Vec<u8>> {
    map.get(&(table.id(), key.to_vec())).cloned()
}

fn scan(
    map: &Map,
    table: Table,
    prefix: &[u8],
    start_after: Option<&[u8]>,
    limit: usize,
) -> Vec<(Vec<u8>, Vec<u8>)> {
    let t = table.id();
    let lower = match start_after {
        Some(after) if after >= prefix => Bound::Excluded((t, after.to_vec())),
        _ => Bound::Included((t, prefix.to_vec())),
    };
    map.range((lower, Bound::Unbounded))
        .take_while(|((tt, k), _)| *tt == t && k.starts_with(prefix))
        .take(limit)
        .map(|((_, k), v)| (k.clone(), v.clone()))
        .collect()
}

struct Reader<'a>(&'a Map);

impl KvRead for Reader<'_> {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, KvError> {
        Ok(get(self.0, table, key))
    }
    fn scan(
        &self,
        table: Table,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, KvError> {
        Ok(scan(self.0, table, prefix, start_after, limit))
    }
}

struct Writer<'a> {
    map: &'a mut Map,
    undo: Undo,
    committed: bool,
}

impl Drop for Writer<'_> {
    /// Rolls back unless committed, also when the transaction body panicked.
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        for (k, old) in std::mem::take(&mut self.undo).into_iter().rev() {
            match old {
                Some(v) => {
                    self.map.insert(k, v);
                }
                None => {
                    self.map.remove(&k);
                }
            }
        }
    }
}

impl KvRead for Writer<'_> {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, KvError> {
        Ok(get(self.map, table, key))
    }
    fn scan(
        &self,
        table: Table,
        prefix: &[u8],
        start_after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, KvError> {
        Ok(scan(self.map, table, prefix, start_after, limit))
    }
}

impl KvWrite for Writer<'_> {
    fn put(&mut self, table: Table, key: &[u8], value: &[u8]) -> Result<(), KvError> {
        let k = (table.id(), key.to_vec());
        let old = self.map.insert(k.clone(), value.to_vec());
        self.undo.push((k, old));
        Ok(())
    }
    fn delete(&mut self, table: Table, key: &[u8]) -> Result<bool, KvError> {
        let k = (table.id(), key.to_vec());
        let old = self.map.remove(&k);
        let existed = old.is_some();
        if existed {
            self.undo.push((k, old));
        }
        Ok(existed)
    }
}

impl KvBackend for MemoryBackend {
    fn read(
        &self,
        body: &mut dyn FnMut(&dyn KvRead) -> Result<(), KvError>,
    ) -> Result<(), KvError> {
        let guard = self.read_guard();
        body(&Reader(&guard))
    }

    fn write(
        &self,
        body: &mut dyn FnMut(&mut dyn KvWrite) -> Result<(), KvError>,
    ) -> Result<(), KvError> {
        let mut guard = self.write_guard();
        let mut w = Writer {
            map: &mut guard,
            undo: Vec::new(),
            committed: false,
        };
        let result = body(&mut w);
        w.committed = result.is_ok();
        drop(w);
        result
    }
}
