//! When to try again: exponential backoff with full jitter, and `Retry-After`.

use std::time::{Duration, SystemTime};

use crate::client::RetryPolicy;
use crate::error::{ApiError, ApiErrorKind};

/// How long to wait before the next attempt, or `None` to return `error` now.
///
/// `retries_done` counts the retries already made; `random` is any uniformly random value
/// (the jitter's source). Retried: transport errors, 429 (after its `Retry-After` when that
/// is at most `max_retry_after`, else given up at once) and 502/503/504. Never retried:
/// 500 and other statuses (the request itself is likely at fault), 4xx, timeouts (the
/// caller's time budget is spent), invalid responses and local refusals.
pub(crate) fn next_delay(
    policy: &RetryPolicy,
    error: &ApiError,
    retries_done: u32,
    random: u64,
) -> Option<Duration> {
    if retries_done >= policy.max_retries {
        return None;
    }
    let backoff = || full_jitter(backoff_ceiling(policy, retries_done), random);
    match error.kind() {
        ApiErrorKind::Transport => Some(backoff()),
        ApiErrorKind::RateLimited => match error.retry_after() {
            Some(wait) if wait <= policy.max_retry_after => Some(wait),
            Some(_) => None,
            None => Some(backoff()),
        },
        ApiErrorKind::Server if matches!(error.status(), Some(502..=504)) => Some(backoff()),
        _ => None,
    }
}

/// The longest backoff before retry number `retries_done + 1`:
/// `initial_backoff × 2^retries_done`, capped at `max_backoff`.
pub(crate) fn backoff_ceiling(policy: &RetryPolicy, retries_done: u32) -> Duration {
    1u32.checked_shl(retries_done)
        .and_then(|factor| policy.initial_backoff.checked_mul(factor))
        .map_or(policy.max_backoff, |backoff| {
            backoff.min(policy.max_backoff)
        })
}

/// "Full jitter": a uniform pick in `[0, ceiling]`, so that clients rejected together do
/// not come back together.
pub(crate) fn full_jitter(ceiling: Duration, random: u64) -> Duration {
    let ceiling_nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
    match ceiling_nanos.checked_add(1) {
        Some(span) => Duration::from_nanos(random % span),
        None => Duration::from_nanos(random),
    }
}

/// A random value for [`full_jitter`]; without OS randomness the jitter degrades to the
/// full backoff, which is still correct, only less spread.
pub(crate) fn jitter_source() -> u64 {
    let mut bytes = [0u8; 8];
    match getrandom::fill(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes),
        Err(_) => u64::MAX,
    }
}

/// A `Retry-After` value: delay-seconds or an HTTP-date (RFC 9110 §10.2.3), relative to
/// `now`. A date in the past means "now"; anything else unreadable is ignored.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // An absurdly long number saturates: it is still "longer than any cap".
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(350),
            max_retry_after: Duration::from_secs(10),
        }
    }

    fn error(kind: ApiErrorKind, status: Option<u16>, retry_after: Option<u64>) -> ApiError {
        let mut e = ApiError::new(kind, "test");
        e.status = status;
        e.retry_after = retry_after.map(Duration::from_secs);
        e
    }

    #[test]
    fn backoff_doubles_then_caps() {
        let p = policy();
        assert_eq!(backoff_ceiling(&p, 0), Duration::from_millis(100));
        assert_eq!(backoff_ceiling(&p, 1), Duration::from_millis(200));
        assert_eq!(backoff_ceiling(&p, 2), Duration::from_millis(350));
        assert_eq!(backoff_ceiling(&p, 31), Duration::from_millis(350));
        assert_eq!(backoff_ceiling(&p, 32), Duration::from_millis(350));
        assert_eq!(backoff_ceiling(&p, u32::MAX), Duration::from_millis(350));
    }

    #[test]
    fn jitter_stays_within_the_ceiling() {
        let ceiling = Duration::from_millis(200);
        for random in [0, 1, 199_999_999, 200_000_000, 200_000_001, u64::MAX] {
            assert!(full_jitter(ceiling, random) <= ceiling);
        }
        assert_eq!(full_jitter(ceiling, 0), Duration::ZERO);
        assert_eq!(full_jitter(ceiling, 200_000_000), ceiling);
        assert_eq!(full_jitter(Duration::ZERO, u64::MAX), Duration::ZERO);
        assert!(full_jitter(Duration::MAX, u64::MAX) <= Duration::MAX);
        for _ in 0..1000 {
            assert!(full_jitter(ceiling, jitter_source()) <= ceiling);
        }
    }

    #[test]
    fn what_is_retried() {
        let p = policy();
        let r = u64::MAX;
        assert!(next_delay(&p, &error(ApiErrorKind::Transport, None, None), 0, r).is_some());
        for status in [502, 503, 504] {
            let e = error(ApiErrorKind::Server, Some(status), None);
            assert!(next_delay(&p, &e, 0, r).is_some(), "{status}");
        }
        for (kind, status) in [
            (ApiErrorKind::Server, Some(500)),
            (ApiErrorKind::Server, Some(501)),
            (ApiErrorKind::Unauthenticated, Some(401)),
            (ApiErrorKind::Forbidden, Some(403)),
            (ApiErrorKind::NotFound, Some(404)),
            (ApiErrorKind::Validation, Some(422)),
            (ApiErrorKind::InvalidResponse, Some(200)),
            (ApiErrorKind::Timeout, None),
            (ApiErrorKind::InvalidRequest, None),
        ] {
            assert_eq!(
                next_delay(&p, &error(kind, status, None), 0, r),
                None,
                "{kind}"
            );
        }
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let p = policy();
        let limited = |secs| error(ApiErrorKind::RateLimited, Some(429), secs);
        assert_eq!(
            next_delay(&p, &limited(Some(3)), 0, 0),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            next_delay(&p, &limited(Some(10)), 0, 0),
            Some(Duration::from_secs(10))
        );
        assert_eq!(next_delay(&p, &limited(Some(11)), 0, 0), None);
        let without_header = next_delay(&p, &limited(None), 1, u64::MAX).unwrap();
        assert!(without_header <= Duration::from_millis(200));
    }

    #[test]
    fn retries_are_bounded() {
        let p = policy();
        let e = error(ApiErrorKind::Transport, None, None);
        assert!(next_delay(&p, &e, 2, 0).is_some());
        assert_eq!(next_delay(&p, &e, 3, 0), None);
        let never = RetryPolicy {
            max_retries: 0,
            ..policy()
        };
        assert_eq!(next_delay(&never, &e, 0, 0), None);
    }

    #[test]
    fn retry_after_forms() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        for bad in ["", "-1", "1.5", "soon", "5 s", "Sun, 06 Nov 1994"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad}");
        }
    }
}
