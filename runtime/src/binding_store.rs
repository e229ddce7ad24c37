//! The binding store: which account user and client each device key belongs to, and which
//! nonces each key has signed, in one SQLite database.
//!
//! Bindings are insert-only: a second binding for the same key id is refused (`keyAlreadyBound`),
//! and a trigger refuses any UPDATE. Used nonces are kept until the proof that carried them has
//! expired, so a replay is detected across restarts.
//!
//! A create is crash-consistent: the store records the key id as a pending create (an intent)
//! before the provider makes the platform key, and the binding replaces the intent in one
//! transaction. An intent left by a crash names a key whose create was never acknowledged: the
//! key store deletes that key when it opens again (see `DeviceKeyStoreBuilder::build`).
//!
//! [`BindingStore::open`] opens only a database that is this program's: it creates one where
//! there is none and the state directory holds no keys, and refuses, changing nothing, an empty
//! file where keys exist, a file that is not SQLite, a SQLite database of another application or
//! of a newer schema, and tables that are not this program's schema.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs::File;
use std::io::Read as _;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use devicekey_proof::{DeviceKeyError, KeyId};
use devicekey_protocol::types::{
    AccountUserId, ClientId, DeviceKeyAlgorithm, DeviceKeyInfo, DeviceKeyListParams,
    DeviceKeyProtectionClass, DomainErrorKind,
};
use rusqlite::{params, Connection, OptionalExtension as _, Row};

use crate::private_fs::{KEYS_DIR, TPM_DIR};
use crate::provider::not_found;

/// The schema, one migration per `user_version` step. Never edit a shipped migration: append.
const MIGRATIONS: &[&str] = &[
    // 1: bindings and used nonces.
    "CREATE TABLE bindings (
         key_id TEXT PRIMARY KEY NOT NULL CHECK (length(key_id) = 50),
         algorithm TEXT NOT NULL,
         protection_class TEXT NOT NULL,
         account_user_id TEXT NOT NULL CHECK (length(account_user_id) > 0),
         client_id TEXT NOT NULL CHECK (length(client_id) > 0),
         created_at INTEGER NOT NULL
     ) STRICT;
     CREATE INDEX bindings_by_account ON bindings (account_user_id, client_id);
     CREATE INDEX bindings_by_client ON bindings (client_id);
     CREATE TRIGGER bindings_are_insert_only BEFORE UPDATE ON bindings
     BEGIN
         SELECT RAISE(ABORT, 'device key bindings are insert-only');
     END;
     CREATE TABLE used_nonces (
         key_id TEXT NOT NULL REFERENCES bindings (key_id) ON DELETE CASCADE,
         nonce TEXT NOT NULL,
         expires_at INTEGER NOT NULL,
         PRIMARY KEY (key_id, nonce)
     ) STRICT, WITHOUT ROWID;
     CREATE INDEX used_nonces_by_expiry ON used_nonces (expires_at);",
    // 2: each key's public key (SubjectPublicKeyInfo DER), recorded at create and checked
    // against the provider's on every `public` and `sign`. Rows from before this migration hold
    // NULL until the first successful `public` (or `sign`) records it: the one UPDATE a binding
    // allows, and only from NULL.
    "ALTER TABLE bindings ADD COLUMN public_key_spki_der BLOB
         CHECK (public_key_spki_der IS NULL OR length(public_key_spki_der) > 0);
     DROP TRIGGER bindings_are_insert_only;
     CREATE TRIGGER bindings_are_insert_only BEFORE UPDATE ON bindings
     WHEN NOT (OLD.public_key_spki_der IS NULL AND NEW.public_key_spki_der IS NOT NULL
               AND NEW.key_id IS OLD.key_id AND NEW.algorithm IS OLD.algorithm
               AND NEW.protection_class IS OLD.protection_class
               AND NEW.account_user_id IS OLD.account_user_id
               AND NEW.client_id IS OLD.client_id AND NEW.created_at IS OLD.created_at)
     BEGIN
         SELECT RAISE(ABORT, 'device key bindings are insert-only (a missing public key may be recorded once)');
     END;",
    // 3: pending creates (a key id recorded before its platform key is made, replaced by its
    // binding in one transaction; `abandoned` once a start-up reconciliation claimed it, so the
    // create can no longer complete), and devicekey's application_id in the header (0x646b6579,
    // "dkey"), which tells this program's databases from any other SQLite file.
    "CREATE TABLE pending_creates (
         key_id TEXT PRIMARY KEY NOT NULL CHECK (length(key_id) = 50),
         started_at INTEGER NOT NULL,
         abandoned INTEGER NOT NULL DEFAULT 0 CHECK (abandoned IN (0, 1))
     ) STRICT;
     PRAGMA application_id = 1684759929;",
];

/// The SQLite `application_id` of a devicekey binding database (`"dkey"`), set by schema
/// version 3. A database with another nonzero application_id is never opened; one with none is
/// opened only if its tables are this program's schema of its `user_version` (databases from
/// before version 3 had none).
pub const APPLICATION_ID: i32 = 0x646b_6579;

/// The tables and columns each schema version adds, as [`BindingStore::open`] checks them in an
/// existing database: `(version, table, columns)`.
const SCHEMA_COLUMNS: &[(usize, &str, &[&str])] = &[
    (
        1,
        "bindings",
        &[
            "key_id",
            "algorithm",
            "protection_class",
            "account_user_id",
            "client_id",
            "created_at",
        ],
    ),
    (1, "used_nonces", &["key_id", "nonce", "expires_at"]),
    (2, "bindings", &["public_key_spki_der"]),
    (3, "pending_creates", &["key_id", "started_at", "abandoned"]),
];

/// The schema version that sets [`APPLICATION_ID`].
const APPLICATION_ID_SINCE: usize = 3;

/// The first 16 bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// A binding as stored: the wire [`DeviceKeyInfo`] and the key's public key as recorded at
/// create.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredBinding {
    /// The binding as `device/key/list` shows it.
    pub info: DeviceKeyInfo,
    /// The key's SubjectPublicKeyInfo DER as recorded at create; `None` for a binding stored
    /// before public keys were recorded (until [`BindingStore::record_public_key`]).
    pub public_key_spki_der: Option<Vec<u8>>,
}

/// The SQLite binding store. Calls block; the key store runs them on the blocking pool.
#[derive(Debug)]
pub struct BindingStore {
    connection: Mutex<Connection>,
    /// A second connection for reads of a database on disk: in WAL mode readers do not wait for
    /// the writer, so a binding lookup never queues behind a commit's fsync.
    reader: Option<Mutex<Connection>>,
    nonces: GroupCommit,
    /// The `now` of the last prune of expired nonce records (see `commit_nonces`).
    pruned_through: AtomicI64,
    /// Bindings read from the database, by key id (see [`BindingStore::get`]).
    cache: Mutex<HashMap<KeyId, StoredBinding>>,
    /// The lock file beside a database on disk (`<database>-lock`), on which this store holds a
    /// shared lock while it is open, so that another process can tell the database is in use
    /// (see [`BindingStore::if_sole_user`]).
    users: Option<File>,
}

/// How many bindings [`BindingStore::get`] keeps in memory before it starts again.
pub const CACHED_BINDINGS: usize = 4096;

/// Group commit for the replay records: every sign must durably record its nonce before the
/// provider signs, and one fsync per signature would cap the signing rate at the disk's. Callers
/// queue their record; whoever finds no commit under way commits everything queued in one
/// transaction (one fsync) and hands each caller its own outcome. Nothing is acknowledged before
/// it is committed.
#[derive(Debug, Default)]
struct GroupCommit {
    state: Mutex<GroupState>,
    committed: Condvar,
}

impl GroupCommit {
    fn lock(&self) -> MutexGuard<'_, GroupState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[derive(Debug, Default)]
struct GroupState {
    queue: Vec<(u64, NonceRecord)>,
    outcomes: HashMap<u64, NonceOutcome>,
    next_ticket: u64,
    committing: bool,
}

/// `Ok(true)` recorded, `Ok(false)` already recorded (a replay), or the error.
type NonceOutcome = Result<bool, DeviceKeyError>;

#[derive(Debug)]
struct NonceRecord {
    key_id: KeyId,
    nonce: String,
    expires_at: i64,
    now: i64,
}

/// What was at the database's path before [`BindingStore::open`] touched it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Before {
    /// Nothing.
    Missing,
    /// A regular file of 0 bytes.
    Empty,
    /// Something else: a file with content, or anything the file checks then refuse.
    Present,
}

/// What an existing database turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    /// A database with no schema at all (version 0, no tables): set up as a new one.
    New,
    /// This program's schema at this version.
    Ours(usize),
}

impl BindingStore {
    /// Opens (creating and migrating as needed) the database at `path`, in WAL mode.
    ///
    /// The database and its `-wal` and `-shm` files are created here, mode 0600 whatever the
    /// umask, before SQLite opens them (SQLite gives the files it creates the database's mode).
    /// Each must be a regular file (not a symbolic link: none is followed), owned by this
    /// process's user and not writable by group or others; one more open than 0600 is narrowed
    /// to 0600.
    ///
    /// A new database is made only where there was none, or an empty (0-byte) file, and the
    /// directory holding it has no other state: nothing in its `keys/` and `tpm/`, no `-wal`
    /// with content, no `-journal`. Otherwise (`storeFailure`, the message naming the path and
    /// what to do, and nothing written to the file) it refuses a missing or empty database
    /// beside existing keys (their bindings would be silently lost), a file that is not SQLite,
    /// a SQLite database of another application (`application_id`), of a schema version newer
    /// than [`SCHEMA_VERSION`], or whose tables are not this program's schema. Messages never
    /// carry SQL text.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, DeviceKeyError> {
        let path = path.as_ref();
        let before = match std::fs::symlink_metadata(path) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Before::Missing,
            Ok(metadata) if metadata.is_file() && metadata.len() == 0 => Before::Empty,
            _ => Before::Present,
        };
        if before != Before::Present {
            if let Some(state) = other_state(path) {
                return Err(refuse_new_beside_state(path, before, &state));
            }
        }
        let mut main = prepare_database_files(path)?;
        let found = match before {
            Before::Missing | Before::Empty => {
                if before == Before::Empty {
                    tracing::info!(path = %path.display(), "the binding database is an empty file and the state directory holds no keys: setting it up as a new database");
                }
                Found::New
            }
            Before::Present => {
                check_sqlite_header(path, &mut main)?;
                identify(path)?
            }
        };
        drop(main);
        let connection = Connection::open(path)
            .map_err(|e| sql_failure(&format!("open {}", path.display()), e))?;
        let journal_mode: String = connection
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(|e| sql_failure("enable WAL", e))?;
        if !journal_mode.eq_ignore_ascii_case("wal") {
            return Err(DeviceKeyError::store(
                "enable WAL",
                format!("journal mode stayed {journal_mode}"),
            ));
        }
        if let Found::Ours(version) = found {
            if version < SCHEMA_VERSION {
                tracing::info!(path = %path.display(), from = version, to = SCHEMA_VERSION, "migrating the binding database");
            }
        }
        let mut store = Self::configure(connection)?;
        store.users = Some(lock_shared(path)?);
        let reader = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .and_then(|reader| reader.busy_timeout(Duration::from_secs(5)).map(|()| reader))
            .map_err(|e| sql_failure(&format!("open {} for reading", path.display()), e))?;
        store.reader = Some(Mutex::new(reader));
        Ok(store)
    }

    /// A database in memory, for tests.
    pub fn open_in_memory() -> Result<Self, DeviceKeyError> {
        let connection =
            Connection::open_in_memory().map_err(|e| sql_failure("open in memory", e))?;
        Self::configure(connection)
    }

    fn configure(mut connection: Connection) -> Result<Self, DeviceKeyError> {
        connection
            .busy_timeout(Duration::from_secs(5))
            .and_then(|()| connection.pragma_update(None, "synchronous", "FULL"))
            .and_then(|()| connection.pragma_update(None, "foreign_keys", true))
            .map_err(|e| sql_failure("configure the database", e))?;
        migrate(&mut connection)?;
        Ok(BindingStore {
            connection: Mutex::new(connection),
            reader: None,
            nonces: GroupCommit::default(),
            pruned_through: AtomicI64::new(i64::MIN),
            cache: Mutex::new(HashMap::new()),
            users: None,
        })
    }

    /// Runs `work` while no other store (in this process or another) has this database open,
    /// holding the database's lock file exclusively meanwhile; `None`, without running it, when
    /// another one has it open or for a database in memory. The key store's start-up
    /// reconciliation runs this way, so that a second server started on a state directory that
    /// is being served leaves the first one's creates under way alone.
    pub fn if_sole_user<T>(&self, work: impl FnOnce() -> T) -> Option<T> {
        let users = self.users.as_ref()?;
        // Converting a shared flock to an exclusive one drops the shared one first, also when the
        // conversion fails: the shared lock is taken again either way.
        let sole = match users.try_lock() {
            Ok(()) => true,
            Err(std::fs::TryLockError::WouldBlock) => false,
            Err(std::fs::TryLockError::Error(error)) => {
                tracing::warn!(%error, "cannot lock the binding database's lock file");
                false
            }
        };
        let result = sole.then(work);
        if let Err(error) = users.lock_shared() {
            tracing::warn!(%error, "cannot lock the binding database's lock file");
        }
        result
    }

    /// Whether the database is a file (not [`open_in_memory`](Self::open_in_memory)): only then
    /// does it outlive the process, and only then does the key store reconcile the providers'
    /// keys with it when it opens.
    pub fn is_on_disk(&self) -> bool {
        self.reader.is_some()
    }

    fn connection(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written: transactions roll back.
        self.connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn reader(&self) -> MutexGuard<'_, Connection> {
        match &self.reader {
            Some(reader) => reader
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
            None => self.connection(),
        }
    }

    /// Stores a new binding with the key's public key (SubjectPublicKeyInfo DER);
    /// `keyAlreadyBound` if one exists for this key id.
    pub fn insert(
        &self,
        binding: &DeviceKeyInfo,
        public_key_spki_der: &[u8],
    ) -> Result<(), DeviceKeyError> {
        insert_binding(&self.connection(), binding, public_key_spki_der)
    }

    /// Records, durably, that a key `key_id` is about to be created: before anything of it
    /// exists on the platform, so that a crash at any later point leaves this intent behind and
    /// the next start deletes the key (see [`pending_creates`](Self::pending_creates)).
    pub(crate) fn begin_create(&self, key_id: &KeyId, now: i64) -> Result<(), DeviceKeyError> {
        self.connection()
            .execute(
                "INSERT INTO pending_creates (key_id, started_at) VALUES (?1, ?2)",
                params![key_id.as_str(), now],
            )
            .map_err(|e| sql_failure("record the pending create", e))?;
        Ok(())
    }

    /// Completes a create begun with [`begin_create`](Self::begin_create): stores the binding
    /// and drops the intent in one transaction. `keyAlreadyBound` like
    /// [`insert`](Self::insert); `storeFailure` when the intent is gone or was claimed by a
    /// start-up reconciliation meanwhile (another server started on this state directory),
    /// since that one deletes the platform key. Either way nothing is stored and the caller
    /// deletes the platform key.
    pub(crate) fn finish_create(
        &self,
        binding: &DeviceKeyInfo,
        public_key_spki_der: &[u8],
    ) -> Result<(), DeviceKeyError> {
        let mut connection = self.connection();
        let transaction = connection
            .transaction()
            .map_err(|e| sql_failure("store the binding", e))?;
        let claimed = transaction
            .execute(
                "DELETE FROM pending_creates WHERE key_id = ?1 AND abandoned = 0",
                [binding.key_id.as_str()],
            )
            .map_err(|e| sql_failure("store the binding", e))?;
        if claimed == 0 {
            return Err(DeviceKeyError::store(
                "store the binding",
                format!(
                    "the create of device key {} was rolled back meanwhile (by the start-up of \
                     another server on this state directory?)",
                    binding.key_id
                ),
            ));
        }
        insert_binding(&transaction, binding, public_key_spki_der)?;
        transaction
            .commit()
            .map_err(|e| sql_failure("store the binding", e))
    }

    /// Drops the intent of a create that did not complete, once its platform key is gone (or
    /// was never made).
    pub(crate) fn forget_create(&self, key_id: &KeyId) -> Result<(), DeviceKeyError> {
        self.connection()
            .execute(
                "DELETE FROM pending_creates WHERE key_id = ?1",
                [key_id.as_str()],
            )
            .map_err(|e| sql_failure("forget the pending create", e))?;
        Ok(())
    }

    /// The key ids (as stored) of creates that began and neither completed nor were forgotten:
    /// at start-up, creates a crash interrupted.
    pub fn pending_creates(&self) -> Result<Vec<String>, DeviceKeyError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare("SELECT key_id FROM pending_creates ORDER BY key_id")
            .map_err(|e| sql_failure("read the pending creates", e))?;
        let rows = statement
            .query_map([], |row| row.get(0))
            .map_err(|e| sql_failure("read the pending creates", e))?;
        rows.collect::<rusqlite::Result<Vec<String>>>()
            .map_err(|e| sql_failure("read the pending creates", e))
    }

    /// Claims the pending create of `key_id` for rolling back: from now on that create cannot
    /// complete. `false` when the key is bound after all (its intent is then simply dropped).
    pub(crate) fn claim_pending_create(&self, key_id: &str) -> Result<bool, DeviceKeyError> {
        let mut connection = self.connection();
        // Immediate: the read and the write see one state of the database, whoever else
        // writes to it.
        let transaction = connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| sql_failure("roll back a pending create", e))?;
        let bound: bool = transaction
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM bindings WHERE key_id = ?1)",
                [key_id],
                |row| row.get(0),
            )
            .map_err(|e| sql_failure("roll back a pending create", e))?;
        let statement = if bound {
            "DELETE FROM pending_creates WHERE key_id = ?1"
        } else {
            "UPDATE pending_creates SET abandoned = 1 WHERE key_id = ?1"
        };
        transaction
            .execute(statement, [key_id])
            .map_err(|e| sql_failure("roll back a pending create", e))?;
        transaction
            .commit()
            .map_err(|e| sql_failure("roll back a pending create", e))?;
        Ok(!bound)
    }

    /// Drops the intent of `key_id` as stored (also one whose key id is not valid).
    pub(crate) fn drop_pending_create(&self, key_id: &str) -> Result<(), DeviceKeyError> {
        self.connection()
            .execute("DELETE FROM pending_creates WHERE key_id = ?1", [key_id])
            .map_err(|e| sql_failure("forget the pending create", e))?;
        Ok(())
    }

    /// Every key id the database knows, bound or pending, read in one statement (one
    /// snapshot), and how many of the bindings' key ids are not valid key ids (damaged rows).
    pub(crate) fn known_key_ids(&self) -> Result<(HashSet<String>, usize), DeviceKeyError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare(
                "SELECT key_id, 1 FROM bindings UNION ALL SELECT key_id, 0 FROM pending_creates",
            )
            .map_err(|e| sql_failure("read the key ids", e))?;
        let rows = statement
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, bool>(1)?))
            })
            .map_err(|e| sql_failure("read the key ids", e))?;
        let mut known = HashSet::new();
        let mut damaged = 0;
        for row in rows {
            let (key_id, bound) = row.map_err(|e| sql_failure("read the key ids", e))?;
            if bound && KeyId::parse(&key_id).is_err() {
                damaged += 1;
            }
            known.insert(key_id);
        }
        Ok((known, damaged))
    }

    /// How many creates are pending (for tests and diagnostics).
    pub fn pending_create_count(&self) -> Result<i64, DeviceKeyError> {
        self.connection()
            .query_row("SELECT count(*) FROM pending_creates", [], |row| row.get(0))
            .map_err(|e| sql_failure("count pending creates", e))
    }

    /// The binding of `key_id`, if any.
    pub fn get(&self, key_id: &KeyId) -> Result<Option<DeviceKeyInfo>, DeviceKeyError> {
        Ok(self.get_stored(key_id)?.map(|stored| stored.info))
    }

    /// The binding of `key_id` with its recorded public key, if any.
    ///
    /// Bindings are insert-only, so one read from the database stays true until the binding is
    /// deleted (or its missing public key is recorded, which updates the copy here): found
    /// bindings are kept in memory (at most [`CACHED_BINDINGS`]) and forgotten by
    /// [`delete`](Self::delete). A binding deleted by another process on the same database is
    /// still refused at signing time, where recording the nonce needs the row.
    pub fn get_stored(&self, key_id: &KeyId) -> Result<Option<StoredBinding>, DeviceKeyError> {
        if let Some(binding) = self.cache().get(key_id) {
            return Ok(Some(binding.clone()));
        }
        let found = {
            let connection = self.reader();
            let mut statement = connection
                .prepare_cached(
                    "SELECT key_id, algorithm, protection_class, account_user_id, client_id, created_at, public_key_spki_der
                     FROM bindings WHERE key_id = ?1",
                )
                .map_err(|e| sql_failure("read the binding", e))?;
            statement
                .query_row([key_id.as_str()], |row| {
                    let public_key: Option<Vec<u8>> = row.get(6)?;
                    Ok(read_binding(row)?.map(|info| StoredBinding {
                        info,
                        public_key_spki_der: public_key,
                    }))
                })
                .optional()
                .map_err(|e| sql_failure("read the binding", e))?
                .transpose()
                .map_err(|damaged| damaged.error())?
        };
        if let Some(binding) = &found {
            self.remember(key_id, binding.clone());
        }
        Ok(found)
    }

    fn remember(&self, key_id: &KeyId, binding: StoredBinding) {
        let mut cache = self.cache();
        if cache.len() >= CACHED_BINDINGS {
            cache.clear();
        }
        cache.insert(key_id.clone(), binding);
    }

    /// Records `public_key_spki_der` as `key_id`'s public key if its binding has none yet (a
    /// binding stored before public keys were recorded), and returns the public key recorded
    /// now: this one, or the one recorded before (by another process, say), which the caller
    /// must compare. `keyNotFound` if the binding is gone.
    pub fn record_public_key(
        &self,
        key_id: &KeyId,
        public_key_spki_der: &[u8],
    ) -> Result<Vec<u8>, DeviceKeyError> {
        let recorded = {
            let mut connection = self.connection();
            let transaction = connection
                .transaction()
                .map_err(|e| sql_failure("record the public key", e))?;
            transaction
                .execute(
                    "UPDATE bindings SET public_key_spki_der = ?2
                     WHERE key_id = ?1 AND public_key_spki_der IS NULL",
                    params![key_id.as_str(), public_key_spki_der],
                )
                .map_err(|e| sql_failure("record the public key", e))?;
            let recorded: Option<Option<Vec<u8>>> = transaction
                .query_row(
                    "SELECT public_key_spki_der FROM bindings WHERE key_id = ?1",
                    [key_id.as_str()],
                    |row| row.get(0),
                )
                .optional()
                .map_err(|e| sql_failure("record the public key", e))?;
            transaction
                .commit()
                .map_err(|e| sql_failure("record the public key", e))?;
            recorded
        };
        let recorded = match recorded {
            Some(Some(recorded)) => recorded,
            Some(None) => {
                return Err(DeviceKeyError::store(
                    "record the public key",
                    "it is still missing",
                ))
            }
            None => return Err(crate::provider::not_found(key_id)),
        };
        let mut cache = self.cache();
        if let Some(binding) = cache.get_mut(key_id) {
            binding.public_key_spki_der = Some(recorded.clone());
        }
        Ok(recorded)
    }

    fn cache(&self) -> MutexGuard<'_, HashMap<KeyId, StoredBinding>> {
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The bindings matching `filter` (an absent field matches everything), oldest first (by
    /// `created_at`, then key id): at most `filter.limit` of them when it is given, after the
    /// binding of `filter.after` when that is given (`keyNotFound` when that key has no
    /// binding). `device/key/list` always gives a limit (see `DeviceKeyStore::list_blocking`).
    ///
    /// A damaged binding (a stored value this program cannot read as its type) is left out and
    /// logged at warn with its key id: it fails only its own key's `public` and `sign`, never
    /// the list.
    pub fn list(&self, filter: &DeviceKeyListParams) -> Result<Vec<DeviceKeyInfo>, DeviceKeyError> {
        let connection = self.reader();
        // Where the page starts: after this (created_at, key_id), as stored.
        let mut after: Option<(i64, String)> = match &filter.after {
            None => None,
            Some(after) => {
                let created_at: Option<i64> = connection
                    .prepare_cached("SELECT created_at FROM bindings WHERE key_id = ?1")
                    .and_then(|mut statement| {
                        statement
                            .query_row([after.as_str()], |row| row.get(0))
                            .optional()
                    })
                    .map_err(|e| sql_failure("list bindings", e))?;
                let created_at = created_at.ok_or_else(|| {
                    DeviceKeyError::new(
                        DomainErrorKind::KeyNotFound,
                        format!(
                            "the list cursor {} is not a stored device key (deleted since the \
                             previous page?): list again without `after`",
                            after.as_str()
                        ),
                    )
                })?;
                Some((created_at, after.as_str().to_owned()))
            }
        };
        let wanted = filter.limit.map(|limit| limit.get());
        let mut bindings = Vec::new();
        // One query, unless damaged rows were left out of a limited page: then the next query
        // starts after the last row read, for what is still missing.
        loop {
            let missing = wanted.map(|wanted| wanted.saturating_sub(bindings.len() as u64));
            if missing == Some(0) {
                break;
            }
            // SQLite reads a negative LIMIT as none.
            let limit = missing.map_or(-1, |missing| missing.min(i64::MAX as u64) as i64);
            let mut statement = connection
                .prepare_cached(
                    "SELECT key_id, algorithm, protection_class, account_user_id, client_id, created_at
                     FROM bindings
                     WHERE (?1 IS NULL OR account_user_id = ?1) AND (?2 IS NULL OR client_id = ?2)
                       AND (?3 IS NULL OR (created_at, key_id) > (?3, ?4))
                     ORDER BY created_at, key_id
                     LIMIT ?5",
                )
                .map_err(|e| sql_failure("list bindings", e))?;
            let mut rows = statement
                .query(params![
                    filter.account_user_id.as_ref().map(|id| id.as_str()),
                    filter.client_id.as_ref().map(|id| id.as_str()),
                    after.as_ref().map(|(created_at, _)| *created_at),
                    after.as_ref().map(|(_, key_id)| key_id.as_str()),
                    limit,
                ])
                .map_err(|e| sql_failure("list bindings", e))?;
            let mut read = 0u64;
            let mut damaged = 0u64;
            let mut last = None;
            while let Some(row) = rows.next().map_err(|e| sql_failure("list bindings", e))? {
                read += 1;
                match read_binding(row).map_err(|e| sql_failure("list bindings", e))? {
                    Ok(binding) => bindings.push(binding),
                    Err(binding) => {
                        damaged += 1;
                        tracing::warn!(
                            key_id = %binding.key_id_for_display(),
                            field = binding.field,
                            "device/key/list leaves out a damaged binding: {}",
                            binding.error().message()
                        );
                    }
                }
                let created_at: i64 = row.get(5).map_err(|e| sql_failure("list bindings", e))?;
                let key_id: String = row.get(0).map_err(|e| sql_failure("list bindings", e))?;
                last = Some((created_at, key_id));
            }
            let exhausted = missing.is_none_or(|missing| read < missing);
            if exhausted || damaged == 0 || last.is_none() {
                break;
            }
            after = last;
        }
        Ok(bindings)
    }

    /// Deletes the binding of `key_id` and its used nonces; whether there was one.
    pub fn delete(&self, key_id: &KeyId) -> Result<bool, DeviceKeyError> {
        self.cache().remove(key_id);
        let deleted = self
            .connection()
            .execute("DELETE FROM bindings WHERE key_id = ?1", [key_id.as_str()])
            .map_err(|e| sql_failure("delete the binding", e))?;
        // A lookup that read the row just before it went may have cached it again.
        self.cache().remove(key_id);
        Ok(deleted > 0)
    }

    /// Records that `key_id` is about to sign `nonce` in a proof valid until `expires_at`, after
    /// forgetting nonces whose proofs expired by `now`; `replay` if the pair is already recorded,
    /// `keyNotFound` (as for any missing key) if `key_id` has no binding, such as one that a
    /// concurrent delete removed after the caller looked it up.
    pub fn record_nonce(
        &self,
        key_id: &KeyId,
        nonce: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), DeviceKeyError> {
        let record = NonceRecord {
            key_id: key_id.clone(),
            nonce: nonce.to_owned(),
            expires_at,
            now,
        };
        let mut state = self.nonces.lock();
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        state.queue.push((ticket, record));
        let recorded = loop {
            if let Some(outcome) = state.outcomes.remove(&ticket) {
                break outcome?;
            }
            if state.committing {
                state = self
                    .nonces
                    .committed
                    .wait(state)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                continue;
            }
            state.committing = true;
            let batch = std::mem::take(&mut state.queue);
            drop(state);
            let outcomes = self.commit_nonces(&batch);
            state = self.nonces.lock();
            state.outcomes.extend(outcomes);
            state.committing = false;
            self.nonces.committed.notify_all();
        };
        if !recorded {
            return Err(DeviceKeyError::new(
                DomainErrorKind::Replay,
                format!("device key {key_id} already signed a payload with this nonce that may still be valid"),
            ));
        }
        Ok(())
    }

    /// Records a batch in one transaction, after forgetting nonces whose proofs expired by the
    /// earliest `now` of the batch. Duplicates within the batch resolve in queue order.
    fn commit_nonces(&self, batch: &[(u64, NonceRecord)]) -> Vec<(u64, NonceOutcome)> {
        let now = batch.iter().map(|(_, r)| r.now).min().unwrap_or(i64::MIN);
        // Expired records are pruned once per second of the clock: a record added at `now`
        // expires after `now`, so a second prune at the same `now` would find nothing.
        let prune = now > self.pruned_through.load(Ordering::Relaxed);
        let mut connection = self.connection();
        const INSERT: &str =
            "INSERT INTO used_nonces (key_id, nonce, expires_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (key_id, nonce) DO NOTHING";
        let insert = |connection: &Connection, record: &NonceRecord| -> NonceOutcome {
            connection
                .prepare_cached(INSERT)
                .and_then(|mut statement| {
                    statement.execute(params![
                        record.key_id.as_str(),
                        record.nonce,
                        record.expires_at
                    ])
                })
                .map(|rows| rows > 0)
                .map_err(|e| nonce_failure(&record.key_id, e))
        };
        if let ([(ticket, record)], false) = (batch, prune) {
            // One record and nothing to prune: one statement, its own (durable) transaction.
            return vec![(*ticket, insert(&connection, record))];
        }
        let result = (|| -> Result<Vec<(u64, NonceOutcome)>, DeviceKeyError> {
            let transaction = connection
                .transaction()
                .map_err(|e| sql_failure("record the nonce", e))?;
            if prune {
                transaction
                    .prepare_cached("DELETE FROM used_nonces WHERE expires_at <= ?1")
                    .and_then(|mut statement| statement.execute([now]))
                    .map_err(|e| sql_failure("prune expired nonces", e))?;
            }
            // A failing statement (a binding deleted meanwhile) rolls back only itself: its
            // caller gets the error, the rest of the batch still commits.
            let inserted = batch
                .iter()
                .map(|(ticket, record)| (*ticket, insert(&transaction, record)))
                .collect();
            transaction
                .commit()
                .map_err(|e| sql_failure("record the nonce", e))?;
            Ok(inserted)
        })();
        match result {
            Ok(inserted) => {
                if prune {
                    self.pruned_through.store(now, Ordering::Relaxed);
                }
                inserted
            }
            Err(error) => batch
                .iter()
                .map(|(ticket, _)| (*ticket, Err(error.clone())))
                .collect(),
        }
    }

    /// Forgets a nonce recorded by [`record_nonce`](Self::record_nonce) whose signature was
    /// never produced.
    pub fn forget_nonce(&self, key_id: &KeyId, nonce: &str) -> Result<(), DeviceKeyError> {
        self.connection()
            .execute(
                "DELETE FROM used_nonces WHERE key_id = ?1 AND nonce = ?2",
                params![key_id.as_str(), nonce],
            )
            .map_err(|e| sql_failure("forget the nonce", e))?;
        Ok(())
    }

    /// How many nonces are recorded (for tests and diagnostics).
    pub fn recorded_nonce_count(&self) -> Result<i64, DeviceKeyError> {
        self.connection()
            .query_row("SELECT count(*) FROM used_nonces", [], |row| row.get(0))
            .map_err(|e| sql_failure("count nonces", e))
    }
}

/// A stored binding this program cannot read as its type: which key, and which field.
#[derive(Debug)]
struct DamagedBinding {
    /// The key id as stored (valid unless `field` is the key id).
    key_id: String,
    /// The column whose value is not valid.
    field: &'static str,
}

impl DamagedBinding {
    /// The key id for messages and logs: as stored when it is a valid key id, else quoted and
    /// cut to a bounded length.
    fn key_id_for_display(&self) -> String {
        match KeyId::parse(&self.key_id) {
            Ok(key_id) => key_id.to_string(),
            Err(_) => {
                let cut: String = self.key_id.chars().take(64).collect();
                format!("{cut:?}")
            }
        }
    }

    /// The error of `public` and `sign` of this key (`storeFailure`).
    fn error(&self) -> DeviceKeyError {
        DeviceKeyError::new(
            DomainErrorKind::StoreFailure,
            format!(
                "the stored binding of device key {} is damaged: its {} is not a valid value, so \
                 the key cannot be used. Fix: restore the binding database from a backup, or \
                 delete the key (device/key/delete) and create a new one",
                self.key_id_for_display(),
                self.field
            ),
        )
    }
}

fn read_binding(row: &Row<'_>) -> rusqlite::Result<Result<DeviceKeyInfo, DamagedBinding>> {
    let key_id: String = row.get(0)?;
    let algorithm: String = row.get(1)?;
    let protection_class: String = row.get(2)?;
    let account_user_id: String = row.get(3)?;
    let client_id: String = row.get(4)?;
    let created_at: i64 = row.get(5)?;
    let damaged = |field: &'static str| DamagedBinding {
        key_id: key_id.clone(),
        field,
    };
    Ok((|| {
        let parsed = KeyId::parse(&key_id).map_err(|_| damaged("key id"))?;
        let algorithm: DeviceKeyAlgorithm = algorithm.parse().map_err(|_| damaged("algorithm"))?;
        let protection_class = protection_class
            .parse::<DeviceKeyProtectionClass>()
            .ok()
            .filter(|class| *class == parsed.protection_class())
            .ok_or_else(|| damaged("protection class"))?;
        Ok(DeviceKeyInfo {
            key_id: parsed.into(),
            algorithm,
            protection_class,
            account_user_id: AccountUserId::try_from(account_user_id)
                .map_err(|_| damaged("account user id"))?,
            client_id: ClientId::try_from(client_id).map_err(|_| damaged("client id"))?,
            created_at,
        })
    })())
}

/// Inserts a binding on `connection`; `keyAlreadyBound` if one exists for its key id.
fn insert_binding(
    connection: &Connection,
    binding: &DeviceKeyInfo,
    public_key_spki_der: &[u8],
) -> Result<(), DeviceKeyError> {
    let inserted = connection
        .prepare_cached(
            "INSERT INTO bindings (key_id, algorithm, protection_class, account_user_id, client_id, created_at, public_key_spki_der)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (key_id) DO NOTHING",
        )
        .and_then(|mut statement| {
            statement.execute(params![
                binding.key_id.as_str(),
                binding.algorithm.as_str(),
                binding.protection_class.as_str(),
                binding.account_user_id.as_str(),
                binding.client_id.as_str(),
                binding.created_at,
                public_key_spki_der,
            ])
        })
        .map_err(|e| sql_failure("store the binding", e))?;
    if inserted == 0 {
        return Err(DeviceKeyError::new(
            DomainErrorKind::KeyAlreadyBound,
            format!(
                "device key {} is already bound; bindings are never rebound",
                binding.key_id
            ),
        ));
    }
    Ok(())
}

/// SQLite's account of an error, without the SQL text rusqlite's `Display` may add (a
/// statement's text belongs in no message).
struct SqlErrorText<'a>(&'a rusqlite::Error);

impl fmt::Display for SqlErrorText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            rusqlite::Error::SqlInputError { msg, .. } => f.write_str(msg),
            rusqlite::Error::SqliteFailure(_, Some(msg)) => f.write_str(msg),
            rusqlite::Error::SqliteFailure(error, None) => error.fmt(f),
            other => other.fmt(f),
        }
    }
}

/// A `storeFailure` from SQLite; `context` says what the store was doing. Never SQL text.
fn sql_failure(context: &str, error: rusqlite::Error) -> DeviceKeyError {
    DeviceKeyError::store(context, SqlErrorText(&error))
}

/// The outcome of a failed nonce insert: `keyNotFound` when the key's binding is gone (the
/// nonce's foreign key has nothing to refer to: a delete won the race with this sign), else
/// `storeFailure`.
fn nonce_failure(key_id: &KeyId, error: rusqlite::Error) -> DeviceKeyError {
    match &error {
        rusqlite::Error::SqliteFailure(failure, _)
            if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY =>
        {
            not_found(key_id)
        }
        _ => sql_failure("record the nonce", error),
    }
}

/// Creates (or opens and checks) the database file and its `-wal` and `-shm` before SQLite
/// does: mode 0600, no symbolic link followed, regular files of this process's user only. The
/// database file, opened.
fn prepare_database_files(path: &Path) -> Result<File, DeviceKeyError> {
    let [wal, shm] = companions(path);
    let main = crate::private_fs::open_private_file(path)
        .map_err(|error| DeviceKeyError::store(&format!("open {}", path.display()), error))?;
    for file in [wal, shm] {
        crate::private_fs::open_private_file(&file)
            .map_err(|error| DeviceKeyError::store(&format!("open {}", path.display()), error))?;
    }
    Ok(main)
}

/// Opens (creating it, mode 0600) the lock file `<database>-lock` beside the database at `path`
/// and takes a shared lock on it, waiting while another store holds it exclusively (its
/// start-up reconciliation).
fn lock_shared(path: &Path) -> Result<File, DeviceKeyError> {
    let mut name = path.as_os_str().to_owned();
    name.push("-lock");
    let lock_path = std::path::PathBuf::from(name);
    let file = crate::private_fs::open_private_file(&lock_path)
        .map_err(|error| DeviceKeyError::store(&format!("open {}", lock_path.display()), error))?;
    file.lock_shared()
        .map_err(|error| DeviceKeyError::store(&format!("lock {}", lock_path.display()), error))?;
    Ok(file)
}

/// The `-wal` and `-shm` files of the database at `path`.
fn companions(path: &Path) -> [std::path::PathBuf; 2] {
    ["-wal", "-shm"].map(|suffix| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        name.into()
    })
}

/// What state, other than the database itself, the directory of the database at `path` holds:
/// any entry in `keys/` or `tpm/` (key files, or what a write of one left), a `-wal` with
/// content, or a `-journal`. `None` when there is none (a new state directory). Nothing found
/// is followed if it is a symbolic link.
fn other_state(path: &Path) -> Option<String> {
    let dir = path.parent().filter(|dir| !dir.as_os_str().is_empty());
    let dir = dir.unwrap_or(Path::new("."));
    let mut found = Vec::new();
    for name in [KEYS_DIR, TPM_DIR] {
        let keys = dir.join(name);
        match std::fs::symlink_metadata(&keys) {
            Ok(metadata) if metadata.is_dir() => {
                let entries = std::fs::read_dir(&keys).map_or(0, |entries| entries.count());
                if entries > 0 {
                    found.push(format!("{entries} entries in {}", keys.display()));
                }
            }
            Ok(_) => found.push(format!("{}", keys.display())),
            Err(_) => {}
        }
    }
    let [wal, _] = companions(path);
    if std::fs::symlink_metadata(&wal).is_ok_and(|metadata| metadata.len() > 0) {
        found.push(format!("{} with content", wal.display()));
    }
    let mut journal = path.as_os_str().to_owned();
    journal.push("-journal");
    let journal = std::path::PathBuf::from(journal);
    if std::fs::symlink_metadata(&journal).is_ok() {
        found.push(format!("{}", journal.display()));
    }
    (!found.is_empty()).then(|| found.join(", "))
}

/// The refusal to set up a new database where there is none (or an empty file) beside state.
fn refuse_new_beside_state(path: &Path, before: Before, state: &str) -> DeviceKeyError {
    let what = match before {
        Before::Missing => "there is no binding database",
        _ => "it is an empty (0-byte) file",
    };
    DeviceKeyError::new(
        DomainErrorKind::StoreFailure,
        format!(
            "refusing the binding database {}: {what}, but the state directory holds device \
             key state ({state}): the bindings of those keys are missing (the database was \
             deleted, truncated or replaced), and starting with a new database would lose them \
             silently. Nothing was changed. Fix: restore the binding database from a backup; or, \
             to give up those keys and start over, move the whole state directory away (or use \
             another one)",
            path.display()
        ),
    )
}

/// The refusal of a database file that is not this program's (or that it cannot read).
fn refuse_foreign(path: &Path, why: impl fmt::Display) -> DeviceKeyError {
    DeviceKeyError::new(
        DomainErrorKind::StoreFailure,
        format!(
            "refusing the binding database {}: {why}. Nothing was changed. Fix: if it is a \
             devicekey binding database that was damaged, restore it from a backup; if it is \
             another program's file, move it out of the state directory (or use another state \
             directory)",
            path.display()
        ),
    )
}

/// Checks that the database file starts with SQLite's header.
fn check_sqlite_header(path: &Path, file: &mut File) -> Result<(), DeviceKeyError> {
    let mut header = [0u8; SQLITE_HEADER.len()];
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => {
                return Err(DeviceKeyError::store(
                    &format!("read {}", path.display()),
                    error,
                ))
            }
        }
    }
    if read < header.len() || &header != SQLITE_HEADER {
        return Err(refuse_foreign(
            path,
            "it is not a SQLite database (it does not start with the SQLite header)",
        ));
    }
    Ok(())
}

/// Reads, on a read-only connection (so nothing is written, not even a checkpoint), whether the
/// existing database at `path` is this program's: its `application_id` devicekey's (or none, from
/// before schema version 3), its `user_version` one this program knows, and the tables and columns
/// of that version present. A database with no schema at all is [`Found::New`].
fn identify(path: &Path) -> Result<Found, DeviceKeyError> {
    let unreadable = |error: rusqlite::Error| {
        refuse_foreign(
            path,
            format_args!(
                "it cannot be read as a SQLite database ({})",
                SqlErrorText(&error)
            ),
        )
    };
    let connection = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .and_then(|connection| {
            connection
                .busy_timeout(Duration::from_secs(5))
                .map(|()| connection)
        })
        .map_err(unreadable)?;
    let application_id: i64 = connection
        .pragma_query_value(None, "application_id", |row| row.get(0))
        .map_err(unreadable)?;
    let version: i64 = connection
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(unreadable)?;
    let tables: Vec<String> = connection
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
             ORDER BY name",
        )
        .and_then(|mut statement| {
            statement
                .query_map([], |row| row.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()
        })
        .map_err(unreadable)?;
    if application_id != 0 && application_id != i64::from(APPLICATION_ID) {
        return Err(refuse_foreign(
            path,
            format_args!(
                "it is not a devicekey database: its SQLite application_id is {application_id:#x}, \
                 not devicekey's {APPLICATION_ID:#x}"
            ),
        ));
    }
    if version > SCHEMA_VERSION as i64 {
        return Err(DeviceKeyError::new(
            DomainErrorKind::StoreFailure,
            format!(
                "refusing the binding database {}: its schema version {version} is newer than \
                 this program's {SCHEMA_VERSION} (a newer devicekey wrote it). Nothing was \
                 changed. Fix: run the newer devicekey, or restore a backup this version wrote",
                path.display()
            ),
        ));
    }
    let listed = || {
        let mut names: Vec<String> = tables
            .iter()
            .take(8)
            .map(|name| format!("{name:?}"))
            .collect();
        if tables.len() > names.len() {
            names.push("...".to_owned());
        }
        names.join(", ")
    };
    if version <= 0 {
        if version == 0 && tables.is_empty() {
            return Ok(Found::New);
        }
        return Err(refuse_foreign(
            path,
            format_args!(
                "it is not a devicekey database: it holds tables ({}) but no devicekey schema \
                 version (user_version {version})",
                listed()
            ),
        ));
    }
    let version = version as usize;
    if application_id == 0 && version >= APPLICATION_ID_SINCE {
        return Err(refuse_foreign(
            path,
            format_args!(
                "it is not a devicekey database: its schema version is {version}, but it lacks \
                 devicekey's application_id"
            ),
        ));
    }
    for (since, table, columns) in SCHEMA_COLUMNS {
        if *since > version {
            continue;
        }
        let present: Vec<String> = connection
            .prepare("SELECT name FROM pragma_table_info(?1)")
            .and_then(|mut statement| {
                statement
                    .query_map([table], |row| row.get(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()
            })
            .map_err(unreadable)?;
        if let Some(column) = columns
            .iter()
            .find(|column| !present.iter().any(|p| p == *column))
        {
            let why = if present.is_empty() {
                format!("it has no {table} table")
            } else {
                format!("its {table} table has no {column} column")
            };
            return Err(refuse_foreign(
                path,
                format_args!(
                    "its tables ({}) are not devicekey's schema version {version}: {why}",
                    listed()
                ),
            ));
        }
    }
    Ok(Found::Ours(version))
}

fn migrate(connection: &mut Connection) -> Result<(), DeviceKeyError> {
    let version: i64 = connection
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|e| sql_failure("read the schema version", e))?;
    let current = usize::try_from(version).unwrap_or(usize::MAX);
    if current > MIGRATIONS.len() {
        return Err(DeviceKeyError::store(
            "open the database",
            format!(
                "its schema version {version} is newer than this program's {}",
                MIGRATIONS.len()
            ),
        ));
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(current) {
        let step = index + 1;
        let failed =
            |e: rusqlite::Error| sql_failure(&format!("migrate to schema version {step}"), e);
        let transaction = connection.transaction().map_err(failed)?;
        transaction.execute_batch(migration).map_err(failed)?;
        transaction
            .pragma_update(None, "user_version", step as i64)
            .map_err(failed)?;
        transaction.commit().map_err(failed)?;
    }
    Ok(())
}

/// The schema version this program writes.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::generate_key_id;

    const SPKI: &[u8] = b"a public key";

    fn binding(account: &str, client: &str, created_at: i64) -> DeviceKeyInfo {
        let key_id = generate_key_id(DeviceKeyProtectionClass::Software).unwrap();
        DeviceKeyInfo {
            protection_class: key_id.protection_class(),
            key_id: key_id.into(),
            algorithm: DeviceKeyAlgorithm::EcdsaP256Sha256,
            account_user_id: account.try_into().unwrap(),
            client_id: client.try_into().unwrap(),
            created_at,
        }
    }

    fn key(binding: &DeviceKeyInfo) -> KeyId {
        KeyId::try_from(&binding.key_id).unwrap()
    }

    fn filter(account: Option<&str>, client: Option<&str>) -> DeviceKeyListParams {
        DeviceKeyListParams {
            account_user_id: account.map(|a| a.try_into().unwrap()),
            client_id: client.map(|c| c.try_into().unwrap()),
            ..DeviceKeyListParams::default()
        }
    }

    #[test]
    fn insert_get_list_delete() {
        let store = BindingStore::open_in_memory().unwrap();
        let a = binding("alice", "cli_1", 1);
        let b = binding("alice", "cli_2", 2);
        let c = binding("bob", "cli_1", 3);
        for item in [&a, &b, &c] {
            store.insert(item, SPKI).unwrap();
        }
        assert_eq!(store.get(&key(&a)).unwrap().as_ref(), Some(&a));
        let all = store.list(&filter(None, None)).unwrap();
        assert_eq!(all, vec![a.clone(), b.clone(), c.clone()]);
        let alice = filter(Some("alice"), None);
        assert_eq!(store.list(&alice).unwrap(), vec![a.clone(), b.clone()]);
        let cli_1 = filter(None, Some("cli_1"));
        assert_eq!(store.list(&cli_1).unwrap(), vec![a.clone(), c.clone()]);
        let both = filter(Some("bob"), Some("cli_1"));
        assert_eq!(store.list(&both).unwrap(), vec![c.clone()]);
        assert!(store.delete(&key(&a)).unwrap());
        assert!(!store.delete(&key(&a)).unwrap());
        assert_eq!(store.get(&key(&a)).unwrap(), None);
    }

    #[test]
    fn a_binding_is_never_rebound_or_updated() {
        let store = BindingStore::open_in_memory().unwrap();
        let original = binding("alice", "cli_1", 1);
        store.insert(&original, SPKI).unwrap();
        let rebind = DeviceKeyInfo {
            account_user_id: "mallory".try_into().unwrap(),
            ..original.clone()
        };
        let error = store.insert(&rebind, SPKI).unwrap_err();
        assert_eq!(error.kind(), Some(DomainErrorKind::KeyAlreadyBound));
        assert_eq!(store.get(&key(&original)).unwrap(), Some(original.clone()));
        let update = store
            .connection()
            .execute("UPDATE bindings SET account_user_id = 'mallory'", []);
        assert!(update.unwrap_err().to_string().contains("insert-only"));
        assert_eq!(store.get(&key(&original)).unwrap(), Some(original));
    }

    #[test]
    fn concurrent_nonce_records_commit_in_groups_and_each_nonce_wins_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bindings.sqlite3");
        let store = std::sync::Arc::new(BindingStore::open(&path).unwrap());
        let item = binding("alice", "cli_1", 1);
        store.insert(&item, SPKI).unwrap();
        let key_id = key(&item);
        let unbound = generate_key_id(DeviceKeyProtectionClass::Software).unwrap();
        // 16 threads each try the same 25 nonces: every nonce must be recorded exactly once.
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let (store, key_id) = (store.clone(), key_id.clone());
                let unbound = unbound.clone();
                std::thread::spawn(move || {
                    // A record that fails in the same batch (no binding) must not fail the
                    // others; it is `keyNotFound`, as for any key without a binding.
                    let error = store
                        .record_nonce(&unbound, "nonce-x", 2_000, 1_000)
                        .unwrap_err();
                    assert_eq!(error.kind(), Some(DomainErrorKind::KeyNotFound));
                    (0..25)
                        .filter(|n| {
                            store
                                .record_nonce(&key_id, &format!("nonce-{n}"), 2_000, 1_000)
                                .is_ok()
                        })
                        .count()
                })
            })
            .collect();
        let wins: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
        assert_eq!(wins, 25);
        assert_eq!(store.recorded_nonce_count().unwrap(), 25);
        drop(store);
        let reopened = BindingStore::open(&path).unwrap();
        let replay = reopened
            .record_nonce(&key_id, "nonce-7", 2_000, 1_000)
            .unwrap_err();
        assert_eq!(replay.kind(), Some(DomainErrorKind::Replay));
    }

    #[test]
    fn nonces_are_single_use_until_expiry_and_then_pruned() {
        let store = BindingStore::open_in_memory().unwrap();
        let item = binding("alice", "cli_1", 1);
        store.insert(&item, SPKI).unwrap();
        store.record_nonce(&key(&item), "n1", 100, 50).unwrap();
        assert_eq!(
            store
                .record_nonce(&key(&item), "n1", 100, 99)
                .unwrap_err()
                .kind(),
            Some(DomainErrorKind::Replay)
        );
        // At 100 the first proof has expired: its record is pruned and the nonce may be used again.
        store.record_nonce(&key(&item), "n2", 200, 100).unwrap();
        assert_eq!(store.recorded_nonce_count().unwrap(), 1);
        store.record_nonce(&key(&item), "n1", 200, 100).unwrap();
        store.forget_nonce(&key(&item), "n1").unwrap();
        store.record_nonce(&key(&item), "n1", 200, 100).unwrap();
        // Deleting the binding drops its nonces.
        store.delete(&key(&item)).unwrap();
        assert_eq!(store.recorded_nonce_count().unwrap(), 0);
    }

    #[test]
    fn reopening_keeps_bindings_and_nonces_and_the_schema_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bindings.sqlite3");
        let item = binding("alice", "cli_1", 1);
        {
            let store = BindingStore::open(&path).unwrap();
            store.insert(&item, SPKI).unwrap();
            store.record_nonce(&key(&item), "n1", 100, 50).unwrap();
        }
        let store = BindingStore::open(&path).unwrap();
        assert_eq!(store.get(&key(&item)).unwrap(), Some(item.clone()));
        assert_eq!(
            store
                .record_nonce(&key(&item), "n1", 100, 60)
                .unwrap_err()
                .kind(),
            Some(DomainErrorKind::Replay)
        );
        let version: i64 = store
            .connection()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION as i64);
        let mode: String = store
            .connection()
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn a_database_from_a_newer_program_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bindings.sqlite3");
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let error = BindingStore::open(&path).unwrap_err();
        assert_eq!(error.kind(), Some(DomainErrorKind::StoreFailure));
        assert!(error.message().contains("newer"), "{}", error.message());
    }

    #[test]
    fn the_public_key_is_recorded_at_insert_and_never_replaced() {
        let store = BindingStore::open_in_memory().unwrap();
        let item = binding("alice", "cli_1", 1);
        store.insert(&item, SPKI).unwrap();
        let stored = store.get_stored(&key(&item)).unwrap().unwrap();
        assert_eq!(stored.public_key_spki_der.as_deref(), Some(SPKI));
        // Recording again keeps the first key and says which it is.
        assert_eq!(
            store.record_public_key(&key(&item), b"another").unwrap(),
            SPKI
        );
        let update = store
            .connection()
            .execute("UPDATE bindings SET public_key_spki_der = x'00'", []);
        assert!(update.unwrap_err().to_string().contains("insert-only"));
        let unbound = generate_key_id(DeviceKeyProtectionClass::Software).unwrap();
        assert_eq!(
            store.record_public_key(&unbound, SPKI).unwrap_err().kind(),
            Some(DomainErrorKind::KeyNotFound)
        );
    }

    #[test]
    fn migration_2_keeps_old_bindings_with_no_public_key_until_one_is_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bindings.sqlite3");
        let item = binding("alice", "cli_1", 1);
        {
            // A database as version 1 of the schema left it.
            let mut connection = Connection::open(&path).unwrap();
            let transaction = connection.transaction().unwrap();
            transaction.execute_batch(MIGRATIONS[0]).unwrap();
            transaction.pragma_update(None, "user_version", 1).unwrap();
            transaction
                .execute(
                    "INSERT INTO bindings VALUES (?1, 'ecdsa_p256_sha256', 'software', 'alice', 'cli_1', 1)",
                    [item.key_id.as_str()],
                )
                .unwrap();
            transaction.commit().unwrap();
        }
        let store = BindingStore::open(&path).unwrap();
        let stored = store.get_stored(&key(&item)).unwrap().unwrap();
        assert_eq!(stored.info, item);
        assert_eq!(stored.public_key_spki_der, None);
        assert_eq!(store.record_public_key(&key(&item), SPKI).unwrap(), SPKI);
        // The cached copy was updated, and so was the row.
        let cached = store.get_stored(&key(&item)).unwrap().unwrap();
        assert_eq!(cached.public_key_spki_der.as_deref(), Some(SPKI));
        drop(store);
        let reopened = BindingStore::open(&path).unwrap();
        let stored = reopened.get_stored(&key(&item)).unwrap().unwrap();
        assert_eq!(stored.public_key_spki_der.as_deref(), Some(SPKI));
        assert_eq!(
            reopened.record_public_key(&key(&item), b"other").unwrap(),
            SPKI
        );
        // Any other change is still refused.
        let update = reopened.connection().execute(
            "UPDATE bindings SET account_user_id = 'mallory', public_key_spki_der = NULL",
            [],
        );
        assert!(update.unwrap_err().to_string().contains("insert-only"));
    }

    #[test]
    fn the_database_files_are_created_0600_and_links_are_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bindings.sqlite3");
        let store = BindingStore::open(&path).unwrap();
        let item = binding("alice", "cli_1", 1);
        store.insert(&item, SPKI).unwrap();
        for name in [
            "bindings.sqlite3",
            "bindings.sqlite3-wal",
            "bindings.sqlite3-shm",
        ] {
            let mode = std::fs::symlink_metadata(dir.path().join(name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
        drop(store);
        let elsewhere = tempfile::tempdir().unwrap();
        let link = elsewhere.path().join("bindings.sqlite3");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        let error = BindingStore::open(&link).unwrap_err();
        assert_eq!(error.kind(), Some(DomainErrorKind::StoreFailure));
        assert!(error.message().contains("symbolic link"), "{error}");
    }

    #[test]
    fn migration_3_sets_the_application_id_this_program_checks() {
        assert!(MIGRATIONS[2].contains(&format!("PRAGMA application_id = {APPLICATION_ID};")));
        assert_eq!(APPLICATION_ID_SINCE, 3);
        let store = BindingStore::open_in_memory().unwrap();
        let id: i64 = store
            .connection()
            .pragma_query_value(None, "application_id", |row| row.get(0))
            .unwrap();
        assert_eq!(id, i64::from(APPLICATION_ID));
        // Every version's tables, as the open of an existing database checks them.
        let max = SCHEMA_COLUMNS.iter().map(|(since, ..)| *since).max();
        assert_eq!(max, Some(SCHEMA_VERSION));
    }

    #[test]
    fn a_create_completes_once_unless_a_reconciliation_claimed_it() {
        let store = BindingStore::open_in_memory().unwrap();
        let item = binding("alice", "cli_1", 1);
        let key_id = key(&item);
        store.begin_create(&key_id, 1).unwrap();
        assert_eq!(store.pending_creates().unwrap(), vec![key_id.to_string()]);
        store.finish_create(&item, SPKI).unwrap();
        assert_eq!(store.pending_create_count().unwrap(), 0);
        assert_eq!(store.get(&key_id).unwrap(), Some(item.clone()));
        // A bound key's stray intent is dropped, never rolled back.
        store.begin_create(&key_id, 2).unwrap();
        assert!(!store.claim_pending_create(key_id.as_str()).unwrap());
        assert_eq!(store.pending_create_count().unwrap(), 0);
        // A claimed create cannot complete.
        let other = binding("bob", "cli_1", 3);
        store.begin_create(&key(&other), 3).unwrap();
        assert!(store.claim_pending_create(other.key_id.as_str()).unwrap());
        let error = store.finish_create(&other, SPKI).unwrap_err();
        assert_eq!(error.kind(), Some(DomainErrorKind::StoreFailure));
        assert_eq!(store.get(&key(&other)).unwrap(), None);
        store.forget_create(&key(&other)).unwrap();
        // Without an intent, nothing completes either.
        let error = store.finish_create(&other, SPKI).unwrap_err();
        assert_eq!(error.kind(), Some(DomainErrorKind::StoreFailure));
        let (known, damaged) = store.known_key_ids().unwrap();
        assert_eq!(known, HashSet::from([key_id.to_string()]));
        assert_eq!(damaged, 0);
    }

    #[test]
    fn sqlite_errors_never_carry_the_statement() {
        let connection = Connection::open_in_memory().unwrap();
        let error = connection
            .prepare("SELECT secret_column FROM nowhere_at_all WHERE x = 1")
            .unwrap_err();
        let message = sql_failure("read", error).to_string();
        assert!(message.contains("nowhere_at_all"), "{message}");
        assert!(!message.contains("SELECT"), "{message}");
        let error = connection.execute_batch("CREATE TABLE t (x); CREATE TABLE t (x);");
        let message = sql_failure("migrate", error.unwrap_err()).to_string();
        assert!(!message.contains("CREATE"), "{message}");
    }
}
