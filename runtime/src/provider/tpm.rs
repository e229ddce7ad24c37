//! The Linux TPM 2.0 provider: ECC P-256 signing keys created inside a TPM (tss-esapi), class
//! `hardware_tpm`.
//!
//! Each key is a child of the owner hierarchy's storage primary key. The primary is never stored:
//! it is derived again, for every operation, from the owner seed and [`primary_template`] (a TPM
//! derives the same primary from the same seed and template), and flushed afterwards. So the
//! provider needs no persistent handle to provision or clean up, and a key survives TPM restarts
//! for as long as the owner seed does (it changes only on `TPM2_Clear`; after that, or with a
//! blob from another TPM, the TPM refuses to load the blob and the key is `keyLost`).
//!
//! A process that dies in the middle of an operation (`kill -9`) cannot flush the transient
//! objects it had loaded. Behind a resource manager (`device:/dev/tpmrm0`, `tabrmd:`) the
//! manager flushes them when the connection closes. Without one (`swtpm:`, `mssim:`,
//! `device:/dev/tpm0`) they stay loaded and fill the TPM's few object slots (swtpm has three), so
//! the provider counts itself the TPM's only user, as tpm2-tools does there: each time it
//! connects (at [`TpmProvider::open`] and on every reconnection) it flushes every transient
//! object loaded in the TPM, and logs how many; and an operation that finds the slots full
//! (`TPM_RC_OBJECT_MEMORY`) flushes them and runs once more, since between two operations none
//! of the objects loaded are its own. Behind a resource manager it flushes nothing: what the TPM
//! holds then belongs to other processes. (The provider starts no TPM sessions, so it leaves none
//! behind and touches none.)
//!
//! What lives on disk, per key id, in the key directory: the key's `TPM2B_PUBLIC` followed by its
//! `TPM2B_PRIVATE`, the private part wrapped (encrypted and integrity-protected) by the primary,
//! so only this TPM can load it. The files are written through [`FileSecretStore`] (mode 0600,
//! temp + fsync + rename). The key's attributes (`fixedTPM | fixedParent | sensitiveDataOrigin |
//! userWithAuth | sign`) make the TPM refuse to export or duplicate it.
//!
//! Signing hashes the signed bytes once (SHA-256) and hands the digest to `TPM2_Sign` with the
//! ECDSA-SHA256 scheme and a null-hierarchy hash-check ticket; the TPM's `(r, s)` becomes a DER
//! signature.
//!
//! One worker thread owns the ESAPI context and its connection, and runs operations one at a
//! time, in the order they were asked for. Each operation has a deadline, fixed when it is asked
//! for ([`TpmOptions::operation_timeout`], [`COMMAND_TIMEOUT`] by default), that covers its wait
//! behind the operations before it as well as its own TPM commands: a TPM that stops answering
//! makes every waiting operation fail at its own deadline with `hardwareTimeout`, and the worker
//! skips operations whose deadline has passed when it gets to them, so a TPM that answers again
//! serves fresh requests at once. A lost connection (the TPM went away) gives
//! `hardwareUnavailable`, and the next operation connects again. The ESAPI context stays open
//! while the provider lives. The kernel lets one process at a time open `/dev/tpm0`; swtpm's
//! TCTI opens a TCP connection for every command, so another client's commands can run between
//! the provider's (and a swtpm restart goes unnoticed), which is why nothing else may use a TPM
//! without a resource manager while the provider does.

use std::fmt;
use std::io;
use std::net::{TcpStream, ToSocketAddrs as _};
use std::ops::{Deref, DerefMut};
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::str::FromStr as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};
use tss_esapi::attributes::ObjectAttributesBuilder;
use tss_esapi::constants::response_code::Tss2ResponseCode;
use tss_esapi::constants::tss::{
    TPM2_RC_1, TPM2_RC_INTEGRITY, TPM2_RC_OBJECT_MEMORY, TPM2_RC_P, TPM2_RH_NULL,
    TPM2_ST_HASHCHECK, TPM2_TRANSIENT_FIRST,
};
use tss_esapi::constants::CapabilityType;
use tss_esapi::handles::{KeyHandle, ObjectHandle, TpmHandle};
use tss_esapi::interface_types::algorithm::{HashingAlgorithm, PublicAlgorithm};
use tss_esapi::interface_types::ecc::EccCurve;
use tss_esapi::interface_types::resource_handles::Hierarchy;
use tss_esapi::interface_types::session_handles::AuthSession;
use tss_esapi::structures::{
    CapabilityData, Digest, EccPoint, EccScheme, HandleList, HashScheme, HashcheckTicket,
    KeyDerivationFunctionScheme, Private, Public, PublicBuffer, PublicBuilder,
    PublicEccParametersBuilder, Signature, SignatureScheme, SymmetricDefinitionObject,
};
use tss_esapi::tcti_ldr::TctiNameConf;
use tss_esapi::traits::{Marshall as _, UnMarshall as _};
use tss_esapi::tss2_esys::TPMT_TK_HASHCHECK;
use tss_esapi::utils::PublicKey;
use tss_esapi::Context;
use zeroize::Zeroizing;

use crate::provider::{check_public_key, not_found, KeyProvider, ProviderKey};
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
/// leaves room for a long queue.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(20);

const CLASSES: &[DeviceKeyProtectionClass] = &[DeviceKeyProtectionClass::HardwareTpm];

/// How long a [`TpmProvider`] waits for its TPM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TpmOptions {
    /// How long [`TpmProvider::open_with`] waits for the TPM's first answer, and the most a
    /// reconnection's TCP connect may take.
    pub connect_timeout: Duration,
    /// Each operation's deadline, counted from when it is asked for: its wait behind earlier
    /// operations and its own TPM commands (a reconnection included) must fit in it, else it
    /// fails with `hardwareTimeout`.
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
    /// Connects to the TPM at `tcti` (`device:/dev/tpmrm0`, `swtpm:host=127.0.0.1,port=2321`,
    /// ...) and keeps wrapped key blobs in `key_dir` (created with mode 0700 if needed, once the
    /// TPM has answered), with the default [`TpmOptions`].
    ///
    /// Fails within about [`CONNECT_TIMEOUT`] with `hardwareUnavailable` when no TPM answers
    /// there. It sends the TPM one harmless command (`TPM2_GetRandom`) and creates nothing in
    /// it, so it also serves to probe for a TPM; on a TCTI without a resource manager it also
    /// flushes the transient objects a dead process left loaded (see the module docs).
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
        let name_conf = TctiNameConf::from_str(tcti).map_err(|_| {
            unavailable(
                tcti,
                "not a TCTI this build understands (device:<path>, swtpm:host=<h>,port=<p>, \
                 mssim:..., tabrmd:...)",
            )
        })?;
        let worker = Worker::start(Tpm::new(tcti, name_conf, options.connect_timeout))?;
        let deadline = Instant::now() + options.connect_timeout;
        match worker.call(deadline, |tpm| tpm.ensure_connected()) {
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
        operation: impl FnMut(&mut Context) -> Result<T, Failure> + Send + 'static,
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

    fn read_blob(&self, key_id: &KeyId) -> Result<KeyBlob, DeviceKeyError> {
        if key_id.protection_class() != DeviceKeyProtectionClass::HardwareTpm {
            return Err(not_found(key_id));
        }
        let bytes = self.blobs.get(key_id)?.ok_or_else(|| not_found(key_id))?;
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
        let (public, private) = self.run("create a key", |context| {
            let primary_handle = create_primary(context)?;
            let mut primary = Transient::new(context, primary_handle.into());
            let created = primary.create(
                primary_handle,
                signing_key_template()?,
                None,
                None,
                None,
                None,
            )?;
            Ok((created.out_public, created.out_private))
        })?;
        let public_key_spki_der = spki_der(&public)?;
        let blob = KeyBlob { public, private }.encode()?;
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

    fn remove_leftovers(&self) -> Result<usize, DeviceKeyError> {
        self.blobs.remove_leftovers()
    }

    fn public_key(&self, key_id: &KeyId) -> Result<Vec<u8>, DeviceKeyError> {
        spki_der(&self.read_blob(key_id)?.public)
    }

    fn sign(&self, key_id: &KeyId, payload: &SignedPayload) -> Result<Vec<u8>, DeviceKeyError> {
        self.sign_blob(key_id, self.read_blob(key_id)?, payload)
    }

    /// One read of the blob: its public area is what the TPM loads (the wrapped private part's
    /// integrity value covers the public area's name, so a blob whose halves do not belong
    /// together does not load), so comparing it with the recorded key before loading checks
    /// the key that signs. The cost is one point conversion, next to the TPM's milliseconds.
    fn sign_checked(
        &self,
        key_id: &KeyId,
        payload: &SignedPayload,
        expected_spki_der: &[u8],
    ) -> Result<Vec<u8>, DeviceKeyError> {
        let blob = self.read_blob(key_id)?;
        check_public_key(key_id, expected_spki_der, &spki_der(&blob.public)?)?;
        self.sign_blob(key_id, blob, payload)
    }

    fn delete(&self, key_id: &KeyId) -> Result<bool, DeviceKeyError> {
        if key_id.protection_class() != DeviceKeyProtectionClass::HardwareTpm {
            return Ok(false);
        }
        // The TPM keeps no copy of a child key: the wrapped blob is the key.
        self.blobs.delete(key_id)
    }
}

impl TpmProvider {
    fn sign_blob(
        &self,
        key_id: &KeyId,
        KeyBlob { public, private }: KeyBlob,
        payload: &SignedPayload,
    ) -> Result<Vec<u8>, DeviceKeyError> {
        let digest = Digest::try_from(Sha256::digest(payload.as_bytes()).to_vec())
            .map_err(|_| crypto_failure("building the TPM digest"))?;
        let key_id = key_id.clone();
        // Cloned for each run: an operation runs again after a flush of leftovers.
        let signature = self.run("sign", move |context| {
            let primary_handle = create_primary(context)?;
            let mut primary = Transient::new(context, primary_handle.into());
            let key_handle = primary
                .load(primary_handle, private.clone(), public.clone())
                .map_err(|error| load_failure(&key_id, error))?;
            let mut key = Transient::new(&mut primary, key_handle.into());
            Ok(key.sign(
                key_handle,
                digest.clone(),
                SignatureScheme::EcDsa {
                    hash_scheme: HashScheme::new(HashingAlgorithm::Sha256),
                },
                null_hashcheck_ticket()?,
            )?)
        })?;
        signature_der(&signature)
    }
}

/// Why an operation on the TPM failed.
enum Failure {
    /// A TPM command (or the stack below it) failed.
    Command(tss_esapi::Error),
    /// The TPM answered, and what it said is this domain error.
    Refused(DeviceKeyError),
}

impl From<tss_esapi::Error> for Failure {
    fn from(error: tss_esapi::Error) -> Self {
        Failure::Command(error)
    }
}

/// `TPM2_Load` of a key blob failed. `TPM_RC_INTEGRITY` on parameter 1 (`inPrivate`) means the
/// wrapped private part's integrity value does not check out under the parent: the blob was not
/// wrapped under the primary this TPM derives today (the TPM was cleared, so its owner seed
/// changed, or the blob comes from another TPM), or it was altered. Either way the key cannot be
/// used here again: `keyLost`.
fn load_failure(key_id: &KeyId, error: tss_esapi::Error) -> Failure {
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
fn is_integrity_failure_of_parameter_1(error: tss_esapi::Error) -> bool {
    const INTEGRITY_OF_PARAMETER_1: u32 = TPM2_RC_INTEGRITY + TPM2_RC_P + TPM2_RC_1;
    error == tss_esapi::Error::Tss2Error(Tss2ResponseCode::from(INTEGRITY_OF_PARAMETER_1))
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

fn create_primary(context: &mut Context) -> tss_esapi::Result<KeyHandle> {
    Ok(context
        .create_primary(
            Hierarchy::Owner,
            primary_template()?,
            None,
            None,
            None,
            None,
        )?
        .key_handle)
}

/// "This digest was not computed by the TPM": the ticket an unrestricted key signs with.
fn null_hashcheck_ticket() -> tss_esapi::Result<HashcheckTicket> {
    HashcheckTicket::try_from(TPMT_TK_HASHCHECK {
        tag: TPM2_ST_HASHCHECK,
        hierarchy: TPM2_RH_NULL,
        digest: Default::default(),
    })
}

/// A transient TPM object, flushed when this guard drops, whatever path the code takes.
/// Derefs to the context so nested guards (a key under its primary) flush innermost first.
struct Transient<'a> {
    context: &'a mut Context,
    handle: ObjectHandle,
}

impl<'a> Transient<'a> {
    fn new(context: &'a mut Context, handle: ObjectHandle) -> Self {
        Transient { context, handle }
    }
}

impl Deref for Transient<'_> {
    type Target = Context;

    fn deref(&self) -> &Context {
        self.context
    }
}

impl DerefMut for Transient<'_> {
    fn deref_mut(&mut self) -> &mut Context {
        self.context
    }
}

impl Drop for Transient<'_> {
    fn drop(&mut self) {
        // A failed flush means the connection is gone; a new connection starts from a TPM
        // that dropped the object with the old one, or from a restarted TPM.
        if let Err(error) = self.context.flush_context(self.handle) {
            tracing::warn!("flushing a transient TPM object failed: {error}");
        }
    }
}

/// A key's `TPM2B_PUBLIC` and (wrapped) `TPM2B_PRIVATE`, the file format being their
/// concatenation (the same bytes `tpm2_create -u` and `-r` write).
struct KeyBlob {
    public: Public,
    private: Private,
}

impl KeyBlob {
    fn encode(&self) -> Result<Zeroizing<Vec<u8>>, DeviceKeyError> {
        let public = PublicBuffer::try_from(self.public.clone())
            .and_then(|buffer| buffer.marshall())
            .map_err(|_| crypto_failure("encoding the TPM public area"))?;
        let private = self.private.value();
        let private_len = u16::try_from(private.len())
            .map_err(|_| crypto_failure("encoding the TPM private area"))?;
        let mut bytes = Zeroizing::new(Vec::with_capacity(public.len() + 2 + private.len()));
        bytes.extend_from_slice(&public);
        bytes.extend_from_slice(&private_len.to_be_bytes());
        bytes.extend_from_slice(private);
        Ok(bytes)
    }

    fn decode(bytes: &[u8]) -> Option<KeyBlob> {
        let (public, rest) = split_tpm2b(bytes)?;
        let (private, rest) = split_tpm2b(rest)?;
        if !rest.is_empty() {
            return None;
        }
        let public = PublicBuffer::unmarshall(public).ok()?;
        let private = Private::try_from(private[2..].to_vec()).ok()?;
        Some(KeyBlob {
            public: Public::try_from(public).ok()?,
            private,
        })
    }
}

/// Splits a leading TPM2B (big-endian u16 size, then that many bytes, returned with the size).
fn split_tpm2b(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let size = usize::from(u16::from_be_bytes([*bytes.first()?, *bytes.get(1)?]));
    (bytes.len() >= 2 + size).then(|| bytes.split_at(2 + size))
}

/// The SubjectPublicKeyInfo DER of a TPM ECC P-256 public area.
fn spki_der(public: &Public) -> Result<Vec<u8>, DeviceKeyError> {
    let bad = || crypto_failure("reading the P-256 point of the TPM key");
    let PublicKey::Ecc { x, y } = PublicKey::try_from(public.clone()).map_err(|_| bad())? else {
        return Err(bad());
    };
    let mut sec1 = vec![0x04];
    sec1.extend_from_slice(&left_pad_32(&x).ok_or_else(bad)?);
    sec1.extend_from_slice(&left_pad_32(&y).ok_or_else(bad)?);
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).map_err(|_| bad())?;
    devicekey_proof::public_key_spki_der(&key)
}

/// The DER encoding of a TPM ECDSA signature.
fn signature_der(signature: &Signature) -> Result<Vec<u8>, DeviceKeyError> {
    let bad = || crypto_failure("reading the TPM's ECDSA signature");
    let Signature::EcDsa(signature) = signature else {
        return Err(bad());
    };
    let r = left_pad_32(signature.signature_r().value()).ok_or_else(bad)?;
    let s = left_pad_32(signature.signature_s().value()).ok_or_else(bad)?;
    let signature = p256::ecdsa::Signature::from_scalars(r, s).map_err(|_| bad())?;
    Ok(signature.to_der().as_bytes().to_vec())
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

/// `20 s`, `1.5 s`.
fn seconds(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{:.1} s", duration.as_secs_f64())
    }
}

/// The device a `device:` TCTI names (libtss2's default, `/dev/tpm0`, when it names none).
fn device_path(tcti: &str) -> &str {
    match tcti.strip_prefix("device:") {
        Some(path) if !path.is_empty() => path,
        _ => "/dev/tpm0",
    }
}

/// Whether the TPM is reached through a resource manager, which flushes a client's transient
/// objects when its connection closes: the kernel's (`/dev/tpmrmN`) or tabrmd. swtpm, mssim and
/// the raw device (`/dev/tpmN`, which the kernel lets one process open at a time) have none. A
/// TCTI this code does not know counts as having one, so that nothing is flushed on a guess.
fn has_resource_manager(name_conf: &TctiNameConf, tcti: &str) -> bool {
    match name_conf {
        TctiNameConf::Swtpm(_) | TctiNameConf::Mssim(_) => false,
        TctiNameConf::Device(_) => {
            let path = Path::new(device_path(tcti));
            let resolved = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
            resolved
                .file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with("tpmrm"))
        }
        _ => true,
    }
}

/// The most `TPM2_GetCapability` rounds [`flush_transient_objects`] makes: a TPM has a handful
/// of object slots, so one round lists them all.
const FLUSH_ROUNDS: usize = 4;

/// Flushes every transient object loaded in the TPM; returns how many there were.
fn flush_transient_objects(context: &mut Context) -> tss_esapi::Result<usize> {
    let mut flushed = 0;
    for _ in 0..FLUSH_ROUNDS {
        let (data, _more) = context.get_capability(
            CapabilityType::Handles,
            TPM2_TRANSIENT_FIRST,
            u32::try_from(HandleList::MAX_SIZE).unwrap_or(u32::MAX),
        )?;
        let CapabilityData::Handles(handles) = data else {
            return Err(tss_esapi::Error::WrapperError(
                tss_esapi::WrapperErrorKind::WrongValueFromTpm,
            ));
        };
        let transient: Vec<TpmHandle> = handles
            .into_inner()
            .into_iter()
            .filter(|handle| matches!(handle, TpmHandle::Transient(_)))
            .collect();
        if transient.is_empty() {
            break;
        }
        for handle in transient {
            let object = context.tr_from_tpm_public(handle)?;
            context.flush_context(object)?;
            flushed += 1;
        }
    }
    Ok(flushed)
}

/// Flushes, on a TPM this provider counts itself the only user of, the transient objects that
/// are loaded while no operation of ours runs, and logs how many; returns that number.
fn flush_leftovers(context: &mut Context, tcti: &str) -> usize {
    match context.execute_without_session(flush_transient_objects) {
        Ok(0) => {
            tracing::debug!(tcti, "no transient objects were left in the TPM");
            0
        }
        Ok(flushed) => {
            tracing::warn!(
                tcti,
                flushed,
                "flushed transient objects left loaded in the TPM by a process that ended \
                 without flushing them (this TCTI has no resource manager, so this server \
                 counts itself the TPM's only user)"
            );
            flushed
        }
        // The operations may still find room; if not, their errors say so.
        Err(error) => {
            tracing::warn!(
                tcti,
                %error,
                "could not flush the transient objects left in the TPM"
            );
            0
        }
    }
}

/// Whether `error` is the TPM's `TPM_RC_OBJECT_MEMORY`: no slot is free for another object.
fn is_object_memory(error: tss_esapi::Error) -> bool {
    error == tss_esapi::Error::Tss2Error(Tss2ResponseCode::from(TPM2_RC_OBJECT_MEMORY))
}

/// The worker's side of the provider: the TCTI and, while connected, the ESAPI context.
struct Tpm {
    tcti: String,
    name_conf: TctiNameConf,
    connect_timeout: Duration,
    /// No resource manager: transient objects loaded when no operation of ours runs were left
    /// by a dead process, and are flushed.
    exclusive: bool,
    context: Option<Context>,
}

impl Tpm {
    fn new(tcti: &str, name_conf: TctiNameConf, connect_timeout: Duration) -> Tpm {
        Tpm {
            tcti: tcti.to_owned(),
            exclusive: !has_resource_manager(&name_conf, tcti),
            name_conf,
            connect_timeout,
            context: None,
        }
    }

    /// Connects, unless connected already.
    fn ensure_connected(&mut self) -> Result<(), DeviceKeyError> {
        if self.context.is_none() {
            self.context = Some(self.connect()?);
        }
        Ok(())
    }

    /// Checks that the device opens or that something listens at a network TCTI's address (a
    /// TCP connect cannot hang longer than the connect timeout), opens the ESAPI context, waits
    /// for a first answer (`TPM2_GetRandom`) and, without a resource manager, flushes what a
    /// dead process left loaded.
    fn connect(&self) -> Result<Context, DeviceKeyError> {
        let tcti = self.tcti.as_str();
        match &self.name_conf {
            TctiNameConf::Device(_) => {
                let path = device_path(tcti);
                std::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open(path)
                    .map_err(|error| unavailable(tcti, format!("cannot open {path}: {error}")))?;
            }
            TctiNameConf::Swtpm(_) | TctiNameConf::Mssim(_) => {
                probe_tcp(tcti, self.connect_timeout).map_err(|error| unavailable(tcti, error))?;
            }
            _ => {}
        }
        let mut context =
            Context::new(self.name_conf.clone()).map_err(|error| unavailable(tcti, error))?;
        context
            .execute_without_session(|context| context.get_random(8).map(drop))
            .map_err(|error| unavailable(tcti, error))?;
        if self.exclusive {
            flush_leftovers(&mut context, tcti);
        }
        Ok(context)
    }

    /// Runs `operation` with a password session (the owner hierarchy and the keys have empty
    /// auth values). Without a resource manager, a TPM whose object slots are full
    /// (`TPM_RC_OBJECT_MEMORY`) holds only objects a dead process left (the operation's own
    /// were flushed on its way out): they are flushed and the operation runs once more. Any
    /// other TPM error is checked against a liveness probe: if the TPM still answers the error
    /// is the operation's own (`platformFailure`), else `hardwareUnavailable` and the
    /// connection is dropped, for the next operation to connect again.
    fn run<T>(
        &mut self,
        what: &str,
        mut operation: impl FnMut(&mut Context) -> Result<T, Failure>,
    ) -> Result<T, DeviceKeyError> {
        self.ensure_connected()?;
        let Some(context) = self.context.as_mut() else {
            return Err(unavailable(
                &self.tcti,
                "the connection to the TPM was lost",
            ));
        };
        let mut outcome = context.execute_with_session(Some(AuthSession::Password), &mut operation);
        if self.exclusive
            && matches!(outcome, Err(Failure::Command(error)) if is_object_memory(error))
            && flush_leftovers(context, &self.tcti) > 0
        {
            outcome = context.execute_with_session(Some(AuthSession::Password), &mut operation);
        }
        let error = match outcome {
            Ok(value) => return Ok(value),
            Err(Failure::Refused(error)) => return Err(error),
            Err(Failure::Command(error)) => error,
        };
        let alive = context
            .execute_without_session(|context| context.get_random(1))
            .is_ok();
        if alive {
            return Err(DeviceKeyError::new(
                DomainErrorKind::PlatformFailure,
                format!("the TPM failed to {what}: {error}"),
            ));
        }
        self.context = None;
        Err(unavailable(
            &self.tcti,
            format!("the TPM stopped answering ({error})"),
        ))
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
/// thread then drops the context (closing the connection) and exits. The drop waits for that,
/// so a TPM that serves one connection at a time (a simulator behind mssim's TCTI, which holds
/// its connection) is free again afterwards, except when the last call was not answered in
/// time: then the thread may be stuck in a TPM call that never returns, and it is left behind.
struct Worker {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<thread::JoinHandle<()>>,
    /// Whether the last call gave up waiting.
    stuck: AtomicBool,
}

impl Drop for Worker {
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(thread) = self.thread.take() {
            if !self.stuck.load(Ordering::Relaxed) {
                let _ = thread.join();
            }
        }
    }
}

impl Worker {
    fn start(mut tpm: Tpm) -> Result<Worker, DeviceKeyError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let thread = thread::Builder::new()
            .name("devicekey-tpm".to_owned())
            .spawn(move || {
                while let Ok(job) = queue.recv() {
                    // Its caller has given up: running it would only delay the next ones.
                    if Instant::now() >= job.deadline {
                        continue;
                    }
                    let run = job.run;
                    if panic::catch_unwind(AssertUnwindSafe(|| run(&mut tpm))).is_err() {
                        // Start the next job from a fresh connection.
                        tpm.context = None;
                    }
                }
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
            stuck: AtomicBool::new(false),
        })
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

/// Connects to the `host`/`port` of a `swtpm:` or `mssim:` TCTI (defaults `localhost`, 2321),
/// within `timeout` (at least a millisecond).
fn probe_tcp(tcti: &str, timeout: Duration) -> io::Result<()> {
    let timeout = timeout.max(Duration::from_millis(1));
    let config = tcti.split_once(':').map_or("", |(_, config)| config);
    let mut host = "localhost";
    let mut port = 2321u16;
    for option in config.split(',').filter(|option| !option.is_empty()) {
        match option.split_once('=') {
            Some(("host", value)) => host = value,
            Some(("port", value)) => {
                port = value.parse().map_err(|_| {
                    io::Error::new(io::ErrorKind::InvalidInput, format!("bad port {value:?}"))
                })?
            }
            _ => {}
        }
    }
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let mut last_error = io::Error::new(io::ErrorKind::NotFound, format!("{host} has no address"));
    for address in (host, port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&address, timeout) {
            Ok(_) => return Ok(()),
            Err(error) => last_error = error,
        }
    }
    Err(last_error)
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
    fn templates_build() {
        primary_template().unwrap();
        signing_key_template().unwrap();
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
    }

    #[test]
    fn only_tctis_without_a_resource_manager_get_their_leftovers_flushed() {
        let has = |tcti: &str| has_resource_manager(&TctiNameConf::from_str(tcti).unwrap(), tcti);
        assert!(!has("swtpm:host=127.0.0.1,port=2321"));
        assert!(!has("mssim:host=localhost,port=2321"));
        assert!(!has("device:/dev/tpm0"));
        assert!(!has("device:"));
        assert!(has("device:/dev/tpmrm0"));
        assert!(has("tabrmd:bus_type=session"));
    }

    #[test]
    fn only_an_integrity_failure_of_the_private_part_is_a_lost_key() {
        let code = |rc: u32| tss_esapi::Error::Tss2Error(Tss2ResponseCode::from(rc));
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
        // TPM_RC_OBJECT_MEMORY, "out of memory for object contexts", is what leftovers cause.
        assert!(is_object_memory(code(0x902)));
        assert!(!is_object_memory(code(0x1DF)));
    }

    #[test]
    fn durations_read_as_seconds() {
        assert_eq!(seconds(Duration::from_secs(20)), "20 s");
        assert_eq!(seconds(Duration::from_millis(1500)), "1.5 s");
    }
}
