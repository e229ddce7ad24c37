//! How a server behaves: its limits and timeouts.

use std::time::Duration;

use crate::lines::MAX_LINE_BYTES;

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
