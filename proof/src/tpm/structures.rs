//! The TPM 2.0 structures the attestation reads (TPM 2.0 Part 2): `TPMT_PUBLIC` of RSA and ECC
//! objects, `TPMS_ATTEST` with `TPMS_CERTIFY_INFO`, and object names.

use super::marshal::Reader;
use super::refusal::TpmRefusal;

/// `TPM_ALG_RSA`.
pub const TPM_ALG_RSA: u16 = 0x0001;
/// `TPM_ALG_SHA1`.
pub const TPM_ALG_SHA1: u16 = 0x0004;
/// `TPM_ALG_AES`.
pub const TPM_ALG_AES: u16 = 0x0006;
/// `TPM_ALG_SHA256`.
pub const TPM_ALG_SHA256: u16 = 0x000b;
/// `TPM_ALG_SHA384`.
pub const TPM_ALG_SHA384: u16 = 0x000c;
/// `TPM_ALG_SHA512`.
pub const TPM_ALG_SHA512: u16 = 0x000d;
/// `TPM_ALG_NULL`.
pub const TPM_ALG_NULL: u16 = 0x0010;
/// `TPM_ALG_RSASSA`.
pub const TPM_ALG_RSASSA: u16 = 0x0014;
/// `TPM_ALG_RSAES`.
pub const TPM_ALG_RSAES: u16 = 0x0015;
/// `TPM_ALG_ECDSA`.
pub const TPM_ALG_ECDSA: u16 = 0x0018;
/// `TPM_ALG_ECDAA`.
pub const TPM_ALG_ECDAA: u16 = 0x001a;
/// `TPM_ALG_ECC`.
pub const TPM_ALG_ECC: u16 = 0x0023;
/// `TPM_ALG_CFB`.
pub const TPM_ALG_CFB: u16 = 0x0043;
/// `TPM_ECC_NIST_P256`.
pub const TPM_ECC_NIST_P256: u16 = 0x0003;
/// `TPM_ECC_NIST_P384`.
pub const TPM_ECC_NIST_P384: u16 = 0x0004;
/// `TPM_GENERATED_VALUE`: the magic that starts every structure the TPM signs itself.
pub const TPM_GENERATED_VALUE: u32 = 0xff54_4347;
/// `TPM_ST_ATTEST_CERTIFY`: a `TPMS_ATTEST` of `TPM2_Certify`.
pub const TPM_ST_ATTEST_CERTIFY: u16 = 0x8017;
/// `TPM_RH_ENDORSEMENT`: the endorsement hierarchy's handle, the parent of its primary objects.
pub const TPM_RH_ENDORSEMENT: u32 = 0x4000_000b;

/// The largest RSA modulus read (`TPM2B_PUBLIC_KEY_RSA`, 4096 bits).
const MAX_RSA_KEY_BYTES: usize = 512;
/// The largest ECC coordinate read (`TPM2B_ECC_PARAMETER`).
const MAX_ECC_KEY_BYTES: usize = 128;
/// The largest digest (`TPM2B_DIGEST`, SHA-512).
const MAX_DIGEST_BYTES: usize = 64;
/// The largest name (`TPM2B_NAME`: an algorithm and a SHA-512 digest).
const MAX_NAME_BYTES: usize = 2 + MAX_DIGEST_BYTES;
/// The largest `TPM2B_DATA` (`sizeof(TPMT_HA)`).
const MAX_DATA_BYTES: usize = 2 + MAX_DIGEST_BYTES;

/// The hash algorithms a name can be computed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameHash {
    Sha256,
    Sha384,
    Sha512,
}

impl NameHash {
    /// The hash of a TPM algorithm id, if supported (SHA-1 is not).
    pub(crate) fn from_alg(alg: u16) -> Option<NameHash> {
        match alg {
            TPM_ALG_SHA256 => Some(NameHash::Sha256),
            TPM_ALG_SHA384 => Some(NameHash::Sha384),
            TPM_ALG_SHA512 => Some(NameHash::Sha512),
            _ => None,
        }
    }

    /// The digest size in bytes.
    pub(crate) fn size(self) -> usize {
        match self {
            NameHash::Sha256 => 32,
            NameHash::Sha384 => 48,
            NameHash::Sha512 => 64,
        }
    }

    /// The digest of the concatenation of `parts`.
    pub(crate) fn digest(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: sha2::Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut hasher = D::new();
            for part in parts {
                hasher.update(part);
            }
            hasher.finalize().to_vec()
        }
        match self {
            NameHash::Sha256 => run::<sha2::Sha256>(parts),
            NameHash::Sha384 => run::<sha2::Sha384>(parts),
            NameHash::Sha512 => run::<sha2::Sha512>(parts),
        }
    }
}

/// A name of a TPM algorithm, for messages.
pub(crate) fn alg_name(alg: u16) -> String {
    match alg {
        TPM_ALG_RSA => "RSA".into(),
        TPM_ALG_SHA1 => "SHA-1".into(),
        TPM_ALG_AES => "AES".into(),
        TPM_ALG_SHA256 => "SHA-256".into(),
        TPM_ALG_SHA384 => "SHA-384".into(),
        TPM_ALG_SHA512 => "SHA-512".into(),
        TPM_ALG_NULL => "NULL".into(),
        TPM_ALG_RSASSA => "RSASSA".into(),
        TPM_ALG_RSAES => "RSAES".into(),
        TPM_ALG_ECDSA => "ECDSA".into(),
        TPM_ALG_ECC => "ECC".into(),
        TPM_ALG_CFB => "CFB".into(),
        other => format!("algorithm {other:#06x}"),
    }
}

/// `TPMA_OBJECT`: an object's attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ObjectAttributes(pub u32);

impl ObjectAttributes {
    /// `fixedTPM`: the object cannot be duplicated out of this TPM.
    pub const FIXED_TPM: u32 = 1 << 1;
    /// `stClear`.
    pub const ST_CLEAR: u32 = 1 << 2;
    /// `fixedParent`: the object cannot be duplicated to another parent.
    pub const FIXED_PARENT: u32 = 1 << 4;
    /// `sensitiveDataOrigin`: the TPM generated the private part.
    pub const SENSITIVE_DATA_ORIGIN: u32 = 1 << 5;
    /// `userWithAuth`.
    pub const USER_WITH_AUTH: u32 = 1 << 6;
    /// `adminWithPolicy`.
    pub const ADMIN_WITH_POLICY: u32 = 1 << 7;
    /// `noDA`.
    pub const NO_DA: u32 = 1 << 10;
    /// `encryptedDuplication`.
    pub const ENCRYPTED_DUPLICATION: u32 = 1 << 11;
    /// `restricted`.
    pub const RESTRICTED: u32 = 1 << 16;
    /// `decrypt`.
    pub const DECRYPT: u32 = 1 << 17;
    /// `sign` (also `encrypt`).
    pub const SIGN: u32 = 1 << 18;
    /// `x509sign`.
    pub const X509_SIGN: u32 = 1 << 19;

    /// The attributes' names in the specification's spelling, in bit order.
    const NAMES: [(u32, &'static str); 12] = [
        (Self::FIXED_TPM, "fixedTPM"),
        (Self::ST_CLEAR, "stClear"),
        (Self::FIXED_PARENT, "fixedParent"),
        (Self::SENSITIVE_DATA_ORIGIN, "sensitiveDataOrigin"),
        (Self::USER_WITH_AUTH, "userWithAuth"),
        (Self::ADMIN_WITH_POLICY, "adminWithPolicy"),
        (Self::NO_DA, "noDA"),
        (Self::ENCRYPTED_DUPLICATION, "encryptedDuplication"),
        (Self::RESTRICTED, "restricted"),
        (Self::DECRYPT, "decrypt"),
        (Self::SIGN, "sign"),
        (Self::X509_SIGN, "x509sign"),
    ];

    /// Whether every bit of `bits` is set.
    pub fn has(self, bits: u32) -> bool {
        self.0 & bits == bits
    }

    /// The names of the set attributes this crate knows (`fixedTPM`, `sign`, ...).
    pub fn names(self) -> Vec<&'static str> {
        Self::NAMES
            .iter()
            .filter(|(bit, _)| self.has(*bit))
            .map(|(_, name)| *name)
            .collect()
    }

    /// The names of the attributes of `bits` that are not set.
    pub(crate) fn missing(self, bits: u32) -> Vec<&'static str> {
        Self::NAMES
            .iter()
            .filter(|(bit, _)| bits & bit != 0 && !self.has(*bit))
            .map(|(_, name)| *name)
            .collect()
    }

    /// The names of the attributes of `bits` that are set.
    pub(crate) fn present(self, bits: u32) -> Vec<&'static str> {
        Self::NAMES
            .iter()
            .filter(|(bit, _)| bits & bit != 0 && self.has(*bit))
            .map(|(_, name)| *name)
            .collect()
    }
}

/// `TPMT_SYM_DEF_OBJECT` other than `TPM_ALG_NULL`: a storage key's symmetric algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SymmetricDefinition {
    /// The algorithm (`TPM_ALG_AES`, ...).
    pub algorithm: u16,
    /// Its key size in bits.
    pub key_bits: u16,
    /// Its mode (`TPM_ALG_CFB`, ...).
    pub mode: u16,
}

/// A scheme other than `TPM_ALG_NULL` (`TPMT_RSA_SCHEME`, `TPMT_ECC_SCHEME`, `TPMT_KDF_SCHEME`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheme {
    /// The scheme (`TPM_ALG_ECDSA`, `TPM_ALG_RSASSA`, ...).
    pub scheme: u16,
    /// Its hash algorithm (`TPM_ALG_NULL` for a scheme without one, such as RSAES).
    pub hash_alg: u16,
    /// ECDAA's `count`.
    pub count: Option<u16>,
}

/// The algorithm-specific part of a `TPMT_PUBLIC`: `TPMU_PUBLIC_PARMS` and `TPMU_PUBLIC_ID`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKeyArea {
    /// `TPM_ALG_RSA`.
    Rsa {
        /// `symmetric`, `None` for `TPM_ALG_NULL`.
        symmetric: Option<SymmetricDefinition>,
        /// `scheme`, `None` for `TPM_ALG_NULL`.
        scheme: Option<Scheme>,
        /// `keyBits`.
        key_bits: u16,
        /// `exponent` (0 means 65537).
        exponent: u32,
        /// `unique`: the modulus, big-endian.
        modulus: Vec<u8>,
    },
    /// `TPM_ALG_ECC`.
    Ecc {
        /// `symmetric`, `None` for `TPM_ALG_NULL`.
        symmetric: Option<SymmetricDefinition>,
        /// `scheme`, `None` for `TPM_ALG_NULL`.
        scheme: Option<Scheme>,
        /// `curveID` (`TPM_ECC_NIST_P256`, ...).
        curve: u16,
        /// `kdf`, `None` for `TPM_ALG_NULL`.
        kdf: Option<Scheme>,
        /// `unique.x`, big-endian.
        x: Vec<u8>,
        /// `unique.y`, big-endian.
        y: Vec<u8>,
    },
}

/// A parsed `TPMT_PUBLIC` of an RSA or ECC object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TpmPublic {
    /// `nameAlg`.
    pub name_alg: u16,
    /// `objectAttributes`.
    pub attributes: ObjectAttributes,
    /// `authPolicy`.
    pub auth_policy: Vec<u8>,
    /// `parameters` and `unique`.
    pub key: PublicKeyArea,
}

impl TpmPublic {
    /// Parses a marshalled `TPMT_PUBLIC` (without a `TPM2B_PUBLIC` size), all of `bytes`; `what`
    /// names it in the refusal (`malformed`).
    pub fn parse(bytes: &[u8], what: &'static str) -> Result<TpmPublic, TpmRefusal> {
        let mut reader = Reader::new(bytes, what);
        let object_type = reader.u16("type")?;
        let name_alg = reader.u16("nameAlg")?;
        let attributes = ObjectAttributes(reader.u32("objectAttributes")?);
        let auth_policy = reader.tpm2b("authPolicy", MAX_DIGEST_BYTES)?.to_vec();
        let key = match object_type {
            TPM_ALG_RSA => {
                let symmetric = read_symmetric(&mut reader)?;
                let scheme = read_scheme(&mut reader, "scheme")?;
                let key_bits = reader.u16("keyBits")?;
                let exponent = reader.u32("exponent")?;
                let modulus = reader.tpm2b("unique.rsa", MAX_RSA_KEY_BYTES)?.to_vec();
                PublicKeyArea::Rsa {
                    symmetric,
                    scheme,
                    key_bits,
                    exponent,
                    modulus,
                }
            }
            TPM_ALG_ECC => {
                let symmetric = read_symmetric(&mut reader)?;
                let scheme = read_scheme(&mut reader, "scheme")?;
                let curve = reader.u16("curveID")?;
                let kdf = read_scheme(&mut reader, "kdf")?;
                let x = reader.tpm2b("unique.x", MAX_ECC_KEY_BYTES)?.to_vec();
                let y = reader.tpm2b("unique.y", MAX_ECC_KEY_BYTES)?.to_vec();
                PublicKeyArea::Ecc {
                    symmetric,
                    scheme,
                    curve,
                    kdf,
                    x,
                    y,
                }
            }
            other => {
                return Err(reader.malformed(format!("type {other:#06x} is not an RSA or ECC key")))
            }
        };
        reader.finish()?;
        Ok(TpmPublic {
            name_alg,
            attributes,
            auth_policy,
            key,
        })
    }
}

/// The name of an object: `nameAlg || H_nameAlg(public_area)`, with `public_area` its marshalled
/// `TPMT_PUBLIC` (which starts with `type` and then `nameAlg`). `None` when the bytes are too
/// short to hold a `nameAlg` or the hash is not supported (SHA-256, SHA-384 and SHA-512 are).
pub fn object_name(public_area: &[u8]) -> Option<Vec<u8>> {
    let alg = public_area.get(2..4)?;
    let hash = NameHash::from_alg(u16::from_be_bytes([*alg.first()?, *alg.get(1)?]))?;
    let mut name = alg.to_vec();
    name.extend_from_slice(&hash.digest(&[public_area]));
    Some(name)
}

/// The qualified name of a primary object of the hierarchy `hierarchy` (a permanent handle,
/// whose qualified name is the handle itself): `nameAlg || H_nameAlg(hierarchy || name)`.
pub(crate) fn primary_qualified_name(name: &[u8], hierarchy: u32) -> Option<Vec<u8>> {
    let alg = name.get(..2)?;
    let hash = NameHash::from_alg(u16::from_be_bytes([*alg.first()?, *alg.get(1)?]))?;
    let mut qualified = alg.to_vec();
    qualified.extend_from_slice(&hash.digest(&[&hierarchy.to_be_bytes(), name]));
    Some(qualified)
}

fn read_symmetric(reader: &mut Reader<'_>) -> Result<Option<SymmetricDefinition>, TpmRefusal> {
    let algorithm = reader.u16("symmetric.algorithm")?;
    if algorithm == TPM_ALG_NULL {
        return Ok(None);
    }
    let key_bits = reader.u16("symmetric.keyBits")?;
    let mode = reader.u16("symmetric.mode")?;
    Ok(Some(SymmetricDefinition {
        algorithm,
        key_bits,
        mode,
    }))
}

/// A scheme: every RSA, ECC and KDF scheme but RSAES has a hash algorithm, and ECDAA a count.
fn read_scheme(reader: &mut Reader<'_>, field: &str) -> Result<Option<Scheme>, TpmRefusal> {
    let scheme = reader.u16(field)?;
    match scheme {
        TPM_ALG_NULL => Ok(None),
        TPM_ALG_RSAES => Ok(Some(Scheme {
            scheme,
            hash_alg: TPM_ALG_NULL,
            count: None,
        })),
        _ => {
            let hash_alg = reader.u16(field)?;
            let count = if scheme == TPM_ALG_ECDAA {
                Some(reader.u16(field)?)
            } else {
                None
            };
            Ok(Some(Scheme {
                scheme,
                hash_alg,
                count,
            }))
        }
    }
}

/// `TPMS_CLOCK_INFO`: the TPM's clock when it signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockInfo {
    /// `clock`: milliseconds the TPM has been powered since it was made (or last cleared).
    pub clock: u64,
    /// `resetCount`: TPM resets (reboots) since the last clear.
    pub reset_count: u32,
    /// `restartCount`: restarts (resumes) since the last reset.
    pub restart_count: u32,
    /// `safe`: the clock has not gone back since it was last reported.
    pub safe: bool,
}

/// `TPMS_CERTIFY_INFO`: what `TPM2_Certify` attests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertifyInfo {
    /// `name`: the certified object's name.
    pub name: Vec<u8>,
    /// `qualifiedName`: its qualified name.
    pub qualified_name: Vec<u8>,
}

/// A parsed `TPMS_ATTEST`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TpmAttest {
    /// `magic` (`TPM_GENERATED_VALUE` when the TPM made it).
    pub magic: u32,
    /// `type` (`TPM_ST_ATTEST_CERTIFY` for `TPM2_Certify`).
    pub attest_type: u16,
    /// `qualifiedSigner`: the signing key's qualified name.
    pub qualified_signer: Vec<u8>,
    /// `extraData`: the caller's qualifying data (the nonce).
    pub extra_data: Vec<u8>,
    /// `clockInfo`.
    pub clock_info: ClockInfo,
    /// `firmwareVersion`: vendor-specific.
    pub firmware_version: u64,
    /// `attested`, for `TPM_ST_ATTEST_CERTIFY`; `None` for other types, whose `attested` is not
    /// read.
    pub certify: Option<CertifyInfo>,
}

impl TpmAttest {
    /// Parses a marshalled `TPMS_ATTEST` (without a `TPM2B_ATTEST` size). For
    /// `TPM_ST_ATTEST_CERTIFY` all of `bytes` must be the structure; for another type only the
    /// header is read.
    pub fn parse(bytes: &[u8]) -> Result<TpmAttest, TpmRefusal> {
        let mut reader = Reader::new(bytes, "attest");
        let magic = reader.u32("magic")?;
        let attest_type = reader.u16("type")?;
        let qualified_signer = reader.tpm2b("qualifiedSigner", MAX_NAME_BYTES)?.to_vec();
        let extra_data = reader.tpm2b("extraData", MAX_DATA_BYTES)?.to_vec();
        let clock = reader.u64("clockInfo.clock")?;
        let reset_count = reader.u32("clockInfo.resetCount")?;
        let restart_count = reader.u32("clockInfo.restartCount")?;
        let safe = match reader.u8("clockInfo.safe")? {
            0 => false,
            1 => true,
            other => return Err(reader.malformed(format!("clockInfo.safe is {other}, not 0 or 1"))),
        };
        let firmware_version = reader.u64("firmwareVersion")?;
        let certify = if attest_type == TPM_ST_ATTEST_CERTIFY {
            let name = reader.tpm2b("attested.name", MAX_NAME_BYTES)?.to_vec();
            let qualified_name = reader
                .tpm2b("attested.qualifiedName", MAX_NAME_BYTES)?
                .to_vec();
            reader.finish()?;
            Some(CertifyInfo {
                name,
                qualified_name,
            })
        } else {
            None
        };
        Ok(TpmAttest {
            magic,
            attest_type,
            qualified_signer,
            extra_data,
            clock_info: ClockInfo {
                clock,
                reset_count,
                restart_count,
                safe,
            },
            firmware_version,
            certify,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A TCG EK template L-2 public area (ECC NIST P-256) with a made-up point.
    fn ecc_public() -> Vec<u8> {
        let mut bytes = vec![0x00, 0x23, 0x00, 0x0b, 0x00, 0x03, 0x00, 0xb2, 0x00, 0x20];
        bytes.extend_from_slice(&[0x11; 32]);
        bytes.extend_from_slice(&[0x00, 0x06, 0x00, 0x80, 0x00, 0x43]);
        bytes.extend_from_slice(&[0x00, 0x10, 0x00, 0x03, 0x00, 0x10]);
        bytes.extend_from_slice(&[0x00, 0x20]);
        bytes.extend_from_slice(&[0x22; 32]);
        bytes.extend_from_slice(&[0x00, 0x20]);
        bytes.extend_from_slice(&[0x33; 32]);
        bytes
    }

    #[test]
    fn parses_an_ecc_public_area_and_refuses_trailing_bytes() {
        let bytes = ecc_public();
        let public = TpmPublic::parse(&bytes, "ekPublic").unwrap();
        assert_eq!(public.name_alg, TPM_ALG_SHA256);
        assert_eq!(public.attributes.0, 0x0003_00b2);
        assert_eq!(
            public.attributes.names(),
            [
                "fixedTPM",
                "fixedParent",
                "sensitiveDataOrigin",
                "adminWithPolicy",
                "restricted",
                "decrypt"
            ]
        );
        match public.key {
            PublicKeyArea::Ecc {
                symmetric,
                scheme,
                curve,
                kdf,
                x,
                y,
            } => {
                assert_eq!(
                    symmetric,
                    Some(SymmetricDefinition {
                        algorithm: TPM_ALG_AES,
                        key_bits: 128,
                        mode: TPM_ALG_CFB
                    })
                );
                assert_eq!((scheme, curve, kdf), (None, TPM_ECC_NIST_P256, None));
                assert_eq!((x, y), (vec![0x22; 32], vec![0x33; 32]));
            }
            other => panic!("not ECC: {other:?}"),
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            TpmPublic::parse(&longer, "ekPublic").unwrap_err().kind(),
            "malformed"
        );
        let name = object_name(&bytes).unwrap();
        assert_eq!(name.len(), 34);
        assert_eq!(&name[..2], &[0x00, 0x0b]);
    }

    #[test]
    fn every_truncation_and_byte_flip_is_refused_or_parsed_without_panic() {
        let bytes = ecc_public();
        for end in 0..bytes.len() {
            assert!(TpmPublic::parse(&bytes[..end], "ekPublic").is_err());
        }
        for index in 0..bytes.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut changed = bytes.clone();
                changed[index] ^= flip;
                let _ = TpmPublic::parse(&changed, "ekPublic");
                let _ = TpmAttest::parse(&changed);
                let _ = object_name(&changed);
            }
        }
    }
}
