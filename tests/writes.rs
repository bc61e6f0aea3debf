//! Every write follows one rule (issue 16 "Every write follows one rule", issue 17 "Files
//! written like a Unix tool"), checked on the `kyso` command line as a separate process:
//! umask permissions, no replacement without `--force` on every command that writes, never
//! onto an input (path, symbolic link, hard link, any file named on the command line), never
//! through a symbolic link, a missing output directory named as such, no temporary file
//! left after SIGINT/SIGTERM, `verify-file --extract` only after a pass, portable names on
//! extraction with the original names reported.

mod common;

use common::cli::{bin, kyso, show, stderr};

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::forms::{names, registration_form, FormSpec};
use common::pki::TestPki;
use common::vectors::{base, Base};
use kyso::attachments::{attach_bytes, AttachOptions, Attachment};
use kyso::signer::Signer;
use time::OffsetDateTime;

/// `kyso ARGS` under `umask MASK` (through `sh`, so that the umask is the process's own).
fn kyso_umask(mask: &str, args: &[OsString]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("umask {mask}; exec \"$0\" \"$@\""))
        .arg(bin())
        .args(args)
        .output()
        .expect("sh runs")
}

/// Asserts exit 2 and one line on stderr that says `problem`.
fn assert_refused(o: &Output, problem: &str) {
    assert_eq!(o.status.code(), Some(2), "{}", show(o));
    let err = stderr(o);
    assert_eq!(err.lines().count(), 1, "one line expected: {}", show(o));
    assert!(err.starts_with("kyso: "), "{}", show(o));
    assert!(err.contains(problem), "{problem:?} expected: {}", show(o));
    assert!(!err.contains(".kyso-"), "a temporary name leaked: {err}");
}

fn ok(o: &Output) {
    assert_eq!(o.status.code(), Some(0), "{}", show(o));
}

/// Temporary files kyso may have left in `dir`.
fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".kyso-") || n.ends_with(".tmp"))
        .collect()
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn os(items: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<OsString> {
    items.iter().map(|i| i.as_ref().to_owned()).collect()
}

/// A PKI on disk (root, one signer's key, certificate and chain) and inputs.
struct Fixture {
    dir: tempfile::TempDir,
    pki: TestPki,
    root: PathBuf,
    key: PathBuf,
    cert: PathBuf,
    chain: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let pki = TestPki::generate(OffsetDateTime::now_utc());
        let dir = common::temp_dir();
        let root = pki.write_root(dir.path());
        let (key, cert, chain) = pki.p256.write_pem(dir.path());
        Fixture {
            dir,
            pki,
            root,
            key,
            cert,
            chain,
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

    /// `--key K --cert C --chain CH`.
    fn keys(&self) -> Vec<OsString> {
        os(&[
            &"--key",
            &self.key,
            &"--cert",
            &self.cert,
            &"--chain",
            &self.chain,
        ])
    }

    /// `sign KEYS IN -o OUT EXTRA…`.
    fn sign_args(&self, input: &Path, output: &Path, extra: &[&str]) -> Vec<OsString> {
        let mut a = vec![OsString::from("sign")];
        a.extend(self.keys());
        a.push(input.into());
        a.push("-o".into());
        a.push(output.into());
        a.extend(extra.iter().map(OsString::from));
        a
    }

    /// `sign-file KEYS FILE EXTRA…`.
    fn sign_file_args(&self, file: &Path, extra: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<OsString> {
        let mut a = vec![OsString::from("sign-file")];
        a.extend(self.keys());
        a.push(file.into());
        a.extend(os(extra));
        a
    }

    /// A PDF with attachments of these names (each holding its own name).
    fn pdf_with_attachments(&self, file: &str, names: &[&str]) -> PathBuf {
        let atts: Vec<Attachment> = names
            .iter()
            .map(|n| Attachment::from_bytes(*n, n.as_bytes().to_vec()))
            .collect();
        let pdf = attach_bytes(&base(Base::Table), &atts, &AttachOptions::new()).unwrap();
        self.write(file, &pdf)
    }
}

// ---------------------------------------------------------------------------------------------
// Permissions

/// Issue 17: output files get what a normal `create` gives under the user's umask (0666
/// less the umask), not the 0600 of a temporary file.
#[test]
#[cfg(unix)]
fn output_files_get_the_permissions_of_the_umask() {
    let f = Fixture::new();
    let input = f.write("in.pdf", &base(Base::Table));
    let content = f.write("content.txt", b"noi dung");
    let with_att = f.pdf_with_attachments("with-att.pdf", &["giay-to.txt"]);
    for (mask, expected) in [("022", 0o644), ("077", 0o600), ("027", 0o640)] {
        let out = f.path(&format!("out-{mask}"));
        std::fs::create_dir(&out).unwrap();
        let signed = out.join("signed.pdf");
        let p7s = out.join("content.p7s");
        let p7m = out.join("content.p7m");
        let extracted = out.join("content.txt");
        let attached = out.join("attached.pdf");
        let field = out.join("field.pdf");
        let dossier = out.join("dossier");
        std::fs::create_dir(&dossier).unwrap();
        std::fs::write(dossier.join("a.txt"), b"a").unwrap();
        let state = out.join("state.json");
        let batch = out.join("batch");
        let runs: Vec<Vec<OsString>> = vec![
            f.sign_args(&input, &signed, &[]),
            f.sign_file_args(&content, &[&"-o", &p7s]),
            f.sign_file_args(&content, &[&"--enveloping", &"-o", &p7m]),
            os(&[
                &"verify-file",
                &"--trust",
                &f.root,
                &p7m,
                &"--extract",
                &extracted,
            ]),
            os(&[&"attach", &input, &content, &"-o", &attached]),
            os(&[&"attachments", &"extract", &with_att, &"-o", &out]),
            os(&[
                &"fields",
                &"add",
                &"--name",
                &"Ky",
                &"--rect",
                &"10,10,100,40",
                &input,
                &"-o",
                &field,
            ]),
            {
                let mut a = vec![OsString::from("dossier"), "seal".into()];
                a.extend(f.keys());
                a.push(dossier.clone().into());
                a
            },
            os(&[
                &"sign",
                &"--prepare",
                &"--cert",
                &f.cert,
                &"--chain",
                &f.chain,
                &"--state",
                &state,
                &input,
            ]),
            {
                let mut a = vec![OsString::from("sign")];
                a.extend(f.keys());
                a.extend(os(&[&input, &"--output-dir", &batch]));
                a
            },
        ];
        for args in &runs {
            ok(&kyso_umask(mask, args));
        }
        for p in [
            signed,
            p7s,
            p7m,
            extracted,
            attached,
            out.join("giay-to.txt"),
            field,
            dossier.join(kyso::dossier::MANIFEST_FILE),
            dossier.join(kyso::dossier::MANIFEST_SIGNATURE_FILE),
            state,
            batch.join("in.pdf"),
        ] {
            assert_eq!(
                mode(&p),
                expected,
                "{} under umask {mask}: {:o}",
                p.display(),
                mode(&p)
            );
        }
        assert!(temporaries(&out).is_empty());
    }
}

// ---------------------------------------------------------------------------------------------
// One overwrite rule

/// Issue 17: one overwrite rule for every command that writes. An existing output is
/// refused without `--force` (before a key, a PIN or an authority is used), left intact,
/// and no temporary file remains; with `--force` it is replaced.
#[test]
fn every_writing_command_refuses_an_existing_output_without_force() {
    let f = Fixture::new();
    let input = f.write("in.pdf", &base(Base::Table));
    let form = f.write("form.pdf", &registration_form(&FormSpec::default()));
    let data = f.write(
        "data.json",
        format!("{{\"{}\": \"Nguyễn Văn An\"}}", names::HO_TEN).as_bytes(),
    );
    let content = f.write("content.txt", b"noi dung");
    let with_att = f.pdf_with_attachments("with-att.pdf", &["giay-to.txt"]);
    let dossier = f.path("dossier");
    std::fs::create_dir(&dossier).unwrap();
    std::fs::write(dossier.join("a.txt"), b"a").unwrap();
    let p7m = f.path("content.txt.p7m");
    ok(&kyso(f.sign_file_args(&content, &[&"--enveloping"])));

    // Two-phase: a state and the signature value over its bytes to sign.
    let state = f.path("state.json");
    let o = kyso(os(&[
        &"sign",
        &"--prepare",
        &"--cert",
        &f.cert,
        &"--chain",
        &f.chain,
        &"--state",
        &state,
        &input,
    ]));
    ok(&o);
    let prepared: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let to_sign = hex_decode(prepared["bytes_to_sign"].as_str().unwrap());
    let signature = f.write("sig.bin", &f.pki.p256.signer().sign(&to_sign).unwrap());

    let existing = |name: &str| -> PathBuf { f.write(name, b"precious") };
    // (what, the output, its arguments without --force, whether it completes offline)
    let cases: Vec<(&str, PathBuf, Vec<OsString>, bool)> = vec![
        {
            let out = existing("signed.pdf");
            ("sign", out.clone(), f.sign_args(&input, &out, &[]), true)
        },
        {
            let out = existing("x.p7s");
            let args = f.sign_file_args(&content, &[&"-o", &out]);
            ("sign-file", out, args, true)
        },
        {
            let out = existing("content.txt.p7s");
            (
                "sign-file (FILE.p7s)",
                out,
                f.sign_file_args(&content, &[]),
                true,
            )
        },
        {
            let out = existing("x.p7m");
            let args = f.sign_file_args(&content, &[&"--enveloping", &"-o", &out]);
            ("sign-file --enveloping", out, args, true)
        },
        {
            let out = existing("field.pdf");
            let args = os(&[
                &"fields",
                &"add",
                &"--name",
                &"Ky",
                &"--rect",
                &"10,10,100,40",
                &input,
                &"-o",
                &out,
            ]);
            ("fields add", out, args, true)
        },
        {
            let out = existing("attached.pdf");
            let args = os(&[&"attach", &input, &content, &"-o", &out]);
            ("attach", out, args, true)
        },
        {
            let dir = f.path("extract");
            std::fs::create_dir(&dir).unwrap();
            let out = dir.join("giay-to.txt");
            std::fs::write(&out, b"precious").unwrap();
            let args = os(&[&"attachments", &"extract", &with_att, &"-o", &dir]);
            ("attachments extract", out, args, true)
        },
        {
            let out = dossier.join(kyso::dossier::MANIFEST_FILE);
            std::fs::write(&out, b"precious").unwrap();
            let mut args = vec![OsString::from("dossier"), "seal".into()];
            args.extend(f.keys());
            args.push(dossier.clone().into());
            ("dossier seal", out, args, true)
        },
        {
            let out = existing("timestamped.pdf");
            let args = os(&[
                &"timestamp",
                &input,
                &"-o",
                &out,
                &"--tsa",
                &"http://127.0.0.1:9/",
            ]);
            ("timestamp", out, args, false)
        },
        {
            let out = existing("ltv.pdf");
            let args = os(&[&"ltv", &input, &"-o", &out, &"--trust", &f.root]);
            ("ltv", out, args, false)
        },
        {
            let out = existing("filled.pdf");
            let args = os(&[&"form", &"fill", &form, &data, &"-o", &out]);
            ("form fill", out, args, true)
        },
        {
            let out = existing("flat.pdf");
            let args = os(&[&"form", &"flatten", &form, &"-o", &out]);
            ("form flatten", out, args, true)
        },
        {
            let out = existing("extracted.txt");
            let args = os(&[
                &"verify-file",
                &"--trust",
                &f.root,
                &p7m,
                &"--extract",
                &out,
            ]);
            ("verify-file --extract", out, args, true)
        },
        {
            let out = existing("prepared-again.json");
            let args = os(&[
                &"sign",
                &"--prepare",
                &"--cert",
                &f.cert,
                &"--state",
                &out,
                &input,
            ]);
            ("sign --prepare (state)", out, args, true)
        },
        {
            let out = existing("finished.pdf");
            let args = os(&[
                &"sign",
                &"--finish",
                &state,
                &"--signature",
                &signature,
                &"-o",
                &out,
            ]);
            ("sign --finish", out, args, true)
        },
    ];
    for (what, out, args, completes) in cases {
        let o = kyso(&args);
        assert_refused(&o, "already exists (--force replaces it)");
        assert!(stderr(&o).contains(out.file_name().unwrap().to_str().unwrap()));
        assert_eq!(std::fs::read(&out).unwrap(), b"precious", "{what}");
        assert!(temporaries(out.parent().unwrap()).is_empty(), "{what}");
        if completes {
            let mut forced = args.clone();
            forced.push("--force".into());
            let o = kyso(&forced);
            assert_eq!(o.status.code(), Some(0), "{what} --force: {}", show(&o));
            assert_ne!(std::fs::read(&out).unwrap(), b"precious", "{what}");
            assert!(temporaries(out.parent().unwrap()).is_empty(), "{what}");
        }
    }
}

/// Batch signing: an existing output fails that document only (exit 2), `--force` replaces.
#[test]
fn batch_signing_follows_the_same_rule() {
    let f = Fixture::new();
    let a = f.write("a.pdf", &base(Base::Table));
    let b = f.write("b.pdf", &base(Base::Stream));
    let out = f.path("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("a.pdf"), b"precious").unwrap();
    let mut args = vec![OsString::from("sign")];
    args.extend(f.keys());
    args.extend(os(&[&a, &b, &"--output-dir", &out]));
    let o = kyso(&args);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("already exists"),
        "{}",
        show(&o)
    );
    assert_eq!(std::fs::read(out.join("a.pdf")).unwrap(), b"precious");
    assert!(out.join("b.pdf").is_file());
    std::fs::remove_file(out.join("b.pdf")).unwrap();
    args.push("--force".into());
    ok(&kyso(&args));
    assert_ne!(std::fs::read(out.join("a.pdf")).unwrap(), b"precious");
    // Signing a directory into itself: every output is its input.
    let mut args = vec![OsString::from("sign")];
    args.extend(f.keys());
    args.extend(os(&[&out, &"--output-dir", &out, &"--force"]));
    let before = std::fs::read(out.join("a.pdf")).unwrap();
    let o = kyso(&args);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("is the input file"));
    assert_eq!(std::fs::read(out.join("a.pdf")).unwrap(), before);
    assert!(temporaries(&out).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Never onto an input

/// Issue 16 item 6: `sign-file FILE -o FILE` destroyed its input. No command writes over a
/// file it reads — by the same path, another spelling, a symbolic link or a hard link to it,
/// or any file named on its command line (a key, a file to attach) — not even with
/// `--force`; refused before anything is written.
#[test]
fn no_output_is_ever_an_input() {
    let f = Fixture::new();
    let input = f.write("in.pdf", &base(Base::Table));
    let original = std::fs::read(&input).unwrap();
    let content = f.write("content.txt", b"noi dung");
    let other_spelling = f.dir.path().join(".").join("in.pdf");
    let hard = f.path("hard.pdf");
    std::fs::hard_link(&input, &hard).unwrap();
    let mut cases: Vec<(Vec<OsString>, PathBuf)> = vec![
        (
            f.sign_file_args(&content, &[&"-o", &content]),
            content.clone(),
        ),
        (
            f.sign_file_args(&content, &[&"-o", &content, &"--force"]),
            content.clone(),
        ),
        (
            f.sign_file_args(&content, &[&"--enveloping", &"-o", &content, &"--force"]),
            content.clone(),
        ),
        (f.sign_args(&input, &input, &["--force"]), input.clone()),
        (
            f.sign_args(&input, &other_spelling, &["--force"]),
            input.clone(),
        ),
        (f.sign_args(&input, &hard, &["--force"]), input.clone()),
        // A key named on the command line is an input too.
        (f.sign_args(&input, &f.key, &["--force"]), f.key.clone()),
        (
            os(&[&"attach", &input, &content, &"-o", &content, &"--force"]),
            content.clone(),
        ),
        (
            os(&[
                &"fields", &"add", &"--name", &"Ky", &"--rect", &"1,1,9,9", &input, &"-o", &hard,
                &"--force",
            ]),
            input.clone(),
        ),
        (
            os(&[&"form", &"flatten", &input, &"-o", &input, &"--force"]),
            input.clone(),
        ),
    ];
    #[cfg(unix)]
    {
        let link = f.path("link.pdf");
        std::os::unix::fs::symlink(&input, &link).unwrap();
        cases.push((f.sign_args(&input, &link, &["--force"]), input.clone()));
        cases.push((
            os(&[
                &"ltv", &input, &"-o", &link, &"--trust", &f.root, &"--force",
            ]),
            input.clone(),
        ));
    }
    for (args, victim) in cases {
        let before = std::fs::read(&victim).unwrap();
        let o = kyso(&args);
        assert_refused(&o, "is the input file");
        assert_eq!(std::fs::read(&victim).unwrap(), before, "{args:?}");
    }
    assert_eq!(std::fs::read(&input).unwrap(), original);
    assert!(temporaries(f.dir.path()).is_empty());

    // An attachment named like the PDF, extracted into the PDF's own directory.
    let dir = f.path("own");
    std::fs::create_dir(&dir).unwrap();
    let atts = [Attachment::from_bytes("doc.pdf", b"evil".to_vec())];
    let pdf = attach_bytes(&base(Base::Table), &atts, &AttachOptions::new()).unwrap();
    let doc = dir.join("doc.pdf");
    std::fs::write(&doc, &pdf).unwrap();
    let o = kyso(os(&[
        &"attachments",
        &"extract",
        &doc,
        &"-o",
        &dir,
        &"--force",
    ]));
    assert_refused(&o, "is the input file");
    assert_eq!(std::fs::read(&doc).unwrap(), pdf);
}

// ---------------------------------------------------------------------------------------------
// Never through a symbolic link

/// Issue 16 item 5 and the write rule: a target that is a symbolic link is refused, with or
/// without `--force`; the file it points to is untouched and the link stays.
#[test]
#[cfg(unix)]
fn a_symbolic_link_is_never_written_through() {
    let f = Fixture::new();
    let input = f.write("in.pdf", &base(Base::Table));
    let content = f.write("content.txt", b"noi dung");
    ok(&kyso(f.sign_file_args(&content, &[&"--enveloping"])));
    let p7m = f.path("content.txt.p7m");
    let victim = f.write("victim.txt", b"someone else's file");
    let link = f.path("out.pdf");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let dangling = f.path("dangling.pdf");
    std::os::unix::fs::symlink(f.path("nowhere"), &dangling).unwrap();
    for target in [&link, &dangling] {
        for force in [false, true] {
            let extra: &[&str] = if force { &["--force"] } else { &[] };
            let mut runs = vec![
                f.sign_args(&input, target, extra),
                f.sign_file_args(&content, &[&"-o", target]),
                os(&[
                    &"verify-file",
                    &"--trust",
                    &f.root,
                    &p7m,
                    &"--extract",
                    target,
                ]),
            ];
            if force {
                for r in runs.iter_mut().skip(1) {
                    r.push("--force".into());
                }
            }
            for args in runs {
                let o = kyso(&args);
                assert_refused(&o, "is a symbolic link");
            }
        }
    }
    assert_eq!(std::fs::read(&victim).unwrap(), b"someone else's file");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(!f.path("nowhere").exists());
    assert!(temporaries(f.dir.path()).is_empty());
}

// ---------------------------------------------------------------------------------------------
// A missing output directory

/// Issue 17: an output directory that does not exist is reported as such, without the
/// temporary file's name.
#[test]
fn a_missing_output_directory_is_named() {
    let f = Fixture::new();
    let input = f.write("in.pdf", &base(Base::Table));
    let content = f.write("content.txt", b"noi dung");
    let with_att = f.pdf_with_attachments("with-att.pdf", &["giay-to.txt"]);
    let missing = f.path("khong-co");
    let expected = format!("output directory {} does not exist", missing.display());
    for args in [
        f.sign_args(&input, &missing.join("out.pdf"), &[]),
        f.sign_file_args(&content, &[&"-o", &missing.join("x.p7s")]),
        os(&[&"attachments", &"extract", &with_att, &"-o", &missing]),
        os(&[&"attach", &input, &content, &"-o", &missing.join("a.pdf")]),
    ] {
        let o = kyso(&args);
        assert_refused(&o, &expected);
    }
    assert!(!missing.exists());
}

// ---------------------------------------------------------------------------------------------
// Interrupts

/// Issue 16 item 10: SIGINT and SIGTERM during a write remove the temporary file; the
/// process exits with 128 + the signal number and leaves no output. Uses the debug-build
/// hook `KYSO_TEST_HOLD_TEMP_MS`, which holds the write right after the temporary file is
/// created.
#[test]
#[cfg(unix)]
fn interrupted_writes_leave_no_temporary_file() {
    if !cfg!(debug_assertions) {
        eprintln!("SKIP: the interrupt test needs the debug-build hold hook");
        return;
    }
    let f = Fixture::new();
    let input = f.write("in.pdf", &base(Base::Table));
    let content = f.write("content.txt", b"noi dung");
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let out = f.path(&format!("out-{signal}"));
        std::fs::create_dir(&out).unwrap();
        let runs = [
            (
                f.sign_args(&input, &out.join("signed.pdf"), &[]),
                "signed.pdf",
            ),
            (
                f.sign_file_args(&content, &[&"-o", &out.join("c.p7s")]),
                "c.p7s",
            ),
        ];
        for (args, name) in runs {
            let mut child = Command::new(bin())
                .args(&args)
                .env("KYSO_TEST_HOLD_TEMP_MS", "30000")
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
            while temporaries(&out).is_empty() {
                assert!(
                    std::time::Instant::now() < deadline,
                    "no temporary file appeared"
                );
                if let Some(status) = child.try_wait().unwrap() {
                    panic!("kyso ended before the signal: {status}");
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            let killed = Command::new("kill")
                .arg(format!("-{signal}"))
                .arg(child.id().to_string())
                .status()
                .unwrap();
            assert!(killed.success());
            let o = child.wait_with_output().unwrap();
            assert_eq!(o.status.code(), Some(code), "SIG{signal}: {}", show(&o));
            assert!(stderr(&o).contains("interrupted"), "{}", show(&o));
            assert!(
                temporaries(&out).is_empty(),
                "SIG{signal} left {:?}",
                temporaries(&out)
            );
            assert!(!out.join(name).exists());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// verify-file --extract

/// Issue 16 item 5: `verify-file --extract` wrote the content of a tampered `.p7m`. It now
/// writes only after a passing verdict, or with `--extract-anyway`, which says so; through
/// the same writer (no replacement without `--force`, never onto the `.p7m`).
#[test]
fn verify_file_extracts_only_after_a_pass() {
    let f = Fixture::new();
    let content = f.write("to-khai.txt", b"Noi dung to khai goc");
    ok(&kyso(f.sign_file_args(&content, &[&"--enveloping"])));
    let p7m = f.path("to-khai.txt.p7m");
    let verify = |file: &Path, extra: &[&dyn AsRef<std::ffi::OsStr>]| {
        let mut a = os(&[&"verify-file", &"--trust", &f.root, &file]);
        a.extend(os(extra));
        kyso(a)
    };

    // A passing signature: extracted, identical.
    let out = f.path("extracted.txt");
    ok(&verify(&p7m, &[&"--extract", &out]));
    assert_eq!(std::fs::read(&out).unwrap(), b"Noi dung to khai goc");
    // Not over an existing file without --force; never onto the .p7m itself.
    assert_refused(&verify(&p7m, &[&"--extract", &out]), "already exists");
    let before = std::fs::read(&p7m).unwrap();
    assert_refused(
        &verify(&p7m, &[&"--extract", &p7m, &"--force"]),
        "is the input file",
    );
    assert_eq!(std::fs::read(&p7m).unwrap(), before);

    // A tampered .p7m: the signed content changed inside.
    let mut bytes = before.clone();
    let at = bytes
        .windows(8)
        .position(|w| w == b"Noi dung")
        .expect("the content is inside the .p7m");
    bytes[at] = b'X';
    let tampered = f.write("tampered.p7m", &bytes);
    let out = f.path("from-tampered.txt");
    let o = verify(&tampered, &[&"--extract", &out]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(
        !out.exists(),
        "the content of a failed signature was written"
    );
    assert!(stderr(&o).contains("was not written"), "{}", show(&o));
    assert!(stderr(&o).contains("--extract-anyway"), "{}", show(&o));

    let o = verify(
        &tampered,
        &[&"--extract", &out, &"--extract-anyway", &"--json"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert_eq!(std::fs::read(&out).unwrap(), b"Xoi dung to khai goc");
    assert!(stderr(&o).contains("did NOT pass"), "{}", show(&o));
    assert!(temporaries(f.dir.path()).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Names on extraction

/// Issue 16 item 11: names taken from a document are made portable and safe on every
/// platform (no drive prefix, no reserved device name, no bidirectional control, no
/// trailing dot or space, no path), and the original names are reported exactly.
#[test]
fn extraction_names_are_portable_and_the_originals_reported() {
    let f = Fixture::new();
    let originals = [
        "C:evil.txt",
        "CON",
        "NUL.txt",
        "invoice\u{202e}fdp.exe",
        "trail. ",
        "../up.txt",
        "..\\win.ini",
        "..",
        "Giấy tờ.pdf",
        "a.txt",
        "A.txt",
    ];
    // The expected file name of each; `None`: a neutral name (`attachment-N`).
    let expected: [Option<&str>; 11] = [
        Some("C_evil.txt"),
        Some("_CON"),
        Some("_NUL.txt"),
        Some("invoice_fdp.exe"),
        Some("trail"),
        Some("up.txt"),
        Some("win.ini"),
        None,
        Some("Giấy tờ.pdf"),
        // `a.txt` and `A.txt` are one file on Windows and macOS: the second gets ` (2)`.
        Some("a.txt"),
        Some("A.txt"),
    ];
    let pdf = f.pdf_with_attachments("dossier.pdf", &originals);
    let out = f.path("out");
    std::fs::create_dir(&out).unwrap();
    let o = kyso(os(&[
        &"attachments",
        &"extract",
        &pdf,
        &"-o",
        &out,
        &"--json",
    ]));
    ok(&o);
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(listed.len(), originals.len(), "{}", show(&o));
    let mut case_folded = std::collections::BTreeSet::new();
    for l in &listed {
        let name = l["name"].as_str().unwrap();
        let i = originals.iter().position(|n| *n == name).unwrap();
        let file = PathBuf::from(l["file"].as_str().unwrap());
        assert_eq!(file.parent(), Some(out.as_path()), "{name:?}");
        let written = file.file_name().unwrap().to_str().unwrap();
        match expected[i] {
            Some(e) if e.eq_ignore_ascii_case("a.txt") => {
                assert!(
                    written.eq_ignore_ascii_case("a.txt") || written.ends_with(" (2).txt"),
                    "{written}"
                );
            }
            Some(e) => assert_eq!(written, e, "{name:?}"),
            None => assert!(written.starts_with("attachment-"), "{written}"),
        }
        assert!(kyso::attachments::is_safe_file_name(written), "{written:?}");
        assert!(
            case_folded.insert(written.to_lowercase()),
            "{written} twice"
        );
        assert_eq!(std::fs::read(&file).unwrap(), name.as_bytes(), "{name:?}");
        assert_eq!(l["size"].as_u64(), Some(name.len() as u64));
    }
    // Nothing was written anywhere else.
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), originals.len());
    for escaped in ["up.txt", "win.ini", "..\\win.ini"] {
        assert!(!f.path(escaped).exists(), "{escaped} left the directory");
    }
    // The text lines show the original names with the control characters escaped.
    assert!(
        stderr(&o).contains("invoice\\u{202e}fdp.exe"),
        "{}",
        show(&o)
    );
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}
