//! `devicekey verify`: a proof, as the server printed it or as its three parts, checked as a
//! backend checks it (`devicekey_proof::verify_proof`).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use devicekey_proof::protocol::types::{
    DeviceKeyPublicResponse, DeviceKeySignPayload, DeviceKeySignResponse,
};
use devicekey_proof::{
    decode_base64, verify_proof, Expectations, KeyId, Now, SignPayloadExt as _, Strictness,
    VerifiedProof, VerifyError,
};

use crate::input::{display_path, read_file_or_stdin, read_validated};

/// Arguments of `devicekey verify`. The proof comes as the sign answer the server printed
/// (`--proof`), or as its parts in standard base64 or files of raw bytes; the public key as a
/// create or public answer (`--key`), in base64, or as a DER or PEM file.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The `device/key/sign` answer as the server prints it: its result
    /// (`{"signatureDerBase64", "signedPayloadBase64", "algorithm"}`) or the whole JSON-RPC
    /// answer line; `-` reads stdin.
    #[arg(long, value_name = "FILE|-", conflicts_with_all = ["signed_payload_base64", "signed_payload_file", "signature_der_base64", "signature_der_file"])]
    pub proof: Option<PathBuf>,
    /// The key as `device/key/create` or `device/key/public` answers it (`keyId`,
    /// `publicKeySpkiDerBase64`, ...), or the whole JSON-RPC answer line; `-` reads stdin.
    #[arg(long, value_name = "FILE|-", conflicts_with_all = ["public_key_spki_base64", "public_key_file"])]
    pub key: Option<PathBuf>,
    /// The public key, SubjectPublicKeyInfo DER in standard base64 (`publicKeySpkiDerBase64`).
    #[arg(
        long,
        value_name = "BASE64",
        required_unless_present_any = ["public_key_file", "key"],
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
        required_unless_present_any = ["signed_payload_file", "proof"],
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
        required_unless_present_any = ["signature_der_file", "proof"],
        conflicts_with = "signature_der_file"
    )]
    pub signature_der_base64: Option<String>,
    /// The DER signature as a file.
    #[arg(long, value_name = "PATH")]
    pub signature_der_file: Option<PathBuf>,
    /// Check the expiry window `now < expiresAt <= now + 900` at this time (Unix seconds)
    /// instead of the system clock's.
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    pub now: Option<i64>,
    /// Do not check the expiry window at all (to inspect an old proof; never to accept one).
    #[arg(long, conflicts_with = "now")]
    pub skip_expiry: bool,
    /// Accept any JSON spelling of a valid payload (key order, white space, escapes such as
    /// Go's `\u003c` or an older Swift's `\/`), still strict UTF-8 JSON without duplicate keys,
    /// with exactly `domain` and `payload` and integers in plain digits within ±(2^53 - 1). A
    /// proof that passes so is reported as valid but not canonical.
    #[arg(long)]
    pub accept_any_spelling: bool,
    /// Require this `audience`.
    #[arg(long, value_name = "AUDIENCE", allow_hyphen_values = true)]
    pub expect_audience: Option<String>,
    /// Require this `targetOrigin`.
    #[arg(long, value_name = "ORIGIN", allow_hyphen_values = true)]
    pub expect_origin: Option<String>,
    /// Require this `nonce` (the one the backend issued; base64url, so it may start with `-`).
    #[arg(long, value_name = "NONCE", allow_hyphen_values = true)]
    pub expect_nonce: Option<String>,
    /// Require a connection payload with this `sessionId`.
    #[arg(long, value_name = "ID", allow_hyphen_values = true)]
    pub expect_session_id: Option<String>,
    /// Require an enrollment payload with this `challengeId`.
    #[arg(long, value_name = "ID", allow_hyphen_values = true)]
    pub expect_challenge_id: Option<String>,
    /// Require this `accountUserId`.
    #[arg(long, value_name = "ID", allow_hyphen_values = true)]
    pub expect_account_user_id: Option<String>,
    /// Require this `clientId`.
    #[arg(long, value_name = "ID", allow_hyphen_values = true)]
    pub expect_client_id: Option<String>,
    /// Require an enrollment naming this key: its `deviceIdentitySha256Base64url` must be the
    /// identity of this key id with the verifying public key. A connection payload names no key,
    /// so it never meets this.
    #[arg(long, value_name = "KEY_ID", allow_hyphen_values = true)]
    pub expect_key_id: Option<String>,
}

/// The three parts of a proof, and the key id `--key` named.
struct Inputs {
    public_key: Vec<u8>,
    signed_payload: Vec<u8>,
    signature: Vec<u8>,
    key_id: Option<String>,
}

/// Runs `devicekey verify`, printing the verdict to `out`. Exits 0 for a valid proof, 1 for an
/// invalid one, 2 when the inputs cannot be read.
pub(crate) fn run_verify(args: &VerifyArgs, out: &mut dyn Write) -> io::Result<ExitCode> {
    let prepared = read_inputs(args).and_then(|inputs| Ok((inputs, expectations(args)?)));
    let (inputs, expectations) = match prepared {
        Ok(prepared) => prepared,
        Err(message) => {
            writeln!(out, "error: {message}")?;
            return Ok(ExitCode::from(2));
        }
    };
    match verify_proof(
        &inputs.public_key,
        &inputs.signed_payload,
        &inputs.signature,
        &expectations,
    ) {
        Ok(proof) => {
            print_verified(&proof, &expectations, inputs.key_id.as_deref(), out)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            writeln!(out, "INVALID ({}): {error}", error.kind())?;
            if let VerifyError::Payload(payload_error) = &error {
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

fn expectations(args: &VerifyArgs) -> Result<Expectations, String> {
    let key_id = args
        .expect_key_id
        .as_deref()
        .map(|text| {
            KeyId::parse(text).map_err(|error| format!("--expect-key-id {text:?}: {error}"))
        })
        .transpose()?;
    let now = match (args.now, args.skip_expiry) {
        (Some(now), _) => Now::At(now),
        (None, true) => Now::SkipExpiryCheck,
        (None, false) => Now::SystemClock,
    };
    Ok(Expectations {
        now,
        strictness: if args.accept_any_spelling {
            Strictness::AcceptAnySpelling
        } else {
            Strictness::Canonical
        },
        audience: args.expect_audience.clone(),
        origin: args.expect_origin.clone(),
        nonce: args.expect_nonce.clone(),
        session_id: args.expect_session_id.clone(),
        challenge_id: args.expect_challenge_id.clone(),
        account_user_id: args.expect_account_user_id.clone(),
        client_id: args.expect_client_id.clone(),
        key_id,
    })
}

fn read_inputs(args: &VerifyArgs) -> Result<Inputs, String> {
    let stdin = |path: &Option<PathBuf>| path.as_deref().is_some_and(|path| path == Path::new("-"));
    if stdin(&args.proof) && stdin(&args.key) {
        return Err("only one of --proof and --key can read stdin (-)".to_owned());
    }
    let (public_key, key_id) = match &args.key {
        Some(path) => {
            let key = read_validated::<DeviceKeyPublicResponse>("key", path)?;
            let spki = decode_base64(key.public_key_spki_der_base64.as_str())
                .ok_or("the key's publicKeySpkiDerBase64 is not standard padded base64")?;
            (spki, Some(key.key_id.to_string()))
        }
        None => (
            read_input(
                "public key",
                args.public_key_spki_base64.as_deref(),
                args.public_key_file.as_deref(),
                true,
            )?,
            None,
        ),
    };
    let (signed_payload, signature) = match &args.proof {
        Some(path) => {
            let proof = read_validated::<DeviceKeySignResponse>("proof", path)?;
            (
                decode_base64(proof.signed_payload_base64.as_str())
                    .ok_or("the proof's signedPayloadBase64 is not standard padded base64")?,
                decode_base64(proof.signature_der_base64.as_str())
                    .ok_or("the proof's signatureDerBase64 is not standard padded base64")?,
            )
        }
        None => (
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
        ),
    };
    Ok(Inputs {
        public_key,
        signed_payload,
        signature,
        key_id,
    })
}

fn print_verified(
    proof: &VerifiedProof,
    expectations: &Expectations,
    key_id: Option<&str>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let payload = &proof.payload;
    if proof.canonical {
        writeln!(
            out,
            "VALID: the signature verifies and the signed payload is well formed"
        )?;
    } else {
        writeln!(
            out,
            "VALID, NOT CANONICAL: the signature verifies and the signed payload is well formed, \
             but its bytes are not the canonical spelling (accepted by --accept-any-spelling)"
        )?;
    }
    if let Some(key_id) = key_id {
        writeln!(out, "  key:           {key_id} (as --key names it)")?;
    }
    writeln!(out, "  type:          {}", payload.type_tag())?;
    writeln!(out, "  audience:      {}", payload.audience())?;
    writeln!(out, "  targetOrigin:  {}", payload.target_origin())?;
    writeln!(out, "  targetPath:    {}", payload.target_path())?;
    writeln!(
        out,
        "  accountUserId: {}",
        payload.account_user_id().as_str()
    )?;
    writeln!(out, "  clientId:      {}", payload.client_id().as_str())?;
    writeln!(out, "  nonce:         {}", payload.nonce().as_str())?;
    match payload {
        DeviceKeySignPayload::RemoteControlClientConnection { session_id, .. } => {
            writeln!(out, "  sessionId:     {}", session_id.as_str())?;
        }
        DeviceKeySignPayload::RemoteControlClientEnrollment {
            challenge_id,
            device_identity_sha256_base64url,
            ..
        } => {
            writeln!(out, "  challengeId:   {}", challenge_id.as_str())?;
            writeln!(
                out,
                "  deviceIdentitySha256Base64url: {}",
                device_identity_sha256_base64url.as_str()
            )?;
        }
    }
    let expiry_note = match (proof.expiry_checked_at, expectations.now) {
        (Some(now), Now::SystemClock) => {
            format!("within the window at {now}, the system clock's time")
        }
        (Some(now), _) => format!("within the window at {now}"),
        (None, _) => "not checked: --skip-expiry".to_owned(),
    };
    writeln!(
        out,
        "  expiresAt:     {} ({expiry_note})",
        payload.expires_at()
    )?;
    let checked: Vec<&str> = [
        (expectations.audience.is_some(), "audience"),
        (expectations.origin.is_some(), "targetOrigin"),
        (expectations.nonce.is_some(), "nonce"),
        (expectations.session_id.is_some(), "sessionId"),
        (expectations.challenge_id.is_some(), "challengeId"),
        (expectations.account_user_id.is_some(), "accountUserId"),
        (expectations.client_id.is_some(), "clientId"),
        (expectations.key_id.is_some(), "key id"),
    ]
    .into_iter()
    .filter_map(|(given, name)| given.then_some(name))
    .collect();
    if !checked.is_empty() {
        writeln!(out, "  as expected:   {}", checked.join(", "))?;
    }
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
            let bytes = read_file_or_stdin(what, path)?;
            if may_be_pem && bytes.starts_with(PEM_BEGIN.as_bytes()) {
                pem_public_key(&bytes).ok_or_else(|| {
                    format!(
                        "the {what} in {} is not a PEM public key (one block between {PEM_BEGIN} \
                         and {PEM_END} of standard base64)",
                        path.display()
                    )
                })
            } else {
                Ok(bytes)
            }
        }
        (None, None) => Err(format!("the {what} is required")),
    }
}

const PEM_BEGIN: &str = "-----BEGIN PUBLIC KEY-----";
const PEM_END: &str = "-----END PUBLIC KEY-----";

/// The DER inside a PEM `PUBLIC KEY` block, as is: the verifier then checks it as it checks any
/// public key (a compressed point or explicit parameters in PEM are refused, as in DER).
fn pem_public_key(bytes: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let body = text.strip_prefix(PEM_BEGIN)?;
    let (body, rest) = body.split_once(PEM_END)?;
    if !rest.trim().is_empty() {
        return None;
    }
    let base64: String = body.split_whitespace().collect();
    decode_base64(&base64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_yields_its_der_as_is() {
        let pem = format!("{PEM_BEGIN}\nAQID\nBA==\n{PEM_END}\n");
        assert_eq!(pem_public_key(pem.as_bytes()), Some(vec![1, 2, 3, 4]));
        let trailing = format!("{PEM_BEGIN}\nAQID\n{PEM_END}\nmore");
        assert_eq!(pem_public_key(trailing.as_bytes()), None);
        let unpadded = format!("{PEM_BEGIN}\nAQIDBA\n{PEM_END}\n");
        assert_eq!(pem_public_key(unpadded.as_bytes()), None);
    }
}
