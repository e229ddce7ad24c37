//! The Linux TPM 2.0 provider: ECC P-256 signing keys created inside a TPM (tss-esapi), class
//! `hardware_tpm`.
//!
//! Each key is a child of the owner hierarchy's storage primary key. The primary is never stored:
//! it is derived again, for every operation, from the owner seed and [`primary_template`] (a TPM
//! derives the same primary from the same seed and template), and flushed afterwards. So the
//! provider leaves nothing behind in the TPM — no persistent handle to provision or clean up, no
//! transient object left over when the process dies — and a key survives TPM restarts for as
//! long as the owner seed does (it changes only on `TPM2_Clear`).
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
//! One worker thread owns the ESAPI context and its connection; calls reach it through a
//! [`Mutex`] and wait for its answer at most [`COMMAND_TIMEOUT`]. A TPM that stops answering
//! gives `hardwareUnavailable` and the next call connects again. The connection stays open while
//! the provider lives: the kernel's resource manager (`/dev/tpmrm0`) shares the TPM between
//! processes, but swtpm serves one connection at a time, so a second user of the same swtpm
//! waits until this provider is dropped.

use std::fmt;
use std::io;
use std::net::{TcpStream, ToSocketAddrs as _};
use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::str::FromStr as _;
use std::sync::mpsc;
use std::sync::Mutex;
use std::thread;
use std::time::Duration;

use sha2::{Digest as _, Sha256};
use tss_esapi::attributes::ObjectAttributesBuilder;
use tss_esapi::constants::tss::{TPM2_RH_NULL, TPM2_ST_HASHCHECK};
use tss_esapi::handles::{KeyHandle, ObjectHandle};
use tss_esapi::interface_types::algorithm::{HashingAlgorithm, PublicAlgorithm};
use tss_esapi::interface_types::ecc::EccCurve;
use tss_esapi::interface_types::resource_handles::Hierarchy;
use tss_esapi::interface_types::session_handles::AuthSession;
use tss_esapi::structures::{
    Digest, EccPoint, EccScheme, HashScheme, HashcheckTicket, KeyDerivationFunctionScheme, Private,
    Public, PublicBuffer, PublicBuilder, PublicEccParametersBuilder, Signature, SignatureScheme,
    SymmetricDefinitionObject,
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

/// How long [`TpmProvider::open`] (and a reconnection) waits for the TPM to answer.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long one operation (a few TPM commands) may take before the TPM counts as gone. Key
/// creation on a slow hardware TPM takes well under a second.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(20);

const CLASSES: &[DeviceKeyProtectionClass] = &[DeviceKeyProtectionClass::HardwareTpm];

/// Keys of class `hardware_tpm` in a TPM 2.0 reached through a TCTI.
pub struct TpmProvider {
    tcti: String,
    blobs: FileSecretStore,
    connection: Mutex<Option<Connection>>,
}

impl fmt::Debug for TpmProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TpmProvider")
            .field("tcti", &self.tcti)
            .field("key_dir", &self.blobs.dir())
            .finish()
    }
}

impl TpmProvider {
    /// Connects to the TPM at `tcti` (`device:/dev/tpmrm0`, `swtpm:host=127.0.0.1,port=2321`,
    /// ...) and keeps wrapped key blobs in `key_dir` (created with mode 0700 if needed, once the
    /// TPM has answered).
    ///
    /// Fails within about [`CONNECT_TIMEOUT`] with `hardwareUnavailable` when no TPM answers
    /// there. It sends the TPM one harmless command (`TPM2_GetRandom`) and creates nothing in
    /// it, so it also serves to probe for a TPM.
    pub fn open(tcti: &str, key_dir: &Path) -> Result<TpmProvider, DeviceKeyError> {
        let connection = Connection::open(tcti)?;
        let blobs = FileSecretStore::open(key_dir)?;
        Ok(TpmProvider {
            tcti: tcti.to_owned(),
            blobs,
            connection: Mutex::new(Some(connection)),
        })
    }

    /// The TCTI this provider talks to.
    pub fn tcti(&self) -> &str {
        &self.tcti
    }

    /// The file holding `key_id`'s wrapped key blob.
    pub fn blob_path(&self, key_id: &KeyId) -> std::path::PathBuf {
        self.blobs.path_of(key_id)
    }

    /// Runs `operation` on the TPM, connecting first if the last connection was lost. A TPM
    /// that does not answer, or whose connection broke, gives `hardwareUnavailable` and drops
    /// the connection so the next call starts a fresh one.
    fn run<T: Send + 'static>(
        &self,
        what: &'static str,
        operation: impl FnOnce(&mut Context) -> tss_esapi::Result<T> + Send + 'static,
    ) -> Result<T, DeviceKeyError> {
        let mut slot = self
            .connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let connection = match slot.as_mut() {
            Some(connection) => connection,
            None => slot.insert(Connection::open(&self.tcti)?),
        };
        match connection.run(&self.tcti, what, operation) {
            Ok(value) => Ok(value),
            Err(error) => {
                if error.kind() == Some(DomainErrorKind::HardwareUnavailable) {
                    *slot = None;
                }
                Err(error)
            }
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
        self.blobs.put(&key_id, &SecretBytes::new(blob))?;
        Ok(ProviderKey {
            key_id,
            public_key_spki_der,
        })
    }

    fn public_key(&self, key_id: &KeyId) -> Result<Vec<u8>, DeviceKeyError> {
        spki_der(&self.read_blob(key_id)?.public)
    }

    fn sign(&self, key_id: &KeyId, payload: &SignedPayload) -> Result<Vec<u8>, DeviceKeyError> {
        self.sign_blob(self.read_blob(key_id)?, payload)
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
        self.sign_blob(blob, payload)
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
        KeyBlob { public, private }: KeyBlob,
        payload: &SignedPayload,
    ) -> Result<Vec<u8>, DeviceKeyError> {
        let digest = Digest::try_from(Sha256::digest(payload.as_bytes()).to_vec())
            .map_err(|_| crypto_failure("building the TPM digest"))?;
        let signature = self.run("sign", move |context| {
            let primary_handle = create_primary(context)?;
            let mut primary = Transient::new(context, primary_handle.into());
            let key_handle = primary.load(primary_handle, private, public)?;
            let mut key = Transient::new(&mut primary, key_handle.into());
            key.sign(
                key_handle,
                digest,
                SignatureScheme::EcDsa {
                    hash_scheme: HashScheme::new(HashingAlgorithm::Sha256),
                },
                null_hashcheck_ticket()?,
            )
        })?;
        signature_der(&signature)
    }
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

type Job = Box<dyn FnOnce(&mut Context) + Send>;

/// The worker thread that owns an ESAPI context. Dropping it closes the job channel; the
/// thread then drops the context (closing the connection) and exits. The drop waits for that,
/// so a TPM that serves one connection at a time (swtpm) is free again afterwards, except when
/// the worker is stuck in a TPM call that never returned: then it is left behind.
struct Connection {
    jobs: Option<mpsc::Sender<Job>>,
    worker: Option<thread::JoinHandle<()>>,
    stuck: bool,
}

impl Drop for Connection {
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(worker) = self.worker.take() {
            if !self.stuck {
                let _ = worker.join();
            }
        }
    }
}

impl Connection {
    /// Checks that something listens at a network TCTI's address (a TCP connect cannot hang
    /// longer than the timeout), then starts the worker and waits for a first answer from
    /// the TPM.
    fn open(tcti: &str) -> Result<Connection, DeviceKeyError> {
        let name_conf =
            TctiNameConf::from_str(tcti).map_err(|_| unavailable(tcti, "not a TCTI this build understands (device:<path>, swtpm:host=<h>,port=<p>, mssim:..., tabrmd:...)"))?;
        match &name_conf {
            TctiNameConf::Device(_) => {
                // libtss2's default device when the TCTI names none.
                let path = match tcti.strip_prefix("device:") {
                    Some(path) if !path.is_empty() => path,
                    _ => "/dev/tpm0",
                };
                std::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open(path)
                    .map_err(|error| unavailable(tcti, format!("cannot open {path}: {error}")))?;
            }
            TctiNameConf::Swtpm(_) | TctiNameConf::Mssim(_) => {
                probe_tcp(tcti).map_err(|error| unavailable(tcti, error))?;
            }
            _ => {}
        }

        let (jobs, queue) = mpsc::channel::<Job>();
        let (ready, started) = mpsc::sync_channel::<Result<(), String>>(1);
        let worker = thread::Builder::new()
            .name("devicekey-tpm".to_owned())
            .spawn(move || {
                let mut context = match Context::new(name_conf) {
                    Ok(context) => context,
                    Err(error) => {
                        let _ = ready.send(Err(error.to_string()));
                        return;
                    }
                };
                let _ = ready.send(Ok(()));
                drop(ready);
                while let Ok(job) = queue.recv() {
                    job(&mut context);
                }
            })
            .map_err(|error| {
                DeviceKeyError::new(
                    DomainErrorKind::PlatformFailure,
                    format!("could not start the TPM worker thread: {error}"),
                )
            })?;
        let mut connection = Connection {
            jobs: Some(jobs),
            worker: Some(worker),
            stuck: false,
        };
        match started.recv_timeout(CONNECT_TIMEOUT) {
            Ok(Ok(())) => {}
            Ok(Err(error)) => return Err(unavailable(tcti, error)),
            Err(_) => {
                connection.stuck = true;
                return Err(unavailable(tcti, "the connection did not complete in time"));
            }
        }
        connection
            .call(tcti, CONNECT_TIMEOUT, |context| {
                context.execute_without_session(|context| context.get_random(8).map(drop))
            })?
            .map_err(|error| unavailable(tcti, error))?;
        Ok(connection)
    }

    /// Runs `operation` with a password session (the owner hierarchy and the keys have empty
    /// auth values). A TPM error is checked against a liveness probe: if the TPM still answers
    /// the error is the operation's own (`platformFailure`), else `hardwareUnavailable`.
    fn run<T: Send + 'static>(
        &mut self,
        tcti: &str,
        what: &'static str,
        operation: impl FnOnce(&mut Context) -> tss_esapi::Result<T> + Send + 'static,
    ) -> Result<T, DeviceKeyError> {
        let outcome = self.call(tcti, COMMAND_TIMEOUT, move |context| {
            let result = context.execute_with_session(Some(AuthSession::Password), operation);
            match result {
                Ok(value) => Ok(value),
                Err(error) => {
                    let alive = context
                        .execute_without_session(|context| context.get_random(1))
                        .is_ok();
                    Err((error, alive))
                }
            }
        })?;
        outcome.map_err(|(error, alive)| {
            if alive {
                DeviceKeyError::new(
                    DomainErrorKind::PlatformFailure,
                    format!("the TPM failed to {what}: {error}"),
                )
            } else {
                unavailable(tcti, format!("the TPM stopped answering ({error})"))
            }
        })
    }

    /// Hands `job` to the worker and waits at most `timeout` for its result.
    fn call<T: Send + 'static>(
        &mut self,
        tcti: &str,
        timeout: Duration,
        job: impl FnOnce(&mut Context) -> T + Send + 'static,
    ) -> Result<T, DeviceKeyError> {
        let (reply, answer) = mpsc::sync_channel(1);
        let job: Job = Box::new(move |context| {
            let _ = reply.send(job(context));
        });
        self.jobs
            .as_ref()
            .and_then(|jobs| jobs.send(job).ok())
            .ok_or_else(|| unavailable(tcti, "the connection to the TPM was lost"))?;
        answer.recv_timeout(timeout).map_err(|error| match error {
            mpsc::RecvTimeoutError::Timeout => {
                self.stuck = true;
                unavailable(
                    tcti,
                    format!("the TPM did not answer within {} s", timeout.as_secs()),
                )
            }
            mpsc::RecvTimeoutError::Disconnected => {
                unavailable(tcti, "the connection to the TPM was lost")
            }
        })
    }
}

/// Connects to the `host`/`port` of a `swtpm:` or `mssim:` TCTI (defaults `localhost`, 2321),
/// within [`CONNECT_TIMEOUT`].
fn probe_tcp(tcti: &str) -> io::Result<()> {
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
        match TcpStream::connect_timeout(&address, CONNECT_TIMEOUT) {
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
    fn unknown_tctis_and_closed_ports_are_hardware_unavailable() {
        let error = Connection::open("bogus:x").err().unwrap();
        assert_eq!(error.kind(), Some(DomainErrorKind::HardwareUnavailable));
        let error = Connection::open("device:/nonexistent/tpm").err().unwrap();
        assert_eq!(error.kind(), Some(DomainErrorKind::HardwareUnavailable));
        assert!(error.message().contains("/nonexistent/tpm"), "{error}");
    }
}
