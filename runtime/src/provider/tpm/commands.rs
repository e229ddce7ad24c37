//! The TPM 2.0 commands the provider sends, marshalled and their answers parsed here (TPM 2.0
//! Part 3 layouts, big-endian), each one command through the TCTI: nothing is sent that the
//! caller did not ask for, so the commands a capture shows are the ones written in the provider.
//!
//! Authorizations use the password session (`TPM_RS_PW`) with an empty password: the owner
//! hierarchy and the keys have empty auth values. Answers are checked for size and shape
//! before anything is read out of them; a malformed one is an error, never a panic. A TPM that
//! answers `TPM_RC_RETRY`, `TPM_RC_YIELDED` or `TPM_RC_TESTING` is asked again, a few times, as
//! the TSS's own ESAPI does.

use std::fmt;

use tss_esapi::constants::response_code::Tss2ResponseCode;

use super::tcti::{Tcti, TctiError};

/// The largest command or response of a TPM 2.0 (`MAX_COMMAND_SIZE`, `MAX_RESPONSE_SIZE` of the
/// PC Client profile).
const MAX_MESSAGE: usize = 4096;

/// How many times one command is sent, at most, while the TPM answers "try again".
const MAX_SUBMISSIONS: usize = 5;

/// `TPM_ST_NO_SESSIONS`, `TPM_ST_SESSIONS`.
const ST_NO_SESSIONS: u16 = 0x8001;
const ST_SESSIONS: u16 = 0x8002;
/// `TPM_RS_PW`: the password authorization session.
const RS_PW: u32 = 0x4000_0009;
/// `TPM_RH_OWNER`, `TPM_RH_NULL`.
const RH_OWNER: u32 = 0x4000_0001;
const RH_NULL: u32 = 0x4000_0007;
/// `TPM_ST_HASHCHECK`: the tag of a hash-check ticket.
const ST_HASHCHECK: u16 = 0x8024;
/// `TPM_ALG_ECDSA`, `TPM_ALG_SHA256`.
const ALG_ECDSA: u16 = 0x0018;
const ALG_SHA256: u16 = 0x000B;
/// `TPM_CAP_HANDLES`.
const CAP_HANDLES: u32 = 0x0000_0001;
/// `TPM_HT_TRANSIENT`'s first handle.
pub(super) const TRANSIENT_FIRST: u32 = 0x8000_0000;
/// How many handles one `TPM2_GetCapability` asks for (`MAX_CAP_HANDLES` for 4096-byte
/// answers is larger; a TPM has a handful of object slots).
const HANDLES_PER_ROUND: u32 = 64;
/// The most `TPM2_GetCapability` rounds [`Tpm2::transient_handles`] makes.
const MAX_HANDLE_ROUNDS: usize = 8;

/// The command codes the provider sends (`TPM_CC_*`), and their names for logs and captures.
pub(super) mod cc {
    /// `TPM2_CreatePrimary`.
    pub(crate) const CREATE_PRIMARY: u32 = 0x0000_0131;
    /// `TPM2_Create`.
    pub(crate) const CREATE: u32 = 0x0000_0153;
    /// `TPM2_Load`.
    pub(crate) const LOAD: u32 = 0x0000_0157;
    /// `TPM2_Sign`.
    pub(crate) const SIGN: u32 = 0x0000_015D;
    /// `TPM2_FlushContext`.
    pub(crate) const FLUSH_CONTEXT: u32 = 0x0000_0165;
    /// `TPM2_ReadPublic`.
    pub(crate) const READ_PUBLIC: u32 = 0x0000_0173;
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
}

impl TpmError {
    /// The TPM's own response code, if the TPM answered with one (not the TSS below us).
    pub(super) fn tpm_code(self) -> Option<u32> {
        match self {
            TpmError::Code(code) if code >> 16 == 0 => Some(code),
            _ => None,
        }
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
            TpmError::Malformed { command } => write!(
                f,
                "the TPM's answer to {} is malformed",
                command_name(command)
            ),
        }
    }
}

/// The name of a command code, as TPM 2.0 Part 3 spells it.
pub(super) fn command_name(code: u32) -> String {
    let name = match code {
        cc::CREATE_PRIMARY => "TPM2_CreatePrimary",
        cc::CREATE => "TPM2_Create",
        cc::LOAD => "TPM2_Load",
        cc::SIGN => "TPM2_Sign",
        cc::FLUSH_CONTEXT => "TPM2_FlushContext",
        cc::READ_PUBLIC => "TPM2_ReadPublic",
        cc::GET_CAPABILITY => "TPM2_GetCapability",
        cc::GET_RANDOM => "TPM2_GetRandom",
        other => return format!("command {other:#x}"),
    };
    name.to_owned()
}

/// A key `TPM2_Create` made: its `TPM2B_PUBLIC` and `TPM2B_PRIVATE`, each with its size field,
/// as the TPM sent them.
pub(super) struct Created {
    pub(super) public: Vec<u8>,
    pub(super) private: zeroize::Zeroizing<Vec<u8>>,
}

/// A TPM reached through a TCTI, one command at a time.
pub(super) struct Tpm2 {
    tcti: Tcti,
    response: Box<[u8; MAX_MESSAGE]>,
}

impl Tpm2 {
    /// Opens the TCTI `name_conf` names (see [`Tcti::open`]); sends nothing.
    pub(super) fn open(name_conf: &str) -> Result<Tpm2, TpmError> {
        Ok(Tpm2 {
            tcti: Tcti::open(name_conf)?,
            response: Box::new([0; MAX_MESSAGE]),
        })
    }

    /// `TPM2_CreatePrimary` in the owner hierarchy from `template` (a marshalled
    /// `TPM2B_PUBLIC`); the new object's handle and name.
    pub(super) fn create_primary(&mut self, template: &[u8]) -> Result<(u32, Vec<u8>), TpmError> {
        let mut command = Command::new(cc::CREATE_PRIMARY, &[RH_OWNER], true);
        creation_parameters(&mut command, template);
        let mut answer = self.execute(command)?;
        let handle = answer.handle()?;
        let mut parameters = answer.parameters()?;
        parameters.tpm2b()?; // outPublic
        parameters.tpm2b()?; // creationData
        parameters.tpm2b()?; // creationHash
        parameters.u16()?; // creationTicket: tag,
        parameters.u32()?; // hierarchy,
        parameters.tpm2b()?; // digest
        let name = parameters.tpm2b()?[2..].to_vec();
        Ok((handle, name))
    }

    /// `TPM2_Create` of a child of `parent` from `template` (a marshalled `TPM2B_PUBLIC`).
    pub(super) fn create(&mut self, parent: u32, template: &[u8]) -> Result<Created, TpmError> {
        let mut command = Command::new(cc::CREATE, &[parent], true);
        creation_parameters(&mut command, template);
        let mut answer = self.execute(command)?;
        let mut parameters = answer.parameters()?;
        let private = zeroize::Zeroizing::new(parameters.tpm2b()?.to_vec());
        let public = parameters.tpm2b()?.to_vec();
        Ok(Created { public, private })
    }

    /// `TPM2_Load` of a key's `TPM2B_PRIVATE` and `TPM2B_PUBLIC` (each with its size field)
    /// under `parent`; the loaded object's handle.
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
        answer.parameters()?.tpm2b()?; // name
        Ok(handle)
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
        let malformed = TpmError::Malformed { command: cc::SIGN };
        if parameters.u16()? != ALG_ECDSA || parameters.u16()? != ALG_SHA256 {
            return Err(malformed);
        }
        let r = parameters.tpm2b()?[2..].to_vec();
        let s = parameters.tpm2b()?[2..].to_vec();
        Ok((r, s))
    }

    /// `TPM2_FlushContext` of a transient object.
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

    /// Sends `command` and checks its answer's header: the answer, or the TPM's response code
    /// as the error. Asks again, a few times, while the TPM says to try again.
    fn execute(&mut self, command: Command) -> Result<Answer<'_>, TpmError> {
        let code = command.code;
        let sessions = command.sessions;
        let bytes = command.finish()?;
        let mut length = 0;
        for submission in 1..=MAX_SUBMISSIONS {
            length = self.tcti.execute(&bytes, &mut self.response[..])?;
            let header = self.response.get(..length).and_then(|r| r.get(..10));
            let Some(header) = header else {
                return Err(TpmError::Malformed { command: code });
            };
            let rc = u32::from_be_bytes([header[6], header[7], header[8], header[9]]);
            if submission < MAX_SUBMISSIONS && is_try_again(rc) {
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

/// A command being marshalled: header, handles, the password authorization if it takes one,
/// then the parameters.
struct Command {
    code: u32,
    sessions: bool,
    bytes: Vec<u8>,
}

impl Command {
    fn new(code: u32, handles: &[u32], authorized: bool) -> Command {
        let mut command = Command {
            code,
            sessions: authorized,
            bytes: Vec::with_capacity(256),
        };
        command.u16(if authorized {
            ST_SESSIONS
        } else {
            ST_NO_SESSIONS
        });
        command.u32(0); // the size, set by `finish`
        command.u32(code);
        for &handle in handles {
            command.u32(handle);
        }
        if authorized {
            // authorizationSize, then one TPMS_AUTH_COMMAND: the password session with an empty
            // nonce, no attributes and an empty password.
            command.u32(9);
            command.u32(RS_PW);
            command.u16(0);
            command.u8(0);
            command.u16(0);
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
    /// authorization area after them is not read: a password session's says nothing); without,
    /// the rest of the answer.
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
struct Reader<'a> {
    bytes: &'a [u8],
    command: u32,
}

impl<'a> Reader<'a> {
    fn malformed(&self) -> TpmError {
        TpmError::Malformed {
            command: self.command,
        }
    }

    fn take(&mut self, count: usize) -> Result<&'a [u8], TpmError> {
        if self.bytes.len() < count {
            return Err(self.malformed());
        }
        let (taken, rest) = self.bytes.split_at(count);
        self.bytes = rest;
        Ok(taken)
    }

    fn u8(&mut self) -> Result<u8, TpmError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, TpmError> {
        let bytes = self.take(2)?;
        Ok(u16::from_be_bytes([bytes[0], bytes[1]]))
    }

    fn u32(&mut self) -> Result<u32, TpmError> {
        let bytes = self.take(4)?;
        Ok(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    /// A TPM2B: its size field and that many bytes, returned together.
    fn tpm2b(&mut self) -> Result<&'a [u8], TpmError> {
        let size = match self.bytes {
            [high, low, ..] => usize::from(u16::from_be_bytes([*high, *low])),
            _ => return Err(self.malformed()),
        };
        self.take(2 + size)
    }
}

#[cfg(test)]
mod tests {
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
}
