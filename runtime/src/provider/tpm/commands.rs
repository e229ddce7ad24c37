//! The TPM 2.0 commands the provider sends, marshalled and their answers parsed here (TPM 2.0
//! Part 3 layouts, big-endian), each one command through the TCTI: nothing is sent that the
//! caller did not ask for, so the commands a capture shows are the ones written in the provider.
//!
//! Authorizations use the password session (`TPM_RS_PW`) with an empty password (the owner and
//! endorsement hierarchies, the keys and the EK certificate's NV index have empty auth values),
//! and, for the endorsement key, a policy session ([`Tpm2::start_policy_session`]). Answers are
//! checked for size and shape before anything is read out of them; a malformed one is an error,
//! never a panic, and an answer that named a new object before it went wrong has that object
//! reported ([`TpmError::Orphan`]) for the caller to flush.
//!
//! # Deadlines and "try again"
//!
//! Each command is given what is left of the operation's deadline ([`Tpm2::set_deadline`]):
//! none is sent once it has passed, and the wait for an answer ends with it (on TCTIs that keep
//! a receive timeout: see [`Tcti::execute`]). An answer that did not come in time is still due,
//! so the connection can carry no other command ([`Tpm2::is_poisoned`]) and is closed. Only
//! `TPM2_FlushContext`, which cleans up after an operation, gets a short grace past the deadline
//! so that what an operation loaded does not stay behind when it ran late.
//!
//! A TPM that answers `TPM_RC_RETRY`, `TPM_RC_YIELDED` or `TPM_RC_TESTING` did not run the
//! command: it is sent again, a few times, after a pause that grows each time (a TPM testing an
//! algorithm, or busy with another locality, needs a moment), as long as the pause ends before
//! the deadline.

use std::fmt;
use std::thread;
use std::time::{Duration, Instant};

use tss_esapi::constants::response_code::Tss2ResponseCode;
use zeroize::Zeroizing;

use super::tcti::{Tcti, TctiError, TSS2_TCTI_RC_TRY_AGAIN};

/// The largest command or response of a TPM 2.0 (`MAX_COMMAND_SIZE`, `MAX_RESPONSE_SIZE` of the
/// PC Client profile).
const MAX_MESSAGE: usize = 4096;

/// How many times one command is sent, at most, while the TPM answers "try again".
const MAX_SUBMISSIONS: usize = 8;
/// The pause before the first resubmission; each next one is twice as long, up to
/// [`LONGEST_PAUSE`] (at most 10 + 20 + ... + 500 ms, about 1.1 s, in all).
const FIRST_PAUSE: Duration = Duration::from_millis(10);
const LONGEST_PAUSE: Duration = Duration::from_millis(500);
/// How long a `TPM2_FlushContext` may still wait for its answer once the deadline has passed.
const FLUSH_GRACE: Duration = Duration::from_secs(1);

/// `TPM_ST_NO_SESSIONS`, `TPM_ST_SESSIONS`.
const ST_NO_SESSIONS: u16 = 0x8001;
const ST_SESSIONS: u16 = 0x8002;
/// `TPM_RS_PW`: the password authorization session.
const RS_PW: u32 = 0x4000_0009;
/// `TPM_RH_OWNER`, `TPM_RH_NULL`, `TPM_RH_ENDORSEMENT`.
pub(super) const RH_OWNER: u32 = 0x4000_0001;
pub(super) const RH_NULL: u32 = 0x4000_0007;
pub(super) const RH_ENDORSEMENT: u32 = 0x4000_000B;
/// `TPM_ST_HASHCHECK`: the tag of a hash-check ticket.
const ST_HASHCHECK: u16 = 0x8024;
/// `TPM_ALG_ECDSA`, `TPM_ALG_SHA256`, `TPM_ALG_NULL`.
pub(super) const ALG_ECDSA: u16 = 0x0018;
pub(super) const ALG_SHA256: u16 = 0x000B;
pub(super) const ALG_NULL: u16 = 0x0010;
/// `TPM_SE_POLICY`: a policy session.
const SE_POLICY: u8 = 0x01;
/// `TPM_CAP_HANDLES`, `TPM_CAP_TPM_PROPERTIES`.
const CAP_HANDLES: u32 = 0x0000_0001;
const CAP_TPM_PROPERTIES: u32 = 0x0000_0006;
/// `TPM_PT_NV_BUFFER_MAX` (`PT_FIXED + 44`): the most bytes one `TPM2_NV_Read` returns.
const PT_NV_BUFFER_MAX: u32 = 0x0000_0100 + 44;
/// `TPM_HT_TRANSIENT`'s first handle.
pub(super) const TRANSIENT_FIRST: u32 = 0x8000_0000;
/// How many handles one `TPM2_GetCapability` asks for (`MAX_CAP_HANDLES` for 4096-byte
/// answers is larger; a TPM has a handful of object slots).
const HANDLES_PER_ROUND: u32 = 64;
/// The most `TPM2_GetCapability` rounds [`Tpm2::transient_handles`] makes.
const MAX_HANDLE_ROUNDS: usize = 8;
/// The most PCR banks a `TPML_PCR_SELECTION` of an answer may list (`HASH_COUNT` is a few).
const MAX_PCR_BANKS: u32 = 16;

/// The command codes the provider sends (`TPM_CC_*`), and their names for logs and captures.
pub(super) mod cc {
    /// `TPM2_NV_Read`.
    pub(crate) const NV_READ: u32 = 0x0000_014E;
    /// `TPM2_CreatePrimary`.
    pub(crate) const CREATE_PRIMARY: u32 = 0x0000_0131;
    /// `TPM2_ActivateCredential`.
    pub(crate) const ACTIVATE_CREDENTIAL: u32 = 0x0000_0147;
    /// `TPM2_Certify`.
    pub(crate) const CERTIFY: u32 = 0x0000_0148;
    /// `TPM2_PolicySecret`.
    pub(crate) const POLICY_SECRET: u32 = 0x0000_0151;
    /// `TPM2_Create`.
    pub(crate) const CREATE: u32 = 0x0000_0153;
    /// `TPM2_Load`.
    pub(crate) const LOAD: u32 = 0x0000_0157;
    /// `TPM2_Sign`.
    pub(crate) const SIGN: u32 = 0x0000_015D;
    /// `TPM2_FlushContext`.
    pub(crate) const FLUSH_CONTEXT: u32 = 0x0000_0165;
    /// `TPM2_NV_ReadPublic`.
    pub(crate) const NV_READ_PUBLIC: u32 = 0x0000_0169;
    /// `TPM2_ReadPublic`.
    pub(crate) const READ_PUBLIC: u32 = 0x0000_0173;
    /// `TPM2_StartAuthSession`.
    pub(crate) const START_AUTH_SESSION: u32 = 0x0000_0176;
    /// `TPM2_GetCapability`.
    pub(crate) const GET_CAPABILITY: u32 = 0x0000_017A;
    /// `TPM2_GetRandom`.
    pub(crate) const GET_RANDOM: u32 = 0x0000_017B;
}

/// Why a command failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TpmError {
    /// A response code: the TPM's own (layer 0) or one of the TSS below the provider (the TCTI
    /// and its loader, layer 10).
    Code(u32),
    /// The TPM answered something that is not a well-formed answer to the command.
    Malformed {
        /// The command's code.
        command: u32,
    },
    /// A malformed answer to a command that makes an object, whose handle area did name the
    /// new object: the caller flushes `handle` (if it is a transient handle that is not one of
    /// its own objects'), since the TPM may hold an object there that nobody else knows of.
    Orphan {
        /// The command's code.
        command: u32,
        /// The handle the answer named.
        handle: u32,
    },
    /// The operation's deadline passed: before the command was sent (`sent` false), or while
    /// its answer was awaited (`sent` true, and the connection is poisoned).
    Timeout {
        /// The command's code.
        command: u32,
        /// Whether the command had been sent.
        sent: bool,
    },
}

impl TpmError {
    /// The TPM's own response code, if the TPM answered with one (not the TSS below us).
    pub(super) fn tpm_code(self) -> Option<u32> {
        match self {
            TpmError::Code(code) if code >> 16 == 0 => Some(code),
            _ => None,
        }
    }

    /// Whether the operation's deadline passed.
    pub(super) fn is_timeout(self) -> bool {
        matches!(self, TpmError::Timeout { .. })
    }
}

impl From<TctiError> for TpmError {
    fn from(TctiError(code): TctiError) -> Self {
        TpmError::Code(code)
    }
}

impl fmt::Display for TpmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            TpmError::Code(code) => write!(f, "{} ({code:#x})", Tss2ResponseCode::from(code)),
            TpmError::Malformed { command } | TpmError::Orphan { command, .. } => write!(
                f,
                "the TPM's answer to {} is malformed",
                command_name(command)
            ),
            TpmError::Timeout {
                command,
                sent: true,
            } => write!(
                f,
                "the TPM did not answer {} before the request's deadline",
                command_name(command)
            ),
            TpmError::Timeout {
                command,
                sent: false,
            } => write!(
                f,
                "the request's deadline passed before {} could be sent",
                command_name(command)
            ),
        }
    }
}

/// The name of a command code, as TPM 2.0 Part 3 spells it.
pub(super) fn command_name(code: u32) -> String {
    let name = match code {
        cc::NV_READ => "TPM2_NV_Read",
        cc::CREATE_PRIMARY => "TPM2_CreatePrimary",
        cc::ACTIVATE_CREDENTIAL => "TPM2_ActivateCredential",
        cc::CERTIFY => "TPM2_Certify",
        cc::POLICY_SECRET => "TPM2_PolicySecret",
        cc::CREATE => "TPM2_Create",
        cc::LOAD => "TPM2_Load",
        cc::SIGN => "TPM2_Sign",
        cc::FLUSH_CONTEXT => "TPM2_FlushContext",
        cc::NV_READ_PUBLIC => "TPM2_NV_ReadPublic",
        cc::READ_PUBLIC => "TPM2_ReadPublic",
        cc::START_AUTH_SESSION => "TPM2_StartAuthSession",
        cc::GET_CAPABILITY => "TPM2_GetCapability",
        cc::GET_RANDOM => "TPM2_GetRandom",
        other => return format!("command {other:#x}"),
    };
    name.to_owned()
}

/// A key `TPM2_Create` made: its `TPM2B_PUBLIC` and `TPM2B_PRIVATE`, each with its size field,
/// as the TPM sent them, and the name of the parent it was made under (from its creation data).
pub(super) struct Created {
    pub(super) public: Vec<u8>,
    pub(super) private: Zeroizing<Vec<u8>>,
    pub(super) parent_name: Vec<u8>,
}

/// An object `TPM2_CreatePrimary` made: its handle, its `TPM2B_PUBLIC` (with the size field)
/// and its name.
pub(super) struct PrimaryObject {
    pub(super) handle: u32,
    pub(super) public: Vec<u8>,
    pub(super) name: Vec<u8>,
}

/// What `TPM2_Certify` answered: the `TPMS_ATTEST` (without its size field) and the
/// signature's ECDSA-SHA256 `r` and `s`.
pub(super) struct Certified {
    pub(super) attest: Vec<u8>,
    pub(super) r: Vec<u8>,
    pub(super) s: Vec<u8>,
}

/// What `TPM2_NV_ReadPublic` says of an NV index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct NvPublic {
    /// `TPMA_NV`.
    pub(super) attributes: u32,
    /// How many bytes it holds.
    pub(super) data_size: u16,
}

/// What a TPM command goes through: the TCTI, or in unit tests a scripted TPM.
pub(super) trait Transport: Send {
    /// Sends `command`, writes the answer to the start of `response`, returns its length; waits
    /// at most `timeout_ms` (`-1`: blocks) where the transport can keep a timeout.
    fn execute(
        &mut self,
        command: &[u8],
        response: &mut [u8],
        timeout_ms: i32,
    ) -> Result<usize, TctiError>;
}

impl Transport for Tcti {
    fn execute(
        &mut self,
        command: &[u8],
        response: &mut [u8],
        timeout_ms: i32,
    ) -> Result<usize, TctiError> {
        Tcti::execute(self, command, response, timeout_ms)
    }
}

/// A TPM reached through a TCTI, one command at a time.
pub(super) struct Tpm2 {
    transport: Box<dyn Transport>,
    response: Box<[u8; MAX_MESSAGE]>,
    /// When the operation under way must be done; `None`: no limit.
    deadline: Option<Instant>,
    /// An answer is still due (it did not come in time): nothing more can be sent.
    poisoned: bool,
}

impl Tpm2 {
    /// Opens the TCTI `name_conf` names (see [`Tcti::open`]); sends nothing.
    pub(super) fn open(name_conf: &str) -> Result<Tpm2, TpmError> {
        Ok(Self::over(Box::new(Tcti::open(name_conf)?)))
    }

    /// A TPM reached through `transport`.
    pub(super) fn over(transport: Box<dyn Transport>) -> Tpm2 {
        Tpm2 {
            transport,
            response: Box::new([0; MAX_MESSAGE]),
            deadline: None,
            poisoned: false,
        }
    }

    /// Limits the commands from now on to end by `deadline` (see the module docs).
    pub(super) fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.deadline = deadline;
    }

    /// Whether an answer did not come in time, so that the connection is unusable.
    pub(super) fn is_poisoned(&self) -> bool {
        self.poisoned
    }

    /// `TPM2_CreatePrimary` in `hierarchy` (`TPM_RH_OWNER`, `TPM_RH_ENDORSEMENT`) from
    /// `template` (a marshalled `TPM2B_PUBLIC`). A malformed answer that named the new object's
    /// handle is [`TpmError::Orphan`].
    pub(super) fn create_primary(
        &mut self,
        hierarchy: u32,
        template: &[u8],
    ) -> Result<PrimaryObject, TpmError> {
        let mut command = Command::new(cc::CREATE_PRIMARY, &[hierarchy], true);
        creation_parameters(&mut command, template);
        let mut answer = self.execute(command)?;
        let handle = answer.handle()?;
        let parsed = (|| {
            let mut parameters = answer.parameters()?;
            let public = parameters.tpm2b()?.to_vec(); // outPublic
            parameters.tpm2b()?; // creationData
            parameters.tpm2b()?; // creationHash
            parameters.u16()?; // creationTicket: tag,
            parameters.u32()?; // hierarchy,
            parameters.tpm2b()?; // digest
            let name = parameters.tpm2b()?[2..].to_vec();
            Ok((public, name))
        })();
        let (public, name) = parsed.map_err(|_: TpmError| TpmError::Orphan {
            command: cc::CREATE_PRIMARY,
            handle,
        })?;
        Ok(PrimaryObject {
            handle,
            public,
            name,
        })
    }

    /// `TPM2_Create` of a child of `parent` from `template` (a marshalled `TPM2B_PUBLIC`).
    pub(super) fn create(&mut self, parent: u32, template: &[u8]) -> Result<Created, TpmError> {
        let mut command = Command::new(cc::CREATE, &[parent], true);
        creation_parameters(&mut command, template);
        let mut answer = self.execute(command)?;
        let mut parameters = answer.parameters()?;
        let private = Zeroizing::new(parameters.tpm2b()?.to_vec());
        let public = parameters.tpm2b()?.to_vec();
        let creation_data = parameters.tpm2b()?;
        let parent_name = parent_name_of(creation_data, cc::CREATE)?;
        Ok(Created {
            public,
            private,
            parent_name,
        })
    }

    /// `TPM2_Load` of a key's `TPM2B_PRIVATE` and `TPM2B_PUBLIC` (each with its size field)
    /// under `parent`; the loaded object's handle. A malformed answer that named the handle is
    /// [`TpmError::Orphan`].
    pub(super) fn load(
        &mut self,
        parent: u32,
        private: &[u8],
        public: &[u8],
    ) -> Result<u32, TpmError> {
        let mut command = Command::new(cc::LOAD, &[parent], true);
        command.bytes(private);
        command.bytes(public);
        let mut answer = self.execute(command)?;
        let handle = answer.handle()?;
        let name = answer.parameters().and_then(|mut parameters| {
            let name = parameters.tpm2b()?;
            Ok(name.len())
        });
        match name {
            // A name is a hash algorithm and a digest at least.
            Ok(length) if length > 4 => Ok(handle),
            _ => Err(TpmError::Orphan {
                command: cc::LOAD,
                handle,
            }),
        }
    }

    /// `TPM2_Sign` of a SHA-256 `digest` with ECDSA-SHA256 by the key at `key`, with the null
    /// hash-check ticket an unrestricted key signs with; the signature's `r` and `s` (big-endian,
    /// as the TPM sent them).
    pub(super) fn sign_ecdsa_sha256(
        &mut self,
        key: u32,
        digest: &[u8; 32],
    ) -> Result<(Vec<u8>, Vec<u8>), TpmError> {
        let mut command = Command::new(cc::SIGN, &[key], true);
        command.u16(32);
        command.bytes(digest);
        command.u16(ALG_ECDSA);
        command.u16(ALG_SHA256);
        command.u16(ST_HASHCHECK);
        command.u32(RH_NULL);
        command.u16(0);
        let mut answer = self.execute(command)?;
        let mut parameters = answer.parameters()?;
        ecdsa_sha256_signature(&mut parameters)
    }

    /// `TPM2_FlushContext` of a transient object or a session.
    pub(super) fn flush_context(&mut self, handle: u32) -> Result<(), TpmError> {
        let mut command = Command::new(cc::FLUSH_CONTEXT, &[], false);
        command.u32(handle);
        self.execute(command).map(drop)
    }

    /// `TPM2_ReadPublic` of the object at `handle`: its `TPM2B_PUBLIC` (with its size field) and
    /// name.
    pub(super) fn read_public(&mut self, handle: u32) -> Result<(Vec<u8>, Vec<u8>), TpmError> {
        let command = Command::new(cc::READ_PUBLIC, &[handle], false);
        let mut answer = self.execute(command)?;
        let mut parameters = answer.parameters()?;
        let public = parameters.tpm2b()?.to_vec();
        let name = parameters.tpm2b()?[2..].to_vec();
        Ok((public, name))
    }

    /// `TPM2_GetRandom` of `count` bytes: the cheapest "are you there".
    pub(super) fn get_random(&mut self, count: u16) -> Result<Vec<u8>, TpmError> {
        let mut command = Command::new(cc::GET_RANDOM, &[], false);
        command.u16(count);
        let mut answer = self.execute(command)?;
        Ok(answer.parameters()?.tpm2b()?[2..].to_vec())
    }

    /// The handles of every transient object loaded in the TPM (`TPM2_GetCapability` of
    /// `TPM_CAP_HANDLES` from `TPM_HT_TRANSIENT`).
    pub(super) fn transient_handles(&mut self) -> Result<Vec<u32>, TpmError> {
        let mut handles = Vec::new();
        let mut from = TRANSIENT_FIRST;
        for _ in 0..MAX_HANDLE_ROUNDS {
            let mut command = Command::new(cc::GET_CAPABILITY, &[], false);
            command.u32(CAP_HANDLES);
            command.u32(from);
            command.u32(HANDLES_PER_ROUND);
            let mut answer = self.execute(command)?;
            let mut parameters = answer.parameters()?;
            let more = parameters.u8()? != 0;
            let malformed = TpmError::Malformed {
                command: cc::GET_CAPABILITY,
            };
            if parameters.u32()? != CAP_HANDLES {
                return Err(malformed);
            }
            let count = parameters.u32()?;
            let mut last = None;
            for _ in 0..count {
                let handle = parameters.u32()?;
                if handle >> 24 == TRANSIENT_FIRST >> 24 {
                    handles.push(handle);
                }
                last = Some(handle);
            }
            match last {
                Some(last) if more && last >> 24 == TRANSIENT_FIRST >> 24 => {
                    from = last.checked_add(1).ok_or(malformed)?;
                }
                _ => break,
            }
        }
        Ok(handles)
    }

    /// `TPM_PT_NV_BUFFER_MAX` (`TPM2_GetCapability` of `TPM_CAP_TPM_PROPERTIES`): the most bytes
    /// one `TPM2_NV_Read` may ask for; `None` if the TPM does not say.
    pub(super) fn nv_buffer_max(&mut self) -> Result<Option<u32>, TpmError> {
        let mut command = Command::new(cc::GET_CAPABILITY, &[], false);
        command.u32(CAP_TPM_PROPERTIES);
        command.u32(PT_NV_BUFFER_MAX);
        command.u32(1);
        let mut answer = self.execute(command)?;
        let mut parameters = answer.parameters()?;
        parameters.u8()?; // moreData
        if parameters.u32()? != CAP_TPM_PROPERTIES {
            return Err(TpmError::Malformed {
                command: cc::GET_CAPABILITY,
            });
        }
        let count = parameters.u32()?;
        for _ in 0..count.min(64) {
            let property = parameters.u32()?;
            let value = parameters.u32()?;
            if property == PT_NV_BUFFER_MAX {
                return Ok(Some(value));
            }
        }
        Ok(None)
    }

    /// `TPM2_NV_ReadPublic` of the NV index `index`.
    pub(super) fn nv_read_public(&mut self, index: u32) -> Result<NvPublic, TpmError> {
        let command = Command::new(cc::NV_READ_PUBLIC, &[index], false);
        let mut answer = self.execute(command)?;
        let mut parameters = answer.parameters()?;
        let malformed = TpmError::Malformed {
            command: cc::NV_READ_PUBLIC,
        };
        // TPM2B_NV_PUBLIC: nvIndex, nameAlg, attributes, authPolicy, dataSize.
        let public = parameters.tpm2b()?;
        let mut public = Reader {
            bytes: &public[2..],
            command: cc::NV_READ_PUBLIC,
        };
        if public.u32()? != index {
            return Err(malformed);
        }
        public.u16()?;
        let attributes = public.u32()?;
        public.tpm2b()?;
        let data_size = public.u16()?;
        if !public.bytes.is_empty() {
            return Err(malformed);
        }
        parameters.tpm2b()?; // nvName
        Ok(NvPublic {
            attributes,
            data_size,
        })
    }

    /// `TPM2_NV_Read` of `size` bytes at `offset` of the NV index `index`, authorized by
    /// `auth` (the index itself, or `TPM_RH_OWNER`) with an empty password; exactly those bytes.
    pub(super) fn nv_read(
        &mut self,
        auth: u32,
        index: u32,
        size: u16,
        offset: u16,
    ) -> Result<Vec<u8>, TpmError> {
        let mut command = Command::new(cc::NV_READ, &[auth, index], true);
        command.u16(size);
        command.u16(offset);
        let mut answer = self.execute(command)?;
        let mut parameters = answer.parameters()?;
        let data = &parameters.tpm2b()?[2..];
        if data.len() != usize::from(size) {
            return Err(TpmError::Malformed {
                command: cc::NV_READ,
            });
        }
        Ok(data.to_vec())
    }

    /// `TPM2_StartAuthSession` of a policy session: unsalted (`tpmKey` `TPM_RH_NULL`), unbound
    /// (`bind` `TPM_RH_NULL`), no parameter encryption (symmetric `TPM_ALG_NULL`), SHA-256, with
    /// the caller's nonce `nonce_caller`; the session's handle.
    pub(super) fn start_policy_session(
        &mut self,
        nonce_caller: &[u8; 32],
    ) -> Result<u32, TpmError> {
        let mut command = Command::new(cc::START_AUTH_SESSION, &[RH_NULL, RH_NULL], false);
        command.u16(32);
        command.bytes(nonce_caller);
        command.u16(0); // encryptedSalt
        command.u8(SE_POLICY);
        command.u16(ALG_NULL); // symmetric
        command.u16(ALG_SHA256); // authHash
        let mut answer = self.execute(command)?;
        let handle = answer.handle()?;
        answer.parameters()?.tpm2b()?; // nonceTPM
        Ok(handle)
    }

    /// `TPM2_PolicySecret` of `auth_handle` (authorized with its empty password) into the policy
    /// session `session`: no nonce, no cpHash, no policyRef, no expiration.
    pub(super) fn policy_secret(&mut self, auth_handle: u32, session: u32) -> Result<(), TpmError> {
        let mut command = Command::new(cc::POLICY_SECRET, &[auth_handle, session], true);
        command.u16(0); // nonceTPM
        command.u16(0); // cpHashA
        command.u16(0); // policyRef
        command.u32(0); // expiration
        let mut answer = self.execute(command)?;
        let mut parameters = answer.parameters()?;
        parameters.tpm2b()?; // timeout
        parameters.u16()?; // policyTicket: tag,
        parameters.u32()?; // hierarchy,
        parameters.tpm2b()?; // digest
        Ok(())
    }

    /// `TPM2_ActivateCredential`: the object at `activate` (the credential's subject, authorized
    /// with its empty password, `ADMIN` role) and the key at `key` (the EK, authorized by the
    /// policy session `session`, which the TPM flushes once the command succeeds) recover the
    /// credential of `credential_blob` and `secret` (the contents of a `TPM2B_ID_OBJECT` and of
    /// a `TPM2B_ENCRYPTED_SECRET`, without their size fields).
    pub(super) fn activate_credential(
        &mut self,
        activate: u32,
        key: u32,
        session: u32,
        nonce_caller: &[u8; 32],
        credential_blob: &[u8],
        secret: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, TpmError> {
        let malformed = TpmError::Malformed {
            command: cc::ACTIVATE_CREDENTIAL,
        };
        let blob_size = u16::try_from(credential_blob.len()).map_err(|_| malformed)?;
        let secret_size = u16::try_from(secret.len()).map_err(|_| malformed)?;
        let mut command = Command::with_auths(
            cc::ACTIVATE_CREDENTIAL,
            &[activate, key],
            &[
                Auth::Password,
                Auth::Policy {
                    session,
                    nonce_caller,
                },
            ],
        );
        command.u16(blob_size);
        command.bytes(credential_blob);
        command.u16(secret_size);
        command.bytes(secret);
        let mut answer = self.execute(command)?;
        let mut parameters = answer.parameters()?;
        let cert_info = parameters.tpm2b()?;
        Ok(Zeroizing::new(cert_info[2..].to_vec()))
    }

    /// `TPM2_Certify` of the object at `object` (authorized with its empty password, `ADMIN`
    /// role) by the signing key at `sign_key` (empty password), over `qualifying_data`, in the
    /// signing key's own scheme (`inScheme` `TPM_ALG_NULL`).
    pub(super) fn certify(
        &mut self,
        object: u32,
        sign_key: u32,
        qualifying_data: &[u8; 32],
    ) -> Result<Certified, TpmError> {
        let mut command = Command::with_auths(
            cc::CERTIFY,
            &[object, sign_key],
            &[Auth::Password, Auth::Password],
        );
        command.u16(32);
        command.bytes(qualifying_data);
        command.u16(ALG_NULL);
        let mut answer = self.execute(command)?;
        let mut parameters = answer.parameters()?;
        let attest = parameters.tpm2b()?[2..].to_vec();
        let (r, s) = ecdsa_sha256_signature(&mut parameters)?;
        Ok(Certified { attest, r, s })
    }

    /// How long, in milliseconds, the command `code` may wait for its answer: what is left
    /// until the deadline (a flush gets [`FLUSH_GRACE`] past it); none left is
    /// [`TpmError::Timeout`].
    fn receive_timeout(&self, code: u32) -> Result<i32, TpmError> {
        if self.poisoned {
            return Err(TpmError::Timeout {
                command: code,
                sent: false,
            });
        }
        let Some(deadline) = self.deadline else {
            return Ok(-1);
        };
        let now = Instant::now();
        let deadline = if code == cc::FLUSH_CONTEXT {
            deadline.max(now + FLUSH_GRACE)
        } else {
            deadline
        };
        let left = deadline.saturating_duration_since(now);
        if left.is_zero() {
            return Err(TpmError::Timeout {
                command: code,
                sent: false,
            });
        }
        // Rounded up: a wait that ends before the deadline would answer `hardwareTimeout` early.
        Ok(i32::try_from(left.as_micros().div_ceil(1000))
            .unwrap_or(i32::MAX)
            .max(1))
    }

    /// Sends `command` and checks its answer's header: the answer, or the TPM's response code
    /// as the error. Asks again while the TPM says to try again, after a growing pause (see the
    /// module docs).
    fn execute(&mut self, command: Command) -> Result<Answer<'_>, TpmError> {
        let code = command.code;
        let sessions = command.sessions;
        let bytes = command.finish()?;
        let mut length = 0;
        let mut pause = FIRST_PAUSE;
        for submission in 1..=MAX_SUBMISSIONS {
            let timeout = self.receive_timeout(code)?;
            length = match self
                .transport
                .execute(&bytes, &mut self.response[..], timeout)
            {
                Ok(length) => length,
                Err(TctiError(TSS2_TCTI_RC_TRY_AGAIN)) => {
                    self.poisoned = true;
                    return Err(TpmError::Timeout {
                        command: code,
                        sent: true,
                    });
                }
                Err(error) => return Err(error.into()),
            };
            let header = self.response.get(..length).and_then(|r| r.get(..10));
            let Some(header) = header else {
                return Err(TpmError::Malformed { command: code });
            };
            let rc = u32::from_be_bytes([header[6], header[7], header[8], header[9]]);
            let in_time = self
                .deadline
                .is_none_or(|deadline| Instant::now() + pause < deadline);
            if submission < MAX_SUBMISSIONS && is_try_again(rc) && in_time {
                thread::sleep(pause);
                pause = (pause * 2).min(LONGEST_PAUSE);
                continue;
            }
            break;
        }
        let response = &self.response[..length];
        let malformed = TpmError::Malformed { command: code };
        let mut reader = Reader {
            bytes: response,
            command: code,
        };
        let tag = reader.u16()?;
        let size = reader.u32()?;
        let rc = reader.u32()?;
        if usize::try_from(size).ok() != Some(length) {
            return Err(malformed);
        }
        if rc != 0 {
            return Err(TpmError::Code(rc));
        }
        let expected_tag = if sessions {
            ST_SESSIONS
        } else {
            ST_NO_SESSIONS
        };
        if tag != expected_tag {
            return Err(malformed);
        }
        Ok(Answer { reader, sessions })
    }
}

/// `TPM_RC_RETRY`, `TPM_RC_YIELDED`, `TPM_RC_TESTING`: the TPM did not run the command, and
/// will if asked again.
fn is_try_again(rc: u32) -> bool {
    const RC_WARN: u32 = 0x900;
    [RC_WARN + 0x022, RC_WARN + 0x008, RC_WARN + 0x00A].contains(&rc)
}

/// A `TPMT_SIGNATURE` that must be ECDSA with SHA-256: its `r` and `s`.
fn ecdsa_sha256_signature(parameters: &mut Reader<'_>) -> Result<(Vec<u8>, Vec<u8>), TpmError> {
    let malformed = parameters.malformed();
    if parameters.u16()? != ALG_ECDSA || parameters.u16()? != ALG_SHA256 {
        return Err(malformed);
    }
    let r = parameters.tpm2b()?[2..].to_vec();
    let s = parameters.tpm2b()?[2..].to_vec();
    Ok((r, s))
}

/// The `parentName` of a `TPM2B_CREATION_DATA` (with its size field): `pcrSelect`,
/// `pcrDigest`, `locality`, `parentNameAlg`, then `parentName`.
fn parent_name_of(creation_data: &[u8], command: u32) -> Result<Vec<u8>, TpmError> {
    let mut data = Reader {
        bytes: creation_data.get(2..).unwrap_or_default(),
        command,
    };
    let banks = data.u32()?;
    if banks > MAX_PCR_BANKS {
        return Err(data.malformed());
    }
    for _ in 0..banks {
        data.u16()?;
        let select = data.u8()?;
        data.take(usize::from(select))?;
    }
    data.tpm2b()?; // pcrDigest
    data.u8()?; // locality
    data.u16()?; // parentNameAlg
    Ok(data.tpm2b()?[2..].to_vec())
}

/// The parameters `TPM2_CreatePrimary` and `TPM2_Create` share: an empty `TPM2B_SENSITIVE_CREATE`
/// (no auth value, no data: the TPM makes the key), the template, no outside info, no PCRs.
fn creation_parameters(command: &mut Command, template: &[u8]) {
    command.u16(4);
    command.u16(0);
    command.u16(0);
    command.bytes(template);
    command.u16(0);
    command.u32(0);
}

/// One authorization of a command's authorization area.
enum Auth<'a> {
    /// The password session with an empty password.
    Password,
    /// A policy session: its handle and a fresh caller nonce, no attributes (so the TPM flushes
    /// it once the command succeeds), an empty HMAC.
    Policy {
        session: u32,
        nonce_caller: &'a [u8; 32],
    },
}

/// A command being marshalled: header, handles, its authorizations if it takes any, then the
/// parameters.
struct Command {
    code: u32,
    sessions: bool,
    bytes: Vec<u8>,
}

impl Command {
    /// A command with the password session as its one authorization if `authorized`.
    fn new(code: u32, handles: &[u32], authorized: bool) -> Command {
        let auths: &[Auth<'_>] = if authorized { &[Auth::Password] } else { &[] };
        Command::with_auths(code, handles, auths)
    }

    /// A command with these authorizations, in the order of the handles they authorize.
    fn with_auths(code: u32, handles: &[u32], auths: &[Auth<'_>]) -> Command {
        let sessions = !auths.is_empty();
        let mut command = Command {
            code,
            sessions,
            bytes: Vec::with_capacity(256),
        };
        command.u16(if sessions {
            ST_SESSIONS
        } else {
            ST_NO_SESSIONS
        });
        command.u32(0); // the size, set by `finish`
        command.u32(code);
        for &handle in handles {
            command.u32(handle);
        }
        if sessions {
            // authorizationSize, then one TPMS_AUTH_COMMAND per authorization: session handle,
            // nonceCaller, sessionAttributes, hmac.
            let size: usize = auths
                .iter()
                .map(|auth| match auth {
                    Auth::Password => 9,
                    Auth::Policy { .. } => 9 + 32,
                })
                .sum();
            command.u32(size as u32);
            for auth in auths {
                match auth {
                    Auth::Password => {
                        command.u32(RS_PW);
                        command.u16(0);
                    }
                    Auth::Policy {
                        session,
                        nonce_caller,
                    } => {
                        command.u32(*session);
                        command.u16(32);
                        command.bytes(&nonce_caller[..]);
                    }
                }
                command.u8(0);
                command.u16(0);
            }
        }
        command
    }

    fn u8(&mut self, value: u8) {
        self.bytes.push(value);
    }

    fn u16(&mut self, value: u16) {
        self.bytes.extend_from_slice(&value.to_be_bytes());
    }

    fn u32(&mut self, value: u32) {
        self.bytes.extend_from_slice(&value.to_be_bytes());
    }

    fn bytes(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    /// The marshalled command, its size field set.
    fn finish(mut self) -> Result<Vec<u8>, TpmError> {
        let size = u32::try_from(self.bytes.len())
            .ok()
            .filter(|&size| size as usize <= MAX_MESSAGE)
            .ok_or(TpmError::Malformed { command: self.code })?;
        self.bytes[2..6].copy_from_slice(&size.to_be_bytes());
        Ok(self.bytes)
    }
}

/// A successful answer, read past its header.
struct Answer<'a> {
    reader: Reader<'a>,
    sessions: bool,
}

impl<'a> Answer<'a> {
    /// The next handle of the handle area.
    fn handle(&mut self) -> Result<u32, TpmError> {
        self.reader.u32()
    }

    /// The parameter area: with sessions, the `parameterSize` bytes after the handles (the
    /// authorization area after them is not read: neither a password session's nor an unbound,
    /// unsalted policy session's says anything to check); without, the rest of the answer.
    fn parameters(&mut self) -> Result<Reader<'a>, TpmError> {
        if !self.sessions {
            return Ok(Reader {
                bytes: std::mem::take(&mut self.reader.bytes),
                command: self.reader.command,
            });
        }
        let size = self.reader.u32()?;
        let size = usize::try_from(size).map_err(|_| self.reader.malformed())?;
        let bytes = self.reader.take(size)?;
        Ok(Reader {
            bytes,
            command: self.reader.command,
        })
    }
}

/// Reads big-endian fields off the front of an answer; running out is a malformed answer.
pub(super) struct Reader<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) command: u32,
}

impl<'a> Reader<'a> {
    pub(super) fn malformed(&self) -> TpmError {
        TpmError::Malformed {
            command: self.command,
        }
    }

    pub(super) fn take(&mut self, count: usize) -> Result<&'a [u8], TpmError> {
        if self.bytes.len() < count {
            return Err(self.malformed());
        }
        let (taken, rest) = self.bytes.split_at(count);
        self.bytes = rest;
        Ok(taken)
    }

    pub(super) fn u8(&mut self) -> Result<u8, TpmError> {
        Ok(self.take(1)?[0])
    }

    pub(super) fn u16(&mut self) -> Result<u16, TpmError> {
        let bytes = self.take(2)?;
        Ok(u16::from_be_bytes([bytes[0], bytes[1]]))
    }

    pub(super) fn u32(&mut self) -> Result<u32, TpmError> {
        let bytes = self.take(4)?;
        Ok(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    /// A TPM2B: its size field and that many bytes, returned together.
    pub(super) fn tpm2b(&mut self) -> Result<&'a [u8], TpmError> {
        let size = match self.bytes {
            [high, low, ..] => usize::from(u16::from_be_bytes([*high, *low])),
            _ => return Err(self.malformed()),
        };
        self.take(2 + size)
    }
}

#[cfg(test)]
pub(super) mod scripted {
    //! A scripted TPM for unit tests: it answers each command with the next answer of a list
    //! and records what it was sent, and when.

    use std::collections::VecDeque;
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    use super::{TctiError, Transport};

    /// One command the scripted TPM received.
    #[derive(Debug, Clone)]
    pub(crate) struct Sent {
        pub(crate) bytes: Vec<u8>,
        pub(crate) at: Instant,
        pub(crate) timeout_ms: i32,
    }

    impl Sent {
        /// The command code.
        pub(crate) fn code(&self) -> u32 {
            u32::from_be_bytes([self.bytes[6], self.bytes[7], self.bytes[8], self.bytes[9]])
        }
    }

    /// The answers still to give, in order: an answer's bytes, or a transport failure.
    type Script = VecDeque<Result<Vec<u8>, TctiError>>;

    /// The scripted TPM; clones share the script and the record.
    #[derive(Clone, Default)]
    pub(crate) struct Scripted {
        answers: Arc<Mutex<Script>>,
        sent: Arc<Mutex<Vec<Sent>>>,
    }

    impl Scripted {
        /// Queues the answer `rc` with `body` after the header (`tag` 0x8001 or 0x8002).
        pub(crate) fn answer(&self, tag: u16, rc: u32, body: &[u8]) {
            let mut bytes = tag.to_be_bytes().to_vec();
            bytes.extend_from_slice(&(10 + body.len() as u32).to_be_bytes());
            bytes.extend_from_slice(&rc.to_be_bytes());
            bytes.extend_from_slice(body);
            self.answers.lock().unwrap().push_back(Ok(bytes));
        }

        /// Queues a failure of the transport.
        pub(crate) fn fail(&self, code: u32) {
            self.answers.lock().unwrap().push_back(Err(TctiError(code)));
        }

        /// What was sent so far.
        pub(crate) fn sent(&self) -> Vec<Sent> {
            self.sent.lock().unwrap().clone()
        }
    }

    impl Transport for Scripted {
        fn execute(
            &mut self,
            command: &[u8],
            response: &mut [u8],
            timeout_ms: i32,
        ) -> Result<usize, TctiError> {
            self.sent.lock().unwrap().push(Sent {
                bytes: command.to_vec(),
                at: Instant::now(),
                timeout_ms,
            });
            // An exhausted script is a TPM that went away.
            let answer = self
                .answers
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or(Err(TctiError(0x000A_000A)))?;
            response[..answer.len()].copy_from_slice(&answer);
            Ok(answer.len())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::scripted::Scripted;
    use super::*;

    #[test]
    fn commands_are_marshalled_as_part_3_lays_them_out() {
        let mut command = Command::new(cc::FLUSH_CONTEXT, &[], false);
        command.u32(0x8000_0001);
        assert_eq!(
            command.finish().unwrap(),
            [0x80, 0x01, 0, 0, 0, 14, 0, 0, 0x01, 0x65, 0x80, 0, 0, 1]
        );
        let mut command = Command::new(cc::LOAD, &[0x8000_0000], true);
        command.bytes(&[0, 1, 0xAA]);
        let bytes = command.finish().unwrap();
        assert_eq!(
            bytes,
            [
                0x80, 0x02, 0, 0, 0, 30, 0, 0, 0x01, 0x57, 0x80, 0, 0, 0, // header, handle
                0, 0, 0, 9, 0x40, 0, 0, 9, 0, 0, 0, 0, 0, // the password session
                0, 1, 0xAA, // parameters
            ]
        );
        // Two authorizations: the password session, then a policy session with its nonce.
        let nonce = [7u8; 32];
        let command = Command::with_auths(
            cc::ACTIVATE_CREDENTIAL,
            &[0x8000_0001, 0x8100_0001],
            &[
                Auth::Password,
                Auth::Policy {
                    session: 0x0300_0000,
                    nonce_caller: &nonce,
                },
            ],
        );
        let bytes = command.finish().unwrap();
        let mut expected = vec![0x80, 0x02, 0, 0, 0, 72, 0, 0, 0x01, 0x47];
        expected.extend_from_slice(&[0x80, 0, 0, 1, 0x81, 0, 0, 1]);
        expected.extend_from_slice(&[0, 0, 0, 50]);
        expected.extend_from_slice(&[0x40, 0, 0, 9, 0, 0, 0, 0, 0]);
        expected.extend_from_slice(&[3, 0, 0, 0, 0, 32]);
        expected.extend_from_slice(&nonce);
        expected.extend_from_slice(&[0, 0, 0]);
        assert_eq!(bytes, expected);
    }

    #[test]
    fn answers_are_read_within_their_bounds() {
        let mut reader = Reader {
            bytes: &[0, 2, 7, 8, 0, 5, 1],
            command: cc::SIGN,
        };
        assert_eq!(reader.tpm2b().unwrap(), &[0, 2, 7, 8]);
        assert_eq!(
            reader.tpm2b(),
            Err(TpmError::Malformed { command: cc::SIGN })
        );
        let mut reader = Reader {
            bytes: &[1],
            command: cc::SIGN,
        };
        assert!(reader.u16().is_err());
        assert!(reader.tpm2b().is_err());
        assert_eq!(reader.u8().unwrap(), 1);
        assert!(reader.u8().is_err());
        // A parameter area longer than the answer.
        let mut answer = Answer {
            reader: Reader {
                bytes: &[0, 0, 0, 9, 1, 2],
                command: cc::LOAD,
            },
            sessions: true,
        };
        assert!(answer.parameters().is_err());
    }

    #[test]
    fn only_tpm_layer_codes_are_the_tpms_own() {
        assert_eq!(TpmError::Code(0x902).tpm_code(), Some(0x902));
        assert_eq!(TpmError::Code(0xA000A).tpm_code(), None);
        assert_eq!(TpmError::Malformed { command: cc::SIGN }.tpm_code(), None);
        assert!(TpmError::Code(0x902)
            .to_string()
            .contains("out of memory for object contexts"));
        assert!(TpmError::Malformed { command: cc::SIGN }
            .to_string()
            .contains("TPM2_Sign"));
        assert!(is_try_again(0x922) && is_try_again(0x908) && is_try_again(0x90A));
        assert!(!is_try_again(0x902));
    }

    /// A session answer's parameter area: `parameterSize` and the bytes.
    fn with_parameter_size(handles: &[u8], parameters: &[u8]) -> Vec<u8> {
        let mut body = handles.to_vec();
        body.extend_from_slice(&(parameters.len() as u32).to_be_bytes());
        body.extend_from_slice(parameters);
        body
    }

    #[test]
    fn try_again_is_sent_again_after_a_growing_pause_within_the_deadline() {
        let tpm = Scripted::default();
        for _ in 0..3 {
            tpm.answer(ST_NO_SESSIONS, 0x922, &[]);
        }
        tpm.answer(ST_NO_SESSIONS, 0, &[0, 2, 0xAB, 0xCD]);
        let mut tpm2 = Tpm2::over(Box::new(tpm.clone()));
        tpm2.set_deadline(Some(Instant::now() + Duration::from_secs(10)));
        assert_eq!(tpm2.get_random(2).unwrap(), [0xAB, 0xCD]);
        let sent = tpm.sent();
        assert_eq!(sent.len(), 4);
        let gaps: Vec<Duration> = sent.windows(2).map(|w| w[1].at - w[0].at).collect();
        for (gap, least) in gaps.iter().zip([10, 20, 40]) {
            assert!(*gap >= Duration::from_millis(least), "{gaps:?}");
        }
        // Each waits at most what is left of the deadline.
        assert!(sent
            .iter()
            .all(|sent| (1..=10_000).contains(&sent.timeout_ms)));

        // A pause that would end after the deadline is not taken: the TPM's answer stands.
        let tpm = Scripted::default();
        tpm.answer(ST_NO_SESSIONS, 0x90A, &[]);
        let mut tpm2 = Tpm2::over(Box::new(tpm.clone()));
        tpm2.set_deadline(Some(Instant::now() + Duration::from_millis(5)));
        assert_eq!(tpm2.get_random(2), Err(TpmError::Code(0x90A)));
        assert_eq!(tpm.sent().len(), 1);
    }

    #[test]
    fn a_deadline_that_passed_sends_nothing_and_an_answer_too_late_poisons_the_connection() {
        let tpm = Scripted::default();
        let mut tpm2 = Tpm2::over(Box::new(tpm.clone()));
        tpm2.set_deadline(Some(Instant::now()));
        assert_eq!(
            tpm2.get_random(1),
            Err(TpmError::Timeout {
                command: cc::GET_RANDOM,
                sent: false
            })
        );
        assert!(tpm.sent().is_empty());
        assert!(!tpm2.is_poisoned());
        // A flush still goes out, with a short grace.
        tpm.answer(ST_NO_SESSIONS, 0, &[]);
        tpm2.flush_context(0x8000_0001).unwrap();
        let flush = &tpm.sent()[0];
        assert_eq!(flush.code(), cc::FLUSH_CONTEXT);
        assert!(
            (1..=1000).contains(&flush.timeout_ms),
            "{}",
            flush.timeout_ms
        );

        // No answer within the receive timeout: the connection carries nothing more.
        tpm.fail(TSS2_TCTI_RC_TRY_AGAIN);
        tpm2.set_deadline(Some(Instant::now() + Duration::from_secs(5)));
        let error = tpm2.get_random(1).unwrap_err();
        assert_eq!(
            error,
            TpmError::Timeout {
                command: cc::GET_RANDOM,
                sent: true
            }
        );
        assert!(error.is_timeout() && error.to_string().contains("did not answer"));
        assert!(tpm2.is_poisoned());
        assert!(tpm2.flush_context(0x8000_0001).is_err());
        assert_eq!(tpm.sent().len(), 2);
        // Without a deadline a command blocks (-1).
        let tpm = Scripted::default();
        tpm.answer(ST_NO_SESSIONS, 0, &[0, 0]);
        let mut tpm2 = Tpm2::over(Box::new(tpm.clone()));
        tpm2.get_random(0).unwrap();
        assert_eq!(tpm.sent()[0].timeout_ms, -1);
    }

    #[test]
    fn a_malformed_answer_that_named_a_new_object_reports_it() {
        // TPM2_Load: the handle, then a parameter area too short for the name.
        let tpm = Scripted::default();
        tpm.answer(
            ST_SESSIONS,
            0,
            &with_parameter_size(&[0x80, 0, 0, 7], &[0, 9, 1]),
        );
        let mut tpm2 = Tpm2::over(Box::new(tpm.clone()));
        assert_eq!(
            tpm2.load(0x8000_0000, &[0, 0], &[0, 0]),
            Err(TpmError::Orphan {
                command: cc::LOAD,
                handle: 0x8000_0007
            })
        );
        // No handle at all: nothing to flush.
        tpm.answer(ST_SESSIONS, 0, &[0x80, 0]);
        assert_eq!(
            tpm2.load(0x8000_0000, &[0, 0], &[0, 0]),
            Err(TpmError::Malformed { command: cc::LOAD })
        );
        // TPM2_CreatePrimary the same.
        tpm.answer(
            ST_SESSIONS,
            0,
            &with_parameter_size(&[0x80, 0, 0, 8], &[0, 1, 0]),
        );
        assert!(matches!(
            tpm2.create_primary(RH_OWNER, &[0, 0]),
            Err(TpmError::Orphan {
                handle: 0x8000_0008,
                ..
            })
        ));
    }

    #[test]
    fn the_parent_name_is_read_off_the_creation_data() {
        // One PCR bank (SHA-256, 3 select bytes), an empty digest, locality, nameAlg, the name.
        let mut data = vec![0, 0, 0, 1, 0, 0x0B, 3, 0, 0, 0, 0, 0, 1, 0, 0x0B];
        data.extend_from_slice(&[0, 4, 0, 0x0B, 0xAA, 0xBB]);
        data.extend_from_slice(&[0, 0, 0, 0]);
        let mut creation_data = (data.len() as u16).to_be_bytes().to_vec();
        creation_data.extend_from_slice(&data);
        assert_eq!(
            parent_name_of(&creation_data, cc::CREATE).unwrap(),
            [0, 0x0B, 0xAA, 0xBB]
        );
        for cut in 0..creation_data.len() - 4 {
            assert!(parent_name_of(&creation_data[..cut], cc::CREATE).is_err());
        }
        let mut many_banks = creation_data.clone();
        many_banks[5] = 0xFF;
        assert!(parent_name_of(&many_banks, cc::CREATE).is_err());
    }
}
