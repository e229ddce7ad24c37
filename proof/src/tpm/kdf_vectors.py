"""Writes kdf_vectors.rs: KDFa, KDFe and AES-128-CFB known answers for the TPM module's unit
tests, computed with Python's `cryptography` package, independently of the Rust code.

Run from this directory: python3 kdf_vectors.py
"""

import struct

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

try:
    from cryptography.hazmat.decrepit.ciphers.modes import CFB
except ImportError:
    from cryptography.hazmat.primitives.ciphers.modes import CFB


def kdfa(key, label, context_u, context_v, bits):
    out = b""
    counter = 1
    while len(out) < bits // 8:
        mac = hmac.HMAC(key, hashes.SHA256())
        mac.update(struct.pack(">I", counter) + label + b"\0" + context_u + context_v
                   + struct.pack(">I", bits))
        out += mac.finalize()
        counter += 1
    return out[: bits // 8]


def kdfe(z, label, party_u, party_v, bits):
    out = b""
    counter = 1
    while len(out) < bits // 8:
        digest = hashes.Hash(hashes.SHA256())
        digest.update(struct.pack(">I", counter) + z + label + b"\0" + party_u + party_v)
        out += digest.finalize()
        counter += 1
    return out[: bits // 8]


key = bytes(range(32))
name = bytes((byte * 7) % 256 for byte in range(34))
encryptor = Cipher(algorithms.AES(key[:16]), CFB(bytes(16))).encryptor()
vectors = {
    "KDFA_STORAGE_128": kdfa(key, b"STORAGE", name, b"", 128),
    "KDFA_INTEGRITY_256": kdfa(key, b"INTEGRITY", b"", b"", 256),
    "KDFA_LONG_520": kdfa(key, b"LONG", name, key, 520),
    "KDFE_IDENTITY_256": kdfe(key, b"IDENTITY", name, key, 256),
    "AES128_CFB_34": encryptor.update(bytes(range(34))) + encryptor.finalize(),
}
with open("kdf_vectors.rs", "w") as out:
    out.write("// Written by kdf_vectors.py (Python's `cryptography`); do not edit.\n")
    for constant, value in vectors.items():
        out.write(f'const {constant}: &str = "{value.hex()}";\n')
