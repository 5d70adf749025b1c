//! `MemoryStore`: pending records in this process's memory, bounded in entries.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::store::{StateStore, StoreError, StoreFuture};

/// The default bound: 100 flows begun every second for a quarter of an hour; about 50 MB
/// at records of 500 bytes (a record is its callback URL, subject and metadata, plus ~150
/// bytes).
pub const DEFAULT_MEMORY_STORE_CAPACITY: usize = 100_000;

/// Pending records in this process's memory: the default store.
///
/// Right for one process (a single server, tests, the demo). A fleet, or a server that
/// forks workers (each child gets its own copy), needs a shared store: Redis or the
/// application's database.
///
/// Bounded in entries: when full, expired records are evicted, and if it is still full the
/// new record is refused (`store_unavailable`), so a flood of `begin` calls cannot grow the
/// process without limit; flows already begun are never pushed out by new ones. Takes are
/// atomic under one mutex.
pub struct MemoryStore {
    capacity: usize,
    entries: Mutex<HashMap<String, Entry>>,
}

struct Entry {
    record: String,
    expires: Instant,
}

impl MemoryStore {
    /// A store of at most [`DEFAULT_MEMORY_STORE_CAPACITY`] records.
    pub fn new() -> Self {
        MemoryStore::with_capacity(DEFAULT_MEMORY_STORE_CAPACITY)
    }

    /// A store of at most `capacity` records (at least 1).
    pub fn with_capacity(capacity: usize) -> Self {
        MemoryStore {
            capacity: capacity.max(1),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// How many records it holds now, expired ones not yet evicted included.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// Whether it holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most records it holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The map; a panic while it was held (none of the code under it panics) cannot leave
    /// it half-updated, so a poisoned lock is used as it is.
    fn entries(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn put_now(&self, key: &str, record: &str, ttl_seconds: u64) -> Result<(), StoreError> {
        let now = Instant::now();
        let ttl = Duration::from_secs(ttl_seconds.max(1));
        let expires = now.checked_add(ttl).ok_or_else(|| {
            StoreError::new(format!("a time-to-live of {ttl_seconds} s is out of range"))
        })?;
        let mut entries = self.entries();
        if let Some(old) = entries.get(key) {
            if old.expires > now {
                return Err(StoreError::new(
                    "a live record is already stored under this key",
                ));
            }
        }
        if entries.len() >= self.capacity && !entries.contains_key(key) {
            entries.retain(|_, entry| entry.expires > now);
            if entries.len() >= self.capacity {
                return Err(StoreError::new(format!(
                    "the in-memory store is full ({} pending flows, none expired): \
                     raise its capacity, or use a shared store such as Redis",
                    self.capacity
                )));
            }
        }
        entries.insert(
            key.to_owned(),
            Entry {
                record: record.to_owned(),
                expires,
            },
        );
        Ok(())
    }

    fn take_now(&self, key: &str) -> Option<String> {
        let entry = self.entries().remove(key)?;
        (entry.expires > Instant::now()).then_some(entry.record)
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new()
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish()
    }
}

impl StateStore for MemoryStore {
    fn put<'a>(&'a self, key: &'a str, record: &'a str, ttl_seconds: u64) -> StoreFuture<'a, ()> {
        let result = self.put_now(key, record, ttl_seconds);
        Box::pin(async move { result })
    }

    fn take<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<String>> {
        let taken = self.take_now(key);
        Box::pin(async move { Ok(taken) })
    }

    fn put_blocking(&self, key: &str, record: &str, ttl_seconds: u64) -> Result<(), StoreError> {
        self.put_now(key, record, ttl_seconds)
    }

    fn take_blocking(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.take_now(key))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn a_record_is_taken_once() {
        let store = MemoryStore::new();
        store.put_blocking("k", "r", 60).unwrap();
        assert_eq!(store.take_blocking("k").unwrap().as_deref(), Some("r"));
        assert_eq!(store.take_blocking("k").unwrap(), None);
        assert!(store.is_empty());
    }

    #[test]
    fn a_live_key_is_not_overwritten() {
        let store = MemoryStore::new();
        store.put_blocking("k", "first", 60).unwrap();
        assert!(store.put_blocking("k", "second", 60).is_err());
        assert_eq!(store.take_blocking("k").unwrap().as_deref(), Some("first"));
    }

    #[test]
    fn when_full_new_records_are_refused_and_old_ones_kept() {
        let store = MemoryStore::with_capacity(2);
        store.put_blocking("a", "1", 60).unwrap();
        store.put_blocking("b", "2", 60).unwrap();
        let refused = store.put_blocking("c", "3", 60).unwrap_err();
        assert!(refused.message().contains("full"), "{refused}");
        assert_eq!(store.take_blocking("a").unwrap().as_deref(), Some("1"));
        store.put_blocking("c", "3", 60).unwrap();
        assert_eq!(store.len(), 2);
    }

    #[test]
    fn expired_records_are_not_taken_and_are_evicted_when_full() {
        let store = MemoryStore::with_capacity(2);
        store.put_blocking("a", "1", 1).unwrap();
        store.put_blocking("b", "2", 1).unwrap();
        std::thread::sleep(Duration::from_millis(1100));
        assert_eq!(store.take_blocking("a").unwrap(), None, "expired");
        store.put_blocking("c", "3", 60).unwrap();
        store.put_blocking("d", "4", 60).unwrap();
        assert_eq!(store.len(), 2, "b was evicted to make room");
        assert_eq!(store.take_blocking("b").unwrap(), None);
    }
}
