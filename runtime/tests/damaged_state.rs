//! Damaged state is noticed: a binding database that is not this program's (an empty file where
//! keys exist, a file that is not SQLite, another application's database, a newer or unknown
//! schema) is refused with a message naming the path and the fix, and left as it was; a damaged
//! binding fails only its own key; an interrupted create leaves nothing behind once the store
//! opens again; a sign that loses the race with a delete is `keyNotFound`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use devicekey_proof::SignedPayload;
use devicekey_proof::{DeviceKeyError, KeyId};
use devicekey_protocol::types::{
    DeviceKeyProtectionClass, DeviceKeyProtectionPolicy, DomainErrorKind,
};
use devicekey_runtime::provider::SoftwareProvider;
use devicekey_runtime::{
    generate_key_id, BindingStore, DeviceKeyStore, FileSecretStore, KeyProvider, ManualClock,
    ProviderKey, ProviderSet, StateDir, APPLICATION_ID, SCHEMA_VERSION,
};
use serde_json::json;

use crate::support::{connection_payload, StoreJson as _, ACCOUNT, CLIENT, NOW};

/// A state directory in a temporary directory, as `devicekey serve` lays it out.
struct State {
    _root: tempfile::TempDir,
    dir: StateDir,
}

impl State {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        let dir = StateDir::open(root.path().join("state")).unwrap();
        State { _root: root, dir }
    }

    fn db(&self) -> PathBuf {
        self.dir.bindings_path()
    }

    fn keys(&self) -> PathBuf {
        self.dir.keys_dir()
    }

    fn software(&self) -> SoftwareProvider {
        SoftwareProvider::new(Arc::new(FileSecretStore::open(self.keys()).unwrap()))
    }

    /// A store over the state directory, as `devicekey serve` opens it (which reconciles).
    fn store(&self) -> DeviceKeyStore {
        let providers: Vec<Arc<dyn KeyProvider>> = vec![Arc::new(self.software())];
        DeviceKeyStore::builder(
            ProviderSet::new(providers),
            self.dir.open_bindings().unwrap(),
        )
        .clock(Arc::new(ManualClock::new(NOW)))
        .build()
    }

    /// The names in `keys/`, sorted.
    fn key_dir_names(&self) -> Vec<String> {
        names(&self.keys())
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

fn key_file(key: &KeyId) -> String {
    format!("{key}.key")
}

async fn create(store: &DeviceKeyStore) -> KeyId {
    let created = store
        .create_json(json!({"protectionPolicy": "allow_software", "accountUserId": ACCOUNT, "clientId": CLIENT}))
        .await
        .unwrap();
    KeyId::try_from(&created.key_id).unwrap()
}

async fn sign(store: &DeviceKeyStore, key: &KeyId) -> Result<(), DeviceKeyError> {
    store
        .sign_json(json!({"keyId": key.as_str(), "payload": connection_payload()}))
        .await
        .map(drop)
}

async fn listed(store: &DeviceKeyStore) -> Vec<String> {
    let mut keys: Vec<String> = store
        .list_json(json!({}))
        .await
        .unwrap()
        .keys
        .iter()
        .map(|key| key.key_id.to_string())
        .collect();
    keys.sort();
    keys
}

/// A state directory a store has used: two bound keys, the store closed.
async fn used() -> (State, Vec<KeyId>) {
    let state = State::new();
    let store = state.store();
    let keys = vec![create(&store).await, create(&store).await];
    drop(store);
    (state, keys)
}

/// Asserts that opening the database is refused: `storeFailure`, a message naming the path and
/// saying what to do, no SQL text; returns the message.
fn assert_refused(path: &Path, contains: &str) -> String {
    let error = BindingStore::open(path).unwrap_err();
    assert_eq!(error.kind(), Some(DomainErrorKind::StoreFailure), "{error}");
    let message = error.message().to_owned();
    assert!(
        message.contains(&path.display().to_string()),
        "names the path: {message}"
    );
    assert!(message.contains(contains), "{contains:?}: {message}");
    assert!(message.contains("Fix:"), "says what to do: {message}");
    assert!(
        message.contains("Nothing was changed"),
        "says nothing was changed: {message}"
    );
    assert_no_sql(&message);
    message
}

fn assert_no_sql(message: &str) {
    for sql in [
        "CREATE ", "SELECT ", "INSERT ", "ALTER ", "PRAGMA ", "TRIGGER",
    ] {
        assert!(!message.contains(sql), "SQL text {sql:?} in {message}");
    }
}

#[tokio::test]
async fn an_empty_or_missing_database_beside_keys_is_refused_and_nothing_is_changed() {
    let (state, keys) = used().await;
    let before = state.key_dir_names();
    assert_eq!(before.len(), 2);
    // A 0-byte file where the database was (truncated, or replaced by `touch`).
    std::fs::write(state.db(), b"").unwrap();
    let message = assert_refused(&state.db(), "empty (0-byte)");
    assert!(message.contains("backup"), "{message}");
    assert!(message.contains("2 entries in"), "{message}");
    assert_eq!(
        std::fs::metadata(state.db()).unwrap().len(),
        0,
        "still empty"
    );
    assert_eq!(state.key_dir_names(), before, "no key file touched");
    // No database at all beside the keys: refused the same way, nothing created.
    std::fs::remove_file(state.db()).unwrap();
    assert_refused(&state.db(), "there is no binding database");
    assert!(!state.db().exists(), "no database was created");
    assert_eq!(state.key_dir_names(), before);
    // What the server opens goes through the same check.
    assert!(state.dir.open_bindings().is_err());
    // A temporary file alone (a create that never finished) is state too.
    for key in &keys {
        std::fs::remove_file(state.keys().join(key_file(key))).unwrap();
    }
    let temp = state.keys().join(format!(".{}.4242.tmp", keys[0]));
    std::fs::write(&temp, b"partial").unwrap();
    std::fs::write(state.db(), b"").unwrap();
    assert_refused(&state.db(), "1 entries in");
}

#[tokio::test]
async fn an_empty_database_in_a_state_directory_without_keys_is_set_up_as_new() {
    let state = State::new();
    // What a crash right after the first start created the file leaves: 0 bytes, keys/ empty.
    std::fs::create_dir_all(state.keys()).unwrap();
    std::fs::write(state.db(), b"").unwrap();
    let store = state.store();
    assert!(listed(&store).await.is_empty());
    let key = create(&store).await;
    sign(&store, &key).await.unwrap();
    drop(store);
    let header = std::fs::read(state.db()).unwrap();
    assert!(header.starts_with(b"SQLite format 3\0"));
    assert_eq!(listed(&state.store()).await, vec![key.to_string()]);
}

/// A SQLite database at `path` made by `sql` (no devicekey code involved).
fn sqlite_file(path: &Path, sql: &str) {
    let _ = std::fs::remove_file(path);
    for suffix in ["-wal", "-shm"] {
        let mut companion = path.as_os_str().to_owned();
        companion.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(companion));
    }
    let connection = rusqlite::Connection::open(path).unwrap();
    connection.execute_batch(sql).unwrap();
}

#[test]
fn a_database_that_is_not_ours_is_refused_and_left_byte_for_byte() {
    let state = State::new();
    let db = state.db();
    // Our own schema, as SQL text, to build impostors from.
    let ours = {
        let store = BindingStore::open(&db).unwrap();
        drop(store);
        let connection = rusqlite::Connection::open(&db).unwrap();
        let sql: Vec<String> = connection
            .prepare("SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        sql.join(";\n")
    };
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "another program's SQLite database",
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('hello');".to_owned(),
            "holds tables (\"notes\") but no devicekey schema version",
        ),
        (
            "another application_id",
            format!("{ours}; PRAGMA application_id = 1234; PRAGMA user_version = {SCHEMA_VERSION};"),
            "application_id is 0x4d2",
        ),
        (
            "our schema with user_version reset to 0",
            format!("{ours}; PRAGMA application_id = {APPLICATION_ID};"),
            "no devicekey schema version (user_version 0)",
        ),
        (
            "a schema version from a newer program",
            format!("{ours}; PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = 99;"),
            "schema version 99 is newer than this program's",
        ),
        (
            "version 1 without our tables",
            "CREATE TABLE bindings (key_id TEXT); PRAGMA user_version = 1;".to_owned(),
            "its bindings table has no algorithm column",
        ),
        (
            "version 2 with no used_nonces table",
            "CREATE TABLE bindings (key_id, algorithm, protection_class, account_user_id, client_id, created_at, public_key_spki_der); PRAGMA user_version = 2;".to_owned(),
            "it has no used_nonces table",
        ),
        (
            "version 3 without devicekey's application_id",
            format!("{ours}; PRAGMA user_version = 3;"),
            "lacks devicekey's application_id",
        ),
    ];
    for (what, sql, expected) in cases {
        sqlite_file(&db, &sql);
        let bytes = std::fs::read(&db).unwrap();
        let message = assert_refused(&db, expected);
        assert!(message.contains("Fix:"), "{what}: {message}");
        assert_eq!(
            std::fs::read(&db).unwrap(),
            bytes,
            "{what}: the file is unchanged"
        );
        // Refused again on a second try: nothing was half-migrated the first time.
        assert_refused(&db, expected);
    }
    // Not SQLite at all.
    for (what, bytes) in [
        ("a text file", &b"key_id,account\n"[..]),
        ("a short file", &b"SQLite"[..]),
        ("zeros", &[0u8; 4096][..]),
    ] {
        std::fs::write(&db, bytes).unwrap();
        assert_refused(&db, "not a SQLite database");
        assert_eq!(std::fs::read(&db).unwrap(), bytes, "{what}: unchanged");
    }
    // SQLite's header on garbage: SQLite cannot read it.
    let mut garbage = b"SQLite format 3\0".to_vec();
    garbage.extend(std::iter::repeat_n(0xa5u8, 8192));
    std::fs::write(&db, &garbage).unwrap();
    assert_refused(&db, "cannot be read as a SQLite database");
    assert_eq!(std::fs::read(&db).unwrap(), garbage);
}

#[tokio::test]
async fn a_new_database_carries_the_application_id_and_an_old_one_gets_it_when_migrated() {
    let state = State::new();
    drop(BindingStore::open(state.db()).unwrap());
    let read = |pragma: &str| -> i64 {
        rusqlite::Connection::open(state.db())
            .unwrap()
            .pragma_query_value(None, pragma, |row| row.get(0))
            .unwrap()
    };
    assert_eq!(read("application_id"), i64::from(APPLICATION_ID));
    assert_eq!(read("user_version"), SCHEMA_VERSION as i64);
    // A database as schema version 1 left it (no application_id yet) opens and is migrated.
    let key = generate_key_id(DeviceKeyProtectionClass::Software).unwrap();
    sqlite_file(
        &state.db(),
        &format!(
            "CREATE TABLE bindings (key_id TEXT PRIMARY KEY NOT NULL, algorithm TEXT NOT NULL,
                 protection_class TEXT NOT NULL, account_user_id TEXT NOT NULL,
                 client_id TEXT NOT NULL, created_at INTEGER NOT NULL) STRICT;
             CREATE TRIGGER bindings_are_insert_only BEFORE UPDATE ON bindings
             BEGIN SELECT RAISE(ABORT, 'device key bindings are insert-only'); END;
             CREATE TABLE used_nonces (key_id TEXT NOT NULL REFERENCES bindings (key_id) ON DELETE CASCADE,
                 nonce TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (key_id, nonce)) STRICT;
             INSERT INTO bindings VALUES ('{key}', 'ecdsa_p256_sha256', 'software', '{ACCOUNT}', '{CLIENT}', 1);
             PRAGMA user_version = 1;"
        ),
    );
    let store = BindingStore::open(state.db()).unwrap();
    assert_eq!(store.get(&key).unwrap().unwrap().created_at, 1);
    drop(store);
    assert_eq!(read("application_id"), i64::from(APPLICATION_ID));
    assert_eq!(read("user_version"), SCHEMA_VERSION as i64);
}

/// Changes one stored binding behind the store's back (the insert-only trigger set aside).
fn damage(db: &Path, key: &KeyId, column: &str, value: &str) {
    let connection = rusqlite::Connection::open(db).unwrap();
    connection
        .execute_batch("DROP TRIGGER IF EXISTS bindings_are_insert_only")
        .unwrap();
    connection
        .execute(
            &format!("UPDATE bindings SET {column} = ?1 WHERE key_id = ?2"),
            [value, key.as_str()],
        )
        .unwrap();
}

#[tokio::test]
async fn a_damaged_binding_fails_only_its_own_key() {
    let state = State::new();
    let clock = Arc::new(ManualClock::new(NOW));
    let open = || {
        let providers: Vec<Arc<dyn KeyProvider>> = vec![Arc::new(state.software())];
        DeviceKeyStore::builder(
            ProviderSet::new(providers),
            state.dir.open_bindings().unwrap(),
        )
        .clock(clock.clone())
        .build()
    };
    let store = open();
    let mut keys = Vec::new();
    for _ in 0..4 {
        keys.push(create(&store).await);
        clock.advance(1);
    }
    clock.set(NOW);
    drop(store);
    let [first, damaged, third, fourth] = [&keys[0], &keys[1], &keys[2], &keys[3]];
    let (long_account, long_client) = ("a".repeat(10_000), "c".repeat(300));
    for (column, value, original) in [
        ("protection_class", "quantum", "software"),
        ("protection_class", "hardware_tpm", "software"),
        ("algorithm", "rot13", "ecdsa_p256_sha256"),
        ("client_id", &long_client, CLIENT),
        ("account_user_id", &long_account, ACCOUNT),
    ] {
        damage(&state.db(), damaged, column, value);
        let store = open();
        // The list holds every other key, also a page at a time across the damaged one.
        let expected: Vec<String> = [first, third, fourth]
            .iter()
            .map(|k| k.to_string())
            .collect();
        let all = store.list_json(json!({})).await.unwrap();
        let all: Vec<String> = all.keys.iter().map(|k| k.key_id.to_string()).collect();
        assert_eq!(all, expected, "{column}");
        let mut paged = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let params = match &after {
                None => json!({"limit": 1}),
                Some(after) => json!({"limit": 1, "after": after}),
            };
            let page = store.list_json(params).await.unwrap();
            paged.extend(page.keys.iter().map(|k| k.key_id.to_string()));
            match page.next_cursor {
                Some(cursor) => after = Some(cursor.to_string()),
                None => break,
            }
        }
        assert_eq!(paged, expected, "{column}: paged");
        // Its own public and sign say the binding is damaged, naming the key.
        let public = store
            .public_json(json!({"keyId": damaged.as_str()}))
            .await
            .unwrap_err();
        let signed = sign(&store, damaged).await.unwrap_err();
        for error in [public, signed] {
            assert_eq!(error.kind(), Some(DomainErrorKind::StoreFailure), "{error}");
            let message = error.message();
            assert!(message.contains(damaged.as_str()), "{message}");
            assert!(message.contains("binding"), "{message}");
            assert!(message.contains("damaged"), "{message}");
            assert!(message.contains("Fix:"), "{message}");
            assert_no_sql(message);
        }
        // Every other key still signs.
        for key in [first, third, fourth] {
            sign(&store, key).await.unwrap();
        }
        // The damaged key can still be deleted (then created anew).
        if column == "account_user_id" {
            let deleted = store
                .delete_json(json!({"keyId": damaged.as_str()}))
                .await
                .unwrap();
            assert!(deleted.deleted);
            assert_eq!(listed(&store).await.len(), 3);
        } else {
            drop(store);
            damage(&state.db(), damaged, column, original);
            let store = open();
            sign(&store, damaged).await.unwrap();
        }
    }
}

#[tokio::test]
async fn a_binding_with_a_damaged_key_id_is_left_out_and_no_unbound_key_is_deleted() {
    let (state, keys) = used().await;
    // A key whose binding row lost its key id: its file now looks unbound.
    damage(
        &state.db(),
        &keys[0],
        "key_id",
        &format!("dk_swk_{}", "!".repeat(43)),
    );
    let store = state.store();
    assert_eq!(listed(&store).await, vec![keys[1].to_string()]);
    // The key file of the damaged row is kept: it may be that binding's key.
    assert!(state.keys().join(key_file(&keys[0])).exists());
    sign(&store, &keys[1]).await.unwrap();
}

/// Records a pending create of `key` as a crash would leave it.
fn pending(db: &Path, key: &KeyId) {
    rusqlite::Connection::open(db)
        .unwrap()
        .execute(
            "INSERT INTO pending_creates (key_id, started_at) VALUES (?1, ?2)",
            rusqlite::params![key.as_str(), NOW],
        )
        .unwrap();
}

#[tokio::test]
async fn opening_the_store_rolls_back_interrupted_creates_and_removes_what_they_left() {
    let (state, bound) = used().await;
    let software = state.software();
    let make = || {
        software
            .create(DeviceKeyProtectionPolicy::AllowSoftware)
            .unwrap()
            .key_id
    };
    // Killed after the key file was written, before the binding: an intent and a key file.
    let written = make();
    pending(&state.db(), &written);
    // Killed before the key file was written: an intent alone.
    let unwritten = generate_key_id(DeviceKeyProtectionClass::Software).unwrap();
    pending(&state.db(), &unwritten);
    // A key file nothing names (from a build that wrote keys before recording them).
    let unbound = make();
    // Temporary files of interrupted writes, by this process and by a dead one.
    let temps = [
        format!(".{written}.{}.tmp", std::process::id()),
        format!(".{unwritten}.77.tmp"),
    ];
    for temp in &temps {
        std::fs::write(state.keys().join(temp), b"partial pkcs8").unwrap();
    }
    // Look-alikes that are not the store's files are left alone, links are never followed.
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("precious");
    std::fs::write(&target, b"not a key").unwrap();
    let other = generate_key_id(DeviceKeyProtectionClass::Software).unwrap();
    let kept = [
        "notes.txt".to_owned(),
        ".dk_swk_short.1.tmp".to_owned(),
        format!(".{other}.12x.tmp"),
        format!(".{other}.tmp"),
        format!("{other}.key.bak"),
        format!("{other}.pem"),
    ];
    for name in &kept {
        std::fs::write(state.keys().join(name), b"x").unwrap();
    }
    let links = [format!(".{other}.5.tmp"), format!("{other}.key")];
    for link in &links {
        std::os::unix::fs::symlink(&target, state.keys().join(link)).unwrap();
    }
    // A temporary file's name outside the key directory is not the store's either.
    let beside = state.dir.path().join(format!(".{other}.5.tmp"));
    std::fs::write(&beside, b"x").unwrap();

    let store = state.store();
    let mut expected: Vec<String> = bound.iter().map(key_file).collect();
    expected.extend(kept.iter().cloned());
    expected.extend(links.iter().cloned());
    expected.sort();
    assert_eq!(state.key_dir_names(), expected);
    assert_eq!(std::fs::read(&target).unwrap(), b"not a key");
    assert!(beside.exists());
    assert_eq!(store.bindings().pending_create_count().unwrap(), 0);
    assert_eq!(listed(&store).await, {
        let mut keys: Vec<String> = bound.iter().map(|k| k.to_string()).collect();
        keys.sort();
        keys
    });
    for key in &bound {
        sign(&store, key).await.unwrap();
    }
    for gone in [&written, &unwritten, &unbound] {
        let error = store
            .public_json(json!({"keyId": gone.as_str()}))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), Some(DomainErrorKind::KeyNotFound));
    }
    // A second start finds nothing more to do.
    drop(store);
    let store = state.store();
    assert_eq!(state.key_dir_names(), expected);
    assert_eq!(listed(&store).await.len(), 2);
}

#[tokio::test]
async fn an_interrupted_create_of_a_class_no_provider_here_serves_is_kept_for_later() {
    let (state, _) = used().await;
    let tpm_key = generate_key_id(DeviceKeyProtectionClass::HardwareTpm).unwrap();
    pending(&state.db(), &tpm_key);
    let store = state.store();
    assert_eq!(store.bindings().pending_create_count().unwrap(), 1);
}

#[tokio::test]
async fn a_store_in_memory_deletes_no_key_it_does_not_know() {
    let (state, keys) = used().await;
    let providers: Vec<Arc<dyn KeyProvider>> = vec![Arc::new(state.software())];
    let store = DeviceKeyStore::builder(
        ProviderSet::new(providers),
        BindingStore::open_in_memory().unwrap(),
    )
    .build();
    drop(store);
    let mut expected: Vec<String> = keys.iter().map(key_file).collect();
    expected.sort();
    assert_eq!(state.key_dir_names(), expected);
}

#[tokio::test]
async fn a_create_that_fails_after_its_intent_leaves_no_intent_and_no_key() {
    let state = State::new();
    let store = state.store();
    rusqlite::Connection::open(state.db())
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER injected_failure BEFORE INSERT ON bindings
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    let error = store
        .create_json(json!({"protectionPolicy": "allow_software", "accountUserId": ACCOUNT, "clientId": CLIENT}))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), Some(DomainErrorKind::StoreFailure));
    assert!(error.message().contains("injected failure"), "{error}");
    assert_no_sql(error.message());
    assert!(state.key_dir_names().is_empty());
    assert_eq!(store.bindings().pending_create_count().unwrap(), 0);
}

/// The software provider, with a hook that runs after the key exists and before the create
/// returns: where a second server's start-up may come in.
struct Interrupted {
    inner: SoftwareProvider,
    hook: Box<dyn Fn() + Send + Sync>,
}

impl std::fmt::Debug for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interrupted")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl KeyProvider for Interrupted {
    fn name(&self) -> &'static str {
        "interrupted"
    }
    fn protection_classes(&self) -> &[DeviceKeyProtectionClass] {
        self.inner.protection_classes()
    }
    fn create(&self, policy: DeviceKeyProtectionPolicy) -> Result<ProviderKey, DeviceKeyError> {
        self.inner.create(policy)
    }
    fn create_with_intent(
        &self,
        policy: DeviceKeyProtectionPolicy,
        intent: &mut dyn FnMut(&KeyId) -> Result<(), DeviceKeyError>,
    ) -> Result<ProviderKey, DeviceKeyError> {
        let key = self.inner.create_with_intent(policy, intent)?;
        (self.hook)();
        Ok(key)
    }
    fn public_key(&self, key_id: &KeyId) -> Result<Vec<u8>, DeviceKeyError> {
        self.inner.public_key(key_id)
    }
    fn sign(&self, key_id: &KeyId, payload: &SignedPayload) -> Result<Vec<u8>, DeviceKeyError> {
        self.inner.sign(key_id, payload)
    }
    fn delete(&self, key_id: &KeyId) -> Result<bool, DeviceKeyError> {
        self.inner.delete(key_id)
    }
    fn key_ids(&self) -> Result<Option<Vec<KeyId>>, DeviceKeyError> {
        self.inner.key_ids()
    }
}

/// A second start while a store has the database open (another server on the same state
/// directory) leaves that store's create under way alone: the start-up cleanup runs only for a
/// store that has the database alone, so the create completes.
#[tokio::test]
async fn a_second_start_while_a_store_serves_leaves_its_create_under_way_alone() {
    let state = Arc::new(State::new());
    let second_start = {
        let state = Arc::clone(&state);
        move || drop(state.store())
    };
    let provider = Interrupted {
        inner: state.software(),
        hook: Box::new(second_start),
    };
    let providers: Vec<Arc<dyn KeyProvider>> = vec![Arc::new(provider)];
    let store = DeviceKeyStore::builder(
        ProviderSet::new(providers),
        state.dir.open_bindings().unwrap(),
    )
    .clock(Arc::new(ManualClock::new(NOW)))
    .build();
    let created = store
        .create_json(json!({"protectionPolicy": "allow_software", "accountUserId": ACCOUNT, "clientId": CLIENT}))
        .await
        .unwrap();
    let key_id = created.key_id.to_string();
    assert_eq!(state.key_dir_names(), [format!("{key_id}.key")]);
    assert_eq!(listed(&store).await, [key_id]);
    assert_eq!(store.bindings().pending_create_count().unwrap(), 0);
}

/// A key without a binding (what a crash between key and binding once left) is deleted only by
/// a start that has the database alone: not while another store has it open, and then at the
/// first start after that store closed.
#[tokio::test]
async fn leftovers_wait_for_a_start_that_has_the_database_alone() {
    let state = State::new();
    let serving = state.store();
    let unbound = state
        .software()
        .create(DeviceKeyProtectionPolicy::AllowSoftware)
        .unwrap();
    let unbound_file = format!("{}.key", unbound.key_id);
    drop(state.store());
    assert_eq!(
        state.key_dir_names(),
        [unbound_file],
        "deleted while another store serves"
    );
    drop(serving);
    drop(state.store());
    assert!(
        state.key_dir_names().is_empty(),
        "{:?}",
        state.key_dir_names()
    );
}

#[tokio::test]
async fn a_sign_whose_binding_a_delete_removed_meanwhile_is_key_not_found() {
    let state = State::new();
    let store = state.store();
    let key = create(&store).await;
    // The store has the binding in memory now.
    sign(&store, &key).await.unwrap();
    // Deleted through another connection (another server on the same state): this store's
    // copy is stale, so the sign gets as far as recording its nonce.
    let other = BindingStore::open(state.db()).unwrap();
    assert!(other.delete(&key).unwrap());
    let error = sign(&store, &key).await.unwrap_err();
    assert_eq!(error.kind(), Some(DomainErrorKind::KeyNotFound), "{error}");
    assert_eq!(error.message(), format!("device key not found: {key}"));
    // The binding store says the same for a nonce of a key that has no binding.
    let never = generate_key_id(DeviceKeyProtectionClass::Software).unwrap();
    let error = other.record_nonce(&never, "n", NOW + 60, NOW).unwrap_err();
    assert_eq!(error.kind(), Some(DomainErrorKind::KeyNotFound), "{error}");
    assert_eq!(error.message(), format!("device key not found: {never}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_delete_racing_pipelined_signs_leaves_them_signed_or_key_not_found() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let state = State::new();
    let store = state.store();
    let (mut signed, mut not_found) = (0, 0);
    for _round in 0..4 {
        let key = create(&store).await;
        let done = Arc::new(AtomicUsize::new(0));
        let signs: Vec<_> = (0..320)
            .map(|_| {
                let (store, key, done) = (store.clone(), key.clone(), Arc::clone(&done));
                tokio::spawn(async move {
                    let outcome = sign(&store, &key).await;
                    done.fetch_add(1, Ordering::Relaxed);
                    outcome
                })
            })
            .collect();
        // The delete comes in while signs are under way, some done and most not.
        while done.load(Ordering::Relaxed) < 20 {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        let deleted = store
            .delete_json(json!({"keyId": key.as_str()}))
            .await
            .unwrap();
        assert!(deleted.deleted);
        for outcome in signs {
            match outcome.await.unwrap() {
                Ok(()) => signed += 1,
                Err(error) => {
                    assert_eq!(error.kind(), Some(DomainErrorKind::KeyNotFound), "{error}");
                    assert_eq!(error.message(), format!("device key not found: {key}"));
                    not_found += 1;
                }
            }
        }
    }
    eprintln!("{signed} signed, {not_found} keyNotFound");
    assert!(signed >= 80, "{signed}");
}
