//! `emulate`: a local test double of PostSyncer's delegation API, consent page and callback
//! tester. It signs with the core's `sign_proof` and verifies with the core's `Verifier`; it
//! holds no copy of the contract.

mod api_keys;
mod consent;
mod control;
mod faults;
mod gate;
mod html;
mod identities;
mod requests;
mod server;
mod sessions;
mod tester;
mod tls;

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, Uri};
use axum::middleware;
use axum::response::Response;
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::Router;
use clap::Args;
use postsyncer_delegation::{Secret, Verifier};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use api_keys::ApiKeys;
use identities::Identities;
use requests::{AuthorizationRequests, DEFAULT_MAX_PENDING};
use server::Timeouts;
use tester::{TesterSessions, TESTER_PATH};
use tls::{Identity, TlsListener};

use crate::secrets::{self, SecretSourceError};
use crate::EXIT_USAGE;

/// The emulator's API key unless `--api-key` says otherwise.
pub const DEFAULT_API_KEY: &str = "ps_test_api_key_0001";
/// The emulator's signing secret unless `--signing-secret` says otherwise.
pub const DEFAULT_SIGNING_SECRET: &str = "ps_test_signing_secret_0001";

#[derive(Debug, Args)]
pub struct EmulateArgs {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:8787")]
    addr: SocketAddr,
    /// The API key that sessions requests must carry (a test credential)
    /// [default: ps_test_api_key_0001].
    #[arg(long, value_name = "KEY", group = "api_key_source")]
    api_key: Option<String>,
    /// Read the API key from this environment variable (exactly as set).
    #[arg(long, value_name = "NAME", group = "api_key_source")]
    api_key_env: Option<String>,
    /// Read the API key from this file (one trailing newline is dropped).
    #[arg(long, value_name = "PATH", group = "api_key_source")]
    api_key_file: Option<PathBuf>,
    /// The secret callbacks are signed with (a test credential)
    /// [default: ps_test_signing_secret_0001].
    #[arg(long, value_name = "SECRET", group = "signing_secret_source")]
    signing_secret: Option<String>,
    /// Read the signing secret from this environment variable (exactly as set).
    #[arg(long, value_name = "NAME", group = "signing_secret_source")]
    signing_secret_env: Option<String>,
    /// Read the signing secret from this file (one trailing newline is dropped).
    #[arg(long, value_name = "PATH", group = "signing_secret_source")]
    signing_secret_file: Option<PathBuf>,
    /// The most authorize URLs (and tester callbacks) kept at once; when full, the oldest is
    /// forgotten (it then answers 404).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_PENDING,
          value_parser = clap::value_parser!(u32).range(1..))]
    max_pending_sessions: u32,
    /// Seconds a client may take to send a request's headers (and an idle keep-alive
    /// connection stays open) before it is disconnected.
    #[arg(long, value_name = "SECS", default_value_t = server::DEFAULT_HEADER_READ_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    header_read_timeout: u64,
    /// Seconds a stopping emulator waits for requests in flight before it closes every
    /// connection and exits.
    #[arg(long, value_name = "SECS", default_value_t = server::DEFAULT_SHUTDOWN_GRACE.as_secs())]
    shutdown_grace: u64,
    /// JSON list of {"platform", "platform_id", "handle"} offered on the consent page.
    #[arg(long, value_name = "FILE")]
    identities: Option<PathBuf>,
    /// Serve HTTPS with a self-signed certificate for 127.0.0.1, ::1 and localhost, made at start.
    #[arg(long)]
    tls: bool,
    /// With --tls: write the certificate (PEM) here, for clients to trust.
    #[arg(long, value_name = "PATH", requires = "tls")]
    tls_cert_out: Option<PathBuf>,
}

/// What an emulator is started with.
#[derive(Debug)]
pub struct Config {
    pub api_key: Secret,
    pub signing_secret: Secret,
    pub identities: Identities,
    /// Serve HTTPS with this certificate instead of plain HTTP.
    pub tls: Option<Identity>,
    /// The most authorize URLs kept at once.
    pub max_pending_sessions: usize,
    pub timeouts: Timeouts,
}

impl Config {
    /// The emulator's default credentials and identities.
    pub fn defaults() -> Config {
        Config {
            api_key: Secret::new(DEFAULT_API_KEY),
            signing_secret: Secret::new(DEFAULT_SIGNING_SECRET),
            identities: Identities::defaults(),
            tls: None,
            max_pending_sessions: DEFAULT_MAX_PENDING as usize,
            timeouts: Timeouts::default(),
        }
    }
}

/// The state every handler shares.
pub struct Emulator {
    base_url: String,
    signing_secret: Secret,
    verifier: Verifier,
    identities: Identities,
    api_keys: ApiKeys,
    requests: AuthorizationRequests,
    tester: TesterSessions,
}

/// A serving emulator; [`Running::stop`] shuts it down gracefully.
#[derive(Debug)]
pub struct Running {
    /// `http://127.0.0.1:PORT` (`https://` with TLS); the client's base URL is this plus `/api`.
    pub url: String,
    server: JoinHandle<std::io::Result<()>>,
    stop: oneshot::Sender<()>,
}

impl Running {
    /// Stops accepting, lets requests in flight finish for up to the grace period, closes
    /// every connection still open, and waits for the server to end.
    pub async fn stop(self) -> std::io::Result<()> {
        // The server may already be gone (it failed); its result says why.
        let _ = self.stop.send(());
        self.server.await.map_err(std::io::Error::other)?
    }
}

/// Binds `addr` and serves in the background.
pub async fn start(addr: SocketAddr, config: Config) -> std::io::Result<Running> {
    if config.api_key.is_empty() {
        return Err(std::io::Error::other("the emulator's API key is empty"));
    }
    let verifier = Verifier::new([config.signing_secret.clone()]).map_err(std::io::Error::other)?;
    let listener = TcpListener::bind(addr).await?;
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let url = format!("{scheme}://{}", listener.local_addr()?);
    let emulator = Arc::new(Emulator {
        base_url: url.clone(),
        signing_secret: config.signing_secret,
        verifier,
        identities: config.identities,
        api_keys: ApiKeys::new(config.api_key),
        requests: AuthorizationRequests::new(config.max_pending_sessions),
        tester: TesterSessions::new(config.max_pending_sessions),
    });
    let (stop, stopped) = oneshot::channel::<()>();
    let (router, timeouts) = (router(emulator), config.timeouts);
    let server = match &config.tls {
        Some(identity) => server::serve(
            TlsListener::new(listener, identity)?,
            router,
            timeouts,
            stopped,
        ),
        // Answers go out as soon as they are written, as a production server sends them.
        None => server::serve(
            listener.tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            }),
            router,
            timeouts,
            stopped,
        ),
    };
    Ok(Running { url, server, stop })
}

fn router(emulator: Arc<Emulator>) -> Router {
    let sessions_gate = middleware::from_fn_with_state(Arc::clone(&emulator), gate::sessions);
    Router::new()
        .route("/", get(index))
        .route(
            "/api/oauth/delegate/sessions",
            post(sessions::create).route_layer(sessions_gate),
        )
        .route("/oauth/delegate", get(consent::show).post(consent::submit))
        .route(TESTER_PATH, get(tester::callback))
        .route("/emulator/api-keys", post(control::create_key))
        .route("/emulator/api-keys/{key}/stats", get(control::key_stats))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(gate::MAX_BODY_BYTES))
        .with_state(emulator)
}

/// Locks shared emulator state. A handler that panicked while holding the lock left the
/// state consistent (every update is one statement), so keep serving instead of failing.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A page for a person who opens the emulator's address in a browser.
async fn index(State(emulator): State<Arc<Emulator>>) -> Response {
    let url = html::escape(&emulator.base_url);
    let body = format!(
        "<h1>PostSyncer emulator</h1>\
         <p>Create a session with <code>POST {url}/api/oauth/delegate/sessions</code> \
         (<code>Authorization: Bearer &lt;PSD_API_KEY&gt;</code>) and open its \
         <code>authorize_url</code> here. Use <code>{url}{TESTER_PATH}</code> as the \
         callback URL to have the callback verified and every check shown.</p>"
    );
    html::page(StatusCode::OK, "PostSyncer emulator", &body)
}

/// Unknown routes answer like PostSyncer's API does.
async fn not_found(uri: Uri) -> Response {
    let route = uri.path().trim_start_matches('/');
    sessions::json_message(
        StatusCode::NOT_FOUND,
        &format!("The route {route} could not be found."),
    )
}

/// `emulate`: start, print the three credential lines, serve until SIGTERM or SIGINT.
pub fn run(args: EmulateArgs) -> ExitCode {
    let identities = match &args.identities {
        Some(path) => match Identities::from_file(path) {
            Ok(identities) => identities,
            Err(e) => return usage_error(&e),
        },
        None => Identities::defaults(),
    };
    let tls = if args.tls {
        match tls_identity(args.tls_cert_out.as_deref()) {
            Ok(identity) => Some(identity),
            Err(e) => return usage_error(&e),
        }
    } else {
        None
    };
    let api_key = match credential(
        args.api_key,
        args.api_key_env.as_deref(),
        args.api_key_file.as_deref(),
        DEFAULT_API_KEY,
    ) {
        Ok(key) => key,
        Err(e) => return usage_error(&format!("the API key: {e}")),
    };
    let signing_secret = match credential(
        args.signing_secret,
        args.signing_secret_env.as_deref(),
        args.signing_secret_file.as_deref(),
        DEFAULT_SIGNING_SECRET,
    ) {
        Ok(secret) => secret,
        Err(e) => return usage_error(&format!("the signing secret: {e}")),
    };
    let config = Config {
        api_key,
        signing_secret,
        identities,
        tls,
        max_pending_sessions: usize::try_from(args.max_pending_sessions).unwrap_or(usize::MAX),
        timeouts: Timeouts {
            header_read: Duration::from_secs(args.header_read_timeout),
            shutdown_grace: Duration::from_secs(args.shutdown_grace),
        },
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => return usage_error(&format!("cannot start the async runtime: {e}")),
    };
    runtime.block_on(async {
        let api_key = config.api_key.clone();
        let signing_secret = config.signing_secret.clone();
        let running = match start(args.addr, config).await {
            Ok(running) => running,
            Err(e) => {
                return usage_error(&format!("cannot start the emulator on {}: {e}", args.addr))
            }
        };
        // Handlers go in before the announcement: a harness may signal as soon as it reads it.
        let termination = termination_signal();
        if let Err(e) = announce(&running.url, &api_key, &signing_secret) {
            return usage_error(&format!("cannot write to stdout: {e}"));
        }
        termination.await;
        eprintln!("stopping the emulator");
        match running.stop().await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: the emulator failed: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

/// A credential from the one source given (clap allows at most one): the command line, an
/// environment variable or a file, read as `verify` reads its secrets; else the default.
fn credential(
    literal: Option<String>,
    env: Option<&str>,
    file: Option<&Path>,
    default: &str,
) -> Result<Secret, SecretSourceError> {
    match (literal, env, file) {
        (Some(value), _, _) => Ok(Secret::new(value)),
        (None, Some(name), _) => secrets::from_env(name),
        (None, None, Some(path)) => secrets::from_file(path),
        (None, None, None) => Ok(Secret::new(default)),
    }
}

/// A fresh certificate, written to `cert_out` (when given) before anything is served.
fn tls_identity(cert_out: Option<&Path>) -> Result<Identity, String> {
    let identity = Identity::self_signed()?;
    if let Some(path) = cert_out {
        std::fs::write(path, &identity.certificate_pem)
            .map_err(|e| format!("cannot write the certificate to {}: {e}", path.display()))?;
    }
    Ok(identity)
}

/// The three machine-read lines first, flushed, then text for people (on stderr, so that a
/// harness that stops reading stdout after three lines never blocks the emulator).
fn announce(url: &str, api_key: &Secret, signing_secret: &Secret) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "PSD_EMULATOR_URL={url}")?;
    // These are the emulator's test credentials: printing them is the point.
    writeln!(out, "PSD_API_KEY={}", api_key.expose())?;
    writeln!(out, "PSD_SIGNING_SECRET={}", signing_secret.expose())?;
    out.flush()?;
    eprintln!(
        "PostSyncer emulator listening on {url}\n  \
         sessions API:  POST {url}/api/oauth/delegate/sessions (Authorization: Bearer <PSD_API_KEY>)\n  \
         consent page:  the authorize_url it returns (add &decision=approve to skip the page)\n  \
         tester:        use {url}{TESTER_PATH} as callback_url\n  \
         control API:   POST {url}/emulator/api-keys\n\
         Stop with Ctrl-C."
    );
    Ok(())
}

/// Installs the SIGTERM and SIGINT handlers now (a handler installed only when first polled
/// would miss a signal sent in between) and returns a future that ends on either.
#[cfg(unix)]
fn termination_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{signal, SignalKind};
    let terminate = signal(SignalKind::terminate());
    let interrupt = signal(SignalKind::interrupt());
    async move {
        match (terminate, interrupt) {
            (Ok(mut terminate), Ok(mut interrupt)) => {
                tokio::select! {
                    _ = terminate.recv() => {}
                    _ = interrupt.recv() => {}
                }
            }
            (Ok(mut only), Err(_)) | (Err(_), Ok(mut only)) => {
                only.recv().await;
            }
            (Err(_), Err(_)) => std::future::pending().await,
        }
    }
}

#[cfg(not(unix))]
fn termination_signal() -> impl std::future::Future<Output = ()> {
    let interrupt = tokio::signal::windows::ctrl_c();
    async move {
        match interrupt {
            Ok(mut interrupt) => {
                interrupt.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    }
}

fn usage_error(message: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_USAGE)
}
