//! Signing never produces a file that can never verify: a certificate that is expired or not
//! yet valid at the signing time (RFC 5280 §4.1.2.5, §6.1.3 (a)(2)), whose key usage allows
//! neither digitalSignature nor nonRepudiation (§4.2.1.3), or whose key is not the signer's,
//! is refused by every signing path before any output exists; the explicit override makes
//! such a file (and says it will not verify). A chain without the issuer is a warning.
//! Library and command line.

mod common;

use common::cli::{kyso, show};

use std::path::{Path, PathBuf};
use std::process::Output;

use common::pki::{TestPki, TestSigner};
use common::vectors::{base, Base};
use kyso::crypto::SignatureAlgorithm;
use kyso::dossier::{
    seal_dossier, sign_file_detached, sign_file_detached_with, verify_detached_bytes,
    write_detached_signature, write_enveloping_signature, write_enveloping_signature_with,
    FileSignOptions, SealOptions,
};
use kyso::report::{Indication, SubIndication};
use kyso::sign::batch::{sign_batch, BatchItem, BatchStatus};
use kyso::sign::two_phase::{prepare_bytes, prepare_file};
use kyso::sign::{
    check_signer, sign_bytes, sign_file, SignOptions, SignerWarning, UnfitCertificate,
};
use kyso::signer::{Signer, SignerError, SignerIdentity};
use kyso::verify::{verify_bytes, VerifyOptions};
use kyso::Error;
use time::{Duration, OffsetDateTime};

/// What a refusal must be, for each unfit signer of the test PKI.
#[derive(Debug, Clone, Copy)]
enum Unfit {
    Expired,
    NotYetValid,
    KeyUsage,
}

impl Unfit {
    const ALL: [Unfit; 3] = [Unfit::Expired, Unfit::NotYetValid, Unfit::KeyUsage];

    /// The signer and the signing time that make this problem.
    fn case(self, pki: &TestPki, now: OffsetDateTime) -> (&TestSigner, OffsetDateTime) {
        match self {
            Unfit::Expired => (&pki.expired, now),
            // Valid from ten days before `now`.
            Unfit::NotYetValid => (&pki.p256, now - Duration::days(20)),
            Unfit::KeyUsage => (&pki.wrong_key_usage, now),
        }
    }

    fn matches(self, e: &Error) -> bool {
        matches!(
            (self, e),
            (
                Unfit::Expired,
                Error::UnfitCertificate(UnfitCertificate::Expired { .. })
            ) | (
                Unfit::NotYetValid,
                Error::UnfitCertificate(UnfitCertificate::NotYetValid { .. })
            ) | (
                Unfit::KeyUsage,
                Error::UnfitCertificate(UnfitCertificate::KeyUsage { .. })
            )
        )
    }
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn every_signing_path_refuses_an_unfit_certificate_before_writing() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let dir = common::temp_dir();
    let input = dir.path().join("in.pdf");
    let pdf = base(Base::Table);
    std::fs::write(&input, &pdf).unwrap();
    let content = dir.path().join("file.txt");
    std::fs::write(&content, b"don xin cap phep").unwrap();
    let dossier = dir.path().join("dossier");
    std::fs::create_dir(&dossier).unwrap();
    std::fs::write(dossier.join("to-khai.txt"), b"to khai").unwrap();
    let before = files_in(dir.path());

    for unfit in Unfit::ALL {
        let (test_signer, at) = unfit.case(&pki, now);
        let signer = test_signer.signer();
        let opts = SignOptions::new().signing_time(at);
        let expect = |what: &str, r: Result<(), Error>| match r {
            Err(e) => assert!(unfit.matches(&e), "{unfit:?} {what}: {e:?}"),
            Ok(()) => panic!("{unfit:?} {what}: signed"),
        };

        expect(
            "sign_file",
            sign_file(&input, &dir.path().join("out.pdf"), &signer, &opts),
        );
        expect("sign_bytes", sign_bytes(&pdf, &signer, &opts).map(drop));
        let identity = SignerIdentity::of(&signer);
        expect(
            "prepare_file",
            prepare_file(&input, &identity, &opts).map(drop),
        );
        expect(
            "prepare_bytes",
            prepare_bytes(&pdf, &identity, &opts).map(drop),
        );
        let items = [
            BatchItem::new(&input, dir.path().join("batch-1.pdf")),
            BatchItem::new(&input, dir.path().join("batch-2.pdf")),
        ];
        let summary = sign_batch(&items, &signer, &opts, &mut |_, _, _| {});
        match &summary.outcomes[0].status {
            BatchStatus::Failed(e) => assert!(unfit.matches(e), "{unfit:?} batch: {e:?}"),
            other => panic!("{unfit:?} batch: {other:?}"),
        }
        // The signer is unfit for every document: the batch stops at the first.
        assert!(matches!(
            summary.outcomes[1].status,
            BatchStatus::NotAttempted
        ));
        expect(
            "sign_file_detached",
            sign_file_detached(&content, &signer, Some(at)).map(drop),
        );
        expect(
            "write_detached_signature",
            write_detached_signature(
                &content,
                &dir.path().join("file.txt.p7s"),
                &signer,
                Some(at),
            ),
        );
        expect(
            "write_enveloping_signature",
            write_enveloping_signature(
                &content,
                &dir.path().join("file.txt.p7m"),
                &signer,
                Some(at),
            ),
        );
        let mut seal = SealOptions::new();
        seal.signing_time = Some(at);
        expect(
            "seal_dossier",
            seal_dossier(&dossier, &signer, &seal).map(drop),
        );

        assert_eq!(
            files_in(dir.path()),
            before,
            "{unfit:?}: something was written"
        );
        assert_eq!(files_in(&dossier), ["to-khai.txt"], "{unfit:?}");
    }
}

#[test]
fn the_override_signs_and_the_result_does_not_verify() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let pdf = base(Base::Table);
    let dir = common::temp_dir();
    let content = dir.path().join("file.txt");
    std::fs::write(&content, b"noi dung").unwrap();
    for unfit in Unfit::ALL {
        let (test_signer, at) = unfit.case(&pki, now);
        let signer = test_signer.signer();
        let check = check_signer(&SignerIdentity::of(&signer), at);
        assert_eq!(check.problems.len(), 1, "{unfit:?}: {check:?}");
        assert!(check.problems[0].can_be_overridden());

        let opts = SignOptions::new()
            .signing_time(at)
            .allow_invalid_certificate(true);
        // Verified at the time the signature claims (for the not-yet-valid certificate, a
        // verifier that judges at a later time without a timestamp does not see the
        // problem).
        let signed = sign_bytes(&pdf, &signer, &opts).unwrap();
        let report = verify_bytes(
            &signed,
            &VerifyOptions::new(pki.trust()).validation_time(at),
        )
        .unwrap();
        let sig = &report.signatures[0];
        assert_ne!(sig.indication, Indication::TotalPassed, "{unfit:?}");

        let cms = sign_file_detached_with(
            &content,
            &signer,
            &FileSignOptions::new()
                .signing_time(at)
                .allow_invalid_certificate(true),
        )
        .unwrap();
        let report = verify_detached_bytes(
            &std::fs::read(&content).unwrap(),
            &cms,
            &VerifyOptions::new(pki.trust()).validation_time(at),
        )
        .unwrap();
        assert_ne!(
            report.signatures[0].indication,
            Indication::TotalPassed,
            "{unfit:?}"
        );
        let p7m = dir.path().join(format!("{unfit:?}.p7m"));
        write_enveloping_signature_with(
            &content,
            &p7m,
            &signer,
            &FileSignOptions::new()
                .signing_time(at)
                .allow_invalid_certificate(true),
        )
        .unwrap();
        assert!(p7m.is_file());
    }
    // The expired signer's file: out of its validity, as the test vector expects.
    let signed = sign_bytes(
        &pdf,
        &pki.expired.signer(),
        &SignOptions::new()
            .signing_time(now)
            .allow_invalid_certificate(true),
    )
    .unwrap();
    let report = verify_bytes(
        &signed,
        &VerifyOptions::new(pki.trust()).validation_time(now),
    )
    .unwrap();
    assert_eq!(
        report.signatures[0].sub_indication,
        Some(SubIndication::OutOfBoundsNoPoe)
    );
}

/// A signer that presents one certificate and signs with another key (a token whose
/// certificate was given by hand, a misconfigured signing service).
struct WrongKey {
    certificate_of: kyso::signer::SoftwareSigner,
    key_of: kyso::signer::SoftwareSigner,
}

impl Signer for WrongKey {
    fn certificate(&self) -> &[u8] {
        self.certificate_of.certificate()
    }
    fn chain(&self) -> &[Vec<u8>] {
        self.certificate_of.chain()
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        self.certificate_of.algorithm()
    }
    fn max_signature_len(&self) -> usize {
        self.certificate_of.max_signature_len()
    }
    fn sign(&self, bytes_to_sign: &[u8]) -> Result<Vec<u8>, SignerError> {
        self.key_of.sign(bytes_to_sign)
    }
}

#[test]
fn a_key_that_is_not_the_certificates_is_refused_even_with_the_override() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let signer = WrongKey {
        certificate_of: pki.p256.signer(),
        key_of: pki.untrusted.signer(),
    };
    let dir = common::temp_dir();
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, base(Base::Table)).unwrap();
    let content = dir.path().join("file.txt");
    std::fs::write(&content, b"x").unwrap();
    let before = files_in(dir.path());
    for allow in [false, true] {
        let opts = SignOptions::new().allow_invalid_certificate(allow);
        let key_mismatch = |e: &Error| {
            matches!(
                e,
                Error::UnfitCertificate(UnfitCertificate::KeyMismatch { .. })
            )
        };
        let e = sign_file(&input, &dir.path().join("out.pdf"), &signer, &opts).unwrap_err();
        assert!(key_mismatch(&e), "{e:?}");
        assert!(e.to_string().contains("does not belong"), "{e}");
        let e = sign_bytes(&base(Base::Table), &signer, &opts).unwrap_err();
        assert!(key_mismatch(&e), "{e:?}");
        let e = sign_file_detached_with(
            &content,
            &signer,
            &FileSignOptions::new().allow_invalid_certificate(allow),
        )
        .unwrap_err();
        assert!(key_mismatch(&e), "{e:?}");
    }
    // A software key is checked when it is loaded.
    let key = kyso::crypto::PrivateKey::from_pem(pki.untrusted.key_pem.as_bytes()).unwrap();
    let e =
        kyso::signer::SoftwareSigner::new(key, pki.p256.cert_der.clone(), Vec::new()).unwrap_err();
    assert!(
        e.to_string().contains("does not match the certificate"),
        "{e}"
    );
    assert_eq!(files_in(dir.path()), before);
}

#[test]
fn a_missing_issuer_is_a_warning() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    // With its chain: nothing to say.
    let check = check_signer(&SignerIdentity::of(&pki.p256.signer()), now);
    assert!(check.is_fit() && check.warnings.is_empty(), "{check:?}");
    // Without it: verifiers will need the issuing CA.
    let alone = SignerIdentity::from_certificate(pki.p256.cert_der.clone(), Vec::new()).unwrap();
    let check = check_signer(&alone, now);
    assert!(check.is_fit());
    match check.warnings.as_slice() {
        [w @ SignerWarning::NoChain { issuer, .. }] => {
            assert!(issuer.contains("kyso test issuing CA"), "{issuer}");
            assert!(w.to_string().contains("--chain"), "{w}");
        }
        other => panic!("{other:?}"),
    }
    // A chain without the issuer (the root only).
    let wrong =
        SignerIdentity::from_certificate(pki.p256.cert_der.clone(), vec![pki.root_der.clone()])
            .unwrap();
    assert!(matches!(
        check_signer(&wrong, now).warnings.as_slice(),
        [SignerWarning::IssuerNotInChain { .. }]
    ));
    // A self-issued certificate needs no chain.
    let root = SignerIdentity::from_certificate(pki.root_der.clone(), Vec::new()).unwrap();
    assert!(check_signer(&root, now).warnings.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Command line

/// Key, certificate and chain files of `signer` in `dir`.
fn pem_args(signer: &TestSigner, dir: &Path, with_chain: bool) -> Vec<std::ffi::OsString> {
    let (key, cert, chain) = signer.write_pem(dir);
    let mut args: Vec<std::ffi::OsString> =
        vec!["--key".into(), key.into(), "--cert".into(), cert.into()];
    if with_chain {
        args.push("--chain".into());
        args.push(chain.into());
    }
    args
}

fn run(parts: &[Vec<std::ffi::OsString>]) -> Output {
    let args: Vec<std::ffi::OsString> = parts.concat();
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    kyso(&refs)
}

fn os(items: &[&str]) -> Vec<std::ffi::OsString> {
    items.iter().map(Into::into).collect()
}

fn path(p: &Path) -> Vec<std::ffi::OsString> {
    vec![p.into()]
}

#[test]
fn cli_refuses_an_expired_signer_in_one_line_and_the_override_warns() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let dir = common::temp_dir();
    let input = dir.path().join("don.pdf");
    std::fs::write(&input, base(Base::Table)).unwrap();
    let out = dir.path().join("don.signed.pdf");
    let keys = pem_args(&pki.expired, dir.path(), true);

    // sign: exit 2, one line naming the input and the problem, nothing written.
    let o = run(&[
        os(&["sign"]),
        keys.clone(),
        path(&input),
        os(&["-o"]),
        path(&out),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(err.lines().count(), 1, "{}", show(&o));
    assert!(
        err.starts_with("kyso: ") && err.contains("don.pdf"),
        "{err}"
    );
    assert!(err.contains("expired on"), "{err}");
    assert!(err.contains("--allow-invalid-certificate"), "{err}");
    assert!(!out.exists());

    // sign-file and dossier seal refuse the same way.
    let content = dir.path().join("giay-to.txt");
    std::fs::write(&content, b"giay to").unwrap();
    let o = run(&[os(&["sign-file"]), keys.clone(), path(&content)]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("expired on"));
    assert!(!dir.path().join("giay-to.txt.p7s").exists());
    let dossier = dir.path().join("ho-so");
    std::fs::create_dir(&dossier).unwrap();
    std::fs::write(dossier.join("a.txt"), b"a").unwrap();
    let o = run(&[os(&["dossier", "seal"]), keys.clone(), path(&dossier)]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert_eq!(files_in(&dossier), ["a.txt"]);

    // The override: signed, with a warning that the result will not verify.
    let o = run(&[
        os(&["sign", "--allow-invalid-certificate"]),
        keys.clone(),
        path(&input),
        os(&["-o"]),
        path(&out),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("will NOT verify"), "{err}");
    let root = pki.write_root(dir.path());
    let o = run(&[os(&["verify", "--trust"]), path(&root), path(&out)]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let o = run(&[
        os(&["sign-file", "--allow-invalid-certificate"]),
        keys,
        path(&content),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("will NOT verify"));
}

#[test]
fn cli_refuses_a_non_signing_key_usage_and_a_mismatched_key() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let dir = common::temp_dir();
    let input = dir.path().join("don.pdf");
    std::fs::write(&input, base(Base::Table)).unwrap();
    let out = dir.path().join("out.pdf");

    let keys = pem_args(&pki.wrong_key_usage, dir.path(), true);
    let o = run(&[os(&["sign"]), keys, path(&input), os(&["-o"]), path(&out)]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not a signing certificate"), "{err}");
    assert!(err.contains("keyEncipherment"), "{err}");
    assert!(!out.exists());

    // The untrusted signer's key with the P-256 signer's certificate.
    let (key, _, _) = pki.untrusted.write_pem(dir.path());
    let (_, cert, chain) = pki.p256.write_pem(dir.path());
    let o = run(&[
        os(&["sign", "--key"]),
        path(&key),
        os(&["--cert"]),
        path(&cert),
        os(&["--chain"]),
        path(&chain),
        path(&input),
        os(&["-o"]),
        path(&out),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("does not match the certificate"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!out.exists());

    // A time before the certificate's validity: --time is the signing time.
    let keys = pem_args(&pki.p256, dir.path(), true);
    let early = (now - Duration::days(20))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let o = run(&[
        os(&["sign", "--time", &early]),
        keys,
        path(&input),
        os(&["-o"]),
        path(&out),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not valid before"));
    assert!(!out.exists());
}

#[test]
fn cli_warns_when_verifiers_will_need_the_issuer() {
    let now = OffsetDateTime::now_utc();
    let pki = TestPki::generate(now);
    let dir = common::temp_dir();
    let input = dir.path().join("don.pdf");
    std::fs::write(&input, base(Base::Table)).unwrap();
    let root = pki.write_root(dir.path());

    // Without --chain: signed, with the warning; verifiers with only the root cannot build
    // the path.
    let out = dir.path().join("no-chain.pdf");
    let keys = pem_args(&pki.p256, dir.path(), false);
    let o = run(&[os(&["sign"]), keys, path(&input), os(&["-o"]), path(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("warning") && err.contains("kyso test issuing CA") && err.contains("--chain"),
        "{err}"
    );
    let o = run(&[os(&["verify", "--trust"]), path(&root), path(&out)]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));

    // With --chain: no warning, and the file verifies.
    let out: PathBuf = dir.path().join("chain.pdf");
    let keys = pem_args(&pki.p256, dir.path(), true);
    let o = run(&[os(&["sign"]), keys, path(&input), os(&["-o"]), path(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(
        !String::from_utf8_lossy(&o.stderr).contains("warning"),
        "{}",
        show(&o)
    );
    let o = run(&[os(&["verify", "--trust"]), path(&root), path(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
}
