//! What a TCTI string (`<name>:<config>`, as libtss2's TCTI loader and tpm2-tools take it) says
//! about the TPM behind it: where to check that something is there before the TCTI is opened
//! (a device node, a TCP port), and whether a resource manager stands between the provider and
//! the TPM. `pcap:<child TCTI>` records the traffic of the TCTI it wraps, so it says what its
//! child says.

use std::io;
use std::net::{TcpStream, ToSocketAddrs as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How deep `pcap:` may wrap `pcap:`.
const MAX_NESTING: usize = 4;

/// What to check before opening the TCTI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Probe {
    /// That this device node opens for reading and writing.
    Device(PathBuf),
    /// That something accepts a TCP connection here.
    Tcp {
        /// The host, as written (brackets of an IPv6 address removed).
        host: String,
        /// The port.
        port: u16,
    },
    /// Nothing: the TCTI's own open says whether the TPM is there.
    Nothing,
}

/// A TCTI string, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Target {
    pub(super) probe: Probe,
    /// No resource manager: the provider counts itself the TPM's only user, and transient
    /// objects loaded that are not its own were left by a process that died.
    pub(super) exclusive: bool,
}

impl Target {
    /// Reads `tcti`. swtpm, mssim and the raw device (`/dev/tpmN`, which the kernel lets one
    /// process open at a time) have no resource manager; the kernel's (`/dev/tpmrmN`) and tabrmd
    /// are one. A TCTI this code does not know counts as having one, so that nothing is flushed
    /// on a guess. Refuses an empty name and a port that is not a number.
    pub(super) fn parse(tcti: &str) -> Result<Target, String> {
        let mut tcti = tcti;
        for _ in 0..MAX_NESTING {
            let (name, config) = tcti.split_once(':').unwrap_or((tcti, ""));
            match name {
                "" => return Err("the TCTI string names no TCTI (give <name>:<config>)".into()),
                "pcap" => tcti = config,
                "device" => {
                    let path = device_path(config);
                    return Ok(Target {
                        exclusive: !is_resource_manager_device(path),
                        probe: Probe::Device(path.to_owned()),
                    });
                }
                "swtpm" | "mssim" => {
                    let (host, port) = host_and_port(config)?;
                    return Ok(Target {
                        probe: Probe::Tcp { host, port },
                        exclusive: true,
                    });
                }
                _ => {
                    return Ok(Target {
                        probe: Probe::Nothing,
                        exclusive: false,
                    })
                }
            }
        }
        Err(format!("pcap: is nested more than {MAX_NESTING} deep"))
    }

    /// Checks that the device opens or that something listens at the address (a TCP connect
    /// cannot hang longer than `timeout`, at least a millisecond), so that opening the TCTI does
    /// not wait on a TPM that is not there.
    pub(super) fn check(&self, timeout: Duration) -> Result<(), String> {
        match &self.probe {
            Probe::Device(path) => std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(path)
                .map(drop)
                .map_err(|error| format!("cannot open {}: {error}", path.display())),
            Probe::Tcp { host, port } => {
                connect(host, *port, timeout.max(Duration::from_millis(1)))
                    .map_err(|error| error.to_string())
            }
            Probe::Nothing => Ok(()),
        }
    }
}

/// The device a `device:` TCTI's config names (libtss2's default, `/dev/tpm0`, when empty).
fn device_path(config: &str) -> &Path {
    Path::new(if config.is_empty() {
        "/dev/tpm0"
    } else {
        config
    })
}

/// Whether `path` is (a link to) the kernel's resource manager, `/dev/tpmrmN`.
fn is_resource_manager_device(path: &Path) -> bool {
    let resolved = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    resolved
        .file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.starts_with("tpmrm"))
}

/// The `host` and `port` of a `swtpm:` or `mssim:` config (defaults `localhost`, 2321).
fn host_and_port(config: &str) -> Result<(String, u16), String> {
    let mut host = "localhost";
    let mut port = 2321u16;
    for option in config.split(',').filter(|option| !option.is_empty()) {
        match option.split_once('=') {
            Some(("host", value)) => host = value,
            Some(("port", value)) => {
                port = value
                    .parse()
                    .map_err(|_| format!("bad port {value:?} in the TCTI string"))?
            }
            _ => {}
        }
    }
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Ok((host.to_owned(), port))
}

fn connect(host: &str, port: u16, timeout: Duration) -> io::Result<()> {
    let mut last_error = io::Error::new(io::ErrorKind::NotFound, format!("{host} has no address"));
    for address in (host, port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&address, timeout) {
            Ok(_) => return Ok(()),
            Err(error) => last_error = error,
        }
    }
    Err(last_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tctis_without_a_resource_manager_are_exclusive() {
        let exclusive = |tcti: &str| Target::parse(tcti).unwrap().exclusive;
        assert!(exclusive("swtpm:host=127.0.0.1,port=2321"));
        assert!(exclusive("mssim:host=localhost,port=2321"));
        assert!(exclusive("swtpm:"));
        assert!(exclusive("device:/dev/tpm0"));
        assert!(exclusive("device:"));
        assert!(!exclusive("device:/dev/tpmrm0"));
        assert!(!exclusive("tabrmd:bus_type=session"));
        assert!(!exclusive("libtss2-tcti-device.so.0:/dev/tpm0"));
        assert!(!exclusive("cmd:tpm2_send"));
        // pcap: says what the TCTI it wraps says.
        assert!(exclusive("pcap:swtpm:host=127.0.0.1,port=2321"));
        assert!(!exclusive("pcap:device:/dev/tpmrm0"));
        assert!(exclusive("pcap:pcap:mssim:"));
    }

    #[test]
    fn probes_are_read_off_the_config() {
        assert_eq!(
            Target::parse("pcap:swtpm:host=[::1],port=2400")
                .unwrap()
                .probe,
            Probe::Tcp {
                host: "::1".into(),
                port: 2400
            }
        );
        assert_eq!(
            Target::parse("mssim").unwrap().probe,
            Probe::Tcp {
                host: "localhost".into(),
                port: 2321
            }
        );
        assert_eq!(
            Target::parse("device:").unwrap().probe,
            Probe::Device("/dev/tpm0".into())
        );
        assert_eq!(Target::parse("tabrmd:").unwrap().probe, Probe::Nothing);
        for bad in [
            "",
            ":x",
            "pcap:",
            "swtpm:port=x",
            "pcap:pcap:pcap:pcap:pcap:swtpm:",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad:?}");
        }
    }
}
