//! The device-key JSON-RPC server: newline-delimited JSON-RPC 2.0 over stdio, a Unix socket or
//! any pair of byte streams, serving a [`DeviceKeyStore`].
//!
//! Per connection ([`connection`]): one reader task, a task per request, one writer task.
//! The [`ConnectionRegistry`] holds the live connections, so the server can send
//! `attestation/generate` to one that opted in ([`crate::attestation`]).

pub mod connection;
pub mod dispatch;
pub mod lines;
pub mod rpc;
#[cfg(unix)]
pub mod unix;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::DuplexStream;
use tokio::task::JoinHandle;

use crate::store::DeviceKeyStore;

pub use connection::{serve_connection, ClientAnswer, Connection, RequestOutcome};
pub use lines::MAX_LINE_BYTES;

/// How the server behaves.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// How long `attestation/generate` waits for the client (default 100 ms).
    pub attestation_timeout: Duration,
    /// The longest line accepted (default [`MAX_LINE_BYTES`]).
    pub max_line_bytes: usize,
    /// How many requests of one connection run at once (default 64); the connection's reader
    /// waits for a slot before it reads on, which pushes back on a client that floods it.
    pub max_in_flight: usize,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            attestation_timeout: Duration::from_millis(100),
            max_line_bytes: MAX_LINE_BYTES,
            max_in_flight: 64,
        }
    }
}

/// A server: the store it serves, its options and its live connections.
#[derive(Debug)]
pub struct Server {
    store: DeviceKeyStore,
    options: ServerOptions,
    registry: ConnectionRegistry,
    shutdown: tokio::sync::watch::Sender<bool>,
}

impl Server {
    /// A server of `store`.
    pub fn new(store: DeviceKeyStore, options: ServerOptions) -> Arc<Self> {
        Arc::new(Server {
            store,
            options,
            registry: ConnectionRegistry::default(),
            shutdown: tokio::sync::watch::Sender::new(false),
        })
    }

    /// The store it serves.
    pub fn store(&self) -> &DeviceKeyStore {
        &self.store
    }

    /// Its options.
    pub fn options(&self) -> &ServerOptions {
        &self.options
    }

    /// Stops every connection from reading further requests; the requests in flight finish
    /// and are answered, then the connections end.
    pub fn shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// Resolves once [`Server::shutdown`] was called.
    pub(crate) async fn shutting_down(&self) {
        let mut receiver = self.shutdown.subscribe();
        let _ = receiver.wait_for(|stopped| *stopped).await;
    }

    /// Its live connections.
    pub fn registry(&self) -> &ConnectionRegistry {
        &self.registry
    }

    /// The `x-oai-attestation` header value from the most recent connection that opted in, or
    /// `None` when none did (see [`crate::attestation`]).
    pub async fn attestation_header(&self) -> Option<String> {
        crate::attestation::attestation_header(&self.registry, self.options.attestation_timeout)
            .await
    }

    /// The result of `initialize`.
    pub fn initialize_response(&self) -> Value {
        json!({
            "userAgent": format!("devicekey/{} ({}; {})", env!("CARGO_PKG_VERSION"), std::env::consts::OS, std::env::consts::ARCH),
            "platformFamily": std::env::consts::FAMILY,
            "platformOs": std::env::consts::OS,
        })
    }

    /// Serves stdin/stdout until stdin ends.
    pub async fn serve_stdio(self: &Arc<Self>) {
        serve_connection(Arc::clone(self), tokio::io::stdin(), tokio::io::stdout()).await;
    }

    /// Opens an in-memory connection: the returned stream is the client's end, speaking the
    /// same newline-delimited framing as stdio; the handle ends when the connection does.
    pub fn connect_in_memory(self: &Arc<Self>) -> (DuplexStream, JoinHandle<()>) {
        let (client, server_end) = tokio::io::duplex(256 * 1024);
        let (reader, writer) = tokio::io::split(server_end);
        let task = tokio::spawn(serve_connection(Arc::clone(self), reader, writer));
        (client, task)
    }
}

/// The live connections of a server, by connection number.
#[derive(Debug, Default)]
pub struct ConnectionRegistry {
    next_id: AtomicU64,
    connections: Mutex<BTreeMap<u64, Arc<Connection>>>,
}

impl ConnectionRegistry {
    fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed) + 1
    }

    fn insert(&self, connection: Arc<Connection>) {
        self.lock().insert(connection.id(), connection);
    }

    fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Arc<Connection>>> {
        self.connections
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How many connections are open.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no connection is open.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// The most recently opened live connection whose client opted into attestation.
    pub fn latest_attesting(&self) -> Option<Arc<Connection>> {
        self.lock()
            .values()
            .rev()
            .find(|connection| connection.wants_attestation() && !connection.is_closed())
            .cloned()
    }
}
