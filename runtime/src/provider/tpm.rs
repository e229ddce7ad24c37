//! The Linux TPM 2.0 provider: ECC P-256 signing keys created inside a TPM, class
//! `hardware_tpm`.
//!
//! # Keys and their parent
//!
//! Each key is a child of the owner hierarchy's storage primary key, which is never stored: a
//! TPM derives the same primary from the owner seed and [`primary_template`] every time, so a
//! key survives TPM restarts for as long as the owner seed does (it changes only on
//! `TPM2_Clear`; after that, or with a blob from another TPM, the TPM refuses to load the blob
//! and the key is `keyLost`). The provider derives the primary once per connection
//! (`TPM2_CreatePrimary`, when it connects) and keeps it loaded while it lives.
//!
//! A persistent storage key at the TCG's storage-root-key handle [`PERSISTENT_STORAGE_KEY`]
//! (`0x81000001`) is used instead when it *is* that primary: same name, so same key, and keys
//! stay loadable whether it is there or not (the provider still derives the primary once per
//! connection, to compare the names, and flushes it). Between commands the parent then holds
//! no transient object: nothing of it is left behind by a crash, and behind the kernel's
//! resource manager, which swaps each connection's transient objects into the TPM and out
//! again around every command, every command swaps one object less. (It leaves no more room
//! for keys: the TPM copies a persistent parent into an object slot while a `TPM2_Load` or
//! `TPM2_Create` uses it.) The provider never makes persistent objects; an administrator who
//! wants one makes it, with the owner's authorization, once:
//!
//! ```text
//! tpm2_createprimary -C o -g sha256 -G ecc256:null:aes128cfb \
//!     -a 'restricted|decrypt|fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda' -c srk.ctx
//! tpm2_evictcontrol -C o -c srk.ctx 0x81000001
//! ```
//!
//! and it is found at the next connection (a key at that handle made from another template is
//! left alone, and logged).
//!
//! # Loaded keys
//!
//! Device keys stay loaded after use (`loaded_keys`), so a steady-state signature is one TPM
//! command, `TPM2_Sign`; the first signature with a key after the provider connects is
//! `TPM2_Load` and `TPM2_Sign`; a create is `TPM2_Create`; reading a public key sends nothing.
//! A TPM has few transient object slots (three on many hardware TPMs and on swtpm; the kernel's
//! resource manager gives each connection three), and a load or a create needs one free, so
//! the provider keeps at most [`MAX_LOADED_OBJECTS`] objects of its own, the parent included,
//! and flushes the least recently used key before loading or creating another when it holds
//! that many. When the TPM answers `TPM_RC_OBJECT_MEMORY` all the same, it flushes, on a TPM
//! without a resource manager, the objects that are not its own (see below), or else its least
//! recently used key (never the parent, nor the key being loaded), tries again, and from then
//! on keeps no more objects than fitted.
//!
//! A key is found loaded only under its key id *and* the SHA-256 of the blob file read for
//! this operation (a file read, no TPM command): a blob replaced on disk is loaded afresh (the
//! handle loaded from the old one is flushed), so the store's check of the blob's public key
//! against the one recorded at create ([`KeyProvider::sign_checked`]) checks the key that
//! signs, with no TPM command. A delete flushes the key.
//!
//! A TPM that was restarted or resumed from sleep under the provider has dropped its transient
//! objects: a command that names one of them fails with `TPM_RC_REFERENCE_H0` (or
//! `TPM_RC_HANDLE`), and the provider forgets what it had loaded, derives the primary again and
//! runs the operation once more. (Only another user of a TPM without a resource manager, which
//! the provider must not have, could load an object at one of those handles in between.)
//!
//! # Leftovers, and exclusive TPMs
//!
//! A process that dies (`kill -9`) cannot flush what it had loaded. Behind a resource manager
//! (`device:/dev/tpmrm0`, `tabrmd:`) the manager flushes a connection's objects when it closes.
//! Without one (`swtpm:`, `mssim:`, `device:/dev/tpm0`) they stay loaded and fill the TPM's
//! slots, so the provider counts itself the TPM's only user, as tpm2-tools does there: each time
//! it connects (at [`TpmProvider::open`] and on every reconnection) it flushes every transient
//! object loaded in the TPM, and logs how many; and when the slots are full it first flushes the
//! transient objects that are not its own. Behind a resource manager it flushes only its own.
//! (The provider's only TPM sessions are the policy sessions of credential activation, each
//! closed before the operation answers, so it leaves none behind and touches none of others.)
//! When the
//! provider is dropped (a server that stops cleanly), it flushes what it holds.
//!
//! # Blobs
//!
//! What lives on disk, per key id, in the key directory: the key's `TPM2B_PUBLIC` followed by its
//! `TPM2B_PRIVATE`, the private part wrapped (encrypted and integrity-protected) by the primary,
//! so only this TPM can load it (the same bytes `tpm2_create -u` and `-r` write). The files are
//! written through [`FileSecretStore`] (mode 0600, temp + fsync + rename). The key's attributes
//! (`fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | sign`) make the TPM refuse to
//! export or duplicate it. Signing hashes the signed bytes once (SHA-256) and hands the digest to
//! `TPM2_Sign` with the ECDSA-SHA256 scheme and a null-hierarchy hash-check ticket; the TPM's
//! `(r, s)` becomes a DER signature.
//!
//! # The TCTI, the worker, deadlines
//!
//! The TPM is reached through any TCTI libtss2's loader knows, named as tpm2-tools' `--tcti`
//! names it (`device:/dev/tpmrm0`, `swtpm:host=127.0.0.1,port=2321`, `pcap:<another TCTI>` to
//! record the traffic in `$TCTI_PCAP_FILE`, ...); the commands are marshalled by this provider
//! itself (`commands`), one TPM command per call, so a capture shows exactly what it sends.
//!
//! One worker thread owns the connection and runs operations one at a time, in the order they
//! were asked for. Each operation has a deadline, fixed when it is asked for
//! ([`TpmOptions::operation_timeout`], [`COMMAND_TIMEOUT`] by default), that covers its wait
//! behind the operations before it as well as its own TPM commands: a TPM that stops answering
//! makes every waiting operation fail at its own deadline with `hardwareTimeout`, and the worker
//! skips operations whose deadline has passed when it gets to them, so a TPM that answers again
//! serves fresh requests at once. Each command waits for its answer no longer than what is left
//! of the deadline where the TCTI keeps a receive timeout (the device TCTI does; libtss2's
//! network TCTIs block, and the worker's deadline alone answers the caller): an answer that did
//! not come in time closes the connection, since it is still due, and the next operation
//! connects again. A TPM that answers "try again" is asked again after a short, growing pause,
//! within the deadline. A lost connection (the TPM went away) gives
//! `hardwareUnavailable`, and the next operation connects again. The kernel lets one process at
//! a time open `/dev/tpm0`; swtpm's TCTI opens a TCP connection for every command, so another
//! client's commands can run between the provider's (and a swtpm restart goes unnoticed until a
//! command names an object the TPM no longer has), which is why nothing else may use a TPM
//! without a resource manager while the provider does.
//!
//! # Attestation
//!
//! The provider also answers for the TPM itself ([`KeyAttestation`]): its endorsement key and
//! EK certificate, an attestation key of the state directory's own (recorded in the key
//! directory as `attestation-key`, which is no key blob and which the start-up reconciliation
//! leaves alone), credential activation and certification of its keys. See the `attestation`
//! module; these operations run under the same deadline.

mod ak_record;
mod attestation;
mod commands;
mod endorsement;
mod loaded_keys;
mod target;
mod tcti;

pub use endorsement::{
    EK_CERTIFICATE_ECC_P256, EK_CERTIFICATE_RSA_2048, MAX_EK_CERTIFICATE, PERSISTENT_EK_ECC_P256,
    PERSISTENT_EK_RSA_2048,
};

use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};
use tss_esapi::attributes::ObjectAttributesBuilder;
use tss_esapi::constants::tss::{
    TPM2_RC_1, TPM2_RC_HANDLE, TPM2_RC_INTEGRITY, TPM2_RC_OBJECT_MEMORY, TPM2_RC_P,
    TPM2_RC_REFERENCE_H0, TPM2_RC_REFERENCE_H6,
};
use tss_esapi::interface_types::algorithm::{HashingAlgorithm, PublicAlgorithm};
use tss_esapi::interface_types::ecc::EccCurve;
use tss_esapi::structures::{
    EccPoint, EccScheme, HashScheme, KeyDerivationFunctionScheme, Private, Public, PublicBuffer,
    PublicBuilder, PublicEccParametersBuilder, SymmetricDefinitionObject,
};
use tss_esapi::traits::{Marshall as _, UnMarshall as _};
use tss_esapi::utils::PublicKey;
use zeroize::Zeroizing;

use crate::provider::tpm::commands::{Created, Tpm2, TpmError, RH_OWNER, TRANSIENT_FIRST};
use crate::provider::tpm::loaded_keys::{LoadedKeys, Lookup};
use crate::provider::tpm::target::Target;
use crate::provider::{check_public_key, not_found, KeyAttestation, KeyProvider, ProviderKey};
use crate::secret_store::{FileSecretStore, SecretBytes, SecretStore as _};
use devicekey_proof::DeviceKeyError;
use devicekey_proof::KeyId;
use devicekey_proof::ProtectionPolicyExt as _;
use devicekey_proof::SignedPayload;
use devicekey_protocol::types::DomainErrorKind;
use devicekey_protocol::types::{DeviceKeyProtectionClass, DeviceKeyProtectionPolicy};

/// How long [`TpmProvider::open`] waits for the TPM to answer, by default.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long one operation (a few TPM commands) may take by default, counted from when it is
/// asked for, its wait behind earlier operations included, before it fails with
/// `hardwareTimeout`. Key creation on a slow hardware TPM takes well under a second, so this
/// leaves room for a long queue; an attestation request on a TPM without a persistent EK
/// derives an RSA 2048 EK, which a discrete TPM may take several seconds for, and fits too.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(20);

/// The handle the TCG's provisioning guidance gives the storage root key, which the provider
/// uses as the parent of its keys when it is the provider's own storage primary.
pub const PERSISTENT_STORAGE_KEY: u32 = 0x8100_0001;

/// The most object slots the provider's own objects take at once: its loaded keys and their
/// parent (the derived primary, or the persistent key, which the TPM copies into a slot while
/// a load or a create uses it). Many hardware TPMs have three slots, and so does swtpm; the
/// kernel's resource manager gives each connection three.
pub const MAX_LOADED_OBJECTS: usize = 3;

const CLASSES: &[DeviceKeyProtectionClass] = &[DeviceKeyProtectionClass::HardwareTpm];

/// How long a [`TpmProvider`] waits for its TPM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TpmOptions {
    /// How long [`TpmProvider::open_with`] waits for the TPM's first answers, the most a
    /// reconnection's TCP connect may take, and how long dropping the provider waits for it to
    /// flush what it holds.
    pub connect_timeout: Duration,
    /// Each operation's deadline, counted from when it is asked for: its wait behind earlier
    /// operations and its own TPM commands (a reconnection included) must fit in it, else it
    /// fails with `hardwareTimeout`. Attestation operations (identity, credential activation,
    /// certification) have the same deadline; deriving an RSA EK, which they do on a TPM without
    /// a persistent one, can take seconds on a discrete TPM.
    pub operation_timeout: Duration,
}

impl Default for TpmOptions {
    /// [`CONNECT_TIMEOUT`] and [`COMMAND_TIMEOUT`].
    fn default() -> Self {
        TpmOptions {
            connect_timeout: CONNECT_TIMEOUT,
            operation_timeout: COMMAND_TIMEOUT,
        }
    }
}

/// Keys of class `hardware_tpm` in a TPM 2.0 reached through a TCTI.
pub struct TpmProvider {
    tcti: String,
    blobs: FileSecretStore,
    options: TpmOptions,
    worker: Worker,
}

impl fmt::Debug for TpmProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TpmProvider")
            .field("tcti", &self.tcti)
            .field("key_dir", &self.blobs.dir())
            .field("options", &self.options)
            .finish()
    }
}

impl TpmProvider {
    /// Connects to the TPM at `tcti` (any TCTI libtss2's loader knows: `device:/dev/tpmrm0`,
    /// `swtpm:host=127.0.0.1,port=2321`, `pcap:swtpm:...`, ...) and keeps wrapped key blobs in
    /// `key_dir` (created with mode 0700 if needed, once the TPM has answered), with the default
    /// [`TpmOptions`].
    ///
    /// Fails within about [`CONNECT_TIMEOUT`] with `hardwareUnavailable` when no TPM answers
    /// there. On a TCTI without a resource manager it first flushes the transient objects a
    /// dead process left loaded (see the module docs). It then looks for a persistent storage
    /// key at [`PERSISTENT_STORAGE_KEY`] and derives the storage primary, a transient object
    /// that stays loaded until the provider is dropped; it creates nothing that outlives it.
    /// A TPM that answers but refuses the primary still opens (the operations then report
    /// why).
    pub fn open(tcti: &str, key_dir: &Path) -> Result<TpmProvider, DeviceKeyError> {
        Self::open_with(tcti, key_dir, TpmOptions::default())
    }

    /// [`open`](Self::open) with these timeouts: it fails within about
    /// `options.connect_timeout` when no TPM answers.
    pub fn open_with(
        tcti: &str,
        key_dir: &Path,
        options: TpmOptions,
    ) -> Result<TpmProvider, DeviceKeyError> {
        let target = Target::parse(tcti).map_err(|reason| unavailable(tcti, reason))?;
        let templates = Templates::new()?;
        let worker = Worker::start(
            Tpm::new(tcti, target, templates, options.connect_timeout),
            options.connect_timeout,
        )?;
        let deadline = Instant::now() + options.connect_timeout;
        match worker.call(deadline, |tpm| tpm.ensure_connected().map(drop)) {
            Ok(connected) => connected?,
            Err(Unanswered::Timeout { .. }) => {
                return Err(unavailable(
                    tcti,
                    format!(
                        "it did not answer within {}",
                        seconds(options.connect_timeout)
                    ),
                ))
            }
            Err(Unanswered::Gone) => return Err(worker_gone(tcti)),
        }
        let blobs = FileSecretStore::open(key_dir)?;
        Ok(TpmProvider {
            tcti: tcti.to_owned(),
            blobs,
            options,
            worker,
        })
    }

    /// The TCTI this provider talks to.
    pub fn tcti(&self) -> &str {
        &self.tcti
    }

    /// The timeouts this provider waits with.
    pub fn options(&self) -> TpmOptions {
        self.options
    }

    /// The file holding `key_id`'s wrapped key blob.
    pub fn blob_path(&self, key_id: &KeyId) -> std::path::PathBuf {
        self.blobs.path_of(key_id)
    }

    /// Runs `operation` on the TPM (connecting first if the last connection was lost) within
    /// the operation timeout, counted from now. No answer by then is `hardwareTimeout`; a
    /// broken connection is `hardwareUnavailable`, and the next operation connects again.
    fn run<T: Send + 'static>(
        &self,
        what: &'static str,
        operation: impl FnMut(&mut Connected) -> Result<T, Failure> + Send + 'static,
    ) -> Result<T, DeviceKeyError> {
        let timeout = self.options.operation_timeout;
        let deadline = Instant::now() + timeout;
        match self
            .worker
            .call(deadline, move |tpm| tpm.run(what, operation))
        {
            Ok(outcome) => outcome,
            Err(Unanswered::Timeout { started }) => Err(DeviceKeyError::new(
                DomainErrorKind::HardwareTimeout,
                format!(
                    "the TPM at {} did not answer within {} ({}); the request to {what} was \
                     given up",
                    self.tcti,
                    seconds(timeout),
                    if started {
                        "it did not finish this request's commands"
                    } else {
                        "it had not finished the requests before this one"
                    },
                ),
            )),
            Err(Unanswered::Gone) => Err(worker_gone(&self.tcti)),
        }
    }

    /// Flushes `key_id` if it is loaded, without waiting for it: its blob is gone, so nothing
    /// waits on the TPM for this.
    fn evict(&self, key_id: &KeyId) {
        let key_id = key_id.clone();
        let deadline = Instant::now() + self.options.operation_timeout;
        self.worker.post(deadline, move |tpm| tpm.evict(&key_id));
    }

    fn read_blob(&self, key_id: &KeyId) -> Result<KeyBlob, DeviceKeyError> {
        if key_id.protection_class() != DeviceKeyProtectionClass::HardwareTpm {
            return Err(not_found(key_id));
        }
        let Some(bytes) = self.blobs.get(key_id)? else {
            // Deleted behind the provider's back: let go of it if it is loaded.
            self.evict(key_id);
            return Err(not_found(key_id));
        };
        KeyBlob::decode(bytes.expose()).ok_or_else(|| {
            DeviceKeyError::new(
                DomainErrorKind::PlatformFailure,
                format!(
                    "the TPM key blob of {key_id} in {} is damaged",
                    self.blobs.dir().display()
                ),
            )
        })
    }

    fn sign_blob(
        &self,
        key_id: &KeyId,
        blob: KeyBlob,
        payload: &SignedPayload,
    ) -> Result<Vec<u8>, DeviceKeyError> {
        let digest: [u8; 32] = Sha256::digest(payload.as_bytes()).into();
        let key_id = key_id.clone();
        let (r, s) = self.run("sign", move |connected| {
            connected.sign(&key_id, &blob, &digest)
        })?;
        Ok(signature_from_scalars(&r, &s)?.to_der().as_bytes().to_vec())
    }
}

impl KeyProvider for TpmProvider {
    fn name(&self) -> &'static str {
        "tpm"
    }

    fn protection_classes(&self) -> &[DeviceKeyProtectionClass] {
        CLASSES
    }

    fn create(&self, policy: DeviceKeyProtectionPolicy) -> Result<ProviderKey, DeviceKeyError> {
        self.create_with_intent(policy, &mut |_| Ok(()))
    }

    /// The key id is drawn, and `intent` called with it, after the TPM made the key and before
    /// its blob is written: the TPM keeps nothing of the key, so until the blob exists the key
    /// does not, and a crash at any later point leaves the intent that the next start resolves.
    fn create_with_intent(
        &self,
        policy: DeviceKeyProtectionPolicy,
        intent: &mut dyn FnMut(&KeyId) -> Result<(), DeviceKeyError>,
    ) -> Result<ProviderKey, DeviceKeyError> {
        if !policy.allows(DeviceKeyProtectionClass::HardwareTpm) {
            return Err(DeviceKeyError::new(
                DomainErrorKind::DegradedProtectionNotAllowed,
                format!("policy {policy} does not allow hardware_tpm device keys"),
            ));
        }
        let Created {
            public, private, ..
        } = self.run("create a key", |connected| connected.create_key())?;
        let blob = KeyBlob::join(&public, &private);
        let public_key_spki_der = KeyBlob::decode(&blob)
            .ok_or_else(|| crypto_failure("reading the public area of the new TPM key"))
            .and_then(|blob| spki_der(&blob.public))?;
        let key_id = crate::crypto::generate_key_id(DeviceKeyProtectionClass::HardwareTpm)?;
        intent(&key_id)?;
        self.blobs.put(&key_id, &SecretBytes::new(blob))?;
        Ok(ProviderKey {
            key_id,
            public_key_spki_der,
        })
    }

    /// The TPM key ids of the blob directory.
    fn key_ids(&self) -> Result<Option<Vec<KeyId>>, DeviceKeyError> {
        Ok(self.blobs.list()?.map(|key_ids| {
            key_ids
                .into_iter()
                .filter(|key_id| key_id.protection_class() == DeviceKeyProtectionClass::HardwareTpm)
                .collect()
        }))
    }

    /// The blob store's temporary files and those of an interrupted write of the attestation
    /// key's record (the record itself, which is no key blob, is left alone).
    fn remove_leftovers(&self) -> Result<usize, DeviceKeyError> {
        Ok(self.blobs.remove_leftovers()? + ak_record::remove_leftovers(self.blobs.dir())?)
    }

    /// Attestation with this TPM's endorsement key and this state directory's attestation key
    /// (see the `attestation` module).
    fn attestation(&self) -> Option<&dyn KeyAttestation> {
        Some(self)
    }

    /// Read off the blob: no TPM command.
    fn public_key(&self, key_id: &KeyId) -> Result<Vec<u8>, DeviceKeyError> {
        spki_der(&self.read_blob(key_id)?.public)
    }

    fn sign(&self, key_id: &KeyId, payload: &SignedPayload) -> Result<Vec<u8>, DeviceKeyError> {
        self.sign_blob(key_id, self.read_blob(key_id)?, payload)
    }

    /// One read of the blob: its public area is what the TPM loads (the wrapped private part's
    /// integrity value covers the public area's name, so a blob whose halves do not belong
    /// together does not load), and a loaded key is used only for the very blob it was loaded
    /// from, so comparing the blob's public area with the recorded key checks the key that
    /// signs, with no TPM command. The cost is one point conversion and one SHA-256 of the
    /// blob, next to the TPM's milliseconds.
    fn sign_checked(
        &self,
        key_id: &KeyId,
        payload: &SignedPayload,
        expected_spki_der: &[u8],
    ) -> Result<Vec<u8>, DeviceKeyError> {
        let blob = self.read_blob(key_id)?;
        check_public_key(key_id, expected_spki_der, &spki_der(&blob.public)?)?;
        // Every signature is checked in software against the recorded key before it is returned
        // (a P-256 verification, small beside `TPM2_Sign`): a cached handle signs with whatever
        // object the TPM holds there, and another program on a TPM it should not share, or a
        // TPM that lost its objects unseen, could have put another key there.
        let signs_as_expected = |signature: &[u8]| {
            devicekey_proof::verify_der(expected_spki_der, payload.as_bytes(), signature).is_ok()
        };
        let signature = self.sign_blob(key_id, blob.clone(), payload)?;
        if signs_as_expected(&signature) {
            return Ok(signature);
        }
        tracing::warn!(
            %key_id,
            tcti = self.tcti.as_str(),
            "the TPM signed with another key than this key id's: another program is using this \
             TPM, which the server must have alone; loading the key again"
        );
        let deadline = Instant::now() + self.options.operation_timeout;
        self.worker.post(deadline, Tpm::forget_loaded);
        let signature = self.sign_blob(key_id, blob, payload)?;
        if signs_as_expected(&signature) {
            return Ok(signature);
        }
        Err(DeviceKeyError::new(
            DomainErrorKind::KeyIntegrityFailure,
            format!(
                "the TPM at {} signed for device key {key_id} with another key, twice: another \
                 program is using this TPM, which the server must have alone; nothing was signed",
                self.tcti
            ),
        ))
    }

    fn delete(&self, key_id: &KeyId) -> Result<bool, DeviceKeyError> {
        if key_id.protection_class() != DeviceKeyProtectionClass::HardwareTpm {
            return Ok(false);
        }
        // The TPM keeps no copy of a child key: the wrapped blob is the key. A loaded copy is
        // flushed.
        let deleted = self.blobs.delete(key_id)?;
        self.evict(key_id);
        Ok(deleted)
    }
}

/// Why an operation on the TPM failed.
#[derive(Debug)]
enum Failure {
    /// A TPM command (or the TSS below it) failed.
    Command(TpmError),
    /// The TPM answered, and what it said is this domain error.
    Refused(DeviceKeyError),
    /// The operation's final answer, this domain error: never run again (unlike a refused load,
    /// which may be the parent's fault).
    Final(DeviceKeyError),
}

impl From<TpmError> for Failure {
    fn from(error: TpmError) -> Self {
        Failure::Command(error)
    }
}

impl Failure {
    /// Whether the operation failed because the TPM no longer holds the objects the provider
    /// had loaded: it runs again after they are loaded again.
    fn is_stale(&self) -> bool {
        match self {
            Failure::Command(error) => is_stale_handle(*error),
            Failure::Refused(_) | Failure::Final(_) => false,
        }
    }
}

/// `TPM2_Load` of a key blob failed. `TPM_RC_INTEGRITY` on parameter 1 (`inPrivate`) means the
/// wrapped private part's integrity value does not check out under the parent: the blob was not
/// wrapped under the primary this TPM derives today (the TPM was cleared, so its owner seed
/// changed, or the blob comes from another TPM), or it was altered. Either way the key cannot be
/// used here again: `keyLost`.
fn load_failure(key_id: &KeyId, error: TpmError) -> Failure {
    if !is_integrity_failure_of_parameter_1(error) {
        return Failure::Command(error);
    }
    Failure::Refused(DeviceKeyError::new(
        DomainErrorKind::KeyLost,
        format!(
            "the TPM key of {key_id} no longer exists in this TPM: the TPM refuses to load its \
             blob ({error}), because the TPM was cleared since the key was created, or the key \
             was created by another TPM, or its blob was altered; the key cannot be used again: \
             delete its binding and create a new key"
        ),
    ))
}

/// Whether `error` is the TPM's own `TPM_RC_INTEGRITY + TPM_RC_P + TPM_RC_1` (the integrity
/// check of the command's first parameter failed), exactly: a code of the TPM layer (0), so
/// not one the software stack made up.
fn is_integrity_failure_of_parameter_1(error: TpmError) -> bool {
    const INTEGRITY_OF_PARAMETER_1: u32 = TPM2_RC_INTEGRITY + TPM2_RC_P + TPM2_RC_1;
    error.tpm_code() == Some(INTEGRITY_OF_PARAMETER_1)
}

/// Whether `error` is the TPM's `TPM_RC_OBJECT_MEMORY`: no slot is free for another object.
fn is_object_memory(error: TpmError) -> bool {
    error.tpm_code() == Some(TPM2_RC_OBJECT_MEMORY)
}

/// Whether `error` says a handle the command named holds no object (any more):
/// `TPM_RC_REFERENCE_H0` ... `H6` (a transient object that is not loaded), or `TPM_RC_HANDLE`
/// on a handle, not on a parameter or a session (a persistent handle with nothing there). A TPM
/// that was restarted or resumed from sleep answers this for every transient object it had.
fn is_stale_handle(error: TpmError) -> bool {
    const FORMAT_1: u32 = 0x080;
    const PARAMETER: u32 = 0x040;
    const SESSION: u32 = 0x800;
    let Some(code) = error.tpm_code() else {
        return false;
    };
    if (TPM2_RC_REFERENCE_H0..=TPM2_RC_REFERENCE_H6).contains(&code) {
        return true;
    }
    code & FORMAT_1 != 0
        && code & PARAMETER == 0
        && code & SESSION == 0
        && code & 0x3F == TPM2_RC_HANDLE & 0x3F
}

/// The deterministic storage primary every key is wrapped under: an ECC P-256 restricted
/// decryption key with AES-128-CFB, the TCG's usual ECC storage-key template with an empty
/// `unique` (what `tpm2_createprimary -G ecc256:null:aes128cfb` makes).
pub fn primary_template() -> tss_esapi::Result<Public> {
    let attributes = ObjectAttributesBuilder::new()
        .with_fixed_tpm(true)
        .with_fixed_parent(true)
        .with_sensitive_data_origin(true)
        .with_user_with_auth(true)
        .with_no_da(true)
        .with_restricted(true)
        .with_decrypt(true)
        .build()?;
    PublicBuilder::new()
        .with_public_algorithm(PublicAlgorithm::Ecc)
        .with_name_hashing_algorithm(HashingAlgorithm::Sha256)
        .with_object_attributes(attributes)
        .with_ecc_parameters(
            PublicEccParametersBuilder::new()
                .with_symmetric(SymmetricDefinitionObject::AES_128_CFB)
                .with_ecc_scheme(EccScheme::Null)
                .with_curve(EccCurve::NistP256)
                .with_key_derivation_function_scheme(KeyDerivationFunctionScheme::Null)
                .with_is_signing_key(false)
                .with_is_decryption_key(true)
                .with_restricted(true)
                .build()?,
        )
        .with_ecc_unique_identifier(EccPoint::default())
        .build()
}

/// A device key: ECC P-256, ECDSA-SHA256 only, never leaves this TPM, no decryption, not
/// restricted (it signs digests it did not compute itself).
pub fn signing_key_template() -> tss_esapi::Result<Public> {
    let attributes = ObjectAttributesBuilder::new()
        .with_fixed_tpm(true)
        .with_fixed_parent(true)
        .with_sensitive_data_origin(true)
        .with_user_with_auth(true)
        .with_sign_encrypt(true)
        .with_decrypt(false)
        .with_restricted(false)
        .build()?;
    PublicBuilder::new()
        .with_public_algorithm(PublicAlgorithm::Ecc)
        .with_name_hashing_algorithm(HashingAlgorithm::Sha256)
        .with_object_attributes(attributes)
        .with_ecc_parameters(
            PublicEccParametersBuilder::new_unrestricted_signing_key(
                EccScheme::EcDsa(HashScheme::new(HashingAlgorithm::Sha256)),
                EccCurve::NistP256,
            )
            .build()?,
        )
        .with_ecc_unique_identifier(EccPoint::default())
        .build()
}

/// The two templates, marshalled once as the `TPM2B_PUBLIC`s the commands take.
#[derive(Debug, Clone)]
struct Templates {
    primary: Vec<u8>,
    key: Vec<u8>,
}

impl Templates {
    fn new() -> Result<Templates, DeviceKeyError> {
        let marshalled = |template: tss_esapi::Result<Public>| {
            template
                .and_then(PublicBuffer::try_from)
                .and_then(|buffer| buffer.marshall())
                .map_err(|_| crypto_failure("marshalling a TPM key template"))
        };
        Ok(Templates {
            primary: marshalled(primary_template())?,
            key: marshalled(signing_key_template())?,
        })
    }
}

/// The parent of the provider's keys, as loaded in the TPM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Primary {
    /// The storage primary, derived by this connection: a transient object of its own.
    Transient(u32),
    /// The same key, made persistent at [`PERSISTENT_STORAGE_KEY`] by an administrator.
    Persistent,
}

impl Primary {
    fn handle(self) -> u32 {
        match self {
            Primary::Transient(handle) => handle,
            Primary::Persistent => PERSISTENT_STORAGE_KEY,
        }
    }
}

/// A connection to the TPM and what the provider holds in it.
///
/// Dropped as it is (a connection found broken, a panic), it flushes nothing: the TPM is not
/// answering, and the next connection starts from a TPM that dropped the objects with the old
/// connection (a resource manager), or flushes them as leftovers (no resource manager).
/// [`close`](Self::close) flushes first.
struct Connected {
    tpm: Tpm2,
    /// The TCTI string, for logs.
    tcti: String,
    templates: Templates,
    /// No resource manager: transient objects that are not the provider's own are leftovers.
    exclusive: bool,
    /// `None` until derived (or when the TPM refused it when connecting).
    primary: Option<Primary>,
    /// The primary's name, set with `primary`: the parent every key must be created under.
    primary_name: Vec<u8>,
    keys: LoadedKeys,
    /// The attestation objects (the AK, a derived EK) an attestation operation holds while it
    /// runs; empty between operations.
    attestation: Vec<u32>,
    /// How many object slots the provider's own objects may take ([`own_objects`]):
    /// [`MAX_LOADED_OBJECTS`], or what fitted when the TPM last ran out of slots.
    ///
    /// [`own_objects`]: Self::own_objects
    capacity: usize,
}

impl Connected {
    /// Opens the TCTI; without a resource manager flushes what dead processes left; derives
    /// the primary. Errors of the TCTI, or before the TPM's first answer, are the error; once
    /// the TPM answered, a refused primary is logged and left for the operations to report.
    fn open(
        tcti: &str,
        exclusive: bool,
        templates: Templates,
        deadline: Option<Instant>,
    ) -> Result<Connected, TpmError> {
        let mut tpm = Tpm2::open(tcti)?;
        tpm.set_deadline(deadline);
        Connected::over(tpm, tcti, exclusive, templates)
    }

    /// [`open`](Self::open) on a TPM reached already.
    fn over(
        tpm: Tpm2,
        tcti: &str,
        exclusive: bool,
        templates: Templates,
    ) -> Result<Connected, TpmError> {
        let mut connected = Connected {
            tpm,
            tcti: tcti.to_owned(),
            templates,
            exclusive,
            primary: None,
            primary_name: Vec::new(),
            keys: LoadedKeys::default(),
            attestation: Vec::new(),
            capacity: MAX_LOADED_OBJECTS,
        };
        if exclusive {
            connected.flush_foreign()?;
        }
        match connected.set_up_primary() {
            Ok(_) => {}
            Err(error) if error.tpm_code().is_some() => tracing::warn!(
                tcti,
                %error,
                "the TPM refused to derive the storage primary; operations will try again"
            ),
            Err(error) => return Err(error),
        }
        Ok(connected)
    }

    /// How many object slots the provider's own objects take when a key is loaded or created:
    /// its loaded keys and the parent (the derived primary, or the persistent key, which the TPM
    /// copies into a slot while a command uses it).
    fn own_objects(&self) -> usize {
        self.keys.len() + usize::from(self.primary.is_some()) + self.attestation.len()
    }

    fn is_own(&self, handle: u32) -> bool {
        self.primary == Some(Primary::Transient(handle))
            || self.keys.holds(handle)
            || self.attestation.contains(&handle)
    }

    /// `error` as the operation's error; a malformed answer that named a new object at a
    /// transient handle not the provider's own first has that object flushed (the TPM may have
    /// made it: nothing else would flush it).
    fn settle(&mut self, error: TpmError) -> TpmError {
        let TpmError::Orphan { command, handle } = error else {
            return error;
        };
        if handle >> 24 == TRANSIENT_FIRST >> 24 && !self.is_own(handle) {
            tracing::warn!(
                tcti = self.tcti.as_str(),
                "{error}; flushing the object {handle:#x} it named"
            );
            self.flush(handle);
        }
        TpmError::Malformed { command }
    }

    /// The parent's handle, deriving it first if needed.
    fn primary(&mut self) -> Result<u32, TpmError> {
        match self.primary {
            Some(primary) => Ok(primary.handle()),
            None => Ok(self.set_up_primary()?.handle()),
        }
    }

    /// Derives the storage primary (`TPM2_CreatePrimary`), and uses the persistent key at
    /// [`PERSISTENT_STORAGE_KEY`] instead when it has the same name (so it is the same key).
    fn set_up_primary(&mut self) -> Result<Primary, TpmError> {
        let template = self.templates.primary.clone();
        let persistent = match self.tpm.read_public(PERSISTENT_STORAGE_KEY) {
            Ok((_, name)) => Some(name),
            // Nothing there (`TPM_RC_HANDLE`), or nothing the TPM lets us read.
            Err(error) if error.tpm_code().is_some() => None,
            Err(error) => return Err(error),
        };
        let created = self
            .with_room(None, |tpm| tpm.create_primary(RH_OWNER, &template))
            .map_err(|error| self.settle(error))?;
        let (handle, name) = (created.handle, created.name);
        self.forget_if_reused(handle);
        let primary = match persistent {
            Some(persistent) if persistent == name => {
                self.flush(handle);
                tracing::info!(
                    tcti = self.tcti.as_str(),
                    "using the persistent storage key at {PERSISTENT_STORAGE_KEY:#x}, the \
                     provider's storage primary"
                );
                Primary::Persistent
            }
            Some(_) => {
                tracing::info!(
                    tcti = self.tcti.as_str(),
                    "the persistent key at {PERSISTENT_STORAGE_KEY:#x} is not the provider's \
                     storage primary (another template); keeping the derived primary loaded"
                );
                Primary::Transient(handle)
            }
            None => Primary::Transient(handle),
        };
        self.primary = Some(primary);
        self.primary_name = name;
        Ok(primary)
    }

    /// Runs `command`, which needs a free object slot, making room first when the provider
    /// holds as many objects as fit, and when the TPM answers `TPM_RC_OBJECT_MEMORY`: without a
    /// resource manager by flushing leftovers of other processes, else (or when there were
    /// none) by flushing the least recently used loaded key other than `keep`, after which it
    /// holds no more objects than fitted.
    fn with_room<T>(
        &mut self,
        keep: Option<&KeyId>,
        mut command: impl FnMut(&mut Tpm2) -> Result<T, TpmError>,
    ) -> Result<T, TpmError> {
        while self.own_objects() >= self.capacity && self.evict_least_recent(keep) {}
        let mut rounds = 0;
        loop {
            let error = match command(&mut self.tpm) {
                Err(error) if is_object_memory(error) => error,
                outcome => return outcome,
            };
            rounds += 1;
            if rounds > MAX_LOADED_OBJECTS + 2 {
                return Err(error);
            }
            if self.exclusive && self.flush_foreign()? > 0 {
                continue;
            }
            let fitted = self.own_objects();
            if !self.evict_least_recent(keep) {
                return Err(error);
            }
            if fitted < self.capacity {
                tracing::debug!(
                    tcti = self.tcti.as_str(),
                    fitted,
                    "the TPM has room for fewer transient objects than the provider keeps"
                );
                self.capacity = fitted.max(1);
            }
        }
    }

    /// Flushes the least recently used loaded key other than `keep`; whether there was one.
    fn evict_least_recent(&mut self, keep: Option<&KeyId>) -> bool {
        match self.keys.pop_least_recent(keep) {
            Some(handle) => {
                self.flush(handle);
                true
            }
            None => false,
        }
    }

    /// Flushes, on a TPM without a resource manager, the transient objects that are not the
    /// provider's own (left by processes that died), and logs how many; returns that number.
    fn flush_foreign(&mut self) -> Result<usize, TpmError> {
        let handles = self.tpm.transient_handles()?;
        let mut flushed = 0;
        for handle in handles {
            // One that went in between (its owner flushed it) is not counted.
            if !self.is_own(handle) && self.tpm.flush_context(handle).is_ok() {
                flushed += 1;
            }
        }
        let tcti = self.tcti.as_str();
        if flushed > 0 {
            tracing::warn!(
                tcti,
                flushed,
                "flushed transient objects left loaded in the TPM by a process that ended \
                 without flushing them (this TCTI has no resource manager, so this server \
                 counts itself the TPM's only user)"
            );
        } else {
            tracing::debug!(tcti, "no transient objects were left in the TPM");
        }
        Ok(flushed)
    }

    fn flush(&mut self, handle: u32) {
        if let Err(error) = self.tpm.flush_context(handle) {
            tracing::warn!(
                tcti = self.tcti.as_str(),
                %error,
                "flushing the transient TPM object {handle:#x} failed"
            );
        }
    }

    /// `TPM2_Create` of a new device key under the primary. The TPM's creation data names the
    /// parent the key was made under: one that is not the provider's primary (a persistent key
    /// at [`PERSISTENT_STORAGE_KEY`] replaced by another since the provider looked) would give
    /// a blob that loads under nothing the provider uses, so the parent is set up again and the
    /// key made once more (the TPM keeps nothing of the first one).
    fn create_key(&mut self) -> Result<Created, Failure> {
        let template = self.templates.key.clone();
        for attempt in 0..2 {
            let parent = self.primary()?;
            let created = self.with_room(None, |tpm| tpm.create(parent, &template))?;
            if created.parent_name == self.primary_name {
                return Ok(created);
            }
            tracing::warn!(
                tcti = self.tcti.as_str(),
                "the TPM made the key under another parent than the provider's storage primary \
                 (the persistent key at {PERSISTENT_STORAGE_KEY:#x} was replaced?); setting the \
                 parent up again"
            );
            if attempt == 0 {
                // Forgotten, not flushed: a persistent parent stays, and a transient handle that
                // holds another parent than the provider's holds nothing of its own.
                self.primary = None;
                self.set_up_primary()?;
            }
        }
        Err(Failure::Final(DeviceKeyError::new(
            DomainErrorKind::PlatformFailure,
            format!(
                "the TPM at {} makes keys under another parent than the provider's storage \
                 primary; no key was created",
                self.tcti
            ),
        )))
    }

    /// Signs `digest` with `key_id`, loaded from `blob` unless it is loaded from that blob
    /// already; the signature's `r` and `s`.
    fn sign(
        &mut self,
        key_id: &KeyId,
        blob: &KeyBlob,
        digest: &[u8; 32],
    ) -> Result<(Vec<u8>, Vec<u8>), Failure> {
        let handle = self.load(key_id, blob)?;
        Ok(self.tpm.sign_ecdsa_sha256(handle, digest)?)
    }

    /// The handle of `key_id` loaded from `blob`: the loaded one, or `TPM2_Load`.
    fn load(&mut self, key_id: &KeyId, blob: &KeyBlob) -> Result<u32, Failure> {
        match self.keys.lookup(key_id, &blob.digest) {
            Lookup::Hit(handle) => return Ok(handle),
            Lookup::Replaced(handle) => self.flush(handle),
            Lookup::Miss => {}
        }
        let parent = self.primary()?;
        let loaded = self.with_room(Some(key_id), |tpm| {
            tpm.load(parent, &blob.private_area, &blob.public_area)
        });
        let handle = match loaded {
            Ok(handle) => handle,
            Err(error) => {
                let error = self.settle(error);
                return Err(load_failure(key_id, error));
            }
        };
        self.forget_if_reused(handle);
        self.keys.insert(key_id.clone(), blob.digest, handle);
        Ok(handle)
    }

    /// The TPM just handed out `handle` for a new object: if a loaded key was remembered there,
    /// the TPM lost the provider's keys without a command failing (a restart or a resume from
    /// sleep under a persistent parent, which stays), so every remembered key is forgotten,
    /// without flushing: their handles may hold other objects now.
    fn forget_if_reused(&mut self, handle: u32) {
        if self.keys.holds(handle) {
            let forgotten = self.keys.take_all();
            tracing::warn!(
                tcti = self.tcti.as_str(),
                forgotten = forgotten.len(),
                "the TPM reused the handle of a loaded key: it lost the keys this provider loaded \
                 (restarted or resumed from sleep); loading them again as needed"
            );
        }
    }

    /// Flushes `key_id` if it is loaded.
    fn evict(&mut self, key_id: &KeyId) {
        if let Some(handle) = self.keys.remove(key_id) {
            self.flush(handle);
        }
    }

    /// After the TPM lost the objects the provider had loaded (restarted, resumed from sleep):
    /// forgets them, flushes leftovers on a TPM without a resource manager, and derives the
    /// primary again.
    fn recover(&mut self) -> Result<(), TpmError> {
        tracing::warn!(
            tcti = self.tcti.as_str(),
            "the TPM no longer holds the objects this provider loaded (it was restarted or \
             resumed from sleep): loading them again"
        );
        let mut lost = self.keys.take_all();
        lost.append(&mut self.attestation);
        if let Some(Primary::Transient(handle)) = self.primary.take() {
            lost.push(handle);
        }
        self.capacity = MAX_LOADED_OBJECTS;
        if self.exclusive {
            // Whatever is loaded now is not the provider's (any more).
            self.flush_foreign()?;
        } else {
            // Behind a resource manager only the provider's own are flushed: those that still
            // exist, if any did not go.
            for handle in lost {
                let _ = self.tpm.flush_context(handle);
            }
        }
        self.set_up_primary().map(drop)
    }

    /// Flushes everything the provider holds, then closes the connection.
    fn close(mut self) {
        let mut held = self.keys.take_all();
        held.append(&mut self.attestation);
        for handle in held {
            self.flush(handle);
        }
        if let Some(Primary::Transient(handle)) = self.primary.take() {
            self.flush(handle);
        }
    }
}

/// A key's `TPM2B_PUBLIC` and (wrapped) `TPM2B_PRIVATE`, the file format being their
/// concatenation (the same bytes `tpm2_create -u` and `-r` write).
#[derive(Clone)]
struct KeyBlob {
    /// The public area, parsed.
    public: Public,
    /// The file's `TPM2B_PUBLIC`, with its size field, as `TPM2_Load` takes it.
    public_area: Vec<u8>,
    /// The file's `TPM2B_PRIVATE`, with its size field.
    private_area: Zeroizing<Vec<u8>>,
    /// The SHA-256 of the whole file: which blob a loaded key came from.
    digest: [u8; 32],
}

impl KeyBlob {
    /// The file's bytes: `public` then `private`, each a TPM2B with its size field.
    fn join(public: &[u8], private: &[u8]) -> Zeroizing<Vec<u8>> {
        let mut bytes = Zeroizing::new(Vec::with_capacity(public.len() + private.len()));
        bytes.extend_from_slice(public);
        bytes.extend_from_slice(private);
        bytes
    }

    fn decode(bytes: &[u8]) -> Option<KeyBlob> {
        let (public_area, rest) = split_tpm2b(bytes)?;
        let (private_area, rest) = split_tpm2b(rest)?;
        if !rest.is_empty() {
            return None;
        }
        let public = Public::try_from(PublicBuffer::unmarshall(public_area).ok()?).ok()?;
        // Within the size a TPM2B_PRIVATE may have.
        Private::try_from(private_area[2..].to_vec()).ok()?;
        Some(KeyBlob {
            public,
            public_area: public_area.to_vec(),
            private_area: Zeroizing::new(private_area.to_vec()),
            digest: Sha256::digest(bytes).into(),
        })
    }
}

/// Splits a leading TPM2B (big-endian u16 size, then that many bytes, returned with the size).
fn split_tpm2b(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let size = usize::from(u16::from_be_bytes([*bytes.first()?, *bytes.get(1)?]));
    (bytes.len() >= 2 + size).then(|| bytes.split_at(2 + size))
}

/// The P-256 public key of a TPM ECC public area.
fn verifying_key(public: &Public) -> Result<p256::ecdsa::VerifyingKey, DeviceKeyError> {
    let bad = || crypto_failure("reading the P-256 point of the TPM key");
    let PublicKey::Ecc { x, y } = PublicKey::try_from(public.clone()).map_err(|_| bad())? else {
        return Err(bad());
    };
    let mut sec1 = vec![0x04];
    sec1.extend_from_slice(&left_pad_32(&x).ok_or_else(bad)?);
    sec1.extend_from_slice(&left_pad_32(&y).ok_or_else(bad)?);
    p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).map_err(|_| bad())
}

/// The SubjectPublicKeyInfo DER of a TPM ECC P-256 public area.
fn spki_der(public: &Public) -> Result<Vec<u8>, DeviceKeyError> {
    devicekey_proof::public_key_spki_der(&verifying_key(public)?)
}

/// The ECDSA signature of the TPM's `r` and `s`.
fn signature_from_scalars(r: &[u8], s: &[u8]) -> Result<p256::ecdsa::Signature, DeviceKeyError> {
    let bad = || crypto_failure("reading the TPM's ECDSA signature");
    let r = left_pad_32(r).ok_or_else(bad)?;
    let s = left_pad_32(s).ok_or_else(bad)?;
    p256::ecdsa::Signature::from_scalars(r, s).map_err(|_| bad())
}

/// A big-endian integer of at most 32 bytes as exactly 32 (TPMs may drop leading zeros).
fn left_pad_32(bytes: &[u8]) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    out.get_mut(32usize.checked_sub(bytes.len())?..)?
        .copy_from_slice(bytes);
    Some(out)
}

fn crypto_failure(what: &str) -> DeviceKeyError {
    DeviceKeyError::new(DomainErrorKind::CryptoFailure, format!("{what} failed"))
}

fn unavailable(tcti: &str, reason: impl fmt::Display) -> DeviceKeyError {
    DeviceKeyError::new(
        DomainErrorKind::HardwareUnavailable,
        format!("no TPM 2.0 answers at {tcti}: {reason}"),
    )
}

fn worker_gone(tcti: &str) -> DeviceKeyError {
    unavailable(tcti, "the TPM worker thread failed")
}

fn timed_out(tcti: &str, reason: impl fmt::Display) -> DeviceKeyError {
    DeviceKeyError::new(
        DomainErrorKind::HardwareTimeout,
        format!("the TPM at {tcti} did not answer in time: {reason}"),
    )
}

/// `20 s`, `1.5 s`.
fn seconds(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{:.1} s", duration.as_secs_f64())
    }
}

/// The worker's side of the provider: the TCTI and, while connected, the connection.
struct Tpm {
    tcti: String,
    target: Target,
    templates: Templates,
    connect_timeout: Duration,
    connected: Option<Connected>,
    /// The deadline of the job running now: every TPM command of it ends by then.
    deadline: Option<Instant>,
}

impl Drop for Tpm {
    /// A clean exit: flush what the provider holds (each flush waiting at most the connect
    /// timeout).
    fn drop(&mut self) {
        self.set_deadline(Instant::now() + self.connect_timeout);
        if let Some(connected) = self.connected.take() {
            connected.close();
        }
    }
}

impl Tpm {
    fn new(tcti: &str, target: Target, templates: Templates, connect_timeout: Duration) -> Tpm {
        Tpm {
            tcti: tcti.to_owned(),
            target,
            templates,
            connect_timeout,
            connected: None,
            deadline: None,
        }
    }

    /// Makes the commands from now on end by `deadline` (a job's).
    fn set_deadline(&mut self, deadline: Instant) {
        self.deadline = Some(deadline);
        if let Some(connected) = self.connected.as_mut() {
            connected.tpm.set_deadline(self.deadline);
        }
    }

    /// The connection, connecting first unless connected already: checks that the device
    /// opens or that something listens at a network TCTI's address (a TCP connect cannot hang
    /// longer than the connect timeout), then opens the TCTI (see [`Connected::open`]).
    fn ensure_connected(&mut self) -> Result<&mut Connected, DeviceKeyError> {
        // A connection an earlier job left waiting for an answer (a flush that timed out) cannot
        // carry another command.
        if self
            .connected
            .as_ref()
            .is_some_and(|connected| connected.tpm.is_poisoned())
        {
            self.connected = None;
        }
        if self.connected.is_none() {
            let tcti = self.tcti.as_str();
            self.target
                .check(self.connect_timeout)
                .map_err(|error| unavailable(tcti, error))?;
            let connected = Connected::open(
                tcti,
                self.target.exclusive,
                self.templates.clone(),
                self.deadline,
            )
            .map_err(|error| unavailable(tcti, error))?;
            self.connected = Some(connected);
        }
        self.connected
            .as_mut()
            .ok_or_else(|| unavailable(&self.tcti, "the connection to the TPM was lost"))
    }

    /// Runs `operation`. An operation that failed because the TPM no longer holds the objects
    /// the provider loaded runs once more after they are loaded again. Any other TPM error is
    /// checked against a liveness probe (`TPM2_GetRandom`): if the TPM still answers the error
    /// is the operation's own (`platformFailure`), else `hardwareUnavailable` and the
    /// connection is dropped, for the next operation to connect again. A command whose answer
    /// did not come by the deadline leaves the connection unusable (the answer is still due):
    /// it is dropped, and the operation fails with `hardwareTimeout`.
    fn run<T>(
        &mut self,
        what: &str,
        mut operation: impl FnMut(&mut Connected) -> Result<T, Failure>,
    ) -> Result<T, DeviceKeyError> {
        let connected = self.ensure_connected()?;
        let mut outcome = operation(connected);
        // A key that does not load under the parent is lost only if the parent is the
        // provider's: it is set up again (a persistent key replaced, or another program's
        // primary at the provider's handle, make a good blob fail the same way) and the
        // operation runs once more.
        let parent_suspect = |outcome: &Result<T, Failure>| matches!(outcome, Err(Failure::Refused(error)) if error.kind() == Some(DomainErrorKind::KeyLost));
        let retry = outcome.as_ref().is_err_and(Failure::is_stale) || parent_suspect(&outcome);
        if retry && !connected.tpm.is_poisoned() {
            outcome = match connected.recover() {
                Ok(()) => operation(connected),
                Err(error) => Err(Failure::Command(error)),
            };
        }
        if connected.tpm.is_poisoned() {
            // Dropped without flushing: the connection cannot carry another command. The next
            // operation connects again (and, without a resource manager, flushes what this one
            // left).
            tracing::warn!(
                tcti = self.tcti.as_str(),
                "the TPM did not answer by the request's deadline; closing the connection"
            );
            self.connected = None;
        }
        let error = match outcome {
            Ok(value) => return Ok(value),
            Err(Failure::Refused(error) | Failure::Final(error)) => return Err(error),
            Err(Failure::Command(error)) if error.is_timeout() => {
                return Err(timed_out(
                    &self.tcti,
                    format!("{error}; the request to {what} was given up"),
                ))
            }
            Err(Failure::Command(error)) => error,
        };
        let Some(connected) = self.connected.as_mut() else {
            return Err(unavailable(
                &self.tcti,
                format!("the connection to the TPM was lost ({error})"),
            ));
        };
        // The probe's own deadline: the operation's may have passed.
        connected
            .tpm
            .set_deadline(Some(Instant::now() + self.connect_timeout));
        if connected.tpm.get_random(1).is_ok() {
            return Err(DeviceKeyError::new(
                DomainErrorKind::PlatformFailure,
                format!("the TPM failed to {what}: {error}"),
            ));
        }
        // Dropped without flushing: the TPM does not answer.
        self.connected = None;
        Err(unavailable(
            &self.tcti,
            format!("the TPM stopped answering ({error})"),
        ))
    }

    /// Flushes `key_id` if it is loaded; connects for nothing.
    fn evict(&mut self, key_id: &KeyId) {
        if let Some(connected) = self.connected.as_mut() {
            connected.evict(key_id);
        }
    }

    /// Forgets every object the provider loaded, as after a TPM restart (see
    /// [`Connected::recover`]): the next operation loads what it needs again.
    fn forget_loaded(&mut self) {
        if let Some(connected) = self.connected.as_mut() {
            if let Err(error) = connected.recover() {
                tracing::warn!(%error, "could not reload the TPM's primary");
            }
        }
    }
}

/// An operation for the worker, with the deadline of the request it answers.
struct Job {
    deadline: Instant,
    run: Box<dyn FnOnce(&mut Tpm) + Send>,
}

/// Why a [`Worker::call`] has no answer.
enum Unanswered {
    /// The deadline passed; `started` says whether the worker had begun the job by then.
    Timeout {
        /// The worker was running the job (else it was busy with earlier ones).
        started: bool,
    },
    /// The job panicked, or the worker thread is gone.
    Gone,
}

/// The worker thread that owns the [`Tpm`] and runs jobs one at a time, in order, skipping
/// those whose deadline passed before it got to them. Dropping it closes the job channel; the
/// thread then flushes what the provider holds, closes the connection and exits. The drop waits
/// for that (at most `exit_wait`), so a TPM that serves one connection at a time (a simulator
/// behind mssim's TCTI, which holds its connection) is free again afterwards, except when the
/// last call was not answered in time: then the thread may be stuck in a TPM call that never
/// returns, and it is left behind.
struct Worker {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<thread::JoinHandle<()>>,
    /// Disconnected when the thread ends.
    finished: Mutex<mpsc::Receiver<()>>,
    exit_wait: Duration,
    /// Whether the last call gave up waiting.
    stuck: AtomicBool,
}

impl Drop for Worker {
    fn drop(&mut self) {
        drop(self.jobs.take());
        if self.stuck.load(Ordering::Relaxed) {
            return;
        }
        let finished = match self.finished.get_mut() {
            Ok(finished) => finished.recv_timeout(self.exit_wait),
            Err(_) => return,
        };
        if let Err(mpsc::RecvTimeoutError::Disconnected) = finished {
            if let Some(thread) = self.thread.take() {
                let _ = thread.join();
            }
        }
    }
}

impl Worker {
    fn start(mut tpm: Tpm, exit_wait: Duration) -> Result<Worker, DeviceKeyError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let (finishing, finished) = mpsc::channel::<()>();
        let thread = thread::Builder::new()
            .name("devicekey-tpm".to_owned())
            .spawn(move || {
                while let Ok(job) = queue.recv() {
                    // Its caller has given up: running it would only delay the next ones.
                    if Instant::now() >= job.deadline {
                        continue;
                    }
                    tpm.set_deadline(job.deadline);
                    let run = job.run;
                    if panic::catch_unwind(AssertUnwindSafe(|| run(&mut tpm))).is_err() {
                        // Start the next job from a fresh connection.
                        tpm.connected = None;
                    }
                }
                // Flushes what the provider holds, closes the connection.
                drop(tpm);
                drop(finishing);
            })
            .map_err(|error| {
                DeviceKeyError::new(
                    DomainErrorKind::PlatformFailure,
                    format!("could not start the TPM worker thread: {error}"),
                )
            })?;
        Ok(Worker {
            jobs: Some(jobs),
            thread: Some(thread),
            finished: Mutex::new(finished),
            exit_wait,
            stuck: AtomicBool::new(false),
        })
    }

    /// Queues `job` without waiting for it.
    fn post(&self, deadline: Instant, job: impl FnOnce(&mut Tpm) + Send + 'static) {
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(Job {
                deadline,
                run: Box::new(job),
            });
        }
    }

    /// Queues `job` and waits for its result until `deadline`. The wait blocks on the answer
    /// channel, so any number of callers wait without spinning, each until its own deadline.
    fn call<T: Send + 'static>(
        &self,
        deadline: Instant,
        job: impl FnOnce(&mut Tpm) -> T + Send + 'static,
    ) -> Result<T, Unanswered> {
        let (reply, answer) = mpsc::sync_channel(1);
        let started = Arc::new(AtomicBool::new(false));
        let running = Arc::clone(&started);
        let job = Job {
            deadline,
            run: Box::new(move |tpm| {
                running.store(true, Ordering::Relaxed);
                let _ = reply.send(job(tpm));
            }),
        };
        self.jobs
            .as_ref()
            .and_then(|jobs| jobs.send(job).ok())
            .ok_or(Unanswered::Gone)?;
        let outcome = answer.recv_timeout(deadline.saturating_duration_since(Instant::now()));
        match outcome {
            Ok(value) => {
                self.stuck.store(false, Ordering::Relaxed);
                Ok(value)
            }
            // Disconnected before the deadline: the job panicked. After it: the worker skipped
            // the job because its deadline had passed.
            Err(mpsc::RecvTimeoutError::Disconnected) if Instant::now() < deadline => {
                Err(Unanswered::Gone)
            }
            Err(_) => {
                self.stuck.store(true, Ordering::Relaxed);
                Err(Unanswered::Timeout {
                    started: started.load(Ordering::Relaxed),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_scalars_are_left_padded_and_long_ones_refused() {
        let padded = left_pad_32(&[1, 2]).unwrap();
        assert_eq!(&padded[..30], &[0u8; 30]);
        assert_eq!(&padded[30..], &[1, 2]);
        assert!(left_pad_32(&[0u8; 33]).is_none());
        assert!(signature_from_scalars(&[0u8; 33], &[1]).is_err());
    }

    #[test]
    fn tpm2b_splitting_checks_lengths() {
        assert_eq!(
            split_tpm2b(&[0, 1, 9, 7]),
            Some((&[0u8, 1, 9][..], &[7u8][..]))
        );
        assert_eq!(split_tpm2b(&[0, 3, 9]), None);
        assert_eq!(split_tpm2b(&[0]), None);
        assert!(KeyBlob::decode(&[0, 0, 0, 0]).is_none());
    }

    #[test]
    fn templates_build_and_marshal() {
        let templates = Templates::new().unwrap();
        for template in [templates.primary, templates.key] {
            assert_eq!(
                usize::from(u16::from_be_bytes([template[0], template[1]])),
                template.len() - 2
            );
        }
    }

    #[test]
    fn unknown_tctis_and_missing_devices_are_hardware_unavailable() {
        let dir = tempfile::tempdir().unwrap();
        let error = TpmProvider::open("bogus:x", dir.path()).err().unwrap();
        assert_eq!(error.kind(), Some(DomainErrorKind::HardwareUnavailable));
        let error = TpmProvider::open("device:/nonexistent/tpm", dir.path())
            .err()
            .unwrap();
        assert_eq!(error.kind(), Some(DomainErrorKind::HardwareUnavailable));
        assert!(error.message().contains("/nonexistent/tpm"), "{error}");
        let error = TpmProvider::open("pcap:device:/nonexistent/tpm", dir.path())
            .err()
            .unwrap();
        assert!(error.message().contains("/nonexistent/tpm"), "{error}");
    }

    #[test]
    fn only_an_integrity_failure_of_the_private_part_is_a_lost_key() {
        let code = TpmError::Code;
        // TPM_RC_INTEGRITY + TPM_RC_P + TPM_RC_1: "integrity check failed (associated with
        // parameter number 1)", what TPM2_Load answers after TPM2_Clear.
        assert!(is_integrity_failure_of_parameter_1(code(0x1DF)));
        assert!(code(0x1DF).to_string().contains("parameter number 1"));
        // The same on parameter 2, or on handle 1; another format-one code; the object memory
        // warning; an ESAPI-layer code; the integrity code from another layer.
        for other in [0x2DF, 0x19F, 0x1D5, 0x902, 0x7000C, 0xB01DF] {
            assert!(
                !is_integrity_failure_of_parameter_1(code(other)),
                "{other:#x}"
            );
        }
        let key_id = crate::crypto::generate_key_id(DeviceKeyProtectionClass::HardwareTpm).unwrap();
        let Failure::Refused(error) = load_failure(&key_id, code(0x1DF)) else {
            panic!("not a lost key");
        };
        assert_eq!(error.kind(), Some(DomainErrorKind::KeyLost));
        assert!(error.message().contains(key_id.as_str()), "{error}");
        assert!(matches!(
            load_failure(&key_id, code(0x902)),
            Failure::Command(_)
        ));
        // TPM_RC_OBJECT_MEMORY, "out of memory for object contexts", is what full slots give.
        assert!(is_object_memory(code(0x902)));
        assert!(!is_object_memory(code(0x1DF)));
    }

    #[test]
    fn handles_the_tpm_no_longer_has_are_stale_and_nothing_else() {
        let code = TpmError::Code;
        // TPM_RC_REFERENCE_H0 (a transient object that is not loaded) ... H6; TPM_RC_HANDLE on
        // handle 1 (0x18B: a persistent handle with nothing there) and 2.
        for stale in [0x910, 0x911, 0x916, 0x18B, 0x28B] {
            assert!(is_stale_handle(code(stale)), "{stale:#x}");
            assert!(Failure::Command(code(stale)).is_stale());
        }
        // TPM_RC_HANDLE on a parameter (0x1CB) or a session (0x98B); REFERENCE_S0 (0x918);
        // object memory; integrity; the same codes from the TCTI layer.
        for other in [0x1CB, 0x98B, 0x918, 0x902, 0x1DF, 0xA018B, 0xA0910] {
            assert!(!is_stale_handle(code(other)), "{other:#x}");
        }
        assert!(!is_stale_handle(TpmError::Malformed {
            command: commands::cc::SIGN
        }));
        assert!(!Failure::Refused(crypto_failure("x")).is_stale());
    }

    #[test]
    fn durations_read_as_seconds() {
        assert_eq!(seconds(Duration::from_secs(20)), "20 s");
        assert_eq!(seconds(Duration::from_millis(1500)), "1.5 s");
    }

    /// A session answer: the handles, `parameterSize`, the parameters.
    pub(super) fn session_answer(handles: &[u8], parameters: &[u8]) -> Vec<u8> {
        let mut body = handles.to_vec();
        body.extend_from_slice(&(parameters.len() as u32).to_be_bytes());
        body.extend_from_slice(parameters);
        body
    }

    /// A connection (behind a resource manager: no leftovers to look for) over a scripted TPM
    /// that derived the primary at `0x80000000`.
    pub(super) fn scripted_connection() -> (commands::scripted::Scripted, Connected) {
        let tpm = commands::scripted::Scripted::default();
        // TPM2_ReadPublic of the persistent handle: nothing there.
        tpm.answer(0x8001, 0x18B, &[]);
        // TPM2_CreatePrimary: outPublic, creationData, creationHash, the ticket, the name.
        let mut parameters = vec![0, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0x80, 0x21];
        parameters.extend_from_slice(&[0x40, 0, 0, 1, 0, 0, 0, 4, 0, 0x0B, 1, 2]);
        tpm.answer(0x8002, 0, &session_answer(&[0x80, 0, 0, 0], &parameters));
        let connected = Connected::over(
            Tpm2::over(Box::new(tpm.clone())),
            "scripted",
            false,
            Templates::new().unwrap(),
        )
        .unwrap();
        assert_eq!(connected.primary, Some(Primary::Transient(0x8000_0000)));
        (tpm, connected)
    }

    #[test]
    fn an_object_a_malformed_load_answer_names_is_flushed_unless_it_is_the_providers() {
        let templates = Templates::new().unwrap();
        let mut file = templates.key.clone();
        file.extend_from_slice(&[0, 4, 1, 2, 3, 4]);
        let blob = KeyBlob::decode(&file).unwrap();
        let key_id = crate::crypto::generate_key_id(DeviceKeyProtectionClass::HardwareTpm).unwrap();
        for (handle, flushed) in [
            (0x8000_0001u32, true),
            // The primary's own handle, and a persistent one: nothing the TPM just made.
            (0x8000_0000, false),
            (0x8100_0001, false),
        ] {
            let (tpm, mut connected) = scripted_connection();
            // TPM2_Load: the new object's handle, then a name cut short.
            tpm.answer(
                0x8002,
                0,
                &session_answer(&handle.to_be_bytes(), &[0, 34, 0, 0x0B]),
            );
            tpm.answer(0x8001, 0, &[]);
            let outcome = connected.load(&key_id, &blob);
            assert!(
                matches!(
                    outcome,
                    Err(Failure::Command(TpmError::Malformed {
                        command: commands::cc::LOAD
                    }))
                ),
                "{outcome:?}"
            );
            let sent: Vec<u32> = tpm
                .sent()
                .iter()
                .map(commands::scripted::Sent::code)
                .collect();
            let mut expected = vec![
                commands::cc::READ_PUBLIC,
                commands::cc::CREATE_PRIMARY,
                commands::cc::LOAD,
            ];
            if flushed {
                expected.push(commands::cc::FLUSH_CONTEXT);
                let flush = &tpm.sent()[3].bytes;
                assert_eq!(flush[10..14], handle.to_be_bytes());
            }
            assert_eq!(sent, expected, "{handle:#x}");
            assert_eq!(connected.keys.len(), 0);
        }
    }

    /// A `TPM2_Create` answer whose creation data names the parent `parent_name`.
    fn created_under(parent_name: &[u8]) -> Vec<u8> {
        let mut creation_data = vec![0, 0, 0, 0, 0, 0, 0, 0, 0x0B];
        creation_data.extend_from_slice(&(parent_name.len() as u16).to_be_bytes());
        creation_data.extend_from_slice(parent_name);
        creation_data.extend_from_slice(&[0, 0, 0, 0]);
        let mut parameters = vec![0, 2, 0xAA, 0xBB, 0, 2, 0xCC, 0xDD];
        parameters.extend_from_slice(&(creation_data.len() as u16).to_be_bytes());
        parameters.extend_from_slice(&creation_data);
        session_answer(&[], &parameters)
    }

    #[test]
    fn a_key_made_under_another_parent_is_made_again_under_the_providers() {
        let primary_name = [0, 0x0B, 1, 2];
        let (tpm, mut connected) = scripted_connection();
        assert_eq!(connected.primary_name, primary_name);
        // Under another parent, then (the parent set up again: nothing persistent, the same
        // primary derived) under the provider's.
        tpm.answer(0x8002, 0, &created_under(&[0, 0x0B, 9, 9]));
        tpm.answer(0x8001, 0x18B, &[]);
        let mut parameters = vec![0, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0x80, 0x21];
        parameters.extend_from_slice(&[0x40, 0, 0, 1, 0, 0, 0, 4, 0, 0x0B, 1, 2]);
        tpm.answer(0x8002, 0, &session_answer(&[0x80, 0, 0, 3], &parameters));
        tpm.answer(0x8002, 0, &created_under(&primary_name));
        let Ok(created) = connected.create_key() else {
            panic!("no key");
        };
        assert_eq!(created.public, [0, 2, 0xCC, 0xDD]);
        assert_eq!(connected.primary, Some(Primary::Transient(0x8000_0003)));
        let codes: Vec<u32> = tpm
            .sent()
            .iter()
            .map(commands::scripted::Sent::code)
            .collect();
        assert_eq!(
            codes[2..],
            [
                commands::cc::CREATE,
                commands::cc::READ_PUBLIC,
                commands::cc::CREATE_PRIMARY,
                commands::cc::CREATE
            ]
        );

        // Under another parent twice: no key.
        let (tpm, mut connected) = scripted_connection();
        tpm.answer(0x8002, 0, &created_under(&[0, 0x0B, 9, 9]));
        tpm.answer(0x8001, 0x18B, &[]);
        tpm.answer(0x8002, 0, &session_answer(&[0x80, 0, 0, 3], &parameters));
        tpm.answer(0x8002, 0, &created_under(&[0, 0x0B, 9, 9]));
        let Err(Failure::Final(error)) = connected.create_key() else {
            panic!("a key under another parent");
        };
        assert_eq!(error.kind(), Some(DomainErrorKind::PlatformFailure));
        assert!(
            error
                .message()
                .contains("another parent than the provider's storage primary"),
            "{error}"
        );
    }
}
