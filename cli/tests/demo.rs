//! `devicekey demo`, run as a real process.

use std::process::Command;

#[test]
fn the_demo_runs_every_step_and_exits_zero() {
    let output = Command::new(env!("CARGO_BIN_EXE_devicekey"))
        .arg("demo")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for expected in [
        "→ {",
        "← {",
        "\"method\": \"initialize\"",
        "\"method\": \"initialized\"",
        "\"protectionPolicy\": \"allow_software\"",
        "\"method\": \"device/key/public\"",
        "\"method\": \"device/key/sign\"",
        "VALID",
        "\"kind\": \"replay\"",
        "demo complete",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    // Long base64 is elided in the middle.
    assert!(stdout.contains("…"), "{stdout}");
    // The temporary state directory is gone.
    let state = stdout
        .lines()
        .next()
        .and_then(|line| line.rsplit(' ').next())
        .unwrap();
    assert!(!std::path::Path::new(state).exists(), "{state}");
}
