//! The TPM's key derivation functions (TPM 2.0 Part 1, "Key Derivation Functions"): KDFa
//! (SP 800-108 counter mode with HMAC) and KDFe (SP 800-56A one-step with the hash), HMAC, and
//! AES in CFB mode with a zero IV as TPM2_MakeCredential uses it.

use aes::cipher::{BlockCipherEncrypt, KeyInit};
use hmac::Mac as _;
use zeroize::Zeroizing;

use super::structures::NameHash;

/// HMAC of the concatenation of `parts` under `key`.
pub(crate) fn hmac(hash: NameHash, key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    fn run<D>(key: &[u8], parts: &[&[u8]]) -> Vec<u8>
    where
        D: hmac::EagerHash,
        hmac::Hmac<D>: hmac::KeyInit + hmac::Mac,
    {
        // HMAC takes a key of any length.
        let Ok(mut mac) = <hmac::Hmac<D> as hmac::KeyInit>::new_from_slice(key) else {
            return Vec::new();
        };
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().to_vec()
    }
    match hash {
        NameHash::Sha256 => run::<sha2::Sha256>(key, parts),
        NameHash::Sha384 => run::<sha2::Sha384>(key, parts),
        NameHash::Sha512 => run::<sha2::Sha512>(key, parts),
    }
}

/// KDFa(hash, key, label, contextU, contextV, bits): the blocks
/// `HMAC(key, [i]32 || label || 0x00 || contextU || contextV || [bits]32)` for i = 1, 2, ...,
/// truncated to `bits` (a multiple of 8). `label` is given without its terminating NUL.
pub(crate) fn kdfa(
    hash: NameHash,
    key: &[u8],
    label: &[u8],
    context_u: &[u8],
    context_v: &[u8],
    bits: u32,
) -> Zeroizing<Vec<u8>> {
    let wanted = usize::try_from(bits / 8).unwrap_or(0);
    let mut out = Zeroizing::new(Vec::with_capacity(wanted + hash.size()));
    let mut counter: u32 = 1;
    while out.len() < wanted {
        let block = Zeroizing::new(hmac(
            hash,
            key,
            &[
                &counter.to_be_bytes(),
                label,
                &[0],
                context_u,
                context_v,
                &bits.to_be_bytes(),
            ],
        ));
        out.extend_from_slice(&block);
        counter = counter.wrapping_add(1);
    }
    out.truncate(wanted);
    out
}

/// KDFe(hash, Z, label, partyUInfo, partyVInfo, bits): the blocks
/// `H([i]32 || Z || label || 0x00 || partyUInfo || partyVInfo)` for i = 1, 2, ..., truncated to
/// `bits` (a multiple of 8). `label` is given without its terminating NUL.
pub(crate) fn kdfe(
    hash: NameHash,
    z: &[u8],
    label: &[u8],
    party_u: &[u8],
    party_v: &[u8],
    bits: u32,
) -> Zeroizing<Vec<u8>> {
    let wanted = usize::try_from(bits / 8).unwrap_or(0);
    let mut out = Zeroizing::new(Vec::with_capacity(wanted + hash.size()));
    let mut counter: u32 = 1;
    while out.len() < wanted {
        let block = Zeroizing::new(hash.digest(&[
            &counter.to_be_bytes(),
            z,
            label,
            &[0],
            party_u,
            party_v,
        ]));
        out.extend_from_slice(&block);
        counter = counter.wrapping_add(1);
    }
    out.truncate(wanted);
    out
}

/// AES-CFB encryption (128-bit feedback, IV zero) of `data` in place under a 16- or 32-byte
/// `key`; `None` for another key length.
pub(crate) fn aes_cfb_encrypt_zero_iv(key: &[u8], data: &mut [u8]) -> Option<()> {
    match key.len() {
        16 => cfb_encrypt(&aes::Aes128::new_from_slice(key).ok()?, data),
        32 => cfb_encrypt(&aes::Aes256::new_from_slice(key).ok()?, data),
        _ => return None,
    }
    Some(())
}

/// CFB-128: `C_i = P_i XOR E(C_{i-1})` with `C_0` the zero IV; the last block may be short.
fn cfb_encrypt<C: BlockCipherEncrypt<BlockSize = aes::cipher::consts::U16>>(
    cipher: &C,
    data: &mut [u8],
) {
    let mut feedback = aes::Block::default();
    for chunk in data.chunks_mut(16) {
        cipher.encrypt_block(&mut feedback);
        for (byte, key) in chunk.iter_mut().zip(feedback.iter()) {
            *byte ^= key;
        }
        for (slot, byte) in feedback.iter_mut().zip(chunk.iter()) {
            *slot = *byte;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known answers computed independently with Python's `cryptography` package
    /// (`hmac.HMAC(key, hashes.SHA256())` over the KDFa input, `hashes.Hash(hashes.SHA256())`
    /// over the KDFe input, `Cipher(algorithms.AES(key), modes.CFB(bytes(16)))`): see
    /// `kdf_vectors.py` beside this file, which writes `kdf_vectors.rs`.
    #[test]
    fn kdfa_kdfe_and_cfb_match_an_independent_implementation() {
        let key: Vec<u8> = (0u8..32).collect();
        let name: Vec<u8> = (0u8..34).map(|byte| byte.wrapping_mul(7)).collect();
        let storage = kdfa(NameHash::Sha256, &key, b"STORAGE", &name, &[], 128);
        assert_eq!(hex(&storage), KDFA_STORAGE_128);
        let integrity = kdfa(NameHash::Sha256, &key, b"INTEGRITY", &[], &[], 256);
        assert_eq!(hex(&integrity), KDFA_INTEGRITY_256);
        let long = kdfa(NameHash::Sha256, &key, b"LONG", &name, &key, 520);
        assert_eq!(hex(&long), KDFA_LONG_520);
        let seed = kdfe(NameHash::Sha256, &key, b"IDENTITY", &name, &key, 256);
        assert_eq!(hex(&seed), KDFE_IDENTITY_256);
        let mut data: Vec<u8> = (0u8..34).collect();
        aes_cfb_encrypt_zero_iv(&key[..16], &mut data).unwrap();
        assert_eq!(hex(&data), AES128_CFB_34);
        assert!(aes_cfb_encrypt_zero_iv(&key[..15], &mut data).is_none());
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    include!("kdf_vectors.rs");
}
