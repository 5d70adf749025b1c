//! `postsyncer-delegate demo`, which `scripts/demo` (the README's first command) runs: the
//! whole flow on the embedded emulator, and a replay refused.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly

use std::process::Command;

const CLI: &str = env!("CARGO_BIN_EXE_postsyncer-delegate");

#[test]
fn the_demo_completes_the_flow_and_refuses_the_replay() {
    let output = Command::new(CLI).arg("demo").output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    for step in [
        "[begin   ]",
        "[approval]",
        "[complete]",
        "[replay  ] the same callback again -> state_not_found",
    ] {
        assert!(stdout.contains(step), "no {step:?} in:\n{stdout}");
    }
    assert!(
        stdout.contains("[done    ] verified platform_id: "),
        "{stdout}"
    );
    // The demo prints the emulator's public test credentials nowhere but where it must.
    assert!(!stdout.contains("ps_test_signing_secret"), "{stdout}");
}
