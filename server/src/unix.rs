//! The Unix domain socket transport: a socket file of mode 0600, never looser at any moment,
//! serving many connections, removed when the listener is dropped.
//!
//! The socket is bound inside a fresh directory of mode 0700 next to the target path, set to
//! 0600 there, and renamed into place; nobody else can reach it before its mode is final.

use std::io;
use std::os::unix::fs::{DirBuilderExt as _, FileTypeExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::net::UnixListener;
use tokio::task::JoinSet;

use crate::server::Server;

/// A listening socket whose file is removed on drop.
#[derive(Debug)]
pub struct SocketListener {
    listener: UnixListener,
    path: PathBuf,
}

impl SocketListener {
    /// Binds `path` with mode 0600. A stale socket file (nobody listening) is replaced; a live
    /// one or any other file is an error.
    pub fn bind(path: &Path) -> io::Result<Self> {
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
        let parent = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let file_name = path.file_name().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "the socket path has no file name",
            )
        })?;
        let staging = parent.join(format!(
            ".{}.{}.{}",
            file_name.to_string_lossy(),
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::DirBuilder::new().mode(0o700).create(&staging)?;
        let result = (|| -> io::Result<std::os::unix::net::UnixListener> {
            let staged = staging.join("socket");
            let listener = std::os::unix::net::UnixListener::bind(&staged)?;
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
    pub async fn serve(
        self,
        server: Arc<Server>,
        shutdown: impl std::future::Future<Output = ()>,
        grace: std::time::Duration,
    ) -> io::Result<()> {
        let mut connections = JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let (reader, writer) = stream.into_split();
                        let server = Arc::clone(&server);
                        connections.spawn(async move { server.serve(reader, writer).await });
                    }
                    Err(error) => tracing::warn!(%error, "cannot accept a connection"),
                },
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
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

impl Drop for SocketListener {
    fn drop(&mut self) {
        if let Err(error) = std::fs::remove_file(&self.path) {
            tracing::warn!(path = %self.path.display(), %error, "cannot remove the socket file");
        }
    }
}
