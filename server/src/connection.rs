//! One client connection: a reader task that frames and classifies lines, a task per request,
//! and one writer task fed by the connection's [`Outbound`] queue (bounded in bytes), so answers
//! go out as they complete.
//!
//! The reader keeps the handshake state and answers `initialize` itself, in line order; every
//! other request runs in its own task. Answers to the server's own requests
//! (`attestation/generate`) are routed to whoever waits for them. At the end of the input (or
//! on [`Server::shutdown`]) the reader stops, the requests in flight finish and are answered,
//! and then the writer closes. A client that stops reading while its answers fill the outbound
//! budget for the stall timeout is disconnected (see [`crate::outbound`]).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use devicekey_protocol::methods::{self, Direction};
use devicekey_protocol::types::{InitializeParams, InitializeResponse, RequestErrorDataKind};
use serde_json::{Map, Value};
use tokio::io::{AsyncRead, AsyncWrite, BufReader};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use devicekey_proof::{parse_strict, Validated};

use crate::dispatch::call;
use crate::lines::{Line, LineReader, Text};
use crate::outbound::{Gone, Message, Outbound};
use crate::peer::{lock, ClientAnswer, Connection};
use crate::rpc::{self, RequestId, RpcError};
use crate::shared::Shared;

/// Serves one connection until its input ends, then lets the requests in flight finish and
/// flushes their answers.
pub(crate) async fn serve_connection<R, W>(server: Arc<Shared>, reader: R, writer: W)
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let id = server.registry.next_id();
    let (outbound, write_messages) = Outbound::new(
        id,
        server.options.max_outbound_bytes,
        server.options.outbound_stall_timeout,
        writer,
    );
    let writer_task = tokio::spawn(write_messages);
    let connection = Arc::new(Connection::new(id, outbound.clone()));
    server.registry.insert(Arc::clone(&connection));
    tracing::debug!(connection = connection.id(), "connection opened");

    let disconnected = outbound.disconnected();
    tokio::pin!(disconnected);
    let mut handler = LineHandler {
        server: Arc::clone(&server),
        connection: Arc::clone(&connection),
        outbound,
        initialized: false,
        tasks: JoinSet::new(),
        slots: Arc::new(Semaphore::new(server.options.max_in_flight.max(1))),
    };
    let mut lines = LineReader::new(
        BufReader::new(reader),
        server.options.max_line_bytes,
        Some(server.line_budget.clone()),
    );
    let shutting_down = server.shutting_down();
    tokio::pin!(shutting_down);
    loop {
        let next = tokio::select! {
            next = lines.next_line() => next,
            () = &mut shutting_down => break,
            () = &mut disconnected => break,
        };
        let line = match next {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(error) if is_disconnect(&error) => {
                tracing::debug!(connection = connection.id(), %error, "the client went away");
                break;
            }
            Err(error) => {
                tracing::warn!(connection = connection.id(), %error, "cannot read from the connection");
                break;
            }
        };
        while handler.tasks.try_join_next().is_some() {}
        match line {
            Line::TooLong => {
                let error = RpcError::request(
                    RequestErrorDataKind::LineTooLong,
                    format!(
                        "Invalid request: the line is longer than {} bytes",
                        lines.limit()
                    ),
                );
                handler
                    .send(rpc::error_response(&Value::Null, &error))
                    .await;
            }
            Line::Busy => {
                let suppressed = lock(&server.busy_log).allow(Instant::now());
                if let Some(suppressed) = suppressed {
                    tracing::warn!(
                        connection = connection.id(),
                        budget_bytes = server.options.line_memory_budget,
                        suppressed,
                        "skipped a long line: the server's line memory budget stayed exhausted"
                    );
                }
                let error = RpcError::request(
                    RequestErrorDataKind::ServerBusy,
                    format!(
                        "Server busy: no room for a line longer than {} bytes within {} ms; the \
                         line was skipped",
                        crate::options::SHORT_LINE_BYTES,
                        server.options.line_budget_timeout.as_millis()
                    ),
                );
                handler
                    .send(rpc::error_response(&Value::Null, &error))
                    .await;
            }
            Line::Text(text) => handler.handle(text).await,
        }
    }
    connection.close();
    server.registry.remove(connection.id());
    while handler.tasks.join_next().await.is_some() {}
    drop(handler);
    if let Err(error) = writer_task.await {
        tracing::warn!(connection = connection.id(), %error, "the writer task failed");
    }
    tracing::debug!(connection = connection.id(), "connection closed");
}

/// Whether a read failed because the client went away: a client that closes its end with
/// answers still unread resets the connection. That is the client's doing, not a server failure,
/// so it is logged at debug level.
fn is_disconnect(error: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        error.kind(),
        ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::BrokenPipe
            | ErrorKind::NotConnected
            | ErrorKind::UnexpectedEof
    )
}

/// The reader's side of a connection: classifies each line and answers or dispatches it.
struct LineHandler {
    server: Arc<Shared>,
    connection: Arc<Connection>,
    outbound: Outbound,
    initialized: bool,
    tasks: JoinSet<()>,
    slots: Arc<Semaphore>,
}

impl LineHandler {
    async fn send(&self, message: Value) {
        // The writer only goes away when the connection is broken; nothing is left to tell.
        let _ = self.outbound.send_value(&message).await;
    }

    async fn fail(&self, id: &RequestId, error: RpcError) {
        self.send(rpc::error_response(id, &error)).await;
    }

    /// Handles one line. A long line's share of the line budget is kept until what was parsed
    /// from it is validated (or answered here).
    async fn handle(&mut self, text: Text) {
        let Text {
            bytes,
            mut reservation,
        } = text;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        // A long line goes to the server's long-line parser, so that parsing it cannot hold up
        // the async workers that serve every other connection.
        let message = if let Some(reservation) = reservation.as_mut() {
            let Some(parsed) = self.server.long_lines.parse(bytes, reservation).await else {
                tracing::warn!(
                    connection = self.connection.id(),
                    "the long-line parser failed; the line is dropped"
                );
                return;
            };
            parsed
        } else {
            parse_strict(&bytes)
        };
        let message = match message {
            Ok(message) => message,
            Err(error) => {
                return self.fail(&Value::Null, RpcError::parse_error(error)).await;
            }
        };
        let Value::Object(mut message) = message else {
            return self
                .fail(
                    &Value::Null,
                    invalid_request("not a JSON-RPC message object"),
                )
                .await;
        };
        let id = message.remove("id");
        let valid_id = id.as_ref().filter(|id| rpc::is_valid_id(id)).cloned();
        let reply_id = valid_id.clone().unwrap_or(Value::Null);
        if id.is_some() && valid_id.is_none() {
            return self
                .fail(
                    &Value::Null,
                    invalid_request("the id must be a string or an integer"),
                )
                .await;
        }
        match message.get("jsonrpc") {
            None => {}
            Some(Value::String(version)) if version == "2.0" => {}
            Some(_) => {
                return self
                    .fail(&reply_id, invalid_request("jsonrpc must be \"2.0\""))
                    .await
            }
        }
        let method = match message.remove("method") {
            Some(Value::String(method)) => method,
            Some(_) => {
                return self
                    .fail(&reply_id, invalid_request("the method must be a string"))
                    .await
            }
            None => return self.answer_from_client(valid_id, message).await,
        };
        let params = match message.remove("params") {
            None | Some(Value::Null) => None,
            Some(params) => Some(params),
        };
        let Some(id) = valid_id else {
            return self.notification(&method);
        };
        if method == "initialize" {
            return self.initialize(&id, params).await;
        }
        if !self.initialized {
            return self
                .fail(
                    &id,
                    RpcError::request(RequestErrorDataKind::NotInitialized, "Not initialized"),
                )
                .await;
        }
        let Some(info) =
            methods::method(&method).filter(|info| info.direction == Direction::ClientToServer)
        else {
            return self.fail(&id, RpcError::method_not_found(&method)).await;
        };
        // The params are validated once, by the method's own call (see `dispatch`).
        let params = params.unwrap_or_else(|| Value::Object(Map::new()));
        let Ok(slot) = Arc::clone(&self.slots).acquire_owned().await else {
            return;
        };
        let store = self.server.store.clone();
        let outbound = self.outbound.clone();
        let runtime = tokio::runtime::Handle::current();
        self.tasks.spawn_blocking(move || {
            let message = match call(&store, info.name, params) {
                Ok(result) => rpc::response(&id, result),
                Err(error) => rpc::error_response(&id, &error),
            };
            // The params are validated and gone: the line's share of the budget is free again.
            drop(reservation);
            // A full queue (a client that does not read) must not hold a blocking thread: the
            // answer then waits in a task, still holding the request's slot.
            match outbound.try_send(Message::new(&message)) {
                Ok(()) | Err(Err(Gone)) => {}
                Err(Ok(message)) => {
                    runtime.spawn(async move {
                        let _slot = slot;
                        let _ = outbound.send(message).await;
                    });
                }
            }
        });
    }

    /// A message without a method: the client's answer to one of the server's requests.
    async fn answer_from_client(&self, id: Option<Value>, mut message: Map<String, Value>) {
        let answer = match (message.remove("error"), message.remove("result")) {
            (Some(error), _) => ClientAnswer::Error(error),
            (None, Some(result)) => ClientAnswer::Result(result),
            (None, None) => {
                let id = id.unwrap_or(Value::Null);
                return self
                    .fail(
                        &id,
                        invalid_request("a message needs a method, or a result or error"),
                    )
                    .await;
            }
        };
        match id {
            Some(id) => self.connection.deliver(&id, answer),
            None => tracing::debug!(
                connection = self.connection.id(),
                "discarding an answer without an id"
            ),
        }
    }

    fn notification(&mut self, method: &str) {
        match method {
            "initialized" => {
                tracing::debug!(connection = self.connection.id(), "client initialized")
            }
            other => tracing::debug!(
                connection = self.connection.id(),
                method = other,
                "ignoring a notification"
            ),
        }
    }

    async fn initialize(&mut self, id: &RequestId, params: Option<Value>) {
        if self.initialized {
            return self
                .fail(
                    id,
                    RpcError::request(
                        RequestErrorDataKind::AlreadyInitialized,
                        "Already initialized",
                    ),
                )
                .await;
        }
        let params = params.unwrap_or_else(|| Value::Object(Map::new()));
        let params = match Validated::<InitializeParams>::from_json(params) {
            Ok(params) => params.into_inner(),
            Err(error) => return self.fail(id, RpcError::from_store(&error, None)).await,
        };
        let wants_attestation = params
            .capabilities
            .as_ref()
            .and_then(|capabilities| capabilities.request_attestation)
            .unwrap_or(false);
        self.connection
            .wants_attestation
            .store(wants_attestation, Ordering::SeqCst);
        self.initialized = true;
        tracing::debug!(
            connection = self.connection.id(),
            client = params.client_info.name.as_str(),
            version = params.client_info.version.as_str(),
            wants_attestation,
            "initialize"
        );
        let response = serde_json::to_value(initialize_response())
            .expect("the initialize response serializes");
        self.send(rpc::response(id, response)).await;
    }
}

fn invalid_request(detail: &str) -> RpcError {
    RpcError::request(
        RequestErrorDataKind::InvalidRequest,
        format!("Invalid request: {detail}"),
    )
}

/// The result of `initialize`.
pub(crate) fn initialize_response() -> InitializeResponse {
    InitializeResponse {
        user_agent: format!(
            "devicekey/{} ({}; {})",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS,
            std::env::consts::ARCH
        ),
        platform_family: std::env::consts::FAMILY.to_owned(),
        platform_os: std::env::consts::OS.to_owned(),
    }
}
