//! Where the TCG puts a TPM's endorsement keys and their certificates (TCG EK Credential Profile
//! for TPM Family 2.0, and the TCG's handle registry), and how much of a certificate the
//! provider passes on.

/// The NV index of the RSA 2048 EK's certificate (TCG EK Credential Profile, template L-1).
pub const EK_CERTIFICATE_RSA_2048: u32 = 0x01C0_0002;
/// The NV index of the ECC NIST P-256 EK's certificate (template L-2).
pub const EK_CERTIFICATE_ECC_P256: u32 = 0x01C0_000A;
/// The TCG's persistent handle of the RSA 2048 EK.
pub const PERSISTENT_EK_RSA_2048: u32 = 0x8101_0001;
/// The TCG's persistent handle of the ECC P-256 EK.
pub const PERSISTENT_EK_ECC_P256: u32 = 0x8101_0002;
/// The most bytes of an EK certificate passed on (the protocol's `TpmBytesBase64` carries at
/// most 4096 base64 characters, 3072 bytes; EK certificates are about 1 KiB).
pub const MAX_EK_CERTIFICATE: usize = 3072;
