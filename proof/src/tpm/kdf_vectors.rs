// Written by kdf_vectors.py (Python's `cryptography`); do not edit.
const KDFA_STORAGE_128: &str = "a81acc3fe76d8fd5feea26bda54c5085";
const KDFA_INTEGRITY_256: &str = "bacf689f634ece301e1f1b15b072d9c87db6a69585db42b1a0cb8f73ebe2692e";
const KDFA_LONG_520: &str = "6308a10cb14129c34e31e6d1831b14bb5c16f90211b4406b2c296ac661e91d318e1d46064917474ee31a0033f1f6e1cf1fcdb5c5023d082482caff8e27e73a4299";
const KDFE_IDENTITY_256: &str = "920b1bd014a0c335ca590c315be960cb052ae745ba7f17f7ae14ed9283c04f03";
const AES128_CFB_34: &str = "c6a03934838a5d8567468b69adc5d676a59b0277ccb9bf8cc1a95a409958eba40ab0";
