//! The `devicekey` command line: its arguments and the `verify` subcommand.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use p256::ecdsa::VerifyingKey;
use p256::pkcs8::DecodePublicKey as _;

use crate::crypto::public_key_spki_der;
use crate::encoding::decode_base64;
use crate::verify::{verify_proof, Expectations, VerifiedProof};

/// Device-bound signing keys.
#[derive(Debug, Parser)]
#[command(name = "devicekey", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Verify a device-key proof: signature, domain, canonical bytes, payload schema, and the
    /// given expectations. Exits 0 when the proof is valid, 1 when it is not.
    Verify(VerifyArgs),
}

/// Arguments of `devicekey verify`. Each input comes as standard base64 (as on the wire) or
/// as a file of raw bytes (the public key file may also be PEM).
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The public key, SubjectPublicKeyInfo DER in standard base64 (`publicKeySpkiDerBase64`).
    #[arg(
        long,
        value_name = "BASE64",
        required_unless_present = "public_key_file",
        conflicts_with = "public_key_file"
    )]
    pub public_key_spki_base64: Option<String>,
    /// The public key as a file: SubjectPublicKeyInfo DER or PEM (`-----BEGIN PUBLIC KEY-----`).
    #[arg(long, value_name = "PATH")]
    pub public_key_file: Option<PathBuf>,
    /// The signed bytes in standard base64 (`signedPayloadBase64`).
    #[arg(
        long,
        value_name = "BASE64",
        required_unless_present = "signed_payload_file",
        conflicts_with = "signed_payload_file"
    )]
    pub signed_payload_base64: Option<String>,
    /// The signed bytes as a file.
    #[arg(long, value_name = "PATH")]
    pub signed_payload_file: Option<PathBuf>,
    /// The DER signature in standard base64 (`signatureDerBase64`).
    #[arg(
        long,
        value_name = "BASE64",
        required_unless_present = "signature_der_file",
        conflicts_with = "signature_der_file"
    )]
    pub signature_der_base64: Option<String>,
    /// The DER signature as a file.
    #[arg(long, value_name = "PATH")]
    pub signature_der_file: Option<PathBuf>,
    /// Check the expiry window at this time (Unix seconds): `now < expiresAt <= now + 900`.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    pub now: Option<i64>,
    /// Require this `audience`.
    #[arg(long, value_name = "AUDIENCE")]
    pub expect_audience: Option<String>,
    /// Require this `targetOrigin`.
    #[arg(long, value_name = "ORIGIN")]
    pub expect_origin: Option<String>,
}

/// Runs `devicekey verify`, printing the verdict to `out`.
pub fn run_verify(args: &VerifyArgs, out: &mut dyn Write) -> io::Result<ExitCode> {
    let inputs = (|| {
        Ok::<_, String>((
            read_input(
                "public key",
                args.public_key_spki_base64.as_deref(),
                args.public_key_file.as_deref(),
                true,
            )?,
            read_input(
                "signed payload",
                args.signed_payload_base64.as_deref(),
                args.signed_payload_file.as_deref(),
                false,
            )?,
            read_input(
                "signature",
                args.signature_der_base64.as_deref(),
                args.signature_der_file.as_deref(),
                false,
            )?,
        ))
    })();
    let (public_key, signed_payload, signature) = match inputs {
        Ok(inputs) => inputs,
        Err(message) => {
            writeln!(out, "error: {message}")?;
            return Ok(ExitCode::from(2));
        }
    };
    let expectations = Expectations {
        audience: args.expect_audience.clone(),
        origin: args.expect_origin.clone(),
        now: args.now,
    };
    match verify_proof(&public_key, &signed_payload, &signature, &expectations) {
        Ok(proof) => {
            print_verified(&proof, &expectations, out)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            writeln!(out, "INVALID ({}): {error}", error.kind())?;
            if let crate::verify::VerifyError::Payload(payload_error) = &error {
                for violation in payload_error.violations() {
                    writeln!(
                        out,
                        "  {} ({}): {}",
                        display_path(&violation.instance_path),
                        violation.keyword,
                        violation.message
                    )?;
                }
            }
            Ok(ExitCode::FAILURE)
        }
    }
}

fn display_path(path: &str) -> &str {
    if path.is_empty() {
        "/"
    } else {
        path
    }
}

fn print_verified(
    proof: &VerifiedProof,
    expectations: &Expectations,
    out: &mut dyn Write,
) -> io::Result<()> {
    let facts = &proof.facts;
    writeln!(
        out,
        "VALID: the signature verifies and the signed payload is well formed"
    )?;
    writeln!(out, "  type:          {}", facts.payload_type.tag())?;
    writeln!(out, "  audience:      {}", facts.audience)?;
    writeln!(out, "  targetOrigin:  {}", facts.target_origin)?;
    writeln!(out, "  targetPath:    {}", facts.target_path)?;
    writeln!(out, "  accountUserId: {}", facts.account_user_id)?;
    writeln!(out, "  clientId:      {}", facts.client_id)?;
    writeln!(out, "  nonce:         {}", facts.nonce)?;
    let expiry_note = match expectations.now {
        Some(now) => format!("within the window at {now}"),
        None => "not checked (give --now)".to_owned(),
    };
    writeln!(out, "  expiresAt:     {} ({expiry_note})", facts.expires_at)?;
    Ok(())
}

/// One input from its base64 argument or its file.
fn read_input(
    what: &str,
    base64: Option<&str>,
    file: Option<&Path>,
    may_be_pem: bool,
) -> Result<Vec<u8>, String> {
    match (base64, file) {
        (Some(text), _) => decode_base64(text.trim())
            .ok_or_else(|| format!("the {what} is not standard padded base64")),
        (None, Some(path)) => {
            let bytes = std::fs::read(path).map_err(|error| {
                format!("cannot read the {what} from {}: {error}", path.display())
            })?;
            if may_be_pem && bytes.starts_with(b"-----BEGIN PUBLIC KEY-----") {
                let pem = std::str::from_utf8(&bytes)
                    .map_err(|_| format!("the {what} PEM is not UTF-8"))?;
                let key = VerifyingKey::from_public_key_pem(pem)
                    .map_err(|_| format!("the {what} PEM is not a P-256 public key"))?;
                public_key_spki_der(&key).map_err(|error| error.to_string())
            } else {
                Ok(bytes)
            }
        }
        (None, None) => Err(format!("the {what} is required")),
    }
}
