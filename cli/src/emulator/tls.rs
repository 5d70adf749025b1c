//! `emulate --tls`: HTTPS on loopback with a self-signed certificate made at start, so that
//! clients can be tested (and benchmarked) the way they talk to PostSyncer: over TLS.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// The names the certificate is valid for: the emulator only ever listens on loopback.
const SUBJECT_NAMES: [&str; 3] = ["127.0.0.1", "::1", "localhost"];

/// A handshake that takes longer than this is dropped, so a silent peer holds no task.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Completed handshakes waiting for the server to take them.
const ACCEPTED_BACKLOG: usize = 128;

/// After a failed `accept` (e.g. out of file descriptors), wait before the next one.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(50);

/// A fresh self-signed certificate for the loopback names, and the TLS configuration that
/// serves it.
pub struct Identity {
    /// The certificate in PEM form: what a client must trust.
    pub certificate_pem: String,
    config: Arc<ServerConfig>,
}

impl Identity {
    pub fn self_signed() -> Result<Identity, String> {
        let names = SUBJECT_NAMES.map(str::to_owned).to_vec();
        let certified = rcgen::generate_simple_self_signed(names)
            .map_err(|e| format!("cannot make a self-signed certificate ({e})"))?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            certified.signing_key.serialize_der(),
        ));
        let chain: Vec<CertificateDer<'static>> = vec![certified.cert.der().clone()];
        let mut config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
            .with_safe_default_protocol_versions()
            .and_then(|builder| builder.with_no_client_auth().with_single_cert(chain, key))
            .map_err(|e| format!("cannot set up TLS ({e})"))?;
        // The emulator's router speaks HTTP/1.1 only.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Identity {
            certificate_pem: certified.cert.pem(),
            config: Arc::new(config),
        })
    }
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The private key stays out of logs; the certificate is public.
        f.debug_struct("Identity")
            .field("subject_names", &SUBJECT_NAMES)
            .finish_non_exhaustive()
    }
}

/// A listener that hands the server TLS connections whose handshake is done. Handshakes run
/// in their own tasks, so a slow or failing one never holds up the next connection.
#[derive(Debug)]
pub struct TlsListener {
    accepted: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local_addr: SocketAddr,
    acceptor: JoinHandle<()>,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, identity: &Identity) -> io::Result<TlsListener> {
        let local_addr = tcp.local_addr()?;
        let (ready, accepted) = mpsc::channel(ACCEPTED_BACKLOG);
        let tls = TlsAcceptor::from(Arc::clone(&identity.config));
        let acceptor = tokio::spawn(accept_loop(tcp, tls, ready));
        Ok(TlsListener {
            accepted,
            local_addr,
            acceptor,
        })
    }
}

async fn accept_loop(
    tcp: TcpListener,
    tls: TlsAcceptor,
    ready: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    loop {
        let (stream, peer) = match tcp.accept().await {
            Ok(connection) => connection,
            Err(_) => {
                tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                continue;
            }
        };
        // Answers go out as soon as they are written, as a production server sends them.
        let _ = stream.set_nodelay(true);
        let tls = tls.clone();
        let ready = ready.clone();
        tokio::spawn(async move {
            // A failed or timed-out handshake is the peer's problem: drop the connection.
            if let Ok(Ok(stream)) =
                tokio::time::timeout(HANDSHAKE_TIMEOUT, tls.accept(stream)).await
            {
                let _ = ready.send((stream, peer)).await;
            }
        });
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        // The server stopped: stop accepting connections too.
        self.acceptor.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.accepted.recv().await {
            Some(connection) => connection,
            // Only reachable once the accept loop ended, which only `drop` does.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local_addr)
    }
}
