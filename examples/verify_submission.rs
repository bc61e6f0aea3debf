//! Check a citizen-submitted PDF before accepting it: every signature must pass against the
//! office's trust anchors.
//!
//! `cargo run --example verify_submission -- ROOTS.pem FILE.pdf` prints the JSON report and
//! exits 0 (accept), 1 (reject: some signature did not pass, or none exists) or 2 (could
//! not process the file).

use std::path::Path;
use std::process::ExitCode;

use kyso::pki::TrustStore;
use kyso::verify::{verify_file, VerifyOptions};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [roots, file] = args.as_slice() else {
        eprintln!("usage: verify_submission ROOTS.pem FILE.pdf");
        return ExitCode::from(2);
    };
    let mut trust = TrustStore::empty();
    if let Err(e) = trust.add_file(Path::new(roots)) {
        eprintln!("{e}");
        return ExitCode::from(2);
    }
    match verify_file(Path::new(file), &VerifyOptions::new(trust)) {
        Ok(report) => {
            println!("{}", report.to_json());
            if report.all_passed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
