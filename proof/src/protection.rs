//! What the protocol's protection classes and policies mean, as behaviour on the generated enums
//! (`DeviceKeyProtectionClass`, `DeviceKeyProtectionPolicy`): the key id prefix of each class and
//! which classes each policy allows.

use devicekey_protocol::types::{DeviceKeyProtectionClass, DeviceKeyProtectionPolicy};

/// Behaviour of a protection class.
pub trait ProtectionClassExt: Sized {
    /// The key id prefix of this class (`dk_hse_`, ...).
    fn key_id_prefix(self) -> &'static str;
    /// Whether the key lives in dedicated hardware.
    fn is_hardware(&self) -> bool;
    /// The class whose key id prefix `key_id` starts with.
    fn of_key_id(key_id: &str) -> Option<Self>;
}

impl ProtectionClassExt for DeviceKeyProtectionClass {
    fn key_id_prefix(self) -> &'static str {
        match self {
            DeviceKeyProtectionClass::HardwareSecureEnclave => "dk_hse_",
            DeviceKeyProtectionClass::HardwareTpm => "dk_tpm_",
            DeviceKeyProtectionClass::OsProtectedNonextractable => "dk_osn_",
            DeviceKeyProtectionClass::Software => "dk_swk_",
        }
    }

    fn is_hardware(&self) -> bool {
        matches!(
            *self,
            DeviceKeyProtectionClass::HardwareSecureEnclave | DeviceKeyProtectionClass::HardwareTpm
        )
    }

    fn of_key_id(key_id: &str) -> Option<Self> {
        DeviceKeyProtectionClass::ALL
            .into_iter()
            .find(|class| key_id.starts_with(class.key_id_prefix()))
    }
}

/// Behaviour of a protection policy.
pub trait ProtectionPolicyExt {
    /// Whether a key of `class` satisfies this policy.
    fn allows(self, class: DeviceKeyProtectionClass) -> bool;
}

impl ProtectionPolicyExt for DeviceKeyProtectionPolicy {
    fn allows(self, class: DeviceKeyProtectionClass) -> bool {
        match self {
            DeviceKeyProtectionPolicy::HardwareOnly => class.is_hardware(),
            DeviceKeyProtectionPolicy::AllowOsProtectedNonextractable => {
                class.is_hardware() || class == DeviceKeyProtectionClass::OsProtectedNonextractable
            }
            DeviceKeyProtectionPolicy::AllowSoftware => true,
        }
    }
}

/// The policy of a create request: omitted or null means `hardware_only`.
pub fn effective_policy(policy: Option<DeviceKeyProtectionPolicy>) -> DeviceKeyProtectionPolicy {
    policy.unwrap_or(DeviceKeyProtectionPolicy::HardwareOnly)
}

#[cfg(test)]
mod tests {
    use super::*;
    use DeviceKeyProtectionPolicy::*;

    #[test]
    fn policies_allow_exactly_the_documented_classes() {
        let table = [
            (HardwareOnly, [true, true, false, false]),
            (AllowOsProtectedNonextractable, [true, true, true, false]),
            (AllowSoftware, [true, true, true, true]),
        ];
        for (policy, expected) in table {
            for (class, allowed) in DeviceKeyProtectionClass::ALL.into_iter().zip(expected) {
                assert_eq!(policy.allows(class), allowed, "{policy} / {class}");
            }
        }
        assert_eq!(effective_policy(None), HardwareOnly);
    }

    #[test]
    fn every_class_has_its_own_prefix() {
        for class in DeviceKeyProtectionClass::ALL {
            let id = format!("{}rest", class.key_id_prefix());
            assert_eq!(DeviceKeyProtectionClass::of_key_id(&id), Some(class));
        }
        assert_eq!(DeviceKeyProtectionClass::of_key_id("dk_xyz_"), None);
    }
}
