//! Fault switches of one test API key: what its n-th sessions request answers instead of the
//! real thing, and how its sessions' callbacks are corrupted.

use postsyncer_delegation::{generate_state, Proof};
use serde::Deserialize;

use crate::callback::PROOF_LIFETIME_SECS;

/// The longest latency a key may ask for, so that a typo cannot hang a test run.
const MAX_LATENCY_MS: u64 = 120_000;

/// The faults of one API key, as posted to `POST /emulator/api-keys` (every field optional).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Faults {
    /// Delay before every answer.
    pub latency_ms: u64,
    /// The first N requests answer 429.
    pub rate_limit_first: u64,
    /// The `Retry-After` seconds of those 429s (and of a forced 429).
    pub retry_after: u64,
    /// The N requests after the rate-limited ones answer `fail_status`.
    pub fail_first: u64,
    pub fail_status: u16,
    /// This share of requests answers 500 or 503 at random.
    pub fail_ratio: f64,
    /// Answer 200 with a body that is not JSON.
    pub malformed_json: bool,
    /// Force this status on every request.
    pub status: Option<u16>,
    /// Corrupt the callbacks of this key's sessions.
    pub proof_fault: Option<ProofFault>,
    /// Answer 200 with this text as the `authorize_url`, verbatim (a hostile or broken
    /// service: CR/LF, another host, `user@host`, plain http…).
    pub authorize_url: Option<String>,
    /// Error answers quote the request's `Authorization` header back (`Bearer <key>`), as an
    /// echoing proxy or a WAF page does: in the `message`, and in a 422's `errors`.
    pub echo_api_key: bool,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            latency_ms: 0,
            rate_limit_first: 0,
            retry_after: 1,
            fail_first: 0,
            fail_status: 503,
            fail_ratio: 0.0,
            malformed_json: false,
            status: None,
            proof_fault: None,
            authorize_url: None,
            echo_api_key: false,
        }
    }
}

/// What a request answers instead of being served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forced {
    /// 429 with `Retry-After`.
    RateLimited { retry_after: u64 },
    /// This error status with a realistic PostSyncer body.
    Status(u16),
    /// 200 with a body that is not JSON.
    MalformedJson,
}

impl Faults {
    /// Refuses values that cannot be meant; the text says which and why.
    pub fn validate(&self) -> Result<(), String> {
        if !(400..=599).contains(&self.fail_status) {
            return Err("fail_status must be an HTTP error status (400-599)".to_owned());
        }
        if self.status.is_some_and(|s| !(400..=599).contains(&s)) {
            return Err("status must be an HTTP error status (400-599) or null".to_owned());
        }
        if !(0.0..=1.0).contains(&self.fail_ratio) {
            return Err("fail_ratio must be between 0.0 and 1.0".to_owned());
        }
        if self.latency_ms > MAX_LATENCY_MS {
            return Err(format!("latency_ms must be at most {MAX_LATENCY_MS}"));
        }
        Ok(())
    }

    /// What the `n`-th (1-based) sessions request of this key answers, if not the real thing.
    pub fn forced(&self, n: u64) -> Option<Forced> {
        let retry_after = self.retry_after;
        if n <= self.rate_limit_first {
            return Some(Forced::RateLimited { retry_after });
        }
        if n <= self.rate_limit_first.saturating_add(self.fail_first) {
            return Some(self.status_fault(self.fail_status));
        }
        if let Some(status) = self.status {
            return Some(self.status_fault(status));
        }
        if self.malformed_json {
            return Some(Forced::MalformedJson);
        }
        if self.fail_ratio > 0.0 {
            let [draw, pick] = random_units();
            if draw < self.fail_ratio {
                return Some(Forced::Status(if pick < 0.5 { 500 } else { 503 }));
            }
        }
        None
    }

    fn status_fault(&self, status: u16) -> Forced {
        if status == 429 {
            Forced::RateLimited {
                retry_after: self.retry_after,
            }
        } else {
            Forced::Status(status)
        }
    }
}

/// Two independent uniform draws in [0, 1); a failed OS generator draws 1.0 (no fault).
fn random_units() -> [f64; 2] {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        return [1.0, 1.0];
    }
    let unit = |b: [u8; 4]| f64::from(u32::from_le_bytes(b)) / (f64::from(u32::MAX) + 1.0);
    [
        unit([bytes[0], bytes[1], bytes[2], bytes[3]]),
        unit([bytes[4], bytes[5], bytes[6], bytes[7]]),
    ]
}

/// How a key's callbacks are corrupted, each one failing a different check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProofFault {
    /// The signature does not match (one hex digit changed after signing).
    BadSignature,
    /// Genuinely signed, but it expired before it was issued.
    Expired,
    /// Genuinely signed for another session's state.
    WrongState,
    /// A second `platform_id` appended (parameter pollution).
    DuplicateParameter,
}

impl ProofFault {
    /// Changes the proof before it is signed.
    pub fn corrupt_fields(self, proof: &mut Proof) {
        match self {
            ProofFault::Expired => {
                proof.expires = proof.expires.saturating_sub(2 * PROOF_LIFETIME_SECS);
            }
            ProofFault::WrongState => {
                proof.state = generate_state().unwrap_or_else(|_| format!("{}-other", proof.state));
            }
            ProofFault::BadSignature | ProofFault::DuplicateParameter => {}
        }
    }

    /// Changes the signed query `…&sig=<64 hex>`.
    pub fn corrupt_query(self, query: &mut String) {
        match self {
            ProofFault::BadSignature => {
                if let Some(last) = query.pop() {
                    query.push(if last == '0' { '1' } else { '0' });
                }
            }
            ProofFault::DuplicateParameter => query.push_str("&platform_id=impostor_0001"),
            ProofFault::Expired | ProofFault::WrongState => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_fail_in_the_documented_order() {
        let faults = Faults {
            rate_limit_first: 2,
            retry_after: 7,
            fail_first: 1,
            fail_status: 502,
            ..Faults::default()
        };
        let rate_limited = Some(Forced::RateLimited { retry_after: 7 });
        assert_eq!(faults.forced(1), rate_limited);
        assert_eq!(faults.forced(2), rate_limited);
        assert_eq!(faults.forced(3), Some(Forced::Status(502)));
        assert_eq!(faults.forced(4), None);
    }

    #[test]
    fn a_full_fail_ratio_always_fails() {
        let faults = Faults {
            fail_ratio: 1.0,
            ..Faults::default()
        };
        for n in 1..50 {
            assert!(matches!(faults.forced(n), Some(Forced::Status(500 | 503))));
        }
    }
}
