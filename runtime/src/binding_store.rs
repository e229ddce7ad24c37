//! The binding store: which account user and client each device key belongs to, and which
//! nonces each key has signed, in one SQLite database.
//!
//! Bindings are insert-only: a second binding for the same key id is refused (`keyAlreadyBound`),
//! and a trigger refuses any UPDATE. Used nonces are kept until the proof that carried them has
//! expired, so a replay is detected across restarts.

use std::collections::HashMap;
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
];

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
    key_id: String,
    nonce: String,
    expires_at: i64,
    now: i64,
}

impl BindingStore {
    /// Opens (creating and migrating as needed) the database at `path`, in WAL mode.
    ///
    /// The database and its `-wal` and `-shm` files are created here, mode 0600 whatever the
    /// umask, before SQLite opens them (SQLite gives the files it creates the database's mode).
    /// Each must be a regular file (not a symbolic link: none is followed), owned by this
    /// process's user and not writable by group or others; one more open than 0600 is narrowed
    /// to 0600.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, DeviceKeyError> {
        let path = path.as_ref();
        prepare_database_files(path)?;
        let connection = Connection::open(path)
            .map_err(|e| DeviceKeyError::store(&format!("open {}", path.display()), e))?;
        let journal_mode: String = connection
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(|e| DeviceKeyError::store("enable WAL", e))?;
        if !journal_mode.eq_ignore_ascii_case("wal") {
            return Err(DeviceKeyError::store(
                "enable WAL",
                format!("journal mode stayed {journal_mode}"),
            ));
        }
        let mut store = Self::configure(connection)?;
        let reader = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .and_then(|reader| reader.busy_timeout(Duration::from_secs(5)).map(|()| reader))
            .map_err(|e| {
                DeviceKeyError::store(&format!("open {} for reading", path.display()), e)
            })?;
        store.reader = Some(Mutex::new(reader));
        Ok(store)
    }

    /// A database in memory, for tests.
    pub fn open_in_memory() -> Result<Self, DeviceKeyError> {
        let connection =
            Connection::open_in_memory().map_err(|e| DeviceKeyError::store("open in memory", e))?;
        Self::configure(connection)
    }

    fn configure(mut connection: Connection) -> Result<Self, DeviceKeyError> {
        connection
            .busy_timeout(Duration::from_secs(5))
            .and_then(|()| connection.pragma_update(None, "synchronous", "FULL"))
            .and_then(|()| connection.pragma_update(None, "foreign_keys", true))
            .map_err(|e| DeviceKeyError::store("configure the database", e))?;
        migrate(&mut connection)?;
        Ok(BindingStore {
            connection: Mutex::new(connection),
            reader: None,
            nonces: GroupCommit::default(),
            pruned_through: AtomicI64::new(i64::MIN),
            cache: Mutex::new(HashMap::new()),
        })
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
        let inserted = self
            .connection()
            .execute(
                "INSERT INTO bindings (key_id, algorithm, protection_class, account_user_id, client_id, created_at, public_key_spki_der)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (key_id) DO NOTHING",
                params![
                    binding.key_id.as_str(),
                    binding.algorithm.as_str(),
                    binding.protection_class.as_str(),
                    binding.account_user_id.as_str(),
                    binding.client_id.as_str(),
                    binding.created_at,
                    public_key_spki_der,
                ],
            )
            .map_err(|e| DeviceKeyError::store("store the binding", e))?;
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
                .map_err(|e| DeviceKeyError::store("read the binding", e))?;
            statement
                .query_row([key_id.as_str()], |row| {
                    let public_key: Option<Vec<u8>> = row.get(6)?;
                    Ok(read_binding(row)?.map(|info| StoredBinding {
                        info,
                        public_key_spki_der: public_key,
                    }))
                })
                .optional()
                .map_err(|e| DeviceKeyError::store("read the binding", e))?
                .transpose()?
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
                .map_err(|e| DeviceKeyError::store("record the public key", e))?;
            transaction
                .execute(
                    "UPDATE bindings SET public_key_spki_der = ?2
                     WHERE key_id = ?1 AND public_key_spki_der IS NULL",
                    params![key_id.as_str(), public_key_spki_der],
                )
                .map_err(|e| DeviceKeyError::store("record the public key", e))?;
            let recorded: Option<Option<Vec<u8>>> = transaction
                .query_row(
                    "SELECT public_key_spki_der FROM bindings WHERE key_id = ?1",
                    [key_id.as_str()],
                    |row| row.get(0),
                )
                .optional()
                .map_err(|e| DeviceKeyError::store("record the public key", e))?;
            transaction
                .commit()
                .map_err(|e| DeviceKeyError::store("record the public key", e))?;
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
    pub fn list(&self, filter: &DeviceKeyListParams) -> Result<Vec<DeviceKeyInfo>, DeviceKeyError> {
        let connection = self.reader();
        let after = match &filter.after {
            None => None,
            Some(after) => {
                let created_at: Option<i64> = connection
                    .prepare_cached("SELECT created_at FROM bindings WHERE key_id = ?1")
                    .and_then(|mut statement| {
                        statement
                            .query_row([after.as_str()], |row| row.get(0))
                            .optional()
                    })
                    .map_err(|e| DeviceKeyError::store("list bindings", e))?;
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
                Some((created_at, after.as_str()))
            }
        };
        // SQLite reads a negative LIMIT as none.
        let limit = filter
            .limit
            .map_or(-1, |limit| limit.get().min(i64::MAX as u64) as i64);
        let mut statement = connection
            .prepare_cached(
                "SELECT key_id, algorithm, protection_class, account_user_id, client_id, created_at
                 FROM bindings
                 WHERE (?1 IS NULL OR account_user_id = ?1) AND (?2 IS NULL OR client_id = ?2)
                   AND (?3 IS NULL OR (created_at, key_id) > (?3, ?4))
                 ORDER BY created_at, key_id
                 LIMIT ?5",
            )
            .map_err(|e| DeviceKeyError::store("list bindings", e))?;
        let rows = statement
            .query_map(
                params![
                    filter.account_user_id.as_ref().map(|id| id.as_str()),
                    filter.client_id.as_ref().map(|id| id.as_str()),
                    after.map(|(created_at, _)| created_at),
                    after.map(|(_, key_id)| key_id),
                    limit,
                ],
                read_binding,
            )
            .map_err(|e| DeviceKeyError::store("list bindings", e))?;
        let mut bindings = Vec::new();
        for row in rows {
            bindings.push(row.map_err(|e| DeviceKeyError::store("list bindings", e))??);
        }
        Ok(bindings)
    }

    /// Deletes the binding of `key_id` and its used nonces; whether there was one.
    pub fn delete(&self, key_id: &KeyId) -> Result<bool, DeviceKeyError> {
        self.cache().remove(key_id);
        let deleted = self
            .connection()
            .execute("DELETE FROM bindings WHERE key_id = ?1", [key_id.as_str()])
            .map_err(|e| DeviceKeyError::store("delete the binding", e))?;
        // A lookup that read the row just before it went may have cached it again.
        self.cache().remove(key_id);
        Ok(deleted > 0)
    }

    /// Records that `key_id` is about to sign `nonce` in a proof valid until `expires_at`, after
    /// forgetting nonces whose proofs expired by `now`; `replay` if the pair is already recorded.
    pub fn record_nonce(
        &self,
        key_id: &KeyId,
        nonce: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), DeviceKeyError> {
        let record = NonceRecord {
            key_id: key_id.as_str().to_owned(),
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
                    statement.execute(params![record.key_id, record.nonce, record.expires_at])
                })
                .map(|rows| rows > 0)
                .map_err(|e| DeviceKeyError::store("record the nonce", e))
        };
        if let ([(ticket, record)], false) = (batch, prune) {
            // One record and nothing to prune: one statement, its own (durable) transaction.
            return vec![(*ticket, insert(&connection, record))];
        }
        let result = (|| -> Result<Vec<(u64, NonceOutcome)>, DeviceKeyError> {
            let transaction = connection
                .transaction()
                .map_err(|e| DeviceKeyError::store("record the nonce", e))?;
            if prune {
                transaction
                    .prepare_cached("DELETE FROM used_nonces WHERE expires_at <= ?1")
                    .and_then(|mut statement| statement.execute([now]))
                    .map_err(|e| DeviceKeyError::store("prune expired nonces", e))?;
            }
            // A failing statement (a binding deleted meanwhile) rolls back only itself: its
            // caller gets the error, the rest of the batch still commits.
            let inserted = batch
                .iter()
                .map(|(ticket, record)| (*ticket, insert(&transaction, record)))
                .collect();
            transaction
                .commit()
                .map_err(|e| DeviceKeyError::store("record the nonce", e))?;
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
            .map_err(|e| DeviceKeyError::store("forget the nonce", e))?;
        Ok(())
    }

    /// How many nonces are recorded (for tests and diagnostics).
    pub fn recorded_nonce_count(&self) -> Result<i64, DeviceKeyError> {
        self.connection()
            .query_row("SELECT count(*) FROM used_nonces", [], |row| row.get(0))
            .map_err(|e| DeviceKeyError::store("count nonces", e))
    }
}

fn read_binding(row: &Row<'_>) -> rusqlite::Result<Result<DeviceKeyInfo, DeviceKeyError>> {
    let key_id: String = row.get(0)?;
    let algorithm: String = row.get(1)?;
    let protection_class: String = row.get(2)?;
    let account_user_id: String = row.get(3)?;
    let client_id: String = row.get(4)?;
    let created_at: i64 = row.get(5)?;
    let corrupt =
        |what: &str| DeviceKeyError::store("read a binding", format!("stored {what} is invalid"));
    Ok((|| {
        let key_id = KeyId::parse(&key_id).map_err(|_| corrupt("key id"))?;
        let algorithm: DeviceKeyAlgorithm = algorithm.parse().map_err(|_| corrupt("algorithm"))?;
        let protection_class = protection_class
            .parse::<DeviceKeyProtectionClass>()
            .ok()
            .filter(|class| *class == key_id.protection_class())
            .ok_or_else(|| corrupt("protection class"))?;
        Ok(DeviceKeyInfo {
            key_id: key_id.into(),
            algorithm,
            protection_class,
            account_user_id: AccountUserId::try_from(account_user_id)
                .map_err(|_| corrupt("account user id"))?,
            client_id: ClientId::try_from(client_id).map_err(|_| corrupt("client id"))?,
            created_at,
        })
    })())
}

/// Creates (or opens and checks) the database file and its `-wal` and `-shm` before SQLite
/// does: mode 0600, no symbolic link followed, regular files of this process's user only.
fn prepare_database_files(path: &Path) -> Result<(), DeviceKeyError> {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let mut shm = path.as_os_str().to_owned();
    shm.push("-shm");
    for file in [path, Path::new(&wal), Path::new(&shm)] {
        crate::private_fs::open_private_file(file)
            .map_err(|error| DeviceKeyError::store(&format!("open {}", path.display()), error))?;
    }
    Ok(())
}

fn migrate(connection: &mut Connection) -> Result<(), DeviceKeyError> {
    let version: i64 = connection
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|e| DeviceKeyError::store("read the schema version", e))?;
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
        let transaction = connection
            .transaction()
            .map_err(|e| DeviceKeyError::store("migrate", e))?;
        transaction
            .execute_batch(migration)
            .map_err(|e| DeviceKeyError::store("migrate", e))?;
        transaction
            .pragma_update(None, "user_version", index as i64 + 1)
            .map_err(|e| DeviceKeyError::store("migrate", e))?;
        transaction
            .commit()
            .map_err(|e| DeviceKeyError::store("migrate", e))?;
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
                    // A record that fails in the same batch (no binding) must not fail the others.
                    assert!(store
                        .record_nonce(&unbound, "nonce-x", 2_000, 1_000)
                        .is_err());
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
}
