//! The verifying commands as a clerk runs them: one set of trust and revocation options for
//! `verify`, `verify-file`, `dossier verify` and `cert verify` (a revoked signer fails in
//! each once the CRL is given), `--lang vi` with Vietnamese finding messages, `--at` with a
//! date alone, `inspect --json`, damaged and cut files called so, `sign` on an empty
//! directory, and document text that cannot drive the terminal (issue 16, item 4) while the
//! JSON stays exact.

#[path = "common/cli.rs"]
mod cli;

use std::path::{Path, PathBuf};
use std::process::Output;

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DistinguishedName,
    DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose,
    RevocationReason, RevokedCertParams, SerialNumber, PKCS_ECDSA_P256_SHA256,
};
use serde_json::Value;
use time::{Duration, OffsetDateTime};

use cli::{code, kyso, show, stderr, stdout};
use kyso::report::text::is_escaped;

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", show(o)))
}

/// id-kp-documentSigning (RFC 9336).
const DOCUMENT_SIGNING: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 36];

/// A root CA (the trust anchor) that issued one signer and revoked it yesterday (CRL with
/// reason keyCompromise), all as files.
struct Fixture {
    dir: tempfile::TempDir,
    root: PathBuf,
    crl: PathBuf,
    key: PathBuf,
    cert: PathBuf,
}

fn name(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "Sở Tư pháp (kyso test)");
    dn.push(DnType::CommonName, cn);
    dn
}

impl Fixture {
    fn new() -> Self {
        let now = OffsetDateTime::now_utc();
        let dir = tempfile::tempdir().unwrap();
        let root_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let mut root = CertificateParams::default();
        root.distinguished_name = name("Root CA");
        root.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        root.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        root.not_before = now - Duration::days(30);
        root.not_after = now + Duration::days(3650);
        let root_cert = root.self_signed(&root_key).unwrap();
        let issuer = Issuer::new(root, &root_key);

        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let mut p = CertificateParams::default();
        p.distinguished_name = name("Lê Văn Cường");
        p.serial_number = Some(SerialNumber::from(vec![0x42]));
        p.is_ca = IsCa::ExplicitNoCa;
        p.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::Other(DOCUMENT_SIGNING.to_vec())];
        p.use_authority_key_identifier_extension = true;
        p.not_before = now - Duration::days(10);
        p.not_after = now + Duration::days(365);
        let cert = p.signed_by(&key, &issuer).unwrap();

        let crl = CertificateRevocationListParams {
            this_update: now - Duration::hours(1),
            next_update: now + Duration::days(7),
            crl_number: SerialNumber::from(vec![1]),
            issuing_distribution_point: None,
            revoked_certs: vec![RevokedCertParams {
                serial_number: SerialNumber::from(vec![0x42]),
                revocation_time: now - Duration::days(1),
                reason_code: Some(RevocationReason::KeyCompromise),
                invalidity_date: None,
            }],
            key_identifier_method: KeyIdMethod::Sha256,
        }
        .signed_by(&issuer)
        .unwrap();

        let write = |n: &str, bytes: &[u8]| {
            let p = dir.path().join(n);
            std::fs::write(&p, bytes).unwrap();
            p
        };
        Fixture {
            root: write("root.pem", root_cert.pem().as_bytes()),
            crl: write("root.crl", crl.der()),
            key: write("signer.key.pem", key.serialize_pem().as_bytes()),
            cert: write("signer.pem", cert.pem().as_bytes()),
            dir,
        }
    }

    fn path(&self, n: &str) -> PathBuf {
        self.dir.path().join(n)
    }

    fn keys(&self) -> Vec<std::ffi::OsString> {
        vec![
            "--key".into(),
            self.key.clone().into(),
            "--cert".into(),
            self.cert.clone().into(),
        ]
    }

    /// `kyso sign` of a sample PDF into `out`, with `extra` options.
    fn sign_pdf(&self, out: &Path, extra: &[&str]) {
        let input = self.path("unsigned.pdf");
        let pdf = kyso::demo::sample_dossier(&kyso::demo::SampleOptions::default()).unwrap();
        std::fs::write(&input, pdf).unwrap();
        let mut args = vec!["sign".into()];
        args.extend(self.keys());
        args.extend(extra.iter().map(Into::into));
        args.extend([input.into(), "-o".into(), out.into()]);
        let o = kyso(&args);
        assert_eq!(code(&o), 0, "{}", show(&o));
    }

    /// `--trust ROOT` plus `extra`.
    fn trust(&self, extra: &[&str]) -> Vec<std::ffi::OsString> {
        let mut v: Vec<std::ffi::OsString> = vec!["--trust".into(), self.root.clone().into()];
        v.extend(extra.iter().map(Into::into));
        v
    }

    fn run(&self, cmd: &[&str], opts: Vec<std::ffi::OsString>, target: &Path) -> Output {
        let mut args: Vec<std::ffi::OsString> = cmd.iter().map(Into::into).collect();
        args.extend(opts);
        args.push(target.into());
        kyso(&args)
    }
}

/// Every verifying command takes the same trust, revocation, time and language options.
#[test]
fn verifying_commands_share_their_options() {
    let options = [
        "--trust",
        "--trust-dir",
        "--trust-profile",
        "--intermediate",
        "--crl",
        "--ocsp",
        "--revocation",
        "--online",
        "--at",
        "--lang",
    ];
    for cmd in [
        &["verify"][..],
        &["verify-file"],
        &["dossier", "verify"],
        &["cert", "verify"],
    ] {
        let mut args = cmd.to_vec();
        args.push("--help");
        let o = kyso(&args);
        assert_eq!(code(&o), 0, "{}", show(&o));
        let help = stdout(&o);
        for opt in options {
            assert!(
                help.lines()
                    .any(|l| l.trim_start().split([' ', ',']).next() == Some(opt)),
                "kyso {} lacks {opt}:\n{help}",
                cmd.join(" ")
            );
        }
    }
}

/// A signer revoked by the CRL: without the CRL each command passes (revocation "if
/// available" only warns); given the CRL, `verify`, `verify-file`, `dossier verify` and
/// `cert verify` all fail (RFC 5280 §6.3: a certificate on a CRL is revoked).
#[test]
fn a_revoked_signer_fails_everywhere_once_the_crl_is_given() {
    let f = Fixture::new();
    let dossier = f.path("hồ sơ");
    std::fs::create_dir(&dossier).unwrap();
    let pdf = dossier.join("đơn.pdf");
    f.sign_pdf(&pdf, &[]);
    let scan = dossier.join("scan.jpg");
    std::fs::write(&scan, b"not really a JPEG").unwrap();
    let mut args = vec!["sign-file".into()];
    args.extend(f.keys());
    args.push(scan.clone().into());
    let o = kyso(&args);
    assert_eq!(code(&o), 0, "{}", show(&o));
    let mut args = vec!["dossier".into(), "seal".into()];
    args.extend(f.keys());
    args.push(dossier.clone().into());
    let o = kyso(&args);
    assert_eq!(code(&o), 0, "{}", show(&o));

    let crl = f.crl.to_str().unwrap();
    let cases: [(&[&str], &Path); 4] = [
        (&["verify"], &pdf),
        (&["verify-file"], &scan),
        (&["dossier", "verify"], &dossier),
        (&["cert", "verify"], &f.cert),
    ];
    for (cmd, target) in cases {
        let o = f.run(cmd, f.trust(&[]), target);
        assert_eq!(code(&o), 0, "without the CRL: {}", show(&o));
        let o = f.run(cmd, f.trust(&["--crl", crl, "--json"]), target);
        assert_eq!(code(&o), 1, "with the CRL: {}", show(&o));
        let text = stdout(&o);
        assert!(text.contains("\"revoked\""), "{}", show(&o));
        assert!(text.contains("revocation.revoked"), "{}", show(&o));
    }

    // The dossier verdict: the manifest's signature is revoked (ETSI EN 319 102-1: revoked
    // with no proof of existence before the revocation: INDETERMINATE / REVOKED_NO_POE,
    // §5.2.6 and Table 5).
    let o = f.run(
        &["dossier", "verify"],
        f.trust(&["--crl", crl, "--json"]),
        &dossier,
    );
    let r = json(&o);
    assert_eq!(r["indication"], "INDETERMINATE", "{}", show(&o));
    assert_eq!(
        r["manifest"]["signature"]["signatures"][0]["sub_indication"],
        "REVOKED_NO_POE",
        "{}",
        show(&o)
    );

    // In Vietnamese: the finding's meaning and its details, in Vietnamese.
    for (cmd, target) in cases {
        let o = f.run(cmd, f.trust(&["--crl", crl, "--lang", "vi"]), target);
        assert_eq!(code(&o), 1, "{}", show(&o));
        let text = stdout(&o);
        for want in [
            "[lỗi] revocation.revoked: Chứng thư số đã bị thu hồi; lý do thu hồi: khóa bí mật \
             bị lộ — chứng thư số: CN=Lê Văn Cường",
            "thời điểm thu hồi: 20",
            "nguồn: CRL \"CN=Root CA, O=Sở Tư pháp (kyso test)\" (caller)",
        ] {
            assert!(
                text.contains(want),
                "{} lacks {want:?}:\n{text}",
                cmd.join(" ")
            );
        }
        // No English sentence of the finding.
        assert!(!text.contains("was revoked on"), "{text}");
    }
    let o = f.run(&["verify"], f.trust(&["--crl", crl, "--lang", "vi"]), &pdf);
    let text = stdout(&o);
    assert!(text.contains("ĐÃ BỊ THU HỒI"), "{text}");
    assert!(
        text.contains("tổng hợp: 0 hợp lệ, 0 không hợp lệ, 1 chưa xác định"),
        "{text}"
    );
}

/// `--at 2030-01-01` is the start of that day in UTC, and kyso says so; every time in the
/// text output is RFC 3339.
#[test]
fn at_takes_a_date_alone_and_times_print_as_rfc3339() {
    let f = Fixture::new();
    let pdf = f.path("signed.pdf");
    f.sign_pdf(&pdf, &[]);
    let o = f.run(
        &["verify"],
        f.trust(&["--at", "2030-01-01", "--json"]),
        &pdf,
    );
    let r = json(&o);
    assert_eq!(r["validation_time"], "2030-01-01T00:00:00Z", "{}", show(&o));
    assert_eq!(r["validation_time_source"], "caller");
    assert!(
        stderr(&o).contains(
            "--at 2030-01-01 is read as 2030-01-01T00:00:00Z, the start of that day in UTC"
        ),
        "{}",
        show(&o)
    );
    let o = f.run(
        &["verify"],
        f.trust(&["--at", "2030-01-01", "--lang", "vi"]),
        &pdf,
    );
    assert!(
        stderr(&o).contains(
            "--at 2030-01-01 được hiểu là 2030-01-01T00:00:00Z, đầu ngày đó theo giờ UTC"
        ),
        "{}",
        show(&o)
    );
    // cert verify: the validation time and the validity dates.
    let o = f.run(
        &["cert", "verify"],
        f.trust(&["--at", "2030-01-01"]),
        &f.cert,
    );
    let text = stdout(&o);
    assert!(
        text.contains("validated at 2030-01-01T00:00:00Z"),
        "{}",
        show(&o)
    );
    assert!(!text.contains(" +00:00:00"), "{text}");
    // Expired by then: the message gives the end of validity as RFC 3339 too.
    assert!(text.contains("chain.certificate_expired"), "{text}");
    let expired_line = text
        .lines()
        .find(|l| l.contains("chain.certificate_expired"))
        .unwrap();
    assert!(
        expired_line.contains("expired on 20") && expired_line.contains('T'),
        "{expired_line}"
    );
    // A wrong value is refused by the parser, naming both forms.
    let o = f.run(&["verify"], f.trust(&["--at", "1/1/2030"]), &pdf);
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(stderr(&o).contains("RFC 3339"), "{}", show(&o));
}

#[test]
fn inspect_prints_json() {
    let f = Fixture::new();
    let pdf = f.path("signed.pdf");
    f.sign_pdf(&pdf, &[]);
    let o = kyso(&[
        "inspect".into(),
        "--json".into(),
        std::ffi::OsString::from(&pdf),
    ]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    let r = json(&o);
    assert_eq!(r["revisions"].as_array().unwrap().len(), 2, "{r}");
    assert_eq!(r["signature_fields"][0]["state"], "signed", "{r}");
    assert_eq!(
        r["signature_fields"][0]["sub_filter"], "ETSI.CAdES.detached",
        "{r}"
    );
    assert_eq!(r["signature_dictionaries"].as_array().unwrap().len(), 1);
    assert_eq!(r["encrypted"], false);
}

/// A cut file says "damaged or truncated", in both languages, never "no signature" or a
/// bare cross-reference offset; a batch line names the file once.
#[test]
fn damaged_and_cut_files_are_called_so() {
    let f = Fixture::new();
    let signed = f.path("signed.pdf");
    f.sign_pdf(&signed, &[]);
    let bytes = std::fs::read(&signed).unwrap();
    let unsigned_len = std::fs::metadata(f.path("unsigned.pdf")).unwrap().len() as usize;

    // Cut inside the signature's update: the unsigned revision remains.
    let cut = f.path("cut-in-update.pdf");
    std::fs::write(&cut, &bytes[..unsigned_len + 600]).unwrap();
    let o = f.run(&["verify"], f.trust(&[]), &cut);
    assert_eq!(code(&o), 1, "{}", show(&o));
    let text = stdout(&o);
    assert!(
        text.contains("[error] document.damaged_or_truncated: the file is damaged or truncated"),
        "{text}"
    );
    assert!(!text.contains("no_signatures"), "{text}");
    let o = f.run(&["verify"], f.trust(&["--lang", "vi"]), &cut);
    assert!(
        stdout(&o).contains("Tệp bị hỏng hoặc bị cắt cụt"),
        "{}",
        show(&o)
    );

    // Cut near the end: the reader falls back to the first revision, and the rest is
    // reported as a cut update.
    let cut = f.path("cut-at-end.pdf");
    std::fs::write(&cut, &bytes[..bytes.len() - 40]).unwrap();
    let o = f.run(&["verify"], f.trust(&[]), &cut);
    assert_eq!(code(&o), 1, "{}", show(&o));
    assert!(
        stdout(&o).contains("document.damaged_or_truncated"),
        "{}",
        show(&o)
    );

    // Cut inside the original revision: no cross-reference section is left.
    let cut = f.path("cut-in-base.pdf");
    std::fs::write(&cut, &bytes[..unsigned_len / 2]).unwrap();
    let o = f.run(&["verify"], f.trust(&[]), &cut);
    assert_eq!(code(&o), 2, "{}", show(&o));
    let err = stderr(&o);
    assert!(err.contains("the PDF is damaged or truncated"), "{err}");
    assert_eq!(err.matches("cut-in-base.pdf").count(), 1, "{err}");
    let o = f.run(&["verify"], f.trust(&["--lang", "vi"]), &cut);
    assert!(
        stderr(&o).contains("tệp PDF bị hỏng hoặc bị cắt cụt"),
        "{}",
        show(&o)
    );

    // In a batch: one line per file, naming it once; signing a batch says the same.
    let dir = f.path("batch");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(&signed, dir.join("good.pdf")).unwrap();
    std::fs::copy(&cut, dir.join("cut.pdf")).unwrap();
    let o = f.run(&["verify"], f.trust(&[]), &dir);
    assert_eq!(code(&o), 2, "{}", show(&o));
    let err = stderr(&o);
    let line = err.lines().find(|l| l.contains("cut.pdf")).unwrap();
    assert_eq!(line.matches("cut.pdf").count(), 1, "{err}");
    assert!(line.contains("damaged or truncated"), "{err}");
}

/// `sign` on a directory without PDFs behaves like `verify` on one: exit 2, one line.
#[test]
fn sign_on_an_empty_directory_is_refused_like_verify() {
    let f = Fixture::new();
    let empty = f.path("empty");
    std::fs::create_dir(&empty).unwrap();
    let out_dir = f.path("out");
    for extra in [
        vec!["-o".into(), f.path("x.pdf").into_os_string()],
        vec!["--output-dir".into(), out_dir.clone().into_os_string()],
    ] {
        let mut args = vec!["sign".into()];
        args.extend(f.keys());
        args.push(empty.clone().into());
        args.extend(extra);
        let o = kyso(&args);
        assert_eq!(code(&o), 2, "{}", show(&o));
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("no PDF file under"), "{err}");
        assert!(err.contains("empty"), "{err}");
    }
    assert!(!out_dir.exists(), "nothing is created");
    let o = kyso(&["verify".into(), empty.into_os_string()]);
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(stderr(&o).contains("no PDF file under"), "{}", show(&o));
}

/// A `/Reason` with an escape sequence, a carriage return and a newline that forge a
/// passing line, and a right-to-left override: the text report shows them escaped on the
/// line they belong to; the JSON report keeps the exact string.
#[test]
fn document_text_cannot_drive_the_terminal_but_json_stays_exact() {
    let f = Fixture::new();
    let reason = "Phê duyệt\u{1b}[1A\u{1b}[2K\rsignature #1 \"x\": TOTAL-PASSED\nforged \
                  invoice\u{202e}fdp.exe";
    let pdf = f.path("reason.pdf");
    f.sign_pdf(&pdf, &["--reason", reason, "--location", "Hà Nội\u{9b}2J"]);

    let o = f.run(&["verify"], f.trust(&[]), &pdf);
    let text = stdout(&o);
    assert!(
        !text.chars().any(|c| c != '\n' && is_escaped(c)),
        "a control character reached the output:\n{text:?}"
    );
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("reason"))
        .expect("a reason line");
    assert!(
        line.ends_with(
            "Phê duyệt\\x1b[1A\\x1b[2K\\rsignature #1 \"x\": TOTAL-PASSED\\nforged \
             invoice\\u{202e}fdp.exe"
        ),
        "{line}"
    );
    assert!(
        !text.lines().any(|l| l.starts_with("forged")),
        "the newline forged a line:\n{text}"
    );
    assert!(text.contains("Hà Nội\\u{9b}2J"), "{text}");

    // JSON: the exact strings (serde escapes what JSON needs).
    let o = f.run(&["verify"], f.trust(&["--json"]), &pdf);
    let r = json(&o);
    assert_eq!(r["signatures"][0]["reason"], reason);
    assert_eq!(r["signatures"][0]["location"], "Hà Nội\u{9b}2J");

    // The same document through the other text outputs: verify-file's renderer (in a
    // dossier) and Vietnamese.
    for args in [&["--lang", "vi"][..], &[]] {
        let o = f.run(&["verify"], f.trust(args), &pdf);
        assert!(
            !stdout(&o).chars().any(|c| c != '\n' && is_escaped(c)),
            "{}",
            show(&o)
        );
    }
}
