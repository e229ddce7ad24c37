//! `devicekey attest`: play the backend of TPM key attestation against a running server
//! (`docs/attestation.md`): ask for the TPM's identity, check its EK certificate against the
//! given trust anchors, challenge its attestation key (credential activation), have it certify a
//! key over a fresh nonce, and check the certification with the proof crate's verifier
//! (`devicekey_proof::tpm`). Prints the verdict as one JSON line.

use std::io::{self, BufRead as _, BufReader, Read as _, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Args;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use devicekey_proof::protocol::types::{
    DeviceKeyCertifyResponse, DeviceKeyPublicResponse, DeviceTpmActivateCredentialResponse,
    DeviceTpmIdentityResponse, InitializeResponse,
};
use devicekey_proof::protocol::Validate;
use devicekey_proof::tpm::{
    check_identity, EkTrust, EkTrustKind, TpmCertification, TpmIdentity, TpmRefusal,
};
use devicekey_proof::{decode_base64, encode_base64, encode_base64url, KeyId};

/// The longest answer line read from the server (its own limit on answers is far below).
const MAX_ANSWER_BYTES: u64 = 1 << 20;

/// The largest certificate file read.
const MAX_CERTIFICATE_FILE: u64 = 1 << 20;

/// Arguments of `devicekey attest`.
#[derive(Debug, Args)]
pub(crate) struct AttestArgs {
    /// The server: `unix:///path/to.sock`, as given to `devicekey serve --listen`.
    #[arg(long, value_name = "URL")]
    pub connect: String,
    /// The `dk_tpm_` key to certify.
    #[arg(long, value_name = "KEY_ID")]
    pub key_id: String,
    /// A trust anchor for EK certificates (a TPM manufacturer's root), PEM or DER; repeatable.
    #[arg(
        long = "ca",
        value_name = "FILE",
        required_unless_present = "ek_public"
    )]
    pub anchors: Vec<PathBuf>,
    /// An intermediate certificate between the EK certificate and an anchor, PEM or DER;
    /// repeatable.
    #[arg(long = "intermediate", value_name = "FILE")]
    pub intermediates: Vec<PathBuf>,
    /// Trust this EK public area (`TPMT_PUBLIC`, standard base64) instead of certificates: for a
    /// TPM without an EK certificate, whose EK the backend recorded some other way.
    #[arg(long, value_name = "BASE64", conflicts_with_all = ["anchors", "intermediates"])]
    pub ek_public: Option<String>,
    /// Check certificate validity at this time (Unix seconds) instead of the system clock's.
    #[arg(long, value_name = "UNIX_SECONDS")]
    pub now: Option<i64>,
    /// How long to wait for each answer, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,
}

/// Runs `devicekey attest`: prints the verdict; exits 0 when the key is proven TPM-resident, 1
/// when a check refused it, 2 when the inputs cannot be read or the server cannot be used.
pub(crate) fn run_attest(args: &AttestArgs, out: &mut dyn Write) -> io::Result<ExitCode> {
    match attest(args) {
        Ok(Verdict::Proven(proven)) => {
            writeln!(out, "{proven}")?;
            Ok(ExitCode::SUCCESS)
        }
        Ok(Verdict::Refused(refusal)) => {
            let line = json!({
                "proven": false,
                "kind": refusal.kind(),
                "reason": refusal.to_string(),
            });
            writeln!(out, "{line}")?;
            Ok(ExitCode::from(1))
        }
        Err(message) => {
            writeln!(out, "error: {message}")?;
            Ok(ExitCode::from(2))
        }
    }
}

enum Verdict {
    Proven(Value),
    Refused(TpmRefusal),
}

fn attest(args: &AttestArgs) -> Result<Verdict, String> {
    let key_id = KeyId::parse(&args.key_id).map_err(|error| format!("--key-id: {error}"))?;
    let trust = trust(args)?;
    let now = match args.now {
        Some(now) => now,
        None => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|_| "the system clock is before 1970")?
            .as_secs() as i64,
    };
    let mut server = Client::connect(&args.connect, Duration::from_secs(args.timeout.max(1)))?;
    server.call::<InitializeResponse>(
        "initialize",
        json!({"clientInfo": {"name": "devicekey-attest", "version": env!("CARGO_PKG_VERSION")}}),
    )?;
    server.notify("initialized")?;

    let identity: DeviceTpmIdentityResponse = server.call("device/tpm/identity", json!({}))?;
    let identity = TpmIdentity {
        ek_certificate: match &identity.ek_certificate_der_base64 {
            Some(certificate) => Some(bytes(certificate.as_str(), "ekCertificateDerBase64")?),
            None => None,
        },
        ek_public: bytes(
            identity.ek_public_area_base64.as_str(),
            "ekPublicAreaBase64",
        )?,
        ak_public: bytes(
            identity.ak_public_area_base64.as_str(),
            "akPublicAreaBase64",
        )?,
    };
    let checked = match check_identity(&identity, &trust, now) {
        Ok(checked) => checked,
        Err(refusal) => return Ok(Verdict::Refused(refusal)),
    };
    let (challenge, pending) = match checked.challenge() {
        Ok(made) => made,
        Err(refusal) => return Ok(Verdict::Refused(refusal)),
    };
    let activated: DeviceTpmActivateCredentialResponse = server.call(
        "device/tpm/activateCredential",
        json!({
            "credentialBlobBase64": encode_base64(&challenge.credential_blob),
            "encryptedSecretBase64": encode_base64(&challenge.encrypted_secret),
        }),
    )?;
    let ak = match pending.finish(&bytes(activated.secret_base64.as_str(), "secretBase64")?) {
        Ok(ak) => ak,
        Err(refusal) => return Ok(Verdict::Refused(refusal)),
    };

    let public: DeviceKeyPublicResponse =
        server.call("device/key/public", json!({"keyId": key_id.as_str()}))?;
    let spki = bytes(
        public.public_key_spki_der_base64.as_str(),
        "publicKeySpkiDerBase64",
    )?;
    let mut nonce = [0u8; 32];
    rand::fill(&mut nonce);
    let certified: DeviceKeyCertifyResponse = server.call(
        "device/key/certify",
        json!({"keyId": key_id.as_str(), "nonce": encode_base64url(&nonce)}),
    )?;
    let certification = TpmCertification {
        attest: bytes(certified.attest_base64.as_str(), "attestBase64")?,
        signature_der: bytes(
            certified.signature_der_base64.as_str(),
            "signatureDerBase64",
        )?,
        key_public: bytes(
            certified.key_public_area_base64.as_str(),
            "keyPublicAreaBase64",
        )?,
    };
    match ak.check_certification(&nonce, &certification, &spki) {
        Ok(proven) => Ok(Verdict::Proven(json!({
            "proven": true,
            "keyId": key_id.as_str(),
            // `certificate`: a manufacturer's chain vouched for the TPM; `pinned`: it is the
            // TPM whose EK was given with --ek-public.
            "ekTrust": match proven.ek_trust {
                EkTrustKind::Certificate => "certificate",
                EkTrustKind::Pinned => "pinned",
            },
            "hardwareTpm": proven.hardware_tpm,
            "keyAttributes": proven.key_attributes.names(),
            "keyNameBase64": encode_base64(&proven.key_name),
            "akNameBase64": encode_base64(&proven.ak_name),
            "ekNameBase64": encode_base64(&proven.ek_name),
            "tpmClock": {
                "clockMilliseconds": proven.clock_info.clock,
                "resetCount": proven.clock_info.reset_count,
                "restartCount": proven.clock_info.restart_count,
                "safe": proven.clock_info.safe,
            },
            "firmwareVersion": format!("{:#018x}", proven.firmware_version),
        }))),
        Err(refusal) => Ok(Verdict::Refused(refusal)),
    }
}

/// The EK trust the arguments describe.
fn trust(args: &AttestArgs) -> Result<EkTrust, String> {
    if let Some(ek_public) = &args.ek_public {
        let ek_public =
            decode_base64(ek_public.trim()).ok_or("--ek-public is not standard padded base64")?;
        return EkTrust::pinned_ek_public(&ek_public)
            .map_err(|refusal| format!("--ek-public: {refusal}"));
    }
    let anchors = read_all(&args.anchors)?;
    let intermediates = read_all(&args.intermediates)?;
    let anchor_slices: Vec<&[u8]> = anchors.iter().map(|(_, data)| data.as_slice()).collect();
    let intermediate_slices: Vec<&[u8]> = intermediates
        .iter()
        .map(|(_, data)| data.as_slice())
        .collect();
    EkTrust::certificates(&anchor_slices, &intermediate_slices).map_err(|refusal| {
        // Name the file that cannot be read, if one alone is the cause.
        let culprit = anchors
            .iter()
            .find(|(_, data)| EkTrust::certificates(&[data], &[]).is_err())
            .map(|(path, _)| format!("--ca {}", path.display()))
            .or_else(|| {
                intermediates
                    .iter()
                    .find(|(_, data)| {
                        EkTrust::certificates(&anchor_slices, &[data.as_slice()]).is_err()
                    })
                    .map(|(path, _)| format!("--intermediate {}", path.display()))
            });
        match culprit {
            Some(culprit) => format!("{culprit}: {refusal}"),
            None => refusal.to_string(),
        }
    })
}

/// Each file's path and bytes.
fn read_all(paths: &[PathBuf]) -> Result<Vec<(PathBuf, Vec<u8>)>, String> {
    paths
        .iter()
        .map(|path| read_bounded(path).map(|data| (path.clone(), data)))
        .collect()
}

/// A certificate file (PEM with one or more `CERTIFICATE` blocks, or one DER certificate), at
/// most 1 MiB.
fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|error| format!("{}: {error}", path.display()))?;
    let mut data = Vec::new();
    io::Read::read_to_end(
        &mut io::Read::take(file, MAX_CERTIFICATE_FILE + 1),
        &mut data,
    )
    .map_err(|error| format!("{}: {error}", path.display()))?;
    if data.len() as u64 > MAX_CERTIFICATE_FILE {
        return Err(format!("{}: larger than 1 MiB", path.display()));
    }
    Ok(data)
}

fn bytes(text: &str, field: &str) -> Result<Vec<u8>, String> {
    decode_base64(text).ok_or_else(|| format!("the server's {field} is not base64"))
}

/// A newline-delimited JSON-RPC client on a Unix socket, one request at a time.
struct Client {
    writer: UnixStream,
    reader: BufReader<UnixStream>,
    next_id: u64,
}

impl Client {
    fn connect(url: &str, timeout: Duration) -> Result<Client, String> {
        let path = url
            .strip_prefix("unix://")
            .ok_or_else(|| format!("--connect {url:?}: only unix:///path is supported"))?;
        let stream = UnixStream::connect(path)
            .map_err(|error| format!("cannot connect to {path}: {error}"))?;
        stream
            .set_read_timeout(Some(timeout))
            .and_then(|()| stream.set_write_timeout(Some(timeout)))
            .map_err(|error| error.to_string())?;
        let reader = stream.try_clone().map_err(|error| error.to_string())?;
        Ok(Client {
            writer: stream,
            reader: BufReader::new(reader),
            next_id: 1,
        })
    }

    fn notify(&mut self, method: &str) -> Result<(), String> {
        self.send(&json!({"jsonrpc": "2.0", "method": method}))
    }

    fn send(&mut self, message: &Value) -> Result<(), String> {
        let mut line = message.to_string();
        line.push('\n');
        self.writer
            .write_all(line.as_bytes())
            .map_err(|error| format!("cannot write to the server: {error}"))
    }

    /// Sends a request and returns its result, validated against its schema type.
    fn call<R: Validate + DeserializeOwned>(
        &mut self,
        method: &str,
        params: Value,
    ) -> Result<R, String> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))?;
        loop {
            let mut line = String::new();
            let read = (&mut self.reader)
                .take(MAX_ANSWER_BYTES)
                .read_line(&mut line)
                .map_err(|error| format!("{method}: no answer from the server: {error}"))?;
            if read == 0 {
                return Err(format!("{method}: the server closed the connection"));
            }
            let answer: Value = serde_json::from_str(&line)
                .map_err(|error| format!("{method}: the server's answer is not JSON: {error}"))?;
            if answer.get("id") != Some(&json!(id)) {
                // A server request (`attestation/generate`) or a notification: not ours.
                continue;
            }
            if let Some(error) = answer.get("error") {
                return Err(format!("{method} failed: {error}"));
            }
            let result = answer.get("result").cloned().unwrap_or(Value::Null);
            if let Err(violations) = R::validate(&result) {
                let first = violations
                    .first()
                    .map(|v| format!("{} {}", v.instance_path, v.message))
                    .unwrap_or_default();
                return Err(format!(
                    "{method}: the server's result breaks its schema: {first}"
                ));
            }
            return serde_json::from_value(result)
                .map_err(|error| format!("{method}: unexpected result: {error}"));
        }
    }
}
