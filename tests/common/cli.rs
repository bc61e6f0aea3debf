//! Running the `kyso` binary from a test and showing what it did.
//!
//! Test crates that do not use the rest of `common` include this file alone
//! (`#[path = "common/cli.rs"] mod cli;`).
#![allow(dead_code)]

use std::ffi::OsStr;
use std::process::{Command, Output};

/// The `kyso` binary cargo built for these tests.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_kyso")
}

/// Runs `kyso ARGS` (standard input closed) and waits for it.
pub fn kyso<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(bin())
        .args(args)
        .output()
        .expect("the kyso binary runs")
}

/// An argument as it is written: `os("--force")`, `os(&path)`.
pub fn os<S: AsRef<OsStr> + ?Sized>(s: &S) -> &OsStr {
    s.as_ref()
}

/// The exit code (kyso exited normally, not by a signal).
pub fn code(o: &Output) -> i32 {
    o.status.code().expect("kyso exited normally")
}

/// Standard output, which must be UTF-8.
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

/// Standard error, which must be UTF-8.
pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("stderr is UTF-8")
}

/// Exit code, standard output and standard error, for a failure message.
pub fn show(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
