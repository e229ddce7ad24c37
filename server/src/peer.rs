//! The shared side of one client connection: what the registry and the server's own requests
//! (`attestation/generate`) reach, while the connection's tasks ([`crate::connection`]) run it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::oneshot;

use crate::outbound::Outbound;
use crate::rpc;

/// The answer a client gave to a server request.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientAnswer {
    /// `result`.
    Result(Value),
    /// `error`.
    Error(Value),
}

/// How a server request ended.
#[derive(Debug, Clone, PartialEq)]
pub enum RequestOutcome {
    /// The client answered.
    Answered(ClientAnswer),
    /// No answer within the timeout (a later answer is discarded).
    TimedOut,
    /// The connection went away before an answer came.
    Gone,
}

/// The shared side of a connection: what the registry and server requests reach.
#[derive(Debug)]
pub struct Connection {
    id: u64,
    outbound: Mutex<Option<Outbound>>,
    pending: Mutex<Pending>,
    next_request_id: AtomicU64,
    pub(crate) wants_attestation: AtomicBool,
}

#[derive(Debug, Default)]
struct Pending {
    closed: bool,
    waiting: HashMap<u64, oneshot::Sender<ClientAnswer>>,
}

impl Connection {
    pub(crate) fn new(id: u64, outbound: Outbound) -> Self {
        Connection {
            id,
            outbound: Mutex::new(Some(outbound)),
            pending: Mutex::new(Pending::default()),
            next_request_id: AtomicU64::new(1),
            wants_attestation: AtomicBool::new(false),
        }
    }

    /// The connection's number, unique within its server.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Whether the client opted into `attestation/generate` in `initialize`.
    pub fn wants_attestation(&self) -> bool {
        self.wants_attestation.load(Ordering::SeqCst)
    }

    /// Whether the connection has ended.
    pub fn is_closed(&self) -> bool {
        lock(&self.pending).closed
    }

    /// Sends the client the request `method` with `params` (id from this connection's own
    /// counter) and waits up to `timeout` for its answer.
    pub async fn request(&self, method: &str, params: Value, timeout: Duration) -> RequestOutcome {
        let id = self.next_request_id.fetch_add(1, Ordering::Relaxed);
        let (sender, receiver) = oneshot::channel();
        {
            let mut pending = lock(&self.pending);
            if pending.closed {
                return RequestOutcome::Gone;
            }
            pending.waiting.insert(id, sender);
        }
        let outbound = lock(&self.outbound).clone();
        // The timeout covers the queue too: a client that stops reading cannot stall the caller.
        let exchange = async {
            let Some(outbound) = outbound else {
                return RequestOutcome::Gone;
            };
            if outbound
                .send_value(&rpc::request(id, method, params))
                .await
                .is_err()
            {
                return RequestOutcome::Gone;
            }
            match receiver.await {
                Ok(answer) => RequestOutcome::Answered(answer),
                Err(_) => RequestOutcome::Gone,
            }
        };
        let outcome = tokio::time::timeout(timeout, exchange)
            .await
            .unwrap_or(RequestOutcome::TimedOut);
        if !matches!(outcome, RequestOutcome::Answered(_)) {
            lock(&self.pending).waiting.remove(&id);
        }
        outcome
    }

    /// Hands an answer to the request it belongs to; answers nobody waits for any more (late
    /// ones, after a timeout) are dropped.
    pub(crate) fn deliver(&self, id: &Value, answer: ClientAnswer) {
        let waiter = id
            .as_u64()
            .and_then(|id| lock(&self.pending).waiting.remove(&id));
        match waiter {
            Some(waiter) => {
                let _ = waiter.send(answer);
            }
            None => {
                tracing::debug!(connection = self.id, %id, "discarding an answer nobody waits for")
            }
        }
    }

    /// Ends the connection for server requests: those waiting learn it is gone.
    pub(crate) fn close(&self) {
        let waiting = {
            let mut pending = lock(&self.pending);
            pending.closed = true;
            std::mem::take(&mut pending.waiting)
        };
        drop(waiting);
        lock(&self.outbound).take();
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
