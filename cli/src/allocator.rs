//! Tuning of glibc's allocator, so that the memory of one large request goes back to the system
//! once the request is done.
//!
//! glibc serves an allocation of at least `M_MMAP_THRESHOLD` bytes with a mapping of its own,
//! unmapped when freed, but it raises that threshold each time such a mapping is freed (up to
//! 32 MiB on 64-bit). After a few large requests (a 1 MiB line parses to a 16 MiB vector of
//! values), their buffers come from the heap instead, where fragmentation keeps them resident:
//! four clients sending 1 MiB requests for a minute took the server from 10 MiB to 94 MiB and
//! it stayed there. Fixing the threshold (which also turns its adjustment off) keeps the peak
//! at about 58 MiB and gives it back afterwards (`cargo bench -p devicekey --bench hostile`).

/// The fixed threshold: glibc's own starting value, 128 KiB.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 128 * 1024;

/// Fixes glibc's mmap threshold; call it first thing, before other threads start.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub(crate) fn tune() {
    // SAFETY: `mallopt` only sets a parameter of glibc's allocator; it takes plain integers,
    // and is called before any other thread of this process exists.
    let done = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD) };
    if done != 1 {
        tracing::debug!("glibc refused to fix its mmap threshold");
    }
}

/// Other allocators return large allocations to the system on their own.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn tune() {}
