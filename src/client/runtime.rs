//! The client's own tokio runtime: every request runs on it, so callers may use any async
//! executor (asyncio through UniFFI, Kotlin coroutines, a non-tokio Rust executor) or plain
//! threads (C, Go), including threads that already run another tokio runtime.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::mpsc;
use std::task::{Context, Poll};

use tokio::runtime::{Builder, Handle, Runtime};
use tokio::task::{JoinError, JoinHandle};

/// Worker threads per client: the work is waiting on sockets, one thread is plenty and a
/// second keeps a slow TLS handshake from delaying other requests.
const WORKER_THREADS: usize = 2;

/// A multi-thread runtime that is shut down without blocking when dropped (dropping a
/// tokio runtime normally blocks, and panics inside another runtime).
pub(crate) struct OwnedRuntime {
    handle: Handle,
    runtime: Option<Runtime>,
}

impl OwnedRuntime {
    pub(crate) fn start() -> io::Result<OwnedRuntime> {
        let runtime = Builder::new_multi_thread()
            .worker_threads(WORKER_THREADS)
            .thread_name("postsyncer-delegation-client")
            .enable_all()
            .build()?;
        Ok(OwnedRuntime {
            handle: runtime.handle().clone(),
            runtime: Some(runtime),
        })
    }

    /// Runs `task` on this runtime; the returned future may be awaited on any executor, and
    /// dropping it cancels the task.
    pub(crate) fn spawn<T: Send + 'static>(
        &self,
        task: impl Future<Output = T> + Send + 'static,
    ) -> CancelOnDrop<T> {
        CancelOnDrop(self.handle.spawn(task))
    }

    /// Runs `task` on this runtime and blocks the calling thread until it ends. Waiting on a
    /// std channel (not `Runtime::block_on`) is what makes this safe from any thread.
    /// `None` when the task ended without an answer (it panicked or the runtime stopped).
    pub(crate) fn run_blocking<T: Send + 'static>(
        &self,
        task: impl Future<Output = T> + Send + 'static,
    ) -> Option<T> {
        let (sender, receiver) = mpsc::sync_channel(1);
        self.handle.spawn(async move {
            // The receiver only goes away if the caller's thread is gone; nothing to tell.
            let _ = sender.send(task.await);
        });
        receiver.recv().ok()
    }
}

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// A spawned task's result; dropping it (the caller's future was cancelled) aborts the task.
pub(crate) struct CancelOnDrop<T>(JoinHandle<T>);

impl<T> Future for CancelOnDrop<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

impl<T> Drop for CancelOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}
