//! `kyso cert verify` and the certificate options of `kyso verify`: exit codes for inputs
//! that cannot be processed, and a valid / invalid chain from the test PKI. (NIST PKITS runs
//! through `kyso cert verify` in `tests/pkits.rs`.)

mod common;

use std::process::Command;

use common::pki::{pem, TestPki};
use time::OffsetDateTime;

fn kyso(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn exit_codes_and_output() {
    let dir = common::temp_dir();
    let pki = TestPki::generate(OffsetDateTime::now_utc());
    let root = pki.write_root(dir.path());
    let (_, cert, chain) = pki.p256.write_pem(dir.path());
    let s = |p: &std::path::Path| p.display().to_string();

    // Valid: exit 0, the path in the text output.
    let (code, out, err) = kyso(&[
        "cert",
        "verify",
        &s(&cert),
        "--trust",
        &s(&root),
        "--intermediate",
        &s(&chain),
    ]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("VALID") && out.contains("path:"), "{out}");
    // Revocation required and no data: exit 1, the reason in the JSON.
    let (code, out, _) = kyso(&[
        "cert",
        "verify",
        &s(&cert),
        "--trust",
        &s(&root),
        "--intermediate",
        &s(&chain),
        "--revocation",
        "require",
        "--json",
    ]);
    assert_eq!(code, Some(1));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["valid"], false);
    assert!(out.contains("revocation.unknown"));
    // No intermediate: no path, exit 1.
    let (code, _, _) = kyso(&["cert", "verify", &s(&cert), "--trust", &s(&root)]);
    assert_eq!(code, Some(1));
    // The wrong purpose: a document-signing certificate as a timestamping authority.
    let (code, out, _) = kyso(&[
        "cert",
        "verify",
        &s(&cert),
        "--trust",
        &s(&root),
        "--intermediate",
        &s(&chain),
        "--purpose",
        "timestamping",
    ]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("chain.extended_key_usage"));

    // Could not process: exit 2 with one line naming the file.
    let garbage = dir.path().join("garbage.crl");
    std::fs::write(&garbage, b"not a CRL").unwrap();
    for args in [
        vec!["cert", "verify", "/nonexistent.pem", "--trust", &s(&root)],
        vec![
            "cert",
            "verify",
            &s(&cert),
            "--trust",
            "/nonexistent-root.pem",
        ],
        vec![
            "cert",
            "verify",
            &s(&cert),
            "--trust",
            &s(&root),
            "--crl",
            &s(&garbage),
        ],
        vec![
            "cert",
            "verify",
            &s(&cert),
            "--trust",
            &s(&root),
            "--ocsp",
            &s(&garbage),
        ],
        vec![
            "cert",
            "verify",
            &s(&cert),
            "--trust",
            &s(&root),
            "--revocation",
            "sometimes",
        ],
    ] {
        let (code, _, err) = kyso(&args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(!err.trim().is_empty());
    }
    let (code, _, err) = kyso(&[
        "cert",
        "verify",
        &s(&cert),
        "--trust",
        &s(&root),
        "--online",
    ]);
    if cfg!(feature = "online") {
        assert_ne!(code, Some(2), "{err}");
    } else {
        assert_eq!(code, Some(2));
        assert!(err.contains("online"), "{err}");
    }

    // A trust directory works like --trust.
    let roots = dir.path().join("roots");
    std::fs::create_dir(&roots).unwrap();
    std::fs::write(roots.join("root.crt"), pem("CERTIFICATE", &pki.root_der)).unwrap();
    let (code, out, _) = kyso(&[
        "cert",
        "verify",
        &s(&cert),
        "--trust-dir",
        &s(&roots),
        "--intermediate",
        &s(&chain),
    ]);
    assert_eq!(code, Some(0), "{out}");
}
