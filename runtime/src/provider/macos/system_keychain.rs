//! The keychain seam over Security.framework: each plain attribute becomes its `kSec…` key and
//! value, and each call reports its raw OSStatus. The authentication context of user-presence
//! keys is a LocalAuthentication `LAContext`. The only `unsafe` of the crate lives here.

#![allow(unsafe_code)]

use core_foundation::base::{CFType, CFTypeRef, TCFType};
use core_foundation::boolean::CFBoolean;
use core_foundation::data::CFData;
use core_foundation::dictionary::CFDictionary;
use core_foundation::error::CFError;
use core_foundation::number::CFNumber;
use core_foundation::string::{CFString, CFStringRef};
use objc2::rc::Retained;
use objc2_local_authentication::LAContext;
use security_framework::access_control::{ProtectionMode, SecAccessControl};
use security_framework::key::{Algorithm, SecKey};
use security_framework_sys::access_control::{
    kSecAccessControlPrivateKeyUsage, kSecAccessControlUserPresence,
    kSecAttrAccessibleWhenUnlockedThisDeviceOnly,
};
use security_framework_sys::item::{
    kSecAttrAccessControl, kSecAttrAccessGroup, kSecAttrAccount, kSecAttrIsPermanent,
    kSecAttrKeyClass, kSecAttrKeyClassPrivate, kSecAttrKeySizeInBits, kSecAttrKeyType,
    kSecAttrKeyTypeECSECPrimeRandom, kSecAttrLabel, kSecAttrService, kSecAttrTokenID,
    kSecAttrTokenIDSecureEnclave, kSecClass, kSecClassGenericPassword, kSecClassKey,
    kSecPrivateKeyAttrs, kSecReturnData, kSecReturnRef, kSecUseAuthenticationContext,
    kSecUseDataProtectionKeychain, kSecValueData,
};
use security_framework_sys::keychain_item::{SecItemAdd, SecItemCopyMatching, SecItemDelete};
use zeroize::Zeroizing;

use crate::provider::keychain::{
    AccessFlag, Accessibility, FoundKey, KeyAttribute, KeyAttributes, Keychain, OsStatus,
    PasswordItem, PRESENCE_REUSE_SECONDS,
};

// Constants Security.framework exports that security-framework-sys does not declare.
#[link(name = "Security", kind = "framework")]
extern "C" {
    static kSecAttrIsExtractable: CFStringRef;
    static kSecAttrApplicationTag: CFStringRef;
    static kSecAttrAccessible: CFStringRef;
}

/// `errSecInternalComponent`: what a call that returned no object and no status reports.
const INTERNAL_COMPONENT: OsStatus = OsStatus(-26276);

/// The data-protection keychain of the signed process.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemKeychain;

/// The authentication context of user-presence keys: an `LAContext` given to the key lookup as
/// `kSecUseAuthenticationContext`.
///
/// Once the user has answered the prompt of a signature made through a key found with this
/// context, the lookups that pass the same context again do not prompt: the provider keeps one
/// for [`PRESENCE_REUSE_SECONDS`] (`PresenceContexts`). Its
/// `touchIDAuthenticationAllowableReuseDuration` is set to the same window, which also lets a
/// recent Touch ID unlock of the Mac count for the first prompt.
#[derive(Debug)]
pub struct AuthContext(Retained<LAContext>);

// SAFETY: objc2 leaves `LAContext` neither `Send` nor `Sync` because its properties are plain
// unsynchronized setters. `AuthContext` exposes none of them: the only property written is set in
// `AuthContext::new`, before the value can reach another thread, and afterwards Rust only retains,
// releases (atomic in the Objective-C runtime) and hands the pointer to Security.framework as a
// query value. The keychain API is callable from any thread and is designed for one context to be
// passed to successive keychain operations, and LocalAuthentication itself works with its
// contexts off the creating thread (its replies run on a private queue).
unsafe impl Send for AuthContext {}
// SAFETY: as for `Send`: a shared `&AuthContext` only yields a retained pointer, never access to
// the context's mutable state.
unsafe impl Sync for AuthContext {}

impl AuthContext {
    /// A fresh context whose biometric reuse window is [`PRESENCE_REUSE_SECONDS`].
    fn new() -> AuthContext {
        // SAFETY: `+[LAContext new]` has no precondition; it returns an owned, initialized object.
        let context = unsafe { LAContext::new() };
        // A few minutes: exact as an `f64` (`NSTimeInterval`, seconds).
        let window = PRESENCE_REUSE_SECONDS as f64;
        // SAFETY: the setter takes a plain `NSTimeInterval`; the context is not shared yet, so no
        // other thread observes the change.
        unsafe { context.setTouchIDAuthenticationAllowableReuseDuration(window) };
        AuthContext(context)
    }

    /// The context as a CF value of a query dictionary.
    fn as_cf_type(&self) -> CFType {
        let context: *const LAContext = Retained::as_ptr(&self.0);
        // SAFETY: `context` points to a live Objective-C object (kept alive by `self.0`), and any
        // Objective-C object is a valid `CFTypeRef` for CFRetain / CFRelease (toll-free bridging),
        // which is how `kSecUseAuthenticationContext` expects its `LAContext`. Wrapping under the
        // get rule retains it, so the `CFType` owns its own reference.
        unsafe { CFType::wrap_under_get_rule(context.cast()) }
    }
}

/// A `kSec…` constant as a `CFString`.
fn constant(name: CFStringRef) -> CFString {
    // SAFETY: `name` is one of Security.framework's exported `kSec…` constants: a valid,
    // immortal CFString. Wrapping under the get rule retains it, so the wrapper owns a reference.
    unsafe { CFString::wrap_under_get_rule(name) }
}

/// Reads one of the `kSec…` statics.
macro_rules! sec {
    ($name:ident) => {
        // SAFETY: reading an immutable extern static that Security.framework initializes at load
        // time; it is never written afterwards.
        constant(unsafe { $name })
    };
}

fn boolean(value: bool) -> CFType {
    CFBoolean::from(value).as_CFType()
}

fn status_of(error: &CFError) -> OsStatus {
    OsStatus(i32::try_from(error.code()).unwrap_or(INTERNAL_COMPONENT.0))
}

/// A boolean attribute, which the keychain reports as a `CFBoolean` or a `CFNumber`.
fn truth(value: &CFType) -> Option<bool> {
    if let Some(boolean) = value.downcast::<CFBoolean>() {
        return Some(boolean.into());
    }
    value
        .downcast::<CFNumber>()
        .and_then(|number| number.to_i64())
        .map(|number| number != 0)
}

fn check(status: i32) -> Result<(), OsStatus> {
    if status == 0 {
        Ok(())
    } else {
        Err(OsStatus(status))
    }
}

fn dictionary(pairs: &[(CFString, CFType)]) -> CFDictionary<CFString, CFType> {
    CFDictionary::from_CFType_pairs(pairs)
}

fn access_control(accessibility: Accessibility, flags: &[AccessFlag]) -> Result<CFType, OsStatus> {
    let protection = match accessibility {
        Accessibility::WhenUnlockedThisDeviceOnly => {
            ProtectionMode::AccessibleWhenUnlockedThisDeviceOnly
        }
    };
    let flags = flags.iter().fold(0, |bits, flag| {
        bits | match flag {
            AccessFlag::PrivateKeyUsage => kSecAccessControlPrivateKeyUsage,
            AccessFlag::UserPresence => kSecAccessControlUserPresence,
        }
    });
    SecAccessControl::create_with_protection(Some(protection), flags)
        .map(|control| control.as_CFType())
        .map_err(|error| OsStatus(error.code()))
}

/// The `kSec…` pairs of a key query (class private key, plus the query's attributes).
fn key_query(query: &KeyAttributes) -> Result<Vec<(CFString, CFType)>, OsStatus> {
    let mut pairs = vec![
        (sec!(kSecClass), sec!(kSecClassKey).as_CFType()),
        (
            sec!(kSecAttrKeyClass),
            sec!(kSecAttrKeyClassPrivate).as_CFType(),
        ),
    ];
    for attribute in query.iter() {
        pairs.push(match attribute {
            KeyAttribute::KeyTypeEcSecPrimeRandom => (
                sec!(kSecAttrKeyType),
                sec!(kSecAttrKeyTypeECSECPrimeRandom).as_CFType(),
            ),
            KeyAttribute::TokenSecureEnclave => (
                sec!(kSecAttrTokenID),
                sec!(kSecAttrTokenIDSecureEnclave).as_CFType(),
            ),
            KeyAttribute::DataProtectionKeychain => {
                (sec!(kSecUseDataProtectionKeychain), boolean(true))
            }
            KeyAttribute::NonExtractable => (sec!(kSecAttrIsExtractable), boolean(false)),
            KeyAttribute::ApplicationTag(tag) => (
                sec!(kSecAttrApplicationTag),
                CFData::from_buffer(tag).as_CFType(),
            ),
            KeyAttribute::Label(label) => (sec!(kSecAttrLabel), CFString::new(label).as_CFType()),
            KeyAttribute::AccessGroup(group) => {
                (sec!(kSecAttrAccessGroup), CFString::new(group).as_CFType())
            }
            // Creation-only attributes have no meaning in a query.
            KeyAttribute::KeySizeInBits(_)
            | KeyAttribute::Permanent
            | KeyAttribute::AccessControl { .. } => return Err(OsStatus::PARAM),
        });
    }
    Ok(pairs)
}

/// The `kSec…` pairs naming a generic password item in the data-protection keychain.
fn password_query(item: &PasswordItem) -> Vec<(CFString, CFType)> {
    let mut pairs = vec![
        (sec!(kSecClass), sec!(kSecClassGenericPassword).as_CFType()),
        (
            sec!(kSecAttrService),
            CFString::new(&item.service).as_CFType(),
        ),
        (
            sec!(kSecAttrAccount),
            CFString::new(&item.account).as_CFType(),
        ),
        (sec!(kSecUseDataProtectionKeychain), boolean(true)),
    ];
    if let Some(group) = &item.access_group {
        pairs.push((sec!(kSecAttrAccessGroup), CFString::new(group).as_CFType()));
    }
    pairs
}

/// `SecItemCopyMatching` returning one object of type `T`.
fn copy_matching<T: core_foundation::ConcreteCFType>(
    pairs: &[(CFString, CFType)],
) -> Result<T, OsStatus> {
    let query = dictionary(pairs);
    let mut result: CFTypeRef = std::ptr::null();
    // SAFETY: `query` is a valid CFDictionary for the duration of the call and `result` is a
    // valid out-pointer; on success the function stores an owned (+1) reference in it.
    check(unsafe { SecItemCopyMatching(query.as_concrete_TypeRef(), &mut result) })?;
    if result.is_null() {
        return Err(INTERNAL_COMPONENT);
    }
    // SAFETY: `result` is non-null and owned by us (the create rule); `CFType` releases it.
    let object = unsafe { CFType::wrap_under_create_rule(result) };
    object.downcast_into::<T>().ok_or(INTERNAL_COMPONENT)
}

fn delete_matching(pairs: &[(CFString, CFType)]) -> Result<(), OsStatus> {
    let query = dictionary(pairs);
    // SAFETY: `query` is a valid CFDictionary for the duration of the call.
    check(unsafe { SecItemDelete(query.as_concrete_TypeRef()) })
}

impl Keychain for SystemKeychain {
    type Key = SecKey;
    type AuthContext = AuthContext;

    fn create_random_key(&self, attributes: &KeyAttributes) -> Result<SecKey, OsStatus> {
        let mut top = Vec::new();
        let mut private = Vec::new();
        for attribute in attributes.iter() {
            match attribute {
                KeyAttribute::KeyTypeEcSecPrimeRandom => top.push((
                    sec!(kSecAttrKeyType),
                    sec!(kSecAttrKeyTypeECSECPrimeRandom).as_CFType(),
                )),
                KeyAttribute::KeySizeInBits(bits) => top.push((
                    sec!(kSecAttrKeySizeInBits),
                    CFNumber::from(i64::from(*bits)).as_CFType(),
                )),
                KeyAttribute::TokenSecureEnclave => top.push((
                    sec!(kSecAttrTokenID),
                    sec!(kSecAttrTokenIDSecureEnclave).as_CFType(),
                )),
                KeyAttribute::DataProtectionKeychain => {
                    top.push((sec!(kSecUseDataProtectionKeychain), boolean(true)))
                }
                KeyAttribute::AccessGroup(group) => {
                    top.push((sec!(kSecAttrAccessGroup), CFString::new(group).as_CFType()))
                }
                KeyAttribute::Permanent => private.push((sec!(kSecAttrIsPermanent), boolean(true))),
                KeyAttribute::AccessControl {
                    accessibility,
                    flags,
                } => private.push((
                    sec!(kSecAttrAccessControl),
                    access_control(*accessibility, flags)?,
                )),
                KeyAttribute::NonExtractable => {
                    private.push((sec!(kSecAttrIsExtractable), boolean(false)))
                }
                KeyAttribute::ApplicationTag(tag) => private.push((
                    sec!(kSecAttrApplicationTag),
                    CFData::from_buffer(tag).as_CFType(),
                )),
                KeyAttribute::Label(label) => {
                    private.push((sec!(kSecAttrLabel), CFString::new(label).as_CFType()))
                }
            }
        }
        top.push((sec!(kSecPrivateKeyAttrs), dictionary(&private).as_CFType()));
        #[allow(deprecated)]
        // `SecKey::new` takes a fixed option set without tag or extractability.
        SecKey::generate(dictionary(&top).to_untyped()).map_err(|error| status_of(&error))
    }

    fn find_key(
        &self,
        query: &KeyAttributes,
        auth: Option<&AuthContext>,
    ) -> Result<FoundKey<SecKey>, OsStatus> {
        let mut pairs = key_query(query)?;
        pairs.push((sec!(kSecReturnRef), boolean(true)));
        // The returned key evaluates its access control (the user-presence prompt) through this
        // context, so a context already authenticated signs without prompting again.
        if let Some(auth) = auth {
            pairs.push((sec!(kSecUseAuthenticationContext), auth.as_cf_type()));
        }
        let key: SecKey = copy_matching(&pairs)?;
        let attributes = key.attributes();
        // SAFETY: `SecKeyCopyAttributes` returns a valid dictionary whose keys are CFStrings and
        // whose values are CF objects; the typed view takes its own reference (get rule).
        let attributes: CFDictionary<CFString, CFType> =
            unsafe { CFDictionary::wrap_under_get_rule(attributes.as_concrete_TypeRef()) };
        let secure_enclave = attributes
            .find(sec!(kSecAttrTokenID))
            .and_then(|token| token.downcast::<CFString>())
            .is_some_and(|token| token == sec!(kSecAttrTokenIDSecureEnclave));
        // A Secure Enclave private key cannot leave the enclave whatever its `extr` attribute
        // says; for other keys the attribute decides, and a missing one counts as extractable.
        let extractable = !secure_enclave
            && attributes
                .find(sec!(kSecAttrIsExtractable))
                .and_then(|value| truth(&value))
                .unwrap_or(true);
        Ok(FoundKey {
            key,
            extractable,
            secure_enclave,
        })
    }

    fn public_key_x963(&self, key: &SecKey) -> Result<Vec<u8>, OsStatus> {
        let public = key.public_key().ok_or(INTERNAL_COMPONENT)?;
        let data = public.external_representation().ok_or(INTERNAL_COMPONENT)?;
        Ok(data.bytes().to_vec())
    }

    fn sign_message_x962_sha256(&self, key: &SecKey, message: &[u8]) -> Result<Vec<u8>, OsStatus> {
        key.create_signature(Algorithm::ECDSASignatureMessageX962SHA256, message)
            .map_err(|error| status_of(&error))
    }

    fn delete_key(&self, query: &KeyAttributes) -> Result<(), OsStatus> {
        delete_matching(&key_query(query)?)
    }

    fn new_auth_context(&self) -> Result<AuthContext, OsStatus> {
        Ok(AuthContext::new())
    }

    fn get_password(&self, item: &PasswordItem) -> Result<Zeroizing<Vec<u8>>, OsStatus> {
        let mut pairs = password_query(item);
        pairs.push((sec!(kSecReturnData), boolean(true)));
        let data: CFData = copy_matching(&pairs)?;
        Ok(Zeroizing::new(data.bytes().to_vec()))
    }

    fn add_password(&self, item: &PasswordItem, secret: &[u8]) -> Result<(), OsStatus> {
        let mut pairs = password_query(item);
        pairs.push((
            sec!(kSecAttrAccessible),
            sec!(kSecAttrAccessibleWhenUnlockedThisDeviceOnly).as_CFType(),
        ));
        pairs.push((sec!(kSecValueData), CFData::from_buffer(secret).as_CFType()));
        let attributes = dictionary(&pairs);
        // SAFETY: `attributes` is a valid CFDictionary for the duration of the call; a null
        // result pointer asks for no returned object.
        check(unsafe { SecItemAdd(attributes.as_concrete_TypeRef(), std::ptr::null_mut()) })
    }

    fn delete_password(&self, item: &PasswordItem) -> Result<(), OsStatus> {
        delete_matching(&password_query(item))
    }
}
