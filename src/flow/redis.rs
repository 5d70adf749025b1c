//! `RedisStore`: pending records in Redis, shared by every process and host that uses the
//! same server and key prefix.

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::OnceCell;

use super::store::{StateStore, StoreError, StoreFuture};
use crate::client::process::PerProcess;
use crate::client::runtime::OwnedRuntime;
use crate::error::ConfigError;
use crate::secret::Secret;

/// The key prefix unless [`RedisStoreBuilder::key_prefix`] says otherwise.
pub const DEFAULT_REDIS_KEY_PREFIX: &str = "psd:state:";

/// How long connecting, and then each command, may take unless the builder says otherwise.
pub const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_secs(2);

/// GET and DEL in one script: atomic in Redis, for servers without `GETDEL` (before 6.2).
const TAKE_SCRIPT: &str =
    "local v = redis.call('GET', KEYS[1]) if v then redis.call('DEL', KEYS[1]) end return v";

/// Builds a [`RedisStore`].
pub struct RedisStoreBuilder {
    url: Secret,
    key_prefix: String,
    connect_timeout: Duration,
    command_timeout: Duration,
    take_with_script: bool,
    root_certificate_pem: Option<Vec<u8>>,
}

impl fmt::Debug for RedisStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStoreBuilder")
            .field("url", &self.url)
            .field("key_prefix", &self.key_prefix)
            .field("connect_timeout", &self.connect_timeout)
            .field("command_timeout", &self.command_timeout)
            .field("take_with_script", &self.take_with_script)
            .field("root_certificate_pem", &self.root_certificate_pem.is_some())
            .finish()
    }
}

impl RedisStoreBuilder {
    /// The prefix of every key (default [`DEFAULT_REDIS_KEY_PREFIX`]); give each
    /// application sharing a server its own.
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// How long connecting may take (default [`DEFAULT_REDIS_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one command may take (default [`DEFAULT_REDIS_TIMEOUT`]).
    pub fn command_timeout(mut self, timeout: Duration) -> Self {
        self.command_timeout = timeout;
        self
    }

    /// Takes with a Lua script (GET then DEL, atomic in Redis) instead of `GETDEL`. Off by
    /// default: the script is chosen by itself on the first server that does not know
    /// `GETDEL` (older than 6.2).
    pub fn take_with_script(mut self, yes: bool) -> Self {
        self.take_with_script = yes;
        self
    }

    /// For `rediss://`: trusts only the certificate(s) in this PEM text (a private CA, or a
    /// test server's self-signed certificate) instead of the system's roots.
    pub fn root_certificate_pem(mut self, pem: &[u8]) -> Self {
        self.root_certificate_pem = Some(pem.to_vec());
        self
    }

    /// The store, or why the configuration is refused (a URL that is not `redis://`,
    /// `rediss://` or `unix://`; a zero timeout). Connects on first use, not here.
    pub fn build(self) -> Result<RedisStore, ConfigError> {
        let refused = |reason: &str| ConfigError::InvalidArgument {
            name: "redis_url",
            reason: reason.to_owned(),
        };
        let url = url::Url::parse(self.url.expose()).map_err(|_| {
            refused("not a URL; expected redis://[:password@]host[:port][/db] or rediss://…")
        })?;
        if !matches!(url.scheme(), "redis" | "rediss" | "unix" | "redis+unix") {
            return Err(refused(
                "the scheme must be redis://, rediss:// (TLS) or unix://",
            ));
        }
        if url.scheme() == "rediss" {
            // redis-rs asks rustls for the process's default provider, which is ambiguous
            // (and its connect panics) when the application's crates enable both of
            // rustls's backends without choosing. An application's own choice stands.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let password = url.password().filter(|p| !p.is_empty()).map(Secret::new);
        let not_redis = || {
            refused("not a Redis connection URL; expected redis://[:password@]host[:port][/db] or rediss://…")
        };
        let client = match self.root_certificate_pem {
            None => redis::Client::open(self.url.expose()).map_err(|_| not_redis())?,
            Some(pem) => {
                if url.scheme() != "rediss" {
                    return Err(refused(
                        "a root certificate was given, but the URL is not rediss:// (TLS)",
                    ));
                }
                let certificates = redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(pem),
                };
                redis::Client::build_with_tls(self.url.expose(), certificates).map_err(|e| {
                    ConfigError::InvalidArgument {
                        name: "root_certificate_pem",
                        reason: format!(
                            "not usable as the TLS roots ({e}); pass PEM certificate text"
                        ),
                    }
                })?
            }
        };
        for (name, timeout) in [
            ("connect_timeout", self.connect_timeout),
            ("command_timeout", self.command_timeout),
        ] {
            if timeout.is_zero() {
                return Err(ConfigError::InvalidArgument {
                    name,
                    reason: "must be longer than zero".to_owned(),
                });
            }
        }
        let live = Live::start().map_err(|reason| ConfigError::InvalidArgument {
            name: "redis_store",
            reason,
        })?;
        Ok(RedisStore {
            inner: Arc::new(Shared {
                client,
                password,
                key_prefix: self.key_prefix,
                connect_timeout: self.connect_timeout,
                command_timeout: self.command_timeout,
                take_with_script: AtomicBool::new(self.take_with_script),
                live: PerProcess::new(live),
            }),
        })
    }
}

/// Pending records in Redis: for a fleet of servers, or workers forked from one parent.
///
/// Records are written with `SET key record EX ttl NX` and taken with `GETDEL` (a Lua
/// script of GET and DEL on servers older than 6.2), both atomic in Redis, so of any number
/// of concurrent `complete` calls with one state, on any number of hosts, exactly one gets
/// the record. Keys are the prefix followed by a SHA-256 hash of the state, so a key dump
/// or `MONITOR` shows no live state.
///
/// One multiplexed connection per process (redis-rs's `ConnectionManager`, reconnecting
/// after a failure), driven by the store's own small runtime, so that any executor or
/// plain thread may call it; a forked child connects anew on first use and never touches
/// the parent's socket. A server that cannot be reached, or a command that takes longer
/// than its timeout, is `store_unavailable`.
///
/// The URL's password never appears in `Debug` output or an error message.
///
/// For `rediss://`, building the store installs rustls's ring provider as the process's
/// default when the application has installed none (redis-rs needs one).
#[derive(Clone)]
pub struct RedisStore {
    inner: Arc<Shared>,
}

struct Shared {
    client: redis::Client,
    password: Option<Secret>,
    key_prefix: String,
    connect_timeout: Duration,
    command_timeout: Duration,
    take_with_script: AtomicBool,
    live: PerProcess<Live>,
}

/// What cannot cross a `fork()`: the runtime's threads and the connection.
struct Live {
    runtime: OwnedRuntime,
    connection: Arc<OnceCell<ConnectionManager>>,
}

impl Live {
    fn start() -> Result<Live, String> {
        let runtime = OwnedRuntime::start().map_err(|e| {
            format!("the Redis store's worker threads could not be started ({e}); check the process's thread limits")
        })?;
        Ok(Live {
            runtime,
            connection: Arc::new(OnceCell::new()),
        })
    }
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shared = &self.inner;
        f.debug_struct("RedisStore")
            .field("key_prefix", &shared.key_prefix)
            .field("connect_timeout", &shared.connect_timeout)
            .field("command_timeout", &shared.command_timeout)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// A store on the server at `url` (`redis://[:password@]host[:port][/db]`,
    /// `rediss://…` for TLS) with the default prefix and timeouts.
    pub fn new(url: impl Into<Secret>) -> Result<RedisStore, ConfigError> {
        RedisStore::builder(url).build()
    }

    /// A builder, for another key prefix or timeouts.
    pub fn builder(url: impl Into<Secret>) -> RedisStoreBuilder {
        RedisStoreBuilder {
            url: url.into(),
            key_prefix: DEFAULT_REDIS_KEY_PREFIX.to_owned(),
            connect_timeout: DEFAULT_REDIS_TIMEOUT,
            command_timeout: DEFAULT_REDIS_TIMEOUT,
            take_with_script: false,
            root_certificate_pem: None,
        }
    }

    /// Runs `op` with this process's connection on this process's runtime, within the
    /// timeouts.
    fn run<T, F, Fut>(&self, what: &'static str, op: F) -> StoreFuture<'static, T>
    where
        T: Send + 'static,
        F: FnOnce(Arc<Shared>, ConnectionManager) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        let live = match self.inner.live.current(Live::start) {
            Ok(live) => live,
            Err(reason) => return Box::pin(async move { Err(StoreError::new(reason)) }),
        };
        let shared = Arc::clone(&self.inner);
        let cell = Arc::clone(&live.connection);
        let task = live.runtime.spawn(async move {
            let connect = cell.get_or_try_init(|| shared.connect());
            let connection = match tokio::time::timeout(shared.connect_timeout, connect).await {
                Ok(Ok(connection)) => connection.clone(),
                Ok(Err(e)) => return Err(shared.failure("connecting to Redis", &e)),
                Err(_) => {
                    return Err(StoreError::new(format!(
                        "connecting to Redis took longer than {} ms",
                        shared.connect_timeout.as_millis()
                    )))
                }
            };
            let timeout = shared.command_timeout;
            match tokio::time::timeout(timeout, op(shared, connection)).await {
                Ok(result) => result,
                Err(_) => Err(StoreError::new(format!(
                    "Redis did not answer {what} within {} ms",
                    timeout.as_millis()
                ))),
            }
        });
        Box::pin(async move {
            task.await.unwrap_or_else(|_| {
                Err(StoreError::new(
                    "the Redis command ended without an answer (the store was shutting down)",
                ))
            })
        })
    }
}

impl Shared {
    async fn connect(&self) -> redis::RedisResult<ConnectionManager> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.connect_timeout))
            .set_response_timeout(Some(self.command_timeout))
            .set_number_of_retries(2)
            .set_max_delay(self.connect_timeout);
        self.client.get_connection_manager_with_config(config).await
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.key_prefix)
    }

    /// A Redis error as a store error, without the URL's password.
    fn failure(&self, doing: &str, error: &redis::RedisError) -> StoreError {
        let mut text = error.to_string();
        if let Some(password) = &self.password {
            text = text.replace(password.expose(), "[redacted]");
        }
        StoreError::new(format!("{doing} failed: {text}"))
    }

    async fn take(
        &self,
        mut connection: ConnectionManager,
        key: String,
    ) -> Result<Option<String>, StoreError> {
        if !self.take_with_script.load(Ordering::Relaxed) {
            match redis::cmd("GETDEL")
                .arg(&key)
                .query_async::<Option<String>>(&mut connection)
                .await
            {
                Ok(taken) => return Ok(taken),
                Err(e) if is_unknown_command(&e) => {
                    self.take_with_script.store(true, Ordering::Relaxed);
                }
                Err(e) => return Err(self.failure("GETDEL", &e)),
            }
        }
        redis::Script::new(TAKE_SCRIPT)
            .key(&key)
            .invoke_async::<Option<String>>(&mut connection)
            .await
            .map_err(|e| self.failure("the take script (GET and DEL)", &e))
    }
}

/// The server does not know the command (Redis before 6.2 for `GETDEL`).
fn is_unknown_command(error: &redis::RedisError) -> bool {
    error.code() == Some("ERR")
        && error
            .detail()
            .is_some_and(|d| d.to_ascii_lowercase().contains("unknown command"))
}

impl StateStore for RedisStore {
    fn put<'a>(&'a self, key: &'a str, record: &'a str, ttl_seconds: u64) -> StoreFuture<'a, ()> {
        let (key, record) = (self.inner.key(key), record.to_owned());
        let ttl = ttl_seconds.max(1);
        self.run("SET", move |shared, mut connection| async move {
            let written = redis::cmd("SET")
                .arg(&key)
                .arg(record)
                .arg("EX")
                .arg(ttl)
                .arg("NX")
                .query_async::<Option<String>>(&mut connection)
                .await
                .map_err(|e| shared.failure("SET", &e))?;
            match written {
                Some(_) => Ok(()),
                None => Err(StoreError::new(
                    "a record is already stored under this key (SET NX refused it)",
                )),
            }
        })
    }

    fn take<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<String>> {
        let key = self.inner.key(key);
        self.run("GETDEL", move |shared, connection| async move {
            shared.take(connection, key).await
        })
    }
}
