//! Pending authorization requests: the opaque, single-use `psd_` tokens of authorize URLs.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use postsyncer_delegation::{generate_state, ConfigError, Platform};

use super::faults::ProofFault;
use super::lock;

/// How long an authorize URL stays valid, as PostSyncer says in `expires_in`.
pub const REQUEST_LIFETIME: Duration = Duration::from_secs(900);

/// Requests older than this are forgotten (then 404 instead of 410).
const FORGET_AFTER: Duration = Duration::from_secs(3600);

/// How many requests are kept at once unless `--max-pending-sessions` says otherwise. A
/// request holds at most a 2048-byte callback URL and a 255-character state, so the store
/// stays within tens of megabytes whatever clients send. Enough for a load test: the oldest
/// of 10000 sessions is older than any test waits to use one.
pub const DEFAULT_MAX_PENDING: u32 = 10_000;

/// What a session was created with.
#[derive(Clone, Debug)]
pub struct SessionRequest {
    pub platform: Platform,
    pub callback_url: String,
    pub state: String,
    pub proof_fault: Option<ProofFault>,
}

struct Entry {
    session: SessionRequest,
    created: Instant,
    used: bool,
}

/// Why a token cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// No such token (never issued, or long forgotten).
    Unknown,
    /// Already used.
    Used,
    /// Older than [`REQUEST_LIFETIME`].
    Expired,
}

/// The requests by token, and their tokens oldest first.
#[derive(Default)]
struct Store {
    by_token: HashMap<String, Entry>,
    /// Every token of `by_token`, in the order they were issued (tokens are random: unique).
    order: VecDeque<String>,
}

pub struct AuthorizationRequests {
    store: Mutex<Store>,
    max_entries: usize,
}

impl AuthorizationRequests {
    /// A store that keeps at most `max_entries` requests (at least one).
    pub fn new(max_entries: usize) -> AuthorizationRequests {
        AuthorizationRequests {
            store: Mutex::default(),
            max_entries: max_entries.max(1),
        }
    }

    /// Stores the session under a new token: `psd_` and 256 bits from the OS CSPRNG. Requests
    /// older than an hour are forgotten, and so is the oldest one when the store is full: a
    /// new session is never refused.
    pub fn insert(&self, session: SessionRequest) -> Result<String, ConfigError> {
        let token = format!("psd_{}", generate_state()?);
        let now = Instant::now();
        let mut store = lock(&self.store);
        while let Some(oldest) = store.order.front() {
            let forgotten = store
                .by_token
                .get(oldest)
                .is_none_or(|e| now.duration_since(e.created) >= FORGET_AFTER);
            if !forgotten && store.by_token.len() < self.max_entries {
                break;
            }
            if let Some(oldest) = store.order.pop_front() {
                store.by_token.remove(&oldest);
            }
        }
        store.order.push_back(token.clone());
        store.by_token.insert(
            token.clone(),
            Entry {
                session,
                created: now,
                used: false,
            },
        );
        Ok(token)
    }

    /// The session of a usable token, leaving it usable.
    pub fn peek(&self, token: &str) -> Result<SessionRequest, Unavailable> {
        let store = lock(&self.store);
        usable(store.by_token.get(token)).map(|e| e.session.clone())
    }

    /// The session of a usable token, spending the token.
    pub fn take(&self, token: &str) -> Result<SessionRequest, Unavailable> {
        let mut store = lock(&self.store);
        let entry = store.by_token.get_mut(token);
        usable(entry.as_deref())?;
        match entry {
            Some(entry) => {
                entry.used = true;
                Ok(entry.session.clone())
            }
            None => Err(Unavailable::Unknown),
        }
    }
}

fn usable(entry: Option<&Entry>) -> Result<&Entry, Unavailable> {
    match entry {
        None => Err(Unavailable::Unknown),
        Some(e) if e.used => Err(Unavailable::Used),
        Some(e) if e.created.elapsed() >= REQUEST_LIFETIME => Err(Unavailable::Expired),
        Some(e) => Ok(e),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn session() -> SessionRequest {
        SessionRequest {
            platform: Platform::Tiktok,
            callback_url: "https://app.example/cb".to_owned(),
            state: "s".to_owned(),
            proof_fault: None,
        }
    }

    #[test]
    fn a_token_is_usable_once() {
        let requests = AuthorizationRequests::new(16);
        let token = requests.insert(session()).unwrap();
        assert!(token.starts_with("psd_") && token.len() >= 4 + 43);
        assert!(requests.peek(&token).is_ok());
        assert!(requests.take(&token).is_ok());
        assert_eq!(requests.take(&token).unwrap_err(), Unavailable::Used);
        assert_eq!(
            requests.peek("psd_other").unwrap_err(),
            Unavailable::Unknown
        );
    }

    #[test]
    fn a_token_expires_after_its_lifetime() {
        let requests = AuthorizationRequests::new(16);
        let token = requests.insert(session()).unwrap();
        // Age the entry instead of waiting 900 s.
        let Some(created) = Instant::now().checked_sub(REQUEST_LIFETIME) else {
            return; // the monotonic clock started less than 900 s ago: nothing to age from
        };
        let mut store = lock(&requests.store);
        store.by_token.get_mut(&token).unwrap().created = created;
        drop(store);
        assert_eq!(requests.take(&token).unwrap_err(), Unavailable::Expired);
    }

    #[test]
    fn a_full_store_forgets_its_oldest_request() {
        let requests = AuthorizationRequests::new(2);
        let first = requests.insert(session()).unwrap();
        let second = requests.insert(session()).unwrap();
        let third = requests.insert(session()).unwrap();
        assert_eq!(requests.peek(&first).unwrap_err(), Unavailable::Unknown);
        assert!(requests.peek(&second).is_ok() && requests.peek(&third).is_ok());
        let store = lock(&requests.store);
        assert_eq!((store.by_token.len(), store.order.len()), (2, 2));
    }

    #[test]
    fn requests_older_than_an_hour_are_forgotten() {
        let requests = AuthorizationRequests::new(16);
        let old = requests.insert(session()).unwrap();
        let Some(created) = Instant::now().checked_sub(FORGET_AFTER) else {
            return; // the monotonic clock started less than an hour ago: nothing to age from
        };
        lock(&requests.store)
            .by_token
            .get_mut(&old)
            .unwrap()
            .created = created;
        let new = requests.insert(session()).unwrap();
        assert_eq!(requests.peek(&old).unwrap_err(), Unavailable::Unknown);
        assert!(requests.peek(&new).is_ok());
        assert_eq!(lock(&requests.store).order.len(), 1);
    }
}
