//! A server: the store it serves, its options and its live connections, and the ways to serve a
//! connection (stdio, an in-memory pair; Unix sockets in [`crate::unix`]).

use std::sync::{Arc, Mutex};

use devicekey_runtime::DeviceKeyStore;
use tokio::io::{AsyncRead, AsyncWrite, DuplexStream};
use tokio::task::JoinHandle;

use crate::connection::serve_connection;
use crate::lines::{LineBudget, LongLineParser};
use crate::options::{ServerOptions, SHORT_LINE_BYTES};
use crate::registry::ConnectionRegistry;
use crate::shared::Shared;
use crate::throttle::{LogThrottle, LOG_INTERVAL};

/// A server: the store it serves, its options and its live connections. Cheap to share.
#[derive(Debug)]
pub struct Server {
    shared: Arc<Shared>,
}

impl Server {
    /// A server of `store`.
    pub fn new(store: DeviceKeyStore, options: ServerOptions) -> Arc<Self> {
        let line_budget = LineBudget::new(
            options.line_memory_budget,
            options.max_line_bytes,
            SHORT_LINE_BYTES,
            options.line_budget_timeout,
        );
        Arc::new(Server {
            shared: Arc::new(Shared {
                store,
                options,
                registry: ConnectionRegistry::default(),
                line_budget,
                long_lines: LongLineParser::default(),
                busy_log: Mutex::new(LogThrottle::new(LOG_INTERVAL)),
                shutdown: tokio::sync::watch::Sender::new(false),
            }),
        })
    }

    /// The store it serves.
    pub fn store(&self) -> &DeviceKeyStore {
        &self.shared.store
    }

    /// Its options.
    pub fn options(&self) -> &ServerOptions {
        &self.shared.options
    }

    /// Stops every connection from reading further requests; the requests in flight finish
    /// and are answered, then the connections end.
    pub fn shutdown(&self) {
        self.shared.shutdown.send_replace(true);
    }

    /// Its live connections.
    pub fn registry(&self) -> &ConnectionRegistry {
        &self.shared.registry
    }

    /// The `x-oai-attestation` header value from the most recent connection that opted in, or
    /// `None` when none did (see [`crate::attestation_header`]).
    pub async fn attestation_header(&self) -> Option<String> {
        crate::attestation::attestation_header(
            &self.shared.registry,
            self.shared.options.attestation_timeout,
        )
        .await
    }

    /// Serves one connection over `reader` and `writer` until the reader ends, then lets the
    /// requests in flight finish and flushes their answers.
    pub async fn serve<R, W>(&self, reader: R, writer: W)
    where
        R: AsyncRead + Unpin + Send + 'static,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        serve_connection(Arc::clone(&self.shared), reader, writer).await;
    }

    /// Serves stdin/stdout until stdin ends.
    pub async fn serve_stdio(&self) {
        self.serve(tokio::io::stdin(), tokio::io::stdout()).await;
    }

    /// Opens an in-memory connection: the returned stream is the client's end, speaking the
    /// same newline-delimited framing as stdio; the handle ends when the connection does.
    pub fn connect_in_memory(&self) -> (DuplexStream, JoinHandle<()>) {
        let (client, server_end) = tokio::io::duplex(256 * 1024);
        let (reader, writer) = tokio::io::split(server_end);
        let task = tokio::spawn(serve_connection(Arc::clone(&self.shared), reader, writer));
        (client, task)
    }
}
