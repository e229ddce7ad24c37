//! The keychain seam: the attributes, items and calls the keychain provider and the keychain
//! secret store are written against, so that a fake keychain can stand in for the real one.

use std::fmt;
use zeroize::Zeroizing;

use super::status::OsStatus;

/// When a keychain item may be read (`kSecAttrAccessible…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Accessibility {
    /// `kSecAttrAccessibleWhenUnlockedThisDeviceOnly`: only while the Mac is unlocked, never
    /// migrated to another device.
    WhenUnlockedThisDeviceOnly,
}

/// A `SecAccessControlCreateFlags` flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccessFlag {
    /// `kSecAccessControlPrivateKeyUsage`: required on Secure Enclave keys, refused elsewhere
    /// (Intel Macs answer -25293 / -25300 when a non-Secure-Enclave key carries it).
    PrivateKeyUsage,
    /// `kSecAccessControlUserPresence`: each use of the private key asks the user (Touch ID,
    /// watch or password).
    UserPresence,
}

/// One attribute of a key to create (`SecKeyCreateRandomKey`) or of a key query
/// (`SecItemCopyMatching`, `SecItemDelete`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KeyAttribute {
    /// `kSecAttrKeyType = kSecAttrKeyTypeECSECPrimeRandom`.
    KeyTypeEcSecPrimeRandom,
    /// `kSecAttrKeySizeInBits`.
    KeySizeInBits(u32),
    /// `kSecAttrTokenID = kSecAttrTokenIDSecureEnclave`.
    TokenSecureEnclave,
    /// `kSecAttrIsPermanent = true` (the key is stored in the keychain).
    Permanent,
    /// `kSecUseDataProtectionKeychain = true`.
    DataProtectionKeychain,
    /// `kSecAttrAccessControl`: a `SecAccessControl` of this accessibility and these flags.
    AccessControl {
        /// The accessibility.
        accessibility: Accessibility,
        /// The flags, none for a key usable without a prompt.
        flags: Vec<AccessFlag>,
    },
    /// `kSecAttrIsExtractable = false`.
    NonExtractable,
    /// `kSecAttrApplicationTag`.
    ApplicationTag(Vec<u8>),
    /// `kSecAttrLabel`.
    Label(String),
    /// `kSecAttrAccessGroup`.
    AccessGroup(String),
}

/// The attributes of a key to create, or of a query for keys; a query also implies
/// `kSecClass = kSecClassKey` and `kSecAttrKeyClass = kSecAttrKeyClassPrivate`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyAttributes(pub Vec<KeyAttribute>);

impl KeyAttributes {
    /// Whether `attribute` is among them.
    pub fn contains(&self, attribute: &KeyAttribute) -> bool {
        self.0.contains(attribute)
    }

    /// The application tag, if any.
    pub fn application_tag(&self) -> Option<&[u8]> {
        self.0.iter().find_map(|attribute| match attribute {
            KeyAttribute::ApplicationTag(tag) => Some(tag.as_slice()),
            _ => None,
        })
    }

    /// The access-control flags, if an access control is set.
    pub fn access_flags(&self) -> Option<&[AccessFlag]> {
        self.0.iter().find_map(|attribute| match attribute {
            KeyAttribute::AccessControl { flags, .. } => Some(flags.as_slice()),
            _ => None,
        })
    }

    /// The attributes in order.
    pub fn iter(&self) -> impl Iterator<Item = &KeyAttribute> {
        self.0.iter()
    }
}

/// A key a lookup found, with the attributes the caller must check before using it.
#[derive(Debug)]
pub struct FoundKey<K> {
    /// The key handle.
    pub key: K,
    /// `kSecAttrIsExtractable` of the key as the keychain reports it.
    pub extractable: bool,
    /// Whether the key lives in the Secure Enclave (`kSecAttrTokenID`).
    pub secure_enclave: bool,
}

/// A generic password item (`kSecClassGenericPassword`), always in the data-protection keychain
/// and accessible only when unlocked on this device.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PasswordItem {
    /// `kSecAttrService`.
    pub service: String,
    /// `kSecAttrAccount`.
    pub account: String,
    /// `kSecAttrAccessGroup`; `None` means the application's default group when adding, and any
    /// of its groups when searching or deleting.
    pub access_group: Option<String>,
}

/// The keychain operations the macOS provider and the keychain secret store use.
///
/// Implementations translate the plain attributes into Security.framework calls and report the
/// raw OSStatus of a failure, `errSecItemNotFound` included; callers decide what each means.
pub trait Keychain: Send + Sync + fmt::Debug {
    /// A handle of a private key (`SecKeyRef`).
    type Key: Send + Sync;
    /// An authentication context reused across user-presence prompts (`LAContext`).
    type AuthContext: Send + Sync;

    /// `SecKeyCreateRandomKey` with these attributes.
    fn create_random_key(&self, attributes: &KeyAttributes) -> Result<Self::Key, OsStatus>;

    /// `SecItemCopyMatching` for one private key matching `query`, authenticating with `auth`.
    fn find_key(
        &self,
        query: &KeyAttributes,
        auth: Option<&Self::AuthContext>,
    ) -> Result<FoundKey<Self::Key>, OsStatus>;

    /// The public key of `key` as X9.63 (`04 || X || Y`).
    fn public_key_x963(&self, key: &Self::Key) -> Result<Vec<u8>, OsStatus>;

    /// `SecKeyCreateSignature` with `kSecKeyAlgorithmECDSASignatureMessageX962SHA256`: a DER
    /// ECDSA signature over SHA-256 of `message`.
    fn sign_message_x962_sha256(
        &self,
        key: &Self::Key,
        message: &[u8],
    ) -> Result<Vec<u8>, OsStatus>;

    /// `SecItemDelete` of the keys matching `query`.
    fn delete_key(&self, query: &KeyAttributes) -> Result<(), OsStatus>;

    /// A fresh authentication context that lets the system skip a prompt for a while after the
    /// user answered one.
    fn new_auth_context(&self) -> Result<Self::AuthContext, OsStatus>;

    /// The data of the password item matching `item`.
    fn get_password(&self, item: &PasswordItem) -> Result<Zeroizing<Vec<u8>>, OsStatus>;

    /// `SecItemAdd` of a new password item; `errSecDuplicateItem` if it exists.
    fn add_password(&self, item: &PasswordItem, secret: &[u8]) -> Result<(), OsStatus>;

    /// `SecItemDelete` of the password items matching `item`.
    fn delete_password(&self, item: &PasswordItem) -> Result<(), OsStatus>;
}
