//! Sign latency of the TPM provider against the way codex's Linux provider worked: three
//! tpm2-tools processes per signature (`tpm2_createprimary`, `tpm2_load`, `tpm2_sign --digest`,
//! the hash passed correctly), on the same swtpm, in one run, alternating.
//!
//! `cargo bench -p devicekey-runtime --bench tpm`. Needs swtpm and tpm2-tools.
//!
//! swtpm serves one connection at a time, so the two sides take turns in batches: the provider
//! (its connection opened outside the timing, as a server opens it once) signs a batch, closes,
//! then tpm2-tools signs a batch. Both sides create the primary from the same template for every
//! signature. After each tool, `tpm2_flushcontext -t` (untimed) clears the transient objects it
//! left behind, which the kernel's resource manager would do on `/dev/tpmrm0`.

fn main() {
    #[cfg(target_os = "linux")]
    linux::main();
    #[cfg(not(target_os = "linux"))]
    println!("the TPM benchmark runs on Linux only");
}

#[cfg(target_os = "linux")]
mod linux {
    use devicekey_testkit::swtpm;

    use std::path::Path;
    use std::process::Command;
    use std::time::{Duration, Instant};

    use devicekey_proof::verify_der;
    use devicekey_proof::SignedPayload;
    use devicekey_protocol::types::DeviceKeyProtectionPolicy;
    use devicekey_runtime::provider::tpm::TpmProvider;
    use devicekey_runtime::KeyProvider;
    use serde_json::json;
    use sha2::{Digest as _, Sha256};

    const ROUNDS: usize = 10;
    const BATCH: usize = 10;

    /// The provider's storage primary template, as tpm2-tools spells it.
    const PRIMARY: &[&str] = &[
        "-C",
        "o",
        "-g",
        "sha256",
        "-G",
        "ecc256:null:aes128cfb",
        "-a",
        "restricted|decrypt|fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda",
    ];

    pub(super) fn main() {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path();
        let swtpm = swtpm::Swtpm::start(&work.join("state"));
        let tcti = swtpm.tcti();
        let tools = Tools {
            tcti: &tcti,
            dir: work,
        };

        let payload = SignedPayload::from_json(json!({
            "type": "remoteControlClientConnection",
            "nonce": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "audience": "remote_control_client_websocket",
            "sessionId": "wssess_123",
            "targetOrigin": "https://chatgpt.com",
            "targetPath": "/api/codex/remote/control/client",
            "accountUserId": "account-user-1",
            "clientId": "cli_123",
            "tokenSha256Base64url": "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
            "tokenExpiresAt": 1700000000,
            "scopes": ["remote_control_controller_websocket"],
        }))
        .unwrap();
        std::fs::write(work.join("digest"), Sha256::digest(payload.as_bytes())).unwrap();

        // The provider's key.
        let started = Instant::now();
        let provider = TpmProvider::open(&tcti, &work.join("keys")).unwrap();
        let open_time = started.elapsed();
        let key = provider
            .create(DeviceKeyProtectionPolicy::HardwareOnly)
            .unwrap();
        drop(provider);

        // The tools' key, made once under the same primary template; its public key for checking.
        tools.timed(
            "tpm2_createprimary",
            &[PRIMARY, &["-c", "primary.ctx"]].concat(),
        );
        tools.timed(
            "tpm2_create",
            &[
                "-C",
                "primary.ctx",
                "-g",
                "sha256",
                "-G",
                "ecc256:ecdsa-sha256",
                "-a",
                "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign",
                "-u",
                "key.pub",
                "-r",
                "key.priv",
            ],
        );
        tools.timed(
            "tpm2_load",
            &[
                "-C",
                "primary.ctx",
                "-u",
                "key.pub",
                "-r",
                "key.priv",
                "-c",
                "key.ctx",
            ],
        );
        tools.timed(
            "tpm2_readpublic",
            &["-c", "key.ctx", "-f", "der", "-o", "key.spki"],
        );
        let tools_spki = std::fs::read(work.join("key.spki")).unwrap();

        let mut provider_times = Vec::new();
        let mut tools_times = Vec::new();
        for _ in 0..ROUNDS {
            let provider = TpmProvider::open(&tcti, &work.join("keys")).unwrap();
            for _ in 0..BATCH {
                let started = Instant::now();
                let signature = provider.sign(&key.key_id, &payload).unwrap();
                provider_times.push(started.elapsed());
                verify_der(&key.public_key_spki_der, payload.as_bytes(), &signature)
                    .expect("the provider's signature verifies");
            }
            drop(provider);

            for _ in 0..BATCH {
                tools_times.push(tools.sign_like_codex());
                let signature = std::fs::read(work.join("sig.der")).unwrap();
                verify_der(&tools_spki, payload.as_bytes(), &signature)
                    .expect("the tpm2-tools signature verifies (digest passed with --digest)");
            }
        }

        let provider_median = median(&mut provider_times);
        let tools_median = median(&mut tools_times);
        println!(
            "TPM sign latency on one swtpm, {} signatures each, alternating in batches of {BATCH}",
            ROUNDS * BATCH
        );
        println!(
            "  provider open (once per process):            {:>9.3} ms",
            ms(open_time)
        );
        println!(
            "  tss-esapi provider (primary+load+sign+flush): median {:>9.3} ms",
            ms(provider_median)
        );
        println!(
            "  tpm2-tools processes (createprimary+load+sign): median {:>9.3} ms",
            ms(tools_median)
        );
        println!(
            "  ratio: the provider is {:.1}x faster",
            tools_median.as_secs_f64() / provider_median.as_secs_f64()
        );
    }

    struct Tools<'a> {
        tcti: &'a str,
        dir: &'a Path,
    }

    impl Tools<'_> {
        fn run(&self, tool: &str, args: &[&str]) {
            let output = Command::new(tool)
                .args(args)
                .env("TPM2TOOLS_TCTI", self.tcti)
                .current_dir(self.dir)
                .output()
                .unwrap_or_else(|error| {
                    panic!(
                        "{tool} could not run ({error}): apt-get install {}",
                        swtpm::PACKAGES
                    )
                });
            assert!(
                output.status.success(),
                "{tool} {args:?} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }

        /// Runs `tool`, then (untimed) flushes the transient objects it left loaded, as the
        /// kernel's resource manager does when a process closes `/dev/tpmrm0`; swtpm has room for
        /// only three. Returns the time of `tool` alone.
        fn timed(&self, tool: &str, args: &[&str]) -> Duration {
            let started = Instant::now();
            self.run(tool, args);
            let elapsed = started.elapsed();
            self.run("tpm2_flushcontext", &["-t"]);
            elapsed
        }

        /// One signature the way codex's Linux provider made it, with the digest flag fixed.
        fn sign_like_codex(&self) -> Duration {
            self.timed("tpm2_createprimary", &[PRIMARY, &["-c", "p.ctx"]].concat())
                + self.timed(
                    "tpm2_load",
                    &[
                        "-C", "p.ctx", "-u", "key.pub", "-r", "key.priv", "-c", "k.ctx",
                    ],
                )
                + self.timed(
                    "tpm2_sign",
                    &[
                        "-c", "k.ctx", "-g", "sha256", "-s", "ecdsa", "--digest", "-f", "plain",
                        "-o", "sig.der", "digest",
                    ],
                )
        }
    }

    fn median(times: &mut [Duration]) -> Duration {
        times.sort();
        times[times.len() / 2]
    }

    fn ms(duration: Duration) -> f64 {
        duration.as_secs_f64() * 1000.0
    }
}
