//! Certification signatures (DocMDP) and field locks (FieldMDP): kyso makes them, judges
//! later changes against them, refuses to sign where they forbid it, and agrees with pyHanko
//! on files made by either tool.

mod common;

use std::path::Path;

use common::attacks::{form_doc, sign};
use common::interop::{PemSigner, Pyhanko};
use common::pki::{TestPki, TestSigner};
use kyso::report::{Code, Indication, ModificationLevel, SignatureKind, VerificationReport};
use kyso::sign::{sign_bytes, DocMdpPermission, FieldLockSpec, SignOptions};
use kyso::verify::{verify_bytes, VerifyOptions};
use time::OffsetDateTime;

fn verify(pki: &TestPki, bytes: &[u8], now: OffsetDateTime) -> VerificationReport {
    verify_bytes(bytes, &VerifyOptions::new(pki.trust()).validation_time(now)).unwrap()
}

fn has(report: &VerificationReport, index: usize, code: Code) -> bool {
    report.signatures[index]
        .findings
        .iter()
        .any(|f| f.code == code)
}

#[test]
fn each_permission_level_is_written_and_read_back() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    for (perm, p, permitted) in [
        (
            DocMdpPermission::NoChanges,
            1,
            ModificationLevel::LtvUpdates,
        ),
        (
            DocMdpPermission::FormFilling,
            2,
            ModificationLevel::FormFilling,
        ),
        (
            DocMdpPermission::Annotations,
            3,
            ModificationLevel::Annotations,
        ),
    ] {
        let signed = sign(&form_doc(), &pki.rsa2048.signer(), now, |o| o.certify(perm));
        let r = verify(&pki, &signed, now);
        let s = &r.signatures[0];
        assert_eq!(s.kind, SignatureKind::Certification, "P{p}");
        assert_eq!(
            s.indication,
            Indication::TotalPassed,
            "P{p}: {:?}",
            s.findings
        );
        assert_eq!(s.modifications.permitted, permitted, "P{p}");
        assert!(
            s.modifications.policy.contains(&format!("DocMDP P{p}")),
            "{}",
            s.modifications.policy
        );
        // The catalog names the signature in /Perms, and the signature carries /P.
        let doc = kyso::pdf::Document::open(&signed[..]).unwrap();
        let rev = doc.last_revision();
        let catalog = doc.catalog(rev).unwrap();
        let perms = doc
            .resolve_dict(rev, catalog.get(b"Perms").unwrap())
            .unwrap()
            .unwrap();
        let sig = doc
            .resolve_dict(rev, perms.get(b"DocMDP").unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(kyso::diff::docmdp_p(&doc, rev, &sig), Some(p));
    }
}

#[test]
fn signing_is_refused_where_the_document_forbids_it() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let a = pki.rsa2048.signer();
    let b = pki.p256.signer();
    let refused = |pdf: &[u8], opts: SignOptions| -> String {
        match sign_bytes(pdf, &b, &opts.signing_time(now)) {
            Ok(_) => panic!("signing should have been refused"),
            Err(e) => e.to_string(),
        }
    };
    // P1: nothing may follow.
    let p1 = sign(&form_doc(), &a, now, |o| {
        o.certify(DocMdpPermission::NoChanges)
    });
    assert!(refused(&p1, SignOptions::new()).contains("P=1"));
    // A second certification, or a certification of a signed document.
    let p2 = sign(&form_doc(), &a, now, |o| {
        o.certify(DocMdpPermission::FormFilling)
    });
    assert!(refused(
        &p2,
        SignOptions::new().certify(DocMdpPermission::FormFilling)
    )
    .contains("already has a certification"));
    let approved = sign(&form_doc(), &a, now, |o| o);
    assert!(refused(
        &approved,
        SignOptions::new().certify(DocMdpPermission::FormFilling)
    )
    .contains("first signature"));
    // A field locked by an earlier signature.
    let locked = sign(&form_doc(), &a, now, |o| {
        o.lock_fields(FieldLockSpec::Include(vec!["PheDuyet".into()]))
    });
    let why = refused(&locked, SignOptions::new().field_name("PheDuyet"));
    assert!(why.contains("locked"), "{why}");
    // A new field is not locked, and the result verifies.
    let second = sign_bytes(&locked, &b, &SignOptions::new().signing_time(now)).unwrap();
    let r = verify(&pki, &second, now);
    assert!(r.all_passed(), "{:?}", r.signatures[0].findings);
    assert!(r.signatures[0].modifications.policy.contains("FieldMDP"));
}

#[test]
fn later_changes_are_judged_against_the_certification() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let a = pki.rsa2048.signer();
    let b = pki.p256.signer();
    let p2 = sign(&form_doc(), &a, now, |o| {
        o.certify(DocMdpPermission::FormFilling)
    });
    // An approval in the prepared field: allowed.
    let approved = sign(&p2, &b, now, |o| o.field_name("PheDuyet"));
    let r = verify(&pki, &approved, now);
    assert!(r.all_passed());
    assert_eq!(
        r.signatures[0].modifications.level,
        ModificationLevel::FormFilling
    );
    // P3 then an annotation: allowed with a warning; after P2 the same is a violation.
    let vectors = common::attacks::generate(&pki, now);
    let r = verify(&pki, &vectors["allowed-sticky-note-after-p3"], now);
    assert!(r.all_passed() && has(&r, 0, Code::ModificationAnnotations));
    let r = verify(&pki, &vectors["evil-annotation-after-p2"], now);
    assert_eq!(r.signatures[0].indication, Indication::TotalFailed);
    assert!(has(&r, 0, Code::ModificationDocMdpViolation));
}

// ---------------------------------------------------------------------------------------
// With pyHanko.

struct Pem {
    key: std::path::PathBuf,
    cert: std::path::PathBuf,
    chain: std::path::PathBuf,
}

fn pem(signer: &TestSigner, dir: &Path) -> Pem {
    let (key, cert, chain) = signer.write_pem(dir);
    Pem { key, cert, chain }
}

fn pyhanko_sign(py: &Pyhanko, input: &Path, output: &Path, field: &str, p: &Pem, extra: &[&str]) {
    let chain = [p.chain.as_path()];
    py.sign_pemder(
        input,
        output,
        field,
        &PemSigner {
            key: &p.key,
            cert: &p.cert,
            chain: &chain,
        },
        extra,
    )
    .unwrap_or_else(|e| panic!("pyHanko could not sign {}: {e}", input.display()));
}

fn pyhanko_valid(py: &Pyhanko, pdf: &Path, root: &Path) -> Vec<(String, bool)> {
    py.validate(pdf, root, &[])
        .unwrap_or_else(|e| panic!("pyHanko could not validate {}: {e}", pdf.display()))
        .into_iter()
        .map(|s| (s.field, s.valid))
        .collect()
}

#[test]
fn pyhanko_and_kyso_agree_on_certified_documents() {
    let Some(py) = Pyhanko::find() else {
        return;
    };
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let dir = common::temp_dir();
    let d = dir.path();
    let root = pki.write_root(d);
    let py_key = pem(&pki.p256, d);
    let a = pki.rsa2048.signer();

    // 1. kyso certifies (P2), pyHanko signs the prepared field: both valid in both tools.
    let kyso_p2 = d.join("kyso-p2.pdf");
    std::fs::write(
        &kyso_p2,
        sign(&form_doc(), &a, now, |o| {
            o.certify(DocMdpPermission::FormFilling)
        }),
    )
    .unwrap();
    let then_py = d.join("kyso-p2-then-pyhanko.pdf");
    pyhanko_sign(
        &py,
        &kyso_p2,
        &then_py,
        "PheDuyet",
        &py_key,
        &["--existing-only"],
    );
    let bytes = std::fs::read(&then_py).unwrap();
    let r = verify(&pki, &bytes, now);
    assert_eq!(r.signatures[0].kind, SignatureKind::Certification);
    assert!(r.all_passed(), "{:?}", r.signatures[0].findings);
    assert_eq!(
        pyhanko_valid(&py, &then_py, &root),
        vec![
            ("Signature1".to_string(), true),
            ("PheDuyet".to_string(), true)
        ]
    );

    // 2. pyHanko certifies (its default, P2), kyso signs after it: both valid in both.
    let input = d.join("form.pdf");
    std::fs::write(&input, form_doc()).unwrap();
    let py_cert = d.join("pyhanko-certified.pdf");
    pyhanko_sign(
        &py,
        &input,
        &py_cert,
        "1/72,40,272,80/Certifier",
        &py_key,
        &["--certify"],
    );
    let certified = std::fs::read(&py_cert).unwrap();
    let r = verify(&pki, &certified, now);
    assert_eq!(r.signatures[0].kind, SignatureKind::Certification);
    assert!(r.signatures[0].modifications.policy.contains("DocMDP P2"));
    let then_kyso = d.join("pyhanko-certified-then-kyso.pdf");
    std::fs::write(
        &then_kyso,
        sign(&certified, &a, now, |o| o.field_name("PheDuyet")),
    )
    .unwrap();
    let r = verify(&pki, &std::fs::read(&then_kyso).unwrap(), now);
    assert!(r.all_passed(), "{:?}", r.signatures[0].findings);
    assert!(pyhanko_valid(&py, &then_kyso, &root)
        .iter()
        .all(|(_, v)| *v));
    // kyso refuses to certify what pyHanko certified.
    assert!(sign_bytes(
        &certified,
        &a,
        &SignOptions::new().certify(DocMdpPermission::FormFilling)
    )
    .is_err());

    // 3. After kyso's P2 certification, pyHanko adds a visible empty signature field:
    // a Sneaky Signature set-up. Both tools reject the certification.
    let sneaky = d.join("kyso-p2-pyhanko-visible-field.pdf");
    let out = common::interop::run(
        &py.path,
        &[
            "sign".as_ref(),
            "addfields".as_ref(),
            "--field".as_ref(),
            "1/60,700,560,760/Sneaky".as_ref(),
            kyso_p2.as_os_str(),
            sneaky.as_os_str(),
        ],
    )
    .unwrap();
    assert!(out.status.success(), "{}", out.describe());
    let r = verify(&pki, &std::fs::read(&sneaky).unwrap(), now);
    assert_eq!(r.signatures[0].indication, Indication::TotalFailed);
    assert!(has(&r, 0, Code::ModificationNewVisibleSignatureField));
    assert_eq!(
        pyhanko_valid(&py, &sneaky, &root),
        vec![("Signature1".to_string(), false)]
    );

    // 4. A reasoned difference, printed for the record: after a lock of all fields, kyso
    // accepts a new signature in a new field (a lock covers the fields the document had);
    // pyHanko refuses any new signature under /All.
    let locked = d.join("kyso-lock-all-then-kyso.pdf");
    let lock_all = sign(&form_doc(), &a, now, |o| o.lock_fields(FieldLockSpec::All));
    std::fs::write(&locked, sign(&lock_all, &pki.p256.signer(), now, |o| o)).unwrap();
    let r = verify(&pki, &std::fs::read(&locked).unwrap(), now);
    assert!(r.all_passed(), "{:?}", r.signatures[0].findings);
    println!(
        "lock all fields, then a new signature: kyso passes, pyHanko says {:?}",
        pyhanko_valid(&py, &locked, &root)
    );
}

#[test]
fn the_command_line_certifies_and_locks() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let dir = common::temp_dir();
    let d = dir.path();
    let root = pki.write_root(d);
    let (key, cert, chain) = pki.p256.write_pem(d);
    let input = d.join("in.pdf");
    std::fs::write(&input, form_doc()).unwrap();
    let output = d.join("out.pdf");
    let kyso = env!("CARGO_BIN_EXE_kyso");
    let status = std::process::Command::new(kyso)
        .args(["sign", "--key"])
        .arg(&key)
        .arg("--cert")
        .arg(&cert)
        .arg("--chain")
        .arg(&chain)
        .args(["--certify", "P3", "--lock-fields", "SoHoSo, PheDuyet"])
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .status()
        .unwrap();
    assert!(status.success());
    let out = std::process::Command::new(kyso)
        .args(["verify", "--json", "--trust"])
        .arg(&root)
        .arg(&output)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sig = &json["signatures"][0];
    assert_eq!(sig["kind"], "certification");
    assert_eq!(sig["indication"], "TOTAL-PASSED");
    let policy = sig["modifications"]["policy"].as_str().unwrap();
    assert!(
        policy.contains("DocMDP P3") && policy.contains("SoHoSo, PheDuyet"),
        "{policy}"
    );
    // The locked prepared field cannot be signed any more.
    let refused = std::process::Command::new(kyso)
        .args(["sign", "--key"])
        .arg(&key)
        .arg("--cert")
        .arg(&cert)
        .args(["--field", "PheDuyet"])
        .arg(&output)
        .arg("-o")
        .arg(d.join("again.pdf"))
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("locked"));
}
