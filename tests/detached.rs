//! Signatures over any file: kyso's detached CAdES B-B `.p7s` checked by OpenSSL and
//! pyHanko, `.p7s`/`.p7m` made by OpenSSL and pyHanko checked by kyso, enveloping
//! signatures, tampering, untrusted signers, and the `sign-file` / `verify-file` commands.

mod common;

use common::cli::kyso;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use kyso::cms::parse_signed_data;
use kyso::dossier::{
    detached_signature_path, sign_file_detached, verify_detached_bytes, verify_detached_file,
    verify_enveloping_bytes, verify_enveloping_file, write_detached_signature,
    write_enveloping_signature,
};
use kyso::report::{
    ChainStatus, Code, DocumentFormat, Indication, SubIndication, VerificationReport,
};
use kyso::verify::VerifyOptions;
use time::OffsetDateTime;

use common::interop::run;
use common::pki::{TestPki, TestSigner};

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

/// A file with a Vietnamese name and some content.
fn content_file(dir: &Path, len: usize) -> PathBuf {
    let p = dir.join("Tờ khai đăng ký hộ kinh doanh.docx");
    let data: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&p, data).unwrap();
    p
}

fn assert_passed(r: &VerificationReport) {
    assert_eq!(r.signatures.len(), 1, "{}", r.to_json());
    let s = &r.signatures[0];
    assert_eq!(s.indication, Indication::TotalPassed, "{}", r.to_json());
    assert_eq!(s.chain.status, ChainStatus::Trusted);
}

/// `openssl cms -verify -binary -content FILE -inform DER -in SIG -CAfile ROOT -purpose any`.
fn openssl_verify_detached(
    openssl: &Path,
    content: &Path,
    sig: &Path,
    root: &Path,
) -> Result<(), String> {
    let out = run(
        openssl,
        &[
            os("cms"),
            os("-verify"),
            os("-binary"),
            os("-content"),
            content.as_os_str(),
            os("-inform"),
            os("DER"),
            os("-in"),
            sig.as_os_str(),
            os("-CAfile"),
            root.as_os_str(),
            os("-purpose"),
            os("any"),
            os("-out"),
            os("/dev/null"),
        ],
    )?;
    if out.status.success() && out.stderr.contains("Verification successful") {
        Ok(())
    } else {
        Err(out.describe())
    }
}

/// `pyhanko sign validate --detached SIG --trust ROOT --trust-replace --no-revocation-check
/// FILE`: the `INTACT:…` summary line.
fn pyhanko_verify_detached(content: &Path, sig: &Path, root: &Path) -> Option<String> {
    let pyhanko = common::tool("pyhanko")?;
    let out = run(
        &pyhanko,
        &[
            os("sign"),
            os("validate"),
            os("--no-revocation-check"),
            os("--trust"),
            root.as_os_str(),
            os("--trust-replace"),
            os("--detached"),
            sig.as_os_str(),
            content.as_os_str(),
        ],
    )
    .unwrap();
    Some(format!("{}{}", out.stdout, out.stderr))
}

#[test]
fn kyso_p7s_verifies_with_openssl_pyhanko_and_kyso() {
    let pki = TestPki::generate(now());
    let dir = common::temp_dir();
    let root = pki.write_root(dir.path());
    let content = content_file(dir.path(), 100_000);
    let openssl = common::tool("openssl");
    for signer in pki.good_signers() {
        let sig = dir.path().join(format!("{}.p7s", signer.id));
        write_detached_signature(&content, &sig, &signer.signer(), Some(now())).unwrap();

        let report =
            verify_detached_file(&content, &sig, &VerifyOptions::new(pki.trust())).unwrap();
        assert_passed(&report);
        assert_eq!(report.format, DocumentFormat::CmsDetached);
        assert_eq!(report.file_size, 100_000);
        assert!(
            report.signatures[0].claimed_signing_time.is_some(),
            "CAdES B-B has signing-time"
        );

        // OpenSSL 3.0 has no CMS support for Ed25519 at all ("no default digest" when it
        // signs, "invalid digest" when it verifies), whoever made the signature.
        if let Some(o) = openssl.as_ref().filter(|_| signer.id != "ed25519") {
            openssl_verify_detached(o, &content, &sig, &root)
                .unwrap_or_else(|e| panic!("openssl on {}: {e}", signer.id));
        }
        if let Some(out) = pyhanko_verify_detached(&content, &sig, &root) {
            assert!(
                out.contains("INTACT:TRUSTED"),
                "pyHanko on {}: {out}",
                signer.id
            );
        }
    }
}

#[test]
fn tampered_content_untrusted_signer_and_garbage_are_reported() {
    let pki = TestPki::generate(now());
    let dir = common::temp_dir();
    let content = content_file(dir.path(), 5000);
    let opts = VerifyOptions::new(pki.trust());
    let sig = sign_file_detached(&content, &pki.p256.signer(), None).unwrap();

    let mut changed = std::fs::read(&content).unwrap();
    changed[4999] ^= 1;
    let r = verify_detached_bytes(&changed, &sig, &opts).unwrap();
    assert_eq!(r.signatures[0].indication, Indication::TotalFailed);
    assert_eq!(
        r.signatures[0].sub_indication,
        Some(SubIndication::HashFailure)
    );
    assert!(r.signatures[0]
        .findings
        .iter()
        .any(|f| f.code == Code::IntegrityDigestMismatch));

    let untrusted = sign_file_detached(&content, &pki.untrusted.signer(), None).unwrap();
    let r = verify_detached_bytes(&std::fs::read(&content).unwrap(), &untrusted, &opts).unwrap();
    assert_eq!(r.signatures[0].indication, Indication::Indeterminate);
    assert_eq!(
        r.signatures[0].sub_indication,
        Some(SubIndication::NoCertificateChainFound)
    );

    let r = verify_detached_bytes(b"x", b"not a signature", &opts).unwrap();
    assert!(r.signatures.is_empty());
    assert!(r.findings.iter().any(|f| f.code == Code::CmsMalformed));
    assert!(!r.all_passed());

    // A detached signature given as an enveloping one has no content to check.
    let r = verify_enveloping_bytes(&sig, &opts).unwrap();
    assert_eq!(r.report.signatures[0].indication, Indication::TotalFailed);
    assert!(r.report.signatures[0]
        .findings
        .iter()
        .any(|f| f.code == Code::DetachedNoContent));
    assert!(r.content.is_none());
}

#[test]
fn enveloping_signatures_round_trip_and_a_different_companion_file_is_caught() {
    let pki = TestPki::generate(now());
    let dir = common::temp_dir();
    let root = pki.write_root(dir.path());
    let content = content_file(dir.path(), 20_000);
    let p7m = dir.path().join("out.p7m");
    write_enveloping_signature(&content, &p7m, &pki.rsa2048.signer(), None).unwrap();
    let opts = VerifyOptions::new(pki.trust());
    let env = verify_enveloping_file(&p7m, &opts).unwrap();
    assert_passed(&env.report);
    assert_eq!(env.report.format, DocumentFormat::CmsEnveloping);
    assert!(env.content.as_deref() == Some(std::fs::read(&content).unwrap().as_slice()));
    let sd_bytes = std::fs::read(&p7m).unwrap();
    assert!(parse_signed_data(&sd_bytes).unwrap().econtent.is_some());

    // The same .p7m used as a detached signature over another file: the signature covers
    // its own content, which differs.
    let other = dir.path().join("other.bin");
    std::fs::write(&other, b"something else").unwrap();
    let r = verify_detached_file(&other, &p7m, &opts).unwrap();
    assert_eq!(r.signatures[0].indication, Indication::TotalFailed);
    assert!(r.signatures[0]
        .findings
        .iter()
        .any(|f| f.code == Code::DetachedContentMismatch));

    if let Some(openssl) = common::tool("openssl") {
        let extracted = dir.path().join("openssl-content.bin");
        let out = run(
            &openssl,
            &[
                os("cms"),
                os("-verify"),
                os("-binary"),
                os("-inform"),
                os("DER"),
                os("-in"),
                p7m.as_os_str(),
                os("-CAfile"),
                root.as_os_str(),
                os("-purpose"),
                os("any"),
                os("-out"),
                extracted.as_os_str(),
            ],
        )
        .unwrap();
        assert!(out.status.success(), "{}", out.describe());
        assert!(
            std::fs::read(&extracted).unwrap() == std::fs::read(&content).unwrap(),
            "OpenSSL extracts the content kyso enveloped"
        );
    }
}

/// `openssl cms -sign` with the signer's PEM files and `extra` options.
fn openssl_sign(
    openssl: &Path,
    signer: &TestSigner,
    dir: &Path,
    content: &Path,
    out: &Path,
    extra: &[&str],
) {
    let (key, cert, chain) = signer.write_pem(dir);
    let mut args = vec![
        os("cms"),
        os("-sign"),
        os("-binary"),
        os("-in"),
        content.as_os_str(),
        os("-signer"),
        cert.as_os_str(),
        os("-inkey"),
        key.as_os_str(),
        os("-certfile"),
        chain.as_os_str(),
        os("-out"),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(|s| os(s)));
    let o = run(openssl, &args).unwrap();
    assert!(o.status.success(), "{}", o.describe());
}

#[test]
fn openssl_p7s_and_p7m_verify_with_kyso() {
    let Some(openssl) = common::tool("openssl") else {
        return;
    };
    let pki = TestPki::generate(now());
    let dir = common::temp_dir();
    let content = content_file(dir.path(), 30_000);
    let opts = VerifyOptions::new(pki.trust());
    let cases: [(&str, &[&str], bool); 6] = [
        ("detached DER", &["-outform", "DER"], false),
        ("detached PEM", &["-outform", "PEM"], false),
        ("detached CAdES", &["-outform", "DER", "-cades"], false),
        ("enveloping DER", &["-outform", "DER", "-nodetach"], true),
        ("enveloping PEM", &["-outform", "PEM", "-nodetach"], true),
        (
            "enveloping, no signed attributes",
            &["-outform", "DER", "-nodetach", "-noattr"],
            true,
        ),
    ];
    for signer in [&pki.p256, &pki.rsa2048] {
        for (name, extra, enveloping) in cases {
            let out = dir
                .path()
                .join(format!("{}-{}.sig", signer.id, name.replace(' ', "_")));
            openssl_sign(&openssl, signer, dir.path(), &content, &out, extra);
            let report = if enveloping {
                let env = verify_enveloping_file(&out, &opts).unwrap();
                assert!(
                    env.content.as_deref() == Some(std::fs::read(&content).unwrap().as_slice()),
                    "{name}: the content comes back"
                );
                env.report
            } else {
                verify_detached_file(&content, &out, &opts).unwrap()
            };
            assert_passed(&report);
            let codes: Vec<Code> = report.signatures[0]
                .findings
                .iter()
                .map(|f| f.code)
                .collect();
            assert_eq!(
                codes.contains(&Code::IntegrityNoSignedAttributes),
                name.contains("no signed attributes"),
                "{name}: {codes:?}"
            );
        }
    }
    // And OpenSSL's detached signature over altered content fails.
    let out = dir.path().join("plain.p7s");
    openssl_sign(
        &openssl,
        &pki.p256,
        dir.path(),
        &content,
        &out,
        &["-outform", "DER"],
    );
    let mut changed = std::fs::read(&content).unwrap();
    changed[0] ^= 0xff;
    let r = verify_detached_bytes(&changed, &std::fs::read(&out).unwrap(), &opts).unwrap();
    assert_eq!(
        r.signatures[0].sub_indication,
        Some(SubIndication::HashFailure)
    );
}

#[test]
fn pyhanko_detached_signatures_verify_with_kyso() {
    let Some(pyhanko) = common::tool("pyhanko") else {
        return;
    };
    let pki = TestPki::generate(now());
    let dir = common::temp_dir();
    let content = content_file(dir.path(), 10_000);
    let (key, cert, chain) = pki.p256.write_pem(dir.path());
    let sig = dir.path().join("pyhanko.p7s");
    let out = run(
        &pyhanko,
        &[
            os("sign"),
            os("addsig"),
            os("--detach"),
            os("pemder"),
            os("--key"),
            key.as_os_str(),
            os("--cert"),
            cert.as_os_str(),
            os("--chain"),
            chain.as_os_str(),
            os("--no-pass"),
            content.as_os_str(),
            sig.as_os_str(),
        ],
    )
    .unwrap();
    assert!(out.status.success(), "{}", out.describe());
    let report = verify_detached_file(&content, &sig, &VerifyOptions::new(pki.trust())).unwrap();
    assert_passed(&report);
}

#[test]
fn cli_sign_file_and_verify_file() {
    let pki = TestPki::generate(now());
    let dir = common::temp_dir();
    let root = pki.write_root(dir.path());
    let content = content_file(dir.path(), 4096);
    let (key, cert, chain) = pki.p256.write_pem(dir.path());
    let sign = |extra: &[&str]| {
        let mut args = vec![
            os("sign-file"),
            os("--key"),
            key.as_os_str(),
            os("--cert"),
            cert.as_os_str(),
            os("--chain"),
            chain.as_os_str(),
        ];
        args.extend(extra.iter().map(|s| os(s)));
        args.push(content.as_os_str());
        kyso(&args)
    };
    let o = sign(&[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let p7s = detached_signature_path(&content);
    assert!(p7s.is_file());

    // FILE alone finds FILE.p7s; the .p7s alone finds FILE; --json gives the report.
    for target in [&content, &p7s] {
        let o = kyso([
            os("verify-file"),
            os("--trust"),
            root.as_os_str(),
            os("--json"),
            target.as_os_str(),
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let r: VerificationReport = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(r.format, DocumentFormat::CmsDetached);
        assert_eq!(r.summary.passed, 1);
    }
    // Vietnamese text.
    let o = kyso([
        os("verify-file"),
        os("--trust"),
        root.as_os_str(),
        os("--lang"),
        os("vi"),
        content.as_os_str(),
    ]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("chữ ký #1: HỢP LỆ (TOTAL-PASSED)"), "{text}");

    // Without trust anchors: exit 1 (indeterminate).
    let o = kyso([os("verify-file"), content.as_os_str()]);
    assert_eq!(o.status.code(), Some(1));
    // A missing signature file: exit 2, one line naming it.
    let o = kyso([os("verify-file"), root.as_os_str()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("root.pem.p7s"));

    // Enveloping, then extraction.
    let o = sign(&["--enveloping"]);
    assert!(o.status.success());
    let mut p7m = content.as_os_str().to_owned();
    p7m.push(".p7m");
    let extracted = dir.path().join("extracted.docx");
    let o = kyso([
        os("verify-file"),
        os("--trust"),
        root.as_os_str(),
        os("--extract"),
        extracted.as_os_str(),
        &p7m,
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(std::fs::read(&extracted).unwrap() == std::fs::read(&content).unwrap());
}
