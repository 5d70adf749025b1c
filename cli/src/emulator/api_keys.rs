//! The API keys the emulator accepts (its own, plus test keys made through the control API),
//! each with its faults and a count of the sessions requests it made.

use std::sync::Mutex;

use postsyncer_delegation::{generate_state, Secret};
use subtle::ConstantTimeEq;

use super::faults::Faults;
use super::lock;

struct KeyEntry {
    key: Secret,
    faults: Faults,
    session_requests: u64,
}

/// Every accepted key. Few keys exist (one per test), so a constant-time scan is cheap.
pub struct ApiKeys {
    entries: Mutex<Vec<KeyEntry>>,
}

/// One sessions request, as counted against its key.
#[derive(Clone, Debug)]
pub struct CountedRequest {
    /// 1-based position among this key's sessions requests.
    pub number: u64,
    pub faults: Faults,
}

impl ApiKeys {
    /// The emulator's own key, without faults.
    pub fn new(default_key: Secret) -> ApiKeys {
        ApiKeys {
            entries: Mutex::new(vec![KeyEntry {
                key: default_key,
                faults: Faults::default(),
                session_requests: 0,
            }]),
        }
    }

    /// A new test key with these faults.
    pub fn create(&self, faults: Faults) -> Result<String, String> {
        let random = generate_state().map_err(|e| e.to_string())?;
        let key = format!("ps_test_key_{random}");
        lock(&self.entries).push(KeyEntry {
            key: Secret::new(key.clone()),
            faults,
            session_requests: 0,
        });
        Ok(key)
    }

    /// Counts a sessions request made with `presented`; `None` when no such key exists.
    pub fn count_request(&self, presented: &str) -> Option<CountedRequest> {
        let mut entries = lock(&self.entries);
        let entry = find(&mut entries, presented)?;
        entry.session_requests += 1;
        Some(CountedRequest {
            number: entry.session_requests,
            faults: entry.faults.clone(),
        })
    }

    /// How many sessions requests `key` made, any outcome; `None` for an unknown key.
    pub fn session_requests(&self, key: &str) -> Option<u64> {
        find(&mut lock(&self.entries), key).map(|e| e.session_requests)
    }
}

fn find<'a>(entries: &'a mut [KeyEntry], presented: &str) -> Option<&'a mut KeyEntry> {
    let mut found = None;
    // Compare with every key, in constant time each, so timing reveals no key's prefix.
    for (index, entry) in entries.iter().enumerate() {
        if bool::from(entry.key.expose().as_bytes().ct_eq(presented.as_bytes())) {
            found = Some(index);
        }
    }
    found.and_then(move |i| entries.get_mut(i))
}
