//! A software TPM (swtpm) of its own for each test: started on free loopback ports with its state
//! in a directory, stopped by process id when dropped (also when the test fails), paused and
//! resumed (SIGSTOP, SIGCONT) as a TPM that hangs, reached through libtss2's `pcap` TCTI to
//! record its traffic ([`Swtpm::pcap_tcti`], read with [`crate::pcap`]), and inspected, filled,
//! provisioned or cleared with tpm2-tools. Shared by the TPM tests and the TPM benchmark.

#![allow(dead_code)]

use std::io;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// What CI installs; named in the failure when swtpm is missing.
pub const PACKAGES: &str = "swtpm swtpm-tools tpm2-tools libtss2-dev";

/// How long swtpm may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// A running swtpm.
pub struct Swtpm {
    child: Option<Child>,
    port: u16,
    state_dir: PathBuf,
    paused: bool,
}

impl Swtpm {
    /// Starts swtpm with its state in `state_dir` (created if needed) on fresh free ports.
    pub fn start(state_dir: &Path) -> Swtpm {
        let mut last = String::new();
        for _ in 0..5 {
            let port = free_port_pair();
            match Self::start_on(state_dir, port) {
                Ok(swtpm) => return swtpm,
                // Another process took the port between the probe and swtpm's bind: retry.
                Err(error) => last = error,
            }
        }
        panic!("swtpm did not start: {last}");
    }

    /// Starts swtpm on `port` (data) and `port + 1` (control).
    pub fn start_on(state_dir: &Path, port: u16) -> Result<Swtpm, String> {
        std::fs::create_dir_all(state_dir).unwrap();
        let spawned = Command::new("swtpm")
            .arg("socket")
            .arg("--tpm2")
            .arg("--server")
            .arg(format!("type=tcp,port={port},bindaddr=127.0.0.1"))
            .arg("--ctrl")
            .arg(format!("type=tcp,port={},bindaddr=127.0.0.1", port + 1))
            .arg("--tpmstate")
            .arg(format!("dir={}", state_dir.display()))
            .arg("--flags")
            .arg("not-need-init,startup-clear")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(error) if error.kind() == io::ErrorKind::NotFound => panic!(
                "the TPM tests need swtpm, which is not installed: apt-get install {PACKAGES}"
            ),
            Err(error) => panic!("could not run swtpm: {error}"),
        };
        let mut swtpm = Swtpm {
            child: Some(child),
            port,
            state_dir: state_dir.to_owned(),
            paused: false,
        };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(status) = swtpm.child.as_mut().unwrap().try_wait().unwrap() {
                let mut stderr = String::new();
                if let Some(mut pipe) = swtpm.child.take().unwrap().stderr.take() {
                    let _ = io::Read::read_to_string(&mut pipe, &mut stderr);
                }
                return Err(format!("swtpm exited with {status}: {stderr}"));
            }
            if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
                return Ok(swtpm);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "swtpm did not listen on port {port} within {START_TIMEOUT:?}"
                ));
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// The TCTI string of this swtpm.
    pub fn tcti(&self) -> String {
        tcti(self.port)
    }

    /// `pcap:` around [`tcti`](Self::tcti): libtss2's pcap TCTI (`libtss2-tcti-pcap0`) passes
    /// every command and answer through and appends them to the pcapng file named by the
    /// `TCTI_PCAP_FILE` environment variable, read when the TCTI is opened (so set it before
    /// any thread that could be reading the environment starts).
    pub fn pcap_tcti(&self) -> String {
        format!("pcap:{}", self.tcti())
    }

    /// The data port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Where its state lives.
    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    /// The process id of the running swtpm.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("swtpm is not running").id()
    }

    /// Stops the process where it is (SIGSTOP): its sockets stay open and the kernel still
    /// accepts connections, but nothing is answered, as from a hung TPM.
    pub fn pause(&mut self) {
        signal(self.pid(), "-STOP");
        self.paused = true;
    }

    /// Lets a paused swtpm go on (SIGCONT).
    pub fn resume(&mut self) {
        signal(self.pid(), "-CONT");
        self.paused = false;
    }

    /// Runs the tpm2-tools command `tool` with `args` against this swtpm and returns its
    /// standard output; panics with its standard error when it fails. A provider connected to
    /// this swtpm counts itself its only user, so the tools should run between providers (or
    /// play the other client on purpose).
    pub fn tpm2(&self, tool: &str, args: &[&str]) -> String {
        self.try_tpm2(tool, args)
            .unwrap_or_else(|error| panic!("{tool} {args:?} failed {error}"))
    }

    /// [`tpm2`](Self::tpm2), with the failure (exit status and standard error) as the error.
    pub fn try_tpm2(&self, tool: &str, args: &[&str]) -> Result<String, String> {
        self.try_tpm2_in(None, tool, args)
    }

    fn try_tpm2_in(&self, dir: Option<&Path>, tool: &str, args: &[&str]) -> Result<String, String> {
        let mut command = Command::new(tool);
        if let Some(dir) = dir {
            command.current_dir(dir);
        }
        let output = command
            .args(args)
            .env("TPM2TOOLS_TCTI", self.tcti())
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|error| match error.kind() {
                io::ErrorKind::NotFound => panic!(
                    "this test needs tpm2-tools ({tool}), which is not installed: apt-get install {PACKAGES}"
                ),
                _ => panic!("could not run {tool}: {error}"),
            });
        if !output.status.success() {
            return Err(format!(
                "({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// The transient objects loaded in the TPM now (`tpm2_getcap handles-transient`), as
    /// `0x80000000`-style handles.
    pub fn transient_handles(&self) -> Vec<String> {
        self.tpm2("tpm2_getcap", &["handles-transient"])
            .lines()
            .filter_map(|line| line.trim().strip_prefix("- "))
            .map(str::to_owned)
            .collect()
    }

    /// Loads `count` transient objects (storage primaries, with `tpm2_createprimary`) and
    /// leaves them loaded, as a process killed in the middle of its work leaves its objects
    /// on a TPM without a resource manager.
    pub fn leave_transient_objects(&self, count: usize) {
        for _ in 0..count {
            self.tpm2(
                "tpm2_createprimary",
                &["-C", "o", "-g", "sha256", "-G", "ecc256:null:aes128cfb"],
            );
        }
    }

    /// Loads storage primaries (as [`leave_transient_objects`](Self::leave_transient_objects))
    /// until the TPM has no object slot left, and returns how many it loaded: what fits beside
    /// the objects loaded now.
    pub fn fill_transient_slots(&self) -> usize {
        let mut loaded = 0;
        while loaded < 16
            && self
                .try_tpm2(
                    "tpm2_createprimary",
                    &["-C", "o", "-g", "sha256", "-G", "ecc256:null:aes128cfb"],
                )
                .is_ok()
        {
            loaded += 1;
        }
        loaded
    }

    /// Makes a storage key persistent at the TCG's storage-root-key handle `0x81000001`, as
    /// an administrator would, with `tpm2_createprimary` in the owner hierarchy and
    /// `tpm2_evictcontrol`. `algorithm` is tpm2-tools' `-G`: `ecc256:null:aes128cfb` with the
    /// default attributes is the TPM provider's own storage primary; anything else makes
    /// another key.
    pub fn persist_storage_key(&self, algorithm: &str) {
        let dir = tempfile::tempdir().unwrap();
        let run = |tool: &str, args: &[&str]| {
            self.try_tpm2_in(Some(dir.path()), tool, args)
                .unwrap_or_else(|error| panic!("{tool} {args:?} failed {error}"))
        };
        run(
            "tpm2_createprimary",
            &[
                "-C",
                "o",
                "-g",
                "sha256",
                "-G",
                algorithm,
                "-a",
                "restricted|decrypt|fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda",
                "-c",
                "srk.ctx",
            ],
        );
        run(
            "tpm2_evictcontrol",
            &["-C", "o", "-c", "srk.ctx", "0x81000001"],
        );
        run("tpm2_flushcontext", &["-t"]);
    }

    /// Removes the persistent object at `0x81000001` (`tpm2_evictcontrol`).
    pub fn remove_persistent_storage_key(&self) {
        self.tpm2("tpm2_evictcontrol", &["-C", "o", "-c", "0x81000001"]);
    }

    /// `TPM2_Clear` with the lockout hierarchy's empty auth (`tpm2_clear`): the owner seed
    /// changes, so every key wrapped under the owner hierarchy is gone.
    pub fn clear(&self) {
        self.tpm2("tpm2_clear", &["-c", "l"]);
    }

    /// Stops it (SIGTERM, then SIGKILL after two seconds) and waits for it to exit.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        signal(child.id(), "-TERM");
        if self.paused {
            // A stopped process acts on SIGTERM once it runs again.
            signal(child.id(), "-CONT");
            self.paused = false;
        }
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            thread::sleep(Duration::from_millis(10));
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Stops it and starts it again on the same ports and state, as after a reboot.
    pub fn restart(&mut self) {
        self.stop();
        self.start_again();
    }

    /// Starts a stopped swtpm again on the same ports and state.
    pub fn start_again(&mut self) {
        assert!(self.child.is_none(), "swtpm is running");
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            match Self::start_on(&self.state_dir.clone(), self.port) {
                Ok(mut started) => {
                    self.child = started.child.take();
                    return;
                }
                Err(error) if Instant::now() > deadline => panic!("swtpm did not restart: {error}"),
                Err(_) => thread::sleep(Duration::from_millis(100)),
            }
        }
    }
}

impl Drop for Swtpm {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The certificate authority [`provision_with_ek_certificates`] made: its files, PEM.
pub struct EkCertificateAuthority {
    /// The self-signed root (`swtpm-localca-rootca-cert.pem`): the trust anchor.
    pub root: PathBuf,
    /// The intermediate that signed the EK certificates (`issuercert.pem`).
    pub issuer: PathBuf,
}

impl EkCertificateAuthority {
    /// The root certificate's PEM text.
    pub fn root_pem(&self) -> String {
        std::fs::read_to_string(&self.root).unwrap()
    }

    /// The issuing certificate's PEM text.
    pub fn issuer_pem(&self) -> String {
        std::fs::read_to_string(&self.issuer).unwrap()
    }
}

/// Manufactures a TPM in `state_dir` (before any swtpm runs on it) as a vendor would, with
/// swtpm-tools' `swtpm_setup --create-ek-cert`: an RSA 2048 EK (NV index `0x01c00002`) and an
/// ECC P-384 EK (`0x01c00016`), each made persistent (`0x81010001`, `0x81010016`) and with its
/// certificate in NV, issued by a local CA of its own (`swtpm_localca`) whose files are kept in
/// `ca_dir`. Two calls with different `ca_dir`s make TPMs from unrelated manufacturers; two with
/// the same one share the CA.
pub fn provision_with_ek_certificates(state_dir: &Path, ca_dir: &Path) -> EkCertificateAuthority {
    std::fs::create_dir_all(state_dir).unwrap();
    std::fs::create_dir_all(ca_dir).unwrap();
    let ca = ca_dir.display();
    let localca_conf = ca_dir.join("swtpm-localca.conf");
    std::fs::write(
        &localca_conf,
        format!(
            "statedir = {ca}\nsigningkey = {ca}/signkey.pem\nissuercert = {ca}/issuercert.pem\ncertserial = {ca}/certserial\n"
        ),
    )
    .unwrap();
    let localca_options = ca_dir.join("swtpm-localca.options");
    std::fs::write(
        &localca_options,
        "--platform-manufacturer devicekey-tests\n--platform-version 1.0\n--platform-model swtpm\n",
    )
    .unwrap();
    let setup_conf = ca_dir.join("swtpm_setup.conf");
    std::fs::write(
        &setup_conf,
        format!(
            "create_certs_tool = /usr/bin/swtpm_localca\ncreate_certs_tool_config = {}\ncreate_certs_tool_options = {}\nactive_pcr_banks = sha256\n",
            localca_conf.display(),
            localca_options.display()
        ),
    )
    .unwrap();
    let output = Command::new("swtpm_setup")
        .arg("--tpm2")
        .arg("--tpmstate")
        .arg(state_dir)
        .arg("--create-ek-cert")
        .arg("--overwrite")
        .arg("--config")
        .arg(&setup_conf)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|error| match error.kind() {
            io::ErrorKind::NotFound => panic!(
                "this test needs swtpm_setup, which is not installed: apt-get install {PACKAGES}"
            ),
            _ => panic!("could not run swtpm_setup: {error}"),
        });
    assert!(
        output.status.success(),
        "swtpm_setup failed ({}): {}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let authority = EkCertificateAuthority {
        root: ca_dir.join("swtpm-localca-rootca-cert.pem"),
        issuer: ca_dir.join("issuercert.pem"),
    };
    assert!(authority.root.is_file() && authority.issuer.is_file());
    authority
}

/// Sends `signal` (`-TERM`, `-STOP`, ...) to process `pid` with kill(1).
fn signal(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .arg(signal)
        .arg(pid.to_string())
        .status();
}

/// The TCTI string of a swtpm on loopback `port`.
pub fn tcti(port: u16) -> String {
    format!("swtpm:host=127.0.0.1,port={port}")
}

/// A port `p` such that `p` and `p + 1` were both free a moment ago.
pub fn free_port_pair() -> u16 {
    loop {
        let first = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = first.local_addr().unwrap().port();
        if port < u16::MAX && TcpListener::bind((Ipv4Addr::LOCALHOST, port + 1)).is_ok() {
            return port;
        }
    }
}

/// A loopback port nothing listens on (a moment ago).
pub fn closed_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
