//! What every connection of a server shares: the store, the options, the registry and the
//! shutdown signal.

use devicekey_runtime::DeviceKeyStore;

use crate::options::ServerOptions;
use crate::registry::ConnectionRegistry;

/// The state a server hands each of its connections.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) store: DeviceKeyStore,
    pub(crate) options: ServerOptions,
    pub(crate) registry: ConnectionRegistry,
    pub(crate) shutdown: tokio::sync::watch::Sender<bool>,
}

impl Shared {
    /// Resolves once the server was told to shut down.
    pub(crate) async fn shutting_down(&self) {
        let mut receiver = self.shutdown.subscribe();
        let _ = receiver.wait_for(|stopped| *stopped).await;
    }
}
