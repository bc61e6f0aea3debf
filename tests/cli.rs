//! The `kyso` command line, run as a separate process: `demo`, `sign` (every key form and
//! option), `verify` (exit codes 0/1/2, JSON, `--at`), `inspect`, and the refusals of `sign`
//! (one line on stderr naming the file, exit 2, no output left behind, input untouched).

mod common;

use common::cli::{code, kyso, show, stderr, stdout};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::pki::{TestPki, TestSigner};
use common::vectors::{base, Base};
use kyso::report::{
    ChainStatus, Indication, RevocationStatus, Severity, SubIndication, TimeSource,
    VerificationReport,
};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

/// Asserts exit 2 with exactly one line on stderr, `kyso: …`, that names `file` and says
/// something containing `problem`.
fn assert_one_line_error(o: &Output, file: &Path, problem: &str) {
    assert_eq!(code(o), 2, "{}", show(o));
    let err = stderr(o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one line expected: {}", show(o));
    let line = lines[0];
    assert!(line.starts_with("kyso: "), "{line}");
    let name = file.file_name().unwrap().to_str().unwrap();
    assert!(line.contains(name), "the error must name {name}: {line}");
    assert!(
        line.to_lowercase().contains(&problem.to_lowercase()),
        "the error must say {problem:?}: {line}"
    );
}

/// A PKI written as PEM files, and a few input PDFs, in a temporary directory.
struct Fixture {
    dir: tempfile::TempDir,
    pki: TestPki,
    now: OffsetDateTime,
    root: PathBuf,
}

/// Key, certificate and chain files of one signer (no chain file when there is no
/// intermediate).
struct Pem {
    key: PathBuf,
    cert: PathBuf,
    chain: Option<PathBuf>,
}

impl Fixture {
    fn new() -> Self {
        let now = OffsetDateTime::now_utc();
        let pki = TestPki::generate(now);
        let dir = common::temp_dir();
        let root = pki.write_root(dir.path());
        Fixture {
            dir,
            pki,
            now,
            root,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn pem(&self, signer: &TestSigner) -> Pem {
        let (key, cert, chain) = signer.write_pem(self.dir.path());
        let chain = (!signer.chain.is_empty()).then_some(chain);
        Pem { key, cert, chain }
    }

    /// `kyso sign --key --cert --chain [extra…] IN -o OUT`.
    fn sign(&self, pem: &Pem, input: &Path, output: &Path, extra: &[&str]) -> Output {
        let mut args: Vec<std::ffi::OsString> = vec![
            "sign".into(),
            "--key".into(),
            pem.key.clone().into(),
            "--cert".into(),
            pem.cert.clone().into(),
        ];
        if let Some(chain) = &pem.chain {
            args.push("--chain".into());
            args.push(chain.into());
        }
        args.extend(extra.iter().map(Into::into));
        args.push(input.into());
        args.push("-o".into());
        args.push(output.into());
        kyso(args)
    }

    /// `kyso verify --trust ROOT --json [extra…] FILES…`.
    fn verify_json(&self, files: &[&Path], extra: &[&str]) -> Output {
        let mut args: Vec<std::ffi::OsString> = vec![
            "verify".into(),
            "--trust".into(),
            self.root.clone().into(),
            "--json".into(),
        ];
        args.extend(extra.iter().map(Into::into));
        args.extend(files.iter().map(|f| f.as_os_str().to_owned()));
        kyso(args)
    }
}

fn report(o: &Output) -> VerificationReport {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one report ({e}): {}", show(o)))
}

/// Files in `dir` other than those listed: nothing else (no temporary file) may remain.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".kyso-") || n.ends_with(".tmp"))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// demo

#[test]
fn demo_signs_twice_and_reports_both_officials() {
    let dir = common::temp_dir();
    let demo = dir.path().join("demo");
    let o = kyso([OsArg::from("demo"), demo.clone().into()]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    for f in [
        "ho-so-mau.pdf",
        "ho-so-mau.signed-1.pdf",
        "ho-so-mau.signed-2.pdf",
        "root.pem",
    ] {
        assert!(demo.join(f).is_file(), "{f} missing: {}", show(&o));
    }
    let text = stdout(&o);
    let officials = kyso::demo::DemoPki::generate(OffsetDateTime::now_utc())
        .unwrap()
        .officials;
    assert_eq!(officials.len(), 2);
    for official in &officials {
        assert!(
            !official.common_name.is_ascii(),
            "a Vietnamese name with diacritics: {}",
            official.common_name
        );
        assert!(
            text.contains(&official.common_name),
            "{} missing from the report:\n{text}",
            official.common_name
        );
    }
    assert!(
        text.contains("2 passed, 0 failed, 0 indeterminate"),
        "{text}"
    );

    // The demo's output verifies with the demo's root and CRLs, from the command line too.
    let o = kyso([
        OsArg::from("verify"),
        "--trust".into(),
        demo.join("root.pem").into(),
        "--crl".into(),
        demo.join("root.crl").into(),
        "--crl".into(),
        demo.join("issuing-ca.crl").into(),
        "--revocation".into(),
        "require".into(),
        demo.join("ho-so-mau.signed-2.pdf").into(),
    ]);
    assert_eq!(code(&o), 0, "{}", show(&o));

    // --json: the same report as data.
    let o = kyso([
        OsArg::from("demo"),
        dir.path().join("demo-json").into(),
        "--json".into(),
    ]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    // Standard output is the report alone; the list of files goes to stderr.
    let r: VerificationReport = serde_json::from_slice(&o.stdout).unwrap();
    assert!(stderr(&o).contains("root.pem"), "{}", show(&o));
    assert_eq!(r.signatures.len(), 2);
    let names: Vec<_> = r
        .signatures
        .iter()
        .map(|s| s.signer.as_ref().unwrap().common_name.clone().unwrap())
        .collect();
    let expected: Vec<_> = officials.iter().map(|o| o.common_name.clone()).collect();
    assert_eq!(names, expected);
    // A clean report: the demo verifies with the CAs' CRLs, so every certificate below the
    // root is known not to be revoked, and nothing is left to warn about.
    for s in &r.signatures {
        let mut checked: Vec<_> = s
            .chain
            .revocation
            .iter()
            .map(|rv| (rv.certificate, rv.status, rv.origin.as_deref()))
            .collect();
        checked.sort_by_key(|c| c.0);
        assert_eq!(
            checked,
            [
                (0, RevocationStatus::Good, Some("caller")),
                (1, RevocationStatus::Good, Some("caller"))
            ],
            "{s:#?}"
        );
        let warnings: Vec<_> = s
            .findings
            .iter()
            .filter(|f| f.severity != Severity::Info)
            .collect();
        assert!(warnings.is_empty(), "{warnings:#?}");
    }
}

/// The demo says what it wrote (root, chain, keys, CRLs, PDFs) and what to try next; the
/// commands it prints work as printed; it never replaces an earlier demo's keys unless told
/// to with --force.
#[test]
fn demo_lists_its_files_prints_working_next_commands_and_keeps_its_keys() {
    let dir = common::temp_dir();
    let demo = dir.path().join("demo");
    let o = kyso([OsArg::from("demo"), demo.clone().into()]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    let text = stdout(&o);
    let files = [
        "root.pem",
        "issuing-ca.pem",
        "chain.pem",
        "official-1.pem",
        "official-1.key.pem",
        "official-2.pem",
        "official-2.key.pem",
        "root.crl",
        "issuing-ca.crl",
        "ho-so-mau.pdf",
        "ho-so-mau.signed-1.pdf",
        "ho-so-mau.signed-2.pdf",
    ];
    for f in files {
        let path = demo.join(f);
        assert!(path.is_file(), "{f} missing: {}", show(&o));
        assert!(
            text.contains(&path.display().to_string()),
            "{f} is not listed:\n{text}"
        );
    }

    // The printed commands, run by a shell as a user would paste them (`kyso` → this build).
    let commands: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("kyso "))
        .collect();
    assert_eq!(commands.len(), 2, "a verify and a sign command:\n{text}");
    assert!(commands[0].starts_with("kyso verify "), "{text}");
    assert!(commands[1].starts_with("kyso sign "), "{text}");
    let bin = Path::new(env!("CARGO_BIN_EXE_kyso")).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    for command in &commands {
        let o = Command::new("sh")
            .arg("-c")
            .arg(command)
            .env("PATH", &path)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{command}\n{}", show(&o));
    }
    let mine = demo.join("ho-so-mau.my-signature.pdf");
    let o = verify_demo(&demo, &mine);
    assert_eq!(code(&o), 0, "{}", show(&o));

    // Run again: refused, nothing replaced, and the message says how to start over.
    let keys_before = std::fs::read(demo.join("official-1.key.pem")).unwrap();
    let signed_before = std::fs::read(demo.join("ho-so-mau.signed-2.pdf")).unwrap();
    let o = kyso([OsArg::from("demo"), demo.clone().into()]);
    assert_eq!(code(&o), 2, "{}", show(&o));
    let err = stderr(&o);
    assert!(
        err.contains("--force") && err.contains("official-1.key.pem"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(
        std::fs::read(demo.join("official-1.key.pem")).unwrap(),
        keys_before
    );
    assert_eq!(
        std::fs::read(demo.join("ho-so-mau.signed-2.pdf")).unwrap(),
        signed_before
    );

    // --force: a new PKI (new keys), which verifies.
    let o = kyso([OsArg::from("demo"), demo.clone().into(), "--force".into()]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    assert_ne!(
        std::fs::read(demo.join("official-1.key.pem")).unwrap(),
        keys_before
    );
    assert!(stdout(&o).contains("2 passed, 0 failed, 0 indeterminate"));
}

/// `kyso verify` of `file` against the demo in `demo` (root and CRLs).
fn verify_demo(demo: &Path, file: &Path) -> Output {
    kyso([
        OsArg::from("verify"),
        "--trust".into(),
        demo.join("root.pem").into(),
        "--crl".into(),
        demo.join("root.crl").into(),
        "--crl".into(),
        demo.join("issuing-ca.crl").into(),
        file.into(),
    ])
}

type OsArg = std::ffi::OsString;

// ---------------------------------------------------------------------------------------------
// sign

#[test]
fn signs_with_pkcs8_pkcs1_and_sec1_keys_and_every_option() {
    let f = Fixture::new();
    let input = f.write("in.pdf", &base(Base::Table));
    let before = std::fs::read(&input).unwrap();
    // (signer, PEM label of its key, format)
    let cases = [
        (&f.pki.p256, "PRIVATE KEY", "pades"),
        (&f.pki.rsa2048, "RSA PRIVATE KEY", "pkcs7"),
        (&f.pki.p384, "EC PRIVATE KEY", "pades"),
        (&f.pki.ed25519, "PRIVATE KEY", "pkcs7"),
    ];
    for (signer, label, format) in cases {
        let pem = f.pem(signer);
        let key_text = std::fs::read_to_string(&pem.key).unwrap();
        assert!(
            key_text.starts_with(&format!("-----BEGIN {label}-----")),
            "{}: {key_text:.40}",
            signer.id
        );
        let out = f.path(&format!("out-{}.pdf", signer.id));
        let field = format!("ChuKy_{}", signer.id.replace('-', "_"));
        let o = f.sign(
            &pem,
            &input,
            &out,
            &[
                "--reason",
                "Phê duyệt hồ sơ",
                "--location",
                "Phường Bến Nghé, TP. Hồ Chí Minh",
                "--field",
                &field,
                "--page",
                "1",
                "--format",
                format,
            ],
        );
        assert_eq!(code(&o), 0, "{}: {}", signer.id, show(&o));
        assert_eq!(
            std::fs::read(&input).unwrap(),
            before,
            "signing modified its input"
        );
        let signed = std::fs::read(&out).unwrap();
        assert!(signed.starts_with(&before), "not an incremental update");

        let o = f.verify_json(&[&out], &[]);
        assert_eq!(code(&o), 0, "{}: {}", signer.id, show(&o));
        let r = report(&o);
        assert_eq!(r.signatures.len(), 1);
        let s = &r.signatures[0];
        assert_eq!(s.indication, Indication::TotalPassed);
        assert_eq!(s.field_name.as_deref(), Some(field.as_str()));
        assert_eq!(s.reason.as_deref(), Some("Phê duyệt hồ sơ"));
        assert_eq!(
            s.location.as_deref(),
            Some("Phường Bến Nghé, TP. Hồ Chí Minh")
        );
        let sub_filter = if format == "pkcs7" {
            "adbe.pkcs7.detached"
        } else {
            "ETSI.CAdES.detached"
        };
        assert_eq!(s.sub_filter.as_deref(), Some(sub_filter));
        let cert = s.signer.as_ref().unwrap();
        let expected_cert = x509_sha256(&signer.cert_der);
        assert_eq!(
            cert.sha256, expected_cert,
            "signed with the given certificate"
        );
    }
}

fn x509_sha256(der: &[u8]) -> String {
    kyso::crypto::digest(kyso::crypto::DigestAlgorithm::Sha256, der)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Without `--chain` the intermediate is missing and no path reaches the root; with it
/// (or with the chain appended to the certificate file) the signature validates.
#[test]
fn chain_option_embeds_the_intermediate() {
    let f = Fixture::new();
    let input = f.write("in.pdf", &base(Base::Stream));
    let pem = f.pem(&f.pki.p256);

    let bare = f.path("bare.pdf");
    let o = kyso([
        OsArg::from("sign"),
        "--key".into(),
        pem.key.clone().into(),
        "--cert".into(),
        pem.cert.clone().into(),
        input.clone().into(),
        "-o".into(),
        bare.clone().into(),
    ]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    let o = f.verify_json(&[&bare], &[]);
    assert_eq!(code(&o), 1, "{}", show(&o));
    let s = &report(&o).signatures[0];
    assert_eq!(s.indication, Indication::Indeterminate);
    assert_eq!(s.chain.status, ChainStatus::Untrusted);

    let with_chain = f.path("chain.pdf");
    let o = f.sign(&pem, &input, &with_chain, &[]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    let o = f.verify_json(&[&with_chain], &[]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    let s = &report(&o).signatures[0];
    assert_eq!(s.chain.status, ChainStatus::Trusted);
    assert_eq!(s.chain.certificates.len(), 3, "signer, issuing CA, root");
    assert_eq!(s.field_name.as_deref(), Some("Signature1"), "default name");
}

/// A two-page document built with lopdf.
fn two_page_pdf() -> Vec<u8> {
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::new();
    for text in ["Trang 1", "Trang 2"] {
        let content = doc.add_object(Stream::new(
            dictionary! {},
            format!("BT /F1 24 Tf 72 700 Td ({text}) Tj ET").into_bytes(),
        ));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => content,
        });
        kids.push(Object::Reference(page));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => 2 }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn page_option_places_the_widget_on_that_page() {
    let f = Fixture::new();
    let input = f.write("two-pages.pdf", &two_page_pdf());
    let pem = f.pem(&f.pki.rsa2048);
    let out = f.path("signed-p2.pdf");
    let o = f.sign(&pem, &input, &out, &["--page", "2", "--field", "Trang2"]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    assert_eq!(code(&f.verify_json(&[&out], &[])), 0);

    // Read back with lopdf: the field's widget points to page 2 and page 2 lists it.
    let doc = lopdf::Document::load(&out).unwrap();
    let pages = doc.get_pages();
    let page2 = pages[&2];
    let annots = doc
        .get_dictionary(page2)
        .unwrap()
        .get(b"Annots")
        .and_then(lopdf::Object::as_array)
        .expect("page 2 has /Annots")
        .clone();
    assert_eq!(annots.len(), 1);
    let widget = doc
        .get_dictionary(annots[0].as_reference().unwrap())
        .unwrap();
    assert_eq!(widget.get(b"T").unwrap().as_str().unwrap(), b"Trang2");
    assert_eq!(widget.get(b"P").unwrap().as_reference().unwrap(), page2);
    let page1 = doc.get_dictionary(pages[&1]).unwrap();
    assert!(page1.get(b"Annots").is_err(), "page 1 is untouched");
}

// ---------------------------------------------------------------------------------------------
// verify

#[test]
fn verify_exit_codes_and_json() {
    let f = Fixture::new();
    let input = f.write("in.pdf", &base(Base::Hybrid));
    let pem = f.pem(&f.pki.p384);
    let good = f.path("good.pdf");
    assert_eq!(code(&f.sign(&pem, &input, &good, &[])), 0);

    // Valid: 0, text and JSON.
    let o = kyso([
        OsArg::from("verify"),
        "--trust".into(),
        f.root.clone().into(),
        good.clone().into(),
    ]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    assert!(stdout(&o).contains("TOTAL-PASSED"), "{}", show(&o));
    let o = f.verify_json(&[&good], &[]);
    assert_eq!(code(&o), 0);
    let r = report(&o);
    assert_eq!(r.summary.passed, 1);
    assert_eq!(r.file.as_deref(), Some(good.to_str().unwrap()));

    // No trust anchor given, or another root: 1.
    let o = kyso([OsArg::from("verify"), good.clone().into()]);
    assert_eq!(code(&o), 1, "{}", show(&o));
    let other_root = f.write(
        "other-root.pem",
        common::pki::pem("CERTIFICATE", &f.pki.other_root_der).as_bytes(),
    );
    let o = kyso([
        OsArg::from("verify"),
        "--json".into(),
        "--trust".into(),
        other_root.into(),
        good.clone().into(),
    ]);
    assert_eq!(code(&o), 1, "{}", show(&o));
    assert_eq!(
        report(&o).signatures[0].sub_indication,
        Some(SubIndication::NoCertificateChainFound)
    );

    // Signed by a certificate of the untrusted PKI: 1.
    let untrusted = f.path("untrusted.pdf");
    assert_eq!(
        code(&f.sign(&f.pem(&f.pki.untrusted), &input, &untrusted, &[])),
        0
    );
    let o = f.verify_json(&[&untrusted], &[]);
    assert_eq!(code(&o), 1, "{}", show(&o));
    assert_eq!(
        report(&o).signatures[0].indication,
        Indication::Indeterminate
    );

    // Tampered (one byte of the signed page text): 1, HASH_FAILURE.
    let mut bytes = std::fs::read(&good).unwrap();
    let at = bytes
        .windows(13)
        .position(|w| w == b"Base revision")
        .unwrap();
    bytes[at] = b'X';
    let tampered = f.write("tampered.pdf", &bytes);
    let o = f.verify_json(&[&tampered], &[]);
    assert_eq!(code(&o), 1, "{}", show(&o));
    let s = &report(&o).signatures[0];
    assert_eq!(
        (s.indication, s.sub_indication),
        (Indication::TotalFailed, Some(SubIndication::HashFailure))
    );

    // No signature at all: nothing is proven, 1.
    let o = f.verify_json(&[&input], &[]);
    assert_eq!(code(&o), 1, "{}", show(&o));
    assert!(report(&o).signatures.is_empty());

    // Not a PDF, a missing file, a truncated file: 2 and one line naming the file.
    let html = f.write("page.html", b"<html><body>not a PDF</body></html>");
    let o = f.verify_json(&[&html], &[]);
    assert_one_line_error(&o, &html, "not a PDF");
    assert!(o.stdout.is_empty(), "no report for an unreadable file");
    let missing = f.path("missing.pdf");
    let o = kyso([OsArg::from("verify"), missing.clone().into()]);
    assert_one_line_error(&o, &missing, "no such file");
    let cut = f.write("cut.pdf", &std::fs::read(&good).unwrap()[..300]);
    let o = f.verify_json(&[&cut], &[]);
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", show(&o));
    assert!(stderr(&o).contains("cut.pdf"), "{}", show(&o));

    // Several files: a JSON array, in order; the worst outcome decides the exit code.
    let o = f.verify_json(&[&good, &tampered], &[]);
    assert_eq!(code(&o), 1, "{}", show(&o));
    let all: Vec<VerificationReport> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].summary.passed, 1);
    assert_eq!(all[1].summary.failed, 1);
    let o = f.verify_json(&[&good, &good], &[]);
    assert_eq!(code(&o), 0);
    assert_eq!(
        serde_json::from_slice::<Vec<VerificationReport>>(&o.stdout)
            .unwrap()
            .len(),
        2
    );
    // One file cannot be processed: the others are still reported, exit 2.
    let o = f.verify_json(&[&good, &missing, &tampered], &[]);
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", show(&o));
    assert!(stderr(&o).contains("missing.pdf"));
    let all: Vec<VerificationReport> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(all.len(), 2, "{}", show(&o));

    // A trust file that is not a certificate: 2, naming it.
    let o = kyso([
        OsArg::from("verify"),
        "--trust".into(),
        html.clone().into(),
        good.clone().into(),
    ]);
    assert_one_line_error(&o, &html, "");
}

#[test]
fn verify_at_a_given_time() {
    let f = Fixture::new();
    let input = f.write("in.pdf", &base(Base::Table));
    let good = f.path("good.pdf");
    assert_eq!(code(&f.sign(&f.pem(&f.pki.p256), &input, &good, &[])), 0);

    // A time while the certificate is valid, with a UTC offset: passed, time recorded.
    let at = (f.now + Duration::days(1))
        .to_offset(time::UtcOffset::from_hms(7, 0, 0).unwrap())
        .replace_nanosecond(0)
        .unwrap();
    let at_text = at.format(&Rfc3339).unwrap();
    assert!(at_text.ends_with("+07:00"), "{at_text}");
    let o = f.verify_json(&[&good], &["--at", &at_text]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    let r = report(&o);
    assert_eq!(r.validation_time, at);
    assert_eq!(r.validation_time_source, TimeSource::Caller);
    let claimed_after = |r: &kyso::report::VerificationReport| {
        r.signatures[0]
            .findings
            .iter()
            .any(|x| x.code == kyso::report::Code::TimeClaimedAfterValidation)
    };
    assert!(!claimed_after(&r));

    // An hour before the time the signature claims: whatever the verdict for that time,
    // the warning that the signature says it was made later (en and vi).
    let early = (f.now - Duration::hours(1)).format(&Rfc3339).unwrap();
    let o = f.verify_json(&[&good], &["--at", &early]);
    let r = report(&o);
    assert!(claimed_after(&r), "{}", show(&o));
    let o = kyso([
        OsArg::from("verify"),
        "--trust".into(),
        f.root.clone().into(),
        "--at".into(),
        early.into(),
        "--lang".into(),
        "vi".into(),
        good.clone().into(),
    ]);
    assert!(
        stdout(&o).contains("Chữ ký tự khai được tạo sau thời điểm kiểm tra"),
        "{}",
        show(&o)
    );

    // After the signer's certificate expired (valid for 700 days): 1, OUT_OF_BOUNDS.
    let late = (f.now + Duration::days(800)).format(&Rfc3339).unwrap();
    let o = f.verify_json(&[&good], &["--at", &late]);
    assert_eq!(code(&o), 1, "{}", show(&o));
    assert!(stdout(&o).contains("OUT_OF_BOUNDS"), "{}", show(&o));
    let s = &report(&o).signatures[0];
    assert_eq!(s.indication, Indication::Indeterminate);
    assert_eq!(s.sub_indication, Some(SubIndication::OutOfBoundsNoPoe));

    // Neither an RFC 3339 time nor a date: a usage error, 2 (a date alone is the start of
    // that day in UTC: tests/cli_verify.rs).
    let o = f.verify_json(&[&good], &["--at", "26/11/2026"]);
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert!(stderr(&o).contains("RFC 3339"), "{}", show(&o));
}

// ---------------------------------------------------------------------------------------------
// inspect

#[test]
fn inspect_lists_revisions_and_fields() {
    let f = Fixture::new();
    let input = f.write("in.pdf", &base(Base::EmptyField));
    let pem = f.pem(&f.pki.p256);

    let o = kyso([OsArg::from("inspect"), input.clone().into()]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    let text = stdout(&o);
    assert!(text.contains("signature fields: 1"), "{text}");
    assert!(text.contains("Approval: empty"), "{text}");
    let revisions_before = count_revisions(&text);
    assert_eq!(revisions_before, 2, "{text}");

    let once = f.path("once.pdf");
    assert_eq!(
        code(&f.sign(&pem, &input, &once, &["--field", "Approval"])),
        0
    );
    let twice = f.path("twice.pdf");
    assert_eq!(
        code(&f.sign(
            &pem,
            &once,
            &twice,
            &["--field", "PheDuyet", "--format", "pkcs7"]
        )),
        0
    );
    let o = kyso([OsArg::from("inspect"), twice.clone().into()]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    let text = stdout(&o);
    assert_eq!(count_revisions(&text), 4, "{text}");
    assert!(text.contains("signature fields: 2"), "{text}");
    assert!(
        text.contains("Approval: signed (ETSI.CAdES.detached"),
        "{text}"
    );
    assert!(
        text.contains("PheDuyet: signed (adbe.pkcs7.detached"),
        "{text}"
    );
    assert!(text.contains("signature dictionaries: 2"), "{text}");
    assert!(text.contains("pages: 1"), "{text}");

    let html = f.write("x.html", b"<html/>");
    let o = kyso([OsArg::from("inspect"), html.clone().into()]);
    assert_one_line_error(&o, &html, "not a PDF");
}

/// Lines `  N: … cross-reference at …` under `revisions:`.
fn count_revisions(text: &str) -> usize {
    text.lines()
        .filter(|l| l.starts_with("  ") && l.contains("cross-reference at"))
        .count()
}

// ---------------------------------------------------------------------------------------------
// refusals

/// Runs a signing that must be refused: exit 2, one line naming the input and the problem,
/// no output file and no temporary file left, the input unchanged.
fn assert_refused(f: &Fixture, pem: &Pem, input: &Path, extra: &[&str], problem: &str) {
    let before = std::fs::read(input).unwrap();
    let out = f.path("refused-output.pdf");
    let o = f.sign(pem, input, &out, extra);
    assert_one_line_error(&o, input, problem);
    assert!(!out.exists(), "an output file was left behind");
    assert_eq!(leftovers(f.dir.path()), Vec::<String>::new());
    assert_eq!(std::fs::read(input).unwrap(), before, "input modified");
}

#[test]
fn signing_refusals() {
    let f = Fixture::new();
    let pem = f.pem(&f.pki.p256);
    let input = f.write("in.pdf", &base(Base::Table));

    // Page out of range.
    assert_refused(&f, &pem, &input, &["--page", "2"], "page 2 does not exist");
    assert_refused(&f, &pem, &input, &["--page", "0"], "page 0 does not exist");

    // A field that exists and is already signed.
    let signed = f.path("signed.pdf");
    assert_eq!(
        code(&f.sign(&pem, &input, &signed, &["--field", "GiamDoc"])),
        0
    );
    assert_refused(&f, &pem, &signed, &["--field", "GiamDoc"], "already signed");

    // A field that exists and is not a signature field: the empty-field vector with its
    // /FT changed to a text field (same length, so offsets hold).
    let mut text_field = base(Base::EmptyField);
    let at = text_field
        .windows(8)
        .position(|w| w == b"/FT /Sig")
        .unwrap();
    text_field[at..at + 8].copy_from_slice(b"/FT /Tx ");
    let text_field = f.write("text-field.pdf", &text_field);
    assert_refused(
        &f,
        &pem,
        &text_field,
        &["--field", "Approval"],
        "not a signature field",
    );

    // Output == input, also when spelled differently: refused before anything is written.
    let before = std::fs::read(&input).unwrap();
    let o = f.sign(&pem, &input, &input, &[]);
    assert_one_line_error(&o, &input, "is the input file");
    let other_spelling = f.dir.path().join(".").join("in.pdf");
    let o = f.sign(&pem, &input, &other_spelling, &[]);
    assert_one_line_error(&o, &input, "is the input file");
    assert_eq!(std::fs::read(&input).unwrap(), before);
    assert_eq!(leftovers(f.dir.path()), Vec::<String>::new());

    // Not a PDF, a missing input, a key that does not match the certificate, an output
    // directory that does not exist.
    let html = f.write("x.html", b"<html/>");
    assert_refused(&f, &pem, &html, &[], "not a PDF");
    let missing = f.path("missing.pdf");
    let o = f.sign(&pem, &missing, &f.path("out.pdf"), &[]);
    assert_one_line_error(&o, &missing, "no such file");
    let wrong = Pem {
        key: f.pem(&f.pki.p384).key,
        cert: pem.cert.clone(),
        chain: pem.chain.clone(),
    };
    let o = f.sign(&wrong, &input, &f.path("out.pdf"), &[]);
    assert_one_line_error(&o, &wrong.key, "does not match");
    assert!(!f.path("out.pdf").exists());
    let nowhere = f.path("no-such-dir").join("out.pdf");
    let o = f.sign(&pem, &input, &nowhere, &[]);
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", show(&o));
    assert!(stderr(&o).contains("no-such-dir"), "{}", show(&o));
}

/// Encrypted inputs (issue 19 §1): with a user password kyso does not have, signing is
/// refused with nothing written; with only an owner password (the empty user password opens
/// it), the document is signed, its update written encrypted (`tests/encrypted.rs` checks the
/// peers), and it verifies.
#[test]
fn signing_encrypted_input_needs_the_password_it_lacks() {
    let Some(qpdf) = common::interop::Qpdf::find() else {
        return;
    };
    let f = Fixture::new();
    let pem = f.pem(&f.pki.p256);
    let plain = f.write("plain.pdf", &base(Base::Table));
    let encrypt = |name: &str, user: &str| {
        let enc = f.path(name);
        qpdf.run(&[
            "--encrypt".as_ref(),
            user.as_ref(),
            "owner-pw".as_ref(),
            "256".as_ref(),
            "--".as_ref(),
            plain.as_os_str(),
            enc.as_os_str(),
        ])
        .unwrap();
        enc
    };
    let with_user = encrypt("enc-user.pdf", "geheim");
    assert_refused(&f, &pem, &with_user, &[], "password");
    let owner_only = encrypt("enc-owner.pdf", "");
    let out = f.path("enc-owner-signed.pdf");
    let o = f.sign(&pem, &owner_only, &out, &[]);
    assert_eq!(code(&o), 0, "{}", show(&o));
    assert!(out.exists());
}

/// `--lang vi` on the listing commands too (issue 17: every command that prints a report):
/// `inspect`, `attachments list` and `form list` speak Vietnamese, and English stays the
/// default.
#[test]
fn listings_speak_vietnamese_with_lang_vi() {
    let dir = common::temp_dir();
    let pdf = dir.path().join("ho-so.pdf");
    std::fs::write(&pdf, common::attacks::form_doc()).unwrap();
    let cases: [(&[&str], &str, &str); 3] = [
        (&["inspect"], "signature fields:", "trường chữ ký:"),
        (&["attachments", "list"], "embedded file(s)", "tệp đính kèm"),
        (&["form", "list"], "(text)", "(văn bản)"),
    ];
    for (command, english, vietnamese) in cases {
        let mut args: Vec<&std::ffi::OsStr> = command.iter().map(|c| c.as_ref()).collect();
        args.push(pdf.as_os_str());
        let en = kyso(&args);
        assert_eq!(code(&en), 0, "{}", show(&en));
        assert!(stdout(&en).contains(english), "{}", show(&en));
        args.push("--lang".as_ref());
        args.push("vi".as_ref());
        let vi = kyso(&args);
        assert_eq!(code(&vi), 0, "{}", show(&vi));
        assert!(stdout(&vi).contains(vietnamese), "{}", show(&vi));
        assert!(!stdout(&vi).contains(english), "{}", show(&vi));
    }
}
