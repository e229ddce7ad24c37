//! An in-memory [`Keychain`] for tests: it records every call with its attributes, can inject
//! an OSStatus into any operation, signs with real P-256 keys, and behaves like the
//! data-protection keychain where the provider's decisions depend on it (a query matches the
//! keys holding all its attributes; a password query without an access group matches every
//! group; `PrivateKeyUsage` outside the Secure Enclave fails as it does on Intel Macs).

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use p256::ecdsa::SigningKey;
use zeroize::Zeroizing;

use crate::crypto;

use super::{AccessFlag, FoundKey, KeyAttribute, KeyAttributes, Keychain, OsStatus, PasswordItem};

/// The access group items added without one land in, like an application's default group.
pub const FAKE_DEFAULT_ACCESS_GROUP: &str = "TEAMID.dev.devicekey.default";

/// A keychain operation, to inject failures into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FakeOperation {
    /// [`Keychain::create_random_key`].
    CreateKey,
    /// [`Keychain::find_key`].
    FindKey,
    /// [`Keychain::public_key_x963`].
    PublicKey,
    /// [`Keychain::sign_message_x962_sha256`].
    Sign,
    /// [`Keychain::delete_key`].
    DeleteKey,
    /// [`Keychain::new_auth_context`].
    NewAuthContext,
    /// [`Keychain::get_password`].
    GetPassword,
    /// [`Keychain::add_password`].
    AddPassword,
    /// [`Keychain::delete_password`].
    DeletePassword,
}

/// One recorded call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FakeCall {
    /// A key creation with its attributes.
    CreateKey(KeyAttributes),
    /// A key lookup with its query and the authentication context passed, if any.
    FindKey {
        /// The query.
        query: KeyAttributes,
        /// The id of the authentication context.
        auth: Option<u64>,
    },
    /// A public key read.
    PublicKey,
    /// A signature.
    Sign,
    /// A key deletion with its query.
    DeleteKey(KeyAttributes),
    /// A new authentication context, with its id.
    NewAuthContext(u64),
    /// A password read.
    GetPassword(PasswordItem),
    /// A password add.
    AddPassword(PasswordItem),
    /// A password deletion.
    DeletePassword(PasswordItem),
}

/// A key handle of the fake.
#[derive(Clone)]
pub struct FakeKey(Arc<SigningKey>);

impl fmt::Debug for FakeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FakeKey(<private>)")
    }
}

struct StoredKey {
    attributes: KeyAttributes,
    key: FakeKey,
}

#[derive(Default)]
struct State {
    keys: Vec<StoredKey>,
    passwords: Vec<(PasswordItem, Vec<u8>)>,
    calls: Vec<FakeCall>,
    failures: Vec<(FakeOperation, OsStatus)>,
    secure_enclave_missing: Option<OsStatus>,
    report_extractable: bool,
    contexts: u64,
}

/// The in-memory keychain.
#[derive(Default)]
pub struct FakeKeychain {
    state: Mutex<State>,
}

impl FakeKeychain {
    /// A keychain on a Mac with a Secure Enclave.
    pub fn new() -> Self {
        Self::default()
    }

    /// A keychain on a Mac whose Secure Enclave answers `status` (-4 or -50 on real Macs).
    pub fn without_secure_enclave(status: OsStatus) -> Self {
        let fake = Self::default();
        fake.state().secure_enclave_missing = Some(status);
        fake
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The next call of `operation` fails with `status` (failures queue up per operation).
    pub fn fail_next(&self, operation: FakeOperation, status: OsStatus) {
        self.state().failures.push((operation, status));
    }

    /// From now on, lookups report every key as extractable, as a broken keychain might.
    pub fn report_extractable(&self) {
        self.state().report_extractable = true;
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<FakeCall> {
        self.state().calls.clone()
    }

    /// The attributes of every stored key.
    pub fn keys(&self) -> Vec<KeyAttributes> {
        self.state()
            .keys
            .iter()
            .map(|key| key.attributes.clone())
            .collect()
    }

    /// Stores a key with exactly these attributes, as another program might have.
    pub fn insert_key(&self, attributes: KeyAttributes) {
        let key = FakeKey(Arc::new(
            crate::crypto::generate_signing_key().expect("random source"),
        ));
        self.state().keys.push(StoredKey { attributes, key });
    }

    /// Stores a password item as is (an item with no access group lands in
    /// [`FAKE_DEFAULT_ACCESS_GROUP`]).
    pub fn insert_password(&self, item: &PasswordItem, secret: &[u8]) {
        self.state()
            .passwords
            .push((stored_item(item), secret.to_vec()));
    }

    /// The data of the item in exactly `item`'s access group (the default group for `None`).
    pub fn password_in_group(&self, item: &PasswordItem) -> Option<Vec<u8>> {
        let exact = stored_item(item);
        self.state()
            .passwords
            .iter()
            .find(|(stored, _)| *stored == exact)
            .map(|(_, secret)| secret.clone())
    }

    /// Every stored password item.
    pub fn password_items(&self) -> Vec<PasswordItem> {
        self.state()
            .passwords
            .iter()
            .map(|(item, _)| item.clone())
            .collect()
    }

    fn begin(
        &self,
        call: FakeCall,
        operation: FakeOperation,
    ) -> Result<MutexGuard<'_, State>, OsStatus> {
        let mut state = self.state();
        state.calls.push(call);
        if let Some(index) = state.failures.iter().position(|(op, _)| *op == operation) {
            let (_, status) = state.failures.remove(index);
            return Err(status);
        }
        Ok(state)
    }
}

fn stored_item(item: &PasswordItem) -> PasswordItem {
    PasswordItem {
        access_group: Some(
            item.access_group
                .clone()
                .unwrap_or_else(|| FAKE_DEFAULT_ACCESS_GROUP.to_owned()),
        ),
        ..item.clone()
    }
}

fn password_matches(query: &PasswordItem, stored: &PasswordItem) -> bool {
    query.service == stored.service
        && query.account == stored.account
        && query
            .access_group
            .as_ref()
            .is_none_or(|group| Some(group) == stored.access_group.as_ref())
}

/// The attributes a query compares; creation-only ones (size, access control, label) are not.
fn key_matches(query: &KeyAttributes, stored: &KeyAttributes) -> bool {
    query.iter().all(|attribute| match attribute {
        KeyAttribute::KeySizeInBits(_)
        | KeyAttribute::Permanent
        | KeyAttribute::AccessControl { .. }
        | KeyAttribute::Label(_) => true,
        _ => stored.contains(attribute),
    })
}

impl fmt::Debug for FakeKeychain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        f.debug_struct("FakeKeychain")
            .field("keys", &state.keys.len())
            .field("passwords", &state.passwords.len())
            .finish()
    }
}

impl Keychain for FakeKeychain {
    type Key = FakeKey;
    type AuthContext = u64;

    fn create_random_key(&self, attributes: &KeyAttributes) -> Result<FakeKey, OsStatus> {
        let mut state = self.begin(
            FakeCall::CreateKey(attributes.clone()),
            FakeOperation::CreateKey,
        )?;
        let secure_enclave = attributes.contains(&KeyAttribute::TokenSecureEnclave);
        if secure_enclave {
            if let Some(status) = state.secure_enclave_missing {
                return Err(status);
            }
        } else if attributes
            .access_flags()
            .is_some_and(|flags| flags.contains(&AccessFlag::PrivateKeyUsage))
        {
            // What Intel Macs answer (openai/codex#30075).
            return Err(OsStatus::AUTH_FAILED);
        }
        if state
            .keys
            .iter()
            .any(|key| key.attributes.application_tag() == attributes.application_tag())
        {
            return Err(OsStatus::DUPLICATE_ITEM);
        }
        let key = FakeKey(Arc::new(
            crate::crypto::generate_signing_key().map_err(|_| OsStatus(-1))?,
        ));
        state.keys.push(StoredKey {
            attributes: attributes.clone(),
            key: key.clone(),
        });
        Ok(key)
    }

    fn find_key(
        &self,
        query: &KeyAttributes,
        auth: Option<&u64>,
    ) -> Result<FoundKey<FakeKey>, OsStatus> {
        let call = FakeCall::FindKey {
            query: query.clone(),
            auth: auth.copied(),
        };
        let state = self.begin(call, FakeOperation::FindKey)?;
        let stored = state
            .keys
            .iter()
            .find(|key| key_matches(query, &key.attributes))
            .ok_or(OsStatus::ITEM_NOT_FOUND)?;
        let secure_enclave = stored
            .attributes
            .contains(&KeyAttribute::TokenSecureEnclave);
        let non_extractable =
            secure_enclave || stored.attributes.contains(&KeyAttribute::NonExtractable);
        Ok(FoundKey {
            key: stored.key.clone(),
            extractable: !non_extractable || state.report_extractable,
            secure_enclave,
        })
    }

    fn public_key_x963(&self, key: &FakeKey) -> Result<Vec<u8>, OsStatus> {
        drop(self.begin(FakeCall::PublicKey, FakeOperation::PublicKey)?);
        Ok(key
            .0
            .verifying_key()
            .to_sec1_point(false)
            .as_bytes()
            .to_vec())
    }

    fn sign_message_x962_sha256(&self, key: &FakeKey, message: &[u8]) -> Result<Vec<u8>, OsStatus> {
        drop(self.begin(FakeCall::Sign, FakeOperation::Sign)?);
        Ok(crypto::sign_der(&key.0, message))
    }

    fn delete_key(&self, query: &KeyAttributes) -> Result<(), OsStatus> {
        let mut state = self.begin(FakeCall::DeleteKey(query.clone()), FakeOperation::DeleteKey)?;
        let before = state.keys.len();
        state
            .keys
            .retain(|key| !key_matches(query, &key.attributes));
        if state.keys.len() == before {
            return Err(OsStatus::ITEM_NOT_FOUND);
        }
        Ok(())
    }

    fn new_auth_context(&self) -> Result<u64, OsStatus> {
        let next = self.state().contexts + 1;
        let mut state = self.begin(
            FakeCall::NewAuthContext(next),
            FakeOperation::NewAuthContext,
        )?;
        state.contexts = next;
        Ok(next)
    }

    fn get_password(&self, item: &PasswordItem) -> Result<Zeroizing<Vec<u8>>, OsStatus> {
        let state = self.begin(
            FakeCall::GetPassword(item.clone()),
            FakeOperation::GetPassword,
        )?;
        state
            .passwords
            .iter()
            .find(|(stored, _)| password_matches(item, stored))
            .map(|(_, secret)| Zeroizing::new(secret.clone()))
            .ok_or(OsStatus::ITEM_NOT_FOUND)
    }

    fn add_password(&self, item: &PasswordItem, secret: &[u8]) -> Result<(), OsStatus> {
        let mut state = self.begin(
            FakeCall::AddPassword(item.clone()),
            FakeOperation::AddPassword,
        )?;
        let stored = stored_item(item);
        if state
            .passwords
            .iter()
            .any(|(existing, _)| *existing == stored)
        {
            return Err(OsStatus::DUPLICATE_ITEM);
        }
        state.passwords.push((stored, secret.to_vec()));
        Ok(())
    }

    fn delete_password(&self, item: &PasswordItem) -> Result<(), OsStatus> {
        let mut state = self.begin(
            FakeCall::DeletePassword(item.clone()),
            FakeOperation::DeletePassword,
        )?;
        let before = state.passwords.len();
        state
            .passwords
            .retain(|(stored, _)| !password_matches(item, stored));
        if state.passwords.len() == before {
            return Err(OsStatus::ITEM_NOT_FOUND);
        }
        Ok(())
    }
}
