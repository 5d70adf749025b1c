//! Per-call limits that a caller without async cancellation needs (C, and Go through it): a
//! time limit shorter than the client's timeout, and a token that ends the call from another
//! thread. (An async Rust caller drops the future instead.)

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use tokio::sync::Notify;

use crate::error::{ApiError, ApiErrorKind};

/// Ends the calls it was given to, from any thread: a call running ends at once with a
/// `timeout` error (its caller ended its time budget), a call started later fails before
/// sending anything. Cancelling is idempotent; a token cannot be reset.
#[derive(Clone, Debug, Default)]
pub(crate) struct CancelToken(Arc<State>);

#[derive(Debug, Default)]
struct State {
    cancelled: AtomicBool,
    notify: Notify,
}

// Without the C API, only the tests make and cancel tokens.
#[cfg_attr(not(feature = "capi"), allow(dead_code))]
impl CancelToken {
    pub(crate) fn new() -> Self {
        CancelToken::default()
    }

    pub(crate) fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::SeqCst);
        self.0.notify.notify_waiters();
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }

    /// Completes once the token is cancelled.
    async fn cancelled(&self) {
        loop {
            let mut notified = pin!(self.0.notify.notified());
            // Registered before the flag is read, so a `cancel` in between is not missed.
            notified.as_mut().enable();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }

    /// `task`, unless the token is cancelled first: then the task is dropped (its request
    /// aborted) and the call fails.
    pub(crate) async fn guard<T>(
        &self,
        task: impl Future<Output = Result<T, ApiError>>,
    ) -> Result<T, ApiError> {
        let mut task = pin!(task);
        let mut cancelled = pin!(self.cancelled());
        poll_fn(|cx| {
            if cancelled.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Err(cancelled_error()));
            }
            task.as_mut().poll(cx)
        })
        .await
    }
}

/// The error of a cancelled call: `timeout`, since its caller ended its time budget.
pub(crate) fn cancelled_error() -> ApiError {
    ApiError::new(
        ApiErrorKind::Timeout,
        "the call was cancelled by its caller (its deadline passed or its context ended) before an answer arrived",
    )
}

/// What may bound one call besides the client's timeout.
#[derive(Clone, Debug, Default)]
pub(crate) struct CallLimits {
    /// The longest this call may take; the client's timeout still applies when shorter.
    pub timeout: Option<Duration>,
    /// Ends the call when cancelled.
    pub cancel: Option<CancelToken>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[tokio::test]
    async fn a_cancelled_token_ends_a_pending_task() {
        let token = CancelToken::new();
        let canceller = token.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            canceller.cancel();
        });
        let error = token
            .guard(std::future::pending::<Result<(), ApiError>>())
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ApiErrorKind::Timeout);
        assert!(error.message().contains("cancelled"), "{}", error.message());
        // Already cancelled: at once, and idempotent.
        token.cancel();
        assert!(token.guard(async { Ok(()) }).await.is_err());
    }

    #[tokio::test]
    async fn an_uncancelled_token_lets_the_task_finish() {
        let token = CancelToken::new();
        assert_eq!(token.guard(async { Ok(7) }).await.unwrap(), 7);
        assert!(!token.is_cancelled());
    }
}
