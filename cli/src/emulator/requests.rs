//! Pending authorization requests: the opaque, single-use `psd_` tokens of authorize URLs.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use postsyncer_delegation::{generate_state, ConfigError, Platform};

use super::faults::ProofFault;
use super::lock;

/// How long an authorize URL stays valid, as PostSyncer says in `expires_in`.
pub const REQUEST_LIFETIME: Duration = Duration::from_secs(900);

/// Requests older than this are forgotten (then 404 instead of 410), bounding memory.
const FORGET_AFTER: Duration = Duration::from_secs(3600);

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

#[derive(Default)]
pub struct AuthorizationRequests {
    entries: Mutex<HashMap<String, Entry>>,
}

impl AuthorizationRequests {
    /// Stores the session under a new token: `psd_` and 256 bits from the OS CSPRNG.
    pub fn insert(&self, session: SessionRequest) -> Result<String, ConfigError> {
        let token = format!("psd_{}", generate_state()?);
        let now = Instant::now();
        let mut entries = lock(&self.entries);
        if entries.len() % 1024 == 1023 {
            entries.retain(|_, e| now.duration_since(e.created) < FORGET_AFTER);
        }
        entries.insert(
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
        let entries = lock(&self.entries);
        usable(entries.get(token)).map(|e| e.session.clone())
    }

    /// The session of a usable token, spending the token.
    pub fn take(&self, token: &str) -> Result<SessionRequest, Unavailable> {
        let mut entries = lock(&self.entries);
        let entry = entries.get_mut(token);
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
        let requests = AuthorizationRequests::default();
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
        let requests = AuthorizationRequests::default();
        let token = requests.insert(session()).unwrap();
        // Age the entry instead of waiting 900 s.
        let Some(created) = Instant::now().checked_sub(REQUEST_LIFETIME) else {
            return; // the monotonic clock started less than 900 s ago: nothing to age from
        };
        lock(&requests.entries).get_mut(&token).unwrap().created = created;
        assert_eq!(requests.take(&token).unwrap_err(), Unavailable::Expired);
    }
}
