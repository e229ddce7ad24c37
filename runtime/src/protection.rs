//! Protection classes (how a private key is held), the policies that choose among them, and the
//! one signature algorithm.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How a device key's private half is protected. The key id prefix names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProtectionClass {
    /// Apple Secure Enclave (`dk_hse_`).
    HardwareSecureEnclave,
    /// TPM 2.0 (`dk_tpm_`).
    HardwareTpm,
    /// A non-extractable key protected by the operating system (`dk_osn_`).
    OsProtectedNonextractable,
    /// (ext) A software key in the secret store, for development and tests (`dk_swk_`).
    Software,
}

impl ProtectionClass {
    /// Every class, strongest first.
    pub const ALL: [ProtectionClass; 4] = [
        ProtectionClass::HardwareSecureEnclave,
        ProtectionClass::HardwareTpm,
        ProtectionClass::OsProtectedNonextractable,
        ProtectionClass::Software,
    ];

    /// The wire string (`hardware_secure_enclave`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            ProtectionClass::HardwareSecureEnclave => "hardware_secure_enclave",
            ProtectionClass::HardwareTpm => "hardware_tpm",
            ProtectionClass::OsProtectedNonextractable => "os_protected_nonextractable",
            ProtectionClass::Software => "software",
        }
    }

    /// Parses the wire string.
    pub fn from_wire(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|class| class.as_str() == text)
    }

    /// The key id prefix of this class (`dk_hse_`, ...).
    pub const fn key_id_prefix(self) -> &'static str {
        match self {
            ProtectionClass::HardwareSecureEnclave => "dk_hse_",
            ProtectionClass::HardwareTpm => "dk_tpm_",
            ProtectionClass::OsProtectedNonextractable => "dk_osn_",
            ProtectionClass::Software => "dk_swk_",
        }
    }

    /// Whether the key lives in dedicated hardware.
    pub const fn is_hardware(self) -> bool {
        matches!(
            self,
            ProtectionClass::HardwareSecureEnclave | ProtectionClass::HardwareTpm
        )
    }
}

impl fmt::Display for ProtectionClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which protection classes a caller accepts for a new key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProtectionPolicy {
    /// The two hardware classes only; the default when the policy is omitted or null.
    #[default]
    HardwareOnly,
    /// The hardware classes and `os_protected_nonextractable`.
    AllowOsProtectedNonextractable,
    /// (ext) Every class, `software` included: for development and tests, never a silent fallback.
    AllowSoftware,
}

impl ProtectionPolicy {
    /// Every policy, strictest first.
    pub const ALL: [ProtectionPolicy; 3] = [
        ProtectionPolicy::HardwareOnly,
        ProtectionPolicy::AllowOsProtectedNonextractable,
        ProtectionPolicy::AllowSoftware,
    ];

    /// The wire string (`hardware_only`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            ProtectionPolicy::HardwareOnly => "hardware_only",
            ProtectionPolicy::AllowOsProtectedNonextractable => "allow_os_protected_nonextractable",
            ProtectionPolicy::AllowSoftware => "allow_software",
        }
    }

    /// Parses the wire string.
    pub fn from_wire(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|policy| policy.as_str() == text)
    }

    /// Whether a key of `class` satisfies this policy.
    pub const fn allows(self, class: ProtectionClass) -> bool {
        match self {
            ProtectionPolicy::HardwareOnly => class.is_hardware(),
            ProtectionPolicy::AllowOsProtectedNonextractable => {
                class.is_hardware() || matches!(class, ProtectionClass::OsProtectedNonextractable)
            }
            ProtectionPolicy::AllowSoftware => true,
        }
    }
}

impl fmt::Display for ProtectionPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The signature algorithm: ECDSA on P-256 over SHA-256, DER-encoded signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Algorithm {
    /// `ecdsa_p256_sha256`.
    #[default]
    #[serde(rename = "ecdsa_p256_sha256")]
    EcdsaP256Sha256,
}

impl Algorithm {
    /// The wire string.
    pub const fn as_str(self) -> &'static str {
        match self {
            Algorithm::EcdsaP256Sha256 => "ecdsa_p256_sha256",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProtectionPolicy::*;

    #[test]
    fn policies_allow_exactly_the_documented_classes() {
        let table = [
            (HardwareOnly, [true, true, false, false]),
            (AllowOsProtectedNonextractable, [true, true, true, false]),
            (AllowSoftware, [true, true, true, true]),
        ];
        for (policy, expected) in table {
            for (class, allowed) in ProtectionClass::ALL.into_iter().zip(expected) {
                assert_eq!(policy.allows(class), allowed, "{policy} / {class}");
            }
        }
        assert_eq!(ProtectionPolicy::default(), HardwareOnly);
    }

    #[test]
    fn wire_strings_round_trip_through_serde_and_from_wire() {
        for class in ProtectionClass::ALL {
            let json = serde_json::to_string(&class).unwrap();
            assert_eq!(json, format!("\"{}\"", class.as_str()));
            assert_eq!(ProtectionClass::from_wire(class.as_str()), Some(class));
        }
        for policy in ProtectionPolicy::ALL {
            let json = serde_json::to_string(&policy).unwrap();
            assert_eq!(json, format!("\"{}\"", policy.as_str()));
            assert_eq!(ProtectionPolicy::from_wire(policy.as_str()), Some(policy));
        }
        assert_eq!(
            serde_json::to_string(&Algorithm::EcdsaP256Sha256).unwrap(),
            "\"ecdsa_p256_sha256\""
        );
        assert_eq!(ProtectionClass::from_wire("Software"), None);
        assert_eq!(ProtectionPolicy::from_wire("hardware"), None);
    }
}
