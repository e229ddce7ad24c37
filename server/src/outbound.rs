//! A connection's outbound queue, bounded in bytes: every message is serialized when it is
//! queued and holds its size of the connection's budget until the writer has written it. When
//! the budget is spent, senders wait for the client to read; a client that reads nothing for
//! the stall timeout while answers wait is disconnected, with the reason in the log, instead of
//! growing the server.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncWrite, AsyncWriteExt as _, BufWriter};
use tokio::sync::{mpsc, watch, OwnedSemaphorePermit, Semaphore, TryAcquireError};

/// What a queued message costs beyond its bytes (its allocation and place in the queue).
const MESSAGE_OVERHEAD: usize = 64;

/// The sending side of a connection's outbound queue. Cheap to clone; the writer ends once every
/// clone is gone (and what was queued is written) or the client was disconnected.
#[derive(Debug, Clone)]
pub(crate) struct Outbound {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    connection: u64,
    queue: mpsc::UnboundedSender<Queued>,
    budget: Arc<Semaphore>,
    capacity: usize,
    stall_timeout: Duration,
    disconnected: watch::Sender<bool>,
}

/// One serialized message, holding its share of the budget.
#[derive(Debug)]
pub(crate) struct Queued {
    line: Vec<u8>,
    _permit: OwnedSemaphorePermit,
}

/// A message serialized as one line, not yet queued.
#[derive(Debug)]
pub(crate) struct Message {
    line: Vec<u8>,
}

/// The connection is gone, or its client was disconnected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Gone;

impl Message {
    /// `message` as one line.
    pub(crate) fn new(message: &Value) -> Self {
        let mut line = serde_json::to_vec(message).expect("a JSON value serializes");
        line.push(b'\n');
        Message { line }
    }
}

impl Outbound {
    /// A queue of `capacity` bytes for connection `connection`, and the task body that writes it
    /// to `writer`.
    pub(crate) fn new<W: AsyncWrite + Unpin>(
        connection: u64,
        capacity: usize,
        stall_timeout: Duration,
        writer: W,
    ) -> (Self, impl std::future::Future<Output = ()>) {
        let capacity = capacity.clamp(MESSAGE_OVERHEAD + 1, u32::MAX as usize);
        let (queue, receiver) = mpsc::unbounded_channel();
        let (disconnected, watch) = watch::channel(false);
        let outbound = Outbound {
            inner: Arc::new(Inner {
                connection,
                queue,
                budget: Arc::new(Semaphore::new(capacity)),
                capacity,
                stall_timeout,
                disconnected,
            }),
        };
        (outbound, write_messages(writer, receiver, watch))
    }

    fn cost(&self, message: &Message) -> u32 {
        // A message larger than the whole budget waits for all of it.
        (message.line.len() + MESSAGE_OVERHEAD).min(self.inner.capacity) as u32
    }

    /// Queues `message` if the budget has room for it at once; gives it back otherwise.
    pub(crate) fn try_send(&self, message: Message) -> Result<(), Result<Message, Gone>> {
        let cost = self.cost(&message);
        match Arc::clone(&self.inner.budget).try_acquire_many_owned(cost) {
            Ok(permit) => self.enqueue(message, permit).map_err(Err),
            Err(TryAcquireError::NoPermits) => Err(Ok(message)),
            Err(TryAcquireError::Closed) => Err(Err(Gone)),
        }
    }

    /// Queues `message`, waiting for room in the budget; disconnects the client when none
    /// comes free within the stall timeout.
    pub(crate) async fn send(&self, message: Message) -> Result<(), Gone> {
        let cost = self.cost(&message);
        let budget = Arc::clone(&self.inner.budget);
        let permit = match budget.clone().try_acquire_many_owned(cost) {
            Ok(permit) => permit,
            Err(TryAcquireError::Closed) => return Err(Gone),
            Err(TryAcquireError::NoPermits) => {
                match tokio::time::timeout(
                    self.inner.stall_timeout,
                    budget.acquire_many_owned(cost),
                )
                .await
                {
                    Ok(Ok(permit)) => permit,
                    Ok(Err(_)) => return Err(Gone),
                    Err(_) => {
                        self.disconnect();
                        return Err(Gone);
                    }
                }
            }
        };
        self.enqueue(message, permit)
    }

    /// Serializes and queues `message` (see [`send`](Self::send)).
    pub(crate) async fn send_value(&self, message: &Value) -> Result<(), Gone> {
        self.send(Message::new(message)).await
    }

    fn enqueue(&self, message: Message, permit: OwnedSemaphorePermit) -> Result<(), Gone> {
        self.inner
            .queue
            .send(Queued {
                line: message.line,
                _permit: permit,
            })
            .map_err(|_| Gone)
    }

    /// Disconnects a client that stopped reading: queued answers are dropped, every sender
    /// learns the connection is gone, the writer stops, and the reader stops reading.
    fn disconnect(&self) {
        if self.inner.disconnected.send_replace(true) {
            return;
        }
        tracing::warn!(
            connection = self.inner.connection,
            queued_bytes = self.inner.capacity - self.inner.budget.available_permits(),
            budget_bytes = self.inner.capacity,
            stall_seconds = self.inner.stall_timeout.as_secs_f64(),
            "disconnecting a client that does not read its answers: its outbound budget stayed \
             full for the stall timeout"
        );
        self.inner.budget.close();
    }

    /// Resolves once the client was disconnected for not reading. The future does not keep the
    /// queue open.
    pub(crate) fn disconnected(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut watch = self.inner.disconnected.subscribe();
        async move {
            if watch.wait_for(|disconnected| *disconnected).await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// Bytes waiting to be written (for tests).
    #[cfg(test)]
    pub(crate) fn queued_bytes(&self) -> usize {
        self.inner.capacity - self.inner.budget.available_permits()
    }
}

/// Writes each message as one line, flushing whenever the queue is empty; stops at once when the
/// client is disconnected.
async fn write_messages<W: AsyncWrite + Unpin>(
    writer: W,
    mut queue: mpsc::UnboundedReceiver<Queued>,
    mut disconnected: watch::Receiver<bool>,
) {
    let mut writer = BufWriter::new(writer);
    let stopped = async move {
        // Every sender gone is the normal end: the queue then drains before `writing` ends.
        if disconnected
            .wait_for(|disconnected| *disconnected)
            .await
            .is_err()
        {
            std::future::pending::<()>().await;
        }
    };
    tokio::pin!(stopped);
    let writing = async {
        while let Some(message) = queue.recv().await {
            let mut batch = Some(message);
            while let Some(message) = batch.take() {
                if let Err(error) = writer.write_all(&message.line).await {
                    tracing::debug!(%error, "cannot write to the connection");
                    return;
                }
                drop(message);
                batch = queue.try_recv().ok();
            }
            if let Err(error) = writer.flush().await {
                tracing::debug!(%error, "cannot write to the connection");
                return;
            }
        }
        let _ = writer.shutdown().await;
    };
    tokio::select! {
        () = writing => {}
        () = &mut stopped => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tokio::io::AsyncReadExt as _;

    #[tokio::test]
    async fn the_queue_is_bounded_in_bytes_and_a_stalled_client_is_disconnected() {
        // The client's end holds 1 KiB and is never read.
        let (client, server) = tokio::io::duplex(1024);
        let (outbound, writer) = Outbound::new(7, 8 * 1024, Duration::from_millis(200), server);
        let writer = tokio::spawn(writer);
        let big = json!({"result": "x".repeat(1000)});
        let mut queued = 0;
        let started = std::time::Instant::now();
        while outbound.send_value(&big).await.is_ok() {
            queued += 1;
            assert!(queued < 100, "the queue never filled");
            assert!(outbound.queued_bytes() <= 8 * 1024);
        }
        // 8 KiB queued, beyond the writer's 8 KiB buffer and the 1 KiB in the pipe; then the
        // stall timeout.
        assert!((8..=20).contains(&queued), "{queued} messages queued");
        assert!(started.elapsed() >= Duration::from_millis(200));
        tokio::time::timeout(Duration::from_secs(5), writer)
            .await
            .expect("the writer stops")
            .unwrap();
        assert_eq!(outbound.send_value(&big).await, Err(Gone));
        assert!(matches!(
            outbound.try_send(Message::new(&big)),
            Err(Err(Gone))
        ));
        drop(outbound);
        // The client gets what was written, then the end of the stream.
        let mut client = client;
        let mut seen = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), client.read_to_end(&mut seen))
            .await
            .expect("the stream ends")
            .unwrap();
        assert!(seen.len() <= 2 * 8 * 1024 + 1024, "{}", seen.len());
    }

    #[tokio::test]
    async fn a_reading_client_gets_every_message_in_order() {
        let (client, server) = tokio::io::duplex(64);
        let (outbound, writer) = Outbound::new(1, 1024, Duration::from_secs(5), server);
        let writer = tokio::spawn(writer);
        let reader = tokio::spawn(async move {
            let mut client = client;
            let mut seen = String::new();
            client.read_to_string(&mut seen).await.unwrap();
            seen
        });
        for n in 0..200 {
            outbound.send_value(&json!({"id": n})).await.unwrap();
        }
        drop(outbound);
        writer.await.unwrap();
        let seen = reader.await.unwrap();
        let ids: Vec<u64> = seen
            .lines()
            .map(|line| {
                serde_json::from_str::<Value>(line).unwrap()["id"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        assert_eq!(ids, (0..200).collect::<Vec<_>>());
    }
}
