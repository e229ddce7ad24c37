//! The live connections of a server, so that a server request can reach one that opted in.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::peer::Connection;

/// The live connections of a server, by connection number.
#[derive(Debug, Default)]
pub struct ConnectionRegistry {
    next_id: AtomicU64,
    connections: Mutex<BTreeMap<u64, Arc<Connection>>>,
}

impl ConnectionRegistry {
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub(crate) fn insert(&self, connection: Arc<Connection>) {
        self.lock().insert(connection.id(), connection);
    }

    pub(crate) fn remove(&self, id: u64) {
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
