//! The Unix domain socket transport: a socket file of mode 0600, never looser at any moment,
//! serving many connections, removed when the listener is dropped.
//!
//! The socket is bound inside a fresh directory of mode 0700 next to the target path, set to
//! 0600 there, and renamed into place; nobody else can reach it before its mode is final. Every
//! path of at most [`SocketListener::MAX_PATH_BYTES`] works, however short its file name: where
//! the staged path would be too long to bind, the socket is bound through the staging
//! directory's descriptor.

use std::io;
use std::os::unix::fs::{DirBuilderExt as _, FileTypeExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use devicekey_protocol::types::RequestErrorDataKind;
use serde_json::Value;
use tokio::net::{UnixListener, UnixStream};
use tokio::task::JoinSet;

use crate::rpc::{self, RpcError};
use crate::server::Server;
use crate::throttle::{Backoff, LogThrottle, LOG_INTERVAL};

/// A listening socket whose file is removed on drop.
#[derive(Debug)]
pub struct SocketListener {
    listener: UnixListener,
    path: PathBuf,
}

impl SocketListener {
    /// The longest socket path this platform can bind, in bytes: `sun_path` holds 108 bytes on
    /// Linux and 104 on macOS and the BSDs, the terminating NUL included. A relative path counts
    /// as written, not as resolved.
    pub const MAX_PATH_BYTES: usize = SUN_PATH_BYTES - 1;

    /// Binds `path` with mode 0600. A stale socket file (nobody listening) is replaced; a live
    /// one or any other file is an error, and so is a path longer than
    /// [`MAX_PATH_BYTES`](Self::MAX_PATH_BYTES) (refused before anything is created).
    ///
    /// The socket is bound inside a fresh private directory beside `path` (`.dk` and six random
    /// characters, mode 0700), set to 0600 there and renamed into place, so that nobody can
    /// reach it before its mode is final. Where the path inside that directory would be too long
    /// to bind, the socket is bound through the directory's descriptor
    /// (`/proc/self/fd/<n>/s`, Linux), so every path of at most `MAX_PATH_BYTES` works.
    pub fn bind(path: &Path) -> io::Result<Self> {
        let length = path.as_os_str().len();
        if length > Self::MAX_PATH_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "the path is {length} bytes, longer than the {} bytes a Unix socket path can \
                     have on this platform ({SUN_PATH_BYTES} with the terminating NUL); choose a \
                     shorter path (a relative path counts as written)",
                    Self::MAX_PATH_BYTES
                ),
            ));
        }
        if path.file_name().is_none() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the socket path has no file name",
            ));
        }
        if let Ok(metadata) = std::fs::symlink_metadata(path) {
            if !metadata.file_type().is_socket() {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{} exists and is not a socket", path.display()),
                ));
            }
            if std::os::unix::net::UnixStream::connect(path).is_ok() {
                return Err(io::Error::new(
                    io::ErrorKind::AddrInUse,
                    format!("a server is already listening on {}", path.display()),
                ));
            }
        }
        // `sock` has the parent `""`: the staging directory is then relative too.
        let parent = path.parent().unwrap_or_else(|| Path::new(""));
        // The staged path's length does not depend on the random name.
        let staged_length = parent
            .join(staging_name())
            .join(STAGED_NAME)
            .as_os_str()
            .len();
        if staged_length > Self::MAX_PATH_BYTES && !CAN_BIND_THROUGH_DESCRIPTOR {
            let directory_limit = Self::MAX_PATH_BYTES - (staged_length - parent.as_os_str().len());
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "the socket is first bound in a private directory beside it, whose path \
                     would be {staged_length} bytes, longer than the {} bytes a Unix socket path \
                     can have on this platform; choose a socket path in a directory whose path is \
                     at most {directory_limit} bytes",
                    Self::MAX_PATH_BYTES,
                ),
            ));
        }
        let staging = create_staging_dir(parent)?;
        let result = (|| -> io::Result<std::os::unix::net::UnixListener> {
            let staged = staging.join(STAGED_NAME);
            let listener = if staged_length <= Self::MAX_PATH_BYTES {
                std::os::unix::net::UnixListener::bind(&staged)?
            } else {
                bind_through_descriptor(&staging)?
            };
            std::fs::set_permissions(&staged, std::fs::Permissions::from_mode(0o600))?;
            std::fs::rename(&staged, path)?;
            listener.set_nonblocking(true)?;
            Ok(listener)
        })();
        let _ = std::fs::remove_dir_all(&staging);
        let listener = UnixListener::from_std(result?)?;
        Ok(SocketListener {
            listener,
            path: path.to_owned(),
        })
    }

    /// The socket file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Accepts connections and serves each in its own task until `shutdown` completes; then
    /// stops accepting, removes the socket file, stops the connections from reading, and lets
    /// their requests in flight finish for up to `grace`.
    ///
    /// At most [`ServerOptions::max_connections`](crate::ServerOptions::max_connections) are
    /// served at once: one more is accepted, sent a `tooManyConnections` error and closed. When
    /// accepting fails (out of file descriptors, say) the loop waits before it tries again, from
    /// 10 ms doubling up to 1 s, and sooner when a connection ends and frees its descriptor;
    /// repeated warnings are written once per 10 s with the count of those held back.
    pub async fn serve(
        self,
        server: Arc<Server>,
        shutdown: impl std::future::Future<Output = ()>,
        grace: std::time::Duration,
    ) -> io::Result<()> {
        let max_connections = server.options().max_connections.max(1);
        let mut connections = JoinSet::new();
        let mut backoff = Backoff::new(ACCEPT_BACKOFF_MIN, ACCEPT_BACKOFF_MAX);
        let mut accept_failures = LogThrottle::new(LOG_INTERVAL);
        let mut refusals = LogThrottle::new(LOG_INTERVAL);
        // While set, the loop does not accept before this instant.
        let mut paused: Option<tokio::time::Instant> = None;
        tokio::pin!(shutdown);
        loop {
            let resume = async move {
                match paused {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = &mut shutdown => break,
                accepted = self.listener.accept(), if paused.is_none() => match accepted {
                    Ok((stream, _)) => {
                        backoff.succeed();
                        while connections.try_join_next().is_some() {}
                        if connections.len() >= max_connections {
                            refuse(&stream, max_connections, &mut refusals);
                            continue;
                        }
                        let (reader, writer) = stream.into_split();
                        let server = Arc::clone(&server);
                        connections.spawn(async move { server.serve(reader, writer).await });
                    }
                    Err(error) => {
                        let wait = backoff.fail();
                        paused = Some(tokio::time::Instant::now() + wait);
                        if let Some(suppressed) = accept_failures.allow(Instant::now()) {
                            tracing::warn!(
                                %error,
                                retry_in_ms = wait.as_millis() as u64,
                                suppressed,
                                "cannot accept a connection; waiting before the next try"
                            );
                        }
                    }
                },
                () = resume => paused = None,
                Some(_) = connections.join_next(), if !connections.is_empty() => {
                    // A connection ended and freed its descriptor: accept again now.
                    paused = None;
                }
            }
        }
        drop(self);
        server.shutdown();
        let _ = tokio::time::timeout(grace, async {
            while connections.join_next().await.is_some() {}
        })
        .await;
        Ok(())
    }
}

/// The size of `sockaddr_un.sun_path`, the terminating NUL included.
#[cfg(any(target_os = "linux", target_os = "android"))]
const SUN_PATH_BYTES: usize = 108;
/// The size of `sockaddr_un.sun_path`, the terminating NUL included.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const SUN_PATH_BYTES: usize = 104;

/// The socket's name inside its staging directory.
const STAGED_NAME: &str = "s";

/// Whether a socket can be bound by a short name through its directory's descriptor.
const CAN_BIND_THROUGH_DESCRIPTOR: bool = cfg!(any(target_os = "linux", target_os = "android"));

/// A staging directory's name: `.dk` and six random lower-case letters or digits.
fn staging_name() -> String {
    const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut bits = rand::random::<u64>();
    let mut name = String::from(".dk");
    for _ in 0..6 {
        name.push(char::from(ALPHABET[(bits % 36) as usize]));
        bits /= 36;
    }
    name
}

/// Creates a fresh directory of mode 0700 in `parent` (never one that exists already).
fn create_staging_dir(parent: &Path) -> io::Result<PathBuf> {
    let mut tries = 0;
    loop {
        let staging = parent.join(staging_name());
        match std::fs::DirBuilder::new().mode(0o700).create(&staging) {
            Ok(()) => return Ok(staging),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists && tries < 16 => {
                tries += 1;
            }
            Err(error) => return Err(error),
        }
    }
}

/// Binds `<staging>/s` through `/proc/self/fd/<n>/s`, `n` a descriptor of `staging`: a path of
/// at most 30 bytes, however long the staging directory's own path is.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn bind_through_descriptor(staging: &Path) -> io::Result<std::os::unix::net::UnixListener> {
    use std::os::fd::AsRawFd as _;
    let directory = std::fs::File::open(staging)?;
    let short = format!("/proc/self/fd/{}/{STAGED_NAME}", directory.as_raw_fd());
    std::os::unix::net::UnixListener::bind(&short).map_err(|error| {
        io::Error::new(
            error.kind(),
            format!(
                "cannot bind the socket through {short} (its staging path is too long to bind \
                 directly; is /proc mounted?): {error}"
            ),
        )
    })
}

/// Never called: without a short name through a descriptor, `bind` refuses such paths first.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn bind_through_descriptor(_staging: &Path) -> io::Result<std::os::unix::net::UnixListener> {
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        "the socket's staging path is too long to bind on this platform",
    ))
}

/// The first wait after a failed accept.
const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(10);
/// The longest wait between failed accepts.
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

/// Tells a connection beyond the limit why it is closed (if its socket takes the line at once),
/// then closes it.
fn refuse(stream: &UnixStream, max_connections: usize, log: &mut LogThrottle) {
    let error = RpcError::request(
        RequestErrorDataKind::TooManyConnections,
        format!(
            "Too many connections: this server serves at most {max_connections} at once; try \
             again later"
        ),
    );
    let mut line = rpc::error_response(&Value::Null, &error).to_string();
    line.push('\n');
    let _ = stream.try_write(line.as_bytes());
    if let Some(suppressed) = log.allow(Instant::now()) {
        tracing::warn!(
            max_connections,
            suppressed,
            "refusing a connection: the connection limit is reached"
        );
    }
}

impl Drop for SocketListener {
    fn drop(&mut self) {
        if let Err(error) = std::fs::remove_file(&self.path) {
            tracing::warn!(path = %self.path.display(), %error, "cannot remove the socket file");
        }
    }
}
