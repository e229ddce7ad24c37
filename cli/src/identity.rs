//! `devicekey identity`: a key's `deviceIdentitySha256Base64url`, the digest an enrollment
//! payload carries (`devicekey_proof::device_identity_sha256_base64url`).

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use devicekey_proof::protocol::types::{DeviceKeyAlgorithm, DeviceKeyPublicResponse};
use devicekey_proof::{
    decode_base64, device_identity_sha256_base64url, encode_base64, public_key_from_spki_der,
    DeviceIdentity, KeyId,
};

use crate::input::read_validated;

/// Arguments of `devicekey identity`: the key as the server answered `device/key/create` or
/// `device/key/public`, or its key id and public key.
#[derive(Debug, Args)]
pub(crate) struct IdentityArgs {
    /// The `device/key/create` or `device/key/public` answer: its result (`keyId`,
    /// `publicKeySpkiDerBase64`, `algorithm`, `protectionClass`) or the whole JSON-RPC answer
    /// line; `-` reads stdin.
    #[arg(long, value_name = "FILE|-", conflicts_with_all = ["key_id", "public_key_spki_base64"], required_unless_present_all = ["key_id", "public_key_spki_base64"])]
    pub key: Option<PathBuf>,
    /// The key id (its prefix gives the protection class), with `--public-key-spki-base64`.
    #[arg(long, value_name = "KEY_ID", requires = "public_key_spki_base64")]
    pub key_id: Option<String>,
    /// The public key, SubjectPublicKeyInfo DER in standard base64, with `--key-id`.
    #[arg(long, value_name = "BASE64", requires = "key_id")]
    pub public_key_spki_base64: Option<String>,
    /// Also print the exact JSON that is hashed, on a line before the digest.
    #[arg(long)]
    pub show_json: bool,
}

/// Runs `devicekey identity`: prints the digest (exit 0), or what is wrong with the key (exit 2).
pub(crate) fn run_identity(args: &IdentityArgs, out: &mut dyn Write) -> io::Result<ExitCode> {
    match identity(args) {
        Ok((json, digest)) => {
            if args.show_json {
                writeln!(out, "{json}")?;
            }
            writeln!(out, "{digest}")?;
            Ok(ExitCode::SUCCESS)
        }
        Err(message) => {
            writeln!(out, "error: {message}")?;
            Ok(ExitCode::from(2))
        }
    }
}

fn identity(args: &IdentityArgs) -> Result<(String, String), String> {
    let key = match (&args.key, &args.key_id, &args.public_key_spki_base64) {
        (Some(path), _, _) => read_validated::<DeviceKeyPublicResponse>("key", path)?,
        (None, Some(key_id), Some(spki)) => {
            let parsed =
                KeyId::parse(key_id).map_err(|error| format!("--key-id {key_id:?}: {error}"))?;
            let spki = decode_base64(spki.trim())
                .ok_or("--public-key-spki-base64 is not standard padded base64")?;
            DeviceKeyPublicResponse {
                key_id: parsed.as_wire().clone(),
                public_key_spki_der_base64: encode_base64(&spki).into(),
                algorithm: DeviceKeyAlgorithm::EcdsaP256Sha256,
                protection_class: parsed.protection_class(),
            }
        }
        _ => return Err("give --key, or --key-id and --public-key-spki-base64".to_owned()),
    };
    let key_id = KeyId::try_from(&key.key_id).map_err(|error| error.to_string())?;
    if key_id.protection_class() != key.protection_class {
        return Err(format!(
            "the key's protectionClass {} does not agree with its key id, whose prefix names {}",
            key.protection_class,
            key_id.protection_class()
        ));
    }
    let spki = decode_base64(key.public_key_spki_der_base64.as_str())
        .ok_or("the key's publicKeySpkiDerBase64 is not standard padded base64")?;
    if public_key_from_spki_der(&spki).is_none() {
        return Err(
            "the key's publicKeySpkiDerBase64 is not a P-256 SubjectPublicKeyInfo DER with an \
             uncompressed point on the curve"
                .to_owned(),
        );
    }
    let identity = DeviceIdentity::from(&key);
    Ok((identity.json(), device_identity_sha256_base64url(identity)))
}
