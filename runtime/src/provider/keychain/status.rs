//! OSStatus codes the keychain reports and the runtime error each one becomes.

use std::fmt;

use devicekey_proof::DeviceKeyError;
use devicekey_protocol::types::DomainErrorKind;

/// The message of a missing keychain entitlement (OSStatus -34018), as codex words it.
pub const ENTITLEMENT_MESSAGE: &str =
    "macOS Keychain entitlements are required to create persistent device keys";

/// A Security.framework result code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OsStatus(pub i32);

impl OsStatus {
    /// `errSecUnimplemented`: the Secure Enclave token is missing (Intel Macs without a T2 chip).
    pub const UNIMPLEMENTED: OsStatus = OsStatus(-4);
    /// `errSecParam`: for a Secure Enclave key, the token refused the parameters.
    pub const PARAM: OsStatus = OsStatus(-50);
    /// `errSecUserCanceled`: the user dismissed an authentication prompt.
    pub const USER_CANCELED: OsStatus = OsStatus(-128);
    /// `errSecAuthFailed`: authentication failed (or, on Intel Macs, a `PrivateKeyUsage` flag on
    /// a key outside the Secure Enclave).
    pub const AUTH_FAILED: OsStatus = OsStatus(-25293);
    /// `errSecDuplicateItem`: an item with these attributes exists.
    pub const DUPLICATE_ITEM: OsStatus = OsStatus(-25299);
    /// `errSecItemNotFound`.
    pub const ITEM_NOT_FOUND: OsStatus = OsStatus(-25300);
    /// `errSecInteractionNotAllowed`: the keychain is locked or cannot prompt.
    pub const INTERACTION_NOT_ALLOWED: OsStatus = OsStatus(-25308);
    /// `errSecMissingEntitlement`: the binary is not signed with a `keychain-access-groups`
    /// entitlement that covers the item.
    pub const MISSING_ENTITLEMENT: OsStatus = OsStatus(-34018);
}

impl fmt::Display for OsStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OSStatus {}", self.0)
    }
}

/// What the runtime was doing when the keychain failed, for the error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeychainOperation {
    /// Creating a key.
    CreateKey,
    /// Looking up a key.
    FindKey,
    /// Reading a public key.
    PublicKey,
    /// Signing.
    Sign,
    /// Deleting a key.
    DeleteKey,
    /// Preparing a user-presence authentication context.
    AuthContext,
    /// Reading a secret.
    ReadSecret,
    /// Writing a secret.
    WriteSecret,
    /// Deleting a secret.
    DeleteSecret,
}

impl KeychainOperation {
    fn describe(self) -> &'static str {
        match self {
            KeychainOperation::CreateKey => "create a device key",
            KeychainOperation::FindKey => "look up a device key",
            KeychainOperation::PublicKey => "read a device key's public key",
            KeychainOperation::Sign => "sign with a device key",
            KeychainOperation::DeleteKey => "delete a device key",
            KeychainOperation::AuthContext => "prepare a user-presence context",
            KeychainOperation::ReadSecret => "read a secret",
            KeychainOperation::WriteSecret => "write a secret",
            KeychainOperation::DeleteSecret => "delete a secret",
        }
    }
}

/// Whether creating a Secure Enclave key failed because there is no usable Secure Enclave
/// (`errSecUnimplemented`, `errSecParam`): the caller may then try the OS-protected fallback.
/// A missing entitlement is not among these.
pub fn secure_enclave_unavailable(status: OsStatus) -> bool {
    matches!(status, OsStatus::UNIMPLEMENTED | OsStatus::PARAM)
}

/// The runtime error of `status` during `operation`. `errSecItemNotFound` is handled by callers
/// (key not found, no secret) before they get here; if it arrives, it is a platform failure.
pub fn keychain_error(operation: KeychainOperation, status: OsStatus) -> DeviceKeyError {
    let action = operation.describe();
    match status {
        OsStatus::MISSING_ENTITLEMENT => {
            DeviceKeyError::new(DomainErrorKind::EntitlementRequired, ENTITLEMENT_MESSAGE)
        }
        OsStatus::USER_CANCELED => DeviceKeyError::new(
            DomainErrorKind::PlatformFailure,
            format!("the user canceled the macOS authentication prompt; could not {action} ({status})"),
        ),
        OsStatus::AUTH_FAILED => DeviceKeyError::new(
            DomainErrorKind::PlatformFailure,
            format!("macOS Keychain authentication failed; could not {action} ({status})"),
        ),
        OsStatus::INTERACTION_NOT_ALLOWED => DeviceKeyError::new(
            DomainErrorKind::PlatformFailure,
            format!("the macOS Keychain is locked or cannot show a prompt; could not {action} ({status})"),
        ),
        OsStatus::DUPLICATE_ITEM => DeviceKeyError::new(
            DomainErrorKind::PlatformFailure,
            format!("the macOS Keychain already holds this item; could not {action} ({status})"),
        ),
        _ => DeviceKeyError::new(
            DomainErrorKind::PlatformFailure,
            format!("the macOS Keychain failed to {action} ({status})"),
        ),
    }
}
