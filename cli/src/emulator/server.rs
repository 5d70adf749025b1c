//! The emulator's HTTP/1.1 server: hyper's connection builder with a header read timeout, so
//! that a client which never finishes its headers is disconnected, and a graceful shutdown
//! bounded by a grace period, so that no client can keep the emulator from stopping.

use std::time::Duration;

use axum::serve::Listener;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

/// How long a client may take to send a request's headers, and how long an idle keep-alive
/// connection stays open, unless `--header-read-timeout` says otherwise.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a stopping emulator waits for requests in flight, unless `--shutdown-grace` says
/// otherwise. Connections still open after it are closed.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The server's time limits.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub header_read: Duration,
    pub shutdown_grace: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            header_read: DEFAULT_HEADER_READ_TIMEOUT,
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
        }
    }
}

/// Serves `router` in the background until `stopped` fires (or its sender is dropped), then
/// stops accepting, lets requests in flight finish for up to the grace period, and closes
/// whatever is still open.
pub fn serve<L>(
    mut listener: L,
    router: Router,
    timeouts: Timeouts,
    mut stopped: oneshot::Receiver<()>,
) -> JoinHandle<std::io::Result<()>>
where
    L: Listener,
{
    tokio::spawn(async move {
        let service = TowerToHyperService::new(router);
        let mut http = http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(timeouts.header_read);
        let graceful = GracefulShutdown::new();
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                _ = &mut stopped => break,
                (io, _peer) = listener.accept() => {
                    let connection = http.serve_connection(TokioIo::new(io), service.clone());
                    // A connection's error (a reset, a header timeout) is the client's problem.
                    let watched = graceful.watch(connection);
                    connections.spawn(async move {
                        let _ = watched.await;
                    });
                }
                // Reap finished connections so that the set only holds open ones.
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
        drop(listener);
        // Idle connections close at once; busy ones after their answer; the rest (a client
        // halfway through its headers or body) when the grace period ends.
        let drained = tokio::time::timeout(timeouts.shutdown_grace, graceful.shutdown()).await;
        if drained.is_err() {
            while connections.try_join_next().is_some() {}
            eprintln!(
                "closing {} connection(s) still open after the {} s grace period",
                connections.len(),
                timeouts.shutdown_grace.as_secs_f64()
            );
        }
        connections.shutdown().await;
        Ok(())
    })
}
