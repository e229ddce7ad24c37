//! What a signature costs the TPM provider on one swtpm, in one run: the TPM commands of each
//! operation, counted independently of the provider, and the TPM's share of a signature's
//! latency, against the software provider and against the tpm2-tools processes codex's Linux
//! provider ran (`tpm2_createprimary`, `tpm2_load`, `tpm2_sign --digest`, the hash passed
//! correctly).
//!
//! `cargo bench -p devicekey-runtime --bench tpm`. Needs swtpm, tpm2-tools and libtss2's pcap
//! TCTI (`libtss2-tcti-pcap0`).
//!
//! Commands: the provider runs on `pcap:swtpm:...`, libtss2's TCTI that records every command
//! and answer in a pcapng file (`TCTI_PCAP_FILE`, set before any thread starts), and the
//! testkit's reader decodes the command codes from the file after each operation.
//!
//! Latency, in alternating rounds: the provider through the pcap TCTI, each signature followed
//! by one of the software provider (the same payload, its key file read from disk the same way);
//! the same without the capture; then tpm2-tools processes. The TPM's share of a signature is
//! the TPM provider's median minus the software provider's median of the same rounds. swtpm
//! serves one client at a time and the provider counts itself the TPM's only user, so each
//! side's batch opens its own connection (outside the timing, as a server opens it once, with
//! one untimed signature that loads the key) and closes it before the next side's batch. After
//! each tool, `tpm2_flushcontext -t` (untimed) clears the transient objects it left behind, which
//! the kernel's resource manager would do on `/dev/tpmrm0`.

fn main() {
    #[cfg(target_os = "linux")]
    linux::main();
    #[cfg(not(target_os = "linux"))]
    println!("the TPM benchmark runs on Linux only");
}

#[cfg(target_os = "linux")]
mod linux {
    use devicekey_testkit::pcap::{Exchange, PcapLog};
    use devicekey_testkit::swtpm;

    use std::path::Path;
    use std::process::Command;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use devicekey_proof::verify_der;
    use devicekey_proof::SignedPayload;
    use devicekey_protocol::types::DeviceKeyProtectionPolicy;
    use devicekey_runtime::provider::tpm::TpmProvider;
    use devicekey_runtime::provider::SoftwareProvider;
    use devicekey_runtime::{FileSecretStore, KeyProvider, ProviderKey};
    use serde_json::json;
    use sha2::{Digest as _, Sha256};

    const ROUNDS: usize = 10;
    /// Signatures per side and round (each TPM signature paired with a software one).
    const BATCH: usize = 20;
    /// tpm2-tools signatures per round (three processes each).
    const TOOLS_BATCH: usize = 4;
    /// Signatures whose commands are counted in steady state.
    const STEADY: usize = 100;

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
        let capture = work.join("tpm.pcapng");
        // Before any thread starts: the pcap TCTI reads it when it is opened.
        std::env::set_var("TCTI_PCAP_FILE", &capture);
        let swtpm = swtpm::Swtpm::start(&work.join("state"));
        let direct = swtpm.tcti();
        let pcap = swtpm.pcap_tcti();
        let keys = work.join("keys");
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

        // swtpm tests each algorithm the first time it is used (and may ask for a command
        // again then): one signature before anything is counted.
        {
            let warm = TpmProvider::open(&direct, &work.join("warm-up")).unwrap();
            let key = warm
                .create(DeviceKeyProtectionPolicy::HardwareOnly)
                .unwrap();
            signs(&warm, &key, &payload);
        }

        println!("TPM commands per operation, decoded from libtss2's pcap TCTI ({pcap}):");
        let mut log = PcapLog::from_now(&capture);
        let started = Instant::now();
        let provider = TpmProvider::open(&pcap, &keys).unwrap();
        let open_time = started.elapsed();
        report("open (no resource manager)", &log.take(), 1);
        let key = provider
            .create(DeviceKeyProtectionPolicy::HardwareOnly)
            .unwrap();
        report("create", &log.take(), 1);
        provider.public_key(&key.key_id).unwrap();
        report("public", &log.take(), 1);
        signs(&provider, &key, &payload);
        report("first sign after the create", &log.take(), 1);
        drop(provider);
        report("clean exit (the provider dropped)", &log.take(), 1);
        let provider = TpmProvider::open(&pcap, &keys).unwrap();
        log.take();
        signs(&provider, &key, &payload);
        report("first sign after start", &log.take(), 1);
        for _ in 0..STEADY {
            signs(&provider, &key, &payload);
        }
        report(
            &format!("steady-state sign (mean of {STEADY})"),
            &log.take(),
            STEADY,
        );
        drop(provider);

        // The software provider, keys in files as the TPM blobs are.
        let software = SoftwareProvider::new(Arc::new(
            FileSecretStore::open(work.join("software-keys")).unwrap(),
        ));
        let software_key = software
            .create(DeviceKeyProtectionPolicy::AllowSoftware)
            .unwrap();

        // The tools' key, made once under the same primary template; its public key for
        // checking.
        let tools = Tools {
            tcti: &direct,
            dir: work,
        };
        tools.make_key();
        let tools_spki = std::fs::read(work.join("key.spki")).unwrap();

        let mut through_pcap = Pair::default();
        let mut without_pcap = Pair::default();
        let mut tools_times = Vec::new();
        let mut timed_commands = 0;
        for _ in 0..ROUNDS {
            for (tcti, pair) in [(&pcap, &mut through_pcap), (&direct, &mut without_pcap)] {
                let provider = TpmProvider::open(tcti, &keys).unwrap();
                signs(&provider, &key, &payload);
                log.take();
                for _ in 0..BATCH {
                    pair.tpm.push(signs(&provider, &key, &payload));
                    pair.software
                        .push(signs(&software, &software_key, &payload));
                }
                timed_commands += log.take().len();
                drop(provider);
            }
            for _ in 0..TOOLS_BATCH {
                tools_times.push(tools.sign_like_codex());
                let signature = std::fs::read(work.join("sig.der")).unwrap();
                verify_der(&tools_spki, payload.as_bytes(), &signature)
                    .expect("the tpm2-tools signature verifies (digest passed with --digest)");
            }
        }
        println!(
            "  timed signatures through the pcap TCTI: {:.2} commands each ({timed_commands} \
             for {})",
            timed_commands as f64 / (ROUNDS * BATCH) as f64,
            ROUNDS * BATCH
        );

        let tools_median = median(&mut tools_times);
        println!(
            "TPM sign latency on one swtpm, {} signatures per provider, alternating with the \
             software provider, {ROUNDS} rounds (tpm2-tools: {} signatures):",
            ROUNDS * BATCH,
            ROUNDS * TOOLS_BATCH
        );
        println!(
            "  provider open (once per process): {:>8.3} ms",
            ms(open_time)
        );
        let direct_median = without_pcap.print("swtpm TCTI");
        through_pcap.print("pcap TCTI");
        println!(
            "  tpm2-tools processes (createprimary+load+sign): median {:.3} ms; the provider is \
             {:.1}x faster",
            ms(tools_median),
            tools_median.as_secs_f64() / direct_median.as_secs_f64()
        );
    }

    /// Signs as the store does, and checks the signature; the time of the signature alone.
    fn signs(provider: &dyn KeyProvider, key: &ProviderKey, payload: &SignedPayload) -> Duration {
        let started = Instant::now();
        let signature = provider
            .sign_checked(&key.key_id, payload, &key.public_key_spki_der)
            .unwrap();
        let elapsed = started.elapsed();
        verify_der(&key.public_key_spki_der, payload.as_bytes(), &signature)
            .expect("the provider's signature verifies");
        elapsed
    }

    /// Prints what `exchanges` (the commands of `count` operations) were.
    fn report(what: &str, exchanges: &[Exchange], count: usize) {
        let names: Vec<String> = exchanges.iter().map(ToString::to_string).collect();
        let mut distinct = names.clone();
        distinct.dedup();
        let list = if count == 1 { names } else { distinct };
        println!(
            "  {what:<36} {:>5}  {}",
            if count == 1 {
                format!("{}", exchanges.len())
            } else {
                format!("{:.2}", exchanges.len() as f64 / count as f64)
            },
            list.join(", ")
        );
    }

    /// The TPM provider's and the software provider's times of the same rounds.
    #[derive(Default)]
    struct Pair {
        tpm: Vec<Duration>,
        software: Vec<Duration>,
    }

    impl Pair {
        /// Prints the medians and the TPM's share; returns the TPM provider's median.
        fn print(&mut self, tcti: &str) -> Duration {
            let tpm = median(&mut self.tpm);
            let software = median(&mut self.software);
            println!(
                "  {tcti:<10}: TPM provider median {:.3} ms, software provider {:.3} ms, the \
                 TPM's share {:.3} ms",
                ms(tpm),
                ms(software),
                ms(tpm) - ms(software)
            );
            tpm
        }
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

        /// The tools' key under the same primary template, and its public key (`key.spki`).
        fn make_key(&self) {
            self.timed(
                "tpm2_createprimary",
                &[PRIMARY, &["-c", "primary.ctx"]].concat(),
            );
            self.timed(
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
            self.timed(
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
            self.timed(
                "tpm2_readpublic",
                &["-c", "key.ctx", "-f", "der", "-o", "key.spki"],
            );
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
