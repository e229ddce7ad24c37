//! What every connection of a server shares: the store, the options, the registry, the budget
//! of long lines and the shutdown signal.

use std::sync::Mutex;

use devicekey_runtime::DeviceKeyStore;

use crate::lines::{LineBudget, LongLineParser};
use crate::options::ServerOptions;
use crate::registry::ConnectionRegistry;
use crate::throttle::LogThrottle;

/// The state a server hands each of its connections.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) store: DeviceKeyStore,
    pub(crate) options: ServerOptions,
    pub(crate) registry: ConnectionRegistry,
    /// The server-wide budget of long lines being read, parsed and validated.
    pub(crate) line_budget: LineBudget,
    /// Parses the long lines of every connection, one at a time.
    pub(crate) long_lines: LongLineParser,
    /// One warning per interval when long lines find the budget exhausted.
    pub(crate) busy_log: Mutex<LogThrottle>,
    pub(crate) shutdown: tokio::sync::watch::Sender<bool>,
}

impl Shared {
    /// Resolves once the server was told to shut down.
    pub(crate) async fn shutting_down(&self) {
        let mut receiver = self.shutdown.subscribe();
        let _ = receiver.wait_for(|stopped| *stopped).await;
    }
}
