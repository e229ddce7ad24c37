//! How a server behaves: its limits and timeouts.

use std::time::Duration;

use crate::lines::MAX_LINE_BYTES;

/// How many connections a socket listener serves at once by default.
pub const MAX_CONNECTIONS: usize = 256;
/// The default budget, per connection, of answers waiting for the client to read them: 4 MiB.
pub const MAX_OUTBOUND_BYTES: usize = 4 * 1024 * 1024;
/// The default server-wide budget of long lines being read and parsed at once: 8 MiB.
pub const LINE_MEMORY_BUDGET: usize = 8 * 1024 * 1024;
/// Lines up to this long (16 KiB) are read without the line budget: every request the protocol
/// defines fits, since every string in it has a maximum length.
pub const SHORT_LINE_BYTES: usize = 16 * 1024;

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
    /// How many connections a [`SocketListener`](crate::SocketListener) serves at once (default
    /// [`MAX_CONNECTIONS`]). A connection beyond it is accepted, sent one `tooManyConnections`
    /// error (id `null`) and closed at once, so that its client learns why instead of waiting.
    pub max_connections: usize,
    /// How many bytes of answers may wait, per connection, for the client to read them (default
    /// [`MAX_OUTBOUND_BYTES`]). When the budget is spent, whoever answers waits for the client.
    pub max_outbound_bytes: usize,
    /// How long an answer may wait for room in that budget (default 5 s): a client that reads
    /// nothing for that long while answers wait is disconnected, with a warning in the log.
    pub outbound_stall_timeout: Duration,
    /// How many bytes of long lines (beyond [`SHORT_LINE_BYTES`]) all connections together may
    /// hold while reading, parsing and validating them (default [`LINE_MEMORY_BUDGET`]). A
    /// connection reserves `max_line_bytes` of it (at most the whole budget) before it buffers a
    /// long line and gives it back once the request is validated; so with the defaults 8 long
    /// lines are in flight at once and a line longer than the budget is too long.
    pub line_memory_budget: usize,
    /// How long a connection waits for room in the line budget (default 5 s) before it skips
    /// the line and answers `serverBusy` (id `null`); the connection stays usable.
    pub line_budget_timeout: Duration,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            attestation_timeout: Duration::from_millis(100),
            max_line_bytes: MAX_LINE_BYTES,
            max_in_flight: 64,
            max_connections: MAX_CONNECTIONS,
            max_outbound_bytes: MAX_OUTBOUND_BYTES,
            outbound_stall_timeout: Duration::from_secs(5),
            line_memory_budget: LINE_MEMORY_BUDGET,
            line_budget_timeout: Duration::from_secs(5),
        }
    }
}
