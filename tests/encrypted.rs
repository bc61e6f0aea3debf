//! Encrypted PDFs (ISO 32000-2 §7.6, the standard security handler) made by real peers:
//! qpdf encrypts the registration form with every handler it writes (RC4 40-bit R2, RC4
//! 128-bit R3, AES-128 R4 with and without `--cleartext-metadata`, AES-256 R5 and R6, with
//! object streams), with and without a user password; kyso must read them as it reads the
//! plain form (field names, values and Vietnamese options, page content), open them with the
//! user or the owner password, and say clearly when a password is needed or wrong. pyHanko
//! signs the encrypted documents (given the password) and kyso verifies the signatures
//! (hashing the stored bytes, `/Contents` never decrypted, §7.6.2; the later revision
//! compared decrypted). Everything is generated in a temporary directory.

mod common;

use std::path::{Path, PathBuf};

use common::cli::{code, kyso, os, show, stderr, stdout};
use common::forms::{registration_form, FormSpec};
use common::interop::Pyhanko;
use kyso::budget::{DocumentBudget, DocumentMeter};
use kyso::pdf::{Access, Budget, Document, EncryptionError, Password, PdfError};
use kyso::pki::TrustStore;
use kyso::report::Indication;
use kyso::verify::{verify_file, VerifyOptions};

const OWNER: &str = "chu-so-huu";
const USER: &str = "cong-dan";

/// One way qpdf encrypts.
struct Handler {
    label: &'static str,
    /// `qpdf --encrypt U O` then these, then `--`.
    args: &'static [&'static str],
    /// Options after `--` (object streams).
    after: &'static [&'static str],
    revision: u8,
    key_bits: u16,
    encrypt_metadata: bool,
    /// pyHanko 0.38 signs it (it does not open revision 5, Adobe's deprecated extension).
    pyhanko: bool,
}

const HANDLERS: &[Handler] = &[
    Handler {
        label: "rc4-40-r2",
        args: &["40"],
        after: &[],
        revision: 2,
        key_bits: 40,
        encrypt_metadata: true,
        pyhanko: true,
    },
    Handler {
        label: "rc4-128-r3",
        args: &["128", "--use-aes=n"],
        after: &[],
        revision: 3,
        key_bits: 128,
        encrypt_metadata: true,
        pyhanko: true,
    },
    Handler {
        label: "aes-128-r4",
        args: &["128", "--use-aes=y"],
        after: &[],
        revision: 4,
        key_bits: 128,
        encrypt_metadata: true,
        pyhanko: true,
    },
    Handler {
        label: "aes-128-r4-cleartext-metadata-objstm",
        args: &["128", "--use-aes=y", "--cleartext-metadata"],
        after: &["--object-streams=generate"],
        revision: 4,
        key_bits: 128,
        encrypt_metadata: false,
        pyhanko: true,
    },
    Handler {
        label: "aes-256-r5",
        args: &["256", "--force-R5"],
        after: &[],
        revision: 5,
        key_bits: 256,
        encrypt_metadata: true,
        pyhanko: false,
    },
    Handler {
        label: "aes-256-r6",
        args: &["256"],
        after: &[],
        revision: 6,
        key_bits: 256,
        encrypt_metadata: true,
        pyhanko: true,
    },
    Handler {
        label: "aes-256-r6-cleartext-metadata-objstm",
        args: &["256", "--cleartext-metadata"],
        after: &["--object-streams=generate"],
        revision: 6,
        key_bits: 256,
        encrypt_metadata: false,
        pyhanko: true,
    },
];

/// `qpdf --encrypt USER OWNER …` of `input` into `output`.
fn encrypt(qpdf: &Path, input: &Path, output: &Path, h: &Handler, user: &str) {
    // RC4 is refused unless allowed (a general option, before --encrypt).
    let mut args: Vec<&std::ffi::OsStr> = vec![os("--allow-weak-crypto")];
    args.extend([os("--encrypt"), os(user), os(OWNER)]);
    args.extend(h.args.iter().map(os));
    args.push(os("--"));
    args.extend(h.after.iter().map(os));
    args.extend([input.as_os_str(), output.as_os_str()]);
    let out = common::interop::run(qpdf, &args).unwrap();
    // Exit 3: written, with warnings (qpdf warns about RC4 even when allowed).
    assert!(
        matches!(out.status.code(), Some(0 | 3)) && output.is_file(),
        "qpdf could not encrypt {}: {}",
        h.label,
        out.describe()
    );
}

fn open(path: &Path, password: Option<&str>) -> Result<Document<kyso::pdf::FileSource>, PdfError> {
    let meter = DocumentMeter::start(DocumentBudget::default().deadline(None));
    let source = kyso::pdf::FileSource::open(path).unwrap();
    let pw = password.map(Password::from);
    Document::open_with_password(source, Budget::default(), meter, pw.as_ref())
}

/// The form's fields (names, kinds, values, options) as JSON, and the first page's content.
fn what_a_reader_sees<S: kyso::pdf::Source>(doc: &Document<S>) -> (String, Vec<u8>) {
    let fields = serde_json::to_string(&kyso::form::list_fields(doc).unwrap()).unwrap();
    let last = doc.last_revision();
    let page = kyso::pdf::pages(doc, last).unwrap()[0];
    let page = doc
        .resolve_dict(last, &kyso::pdf::Object::from(page))
        .unwrap()
        .unwrap();
    let contents = doc.resolve(last, page.get(b"Contents").unwrap()).unwrap();
    let content = doc
        .decode_stream(last, contents.as_stream().unwrap())
        .unwrap();
    (fields, content)
}

struct Setup {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    plain: PathBuf,
}

fn setup() -> Setup {
    let dir = common::temp_dir();
    let d = dir.path().to_path_buf();
    let plain = d.join("to-khai.pdf");
    std::fs::write(&plain, registration_form(&FormSpec::default())).unwrap();
    Setup {
        _dir: dir,
        dir: d,
        plain,
    }
}

#[test]
fn qpdf_encrypted_forms_of_every_handler_read_like_the_plain_form_section_7_6() {
    let Some(qpdf) = common::tool("qpdf") else {
        return;
    };
    let s = setup();
    let plain = Document::open(kyso::pdf::FileSource::open(&s.plain).unwrap()).unwrap();
    let expected = what_a_reader_sees(&plain);
    assert!(
        expected.0.contains("Thành phố Hồ Chí Minh"),
        "{}",
        expected.0
    );
    for h in HANDLERS {
        for user in ["", USER] {
            let file = s.dir.join(format!("{}-{}.pdf", h.label, user.len()));
            encrypt(&qpdf, &s.plain, &file, h, user);
            let what = format!("{} (user password {user:?})", h.label);

            // The empty user password is tried on its own; a user password must be given.
            let doc = match open(&file, None) {
                Ok(doc) => {
                    assert!(user.is_empty(), "{what}: opened without its user password");
                    doc
                }
                Err(e) => {
                    assert!(!user.is_empty(), "{what}: {e}");
                    assert!(
                        matches!(e, PdfError::Encryption(EncryptionError::PasswordRequired)),
                        "{what}: {e}"
                    );
                    open(&file, Some(user)).unwrap_or_else(|e| panic!("{what}: {e}"))
                }
            };
            let enc = doc.encryption().unwrap_or_else(|| panic!("{what}"));
            assert_eq!(enc.revision, h.revision, "{what}");
            assert_eq!(enc.key_bits, h.key_bits, "{what}");
            assert_eq!(enc.encrypt_metadata, h.encrypt_metadata, "{what}");
            assert_eq!(enc.access, Access::User, "{what}");
            assert_eq!(enc.empty_password, user.is_empty(), "{what}");
            assert_eq!(what_a_reader_sees(&doc), expected, "{what}");

            // The owner password opens it too, with every permission.
            let doc = open(&file, Some(OWNER)).unwrap_or_else(|e| panic!("{what}: {e}"));
            let enc = doc.encryption().unwrap();
            assert_eq!(enc.access, Access::Owner, "{what}");
            assert_eq!(what_a_reader_sees(&doc), expected, "{what}");

            // A wrong password: an error when the empty one does not open it either; else
            // the document opens with the empty one and says the password given did not.
            match open(&file, Some("sai-mat-khau")) {
                Err(e) => {
                    assert!(!user.is_empty(), "{what}: {e}");
                    assert!(
                        matches!(e, PdfError::Encryption(EncryptionError::WrongPassword)),
                        "{what}: {e}"
                    );
                }
                Ok(doc) => {
                    assert!(user.is_empty(), "{what}");
                    assert!(doc.encryption().unwrap().given_password_rejected, "{what}");
                }
            }
        }
    }
}

#[test]
fn restricted_permissions_are_read_from_p_table_22() {
    let Some(qpdf) = common::tool("qpdf") else {
        return;
    };
    let s = setup();
    let file = s.dir.join("restricted.pdf");
    let out = common::interop::run(
        &qpdf,
        &[
            os("--encrypt"),
            os(""),
            os(OWNER),
            os("256"),
            os("--modify=none"),
            os("--annotate=n"),
            os("--form=n"),
            os("--print=none"),
            os("--"),
            s.plain.as_os_str(),
            file.as_os_str(),
        ],
    )
    .unwrap();
    assert!(out.status.success(), "{}", out.describe());
    let doc = open(&file, None).unwrap();
    let enc = doc.encryption().unwrap();
    let p = enc.permissions;
    assert!(!p.modify() && !p.annotate() && !p.fill_forms() && !p.print());
    assert_eq!(enc.effective_permissions(), p);
    let owner = open(&file, Some(OWNER)).unwrap();
    assert!(owner.encryption().unwrap().effective_permissions().modify());
}

/// pyHanko signs `input` into `output` with the demo official `n`, opening it with
/// `password`; `field` is created unless the form has it.
#[allow(clippy::too_many_arguments)]
fn pyhanko_sign(
    pyhanko: &Pyhanko,
    dir: &Path,
    input: &Path,
    output: &Path,
    official: &kyso::demo::OfficialFiles,
    chain: &Path,
    password: &str,
    field: &str,
) {
    const SCRIPT: &str = r#"
import sys
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers, fields
inp, out, key, cert, chain, pw, field = sys.argv[1:8]
with open(inp, 'rb') as f:
    w = IncrementalPdfFileWriter(f)
    if w.prev.encrypted:
        w.encrypt(pw.encode('utf-8'))
    signer = signers.SimpleSigner.load(key, cert, ca_chain_files=[chain])
    meta = signers.PdfSignatureMetadata(field_name=field, reason='Phê duyệt hồ sơ')
    spec = fields.SigFieldSpec(field, box=(300, 60, 500, 110))
    with open(out, 'wb') as o:
        signers.sign_pdf(w, meta, signer=signer, output=o, new_field_spec=spec)
print('signed')
"#;
    let lines = pyhanko
        .run_script(
            SCRIPT,
            &dir.join("sign.py"),
            &[
                input.as_os_str(),
                output.as_os_str(),
                official.key.as_os_str(),
                official.certificate.as_os_str(),
                chain.as_os_str(),
                os(password),
                os(field),
            ],
            "pyHanko signing an encrypted PDF",
        )
        .unwrap();
    assert_eq!(lines.last().map(String::as_str), Some("signed"));
}

#[test]
fn pyhanko_signs_encrypted_forms_and_kyso_verifies_them_section_7_6_2() {
    let (Some(qpdf), Some(pyhanko)) = (common::tool("qpdf"), Pyhanko::find()) else {
        return;
    };
    let s = setup();
    let now = time::OffsetDateTime::now_utc();
    let pki = kyso::demo::DemoPki::generate(now).unwrap();
    let files = pki.write_pem_files(&s.dir).unwrap();
    let trust = TrustStore::from_pem_or_der(&std::fs::read(&files.root).unwrap()).unwrap();
    for h in HANDLERS.iter().filter(|h| h.pyhanko) {
        for user in ["", USER] {
            let what = format!("{} (user password {user:?})", h.label);
            let enc = s.dir.join(format!("{}-{}.pdf", h.label, user.len()));
            encrypt(&qpdf, &s.plain, &enc, h, user);
            // The citizen signs the form's own field, the official adds one of his own
            // (a second revision: the difference analysis compares decrypted values).
            let one = s.dir.join(format!("{}-{}-1.pdf", h.label, user.len()));
            let two = s.dir.join(format!("{}-{}-2.pdf", h.label, user.len()));
            pyhanko_sign(
                &pyhanko,
                &s.dir,
                &enc,
                &one,
                &files.officials[0],
                &files.chain,
                user,
                "chu_ky_cong_dan",
            );
            pyhanko_sign(
                &pyhanko,
                &s.dir,
                &one,
                &two,
                &files.officials[1],
                &files.chain,
                if user.is_empty() { OWNER } else { user },
                "Phê duyệt",
            );
            let mut opts = VerifyOptions::new(trust.clone());
            if !user.is_empty() {
                // Without the password: a clear error, not a verdict on ciphertext.
                let e = verify_file(&two, &opts).unwrap_err();
                assert!(e.to_string().contains("--password-file"), "{what}: {e}");
                opts = opts.password(Password::from(user));
            }
            let report = verify_file(&two, &opts).unwrap_or_else(|e| panic!("{what}: {e}"));
            let names: Vec<_> = report
                .signatures
                .iter()
                .map(|s| s.field_name.clone().unwrap_or_default())
                .collect();
            assert_eq!(names, ["chu_ky_cong_dan", "Phê duyệt"], "{what}");
            for sig in &report.signatures {
                assert_eq!(
                    sig.indication,
                    Indication::TotalPassed,
                    "{what}: {:?}",
                    sig.findings
                );
                assert!(sig.modifications.allowed, "{what}: {:?}", sig.findings);
            }
            assert!(
                report
                    .findings
                    .iter()
                    .any(|f| f.code.as_str() == "document.encrypted"
                        && f.message.contains(&format!("R{}", h.revision))),
                "{what}: {:?}",
                report.findings
            );
        }
    }
}

#[test]
fn the_cli_takes_the_password_from_a_file_or_the_environment() {
    let Some(qpdf) = common::tool("qpdf") else {
        return;
    };
    let s = setup();
    let file = s.dir.join("user.pdf");
    encrypt(&qpdf, &s.plain, &file, &HANDLERS[5], USER);
    let pw_file = s.dir.join("pw.txt");
    std::fs::write(&pw_file, format!("{USER}\n")).unwrap();

    let out = kyso([os("form"), os("list"), file.as_os_str()]);
    assert_eq!(code(&out), 2, "{}", show(&out));
    assert!(stderr(&out).contains("--password-file"), "{}", show(&out));
    let out = kyso([
        os("form"),
        os("list"),
        os("--lang"),
        os("vi"),
        file.as_os_str(),
    ]);
    assert!(stderr(&out).contains("mật khẩu"), "{}", show(&out));

    let out = kyso([
        os("form"),
        os("list"),
        os("--password-file"),
        pw_file.as_os_str(),
        file.as_os_str(),
    ]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(
        stdout(&out).contains("Thành phố Hồ Chí Minh"),
        "{}",
        show(&out)
    );

    std::env::set_var("KYSO_TEST_PDF_PASSWORD", USER);
    let out = kyso([
        os("inspect"),
        os("--password-env"),
        os("KYSO_TEST_PDF_PASSWORD"),
        file.as_os_str(),
    ]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    assert!(stdout(&out).contains("R6 AES-256"), "{}", show(&out));

    std::fs::write(&pw_file, "sai\n").unwrap();
    let out = kyso([
        os("verify"),
        os("--password-file"),
        pw_file.as_os_str(),
        file.as_os_str(),
    ]);
    assert_eq!(code(&out), 2, "{}", show(&out));
    assert!(stderr(&out).contains("does not open"), "{}", show(&out));
}

/// Writes the seeds of the `pdf_decrypt` fuzz target: the form encrypted by every handler,
/// with an empty and a non-empty user password, prefixed as the target reads its input
/// (password length, password, PDF). Run with `--ignored` when the seeds should change.
#[test]
#[ignore]
fn write_fuzz_seeds() {
    let Some(qpdf) = common::tool("qpdf") else {
        return;
    };
    let s = setup();
    // A one-page PDF keeps the seeds small.
    let small = s.dir.join("small.pdf");
    std::fs::write(&small, common::sample_pdf(common::SampleXref::Table)).unwrap();
    let out_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/pdf_decrypt");
    std::fs::create_dir_all(&out_dir).unwrap();
    for h in HANDLERS {
        for user in ["", USER] {
            let file = s.dir.join("seed.pdf");
            encrypt(&qpdf, &small, &file, h, user);
            let mut seed = vec![user.len() as u8];
            seed.extend_from_slice(user.as_bytes());
            seed.extend_from_slice(&std::fs::read(&file).unwrap());
            std::fs::write(out_dir.join(format!("{}-{}", h.label, user.len())), seed).unwrap();
        }
    }
}

/// `kyso sign` of `input` into `output` with the demo official `n`.
fn kyso_sign(files: &kyso::demo::DemoFiles, n: usize, input: &Path, output: &Path, field: &str) {
    kyso_sign_with(files, n, input, output, field, &[]);
}

/// `kyso sign` by official `n` into `field`, with `extra` options (a password file).
fn kyso_sign_with(
    files: &kyso::demo::DemoFiles,
    n: usize,
    input: &Path,
    output: &Path,
    field: &str,
    extra: &[&std::ffi::OsStr],
) {
    let o = &files.officials[n];
    let mut args = vec![
        os("sign"),
        os("--key"),
        o.key.as_os_str(),
        os("--cert"),
        o.certificate.as_os_str(),
        os("--chain"),
        files.chain.as_os_str(),
        os("--reason"),
        os("Approved by kyso"),
        os("--field"),
        os(field),
    ];
    args.extend_from_slice(extra);
    args.extend([input.as_os_str(), os("-o"), output.as_os_str()]);
    let out = kyso(args);
    assert_eq!(code(&out), 0, "{}", show(&out));
}

#[test]
fn kyso_signs_encrypted_documents_with_their_own_key_and_peers_accept_them_section_7_6_2() {
    let (Some(qpdf), Some(poppler), Some(pyhanko)) = (
        common::interop::Qpdf::find(),
        common::interop::Poppler::find(),
        Pyhanko::find(),
    ) else {
        return;
    };
    let s = setup();
    let now = time::OffsetDateTime::now_utc();
    let pki = kyso::demo::DemoPki::generate(now).unwrap();
    let files = pki.write_pem_files(&s.dir).unwrap();
    let trust = TrustStore::from_pem_or_der(&std::fs::read(&files.root).unwrap()).unwrap();
    for h in HANDLERS {
        let what = h.label;
        let enc = s.dir.join(format!("{what}.pdf"));
        encrypt(&qpdf.path, &s.plain, &enc, h, "");
        let one = s.dir.join(format!("{what}-kyso.pdf"));
        kyso_sign(&files, 0, &enc, &one, "KySoCanBo1");
        let base = std::fs::read(&enc).unwrap();
        let signed = std::fs::read(&one).unwrap();
        // Nothing of the update is in the clear but the signature value (§7.6.2): not the
        // field name, not the reason, not the signer's name in the appearance.
        let update = &signed[base.len()..];
        for clear in [&b"KySoCanBo1"[..], b"Approved by kyso"] {
            assert!(
                !update.windows(clear.len()).any(|w| w == clear),
                "{what}: {} written in the clear",
                String::from_utf8_lossy(clear)
            );
        }
        assert!(update.windows(8).any(|w| w == b"/Encrypt"), "{what}");

        qpdf.check(&one).unwrap_or_else(|e| panic!("{what}: {e}"));
        // pdfsig also lists the form's empty signature field.
        let sigs = poppler.pdfsig(&one, true).unwrap();
        let ours = sigs
            .iter()
            .find(|s| s.field.as_deref() == Some("KySoCanBo1"))
            .unwrap_or_else(|| panic!("{what}: {sigs:?}"));
        assert!(
            ours.valid && ours.total_document_signed,
            "{what}: {}",
            ours.raw
        );
        if h.pyhanko {
            let report = pyhanko.validate(&one, &files.root, &[]).unwrap();
            assert!(
                report.len() == 1 && report[0].valid && report[0].intact,
                "{what}: {report:?}"
            );
            assert_eq!(report[0].field, "KySoCanBo1", "{what}");
        }
        // A second signer (kyso again, then pyHanko over kyso's update when it can).
        let two = s.dir.join(format!("{what}-kyso-2.pdf"));
        kyso_sign(&files, 1, &one, &two, "chu_ky_cong_dan");
        qpdf.check(&two).unwrap_or_else(|e| panic!("{what}: {e}"));
        let report = verify_file(&two, &VerifyOptions::new(trust.clone())).unwrap();
        let names: Vec<_> = report
            .signatures
            .iter()
            .map(|s| s.field_name.clone().unwrap_or_default())
            .collect();
        assert_eq!(names, ["KySoCanBo1", "chu_ky_cong_dan"], "{what}");
        for sig in &report.signatures {
            assert_eq!(
                sig.indication,
                Indication::TotalPassed,
                "{what}: {:?}",
                sig.findings
            );
        }
        let sigs = poppler.pdfsig(&two, true).unwrap();
        assert!(
            sigs.len() == 2 && sigs.iter().all(|s| s.valid),
            "{what}: {sigs:?}"
        );
        if h.pyhanko {
            let three = s.dir.join(format!("{what}-pyhanko-3.pdf"));
            pyhanko_sign(
                &pyhanko,
                &s.dir,
                &two,
                &three,
                &files.officials[0],
                &files.chain,
                "",
                // ASCII: the harness parses pyHanko's underlined headings by bytes.
                "PheDuyet",
            );
            let report = verify_file(&three, &VerifyOptions::new(trust.clone())).unwrap();
            assert_eq!(report.signatures.len(), 3, "{what}");
            assert!(report.all_passed(), "{what}: {report:?}");
            let py = pyhanko.validate(&three, &files.root, &[]).unwrap();
            assert!(py.iter().all(|s| s.valid && s.intact), "{what}: {py:?}");
        }
    }
}

#[test]
fn signing_is_refused_when_p_forbids_it_table_22() {
    let Some(qpdf) = common::tool("qpdf") else {
        return;
    };
    let s = setup();
    let pki = kyso::demo::DemoPki::generate(time::OffsetDateTime::now_utc()).unwrap();
    let files = pki.write_pem_files(&s.dir).unwrap();
    let file = s.dir.join("protected.pdf");
    let out = common::interop::run(
        &qpdf,
        &[
            os("--encrypt"),
            os(""),
            os(OWNER),
            os("256"),
            os("--modify=none"),
            os("--annotate=n"),
            os("--form=n"),
            os("--"),
            s.plain.as_os_str(),
            file.as_os_str(),
        ],
    )
    .unwrap();
    assert!(out.status.success(), "{}", out.describe());
    let o = &files.officials[0];
    let signed = s.dir.join("signed.pdf");
    let out = kyso([
        os("sign"),
        os("--key"),
        o.key.as_os_str(),
        os("--cert"),
        o.certificate.as_os_str(),
        file.as_os_str(),
        os("-o"),
        signed.as_os_str(),
    ]);
    assert_eq!(code(&out), 2, "{}", show(&out));
    assert!(stderr(&out).contains("/P"), "{}", show(&out));
    assert!(!signed.exists());
    // The verifier reports the permissions.
    let out = kyso([os("verify"), file.as_os_str()]);
    assert!(stdout(&out).contains("modify: no"), "{}", show(&out));
}

#[test]
fn kyso_signs_a_document_with_a_user_password_when_given_it() {
    let (Some(qpdf), Some(pdfsig)) = (common::interop::Qpdf::find(), common::tool("pdfsig")) else {
        return;
    };
    let s = setup();
    let pki = kyso::demo::DemoPki::generate(time::OffsetDateTime::now_utc()).unwrap();
    let files = pki.write_pem_files(&s.dir).unwrap();
    let file = s.dir.join("user.pdf");
    encrypt(&qpdf.path, &s.plain, &file, &HANDLERS[2], USER);
    let o = &files.officials[0];
    let signed = s.dir.join("signed.pdf");
    let sign = |extra: &[&std::ffi::OsStr]| {
        let mut args = vec![
            os("sign"),
            os("--key"),
            o.key.as_os_str(),
            os("--cert"),
            o.certificate.as_os_str(),
            os("--chain"),
            files.chain.as_os_str(),
            os("--field"),
            os("KySo"),
        ];
        args.extend_from_slice(extra);
        args.extend([file.as_os_str(), os("-o"), signed.as_os_str()]);
        kyso(args)
    };
    let out = sign(&[]);
    assert_eq!(code(&out), 2, "{}", show(&out));
    assert!(
        stderr(&out).contains("--pdf-password-file"),
        "{}",
        show(&out)
    );
    std::env::set_var("KYSO_TEST_SIGN_PDF_PASSWORD", USER);
    let out = sign(&[os("--pdf-password-env"), os("KYSO_TEST_SIGN_PDF_PASSWORD")]);
    assert_eq!(code(&out), 0, "{}", show(&out));

    let check = qpdf
        .run(&[
            os("--check"),
            os(&format!("--password={USER}")),
            signed.as_os_str(),
        ])
        .unwrap();
    assert!(!check.stdout.contains("WARNING"), "{}", check.describe());
    let out = common::interop::run(
        &pdfsig,
        &[os("-nocert"), os("-upw"), os(USER), signed.as_os_str()],
    )
    .unwrap();
    let sigs = common::interop::parse_pdfsig(&out.stdout);
    let ours = sigs.iter().find(|s| s.field.as_deref() == Some("KySo"));
    assert!(ours.is_some_and(|s| s.valid), "{}", out.describe());
    let trust = TrustStore::from_pem_or_der(&std::fs::read(&files.root).unwrap()).unwrap();
    let report = verify_file(
        &signed,
        &VerifyOptions::new(trust).password(Password::from(USER)),
    )
    .unwrap();
    assert!(report.all_passed(), "{report:?}");
}

/// `qpdf --check --password=USER` accepts `file` without a warning (qpdf decrypts every
/// string and stream of every revision with the document's key).
fn qpdf_accepts(qpdf: &Path, file: &Path) {
    let out = common::interop::run(
        qpdf,
        &[
            os("--check"),
            os(&format!("--password={USER}")),
            file.as_os_str(),
        ],
    )
    .unwrap();
    assert!(
        out.status.success() && !out.stdout.contains("WARNING"),
        "qpdf --check {}: {}",
        file.display(),
        out.describe()
    );
}

/// The bytes `after` adds to `before` hold none of `secrets` in the clear.
fn nothing_in_the_clear(before: &Path, after: &Path, secrets: &[&str]) {
    let a = std::fs::read(before).unwrap();
    let b = std::fs::read(after).unwrap();
    assert!(b.starts_with(&a), "{} is not an update", after.display());
    let update = &b[a.len()..];
    for s in secrets {
        assert!(
            !update.windows(s.len()).any(|w| w == s.as_bytes()),
            "{s:?} is written in the clear into {}",
            after.display()
        );
    }
}

/// ISO 32000-2 §7.6 (issue 19 §1 "write encrypted"): every command that writes an update
/// takes the password of an input with a user password (`--password-file`/`--password-env`,
/// also spelled `--pdf-password-file`/`--pdf-password-env` as on `sign`), says which option
/// is missing without it, and writes its update encrypted with the document's own key:
/// `fields add`, `attach`, `form fill`, `form flatten`, `ltv` (on a document signed with
/// `sign --pdf-password-file`) and a document timestamp (library, `DocTimestampOptions`).
/// qpdf checks every result with the password; kyso reads the change back; the secrets
/// written are never in the clear.
#[test]
fn every_writer_takes_the_password_and_writes_encrypted_section_7_6() {
    let Some(qpdf) = common::tool("qpdf") else {
        return;
    };
    let s = setup();
    let pw_file = s.dir.join("pw.txt");
    std::fs::write(&pw_file, format!("{USER}\n")).unwrap();
    let pw = || Password::from(USER);
    for h in [&HANDLERS[1], &HANDLERS[5]] {
        let file = s.dir.join(format!("{}.pdf", h.label));
        encrypt(&qpdf, &s.plain, &file, h, USER);
        let out_path = |what: &str| s.dir.join(format!("{}-{what}.pdf", h.label));

        // fields add
        let fields = out_path("fields");
        let add = |extra: &[&std::ffi::OsStr]| {
            let mut args = vec![
                os("fields"),
                os("add"),
                os("--name"),
                os("KyDuyetBiMat"),
                os("--rect"),
                os("300,100,200,50"),
            ];
            args.extend_from_slice(extra);
            args.extend([file.as_os_str(), os("-o"), fields.as_os_str()]);
            kyso(args)
        };
        let out = add(&[]);
        assert_eq!(code(&out), 2, "{}: {}", h.label, show(&out));
        assert!(stderr(&out).contains("--password-file"), "{}", show(&out));
        let out = add(&[os("--password-file"), pw_file.as_os_str()]);
        assert_eq!(code(&out), 0, "{}: {}", h.label, show(&out));
        qpdf_accepts(&qpdf, &fields);
        nothing_in_the_clear(&file, &fields, &["KyDuyetBiMat"]);
        let doc = open(&fields, Some(USER)).unwrap();
        let names: Vec<String> = kyso::form::list_fields(&doc)
            .unwrap()
            .into_iter()
            .map(|f| f.name)
            .collect();
        assert!(names.iter().any(|n| n == "KyDuyetBiMat"), "{names:?}");

        // attach
        let note = s.dir.join("ghi-chu.txt");
        std::fs::write(&note, "noi dung mat cua ho so").unwrap();
        let attached = out_path("attach");
        std::env::set_var("KYSO_TEST_WRITER_PASSWORD", USER);
        let out = kyso([
            os("attach"),
            file.as_os_str(),
            note.as_os_str(),
            os("-o"),
            attached.as_os_str(),
            os("--pdf-password-env"),
            os("KYSO_TEST_WRITER_PASSWORD"),
        ]);
        assert_eq!(code(&out), 0, "{}: {}", h.label, show(&out));
        qpdf_accepts(&qpdf, &attached);
        nothing_in_the_clear(&file, &attached, &["noi dung mat", "ghi-chu.txt"]);
        let out = kyso([
            os("attachments"),
            os("list"),
            os("--password-file"),
            pw_file.as_os_str(),
            attached.as_os_str(),
        ]);
        assert!(stdout(&out).contains("ghi-chu.txt"), "{}", show(&out));

        // form fill, form flatten
        let data = s.dir.join("data.json");
        std::fs::write(&data, r#"{"nguoi_nop.ho_ten": "Tran Van Bi Mat"}"#).unwrap();
        let filled = out_path("fill");
        let out = kyso([
            os("form"),
            os("fill"),
            file.as_os_str(),
            data.as_os_str(),
            os("-o"),
            filled.as_os_str(),
            os("--password-file"),
            pw_file.as_os_str(),
        ]);
        assert_eq!(code(&out), 0, "{}: {}", h.label, show(&out));
        qpdf_accepts(&qpdf, &filled);
        nothing_in_the_clear(&file, &filled, &["Tran Van Bi Mat"]);
        let doc = open(&filled, Some(USER)).unwrap();
        let fields_json = serde_json::to_string(&kyso::form::list_fields(&doc).unwrap()).unwrap();
        assert!(fields_json.contains("Tran Van Bi Mat"), "{fields_json}");
        let flat = out_path("flatten");
        let out = kyso([
            os("form"),
            os("flatten"),
            filled.as_os_str(),
            os("-o"),
            flat.as_os_str(),
            os("--password-file"),
            pw_file.as_os_str(),
        ]);
        assert_eq!(code(&out), 0, "{}: {}", h.label, show(&out));
        qpdf_accepts(&qpdf, &flat);
        let doc = open(&flat, Some(USER)).unwrap();
        let left = serde_json::to_string(&kyso::form::list_fields(&doc).unwrap()).unwrap();
        assert!(!left.contains("Tran Van Bi Mat"), "{left}");

        // A document timestamp (library).
        if let Some(tsa) = common::tsa::TestTsa::create(&s.dir) {
            let tsa = std::sync::Arc::new(tsa);
            let timestamping =
                kyso::sign::Timestamping::new(std::sync::Arc::new(kyso::tsp::Rfc3161Client::new(
                    common::tsa::OpensslTransport::new(tsa.clone(), common::tsa::Behaviour::Honest),
                )));
            let stamped = out_path("timestamp");
            let opts = kyso::sign::DocTimestampOptions::new()
                .field_name("DauThoiGianBiMat")
                .document_password(pw());
            kyso::sign::timestamp_file(&file, &stamped, &timestamping, &opts).unwrap();
            qpdf_accepts(&qpdf, &stamped);
            nothing_in_the_clear(&file, &stamped, &["DauThoiGianBiMat"]);
            let trust = TrustStore::from_der_certificates([&tsa.root_der]).unwrap();
            let report = verify_file(&stamped, &VerifyOptions::new(trust).password(pw())).unwrap();
            assert_eq!(report.signatures.len(), 1, "{report:?}");
            assert!(report.signatures[0].integrity.intact(), "{report:?}");
        }
    }
}

/// `sign --pdf-password-file` then `ltv --password-file` on a document with a user
/// password: the validation data is written encrypted (qpdf accepts it with the password),
/// and the signature still verifies.
#[test]
fn ltv_takes_the_password_and_writes_encrypted_section_7_6() {
    let Some(qpdf) = common::tool("qpdf") else {
        return;
    };
    let s = setup();
    let pki = kyso::demo::DemoPki::generate(time::OffsetDateTime::now_utc()).unwrap();
    let files = pki.write_pem_files(&s.dir).unwrap();
    let file = s.dir.join("user.pdf");
    encrypt(&qpdf, &s.plain, &file, &HANDLERS[2], USER);
    let pw_file = s.dir.join("pw.txt");
    std::fs::write(&pw_file, format!("{USER}\n")).unwrap();
    let o = &files.officials[0];
    let signed = s.dir.join("signed.pdf");
    let out = kyso([
        os("sign"),
        os("--key"),
        o.key.as_os_str(),
        os("--cert"),
        o.certificate.as_os_str(),
        os("--chain"),
        files.chain.as_os_str(),
        os("--field"),
        os("KySo"),
        os("--pdf-password-file"),
        pw_file.as_os_str(),
        file.as_os_str(),
        os("-o"),
        signed.as_os_str(),
    ]);
    assert_eq!(code(&out), 0, "{}", show(&out));
    let lt = s.dir.join("signed-lt.pdf");
    let ltv = |extra: &[&std::ffi::OsStr]| {
        let mut args = vec![
            os("ltv"),
            signed.as_os_str(),
            os("-o"),
            lt.as_os_str(),
            os("--trust"),
            files.root.as_os_str(),
            os("--force"),
        ];
        args.extend_from_slice(extra);
        kyso(args)
    };
    let out = ltv(&[]);
    assert_eq!(code(&out), 2, "{}", show(&out));
    assert!(stderr(&out).contains("--password-file"), "{}", show(&out));
    let out = ltv(&[os("--password-file"), pw_file.as_os_str()]);
    // 1: written, some revocation data missing (offline, none given).
    assert!(matches!(code(&out), 0 | 1), "{}", show(&out));
    assert!(lt.is_file(), "{}", show(&out));
    qpdf_accepts(&qpdf, &lt);
    let doc = open(&lt, Some(USER)).unwrap();
    let last = doc.last_revision();
    assert!(doc.catalog(last).unwrap().contains(b"DSS"));
    let trust = TrustStore::from_pem_or_der(&std::fs::read(&files.root).unwrap()).unwrap();
    let report = verify_file(
        &lt,
        &VerifyOptions::new(trust).password(Password::from(USER)),
    )
    .unwrap();
    assert_eq!(report.signatures.len(), 1);
    assert!(report.signatures[0].integrity.intact(), "{report:?}");
    assert!(report.signatures[0].modifications.allowed, "{report:?}");
}

/// ISO 32000-2 §7.6.4.3.3: an AES-256 (revision 6) password is prepared with SASLprep
/// (RFC 4013) before it is hashed. qpdf encrypts with the user password "matkhau"; kyso
/// opens it when the password is typed with a soft hyphen or a zero-width joiner (mapped to
/// nothing), and still refuses a wrong one.
#[cfg(feature = "saslprep")]
#[test]
fn aes256_passwords_are_prepared_with_saslprep_section_7_6_4_3_3() {
    let Some(qpdf) = common::tool("qpdf") else {
        return;
    };
    let s = setup();
    let file = s.dir.join("r6.pdf");
    encrypt(&qpdf, &s.plain, &file, &HANDLERS[5], "matkhau");
    assert_eq!(HANDLERS[5].revision, 6);
    for typed in ["matkhau", "mat\u{AD}khau", "mat\u{200D}khau\u{AD}"] {
        open(&file, Some(typed)).unwrap_or_else(|e| panic!("{typed:?}: {e}"));
    }
    assert!(open(&file, Some("matkhau2")).is_err());
}

/// The visual comparison (issue 23) renders encrypted documents with the password kyso
/// verifies them with (§7.6.3 user and owner passwords): for every handler qpdf writes, a
/// form protected by an owner password only (opened with the empty user password, §7.6.4.3),
/// signed twice by kyso, has its first signature's revision compared, and nothing of the
/// signed content changed; a form with a user password is compared when its user or its
/// owner password is given.
#[cfg(feature = "visual")]
#[test]
fn encrypted_documents_are_compared_visually_with_their_password_section_7_6() {
    let Some(qpdf) = common::tool("qpdf") else {
        return;
    };
    let s = setup();
    let now = time::OffsetDateTime::now_utc();
    let pki = kyso::demo::DemoPki::generate(now).unwrap();
    let files = pki.write_pem_files(&s.dir).unwrap();
    let first_visual = |file: &Path, extra: &[&std::ffi::OsStr]| {
        let mut args = vec![
            os("verify"),
            os("--json"),
            os("--visual"),
            os("--trust"),
            files.root.as_os_str(),
        ];
        args.extend_from_slice(extra);
        args.push(file.as_os_str());
        let out = kyso(args);
        let report: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", show(&out)));
        report["signatures"][0].clone()
    };
    for h in HANDLERS {
        let what = h.label;
        let enc = s.dir.join(format!("{what}-v.pdf"));
        encrypt(&qpdf, &s.plain, &enc, h, "");
        let one = s.dir.join(format!("{what}-v1.pdf"));
        kyso_sign(&files, 0, &enc, &one, "KySoCanBo1");
        let two = s.dir.join(format!("{what}-v2.pdf"));
        kyso_sign(&files, 1, &one, &two, "chu_ky_cong_dan");
        let sig = first_visual(&two, &[]);
        assert_eq!(sig["visual"]["status"], "compared", "{what}: {sig}");
        let codes: Vec<&str> = sig["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["code"].as_str())
            .collect();
        assert!(codes.contains(&"visual.explained"), "{what}: {codes:?}");
        assert!(
            !codes.contains(&"visual.content_changed"),
            "{what}: {codes:?}"
        );
    }

    // A user password: needed by the reader and the renderer alike.
    let h = &HANDLERS[5];
    let enc = s.dir.join("user-v.pdf");
    encrypt(&qpdf, &s.plain, &enc, h, USER);
    let pw = s.dir.join("pw-v.txt");
    std::fs::write(&pw, format!("{USER}\n")).unwrap();
    let mut signed = enc.clone();
    for (n, field) in ["KySoCanBo1", "chu_ky_cong_dan"].iter().enumerate() {
        let out_file = s.dir.join(format!("user-v{}.pdf", n + 1));
        let pw_args = [os("--pdf-password-file"), pw.as_os_str()];
        kyso_sign_with(&files, n, &signed, &out_file, field, &pw_args);
        signed = out_file;
    }
    let sig = first_visual(&signed, &[os("--password-file"), pw.as_os_str()]);
    assert_eq!(sig["visual"]["status"], "compared", "{sig}");
    // The owner password opens it for both too.
    std::fs::write(&pw, format!("{OWNER}\n")).unwrap();
    let sig = first_visual(&signed, &[os("--password-file"), pw.as_os_str()]);
    assert_eq!(sig["visual"]["status"], "compared", "{sig}");
}
