//! The provider's only foreign calls: a TCTI (the TSS's TPM command transmission interface)
//! opened through libtss2's TCTI loader (`Tss2_TctiLdr_Initialize`), which takes every TCTI the
//! system has a library for (`device:`, `swtpm:`, `mssim:`, `tabrmd:`, `cmd:`, and `pcap:`,
//! which records the TPM traffic of the TCTI it wraps), and one TPM command at a time sent and
//! answered through it.
//!
//! tss-esapi 7.7 cannot do this: its `Context` is built only from its own `TctiNameConf`, which
//! knows four TCTI names and refuses the rest (`pcap:` among them), and it offers no way to
//! build a context on a TCTI opened elsewhere. So the provider talks to the TCTI itself: the
//! commands it sends are marshalled in safe code (the `commands` module), and this module only
//! opens, uses and closes the TCTI context.

// The platform boundary: the one module of the Linux provider that calls C (see the crate root).
#![allow(unsafe_code)]

use std::ffi::CString;
use std::fmt;
use std::ptr::{self, NonNull};

use tss_esapi::tss2_esys::{
    size_t, Tss2_TctiLdr_Finalize, Tss2_TctiLdr_Initialize, TSS2_RC, TSS2_TCTI_CONTEXT,
    TSS2_TCTI_CONTEXT_COMMON_V1,
};

/// `TSS2_TCTI_RC_BAD_REFERENCE`: the TCTI loader handed back no usable context.
const TSS2_TCTI_RC_BAD_REFERENCE: TSS2_RC = 0x000A_0005;
/// `TSS2_TCTI_RC_ABI_MISMATCH`: the context is of a TCTI ABI older than version 1.
const TSS2_TCTI_RC_ABI_MISMATCH: TSS2_RC = 0x000A_0004;
/// `TSS2_TCTI_RC_INSUFFICIENT_BUFFER`: the answer does not fit the buffer.
const TSS2_TCTI_RC_INSUFFICIENT_BUFFER: TSS2_RC = 0x000A_0006;
/// `TSS2_TCTI_RC_NOT_IMPLEMENTED`: the TCTI lacks a function every TCTI must have.
const TSS2_TCTI_RC_NOT_IMPLEMENTED: TSS2_RC = 0x000A_0002;
/// `TSS2_TCTI_RC_BAD_VALUE`: a TCTI string with a NUL byte in it.
const TSS2_TCTI_RC_BAD_VALUE: TSS2_RC = 0x000A_000B;
/// `TSS2_TCTI_RC_TRY_AGAIN`: no answer came within the receive timeout (the command is still
/// with the TPM, and its answer still due).
pub(super) const TSS2_TCTI_RC_TRY_AGAIN: TSS2_RC = 0x000A_0009;

/// Why a TCTI call failed: the `TSS2_RC` the TCTI (or its loader) returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TctiError(pub(super) TSS2_RC);

impl fmt::Display for TctiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = tss_esapi::constants::response_code::Tss2ResponseCode::from(self.0);
        write!(f, "{code} ({:#x})", self.0)
    }
}

/// An open TCTI context; closed (`Tss2_TctiLdr_Finalize`) when dropped.
pub(super) struct Tcti {
    context: NonNull<TSS2_TCTI_CONTEXT>,
}

// SAFETY: a TCTI context is plain memory and file descriptors owned by this value; libtss2 keeps
// no per-thread state for it, and every use goes through `&mut self` (or `Drop`), so one thread
// at a time touches it. Moving it to the provider's worker thread is what `Send` allows.
unsafe impl Send for Tcti {}

impl Tcti {
    /// Opens the TCTI that `name_conf` (`<name>:<config>`, as tpm2-tools' `--tcti` takes it)
    /// names, through libtss2's TCTI loader.
    pub(super) fn open(name_conf: &str) -> Result<Tcti, TctiError> {
        let name_conf = CString::new(name_conf).map_err(|_| TctiError(TSS2_TCTI_RC_BAD_VALUE))?;
        let mut context: *mut TSS2_TCTI_CONTEXT = ptr::null_mut();
        // SAFETY: `name_conf` is a NUL-terminated string that outlives the call (the loader
        // copies what it keeps), and `context` is a valid place for the loader to write the
        // pointer to the context it allocates.
        let rc = unsafe { Tss2_TctiLdr_Initialize(name_conf.as_ptr(), &mut context) };
        if rc != 0 {
            return Err(TctiError(rc));
        }
        let context = NonNull::new(context).ok_or(TctiError(TSS2_TCTI_RC_BAD_REFERENCE))?;
        // From here on `Drop` finalizes the context, whatever the checks below say.
        let tcti = Tcti { context };
        let common = tcti.common();
        if common.version < 1 {
            return Err(TctiError(TSS2_TCTI_RC_ABI_MISMATCH));
        }
        if common.transmit.is_none() || common.receive.is_none() {
            return Err(TctiError(TSS2_TCTI_RC_NOT_IMPLEMENTED));
        }
        Ok(tcti)
    }

    /// The context's common header (magic, version, function table), copied.
    fn common(&self) -> TSS2_TCTI_CONTEXT_COMMON_V1 {
        // SAFETY: `context` came from a successful `Tss2_TctiLdr_Initialize` and stays valid
        // until `Drop`. Every TCTI context starts with the version-1 common header (the TCTI
        // specification says so, and tss2_tcti.h's `Tss2_Tcti_Transmit` macro reads it the same
        // way); the loader's own context does too. The memory is malloc'ed, so aligned for it.
        unsafe { *self.context.as_ptr().cast::<TSS2_TCTI_CONTEXT_COMMON_V1>() }
    }

    /// Sends one marshalled command and waits for its answer, written to the start of
    /// `response`, at most `timeout_ms` milliseconds (`Tss2_Tcti_Receive`'s timeout; `-1`
    /// blocks); returns the answer's length. No answer in time is [`TSS2_TCTI_RC_TRY_AGAIN`],
    /// after which the answer is still due: the connection cannot carry another command and must
    /// be closed. The device TCTI keeps the timeout (it polls the device); libtss2's network
    /// TCTIs (`swtpm:`, `mssim:`) and `cmd:` block whatever it says, so the provider's worker
    /// keeps its deadlines above this call too.
    pub(super) fn execute(
        &mut self,
        command: &[u8],
        response: &mut [u8],
        timeout_ms: i32,
    ) -> Result<usize, TctiError> {
        let common = self.common();
        let (Some(transmit), Some(receive)) = (common.transmit, common.receive) else {
            return Err(TctiError(TSS2_TCTI_RC_NOT_IMPLEMENTED));
        };
        let length =
            size_t::try_from(command.len()).map_err(|_| TctiError(TSS2_TCTI_RC_BAD_VALUE))?;
        let capacity = size_t::try_from(response.len())
            .map_err(|_| TctiError(TSS2_TCTI_RC_INSUFFICIENT_BUFFER))?;
        // SAFETY: the context is valid (see `common`) and used by this thread alone
        // (`&mut self`); `command` is readable for `length` bytes during the call.
        let rc = unsafe { transmit(self.context.as_ptr(), length, command.as_ptr()) };
        if rc != 0 {
            return Err(TctiError(rc));
        }
        let mut size = capacity;
        // SAFETY: as above; `response` is writable for `size` bytes, the length the TCTI is told
        // it may write, and `size` is a valid place for it to write the answer's length.
        let rc = unsafe {
            receive(
                self.context.as_ptr(),
                &mut size,
                response.as_mut_ptr(),
                timeout_ms,
            )
        };
        if rc != 0 {
            return Err(TctiError(rc));
        }
        usize::try_from(size)
            .ok()
            .filter(|&size| size <= response.len())
            .ok_or(TctiError(TSS2_TCTI_RC_INSUFFICIENT_BUFFER))
    }
}

impl Drop for Tcti {
    fn drop(&mut self) {
        let mut context = self.context.as_ptr();
        // SAFETY: `context` came from `Tss2_TctiLdr_Initialize` and is finalized exactly once,
        // here; nothing uses it afterwards (the value is being dropped).
        unsafe { Tss2_TctiLdr_Finalize(&mut context) };
    }
}
